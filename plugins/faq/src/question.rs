//! Is this message a question (or a request for help)? A heuristic for
//! French and English chat: a question mark, an interrogative word or
//! phrase opening a sentence, an interrogative left where the statement
//! would have its answer (`vous ouvrez à quelle heure`, `ça coûte
//! combien`, `what do I do`), a French inversion (`livrez-vous`), a
//! request (`svp`, `pls`), or a phrase that asks for help or reports a
//! problem (`j'ai oublié mon…`, `I can't…`, `toujours pas reçu`, `arrivée
//! cassée`).

use std::sync::OnceLock;

use crate::index::FxMap;
use crate::text::Tokens;

/// Words that open a question when they start a sentence.
pub(crate) const OPENERS: &[&str] = &[
    // French
    "comment",
    "quand",
    "ou",
    "pourquoi",
    "combien",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "quoi",
    "lequel",
    "laquelle",
    "lesquels",
    "lesquelles",
    "peut",
    "puis",
    "pouvez",
    "avez",
    "savez",
    "existe",
    "faut",
    "serait",
    "auriez",
    "pourriez",
    // English
    "how",
    "when",
    "where",
    "what",
    "why",
    "which",
    "who",
    "whom",
    "whose",
    "can",
    "could",
    "would",
    "will",
    "should",
    "shall",
    "may",
    "do",
    "does",
    "did",
    "is",
    "are",
    "am",
    "was",
    "were",
    "has",
    "have",
    "any",
    "anyone",
    "anybody",
    "someone",
    "somebody",
];

/// Phrases (folded words) that make a question wherever they are.
pub(crate) const PHRASES: &[&[&str]] = &[
    // French
    &["est", "ce", "que"],
    &["est", "ce", "qu"],
    &["qu", "est", "ce"],
    &["y", "a", "t", "il"],
    &["il", "y", "a", "moyen"],
    &["quelqu", "un", "sait"],
    &["quelqu", "un", "a"],
    &["je", "cherche"],
    &["j", "aimerais", "savoir"],
    &["je", "voudrais", "savoir"],
    &["je", "me", "demande"],
    &["besoin", "d", "aide"],
    &["aidez", "moi"],
    &["j", "arrive", "pas"],
    &["n", "arrive", "pas"],
    &["y", "arrive", "pas"],
    &["impossible", "de"],
    &["impossible", "d"],
    &["marche", "pas"],
    &["marche", "plus"],
    &["fonctionne", "pas"],
    &["fonctionne", "plus"],
    &["toujours", "pas"],
    &["arrive", "plus"],
    &["arrive", "jamais"],
    &["marche", "jamais"],
    &["toujours", "en", "attente"],
    &["j", "attends", "toujours"],
    &["je", "veux"],
    &["je", "voudrais"],
    &["j", "aimerais"],
    &["je", "souhaite"],
    &["toujours", "rien"],
    &["pas", "recu"],
    &["pas", "encore", "recu"],
    &["recois", "pas"],
    &["recoit", "pas"],
    &["j", "ai", "oublie"],
    &["oublie", "mon"],
    &["oublie", "ma"],
    &["meme", "question"],
    &["une", "idee"],
    &["des", "infos"],
    &["comment", "faire"],
    &["c", "est", "normal"],
    &["vous", "livrez"],
    &["vous", "envoyez"],
    &["vous", "expediez"],
    &["vous", "etes", "ouverts"],
    &["vous", "etes", "ouvert"],
    &["vous", "acceptez"],
    &["on", "peut"],
    &["je", "peux"],
    &["une", "question"],
    &["petite", "question"],
    &["voulais", "savoir"],
    &["veux", "savoir"],
    &["savoir", "si"],
    &["dites", "moi"],
    &["quelle", "heure"],
    &["est", "ou"],
    &["c", "est", "quand"],
    &["jamais", "recu"],
    &["rien", "recu"],
    &["fait", "quoi"],
    &["faites", "quoi"],
    &["fais", "quoi"],
    &["s", "il", "vous", "plait"],
    &["s", "il", "te", "plait"],
    // English
    &["can", "not"],
    &["could", "not"],
    &["need", "to"],
    &["souviens", "plus"],
    &["souviens", "pas"],
    &["rappelle", "plus"],
    &["rappelle", "pas"],
    &["can", "not", "log"],
    &["i", "want", "to"],
    &["i", "would", "like"],
    &["i", "d", "like"],
    &["still", "waiting"],
    &["never", "got"],
    &["never", "received"],
    &["never", "came"],
    &["did", "not", "receive"],
    &["did", "not", "get"],
    &["not", "received"],
    &["not", "receiving"],
    &["is", "that", "normal"],
    &["is", "it", "normal"],
    &["locked", "out"],
    &["will", "not", "let", "me"],
    &["i", "cannot"],
    &["unable", "to"],
    &["does", "not", "work"],
    &["not", "working"],
    &["is", "not", "working"],
    &["stopped", "working"],
    &["still", "have", "not"],
    &["still", "has", "not"],
    &["still", "not"],
    &["have", "not", "received"],
    &["has", "not", "arrived"],
    &["never", "arrived"],
    &["not", "arrived"],
    &["i", "forgot"],
    &["forgot", "my"],
    &["i", "wonder"],
    &["wondering"],
    &["need", "help"],
    &["help", "me"],
    &["any", "idea"],
    &["any", "ideas"],
    &["same", "question"],
    &["looking", "for"],
    &["like", "to", "know"],
    &["want", "to", "know"],
    &["do", "you"],
    &["is", "there"],
    &["are", "there"],
    &["a", "question"],
    &["quick", "question"],
    &["tell", "me"],
    &["let", "me", "know"],
    &["how", "much"],
    &["how", "many"],
    &["how", "long"],
];

