//! French rules on VADER's frame: the same valence arithmetic (boosters
//! 0.293 damped with distance, negation × -0.74, caps 0.733, contrast × 0.5 /
//! × 1.5, `!` and `?`, normalisation), with French words and French syntax:
//!
//! - negation: `ne … pas/plus/jamais/rien/guère`, spoken `pas` alone,
//!   `jamais`, `rien`, `aucun`, `sans`, `ni`, `peu` (but `un peu` dampens),
//!   counted once per word (`n'est pas bon` is one negation), reaching the
//!   next sentiment word only and stopping at `,` `.` `;` `!` `?`; `ne … que`
//!   is restrictive, not a negation; `pas` after a verb (`j'aime pas`,
//!   `ça marche pas`) negates it; `jamais aussi bon` emphasises (VADER's
//!   "never so good");
//! - intensifiers before the word (`très`, `trop`, `vraiment`, `super`,
//!   `grave`, `vachement`, …) and after it (`grave`, `de ouf`, `à fond`,
//!   `à mort`, `trop`), dampeners (`un peu`, `assez`, `plutôt`, `à peine`);
//!   a word such as `super` or `bien` boosts the next word when that one
//!   carries sentiment and is a sentiment word itself otherwise;
//! - contrast: the first of `mais`, `par contre`, `cependant`, `pourtant`,
//!   `toutefois`, `néanmoins`, `en revanche`;
//! - idioms whose words carry no sentiment on their own (`pas terrible`,
//!   `n'importe quoi`, `ras le bol`, `jamais reçu`, `débité deux fois`…).
//!
//! Tokens come from [`crate::vader::tokenize`] with elisions split
//! (`n'est` → `n`, `est`) and folded (no accents).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lexicon::{flag, fw, Lex};
use crate::vader::{contrast, Buffers, View, B_DECR, B_INCR, C_INCR, N_SCALAR};

/// Pre-position intensifiers and dampeners.
pub(crate) const BOOSTERS: &[(&str, f64)] = &[
    ("tres", B_INCR),
    ("trop", B_INCR),
    ("vraiment", B_INCR),
    ("super", B_INCR),
    ("hyper", B_INCR),
    ("ultra", B_INCR),
    ("mega", B_INCR),
    ("archi", B_INCR),
    ("vachement", B_INCR),
    ("grave", B_INCR),
    ("tellement", B_INCR),
    ("si", B_INCR),
    ("aussi", B_INCR),
    ("carrement", B_INCR),
    ("completement", B_INCR),
    ("totalement", B_INCR),
    ("absolument", B_INCR),
    ("extremement", B_INCR),
    ("particulierement", B_INCR),
    ("franchement", B_INCR),
    ("sacrement", B_INCR),
    ("terriblement", B_INCR),
    ("incroyablement", B_INCR),
    ("reellement", B_INCR),
    ("vraiement", B_INCR),
    ("bien", B_INCR),
    ("beaucoup", B_INCR),
    ("hautement", B_INCR),
    ("profondement", B_INCR),
    ("enormement", B_INCR),
    ("parfaitement", B_INCR),
    ("plus", B_INCR),
    ("assez", B_DECR),
    ("plutot", B_DECR),
    ("moyennement", B_DECR),
    ("legerement", B_DECR),
    ("presque", B_DECR),
    ("quasi", B_DECR),
    ("quasiment", B_DECR),
    ("relativement", B_DECR),
    ("moins", B_DECR),
];

/// Negation words that negate wherever they stand in the window.
pub(crate) const NEGATORS: &[&str] = &[
    "pas",
    "jamais",
    "rien",
    "aucun",
    "aucune",
    "sans",
    "ni",
    "guere",
    "nullement",
];

/// Negation words that may follow the verb they negate (`j'aime pas`).
pub(crate) const AFTER_VERB: &[&str] = &["pas", "jamais", "guere", "plus"];

/// Contrastive conjunctions (the first one found counts).
pub(crate) const CONTRAST: &[&[&str]] = &[
    &["mais"],
    &["par", "contre"],
    &["cependant"],
    &["pourtant"],
    &["toutefois"],
    &["neanmoins"],
    &["en", "revanche"],
];

/// An idiom: its words (folded, elisions split), its valence, and whether a
/// negation before it flips it (`ne vaut pas le coup` is its own idiom).
pub(crate) struct Idiom(pub(crate) &'static [&'static str], f64, bool);

