# mensajes
language-unknown = No existe la traducción «{ $lang }»; elige uno de los idiomas de la lista.

## Páginas de error
error-upstream-title = No se pudo iniciar sesión
error-upstream-cancelled = Cancelaste el inicio de sesión con { $provider }. No se cambió nada.
error-upstream-unavailable = { $provider } no responde en este momento. Inténtalo de nuevo en unos instantes.
error-upstream-refused = { $provider } no nos permitió iniciar tu sesión ({ $reason }). Vuelve a empezar.
error-bad-request-title = Eso no funcionó
error-back-to-login = Volver a la página de inicio de sesión
error-forbidden-title = No permitido
error-csrf-title = Este formulario ha caducado
error-csrf = Al formulario le faltaba su token de seguridad o procedía de otro sitio. Vuelve atrás, recarga la página e inténtalo de nuevo.
error-method-title = No es posible aquí
error-method = Esta dirección no acepta ese tipo de solicitud.
error-not-found-title = Página no encontrada
error-not-found = No hay nada en esta dirección.
error-throttled-title = Demasiados intentos
error-unavailable-title = No disponible temporalmente
error-unavailable = El servicio no puede acceder a su base de datos en este momento. No se cambió nada; inténtalo de nuevo en unos instantes.
error-internal-title = Algo salió mal
error-internal = Se produjo un error inesperado por nuestra parte y quedó registrado. Inténtalo de nuevo.

## Problemas con lo que se escribió
problem-username-empty = Escribe un nombre de usuario.
problem-username-too-long = Los nombres de usuario tienen como máximo { $max } caracteres.
problem-username-characters = Los nombres de usuario solo pueden contener letras, dígitos y @ . + - _
problem-email-empty = Escribe una dirección de correo electrónico.
problem-email-too-long = Las direcciones de correo electrónico tienen como máximo { $max } caracteres.
problem-email-invalid = Escribe una dirección de correo electrónico válida, como nombre@example.com.
problem-password-too-short = Usa al menos { $min } caracteres para tu contraseña.
problem-password-too-long = Las contraseñas tienen como máximo { $max } caracteres.
problem-password-is-username = Tu contraseña no puede ser tu nombre de usuario.
problem-password-is-email = Tu contraseña no puede ser tu dirección de correo electrónico.
problem-password-only-digits = Tu contraseña no puede contener solo dígitos.
problem-password-common = Esa contraseña es una de las más comunes; elige otra.
problem-passwords-differ = Las dos contraseñas no coinciden; escribe la misma contraseña dos veces.
problem-names-too-long = Los nombres tienen como máximo { $max } caracteres.
problem-field-first-name = nombre
problem-field-last-name = apellido
problem-field-email = correo electrónico
# $kind es uno de: line-break, nul, direction, control; $code es p. ej. U+000A.
problem-unsafe-text = El campo «{ $field }» contiene { $kind ->
    [line-break] un salto de línea
    [nul] un carácter NUL
    [direction] un carácter de control de la dirección del texto
   *[control] un carácter de control
} ({ $code }); quítalo e inténtalo de nuevo.

## Iniciar sesión
login-too-long = El nombre de usuario o la contraseña son demasiado largos.
login-wrong = Nombre de usuario o contraseña incorrectos.
login-disabled = Esta cuenta está desactivada. Ponte en contacto con un administrador.
login-unconfirmed = Primero confirma tu dirección de correo electrónico: abre el enlace que te enviamos o solicita uno nuevo abajo.

## Registro
register-closed-social = Las cuentas nuevas se crean iniciando sesión con uno de los proveedores de la página de inicio de sesión.
register-closed-admin = En este servidor, las cuentas nuevas las crea un administrador.
register-closed-title = El registro está cerrado
link-log-in = Iniciar sesión
register-check-mail-title = Revisa tu correo
register-check-mail = Te enviamos un mensaje a tu dirección de correo electrónico. Abre el enlace que contiene para confirmar la dirección y luego inicia sesión.
register-far-too-long = Un campo es demasiado largo; acórtalo e inténtalo de nuevo.

## Restablecer la contraseña
reset-sent-title = Revisa tu correo
reset-sent = Si existe una cuenta con ese nombre de usuario o correo electrónico, enviamos un enlace a su dirección de correo electrónico. Caduca pronto; revisa tu correo.
reset-dead-link-title = Este enlace ya no funciona
reset-dead-link = Los enlaces para restablecer la contraseña funcionan una sola vez, caducan y dejan de funcionar cuando cambia la contraseña. Solicita uno nuevo.
reset-ask-again = Solicitar un enlace nuevo
password-far-too-long = Esa contraseña es demasiado larga.
reset-done = Tu nueva contraseña está guardada y se cerraron todas las sesiones. Inicia sesión con ella ahora.
reset-done-title = Contraseña cambiada

## Cerrar sesión
logout-mismatched-app = La solicitud de cierre de sesión nombra una aplicación, pero incluye el token de ID de otra. Tu sesión no ha cambiado.
logout-done-title = Sesión cerrada
logout-not-signed-in = No has iniciado sesión.
logout-done = Cerraste la sesión en este navegador.
logout-log-in-again = Volver a iniciar sesión

