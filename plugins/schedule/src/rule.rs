//! Recurrence rules: when a post goes out, as instants.
//!
//! A [`Rule`] is a start (`DTSTART`, a local date and time, minute
//! precision) and an optional recurrence in a subset of RFC 5545's `RRULE`:
//!
//! | part | accepted |
//! |---|---|
//! | `FREQ` | `DAILY`, `WEEKLY`, `MONTHLY`, `YEARLY` |
//! | `INTERVAL` | 1 to 1000 |
//! | `BYMONTH` | 1 to 12 |
//! | `BYMONTHDAY` | 1 to 31, -1 to -31 (from the end); not with `WEEKLY` |
//! | `BYDAY` | `MO`…`SU`; with an ordinal (`1MO`, `-1FR`) only in `MONTHLY`, or in `YEARLY` with `BYMONTH` (within the month), and not with `BYMONTHDAY`; `YEARLY` needs `BYMONTH` for `BYDAY` |
//! | `BYHOUR`, `BYMINUTE` | 0 to 23, 0 to 59; at most 24 times a day |
//! | `COUNT` | 1 to 1000 |
//! | `UNTIL` | `20270630`, `20270630T180000` (local), `20270630T160000Z` (UTC); inclusive; not with `COUNT` |
//! | `WKST` | `MO` only (weeks start on Monday) |
//!
//! Anything else (`BYSETPOS`, `BYWEEKNO`, `BYYEARDAY`, `BYSECOND`,
//! `SECONDLY`…) is refused with a message naming it.
//!
//! Semantics follow RFC 5545 (`BY*` parts expand or limit as its table
//! says), with these choices:
//!
//! - **Start.** Occurrences are the matching date-times at or after the
//!   start; the start itself counts only when it matches the rule (as
//!   python-dateutil does).
//! - **Invalid dates are skipped**, never clamped: `BYMONTHDAY=31` skips
//!   the months of 30 days, a yearly rule started on 29 February occurs in
//!   leap years only (RFC 5545, 3.3.10).
//! - **Non-existent local times** (the spring-forward gap, 02:30 on
//!   2026-03-29 in Paris) are moved forward by the length of the gap
//!   (03:30 CEST), as RFC 5545 says (the offset before the gap is used).
//! - **Ambiguous local times** (the fall-back fold, 02:30 on 2026-10-25 in
//!   Paris) take the **first** of the two instants (02:30 CEST), once.
//! - Two local times that land on the same instant (02:30 and 03:30 on the
//!   gap day) are one occurrence.
//!
//! Dates are computed on the proleptic Gregorian calendar by day numbers;
//! only the conversion of a local time to an instant and back uses the time
//! zone database (`jiff`, bundled: a plugin has no `/usr/share/zoneinfo`).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::fmt;

/// Milliseconds in a minute, an hour, a day.
pub const MINUTE_MS: i64 = 60_000;
/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Milliseconds in a day.
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// How far [`Rule::next_after`] looks (12 years: longer than any gap between
/// two 29 Februaries).
pub const HORIZON_MS: i64 = 12 * 366 * DAY_MS;
/// Most occurrences of a rule in one day.
pub const MAX_TIMES_PER_DAY: usize = 24;
/// Highest `COUNT`.
pub const MAX_COUNT: u32 = 1000;
/// Highest `INTERVAL`.
pub const MAX_INTERVAL: u32 = 1000;
/// Years a start may have.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2199;

// ---------------------------------------------------------------- civil --

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// 0 = Monday … 6 = Sunday.
pub fn weekday_of(days: i64) -> u8 {
    // 1970-01-01 was a Thursday.
    (days + 3).rem_euclid(7) as u8
}

/// True for leap years.
pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A local date and time, to the minute. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

