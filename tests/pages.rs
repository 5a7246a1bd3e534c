//! The account pages end to end over real HTTP: registration, confirmation, login, password
//! change and reset, logout, and every bad-input path with "nothing was written" checks.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tessera_core::store::UserStore;
use tessera_core::{Email, NewUser, Username};

use crate::support::people::{PASSWORD, log_in as login, person, register};
use crate::support::server::{TestServer, after_post, browser, csrf_from, location, submit};

async fn user_count(server: &TestServer) -> usize {
    server.store.list_users().await.expect("list").len()
}

#[tokio::test]
async fn register_confirm_login_change_logout_reset_login() {
    let server = TestServer::start().await;
    let client = browser();

    let response = register(&server.base, &client, "jane", "Jane@Example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Check your mail"));

    // Not confirmed yet: refused with a way to get a new link.
    let response = login(&server, &client, "jane", PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("confirm your email address first")
    );

    let confirm = server.link_in_mail("/email/confirm/").await;
    let response = client.get(&confirm).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("confirmed"));
    assert_eq!(
        client.get(&confirm).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "confirmation links are single-use"
    );

    // Log in with the email address, in another case.
    let response = login(&server, &client, "JANE@example.com", PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("tessera_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let page = client
        .get(server.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in as jane"), "{page}");

    // Change the password.
    let csrf = csrf_from(&client, &server.url("/password/change")).await;
    let new_password = "a much better passphrase";
    let response = client
        .post(server.url("/password/change"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", PASSWORD),
            ("password", new_password),
            ("password2", new_password),
        ])
        .send()
        .await
        .unwrap();
    // Post/redirect/get: the change answers 303 to the account page, which says so once.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = after_post(&client, &server.url("/password/change"), response).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("password was changed"));
    let again = client
        .get(server.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains("password was changed"), "the notice is shown once");

    // Log out (POST with CSRF); the account page then asks for a login again.
    let csrf = csrf_from(&client, &server.url("/logout")).await;
    let response = client
        .post(server.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/done", "post/redirect/get");
    let response = after_post(&client, &server.url("/logout"), response).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("logged out"));
    let response = client.get(server.url("/account")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Faccount");

    // Forgot it: reset through the mailed link.
    let response = submit(
        &client,
        &server.url("/password/reset"),
        &server.url("/password/reset"),
        &[("login", "jane")],
    )
    .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("If an account with that username or email exists")
    );
    let reset = server.link_in_mail("/password/reset/").await;
    let csrf = csrf_from(&client, &reset).await;
    let newest = "the newest passphrase";
    let response = client
        .post(&reset)
        .form(&[("csrf", csrf.as_str()), ("password", newest), ("password2", newest)])
        .send()
        .await
        .unwrap();
    let response = after_post(&client, &reset, response).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Password changed"));
    assert_eq!(
        client.get(&reset).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "reset links are single-use"
    );

    assert_eq!(
        login(&server, &client, "jane", new_password, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, &client, "jane", newest, None).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn duplicate_registration_keeps_the_form_and_writes_nothing() {
    let server = TestServer::start().await;
    let client = browser();
    assert_eq!(
        register(&server.base, &client, "jane", "jane@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    let response = register(&server.base, &browser(), "JANE", "other@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(page.contains("That username is taken"), "{page}");
    assert!(page.contains("value=\"other@example.com\""), "fields are kept: {page}");
    assert!(!page.contains(PASSWORD), "passwords are never echoed back");

    // An address another account only claims blocks nobody (security review: account
    // pre-hijacking); one it proved does.
    let response = register(&server.base, &browser(), "janet", "JANE@EXAMPLE.COM", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "an unproven claim blocks nobody");
    let link = server
        .link_in_mail_to("jane@example.com", "Confirm", "/email/confirm/")
        .await;
    client.get(&link).send().await.unwrap();
    // …but without saying so while registrations wait for confirmation (the default): the
    // answer is a new account's, and the owner is mailed (see rate_limits).
    let response = register(&server.base, &browser(), "jill", "JANE@EXAMPLE.COM", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Check your mail"));
    assert_eq!(user_count(&server).await, 2);

    // Where registration signs straight in, the answer cannot hide it: it says so.
    let server = TestServer::start_configured("registration:\n  email_confirmation: optional\n").await;
    person("jane")
        .email("jane@example.com")
        .confirmed()
        .create(&server)
        .await;
    let response = register(&server.base, &browser(), "jill", "JANE@EXAMPLE.COM", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("An account with that email address already exists")
    );
    assert_eq!(user_count(&server).await, 1);
}

#[tokio::test]
async fn weak_or_mismatched_passwords_and_bad_fields_are_explained() {
    let server = TestServer::start().await;
    let cases: &[(&str, &str, &str, &str)] = &[
        ("jane", "jane@example.com", "short", "at least 10 characters"),
        (
            "janedoe1234",
            "jane@example.com",
            "janedoe1234",
            "must not be your username",
        ),
        ("jane", "jane@example.com", "Password123", "most common"),
        ("ja ne", "jane@example.com", PASSWORD, "only letters, digits"),
        ("jane", "not-an-email", PASSWORD, "valid email address"),
    ];
    for (username, email, password, expected) in cases {
        let response = register(&server.base, &browser(), username, email, password).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{expected}");
        let page = response.text().await.unwrap();
        assert!(page.contains(expected), "expected {expected:?} in {page}");
    }
    let client = browser();
    let response = submit(
        &client,
        &server.url("/register"),
        &server.url("/register"),
        &[
            ("username", "jane"),
            ("email", "jane@example.com"),
            ("password", PASSWORD),
            ("password2", "something else entirely"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("The two passwords differ"));
    let long = "x".repeat(5000);
    let response = register(&server.base, &browser(), &long, "jane@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("far too long"));
    assert_eq!(user_count(&server).await, 0, "no bad form created an account");
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let server = TestServer::start().await;
    let client = browser();
    csrf_from(&client, &server.url("/register")).await; // the browser has its CSRF cookie
    let form = [
        ("username", "jane"),
        ("email", "jane@example.com"),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ];
    let response = client.post(server.url("/register")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("This form has expired"));

    // A token from another browser does not fit this browser's cookie.
    let other = csrf_from(&browser(), &server.url("/register")).await;
    let mut forged = form.to_vec();
    forged.push(("csrf", other.as_str()));
    assert_eq!(
        client
            .post(server.url("/register"))
            .form(&forged)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    // No cookie at all (a cross-site request from a fresh browser).
    assert_eq!(
        browser()
            .post(server.url("/login"))
            .form(&[("csrf", "x"), ("login", "a"), ("password", "b")])
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(user_count(&server).await, 0);
}

#[tokio::test]
async fn malformed_form_bodies_get_a_clear_400() {
    let server = TestServer::start().await;
    let client = browser();
    let csrf = csrf_from(&client, &server.url("/login")).await;
    let response = client
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&login=only"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The form could not be read (missing field `password`)")
    );
    let response = client
        .post(server.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("x-www-form-urlencoded (a normal HTML form)")
    );
}

/// An account with a confirmed address `USERNAME@example.com` and [`PASSWORD`].
async fn confirmed_user(server: &TestServer, username: &str, staff: bool) {
    let someone = person(username)
        .email(&format!("{username}@example.com"))
        .confirmed()
        .password(PASSWORD);
    if staff { someone.staff() } else { someone }.create(server).await;
}

#[tokio::test]
async fn next_only_accepts_local_paths() {
    let server = TestServer::start().await;
    confirmed_user(&server, "jane", false).await;
    for (next, expected) in [
        ("/account?tab=apps", "/account?tab=apps"),
        ("//evil.example/", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\evil.example", "/account"),
    ] {
        let response = login(&server, &browser(), "jane", PASSWORD, Some(next)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), expected, "next={next}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let server = TestServer::start().await;
    confirmed_user(&server, "jane", false).await;
    let wrong = login(&server, &browser(), "jane", "not the password", None).await;
    let unknown = login(&server, &browser(), "nobody", "not the password", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("Wrong username or password."));
    assert!(unknown.text().await.unwrap().contains("Wrong username or password."));
}

#[tokio::test]
async fn login_rotates_the_session_and_staff_pages_refuse_others() {
    let server = TestServer::start().await;
    confirmed_user(&server, "jane", false).await;
    confirmed_user(&server, "boss", true).await;
    let client = browser();
    assert_eq!(
        client.get(server.url("/admin/users")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "signed out → login"
    );
    let first = login(&server, &client, "jane", PASSWORD, None).await;
    let second = login(&server, &client, "jane", PASSWORD, None).await;
    let session_of = |r: &reqwest::Response| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("tessera_session="))
    };
    assert_ne!(
        session_of(&first),
        session_of(&second),
        "a new session id at every login"
    );
    let response = client.get(server.url("/admin/users")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("staff accounts only"));

    let staff = browser();
    login(&server, &staff, "boss", PASSWORD, None).await;
    let page = staff.get(server.url("/admin/users")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("jane@example.com"));
}

#[tokio::test]
async fn django_hash_verifies_and_becomes_argon2id() {
    let server = TestServer::start().await;
    let mut new = NewUser::new(
        Username::parse("legacy").unwrap(),
        Some(Email::parse("legacy@example.com").unwrap()),
    );
    new.email_verified = true;
    // ../shared/specs/PROTOCOLS.md §5: the password is "password".
    new.password_hash = Some("pbkdf2_sha256$36000$JuRTV4Vec59R$ueTUvEcLH/i/eESGTIiwk7O3iEZfW+BtpnhCmtpYK48=".into());
    server.store.create_user(&new).await.unwrap();
    assert_eq!(
        login(&server, &browser(), "legacy", "password", None).await.status(),
        StatusCode::SEE_OTHER
    );
    let stored = server
        .store
        .user_by_username("legacy")
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert_eq!(
        login(&server, &browser(), "legacy", "password", None).await.status(),
        StatusCode::SEE_OTHER,
        "the new hash verifies"
    );
}

#[tokio::test]
async fn reset_link_dies_when_the_password_changes() {
    let server = TestServer::start().await;
    confirmed_user(&server, "jane", false).await;
    let client = browser();
    let csrf = csrf_from(&client, &server.url("/password/reset")).await;
    client
        .post(server.url("/password/reset"))
        .form(&[("csrf", csrf.as_str()), ("login", "jane@example.com")])
        .send()
        .await
        .unwrap();
    let reset = server.link_in_mail("/password/reset/").await;
    login(&server, &client, "jane", PASSWORD, None).await;
    let csrf = csrf_from(&client, &server.url("/password/change")).await;
    let changed = "changed in the meantime";
    client
        .post(server.url("/password/change"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", PASSWORD),
            ("password", changed),
            ("password2", changed),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        client.get(&reset).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    // Unknown accounts get the same answer and no mail.
    let mails = server.mails().len();
    let response = submit(
        &client,
        &server.url("/password/reset"),
        &server.url("/password/reset"),
        &[("login", "nobody")],
    )
    .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("If an account with that username or email exists")
    );
    tokio::time::sleep(Duration::from_millis(300)).await; // mail goes out in the background
    assert_eq!(server.mails().len(), mails);
}

#[tokio::test]
async fn closed_registration_refuses_new_accounts() {
    let server = TestServer::start_configured("registration:\n  mode: closed\n").await;
    let client = browser();
    assert_eq!(
        client.get(server.url("/register")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let response = submit(
        &client,
        &server.url("/login"),
        &server.url("/register"),
        &[
            ("username", "jane"),
            ("email", "jane@example.com"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(user_count(&server).await, 0);
}

/// Eight logins at the production argon2 cost in flight; /healthz must keep answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_logins_hash() {
    let server = TestServer::start_configured("passwords:\n  max_concurrent_hashes: 2\n").await;
    let mut new = NewUser::new(
        Username::parse("jane").unwrap(),
        Some(Email::parse("jane@example.com").unwrap()),
    );
    new.email_verified = true;
    new.password_hash = Some(tessera_core::password::hash_password(&Default::default(), PASSWORD).unwrap());
    server.store.create_user(&new).await.unwrap();

    let base = server.base.clone();
    let logins: Vec<_> = (0..8)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move {
                let client = browser();
                let html = client
                    .get(format!("{base}/login"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let csrf = crate::support::server::csrf_of(&html);
                client
                    .post(format!("{base}/login"))
                    .form(&[("csrf", csrf.as_str()), ("login", "jane"), ("password", PASSWORD)])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let probe = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    for _ in 0..10 {
        let started = Instant::now();
        assert_eq!(
            probe.get(format!("{base}/healthz")).send().await.unwrap().status(),
            StatusCode::OK
        );
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for login in logins {
        assert_eq!(login.await.unwrap(), StatusCode::SEE_OTHER);
    }
    // Generous: this asserts "not blocked behind the hashing", not a speed.
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?} while logins were hashing"
    );
}

#[tokio::test]
async fn a_theme_folder_overrides_built_in_templates() {
    let theme = tempfile::tempdir().unwrap();
    std::fs::write(
        theme.path().join("login.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Sign in to Example Corp</h1>\
         <form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"{{ csrf }}\"></form>{% endblock %}",
    )
    .unwrap();
    let extra = format!("theme:\n  dir: {}\n", theme.path().display());
    let server = TestServer::start_configured(&extra).await;
    let login = browser()
        .get(server.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("Sign in to Example Corp"), "{login}");
    let register = browser()
        .get(server.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        register.contains("Create an account"),
        "templates the theme lacks stay built in"
    );
}

/// Registers `username` through the page with a fresh browser; returns the status and page.
async fn register_as(server: &TestServer, username: &str, email: &str) -> (StatusCode, String) {
    let response = register(&server.base, &browser(), username, email, PASSWORD).await;
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn look_alike_usernames_are_taken_on_the_register_page() {
    let server = TestServer::start().await;
    for original in ["eve", "admin", "paypal"] {
        let (status, page) = register_as(&server, original, &format!("{original}@example.com")).await;
        assert_eq!(status, StatusCode::OK, "{original}: {page}");
    }
    let look_alikes = [
        ("ｅｖｅ", "fullwidth letters"),
        ("ＥＶＥ", "fullwidth capitals"),
        ("аdmin", "a Cyrillic а"),
        ("АDMIN", "Cyrillic and capitals"),
        ("pаypal", "one Cyrillic letter among Latin ones"),
        ("paypa1", "the digit 1 for l"),
    ];
    for (i, (look_alike, how)) in look_alikes.iter().enumerate() {
        let (status, page) = register_as(&server, look_alike, &format!("other{i}@example.com")).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "{look_alike:?} ({how}) must be taken: {page}"
        );
        assert!(page.contains("That username is taken"), "{how}: {page}");
    }
    assert_eq!(user_count(&server).await, 3, "no look-alike account was created");
    let names: Vec<String> = server
        .store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["admin", "eve", "paypal"]);

    // Fullwidth at the login form finds the same account (NFKC there too): the password is
    // right, so the answer is "confirm first", not "wrong username or password".
    let response = login(&server, &browser(), "ｅｖｅ", PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("confirm your email address first")
    );

    // A different name in another script is still free.
    let (status, page) = register_as(&server, "дмитрий", "dmitry@example.com").await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

#[tokio::test]
async fn names_with_line_breaks_or_direction_overrides_are_refused_on_register_and_account_pages() {
    let server = TestServer::start().await;
    let cases = [
        (
            "first_name",
            "Jane\r\nX-Role: admin",
            "The first name contains a line break (U+000D)",
        ),
        (
            "last_name",
            "\u{202E}eoD",
            "The last name contains a text-direction control (U+202E)",
        ),
        (
            "first_name",
            "Jane\0",
            "The first name contains a NUL character (U+0000)",
        ),
        (
            "last_name",
            "Doe\u{2066}",
            "The last name contains a text-direction control (U+2066)",
        ),
    ];
    for (field, value, expected) in cases {
        let response = submit(
            &browser(),
            &server.url("/register"),
            &server.url("/register"),
            &[
                ("username", "jane"),
                ("email", "jane@example.com"),
                (field, value),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}={value:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains(expected), "expected {expected:?} in {page}");
        assert!(page.contains("remove it and try again"), "{page}");
    }
    let response = submit(
        &browser(),
        &server.url("/register"),
        &server.url("/register"),
        &[
            ("username", "jane"),
            ("email", "ja\u{202E}ne@example.com"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The email address contains a text-direction control")
    );
    assert_eq!(user_count(&server).await, 0, "nothing was registered");

    // The account page applies the same rule and changes nothing.
    confirmed_user(&server, "zoe", false).await;
    let client = browser();
    assert_eq!(
        login(&server, &client, "zoe", PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let response = submit(
        &client,
        &server.url("/account"),
        &server.url("/account"),
        &[
            ("first_name", "Zoë\nSigned in as admin"),
            ("last_name", "Doe"),
            ("email", "zoe@example.com"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = response.text().await.unwrap();
    assert!(page.contains("The first name contains a line break (U+000A)"), "{page}");
    let zoe = server.store.user_by_username("zoe").await.unwrap().expect("zoe");
    assert_eq!(
        (zoe.first_name.as_str(), zoe.last_name.as_str()),
        ("", ""),
        "nothing was saved"
    );
}

/// ASVS 4.0.3 V3.7.1 (security review): a session alone cannot change the login address; a
/// change waits for its confirmation, and the old address can cancel it.
#[tokio::test]
async fn an_address_change_needs_the_password_waits_for_confirmation_and_can_be_undone() {
    let server = TestServer::start().await;
    let client = browser();
    register(&server.base, &client, "jane", "jane@example.com", PASSWORD).await;
    let link = server.link_in_mail("/email/confirm/").await;
    client.get(&link).send().await.unwrap();
    assert_eq!(
        login(&server, &client, "jane", PASSWORD, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let change = |password: &'static str, to: &'static str| {
        let client = client.clone();
        let page = server.url("/account");
        async move {
            submit(
                &client,
                &page,
                &page,
                &[
                    ("first_name", "Jane"),
                    ("last_name", "Doe"),
                    ("email", to),
                    ("current_password", password),
                ],
            )
            .await
        }
    };
    let jane = || async { server.store.user_by_username("jane").await.unwrap().unwrap() };

    for wrong in ["", "not my password"] {
        let r = change(wrong, "new@example.com").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("enter your current password"));
        let now = jane().await;
        assert_eq!(
            (now.email.as_deref(), now.pending_email),
            (Some("jane@example.com"), None),
            "nothing changed"
        );
    }

    let r = change(PASSWORD, "new@example.com").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Waiting for confirmation"), "{page}");
    assert!(!page.contains(PASSWORD), "the password is never echoed back");
    let now = jane().await;
    assert_eq!(now.email.as_deref(), Some("jane@example.com"), "the old address stays");
    assert_eq!(now.pending_email.as_deref(), Some("new@example.com"));
    for (login_name, works) in [("jane@example.com", true), ("new@example.com", false)] {
        let status = login(&server, &browser(), login_name, PASSWORD, None).await.status();
        assert_eq!(status == StatusCode::SEE_OTHER, works, "log in as {login_name}");
    }

    let confirm = server
        .link_in_mail_to("new@example.com", "Confirm your new", "/email/confirm/")
        .await;
    let undo = server
        .link_in_mail_to("jane@example.com", "being changed", "/email/undo/")
        .await;
    let page = browser().get(&undo).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Change cancelled"), "{page}");
    assert_eq!(jane().await.pending_email, None);
    let r = browser().get(&confirm).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "the cancelled change's link is dead"
    );

    change(PASSWORD, "new@example.com").await;
    let confirm = loop {
        let link = server
            .link_in_mail_to("new@example.com", "Confirm your new", "/email/confirm/")
            .await;
        if link != confirm {
            break link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let page = client.get(&confirm).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("new@example.com is confirmed"), "{page}");
    let now = jane().await;
    assert_eq!(
        (now.email.as_deref(), now.email_verified, now.pending_email),
        (Some("new@example.com"), true, None)
    );

    // The undo notice is addressed when the change is asked for: one that goes out only after
    // the change was confirmed (a slow mail queue) still reaches the old address, and works.
    let earlier = server
        .link_in_mail_to("jane@example.com", "being changed", "/email/undo/")
        .await;
    let late_notice = tessera_core::jobs::NewJob::new(
        "mail.link",
        serde_json::json!({ "user_id": now.id.to_string(), "purpose": "undo_email_change",
                            "to": "jane@example.com", "new_address": "new@example.com" }),
    );
    tessera_core::jobs::JobStore::enqueue(&*server.store, &late_notice)
        .await
        .unwrap();
    server.state.jobs_wake.notify_waiters();
    let mut undo = earlier.clone();
    for _ in 0..100 {
        undo = server
            .link_in_mail_to("jane@example.com", "being changed", "/email/undo/")
            .await;
        if undo != earlier {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(undo, earlier, "the late notice reached the old address");
    let page = browser().get(&undo).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Change undone"), "{page}");
    let now = jane().await;
    assert_eq!(
        (now.email.as_deref(), now.email_verified),
        (Some("jane@example.com"), true)
    );
}

/// A session in use stays alive whatever the idle timeout: it is touched again well within
/// it (a fixed minute of slack once let a 3 s session die while in use).
#[tokio::test]
async fn a_session_in_use_never_goes_idle_however_short_the_timeout() {
    use crate::support::people::{FAST_PASSWORDS, signed_in};
    let server = TestServer::start_configured(&format!("{FAST_PASSWORDS}sessions:\n  idle_timeout: 3s\n")).await;
    person("jane").password(PASSWORD).create(&server).await;
    let browser = signed_in(&server, "jane", PASSWORD).await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let account = browser.get(server.url("/account")).send().await.unwrap();
        assert_eq!(account.status(), StatusCode::OK, "still signed in while in use");
    }
    // Left alone longer than the timeout, it ends.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let account = browser.get(server.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::SEE_OTHER, "an idle session ends");
}
