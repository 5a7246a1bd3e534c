# messages
language-unknown = Il n'existe pas de traduction « { $lang } » ; choisissez l'une des langues de la liste.

## Pages d'erreur
error-upstream-title = La connexion n'a pas abouti
error-upstream-cancelled = Vous avez annulé la connexion avec { $provider }. Rien n'a été modifié.
error-upstream-unavailable = { $provider } ne répond pas pour le moment. Veuillez réessayer dans un instant.
error-upstream-refused = { $provider } n'a pas permis de vous connecter ({ $reason }). Veuillez recommencer.
error-bad-request-title = Cela n'a pas fonctionné
error-back-to-login = Retour à la page de connexion
error-forbidden-title = Accès refusé
error-csrf-title = Ce formulaire a expiré
error-csrf = Le jeton de sécurité du formulaire était absent, ou le formulaire provenait d'un autre site. Revenez en arrière, rechargez la page et réessayez.
error-method-title = Impossible ici
error-method = Cette adresse n'accepte pas ce type de requête.
error-not-found-title = Page introuvable
error-not-found = Il n'y a rien à cette adresse.
error-throttled-title = Trop de tentatives
error-unavailable-title = Temporairement indisponible
error-unavailable = Le service ne parvient pas à joindre sa base de données pour le moment. Rien n'a été modifié ; veuillez réessayer dans un instant.
error-internal-title = Une erreur s'est produite
error-internal = Une erreur inattendue s'est produite de notre côté et a été enregistrée. Veuillez réessayer.

## Problèmes dans la saisie
problem-username-empty = Saisissez un nom d'utilisateur.
problem-username-too-long = Les noms d'utilisateur ne peuvent pas dépasser { $max } caractères.
problem-username-characters = Les noms d'utilisateur ne peuvent contenir que des lettres, des chiffres et @ . + - _
problem-email-empty = Saisissez une adresse e-mail.
problem-email-too-long = Les adresses e-mail ne peuvent pas dépasser { $max } caractères.
problem-email-invalid = Saisissez une adresse e-mail valide, par exemple nom@example.com.
problem-password-too-short = Utilisez au moins { $min } caractères pour votre mot de passe.
problem-password-too-long = Les mots de passe ne peuvent pas dépasser { $max } caractères.
problem-password-is-username = Votre mot de passe ne doit pas être votre nom d'utilisateur.
problem-password-is-email = Votre mot de passe ne doit pas être votre adresse e-mail.
problem-password-only-digits = Votre mot de passe ne doit pas être composé uniquement de chiffres.
problem-password-common = Ce mot de passe fait partie des plus courants ; choisissez-en un autre.
problem-passwords-differ = Les deux mots de passe sont différents ; saisissez deux fois le même mot de passe.
problem-names-too-long = Les noms ne peuvent pas dépasser { $max } caractères.
problem-field-first-name = prénom
problem-field-last-name = nom
problem-field-email = adresse e-mail
# $kind is one of: line-break, nul, direction, control; $code is e.g. U+000A.
# $field is one of problem-field-* above (shown here in quotes, to avoid gender agreement).
problem-unsafe-text = Le champ « { $field } » contient { $kind ->
    [line-break] un saut de ligne
    [nul] un caractère NUL
    [direction] un caractère de contrôle du sens du texte
   *[control] un caractère de contrôle
} ({ $code }) ; supprimez-le et réessayez.

## Connexion
login-too-long = Ce nom d'utilisateur ou ce mot de passe est trop long.
login-wrong = Nom d'utilisateur ou mot de passe incorrect.
login-disabled = Ce compte est désactivé. Contactez un administrateur.
login-unconfirmed = Veuillez d'abord confirmer votre adresse e-mail : ouvrez le lien que nous vous avons envoyé, ou demandez-en un nouveau ci-dessous.

