//! Staff and user commands, in French and English:
//!
//! ```text
//! !giveaway start "Prize" 2h 3        !concours lancer « Lot » 1j 2
//! !giveaway end [#n]                  !concours fin [#n]
//! !giveaway reroll @user [#n]         !concours remplacer @membre [#n]
//! !giveaway cancel [#n]               !concours annuler [#n]
//! !giveaway status [#n]               !concours statut [#n]
//! !giveaway entries [#n]              !concours participants [#n]
//! !giveaway help                      !concours aide
//! ```

use crate::config::{norm_phrase, Phrase};
use crate::time::{is_duration, parse_duration};
use vigie_text::Lang;

/// A command, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Start a contest.
    Start {
        /// What is to be won.
        prize: String,
        /// How long it stays open.
        duration_ms: i64,
        /// Number of winners.
        winners: u32,
    },
    /// Close a contest now and draw.
    End {
        /// `#n`, when given.
        contest: Option<u64>,
    },
    /// Close a contest without a draw.
    Cancel {
        /// `#n`, when given.
        contest: Option<u64>,
    },
    /// Replace one winner.
    Reroll {
        /// The winner to replace, as typed (`@u-alice`, `Alice`, `<@123>`):
        /// every word but `#n`.
        user: String,
        /// `#n`, when given.
        contest: Option<u64>,
    },
    /// Where a contest stands.
    Status {
        /// `#n`, when given.
        contest: Option<u64>,
    },
    /// The entry list of an ended contest, sent privately to whoever asks
    /// (anyone may check a draw, whatever the list's size).
    Entries {
        /// `#n`, when given.
        contest: Option<u64>,
    },
    /// The list of commands.
    Help,
}

/// What is wrong with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// Not a known sub-command.
    UnknownVerb(String),
    /// `start` without a prize.
    MissingPrize,
    /// `start` without a duration.
    MissingDuration,
    /// `start` with something that is not a duration.
    BadDuration(String),
    /// `start` with a bad number of winners.
    BadWinners(String),
    /// `reroll` without a user.
    MissingUser,
    /// `#n` that is not a number.
    BadContest(String),
}

/// A message that starts with a command prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The command, or why it cannot be understood.
    pub command: Result<Command, CommandError>,
    /// The language the command word suggests (`lancer` → French,
    /// `start` → English, `!concours` → French), when it does.
    pub lang_hint: Option<Lang>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Start,
    End,
    Cancel,
    Reroll,
    Status,
    Entries,
    Help,
}

const VERBS: &[(&str, Verb, Option<Lang>)] = &[
    ("start", Verb::Start, Some(Lang::En)),
    ("begin", Verb::Start, Some(Lang::En)),
    ("new", Verb::Start, Some(Lang::En)),
    ("lancer", Verb::Start, Some(Lang::Fr)),
    ("lance", Verb::Start, Some(Lang::Fr)),
    ("demarrer", Verb::Start, Some(Lang::Fr)),
    ("commencer", Verb::Start, Some(Lang::Fr)),
    ("debut", Verb::Start, Some(Lang::Fr)),
    ("nouveau", Verb::Start, Some(Lang::Fr)),
    ("end", Verb::End, Some(Lang::En)),
    ("draw", Verb::End, Some(Lang::En)),
    ("close", Verb::End, Some(Lang::En)),
    ("finish", Verb::End, Some(Lang::En)),
    ("stop", Verb::End, None),
    ("fin", Verb::End, Some(Lang::Fr)),
    ("finir", Verb::End, Some(Lang::Fr)),
    ("terminer", Verb::End, Some(Lang::Fr)),
    ("tirage", Verb::End, Some(Lang::Fr)),
    ("tirer", Verb::End, Some(Lang::Fr)),
    ("clore", Verb::End, Some(Lang::Fr)),
    ("cloturer", Verb::End, Some(Lang::Fr)),
    ("cancel", Verb::Cancel, Some(Lang::En)),
    ("abort", Verb::Cancel, Some(Lang::En)),
    ("annuler", Verb::Cancel, Some(Lang::Fr)),
    ("reroll", Verb::Reroll, Some(Lang::En)),
    ("redraw", Verb::Reroll, Some(Lang::En)),
    ("replace", Verb::Reroll, Some(Lang::En)),
    ("remplacer", Verb::Reroll, Some(Lang::Fr)),
    ("retirage", Verb::Reroll, Some(Lang::Fr)),
    ("retirer", Verb::Reroll, Some(Lang::Fr)),
    ("status", Verb::Status, None),
    ("info", Verb::Status, None),
    ("statut", Verb::Status, Some(Lang::Fr)),
    ("etat", Verb::Status, Some(Lang::Fr)),
    ("infos", Verb::Status, Some(Lang::Fr)),
    ("entries", Verb::Entries, Some(Lang::En)),
    ("list", Verb::Entries, Some(Lang::En)),
    ("participants", Verb::Entries, None),
    ("liste", Verb::Entries, Some(Lang::Fr)),
    ("help", Verb::Help, Some(Lang::En)),
    ("aide", Verb::Help, Some(Lang::Fr)),
];

