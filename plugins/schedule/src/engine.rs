//! The calendar's clock and commands. Every function reads what it needs
//! from the key-value store and writes back before returning, so any
//! instance can take the next call.
//!
//! **Exactly once.** Each post keeps in `st/<id>` the last occurrence it
//! handled (`last`). A tick at `now` looks at the occurrences in
//! `(last, now]` of each post, in order:
//!
//! - while paused, each is skipped (reported);
//! - the latest one, if `now − occurrence ≤ grace`, is posted (or skipped
//!   or held by its quiet-channel condition);
//! - every other is skipped as missed (more than `grace` late, or
//!   superseded by a later one of the same post in the same tick), and all
//!   the skips of a tick are reported in **one** alert.
//!
//! and `last` moves to the occurrence handled, in the same call as the
//! action (the host commits both together). A repeated or earlier `now`
//! finds `(last, now]` empty: nothing happens. A post seen for the first
//! time (or whose schedule changed) is *armed* with `last = now`: its past
//! occurrences are neither posted nor reported, except a one-off within
//! `grace` of `now`, which goes out.

use crate::command::{self, AddRequest, ChannelRef, Parsed, Sub};
use crate::config::{
    check_channel, check_text, Config, Post, Quiet, Source, MAX_POSTS, MAX_TEXT_CHARS,
};
use crate::messages::{self, ListItem, Report, SkipGroup};
use crate::rule::{Rule, HOUR_MS};
use crate::store::{self, Held, HeldEntry, Paused, State, StoredPost};
use vigie_sdk::{act, Action, Event, EventKind, Host, Level, Severity};
use vigie_text::Lang;

/// Most posts one call sends; the others wait for the next tick (and are
/// missed if that is beyond the grace).
pub const MAX_POSTS_PER_CALL: usize = 10;
/// Most bytes of post text and reasons one call sends (the host allows 64
/// KiB of output per call).
pub const MAX_BYTES_PER_CALL: usize = 40_000;
/// Most occurrences of one post counted in one tick; beyond, the count says
/// "+" and the post jumps to `now − grace`.
pub const MAX_SCAN: usize = 1000;
/// Most lines in `list`.
pub const MAX_LIST_ITEMS: usize = 25;
/// Most held posts released by one member message.
pub const MAX_RELEASE: usize = 5;

/// Every post: the config's, then the chat's (by key order).
pub fn all_posts(cfg: &Config, host: &mut impl Host) -> Vec<Post> {
    let mut posts = cfg.posts.clone();
    for sp in store::chat_posts(host) {
        match chat_to_post(cfg, &sp) {
            Some(p) => posts.push(p),
            None => host.log(
                Level::Warn,
                &format!("schedule: chat post {} is unreadable, ignored", sp.id),
            ),
        }
    }
    posts
}

/// A chat post as a [`Post`], in the community's zone.
pub fn chat_to_post(cfg: &Config, sp: &StoredPost) -> Option<Post> {
    let rule = Rule::parse(&sp.start, &sp.rrule).ok()?;
    Some(Post {
        id: sp.id.clone(),
        channel: sp.channel.clone(),
        texts: sp.texts.clone(),
        rule,
        zone: cfg.zone.clone(),
        quiet: None,
        enabled: true,
        source: Source::Chat {
            by: sp.by.clone(),
            at_ms: sp.at,
        },
    })
}

/// The state of a post first seen (or whose schedule changed) at `now`:
/// nothing before `now` counts, except a one-off within the grace.
pub fn arm(post: &Post, now: i64, grace_ms: i64) -> State {
    let mut last = now;
    if post.rule.freq.is_none() {
        if let Some(at) = post.zone.to_ms(post.rule.start) {
            if at <= now && now.saturating_sub(at) <= grace_ms {
                last = at - 1;
            }
        }
    }
    State {
        fp: post.fingerprint(),
        armed: now,
        last,
        next: post.rule.next_after(&post.zone, last),
        posted: 0,
        skipped: 0,
        off: false,
        held: None,
    }
}

/// The reason of a post action: `scheduled post s1 (2026-03-30 09:00
/// Europe/Paris)`.
pub fn post_reason(post: &Post, at: i64) -> String {
    format!(
        "scheduled post {} ({} {})",
        post.id,
        post.zone.format(at),
        post.zone.name()
    )
}

/// What one call may still send.
struct Budget {
    posts: usize,
    bytes: usize,
}

