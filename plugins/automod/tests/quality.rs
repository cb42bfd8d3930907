//! Measured quality of the default word lists.
//!
//! - Recall on a generated evasion set: every entry of the default French and
//!   English lists × every obfuscation of `common::OBFUSCATIONS`, alone and
//!   inside a sentence.
//! - False positives on clean text: the 3 000 English review sentences of
//!   the `sentiment` npm package 5.0.2 (`tests/fixtures/{amazon,imdb,yelp}.json`,
//!   MIT) and the French community sentences of `tests/fixtures/fr_clean.txt`.
//!
//! Run `cargo test -p automod --test quality -- --nocapture` to see the
//! figures. Everything goes through the plugin with the bare config `{}`.

mod common;

use automod::lists::default_list;
use automod::Automod;
use common::{english_clean, french_clean, lines_of, written, OBFUSCATIONS};
use vigie_sdk::{test_event, Plugin, TestHost};

const MIN_RECALL: f64 = 0.95;
const MAX_FALSE_POSITIVES: f64 = 0.005;

fn flagged(plugin: &mut Automod, text: &str) -> bool {
    let mut host = TestHost::new();
    !plugin
        .handle(&mut host, &test_event("m", "tester", text))
        .unwrap()
        .is_empty()
}

struct Tally {
    hits: usize,
    total: usize,
}

impl Tally {
    fn rate(&self) -> f64 {
        self.hits as f64 / self.total.max(1) as f64
    }
}