/// An English interrogative followed by an auxiliary asks wherever it is
/// (`… my machine, what do I do`, `sold out again, when's the restock`),
/// not only at the start of a clause.
pub(crate) const WH_WORDS: &[&str] = &["how", "when", "where", "what", "why", "which"];
/// French interrogatives that ask at the end of a clause too, where the
/// answer would stand (`elle part quand`, `on fait comment`). (`quoi` ends
/// many chat sentences as a filler, so only `fait quoi` and the like ask.)
pub(crate) const IN_SITU: &[&str] = &["quand", "comment", "pourquoi", "combien"];

/// The auxiliaries of [`WH_WORDS`] (`s` and `re` from `when's`, `what're`).
pub(crate) const AUXILIARIES: &[&str] = &[
    "is", "s", "are", "re", "do", "does", "did", "can", "should", "will", "would",
];

/// French subject pronouns after a hyphen: `livrez-vous`, `peut-on`.
pub(crate) const INVERSION: &[&str] = &[
    "vous", "tu", "il", "elle", "on", "je", "ils", "elles", "nous",
];

/// Words that ask, ask for help or report a problem wherever they are
/// (`svp`, `combien`, `help`, `impossible`, `bloqué`, `cassée`…).
pub(crate) const ASKING_WORDS: &[&str] = &[
    "svp",
    "please",
    "combien",
    "casse",
    "cassee",
    "abime",
    "abimee",
    "endommage",
    "endommagee",
    "defectueux",
    "defectueuse",
    "broken",
    "damaged",
    "defective",
    "faulty",
    "cracked",
    "aide",
    "aidez",
    "probleme",
    "problemes",
    "souci",
    "soucis",
    "bloque",
    "bloquee",
    "erreur",
    "impossible",
    "incorrect",
    "incorrecte",
    "help",
    "problem",
    "problems",
    "issue",
    "issues",
    "stuck",
    "error",
    "unable",
    "wrong",
];

/// True when `text` reads as a question or a request for help.
pub fn is_question(text: &str) -> bool {
    is_question_with(text, &mut QuestionScratch::default())
}

/// Working memory of [`is_question_with`], reused from text to text.
#[derive(Debug, Clone, Default)]
pub struct QuestionScratch {
    folded: String,
    tokens: Tokens,
    /// The words of the current clause (byte ranges in `buf`).
    buf: String,
    expanded: Vec<(u32, u32)>,
    words: Vec<(u32, u32)>,
}