impl Budget {
    fn new() -> Self {
        Budget {
            posts: MAX_POSTS_PER_CALL,
            bytes: MAX_BYTES_PER_CALL,
        }
    }

    fn take(&mut self, bytes: usize) -> bool {
        if self.posts == 0 || bytes > self.bytes {
            return false;
        }
        self.posts -= 1;
        self.bytes -= bytes;
        true
    }
}

/// Adds one skipped occurrence to the group of `post` in `groups`.
fn add_skip(groups: &mut Vec<SkipGroup>, post: &Post, at: i64, more: bool) {
    let local = post.zone.format(at);
    let (hours, channel) = match post.quiet {
        Some(q) => ((q.threshold_ms() / HOUR_MS) as u32, post.channel.clone()),
        None => (0, post.channel.clone()),
    };
    match groups.iter_mut().find(|g| g.id == post.id) {
        Some(g) => {
            g.count += 1;
            g.last = local;
            g.more |= more;
        }
        None => groups.push(SkipGroup {
            id: post.id.clone(),
            count: 1,
            more,
            first: local.clone(),
            last: local,
            channel,
            hours,
        }),
    }
}

/// True when the channel had no member message for `threshold_ms`. A
/// channel never seen is not quiet (it may be one the bot does not read).
fn is_quiet(host: &mut impl Host, channel: &str, now: i64, threshold_ms: i64) -> bool {
    match store::channel_activity(host, channel) {
        Some(t) => now.saturating_sub(t) >= threshold_ms,
        None => false,
    }
}

/// The clock. Fast when nothing is due: one read of the `due` index.
pub fn tick(cfg: &Config, host: &mut impl Host, now: i64) -> Result<Vec<Action>, String> {
    if let Some((fp, at)) = store::due(host) {
        if fp == cfg.fingerprint && at.is_none_or(|t| now < t) {
            return Ok(Vec::new());
        }
    }
    let (mut out, report) = advance(cfg, host, now, false)?;
    if !report.is_empty() {
        out.push(alert_of(cfg, &report));
    }
    Ok(out)
}

fn alert_of(cfg: &Config, report: &Report) -> Action {
    let severity = if report.missed.is_empty() {
        Severity::Info
    } else {
        Severity::Warning
    };
    let n = Report::total(&report.missed)
        + Report::total(&report.paused)
        + Report::total(&report.quiet);
    let mut why = Vec::new();
    if !report.missed.is_empty() {
        why.push("missed");
    }
    if !report.paused.is_empty() {
        why.push("paused");
    }
    if !report.quiet.is_empty() {
        why.push("quiet channel");
    }
    act::alert(
        severity,
        messages::alert(cfg.lang, report, cfg.grace_ms),
        format!("schedule: {n} occurrence(s) skipped ({})", why.join(", ")),
    )
}

