//! The first implementation of the matching and of question detection,
//! kept for tests only: the optimised code must make exactly the same
//! decisions (same terms, same scores to the bit, same questions), which
//! `tests` below checks on the evaluation sets and on random texts.

#![allow(clippy::all)]

use std::collections::BTreeMap;

use vigie_text::Lang;

use crate::index::{Scored, Term, Tuning};
use crate::normalize::{is_stop, Word, DERIVATIONAL, INFLECTIONAL, INVARIABLE};
use crate::question::{
    ASKING_WORDS, AUXILIARIES, GREETINGS, INVERSION, IN_SITU, OPENERS, PHRASES, WH_WORDS,
};

/// Splits `text` into words: folded, abbreviations expanded, stemmed, stop
/// words marked, words with digits (order numbers, dates, prices) and single
/// letters dropped.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    let mut last_end = 0;
    for token in vigie_text::tokens(text) {
        let between = &text[last_end..token.start];
        if between.contains(['.', '!', '?', '\n', ':', ';']) {
            sentence_start = true;
        }
        last_end = token.end;
        let original = &text[token.start..token.end];
        let capitalised = original.chars().next().is_some_and(char::is_uppercase)
            && !original
                .chars()
                .skip(1)
                .all(|c| !c.is_alphabetic() || c.is_uppercase());
        let proper = capitalised && !sentence_start;
        sentence_start = false;
        let expansion = expand(&token.word);
        for w in expansion {
            if w.chars().count() < 2 || w.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            out.push(Word {
                stop: is_stop(&w),
                stem: stem(&w),
                surface: w,
                proper,
            });
        }
    }
    out
}

/// Chat spellings and abbreviations of both languages, replaced by the
/// words they stand for (which may be stop words).
pub fn expand(word: &str) -> Vec<String> {
    let replacement: &[&str] = match word {
        // French
        "koi" | "kwa" | "quoa" => &["quoi"],
        "pk" | "pq" | "pkoi" | "pourkoi" | "prq" => &["pourquoi"],
        "cmt" | "cmnt" | "comen" | "koment" | "komment" => &["comment"],
        "qd" | "kan" | "kand" | "qand" => &["quand"],
        "kel" | "kelle" | "kels" | "kelles" => &["quel"],
        "ke" => &["que"],
        "jsuis" | "chui" | "chuis" | "jss" | "jsui" => &["je", "suis"],
        "jpeux" | "jpx" | "jpe" => &["je", "peux"],
        "jsais" | "chais" | "jsp" => &["je", "sais"],
        "jveux" | "jvx" => &["je", "veux"],
        "jai" => &["j", "ai"],
        "jarrive" => &["j", "arrive"],
        "narrive" => &["n", "arrive"],
        "cest" => &["c", "est"],
        "ya" | "yas" | "yaura" => &["il", "y", "a"],
        "vs" => &["vous"],
        "bcp" => &["beaucoup"],
        "tt" => &["tout"],
        "tjrs" | "tjs" | "tjr" => &["toujours"],
        "pr" => &["pour"],
        "ds" => &["dans"],
        "qqn" | "qqun" | "qq1" | "qqch" => &["quelqu", "un"],
        "ajd" | "ajdh" | "auj" => &["aujourd", "hui"],
        "slt" => &["salut"],
        "bjr" => &["bonjour"],
        "mrc" | "mci" => &["merci"],
        "dispo" | "dispos" => &["disponible"],
        "mdp" => &["mot", "de", "passe"],
        "jrecois" => &["je", "recois"],
        "svp" | "stp" => &["svp"],
        "infos" | "info" => &["information"],
        "appli" | "applis" | "apli" => &["application"],
        // English
        "u" => &["you"],
        "ur" => &["your"],
        "r" => &["are"],
        "pls" | "plz" | "plse" => &["please"],
        "thx" | "ty" | "tks" | "thks" => &["thanks"],
        "hrs" => &["hours"],
        "hr" => &["hour"],
        "wknd" | "wkend" => &["weekend"],
        "pwd" | "passwd" | "pw" => &["password"],
        "acct" => &["account"],
        "pkg" => &["package"],
        "cant" => &["can", "not"],
        "dont" => &["do", "not"],
        "doesnt" => &["does", "not"],
        "didnt" => &["did", "not"],
        "isnt" => &["is", "not"],
        "wont" => &["will", "not"],
        "havent" => &["have", "not"],
        "hasnt" => &["has", "not"],
        "im" => &["i", "am"],
        "ive" => &["i", "have"],
        "whats" => &["what", "is"],
        "wheres" => &["where", "is"],
        "hows" => &["how", "is"],
        "whens" => &["when", "is"],
        "cuz" | "coz" | "cos" => &["because"],
        "app" | "apps" => &["application"],
        _ => return vec![word.to_string()],
    };
    replacement.iter().map(|s| s.to_string()).collect()
}

