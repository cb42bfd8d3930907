//! Poll and vote commands, in French and English:
//!
//! ```text
//! !poll "Question ?" "A" "B" "C" 2h multi=2 anonymous results=end
//! !sondage « Question ? » « A » « B » 1j anonyme résultats=fin
//! !poll end [#n]           !sondage fin [#n]
//! !poll cancel [#n]        !sondage annuler [#n]
//! !poll results [#n]       !sondage résultats [#n]
//! !poll ballots [#n] [k]   !sondage bulletins [#n] [k]
//! !poll list               !sondage liste
//! !poll help               !sondage aide
//! !vote 2   !vote 1 3   !vote #4 2   !vote clear     (!voter 2, !voter retirer)
//! ```

use crate::config::{norm_word, ResultsMode};
use crate::time::parse_duration;
use vigie_text::Lang;

/// Most answers a poll may have (1️⃣ … 🔟).
pub const MAX_ANSWERS: usize = 10;
/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 300;
/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 100;

/// What a `!poll` command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollCommand {
    /// Start a poll.
    Start(StartSpec),
    /// Close a poll now and announce the results.
    End {
        /// `#n`, when given.
        poll: Option<u64>,
    },
    /// Close a poll without results.
    Cancel {
        /// `#n`, when given.
        poll: Option<u64>,
    },
    /// The current or final counts.
    Results {
        /// `#n`, when given.
        poll: Option<u64>,
    },
    /// The ballot list of a closed poll.
    Ballots {
        /// `#n`, when given.
        poll: Option<u64>,
        /// The first part to send (1-based), when given.
        part: Option<u32>,
    },
    /// The open polls of the channel.
    List,
    /// The commands.
    Help,
}

/// A new poll, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartSpec {
    /// The question.
    pub question: String,
    /// The answers, 2 to 10.
    pub answers: Vec<String>,
    /// How long it stays open; `None`: the config's default.
    pub duration_ms: Option<i64>,
    /// Most answers per voter; `None`: 1.
    pub multi: Option<u32>,
    /// Ballots are anonymous.
    pub anonymous: bool,
    /// `results=…`, when given.
    pub results: Option<ResultsMode>,
}

/// What is wrong with a `!poll` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollError {
    /// Not a known sub-command, nor a question between quotes.
    UnknownVerb(String),
    /// No question.
    MissingQuestion,
    /// A quote is opened and never closed.
    UnclosedQuote,
    /// Fewer than 2 answers.
    TooFewAnswers(usize),
    /// More than 10 answers.
    TooManyAnswers(usize),
    /// An answer is empty.
    EmptyAnswer(usize),
    /// Two answers are the same.
    DuplicateAnswer(String),
    /// The question is too long.
    QuestionTooLong,
    /// Answer `k` (1-based) is too long.
    AnswerTooLong(usize),
    /// Not a duration.
    BadDuration(String),
    /// A word that is neither a duration nor an option.
    UnknownOption(String),
    /// `multi=` without a number from 1 to the number of answers.
    BadMulti(String),
    /// `results=` with an unknown value.
    BadResults(String),
    /// `#n` that is not a number.
    BadPoll(String),
    /// A part number that is not a number ≥ 1.
    BadPart(String),
}

/// What a `!vote` command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteCommand {
    /// Vote for these answers (1-based, as typed; checked against the poll
    /// later), replacing any earlier ballot.
    Vote {
        /// `#n`, when given.
        poll: Option<u64>,
        /// The choices, deduplicated, in the order typed.
        choices: Vec<u32>,
    },
    /// Withdraw the ballot.
    Withdraw {
        /// `#n`, when given.
        poll: Option<u64>,
    },
    /// `!vote` alone: how to vote.
    Help {
        /// `#n`, when given.
        poll: Option<u64>,
    },
}

/// What is wrong with a `!vote` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteError {
    /// Not an answer number.
    BadChoice(String),
    /// `#n` that is not a number.
    BadPoll(String),
}

