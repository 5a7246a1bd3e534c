# Tessera-E-Mail-Texte, Deutsch: Betreff und Inhalt der Konto-E-Mails
# (templates/email/*.txt und *.html). Eine E-Mail wird in der Sprache der Seite verfasst, die
# sie ausgelöst hat. Übersetzer: { $placeholders } unverändert lassen; sie werden beim
# Versand ausgefüllt. Von vielen E-Mails verwendet:
#   $name       der Name der Person (Vor- und Nachname, sonst der Benutzername)
#   $valid_for  wie lange ein Link funktioniert: eine der Zeitangaben unten („3 Tage“)
#   $site       die Adresse der Kontoseite der Person
# Betreffzeilen sind einzeilig, ohne Schlusspunkt.

## Zeitangaben, als $valid_for in „Der Link … ist 3 Tage gültig.“

duration-minutes = { $count ->
    [one] { $count } Minute
   *[other] { $count } Minuten
}
duration-hours = { $count ->
    [one] { $count } Stunde
   *[other] { $count } Stunden
}
duration-days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}

## Zeilen, die jede E-Mail enthält

# Die erste Zeile jeder E-Mail.
mail-greeting = Hallo { $name },
# Die letzte Zeile des HTML-Teils einer E-Mail, im Kleingedruckten. $instance: der Name
# dieses Anmeldedienstes, wie ihn der Betreiber konfiguriert hat.
mail-footer = Diese E-Mail wurde von { $instance } gesendet.
# Der Text eines Links zur Kontoseite der Person (HTML-Teil).
mail-account-page = Ihre Kontoseite
# Derselbe Link im Nur-Text-Teil, in dem die Adresse selbst folgt.
mail-account-page-at = Ihre Kontoseite: { $site }

## Bestätigung der Adresse eines neuen Kontos

mail-confirm-subject = E-Mail-Adresse bestätigen
# Danach folgt der Link.
mail-confirm-open-link = Bitte bestätigen Sie Ihre E-Mail-Adresse, indem Sie diesen Link öffnen:
# Der Text des Links.
mail-confirm-action = Meine Adresse bestätigen
mail-confirm-expiry = Der Link funktioniert nur einmal und ist { $valid_for } gültig. Falls Sie kein Konto erstellt haben, ignorieren Sie diese E-Mail.

## Bestätigung einer neuen Adresse für ein bestehendes Konto (an die neue Adresse gesendet)

mail-change-confirm-subject = Neue E-Mail-Adresse bestätigen
# $username: der Anmeldename des Kontos; $address: die neue Adresse, die diese E-Mail erhält.
# Danach folgt der Link.
mail-change-confirm-asked = Jemand, der beim Konto „{ $username }“ angemeldet ist, möchte diese Adresse ({ $address }) dafür verwenden. Zur Bestätigung öffnen Sie diesen Link:
# Der Text des Links.
mail-change-confirm-action = Diese Adresse bestätigen
mail-change-confirm-expiry = Bis dahin behält das Konto seine bisherige Adresse. Der Link funktioniert nur einmal und ist { $valid_for } gültig. Falls Sie dies nicht angefordert haben, ignorieren Sie diese E-Mail: Es ändert sich nichts.

## Hinweis an die alte Adresse, dass die Adresse des Kontos geändert wird

mail-change-notice-subject = Ihre E-Mail-Adresse wird geändert
# $username: der Anmeldename des Kontos; $new_address: die gewünschte neue Adresse.
mail-change-notice-asked = Jemand, der bei Ihrem Konto „{ $username }“ angemeldet ist, möchte dessen E-Mail-Adresse in { $new_address } ändern. Bis die neue Adresse bestätigt ist, behält das Konto diese Adresse.
# Danach folgt der Link.
mail-change-notice-undo = Falls Sie das nicht waren, öffnen Sie diesen Link, um die Änderung abzubrechen (oder rückgängig zu machen, falls sie bereits bestätigt wurde; dabei werden auch alle Browser abgemeldet):
# Der Text des Links.
mail-change-notice-action = Änderung abbrechen
mail-change-notice-expiry = Der Link funktioniert nur einmal und ist { $valid_for } gültig. Nachdem Sie ihn geöffnet haben, ändern Sie bitte Ihr Passwort.

## Link zum Zurücksetzen des Passworts

mail-reset-subject = Passwort zurücksetzen
# Danach folgt der Link.
mail-reset-asked = Jemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen. Um ein neues festzulegen, öffnen Sie diesen Link:
# Der Text des Links.
mail-reset-action = Neues Passwort festlegen
mail-reset-expiry = Der Link funktioniert nur einmal, ist { $valid_for } gültig und verfällt, sobald Ihr Passwort geändert wird. Falls Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.

