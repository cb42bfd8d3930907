//! The contest state machine: open → ended (drawn) or cancelled. Every
//! function reads what it needs from the key-value store and writes back
//! before returning, so any instance can handle the next event.

use crate::command::{self, Command, Parsed};
use crate::config::{norm_role, Config, MAX_DURATION_MS, MIN_DURATION_MS};
use crate::messages::{guess_lang, EntriesUnavailable, OutOfRange, Refusal, Texts};
use crate::store::{self, Contest, Reroll, Rules, Status};
use giveaway_draw::{parse_seed, Pool, SEED_LEN};
use std::collections::BTreeMap;
use vigie_sdk::{act, Action, Author, Event, EventKind, Host, Level};
use vigie_text::Lang;

/// Lower-case hex, two digits a byte.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|&b| {
            [
                DIGITS[(b >> 4) as usize] as char,
                DIGITS[(b & 15) as usize] as char,
            ]
        })
        .collect()
}

/// Most private messages sent to winners in one go.
const MAX_WINNER_DMS: usize = 40;
/// The entry list is posted only when it is at most this long; sent
/// privately, in messages of at most this long.
const MAX_LIST_BYTES: usize = 30_000;
/// Most private messages one `!giveaway entries` sends (600 kB of list,
/// some 30 000 entries).
pub const MAX_LIST_PARTS: usize = 20;
/// A user has a contest's list sent at most once in this time.
pub const ENTRIES_COOLDOWN_MS: i64 = 10 * 60_000;

/// One event: first close the contests whose deadline has passed (so that
/// nobody enters late, even when no tick came yet), then the command, the
/// keyword entry or the reaction entry.
///
/// Most events are none of these: they cost one read of the small `open`
/// index (is a deadline past?) and a look at the first characters of the
/// text. Contests are loaded only for a command, an entry, or a reaction
/// to a message that takes entries.
pub fn handle(cfg: &Config, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
    let now = host.now_ms();
    let index = store::read_index(host);
    // The index, when there is one and no deadline has passed: the open
    // contests are then as it says until a command changes them.
    let (mut out, index) = match index {
        Some(raw) => match store::Index::first_deadline(&raw) {
            Ok(first) if first.is_none_or(|d| now < d) => (Vec::new(), Some(raw)),
            _ => (end_due(cfg, host, now)?, None),
        },
        None => (end_due(cfg, host, now)?, None),
    };
    match event.kind {
        EventKind::Message => {
            let parsed = if command::may_be_command(&event.text, &cfg.command_prefixes) {
                command::parse(&event.text, &cfg.command_prefixes)
            } else {
                None
            };
            if let Some(parsed) = parsed {
                out.extend(on_command(cfg, host, event, parsed, now)?);
            } else if command::is_entry(&event.text, &cfg.keywords) {
                let open = index.as_deref().and_then(store::index_lines);
                out.extend(on_keyword(cfg, host, event, open.as_deref())?);
            }
        }
        EventKind::Reaction => {
            let open = match (&event.reaction, &event.target_message, &index) {
                (Some(_), Some(_), Some(raw)) => store::index_lines(raw),
                _ => None,
            };
            out.extend(on_reaction(cfg, host, event, open.as_deref())?)
        }
        _ => {}
    }
    Ok(out)
}

/// The clock: close contests at their deadline, start scheduled contests,
/// and tidy up the per-user keys of ended contests. A store written before
/// the `open` index existed gets one.
pub fn tick(cfg: &Config, host: &mut impl Host, now: i64) -> Result<Vec<Action>, String> {
    let mut out = match store::read_index(host) {
        Some(raw) => match store::Index::first_deadline(&raw) {
            Ok(first) if first.is_none_or(|d| now < d) => Vec::new(),
            _ => end_due(cfg, host, now)?,
        },
        None => {
            let out = end_due(cfg, host, now)?;
            store::write_index(host)?;
            out
        }
    };
    out.extend(start_scheduled(cfg, host, now)?);
    store::cleanup(host);
    store::sweep_list_sent(host, now, ENTRIES_COOLDOWN_MS, store::CLEANUP_PER_TICK);
    Ok(out)
}