impl LocalTime {
    /// A checked local time (the date must exist, the year in [`YEARS`]).
    pub fn new(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> Option<LocalTime> {
        let ok = YEARS.contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60;
        ok.then_some(LocalTime {
            year,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
        })
    }

    /// Its day number.
    pub fn days(&self) -> i64 {
        days_from_civil(self.year, self.month.into(), self.day.into())
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(&self) -> u8 {
        weekday_of(self.days())
    }

    /// Reads `2026-12-24 18:00`, `2026-12-24T18:00` or `…T18:00:00`
    /// (seconds must be 0); a date alone is `00:00` when `date_only` says
    /// which time to use (`Some((h, m))`), refused otherwise.
    pub fn parse(text: &str, date_only: Option<(u32, u32)>) -> Option<LocalTime> {
        let text = text.trim();
        let (date, time) = match text.split_once(['T', 't', ' ']) {
            Some((d, t)) => (d, Some(t.trim())),
            None => (text, None),
        };
        let (y, m, d) = parse_iso_date(date)?;
        let (h, mi) = match time {
            Some(t) => parse_hh_mm(t)?,
            None => date_only?,
        };
        LocalTime::new(y, m, d, h, mi)
    }

    /// `2026-12-24 18:00`.
    pub fn text(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }

    /// `2026-12-24`.
    pub fn date_text(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `20261224T180000` (RFC 5545 local form).
    pub fn ical(&self) -> String {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}00",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }

    fn of_days(days: i64, hour: u8, minute: u8) -> LocalTime {
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            year,
            month: month as u8,
            day: day as u8,
            hour,
            minute,
        }
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// `2026-12-24` → (2026, 12, 24), digits only, checked later.
fn parse_iso_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.split('-');
    let y = digits(it.next()?, 4)?;
    let m = digits(it.next()?, 2)?;
    let d = digits(it.next()?, 2)?;
    it.next().is_none().then_some((y as i32, m, d))
}

/// `18:00` or `18:00:00`.
fn parse_hh_mm(s: &str) -> Option<(u32, u32)> {
    let mut it = s.split(':');
    let h = digits(it.next()?, 2)?;
    let m = digits(it.next()?, 2)?;
    if let Some(sec) = it.next() {
        if digits(sec, 2)? != 0 {
            return None;
        }
    }
    it.next().is_none().then_some((h, m))
}

/// Exactly `n` ASCII digits.
fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

// ----------------------------------------------------------------- zone --

/// A time zone of the IANA database, with its name.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone named `name` (`Europe/Paris`, `America/New_York`, `UTC`;
    /// case does not matter). The error names it.
    pub fn get(name: &str) -> Result<Zone, String> {
        let unknown = || {
            format!(
                "unknown time zone {name:?} (an IANA time zone name such as \"Europe/Paris\" or \"America/New_York\")"
            )
        };
        let tz = TimeZone::get(name.trim()).map_err(|_| unknown())?;
        if tz.is_unknown() {
            return Err(unknown());
        }
        let name = tz.iana_name().unwrap_or(name.trim()).to_string();
        Ok(Zone { name, tz })
    }

    /// Its IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant of a local time, in ms: a time in the spring-forward gap
    /// is moved forward by the gap, an ambiguous one takes the first
    /// instant. `None` only out of jiff's range.
    pub fn to_ms(&self, t: LocalTime) -> Option<i64> {
        let dt = DateTime::new(
            i16::try_from(t.year).ok()?,
            t.month as i8,
            t.day as i8,
            t.hour as i8,
            t.minute as i8,
            0,
            0,
        )
        .ok()?;
        let ts = self.tz.to_ambiguous_timestamp(dt).compatible().ok()?;
        Some(ts.as_millisecond())
    }

    /// The local time of an instant (rounded down to the minute); `None`
    /// out of jiff's range.
    pub fn local(&self, ms: i64) -> Option<LocalTime> {
        let ts = Timestamp::from_millisecond(ms).ok()?;
        let dt = self.tz.to_datetime(ts);
        Some(LocalTime {
            year: dt.year().into(),
            month: dt.month() as u8,
            day: dt.day() as u8,
            hour: dt.hour() as u8,
            minute: dt.minute() as u8,
        })
    }

    /// `2026-03-30 09:00` (local), or the ms when out of range.
    pub fn format(&self, ms: i64) -> String {
        match self.local(ms) {
            Some(t) => t.text(),
            None => format!("{ms} ms"),
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

// ----------------------------------------------------------------- rule --

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Freq {
    /// Every `INTERVAL` days.
    Daily,
    /// Every `INTERVAL` weeks (Monday to Sunday).
    Weekly,
    /// Every `INTERVAL` months.
    Monthly,
    /// Every `INTERVAL` years.
    Yearly,
}

impl Freq {
    fn name(self) -> &'static str {
        match self {
            Freq::Daily => "DAILY",
            Freq::Weekly => "WEEKLY",
            Freq::Monthly => "MONTHLY",
            Freq::Yearly => "YEARLY",
        }
    }
}

/// The end of a rule (`UNTIL`), inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// A local time in the rule's zone.
    Local(LocalTime),
    /// An instant (RFC 5545 `…Z` form), in ms.
    Utc(i64),
}

/// Two-letter RFC 5545 weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// A start and an optional recurrence. See the module docs for the subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `DTSTART`, local.
    pub start: LocalTime,
    /// `None`: a one-off at `start`.
    pub freq: Option<Freq>,
    /// `INTERVAL` (1 when absent).
    pub interval: u32,
    /// `BYMONTH`, sorted.
    pub by_month: Vec<u8>,
    /// `BYMONTHDAY` (negative: from the end), sorted.
    pub by_month_day: Vec<i8>,
    /// `BYDAY`: (ordinal, weekday 0 = Monday); ordinal 0 means every.
    pub by_day: Vec<(i8, u8)>,
    /// `BYHOUR`, sorted.
    pub by_hour: Vec<u8>,
    /// `BYMINUTE`, sorted.
    pub by_minute: Vec<u8>,
    /// `COUNT`.
    pub count: Option<u32>,
    /// `UNTIL`.
    pub until: Option<Until>,
}

impl Rule {
    /// A one-off at `start`.
    pub fn once(start: LocalTime) -> Rule {
        Rule {
            start,
            freq: None,
            interval: 1,
            by_month: Vec::new(),
            by_month_day: Vec::new(),
            by_day: Vec::new(),
            by_hour: Vec::new(),
            by_minute: Vec::new(),
            count: None,
            until: None,
        }
    }

    /// A rule repeating with `freq` from `start`, no `BY*` part.
    pub fn every(start: LocalTime, freq: Freq) -> Rule {
        Rule {
            freq: Some(freq),
            ..Rule::once(start)
        }
    }

    /// A start (`2026-03-30 09:00`, local) and an `RRULE` value
    /// (`FREQ=WEEKLY;BYDAY=MO`, an optional `RRULE:` prefix, case ignored);
    /// an empty `rrule` is a one-off.
    pub fn parse(start: &str, rrule: &str) -> Result<Rule, String> {
        let start = LocalTime::parse(start, None).ok_or_else(|| {
            format!("{start:?} is not a local date and time (YYYY-MM-DD HH:MM, years 2000 to 2199)")
        })?;
        Rule::parse_rrule(start, rrule)
    }

    /// An `RRULE` value from `start`; an empty one is a one-off.
    pub fn parse_rrule(start: LocalTime, rrule: &str) -> Result<Rule, String> {
        let text = rrule.trim();
        let text = match text.get(..6) {
            Some(p) if p.eq_ignore_ascii_case("rrule:") => &text[6..],
            _ => text,
        };
        let mut rule = Rule::once(start);
        if text.is_empty() {
            return Ok(rule);
        }
        let mut seen: Vec<String> = Vec::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("RRULE part {part:?} is not NAME=VALUE"))?;
            let name = name.trim().to_ascii_uppercase();
            let value = value.trim().to_ascii_uppercase();
            if seen.contains(&name) {
                return Err(format!("RRULE part {name} is given twice"));
            }
            seen.push(name.clone());
            let bad = |what: &str| format!("RRULE {name}={value}: {what}");
            match name.as_str() {
                "FREQ" => {
                    rule.freq = Some(match value.as_str() {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        "YEARLY" => Freq::Yearly,
                        _ => {
                            return Err(bad(
                                "only DAILY, WEEKLY, MONTHLY and YEARLY are supported",
                            ))
                        }
                    })
                }
                "INTERVAL" => {
                    rule.interval = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_INTERVAL).contains(n))
                        .ok_or_else(|| bad("expected a number from 1 to 1000"))?
                }
                "COUNT" => {
                    rule.count = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|n| (1..=MAX_COUNT).contains(n))
                            .ok_or_else(|| bad("expected a number from 1 to 1000"))?,
                    )
                }
                "UNTIL" => {
                    rule.until = Some(
                        parse_until(&value)
                            .ok_or_else(|| bad("expected 20270630, 20270630T180000 or 20270630T160000Z"))?,
                    )
                }
                "BYMONTH" => {
                    rule.by_month = numbers(&value, 1, 12, false)
                        .ok_or_else(|| bad("expected months 1 to 12, comma-separated"))?
                        .into_iter()
                        .map(|n| n as u8)
                        .collect()
                }
                "BYMONTHDAY" => {
                    rule.by_month_day = numbers(&value, 1, 31, true)
                        .ok_or_else(|| bad("expected days 1 to 31 or -31 to -1, comma-separated"))?
                        .into_iter()
                        .map(|n| n as i8)
                        .collect()
                }
                "BYHOUR" => {
                    rule.by_hour = numbers(&value, 0, 23, false)
                        .ok_or_else(|| bad("expected hours 0 to 23, comma-separated"))?
                        .into_iter()
                        .map(|n| n as u8)
                        .collect()
                }
                "BYMINUTE" => {
                    rule.by_minute = numbers(&value, 0, 59, false)
                        .ok_or_else(|| bad("expected minutes 0 to 59, comma-separated"))?
                        .into_iter()
                        .map(|n| n as u8)
                        .collect()
                }
                "BYDAY" => {
                    let mut days = Vec::new();
                    for d in value.split(',').map(str::trim) {
                        days.push(parse_byday(d).ok_or_else(|| {
                            bad("expected MO, TU, WE, TH, FR, SA, SU, optionally with an ordinal (1MO, -1FR)")
                        })?);
                    }
                    days.sort();
                    days.dedup();
                    rule.by_day = days;
                }
                "WKST" => {
                    if value != "MO" {
                        return Err(bad("only WKST=MO is supported (weeks start on Monday)"));
                    }
                }
                "BYSETPOS" | "BYWEEKNO" | "BYYEARDAY" | "BYSECOND" => {
                    return Err(format!(
                        "RRULE part {name} is not supported (supported: FREQ, INTERVAL, BYMONTH, BYMONTHDAY, BYDAY, BYHOUR, BYMINUTE, COUNT, UNTIL, WKST=MO)"
                    ))
                }
                _ => {
                    return Err(format!(
                        "unknown RRULE part {name} (supported: FREQ, INTERVAL, BYMONTH, BYMONTHDAY, BYDAY, BYHOUR, BYMINUTE, COUNT, UNTIL, WKST=MO)"
                    ))
                }
            }
        }
        if rule.freq.is_none() {
            return Err("RRULE needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)".into());
        }
        rule.check()?;
        Ok(rule)
    }

    /// Checks the combinations RFC 5545 forbids or this subset refuses.
    pub fn check(&self) -> Result<(), String> {
        let Some(freq) = self.freq else {
            return Ok(());
        };
        if !(1..=MAX_INTERVAL).contains(&self.interval) {
            return Err("the interval must be from 1 to 1000".into());
        }
        if self.count.is_some() && self.until.is_some() {
            return Err("give COUNT or UNTIL, not both (RFC 5545)".into());
        }
        if let Some(c) = self.count {
            if !(1..=MAX_COUNT).contains(&c) {
                return Err("COUNT must be from 1 to 1000".into());
            }
        }
        let ordinals = self.by_day.iter().any(|&(o, _)| o != 0);
        if ordinals && matches!(freq, Freq::Daily | Freq::Weekly) {
            return Err(format!(
                "BYDAY with an ordinal (1MO, -1FR) needs FREQ=MONTHLY or YEARLY, not {}",
                freq.name()
            ));
        }
        if ordinals && !self.by_month_day.is_empty() {
            return Err("BYDAY with an ordinal cannot be combined with BYMONTHDAY".into());
        }
        if freq == Freq::Weekly && !self.by_month_day.is_empty() {
            return Err("BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545)".into());
        }
        if freq == Freq::Yearly && !self.by_day.is_empty() && self.by_month.is_empty() {
            return Err(
                "FREQ=YEARLY with BYDAY needs BYMONTH (the days are taken within those months)"
                    .into(),
            );
        }
        if self.by_day.iter().any(|&(o, _)| !(-5..=5).contains(&o)) {
            return Err("a BYDAY ordinal must be from -5 to 5 (within the month)".into());
        }
        let times = self.by_hour.len().max(1) * self.by_minute.len().max(1);
        if times > MAX_TIMES_PER_DAY {
            return Err(format!(
                "at most {MAX_TIMES_PER_DAY} times a day (BYHOUR × BYMINUTE gives {times})"
            ));
        }
        Ok(())
    }

    /// The recurrence as an `RRULE` value (empty for a one-off), in a fixed
    /// order: `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0;COUNT=4`.
    pub fn rrule(&self) -> String {
        let Some(freq) = self.freq else {
            return String::new();
        };
        let mut parts = vec![format!("FREQ={}", freq.name())];
        if self.interval != 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        let join = |v: Vec<String>| v.join(",");
        if !self.by_month.is_empty() {
            parts.push(format!(
                "BYMONTH={}",
                join(self.by_month.iter().map(u8::to_string).collect())
            ));
        }
        if !self.by_month_day.is_empty() {
            parts.push(format!(
                "BYMONTHDAY={}",
                join(self.by_month_day.iter().map(i8::to_string).collect())
            ));
        }
        if !self.by_day.is_empty() {
            parts.push(format!(
                "BYDAY={}",
                join(
                    self.by_day
                        .iter()
                        .map(|&(o, d)| {
                            let name = WEEKDAYS[d as usize % 7];
                            if o == 0 {
                                name.to_string()
                            } else {
                                format!("{o}{name}")
                            }
                        })
                        .collect()
                )
            ));
        }
        if !self.by_hour.is_empty() {
            parts.push(format!(
                "BYHOUR={}",
                join(self.by_hour.iter().map(u8::to_string).collect())
            ));
        }
        if !self.by_minute.is_empty() {
            parts.push(format!(
                "BYMINUTE={}",
                join(self.by_minute.iter().map(u8::to_string).collect())
            ));
        }
        if let Some(c) = self.count {
            parts.push(format!("COUNT={c}"));
        }
        match self.until {
            Some(Until::Local(t)) => parts.push(format!("UNTIL={}", t.ical())),
            Some(Until::Utc(ms)) => parts.push(format!("UNTIL={}", utc_ical(ms))),
            None => {}
        }
        parts.join(";")
    }

    /// A one-line identity of the schedule (start and recurrence), for
    /// fingerprints.
    pub fn key(&self) -> String {
        format!("{}|{}", self.start.ical(), self.rrule())
    }

    /// Occurrences `o` with `from_ms < o <= to_ms`, ascending. See
    /// [`occurrences`].
    pub fn occurrences(&self, zone: &Zone, from_ms: i64, to_ms: i64) -> Vec<i64> {
        self.scan(zone, from_ms, to_ms, usize::MAX)
    }

    /// The first occurrence strictly after `after_ms`, looking up to
    /// [`HORIZON_MS`] past it (or past the start, when it is before).
    pub fn next_after(&self, zone: &Zone, after_ms: i64) -> Option<i64> {
        // Before the start, the horizon counts from the start.
        let base = match zone.to_ms(self.start) {
            Some(s) => after_ms.max(s - 1),
            None => after_ms,
        };
        self.scan(zone, after_ms, base.saturating_add(HORIZON_MS), 1)
            .first()
            .copied()
    }

    /// At most `limit` occurrences in `(from_ms, to_ms]`, ascending.
    pub fn scan(&self, zone: &Zone, from_ms: i64, to_ms: i64, limit: usize) -> Vec<i64> {
        let mut out = Vec::new();
        if limit == 0 {
            return out;
        }
        let Some(start_ms) = zone.to_ms(self.start) else {
            return out;
        };
        let Some(freq) = self.freq else {
            if from_ms < start_ms && start_ms <= to_ms {
                out.push(start_ms);
            }
            return out;
        };
        let until_ms = match self.until {
            Some(Until::Local(t)) => zone.to_ms(t).unwrap_or(i64::MIN),
            Some(Until::Utc(ms)) => ms,
            None => i64::MAX,
        };
        // Past year 9999 jiff has no instants; stop well before.
        let hi = to_ms.min(until_ms).min(253_000_000_000_000);
        let from = from_ms.max(start_ms - 1);
        if hi <= from {
            return out;
        }
        let Some(hi_local) = zone.local(hi) else {
            return out;
        };
        let last_day = hi_local.days() + 1;
        // Without COUNT, start one period before the one of `from`; with it,
        // every occurrence since the start counts.
        let k0 = match (self.count, zone.local(from)) {
            (None, Some(f)) => (self.period_of(f.days()) - 1).max(0),
            _ => 0,
        };
        let mut seen = 0u32;
        let mut instants: Vec<i64> = Vec::new();
        let mut dates: Vec<i64> = Vec::new();
        let mut k = k0;
        loop {
            let Some(first_day) = self.period_start(k) else {
                return out;
            };
            if first_day > last_day {
                return out;
            }
            dates.clear();
            self.period_dates(k, freq, &mut dates);
            instants.clear();
            for &d in &dates {
                for h in self.hours() {
                    for m in self.minutes() {
                        let t = LocalTime::of_days(d, h, m);
                        if t < self.start {
                            continue;
                        }
                        if let Some(ms) = zone.to_ms(t) {
                            instants.push(ms);
                        }
                    }
                }
            }
            instants.sort_unstable();
            instants.dedup();
            for &ms in &instants {
                seen += 1;
                if self.count.is_some_and(|c| seen > c) || ms > hi {
                    return out;
                }
                if ms > from {
                    out.push(ms);
                    if out.len() >= limit {
                        return out;
                    }
                }
            }
            k += 1;
        }
    }

    fn hours(&self) -> Vec<u8> {
        if self.by_hour.is_empty() {
            vec![self.start.hour]
        } else {
            self.by_hour.clone()
        }
    }

    fn minutes(&self) -> Vec<u8> {
        if self.by_minute.is_empty() {
            vec![self.start.minute]
        } else {
            self.by_minute.clone()
        }
    }

    fn month_index(&self) -> i64 {
        i64::from(self.start.year) * 12 + i64::from(self.start.month) - 1
    }

    /// The period (0 = the start's) containing day number `days`.
    fn period_of(&self, days: i64) -> i64 {
        let n = i64::from(self.interval.max(1));
        let s = self.start.days();
        match self.freq {
            None | Some(Freq::Daily) => (days - s).div_euclid(n),
            Some(Freq::Weekly) => {
                let monday = |d: i64| d - i64::from(weekday_of(d));
                ((monday(days) - monday(s)) / 7).div_euclid(n)
            }
            Some(Freq::Monthly) => {
                let (y, m, _) = civil_from_days(days);
                (i64::from(y) * 12 + i64::from(m) - 1 - self.month_index()).div_euclid(n)
            }
            Some(Freq::Yearly) => {
                let (y, _, _) = civil_from_days(days);
                (i64::from(y) - i64::from(self.start.year)).div_euclid(n)
            }
        }
    }

    /// The first day of period `k`; `None` past year 9999.
    fn period_start(&self, k: i64) -> Option<i64> {
        let step = k.checked_mul(i64::from(self.interval.max(1)))?;
        let s = self.start.days();
        let day = match self.freq {
            None | Some(Freq::Daily) => s.checked_add(step)?,
            Some(Freq::Weekly) => {
                (s - i64::from(weekday_of(s))).checked_add(step.checked_mul(7)?)?
            }
            Some(Freq::Monthly) => {
                let mi = self.month_index().checked_add(step)?;
                days_from_civil(
                    i32::try_from(mi.div_euclid(12)).ok()?,
                    (mi.rem_euclid(12) + 1) as u32,
                    1,
                )
            }
            Some(Freq::Yearly) => days_from_civil(
                i32::try_from(i64::from(self.start.year).checked_add(step)?).ok()?,
                1,
                1,
            ),
        };
        (day < 2_932_897).then_some(day) // 10000-01-01
    }

    /// The candidate dates (day numbers) of period `k`, ascending.
    fn period_dates(&self, k: i64, freq: Freq, out: &mut Vec<i64>) {
        let Some(first) = self.period_start(k) else {
            return;
        };
        match freq {
            Freq::Daily => {
                let (y, m, d) = civil_from_days(first);
                let wd = weekday_of(first);
                let month_ok = self.by_month.is_empty() || self.by_month.contains(&(m as u8));
                let dim = days_in_month(y, m) as i64;
                let day_ok = self.by_month_day.is_empty()
                    || self
                        .by_month_day
                        .iter()
                        .any(|&md| resolve_month_day(md, dim) == Some(i64::from(d)));
                let wd_ok = self.by_day.is_empty() || self.by_day.iter().any(|&(_, w)| w == wd);
                if month_ok && day_ok && wd_ok {
                    out.push(first);
                }
            }
            Freq::Weekly => {
                let mut wds: Vec<u8> = if self.by_day.is_empty() {
                    vec![self.start.weekday()]
                } else {
                    self.by_day.iter().map(|&(_, w)| w).collect()
                };
                wds.sort_unstable();
                wds.dedup();
                for w in wds {
                    let d = first + i64::from(w);
                    let (_, m, _) = civil_from_days(d);
                    if self.by_month.is_empty() || self.by_month.contains(&(m as u8)) {
                        out.push(d);
                    }
                }
            }
            Freq::Monthly => {
                let (y, m, _) = civil_from_days(first);
                if self.by_month.is_empty() || self.by_month.contains(&(m as u8)) {
                    self.month_dates(y, m, out);
                }
            }
            Freq::Yearly => {
                let (y, _, _) = civil_from_days(first);
                let months: Vec<u32> = if !self.by_month.is_empty() {
                    self.by_month.iter().map(|&m| u32::from(m)).collect()
                } else if !self.by_month_day.is_empty() {
                    (1..=12).collect()
                } else {
                    vec![u32::from(self.start.month)]
                };
                for m in months {
                    self.month_dates(y, m, out);
                }
            }
        }
    }

    /// The dates of month `m` of year `y` the rule picks, ascending.
    fn month_dates(&self, y: i32, m: u32, out: &mut Vec<i64>) {
        let first = days_from_civil(y, m, 1);
        let dim = i64::from(days_in_month(y, m));
        let mut days: Vec<i64> = Vec::new();
        if !self.by_month_day.is_empty() {
            for &md in &self.by_month_day {
                if let Some(d) = resolve_month_day(md, dim) {
                    let wd = weekday_of(first + d - 1);
                    if self.by_day.is_empty() || self.by_day.iter().any(|&(_, w)| w == wd) {
                        days.push(d);
                    }
                }
            }
        } else if !self.by_day.is_empty() {
            for &(ord, wd) in &self.by_day {
                // Days of the month on weekday `wd`.
                let offset = (i64::from(wd) - i64::from(weekday_of(first))).rem_euclid(7);
                let all: Vec<i64> = (0..5)
                    .map(|i| 1 + offset + 7 * i)
                    .filter(|&d| d <= dim)
                    .collect();
                match ord {
                    0 => days.extend(&all),
                    o if o > 0 => days.extend(all.get(o as usize - 1)),
                    o => {
                        let back = (-o) as usize;
                        if back <= all.len() {
                            days.push(all[all.len() - back]);
                        }
                    }
                }
            }
        } else if i64::from(self.start.day) <= dim {
            // RFC 5545: a start on the 31st skips the months without one.
            days.push(i64::from(self.start.day));
        }
        days.sort_unstable();
        days.dedup();
        out.extend(days.into_iter().map(|d| first + d - 1));
    }
}