/// A message that starts with a command word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<C, E> {
    /// The command, or why it cannot be understood.
    pub command: Result<C, E>,
    /// The language the command words suggest (`!sondage`, `fin` → French;
    /// `end` → English), when they do.
    pub lang_hint: Option<Lang>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Start,
    End,
    Cancel,
    Results,
    Ballots,
    List,
    Help,
}

const VERBS: &[(&str, Verb, Option<Lang>)] = &[
    ("start", Verb::Start, Some(Lang::En)),
    ("new", Verb::Start, Some(Lang::En)),
    ("create", Verb::Start, Some(Lang::En)),
    ("lancer", Verb::Start, Some(Lang::Fr)),
    ("nouveau", Verb::Start, Some(Lang::Fr)),
    ("creer", Verb::Start, Some(Lang::Fr)),
    ("end", Verb::End, Some(Lang::En)),
    ("close", Verb::End, Some(Lang::En)),
    ("stop", Verb::End, None),
    ("finish", Verb::End, Some(Lang::En)),
    ("fin", Verb::End, Some(Lang::Fr)),
    ("terminer", Verb::End, Some(Lang::Fr)),
    ("clore", Verb::End, Some(Lang::Fr)),
    ("cloturer", Verb::End, Some(Lang::Fr)),
    ("cancel", Verb::Cancel, Some(Lang::En)),
    ("abort", Verb::Cancel, Some(Lang::En)),
    ("annuler", Verb::Cancel, Some(Lang::Fr)),
    ("results", Verb::Results, Some(Lang::En)),
    ("result", Verb::Results, Some(Lang::En)),
    ("resultats", Verb::Results, Some(Lang::Fr)),
    ("resultat", Verb::Results, Some(Lang::Fr)),
    ("score", Verb::Results, None),
    ("ballots", Verb::Ballots, Some(Lang::En)),
    ("bulletins", Verb::Ballots, Some(Lang::Fr)),
    ("list", Verb::List, Some(Lang::En)),
    ("open", Verb::List, Some(Lang::En)),
    ("liste", Verb::List, Some(Lang::Fr)),
    ("ouverts", Verb::List, Some(Lang::Fr)),
    ("help", Verb::Help, Some(Lang::En)),
    ("aide", Verb::Help, Some(Lang::Fr)),
];

/// French command words among the defaults: they hint the language.
const FRENCH_PREFIXES: &[&str] = &["!sondage", "!voter"];

/// The first word of `text` (after white space) and the rest.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

/// The (normalised) prefix `text` starts with, if one of `prefixes`.
pub fn prefix_of<'a>(text: &str, prefixes: &'a [String]) -> Option<&'a str> {
    let (first, _) = split_word(text);
    // Cheap refusal: a prefix starts with a character the first word does
    // not start with (compared without case).
    let c = first.chars().next()?;
    if c.is_ascii()
        && !prefixes
            .iter()
            .any(|p| p.starts_with(c.to_ascii_lowercase()))
    {
        return None;
    }
    let folded = norm_word(first);
    prefixes.iter().find(|p| **p == folded).map(String::as_str)
}

/// Reads a `!poll` command; `None` when the text does not start with one of
/// the (normalised) `prefixes`.
pub fn parse_poll(text: &str, prefixes: &[String]) -> Option<Parsed<PollCommand, PollError>> {
    let prefix = prefix_of(text, prefixes)?;
    let (_, rest) = split_word(text);
    let prefix_hint = FRENCH_PREFIXES.contains(&prefix).then_some(Lang::Fr);
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(Parsed {
            command: Ok(PollCommand::Help),
            lang_hint: prefix_hint,
        });
    }
    if starts_with_quote(rest) {
        return Some(Parsed {
            command: parse_start(rest).map(PollCommand::Start),
            lang_hint: prefix_hint,
        });
    }
    let (verb_word, args) = split_word(rest);
    let verb_norm = norm_word(verb_word);
    let Some(&(_, verb, verb_hint)) = VERBS.iter().find(|(w, _, _)| *w == verb_norm) else {
        return Some(Parsed {
            command: Err(PollError::UnknownVerb(verb_word.to_string())),
            lang_hint: prefix_hint,
        });
    };
    let lang_hint = prefix_hint.or(verb_hint);
    let command = match verb {
        Verb::Start => parse_start(args.trim()).map(PollCommand::Start),
        Verb::End => poll_arg(args).map(|poll| PollCommand::End { poll }),
        Verb::Cancel => poll_arg(args).map(|poll| PollCommand::Cancel { poll }),
        Verb::Results => poll_arg(args).map(|poll| PollCommand::Results { poll }),
        Verb::Ballots => parse_ballots(args),
        Verb::List => Ok(PollCommand::List),
        Verb::Help => Ok(PollCommand::Help),
    };
    Some(Parsed { command, lang_hint })
}

