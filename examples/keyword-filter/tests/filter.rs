//! The keyword filter's logic, tested natively with the SDK's in-memory host.

use keyword_filter::KeywordFilter;
use vigie_sdk::{test_event, Action, Plugin, TestHost};

#[test]
fn deletes_whole_keywords_only_and_warns_privately() {
    let mut plugin = KeywordFilter::configure(r#"{"keywords":["Spam"]}"#).unwrap();
    let mut host = TestHost::new();
    let hit = plugin
        .handle(&mut host, &test_event("e1", "u1", "Buy SPAM now"))
        .unwrap();
    assert!(
        matches!(&hit[0], Action::Delete(d) if d.message_id == "e1"),
        "{hit:?}"
    );
    assert!(
        matches!(&hit[1], Action::DirectMessage(m) if m.user_id == "u1"),
        "{hit:?}"
    );
    let miss = plugin
        .handle(&mut host, &test_event("e2", "u1", "spammer? no"))
        .unwrap();
    assert!(miss.is_empty());
}

#[test]
fn rejects_unknown_config_keys() {
    let err = KeywordFilter::configure(r#"{"keyword":["x"]}"#)
        .err()
        .unwrap();
    assert!(err.contains("unknown field `keyword`"), "{err}");
}
