//! Every text the plugin writes, in French and in English (the config's
//! `lang`): the three alerts and the daily digest.

use crate::config::TopicKind;
use crate::engine::{DayCount, Mood};
use jiff::civil::{Date, Weekday};
use vigie_text::Lang;

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn pct_en(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn with_link(quoted: &str, link: &str) -> String {
    if link.is_empty() {
        quoted.to_string()
    } else {
        format!("{quoted} {link}")
    }
}

/// A mention of a topic that notifies on every match.
pub fn new_mention(lang: Lang, topics: &[&str], source: &str, quoted: &str, link: &str) -> String {
    let topics = topics.join(", ");
    match lang {
        Lang::Fr => format!(
            "Nouvelle mention de {topics} ({source}) : {}",
            with_link(quoted, link)
        ),
        Lang::En => format!(
            "New mention of {topics} ({source}): {}",
            with_link(quoted, link)
        ),
    }
}

/// A negative mention from an important source.
pub fn important_negative(
    lang: Lang,
    topics: &[&str],
    source: &str,
    quoted: &str,
    link: &str,
) -> String {
    let topics = topics.join(", ");
    match lang {
        Lang::Fr => format!(
            "Mention négative de {topics} par une source importante ({source}) : {}",
            with_link(quoted, link)
        ),
        Lang::En => format!(
            "Negative mention of {topics} from an important source ({source}): {}",
            with_link(quoted, link)
        ),
    }
}

/// A spike of mentions.
#[allow(clippy::too_many_arguments)]
pub fn spike(
    lang: Lang,
    topic: &str,
    count: i64,
    local_hour: i8,
    mean: f64,
    sd: f64,
    days: u32,
    quoted: &str,
    link: &str,
) -> String {
    let next = (local_hour + 1) % 24;
    match lang {
        Lang::Fr => format!(
            "Pic de mentions pour {topic} : {count} entre {local_hour} h et {next} h \
             (d'habitude {} ± {} à cette heure sur {days} jours). \
             Dernière : {}",
            format!("{mean:.1}").replace('.', ","),
            format!("{sd:.1}").replace('.', ","),
            with_link(quoted, link)
        ),
        Lang::En => format!(
            "Spike of mentions for {topic}: {count} between {local_hour:02}:00 and {next:02}:00 \
             (usually {mean:.1} ± {sd:.1} at this hour over {days} days). Latest: {}",
            with_link(quoted, link)
        ),
    }
}

/// A jump of the negative share.
#[allow(clippy::too_many_arguments)]
pub fn negative_share(
    lang: Lang,
    topic: &str,
    negative: i64,
    total: i64,
    share: f64,
    base: f64,
    quoted: &str,
    link: &str,
) -> String {
    match lang {
        Lang::Fr => format!(
            "Part négative en hausse pour {topic} : {negative} mentions négatives sur {total} \
             en 24 h ({}, d'habitude {}). Dernière : {}",
            pct(share),
            pct(base),
            with_link(quoted, link)
        ),
        Lang::En => format!(
            "Negative share up for {topic}: {negative} of {total} mentions negative in 24 h \
             ({}, usually {}). Latest: {}",
            pct_en(share),
            pct_en(base),
            with_link(quoted, link)
        ),
    }
}

/// One topic in the digest's share of voice.
pub struct Voice {
    pub name: String,
    pub kind: TopicKind,
    /// (mentions, share) on the day and over the 7 days ending with it.
    pub day: (i64, f64),
    pub week: (i64, f64),
    pub split: DayCount,
}

/// One line of the digest's top mentions.
pub struct TopLine {
    pub topics: Vec<String>,
    pub title: String,
    pub source: String,
    pub link: Option<String>,
    pub mood: Mood,
    pub important: bool,
}

pub struct DigestData<'a> {
    pub date: Date,
    pub timezone: &'a str,
    pub total: i64,
    pub positive: i64,
    pub negative: i64,
    pub voices: Vec<Voice>,
    pub top: Vec<TopLine>,
    pub new_sources: Vec<String>,
}

fn weekday(lang: Lang, d: Weekday) -> &'static str {
    let i = d.to_monday_zero_offset() as usize;
    match lang {
        Lang::Fr => [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ][i],
        Lang::En => [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][i],
    }
}

fn mood_mark(m: Mood) -> &'static str {
    match m {
        Mood::Positive => "🙂",
        Mood::Neutral => "😐",
        Mood::Negative => "🙁",
    }
}

/// The daily digest.
pub fn digest(lang: Lang, d: &DigestData) -> String {
    let fr = lang == Lang::Fr;
    let neutral = d.total - d.positive - d.negative;
    let mut out = Vec::new();
    out.push(if fr {
        format!(
            "📰 Veille du {} {} ({}) : {} mention{} — 🙂 {} positive{}, 😐 {} neutre{}, 🙁 {} négative{}",
            weekday(lang, d.date.weekday()),
            d.date,
            d.timezone,
            d.total,
            if d.total > 1 { "s" } else { "" },
            d.positive,
            if d.positive > 1 { "s" } else { "" },
            neutral,
            if neutral > 1 { "s" } else { "" },
            d.negative,
            if d.negative > 1 { "s" } else { "" },
        )
    } else {
        format!(
            "📰 Web watch for {} {} ({}): {} mention{} — 🙂 {} positive, 😐 {} neutral, 🙁 {} negative",
            weekday(lang, d.date.weekday()),
            d.date,
            d.timezone,
            d.total,
            if d.total == 1 { "" } else { "s" },
            d.positive,
            neutral,
            d.negative,
        )
    });
    out.push(if fr {
        "Part de voix (jour / 7 jours) :".to_string()
    } else {
        "Share of voice (day / 7 days):".to_string()
    });
    for v in &d.voices {
        let kind = match (v.kind, fr) {
            (TopicKind::Competitor, true) => " (concurrent)",
            (TopicKind::Competitor, false) => " (competitor)",
            (TopicKind::Product, true) => " (produit)",
            (TopicKind::Product, false) => " (product)",
            (TopicKind::Brand, _) => "",
        };
        let p = if fr { pct } else { pct_en };
        out.push(format!(
            "• {}{kind} : {} / {} ({} / {} mentions ; 🙂 {} 🙁 {})",
            v.name,
            p(v.day.1),
            p(v.week.1),
            v.day.0,
            v.week.0,
            v.split.positive,
            v.split.negative,
        ));
    }
    if !d.top.is_empty() {
        out.push(if fr {
            "À lire :".to_string()
        } else {
            "Top mentions:".to_string()
        });
        for (i, t) in d.top.iter().enumerate() {
            let star = if t.important { "⭐ " } else { "" };
            out.push(format!(
                "{}. {star}{} [{}] {} — {}{}",
                i + 1,
                mood_mark(t.mood),
                t.topics.join(", "),
                t.title,
                t.source,
                t.link
                    .as_deref()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default(),
            ));
        }
    }
    if !d.new_sources.is_empty() {
        out.push(format!(
            "{} {}",
            if fr {
                "Nouvelles sources :"
            } else {
                "New sources:"
            },
            d.new_sources.join(", ")
        ));
    }
    // French typography puts a space before the colon; English does not.
    let text = out.join("\n");
    if fr {
        text
    } else {
        text.replace(" : ", ": ")
    }
}
