//! Staff commands in chat, in French and English: `!schedule add|list|
//! cancel|pause|resume|help` and `!planning ajouter|liste|annuler|pause|
//! reprendre|aide`. Words are compared folded (case, accents and the kind of
//! apostrophe do not matter, `vigie_text::fold`).
//!
//! The `add` grammar, in any order except that the text comes last when it
//! is not quoted:
//!
//! - **text**: between `"…"`, `« … »` or `“…”`; without quotes, everything
//!   after the channel;
//! - **channel**: `#general` (or a Matrix room id `!abc:server`), `here` /
//!   `ici`; default: the command's channel;
//! - **one-off**: `2026-12-24 18:00`, `24/12/2026 18h`, `24/12 18:00`,
//!   `today 18:00` / `aujourd'hui 18h`, `tomorrow 9am` / `demain 9h`, or a
//!   time alone (today if still to come, else tomorrow);
//! - **recurring**: `every day` / `daily` / `tous les jours` / `chaque
//!   jour`; `every monday` / `chaque lundi` / `tous les lundis` / `le
//!   lundi`, several days (`every mon, thu` / `lundi et jeudi`); `every
//!   weekday` / `en semaine` (Monday to Friday); `every month on the 15th` /
//!   `chaque mois le 15` (`monthly 31`: months without a 31st are skipped);
//!   `every year` / `chaque année` (on the start's date); `every 2 weeks` /
//!   `toutes les 2 semaines`; or `rrule FREQ=…` (the RRULE subset of
//!   [`crate::rule`]), then a time (`09:00`, `9h`, `9h30`, `9am`);
//! - **start**: `from 2026-04-01` / `à partir du 01/04/2026` (default: the
//!   first day the time is still to come);
//! - **end**: `until 2026-06-30` / `jusqu'au 30/06/2026` (inclusive), or
//!   `10 times` / `10 fois`.

use crate::config::weekday_named;
use crate::rule::{civil_from_days, Freq, LocalTime, Rule, Until};
use vigie_text::Lang;

/// A sub-command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sub {
    /// Schedule a post.
    Add,
    /// List the posts.
    List,
    /// Cancel a post.
    Cancel,
    /// Pause everything.
    Pause,
    /// Resume.
    Resume,
    /// The list of commands.
    Help,
    /// A word the plugin does not know (folded).
    Unknown(String),
}

/// A command: the sub-command, the language it was written in when the
/// words tell, and the text after the sub-command word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// What is asked.
    pub sub: Sub,
    /// `Some` when the sub-command word or the prefix tells the language.
    pub lang: Option<Lang>,
    /// The original text after the sub-command word, trimmed.
    pub rest: String,
}

const FR_PREFIXES: &[&str] = &["!planning", "!calendrier", "!agenda", "!programmation"];
const EN_PREFIXES: &[&str] = &["!schedule", "!calendar", "!scheduler"];

/// (word, sub-command, language; `None`: both languages).
const SUBS: &[(&str, Sub, Option<Lang>)] = &[
    ("add", Sub::Add, Some(Lang::En)),
    ("new", Sub::Add, Some(Lang::En)),
    ("create", Sub::Add, Some(Lang::En)),
    ("post", Sub::Add, Some(Lang::En)),
    ("ajouter", Sub::Add, Some(Lang::Fr)),
    ("ajoute", Sub::Add, Some(Lang::Fr)),
    ("ajout", Sub::Add, Some(Lang::Fr)),
    ("programmer", Sub::Add, Some(Lang::Fr)),
    ("programme", Sub::Add, Some(Lang::Fr)),
    ("nouveau", Sub::Add, Some(Lang::Fr)),
    ("creer", Sub::Add, Some(Lang::Fr)),
    ("list", Sub::List, Some(Lang::En)),
    ("ls", Sub::List, None),
    ("show", Sub::List, Some(Lang::En)),
    ("liste", Sub::List, Some(Lang::Fr)),
    ("lister", Sub::List, Some(Lang::Fr)),
    ("voir", Sub::List, Some(Lang::Fr)),
    ("afficher", Sub::List, Some(Lang::Fr)),
    ("cancel", Sub::Cancel, Some(Lang::En)),
    ("remove", Sub::Cancel, Some(Lang::En)),
    ("delete", Sub::Cancel, Some(Lang::En)),
    ("rm", Sub::Cancel, None),
    ("annuler", Sub::Cancel, Some(Lang::Fr)),
    ("annule", Sub::Cancel, Some(Lang::Fr)),
    ("supprimer", Sub::Cancel, Some(Lang::Fr)),
    ("retirer", Sub::Cancel, Some(Lang::Fr)),
    ("pause", Sub::Pause, None),
    ("hold", Sub::Pause, Some(Lang::En)),
    ("suspendre", Sub::Pause, Some(Lang::Fr)),
    ("resume", Sub::Resume, Some(Lang::En)),
    ("unpause", Sub::Resume, Some(Lang::En)),
    ("reprendre", Sub::Resume, Some(Lang::Fr)),
    ("reprise", Sub::Resume, Some(Lang::Fr)),
    ("help", Sub::Help, Some(Lang::En)),
    ("aide", Sub::Help, Some(Lang::Fr)),
    ("?", Sub::Help, None),
];

