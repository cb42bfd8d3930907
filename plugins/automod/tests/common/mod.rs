//! Helpers shared by the integration tests: the evasion set's obfuscations,
//! the clean sentences and a deterministic generator of varied messages (the
//! demo events, their replay and the digest of decisions come from
//! `vigie-testkit`).

#![allow(dead_code, unused_imports)]

use automod::lists::ListEntry;
use serde_json::Value;
use vigie_sdk::Author;
pub use vigie_testkit::{demo_events, replay, Clock, Digest, Rng};

pub type Obfuscation = (&'static str, fn(&str) -> String);

/// Applies `f` to every letter, keeping the rest.
pub fn letters(word: &str, f: impl Fn(usize, char) -> String) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| {
            if c.is_alphabetic() {
                f(i, c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Puts `sep` between the letters of each word (spaces between words stay).
pub fn separated(phrase: &str, sep: &str) -> String {
    phrase
        .split(' ')
        .map(|w| {
            w.chars()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(sep)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn leet_digits(w: &str) -> String {
    letters(w, |_, c| {
        match c {
            'a' => "4",
            'e' => "3",
            'i' => "1",
            'l' => "1",
            'o' => "0",
            's' => "5",
            _ => return c.to_string(),
        }
        .to_string()
    })
}

pub fn leet_symbols(w: &str) -> String {
    letters(w, |_, c| {
        match c {
            'a' => "@",
            's' => "$",
            'e' => "3",
            'i' => "1",
            'o' => "0",
            _ => return c.to_string(),
        }
        .to_string()
    })
}

pub fn mixed_case(w: &str) -> String {
    letters(w, |i, c| {
        if i % 2 == 0 {
            c.to_uppercase().collect()
        } else {
            c.to_lowercase().collect()
        }
    })
}

pub fn repeated(w: &str) -> String {
    letters(w, |_, c| format!("{c}{c}"))
}

pub fn stretched(w: &str) -> String {
    // The last vowel five times: `fuuuuuck`, `connaaaaard`.
    let last = w.char_indices().rfind(|(_, c)| "aeiouy".contains(*c));
    match last {
        Some((p, c)) => format!(
            "{}{}{}",
            &w[..p],
            c.to_string().repeat(5),
            &w[p + c.len_utf8()..]
        ),
        None => repeated(w),
    }
}

pub fn cyrillic(w: &str) -> String {
    letters(w, |_, c| {
        match c {
            'a' => 'а',
            'c' => 'с',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'x' => 'х',
            'y' => 'у',
            'i' => 'і',
            's' => 'ѕ',
            'j' => 'ј',
            'h' => 'һ',
            'd' => 'ԁ',
            'w' => 'ԝ',
            'q' => 'ԛ',
            'l' => 'ӏ',
            _ => c,
        }
        .to_string()
    })
}

pub fn greek(w: &str) -> String {
    letters(w, |_, c| {
        match c {
            'a' => 'α',
            'b' => 'β',
            'e' => 'ε',
            'i' => 'ι',
            'k' => 'κ',
            'n' => 'η',
            'o' => 'ο',
            'p' => 'ρ',
            't' => 'τ',
            'u' => 'υ',
            'v' => 'ν',
            'w' => 'ω',
            'x' => 'χ',
            'y' => 'γ',
            _ => c,
        }
        .to_string()
    })
}

pub fn fullwidth(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

pub fn math(w: &str, lower_a: u32, upper_a: u32, exceptions: &[(char, char)]) -> String {
    w.chars()
        .map(|c| {
            if let Some((_, e)) = exceptions.iter().find(|(k, _)| *k == c) {
                return *e;
            }
            match c {
                'a'..='z' => char::from_u32(lower_a + (c as u32 - 'a' as u32)).unwrap(),
                'A'..='Z' => char::from_u32(upper_a + (c as u32 - 'A' as u32)).unwrap(),
                _ => c,
            }
        })
        .collect()
}

pub fn math_bold(w: &str) -> String {
    math(w, 0x1D41A, 0x1D400, &[])
}

pub fn math_italic(w: &str) -> String {
    math(w, 0x1D44E, 0x1D434, &[('h', '\u{210E}')])
}

pub fn zero_width(w: &str) -> String {
    const INVISIBLE: [char; 4] = ['\u{200D}', '\u{200B}', '\u{200C}', '\u{2060}'];
    let n = w.chars().count();
    w.chars()
        .enumerate()
        .map(|(i, c)| {
            if i + 1 < n && c.is_alphabetic() {
                format!("{c}{}", INVISIBLE[i % 4])
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn combining(w: &str) -> String {
    const MARKS: [char; 4] = ['\u{0301}', '\u{0308}', '\u{0327}', '\u{0336}'];
    letters(w, |i, c| format!("{c}{}", MARKS[i % 4]))
}

pub const OBFUSCATIONS: &[Obfuscation] = &[
    ("plain", |w| w.to_string()),
    ("mixed case", mixed_case),
    ("leet digits", leet_digits),
    ("leet symbols", leet_symbols),
    ("separator .", |w| separated(w, ".")),
    ("separator -", |w| separated(w, "-")),
    ("separator _", |w| separated(w, "_")),
    ("separator space", |w| separated(w, " ")),
    ("repeated letters", repeated),
    ("stretched vowel", stretched),
    ("cyrillic", cyrillic),
    ("greek", greek),
    ("fullwidth", fullwidth),
    ("math bold", math_bold),
    ("math italic", math_italic),
    ("zero-width", zero_width),
    ("combining accents", combining),
];

/// The word as a user would type it: wildcards removed, list tags dropped.
pub fn written(entry: &ListEntry) -> String {
    entry.text.replace('*', "").to_lowercase()
}

/// The English review sentences of `sentiment` 5.0.2.
pub fn english_clean() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut out = Vec::new();
    for name in ["amazon", "imdb", "yelp"] {
        let raw = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let items: Vec<Value> = serde_json::from_str(&raw).unwrap();
        out.extend(
            items
                .iter()
                .map(|v| v["text"].as_str().unwrap().to_string()),
        );
    }
    out
}

/// The French community sentences of `fixtures/fr_clean.txt`.
pub fn french_clean() -> Vec<String> {
    lines_of(include_str!("../fixtures/fr_clean.txt"))
}

/// The non-empty lines of a fixture, trimmed.
pub fn lines_of(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

const CLEAN_WORDS: &[&str] = &[
    "bonjour",
    "merci",
    "la",
    "le",
    "commande",
    "est",
    "arrivée",
    "café",
    "ça",
    "où",
    "hello",
    "the",
    "order",
    "is",
    "my",
    "thanks",
    "you",
    "great",
    "concours",
    "connaissance",
    "Scunthorpe",
    "classe",
    "analyse",
    "passer",
    "assess",
    "hello",
    "shell",
    "cocktail",
    "pique-nique",
    "chili con carne",
    "cul-de-sac",
    "kick ass",
    "annals",
    "idiot savant",
    "con leche",
    "2026",
    "455",
    "5$",
    "$50",
    "90€",
    "4.2",
    "e.g.",
    "fin.so",
    "n°",
    "AC-20518",
    "14th",
    "ÉNORME",
    "Ça",
    "Élodie",
    "naïve",
    "œuvre",
    "straße",
    "İstanbul",
    "ﬁn",
    "x²",
    "½",
    "Ⅻ",
    "㎏",
    "06 12 34 56 78",
    "0712345678",
    "free nitro",
    "FR3E N1TRO",
    "patate",
    "truc",
    "mot interdit",
];

const LINKS: &[&str] = &[
    "http://crypto-gains.example/xyz",
    "https://bit.ly/3xAcm3Wn",
    "discord.gg/abcd",
    "www.acme.example",
    "acme.com.",
    "https://www.shop.acme.com/a",
    "https://discord.com/invite/x",
    "t.me/freecoins",
    "ｄｉｓｃｏｒｄ．ｇｇ/abc",
    "disc\u{200b}ord.gg/abc",
    "hxxps://evil.example/x",
    "jean@acme.com",
    "promo.xyz",
    "matrix.to/#/#room:x.org",
    "tinyurl.com/abc",
    "spam.ru/?a=1",
    "(see https://a.example/x).",
    "«https://b.example»",
];

const SYMBOLS: &[&str] = &[
    "😊", "🔥", "💰", "🤑", "🎉", "👍", "☕", "🖕", "🖕🏻", "❤️", "→", "™", "✔", "🇫🇷", "🅵🆄", "ⓕⓤ",
];

const MENTIONS: &[&str] = &[
    "@alice", "@Julien", "<@123>", "@bob,", "(@carol)", "a@b", "@ ", "@!x", "@&y",
];

const INVISIBLE: &[char] = &[
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{00AD}',
    '\u{FEFF}',
    '\u{202E}',
    '\u{FE0F}',
    '\u{E0041}',
    '\u{0007}',
];

const SEPARATORS: &[&str] = &[
    " ", "  ", ", ", ". ", " - ", "\n", "\u{00A0}", "\u{202F}", "\t", "!", "?", "…", " ' ", "’",
    "*",
];

/// A deterministic mixture of clean words, listed words under every
/// obfuscation, links, mentions, emoji, invisible characters, masks and
/// separators: `n` messages.
pub fn varied_texts(n: usize, seed: u64) -> Vec<String> {
    use automod::lists::default_list;
    let mut listed: Vec<String> = default_list("fr").unwrap().iter().map(written).collect();
    listed.extend(default_list("en").unwrap().iter().map(written));
    let mut rng = Rng(seed);
    let mut out: Vec<String> = Vec::with_capacity(n);
    // A pool of earlier messages, for repeats.
    for _ in 0..n {
        if !out.is_empty() && rng.chance(12) {
            let again: String = rng.pick_ref(&out).clone();
            out.push(if rng.chance(50) {
                again.to_uppercase()
            } else {
                again
            });
            continue;
        }
        let words = if rng.chance(3) {
            40 + rng.below(200)
        } else {
            rng.below(18)
        };
        let mut s = String::new();
        if rng.chance(8) {
            s.push_str(rng.pick(&["!", "/", "  !", "!giveaway ", "/help "]));
        }
        for w in 0..words {
            if w > 0 {
                s.push_str(rng.pick(SEPARATORS));
            }
            match rng.below(20) {
                0..=8 => s.push_str(rng.pick(CLEAN_WORDS)),
                9..=11 => {
                    let word = rng.pick_ref(&listed).clone();
                    let (_, f) = rng.pick_ref(OBFUSCATIONS);
                    s.push_str(&f(&word));
                }
                12 => {
                    let word = rng.pick_ref(&listed).clone();
                    // Masked letters: `f**k`, `p*tain`.
                    let masked: String = word
                        .chars()
                        .enumerate()
                        .map(|(i, c)| if i % 3 == 1 { '*' } else { c })
                        .collect();
                    s.push_str(&masked);
                }
                13 => s.push_str(rng.pick(LINKS)),
                14 => {
                    for _ in 0..1 + rng.below(2) * rng.below(8) {
                        s.push_str(rng.pick(MENTIONS));
                        s.push(' ');
                    }
                }
                15 => {
                    for _ in 0..1 + rng.below(3) * rng.below(5) {
                        s.push_str(rng.pick(SYMBOLS));
                    }
                }
                16 => {
                    let word = rng.pick(CLEAN_WORDS);
                    let mut t = String::new();
                    for c in word.chars() {
                        t.push(c);
                        if rng.chance(30) {
                            t.push(rng.pick(INVISIBLE));
                        }
                    }
                    s.push_str(&t);
                }
                17 => s.push_str(&rng.pick(CLEAN_WORDS).to_uppercase()),
                18 => {
                    // Single letters, spaced or dotted.
                    let word = rng.pick_ref(&listed).clone();
                    s.push_str(&separated(&word, rng.pick(&[" ", ".", " . ", "-", "_"])));
                }
                _ => {
                    let c = char::from_u32(rng.below(0x3000) as u32 + 0x20).unwrap_or('?');
                    s.push(c);
                    s.push(char::from_u32(0x300 + rng.below(0x70) as u32).unwrap());
                }
            }
        }
        out.push(s);
    }
    out
}

/// An author among a few, some of them staff, new or with roles.
pub fn varied_author(rng: &mut Rng) -> Author {
    let k = rng.below(12);
    let roles: &[&str] = match k % 4 {
        0 => &["member"],
        1 => &["newcomer"],
        2 => &["vip", "Member"],
        _ => &[],
    };
    Author {
        id: if k == 11 {
            "u-".repeat(80)
        } else {
            format!("u-{k}")
        },
        name: format!("Name {k}"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        account_age_days: match k % 5 {
            0 => None,
            1 => Some(0),
            2 => Some(3),
            _ => Some(400),
        },
        is_staff: k == 7,
    }
}
