//! The "choose a test person" pages every fake authorize endpoint shows.
//! Each choice and the Cancel link is a plain link (`data-choice="…"`), so a
//! person clicks and a test follows it (see [`crate::browser`]).

use axum::response::Html;

use crate::Provider;
use crate::people::people_of;

/// HTML-escapes text for element content and quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The chooser for `provider`. `choose_url(key)` gives the link that signs
/// in as that person; `cancel_url` the link that cancels.
pub(crate) fn chooser(
    provider: Provider,
    title: &str,
    client: &str,
    choose_url: impl Fn(&str) -> String,
    cancel_url: &str,
) -> Html<String> {
    let mut items = String::new();
    for person in people_of(provider) {
        let label = match person.username {
            Some(u) if provider == Provider::Twitter => format!("@{u}"),
            Some(u) => format!("{} ({u})", person.name),
            None => person.name.to_owned(),
        };
        items.push_str(&format!(
            "<li><a class=\"person\" data-choice=\"{}\" href=\"{}\">{}</a> <small>{}</small></li>\n",
            escape(person.key),
            escape(&choose_url(person.key)),
            escape(&label),
            escape(person.note),
        ));
    }
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} (sandbox)</title></head>\n\
         <body>\n<h1>{title} <small>sandbox</small></h1>\n\
         <p><strong>{client}</strong> wants you to sign in. Choose a test person:</p>\n\
         <ul>\n{items}</ul>\n<p><a class=\"cancel\" data-choice=\"cancel\" href=\"{cancel}\">Cancel</a></p>\n\
         </body></html>\n",
        title = escape(title),
        client = escape(client),
        cancel = escape(cancel_url),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_dangerous() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn lists_people_and_cancel() {
        let Html(page) = chooser(
            Provider::Twitter,
            "Twitter",
            "app<1>",
            |k| format!("/c?p={k}&x=1"),
            "/cancel?a=1&b=2",
        );
        assert!(
            page.contains("data-choice=\"alice\" href=\"/c?p=alice&amp;x=1\">@alice</a>"),
            "{page}"
        );
        assert!(page.contains("data-choice=\"bob\""));
        assert!(page.contains("href=\"/cancel?a=1&amp;b=2\">Cancel</a>"));
        assert!(page.contains("app&lt;1&gt;"));
        assert!(!page.contains("carol"));
    }
}