/// Reads a command: `None` when the message does not start with one of the
/// (normalised) `prefixes`.
pub fn parse(text: &str, prefixes: &[String]) -> Option<Parsed> {
    let text = text.trim_start();
    let (first, rest) = split_word(text);
    let first_norm = norm_phrase(first);
    if !prefixes.contains(&first_norm) {
        return None;
    }
    let prefix_hint = (first_norm == "!concours").then_some(Lang::Fr);
    let (verb_word, args) = split_word(rest.trim_start());
    let verb_norm = norm_phrase(verb_word);
    if verb_norm.is_empty() {
        return Some(Parsed {
            command: Ok(Command::Help),
            lang_hint: prefix_hint,
        });
    }
    let Some(&(_, verb, verb_hint)) = VERBS.iter().find(|(w, _, _)| *w == verb_norm) else {
        return Some(Parsed {
            command: Err(CommandError::UnknownVerb(verb_word.to_string())),
            lang_hint: prefix_hint,
        });
    };
    let lang_hint = prefix_hint.or(verb_hint);
    let command = match verb {
        Verb::Start => parse_start(args),
        Verb::End => contest_arg(args).map(|contest| Command::End { contest }),
        Verb::Cancel => contest_arg(args).map(|contest| Command::Cancel { contest }),
        Verb::Status => contest_arg(args).map(|contest| Command::Status { contest }),
        Verb::Entries => contest_arg(args).map(|contest| Command::Entries { contest }),
        Verb::Help => Ok(Command::Help),
        Verb::Reroll => parse_reroll(args),
    };
    Some(Parsed { command, lang_hint })
}

