//! Human durations in config: a whole number and a unit, `90s`, `15m`, `12h`, `30d`, `2w`.
//!
//! Every duration is at most [`MAX_DURATION`] (100 years), so no configured duration added to
//! or taken from the time (`OffsetDateTime ± Duration` panics beyond the years ±9999),
//! summed with another one, or counted in seconds as an `i64` can overflow.

use std::time::Duration;

/// The longest duration anything accepts: 100 years of 365.25 days.
pub const MAX_DURATION: Duration = Duration::from_secs(36_525 * 86_400);

/// How [`MAX_DURATION`] is written in messages.
pub const MAX_DURATION_TEXT: &str = "36525d (100 years)";

/// The text as messages show it: at most 40 characters, so a pasted paragraph stays readable.
fn shown(raw: &str) -> String {
    if raw.chars().count() <= 40 {
        return raw.to_owned();
    }
    let head: String = raw.chars().take(39).collect();
    format!("{head}…")
}

pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let text = shown(raw);
    let help = || format!("{text:?} is not a duration; write a number and a unit, like 90s, 15m, 12h or 30d");
    if raw.starts_with('-') {
        return Err(format!(
            "{text:?}: a duration cannot be negative; write one like 90s, 15m or 12h"
        ));
    }
    let split = raw.find(|c: char| !c.is_ascii_digit()).ok_or_else(help)?;
    let (number, unit) = raw.split_at(split);
    if number.is_empty() {
        return Err(help());
    }
    let unit_seconds: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(help()),
    };
    let too_long = || format!("{text:?} is too long; the longest duration is {MAX_DURATION_TEXT}");
    // Only ASCII digits are left, so a number that does not parse is one that does not fit.
    let number: u64 = number.parse().map_err(|_| too_long())?;
    number
        .checked_mul(unit_seconds)
        .filter(|seconds| *seconds <= MAX_DURATION.as_secs())
        .map(Duration::from_secs)
        .ok_or_else(too_long)
}

/// A duration as the config would write it, in its largest whole unit: `14d`, `90m`, `45s`.
pub fn format_duration(d: Duration) -> String {
    let seconds = d.as_secs();
    if d.subsec_nanos() != 0 {
        return format!("{}s", d.as_secs_f64());
    }
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if seconds >= size && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    #[test]
    fn parses_units_and_refuses_nonsense() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("30d").unwrap(), Duration::from_secs(30 * 86_400));
        assert_eq!(parse_duration(" 2w ").unwrap(), Duration::from_secs(14 * 86_400));
        assert_eq!(parse_duration("0005m").unwrap(), Duration::from_secs(300));
        for bad in [
            "",
            "15",
            "m",
            "1.5h",
            "15 minutes",
            "-3d",
            "99999999999999999999d",
            "1h30m",
            "+5m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_longest_duration_is_a_hundred_years_and_more_is_too_long() {
        assert_eq!(parse_duration("36525d").unwrap(), MAX_DURATION);
        assert_eq!(parse_duration("3155760000s").unwrap(), MAX_DURATION);
        for (long, shown) in [
            ("36526d", "\"36526d\""),
            ("3155760001s", "\"3155760001s\""),
            ("5218w", "\"5218w\""),
            ("999999999999999999d", "\"999999999999999999d\""),
            ("18446744073709551615s", "\"18446744073709551615s\""),
            ("18446744073709551616s", "\"18446744073709551616s\""),
            (
                "99999999999999999999999999999999999999w",
                "\"99999999999999999999999999999999999999w\"",
            ),
        ] {
            assert_eq!(
                parse_duration(long).unwrap_err(),
                format!("{shown} is too long; the longest duration is 36525d (100 years)"),
            );
        }
        assert_eq!(
            parse_duration("-1s").unwrap_err(),
            "\"-1s\": a duration cannot be negative; write one like 90s, 15m or 12h"
        );
        assert_eq!(
            parse_duration("1e400s").unwrap_err(),
            "\"1e400s\" is not a duration; write a number and a unit, like 90s, 15m, 12h or 30d"
        );
    }

    #[test]
    fn a_long_value_is_shortened_in_the_message() {
        let long = "9".repeat(5000) + "s";
        let message = parse_duration(&long).unwrap_err();
        assert!(message.len() < 120, "{message}");
        assert!(message.contains("…\" is too long"), "{message}");
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        assert_eq!(format_duration(Duration::from_secs(14 * 86_400)), "14d");
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::from_secs(5400)), "90m");
        assert_eq!(format_duration(Duration::from_secs(61)), "61s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(MAX_DURATION), "36525d");
    }

    /// Pieces the generated inputs are made of: what an admin types, and what they should not.
    const PIECES: &[&str] = &[
        "0",
        "1",
        "9",
        "00",
        "36525",
        "36526",
        "3155760000",
        "3155760001",
        "18446744073709551615",
        "18446744073709551616",
        "999999999999999999999999999999",
        "s",
        "m",
        "h",
        "d",
        "w",
        "y",
        "ms",
        "S",
        "-",
        "+",
        ".",
        "e",
        "e400",
        "E-5",
        " ",
        "\t",
        "\n",
        "\u{a0}",
        "٣",
        "５",
        "ｍ",
        "é",
        "\u{301}",
        "🕐",
        "\u{0}",
        "_",
        ",",
        "∞",
        "NaN",
    ];

    /// No input makes the parser panic; each one is a duration of at most 100 years, or a
    /// message that quotes it and says what to write, without Rust's words.
    #[test]
    fn no_generated_input_panics_or_overflows() {
        let mut rng = StdRng::seed_from_u64(0x7e55_e7a0);
        let mut accepted = 0;
        for round in 0..60_000 {
            let input: String = match round % 3 {
                // Pieces glued together.
                0 => (0..rng.random_range(0..7))
                    .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                    .collect(),
                // A random number of random digits and a unit.
                1 => {
                    let digits: String = (0..rng.random_range(0..30))
                        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                        .collect();
                    let unit = ["s", "m", "h", "d", "w", "", "x"][rng.random_range(0..7)];
                    format!("{digits}{unit}")
                }
                // Any characters at all.
                _ => (0..rng.random_range(0..12))
                    .map(|_| char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('?'))
                    .collect(),
            };
            match std::panic::catch_unwind(|| parse_duration(&input)) {
                Err(_) => panic!("parse_duration panicked on {input:?}"),
                Ok(Ok(d)) => {
                    accepted += 1;
                    assert!(d <= MAX_DURATION, "{input:?} gave {d:?}");
                    // What it was parsed from, written back, parses to the same.
                    assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{input:?}");
                }
                Ok(Err(message)) => {
                    assert!(
                        message.contains("is not a duration")
                            || message.contains("is too long")
                            || message.contains("cannot be negative"),
                        "{input:?}: {message}"
                    );
                    for rust in ["u64", "ParseIntError", "overflow", "panicked"] {
                        assert!(!message.contains(rust), "{input:?}: {message}");
                    }
                }
            }
        }
        assert!(accepted > 1000, "the generator also makes valid durations ({accepted})");
    }
}
