//! Is this message a question (or a request for help)? A heuristic for
//! French and English chat: a question mark, an interrogative word or
//! phrase opening a sentence, a French inversion (`livrez-vous`), or a
//! phrase that asks for help or reports a problem (`j'ai oublié mon…`,
//! `I can't…`, `toujours pas reçu`).

/// Words that open a question when they start a sentence.
const OPENERS: &[&str] = &[
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
const PHRASES: &[&[&str]] = &[
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
    &["please", "advise"],
    &["do", "you"],
    &["is", "there"],
    &["are", "there"],
];

/// French subject pronouns after a hyphen: `livrez-vous`, `peut-on`.
const INVERSION: &[&str] = &[
    "vous", "tu", "il", "elle", "on", "je", "ils", "elles", "nous",
];

/// Words that show a problem report or a request for help wherever they
/// are (`help`, `impossible`, `bloqué`…).
const PROBLEM_WORDS: &[&str] = &[
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
    if text.contains(['?', '？', '¿']) {
        return true;
    }
    let folded = vigie_text::fold(text);
    // French inversion: a word, a hyphen, a subject pronoun.
    for (i, _) in folded.match_indices('-') {
        let before = folded[..i].chars().next_back();
        let after: String = folded[i + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        let pronoun = after.trim_start_matches("t-");
        if before.is_some_and(char::is_alphabetic) && INVERSION.contains(&pronoun) {
            return true;
        }
    }
    // Openers at the start of a clause, phrases and words anywhere; on
    // words with chat spellings expanded (`c koi` → `quoi`, `cant` → `can
    // not`).
    for clause in folded.split(['.', '!', ';', '\n', ':', ',', '(', ')']) {
        let words = english_negations(
            vigie_text::words(clause)
                .iter()
                .flat_map(|w| crate::normalize::expand(w))
                .collect(),
        );
        let first = words
            .iter()
            .map(String::as_str)
            .find(|w| !GREETINGS.contains(w) && w.len() > 1);
        if first.is_some_and(|w| OPENERS.contains(&w)) {
            return true;
        }
        if words.iter().any(|w| PROBLEM_WORDS.contains(&w.as_str())) {
            return true;
        }
        for phrase in PHRASES {
            if words.windows(phrase.len()).any(|win| win == *phrase) {
                return true;
            }
        }
    }
    false
}

/// `didn` `t` → `did` `not`, `can` `t` → `can` `not`, `won` `t` → `will`
/// `not`: one spelling for the phrases, with or without the apostrophe.
fn english_negations(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if words.get(i + 1).is_some_and(|n| n == "t") {
            let base = match w.as_str() {
                "can" => Some("can"),
                "won" => Some("will"),
                "don" => Some("do"),
                "shan" => Some("shall"),
                _ => w
                    .strip_suffix('n')
                    .filter(|b| b.ends_with(['s', 'd', 'e', 'l'])),
            };
            if let Some(base) = base {
                out.push(base.to_string());
                out.push("not".to_string());
                i += 2;
                continue;
            }
        }
        out.push(w.clone());
        i += 1;
    }
    out
}

/// Words that may come before the question proper (`Bonjour, comment…`).
const GREETINGS: &[&str] = &[
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
        ] {
            assert!(!is_question(s), "{s}");
        }
    }
}
