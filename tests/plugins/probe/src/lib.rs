//! `probe`: a well-behaved, scriptable test plugin. The event text is a
//! script, so host tests can make several probes in one chain do exactly what
//! a test needs (attach labels, stop the chain, count in the key-value store,
//! read the labels and actions of earlier plugins...) without a plugin per
//! case. It exists to test the host's chain semantics: ordering, label and
//! `earlier-actions` propagation, `stop`, grants, per-plugin key-value
//! isolation, the per-event clock and random source, and `tick`.
//!
//! Config: `{"name": "probe"}` (the default); unknown fields are an error.
//!
//! Script: the event text is split on `;` into commands
//! `<target>:<verb> <args>`. A command is for this probe when `<target>` is its
//! configured name or `*`. Verbs: `label <key> <value>`, `reply <text>`,
//! `post <channel> <text>`, `react <emoji>`, `delete`, `timeout <secs>`,
//! `ban`, `kick`, `flag`, `dm <text>`, `alert <text>`, `stop`,
//! `count <key>` (replies `count=<n>`), `set <key> <value>`, `get <key>`
//! (replies `<key>=<value|none>`), `seelabel <key>` (replies
//! `label <key>=<value|none>`), `earlier` (replies `earlier=delete,reply`),
//! `now` (replies `now=<ms>`), `rand` (replies `rand=<u64>`),
//! `post-on-tick <channel>` (later ticks post `tick at <now>` there),
//! `remember <text>` (keeps the text in the instance's memory, not in the
//! store: what a careless or hostile plugin could do) and `recall` (replies
//! `recall=<text|none>` from that memory).
//! Unknown verbs are ignored. The text `!fail` makes `handle` return an error.

use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin, Severity};

/// The key under which `post-on-tick` remembers its channel.
const TICK_KEY: &str = "tick-post";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    #[serde(default = "default_name")]
    name: String,
    /// What `remember` kept, in memory only.
    #[serde(skip)]
    remembered: Option<String>,
}

fn default_name() -> String {
    "probe".into()
}

impl Probe {
    /// The action(s) for one command addressed to this probe.
    fn run(
        &self,
        host: &mut impl Host,
        event: &Event,
        verb: &str,
        args: &str,
    ) -> Result<Option<Action>, String> {
        let name = &self.name;
        let reason = format!("{name}: {verb}");
        let (first, rest) = args
            .split_once(char::is_whitespace)
            .map_or((args, ""), |(a, b)| (a, b.trim()));
        let action = match verb {
            "label" => {
                let value = rest
                    .parse::<f64>()
                    .map_err(|e| format!("{name}: label value {rest:?}: {e}"))?;
                act::label(first, value, reason)
            }
            "reply" => act::reply(event, args, reason),
            "post" => act::post(first, rest, reason),
            "react" => act::react(event, args, reason),
            "delete" => act::delete(event, reason),
            "timeout" => {
                let secs = args
                    .parse::<u32>()
                    .map_err(|e| format!("{name}: timeout {args:?}: {e}"))?;
                act::timeout(event, secs, reason)
            }
            "ban" => act::ban(event, None, reason),
            "kick" => act::kick(event, reason),
            "flag" => act::flag(event, reason),
            "dm" => act::direct_message(&event.author.id, args, reason),
            "alert" => act::alert(Severity::Warning, args, reason),
            "stop" => act::stop(reason),
            "count" => {
                let n = host
                    .kv_increment(args, 1)
                    .map_err(|e| format!("{name}: count {args:?}: {e:?}"))?;
                act::reply(event, format!("count={n}"), reason)
            }
            "set" => {
                host.kv_set(first, rest.as_bytes())
                    .map_err(|e| format!("{name}: set {first:?}: {e:?}"))?;
                return Ok(None);
            }
            "get" => {
                let value = host.kv_get_string(args).unwrap_or_else(|| "none".into());
                act::reply(event, format!("{args}={value}"), reason)
            }
            "seelabel" => {
                let value = event
                    .label(args)
                    .map_or("none".to_string(), |v| v.to_string());
                act::reply(event, format!("label {args}={value}"), reason)
            }
            "earlier" => {
                let kinds: Vec<String> = event.earlier_actions.iter().map(kind_name).collect();
                act::reply(event, format!("earlier={}", kinds.join(",")), reason)
            }
            "now" => act::reply(event, format!("now={}", host.now_ms()), reason),
            "rand" => act::reply(event, format!("rand={}", host.random_u64()), reason),
            "post-on-tick" => {
                host.kv_set(TICK_KEY, args.as_bytes())
                    .map_err(|e| format!("{name}: post-on-tick: {e:?}"))?;
                return Ok(None);
            }
            _ => return Ok(None),
        };
        Ok(Some(action))
    }
}

/// The lowercase name of an action kind (its Debug name, lowercased), e.g.
/// `delete`, `directmessage`.
fn kind_name(kind: &ActionKind) -> String {
    let debug = format!("{kind:?}");
    // wit-bindgen may print enums as `ActionKind::Delete`; keep the variant.
    debug.rsplit("::").next().unwrap_or(&debug).to_lowercase()
}