/// [`is_question`] with reused working memory.
pub fn is_question_with(text: &str, s: &mut QuestionScratch) -> bool {
    if text.contains(['?', '？', '¿']) {
        return true;
    }
    crate::text::fold_into(text, &mut s.folded);
    let folded: &str = &s.folded;
    // French inversion: a word, a hyphen, a subject pronoun.
    for (i, _) in folded.match_indices('-') {
        let before = folded[..i].chars().next_back();
        if !before.is_some_and(char::is_alphabetic) {
            continue;
        }
        let rest = &folded[i + 1..];
        let end = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '-'))
            .map_or(rest.len(), |(j, _)| j);
        let pronoun = rest[..end].trim_start_matches("t-");
        if INVERSION.contains(&pronoun) {
            return true;
        }
    }
    // Openers at the start of a clause, phrases and words anywhere; on
    // words with chat spellings expanded (`c koi` → `quoi`, `cant` → `can
    // not`). The words are tokenised once: no word spans a clause
    // separator, and a word's folding does not depend on its neighbours.
    s.tokens.tokenize(folded);
    let QuestionScratch {
        tokens,
        buf,
        expanded,
        words,
        ..
    } = s;
    let lexicon = lexicon();
    let toks = tokens.toks();
    let mut last_end = 0;
    let mut k = 0;
    while k < toks.len() {
        // One clause: the tokens up to the next separator.
        buf.clear();
        expanded.clear();
        let mut first = true;
        while k < toks.len() {
            let t = &toks[k];
            if !first && folded[last_end..t.start].contains(CLAUSE_SEPARATORS) {
                break;
            }
            first = false;
            last_end = t.end;
            let w = tokens.word(t);
            match crate::normalize::expansion(w) {
                Some(e) => e.iter().for_each(|w| expanded.push(push(buf, w))),
                None => expanded.push(push(buf, w)),
            }
            k += 1;
        }
        english_negations(buf, expanded, words);
        let word = |r: &(u32, u32)| &buf[r.0 as usize..r.1 as usize];
        let first = words
            .iter()
            .map(|r| (word(r), lexicon.get(word(r))))
            .find(|(w, info)| !info.is_some_and(|i| i.greeting) && w.len() > 1);
        if first.is_some_and(|(_, info)| info.is_some_and(|i| i.opener)) {
            return true;
        }
        let last = words.last().and_then(|r| lexicon.get(word(r)));
        if last.is_some_and(|info| info.in_situ) {
            return true;
        }
        for (i, r) in words.iter().enumerate() {
            let Some(info) = lexicon.get(word(r)) else {
                continue;
            };
            if info.asking {
                return true;
            }
            if info.wh
                && words
                    .get(i + 1)
                    .is_some_and(|next| lexicon.get(word(next)).is_some_and(|n| n.auxiliary))
            {
                return true;
            }
            let rest = &words[i..];
            if info.phrases.iter().any(|p| {
                rest.len() >= p.len() && rest.iter().zip(p.iter()).all(|(r, w)| word(r) == *w)
            }) {
                return true;
            }
        }
    }
    false
}

fn push(buf: &mut String, w: &str) -> (u32, u32) {
    let start = buf.len() as u32;
    buf.push_str(w);
    (start, buf.len() as u32)
}

/// What separates clauses (the question mark makes a question anyway).
const CLAUSE_SEPARATORS: [char; 8] = ['.', '!', ';', '\n', ':', ',', '(', ')'];

/// What question detection knows of a word.
#[derive(Debug, Default)]
struct WordInfo {
    opener: bool,
    asking: bool,
    greeting: bool,
    wh: bool,
    auxiliary: bool,
    in_situ: bool,
    /// The phrases that start with it.
    phrases: Vec<&'static [&'static str]>,
}

/// Builds the word table now (else the first question does).
pub fn prepare() {
    lexicon();
}

/// The word lists above as one table, built once.
fn lexicon() -> &'static FxMap<&'static str, WordInfo> {
    static LEXICON: OnceLock<FxMap<&'static str, WordInfo>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut m: FxMap<&'static str, WordInfo> = FxMap::default();
        for w in OPENERS {
            m.entry(w).or_default().opener = true;
        }
        for w in ASKING_WORDS {
            m.entry(w).or_default().asking = true;
        }
        for w in WH_WORDS {
            m.entry(w).or_default().wh = true;
        }
        for w in AUXILIARIES {
            m.entry(w).or_default().auxiliary = true;
        }
        for w in IN_SITU {
            m.entry(w).or_default().in_situ = true;
        }
        for w in GREETINGS {
            m.entry(w).or_default().greeting = true;
        }
        for p in PHRASES {
            m.entry(p[0]).or_default().phrases.push(p);
        }
        m
    })
}

