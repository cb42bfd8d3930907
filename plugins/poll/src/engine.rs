//! The poll state machine: open → ended (results) or cancelled. Every
//! function reads what it needs from the key-value store and writes back
//! before returning, so any instance can handle the next event.
//!
//! Anonymity is kept here: in an anonymous poll no function writes a user
//! id, a display name or a reaction's event id to the store or the log, nor
//! into an action's reason. They go through [`poll_tally::pseudonym`] under
//! the poll's key first, and the key is erased when the poll closes. Every
//! poll, public or anonymous, has pseudonymous ballot ids
//! ([`poll_tally::ballot_id`]) and erases its key when it closes; a public
//! poll only keeps the creator's user id and may name voters in the log.

use crate::command::{self, answer_number, Parsed, PollCommand, PollError, VoteCommand, VoteError};
use crate::config::{
    norm_role, Config, ResultsMode, WhoCanStart, MAX_DURATION_MS, MIN_DURATION_MS,
};
use crate::messages::{guess_lang, BadVote, NoList, Refusal, Texts};
use crate::store::{self, Ballot, IndexEntry, Poll, ReactionVote, Rules, Status};
use poll_tally::{pseudonym, Ballots, Header};
use vigie_sdk::{act, Action, Author, Event, EventKind, Host, Level, Severity};
use vigie_text::Lang;

/// Most polls closed in one call (their announcements must fit in one
/// call's output; the others close at the next call, and no vote is taken
/// after a deadline in the meantime).
pub const MAX_CLOSE_PER_CALL: usize = 2;
/// A user is told why their vote was refused at most once in this time,
/// per poll.
pub const REFUSAL_COOLDOWN_MS: i64 = 10 * 60_000;
/// `!poll results` answers at most once in this time, per poll.
pub const RESULTS_COOLDOWN_MS: i64 = 30_000;
/// The same part of a ballot list is posted on request at most once in
/// this time.
pub const LIST_COOLDOWN_MS: i64 = 5 * 60_000;
/// Size of one part of a ballot list sent on request.
pub const PART_BYTES: usize = 16_000;
/// Parts sent by one `!poll ballots`.
pub const PARTS_PER_REQUEST: usize = 3;
/// The ballot list is posted with the results only when it is at most this
/// long.
pub const POSTED_LIST_BYTES: usize = 16_000;
/// Bytes of the secret key of a poll.
pub const KEY_LEN: u32 = 32;

/// One event: first close the polls whose deadline has passed (so that no
/// vote counts after its deadline, even when no tick came yet), then the
/// command, the vote, the reaction or the removal of a reaction.
pub fn handle(cfg: &Config, host: &mut impl Host, event: &Event) -> Result<Vec<Action>, String> {
    let now = host.now_ms();
    let mut out = close_due(cfg, host, now)?;
    match event.kind {
        EventKind::Message => {
            if let Some(parsed) = command::parse_poll(&event.text, &cfg.command_prefixes) {
                out.extend(on_poll_command(cfg, host, event, parsed, now)?);
            } else if let Some(parsed) = command::parse_vote(&event.text, &cfg.vote_prefixes) {
                out.extend(on_vote_command(cfg, host, event, parsed, now)?);
            }
        }
        EventKind::Reaction => out.extend(on_reaction(cfg, host, event, now)?),
        EventKind::Deletion => on_deletion(host, event, now)?,
        _ => {}
    }
    Ok(out)
}

/// The clock: close polls at their deadline and remove the per-voter keys
/// of closed polls.
pub fn tick(cfg: &Config, host: &mut impl Host, now: i64) -> Result<Vec<Action>, String> {
    let out = close_due(cfg, host, now)?;
    store::cleanup(host);
    Ok(out)
}

/// The texts of `lang`, with the command words of the config in that
/// language when it has them.
pub fn texts(cfg: &Config, lang: Lang) -> Texts<'_> {
    fn pick<'a>(list: &'a [String], want: &'static str) -> &'a str {
        list.iter()
            .find(|w| w.as_str() == want)
            .or(list.first())
            .map_or(want, String::as_str)
    }
    let fr = lang == Lang::Fr;
    Texts {
        lang,
        poll_cmd: pick(&cfg.command_prefixes, if fr { "!sondage" } else { "!poll" }),
        vote_cmd: pick(&cfg.vote_prefixes, if fr { "!voter" } else { "!vote" }),
    }
}

