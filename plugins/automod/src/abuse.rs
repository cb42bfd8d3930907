//! The abuse classifier: does this message attack a person?
//!
//! Word lists say which words are rude. They cannot tell "t'es qu'un con"
//! from "chili con carne", the outlaw Dick Turpin from an insult, or a
//! member reporting "il m'a traité de connard" from the insult itself. This
//! module reads a message the way a moderator does, in four steps:
//!
//! 1. **Words.** The normalised words ([`Normalized`]: homoglyphs, accents,
//!    invisible characters and leetspeak already undone) are squeezed
//!    (`connnnard` → `conard`), words split to dodge filters are joined
//!    back (`sa lope`, `en... cu... ler`, `k y s`), and emoji that stand for
//!    words become those words (🍆, 🍑, 💩, 🔪, 🐷, 🖕…).
//! 2. **Evidence.** Single words (insults, slurs, phonetic spellings such as
//!    `enkulé`, `conar`, `phuck`) and phrases (threats, sexual harassment,
//!    "go back to your country", "ta gueule") are looked up, each with its
//!    kind and weight.
//! 3. **Target.** Insults count fully when aimed at someone: a second
//!    person (`tu`, `t'es`, `you`, `ur`), a vocative (`sale …`, `espèce de
//!    …`, `bande de …`), a mention, the staff (`le modo`, `les devs`), or a
//!    bare insult on its own. Threats, harassment and slurs carry their own.
//! 4. **Innocence.** Evidence in an innocent place counts for nothing:
//!    inside quotation marks or after a reporting verb (`m'a traité de`,
//!    `called me`), aimed at oneself (`je suis trop con`, `I'm such an
//!    idiot`), part of a proper name (`Moby Dick`, `Dick's`, `Conard` after
//!    a first name), a word talked about (`veut dire`, `in German`), or a
//!    word whose context is an animal, a dish or shipping costs (`our bitch
//!    had puppies`, `spotted dick`, `fdp offerts`).
//!
//! The score is the strongest piece of evidence left, in `[0, 1]`, with the
//! span of the original text it came from. It is deterministic, needs no
//! network and costs a few microseconds per message.

use crate::normalize::{Normalized, AMBIG};
use regex::Regex;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

/// Short words looked up several times per message: the lists' FNV-1a
/// hasher, where SipHash's setup would cost more than the lookup.
type WordMap<V> = HashMap<String, V, BuildHasherDefault<crate::lists::Fnv>>;

/// What kind of abuse the evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Threat,
    Hate,
    Sexual,
    Insult,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Threat => "threat",
            Kind::Hate => "hate",
            Kind::Sexual => "sexual harassment",
            Kind::Insult => "insult",
        }
    }
}

/// The classifier's reading of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// How sure it is that the message attacks someone, in `[0, 1]`.
    pub score: f32,
    pub kind: Kind,
    /// Byte span of the evidence in the original text.
    pub start: usize,
    pub end: usize,
}

/// Builds the classifier's tables (lexicon, compiled phrases, prefixes).
/// Called from `configure`: the host snapshots the configured instance, so
/// every community's instance starts with them built instead of compiling
/// some forty regexes on its first message.
pub fn warm_up() {
    let _ = (lexicon(), sound_keys(), phrases(), prefixes());
    std::sync::LazyLock::force(&META);
}

/// Scores a message; `None` when nothing in it attacks anyone. Words of
/// `allowed` (as [`allow_key`] writes them) are never evidence.
pub fn classify(text: &str, norm: &Normalized, allowed: &[String]) -> Option<Verdict> {
    if !worth_reading(text, norm) {
        return None;
    }
    let reading = Reading::new(text, norm);
    reading.best(allowed)
}

/// Whether a message can hold evidence at all: a word of the lexicon or
/// one that sets off a phrase, an emoji that stands for a word, a run of
/// single letters, or two words whose join starts a word of the lexicon
/// ("sa lope"). Most messages have none, and skip the full reading.
fn worth_reading(text: &str, norm: &Normalized) -> bool {
    if !text.is_ascii() && text.chars().any(|c| EMOJI.iter().any(|(e, _)| *e == c)) {
        return true;
    }
    let (compiled, prefixes) = (phrases(), prefixes());
    let mut word = String::new();
    let mut previous = String::new();
    let mut single_letters = 0;
    for token in &norm.tokens {
        word.clear();
        let mut last = None;
        for &c in token.chars.iter() {
            let c = if c == AMBIG { 'i' } else { c };
            if Some(c) != last && c.is_alphanumeric() {
                word.push(c);
            }
            last = Some(c);
        }
        if word.is_empty() {
            continue;
        }
        if lookup(&word).is_some() || compiled.triggers.contains_key(&word) {
            return true;
        }
        single_letters = if word.len() == 1 {
            single_letters + 1
        } else {
            0
        };
        if single_letters >= 3 {
            return true;
        }
        if !previous.is_empty() && previous.len() <= 4 {
            previous.push_str(&word);
            if prefixes.contains_key(&previous) {
                return true;
            }
        }
        std::mem::swap(&mut previous, &mut word);
    }
    false
}

/// Every beginning of two letters or more of the lexicon's words and of
/// [`JOINABLE`], for [`worth_reading`].
fn prefixes() -> &'static WordMap<()> {
    static PREFIXES: OnceLock<WordMap<()>> = OnceLock::new();
    PREFIXES.get_or_init(|| {
        let mut out = WordMap::default();
        let words = lexicon()
            .keys()
            .map(String::as_str)
            .chain(JOINABLE.iter().copied());
        for word in words {
            let chars: Vec<char> = word.chars().collect();
            for n in 2..=chars.len() {
                out.insert(chars[..n].iter().collect(), ());
            }
        }
        out
    })
}

/// How an allowed word or phrase is compared with the message's words: a
/// word as the message's words are read, a phrase as its words so read,
/// joined by single spaces (as [`Reading`]'s `canon`).
pub fn allow_key(entry: &str) -> String {
    fold(entry)
        .split(|c: char| !c.is_alphanumeric())
        .map(|word| squeeze(word.chars()))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the span `start..end` of `text` (a word-list hit) sits in an
/// innocent place: quoted or reported, aimed at oneself, part of a name,
/// talked about, or about an animal, a dish or shipping costs. The reason,
/// if so.
pub fn innocent_span(
    text: &str,
    norm: &Normalized,
    start: usize,
    end: usize,
) -> Option<&'static str> {
    let reading = Reading::new(text, norm);
    let first = reading.words.iter().position(|w| w.end > start)?;
    let last = reading
        .words
        .iter()
        .rposition(|w| w.start < end)
        .unwrap_or(first)
        .max(first);
    reading.innocence(first, last, None)
}

/// Most pieces of evidence of each kind (phrase matches, words) weighed
/// in one message.
const MAX_EVIDENCE: usize = 64;

/// One word of the message as the classifier reads it.
#[derive(Debug, Clone)]
struct Word {
    /// Letters, squeezed (no letter twice in a row).
    text: String,
    start: usize,
    end: usize,
    /// Written with a capital first letter (and not all in capitals).
    capital: bool,
    /// Stands for an emoji.
    emoji: bool,
}

struct Reading<'a> {
    text: &'a str,
    words: Vec<Word>,
    /// The squeezed words joined by single spaces, and where each word
    /// starts in it.
    canon: String,
    offsets: Vec<usize>,
    /// Quoted ranges, found when evidence needs them.
    quotes: OnceCell<Vec<(usize, usize)>>,
    /// Whether the message talks about words ("veut dire", "in German").
    meta: OnceCell<bool>,
    /// Whether Most Of Its Words Are Capitalised.
    title_case: OnceCell<bool>,
    /// The word ranges (first, last) of the allowed phrases found in it.
    allowed_spans: OnceCell<Vec<(usize, usize)>>,
    mention: bool,
}