## Inscription
register-closed-social = Les nouveaux comptes sont créés en se connectant avec l'un des fournisseurs proposés sur la page de connexion.
register-closed-admin = Sur ce serveur, les nouveaux comptes sont créés par un administrateur.
register-closed-title = Les inscriptions sont fermées
link-log-in = Se connecter
register-check-mail-title = Consultez vos e-mails
register-check-mail = Nous avons envoyé un e-mail à votre adresse. Ouvrez le lien qu'il contient pour confirmer l'adresse, puis connectez-vous.
register-far-too-long = Un champ est beaucoup trop long ; raccourcissez-le et réessayez.

## Réinitialisation du mot de passe
reset-sent-title = Consultez vos e-mails
reset-sent = Si un compte existe avec ce nom d'utilisateur ou cette adresse e-mail, nous avons envoyé un lien à son adresse e-mail. Il expire bientôt ; consultez vos e-mails.
reset-dead-link-title = Ce lien ne fonctionne plus
reset-dead-link = Les liens de réinitialisation du mot de passe ne servent qu'une fois, expirent et cessent de fonctionner dès que le mot de passe change. Demandez-en un nouveau.
reset-ask-again = Demander un nouveau lien
password-far-too-long = Ce mot de passe est beaucoup trop long.
reset-done = Votre nouveau mot de passe est enregistré et toutes les sessions ont été fermées. Connectez-vous dès maintenant avec celui-ci.
reset-done-title = Mot de passe modifié

## Déconnexion
logout-mismatched-app = La demande de déconnexion désigne une application, mais contient le jeton d'identité (ID token) d'une autre application. Votre session n'a pas changé.
logout-done-title = Déconnexion effectuée
logout-not-signed-in = Vous n'avez pas de session ouverte.
logout-done = Votre session est fermée sur ce navigateur.
logout-log-in-again = Se reconnecter

## Demandes de connexion des applications
authorize-unusable = La demande de connexion de l'application est inutilisable : { $description }. Rien n'a été renvoyé à l'application ; retournez-y et réessayez, ou prévenez ses développeurs.
authorize-already-completed = Cette demande de connexion a déjà été traitée (dans un autre onglet ou par un double clic). Retournez à l'application.

## Demandes de connexion des applications (suite)
authorize-expired = Cette demande de connexion a expiré ou a été lancée dans un autre navigateur. Retournez à l'application et reconnectez-vous.

## Limitation des tentatives
throttled = Trop de tentatives. Réessayez dans { $wait }.
wait-seconds =
    { $count ->
        [one] { $count } seconde
       *[other] { $count } secondes
    }
wait-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }

## Confirmation de l'adresse e-mail
confirm-done = Merci : votre adresse { $address } est confirmée.
link-your-account = Votre compte
confirm-done-title = Adresse e-mail confirmée
confirm-taken-title = Cette adresse appartient à un autre compte
confirm-taken = Un autre compte a confirmé cette adresse en premier ; elle ne peut donc pas être utilisée pour celui-ci. Connectez-vous au compte qui la possède, ou choisissez une autre adresse.
link-dead-title = Ce lien ne fonctionne plus
confirm-dead-link = Les liens de confirmation ne servent qu'une fois, expirent, et ne valent que pour l'adresse à laquelle ils ont été envoyés. Connectez-vous pour en demander un nouveau.
link-reset-password = Réinitialiser votre mot de passe
undo-cancelled-title = Modification annulée
undo-cancelled = Le changement d'adresse est annulé : votre compte conserve cette adresse. Si vous n'avez pas demandé ce changement, modifiez votre mot de passe dès maintenant.
undo-reverted-title = Ancienne adresse rétablie
undo-reverted = Votre compte utilise de nouveau cette adresse, tous les navigateurs ont été déconnectés et les applications devront redemander l'accès. Réinitialisez votre mot de passe dès maintenant : quelqu'un d'autre le connaît peut-être.
undo-taken-title = Cette adresse appartient désormais à un autre compte
undo-taken = La modification ne peut pas être annulée, car un autre compte a entre-temps confirmé cette adresse. Contactez un administrateur.
undo-dead-link = Les liens de ce type ne servent qu'une fois et expirent.
resend-done-title = Consultez vos e-mails
resend-done = Si ce compte attend une confirmation, un nouveau lien est en route.

