//! A minimal Vigie plugin: delete messages that contain a listed keyword and
//! warn their author privately. Config: `keywords = ["spam", "arnaque"]`,
//! `warning = "Message removed: {word}"`.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeywordFilter {
    #[serde(default = "default_keywords")]
    keywords: Vec<String>,
    #[serde(default = "default_warning")]
    warning: String,
}

fn default_keywords() -> Vec<String> {
    vec!["spam".into(), "arnaque".into(), "scam".into()]
}

fn default_warning() -> String {
    "Message removed / message supprimé: « {word} » is not allowed here.".into()
}

impl Plugin for KeywordFilter {
    fn describe() -> Description {
        vigie_sdk::describe(
            "keyword-filter",
            "0.1.0",
            "Deletes messages with listed keywords",
        )
        .events([EventKind::Message, EventKind::Edit])
        .actions([ActionKind::Delete, ActionKind::DirectMessage])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        let mut me: Self =
            serde_json::from_str(config).map_err(|e| format!("keyword-filter config: {e}"))?;
        me.keywords.iter_mut().for_each(|k| *k = k.to_lowercase());
        Ok(me)
    }

    fn handle(&mut self, _host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        let text = event.text.to_lowercase();
        let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
        let Some(word) = self.keywords.iter().find(|k| words.contains(&k.as_str())) else {
            return Ok(vec![]);
        };
        let reason = format!("keyword « {word} »");
        Ok(vec![
            act::delete(event, &reason),
            act::direct_message(
                &event.author.id,
                self.warning.replace("{word}", word),
                &reason,
            ),
        ])
    }
}

vigie_sdk::export_plugin!(KeywordFilter);

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::{test_event, TestHost};

    #[test]
    fn deletes_whole_keywords_only() {
        let mut plugin = KeywordFilter::configure(r#"{"keywords":["Spam"]}"#).unwrap();
        let mut host = TestHost::new();
        let hit = plugin
            .handle(&mut host, &test_event("e1", "u1", "Buy SPAM now"))
            .unwrap();
        assert!(matches!(hit[0], Action::Delete(_)), "{hit:?}");
        let miss = plugin
            .handle(&mut host, &test_event("e2", "u1", "spammer? no"))
            .unwrap();
        assert!(miss.is_empty());
    }
}
