//! Every text the plugin writes, in French and in English: replies to
//! commands (in the command's language) and staff alerts (in the config's
//! `lang`).

use crate::command::AddError;
use crate::rule::{Freq, LocalTime, Rule, Until, Zone};
use vigie_text::Lang;

const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const SHORT_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const SHORT_FR: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

/// `Mon 2026-03-30 09:00` / `lun. 2026-03-30 09:00`.
pub fn local_with_day(lang: Lang, t: LocalTime) -> String {
    let names = match lang {
        Lang::En => SHORT_EN,
        Lang::Fr => SHORT_FR,
    };
    format!("{} {}", names[t.weekday() as usize % 7], t.text())
}

fn hhmm(t: &LocalTime) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

fn ordinal_en(n: i8) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The recurrence in words (`every Monday at 09:00`), or as its RRULE when
/// words would not say it exactly.
pub fn describe_rule(lang: Lang, rule: &Rule) -> String {
    let s = &rule.start;
    let fr = lang == Lang::Fr;
    let Some(freq) = rule.freq else {
        return if fr {
            format!("une fois, le {}", s.text())
        } else {
            format!("once, {}", s.text())
        };
    };
    let plain_time =
        rule.by_hour.is_empty() && rule.by_minute.is_empty() && rule.by_month.is_empty();
    let n = rule.interval;
    let at = hhmm(s);
    let body = match freq {
        Freq::Daily if plain_time && rule.by_day.is_empty() && rule.by_month_day.is_empty() => {
            match (fr, n) {
                (true, 1) => Some(format!("tous les jours à {at}")),
                (true, n) => Some(format!("tous les {n} jours à {at}")),
                (false, 1) => Some(format!("every day at {at}")),
                (false, n) => Some(format!("every {n} days at {at}")),
            }
        }
        Freq::Weekly if plain_time && rule.by_day.iter().all(|&(o, _)| o == 0) => {
            let days: Vec<u8> = if rule.by_day.is_empty() {
                vec![s.weekday()]
            } else {
                rule.by_day.iter().map(|&(_, d)| d).collect()
            };
            let names: Vec<&str> = days
                .iter()
                .map(|&d| {
                    if fr {
                        DAYS_FR[d as usize % 7]
                    } else {
                        DAYS_EN[d as usize % 7]
                    }
                })
                .collect();
            let list = names.join(", ");
            match (fr, n) {
                (true, 1) => Some(format!("chaque {list} à {at}")),
                (true, n) => Some(format!("toutes les {n} semaines le {list} à {at}")),
                (false, 1) => Some(format!("every {list} at {at}")),
                (false, n) => Some(format!("every {n} weeks on {list} at {at}")),
            }
        }
        Freq::Monthly if plain_time && rule.by_day.is_empty() && rule.by_month_day.len() <= 1 => {
            let day = rule.by_month_day.first().copied().unwrap_or(s.day as i8);
            let on = match (fr, day) {
                (true, -1) => "le dernier jour".to_string(),
                (false, -1) => "on the last day".to_string(),
                (true, d) if d > 0 => format!("le {d}"),
                (false, d) if d > 0 => format!("on the {}", ordinal_en(d)),
                _ => String::new(),
            };
            if on.is_empty() {
                None
            } else {
                Some(match (fr, n) {
                    (true, 1) => format!("chaque mois {on} à {at}"),
                    (true, n) => format!("tous les {n} mois {on} à {at}"),
                    (false, 1) => format!("every month {on} at {at}"),
                    (false, n) => format!("every {n} months {on} at {at}"),
                })
            }
        }
        Freq::Yearly
            if plain_time && rule.by_day.is_empty() && rule.by_month_day.is_empty() && n == 1 =>
        {
            Some(if fr {
                format!("chaque année le {:02}/{:02} à {at}", s.day, s.month)
            } else {
                format!("every year on {:02}-{:02} at {at}", s.month, s.day)
            })
        }
        _ => None,
    };
    let mut out = body.unwrap_or_else(|| format!("RRULE {}", rule.rrule()));
    if let Some(c) = rule.count {
        out.push_str(&if fr {
            format!(", {c} fois")
        } else {
            format!(", {c} times")
        });
    }
    match rule.until {
        Some(Until::Local(t)) => out.push_str(&if fr {
            format!(", jusqu'au {}", t.text())
        } else {
            format!(", until {}", t.text())
        }),
        Some(Until::Utc(ms)) => {
            let z = Zone::get("UTC").map(|z| z.format(ms)).unwrap_or_default();
            out.push_str(&if fr {
                format!(", jusqu'au {z} UTC")
            } else {
                format!(", until {z} UTC")
            })
        }
        None => {}
    }
    out
}

