//! The bad-buzz detector: per community (the key-value store is already
//! scoped to one community), a rolling window of message volume and negative
//! share, compared with the community's own baseline.
//!
//! State lives in a few keys, so that the common case (a message that is
//! not among the most negative) costs one small read and one small write
//! (each a host call in a component):
//! - `buzz/state`, in a compact binary form (≈ 300 bytes; the JSON of
//!   earlier versions is still read): the rolling window as buckets of `window_s / 10` seconds
//!   (start, messages, negative messages, and the score a negative message
//!   must beat to enter the bucket's three most negative); the baseline,
//!   exponentially weighted averages over past windows (consecutive, aligned
//!   on multiples of `window_s`) of the messages per window and of the
//!   negative share, windows without messages counting as quiet ones; and
//!   the end of the cool-down after an alert;
//! - `buzz/top/<bucket start>`: the three most negative messages of a bucket
//!   (id, author, score, start of the text; binary too), deleted when the
//!   bucket leaves the window.
//!
//! An alert fires when, in the last `window_s`, there are at least
//! `min_messages` messages, the negative share is at least `negative_share`
//! and at least `share_factor` × the usual share, and the volume is at least
//! `volume_factor` × the usual volume — and only once the baseline has seen
//! `min_baseline_windows` windows and no cool-down is running.

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use vigie_sdk::{act, Action, Host, Severity};

/// The key holding the detector's state.
pub const STATE_KEY: &str = "buzz/state";
/// Most negative messages kept per bucket and shown in an alert.
const TOP: usize = 3;
/// Characters of a message quoted in an alert.
const QUOTE_CHARS: usize = 140;

/// The detector's thresholds (`buzz` table of the config).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuzzConfig {
    /// Turn the detector off (labels are still emitted).
    pub enabled: bool,
    /// Length of the rolling window, in seconds.
    pub window_s: u32,
    /// Fewest messages in the window for an alert.
    pub min_messages: u32,
    /// A message whose score is below this counts as negative.
    pub negative_threshold: f64,
    /// Least share of negative messages in the window for an alert.
    pub negative_share: f64,
    /// The negative share must also be this many times the usual share.
    pub share_factor: f64,
    /// The volume must be this many times the usual volume per window.
    pub volume_factor: f64,
    /// Quiet time after an alert, in seconds.
    pub cooldown_s: u32,
    /// Span of the baseline's exponentially weighted average, in windows.
    pub baseline_windows: u32,
    /// Past windows the baseline needs before any alert.
    pub min_baseline_windows: u32,
}

impl Default for BuzzConfig {
    fn default() -> Self {
        BuzzConfig {
            enabled: true,
            window_s: 900,
            min_messages: 10,
            negative_threshold: -0.3,
            negative_share: 0.4,
            share_factor: 1.5,
            volume_factor: 2.0,
            cooldown_s: 3600,
            baseline_windows: 8,
            min_baseline_windows: 2,
        }
    }
}

impl BuzzConfig {
    /// Checks the values make sense.
    pub fn validate(&self) -> Result<(), String> {
        let checks = [
            ("window_s must be at least 10", self.window_s >= 10),
            ("min_messages must be at least 1", self.min_messages >= 1),
            (
                "negative_threshold must be in [-1, 0)",
                (-1.0..0.0).contains(&self.negative_threshold),
            ),
            (
                "negative_share must be in (0, 1]",
                self.negative_share > 0.0 && self.negative_share <= 1.0,
            ),
            (
                "share_factor must be at least 0",
                self.share_factor >= 0.0 && self.share_factor.is_finite(),
            ),
            (
                "volume_factor must be at least 0",
                self.volume_factor >= 0.0 && self.volume_factor.is_finite(),
            ),
            (
                "baseline_windows must be at least 1",
                self.baseline_windows >= 1,
            ),
        ];
        match checks.iter().find(|(_, ok)| !ok) {
            Some((msg, _)) => Err(format!("buzz.{msg}")),
            None => Ok(()),
        }
    }

