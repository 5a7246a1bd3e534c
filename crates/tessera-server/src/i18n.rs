//! Translations: every page and mail string comes from a Project Fluent catalog
//! (`locales/<language>/*.ftl`), in the language the person reading it chose.
//!
//! The language of a request is picked once, by [`scope_request`] around the page router:
//! OpenID Connect `ui_locales` (remembered for the browser session by `/authorize`), then the
//! language picker's cookie, then `Accept-Language` (RFC 9110 §12.5.4), then
//! `branding.default_language`. It is held in a task-local for the request, so a handler says
//! `tr!("login-wrong-password")` without passing a language around; a mail job carries the
//! language of the request that queued it. Outside any request (the CLI, a job from before
//! languages were recorded) texts are in the default language.
//!
//! A theme folder's `locales/<language>/*.ftl` overrides built-in messages of that language or
//! adds a language; a message missing from a language falls back to English.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The cookie the language picker sets (a year; a preference, not a secret).
pub const PICKER_COOKIE: &str = "tessera_lang";
/// The cookie `/authorize` sets from `ui_locales` for the rest of the browser session.
pub const UI_LOCALES_COOKIE: &str = "tessera_ui_locales";

macro_rules! builtin_catalogs {
    ($($lang:literal => [$($file:literal),* $(,)?]),* $(,)?) => {
        &[$(($lang, &[$(($file, include_str!(concat!("../locales/", $lang, "/", $file)))),*])),*]
    };
}

/// The languages Tessera ships, English first (the fallback), each complete: a test fails
/// when a catalog lacks a message English has.
pub const BUILTIN: &[(&str, &[(&str, &str)])] = builtin_catalogs!(
    "en" => ["pages.ftl", "account.ftl", "messages.ftl", "mail.ftl"],
    "de" => ["pages.ftl", "account.ftl", "messages.ftl", "mail.ftl"],
    "fr" => ["pages.ftl", "account.ftl", "messages.ftl", "mail.ftl"],
    "es" => ["pages.ftl", "account.ftl", "messages.ftl", "mail.ftl"],
);

struct Language {
    tag: String,
    /// The language's own name ("Deutsch"), for the picker: message `language-name`.
    name: String,
    bundle: FluentBundle<FluentResource>,
}

/// Every language's catalog, loaded once per configuration (a reload loads them again).
pub struct Catalogs {
    languages: Vec<Language>,
    default: usize,
}

/// The language one request or mail is in: an index into [`Catalogs`].
#[derive(Clone)]
pub struct Speaker {
    catalogs: Arc<Catalogs>,
    index: usize,
}

tokio::task_local! {
    static SPEAKER: Speaker;
}

/// The built-in catalogs alone (English default), for texts made outside any request.
fn builtin() -> &'static Arc<Catalogs> {
    static BUILTIN_CATALOGS: std::sync::OnceLock<Arc<Catalogs>> = std::sync::OnceLock::new();
    BUILTIN_CATALOGS.get_or_init(|| Arc::new(Catalogs::load(None, "en").expect("the built-in catalogs parse (tested)")))
}

impl Catalogs {
    /// The built-in catalogs, then the theme folder's. A theme file that does not parse, or a
    /// default language that no catalog has, is an error naming the file or the language.
    pub fn load(theme_dir: Option<&Path>, default_language: &str) -> Result<Self, String> {
        let mut languages: Vec<Language> = Vec::new();
        for (tag, files) in BUILTIN {
            let language = language(&mut languages, tag)?;
            for (file, source) in *files {
                add(
                    &mut languages[language].bundle,
                    source,
                    &format!("built-in {tag}/{file}"),
                )?;
            }
        }
        if let Some(dir) = theme_dir {
            for (tag, path, source) in theme_catalogs(&dir.join("locales"))? {
                let language = language(&mut languages, &tag)?;
                add(&mut languages[language].bundle, &source, &path)?;
            }
        }
        for language in &mut languages {
            language.name = message(&language.bundle, "language-name", None).unwrap_or_else(|| language.tag.clone());
        }
        let default = languages
            .iter()
            .position(|l| l.tag == default_language)
            .ok_or_else(|| {
                format!(
                    "branding.default_language: no catalog for {default_language:?}; Tessera has {}",
                    languages.iter().map(|l| l.tag.as_str()).collect::<Vec<_>>().join(", ")
                )
            })?;
        Ok(Self { languages, default })
    }

