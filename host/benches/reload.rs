//! Hot reload latency: the time from writing a new version of a plugin
//! file to the first event handled by that version, while events flow
//! (one every millisecond), for each first-party plugin, over 20 reloads.
//! Prints the median and the maximum. New versions are 1.5 s apart, so the
//! background compile of one version's optimised code is done before the
//! next. Each new version is the plugin with
//! a different custom section (a new hash: compiled from scratch, as a real
//! new build would be).
//!
//! `cargo bench -p vigie --bench reload [-- RELOADS]` (default 20).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use vigie::source::ChannelSource;
use vigie::{builtin, CollectExecutor, Config, Event, Vigie};

/// The same component with a different hash (a custom section).
fn variant(bytes: &[u8], tag: &str) -> Vec<u8> {
    vigie::runtime::with_custom_section(bytes, "vigie-variant", tag.as_bytes())
}

fn replace_file(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

async fn measure(plugin: &str, grants: &str, reloads: usize) -> anyhow::Result<Vec<Duration>> {
    let dir = tempfile::tempdir()?;
    for (name, content) in builtin::DEMO_FILES {
        std::fs::write(dir.path().join(name), content)?;
    }
    let bytes = builtin::component_bytes(&format!("builtin:{plugin}"))?;
    let file = dir.path().join(format!("{plugin}.wasm"));
    std::fs::write(&file, &bytes)?;
    let demo = Config::load(&dir.path().join("vigie.toml"))?;
    let plugin_config = demo
        .plugin_entry(plugin)
        .map(|e| e.config_json)
        .unwrap_or_else(|_| "{}".into());
    let config_path = dir.path().join("reload.toml");
    std::fs::write(
        &config_path,
        format!(
            "data_dir = \"data\"\n[plugins.{plugin}]\ncomponent = \"{plugin}.wasm\"\ngrants = {grants}\n\
             config = {}\n[[communities]]\nid = \"acme\"\nchain = [\"{plugin}\"]\n",
            toml_inline(&plugin_config)?
        ),
    )?;
    let config = Config::load(&config_path)?;
    let host = Arc::new(
        Vigie::builder()
            .watch(&config_path)
            .build_from_config(&config)?,
    );
    let (tx, rx) = mpsc::channel(4096);
    let h = host.clone();
    let run = tokio::spawn(async move {
        h.run(
            vec![Box::new(ChannelSource::new("test", rx))],
            Box::new(CollectExecutor::default()),
        )
        .await
    });
    let demo_events: Vec<Event> = builtin::DEMO_EVENTS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| Event::from_json_line(l).ok())
        .collect();
    let feeder = tokio::spawn(async move {
        let mut i: usize = 0;
        loop {
            let mut e = demo_events[i % demo_events.len()].clone();
            e.id = format!("bench-{i}");
            e.community = "acme".into();
            e.timestamp += Duration::from_millis(100 * i as u64);
            if tx.send(e).await.is_err() {
                return;
            }
            i += 1;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::new();
    for n in 0..reloads {
        let next = variant(&bytes, &format!("{plugin}-{n}-{}", std::process::id()));
        let hash = vigie::runtime::hash_hex(&next);
        let written = Instant::now();
        replace_file(&file, &next);
        let deadline = written + Duration::from_secs(30);
        let served = loop {
            if let Some(at) = host.live_routes().first_served(&hash) {
                break at;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "{plugin}: version {n} never served"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        latencies.push(served.saturating_duration_since(written));
        // Let the optimised code of this version land before the next one
        // (the background compile would otherwise share the cores).
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    feeder.abort();
    let _ = feeder.await;
    let summary = run.await??;
    anyhow::ensure!(
        summary.total_plugin_errors() == 0,
        "{plugin}: plugin errors during the run"
    );
    Ok(latencies)
}

/// A JSON object as a TOML inline table.
fn toml_inline(json: &str) -> anyhow::Result<String> {
    let value: toml::Value = serde_json::from_str(json)?;
    Ok(value.to_string())
}

fn main() -> anyhow::Result<()> {
    let reloads: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    // `VIGIE_LOG=vigie=info` shows what each reload did.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("VIGIE_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Runtime::new()?;
    println!("hot reload: file written → first event handled by the new version ({reloads} reloads each, events every 1 ms)");
    for (plugin, grants) in [
        (
            "automod",
            r#"["delete", "reply", "post", "timeout", "kick", "ban", "flag", "label"]"#,
        ),
        ("sentiment", r#"["label", "alert"]"#),
        ("faq", r#"["reply", "flag"]"#),
        ("giveaway", r#"["post", "reply", "react", "dm"]"#),
    ] {
        let mut l = rt.block_on(measure(plugin, grants, reloads))?;
        l.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  {plugin:<10} median {:>7.1} ms   max {:>7.1} ms   (goal: median < 250 ms)",
            ms(l[l.len() / 2]),
            ms(l[l.len() - 1])
        );
    }
    Ok(())
}
