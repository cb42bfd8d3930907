//! Plugin author tooling for real: `vigie new` projects in Rust and Python
//! build and pass their own tests, and their components run through the
//! host; the Python example plugin (componentize-py) too.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

fn vigie() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigie"));
    c.env("XDG_CACHE_HOME", repo().join("target/scaffold/cache"));
    c
}

/// Cargo for a project outside the workspace: no flags of this build.
fn cargo(dir: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(dir)
        .env("CARGO_TARGET_DIR", repo().join("target/scaffold/target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    c
}

#[test]
fn vigie_new_refuses_bad_names_and_non_empty_directories() {
    let dir = tempfile::tempdir().unwrap();
    let out = vigie()
        .args(["new", "Bad_Name"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("kebab-case"));
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken/file"), "x").unwrap();
    let out = vigie()
        .args(["new", "taken"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn a_new_rust_plugin_builds_passes_its_tests_and_runs_in_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("hello-plugin");
    run(vigie().args(["new", "hello-plugin", "--dir"]).arg(&project));
    let tests = run(cargo(&project).args(["test"]));
    assert!(tests.contains("test result: ok"), "{tests}");
    run(cargo(&project).args(["build", "--release", "--target", "wasm32-wasip2"]));
    let wasm = repo().join("target/scaffold/target/wasm32-wasip2/release/hello_plugin.wasm");
    let check = run(vigie().arg("check").arg(&wasm));
    assert!(
        check.contains("ok:") && check.contains("hello-plugin"),
        "{check}"
    );
    let actions = run(vigie()
        .arg("test")
        .arg(&wasm)
        .arg("--events")
        .arg(project.join("events.jsonl")));
    assert!(
        actions.lines().any(|l| l.contains("\"type\":\"react\"")),
        "{actions}"
    );
    // The template's join handler welcomes the newcomer of its events file.
    assert!(
        actions
            .lines()
            .any(|l| l.contains("\"type\":\"post\"") && l.contains("Chloé")),
        "{actions}"
    );
}

fn python_ok() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_new_python_plugin_and_the_python_example_build_with_componentize_py_and_run_in_the_host() {
    assert!(
        python_ok(),
        "python3 is needed for Python plugins (componentize-py)"
    );
    let servers = crate::synapse::servers_dir();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("hello-py");
    run(vigie()
        .args(["new", "hello-py", "--lang", "python", "--dir"])
        .arg(&project));
    run(Command::new("python3")
        .args(["-m", "unittest"])
        .current_dir(&project));
    run(Command::new("bash")
        .arg(project.join("build.sh"))
        .env("VIGIE_SERVERS_DIR", &servers)
        .current_dir(&project));
    let wasm = project.join("hello_py.wasm");
    run(vigie().arg("check").arg(&wasm));
    let actions = run(vigie()
        .arg("test")
        .arg(&wasm)
        .arg("--events")
        .arg(project.join("events.jsonl")));
    assert!(
        actions.lines().any(|l| l.contains("\"type\":\"react\"")),
        "{actions}"
    );

    // The example in examples/: the keyword filter, in Python.
    let example = repo().join("examples/python-keyword-filter");
    run(Command::new("python3")
        .args(["-m", "unittest"])
        .current_dir(&example));
    let built = dir.path().join("pkf.wasm");
    run(Command::new("bash")
        .arg(example.join("build.sh"))
        .arg(&built)
        .env("VIGIE_SERVERS_DIR", &servers));
    let actions = run(vigie()
        .arg("test")
        .arg(&built)
        .arg("--events")
        .arg(example.join("events.jsonl")));
    let kinds: Vec<String> = actions
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            format!(
                "{}:{}",
                v["event_id"].as_str().unwrap_or(""),
                v["type"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        ["py-002:delete", "py-002:dm", "py-004:delete", "py-004:dm"],
        "{actions}"
    );
}
