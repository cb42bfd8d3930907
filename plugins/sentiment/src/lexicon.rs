//! The embedded lexicons, parsed once per instance (on first use) into hash
//! maps: VADER's English lexicon and emoji, textblob-fr's French adjectives,
//! and Vigie's additions for both languages (see `data/README.md`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a: a fast hash for short keys (words), used by every table of the
/// scorer's hot path.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fnv(u64);

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
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A hash map with the [`Fnv`] hash.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A fixed set of words (booster, negation and hint lists) as a fast map.
pub fn word_set<V: Copy>(entries: &[(&'static str, V)]) -> FastMap<&'static str, V> {
    entries.iter().copied().collect()
}

/// Valences on VADER's scale (about -4..4), keyed by folded word.
pub type Table = FastMap<Cow<'static, str>, f64>;

/// All the lexicons of the plugin.
pub struct Lexicons {
    /// VADER's `vader_lexicon.txt` plus `en_extra.tsv` (lower case keys).
    pub en: Table,
    /// textblob-fr's `fr-sentiment.xml` plus `fr_extra.tsv` (folded keys).
    pub fr: Table,
    /// Emoji (one code point) → valence: VADER's emoji descriptions scored
    /// with its lexicon, plus `emoji_extra.tsv`.
    pub emoji: FastMap<char, f64>,
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
        let mut en = Table::with_capacity_and_hasher(7_600, Default::default());
        load(&mut en, VADER, false);
        load(&mut en, EN_EXTRA, false);
        let mut fr = Table::with_capacity_and_hasher(3_800, Default::default());
        load(&mut fr, FR_SENTIMENT, true);
        load(&mut fr, FR_EXTRA, true);
        let mut emoji = FastMap::with_capacity_and_hasher(240, Default::default());
        for (key, value) in entries(EMOJI_VADER).chain(entries(EMOJI_EXTRA)) {
            let mut chars = key.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                emoji.insert(c, value);
            }
        }
        Lexicons { en, fr, emoji }
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

fn load(table: &mut Table, text: &'static str, fold: bool) {
    for (key, value) in entries(text) {
        let key = if fold && !key.is_ascii() {
            Cow::Owned(vigie_text::fold(key))
        } else {
            Cow::Borrowed(key)
        };
        table.insert(key, value);
    }
}

/// A lexicon with the community's own entries (from the config) on top.
#[derive(Clone, Copy)]
pub struct Lex<'a> {
    base: &'a Table,
    extra: &'a HashMap<String, f64>,
    /// Also try the word without a final plural or feminine mark (French).
    inflections: bool,
}

impl<'a> Lex<'a> {
    /// A view of `base` with `extra` winning.
    pub fn new(base: &'a Table, extra: &'a HashMap<String, f64>, inflections: bool) -> Self {
        Lex {
            base,
            extra,
            inflections,
        }
    }

    /// The entry of `word`; a valence of 0 means "no sentiment" (an entry
    /// that overrides a noisy one), reported as none.
    fn exact(&self, word: &str) -> Option<f64> {
        let v = match self.extra.get(word) {
            Some(v) => *v,
            None => *self.base.get(word)?,
        };
        (v != 0.0).then_some(v)
    }

    /// The valence of `word` (folded), if it has one.
    pub fn get(&self, word: &str) -> Option<f64> {
        if let Some(v) = self.exact(word) {
            return Some(v);
        }
        if !self.inflections || word.len() < 4 {
            return None;
        }
        // French plural (-s, -x) then feminine (-e): "déçues" → "déçue" → "déçu".
        let mut w = word;
        if let Some(s) = w.strip_suffix('s').or_else(|| w.strip_suffix('x')) {
            if let Some(v) = self.exact(s) {
                return Some(v);
            }
            w = s;
        }
        if let Some(s) = w.strip_suffix('e') {
            if s.len() >= 3 {
                return self.exact(s);
            }
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
        assert!(l.en.len() > 7_400, "{}", l.en.len());
        assert!(l.fr.len() > 3_500, "{}", l.fr.len());
        assert_eq!(l.en.get("good"), Some(&1.9));
        assert_eq!(l.en.get(":)"), Some(&2.0));
        // Later duplicates win, as in vaderSentiment's dict.
        assert_eq!(l.en.get("ok"), Some(&1.2));
        assert!(!l.fr.contains_key("stylé") && l.fr.contains_key("style"));
        assert!(l.emoji[&'😊'] > 0.0 && l.emoji[&'😡'] < 0.0 && l.emoji[&'👍'] > 0.0);
    }

    #[test]
    fn finds_french_inflections_and_config_entries() {
        let l = lexicons();
        let mut extra = HashMap::new();
        let fr = Lex::new(&l.fr, &extra, true);
        assert!(fr.get("decues").unwrap() < 0.0);
        assert!(fr.get("satisfaite").unwrap() > 0.0);
        assert_eq!(fr.get("zzzz"), None);
        extra.insert("zzzz".to_string(), 2.0);
        assert_eq!(Lex::new(&l.fr, &extra, true).get("zzzz"), Some(2.0));
    }
}
