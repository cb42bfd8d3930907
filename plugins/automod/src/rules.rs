//! Rules compiled from the config and their evaluation.
//!
//! For each `message` or `edit` event:
//! 1. the text is normalised once ([`Normalized`]) and its language guessed;
//! 2. for a new message, the author's window (`flood/<user>`) and, when a
//!    rule needs it, the shared duplicate bucket (`dup/<xx>`) are updated —
//!    whatever rule matches later, so windows see every message;
//! 3. rules are tried by ascending `priority` (ties: built-in rules first,
//!    then config order). A rule applies when the event kind, channel and
//!    author fit (staff are exempt unless `include_staff`), and matches when
//!    every condition it sets holds;
//! 4. the first matching rule acts alone: its `actions`, plus, when it has a
//!    `ladder`, the step for the author's strike count (each matching rule
//!    adds `strike_weight` strikes, which decay over `strike_decay_s`).

use crate::abuse;
use crate::config::{
    self, CapsConfig, Config, DuplicatesConfig, FloodConfig, LinksConfig, MentionsConfig,
    RuleConfig, SymbolsConfig,
};
use crate::flood::{self, Keep, Seen};
use crate::links::{self, DomainPattern, Link};
use crate::lists::{self, Lang, Lexicon, ListEntry};
use crate::normalize::{is_invisible, Normalized};
use crate::strikes;
use regex::{Regex, RegexBuilder};
use unicode_normalization::char::is_combining_mark;
use vigie_sdk::{
    act, Action, DeleteAction, Event, EventKind, FlagAction, Host, LabelAction, PostAction,
    ReplyAction,
};

/// Most patterns per rule.
pub const MAX_PATTERNS: usize = 32;
/// Longest pattern, in bytes.
pub const MAX_PATTERN_LEN: usize = 512;
/// Memory a compiled regex (and its lazy DFA) may use.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Longest window a flood or duplicate condition may ask for.
pub const MAX_WINDOW_S: u32 = 86_400;
/// Keys of each kind (`flood/…`, `strikes/…`, `warned/…`) a tick looks at:
/// three kinds, each key read and maybe deleted, under the host's 1 000
/// writes per call.
pub const SWEEP_LIMIT: u32 = 300;

/// One thing a rule can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Delete the message.
    Delete,
    /// Warn the author: a `post` in the channel when the message is deleted
    /// (the host drops replies to deleted messages), a `reply` otherwise.
    Warn,
    /// Reply to the message with the warning.
    Reply,
    /// Post the warning in the channel.
    Post,
    /// Ask a moderator to review the message.
    Flag,
    /// Label the event `automod.<rule id>`.
    Label,
    /// Silence the author for this many seconds.
    Timeout(u32),
    /// Kick the author.
    Kick,
    /// Ban the author, for good or for this many seconds.
    Ban(Option<u32>),
}

impl Step {
    /// Parses `delete`, `warn`, `reply`, `post`, `flag`, `label`, `kick`,
    /// `timeout` (10 minutes), `timeout:<duration>`, `ban`,
    /// `ban:<duration>`; durations are seconds or `30s`, `10m`, `2h`, `7d`.
    pub fn parse(s: &str) -> Result<Step, String> {
        let s = s.trim().to_ascii_lowercase();
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s.as_str(), None),
        };
        let step = match (name, arg) {
            ("delete", None) => Step::Delete,
            ("warn", None) => Step::Warn,
            ("reply", None) => Step::Reply,
            ("post", None) => Step::Post,
            ("flag", None) => Step::Flag,
            ("label", None) => Step::Label,
            ("kick", None) => Step::Kick,
            ("timeout", None) => Step::Timeout(600),
            ("timeout", Some(d)) => Step::Timeout(parse_duration(d)?),
            ("ban", None) => Step::Ban(None),
            ("ban", Some(d)) => Step::Ban(Some(parse_duration(d)?)),
            _ => {
                return Err(format!(
                    "unknown action `{s}`; expected delete, warn, reply, post, flag, label, \
                     timeout, timeout:<duration>, kick, ban or ban:<duration>"
                ))
            }
        };
        Ok(step)
    }

    /// Steps of the same kind replace each other; this orders the output.
    fn rank(self) -> u8 {
        match self {
            Step::Delete => 0,
            Step::Flag => 1,
            Step::Label => 2,
            Step::Warn => 3,
            Step::Reply => 4,
            Step::Post => 5,
            Step::Timeout(_) => 6,
            Step::Kick => 7,
            Step::Ban(_) => 8,
        }
    }
}

/// Parses `600`, `30s`, `10m`, `2h`, `7d`, `1w` into seconds.
pub fn parse_duration(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(p) => (&s[..p], s[p..].trim()),
        None => (s, ""),
    };
    let mult: u64 = match unit {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "bad duration `{s}`; use seconds or 30s, 10m, 2h, 7d, 1w"
            ))
        }
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("bad duration `{s}`; use seconds or 30s, 10m, 2h, 7d, 1w"))?;
    let secs = n.saturating_mul(mult);
    if secs == 0 || secs > u32::MAX as u64 {
        return Err(format!(
            "duration `{s}` must be between 1 second and 136 years"
        ));
    }
    Ok(secs as u32)
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub priority: i64,
    events: Vec<EventKind>,
    channels: Vec<String>,
    exempt_channels: Vec<String>,
    roles: Vec<String>,
    exempt_roles: Vec<String>,
    include_staff: bool,
    account_age_below_days: Option<u32>,
    word_list: bool,
    words: Option<Lexicon>,
    classifier: Option<f32>,
    /// `allow_words` and the default allow list, as the classifier reads
    /// words.
    classifier_allow: Vec<String>,
    patterns: Vec<Regex>,
    links: Option<LinksConfig>,
    /// `links.allow` and `links.deny`, read.
    links_allow: Vec<DomainPattern>,
    links_deny: Vec<DomainPattern>,
    caps: Option<CapsConfig>,
    symbols: Option<SymbolsConfig>,
    mentions: Option<MentionsConfig>,
    flood: Option<FloodConfig>,
    duplicates: Option<DuplicatesConfig>,
    actions: Vec<Step>,
    ladder: Vec<Step>,
    strike_weight: u32,
    warning: Option<String>,
}

/// Why a rule matched: what was found and the span of the original text.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub what: String,
    pub span: String,
}

/// The compiled configuration.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    lexicon: Lexicon,
    invites: Vec<DomainPattern>,
    shorteners: Vec<DomainPattern>,
    exempt_staff: bool,
    exempt_roles: Vec<String>,
    strike_decay_ms: i64,
    warning_cooldown_ms: i64,
    default_lang: Lang,
    user_keep: Option<Keep>,
    shared_keep: Option<Keep>,
}

fn parse_lang(s: &str) -> Option<Lang> {
    match s {
        "fr" => Some(Lang::Fr),
        "en" => Some(Lang::En),
        _ => None,
    }
}

fn words_entries(words: &[String]) -> Vec<ListEntry> {
    words.iter().flat_map(|w| lists::parse_list(w)).collect()
}

