//! Recurrence rules through the public API (`schedule::occurrences`): the
//! two DST changes of 2026 in Paris (29 March, 25 October) and New York
//! (8 March, 1 November), months without a 31st, 29 February, ends by date
//! and by count, the gap and fold rules, and the RRULE subset's refusals.

use schedule::rule::{days_from_civil, Freq, HOUR_MS, MINUTE_MS};
use schedule::{occurrences, LocalTime, Rule, Zone};

const DAY: i64 = 24 * HOUR_MS;

fn paris() -> Zone {
    Zone::get("Europe/Paris").unwrap()
}

fn new_york() -> Zone {
    Zone::get("America/New_York").unwrap()
}

fn t(s: &str) -> LocalTime {
    LocalTime::parse(s, None).unwrap()
}

fn rule(start: &str, rrule: &str) -> Rule {
    Rule::parse(start, rrule).unwrap_or_else(|e| panic!("{start} {rrule}: {e}"))
}

/// UTC instant of `2026-03-29T01:30Z`-like text (no zone suffix: UTC).
fn utc(s: &str) -> i64 {
    let t = t(s);
    t.days() * DAY + i64::from(t.hour) * HOUR_MS + i64::from(t.minute) * MINUTE_MS
}

/// The local texts of instants.
fn locals(zone: &Zone, instants: &[i64]) -> Vec<String> {
    instants.iter().map(|&i| zone.format(i)).collect()
}

/// The whole of local year `y` in `zone`, as `(from, to]`.
fn year(zone: &Zone, y: i32) -> (i64, i64) {
    let from = zone.to_ms(LocalTime::new(y, 1, 1, 0, 0).unwrap()).unwrap() - 1;
    let to = zone
        .to_ms(LocalTime::new(y + 1, 1, 1, 0, 0).unwrap())
        .unwrap()
        - 1;
    (from, to)
}

#[test]
fn every_monday_at_nine_is_nine_local_all_year_across_both_dst_changes() {
    let z = paris();
    let r = rule("2026-01-05 09:00", "FREQ=WEEKLY;BYDAY=MO");
    let (from, to) = year(&z, 2026);
    let got = occurrences(&r, &z, from, to);
    // 2026 starts on a Thursday: 52 Mondays.
    assert_eq!(got.len(), 52);
    for (k, &o) in got.iter().enumerate() {
        let local = z.local(o).unwrap();
        assert_eq!(
            (local.hour, local.minute, local.weekday()),
            (9, 0, 0),
            "{}",
            z.format(o)
        );
        if k > 0 {
            let gap = o - got[k - 1];
            assert!(gap == 7 * DAY || gap == 7 * DAY - HOUR_MS || gap == 7 * DAY + HOUR_MS);
        }
    }
    // 08:00 UTC in winter time, 07:00 UTC in summer time.
    assert!(got.contains(&utc("2026-03-23 08:00")));
    assert!(got.contains(&utc("2026-03-30 07:00")));
    assert!(got.contains(&utc("2026-10-19 07:00")));
    assert!(got.contains(&utc("2026-10-26 08:00")));
    // The week of each change is one hour shorter or longer.
    let i = got
        .iter()
        .position(|&o| o == utc("2026-03-30 07:00"))
        .unwrap();
    assert_eq!(got[i] - got[i - 1], 7 * DAY - HOUR_MS);
    let i = got
        .iter()
        .position(|&o| o == utc("2026-10-26 08:00"))
        .unwrap();
    assert_eq!(got[i] - got[i - 1], 7 * DAY + HOUR_MS);
    // A year of Mondays that holds 53 of them.
    let r = rule("2026-03-02 09:00", "FREQ=WEEKLY;BYDAY=MO");
    let start = z.to_ms(r.start).unwrap();
    assert_eq!(occurrences(&r, &z, start - 1, start + 365 * DAY).len(), 53);
}