    fn window_ms(&self) -> i64 {
        i64::from(self.window_s) * 1000
    }

    fn bucket_ms(&self) -> i64 {
        (self.window_ms() / 10).max(1000)
    }
}

/// A message seen by the detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neg {
    /// Message id.
    pub id: String,
    /// Author's display name.
    pub author: String,
    /// Sentiment score.
    pub score: f64,
    /// The start of the text.
    pub text: String,
}

/// A bucket of the rolling window: `[start, messages, negative, entry]`,
/// where `entry` is the score a negative message must be below to enter the
/// bucket's top (0 while it has fewer than three).
type Bucket = (i64, u32, u32, f64);

/// The detector's state, stored under [`STATE_KEY`] in a compact binary
/// form (see [`State::encode`]); the JSON form of earlier versions is still
/// read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
struct State {
    buckets: Vec<Bucket>,
    /// The baseline period being counted (timestamp / window).
    epoch: i64,
    epoch_total: u32,
    epoch_negative: u32,
    /// Usual messages per window.
    base_volume: f64,
    /// Usual negative share.
    base_share: f64,
    /// Past windows folded into the baseline.
    base_windows: u32,
    cooldown_until: i64,
}

/// First byte of the binary state (JSON starts with `{`).
const MAGIC: u8 = 0xB1;
/// Bytes of the binary state before the buckets.
const HEADER: usize = 1 + 8 + 4 + 4 + 8 + 8 + 4 + 8 + 4;
/// Bytes of one bucket.
const BUCKET: usize = 8 + 4 + 4 + 8;
/// Buckets of a window (`window_s / 10` each), with room to spare.
const STACK_BUCKETS: usize = 16;

/// Little-endian fields read one after the other.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn i64(&mut self) -> Option<i64> {
        self.take().map(i64::from_le_bytes)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn f64(&mut self) -> Option<f64> {
        self.take().map(f64::from_le_bytes)
    }
}

impl State {
    /// The state stored as `bytes` (binary, or the JSON of earlier
    /// versions); the empty state when they cannot be read.
    fn decode(bytes: &[u8]) -> State {
        match bytes.first() {
            Some(&MAGIC) => State::decode_binary(bytes).unwrap_or_default(),
            _ => serde_json::from_slice(bytes).unwrap_or_default(),
        }
    }

    fn decode_binary(bytes: &[u8]) -> Option<State> {
        let mut r = Reader(&bytes[1..]);
        let mut state = State {
            buckets: Vec::new(),
            epoch: r.i64()?,
            epoch_total: r.u32()?,
            epoch_negative: r.u32()?,
            base_volume: r.f64()?,
            base_share: r.f64()?,
            base_windows: r.u32()?,
            cooldown_until: r.i64()?,
        };
        let n = r.u32()? as usize;
        if r.0.len() != n.checked_mul(BUCKET)? {
            return None;
        }
        state.buckets.reserve_exact(n + 1);
        for _ in 0..n {
            state.buckets.push((r.i64()?, r.u32()?, r.u32()?, r.f64()?));
        }
        // The baseline went through JSON in earlier versions, on every
        // message: keep its rounding (see `json_roundtrip`).
        state.base_volume = json_roundtrip(state.base_volume)?;
        state.base_share = json_roundtrip(state.base_share)?;
        Some(state)
    }

    /// Bytes of the binary form.
    fn encoded_len(&self) -> usize {
        HEADER + self.buckets.len() * BUCKET
    }

    /// The binary form, into `out` (at least [`State::encoded_len`] bytes):
    /// a magic byte, the fields in little-endian order, the number of
    /// buckets and the buckets.
    fn encode<'b>(&self, out: &'b mut [u8]) -> &'b [u8] {
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&[MAGIC]);
        put(&self.epoch.to_le_bytes());
        put(&self.epoch_total.to_le_bytes());
        put(&self.epoch_negative.to_le_bytes());
        put(&self.base_volume.to_le_bytes());
        put(&self.base_share.to_le_bytes());
        put(&self.base_windows.to_le_bytes());
        put(&self.cooldown_until.to_le_bytes());
        put(&(self.buckets.len() as u32).to_le_bytes());
        for b in &self.buckets {
            put(&b.0.to_le_bytes());
            put(&b.1.to_le_bytes());
            put(&b.2.to_le_bytes());
            put(&b.3.to_le_bytes());
        }
        &out[..at]
    }
}

