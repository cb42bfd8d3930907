//! The `vigie` binary as a child process, as an operator runs it: started
//! with a config, stopped with SIGTERM or killed with SIGKILL, its log in a
//! file the tests read.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `vigie` binary running with a config, its log in a file.
pub struct VigieProcess {
    child: Child,
    log: PathBuf,
}

impl VigieProcess {
    pub fn start(config: &Path, secret: &str) -> VigieProcess {
        VigieProcess::start_with_env(config, secret, &[])
    }

    /// As [`VigieProcess::start`], with more environment variables (the
    /// cluster's crash points).
    pub fn start_with_env(config: &Path, secret: &str, env: &[(&str, &str)]) -> VigieProcess {
        let log = config.with_extension(format!(
            "{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let child = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["run", "--config"])
            .arg(config)
            .env("VIGIE_LOG", "vigie=info")
            .env("VIGIE_TEST_SECRET", secret)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&log).expect("log file")))
            .spawn()
            .expect("start vigie");
        VigieProcess { child, log }
    }

    /// Waits for the process to exit by itself: its status, or `None` if
    /// it still runs after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The process id, for signals (SIGSTOP, SIGCONT).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the connector has synced and listens.
    pub fn wait_listening(&mut self) {
        self.wait_log("running until stopped");
    }

    /// Waits until the log contains `pattern`.
    pub fn wait_log(&mut self, pattern: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.log().contains(pattern) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("vigie exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "vigie did not connect:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, as an operator stopping it; waits for a clean exit.
    pub fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = self.log();
                assert!(status.success(), "vigie failed on SIGTERM:\n{log}");
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "vigie did not stop:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for VigieProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `vigie COMMAND --json --data-dir DATA_DIR` (`audit`,
/// `dead-letters`) and returns its records; fails the test when the
/// command fails.
pub fn records(command: &str, data_dir: &Path) -> Vec<serde_json::Value> {
    let mut vigie = Command::new(env!("CARGO_BIN_EXE_vigie"));
    vigie.args([command, "--json", "--data-dir"]).arg(data_dir);
    json_output(vigie)
}

/// Runs `command` and returns its output, one JSON value per line; fails
/// the test when the command fails or prints anything else.
pub fn json_output(mut command: Command) -> Vec<serde_json::Value> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{command:?}: {l}: {e}")))
        .collect()
}