#[test]
fn daily_through_dst_is_the_same_local_time_every_day() {
    let z = paris();
    let r = rule("2026-01-01 09:00", "FREQ=DAILY");
    let (from, to) = year(&z, 2026);
    let got = occurrences(&r, &z, from, to);
    assert_eq!(got.len(), 365);
    assert!(got.iter().all(|&o| z.format(o).ends_with(" 09:00")));
    let gaps: Vec<i64> = got.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.iter().filter(|&&g| g == DAY - HOUR_MS).count(), 1);
    assert_eq!(gaps.iter().filter(|&&g| g == DAY + HOUR_MS).count(), 1);
    assert_eq!(gaps.iter().filter(|&&g| g == DAY).count(), 362);
}

#[test]
fn a_time_in_the_spring_gap_moves_forward_and_an_ambiguous_one_takes_the_first_instant() {
    let z = paris();
    let r = rule("2026-03-27 02:30", "FREQ=DAILY");
    let got = occurrences(&r, &z, utc("2026-03-26 00:00"), utc("2026-03-31 00:00"));
    // 02:30 does not exist on 29 March: 03:30 CEST, one hour later than
    // 02:30 CET would have been (RFC 5545).
    assert_eq!(
        locals(&z, &got),
        [
            "2026-03-27 02:30",
            "2026-03-28 02:30",
            "2026-03-29 03:30",
            "2026-03-30 02:30"
        ]
    );
    assert!(got.contains(&utc("2026-03-29 01:30")));
    // A one-off in the gap, the same.
    let once = Rule::once(t("2026-03-29 02:30"));
    assert_eq!(
        occurrences(&once, &z, 0, i64::MAX / 2),
        [utc("2026-03-29 01:30")]
    );
    // 02:30 happens twice on 25 October: the first (CEST, 00:30 UTC), once.
    let got = occurrences(&r, &z, utc("2026-10-24 00:00"), utc("2026-10-27 00:00"));
    assert_eq!(
        got,
        [
            utc("2026-10-24 00:30"),
            utc("2026-10-25 00:30"),
            utc("2026-10-26 01:30")
        ]
    );
    let once = Rule::once(t("2026-10-25 02:30"));
    assert_eq!(
        occurrences(&once, &z, 0, i64::MAX / 2),
        [utc("2026-10-25 00:30")]
    );
}

#[test]
fn two_local_times_on_one_instant_are_one_occurrence() {
    let z = paris();
    // 02:30 and 03:30 are the same instant on 29 March.
    let r = rule("2026-03-28 00:00", "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30");
    let got = occurrences(&r, &z, utc("2026-03-27 00:00"), utc("2026-03-31 00:00"));
    assert_eq!(
        locals(&z, &got),
        [
            "2026-03-28 02:30",
            "2026-03-28 03:30",
            "2026-03-29 03:30",
            "2026-03-30 02:30",
            "2026-03-30 03:30"
        ]
    );
    // Every hour of the fall-back night: 02:00 once (the first one).
    let r = rule(
        "2026-10-25 00:00",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4;BYMINUTE=0;COUNT=5",
    );
    let got = occurrences(&r, &z, 0, i64::MAX / 2);
    assert_eq!(
        got,
        [
            utc("2026-10-24 22:00"),
            utc("2026-10-24 23:00"),
            utc("2026-10-25 00:00"),
            utc("2026-10-25 02:00"),
            utc("2026-10-25 03:00")
        ]
    );
}

