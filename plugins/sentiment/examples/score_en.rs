//! Prints the English rules' compound score of each line of standard input,
//! one per line (`data/train_en_model.py` fits the English model on it).

use sentiment::scorer::{Lang, Scorer};
use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let scorer = Scorer::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        writeln!(out, "{}", scorer.vader_as(&line?, Lang::En))?;
    }
    Ok(())
}
