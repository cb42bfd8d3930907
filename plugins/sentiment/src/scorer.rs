//! The scorer: language guess between French and English, then the VADER
//! rules of that language, giving a compound score in [-1, 1].

use std::collections::HashMap;

use crate::french::sentiments_fr;
use crate::lexicon::{flag, lexicons, Lex, Table, Which};
use crate::model::{en_model, ModelScratch};
use crate::vader::{compound_with, fold_word, sentiments_en, tokenize_into, Buffers, Tokens, View};

pub use vigie_text::Lang;

/// Function words that tell French (vigie-text's list, plus spoken and
/// texting forms).
pub(crate) const FR_HINTS: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "je", "tu", "il", "elle",
    "nous", "vous", "ils", "pas", "ne", "que", "qui", "quoi", "pour", "avec", "sur", "dans", "mon",
    "ma", "mes", "ton", "votre", "vos", "ce", "cette", "ces", "au", "aux", "ou", "mais", "tres",
    "bien", "merci", "bonjour", "salut", "oui", "non", "suis", "ai", "sont", "fait", "comment",
    "quand", "encore", "toujours", "rien", "trop", "plus", "moi", "toi", "y", "en", "se", "sa",
    "son", "ses", "leur", "ca", "cest", "jsuis", "chui", "jai", "ptn", "mdr", "svp", "stp", "pk",
    "pq", "ke", "avez", "etes", "sommes", "etait", "c", "j", "l", "d", "n", "qu", "m", "s", "t",
];

/// Function words that tell English (vigie-text's list).
pub(crate) const EN_HINTS: &[&str] = &[
    "the", "a", "an", "and", "is", "are", "was", "were", "i", "you", "he", "she", "we", "they",
    "it", "not", "no", "that", "this", "what", "how", "when", "where", "why", "for", "with", "on",
    "in", "my", "your", "our", "to", "of", "but", "very", "good", "thanks", "thank", "hello", "hi",
    "yes", "have", "has", "do", "does", "did", "can", "will", "would", "just", "so", "be", "been",
    "me", "at", "from", "there", "here", "again", "still", "too", "if", "or", "please", "anyone",
    "i'm", "it's", "don't", "can't", "didn't", "doesn't", "isn't", "won't", "i've", "i'll",
    "you're", "that's", "there's", "dont", "cant", "im",
];

/// The result of scoring one text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The score in [-1, 1], rounded to 4 decimals: VADER's compound score
    /// (in English with the sign the model decides).
    pub compound: f64,
    /// The language the rules of which were applied.
    pub lang: Lang,
}

/// Scores texts; holds the community's own lexicon entries.
#[derive(Debug, Clone)]
pub struct Scorer {
    /// Used when the text gives no hint of its language.
    pub default_lang: Lang,
    extra_en: Table,
    extra_fr: Table,
}

/// The buffers of [`Scorer::score_with`], reused from one text to the next
/// so that scoring allocates nothing once they have grown.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    tokens: Tokens,
    buffers: Buffers,
    model: ModelScratch,
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer::new(Lang::Fr, HashMap::new(), HashMap::new())
    }
}

impl Scorer {
    /// A scorer with extra lexicon entries (keys are folded here).
    pub fn new(
        default_lang: Lang,
        extra_en: HashMap<String, f64>,
        extra_fr: HashMap<String, f64>,
    ) -> Self {
        let fold = |m: HashMap<String, f64>| {
            let mut t = Table::default();
            for (k, v) in m {
                t.insert(&fold_word(&k), v);
            }
            t.build_filter();
            t
        };
        Scorer {
            default_lang,
            extra_en: fold(extra_en),
            extra_fr: fold(extra_fr),
        }
    }