/// `didn` `t` → `did` `not`, `can` `t` → `can` `not`, `won` `t` → `will`
/// `not`: one spelling for the phrases, with or without the apostrophe.
/// (Words are byte ranges in `buf`; new words are added to it.)
fn english_negations(buf: &mut String, words: &[(u32, u32)], out: &mut Vec<(u32, u32)>) {
    out.clear();
    let mut i = 0;
    while i < words.len() {
        let (a, b) = words[i];
        let next_is_t = words
            .get(i + 1)
            .is_some_and(|&(c, d)| &buf[c as usize..d as usize] == "t");
        if next_is_t {
            let w = &buf[a as usize..b as usize];
            let base = match w {
                "can" => Some(push(buf, "can")),
                "won" => Some(push(buf, "will")),
                "don" => Some(push(buf, "do")),
                "shan" => Some(push(buf, "shall")),
                _ => w
                    .strip_suffix('n')
                    .filter(|b| b.ends_with(['s', 'd', 'e', 'l']))
                    .map(|_| (a, b - 1)),
            };
            if let Some(base) = base {
                out.push(base);
                out.push(push(buf, "not"));
                i += 2;
                continue;
            }
        }
        out.push((a, b));
        i += 1;
    }
}

/// Words that may come before the question proper (`Bonjour, comment…`).
pub(crate) const GREETINGS: &[&str] = &[
    "bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "re", "alors", "euh", "dites",
    "svp", "please", "so", "ok", "okay", "and", "et", "also", "aussi", "sorry", "desole", "excuse",
    "moi", "excusez", "pardon", "question", "quick", "petite", "juste", "just", "du", "coup",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_questions() {
        for q in [
            "Vous livrez en Suisse ?",
            "comment on detartre la machine",
            "Bonjour, comment faire un retour",
            "Livrez-vous en Belgique",
            "Y a-t-il un déca",
            "J'ai oublié mon mot de passe pour l'appli :(",
            "je reçois pas le mail de réinitialisation",
            "Do you ship to Canada",
            "hi, where is my order",
            "Same question for Belgium, my parents live in Brussels",
            "I can't log in since the update",
            "is there a decaf version",
            "quand est-ce que la boutique ouvre",
            "Est-ce que vous livrez en Belgique",
            "c koi les horaires du magasin de paris",
            "my delivery is super late, what do I do",
            "didn't receive the email to reset my password",
            "I cant log in",
            "help, locked out of the app",
            "le mail de réinitialisation n'arrive jamais",
            "vous ouvrez a quelle heure demain",
            "ça coûte combien la livraison en Belgique",
            "c'est où la boutique de Lyon",
            "je voulais savoir si vous livrez le dimanche",
            "tracking number pls",
            "horaires de Bordeaux stp",
            "mon mug est arrivé cassé",
            "the lid came cracked",
            "app keeps crashing after the update what do I do",
            "out of stock again, when's it back",
            "how much is shipping to Belgium",
            "petite question, les horaires de Bordeaux",
            "j'ai jamais reçu le lien",
            "le colis part quand",
            "pour changer de mouture on fait comment",
            "il est cassé, je fais quoi",
            "jrecois pas le code",
            "j'ai rien reçu après le paiement",
            "I'm not receiving the confirmation email",
            "parcel still says in transit after a week, is that normal",
        ] {
            assert!(is_question(q), "{q}");
        }
    }

    #[test]
    fn recognises_chit_chat() {
        for s in [
            "Bonjour à tous ! Bon dimanche 😊",
            "Merci pour la livraison rapide ! Le Moka d'Éthiopie est top",
            "Thanks for the quick fix, the app works again 👍",
            "Morning everyone! ☕",
            "Congrats to the winner! 🎉",
            "je participe !",
            "Top, merci pour le fix ! Bon, je retourne à mon espresso",
            "Astuce du dimanche : le Moka en filtre avec une pincée de cannelle",
            "C'est honteux, la nouvelle version de l'appli a effacé tous mes points",
            "Agreed, the Holiday Roast is so good with oat milk",
            "Bravo aux gagnants ! Vivement le prochain concours",
            "Le Moka c'est le meilleur, je le bois tous les matins",
            "That's what makes the Holiday Roast special",
            "Trop bon ce Moka quoi",
        ] {
            assert!(!is_question(s), "{s}");
        }
    }
}
