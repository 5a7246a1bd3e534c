//! `branding:`: the instance's name, logo, colour, footer links and default language, so the
//! built-in pages carry an organisation's look without a theme folder (which still replaces
//! any template or stylesheet for full control).

use std::path::PathBuf;

use super::Checker;
use super::raw::{RawBranding, S};

/// What the pages show of the organisation running Tessera.
#[derive(Clone, Debug)]
pub struct Branding {
    /// Shown in every page's header and title, and in mails (default "Tessera").
    pub name: String,
    pub logo: Option<Logo>,
    /// The primary buttons' and accents' colour, and the text colours that read on it.
    pub colors: Option<BrandColors>,
    /// Footer links, in this order: `privacy`, `terms`, `help`, each an https/http URL or a
    /// path on this server.
    pub links: Vec<(&'static str, String)>,
    /// The language when neither the app, the picker nor the browser names one Tessera has.
    pub default_language: String,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            name: "Tessera".to_owned(),
            logo: None,
            colors: None,
            links: Vec::new(),
            default_language: "en".to_owned(),
        }
    }
}

/// The logo file, read when the configuration is loaded, served at `/branding/logo`.
#[derive(Clone, Debug)]
pub struct Logo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Bigger than any sensible logo; the page loads it on every visit.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The brand colour with the text colour that reads on it (WCAG 2.1 §1.4.3: at least 4.5:1,
/// black or white, whichever contrasts more), and a lighter variant for the dark theme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandColors {
    pub brand: String,
    pub brand_contrast: String,
    pub brand_dark: String,
    pub brand_dark_contrast: String,
}

pub(super) fn branding(raw: Option<&RawBranding>, c: &mut Checker) -> Branding {
    let mut branding = Branding::default();
    let Some(raw) = raw else { return branding };
    if let Some(name) = raw.name.as_ref().and_then(|n| c.text("branding.name", n)) {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            c.problem(
                raw.name.as_ref().expect("given"),
                "branding.name: write 1 to 64 characters, on one line",
            );
        } else {
            name.clone_into(&mut branding.name);
        }
    }
    branding.logo = raw.logo.as_ref().and_then(|l| c.parsed("branding.logo", l, logo));
    branding.colors = raw
        .primary_color
        .as_ref()
        .and_then(|p| c.parsed("branding.primary_color", p, brand_colors));
    if let Some(links) = &raw.links {
        let given: [(&'static str, &Option<S>); 3] = [
            ("privacy", &links.privacy),
            ("terms", &links.terms),
            ("help", &links.help),
        ];
        for (kind, value) in given {
            if let Some(url) = value
                .as_ref()
                .and_then(|v| c.parsed(&format!("branding.links.{kind}"), v, link))
            {
                branding.links.push((kind, url));
            }
        }
    }
    if let Some(language) = raw
        .default_language
        .as_ref()
        .and_then(|l| c.text("branding.default_language", l))
    {
        branding.default_language = language.trim().to_owned();
    }
    branding
}

/// A path relative to the working directory, like `theme.dir`.
fn logo(path: &str) -> Result<Logo, String> {
    let file = PathBuf::from(path.trim());
    let content_type = match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => return Err(format!("{path:?} is not an .svg, .png, .jpg, .webp or .gif file")),
    };
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!(
            "{} is {} KiB; use a logo of at most {} KiB",
            file.display(),
            bytes.len() / 1024,
            MAX_LOGO_BYTES / 1024
        ));
    }
    Ok(Logo { content_type, bytes })
}

/// A footer link: an absolute http(s) URL or a path on this server, never `javascript:` or
/// another scheme a click would run.
fn link(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.starts_with('/') && !text.starts_with("//") {
        return Ok(text.to_owned());
    }
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(url.to_string()),
        _ => Err(format!("{text:?} is not an https:// URL or a path starting with /")),
    }
}

fn brand_colors(text: &str) -> Result<BrandColors, String> {
    let rgb = parse_hex(text.trim())
        .ok_or_else(|| format!("{text:?} is not a colour like \"#3b5bdb\" (# and six hex digits)"))?;
    // The dark theme's accent: mixed with white until it reads on the dark background.
    let mut dark = rgb;
    while contrast(dark, DARK_BACKGROUND) < 4.5 {
        dark = dark.map(|c| c + (255 - c).div_ceil(8));
    }
    Ok(BrandColors {
        brand: hex(rgb),
        brand_contrast: on(rgb).to_owned(),
        brand_dark: hex(dark),
        brand_dark_contrast: on(dark).to_owned(),
    })
}

/// The dark theme's card colour (tessera.css `--surface` in dark mode).
const DARK_BACKGROUND: [u8; 3] = [0x1b, 0x1e, 0x24];

fn parse_hex(text: &str) -> Option<[u8; 3]> {
    let digits = text.strip_prefix('#')?;
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Black or white text, whichever contrasts more with `background`.
fn on(background: [u8; 3]) -> &'static str {
    if contrast(background, [0, 0, 0]) >= contrast(background, [255, 255, 255]) {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// WCAG 2.1 relative luminance and contrast ratio.
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_colours_get_readable_text() {
        let dark_blue = brand_colors("#1d3557").unwrap();
        assert_eq!(dark_blue.brand_contrast, "#ffffff");
        assert!(contrast(parse_hex(&dark_blue.brand_dark).unwrap(), DARK_BACKGROUND) >= 4.5);
        let yellow = brand_colors("#FFD60A").unwrap();
        assert_eq!(
            (yellow.brand.as_str(), yellow.brand_contrast.as_str()),
            ("#ffd60a", "#000000")
        );
        for bad in ["red", "#12345", "#12345g", "123456"] {
            assert!(brand_colors(bad).unwrap_err().contains("#3b5bdb"), "{bad}");
        }
    }

    #[test]
    fn links_are_web_addresses_or_paths() {
        assert_eq!(
            link("https://example.com/privacy").unwrap(),
            "https://example.com/privacy"
        );
        assert_eq!(link("/help").unwrap(), "/help");
        for bad in [
            "javascript:alert(1)",
            "//evil.example/x",
            "mailto:a@b.c",
            "privacy.html",
        ] {
            assert!(link(bad).is_err(), "{bad}");
        }
    }
}
