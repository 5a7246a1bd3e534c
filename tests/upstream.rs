//! Upstream logins against the sandbox providers (real OAuth 1.0a signatures, OAuth 2, OIDC):
//! one local account per person however they sign in, safe linking, hybrid registration, the
//! configured pipeline, and posting on join.

use reqwest::StatusCode;
use tessera_core::identity::IdentityStore;
use tessera_core::jobs::{JobState, JobStore};
use tessera_core::store::UserStore;
use tessera_sandbox::{Sandbox, SandboxOptions};

use crate::support::logs;
use crate::support::people::{FAST_PASSWORDS, person};
use crate::support::server::{TestServer, after_post, browser, csrf_from, location};

pub(crate) fn upstreams_yaml(sb: &str) -> String {
    for secret in [
        "sandbox-twitter-secret",
        "sandbox-facebook-secret",
        "sandbox-instagram-secret",
        "sandbox-oidc-secret",
    ] {
        logs::secret(secret);
    }
    format!(
        "upstreams:\n  \
- {{ id: twitter, kind: twitter, client_id: sandbox-twitter-key, client_secret: sandbox-twitter-secret, api_base_url: '{sb}/twitter', fetch_friends: true }}\n  \
- {{ id: facebook, kind: facebook, client_id: sandbox-facebook-app, client_secret: sandbox-facebook-secret, authorize_url: '{sb}/facebook/dialog/oauth', api_base_url: '{sb}/facebook/graph' }}\n  \
- {{ id: instagram, kind: instagram, client_id: sandbox-instagram-app, client_secret: sandbox-instagram-secret, authorize_url: '{sb}/instagram/oauth/authorize', token_url: '{sb}/instagram/oauth/access_token', api_base_url: '{sb}/instagram/graph', attributes: {{ biography: bio }} }}\n  \
- {{ id: oidc, kind: oidc, label: Example SSO, issuer: '{sb}/oidc', client_id: sandbox-oidc-client, client_secret: sandbox-oidc-secret }}\n"
    )
}

async fn setup(extra: &str) -> (TestServer, Sandbox) {
    let sandbox = tessera_sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxOptions::default())
        .await
        .expect("sandbox");
    let yaml = format!("{FAST_PASSWORDS}{}{extra}", upstreams_yaml(&sandbox.base_url()));
    (TestServer::start_configured(&yaml).await, sandbox)
}

/// Starts an upstream login in `browser` and picks `person` on the sandbox's page; returns
/// Tessera's answer to the callback.
async fn via(
    server: &TestServer,
    browser: &reqwest::Client,
    start: reqwest::Response,
    person: &str,
) -> reqwest::Response {
    assert_eq!(start.status(), StatusCode::SEE_OTHER, "{:?}", start.text().await);
    let upstream = url::Url::parse(&location(&start)).unwrap();
    let callback = tessera_sandbox::browser::choose(&upstream, person)
        .await
        .expect("sandbox chooser");
    assert!(callback.as_str().starts_with(&server.base), "{callback}");
    browser.get(callback.as_str()).send().await.unwrap()
}

async fn sign_in_with(
    server: &TestServer,
    browser: &reqwest::Client,
    provider: &str,
    person: &str,
) -> reqwest::Response {
    let start = browser
        .get(server.url(&format!("/login/{provider}")))
        .send()
        .await
        .unwrap();
    via(server, browser, start, person).await
}