fn squeeze(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in chars {
        let c = if c == AMBIG { 'i' } else { c };
        if Some(c) != last && c.is_alphanumeric() {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// Emoji that stand for words in abuse, and the word.
const EMOJI: &[(char, &str)] = &[
    ('🍆', "dick"),
    ('🍑', "as"),
    ('💩', "shit"),
    ('🔪', "stab"),
    ('🔫', "shot"),
    ('🐷', "pig"),
    ('🐖', "pig"),
    ('🐽', "pig"),
    ('🐀', "rat"),
    ('🐒', "monkey"),
    ('🐵', "monkey"),
    ('🦍', "monkey"),
    ('🖕', "fuckyou"),
    ('👄', "gueule"),
    ('📸', "pics"),
    ('🤡', "clown"),
    ('🐍', "snake"),
    ('🐄', "vache"),
    ('🐮', "vache"),
    ('🐕', "chien"),
    ('🐶', "chien"),
];

impl<'a> Reading<'a> {
    fn new(text: &'a str, norm: &Normalized) -> Reading<'a> {
        let mut words: Vec<Word> = norm
            .tokens
            .iter()
            .filter_map(|t| {
                let (start, end) = norm.span(t.first, t.last);
                let text_of = squeeze(t.chars.iter().copied());
                if text_of.is_empty() {
                    return None;
                }
                let original = &text[start..end];
                let letters: Vec<char> = original.chars().filter(|c| c.is_alphabetic()).collect();
                // Capitalised as names are: "Dick", not "DICK" nor "DiCk".
                let capital = letters.first().is_some_and(|c| c.is_uppercase())
                    && letters[1..].iter().all(|c| !c.is_uppercase());
                Some(Word {
                    text: text_of,
                    start,
                    end,
                    capital,
                    emoji: false,
                })
            })
            .collect();
        for (at, c) in text.char_indices() {
            if let Some((_, word)) = EMOJI.iter().find(|(e, _)| *e == c) {
                words.push(Word {
                    text: (*word).to_string(),
                    start: at,
                    end: at + c.len_utf8(),
                    capital: false,
                    emoji: true,
                });
            }
        }
        words.sort_by_key(|w| w.start);
        let words = join_split_words(words);
        let mut canon = String::new();
        let mut offsets = Vec::with_capacity(words.len());
        for w in &words {
            if !canon.is_empty() {
                canon.push(' ');
            }
            offsets.push(canon.len());
            canon.push_str(&w.text);
        }
        Reading {
            text,
            quotes: OnceCell::new(),
            meta: OnceCell::new(),
            title_case: OnceCell::new(),
            allowed_spans: OnceCell::new(),
            mention: has_mention(text),
            words,
            canon,
            offsets,
        }
    }

    /// Whether words `first..=last` lie inside an allowed phrase ("taille
    /// TG", "le Dîner de cons", "arroz con pollo"): the default allow
    /// list's and the config's `allow_words`, as the word lists honour them.
    fn in_allowed_phrase(&self, first: usize, last: usize, allowed: &[String]) -> bool {
        let spans = self.allowed_spans.get_or_init(|| {
            let mut spans = Vec::new();
            let canon = self.canon.as_bytes();
            for phrase in allowed.iter().filter(|p| p.contains(' ')) {
                let mut from = 0;
                while let Some(found) = self.canon.get(from..).and_then(|rest| rest.find(phrase)) {
                    let start = from + found;
                    let end = start + phrase.len();
                    let whole = (start == 0 || canon[start - 1] == b' ')
                        && (end == canon.len() || canon[end] == b' ');
                    if whole {
                        spans.push((self.word_at(start), self.word_at(end - 1)));
                    }
                    // Phrases are whole words: the next match starts after
                    // this one's first word.
                    from = self.canon[start..]
                        .find(' ')
                        .map_or(canon.len(), |space| start + space + 1);
                }
            }
            spans
        });
        spans.iter().any(|&(a, b)| a <= first && last <= b)
    }

    /// The word index at byte `at` of `canon`.
    fn word_at(&self, at: usize) -> usize {
        match self.offsets.binary_search(&at) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    fn best(&self, allowed: &[String]) -> Option<Verdict> {
        let mut best: Option<Verdict> = None;
        let mut consider = |v: Verdict| {
            if best.as_ref().is_none_or(|b| v.score > b.score) {
                best = Some(v);
            }
        };
        // Enough evidence looked at: a long message of innocent uses
        // ("café con leche" a thousand times) costs no more than this.
        let mut budget = MAX_EVIDENCE;
        // Phrases: only those a word of the message can set off.
        let compiled = phrases();
        let mut candidates: Vec<usize> = self
            .words
            .iter()
            .filter_map(|w| compiled.triggers.get(&w.text))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for index in candidates {
            let phrase = &compiled.phrases[index];
            for m in phrase.regex.find_iter(&self.canon).take(MAX_EVIDENCE) {
                let (first, last) = (
                    self.word_at(m.start()),
                    self.word_at(m.end().saturating_sub(1)),
                );
                if self.innocence(first, last, Some(phrase.kind)).is_some()
                    || self.in_allowed_phrase(first, last, allowed)
                {
                    continue;
                }
                consider(Verdict {
                    score: phrase.weight,
                    kind: phrase.kind,
                    start: self.words[first].start,
                    end: self.words[last].end,
                });
            }
        }
        // Single words.
        for (i, w) in self.words.iter().enumerate() {
            let Some(entry) = lookup(&w.text) else {
                continue;
            };
            if allowed.contains(&w.text) || self.in_allowed_phrase(i, i, allowed) {
                continue;
            }
            if budget == 0 {
                break;
            }
            budget -= 1;
            // "tg", "ntm", "fdp" say "ta gueule", "nique ta mère", "fils de
            // pute": aimed at whoever reads them.
            let acronym = matches!(w.text.as_str(), "tg" | "ntm" | "fdp" | "pd");
            let targeted = self.targeted(i) || (acronym && w.text != "pd");
            let score = match (entry.kind, entry.strength, targeted) {
                (Kind::Hate, _, _) => 0.9,
                (_, Strength::Strong, true) => 0.9,
                (_, Strength::Strong, false) if self.said_of_a_name(i) => 0.85,
                (_, Strength::Strong, false) => 0.45,
                (_, Strength::Weak, _) if self.predicated(i) => 0.85,
                (_, Strength::Weak, _) => 0.0,
            };
            if score <= 0.0 || self.innocence(i, i, Some(entry.kind)).is_some() {
                continue;
            }
            consider(Verdict {
                score,
                kind: entry.kind,
                start: w.start,
                end: w.end,
            });
        }
        best
    }

    /// Whether word `i` is aimed at someone.
    fn targeted(&self, i: usize) -> bool {
        if self.mention || self.words.len() <= 3 {
            return true;
        }
        let lo = i.saturating_sub(5);
        let hi = (i + 4).min(self.words.len());
        let near =
            |set: &[&str]| (lo..hi).any(|j| j != i && set.contains(&self.words[j].text.as_str()));
        if near(SECOND_PERSON) || near(STAFF) {
            return true;
        }
        // A vocative right before: "sale con", "espèce de débile".
        let before: Vec<&str> = (i.saturating_sub(2)..i)
            .map(|j| self.words[j].text.as_str())
            .collect();
        matches!(
            before.as_slice(),
            [
                ..,
                "sale" | "gros" | "grose" | "pauvre" | "fucking" | "dirty" | "stupid" | "dumb"
            ] | [
                ..,
                "espece" | "bande" | "fils" | "sac" | "face" | "tete",
                "de" | "d" | "a"
            ] | [.., "bunch" | "piece", "of"]
        )
    }

    /// Whether word `i` is said of someone named: "Dan is a …", "Kevin
    /// est un vrai …" (a capitalised word of three letters or more, then
    /// the verb, then at most two words).
    fn said_of_a_name(&self, i: usize) -> bool {
        (2..=4).any(|back| {
            let Some(verb) = i.checked_sub(back) else {
                return false;
            };
            let name = verb.checked_sub(1).map(|n| &self.words[n]);
            matches!(
                self.words[verb].text.as_str(),
                "is" | "est" | "was" | "etait"
            ) && name.is_some_and(|n| n.capital && n.text.chars().count() >= 3)
        })
    }

    /// Whether word `i` is said of someone: "t'es (vraiment) une X", "you
    /// X", "ur a X", "sale X", "espèce de X", or a mention and a few words.
    fn predicated(&self, i: usize) -> bool {
        const FILLERS: &[&str] = &[
            "un",
            "une",
            "qu",
            "que",
            "vraiment",
            "trop",
            "tellement",
            "gros",
            "grose",
            "big",
            "a",
            "an",
            "such",
            "so",
            "realy",
            "total",
            "complete",
            "absolute",
            "fucking",
            "f",
            "de",
            "d",
            "des",
            "le",
            "la",
            "les",
            "just",
            "only",
            "rien",
            "qu",
            "ptit",
            "petit",
            "petite",
            "pauvre",
            "stupid",
            "dumb",
            "sale",
            "moche",
            "and",
            "et",
            "ugly",
            "fat",
            "all",
            "tous",
            "toutes",
            "gros",
        ];
        const SAID_OF: &[&str] = &[
            "es", "tes", "etes", "youre", "ure", "ur", "you", "u", "toi", "vous", "sale", "espece",
            "bande", "sac", "face", "tete", "yal", "ya", "re",
        ];
        // "are", "est": said of someone only when the message names a
        // person ("le CM c'est un gros 🐷"), not of a price or a game.
        const COPULAS: &[&str] = &["are", "r", "sont", "est", "is", "c"];
        if self.mention && self.words.len() <= 6 {
            return true;
        }
        let mut j = i;
        for _ in 0..4 {
            let Some(prev) = j.checked_sub(1) else {
                // A message that is only the word ("clown", "💩").
                return self.words.len() == 1;
            };
            j = prev;
            let w = self.words[j].text.as_str();
            if SAID_OF.contains(&w) {
                return true;
            }
            if COPULAS.contains(&w) {
                return self.names_a_person();
            }
            if !FILLERS.contains(&w) {
                return false;
            }
        }
        false
    }

    /// Whether Most Of Its Words Are Capitalised (computed once).
    fn title_case(&self) -> bool {
        *self.title_case.get_or_init(|| {
            self.words.len() >= 2
                && self.words.iter().filter(|w| w.capital).count() * 5 >= self.words.len() * 3
        })
    }

    /// Whether word `i` starts a sentence: the first word, or after `.`,
    /// `!`, `?` or a line break.
    fn sentence_starts_at(&self, i: usize) -> bool {
        i == 0
            || self.text[..self.words[i].start]
                .trim_end()
                .ends_with(['.', '!', '?', '\n', ':'])
    }

    /// Whether word `i` is one of the acronyms that are insults ("FDP",
    /// "PD", "NTM"), written in capitals and used as a noun for what else
    /// it abbreviates: after a determiner or a preposition ("hors FDP",
    /// "mon PD", "avec PD", "concert de NTM"), or before a measure ("PD
    /// de 63 mm"), in a message that does not shout and is not aimed at
    /// anyone next to it.
    fn insulting_acronym_used_as_a_noun(&self, i: usize) -> bool {
        let w = &self.words[i];
        if !matches!(w.text.as_str(), "fdp" | "pd" | "ntm" | "tg") {
            return false;
        }
        // "tg(45°)": a function.
        if self.text[w.end..].starts_with('(') {
            return true;
        }
        let original = &self.text[w.start..w.end];
        if !original.chars().all(|c| c.is_ascii_uppercase()) || self.shouting(i) {
            return false;
        }
        let previous = i.checked_sub(1).map(|j| self.words[j].text.as_str());
        let possessive = previous.is_some_and(|p| matches!(p, "your" | "ton" | "votre"));
        if !possessive
            && previous.is_some_and(|p| SECOND_PERSON.contains(&p) || p == "sale" || p == "espece")
        {
            return false;
        }
        // "9 PD cette saison": counted, so a noun.
        // Not after "espèce de", "fils de", "bande de": a vocative.
        let vocative = matches!(previous, Some("de" | "d"))
            && i >= 2
            && matches!(
                self.words[i - 2].text.as_str(),
                "espece" | "fils" | "bande" | "tas" | "sac" | "tete" | "face" | "gros" | "grose"
            );
        let as_noun = !vocative
            && previous.is_some_and(|p| {
                NOUN_MARKERS.contains(&p) || p.chars().all(|c| c.is_ascii_digit())
            });

        let number = |k: usize| {
            self.words
                .get(k)
                .is_some_and(|n| n.text.chars().all(|c| c.is_ascii_digit()))
        };
        // "PD de 63 mm", "USB-C PD 65 W".
        let measured = number(i + 1)
            || (self.words.get(i + 1).is_some_and(|n| n.text == "de") && number(i + 2));
        // "TG = tête de gondole", "FDP : frais de port": defined.
        let defined = self.text[w.end..].trim_start().starts_with(['=', ':']);
        as_noun || measured || defined
    }

    /// Whether word `i` is cut short by a full stop inside a sentence that
    /// goes on in lower case ("anal. de sang", "anal. chem."): an
    /// abbreviation, not the word.
    fn abbreviated(&self, i: usize) -> bool {
        // Rude words that are also the first letters of ordinary ones:
        // "anal." for "analyse", "ass." for "assistant", "association".
        const CUT_SHORT: &[&str] = &["anal", "as"];
        let w = &self.words[i];
        let plain = self.text[w.start..w.end]
            .chars()
            .all(|c| c.is_alphabetic() && c.is_lowercase());
        if !CUT_SHORT.contains(&w.text.as_str()) || !plain {
            return false;
        }
        let rest = &self.text[w.end..];
        let Some(after) = rest.strip_prefix('.') else {
            return false;
        };
        let after = after.trim_start_matches(' ');
        after.len() < rest.len() - 1
            && after.chars().next().is_some_and(char::is_lowercase)
            && !self.targeted(i)
    }

    /// Whether most letters of the message, word `i` left out, are
    /// capitals.
    fn shouting(&self, i: usize) -> bool {
        let (upper, lower) = self.cases_around(i);
        upper > lower
    }

    /// How many capital and small letters the message has, word `i` left
    /// out.
    fn cases_around(&self, i: usize) -> (usize, usize) {
        let w = &self.words[i];
        let (mut upper, mut lower) = (0usize, 0usize);
        for (at, c) in self.text.char_indices() {
            if (w.start..w.end).contains(&at) || !c.is_alphabetic() {
                continue;
            }
            if c.is_uppercase() {
                upper += 1;
            } else if c.is_lowercase() {
                lower += 1;
            }
        }
        (upper, lower)
    }

    /// Whether word `i` is an acronym that happens to spell a rude word:
    /// written in capitals ("ASS stands for…", "the CUM airport code",
    /// "flying into FUK") in a message that is not shouting, aimed at
    /// nobody (no "you", "tu", mention or staff member), and not one of
    /// the acronyms that are insults ("FDP", "NTM", "TG", "KYS", "STFU"…).
    fn acronym_in_capitals(&self, i: usize) -> bool {
        const INSULTING_ACRONYMS: &[&str] = &[
            "tg", "ntm", "fdp", "pd", "ftg", "nique", "kys", "stfu", "gtfo", "fu", "fy", "pos",
            "sob", "wtf", "ffs", "smh", "dtf", "milf",
        ];
        let w = &self.words[i];
        if w.emoji || INSULTING_ACRONYMS.contains(&w.text.as_str()) {
            return false;
        }
        let original = &self.text[w.start..w.end];
        // Written plainly: "P.U.T.3" hides a word, "PUT" would not.
        let letters: Vec<char> = original.chars().collect();
        let capitals = (2..=5).contains(&letters.len())
            && letters
                .iter()
                .all(|c| c.is_alphabetic() && c.is_uppercase());
        if !capitals {
            return false;
        }
        // Shouting: many of the other letters in capitals too.
        let (upper, lower) = self.cases_around(i);
        if lower == 0 || upper * 2 > lower {
            return false;
        }
        !self.mention
            && !self.words.iter().any(|w| {
                SECOND_PERSON.contains(&w.text.as_str()) || STAFF.contains(&w.text.as_str())
            })
    }

    /// Whether a threat reads as a game's: a match, a round, "gg", and no
    /// place or time in the real world.
    fn gamer_talk(&self) -> bool {
        const GAME: &[&str] = &[
            "gg",
            "1v1",
            "revanche",
            "ranked",
            "round",
            "rounds",
            "partie",
            "match",
            "tournoi",
            "tournament",
            "lobby",
            "map",
            "ladder",
            "rematch",
            "game",
            "duel",
            "serveur",
            "server",
        ];
        const REAL: &[&str] = &[
            "sortie", "famile", "habites", "habite", "stade", "live", "shift", "maison", "home",
            "rue", "street", "parking",
        ];
        let has = |set: &[&str]| self.words.iter().any(|w| set.contains(&w.text.as_str()));
        has(GAME) && !has(REAL)
    }

    /// Whether the message names a person: a mention, the staff, or a
    /// word for someone ("le vendeur", "the guy").
    fn names_a_person(&self) -> bool {
        const PEOPLE: &[&str] = &[
            "vendeur",
            "vendeuse",
            "livreur",
            "livreuse",
            "arbitre",
            "stagiaire",
            "mec",
            "meuf",
            "gars",
            "type",
            "guy",
            "dude",
            "girl",
            "woman",
            "man",
            "boss",
            "manager",
            "patron",
            "conseiller",
            "conseilere",
            "agent",
            "caissier",
            "caissiere",
        ];
        self.mention
            || self
                .words
                .iter()
                .any(|w| STAFF.contains(&w.text.as_str()) || PEOPLE.contains(&w.text.as_str()))
    }

    /// Why the evidence in words `first..=last` is innocent, if it is.
    fn innocence(&self, first: usize, last: usize, kind: Option<Kind>) -> Option<&'static str> {
        let start = self.words[first].start;
        let end = self.words[last].end;
        let quotes = self.quotes.get_or_init(|| {
            let mut ranges = quoted_ranges(self.text);
            ranges.sort_unstable();
            ranges
        });
        // Ranges of one kind of mark do not overlap; of several, rarely.
        let opened = quotes.partition_point(|&(a, _)| a <= start);
        if quotes[..opened]
            .iter()
            .rev()
            .take(8)
            .any(|&(_, b)| end <= b)
        {
            return Some("quoted");
        }
        let before: Vec<&str> = self.words[first.saturating_sub(5)..first]
            .iter()
            .rev()
            .map(|w| w.text.as_str())
            .collect();
        // "dm me …" opening a message asks for one; "he DM'd me …" reports.
        let said = |(at, w): (usize, &&str)| {
            REPORTING.contains(w) && !(matches!(*w, "dm" | "mp") && at == 0)
        };
        if before
            .iter()
            .enumerate()
            .map(|(k, w)| (first - 1 - k, w))
            .any(said)
        {
            return Some("reported");
        }
        // "Le FDP", "the PD": a party, a police department.
        if first == last
            && first > 0
            && matches!(self.words[first].text.as_str(), "tg" | "ntm" | "fdp" | "pd")
            && matches!(
                self.words[first - 1].text.as_str(),
                "le" | "la" | "les" | "the"
            )
        {
            return Some("an acronym");
        }
        if first == last && self.acronym_in_capitals(first) {
            return Some("an acronym");
        }
        if first == last && self.insulting_acronym_used_as_a_noun(first) {
            return Some("an acronym");
        }
        if first == last && self.abbreviated(first) {
            return Some("an abbreviation");
        }
        if kind == Some(Kind::Threat) && self.gamer_talk() {
            return Some("gamer talk");
        }
        // A phrase in capitals inside an ordinary sentence is a title
        // ("Shut Up and Dance").
        let title_case = self.title_case();
        if last > first
            && !title_case
            && self.words[first..=last]
                .iter()
                .all(|w| w.capital && !w.emoji)
        {
            return Some("a title");
        }
        if matches!(kind, Some(Kind::Threat | Kind::Sexual)) {
            return None;
        }
        // Aimed at oneself.
        let last_words: Vec<&str> = before.iter().take(4).copied().collect();
        let self_words = ["je", "jsuis", "chui", "suis", "im", "am", "myself", "moi"];
        // "réponds-moi", "dis-moi": the object of an order, not oneself.
        let imperative = |k: usize| {
            let w = &self.words[first - 1 - k];
            w.text == "moi" && self.text[..w.start].ends_with('-')
        };
        if last_words
            .iter()
            .enumerate()
            .any(|(k, w)| self_words.contains(w) && !imperative(k))
            && !last_words.iter().any(|w| SECOND_PERSON.contains(w))
        {
            return Some("about oneself");
        }
        let after: Vec<&str> = self.words[last + 1..]
            .iter()
            .take(3)
            .map(|w| w.text.as_str())
            .collect();
        if after.starts_with(&["je", "fais"]) || after.starts_with(&["i", "am"]) {
            return Some("about oneself");
        }
        // Part of a name: capitalised next to another capitalised word, or
        // a possessive ("Dick's"), or a place ("Twatt in Orkney",
        // "Cons-la-Grandville"), or a title after capitalised words ("Le
        // Dîner de cons").
        let word = &self.words[first];
        let capitalised = |j: usize| self.words.get(j).is_some_and(|w| w.capital && !w.emoji);
        // Not when Every Word Is Capitalised, nor right after "sale",
        // "t'es", "you": trolls capitalise too.
        let title_case = self.title_case();
        let addressed = (first.saturating_sub(1)..first).any(|j| {
            let w = self.words[j].text.as_str();
            SECOND_PERSON.contains(&w) || matches!(w, "sale" | "espece" | "es" | "youre" | "ur")
        });
        // A word of several letters (single capitals are a word spelled
        // out, "C.O.N").
        let name_like = first == last && word.text.chars().count() >= 3;
        if name_like && !word.emoji && word.capital && !addressed {
            // "Bitch Better Have My Money came on": a run of capitalised
            // words in a sentence that goes on in lower case.
            let run = (last + 1..self.words.len())
                .take_while(|&j| capitalised(j))
                .count();
            let lower_after = self.words[last + 1 + run..]
                .iter()
                .any(|w| !w.capital && !w.emoji && w.text.chars().any(char::is_alphabetic));
            if run >= 2 && lower_after {
                return Some("a title");
            }
            // "the Jackass reunion movie", "le concert des Enfoirés".
            let near = self.words[first.saturating_sub(3)..(last + 4).min(self.words.len())]
                .iter()
                .any(|w| WORKS.contains(&w.text.as_str()));
            if near {
                return Some("a title");
            }
            // "au-dessus de Pussy", "in Twatt": a capitalised word after a
            // preposition, not in "fils de …", "espèce de …".
            if first >= 1 && !self.sentence_starts_at(first) {
                let previous = self.words[first - 1].text.as_str();
                let vocative = first >= 2
                    && matches!(
                        self.words[first - 2].text.as_str(),
                        "fils"
                            | "espece"
                            | "bande"
                            | "sac"
                            | "tete"
                            | "face"
                            | "piece"
                            | "son"
                            | "bunch"
                            | "tas"
                            | "gros"
                            | "grose"
                    );
                // "a" is a preposition only written "à".
                let preposition = PLACE_PREPOSITIONS.contains(&previous)
                    && (previous != "a" || {
                        let p = &self.words[first - 1];
                        self.text[p.start..p.end].starts_with(['à', 'À'])
                    });
                let spoken_to = before.iter().take(4).any(|w| SECOND_PERSON.contains(w));
                if preposition && !vocative && !spoken_to {
                    return Some("a name");
                }
                // Any other capitalised word inside a sentence that is not
                // in capitals itself, with nobody spoken to before it:
                // "anyone know if Dick from the club is driving", "the
                // Cummings family", "le Niger".
                let insult_before = before.iter().take(2).any(|w| lookup(w).is_some());
                // "le modo est un Connard": after an article, a name is
                // rare and a troll's capital is not.
                let article_before = matches!(previous, "un" | "une" | "a" | "an");
                if !title_case
                    && !vocative
                    && !spoken_to
                    && !insult_before
                    && !article_before
                    && !self.mention
                {
                    return Some("a name");
                }
            }
        }
        if !word.emoji && word.capital && !title_case && !addressed {
            let possessive =
                self.text[end..].starts_with("'s") || self.text[end..].starts_with("’s");
            let hyphenated = self.text[end..].starts_with('-') || self.text[..start].ends_with('-');
            let place = matches!(
                self.words.get(last + 1).map(|w| w.text.as_str()),
                Some("in" | "en" | "a" | "near" | "pres")
            ) && capitalised(last + 2);
            if possessive
                || hyphenated
                || place
                || (first > 0 && capitalised(first - 1))
                || capitalised(last + 1)
            {
                return Some("a name");
            }
        }
        if !word.emoji && !word.capital && first >= 2 {
            const LINKS: &[&str] = &["de", "du", "des", "la", "le", "les", "of", "the", "d"];
            let mut j = first - 1;
            while j > 0 && LINKS.contains(&self.words[j].text.as_str()) {
                j -= 1;
            }
            if j > 0 && j < first - 1 && capitalised(j) {
                return Some("a title");
            }
        }
        if *self.meta.get_or_init(|| META.is_match(&self.canon)) {
            return Some("talked about");
        }
        let w = word.text.as_str();
        if w == "fdp" && self.text.contains(['€', '$', '£']) {
            return Some("shipping costs");
        }
        for (words, context) in CONTEXTS {
            let nearby = &self.words[first.saturating_sub(12)..(last + 12).min(self.words.len())];
            if words.contains(&w) && nearby.iter().any(|x| context.contains(&x.text.as_str())) {
                return Some("an animal, a dish or shipping");
            }
        }
        None
    }
}

/// Joins words split to dodge filters: a run of single letters (`k y s`,
/// `b u t e r`), and two to four short pieces whose join is a word of the
/// lexicon (`sa lope`, `en… cu… ler`, `re tard ed`).
fn join_split_words(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    let mut buffer = String::new();
    let mut i = 0;
    while i < words.len() {
        // A run of three or more single letters.
        let mut j = i;
        while j < words.len() && !words[j].emoji && words[j].text.chars().count() == 1 {
            j += 1;
        }
        if j - i >= 3 {
            // The run may have taken in a single-letter word on either
            // side ("what a p.r.i.c.k", "I'll s t a b", "b u t e r à"):
            // when the whole run spells nothing known and a run a letter or
            // two shorter does, those letters are words of their own.
            let known = |a: usize, b: usize| {
                let joined = squeeze(words[a..b].iter().flat_map(|w| w.text.chars()).map(unleet));
                lookup(&joined).is_some() || JOINABLE.contains(&joined.as_str())
            };
            let (mut a, mut b) = (i, j);
            if !known(i, j) {
                if let Some((x, y)) = (0..=2)
                    .flat_map(|x| (0..=2).map(move |y| (x, y)))
                    .filter(|&(x, y)| x + y > 0 && j - i >= x + y + 3)
                    .find(|&(x, y)| known(i + x, j - y))
                {
                    (a, b) = (i + x, j - y);
                }
            }
            out.extend(words[i..a].iter().cloned());
            out.push(merge(&words[a..b]));
            out.extend(words[b..j].iter().cloned());
            i = j;
            continue;
        }
        let mut joined = false;
        // Only from a short first piece ("sa lope", "en… cu… ler").
        if !words[i].emoji && words[i].text.chars().count() <= 4 {
            for n in (2..=4).rev() {
                let Some(parts) = words.get(i..i + n) else {
                    continue;
                };
                if parts.iter().any(|p| p.emoji) {
                    continue;
                }
                let short = parts.iter().filter(|p| p.text.chars().count() <= 4).count();
                if short < n - 1 {
                    continue;
                }
                buffer.clear();
                let mut last = None;
                for c in parts.iter().flat_map(|p| p.text.chars()) {
                    if Some(c) != last {
                        buffer.push(c);
                    }
                    last = Some(c);
                }
                if lookup(&buffer).is_some() || JOINABLE.contains(&buffer.as_str()) {
                    if lookup(&parts[0].text).is_some() {
                        break;
                    }
                    out.push(merge(parts));
                    i += n;
                    joined = true;
                    break;
                }
            }
        }
        if !joined {
            out.push(words[i].clone());
            i += 1;
        }
    }
    out
}

fn merge(parts: &[Word]) -> Word {
    Word {
        text: squeeze(parts.iter().flat_map(|p| p.text.chars()).map(unleet)),
        start: parts[0].start,
        end: parts[parts.len() - 1].end,
        capital: false,
        emoji: false,
    }
}

/// A digit standing for a letter in a word spelled out with spaces
/// (`s 4 l 0 p 3`): the normaliser reads leetspeak inside a word, not
/// across single characters.
fn unleet(c: char) -> char {
    match c {
        '4' => 'a',
        '3' => 'e',
        '1' => 'i',
        '0' => 'o',
        '5' => 's',
        '7' => 't',
        other => other,
    }
}

/// Byte ranges of the text inside quotation marks.
fn quoted_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let pairs = [
        ('"', '"'),
        ('“', '”'),
        ('«', '»'),
        ('„', '“'),
        ('\'', '\''),
        ('‘', '’'),
    ];
    for (open, close) in pairs {
        let mut k = 0;
        while k < chars.len() {
            let (at, c) = chars[k];
            let word_edge_before = k == 0 || !chars[k - 1].1.is_alphanumeric();
            if c == open && (open != '\'' || word_edge_before) {
                if let Some(m) = (k + 1..chars.len()).find(|&m| {
                    chars[m].1 == close
                        && (close != '\''
                            || chars.get(m + 1).is_none_or(|(_, n)| !n.is_alphanumeric()))
                }) {
                    out.push((at + c.len_utf8(), chars[m].0));
                    k = m + 1;
                    continue;
                }
            }
            k += 1;
        }
    }
    out
}

fn has_mention(text: &str) -> bool {
    text.char_indices().any(|(i, c)| {
        c == '@'
            && (i == 0 || !text[..i].ends_with(|p: char| p.is_alphanumeric()))
            && text[i + 1..].starts_with(|n: char| n.is_alphanumeric() || n == '_')
    })
}

/// Words after which a capitalised word names a place or a person
/// ("au-dessus de Pussy", "in Twatt"), as the reader sees it.
const PLACE_PREPOSITIONS: &[&str] = &[
    "de", "du", "des", "a", "au", "aux", "chez", "vers", "pres", "sur", "in", "at", "near", "from",
    "to", "of", "around", "outside",
];

/// Words after which an acronym is a noun: determiners, possessives,
/// prepositions.
const NOUN_MARKERS: &[&str] = &[
    "le", "la", "les", "des", "du", "de", "mon", "ma", "mes", "votre", "vos", "notre", "nos",
    "leur", "leurs", "hors", "avec", "sans", "en", "au", "aux", "par", "pour", "the", "my", "our",
    "their", "his", "her", "with", "without", "of", "incl", "excl", "your", "une", "local", "city",
    "police", "canal", "channel", "groupe", "group",
];

/// Works of art and shows a capitalised word may be the title of.
const WORKS: &[&str] = &[
    "movie",
    "movies",
    "audiobook",
    "audiobooks",
    "manga",
    "film",
    "films",
    "show",
    "series",
    "serie",
    "song",
    "songs",
    "album",
    "albums",
    "concert",
    "concerts",
    "tour",
    "trailer",
    "episode",
    "reunion",
    "book",
    "novel",
    "livre",
    "roman",
    "chanson",
    "morceau",
    "emision",
    "spectacle",
    "groupe",
    "band",
    "sequel",
    "soundtrack",
    "playlist",
    "podcast",
];

const SECOND_PERSON: &[&str] = &[
    "tu",
    "t",
    "te",
    "toi",
    "ton",
    "ta",
    "tes",
    "vous",
    "vs",
    "votre",
    "vos",
    "tes",
    "you",
    "your",
    "ur",
    "u",
    "youre",
    "yourself",
    "urself",
    "ya",
    "yal",
    "yourselves",
    "ure",
    "yo",
];

const STAFF: &[&str] = &[
    "modo",
    "modos",
    "mod",
    "mods",
    "moderateur",
    "moderateurs",
    "moderator",
    "moderators",
    "admin",
    "admins",
    "cm",
    "dev",
    "devs",
    "developeurs",
    "developers",
    "suport",
    "sav",
    "staf",
    "equipe",
    "team",
    "moderation",
];

/// Words after which a rude word is reported, not said.
const REPORTING: &[&str] = &[
    "traite",
    "traitee",
    "traiter",
    "traitent",
    "insulte",
    "insultent",
    "apele",
    "apelee",
    "caled",
    "caling",
    "cal",
    "cals",
    "saying",
    "said",
    "says",
    "wrote",
    "ecrit",
    "dit",
    "mot",
    "word",
    "mots",
    "words",
    "signalement",
    "report",
    "reporting",
    "reported",
    "banis",
    "bani",
    "baned",
    "censored",
    "censure",
    "filtre",
    "filter",
    "regle",
    "rule",
    "interdit",
    "interdits",
    "liste",
    "list",
    "lyrics",
    "titre",
    "title",
    "quoting",
    "cite",
    "dm",
    "dmd",
    "mp",
    "envoye",
    "sent",
    "sends",
];

/// Words that make a rude word innocent when they share its message:
/// animals, dishes, shipping costs, other languages.
const CONTEXTS: &[(&[&str], &[&str])] = &[
    (
        &["bitch", "bitches"],
        &[
            "pupies",
            "pupy",
            "puppy",
            "dog",
            "dogs",
            "heat",
            "greyhound",
            "rescue",
            "liter",
            "bred",
            "kenel",
            "fosters",
            "foster",
        ],
    ),
    (
        &["cock", "cocks"],
        &[
            "crowing", "crow", "roster", "hen", "hens", "farm", "pheasant", "leekie", "chicken",
            "chickens", "soup",
        ],
    ),
    (
        &["tit", "tits"],
        &["bird", "birds", "feder", "blue", "great", "nest"],
    ),
    (
        &["as", "jackas"],
        &[
            "donkey",
            "donkeys",
            "zo",
            "farm",
            "mule",
            "penguins",
            "penguin",
            "sanctuary",
            "refuge",
            "ane",
            "anes",
        ],
    ),
    (&["dick"], &["spoted", "custard", "puding"]),
    (
        &["con", "cons"],
        &[
            "carne", "pollo", "queso", "leche", "arroz", "amore", "panna", "tuto", "gusto",
        ],
    ),
    (
        &["fagot", "fagots"],
        &[
            "peas", "chipy", "gravy", "onion", "boulete", "bouletes", "foie", "meatbals", "liver",
            "pork", "recipe", "recete",
        ],
    ),
    (&["horny"], &["toads", "toad", "lizards", "lizard"]),
    (
        &["chate", "chatte"],
        &[
            "chat",
            "chaton",
            "chatons",
            "chats",
            "portee",
            "chaleur",
            "veto",
            "veterinaire",
            "croquettes",
        ],
    ),
    (
        &["chiene"],
        &[
            "chiot",
            "chiots",
            "chien",
            "portee",
            "chaleur",
            "veto",
            "croquettes",
            "balade",
        ],
    ),
    (
        &["morue"],
        &[
            "acras", "brandade", "poison", "filet", "dessalee", "recette",
        ],
    ),
    (
        &["fdp"],
        &[
            "ofert",
            "oferts",
            "oferte",
            "gratuit",
            "gratuits",
            "livraison",
            "colis",
            "colisimo",
            "relay",
            "relais",
            "dhl",
            "ups",
            "international",
            "tc",
            "ht",
            "inclus",
            "rembourses",
            "rembourse",
            "promo",
            "comande",
            "port",
            "eur",
            "euros",
        ],
    ),
];

/// A word talked about rather than said.
static META: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(
        r"\b(veut dire|voulait dire|means|meaning|en italien|en espagnol|en alemand|en suedois|en latin|du latin|vient du|in german|in spanish|in italian|in latin|in swedish|en anglais|in french)\b",
    )
    .expect("valid")
});

/// How bad a word is without a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    /// An insult whatever it is aimed at (still innocent when quoted,
    /// reported, aimed at oneself or part of a name).
    Strong,
    /// Only an insult when aimed at someone (`vache`, `pig`, `clown`).
    Weak,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    kind: Kind,
    strength: Strength,
}

