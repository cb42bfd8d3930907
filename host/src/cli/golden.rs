//! `vigie test PLUGIN --golden DIR`: the golden files of a plugin
//! directory. Each `DIR/tests/NAME.events.jsonl` is run through the plugin
//! (a dry run: in-memory store, fixed public secret, so outputs are
//! reproducible) and its actions compared with `DIR/tests/NAME.expected.jsonl`
//! (one JSON object per action, as `vigie test` prints them, without
//! `plugin_hash`; compared as JSON values, in order). `--update` writes the
//! expected files instead.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie::{CollectExecutor, JsonLinesSource, Secret, SledStore, Store, Vigie};

/// The golden pairs of a plugin directory, sorted by name.
fn cases(dir: &Path) -> Result<Vec<(String, PathBuf, PathBuf)>> {
    let tests = dir.join("tests");
    let entries = std::fs::read_dir(&tests)
        .with_context(|| format!("{}: no tests/ directory with golden files", dir.display()))?;
    let mut cases = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".events.jsonl"))
        else {
            continue;
        };
        cases.push((
            name.to_string(),
            path.clone(),
            tests.join(format!("{name}.expected.jsonl")),
        ));
    }
    cases.sort();
    if cases.is_empty() {
        bail!("{}: no *.events.jsonl files", tests.display());
    }
    Ok(cases)
}

fn without_hash(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(map) = v.as_object_mut() {
        map.remove("plugin_hash");
    }
    v
}

/// Runs every case; prints mismatches; fails when there is one.
pub fn run(
    load: &dyn Fn(Arc<dyn Store>) -> Result<vigie::PluginDef>,
    dry_run_secret: [u8; 32],
    dir: &Path,
    update: bool,
) -> Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let mut failed = 0;
    let cases = cases(dir)?;
    for (name, events, expected) in &cases {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary()?);
        let def = Arc::new(load(store.clone())?);
        let host = Vigie::builder()
            .store(store)
            .secret(Secret::from_bytes(dry_run_secret))
            .build_with_chain(vec![def])?;
        let collected = CollectExecutor::default();
        let summary = rt.block_on(host.run(
            vec![Box::new(JsonLinesSource::new(events))],
            Box::new(collected.clone()),
        ))?;
        if summary.events_rejected > 0 {
            bail!(
                "{}: {} line(s) are not valid events (see the warnings above)",
                events.display(),
                summary.events_rejected
            );
        }
        let mut actions = collected.actions();
        // Communities run in parallel; within one the order is the events'.
        actions.sort_by(|a, b| a.community.cmp(&b.community));
        // The build's hash changes with every compiler; what a golden
        // file pins is behaviour.
        let got: Vec<serde_json::Value> = actions
            .iter()
            .map(|a| serde_json::to_value(a).map(without_hash))
            .collect::<Result<_, _>>()?;
        if update {
            let text: String = got.iter().map(|v| format!("{v}\n")).collect();
            std::fs::write(expected, text)
                .with_context(|| format!("cannot write {}", expected.display()))?;
            println!(
                "{name}: wrote {} action(s) to {}",
                got.len(),
                expected.display()
            );
            continue;
        }
        let want: Vec<serde_json::Value> = match std::fs::read_to_string(expected) {
            Ok(text) => text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l)
                        .map(without_hash)
                        .with_context(|| format!("{}:{}: not JSON", expected.display(), i + 1))
                })
                .collect::<Result<_>>()?,
            Err(_) => {
                println!(
                    "{name}: FAIL: {} is missing (run with --update to write it)",
                    expected.display()
                );
                failed += 1;
                continue;
            }
        };
        let mismatches: Vec<String> = (0..got.len().max(want.len()))
            .filter_map(|i| match (want.get(i), got.get(i)) {
                (Some(w), Some(g)) if w == g => None,
                (Some(w), Some(g)) => Some(format!(
                    "  action {}: expected {w}\n             got {g}",
                    i + 1
                )),
                (Some(w), None) => Some(format!(
                    "  action {}: expected {w}\n             got nothing",
                    i + 1
                )),
                (None, Some(g)) => Some(format!("  action {}: unexpected {g}", i + 1)),
                (None, None) => None,
            })
            .collect();
        if mismatches.is_empty() {
            println!("{name}: ok ({} action(s))", got.len());
        } else {
            failed += 1;
            println!("{name}: FAIL ({} mismatch(es))", mismatches.len());
            for m in mismatches {
                println!("{m}");
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} golden file(s) do not match", cases.len());
    }
    Ok(())
}
