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
//!
//! Speed: everything that follows from the config is computed once, when
//! the index is built — stems and concepts numbered, the config's words
//! analysed, phrase starts, term postings (entries and examples with the
//! term's intent weight), each example's intent mass and each entry's
//! typical mass, a sorted list of stems for prefixes, and the examples'
//! words by length and by first / last letter for typos. A question then
//! costs a tokenisation, a hash lookup per word, sums along the postings of
//! its terms, and an edit distance only against the few words of the
//! vocabulary that can be one or two edits away, with working memory
//! ([`Scratch`]) reused from question to question. The sums are made in the
//! same order as term by term, so the scores are the same to the bit as
//! those of the first, direct version (kept in `src/reference.rs` and
//! compared in its tests).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use vigie_text::Lang;

use crate::normalize;
use crate::question::QuestionScratch;
use crate::text::Tokens;

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

/// FxHash (as in `rustc-hash`), for the lookup tables built from the
/// config: much cheaper than SipHash on short words.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        while let Some((head, rest)) = bytes.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*head));
            bytes = rest;
        }
        if let Some((head, rest)) = bytes.split_first_chunk::<4>() {
            self.add(u64::from(u32::from_le_bytes(*head)));
            bytes = rest;
        }
        if let Some((head, rest)) = bytes.split_first_chunk::<2>() {
            self.add(u64::from(u16::from_le_bytes(*head)));
            bytes = rest;
        }
        if let Some(&b) = bytes.first() {
            self.add(u64::from(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A hash map with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// What the analyzer knows of a folded word it has met in the config.
#[derive(Debug, Clone, Copy)]
struct WordInfo {
    stop: bool,
    stem: u32,
}

/// Turns text into terms: normalisation plus the synonym groups.
///
/// Stems and concepts are interned (numbered) when the config is loaded, so
/// that matching a question compares numbers; the words of the config's
/// examples, synonyms and the stop words are analysed once.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    /// Concept id → key (`=mot_de_passe`); equal keys share an id.
    concepts: Vec<String>,
    concept_ids: FxMap<String, u32>,
    /// Stem id → stem, for the stems met in the config.
    stems: Vec<String>,
    stem_ids: FxMap<String, u32>,
    /// Stem id of a one-word member → concept (the first group's).
    single: FxMap<u32, u32>,
    /// Stems of a multi-word member → concept, longest first.
    phrases: Vec<(Vec<u32>, u32)>,
    /// First stem id → indices of the phrases that start with it, in order.
    phrase_starts: FxMap<u32, Vec<u32>>,
    /// Folded one-word members → concept, for typo tolerance.
    members: Vec<(String, u32)>,
    /// Folded one-word member → its concepts (a stop word joins a group
    /// only as itself).
    member_concepts: FxMap<String, Vec<u32>>,
    /// Folded words met in the config → stop word or not, stem.
    words: FxMap<String, WordInfo>,
}

/// The stem of a word of the question: interned, or in the scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StemRef {
    Known(u32),
    Other(u32, u32),
}

/// The key of a term of the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Concept(u32),
    Stem(u32),
    /// A stem the config never uses (its bytes in the scratch buffer).
    Other(u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct QWord {
    surface: (u32, u32),
    stem: StemRef,
    proper: bool,
    stop: bool,
}

#[derive(Debug, Clone, Copy)]
struct QTerm {
    key: Key,
    surface: (u32, u32),
    /// A multi-word phrase (no typo tolerance).
    phrase: bool,
    proper: bool,
}

/// Working memory of the matching, reused from question to question (no
/// allocation per question once it has grown).
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    tokens: Tokens,
    /// Surfaces and unknown stems of the current text.
    strs: String,
    words: Vec<QWord>,
    terms: Vec<QTerm>,
    resolved: Vec<Resolved>,
    chars: Vec<char>,
    dist: [Vec<usize>; 3],
    evidence: Vec<f32>,
    matched: Vec<f32>,
    hit: Vec<bool>,
    covered: Vec<f32>,
    ranking: Vec<Scored>,
    /// For question detection.
    pub question: QuestionScratch,
}

impl Scratch {
    /// Empty buffers.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    fn str(&self, (start, end): (u32, u32)) -> &str {
        &self.strs[start as usize..end as usize]
    }
}

fn push_str(strs: &mut String, s: &str) -> (u32, u32) {
    let start = strs.len() as u32;
    strs.push_str(s);
    (start, strs.len() as u32)
}