fn compile_rule(cfg: RuleConfig, allow: &[String]) -> Result<Rule, String> {
    if cfg.id.trim().is_empty() || cfg.id.len() > 64 {
        return Err("id: must be 1 to 64 characters".into());
    }
    let mut events = Vec::new();
    for e in &cfg.events {
        events.push(match e.as_str() {
            "message" => EventKind::Message,
            "edit" => EventKind::Edit,
            other => {
                return Err(format!(
                    "events: automod only sees `message` and `edit` events, not `{other}`"
                ))
            }
        });
    }
    if events.is_empty() {
        events = vec![EventKind::Message, EventKind::Edit];
    }
    if let Some(min) = cfg.classifier {
        if !(0.0..=1.0).contains(&min) {
            return Err(format!("classifier: {min} is not a score between 0 and 1"));
        }
    }
    let has_condition = cfg.word_list
        || cfg.classifier.is_some()
        || !cfg.words.is_empty()
        || !cfg.patterns.is_empty()
        || cfg.links.is_some()
        || cfg.caps.is_some()
        || cfg.symbols.is_some()
        || cfg.mentions.is_some()
        || cfg.flood.is_some()
        || cfg.duplicates.is_some();
    if !has_condition {
        return Err(
            "a rule needs at least one condition: word_list, words, patterns, links, \
                    caps, symbols, mentions, flood or duplicates"
                .into(),
        );
    }
    let words = if cfg.words.is_empty() {
        None
    } else {
        Some(Lexicon::new(&words_entries(&cfg.words), allow).map_err(|e| format!("words: {e}"))?)
    };
    if cfg.patterns.len() > MAX_PATTERNS {
        return Err(format!(
            "patterns: at most {MAX_PATTERNS} patterns per rule"
        ));
    }
    let mut patterns = Vec::new();
    for (i, p) in cfg.patterns.iter().enumerate() {
        if p.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "patterns[{i}]: longer than {MAX_PATTERN_LEN} bytes"
            ));
        }
        let re = RegexBuilder::new(p)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .nest_limit(64)
            .build()
            .map_err(|e| format!("patterns[{i}]: {e}"))?;
        patterns.push(re);
    }
    if let Some(l) = &cfg.links {
        if !(l.any || l.invites || l.shorteners || !l.deny.is_empty() || l.max.is_some()) {
            return Err("links: set at least one of any, invites, shorteners, deny or max".into());
        }
    }
    if let Some(c) = &cfg.caps {
        if !(c.ratio > 0.0 && c.ratio <= 1.0) {
            return Err("caps.ratio: must be between 0 (excluded) and 1".into());
        }
    }
    if let Some(s) = &cfg.symbols {
        if !(s.ratio > 0.0 && s.ratio <= 1.0) {
            return Err("symbols.ratio: must be between 0 (excluded) and 1".into());
        }
    }
    if let Some(f) = &cfg.flood {
        if !(1..=flood::MAX_ENTRIES as u32).contains(&f.messages) {
            return Err(format!(
                "flood.messages: must be between 1 and {}",
                flood::MAX_ENTRIES
            ));
        }
        if !(1..=MAX_WINDOW_S).contains(&f.seconds) {
            return Err(format!(
                "flood.seconds: must be between 1 and {MAX_WINDOW_S}"
            ));
        }
    }
    if let Some(d) = &cfg.duplicates {
        if !(2..=flood::MAX_ENTRIES as u32).contains(&d.count) {
            return Err(format!(
                "duplicates.count: must be between 2 and {}",
                flood::MAX_ENTRIES
            ));
        }
        if !(1..=MAX_WINDOW_S).contains(&d.seconds) {
            return Err(format!(
                "duplicates.seconds: must be between 1 and {MAX_WINDOW_S}"
            ));
        }
    }
    if cfg.actions.is_empty() {
        return Err("actions: give at least one action (e.g. [\"delete\", \"warn\"])".into());
    }
    let parse_steps = |key: &str, list: &[String]| -> Result<Vec<Step>, String> {
        list.iter()
            .enumerate()
            .map(|(i, s)| Step::parse(s).map_err(|e| format!("{key}[{i}]: {e}")))
            .collect()
    };
    let actions = parse_steps("actions", &cfg.actions)?;
    let ladder = parse_steps("ladder", &cfg.ladder)?;
    if !ladder.is_empty() && cfg.strike_weight == 0 {
        return Err("strike_weight: a rule with a ladder must add strikes (1 or more)".into());
    }
    Ok(Rule {
        id: cfg.id,
        priority: cfg.priority,
        events,
        channels: cfg.channels,
        exempt_channels: cfg.exempt_channels,
        roles: cfg.roles,
        exempt_roles: cfg.exempt_roles,
        include_staff: cfg.include_staff,
        account_age_below_days: cfg.account_age_below_days,
        word_list: cfg.word_list,
        classifier: cfg.classifier.map(|m| m as f32),
        classifier_allow: allow.iter().map(|w| abuse::allow_key(w)).collect(),
        words,
        patterns,
        links_allow: cfg
            .links
            .as_ref()
            .map(|l| links::domain_patterns(&l.allow))
            .unwrap_or_default(),
        links_deny: cfg
            .links
            .as_ref()
            .map(|l| links::domain_patterns(&l.deny))
            .unwrap_or_default(),
        links: cfg.links,
        caps: cfg.caps,
        symbols: cfg.symbols,
        mentions: cfg.mentions,
        flood: cfg.flood,
        duplicates: cfg.duplicates,
        actions,
        ladder,
        strike_weight: cfg.strike_weight,
        warning: cfg.warning,
    })
}

fn has_role(roles: &[String], wanted: &[String]) -> bool {
    roles
        .iter()
        .any(|r| wanted.iter().any(|w| w.eq_ignore_ascii_case(r)))
}

/// Everything about the event that rules look at, computed once (the
/// language and the links when a rule first needs them).
struct Ctx<'a> {
    event: &'a Event,
    norm: &'a Normalized,
    default_lang: Lang,
    /// The message's language, if it can be told.
    lang: std::cell::OnceCell<Option<Lang>>,
    links: std::cell::OnceCell<Vec<Link>>,
    now: i64,
    /// Letters and digits of the message.
    chars: usize,
    fingerprint: u64,
    command: bool,
    user_window: Option<Vec<Seen>>,
    shared_window: Option<Vec<Seen>>,
}

impl Ctx<'_> {
    /// The message's language, if it can be told.
    fn lang(&self) -> Option<Lang> {
        *self.lang.get_or_init(|| lists::guess_lang(self.norm))
    }

    /// The language that decides which `[fr]`/`[en]` entries apply: the
    /// message's, else the config's `default_language`.
    fn gate(&self) -> Option<Lang> {
        Some(self.lang().unwrap_or(self.default_lang))
    }

    /// The links of the message.
    fn links(&self) -> &[Link] {
        self.links.get_or_init(|| links::find_links(self.norm))
    }
}

fn shorten(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(4 * max_chars + 3));
    push_shortened(&mut out, s, max_chars);
    out
}

/// Appends `s`, cut after `max_chars` characters with `…`.
fn push_shortened(out: &mut String, s: &str, max_chars: usize) {
    match s.char_indices().nth(max_chars) {
        None => out.push_str(s),
        Some((cut, _)) => {
            out.push_str(&s[..cut]);
            out.push('…');
        }
    }
}