/// Insults and slurs, French and English, with the spellings trolls use.
/// Written plain; looked up squeezed.
const STRONG_INSULTS: &str = "connard connards connasse connasses conard conar konar conare \
    salope salopes salop salaud salauds pute putes enculé enculés enkulé enculer \
    encule enkule ankule batard batards bâtard batar fdp ntm tg abruti abrutis \
    débile débiles crétin crétins attardé attardés mongol mongols gogol gogole chienne \
    pouffiasse pétasse petasse grognasse trouduc ducon \
    bitch bitches biatch beyotch biotch cunt cunts whore whores slut sluts asshole assholes \
    azzhole dickhead prick pricks twat twot retard retards retarded retarted tard motherfucker \
    mofo dumbass dumazz jackass dipshit shithead bastard bastards wanker wankers douchebag \
    fuckface twatface cocksucker fuckyou stfu gtfo fucktard kys idiot idiots imbécile imbéciles \
    moron morons con cons conne connes salaupe salaupes pouffiace pouffiaces kunt cuhnt \
    ritard retart ritarded braindead nobhead knobhead bellend tosser tossers fugly \
    tarba tarbas tepu tepus tantouze tantouse";

const WEAK_INSULTS: &str = "moche nul nulle nuls loser losers bouffon bouffons \
    clown clowns pig pigs porc porcs vache rat rats chien chiens dégueulasse stupide stupid \
    dumb pathetic pathétique ugly fat trash déchet déchets merde shit crotte worthless \
    useless incapable incapables minable minables monkey monkeys singe singes snake snakes \
    serpent serpents naze nazes gaou";

