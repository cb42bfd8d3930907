//! The general vocabulary shipped with the plugin: groups of words and
//! phrases that mean the same thing in a customer question, in French and
//! English, whatever the brand (delivery, payment means, passwords, refunds,
//! tickets, SIM cards…). A group is one matching term, so a paraphrase
//! finds the example it paraphrases, and a French question finds an entry
//! whose examples are in English.
//!
//! It is written in `data/vocabulary.toml` (with comments, by topic) and
//! embedded as `data/vocabulary.json`, which a test keeps equal to it (the
//! plugin reads no TOML).

use serde::Deserialize;

#[derive(Deserialize)]
struct Vocabulary {
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[allow(dead_code)]
    #[serde(default)]
    topic: String,
    words: Vec<String>,
}

const JSON: &str = include_str!("../data/vocabulary.json");

/// The brand's `synonyms` with the general vocabulary under them. A
/// general group that shares a word or phrase with a brand group joins
/// that group (the brand's words keep their meaning and gain the general
/// ones: `livraison` in both makes `shipping` mean the brand's
/// `livraison`); a word the brand already uses elsewhere stays there. The
/// other general groups follow.
pub fn under(brand: &[Vec<String>]) -> Vec<Vec<String>> {
    let key = |w: &str| vigie_text::words(w).join(" ");
    let mut out: Vec<Vec<String>> = brand.to_vec();
    let mut owner: std::collections::HashMap<String, usize> = Default::default();
    for (i, group) in brand.iter().enumerate() {
        for w in group {
            owner.entry(key(w)).or_insert(i);
        }
    }
    for group in groups() {
        match group.iter().find_map(|w| owner.get(&key(w)).copied()) {
            Some(i) => out[i].extend(group.into_iter().filter(|w| !owner.contains_key(&key(w)))),
            None => out.push(group),
        }
    }
    out
}

/// The groups, in file order.
pub fn groups() -> Vec<Vec<String>> {
    // Checked by this crate's tests: the embedded file always parses.
    serde_json::from_str::<Vocabulary>(JSON)
        .map(|v| v.groups.into_iter().map(|g| g.words).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/vocabulary.toml");
    const JSON_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/vocabulary.json");

    /// The groups of the TOML source, as `(topic, words)`.
    fn source() -> Vec<(String, Vec<String>)> {
        let text = std::fs::read_to_string(TOML_PATH).expect("read vocabulary.toml");
        let value: toml::Value = toml::from_str(&text).expect("vocabulary.toml is TOML");
        let json = serde_json::to_string(&value).expect("as JSON");
        let v: Vocabulary = serde_json::from_str(&json).expect("groups of words");
        v.groups.into_iter().map(|g| (g.topic, g.words)).collect()
    }

    /// The embedded JSON is `data/vocabulary.toml`, converted. After an
    /// edit of the TOML: `FAQ_VOCABULARY_WRITE=1 cargo test -p faq vocabulary`.
    #[test]
    fn the_embedded_json_is_the_toml_source() {
        let source = source();
        if std::env::var_os("FAQ_VOCABULARY_WRITE").is_some() {
            let groups: Vec<serde_json::Value> = source
                .iter()
                .map(|(topic, words)| serde_json::json!({"topic": topic, "words": words}))
                .collect();
            let json =
                serde_json::to_string(&serde_json::json!({ "groups": groups })).expect("JSON");
            std::fs::write(JSON_PATH, json + "\n").expect("write vocabulary.json");
        }
        let embedded: Vec<Vec<String>> = serde_json::from_str::<Vocabulary>(
            &std::fs::read_to_string(JSON_PATH).expect("read vocabulary.json"),
        )
        .expect("vocabulary.json parses")
        .groups
        .into_iter()
        .map(|g| g.words)
        .collect();
        let words: Vec<Vec<String>> = source.into_iter().map(|(_, w)| w).collect();
        assert_eq!(
            embedded, words,
            "vocabulary.json is stale: FAQ_VOCABULARY_WRITE=1 cargo test -p faq vocabulary"
        );
        assert_eq!(groups(), words, "the compiled-in copy is the file");
    }

    /// Every group can stand for one term: two words at least, each with a
    /// word in it, and no word in two groups (it would join the first only).
    #[test]
    fn groups_are_well_formed_and_disjoint() {
        let mut seen: std::collections::HashMap<String, (usize, String)> = Default::default();
        for (i, (topic, words)) in source().into_iter().enumerate() {
            assert!(words.len() >= 2, "{topic}: {words:?} needs two members");
            for w in &words {
                let folded = vigie_text::words(w).join(" ");
                assert!(!folded.is_empty(), "{topic}: `{w}` has no word");
                if let Some((j, other)) = seen.insert(folded.clone(), (i, topic.clone())) {
                    assert_eq!(
                        j, i,
                        "`{w}` ({folded}) is in two groups: {other} and {topic}"
                    );
                }
            }
        }
    }
}