/// The pieces one after the other (as `format!` would write them).
fn cat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        out.push_str(p);
    }
    out
}

/// A number written in decimal on the stack.
struct Dec {
    buf: [u8; 20],
    start: usize,
}

impl Dec {
    fn new(n: u32) -> Dec {
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        let mut v = n;
        loop {
            start -= 1;
            buf[start] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        Dec { buf, start }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or_default()
    }
}

/// Emoji, pictographs, arrows, dingbats…: not letters, digits, spaces,
/// punctuation or currency signs.
fn is_symbol(c: char) -> bool {
    let u = c as u32;
    u >= 0x2100
        && !c.is_alphanumeric()
        && !c.is_whitespace()
        && !is_invisible(c)
        && !is_combining_mark(c)
        && !(0x3000..=0x303F).contains(&u)
        && !(0xFE30..=0xFE6F).contains(&u)
        && !(0xFF00..=0xFF65).contains(&u)
}

fn count_mentions(text: &str) -> u32 {
    if !text.contains('@') {
        return 0;
    }
    let mut n = 0;
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '@' {
            let before_ok = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '<' | '(' | ','));
            let after_ok = chars
                .peek()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '!' | '&'));
            if before_ok && after_ok {
                n += 1;
            }
        }
        prev = Some(c);
    }
    n
}

impl Rule {
    fn applies(&self, engine: &Engine, event: &Event) -> bool {
        let a = &event.author;
        self.events.contains(&event.kind)
            && (self.channels.is_empty() || self.channels.contains(&event.channel))
            && !self.exempt_channels.contains(&event.channel)
            && !(a.is_staff && engine.exempt_staff && !self.include_staff)
            && !has_role(&a.roles, &engine.exempt_roles)
            && !has_role(&a.roles, &self.exempt_roles)
            && (self.roles.is_empty() || has_role(&a.roles, &self.roles))
            && self
                .account_age_below_days
                .is_none_or(|max| a.account_age_days.is_some_and(|d| d < max))
    }

    /// The evidence when every condition of the rule holds.
    fn check(&self, engine: &Engine, ctx: &Ctx) -> Option<Evidence> {
        let text = ctx.event.text.as_str();
        let mut evidence: Option<Evidence> = None;
        let mut note = |e: Evidence| {
            if evidence.is_none() {
                evidence = Some(e);
            }
        };
        if self.word_list || self.words.is_some() {
            let hit = self
                .word_list
                .then(|| engine.lexicon.find(ctx.norm, text, ctx.gate()))
                .flatten()
                .or_else(|| self.words.as_ref()?.find(ctx.norm, text, ctx.gate()))?;
            // A listed word in an innocent place (quoted or reported, aimed
            // at oneself, part of a name, talked about, an animal or a
            // dish) is not what the list is for.
            if self.word_list && abuse::innocent_span(text, ctx.norm, hit.start, hit.end).is_some()
            {
                return None;
            }
            let span = &text[hit.start..hit.end];
            let what = if lists::same_word(span, &hit.entry) {
                "word".to_string()
            } else {
                cat(&["word \"", &hit.entry, "\""])
            };
            note(Evidence {
                what,
                span: span.to_string(),
            });
        }
        if let Some(min) = self.classifier {
            let verdict = abuse::classify(text, ctx.norm, &self.classifier_allow)
                .filter(|v| v.score >= min)?;
            note(Evidence {
                what: format!(
                    "{} (abuse classifier {:.2})",
                    verdict.kind.name(),
                    verdict.score
                ),
                span: text[verdict.start..verdict.end].to_string(),
            });
        }
        if !self.patterns.is_empty() {
            let span = self.patterns.iter().find_map(|re| {
                let m = re.find(&ctx.norm.folded)?;
                let (s, e) = ctx.norm.folded_span(m.start(), m.end())?;
                Some(text[s..e].to_string())
            })?;
            note(Evidence {
                what: "pattern".into(),
                span,
            });
        }
        if let Some(l) = &self.links {
            note(self.check_links(l, engine, ctx)?);
        }
        if let Some(c) = &self.caps {
            let letters = text
                .chars()
                .filter(|c| c.is_uppercase() || c.is_lowercase());
            let (mut upper, mut total) = (0u32, 0u32);
            for ch in letters {
                total += 1;
                upper += ch.is_uppercase() as u32;
            }
            if total < c.min_letters || (upper as f64) < c.ratio * total as f64 {
                return None;
            }
            note(Evidence {
                what: cat(&[Dec::new(upper * 100 / total.max(1)).as_str(), "% capitals"]),
                span: shorten(text, 60),
            });
        }
        if let Some(s) = &self.symbols {
            let symbols = text.chars().filter(|&c| is_symbol(c)).count() as u32;
            let alnum = text.chars().filter(|c| c.is_alphanumeric()).count() as u32;
            if symbols < s.min_count || (symbols as f64) < s.ratio * (symbols + alnum) as f64 {
                return None;
            }
            note(Evidence {
                what: cat(&[Dec::new(symbols).as_str(), " emoji or symbols"]),
                span: shorten(text, 60),
            });
        }
        if let Some(m) = &self.mentions {
            let n = count_mentions(text);
            if n <= m.max {
                return None;
            }
            note(Evidence {
                what: cat(&[
                    Dec::new(n).as_str(),
                    " mentions (max ",
                    Dec::new(m.max).as_str(),
                    ")",
                ]),
                span: String::new(),
            });
        }
        if let Some(f) = &self.flood {
            let window = ctx.user_window.as_ref()?;
            let n = flood::within(window, ctx.now, f.seconds).count() as u32;
            if n < f.messages {
                return None;
            }
            note(Evidence {
                what: cat(&[
                    Dec::new(n).as_str(),
                    " messages in ",
                    Dec::new(f.seconds).as_str(),
                    " s",
                ]),
                span: String::new(),
            });
        }
        if let Some(d) = &self.duplicates {
            if ctx.chars < d.min_chars as usize || (d.ignore_commands && ctx.command) {
                return None;
            }
            let window = if d.across_users {
                ctx.shared_window.as_ref()?
            } else {
                ctx.user_window.as_ref()?
            };
            let n = flood::within(window, ctx.now, d.seconds)
                .filter(|e| e.fingerprint == ctx.fingerprint)
                .count() as u32;
            if n < d.count {
                return None;
            }
            let who = if d.across_users { "" } else { " by this user" };
            note(Evidence {
                what: cat(&[
                    "same message ",
                    Dec::new(n).as_str(),
                    " times in ",
                    Dec::new(d.seconds).as_str(),
                    " s",
                    who,
                ]),
                span: shorten(text, 60),
            });
        }
        evidence
    }

    fn check_links(&self, l: &LinksConfig, engine: &Engine, ctx: &Ctx) -> Option<Evidence> {
        let text = ctx.event.text.as_str();
        let counted: Vec<&Link> = ctx
            .links()
            .iter()
            .filter(|k| !self.links_allow.iter().any(|a| a.matches(k)))
            .collect();
        for k in &counted {
            let what = if l.invites && engine.invites.iter().any(|p| p.matches(k)) {
                "invite link"
            } else if self.links_deny.iter().any(|d| d.matches(k)) {
                "link to a denied domain"
            } else if l.shorteners && engine.shorteners.iter().any(|p| p.matches(k)) {
                "shortened link"
            } else if l.any {
                "link"
            } else {
                continue;
            };
            return Some(Evidence {
                what: what.into(),
                span: text[k.start..k.end].to_string(),
            });
        }
        let max = l.max?;
        let extra = counted.get(max as usize)?;
        Some(Evidence {
            what: format!("{} links (max {max})", counted.len()),
            span: text[extra.start..extra.end].to_string(),
        })
    }
}