const SLURS: &str =
    "pd pédé pédés pede tapette tapettes fag fags faggot faggots fagit niggah nigger \
    niggers nigga niggas nibba negro bougnoule bougnoules youpin youpins bicot bicots \
    chinetoque spic spics chink chinks tranny trannies gouine gouines";

fn lexicon() -> &'static WordMap<Entry> {
    static LEXICON: OnceLock<WordMap<Entry>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map = WordMap::default();
        for (list, kind, strength) in [
            (WEAK_INSULTS, Kind::Insult, Strength::Weak),
            (STRONG_INSULTS, Kind::Insult, Strength::Strong),
            (SLURS, Kind::Hate, Strength::Strong),
        ] {
            for word in list.split_whitespace() {
                let key = squeeze(fold(&word.replace('_', "")).chars());
                map.insert(key, Entry { kind, strength });
            }
        }
        map
    })
}

/// Words the joiner may rebuild beyond the lexicon (pieces of phrases).
const JOINABLE: &[&str] = &[
    "yourself", "urself", "gueule", "crever", "buter", "niquer", "shut", "suck", "kil", "die",
    "stab", "strangle",
];

/// Plain lower-case letters of a word written with accents.
fn fold(word: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn lookup(word: &str) -> Option<Entry> {
    if word.chars().count() < 2 {
        return None;
    }
    let map = lexicon();
    map.get(word)
        .copied()
        .or_else(|| {
            // Plurals of the listed words ("spices" is not "spic" + "es").
            word.strip_suffix('s')
                .filter(|stem| stem.chars().count() >= 3)
                .and_then(|stem| map.get(stem).copied())
        })
        .or_else(|| sounds_like(word))
}

/// Shortest sound key a spelling is matched by: shorter keys sound like
/// too many innocent words ("kon", "put"; "speak" sounds like a slur).
const MIN_SOUND_KEY: usize = 5;

/// A word of the lexicon that `word` is a sound-alike spelling of
/// (`eediot`, `mowron`, `wanka`, `retahd`, `tapet`, `débil`, `chinc`):
/// both spelled the way they sound, by [`sound_key`].
fn sounds_like(word: &str) -> Option<Entry> {
    if word.len() < MIN_SOUND_KEY || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let key = sound_key(word);
    if key.len() < MIN_SOUND_KEY {
        return None;
    }
    sound_keys().get(&key).copied()
}

/// The lexicon by sound key. A key two words of different kinds share is
/// left out rather than guessed.
fn sound_keys() -> &'static WordMap<Entry> {
    static KEYS: OnceLock<WordMap<Entry>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: WordMap<Option<Entry>> = WordMap::default();
        for (word, entry) in lexicon() {
            if !word.bytes().all(|b| b.is_ascii_lowercase()) {
                continue;
            }
            let key = sound_key(word);
            if key.len() < MIN_SOUND_KEY {
                continue;
            }
            keys.entry(key)
                .and_modify(|e| {
                    if e.is_some_and(|e| e.kind != entry.kind || e.strength != entry.strength) {
                        *e = None;
                    }
                })
                .or_insert(Some(*entry));
        }
        keys.into_iter()
            .filter_map(|(k, e)| Some((k, e?)))
            .collect()
    })
}