fn end_due(cfg: &Config, host: &mut impl Host, now: i64) -> Result<Vec<Action>, String> {
    let mut out = Vec::new();
    for c in store::open_contests_shared(host) {
        if now >= c.deadline_ms {
            let at = c.deadline_ms;
            out.extend(finish(cfg, host, (*c).clone(), at, None)?);
        }
    }
    Ok(out)
}

fn reason(c: &Contest, what: &str) -> String {
    reason_of(c, &[what])
}

/// `giveaway #<id>: ` and the pieces (without the formatting machinery:
/// entries build one each).
fn reason_of(c: &Contest, pieces: &[&str]) -> String {
    let mut out = String::with_capacity(24 + pieces.iter().map(|p| p.len()).sum::<usize>());
    out.push_str("giveaway #");
    push_number(&mut out, c.id);
    out.push_str(": ");
    for p in pieces {
        out.push_str(p);
    }
    out
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// `n` in decimal.
fn number(n: u64) -> String {
    let mut out = String::new();
    push_number(&mut out, n);
    out
}

/// The contest taking keyword entries in `channel`: the one started there,
/// else the one announced there.
fn for_channel<'a>(open: &'a [Contest], channel: &str) -> Option<&'a Contest> {
    open.iter()
        .find(|c| c.channel == channel)
        .or_else(|| open.iter().find(|c| c.announce_channel == channel))
}

enum Outcome {
    Accepted(u32),
    Duplicate,
    Refused(Refusal),
}

fn try_enter(host: &mut impl Host, c: &Contest, author: &Author) -> Result<Outcome, String> {
    let user = author.id.as_str();
    if user.len() > 200 || !giveaway_draw::Entry::new(user).is_valid() {
        return Ok(Outcome::Refused(Refusal::BadUserId));
    }
    let r = &c.rules;
    if r.exclude_staff && author.is_staff {
        return Ok(Outcome::Refused(Refusal::Staff));
    }
    // An account age the platform does not tell is not held against anyone,
    // unless the config says so.
    match author.account_age_days {
        Some(age) if age < r.min_account_age_days => {
            return Ok(Outcome::Refused(Refusal::TooYoung {
                min_days: r.min_account_age_days,
            }));
        }
        None if r.min_account_age_days > 0 && r.refuse_unknown_account_age => {
            return Ok(Outcome::Refused(Refusal::UnknownAge {
                min_days: r.min_account_age_days,
            }));
        }
        _ => {}
    }
    // The roles count only for required roles and bonus entries.
    let roles: std::collections::BTreeSet<String> =
        if r.required_roles.is_empty() && r.bonus.is_empty() {
            std::collections::BTreeSet::new()
        } else {
            author.roles.iter().map(|x| norm_role(x)).collect()
        };
    if !r.required_roles.is_empty() && !r.required_roles.iter().any(|x| roles.contains(x)) {
        return Ok(Outcome::Refused(Refusal::MissingRole {
            roles: r.required_roles.clone(),
        }));
    }
    if store::entered(host, c.id, user) {
        return Ok(Outcome::Duplicate);
    }
    let extra: u32 = roles.iter().filter_map(|x| r.bonus.get(x)).sum();
    let weight = 1 + extra;
    let n = store::add_entry(host, c.id, user, weight, &author.name)?;
    // `giveaway #<id>: entry <n> from <user> (weight <w>)`.
    let n = if n >= 0 {
        number(n as u64)
    } else {
        n.to_string()
    };
    host.log(
        Level::Debug,
        &reason_of(
            c,
            &[
                "entry ",
                &n,
                " from ",
                user,
                " (weight ",
                &number(weight.into()),
                ")",
            ],
        ),
    );
    Ok(Outcome::Accepted(weight))
}

/// A keyword entry. `index`: the open contests as the index tells them,
/// when it can be trusted; without it they are all loaded.
fn on_keyword(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    index: Option<&[store::IndexLine]>,
) -> Result<Vec<Action>, String> {
    if let Some(index) = index {
        // The contest `for_channel` would pick, read from the index.
        let channel = &event.channel;
        let pick = index
            .iter()
            .find(|c| c.started_in(channel))
            .or_else(|| index.iter().find(|c| c.announced_in(channel)));
        let Some(pick) = pick else {
            return Ok(Vec::new());
        };
        if let Some(c) = store::load_shared(host, pick.id) {
            return keyword_entry(cfg, host, event, &c);
        }
    }
    let open = store::open_contests(host);
    let Some(c) = for_channel(&open, &event.channel) else {
        return Ok(Vec::new());
    };
    keyword_entry(cfg, host, event, c)
}

