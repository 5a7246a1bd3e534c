# Textes des e-mails de Tessera, en français (mêmes identifiants que la référence anglaise) :
# objets et corps des e-mails du compte (templates/email/*.txt et *.html). Un e-mail est rédigé
# dans la langue de la page qui l'a déclenché.
# Translators: keep { $placeholders } as they are; they are filled in when the mail is sent.
#   $name       le nom de la personne (prénom et nom, sinon le nom d'utilisateur)
#   $valid_for  la durée de validité d'un lien : l'une des durées ci-dessous (« 3 jours »)
#   $site       l'adresse de la page du compte de la personne
# Les objets tiennent sur une ligne, sans point final.

## Durées, pour $valid_for dans « Ce lien … expire dans 3 jours. »

duration-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
duration-hours = { $count ->
    [one] { $count } heure
   *[other] { $count } heures
}
duration-days = { $count ->
    [one] { $count } jour
   *[other] { $count } jours
}

## Lignes communes à tous les e-mails

# La première ligne de chaque e-mail.
mail-greeting = Bonjour { $name },
# La dernière ligne de la partie HTML, en petits caractères. $instance : le nom de ce service
# de connexion, tel que configuré par l'opérateur.
mail-footer = Cet e-mail a été envoyé par { $instance }.
# Le texte d'un lien vers la page du compte (partie HTML).
mail-account-page = La page de votre compte
# Le même lien dans la partie texte brut, suivi de l'adresse elle-même.
mail-account-page-at = La page de votre compte : { $site }

## Confirmation de l'adresse d'un nouveau compte

mail-confirm-subject = Confirmez votre adresse e-mail
# Suivi du lien.
mail-confirm-open-link = Veuillez confirmer votre adresse e-mail en ouvrant ce lien :
# Le texte du lien.
mail-confirm-action = Confirmer mon adresse
mail-confirm-expiry = Ce lien ne sert qu'une fois et expire dans { $valid_for }. Si vous n'avez pas créé de compte, ignorez cet e-mail.

## Confirmation d'une nouvelle adresse pour un compte existant (envoyé à la nouvelle adresse)

mail-change-confirm-subject = Confirmez votre nouvelle adresse e-mail
# $username : le nom d'utilisateur du compte ; $address : la nouvelle adresse, qui reçoit cet e-mail.
# Suivi du lien.
mail-change-confirm-asked = Une personne connectée au compte « { $username } » a demandé à utiliser cette adresse ({ $address }) pour ce compte. Pour confirmer, ouvrez ce lien :
# Le texte du lien.
mail-change-confirm-action = Confirmer cette adresse
mail-change-confirm-expiry = D'ici là, le compte conserve son adresse actuelle. Ce lien ne sert qu'une fois et expire dans { $valid_for }. Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : rien ne changera.

## Avis à l'ancienne adresse : l'adresse du compte est en cours de modification

mail-change-notice-subject = Votre adresse e-mail est en cours de modification
# $username : le nom d'utilisateur du compte ; $new_address : l'adresse demandée.
mail-change-notice-asked = Une personne connectée à votre compte « { $username } » a demandé à remplacer son adresse e-mail par { $new_address }. Cette adresse-ci reste celle du compte tant que la nouvelle n'est pas confirmée.
# Suivi du lien.
mail-change-notice-undo = Si ce n'était pas vous, ouvrez ce lien pour annuler la modification (ou, si elle a déjà été confirmée, pour rétablir l'ancienne adresse ; tous les navigateurs seront alors déconnectés) :
# Le texte du lien.
mail-change-notice-action = Annuler la modification
mail-change-notice-expiry = Ce lien ne sert qu'une fois et expire dans { $valid_for }. Après l'avoir utilisé, modifiez votre mot de passe.

## Lien de réinitialisation du mot de passe