fn reason(p: &Poll, what: &str) -> String {
    format!("poll #{}: {what}", p.id)
}

fn close_due(cfg: &Config, host: &mut impl Host, now: i64) -> Result<Vec<Action>, String> {
    match store::next_deadline(host) {
        Some(d) if now >= d => {}
        _ => return Ok(Vec::new()),
    }
    let open = store::open_index(host);
    let due: Vec<u64> = open
        .iter()
        .filter(|e| now >= e.deadline)
        .map(|e| e.id)
        .take(MAX_CLOSE_PER_CALL)
        .collect();
    if due.is_empty() {
        // `next` disagreed with the index: rewrite both.
        store::write_index(host, &open)?;
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for id in due {
        match store::load(host, id) {
            Some(p) if p.status == Status::Open => {
                let at = p.deadline_ms;
                out.extend(finish(cfg, host, p, at)?);
            }
            _ => remove_from_index(host, id)?,
        }
    }
    Ok(out)
}

fn remove_from_index(host: &mut impl Host, id: u64) -> Result<(), String> {
    let mut open = store::open_index(host);
    open.retain(|e| e.id != id);
    store::write_index(host, &open)
}

/// The sender of the message reacted to, and the event it answered, as the
/// host labels a reaction to one of the bot's messages.
fn host_label<'a>(event: &'a Event, key: &str) -> Option<&'a str> {
    event
        .labels
        .iter()
        .find(|l| l.plugin == "vigie" && l.key == key)
        .and_then(|l| l.note.as_deref())
}

/// Why `author` may not vote under `rules`, if so.
fn ineligible(rules: &Rules, author: &Author) -> Option<Refusal> {
    if !rules.staff_can_vote && author.is_staff {
        return Some(Refusal::Staff);
    }
    match author.account_age_days {
        Some(age) if age < rules.min_account_age_days => {
            return Some(Refusal::TooYoung {
                min_days: rules.min_account_age_days,
            })
        }
        None if rules.min_account_age_days > 0 && rules.refuse_unknown_account_age => {
            return Some(Refusal::UnknownAge {
                min_days: rules.min_account_age_days,
            })
        }
        _ => {}
    }
    if !rules.required_roles.is_empty()
        && !author
            .roles
            .iter()
            .any(|r| rules.required_roles.contains(&norm_role(r)))
    {
        return Some(Refusal::MissingRole {
            roles: rules.required_roles.clone(),
        });
    }
    None
}

/// The poll's secret key (present while it is open).
fn poll_key(host: &mut impl Host, p: &Poll) -> Result<Vec<u8>, String> {
    store::key(host, p.id).ok_or_else(|| format!("poll #{}: its key is missing", p.id))
}

/// The ballot id of `user`: its pseudonym under the poll's key, in every
/// poll. The published list never names a voter; in a public poll the
/// platform shows who voted anyway, in an anonymous one nothing links them.
/// The key is erased when the poll closes, public or not.
fn ballot_id(key: &[u8], user: &str) -> String {
    poll_tally::ballot_id(key, user)
}

/// 8 random hex digits: a ballot's generation.
fn new_gen(host: &mut impl Host) -> String {
    format!("{:08x}", host.random_u64() as u32)
}

/// Updates the current counts for a ballot going from `old` to `new`.
fn recount(host: &mut impl Host, p: &Poll, old: &[u32], new: &[u32]) -> Result<(), String> {
    let (mut ballots, mut per) = store::counts(host, p.id, p.answers.len());
    match (old.is_empty(), new.is_empty()) {
        (true, false) => ballots += 1,
        (false, true) => ballots = ballots.saturating_sub(1),
        _ => {}
    }
    for &c in old {
        if let Some(n) = c.checked_sub(1).and_then(|i| per.get_mut(i as usize)) {
            *n = n.saturating_sub(1);
        }
    }
    for &c in new {
        if let Some(n) = c.checked_sub(1).and_then(|i| per.get_mut(i as usize)) {
            *n += 1;
        }
    }
    store::set_counts(host, p.id, ballots, &per)
}