/// The list of commands.
pub fn help(lang: Lang) -> String {
    match lang {
        Lang::Fr => "📅 Calendrier éditorial — commandes (équipe) :\n\
• `!planning ajouter 2026-12-24 18:00 #general \"Texte\"` — une publication unique (aussi `24/12/2026 18h`, `demain 9h`)\n\
• `!planning ajouter chaque lundi 9h #general \"Texte\"` — récurrente (`tous les jours`, `en semaine`, `chaque mois le 15`, `toutes les 2 semaines le lundi`, `rrule FREQ=…`) ; fin : `jusqu'au 30/06/2026` ou `10 fois`\n\
• `!planning liste` — les publications prévues\n\
• `!planning annuler s3` — annuler une publication (celles de la configuration sont désactivées)\n\
• `!planning pause` / `!planning reprendre` — tout suspendre en cas de crise (rien ne part pendant la pause, rien ne part en retard ensuite)\n\
• `!planning aide` — cette aide"
            .to_string(),
        Lang::En => "📅 Editorial calendar — commands (staff):\n\
• `!schedule add 2026-12-24 18:00 #general \"Text\"` — a one-off post (also `tomorrow 9am`, `today 18:00`)\n\
• `!schedule add every monday 09:00 #general \"Text\"` — recurring (`daily`, `every weekday`, `every month on the 15th`, `every 2 weeks on monday`, `rrule FREQ=…`); end: `until 2026-06-30` or `10 times`\n\
• `!schedule list` — the scheduled posts\n\
• `!schedule cancel s3` — cancel a post (config posts are disabled)\n\
• `!schedule pause` / `!schedule resume` — hold everything during a crisis (nothing goes out while paused, nothing goes out late afterwards)\n\
• `!schedule help` — this help"
            .to_string(),
    }
}

/// A member who is not staff tried a staff command.
pub fn not_staff(lang: Lang) -> String {
    match lang {
        Lang::Fr => "Désolé, seule l'équipe d'animation peut gérer le calendrier des publications. `!planning aide` montre ce qu'il permet.".into(),
        Lang::En => "Sorry, only the community team can manage the post calendar. `!schedule help` shows what it does.".into(),
    }
}

/// An unknown sub-command.
pub fn unknown_sub(lang: Lang, word: &str) -> String {
    match lang {
        Lang::Fr => format!(
            "Je ne connais pas la commande « {word} ». {}",
            help_hint(lang)
        ),
        Lang::En => format!("I don't know the command \"{word}\". {}", help_hint(lang)),
    }
}

fn help_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "`!planning aide` donne la liste.",
        Lang::En => "`!schedule help` lists them.",
    }
}

