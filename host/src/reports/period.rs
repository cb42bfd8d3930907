//! The period a report covers: a day, an ISO week, a month, a range, or
//! the whole log, in a time zone (UTC unless named), as a half-open
//! interval of milliseconds `[from, to)`.

use anyhow::{bail, Context, Result};
use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `[from_ms, to_ms)`, with how it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
    /// How it was given (`2026-11-22`, `2026-W48`, `2026-11`, `whole log`, …).
    pub label: String,
}

impl Period {
    /// The day `2026-11-22`, midnight to midnight in `tz`.
    pub fn day(day: &str, tz: &TimeZone) -> Result<Period> {
        let date = parse_date(day, "--day")?;
        Ok(Period {
            from_ms: start_of(date, tz)?,
            to_ms: start_of(date.tomorrow()?, tz)?,
            label: day.to_string(),
        })
    }

    /// The ISO week `2026-W48`, Monday 00:00 to the next Monday in `tz`.
    pub fn iso_week(week: &str, tz: &TimeZone) -> Result<Period> {
        let bad = || format!("--week {week:?}: expected an ISO week such as 2026-W48");
        let (year, number) = week.split_once(['-']).with_context(bad)?;
        let number = number.strip_prefix(['W', 'w']).with_context(bad)?;
        let year: i16 = year.parse().ok().with_context(bad)?;
        let number: i8 = number.parse().ok().with_context(bad)?;
        let monday = ISOWeekDate::new(year, number, Weekday::Monday)
            .with_context(|| format!("--week {week:?}: {year} has no week {number}"))?
            .date();
        let next_monday = (0..7).try_fold(monday, |d, _| d.tomorrow())?;
        Ok(Period {
            from_ms: start_of(monday, tz)?,
            to_ms: start_of(next_monday, tz)?,
            label: week.to_string(),
        })
    }

    /// The month `2026-11`, from its first day to the next month's in `tz`.
    pub fn month(month: &str, tz: &TimeZone) -> Result<Period> {
        let first = parse_date(&format!("{month}-01"), "--month")
            .with_context(|| format!("--month {month:?}: expected a month such as 2026-11"))?;
        Ok(Period {
            from_ms: start_of(first, tz)?,
            to_ms: start_of(first.last_of_month().tomorrow()?, tz)?,
            label: month.to_string(),
        })
    }

    /// `--from` and `--to`: an RFC 3339 time, or a date (`--from` its
    /// midnight; `--to` includes the whole day, so `--from 2026-11-01 --to
    /// 2026-11-30` is November). A bound not given is the log's.
    pub fn range(
        from: Option<&str>,
        to: Option<&str>,
        log: (i64, i64),
        tz: &TimeZone,
    ) -> Result<Period> {
        let from_ms = match from {
            Some(t) => parse_bound(t, false, tz, "--from")?,
            None => log.0,
        };
        let to_ms = match to {
            Some(t) => parse_bound(t, true, tz, "--to")?,
            None => log.1,
        };
        if to_ms <= from_ms {
            bail!("the period is empty: --to must come after --from");
        }
        Ok(Period {
            from_ms,
            to_ms,
            label: format!("{} – {}", from.unwrap_or("…"), to.unwrap_or("…")),
        })
    }

    /// The whole log: from the midnight before its first event to the
    /// midnight after its last, in `tz`.
    pub fn whole_log(first_ms: i64, last_ms: i64, tz: &TimeZone) -> Result<Period> {
        Ok(Period {
            from_ms: start_of(date_of(first_ms, tz)?, tz)?,
            to_ms: start_of(date_of(last_ms, tz)?.tomorrow()?, tz)?,
            label: "whole log".to_string(),
        })
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        let length = self.to_ms - self.from_ms;
        Period {
            from_ms: self.from_ms - length,
            to_ms: self.from_ms,
            label: format!("previous {}", self.label),
        }
    }

    pub fn contains(&self, ms: i64) -> bool {
        (self.from_ms..self.to_ms).contains(&ms)
    }

