//! WASI is linked for the guest's standard library but grants nothing: no
//! files, no environment, no arguments, no stdin, no sockets; the wall clock
//! shows the event's time.

use crate::env::{message, plugin, TestEnv};

#[test]
fn a_plugin_gets_no_ambient_authority() {
    let env = TestEnv::new(&format!(
        r#"
[plugins.escape]
component = "{}"
grants = ["label"]
limits = {{ max_actions = 16 }}
[[communities]]
id = "acme"
chain = ["escape"]
"#,
        plugin("escape").display()
    ));
    let out = env.run(&[message("e1", "acme", "u1", "let me out")]);
    let labels: std::collections::BTreeMap<String, f64> = out
        .for_event("e1")
        .iter()
        .filter_map(|a| match &a.action {
            vigie::Action::Label { key, value, .. } => Some((key.clone(), *value)),
            _ => None,
        })
        .collect();
    assert_eq!(labels.len(), 9, "{labels:?}");
    for key in [
        "fs_read",
        "fs_read_dot",
        "fs_write",
        "env",
        "args",
        "stdin",
        "tcp",
        "udp",
    ] {
        assert_eq!(labels[key], 0.0, "{key} must be denied: {labels:?}");
    }
    assert_eq!(
        labels["clock_ms"], 1_795_341_600_000.0,
        "the clock shows the event's time"
    );
}
