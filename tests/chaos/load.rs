//! The mixed load the scenarios run: workers going round the nodes and the operations a
//! family of apps and people cause (password logins, registrations, consents, code flows,
//! refreshes, userinfo, client credentials, helpdesk redirects, upstream sign-ins and
//! identity links), tallying every answer and remembering what the servers acknowledged.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::sync::watch;

use crate::oidc::{CALLBACK, DEMO_SECRET, code_for};
use crate::support::Served;
use crate::support::people::PASSWORD;
use crate::support::process::ServeProcess;
use crate::support::server::{browser, location};

/// What the load is doing while the database is in a given state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    Up,
    Restarting,
    Down,
}

#[derive(Default)]
pub(super) struct Tally {
    /// (phase, operation, status) → count; status 0 is a transport error.
    pub answers: BTreeMap<(Phase, &'static str, u16), u64>,
    /// The slowest answer per phase.
    pub slowest: BTreeMap<Phase, Duration>,
    /// Registrations the server acknowledged (303): they must all be there afterwards.
    pub registered: Vec<String>,
    /// People whose consent to the demo app was acknowledged (the redirect with a code).
    pub consented: Vec<String>,
    /// Why refreshes were refused (the first few), for the summary.
    pub refused_refreshes: Vec<String>,
    /// Acknowledged links or unlinks that /account later disagreed with.
    pub links_lost: Vec<String>,
}

/// The operations of the mix, in the order each worker goes round them.
const MIX: usize = 11;

/// A sandbox account a worker connects to jane's account and disconnects again, in turn.
#[derive(Clone, Copy, Debug)]
pub(super) struct LinkPerson {
    pub provider: &'static str,
    pub subject: &'static str,
    key: &'static str,
}

/// One per provider, so that each worker's link toggles independently of the others'.
const LINKED: [LinkPerson; 3] = [
    LinkPerson {
        provider: "twitter",
        subject: "1002",
        key: "bob",
    },
    LinkPerson {
        provider: "facebook",
        subject: "2002",
        key: "dave",
    },
    LinkPerson {
        provider: "oidc",
        subject: "grace-4002",
        key: "grace",
    },
];

/// Sandbox people who sign in with their provider (one per protocol: OAuth 1.0a, Facebook,
/// Instagram, OpenID Connect): the first sign-in creates their account, possibly on several
/// nodes at once; every later one signs in to that account.
const SIGNING_IN: [(&str, &str); 4] = [
    ("twitter", "alice"),
    ("facebook", "carol"),
    ("instagram", "erin_photos"),
    ("oidc", "frank"),
];

pub(super) struct Load {
    pub phase: watch::Sender<Phase>,
    stop: watch::Sender<bool>,
    tally: Arc<Mutex<Tally>>,
    workers: tokio::task::JoinSet<Worker>,
}

/// A server by its base URL (a node, or the load balancer in front of them).
pub(super) struct Base(pub String);

impl Served for Base {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

impl Load {
    /// `workers` tasks, each going round the nodes and the operations, each with its own
    /// refresh-token family.
    pub async fn start(nodes: &[ServeProcess], workers: usize) -> Self {
        let bases: Vec<String> = nodes.iter().map(|n| n.url("")).collect();
        Self::start_on(&bases, workers).await
    }

    /// [`Load::start`] on the servers at `bases` (nodes, or a load balancer).
    pub async fn start_on(bases: &[String], workers: usize) -> Self {
        let (phase, phases) = watch::channel(Phase::Up);
        let (stop, stopped) = watch::channel(false);
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut tasks = tokio::task::JoinSet::new();
        for id in 0..workers {
            let worker = Worker::signed_in(id, bases, phases.clone(), Arc::clone(&tally)).await;
            tasks.spawn(worker.run(stopped.clone()));
        }
        Self {
            phase,
            stop,
            tally,
            workers: tasks,
        }
    }