/// A refusal, at most once per [`REFUSAL_COOLDOWN_MS`] per user and poll
/// (the user is known by a pseudonym only).
fn refusal(
    host: &mut impl Host,
    p: &Poll,
    key: &[u8],
    author: &Author,
    now: i64,
    action: impl FnOnce() -> Action,
) -> Result<Vec<Action>, String> {
    let tag = pseudonym(key, "refusal", &author.id);
    if store::refused_at(host, p.id, &tag)
        .is_some_and(|at| (0..REFUSAL_COOLDOWN_MS).contains(&now.saturating_sub(at)))
    {
        return Ok(Vec::new());
    }
    store::set_refused_at(host, p.id, &tag, now)?;
    Ok(vec![action()])
}

/// The language of replies that concern no particular poll.
fn fallback_lang(cfg: &Config, host: &mut impl Host, event: &Event, hint: Option<Lang>) -> Lang {
    if let Some(l) = cfg.lang {
        return l.into();
    }
    if let Some(l) = hint {
        return l;
    }
    let open = store::open_index(host);
    let latest = open
        .iter()
        .filter(|e| e.channel == event.channel)
        .map(|e| e.id)
        .max()
        .or_else(|| store::last_in(host, &event.channel));
    if let Some(p) = latest.and_then(|id| store::load(host, id)) {
        return p.lang();
    }
    guess_lang(&event.text, Lang::En)
}

/// The open polls of `channel`, newest first.
fn open_in(open: &[IndexEntry], channel: &str) -> Vec<u64> {
    let mut ids: Vec<u64> = open
        .iter()
        .filter(|e| e.channel == channel)
        .map(|e| e.id)
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids
}

/// Why no poll is picked.
enum NoPoll {
    /// No poll `#n`.
    Unknown(u64),
    /// `#n` is closed.
    Closed(Box<Poll>),
    /// None open here.
    NoneOpen,
    /// Several open here, and the command must say which.
    Which(Vec<(u64, String)>),
    /// No poll at all here.
    NoneHere,
}

impl NoPoll {
    fn text(&self, t: Texts) -> String {
        match self {
            NoPoll::Unknown(n) => t.unknown_poll(*n),
            NoPoll::Closed(p) => t.closed(p),
            NoPoll::NoneOpen => t.no_open_poll(),
            NoPoll::Which(list) => t.which_poll(list),
            NoPoll::NoneHere => t.no_poll(),
        }
    }
}

/// The open poll a command is about: `#n`, else the newest open poll of the
/// channel (or, with `unique`, the only one).
fn select_open(
    host: &mut impl Host,
    arg: Option<u64>,
    channel: &str,
    unique: bool,
) -> Result<Poll, NoPoll> {
    if let Some(n) = arg {
        return match store::load(host, n) {
            Some(p) if p.status == Status::Open => Ok(p),
            Some(p) => Err(NoPoll::Closed(Box::new(p))),
            None => Err(NoPoll::Unknown(n)),
        };
    }
    let open = store::open_index(host);
    let ids = open_in(&open, channel);
    if unique && ids.len() > 1 {
        let list = ids
            .iter()
            .rev()
            .filter_map(|&id| store::load(host, id).map(|p| (id, p.question)))
            .collect();
        return Err(NoPoll::Which(list));
    }
    ids.first()
        .and_then(|&id| store::load(host, id))
        .ok_or(NoPoll::NoneOpen)
}

/// The poll a results or ballots command is about: `#n`, else the newest
/// poll of the channel, open or closed.
fn select_any(host: &mut impl Host, arg: Option<u64>, channel: &str) -> Result<Poll, NoPoll> {
    if let Some(n) = arg {
        return store::load(host, n).ok_or(NoPoll::Unknown(n));
    }
    let open = store::open_index(host);
    let newest_open = open_in(&open, channel).first().copied();
    let last = store::last_in(host, channel);
    newest_open
        .max(last)
        .and_then(|id| store::load(host, id))
        .ok_or(NoPoll::NoneHere)
}