fn keyword_entry(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    c: &Contest,
) -> Result<Vec<Action>, String> {
    let t = Texts(c.lang());
    Ok(match try_enter(host, c, &event.author)? {
        Outcome::Accepted(_) if cfg.confirm_emoji.is_empty() => Vec::new(),
        Outcome::Accepted(w) => vec![act::react(
            event,
            &cfg.confirm_emoji,
            reason_of(c, &["entry accepted (weight ", &number(w.into()), ")"]),
        )],
        Outcome::Duplicate => vec![act::reply(
            event,
            t.already_entered(c),
            reason(c, "second entry refused"),
        )],
        Outcome::Refused(why) => vec![act::reply(
            event,
            t.refused(c, &why, false),
            reason(c, &t.refusal_reason(&why, false)),
        )],
    })
}

/// Emoji compare without variation selectors (`❤️` = `❤`).
fn same_emoji(want: &str, got: &str) -> bool {
    let norm = |s: &str| -> String { s.trim().chars().filter(|&c| c != '\u{FE0F}').collect() };
    want == "*" || norm(want) == norm(got)
}

/// A reaction entry. `index`: the open contests as the index tells them,
/// when it can be trusted; without it they are all loaded.
fn on_reaction(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    index: Option<&[store::IndexLine]>,
) -> Result<Vec<Action>, String> {
    let (Some(emoji), Some(target)) = (&event.reaction, &event.target_message) else {
        return Ok(Vec::new());
    };
    // A reaction to the bot's announcement: the host names the command it
    // answered.
    let announced_for = announced_for(event);
    let started = |start: Option<&str>| {
        start.is_some_and(|s| s == target.as_str() || announced_for == Some(s))
    };
    if let Some(index) = index.filter(|_| !cfg.reaction_message_ids.contains(target)) {
        // Only a contest started by this message, or announced by the
        // message reacted to, takes the reaction.
        let Some(pick) = index
            .iter()
            .find(|c| c.started_by(target) || announced_for.is_some_and(|a| c.started_by(a)))
        else {
            return Ok(Vec::new());
        };
        if let Some(c) = store::load_shared(host, pick.id) {
            return reaction_entry(cfg, host, event, &c, emoji);
        }
    }
    let open = store::open_contests(host);
    let contest = open
        .iter()
        .find(|c| started(c.start_message.as_deref()))
        .or_else(|| {
            if !cfg.reaction_message_ids.contains(target) {
                None
            } else if open.len() == 1 {
                open.first()
            } else {
                for_channel(&open, &event.channel)
            }
        });
    let Some(c) = contest else {
        return Ok(Vec::new());
    };
    reaction_entry(cfg, host, event, c, emoji)
}

/// The event the message reacted to was posted for, when it is one of the
/// bot's own messages: the host labels such reactions (`vigie.sent-for`,
/// see the host's `event::SENT_FOR_LABEL`).
fn announced_for(event: &Event) -> Option<&str> {
    event
        .labels
        .iter()
        .find(|l| l.plugin == "vigie" && l.key == "vigie.sent-for")
        .and_then(|l| l.note.as_deref())
}

fn reaction_entry(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    c: &Contest,
    emoji: &str,
) -> Result<Vec<Action>, String> {
    if !same_emoji(&c.rules.reaction_emoji, emoji) {
        return Ok(Vec::new());
    }
    Ok(match try_enter(host, c, &event.author)? {
        Outcome::Accepted(_) | Outcome::Duplicate | Outcome::Refused(Refusal::Staff) => Vec::new(),
        Outcome::Refused(why) if cfg.dm_refusals => {
            let t = Texts(c.lang());
            vec![act::direct_message(
                &event.author.id,
                t.refused(c, &why, true),
                reason(c, &t.refusal_reason(&why, true)),
            )]
        }
        Outcome::Refused(_) => Vec::new(),
    })
}

