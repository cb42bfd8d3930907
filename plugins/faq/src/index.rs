//! Matching a question against the example questions of the entries.
//!
//! Texts become *terms*: stems of the words that are not stop words, and
//! *concepts* for the configured synonym groups (`mdp`, `mot de passe` and
//! `password` are one term). A term of the question that the FAQ does not
//! know is looked up with typo tolerance (Damerau–Levenshtein distance 1 for
//! words of 5 letters or more, 2 from 8 letters) and by stem prefix
//! (`retourn` meets `retour`).
//!
//! Each term weighs its inverse entry frequency (BM25's IDF, computed over
//! entries rather than over example questions: a word every entry uses
//! tells nothing about which one is asked, while a word repeated by all the
//! examples of one entry is that entry's word), scaled so that a word used
//! by a single entry weighs 1. A question's score for an entry is the
//! F-measure (β = 2) of two coverages:
//!
//! - *question coverage*: how much of the question the entry explains — the
//!   weight of the question's terms found in the entry's examples over the
//!   weight of all its terms (a word the FAQ does not know counts 0.6, a
//!   capitalised one — a name — 0.3);
//! - *entry coverage*: how much of what makes the entry the question says —
//!   each matched term weighs its IDF times the square root of the share of
//!   the entry's examples that use it (its "intent" weight: `horaires` is in
//!   most examples of the opening-hours entry, `Lyon` in one), over the
//!   intent weight of a short example of the entry (the first quartile),
//!   capped at 1; blended (one quarter) with the coverage of the single
//!   example that matches best, which tells apart entries that use the
//!   same words in different questions.
//!
//! β = 2 favours the second: people add context around their question
//! ("J'habite à Liège et…"), but a question that lacks what makes the entry
//! (`horaires`, `ouvert`) is not that entry's question. The engine then
//! asks for a threshold, a margin over the second-best entry and a minimum
//! of matched evidence.

use std::collections::BTreeMap;

use vigie_text::Lang;

use crate::normalize;

/// The matching constants. The defaults were tuned on
/// `tests/dev_questions.jsonl` (never on the held-out evaluation set).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// The weight of a word the FAQ does not know, relative to a word used
    /// by a single entry.
    pub oov_weight: f32,
    /// The same for a capitalised word (most likely a name).
    pub oov_proper_weight: f32,
    /// β of the F-measure: how much more the example's coverage counts.
    pub beta: f32,
    /// Exponent of the share of an entry's examples that use a term.
    pub gamma: f32,
    /// Which example mass (quantile of the entry's examples, by intent
    /// weight) a question must match to cover the entry.
    pub mass_quantile: f32,
    /// How much the best single example's coverage counts in the entry
    /// coverage (0: not at all); it tells apart entries that share the
    /// same words but not the same questions.
    pub example_blend: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            oov_weight: 0.6,
            oov_proper_weight: 0.3,
            beta: 2.0,
            gamma: 0.5,
            mass_quantile: 0.25,
            example_blend: 0.25,
        }
    }
}

/// A term of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The stem, or `=concept` for a synonym group.
    pub key: String,
    /// The folded word(s) it comes from.
    pub surface: String,
    /// A capitalised word, not at the start of a sentence.
    pub proper: bool,
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
                let words = normalize::words(member);
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
        let words = normalize::words(text);
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

/// How well a text matches one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Index of the entry in the config.
    pub entry: usize,
    /// The F-measure (β = 2) of the question and entry coverages, 0–1.
    pub score: f32,
    /// Weight of the question's terms found in the entry.
    pub evidence: f32,
    /// Share of the question the entry explains.
    pub question_coverage: f32,
    /// Share of the best-matching example the question covers (for
    /// diagnostics and the answer language).
    pub example_coverage: f32,
    /// Intent weight of the matched terms over the intent weight of a short
    /// example of the entry, capped at 1.
    pub entry_coverage: f32,
    /// Language of the best-matching example.
    pub lang: Lang,
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
    pub fn build(entries: &[Vec<(String, Lang)>], analyzer: Analyzer) -> Index {
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
        let n = indexed.len() as f32;
        let idf = |df: f32| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let unit = idf(1.0);
        let weight = (0..keys.len())
            .map(|id| {
                let df = indexed.iter().filter(|e| e.share.contains_key(&id)).count() as f32;
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

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distance_counts_edits_and_transpositions() {
        assert_eq!(
            distance(&chars("livraison"), &chars("livrasion"), 2),
            Some(1)
        );
        assert_eq!(
            distance(&chars("remboursment"), &chars("remboursement"), 2),
            Some(1)
        );
        assert_eq!(distance(&chars("password"), &chars("pasword"), 1), Some(1));
        assert_eq!(distance(&chars("horaires"), &chars("horraire"), 2), Some(2));
        assert_eq!(distance(&chars("boutique"), &chars("musique"), 2), None);
    }

    fn index() -> Index {
        let analyzer = Analyzer::new(&[
            vec!["mot de passe".into(), "mdp".into(), "password".into()],
            vec![
                "horaires".into(),
                "hours".into(),
                "ouvert".into(),
                "open".into(),
            ],
        ]);
        Index::build(
            &[
                vec![
                    ("Quels sont vos horaires ?".to_string(), Lang::Fr),
                    (
                        "La boutique de Lyon est ouverte le dimanche ?".to_string(),
                        Lang::Fr,
                    ),
                    ("What are your opening hours?".to_string(), Lang::En),
                ],
                vec![
                    ("J'ai oublié mon mot de passe".to_string(), Lang::Fr),
                    ("How do I reset my password?".to_string(), Lang::En),
                ],
            ],
            analyzer,
        )
    }

    #[test]
    fn synonyms_make_one_term() {
        let a = Analyzer::new(&[vec!["mot de passe".into(), "mdp".into(), "password".into()]]);
        let keys = |t: &str| a.terms(t).into_iter().map(|t| t.key).collect::<Vec<_>>();
        assert_eq!(keys("mon mdp"), vec!["=mot_de_passe"]);
        assert_eq!(keys("mes mots de passe"), vec!["=mot_de_passe"]);
        assert_eq!(keys("the password"), vec!["=mot_de_passe"]);
    }

    #[test]
    fn ranks_the_right_entry_across_languages_and_typos() {
        let idx = index();
        let top = |t: &str| idx.rank(t).first().map(|s| s.entry);
        assert_eq!(top("vous etes ouverts quand ?"), Some(0));
        assert_eq!(top("when is the shop open?"), Some(0));
        assert_eq!(top("j'ai perdu mon mdp"), Some(1));
        assert_eq!(top("forgot my pasword"), Some(1));
        assert_eq!(top("horraires ?"), Some(0));
        assert!(idx.rank("le match d'hier soir").is_empty());
    }
}
