//! Word lists and whole-word matching.
//!
//! A [`Lexicon`] holds word-list entries (single words, phrases, `*`
//! wildcards, emoji) and finds them in a [`Normalized`] message:
//!
//! - **whole words**: an entry matches whole words only (`hell` does not
//!   match `hello`); `*` stands for any letters (`*fuck*`);
//! - **repeated letters**: a letter may be repeated any number of times
//!   (`fuuuck`), but a doubled letter of the entry must stay at least doubled
//!   (`ass` does not match `as`);
//! - **plurals**: a trailing `s`, `es` (after s, x, z, ch, sh) or `x` (after
//!   eu, au) is accepted (`connards`, `bitches`);
//! - **separators inside words**: words joined by up to four separator
//!   characters without a space (`f.u.c.k`, `con-nard`, `fu__ck`) are also
//!   tried glued together, and so are runs of single letters even with
//!   spaces (`c o n n a r d`, `f . u . c . k`);
//! - **leetspeak `1`/`|`** reads as `i` or `l`, whichever matches;
//! - **languages**: an entry tagged `[fr]` is skipped when the message looks
//!   English, `[en]` when it looks French (the caller decides what an
//!   unclear message counts as);
//! - **allow list**: a match that lies inside an allowed word or phrase
//!   (`chili con carne`) is ignored.

use crate::normalize::{leet, Gap, Normalized, Token, AMBIG, STAR};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: much faster than the default SipHash for the many short keys
/// looked up per message (no need for DoS resistance: the keys are ours).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
/// An entry id and its letters.
type Spelled = (usize, Vec<char>);

/// The default French list (see `data/fr.txt`).
pub const FR_LIST: &str = include_str!("../data/fr.txt");
/// The default English list (see `data/en.txt`).
pub const EN_LIST: &str = include_str!("../data/en.txt");
/// The default allow list (see `data/allow.txt`).
pub const ALLOW_LIST: &str = include_str!("../data/allow.txt");

/// Longest word (in runs of letters) the matcher looks at.
const MAX_RUNS: usize = 48;
/// Longest glued candidate built from separated pieces, in characters.
const MAX_GLUED: usize = 40;

/// French or English, as far as the matcher cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

/// One line of a list: the entry as written and the language it must not be
/// applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub text: String,
    pub skip_when: Option<Lang>,
}

/// Parses a list file: one entry per line, `#` comments, optional trailing
/// `[fr]` / `[en]` tag.
pub fn parse_list(text: &str) -> Vec<ListEntry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (text, skip_when) = if let Some(w) = l.strip_suffix("[fr]") {
                (w, Some(Lang::En))
            } else if let Some(w) = l.strip_suffix("[en]") {
                (w, Some(Lang::Fr))
            } else {
                (l, None)
            };
            ListEntry {
                text: text.trim().to_string(),
                skip_when,
            }
        })
        .collect()
}

/// The default list of a language code (`fr`, `en`).
pub fn default_list(lang: &str) -> Option<Vec<ListEntry>> {
    match lang {
        "fr" => Some(parse_list(FR_LIST)),
        "en" => Some(parse_list(EN_LIST)),
        _ => None,
    }
}

type Runs = Vec<(char, u32)>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Elem {
    Run(char, u32),
    Star,
}

/// One word of an entry.
#[derive(Debug, Clone)]
struct WordPat {
    elems: Vec<Elem>,
    /// The letters with repeats collapsed, when there is no wildcard: the
    /// lookup key.
    key: Option<String>,
}

impl WordPat {
    fn new(chars: &[char]) -> Self {
        let mut elems: Vec<Elem> = Vec::new();
        for &c in chars {
            let c = if c == AMBIG { 'i' } else { c };
            match (elems.last_mut(), c) {
                (Some(Elem::Star), STAR) => {}
                (_, STAR) => elems.push(Elem::Star),
                (Some(Elem::Run(p, n)), c) if *p == c => *n += 1,
                (_, c) => elems.push(Elem::Run(c, 1)),
            }
        }
        let key = elems
            .iter()
            .map(|e| match e {
                Elem::Run(c, _) => Some(*c),
                Elem::Star => None,
            })
            .collect::<Option<String>>();
        WordPat { elems, key }
    }

    /// The longest piece without a wildcard, merged (see [`merged`]).
    fn core(&self) -> String {
        self.elems
            .split(|e| *e == Elem::Star)
            .map(|piece| {
                merged(piece.iter().map(|e| match e {
                    Elem::Run(c, _) => *c,
                    Elem::Star => unreachable!(),
                }))
            })
            .max_by_key(|m| m.chars().count())
            .unwrap_or_default()
    }

    /// The letters as written, when there is no wildcard.
    fn spelled(&self) -> Option<String> {
        self.elems
            .iter()
            .map(|e| match e {
                Elem::Run(c, n) => Some(std::iter::repeat_n(*c, *n as usize).collect::<String>()),
                Elem::Star => None,
            })
            .collect()
    }

    fn weight(&self) -> u32 {
        self.elems
            .iter()
            .map(|e| match e {
                Elem::Run(_, n) => *n,
                Elem::Star => 0,
            })
            .sum()
    }

    fn matches(&self, runs: &[(char, u32)]) -> bool {
        fn go(p: &[Elem], t: &[(char, u32)]) -> bool {
            match p.first() {
                None => t.is_empty(),
                Some(Elem::Star) => (0..=t.len()).any(|k| go(&p[1..], &t[k..])),
                Some(Elem::Run(c, k)) => match t.first() {
                    Some(&(tc, n)) if tc == *c && n >= *k => go(&p[1..], &t[1..]),
                    _ => false,
                },
            }
        }
        go(&self.elems, runs)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    text: String,
    words: Vec<WordPat>,
    /// For a phrase, its words glued together (`fils de pute` → `filsdepute`),
    /// as written and with bare numbers read as leetspeak (`2girls1cup`).
    joined: Vec<WordPat>,
    skip_when: Option<Lang>,
    /// For an entry without letters (an emoji): its folded text.
    symbol: Option<String>,
}

/// A found entry: the original byte span and the entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub entry: String,
}