## Connexion via un fournisseur externe
activation-expired = Ce lien d'activation a expiré. Connectez-vous ou inscrivez-vous à nouveau.
upstream-expired-title = Cette connexion a expiré
upstream-expired = Cette connexion n'a pas été lancée dans ce navigateur, a déjà été utilisée ou a pris trop de temps. Veuillez recommencer.
upstream-stopped-title = Connexion interrompue
disconnect-only-way-title = Non dissocié
disconnect-only-way = C'est votre seul moyen de vous connecter. Définissez d'abord un mot de passe (sur la page de votre compte) ou associez un autre fournisseur.
link-back-to-account = Retour à votre compte

## Preuve de l'adresse
removed-sign-ins = Ces moyens de connexion avaient été associés avant que quiconque ait prouvé posséder cette adresse ; ils ont donc été supprimés : { $names }. Associez-les à nouveau depuis la page de votre compte s'ils vous appartiennent.
ended-sessions =
    { $count ->
        [one] { $count } autre navigateur connecté a été déconnecté.
       *[other] { $count } autres navigateurs connectés ont été déconnectés.
    }

## Formulaires
form-wrong-type = Envoyez ce formulaire au format application/x-www-form-urlencoded (un formulaire HTML normal).
form-unreadable = Le formulaire n'a pas pu être lu ({ $reason }). Rechargez la page et réessayez.

## Connexion au service d'assistance
helpdesk-no-timestamp = Le service d'assistance n'a pas envoyé d'horodatage. Lancez la connexion depuis le lien de connexion du service d'assistance.
helpdesk-not-seconds = Le service d'assistance a envoyé un horodatage qui n'est pas un nombre de secondes. Relancez la connexion depuis le service d'assistance.
helpdesk-out-of-date = Le lien de connexion du service d'assistance n'est plus valide : { $reason }.
helpdesk-not-allowed = Votre compte n'est pas autorisé à se connecter à { $target }. Adressez-vous à un administrateur si vous avez besoin d'un accès.
helpdesk-needs-email = Le service d'assistance a besoin d'une adresse e-mail confirmée : ajoutez-en une ou confirmez-la sur la page de votre compte, puis réessayez.
helpdesk-refused-title = Impossible de vous connecter au service d'assistance
helpdesk-refused = La connexion à { $target } n'a pas été effectuée : { $reason }.
helpdesk-no-reason = Le service d'assistance n'a pas indiqué pourquoi.
helpdesk-error-title = Le service d'assistance n'a pas pu vous connecter
helpdesk-signed-out-both = Vos sessions sur le service d'assistance et sur ce service sont fermées.
helpdesk-signed-out = Votre session sur le service d'assistance est fermée.
helpdesk-signed-out-title = Déconnexion effectuée

## Page du compte
email-change-needs-password = Pour modifier votre adresse e-mail, saisissez votre mot de passe actuel.
email-change-needs-sign-in = Pour modifier votre adresse e-mail, reconnectez-vous d'abord (déconnectez-vous, puis connectez-vous avec votre fournisseur) et effectuez la modification dans les { $minutes } minutes.
email-taken = Un autre compte utilise déjà cette adresse e-mail.
saved = Enregistré.
email-change-sent = Enregistré. Nous avons envoyé un lien de confirmation à { $new } ; tant que vous ne l'avez pas ouvert, votre adresse reste { $old }.
email-change-sent-first = Enregistré. Nous avons envoyé un lien de confirmation à { $new } ; l'adresse sera la vôtre dès que vous l'aurez ouvert.
email-change-cancelled = Le changement d'adresse est annulé ; son lien de confirmation ne fonctionne plus.
email-change-none = Il n'y avait aucun changement d'adresse à annuler.
password-wrong-current = Votre mot de passe actuel est incorrect.
password-changed = Votre mot de passe a été modifié. Les autres sessions ont été fermées.
app-access-removed = Accès retiré : les jetons de l'application ne fonctionnent plus, et elle devra redemander l'accès.
app-no-access = Cette application n'avait pas d'accès.
staff-only = Cette page est réservée aux comptes du personnel.

