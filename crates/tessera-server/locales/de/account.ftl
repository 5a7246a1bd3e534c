# Selbstverwaltung auf der Kontoseite: Sitzungen, Festlegen eines Passworts, eine Kopie der
# Kontodaten, Löschen des Kontos und die E-Mail, die eine Löschung bestätigt. Englisch ist die Referenz.
# Übersetzer: { $placeholders } unverändert lassen.

## Geräte (Browser und System einer Sitzung, aus deren User-Agent gelesen)
device-on = { $browser } auf { $platform }
device-unknown-browser = Unbekannter Browser

## Aktive Sitzungen
sessions-title = Wo Sie angemeldet sind
sessions-lead = Diese Browser und Geräte sind bei Ihrem Konto angemeldet. Melden Sie alle ab, die Sie nicht kennen; Apps, die Sie dort verwendet haben, werden über die Abmeldung benachrichtigt.
sessions-signed-in = angemeldet am { $date }
sessions-last-seen = zuletzt aktiv am { $date }
sessions-address-unknown = Adresse unbekannt
sessions-this-device = Dieses Gerät
sessions-sign-out = Abmelden
sessions-sign-out-others = Alle anderen Sitzungen abmelden
sessions-ended = Diese Sitzung wurde abgemeldet. Die darin verwendeten Apps wurden benachrichtigt.
sessions-others-ended = Alle anderen Sitzungen wurden abgemeldet. Die darin verwendeten Apps wurden benachrichtigt.
sessions-no-others = Es gab keine andere Sitzung, die abgemeldet werden könnte.
sessions-end-current = Dies ist die Sitzung, die Sie gerade verwenden. Um sie zu beenden, melden Sie sich ab.

## Erneute Anmeldung (zum Festlegen eines Passworts und zum Löschen des Kontos)
reauth-wrong-password = Ihr aktuelles Passwort ist nicht korrekt.
reauth-sign-in-again = Dafür müssen Sie sich innerhalb der letzten { $minutes } Minuten angemeldet haben. Melden Sie sich erneut an und kehren Sie dann direkt hierher zurück.
reauth-sign-in-again-link = Erneut anmelden
reauth-too-many-seconds = Zu viele Versuche. Versuchen Sie es in { $count ->
    [one] 1 Sekunde
   *[other] { $count } Sekunden
} erneut.
reauth-too-many-minutes = Zu viele Versuche. Versuchen Sie es in { $count ->
    [one] 1 Minute
   *[other] { $count } Minuten
} erneut.
field-too-long = Ein Feld ist viel zu lang; kürzen Sie es und versuchen Sie es erneut.

## Passwort festlegen
password-set-title = Passwort festlegen
password-set-lead = Ihr Konto hat noch kein Passwort: Sie melden sich mit einem verbundenen Konto oder einem Passkey an. Mit einem Passwort können Sie sich auch mit Ihrem Benutzernamen ({ $username }) und Passwort anmelden.
password-set-submit = Passwort festlegen
password-set-done = Ihr Passwort ist festgelegt: Sie können sich jetzt auch mit Ihrem Benutzernamen und Passwort anmelden. Ihre anderen Sitzungen wurden abgemeldet.

## Meine Daten herunterladen
export-title = Ihre Daten
export-lead = Laden Sie eine Kopie der Daten herunter, die dieser Dienst über Sie speichert: Ihr Profil, verbundene Anmeldedienste, die Apps, denen Sie Zugriff gewährt haben, Ihre Sitzungen, Ihre zweiten Faktoren (deren Namen und Datumsangaben, niemals deren Geheimnisse) und Ihre letzten Kontoaktivitäten. Die Datei ist im JSON-Format.
export-download = Meine Daten herunterladen

## Mein Konto löschen
delete-title = Konto löschen
delete-lead = Beim Löschen Ihres Kontos werden das Konto und alles, was damit verbunden ist, entfernt. Dies kann nicht rückgängig gemacht werden.
delete-start = Mein Konto löschen …
delete-intro = Durch das Löschen Ihres Kontos ({ $username }) wird Folgendes sofort und endgültig entfernt:
delete-removes-profile = Ihr Profil: Ihr Benutzername, Ihre Namen und Ihre E-Mail-Adresse sowie Ihre Gruppenmitgliedschaften;
delete-removes-sign-ins = alle Anmeldemöglichkeiten: Ihr Passwort, verbundene Konten, Authenticator-App, Passkeys und Wiederherstellungscodes;
delete-removes-apps = der Zugriff, den Sie Apps gewährt haben: Die Apps können Ihr Konto nicht mehr verwenden, und ihre Tokens funktionieren nicht mehr;
delete-removes-sessions = alle Sitzungen auf allen Geräten: Apps, bei denen Sie sich angemeldet haben, werden benachrichtigt, dass Sie abgemeldet sind.
delete-kept = Ein Eintrag darüber, dass das Konto existierte und gelöscht wurde, bleibt im Sicherheitsprotokoll erhalten.
delete-mail = Wir senden eine Bestätigung an { $address }.
delete-password = Ihr aktuelles Passwort
delete-type-username = Geben Sie zur Bestätigung Ihren Benutzernamen „{ $username }“ ein
delete-type-username-hint = So wird sichergestellt, dass das richtige Konto gelöscht wird.
delete-submit = Mein Konto endgültig löschen
delete-wrong-username = Der eingegebene Benutzername ist nicht „{ $username }“. Es wurde nichts gelöscht.
delete-not-deleted = Es wurde nichts gelöscht.

## Nach der Löschung
goodbye-title = Ihr Konto wurde gelöscht
goodbye-message = Ihr Konto und alles, was damit verbunden war, wurden entfernt, und Sie sind abgemeldet. Die von Ihnen verwendeten Apps wurden benachrichtigt. Falls Sie bei uns eine E-Mail-Adresse hinterlegt hatten, ist eine Bestätigung unterwegs.
goodbye-register = Neues Konto erstellen

## E-Mail: Das Konto wurde gelöscht
mail-account-deleted-subject = Ihr Konto wurde gelöscht
mail-account-deleted-hello = Hallo { $name },
mail-account-deleted-done = Ihr Konto „{ $username }“ wurde auf Ihren Wunsch gelöscht.
mail-account-deleted-what = Ihr Profil, alle Anmeldemöglichkeiten, die Zugriffe, die Sie Apps gewährt haben, und alle Ihre Sitzungen wurden entfernt, und die von Ihnen verwendeten Apps wurden benachrichtigt, dass Sie abgemeldet sind.
mail-account-deleted-not-you = Falls Sie das Konto nicht gelöscht haben, hat das jemand getan, der Ihr Passwort kannte oder Ihren angemeldeten Browser verwenden konnte. Wir können das Konto nicht wiederherstellen; wenden Sie sich aber bitte an den Administrator dieses Dienstes.
mail-account-deleted-again = Wenn Sie zurückkehren möchten, erstellen Sie unter { $site } ein neues Konto.
