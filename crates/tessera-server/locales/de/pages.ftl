# Tessera-Seitentexte, Deutsch (dieselben IDs wie die englische Referenz).
# Übersetzer: { $placeholders } unverändert lassen; Text in {"…"} ist wörtlich.

language-name = Deutsch
date-format = { $day }. { $month } { $year }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## Auf jeder Seite
skip-to-content = Zum Inhalt springen
nav-label = Konto
nav-account = Konto
nav-log-out = Abmelden
nav-log-in = Anmelden
nav-register = Registrieren
footer-links-label = Links
footer-privacy = Datenschutz
footer-terms = Nutzungsbedingungen
footer-help = Hilfe
language-label = Sprache
language-change = Ändern
cancel = Abbrechen
continue = Weiter
save = Speichern
remove = Entfernen
yes = ja
no = nein
back-to-login = Zurück zur Anmeldung
field-email = E-Mail
field-first-name = Vorname
field-last-name = Nachname
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort
field-new-password-again = Neues Passwort wiederholen
password-hint = Mindestens { $min } Zeichen.
connect-provider = { $provider } verbinden

## Anmelden
login-title = Anmelden
login-resend-confirmation = Bestätigungslink erneut senden
login-username-or-email = Benutzername oder E-Mail
login-password = Passwort
login-submit = Anmelden
login-passkey = Mit Passkey anmelden
login-or = oder
login-with = Mit { $provider } anmelden
login-forgot-password = Passwort vergessen?
login-create-account = Konto erstellen

## Registrieren
register-title = Konto erstellen
register-username = Benutzername
register-first-name = Vorname (optional)
register-last-name = Nachname (optional)
register-submit = Konto erstellen
register-have-account = Sie haben bereits ein Konto? Anmelden

## Passwörter
password-change-title = Passwort ändern
password-change-submit = Passwort ändern
reset-title = Passwort zurücksetzen
reset-lead = Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wir senden Ihnen dann per E-Mail einen Link, mit dem Sie ein neues Passwort festlegen können.
reset-submit = Link per E-Mail senden
reset-form-title = Neues Passwort festlegen
reset-form-submit = Passwort festlegen

## Abmelden
logout-title = Abmelden
logout-question = Von diesem Browser abmelden? Apps, bei denen Sie sich hier angemeldet haben, werden ebenfalls benachrichtigt.
logout-submit = Abmelden

## Mitarbeiter
admin-title = Konten
admin-username = Benutzername
admin-active = Aktiv
admin-staff = Mitarbeiter
admin-joined = Registriert
admin-unconfirmed = (unbestätigt)

## Weiterleitung zum Helpdesk
remote-auth-title = Sie werden angemeldet …
remote-auth-noscript = JavaScript ist deaktiviert: Klicken Sie auf die Schaltfläche, um zu { $target } fortzufahren.
remote-auth-continue = Weiter zu { $target }

## Einwilligung
consent-title = { $app } zulassen?
consent-lead = { $app } möchte Ihr Konto ({ $username }) verwenden. Die App kann dann:
consent-allow = Zulassen
consent-deny = Ablehnen
consent-withdraw = Sie können dies später auf Ihrer Kontoseite widerrufen.
scope-openid = Erkennen, dass Sie es sind (anhand einer festen Kennung, nicht Ihres Passworts)
scope-profile = Ihren Namen und Benutzernamen sehen
scope-email = Ihre E-Mail-Adresse sehen und ob sie bestätigt ist
scope-groups = Die Gruppen sehen, denen Sie angehören
scope-offline_access = Verbunden bleiben, auch wenn Sie nicht da sind
scope-contacts = Sehen, welche Ihrer Bekannten aus verbundenen Konten die App ebenfalls nutzen
scope-other = Weitere Zugriffe erhalten

## Aktivierung (hybride Registrierung)
activate-title = Noch ein Schritt
activate-lead = Ihr Konto wurde erstellt. Um es zu aktivieren, verbinden Sie eines dieser Konten (damit weisen Sie nach, dass Sie ein Mensch sind, und können sich später darüber anmelden):
activate-mail-sent = Außerdem haben wir einen Bestätigungslink an Ihre E-Mail-Adresse gesendet.

## Zweiter Schritt
second-step-title = Zweiter Schritt
second-step-heading = Noch ein Schritt
second-step-totp-label = Code aus Ihrer Authenticator-App
second-step-recovery-label = Wiederherstellungscode
second-step-recovery-hint = Kein Zugriff auf Ihre App? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.
second-step-passkey = Passkey verwenden
second-step-someone-else = Als andere Person anmelden