fn poll_number(word: &str) -> Option<Result<u64, String>> {
    let n = word.strip_prefix('#')?;
    Some(n.parse::<u64>().map_err(|_| word.to_string()))
}

fn poll_arg(args: &str) -> Result<Option<u64>, PollError> {
    for w in args.split_whitespace() {
        if let Some(n) = poll_number(w) {
            return n.map(Some).map_err(PollError::BadPoll);
        }
    }
    Ok(None)
}

fn parse_ballots(args: &str) -> Result<PollCommand, PollError> {
    let mut poll = None;
    let mut part = None;
    for w in args.split_whitespace() {
        match poll_number(w) {
            Some(n) => poll = Some(n.map_err(PollError::BadPoll)?),
            None => match w.parse::<u32>() {
                Ok(k) if k >= 1 => part = Some(k),
                _ => return Err(PollError::BadPart(w.to_string())),
            },
        }
    }
    Ok(PollCommand::Ballots { poll, part })
}

/// The closing quotes of an opening one.
fn closing(open: char) -> Option<&'static [char]> {
    Some(match open {
        '"' => &['"', '”'],
        '«' => &['»'],
        '“' => &['”', '"'],
        '„' => &['“', '”'],
        '”' => &['”', '"'],
        _ => return None,
    })
}

fn starts_with_quote(s: &str) -> bool {
    s.chars().next().and_then(closing).is_some()
}

/// The quoted strings at the start of `s`, and the rest; `Err` when a quote
/// is not closed.
fn quoted_strings(s: &str) -> Result<(Vec<String>, &str), PollError> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while let Some(open) = rest.chars().next() {
        let Some(closes) = closing(open) else {
            break;
        };
        let body = &rest[open.len_utf8()..];
        let end = body.find(closes).ok_or(PollError::UnclosedQuote)?;
        let close_len = body[end..].chars().next().map_or(1, char::len_utf8);
        // `«\u{a0}Oui\u{a0}»`: the spaces inside French quotes go.
        out.push(body[..end].split_whitespace().collect::<Vec<_>>().join(" "));
        rest = body[end + close_len..].trim_start();
    }
    Ok((out, rest))
}

/// True for `anonymous` and its spellings.
fn is_anonymous_word(w: &str) -> bool {
    matches!(w, "anonymous" | "anonyme" | "anon" | "secret")
}

fn results_value(v: &str) -> Option<ResultsMode> {
    Some(match v {
        "live" | "direct" | "en-direct" | "endirect" | "always" | "toujours" => ResultsMode::Live,
        "end" | "fin" | "final" | "cloture" | "closing" | "after" | "apres" => ResultsMode::End,
        "staff" | "equipe" | "team" | "mods" | "moderateurs" => ResultsMode::Staff,
        _ => return None,
    })
}

/// A word of a duration: `2h`, `30min`, or a unit after a number (`2 jours`).
fn is_duration_word(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_digit())
        || parse_duration(&format!("1{w}")).is_some()
}

