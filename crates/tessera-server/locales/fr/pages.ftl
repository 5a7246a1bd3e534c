# Textes des pages de Tessera, en français (mêmes identifiants que la référence anglaise).
# Translators: keep { $placeholders } as they are; text in {"…"} is literal.

language-name = Français
date-format = { $day } { $month } { $year }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Toutes les pages
skip-to-content = Aller au contenu
nav-label = Compte
nav-account = Compte
nav-log-out = Se déconnecter
nav-log-in = Se connecter
nav-register = S'inscrire
footer-links-label = Liens
footer-privacy = Confidentialité
footer-terms = Conditions d'utilisation
footer-help = Aide
language-label = Langue
language-change = Changer
cancel = Annuler
continue = Continuer
save = Enregistrer
remove = Supprimer
yes = oui
no = non
back-to-login = Retour à la connexion
field-email = Adresse e-mail
field-first-name = Prénom
field-last-name = Nom
field-current-password = Mot de passe actuel
field-new-password = Nouveau mot de passe
field-new-password-again = Confirmez le nouveau mot de passe
password-hint = Au moins { $min } caractères.
connect-provider = Associer { $provider }

## Connexion
login-title = Connexion
login-resend-confirmation = Renvoyer le lien de confirmation
login-username-or-email = Nom d'utilisateur ou adresse e-mail
login-password = Mot de passe
login-submit = Se connecter
login-passkey = Se connecter avec une clé d'accès
login-or = ou
login-with = Se connecter avec { $provider }
login-forgot-password = Mot de passe oublié ?
login-create-account = Créer un compte

## Inscription
register-title = Créer un compte
register-username = Nom d'utilisateur
register-first-name = Prénom (facultatif)
register-last-name = Nom (facultatif)
register-submit = Créer le compte
register-have-account = Vous avez déjà un compte ? Connectez-vous

## Mots de passe
password-change-title = Modifier votre mot de passe
password-change-submit = Modifier le mot de passe
reset-title = Réinitialiser votre mot de passe
reset-lead = Saisissez votre nom d'utilisateur ou votre adresse e-mail : nous vous enverrons par e-mail un lien pour choisir un nouveau mot de passe.
reset-submit = M'envoyer un lien
reset-form-title = Choisissez un nouveau mot de passe
reset-form-submit = Enregistrer le mot de passe

## Déconnexion
logout-title = Se déconnecter
logout-question = Se déconnecter de ce navigateur ? Les applications utilisées ici avec ce compte en seront aussi informées.
logout-submit = Se déconnecter

## Personnel
admin-title = Comptes
admin-username = Nom d'utilisateur
admin-active = Actif
admin-staff = Personnel
admin-joined = Inscription
admin-unconfirmed = (non confirmée)

## Redirection vers le service d'assistance
remote-auth-title = Connexion en cours…
remote-auth-noscript = JavaScript est désactivé : appuyez sur le bouton pour continuer vers { $target }.
remote-auth-continue = Continuer vers { $target }

## Consentement
consent-title = Autoriser { $app } ?
consent-lead = { $app } demande à utiliser votre compte ({ $username }). Cette application pourra :
consent-allow = Autoriser
consent-deny = Refuser
consent-withdraw = Vous pourrez retirer cette autorisation plus tard sur la page de votre compte.
scope-openid = Savoir que c'est bien vous (un identifiant stable, pas votre mot de passe)
scope-profile = Votre nom et votre nom d'utilisateur
scope-email = Votre adresse e-mail, et si elle est confirmée
scope-groups = Les groupes dont vous faites partie
scope-offline_access = Garder l'accès quand vous n'êtes pas là
scope-contacts = Voir lesquelles des personnes que vous connaissez via vos comptes associés l'utilisent aussi
scope-other = Autres accès

## Activation (inscription hybride)
activate-title = Encore une étape
activate-lead = Votre compte est créé. Pour l'activer, associez l'un de ces comptes (cela prouve que vous êtes une vraie personne et vous permettra ensuite de vous connecter avec) :
activate-mail-sent = Nous avons également envoyé un lien de confirmation à votre adresse e-mail.

