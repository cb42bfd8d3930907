//! The structured target of issue #23: arbitrary sequences of events and
//! ticks through the demo's chains, in process, with the real first-party
//! plugin components (automod → sentiment → faq → giveaway → poll →
//! schedule for `acme`, the same less schedule for `acme-en`, configured as
//! `examples/demo/vigie.toml` configures them).
//!
//! The input is read with `arbitrary`'s `Unstructured` as a list of operations: an event
//! (community, channel, author, kind, text from a dictionary made of the
//! demo's own events and commands, raw text, or both, a reply or reaction
//! to an earlier event, time passing) or a tick after some time. Each
//! community's events run through its `Chain` one at a time, and what a
//! plugin wrote is committed to the store after each, as the community
//! actor does.
//!
//! Invariants checked on every input:
//! - no panic, in the host or (as a trap) in a plugin: a plugin's failure
//!   other than a timeout is reported as a crash with the counts by cause;
//! - every decided action is of a kind its plugin is granted, comes from a
//!   plugin of that community's chain, at its loaded version;
//! - output limits hold: per event (or tick) and plugin, at most
//!   `max_actions` actions and `max_output_bytes` bytes of text;
//! - replaying the same sequence on a fresh host (new store, new chains,
//!   the same secret key) gives the same actions, reasons included.
//!
//! The components are not embedded in a fuzz build (`host/build.rs` writes
//! empty stand-ins under `--cfg fuzzing`), so this target reads them from
//! the directory named by `VIGIE_FUZZ_PLUGIN_DIR`: the `.wasm` files of a
//! normal build (`fuzz/run.sh` builds them and sets it). It stops with a
//! message, before fuzzing, when that is missing.
#![no_main]

use libfuzzer_sys::arbitrary::{Result as Parsed, Unstructured};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use vigie::chain::{Chain, PluginDef};
use vigie::runtime::{Runtime, Secret};
use vigie::stats::Stats;
use vigie::store::{Commit, SledStore, Store};
use vigie::{Config, DecidedAction, Event};

/// Operations per input: enough for a giveaway or a poll to start, get
/// entries and end; more only slows each run.
const MAX_OPS: usize = 48;
/// 2026-11-22T09:00:00Z, the demo's first event.
const START_MS: i64 = 1_795_338_000_000;
const COMMUNITIES: [&str; 2] = ["acme", "acme-en"];
const CHANNELS: [&str; 5] = ["general", "support", "help", "concours", "veille"];
const KINDS: [&str; 10] = [
    "message",
    "edit",
    "deletion",
    "reaction",
    "join",
    "leave",
    "follow",
    "mention",
    "direct_message",
    "report",
];
const EMOJI: [&str; 8] = ["👍", "🎉", "1️⃣", "2️⃣", "3️⃣", "❤️", "😡", "x"];
/// Commands and texts the demo's events lack or that reach other branches.
const EXTRA_TEXTS: [&str; 12] = [
    "!giveaway start \"Box\" 1m 1",
    "!giveaway start \"Coffret\" 2h 3",
    "!giveaway end",
    "!giveaway reroll",
    "!enter",
    "!participer",
    "!poll \"Tea or coffee?\" \"Tea\" \"Coffee\"",
    "!sondage « Thé ou café ? » « Thé » « Café »",
    "!vote 1",
    "!voter 2",
    "!sondage résultats",
    "FREE FREE FREE https://spam.example/x https://spam.example/y",
];

#[derive(Debug)]
enum Op {
    Event(EventSpec),
    /// Time passes by this many seconds, then every community ticks.
    Tick(u16),
}

#[derive(Debug)]
struct EventSpec {
    community: bool,
    channel: u8,
    author: u8,
    account_age_days: Option<u16>,
    kind: u8,
    text: Text,
    /// Seconds since the previous operation.
    after_s: u8,
    /// An earlier event this one replies to, or reacts to or edits.
    refers_to: Option<u8>,
    emoji: u8,
}

#[derive(Debug)]
enum Text {
    Dictionary(u16),
    Raw(String),
    Both(u16, String),
}