/// An `add` that could not be read.
pub fn add_error(lang: Lang, e: &AddError) -> String {
    let fr = lang == Lang::Fr;
    let what = match e {
        AddError::NoText if fr => {
            "il manque le texte : mettez-le entre guillemets, « … » ou \"…\".".to_string()
        }
        AddError::NoText => "the text is missing: put it between quotes, \"…\".".to_string(),
        AddError::NoTime if fr => "il manque l'heure (`9h`, `09:00`, `18h30`).".to_string(),
        AddError::NoTime => "the time of day is missing (`09:00`, `9am`, `18:30`).".to_string(),
        AddError::Unknown(w) if fr => format!("je ne comprends pas « {w} »."),
        AddError::Unknown(w) => format!("I don't understand \"{w}\"."),
        AddError::BadDate(w) if fr => {
            format!("la date « {w} » n'existe pas ou ne se lit pas (`2026-12-24`, `24/12/2026`).")
        }
        AddError::BadDate(w) => format!(
            "the date \"{w}\" does not exist or cannot be read (`2026-12-24`, `24/12/2026`)."
        ),
        AddError::Twice(w) if fr => {
            format!("« {w} » est donné deux fois (ou contredit ce qui précède).")
        }
        AddError::Twice(w) => format!("\"{w}\" is given twice (or contradicts what came before)."),
        AddError::Rule(d) if fr => format!("la récurrence est refusée : {d}."),
        AddError::Rule(d) => format!("the recurrence is refused: {d}."),
    };
    match lang {
        Lang::Fr => format!(
            "Je n'ai pas pu programmer la publication : {what} Exemples : `!planning ajouter 2026-12-24 18:00 #general \"Joyeux Noël !\"`, `!planning ajouter chaque lundi 9h #general \"Le menu de la semaine\"`."
        ),
        Lang::En => format!(
            "I could not schedule the post: {what} Examples: `!schedule add 2026-12-24 18:00 #general \"Merry Christmas!\"`, `!schedule add every monday 09:00 #general \"This week's menu\"`."
        ),
    }
}

/// A one-off time already past (beyond the grace).
pub fn add_past(lang: Lang, when: &str) -> String {
    match lang {
        Lang::Fr => format!("Je n'ai pas pu programmer la publication : {when} est déjà passé."),
        Lang::En => format!("I could not schedule the post: {when} is already past."),
    }
}

/// A rule with no occurrence to come.
pub fn add_never(lang: Lang) -> String {
    match lang {
        Lang::Fr => {
            "Je n'ai pas pu programmer la publication : cette récurrence n'a aucune date à venir."
                .into()
        }
        Lang::En => "I could not schedule the post: this recurrence has no date to come.".into(),
    }
}

/// The calendar is full.
pub fn add_full(lang: Lang, max: usize) -> String {
    match lang {
        Lang::Fr => format!("Je n'ai pas pu programmer la publication : le calendrier en compte déjà {max}, le maximum. Annulez-en d'abord."),
        Lang::En => format!("I could not schedule the post: the calendar already holds {max}, the most it can. Cancel some first."),
    }
}

/// A text or channel refused.
pub fn add_refused(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Fr => format!("Je n'ai pas pu programmer la publication : {detail}."),
        Lang::En => format!("I could not schedule the post: {detail}."),
    }
}

/// A post added.
pub fn added(
    lang: Lang,
    id: &str,
    rule: &Rule,
    zone: &Zone,
    channel: &str,
    next: Option<LocalTime>,
    paused: bool,
) -> String {
    let desc = describe_rule(lang, rule);
    let next = next.map(|t| local_with_day(lang, t));
    let mut out = match (lang, next) {
        (Lang::Fr, Some(n)) => format!(
            "✅ Publication {id} programmée : {desc} ({}) dans {channel}. Prochain envoi : {n}. Pour l'annuler : `!planning annuler {id}`.",
            zone.name()
        ),
        (Lang::Fr, None) => format!("✅ Publication {id} programmée : {desc} ({}) dans {channel}.", zone.name()),
        (Lang::En, Some(n)) => format!(
            "✅ Post {id} scheduled: {desc} ({}) in {channel}. Next: {n}. To cancel it: `!schedule cancel {id}`.",
            zone.name()
        ),
        (Lang::En, None) => format!("✅ Post {id} scheduled: {desc} ({}) in {channel}.", zone.name()),
    };
    if paused {
        out.push_str(match lang {
            Lang::Fr => " ⏸ Le calendrier est en pause : rien ne part avant `!planning reprendre`.",
            Lang::En => " ⏸ The calendar is paused: nothing goes out before `!schedule resume`.",
        });
    }
    out
}

/// One line of `list`.
pub struct ListItem {
    /// Post id.
    pub id: String,
    /// Next occurrence, local.
    pub next: Option<LocalTime>,
    /// The rule in words.
    pub rule: String,
    /// Channel.
    pub channel: String,
    /// First words.
    pub preview: String,
    /// `cancelled`, `disabled`, `held`… (already in the language).
    pub status: Option<String>,
    /// From chat (else config).
    pub chat: bool,
}