fn strip<'a>(word: &'a str, rules: &[(&str, usize)]) -> Option<&'a str> {
    rules.iter().find_map(|(suffix, min)| {
        word.strip_suffix(suffix)
            .filter(|stem| stem.chars().count() >= *min && stem.chars().any(is_vowel))
    })
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// A light stemmer for folded French and English words. It is not a
/// linguist's stemmer: what matters is that the forms people use for the
/// same thing meet, in both languages, whatever the accents.
pub fn stem(word: &str) -> String {
    let len = word.chars().count();
    if len <= 3 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return word.to_string();
    }
    if INVARIABLE.contains(&word) {
        return word.to_string();
    }
    // Plurals.
    let mut w: String = if let Some(s) = word.strip_suffix("eaux") {
        format!("{s}eau")
    } else if let Some(s) = word.strip_suffix("ies").filter(|s| s.len() >= 3) {
        format!("{s}y")
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !(len <= 4 && (word.ends_with("us") || word.ends_with("is")))
    {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    };
    // English -y after a consonant (delivery, deliveries).
    if w.len() > 3 && w.ends_with('y') && !w[..w.len() - 1].ends_with(is_vowel) {
        w.pop();
        w.push('i');
    }
    for round in 0..2 {
        let before = w.len();
        if round == 0 {
            if let Some(s) = strip(&w, DERIVATIONAL) {
                w = s.to_string();
            } else if let Some(s) = strip(&w, INFLECTIONAL) {
                w = s.to_string();
            }
        } else if let Some(s) =
            strip(&w, &INFLECTIONAL[..INFLECTIONAL.len() - 1]).filter(|s| s.chars().count() >= 4)
        {
            // A second, more careful pass for stacked endings
            // (`delivered` → `deliver` → `deliv`); never a bare `e`.
            w = s.to_string();
        }
        if w.len() == before {
            break;
        }
    }
    // English `-eri` (delivery) meets `-er` stripped forms (deliver).
    if let Some(s) = w.strip_suffix("eri").filter(|s| s.len() >= 4) {
        w = s.to_string();
    }
    // Double final consonants: shipp → ship, cancell → cancel, abonn → abon.
    let bytes = w.as_bytes();
    if bytes.len() >= 4 {
        let (a, b) = (bytes[bytes.len() - 2], bytes[bytes.len() - 1]);
        if a == b && !is_vowel(b as char) {
            w.pop();
        }
    }
    w
}

/// Turns text into terms: normalisation plus the synonym groups.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    /// Stem of a one-word member → concept key.
    single: BTreeMap<String, String>,
    /// Stems of a multi-word member → concept key, longest first.
    phrases: Vec<(Vec<String>, String)>,
    /// Folded one-word members → concept key, for typo tolerance.
    members: Vec<(String, String)>,
}

impl Analyzer {
    /// No synonyms.
    pub fn plain() -> Analyzer {
        Analyzer::default()
    }

    /// With the config's synonym groups.
    pub fn new(groups: &[Vec<String>]) -> Analyzer {
        let mut a = Analyzer::default();
        for group in groups {
            let Some(first) = group.first() else { continue };
            let key = format!("={}", vigie_text::words(first).join("_"));
            for member in group {
                let words = words(member);
                match words.as_slice() {
                    [] => {}
                    [one] => {
                        a.single.entry(one.stem.clone()).or_insert(key.clone());
                        a.members.push((one.surface.clone(), key.clone()));
                    }
                    many => {
                        let stems = many.iter().map(|w| w.stem.clone()).collect();
                        a.phrases.push((stems, key.clone()));
                    }
                }
            }
        }
        a.phrases
            .sort_by(|x, y| y.0.len().cmp(&x.0.len()).then(x.cmp(y)));
        a
    }

