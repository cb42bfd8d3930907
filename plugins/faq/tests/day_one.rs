//! Day one: brands nobody on the code had seen, each configured the way a
//! community manager sets up an FAQ tool on the first day (a dozen
//! entries, answers in French and English, three to five example
//! questions each, no synonyms, no decline entries: `day_one/<brand>/
//! faq.toml`), and questions written blind by someone else who saw only
//! the brand's brief and the entries' answers (`questions.jsonl`).
//!
//! Each set's first score, before anything changed because of it, is in
//! the README; this test prints the current figures (`--nocapture`) and
//! holds every set to its floor.

mod common;

use common::evaluate_with;
use faq::Faq;
use vigie_sdk::Plugin;

/// The plugin configured with a brand's `faq.toml`.
fn brand(name: &str) -> Faq {
    brand_in("tests/day_one", name)
}

/// The plugin configured with `dir/name/faq.toml`.
fn brand_in(dir: &str, name: &str) -> Faq {
    let path = common::crate_path(&format!("{dir}/{name}/faq.toml"));
    let text = std::fs::read_to_string(&path).expect("read faq.toml");
    let value: toml::Value = toml::from_str(&text).expect("faq.toml is TOML");
    let json = serde_json::to_string(&value).expect("as JSON");
    Faq::configure(&json).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Scores one brand's blind questions; returns (precision, recall).
fn score_in(dir: &str, name: &str) -> (f64, f64) {
    let faq = brand_in(dir, name);
    let (fr, en, all) = evaluate_with(&faq, &format!("{dir}/{name}/questions.jsonl"));
    println!(
        "{name}: French {:.3} / {:.3}, English {:.3} / {:.3}",
        fr.precision(),
        fr.recall(),
        en.precision(),
        en.recall()
    );
    (all.precision(), all.recall())
}

/// (brand, floor of precision, floor of recall): the figures each set must
/// keep (regression guards, not the goal of precision 0.95 at recall 0.80).
///
/// First scores, before anything changed because of them (word matching
/// alone, threshold 0.7): Lumo (a neobank) 0.979 / 0.495, Onde (a telecom
/// operator) 0.904 / 0.495, Rivages (a festival) 0.851 / 0.421; average
/// 0.911 / 0.470. Their mistakes were then read: these sets are now
/// development sets, and first-seen figures need new ones. With the general
/// vocabulary and the 0.75 threshold: 0.918 / 0.589, 0.912 / 0.653,
/// 0.912 / 0.547; average 0.914 / 0.596.
const SETS: &[(&str, f64, f64)] = &[
    ("lumo", 0.90, 0.57),
    ("onde", 0.90, 0.63),
    ("rivages", 0.90, 0.53),
];

#[test]
fn day_one_brands_hold_their_floors() {
    let sets: Vec<_> = SETS
        .iter()
        .map(|&(name, p, r)| ("tests/day_one", name, p, r))
        .collect();
    hold_floors(&sets);
}

/// Scores each `(dir, brand, floor of precision, floor of recall)`, prints
/// the figures and their average, and fails below a floor.
fn hold_floors(sets: &[(&str, &str, f64, f64)]) {
    let mut total = (0.0, 0.0);
    for (dir, name, min_precision, min_recall) in sets {
        let (p, r) = score_in(dir, name);
        println!("{name}: precision {p:.3} recall {r:.3}");
        assert!(
            p >= *min_precision,
            "{name}: precision {p:.3} < {min_precision}"
        );
        assert!(r >= *min_recall, "{name}: recall {r:.3} < {min_recall}");
        total.0 += p;
        total.1 += r;
    }
    let n = sets.len() as f64;
    println!(
        "average: precision {:.3} recall {:.3}",
        total.0 / n,
        total.1 / n
    );
}

/// How often the expected entry ranks first, whatever the threshold: the
/// ceiling of recall for a better decision rule.
#[test]
#[ignore]
fn ranking() {
    for (name, _, _) in SETS {
        let faq = brand(name);
        let engine = faq.engine();
        let cases = common::load(&format!("tests/day_one/{name}/questions.jsonl"));
        let (mut first, mut with_entry, mut second) = (0, 0, 0);
        for case in &cases {
            let Some(expected) = &case.expected else {
                continue;
            };
            with_entry += 1;
            let ranking = engine.index().rank(&case.q);
            let ids: Vec<&str> = ranking
                .iter()
                .take(2)
                .map(|s| engine.entry(s.entry).id.as_str())
                .collect();
            if ids.first() == Some(&expected.as_str()) {
                first += 1;
            } else if ids.get(1) == Some(&expected.as_str()) {
                second += 1;
            }
        }
        println!("{name}: expected entry first {first}/{with_entry}, second {second}");
    }
}

/// Four brands written blind on 2026-12-07 (`day_one_blind/`,
/// `day_one_blind2/`: bike sharing, meal kits, fitness clubs, bus and
/// train tickets), scored once, first, with the plugin as it was then
/// (general vocabulary, threshold 0.75): precision / recall 0.903 / 0.308,
/// 0.833 / 0.385, 0.898 / 0.552, 0.925 / 0.510; average 0.890 / 0.439
/// (README). Four more written blind on 2026-12-08 (`day_one_blind3/`: an
/// energy supplier, a pet-supplies shop, a ski resort, a mobile-game
/// studio), scored once, first, with the plugin unchanged since: 0.915 /
/// 0.473, 0.966 / 0.615, 0.941 / 0.527, 0.878 / 0.473; average 0.925 /
/// 0.522. The floors below are those less 0.03.
const BLIND: &[(&str, &str, f64, f64)] = &[
    ("tests/day_one_blind", "roulib", 0.87, 0.27),
    ("tests/day_one_blind", "mijoto", 0.80, 0.35),
    ("tests/day_one_blind2", "tonus", 0.86, 0.52),
    ("tests/day_one_blind2", "trajo", 0.89, 0.48),
    ("tests/day_one_blind3", "volta", 0.89, 0.44),
    ("tests/day_one_blind3", "truffeo", 0.94, 0.58),
    ("tests/day_one_blind3", "cimalpe", 0.91, 0.50),
    ("tests/day_one_blind3", "pixorca", 0.85, 0.44),
];

#[test]
fn blind_day_one_brands_hold_their_first_scores() {
    hold_floors(BLIND);
}
