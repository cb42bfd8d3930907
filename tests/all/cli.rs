//! The `vigie` binary: the embedded demo, `test` and `check`.

use crate::env::{message, plugin};
use std::process::Command;

fn vigie(args: &[&str]) -> (bool, String, String) {
    vigie_with_stdin(args, "")
}

/// Runs `vigie` with `stdin` as its standard input; (success, stdout,
/// stderr).
fn vigie_with_stdin(args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("vigie-test-cache"),
        )
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vigie");
    if let Some(mut input) = child.stdin.take() {
        // A command that does not read its input may have exited already.
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("run vigie");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_without_config_runs_the_embedded_demo_the_same_way_twice() {
    let (ok, stdout, stderr) = vigie(&["run"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("embedded demo"), "{stderr}");
    assert!(stderr.contains("137 read, 137 handled"), "{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("acme") && l.contains("delete")),
        "{stdout}"
    );
    // Communities run in parallel, but the actions are printed in the
    // order of the events: the same output, line for line.
    let (_, again, _) = vigie(&["run"]);
    assert_eq!(stdout, again);
}

/// `vigie test` and `vigie run` print actions in the order of the events,
/// however the communities (run in parallel) interleave: the same output
/// on every run.
#[test]
fn actions_come_out_in_event_order_across_communities() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..240).map(|i| format!("e{i:03}")).collect();
    let lines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| message(id, &format!("c{}", i % 6), "u1", "*:reply hi"))
        .collect();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, lines.join("\n")).unwrap();
    let probe = plugin("probe");
    let event_ids = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .map(|l| {
                let a: serde_json::Value = serde_json::from_str(l).unwrap();
                a["event_id"].as_str().unwrap().to_string()
            })
            .collect()
    };
    let test = || {
        let (ok, stdout, stderr) = vigie(&[
            "test",
            probe.to_str().unwrap(),
            "--events",
            events.to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
        stdout
    };
    let first = test();
    assert_eq!(event_ids(&first), ids);
    assert_eq!(test(), first);
    // `vigie run` too, terminal and JSON.
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"data\"\ndefault_chain = [\"p\"]\n\
             [plugins.p]\ncomponent = \"{}\"\ngrants = [\"reply\"]\n",
            probe.display()
        ),
    )
    .unwrap();
    let run = |json: bool| {
        let mut args = vec![
            "run",
            "--no-watch",
            "--fresh",
            "-c",
            config.to_str().unwrap(),
            "--events",
            events.to_str().unwrap(),
        ];
        if json {
            args.push("--json");
        }
        let (ok, stdout, stderr) = vigie(&args);
        assert!(ok, "{stderr}");
        stdout
    };
    assert_eq!(event_ids(&run(true)), ids);
    let terminal = run(false);
    // The header, then one line per action.
    assert_eq!(terminal.lines().count(), 1 + 240, "{terminal}");
    assert_eq!(terminal, run(false));
}

#[test]
fn run_json_prints_one_object_per_action() {
    let (ok, stdout, stderr) = vigie(&["run", "--json"]);
    assert!(ok, "{stderr}");
    let actions: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!actions.is_empty());
    assert!(actions
        .iter()
        .all(|a| a["type"].is_string() && a["reason"].is_string() && a["plugin"].is_string()));
}

#[test]
fn test_prints_actions_as_json_lines_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let lines = [
        message(
            "e1",
            "acme",
            "u1",
            "*:reply bonjour; *:timeout 600; *:label mood 0.5",
        ),
        "garbage".to_string(),
        message("e2", "acme", "u1", "*:dm salut"),
    ];
    std::fs::write(&events, lines.join("\n")).unwrap();
    let probe = plugin("probe");
    let (ok, stdout, stderr) = vigie(&[
        "test",
        probe.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
    ]);
    // The other lines are run, but a rejected line fails the dry run.
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("1 input line(s) rejected"), "{stderr}");
    let actions: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = actions
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["reply", "timeout", "label", "dm"]);
    assert_eq!(actions[0]["event_id"], "e1");
    assert_eq!(actions[0]["plugin"], "probe");
    assert_eq!(actions[0]["text"], "bonjour");
    assert_eq!(actions[1]["duration_s"], 600);
    assert_eq!(actions[2]["key"], "mood");
    assert_eq!(actions[2]["value"], 0.5);
    // The bad line is named by one position: its line in the file, and
    // the column, not serde's "line 1" of the JSON text as well.
    assert!(stderr.contains("events.jsonl line 2: "), "{stderr}");
    assert!(stderr.contains(" at column 1"), "{stderr}");
    assert!(!stderr.contains("line 1"), "{stderr}");
    assert!(stderr.contains("1 rejected"), "{stderr}");
}