/// A compiled set of list entries plus an allow list.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    entries: Vec<Entry>,
    /// Single-word entries and glued phrases, by key.
    single: Map<String, Vec<usize>>,
    /// Phrases, by the key of their first word.
    phrases: Map<String, Vec<usize>>,
    /// Single words with a wildcard.
    wild: Vec<usize>,
    /// Phrases whose first word has a wildcard.
    wild_phrases: Vec<usize>,
    /// Emoji and other entries without letters.
    symbols: Vec<usize>,
    /// Allowed words and phrases, spelled out per word.
    allow: Vec<Vec<String>>,
    /// Merged forms (`i` and `l` merged, repeats collapsed) and what they
    /// are: [`PREFIX`], every prefix of every key (plural endings
    /// included): gluing pieces stops as soon as the glued text is no
    /// longer a prefix of anything listed; [`KEY`], the whole keys (a quick
    /// test before trying spellings); [`FIRST`], the first words of
    /// phrases. One lookup per word tells all three.
    index: Map<String, u8>,
    /// Wildcard entries and their longest literal piece (merged like
    /// `prefixes`): glued pieces are tried against a wildcard entry only
    /// when they contain that piece.
    wild_cores: Vec<(usize, String)>,
    /// The shortest wildcard core, in characters.
    min_core: usize,
    /// Single-word entries without wildcard, spelled out, for masked words,
    /// by length and first letter.
    plain: Map<(usize, char), Vec<Spelled>>,
}

/// In [`Lexicon::index`]: a prefix of a merged key.
const PREFIX: u8 = 1;
/// In [`Lexicon::index`]: a merged key (plural endings included).
const KEY: u8 = 2;
/// In [`Lexicon::index`]: the merged first word of a phrase.
const FIRST: u8 = 4;

/// Maps `i`, `l` and [`AMBIG`] to one symbol and collapses repeats, so that
/// every spelling of a word that could match an entry has the same form.
fn push_merged(out: &mut String, chars: impl IntoIterator<Item = char>) {
    let mut last = out.chars().next_back();
    for c in chars {
        let c = if matches!(c, 'i' | 'l' | AMBIG) {
            AMBIG
        } else {
            c
        };
        if last != Some(c) {
            out.push(c);
            last = Some(c);
        }
    }
}

/// `haystack.contains(needle)`, without the set-up of a general string
/// search (the needles here are a few letters).
fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    h.len() >= n.len()
        && (0..=h.len() - n.len()).any(|i| h[i] == first && &h[i + 1..i + n.len()] == rest)
}

fn merged(chars: impl IntoIterator<Item = char>) -> String {
    let mut s = String::new();
    push_merged(&mut s, chars);
    s
}

thread_local! {
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

fn rle(chars: &[char]) -> Runs {
    let mut runs: Runs = Vec::new();
    for &c in chars {
        match runs.last_mut() {
            Some((p, n)) if *p == c => *n += 1,
            _ => runs.push((c, 1)),
        }
    }
    runs
}

fn key_of(runs: &[(char, u32)]) -> String {
    runs.iter().map(|r| r.0).collect()
}

/// The spellings of a word whose `1`/`|` may be `i` or `l`.
fn expansions(chars: &[char]) -> Vec<std::borrow::Cow<'_, [char]>> {
    use std::borrow::Cow;
    let ambiguous: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == AMBIG).collect();
    if ambiguous.is_empty() {
        return vec![Cow::Borrowed(chars)];
    }
    let all = |c: char| -> Cow<'_, [char]> {
        Cow::Owned(
            chars
                .iter()
                .map(|&x| if x == AMBIG { c } else { x })
                .collect(),
        )
    };
    if ambiguous.len() > 6 {
        return vec![all('i'), all('l')];
    }
    (0..1u32 << ambiguous.len())
        .map(|mask| {
            let mut v = chars.to_vec();
            for (bit, &i) in ambiguous.iter().enumerate() {
                v[i] = if mask >> bit & 1 == 1 { 'l' } else { 'i' };
            }
            Cow::Owned(v)
        })
        .collect()
}

/// The word and its singulars: `cons` → `con`, `bitches` → `bitch`,
/// `merdeux` → `merdeu` (harmless) .
fn singulars(runs: &[(char, u32)]) -> Vec<&[(char, u32)]> {
    let mut out = vec![runs];
    let n = runs.len();
    if n >= 3 && runs[n - 1] == ('s', 1) {
        out.push(&runs[..n - 1]);
        if runs[n - 2] == ('e', 1) && matches!(runs[n - 3].0, 's' | 'x' | 'z' | 'h') {
            out.push(&runs[..n - 2]);
        }
    }
    if n >= 3
        && runs[n - 1] == ('x', 1)
        && runs[n - 2].0 == 'u'
        && matches!(runs[n - 3].0, 'e' | 'a')
    {
        out.push(&runs[..n - 1]);
    }
    out
}

/// A word as written, `1`/`|` read as `i` (for allow lists, which compare
/// spellings exactly, plurals aside).
fn literal(chars: &[char]) -> String {
    chars
        .iter()
        .map(|&c| if c == AMBIG { 'i' } else { c })
        .collect()
}

/// The word and its singulars, as strings (see [`singulars`]).
fn singular_strs(w: &str) -> [Option<&str>; 3] {
    let mut out = [Some(w), None, None];
    if w.chars().count() >= 3 {
        if let Some(s) = w.strip_suffix('s') {
            out[1] = Some(s);
            if let Some(e) = s.strip_suffix('e') {
                if e.ends_with(['s', 'x', 'z', 'h']) {
                    out[2] = Some(e);
                }
            }
        } else if let Some(x) = w.strip_suffix('x') {
            if x.ends_with("eu") || x.ends_with("au") {
                out[1] = Some(x);
            }
        }
    }
    out
}