#[test]
fn the_31st_skips_the_months_without_one() {
    let z = paris();
    let (from, to) = year(&z, 2026);
    let months =
        |got: &[i64]| -> Vec<u8> { got.iter().map(|&o| z.local(o).unwrap().month).collect() };
    let r = rule("2026-01-31 10:00", "FREQ=MONTHLY");
    let got = occurrences(&r, &z, from, to);
    assert_eq!(months(&got), [1, 3, 5, 7, 8, 10, 12]);
    assert!(locals(&z, &got).iter().all(|l| l.ends_with("-31 10:00")));
    let r = rule("2026-01-01 10:00", "FREQ=MONTHLY;BYMONTHDAY=31");
    assert_eq!(
        months(&occurrences(&r, &z, from, to)),
        [1, 3, 5, 7, 8, 10, 12]
    );
    // The 30th skips February only; -1 is the last day of every month.
    let r = rule("2026-01-01 10:00", "FREQ=MONTHLY;BYMONTHDAY=30");
    assert_eq!(occurrences(&r, &z, from, to).len(), 11);
    let r = rule("2026-01-01 10:00", "FREQ=MONTHLY;BYMONTHDAY=-1");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, from, to))[..3],
        ["2026-01-31 10:00", "2026-02-28 10:00", "2026-03-31 10:00"]
    );
    // COUNT counts occurrences, not months: five 31sts.
    let r = rule("2026-01-31 10:00", "FREQ=MONTHLY;COUNT=5");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, 0, i64::MAX / 2)),
        [
            "2026-01-31 10:00",
            "2026-03-31 10:00",
            "2026-05-31 10:00",
            "2026-07-31 10:00",
            "2026-08-31 10:00"
        ]
    );
}

#[test]
fn the_29th_of_february_comes_in_leap_years_only() {
    let z = paris();
    let r = rule("2028-02-29 12:00", "FREQ=YEARLY");
    let got = occurrences(&r, &z, 0, z.to_ms(t("2041-01-01 00:00")).unwrap());
    assert_eq!(
        locals(&z, &got),
        [
            "2028-02-29 12:00",
            "2032-02-29 12:00",
            "2036-02-29 12:00",
            "2040-02-29 12:00"
        ]
    );
    let after = z.to_ms(t("2028-03-01 00:00")).unwrap();
    assert_eq!(
        r.next_after(&z, after).map(|o| z.format(o)),
        Some("2032-02-29 12:00".into())
    );
    // Across 2100, not a leap year: eight years.
    let r = rule("2096-02-29 12:00", "FREQ=YEARLY");
    let after = z.to_ms(t("2096-03-01 00:00")).unwrap();
    assert_eq!(
        r.next_after(&z, after).map(|o| z.format(o)),
        Some("2104-02-29 12:00".into())
    );
    let r = rule("2026-01-01 12:00", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29");
    assert_eq!(
        r.next_after(&z, 0).map(|o| z.format(o)),
        Some("2028-02-29 12:00".into())
    );
}

#[test]
fn ends_by_date_inclusive_and_by_count() {
    let z = paris();
    let r = rule("2026-01-01 09:00", "FREQ=DAILY;UNTIL=20260110");
    assert_eq!(occurrences(&r, &z, 0, i64::MAX / 2).len(), 10);
    let r = rule("2026-01-01 09:00", "FREQ=DAILY;UNTIL=20260110T090000");
    assert_eq!(occurrences(&r, &z, 0, i64::MAX / 2).len(), 10);
    let r = rule("2026-01-01 09:00", "FREQ=DAILY;UNTIL=20260110T080000Z");
    assert_eq!(occurrences(&r, &z, 0, i64::MAX / 2).len(), 10);
    let r = rule("2026-01-01 09:00", "FREQ=DAILY;UNTIL=20260110T075900Z");
    assert_eq!(occurrences(&r, &z, 0, i64::MAX / 2).len(), 9);
    let r = rule("2026-01-01 09:00", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, 0, i64::MAX / 2)),
        [
            "2026-01-01 09:00",
            "2026-01-05 09:00",
            "2026-01-08 09:00",
            "2026-01-12 09:00"
        ]
    );
    // COUNT still counts the occurrences before `from`.
    let after = z.to_ms(t("2026-01-06 00:00")).unwrap();
    assert_eq!(occurrences(&r, &z, after, i64::MAX / 2).len(), 2);
    assert_eq!(
        r.next_after(&z, z.to_ms(t("2026-01-12 09:00")).unwrap()),
        None
    );
}

