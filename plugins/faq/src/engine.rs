//! The decision, without the host: which entry (if any) answers a text, in
//! which language, and with which text.

use vigie_text::Lang;

use crate::config::{Config, EntryConfig, LangConfig};
use crate::index::{Analyzer, Index, Scored, Scratch, Tuning};
use crate::question::is_question_with;
use crate::template;

/// The configured FAQ.
#[derive(Debug, Clone)]
pub struct Engine {
    pub config: Config,
    index: Index,
}

/// What the FAQ makes of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The entry that answers, if one does.
    pub answer: Option<Scored>,
    /// The best candidate, answered or not.
    pub best: Option<Scored>,
    /// Why the best candidate was not answered.
    pub rejected: Option<String>,
}

impl Engine {
    /// Builds the index of the config's example questions.
    pub fn new(config: Config) -> Engine {
        let analyzer = if config.general_vocabulary {
            Analyzer::new(&crate::vocabulary::under(&config.synonyms))
        } else {
            Analyzer::new(&config.synonyms)
        };
        let examples: Vec<Vec<(String, Lang)>> = config
            .entries
            .iter()
            .map(|e| {
                let fr = e.questions_fr.iter().map(|q| (q.clone(), Lang::Fr));
                let en = e.questions_en.iter().map(|q| (q.clone(), Lang::En));
                let any = e.questions.iter().map(|q| {
                    let lang = vigie_text::guess_lang(q, config.default_lang.into());
                    (q.clone(), lang)
                });
                fr.chain(en).chain(any).collect()
            })
            .collect();
        let declined: Vec<bool> = config.entries.iter().map(|e| e.decline).collect();
        let index = Index::build(&examples, &declined, analyzer);
        Engine { config, index }
    }

    /// Parses the JSON config and builds the engine.
    pub fn from_json(json: &str) -> Result<Engine, String> {
        Ok(Engine::new(Config::parse(json)?))
    }

    /// The same engine with other matching constants (for tuning).
    pub fn with_tuning(mut self, tuning: Tuning) -> Engine {
        self.index = self.index.with_tuning(tuning);
        self
    }

    /// The entry at `i`.
    pub fn entry(&self, i: usize) -> &EntryConfig {
        &self.config.entries[i]
    }

    /// The index (for diagnostics).
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Which entry answers `text`. The whole text is scored first; when it
    /// is not accepted and the message opens with a question followed by
    /// more sentences ("Where is my order?? Ordered on the 14th…"), that
    /// first question is scored on its own. A question that comes after a
    /// premise ("Charged twice this morning. Can you refund?") is not taken
    /// out of its context.
    pub fn decide(&self, text: &str) -> Decision {
        self.decide_with(text, &mut Scratch::new())
    }

    /// [`Engine::decide`] with reused working memory.
    pub fn decide_with(&self, text: &str, scratch: &mut Scratch) -> Decision {
        let text = truncate(text, MAX_TEXT);
        let mut best: Option<(Scored, Option<String>)> = None;
        let mut answer = self.consider(text, scratch, &mut best);
        if answer.is_none() {
            if let Some(first) = first_of_several_sentences(text) {
                if is_question_with(first, &mut scratch.question) {
                    answer = self.consider(first, scratch, &mut best);
                }
            }
        }
        match answer {
            Some(a) => Decision {
                best: Some(a.clone()),
                answer: Some(a),
                rejected: None,
            },
            None => Decision {
                answer: None,
                rejected: best.as_ref().and_then(|(_, v)| v.clone()),
                best: best.map(|(b, _)| b),
            },
        }
    }

    /// Scores `segment`: its best entry if accepted; `best` keeps the best
    /// candidate seen and why it was not accepted.
    fn consider(
        &self,
        segment: &str,
        scratch: &mut Scratch,
        best: &mut Option<(Scored, Option<String>)>,
    ) -> Option<Scored> {
        let ranking = self.index.rank_with(segment, scratch);
        let top = ranking.first()?;
        // A `decline` entry stops an answer when it scores best, not by
        // coming second: the margin is to the next entry that answers.
        let second = ranking[1..].iter().find(|s| !self.entry(s.entry).decline);
        let verdict = self.verdict(top, second);
        let accepted = verdict.is_none().then(|| top.clone());
        if best.as_ref().is_none_or(|(b, _)| top.score > b.score) {
            *best = Some((top.clone(), verdict));
        }
        accepted
    }

    /// `None` when `top` is accepted, else why not.
    fn verdict(&self, top: &Scored, second: Option<&Scored>) -> Option<String> {
        let entry = self.entry(top.entry);
        if entry.decline {
            return Some("left to people (a `decline` entry)".to_string());
        }
        let threshold = entry.threshold.unwrap_or(self.config.threshold);
        if (top.score as f64) < threshold {
            return Some(format!("score {:.2} < threshold {threshold:.2}", top.score));
        }
        if (top.evidence as f64) < self.config.min_evidence {
            return Some(format!(
                "evidence {:.2} < min_evidence {:.2}",
                top.evidence, self.config.min_evidence
            ));
        }
        if let Some(second) = second {
            if ((top.score - second.score) as f64) < self.config.margin {
                return Some(format!(
                    "too close to {} ({:.2} vs {:.2})",
                    self.entry(second.entry).id,
                    top.score,
                    second.score
                ));
            }
        }
        None
    }

