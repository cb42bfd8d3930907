//! Cooldowns in the key-value store: `cd/<channel>/<entry>` and
//! `cdu/<user>/<entry>` hold the time (ms, the event's time) the entry was
//! last answered there / to them.

use vigie_sdk::{Host, Level};

/// Key of the channel cooldown of `entry`.
pub fn channel_key(channel: &str, entry: &str) -> String {
    format!("cd/{channel}/{entry}")
}

/// Key of the user cooldown of `entry`.
pub fn user_key(user: &str, entry: &str) -> String {
    format!("cdu/{user}/{entry}")
}

/// True while the time stored under `key` is less than `window_ms` away
/// from `now` (either way: a replay of older events is still close).
pub fn active(host: &mut impl Host, key: &str, now: i64, window_ms: i64) -> bool {
    if window_ms <= 0 {
        return false;
    }
    host.kv_get_string(key)
        .and_then(|s| s.parse::<i64>().ok())
        .is_some_and(|last| now.abs_diff(last) < window_ms as u64)
}

/// Records `now` under `key`; a refused write (quota) is logged, not fatal:
/// answering matters more than the cooldown.
pub fn record(host: &mut impl Host, key: &str, now: i64) {
    if let Err(e) = host.kv_set(key, now.to_string().as_bytes()) {
        host.log(
            Level::Warn,
            &format!("faq: cannot record cooldown {key}: {e:?}"),
        );
    }
}

/// Deletes up to `limit` keys under `prefix` whose cooldown is over, and
/// returns how many it deleted.
pub fn sweep(host: &mut impl Host, prefix: &str, now: i64, window_ms: i64, limit: u32) -> usize {
    host.kv_sweep_older(prefix, now, window_ms, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::TestHost;

    #[test]
    fn windows_start_at_the_recorded_time() {
        let mut host = TestHost::new();
        let key = channel_key("support", "hours");
        assert!(!active(&mut host, &key, 1_000_000, 600_000));
        record(&mut host, &key, 1_000_000);
        assert!(active(&mut host, &key, 1_000_000 + 599_999, 600_000));
        assert!(!active(&mut host, &key, 1_000_000 + 600_000, 600_000));
        assert!(!active(&mut host, &key, 1_000_001, 0), "a 0 window is off");
    }

    #[test]
    fn sweep_deletes_expired_keys_only() {
        let mut host = TestHost::new();
        record(&mut host, "cd/a/x", 0);
        record(&mut host, "cd/b/x", 900_000);
        assert_eq!(sweep(&mut host, "cd/", 1_000_000, 600_000, 100), 1);
        assert_eq!(host.kv_list("cd/", 10), vec!["cd/b/x".to_string()]);
    }
}
