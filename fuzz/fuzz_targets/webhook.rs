//! A webhook request: its `X-Vigie-Signature` header and its body (one
//! event, an array, or JSON Lines), as `POST /events` checks them
//! (`webhook::verify`, then `webhook::parse_events`).
//!
//! The first byte picks the case: even, the body is signed with the right
//! key (so the fuzzer reaches the parser behind the signature); odd, the
//! header is the first line of the rest and the body what follows.
//!
//! Invariants: no panic; a right signature verifies and the same one over
//! a changed body does not; every event accepted passes validation,
//! survives the event log and belongs to the webhook's community.
#![no_main]

use vigie::connector::webhook::{parse_events, sign, verify};

const KEY: &[u8] = b"fuzz-webhook-secret";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        let (header, body) = match rest.iter().position(|&b| b == b'\n') {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &[][..]),
        };
        let header = String::from_utf8_lossy(header);
        let _ = verify(KEY, body, Some(&header));
        return;
    }
    let body = rest;
    let signature = sign(KEY, body);
    assert!(verify(KEY, body, Some(&signature)));
    let mut changed = body.to_vec();
    changed.push(b' ');
    assert!(!verify(KEY, &changed, Some(&signature)));
    if let Ok(events) = parse_events(body, "acme") {
        assert!(!events.is_empty());
        for event in &events {
            vigie_fuzz::host::check_event(event);
            assert_eq!(event.community, "acme");
        }
    }
});
