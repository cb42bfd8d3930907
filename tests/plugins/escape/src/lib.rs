//! Tries to reach outside the sandbox through WASI — files, environment,
//! arguments, stdin, the network, the wall clock — and reports what it got
//! as labels (1 = it worked). The host must grant none of it.

use std::io::Read;
use vigie_sdk::{act, Action, ActionKind, Description, Event, EventKind, Host, Plugin};

pub struct Escape;

fn worked<T, E>(r: Result<T, E>) -> f64 {
    r.is_ok() as u8 as f64
}

impl Plugin for Escape {
    fn describe() -> Description {
        vigie_sdk::describe("escape", "1.0.0", "Tries every way out of the sandbox")
            .events([EventKind::Message])
            .actions([ActionKind::Label])
            .build()
    }

    fn configure(_config: &str) -> Result<Self, String> {
        Ok(Escape)
    }

    fn handle(&mut self, _host: &mut impl Host, _event: &Event) -> Result<Vec<Action>, String> {
        let mut stdin = Vec::new();
        let stdin_bytes = std::io::stdin()
            .read_to_end(&mut stdin)
            .map(|_| stdin.len())
            .unwrap_or(0);
        let clock_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as f64)
            .unwrap_or(-1.0);
        Ok(vec![
            act::label("fs_read", worked(std::fs::read("/etc/passwd")), "escape"),
            act::label("fs_read_dot", worked(std::fs::read_dir(".")), "escape"),
            act::label(
                "fs_write",
                worked(std::fs::write("/tmp/vigie-escape", b"x")),
                "escape",
            ),
            act::label("env", std::env::vars().count() as f64, "escape"),
            act::label("args", std::env::args().count() as f64, "escape"),
            act::label("stdin", stdin_bytes as f64, "escape"),
            act::label(
                "tcp",
                worked(std::net::TcpStream::connect("127.0.0.1:22")),
                "escape",
            ),
            act::label(
                "udp",
                worked(std::net::UdpSocket::bind("127.0.0.1:0")),
                "escape",
            ),
            act::label("clock_ms", clock_ms, "escape"),
        ])
    }
}

vigie_sdk::export_plugin!(Escape);