pub(crate) const IDIOMS: &[Idiom] = &[
    Idiom(&["pas", "terrible"], -1.6, false),
    Idiom(&["pas", "fou"], -1.2, false),
    Idiom(&["pas", "folle"], -1.2, false),
    Idiom(&["pas", "mal", "de"], 0.0, false),
    Idiom(&["n", "importe", "quoi"], -1.8, false),
    Idiom(&["ras", "le", "bol"], -2.2, false),
    Idiom(&["en", "peux", "plus"], -2.2, false),
    Idiom(&["rien", "a", "redire"], 2.2, false),
    Idiom(&["rien", "a", "signaler"], 1.0, false),
    Idiom(&["laisse", "a", "desirer"], -1.8, false),
    Idiom(&["a", "eviter"], -2.0, false),
    Idiom(&["a", "fuir"], -2.4, false),
    Idiom(&["sert", "a", "rien"], -2.0, false),
    Idiom(&["vaut", "le", "coup"], 1.8, true),
    Idiom(&["vaut", "pas", "le", "coup"], -1.8, false),
    Idiom(&["vaut", "le", "detour"], 1.8, true),
    Idiom(&["coup", "de", "coeur"], 2.5, true),
    Idiom(&["aux", "petits", "soins"], 2.2, true),
    Idiom(&["jamais", "recu"], -2.0, false),
    Idiom(&["jamais", "recue"], -2.0, false),
    Idiom(&["jamais", "recus"], -2.0, false),
    Idiom(&["jamais", "arrive"], -2.0, false),
    Idiom(&["jamais", "arrivee"], -2.0, false),
    Idiom(&["toujours", "pas"], -1.0, false),
    Idiom(&["toujours", "rien"], -1.5, false),
    Idiom(&["toujours", "en", "attente"], -1.2, false),
    Idiom(&["sans", "reponse"], -1.5, false),
    Idiom(&["sans", "nouvelles"], -1.5, false),
    Idiom(&["aucune", "reponse"], -1.5, false),
    Idiom(&["aucun", "retour"], -1.2, false),
    Idiom(&["aucun", "gout"], -1.6, false),
    Idiom(&["sans", "gout"], -1.6, false),
    Idiom(&["personne", "ne", "repond"], -1.8, false),
    Idiom(&["personne", "repond"], -1.8, false),
    Idiom(&["debite", "deux", "fois"], -2.0, false),
    Idiom(&["debitee", "deux", "fois"], -2.0, false),
    Idiom(&["preleve", "deux", "fois"], -2.0, false),
    Idiom(&["prelevee", "deux", "fois"], -2.0, false),
    Idiom(&["facture", "deux", "fois"], -2.0, false),
    Idiom(&["facturee", "deux", "fois"], -2.0, false),
    Idiom(&["paye", "deux", "fois"], -2.0, false),
    Idiom(&["payee", "deux", "fois"], -2.0, false),
    Idiom(&["double", "prelevement"], -2.0, false),
    Idiom(&["doubles", "prelevements"], -2.0, false),
    Idiom(&["double", "debit"], -2.0, false),
    // Chat praise: "ça déchire", "ça claque", "une dinguerie" (session 17).
    Idiom(&["ca", "dechire"], 2.2, true),
    Idiom(&["ca", "claque"], 2.0, true),
    Idiom(&["une", "dinguerie"], 2.2, false),
    Idiom(&["de", "folie"], 1.8, false),
    Idiom(&["des", "frissons"], 1.5, false),
    // Delivery and product complaints.
    Idiom(&["rien", "recu"], -2.0, false),
    Idiom(&["pas", "recu"], -1.8, false),
    Idiom(&["pieces", "manquantes"], -1.8, false),
    Idiom(&["piece", "manquante"], -1.8, true),
    Idiom(&["ca", "commence", "a", "bien", "faire"], -2.0, false),
    Idiom(&["la", "honte"], -1.8, false),
];

/// The idioms (their indexes in [`IDIOMS`]) by first word, longest first.
fn idioms_by_first_word() -> &'static HashMap<&'static str, Vec<usize>> {
    static MAP: OnceLock<HashMap<&'static str, Vec<usize>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<usize>> = HashMap::new();
        for (k, Idiom(p, _, _)) in IDIOMS.iter().enumerate() {
            m.entry(p[0]).or_default().push(k);
        }
        for v in m.values_mut() {
            v.sort_by_key(|&k| std::cmp::Reverse(IDIOMS[k].0.len()));
        }
        m
    })
}

/// French tokens (elisions split) with their valences.
struct Fr<'a> {
    t: View<'a>,
    val: &'a [Option<f64>],
    /// [`Fr::modifies_next`] of each token (empty while it is computed).
    boost: &'a [bool],
}