thread_local! {
    /// The buffers of the last normalised message, reused.
    static NORMALIZED: std::cell::RefCell<Normalized> = std::cell::RefCell::new(Normalized::empty());
}

const WARN_FR_DELETED: &str = "{user}, ton message a été supprimé par la modération automatique \
(règle « {rule} »). Merci de respecter les règles de la communauté.";
const WARN_FR_KEPT: &str =
    "{user}, attention : ce message enfreint la règle « {rule} » de la communauté. Merci de rester courtois.";
const WARN_EN_DELETED: &str = "{user}, your message was removed by automatic moderation \
(rule “{rule}”). Please follow the community rules.";
const WARN_EN_KEPT: &str =
    "{user}, heads-up: this message breaks the community rule “{rule}”. Please keep it friendly.";

impl Engine {
    /// Compiles a parsed config.
    pub fn new(config: Config) -> Result<Engine, String> {
        abuse::warm_up();
        let prefix = |e: String| format!("automod config: {e}");
        let mut entries: Vec<ListEntry> = Vec::new();
        let mut allow: Vec<String> = config.allow_words.clone();
        for lang in &config.languages {
            let list = lists::default_list(lang).ok_or_else(|| {
                prefix(format!(
                    "languages: unknown language `{lang}`; expected fr or en"
                ))
            })?;
            if config.use_default_lists {
                entries.extend(list);
            }
        }
        if config.use_default_lists {
            allow.extend(
                lists::parse_list(lists::ALLOW_LIST)
                    .into_iter()
                    .map(|e| e.text),
            );
        }
        entries.extend(words_entries(&config.extra_words));
        let lexicon =
            Lexicon::new(&entries, &allow).map_err(|e| prefix(format!("extra_words: {e}")))?;
        let default_lang = parse_lang(&config.default_language).ok_or_else(|| {
            prefix(format!(
                "default_language: unknown language `{}`; expected fr or en",
                config.default_language
            ))
        })?;

        // Built-in rules first, then the community's; same id replaces.
        let builtin = config::default_rules();
        let keep: Vec<String> = match &config.default_rules {
            Some(names) => {
                for n in names {
                    if !builtin.iter().any(|r| &r.id == n) {
                        let known: Vec<&str> = builtin.iter().map(|r| r.id.as_str()).collect();
                        return Err(prefix(format!(
                            "default_rules: unknown built-in rule `{n}`; expected some of {}",
                            known.join(", ")
                        )));
                    }
                }
                names.clone()
            }
            None => builtin.iter().map(|r| r.id.clone()).collect(),
        };
        let mut seen = std::collections::HashSet::new();
        for (i, r) in config.rules.iter().enumerate() {
            if !seen.insert(r.id.clone()) {
                return Err(prefix(format!(
                    "rules[{i}]: duplicate rule id \"{}\"",
                    r.id
                )));
            }
        }
        let mut rules = Vec::new();
        for r in builtin {
            if keep.contains(&r.id) && !seen.contains(&r.id) {
                let id = r.id.clone();
                rules.push(
                    compile_rule(r, &allow)
                        .map_err(|e| prefix(format!("built-in rule {id}: {e}")))?,
                );
            }
        }
        for (i, r) in config.rules.into_iter().enumerate() {
            if !r.enabled {
                continue;
            }
            let id = r.id.clone();
            rules.push(
                compile_rule(r, &allow)
                    .map_err(|e| prefix(format!("rules[{i}] (\"{id}\"): {e}")))?,
            );
        }
        rules.sort_by_key(|r| r.priority);

        let mut user_keep: Option<Keep> = None;
        let mut shared_keep: Option<Keep> = None;
        let need = |slot: &mut Option<Keep>, k: Keep| {
            *slot = Some(slot.map_or(k, |s| s.max_with(k)));
        };
        for r in &rules {
            if let Some(f) = &r.flood {
                need(
                    &mut user_keep,
                    Keep {
                        ms: f.seconds as i64 * 1000,
                        max: f.messages as usize,
                    },
                );
            }
            if let Some(d) = &r.duplicates {
                let k = Keep {
                    ms: d.seconds as i64 * 1000,
                    max: (d.count as usize * 4 + 8).min(flood::MAX_ENTRIES),
                };
                if d.across_users {
                    need(
                        &mut shared_keep,
                        Keep {
                            ms: k.ms,
                            max: flood::MAX_ENTRIES,
                        },
                    );
                } else {
                    need(&mut user_keep, k);
                }
            }
        }
        Ok(Engine {
            rules,
            lexicon,
            invites: match &config.invite_domains {
                Some(domains) => links::domain_patterns(domains),
                None => links::domain_patterns(links::DEFAULT_INVITES),
            },
            shorteners: links::domain_patterns(links::SHORTENERS),
            exempt_staff: config.exempt_staff,
            exempt_roles: config.exempt_roles,
            strike_decay_ms: config
                .strike_decay_s
                .saturating_mul(1000)
                .min(i64::MAX as u64) as i64,
            warning_cooldown_ms: config
                .warning_cooldown_s
                .saturating_mul(1000)
                .min(i64::MAX as u64) as i64,
            default_lang,
            user_keep,
            shared_keep,
        })
    }

    /// Parses and compiles a JSON config.
    pub fn from_json(json: &str) -> Result<Engine, String> {
        Engine::new(config::parse(json)?)
    }

    /// The rules, in evaluation order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of entries of the word list.
    pub fn word_count(&self) -> usize {
        self.lexicon.len()
    }

    /// The tick's housekeeping: deletes per-user windows and strike records
    /// that no longer count (at most [`SWEEP_LIMIT`] of each kind are looked
    /// at; expired keys go, so the next tick reaches further). Returns how
    /// many keys it deleted.
    pub fn sweep(&self, host: &mut impl Host, now: i64) -> usize {
        let keep_ms = self.user_keep.map(|k| k.ms);
        flood::sweep_users(host, now, keep_ms, SWEEP_LIMIT)
            + strikes::sweep(host, now, self.strike_decay_ms, SWEEP_LIMIT)
            + strikes::sweep_warnings(host, now, self.warning_cooldown_ms, SWEEP_LIMIT)
    }

    /// Decides what to do about one event.
    pub fn handle(&self, host: &mut impl Host, event: &Event) -> Vec<Action> {
        if !matches!(event.kind, EventKind::Message | EventKind::Edit) {
            return Vec::new();
        }
        // The normalised text goes in buffers kept from one event to the
        // next (taken out, so that a nested call would get its own).
        let mut norm =
            NORMALIZED.with(|n| std::mem::replace(&mut *n.borrow_mut(), Normalized::empty()));
        norm.renew(&event.text);
        let out = self.decide(host, event, &norm);
        NORMALIZED.with(|n| *n.borrow_mut() = norm);
        out
    }