## Einrichtung der Authenticator-App
totp-title = Authenticator-App einrichten
totp-step-open = Öffnen Sie eine Authenticator-App auf Ihrem Smartphone (zum Beispiel Aegis, Google Authenticator, 1Password oder Microsoft Authenticator) und fügen Sie ein Konto hinzu.
totp-step-scan = Scannen Sie damit diesen QR-Code:
totp-cannot-scan = Scannen nicht möglich? Geben Sie stattdessen Folgendes ein
totp-secret-key = Geheimer Schlüssel:
totp-open-link = Oder öffnen Sie diesen Link auf dem Gerät mit der App:
totp-kind = Zeitbasiert, 6 Ziffern, alle 30 Sekunden.
totp-step-enter = Geben Sie den sechsstelligen Code ein, den die App gerade anzeigt:
totp-code-label = Code aus der App
totp-submit = Aktivieren
codes-title = Ihre Wiederherstellungscodes
codes-app-on = Ihre Authenticator-App ist aktiviert: Ab sofort melden Sie sich mit Ihrem Passwort und einem Code aus der App an.
codes-explain = Falls Sie Ihr Smartphone verlieren, können Sie sich mit jedem dieser Codes einmal anstelle eines Codes aus der App anmelden. Speichern Sie die Codes jetzt an einem sicheren Ort:
codes-only-once = Sie werden nur dieses eine Mal angezeigt.
codes-download = Als Textdatei herunterladen
codes-saved = Ich habe sie gespeichert, weiter

## Kontoseite
account-title = Ihr Konto
account-signed-in-as = Angemeldet als { $username }
account-not-confirmed = noch nicht bestätigt
account-profile = Profil
account-pending-email = Bestätigung ausstehend: { $address } wird Ihre Adresse, sobald Sie den Link öffnen, den wir an diese Adresse gesendet haben.
account-cancel-change = Diese Änderung abbrechen
account-password-for-email = Aktuelles Passwort (nur zum Ändern Ihrer E-Mail-Adresse erforderlich)
account-reauth-for-email = Um Ihre E-Mail-Adresse zu ändern, melden Sie sich zuerst erneut an; die Änderung muss innerhalb weniger Minuten danach erfolgen.
account-password = Passwort
account-change-password = Passwort ändern
account-no-password = Ihr Konto hat kein Passwort: Sie melden sich mit einem verbundenen Konto oder einem Passkey an.
account-set-password = Passwort festlegen
account-providers = Verbundene Anmeldedienste
account-provider-as = als { $name }
account-since = seit { $date }
account-disconnect = Trennen
account-no-providers = Es ist kein anderes Konto verbunden.
account-apps = Apps mit Zugriff
account-remove-access = Zugriff entfernen
account-first-party = Teil dieses Dienstes
account-no-apps = Keine App hat Zugriff auf Ihr Konto.
account-people = Personen, die Sie vielleicht kennen
account-all-accounts = Alle Konten (Mitarbeiter)
mfa-title = Zwei-Faktor-Authentifizierung
mfa-app = Authenticator-App
mfa-app-on = Aktiviert: Bei der Anmeldung wird ein Code aus Ihrer App abgefragt.
mfa-app-remove = Authenticator-App entfernen
mfa-app-off = Deaktiviert.
mfa-app-set-up = Authenticator-App einrichten
mfa-codes = Wiederherstellungscodes
mfa-codes-left = { $count ->
    [one] 1 unbenutzter Wiederherstellungscode übrig.
   *[other] { $count } unbenutzte Wiederherstellungscodes übrig.
}
mfa-codes-new = Neue Wiederherstellungscodes erstellen
mfa-passkeys = Passkeys
mfa-passkey-added = hinzugefügt am { $date }
mfa-passkey-used = zuletzt verwendet am { $date }
mfa-no-passkey = Noch kein Passkey vorhanden. Mit einem Passkey melden Sie sich über die Bildschirmsperre Ihres Geräts an, ganz ohne Passwort.
mfa-passkey-name = Name für den neuen Passkey
mfa-passkey-name-example = Mein Laptop
mfa-passkey-add = Passkey hinzufügen
mfa-passkeys-need-domain = Für Passkeys muss dieser Server über einen Domainnamen erreichbar sein.