## Solicitudes de inicio de sesión de aplicaciones
authorize-unusable = No se puede usar la solicitud de inicio de sesión de la aplicación: { $description }. No se envió nada a la aplicación; vuelve a ella e inténtalo de nuevo, o avisa a sus desarrolladores.
authorize-already-completed = Esta solicitud de inicio de sesión ya se completó (en otra pestaña o con un doble clic). Vuelve a la aplicación.

## Solicitudes de inicio de sesión de aplicaciones (continuación)
authorize-expired = Esta solicitud de inicio de sesión caducó o se inició en otro navegador. Vuelve a la aplicación e inicia sesión de nuevo.

## Limitación de intentos
throttled = Demasiados intentos. Inténtalo de nuevo en { $wait }.
wait-seconds =
    { $count ->
        [one] 1 segundo
       *[other] { $count } segundos
    }
wait-minutes =
    { $count ->
        [one] 1 minuto
       *[other] { $count } minutos
    }

## Confirmación del correo electrónico
confirm-done = Gracias: { $address } quedó confirmada como tu dirección.
link-your-account = Tu cuenta
confirm-done-title = Dirección de correo electrónico confirmada
confirm-taken-title = Esta dirección pertenece a otra cuenta
confirm-taken = Otra cuenta confirmó esta dirección antes, así que no se puede usar para esta. Inicia sesión en la cuenta que la tiene o elige otra dirección.
link-dead-title = Este enlace ya no funciona
confirm-dead-link = Los enlaces de confirmación funcionan una sola vez, caducan y solo sirven para la dirección a la que se enviaron. Inicia sesión para solicitar uno nuevo.
link-reset-password = Restablecer tu contraseña
undo-cancelled-title = Cambio cancelado
undo-cancelled = El cambio de dirección se canceló: tu cuenta conserva esta dirección. Si no solicitaste el cambio, cambia tu contraseña ahora.
undo-reverted-title = Cambio deshecho
undo-reverted = Tu cuenta vuelve a tener esta dirección, se cerró la sesión en todos los navegadores y las aplicaciones tendrán que volver a pedir acceso. Restablece tu contraseña ahora: puede que otra persona la conozca.
undo-taken-title = Esta dirección ahora pertenece a otra cuenta
undo-taken = El cambio no se puede deshacer porque otra cuenta ha confirmado esta dirección desde entonces. Ponte en contacto con un administrador.
undo-dead-link = Los enlaces como este funcionan una sola vez y caducan.
resend-done-title = Revisa tu correo
resend-done = Si esa cuenta está pendiente de confirmación, ya va en camino un enlace nuevo.

## Inicio de sesión con proveedores externos
activation-expired = Este enlace de activación caducó. Inicia sesión o regístrate de nuevo.
upstream-expired-title = Este inicio de sesión caducó
upstream-expired = Este inicio de sesión no se empezó en este navegador, ya se usó o tardó demasiado. Vuelve a empezar.
upstream-stopped-title = Inicio de sesión detenido
disconnect-only-way-title = No se desconectó
disconnect-only-way = Es tu única forma de iniciar sesión. Primero crea una contraseña (en la página de tu cuenta) o conecta otro proveedor.
link-back-to-account = Volver a tu cuenta

## Verificación de una dirección
removed-sign-ins = Estos inicios de sesión se conectaron antes de que nadie hubiera verificado esta dirección, así que se quitaron: { $names }. Si son tuyos, vuelve a conectarlos desde la página de tu cuenta.
ended-sessions =
    { $count ->
        [one] Se cerró la sesión en 1 navegador más.
       *[other] Se cerró la sesión en { $count } navegadores más.
    }

## Formularios
form-wrong-type = Envía este formulario como application/x-www-form-urlencoded (un formulario HTML normal).
form-unreadable = No se pudo leer el formulario ({ $reason }). Recarga la página e inténtalo de nuevo.

## Inicio de sesión en el servicio de asistencia
helpdesk-no-timestamp = El servicio de asistencia no envió una marca de tiempo. Inicia sesión desde el enlace de inicio de sesión del servicio de asistencia.
helpdesk-not-seconds = El servicio de asistencia envió una marca de tiempo que no es un número de segundos. Vuelve a iniciar sesión desde el servicio de asistencia.
helpdesk-out-of-date = El enlace de inicio de sesión del servicio de asistencia ha caducado: { $reason }.
helpdesk-not-allowed = Tu cuenta no tiene permiso para iniciar sesión en { $target }. Si necesitas acceso, pídeselo a un administrador.
helpdesk-needs-email = El servicio de asistencia necesita una dirección de correo electrónico confirmada: añade o confirma una en la página de tu cuenta e inténtalo de nuevo.
helpdesk-refused-title = No se puede iniciar tu sesión en el servicio de asistencia
helpdesk-refused = No iniciamos tu sesión en { $target }: { $reason }.
helpdesk-no-reason = El servicio de asistencia no indicó el motivo.
helpdesk-error-title = El servicio de asistencia no pudo iniciar tu sesión
helpdesk-signed-out-both = Cerraste la sesión en el servicio de asistencia y en este servicio.
helpdesk-signed-out = Cerraste la sesión en el servicio de asistencia.
helpdesk-signed-out-title = Sesión cerrada