    fn decide(&self, host: &mut impl Host, event: &Event, norm: &Normalized) -> Vec<Action> {
        // The letters and digits of the words, and their fingerprint (the
        // folded text's when there are none).
        let (hash, chars) = flood::fingerprint_and_count(norm);
        let fingerprint = if chars >= 1 {
            hash
        } else {
            flood::fnv(norm.folded.trim().bytes())
        };
        let command = matches!(event.text.trim_start().chars().next(), Some('!' | '/'));
        let now = host.now_ms();
        let mut ctx = Ctx {
            event,
            norm,
            default_lang: self.default_lang,
            lang: std::cell::OnceCell::new(),
            links: std::cell::OnceCell::new(),
            now,
            chars,
            fingerprint,
            command,
            user_window: None,
            shared_window: None,
        };
        if event.kind == EventKind::Message {
            if let Some(keep) = self.user_keep {
                ctx.user_window = Some(flood::record_user(
                    host,
                    &event.author.id,
                    now,
                    fingerprint,
                    keep,
                ));
            }
            if let Some(keep) = self.shared_keep {
                let min_chars = self
                    .rules
                    .iter()
                    .filter_map(|r| r.duplicates.as_ref().filter(|d| d.across_users))
                    .map(|d| d.min_chars as usize)
                    .min()
                    .unwrap_or(0);
                if chars >= min_chars && !command {
                    ctx.shared_window = Some(flood::record_shared(
                        host,
                        &event.author.id,
                        now,
                        fingerprint,
                        keep,
                    ));
                }
            }
        }
        for rule in &self.rules {
            if !rule.applies(self, event) {
                continue;
            }
            if let Some(evidence) = rule.check(self, &ctx) {
                return self.act(host, rule, &evidence, &ctx);
            }
        }
        Vec::new()
    }

