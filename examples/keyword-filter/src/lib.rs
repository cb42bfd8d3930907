//! A minimal Vigie plugin: delete messages that contain a listed keyword
//! (config `keywords`) and warn their author privately (config `warning`).

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
        vigie_sdk::describe("keyword-filter", "0.1.0", "Deletes listed words")
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