fn on_command(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    parsed: Parsed,
    now: i64,
) -> Result<Vec<Action>, String> {
    // The language of replies that concern no particular contest: the
    // config's, else that of the channel's contest, else a guess in which
    // only a French command word counts (the English words are the
    // documented defaults for everyone).
    // (Told only when a reply needs it, always before the command changes
    // anything.)
    let french_hint = parsed.lang_hint.filter(|l| *l == Lang::Fr);
    let fallback = |host: &mut _| {
        Texts(match cfg.lang {
            Some(l) => Lang::from(l),
            None => channel_lang(host, &event.channel)
                .unwrap_or_else(|| guess_lang(&event.text, french_hint)),
        })
    };
    let reply = |text: String, why: &str| Ok(vec![act::reply(event, text, why.to_string())]);
    let command = match parsed.command {
        Ok(c) => c,
        Err(e) => {
            return reply(
                fallback(host).command_error(&e),
                "giveaway: command not understood",
            )
        }
    };
    let staff_only = matches!(
        command,
        Command::Start { .. }
            | Command::End { .. }
            | Command::Cancel { .. }
            | Command::Reroll { .. }
    );
    if staff_only && !event.author.is_staff {
        return reply(
            fallback(host).staff_only(),
            "giveaway: staff command from a non-staff user",
        );
    }
    match command {
        Command::Start {
            prize,
            duration_ms,
            winners,
        } => {
            let lang = cfg
                .lang
                .map(Lang::from)
                .unwrap_or_else(|| guess_lang(&event.text, french_hint));
            start_command(cfg, host, event, lang, prize, duration_ms, winners, now)
        }
        Command::End { contest } => match select_open(host, contest, &event.channel) {
            Err(why) => {
                let t = fallback(host);
                reply(why.text(t), "giveaway: end")
            }
            Ok(c) => {
                let announce = c.announce_channel.clone();
                let (id, lang) = (c.id, c.lang());
                let mut out = finish(cfg, host, c, now, Some(event))?;
                if announce != event.channel {
                    out.push(act::reply(
                        event,
                        Texts(lang).announced_in(id, &announce),
                        format!("giveaway #{id}: ended"),
                    ));
                }
                Ok(out)
            }
        },
        Command::Cancel { contest } => match select_open(host, contest, &event.channel) {
            Err(why) => {
                let t = fallback(host);
                reply(why.text(t), "giveaway: cancel")
            }
            Ok(c) => cancel(host, c, now, event),
        },
        Command::Reroll { user, contest } => {
            let c = match contest {
                Some(n) => store::load(host, n),
                None => store::last_in(host, &event.channel).and_then(|n| store::load(host, n)),
            };
            match c {
                None => reply(fallback(host).no_contest(false), "giveaway: reroll"),
                Some(c) => reroll(cfg, host, c, &user, event, now),
            }
        }
        Command::Status { contest } => {
            let c = match contest {
                Some(n) => store::load(host, n),
                None => {
                    let open = store::open_contests(host);
                    match for_channel(&open, &event.channel) {
                        Some(c) => Some(c.clone()),
                        None => match store::last_in(host, &event.channel) {
                            Some(n) => store::load(host, n),
                            None if open.len() == 1 => open.into_iter().next(),
                            None => None,
                        },
                    }
                }
            };
            match c {
                None => reply(fallback(host).no_contest(false), "giveaway: status"),
                Some(c) => {
                    let entries = store::entry_count(host, c.id);
                    let text = Texts(c.lang()).status(&c, entries, now);
                    reply(text, &reason(&c, "status"))
                }
            }
        }
        Command::Entries { contest } => {
            let c = match contest {
                Some(n) => store::load(host, n),
                // The last contest drawn here, else the one open here (to
                // say its list comes with the draw).
                None => match store::last_in(host, &event.channel) {
                    Some(n) => store::load(host, n),
                    None => for_channel(&store::open_contests(host), &event.channel).cloned(),
                },
            };
            match c {
                None => reply(fallback(host).no_contest(false), "giveaway: entries"),
                Some(c) => send_entry_list(host, &c, event, now),
            }
        }
        Command::Help => reply(fallback(host).help(&cfg.keywords), "giveaway: help"),
    }
}

