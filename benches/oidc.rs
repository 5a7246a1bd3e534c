//! OpenID Connect endpoint throughput and latency, on SQLite and (when
//! TESSERA_BENCH_POSTGRES_URL is set) PostgreSQL, next to the raw signature rate of the same
//! key types on this machine. Run: `cargo bench --bench oidc`; figures in docs/benchmarks.md.
//! The load generator shares the machine (and its cores) with the server: figures are a floor.

mod support;

use std::time::{Duration, Instant};

use tessera_core::password::{Argon2Cost, hash_password};
use tessera_oidc::{SigningAlg, SigningKey};

const SECONDS: u64 = 5;
const CONCURRENCY: usize = 16;
const SECRET: &str = "bench-client-secret-0123456789";
const CALLBACK: &str = "http://127.0.0.1:9000/cb";

struct Figures {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `request` from CONCURRENCY tasks for SECONDS; each task has its own state `S`.
async fn load<S, F, Fut>(states: Vec<S>, request: F) -> Figures
where
    S: Send + 'static,
    F: Fn(reqwest::Client, S) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = S> + Send,
{
    let start = Instant::now();
    let tasks: Vec<_> = states
        .into_iter()
        .map(|mut s| {
            let request = request.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut latencies = Vec::new();
                while start.elapsed() < Duration::from_secs(SECONDS) {
                    let t = Instant::now();
                    s = request(client.clone(), s).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pick = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    Figures {
        rps: all.len() as f64 / elapsed,
        p50: pick(0.5),
        p99: pick(0.99),
    }
}

async fn form(client: &reqwest::Client, url: &str, auth: (&str, &str), fields: &[(&str, &str)]) -> serde_json::Value {
    let r = client
        .post(url)
        .basic_auth(auth.0, Some(auth.1))
        .form(fields)
        .send()
        .await
        .expect("request");
    assert!(r.status().is_success(), "{} {}", r.status(), url);
    r.json().await.expect("json")
}

/// One browser sign-in through the code flow (first-party client: no consent), giving tokens.
async fn sign_in(base: &str) -> serde_json::Value {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();
    let start = format!(
        "{base}/authorize?response_type=code&client_id=rs&redirect_uri={}&scope=openid%20profile%20offline_access",
        urlencoding::encode(CALLBACK)
    );
    let r = browser.get(&start).send().await.unwrap();
    let r = browser.get(format!("{base}{}", location(&r))).send().await.unwrap();
    let login = location(&r);
    let html = browser
        .get(format!("{base}{login}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = support::csrf_of(&html);
    let next: String = url::Url::parse(&format!("{base}{login}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    let r = browser
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "bench"),
            ("password", support::PASSWORD),
            ("next", next.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let r = browser.get(format!("{base}{}", location(&r))).send().await.unwrap();
    let code: String = url::Url::parse(&location(&r))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    form(
        &reqwest::Client::new(),
        &format!("{base}/token"),
        ("rs", SECRET),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await
}

/// The bench clients: `rs` (RS256, every grant), `es` (ES256, client credentials), and `hs`,
/// `rs`'s twin for client credentials whose configuration keeps only an argon2id hash of the
/// secret, at the production cost.
fn clients_yaml() -> String {
    let hash = hash_password(&Argon2Cost::default(), SECRET).expect("hash");
    format!(
        "clients:\n  - {{ id: rs, secret: {SECRET}, first_party: true, redirect_uris: ['{CALLBACK}'], grant_types: [authorization_code, refresh_token, client_credentials], scopes: [openid, profile, offline_access] }}\n  \
- {{ id: es, secret: {SECRET}, first_party: true, redirect_uris: ['{CALLBACK}'], grant_types: [client_credentials], scopes: [profile], id_token_signed_response_alg: ES256 }}\n  \
- {{ id: hs, secret_hash: '{hash}', first_party: true, redirect_uris: ['{CALLBACK}'], grant_types: [client_credentials], scopes: [profile] }}\n"
    )
}

fn report(backend: &str, name: &str, f: Figures) {
    println!(
        "{backend:<8} {name:<26} {:>8.0} req/s   p50 {:>9.2?}   p99 {:>9.2?}",
        f.rps, f.p50, f.p99
    )
}

async fn run(backend: &str, database_url: String) {
    let server = support::start(Some(database_url), &clients_yaml(), Default::default()).await;
    let base = server.base.clone();
    let mut sessions = Vec::new();
    for _ in 0..CONCURRENCY {
        sessions.push(sign_in(&base).await);
    }
    let access = sessions[0]["access_token"].as_str().unwrap().to_owned();
    let report = |name: &str, f: Figures| report(backend, name, f);
    static_documents(&base, report).await;
    client_credentials(&base, report).await;
    hashed_secret(backend, &base, report).await;
    refresh(&base, &sessions, report).await;
    userinfo(&base, access, report).await;
    introspect(&base, report).await;
}

async fn static_documents(base: &str, report: impl Fn(&str, Figures)) {
    let get = |path: &'static str| {
        let url = format!("{base}{path}");
        move |c: reqwest::Client, (): ()| {
            let url = url.clone();
            async move {
                c.get(&url).send().await.unwrap().bytes().await.unwrap();
            }
        }
    };
    report(
        "discovery",
        load(vec![(); CONCURRENCY], get("/.well-known/openid-configuration")).await,
    );
    report("jwks", load(vec![(); CONCURRENCY], get("/jwks")).await);
}

/// CONCURRENCY clients asking for `client_credentials` tokens as `client` for SECONDS.
async fn client_credentials_load(base: &str, client: &'static str) -> Figures {
    let url = format!("{base}/token");
    load(vec![(); CONCURRENCY], move |c, ()| {
        let url = url.clone();
        async move {
            form(&c, &url, (client, SECRET), &[("grant_type", "client_credentials")]).await;
        }
    })
    .await
}

async fn client_credentials(base: &str, report: impl Fn(&str, Figures)) {
    report("client_credentials RS256", client_credentials_load(base, "rs").await);
    report("client_credentials ES256", client_credentials_load(base, "es").await);
}

/// `hs` (hashed secret) against `rs` (plain secret), same key and grant: the first `hs`
/// request runs argon2 (timed alone), later ones are answered by the verified-secret cache.
/// Rounds alternate, and each hashed round is divided by the plain round just before it, so
/// both sides of a ratio see the same machine; the figure is the median ratio.
async fn hashed_secret(backend: &str, base: &str, report: impl Fn(&str, Figures)) {
    const ROUNDS: usize = 5;
    let first = Instant::now();
    form(
        &reqwest::Client::new(),
        &format!("{base}/token"),
        ("hs", SECRET),
        &[("grant_type", "client_credentials")],
    )
    .await;
    println!(
        "{backend:<8} first hashed-secret request (argon2id) {:>9.2?}",
        first.elapsed()
    );
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let plain = client_credentials_load(base, "rs").await;
        let hashed = client_credentials_load(base, "hs").await;
        ratios.push(hashed.rps / plain.rps);
        report(&format!("cc plain secret, round {round}"), plain);
        report(&format!("cc hashed secret, round {round}"), hashed);
    }
    let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.3}")).collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "{backend:<8} client_credentials RS256 hashed/plain: median {:.3} (rounds {})",
        ratios[ROUNDS / 2],
        shown.join(", ")
    );
}

async fn refresh(base: &str, sessions: &[serde_json::Value], report: impl Fn(&str, Figures)) {
    let url = format!("{base}/token");
    let refresh_tokens: Vec<String> = sessions
        .iter()
        .map(|s| s["refresh_token"].as_str().unwrap().to_owned())
        .collect();
    let f = load(refresh_tokens, move |c, token: String| {
        let url = url.clone();
        async move {
            let r = form(
                &c,
                &url,
                ("rs", SECRET),
                &[("grant_type", "refresh_token"), ("refresh_token", &token)],
            )
            .await;
            r["refresh_token"].as_str().unwrap().to_owned()
        }
    })
    .await;
    report("refresh_token (rotating)", f);
}

async fn userinfo(base: &str, access: String, report: impl Fn(&str, Figures)) {
    let url = format!("{base}/userinfo");
    let token = access;
    let f = load(vec![(); CONCURRENCY], move |c, ()| {
        let (url, token) = (url.clone(), token.clone());
        async move {
            let r = c.get(&url).bearer_auth(&token).send().await.unwrap();
            assert!(r.status().is_success());
        }
    })
    .await;
    report("userinfo", f);
}

async fn introspect(base: &str, report: impl Fn(&str, Figures)) {
    // The access token of the sign-ins was rotated away by the refresh run; use a fresh one.
    let fresh = form(
        &reqwest::Client::new(),
        &format!("{base}/token"),
        ("rs", SECRET),
        &[("grant_type", "client_credentials")],
    )
    .await;
    let token = fresh["access_token"].as_str().unwrap().to_owned();
    let url = format!("{base}/introspect");
    let f = load(vec![(); CONCURRENCY], move |c, ()| {
        let (url, token) = (url.clone(), token.clone());
        async move {
            let r = form(&c, &url, ("rs", SECRET), &[("token", &token)]).await;
            assert_eq!(r["active"], true);
        }
    })
    .await;
    report("introspect", f);
}

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for alg in [SigningAlg::Rs256, SigningAlg::Es256] {
        println!("raw {} signatures on {cores} threads: {:.0} /s", alg.as_str(), {
            let key = SigningKey::generate(alg).expect("key");
            let claims = serde_json::json!({"iss": "https://bench", "sub": "x", "exp": 2_000_000_000, "jti": "j"});
            support::rate::per_second(cores, SECONDS, move || {
                key.sign_jwt("at+jwt", &claims).expect("sign");
            })
        });
    }
    let dir = tempfile::tempdir().expect("temp dir");
    run("sqlite", format!("sqlite://{}/bench.db", dir.path().display())).await;
    if let Ok(admin) = std::env::var("TESSERA_BENCH_POSTGRES_URL") {
        use sqlx::Connection;
        let name = format!("tessera_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("postgres");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create db");
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(&format!("/{name}"));
        run("postgres", url.to_string()).await;
    } else {
        println!("postgres: skipped (set TESSERA_BENCH_POSTGRES_URL)");
    }
}