    fn act(&self, host: &mut impl Host, rule: &Rule, ev: &Evidence, ctx: &Ctx) -> Vec<Action> {
        let event = ctx.event;
        let mut steps: Vec<Step> = Vec::new();
        let add = |s: Step, steps: &mut Vec<Step>| {
            steps.retain(|x| x.rank() != s.rank());
            steps.push(s);
        };
        for &s in &rule.actions {
            add(s, &mut steps);
        }
        let mut reason = String::with_capacity(40 + rule.id.len() + ev.what.len() + ev.span.len());
        for piece in ["automod rule \"", &rule.id, "\": ", &ev.what] {
            reason.push_str(piece);
        }
        if !ev.span.is_empty() {
            reason.push_str(" « ");
            push_shortened(&mut reason, &ev.span, 80);
            reason.push_str(" »");
        }
        let mut strikes = 0;
        if rule.strike_weight > 0 {
            strikes = strikes::add(
                host,
                &event.author.id,
                ctx.now,
                self.strike_decay_ms,
                rule.strike_weight,
            );
            if !rule.ladder.is_empty() {
                let step = rule.ladder[(strikes as usize).clamp(1, rule.ladder.len()) - 1];
                add(step, &mut steps);
                for piece in [" (strike ", Dec::new(strikes).as_str(), ")"] {
                    reason.push_str(piece);
                }
            }
        }
        steps.sort_by_key(|s| s.rank());
        // One warning per user per cooldown: a spammer's ten links are ten
        // deletions, not ten warnings in the channel.
        let warns = |s: &Step| matches!(s, Step::Warn | Step::Reply | Step::Post);
        if steps.iter().any(warns) && self.warning_cooldown_ms > 0 {
            if strikes::warned_within(host, &event.author.id, ctx.now, self.warning_cooldown_ms) {
                steps.retain(|s| !warns(s));
            } else {
                strikes::set_warned(host, &event.author.id, ctx.now);
            }
        }
        let deleting = steps.contains(&Step::Delete);
        let target = match event.kind {
            EventKind::Edit => event
                .target_message
                .clone()
                .unwrap_or_else(|| event.id.clone()),
            _ => event.id.clone(),
        };
        let warning = || {
            let template = rule.warning.as_deref().unwrap_or(
                match (ctx.lang().unwrap_or(self.default_lang), deleting) {
                    (Lang::Fr, true) => WARN_FR_DELETED,
                    (Lang::Fr, false) => WARN_FR_KEPT,
                    (Lang::En, true) => WARN_EN_DELETED,
                    (Lang::En, false) => WARN_EN_KEPT,
                },
            );
            template
                .replace("{user}", &cat(&["@", &event.author.name]))
                .replace("{rule}", &rule.id)
                .replace("{match}", &ev.span)
        };
        let post = |text: String| {
            Action::Post(PostAction {
                channel: event.channel.clone(),
                text,
                reason: reason.clone(),
            })
        };
        let reply = |text: String| {
            Action::Reply(ReplyAction {
                to_message: target.clone(),
                text,
                reason: reason.clone(),
            })
        };
        steps
            .into_iter()
            .map(|s| match s {
                Step::Delete => Action::Delete(DeleteAction {
                    message_id: target.clone(),
                    reason: reason.clone(),
                }),
                Step::Flag => Action::Flag(FlagAction {
                    message_id: target.clone(),
                    reason: reason.clone(),
                }),
                Step::Label => Action::Label(LabelAction {
                    key: cat(&["automod.", &rule.id]),
                    value: strikes.max(1) as f64,
                    note: (!ev.span.is_empty()).then(|| shorten(&ev.span, 80)),
                    reason: reason.clone(),
                }),
                Step::Warn if deleting => post(warning()),
                Step::Warn | Step::Reply => reply(warning()),
                Step::Post => post(warning()),
                Step::Timeout(d) => act::timeout(event, d, reason.clone()),
                Step::Kick => act::kick(event, reason.clone()),
                Step::Ban(d) => act::ban(event, d, reason.clone()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_sdk::{test_event, TestHost};

    fn engine(json: &str) -> Engine {
        Engine::from_json(json).unwrap()
    }

    fn kinds(actions: &[Action]) -> Vec<&'static str> {
        actions
            .iter()
            .map(|a| match a {
                Action::Delete(_) => "delete",
                Action::Reply(_) => "reply",
                Action::Post(_) => "post",
                Action::React(_) => "react",
                Action::Timeout(_) => "timeout",
                Action::Kick(_) => "kick",
                Action::Ban(_) => "ban",
                Action::Flag(_) => "flag",
                Action::Label(_) => "label",
                Action::Alert(_) => "alert",
                Action::DirectMessage(_) => "dm",
                Action::Stop(_) => "stop",
            })
            .collect()
    }

    fn reason(a: &Action) -> String {
        match a {
            Action::Delete(d) => d.reason.clone(),
            Action::Post(p) => p.reason.clone(),
            Action::Reply(r) => r.reason.clone(),
            Action::Timeout(t) => t.reason.clone(),
            Action::Flag(f) => f.reason.clone(),
            _ => String::new(),
        }
    }

    #[test]
    fn parses_steps_and_durations() {
        assert_eq!(Step::parse("timeout:10m"), Ok(Step::Timeout(600)));
        assert_eq!(Step::parse("timeout"), Ok(Step::Timeout(600)));
        assert_eq!(Step::parse("ban:7d"), Ok(Step::Ban(Some(604_800))));
        assert_eq!(Step::parse("BAN"), Ok(Step::Ban(None)));
        assert!(Step::parse("bann")
            .unwrap_err()
            .contains("unknown action `bann`"));
        assert!(Step::parse("timeout:0").is_err());
        assert!(Step::parse("timeout:3x").is_err());
    }

    #[test]
    fn bare_config_deletes_and_warns_in_the_channel() {
        let e = engine("{}");
        let mut host = TestHost::new();
        let ev = test_event("m1", "u1", "t'es vraiment un c0nnard");
        let out = e.handle(&mut host, &ev);
        assert_eq!(kinds(&out), vec!["delete", "post"]);
        let r = reason(&out[0]);
        assert!(r.contains("bad-words") && r.contains("« c0nnard »"), "{r}");
        match &out[1] {
            Action::Post(p) => {
                assert_eq!(p.channel, "general");
                assert!(
                    p.text.starts_with("@u1, ton message a été supprimé"),
                    "{}",
                    p.text
                );
            }
            other => panic!("{other:?}"),
        }
        let clean = test_event("m2", "u1", "Merci pour le concours, la classe !");
        assert!(e.handle(&mut host, &clean).is_empty());
    }

    #[test]
    fn staff_are_exempt_by_default() {
        let e = engine("{}");
        let mut host = TestHost::new();
        let mut ev = test_event("m1", "mod", "putain de bug");
        ev.author.is_staff = true;
        assert!(e.handle(&mut host, &ev).is_empty());
        let e = engine(
            r#"{"default_rules": [], "rules": [{"id": "all", "word_list": true, "include_staff": true, "actions": ["flag"]}]}"#,
        );
        assert_eq!(kinds(&e.handle(&mut host, &ev)), vec!["flag"]);
    }

    #[test]
    fn first_matching_rule_by_priority_acts_alone() {
        let e = engine(
            r#"{"default_rules": [], "rules": [
                {"id": "late", "priority": 50, "words": ["spam"], "actions": ["delete"]},
                {"id": "early", "priority": 5, "words": ["spam"], "actions": ["flag"]}
            ]}"#,
        );
        let out = e.handle(&mut TestHost::new(), &test_event("m", "u", "spam spam"));
        assert_eq!(kinds(&out), vec!["flag"]);
        assert!(reason(&out[0]).contains("\"early\""));
    }

    #[test]
    fn warn_without_delete_is_a_reply() {
        let e = engine(
            r#"{"default_rules": [], "rules": [{"id": "polite", "words": ["nul"], "actions": ["warn", "label"]}]}"#,
        );
        let out = e.handle(&mut TestHost::new(), &test_event("m9", "u", "c'est nul"));
        assert_eq!(kinds(&out), vec!["label", "reply"]);
        match &out[1] {
            Action::Reply(r) => {
                assert_eq!(r.to_message, "m9");
                assert!(r.text.contains("attention"), "{}", r.text);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn edits_act_on_the_edited_message() {
        let e = engine("{}");
        let mut ev = test_event("e1", "u", "espèce de salope");
        ev.kind = EventKind::Edit;
        ev.target_message = Some("m1".into());
        let out = e.handle(&mut TestHost::new(), &ev);
        match &out[0] {
            Action::Delete(d) => assert_eq!(d.message_id, "m1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn escalation_ladder_with_decay() {
        let e = engine(
            r#"{"default_rules": [], "strike_decay_s": 3600, "rules": [{"id": "insults", "word_list": true,
                "actions": ["delete"], "ladder": ["warn", "timeout:600", "timeout:86400", "ban"]}]}"#,
        );
        let mut host = TestHost::new().at(1_000_000);
        let run =
            |host: &mut TestHost| kinds(&e.handle(host, &test_event("m", "troll", "connard")));
        assert_eq!(run(&mut host), vec!["delete", "post"]);
        assert_eq!(run(&mut host), vec!["delete", "timeout"]);
        assert_eq!(run(&mut host), vec!["delete", "timeout"]);
        assert_eq!(run(&mut host), vec!["delete", "ban"]);
        assert_eq!(run(&mut host), vec!["delete", "ban"]);
        // Five strikes; three hours later two are left: the next is the third.
        host.now_ms += 3 * 3_600_000;
        let out = e.handle(&mut host, &test_event("m", "troll", "connard"));
        match &out[1] {
            Action::Timeout(t) => assert_eq!(t.duration_s, 86_400),
            other => panic!("{other:?}"),
        }
        assert!(reason(&out[0]).contains("(strike 3)"));
    }

    #[test]
    fn ticks_sweep_windows_and_strikes_that_no_longer_count() {
        // The default rules keep per-user windows (flood, repeats); strikes
        // decay one an hour.
        let e = engine(
            r#"{"default_rules": ["flood", "repeats"], "strike_decay_s": 3600, "rules": [{"id": "insults",
                "word_list": true, "actions": ["delete"], "ladder": ["warn", "timeout:600"]}]}"#,
        );
        let mut host = TestHost::new().at(1_000_000);
        for i in 0..1000 {
            let user = format!("u{i:04}");
            e.handle(&mut host, &test_event(&format!("m{i}"), &user, "hello all"));
        }
        e.handle(&mut host, &test_event("x1", "troll", "connard"));
        e.handle(&mut host, &test_event("x2", "troll", "connard"));
        let count = |host: &TestHost, prefix: &str| {
            host.kv.keys().filter(|k| k.starts_with(prefix)).count()
        };
        assert_eq!(count(&host, "flood/"), 1001);
        assert_eq!(count(&host, "strikes/"), 1);
        // Within the window nothing goes.
        host.now_ms += 5_000;
        let now = host.now_ms;
        assert_eq!(e.sweep(&mut host, now), 0);
        // An hour later the windows are over; one strike of two is left.
        host.now_ms += 3_600_000;
        e.handle(&mut host, &test_event("late", "u0500", "still here"));
        let mut ticks = 0;
        while count(&host, "flood/") > 1 {
            let now = host.now_ms;
            e.sweep(&mut host, now);
            ticks += 1;
            assert!(ticks <= 4, "each tick reaches further");
        }
        assert!(host.kv.contains_key("flood/u0500"), "a live window stays");
        assert_eq!(count(&host, "strikes/"), 1);
        assert_eq!(count(&host, "warned/"), 0, "the warning's cooldown is over");
        // Two hours later the strikes have decayed to nothing.
        host.now_ms += 2 * 3_600_000;
        let now = host.now_ms;
        assert_eq!(e.sweep(&mut host, now), 2);
        assert_eq!(count(&host, "strikes/") + count(&host, "flood/"), 0);
        // The next insult counts as a first strike again.
        let out = e.handle(&mut host, &test_event("x3", "troll", "connard"));
        assert!(reason(&out[0]).contains("(strike 1)"), "{out:?}");
    }