/// `!giveaway entries`: the canonical entry list of a drawn contest, sent
/// privately to whoever asks, in as many messages as it takes, so anyone
/// can run `vigie verify-draw` whatever the contest's size.
fn send_entry_list(
    host: &mut impl Host,
    c: &Contest,
    event: &Event,
    now: i64,
) -> Result<Vec<Action>, String> {
    let t = Texts(c.lang());
    let why = reason(c, "entry list");
    let unavailable = |why_not| {
        Ok(vec![act::reply(
            event,
            t.entries_unavailable(c, why_not),
            why.clone(),
        )])
    };
    match c.status {
        Status::Open => return unavailable(EntriesUnavailable::StillOpen),
        Status::Cancelled => return unavailable(EntriesUnavailable::NoDraw),
        Status::Ended => {}
    }
    let canonical = store::read_canonical(host, c.id);
    if canonical.is_empty() {
        return unavailable(EntriesUnavailable::NoDraw);
    }
    let parts = store::line_chunks(&canonical, MAX_LIST_BYTES);
    if parts.len() > MAX_LIST_PARTS {
        return unavailable(EntriesUnavailable::TooLong);
    }
    let user = &event.author.id;
    if store::list_sent_at(host, c.id, user).is_some_and(|at| now - at < ENTRIES_COOLDOWN_MS) {
        return unavailable(EntriesUnavailable::AskedRecently);
    }
    if let Err(e) = store::set_list_sent(host, c.id, user, now) {
        // Sent all the same: the mark only spares the platform's limits.
        host.log(Level::Warn, &format!("giveaway #{}: {e}", c.id));
    }
    let n = parts.len();
    let mut out: Vec<Action> = parts
        .iter()
        .enumerate()
        .map(|(k, part)| {
            act::direct_message(user, t.entry_list_part(c, k + 1, n, part), why.clone())
        })
        .collect();
    out.push(act::reply(event, t.entries_sent(c, n), why));
    Ok(out)
}

/// The language of the contest open in `channel`, else of the last one
/// ended there.
fn channel_lang(host: &mut impl Host, channel: &str) -> Option<Lang> {
    let open = store::open_contests(host);
    if let Some(c) = for_channel(&open, channel) {
        return Some(c.lang());
    }
    let id = store::last_in(host, channel)?;
    store::load(host, id).map(|c| c.lang())
}

/// The open contest a command is about: `#n`, else the one of this channel,
/// else the only open one.
fn select_open(host: &mut impl Host, arg: Option<u64>, channel: &str) -> Result<Contest, NoneOpen> {
    if let Some(n) = arg {
        return match store::load(host, n) {
            Some(c) if c.status == Status::Open => Ok(c),
            Some(c) => Err(NoneOpen::NotOpen(Box::new(c))),
            None => Err(NoneOpen::NoContest),
        };
    }
    // The open contests, shared: only the one picked is copied.
    let open = store::open_contests_shared(host);
    let pick = open
        .iter()
        .find(|c| c.channel == channel)
        .or_else(|| open.iter().find(|c| c.announce_channel == channel));
    if let Some(c) = pick {
        return Ok((**c).clone());
    }
    match open.len() {
        0 => Err(NoneOpen::NoContest),
        1 => Ok((*open[0]).clone()),
        _ => Err(NoneOpen::Which(
            open.iter().map(|c| (**c).clone()).collect(),
        )),
    }
}

/// Why a command finds no open contest to act on.
enum NoneOpen {
    /// Contest `#n` is not open.
    NotOpen(Box<Contest>),
    /// No open contest (or no contest `#n`).
    NoContest,
    /// Several are open: which one?
    Which(Vec<Contest>),
}

impl NoneOpen {
    /// The reply, in the contest's language or `t`'s.
    fn text(&self, t: Texts) -> String {
        match self {
            NoneOpen::NotOpen(c) => Texts(c.lang()).not_open(c),
            NoneOpen::NoContest => t.no_contest(true),
            NoneOpen::Which(open) => t.which_contest(open),
        }
    }
}

struct NewContest {
    prize: String,
    winners: u32,
    channel: String,
    announce_channel: String,
    deadline_ms: i64,
    start_message: Option<String>,
    started_by: String,
    lang: Lang,
}

