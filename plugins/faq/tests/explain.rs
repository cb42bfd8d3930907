//! A debugging aid, not a check: `FAQ_Q="question" cargo test -p faq --test
//! explain -- --ignored --nocapture` prints how the Acme FAQ sees a text.

mod common;

#[test]
#[ignore]
fn explain() {
    let faq = common::acme();
    let engine = faq.engine();
    let text = std::env::var("FAQ_Q").unwrap_or_else(|_| "Vous livrez en Suisse ?".into());
    for q in text.split('|') {
        println!("== {q}");
        println!("question: {}", faq::question::is_question(q));
        println!("terms: {:?}", engine.index().explain(q));
        for s in engine.index().rank(q).iter().take(3) {
            println!(
                "  {:16} score {:.3} q {:.2} x {:.2} ev {:.2}",
                engine.entry(s.entry).id,
                s.score,
                s.question_coverage,
                s.example_coverage,
                s.evidence
            );
        }
        println!("decision: {:?}", engine.decide(q));
    }
}
