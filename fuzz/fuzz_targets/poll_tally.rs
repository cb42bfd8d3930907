//! A ballot list as `vigie verify-poll` reads it (`poll_tally::parse`,
//! `verify`): a file anyone may hand in, copied from a chat or a terminal.
//!
//! Invariants:
//! - nothing panics, on any text, with any published hash;
//! - a list that parses, written canonically, parses back to the same
//!   ballots (so the canonical form is a fixed point);
//! - a list that parses verifies against the hash of its canonical text,
//!   with the counts `count` gives; its report prints.
#![no_main]

use poll_tally::{count, hash, parse, verify};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = verify(text, &"0".repeat(64));
    let _ = verify(text, text);
    let Ok(ballots) = parse(text) else {
        return;
    };
    let canonical = ballots.canonical();
    let again = parse(&canonical).expect("the canonical text of a list does not parse");
    assert_eq!(again, ballots, "the canonical text reads as another list");
    assert_eq!(again.canonical(), canonical);
    let published = hash(&canonical);
    let report = verify(text, &published).expect("a list does not verify against its own hash");
    assert_eq!(report.tally, count(&ballots));
    let exact = verify(&canonical, &published).expect("the canonical text does not verify");
    assert!(exact.exact && exact.differences.is_empty());
    let _ = report.to_string();
    let _ = report.tally.outcome();
});