fn create(
    cfg: &Config,
    host: &mut impl Host,
    n: NewContest,
    now: i64,
) -> Result<std::rc::Rc<Contest>, String> {
    let bytes = host.random_bytes(SEED_LEN as u32);
    let seed: [u8; SEED_LEN] = bytes
        .try_into()
        .map_err(|_| "giveaway: the host gave too few random bytes".to_string())?;
    let id = store::next_id(host)?;
    let c = Contest {
        id,
        prize: n.prize,
        lang: if n.lang == Lang::En { "en" } else { "fr" }.to_string(),
        channel: n.channel,
        announce_channel: n.announce_channel,
        winners_wanted: n.winners,
        started_ms: now,
        deadline_ms: n.deadline_ms,
        start_message: n.start_message,
        started_by: n.started_by,
        rules: Rules {
            min_account_age_days: cfg.min_account_age_days,
            refuse_unknown_account_age: cfg.refuse_unknown_account_age,
            required_roles: cfg.required_roles.clone(),
            exclude_staff: cfg.exclude_staff,
            bonus: cfg.bonus.clone(),
            reaction_emoji: cfg.reaction_emoji.clone(),
        },
        seed: hex(&seed),
        commitment: giveaway_draw::commitment(&seed),
        status: Status::Open,
        ended_ms: None,
        entries_hash: None,
        entry_count: 0,
        total_weight: 0,
        picks: Vec::new(),
        winners: Vec::new(),
        names: BTreeMap::new(),
        rerolls: Vec::new(),
    };
    let c = store::save_owned(host, c)?;
    host.log(
        Level::Info,
        &format!(
            "giveaway #{id} started by {}: {:?}, {} winner(s), deadline {}, commitment {}",
            c.started_by, c.prize, c.winners_wanted, c.deadline_ms, c.commitment
        ),
    );
    Ok(c)
}

#[allow(clippy::too_many_arguments)]
fn start_command(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    lang: Lang,
    prize: String,
    duration_ms: i64,
    winners: u32,
    now: i64,
) -> Result<Vec<Action>, String> {
    let t = Texts(lang);
    let refuse = |text: String| Ok(vec![act::reply(event, text, "giveaway: start refused")]);
    if prize.chars().count() > 200 {
        return refuse(t.out_of_range(OutOfRange::Prize));
    }
    if !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&duration_ms) {
        return refuse(t.out_of_range(OutOfRange::Duration));
    }
    if winners < 1 || winners > cfg.max_winners {
        return refuse(t.out_of_range(OutOfRange::Winners(cfg.max_winners)));
    }
    let announce = cfg
        .announce_channel
        .clone()
        .unwrap_or_else(|| event.channel.clone());
    let open = store::open_contests_shared(host);
    if let Some(c) = open
        .iter()
        .find(|c| c.takes_entries_in(&event.channel) || c.takes_entries_in(&announce))
    {
        return refuse(Texts(c.lang()).already_open(c));
    }
    let c = create(
        cfg,
        host,
        NewContest {
            prize,
            winners,
            channel: event.channel.clone(),
            announce_channel: announce,
            deadline_ms: now + duration_ms,
            start_message: Some(event.id.clone()),
            started_by: event.author.name.clone(),
            lang,
        },
        now,
    )?;
    let t = Texts(c.lang());
    let mut out = vec![act::post(
        &c.announce_channel,
        t.start(
            &c,
            &cfg.keywords,
            Some(&event.author.name),
            !cfg.reaction_message_ids.is_empty(),
            now,
        ),
        reason(&c, "started"),
    )];
    if c.announce_channel != event.channel {
        out.push(act::reply(
            event,
            t.started_elsewhere(&c),
            reason(&c, "started"),
        ));
    }
    Ok(out)
}

