//! Plays the person's browser on a sandbox chooser page: load the login
//! URL, click a test person (or Cancel), and return where the sandbox sends
//! the browser back to (the callback URL with its query).

use url::Url;

/// Why a simulated click did not end at a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseError(pub String);

impl std::fmt::Display for BrowseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sandbox browser: {}", self.0)
    }
}

impl std::error::Error for BrowseError {}

/// Opens `login_url` (a connector's redirect URL), clicks `choice` (a test
/// person's key, or `"cancel"`) and returns the callback URL the sandbox
/// redirects to.
pub async fn choose(login_url: &Url, choice: &str) -> Result<Url, BrowseError> {
    let fail = |m: String| BrowseError(m);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let page = client
        .get(login_url.clone())
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let status = page.status();
    let html = page.text().await.map_err(|e| fail(e.to_string()))?;
    if !status.is_success() {
        return Err(fail(format!("the login page answered {status}: {html}")));
    }
    let marker = format!("data-choice=\"{choice}\" href=\"");
    let start = html
        .find(&marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| fail(format!("no choice {choice:?} on the page")))?;
    let href = html[start..].split('"').next().unwrap_or_default();
    let link = login_url.join(&unescape(href)).map_err(|e| fail(e.to_string()))?;
    let click = client.get(link).send().await.map_err(|e| fail(e.to_string()))?;
    if !click.status().is_redirection() {
        let status = click.status();
        let body = click.text().await.unwrap_or_default();
        return Err(fail(format!("choosing answered {status}: {body}")));
    }
    let location = click
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| fail("redirect without Location".into()))?;
    login_url.join(location).map_err(|e| fail(e.to_string()))
}

/// The query of a callback URL as pairs, as a web framework would give them.
pub fn query_pairs(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().into_owned().collect()
}

/// Undoes [`crate::pages::escape`] for attribute values.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