    /// The terms of `text`, each once, in order.
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let words = words(text);
        let mut out: Vec<Term> = Vec::new();
        let mut push = |t: Term| {
            if !out.iter().any(|o| o.key == t.key) {
                out.push(t);
            }
        };
        let mut i = 0;
        while i < words.len() {
            let rest = &words[i..];
            let phrase = self.phrases.iter().find(|(stems, _)| {
                rest.len() >= stems.len() && stems.iter().zip(rest).all(|(s, w)| *s == w.stem)
            });
            if let Some((stems, key)) = phrase {
                let surface: Vec<&str> = rest[..stems.len()]
                    .iter()
                    .map(|w| w.surface.as_str())
                    .collect();
                push(Term {
                    key: key.clone(),
                    surface: surface.join(" "),
                    proper: false,
                });
                i += stems.len();
                continue;
            }
            let w = &words[i];
            // A stop word joins a group only as itself (`us` in a group of
            // countries), never through a shared stem (`comment` is not
            // `come`).
            let concept = self.single.get(&w.stem).filter(|key| {
                !w.stop
                    || self
                        .members
                        .iter()
                        .any(|(m, k)| m == &w.surface && k == *key)
            });
            if let Some(key) = concept {
                push(Term {
                    key: key.clone(),
                    surface: w.surface.clone(),
                    proper: false,
                });
            } else if !w.stop {
                push(Term {
                    key: w.stem.clone(),
                    surface: w.surface.clone(),
                    proper: w.proper,
                });
            }
            i += 1;
        }
        out
    }
}

/// An example question, as term ids.
#[derive(Debug, Clone)]
struct Example {
    terms: Vec<usize>,
    lang: Lang,
}

#[derive(Debug, Clone)]
struct EntryIndex {
    examples: Vec<Example>,
    /// Term id → share of the entry's examples that use it.
    share: BTreeMap<usize, f32>,
}

/// The example questions of every entry, ready for matching.
#[derive(Debug, Clone)]
pub struct Index {
    analyzer: Analyzer,
    vocab: BTreeMap<String, usize>,
    keys: Vec<String>,
    /// Folded words → term id, for typo tolerance.
    surfaces: Vec<(Vec<char>, usize)>,
    /// IDF over entries, scaled so that a term of one entry weighs 1.
    weight: Vec<f32>,
    entries: Vec<EntryIndex>,
    tuning: Tuning,
}

/// A term of the question after lookup.
#[derive(Debug, Clone)]
struct Resolved {
    id: Option<usize>,
    /// 1 for an exact match, less for a typo or a prefix match.
    strength: f32,
    weight: f32,
}