fn on_poll_command(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    parsed: Parsed<PollCommand, PollError>,
    now: i64,
) -> Result<Vec<Action>, String> {
    let hint = parsed.lang_hint;
    let reply = |text: String, why: &str| Ok(vec![act::reply(event, text, why.to_string())]);
    let command = match parsed.command {
        Ok(c) => c,
        Err(e) => {
            let t = texts(cfg, fallback_lang(cfg, host, event, hint));
            return reply(t.poll_error(&e), "poll: command not understood");
        }
    };
    match command {
        PollCommand::Start(spec) => start(cfg, host, event, spec, hint, now),
        PollCommand::End { poll } | PollCommand::Cancel { poll } => {
            let cancel = matches!(command, PollCommand::Cancel { .. });
            let p = match select_open(host, poll, &event.channel, true) {
                Ok(p) => p,
                Err(why) => {
                    let t = texts(cfg, fallback_lang(cfg, host, event, hint));
                    return reply(why.text(t), "poll: end or cancel");
                }
            };
            let t = texts(cfg, p.lang());
            if !event.author.is_staff && !is_creator(host, &p, &event.author.id) {
                return reply(t.not_allowed(&p), &reason(&p, "end or cancel refused"));
            }
            if cancel {
                cancel_poll(cfg, host, p, now, event)
            } else {
                let mut out = finish(cfg, host, p.clone(), now)?;
                if p.channel != event.channel {
                    out.push(act::reply(event, t.announced_in(&p), reason(&p, "ended")));
                }
                Ok(out)
            }
        }
        PollCommand::Results { poll } => match select_any(host, poll, &event.channel) {
            Err(why) => {
                let t = texts(cfg, fallback_lang(cfg, host, event, hint));
                reply(why.text(t), "poll: results")
            }
            Ok(p) => results(cfg, host, event, &p, now),
        },
        PollCommand::Ballots { poll, part } => match select_any(host, poll, &event.channel) {
            Err(why) => {
                let t = texts(cfg, fallback_lang(cfg, host, event, hint));
                reply(why.text(t), "poll: ballots")
            }
            Ok(p) => ballot_list(cfg, host, event, &p, part, now),
        },
        PollCommand::List => {
            let t = texts(cfg, fallback_lang(cfg, host, event, hint));
            let open: Vec<(u64, String, String, i64)> = store::open_index(host)
                .iter()
                .filter_map(|e| {
                    store::load(host, e.id).map(|p| (p.id, p.question, p.channel, p.deadline_ms))
                })
                .collect();
            reply(t.open_list(&open), "poll: list")
        }
        PollCommand::Help => {
            let t = texts(cfg, fallback_lang(cfg, host, event, hint));
            reply(t.help(), "poll: help")
        }
    }
}

/// True when `user` started poll `p`.
fn is_creator(host: &mut impl Host, p: &Poll, user: &str) -> bool {
    if let Some(id) = &p.creator_id {
        return id == user;
    }
    match (&p.creator_tag, store::key(host, p.id)) {
        (Some(tag), Some(key)) => pseudonym(&key, "creator", user) == *tag,
        _ => false,
    }
}

