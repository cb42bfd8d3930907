//! `vigie.toml` (`Config::parse`): written by users, often copied from
//! examples and edited by hand.
//!
//! Invariants: no panic (errors point at a line, computed from spans: a
//! span that is not on a character boundary would panic); parsing is
//! deterministic; every plugin entry of an accepted config resolves (its
//! limits merged, its config turned into the JSON the plugin receives) or
//! says why not.
#![no_main]

use std::path::Path;
use vigie::Config;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A directory that does not exist: nothing is read from disk.
    let base = Path::new("/nonexistent/vigie-fuzz");
    let Ok(config) = Config::parse(text, "vigie.toml", base) else {
        return;
    };
    let again = Config::parse(text, "vigie.toml", base).expect("parsed once, refused the next");
    assert_eq!(format!("{config:?}"), format!("{again:?}"));
    for (name, plugin) in &config.plugins {
        // `config_file` reads a file, possibly /dev/zero: not a parser's job.
        if plugin.config_file.is_none() {
            let _ = config.plugin_entry(name);
        }
    }
    for community in &config.communities {
        let _ = config.chain_for(community.id.get_ref());
    }
    let _ = config.data_dir();
    let _ = config.communities_dir();
});