    fn lex(&self, lang: Lang) -> Lex<'_> {
        match lang {
            Lang::En => Lex::new(lexicons(), &self.extra_en, Which::En),
            Lang::Fr => Lex::new(lexicons(), &self.extra_fr, Which::Fr),
        }
    }

    /// Guesses the language of `text`, then scores it (in English, VADER and
    /// the model: see `final_score`).
    pub fn score(&self, text: &str) -> Score {
        self.score_with(text, &mut Scratch::default())
    }

    /// [`Scorer::score`] with buffers kept by the caller: the text is read
    /// once, for the language guess and the rules of its language.
    pub fn score_with(&self, text: &str, scratch: &mut Scratch) -> Score {
        tokenize_into(text, lexicons(), &mut scratch.tokens);
        let lang = self.guess(scratch.tokens.view(false));
        let compound = self.final_score(text, lang, scratch);
        Score { compound, lang }
    }

    /// VADER's compound score after the rules of `lang`; for English, the
    /// model decides the sign: when VADER agrees with it, the stronger of
    /// the two scores, else the model's. (The sign is the model's either
    /// way, and VADER's lexicon, with the community's own words, keeps its
    /// strength: "the app keeps crashing" stays as negative as VADER says,
    /// where the model, fitted on reviews and tweets, is milder.)
    fn final_score(&self, text: &str, lang: Lang, scratch: &mut Scratch) -> f64 {
        let vader = self.compound(lang, scratch);
        let score = match lang {
            Lang::En => {
                let model = en_model().score_with(text, vader, &mut scratch.model);
                if model * vader > 0.0 && vader.abs() > model.abs() {
                    vader
                } else if vader == 0.0
                    && (model.abs() < QUIET_MODEL
                        || (text.trim_end().ends_with('?') && model.abs() < QUIET_QUESTION))
                {
                    // No word of the lexicon and a hesitant model: a
                    // question, a piece of logistics, neither good nor bad.
                    0.0
                } else {
                    round4(model)
                }
            }
            Lang::Fr => vader,
        };
        chat_reading(text, score, scratch.tokens.view(true))
    }

    /// The compound score of the tokenised text after the rules of `lang`.
    fn compound(&self, lang: Lang, scratch: &mut Scratch) -> f64 {
        let Scratch {
            tokens, buffers, ..
        } = scratch;
        match lang {
            Lang::En => sentiments_en(tokens.view(false), self.lex(Lang::En), buffers),
            Lang::Fr => sentiments_fr(tokens.view(true), self.lex(Lang::Fr), buffers),
        }
        compound_with(buffers.sentiments(), tokens.emphasis())
    }

    /// Scores `text` with the rules of `lang`.
    pub fn score_as(&self, text: &str, lang: Lang) -> f64 {
        let mut scratch = Scratch::default();
        tokenize_into(text, lexicons(), &mut scratch.tokens);
        self.final_score(text, lang, &mut scratch)
    }

    /// VADER's compound score of `text` after the rules of `lang`, without
    /// the English model (what the model is fitted on).
    pub fn vader_as(&self, text: &str, lang: Lang) -> f64 {
        let mut scratch = Scratch::default();
        tokenize_into(text, lexicons(), &mut scratch.tokens);
        self.compound(lang, &mut scratch)
    }

    /// Each token of `text` with its sentiment after the rules of `lang`
    /// (for tuning a community's lexicon and for debugging).
    pub fn explain(&self, text: &str, lang: Lang) -> Vec<(String, f64)> {
        let mut scratch = Scratch::default();
        tokenize_into(text, lexicons(), &mut scratch.tokens);
        self.compound(lang, &mut scratch);
        let tokens = scratch.tokens.view(lang == Lang::Fr);
        (0..tokens.len())
            .map(|i| (tokens.word(i).to_string(), scratch.buffers.sentiments()[i]))
            .collect()
    }

    /// French or English by function words (`c'est`, `j'ai` count as
    /// French); on a tie, by the number of words each lexicon knows; then
    /// the default. `tokens`: with elisions not split.
    pub fn guess(&self, tokens: View) -> Lang {
        let (mut fr, mut en) = (0u32, 0u32);
        for i in 0..tokens.len() {
            if tokens.apostrophe(i) {
                let w = tokens.word(i);
                let at = w.bytes().position(|c| c == b'\'').unwrap_or(w.len());
                if vigie_text::ELISIONS.contains(&&w[..at]) {
                    fr += 1;
                    continue;
                }
            }
            let flags = tokens.info(i).flags;
            fr += (flags & flag::HINT_FR != 0) as u32;
            en += (flags & flag::HINT_EN != 0) as u32;
        }
        if fr == en {
            let (lex_fr, lex_en) = (self.lex(Lang::Fr), self.lex(Lang::En));
            for i in 0..tokens.len() {
                fr += tokens.has(lex_fr, i) as u32;
                en += tokens.has(lex_en, i) as u32;
            }
        }
        match fr.cmp(&en) {
            std::cmp::Ordering::Greater => Lang::Fr,
            std::cmp::Ordering::Less => Lang::En,
            std::cmp::Ordering::Equal => self.default_lang,
        }
    }
}