fn start(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    spec: command::StartSpec,
    hint: Option<Lang>,
    now: i64,
) -> Result<Vec<Action>, String> {
    let all_text = format!("{} {}", spec.question, spec.answers.join(" "));
    let lang = cfg
        .lang
        .map(Lang::from)
        .or(hint)
        .unwrap_or_else(|| guess_lang(&all_text, Lang::En));
    let t = texts(cfg, lang);
    let refuse = |text: String| Ok(vec![act::reply(event, text, "poll: start refused")]);
    if cfg.who_can_start == WhoCanStart::Staff && !event.author.is_staff {
        return refuse(t.staff_only_start());
    }
    let mut open = store::open_index(host);
    if open.len() >= cfg.max_open_polls as usize {
        return refuse(t.too_many_open(cfg.max_open_polls));
    }
    let duration = spec.duration_ms.unwrap_or(cfg.default_duration_ms);
    if !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&duration) {
        return refuse(t.bad_duration_range());
    }
    let results = spec.results.unwrap_or(match cfg.results {
        // An anonymous poll hides its counts until the end unless told
        // otherwise: live counts let a watcher tell votes apart.
        ResultsMode::Live if spec.anonymous => ResultsMode::End,
        mode => mode,
    });
    let key = host.random_bytes(KEY_LEN);
    if key.len() != KEY_LEN as usize {
        return Err("poll: the host gave too few random bytes".to_string());
    }
    let id = store::next_id(host)?;
    let answers = spec.answers.len();
    let p = Poll {
        id,
        question: spec.question,
        answers: spec.answers,
        multi: spec.multi.unwrap_or(1),
        anonymous: spec.anonymous,
        results,
        lang: if lang == Lang::En { "en" } else { "fr" }.to_string(),
        channel: event.channel.clone(),
        start_message: event.id.clone(),
        created_ms: now,
        deadline_ms: now.saturating_add(duration),
        creator_id: (!spec.anonymous).then(|| event.author.id.clone()),
        creator_tag: spec
            .anonymous
            .then(|| pseudonym(&key, "creator", &event.author.id)),
        rules: Rules {
            min_account_age_days: cfg.min_account_age_days,
            refuse_unknown_account_age: cfg.refuse_unknown_account_age,
            required_roles: cfg.required_roles.clone(),
            staff_can_vote: cfg.staff_can_vote,
        },
        status: Status::Open,
        ended_ms: None,
        ballots_hash: None,
        ballot_count: 0,
        counts: Vec::new(),
    };
    store::save(host, &p)?;
    store::set_key(host, id, &key)?;
    store::set_counts(host, id, 0, &vec![0; answers])?;
    open.push(IndexEntry {
        id,
        deadline: p.deadline_ms,
        channel: p.channel.clone(),
        start: p.start_message.clone(),
    });
    store::write_index(host, &open)?;
    host.log(
        Level::Info,
        &format!(
            "poll #{id} started: {answers} answers, multi {}, {}, results {:?}, deadline {}",
            p.multi,
            if p.anonymous { "anonymous" } else { "public" },
            p.results,
            p.deadline_ms
        ),
    );
    let t = texts(cfg, p.lang());
    Ok(vec![act::post(
        &p.channel,
        t.start(&p, &event.author.name, now),
        reason(&p, "started"),
    )])
}

/// Closes an open poll: the canonical ballot list is stored, its hash and
/// the counts announced, the key erased.
fn finish(
    cfg: &Config,
    host: &mut impl Host,
    mut p: Poll,
    ended_ms: i64,
) -> Result<Vec<Action>, String> {
    let header = Header::new(p.id.to_string(), p.answers.len() as u32, p.multi)
        .map_err(|e| format!("poll #{}: {e}", p.id))?;
    let mut ballots = Ballots::new(header);
    let mut unreadable = 0;
    for (id, choices) in store::all_ballots(host, p.id) {
        if ballots.insert(&id, &choices).is_err() {
            unreadable += 1;
        }
    }
    if unreadable > 0 {
        host.log(
            Level::Warn,
            &format!(
                "poll #{}: {unreadable} stored ballot(s) unreadable, left out",
                p.id
            ),
        );
    }
    let text = ballots.canonical();
    let hash = poll_tally::hash(&text);
    let tally = poll_tally::count(&ballots);
    store::write_list(host, p.id, &text)?;
    p.status = Status::Ended;
    p.ended_ms = Some(ended_ms);
    p.ballots_hash = Some(hash.clone());
    p.ballot_count = tally.ballots;
    p.counts = tally.counts.clone();
    store::save(host, &p)?;
    store::erase_key(host, p.id);
    store::set_counts(host, p.id, tally.ballots, &tally.counts)?;
    store::set_last(host, &p.channel, p.id)?;
    store::schedule_cleanup(host, p.id)?;
    remove_from_index(host, p.id)?;
    host.log(
        Level::Info,
        &format!(
            "poll #{} closed: {} ballot{}, ballot list SHA-256 {hash}",
            p.id,
            tally.ballots,
            if tally.ballots == 1 { "" } else { "s" }
        ),
    );
    let t = texts(cfg, p.lang());
    let list_follows = cfg.publish_ballots_limit > 0
        && tally.ballots <= u64::from(cfg.publish_ballots_limit)
        && text.len() <= POSTED_LIST_BYTES;
    let mut out = Vec::new();
    match p.results {
        ResultsMode::Live | ResultsMode::End => {
            out.push(act::post(
                &p.channel,
                t.end(&p, list_follows),
                reason(&p, "results"),
            ));
            if list_follows {
                out.push(act::post(
                    &p.channel,
                    t.ballot_list(&p, 1, 1, &text),
                    reason(&p, "ballot list"),
                ));
            }
        }
        ResultsMode::Staff => {
            out.push(act::post(
                &p.channel,
                t.ended_for_staff(&p),
                reason(&p, "closed (results for the staff)"),
            ));
            out.push(act::alert(
                Severity::Info,
                t.end(&p, list_follows),
                reason(&p, "results for the staff"),
            ));
            if list_follows {
                out.push(act::alert(
                    Severity::Info,
                    t.ballot_list(&p, 1, 1, &text),
                    reason(&p, "ballot list for the staff"),
                ));
            }
        }
    }
    Ok(out)
}