fn start_scheduled(cfg: &Config, host: &mut impl Host, now: i64) -> Result<Vec<Action>, String> {
    let mut out = Vec::new();
    for s in cfg.schedules() {
        let key = format!("sched/{}", s.spec.id);
        if now < s.start_ms || host.kv_get(&key).is_some() {
            continue;
        }
        let deadline = s.start_ms + s.duration_ms;
        if now >= deadline {
            host.kv_set(&key, b"missed")
                .map_err(|e| format!("giveaway: {e:?}"))?;
            host.log(
                Level::Warn,
                &format!(
                    "giveaway: scheduled contest {:?} was missed (its end has passed)",
                    s.spec.id
                ),
            );
            continue;
        }
        let channel = s.spec.channel.clone();
        let announce = cfg
            .announce_channel
            .clone()
            .unwrap_or_else(|| channel.clone());
        let open = store::open_contests(host);
        if open
            .iter()
            .any(|c| c.takes_entries_in(&channel) || c.takes_entries_in(&announce))
        {
            host.log(
                Level::Info,
                &format!(
                    "giveaway: scheduled contest {:?} waits for the open contest in #{channel}",
                    s.spec.id
                ),
            );
            continue;
        }
        let lang = s
            .spec
            .lang
            .or(cfg.lang)
            .map(Lang::from)
            .unwrap_or_else(|| guess_lang(&s.spec.prize, None));
        let c = create(
            cfg,
            host,
            NewContest {
                prize: s.spec.prize.trim().to_string(),
                winners: s.spec.winners,
                channel,
                announce_channel: announce,
                deadline_ms: deadline,
                start_message: None,
                started_by: format!("schedule:{}", s.spec.id),
                lang,
            },
            now,
        )?;
        host.kv_set(&key, c.id.to_string().as_bytes())
            .map_err(|e| format!("giveaway: {e:?}"))?;
        out.push(act::post(
            &c.announce_channel,
            Texts(c.lang()).start(
                &c,
                &cfg.keywords,
                None,
                !cfg.reaction_message_ids.is_empty(),
                now,
            ),
            reason(&c, "scheduled start"),
        ));
    }
    Ok(out)
}

/// Closes an open contest and draws: the canonical entry list is stored and
/// the winners, seed and hashes are announced.
fn finish(
    cfg: &Config,
    host: &mut impl Host,
    mut c: Contest,
    ended_ms: i64,
    by: Option<&Event>,
) -> Result<Vec<Action>, String> {
    let (entries, names) = store::load_entries(host, c.id);
    let pool = Pool::new(&entries);
    let seed = parse_seed(&c.seed).map_err(|e| format!("giveaway #{}: {e}", c.id))?;
    let winners = pool.draw(&seed, c.winners_wanted as usize);
    let canonical = pool.canonical();
    store::write_canonical(host, c.id, &canonical)?;
    c.status = Status::Ended;
    c.ended_ms = Some(ended_ms);
    let hash = pool.hash_hex();
    c.entries_hash = Some(hash.clone());
    c.entry_count = pool.len() as u64;
    c.total_weight = pool.total_weight();
    c.names = winners
        .iter()
        .map(|w| (w.clone(), names.get(w).cloned().unwrap_or_default()))
        .collect();
    c.picks = winners.clone();
    c.winners = winners;
    let c = store::save_owned(host, c)?;
    store::set_last(host, &c.channel, c.id)?;
    if c.announce_channel != c.channel {
        store::set_last(host, &c.announce_channel, c.id)?;
    }
    store::schedule_cleanup(host, c.id)?;
    host.log(
        Level::Info,
        &format!(
            "giveaway #{} ended{}: {} entries, hash {}, winners {:?}",
            c.id,
            by.map(|e| format!(" by {}", e.author.name))
                .unwrap_or_default(),
            c.entry_count,
            hash,
            c.winners
        ),
    );
    let t = Texts(c.lang());
    let publish = !pool.is_empty()
        && pool.len() <= cfg.publish_entries_limit as usize
        && canonical.len() <= MAX_LIST_BYTES;
    let why = reason(&c, "draw");
    let mut out = vec![act::post(
        &c.announce_channel,
        t.end(&c, publish || pool.is_empty()),
        why.clone(),
    )];
    if publish {
        out.push(act::post(
            &c.announce_channel,
            t.entry_list(&c, &canonical),
            reason(&c, "entry list"),
        ));
    }
    if cfg.dm_winners {
        for w in c.winners.iter().take(MAX_WINNER_DMS) {
            out.push(act::direct_message(w, t.winner_dm(&c), why.clone()));
        }
    }
    Ok(out)
}