/// Handles every post's occurrences in `(last, now]`; with `all_paused`,
/// as if paused (the `resume` command: what fell in the pause is skipped).
/// Returns the posts and what was skipped.
pub fn advance(
    cfg: &Config,
    host: &mut impl Host,
    now: i64,
    all_paused: bool,
) -> Result<(Vec<Action>, Report), String> {
    let mut pause = store::paused(host);
    let paused = all_paused || pause.is_some();
    let posts = all_posts(cfg, host);
    let grace = cfg.grace_ms;
    let mut held_list = store::held(host);
    let held_before = held_list.clone();
    let mut report = Report::default();
    let mut states: Vec<(State, bool)> = Vec::with_capacity(posts.len());
    let mut fire: Vec<(i64, usize)> = Vec::new();
    let mut armed: Vec<&str> = Vec::new();

    for (i, post) in posts.iter().enumerate() {
        let fp = post.fingerprint();
        let (mut st, mut changed) = match store::state(host, &post.id) {
            Some(st) if st.fp == fp => (st, false),
            _ => {
                held_list.retain(|h| h.id != post.id);
                armed.push(&post.id);
                (arm(post, now, grace), true)
            }
        };
        if !post.enabled || st.off {
            if st.held.take().is_some() {
                held_list.retain(|h| h.id != post.id);
                changed = true;
            }
            states.push((st, changed));
            continue;
        }
        if let Some(h) = st.held {
            if now >= h.until {
                add_skip(&mut report.quiet, post, h.at, false);
                st.held = None;
                st.skipped += 1;
                held_list.retain(|e| e.id != post.id);
                changed = true;
            }
        }
        if now > st.last {
            loop {
                let due = post.rule.scan(&post.zone, st.last, now, MAX_SCAN + 1);
                let truncated = due.len() > MAX_SCAN;
                let due = &due[..due.len().min(MAX_SCAN)];
                let Some(&latest) = due.last() else {
                    break;
                };
                changed = true;
                let fires = !paused && !truncated && now.saturating_sub(latest) <= grace;
                for &o in due {
                    if fires && o == latest {
                        fire.push((o, i));
                        break;
                    }
                    if paused {
                        add_skip(&mut report.paused, post, o, truncated);
                    } else {
                        add_skip(&mut report.missed, post, o, truncated);
                    }
                    st.last = o;
                    st.skipped += 1;
                }
                if !truncated {
                    break;
                }
                // Counting stops here: jump to the start of the grace.
                st.last = st.last.max(now.saturating_sub(grace));
            }
        }
        states.push((st, changed));
    }

    // Post, in time order, within the budget of a call.
    fire.sort_by(|a, b| (a.0, &posts[a.1].id).cmp(&(b.0, &posts[b.1].id)));
    let mut out = Vec::new();
    let mut budget = Budget::new();
    let mut deferred = 0;
    for (o, i) in fire {
        let post = &posts[i];
        let st = &mut states[i].0;
        let quiet = match post.quiet {
            Some(q) => is_quiet(host, &post.channel, now, q.threshold_ms()),
            None => false,
        };
        match post.quiet {
            Some(Quiet::Skip { .. }) if quiet => {
                add_skip(&mut report.quiet, post, o, false);
                st.skipped += 1;
            }
            Some(Quiet::Delay { max_hours, .. }) if quiet => {
                if let Some(prev) = st.held.take() {
                    // A newer occurrence replaces the one still held.
                    add_skip(&mut report.quiet, post, prev.at, false);
                    st.skipped += 1;
                }
                let held = Held {
                    at: o,
                    until: o.saturating_add(i64::from(max_hours) * HOUR_MS),
                };
                st.held = Some(held);
                held_list.retain(|e| e.id != post.id);
                held_list.push(HeldEntry {
                    id: post.id.clone(),
                    channel: post.channel.clone(),
                    at: held.at,
                    until: held.until,
                });
            }
            _ => {
                let body = post.texts.body(&cfg.separator);
                let reason = post_reason(post, o);
                if !budget.take(body.len() + reason.len()) {
                    deferred += 1;
                    continue;
                }
                if let Some(prev) = st.held.take() {
                    add_skip(&mut report.quiet, post, prev.at, false);
                    st.skipped += 1;
                    held_list.retain(|e| e.id != post.id);
                }
                out.push(act::post(&post.channel, body, reason));
                st.posted += 1;
            }
        }
        st.last = o;
    }
    if deferred > 0 {
        host.log(
            Level::Info,
            &format!(
                "schedule: {deferred} post(s) wait for the next tick (at most {MAX_POSTS_PER_CALL} per call)"
            ),
        );
    }
    if !armed.is_empty() {
        let shown: Vec<&str> = armed.iter().take(10).copied().collect();
        host.log(
            Level::Info,
            &format!(
                "schedule: armed {} post(s) at {}: {}{}",
                armed.len(),
                cfg.zone.format(now),
                shown.join(", "),
                if armed.len() > 10 { ", …" } else { "" }
            ),
        );
    }

    // Write back, and find when the next tick has something to do.
    let mut earliest: Option<i64> = None;
    let mut ended: Vec<String> = Vec::new();
    for (post, (st, changed)) in posts.iter().zip(states.iter_mut()) {
        if *changed {
            st.next = post.rule.next_after(&post.zone, st.last);
        }
        let chat = matches!(post.source, Source::Chat { .. });
        if chat && st.next.is_none() && st.held.is_none() {
            store::delete_chat_post(host, &post.id);
            ended.push(post.id.clone());
            continue;
        }
        if *changed {
            store::set_state(host, &post.id, st)?;
        }
        if post.enabled && !st.off {
            for t in [st.next, st.held.map(|h| h.until)].into_iter().flatten() {
                earliest = Some(earliest.map_or(t, |e: i64| e.min(t)));
            }
        }
    }
    if !ended.is_empty() {
        host.log(
            Level::Info,
            &format!(
                "schedule: chat post(s) done and removed: {}",
                ended.join(", ")
            ),
        );
    }
    // States of posts that are gone (removed from the config).
    let ids: std::collections::BTreeSet<&str> = posts.iter().map(|p| p.id.as_str()).collect();
    for key in store::state_keys(host) {
        let id = key.trim_start_matches("st/");
        if !ids.contains(id) {
            host.kv_delete(&key);
        }
    }
    held_list.retain(|e| ids.contains(e.id.as_str()) && !ended.contains(&e.id));
    if held_list != held_before {
        store::set_held(host, &held_list)?;
    }
    if let Some(p) = pause.as_mut() {
        let n = Report::total(&report.paused);
        if n > 0 && !all_paused {
            p.skipped += n;
            store::set_paused(host, p)?;
        }
    }
    store::set_due(host, &cfg.fingerprint, earliest)?;
    Ok((out, report))
}