/// Rounded to 4 decimals, as VADER's compound score is.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> f64 {
        Scorer::default().score_as(text, Lang::Fr)
    }

    #[test]
    fn guesses_the_language() {
        let s = Scorer::default();
        let lang = |t: &str| s.score(t).lang;
        assert_eq!(lang("C'est vraiment top"), Lang::Fr);
        assert_eq!(lang("This is really great"), Lang::En);
        assert_eq!(lang("Génial !"), Lang::Fr);
        assert_eq!(lang("Awesome!"), Lang::En);
        assert_eq!(lang("42"), Lang::Fr);
        let en = Scorer::new(Lang::En, HashMap::new(), HashMap::new());
        assert_eq!(en.score("42").lang, Lang::En);
    }

    #[test]
    fn french_negation_ne_pas_once() {
        assert!(fr("Le café est bon") > 0.3);
        assert!(fr("Le café n'est pas bon") < -0.3);
        assert!(fr("Le café est pas bon") < -0.3);
        assert!(fr("Le café n’est vraiment pas bon") < -0.3);
        assert!(fr("J'aime pas ce café") < 0.0);
        assert!(fr("Je n'aime pas du tout") < 0.0);
        assert!(fr("L'appli ne marche plus") < 0.0);
        assert!(fr("Rien ne fonctionne") < 0.0);
        assert!(fr("Jamais déçu par vos cafés") > 0.0);
        assert!(fr("Pas de souci, merci") > 0.0);
        assert!(fr("pas mal du tout") > 0.0);
        assert!(fr("ça marche pas") < 0.0);
        assert!(fr("jamais un café aussi bon") > fr("un café bon"));
        // "ne … que" restricts, it does not negate.
        assert!(fr("Je n'ai que du bon à dire") > 0.0);
        // The negation stops at the nearest sentiment word and at commas.
        assert!(fr("pas de problème, super service") > 0.3);
    }

    #[test]
    fn french_elisions_and_inflections() {
        assert!(fr("J'adore l'appli") > 0.3);
        assert!(fr("j’adore") > 0.3);
        assert!(fr("Très déçues par la commande") < -0.3);
        assert!(fr("C'EST NUL") < -0.3);
    }

    #[test]
    fn french_intensifiers_and_dampeners() {
        assert!(fr("c'est trop bien") > fr("c'est bien"));
        assert!(fr("c'est vraiment super bon") > fr("c'est bon"));
        assert!(fr("c'est bon de ouf") > fr("c'est bon"));
        assert!(fr("c'est grave nul") < fr("c'est nul"));
        assert!(fr("ça craint grave") < fr("ça craint"));
        assert!(fr("c'est un peu cher") > fr("c'est cher"));
        assert!(fr("c'est super") > 0.3, "super alone is a sentiment word");
        assert!(fr("service peu aimable") < 0.0);
    }

    #[test]
    fn french_contrast_and_idioms() {
        assert!(fr("C'est bon mais cher") < fr("C'est bon"));
        assert!(fr("C'est cher mais tellement bon") > 0.0);
        assert!(fr("C'est bon, par contre la livraison est nulle") < 0.0);
        assert!(fr("Pas terrible ce blend") < 0.0);
        assert!(fr("Commande jamais reçue") < 0.0);
        assert!(fr("débitée deux fois") < 0.0);
        assert!(fr("ça vaut le coup") > 0.0);
        assert!(fr("ça vaut pas le coup") < 0.0);
        assert!(fr("ça ne vaut pas le coup") < 0.0);
        assert!(fr("n'importe quoi") < 0.0);
    }

    #[test]
    fn caps_exclamation_and_emoji() {
        assert!(fr("C'est NUL ce service") < fr("C'est nul ce service"));
        assert!(fr("Super !!!") > fr("Super"));
        assert!(fr("Merci 😊") > fr("Merci"));
        assert!(fr("livraison en retard 😡") < fr("livraison en retard"));
        assert!(fr("👍") > 0.0 && fr("👎") < 0.0);
    }

    #[test]
    fn explains_token_by_token() {
        let e = Scorer::default().explain("C'est pas top", Lang::Fr);
        let words: Vec<&str> = e.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["c", "est", "pas", "top"]);
        assert!(e[3].1 < 0.0 && e[..3].iter().all(|(_, s)| *s == 0.0));
    }

    #[test]
    fn extra_entries_from_the_config() {
        let mut extra = HashMap::new();
        extra.insert("Réglisse".to_string(), 2.5);
        let s = Scorer::new(Lang::Fr, HashMap::new(), extra);
        assert!(s.score_as("la réglisse", Lang::Fr) > 0.3);
        assert_eq!(Scorer::default().score_as("la réglisse", Lang::Fr), 0.0);
    }
}