/// The language a command prefix suggests.
fn prefix_lang(prefix: &str) -> Option<Lang> {
    if FR_PREFIXES.contains(&prefix) {
        Some(Lang::Fr)
    } else if EN_PREFIXES.contains(&prefix) {
        Some(Lang::En)
    } else {
        None
    }
}

/// The command in `text`, if it starts with one of `prefixes` (folded)
/// followed by the end or white space.
pub fn parse(text: &str, prefixes: &[String]) -> Option<Parsed> {
    let text = text.trim_start();
    let first_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let first = vigie_text::fold(&text[..first_end]);
    let prefix = prefixes.iter().find(|p| **p == first)?;
    let after = text[first_end..].trim_start();
    let word_end = after.find(char::is_whitespace).unwrap_or(after.len());
    let word = vigie_text::fold(&after[..word_end]);
    let rest = after[word_end..].trim().to_string();
    let hint = prefix_lang(prefix);
    if word.is_empty() {
        return Some(Parsed {
            sub: Sub::Help,
            lang: hint,
            rest,
        });
    }
    let found = SUBS.iter().find(|(w, _, _)| *w == word);
    Some(match found {
        Some((_, sub, lang)) => Parsed {
            sub: sub.clone(),
            lang: lang.or(hint),
            rest,
        },
        None => Parsed {
            sub: Sub::Unknown(word),
            lang: hint,
            rest,
        },
    })
}

/// Where an added post goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRef {
    /// The command's channel.
    Here,
    /// As written (`#general`, `!room:server`); resolved by the engine.
    Named(String),
}

/// An `add` command, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddRequest {
    /// When.
    pub rule: Rule,
    /// Where.
    pub channel: ChannelRef,
    /// What.
    pub text: String,
    /// True when the words used were French (for the reply).
    pub french_words: bool,
}

/// Why an `add` command could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddError {
    /// No text (no quotes and nothing after the channel).
    NoText,
    /// No time of day.
    NoTime,
    /// A word not understood (as written).
    Unknown(String),
    /// A date that does not exist or cannot be read (as written).
    BadDate(String),
    /// Something given twice (the word).
    Twice(String),
    /// The RRULE or the combination is refused (English detail).
    Rule(String),
}

/// Quote pairs for the text.
const QUOTES: &[(char, &[char])] = &[
    ('"', &['"']),
    ('«', &['»']),
    ('“', &['”', '"']),
    ('„', &['“', '”']),
];

/// Splits the text (quoted) from the rest of the command.
fn split_text(rest: &str) -> Option<(String, String)> {
    let (open_at, open, closers) = QUOTES
        .iter()
        .filter_map(|(o, c)| rest.find(*o).map(|i| (i, *o, *c)))
        .min_by_key(|(i, _, _)| *i)?;
    let inner_start = open_at + open.len_utf8();
    let close_at = rest[inner_start..]
        .rfind(|c: char| closers.contains(&c))
        .map(|i| inner_start + i)?;
    let close_len = rest[close_at..].chars().next().map_or(1, char::len_utf8);
    let text = rest[inner_start..close_at].trim().to_string();
    let spec = format!("{} {}", &rest[..open_at], &rest[close_at + close_len..]);
    Some((text, spec))
}