fn recall(plugin: &mut Automod) -> (Tally, Vec<(&'static str, Tally)>, Vec<String>) {
    let mut overall = Tally { hits: 0, total: 0 };
    let mut per: Vec<(&'static str, Tally)> = OBFUSCATIONS
        .iter()
        .map(|(n, _)| (*n, Tally { hits: 0, total: 0 }))
        .collect();
    let mut misses = Vec::new();
    for (lang, carriers) in [
        ("fr", ["{}", "franchement t'es qu'un {} toi"]),
        ("en", ["{}", "honestly you are such a {} lol"]),
    ] {
        for entry in default_list(lang).unwrap() {
            let word = written(&entry);
            for (k, (name, f)) in OBFUSCATIONS.iter().enumerate() {
                let obfuscated = f(&word);
                for carrier in carriers {
                    let text = carrier.replace("{}", &obfuscated);
                    let hit = flagged(plugin, &text);
                    overall.total += 1;
                    per[k].1.total += 1;
                    if hit {
                        overall.hits += 1;
                        per[k].1.hits += 1;
                    } else {
                        misses.push(format!("{lang} {name}: {text:?}"));
                    }
                }
            }
        }
    }
    (overall, per, misses)
}

fn false_positives(plugin: &mut Automod, sentences: &[String]) -> Vec<String> {
    sentences
        .iter()
        .filter(|s| flagged(plugin, s))
        .cloned()
        .collect()
}

#[test]
fn quality_of_the_default_lists() {
    let mut plugin = Automod::configure("{}").unwrap();

    let (overall, per, misses) = recall(&mut plugin);
    println!("automod quality (default config):");
    println!(
        "  evasion set: {} samples ({} French + English entries × {} obfuscations × 2 contexts)",
        overall.total,
        default_list("fr").unwrap().len() + default_list("en").unwrap().len(),
        OBFUSCATIONS.len()
    );
    for (name, t) in &per {
        println!(
            "    recall {name:<18} {:>6.2} %  ({}/{})",
            t.rate() * 100.0,
            t.hits,
            t.total
        );
    }
    println!(
        "  recall overall            {:>6.2} %  ({}/{})",
        overall.rate() * 100.0,
        overall.hits,
        overall.total
    );
    for m in misses.iter().take(40) {
        println!("    missed: {m}");
    }
    if misses.len() > 40 {
        println!("    … and {} more misses", misses.len() - 40);
    }

    let en = english_clean();
    let fr = french_clean();
    assert!(en.len() >= 3000, "{}", en.len());
    assert!(fr.len() >= 300, "{}", fr.len());
    let en_fp = false_positives(&mut plugin, &en);
    let fr_fp = false_positives(&mut plugin, &fr);
    let rate = |fp: usize, n: usize| fp as f64 / n as f64;
    println!(
        "  false positives English   {:>6.2} %  ({}/{})",
        rate(en_fp.len(), en.len()) * 100.0,
        en_fp.len(),
        en.len()
    );
    println!(
        "  false positives French    {:>6.2} %  ({}/{})",
        rate(fr_fp.len(), fr.len()) * 100.0,
        fr_fp.len(),
        fr.len()
    );
    let all = en_fp.len() + fr_fp.len();
    let n = en.len() + fr.len();
    println!(
        "  false positives overall   {:>6.2} %  ({all}/{n})",
        rate(all, n) * 100.0
    );
    for s in en_fp.iter().chain(&fr_fp) {
        println!("    flagged: {s:?}");
    }

    assert!(overall.rate() >= MIN_RECALL, "recall {:.4}", overall.rate());
    assert!(
        rate(en_fp.len(), en.len()) <= MAX_FALSE_POSITIVES,
        "English false positives"
    );
    assert!(
        rate(fr_fp.len(), fr.len()) <= MAX_FALSE_POSITIVES,
        "French false positives"
    );
}

/// Sets written by someone who never saw the lists or the rules:
/// `clean_blind.txt`, 400 ordinary chat messages (200 French, then 200
/// English) full of the words naive filters catch (`conseil`, `Scunthorpe`,
/// `cocktail`), and `abusive_blind.txt`, 200 messages a moderator would
/// delete (100 French, then 100 English), insults and profanity as trolls
/// write them. The second measures the lists' coverage of real abuse, which
/// the evasion set (built from the lists themselves) cannot.
#[test]
fn quality_on_blind_sets() {
    let mut plugin = Automod::configure("{}").unwrap();
    let clean = lines_of(include_str!("fixtures/clean_blind.txt"));
    let abusive = lines_of(include_str!("fixtures/abusive_blind.txt"));
    assert_eq!((clean.len(), abusive.len()), (400, 200));
    let fp = false_positives(&mut plugin, &clean);
    let hits: Vec<bool> = abusive.iter().map(|s| flagged(&mut plugin, s)).collect();
    let missed: Vec<&String> = (abusive.iter().zip(&hits))
        .filter(|(_, hit)| !**hit)
        .map(|(s, _)| s)
        .collect();
    let fr_caught = hits[..100].iter().filter(|hit| **hit).count();
    let en_caught = hits[100..].iter().filter(|hit| **hit).count();
    println!("automod on blind sets (default config):");
    println!(
        "  false positives on clean_blind.txt  {:>6.2} %  ({}/{})",
        fp.len() as f64 / 4.0,
        fp.len(),
        clean.len()
    );
    println!(
        "  caught in abusive_blind.txt         {:>6.2} %  ({}/200: French {fr_caught}/100, English {en_caught}/100)",
        (200 - missed.len()) as f64 / 2.0,
        200 - missed.len()
    );
    for s in &fp {
        println!("    flagged: {s:?}");
    }
    for s in &missed {
        println!("    missed: {s:?}");
    }
    assert!(
        fp.len() as f64 / clean.len() as f64 <= MAX_FALSE_POSITIVES,
        "{} false positives",
        fp.len()
    );
    // 189 of 200 when the set came in (not tuned on since); a guard against
    // a list or normalisation change that loses real abuse.
    assert!(
        missed.len() <= 20,
        "{} abusive messages missed",
        missed.len()
    );
}

#[derive(serde::Deserialize)]
struct BlindCase {
    text: String,
    lang: String,
    /// How an abusive message dodges filters (`trick`) or what makes a
    /// clean one look abusive (`trap`).
    #[serde(alias = "trick", alias = "trap")]
    kind: String,
}

fn blind_cases(raw: &str, file: &str) -> Vec<BlindCase> {
    raw.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1)))
        .collect()
}

/// Share of `cases` for which `hit` holds, overall and by language and kind.
fn breakdown(cases: &[BlindCase], hits: &[bool]) -> Vec<(String, usize, usize)> {
    let mut rows: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (case, &hit) in cases.iter().zip(hits) {
        for key in [
            "all".to_string(),
            format!("lang {}", case.lang),
            format!("{} {}", case.kind, case.lang),
        ] {
            let row = rows.entry(key).or_default();
            row.0 += hit as usize;
            row.1 += 1;
        }
    }
    rows.into_iter().map(|(k, (h, n))| (k, h, n)).collect()
}