impl Index {
    /// Indexes the example questions of each entry (`entries[i]` lists the
    /// examples of entry `i` with their language).
    pub fn build(entries: &[Vec<(String, Lang)>], declined: &[bool], analyzer: Analyzer) -> Index {
        let mut vocab: BTreeMap<String, usize> = BTreeMap::new();
        let mut keys = Vec::new();
        let mut surfaces: BTreeMap<String, usize> = BTreeMap::new();
        let mut indexed = Vec::new();
        for examples in entries {
            let mut entry = EntryIndex {
                examples: Vec::new(),
                share: BTreeMap::new(),
            };
            for (text, lang) in examples {
                let mut ids = Vec::new();
                for term in analyzer.terms(text) {
                    let next = keys.len();
                    let id = *vocab.entry(term.key.clone()).or_insert(next);
                    if id == next {
                        keys.push(term.key.clone());
                    }
                    if !term.surface.contains(' ') {
                        surfaces.entry(term.surface).or_insert(id);
                    }
                    ids.push(id);
                }
                for id in &ids {
                    *entry.share.entry(*id).or_insert(0.0) += 1.0;
                }
                entry.examples.push(Example {
                    terms: ids,
                    lang: *lang,
                });
            }
            let n = entry.examples.len().max(1) as f32;
            entry.share.values_mut().for_each(|v| *v /= n);
            indexed.push(entry);
        }
        for (surface, key) in &analyzer.members {
            if let Some(id) = vocab.get(key) {
                surfaces.entry(surface.clone()).or_insert(*id);
            }
        }
        // Declined entries do not weigh words: adding one leaves the other
        // entries' scores as they were. Its own words (`annuler`) weigh as
        // a word of one entry, not more: counted as in none, they would
        // outweigh everything when they turn up elsewhere (`de passage`).
        let counted = |i: usize| !declined.get(i).copied().unwrap_or(false);
        let n = (0..indexed.len()).filter(|&i| counted(i)).count() as f32;
        let idf = |df: f32| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let unit = idf(1.0);
        let weight = (0..keys.len())
            .map(|id| {
                let df = (indexed.iter().enumerate())
                    .filter(|(i, e)| counted(*i) && e.share.contains_key(&id))
                    .count()
                    .max(1) as f32;
                idf(df) / unit
            })
            .collect();
        Index {
            analyzer,
            vocab,
            keys,
            surfaces: surfaces
                .into_iter()
                .map(|(s, id)| (s.chars().collect(), id))
                .collect(),
            weight,
            entries: indexed,
            tuning: Tuning::default(),
        }
    }

    /// The same index with other matching constants.
    pub fn with_tuning(mut self, tuning: Tuning) -> Index {
        self.tuning = tuning;
        self
    }

    fn resolve(&self, term: &Term) -> Resolved {
        if let Some(&id) = self.vocab.get(&term.key) {
            return Resolved {
                id: Some(id),
                strength: 1.0,
                weight: self.weight[id],
            };
        }
        let unknown = Resolved {
            id: None,
            strength: 0.0,
            weight: if term.proper {
                self.tuning.oov_proper_weight
            } else {
                self.tuning.oov_weight
            },
        };
        if term.surface.contains(' ') {
            return unknown;
        }
        let mut best: Option<(f32, usize)> = None;
        let mut consider = |strength: f32, id: usize| {
            if best.is_none_or(|(s, _)| strength > s) {
                best = Some((strength, id));
            }
        };
        // Stem prefixes: `retourn` and `retour`, `expedi` and `exped`.
        if !term.key.starts_with('=') {
            for (key, &id) in &self.vocab {
                let (short, long) = if key.len() < term.key.len() {
                    (key.as_str(), term.key.as_str())
                } else {
                    (term.key.as_str(), key.as_str())
                };
                if !key.starts_with('=')
                    && short.len() >= 5
                    && long.len() - short.len() <= 3
                    && long.starts_with(short)
                {
                    consider(0.85, id);
                }
            }
        }
        // Typos on the folded word.
        let word: Vec<char> = term.surface.chars().collect();
        if word.len() >= 5 {
            for (surface, id) in &self.surfaces {
                let shortest = word.len().min(surface.len());
                let max = if shortest >= 8 {
                    2
                } else if shortest >= 5 {
                    1
                } else {
                    0
                };
                if max == 0 {
                    continue;
                }
                if let Some(d) = distance(&word, surface, max) {
                    consider(if d == 1 { 0.85 } else { 0.7 }, *id);
                }
            }
        }
        match best {
            Some((strength, id)) => Resolved {
                id: Some(id),
                strength,
                weight: self.weight[id],
            },
            None => unknown,
        }
    }

    /// The terms of `text` the index knows (for debugging and tests).
    pub fn explain(&self, text: &str) -> Vec<(String, Option<String>, f32)> {
        self.analyzer
            .terms(text)
            .iter()
            .map(|t| {
                let r = self.resolve(t);
                (
                    t.surface.clone(),
                    r.id.map(|id| self.keys[id].clone()),
                    r.weight,
                )
            })
            .collect()
    }