fn is_channel_token(raw: &str) -> bool {
    (raw.starts_with('#') && raw.len() > 1) || (raw.starts_with('!') && raw.contains(':'))
}

/// A time of day: `09:00`, `9:00`, `9h`, `9h30`, `18H30`, `9am`, `9:30pm`.
fn parse_time(w: &str) -> Option<(u32, u32)> {
    let (body, pm) = if let Some(b) = w.strip_suffix("am") {
        (b, Some(false))
    } else if let Some(b) = w.strip_suffix("pm") {
        (b, Some(true))
    } else {
        (w, None)
    };
    let (h, m) = if let Some((h, m)) = body.split_once(':') {
        (h, m)
    } else if let Some((h, m)) = body.split_once('h') {
        (h, m)
    } else if pm.is_some() {
        (body, "")
    } else {
        return None;
    };
    let num = |s: &str, max: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut h = num(h, 2)?;
    let m = if m.is_empty() {
        0
    } else {
        num(m, 2).filter(|_| m.len() == 2)?
    };
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    (h < 24 && m < 60).then_some((h, m))
}

/// A date: `2026-12-24`, `24/12/2026`, `24/12` (the next such day from
/// `today`). `Err` for something date-like that does not exist.
fn parse_date(w: &str, today: LocalTime) -> Option<Result<(i32, u32, u32), ()>> {
    let nums: Vec<&str> = if w.contains('-') {
        w.split('-').collect()
    } else if w.contains('/') {
        w.split('/').collect()
    } else {
        return None;
    };
    if nums
        .iter()
        .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = nums.iter().filter_map(|s| s.parse().ok()).collect();
    if n.len() != nums.len() {
        return None;
    }
    let (y, m, d) = match (w.contains('-'), n.as_slice()) {
        (true, [y, m, d]) if nums[0].len() == 4 => (*y as i32, *m, *d),
        (false, [d, m, y]) if nums[2].len() == 4 => (*y as i32, *m, *d),
        (false, [d, m]) => {
            let this = today.year;
            let ok = LocalTime::new(this, *m, *d, 23, 59)
                .is_some_and(|t| t.date_text() >= today.date_text());
            (if ok { this } else { this + 1 }, *m, *d)
        }
        _ => return None,
    };
    Some(match LocalTime::new(y, m, d, 0, 0) {
        Some(_) => Ok((y, m, d)),
        None => Err(()),
    })
}

/// `15th`, `1st`, `2nd`, `3rd`, `1er`, `15e`, `15eme` → 15.
fn ordinal_day(w: &str) -> Option<u32> {
    let digits_end = w.find(|c: char| !c.is_ascii_digit())?;
    if digits_end == 0 {
        return None;
    }
    let suffix = &w[digits_end..];
    if !["st", "nd", "rd", "th", "er", "e", "eme", "re"].contains(&suffix) {
        return None;
    }
    w[..digits_end]
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    Until,
    From,
}

/// French day names (and their abbreviations), to tell the language.
const FRENCH_DAYS: &[&str] = &[
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lun", "mar", "mer",
    "jeu", "ven", "sam", "dim",
];

/// Fillers ignored anywhere.
const FILLERS: &[&str] = &[
    "at", "a", "on", "the", "le", "la", "les", "l", "de", "du", "et", "and", "in", "dans", "sur",
    "of", "to", "post", "poster", "publier", "vers", "channel", "salon", "canal", "room", "h",
    "heure", "heures", "o'clock", "starting", "start", "debut", "des", "ce", "cette", "en",
];