#[test]
fn check_describes_a_plugin_and_refuses_a_non_plugin() {
    let probe = plugin("keyword-filter");
    let (ok, stdout, stderr) = vigie(&["check", probe.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("name:    keyword-filter"), "{stdout}");
    assert!(stdout.contains("actions: delete, dm"), "{stdout}");
    let (ok, _, stderr) = vigie(&["check", "Cargo.toml"]);
    assert!(!ok);
    assert!(stderr.contains("error:"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wasm");
    std::fs::write(&text, "hello").unwrap();
    let (ok, _, stderr) = vigie(&["check", text.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("not a WebAssembly file"), "{stderr}");
}

/// The value after `label` in a line of `text`, e.g. `--seed <hex>`.
fn word_after<'a>(text: &'a str, label: &str) -> &'a str {
    let start = text.find(label).map(|i| i + label.len()).expect(label);
    text[start..].split_whitespace().next().expect(label)
}

#[test]
fn verify_draw_reproduces_the_demo_contest() {
    let (ok, stdout, stderr) = vigie(&["run", "--json"]);
    assert!(ok, "{stderr}");
    let posts: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|a| a["plugin"] == "giveaway" && a["type"] == "post" && a["community"] == "acme")
        .map(|a| a["text"].as_str().unwrap().to_string())
        .collect();
    let end = posts
        .iter()
        .find(|p| p.contains("--seed"))
        .expect("an end announcement");
    let list = posts
        .iter()
        .find(|p| p.contains("```"))
        .expect("a published entry list");
    let entries: String = list
        .split("```")
        .nth(1)
        .unwrap()
        .trim_start_matches('\n')
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("participants.txt");
    std::fs::write(&file, &entries).unwrap();
    let seed = word_after(end, "--seed ");
    let commitment = word_after(end, "--commitment ");
    let winners = word_after(end, "--winners ").trim_end_matches('`');
    let hash = word_after(end, "SHA-256 de la liste des participations : ");
    let (ok, out, err) = vigie(&[
        "verify-draw",
        "--seed",
        seed,
        "--commitment",
        commitment,
        "--entries",
        file.to_str().unwrap(),
        "--winners",
        winners,
        "--entries-hash",
        hash,
    ]);
    assert!(ok, "{err}");
    // Every recomputed winner is the one announced.
    let recomputed: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("winner "))
        .collect();
    assert_eq!(recomputed.len(), 3, "{out}");
    for line in recomputed {
        let id = line.split_whitespace().last().unwrap();
        assert!(
            end.contains(&format!("({id})")),
            "{id} not announced in {end}"
        );
    }
    // A tampered seed does not verify.
    let bad_seed = format!("00{}", &seed[2..]);
    let (ok, _, err) = vigie(&[
        "verify-draw",
        "--seed",
        &bad_seed,
        "--commitment",
        commitment,
        "--entries",
        file.to_str().unwrap(),
        "--winners",
        winners,
        "--entries-hash",
        hash,
    ]);
    assert!(!ok && err.contains("does not verify"), "{err}");
    // The announcement's command line is the whole command: pasted as it
    // is (from the directory holding the list), it verifies.
    let command = end
        .lines()
        .find(|l| l.starts_with("vigie verify-draw "))
        .expect("a command line");
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(&args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `verify-draw` never verifies a list that is not the published one: it
/// needs the published hash, reads a list whose tabs a copy turned into
/// spaces as the published one (and says so), refuses another list, and
/// says that a missing final newline is only that.
#[test]
fn verify_draw_checks_the_list_against_its_published_hash() {
    use giveaway_draw::{canonical_entries, commitment, draw, entries_hash, Entry};
    let seed = [42u8; 32];
    let entries = vec![
        Entry::new("u-alice"),
        Entry::weighted("u-bob", 3),
        Entry::new("u-jen"),
        Entry::weighted("u-marc", 2),
        Entry::new("u-zoe"),
        Entry::weighted("u-chloe", 4),
    ];
    let text = canonical_entries(&entries);
    let hash = entries_hash(&entries);
    let winners = draw(&seed, &entries, 2);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, content: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    };
    let copied = text.replace('\t', "    ");
    // Read as it is, the copy is another list, with other winners.
    assert_ne!(
        giveaway_draw::verify(&hex::encode(seed), &commitment(&seed), &copied, 2).unwrap(),
        winners
    );
    let (seed_hex, commitment_hex) = (hex::encode(seed), commitment(&seed));
    let verify_pasted = |entries: &str, hash: Option<&str>, pasted: &str| {
        let mut args = vec![
            "verify-draw",
            "--seed",
            &seed_hex,
            "--commitment",
            &commitment_hex,
            "--winners",
            "2",
            "--entries",
            entries,
        ];
        if let Some(hash) = hash {
            args.extend(["--entries-hash", hash]);
        }
        vigie_with_stdin(&args, pasted)
    };
    let verify = |entries: &str, hash: Option<&str>| verify_pasted(entries, hash, "");
    let recomputed = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter_map(|l| l.strip_prefix("winner "))
            .map(|l| l.split_whitespace().last().unwrap().to_string())
            .collect()
    };
    let copied_file = file("copied.txt", &copied);
    // Without the published hash: refused, not "verified".
    let (ok, stdout, stderr) = verify(&copied_file, None);
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("--entries-hash"), "{stderr}");
    assert!(recomputed(&stdout).is_empty(), "{stdout}");
    // With it: the copy is read as the published list, and it says how.
    let (ok, stdout, stderr) = verify(&copied_file, Some(&hash));
    assert!(ok, "{stderr}");
    assert_eq!(recomputed(&stdout), winners, "{stdout}");
    assert!(stdout.contains("tabs before the weights"), "{stdout}");
    // Another list: refused, with no winners.
    let tampered = file("tampered.txt", &text.replace("u-jen", "u-jean"));
    let (ok, stdout, stderr) = verify(&tampered, Some(&hash));
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("not the published one"), "{stderr}");
    assert!(recomputed(&stdout).is_empty(), "{stdout}");
    // No final newline: said as such, not as an order problem.
    let no_newline = file("no-newline.txt", text.trim_end());
    let (ok, stdout, stderr) = verify(&no_newline, Some(&hash));
    assert!(ok, "{stderr}");
    assert_eq!(recomputed(&stdout), winners, "{stdout}");
    assert!(stdout.contains("no newline at its end"), "{stdout}");
    assert!(!stdout.contains("order"), "{stdout}");
    // `--entries -`: the list pasted on standard input.
    let (ok, stdout, stderr) = verify_pasted("-", Some(&hash), &copied);
    assert!(ok, "{stderr}");
    assert_eq!(recomputed(&stdout), winners, "{stdout}");
}

