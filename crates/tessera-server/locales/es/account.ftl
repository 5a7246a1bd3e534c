# Autoservicio en la página de la cuenta: sesiones, crear una contraseña, una copia de los datos
# de la cuenta, eliminar la cuenta y el correo que confirma una eliminación. El inglés es la referencia.
# Para traductores: mantener los { $placeholders } tal como están.

## Dispositivos (el navegador y el sistema de una sesión, leídos de su User-Agent)
device-on = { $browser } en { $platform }
device-unknown-browser = Navegador desconocido

## Sesiones activas
sessions-title = Dónde has iniciado sesión
sessions-lead = Estos navegadores y dispositivos tienen una sesión iniciada en tu cuenta. Cierra la sesión en los que no reconozcas; se avisará a las aplicaciones que usaste en ellos de que cerraste la sesión.
sessions-signed-in = sesión iniciada el { $date }
sessions-last-seen = última actividad el { $date }
sessions-address-unknown = dirección desconocida
sessions-this-device = Este dispositivo
sessions-sign-out = Cerrar sesión
sessions-sign-out-others = Cerrar todas las demás sesiones
sessions-ended = Se cerró esa sesión. Se avisó a las aplicaciones que se usaron en ella.
sessions-others-ended = Se cerraron todas las demás sesiones. Se avisó a las aplicaciones que se usaron en ellas.
sessions-no-others = No había ninguna otra sesión que cerrar.
sessions-end-current = Esta es la sesión que estás usando ahora. Para terminarla, cierra sesión.

## Reautenticación (para crear una contraseña y eliminar la cuenta)
reauth-wrong-password = Tu contraseña actual no es correcta.
reauth-sign-in-again = Para esto, tienes que haber iniciado sesión en los últimos { $minutes } minutos. Vuelve a iniciar sesión y regresa enseguida.
reauth-sign-in-again-link = Volver a iniciar sesión
reauth-too-many-seconds = Demasiados intentos. Inténtalo de nuevo en { $count ->
    [one] { $count } segundo
   *[other] { $count } segundos
}.
reauth-too-many-minutes = Demasiados intentos. Inténtalo de nuevo en { $count ->
    [one] { $count } minuto
   *[other] { $count } minutos
}.
field-too-long = Un campo es demasiado largo; acórtalo e inténtalo de nuevo.

## Crear una contraseña
password-set-title = Crea una contraseña
password-set-lead = Tu cuenta aún no tiene contraseña: inicias sesión con una cuenta conectada o con una llave de acceso. Con una contraseña también podrás iniciar sesión con tu nombre de usuario ({ $username }) y tu contraseña.
password-set-submit = Crear contraseña
password-set-done = Tu contraseña está creada: ahora también puedes iniciar sesión con tu nombre de usuario y tu contraseña. Se cerraron tus demás sesiones.

## Descargar mis datos
export-title = Tus datos
export-lead = Descarga una copia de lo que este servicio guarda sobre ti: tu perfil, los inicios de sesión conectados, las aplicaciones a las que diste permiso, tus sesiones, tus segundos factores (sus nombres y fechas, nunca sus secretos) y la actividad reciente de tu cuenta. El archivo está en formato JSON.
export-download = Descargar mis datos

## Eliminar mi cuenta
delete-title = Eliminar tu cuenta
delete-lead = Al eliminar tu cuenta, se borran la cuenta y todo lo vinculado a ella. No se puede deshacer.
delete-start = Eliminar mi cuenta…
delete-intro = Al eliminar tu cuenta ({ $username }) se borra lo siguiente, de inmediato y para siempre:
delete-removes-profile = tu perfil: tu nombre de usuario, tu nombre y apellido, tu dirección de correo electrónico y tu pertenencia a grupos;
delete-removes-sign-ins = todas las formas de iniciar sesión: tu contraseña, las cuentas conectadas, la aplicación de autenticación, las llaves de acceso y los códigos de recuperación;
delete-removes-apps = el acceso que diste a las aplicaciones: ya no podrán usar tu cuenta y sus tokens dejarán de funcionar;
delete-removes-sessions = todas las sesiones, en todos los dispositivos: se avisará a las aplicaciones en las que iniciaste sesión de que cerraste la sesión.
delete-kept = En el registro de seguridad queda constancia de que la cuenta existió y se eliminó.
delete-mail = Te enviaremos una confirmación a { $address }.
delete-password = Tu contraseña actual
delete-type-username = Escribe tu nombre de usuario, { $username }, para confirmar
delete-type-username-hint = Así nos aseguramos de eliminar la cuenta correcta.
delete-submit = Eliminar mi cuenta para siempre
delete-wrong-username = El nombre de usuario que escribiste no es { $username }. No se eliminó nada.
delete-not-deleted = No se eliminó nada.

## Después de la eliminación
goodbye-title = Se eliminó tu cuenta
goodbye-message = Tu cuenta y todo lo vinculado a ella ya no existen, y se cerró tu sesión. Se avisó a las aplicaciones que usabas. Si nos habías dado una dirección de correo electrónico, ya va en camino una confirmación.
goodbye-register = Crear una cuenta nueva

## Correo: se eliminó la cuenta
mail-account-deleted-subject = Se eliminó tu cuenta
mail-account-deleted-hello = Hola, { $name }:
mail-account-deleted-done = Eliminamos tu cuenta { $username } a petición tuya.
mail-account-deleted-what = Se borraron tu perfil, todas tus formas de iniciar sesión, el acceso que diste a las aplicaciones y todas tus sesiones, y se avisó a las aplicaciones que usabas de que cerraste la sesión.
mail-account-deleted-not-you = Si no la eliminaste tú, lo hizo alguien que conocía tu contraseña o que pudo usar tu navegador con la sesión iniciada. No podemos recuperar la cuenta, pero ponte en contacto con el administrador de este servicio.
mail-account-deleted-again = Para volver, crea una cuenta nueva en { $site }.
