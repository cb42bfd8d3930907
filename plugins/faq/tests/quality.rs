//! Measured quality: precision and recall of the Acme FAQ on
//! `tests/questions.jsonl`, questions written apart from the config's
//! example questions (paraphrases, typos, missing accents, franglais,
//! chit-chat, off-topic questions and questions close to an entry).
//!
//! - precision = answers that are the expected entry / answers given
//! - recall = right answers / questions that have an expected entry
//!
//! Run with `--nocapture` to see the figures and every mistake.

mod common;

use common::{evaluate_with, load};
use faq::question::is_question;

fn evaluate(path: &str) -> (common::Counts, common::Counts, common::Counts) {
    evaluate_with(&common::acme(), path)
}

/// The evaluation questions written beside the config are not its
/// examples. (The blind set's writer never saw the config; one of its
/// questions, "do you sell decaf?", happens to be an example word for word.)
#[test]
fn evaluation_questions_are_not_in_the_config() {
    let faq = common::acme();
    let fold = |q: &str| vigie_text::words(q).join(" ");
    let examples: Vec<String> = faq
        .engine()
        .config
        .entries
        .iter()
        .flat_map(|e| {
            e.questions
                .iter()
                .chain(&e.questions_fr)
                .chain(&e.questions_en)
        })
        .map(|q| fold(q))
        .collect();
    for path in ["tests/questions.jsonl", "tests/dev_questions.jsonl"] {
        for case in load(path) {
            assert!(
                !examples.contains(&fold(&case.q)),
                "{path}: {:?} is an example",
                case.q
            );
        }
    }
}

/// The bar: precision ≥ 0.95 at recall ≥ 0.85.
const BAR: (f64, f64) = (0.95, 0.85);

/// Scores the set at `path` (at least 150 questions) and holds it to
/// `(min_precision, min_recall)`.
fn assert_figures(path: &str, (min_precision, min_recall): (f64, f64)) -> Vec<common::Case> {
    let cases = load(path);
    assert!(cases.len() >= 150, "{path}: at least 150 questions");
    let (_, _, all) = evaluate(path);
    assert!(
        all.precision() >= min_precision,
        "{path}: precision {:.3} < {min_precision}",
        all.precision()
    );
    assert!(
        all.recall() >= min_recall,
        "{path}: recall {:.3} < {min_recall}",
        all.recall()
    );
    cases
}

#[test]
fn precision_and_recall_on_held_out_questions() {
    let cases = assert_figures("tests/questions.jsonl", BAR);
    let fr = cases.iter().filter(|c| c.lang == "fr").count();
    assert!(
        fr * 3 >= cases.len() && fr * 3 <= cases.len() * 2,
        "about half French"
    );
}

/// Questions written blind by someone who saw only the entries' answers
/// (never the examples, the synonyms or the scoring), after the tuning was
/// over. First scored 0.926 / 0.800; its mistakes then led to the question
/// detection of in-place interrogatives and requests, and to the
/// `order_changes` decline entry, so it is no longer blind.
#[test]
fn precision_and_recall_on_blind_questions() {
    assert_figures("tests/blind_questions.jsonl", BAR);
}

/// A second blind set, written by another hand under the same rules. Its
/// first score (0.899 / 0.808, after the changes the first blind set
/// prompted) was the honest one; its mistakes were then read, and two
/// general question-detection rules came of them. The bar is not
/// met here: what it misses is mostly out of a word-matching method's reach
/// (other brands' shipping, a shop that might open, gifting loyalty
/// points). The floors guard against regressions.
#[test]
fn precision_and_recall_on_second_blind_questions() {
    assert_figures("tests/blind2_questions.jsonl", (0.88, 0.80));
}

/// A third blind set (another hand, customers of many kinds: Belgian, Swiss
/// and Québécois French, British English, non-native writers). First scored
/// 0.944 / 0.850; its mistakes were read before the `shop_info`,
/// `product_info` and `loyalty_account` decline entries were written, so it
/// is no longer blind either. The floors guard against regressions.
#[test]
fn precision_and_recall_on_third_blind_questions() {
    assert_figures("tests/blind3_questions.jsonl", (0.92, 0.82));
}