async fn connect(server: &TestServer, browser: &reqwest::Client, provider: &str, person: &str) -> reqwest::Response {
    let csrf = csrf_from(browser, &server.url("/password/reset")).await;
    let start = browser
        .post(server.url(&format!("/account/connect/{provider}")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    via(server, browser, start, person).await
}

/// The sign-in was stopped: a 409 page that says `why`.
async fn assert_stopped(r: reqwest::Response, why: &str) {
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains(why), "{page}");
}

async fn account_page(server: &TestServer, browser: &reqwest::Client) -> String {
    browser
        .get(server.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_sandbox_provider_signs_a_new_person_in() {
    let (server, _sb) = setup("").await;
    for (provider, person, username) in [
        ("twitter", "alice", "alice"),
        ("facebook", "carol", "Carol_Example"),
        ("instagram", "erin_photos", "erin_photos"),
        ("oidc", "frank", "frank"),
    ] {
        let b = browser();
        let r = sign_in_with(&server, &b, provider, person).await;
        assert_eq!(
            (r.status(), location(&r)),
            (StatusCode::SEE_OTHER, "/account".to_owned()),
            "{provider}"
        );
        let page = account_page(&server, &b).await;
        assert!(page.contains("Connected sign-in providers"), "{provider}: {page}");
        let _ = username;
    }
    let users = server.store.list_users().await.unwrap();
    assert_eq!(users.len(), 4, "one account per person");
    let alice = users
        .iter()
        .find(|u| u.username == "alice")
        .expect("twitter screen name as username");
    assert_eq!(
        (alice.email.as_deref(), alice.email_verified),
        (Some("alice@example.com"), true),
        "Twitter only returns verified emails"
    );
    let erin = server.store.user_by_username("erin_photos").await.unwrap().unwrap();
    assert_eq!(erin.email, None, "Instagram never gives an email");
    assert!(
        erin.attributes.contains_key("bio") && erin.attributes.contains_key("picture"),
        "mapped profile fields: {:?}",
        erin.attributes
    );
    let profile = &server.store.identities_of(erin.id).await.unwrap()[0].profile;
    assert!(
        profile["biography"].is_string() || profile.get("profile_picture_url").is_some(),
        "the upstream profile is kept: {profile}"
    );
}

#[tokio::test]
async fn a_second_provider_links_and_either_signs_in_to_the_same_account() {
    let (server, _sb) = setup("").await;
    let b = browser();
    sign_in_with(&server, &b, "twitter", "alice").await;
    let r = connect(&server, &b, "facebook", "carol").await;
    assert_eq!(location(&r), "/account");
    let page = account_page(&server, &b).await;
    assert!(
        page.contains("<strong>Twitter</strong>") && page.contains("<strong>Facebook</strong>"),
        "{page}"
    );
    assert_eq!(server.store.list_users().await.unwrap().len(), 1);

    for (provider, person) in [("facebook", "carol"), ("twitter", "alice")] {
        let other = browser();
        let r = sign_in_with(&server, &other, provider, person).await;
        assert_eq!(location(&r), "/account");
        assert!(
            account_page(&server, &other).await.contains("Signed in as alice"),
            "{provider}"
        );
    }
    // The Facebook account cannot be linked to a second Tessera account.
    let stranger = browser();
    sign_in_with(&server, &stranger, "instagram", "erin_photos").await;
    let r = connect(&server, &stranger, "facebook", "carol").await;
    assert_stopped(r, "already connected to another account here").await;
}

/// Several tabs (or nodes) finishing the first sign-in of one person at once: all end signed
/// in to the one account the first of them created; the others lose the race to create it,
/// read again and find it. Before, they were refused as "already connected to another
/// Tessera account" (found by the soak in tests/chaos/soak.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_sign_ins_of_one_person_end_in_one_account() {
    let (server, _sb) = setup("").await;
    let mut callbacks = tokio::task::JoinSet::new();
    let mut ready = Vec::new();
    for _ in 0..8 {
        let b = browser();
        let start = b.get(server.url("/login/twitter")).send().await.unwrap();
        let upstream = url::Url::parse(&location(&start)).unwrap();
        let callback = tessera_sandbox::browser::choose(&upstream, "alice").await.unwrap();
        ready.push((b, callback));
    }
    for (b, callback) in ready {
        callbacks.spawn(async move { b.get(callback.as_str()).send().await.unwrap() });
    }
    for answer in callbacks.join_all().await {
        let status = answer.status();
        let to = location(&answer);
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/account"),
            "{:?}",
            answer.text().await
        );
    }
    let users = server.store.list_users().await.unwrap();
    assert_eq!(users.len(), 1, "one account for one person");
}

#[tokio::test]
async fn an_unverified_email_never_links_accounts() {
    let (server, _sb) = setup("pipeline: [social_user, associate_by_email, get_username, create_user, associate_user, load_extra_data, update_user_details]\n").await;
    // A local account holding frank's address, never confirmed: the takeover setup.
    let squatter = person("squatter").email("frank@example.com").create(&server).await;
    let b = browser();
    let r = sign_in_with(&server, &b, "oidc", "frank").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("does not join accounts by email"));
    assert!(
        server.store.identities_of(squatter.id).await.unwrap().is_empty(),
        "not linked"
    );
    assert_eq!(server.store.list_users().await.unwrap().len(), 1, "no account created");
}