/// True when two words are the same, or one is a plural of the other.
fn same_or_plural(a: &str, b: &str) -> bool {
    a == b || singular_strs(a).contains(&Some(b)) || singular_strs(b).contains(&Some(a))
}

/// True when `a` and `b` are the same text once folded (to tell whether a
/// reason needs to name the list entry besides the matched span).
pub fn same_word(a: &str, b: &str) -> bool {
    Normalized::new(a).folded == Normalized::new(b).folded
}

/// Packs a word of at most 8 ASCII characters into a `u64`, big-endian and
/// zero-padded: the packed words sort as the words do.
const fn pack(word: &str) -> u64 {
    let b = word.as_bytes();
    let mut v = 0u64;
    let mut i = 0;
    while i < 8 {
        v <<= 8;
        if i < b.len() {
            v |= b[i] as u64;
        }
        i += 1;
    }
    v
}

const fn pack_all<const N: usize>(words: [&str; N]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut i = 0;
    while i < N {
        out[i] = pack(words[i]);
        i += 1;
    }
    out
}

/// Common French function words, sorted, at most 8 letters.
const FR_HINTS: [&str; 113] = [
    "ai", "alors", "apres", "au", "aussi", "aux", "avant", "avec", "avoir", "bande", "bien",
    "bonjour", "c", "ca", "ce", "ces", "cest", "cette", "chez", "comment", "d", "dans", "de",
    "deja", "depuis", "des", "donc", "du", "elle", "elles", "en", "encore", "es", "espece", "est",
    "et", "etait", "etre", "faire", "fait", "ferme", "gros", "ici", "il", "ils", "j", "jai", "je",
    "l", "la", "le", "les", "leur", "lui", "ma", "mais", "merci", "mes", "moi", "mon", "n", "ne",
    "ni", "non", "nos", "notre", "nous", "ou", "oui", "parce", "pas", "pauvre", "petit", "peux",
    "pour", "qu", "quand", "que", "quel", "quelle", "qui", "quoi", "rien", "sa", "sale", "salut",
    "ses", "sont", "sous", "suis", "sur", "t", "ta", "tes", "toi", "ton", "toujours", "tous",
    "tout", "toute", "tres", "trop", "tu", "un", "une", "va", "vers", "veux", "voila", "vos",
    "votre", "vous", "y",
];

/// Common English function words, sorted, at most 8 letters.
const EN_HINTS: [&str; 103] = [
    "about", "after", "again", "all", "also", "an", "and", "any", "anyone", "are", "at", "be",
    "because", "been", "but", "by", "can", "did", "didn", "do", "does", "doesn", "don", "ever",
    "every", "for", "from", "get", "good", "got", "had", "has", "have", "he", "hello", "her",
    "here", "hi", "his", "how", "i", "if", "im", "in", "into", "is", "isn", "it", "its", "ive",
    "just", "like", "ll", "my", "never", "no", "not", "of", "one", "only", "or", "our", "out",
    "please", "really", "she", "so", "some", "still", "such", "than", "thank", "thanks", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up",
    "ve", "very", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will",
    "with", "would", "yes", "you", "your",
];

const FR_PACKED: [u64; FR_HINTS.len()] = pack_all(FR_HINTS);
const EN_PACKED: [u64; EN_HINTS.len()] = pack_all(EN_HINTS);

/// The word packed as by [`pack`], when it has at most 8 characters, all
/// ASCII (every hint word is).
fn packed_word(chars: &[char]) -> Option<u64> {
    if chars.len() > 8 {
        return None;
    }
    let mut v = 0u64;
    for &c in chars {
        if !c.is_ascii() {
            return None;
        }
        v = (v << 8) | c as u64;
    }
    Some(v << (8 * (8 - chars.len())))
}

/// Guesses whether a message is French or English by counting common
/// function words; `None` when it cannot tell.
pub fn guess_lang(norm: &Normalized) -> Option<Lang> {
    let (mut fr, mut en) = (0u32, 0u32);
    for t in &norm.tokens {
        if let Some(w) = packed_word(&t.chars) {
            fr += FR_PACKED.binary_search(&w).is_ok() as u32;
            en += EN_PACKED.binary_search(&w).is_ok() as u32;
        }
    }
    match fr.cmp(&en) {
        std::cmp::Ordering::Greater => Some(Lang::Fr),
        std::cmp::Ordering::Less => Some(Lang::En),
        std::cmp::Ordering::Equal => None,
    }
}

