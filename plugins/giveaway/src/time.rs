//! Dates for scheduled contests: RFC 3339 timestamps. The durations and
//! UTC formatting it shares with the poll plugin are in
//! [`vigie_text::time`], re-exported here.

pub use vigie_text::time::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_text::Lang;

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
}
