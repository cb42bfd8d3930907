//! The committed corpora of the host's fuzz targets (`fuzz/corpus/`), run
//! through the same checks as the targets (`fuzz/src/host.rs`, included by
//! path). A stable build with no libFuzzer: CI runs these with every
//! `cargo test --workspace`, where a nightly build of the fuzz targets
//! (wasmtime and all, instrumented) would not fit its time budget
//! (`fuzz/README.md`). Any input a long fuzzing run added to a corpus
//! then stays checked.

#[allow(dead_code)] // `assert_same_event` is public for the fuzz targets only.
#[path = "../../fuzz/src/host.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

/// Runs each file of the corpus; a panic names the file.
fn replay(target: &str, check: fn(&[u8])) {
    for file in corpus(target) {
        let data = std::fs::read(&file).expect("a corpus file");
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(
            result.is_ok(),
            "fuzz/corpus/{target}/{} failed its target's check (above)",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
    }
}

#[test]
fn event_line_corpus() {
    replay("event_line", checks::event_line);
}

#[test]
fn vigie_toml_corpus() {
    replay("vigie_toml", checks::vigie_toml);
}

#[test]
fn irc_line_corpus() {
    replay("irc_line", checks::irc_line);
}

#[test]
fn webhook_corpus() {
    replay("webhook", checks::webhook);
}

#[test]
fn matrix_sync_corpus() {
    replay("matrix_sync", checks::matrix_sync);
}

#[test]
fn feed_corpus() {
    replay("feed", checks::feed);
}