impl Lexicon {
    /// Compiles `entries`; entries equal to an `allow` word (or its plural)
    /// are dropped, and matches inside an `allow` word or phrase are ignored.
    pub fn new(entries: &[ListEntry], allow: &[String]) -> Result<Lexicon, String> {
        let mut lex = Lexicon::default();
        for a in allow {
            let n = Normalized::pattern(a);
            let words: Vec<String> = n.tokens.iter().map(|t| literal(&t.chars)).collect();
            if words.is_empty() {
                return Err(format!("allowed word `{a}` has no letters"));
            }
            lex.allow.push(words);
        }
        for e in entries {
            lex.add(e)?;
        }
        lex.min_core = lex
            .wild_cores
            .iter()
            .map(|(_, c)| c.chars().count())
            .min()
            .unwrap_or(0);
        Ok(lex)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn is_allowed_entry(&self, words: &[WordPat]) -> bool {
        let spelled: Option<Vec<String>> = words.iter().map(WordPat::spelled).collect();
        let Some(spelled) = spelled else { return false };
        self.allow.iter().any(|a| {
            a.len() == spelled.len() && a.iter().zip(&spelled).all(|(a, w)| same_or_plural(a, w))
        })
    }

    fn add(&mut self, e: &ListEntry) -> Result<(), String> {
        let n = Normalized::pattern(&e.text);
        let id = self.entries.len();
        if n.tokens.is_empty() {
            let symbol = n.folded.trim().to_string();
            if symbol.is_empty() || symbol.chars().all(|c| c == STAR) {
                return Err(format!("word `{}` has nothing to match", e.text));
            }
            self.entries.push(Entry {
                text: e.text.clone(),
                words: Vec::new(),
                joined: Vec::new(),
                skip_when: e.skip_when,
                symbol: Some(symbol),
            });
            self.symbols.push(id);
            return Ok(());
        }
        let words: Vec<WordPat> = n.tokens.iter().map(|t| WordPat::new(&t.chars)).collect();
        for w in &words {
            if w.elems.iter().all(|x| *x == Elem::Star) {
                return Err(format!(
                    "word `{}`: a lone `*` would match every word",
                    e.text
                ));
            }
            if w.elems.len() > MAX_RUNS || w.elems.iter().filter(|x| **x == Elem::Star).count() > 4
            {
                return Err(format!("word `{}` is too long or has too many `*`", e.text));
            }
        }
        if self.is_allowed_entry(&words) {
            return Ok(());
        }
        let mut joined: Vec<WordPat> = Vec::new();
        if words.len() > 1 {
            let raw: Vec<char> = n.tokens.iter().flat_map(|t| t.chars.to_vec()).collect();
            let leet: Vec<char> = n.tokens.iter().flat_map(|t| t.leet_chars()).collect();
            joined.push(WordPat::new(&raw));
            if leet != raw {
                joined.push(WordPat::new(&leet));
            }
        }
        if words.len() == 1 {
            match &words[0].key {
                Some(k) => {
                    self.single.entry(k.clone()).or_default().push(id);
                    self.add_prefixes(k);
                    let letters: Vec<char> = words[0]
                        .elems
                        .iter()
                        .flat_map(|e| match e {
                            Elem::Run(c, n) => std::iter::repeat_n(*c, *n as usize),
                            Elem::Star => std::iter::repeat_n(STAR, 0),
                        })
                        .collect();
                    self.plain
                        .entry((letters.len(), letters[0]))
                        .or_default()
                        .push((id, letters));
                }
                None => {
                    self.wild.push(id);
                    self.wild_cores.push((id, words[0].core()));
                }
            }
        } else {
            match &words[0].key {
                Some(k) => {
                    self.phrases.entry(k.clone()).or_default().push(id);
                    *self.index.entry(merged(k.chars())).or_default() |= FIRST;
                }
                None => self.wild_phrases.push(id),
            }
            for j in &joined {
                match &j.key {
                    Some(k) => {
                        self.add_prefixes(k);
                        let ids = self.single.entry(k.clone()).or_default();
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    None => self.wild_cores.push((id, j.core())),
                }
            }
        }
        self.entries.push(Entry {
            text: e.text.clone(),
            words,
            joined,
            skip_when: e.skip_when,
            symbol: None,
        });
        Ok(())
    }

    fn add_prefixes(&mut self, key: &str) {
        for suffix in ["", "s", "es", "x"] {
            let m = merged(key.chars().chain(suffix.chars()));
            for (i, c) in m.char_indices() {
                *self
                    .index
                    .entry(m[..i + c.len_utf8()].to_string())
                    .or_default() |= PREFIX;
            }
            *self.index.entry(m).or_default() |= KEY;
        }
    }

    /// What the merged form `m` is in the index ([`PREFIX`], [`KEY`],
    /// [`FIRST`]).
    fn flags(&self, m: &str) -> u8 {
        self.index.get(m).copied().unwrap_or(0)
    }

    /// The flags of the merged form of `chars`.
    fn flags_of(&self, chars: &[char]) -> u8 {
        SCRATCH.with(|b| {
            let mut b = b.borrow_mut();
            b.clear();
            push_merged(&mut b, chars.iter().copied());
            self.flags(&b)
        })
    }

    fn applies(&self, id: usize, lang: Option<Lang>) -> bool {
        match self.entries[id].skip_when {
            Some(skip) => lang != Some(skip),
            None => true,
        }
    }

    /// The entry without wildcard that `chars` is; the most specific one when
    /// several fit (`c0nnards` is `connard` rather than `conard`).
    fn match_exact(&self, chars: &[char], lang: Option<Lang>) -> Option<usize> {
        if self.flags_of(chars) & KEY == 0 {
            return None;
        }
        self.match_exact_key(chars, lang)
    }

    /// [`Lexicon::match_exact`] for a word whose merged form is a key.
    fn match_exact_key(&self, chars: &[char], lang: Option<Lang>) -> Option<usize> {
        let mut best: Option<(u32, usize)> = None;
        for exp in expansions(chars) {
            let runs = rle(&exp);
            if runs.len() > MAX_RUNS {
                return None;
            }
            for s in singulars(&runs) {
                let Some(ids) = self.single.get(&key_of(s)) else {
                    continue;
                };
                for &id in ids {
                    let e = &self.entries[id];
                    let fit = if e.words.len() == 1 {
                        e.words[0].matches(s).then(|| e.words[0].weight())
                    } else {
                        e.joined
                            .iter()
                            .filter(|j| j.matches(s))
                            .map(WordPat::weight)
                            .max()
                    };
                    if let Some(w) = fit {
                        if self.applies(id, lang) && best.is_none_or(|(bw, _)| w > bw) {
                            best = Some((w, id));
                        }
                    }
                }
            }
            if best.is_some() {
                break;
            }
        }
        best.map(|(_, id)| id)
    }

    /// The wildcard entry `chars` matches, if any.
    fn match_wild(&self, chars: &[char], lang: Option<Lang>) -> Option<usize> {
        if self.wild.is_empty() {
            return None;
        }
        for exp in expansions(chars) {
            let runs = rle(&exp);
            if runs.len() > MAX_RUNS {
                return None;
            }
            for s in singulars(&runs) {
                for &id in &self.wild {
                    if self.entries[id].words[0].matches(s) && self.applies(id, lang) {
                        return Some(id);
                    }
                }
            }
        }
        None
    }

    fn word_is(&self, pat: &WordPat, tok: &Token, last: bool) -> bool {
        let mut forms = vec![tok.chars.to_vec()];
        if !tok.decoded {
            forms.push(tok.leet_chars());
        }
        forms.iter().flat_map(|f| expansions(f)).any(|exp| {
            let runs = rle(&exp);
            if last {
                singulars(&runs).iter().any(|s| pat.matches(s))
            } else {
                pat.matches(&runs)
            }
        })
    }

    /// The phrase starting at token `i`, if any: (entry, last token).
    /// `first`: the merged form of token `i` is the first word of a phrase.
    fn match_phrase(
        &self,
        tokens: &[Token],
        i: usize,
        first: bool,
        lang: Option<Lang>,
    ) -> Option<(usize, usize)> {
        if !first && self.wild_phrases.is_empty() {
            return None;
        }
        let mut ids: Vec<usize> = Vec::new();
        if !self.phrases.is_empty() && first {
            for exp in expansions(&tokens[i].chars) {
                if let Some(v) = self.phrases.get(&key_of(&rle(&exp))) {
                    ids.extend(v);
                }
            }
        }
        if ids.is_empty() && self.wild_phrases.is_empty() {
            return None;
        }
        ids.extend(&self.wild_phrases);
        for id in ids {
            let e = &self.entries[id];
            let n = e.words.len();
            if i + n > tokens.len() || !self.applies(id, lang) {
                continue;
            }
            let ok = e
                .words
                .iter()
                .enumerate()
                .all(|(k, w)| self.word_is(w, &tokens[i + k], k + 1 == n));
            if ok {
                return Some((id, i + n - 1));
            }
        }
        None
    }

    /// A word whose letters are masked with `*` starting at token `i`
    /// (`sh*t`, `f**k`, `enc*lé`, or with an emoji: `sh💩t`, `p💩te`): each
    /// `*` stands for one letter; at least two letters must be visible and
    /// at most half of them masked.
    fn match_masked(
        &self,
        norm: &Normalized,
        i: usize,
        lang: Option<Lang>,
    ) -> Option<(usize, usize)> {
        let tokens = &norm.tokens;
        let stars_before = |j: usize| -> Option<usize> {
            let between = &norm.units[tokens[j - 1].last + 1..tokens[j].first];
            (!between.is_empty()
                && between.len() <= 3
                && between.iter().all(|u| u.ch == '*' || masks_a_letter(u.ch)))
            .then_some(between.len())
        };
        if tokens
            .get(i + 1)
            .is_none_or(|_| stars_before(i + 1).is_none())
        {
            return None;
        }
        let mut pattern: Vec<Option<char>> = tokens[i].leet_chars().into_iter().map(Some).collect();
        let mut j = i + 1;
        let mut found = None;
        while j < tokens.len() && j - i < 6 {
            let Some(stars) = stars_before(j) else { break };
            pattern.extend(std::iter::repeat_n(None, stars));
            pattern.extend(tokens[j].leet_chars().into_iter().map(Some));
            let masked = pattern.iter().filter(|c| c.is_none()).count();
            if pattern.len() - masked >= 2 && masked * 2 <= pattern.len() {
                let firsts: &[char] = match pattern[0] {
                    Some(AMBIG) => &['i', 'l'],
                    Some(ref c) => std::slice::from_ref(c),
                    None => &[],
                };
                let mut candidates = firsts
                    .iter()
                    .filter_map(|&c| self.plain.get(&(pattern.len(), c)))
                    .flatten();
                if let Some(id) = candidates.find_map(|(id, letters)| {
                    let fits = letters.iter().zip(&pattern).all(|(l, p)| {
                        p.is_none_or(|p| p == *l || (p == AMBIG && matches!(l, 'i' | 'l')))
                    });
                    (fits && self.applies(*id, lang)).then_some(*id)
                }) {
                    found = Some((j, id));
                }
            }
            j += 1;
        }
        found
    }

    /// True when tokens `a..=b` lie inside an allowed word or phrase.
    fn is_allowed(&self, tokens: &[Token], a: usize, b: usize) -> bool {
        // The tokens an allowed phrase covering `a..=b` can touch, spelled
        // out once.
        let longest = self.allow.iter().map(Vec::len).max().unwrap_or(0);
        if longest < b - a + 1 {
            return false;
        }
        let from = (b + 1).saturating_sub(longest);
        let to = (a + longest).min(tokens.len());
        let literals: Vec<String> = tokens[from..to].iter().map(|t| literal(&t.chars)).collect();
        self.allow.iter().any(|phrase| {
            let n = phrase.len();
            if n < b - a + 1 {
                return false;
            }
            // Occurrences starting at `start` cover `a..=b` when
            // start <= a and start + n - 1 >= b.
            let first = (b + 1).saturating_sub(n);
            (first..=a).any(|start| {
                start + n <= tokens.len()
                    && phrase
                        .iter()
                        .enumerate()
                        .all(|(k, w)| same_or_plural(&literals[start + k - from], w))
            })
        })
    }

    /// The first (leftmost) entry found in the message, if any.
    pub fn find(&self, norm: &Normalized, text: &str, lang: Option<Lang>) -> Option<Hit> {
        if self.entries.is_empty() {
            return None;
        }
        let tokens = &norm.tokens;
        let is_allowed = |a: usize, b: usize| self.is_allowed(tokens, a, b);
        let mut best: Option<(usize, usize, usize)> = None; // (start, end, entry)
        let consider = |a: usize, b: usize, id: usize, best: &mut Option<(usize, usize, usize)>| {
            if is_allowed(a, b) {
                return;
            }
            let (s, e) = norm.token_span(a, b);
            if best.is_none_or(|(bs, be, _)| s < bs || (s == bs && e > be)) {
                *best = Some((s, e, id));
            }
        };
        // Buffers reused from word to word, and from message to message.
        let FindBuffers {
            mut run,
            mut glued,
            mut m,
            mut word_merged,
        } = BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()));
        for i in 0..tokens.len() {
            // Anything found from here on starts later than what we have.
            if best.is_some_and(|(bs, _, _)| norm.units[tokens[i].first].start > bs) {
                break;
            }
            let word = &tokens[i].chars;
            // The merged form of the word, looked up once for everything.
            word_merged.clear();
            push_merged(&mut word_merged, word.iter().copied());
            let flags = self.flags(&word_merged);
            // A leading `@` is more often a mention than an `a`: try both.
            let unmentioned =
                (word.len() > 1 && norm.units[tokens[i].first].ch == '@').then(|| &word[1..]);
            let hit = (flags & KEY != 0)
                .then(|| self.match_exact_key(word, lang))
                .flatten()
                .or_else(|| unmentioned.and_then(|w| self.match_exact(w, lang)))
                .or_else(|| sounded_out(word).and_then(|w| self.match_exact(&w, lang)))
                .or_else(|| {
                    if self.wild_cores.is_empty() || word.len() < self.min_core {
                        return None;
                    }
                    self.wild_cores
                        .iter()
                        .any(|(_, core)| contains(&word_merged, core))
                        .then(|| self.match_wild(word, lang))
                        .flatten()
                });
            if let Some(id) = hit {
                consider(i, i, id, &mut best);
            }
            if let Some((id, last)) = self.match_phrase(tokens, i, flags & FIRST != 0, lang) {
                consider(i, last, id, &mut best);
            }
            // Letters masked with `*`: `sh*t`, `f**k`, `p*tain`.
            if let Some((last, id)) = self.match_masked(norm, i, lang) {
                consider(i, last, id, &mut best);
            }
            // Pieces glued by separators without spaces: `f.u.c.k`, `con-nard`.
            let glues = tokens.get(i + 1).is_some_and(|t| t.gap == Gap::Tight);
            if glues {
                glued.clear();
                tokens[i].push_leet_chars(&mut glued);
                m.clear();
                push_merged(&mut m, glued.iter().copied());
                let mut j = i + 1;
                while j < tokens.len()
                    && tokens[j].gap == Gap::Tight
                    && j - i < 8
                    && self.flags(&m) & PREFIX != 0
                {
                    let from = glued.len();
                    tokens[j].push_leet_chars(&mut glued);
                    push_merged(&mut m, glued[from..].iter().copied());
                    if glued.len() > MAX_GLUED || self.flags(&m) & PREFIX == 0 {
                        break;
                    }
                    if let Some(id) = self.match_exact(&glued, lang) {
                        consider(i, j, id, &mut best);
                    }
                    j += 1;
                }
            }
            // Runs of single letters, spaces allowed: `c o n n a r d`.
            if tokens[i].chars.len() == 1 && tokens.get(i + 1).is_some_and(is_run_link) {
                run.clear();
                run.push(single(&tokens[i]));
                m.clear();
                push_merged(&mut m, run.iter().copied());
                let mut j = i + 1;
                while j < tokens.len()
                    && is_run_link(&tokens[j])
                    && run.len() < MAX_GLUED
                    && self.flags(&m) & PREFIX != 0
                {
                    let c = single(&tokens[j]);
                    run.push(c);
                    push_merged(&mut m, [c]);
                    if self.flags(&m) & PREFIX == 0 {
                        break;
                    }
                    if let Some(id) = self.match_exact(&run, lang) {
                        consider(i, j, id, &mut best);
                    }
                    j += 1;
                }
            }
        }
        // Wildcard entries against glued pieces: only in stretches that
        // contain the entry's literal part.
        if !self.wild.is_empty() {
            let piece = |x: usize, run: bool, out: &mut Vec<char>| {
                if run {
                    out.push(single(&tokens[x]));
                } else {
                    tokens[x].push_leet_chars(out);
                }
            };
            for_each_glued_stretch(tokens, |a, b, run| {
                glued.clear();
                for x in a..=b {
                    piece(x, run, &mut glued);
                }
                m.clear();
                push_merged(&mut m, glued.iter().copied());
                if !self.wild_cores.iter().any(|(_, core)| contains(&m, core)) {
                    return;
                }
                let reach = if run { MAX_GLUED } else { 8 };
                for x in a..b {
                    glued.clear();
                    piece(x, run, &mut glued);
                    for y in x + 1..=b.min(x + reach) {
                        piece(y, run, &mut glued);
                        if glued.len() > MAX_GLUED {
                            break;
                        }
                        if let Some(id) = self.match_wild(&glued, lang) {
                            consider(x, y, id, &mut best);
                        }
                    }
                }
            });
        }
        for &id in &self.symbols {
            let e = &self.entries[id];
            if !self.applies(id, lang) {
                continue;
            }
            if let Some(sym) = &e.symbol {
                if let Some(pos) = norm.folded.find(sym.as_str()) {
                    if let Some((s, end)) = norm.folded_span(pos, pos + sym.len()) {
                        if best.is_none_or(|(bs, _, _)| s < bs) {
                            best = Some((s, end, id));
                        }
                    }
                }
            }
        }
        BUFFERS.with(|b| {
            *b.borrow_mut() = FindBuffers {
                run,
                glued,
                m,
                word_merged,
            }
        });
        best.map(|(start, end, id)| Hit {
            start,
            end,
            entry: self.entries[id].text.clone(),
        })
        .filter(|h| h.end <= text.len())
    }
}