#[test]
fn new_york_changes_on_its_own_dates() {
    let z = new_york();
    // Spring forward on 8 March 2026 at 02:00: 02:30 becomes 03:30 EDT.
    let r = rule("2026-03-01 02:30", "FREQ=WEEKLY;BYDAY=SU");
    let got = occurrences(&r, &z, utc("2026-03-01 00:00"), utc("2026-03-16 00:00"));
    assert_eq!(
        locals(&z, &got),
        ["2026-03-01 02:30", "2026-03-08 03:30", "2026-03-15 02:30"]
    );
    assert_eq!(got[1], utc("2026-03-08 07:30"));
    // Fall back on 1 November at 02:00: 01:30 happens twice, the first (EDT).
    let r = rule("2026-10-30 01:30", "FREQ=DAILY");
    let got = occurrences(&r, &z, utc("2026-10-30 00:00"), utc("2026-11-03 00:00"));
    assert_eq!(
        got,
        [
            utc("2026-10-30 05:30"),
            utc("2026-10-31 05:30"),
            utc("2026-11-01 05:30"),
            utc("2026-11-02 06:30")
        ]
    );
    // Every Monday 9:00 is 9:00 local all year there too (2026: 52).
    let r = rule("2026-01-05 09:00", "FREQ=WEEKLY;BYDAY=MO");
    let (from, to) = year(&z, 2026);
    let got = occurrences(&r, &z, from, to);
    assert_eq!(got.len(), 52);
    assert!(got.iter().all(|&o| z.format(o).ends_with(" 09:00")));
    // On 9 March (after New York's change, before Paris's) New York is
    // 5 hours behind Paris, not 6.
    let p = paris();
    let ny = z.to_ms(t("2026-03-09 09:00")).unwrap();
    let pa = p.to_ms(t("2026-03-09 09:00")).unwrap();
    assert_eq!(ny - pa, 5 * HOUR_MS);
}

#[test]
fn monthly_by_weekday_and_intervals() {
    let z = paris();
    let (from, to) = year(&z, 2026);
    let r = rule("2026-01-01 18:00", "FREQ=MONTHLY;BYDAY=-1FR");
    let got = locals(&z, &occurrences(&r, &z, from, to));
    assert_eq!(got.len(), 12);
    assert_eq!(
        got[..3],
        ["2026-01-30 18:00", "2026-02-27 18:00", "2026-03-27 18:00"]
    );
    let r = rule("2026-01-01 18:00", "FREQ=MONTHLY;BYDAY=1MO");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, from, to))[0],
        "2026-01-05 18:00"
    );
    let r = rule("2026-01-01 18:00", "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, from, to)),
        ["2026-11-26 18:00"]
    );
    let r = rule("2026-01-05 09:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR");
    let got = locals(
        &z,
        &occurrences(&r, &z, from, z.to_ms(t("2026-02-01 00:00")).unwrap()),
    );
    assert_eq!(
        got,
        [
            "2026-01-05 09:00",
            "2026-01-09 09:00",
            "2026-01-19 09:00",
            "2026-01-23 09:00"
        ]
    );
    let r = rule("2026-01-05 09:00", "FREQ=DAILY;INTERVAL=3;COUNT=3");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, 0, i64::MAX / 2)),
        ["2026-01-05 09:00", "2026-01-08 09:00", "2026-01-11 09:00"]
    );
    // A start that does not match the rule is not an occurrence.
    let r = rule("2026-01-01 09:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=2");
    assert_eq!(
        locals(&z, &occurrences(&r, &z, 0, i64::MAX / 2)),
        ["2026-01-05 09:00", "2026-01-12 09:00"]
    );
    assert_eq!(
        Rule::every(t("2026-01-01 09:00"), Freq::Daily).rrule(),
        "FREQ=DAILY"
    );
}