    #[test]
    fn a_user_is_warned_once_per_cooldown() {
        let e = engine(r#"{"default_rules": ["bad-words"], "warning_cooldown_s": 300}"#);
        let mut host = TestHost::new().at(1_000_000);
        let say = |host: &mut TestHost, id: &str, who: &str, dt: i64| {
            host.now_ms += dt;
            kinds(&e.handle(host, &test_event(id, who, "connard")))
        };
        assert_eq!(say(&mut host, "m1", "troll", 0), vec!["delete", "post"]);
        // Deleted again, without a second warning in the channel.
        assert_eq!(say(&mut host, "m2", "troll", 10_000), vec!["delete"]);
        assert_eq!(say(&mut host, "m3", "troll", 200_000), vec!["delete"]);
        // Someone else is warned all the same.
        assert_eq!(say(&mut host, "m4", "other", 0), vec!["delete", "post"]);
        // Five minutes after the warning, another one.
        assert_eq!(
            say(&mut host, "m5", "troll", 90_000),
            vec!["delete", "post"]
        );
        // With 0, every time.
        let e = engine(r#"{"default_rules": ["bad-words"], "warning_cooldown_s": 0}"#);
        let mut host = TestHost::new().at(1_000_000);
        for id in ["n1", "n2"] {
            let out = e.handle(&mut host, &test_event(id, "troll", "connard"));
            assert_eq!(kinds(&out), vec!["delete", "post"]);
        }
        assert!(!host.kv.keys().any(|k| k.starts_with("warned/")));
    }

    #[test]
    fn with_no_window_rule_every_window_is_swept() {
        let e = engine(r#"{"default_rules": ["bad-words"]}"#);
        let mut host = TestHost::new().at(1_000_000);
        host.kv.insert("flood/old".into(), b"999000:1".to_vec());
        host.kv.insert("flood/new".into(), b"1000000:1".to_vec());
        assert_eq!(e.sweep(&mut host, 1_000_000), 2);
        assert!(host.kv.is_empty());
    }

    #[test]
    fn links_rules() {
        let e = engine(
            r#"{"default_rules": [], "rules": [
                {"id": "deny", "priority": 1, "links": {"deny": ["*.xyz", "evil.example"]}, "actions": ["delete"]},
                {"id": "shorteners", "priority": 2, "links": {"shorteners": true}, "actions": ["flag"]},
                {"id": "too-many", "priority": 3, "links": {"max": 2, "allow": ["acme.example"]}, "actions": ["flag"]},
                {"id": "only-ours", "priority": 4, "roles": ["newcomer"], "links": {"any": true, "allow": ["acme.example"]}, "actions": ["delete"]}
            ]}"#,
        );
        let mut host = TestHost::new();
        let check = |host: &mut TestHost, text: &str, roles: &[&str]| -> Option<String> {
            let mut ev = test_event("m", "u", text);
            ev.author.roles = roles.iter().map(|s| s.to_string()).collect();
            e.handle(host, &ev).first().map(reason)
        };
        assert!(check(&mut host, "go to https://win.xyz/now", &[])
            .unwrap()
            .contains("\"deny\""));
        assert!(check(&mut host, "see evil.example/a", &[])
            .unwrap()
            .contains("denied domain"));
        assert!(check(&mut host, "bit.ly/abc", &[])
            .unwrap()
            .contains("shortened link « bit.ly/abc »"));
        let r = check(&mut host, "a.com/1 b.com/2 c.com/3 acme.example/4", &[]).unwrap();
        assert!(
            r.contains("3 links (max 2)") && r.contains("c.com/3"),
            "{r}"
        );
        assert_eq!(
            check(&mut host, "a.com/1 acme.example/2 acme.example/3", &[]),
            None
        );
        assert!(check(&mut host, "a.com/1", &["newcomer"])
            .unwrap()
            .contains("only-ours"));
        assert_eq!(
            check(&mut host, "https://shop.acme.example/x", &["newcomer"]),
            None
        );
    }

    #[test]
    fn invites_and_new_accounts_by_default() {
        let e = engine("{}");
        let mut host = TestHost::new();
        let ev = test_event("m", "u", "join discord.gg/abcd");
        let out = e.handle(&mut host, &ev);
        assert!(reason(&out[0]).contains("invite link « discord.gg/abcd »"));
        let mut ev = test_event("m", "new", "my shop: https://example.com/x");
        ev.author.account_age_days = Some(2);
        let out = e.handle(&mut host, &ev);
        assert!(reason(&out[0]).contains("new-account-links"), "{out:?}");
        ev.author.account_age_days = Some(30);
        assert!(e.handle(&mut TestHost::new(), &ev).is_empty());
        ev.author.account_age_days = None;
        assert!(e.handle(&mut TestHost::new(), &ev).is_empty());
    }

    #[test]
    fn flood_window() {
        let e = engine(
            r#"{"default_rules": [], "rules": [{"id": "flood", "flood": {"messages": 4, "seconds": 10}, "actions": ["delete", "timeout:60"]}]}"#,
        );
        let mut host = TestHost::new().at(0);
        let mut results = Vec::new();
        for i in 0..6 {
            host.now_ms = i * 2_000;
            let out = e.handle(&mut host, &test_event("m", "u", &format!("message {i}")));
            results.push(out.len());
        }
        assert_eq!(results, vec![0, 0, 0, 2, 2, 2]);
        host.now_ms = 60_000;
        assert!(e
            .handle(&mut host, &test_event("m", "u", "calm"))
            .is_empty());
        // Someone else is not affected.
        host.now_ms = 10_001;
        assert!(e.handle(&mut host, &test_event("m", "v", "hi")).is_empty());
    }

    #[test]
    fn duplicates_per_user_and_across_users() {
        let e = engine(
            r#"{"default_rules": [], "rules": [
                {"id": "same-user", "duplicates": {"count": 3, "seconds": 60}, "actions": ["delete"]},
                {"id": "raid", "duplicates": {"count": 3, "seconds": 60, "across_users": true}, "actions": ["flag"]}
            ]}"#,
        );
        let mut host = TestHost::new().at(0);
        let send = |host: &mut TestHost, user: &str, text: &str| -> Vec<&'static str> {
            host.now_ms += 1_000;
            kinds(&e.handle(host, &test_event("m", user, text)))
        };
        assert!(send(&mut host, "a", "Free bitcoin!!! http://x.example").is_empty());
        assert!(send(&mut host, "a", "free BITCOIN http://x.example").is_empty());
        assert_eq!(
            send(&mut host, "a", "Free bitcoin http://x.example"),
            vec!["delete"]
        );
        assert!(send(&mut host, "b", "hello everyone, how are you").is_empty());
        assert!(send(&mut host, "c", "hello everyone, how are you").is_empty());
        assert_eq!(
            send(&mut host, "d", "hello everyone, how are you"),
            vec!["flag"]
        );
        // Commands and short messages are never duplicates.
        for u in ["e", "f", "g", "h"] {
            assert!(send(&mut host, u, "!participer").is_empty());
        }
        let keys = host.kv.keys().filter(|k| k.starts_with("dup/")).count();
        assert!(keys <= flood::BUCKETS as usize);
    }

    #[test]
    fn caps_symbols_mentions_patterns() {
        let e = engine(
            r#"{"default_rules": [], "rules": [
                {"id": "caps", "caps": {"ratio": 0.8, "min_letters": 10}, "actions": ["flag"]},
                {"id": "emoji", "symbols": {"ratio": 0.5, "min_count": 5}, "actions": ["flag"]},
                {"id": "mentions", "mentions": {"max": 3}, "actions": ["delete"]},
                {"id": "phone", "patterns": ["\\b0[67](\\s?\\d\\d){4}\\b"], "actions": ["delete"]}
            ]}"#,
        );
        let mut host = TestHost::new();
        let mut first = |text: &str| {
            e.handle(&mut host, &test_event("m", "u", text))
                .first()
                .map(reason)
        };
        assert!(first("THIS IS RIDICULOUS, CHARGED TWICE")
            .unwrap()
            .contains("\"caps\""));
        assert_eq!(first("OK THX"), None);
        assert!(first("🔥🔥🔥💰💰💰🤑 promo").unwrap().contains("\"emoji\""));
        assert_eq!(first("Merci 🙏"), None);
        assert!(first("@a @b @c @d hello").unwrap().contains("4 mentions"));
        assert_eq!(first("mail me a@b.c"), None);
        let r = first("appelle-moi au 06 12 34 56 78 !").unwrap();
        assert!(r.contains("« 06 12 34 56 78 »"), "{r}");
    }

    #[test]
    fn user_words_and_allow_words() {
        let e = engine(r#"{"extra_words": ["badword", "scam*"], "allow_words": ["con", "merde"]}"#);
        let mut host = TestHost::new();
        let mut hit = |text: &str| !e.handle(&mut host, &test_event("m", "u", text)).is_empty();
        assert!(hit("what a b4dw0rd"));
        assert!(hit("scammers everywhere"));
        assert!(!hit("sale con"));
        assert!(!hit("oh merde"));
        assert!(hit("connard"));
        let e = engine(r#"{"use_default_lists": false, "extra_words": ["zut"]}"#);
        let mut host = TestHost::new();
        assert!(e
            .handle(&mut host, &test_event("m", "u", "putain"))
            .is_empty());
        assert!(!e
            .handle(&mut host, &test_event("m", "u", "zut alors"))
            .is_empty());
    }

    #[test]
    fn config_errors_name_the_key() {
        let err = |json: &str| Engine::from_json(json).unwrap_err();
        assert!(err(r#"{"languages": ["de"]}"#).contains("languages: unknown language `de`"));
        assert!(err(r#"{"default_rules": ["nope"]}"#)
            .contains("default_rules: unknown built-in rule `nope`"));
        let e = err(r#"{"rules": [{"id": "x", "actions": ["delete", "bann"], "words": ["a"]}]}"#);
        assert!(
            e.contains("rules[0] (\"x\"): actions[1]: unknown action `bann`"),
            "{e}"
        );
        let e =
            err(r#"{"rules": [{"id": "x", "actions": ["delete"], "patterns": ["(unclosed"]}]}"#);
        assert!(e.contains("rules[0] (\"x\"): patterns[0]"), "{e}");
        let e = err(r#"{"rules": [{"id": "x", "actions": ["delete"]}]}"#);
        assert!(e.contains("at least one condition"), "{e}");
        let e = err(
            r#"{"rules": [{"id": "x", "actions": ["delete"], "words": ["a"]}, {"id": "x", "actions": ["delete"], "words": ["b"]}]}"#,
        );
        assert!(e.contains("duplicate rule id"), "{e}");
        let e = err(r#"{"rules": [{"id": "x", "actions": ["delete"], "links": {}}]}"#);
        assert!(e.contains("links: set at least one"), "{e}");
        let e = err(
            r#"{"rules": [{"id": "x", "actions": ["delete"], "patterns": ["(a{1000}){1000}"]}]}"#,
        );
        assert!(e.contains("patterns[0]"), "{e}");
    }

    #[test]
    fn user_rule_replaces_a_built_in_one() {
        let e =
            engine(r#"{"rules": [{"id": "bad-words", "word_list": true, "actions": ["flag"]}]}"#);
        let out = e.handle(&mut TestHost::new(), &test_event("m", "u", "putain"));
        assert_eq!(kinds(&out), vec!["flag"]);
        assert_eq!(e.rules().iter().filter(|r| r.id == "bad-words").count(), 1);
    }

    #[test]
    fn readme_example_config() {
        // The example of README.md, as the host hands it over (TOML → JSON).
        let e = engine(
            r#"{
            "use_default_lists": true, "languages": ["fr", "en"],
            "extra_words": ["badword", "scam*", "va te faire voir"], "allow_words": ["con"],
            "default_language": "fr", "strike_decay_s": 86400,
            "rules": [
              {"id": "no-invites", "priority": 5, "links": {"invites": true},
               "actions": ["delete", "warn"], "ladder": ["warn", "timeout:600", "timeout:1d", "ban"]},
              {"id": "bad-words", "priority": 100, "word_list": true, "actions": ["delete", "warn"],
               "ladder": ["warn", "timeout:10m", "timeout:1d", "ban"]},
              {"id": "newcomer-links", "priority": 20, "roles": ["newcomer"],
               "links": {"any": true, "allow": ["acme.example", "*.acme.example"]},
               "actions": ["delete", "flag"], "warning": "{user}, les liens sont réservés aux membres confirmés."},
              {"id": "shouting", "priority": 60, "caps": {"ratio": 0.8, "min_letters": 20},
               "actions": ["label"], "strike_weight": 0},
              {"id": "phone-numbers", "priority": 70, "patterns": ["\\b0[67](\\s?\\d\\d){4}\\b"],
               "actions": ["delete", "reply"], "warning": "{user}, pas de numéro de téléphone en public s'il te plaît."}
            ]}"#,
        );
        let ids: Vec<&str> = e.rules().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "no-invites",
                "invites",
                "new-account-links",
                "newcomer-links",
                "flood",
                "repeats",
                "mass-mentions",
                "shouting",
                "phone-numbers",
                "bad-words",
                "abuse",
            ]
        );
        let mut host = TestHost::new();
        let mut first = |text: &str| {
            e.handle(&mut host, &test_event("m", "u", text))
                .first()
                .map(reason)
        };
        assert!(first("va te faire voir").unwrap().contains("bad-words"));
        assert!(
            first("d1sc0rd.gg/x").is_none(),
            "not a link: leetspeak is for words"
        );
        assert!(first("discord.gg/x")
            .unwrap()
            .contains("\"no-invites\": invite link"));
        assert_eq!(first("sale con"), None);
        // Three strikes so far: the ladder's third step.
        let out = e.handle(&mut host, &test_event("m", "u", "connard"));
        assert!(
            out.iter()
                .any(|a| matches!(a, Action::Timeout(t) if t.duration_s == 86_400)),
            "{out:?}"
        );
        let out = e.handle(
            &mut TestHost::new(),
            &test_event("m", "u", "appelle le 06 12 34 56 78"),
        );
        assert!(reason(&out[0]).contains("phone-numbers"), "{out:?}");
    }

    #[test]
    fn huge_messages_stay_fast() {
        let e = engine("{}");
        let text = "a ".repeat(20_000) + &"x".repeat(20_000) + &"f.".repeat(5_000);
        let start = std::time::Instant::now();
        e.handle(&mut TestHost::new(), &test_event("m", "u", &text));
        assert!(start.elapsed().as_secs_f64() < 5.0, "{:?}", start.elapsed());
    }
}
