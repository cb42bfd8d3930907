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
//! - **separators inside words**: words joined by up to three separator
//!   characters without a space (`f.u.c.k`, `con-nard`, `fu__ck`) are also
//!   tried glued together, and so are runs of single letters even with
//!   spaces (`c o n n a r d`, `f . u . c . k`);
//! - **leetspeak `1`/`|`** reads as `i` or `l`, whichever matches;
//! - **languages**: an entry tagged `[fr]` is skipped when the message looks
//!   English, `[en]` when it looks French (the caller decides what an
//!   unclear message counts as);
//! - **allow list**: a match that lies inside an allowed word or phrase
//!   (`chili con carne`) is ignored.

use crate::normalize::{Gap, Normalized, Token, AMBIG, STAR};
use std::collections::HashMap;

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
    single: HashMap<String, Vec<usize>>,
    /// Phrases, by the key of their first word.
    phrases: HashMap<String, Vec<usize>>,
    /// Single words with a wildcard.
    wild: Vec<usize>,
    /// Phrases whose first word has a wildcard.
    wild_phrases: Vec<usize>,
    /// Emoji and other entries without letters.
    symbols: Vec<usize>,
    /// Allowed words and phrases, as collapsed keys per word.
    allow: Vec<Vec<String>>,
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
fn expansions(chars: &[char]) -> Vec<Vec<char>> {
    let ambiguous: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == AMBIG).collect();
    if ambiguous.is_empty() {
        return vec![chars.to_vec()];
    }
    let all = |c: char| {
        chars
            .iter()
            .map(|&x| if x == AMBIG { c } else { x })
            .collect()
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
            v
        })
        .collect()
}