/// Reads an `add` command's arguments. `now` is the local time of the
/// command (for `today`, `tomorrow`, and the default start).
pub fn parse_add(rest: &str, now: LocalTime) -> Result<AddRequest, AddError> {
    let (quoted, spec) = match split_text(rest) {
        Some((text, spec)) => (Some(text), spec),
        None => (None, rest.to_string()),
    };
    let mut channel: Option<ChannelRef> = None;
    let mut text = quoted;
    let mut rrule: Option<String> = None;
    let mut words: Vec<(String, String)> = Vec::new(); // (folded, as written)
    let raw_tokens: Vec<&str> = spec.split_whitespace().collect();
    let mut i = 0;
    while i < raw_tokens.len() {
        let raw = raw_tokens[i];
        let trimmed = raw.trim_end_matches([',', ';', '.', ':']);
        if is_channel_token(trimmed) {
            if channel.is_some() {
                return Err(AddError::Twice(trimmed.to_string()));
            }
            channel = Some(ChannelRef::Named(trimmed.to_string()));
            if text.is_none() {
                let after = raw_tokens[i + 1..].join(" ");
                // Keep the original spacing of the text: cut the command
                // after the channel token.
                let pos = spec.find(raw).map(|p| p + raw.len()).unwrap_or(spec.len());
                let t = spec[pos..].trim().to_string();
                text = Some(if t.is_empty() { after } else { t });
                break;
            }
            i += 1;
            continue;
        }
        let folded = vigie_text::fold(raw);
        if folded == "rrule" || folded.starts_with("rrule:") || folded.starts_with("freq=") {
            if rrule.is_some() {
                return Err(AddError::Twice("rrule".into()));
            }
            if folded == "rrule" {
                i += 1;
                match raw_tokens.get(i) {
                    Some(r) => rrule = Some(r.to_string()),
                    None => return Err(AddError::Rule("`rrule` needs a value: FREQ=…".into())),
                }
            } else {
                rrule = Some(raw.to_string());
            }
            i += 1;
            continue;
        }
        if matches!(folded.as_str(), "here" | "ici") {
            if channel.is_some() {
                return Err(AddError::Twice(raw.to_string()));
            }
            channel = Some(ChannelRef::Here);
            i += 1;
            continue;
        }
        // Split on commas and apostrophes (`jusqu'au`, `aujourd'hui`).
        for piece in folded.split([',', '\'']) {
            let piece =
                piece.trim_matches(|c: char| matches!(c, '.' | ';' | '!' | '?' | '(' | ')'));
            if !piece.is_empty() {
                words.push((piece.to_string(), raw.to_string()));
            }
        }
        i += 1;
    }
    let text = match text {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => return Err(AddError::NoText),
    };

    // The schedule words.
    let mut mode = Mode::Normal;
    let mut time: Option<(u32, u32)> = None;
    let mut date: Option<(i32, u32, u32)> = None;
    let mut from: Option<(i32, u32, u32)> = None;
    let mut until: Option<(i32, u32, u32)> = None;
    let mut recurring = false;
    let mut freq: Option<Freq> = None;
    let mut interval: Option<u32> = None;
    let mut count: Option<u32> = None;
    let mut weekdays: Vec<u8> = Vec::new();
    let mut month_day: Option<u32> = None;
    let mut french = false;
    let today_days = now.days();
    let set_freq = |f: &mut Option<Freq>, new: Freq, word: &str| -> Result<(), AddError> {
        match f {
            Some(old) if *old != new => Err(AddError::Twice(word.to_string())),
            _ => {
                *f = Some(new);
                Ok(())
            }
        }
    };
    let mut k = 0;
    while k < words.len() {
        let (w, raw) = (&words[k].0, &words[k].1);
        let next = words.get(k + 1).map(|(n, _)| n.as_str());
        let w = w.as_str();
        if let Some(t) = parse_time(w) {
            if time.is_some() {
                return Err(AddError::Twice(raw.clone()));
            }
            time = Some(t);
        } else if let Some(d) = parse_date(w, now) {
            let d = d.map_err(|_| AddError::BadDate(raw.clone()))?;
            let slot = match mode {
                Mode::Until => &mut until,
                Mode::From => &mut from,
                Mode::Normal => &mut date,
            };
            if slot.is_some() {
                return Err(AddError::Twice(raw.clone()));
            }
            *slot = Some(d);
            mode = Mode::Normal;
        } else if let Some(wd) = weekday_named(w).filter(|_| w.len() > 2) {
            french |= FRENCH_DAYS.contains(&w.trim_end_matches('s'));
            if !weekdays.contains(&wd) {
                weekdays.push(wd);
            }
        } else if w.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = w.parse().map_err(|_| AddError::Unknown(raw.clone()))?;
            match next {
                Some("day" | "days" | "jour" | "jours") => {
                    set_freq(&mut freq, Freq::Daily, raw)?;
                    interval = Some(n);
                    french |= next.is_some_and(|n| n.starts_with('j'));
                    k += 1;
                }
                Some("week" | "weeks" | "semaine" | "semaines") => {
                    set_freq(&mut freq, Freq::Weekly, raw)?;
                    interval = Some(n);
                    french |= next.is_some_and(|n| n.starts_with('s'));
                    k += 1;
                }
                Some("month" | "months" | "mois") => {
                    set_freq(&mut freq, Freq::Monthly, raw)?;
                    interval = Some(n);
                    french |= next == Some("mois");
                    k += 1;
                }
                Some("times" | "time" | "fois" | "x") => {
                    if count.is_some() {
                        return Err(AddError::Twice(raw.clone()));
                    }
                    count = Some(n);
                    french |= next == Some("fois");
                    k += 1;
                }
                _ => {
                    if month_day.is_some() || !(1..=31).contains(&n) {
                        return Err(AddError::Unknown(raw.clone()));
                    }
                    month_day = Some(n);
                }
            }
        } else if let Some(d) = ordinal_day(w) {
            if month_day.is_some() {
                return Err(AddError::Twice(raw.clone()));
            }
            month_day = Some(d);
        } else {
            match w {
                "every" | "each" | "all" => recurring = true,
                "chaque" | "tous" | "toutes" => {
                    recurring = true;
                    french = true;
                }
                "day" | "days" | "daily" | "everyday" => {
                    set_freq(&mut freq, Freq::Daily, raw)?;
                    recurring = true;
                }
                "jour" | "jours" | "quotidien" | "quotidiennement" | "journalier" => {
                    set_freq(&mut freq, Freq::Daily, raw)?;
                    recurring = true;
                    french = true;
                }
                "weekday" | "weekdays" | "ouvre" | "ouvres" | "ouvrable" | "ouvrables" => {
                    set_freq(&mut freq, Freq::Weekly, raw)?;
                    weekdays.extend(
                        [0, 1, 2, 3, 4]
                            .iter()
                            .filter(|d| !weekdays.contains(d))
                            .collect::<Vec<_>>(),
                    );
                    recurring = true;
                    french |= w.starts_with('o');
                }
                "en" if next.is_some_and(|n| n == "semaine") => {
                    set_freq(&mut freq, Freq::Weekly, raw)?;
                    for d in 0..5 {
                        if !weekdays.contains(&d) {
                            weekdays.push(d);
                        }
                    }
                    recurring = true;
                    french = true;
                    k += 1;
                }
                "week" | "weekly" => {
                    set_freq(&mut freq, Freq::Weekly, raw)?;
                    recurring = true;
                }
                "semaine" | "hebdo" | "hebdomadaire" | "hebdomadairement" => {
                    set_freq(&mut freq, Freq::Weekly, raw)?;
                    recurring = true;
                    french = true;
                }
                "month" | "monthly" => {
                    set_freq(&mut freq, Freq::Monthly, raw)?;
                    recurring = true;
                }
                "mois" | "mensuel" | "mensuellement" => {
                    set_freq(&mut freq, Freq::Monthly, raw)?;
                    recurring = true;
                    french = true;
                }
                "year" | "yearly" | "annually" => {
                    set_freq(&mut freq, Freq::Yearly, raw)?;
                    recurring = true;
                }
                "an" | "annee" | "annuel" | "annuellement" => {
                    set_freq(&mut freq, Freq::Yearly, raw)?;
                    recurring = true;
                    french = true;
                }
                "today" | "tonight" => set_day(&mut date, today_days, raw)?,
                "aujourd" | "auj" => {
                    set_day(&mut date, today_days, raw)?;
                    french = true;
                    if next == Some("hui") {
                        k += 1;
                    }
                }
                "tomorrow" => set_day(&mut date, today_days + 1, raw)?,
                "demain" => {
                    set_day(&mut date, today_days + 1, raw)?;
                    french = true;
                }
                "until" | "till" | "through" | "ending" => mode = Mode::Until,
                "jusqu" | "jusque" | "jusquau" => {
                    mode = Mode::Until;
                    french = true;
                }
                "from" | "since" => mode = Mode::From,
                "partir" | "depuis" => {
                    mode = Mode::From;
                    french = true;
                }
                "au" if mode == Mode::Until => {}
                "am" | "pm" => {
                    let Some((h, m)) = time else {
                        return Err(AddError::Unknown(raw.clone()));
                    };
                    let pm = w == "pm";
                    if !(1..=12).contains(&h) {
                        return Err(AddError::Unknown(raw.clone()));
                    }
                    time = Some((
                        match (h, pm) {
                            (12, false) => 0,
                            (12, true) => 12,
                            (h, true) => h + 12,
                            (h, false) => h,
                        },
                        m,
                    ));
                }
                w if FILLERS.contains(&w) => {
                    french |= matches!(
                        w,
                        "le" | "la" | "les" | "du" | "et" | "dans" | "sur" | "des"
                    );
                }
                _ => return Err(AddError::Unknown(raw.clone())),
            }
        }
        k += 1;
    }

    // Weekdays make a weekly rule, whatever else was said.
    if !weekdays.is_empty() {
        match freq {
            None | Some(Freq::Weekly) => freq = Some(Freq::Weekly),
            Some(Freq::Daily) if interval.is_none() => freq = Some(Freq::Weekly),
            Some(_) => {
                return Err(AddError::Rule(
                    "days of the week go with a weekly rule".into(),
                ))
            }
        }
        recurring = true;
    }
    if month_day.is_some() && freq.is_none() {
        freq = Some(Freq::Monthly);
        recurring = recurring || rrule.is_none();
    }
    if recurring && freq.is_none() && rrule.is_none() {
        return Err(AddError::Rule(
            "every … what? (day, monday, month, year…)".into(),
        ));
    }
    if rrule.is_some() && (freq.is_some() || interval.is_some()) {
        return Err(AddError::Twice("rrule".into()));
    }

    let is_recurring = freq.is_some() || rrule.is_some();
    let (hour, minute) = match time {
        Some(t) => t,
        None if rrule
            .as_deref()
            .is_some_and(|r| r.to_ascii_uppercase().contains("BYHOUR")) =>
        {
            (0, 0)
        }
        None => return Err(AddError::NoTime),
    };
    let at = |(y, m, d): (i32, u32, u32)| {
        LocalTime::new(y, m, d, hour, minute)
            .ok_or_else(|| AddError::BadDate(format!("{y:04}-{m:02}-{d:02}")))
    };
    // The first day the time is still to come (today or tomorrow).
    let upcoming = || {
        let today = civil_from_days(today_days);
        let t = at(today)?;
        if t > now {
            Ok(t)
        } else {
            at(civil_from_days(today_days + 1))
        }
    };

    if !is_recurring {
        if from.is_some() || until.is_some() || count.is_some() {
            return Err(AddError::Rule(
                "`until`, `from` and `times` go with a recurring post".into(),
            ));
        }
        let start = match date {
            Some(d) => at(d)?,
            None => upcoming()?,
        };
        return Ok(AddRequest {
            rule: Rule::once(start),
            channel: channel.unwrap_or(ChannelRef::Here),
            text,
            french_words: french,
        });
    }

    // A recurring post starts at `from`, or at the one-off date given (an
    // anchor: `every year 2026-12-24 18:00`), or at the next time to come.
    let start = match (from, date) {
        (Some(_), Some(d)) => {
            return Err(AddError::Twice(format!("{:04}-{:02}-{:02}", d.0, d.1, d.2)))
        }
        (Some(d), None) | (None, Some(d)) => at(d)?,
        (None, None) => upcoming()?,
    };
    let mut rule = match &rrule {
        Some(r) => Rule::parse_rrule(start, r).map_err(AddError::Rule)?,
        None => {
            let mut rule = Rule::every(start, freq.unwrap_or(Freq::Daily));
            if let Some(n) = interval {
                rule.interval = n;
            }
            if !weekdays.is_empty() {
                weekdays.sort_unstable();
                rule.by_day = weekdays.iter().map(|&d| (0, d)).collect();
            }
            if let Some(d) = month_day {
                if rule.freq != Some(Freq::Monthly) {
                    return Err(AddError::Rule(
                        "a day of the month goes with a monthly rule".into(),
                    ));
                }
                rule.by_month_day = vec![d as i8];
            }
            rule
        }
    };
    if let Some(n) = count {
        if rule.count.is_some() {
            return Err(AddError::Twice("count".into()));
        }
        rule.count = Some(n);
    }
    if let Some((y, m, d)) = until {
        if rule.until.is_some() {
            return Err(AddError::Twice("until".into()));
        }
        let t = LocalTime::new(y, m, d, 23, 59)
            .ok_or_else(|| AddError::BadDate(format!("{y}-{m}-{d}")))?;
        rule.until = Some(Until::Local(t));
    }
    rule.check().map_err(AddError::Rule)?;
    Ok(AddRequest {
        rule,
        channel: channel.unwrap_or(ChannelRef::Here),
        text,
        french_words: french,
    })
}

