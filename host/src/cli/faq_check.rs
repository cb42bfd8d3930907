//! `vigie faq-check`: how the faq plugin sees each of a list of questions
//! (its best entries, their scores, and why it answers or not), so a
//! community manager can check a new FAQ on questions members really asked
//! before it goes live, and see what to add when it stays silent.
//!
//! It runs the first-party faq plugin's own matching code natively, with
//! the config alone: what staff taught in chat (`!faq learn`) lives in a
//! community's store and is not included.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use faq::engine::Engine;
use vigie::config::Config;

#[derive(clap::Args)]
pub struct FaqCheckArgs {
    /// The FAQ: a faq config (`faq.toml`, or JSON), or a `vigie.toml`
    /// whose faq plugin is used (see --plugin).
    #[arg(long, short = 'c')]
    config: PathBuf,
    /// With a `vigie.toml`: the name of the faq plugin entry, when there
    /// is more than one `builtin:faq`.
    #[arg(long)]
    plugin: Option<String>,
    /// The questions: one per line (blank lines and lines starting with `#`
    /// skipped), or JSON Lines `{"q": "...", "expected": "entry" | null}`
    /// to also get precision and recall. `-` or nothing: standard input.
    questions: Option<PathBuf>,
    /// How many entries to show per question.
    #[arg(long, default_value_t = 3)]
    top: usize,
    /// One JSON object per question instead of text.
    #[arg(long)]
    json: bool,
}

/// One line of the questions file.
struct Question {
    line: usize,
    text: String,
    /// `Some(None)`: expected to get no answer.
    expected: Option<Option<String>>,
}

pub fn run(args: FaqCheckArgs) -> Result<()> {
    let engine = load_engine(&args.config, args.plugin.as_deref())?;
    let input = match args.questions.as_deref() {
        None => read_stdin()?,
        Some(p) if p == Path::new("-") => read_stdin()?,
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
    };
    let questions = parse_questions(&input)?;
    if questions.is_empty() {
        bail!("no question to check (one per line, or JSON Lines with a `q` key)");
    }
    let ids: Vec<&str> = engine
        .config
        .entries
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    for q in &questions {
        if let Some(Some(e)) = &q.expected {
            if !ids.contains(&e.as_str()) {
                bail!(
                    "line {}: expected entry `{e}` is not in the FAQ (entries: {})",
                    q.line,
                    ids.join(", ")
                );
            }
        }
    }
    let mut tally = Tally::default();
    for q in &questions {
        let is_question = faq::question::is_question(&q.text);
        let asked = is_question || !engine.config.require_question;
        let decision = asked.then(|| engine.decide(&q.text));
        let answer = decision
            .as_ref()
            .and_then(|d| d.answer.as_ref())
            .map(|a| engine.entry(a.entry).id.clone());
        let ranking = engine.index().rank(&q.text);
        tally.add(answer.as_deref(), q.expected.as_ref());
        if args.json {
            let top: Vec<serde_json::Value> = ranking
                .iter()
                .take(args.top)
                .map(|s| {
                    serde_json::json!({
                        "entry": engine.entry(s.entry).id,
                        "score": round(s.score),
                        "question_coverage": round(s.question_coverage),
                        "entry_coverage": round(s.entry_coverage),
                        "evidence": round(s.evidence),
                    })
                })
                .collect();
            let mut line = serde_json::json!({
                "q": q.text,
                "question": is_question,
                "answer": answer,
                "rejected": decision.as_ref().and_then(|d| d.rejected.clone()),
                "top": top,
            });
            if let (Some(expected), Some(map)) = (&q.expected, line.as_object_mut()) {
                map.insert("expected".into(), serde_json::json!(expected));
            }
            println!("{line}");
            continue;
        }
        println!("? {}", q.text);
        match (&answer, &decision) {
            (Some(id), Some(d)) => {
                let score = d.answer.as_ref().map_or(0.0, |a| a.score);
                println!("  → answers {id} (score {score:.2})");
            }
            (None, None) => println!("  → no answer: not a question (require_question = true)"),
            (None, Some(d)) => match &d.rejected {
                Some(why) => println!("  → no answer: {why}"),
                None => println!("  → no answer: no entry shares a word with it"),
            },
            (Some(_), None) => {}
        }
        if let Some(expected) = &q.expected {
            let verdict = match (expected, &answer) {
                (Some(e), Some(a)) if e == a => "right".to_string(),
                (None, None) => "right (no answer expected)".to_string(),
                (Some(e), None) => format!("MISSED (expected {e})"),
                (Some(e), Some(_)) => format!("WRONG (expected {e})"),
                (None, Some(_)) => "WRONG (expected no answer)".to_string(),
            };
            println!("  {verdict}");
        }
        for (k, s) in ranking.iter().take(args.top).enumerate() {
            println!(
                "  {}. {:24} {:.2}  (question covered {:.2}, entry covered {:.2}, evidence {:.2})",
                k + 1,
                engine.entry(s.entry).id,
                s.score,
                s.question_coverage,
                s.entry_coverage,
                s.evidence
            );
        }
    }
    if !args.json {
        println!();
        println!("{}", tally.summary(engine.config.threshold));
    }
    Ok(())
}

