//! How a sign-in link reaches the helpdesk.
//!
//! Most protocols are a plain redirect. Zendesk JWT can also be posted, which
//! keeps the token out of browser history and server logs (Zendesk's own
//! advice); the web layer renders [`Delivery::PostForm`] as an
//! auto-submitting HTML form.

use url::Url;

/// What the web layer should send the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Answer with a redirect (303) to this URL.
    Redirect(Url),
    /// Answer with an auto-submitting form that POSTs `fields`
    /// (`application/x-www-form-urlencoded`) to `action`.
    PostForm {
        /// Where the form posts to.
        action: Url,
        /// Field names and values, in order. The web layer must HTML-escape
        /// them when rendering.
        fields: Vec<(String, String)>,
    },
}