#[tokio::test]
async fn a_pipeline_without_create_user_refuses_new_people() {
    let (server, _sb) = setup("pipeline: [social_user, associate_user, load_extra_data]\n").await;
    let r = sign_in_with(&server, &browser(), "twitter", "alice").await;
    assert_stopped(r, "does not create accounts from sign-ins").await;
    assert!(server.store.list_users().await.unwrap().is_empty());
}

/// Without `get_username` a new account is called `{provider}-{subject}`: a local account
/// that already has that name blocks the sign-in with a clear page and nothing written.
#[tokio::test]
async fn a_taken_fixed_username_stops_the_sign_in_and_writes_nothing() {
    let (server, _sb) = setup("pipeline: [social_user, create_user, associate_user]\n").await;
    person("twitter-1001").create(&server).await;
    let r = sign_in_with(&server, &browser(), "twitter", "alice").await;
    assert_stopped(r, "Another account already has the username this sign-in would get").await;
    assert_eq!(server.store.list_users().await.unwrap().len(), 1);
    assert!(server.store.identity("twitter", "1001").await.unwrap().is_none());
    // Without the squatter the same pipeline creates `twitter-1001`.
    let (server, _sb) = setup("pipeline: [social_user, create_user, associate_user]\n").await;
    let r = sign_in_with(&server, &browser(), "twitter", "alice").await;
    assert_eq!(location(&r), "/account");
    let users = server.store.list_users().await.unwrap();
    assert_eq!(
        users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
        ["twitter-1001"]
    );
}