mail-reset-subject = Réinitialisez votre mot de passe
# Suivi du lien.
mail-reset-asked = Quelqu'un a demandé la réinitialisation du mot de passe de votre compte. Pour en choisir un nouveau, ouvrez ce lien :
# Le texte du lien.
mail-reset-action = Choisir un nouveau mot de passe
mail-reset-expiry = Ce lien ne sert qu'une fois, expire dans { $valid_for } et cesse de fonctionner si votre mot de passe change. Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : votre mot de passe reste inchangé.

## Bienvenue, une fois le compte prêt

mail-welcome-subject = Bienvenue
# Suivi d'un lien vers la page du compte.
mail-welcome-ready = Bienvenue ! Votre compte est prêt. Vous pouvez le gérer sur la page de votre compte.

## Relance, quelques jours après l'inscription

mail-followup-subject = Tout se passe bien ?
# Suivi d'un lien vers la page du compte.
mail-followup-asking = Vous avez rejoint le service il y a quelques jours : tout fonctionne-t-il bien pour vous ? La page de votre compte reste à votre disposition.

## Tentative d'inscription avec une adresse qui a déjà un compte (envoyé à cette adresse)

mail-registration-attempt-subject = Tentative d'inscription avec votre adresse e-mail
mail-registration-attempt-what = Quelqu'un, peut-être vous, a tenté de créer un nouveau compte avec cette adresse e-mail. Vous avez déjà un compte avec cette adresse : aucun nouveau compte n'a donc été créé.
# { login-forgot-password } est le lien de la page de connexion (« Mot de passe oublié ? »), dans la
# même langue : garder la référence telle quelle.
mail-registration-attempt-if-you = Si c'était vous, connectez-vous avec votre compte existant. Si vous avez oublié votre mot de passe, utilisez le lien « { login-forgot-password } » sur la page de connexion.
mail-registration-attempt-not-you = Si ce n'était pas vous, vous pouvez ignorer cet e-mail : rien n'a été modifié.

## Avis de sécurité : un code de récupération a servi à se connecter

mail-recovery-code-used-subject = Connexion avec un code de récupération
mail-recovery-code-used-what = L'un de vos codes de récupération vient d'être utilisé pour se connecter à votre compte. Si c'était vous, vous n'avez rien à faire ; chaque code ne sert qu'une fois.
# Suivi d'un lien vers la page du compte.
mail-recovery-code-used-not-you = Si ce n'était pas vous, quelqu'un connaît votre mot de passe et possède un code de récupération : modifiez votre mot de passe et générez de nouveaux codes de récupération sur la page de votre compte.

## Avis de sécurité : un administrateur a supprimé les seconds facteurs du compte

mail-factors-reset-subject = Vos seconds facteurs ont été supprimés
# Suivi d'un lien vers la page du compte.
mail-factors-reset-what = Un administrateur a supprimé les seconds facteurs de votre compte (application d'authentification, clés d'accès et codes de récupération) et a fermé toutes vos sessions. Connectez-vous avec votre mot de passe, puis configurez à nouveau un second facteur sur la page de votre compte.
mail-factors-reset-not-you = Si vous n'êtes pas à l'origine de cette demande, contactez votre administrateur.

## Avis de sécurité : un second facteur a été ajouté

mail-factor-added-subject = Un second facteur a été ajouté à votre compte
mail-factor-added-what = Un second facteur (une application d'authentification ou une clé d'accès) vient d'être ajouté à votre compte. Si c'était vous, vous n'avez rien à faire.
# Suivi d'un lien vers la page du compte.
mail-factor-added-not-you = Si ce n'était pas vous, quelqu'un peut se connecter à votre place : modifiez votre mot de passe et supprimez ce facteur sur la page de votre compte, ou demandez de l'aide à votre administrateur.

## Avis de sécurité : un second facteur a été supprimé

mail-factor-removed-subject = Un second facteur a été supprimé de votre compte
mail-factor-removed-what = Un second facteur (une application d'authentification ou une clé d'accès) vient d'être supprimé de votre compte. Si c'était vous, vous n'avez rien à faire.
# Suivi d'un lien vers la page du compte.
mail-factor-removed-not-you = Si ce n'était pas vous, modifiez votre mot de passe et vérifiez vos seconds facteurs sur la page de votre compte.
