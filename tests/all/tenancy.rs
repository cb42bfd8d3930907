//! Many communities on one host: instances are a cache (evicted under the
//! pool and memory budget, made again from the configured snapshot), an
//! event is never handled without every plugin of its chain, and nothing a
//! plugin keeps in memory reaches another community.

use crate::env::{message, plugin, TestEnv};
use vigie::Runtime;

/// Two probes counting each event, for every community; `runtime` holds
/// `[runtime]` keys (the pool size) or is empty.
fn counting_chain(runtime: &str) -> TestEnv {
    let runtime = if runtime.is_empty() {
        "max_instances = 64"
    } else {
        runtime
    };
    TestEnv::with_runtime(
        r#"default_chain = ["a", "b"]"#,
        runtime,
        &format!(
            r#"
[plugins.a]
component = "{probe}"
grants = ["reply"]
config = {{ name = "a" }}
[plugins.b]
component = "{probe}"
grants = ["reply"]
config = {{ name = "b" }}
"#,
            probe = plugin("probe").display()
        ),
    )
}

/// `rounds` events per community, interleaved: every community's first
/// event, then every community's second…
fn interleaved(communities: usize, rounds: usize) -> Vec<String> {
    (0..rounds)
        .flat_map(|round| {
            (0..communities).map(move |c| {
                message(
                    &format!("c{c}-e{round}"),
                    &format!("c{c}"),
                    "u1",
                    "a:count seen; b:count seen; b:get seen",
                )
            })
        })
        .collect()
}

/// Each event got `count=n` from both plugins (one reply: the planner
/// merges equal replies) and `seen=n` from b, n its rank in its community:
/// every plugin saw every event, in order, with its state kept across
/// evictions.
fn assert_every_plugin_counted(out: &crate::env::Outcome, communities: usize, rounds: usize) {
    for c in 0..communities {
        for round in 0..rounds {
            let id = format!("c{c}-e{round}");
            let n = round + 1;
            assert_eq!(
                out.replies(&id),
                vec![format!("count={n}"), format!("seen={n}")],
                "event {id}"
            );
            assert_eq!(out.kinds_for(&id), vec!["a:reply", "b:reply"], "event {id}");
        }
    }
    assert_eq!(out.summary.events_handled, (communities * rounds) as u64);
    assert!(
        out.summary.plugin_errors.is_empty(),
        "{:?}",
        out.summary.plugin_errors
    );
}

#[test]
fn a_pool_far_smaller_than_the_communities_loses_no_event() {
    // 8 instances for 60 communities × 2 plugins: a worker keeps at most
    // three instances, so communities are evicted all the time.
    let env = counting_chain("max_instances = 8");
    let out = env.run(&interleaved(60, 3));
    assert_every_plugin_counted(&out, 60, 3);
    assert!(out.summary.evictions > 0, "{:?}", out.summary);
}

#[test]
fn a_full_pool_holds_events_back_instead_of_skipping_them() {
    // The runtime's pool (6 instances) is smaller than the config says
    // (64): workers believe they have room, instantiation fails, and the
    // host must undo, evict and try again rather than skip the event.
    let env = counting_chain("");
    let runtime = Runtime::builder()
        .max_instances(6)
        .build()
        .expect("runtime");
    let out = env
        .run_with(&interleaved(30, 2), |b| b.runtime(runtime))
        .expect("run");
    assert_every_plugin_counted(&out, 30, 2);
    assert!(out.summary.host_retries > 0, "{:?}", out.summary);
}

#[test]
fn nothing_a_plugin_keeps_in_memory_reaches_another_community() {
    let env = counting_chain("");
    let out = env.run(&[
        message("e1", "acme", "u1", "a:remember acme's secret"),
        message("e2", "other", "u1", "a:recall"),
        message("e3", "acme", "u1", "a:recall"),
    ]);
    // The plugin does keep memory within a community (so the check below
    // could fail)…
    assert_eq!(out.replies("e3"), vec!["recall=acme's secret"]);
    // …and another community's instance never sees it.
    assert_eq!(out.replies("e2"), vec!["recall=none"]);
}

#[test]
fn an_evicted_community_gets_a_fresh_instance_and_keeps_its_stored_state() {
    // One community's instances are evicted by the others' events between
    // its own: what it kept in memory is gone, what it stored is not.
    let env = counting_chain("max_instances = 8");
    let mut lines = vec![message(
        "first",
        "acme",
        "u1",
        "a:remember in memory; a:set k in store",
    )];
    lines.extend(interleaved(20, 1));
    lines.push(message("last", "acme", "u1", "a:recall; a:get k"));
    // Batches of one and no read-ahead: a worker runs each event as it
    // comes, so `first` and `last` are not handled together (with a
    // window, a community's waiting events run in one go and keep their
    // instances).
    let out = env
        .run_with(&lines, |b| b.batch_size(1).read_ahead(1))
        .expect("run");
    assert_eq!(out.replies("last"), vec!["recall=none", "k=in store"]);
    assert!(out.summary.evictions > 0);
}