fn parse_start(args: &str) -> Result<StartSpec, PollError> {
    let (strings, rest) = quoted_strings(args)?;
    let mut strings = strings.into_iter();
    let question = strings.next().ok_or(PollError::MissingQuestion)?;
    if question.is_empty() {
        return Err(PollError::MissingQuestion);
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(PollError::QuestionTooLong);
    }
    let answers: Vec<String> = strings.collect();
    if let Some(k) = answers.iter().position(String::is_empty) {
        return Err(PollError::EmptyAnswer(k + 1));
    }
    if answers.len() < 2 {
        return Err(PollError::TooFewAnswers(answers.len()));
    }
    if answers.len() > MAX_ANSWERS {
        return Err(PollError::TooManyAnswers(answers.len()));
    }
    if let Some(k) = answers
        .iter()
        .position(|a| a.chars().count() > MAX_ANSWER_CHARS)
    {
        return Err(PollError::AnswerTooLong(k + 1));
    }
    for (i, a) in answers.iter().enumerate() {
        let folded = norm_word(a);
        if answers[..i].iter().any(|b| norm_word(b) == folded) {
            return Err(PollError::DuplicateAnswer(a.clone()));
        }
    }
    let mut duration_words: Vec<&str> = Vec::new();
    let mut multi = None;
    let mut anonymous = false;
    let mut results = None;
    for word in rest.split_whitespace() {
        let w = norm_word(word);
        if let Some((key, value)) = w.split_once('=') {
            match key {
                "multi" | "choix" | "choices" | "max" => {
                    multi = Some(match value.parse::<u32>() {
                        Ok(m) if m >= 1 && m as usize <= answers.len() => m,
                        _ => return Err(PollError::BadMulti(value.to_string())),
                    });
                }
                "results" | "resultats" | "result" | "resultat" => {
                    results = Some(
                        results_value(value)
                            .ok_or_else(|| PollError::BadResults(value.to_string()))?,
                    );
                }
                _ => return Err(PollError::UnknownOption(word.to_string())),
            }
        } else if is_anonymous_word(&w) {
            anonymous = true;
        } else if w == "multi" {
            // `multi` alone: any number of answers.
            multi = Some(answers.len() as u32);
        } else if is_duration_word(&w) {
            duration_words.push(word);
        } else {
            return Err(PollError::UnknownOption(word.to_string()));
        }
    }
    let duration_ms = if duration_words.is_empty() {
        None
    } else {
        let text = duration_words.join(" ");
        Some(parse_duration(&text).ok_or(PollError::BadDuration(text))?)
    };
    Ok(StartSpec {
        question,
        answers,
        duration_ms,
        multi,
        anonymous,
        results,
    })
}

/// The answer number of a reaction or a vote word: `1`…`10`, the keycaps
/// 1️⃣…9️⃣ (with or without the variation selector) and 🔟. `None` for
/// anything else (0️⃣ and 0 included).
pub fn answer_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s == "🔟" {
        return Some(10);
    }
    let digits: String = s
        .chars()
        .filter(|&c| c != '\u{FE0F}' && c != '\u{20E3}')
        .collect();
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A keycap is one digit followed by U+20E3.
    if s.contains('\u{20E3}') && digits.len() != 1 {
        return None;
    }
    match digits.parse::<u32>() {
        Ok(n) if (1..=MAX_ANSWERS as u32).contains(&n) && !digits.starts_with('0') => Some(n),
        _ => None,
    }
}

/// The keycap of answer `k` (1️⃣ … 🔟).
pub fn keycap(k: usize) -> &'static str {
    const CAPS: [&str; MAX_ANSWERS] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"];
    k.checked_sub(1)
        .and_then(|i| CAPS.get(i))
        .copied()
        .unwrap_or("▫️")
}

const WITHDRAW_WORDS: &[&str] = &[
    "clear", "none", "remove", "withdraw", "retract", "retirer", "aucun", "effacer", "annuler",
    "retrait",
];

