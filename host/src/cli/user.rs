//! `vigie user add NAME --role ROLE` and `vigie user passwd NAME`: the web
//! console's accounts, in the data directory's store.
//!
//! The password is read from the terminal without echo (asked twice), or,
//! when standard input is not a terminal, as its first line (scripts and
//! tests: `printf '%s\n' "$PASSWORD" | vigie user add alice --role admin`).
//! sled lets one process open the store: while `vigie run` holds it, the
//! command says so and changes nothing.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use vigie::console::auth::{self, Role};
use vigie::{Config, SledStore};

#[derive(clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    /// The config file whose data directory holds the accounts (default
    /// ./vigie.toml).
    #[arg(long, short, global = true)]
    config: Option<PathBuf>,
    /// Or the data directory itself.
    #[arg(long, global = true, conflicts_with = "config")]
    data_dir: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum UserCommand {
    /// Create a console account. The password is read from the terminal
    /// (no echo, asked twice) or from the first line of standard input.
    Add {
        name: String,
        /// viewer: reads every page; moderator: also sees deleted texts
        /// and exports the audit; admin: also retries dead letters.
        #[arg(long, value_parser = ["viewer", "moderator", "admin"])]
        role: String,
    },
    /// Change an account's password (read as for `add`).
    Passwd { name: String },
}

pub fn run(args: UserArgs) -> Result<()> {
    let data_dir = match (&args.data_dir, &args.config) {
        (Some(dir), _) => dir.clone(),
        (None, Some(path)) => Config::load(path)?.data_dir(),
        (None, None) => {
            if !std::path::Path::new("vigie.toml").exists() {
                bail!("no --config, no --data-dir and no ./vigie.toml: which data directory holds the accounts?");
            }
            Config::load("vigie.toml".as_ref())?.data_dir()
        }
    };
    let store = open(&data_dir)?;
    match args.command {
        UserCommand::Add { name, role } => {
            let role = Role::parse(&role).context("--role: viewer, moderator or admin")?;
            auth::check_name(&name)?;
            let password = read_password(&format!("Password for {name}: "))?;
            auth::add_user(&store, &name, role, &password)?;
            eprintln!("user `{name}` created ({})", role.name());
        }
        UserCommand::Passwd { name } => {
            if auth::user(&store, &name)?.is_none() {
                bail!("no user `{name}` (`vigie user add {name} --role viewer` creates one)");
            }
            let password = read_password(&format!("New password for {name}: "))?;
            auth::set_password(&store, &name, &password)?;
            eprintln!("password of `{name}` changed");
        }
    }
    vigie::Store::flush(&store)?;
    Ok(())
}

fn open(data_dir: &std::path::Path) -> Result<SledStore> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    SledStore::open(&data_dir.join("store")).map_err(|e| {
        if vigie::control::socket_path(data_dir).exists() {
            e.context(format!(
                "a running vigie holds the store in {} (sled allows one process at a time): \
                 stop it (Ctrl-C or SIGTERM) and run this again",
                data_dir.display()
            ))
        } else {
            e.context(
                "another process holds the store (sled allows one process at a time): stop it \
                 and run this again",
            )
        }
    })
}

/// From the terminal without echo (twice, they must match), or the first
/// line of standard input when it is not a terminal.
fn read_password(prompt: &str) -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).context("cannot read the password")?;
        let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ; nothing changed");
        }
        auth::check_password(&first)?;
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            bail!("no password on standard input (its first line is the password)");
        }
        auth::check_password(&password)?;
        Ok(password)
    }
}