#[test]
fn plugins_start_from_their_configured_snapshot() {
    let env = counting_chain("");
    let config = env.config();
    let runtime = Runtime::builder().build().expect("runtime");
    let store: std::sync::Arc<dyn vigie::Store> =
        std::sync::Arc::new(vigie::SledStore::temporary().expect("store"));
    let secret = std::sync::Arc::new(vigie::Secret::random());
    let entry = config.plugin_entry("a").expect("entry");
    let def = vigie::pipeline::load_entry(&runtime, entry, store, secret).expect("loads");
    assert!(
        def.configured.is_some(),
        "the probe's configure should have been snapshot"
    );
}

/// `communities_dir`: one file per community, watched. A file added while
/// the host runs serves that community's next event, with its own config
/// keys; a bad file (new or edited) is refused alone, and the communities
/// already running keep their chains.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_community_file_added_while_running_serves_its_next_event() {
    use crate::reload::{event, replace_file, start};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let communities = dir.path().join("communities");
    std::fs::create_dir(&communities).unwrap();
    std::fs::write(communities.join("acme.toml"), "chain = [\"p\"]\n").unwrap();
    let path = dir.path().join("vigie.toml");
    std::fs::write(
        &path,
        format!(
            r#"data_dir = "data"
communities_dir = "communities"
[plugins.p]
component = "{probe}"
grants = ["reply"]
config = {{ name = "p" }}
"#,
            probe = plugin("probe").display()
        ),
    )
    .unwrap();

    // At start, a bad file stops the host with its file and line.
    std::fs::write(communities.join("broken.toml"), "\nchain = [\"nope\"]\n").unwrap();
    let refused = vigie::Vigie::builder()
        .build_from_config(&vigie::Config::load(&path).unwrap())
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        refused.contains("broken.toml:2") && refused.contains("`nope`"),
        "{refused}"
    );
    std::fs::remove_file(communities.join("broken.toml")).unwrap();

    let run = start(&path);
    let replies = |collected: &vigie::CollectExecutor, community: &str| -> Vec<String> {
        collected
            .actions()
            .iter()
            .filter(|a| a.community == community)
            .filter_map(|a| match &a.action {
                vigie::Action::Reply { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    };
    async fn wait(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(Instant::now() < deadline, "{what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    run.tx
        .send(event("a1", "acme", "p:reply ready", 0))
        .await
        .unwrap();
    wait("acme was not served", || {
        replies(&run.collected, "acme") == ["ready"]
    })
    .await;

    // A new file, with the community's own config keys.
    let generation = run.host.live_routes().generation();
    replace_file(
        &communities.join("globex.toml"),
        b"chain = [\"p\"]\n\n[plugins.p.config]\nname = \"g\"\n",
    );
    wait("globex.toml was not picked up", || {
        run.host.live_routes().generation() != generation
            && run.host.live_routes().chain_for("globex").is_some()
    })
    .await;
    run.tx
        .send(event(
            "g1",
            "globex",
            "p:reply wrong name; g:reply hello",
            1,
        ))
        .await
        .unwrap();
    wait("globex was not served", || {
        replies(&run.collected, "globex") == ["hello"]
    })
    .await;

    // Bad files: a new one and an edit; both refused, nothing else changes.
    let generation = run.host.live_routes().generation();
    replace_file(&communities.join("initech.toml"), b"chain = [\"nope\"]\n");
    replace_file(&communities.join("globex.toml"), b"chain = [\"p\"\n");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(run.host.live_routes().generation(), generation);
    assert!(run.host.live_routes().chain_for("initech").is_none());
    for (id, community, text) in [
        ("g2", "globex", "g:reply still g"),
        ("a2", "acme", "p:reply still p"),
        ("i1", "initech", "p:reply unrouted"),
    ] {
        run.tx.send(event(id, community, text, 2)).await.unwrap();
    }
    drop(run.tx);
    let summary = run.task.await.unwrap().unwrap();
    assert_eq!(replies(&run.collected, "globex"), ["hello", "still g"]);
    assert_eq!(replies(&run.collected, "acme"), ["ready", "still p"]);
    assert!(replies(&run.collected, "initech").is_empty());
    assert_eq!(summary.events_unrouted, 1);
}