#[tokio::test]
async fn hybrid_registration_stays_inactive_until_a_provider_is_connected() {
    let (server, _sb) = setup("registration:\n  mode: hybrid\n  email_confirmation: optional\n").await;
    let b = browser();
    let csrf = csrf_from(&b, &server.url("/register")).await;
    let pw = "correct horse battery";
    let r = b
        .post(server.url("/register"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "hana"),
            ("email", "hana@example.com"),
            ("password", pw),
            ("password2", pw),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("/login/twitter?activate=1"));
    let hana = server.store.user_by_username("hana").await.unwrap().unwrap();
    assert!(!hana.is_active);
    let other = browser();
    let csrf = csrf_from(&other, &server.url("/login")).await;
    let login = other
        .post(server.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("login", "hana"), ("password", pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        StatusCode::FORBIDDEN,
        "an unactivated account cannot log in"
    );
    assert!(
        login.text().await.unwrap().contains("/login/twitter?activate=1"),
        "but the right password offers activation again"
    );
    // A new person signing in with a provider is sent to register first under hybrid.
    assert_eq!(
        sign_in_with(&server, &browser(), "facebook", "carol").await.status(),
        StatusCode::CONFLICT
    );

    let start = b.get(server.url("/login/twitter?activate=1")).send().await.unwrap();
    let r = via(&server, &b, start, "alice").await;
    assert_eq!(location(&r), "/account");
    assert!(
        server.store.user_by_username("hana").await.unwrap().unwrap().is_active,
        "activated"
    );
    assert!(account_page(&server, &b).await.contains("Signed in as hana"));
    // The activation cookie is bound to this browser: another one cannot use it.
    assert_eq!(
        browser()
            .get(server.url("/login/twitter?activate=1"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    // An account an admin disabled is never re-enabled by replaying the activation.
    let hana = server.store.user_by_username("hana").await.unwrap().unwrap();
    sqlx_disable(&server, hana.id).await;
    let start = b.get(server.url("/login/twitter?activate=1")).send().await.unwrap();
    via(&server, &b, start, "alice").await;
    assert!(
        !server.store.user_by_username("hana").await.unwrap().unwrap().is_active,
        "stays disabled"
    );
}

#[tokio::test]
async fn disconnecting_the_only_way_in_is_refused() {
    let (server, _sb) = setup("").await;
    let b = browser();
    sign_in_with(&server, &b, "twitter", "alice").await;
    let user = server.store.user_by_username("alice").await.unwrap().unwrap();
    let ids = server.store.identities_of(user.id).await.unwrap();
    let csrf = csrf_from(&b, &server.url("/account")).await;
    let r = b
        .post(server.url("/account/disconnect"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("provider", "twitter"),
            ("subject", ids[0].subject.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("only way to log in"));
    connect(&server, &b, "oidc", "frank").await;
    let r = b
        .post(server.url("/account/disconnect"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("provider", "twitter"),
            ("subject", ids[0].subject.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account");
    assert_eq!(server.store.identities_of(user.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_callbacks_get_clear_pages_and_change_nothing() {
    let (server, _sb) = setup("").await;
    let b = browser();
    // The person cancels at Twitter.
    let start = b.get(server.url("/login/twitter")).send().await.unwrap();
    let upstream = url::Url::parse(&location(&start)).unwrap();
    let back = tessera_sandbox::browser::choose(&upstream, "cancel").await.unwrap();
    let r = b.get(back.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("You cancelled signing in with Twitter")
    );
    // A replayed callback, and one from another browser.
    let start = b.get(server.url("/login/facebook")).send().await.unwrap();
    let upstream = url::Url::parse(&location(&start)).unwrap();
    let callback = tessera_sandbox::browser::choose(&upstream, "carol").await.unwrap();
    assert_eq!(
        browser().get(callback.as_str()).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "other browser"
    );
    assert_eq!(
        b.get(callback.as_str()).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "the right browser"
    );
    assert_eq!(
        b.get(callback.as_str()).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "replayed"
    );
    assert_eq!(
        b.get(server.url("/login/nowhere")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // The provider fails mid-login: a clear page, never a 500, and nothing created.
    _sb.fail_next(
        tessera_sandbox::Provider::Instagram,
        tessera_sandbox::Failure::ServerError,
    );
    let r = sign_in_with(&server, &browser(), "instagram", "erin_photos").await;
    assert!(
        r.status() == StatusCode::BAD_GATEWAY || r.status() == StatusCode::BAD_REQUEST,
        "{}",
        r.status()
    );
    assert!(r.text().await.unwrap().contains("Instagram"));
    assert_eq!(server.store.list_users().await.unwrap().len(), 1);
}

#[tokio::test]
async fn posting_on_join_reaches_the_sandbox_signed_with_the_persons_token() {
    let (server, sb) = setup("actions:\n  post_on_join: { upstream: twitter, text: 'I just joined Example!' }\n").await;
    // A local "alice" exists already: the Twitter alice gets a numbered username, not hers.
    person("alice").create(&server).await;
    let b = browser();
    sign_in_with(&server, &b, "twitter", "alice").await;
    let mut posts = Vec::new();
    for _ in 0..100 {
        posts = sb.posts();
        if !posts.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        posts.len(),
        1,
        "the sandbox verified the OAuth 1.0a signature and recorded the post"
    );
    assert_eq!(posts[0].text, "I just joined Example!");
    let alice = server
        .store
        .user_by_username("alice2")
        .await
        .unwrap()
        .expect("a de-duplicated username");
    let identity = &server.store.identities_of(alice.id).await.unwrap()[0];
    assert_eq!(
        posts[0].user_id, identity.subject,
        "posted as the person, with their token"
    );
    // Signing in again does not post again.
    sign_in_with(&server, &browser(), "twitter", "alice").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sb.posts().len(), 1);
    let jobs = server.store.jobs(None, 50).await.unwrap();
    assert!(
        jobs.iter()
            .filter(|j| j.kind == "post_on_join")
            .all(|j| j.state == JobState::Done)
    );
}

/// Twitter friends and Facebook friends become "people you may know", on the account page
/// and through the contacts API (scope `contacts`).
#[tokio::test]
async fn friends_who_use_tessera_are_people_you_may_know() {
    let clients = "clients:\n  - { id: app, secret: app-secret-0123456789abc, first_party: true, redirect_uris: ['http://127.0.0.1:9000/cb'], scopes: [openid, contacts] }\n";
    let (server, _sb) = setup(clients).await;
    let bob = browser();
    sign_in_with(&server, &bob, "twitter", "bob").await;
    let alice = browser();
    sign_in_with(&server, &alice, "twitter", "alice").await;
    let page = account_page(&server, &alice).await;
    assert!(
        page.contains("People you may know") && page.contains("<li>Bob Example</li>"),
        "{page}"
    );

    // An app with the contacts scope sees the same list.
    let url = format!(
        "{}/authorize?response_type=code&client_id=app&redirect_uri={}&scope=openid%20contacts&state=s",
        server.base,
        urlencoding::encode("http://127.0.0.1:9000/cb")
    );
    let mut next = url;
    let code = loop {
        let r = alice.get(&next).send().await.unwrap();
        let to = location(&r);
        if to.starts_with("http://127.0.0.1:9000/cb") {
            break url::Url::parse(&to)
                .unwrap()
                .query_pairs()
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned();
        }
        next = server.url(&to);
    };
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(server.url("/token"))
        .basic_auth("app", Some("app-secret-0123456789abc"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:9000/cb"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contacts: serde_json::Value = reqwest::Client::new()
        .get(server.url("/api/contacts"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contacts["contacts"][0]["preferred_username"], "bob", "{contacts}");
}

#[tokio::test]
async fn a_refused_post_on_join_is_dead_lettered_with_its_reason() {
    let (server, sb) =
        setup("jobs:\n  max_attempts: 2\nactions:\n  post_on_join: { upstream: twitter, text: 'Hello' }\n").await;
    sb.fail_next_at(
        tessera_sandbox::Provider::Twitter,
        "tweets",
        tessera_sandbox::Failure::ServerError,
    );
    sb.fail_next_at(
        tessera_sandbox::Provider::Twitter,
        "tweets",
        tessera_sandbox::Failure::ServerError,
    );
    let r = sign_in_with(&server, &browser(), "twitter", "alice").await;
    assert_eq!(location(&r), "/account", "the login itself succeeds");
    let mut job = None;
    for _ in 0..100 {
        let jobs = server.store.jobs(None, 50).await.unwrap();
        job = jobs
            .into_iter()
            .find(|j| j.kind == "post_on_join" && j.state == JobState::Dead);
        if job.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let job = job.expect("dead-lettered after two attempts");
    assert_eq!(job.attempts, 2);
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("twitter refused the post"),
        "{job:?}"
    );
    assert!(sb.posts().is_empty());
}

/// The upstream subject of the Twitter identity linked to the account `username`.
async fn twitter_subject(server: &TestServer, username: &str) -> String {
    let user = server
        .store
        .user_by_username(username)
        .await
        .unwrap()
        .expect("the account");
    let identities = server.store.identities_of(user.id).await.unwrap();
    identities
        .into_iter()
        .find(|i| i.provider == "twitter")
        .expect("a Twitter link")
        .subject
}

/// Queues a `post_on_join` job as the pipeline would, and waits until the worker settles it.
async fn post_as(server: &TestServer, subject: &str, text: &str) -> tessera_core::jobs::Job {
    let payload = serde_json::json!({ "provider": "twitter", "subject": subject, "text": text });
    let job = tessera_core::jobs::NewJob {
        max_attempts: 1,
        ..tessera_core::jobs::NewJob::new("post_on_join", payload.clone())
    };
    assert!(server.store.enqueue(&job).await.unwrap());
    server.state.jobs_wake.notify_waiters();
    for _ in 0..100 {
        let settled = server.store.jobs(None, 50).await.unwrap().into_iter().find(|j| {
            j.kind == "post_on_join" && j.payload == payload && matches!(j.state, JobState::Done | JobState::Dead)
        });
        if let Some(job) = settled {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the post_on_join job for {subject} did not settle");
}

/// The swap attack on tokens sealed at rest: someone who can write the database but has no
/// master key copies alice's sealed Twitter tokens into bob's row, so that a job acting for bob
/// would post with alice's account. The tokens are sealed for alice's row only: bob's job is
/// refused and nothing is posted, while alice's own tokens still work.
#[tokio::test]
async fn upstream_tokens_copied_into_another_identity_are_refused() {
    let (server, sb) = setup("").await;
    sign_in_with(&server, &browser(), "twitter", "alice").await;
    sign_in_with(&server, &browser(), "twitter", "bob").await;
    let (alice, bob) = (
        twitter_subject(&server, "alice").await,
        twitter_subject(&server, "bob").await,
    );
    assert_ne!(alice, bob);
    let copied = server
        .execute_sql(
            "UPDATE identities SET tokens_sealed = \
             (SELECT tokens_sealed FROM identities WHERE provider = 'twitter' AND subject = $1) \
             WHERE provider = 'twitter' AND subject = $2",
            &[alice.as_str().into(), bob.as_str().into()],
        )
        .await;
    assert_eq!(copied, 1, "alice's sealed tokens are now in bob's row");

    let refused = post_as(&server, &bob, "posted as bob with alice's tokens").await;
    assert_eq!(refused.state, JobState::Dead, "{refused:?}");
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("could not be opened"),
        "{refused:?}"
    );
    assert!(sb.posts().is_empty(), "nothing was posted with alice's tokens");

    let own = post_as(&server, &alice, "alice's own post").await;
    assert_eq!(own.state, JobState::Done, "{own:?}");
    let posts = sb.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        (posts[0].user_id.as_str(), posts[0].text.as_str()),
        (alice.as_str(), "alice's own post")
    );
}

/// Disables an account the way an admin would, straight in the database.
async fn sqlx_disable(server: &TestServer, id: tessera_core::UserId) {
    let id = id.to_string();
    let changed = server
        .execute_sql(
            "UPDATE users SET is_active = FALSE WHERE id = $1",
            &[id.as_str().into()],
        )
        .await;
    assert_eq!(changed, 1, "the account to disable exists");
}

/// The squatter's first steps of the pre-hijacking attack (security review): sign in with
/// their own Twitter account, then give the account the victim's address.
async fn squat(server: &TestServer) -> reqwest::Client {
    let squatter = browser();
    let r = sign_in_with(server, &squatter, "twitter", "bob").await;
    assert_eq!(location(&r), "/account", "bob signs up with Twitter");
    let csrf = csrf_from(&squatter, &server.url("/account")).await;
    let r = squatter
        .post(server.url("/account"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("first_name", "Bob"),
            ("last_name", ""),
            ("email", "victim@example.com"),
        ])
        .send()
        .await
        .unwrap();
    let r = after_post(&squatter, &server.url("/account"), r).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "a fresh upstream sign-in may ask for a change"
    );
    let bob = server.store.user_by_username("bob").await.unwrap().unwrap();
    assert_eq!(bob.email, None, "the change waits for the victim's mailbox");
    assert_eq!(bob.pending_email.as_deref(), Some("victim@example.com"));
    squatter
}

/// After the victim took their address: the squatter's Twitter sign-in must not reach it.
async fn assert_squatter_locked_out(server: &TestServer) {
    let squatter = browser();
    let r = sign_in_with(server, &squatter, "twitter", "bob").await;
    assert_eq!(location(&r), "/account");
    let page = account_page(server, &squatter).await;
    assert!(
        !page.contains("victim@example.com"),
        "the squatter reached the victim's account:\n{page}"
    );
    let victim = server.store.user_by_login("victim@example.com").await.unwrap().unwrap();
    assert!(victim.email_verified);
    assert!(
        server.store.identities_of(victim.id).await.unwrap().is_empty(),
        "no Twitter sign-in of the squatter on the victim's account"
    );
}

/// Account pre-hijacking (Sudhodanan & Paverd, USENIX Security 2022), exactly as reported:
/// the squatter's unconfirmed address no longer blocks the victim's registration, and after
/// the victim confirms it, the squatter's Twitter sign-in lands in the squatter's own account.
#[tokio::test]
async fn a_squatted_address_neither_blocks_the_victim_nor_hands_their_account_to_the_squatter() {
    let (server, _sb) = setup("").await;
    squat(&server).await;
    let victim = browser();
    let r = crate::support::server::submit(
        &victim,
        &server.url("/register"),
        &server.url("/register"),
        &[
            ("username", "victim"),
            ("email", "victim@example.com"),
            ("password", "victim's long passphrase"),
            ("password2", "victim's long passphrase"),
        ],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "registration refused: {}",
        r.text().await.unwrap()
    );
    let link = server
        .link_in_mail_to("victim@example.com", "Confirm your email address", "/email/confirm/")
        .await;
    let page = victim.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("is confirmed"), "{page}");
    assert_squatter_locked_out(&server).await;
    let bob = server.store.user_by_username("bob").await.unwrap().unwrap();
    assert_eq!(bob.pending_email, None, "the victim's proof ended the squatter's claim");
}

/// The same attack through a password reset: the squatter's pending address is no reset
/// address, and a reset of an account whose address was never proven removes every sign-in
/// attached to it (here: an unconfirmed registration by the squatter with a Twitter link).
#[tokio::test]
async fn a_reset_through_a_squatted_address_never_leaves_the_squatter_a_way_in() {
    let (server, _sb) = setup("registration:\n  email_confirmation: optional\n").await;
    squat(&server).await;
    let victim = browser();
    crate::support::server::submit(
        &victim,
        &server.url("/password/reset"),
        &server.url("/password/reset"),
        &[("login", "victim@example.com")],
    )
    .await;
    // Nobody has the address yet: only the squatter's change confirmation went there.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !server.mails().iter().any(|m| m.contains("/password/reset/")),
        "a reset link was mailed for the squatter's account"
    );

    // A squatter who registered with the address (unconfirmed, allowed to sign in by this
    // config) and connected Twitter: the victim's reset takes the account over clean.
    let squatter = browser();
    let r = crate::support::server::submit(
        &squatter,
        &server.url("/register"),
        &server.url("/register"),
        &[
            ("username", "squatter2"),
            ("email", "victim@example.com"),
            ("password", "squatter's long passphrase"),
            ("password2", "squatter's long passphrase"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in without confirming");
    let r = connect(&server, &squatter, "twitter", "alice").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    crate::support::server::submit(
        &victim,
        &server.url("/password/reset"),
        &server.url("/password/reset"),
        &[("login", "victim@example.com")],
    )
    .await;
    let link = server
        .link_in_mail_to("victim@example.com", "Reset your password", "/password/reset/")
        .await;
    let r = crate::support::server::submit(
        &victim,
        &link,
        &link,
        &[
            ("password", "victim's new passphrase"),
            ("password2", "victim's new passphrase"),
        ],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(
        page.contains("were removed") && page.contains("Twitter"),
        "the victim is told:\n{page}"
    );
    let taken = server.store.user_by_username("squatter2").await.unwrap().unwrap();
    assert!(server.store.identities_of(taken.id).await.unwrap().is_empty());
    let r = squatter.get(server.url("/account")).send().await.unwrap();
    assert!(location(&r).starts_with("/login"), "the squatter's session ended");
}

/// A password-less account changes its address only right after signing in (ASVS V3.7.1).
#[tokio::test]
async fn a_stale_upstream_session_cannot_change_the_address() {
    let (server, _sb) = setup("").await;
    let b = browser();
    sign_in_with(&server, &b, "twitter", "bob").await;
    let long_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 600;
    server
        .execute_sql("UPDATE sessions SET auth_time = $1", &[long_ago.into()])
        .await;
    let page = server.url("/account");
    let r =
        crate::support::server::submit(&b, &page, &page, &[("first_name", "Bob"), ("email", "bob@example.com")]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("sign in again first"));
    let bob = server.store.user_by_username("bob").await.unwrap().unwrap();
    assert_eq!((bob.email, bob.pending_email), (None, None), "nothing changed");
}

/// An upstream login counts as one factor: a person with a second factor is asked for it,
/// unless the provider is marked `login_is_mfa` (it enforces its own), whose login is both.
#[tokio::test]
async fn an_upstream_login_is_one_factor_unless_the_provider_enforces_its_own() {
    use tessera_core::factors::{RecoveryCodeSet, SecondFactorStore};
    use tessera_core::store::SessionStore;
    let sandbox = tessera_sandbox::start("127.0.0.1:0".parse().unwrap(), SandboxOptions::default())
        .await
        .expect("sandbox");
    let upstreams = upstreams_yaml(&sandbox.base_url()).replace(
        "client_secret: sandbox-oidc-secret }",
        "client_secret: sandbox-oidc-secret, login_is_mfa: true }",
    );
    let server = TestServer::start_configured(&format!("{FAST_PASSWORDS}{upstreams}")).await;
    for (provider, person) in [("twitter", "alice"), ("oidc", "frank")] {
        let first = sign_in_with(&server, &browser(), provider, person).await;
        assert_eq!(location(&first), "/account", "{provider}: a new account, no factor yet");
        let user = server.store.user_by_username(person).await.unwrap().unwrap();
        let now = time::OffsetDateTime::now_utc();
        server.store.begin_totp(user.id, "c2VhbGVk", now).await.unwrap();
        let codes = RecoveryCodeSet::generate();
        let effects = tessera_core::jobs::Effects::none();
        server
            .store
            .confirm_totp_with(user.id, 1, &codes.digests, now, &effects)
            .await
            .unwrap();
        let again = sign_in_with(&server, &browser(), provider, person).await;
        let newest = server.store.sessions_of(user.id).await.unwrap();
        match provider {
            "twitter" => {
                assert_eq!(
                    location(&again),
                    "/login/second-factor",
                    "Twitter's login is one factor"
                );
                assert_eq!(newest.len(), 1, "no session before the second factor");
            }
            _ => {
                assert_eq!(
                    location(&again),
                    "/account",
                    "login_is_mfa: the provider's login is both"
                );
                assert_eq!(newest[0].amr, "fed mfa");
            }
        }
    }
}