/// Runs the default config over a blind pair (abusive and clean JSON
/// Lines, with their expected sizes), prints recall and false positives
/// by language and kind (`AUTOMOD_MISSES=1`: every miss), and returns
/// both rates.
fn score_blind_sets(title: &str, abusive: (&str, usize), clean: (&str, usize)) -> (f64, f64) {
    let mut plugin = Automod::configure("{}").unwrap();
    let abusive_cases = blind_cases(abusive.0, "abusive.jsonl");
    let clean_cases = blind_cases(clean.0, "clean.jsonl");
    assert_eq!(
        (abusive_cases.len(), clean_cases.len()),
        (abusive.1, clean.1)
    );
    let caught: Vec<bool> = abusive_cases
        .iter()
        .map(|c| flagged(&mut plugin, &c.text))
        .collect();
    let kept: Vec<bool> = clean_cases
        .iter()
        .map(|c| !flagged(&mut plugin, &c.text))
        .collect();
    println!("automod on {title} (default config):");
    println!("  caught in abusive.jsonl:");
    for (key, hits, n) in breakdown(&abusive_cases, &caught) {
        println!(
            "    {key:<22} {:>6.2} %  ({hits}/{n})",
            100.0 * hits as f64 / n as f64
        );
    }
    println!("  false positives in clean.jsonl:");
    for (key, kept, n) in breakdown(&clean_cases, &kept) {
        let flagged = n - kept;
        println!(
            "    {key:<22} {:>6.2} %  ({flagged}/{n})",
            100.0 * flagged as f64 / n as f64
        );
    }
    if std::env::var_os("AUTOMOD_MISSES").is_some() {
        for (case, hit) in abusive_cases.iter().zip(&caught) {
            if !hit {
                println!("    missed [{} {}]: {:?}", case.kind, case.lang, case.text);
            }
        }
        for (case, kept) in clean_cases.iter().zip(&kept) {
            if !kept {
                println!("    flagged [{} {}]: {:?}", case.kind, case.lang, case.text);
            }
        }
    }
    let recall = caught.iter().filter(|h| **h).count() as f64 / abusive_cases.len() as f64;
    let false_positives = kept.iter().filter(|k| !**k).count() as f64 / clean_cases.len() as f64;
    (recall, false_positives)
}

/// The sets of December 2026 (`tests/fixtures/blind_2026_12/`, see its
/// README): 300 abusive messages written the way trolls dodge filters and
/// 600 clean ones full of traps, by someone who never saw the lists, the
/// rules or the code. First score (session 13), before any change made
/// because of them: recall 0.700 (French 0.72, English 0.68; emoji,
/// phonetic and split spellings a third), false positives 21.3 % (128/600;
/// 14.8 % without the `self` and `quote` messages, casual swearing and
/// reported insults, which the default lists flag on purpose). The floors
/// below guard against losing ground; the goals (recall ≥ 0.95, false
/// positives ≤ 0.5 %) are the issue's.
///
/// Since then the abuse classifier (`src/abuse.rs`) was built and tuned
/// with these sets as its development sets: recall 0.963, false positives
/// 4.8 % (29/600; 5 of 540 without casual swearing, 0.9 %). They no longer
/// measure anything blind; the next blind sets will.
#[test]
fn quality_on_the_december_blind_sets() {
    let (recall, false_positives) = score_blind_sets(
        "the December 2026 blind sets",
        (include_str!("fixtures/blind_2026_12/abusive.jsonl"), 300),
        (include_str!("fixtures/blind_2026_12/clean.jsonl"), 600),
    );
    assert!(recall >= RECALL_FLOOR_DECEMBER, "recall {recall:.3}");
    assert!(
        false_positives <= FALSE_POSITIVE_CEILING_DECEMBER,
        "false positives {false_positives:.4}"
    );
}

const RECALL_FLOOR_DECEMBER: f64 = 0.95;
const FALSE_POSITIVE_CEILING_DECEMBER: f64 = 0.06;

/// The second December 2026 sets (`tests/fixtures/blind_2026_12b/`, see
/// its README): 240 abusive messages and 480 clean ones (traps: names,
/// places, animals, food, titles, abbreviations, gamer talk, quoted
/// insults, strong criticism, other; no casual swearing), written blind
/// after the abuse classifier was done and scored once with it, before any
/// change made because of them (session 13): recall 0.833 (French 0.825,
/// English 0.842; phonetic spellings 5/12 and 6/12, emoji 6/10 and 7/10),
/// false positives 3.75 % (18/480: abbreviations 5, titles 5). The floors
/// are that first score, less a little.
///
/// Then (same session) tuned on them: more phonetic spellings and threat
/// phrasings, emoji said of someone, gamer talk, titles in capitals:
/// recall 0.917 (220/240), false positives 2.9 % (14/480). Development
/// sets since.
#[test]
fn quality_on_the_second_december_blind_sets() {
    let (recall, false_positives) = score_blind_sets(
        "the second December 2026 blind sets",
        (include_str!("fixtures/blind_2026_12b/abusive.jsonl"), 240),
        (include_str!("fixtures/blind_2026_12b/clean.jsonl"), 480),
    );
    assert!(recall >= RECALL_FLOOR_SECOND, "recall {recall:.3}");
    assert!(
        false_positives <= FALSE_POSITIVE_CEILING_SECOND,
        "false positives {false_positives:.4}"
    );
}