impl Fr<'_> {
    /// True when token `i` has the vocabulary flag `f`.
    #[inline]
    fn is(&self, i: usize, f: u32) -> bool {
        self.t.info(i).flags & f != 0
    }

    /// The pre-position booster scalar of token `i`.
    #[inline]
    fn booster(&self, i: usize) -> Option<f64> {
        if self.is(i, flag::FR_UP) {
            Some(B_INCR)
        } else if self.is(i, flag::FR_DOWN) {
            Some(B_DECR)
        } else {
            None
        }
    }

    /// The [`fw`] code of token `i`.
    #[inline]
    fn code(&self, i: usize) -> u8 {
        self.t.code(i)
    }

    fn is_ne(&self, i: usize) -> bool {
        matches!(self.code(i), fw::NE | fw::N)
    }

    /// A sentiment word (lexicon word or emoji with a valence).
    fn sentiment_word(&self, i: usize) -> bool {
        i < self.t.len()
            && match self.t.emoji(i) {
                Some(v) => v != 0.0,
                None => self.val[i].is_some(),
            }
    }

    /// Token `i` modifies the next word (computed once per token, see
    /// [`Fr::modifies_next`]).
    #[inline]
    fn acts_as_booster(&self, i: usize) -> bool {
        self.boost.get(i).copied().unwrap_or(false)
    }

    /// Token `i` modifies the next word: a booster followed by a sentiment
    /// word, another booster or a negation (`vraiment pas bon`).
    fn modifies_next(&self, i: usize) -> bool {
        let next = i + 1;
        if next >= self.t.len() || self.t.breaks_before(next) {
            return false;
        }
        if self.code(i) == fw::PLUS && self.plus_negates(i) {
            return false;
        }
        self.booster(i).is_some()
            && (self.sentiment_word(next)
                || self.booster(next).is_some()
                || self.is(next, flag::FR_NEGATOR))
    }

    /// `plus` after `ne`/`n'` (up to three words back) is a negation.
    fn plus_negates(&self, i: usize) -> bool {
        (i.saturating_sub(3)..i).any(|j| self.is_ne(j))
    }

    /// Token `i` is a negation of the words after it.
    fn negator(&self, i: usize) -> bool {
        if self.is(i, flag::FR_NEGATOR) {
            return true;
        }
        match self.code(i) {
            fw::NE | fw::N => true,
            fw::PLUS => self.plus_negates(i),
            fw::PEU => i == 0 || self.code(i - 1) != fw::UN,
            _ => false,
        }
    }

    /// A post-position intensifier starting at `i` (`grave`, `de ouf`, `à
    /// fond`, `à mort`, `trop`) and its length.
    fn post_booster(&self, i: usize) -> Option<usize> {
        if i >= self.t.len() || self.t.breaks_before(i) {
            return None;
        }
        match (self.code(i), self.code(i + 1)) {
            (fw::GRAVE, _) => Some(1),
            (fw::TROP, _) if !self.acts_as_booster(i) => Some(1),
            (fw::DE, fw::OUF) | (fw::A, fw::FOND) | (fw::A, fw::MORT) => Some(2),
            _ => None,
        }
    }

    /// Token `i` belongs to a post-position intensifier of an earlier word.
    fn inside_post_booster(&self, i: usize) -> bool {
        (i.saturating_sub(1).max(1)..=i).any(|p| {
            self.sentiment_word(p - 1) && self.post_booster(p).is_some_and(|len| p + len > i)
        })
    }

    /// Whether a negation reaches the word at `i` (whose modifiers start at
    /// `from`, the first word of an idiom or the word itself), and whether it
    /// is a "jamais aussi/si" emphasis instead.
    fn negation(&self, from: usize, i: usize) -> (bool, bool) {
        let lo = from.saturating_sub(3);
        let mut negated = false;
        let mut never_so = false;
        for j in (lo..from).rev() {
            if self.t.breaks_before(j + 1) {
                break; // punctuation between j and the word
            }
            if j + 1 < from && self.sentiment_word(j + 1) && !self.acts_as_booster(j + 1) {
                break; // the negation belongs to that nearer sentiment word
            }
            if self.negator(j) {
                if self.is_ne(j) && (j + 1..from).any(|k| matches!(self.code(k), fw::QUE | fw::QU))
                {
                    continue; // restrictive "ne … que"
                }
                if self.code(j) == fw::JAMAIS && matches!(self.code(from - 1), fw::AUSSI | fw::SI) {
                    never_so = true;
                    continue;
                }
                negated = true;
            }
        }
        // A negation after the verb: "j'aime pas", "ça marche plus".
        let next = i + 1;
        if !negated
            && next < self.t.len()
            && !self.t.breaks_before(next)
            && self.is(next, flag::FR_AFTER_VERB)
            && (self.code(next) != fw::PLUS
                || !matches!(self.code(next + 1), fw::DE | fw::D | fw::QUE | fw::QU))
        {
            let later = (next + 1..(next + 3).min(self.t.len()))
                .take_while(|&k| !self.t.breaks_before(k))
                .any(|k| self.sentiment_word(k) && !self.acts_as_booster(k));
            if !later {
                negated = true;
            }
        }
        (negated, never_so)
    }

    /// The valence of the word or idiom ending at `i`, starting at `from`.
    fn valence(&self, base: f64, from: usize, i: usize, negatable: bool, cap_diff: bool) -> f64 {
        let mut valence = base;
        if from == i && self.t.upper(i) && cap_diff {
            valence += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        // Boosters up to three words before, damped with distance.
        for k in 1..=3 {
            if from < k {
                break;
            }
            let j = from - k;
            if self.t.breaks_before(j + 1) {
                break;
            }
            let dampener_pair = j > 0
                && matches!(
                    (self.code(j - 1), self.code(j)),
                    (fw::UN, fw::PEU) | (fw::A, fw::PEINE)
                );
            let mut scalar = if dampener_pair {
                B_DECR
            } else if self.acts_as_booster(j) {
                self.booster(j).unwrap_or(0.0)
            } else {
                continue;
            };
            if valence < 0.0 {
                scalar = -scalar;
            }
            if self.t.upper(j) && cap_diff {
                scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
            }
            valence += scalar * [1.0, 0.95, 0.9][k - 1];
        }
        // Intensifiers after the word.
        if self.post_booster(i + 1).is_some() {
            valence += if valence < 0.0 { -B_INCR } else { B_INCR };
        }
        if negatable {
            let (negated, never_so) = self.negation(from, i);
            if never_so {
                valence *= 1.25;
            } else if negated {
                valence *= N_SCALAR;
            }
        }
        valence
    }
}