/// Status words.
pub fn status_word(lang: Lang, what: &str) -> String {
    match (lang, what) {
        (Lang::Fr, "cancelled") => "annulée".into(),
        (Lang::Fr, "disabled") => "désactivée dans la configuration".into(),
        (Lang::Fr, "ended") => "terminée".into(),
        (Lang::Fr, "held") => "en attente d'un message dans le salon".into(),
        (Lang::Fr, "paused") => "en pause".into(),
        (_, w) => w.into(),
    }
}

/// `list`.
pub fn list(
    lang: Lang,
    items: &[ListItem],
    zone: &Zone,
    paused: Option<&str>,
    more: usize,
) -> String {
    let mut out = String::new();
    match lang {
        Lang::Fr => out.push_str(&format!(
            "📅 Calendrier éditorial ({}), {} publication(s)",
            zone.name(),
            items.len() + more
        )),
        Lang::En => out.push_str(&format!(
            "📅 Editorial calendar ({}), {} post(s)",
            zone.name(),
            items.len() + more
        )),
    }
    if let Some(since) = paused {
        out.push_str(&match lang {
            Lang::Fr => format!(" — ⏸ EN PAUSE depuis {since} (`!planning reprendre`)"),
            Lang::En => format!(" — ⏸ PAUSED since {since} (`!schedule resume`)"),
        });
    }
    out.push(':');
    if items.is_empty() {
        out.push_str(match lang {
            Lang::Fr => "\n(aucune publication prévue)",
            Lang::En => "\n(no post scheduled)",
        });
    }
    for it in items {
        let origin = if it.chat { "" } else { " [config]" };
        let next = match (it.next, lang) {
            (Some(t), Lang::Fr) => format!(" — prochain : {}", local_with_day(lang, t)),
            (Some(t), Lang::En) => format!(" — next: {}", local_with_day(lang, t)),
            (None, _) => String::new(),
        };
        out.push_str(&format!(
            "\n• {}{origin}{next} — {} — {} — « {} »",
            it.id, it.rule, it.channel, it.preview
        ));
        if let Some(s) = &it.status {
            out.push_str(&format!(" ({s})"));
        }
    }
    if more > 0 {
        out.push_str(&match lang {
            Lang::Fr => format!("\n… et {more} autre(s)."),
            Lang::En => format!("\n… and {more} more."),
        });
    }
    out
}

/// `cancel` without an id.
pub fn cancel_which(lang: Lang) -> String {
    match lang {
        Lang::Fr => "Quelle publication ? `!planning annuler s3` (les identifiants sont dans `!planning liste`).".into(),
        Lang::En => "Which post? `!schedule cancel s3` (ids are in `!schedule list`).".into(),
    }
}

/// `cancel` of an unknown id.
pub fn cancel_unknown(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Fr => {
            format!("Aucune publication « {id} ». Les identifiants sont dans `!planning liste`.")
        }
        Lang::En => format!("No post \"{id}\". Ids are in `!schedule list`."),
    }
}

/// A post cancelled.
pub fn cancelled(lang: Lang, id: &str, config: bool) -> String {
    match (lang, config) {
        (Lang::Fr, false) => format!("🗑 Publication {id} annulée."),
        (Lang::Fr, true) => format!("🗑 Publication {id} (configuration) désactivée : elle ne partira plus, jusqu'à ce que son horaire change dans la configuration."),
        (Lang::En, false) => format!("🗑 Post {id} cancelled."),
        (Lang::En, true) => format!("🗑 Post {id} (from the config) disabled: it will not go out again until its schedule changes in the config."),
    }
}

/// A config post already cancelled.
pub fn already_cancelled(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Fr => format!("La publication {id} est déjà annulée."),
        Lang::En => format!("Post {id} is already cancelled."),
    }
}

/// Paused.
pub fn paused(lang: Lang) -> String {
    match lang {
        Lang::Fr => "⏸ Calendrier en pause : aucune publication ne partira. Celles prévues pendant la pause seront sautées (et signalées), jamais envoyées en retard. `!planning reprendre` pour reprendre.".into(),
        Lang::En => "⏸ Calendar paused: no post will go out. Those due during the pause are skipped (and reported), never sent late. `!schedule resume` to resume.".into(),
    }
}

