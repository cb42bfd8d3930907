//! What an IRC server sends: lines with IRCv3 tags, a prefix, a command
//! and parameters, read by a registered session (`Irc::absorb_server_bytes`:
//! `Message::parse`, then the session's tracking of names, modes and
//! ISUPPORT, then the events). Each input is a fresh session's stream.
//!
//! Invariants: no panic; every event made passes validation and survives
//! the event log; it belongs to the connector's community and platform.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;
use vigie::connector::irc::{Irc, IrcConfig};

fn config() -> IrcConfig {
    static CONFIG: OnceLock<IrcConfig> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            toml::from_str(
                r##"community = "acme"
                    server = "127.0.0.1:6667"
                    nick = "vigie"
                    channels = ["#c", "#general"]"##,
            )
            .expect("the fuzz target's IRC config")
        })
        .clone()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let irc = Irc::new(config(), Path::new(".")).expect("the fuzz target's IRC connector");
    for event in irc.absorb_server_bytes(data).into_iter().flatten() {
        vigie_fuzz::host::check_event(&event);
        assert_eq!(event.community, "acme");
        assert_eq!(event.platform, "irc");
    }
});
