//! Measured quality of the default word lists.
//!
//! - Recall on a generated evasion set: every entry of the default French and
//!   English lists × every obfuscation below, alone and inside a sentence.
//! - False positives on clean text: the 3 000 English review sentences of
//!   the `sentiment` npm package 5.0.2 (`tests/fixtures/{amazon,imdb,yelp}.json`,
//!   MIT) and the French community sentences of `tests/fixtures/fr_clean.txt`.
//!
//! Run `cargo test -p automod --test quality -- --nocapture` to see the
//! figures. Everything goes through the plugin with the bare config `{}`.

use automod::lists::{default_list, ListEntry};
use automod::Automod;
use vigie_sdk::{test_event, Plugin, TestHost};

const MIN_RECALL: f64 = 0.95;
const MAX_FALSE_POSITIVES: f64 = 0.005;

type Obfuscation = (&'static str, fn(&str) -> String);

/// Applies `f` to every letter, keeping the rest.
fn letters(word: &str, f: impl Fn(usize, char) -> String) -> String {
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
fn separated(phrase: &str, sep: &str) -> String {
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

fn leet_digits(w: &str) -> String {
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

fn leet_symbols(w: &str) -> String {
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

fn mixed_case(w: &str) -> String {
    letters(w, |i, c| {
        if i % 2 == 0 {
            c.to_uppercase().collect()
        } else {
            c.to_lowercase().collect()
        }
    })
}

fn repeated(w: &str) -> String {
    letters(w, |_, c| format!("{c}{c}"))
}

fn stretched(w: &str) -> String {
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

fn cyrillic(w: &str) -> String {
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

fn greek(w: &str) -> String {
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

fn fullwidth(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

fn math(w: &str, lower_a: u32, upper_a: u32, exceptions: &[(char, char)]) -> String {
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

fn math_bold(w: &str) -> String {
    math(w, 0x1D41A, 0x1D400, &[])
}

fn math_italic(w: &str) -> String {
    math(w, 0x1D44E, 0x1D434, &[('h', '\u{210E}')])
}

fn zero_width(w: &str) -> String {
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

fn combining(w: &str) -> String {
    const MARKS: [char; 4] = ['\u{0301}', '\u{0308}', '\u{0327}', '\u{0336}'];
    letters(w, |i, c| format!("{c}{}", MARKS[i % 4]))
}

const OBFUSCATIONS: &[Obfuscation] = &[
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
fn written(entry: &ListEntry) -> String {
    entry.text.replace('*', "").to_lowercase()
}

fn flagged(plugin: &mut Automod, text: &str) -> bool {
    let mut host = TestHost::new();
    !plugin
        .handle(&mut host, &test_event("m", "tester", text))
        .unwrap()
        .is_empty()
}

struct Tally {
    hits: usize,
    total: usize,
}

impl Tally {
    fn rate(&self) -> f64 {
        self.hits as f64 / self.total.max(1) as f64
    }
}

fn recall(plugin: &mut Automod) -> (Tally, Vec<(&'static str, Tally)>, Vec<String>) {
    let mut overall = Tally { hits: 0, total: 0 };
    let mut per: Vec<(&'static str, Tally)> = OBFUSCATIONS
        .iter()
        .map(|(n, _)| (*n, Tally { hits: 0, total: 0 }))
        .collect();
    let mut misses = Vec::new();
    for (lang, carriers) in [
        ("fr", ["{}", "franchement t'es qu'un {} toi"]),
        ("en", ["{}", "honestly you are such a {} lol"]),
    ] {
        for entry in default_list(lang).unwrap() {
            let word = written(&entry);
            for (k, (name, f)) in OBFUSCATIONS.iter().enumerate() {
                let obfuscated = f(&word);
                for carrier in carriers {
                    let text = carrier.replace("{}", &obfuscated);
                    let hit = flagged(plugin, &text);
                    overall.total += 1;
                    per[k].1.total += 1;
                    if hit {
                        overall.hits += 1;
                        per[k].1.hits += 1;
                    } else {
                        misses.push(format!("{lang} {name}: {text:?}"));
                    }
                }
            }
        }
    }
    (overall, per, misses)
}

fn english_clean() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut out = Vec::new();
    for name in ["amazon", "imdb", "yelp"] {
        let raw = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let items: Vec<serde_json::Value> = serde_json::from_str(&raw).unwrap();
        out.extend(
            items
                .iter()
                .map(|v| v["text"].as_str().unwrap().to_string()),
        );
    }
    out
}

fn french_clean() -> Vec<String> {
    let raw = include_str!("fixtures/fr_clean.txt");
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn false_positives(plugin: &mut Automod, sentences: &[String]) -> Vec<String> {
    sentences
        .iter()
        .filter(|s| flagged(plugin, s))
        .cloned()
        .collect()
}

#[test]
fn quality_of_the_default_lists() {
    let mut plugin = Automod::configure("{}").unwrap();

    let (overall, per, misses) = recall(&mut plugin);
    println!("automod quality (default config):");
    println!(
        "  evasion set: {} samples ({} French + English entries × {} obfuscations × 2 contexts)",
        overall.total,
        default_list("fr").unwrap().len() + default_list("en").unwrap().len(),
        OBFUSCATIONS.len()
    );
    for (name, t) in &per {
        println!(
            "    recall {name:<18} {:>6.2} %  ({}/{})",
            t.rate() * 100.0,
            t.hits,
            t.total
        );
    }
    println!(
        "  recall overall            {:>6.2} %  ({}/{})",
        overall.rate() * 100.0,
        overall.hits,
        overall.total
    );
    for m in misses.iter().take(40) {
        println!("    missed: {m}");
    }
    if misses.len() > 40 {
        println!("    … and {} more misses", misses.len() - 40);
    }

    let en = english_clean();
    let fr = french_clean();
    assert!(en.len() >= 3000, "{}", en.len());
    assert!(fr.len() >= 300, "{}", fr.len());
    let en_fp = false_positives(&mut plugin, &en);
    let fr_fp = false_positives(&mut plugin, &fr);
    let rate = |fp: usize, n: usize| fp as f64 / n as f64;
    println!(
        "  false positives English   {:>6.2} %  ({}/{})",
        rate(en_fp.len(), en.len()) * 100.0,
        en_fp.len(),
        en.len()
    );
    println!(
        "  false positives French    {:>6.2} %  ({}/{})",
        rate(fr_fp.len(), fr.len()) * 100.0,
        fr_fp.len(),
        fr.len()
    );
    let all = en_fp.len() + fr_fp.len();
    let n = en.len() + fr.len();
    println!(
        "  false positives overall   {:>6.2} %  ({all}/{n})",
        rate(all, n) * 100.0
    );
    for s in en_fp.iter().chain(&fr_fp) {
        println!("    flagged: {s:?}");
    }

    assert!(overall.rate() >= MIN_RECALL, "recall {:.4}", overall.rate());
    assert!(
        rate(en_fp.len(), en.len()) <= MAX_FALSE_POSITIVES,
        "English false positives"
    );
    assert!(
        rate(fr_fp.len(), fr.len()) <= MAX_FALSE_POSITIVES,
        "French false positives"
    );
}
