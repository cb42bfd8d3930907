//! Measured quality: accuracy on the 3 000 labelled English sentences of the
//! npm package `sentiment` 5.0.2 (test/fixtures: Amazon, IMDb and Yelp, 500
//! positive and 500 negative each) and on the French check set
//! `fr_check.jsonl` (110 positive, 110 negative social-media messages).
//!
//! Prints the figures (run with `-- --nocapture`) for four readings of the
//! compound score:
//! - `>0`: positive when the score > 0, otherwise negative (a text without
//!   sentiment words counts as negative). This is the reading under which
//!   vaderSentiment 3.3.2 scores 0.817 on these fixtures; the asserted one
//!   (≥ 0.85 in English, which needs the English model; ≥ 0.80 in French).
//! - `>=0`: positive when compound >= 0.
//! - `+-0.05 strict`: VADER's recommended thresholds, positive >= 0.05,
//!   negative <= -0.05, and a neutral score counts as an error.
//! - `>=0.05`: positive when compound >= 0.05, otherwise negative.
//!
//! `SENTIMENT_MISSES=1` also prints the misclassified sentences.

use sentiment::scorer::{Lang, Scorer};

#[derive(serde::Deserialize)]
struct NpmCase {
    text: String,
    class: Option<u8>,
}

#[derive(serde::Deserialize)]
struct FrCase {
    text: String,
    label: i8,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: u32,
    gt0: u32,
    ge0: u32,
    strict: u32,
    ge005: u32,
}

impl Tally {
    fn add(&mut self, score: f64, positive: bool) {
        self.n += 1;
        self.gt0 += ((score > 0.0) == positive) as u32;
        self.ge0 += ((score >= 0.0) == positive) as u32;
        self.strict += if positive {
            score >= 0.05
        } else {
            score <= -0.05
        } as u32;
        self.ge005 += ((score >= 0.05) == positive) as u32;
    }
    fn acc(&self, hits: u32) -> f64 {
        f64::from(hits) / f64::from(self.n.max(1))
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<22} n={:<5} >0: {:.3}   >=0: {:.3}   +-0.05 strict: {:.3}   >=0.05: {:.3}",
            self.n,
            self.acc(self.gt0),
            self.acc(self.ge0),
            self.acc(self.strict),
            self.acc(self.ge005)
        )
    }
}

fn show_misses() -> bool {
    std::env::var_os("SENTIMENT_MISSES").is_some()
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn english_accuracy_on_the_npm_sentiment_fixtures() {
    let scorer = Scorer::new(Lang::Fr, Default::default(), Default::default());
    let mut all = Tally::default();
    let mut all_auto = Tally::default();
    let mut detected_en = 0;
    println!("\nEnglish: npm sentiment 5.0.2 fixtures");
    for file in ["amazon", "imdb", "yelp"] {
        let cases: Vec<NpmCase> = serde_json::from_str(&fixture(&format!("{file}.json"))).unwrap();
        let mut t = Tally::default();
        for case in cases {
            let Some(class) = case.class else { continue }; // one empty entry per file
            let positive = class == 1;
            let score = scorer.score_as(&case.text, Lang::En);
            t.add(score, positive);
            let auto = scorer.score(&case.text);
            detected_en += (auto.lang == Lang::En) as u32;
            all_auto.add(auto.compound, positive);
            if show_misses() && (score > 0.0) != positive {
                println!(
                    "  MISS {file} label={class} score={score:+.4} {}",
                    case.text.trim()
                );
            }
        }
        println!("{}", t.line(file));
        all.n += t.n;
        all.gt0 += t.gt0;
        all.ge0 += t.ge0;
        all.strict += t.strict;
        all.ge005 += t.ge005;
    }
    println!("{}", all.line("all (English rules)"));
    println!("{}", all_auto.line("all (language guessed)"));
    println!(
        "language guessed English for {detected_en} of {} sentences",
        all.n
    );
    assert_eq!(all.n, 3000);
    let acc = all.acc(all.gt0);
    // 0.874 with the English model (0.818 with VADER's rules alone).
    assert!(acc >= 0.85, "English accuracy {acc:.3} < 0.85");
}

/// Scores a French set (`{"text", "label"}` lines) with the French rules and
/// with the language guessed, prints both, and returns the first.
fn french_accuracy(file: &str) -> Tally {
    let scorer = Scorer::default();
    let mut forced = Tally::default();
    let mut auto = Tally::default();
    let mut detected_fr = 0;
    for (i, line) in fixture(file).lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: FrCase =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
        let positive = case.label > 0;
        let score = scorer.score_as(&case.text, Lang::Fr);
        forced.add(score, positive);
        let a = scorer.score(&case.text);
        detected_fr += (a.lang == Lang::Fr) as u32;
        auto.add(a.compound, positive);
        if show_misses() && (score > 0.0) != positive {
            println!(
                "  MISS label={} score={score:+.4} {}",
                case.label, case.text
            );
        }
    }
    println!("\nFrench: tests/fixtures/{file}");
    println!("{}", forced.line("fr (French rules)"));
    println!("{}", auto.line("fr (language guessed)"));
    println!(
        "language guessed French for {detected_fr} of {} messages",
        forced.n
    );
    forced
}