const RECALL_FLOOR_SECOND: f64 = 0.90;
// 0.8 % (4/480) since session 17's allowed phrases.
const FALSE_POSITIVE_CEILING_SECOND: f64 = 0.015;

/// The third December 2026 sets (`tests/fixtures/blind_2026_12c/`, see its
/// README): 240 abusive messages and 480 clean ones, written blind on
/// 2026-12-07 by a helper who saw none of the code, lists or earlier sets,
/// and scored once before any change made because of them (session 17):
/// recall 0.863 (French 0.900, English 0.825; phonetic 8/12 in both,
/// emoji 6/10 in English), false positives 5.4 % (26/480: abbreviations
/// 14/48, French titles 5/24). The floors are that first score, less a
/// little. Then (same session) allowed phrases became the classifier's
/// too and the allow list learned some: false positives 3.5 % (17/480);
/// an emoji in place of a letter and words spelled by sound: recall
/// 0.900; acronyms in capitals aimed at nobody: false positives 2.5 %
/// (12/480). Development sets since.
#[test]
fn quality_on_the_third_december_blind_sets() {
    let (recall, false_positives) = score_blind_sets(
        "the third December 2026 blind sets",
        (include_str!("fixtures/blind_2026_12c/abusive.jsonl"), 240),
        (include_str!("fixtures/blind_2026_12c/clean.jsonl"), 480),
    );
    assert!(recall >= 0.89, "recall {recall:.3}");
    assert!(
        false_positives <= 0.03,
        "false positives {false_positives:.4}"
    );
}

/// The fourth December 2026 sets (`tests/fixtures/blind_2026_12d/`, see
/// its README): 200 abusive messages and 400 clean ones, written blind on
/// 2026-12-07 after session 17's changes, by a helper who saw none of the
/// code, lists or earlier sets, and scored once before any change made
/// because of them: recall 0.925 (French 0.93, English 0.92; phonetic
/// spellings 12/24), false positives 3.25 % (13/400; French abbreviations
/// 6/20). The floors are that first score, less a little.
#[test]
fn quality_on_the_fourth_december_blind_sets() {
    let (recall, false_positives) = score_blind_sets(
        "the fourth December 2026 blind sets",
        (include_str!("fixtures/blind_2026_12d/abusive.jsonl"), 200),
        (include_str!("fixtures/blind_2026_12d/clean.jsonl"), 400),
    );
    assert!(recall >= 0.91, "recall {recall:.3}");
    assert!(
        false_positives <= 0.035,
        "false positives {false_positives:.4}"
    );
}

/// The fifth December 2026 sets (`tests/fixtures/blind_2026_12e/`, see its
/// README): 240 abusive messages and 480 clean ones, written blind on
/// 2026-12-08 by a helper who saw none of the code, lists or earlier sets,
/// and scored once, after session 18's changes (sound-alike spellings,
/// names after prepositions, titles, acronyms used as nouns) and before any
/// change made because of them: recall 0.850 (French 0.875, English
/// 0.825; phonetic spellings 22/40, emoji 14/20), false positives 2.92 %
/// (14/480; abbreviations 6/48). The floors are that first score, less a
/// little.
#[test]
fn quality_on_the_fifth_december_blind_sets() {
    let (recall, false_positives) = score_blind_sets(
        "the fifth December 2026 blind sets",
        (include_str!("fixtures/blind_2026_12e/abusive.jsonl"), 240),
        (include_str!("fixtures/blind_2026_12e/clean.jsonl"), 480),
    );
    assert!(recall >= 0.83, "recall {recall:.3}");
    assert!(
        false_positives <= 0.035,
        "false positives {false_positives:.4}"
    );
}

/// The sixth December 2026 sets (`tests/fixtures/blind_2026_12f/`, see its
/// README): 200 abusive messages and 400 clean ones, written blind on
/// 2026-12-08 by a helper who saw none of the code, lists or earlier sets
/// (and was asked to avoid the best-known traps), scored once after both
/// rounds of session 18's changes, before any change made because of them:
/// recall 0.895 (French 0.90, English 0.89; phonetic spellings 20/32),
/// false positives 2.00 % (8/400). The floors are that first score, less a
/// little.
#[test]
fn quality_on_the_sixth_december_blind_sets() {
    let (recall, false_positives) = score_blind_sets(
        "the sixth December 2026 blind sets",
        (include_str!("fixtures/blind_2026_12f/abusive.jsonl"), 200),
        (include_str!("fixtures/blind_2026_12f/clean.jsonl"), 400),
    );
    assert!(recall >= 0.88, "recall {recall:.3}");
    assert!(
        false_positives <= 0.025,
        "false positives {false_positives:.4}"
    );
}