/// The working buffers of [`Lexicon::find`].
#[derive(Default)]
struct FindBuffers {
    run: Vec<char>,
    glued: Vec<char>,
    m: String,
    word_merged: String,
}

thread_local! {
    static BUFFERS: RefCell<FindBuffers> = RefCell::new(FindBuffers::default());
}

/// True when `t` continues a run of single letters.
fn is_run_link(t: &Token) -> bool {
    t.chars.len() == 1 && matches!(t.gap, Gap::Tight | Gap::Loose)
}

/// Calls `f` with the maximal stretches of tokens `a..=b` (b > a) glued
/// without spaces (`false`), then with those forming a run of single
/// letters (`true`).
fn for_each_glued_stretch(tokens: &[Token], mut f: impl FnMut(usize, usize, bool)) {
    let mut i = 0;
    while i < tokens.len() {
        let mut j = i;
        while j + 1 < tokens.len() && tokens[j + 1].gap == Gap::Tight {
            j += 1;
        }
        if j > i {
            f(i, j, false);
        }
        i = j + 1;
    }
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].chars.len() != 1 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < tokens.len() && is_run_link(&tokens[j + 1]) {
            j += 1;
        }
        if j > i {
            f(i, j, true);
        }
        i = j + 1;
    }
}

/// The letter a one-character word stands for in a run of single letters
/// (`5 h 1 t`: digits count as leetspeak there).
fn single(t: &Token) -> char {
    let c = t.chars[0];
    if t.decoded {
        c
    } else {
        leet(c).unwrap_or(c)
    }
}