/// `--log` wins over `RUST_LOG`, which is read only without it; a filter
/// that does not parse is said, not silently replaced.
#[test]
fn an_explicit_log_filter_wins_over_rust_log_and_a_bad_one_is_reported() {
    let stderr = |args: &[&str], rust_log: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(args)
            .env("RUST_LOG", rust_log)
            .env_remove("VIGIE_LOG")
            .current_dir(std::env::temp_dir())
            .output()
            .expect("run vigie");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let check = ["check", "no-such-plugin.wasm"];
    let bad_flag = stderr(&[&["--log", "vigie=loud"][..], &check].concat(), "warn");
    assert!(
        bad_flag.contains("log filter `vigie=loud` is not valid"),
        "{bad_flag}"
    );
    let bad_env = stderr(&check, "vigie=loud");
    assert!(
        bad_env.contains("log filter `vigie=loud` is not valid"),
        "{bad_env}"
    );
    let flag_wins = stderr(&[&["--log", "warn"][..], &check].concat(), "vigie=loud");
    assert!(!flag_wins.contains("is not valid"), "{flag_wins}");
}

/// Staff are exempt from most rules: the log at `info` says, for each
/// event, who wrote it, whether they are staff, and that nothing was done.
#[test]
fn each_handled_event_is_logged_with_its_authors_staff_flag() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let mut staff: serde_json::Value =
        serde_json::from_str(&message("staff-1", "acme", "boss", "putain de spam")).unwrap();
    staff["author"]["is_staff"] = true.into();
    std::fs::write(&events, staff.to_string() + "\n").unwrap();
    let (ok, _, stderr) = vigie(&[
        "run",
        "--log",
        "vigie=info",
        "--events",
        events.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("staff-1"))
        .unwrap_or_else(|| panic!("no log line for the staff event:\n{stderr}"));
    // Only sentiment's mood label: the staff member's insult is let be.
    assert!(line.contains("1 action(s)"), "{line}");
    assert!(line.contains("staff=true"), "{line}");
    assert!(line.contains("boss"), "{line}");
    // Logs to a file or a pipe carry no colour codes.
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

/// A `[plugins.NAME.config]` block pasted from the docs into a
/// `--plugin-config` file is taken for its table, and said so; a block
/// that is not one entry's config gets an error saying what to remove.
#[test]
fn plugin_config_accepts_a_block_pasted_from_a_vigie_toml() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let check =
        |config: &str| vigie(&["check", "builtin:keyword-filter", "--plugin-config", config]);
    let pasted = file(
        "pasted.toml",
        "[plugins.kf.config]\nkeywords = [\"spam\"]\n",
    );
    let (ok, _, stderr) = check(&pasted);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("using its `config` table"), "{stderr}");
    let whole = file(
        "whole.toml",
        "[plugins.kf]\ncomponent = \"builtin:keyword-filter\"\ngrants = [\"delete\"]\nconfig = { keywords = [\"spam\"] }\n",
    );
    let (ok, _, stderr) = check(&whole);
    assert!(ok, "{stderr}");
    let two = file(
        "two.toml",
        "[plugins.a.config]\nkeywords = [\"x\"]\n[plugins.b.config]\nkeywords = [\"y\"]\n",
    );
    let (ok, _, stderr) = check(&two);
    assert!(!ok);
    assert!(stderr.contains("several plugin entries (a, b)"), "{stderr}");
    let plain = file("plain.toml", "keywords = [\"spam\"]\n");
    let (ok, _, stderr) = check(&plain);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("note:"), "{stderr}");
}