/// Per-token sentiments of French tokens (elisions split), into
/// `b.sentiments`.
pub fn sentiments_fr(t: View, lex: Lex, b: &mut Buffers) {
    let n = t.len();
    t.valences(lex, &mut b.val);
    let fr = Fr {
        t,
        val: &b.val,
        boost: &[],
    };
    b.boost.clear();
    b.boost.extend((0..n).map(|i| fr.modifies_next(i)));
    let fr = Fr {
        t,
        val: &b.val,
        boost: &b.boost,
    };
    let cap_diff = t.cap_differential();
    // Idioms: the valence goes to the idiom's last word, the others get 0.
    let idiom_end = &mut b.idiom_end;
    idiom_end.clear();
    idiom_end.resize(n, None);
    let inside = &mut b.inside;
    inside.clear();
    inside.resize(n, false);
    let mut i = 0;
    while i < n {
        let found = if fr.is(i, flag::FR_IDIOM) {
            idioms_by_first_word().get(t.word(i)).and_then(|c| {
                c.iter()
                    .map(|&k| &IDIOMS[k])
                    .find(|Idiom(p, _, _)| t.matches(i, p))
            })
        } else {
            None
        };
        match found {
            Some(Idiom(p, v, negatable)) => {
                let end = i + p.len() - 1;
                idiom_end[end] = Some((i, *v, *negatable));
                inside[i..end].iter_mut().for_each(|x| *x = true);
                i = end + 1;
            }
            None => i += 1,
        }
    }
    let sentiments = &mut b.sentiments;
    sentiments.clear();
    for i in 0..n {
        let s = if let Some((from, v, negatable)) = idiom_end[i] {
            fr.valence(v, from, i, negatable, cap_diff)
        } else if inside[i] || fr.acts_as_booster(i) || fr.inside_post_booster(i) {
            0.0
        } else if let Some(v) = t.emoji(i) {
            if v == 0.0 {
                0.0
            } else {
                fr.valence(v, i, i, true, cap_diff)
            }
        } else if let Some(v) = fr.val[i] {
            fr.valence(v, i, i, true, cap_diff)
        } else {
            0.0
        };
        sentiments.push(s);
    }
    let at = (0..n)
        .filter(|&i| fr.is(i, flag::FR_CONTRAST))
        .find_map(|i| {
            CONTRAST
                .iter()
                .find(|p| t.matches(i, p))
                .map(|p| i + p.len() - 1)
        });
    if let Some(at) = at {
        contrast(sentiments, at);
    }
}