fn set_day(date: &mut Option<(i32, u32, u32)>, days: i64, raw: &str) -> Result<(), AddError> {
    if date.is_some() {
        return Err(AddError::Twice(raw.to_string()));
    }
    *date = Some(civil_from_days(days));
    Ok(())
}

/// The id in `cancel ID` (`s3`, `#s3`, `menu-lundi`).
pub fn parse_id(rest: &str) -> Option<String> {
    let first = rest.split_whitespace().next()?;
    let id = first
        .trim_start_matches('#')
        .trim_end_matches([',', '.', ';']);
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes() -> Vec<String> {
        vec!["!schedule".into(), "!planning".into()]
    }

    fn now() -> LocalTime {
        // A Sunday.
        LocalTime::parse("2026-03-29 10:00", None).unwrap()
    }

    #[test]
    fn reads_sub_commands_and_their_language() {
        let p = parse("!schedule add tomorrow 9:00 \"x\"", &prefixes()).unwrap();
        assert_eq!((p.sub, p.lang), (Sub::Add, Some(Lang::En)));
        assert_eq!(p.rest, "tomorrow 9:00 \"x\"");
        let p = parse("!Planning AJOUTER demain 9h « x »", &prefixes()).unwrap();
        assert_eq!((p.sub, p.lang), (Sub::Add, Some(Lang::Fr)));
        let p = parse("!planning pause", &prefixes()).unwrap();
        assert_eq!((p.sub, p.lang), (Sub::Pause, Some(Lang::Fr)));
        let p = parse("!schedule pause", &prefixes()).unwrap();
        assert_eq!((p.sub, p.lang), (Sub::Pause, Some(Lang::En)));
        assert_eq!(parse("!planning", &prefixes()).unwrap().sub, Sub::Help);
        assert_eq!(
            parse("!planning frobnique", &prefixes()).unwrap().sub,
            Sub::Unknown("frobnique".into())
        );
        assert_eq!(parse("!schedules list", &prefixes()), None);
        assert_eq!(parse("please !schedule list", &prefixes()), None);
    }

    #[test]
    fn reads_one_off_posts() {
        let r = parse_add("2026-12-24 18:00 #general \"Joyeux Noël !\"", now()).unwrap();
        assert_eq!(
            r.rule,
            Rule::once(LocalTime::parse("2026-12-24 18:00", None).unwrap())
        );
        assert_eq!(r.channel, ChannelRef::Named("#general".into()));
        assert_eq!(r.text, "Joyeux Noël !");
        let r = parse_add("24/12/2026 18h #general Joyeux Noël à tous", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-12-24 18:00");
        assert_eq!(r.text, "Joyeux Noël à tous");
        let r = parse_add("demain 9h30 « Bonjour »", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-03-30 09:30");
        assert_eq!(r.channel, ChannelRef::Here);
        assert!(r.french_words);
        let r = parse_add("\"Hi\" 9am", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-03-30 09:00"); // 09:00 today is past
        let r = parse_add("\"Hi\" 6:30pm", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-03-29 18:30");
        let r = parse_add("aujourd'hui 18h #general \"Ce soir\"", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-03-29 18:00");
        let r = parse_add("24/12 18:00 \"x\"", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-12-24 18:00");
        let r = parse_add("01/02 18:00 \"x\"", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2027-02-01 18:00");
    }

    #[test]
    fn reads_recurring_posts() {
        let r = parse_add("every monday 09:00 #general \"Menu\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO");
        assert_eq!(
            r.rule.start.text(),
            "2026-03-29 10:00".replace("29 10", "30 09")
        );
        let r = parse_add("chaque lundi à 9h #general « Menu »", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO");
        assert!(r.french_words);
        let r = parse_add("tous les lundis et jeudis 9h « Menu »", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO,TH");
        let r = parse_add("every mon, thu 9h \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO,TH");
        let r = parse_add("tous les jours 8h \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=DAILY");
        let r = parse_add("daily 08:00 \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=DAILY");
        let r = parse_add("en semaine 8h \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
        let r = parse_add("every weekday 8am \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
        let r = parse_add("chaque mois le 31 à 10h \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=MONTHLY;BYMONTHDAY=31");
        let r = parse_add("every month on the 15th 10:00 \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=MONTHLY;BYMONTHDAY=15");
        let r = parse_add("toutes les 2 semaines le lundi 9h \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO");
        let r = parse_add("every monday 9:00 4 times \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO;COUNT=4");
        let r = parse_add("chaque lundi 9h jusqu'au 30/06/2026 \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260630T235900");
        let r = parse_add("every day 9:00 from 2026-04-10 \"x\"", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-04-10 09:00");
        let r = parse_add("chaque jour 9h à partir du 10/04/2026 \"x\"", now()).unwrap();
        assert_eq!(r.rule.start.text(), "2026-04-10 09:00");
        let r = parse_add("rrule FREQ=MONTHLY;BYDAY=-1FR 18:00 #general \"x\"", now()).unwrap();
        assert_eq!(r.rule.rrule(), "FREQ=MONTHLY;BYDAY=-1FR");
        let r = parse_add("every year 2026-12-24 18:00 \"x\"", now()).unwrap();
        assert_eq!(
            (r.rule.rrule().as_str(), r.rule.start.text()),
            ("FREQ=YEARLY", "2026-12-24 18:00".to_string())
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(
            parse_add("2026-12-24 18:00 #general", now()),
            Err(AddError::NoText)
        );
        assert_eq!(parse_add("2026-12-24 \"x\"", now()), Err(AddError::NoTime));
        assert_eq!(
            parse_add("2026-02-30 10:00 \"x\"", now()),
            Err(AddError::BadDate("2026-02-30".into()))
        );
        assert_eq!(
            parse_add("someday 10:00 \"x\"", now()),
            Err(AddError::Unknown("someday".into()))
        );
        assert_eq!(
            parse_add("10:00 11:00 \"x\"", now()),
            Err(AddError::Twice("11:00".into()))
        );
        assert!(matches!(
            parse_add("rrule FREQ=HOURLY 10:00 \"x\"", now()),
            Err(AddError::Rule(_))
        ));
        assert!(matches!(
            parse_add("10:00 until 2026-05-01 \"x\"", now()),
            Err(AddError::Rule(_))
        ));
        assert!(matches!(
            parse_add("every 10:00 \"x\"", now()),
            Err(AddError::Rule(_))
        ));
    }

    #[test]
    fn reads_ids() {
        assert_eq!(parse_id(" #s3 "), Some("s3".into()));
        assert_eq!(parse_id("menu-lundi please"), Some("menu-lundi".into()));
        assert_eq!(parse_id(""), None);
    }
}