/// Already paused.
pub fn already_paused(lang: Lang, since: &str) -> String {
    match lang {
        Lang::Fr => format!("Le calendrier est déjà en pause depuis {since}."),
        Lang::En => format!("The calendar is already paused since {since}."),
    }
}

/// Resumed; `skipped` occurrences were skipped during the pause.
pub fn resumed(lang: Lang, skipped: u32, detail: &str) -> String {
    let mut out = match (lang, skipped) {
        (Lang::Fr, 0) => "▶️ Calendrier repris. Aucune publication n'était prévue pendant la pause.".to_string(),
        (Lang::Fr, n) => format!("▶️ Calendrier repris. {n} publication(s) prévue(s) pendant la pause ont été sautées, elles ne partiront pas en retard"),
        (Lang::En, 0) => "▶️ Calendar resumed. No post was due during the pause.".to_string(),
        (Lang::En, n) => format!("▶️ Calendar resumed. {n} occurrence(s) due during the pause were skipped and will not go out late"),
    };
    if skipped > 0 {
        if detail.is_empty() {
            out.push('.');
        } else {
            out.push_str(if lang == Lang::Fr { " : " } else { ": " });
            out.push_str(detail);
            out.push('.');
        }
    }
    out
}

/// Not paused.
pub fn not_paused(lang: Lang) -> String {
    match lang {
        Lang::Fr => "Le calendrier n'est pas en pause.".into(),
        Lang::En => "The calendar is not paused.".into(),
    }
}

/// Occurrences of one post skipped for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipGroup {
    /// Post id.
    pub id: String,
    /// How many.
    pub count: u32,
    /// True when counting stopped (more than `count`).
    pub more: bool,
    /// First one, local.
    pub first: String,
    /// Last one, local.
    pub last: String,
    /// Channel (for quiet skips).
    pub channel: String,
    /// Quiet threshold in hours (for quiet skips).
    pub hours: u32,
}

/// What a tick skipped, to tell the staff in one alert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// More than `grace_s` late.
    pub missed: Vec<SkipGroup>,
    /// During a pause.
    pub paused: Vec<SkipGroup>,
    /// Quiet channel (skipped, or held and never released).
    pub quiet: Vec<SkipGroup>,
}

impl Report {
    /// Nothing to report.
    pub fn is_empty(&self) -> bool {
        self.missed.is_empty() && self.paused.is_empty() && self.quiet.is_empty()
    }

    /// Occurrences in a list of groups.
    pub fn total(groups: &[SkipGroup]) -> u32 {
        groups.iter().map(|g| g.count).sum()
    }
}

/// Most groups named in one alert line.
const MAX_GROUPS: usize = 15;

fn groups_text(lang: Lang, groups: &[SkipGroup], with_channel: bool) -> String {
    let mut parts: Vec<String> = groups
        .iter()
        .take(MAX_GROUPS)
        .map(|g| {
            let n = if g.count > 1 || g.more {
                format!(" ×{}{}", g.count, if g.more { "+" } else { "" })
            } else {
                String::new()
            };
            let when = if g.count > 1 || g.more {
                format!("{} → {}", g.first, g.last)
            } else {
                g.first.clone()
            };
            if with_channel {
                match lang {
                    Lang::Fr => format!(
                        "{}{n} dans {}, aucun message de membre depuis {} h ({when})",
                        g.id, g.channel, g.hours
                    ),
                    Lang::En => format!(
                        "{}{n} in {}, no member message for {} h ({when})",
                        g.id, g.channel, g.hours
                    ),
                }
            } else {
                format!("{}{n} ({when})", g.id)
            }
        })
        .collect();
    if groups.len() > MAX_GROUPS {
        let more = groups.len() - MAX_GROUPS;
        parts.push(match lang {
            Lang::Fr => format!("et {more} autre(s) publication(s)"),
            Lang::En => format!("and {more} more post(s)"),
        });
    }
    parts.join(", ")
}

/// The skips of `groups` in words, for the resume reply.
pub fn skipped_list(lang: Lang, groups: &[SkipGroup]) -> String {
    groups_text(lang, groups, false)
}