/// Below this, the English model's score on a text with no word of the
/// lexicon is read as neutral.
const QUIET_MODEL: f64 = 0.1;
/// The same for a question: "Do you take Apple Pay?" asks, and the model,
/// fitted on statements, reads a little into its words.
const QUIET_QUESTION: f64 = 0.3;

/// What chat says beyond its words:
/// - 🙃 or 🙄 turns praise into irony ("Super, la mise à jour a effacé ma
///   sauvegarde 🙃", "Oh wonderful, maintenance during the event 🙄"), and
///   "merci pour rien" / "thanks for nothing" is never thanks;
/// - a complaint about waiting ("ça fait dix jours que j'attends mon
///   colis", "refund still processing after three weeks") and a customer
///   leaving ("plus jamais", "never ordering again") are negative even with
///   no negative word;
/// - a message of laughter, an acknowledgement or a greeting only ("mdr
///   ok", "xD", "hello 👋", "👋", "ok merci") is neutral;
/// - a question that is only mildly positive asks, it does not praise
///   ("Vous faites des cartes cadeaux ?").
fn chat_reading(text: &str, score: f64, tokens: View) -> f64 {
    if (text.contains('🙃') || text.contains('🙄')) && score > 0.0 {
        return -score.max(0.3);
    }
    // The scorer's words (lower case, no accents, elisions split), without
    // its emoji and punctuation.
    let words: Vec<&str> = (0..tokens.len())
        .map(|i| tokens.word(i))
        .filter(|w| w.chars().next().is_some_and(char::is_alphanumeric))
        .collect();
    // Each rule looks only at texts that hold its words: this runs on
    // every message.
    if words.iter().any(|w| matches!(*w, "rien" | "nothing"))
        && (has_phrase(&words, &["merci", "pour", "rien"])
            || has_phrase(&words, &["thanks", "for", "nothing"])
            || has_phrase(&words, &["thank", "you", "for", "nothing"]))
    {
        return score.min(-0.5);
    }
    if score < COMPLAINT_UP_TO {
        let counted = words.iter().any(|w| is_unit(w));
        let leaving = words
            .iter()
            .any(|w| matches!(*w, "jamais" | "never" | "last" | "derniere"));
        if counted && waits(&words)
            || leaving && leaves(&words)
            || counted && score <= 0.05 && !text.contains('?') && counts_the_days(&words)
        {
            return score.min(-0.4);
        }
    }
    const SMALL_TALK: &[&str] = &[
        "mdr",
        "mdrr",
        "mdrrr",
        "ptdr",
        "lol",
        "lool",
        "xd",
        "ok",
        "okay",
        "oki",
        "okk",
        "k",
        "hello",
        "salut",
        "hi",
        "hey",
        "coucou",
        "yo",
        "bonjour",
        "bonsoir",
        "re",
        "haha",
        "hahaha",
        "ahah",
        "ahaha",
        "jpp",
        "alright",
        "d",
        "accord",
        "daccord",
        "noted",
        "note",
        "c",
        "est",
        "je",
        "vois",
        "i",
        "see",
        "got",
        "it",
        "compris",
        "understood",
    ];
    // Thanks only count as small talk after an acknowledgement: "ok
    // merci", "noted, thanks" answer; "merci !" thanks.
    const THANKS: &[&str] = &["merci", "thanks", "thx", "ty", "cheers"];
    const ACKNOWLEDGED: &[&str] = &[
        "ok",
        "okay",
        "oki",
        "okk",
        "k",
        "noted",
        "note",
        "accord",
        "daccord",
        "alright",
        "compris",
        "understood",
    ];
    if words.len() > SMALL_TALK_WORDS {
        return if text.trim_end().ends_with('?') && score > 0.0 && score < 0.5 {
            0.0
        } else {
            score
        };
    }
    let acknowledged = words.iter().any(|w| ACKNOWLEDGED.contains(w));
    let only_small_talk = words
        .iter()
        .all(|w| SMALL_TALK.contains(w) || (acknowledged && THANKS.contains(w)));
    let other_symbols = text
        .chars()
        .filter(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii_punctuation())
        .any(|c| !GREETING_SYMBOLS.contains(&c));
    let has_greeting_symbol = text.chars().any(|c| GREETING_SYMBOLS.contains(&c));
    if (!words.is_empty() || has_greeting_symbol) && only_small_talk && !other_symbols {
        return 0.0;
    }
    if text.trim_end().ends_with('?') && score > 0.0 && score < 0.5 {
        return 0.0;
    }
    score
}