/// `vigie run --follow`: a host fed from a file stays up, handles lines as
/// they are appended (a line written in two goes waits for its newline),
/// reloads a plugin whose config changes, and stops on SIGTERM with its
/// summary.
#[test]
fn run_follow_handles_lines_as_they_are_appended_and_reloads() {
    use std::io::Write;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    let write_config = |keyword: &str| {
        let text = format!(
            r#"data_dir = "data"
[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = {{ keywords = ["{keyword}"] }}
[[communities]]
id = "acme"
chain = ["kf"]
"#
        );
        let tmp = dir.path().join("vigie.toml.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &config).unwrap();
    };
    write_config("spam");
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, message("e1", "acme", "bob", "buy spam now") + "\n").unwrap();
    let stdout = dir.path().join("stdout");
    let stderr = dir.path().join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["run", "--follow", "-c"])
        .arg(&config)
        .arg("--events")
        .arg(&events)
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(
                Instant::now() < deadline,
                "{what}\nstdout:\n{}\nstderr:\n{}",
                read(&stdout),
                read(&stderr)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let deletes = || read(&stdout).matches(" delete ").count();
    wait("the first line's action", &|| deletes() == 1);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&events)
        .unwrap();
    // Half a line, then the rest: one event, handled once complete.
    let line = message("e2", "acme", "bob", "more spam") + "\n";
    let (head, tail) = line.split_at(line.len() / 2);
    file.write_all(head.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(deletes(), 1, "{}", read(&stderr));
    file.write_all(tail.as_bytes()).unwrap();
    file.flush().unwrap();
    wait("the appended line's action", &|| deletes() == 2);
    // The plugin's config changes: reloaded, and the next lines see it.
    write_config("eggs");
    wait("the reload", &|| {
        read(&stderr).contains("new version ready")
    });
    file.write_all((message("e3", "acme", "bob", "spam is fine now") + "\n").as_bytes())
        .unwrap();
    file.write_all((message("e4", "acme", "bob", "green eggs") + "\n").as_bytes())
        .unwrap();
    file.flush().unwrap();
    wait("the action under the new config", &|| {
        read(&stdout).contains("« eggs »")
    });
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", read(&stderr));
    assert_eq!(deletes(), 3, "{}", read(&stdout));
    assert!(
        read(&stderr).contains("events: 4 read, 4 handled"),
        "{}",
        read(&stderr)
    );
}

/// The terminal output says what it shows: a header for the columns, and,
/// when texts were shortened, how to see them whole (`--wide`, `--json`).
#[test]
fn run_names_its_columns_and_says_how_to_see_texts_whole() {
    let (ok, stdout, stderr) = vigie(&["run"]);
    assert!(ok, "{stderr}");
    let header = stdout.lines().next().unwrap_or_default();
    for column in ["community", "channel", "plugin", "action", "reason"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(stderr.contains("--wide prints them whole"), "{stderr}");
    // A long FAQ answer of the demo, cut on one run, whole on the other.
    let ending = "we'll sort it out.";
    assert!(!stdout.contains(ending), "{stdout}");
    let (ok, wide, stderr) = vigie(&["run", "--wide"]);
    assert!(ok, "{stderr}");
    assert!(wide.contains(ending), "{wide}");
    assert!(!stderr.contains("--wide prints them whole"), "{stderr}");
    assert_eq!(stdout.lines().count(), wide.lines().count());
}

/// `vigie audit` and `vigie dead-letters` after runs with no platform: they
/// say why nothing was executed instead of printing an empty table.
#[test]
fn audit_and_dead_letters_say_when_no_platform_executed_anything() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        r#"data_dir = "data"
[plugins.kf]
component = "builtin:keyword-filter"
grants = ["delete", "dm"]
config = { keywords = ["spam"] }
[[communities]]
id = "acme"
chain = ["kf"]
"#,
    )
    .unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, message("e1", "acme", "bob", "buy spam") + "\n").unwrap();
    let c = config.display().to_string();
    let e = events.display().to_string();
    let (ok, _, stderr) = vigie(&["run", "-c", &c, "--events", &e]);
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = vigie(&["audit", "-c", &c]);
    assert!(ok, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("no action was executed on a platform")
            && stderr.contains("decided 2 action(s)")
            && stderr.contains("[[connectors]]"),
        "{stderr}"
    );
    let (ok, stdout, stderr) = vigie(&["dead-letters", "-c", &c, "--user", "bob"]);
    assert!(ok, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("no dead letter"), "{stderr}");
}