/// How a lower-case ASCII word sounds, roughly, in French or English
/// chat: one letter for one sound (`ph` → f, `ck`/`q`/hard `c` → k, soft
/// `c`/`z` → s, `ch`/`sh`/`tch` → one sound, `ee`/`ea`/`y` → i, `oo`/`ou`
/// → u, `ai`/`ei`/`ea` → e, `au`/`ow` → o, final `ng` → n), the
/// non-rhotic endings English
/// trolls write (`-er`, `-ar`, `-ah` → a), silent `h` and final `e`,
/// nasal `en`/`an` alike, and no letter twice in a row.
fn sound_key(word: &str) -> String {
    let b = word.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let (c, n) = (b[i], at(i + 1));
        let (sound, used): (&[u8], usize) = match c {
            b't' if n == b'c' && at(i + 2) == b'h' => (b"S", 3),
            b'c' | b's' if n == b'h' => (b"S", 2),
            b'p' if n == b'h' => (b"f", 2),
            b'c' if n == b'k' => (b"k", 2),
            b'q' if n == b'u' => (b"k", 2),
            b'q' | b'k' => (b"k", 1),
            b'c' if matches!(n, b'e' | b'i' | b'y') => (b"s", 1),
            b'c' => (b"k", 1),
            b'z' => (b"s", 1),
            b'x' => (b"ks", 1),
            b'h' => (b"", 1),
            b'e' if n == b'e' => (b"i", 2),
            b'e' if n == b'a' => (b"e", 2),
            b'n' if n == b'g' && i + 2 == b.len() => (b"n", 2),
            b'y' => (b"i", 1),
            b'o' if matches!(n, b'o' | b'u') => (b"u", 2),
            b'a' | b'e' if n == b'i' => (b"e", 2),
            b'a' if n == b'u' => (b"o", 2),
            b'o' if n == b'w' => (b"o", 2),
            b'a' if matches!(n, b'r' | b'h') && !is_vowel(at(i + 2)) => (b"a", 2),
            b'e' if n == b'r' && i + 2 == b.len() && i >= 2 => (b"a", 2),
            b'e' if n == b'n' && !is_vowel(at(i + 2)) => (b"an", 2),
            b'e' if i + 1 == b.len() && i >= 3 => (b"", 1),
            _ => (std::slice::from_ref(&b[i]), 1),
        };
        for &s in sound {
            if out.last() != Some(&s) {
                out.push(s);
            }
        }
        i += used;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

struct Phrase {
    regex: Regex,
    kind: Kind,
    weight: f32,
}

/// Phrases, as regexes over the squeezed words joined by single spaces,
/// each with the words that can set it off (a message with none of them
/// skips it: most messages run no regex at all). Written with plain
/// spellings: every run of a repeated letter is squeezed before compiling,
/// as the text is.
const PHRASES: &[(Kind, f32, &str, &str)] = &[
    // Threats.
    (Kind::Threat, 0.95, "buter bute crever creve krever kreve tuer defoncer defonce niquer nique niker retrouver trouver egorger planter frapper stab shot baiser casser", r"\b((je|j) (vais|vai|v|vé|ve|vas|va)|jvais|jvai|jve|jvé|jv) (te|t) (buter|bute|crever|creve|krever|kreve|tuer|defoncer|defonce|niquer|nique|niker|retrouver|trouver|egorger|planter|frapper|stab|shot|baiser|casser)"),
    (Kind::Threat, 0.95, "buter crever tuer defoncer egorger planter", r"\b(te|t) (buter|crever|tuer|defoncer|egorger|planter) (a la sortie|ce soir)"),
    (Kind::Threat, 0.95, "crever mourir creve", r"\b(tu vas|tu va|vas|va) (crever|mourir|creve)"),
    (Kind::Threat, 0.95, "habites habite habit vis finis travailes bosses", r"\b(je|j) ?(sais|sait|c|se|sé) (ou|où|a quele heure|quand) (t habites|tu habites|t habite|t habit|tu habite|tu vis|tu finis|tu travailes|tu bosses)"),
    (Kind::Threat, 0.95, "live lives stay work shift", r"\b(i know|i no|ik|kn0w|know) (where|which \w+|what time) (you|u|ya) (live|lives|stay|work|finish|get of)"),
    (Kind::Threat, 0.95, "yourself urself self yourselves kilyourself kilurself", r"\b(kill|kil|shot|shoot|hang) ?(yourself|urself|your self|ur self|yourselves)"),
    (Kind::Threat, 0.95, "kys", r"\bkys\b"),
    (Kind::Threat, 0.95, "die kill", r"\b(go|pls|please|just) (die|kill yourself)"),
    (Kind::Threat, 0.95, "die", r"\bdie in a (fire|hole|ditch)"),
    (Kind::Threat, 0.95, "stab kil kill shot shoot hurt beat murder", r"\b(i ll|il|i will|im gona|i m gona|gona) (stab|kil|shot|shoot|find|hurt|beat|murder) (you|u|ya)"),
    (Kind::Threat, 0.9, "coming comin", r"\b(coming|comin) for (you|u|ya)"),
    (Kind::Threat, 0.9, "stab shot", r"\b(stab|shot) (you|u|yourself)"),
    (Kind::Threat, 0.9, "stab shot", r"\b(stab|shot) (stab|shot|im|i m|i)"),
    (Kind::Threat, 0.9, "stab shot", r"\b(stab|shot)\b.{0,40}\b(see (you|u|ya)|(t es|tu es|t|youre|you re|ur) (mort|morte|dead))|\b(t es|tu es|youre|you re|ur) (mort|morte|dead)\b.{0,20}\b(stab|shot)"),
    // Harassment and sexual harassment.
    (Kind::Sexual, 0.9, "nudes nude nudz pics photos seins tits boobs fes feses cul", r"\b(envoie|envoi|envoies|envoyez|balance|send|sends|show|post) (moi |me |mois )?(des |tes |your |ur |some |de )?(nudes|nude|nudz|pics|photos|seins|tits|boobs|as|fes|feses|cul)"),
    (Kind::Sexual, 0.9, "suce suces sucer suck suk sucks blow sus suse", r"\b(suce|suces|sucer|suck|suk|sucks|blow|sus|suse) (ma|mon|my|me) ?(bite|bit|queue|dick|dik|cock|teub|zob)?"),
    (Kind::Sexual, 0.9, "dick dik cock pusy bite cul chate", r"\b(eat|lick|kis|sit on|touche|leche) (my|ma|mon) (dick|dik|cock|as|pusy|bite|cul|chate)"),
    (Kind::Sexual, 0.85, "tits boobs seins fes feses", r"\b(nice|big|show|tes|your|ur) (tits|boobs|seins|fes|feses|as)\b"),
    (Kind::Sexual, 0.85, "nudes pics photos", r"\b(ma belle|ma cherie|babe|baby|bb) .{0,30}\b(nudes|pics|photos|seins|tits|cul|as)\b|\b(nudes|pics|photos) .{0,20}\b(ma belle|ma cherie|babe|baby)\b"),
    // Hate.
    (Kind::Hate, 0.95, "pays bled brousse jungle", r"\b(retourne|retournez|rentre|rentrez) (dans|chez) (ton|ta|tes|vos|votre|toi) (pays|bled|brousse|jungle)|\b(retourne|retournez|rentre|rentrez) chez toi"),
    (Kind::Hate, 0.95, "country jungle cave zo", r"\b(go|get) back to (your|ur|the|yo) (country|jungle|cave|zo)"),
    (Kind::Hate, 0.9, "imigrant imigrants imigre imigres arabe arabes noir noirs juif juifs jew jews muslim muslims", r"\b(dirty|sale|sales) (imigrant|imigrants|imigre|imigres|arabe|arabes|noir|noirs|juif|juifs|jew|jews|muslim|muslims)"),
    // Insults said as phrases.
    (Kind::Insult, 0.9, "gueule geule gule bouche yeule", r"\b(ferme|fermez|ferm) (ta|la|vos|ta grosse|ta sale) (gueule|geule|gule|bouche|yeule)"),
    (Kind::Insult, 0.9, "gueule geule gule", r"\b(ta|ta grosse|ta sale) (gueule|geule|gule)\b"),
    (Kind::Insult, 0.9, "nique niquer nik nike niker niq nk", r"\b(nique|niquer|nik|nike|niker|niq|nk|n1k) (ta|ta mere|ta race|tes|vos|votre|ton|sa|les)"),
    (Kind::Insult, 0.9, "fils fis file", r"\b(fils|fil|fis|file) (de|d) (pute|pt|put|ptn|chienne|catin)"),
    (Kind::Insult, 0.9, "mere mer meuf race", r"\b(ta mere|ta mer|ta meuf|ta race) (la|cette|est une|c est une|en) ?(pute|putain|chienne|salope|p)\b"),
    (Kind::Insult, 0.9, "enkule enculer encule", r"\benkule|\benculer? (de|d) (ta|ta race|ta mere)"),
    (Kind::Insult, 0.9, "foutre enculer encule faire fer", r"\b(va|vas|alez|allez|aller) (te|vous|tous vous|tous te) (faire|fer) (foutre|enculer|encule|mettre|voir|dick|as)"),
    (Kind::Insult, 0.9, "fuck fck fk fuk phuck fuq fug fuc yourself urself", r"\b(fuck|fck|fk|fuk|phuck|fuq|fugg|fuc|f) (you|u|ya|off|of|yourself|urself)\b"),
    (Kind::Insult, 0.85, "shut shet", r"\b(shut|shet) (the (fuck|f|fk|hell|f up) )?(up|it|ur mouth|your mouth)"),
    (Kind::Insult, 0.9, "shut", r"\bshut the f\b"),
    (Kind::Insult, 0.9, "shit sh crap trash garbage", r"\b(you|u|ur|youre|u r) (stupid |dumb |fat |worthless |fucking )?(piece|pile|bag|sack) of (shit|sh|crap|trash|garbage)"),
    (Kind::Insult, 0.85, "kis kiss", r"\b(kis|kiss) my (as|butt)"),
    (Kind::Insult, 0.85, "pauvre pov", r"\b(casse|case) (toi|tois) (pauvre|pov)\b"),
    (Kind::Insult, 0.85, "suck sucks", r"\b(suck|sucks) (it|balls)"),
    (Kind::Insult, 0.9, "mother", r"\bmother ?f\w*"),
];

/// The compiled phrases, and which phrases each trigger word sets off.
struct Phrases {
    phrases: Vec<Phrase>,
    triggers: WordMap<Vec<usize>>,
}

fn phrases() -> &'static Phrases {
    static PHRASES_COMPILED: OnceLock<Phrases> = OnceLock::new();
    PHRASES_COMPILED.get_or_init(|| {
        let mut triggers: WordMap<Vec<usize>> = WordMap::default();
        let phrases = PHRASES
            .iter()
            .enumerate()
            .map(|(index, &(kind, weight, words, source))| {
                for word in words.split_whitespace() {
                    triggers
                        .entry(squeeze(fold(word).chars()))
                        .or_default()
                        .push(index);
                }
                Phrase {
                    // Phrases end at a word's end ("shot i" is not "shot in").
                    regex: Regex::new(&format!("(?:{})\\b", squeeze_pattern(source)))
                        .expect("built-in phrase"),
                    kind,
                    weight,
                }
            })
            .collect();
        Phrases { phrases, triggers }
    })
}