fn words_with_offsets(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push((st, &s[st..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

fn split_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

fn contest_number(word: &str) -> Option<Result<u64, CommandError>> {
    let n = word.strip_prefix('#')?;
    Some(
        n.parse::<u64>()
            .map_err(|_| CommandError::BadContest(word.to_string())),
    )
}

fn contest_arg(args: &str) -> Result<Option<u64>, CommandError> {
    for w in args.split_whitespace() {
        if let Some(n) = contest_number(w) {
            return n.map(Some);
        }
    }
    Ok(None)
}

fn parse_reroll(args: &str) -> Result<Command, CommandError> {
    let mut user = Vec::new();
    let mut contest = None;
    for w in args.split_whitespace() {
        match contest_number(w) {
            Some(n) => contest = Some(n?),
            None => user.push(w),
        }
    }
    if user.is_empty() {
        return Err(CommandError::MissingUser);
    }
    Ok(Command::Reroll {
        user: user.join(" "),
        contest,
    })
}

const WINNER_WORDS: &[&str] = &[
    "gagnant",
    "gagnants",
    "gagnante",
    "gagnantes",
    "winner",
    "winners",
];

fn parse_start(args: &str) -> Result<Command, CommandError> {
    let args = args.trim();
    let (prize, rest) = match quoted(args) {
        Some((prize, rest)) => (prize.trim().to_string(), rest),
        None => {
            // Unquoted: the prize is every word before the first duration or
            // number.
            let words = words_with_offsets(args);
            let cut = words
                .iter()
                .position(|(_, w)| is_duration(w) || w.parse::<u32>().is_ok())
                .unwrap_or(words.len());
            let prize = words[..cut]
                .iter()
                .map(|(_, w)| *w)
                .collect::<Vec<_>>()
                .join(" ");
            let rest = words.get(cut).map_or("", |(at, _)| &args[*at..]);
            (prize, rest)
        }
    };
    if prize.is_empty() {
        return Err(CommandError::MissingPrize);
    }
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    if words
        .last()
        .is_some_and(|w| WINNER_WORDS.contains(&norm_phrase(w).as_str()))
    {
        words.pop();
    }
    let mut winners = 1;
    if words.len() >= 2 {
        if let Some(last) = words.last() {
            if last.chars().all(|c| c.is_ascii_digit()) {
                winners = last
                    .parse::<u32>()
                    .map_err(|_| CommandError::BadWinners(last.to_string()))?;
                words.pop();
            }
        }
    }
    if words.is_empty() {
        return Err(CommandError::MissingDuration);
    }
    let duration_text = words.join(" ");
    let duration_ms =
        parse_duration(&duration_text).ok_or(CommandError::BadDuration(duration_text))?;
    if winners == 0 {
        return Err(CommandError::BadWinners("0".into()));
    }
    Ok(Command::Start {
        prize,
        duration_ms,
        winners,
    })
}

/// A prize between quotes: `"…"`, `« … »`, `“…”`, `'…'`; returns it and
/// the text after the closing quote.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let open = s.chars().next()?;
    let closes: &[char] = match open {
        '"' => &['"', '”'],
        '«' => &['»'],
        '“' => &['”', '"'],
        '„' => &['“', '”'],
        '\'' => &['\''],
        _ => return None,
    };
    let body = &s[open.len_utf8()..];
    let end = body.find(closes)?;
    let close_len = body[end..].chars().next().map_or(1, char::len_utf8);
    Some((&body[..end], &body[end + close_len..]))
}

/// True when `text` is an entry: it starts with one of the (normalised)
/// `keywords`, followed by the end of the text or by something that is not
/// a letter or a digit (`je participe !`, `!enter`, `I'm in 🙌`). Only the
/// start of the text is folded, as far as a keyword could reach.
pub fn is_entry(text: &str, keywords: &[String]) -> bool {
    let first = first_folded(text).unwrap_or_else(|| Phrase::new(text).next());
    let Some(f) = first else {
        return keywords.iter().any(|k| k.is_empty());
    };
    keywords.iter().any(|k| {
        if !k.starts_with(f) {
            return k.is_empty() && !f.is_alphanumeric();
        }
        let mut p = Phrase::new(text);
        k.chars().all(|kc| p.next() == Some(kc)) && p.next().is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The first character of `norm_phrase(text)` (`Some(None)`: there is
/// none), when the text starts, after ASCII white space, with an ASCII
/// character followed by ASCII: then it is that character folded. `None`
/// when it takes more to tell.
fn first_folded(text: &str) -> Option<Option<char>> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] < 0x80 && (b[i] as char).is_whitespace() {
        i += 1;
    }
    let Some(&c) = b.get(i) else {
        return Some(None);
    };
    (c < 0x80 && b.get(i + 1).is_none_or(|&n| n < 0x80)).then(|| {
        Some(if c == b'`' {
            '\''
        } else {
            (c as char).to_ascii_lowercase()
        })
    })
}

/// False when `text` cannot be a command: its first word, folded, is not
/// one of the (normalised) `prefixes` (what [`parse`] checks first).
pub fn may_be_command(text: &str, prefixes: &[String]) -> bool {
    if let Some(f) = first_folded(text) {
        // The first word's folding starts with `f` too.
        if !prefixes.iter().any(|p| f.is_some_and(|f| p.starts_with(f))) {
            return false;
        }
    }
    let (first, _) = split_word(text.trim_start());
    prefixes.iter().any(|p| {
        let mut folded = Phrase::new(first);
        p.chars().all(|pc| folded.next() == Some(pc)) && folded.next().is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_entry` as first written: the whole text folded.
    fn is_entry_reference(text: &str, keywords: &[String]) -> bool {
        let folded = vigie_text::fold(text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        keywords.iter().any(|k| {
            folded
                .strip_prefix(k.as_str())
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
        })
    }

    #[test]
    fn quick_first_character_is_the_phrase_s() {
        let mut texts: Vec<String> = (0u8..0x80)
            .flat_map(|a| (0u8..0x80).map(move |b| format!("{}{}x", a as char, b as char)))
            .collect();
        texts.extend(
            [
                "",
                " ",
                "\u{b}x",
                " \u{b} y",
                "\u{a0}x",
                "a\u{301}",
                " a",
                "\u{3000}!x",
            ]
            .map(String::from),
        );
        for t in &texts {
            if let Some(f) = first_folded(t) {
                assert_eq!(f, Phrase::new(t).next(), "{t:?}");
            }
        }
    }

    #[test]
    fn lazy_entry_and_command_checks_equal_the_reference() {
        let keyword_sets: Vec<Vec<String>> = vec![
            Config::parse("{}").unwrap().keywords,
            Config::parse(r#"{"keywords": ["Moi Aussi", "J’en suis", "ÉNORME", "!go", "ｆｕｌｌ", "ǆ", "ß"]}"#)
                .unwrap()
                .keywords,
        ];
        let prefix_sets: Vec<Vec<String>> = vec![
            Config::parse("{}").unwrap().command_prefixes,
            Config::parse(r#"{"command_prefixes": ["!Jeu", "ÉTÉ", "ﬁn"]}"#)
                .unwrap()
                .command_prefixes,
        ];
        let pieces = [
            "!participer",
            "je participe",
            "Je",
            " ",
            "\u{a0}",
            "participe",
            "!",
            "I’m",
            "im",
            "in",
            "count me in",
            "moi",
            "aussi",
            "j'en",
            "suis",
            "énorme",
            "ENORME",
            "full",
            "ｆｕｌｌ",
            "!go",
            "ne",
            "\u{301}",
            "e\u{301}",
            "¨",
            "ǅ",
            "ss",
            "ß",
            "ẞ",
            "x",
            "2",
            "🙌",
            "\t",
            "!giveaway",
            "!GIVEAWAY",
            "!concours",
            "!jeu",
            "été",
            "fin",
            "ﬁn",
            "ﬁ",
            "\u{3000}",
            "start",
            "!gIVEAWAY\u{301}",
            "giveaway",
        ];
        let mut x: u64 = 5;
        for _ in 0..40_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = 1 + (x >> 61) as usize;
            let mut text = String::new();
            let mut y = x;
            for _ in 0..n {
                y = y
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(y >> 33) as usize % pieces.len()]);
            }
            for k in &keyword_sets {
                assert_eq!(is_entry(&text, k), is_entry_reference(&text, k), "{text:?}");
            }
            for p in &prefix_sets {
                if !may_be_command(&text, p) {
                    assert!(parse(&text, p).is_none(), "{text:?}");
                }
                assert_eq!(
                    may_be_command(&text, p),
                    parse(&text, p).is_some(),
                    "{text:?}"
                );
            }
        }
    }
    use crate::config::Config;
    use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS};

    fn p(text: &str) -> Option<Parsed> {
        parse(text, &Config::parse("{}").unwrap().command_prefixes)
    }

    fn cmd(text: &str) -> Result<Command, CommandError> {
        p(text).expect("a command").command
    }

    #[test]
    fn parses_start_with_quotes_durations_and_winners() {
        assert_eq!(
            cmd("!giveaway start \"Coffret dégustation Noël\" 2h 3"),
            Ok(Command::Start {
                prize: "Coffret dégustation Noël".into(),
                duration_ms: 2 * HOUR_MS,
                winners: 3
            })
        );
        assert_eq!(
            cmd("!concours lancer « Carte cadeau 50 € » 1j 2 gagnants"),
            Ok(Command::Start {
                prize: "Carte cadeau 50 €".into(),
                duration_ms: DAY_MS,
                winners: 2
            })
        );
        assert_eq!(
            cmd("!giveaway start “Mug” 30min"),
            Ok(Command::Start {
                prize: "Mug".into(),
                duration_ms: 30 * MINUTE_MS,
                winners: 1
            })
        );
        assert_eq!(
            cmd("!GIVEAWAY Start Holiday tasting box 1h30 2 winners"),
            Ok(Command::Start {
                prize: "Holiday tasting box".into(),
                duration_ms: 90 * MINUTE_MS,
                winners: 2
            })
        );
        assert_eq!(
            cmd("!giveaway start Coffret 2 jours 3"),
            Ok(Command::Start {
                prize: "Coffret".into(),
                duration_ms: 2 * DAY_MS,
                winners: 3
            })
        );
        assert_eq!(
            cmd("!giveaway start \"Mug\" 1d"),
            Ok(Command::Start {
                prize: "Mug".into(),
                duration_ms: DAY_MS,
                winners: 1
            })
        );
    }

    #[test]
    fn explains_bad_start_commands() {
        assert_eq!(cmd("!giveaway start"), Err(CommandError::MissingPrize));
        assert_eq!(
            cmd("!giveaway start \"\" 2h"),
            Err(CommandError::MissingPrize)
        );
        assert_eq!(
            cmd("!giveaway start \"Mug\""),
            Err(CommandError::MissingDuration)
        );
        assert_eq!(
            cmd("!giveaway start \"Mug\" demain 3"),
            Err(CommandError::BadDuration("demain".into()))
        );
        assert_eq!(
            cmd("!giveaway start \"Mug\" 2h 0"),
            Err(CommandError::BadWinners("0".into()))
        );
        assert_eq!(
            cmd("!giveaway partir"),
            Err(CommandError::UnknownVerb("partir".into()))
        );
    }

    #[test]
    fn parses_the_other_commands() {
        let reroll = |user: &str, contest| {
            Ok(Command::Reroll {
                user: user.into(),
                contest,
            })
        };
        let cases = [
            ("!giveaway end", Ok(Command::End { contest: None })),
            ("!concours fin #3", Ok(Command::End { contest: Some(3) })),
            ("!concours terminer", Ok(Command::End { contest: None })),
            ("!giveaway reroll @u-alice", reroll("@u-alice", None)),
            ("!concours remplacer #2 Alice", reroll("Alice", Some(2))),
            ("!giveaway reroll", Err(CommandError::MissingUser)),
            ("!giveaway status", Ok(Command::Status { contest: None })),
            (
                "!concours annuler #1",
                Ok(Command::Cancel { contest: Some(1) }),
            ),
            ("!giveaway entries", Ok(Command::Entries { contest: None })),
            (
                "!concours participants #3",
                Ok(Command::Entries { contest: Some(3) }),
            ),
            ("!concours liste", Ok(Command::Entries { contest: None })),
            ("!giveaway", Ok(Command::Help)),
            ("!concours aide", Ok(Command::Help)),
            (
                "!giveaway end #x",
                Err(CommandError::BadContest("#x".into())),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(cmd(text), want, "{text}");
        }
        assert!(p("giveaway start").is_none());
        assert!(p("!giveaways").is_none());
        assert!(p("Bravo aux gagnants !").is_none());
    }

    #[test]
    fn hints_the_language() {
        assert_eq!(p("!concours fin").unwrap().lang_hint, Some(Lang::Fr));
        assert_eq!(
            p("!giveaway lancer x 2h").unwrap().lang_hint,
            Some(Lang::Fr)
        );
        assert_eq!(p("!giveaway end").unwrap().lang_hint, Some(Lang::En));
        assert_eq!(p("!giveaway status").unwrap().lang_hint, None);
    }

    #[test]
    fn recognises_entries_at_the_start_of_a_message() {
        let k = Config::parse("{}").unwrap().keywords;
        for yes in [
            "!participer",
            "je participe !",
            "Je participe ! c'est mon tout premier concours ici 🤞",
            "JE PARTICIPE!! 🎄",
            "!enter",
            "I’m in 🙌",
            "i'm in",
            "count me in!",
        ] {
            assert!(is_entry(yes, &k), "{yes}");
        }
        for no in [
            "Pour participer, tapez !participer ici",
            "je participerai demain",
            "!entered",
            "I'm inside",
            "Bravo aux gagnants !",
            "",
        ] {
            assert!(!is_entry(no, &k), "{no}");
        }
    }
}