#[test]
fn french_accuracy_on_the_check_set() {
    let forced = french_accuracy("fr_check.jsonl");
    assert!(forced.n >= 200);
    let acc = forced.acc(forced.gt0);
    assert!(acc >= 0.80, "French accuracy {acc:.3} < 0.80");
}

/// 240 messages (120 positive, 120 negative) written by someone who never
/// saw the lexicon or the rules, after the French rules were done.
#[test]
fn french_accuracy_on_the_blind_set() {
    let forced = french_accuracy("fr_blind.jsonl");
    assert_eq!(forced.n, 240);
    let acc = forced.acc(forced.gt0);
    assert!(acc >= 0.80, "French accuracy {acc:.3} < 0.80");
}

#[derive(serde::Deserialize)]
struct ChatCase {
    text: String,
    #[serde(default)]
    lang: Option<String>,
    label: i8,
}

/// Polar accuracy (positive and negative messages: positive iff score > 0)
/// and three-class accuracy (VADER's ±0.05: neutral in between) of the
/// plugin's scorer, language guessed as in production; by language.
fn three_class(file: &str) -> Vec<(String, u32, u32, u32, u32)> {
    let scorer = Scorer::default();
    let mut rows: std::collections::BTreeMap<String, (u32, u32, u32, u32)> = Default::default();
    for (i, line) in fixture(file).lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: ChatCase =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
        let score = scorer.score(&case.text).compound;
        let class = if score >= 0.05 {
            1
        } else if score <= -0.05 {
            -1
        } else {
            0
        };
        let lang = case.lang.clone().unwrap_or_else(|| "fr".into());
        for key in ["all".to_string(), lang] {
            let row = rows.entry(key).or_default();
            if case.label != 0 {
                row.0 += ((score > 0.0) == (case.label > 0)) as u32;
                row.1 += 1;
            }
            row.2 += (class == case.label) as u32;
            row.3 += 1;
        }
        if show_misses() && class != case.label {
            println!(
                "  MISS label={:+} score={score:+.3} {}",
                case.label, case.text
            );
        }
    }
    println!("\nthree classes: tests/fixtures/{file}");
    rows.into_iter()
        .map(|(k, (p, pn, c, n))| {
            println!(
                "  {k:<4} polar {:.3} ({p}/{pn})   three classes {:.3} ({c}/{n})",
                f64::from(p) / f64::from(pn.max(1)),
                f64::from(c) / f64::from(n.max(1))
            );
            (k, p, pn, c, n)
        })
        .collect()
}

/// The sets of December 2026 (`tests/fixtures/blind_2026_12/`, see its
/// README), written by someone who never saw the lexicons, the model or
/// the code: 400 chat messages (French and English, a third each
/// positive, neutral, negative) and 200 French product reviews. First
/// score (session 13), before any change made because of them: chat polar
/// EN 0.746, FR 0.873; three classes EN 0.590, FR 0.790; French reviews
/// 0.915 (three classes 0.805). The goals (polar ≥ 0.90, three classes
/// ≥ 0.80, reviews ≥ 0.82) are the issue's.
///
/// Since then (same session) chat reading was tuned on them (🙃 irony,
/// small talk, mild questions, a hesitant English model on a text with no
/// lexicon word read as neutral): chat polar EN 0.799, FR 0.903; three
/// classes EN 0.715, FR 0.845; reviews 0.910. They are development sets
/// now. The floors (after `CHAT_POLAR_FLOOR`) are session 17's figures,
/// less a little.
#[test]
fn accuracy_on_the_december_blind_sets() {
    let chat = three_class("blind_2026_12/chat.jsonl");
    let reviews = three_class("blind_2026_12/reviews_fr.jsonl");
    assert_floors(
        &chat,
        &reviews,
        CHAT_POLAR_FLOOR,
        CHAT_THREE_FLOOR,
        REVIEWS_FLOOR,
    );
}