/// Small talk is short: longer texts are not read for it.
const SMALL_TALK_WORDS: usize = 6;

/// A waving hand and its skin tones (U+1F44B, U+1F3FB–U+1F3FF).
const GREETING_SYMBOLS: &[char] = &['👋', '🏻', '🏼', '🏽', '🏾', '🏿'];

/// The waiting and leaving rules apply to texts scored below this: a
/// clearly happy text that mentions days ("livré en 2 jours, merci !")
/// stays happy.
const COMPLAINT_UP_TO: f64 = 0.3;

/// Whether `words` contains `phrase`, word after word.
fn has_phrase(words: &[&str], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).any(|w| w == phrase)
}

/// Words of waiting, or of something still not done.
const WAITING: &[&str] = &[
    "attends",
    "attend",
    "attendre",
    "attente",
    "toujours",
    "encore",
    "cours",
    "wait",
    "waiting",
    "waited",
    "still",
    "processing",
    "pending",
    "personne",
    "nobody",
    "chased",
    "relance",
    "relance",
];

/// A wait counted in days, weeks or months ("dix jours", "3 weeks") with
/// a word of waiting or of something still not done ("j'attends",
/// "toujours", "still", "processing", "en cours", "personne ne répond").
fn waits(words: &[&str]) -> bool {
    waits_for(words, WAITING)
}

/// A wait counted in days, weeks or months with one of `markers`.
fn waits_for(words: &[&str], markers: &[&str]) -> bool {
    const NUMBERS: &[&str] = &[
        "un",
        "une",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "six",
        "sept",
        "huit",
        "dix",
        "quinze",
        "vingt",
        "plusieurs",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "ten",
        "fifteen",
        "twenty",
        "several",
        "many",
    ];
    let duration = words.windows(2).any(|w| {
        (w[0].chars().all(|c| c.is_ascii_digit()) || NUMBERS.contains(&w[0]))
            && is_unit(w[1])
            // "a week", but not the French "mise a jour".
            || w[0] == "a" && matches!(w[1], "day" | "week" | "month")
    });
    duration && words.iter().any(|w| markers.contains(w))
}

/// A unit of time a wait is counted in.
fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "jour"
            | "jours"
            | "semaine"
            | "semaines"
            | "mois"
            | "day"
            | "days"
            | "week"
            | "weeks"
            | "month"
            | "months"
            | "heures"
            | "hours"
    )
}

