//! Packed events as the SDK decodes them (`vigie_sdk::packed`): the bytes a
//! plugin receives in `handle-packed`. A plugin trusts the host, but a
//! host with a bug, or another host, must not make it misread or panic.
//!
//! Invariants:
//! - `decode` never panics;
//! - what it accepts re-encodes to exactly the same bytes (so nothing is
//!   silently dropped or changed: every flag, kind and string round-trips);
//! - reading one event at a time into a reused event (`Batch::next_into`,
//!   what plugins do) gives the same events as `decode`, and refuses the
//!   same batches;
//! - every string read is UTF-8 by the standard library's check (the SDK
//!   takes an unchecked fast path for ASCII; without a sanitizer, this is
//!   what would notice it letting other bytes through).
#![no_main]

use vigie_sdk::packed::{blank_event, decode, encode, Batch};
use vigie_sdk::Event;

fn assert_utf8(event: &Event) {
    let strings = [
        &event.id,
        &event.platform,
        &event.community,
        &event.channel,
        &event.author.id,
        &event.author.name,
        &event.text,
    ]
    .into_iter()
    .chain(&event.author.roles)
    .chain(&event.reply_to)
    .chain(&event.reaction)
    .chain(&event.target_message)
    .chain(event.labels.iter().flat_map(|l| [&l.key, &l.plugin]))
    .chain(event.labels.iter().flat_map(|l| &l.note));
    for s in strings {
        assert!(
            std::str::from_utf8(s.as_bytes()).is_ok(),
            "a string read is not UTF-8"
        );
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let decoded = decode(data);
    // Reading into one reused event must agree with reading fresh ones.
    let streamed: Result<Vec<Vec<u8>>, String> = (|| {
        let mut batch = Batch::open(data)?;
        let mut event = blank_event();
        let mut out = Vec::new();
        while batch.next_into(&mut event)? {
            out.push(encode(std::slice::from_ref(&event)));
        }
        Ok(out)
    })();
    match (&decoded, &streamed) {
        (Ok(events), Ok(each)) => {
            // Compared as bytes: a label value may be NaN, which `==` on
            // events would call different from itself.
            assert_eq!(
                encode(events),
                data,
                "an accepted batch does not re-encode to its own bytes"
            );
            events.iter().for_each(assert_utf8);
            assert_eq!(events.len(), each.len());
            for (event, bytes) in events.iter().zip(each) {
                assert_eq!(&encode(std::slice::from_ref(event)), bytes);
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("decode and Batch disagree: {decoded:?} / {streamed:?}"),
    }
});