    /// Stops the workers: what they were answered, and the workers (their last tokens and
    /// links) for the checks afterwards.
    pub async fn finish(self) -> (Tally, Vec<Worker>) {
        let _ = self.stop.send(true);
        let workers = self.workers.join_all().await;
        let tally = std::mem::take(&mut *self.tally.lock().expect("tally"));
        (tally, workers)
    }
}

pub(super) struct Worker {
    id: usize,
    bases: Vec<String>,
    http: reqwest::Client,
    /// Signed in as jane, who has consented to the demo app.
    browser: reqwest::Client,
    /// The newest refresh token this worker was given.
    pub refresh: String,
    /// A refresh whose answer was lost (the node died, the proxy gave up): the server may
    /// have rotated the token, so the one kept may be spent.
    pub refresh_uncertain: bool,
    /// The newest access token this worker was given.
    access: String,
    /// This worker's sandbox account and whether it is linked to jane as far as the worker
    /// knows (`None`: an answer was lost, the next link operation looks first).
    pub link: Option<(LinkPerson, Option<bool>)>,
    phases: watch::Receiver<Phase>,
    tally: Arc<Mutex<Tally>>,
}

/// A browser signed in as jane that has consented to the demo app, and the tokens of that
/// first code flow on `node`: (browser, refresh token, access token).
async fn signed_in_app(node: &impl Served) -> (reqwest::Client, String, String) {
    let browser = browser();
    let code = code_for(node, &browser, "demo-app", CALLBACK, "openid offline_access", "").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, answer, _) = crate::oidc::token_request(node, Some(("demo-app", DEMO_SECRET)), &form).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = |name: &str| answer[name].as_str().expect("a token").to_owned();
    (browser, token("refresh_token"), token("access_token"))
}

impl Worker {
    /// Worker `id`, signed in as jane on one of `bases`, tallying into `tally`.
    pub async fn signed_in(
        id: usize,
        bases: &[String],
        phases: watch::Receiver<Phase>,
        tally: Arc<Mutex<Tally>>,
    ) -> Self {
        let (browser, refresh, access) = signed_in_app(&Base(bases[id % bases.len()].clone())).await;
        Worker {
            id,
            bases: bases.to_vec(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            browser,
            refresh,
            refresh_uncertain: false,
            access,
            link: LINKED.get(id).map(|p| (*p, Some(false))),
            phases,
            tally,
        }
    }

    async fn run(mut self, stop: watch::Receiver<bool>) -> Self {
        let mut round = 0usize;
        while !*stop.borrow() {
            let base = self.bases[(self.id + round) % self.bases.len()].clone();
            let phase = *self.phases.borrow();
            let started = Instant::now();
            let (operation, status) = self.one(&base, round).await;
            let took = started.elapsed();
            // A request that ran while the database changed state counts as a restart's.
            let phase = if phase == *self.phases.borrow() {
                phase
            } else {
                Phase::Restarting
            };
            {
                let mut tally = self.tally.lock().expect("tally");
                *tally.answers.entry((phase, operation, status)).or_default() += 1;
                let slowest = tally.slowest.entry(phase).or_default();
                *slowest = (*slowest).max(took);
            }
            round += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self
    }

    /// Operation `round` of the mix on `base`: its name and the status it ended with.
    pub async fn one(&mut self, base: &str, round: usize) -> (&'static str, u16) {
        // How many times this worker went round the whole mix: varies who signs in and
        // which flows are abandoned.
        let lap = round / MIX;
        match round % MIX {
            0 => ("login", self.login(base).await),
            1 => ("client_credentials", self.client_credentials(base).await),
            2 => ("refresh", self.refresh(base).await),
            3 => ("register", self.register(base, round).await),
            4 => ("userinfo", self.userinfo(base).await),
            5 => ("code_flow", self.code_flow(base).await),
            6 => ("helpdesk", self.helpdesk(base).await),
            7 => ("upstream", self.upstream(base, lap).await),
            8 => ("consent", self.consent(base, round, lap).await),
            9 if self.link.is_some() => ("link", self.toggle_link(base).await),
            9 => ("upstream", self.upstream(base, lap + 1).await),
            _ => (
                "discovery",
                self.get(&format!("{base}/.well-known/openid-configuration")).await,
            ),
        }
    }

    async fn userinfo(&self, base: &str) -> u16 {
        self.http
            .get(format!("{base}/userinfo"))
            .bearer_auth(&self.access)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    /// An app's sign-in for the signed-in browser (`prompt=none`: consent is remembered),
    /// then the code's exchange: the status of the step that did not succeed, or the token
    /// endpoint's. The new family's refresh token replaces the worker's.
    async fn code_flow(&mut self, base: &str) -> u16 {
        let start = authorize_url(base, "openid offline_access", "&prompt=none");
        let code = match follow_to_code(&self.browser, base, start, None).await {
            Ok(code) => code,
            Err(status) => return status,
        };
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
        ];
        let answer = self
            .http
            .post(format!("{base}/token"))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&form)
            .send()
            .await;
        let Ok(answer) = answer else { return 0 };
        let status = answer.status().as_u16();
        if let Ok(body) = answer.json::<serde_json::Value>().await
            && let (Some(access), Some(refresh)) = (body["access_token"].as_str(), body["refresh_token"].as_str())
        {
            self.access = access.to_owned();
            self.refresh = refresh.to_owned();
            self.refresh_uncertain = false;
        }
        status
    }

    /// A helpdesk sign-in for the signed-in browser: a redirect to the helpdesk with a JWT.
    async fn helpdesk(&self, base: &str) -> u16 {
        self.browser
            .get(format!(
                "{base}/remote-auth/desk?return_to=https%3A%2F%2Fdesk.example.com%2Fhc"
            ))
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    async fn get(&self, url: &str) -> u16 {
        self.http.get(url).send().await.map_or(0, |r| r.status().as_u16())
    }

    /// The login form with a fresh cookie jar: its CSRF token, then the POST.
    async fn login(&self, base: &str) -> u16 {
        let client = browser();
        let csrf = match csrf(&client, &format!("{base}/login")).await {
            Ok(csrf) => csrf,
            Err(status) => return status,
        };
        let form = [("csrf", csrf.as_str()), ("login", "jane"), ("password", PASSWORD)];
        client
            .post(format!("{base}/login"))
            .form(&form)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    async fn client_credentials(&self, base: &str) -> u16 {
        self.http
            .post(format!("{base}/token"))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    /// Rotates this worker's refresh token; keeps the old one unless the rotation answered.
    async fn refresh(&mut self, base: &str) -> u16 {
        let answer = self
            .http
            .post(format!("{base}/token"))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", self.refresh.as_str()),
            ])
            .send()
            .await;
        let Ok(answer) = answer else {
            self.refresh_uncertain = true;
            return 0;
        };
        let status = answer.status().as_u16();
        let body = answer.json::<serde_json::Value>().await.unwrap_or_default();
        if let Some(access) = body["access_token"].as_str() {
            self.access = access.to_owned();
        }
        match body["refresh_token"].as_str() {
            Some(next) if status == 200 => {
                self.refresh = next.to_owned();
                self.refresh_uncertain = false;
            }
            // While the database is away a 503 is the expected answer (nothing rotated).
            _ if status == 503 => {}
            // The proxy's own answer: the node died with the request (rotated or not).
            _ if status == 502 || status == 504 => self.refresh_uncertain = true,
            _ => {
                let mut tally = self.tally.lock().expect("tally");
                if tally.refused_refreshes.len() < 5 {
                    tally
                        .refused_refreshes
                        .push(format!("worker {}: {status} {body}", self.id));
                }
            }
        }
        status
    }

    async fn register(&self, base: &str, round: usize) -> u16 {
        let username = format!("load{}x{round}", self.id);
        let status = register_in(&browser(), base, &username).await;
        if status == 303 {
            self.tally.lock().expect("tally").registered.push(username);
        }
        status
    }

    /// A new person registers (and is signed in) and allows the demo app on its consent
    /// page; every third walks away from the consent page instead, leaving a pending
    /// authorization for the clean-up.
    async fn consent(&self, base: &str, round: usize, lap: usize) -> u16 {
        let username = format!("consent{}x{round}", self.id);
        let person = browser();
        let status = register_in(&person, base, &username).await;
        if status != 303 {
            return status;
        }
        self.tally.lock().expect("tally").registered.push(username.clone());
        let decision = if lap % 3 == 2 { None } else { Some("allow") };
        match follow_to_code(&person, base, authorize_url(base, "openid", ""), decision).await {
            Ok(_) => {
                self.tally.lock().expect("tally").consented.push(username);
                303
            }
            Err(status) => status,
        }
    }

    /// A sign-in with a sandbox provider in a fresh browser, ending signed in (303); every
    /// third is abandoned at the provider (a closed tab), leaving a pending upstream login for
    /// the clean-up.
    async fn upstream(&self, base: &str, lap: usize) -> u16 {
        let (provider, person) = SIGNING_IN[(self.id + lap) % SIGNING_IN.len()];
        let browser = browser();
        let Ok(start) = browser.get(format!("{base}/login/{provider}")).send().await else {
            return 0;
        };
        if start.status() != StatusCode::SEE_OTHER || lap % 3 == 2 {
            return start.status().as_u16();
        }
        through_provider(&browser, &start, person).await
    }

    /// Connects this worker's sandbox account to jane's, or disconnects it, whichever it is
    /// not; looks at /account first when the last answer was lost.
    async fn toggle_link(&mut self, base: &str) -> u16 {
        let Some((person, known)) = self.link else {
            return 0;
        };
        let account = format!("{base}/account");
        let page = match self.browser.get(&account).send().await {
            Ok(page) if page.status() == StatusCode::OK => page.text().await.unwrap_or_default(),
            Ok(page) => return page.status().as_u16(),
            Err(_) => return 0,
        };
        let shown = page.contains(&format!("name=\"subject\" value=\"{}\"", person.subject));
        if known.is_some_and(|linked| linked != shown) {
            let mut tally = self.tally.lock().expect("tally");
            tally.links_lost.push(format!(
                "worker {}: {person:?} linked: {known:?}, shown: {shown}",
                self.id
            ));
        }
        let linked = shown;
        let Some(csrf) = form_value(&page, "csrf") else {
            return 422;
        };
        let status = if linked {
            let form = [
                ("csrf", csrf.as_str()),
                ("provider", person.provider),
                ("subject", person.subject),
            ];
            let answer = self
                .browser
                .post(format!("{base}/account/disconnect"))
                .form(&form)
                .send()
                .await;
            answer.map_or(0, |r| r.status().as_u16())
        } else {
            let answer = self
                .browser
                .post(format!("{base}/account/connect/{}", person.provider))
                .form(&[("csrf", csrf.as_str())])
                .send()
                .await;
            match answer {
                Ok(start) if start.status() == StatusCode::SEE_OTHER => {
                    through_provider(&self.browser, &start, person.key).await
                }
                Ok(refused) => refused.status().as_u16(),
                Err(_) => 0,
            }
        };
        // Only a definite answer says what the link is now.
        self.link = Some((person, (status == 303).then_some(!linked)));
        status
    }
}

/// The demo app's authorization request on `base` for `scope`, with `extra` parameters.
fn authorize_url(base: &str, scope: &str, extra: &str) -> String {
    format!(
        "{base}/authorize?response_type=code&client_id=demo-app&redirect_uri={}&scope={}&state=s{extra}",
        urlencoding::encode(CALLBACK),
        urlencoding::encode(scope)
    )
}

/// Follows an authorization request in `browser` (signed in) through Tessera's redirects to
/// the app's callback: its code, or the status of the step that did not get there. A consent
/// page is answered with `decision`; without one the person walks away (the page's 200).
async fn follow_to_code(
    browser: &reqwest::Client,
    base: &str,
    start: String,
    decision: Option<&str>,
) -> Result<String, u16> {
    let mut next = start;
    for _ in 0..4 {
        let answer = browser.get(&next).send().await.map_err(|_| 0u16)?;
        let status = answer.status();
        let to = if status == StatusCode::SEE_OTHER {
            location(&answer)
        } else {
            let page = answer.text().await.map_err(|_| 0u16)?;
            let (Some(decision), Some(csrf), Some(id)) = (decision, form_value(&page, "csrf"), form_value(&page, "id"))
            else {
                return Err(status.as_u16());
            };
            let form = [("csrf", csrf.as_str()), ("id", id.as_str()), ("decision", decision)];
            let answer = browser
                .post(format!("{base}/consent"))
                .form(&form)
                .send()
                .await
                .map_err(|_| 0u16)?;
            if answer.status() != StatusCode::SEE_OTHER {
                return Err(answer.status().as_u16());
            }
            location(&answer)
        };
        if to.starts_with('/') {
            next = format!("{base}{to}");
            continue;
        }
        return crate::oidc::query(&to).remove("code").ok_or(400);
    }
    Err(508)
}

/// The rest of an upstream round trip `start` (Tessera's redirect to the sandbox): `person`
/// chosen on the sandbox's page, then Tessera's callback in `browser`, and its status (303
/// when signed in or linked). 0 when the sandbox refused: the round trip is broken.
async fn through_provider(browser: &reqwest::Client, start: &reqwest::Response, person: &str) -> u16 {
    let Ok(at_provider) = url::Url::parse(&location(start)) else {
        return 0;
    };
    let Ok(callback) = tessera_sandbox::browser::choose(&at_provider, person).await else {
        return 0;
    };
    browser
        .get(callback.as_str())
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// The registration form in `client` for `username` (address `USERNAME@example.com`): the
/// status it ended with. Post/redirect/get: an accepted registration is a 303 (signed in:
/// the scenarios' confirmation is optional).
pub(super) async fn register_in(client: &reqwest::Client, base: &str, username: &str) -> u16 {
    let csrf = match csrf(client, &format!("{base}/register")).await {
        Ok(csrf) => csrf,
        Err(status) => return status,
    };
    let email = format!("{username}@example.com");
    let form = [
        ("csrf", csrf.as_str()),
        ("username", username),
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ];
    client
        .post(format!("{base}/register"))
        .form(&form)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// The CSRF token of a form page, or the page's status when it has none (0: no answer).
pub(super) async fn csrf(client: &reqwest::Client, url: &str) -> Result<String, u16> {
    let page = client.get(url).send().await.map_err(|_| 0u16)?;
    let status = page.status().as_u16();
    let html = page.text().await.map_err(|_| 0u16)?;
    form_value(&html, "csrf").ok_or(status)
}

/// The value of the first form field named `name` on a page.
fn form_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    html[start..].split('"').next().map(str::to_owned)
}