## Deuxième étape
second-step-enter-code = Saisissez le code de votre application d'authentification, ou un code de récupération.
second-step-expired-title = Reconnectez-vous
second-step-expired = Cette connexion a expiré ou a été terminée dans un autre onglet. Reconnectez-vous.
link-sign-in = Se connecter

## Refus de connexion via un fournisseur externe
stop-linked-elsewhere = Ce compte { $provider } est déjà associé à un autre compte ici. Connectez-vous à ce compte pour l'utiliser, ou commencez par l'en dissocier. Rien n'a été modifié.
stop-log-in-first = Un compte avec la même adresse e-mail existe déjà. Pour votre sécurité, nous ne relions pas des comptes sur la seule base de l'adresse e-mail : connectez-vous à ce compte avec son mot de passe, puis associez { $provider } depuis la page de votre compte.
stop-registration-closed = Aucun compte ne correspond à cette connexion, et les inscriptions sont fermées ici.
stop-register-first = Aucun compte ne correspond encore à cette connexion : créez-en d'abord un sur la page d'inscription, puis associez ce fournisseur pour l'activer.
stop-no-accounts-from-sign-ins = Ce serveur ne crée pas de comptes à partir des connexions : demandez un compte à un administrateur, puis associez-y ce fournisseur.
stop-username-taken = Un autre compte possède déjà le nom d'utilisateur que cette connexion obtiendrait : demandez à un administrateur d'associer ce fournisseur à votre compte.

## Clés d'accès
passkey-unavailable = Les clés d'accès ne sont pas disponibles sur ce serveur (son adresse n'est pas un nom de domaine).
passkey-expired = Cette demande de clé d'accès a expiré ou a déjà été utilisée. Réessayez.
passkey-invalid = La réponse de la clé d'accès n'a pas été acceptée ({ $reason }). Réessayez.
passkey-already-registered = Cette clé d'accès est déjà enregistrée.
passkey-unknown = Cette clé d'accès n'est enregistrée pour aucun compte ici. Connectez-vous d'une autre manière.
passkey-wrong-account = Cette clé d'accès appartient à un autre compte. Utilisez l'une de vos propres clés d'accès.

## Inscription (suite)
register-email-taken = Un compte avec cette adresse e-mail existe déjà. Connectez-vous, ou réinitialisez son mot de passe.
register-username-taken = Ce nom d'utilisateur est déjà pris, ou ressemble trop à un nom existant ; choisissez-en un autre.

## Seconds facteurs
passkey-add-reauth = Pour votre sécurité, confirmez votre identité avant d'ajouter une clé d'accès : reconnectez-vous, puis ajoutez-la.
mfa-turned-off = Les seconds facteurs sont désactivés sur ce serveur (security.mfa: off).
totp-already-title = Application d'authentification
totp-already = Une application d'authentification est déjà configurée pour votre compte. Pour en utiliser une autre, supprimez d'abord celle-ci.
totp-qr-label = Code QR pour votre application d'authentification
code-too-long = Ce code est trop long.
codes-file-title = Codes de récupération de { $username } sur { $site }
codes-file-explain = Chaque code ne sert qu'une fois. Conservez-les en lieu sûr.
not-changed-title = Aucune modification
factors-need-password = Pour modifier vos seconds facteurs, saisissez votre mot de passe actuel.
factors-need-sign-in = Pour modifier vos seconds facteurs, reconnectez-vous d'abord, puis modifiez-les dans les minutes qui suivent.
totp-removed = Votre application d'authentification ne permet plus de vous connecter. Vous pouvez en configurer une à nouveau ici.
passkey-removed = Cette clé d'accès ne permet plus de vous connecter.
passkey-not-yours = Cette clé d'accès ne fait pas partie des vôtres (elle a peut-être déjà été supprimée).
