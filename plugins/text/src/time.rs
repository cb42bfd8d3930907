//! Durations and dates without a date library, the same for every plugin
//! that reads them from people (giveaway, poll): human durations in French
//! and English (`2h`, `30min`, `1j`, `1d`, `1h30`…) and UTC formatting for
//! announcements. Plugins stay free of a date crate (and of its size in
//! every component); the schedule plugin, which needs time zones, uses jiff.

use crate::Lang;

/// One minute, one hour, one day in milliseconds.
pub const MINUTE_MS: i64 = 60_000;
/// One hour in milliseconds.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parses a duration: one or more `<number><unit>` groups, French or
/// English units, e.g. `2h`, `30min`, `30 mn`, `1j`, `1d`, `1h30`, `1,5h`,
/// `2 jours`, `1 semaine`, `90s`. A number right after hours counts as
/// minutes (`1h30`). Returns milliseconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = crate::fold(text);
    let s = s.trim();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut total: f64 = 0.0;
    let mut groups = 0;
    let mut last_unit_ms: Option<i64> = None;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i == chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',') {
            i += 1;
        }
        if i == start {
            return None;
        }
        let number: String = chars[start..i]
            .iter()
            .map(|&c| if c == ',' { '.' } else { c })
            .collect();
        let value: f64 = number.parse().ok()?;
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let unit_start = i;
        while i < chars.len() && chars[i].is_alphabetic() {
            i += 1;
        }
        let unit: String = chars[unit_start..i].iter().collect();
        let unit_ms = if unit.is_empty() {
            // `1h30`: a bare number after hours is minutes.
            match last_unit_ms {
                Some(HOUR_MS) => MINUTE_MS,
                _ => return None,
            }
        } else {
            unit_ms(&unit)?
        };
        total += value * unit_ms as f64;
        last_unit_ms = Some(unit_ms);
        groups += 1;
    }
    if groups == 0 || !total.is_finite() || !(1.0..=1e15).contains(&total) {
        return None;
    }
    Some(total.round() as i64)
}

fn unit_ms(unit: &str) -> Option<i64> {
    Some(match unit {
        "s" | "sec" | "secs" | "seconde" | "secondes" | "second" | "seconds" => 1000,
        "m" | "mn" | "min" | "mins" | "minute" | "minutes" => MINUTE_MS,
        "h" | "hr" | "hrs" | "heure" | "heures" | "hour" | "hours" => HOUR_MS,
        "j" | "jr" | "jrs" | "jour" | "jours" | "d" | "day" | "days" => DAY_MS,
        "sem" | "semaine" | "semaines" | "w" | "wk" | "week" | "weeks" => 7 * DAY_MS,
        _ => return None,
    })
}

/// True when a word looks like a duration.
pub fn is_duration(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit()) && parse_duration(word).is_some()
}

/// A duration for people: `2 h`, `1 h 30`, `45 min`, `3 j 4 h` / `3 d 4 h`.
pub fn format_duration(ms: i64, lang: Lang) -> String {
    let total_min = (ms.clamp(0, i64::MAX - MINUTE_MS) + MINUTE_MS - 1) / MINUTE_MS;
    let (d, h, m) = (total_min / 1440, (total_min % 1440) / 60, total_min % 60);
    let day = if lang == Lang::Fr { "j" } else { "d" };
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} {day}"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        if d == 0 && h > 0 {
            parts.push(format!("{m:02}"));
        } else {
            parts.push(format!("{m} min"));
        }
    }
    if parts.is_empty() {
        "0 min".to_string()
    } else {
        parts.join(" ")
    }
}

/// A UTC date and time: `22/11/2026 à 11:09 UTC` in French,
/// `2026-11-22 at 11:09 UTC` in English.
pub fn format_utc(ms: i64, lang: Lang) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let (h, mi) = (sod / 3600, (sod % 3600) / 60);
    match lang {
        Lang::Fr => format!("{d:02}/{mo:02}/{y} à {h:02}:{mi:02} UTC"),
        Lang::En => format!("{y}-{mo:02}-{d:02} at {h:02}:{mi:02} UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_french_and_english_durations() {
        assert_eq!(parse_duration("2h"), Some(2 * HOUR_MS));
        assert_eq!(parse_duration("30min"), Some(30 * MINUTE_MS));
        assert_eq!(parse_duration("30 mn"), Some(30 * MINUTE_MS));
        assert_eq!(parse_duration("45m"), Some(45 * MINUTE_MS));
        assert_eq!(parse_duration("1j"), Some(DAY_MS));
        assert_eq!(parse_duration("1d"), Some(DAY_MS));
        assert_eq!(parse_duration("2 jours"), Some(2 * DAY_MS));
        assert_eq!(parse_duration("1 semaine"), Some(7 * DAY_MS));
        assert_eq!(parse_duration("1w"), Some(7 * DAY_MS));
        assert_eq!(parse_duration("1h30"), Some(90 * MINUTE_MS));
        assert_eq!(parse_duration("1h30min"), Some(90 * MINUTE_MS));
        assert_eq!(parse_duration("1 heure 15"), Some(75 * MINUTE_MS));
        assert_eq!(parse_duration("1,5h"), Some(90 * MINUTE_MS));
        assert_eq!(parse_duration("1.5 hours"), Some(90 * MINUTE_MS));
        assert_eq!(parse_duration("90s"), Some(90_000));
        assert_eq!(parse_duration("2H"), Some(2 * HOUR_MS));
        assert_eq!(parse_duration("3"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("2 lunes"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("0h"), None);
        assert!(is_duration("2h"));
        assert!(!is_duration("Noël"));
        assert!(!is_duration("3"));
    }

    #[test]
    fn formats_any_duration_without_overflow() {
        assert_eq!(format_duration(i64::MIN, Lang::En), "0 min");
        let longest = format_duration(i64::MAX, Lang::Fr);
        assert!(longest == "106751991167 j 7 h 12 min", "{longest}");
        assert_eq!(
            format_utc(1_763_805_600_000, Lang::En),
            "2025-11-22 at 10:00 UTC"
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(2 * HOUR_MS, Lang::Fr), "2 h");
        assert_eq!(format_duration(90 * MINUTE_MS, Lang::Fr), "1 h 30");
        assert_eq!(format_duration(45 * MINUTE_MS, Lang::En), "45 min");
        assert_eq!(format_duration(DAY_MS + 2 * HOUR_MS, Lang::Fr), "1 j 2 h");
        assert_eq!(
            format_duration(DAY_MS + 5 * MINUTE_MS, Lang::En),
            "1 d 5 min"
        );
    }
}
