//! The pages' language (ui_locales, the picker, Accept-Language, the default), branding from
//! the config, and post/redirect/get with its signed one-time messages.

use reqwest::StatusCode;

use crate::oidc::{CALLBACK, clients_yaml};
use crate::support::people::{PASSWORD, person, signed_in};
use crate::support::server::{TestServer, browser, csrf_from, location, submit};

async fn page(client: &reqwest::Client, url: &str, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut request = client.get(url);
    if let Some(languages) = accept_language {
        request = request.header("accept-language", languages);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn lang_of(html: &str) -> &str {
    html.split("<html lang=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
}

#[tokio::test]
async fn accept_language_picks_a_shipped_language_and_html_lang_says_which() {
    let server = TestServer::start().await;
    let b = browser();
    let login = server.url("/login");
    for (asked, lang, title) in [
        (None, "en", "<h1>Log in</h1>"),
        (Some("de-AT,de;q=0.9,en;q=0.5"), "de", "<h1>Anmelden</h1>"),
        (Some("nl, fr;q=0.7"), "fr", "<h1>Connexion</h1>"),
        (Some("es"), "es", "<h1>Iniciar sesión</h1>"),
        (Some("nl, pt;q=0.5"), "en", "<h1>Log in</h1>"),
        (Some("de;q=0, *"), "en", "<h1>Log in</h1>"),
    ] {
        let (status, html) = page(&b, &login, asked).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(lang_of(&html), lang, "{asked:?}");
        assert!(html.contains(title), "{asked:?}: {html}");
    }
    // Errors speak it too.
    let (status, html) = page(&b, &server.url("/no-such-page"), Some("de")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(lang_of(&html), "de");
    assert!(!html.contains("Page not found"), "{html}");
}

#[tokio::test]
async fn the_default_language_comes_from_the_branding() {
    let server = TestServer::start_configured("branding:\n  default_language: fr\n").await;
    let (_, html) = page(&browser(), &server.url("/login"), None).await;
    assert_eq!(lang_of(&html), "fr");
    let (_, html) = page(&browser(), &server.url("/login"), Some("es")).await;
    assert_eq!(lang_of(&html), "es", "the browser's choice still comes first");
}

#[tokio::test]
async fn ui_locales_outranks_the_browser_and_the_picker_outranks_nothing_but_it() {
    let server = TestServer::start_configured(&clients_yaml("http://127.0.0.1:9/bc")).await;
    let b = browser();
    let authorize = format!(
        "{}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid&state=s&ui_locales={}",
        server.base,
        urlencoding::encode(CALLBACK),
        urlencoding::encode("fr-CA xx"),
    );
    let r = b.get(&authorize).header("accept-language", "de").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("tessera_ui_locales=fr;") && !cookie.contains("Max-Age"),
        "{cookie}"
    );
    let (_, html) = page(&b, &server.url("/login"), Some("de")).await;
    assert_eq!(lang_of(&html), "fr", "the app's ui_locales beat Accept-Language");

    // The picker: the person's own choice replaces the app's, and goes back where it was.
    let r = b
        .get(server.url("/language?lang=es&back=%2Flogin%3Fnext%3D%252Faccount"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/login?next=%2Faccount".into())
    );
    let cookies: Vec<&str> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("tessera_lang=es;") && c.contains("Max-Age=31536000")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("tessera_ui_locales=;")),
        "{cookies:?}"
    );
    let (_, html) = page(&b, &server.url("/login"), Some("de")).await;
    assert_eq!(lang_of(&html), "es");
    assert!(
        html.contains("<option value=\"es\" lang=\"es\" selected>Español</option>"),
        "{html}"
    );

    // Never a way off this server, and an unknown language is said so; nothing changes.
    let r = b
        .get(server.url("/language?lang=de&back=%2F%2Fevil.example%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account");
    let r = b.get(server.url("/language?lang=klingon")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("set-cookie").is_none());
    let text = r.text().await.unwrap();
    assert!(text.contains("klingon") && text.contains("<html lang=\"de\""), "{text}");
    let r = b
        .get(server.url("/language?lang=Call%20us%20at%20555"))
        .send()
        .await
        .unwrap();
    assert!(
        !r.text().await.unwrap().contains("Call us"),
        "no sentence from a link is shown"
    );
}

#[tokio::test]
async fn consent_says_what_an_app_may_do_in_plain_words_in_the_readers_language() {
    let server = TestServer::start_configured(&clients_yaml("http://127.0.0.1:9/bc")).await;
    person("jane").password(PASSWORD).create(&server).await;
    let b = signed_in(&server, "jane", PASSWORD).await;
    let authorize = format!(
        "{}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope=openid%20email%20groups&state=s",
        server.base,
        urlencoding::encode(CALLBACK),
    );
    let mut r = b.get(&authorize).send().await.unwrap();
    while !location(&r).starts_with("/consent") {
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "on the way to the consent page");
        r = b.get(server.url(&location(&r))).send().await.unwrap();
    }
    let consent = server.url(&location(&r));
    let (_, english) = page(&b, &consent, None).await;
    assert!(
        english.contains("Your email address and whether it is confirmed"),
        "{english}"
    );
    assert!(
        !english.contains(">email<") && !english.contains(">groups<"),
        "no raw scope names"
    );
    let (_, german) = page(&b, &consent, Some("de")).await;
    assert!(!german.contains("Your email address"), "{german}");
    assert!(german.contains("Demo App"), "{german}");
}

#[tokio::test]
async fn branding_names_the_instance_serves_its_logo_and_colour_and_links_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.svg");
    std::fs::write(
        &logo,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    )
    .unwrap();
    let yaml = format!(
        "branding:\n  name: Example Corp\n  logo: {}\n  primary_color: \"#ffd60a\"\n  links:\n    privacy: https://example.com/privacy\n    help: /help\n",
        logo.display()
    );
    let server = TestServer::start_configured(&yaml).await;
    let (_, html) = page(&browser(), &server.url("/login"), None).await;
    assert!(html.contains("<title>Log in · Example Corp</title>"), "{html}");
    assert!(html.contains("<img class=\"brand-logo\" src=\"/branding/logo\" alt=\"\">"));
    assert!(html.contains("<span class=\"brand-name\">Example Corp</span>"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/branding/colors.css\">"));
    // (minijinja escapes the slashes of attribute values; browsers read them as slashes.)
    assert!(
        html.contains(
            "<a href=\"https:&#x2f;&#x2f;example.com&#x2f;privacy\">Privacy</a><a href=\"&#x2f;help\">Help</a>"
        ),
        "{html}"
    );

    let css = reqwest::get(server.url("/branding/colors.css")).await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let css = css.text().await.unwrap();
    assert!(
        css.contains("--brand: #ffd60a; --brand-contrast: #000000;"),
        "yellow gets black text: {css}"
    );

    let logo = reqwest::get(server.url("/branding/logo")).await.unwrap();
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    let csp = logo.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");

    // Without branding: Tessera's own name and mark, no colour sheet, no footer links.
    let plain = TestServer::start().await;
    let (_, html) = page(&browser(), &plain.url("/login"), None).await;
    assert!(html.contains("· Tessera</title>") && html.contains("class=\"brand-mark\""));
    assert!(!html.contains("/branding/colors.css") && !html.contains("brand-logo"));
    let missing = reqwest::get(plain.url("/branding/logo")).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_form_that_worked_redirects_and_its_message_shows_once_and_cannot_be_forged() {
    let server = TestServer::start().await;
    let b = browser();
    let csrf = csrf_from(&b, &server.url("/password/reset")).await;
    let r = b
        .post(server.url("/password/reset"))
        .form(&[("csrf", csrf.as_str()), ("login", "nobody")])
        .send()
        .await
        .unwrap();
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/done".into()));
    let (status, done) = page(&b, &server.url("/done"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        done.contains("If an account with that username or email exists"),
        "{done}"
    );
    // A refresh shows no message again (and posts nothing).
    let again = b.get(server.url("/done")).send().await.unwrap();
    assert_eq!(
        (again.status(), location(&again)),
        (StatusCode::SEE_OTHER, "/account".into())
    );

    // A message someone else wrote is not shown: the cookie's signature does not hold.
    use base64::Engine as _;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"title":"Your account is locked","message":"Call +1 555 0100","link":null}"#);
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(server.url("/done"))
        .header("cookie", format!("tessera_done={body}.AAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (forged.status(), location(&forged)),
        (StatusCode::SEE_OTHER, "/account".into())
    );

    // A refused form is shown again in place, with its status, and forms.js on the page turns
    // the history entry into a plain visit.
    let r = submit(
        &b,
        &server.url("/register"),
        &server.url("/register"),
        &[("username", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<script src=\"/static/forms.js\"></script>")
    );
}