/// One event: a command, or a member's message (channel activity, and the
/// release of posts held for that channel).
pub fn handle(cfg: &Config, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
    if event.kind != EventKind::Message {
        return Ok(Vec::new());
    }
    let now = host.now_ms();
    if let Some(parsed) = command::parse(&event.text, &cfg.command_prefixes) {
        return on_command(cfg, host, event, parsed, now);
    }
    if event.author.is_staff {
        return Ok(Vec::new());
    }
    store::note_activity(host, &event.channel, now)?;
    release_held(cfg, host, &event.channel, now)
}

/// Posts the occurrences held for `channel`, now that a member wrote there.
fn release_held(
    cfg: &Config,
    host: &mut impl Host,
    channel: &str,
    now: i64,
) -> Result<Vec<Action>, String> {
    let mut list = store::held(host);
    if !list
        .iter()
        .any(|e| e.channel == channel && e.at <= now && now < e.until)
    {
        return Ok(Vec::new());
    }
    if store::paused(host).is_some() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut budget = Budget::new();
    let mut released: Vec<String> = Vec::new();
    for e in list
        .iter()
        .filter(|e| e.channel == channel && e.at <= now && now < e.until)
    {
        if released.len() >= MAX_RELEASE {
            break;
        }
        let post = match cfg.post(&e.id) {
            Some(p) if p.id == e.id => Some(p.clone()),
            _ => store::chat_post(host, &e.id).and_then(|sp| chat_to_post(cfg, &sp)),
        };
        let Some(post) = post else {
            released.push(e.id.clone());
            continue;
        };
        let Some(mut st) = store::state(host, &post.id) else {
            released.push(e.id.clone());
            continue;
        };
        if st.held.map(|h| h.at) != Some(e.at) || st.off || !post.enabled {
            released.push(e.id.clone());
            continue;
        }
        let body = post.texts.body(&cfg.separator);
        let reason = format!(
            "{}, held until a member wrote in the channel",
            post_reason(&post, e.at)
        );
        if !budget.take(body.len() + reason.len()) {
            break;
        }
        out.push(act::post(&post.channel, body, reason));
        st.held = None;
        st.posted += 1;
        store::set_state(host, &post.id, &st)?;
        released.push(e.id.clone());
    }
    list.retain(|e| !released.contains(&e.id));
    store::set_held(host, &list)?;
    Ok(out)
}