/// A `BYMONTHDAY` value in a month of `dim` days: the day, if it exists.
fn resolve_month_day(md: i8, dim: i64) -> Option<i64> {
    let d = if md > 0 {
        i64::from(md)
    } else {
        dim + 1 + i64::from(md)
    };
    (1..=dim).contains(&d).then_some(d)
}

/// `1,15,-1` within `lo..=hi` (or its negation when `negative`).
fn numbers(value: &str, lo: i32, hi: i32, negative: bool) -> Option<Vec<i32>> {
    let mut out = Vec::new();
    for p in value.split(',').map(str::trim) {
        let n: i32 = p.strip_prefix('+').unwrap_or(p).parse().ok()?;
        let ok = (lo..=hi).contains(&n) || (negative && (-hi..=-lo).contains(&n));
        if !ok {
            return None;
        }
        out.push(n);
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// `MO`, `1MO`, `-1FR`, `+2TU`.
fn parse_byday(s: &str) -> Option<(i8, u8)> {
    if s.len() < 2 || !s.is_char_boundary(s.len() - 2) {
        return None;
    }
    let (ord, name) = s.split_at(s.len() - 2);
    let wd = WEEKDAYS.iter().position(|w| *w == name)? as u8;
    let ord: i8 = match ord {
        "" => 0,
        o => {
            let n: i8 = o.strip_prefix('+').unwrap_or(o).parse().ok()?;
            if n == 0 {
                return None;
            }
            n
        }
    };
    Some((ord, wd))
}

/// `20270630`, `20270630T180000`, `20270630T160000Z`.
fn parse_until(v: &str) -> Option<Until> {
    let (body, utc) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    let (date, time) = match body.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (body, None),
    };
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = date[..4].parse().ok()?;
    let m: u32 = date[4..6].parse().ok()?;
    let d: u32 = date[6..].parse().ok()?;
    let (h, mi) = match time {
        None => (23, 59),
        Some(t) if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) => {
            (t[..2].parse().ok()?, t[2..4].parse().ok()?)
        }
        Some(_) => return None,
    };
    let local = LocalTime::new(y, m, d, h, mi)?;
    if utc {
        // Days since the epoch × a day + the time; seconds are dropped.
        Some(Until::Utc(
            local.days() * DAY_MS + i64::from(h) * HOUR_MS + i64::from(mi) * MINUTE_MS,
        ))
    } else {
        // A date alone is through the end of that day (23:59 local).
        Some(Until::Local(local))
    }
}