    /// The languages, as (tag, own name), for the picker.
    pub fn languages(&self) -> Vec<(String, String)> {
        self.languages.iter().map(|l| (l.tag.clone(), l.name.clone())).collect()
    }

    /// The first of `preferred` (tags, best first) a catalog has, matching `de-AT` to `de`;
    /// `None` when none is.
    pub fn pick<'a>(&self, preferred: impl IntoIterator<Item = &'a str>) -> Option<usize> {
        for wanted in preferred {
            let Ok(wanted) = wanted.trim().parse::<LanguageIdentifier>() else {
                continue;
            };
            let exact = self
                .languages
                .iter()
                .position(|l| l.tag.parse::<LanguageIdentifier>().ok() == Some(wanted.clone()));
            let same_language = || {
                self.languages.iter().position(|l| {
                    l.tag
                        .parse::<LanguageIdentifier>()
                        .is_ok_and(|l| l.language == wanted.language)
                })
            };
            if let Some(found) = exact.or_else(same_language) {
                return Some(found);
            }
        }
        None
    }

    pub fn default_index(&self) -> usize {
        self.default
    }

    /// The message `id` in language `index`, else in English, else the id itself (so a
    /// missing message shows, rather than an empty string).
    fn text(&self, index: usize, id: &str, args: Option<&FluentArgs>) -> String {
        let english = self.languages.iter().position(|l| l.tag == "en");
        [Some(index), english]
            .into_iter()
            .flatten()
            .find_map(|i| message(&self.languages[i].bundle, id, args))
            .unwrap_or_else(|| id.to_owned())
    }

    pub fn tag(&self, index: usize) -> &str {
        &self.languages[index].tag
    }
}

fn language(languages: &mut Vec<Language>, tag: &str) -> Result<usize, String> {
    if let Some(found) = languages.iter().position(|l| l.tag == tag) {
        return Ok(found);
    }
    let id: LanguageIdentifier = tag
        .parse()
        .map_err(|_| format!("{tag:?} is not a language tag (use e.g. \"de\" or \"pt-BR\")"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Bidi isolation marks would end up inside HTML attributes and mail subjects.
    bundle.set_use_isolating(false);
    languages.push(Language {
        tag: tag.to_owned(),
        name: tag.to_owned(),
        bundle,
    });
    Ok(languages.len() - 1)
}

/// Adds one file's messages; a later file overrides an earlier one's message of the same id
/// (a theme overriding a built-in text).
fn add(bundle: &mut FluentBundle<FluentResource>, source: &str, file: &str) -> Result<(), String> {
    let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
        format!(
            "{file}: not a Fluent catalog: {}",
            errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        )
    })?;
    bundle.add_resource_overriding(resource);
    Ok(())
}

/// `locales/<tag>/*.ftl` of a theme folder, sorted; no folder is no catalogs.
fn theme_catalogs(dir: &Path) -> Result<Vec<(String, String, String)>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for language in entries.flatten().filter(|e| e.path().is_dir()) {
        let tag = language.file_name().to_string_lossy().into_owned();
        let files = std::fs::read_dir(language.path()).map_err(|e| format!("{}: {e}", language.path().display()))?;
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "ftl") {
                let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                found.push((tag.clone(), path.display().to_string(), source));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn message(bundle: &FluentBundle<FluentResource>, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    Some(text.into_owned())
}

impl Speaker {
    pub fn new(catalogs: Arc<Catalogs>, index: usize) -> Self {
        Self { catalogs, index }
    }

    /// Language `tag` of `catalogs`, else their default (a tag from before a reload that
    /// removed its catalog, or none).
    pub fn named(catalogs: &Arc<Catalogs>, tag: &str) -> Self {
        let index = catalogs.pick([tag]).unwrap_or_else(|| catalogs.default_index());
        Self::new(catalogs.clone(), index)
    }

    /// The default language of `catalogs`.
    pub fn default_of(catalogs: Arc<Catalogs>) -> Self {
        let index = catalogs.default_index();
        Self { catalogs, index }
    }

    pub fn tag(&self) -> &str {
        self.catalogs.tag(self.index)
    }

    pub fn text(&self, id: &str, args: Option<&FluentArgs>) -> String {
        self.catalogs.text(self.index, id, args)
    }

    /// Runs `f` with this language as the current one.
    pub async fn scope<F: std::future::Future>(self, f: F) -> F::Output {
        SPEAKER.scope(self, f).await
    }
}

/// The current request's (or mail's) language; the built-in default outside any.
pub fn current() -> Speaker {
    SPEAKER
        .try_with(Speaker::clone)
        .unwrap_or_else(|_| Speaker::default_of(builtin().clone()))
}

/// An argument of a message: a number (plural rules apply) or a text.
pub enum Arg {
    Number(f64),
    Text(String),
}

macro_rules! number_args {
    ($($t:ty),*) => {$(impl From<$t> for Arg { fn from(n: $t) -> Self { Arg::Number(n as f64) } })*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64);

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}
impl From<Cow<'_, str>> for Arg {
    fn from(s: Cow<'_, str>) -> Self {
        Arg::Text(s.into_owned())
    }
}