impl Analyzer {
    /// No synonyms.
    pub fn plain() -> Analyzer {
        Analyzer::default()
    }

    /// With the config's synonym groups.
    pub fn new(groups: &[Vec<String>]) -> Analyzer {
        let mut a = Analyzer::default();
        let mut phrases: Vec<(Vec<String>, String)> = Vec::new();
        for group in groups {
            let Some(first) = group.first() else { continue };
            let key = format!("={}", vigie_text::words(first).join("_"));
            let concept = a.intern_concept(&key);
            for member in group {
                let words = normalize::words(member);
                for w in &words {
                    a.learn_word(w);
                }
                match words.as_slice() {
                    [] => {}
                    [one] => {
                        let stem = a.intern_stem(&one.stem);
                        a.single.entry(stem).or_insert(concept);
                        a.members.push((one.surface.clone(), concept));
                        a.member_concepts
                            .entry(one.surface.clone())
                            .or_default()
                            .push(concept);
                    }
                    many => {
                        let stems = many.iter().map(|w| w.stem.clone()).collect();
                        phrases.push((stems, key.clone()));
                    }
                }
            }
        }
        phrases.sort_by(|x, y| y.0.len().cmp(&x.0.len()).then(x.cmp(y)));
        for (i, (stems, key)) in phrases.iter().enumerate() {
            let stems: Vec<u32> = stems.iter().map(|s| a.intern_stem(s)).collect();
            let concept = a.intern_concept(key);
            a.phrase_starts.entry(stems[0]).or_default().push(i as u32);
            a.phrases.push((stems, concept));
        }
        for word in normalize::STOP_WORDS {
            a.learn(word);
        }
        a
    }

    fn intern_concept(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.concept_ids.get(key) {
            return id;
        }
        let id = self.concepts.len() as u32;
        self.concepts.push(key.to_string());
        self.concept_ids.insert(key.to_string(), id);
        id
    }

    fn intern_stem(&mut self, stem: &str) -> u32 {
        if let Some(&id) = self.stem_ids.get(stem) {
            return id;
        }
        let id = self.stems.len() as u32;
        self.stems.push(stem.to_string());
        self.stem_ids.insert(stem.to_string(), id);
        id
    }

    fn learn_word(&mut self, w: &normalize::Word) {
        if !self.words.contains_key(&w.surface) {
            let stem = self.intern_stem(&w.stem);
            self.words
                .insert(w.surface.clone(), WordInfo { stop: w.stop, stem });
        }
    }

    /// Analyses the words of `text` once, for the questions that use them.
    fn learn(&mut self, text: &str) {
        for w in normalize::words(text) {
            self.learn_word(&w);
        }
    }