/// A word spelled by its sound, written back the usual way: a `k` before
/// a vowel is a `c` (`kon`, `konnasse`, `kunt`), `zz` is `ss` (`azzhole`),
/// `ph` is `f` (`phuck`). `None` when nothing changes.
fn sounded_out(word: &[char]) -> Option<Vec<char>> {
    // Most words have none of these: nothing is allocated for them.
    let sounded = word.windows(2).any(|w| {
        matches!(
            (w[0], w[1]),
            ('k', 'a' | 'o' | 'u') | ('z', 'z') | ('p', 'h')
        )
    });
    if !sounded {
        return None;
    }
    let mut out: Vec<char> = Vec::with_capacity(word.len());
    let mut changed = false;
    let mut i = 0;
    while i < word.len() {
        let next = word.get(i + 1).copied();
        match (word[i], next) {
            ('k', Some('a' | 'o' | 'u')) => {
                out.push('c');
                changed = true;
            }
            ('z', Some('z')) => {
                out.extend(['s', 's']);
                changed = true;
                i += 1;
            }
            ('p', Some('h')) => {
                out.push('f');
                changed = true;
                i += 1;
            }
            (c, _) => out.push(c),
        }
        i += 1;
    }
    changed.then_some(out)
}

/// An emoji written inside a word in place of a letter (`sh💩t`,
/// `d🍆ck`): pictographs and symbols, which no word is spelled with.
fn masks_a_letter(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x27BF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(words: &[&str], allow: &[&str]) -> Lexicon {
        let entries: Vec<ListEntry> = words.iter().flat_map(|w| parse_list(w)).collect();
        let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
        Lexicon::new(&entries, &allow).unwrap()
    }

    fn found(lex: &Lexicon, text: &str) -> Option<String> {
        let n = Normalized::new(text);
        lex.find(&n, text, guess_lang(&n))
            .map(|h| text[h.start..h.end].to_string())
    }

    #[test]
    fn whole_words_only() {
        let l = lex(&["hell", "con", "cunt", "ass"], &[]);
        assert_eq!(found(&l, "what the hell"), Some("hell".into()));
        assert_eq!(found(&l, "hello there, shell"), None);
        assert_eq!(
            found(&l, "concours, connaissance, Scunthorpe, classe, passer"),
            None
        );
        assert_eq!(found(&l, "as you like"), None);
    }

    #[test]
    fn wildcards() {
        let l = lex(&["*fuck*", "merd*"], &[]);
        assert_eq!(found(&l, "motherfuckers!"), Some("motherfuckers".into()));
        assert_eq!(
            found(&l, "m.o.t.h.e.r.f.u.c.k.e.r"),
            Some("m.o.t.h.e.r.f.u.c.k.e.r".into())
        );
        assert_eq!(
            found(&l, "what the f u c k i n g hell"),
            Some("f u c k i n g".into())
        );
        assert_eq!(found(&l, "c'est merdique"), Some("merdique".into()));
        assert_eq!(found(&l, "emmerdant"), None);
    }

    #[test]
    fn repeated_letters_and_plurals() {
        let l = lex(&["connard", "ass", "bitch"], &[]);
        assert_eq!(found(&l, "CONNNNAAARD"), Some("CONNNNAAARD".into()));
        assert_eq!(found(&l, "bande de connards"), Some("connards".into()));
        assert_eq!(found(&l, "you bitches"), Some("bitches".into()));
        assert_eq!(found(&l, "asssss"), Some("asssss".into()));
        assert_eq!(found(&l, "conard"), None, "a doubled letter stays doubled");
    }

    #[test]
    fn separators_inside_words() {
        let l = lex(&["fuck", "connard", "fils de pute"], &[]);
        assert_eq!(found(&l, "f.u.c.k this"), Some("f.u.c.k".into()));
        assert_eq!(found(&l, "f-u-c-k"), Some("f-u-c-k".into()));
        assert_eq!(found(&l, "f_u_c_k"), Some("f_u_c_k".into()));
        assert_eq!(
            found(&l, "espèce de c o n n a r d !"),
            Some("c o n n a r d".into())
        );
        assert_eq!(found(&l, "con-nard"), Some("con-nard".into()));
        assert_eq!(found(&l, "f . u . c . k"), Some("f . u . c . k".into()));
        assert_eq!(found(&l, "fils-de-pute"), Some("fils-de-pute".into()));
        assert_eq!(found(&l, "filsdepute"), Some("filsdepute".into()));
        assert_eq!(
            found(&l, "f.i.l.s d.e p.u.t.e"),
            Some("f.i.l.s d.e p.u.t.e".into())
        );
    }

    #[test]
    fn leetspeak_reads_1_as_i_or_l() {
        let l = lex(&["idiot", "salope", "hell", "bullshit"], &[]);
        assert_eq!(found(&l, "1d10t"), Some("1d10t".into()));
        assert_eq!(found(&l, "5a1ope"), Some("5a1ope".into()));
        assert_eq!(found(&l, "he11"), Some("he11".into()));
        assert_eq!(found(&l, "total bullsh1t"), Some("bullsh1t".into()));
        assert_eq!(found(&l, "5 h 1 t"), None);
        let l = lex(&["shit"], &[]);
        assert_eq!(found(&l, "5 h 1 t"), Some("5 h 1 t".into()));
        assert_eq!(found(&l, "oh sh*t"), Some("sh*t".into()));
        assert_eq!(found(&l, "@sshole? no: @shit"), Some("@shit".into()));
        assert_eq!(found(&l, "2*3 = 6, a*b"), None);
        let l = lex(&["fuck", "putain", "con"], &[]);
        assert_eq!(found(&l, "f**k"), Some("f**k".into()));
        assert_eq!(found(&l, "p*tain de bug"), Some("p*tain".into()));
        assert_eq!(found(&l, "**bold** c*n"), Some("c*n".into()));
        assert_eq!(found(&l, "p***n"), None, "half the letters at most");
        // An emoji in place of a letter, as a star.
        assert_eq!(found(&l, "fils de p💩tain"), Some("p💩tain".into()));
        assert_eq!(found(&l, "f🍆ck off"), Some("f🍆ck".into()));
        assert_eq!(found(&l, "merci🙏bisous, c🙂 top"), None);
        // Spelled by sound.
        let l = lex(&["con", "connasse", "asshole", "fuck"], &[]);
        assert_eq!(found(&l, "espèce de kon"), Some("kon".into()));
        assert_eq!(found(&l, "grosse konnasse"), Some("konnasse".into()));
        assert_eq!(found(&l, "azzhole"), Some("azzhole".into()));
        assert_eq!(found(&l, "phuck off"), Some("phuck".into()));
        assert_eq!(found(&l, "kayak et kodak au kiosque"), None);
        let l = lex(
            &[
                "glandouillou",
                "sent-la-pisse",
                "eat my ass",
                "2 girls 1 cup",
            ],
            &[],
        );
        assert_eq!(found(&l, "g14nd0u1110u"), Some("g14nd0u1110u".into()));
        assert_eq!(found(&l, "53nt-14-p1553"), Some("53nt-14-p1553".into()));
        assert_eq!(found(&l, "34t my 455"), Some("34t my 455".into()));
        assert_eq!(
            found(&l, "2 g.i.r.l.s 1 c.u.p"),
            Some("2 g.i.r.l.s 1 c.u.p".into())
        );
        assert_eq!(found(&l, "room 455"), None);
    }

    #[test]
    fn language_tags() {
        let l = lex(&["bite [fr]", "con [fr]"], &[]);
        assert_eq!(found(&l, "After one bite, I was hooked."), None);
        assert_eq!(found(&l, "the pros and the con of it"), None);
        assert_eq!(found(&l, "sale con"), Some("con".into()));
        assert_eq!(found(&l, "t'es qu'une bite"), Some("bite".into()));
    }

    #[test]
    fn allow_list_compares_spellings() {
        let l = lex(&["anal", "ass", "nique"], &["annal", "pique nique"]);
        assert_eq!(found(&l, "the annals of history"), None);
        assert_eq!(found(&l, "anal"), Some("anal".into()));
        assert_eq!(found(&l, "assess the risk"), None);
        assert_eq!(found(&l, "un pique-nique, des pique-niques"), None);
        assert_eq!(found(&l, "nique"), Some("nique".into()));
    }

    #[test]
    fn allow_list() {
        let l = lex(&["con", "cul", "cons"], &["con", "cul de sac"]);
        assert_eq!(found(&l, "sale con"), None);
        assert_eq!(found(&l, "les cons"), None);
        assert_eq!(found(&l, "un cul-de-sac"), None);
        assert_eq!(found(&l, "mon cul"), Some("cul".into()));
    }

    #[test]
    fn emoji_entries() {
        let l = lex(&["🖕"], &[]);
        assert_eq!(found(&l, "tiens 🖕🏻"), Some("🖕".into()));
    }

    #[test]
    fn default_lists_parse_and_compile() {
        for lang in ["fr", "en"] {
            let list = default_list(lang).unwrap();
            assert!(list.len() > 200, "{lang}: {}", list.len());
            Lexicon::new(&list, &[]).unwrap();
        }
        let allow = parse_list(ALLOW_LIST);
        assert!(allow.iter().any(|e| e.text == "cul de sac"));
    }

    #[test]
    fn contains_is_str_contains() {
        let words = [
            "",
            "a",
            "fuck",
            "fuc",
            "uck",
            "motherfucker",
            "ffuck",
            "\u{1}fu",
            "é",
            "aé",
            "éa",
        ];
        for h in words {
            for n in words {
                assert_eq!(contains(h, n), h.contains(n), "{h:?} {n:?}");
            }
        }
    }

    #[test]
    fn hint_words_are_sorted_short_ascii() {
        for list in [&FR_HINTS[..], &EN_HINTS[..]] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            assert!(list
                .iter()
                .all(|w| w.len() <= 8 && w.bytes().all(|b| b.is_ascii_lowercase())));
        }
        assert!(FR_PACKED.windows(2).all(|w| w[0] < w[1]));
        assert!(EN_PACKED.windows(2).all(|w| w[0] < w[1]));
        let chars: Vec<char> = "toujours".chars().collect();
        assert_eq!(packed_word(&chars), Some(pack("toujours")));
        let chars: Vec<char> = "y".chars().collect();
        assert_eq!(packed_word(&chars), Some(pack("y")));
        assert_eq!(packed_word(&['é']), None);
    }

    #[test]
    fn reports_the_leftmost_match() {
        let l = lex(&["merde", "putain"], &[]);
        assert_eq!(found(&l, "putain de merde"), Some("putain".into()));
    }
}
