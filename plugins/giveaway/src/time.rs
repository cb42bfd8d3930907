//! Dates and durations without a date library: RFC 3339 timestamps (for
//! scheduled contests), human durations in French and English (`2h`,
//! `30min`, `1j`, `1d`, `1h30`…) and UTC formatting for announcements.

use vigie_text::Lang;

/// One minute, one hour, one day in milliseconds.
pub const MINUTE_MS: i64 = 60_000;
/// One hour in milliseconds.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
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

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp such as
/// `2026-12-01T18:00:00Z`, `2026-12-01T19:00:00+01:00` or
/// `2026-12-01T18:00:00.250Z`.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let bad = || format!("« {s} » is not an RFC 3339 date (e.g. 2026-12-01T18:00:00Z)");
    let b = s.trim().as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let num = |from: usize, to: usize| -> Result<i64, String> {
        let part = &b[from..to];
        if part.iter().all(u8::is_ascii_digit) {
            Ok(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        } else {
            Err(bad())
        }
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        let digits = &b[start..i.min(start + 3)];
        millis = digits
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        millis *= 10i64.pow(3 - digits.len() as u32);
    }
    let offset_min = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
            let o = oh * 60 + om;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    Ok(secs * 1000 + millis)
}

/// Parses a duration: one or more `<number><unit>` groups, French or
/// English units, e.g. `2h`, `30min`, `30 mn`, `1j`, `1d`, `1h30`, `1,5h`,
/// `2 jours`, `1 semaine`, `90s`. A number right after hours counts as
/// minutes (`1h30`). Returns milliseconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = vigie_text::fold(text);
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

/// True when a word looks like a duration (so a prize written without
/// quotes stops before it).
pub fn is_duration(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit()) && parse_duration(word).is_some()
}

/// A duration for people: `2 h`, `1 h 30`, `45 min`, `3 j 4 h` / `3 d 4 h`.
pub fn format_duration(ms: i64, lang: Lang) -> String {
    let total_min = (ms.max(0) + MINUTE_MS - 1) / MINUTE_MS;
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
    fn parses_rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2025-11-22T10:00:00Z"), Ok(1_763_805_600_000));
        assert_eq!(
            parse_rfc3339("2025-11-22T11:00:00+01:00"),
            Ok(1_763_805_600_000)
        );
        assert_eq!(
            parse_rfc3339("2025-11-22T10:00:00.25Z"),
            Ok(1_763_805_600_250)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00-00:30"),
            Ok(1_709_166_600_000)
        );
        assert!(parse_rfc3339("2025-11-22 10:00").is_err());
        assert!(parse_rfc3339("2025-13-22T10:00:00Z").is_err());
        assert!(parse_rfc3339("demain").is_err());
    }

    #[test]
    fn round_trips_dates() {
        for ms in [0, 1_763_805_600_000, 951_782_400_000, 4_102_444_800_000] {
            let fr = format_utc(ms, Lang::Fr);
            let (date, time) = fr.split_once(" à ").unwrap();
            let v: Vec<&str> = date.split('/').collect();
            let iso = format!("{}-{}-{}T{}:00Z", v[2], v[1], v[0], &time[..5]);
            assert_eq!(parse_rfc3339(&iso), Ok(ms - ms % 60_000), "{fr}");
        }
        assert_eq!(
            format_utc(1_763_805_600_000, Lang::En),
            "2025-11-22 at 10:00 UTC"
        );
    }

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
