//! Human durations in config: a whole number and a unit, `90s`, `15m`, `12h`, `30d`, `2w`.

use std::time::Duration;

pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let help = || format!("{raw:?} is not a duration; write a number and a unit, like 90s, 15m, 12h or 30d");
    let split = raw.find(|c: char| !c.is_ascii_digit()).ok_or_else(help)?;
    let (number, unit) = raw.split_at(split);
    let number: u64 = number.parse().map_err(|_| help())?;
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(help()),
    };
    number
        .checked_mul(unit_seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{raw:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_refuses_nonsense() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("30d").unwrap(), Duration::from_secs(30 * 86_400));
        for bad in ["", "15", "m", "1.5h", "15 minutes", "-3d", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