/// Message `id` with `args` in the current language (what [`tr!`] expands to).
pub fn text(id: &str, args: Vec<(&'static str, Arg)>) -> String {
    text_named(id, args.into_iter().map(|(name, arg)| (name.to_owned(), arg)).collect())
}

/// [`text`] with argument names known only at run time (a template's `t()`).
pub fn text_named(id: &str, args: Vec<(String, Arg)>) -> String {
    let speaker = current();
    if args.is_empty() {
        return speaker.text(id, None);
    }
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Number(n) => fluent.set(name, FluentValue::from(n)),
            Arg::Text(s) => fluent.set(name, FluentValue::from(s)),
        }
    }
    speaker.text(id, Some(&fluent))
}

/// `tr!("id")` or `tr!("id", name = value, count = n)`: the message in the current language.
macro_rules! tr {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::text($id, vec![$((stringify!($name), $crate::i18n::Arg::from($value))),*])
    };
}

/// The language of a request: `ui_locales` remembered by `/authorize`, the picker's choice,
/// `Accept-Language`, the default; the first that a catalog has.
pub fn for_request(catalogs: &Arc<Catalogs>, headers: &axum::http::HeaderMap) -> Speaker {
    let cookie = |name: &str| -> Vec<String> {
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
            .take(2)
            .collect()
    };
    let accepted = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(accept_language)
        .unwrap_or_default();
    let wanted: Vec<String> = [cookie(UI_LOCALES_COOKIE), cookie(PICKER_COOKIE), accepted].concat();
    let index = catalogs
        .pick(wanted.iter().map(String::as_str))
        .unwrap_or_else(|| catalogs.default_index());
    Speaker::new(catalogs.clone(), index)
}

/// OIDC Core §3.1.2.1 `ui_locales` ("fr-CA fr en"): the first language a catalog has is
/// kept for the rest of the browser session (a cookie without `Max-Age`), so the login,
/// consent and any other page of the flow speak it; `None` when none is given or known.
pub fn ui_locales_cookie(state: &crate::state::AppState, params: &[(String, String)]) -> Option<String> {
    let (_, wanted) = params.iter().find(|(k, _)| k == "ui_locales")?;
    let catalogs = state.templates.catalogs();
    let index = catalogs.pick(wanted.split_whitespace())?;
    Some(crate::cookies::set(
        state,
        UI_LOCALES_COOKIE,
        catalogs.tag(index),
        "/",
        None,
    ))
}

/// Parses `Accept-Language` (RFC 9110 §12.5.4) into tags, best first; `*` and `q=0` dropped.
pub fn accept_language(header: &str) -> Vec<String> {
    // A browser sends a handful; a long list only costs us parsing (cut at 16 entries).
    let mut ranked: Vec<(f32, usize, String)> = header
        .split(',')
        .take(16)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            (!tag.is_empty() && tag != "*" && q > 0.0).then(|| (q, i, tag.to_owned()))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, tag)| tag).collect()
}