/// What serde_json reads back from what it writes for `x` (`None` for a
/// value it cannot write as a number). Its parser is not exact for every
/// double (17 significant digits can lose an ulp), and the baseline of
/// earlier versions, stored as JSON, went through it on every message; the
/// binary state keeps that rounding so that the alerts stay the same to
/// the last bit. The baseline changes once per window, so the few values
/// seen are remembered.
fn json_roundtrip(x: f64) -> Option<f64> {
    const NONE: u64 = 0x7ff8_dead_beef_0001; // a NaN no arithmetic gives
    thread_local! {
        static SEEN: Cell<[(u64, u64); 4]> = const { Cell::new([(NONE, NONE); 4]) };
    }
    let bits = x.to_bits();
    let mut seen = SEEN.get();
    if let Some((_, out)) = seen.iter().find(|(input, _)| *input == bits) {
        return Some(f64::from_bits(*out));
    }
    let mut buf = [0u8; 40];
    let mut cursor = &mut buf[..];
    serde_json::to_writer(&mut cursor, &x).ok()?;
    let len = 40 - cursor.len();
    let y: f64 = serde_json::from_slice(&buf[..len]).ok()?;
    seen.rotate_right(1);
    seen[0] = (bits, y.to_bits());
    SEEN.set(seen);
    Some(y)
}

/// The key of a bucket's most negative messages.
pub fn top_key(bucket_start: i64) -> String {
    format!("buzz/top/{bucket_start}")
}

fn read_top(host: &mut impl Host, bucket_start: i64) -> Vec<Neg> {
    host.kv_get(&top_key(bucket_start))
        .and_then(|v| decode_top(&v))
        .unwrap_or_default()
}

/// A bucket's top as stored: binary (see [`encode_top`]) or the JSON of
/// earlier versions.
fn decode_top(bytes: &[u8]) -> Option<Vec<Neg>> {
    if bytes.first() != Some(&MAGIC) {
        return serde_json::from_slice(bytes).ok();
    }
    let mut r = Reader(&bytes[1..]);
    let n = r.u32()?;
    let string = |r: &mut Reader| -> Option<String> {
        let len = r.u32()? as usize;
        let (head, rest) = r.0.split_at_checked(len)?;
        r.0 = rest;
        String::from_utf8(head.to_vec()).ok()
    };
    let mut top = Vec::with_capacity(TOP);
    for _ in 0..n {
        let score = r.f64()?;
        top.push(Neg {
            id: string(&mut r)?,
            author: string(&mut r)?,
            score,
            text: string(&mut r)?,
        });
    }
    r.0.is_empty().then_some(top)
}

/// A bucket's top in binary: a magic byte, the count, then for each
/// message its score and its id, author and text (each its length and
/// bytes), little-endian.
fn encode_top(top: &[Neg]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        5 + top
            .iter()
            .map(|n| 20 + n.id.len() + n.author.len() + n.text.len())
            .sum::<usize>(),
    );
    out.push(MAGIC);
    out.extend_from_slice(&(top.len() as u32).to_le_bytes());
    for n in top {
        out.extend_from_slice(&n.score.to_le_bytes());
        for s in [&n.id, &n.author, &n.text] {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
    out
}

fn by_score(a: &Neg, b: &Neg) -> std::cmp::Ordering {
    a.score.total_cmp(&b.score).then_with(|| a.id.cmp(&b.id))
}

fn save(host: &mut impl Host, key: &str, bytes: &[u8]) {
    if let Err(e) = host.kv_set(key, bytes) {
        host.log(vigie_sdk::Level::Warn, &format!("{key} not saved: {e:?}"));
    }
}

/// The figures of the current window, as shown in an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Messages in the window.
    pub total: u32,
    /// Negative messages in the window.
    pub negative: u32,
    /// Usual messages per window.
    pub base_volume: f64,
    /// Usual negative share.
    pub base_share: f64,
    /// The most negative messages, most negative first.
    pub top: Vec<Neg>,
}

