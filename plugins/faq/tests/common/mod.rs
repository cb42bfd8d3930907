//! Shared by the integration tests: the Acme config, as the host would
//! hand it to the plugin (its TOML table converted to JSON), and (from
//! `vigie-testkit`) the demo events.

#![allow(dead_code, unused_imports)]

use std::path::PathBuf;

use faq::Faq;
use vigie_sdk::Plugin;
pub use vigie_testkit::{demo_events, rfc3339_ms};

/// A path inside the crate.
pub fn crate_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// `acme.toml` as JSON.
pub fn acme_json() -> String {
    let text = std::fs::read_to_string(crate_path("acme.toml")).expect("read acme.toml");
    let value: toml::Value = toml::from_str(&text).expect("acme.toml is TOML");
    serde_json::to_string(&value).expect("as JSON")
}

/// The plugin configured with `acme.toml`.
pub fn acme() -> Faq {
    Faq::configure(&acme_json()).expect("acme.toml is a valid faq config")
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub q: String,
    pub expected: Option<String>,
    pub lang: String,
}

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub questions: usize,
    pub with_entry: usize,
    pub answered: usize,
    pub right: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.answered == 0 {
            1.0
        } else {
            self.right as f64 / self.answered as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.with_entry == 0 {
            1.0
        } else {
            self.right as f64 / self.with_entry as f64
        }
    }
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name:8} questions {:3} (with an entry {:3})  answered {:3}  right {:3}  precision {:.3}  recall {:.3}",
            self.questions,
            self.with_entry,
            self.answered,
            self.right,
            self.precision(),
            self.recall()
        )
    }
}

/// The questions of a JSON Lines set.
pub fn load(path: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(crate_path(path)).expect("read questions");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1)))
        .collect()
}

/// Scores `faq` on the set at `path`: (French, English, overall), and
/// prints every mistake with the best candidate and its scores.
pub fn evaluate_with(faq: &Faq, path: &str) -> (Counts, Counts, Counts) {
    let engine = faq.engine();
    let cases = load(path);
    let ids: Vec<&str> = engine
        .config
        .entries
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    let (mut fr, mut en) = (Counts::default(), Counts::default());
    println!("== {path}: mistakes");
    for case in &cases {
        if let Some(e) = &case.expected {
            assert!(ids.contains(&e.as_str()), "unknown entry {e} in {path}");
        }
        let counts = match case.lang.as_str() {
            "fr" => &mut fr,
            "en" => &mut en,
            other => panic!("unknown lang {other}"),
        };
        let decision = faq::question::is_question(&case.q).then(|| engine.decide(&case.q));
        let got = decision
            .as_ref()
            .and_then(|d| d.answer.as_ref())
            .map(|a| engine.entry(a.entry).id.as_str());
        counts.questions += 1;
        counts.with_entry += usize::from(case.expected.is_some());
        counts.answered += usize::from(got.is_some());
        counts.right += usize::from(got.is_some() && got == case.expected.as_deref());
        if got != case.expected.as_deref() {
            let detail = match &decision {
                None => "not a question".to_string(),
                Some(d) => match &d.best {
                    None => "no candidate".to_string(),
                    Some(b) => format!(
                        "best {} score {:.2} (q {:.2} e {:.2} ev {:.2}){}",
                        engine.entry(b.entry).id,
                        b.score,
                        b.question_coverage,
                        b.entry_coverage,
                        b.evidence,
                        d.rejected
                            .as_ref()
                            .map(|r| format!(" rejected: {r}"))
                            .unwrap_or_default()
                    ),
                },
            };
            println!(
                "  [{}] expected {:16} got {:16} {:?} — {detail}",
                case.lang,
                case.expected.as_deref().unwrap_or("none"),
                got.unwrap_or("none"),
                case.q,
            );
        }
    }
    let all = Counts {
        questions: fr.questions + en.questions,
        with_entry: fr.with_entry + en.with_entry,
        answered: fr.answered + en.answered,
        right: fr.right + en.right,
    };
    println!("== {path}: figures");
    println!("{}", fr.line("French"));
    println!("{}", en.line("English"));
    println!("{}", all.line("overall"));
    (fr, en, all)
}