/// A date in the current language's words ("7 December 2026", "7. Dezember 2026").
pub fn date(date: time::Date) -> String {
    let month = format!("month-{}", u8::from(date.month()));
    let month = text(&month, Vec::new());
    let speaker = current();
    let mut args = FluentArgs::new();
    args.set("day", FluentValue::from(date.day() as f64));
    args.set("month", FluentValue::from(month));
    args.set("year", FluentValue::from(date.year().to_string()));
    speaker.text("date-format", Some(&args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("parses");
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    fn language_ids(tag: &str) -> BTreeSet<String> {
        let (_, files) = BUILTIN.iter().find(|(t, _)| *t == tag).expect("shipped");
        files.iter().flat_map(|(_, source)| ids(source)).collect()
    }

    #[test]
    fn every_shipped_catalog_has_every_english_message() {
        let english = language_ids("en");
        assert!(english.len() > 100, "English has the page texts");
        for (tag, _) in BUILTIN.iter().filter(|(t, _)| *t != "en") {
            let theirs = language_ids(tag);
            let missing: Vec<_> = english.difference(&theirs).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(extra.is_empty(), "{tag} has messages English does not: {extra:?}");
        }
    }

    #[test]
    fn no_message_id_is_in_two_files_of_a_language() {
        for (tag, files) in BUILTIN {
            let mut seen = BTreeSet::new();
            for (file, source) in *files {
                for id in ids(source) {
                    assert!(
                        seen.insert(id.clone()),
                        "{tag}/{file}: {id} is defined in another file too"
                    );
                }
            }
        }
    }

    #[test]
    fn every_shipped_message_formats_without_errors() {
        for (tag, files) in BUILTIN {
            let catalogs = Catalogs::load(None, tag).expect("loads");
            let speaker = Speaker::default_of(Arc::new(catalogs));
            for (_, source) in *files {
                let resource = FluentResource::try_new((*source).to_owned()).expect("parses");
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        assert!(m.value.is_some(), "{tag}: {} has no value", m.id.name);
                    }
                }
            }
            assert_eq!(speaker.tag(), *tag);
        }
    }

    #[test]
    fn accept_language_is_ranked_by_quality_then_order() {
        assert_eq!(
            accept_language("fr;q=0.5, de-AT, en;q=0.8, *;q=0.1"),
            ["de-AT", "en", "fr"]
        );
        assert_eq!(accept_language("es;q=0, fr"), ["fr"]);
        assert!(accept_language("").is_empty());
        assert_eq!(
            accept_language(&"zz,".repeat(30_000)).len(),
            16,
            "a huge header costs little"
        );
    }

    #[test]
    fn a_regional_tag_finds_its_language() {
        let catalogs = Catalogs::load(None, "en").expect("loads");
        assert_eq!(catalogs.pick(["de-AT"]).map(|i| catalogs.tag(i)), Some("de"));
        assert_eq!(catalogs.pick(["xx", "fr-CA"]).map(|i| catalogs.tag(i)), Some("fr"));
        assert_eq!(catalogs.pick(["nl"]), None);
    }

    #[test]
    fn an_unknown_default_language_is_named() {
        let error = Catalogs::load(None, "nl").err().expect("refused");
        assert!(error.contains("\"nl\"") && error.contains("de"), "{error}");
    }

    #[test]
    fn a_theme_catalog_overrides_and_adds() {
        let dir = std::env::temp_dir().join(format!("tessera-i18n-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("locales/en")).unwrap();
        std::fs::create_dir_all(dir.join("locales/nl")).unwrap();
        std::fs::write(dir.join("locales/en/x.ftl"), "login-title = Welcome back\n").unwrap();
        std::fs::write(
            dir.join("locales/nl/x.ftl"),
            "language-name = Nederlands\nlogin-title = Inloggen\n",
        )
        .unwrap();
        let catalogs = Arc::new(Catalogs::load(Some(&dir), "nl").expect("loads"));
        let en = catalogs.pick(["en"]).unwrap();
        assert_eq!(catalogs.text(en, "login-title", None), "Welcome back");
        let nl = Speaker::default_of(catalogs.clone());
        assert_eq!(nl.text("login-title", None), "Inloggen");
        assert!(nl.text("login-password", None).len() > 2, "falls back to English");
        assert!(catalogs.languages().contains(&("nl".into(), "Nederlands".into())));
        std::fs::write(dir.join("locales/en/x.ftl"), "login-title = {").unwrap();
        let error = Catalogs::load(Some(&dir), "en").err().expect("refused");
        assert!(error.contains("x.ftl"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