## Página de la cuenta
email-change-needs-password = Para cambiar tu dirección de correo electrónico, escribe tu contraseña actual.
email-change-needs-sign-in = Para cambiar tu dirección de correo electrónico, primero vuelve a iniciar sesión (cierra sesión y luego inicia sesión con tu proveedor) y cámbiala en los { $minutes } minutos siguientes.
email-taken = Otra cuenta ya usa esa dirección de correo electrónico.
saved = Guardado.
email-change-sent = Guardado. Enviamos un enlace de confirmación a { $new }; hasta que lo abras, tu dirección sigue siendo { $old }.
email-change-sent-first = Guardado. Enviamos un enlace de confirmación a { $new }; la dirección será tuya cuando lo abras.
email-change-cancelled = El cambio de dirección se canceló; su enlace de confirmación ya no funciona.
email-change-none = No había ningún cambio de dirección que cancelar.
password-wrong-current = Tu contraseña actual no es correcta.
password-changed = Tu contraseña se cambió. Se cerraron las demás sesiones.
app-access-removed = Acceso retirado: los tokens de la aplicación ya no funcionan y tendrá que volver a pedir acceso.
app-no-access = Esa aplicación no tenía acceso.
staff-only = Esta página es solo para cuentas del personal.

## Segundo paso
second-step-enter-code = Escribe el código de tu aplicación de autenticación o un código de recuperación.
second-step-expired-title = Vuelve a iniciar sesión
second-step-expired = Este inicio de sesión caducó o se completó en otra pestaña. Vuelve a iniciar sesión.
link-sign-in = Iniciar sesión

## Inicios de sesión con proveedores externos rechazados
stop-linked-elsewhere = Esta cuenta de { $provider } ya está conectada a otra cuenta de aquí. Inicia sesión en esa cuenta para usarla o desconéctala allí primero. No se cambió nada.
stop-log-in-first = Ya existe una cuenta con la misma dirección de correo electrónico. Por tu seguridad, no unimos cuentas solo por el correo electrónico: inicia sesión en esa cuenta con su contraseña y luego conecta { $provider } desde la página de tu cuenta.
stop-registration-closed = No hay ninguna cuenta para este inicio de sesión y aquí el registro está cerrado.
stop-register-first = Todavía no hay ninguna cuenta para este inicio de sesión: primero crea una en la página de registro y luego conecta este proveedor para activarla.
stop-no-accounts-from-sign-ins = Este servidor no crea cuentas a partir de inicios de sesión: pide una cuenta a un administrador y luego conecta este proveedor a ella.
stop-username-taken = Otra cuenta ya tiene el nombre de usuario que obtendría este inicio de sesión: pide a un administrador que conecte este proveedor a tu cuenta.

## Llaves de acceso
passkey-unavailable = Las llaves de acceso no están disponibles en este servidor (su dirección no es un nombre de dominio).
passkey-expired = Esta solicitud de llave de acceso caducó o ya se usó. Inténtalo de nuevo.
passkey-invalid = No se aceptó la respuesta de la llave de acceso ({ $reason }). Inténtalo de nuevo.
passkey-already-registered = Esta llave de acceso ya está registrada.
passkey-unknown = Esta llave de acceso no está registrada en ninguna cuenta de aquí. Inicia sesión de otra forma.
passkey-wrong-account = Esta llave de acceso pertenece a otra cuenta. Usa una de tus propias llaves de acceso.

## Registro (continuación)
register-email-taken = Ya existe una cuenta con esa dirección de correo electrónico. Inicia sesión o restablece su contraseña.
register-username-taken = Ese nombre de usuario ya está en uso o se parece demasiado a uno que lo está; elige otro.

## Segundos factores
passkey-add-reauth = Por tu seguridad, confirma que eres tú antes de añadir una llave de acceso: vuelve a iniciar sesión y luego añádela.
mfa-turned-off = Los segundos factores están desactivados en este servidor (security.mfa: off).
totp-already-title = Aplicación de autenticación
totp-already = Ya hay una aplicación de autenticación configurada en tu cuenta. Para usar otra, primero quita la actual.
totp-qr-label = Código QR para tu aplicación de autenticación
code-too-long = Ese código es demasiado largo.
codes-file-title = Códigos de recuperación de { $username } en { $site }
codes-file-explain = Cada código funciona una sola vez. Guárdalos en un lugar seguro.
not-changed-title = Sin cambios
factors-need-password = Para cambiar tus segundos factores, escribe tu contraseña actual.
factors-need-sign-in = Para cambiar tus segundos factores, primero vuelve a iniciar sesión y luego cámbialos en unos minutos.
totp-removed = Tu aplicación de autenticación ya no sirve para iniciar sesión. Puedes volver a configurar una aquí.
passkey-removed = Esa llave de acceso ya no sirve para iniciar sesión.
passkey-not-yours = Esa llave de acceso no es tuya (puede que ya se haya quitado).
