//! `vigie verify-draw` inputs (`giveaway_draw`): the entry list file, the
//! seed, the commitment and the published hash, all given by whoever
//! checks a contest.
//!
//! The first byte is the number of winners (0 to 15); the rest is the
//! entry list text. The seed and commitment are fixed (a fuzzer cannot
//! find a SHA-256 preimage, so random ones only test the refusal).
//!
//! Invariants:
//! - nothing panics;
//! - a list that parses has a canonical text that parses back to the same
//!   canonical text (a fixed point);
//! - it verifies against its own hash, with the winners `draw` gives:
//!   `min(n, entries)` distinct users, each among the entries;
//! - a reroll of the first winner is the next pick of the same sequence.
#![no_main]

use giveaway_draw::{
    canonical_entries, commitment, draw, entries_hash, parse_copied_entries, parse_entries,
    parse_seed, reroll, verify_published, verify_report, SEED_LEN,
};

const SEED: [u8; SEED_LEN] = [42; SEED_LEN];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let n = usize::from(first % 16);
    let seed_hex = hex_of(&SEED);
    let committed = commitment(&SEED);
    // Arbitrary text where a hex value is expected: refused, never a panic.
    let _ = parse_seed(text);
    let _ = verify_published(text, text, text, text, n);
    let _ = verify_published(&seed_hex, &committed, text, &"0".repeat(64), n);
    let _ = parse_copied_entries(text);
    let Ok(entries) = parse_entries(text) else {
        return;
    };
    let canonical = canonical_entries(&entries);
    let reread = parse_entries(&canonical).expect("a canonical list does not parse");
    assert_eq!(
        canonical_entries(&reread),
        canonical,
        "canonical text is not a fixed point"
    );
    let published = entries_hash(&entries);
    let found = verify_published(&seed_hex, &committed, text, &published, n)
        .expect("a list does not verify against its own hash");
    let winners = draw(&SEED, &entries, n);
    assert_eq!(found.winners, winners);
    assert_eq!(found.entries_hash, published);
    assert_eq!(winners.len(), n.min(found.entry_count));
    let mut distinct = winners.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), winners.len(), "a user won twice");
    for w in &winners {
        assert!(
            entries.iter().any(|e| &e.user == w),
            "winner {w:?} never entered"
        );
    }
    let report = verify_report(&seed_hex, &committed, text, n).expect("verify_report refused");
    assert_eq!(report.was_canonical, text == canonical);
    assert_eq!(report.winners, winners);
    if let Some(first_winner) = winners.first() {
        let next = draw(&SEED, &entries, n + 1);
        let replacement = reroll(&SEED, &entries, &winners, first_winner);
        assert_eq!(
            replacement.as_ref(),
            next.get(n),
            "a reroll is not the next pick"
        );
    }
});

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
