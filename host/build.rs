//! Builds the plugin components the host embeds (`builtin:NAME`) and the
//! test plugins its integration tests load, for `wasm32-wasip2`, with a
//! nested `cargo build` into `target/plugins` (the precedent is wasmtime's
//! `crates/test-programs/artifacts`). The wasm target is installed with
//! rustup when missing, so a fresh clone needs no manual step.
//!
//! The directory of the `.wasm` files is exported as `VIGIE_PLUGIN_DIR`.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// Workspace packages built as components.
const PLUGINS: &[&str] = &[
    // embedded in the binary
    "keyword-filter",
    "automod",
    "sentiment",
    "faq",
    "giveaway",
    "schedule",
    "poll",
    "watch",
    // test plugins (tests/plugins)
    "probe",
    "infinite-loop",
    "memory-bomb",
    "deep-recursion",
    "panicker",
    "action-flood",
    "huge-output",
    "kv-flood",
    "ungranted",
    "escape",
];

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("host/ is inside the workspace")
        .to_path_buf();
    for dir in ["wit", "plugins", "examples/keyword-filter", "tests/plugins"] {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );
    println!("cargo:rerun-if-env-changed=VIGIE_PLUGINS_TARGET_DIR");

    // Fuzz builds (`fuzz/`: cargo-fuzz compiles with `--cfg fuzzing`) load
    // no component. Empty stand-ins spare them a second build of every
    // plugin for wasm with the nightly toolchain, minutes on a CI machine.
    // A fuzz target that runs plugins will need the real files.
    if std::env::var_os("CARGO_CFG_FUZZING").is_some() {
        let out = PathBuf::from(env("OUT_DIR")).join("fuzzing-stand-ins");
        std::fs::create_dir_all(&out).expect("cannot create the stand-ins' directory");
        for p in PLUGINS {
            let file = out.join(format!("{}.wasm", p.replace('-', "_")));
            std::fs::write(&file, b"").expect("cannot write a stand-in");
        }
        println!("cargo:rustc-env=VIGIE_PLUGIN_DIR={}", out.display());
        return;
    }

    let target_dir = std::env::var_os("VIGIE_PLUGINS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cargo_target_dir(Path::new(&env("OUT_DIR"))).join("plugins"));
    ensure_wasm_target();

    let cargo = env("CARGO");
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        .args(["build", "--profile", "plugin", "--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for p in PLUGINS {
        cmd.args(["-p", p]);
    }
    // The outer build's flags and wrappers are for the host, not for wasm.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    // Wasmtime runs SIMD; without it memchr, aho-corasick and friends fall
    // back to byte-at-a-time loops inside the plugins.
    cmd.env(
        "CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS",
        "-C target-feature=+simd128",
    );
    let status = cmd.status().expect("cannot run cargo to build the plugins");
    if !status.success() {
        panic!("building the plugin components for {TARGET} failed (see the errors above)");
    }
    let out = target_dir.join(TARGET).join("plugin");
    for p in PLUGINS {
        let file = out.join(format!("{}.wasm", p.replace('-', "_")));
        assert!(
            file.exists(),
            "expected {} after the plugin build",
            file.display()
        );
    }
    println!("cargo:rustc-env=VIGIE_PLUGIN_DIR={}", out.display());
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set by cargo"))
}

/// `target/` from `target/<profile>/build/vigie-<hash>/out`.
fn cargo_target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent())
        .and_then(|profile| profile.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out_dir.join("target"))
}

/// Installs the wasm target with rustup when the toolchain lacks it.
fn ensure_wasm_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let installed = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.exists());
    if installed {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup (needed to build plugins)");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status();
    match status {
        Ok(s) if s.success() => {}
        _ => panic!("the {TARGET} target is missing and `rustup target add {TARGET}` failed; install it and retry"),
    }
}