/// `20270630T160000Z`.
fn utc_ical(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let rest = ms.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}00Z",
        rest / HOUR_MS,
        rest % HOUR_MS / MINUTE_MS
    )
}

/// The occurrences of `rule` in the time zone `zone` that fall in
/// `(from_ms, to_ms]` (ms since the Unix epoch), ascending, each once.
///
/// This is what the plugin's `tick` fires: a tick at `now` handles the
/// occurrences in `(last handled, now]`.
///
/// ```
/// use schedule::rule::{occurrences, Rule, Zone};
/// let rule = Rule::parse("2026-03-02 09:00", "FREQ=WEEKLY;BYDAY=MO").unwrap();
/// let paris = Zone::get("Europe/Paris").unwrap();
/// let from = paris.to_ms(rule.start).unwrap() - 1;
/// let year = occurrences(&rule, &paris, from, from + 365 * 86_400_000);
/// assert_eq!(year.len(), 53);
/// assert!(year.iter().all(|&t| paris.format(t).ends_with(" 09:00")));
/// ```
pub fn occurrences(rule: &Rule, zone: &Zone, from_ms: i64, to_ms: i64) -> Vec<i64> {
    rule.occurrences(zone, from_ms, to_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(weekday_of(days_from_civil(2026, 3, 30)), 0); // a Monday
        for z in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
    }

    #[test]
    fn parses_local_times() {
        let t = LocalTime::parse("2026-12-24 18:00", None).unwrap();
        assert_eq!(t.text(), "2026-12-24 18:00");
        assert_eq!(LocalTime::parse("2026-12-24T18:00:00", None), Some(t));
        assert_eq!(LocalTime::parse("2026-02-29 10:00", None), None);
        assert_eq!(LocalTime::parse("2026-12-24 18:00:30", None), None);
        assert_eq!(LocalTime::parse("2026-12-24 24:00", None), None);
        assert_eq!(LocalTime::parse("2026-12-24", None), None);
        assert_eq!(
            LocalTime::parse("2026-12-24", Some((23, 59))).map(|t| t.text()),
            Some("2026-12-24 23:59".to_string())
        );
        assert_eq!(LocalTime::parse("1999-12-24 10:00", None), None);
        assert_eq!(LocalTime::parse("2026-12-24 18:00+01:00", None), None);
    }

    #[test]
    fn rrule_text_round_trips() {
        let start = LocalTime::parse("2026-01-31 09:30", None).unwrap();
        for text in [
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;BYHOUR=9,18;BYMINUTE=0;COUNT=4",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20400101T000000",
            "FREQ=DAILY;UNTIL=20270630T160000Z",
        ] {
            let rule = Rule::parse_rrule(start, text).unwrap();
            assert_eq!(rule.rrule(), text);
            assert_eq!(Rule::parse_rrule(start, &rule.rrule()).unwrap(), rule);
        }
    }
}
