//! `vigie test --golden`: a plugin directory's `tests/*.events.jsonl`
//! against `tests/*.expected.jsonl`.

use std::process::Command;

fn vigie(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_example_plugin_matches_its_golden_files_and_a_change_is_reported() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/keyword-filter");
    let (ok, out) = vigie(&["test", "builtin:keyword-filter", "--golden", example]);
    assert!(ok, "{out}");
    assert!(out.contains("basic: ok (4 action(s))"), "{out}");

    // The same events with an expectation that no longer holds.
    let dir = tempfile::tempdir().unwrap();
    let tests = dir.path().join("tests");
    std::fs::create_dir(&tests).unwrap();
    std::fs::copy(
        format!("{example}/tests/basic.events.jsonl"),
        tests.join("basic.events.jsonl"),
    )
    .unwrap();
    let expected =
        std::fs::read_to_string(format!("{example}/tests/basic.expected.jsonl")).unwrap();
    std::fs::write(
        tests.join("basic.expected.jsonl"),
        expected.replace("arnaque", "escroquerie"),
    )
    .unwrap();
    std::fs::write(tests.join("empty.events.jsonl"), "").unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, out) = vigie(&["test", "builtin:keyword-filter", "--golden", d]);
    assert!(!ok, "{out}");
    assert!(out.contains("basic: FAIL (2 mismatch(es))"), "{out}");
    assert!(
        out.contains("expected") && out.contains("escroquerie"),
        "{out}"
    );
    assert!(
        out.contains("empty: FAIL") && out.contains("--update"),
        "{out}"
    );
    // --update rewrites them; then they pass.
    let (ok, out) = vigie(&["test", "builtin:keyword-filter", "--golden", d, "--update"]);
    assert!(ok, "{out}");
    let (ok, out) = vigie(&["test", "builtin:keyword-filter", "--golden", d]);
    assert!(
        ok && out.contains("basic: ok") && out.contains("empty: ok (0 action(s))"),
        "{out}"
    );
}
