//! Strikes per user, kept in the key-value store under `strikes/<user>` as
//! `count:last_strike_ms`.
//!
//! Strikes decay: every `decay_ms` without a new strike forgives one. A new
//! strike is added to what is left and restarts the clock.

use crate::flood::{push_decimal_str, user_key};
use vigie_sdk::{Host, Level};

fn key(user: &str) -> String {
    user_key("strikes/", user)
}

fn warned_key(user: &str) -> String {
    user_key("warned/", user)
}

/// Whether `user` was sent a warning less than `cooldown_ms` ago.
pub fn warned_within(host: &mut impl Host, user: &str, now: i64, cooldown_ms: i64) -> bool {
    host.kv_get_string(&warned_key(user))
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|at| now.saturating_sub(at) < cooldown_ms)
}

/// Remembers that `user` was sent a warning at `now` (`warned/<user>`).
pub fn set_warned(host: &mut impl Host, user: &str, now: i64) {
    let key = warned_key(user);
    if let Err(e) = host.kv_set(&key, now.to_string().as_bytes()) {
        host.log(Level::Warn, &format!("automod: cannot store {key}: {e:?}"));
    }
}

/// Deletes up to `limit` warning marks older than `cooldown_ms`, and
/// returns how many it deleted.
pub fn sweep_warnings(host: &mut impl Host, now: i64, cooldown_ms: i64, limit: u32) -> usize {
    host.kv_sweep_older("warned/", now, cooldown_ms, limit)
}

fn decayed(value: Option<Vec<u8>>, now: i64, decay_ms: i64) -> u32 {
    let Some(text) = value.and_then(|v| String::from_utf8(v).ok()) else {
        return 0;
    };
    let mut parts = text.split(':');
    let count: u32 = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let last: i64 = parts.next().and_then(|t| t.parse().ok()).unwrap_or(now);
    let forgiven = if decay_ms > 0 {
        ((now - last).max(0) / decay_ms).min(u32::MAX as i64) as u32
    } else {
        0
    };
    count.saturating_sub(forgiven)
}

/// The user's strikes now, after decay.
pub fn current(host: &mut impl Host, user: &str, now: i64, decay_ms: i64) -> u32 {
    decayed(host.kv_get(&key(user)), now, decay_ms)
}

/// Adds `weight` strikes and returns the new count.
pub fn add(host: &mut impl Host, user: &str, now: i64, decay_ms: i64, weight: u32) -> u32 {
    let k = key(user);
    let count = decayed(host.kv_get(&k), now, decay_ms).saturating_add(weight);
    let mut value = String::with_capacity(24);
    push_decimal_str(&mut value, count as i64);
    value.push(':');
    push_decimal_str(&mut value, now);
    if let Err(e) = host.kv_set(&k, value.as_bytes()) {
        host.log(Level::Warn, &format!("automod: cannot store {k}: {e:?}"));
    }
    count
}

/// Deletes up to `limit` strike records that have decayed to nothing, and
/// returns how many it deleted (with `decay_ms` = 0 strikes never decay and
/// stay).
pub fn sweep(host: &mut impl Host, now: i64, decay_ms: i64, limit: u32) -> usize {
    let mut deleted = 0;
    for key in host.kv_list("strikes/", limit) {
        if decayed(host.kv_get(&key), now, decay_ms) == 0 {
            host.kv_delete(&key);
            deleted += 1;
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::TestHost;

    const DAY: i64 = 86_400_000;

    #[test]
    fn strikes_add_up_and_decay() {
        let mut host = TestHost::new();
        assert_eq!(add(&mut host, "u1", 0, DAY, 1), 1);
        assert_eq!(add(&mut host, "u1", 1_000, DAY, 1), 2);
        assert_eq!(add(&mut host, "u1", 2_000, DAY, 2), 4);
        assert_eq!(current(&mut host, "u1", 2_000 + DAY, DAY), 3);
        assert_eq!(current(&mut host, "u1", 2_000 + 3 * DAY + 5, DAY), 1);
        assert_eq!(current(&mut host, "u1", 2_000 + 30 * DAY, DAY), 0);
        assert_eq!(add(&mut host, "u1", 2_000 + 30 * DAY, DAY, 1), 1);
        assert_eq!(current(&mut host, "u2", 0, DAY), 0);
        assert_eq!(
            host.kv.get("strikes/u1").unwrap(),
            format!("1:{}", 2_000 + 30 * DAY).as_bytes()
        );
    }
}