impl Figures {
    /// Negative share of the window.
    pub fn share(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            f64::from(self.negative) / f64::from(self.total)
        }
    }
}

/// The text on one line (words joined by one space), cut after
/// [`QUOTE_CHARS`] characters with `…`.
fn quote(text: &str) -> String {
    let mut one_line = String::with_capacity(text.len().min(4 * QUOTE_CHARS + 8));
    let mut chars = 0;
    for word in text.split_whitespace() {
        if !one_line.is_empty() {
            one_line.push(' ');
            chars += 1;
        }
        one_line.push_str(word);
        chars += word.chars().count();
        if chars > QUOTE_CHARS {
            break; // the rest is cut anyway
        }
    }
    if chars > QUOTE_CHARS {
        if let Some((cut, _)) = one_line.char_indices().nth(QUOTE_CHARS) {
            one_line.truncate(cut);
            one_line.push('…');
        }
    }
    one_line
}

/// Counts one message (at `ts_ms`, with its sentiment `score`) and returns
/// the alert, if this message tips the window over the thresholds.
///
/// One read and one write of [`STATE_KEY`]; the bucket's top is read and
/// written only when the message enters it, and deleted when the bucket
/// leaves the window.
pub fn observe(
    host: &mut impl Host,
    cfg: &BuzzConfig,
    ts_ms: i64,
    id: &str,
    author: &str,
    text: &str,
    score: f64,
) -> Option<Action> {
    let mut state = host
        .kv_get(STATE_KEY)
        .map(|v| State::decode(&v))
        .unwrap_or_default();
    let window_ms = cfg.window_ms();
    let negative = score < cfg.negative_threshold;

    // Baseline: fold the finished windows into the averages.
    let epoch = ts_ms.div_euclid(window_ms);
    if state.epoch == 0 && state.base_windows == 0 && state.epoch_total == 0 {
        state.epoch = epoch;
    }
    if epoch > state.epoch {
        let alpha = 2.0 / (f64::from(cfg.baseline_windows) + 1.0);
        let total = f64::from(state.epoch_total);
        let share = if state.epoch_total > 0 {
            f64::from(state.epoch_negative) / total
        } else {
            state.base_share
        };
        if state.base_windows == 0 {
            state.base_volume = total;
            state.base_share = share;
        } else {
            state.base_volume = alpha * total + (1.0 - alpha) * state.base_volume;
            state.base_share = alpha * share + (1.0 - alpha) * state.base_share;
        }
        let quiet = (epoch - state.epoch - 1).clamp(0, 10_000) as i32;
        state.base_volume *= (1.0 - alpha).powi(quiet);
        state.base_windows = state.base_windows.saturating_add(1 + quiet as u32);
        state.epoch = epoch;
        state.epoch_total = 0;
        state.epoch_negative = 0;
    }
    state.epoch_total += 1;
    state.epoch_negative += negative as u32;

    // The rolling window: the buckets of the last `window_s`, counting the
    // newest one. A message older than that (events out of order) counts
    // in the baseline only: its bucket would leave the window at once.
    let bucket_ms = cfg.bucket_ms();
    let start = ts_ms - ts_ms.rem_euclid(bucket_ms);
    let newest = state.buckets.last().map_or(start, |b| b.0.max(start));
    if start > newest - window_ms {
        let at = match state.buckets.binary_search_by_key(&start, |b| b.0) {
            Ok(at) => at,
            Err(at) => {
                state.buckets.insert(at, (start, 0, 0, 0.0));
                at
            }
        };
        let bucket = &mut state.buckets[at];
        bucket.1 += 1;
        if negative {
            bucket.2 += 1;
            // Only a message among the bucket's three most negative is stored.
            if bucket.2 <= TOP as u32 || score < bucket.3 {
                let mut top = read_top(host, start);
                top.push(Neg {
                    id: id.to_string(),
                    author: author.to_string(),
                    score,
                    text: quote(text),
                });
                top.sort_by(by_score);
                top.truncate(TOP);
                state.buckets[at].3 = if top.len() == TOP {
                    top[TOP - 1].score
                } else {
                    0.0
                };
                save(host, &top_key(start), &encode_top(&top));
            }
        }
        let gone = state
            .buckets
            .iter()
            .take_while(|b| b.0 <= newest - window_ms)
            .count();
        for b in state.buckets[..gone].iter().filter(|b| b.2 > 0) {
            host.kv_delete(&top_key(b.0));
        }
        state.buckets.drain(..gone);
    }

    let total: u32 = state.buckets.iter().map(|b| b.1).sum();
    let negatives: u32 = state.buckets.iter().map(|b| b.2).sum();
    let needed_volume = cfg.volume_factor * state.base_volume.max(1.0);
    let share = if total == 0 {
        0.0
    } else {
        f64::from(negatives) / f64::from(total)
    };
    let alert = cfg.enabled
        && state.base_windows >= cfg.min_baseline_windows
        && ts_ms >= state.cooldown_until
        && total >= cfg.min_messages
        && share >= cfg.negative_share
        && share >= cfg.share_factor * state.base_share
        && f64::from(total) >= needed_volume;
    let action = alert.then(|| {
        state.cooldown_until = ts_ms + i64::from(cfg.cooldown_s) * 1000;
        let starts: Vec<i64> = state
            .buckets
            .iter()
            .filter(|b| b.2 > 0)
            .map(|b| b.0)
            .collect();
        let mut top: Vec<Neg> = starts.into_iter().flat_map(|s| read_top(host, s)).collect();
        top.sort_by(by_score);
        top.truncate(TOP);
        let figures = Figures {
            total,
            negative: negatives,
            base_volume: state.base_volume,
            base_share: state.base_share,
            top,
        };
        let critical =
            share >= (1.0 + cfg.negative_share) / 2.0 || f64::from(total) >= 2.0 * needed_volume;
        let severity = if critical {
            Severity::Critical
        } else {
            Severity::Warning
        };
        act::alert(severity, alert_text(cfg, &figures), "bad buzz")
    });
    let mut stack = [0u8; HEADER + STACK_BUCKETS * BUCKET];
    let mut heap = Vec::new();
    let buf = if state.encoded_len() <= stack.len() {
        &mut stack[..]
    } else {
        heap.resize(state.encoded_len(), 0);
        &mut heap[..]
    };
    save(host, STATE_KEY, state.encode(buf));
    action
}

