# Libre-service sur la page du compte, en français (mêmes identifiants que la référence anglaise) :
# sessions, définition d'un mot de passe, copie des données du compte, suppression du compte,
# et l'e-mail qui confirme une suppression.
# Translators: keep { $placeholders } as they are.

## Appareils (navigateur et système d'une session, lus dans son User-Agent)
device-on = { $browser } sur { $platform }
device-unknown-browser = Navigateur inconnu

## Sessions actives
sessions-title = Vos sessions ouvertes
sessions-lead = Ces navigateurs et appareils sont connectés à votre compte. Déconnectez ceux que vous ne reconnaissez pas ; les applications que vous y avez utilisées seront informées de la déconnexion.
sessions-signed-in = connexion le { $date }
sessions-last-seen = dernière activité le { $date }
sessions-address-unknown = adresse inconnue
sessions-this-device = Cet appareil
sessions-sign-out = Déconnecter
sessions-sign-out-others = Déconnecter toutes les autres sessions
sessions-ended = Cette session est fermée. Les applications qui y étaient utilisées en ont été informées.
sessions-others-ended = Toutes les autres sessions sont fermées. Les applications qui y étaient utilisées en ont été informées.
sessions-no-others = Il n'y avait aucune autre session à fermer.
sessions-end-current = C'est la session que vous utilisez en ce moment. Pour la fermer, déconnectez-vous.

## Nouvelle authentification (pour définir un mot de passe et supprimer le compte)
reauth-wrong-password = Votre mot de passe actuel est incorrect.
reauth-sign-in-again = Pour cela, votre connexion doit dater de moins de { $minutes } minutes. Reconnectez-vous, puis revenez directement ici.
reauth-sign-in-again-link = Se reconnecter
reauth-too-many-seconds = Trop de tentatives. Réessayez dans { $count ->
    [one] { $count } seconde
   *[other] { $count } secondes
}.
reauth-too-many-minutes = Trop de tentatives. Réessayez dans { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}.
field-too-long = Un champ est beaucoup trop long ; raccourcissez-le et réessayez.

## Définir un mot de passe
password-set-title = Définir un mot de passe
password-set-lead = Votre compte n'a pas encore de mot de passe : vous vous connectez avec un compte associé ou une clé d'accès. Avec un mot de passe, vous pourrez aussi vous connecter avec votre nom d'utilisateur ({ $username }) et ce mot de passe.
password-set-submit = Définir le mot de passe
password-set-done = Votre mot de passe est défini : vous pouvez désormais aussi vous connecter avec votre nom d'utilisateur et votre mot de passe. Vos autres sessions ont été fermées.

## Télécharger mes données
export-title = Vos données
export-lead = Téléchargez une copie de ce que ce service conserve à votre sujet : votre profil, vos fournisseurs de connexion associés, les applications que vous avez autorisées, vos sessions, vos seconds facteurs (leurs noms et dates, jamais leurs secrets) et l'activité récente de votre compte. Le fichier est au format JSON.
export-download = Télécharger mes données

## Supprimer mon compte
delete-title = Supprimer votre compte
delete-lead = La suppression de votre compte l'efface, ainsi que tout ce qui y est rattaché. Cette action est irréversible.
delete-start = Supprimer mon compte…
delete-intro = La suppression de votre compte ({ $username }) efface, immédiatement et définitivement :
delete-removes-profile = votre profil : votre nom d'utilisateur, vos nom et prénom, votre adresse e-mail et vos appartenances à des groupes ;
delete-removes-sign-ins = tous vos moyens de connexion : votre mot de passe, vos comptes associés, votre application d'authentification, vos clés d'accès et vos codes de récupération ;
delete-removes-apps = les accès que vous avez accordés aux applications : elles ne peuvent plus utiliser votre compte, et leurs jetons cessent de fonctionner ;
delete-removes-sessions = toutes vos sessions, sur tous vos appareils : les applications que vous utilisiez avec ce compte sont informées de votre déconnexion.
delete-kept = Le journal de sécurité conserve une trace de l'existence du compte et de sa suppression.
delete-mail = Nous enverrons une confirmation à { $address }.
delete-password = Votre mot de passe actuel
delete-type-username = Saisissez votre nom d'utilisateur, { $username }, pour confirmer
delete-type-username-hint = Cela permet de s'assurer que c'est bien le bon compte qui est supprimé.
delete-submit = Supprimer définitivement mon compte
delete-wrong-username = Le nom d'utilisateur saisi n'est pas { $username }. Rien n'a été supprimé.
delete-not-deleted = Rien n'a été supprimé.

## Après la suppression
goodbye-title = Votre compte est supprimé
goodbye-message = Votre compte et tout ce qui y était rattaché ont été supprimés, et votre session est fermée. Les applications que vous utilisiez en ont été informées. Si vous nous aviez communiqué une adresse e-mail, une confirmation est en route.
goodbye-register = Créer un nouveau compte

## E-mail : le compte a été supprimé
mail-account-deleted-subject = Votre compte a été supprimé
mail-account-deleted-hello = Bonjour { $name },
mail-account-deleted-done = Votre compte { $username } a été supprimé à votre demande.
mail-account-deleted-what = Votre profil, tous vos moyens de connexion, les accès accordés aux applications et toutes vos sessions ont été supprimés, et les applications que vous utilisiez ont été informées de votre déconnexion.
mail-account-deleted-not-you = Si vous ne l'avez pas supprimé vous-même, c'est qu'une personne connaissant votre mot de passe ou ayant accès à un navigateur où votre session était ouverte l'a fait. Nous ne pouvons pas rétablir le compte, mais contactez l'administrateur de ce service.
mail-account-deleted-again = Pour revenir, créez un nouveau compte sur { $site }.
