//! The embedded lexicons, parsed once per instance (on first use) into one
//! vocabulary: VADER's English lexicon and emoji, textblob-fr's French
//! adjectives, and Vigie's additions for both languages (see
//! `data/README.md`), together with the function words the rules look for
//! (boosters, negations, language hints…), so that a token is looked up
//! once and its hash is reused for the community's own entries and for the
//! French inflections.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The hash of a word: FNV-1a over its bytes, then mixed so that the top
/// bits (the table index) depend on every byte.
#[inline]
pub fn word_hash(word: impl AsRef<[u8]>) -> u64 {
    let mut h = FNV_OFFSET;
    for b in word.as_ref() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[inline]
fn mix(h: u64) -> u64 {
    (h ^ (h >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[derive(Debug, Clone, Copy)]
struct Entry<V> {
    hash: u64,
    start: u32,
    len: u32,
    value: V,
}

/// A map from words to `V` with open addressing, looked up with a hash
/// computed once per token ([`word_hash`]). Later inserts of a key win.
#[derive(Debug, Clone)]
pub struct WordMap<V> {
    /// 0 when empty, else the low 32 bits of the hash (a tag that settles
    /// most misses without reading the entry) above the entry index + 1;
    /// the length is a power of two.
    slots: Vec<u64>,
    entries: Vec<Entry<V>>,
    keys: String,
    shift: u32,
    /// One bit per hash value (some bits of it): clear when no word has
    /// that hash, so that most unknown words are settled in this small
    /// array; empty until [`WordMap::build_filter`].
    filter: Vec<u64>,
}

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        WordMap {
            slots: Vec::new(),
            entries: Vec::new(),
            keys: String::new(),
            shift: 64,
            filter: Vec::new(),
        }
    }
}

/// Most bits of a filter (16 kB).
const FILTER_BITS: usize = 1 << 17;

impl<V> WordMap<V> {
    /// A map for about `n` words.
    pub fn with_capacity(n: usize) -> Self {
        let mut m = WordMap::default();
        m.grow_to((2 * n).next_power_of_two().max(8));
        m.entries.reserve(n);
        m
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the map has no word.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The slot of `word` (hash `hash`): `Ok` with the entry index when
    /// present, `Err` with the free slot otherwise.
    #[inline]
    fn find(&self, word: &[u8], hash: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut at = (hash >> self.shift) as usize;
        let tag = hash as u32;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return Err(at);
            }
            if (slot >> 32) as u32 == tag {
                let k = (slot as u32 - 1) as usize;
                let e = &self.entries[k];
                let key = self
                    .keys
                    .as_bytes()
                    .get(e.start as usize..(e.start + e.len) as usize);
                if key == Some(word) {
                    return Ok(k);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// The value of `word`, whose [`word_hash`] is `hash`.
    #[inline]
    pub fn get_hashed(&self, word: &str, hash: u64) -> Option<&V> {
        self.get_bytes(word.as_bytes(), hash)
    }

    /// [`WordMap::get_hashed`] for the bytes of a word.
    #[inline]
    pub fn get_bytes(&self, word: &[u8], hash: u64) -> Option<&V> {
        if self.entries.is_empty() {
            return None;
        }
        if !self.filter.is_empty() {
            let bit = self.filter_bit(hash);
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                return None;
            }
        }
        self.find(word, hash).ok().map(|k| &self.entries[k].value)
    }

    /// The value of `word`.
    pub fn get(&self, word: &str) -> Option<&V> {
        self.get_hashed(word, word_hash(word))
    }

    /// Builds the filter that settles most lookups of unknown words
    /// without reading the table (once the map is complete: an insert
    /// drops it). About 16 bits per word, at most 16 kB.
    pub fn build_filter(&mut self) {
        let bits = (16 * self.entries.len())
            .next_power_of_two()
            .clamp(64, FILTER_BITS);
        self.filter = vec![0; bits / 64];
        for k in 0..self.entries.len() {
            let bit = self.filter_bit(self.entries[k].hash);
            self.filter[bit / 64] |= 1 << (bit % 64);
        }
    }

    #[inline]
    fn filter_bit(&self, hash: u64) -> usize {
        (hash >> 20) as usize & (self.filter.len() * 64 - 1)
    }

    /// The value of `word`, inserted with `make` when missing.
    pub fn entry_or_insert_with(&mut self, word: &str, make: impl FnOnce() -> V) -> &mut V {
        self.filter.clear();
        if 2 * (self.entries.len() + 1) > self.slots.len() {
            self.grow_to((2 * self.slots.len()).max(8));
        }
        let hash = word_hash(word);
        let k = match self.find(word.as_bytes(), hash) {
            Ok(k) => k,
            Err(slot) => {
                self.entries.push(Entry {
                    hash,
                    start: self.keys.len() as u32,
                    len: word.len() as u32,
                    value: make(),
                });
                self.keys.push_str(word);
                self.slots[slot] = Self::slot(hash, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        &mut self.entries[k].value
    }

    /// Sets the value of `word`.
    pub fn insert(&mut self, word: &str, value: V) {
        let mut value = Some(value);
        let slot = self.entry_or_insert_with(word, || value.take().unwrap());
        if let Some(v) = value {
            *slot = v;
        }
    }

    fn slot(hash: u64, k: usize) -> u64 {
        (u64::from(hash as u32) << 32) | (k as u64 + 1)
    }

    fn grow_to(&mut self, size: usize) {
        self.slots = vec![0; size];
        self.shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for (k, e) in self.entries.iter().enumerate() {
            let mut at = (e.hash >> self.shift) as usize;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = Self::slot(e.hash, k);
        }
    }
}

/// Flags of a [`Word`].
pub mod flag {
    /// In the English lexicon.
    pub const EN: u32 = 1;
    /// In the French lexicon.
    pub const FR: u32 = 1 << 1;
    /// A French function word (language guess).
    pub const HINT_FR: u32 = 1 << 2;
    /// An English function word (language guess).
    pub const HINT_EN: u32 = 1 << 3;
    /// An English booster (`very`).
    pub const EN_UP: u32 = 1 << 4;
    /// An English dampener (`slightly`).
    pub const EN_DOWN: u32 = 1 << 5;
    /// An English negation word (`not`, `never`, `don't`).
    pub const EN_NEGATE: u32 = 1 << 6;
    /// A French intensifier (`très`).
    pub const FR_UP: u32 = 1 << 7;
    /// A French dampener (`assez`).
    pub const FR_DOWN: u32 = 1 << 8;
    /// A French negation word that negates wherever it stands (`pas`).
    pub const FR_NEGATOR: u32 = 1 << 9;
    /// A French negation that may follow its verb (`j'aime pas`).
    pub const FR_AFTER_VERB: u32 = 1 << 10;
    /// The first word of a French idiom.
    pub const FR_IDIOM: u32 = 1 << 11;
    /// The first word of a French contrastive conjunction.
    pub const FR_CONTRAST: u32 = 1 << 12;
}

/// Codes of the function words the rules look for, so that they compare
/// a byte rather than a string.
pub mod fw {
    /// `ne`.
    pub const NE: u8 = 1;
    /// `n` (`n'`).
    pub const N: u8 = 2;
    /// `plus`.
    pub const PLUS: u8 = 3;
    /// `que`.
    pub const QUE: u8 = 4;
    /// `qu` (`qu'`).
    pub const QU: u8 = 5;
    /// `jamais`.
    pub const JAMAIS: u8 = 6;
    /// `aussi`.
    pub const AUSSI: u8 = 7;
    /// `si`.
    pub const SI: u8 = 8;
    /// `un`.
    pub const UN: u8 = 9;
    /// `peu`.
    pub const PEU: u8 = 10;
    /// `a` (`à`, and English `a`).
    pub const A: u8 = 11;
    /// `peine`.
    pub const PEINE: u8 = 12;
    /// `grave`.
    pub const GRAVE: u8 = 13;
    /// `trop`.
    pub const TROP: u8 = 14;
    /// `de`.
    pub const DE: u8 = 15;
    /// `d` (`d'`).
    pub const D: u8 = 16;
    /// `ouf`.
    pub const OUF: u8 = 17;
    /// `fond`.
    pub const FOND: u8 = 18;
    /// `mort`.
    pub const MORT: u8 = 19;
    /// `no`.
    pub const NO: u8 = 20;
    /// `or`.
    pub const OR: u8 = 21;
    /// `nor`.
    pub const NOR: u8 = 22;
    /// `never`.
    pub const NEVER: u8 = 23;
    /// `so`.
    pub const SO: u8 = 24;
    /// `this`.
    pub const THIS: u8 = 25;
    /// `without`.
    pub const WITHOUT: u8 = 26;
    /// `doubt`.
    pub const DOUBT: u8 = 27;
    /// `least`.
    pub const LEAST: u8 = 28;
    /// `at`.
    pub const AT: u8 = 29;
    /// `very`.
    pub const VERY: u8 = 30;
    /// `kind`.
    pub const KIND: u8 = 31;
    /// `of`.
    pub const OF: u8 = 32;
    /// `but`.
    pub const BUT: u8 = 33;
    /// `the`, `bad`, `badass`, `bus`, `yeah`, `kiss`, `to`, `beating`,
    /// `just`, `sort`: with `kind`, the first words of VADER's idioms and
    /// two-word dampeners.
    pub const IDIOM: u8 = 34;

    /// Each word and its code.
    pub const WORDS: &[(&str, u8)] = &[
        ("ne", NE),
        ("n", N),
        ("plus", PLUS),
        ("que", QUE),
        ("qu", QU),
        ("jamais", JAMAIS),
        ("aussi", AUSSI),
        ("si", SI),
        ("un", UN),
        ("peu", PEU),
        ("a", A),
        ("peine", PEINE),
        ("grave", GRAVE),
        ("trop", TROP),
        ("de", DE),
        ("d", D),
        ("ouf", OUF),
        ("fond", FOND),
        ("mort", MORT),
        ("no", NO),
        ("or", OR),
        ("nor", NOR),
        ("never", NEVER),
        ("so", SO),
        ("this", THIS),
        ("without", WITHOUT),
        ("doubt", DOUBT),
        ("least", LEAST),
        ("at", AT),
        ("very", VERY),
        ("kind", KIND),
        ("of", OF),
        ("but", BUT),
        ("the", IDIOM),
        ("bad", IDIOM),
        ("badass", IDIOM),
        ("bus", IDIOM),
        ("yeah", IDIOM),
        ("kiss", IDIOM),
        ("to", IDIOM),
        ("beating", IDIOM),
        ("just", IDIOM),
        ("sort", IDIOM),
    ];
}

/// What the vocabulary knows of a word.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Word {
    /// Valence in the English lexicon (when `flags` has [`flag::EN`]).
    pub en: f64,
    /// Valence in the French lexicon (when `flags` has [`flag::FR`]).
    pub fr: f64,
    /// [`flag`]s.
    pub flags: u32,
    /// The word's code in [`fw`] (0 for other words).
    pub code: u8,
}

impl Word {
    /// True when the word has all of `flags`.
    #[inline]
    pub fn has(&self, flags: u32) -> bool {
        self.flags & flags == flags
    }
}

/// Valences on VADER's scale (about -4..4), keyed by folded word.
pub type Table = WordMap<f64>;

/// All the lexicons of the plugin.
pub struct Lexicons {
    /// Every word the scorer knows: VADER's `vader_lexicon.txt` plus
    /// `en_extra.tsv` (lower case keys), textblob-fr's `fr-sentiment.xml`
    /// plus `fr_extra.tsv` (folded keys), and the function words.
    pub words: WordMap<Word>,
    /// Emoji (one code point) → valence: VADER's emoji descriptions scored
    /// with its lexicon, plus `emoji_extra.tsv`.
    pub emoji: HashMap<char, f64>,
    /// The English entries with a character other than an ASCII letter or
    /// digit (emoticons: `:)`, `<3`, `:-(`), a small table for the
    /// tokeniser.
    pub emoticons: WordMap<()>,
}

impl Lexicons {
    /// The English lexicon's entry of `word` (0 included).
    pub fn en(&self, word: &str) -> Option<f64> {
        self.words
            .get(word)
            .filter(|w| w.has(flag::EN))
            .map(|w| w.en)
    }

    /// The French lexicon's entry of `word` (folded; 0 included).
    pub fn fr(&self, word: &str) -> Option<f64> {
        self.words
            .get(word)
            .filter(|w| w.has(flag::FR))
            .map(|w| w.fr)
    }

    /// The valence of an emoji, if it has an entry.
    #[inline]
    pub fn emoji(&self, c: char) -> Option<f64> {
        // Every emoji of the lexicon is outside ASCII.
        if c.is_ascii() {
            return None;
        }
        self.emoji.get(&c).copied()
    }
}

const VADER: &str = include_str!("../data/vader_lexicon.tsv");
const EN_EXTRA: &str = include_str!("../data/en_extra.tsv");
const FR_SENTIMENT: &str = include_str!("../data/fr_sentiment.tsv");
const FR_EXTRA: &str = include_str!("../data/fr_extra.tsv");
const EMOJI_VADER: &str = include_str!("../data/emoji_vader.tsv");
const EMOJI_EXTRA: &str = include_str!("../data/emoji_extra.tsv");

/// The lexicons, built on first call.
pub fn lexicons() -> &'static Lexicons {
    static LEXICONS: OnceLock<Lexicons> = OnceLock::new();
    LEXICONS.get_or_init(|| {
        let mut words = WordMap::with_capacity(12_000);
        let mut emoticons = WordMap::with_capacity(300);
        for (key, value) in entries(VADER).chain(entries(EN_EXTRA)) {
            let w = words.entry_or_insert_with(key, Word::default);
            w.en = value;
            w.flags |= flag::EN;
            if !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
                emoticons.insert(key, ());
            }
        }
        emoticons.build_filter();
        for (key, value) in entries(FR_SENTIMENT).chain(entries(FR_EXTRA)) {
            let folded;
            let key = if key.is_ascii() {
                key
            } else {
                folded = vigie_text::fold(key);
                &folded
            };
            let w = words.entry_or_insert_with(key, Word::default);
            w.fr = value;
            w.flags |= flag::FR;
        }
        let mut set = |list: &[&str], f: u32, clear: u32| {
            for key in list {
                let w = words.entry_or_insert_with(key, Word::default);
                w.flags = (w.flags & !clear) | f;
            }
        };
        set(crate::scorer::FR_HINTS, flag::HINT_FR, 0);
        set(crate::scorer::EN_HINTS, flag::HINT_EN, 0);
        // A later list wins for a word in two booster lists, as in a map.
        let boost = flag::EN_UP | flag::EN_DOWN;
        set(crate::vader::BOOST_UP, flag::EN_UP, boost);
        set(crate::vader::BOOST_DOWN, flag::EN_DOWN, boost);
        set(crate::vader::NEGATE, flag::EN_NEGATE, 0);
        let boost = flag::FR_UP | flag::FR_DOWN;
        for (key, value) in crate::french::BOOSTERS {
            let f = if *value > 0.0 {
                flag::FR_UP
            } else {
                flag::FR_DOWN
            };
            set(&[key], f, boost);
        }
        set(crate::french::NEGATORS, flag::FR_NEGATOR, 0);
        set(crate::french::AFTER_VERB, flag::FR_AFTER_VERB, 0);
        let firsts: Vec<&str> = crate::french::IDIOMS.iter().map(|i| i.0[0]).collect();
        set(&firsts, flag::FR_IDIOM, 0);
        let firsts: Vec<&str> = crate::french::CONTRAST.iter().map(|p| p[0]).collect();
        set(&firsts, flag::FR_CONTRAST, 0);
        for (key, code) in fw::WORDS {
            words.entry_or_insert_with(key, Word::default).code = *code;
        }
        words.build_filter();
        let mut emoji = HashMap::with_capacity(240);
        for (key, value) in entries(EMOJI_VADER).chain(entries(EMOJI_EXTRA)) {
            let mut chars = key.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                emoji.insert(c, value);
            }
        }
        Lexicons {
            words,
            emoji,
            emoticons,
        }
    })
}

/// `key<TAB>value[<TAB>anything]` lines; blank lines and `#` comments skipped.
fn entries(text: &'static str) -> impl Iterator<Item = (&'static str, f64)> {
    text.lines().filter_map(|line| {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let mut fields = line.split('\t');
        let key = fields.next()?;
        let value = fields.next()?.trim().parse().ok()?;
        Some((key, value))
    })
}

/// The two languages of the lexicons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// English: VADER's lexicon.
    En,
    /// French: textblob-fr's and Vigie's, with inflections.
    Fr,
}

/// A lexicon with the community's own entries (from the config) on top.
#[derive(Clone, Copy)]
pub struct Lex<'a> {
    words: &'a WordMap<Word>,
    extra: &'a Table,
    which: Which,
}

impl<'a> Lex<'a> {
    /// The lexicon of `which` with `extra` winning.
    pub fn new(lexicons: &'a Lexicons, extra: &'a Table, which: Which) -> Self {
        Lex {
            words: &lexicons.words,
            extra,
            which,
        }
    }

    /// The base entry of a word whose vocabulary entry is `info`.
    #[inline]
    fn base(&self, info: Option<&Word>) -> Option<f64> {
        let w = info?;
        match self.which {
            Which::En => w.has(flag::EN).then_some(w.en),
            Which::Fr => w.has(flag::FR).then_some(w.fr),
        }
    }

    /// The entry of `word` (hash `hash`, vocabulary entry `info`); a
    /// valence of 0 means "no sentiment" (an entry that overrides a noisy
    /// one), reported as none.
    #[inline]
    fn exact_with(&self, word: &str, hash: u64, info: Option<&Word>) -> Option<f64> {
        let v = match self.extra.get_hashed(word, hash) {
            Some(v) => *v,
            None => self.base(info)?,
        };
        (v != 0.0).then_some(v)
    }

    /// The entry of `word` whose [`word_hash`] is `hash`.
    fn exact(&self, word: &str, hash: u64) -> Option<f64> {
        self.exact_with(word, hash, self.words.get_hashed(word, hash))
    }

    /// The valence of `word` (folded), if it has one.
    pub fn get(&self, word: &str) -> Option<f64> {
        let hash = word_hash(word);
        self.get_with(word, hash, self.words.get_hashed(word, hash))
    }

    /// [`Lex::get`] for a token already looked up: `hash` is its
    /// [`word_hash`] and `info` its vocabulary entry.
    #[inline]
    pub fn get_with(&self, word: &str, hash: u64, info: Option<&Word>) -> Option<f64> {
        if let Some(v) = self.exact_with(word, hash, info) {
            return Some(v);
        }
        if self.which == Which::En || word.len() < 4 {
            return None;
        }
        // French plural (-s, -x) then feminine (-e): "déçues" → "déçue" → "déçu".
        // (The suffixes are ASCII: cutting one byte keeps a `str`.)
        let mut w = word;
        if let Some(b's' | b'x') = w.as_bytes().last() {
            let s = &w[..w.len() - 1];
            if let Some(v) = self.exact(s, word_hash(s)) {
                return Some(v);
            }
            w = s;
        }
        if w.as_bytes().last() == Some(&b'e') && w.len() > 3 {
            let s = &w[..w.len() - 1];
            return self.exact(s, word_hash(s));
        }
        None
    }

    /// True when `word` has a valence.
    pub fn has(&self, word: &str) -> bool {
        self.get(word).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_lexicons() {
        let l = lexicons();
        let count = |f| l.words.entries.iter().filter(|e| e.value.has(f)).count();
        assert!(count(flag::EN) > 7_400, "{}", count(flag::EN));
        assert!(count(flag::FR) > 3_500, "{}", count(flag::FR));
        assert_eq!(l.en("good"), Some(1.9));
        assert_eq!(l.en(":)"), Some(2.0));
        // Later duplicates win, as in vaderSentiment's dict.
        assert_eq!(l.en("ok"), Some(1.2));
        assert!(l.fr("stylé").is_none() && l.fr("style").is_some());
        assert!(l.emoji('😊').unwrap() > 0.0);
        assert!(l.emoji('😡').unwrap() < 0.0 && l.emoji('👍').unwrap() > 0.0);
        assert!(l.emoji.keys().all(|c| !c.is_ascii()));
        let very = l.words.get("very").unwrap();
        assert!(very.has(flag::EN_UP | flag::HINT_EN) && !very.has(flag::EN_DOWN));
        assert!(l
            .words
            .get("pas")
            .unwrap()
            .has(flag::FR_NEGATOR | flag::HINT_FR));
    }

    #[test]
    fn function_words_have_codes() {
        assert_eq!(lexicons().words.get("plus").unwrap().code, fw::PLUS);
        assert_eq!(lexicons().words.get("the").unwrap().code, fw::IDIOM);
        assert_eq!(word_hash("abc"), word_hash(b"abc"));
    }

    #[test]
    fn word_map_inserts_finds_and_grows() {
        let mut m = WordMap::default();
        assert_eq!(m.get("a"), None);
        for k in 0..1000 {
            m.insert(&format!("w{k}"), k);
        }
        m.insert("w7", 70);
        assert_eq!(m.len(), 1000);
        assert_eq!(m.get("w7"), Some(&70));
        assert_eq!(m.get("w999"), Some(&999));
        assert_eq!(m.get("w1000"), None);
        assert_eq!(m.get(""), None);
        m.build_filter();
        assert!((0..1000).all(|k| m.get(&format!("w{k}")).is_some()));
        assert_eq!(m.get("w1000"), None);
        m.insert("w1000", 1);
        assert_eq!(m.get("w1000"), Some(&1));
    }

    #[test]
    fn finds_french_inflections_and_config_entries() {
        let l = lexicons();
        let mut extra = Table::default();
        let fr = Lex::new(l, &extra, Which::Fr);
        assert!(fr.get("decues").unwrap() < 0.0);
        assert!(fr.get("satisfaite").unwrap() > 0.0);
        assert_eq!(fr.get("zzzz"), None);
        extra.insert("zzzz", 2.0);
        extra.build_filter();
        assert_eq!(Lex::new(l, &extra, Which::Fr).get("zzzz"), Some(2.0));
    }
}