fn cancel_poll(
    cfg: &Config,
    host: &mut impl Host,
    mut p: Poll,
    now: i64,
    event: &Event,
) -> Result<Vec<Action>, String> {
    p.status = Status::Cancelled;
    p.ended_ms = Some(now);
    store::save(host, &p)?;
    store::erase_key(host, p.id);
    store::set_last(host, &p.channel, p.id)?;
    store::schedule_cleanup(host, p.id)?;
    remove_from_index(host, p.id)?;
    host.log(Level::Info, &format!("poll #{} cancelled", p.id));
    let t = texts(cfg, p.lang());
    let mut out = vec![act::post(
        &p.channel,
        t.cancelled(&p),
        reason(&p, "cancelled"),
    )];
    if p.channel != event.channel {
        out.push(act::reply(event, t.cancelled(&p), reason(&p, "cancelled")));
    }
    Ok(out)
}

fn results(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    p: &Poll,
    now: i64,
) -> Result<Vec<Action>, String> {
    let t = texts(cfg, p.lang());
    let reply = |text: String, what: &str| Ok(vec![act::reply(event, text, reason(p, what))]);
    let text = match p.status {
        Status::Cancelled => return reply(t.was_cancelled(p), "results"),
        Status::Open => {
            if p.results == ResultsMode::End {
                return reply(t.results_at_end(p), "results hidden until the end");
            }
            let (ballots, counts) = store::counts(host, p.id, p.answers.len());
            t.current(p, ballots, &counts, now)
        }
        Status::Ended => t.end(p, false),
    };
    if p.results == ResultsMode::Staff {
        if !event.author.is_staff {
            return reply(
                t.no_list(p, NoList::StaffOnly),
                "results for the staff only",
            );
        }
        return Ok(vec![
            act::alert(Severity::Info, text, reason(p, "results for the staff")),
            act::reply(
                event,
                t.sent_to_staff(p),
                reason(p, "results for the staff"),
            ),
        ]);
    }
    // Public results: at most once in a while, the channel is not a
    // scoreboard.
    let last = store::time_mark(host, p.id, "results_at").and_then(|s| s.parse::<i64>().ok());
    if last.is_some_and(|at| (0..RESULTS_COOLDOWN_MS).contains(&now.saturating_sub(at))) {
        return Ok(Vec::new());
    }
    store::set_mark(host, p.id, "results_at", &now.to_string())?;
    reply(text, "results")
}

fn ballot_list(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    p: &Poll,
    part: Option<u32>,
    now: i64,
) -> Result<Vec<Action>, String> {
    let t = texts(cfg, p.lang());
    let why = reason(p, "ballot list");
    let unavailable = |w| Ok(vec![act::reply(event, t.no_list(p, w), why.clone())]);
    match p.status {
        Status::Open => return unavailable(NoList::StillOpen),
        Status::Cancelled => return unavailable(NoList::Cancelled),
        Status::Ended => {}
    }
    let staff_only = p.results == ResultsMode::Staff;
    if staff_only && !event.author.is_staff {
        return unavailable(NoList::StaffOnly);
    }
    let text = store::read_list(host, p.id);
    if text.is_empty() {
        return Err(format!("poll #{}: its ballot list is missing", p.id));
    }
    let parts = store::line_chunks(&text, PART_BYTES);
    let first = part.unwrap_or(1) as usize;
    if first > parts.len() {
        return unavailable(NoList::NoPart(parts.len()));
    }
    let mark = store::time_mark(host, p.id, "shown");
    let recent = mark
        .as_deref()
        .and_then(|m| m.split_once('\t'))
        .is_some_and(|(k, at)| {
            k == first.to_string()
                && at
                    .parse::<i64>()
                    .is_ok_and(|at| (0..LIST_COOLDOWN_MS).contains(&now.saturating_sub(at)))
        });
    if recent && !staff_only {
        return unavailable(NoList::JustPosted);
    }
    store::set_mark(host, p.id, "shown", &format!("{first}\t{now}"))?;
    let n = parts.len();
    let last = (first + PARTS_PER_REQUEST - 1).min(n);
    let mut out = Vec::new();
    for k in first..=last {
        let body = t.ballot_list(p, k, n, parts[k - 1]);
        out.push(if staff_only {
            act::alert(Severity::Info, body, why.clone())
        } else {
            act::post(&event.channel, body, why.clone())
        });
    }
    if last < n {
        let more = t.more_parts(p, last + 1, n);
        out.push(if staff_only {
            act::alert(Severity::Info, more, why.clone())
        } else {
            act::post(&event.channel, more, why.clone())
        });
    }
    if staff_only {
        out.push(act::reply(event, t.sent_to_staff(p), why));
    }
    Ok(out)
}