impl Plugin for Probe {
    fn describe() -> Description {
        use ActionKind as A;
        use EventKind as E;
        vigie_sdk::describe(
            "probe",
            "1.0.0",
            "Scriptable test plugin: does what the event text says",
        )
        .events([
            E::Message,
            E::Edit,
            E::Deletion,
            E::Reaction,
            E::Join,
            E::Leave,
            E::Follow,
            E::Mention,
            E::DirectMessage,
            E::Report,
        ])
        .actions([
            A::Delete,
            A::Reply,
            A::Post,
            A::React,
            A::Timeout,
            A::Kick,
            A::Ban,
            A::Flag,
            A::Label,
            A::Alert,
            A::DirectMessage,
            A::Stop,
        ])
        .build()
    }

    fn configure(config: &str) -> Result<Self, String> {
        serde_json::from_str(config).map_err(|e| format!("probe config: {e}"))
    }

    fn handle(&mut self, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
        if event.text == "!fail" {
            return Err("probe asked to fail".into());
        }
        let mut actions = Vec::new();
        for command in event.text.split(';').map(str::trim) {
            let Some((target, rest)) = command.split_once(':') else {
                continue;
            };
            if target.trim() != "*" && target.trim() != self.name {
                continue;
            }
            let rest = rest.trim();
            let (verb, args) = rest
                .split_once(char::is_whitespace)
                .map_or((rest, ""), |(v, a)| (v, a.trim()));
            match verb {
                "remember" => self.remembered = Some(args.to_string()),
                "recall" => actions.push(act::reply(
                    event,
                    format!("recall={}", self.remembered.as_deref().unwrap_or("none")),
                    format!("{}: recall", self.name),
                )),
                _ => actions.extend(self.run(host, event, verb, args)?),
            }
        }
        Ok(actions)
    }

    fn tick(&mut self, host: &mut impl Host, now_ms: i64) -> Result<Vec<Action>, String> {
        Ok(match host.kv_get_string(TICK_KEY) {
            Some(channel) => vec![act::post(
                &channel,
                format!("tick at {now_ms}"),
                format!("{}: tick", self.name),
            )],
            None => vec![],
        })
    }
}

vigie_sdk::export_plugin!(Probe);

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::{test_event, Label, TestHost};

    fn probe(name: &str) -> Probe {
        Probe::configure(&format!(r#"{{"name":"{name}"}}"#)).unwrap()
    }

    fn reply_text(action: &Action) -> &str {
        match action {
            Action::Reply(r) => &r.text,
            other => panic!("not a reply: {other:?}"),
        }
    }

    #[test]
    fn config_defaults_and_rejects_unknown_fields() {
        assert_eq!(Probe::configure("{}").unwrap().name, "probe");
        assert!(Probe::configure(r#"{"nmae":"a"}"#).is_err());
    }

    #[test]
    fn labels_only_when_addressed() {
        let mut host = TestHost::new();
        let event = test_event(
            "e1",
            "u1",
            "a:label spam 0.5 ; b:label spam 9; *:label all 1",
        );
        let actions = probe("a").handle(&mut host, &event).unwrap();
        assert_eq!(
            actions,
            vec![
                act::label("spam", 0.5, "a: label"),
                act::label("all", 1.0, "a: label")
            ]
        );
        assert!(probe("a")
            .handle(&mut host, &test_event("e2", "u1", "a:label x nope"))
            .is_err());
    }

    #[test]
    fn count_uses_the_store() {
        let mut host = TestHost::new();
        let mut p = probe("a");
        let event = test_event("e1", "u1", "a:count hits");
        assert_eq!(
            reply_text(&p.handle(&mut host, &event).unwrap()[0]),
            "count=1"
        );
        assert_eq!(
            reply_text(&p.handle(&mut host, &event).unwrap()[0]),
            "count=2"
        );
        assert_eq!(host.kv_get_i64("hits"), 2);
    }

    #[test]
    fn stop_and_fail() {
        let mut host = TestHost::new();
        let actions = probe("a")
            .handle(&mut host, &test_event("e1", "u1", "a:delete;a:stop"))
            .unwrap();
        assert!(matches!(actions[0], Action::Delete(_)));
        assert_eq!(actions[1], act::stop("a: stop"));
        assert_eq!(
            probe("a").handle(&mut host, &test_event("e1", "u1", "!fail")),
            Err("probe asked to fail".to_string())
        );
    }

    #[test]
    fn sees_labels_and_earlier_actions() {
        let mut host = TestHost::new();
        let mut event = test_event("e1", "u1", "*:seelabel spam; *:seelabel ham; *:earlier");
        event.labels.push(Label {
            key: "spam".into(),
            value: 0.5,
            note: None,
            plugin: "other".into(),
        });
        event.earlier_actions = vec![ActionKind::Delete, ActionKind::DirectMessage];
        let actions = probe("a").handle(&mut host, &event).unwrap();
        let texts: Vec<&str> = actions.iter().map(reply_text).collect();
        assert_eq!(
            texts,
            [
                "label spam=0.5",
                "label ham=none",
                "earlier=delete,directmessage"
            ]
        );
        event.earlier_actions.clear();
        event.text = "*:earlier".into();
        assert_eq!(
            reply_text(&probe("a").handle(&mut host, &event).unwrap()[0]),
            "earlier="
        );
    }

    #[test]
    fn posts_on_tick_once_asked() {
        let mut host = TestHost::new();
        let mut p = probe("a");
        assert!(p.tick(&mut host, 5).unwrap().is_empty());
        p.handle(&mut host, &test_event("e1", "u1", "a:post-on-tick news"))
            .unwrap();
        assert_eq!(
            p.tick(&mut host, 5).unwrap(),
            vec![act::post("news", "tick at 5", "a: tick")]
        );
    }
}