fn on_command(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    parsed: Parsed,
    now: i64,
) -> Result<Vec<Action>, String> {
    let lang = parsed
        .lang
        .unwrap_or_else(|| vigie_text::guess_lang(&event.text, cfg.lang));
    let reply = |text: String| Ok(vec![act::reply(event, text, "schedule: command")]);
    match &parsed.sub {
        Sub::Help => return reply(messages::help(lang)),
        _ if !event.author.is_staff => {
            return Ok(vec![act::reply(
                event,
                messages::not_staff(lang),
                "schedule: staff command refused (not staff)",
            )])
        }
        _ => {}
    }
    match parsed.sub {
        Sub::Help => reply(messages::help(lang)),
        Sub::Unknown(word) => reply(messages::unknown_sub(lang, &word)),
        Sub::Add => add(cfg, host, event, &parsed.rest, parsed.lang, now),
        Sub::List => reply(list(cfg, host, lang, now)),
        Sub::Cancel => reply(cancel(cfg, host, &parsed.rest, lang, now)?),
        Sub::Pause => {
            if let Some(p) = store::paused(host) {
                return reply(messages::already_paused(lang, &cfg.zone.format(p.since)));
            }
            store::set_paused(
                host,
                &Paused {
                    since: now,
                    by: who(event),
                    skipped: 0,
                },
            )?;
            store::clear_due(host);
            host.log(Level::Info, &format!("schedule: paused by {}", who(event)));
            reply(messages::paused(lang))
        }
        Sub::Resume => {
            let Some(p) = store::paused(host) else {
                return reply(messages::not_paused(lang));
            };
            // What fell in the pause and no tick saw yet is skipped now.
            let (_, report) = advance(cfg, host, now, true)?;
            store::clear_paused(host);
            store::clear_due(host);
            host.log(Level::Info, &format!("schedule: resumed by {}", who(event)));
            let this = Report::total(&report.paused);
            let detail = if p.skipped == 0 {
                messages::skipped_list(lang, &report.paused)
            } else {
                String::new()
            };
            let mut out = vec![act::reply(
                event,
                messages::resumed(lang, p.skipped + this, &detail),
                "schedule: command",
            )];
            if !report.quiet.is_empty() {
                let quiet_only = Report {
                    quiet: report.quiet.clone(),
                    ..Report::default()
                };
                out.push(alert_of(cfg, &quiet_only));
            }
            Ok(out)
        }
    }
}

/// `Name (id)`.
fn who(event: &Event) -> String {
    if event.author.name.is_empty() || event.author.name == event.author.id {
        event.author.id.clone()
    } else {
        format!("{} ({})", event.author.name, event.author.id)
    }
}

/// The channel an `add` names: `here`, the channel as written when it is
/// the command's or a known one, else without its `#` (unless the
/// platform's channels start with `#`, as on IRC).
fn resolve_channel(cfg: &Config, host: &mut impl Host, event: &Event, r: ChannelRef) -> String {
    let name = match r {
        ChannelRef::Here => return event.channel.clone(),
        ChannelRef::Named(n) => n,
    };
    let mut known = |c: &str| {
        c == event.channel
            || cfg.posts.iter().any(|p| p.channel == c)
            || store::channel_known(host, c)
    };
    if known(&name) {
        return name;
    }
    match name.strip_prefix('#') {
        Some(stripped) if known(stripped) => stripped.to_string(),
        Some(stripped) if !event.channel.starts_with('#') => stripped.to_string(),
        _ => name,
    }
}

fn add(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    rest: &str,
    word_lang: Option<Lang>,
    now: i64,
) -> Result<Vec<Action>, String> {
    let zone = &cfg.zone;
    let guess = || vigie_text::guess_lang(&event.text, cfg.lang);
    let reply = |text: String| Ok(vec![act::reply(event, text, "schedule: command")]);
    let Some(now_local) = zone.local(now) else {
        return Err(format!("schedule: the time {now} ms is out of range"));
    };
    let req: AddRequest = match command::parse_add(rest, now_local) {
        Ok(r) => r,
        Err(e) => return reply(messages::add_error(word_lang.unwrap_or_else(guess), &e)),
    };
    let lang = word_lang.unwrap_or(if req.french_words { Lang::Fr } else { guess() });
    if let Err(e) = check_text(&req.text) {
        let n = req.text.chars().count();
        let detail = match lang {
            Lang::Fr if n > MAX_TEXT_CHARS => {
                format!("le texte a {n} caractères, plus que {MAX_TEXT_CHARS}")
            }
            Lang::Fr => "le texte est vide".to_string(),
            Lang::En => e,
        };
        return reply(messages::add_refused(lang, &detail));
    }
    let channel = resolve_channel(cfg, host, event, req.channel.clone());
    if let Err(e) = check_channel(&channel) {
        return reply(messages::add_refused(lang, &e));
    }
    let chat_count = host.kv_list("post/", store::MAX_LIST).len();
    if cfg.posts.len() + chat_count >= MAX_POSTS {
        return reply(messages::add_full(lang, MAX_POSTS));
    }
    let rule = req.rule;
    let Some(start_ms) = zone.to_ms(rule.start) else {
        return reply(messages::add_never(lang));
    };
    if rule.freq.is_none() && start_ms < now.saturating_sub(cfg.grace_ms) {
        return reply(messages::add_past(lang, &rule.start.text()));
    }
    if rule.freq.is_some() && rule.next_after(zone, now.saturating_sub(1)).is_none() {
        return reply(messages::add_never(lang));
    }
    let id = format!("s{}", store::next_seq(host)?);
    let stored = StoredPost {
        id: id.clone(),
        channel: channel.clone(),
        texts: crate::config::Texts {
            any: Some(req.text.clone()),
            fr: None,
            en: None,
        },
        start: rule.start.text(),
        rrule: rule.rrule(),
        by: who(event),
        at: now,
    };
    store::set_chat_post(host, &stored)?;
    let Some(post) = chat_to_post(cfg, &stored) else {
        return Err(format!("schedule: chat post {id} does not read back"));
    };
    let st = arm(&post, now, cfg.grace_ms);
    store::set_state(host, &id, &st)?;
    store::clear_due(host);
    host.log(
        Level::Info,
        &format!("schedule: {id} added by {} ({})", who(event), rule.rrule()),
    );
    let next = st.next.and_then(|t| zone.local(t));
    let paused = store::paused(host).is_some();
    reply(messages::added(
        lang, &id, &post.rule, zone, &channel, next, paused,
    ))
}

