//! Learning from the team: staff correct the FAQ in chat, and each
//! correction becomes an example of the config's entries.
//!
//! - `!faq learn ENTRY [question]` (`!faq apprendre`): this question should
//!   get ENTRY. Sent as a reply to a member's message, the question is that
//!   message; otherwise it is the rest of the command.
//! - `!faq wrong [ENTRY]` (`!faq faux`), as a reply to one of the FAQ's
//!   answers: that answer was wrong for the question it answered (and, with
//!   ENTRY, that one was the right one).
//! - `!faq learned` (`!faq appris`) lists what was learned, numbered;
//!   `!faq forget N` (`!faq oublier N`) takes item N back.
//!
//! What is learned is plugin state (one key of the community's store), not
//! config: it survives restarts, reloads and config edits, belongs to the
//! community where it was taught, and `vigie replay` replays it. A learned
//! question is one more example of its entry; a question marked wrong
//! becomes an example of a hidden `decline` entry beside it, which draws
//! that question (and its close paraphrases) away from the entry. Items
//! whose entry left the config are kept, listed, and ignored.
//!
//! To find the text of the message a command replies to, the plugin keeps
//! the last [`RECENT`] questions it saw in memory (not in the store: that
//! would cost a write per message). Older or forgotten after a restart, the
//! command asks for the text.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use vigie_text::Lang;

use crate::config::Config;

/// The store key of the learned items.
pub const KEY: &str = "learned";
/// At most this many items per community.
pub const MAX_ITEMS: usize = 500;
/// A learned question is cut to this many characters.
pub const MAX_TEXT: usize = 300;
/// How many recent questions are kept in memory to resolve replies.
pub const RECENT: usize = 64;

/// One correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The entry it is about.
    pub entry: String,
    /// The question.
    pub text: String,
    /// `true`: this question must not get `entry`.
    #[serde(default)]
    pub wrong: bool,
    /// Who taught it (the staff member's display name).
    #[serde(default)]
    pub by: String,
    /// When, in milliseconds since the epoch.
    #[serde(default)]
    pub at_ms: i64,
}

/// The learned items of a community, in the order they were taught.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    pub items: Vec<Item>,
}

impl Learned {
    /// Reads the stored items; unreadable bytes read as none (and say so).
    pub fn decode(bytes: &[u8]) -> Result<Learned, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("faq: learned examples unreadable: {e}"))
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Adds `item`, replacing any item with the same entry and text (a
    /// question marked wrong and then taught, or the other way round,
    /// keeps the last word). `Err` when full.
    pub fn add(&mut self, item: Item) -> Result<Added, Full> {
        let same = |i: &Item| i.entry == item.entry && fold(&i.text) == fold(&item.text);
        if let Some(pos) = self.items.iter().position(same) {
            if self.items[pos].wrong == item.wrong {
                return Ok(Added::Already);
            }
            self.items.remove(pos);
        } else if self.items.len() >= MAX_ITEMS {
            return Err(Full);
        }
        self.items.push(item);
        Ok(Added::New)
    }

    /// Removes item `n` (1-based, as listed).
    pub fn forget(&mut self, n: usize) -> Option<Item> {
        (1..=self.items.len())
            .contains(&n)
            .then(|| self.items.remove(n - 1))
    }

    /// `config` with the learned items: taught questions added to their
    /// entries' examples, and for each entry with questions marked wrong a
    /// hidden `decline` entry holding them, right after it. Items of
    /// entries no longer in the config are left out.
    pub fn apply(&self, config: &Config) -> Config {
        let mut out = config.clone();
        let mut declined = Vec::new();
        for (i, entry) in out.entries.iter_mut().enumerate() {
            for item in self.items.iter().filter(|it| it.entry == entry.id) {
                if item.wrong {
                    declined.push((i, item.text.clone()));
                } else {
                    entry.questions.push(item.text.clone());
                }
            }
        }
        // Inserted from the end so that earlier indices stay right.
        let mut by_entry: Vec<(usize, Vec<String>)> = Vec::new();
        for (i, text) in declined {
            match by_entry.iter_mut().find(|(j, _)| *j == i) {
                Some((_, texts)) => texts.push(text),
                None => by_entry.push((i, vec![text])),
            }
        }
        by_entry.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (i, texts) in by_entry {
            let mut hidden = crate::config::EntryConfig::declined(&format!(
                "{}{}",
                HIDDEN_PREFIX, out.entries[i].id
            ));
            hidden.questions = texts;
            out.entries.insert(i + 1, hidden);
        }
        out
    }
}

/// The id prefix of the hidden entries that hold questions marked wrong.
pub const HIDDEN_PREFIX: &str = "learned-not-";

