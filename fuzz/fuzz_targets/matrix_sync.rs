//! A Matrix `/sync` reply, as the sync loop reads it
//! (`Matrix::absorb_sync_body`: the JSON, power levels from room state,
//! then each timeline event normalised). The homeserver is a stranger too:
//! any server a user points the bot at.
//!
//! Invariants: no panic; every event made passes validation, survives the
//! event log and belongs to the connector's community; the bot's own
//! events are skipped.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;
use vigie::connector::matrix::{Matrix, MatrixConfig};

const BOT: &str = "@vigie:example.org";

fn matrix() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| {
        std::env::set_var("VIGIE_FUZZ_MATRIX_TOKEN", "syt_fuzz");
        let config: MatrixConfig = toml::from_str(
            r#"community = "acme"
               homeserver = "http://127.0.0.1:9"
               access_token = "env:VIGIE_FUZZ_MATRIX_TOKEN""#,
        )
        .expect("the fuzz target's Matrix config");
        Matrix::new(config, Path::new(".")).expect("the fuzz target's Matrix connector")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // reqwest reads a reply's text lossily.
    let body = String::from_utf8_lossy(data);
    let Some(events) = matrix().absorb_sync_body(&body, BOT) else {
        return;
    };
    for event in events.into_iter().flatten() {
        vigie_fuzz::host::check_event(&event);
        assert_eq!(event.community, "acme");
        assert_ne!(event.author.id, BOT);
    }
});