/// Reads a `!vote` command; `None` when the text does not start with one
/// of the (normalised) `prefixes`.
pub fn parse_vote(text: &str, prefixes: &[String]) -> Option<Parsed<VoteCommand, VoteError>> {
    let prefix = prefix_of(text, prefixes)?;
    let lang_hint = FRENCH_PREFIXES.contains(&prefix).then_some(Lang::Fr);
    let (_, rest) = split_word(text);
    let mut poll = None;
    let mut choices: Vec<u32> = Vec::new();
    let mut withdraw = false;
    let command = (|| {
        for word in rest.split_whitespace() {
            if let Some(n) = poll_number(word) {
                poll = Some(n.map_err(VoteError::BadPoll)?);
                continue;
            }
            let w = norm_word(word);
            if WITHDRAW_WORDS.contains(&w.as_str()) {
                withdraw = true;
                continue;
            }
            for part in word.split([',', ';', '+', '/']) {
                if part.is_empty() {
                    continue;
                }
                let n = answer_number(part).or_else(|| {
                    // `12` is not an answer; keep the number to say so.
                    part.parse::<u32>().ok().filter(|_| !part.starts_with('+'))
                });
                match n {
                    Some(n) => {
                        if !choices.contains(&n) {
                            choices.push(n);
                        }
                    }
                    None => return Err(VoteError::BadChoice(part.to_string())),
                }
            }
        }
        Ok(if withdraw {
            VoteCommand::Withdraw { poll }
        } else if choices.is_empty() {
            VoteCommand::Help { poll }
        } else {
            VoteCommand::Vote {
                poll,
                choices: choices.clone(),
            }
        })
    })();
    Some(Parsed { command, lang_hint })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS};

    fn prefixes() -> Vec<String> {
        vec!["!poll".into(), "!sondage".into()]
    }
    fn votes() -> Vec<String> {
        vec!["!vote".into(), "!voter".into()]
    }
    fn poll(text: &str) -> Result<PollCommand, PollError> {
        parse_poll(text, &prefixes()).expect("a command").command
    }
    fn start(text: &str) -> StartSpec {
        match poll(text) {
            Ok(PollCommand::Start(s)) => s,
            other => panic!("{text}: {other:?}"),
        }
    }
    fn vote(text: &str) -> Result<VoteCommand, VoteError> {
        parse_vote(text, &votes()).expect("a vote").command
    }

    #[test]
    fn parses_a_poll_in_english() {
        let s = start(r#"!poll "Which flavour ?" "Vanilla" "Chocolate" "Strawberry" 2h"#);
        assert_eq!(s.question, "Which flavour ?");
        assert_eq!(s.answers, ["Vanilla", "Chocolate", "Strawberry"]);
        assert_eq!(s.duration_ms, Some(2 * HOUR_MS));
        assert_eq!(s.multi, None);
        assert!(!s.anonymous);
        assert_eq!(s.results, None);
        let s = start(r#"!poll start "Q?" "A" "B" 1h30 multi=2 anonymous results=end"#);
        assert_eq!(s.duration_ms, Some(90 * MINUTE_MS));
        assert_eq!(s.multi, Some(2));
        assert!(s.anonymous);
        assert_eq!(s.results, Some(ResultsMode::End));
        let s = start("!POLL “Best day?” “Monday” “Friday”");
        assert_eq!(s.answers, ["Monday", "Friday"]);
        assert_eq!(s.duration_ms, None);
        assert_eq!(
            parse_poll("!poll \"a\" \"b\" \"c\"", &prefixes())
                .unwrap()
                .lang_hint,
            None
        );
    }

    #[test]
    fn parses_a_poll_in_french() {
        let p = parse_poll(
            "!sondage « Quelle saveur pour l’hiver ? » « Vanille » « Chocolat » 2 jours anonyme résultats=équipe choix=2",
            &prefixes(),
        )
        .unwrap();
        assert_eq!(p.lang_hint, Some(Lang::Fr));
        let Ok(PollCommand::Start(s)) = p.command else {
            panic!("{p:?}")
        };
        assert_eq!(s.question, "Quelle saveur pour l’hiver ?");
        assert_eq!(s.answers, ["Vanille", "Chocolat"]);
        assert_eq!(s.duration_ms, Some(2 * DAY_MS));
        assert!(s.anonymous);
        assert_eq!(s.results, Some(ResultsMode::Staff));
        assert_eq!(s.multi, Some(2));
        let s = start("!sondage nouveau «\u{a0}Oui ou non\u{a0}?\u{a0}» «\u{a0}Oui\u{a0}» «\u{a0}Non\u{a0}» 1j resultats=direct");
        assert_eq!(s.question, "Oui ou non ?");
        assert_eq!(s.answers, ["Oui", "Non"]);
        assert_eq!(s.results, Some(ResultsMode::Live));
        // Quotes of every kind, mixed, and no space between them.
        let s = start(r#"!sondage "Q" «A»“B”"C" multi"#);
        assert_eq!(s.answers, ["A", "B", "C"]);
        assert_eq!(s.multi, Some(3));
    }

    #[test]
    fn explains_bad_polls() {
        let cases: &[(&str, PollError)] = &[
            ("!poll \"Q?\" \"A\"", PollError::TooFewAnswers(1)),
            ("!poll \"Q?\"", PollError::TooFewAnswers(0)),
            ("!poll start", PollError::MissingQuestion),
            ("!poll \"\" \"A\" \"B\"", PollError::MissingQuestion),
            ("!poll \"Q?\" \"A\" \"\" \"B\"", PollError::EmptyAnswer(2)),
            ("!poll \"Q?\" \"A\" \"B", PollError::UnclosedQuote),
            (
                "!poll \"Q?\" \"A\" \"a\"",
                PollError::DuplicateAnswer("a".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" demain",
                PollError::UnknownOption("demain".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" 2 lunes",
                PollError::UnknownOption("lunes".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" 2x",
                PollError::BadDuration("2x".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" multi=3",
                PollError::BadMulti("3".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" multi=0",
                PollError::BadMulti("0".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" results=never",
                PollError::BadResults("never".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" anonymus",
                PollError::UnknownOption("anonymus".into()),
            ),
            (
                "!poll \"Q?\" \"A\" \"B\" colour=red",
                PollError::UnknownOption("colour=red".into()),
            ),
            (
                "!poll frobnicate",
                PollError::UnknownVerb("frobnicate".into()),
            ),
            ("!poll Q? A B", PollError::UnknownVerb("Q?".into())),
            ("!poll end #x", PollError::BadPoll("#x".into())),
            ("!poll ballots #2 zero", PollError::BadPart("zero".into())),
            ("!poll ballots 0", PollError::BadPart("0".into())),
        ];
        for (text, want) in cases {
            assert_eq!(poll(text).as_ref(), Err(want), "{text}");
        }
        let eleven: String = (1..=11).map(|k| format!(" \"A{k}\"")).collect();
        assert_eq!(
            poll(&format!("!poll \"Q\"{eleven}")),
            Err(PollError::TooManyAnswers(11))
        );
        let ten: String = (1..=10).map(|k| format!(" \"A{k}\"")).collect();
        assert_eq!(start(&format!("!poll \"Q\"{ten}")).answers.len(), 10);
        let long = "x".repeat(MAX_ANSWER_CHARS + 1);
        assert_eq!(
            poll(&format!("!poll \"Q\" \"A\" \"{long}\"")),
            Err(PollError::AnswerTooLong(2))
        );
        let long = "x".repeat(MAX_QUESTION_CHARS + 1);
        assert_eq!(
            poll(&format!("!poll \"{long}\" \"A\" \"B\"")),
            Err(PollError::QuestionTooLong)
        );
    }

    #[test]
    fn parses_the_other_poll_commands() {
        let cases: &[(&str, PollCommand, Option<Lang>)] = &[
            ("!poll", PollCommand::Help, None),
            ("!sondage", PollCommand::Help, Some(Lang::Fr)),
            ("!poll help", PollCommand::Help, Some(Lang::En)),
            ("!sondage aide", PollCommand::Help, Some(Lang::Fr)),
            ("!poll end", PollCommand::End { poll: None }, Some(Lang::En)),
            (
                "!sondage fin #3",
                PollCommand::End { poll: Some(3) },
                Some(Lang::Fr),
            ),
            (
                "!poll close #12",
                PollCommand::End { poll: Some(12) },
                Some(Lang::En),
            ),
            (
                "!sondage Clôturer",
                PollCommand::End { poll: None },
                Some(Lang::Fr),
            ),
            (
                "!poll cancel #2",
                PollCommand::Cancel { poll: Some(2) },
                Some(Lang::En),
            ),
            (
                "!sondage annuler",
                PollCommand::Cancel { poll: None },
                Some(Lang::Fr),
            ),
            (
                "!poll results",
                PollCommand::Results { poll: None },
                Some(Lang::En),
            ),
            (
                "!sondage résultats #4",
                PollCommand::Results { poll: Some(4) },
                Some(Lang::Fr),
            ),
            (
                "!poll ballots #4",
                PollCommand::Ballots {
                    poll: Some(4),
                    part: None,
                },
                Some(Lang::En),
            ),
            (
                "!sondage bulletins #4 2",
                PollCommand::Ballots {
                    poll: Some(4),
                    part: Some(2),
                },
                Some(Lang::Fr),
            ),
            ("!poll list", PollCommand::List, Some(Lang::En)),
            ("!sondage liste", PollCommand::List, Some(Lang::Fr)),
        ];
        for (text, want, hint) in cases {
            let p = parse_poll(text, &prefixes()).unwrap();
            assert_eq!(p.command.as_ref(), Ok(want), "{text}");
            assert_eq!(p.lang_hint, *hint, "{text}");
        }
        assert!(parse_poll("!polls", &prefixes()).is_none());
        assert!(parse_poll("poll end", &prefixes()).is_none());
        assert!(parse_poll("Le !sondage est fini", &prefixes()).is_none());
        assert!(parse_poll("", &prefixes()).is_none());
    }

    #[test]
    fn parses_votes() {
        let v = |poll, choices: &[u32]| {
            Ok(VoteCommand::Vote {
                poll,
                choices: choices.to_vec(),
            })
        };
        assert_eq!(vote("!vote 2"), v(None, &[2]));
        assert_eq!(vote("!voter 1 3"), v(None, &[1, 3]));
        assert_eq!(vote("!vote 1,3"), v(None, &[1, 3]));
        assert_eq!(vote("!vote 3, 1"), v(None, &[3, 1]));
        assert_eq!(vote("!vote #4 2"), v(Some(4), &[2]));
        assert_eq!(vote("!vote 2 #4"), v(Some(4), &[2]));
        assert_eq!(vote("!vote 2️⃣ 🔟"), v(None, &[2, 10]));
        assert_eq!(vote("!vote 2 2"), v(None, &[2]));
        assert_eq!(vote("!VOTE 12"), v(None, &[12]));
        assert_eq!(vote("!vote"), Ok(VoteCommand::Help { poll: None }));
        assert_eq!(vote("!voter #2"), Ok(VoteCommand::Help { poll: Some(2) }));
        assert_eq!(
            vote("!vote clear"),
            Ok(VoteCommand::Withdraw { poll: None })
        );
        assert_eq!(
            vote("!voter retirer #3"),
            Ok(VoteCommand::Withdraw { poll: Some(3) })
        );
        assert_eq!(
            vote("!vote pizza"),
            Err(VoteError::BadChoice("pizza".into()))
        );
        assert_eq!(vote("!vote #x 1"), Err(VoteError::BadPoll("#x".into())));
        assert_eq!(
            parse_vote("!voter 1", &votes()).unwrap().lang_hint,
            Some(Lang::Fr)
        );
        assert!(parse_vote("!votes 1", &votes()).is_none());
        assert!(parse_vote("je vote 1", &votes()).is_none());
    }

    #[test]
    fn reads_answer_numbers() {
        for (s, n) in [
            ("1️⃣", Some(1)),
            ("1\u{20E3}", Some(1)),
            ("9️⃣", Some(9)),
            ("🔟", Some(10)),
            ("3", Some(3)),
            ("10", Some(10)),
            (" 2 ", Some(2)),
            ("0️⃣", None),
            ("0", None),
            ("11", None),
            ("01", None),
            ("12\u{20E3}", None),
            ("👍", None),
            ("", None),
            ("#️⃣", None),
        ] {
            assert_eq!(answer_number(s), n, "{s:?}");
        }
        for k in 1..=10 {
            assert_eq!(answer_number(keycap(k)), Some(k as u32));
        }
    }
}
