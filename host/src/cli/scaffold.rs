//! `vigie new NAME [--lang rust|python] [--dir DIR]`: a plugin project that
//! builds and passes its own tests straight away. The templates live in
//! `host/templates/` (see its LAYOUT.md); the SDK and the contract are
//! copied in, so the project stands alone.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
}

#[derive(clap::Args)]
pub struct NewArgs {
    /// The plugin's name, kebab-case (`hello-plugin`).
    name: String,
    /// The language to write it in.
    #[arg(long, value_enum, default_value = "rust")]
    lang: Lang,
    /// Where to create it (default: ./NAME). Must not exist or be empty.
    #[arg(long)]
    dir: Option<PathBuf>,
}

macro_rules! files {
    ($($dest:literal => $src:literal),* $(,)?) => {
        &[$(($dest, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $src)))),*]
    };
}

const WIT: &[(&str, &str)] = files! {
    "wit/types.wit" => "../wit/types.wit",
    "wit/host.wit" => "../wit/host.wit",
    "wit/world.wit" => "../wit/world.wit",
};

const RUST: &[(&str, &str)] = files! {
    "Cargo.toml" => "templates/rust/Cargo.toml.tmpl",
    "README.md" => "templates/rust/README.md.tmpl",
    ".gitignore" => "templates/rust/.gitignore.tmpl",
    "events.jsonl" => "templates/rust/events.jsonl.tmpl",
    "src/lib.rs" => "templates/rust/src/lib.rs.tmpl",
    "tests/plugin.rs" => "templates/rust/tests/plugin.rs.tmpl",
    "vendor/vigie-sdk/Cargo.toml" => "templates/rust/sdk-Cargo.toml.tmpl",
    "vendor/vigie-sdk/src/lib.rs" => "../plugins/sdk/src/lib.rs",
    "vendor/vigie-sdk/src/act.rs" => "../plugins/sdk/src/act.rs",
    "vendor/vigie-sdk/src/describe.rs" => "../plugins/sdk/src/describe.rs",
    "vendor/vigie-sdk/src/kv_cache.rs" => "../plugins/sdk/src/kv_cache.rs",
    "vendor/vigie-sdk/src/packed.rs" => "../plugins/sdk/src/packed.rs",
    "vendor/vigie-sdk/src/wasm_libc.rs" => "../plugins/sdk/src/wasm_libc.rs",
    "vendor/vigie-sdk/src/test_host.rs" => "../plugins/sdk/src/test_host.rs",
};

const PYTHON: &[(&str, &str)] = files! {
    "app.py" => "templates/python/app.py.tmpl",
    "test_app.py" => "templates/python/test_app.py.tmpl",
    "build.sh" => "templates/python/build.sh.tmpl",
    "README.md" => "templates/python/README.md.tmpl",
    ".gitignore" => "templates/python/.gitignore.tmpl",
    "events.jsonl" => "templates/python/events.jsonl.tmpl",
};

fn check_name(name: &str) -> Result<()> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--");
    if !ok {
        bail!("`{name}` is not a plugin name: use kebab-case, e.g. `hello-plugin` (a-z, 0-9, single dashes, starting with a letter)");
    }
    Ok(())
}

pub fn new(args: NewArgs) -> Result<()> {
    check_name(&args.name)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!("{} already exists and is not empty", dir.display());
    }
    let crate_name = args.name.replace('-', "_");
    let files: Vec<(&str, &str)> = match args.lang {
        Lang::Rust => RUST.iter().chain(WIT).copied().collect(),
        Lang::Python => PYTHON.iter().chain(WIT).copied().collect(),
    };
    for (dest, content) in files {
        let text = content
            .replace("{{name}}", &args.name)
            .replace("{{crate_name}}", &crate_name)
            .replace("{{sdk_path}}", "vendor/vigie-sdk");
        write(&dir.join(dest), &text)?;
    }
    let next = match args.lang {
        Lang::Rust => format!(
            "  cd {d}\n  cargo test                                          # the plugin's own tests, natively\n  \
             cargo build --release --target wasm32-wasip2\n  \
             vigie check target/wasm32-wasip2/release/{crate_name}.wasm\n  \
             vigie test target/wasm32-wasip2/release/{crate_name}.wasm --events events.jsonl\n  \
             cargo doc --open                                    # the SDK's documentation: Plugin, Host, act, Event, test_event_of…",
            d = dir.display()
        ),
        Lang::Python => format!(
            "  cd {d}\n  python3 -m unittest                                 # the plugin's own tests, natively\n  \
             ./build.sh                                          # componentize-py → {crate_name}.wasm\n  \
             vigie check {crate_name}.wasm\n  vigie test {crate_name}.wasm --events events.jsonl",
            d = dir.display()
        ),
    };
    println!(
        "created the {:?} plugin `{}` in {}\nnext:\n{next}",
        args.lang,
        args.name,
        dir.display()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    if path.extension().is_some_and(|e| e == "sh") {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