/// Squeezes repeated letters in a regex's source, as [`squeeze`] does to
/// text, so phrases are written with plain spellings.
fn squeeze_pattern(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut last: Option<char> = None;
    for c in source.chars() {
        if c.is_alphabetic() && Some(c) == last && !out.ends_with('\\') {
            continue;
        }
        out.push(c);
        last = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    /// The innocence rules for names, titles and acronyms must not become a
    /// way to write an insult: a capital after an article, an acronym after
    /// "espèce de".
    #[test]
    fn capitals_and_acronyms_read_in_context() {
        let verdict =
            |text: &str| super::classify(text, &crate::normalize::Normalized::new(text), &[]);
        for abusive in [
            "le modo est un Connard",
            "espèce de PD",
            "fils de PD va",
            "what a p.r.i.c.k",
            "I'll s t a b you at the meetup",
            "réponds-moi s 4 l 0 p 3",
            "Dan is a r.e.t.a.r.d",
        ] {
            assert!(
                verdict(abusive).is_some_and(|v| v.score >= 0.8),
                "{abusive}"
            );
        }
        for innocent in [
            "prix affiché hors FDP ou tout compris ?",
            "PD de 63 mm noté sur l'ordonnance",
            "Exo de maths : tg(45°) = 1",
            "the Cummings family are hosting the quiz",
            "randonnée au-dessus de Pussy, vue magnifique",
            "Bitch Better Have My Money came on shuffle",
            "anal. de sang prévue lundi",
        ] {
            assert!(
                verdict(innocent).is_none_or(|v| v.score < 0.8),
                "{innocent}"
            );
        }
    }

    #[test]
    fn sound_alike_spellings_find_the_word_they_sound_like() {
        for (spelling, word) in [
            ("eediot", "idiot"),
            ("mowron", "moron"),
            ("wanka", "wanker"),
            ("retahd", "retard"),
            ("tapet", "tapette"),
            ("debil", "debile"),
        ] {
            assert_eq!(
                super::sound_key(spelling),
                super::sound_key(word),
                "{spelling}"
            );
            assert!(super::lookup(spelling).is_some(), "{spelling}");
        }
        for innocent in [
            "speak", "dealer", "poser", "radar", "bonjour", "merci", "colis", "pizza",
        ] {
            assert!(super::lookup(innocent).is_none(), "{innocent}");
        }
    }

    use super::*;

    fn score(text: &str) -> f32 {
        classify(text, &Normalized::new(text), &[]).map_or(0.0, |v| v.score)
    }

    #[test]
    fn acronyms_in_capitals_aimed_at_nobody_are_innocent() {
        let text = "the CUM airport code is for Cumaná";
        let norm = Normalized::new(text);
        let at = text.find("CUM").unwrap();
        assert_eq!(innocent_span(text, &norm, at, at + 3), Some("an acronym"));
        for (text, word) in [
            // Aimed at someone, shouting, hidden, or an insult itself.
            ("you ASS", "ASS"),
            ("WHAT AN ASS THIS GUY", "ASS"),
            ("P.U.T.3 de stagiaire", "P.U.T.3"),
            ("FDP va, rembourse", "FDP"),
        ] {
            let norm = Normalized::new(text);
            let at = text.find(word).unwrap();
            assert_ne!(
                innocent_span(text, &norm, at, at + word.len()),
                Some("an acronym"),
                "{text}"
            );
        }
    }

    #[test]
    fn allowed_phrases_are_not_evidence() {
        let allowed: Vec<String> = ["idiot savant", "taille TG", "Salaud, on t'aime"]
            .iter()
            .map(|p| allow_key(p))
            .collect();
        let with =
            |text: &str| classify(text, &Normalized::new(text), &allowed).map_or(0.0, |v| v.score);
        for text in [
            "idiot savant - Élodie",
            "taille TG dispo en noir seulement",
            "Salaud, on t'aime avec Johnny, vous l'avez vu ?",
        ] {
            assert!(score(text) >= 0.8, "flagged without the allow list: {text}");
            assert_eq!(with(text), 0.0, "{text}");
        }
        // Only inside the phrase: the same word aimed at someone elsewhere
        // in the message still counts.
        assert!(with("idiot savant toi-même, t'es qu'un idiot") >= 0.8);
        assert!(with("tg toi, taille TG") >= 0.8);
    }

    #[test]
    fn insults_aimed_at_someone_score_high() {
        for text in [
            "t'es qu'un con",
            "sale connard",
            "espèce de débile",
            "you're a fucking idiot",
            "ur a bitch",
            "connard !",
            "t'es un c0nar",
            "t'es une sa lope",
            "ferme ta gu... eule",
            "k y s",
            "je vais te b u t e r",
            "suck my 🍆",
            "t'es une 💩 @Julie",
            "Ta Gueule Connard",
            "sale Connard Julien",
            "go back to your country",
            "phuck you",
            "enkulé de ta race",
        ] {
            assert!(score(text) >= 0.8, "{text:?}: {}", score(text));
        }
    }

    #[test]
    fn innocent_uses_score_low() {
        for text in [
            "chili con carne ce soir",
            "Le Dîner de cons repasse ce soir",
            "Moby Dick c'est long",
            "We covered Dick Turpin in history today",
            "Quelqu'un m'a traitée de \"sale pute\" en mp, un modo peut regarder ?",
            "Je suis trop con, j'ai commandé la mauvaise taille",
            "I'm such an idiot, ordered the wrong size",
            "Our bitch just had 7 puppies",
            "Les fdp sont offerts à partir de 45 €",
            "'Con' en italien ça veut dire 'avec'",
            "Dick's Sporting Goods has your shoes on sale",
            "je l'ai tué en deux coups, gg",
        ] {
            assert!(score(text) < 0.8, "{text:?}: {}", score(text));
        }
    }

    #[test]
    fn the_verdict_points_at_the_evidence() {
        let text = "bonjour, t'es vraiment un connard toi";
        let v = classify(text, &Normalized::new(text), &[]).unwrap();
        assert_eq!(&text[v.start..v.end], "connard");
        assert_eq!(v.kind, Kind::Insult);
    }
}
