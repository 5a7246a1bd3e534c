# Textos de los correos de Tessera, en español: los asuntos y cuerpos de los correos de la cuenta
# (templates/email/*.txt y *.html). Un correo se escribe en el idioma de la página que lo
# provocó. Para traductores: mantener los { $placeholders } tal como están; se rellenan al
# enviar el correo. Usados por muchos correos:
#   $name       el nombre de la persona (nombre y apellido o, si no, el nombre de usuario)
#   $valid_for  cuánto tiempo funciona un enlace: una de las duraciones de abajo («3 días»)
#   $site       la dirección de la página de la cuenta de la persona
# Los asuntos ocupan una línea, sin punto final.

## Duraciones, como $valid_for en «El enlace… caduca en 3 días.»

duration-minutes = { $count ->
    [one] { $count } minuto
   *[other] { $count } minutos
}
duration-hours = { $count ->
    [one] { $count } hora
   *[other] { $count } horas
}
duration-days = { $count ->
    [one] { $count } día
   *[other] { $count } días
}

## Líneas que tienen todos los correos

# La primera línea de cada correo.
mail-greeting = Hola, { $name }:
# La última línea de la parte HTML de un correo, en letra pequeña. $instance: el nombre de este
# servicio de inicio de sesión, tal como lo configuró el operador.
mail-footer = Este correo lo envió { $instance }.
# El texto de un enlace a la página de la cuenta de la persona (parte HTML).
mail-account-page = La página de tu cuenta
# El mismo enlace en la parte de texto sin formato, donde le sigue la propia dirección.
mail-account-page-at = La página de tu cuenta: { $site }

## Confirmar la dirección de una cuenta nueva

mail-confirm-subject = Confirma tu dirección de correo electrónico
# Le sigue el enlace.
mail-confirm-open-link = Confirma tu dirección de correo electrónico abriendo este enlace:
# El texto del enlace.
mail-confirm-action = Confirmar mi dirección
mail-confirm-expiry = El enlace funciona una sola vez y caduca en { $valid_for }. Si no creaste ninguna cuenta, ignora este correo.

## Confirmar una dirección nueva para una cuenta existente (se envía a la dirección nueva)

mail-change-confirm-subject = Confirma tu nueva dirección de correo electrónico
# $username: el nombre de inicio de sesión de la cuenta; $address: la dirección nueva, que recibe
# este correo. Le sigue el enlace.
mail-change-confirm-asked = Alguien con la sesión iniciada en la cuenta «{ $username }» pidió usar esta dirección ({ $address }) para ella. Para confirmarlo, abre este enlace:
# El texto del enlace.
mail-change-confirm-action = Confirmar esta dirección
mail-change-confirm-expiry = Hasta que lo hagas, la cuenta conserva su dirección actual. El enlace funciona una sola vez y caduca en { $valid_for }. Si no lo pediste, ignora este correo: no cambiará nada.

## Avisar a la dirección anterior de que se está cambiando la dirección de la cuenta

mail-change-notice-subject = Se está cambiando tu dirección de correo electrónico
# $username: el nombre de inicio de sesión de la cuenta; $new_address: la dirección solicitada.
mail-change-notice-asked = Alguien con la sesión iniciada en tu cuenta «{ $username }» pidió cambiar su dirección de correo electrónico a { $new_address }. Esta dirección seguirá siendo la de la cuenta hasta que se confirme la nueva.
# Le sigue el enlace.
mail-change-notice-undo = Si no fuiste tú, abre este enlace para cancelar el cambio (o para deshacerlo, si ya se confirmó; eso también cierra la sesión en todos los navegadores):
# El texto del enlace.
mail-change-notice-action = Cancelar el cambio
mail-change-notice-expiry = El enlace funciona una sola vez y caduca en { $valid_for }. Después de usarlo, cambia tu contraseña.

## Enlace para restablecer la contraseña

