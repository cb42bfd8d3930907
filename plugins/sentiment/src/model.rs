//! The English model: a ridge regression of the raters' mean valence (÷ 4)
//! on the words and word pairs of a text and VADER's compound score, fitted
//! on the 23 703 human-rated sentences that vaderSentiment 3.3.2 ships
//! (tweets, movie and product reviews, newspaper editorials;
//! `data/train_en_model.py`). VADER's rules weigh the words they know; the
//! model adds what people say without sentiment words ("I can't wait to go
//! back", "returned it the next day"). A neutral text scores near 0.
//!
//! The features are those of scikit-learn's `CountVectorizer(lowercase=True,
//! token_pattern=r"(?u)\b\w[\w']*\b", ngram_range=(1, 2), binary=True)`, so
//! that the weights fitted in Python apply here unchanged.

use std::sync::OnceLock;

use crate::lexicon::WordMap;

const MODEL: &str = include_str!("../data/en_model.tsv");

/// The fitted weights.
#[derive(Debug)]
pub struct EnModel {
    intercept: f64,
    /// The weight of VADER's compound score.
    vader: f64,
    /// Brings the regression's scores to the size of VADER's (on the
    /// clearly rated training sentences), so that thresholds mean the same
    /// for English and French.
    scale: f64,
    /// Words and word pairs (`"can't wait"`) with their weights.
    weights: WordMap<f32>,
}

/// The buffers of [`EnModel::score_with`], reused from text to text.
#[derive(Debug, Default, Clone)]
pub struct ModelScratch {
    lower: String,
    /// Byte ranges of the tokens in `lower`.
    tokens: Vec<(usize, usize)>,
    pair: String,
    /// The features found, by hash, with their weights.
    seen: Vec<(u64, f32)>,
}

/// The model, parsed on first use.
pub fn en_model() -> &'static EnModel {
    static M: OnceLock<EnModel> = OnceLock::new();
    M.get_or_init(|| EnModel::parse(MODEL).expect("data/en_model.tsv is valid"))
}

impl EnModel {
    /// Parses `@intercept`, `@vader`, `@scale` and `feature<TAB>weight`
    /// lines (`#` starts a comment).
    pub fn parse(text: &str) -> Result<EnModel, String> {
        let (mut intercept, mut vader, mut scale) = (None, None, None);
        let mut weights = WordMap::with_capacity(text.lines().count());
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once('\t')
                .ok_or_else(|| format!("line {}: no tab", i + 1))?;
            let value: f64 = value
                .trim()
                .parse()
                .map_err(|e| format!("line {}: {e}", i + 1))?;
            match key {
                "@intercept" => intercept = Some(value),
                "@vader" => vader = Some(value),
                "@scale" => scale = Some(value),
                _ => weights.insert(key, value as f32),
            }
        }
        weights.build_filter();
        Ok(EnModel {
            intercept: intercept.ok_or("no @intercept line")?,
            vader: vader.ok_or("no @vader line")?,
            scale: scale.ok_or("no @scale line")?,
            weights,
        })
    }

    /// The score of `text` in [-1, 1], given VADER's compound score of it:
    /// the predicted mean valence of its raters (÷ 4), on VADER's scale.
    pub fn score_with(&self, text: &str, vader: f64, s: &mut ModelScratch) -> f64 {
        s.lower.clear();
        if text.is_ascii() {
            s.lower.push_str(text);
            s.lower.make_ascii_lowercase();
        } else {
            s.lower.extend(text.chars().flat_map(char::to_lowercase));
        }
        tokens_into(&s.lower, &mut s.tokens);
        let ModelScratch {
            lower,
            tokens,
            pair,
            seen,
        } = s;
        // The features found, by hash with their weight: each counts once.
        seen.clear();
        let mut look_up = |feature: &str| {
            let hash = crate::lexicon::word_hash(feature);
            if let Some(w) = self.weights.get_hashed(feature, hash) {
                seen.push((hash, *w));
            }
        };
        for (k, &(a, b)) in tokens.iter().enumerate() {
            look_up(&lower[a..b]);
            if let Some(&(c, d)) = tokens.get(k + 1) {
                pair.clear();
                pair.push_str(&lower[a..b]);
                pair.push(' ');
                pair.push_str(&lower[c..d]);
                look_up(pair);
            }
        }
        seen.sort_unstable_by_key(|&(hash, _)| hash);
        seen.dedup_by_key(|&mut (hash, _)| hash);
        let z = self.intercept
            + self.vader * vader
            + seen.iter().map(|&(_, w)| f64::from(w)).sum::<f64>();
        (self.scale * z).clamp(-1.0, 1.0)
    }
}

/// Python's `\w` (letters, digits, `_`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tokens of `(?u)\b\w[\w']*\b`: each run of word characters and
/// apostrophes, without its leading and trailing apostrophes.
fn tokens_into(text: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut run: Option<usize> = None;
    let close = |start: usize, end: usize, out: &mut Vec<(usize, usize)>| {
        let trimmed = text[start..end].trim_start_matches('\'');
        let from = end - trimmed.len();
        let token = trimmed.trim_end_matches('\'');
        if !token.is_empty() {
            out.push((from, from + token.len()));
        }
    };
    for (i, c) in text.char_indices() {
        let inside = is_word(c) || c == '\'';
        match (run, inside) {
            (None, true) => run = Some(i),
            (Some(start), false) => {
                close(start, i, out);
                run = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run {
        close(start, text.len(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        tokens_into(text, &mut out);
        out.iter().map(|&(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn tokens_are_scikit_learns() {
        assert_eq!(
            tokens("i can't wait -- 'great' food_2, rock'n'roll!! é"),
            ["i", "can't", "wait", "great", "food_2", "rock'n'roll", "é"]
        );
        assert_eq!(tokens("'' ' x''"), ["x"]);
    }

    #[test]
    fn features_count_once_and_pairs_count() {
        let m = EnModel::parse(
            "# test\n@intercept\t0\n@vader\t0.5\n@scale\t2\ngood\t0.05\ngo back\t0.1\nnot good\t-0.15\n",
        )
        .unwrap();
        let mut s = ModelScratch::default();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(close(m.score_with("Good good GOOD", 0.0, &mut s), 0.1));
        assert!(close(m.score_with("go back", 0.1, &mut s), 0.3));
        assert!(close(m.score_with("not good", 0.0, &mut s), -0.2));
        assert!(
            close(m.score_with("good good", 0.9, &mut s), 1.0),
            "clamped"
        );
        assert!(EnModel::parse("good 1\n").is_err());
        assert!(
            EnModel::parse("@intercept\t0\n@vader\t1\n").is_err(),
            "no @scale"
        );
    }
}
