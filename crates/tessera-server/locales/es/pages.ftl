# Textos de las páginas de Tessera, en español (cada idioma tiene exactamente los mismos ids que el inglés).
# Para traductores: mantener los { $placeholders } tal como están; el texto entre {"…"} es literal.

language-name = Español
date-format = { $day } de { $month } de { $year }
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Todas las páginas
skip-to-content = Ir al contenido
nav-label = Cuenta
nav-account = Cuenta
nav-log-out = Cerrar sesión
nav-log-in = Iniciar sesión
nav-register = Registrarse
footer-links-label = Enlaces
footer-privacy = Privacidad
footer-terms = Términos
footer-help = Ayuda
language-label = Idioma
language-change = Cambiar
cancel = Cancelar
continue = Continuar
save = Guardar
remove = Quitar
yes = sí
no = no
back-to-login = Volver al inicio de sesión
field-email = Correo electrónico
field-first-name = Nombre
field-last-name = Apellido
field-current-password = Contraseña actual
field-new-password = Nueva contraseña
field-new-password-again = Repite la nueva contraseña
password-hint = Al menos { $min } caracteres.
connect-provider = Conectar { $provider }

## Iniciar sesión
login-title = Iniciar sesión
login-resend-confirmation = Volver a enviar el enlace de confirmación
login-username-or-email = Nombre de usuario o correo electrónico
login-password = Contraseña
login-submit = Iniciar sesión
login-passkey = Iniciar sesión con una llave de acceso
login-or = o
login-with = Iniciar sesión con { $provider }
login-forgot-password = ¿Olvidaste tu contraseña?
login-create-account = Crear una cuenta

## Registro
register-title = Crear una cuenta
register-username = Nombre de usuario
register-first-name = Nombre (opcional)
register-last-name = Apellido (opcional)
register-submit = Crear cuenta
register-have-account = ¿Ya tienes una cuenta? Inicia sesión

## Contraseñas
password-change-title = Cambia tu contraseña
password-change-submit = Cambiar contraseña
reset-title = Restablece tu contraseña
reset-lead = Escribe tu nombre de usuario o tu dirección de correo electrónico y te enviaremos un enlace para elegir una nueva contraseña.
reset-submit = Enviarme un enlace
reset-form-title = Elige una nueva contraseña
reset-form-submit = Establecer contraseña

## Cerrar sesión
logout-title = Cerrar sesión
logout-question = ¿Cerrar sesión en este navegador? También se avisará a las aplicaciones en las que iniciaste sesión aquí.
logout-submit = Cerrar sesión

## Personal
admin-title = Cuentas
admin-username = Nombre de usuario
admin-active = Activa
admin-staff = Personal
admin-joined = Fecha de alta
admin-unconfirmed = (sin confirmar)

## Redirección al servicio de asistencia
remote-auth-title = Iniciando sesión…
remote-auth-noscript = JavaScript está desactivado: pulsa el botón para continuar a { $target }.
remote-auth-continue = Continuar a { $target }

## Consentimiento
consent-title = ¿Dar acceso a { $app }?
consent-lead = { $app } solicita usar tu cuenta ({ $username }). Podrá:
consent-allow = Permitir
consent-deny = Denegar
consent-withdraw = Puedes retirar este permiso más adelante en la página de tu cuenta.
scope-openid = Saber que eres tú (con un identificador fijo, no con tu contraseña)
scope-profile = Tu nombre y tu nombre de usuario
scope-email = Tu dirección de correo electrónico y si está confirmada
scope-groups = Los grupos a los que perteneces
scope-offline_access = Seguir teniendo acceso mientras no estás
scope-contacts = Ver qué personas que conoces por tus cuentas conectadas también la usan
scope-other = Otros accesos

## Activación (registro híbrido)
activate-title = Un paso más
activate-lead = Tu cuenta está creada. Para activarla, conecta una de estas cuentas (así demuestras que eres una persona y podrás iniciar sesión con ella más adelante):
activate-mail-sent = También te enviamos un enlace de confirmación a tu dirección de correo electrónico.