## Willkommen, sobald das Konto bereit ist

mail-welcome-subject = Willkommen
# Danach folgt ein Link zur Kontoseite.
mail-welcome-ready = Willkommen! Ihr Konto ist eingerichtet. Sie können es auf Ihrer Kontoseite verwalten.

## Nachfrage, einige Tage nach der Registrierung

mail-followup-subject = Wie läuft es bei Ihnen?
# Danach folgt ein Link zur Kontoseite.
mail-followup-asking = Sie haben sich vor ein paar Tagen registriert: Funktioniert alles? Ihre Kontoseite steht Ihnen jederzeit zur Verfügung.

## Jemand hat versucht, sich mit einer Adresse zu registrieren, zu der bereits ein Konto gehört (an diese gesendet)

mail-registration-attempt-subject = Registrierungsversuch mit Ihrer E-Mail-Adresse
mail-registration-attempt-what = Jemand, vielleicht Sie selbst, hat versucht, mit dieser E-Mail-Adresse ein neues Konto zu erstellen. Sie haben mit dieser Adresse bereits ein Konto, daher wurde kein neues angelegt.
# { login-forgot-password } ist der Link der Anmeldeseite („Passwort vergessen?“) in derselben
# Sprache: den Verweis unverändert lassen.
mail-registration-attempt-if-you = Falls Sie das waren, melden Sie sich mit Ihrem bestehenden Konto an. Falls Sie Ihr Passwort vergessen haben, verwenden Sie „{ login-forgot-password }“ auf der Anmeldeseite.
mail-registration-attempt-not-you = Falls Sie das nicht waren, können Sie diese E-Mail ignorieren: Es wurde nichts geändert.

## Sicherheitshinweis: Ein Wiederherstellungscode wurde zur Anmeldung verwendet

mail-recovery-code-used-subject = Anmeldung mit einem Wiederherstellungscode
mail-recovery-code-used-what = Soeben wurde einer Ihrer Wiederherstellungscodes verwendet, um sich bei Ihrem Konto anzumelden. Falls Sie das waren, müssen Sie nichts tun; jeder Code funktioniert nur einmal.
# Danach folgt ein Link zur Kontoseite.
mail-recovery-code-used-not-you = Falls Sie das nicht waren, kennt jemand Ihr Passwort und einen Wiederherstellungscode: Ändern Sie Ihr Passwort und erstellen Sie auf Ihrer Kontoseite neue Wiederherstellungscodes.

## Sicherheitshinweis: Ein Administrator hat die zweiten Faktoren des Kontos entfernt

mail-factors-reset-subject = Ihre zweiten Faktoren wurden entfernt
# Danach folgt ein Link zur Kontoseite.
mail-factors-reset-what = Ein Administrator hat die zweiten Faktoren Ihres Kontos (Authenticator-App, Passkeys und Wiederherstellungscodes) entfernt und Sie überall abgemeldet. Melden Sie sich mit Ihrem Passwort an und richten Sie auf Ihrer Kontoseite erneut einen zweiten Faktor ein.
mail-factors-reset-not-you = Falls Sie dies nicht angefordert haben, wenden Sie sich an Ihren Administrator.

## Sicherheitshinweis: Ein zweiter Faktor wurde hinzugefügt

mail-factor-added-subject = Ihrem Konto wurde ein zweiter Faktor hinzugefügt
mail-factor-added-what = Soeben wurde Ihrem Konto ein zweiter Faktor (eine Authenticator-App oder ein Passkey) hinzugefügt. Falls Sie das waren, müssen Sie nichts tun.
# Danach folgt ein Link zur Kontoseite.
mail-factor-added-not-you = Falls Sie das nicht waren, kann sich jemand als Sie anmelden: Ändern Sie Ihr Passwort und entfernen Sie diesen Faktor auf Ihrer Kontoseite, oder bitten Sie Ihren Administrator um Hilfe.

## Sicherheitshinweis: Ein zweiter Faktor wurde entfernt

mail-factor-removed-subject = Ein zweiter Faktor wurde von Ihrem Konto entfernt
mail-factor-removed-what = Soeben wurde ein zweiter Faktor (eine Authenticator-App oder ein Passkey) von Ihrem Konto entfernt. Falls Sie das waren, müssen Sie nichts tun.
# Danach folgt ein Link zur Kontoseite.
mail-factor-removed-not-you = Falls Sie das nicht waren, ändern Sie Ihr Passwort und prüfen Sie Ihre zweiten Faktoren auf Ihrer Kontoseite.
