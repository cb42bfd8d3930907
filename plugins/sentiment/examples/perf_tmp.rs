use sentiment::scorer::Scorer;
use sentiment::Sentiment;
use vigie_sdk::{test_event, Plugin, TestHost};
fn main() {
    let texts: Vec<String> = ["amazon", "imdb", "yelp"]
        .iter()
        .flat_map(|f| {
            let v: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(format!("plugins/sentiment/tests/fixtures/{f}.json"))
                    .unwrap(),
            )
            .unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x["text"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let t = std::time::Instant::now();
    let _ = sentiment::lexicon::lexicons();
    println!("lexicon init {:?}", t.elapsed());
    parts(&texts);
    let s = Scorer::default();
    let t = std::time::Instant::now();
    let mut acc = 0.0;
    for _ in 0..10 {
        for x in &texts {
            acc += s.score(x).compound;
        }
    }
    println!(
        "score: {:.2} us/text ({acc})",
        t.elapsed().as_secs_f64() * 1e6 / (10.0 * texts.len() as f64)
    );
    let mut p = Sentiment::configure("{}").unwrap();
    let mut host = TestHost::new();
    let t = std::time::Instant::now();
    for (k, x) in texts.iter().cycle().take(20000).enumerate() {
        let mut e = test_event(&format!("e{k}"), "u", x);
        e.timestamp_ms += k as i64 * 1000;
        p.handle(&mut host, &e).unwrap();
    }
    println!(
        "handle: {:.2} us/event, state {} bytes",
        t.elapsed().as_secs_f64() * 1e6 / 20000.0,
        host.kv["buzz/state"].len()
    );
}
#[allow(dead_code)]
pub fn parts(texts: &[String]) {
    use sentiment::vader::tokenize;
    let l = sentiment::lexicon::lexicons();
    let s = Scorer::default();
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..10 { for x in texts { n += tokenize(x, false, l).len(); } }
    println!("tokenize: {:.2} us/text ({n})", t.elapsed().as_secs_f64() * 1e6 / (10.0 * texts.len() as f64));
    let toks: Vec<_> = texts.iter().map(|x| tokenize(x, false, l)).collect();
    let t = std::time::Instant::now();
    for _ in 0..10 { for x in &toks { n += s.guess(x) as usize; } }
    println!("guess: {:.2} us/text ({n})", t.elapsed().as_secs_f64() * 1e6 / (10.0 * texts.len() as f64));
    let t = std::time::Instant::now();
    let mut acc = 0.0;
    for _ in 0..10 { for x in texts { acc += s.score_as(x, sentiment::scorer::Lang::En); } }
    println!("score_as en: {:.2} us/text ({acc})", t.elapsed().as_secs_f64() * 1e6 / (10.0 * texts.len() as f64));
    let t = std::time::Instant::now();
    for _ in 0..10 { for x in texts { acc += s.score_as(x, sentiment::scorer::Lang::Fr); } }
    println!("score_as fr: {:.2} us/text ({acc})", t.elapsed().as_secs_f64() * 1e6 / (10.0 * texts.len() as f64));
}