/// `(id, name, roles, default account age, staff)`.
const AUTHORS: [(&str, &str, &[&str], u32, bool); 6] = [
    ("u-alice", "Alice", &["member"], 420, false),
    ("u-bruno", "Bruno", &["vip"], 1100, false),
    ("u-new", "Nouveau", &[], 0, false),
    ("u-troll", "Troll", &["member"], 2, false),
    ("u-lea", "Léa", &["moderator"], 800, true),
    ("u-sam", "Sam", &["admin", "staff"], 900, true),
];

struct Demo {
    // Kept for as long as the loaded plugins: their engine.
    _runtime: Runtime,
    /// Each community's chain, in order.
    chains: Vec<(&'static str, Vec<Arc<PluginDef>>)>,
    texts: Vec<String>,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| match load_demo() {
        Ok(demo) => demo,
        Err(e) => {
            // Not a finding: the target cannot start. Exit before libFuzzer
            // reports a crash for it.
            eprintln!("demo_chain: {e:#}");
            std::process::exit(2);
        }
    })
}

fn load_demo() -> anyhow::Result<Demo> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::var_os("VIGIE_FUZZ_PLUGIN_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            anyhow::anyhow!(
            "VIGIE_FUZZ_PLUGIN_DIR is not set: it must name the directory of the plugin components \
             of a normal build (target/plugins/wasm32-wasip2/plugin after `cargo build`); \
             fuzz/run.sh builds them and sets it"
        )
        })?;
    let config = Config::load(&root.join("examples/demo/vigie.toml"))?;
    let runtime = Runtime::builder().max_instances(64).build()?;
    let probe_store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
    let secret = Arc::new(secret());
    let mut loaded: BTreeMap<String, Arc<PluginDef>> = BTreeMap::new();
    let mut chains = Vec::new();
    for community in COMMUNITIES {
        let chain = config
            .communities
            .iter()
            .find(|c| c.id.get_ref() == community)
            .ok_or_else(|| anyhow::anyhow!("the demo config has no community `{community}`"))?;
        let mut defs = Vec::new();
        for name in &chain.chain {
            let name = name.get_ref();
            if !loaded.contains_key(name) {
                let entry = config.plugin_entry(name)?;
                let builtin = entry.component.strip_prefix("builtin:").ok_or_else(|| {
                    anyhow::anyhow!("plugin `{name}` is not a built-in: {}", entry.component)
                })?;
                let file = dir.join(format!("{}.wasm", builtin.replace('-', "_")));
                let bytes = std::fs::read(&file).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot read {} ({e}); see VIGIE_FUZZ_PLUGIN_DIR",
                        file.display()
                    )
                })?;
                if bytes.is_empty() {
                    anyhow::bail!(
                        "{} is empty: a fuzz build's stand-in, not a component; point \
                         VIGIE_FUZZ_PLUGIN_DIR at a normal build's components",
                        file.display()
                    );
                }
                let def =
                    PluginDef::load(&runtime, entry, &bytes, probe_store.clone(), secret.clone())?;
                loaded.insert(name.clone(), Arc::new(def));
            }
            defs.push(loaded[name].clone());
        }
        chains.push((community, defs));
    }
    let mut texts: Vec<String> = std::fs::read_to_string(root.join("examples/demo/events.jsonl"))?
        .lines()
        .filter_map(|l| Event::from_json_line(l).ok())
        .map(|e| e.text)
        .filter(|t| !t.is_empty())
        .collect();
    texts.sort();
    texts.dedup();
    texts.extend(EXTRA_TEXTS.iter().map(|t| t.to_string()));
    Ok(Demo {
        _runtime: runtime,
        chains,
        texts,
    })
}

/// The same key for every run, so that a replay draws the same.
fn secret() -> Secret {
    Secret::from_bytes([7; 32])
}

/// What one run decided, each action as JSON, in order; and whether a
/// plugin ran out of time (then a replay may differ, and that is the
/// machine's load, not a bug).
struct Run {
    actions: Vec<String>,
    timed_out: bool,
}