    /// The terms of `text`, each once, in order.
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let mut s = Scratch::new();
        self.analyze(text, &mut s);
        s.terms
            .iter()
            .map(|t| Term {
                key: self.key_str(&s, t.key).to_string(),
                surface: s.str(t.surface).to_string(),
                proper: t.proper,
            })
            .collect()
    }

    fn key_str<'a>(&'a self, s: &'a Scratch, key: Key) -> &'a str {
        match key {
            Key::Concept(c) => &self.concepts[c as usize],
            Key::Stem(id) => &self.stems[id as usize],
            Key::Other(a, b) => s.str((a, b)),
        }
    }

    /// The terms of `text` into `s.terms` (the work of [`Analyzer::terms`],
    /// without allocating).
    fn analyze(&self, text: &str, s: &mut Scratch) {
        s.tokens.tokenize(text);
        s.strs.clear();
        s.words.clear();
        s.terms.clear();
        let Scratch {
            tokens,
            strs,
            words,
            ..
        } = s;
        normalize::each_word(text, tokens, |surface, proper| {
            let (stop, stem) = match self.words.get(surface) {
                Some(info) => (info.stop, StemRef::Known(info.stem)),
                None => {
                    let stem = normalize::stem(surface);
                    let known = self.stem_ids.get(stem.as_str());
                    let stem = match known {
                        Some(&id) => StemRef::Known(id),
                        None => {
                            let (a, b) = push_str(strs, &stem);
                            StemRef::Other(a, b)
                        }
                    };
                    (normalize::is_stop(surface), stem)
                }
            };
            words.push(QWord {
                surface: push_str(strs, surface),
                stem,
                proper,
                stop,
            });
        });
        let mut i = 0;
        while i < s.words.len() {
            let w = s.words[i];
            let phrase = match w.stem {
                StemRef::Known(first) => self.phrase_starts.get(&first).and_then(|list| {
                    list.iter()
                        .map(|&p| &self.phrases[p as usize])
                        .find(|(stems, _)| {
                            s.words.len() - i >= stems.len()
                                && stems
                                    .iter()
                                    .zip(&s.words[i..])
                                    .all(|(st, w)| w.stem == StemRef::Known(*st))
                        })
                }),
                StemRef::Other(..) => None,
            };
            if let Some((stems, concept)) = phrase {
                let start = s.strs.len() as u32;
                for (k, w) in s.words[i..i + stems.len()].iter().enumerate() {
                    if k > 0 {
                        s.strs.push(' ');
                    }
                    let (a, b) = w.surface;
                    s.strs.extend_from_within(a as usize..b as usize);
                }
                let surface = (start, s.strs.len() as u32);
                push_term(
                    s,
                    QTerm {
                        key: Key::Concept(*concept),
                        surface,
                        phrase: true,
                        proper: false,
                    },
                );
                i += stems.len();
                continue;
            }
            // A stop word joins a group only as itself (`us` in a group of
            // countries), never through a shared stem (`comment` is not
            // `come`).
            let concept = match w.stem {
                StemRef::Known(stem) => self.single.get(&stem).copied().filter(|c| {
                    !w.stop
                        || self
                            .member_concepts
                            .get(s.str(w.surface))
                            .is_some_and(|cs| cs.contains(c))
                }),
                StemRef::Other(..) => None,
            };
            if let Some(c) = concept {
                push_term(
                    s,
                    QTerm {
                        key: Key::Concept(c),
                        surface: w.surface,
                        phrase: false,
                        proper: false,
                    },
                );
            } else if !w.stop {
                let key = match w.stem {
                    StemRef::Known(id) => Key::Stem(id),
                    StemRef::Other(a, b) => Key::Other(a, b),
                };
                push_term(
                    s,
                    QTerm {
                        key,
                        surface: w.surface,
                        phrase: false,
                        proper: w.proper,
                    },
                );
            }
            i += 1;
        }
    }
}