    /// Every entry that shares a term with `text`, best first.
    pub fn rank(&self, text: &str) -> Vec<Scored> {
        let mut resolved: Vec<Resolved> = Vec::new();
        for term in self.analyzer.terms(text) {
            let r = self.resolve(&term);
            match r
                .id
                .and_then(|id| resolved.iter_mut().find(|o| o.id == Some(id)))
            {
                Some(same) => same.strength = same.strength.max(r.strength),
                None => resolved.push(r),
            }
        }
        let total: f32 = resolved.iter().map(|r| r.weight).sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            let found: Vec<(usize, f32, f32)> = resolved
                .iter()
                .filter_map(|r| {
                    let id = r.id?;
                    entry
                        .share
                        .contains_key(&id)
                        .then_some((id, r.strength, r.weight))
                })
                .collect();
            if found.is_empty() {
                continue;
            }
            let evidence: f32 = found.iter().map(|(_, s, w)| s * w).sum();
            let question_coverage = evidence / total;
            let t = self.tuning;
            let intent = |id: usize| self.weight[id] * entry.share[&id].powf(t.gamma);
            let mut masses: Vec<f32> = entry
                .examples
                .iter()
                .map(|e| e.terms.iter().map(|&id| intent(id)).sum::<f32>())
                .collect();
            masses.sort_by(f32::total_cmp);
            let at = ((masses.len() as f32 - 1.0) * t.mass_quantile).round() as usize;
            let typical = masses.get(at).copied().unwrap_or(1.0).max(1e-3);
            let matched_intent: f32 = found.iter().map(|&(id, s, _)| intent(id) * s).sum();
            let entry_coverage = (matched_intent / typical).min(1.0);
            let mut best = (0.0f32, Lang::Fr);
            for example in &entry.examples {
                let all: f32 = example.terms.iter().map(|&id| intent(id)).sum::<f32>();
                if all <= 0.0 {
                    continue;
                }
                let covered: f32 = found
                    .iter()
                    .filter(|(id, _, _)| example.terms.contains(id))
                    .map(|&(id, s, _)| intent(id) * s)
                    .sum();
                let coverage = covered / all;
                if coverage > best.0 {
                    best = (coverage, example.lang);
                }
            }
            let x = (1.0 - t.example_blend) * entry_coverage + t.example_blend * best.0;
            let q = question_coverage;
            let b2 = t.beta * t.beta;
            let score = if q + x > 0.0 {
                (1.0 + b2) * q * x / (b2 * q + x)
            } else {
                0.0
            };
            out.push(Scored {
                entry: i,
                score,
                evidence,
                question_coverage: q,
                example_coverage: best.0,
                entry_coverage,
                lang: best.1,
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        out
    }
}

/// Optimal string alignment distance (Levenshtein plus transpositions) if
/// it is at most `max`.
pub fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[n]).filter(|d| *d <= max)
}

