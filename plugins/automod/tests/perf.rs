//! Worst-case inputs stay fast (the host gives a plugin 100 ms of CPU per
//! event by default, and messages are at most 64 KiB).

use automod::Automod;
use std::time::Instant;
use vigie_sdk::{test_event, Plugin, TestHost};

#[test]
fn worst_case_messages() {
    let mut plugin = Automod::configure("{}").unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("single letters", "a b c d e f g h i j ".repeat(3_200)),
        ("dotted letters", "f.u.c.x.".repeat(8_000)),
        ("leet ones", "1l1|1 ".repeat(10_000)),
        ("one long word", "x".repeat(64_000)),
        (
            "words",
            "bonjour tout le monde, merci pour le café ".repeat(1_500),
        ),
        (
            "links",
            "see https://a.example/x www.b.com c.gg/d ".repeat(1_500),
        ),
        ("emoji", "🔥💰🤑 ".repeat(5_000)),
        ("zalgo", "z\u{336}\u{35b}a\u{334}".repeat(6_000)),
        ("insult at the end", "blah ".repeat(12_000) + "connard"),
        ("allowed phrases", "café con leche ".repeat(4_000)),
        ("masks", "a*b*c*d ".repeat(8_000)),
    ];
    for (name, text) in cases {
        let text: String = text.chars().take(64 * 1024).collect();
        let start = Instant::now();
        let mut host = TestHost::new();
        let _ = plugin
            .handle(&mut host, &test_event("m", "u", &text))
            .unwrap();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        println!("  {name:<16} {:>6} bytes  {ms:>8.2} ms", text.len());
        assert!(ms < 2_000.0, "{name}: {ms} ms");
    }
}