    /// The calendar days it touches in `tz`, in order.
    pub fn days(&self, tz: &TimeZone) -> Result<Vec<Date>> {
        let last = date_of(self.to_ms - 1, tz)?;
        let mut day = date_of(self.from_ms, tz)?;
        let mut days = vec![day];
        while day < last {
            day = day.tomorrow()?;
            days.push(day);
        }
        Ok(days)
    }
}

/// The calendar day of an instant in `tz`.
pub fn date_of(ms: i64, tz: &TimeZone) -> Result<Date> {
    Ok(Timestamp::from_millisecond(ms)?
        .to_zoned_datetime(tz.clone())
        .date())
}

/// A time zone by its IANA name (`Europe/Paris`), or UTC.
pub fn time_zone(name: Option<&str>) -> Result<TimeZone> {
    match name {
        None | Some("UTC") => Ok(TimeZone::UTC),
        Some(name) => TimeZone::get(name).with_context(|| {
            format!("--tz {name:?} is not a time zone of the tz database (e.g. Europe/Paris)")
        }),
    }
}

fn start_of(date: Date, tz: &TimeZone) -> Result<i64> {
    Ok(date
        .to_zoned_datetime(tz.clone())?
        .timestamp()
        .as_millisecond())
}

fn parse_date(text: &str, flag: &str) -> Result<Date> {
    text.parse::<Date>()
        .with_context(|| format!("{flag} {text:?}: expected a date such as 2026-11-22"))
}

fn parse_bound(text: &str, is_end: bool, tz: &TimeZone, flag: &str) -> Result<i64> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let date = text.parse::<Date>().with_context(|| {
        format!("{flag} {text:?}: expected a date (2026-11-22) or an RFC 3339 time (2026-11-22T10:00:00Z)")
    })?;
    start_of(if is_end { date.tomorrow()? } else { date }, tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn days_weeks_and_months_are_midnight_to_midnight_in_the_zone() {
        let paris = time_zone(Some("Europe/Paris")).unwrap();
        let day = Period::day("2026-11-22", &paris).unwrap();
        assert_eq!(day.from_ms, utc("2026-11-21T23:00:00Z"));
        assert_eq!(day.to_ms, utc("2026-11-22T23:00:00Z"));
        let week = Period::iso_week("2026-W48", &TimeZone::UTC).unwrap();
        assert_eq!(week.from_ms, utc("2026-11-23T00:00:00Z"));
        assert_eq!(week.to_ms, utc("2026-11-30T00:00:00Z"));
        let month = Period::month("2026-11", &TimeZone::UTC).unwrap();
        assert_eq!(month.from_ms, utc("2026-11-01T00:00:00Z"));
        assert_eq!(month.to_ms, utc("2026-12-01T00:00:00Z"));
        assert_eq!(month.previous().from_ms, utc("2026-10-02T00:00:00Z"));
        // A day with a DST change lasts 23 hours.
        let spring = Period::day("2026-03-29", &paris).unwrap();
        assert_eq!(spring.to_ms - spring.from_ms, 23 * 3_600_000);
        assert_eq!(week.days(&TimeZone::UTC).unwrap().len(), 7);
    }

    #[test]
    fn bad_input_is_named() {
        let err = |r: Result<Period>| format!("{:#}", r.unwrap_err());
        assert!(err(Period::day("22/11/2026", &TimeZone::UTC)).contains("--day"));
        assert!(err(Period::iso_week("2026-48", &TimeZone::UTC)).contains("ISO week"));
        assert!(err(Period::iso_week("2026-W54", &TimeZone::UTC)).contains("no week 54"));
        assert!(err(Period::month("2026-13", &TimeZone::UTC)).contains("--month"));
        assert!(err(Period::range(
            Some("2026-11-23"),
            Some("2026-11-22T00:00:00Z"),
            (0, 1),
            &TimeZone::UTC
        ))
        .contains("empty"));
        assert!(format!("{:#}", time_zone(Some("Mars/Olympus")).unwrap_err()).contains("--tz"));
        let range = Period::range(
            Some("2026-11-01"),
            Some("2026-11-30"),
            (0, 1),
            &TimeZone::UTC,
        )
        .unwrap();
        assert_eq!(
            range,
            Period {
                label: range.label.clone(),
                ..Period::month("2026-11", &TimeZone::UTC).unwrap()
            }
        );
    }
}