/// Adds `t` unless a term with the same key is there.
fn push_term(s: &mut Scratch, t: QTerm) {
    let same = |o: &QTerm| match (o.key, t.key) {
        (Key::Other(a, b), Key::Other(c, d)) => s.str((a, b)) == s.str((c, d)),
        (x, y) => x == y,
    };
    if !s.terms.iter().any(same) {
        s.terms.push(t);
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

/// A folded word of the examples, for typo tolerance.
#[derive(Debug, Clone, Copy)]
struct Surface {
    /// Its characters are `Surfaces::chars[start..start + len]`.
    start: u32,
    len: u32,
    /// Which characters it has (hashed on 64 bits): an edit changes at most
    /// two bits, so words whose masks differ by more than `2 × max` bits
    /// are further than `max` edits apart.
    mask: u64,
    id: u32,
}

/// The folded words of the examples, in alphabetical order, grouped by
/// length, and by length and first / last character.
#[derive(Debug, Clone, Default)]
struct Surfaces {
    chars: Vec<char>,
    items: Vec<Surface>,
    /// Length in characters → indices in `items`, ascending.
    by_len: Vec<Vec<u32>>,
    /// (length, first character) → indices in `items`, ascending.
    by_first: FxMap<(u32, char), Vec<u32>>,
    /// (length, last character) → indices in `items`, ascending.
    by_last: FxMap<(u32, char), Vec<u32>>,
}

fn char_mask(chars: &[char]) -> u64 {
    chars.iter().fold(0, |m, &c| m | 1u64 << (c as u32 & 63))
}

/// What is derived from the entries and the tuning, for scoring.
#[derive(Debug, Clone, Default)]
struct Scoring {
    /// Term id → (entry, intent weight of the term in the entry).
    postings: Vec<Vec<(u32, f32)>>,
    /// Term id → (example, intent weight of the term in its entry).
    example_postings: Vec<Vec<(u32, f32)>>,
    /// Entry → its examples (indices into `example_all` / `example_lang`).
    entry_examples: Vec<std::ops::Range<usize>>,
    /// Example → intent weight of all its terms.
    example_all: Vec<f32>,
    example_lang: Vec<Lang>,
    /// Entry → intent weight of a short example (the quantile).
    typical: Vec<f32>,
}

/// The example questions of every entry, ready for matching.
#[derive(Debug, Clone)]
pub struct Index {
    analyzer: Analyzer,
    keys: Vec<String>,
    /// Concept id / stem id of the analyzer → term id.
    concept_term: Vec<Option<u32>>,
    stem_term: Vec<Option<u32>>,
    /// Stem terms (not concepts), sorted, for stem prefixes.
    stem_keys: Vec<(String, u32)>,
    /// Folded words → term id, for typo tolerance.
    surfaces: Surfaces,
    /// IDF over entries, scaled so that a term of one entry weighs 1.
    weight: Vec<f32>,
    entries: Vec<EntryIndex>,
    tuning: Tuning,
    scoring: Scoring,
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
    /// examples of entry `i` with their language; `declined[i]` tells a
    /// `decline` entry, missing means no).
    pub fn build(
        entries: &[Vec<(String, Lang)>],
        declined: &[bool],
        mut analyzer: Analyzer,
    ) -> Index {
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
            if let Some(id) = vocab.get(&analyzer.concepts[*key as usize]) {
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
        // What questions will look up: the examples' words analysed once,
        // every stem of the vocabulary numbered.
        for (text, _) in entries.iter().flatten() {
            analyzer.learn(text);
        }
        for key in vocab.keys().filter(|k| !k.starts_with('=')) {
            analyzer.intern_stem(key);
        }
        let concept_term = analyzer
            .concepts
            .iter()
            .map(|k| vocab.get(k).map(|&id| id as u32))
            .collect();
        let stem_term = analyzer
            .stems
            .iter()
            .map(|k| vocab.get(k).map(|&id| id as u32))
            .collect();
        let stem_keys = vocab
            .iter()
            .filter(|(k, _)| !k.starts_with('='))
            .map(|(k, &id)| (k.clone(), id as u32))
            .collect();
        let mut typo = Surfaces::default();
        for (surface, id) in surfaces {
            let start = typo.chars.len();
            typo.chars.extend(surface.chars());
            let chars = &typo.chars[start..];
            let len = chars.len();
            if typo.by_len.len() <= len {
                typo.by_len.resize(len + 1, Vec::new());
            }
            let i = typo.items.len() as u32;
            typo.by_len[len].push(i);
            if let (Some(&first), Some(&last)) = (chars.first(), chars.last()) {
                let len = len as u32;
                typo.by_first.entry((len, first)).or_default().push(i);
                typo.by_last.entry((len, last)).or_default().push(i);
            }
            typo.items.push(Surface {
                start: start as u32,
                len: len as u32,
                mask: char_mask(chars),
                id: id as u32,
            });
        }
        let mut index = Index {
            analyzer,
            keys,
            concept_term,
            stem_term,
            stem_keys,
            surfaces: typo,
            weight,
            entries: indexed,
            tuning: Tuning::default(),
            scoring: Scoring::default(),
        };
        index.scoring = index.derive_scoring();
        index
    }

    /// The intent weights, the typical example mass of each entry and the
    /// postings, for the current tuning.
    fn derive_scoring(&self) -> Scoring {
        let t = self.tuning;
        let mut s = Scoring {
            postings: vec![Vec::new(); self.keys.len()],
            example_postings: vec![Vec::new(); self.keys.len()],
            ..Scoring::default()
        };
        for (e, entry) in self.entries.iter().enumerate() {
            let intent = |id: usize| self.weight[id] * entry.share[&id].powf(t.gamma);
            for &id in entry.share.keys() {
                s.postings[id].push((e as u32, intent(id)));
            }
            let first = s.example_all.len();
            for example in &entry.examples {
                let g = s.example_all.len() as u32;
                for &id in &example.terms {
                    s.example_postings[id].push((g, intent(id)));
                }
                s.example_all
                    .push(example.terms.iter().map(|&id| intent(id)).sum::<f32>());
                s.example_lang.push(example.lang);
            }
            s.entry_examples.push(first..s.example_all.len());
            let mut masses = s.example_all[first..].to_vec();
            masses.sort_by(f32::total_cmp);
            let at = ((masses.len() as f32 - 1.0) * t.mass_quantile).round() as usize;
            s.typical
                .push(masses.get(at).copied().unwrap_or(1.0).max(1e-3));
        }
        s
    }

    /// The same index with other matching constants.
    pub fn with_tuning(mut self, tuning: Tuning) -> Index {
        self.tuning = tuning;
        self.scoring = self.derive_scoring();
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

    fn resolve(&self, term: &QTerm, s: &mut Scratch) -> Resolved {
        let exact = match term.key {
            Key::Concept(c) => self.concept_term[c as usize],
            Key::Stem(id) => self.stem_term[id as usize],
            Key::Other(..) => None,
        };
        if let Some(id) = exact {
            let id = id as usize;
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
        if term.phrase {
            return unknown;
        }
        // Stem prefixes: `retourn` and `retour`, `expedi` and `exped`; they
        // win over typos.
        let stem = match term.key {
            Key::Concept(_) => None,
            Key::Stem(id) => Some(self.analyzer.stems[id as usize].as_str()),
            Key::Other(a, b) => Some(s.str((a, b))),
        };
        if let Some(id) = stem.and_then(|stem| self.prefix_match(stem)) {
            return Resolved {
                id: Some(id),
                strength: 0.85,
                weight: self.weight[id],
            };
        }
        // Typos on the folded word.
        let Scratch {
            strs, chars, dist, ..
        } = s;
        chars.clear();
        let (a, b) = term.surface;
        chars.extend(strs[a as usize..b as usize].chars());
        match self.typo_match(chars, dist) {
            Some((strength, id)) => Resolved {
                id: Some(id),
                strength,
                weight: self.weight[id],
            },
            None => unknown,
        }
    }

    /// The first stem of the vocabulary, alphabetically, that `stem`
    /// extends or that extends `stem` by at most three bytes, the shorter
    /// of the two having at least five.
    fn prefix_match(&self, stem: &str) -> Option<usize> {
        let keys = &self.stem_keys;
        let len = stem.len();
        // Shorter stems, which come first: `stem`'s prefixes, shortest first.
        for k in len.saturating_sub(3).max(5)..len {
            if !stem.is_char_boundary(k) {
                continue;
            }
            if let Ok(at) = keys.binary_search_by(|(key, _)| key.as_str().cmp(&stem[..k])) {
                return Some(keys[at].1 as usize);
            }
        }
        if len < 5 {
            return None;
        }
        let from = keys.partition_point(|(key, _)| key.as_str() < stem);
        keys[from..]
            .iter()
            .take_while(|(key, _)| key.starts_with(stem))
            .find(|(key, _)| key.len() - len <= 3)
            .map(|(_, id)| *id as usize)
    }

    /// The typo match of `word`: the first surface, alphabetically, at
    /// distance 1 (strength 0.85), else the first at distance 0 or 2 (0.7);
    /// distance 1 allowed from 5 letters, 2 from 8 (on the shorter word).
    fn typo_match(&self, word: &[char], dist: &mut [Vec<usize>; 3]) -> Option<(f32, usize)> {
        let n = word.len();
        if n < 5 {
            return None;
        }
        let mask = char_mask(word);
        let typo = &self.surfaces;
        let (mut one, mut other): (Option<u32>, Option<u32>) = (None, None);
        for m in n - 2..=n + 2 {
            let shortest = n.min(m);
            let max = if shortest >= 8 {
                2
            } else if shortest >= 5 {
                1
            } else {
                continue;
            };
            if n.abs_diff(m) > max {
                continue;
            }
            // One edit leaves the rest in place: a substitution all but one
            // character, a transposition all but two, an insertion or a
            // deletion all of the shorter word, in a common prefix and a
            // common suffix (so at least 3 characters: the first or the
            // last character is the same). Two edits can change both ends:
            // there, words are sieved by the characters they use.
            let needed = if n == m { n - 2 } else { shortest };
            let (first, last, all) = if max == 1 {
                let key = |c: char| (m as u32, c);
                (
                    typo.by_first.get(&key(word[0])),
                    typo.by_last.get(&key(word[n - 1])),
                    None,
                )
            } else {
                (None, None, typo.by_len.get(m))
            };
            for bucket in [first, last, all].into_iter().flatten() {
                for &i in bucket {
                    if one.is_some_and(|o| i > o) {
                        break;
                    }
                    let item = typo.items[i as usize];
                    let surface =
                        &typo.chars[item.start as usize..(item.start + item.len) as usize];
                    if max == 1 {
                        let prefix = word.iter().zip(surface).take_while(|(a, b)| a == b).count();
                        let suffix = word
                            .iter()
                            .rev()
                            .zip(surface.iter().rev())
                            .take_while(|(a, b)| a == b)
                            .count();
                        if prefix + suffix < needed {
                            continue;
                        }
                    } else if (mask ^ item.mask).count_ones() > 2 * max as u32 {
                        continue;
                    }
                    match osa(word, surface, max, dist) {
                        Some(1) => one = Some(one.map_or(i, |o| o.min(i))),
                        Some(_) => other = Some(other.map_or(i, |o| o.min(i))),
                        None => {}
                    }
                }
            }
        }
        let id = |i: u32| typo.items[i as usize].id as usize;
        one.map(|i| (0.85, id(i))).or(other.map(|i| (0.7, id(i))))
    }

    /// The terms of `text` the index knows (for debugging and tests).
    pub fn explain(&self, text: &str) -> Vec<(String, Option<String>, f32)> {
        let mut s = Scratch::new();
        self.analyzer.analyze(text, &mut s);
        let terms = s.terms.clone();
        terms
            .iter()
            .map(|t| {
                let r = self.resolve(t, &mut s);
                (
                    s.str(t.surface).to_string(),
                    r.id.map(|id| self.keys[id].clone()),
                    r.weight,
                )
            })
            .collect()
    }

    /// Every entry that shares a term with `text`, best first.
    pub fn rank(&self, text: &str) -> Vec<Scored> {
        let mut s = Scratch::new();
        self.rank_with(text, &mut s);
        s.ranking
    }

    /// [`Index::rank`] into `s.ranking`, with reused buffers.
    pub fn rank_with<'s>(&self, text: &str, s: &'s mut Scratch) -> &'s [Scored] {
        self.analyzer.analyze(text, s);
        s.resolved.clear();
        s.ranking.clear();
        for k in 0..s.terms.len() {
            let term = s.terms[k];
            let r = self.resolve(&term, s);
            match r
                .id
                .and_then(|id| s.resolved.iter_mut().find(|o| o.id == Some(id)))
            {
                Some(same) => same.strength = same.strength.max(r.strength),
                None => s.resolved.push(r),
            }
        }
        let total: f32 = s.resolved.iter().map(|r| r.weight).sum();
        if total <= 0.0 {
            return &s.ranking;
        }
        let sc = &self.scoring;
        let n = self.entries.len();
        s.evidence.clear();
        s.evidence.resize(n, 0.0);
        s.matched.clear();
        s.matched.resize(n, 0.0);
        s.hit.clear();
        s.hit.resize(n, false);
        s.covered.clear();
        s.covered.resize(sc.example_all.len(), 0.0);
        // The same sums as term by term per entry, in the same order (the
        // question's), so the same floats.
        for r in &s.resolved {
            let Some(id) = r.id else { continue };
            for &(e, intent) in &sc.postings[id] {
                let e = e as usize;
                s.evidence[e] += r.strength * r.weight;
                s.matched[e] += intent * r.strength;
                s.hit[e] = true;
            }
            for &(g, intent) in &sc.example_postings[id] {
                s.covered[g as usize] += intent * r.strength;
            }
        }
        let t = self.tuning;
        for i in 0..n {
            if !s.hit[i] {
                continue;
            }
            let evidence = s.evidence[i];
            let question_coverage = evidence / total;
            let typical = sc.typical[i];
            let entry_coverage = (s.matched[i] / typical).min(1.0);
            let mut best = (0.0f32, Lang::Fr);
            for g in sc.entry_examples[i].clone() {
                let all = sc.example_all[g];
                if all <= 0.0 {
                    continue;
                }
                let coverage = s.covered[g] / all;
                if coverage > best.0 {
                    best = (coverage, sc.example_lang[g]);
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
            s.ranking.push(Scored {
                entry: i,
                score,
                evidence,
                question_coverage: q,
                example_coverage: best.0,
                entry_coverage,
                lang: best.1,
            });
        }
        s.ranking
            .sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        &s.ranking
    }
}

/// Optimal string alignment distance (Levenshtein plus transpositions) if
/// it is at most `max`.
pub fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    osa(a, b, max, &mut Default::default())
}

/// [`distance`] with reused rows.
fn osa(a: &[char], b: &[char], max: usize, rows: &mut [Vec<usize>; 3]) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let [prev2, prev, cur] = rows;
    prev2.clear();
    prev2.resize(n + 1, 0);
    prev.clear();
    prev.extend(0..=n);
    cur.clear();
    cur.resize(n + 1, 0);
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
        std::mem::swap(prev2, prev);
        std::mem::swap(prev, cur);
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
            &[],
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
