//! Hot reload in the running host: a plugin file replaced while events
//! flow, a bad new version refused, a version that fails on its first event
//! rolled back, state kept across versions. In process, with a watched
//! config in a temporary directory and real compiled components.

use crate::env::plugin;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use vigie::source::ChannelSource;
use vigie::{CollectExecutor, Config, DecidedAction, Event, Vigie};

/// The same component with a different hash (a custom section).
pub fn variant(bytes: &[u8], tag: &str) -> Vec<u8> {
    vigie::runtime::with_custom_section(bytes, "vigie-variant", tag.as_bytes())
}

pub fn event(id: &str, community: &str, text: &str, t: i64) -> Event {
    Event::from_json_line(
        &serde_json::json!({
            "id": id, "kind": "message", "platform": "test", "community": community,
            "channel": "general", "author": {"id": "u1", "name": "u1"},
            "text": text,
            "timestamp": vigie::event::format_ms(1_795_000_000_000 + t),
        })
        .to_string(),
    )
    .expect("valid event")
}

/// Writes `bytes` to `path` the way editors and build tools do: a new file
/// renamed over the old one.
pub fn replace_file(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

fn config(dir: &Path, component: &str) -> std::path::PathBuf {
    let path = dir.join("vigie.toml");
    std::fs::write(
        &path,
        format!(
            r#"data_dir = "data"
[runtime]
batch_size = 8
[plugins.p]
component = "{component}"
grants = ["reply", "post"]

[[communities]]
id = "acme"
chain = ["p"]

[[communities]]
id = "globex"
chain = ["p"]
"#
        ),
    )
    .unwrap();
    path
}

pub struct Running {
    pub tx: mpsc::Sender<Event>,
    pub host: Arc<Vigie>,
    pub collected: CollectExecutor,
    pub task: tokio::task::JoinHandle<anyhow::Result<vigie::Summary>>,
}

pub fn start(config_path: &Path) -> Running {
    let config = Config::load(config_path).unwrap();
    let host = Arc::new(
        Vigie::builder()
            .watch(config_path)
            .build_from_config(&config)
            .unwrap(),
    );
    let (tx, rx) = mpsc::channel(1024);
    let collected = CollectExecutor::default();
    let h = host.clone();
    let c = collected.clone();
    let task = tokio::spawn(async move {
        h.run(vec![Box::new(ChannelSource::new("test", rx))], Box::new(c))
            .await
    });
    Running {
        tx,
        host,
        collected,
        task,
    }
}

/// Waits until the community's chain runs the component with this hash.
async fn wait_published(host: &Vigie, hash: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !host
        .live_routes()
        .chain_for("acme")
        .is_some_and(|c| c.iter().any(|d| d.loaded.hash == hash))
    {
        assert!(
            Instant::now() < deadline,
            "version {hash} was not published"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn counts(actions: &[DecidedAction], community: &str) -> Vec<(u64, String)> {
    actions
        .iter()
        .filter(|a| a.community == community)
        .filter_map(|a| match &a.action {
            vigie::Action::Reply { text, .. } => text
                .strip_prefix("count=")
                .and_then(|n| n.parse().ok())
                .map(|n| (n, a.by.plugin_hash.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_swapped_while_events_flow_loses_nothing_and_keeps_order_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let probe = std::fs::read(plugin("probe")).unwrap();
    let file = dir.path().join("p.wasm");
    std::fs::write(&file, &probe).unwrap();
    let config_path = config(dir.path(), "p.wasm");
    let run = start(&config_path);
    const EVENTS: usize = 600;
    const SWAPS: usize = 3;
    let mut sent = 0;
    for swap in 0..=SWAPS {
        for _ in 0..EVENTS / (SWAPS + 1) {
            for community in ["acme", "globex"] {
                let e = event(
                    &format!("{community}-{sent}"),
                    community,
                    "*:count n",
                    sent as i64,
                );
                run.tx.send(e).await.unwrap();
            }
            sent += 1;
            if sent % 20 == 0 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        if swap < SWAPS {
            let next = variant(&probe, &format!("v{swap}"));
            replace_file(&file, &next);
            wait_published(&run.host, &vigie::runtime::hash_hex(&next)).await;
        }
    }
    drop(run.tx);
    let summary = run.task.await.unwrap().unwrap();
    assert_eq!(summary.events_handled as usize, 2 * sent);
    assert_eq!(summary.total_plugin_errors(), 0);
    let actions = run.collected.actions();
    for community in ["acme", "globex"] {
        let counts = counts(&actions, community);
        // Every event counted once, in order: state carried across versions.
        let numbers: Vec<u64> = counts.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            numbers,
            (1..=sent as u64).collect::<Vec<_>>(),
            "{community}"
        );
        // Versions follow each other: never back to an older one.
        let mut versions: Vec<&String> = counts.iter().map(|(_, h)| h).collect();
        versions.dedup();
        assert_eq!(versions.len(), SWAPS + 1, "{community}: {versions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_new_versions_are_refused_and_the_old_one_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let probe = std::fs::read(plugin("probe")).unwrap();
    let file = dir.path().join("p.wasm");
    std::fs::write(&file, &probe).unwrap();
    let config_path = config(dir.path(), "p.wasm");
    let run = start(&config_path);
    let probe_hash = vigie::runtime::hash_hex(&probe);
    let mut t = 0;
    let mut send = |text: &str| {
        t += 1;
        event(&format!("e{t}"), "acme", text, t)
    };
    run.tx.send(send("*:count n")).await.unwrap();

    // Not a component at all: refused at load, nothing published.
    let generation = run.host.live_routes().generation();
    replace_file(&file, b"not wasm");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(run.host.live_routes().generation(), generation);
    run.tx.send(send("*:count n")).await.unwrap();

    // A component that panics on its first event: rolled back, and the old
    // version handles that event.
    let panicker = std::fs::read(plugin("panicker")).unwrap();
    replace_file(&file, &panicker);
    wait_published(&run.host, &vigie::runtime::hash_hex(&panicker)).await;
    run.tx.send(send("boom; *:count n")).await.unwrap();
    run.tx.send(send("*:count n")).await.unwrap();
    drop(run.tx);
    let summary = run.task.await.unwrap().unwrap();
    assert_eq!(summary.events_handled, 4);
    let counts = counts(&run.collected.actions(), "acme");
    assert_eq!(
        counts,
        (1..=4).map(|n| (n, probe_hash.clone())).collect::<Vec<_>>(),
        "the old version must have handled every event"
    );
    let rejected = run.host.live_routes().rejected();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(rejected[0].contains(&vigie::runtime::hash_hex(&panicker)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_change_reloads_only_that_plugin_and_lifts_its_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigie.toml");
    let write = |p_name: &str| {
        std::fs::write(
            &path,
            format!(
                r#"data_dir = "data"
[runtime.limits]
quarantine_after = 2
[plugins.p]
component = "{probe}"
grants = ["reply"]
config = {{ name = "{p_name}" }}
[plugins.q]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = {{ keywords = ["spam"] }}
[[communities]]
id = "acme"
chain = ["p", "q"]
"#,
                probe = plugin("probe").display()
            ),
        )
        .unwrap()
    };
    write("p");
    let run = start(&path);
    let chain = || run.host.live_routes().chain_for("acme").unwrap();
    let (p_before, q_before) = (chain()[0].clone(), chain()[1].clone());
    // p fails twice in a row (one event at a time): quarantined.
    for (i, text) in ["!fail", "!fail", "p:reply one; spam"].iter().enumerate() {
        run.tx
            .send(event(&format!("a{i}"), "acme", text, i as i64))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while run.collected.actions().is_empty() {
        assert!(Instant::now() < deadline, "nothing handled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Only q acted: p is quarantined.
    let by = |actions: &[DecidedAction]| -> Vec<String> {
        actions.iter().map(|a| a.by.plugin.clone()).collect()
    };
    assert_eq!(by(&run.collected.actions()), ["q", "q"]);

    // p's config changes (its name): p is reloaded, q is left alone.
    let generation = run.host.live_routes().generation();
    write("p2");
    let deadline = Instant::now() + Duration::from_secs(30);
    while run.host.live_routes().generation() == generation {
        assert!(
            Instant::now() < deadline,
            "the config change was not picked up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Let the optimised code follow the baseline code.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!Arc::ptr_eq(&chain()[0], &p_before), "p was not reloaded");
    assert!(
        Arc::ptr_eq(&chain()[1], &q_before),
        "q was reloaded for nothing"
    );
    // The new p is out of quarantine and answers to its new name.
    run.tx
        .send(event("a3", "acme", "p2:reply two", 3))
        .await
        .unwrap();
    drop(run.tx);
    run.task.await.unwrap().unwrap();
    assert_eq!(by(&run.collected.actions()), ["q", "q", "p"]);
}

/// Editing a plugin's `config_file` reloads that plugin, as editing
/// `vigie.toml` does; a broken one is refused and the running version keeps
/// serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_plugins_config_file_reloads_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigie.toml");
    let probe_config = dir.path().join("probe.toml");
    std::fs::write(&probe_config, "name = \"p\"\n").unwrap();
    std::fs::write(
        &path,
        format!(
            r#"data_dir = "data"
[plugins.p]
component = "{probe}"
grants = ["reply"]
config_file = "probe.toml"
[[communities]]
id = "acme"
chain = ["p"]
"#,
            probe = plugin("probe").display()
        ),
    )
    .unwrap();
    let run = start(&path);
    let wait_for_generation_after = |generation: u64| {
        let host = run.host.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            while host.live_routes().generation() == generation {
                assert!(
                    Instant::now() < deadline,
                    "the config_file change was not picked up"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    // The host is up (and its watcher too) once it answered.
    run.tx
        .send(event("e0", "acme", "p:reply ready", 0))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while run.collected.actions().is_empty() {
        assert!(Instant::now() < deadline, "nothing handled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let generation = run.host.live_routes().generation();
    replace_file(&probe_config, b"name = \"p2\"\n");
    wait_for_generation_after(generation).await;
    // The optimised code follows the baseline code (one more generation):
    // wait until the routes are still.
    let mut generation = run.host.live_routes().generation();
    loop {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let now = run.host.live_routes().generation();
        if now == generation {
            break;
        }
        generation = now;
    }
    // A broken file: refused, p2 keeps serving.
    replace_file(&probe_config, b"name = \n");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(run.host.live_routes().generation(), generation);
    run.tx
        .send(event(
            "e1",
            "acme",
            "p:reply old name; p2:reply new name",
            1,
        ))
        .await
        .unwrap();
    drop(run.tx);
    run.task.await.unwrap().unwrap();
    let replies: Vec<String> = run
        .collected
        .actions()
        .iter()
        .filter_map(|a| match &a.action {
            vigie::Action::Reply { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(replies, ["ready", "new name"]);
}