mail-reset-subject = Restablece tu contraseña
# Le sigue el enlace.
mail-reset-asked = Alguien pidió restablecer la contraseña de tu cuenta. Para elegir una nueva, abre este enlace:
# El texto del enlace.
mail-reset-action = Elegir una nueva contraseña
mail-reset-expiry = El enlace funciona una sola vez, caduca en { $valid_for } y deja de funcionar si cambia tu contraseña. Si no fuiste tú, ignora este correo: tu contraseña seguirá igual.

## Bienvenida, cuando la cuenta está lista

mail-welcome-subject = Te damos la bienvenida
# Le sigue un enlace a la página de la cuenta.
mail-welcome-ready = ¡Te damos la bienvenida! Tu cuenta está lista. Puedes gestionarla en la página de tu cuenta.

## Seguimiento, unos días después del registro

mail-followup-subject = ¿Qué tal te va?
# Le sigue un enlace a la página de la cuenta.
mail-followup-asking = Te registraste hace unos días: ¿te funciona todo bien? La página de tu cuenta está siempre a tu disposición.

## Alguien intentó registrarse con una dirección que ya tiene cuenta (se envía a esa dirección)

mail-registration-attempt-subject = Alguien intentó registrarse con tu dirección
mail-registration-attempt-what = Alguien, quizá tú, intentó crear una cuenta nueva con esta dirección de correo electrónico. Ya tienes una cuenta con ella, así que no se creó ninguna cuenta nueva.
# { login-forgot-password } es el enlace de la página de inicio de sesión («¿Olvidaste tu
# contraseña?»), en el mismo idioma: mantener la referencia tal como está.
mail-registration-attempt-if-you = Si fuiste tú, inicia sesión con la cuenta que ya tienes. Si olvidaste tu contraseña, usa «{ login-forgot-password }» en la página de inicio de sesión.
mail-registration-attempt-not-you = Si no fuiste tú, puedes ignorar este correo: no se cambió nada.

## Aviso de seguridad: se usó un código de recuperación para iniciar sesión

mail-recovery-code-used-subject = Se usó un código de recuperación para iniciar sesión
mail-recovery-code-used-what = Se acaba de usar uno de tus códigos de recuperación para iniciar sesión en tu cuenta. Si fuiste tú, no tienes que hacer nada; cada código funciona una sola vez.
# Le sigue un enlace a la página de la cuenta.
mail-recovery-code-used-not-you = Si no fuiste tú, alguien tiene tu contraseña y un código de recuperación: cambia tu contraseña y genera nuevos códigos de recuperación en la página de tu cuenta.

## Aviso de seguridad: un administrador quitó los segundos factores de la cuenta

mail-factors-reset-subject = Se quitaron tus segundos factores
# Le sigue un enlace a la página de la cuenta.
mail-factors-reset-what = Un administrador quitó los segundos factores de tu cuenta (aplicación de autenticación, llaves de acceso y códigos de recuperación) y cerró tu sesión en todas partes. Inicia sesión con tu contraseña y vuelve a configurar un segundo factor en la página de tu cuenta.
mail-factors-reset-not-you = Si no lo pediste, ponte en contacto con tu administrador.

## Aviso de seguridad: se añadió un segundo factor

mail-factor-added-subject = Se añadió un segundo factor a tu cuenta
mail-factor-added-what = Se acaba de añadir un segundo factor (una aplicación de autenticación o una llave de acceso) a tu cuenta. Si fuiste tú, no tienes que hacer nada.
# Le sigue un enlace a la página de la cuenta.
mail-factor-added-not-you = Si no fuiste tú, alguien puede iniciar sesión en tu nombre: cambia tu contraseña y quita ese factor en la página de tu cuenta, o pide ayuda a tu administrador.

## Aviso de seguridad: se quitó un segundo factor

mail-factor-removed-subject = Se quitó un segundo factor de tu cuenta
mail-factor-removed-what = Se acaba de quitar un segundo factor (una aplicación de autenticación o una llave de acceso) de tu cuenta. Si fuiste tú, no tienes que hacer nada.
# Le sigue un enlace a la página de la cuenta.
mail-factor-removed-not-you = Si no fuiste tú, cambia tu contraseña y revisa tus segundos factores en la página de tu cuenta.