    /// The language to answer `text` in: the guess from its function words,
    /// else the language of the example it matched, else `default_lang`.
    pub fn answer_lang(&self, text: &str, matched: Option<Lang>) -> Lang {
        let fr = vigie_text::guess_lang(text, Lang::Fr);
        let en = vigie_text::guess_lang(text, Lang::En);
        if fr == en {
            fr
        } else {
            matched.unwrap_or(self.config.default_lang.into())
        }
    }

    /// The answer of entry `i` in `lang` (or the closest it has), filled in.
    pub fn render(&self, i: usize, lang: Lang, user: &str, channel: &str) -> String {
        let e = self.entry(i);
        let (own, other) = match lang {
            Lang::Fr => (&e.answer_fr, &e.answer_en),
            Lang::En => (&e.answer_en, &e.answer_fr),
        };
        let text = own
            .as_ref()
            .or(e.answer.as_ref())
            .or(other.as_ref())
            .map(String::as_str)
            .unwrap_or("");
        template::render(text, &self.config.vars, user, channel)
    }

    /// The language setting, for callers.
    pub fn default_lang(&self) -> LangConfig {
        self.config.default_lang
    }
}

/// Only the start of a long message is matched: questions are short, and
/// typo-tolerant lookup costs time per unknown word.
pub const MAX_TEXT: usize = 1000;

/// The longest prefix of `text` of at most `max` bytes that ends on a char
/// boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The first of the [`sentences`] of `text` when there are several.
pub fn first_of_several_sentences(text: &str) -> Option<&str> {
    let mut it = Sentences::new(text);
    let first = it.next()?;
    it.next().map(|_| first)
}

/// The sentences of `text`, each with its closing punctuation.
pub fn sentences(text: &str) -> Vec<&str> {
    Sentences::new(text).collect()
}

/// The sentences of `text`, one by one.
struct Sentences<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    start: usize,
    done: bool,
}

impl<'a> Sentences<'a> {
    fn new(text: &'a str) -> Self {
        Sentences {
            text,
            chars: text.char_indices().peekable(),
            start: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Sentences<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.text;
        while let Some((i, c)) = self.chars.next() {
            if matches!(c, '.' | '!' | '?' | '\n' | ';' | '？') {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = self.chars.peek() {
                    if matches!(d, '.' | '!' | '?' | '？') || d.is_whitespace() && d != '\n' {
                        end = j + d.len_utf8();
                        self.chars.next();
                    } else {
                        break;
                    }
                }
                let s = text[self.start..end].trim();
                self.start = end;
                if s.chars().any(char::is_alphanumeric) {
                    return Some(s);
                }
            }
        }
        if self.done {
            return None;
        }
        self.done = true;
        let s = text[self.start..].trim();
        s.chars().any(char::is_alphanumeric).then_some(s)
    }
}

/// The sentences of `text` (the first version, kept to check the iterator).
#[cfg(test)]
fn sentences_reference(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?' | '\n' | ';' | '？') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if matches!(d, '.' | '!' | '?' | '？') || d.is_whitespace() && d != '\n' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let s = text[start..end].trim();
            if s.chars().any(char::is_alphanumeric) {
                out.push(s);
            }
            start = end;
        }
    }
    let s = text[start..].trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("été", 2), "é");
        assert_eq!(truncate("abc", 10), "abc");
        let long = "é".repeat(MAX_TEXT);
        assert!(truncate(&long, MAX_TEXT).len() <= MAX_TEXT);
    }

    #[test]
    fn splits_sentences_keeping_question_marks() {
        assert_eq!(
            sentences("hi, where is my order?? ordered on the 14th. Thanks!"),
            vec!["hi, where is my order??", "ordered on the 14th.", "Thanks!"]
        );
        assert_eq!(sentences("no end"), vec!["no end"]);
    }

    #[test]
    fn sentence_iterator_splits_like_the_first_version() {
        for text in crate::text::TRICKY.iter().chain(&[
            "a. b! c? d\ne; f？ g",
            "...",
            "hi?? ... ! ok.  \n\n next",
            "Where is my order?? Ordered on the 14th. Thanks!",
            " . x",
        ]) {
            assert_eq!(sentences(text), sentences_reference(text), "{text:?}");
            let first = first_of_several_sentences(text);
            let all = sentences_reference(text);
            assert_eq!(first, (all.len() > 1).then(|| all[0]), "{text:?}");
        }
    }
}