/// Long work shows its progress on stderr; off a terminal, as plain lines
/// (every 5 s by default; `VIGIE_PROGRESS_EVERY_MS` here for a short run).
#[test]
fn a_long_run_shows_its_progress_as_plain_lines_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let lines: Vec<String> = (0..20_000)
        .map(|i| message(&format!("e{i}"), "acme", "bob", "hello"))
        .collect();
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["test", "builtin:keyword-filter", "--events"])
        .arg(&events)
        .env("VIGIE_PROGRESS_EVERY_MS", "1")
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("reading events ") && l.contains(" of 20000 (")),
        "{stderr}"
    );
    assert!(
        stderr.contains("20000 of 20000 (100 %)") && stderr.contains("(done)"),
        "{stderr}"
    );
    // No terminal codes in a file or a pipe.
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

/// The demo's polls close at their deadline with a ballot list and its
/// hash; `vigie verify-poll` recomputes the announced counts from them, and
/// refuses a list with one ballot changed.
#[test]
fn verify_poll_recomputes_the_demo_polls_results() {
    let (ok, stdout, stderr) = vigie(&["run", "--json"]);
    assert!(ok, "{stderr}");
    let posts: Vec<(String, String)> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|a| a["plugin"] == "poll" && a["type"] == "post")
        .map(|a| {
            (
                a["community"].as_str().unwrap().to_string(),
                a["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for community in ["acme", "acme-en"] {
        let of = |needle: &str| {
            posts
                .iter()
                .find(|(c, p)| c == community && p.contains(needle))
                .map(|(_, p)| p.clone())
                .unwrap_or_else(|| panic!("{community}: no post with {needle:?} in {posts:?}"))
        };
        let results = of("--hash ");
        let list = of("#vigie-poll v1");
        let start = list.find("#vigie-poll v1").unwrap();
        let ballots: String = list[start..].split("```").next().unwrap().to_string();
        let file = dir.path().join(format!("{community}.txt"));
        std::fs::write(&file, &ballots).unwrap();
        let hash = word_after(&results, "--hash ");
        let (ok, out, err) = vigie(&[
            "verify-poll",
            "--ballots",
            file.to_str().unwrap(),
            "--hash",
            hash,
        ]);
        assert!(ok, "{community}: {err}");
        // The counts recomputed are the ones announced: option 2 wins
        // with 2 votes in both demo polls.
        assert!(out.contains("3 ballots"), "{community}: {out}");
        assert!(
            results.contains("2️⃣") && results.contains("(2 votes)"),
            "{results}"
        );
        assert!(out.contains("winner: option 2 with 2 votes"), "{out}");

        // One ballot changed: the hash no longer matches.
        let mut lines: Vec<String> = ballots.lines().map(String::from).collect();
        let last = lines.last_mut().unwrap();
        let choice = if last.ends_with('1') { '2' } else { '1' };
        last.pop();
        last.push(choice);
        let tampered = lines.join("\n") + "\n";
        std::fs::write(&file, tampered).unwrap();
        let (ok, _, err) = vigie(&[
            "verify-poll",
            "--ballots",
            file.to_str().unwrap(),
            "--hash",
            hash,
        ]);
        assert!(!ok && err.contains("does not verify"), "{community}: {err}");
    }
}

#[test]
fn faq_check_shows_why_the_faq_answers_or_not_and_scores_a_labelled_list() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo/vigie.toml");
    let questions = "Vous livrez en Suisse ?\n\
        {\"q\": \"can I pay with luncheon vouchers?\", \"expected\": \"payment_methods\"}\n\
        {\"q\": \"salut tout le monde\", \"expected\": null}\n";
    let (ok, out, err) = vigie_with_stdin(&["faq-check", "--config", demo, "-"], questions);
    assert!(ok, "{err}");
    assert!(out.contains("→ answers shipping_abroad"), "{out}");
    assert!(out.contains("MISSED (expected payment_methods)"), "{out}");
    assert!(out.contains("not a question"), "{out}");
    assert!(
        out.contains("3 questions, 1 answered") && out.contains("precision 1.000, recall 0.000"),
        "{out}"
    );
    let (ok, out, err) = vigie_with_stdin(&["faq-check", "-c", demo, "--json"], questions);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["answer"], "shipping_abroad");
    assert!(lines[0].get("expected").is_none());
    assert_eq!(lines[1]["expected"], "payment_methods");
    assert_eq!(lines[1]["top"][0]["entry"], "payment_methods");
    // Mistakes are named, and nothing is half-done.
    let (ok, _, err) =
        vigie_with_stdin(&["faq-check", "-c", demo, "--plugin", "automod"], questions);
    assert!(!ok && err.contains("not the faq plugin"), "{err}");
    let (ok, _, err) = vigie_with_stdin(
        &["faq-check", "-c", demo],
        "{\"q\": \"où ?\", \"expected\": \"nope\"}\n",
    );
    assert!(!ok && err.contains("`nope` is not in the FAQ"), "{err}");
}