fn run(demo: &Demo, ops: &[Op]) -> Run {
    let store: Arc<dyn Store> = match SledStore::temporary() {
        Ok(store) => Arc::new(store),
        Err(e) => panic!("cannot open a temporary store: {e:#}"),
    };
    let secret = Arc::new(secret());
    let stats = Stats::default();
    let mut chains: Vec<(&str, &[Arc<PluginDef>], Chain)> = demo
        .chains
        .iter()
        .map(|(community, defs)| {
            let chain = Chain::new(community, defs.clone(), store.clone(), secret.clone());
            (*community, defs.as_slice(), chain)
        })
        .collect();
    let mut now = START_MS;
    let mut ids: Vec<(usize, String)> = Vec::new();
    let mut actions = Vec::new();
    for op in ops.iter().take(MAX_OPS) {
        match op {
            Op::Event(spec) => {
                now += i64::from(spec.after_s) * 1000;
                let c = usize::from(spec.community);
                let id = format!("f-{}", ids.len() + 1);
                let Some(event) = make_event(demo, spec, &id, COMMUNITIES[c], &ids, now) else {
                    continue;
                };
                ids.push((c, id));
                let (community, defs, chain) = &mut chains[c];
                let plan = match chain.handle(std::slice::from_ref(&event), &stats) {
                    Ok(mut plans) => plans.pop().unwrap_or_default(),
                    Err(e) => panic!("host failure: {e}"),
                };
                check_plan(community, defs, &plan);
                commit(&store, chain, vec![event], &plan);
                actions.extend(plan.iter().map(json));
            }
            Op::Tick(after_s) => {
                now += i64::from(*after_s) * 1000;
                for (community, defs, chain) in &mut chains {
                    let ticked = match chain.tick(now, &stats) {
                        Ok(ticked) => ticked,
                        Err(e) => panic!("host failure on a tick: {e}"),
                    };
                    check_plan(community, defs, &ticked.plan);
                    commit(&store, chain, Vec::new(), &ticked.plan);
                    actions.extend(ticked.plan.iter().map(json));
                }
            }
        }
    }
    let summary = stats.snapshot();
    let mut timed_out = false;
    for (plugin, causes) in &summary.plugin_errors {
        for (cause, n) in causes {
            if cause == "timeout" {
                timed_out = true;
            } else {
                panic!(
                    "plugin `{plugin}` failed {n} time(s) ({cause}); all failures: {:?}",
                    summary.plugin_errors
                );
            }
        }
    }
    Run { actions, timed_out }
}

fn make_event(
    demo: &Demo,
    spec: &EventSpec,
    id: &str,
    community: &str,
    earlier: &[(usize, String)],
    now_ms: i64,
) -> Option<Event> {
    let dictionary = |i: u16| demo.texts[usize::from(i) % demo.texts.len()].clone();
    let text = match &spec.text {
        Text::Dictionary(i) => dictionary(*i),
        Text::Raw(s) => s.clone(),
        Text::Both(i, s) => format!("{} {s}", dictionary(*i)),
    };
    let (author_id, name, roles, age, staff) = match AUTHORS.get(usize::from(spec.author)) {
        Some(&(id, name, roles, age, staff)) => (id.to_string(), name, roles, age, staff),
        None => (format!("u-{}", spec.author), "Someone", &[][..], 30, false),
    };
    let kind = KINDS[usize::from(spec.kind) % KINDS.len()];
    let refers = spec
        .refers_to
        .and_then(|i| earlier.get(usize::from(i) % earlier.len().max(1)))
        .map(|(_, id)| id.clone());
    let (reply_to, target_message, reaction) = match kind {
        "reaction" => (
            None,
            refers,
            Some(EMOJI[usize::from(spec.emoji) % EMOJI.len()]),
        ),
        "edit" | "deletion" | "report" => (None, refers, None),
        _ => (refers, None, None),
    };
    let value = serde_json::json!({
        "id": id,
        "kind": kind,
        "platform": "fuzz",
        "community": community,
        "channel": CHANNELS[usize::from(spec.channel) % CHANNELS.len()],
        "author": {
            "id": author_id,
            "name": name,
            "roles": roles,
            "account_age_days": spec.account_age_days.map_or(age, u32::from),
            "is_staff": staff,
        },
        "text": text,
        "reply_to": reply_to,
        "reaction": reaction,
        "target_message": target_message,
        "timestamp": vigie::event::format_ms(now_ms),
    });
    // Only what a source accepts reaches a chain: the same check.
    Event::from_json_line(&value.to_string()).ok()
}