/// True when `text` reads as a question or a request for help.
pub fn is_question(text: &str) -> bool {
    if text.contains(['?', '？', '¿']) {
        return true;
    }
    let folded = vigie_text::fold(text);
    // French inversion: a word, a hyphen, a subject pronoun.
    for (i, _) in folded.match_indices('-') {
        let before = folded[..i].chars().next_back();
        let after: String = folded[i + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        let pronoun = after.trim_start_matches("t-");
        if before.is_some_and(char::is_alphabetic) && INVERSION.contains(&pronoun) {
            return true;
        }
    }
    // Openers at the start of a clause, phrases and words anywhere; on
    // words with chat spellings expanded (`c koi` → `quoi`, `cant` → `can
    // not`).
    for clause in folded.split(['.', '!', ';', '\n', ':', ',', '(', ')']) {
        let words = english_negations(
            vigie_text::words(clause)
                .iter()
                .flat_map(|w| expand(w))
                .collect(),
        );
        let first = words
            .iter()
            .map(String::as_str)
            .find(|w| !GREETINGS.contains(w) && w.len() > 1);
        if first.is_some_and(|w| OPENERS.contains(&w)) {
            return true;
        }
        if words.last().is_some_and(|w| IN_SITU.contains(&w.as_str())) {
            return true;
        }
        if words.iter().any(|w| ASKING_WORDS.contains(&w.as_str())) {
            return true;
        }
        if words.windows(2).any(|pair| {
            WH_WORDS.contains(&pair[0].as_str()) && AUXILIARIES.contains(&pair[1].as_str())
        }) {
            return true;
        }
        for phrase in PHRASES {
            if words.windows(phrase.len()).any(|win| win == *phrase) {
                return true;
            }
        }
    }
    false
}

/// `didn` `t` → `did` `not`, `can` `t` → `can` `not`, `won` `t` → `will`
/// `not`: one spelling for the phrases, with or without the apostrophe.
fn english_negations(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if words.get(i + 1).is_some_and(|n| n == "t") {
            let base = match w.as_str() {
                "can" => Some("can"),
                "won" => Some("will"),
                "don" => Some("do"),
                "shan" => Some("shall"),
                _ => w
                    .strip_suffix('n')
                    .filter(|b| b.ends_with(['s', 'd', 'e', 'l'])),
            };
            if let Some(base) = base {
                out.push(base.to_string());
                out.push("not".to_string());
                i += 2;
                continue;
            }
        }
        out.push(w.clone());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::Engine;

    fn acme() -> Config {
        let value: toml::Value = toml::from_str(include_str!("../acme.toml")).unwrap();
        Config::parse(&serde_json::to_string(&value).unwrap()).unwrap()
    }

    /// Which entries are `decline` entries, as `Engine::new` lists them.
    fn declined(config: &Config) -> Vec<bool> {
        config.entries.iter().map(|e| e.decline).collect()
    }

    /// The examples of each entry, as `Engine::new` lists them.
    fn examples(config: &Config) -> Vec<Vec<(String, Lang)>> {
        config
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
            .collect()
    }

    /// Texts to compare on: the evaluation sets, the demo, the config's own
    /// examples and synonyms, awkward Unicode, and random texts made of the
    /// config's words with typos, chat spellings, names and punctuation.
    fn texts(config: &Config) -> Vec<String> {
        let mut texts: Vec<String> = Vec::new();
        for file in [
            include_str!("../tests/questions.jsonl"),
            include_str!("../tests/dev_questions.jsonl"),
            include_str!("../../../examples/demo/events.jsonl"),
        ] {
            for line in file.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let t = v.get("q").or(v.get("text")).and_then(|t| t.as_str());
                texts.push(t.unwrap_or("").to_string());
            }
        }
        let examples = examples(config);
        texts.extend(examples.iter().flatten().map(|(q, _)| q.clone()));
        texts.extend(config.synonyms.iter().flatten().cloned());
        texts.extend(crate::text::TRICKY.iter().map(|s| s.to_string()));
        let mut vocab: Vec<String> = texts
            .iter()
            .flat_map(|t| t.split([' ', ',', '.', '?', '!', '\'', '’', '"']))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        vocab.sort();
        vocab.dedup();
        vocab.extend(
            [
                "koi",
                "cant",
                "didn",
                "t",
                "jsuis",
                "mdp",
                "pls",
                "u",
                "est-ce",
                "livrez-vous",
                "y a-t-il",
                "peut-on",
                "Lyon",
                "Zürich",
                "AcmeCafe",
                "@AcmeCafe",
                "acme café",
                "l'",
                "qu'",
                "j'ai",
                "n'arrive",
                "12",
                "AC-2043",
                "😊",
                "e\u{301}",
                "ǅ",
                "½",
            ]
            .map(String::from),
        );
        let seps = [
            " ", " ", " ", " ", ", ", ". ", "? ", "! ", "-", "'", "’", " - ", "\n", ": ", "; ",
            "(", ") ", "…", " ", "  ",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        // (Fewer in debug builds, where the first version is slow;
        // `cargo test --release -p faq --lib reference` runs them all.)
        let random = if cfg!(debug_assertions) { 1200 } else { 20_000 };
        for _ in 0..random {
            let mut t = String::new();
            for _ in 0..1 + next(14) {
                let mut w: Vec<char> = vocab[next(vocab.len())].chars().collect();
                // A typo now and then, sometimes two.
                for _ in 0..next(4).saturating_sub(1) {
                    if w.is_empty() {
                        break;
                    }
                    let i = next(w.len());
                    match next(4) {
                        0 => {
                            w.remove(i);
                        }
                        1 => w.insert(i, "aeiourstlnéè".chars().nth(next(12)).unwrap()),
                        2 if i + 1 < w.len() => w.swap(i, i + 1),
                        _ => w[i] = "aeioustrnlcm".chars().nth(next(12)).unwrap(),
                    }
                }
                if !w.is_empty() && next(6) == 0 {
                    w[0] = w[0].to_uppercase().next().unwrap_or(w[0]);
                }
                t.extend(w);
                t.push_str(seps[next(seps.len())]);
            }
            texts.push(t);
        }
        texts
    }

    #[test]
    fn the_optimised_code_decides_like_the_first_version() {
        let config = acme();
        let reference = Index::build(
            &examples(&config),
            &declined(&config),
            Analyzer::new(&config.synonyms),
        );
        let engine = Engine::new(config.clone());
        let analyzer = crate::index::Analyzer::new(&config.synonyms);
        let plain = crate::index::Analyzer::plain();
        let ref_plain = Analyzer::plain();
        let ref_analyzer = Analyzer::new(&config.synonyms);
        let mut scratch = crate::index::Scratch::new();
        let (mut questions, mut ranked, mut strengths) = (0, 0, [0; 4]);
        for text in texts(&config) {
            let t = text.as_str();
            assert_eq!(
                crate::question::is_question(t),
                is_question(t),
                "is_question {t:?}"
            );
            assert_eq!(crate::normalize::words(t), words(t), "words {t:?}");
            assert_eq!(analyzer.terms(t), ref_analyzer.terms(t), "terms {t:?}");
            assert_eq!(plain.terms(t), ref_plain.terms(t), "plain terms {t:?}");
            assert_eq!(
                engine.index().explain(t),
                reference.explain(t),
                "explain {t:?}"
            );
            let ranking = reference.rank(t);
            assert_eq!(engine.index().rank(t), ranking, "rank {t:?}");
            assert_eq!(
                engine.index().rank_with(t, &mut scratch),
                ranking.as_slice(),
                "rank with a reused scratch {t:?}"
            );
            questions += usize::from(is_question(t));
            ranked += usize::from(!ranking.is_empty());
            for term in ref_analyzer.terms(t) {
                let r = reference.resolve(&term);
                match (r.id, r.strength) {
                    (None, _) => strengths[0] += 1,
                    (Some(_), s) if s == 0.7 => strengths[1] += 1,
                    (Some(_), s) if s == 0.85 => strengths[2] += 1,
                    _ => strengths[3] += 1,
                }
            }
        }
        // The comparison covers every path: questions or not, ranked or
        // not, unknown words, typos at distance 2, prefixes and typos at
        // distance 1, exact terms.
        eprintln!("questions {questions}, ranked {ranked}, terms by resolution {strengths:?}");
        assert!(questions > 800 && ranked > 800, "{questions} {ranked}");
        assert!(strengths.iter().all(|&n| n > 100), "{strengths:?}");
    }

    #[test]
    fn chat_spellings_expand_like_the_first_version() {
        let config = acme();
        let mut words: Vec<String> = texts(&config)
            .iter()
            .flat_map(|t| vigie_text::words(t))
            .collect();
        for (spellings, _) in crate::normalize::CHAT {
            words.extend(spellings.iter().map(|s| s.to_string()));
        }
        for w in words {
            assert_eq!(crate::normalize::expand(&w), expand(&w), "{w:?}");
        }
    }

    #[test]
    fn the_stemmer_stems_like_the_first_version() {
        let config = acme();
        for text in texts(&config) {
            for w in vigie_text::words(&text) {
                assert_eq!(crate::normalize::stem(&w), stem(&w), "{w:?}");
            }
        }
    }

    #[test]
    fn other_tunings_score_like_the_first_version() {
        let config = acme();
        let tuning = Tuning {
            gamma: 0.8,
            mass_quantile: 0.5,
            example_blend: 0.4,
            beta: 1.5,
            ..Tuning::default()
        };
        let reference = Index::build(
            &examples(&config),
            &declined(&config),
            Analyzer::new(&config.synonyms),
        )
        .with_tuning(tuning);
        let engine = Engine::new(config.clone()).with_tuning(tuning);
        for text in texts(&config).iter().take(1500) {
            assert_eq!(engine.index().rank(text), reference.rank(text), "{text:?}");
        }
    }
}