## Deuxième étape
second-step-title = Deuxième étape
second-step-heading = Encore une étape
second-step-totp-label = Le code de votre application d'authentification
second-step-recovery-label = Un code de récupération
second-step-recovery-hint = Vous n'avez pas accès à votre application ? Saisissez plutôt l'un de vos codes de récupération.
second-step-passkey = Utiliser une clé d'accès
second-step-someone-else = Se connecter avec un autre compte

## Configuration de l'application d'authentification
totp-title = Configurer une application d'authentification
totp-step-open = Ouvrez une application d'authentification sur votre téléphone (par exemple Aegis, Google Authenticator, 1Password ou Microsoft Authenticator) et ajoutez un compte.
totp-step-scan = Scannez ce code QR avec l'application :
totp-cannot-scan = Impossible de scanner ? Saisissez plutôt ceci
totp-secret-key = Clé secrète :
totp-open-link = Ou ouvrez ce lien sur l'appareil où se trouve l'application :
totp-kind = Basé sur l'heure, 6 chiffres, toutes les 30 secondes.
totp-step-enter = Saisissez le code à six chiffres que l'application affiche en ce moment :
totp-code-label = Code de l'application
totp-submit = Activer
codes-title = Vos codes de récupération
codes-app-on = Votre application d'authentification est activée : désormais, vous vous connectez avec votre mot de passe et un code de l'application.
codes-explain = Si vous perdez votre téléphone, chacun de ces codes vous permet de vous connecter une fois, à la place d'un code de l'application. Enregistrez-les dès maintenant en lieu sûr :
codes-only-once = ils ne sont affichés que cette fois-ci.
codes-download = Les télécharger dans un fichier texte
codes-saved = Je les ai enregistrés, continuer

## Page du compte
account-title = Votre compte
account-signed-in-as = Session ouverte en tant que { $username }
account-not-confirmed = pas encore confirmée
account-profile = Profil
account-pending-email = En attente de confirmation : { $address } deviendra votre adresse dès que vous aurez ouvert le lien que nous y avons envoyé.
account-cancel-change = Annuler cette modification
account-password-for-email = Mot de passe actuel (nécessaire uniquement pour modifier votre adresse e-mail)
account-reauth-for-email = Pour modifier votre adresse e-mail, reconnectez-vous d'abord ; la modification doit ensuite être faite dans les minutes qui suivent.
account-password = Mot de passe
account-change-password = Modifier votre mot de passe
account-no-password = Votre compte n'a pas de mot de passe : vous vous connectez avec un compte associé ou une clé d'accès.
account-set-password = Définir un mot de passe
account-providers = Fournisseurs de connexion associés
account-provider-as = en tant que { $name }
account-since = depuis le { $date }
account-disconnect = Dissocier
account-no-providers = Aucun autre compte n'est associé.
account-apps = Applications ayant accès
account-remove-access = Retirer l'accès
account-first-party = Fait partie de ce service
account-no-apps = Aucune application n'a accès à votre compte.
account-people = Personnes que vous connaissez peut-être
account-all-accounts = Tous les comptes (personnel)
mfa-title = Seconds facteurs
mfa-app = Application d'authentification
mfa-app-on = Activée : la connexion demande un code de votre application.
mfa-app-remove = Supprimer l'application d'authentification
mfa-app-off = Désactivée.
mfa-app-set-up = Configurer une application d'authentification
mfa-codes = Codes de récupération
mfa-codes-left = { $count ->
    [one] Il vous reste { $count } code de récupération inutilisé.
   *[other] Il vous reste { $count } codes de récupération inutilisés.
}
mfa-codes-new = Générer de nouveaux codes de récupération
mfa-passkeys = Clés d'accès
mfa-passkey-added = ajoutée le { $date }
mfa-passkey-used = dernière utilisation le { $date }
mfa-no-passkey = Aucune clé d'accès pour l'instant. Une clé d'accès vous connecte grâce au verrouillage d'écran de votre appareil, sans mot de passe.
mfa-passkey-name = Nom de la nouvelle clé d'accès
mfa-passkey-name-example = Mon ordinateur portable
mfa-passkey-add = Ajouter une clé d'accès
mfa-passkeys-need-domain = Les clés d'accès nécessitent que ce serveur soit joignable par un nom de domaine.