/// A duration counted with nothing else ("ça fait deux semaines que ma box
/// clignote", "depuis un mois", "been blinking red for two weeks"): a
/// complaint about it unless the text says something good or asks ("il
/// est en rupture depuis 2 semaines, il revient quand ?").
fn counts_the_days(words: &[&str]) -> bool {
    const COUNTING: &[&str] = &["fait", "depuis", "been"];
    waits_for(words, COUNTING)
}

/// A customer saying they will not come back: "plus jamais", "never …
/// again", "never ordering", "last time I'm ordering", "la dernière fois
/// que je commande".
fn leaves(words: &[&str]) -> bool {
    const ORDERING: &[&str] = &[
        "commande",
        "commander",
        "achete",
        "order",
        "ordering",
        "buy",
        "buying",
    ];
    let last_time =
        has_phrase(words, &["last", "time"]) || has_phrase(words, &["derniere", "fois"]);
    (last_time && words.iter().any(|w| ORDERING.contains(w)))
        || has_phrase(words, &["plus", "jamais"])
        || (words.first() == Some(&"never") && words.contains(&"again"))
        || has_phrase(words, &["never", "ordering"])
        || has_phrase(words, &["never", "buying"])
        || has_phrase(words, &["last", "time", "i", "order"])
}

#[cfg(test)]
mod chat_tests {
    use super::*;

    #[test]
    fn chat_reads_irony_small_talk_and_questions() {
        let scorer = Scorer::default();
        let irony = "Super, la mise à jour a effacé ma sauvegarde. Merci hein 🙃";
        assert!(scorer.score(irony).compound < 0.0);
        for neutral in [
            "mdr ok",
            "xD",
            "hello 👋",
            "👋🏽",
            "ok merci",
            "Vous faites des cartes cadeaux ?",
        ] {
            assert_eq!(scorer.score(neutral).compound, 0.0, "{neutral}");
        }
        assert!(
            scorer
                .score("Oh wonderful, the server is down again 🙄")
                .compound
                < 0.0
        );
        assert!(scorer.score("Merci pour rien le SAV").compound < 0.0);
        assert!(scorer.score("Thanks for nothing, support").compound < 0.0);
        for complaint in [
            "Ça fait dix jours que j'attends mon colis",
            "Refund still processing after 3 weeks",
            "Plus jamais je commande chez vous",
            "Never ordering from you again",
        ] {
            assert!(scorer.score(complaint).compound <= -0.4, "{complaint}");
        }
        for complaint in [
            "ça fait deux semaines que ma box clignote en rouge",
            "c'est la dernière fois que je commande chez vous",
            "last time i'm ordering from you",
        ] {
            assert!(scorer.score(complaint).compound <= -0.4, "{complaint}");
        }
        for neutral in [
            "noted, thanks",
            "lol ok i see",
            "c'est noté, merci",
            "lol d'accord",
        ] {
            assert_eq!(scorer.score(neutral).compound, 0.0, "{neutral}");
        }
        // A question about a wait asks; "mise a jour" is no duration.
        assert!(
            scorer
                .score("Il est en rupture depuis 2 semaines, il revient quand ?")
                .compound
                > -0.4
        );
        assert!(
            scorer
                .score("mot de passe incorrect depuis la mise a jour")
                .compound
                > -0.4
        );
        assert!(scorer.score("ça déchire ce nouveau jeu").compound > 0.3);
        assert!(
            scorer
                .score("Instructions claires, aucune pièce manquante")
                .compound
                > 0.0
        );
        // Thanks are thanks, and a fast delivery counted in days is praise.
        assert!(scorer.score("merci !").compound > 0.0);
        assert!(
            scorer
                .score("Livré en deux jours, toujours parfait, merci")
                .compound
                > 0.3
        );
        // Laughter does not make a complaint neutral, nor a question erase
        // strong praise.
        assert!(scorer.score("mdr ce service est nul").compound < 0.0);
        assert!(
            scorer
                .score("C'est génial, merci beaucoup !!! vous êtes les meilleurs ?")
                .compound
                > 0.5
        );
    }
}