/// [`Learned::add`] made a change, or found the item already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    Already,
}

/// [`Learned::add`] refused: [`MAX_ITEMS`] reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// A staff command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `!faq learn ENTRY [question]`.
    Learn { entry: String, text: Option<String> },
    /// `!faq wrong [ENTRY]`.
    Wrong { right: Option<String> },
    /// `!faq learned`.
    List,
    /// `!faq forget N`.
    Forget { n: Option<usize> },
    /// `!faq`, `!faq help` or anything else after `!faq`.
    Help,
}

/// The command in `text` and the language it was given in, or `None`
/// when `text` is not a `!faq` command.
pub fn parse(text: &str) -> Option<(Command, Option<Lang>)> {
    let rest = text.trim().strip_prefix("!faq")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim();
    let (verb, args) = rest
        .split_once(char::is_whitespace)
        .map(|(v, a)| (v, a.trim()))
        .unwrap_or((rest, ""));
    let verb = verb.to_lowercase();
    let (lang, command) = match verb.as_str() {
        "learn" | "teach" => (Some(Lang::En), learn(args)),
        "apprendre" | "apprends" => (Some(Lang::Fr), learn(args)),
        "wrong" => (Some(Lang::En), wrong(args)),
        "faux" | "erreur" => (Some(Lang::Fr), wrong(args)),
        "learned" | "list" => (Some(Lang::En), Command::List),
        "appris" | "liste" => (Some(Lang::Fr), Command::List),
        "forget" => (Some(Lang::En), forget(args)),
        "oublier" | "oublie" => (Some(Lang::Fr), forget(args)),
        "help" => (Some(Lang::En), Command::Help),
        "aide" => (Some(Lang::Fr), Command::Help),
        _ => (None, Command::Help),
    };
    Some((command, lang))
}

fn learn(args: &str) -> Command {
    let (entry, text) = args
        .split_once(char::is_whitespace)
        .map(|(e, t)| (e, Some(t.trim().to_string()).filter(|t| !t.is_empty())))
        .unwrap_or((args, None));
    if entry.is_empty() {
        return Command::Help;
    }
    Command::Learn {
        entry: entry.to_string(),
        text,
    }
}

fn wrong(args: &str) -> Command {
    let right = args.split_whitespace().next().map(str::to_string);
    Command::Wrong { right }
}

fn forget(args: &str) -> Command {
    let n = args
        .split_whitespace()
        .next()
        .map(|n| n.trim_start_matches('#'))
        .and_then(|n| n.parse().ok());
    Command::Forget { n }
}

/// A question as compared for duplicates: folded words.
fn fold(text: &str) -> String {
    vigie_text::words(text).join(" ")
}

/// `text` cut to [`MAX_TEXT`] characters, trimmed.
pub fn clip(text: &str) -> String {
    text.trim().chars().take(MAX_TEXT).collect()
}

/// A question the plugin saw recently.
#[derive(Debug, Clone)]
pub struct Seen {
    pub event_id: String,
    pub text: String,
    /// The entry it answered, if it did.
    pub answered: Option<String>,
}

/// The last [`RECENT`] questions, newest last.
#[derive(Debug, Clone, Default)]
pub struct Recent {
    items: VecDeque<Seen>,
}

impl Recent {
    pub fn push(&mut self, seen: Seen) {
        if self.items.len() == RECENT {
            self.items.pop_front();
        }
        self.items.push_back(seen);
    }

    pub fn get(&self, event_id: &str) -> Option<&Seen> {
        self.items.iter().rev().find(|s| s.event_id == event_id)
    }

    /// Records that the question of `event_id` got `entry`.
    pub fn answered(&mut self, event_id: &str, entry: &str) {
        if let Some(s) = self.items.iter_mut().rev().find(|s| s.event_id == event_id) {
            s.answered = Some(entry.to_string());
        }
    }
}

/// The note of a label the host attached (`vigie.sent-for`: the event a
/// message of the bot answered).
pub fn host_label<'a>(event: &'a vigie_sdk::Event, key: &str) -> Option<&'a str> {
    event
        .labels
        .iter()
        .find(|l| l.plugin == "vigie" && l.key == key)
        .and_then(|l| l.note.as_deref())
}