fn round(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

fn read_stdin() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("cannot read the questions from standard input")?;
    Ok(s)
}

/// The faq engine of `path`: a faq config, or the faq plugin of a
/// `vigie.toml`.
fn load_engine(path: &Path, plugin: Option<&str>) -> Result<Engine> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let is_toml = path.extension().is_none_or(|e| e != "json");
    let json = if is_toml {
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
        if table.contains_key("plugins") || table.contains_key("communities") {
            faq_of_vigie_config(path, plugin)?
        } else {
            serde_json::to_string(&table)?
        }
    } else {
        serde_json::from_str::<serde_json::Value>(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?
            .to_string()
    };
    Engine::from_json(&json).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// The config JSON of the faq plugin of a `vigie.toml`.
fn faq_of_vigie_config(path: &Path, plugin: Option<&str>) -> Result<String> {
    let config = Config::load(path)?;
    let name = match plugin {
        Some(name) => name.to_string(),
        None => {
            let faqs: Vec<&String> = config
                .plugins
                .iter()
                .filter(|(_, p)| p.component.get_ref() == "builtin:faq")
                .map(|(name, _)| name)
                .collect();
            match faqs.as_slice() {
                [one] => one.to_string(),
                [] => bail!(
                    "{}: no plugin with component = \"builtin:faq\"",
                    path.display()
                ),
                many => bail!(
                    "{}: several faq plugins ({}): choose one with --plugin",
                    path.display(),
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let entry = config.plugin_entry(&name)?;
    if entry.component != "builtin:faq" {
        bail!(
            "{}: plugin `{name}` is {}, not the faq plugin (builtin:faq)",
            path.display(),
            entry.component
        );
    }
    Ok(entry.config_json)
}

fn parse_questions(input: &str) -> Result<Vec<Question>> {
    #[derive(serde::Deserialize)]
    struct Line {
        q: String,
        #[serde(default)]
        expected: Option<String>,
    }
    let mut out = Vec::new();
    for (i, raw) in input.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("line {}: not valid JSON", i + 1))?;
            let has_expected = value.get("expected").is_some();
            let parsed: Line = serde_json::from_value(value)
                .with_context(|| format!("line {}: needs a `q` string", i + 1))?;
            out.push(Question {
                line: i + 1,
                text: parsed.q,
                expected: has_expected.then_some(parsed.expected),
            });
        } else {
            out.push(Question {
                line: i + 1,
                text: line.to_string(),
                expected: None,
            });
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Tally {
    questions: usize,
    answered: usize,
    judged: usize,
    judged_answered: usize,
    with_entry: usize,
    right: usize,
    wrong_answers: usize,
}

impl Tally {
    fn add(&mut self, answer: Option<&str>, expected: Option<&Option<String>>) {
        self.questions += 1;
        self.answered += usize::from(answer.is_some());
        let Some(expected) = expected else { return };
        self.judged += 1;
        self.judged_answered += usize::from(answer.is_some());
        self.with_entry += usize::from(expected.is_some());
        match (expected, answer) {
            (Some(e), Some(a)) if e == a => self.right += 1,
            (_, Some(_)) => self.wrong_answers += 1,
            _ => {}
        }
    }

    fn summary(&self, threshold: f64) -> String {
        let mut s = format!(
            "{} questions, {} answered (threshold {threshold:.2})",
            self.questions, self.answered
        );
        if self.judged > 0 {
            let precision = if self.judged_answered == 0 {
                1.0
            } else {
                self.right as f64 / self.judged_answered as f64
            };
            let recall = if self.with_entry == 0 {
                1.0
            } else {
                self.right as f64 / self.with_entry as f64
            };
            s += &format!(
                "; with an expected answer: {} right, {} wrong, precision {precision:.3}, recall {recall:.3}",
                self.right, self.wrong_answers
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_lines_and_json_lines() {
        let q = parse_questions(
            "# comment\nVous livrez en Suisse ?\n\n{\"q\": \"where is my order\", \"expected\": \"delivery\"}\n{\"q\": \"hi\", \"expected\": null}\n",
        )
        .unwrap();
        assert_eq!(q.len(), 3);
        assert_eq!(q[0].expected, None);
        assert_eq!(q[1].expected, Some(Some("delivery".into())));
        assert_eq!(q[2].expected, Some(None));
        assert_eq!(q[1].line, 4);
        let e = parse_questions("{\"question\": 1}").err().unwrap();
        assert!(format!("{e:#}").contains("line 1"), "{e:#}");
    }

    #[test]
    fn tallies_precision_and_recall() {
        let mut t = Tally::default();
        t.add(Some("a"), Some(&Some("a".into())));
        t.add(Some("b"), Some(&Some("a".into())));
        t.add(None, Some(&Some("a".into())));
        t.add(None, Some(&None));
        t.add(Some("a"), None);
        let s = t.summary(0.75);
        assert!(s.starts_with("5 questions, 3 answered"), "{s}");
        assert!(
            s.contains("1 right, 1 wrong, precision 0.500, recall 0.333"),
            "{s}"
        );
    }
}
