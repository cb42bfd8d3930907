//! Prints the score of each line of standard input, token by token:
//! `echo "C'est pas terrible" | cargo run -p sentiment --example explain`.

use sentiment::scorer::Scorer;
use std::io::BufRead;

fn main() {
    let scorer = Scorer::default();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let score = scorer.score(&line);
        let tokens: Vec<String> = scorer
            .explain(&line, score.lang)
            .into_iter()
            .map(|(w, s)| if s == 0.0 { w } else { format!("{w}({s:+.2})") })
            .collect();
        println!(
            "{:+.4} {:?} {}",
            score.compound,
            score.lang,
            tokens.join(" ")
        );
    }
}