#[test]
fn the_range_is_half_open_and_splits_add_up() {
    let z = paris();
    let r = rule("2026-01-05 09:00", "FREQ=WEEKLY;BYDAY=MO");
    let first = z.to_ms(t("2026-01-05 09:00")).unwrap();
    assert_eq!(occurrences(&r, &z, first - 1, first), [first]);
    assert!(occurrences(&r, &z, first, first + DAY).is_empty());
    // Any split of a range gives the same occurrences as the whole (the
    // scan starts near `from` when it can).
    let rules = [
        rule("2026-01-05 09:00", "FREQ=WEEKLY;BYDAY=MO"),
        rule("2026-01-31 10:00", "FREQ=MONTHLY"),
        rule("2026-03-27 02:30", "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30"),
        rule(
            "2026-01-05 09:00",
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,SA;COUNT=20",
        ),
        rule(
            "2026-01-01 18:00",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;UNTIL=20271231",
        ),
        rule("2028-02-29 12:00", "FREQ=YEARLY"),
        rule("2026-01-01 07:15", "FREQ=DAILY;INTERVAL=5"),
    ];
    let (from, _) = year(&z, 2026);
    let to = from + 3 * 366 * DAY;
    for r in &rules {
        let whole = occurrences(r, &z, from, to);
        let mut seed = 0x5eed_u64;
        let mut cut = from;
        let mut parts = Vec::new();
        while cut < to {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let step = ((seed >> 33) as i64) % (40 * DAY) + 1;
            let next = (cut + step).min(to);
            parts.extend(occurrences(r, &z, cut, next));
            cut = next;
        }
        assert_eq!(parts, whole, "{}", r.rrule());
        // And `next_after` agrees with the list.
        for w in whole.windows(2) {
            assert_eq!(r.next_after(&z, w[0]), Some(w[1]));
            assert_eq!(r.next_after(&z, w[1] - 1), Some(w[1]));
        }
    }
}

#[test]
fn refuses_what_the_subset_does_not_cover_with_the_part_named() {
    let start = t("2026-01-01 09:00");
    let err = |s: &str| Rule::parse_rrule(start, s).unwrap_err();
    assert!(err("FREQ=HOURLY").contains("FREQ=HOURLY"));
    assert!(err("FREQ=MONTHLY;BYSETPOS=-1").contains("BYSETPOS"));
    assert!(err("FREQ=YEARLY;BYWEEKNO=20").contains("BYWEEKNO"));
    assert!(err("FREQ=DAILY;BYSECOND=0").contains("BYSECOND"));
    assert!(err("FREQ=DAILY;X-FOO=1").contains("X-FOO"));
    assert!(err("BYDAY=MO").contains("FREQ"));
    assert!(err("FREQ=WEEKLY;BYDAY=1MO").contains("ordinal"));
    assert!(err("FREQ=WEEKLY;BYMONTHDAY=1").contains("BYMONTHDAY"));
    assert!(err("FREQ=YEARLY;BYDAY=MO").contains("BYMONTH"));
    assert!(err("FREQ=DAILY;COUNT=2;UNTIL=20270101").contains("COUNT or UNTIL"));
    assert!(err("FREQ=DAILY;COUNT=0").contains("COUNT"));
    assert!(err("FREQ=DAILY;INTERVAL=0").contains("INTERVAL"));
    assert!(err("FREQ=DAILY;BYHOUR=24").contains("BYHOUR"));
    assert!(err("FREQ=DAILY;BYMONTHDAY=32").contains("BYMONTHDAY"));
    assert!(err("FREQ=DAILY;BYDAY=XX").contains("BYDAY"));
    assert!(err("FREQ=DAILY;WKST=SU").contains("WKST"));
    assert!(err("FREQ=DAILY;FREQ=WEEKLY").contains("twice"));
    assert!(
        err("FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12;BYMINUTE=0,30").contains("24 times")
    );
    assert!(err("FREQ=DAILY;UNTIL=2027-01-01").contains("UNTIL"));
    // Case and an `RRULE:` prefix do not matter.
    let r = Rule::parse_rrule(start, "rrule:freq=weekly;byday=mo,fr").unwrap();
    assert_eq!(r.rrule(), "FREQ=WEEKLY;BYDAY=MO,FR");
    assert!(Zone::get("Mars/Olympus_Mons")
        .unwrap_err()
        .contains("Mars/Olympus_Mons"));
    assert_eq!(Zone::get("europe/paris").unwrap().name(), "Europe/Paris");
    assert_eq!(
        days_from_civil(2026, 3, 29) % 7,
        (days_from_civil(2026, 3, 22)) % 7
    );
}