fn on_vote_command(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    parsed: Parsed<VoteCommand, VoteError>,
    now: i64,
) -> Result<Vec<Action>, String> {
    let hint = parsed.lang_hint;
    let reply = |text: String, why: String| Ok(vec![act::reply(event, text, why)]);
    let command = match parsed.command {
        Ok(c) => c,
        Err(e) => {
            let t = texts(cfg, fallback_lang(cfg, host, event, hint));
            return reply(t.vote_error(&e), "poll: vote not understood".into());
        }
    };
    let arg = match &command {
        VoteCommand::Vote { poll, .. }
        | VoteCommand::Withdraw { poll }
        | VoteCommand::Help { poll } => *poll,
    };
    let p = match select_open(host, arg, &event.channel, false) {
        Ok(p) => p,
        Err(why) => {
            let t = texts(cfg, fallback_lang(cfg, host, event, hint));
            return reply(why.text(t), "poll: vote without an open poll".into());
        }
    };
    let t = texts(cfg, p.lang());
    if now >= p.deadline_ms {
        return reply(t.closed(&p), reason(&p, "vote after the deadline"));
    }
    let choices = match command {
        VoteCommand::Help { .. } => return reply(t.vote_help(&p), reason(&p, "how to vote")),
        VoteCommand::Withdraw { .. } => Vec::new(),
        VoteCommand::Vote { choices, .. } => {
            if let Some(&k) = choices
                .iter()
                .find(|&&k| k == 0 || k as usize > p.answers.len())
            {
                return reply(
                    t.bad_vote(&p, &BadVote::NotAnAnswer(k)),
                    reason(&p, "vote refused: not an answer"),
                );
            }
            if choices.len() > p.multi as usize {
                return reply(
                    t.bad_vote(&p, &BadVote::TooMany(choices.len())),
                    reason(&p, "vote refused: too many choices"),
                );
            }
            let mut c = choices;
            c.sort_unstable();
            c
        }
    };
    let key = poll_key(host, &p)?;
    let refuse = |host: &mut _, why: Refusal| {
        refusal(host, &p, &key, &event.author, now, || {
            act::reply(
                event,
                t.refused(&p, &why, None),
                reason(&p, t.refusal_reason(&why)),
            )
        })
    };
    if !choices.is_empty() {
        if let Some(why) = ineligible(&p.rules, &event.author) {
            return refuse(host, why);
        }
    }
    let id = ballot_id(&key, &event.author.id);
    let old = store::ballot(host, p.id, &id)
        .map(|b| b.choices)
        .unwrap_or_default();
    let withdrawn = choices.is_empty();
    let ballot = Ballot {
        gen: new_gen(host),
        choices,
    };
    store::set_ballot(host, p.id, &id, &ballot)?;
    recount(host, &p, &old, &ballot.choices)?;
    if !p.anonymous {
        // A public poll: who voted is no secret (the platform shows it), so
        // the log may name the voter (not the ballot id of the list).
        host.log(
            Level::Debug,
            &format!(
                "poll #{}: ballot of {} is now [{}]",
                p.id,
                event.author.id,
                store::choices_text(&ballot.choices)
            ),
        );
    }
    if cfg.confirm_emoji.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![act::react(
        event,
        &cfg.confirm_emoji,
        reason(
            &p,
            if withdrawn {
                "ballot withdrawn"
            } else {
                "vote recorded"
            },
        ),
    )])
}