fn cancel(
    host: &mut impl Host,
    mut c: Contest,
    now: i64,
    event: &Event,
) -> Result<Vec<Action>, String> {
    c.status = Status::Cancelled;
    c.ended_ms = Some(now);
    let c = store::save_owned(host, c)?;
    store::set_last(host, &c.channel, c.id)?;
    store::schedule_cleanup(host, c.id)?;
    host.log(
        Level::Info,
        &format!("giveaway #{} cancelled by {}", c.id, event.author.name),
    );
    let t = Texts(c.lang());
    let mut out = vec![act::post(
        &c.announce_channel,
        t.cancelled(&c),
        reason(&c, "cancelled"),
    )];
    if c.announce_channel != event.channel {
        out.push(act::reply(
            event,
            t.announced_in(c.id, &c.announce_channel),
            reason(&c, "cancelled"),
        ));
    }
    Ok(out)
}

/// The winner a staff member means: `@id`, `id`, `<@id>`, or a display name.
fn resolve_winner(c: &Contest, typed: &str) -> Option<String> {
    let whole = resolve_one(c, typed);
    whole.or_else(|| resolve_one(c, typed.split_whitespace().next()?))
}

fn resolve_one(c: &Contest, typed: &str) -> Option<String> {
    let bare = typed
        .trim()
        .trim_start_matches('<')
        .trim_start_matches('@')
        .trim_start_matches('!')
        .trim_end_matches('>');
    let folded = vigie_text::fold(bare);
    c.winners
        .iter()
        .find(|w| w.as_str() == bare)
        .or_else(|| c.winners.iter().find(|w| vigie_text::fold(w) == folded))
        .or_else(|| {
            c.winners.iter().find(|w| {
                c.names
                    .get(*w)
                    .is_some_and(|n| vigie_text::fold(n.trim_start_matches('@')) == folded)
            })
        })
        .cloned()
}

/// Replaces one winner by the next pick of the same draw.
fn reroll(
    cfg: &Config,
    host: &mut impl Host,
    mut c: Contest,
    typed: &str,
    event: &Event,
    now: i64,
) -> Result<Vec<Action>, String> {
    let t = Texts(c.lang());
    let reply = |text: String| Ok(vec![act::reply(event, text, reason(&c, "reroll"))]);
    if c.status != Status::Ended {
        return reply(if c.status == Status::Open {
            t.not_ended(&c)
        } else {
            t.not_open(&c)
        });
    }
    let Some(replaced) = resolve_winner(&c, typed) else {
        return reply(t.not_a_winner(&c, typed));
    };
    let (entries, names) = store::load_entries(host, c.id);
    let pool = Pool::new(&entries);
    if c.entries_hash.as_deref() != Some(pool.hash_hex().as_str()) {
        return Err(format!(
            "giveaway #{}: the stored entries no longer match the published hash",
            c.id
        ));
    }
    let seed = parse_seed(&c.seed).map_err(|e| format!("giveaway #{}: {e}", c.id))?;
    let Some(by) = pool.reroll(&seed, &c.picks, &replaced) else {
        return reply(t.nobody_left(&c));
    };
    if let Some(slot) = c.winners.iter_mut().find(|w| **w == replaced) {
        *slot = by.clone();
    }
    c.picks.push(by.clone());
    c.names
        .insert(by.clone(), names.get(&by).cloned().unwrap_or_default());
    c.rerolls.push(Reroll {
        replaced: replaced.clone(),
        by: by.clone(),
        at_ms: now,
    });
    let c = store::save_owned(host, c)?;
    host.log(
        Level::Info,
        &format!(
            "giveaway #{}: {} replaced by {} (pick {}) at the request of {}",
            c.id,
            replaced,
            by,
            c.picks.len(),
            event.author.name
        ),
    );
    let mut out = vec![act::post(
        &c.announce_channel,
        t.rerolled(&c, &replaced, &by),
        reason(&c, &format!("{replaced} replaced")),
    )];
    if cfg.dm_winners {
        out.push(act::direct_message(
            &by,
            t.winner_dm(&c),
            reason(&c, "reroll"),
        ));
    }
    if c.announce_channel != event.channel {
        out.push(act::reply(
            event,
            t.announced_in(c.id, &c.announce_channel),
            reason(&c, "reroll"),
        ));
    }
    Ok(out)
}