/// The word and its singulars: `cons` → `con`, `bitches` → `bitch`,
/// `merdeux` → `merdeu` (harmless) .
fn singulars(runs: &[(char, u32)]) -> Vec<&[(char, u32)]> {
    let mut out = vec![runs];
    let n = runs.len();
    if n >= 3 && runs[n - 1].0 == 's' {
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

/// The collapsed key of a word as written (for allow lists).
fn word_key(chars: &[char]) -> String {
    let chars: Vec<char> = chars
        .iter()
        .map(|&c| if c == AMBIG { 'i' } else { c })
        .collect();
    key_of(&rle(&chars))
}

/// True when `a` and `b` are the same text once folded (to tell whether a
/// reason needs to name the list entry besides the matched span).
pub fn same_word(a: &str, b: &str) -> bool {
    Normalized::new(a).folded == Normalized::new(b).folded
}

/// Guesses whether a message is French or English by counting common
/// function words; `None` when it cannot tell.
pub fn guess_lang(norm: &Normalized) -> Option<Lang> {
    const FR: &[&str] = &[
        "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "je", "tu", "il", "elle",
        "nous", "vous", "ils", "elles", "pas", "ne", "que", "qui", "quoi", "pour", "avec", "sur",
        "dans", "mon", "ma", "mes", "ton", "ta", "tes", "sa", "ses", "votre", "vos", "notre",
        "nos", "ce", "cette", "ces", "au", "aux", "ou", "mais", "tres", "bien", "merci", "bonjour",
        "salut", "oui", "non", "suis", "ai", "sont", "fait", "comment", "quand", "encore",
        "toujours", "rien", "trop", "moi", "toi", "leur", "ca", "cest", "jai", "lui", "etait",
        "etre", "avoir", "faire", "peux", "veux", "chez", "depuis", "apres", "avant", "aussi",
        "alors", "donc", "parce", "quel", "quelle", "sous", "vers", "deja", "tout", "tous",
        "toute", "ici", "voila", "qu", "j", "l", "d", "c", "n", "y", "en", "ni", "sale", "espece",
        "bande", "va", "ferme", "gros", "petit", "pauvre", "t", "es",
    ];
    const EN: &[&str] = &[
        "the", "and", "is", "are", "was", "were", "i", "you", "he", "she", "we", "they", "it",
        "not", "no", "don", "that", "this", "what", "how", "when", "where", "why", "for", "with",
        "in", "my", "your", "our", "to", "of", "but", "very", "good", "thanks", "thank", "hello",
        "hi", "yes", "have", "has", "do", "does", "did", "can", "will", "would", "just", "so",
        "be", "been", "at", "from", "there", "here", "again", "still", "too", "if", "or", "please",
        "anyone", "their", "them", "his", "her", "its", "im", "ive", "isn", "didn", "doesn", "ll",
        "ve", "about", "after", "because", "which", "who", "some", "any", "all", "also", "only",
        "than", "then", "into", "out", "up", "this", "these", "those", "had", "get", "got", "like",
        "one", "really", "such", "ever", "never", "every", "an", "by",
    ];
    let (mut fr, mut en) = (0u32, 0u32);
    for t in &norm.tokens {
        let w: String = t.chars.iter().collect();
        fr += FR.contains(&w.as_str()) as u32;
        en += EN.contains(&w.as_str()) as u32;
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
            let words: Vec<String> = n.tokens.iter().map(|t| word_key(&t.chars)).collect();
            if words.is_empty() {
                return Err(format!("allowed word `{a}` has no letters"));
            }
            lex.allow.push(words);
        }
        for e in entries {
            lex.add(e)?;
        }
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
        let keys: Option<Vec<&str>> = words.iter().map(|w| w.key.as_deref()).collect();
        let Some(keys) = keys else { return false };
        self.allow.iter().any(|a| {
            a.len() == keys.len()
                && a.iter().zip(&keys).enumerate().all(|(i, (a, k))| {
                    if i + 1 < keys.len() {
                        a == k
                    } else {
                        let runs: Runs = k.chars().map(|c| (c, 1)).collect();
                        singulars(&runs).iter().any(|s| key_of(s) == *a)
                    }
                })
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
            let raw: Vec<char> = n.tokens.iter().flat_map(|t| t.chars.clone()).collect();
            let leet: Vec<char> = n.tokens.iter().flat_map(|t| t.leet_chars()).collect();
            joined.push(WordPat::new(&raw));
            if leet != raw {
                joined.push(WordPat::new(&leet));
            }
        }
        if words.len() == 1 {
            match &words[0].key {
                Some(k) => self.single.entry(k.clone()).or_default().push(id),
                None => self.wild.push(id),
            }
        } else {
            match &words[0].key {
                Some(k) => self.phrases.entry(k.clone()).or_default().push(id),
                None => self.wild_phrases.push(id),
            }
            for k in joined.iter().filter_map(|j| j.key.clone()) {
                let ids = self.single.entry(k).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
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

    fn applies(&self, id: usize, lang: Option<Lang>) -> bool {
        match self.entries[id].skip_when {
            Some(skip) => lang != Some(skip),
            None => true,
        }
    }

    /// The entry a single word (or glued pieces) is, if any.
    fn match_word(&self, chars: &[char], lang: Option<Lang>) -> Option<usize> {
        for exp in expansions(chars) {
            let runs = rle(&exp);
            if runs.len() > MAX_RUNS {
                return None;
            }
            for s in singulars(&runs) {
                if let Some(ids) = self.single.get(&key_of(s)) {
                    for &id in ids {
                        let e = &self.entries[id];
                        let ok = if e.words.len() == 1 {
                            e.words[0].matches(s)
                        } else {
                            e.joined.iter().any(|j| j.matches(s))
                        };
                        if ok && self.applies(id, lang) {
                            return Some(id);
                        }
                    }
                }
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
        let mut forms = vec![tok.chars.clone()];
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
    fn match_phrase(
        &self,
        tokens: &[Token],
        i: usize,
        lang: Option<Lang>,
    ) -> Option<(usize, usize)> {
        let mut ids: Vec<usize> = Vec::new();
        for exp in expansions(&tokens[i].chars) {
            if let Some(v) = self.phrases.get(&key_of(&rle(&exp))) {
                ids.extend(v);
            }
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

    /// Token ranges covered by an allowed word or phrase.
    fn allowed_ranges(&self, tokens: &[Token]) -> Vec<(usize, usize)> {
        if self.allow.is_empty() {
            return Vec::new();
        }
        let keys: Vec<String> = tokens.iter().map(|t| word_key(&t.chars)).collect();
        let mut out = Vec::new();
        for a in &self.allow {
            for i in 0..tokens.len() {
                if i + a.len() > tokens.len() {
                    break;
                }
                let ok = a.iter().enumerate().all(|(k, w)| {
                    let key = &keys[i + k];
                    if k + 1 < a.len() {
                        key == w
                    } else {
                        let runs: Runs = key.chars().map(|c| (c, 1)).collect();
                        singulars(&runs).iter().any(|s| key_of(s) == *w)
                    }
                });
                if ok {
                    out.push((i, i + a.len() - 1));
                }
            }
        }
        out
    }

    /// The first (leftmost) entry found in the message, if any.
    pub fn find(&self, norm: &Normalized, text: &str, lang: Option<Lang>) -> Option<Hit> {
        if self.entries.is_empty() {
            return None;
        }
        let tokens = &norm.tokens;
        let allowed = self.allowed_ranges(tokens);
        let is_allowed = |a: usize, b: usize| allowed.iter().any(|&(x, y)| x <= a && b <= y);
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
        for i in 0..tokens.len() {
            if let Some(id) = self.match_word(&tokens[i].chars, lang) {
                consider(i, i, id, &mut best);
            }
            if let Some((id, last)) = self.match_phrase(tokens, i, lang) {
                consider(i, last, id, &mut best);
            }
            // Pieces glued by separators without spaces: `f.u.c.k`, `con-nard`.
            let mut glued: Vec<char> = tokens[i].leet_chars();
            let mut j = i + 1;
            while j < tokens.len() && tokens[j].gap == Gap::Tight && j - i < 8 {
                glued.extend(tokens[j].leet_chars());
                if glued.len() > MAX_GLUED {
                    break;
                }
                if let Some(id) = self.match_word(&glued, lang) {
                    consider(i, j, id, &mut best);
                }
                j += 1;
            }
            // Runs of single letters, spaces allowed: `c o n n a r d`.
            if tokens[i].chars.len() == 1 {
                let mut run: Vec<char> = vec![single(&tokens[i])];
                let mut j = i + 1;
                while j < tokens.len()
                    && tokens[j].chars.len() == 1
                    && matches!(tokens[j].gap, Gap::Tight | Gap::Loose)
                    && run.len() < MAX_GLUED
                {
                    run.push(single(&tokens[j]));
                    if let Some(id) = self.match_word(&run, lang) {
                        consider(i, j, id, &mut best);
                    }
                    j += 1;
                }
            }
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
        best.map(|(start, end, id)| Hit {
            start,
            end,
            entry: self.entries[id].text.clone(),
        })
        .filter(|h| h.end <= text.len())
    }
}

/// The letter a one-character word stands for in a run of single letters
/// (`5 h 1 t`: digits count as leetspeak there).
fn single(t: &Token) -> char {
    t.leet_chars()[0]
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
    fn reports_the_leftmost_match() {
        let l = lex(&["merde", "putain"], &[]);
        assert_eq!(found(&l, "putain de merde"), Some("putain".into()));
    }
}