/// The alert of a tick: its lines, and whether anything was missed (a
/// warning) or only skipped by rule (info).
pub fn alert(lang: Lang, report: &Report, grace_ms: i64) -> String {
    let mut lines = Vec::new();
    let grace = if grace_ms % 60_000 == 0 {
        format!("{} min", grace_ms / 60_000)
    } else {
        format!("{} s", grace_ms / 1000)
    };
    let count_text = |groups: &[SkipGroup]| {
        let n = Report::total(groups);
        let more = groups.iter().any(|g| g.more);
        format!("{n}{}", if more { "+" } else { "" })
    };
    if !report.missed.is_empty() {
        let n = count_text(&report.missed);
        lines.push(match lang {
            Lang::Fr => format!(
                "📅 Calendrier éditorial : {n} publication(s) non envoyée(s), en retard de plus de {grace} (Vigie était arrêté ou en retard) ; elles ne partiront pas en retard : {}.",
                groups_text(lang, &report.missed, false)
            ),
            Lang::En => format!(
                "📅 Editorial calendar: {n} occurrence(s) not posted, more than {grace} late (Vigie was stopped or late); they will not go out late: {}.",
                groups_text(lang, &report.missed, false)
            ),
        });
    }
    if !report.paused.is_empty() {
        let n = count_text(&report.paused);
        lines.push(match lang {
            Lang::Fr => format!(
                "📅 Calendrier éditorial : {n} publication(s) sautée(s), le calendrier est en pause : {}.",
                groups_text(lang, &report.paused, false)
            ),
            Lang::En => format!(
                "📅 Editorial calendar: {n} occurrence(s) skipped, the calendar is paused: {}.",
                groups_text(lang, &report.paused, false)
            ),
        });
    }
    if !report.quiet.is_empty() {
        let n = count_text(&report.quiet);
        lines.push(match lang {
            Lang::Fr => format!(
                "📅 Calendrier éditorial : {n} publication(s) sautée(s), salon trop calme : {}.",
                groups_text(lang, &report.quiet, true)
            ),
            Lang::En => format!(
                "📅 Editorial calendar: {n} occurrence(s) skipped, the channel was quiet: {}.",
                groups_text(lang, &report.quiet, true)
            ),
        });
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> LocalTime {
        LocalTime::parse(s, None).unwrap()
    }

    #[test]
    fn describes_rules_in_both_languages() {
        let weekly = Rule::parse_rrule(t("2026-03-30 09:00"), "FREQ=WEEKLY;BYDAY=MO,TH").unwrap();
        assert_eq!(
            describe_rule(Lang::En, &weekly),
            "every Monday, Thursday at 09:00"
        );
        assert_eq!(
            describe_rule(Lang::Fr, &weekly),
            "chaque lundi, jeudi à 09:00"
        );
        let monthly = Rule::parse_rrule(t("2026-01-31 10:00"), "FREQ=MONTHLY;COUNT=5").unwrap();
        assert_eq!(
            describe_rule(Lang::En, &monthly),
            "every month on the 31st at 10:00, 5 times"
        );
        assert_eq!(
            describe_rule(Lang::Fr, &monthly),
            "chaque mois le 31 à 10:00, 5 fois"
        );
        let odd = Rule::parse_rrule(t("2026-01-01 10:00"), "FREQ=MONTHLY;BYDAY=-1FR").unwrap();
        assert_eq!(
            describe_rule(Lang::Fr, &odd),
            "RRULE FREQ=MONTHLY;BYDAY=-1FR"
        );
        assert_eq!(
            describe_rule(Lang::Fr, &Rule::once(t("2026-12-24 18:00"))),
            "une fois, le 2026-12-24 18:00"
        );
        let daily = Rule::parse_rrule(t("2026-01-01 08:00"), "FREQ=DAILY;UNTIL=20260630").unwrap();
        assert_eq!(
            describe_rule(Lang::En, &daily),
            "every day at 08:00, until 2026-06-30 23:59"
        );
    }

    #[test]
    fn english_ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 31]
            .iter()
            .map(|&n| ordinal_en(n))
            .collect();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "31st"]
        );
    }
}