/// Polar and three-class accuracy of `key` (`en`, `fr`, `all`).
fn accuracy_of(rows: &[(String, u32, u32, u32, u32)], key: &str) -> (f64, f64) {
    rows.iter()
        .find(|r| r.0 == key)
        .map(|r| {
            (
                f64::from(r.1) / f64::from(r.2.max(1)),
                f64::from(r.3) / f64::from(r.4.max(1)),
            )
        })
        .unwrap_or_else(|| panic!("no `{key}` messages"))
}

fn assert_floors(
    chat: &[(String, u32, u32, u32, u32)],
    reviews: &[(String, u32, u32, u32, u32)],
    polar_floor: f64,
    three_floor: f64,
    reviews_floor: f64,
) {
    for lang in ["en", "fr"] {
        let (polar, three) = accuracy_of(chat, lang);
        assert!(polar >= polar_floor, "{lang} polar {polar:.3}");
        assert!(three >= three_floor, "{lang} three classes {three:.3}");
    }
    let (polar, _) = accuracy_of(reviews, "all");
    assert!(polar >= reviews_floor, "French reviews {polar:.3}");
}

/// Session 17 (English chat slang and complaint words in the lexicon,
/// waiting and leaving complaints, 🙄 irony, "ok merci", questions the
/// English model hesitates on read as neutral): chat polar EN 0.858, FR
/// 0.903; three classes EN 0.835, FR 0.850; reviews 0.910.
const CHAT_POLAR_FLOOR: f64 = 0.84;
const CHAT_THREE_FLOOR: f64 = 0.82;
const REVIEWS_FLOOR: f64 = 0.90;

/// `tests/fixtures/blind_2026_12b/` (see its README): 300 chat messages
/// and 160 French reviews written blind on 2026-12-07. First score
/// (session 17, before any change made because of them): chat polar EN
/// 0.830, FR 0.910; three classes EN 0.753, FR 0.820; reviews 0.919.
/// After the session's chat work, which looked at their misses (so they
/// are development sets now): chat polar EN 0.890, FR 0.930; three
/// classes EN 0.853, FR 0.860; reviews 0.919. The floors are those, less a
/// little.
#[test]
fn accuracy_on_the_second_december_blind_sets() {
    let chat = three_class("blind_2026_12b/chat.jsonl");
    let reviews = three_class("blind_2026_12b/reviews_fr.jsonl");
    assert_floors(&chat, &reviews, 0.87, 0.84, 0.90);
}

/// `tests/fixtures/blind_2026_12c/` (see its README): 300 chat messages
/// and 160 French reviews written blind on 2026-12-07, after session 17's
/// chat work, and scored once before any change made because of them:
/// chat polar EN 0.890, FR 0.920; three classes EN 0.800, FR 0.847;
/// reviews 0.906. Then tuned on them (same session): chat polar EN 0.900,
/// FR 0.970; three classes EN 0.840, FR 0.933. The floors are those, less
/// a little.
#[test]
fn accuracy_on_the_third_december_blind_sets() {
    let chat = three_class("blind_2026_12c/chat.jsonl");
    let reviews = three_class("blind_2026_12c/reviews_fr.jsonl");
    assert_floors(&chat, &reviews, 0.89, 0.82, 0.89);
}

/// `tests/fixtures/blind_2026_12d/` (see its README): 240 chat messages
/// and 120 French reviews written blind on 2026-12-07 after session 17's
/// chat work, and scored once before any change made because of them:
/// chat polar EN 0.912, FR 0.975; three classes EN 0.825, FR 0.925;
/// reviews 0.958 — every goal of the quality issue met. The floors are
/// that first score, less a little.
#[test]
fn accuracy_on_the_fourth_december_blind_sets() {
    let chat = three_class("blind_2026_12d/chat.jsonl");
    let reviews = three_class("blind_2026_12d/reviews_fr.jsonl");
    assert_floors(&chat, &reviews, 0.90, 0.81, 0.94);
}