## Segundo paso
second-step-title = Segundo paso
second-step-heading = Un paso más
second-step-totp-label = El código de tu aplicación de autenticación
second-step-recovery-label = Un código de recuperación
second-step-recovery-hint = ¿No tienes acceso a tu aplicación? Escribe en su lugar uno de tus códigos de recuperación.
second-step-passkey = Usar una llave de acceso
second-step-someone-else = Iniciar sesión con otra cuenta

## Configuración de la aplicación de autenticación
totp-title = Configura una aplicación de autenticación
totp-step-open = Abre una aplicación de autenticación en tu teléfono (por ejemplo, Aegis, Google Authenticator, 1Password o Microsoft Authenticator) y añade una cuenta.
totp-step-scan = Escanea con ella este código QR:
totp-cannot-scan = ¿No puedes escanearlo? Escribe esto en su lugar
totp-secret-key = Clave secreta:
totp-open-link = O abre este enlace en el dispositivo que tiene la aplicación:
totp-kind = Basado en tiempo, 6 dígitos, cada 30 segundos.
totp-step-enter = Escribe el código de seis dígitos que muestra ahora la aplicación:
totp-code-label = Código de la aplicación
totp-submit = Activar
codes-title = Tus códigos de recuperación
codes-app-on = Tu aplicación de autenticación está activada: a partir de ahora inicias sesión con tu contraseña y un código de la aplicación.
codes-explain = Si pierdes tu teléfono, cada uno de estos códigos te permite iniciar sesión una vez en lugar de un código de la aplicación. Guárdalos ahora en un lugar seguro:
codes-only-once = solo se muestran esta vez.
codes-download = Descargarlos como archivo de texto
codes-saved = Ya los guardé, continuar

## Página de la cuenta
account-title = Tu cuenta
account-signed-in-as = Sesión iniciada como { $username }
account-not-confirmed = aún sin confirmar
account-profile = Perfil
account-pending-email = Pendiente de confirmación: { $address } será tu dirección cuando abras el enlace que te enviamos a ella.
account-cancel-change = Cancelar este cambio
account-password-for-email = Contraseña actual (solo hace falta para cambiar tu dirección de correo electrónico)
account-reauth-for-email = Para cambiar tu dirección de correo electrónico, primero vuelve a iniciar sesión; después tendrás unos minutos para hacer el cambio.
account-password = Contraseña
account-change-password = Cambiar tu contraseña
account-no-password = Tu cuenta no tiene contraseña: inicias sesión con una cuenta conectada o con una llave de acceso.
account-set-password = Crear una contraseña
account-providers = Proveedores de inicio de sesión conectados
account-provider-as = como { $name }
account-since = desde el { $date }
account-disconnect = Desconectar
account-no-providers = No hay ninguna otra cuenta conectada.
account-apps = Aplicaciones con acceso
account-remove-access = Quitar acceso
account-first-party = Forma parte de este servicio
account-no-apps = Ninguna aplicación tiene acceso a tu cuenta.
account-people = Personas que quizá conozcas
account-all-accounts = Todas las cuentas (personal)
mfa-title = Segundos factores
mfa-app = Aplicación de autenticación
mfa-app-on = Activada: al iniciar sesión se te pide un código de tu aplicación.
mfa-app-remove = Quitar la aplicación de autenticación
mfa-app-off = Desactivada.
mfa-app-set-up = Configurar una aplicación de autenticación
mfa-codes = Códigos de recuperación
mfa-codes-left = { $count ->
    [one] Te queda 1 código de recuperación sin usar.
   *[other] Te quedan { $count } códigos de recuperación sin usar.
}
mfa-codes-new = Generar nuevos códigos de recuperación
mfa-passkeys = Llaves de acceso
mfa-passkey-added = añadida el { $date }
mfa-passkey-used = usada por última vez el { $date }
mfa-no-passkey = Aún no tienes ninguna llave de acceso. Una llave de acceso te permite iniciar sesión con el bloqueo de pantalla de tu dispositivo, sin contraseña.
mfa-passkey-name = Nombre de la nueva llave de acceso
mfa-passkey-name-example = Mi portátil
mfa-passkey-add = Añadir una llave de acceso
mfa-passkeys-need-domain = Las llaves de acceso requieren que se acceda a este servidor mediante un nombre de dominio.