/// A fourth blind set (180 questions; its writer was given examples of
/// topics no entry covers). First scored 0.926 / 0.829 (0.902 / 0.790 with
/// the code of session 8); its mistakes then led to a few more
/// question-detection phrases and the `sub` synonym, so it is seen.
#[test]
fn precision_and_recall_on_fourth_blind_questions() {
    assert_figures("tests/blind4_questions.jsonl", (0.90, 0.80));
}

/// A fifth blind set (170 questions; its writer chose the uncovered topics
/// alone), never read or tuned on: 0.957 / 0.880 with the final code
/// (0.955 / 0.850 with the code of session 8), the bar.
#[test]
fn precision_and_recall_on_fifth_blind_questions() {
    assert_figures("tests/blind5_questions.jsonl", BAR);
}

/// A sixth blind set (200 questions; its writer chose everything alone),
/// scored once with the final code and never tuned on: 0.945 / 0.858
/// (0.927 / 0.842 with the code of session 8).
#[test]
fn precision_and_recall_on_sixth_blind_questions() {
    assert_figures("tests/blind6_questions.jsonl", (0.92, 0.83));
}

/// The questions the parameters were tuned on (kept apart from the held-out
/// set above); printed for reference, held to the same bar.
#[test]
fn precision_and_recall_on_tuning_questions() {
    assert_figures("tests/dev_questions.jsonl", BAR);
}

/// Prints the features of the top candidate of each tuning question (for
/// choosing the decision rule): `cargo test -p faq --test quality features
/// -- --ignored --nocapture`.
#[test]
#[ignore]
fn features() {
    let faq = common::acme();
    let engine = faq.engine();
    for path in ["tests/dev_questions.jsonl"] {
        for case in load(path) {
            let ranking = engine.index().rank(&case.q);
            let Some(top) = ranking.first() else {
                println!(
                    "FEAT {} none - - - - - - - {:?}",
                    case.expected.is_none() as u8,
                    case.q
                );
                continue;
            };
            let second = ranking.get(1).map(|s| s.score).unwrap_or(0.0);
            let _ = &second;
            let id = &engine.entry(top.entry).id;
            let ok = case.expected.as_deref() == Some(id.as_str());
            println!(
                "FEAT {} {} {:.3} {:.3} {:.3} {:.3} {:.3} {:.3} {} {:?}",
                ok as u8,
                id,
                top.question_coverage,
                top.example_coverage,
                top.entry_coverage,
                top.evidence,
                top.score,
                second,
                faq::question::is_question(&case.q) as u8,
                case.q
            );
        }
    }
}

/// Sweeps the matching constants on the tuning questions only (never on
/// the held-out set): `cargo test -p faq --test quality sweep -- --ignored
/// --nocapture`. Edit the grids to explore.
#[test]
#[ignore]
fn sweep() {
    use faq::index::Tuning;
    let cases = load("tests/dev_questions.jsonl");
    let base = common::acme();
    let default = Tuning::default();
    for example_blend in [0.0f32, 0.25, 0.5] {
        for beta in [1.5f32, 2.0] {
            let tuning = Tuning {
                beta,
                example_blend,
                ..default
            };
            let mut engine = base.engine().clone().with_tuning(tuning);
            for margin in [0.05, 0.1] {
                for t in 0..7 {
                    let threshold = 0.58 + 0.03 * t as f64;
                    engine.config.threshold = threshold;
                    engine.config.margin = margin;
                    let (mut answered, mut right, mut with_entry) = (0, 0, 0);
                    for case in &cases {
                        with_entry += usize::from(case.expected.is_some());
                        if !is_question(&case.q) {
                            continue;
                        }
                        if let Some(a) = engine.decide(&case.q).answer {
                            answered += 1;
                            let id = &engine.entry(a.entry).id;
                            right += usize::from(case.expected.as_deref() == Some(id));
                        }
                    }
                    println!(
                        "blend {example_blend} beta {beta} margin {margin} threshold {threshold:.2}: P {:.3} R {:.3}",
                        right as f64 / answered.max(1) as f64,
                        right as f64 / with_entry as f64
                    );
                }
            }
        }
    }
}