/// `items` for the log and the audit: `"q" → entry, "q" ↛ entry`.
pub fn describe(items: &[Item]) -> String {
    items
        .iter()
        .map(|i| {
            format!(
                "{:?} {} {}",
                i.text,
                if i.wrong { "↛" } else { "→" },
                i.entry
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The replies to staff commands, in the command's language.
pub struct Say(pub Lang);

impl Say {
    fn pick(&self, fr: String, en: String) -> String {
        match self.0 {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    pub fn help(&self) -> String {
        self.pick(
            "FAQ : `!faq apprendre ENTRÉE [question]` (en réponse à un message : ce message), \
             `!faq faux [ENTRÉE]` (en réponse à une réponse de la FAQ), `!faq appris`, `!faq oublier N`."
                .into(),
            "FAQ: `!faq learn ENTRY [question]` (as a reply to a message: that message), \
             `!faq wrong [ENTRY]` (as a reply to one of the FAQ's answers), `!faq learned`, `!faq forget N`."
                .into(),
        )
    }

    pub fn learned(&self, items: &[Item], count: usize) -> String {
        let line = |i: &Item, fr: bool| match (i.wrong, fr) {
            (false, true) => format!("« {} » → {}", i.text, i.entry),
            (true, true) => format!("« {} » ne recevra plus {}", i.text, i.entry),
            (false, false) => format!("“{}” → {}", i.text, i.entry),
            (true, false) => format!("“{}” will no longer get {}", i.text, i.entry),
        };
        let fr: Vec<String> = items.iter().map(|i| line(i, true)).collect();
        let en: Vec<String> = items.iter().map(|i| line(i, false)).collect();
        self.pick(
            format!(
                "✅ Appris : {} ({count} exemple(s) appris).",
                fr.join(" ; ")
            ),
            format!(
                "✅ Learned: {} ({count} learned example(s)).",
                en.join("; ")
            ),
        )
    }

    pub fn list(&self, learned: &Learned, known: &dyn Fn(&str) -> bool) -> String {
        if learned.items.is_empty() {
            return self.pick(
                "Rien d'appris pour l'instant.".into(),
                "Nothing learned yet.".into(),
            );
        }
        const SHOWN: usize = 20;
        let mut lines: Vec<String> = learned
            .items
            .iter()
            .enumerate()
            .rev()
            .take(SHOWN)
            .map(|(k, i)| {
                let gone = if known(&i.entry) {
                    ""
                } else {
                    match self.0 {
                        Lang::Fr => " (entrée retirée de la config)",
                        Lang::En => " (entry no longer in the config)",
                    }
                };
                format!(
                    "#{} {:?} {} {}{gone}",
                    k + 1,
                    i.text,
                    if i.wrong { "↛" } else { "→" },
                    i.entry
                )
            })
            .collect();
        lines.reverse();
        let n = learned.items.len();
        let head = self.pick(
            format!("{n} exemple(s) appris (les {} derniers) :", lines.len()),
            format!("{n} learned example(s) (the last {}):", lines.len()),
        );
        format!("{head}\n{}", lines.join("\n"))
    }

    pub fn forgot(&self, n: usize, item: &Item) -> String {
        self.pick(
            format!("🗑️ Oublié #{n} : « {} » ({}).", item.text, item.entry),
            format!("🗑️ Forgot #{n}: “{}” ({}).", item.text, item.entry),
        )
    }

    pub fn no_item(&self, n: usize, len: usize) -> String {
        self.pick(
            format!("❓ Pas d'exemple #{n} (il y en a {len} : `!faq appris`)."),
            format!("❓ No example #{n} (there are {len}: `!faq learned`)."),
        )
    }

    pub fn unknown_entry(&self, entry: &str, ids: &[String]) -> String {
        self.pick(
            format!("❓ Pas d'entrée `{entry}`. Entrées : {}.", ids.join(", ")),
            format!("❓ No entry `{entry}`. Entries: {}.", ids.join(", ")),
        )
    }

    pub fn which_question(&self) -> String {
        self.pick(
            "❓ Quelle question ? Répondez au message, ou écrivez-la : `!faq apprendre ENTRÉE la question` \
             (je ne garde que les dernières questions, et pas après un redémarrage)."
                .into(),
            "❓ Which question? Reply to the message, or write it: `!faq learn ENTRY the question` \
             (I keep only the latest questions, and not across a restart)."
                .into(),
        )
    }

    pub fn which_answer(&self) -> String {
        self.pick(
            "❓ Répondez à la réponse de la FAQ (ou à la question) avec `!faq faux` ; \
             je ne garde que les dernières questions, et pas après un redémarrage."
                .into(),
            "❓ Reply to the FAQ's answer (or to the question) with `!faq wrong`; \
             I keep only the latest questions, and not across a restart."
                .into(),
        )
    }

    pub fn not_answered(&self) -> String {
        self.pick(
            "❓ Je n'ai pas répondu à cette question. Pour lui donner une entrée : `!faq apprendre ENTRÉE`.".into(),
            "❓ I did not answer that question. To give it an entry: `!faq learn ENTRY`.".into(),
        )
    }

    pub fn no_words(&self) -> String {
        self.pick(
            "❓ Cette question n'a aucun mot à reconnaître.".into(),
            "❓ That question has no word to match.".into(),
        )
    }

    pub fn already(&self) -> String {
        self.pick("👍 Déjà appris.".into(), "👍 Already learned.".into())
    }

    pub fn full(&self) -> String {
        self.pick(
            format!("❌ Déjà {MAX_ITEMS} exemples appris : oubliez-en d'abord (`!faq appris`)."),
            format!("❌ {MAX_ITEMS} examples learned already: forget some first (`!faq learned`)."),
        )
    }

    pub fn store_error(&self) -> String {
        self.pick(
            "❌ Impossible d'enregistrer : rien n'a changé (voir le journal).".into(),
            "❌ Could not store it: nothing changed (see the log).".into(),
        )
    }

    pub fn unreadable(&self) -> String {
        self.pick(
            "❌ Les exemples appris enregistrés sont illisibles : l'apprentissage est arrêté (voir le journal).".into(),
            "❌ The stored learned examples are unreadable: teaching is off (see the log).".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(entry: &str, text: &str, wrong: bool) -> Item {
        Item {
            entry: entry.into(),
            text: text.into(),
            wrong,
            by: "mod".into(),
            at_ms: 0,
        }
    }

    #[test]
    fn parses_commands_in_both_languages() {
        assert_eq!(parse("hello"), None);
        assert_eq!(parse("!faqs learn x"), None);
        assert_eq!(
            parse("!faq learn delivery do you ship to Spain?"),
            Some((
                Command::Learn {
                    entry: "delivery".into(),
                    text: Some("do you ship to Spain?".into())
                },
                Some(Lang::En)
            ))
        );
        assert_eq!(
            parse("  !faq apprendre livraison  "),
            Some((
                Command::Learn {
                    entry: "livraison".into(),
                    text: None
                },
                Some(Lang::Fr)
            ))
        );
        assert_eq!(
            parse("!faq faux horaires"),
            Some((
                Command::Wrong {
                    right: Some("horaires".into())
                },
                Some(Lang::Fr)
            ))
        );
        assert_eq!(
            parse("!faq wrong"),
            Some((Command::Wrong { right: None }, Some(Lang::En)))
        );
        assert_eq!(parse("!faq appris"), Some((Command::List, Some(Lang::Fr))));
        assert_eq!(
            parse("!faq forget #3"),
            Some((Command::Forget { n: Some(3) }, Some(Lang::En)))
        );
        assert_eq!(
            parse("!faq oublier trois"),
            Some((Command::Forget { n: None }, Some(Lang::Fr)))
        );
        assert_eq!(parse("!faq"), Some((Command::Help, None)));
        assert_eq!(parse("!faq learn"), Some((Command::Help, Some(Lang::En))));
    }

    #[test]
    fn the_last_word_wins_and_duplicates_are_not_added() {
        let mut l = Learned::default();
        assert_eq!(
            l.add(item("a", "Où est ma commande ?", false)),
            Ok(Added::New)
        );
        assert_eq!(
            l.add(item("a", "ou est ma commande", false)),
            Ok(Added::Already)
        );
        assert_eq!(l.add(item("a", "où est ma commande", true)), Ok(Added::New));
        assert_eq!(l.items.len(), 1);
        assert!(l.items[0].wrong);
        assert_eq!(l.forget(2), None);
        assert_eq!(l.forget(1).map(|i| i.entry), Some("a".to_string()));
        assert!(l.items.is_empty());
    }

    #[test]
    fn refuses_past_the_limit() {
        let mut l = Learned::default();
        for i in 0..MAX_ITEMS {
            assert_eq!(
                l.add(item("a", &format!("question {i}"), false)),
                Ok(Added::New)
            );
        }
        assert_eq!(l.add(item("a", "one more", false)), Err(Full));
        // Changing an item's verdict is not adding one.
        assert_eq!(l.add(item("a", "question 7", true)), Ok(Added::New));
    }

    #[test]
    fn stored_items_round_trip_and_garbage_is_an_error() {
        let mut l = Learned::default();
        l.add(item("a", "q", true)).unwrap();
        assert_eq!(Learned::decode(&l.encode()), Ok(l));
        assert!(Learned::decode(b"{not json").is_err());
    }

    #[test]
    fn recent_questions_keep_the_last_ones() {
        let mut r = Recent::default();
        for i in 0..RECENT + 5 {
            r.push(Seen {
                event_id: format!("e{i}"),
                text: format!("q{i}"),
                answered: None,
            });
        }
        assert!(r.get("e4").is_none());
        assert_eq!(r.get("e5").map(|s| s.text.as_str()), Some("q5"));
        assert!(r.get(&format!("e{}", RECENT + 4)).is_some());
    }
}