/// The text of a bad-buzz alert.
pub fn alert_text(cfg: &BuzzConfig, f: &Figures) -> String {
    let minutes = f64::from(cfg.window_s) / 60.0;
    let mut text = format!(
        "Bad buzz: {} of {} messages negative ({:.0}%, usually {:.0}%) in the last {} min; \
         volume {} messages (usually {:.1}, x{:.1}).",
        f.negative,
        f.total,
        f.share() * 100.0,
        f.base_share * 100.0,
        format_minutes(minutes),
        f.total,
        f.base_volume,
        f64::from(f.total) / f.base_volume.max(1.0),
    );
    if !f.top.is_empty() {
        text.push_str(" Most negative:");
        for (k, n) in f.top.iter().enumerate() {
            text.push_str(&format!(
                " {}. [{:+.2}] {} ({}): « {} »",
                k + 1,
                n.score,
                n.id,
                n.author,
                n.text
            ));
            text.push(if k + 1 == f.top.len() { '.' } else { ';' });
        }
    }
    text
}

fn format_minutes(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::TestHost;

    const T0: i64 = 1_763_805_600_000; // 10:00:00, a multiple of 15 min

    fn cfg() -> BuzzConfig {
        BuzzConfig::default()
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_refused() {
        assert_eq!(cfg().validate(), Ok(()));
        let bad = BuzzConfig {
            negative_share: 1.5,
            ..cfg()
        };
        assert!(bad.validate().unwrap_err().contains("negative_share"));
        let bad = BuzzConfig {
            negative_threshold: 0.2,
            ..cfg()
        };
        assert!(bad.validate().unwrap_err().contains("negative_threshold"));
    }

    #[test]
    fn no_alert_without_a_baseline() {
        let mut host = TestHost::new();
        for k in 0..30 {
            let a = observe(
                &mut host,
                &cfg(),
                T0 + k * 1000,
                &format!("m{k}"),
                "u",
                "nul",
                -0.8,
            );
            assert!(a.is_none());
        }
    }

    #[test]
    fn old_buckets_leave_the_window_and_quiet_windows_lower_the_baseline() {
        let mut host = TestHost::new();
        let c = cfg();
        for k in 0..20 {
            observe(
                &mut host,
                &c,
                T0 + k * 60_000,
                &format!("m{k}"),
                "u",
                "ok",
                0.3,
            );
        }
        let s = State::decode(&host.kv[STATE_KEY]);
        let window: u32 = s.buckets.iter().map(|b| b.1).sum();
        assert!((15..=16).contains(&window), "{window}");
        assert_eq!(s.base_windows, 1);
        assert!((s.base_volume - 15.0).abs() < 1e-9);
        // Two hours later: 7 quiet windows were folded in.
        observe(&mut host, &c, T0 + 3 * 3_600_000, "late", "u", "ok", 0.3);
        let s = State::decode(&host.kv[STATE_KEY]);
        assert_eq!(s.buckets.len(), 1);
        assert!(s.base_volume < 5.0, "{}", s.base_volume);
    }

    #[test]
    fn keeps_the_three_most_negative_per_bucket_and_forgets_old_ones() {
        let mut host = TestHost::new();
        let c = cfg();
        for (k, score) in [-0.5, -0.9, -0.4, -0.7, -0.95, -0.6]
            .into_iter()
            .enumerate()
        {
            observe(
                &mut host,
                &c,
                T0 + k as i64 * 1000,
                &format!("m{k}"),
                "u",
                "nul",
                score,
            );
        }
        let top = decode_top(&host.kv[&top_key(T0)]).unwrap();
        let ids: Vec<&str> = top.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["m4", "m1", "m3"]);
        // A positive message an hour later: the old bucket and its top go.
        observe(&mut host, &c, T0 + 3_600_000, "late", "u", "super", 0.8);
        assert!(!host.kv.contains_key(&top_key(T0)));
        assert_eq!(host.kv.len(), 1);
    }

    #[test]
    fn alert_text_has_the_figures_and_the_quotes() {
        let f = Figures {
            total: 12,
            negative: 9,
            base_volume: 4.0,
            base_share: 0.1,
            top: vec![Neg {
                id: "m1".into(),
                author: "Zoé".into(),
                score: -0.91,
                text: quote("C'est   NUL\nvraiment"),
            }],
        };
        let t = alert_text(&cfg(), &f);
        assert!(
            t.contains("9 of 12 messages negative (75%, usually 10%) in the last 15 min"),
            "{t}"
        );
        assert!(t.contains("usually 4.0, x3.0"), "{t}");
        assert!(
            t.contains("1. [-0.91] m1 (Zoé): « C'est NUL vraiment »."),
            "{t}"
        );
    }

    #[test]
    fn state_is_binary_and_reads_the_json_of_earlier_versions() {
        let state = State {
            buckets: vec![(T0, 4, 2, -0.5), (T0 + 90_000, 1, 0, 0.0)],
            epoch: T0 / 900_000,
            epoch_total: 5,
            epoch_negative: 2,
            base_volume: 12.5,
            base_share: 0.25,
            base_windows: 3,
            cooldown_until: T0 - 1,
        };
        let mut buf = [0u8; 200];
        let bytes = state.encode(&mut buf);
        assert_eq!(bytes.len(), state.encoded_len());
        assert_eq!(State::decode(bytes), state);
        assert_eq!(State::decode(&bytes[..bytes.len() - 1]), State::default());
        let json = r#"{"buckets":[[1763805600000,4,2,-0.5],[1763805690000,1,0,0.0]],
            "epoch":1959784,"epoch_total":5,"epoch_negative":2,"base_volume":12.5,
            "base_share":0.25,"base_windows":3,"cooldown_until":1763805599999}"#;
        assert_eq!(State::decode(json.as_bytes()), state);
        assert_eq!(State::decode(b"garbage"), State::default());
    }

    /// serde_json reads 13.309391238837893 back as 13.309391238837891: the
    /// binary state keeps the rounding the JSON state had.
    #[test]
    fn the_baseline_keeps_the_rounding_of_the_json_state() {
        let x = 13.309_391_238_837_893_f64;
        let y: f64 = serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap();
        assert_ne!(x.to_bits(), y.to_bits());
        assert_eq!(json_roundtrip(x), Some(y));
        assert_eq!(json_roundtrip(x), Some(y));
        let state = State {
            base_volume: x,
            ..State::default()
        };
        let mut buf = [0u8; 100];
        assert_eq!(State::decode(state.encode(&mut buf)).base_volume, y);
        // Scores (4 decimals) come back unchanged.
        for k in -10_000..=10_000 {
            let s = f64::from(k) / 10_000.0;
            assert_eq!(json_roundtrip(s), Some(s));
        }
    }

    /// A message older than the window (events out of order) counts in the
    /// baseline and touches no top.
    #[test]
    fn a_message_older_than_the_window_touches_no_top() {
        let mut host = TestHost::new();
        let c = cfg();
        observe(&mut host, &c, T0 + 3_600_000, "new", "u", "nul", -0.8);
        observe(&mut host, &c, T0, "old", "u", "nul", -0.9);
        let keys: Vec<&String> = host.kv.keys().collect();
        assert_eq!(keys, [&STATE_KEY.to_string(), &top_key(T0 + 3_600_000)]);
        let s = State::decode(&host.kv[STATE_KEY]);
        assert_eq!(
            (s.epoch_total, s.epoch_negative, s.buckets.len()),
            (2, 2, 1)
        );
    }

    #[test]
    fn tops_are_binary_and_the_json_of_earlier_versions_is_read() {
        let top = vec![
            Neg {
                id: "m1".into(),
                author: "Zoé".into(),
                score: -0.9123,
                text: "C'est nul 😡".into(),
            },
            Neg {
                id: "m2".into(),
                author: String::new(),
                score: -0.5,
                text: "bof".into(),
            },
        ];
        let bytes = encode_top(&top);
        assert_eq!(decode_top(&bytes), Some(top.clone()));
        assert_eq!(decode_top(&bytes[..bytes.len() - 1]), None);
        let json = serde_json::to_vec(&top).unwrap();
        assert_eq!(decode_top(&json), Some(top));
        assert_eq!(decode_top(&encode_top(&[])), Some(vec![]));
    }

    /// The same as the first version (collect the words, join, cut).
    #[test]
    fn quotes_one_line_cut_after_140_characters() {
        let reference = |text: &str| {
            let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            match one_line.char_indices().nth(QUOTE_CHARS) {
                Some((cut, _)) => format!("{}…", &one_line[..cut]),
                None => one_line,
            }
        };
        assert_eq!(quote("  a\n b\t c  "), "a b c");
        for n in 130..150 {
            for text in [
                "é".repeat(n),
                format!("{} x", "é".repeat(n)),
                format!("{}  xy\nz", "é".repeat(n)),
                "ab ".repeat(n / 2),
                format!(" {}\u{a0}{} ", "a".repeat(n / 2), "😡".repeat(n / 2)),
            ] {
                assert_eq!(quote(&text), reference(&text), "{text:?}");
            }
        }
        assert_eq!(quote(""), "");
    }
}