fn on_reaction(
    cfg: &Config,
    host: &mut impl Host,
    event: &Event,
    now: i64,
) -> Result<Vec<Action>, String> {
    let (Some(emoji), Some(target)) = (&event.reaction, &event.target_message) else {
        return Ok(Vec::new());
    };
    let Some(k) = answer_number(emoji) else {
        return Ok(Vec::new());
    };
    if store::next_deadline(host).is_none() {
        return Ok(Vec::new());
    }
    // A reaction to the poll's message (the host names the plugin that
    // sent it and the command it answered), or to the command itself.
    let ours = host_label(event, "vigie.sent-by") == Some(cfg.entry_name.as_str());
    let answered = host_label(event, "vigie.sent-for").filter(|_| ours);
    let open = store::open_index(host);
    let Some(entry) = open
        .iter()
        .find(|e| e.start == *target || answered == Some(e.start.as_str()))
    else {
        return Ok(Vec::new());
    };
    let Some(p) = store::load(host, entry.id) else {
        return Ok(Vec::new());
    };
    if p.status != Status::Open || now >= p.deadline_ms || k as usize > p.answers.len() {
        return Ok(Vec::new());
    }
    let t = texts(cfg, p.lang());
    let key = poll_key(host, &p)?;
    let refuse = |host: &mut _, why: Refusal| {
        refusal(host, &p, &key, &event.author, now, || {
            act::post(
                &p.channel,
                t.refused(&p, &why, Some(&event.author.name)),
                reason(&p, t.refusal_reason(&why)),
            )
        })
    };
    if let Some(why) = ineligible(&p.rules, &event.author) {
        return refuse(host, why);
    }
    let id = ballot_id(&key, &event.author.id);
    let mut ballot = match store::ballot(host, p.id, &id) {
        Some(b) => b,
        None => Ballot {
            gen: new_gen(host),
            choices: Vec::new(),
        },
    };
    let old = ballot.choices.clone();
    if !ballot.choices.contains(&k) {
        if ballot.choices.len() < p.multi as usize {
            ballot.choices.push(k);
            ballot.choices.sort_unstable();
        } else if p.multi == 1 {
            // One choice: the new reaction replaces it.
            ballot.choices = vec![k];
        } else {
            return refusal(host, &p, &key, &event.author, now, || {
                act::post(
                    &p.channel,
                    t.ballot_full(&p, &event.author.name),
                    reason(&p, "reaction beyond the ballot's choices"),
                )
            });
        }
    }
    store::set_ballot(host, p.id, &id, &ballot)?;
    recount(host, &p, &old, &ballot.choices)?;
    let tag = pseudonym(&key, "reaction", &event.id);
    store::set_reaction_vote(
        host,
        p.id,
        &tag,
        &ReactionVote {
            ballot: id,
            choice: k,
            gen: ballot.gen,
        },
    )?;
    Ok(Vec::new())
}

/// A deletion: when it removes a reaction that voted, the choice it added
/// is withdrawn (unless a `!vote` replaced the ballot since).
fn on_deletion(host: &mut impl Host, event: &Event, now: i64) -> Result<(), String> {
    let Some(target) = &event.target_message else {
        return Ok(());
    };
    if store::next_deadline(host).is_none() {
        return Ok(());
    }
    for entry in store::open_index(host) {
        if now >= entry.deadline {
            continue;
        }
        let Some(key) = store::key(host, entry.id) else {
            continue;
        };
        let tag = pseudonym(&key, "reaction", target);
        let Some(v) = store::reaction_vote(host, entry.id, &tag) else {
            continue;
        };
        store::delete_reaction_vote(host, entry.id, &tag);
        let Some(p) = store::load(host, entry.id) else {
            return Ok(());
        };
        if let Some(mut b) = store::ballot(host, p.id, &v.ballot) {
            if b.gen == v.gen && b.choices.contains(&v.choice) {
                let old = b.choices.clone();
                b.choices.retain(|&c| c != v.choice);
                store::set_ballot(host, p.id, &v.ballot, &b)?;
                recount(host, &p, &old, &b.choices)?;
            }
        }
        return Ok(());
    }
    Ok(())
}
