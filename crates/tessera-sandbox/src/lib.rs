//! Fake Twitter/X, Facebook, Instagram and OpenID Connect providers on
//! loopback, for development and tests (the internet is not needed). They
//! speak the real protocols and check what real ones check: OAuth 1.0a
//! signatures (RFC 5849), client secrets, redirect URIs, single-use codes,
//! PKCE (RFC 7636), Facebook's `appsecret_proof`, signed ID tokens.
//!
//! | prefix       | speaks                                                               |
//! |--------------|----------------------------------------------------------------------|
//! | `/twitter`   | OAuth 1.0a, v1.1 `verify_credentials`/`friends/ids`/`statuses/update`, v2 `/2/tweets`, X OAuth 2.0 (`/i/oauth2/authorize`, `/2/oauth2/token`, `/2/users/me`) |
//! | `/facebook`  | `/dialog/oauth`, Graph API under `/graph` (`/oauth/access_token`, `/me`, `/me/friends`) |
//! | `/instagram` | `/oauth/authorize`, `/oauth/access_token`, Graph under `/graph` (`/access_token`, `/refresh_access_token`, `/me`) |
//! | `/oidc`      | discovery, `/jwks`, `/authorize`, `/token`, `/userinfo`               |
//!
//! Every authorize endpoint shows a "choose a test person" page ([`people`])
//! with a Cancel link that produces the provider's real cancel callback.
//! Tests steer a running sandbox through [`SandboxState`]: queue failures
//! ([`SandboxState::fail_next`]), revoke tokens, read posts, make the OIDC
//! provider lie. [`browser::choose`] plays the person's browser.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = tessera_sandbox::start(([127, 0, 0, 1], 0).into(), Default::default()).await?;
//! let config = sandbox.twitter_config("twitter"); // a tessera_upstream::twitter::Config
//! # Ok(()) }
//! ```

pub mod browser;

mod configs;
mod error;
mod facebook;
mod failure;
mod instagram;
mod oauth2;
mod oidc;
mod options;
mod pages;
mod people;
mod router;
mod state;
mod twitter_api;
mod twitter_oauth1;

use std::net::SocketAddr;
use std::ops::Deref;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use options::{ClientCredentials, Failure, OidcMisbehavior, Provider, SandboxOptions};
pub use people::{TestPerson, people, people_of};
pub use router::router;
pub use state::{Post, SandboxState};

/// A running sandbox. Derefs to its [`SandboxState`] for steering; stops
/// when dropped or on [`Sandbox::shutdown`].
pub struct Sandbox {
    state: SandboxState,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `addr` (use port 0 for any free port) and serves every fake
/// provider there.
pub async fn start(addr: SocketAddr, options: SandboxOptions) -> std::io::Result<Sandbox> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let base = url::Url::parse(&format!("http://{addr}")).map_err(std::io::Error::other)?;
    let state = SandboxState::new(options, &base);
    let app = router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            eprintln!("tessera-sandbox: server error: {e}");
        }
    });
    Ok(Sandbox {
        state,
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}

impl Sandbox {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.state.shared.base.clone()
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Deref for Sandbox {
    type Target = SandboxState;

    fn deref(&self) -> &SandboxState {
        &self.state
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