fn list(cfg: &Config, host: &mut impl Host, lang: Lang, now: i64) -> String {
    let posts = all_posts(cfg, host);
    let mut items: Vec<(Option<i64>, ListItem)> = Vec::new();
    for post in &posts {
        let st = store::state(host, &post.id).filter(|s| s.fp == post.fingerprint());
        let next = match &st {
            Some(s) => s.next,
            None => post.rule.next_after(&post.zone, now),
        };
        let status = if !post.enabled {
            Some("disabled")
        } else if st.as_ref().is_some_and(|s| s.off) {
            Some("cancelled")
        } else if st.as_ref().is_some_and(|s| s.held.is_some()) {
            Some("held")
        } else if next.is_none() {
            Some("ended")
        } else {
            None
        };
        let active = status.is_none() || status == Some("held");
        items.push((
            if active { next } else { None },
            ListItem {
                id: post.id.clone(),
                next: if active {
                    next.and_then(|t| post.zone.local(t))
                } else {
                    None
                },
                rule: messages::describe_rule(lang, &post.rule),
                channel: post.channel.clone(),
                preview: post.texts.preview(40),
                status: status.map(|s| messages::status_word(lang, s)),
                chat: matches!(post.source, Source::Chat { .. }),
            },
        ));
    }
    items.sort_by(|a, b| (a.0.is_none(), a.0, &a.1.id).cmp(&(b.0.is_none(), b.0, &b.1.id)));
    let more = items.len().saturating_sub(MAX_LIST_ITEMS);
    let shown: Vec<ListItem> = items
        .into_iter()
        .take(MAX_LIST_ITEMS)
        .map(|(_, i)| i)
        .collect();
    let paused = store::paused(host).map(|p| cfg.zone.format(p.since));
    messages::list(lang, &shown, &cfg.zone, paused.as_deref(), more)
}

fn cancel(
    cfg: &Config,
    host: &mut impl Host,
    rest: &str,
    lang: Lang,
    now: i64,
) -> Result<String, String> {
    let Some(id) = command::parse_id(rest) else {
        return Ok(messages::cancel_which(lang));
    };
    let chat_id = id.to_ascii_lowercase();
    if crate::config::is_chat_id(&chat_id) && store::chat_post(host, &chat_id).is_some() {
        store::delete_chat_post(host, &chat_id);
        let mut held = store::held(host);
        held.retain(|e| e.id != chat_id);
        store::set_held(host, &held)?;
        store::clear_due(host);
        host.log(Level::Info, &format!("schedule: {chat_id} cancelled"));
        return Ok(messages::cancelled(lang, &chat_id, false));
    }
    let Some(post) = cfg.post(&id) else {
        return Ok(messages::cancel_unknown(lang, &id));
    };
    let mut st = match store::state(host, &post.id) {
        Some(s) if s.fp == post.fingerprint() => s,
        _ => arm(post, now, cfg.grace_ms),
    };
    if st.off {
        return Ok(messages::already_cancelled(lang, &post.id));
    }
    st.off = true;
    st.held = None;
    store::set_state(host, &post.id, &st)?;
    let mut held = store::held(host);
    held.retain(|e| e.id != post.id);
    store::set_held(host, &held)?;
    store::clear_due(host);
    host.log(
        Level::Info,
        &format!("schedule: config post {} cancelled", post.id),
    );
    Ok(messages::cancelled(lang, &post.id, true))
}