/// Every action granted, from this chain, within the output limits.
fn check_plan(community: &str, defs: &[Arc<PluginDef>], plan: &[DecidedAction]) {
    let mut per_plugin: HashMap<&str, (usize, usize)> = HashMap::new();
    for decided in plan {
        assert_eq!(decided.community, community, "an action left its community");
        let Some(def) = defs.iter().find(|d| d.entry.name == decided.by.plugin) else {
            panic!(
                "an action by `{}`, not in {community}'s chain",
                decided.by.plugin
            );
        };
        assert_eq!(decided.by, def.by, "an action names another version");
        let kind = decided.action.kind();
        assert!(
            def.entry.grants.contains(&kind),
            "`{}` decided `{kind}`, not granted: {decided:?}",
            def.entry.name
        );
        let counts = per_plugin.entry(def.entry.name.as_str()).or_default();
        counts.0 += 1;
        counts.1 += decided.action.output_bytes();
        assert!(
            counts.0 <= def.entry.limits.max_actions,
            "`{}` decided more than {} actions for one call",
            def.entry.name,
            def.entry.limits.max_actions
        );
        assert!(
            counts.1 <= def.entry.limits.max_output_bytes,
            "`{}` produced more than {} bytes of text for one call",
            def.entry.name,
            def.entry.limits.max_output_bytes
        );
    }
}

/// What the community actor commits after a batch: the plugins' key-value
/// writes with the handled events and the decided actions.
fn commit(store: &Arc<dyn Store>, chain: &mut Chain, handled: Vec<Event>, plan: &[DecidedAction]) {
    let result = store.commit(Commit {
        kv: chain.take_kv_writes(),
        handled,
        actions: plan.to_vec(),
        shadow: chain.take_shadow(),
        ..Commit::default()
    });
    if let Err(e) = result {
        panic!("the store refused a commit: {e:#}");
    }
}

fn json(decided: &DecidedAction) -> String {
    serde_json::to_string(decided).unwrap_or_else(|e| panic!("an action is not JSON: {e}"))
}

/// The operations the input encodes, read as `arbitrary` reads them, by
/// hand: its `derive` feature would change the `arbitrary` crate that
/// cranelift also depends on, and rebuild wasmtime for this target alone.
fn read_ops(data: &[u8]) -> Vec<Op> {
    let mut u = Unstructured::new(data);
    let mut ops = Vec::new();
    while !u.is_empty() && ops.len() < MAX_OPS {
        match read_op(&mut u) {
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    ops
}

fn read_op(u: &mut Unstructured) -> Parsed<Op> {
    if u.ratio(1, 8)? {
        return Ok(Op::Tick(u.arbitrary()?));
    }
    Ok(Op::Event(EventSpec {
        community: u.arbitrary()?,
        channel: u.arbitrary()?,
        author: u.arbitrary()?,
        account_age_days: u.arbitrary()?,
        kind: u.arbitrary()?,
        after_s: u.arbitrary()?,
        refers_to: u.arbitrary()?,
        emoji: u.arbitrary()?,
        text: match u.int_in_range(0..=2u8)? {
            0 => Text::Dictionary(u.arbitrary()?),
            1 => Text::Raw(u.arbitrary()?),
            _ => Text::Both(u.arbitrary()?, u.arbitrary()?),
        },
    }))
}

// Loading compiles six components with cranelift, about a minute in this
// instrumented build: done before fuzzing starts, not inside the first
// input, where libFuzzer's timeout would count it.
libfuzzer_sys::fuzz_target!(init: { demo(); }, |data: &[u8]| {
    let ops = read_ops(data);
    let demo = demo();
    let first = run(demo, &ops);
    let replay = run(demo, &ops);
    if !first.timed_out && !replay.timed_out {
        assert_eq!(
            first.actions, replay.actions,
            "the same events on a fresh host decided other actions"
        );
    }
});
