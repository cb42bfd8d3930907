use super::*;

/// The known-answer vector of the README, computed independently with
/// Python's `hmac` and `hashlib`.
const KEY: [u8; 32] = {
    let mut k = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        k[i] = i as u8;
        i += 1;
    }
    k
};
const ALICE: &str = "@alice:example.org";
const BRUNO: &str = "@bruno:example.org";
const CHLOE: &str = "@chloe:example.org";
const DAVE: &str = "u-dave";
const KNOWN_TEXT: &str = "#vigie-poll v1 poll=3 options=4 multi=2\n\
    11bc16bf53359672387d507ff7627784\t1,3\n\
    339df5f36ea9f5719d69fb087a5e89f3\t2,3\n\
    70da0c9b9a11bf8c2222d10975d803fe\t2\n\
    bad8d7e1c6bfec1b34b7ab5c0e792a00\t2\n";
const KNOWN_HASH: &str = "5ad6863ed4c1d8c288ba5e4aeb870af347573be9b7296cb3f44669080ca28462";

fn known() -> Ballots {
    let mut b = Ballots::new(Header::new("3", 4, 2).unwrap());
    // In any order, choices in any order.
    b.insert(&ballot_id(&KEY, DAVE), &[2]).unwrap();
    b.insert(&ballot_id(&KEY, ALICE), &[2]).unwrap();
    b.insert(&ballot_id(&KEY, CHLOE), &[3, 2]).unwrap();
    b.insert(&ballot_id(&KEY, BRUNO), &[1, 3]).unwrap();
    b
}

#[test]
fn known_answer_vector() {
    assert_eq!(ballot_id(&KEY, ALICE), "bad8d7e1c6bfec1b34b7ab5c0e792a00");
    assert_eq!(ballot_id(&KEY, DAVE), "70da0c9b9a11bf8c2222d10975d803fe");
    let b = known();
    assert_eq!(b.canonical(), KNOWN_TEXT);
    assert_eq!(canonical(&b), KNOWN_TEXT);
    assert_eq!(hash(KNOWN_TEXT), KNOWN_HASH);
    assert_eq!(b.hash(), KNOWN_HASH);
    assert_eq!(
        hash("#vigie-poll v1 poll=1 options=2 multi=1\n"),
        "2cdcb2a764738a4a115327b45faf71e126121455d3a1bfefd5c711941a1f20b0"
    );
}

#[test]
fn pseudonyms_depend_on_key_domain_and_data() {
    let a = pseudonym(&KEY, "ballot", ALICE);
    assert_eq!(a, ballot_id(&KEY, ALICE));
    assert_eq!(a.len(), 2 * PSEUDONYM_BYTES);
    assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(a, pseudonym(&KEY, "creator", ALICE));
    assert_ne!(a, pseudonym(&[1u8; 32], "ballot", ALICE));
    assert_ne!(a, pseudonym(&KEY, "ballot", BRUNO));
    // The domain and the data are separated: ("ab", "c") is not ("a", "bc").
    assert_ne!(pseudonym(&KEY, "ab", "c"), pseudonym(&KEY, "a", "bc"));
    assert!(is_valid_ballot_id(&a));
}

#[test]
fn counts_percentages_and_outcome() {
    let t = count(&known());
    assert_eq!(t.poll, "3");
    assert_eq!(t.ballots, 4);
    assert_eq!(t.counts, vec![1, 3, 2, 0]);
    assert_eq!(t.votes(2), 3);
    assert_eq!(t.votes(0), 0);
    assert_eq!(t.votes(5), 0);
    assert_eq!(t.percent_tenths(2), 750);
    assert_eq!(t.percent_tenths(1), 250);
    assert_eq!(
        t.outcome(),
        Outcome::Winner {
            option: 2,
            votes: 3
        }
    );

    let mut tie = Ballots::new(Header::new("t", 3, 1).unwrap());
    tie.insert("a", &[1]).unwrap();
    tie.insert("b", &[3]).unwrap();
    assert_eq!(
        count(&tie).outcome(),
        Outcome::Tie {
            options: vec![1, 3],
            votes: 1
        }
    );
    let empty = Ballots::new(Header::new("e", 2, 1).unwrap());
    assert_eq!(count(&empty).outcome(), Outcome::NoVotes);
    assert_eq!(count(&empty).percent_tenths(1), 0);
    assert_eq!(
        empty.canonical(),
        "#vigie-poll v1 poll=e options=2 multi=1\n"
    );
}

#[test]
fn percentages_and_bars_round_half_up() {
    assert_eq!(percent_tenths(1, 3), 333);
    assert_eq!(percent_tenths(2, 3), 667);
    assert_eq!(percent_tenths(1, 8), 125);
    assert_eq!(percent_tenths(0, 0), 0);
    assert_eq!(percent_tenths(u64::MAX, u64::MAX), 1000);
    assert_eq!(bar(1, 2, 10), "█████░░░░░");
    assert_eq!(bar(0, 5, 10), "░░░░░░░░░░");
    assert_eq!(bar(5, 5, 10), "██████████");
    assert_eq!(bar(1, 3, 10), "███░░░░░░░");
    assert_eq!(bar(2, 3, 10), "███████░░░");
    assert_eq!(bar(1, 20, 10), "█░░░░░░░░░"); // 0.5 cell rounds up
    assert_eq!(bar(3, 0, 4), "░░░░");
    assert_eq!(bar(9, 3, 4), "████");
}

#[test]
fn the_published_list_verifies() {
    let r = verify(KNOWN_TEXT, KNOWN_HASH).unwrap();
    assert!(r.exact);
    assert!(r.differences.is_empty());
    assert_eq!(r.hash, KNOWN_HASH);
    assert_eq!(r.tally, count(&known()));
    // Hex in upper case, with spaces around, is the same hash.
    let r2 = verify(KNOWN_TEXT, &format!("  {}\n", KNOWN_HASH.to_uppercase())).unwrap();
    assert_eq!(r2, r);
    let shown = r.to_string();
    assert!(
        shown.contains("poll 3: the ballot list is the published one"),
        "{shown}"
    );
    assert!(
        shown.contains("4 ballots, 4 options, up to 2 choices per ballot"),
        "{shown}"
    );
    assert!(
        shown.contains("option 2: 3 votes  75.0%  ████████░░"),
        "{shown}"
    );
    assert!(
        shown.contains("option 4: 0 votes   0.0%  ░░░░░░░░░░"),
        "{shown}"
    );
    assert!(shown.contains("winner: option 2 with 3 votes"), "{shown}");
    assert!(shown.contains("more than 100%"), "{shown}");
    assert!(shown.ends_with("%)\n"), "{shown}");
}

#[test]
fn a_tampered_list_is_detected() {
    // One choice changed.
    let changed = KNOWN_TEXT.replace("\t1,3\n", "\t1,2\n");
    let e = verify(&changed, KNOWN_HASH).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::HashMismatch {
                ballots: Some(4),
                read: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("not the published one"), "{e}");
    // One ballot dropped.
    let dropped: String = KNOWN_TEXT
        .lines()
        .filter(|l| !l.starts_with("70da"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(matches!(
        verify(&dropped, KNOWN_HASH),
        Err(Error::HashMismatch {
            ballots: Some(3),
            ..
        })
    ));
    // One ballot added.
    let added = format!("{KNOWN_TEXT}ffff\t4\n");
    assert!(matches!(
        verify(&added, KNOWN_HASH),
        Err(Error::HashMismatch {
            ballots: Some(5),
            ..
        })
    ));
    // The header changed (multi=2 → multi=3 allows nothing new, but it is
    // another list).
    let header = KNOWN_TEXT.replace("multi=2", "multi=3");
    assert!(matches!(
        verify(&header, KNOWN_HASH),
        Err(Error::HashMismatch { .. })
    ));
    // Garbage: it cannot be read, and says why.
    let e = verify("hello\n", KNOWN_HASH).unwrap_err();
    assert!(
        matches!(&e, Error::HashMismatch { read: Some(_), .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn a_wrong_hash_is_refused() {
    let other = hash("something else");
    assert!(matches!(
        verify(KNOWN_TEXT, &other),
        Err(Error::HashMismatch { .. })
    ));
    for bad in [
        "",
        "abc",
        &KNOWN_HASH[..63],
        &format!("{KNOWN_HASH}0"),
        &"g".repeat(64),
    ] {
        let e = verify(KNOWN_TEXT, bad).unwrap_err();
        assert!(matches!(e, Error::BadExpectedHash(_)), "{bad:?}: {e:?}");
        assert!(e.to_string().contains("64 hexadecimal"), "{e}");
    }
}

#[test]
fn copies_verify_when_they_read_as_the_published_list() {
    let crlf = KNOWN_TEXT.replace('\n', "\r\n");
    let r = verify(&crlf, KNOWN_HASH).unwrap();
    assert!(!r.exact);
    assert_eq!(r.differences, vec![Difference::WindowsLineEnds]);
    assert_eq!(r.tally, count(&known()));

    let spaces = KNOWN_TEXT.replace('\t', "    ");
    let r = verify(&spaces, KNOWN_HASH).unwrap();
    assert_eq!(r.differences, vec![Difference::SpacesForTabs]);

    let fenced = format!(
        "```\n{}```",
        KNOWN_TEXT.replace('\t', " ").replace(',', ", ")
    );
    let r = verify(&fenced, KNOWN_HASH).unwrap();
    assert_eq!(
        r.differences,
        vec![
            Difference::NoFinalNewline,
            Difference::SpacesForTabs,
            Difference::ChoicesFormat,
            Difference::CodeFences
        ]
    );
    let shown = r.to_string();
    assert!(shown.contains("written another way"), "{shown}");
    assert!(shown.contains("tabs after the ballot ids"), "{shown}");

    let mut lines: Vec<&str> = KNOWN_TEXT.lines().collect();
    lines[1..].reverse();
    let unsorted = format!("\n  {}  \n\n", lines.join("\n"));
    let r = verify(&unsorted, KNOWN_HASH).unwrap();
    assert_eq!(
        r.differences,
        vec![Difference::ExtraWhiteSpace, Difference::Unsorted]
    );
    let no_newline = KNOWN_TEXT.trim_end();
    assert_eq!(
        verify(no_newline, KNOWN_HASH).unwrap().differences,
        vec![Difference::NoFinalNewline]
    );
    let zeros = KNOWN_TEXT.replace("\t2\n", "\t02\n").replace("2,3", "3,2");
    assert_eq!(
        verify(&zeros, KNOWN_HASH).unwrap().differences,
        vec![Difference::ChoicesFormat]
    );
    let header_spaces = KNOWN_TEXT.replace(" poll=", "\tpoll=");
    assert_eq!(
        verify(&header_spaces, KNOWN_HASH).unwrap().differences,
        vec![Difference::ExtraWhiteSpace]
    );
}

#[test]
fn parse_reads_back_the_canonical_text() {
    let b = known();
    assert_eq!(parse(&b.canonical()).unwrap(), b);
    let empty = Ballots::new(Header::new("x", 10, 10).unwrap());
    assert_eq!(parse(&empty.canonical()).unwrap(), empty);
    assert!(parse(&empty.canonical()).unwrap().is_empty());
}

fn line_error(text: &str) -> (usize, String) {
    match parse(text) {
        Err(Error::BadLine { line, reason }) | Err(Error::BadHeader { line, reason }) => {
            (line, reason)
        }
        other => panic!("{text:?}: {other:?}"),
    }
}

#[test]
fn malformed_lines_are_named() {
    let h = "#vigie-poll v1 poll=3 options=4 multi=2\n";
    let cases: &[(&str, usize, &str)] = &[
        ("abc\t5\n", 2, "choice 5 is not an option"),
        ("abc\t0\n", 2, "choice 0 is not an option"),
        ("abc\t1,1\n", 2, "option 1 is chosen twice"),
        ("abc\t1,2,3\n", 2, "more than the 2"),
        ("abc\t\n", 2, "expected `<ballot id><TAB><choices>`"),
        ("abc\tx\n", 2, "`x` is not an option number"),
        ("abc\t1,\n", 2, "empty choice"),
        ("abc\t-1\n", 2, "`-1` is not an option number"),
        ("abc\t99999999999\n", 2, "too large"),
        ("abc\n", 2, "expected `<ballot id><TAB><choices>`"),
        ("abc\t1\t2\n", 2, "more than two fields"),
        ("#abc\t1\n", 2, "cannot start with `#`"),
        (
            "ok\t1\n#vigie-poll v1 poll=3 options=4 multi=2\n",
            3,
            "second header",
        ),
        ("ok\t1\n\nbad\t7\n", 4, "choice 7"),
    ];
    for (body, line, reason) in cases {
        let (l, r) = line_error(&format!("{h}{body}"));
        assert_eq!(l, *line, "{body:?}: {r}");
        assert!(r.contains(reason), "{body:?}: {r}");
    }
    let long = format!("{h}{}\t1\n", "x".repeat(300));
    assert!(line_error(&long).1.contains("longer than 256"));
    let e = parse(&format!("{h}abc\t1\nxyz\t2\nabc\t3\n")).unwrap_err();
    assert_eq!(
        e,
        Error::Duplicate {
            line: 4,
            first: 2,
            id: "abc".into()
        }
    );
    assert!(e
        .to_string()
        .contains("line 4: ballot id abc appears twice (first on line 2)"));
}

#[test]
fn bad_headers_are_named() {
    let cases: &[(&str, &str)] = &[
        ("abc\t1\n", "must start with its header"),
        (
            "#vigie-poll v2 poll=3 options=4 multi=2\n",
            "unknown format version `v2`",
        ),
        (
            "#vigie-poll v1 poll=3 options=4\n",
            "expected `#vigie-poll v1",
        ),
        (
            "#vigie-poll v1 id=3 options=4 multi=2\n",
            "expected `poll=…`",
        ),
        ("#vigie-poll v1 poll= options=4 multi=2\n", "poll id"),
        (
            "#vigie-poll v1 poll=3 options=four multi=2\n",
            "`options` must be a whole number",
        ),
        (
            "#vigie-poll v1 poll=3 options=04 multi=2\n",
            "`options` must be a whole number",
        ),
        (
            "#vigie-poll v1 poll=3 options=4 multi=5\n",
            "multi must be between 1 and",
        ),
        (
            "#vigie-poll v1 poll=3 options=4 multi=0\n",
            "multi must be between 1 and",
        ),
        (
            "#vigie-poll v1 poll=3 options=0 multi=0\n",
            "number of options",
        ),
        (
            "#vigie-poll v1 poll=3 options=101 multi=1\n",
            "number of options",
        ),
        (
            "#vigie-poll v1 poll=3 options=99999999999 multi=1\n",
            "too large",
        ),
        (
            "#vigie-pollv1 poll=3 options=4 multi=2\n",
            "expected `#vigie-poll v1",
        ),
    ];
    for (text, reason) in cases {
        let (line, r) = line_error(text);
        assert_eq!(line, 1, "{text:?}");
        assert!(r.contains(reason), "{text:?}: {r}");
    }
    assert_eq!(parse(""), Err(Error::MissingHeader));
    assert_eq!(parse("\n\n```\n```\n"), Err(Error::MissingHeader));
    let (line, _) = line_error("\n\nnot a header\n");
    assert_eq!(line, 3);
}

#[test]
fn building_refuses_what_the_format_cannot_hold() {
    assert!(Header::new("3", 4, 2).is_ok());
    for (poll, options, multi) in [
        ("", 2, 1),
        ("a b", 2, 1),
        ("a=b", 2, 1),
        ("3", 0, 1),
        ("3", 2, 0),
        ("3", 2, 3),
        ("3", MAX_OPTIONS + 1, 1),
    ] {
        assert!(
            matches!(Header::new(poll, options, multi), Err(Error::Invalid(_))),
            "{poll:?} {options} {multi}"
        );
    }
    let mut b = Ballots::new(Header::new("3", 4, 2).unwrap());
    assert!(b.insert("a", &[1, 4]).is_ok());
    for (id, choices) in [
        ("a", &[2][..]),
        ("", &[1][..]),
        ("x y", &[1][..]),
        ("x\u{7}", &[1][..]),
        ("#x", &[1][..]),
        ("b", &[][..]),
        ("b", &[5][..]),
        ("b", &[2, 2][..]),
        ("b", &[1, 2, 3][..]),
    ] {
        assert!(
            matches!(b.insert(id, choices), Err(Error::Invalid(_))),
            "{id:?} {choices:?}"
        );
    }
    assert_eq!(b.len(), 1);
    assert_eq!(b.iter().collect::<Vec<_>>(), vec![("a", &[1u32, 4][..])]);
}

#[test]
fn ballot_ids_may_be_platform_user_ids() {
    // Non-anonymous polls list the voters' user ids.
    for id in [
        "@alice:example.org",
        "u-bruno",
        "123456789012345678",
        "Zoé",
        "nick|away",
    ] {
        assert!(is_valid_ballot_id(id), "{id}");
    }
    for id in ["", "a b", "a\tb", "#chan", "x\u{a0}y"] {
        assert!(!is_valid_ballot_id(id), "{id:?}");
    }
    // Sorted by bytes: upper case before lower case, ASCII before accents.
    let mut b = Ballots::new(Header::new("9", 2, 1).unwrap());
    for id in ["zoé", "Zoé", "@bob", "zoe"] {
        b.insert(id, &[1]).unwrap();
    }
    let order: Vec<&str> = b.iter().map(|(id, _)| id).collect();
    assert_eq!(order, ["@bob", "Zoé", "zoe", "zoé"]);
    let r = verify(&b.canonical(), &b.hash()).unwrap();
    assert_eq!(r.tally.counts, vec![4, 0]);
    assert!(r.to_string().contains("winner: option 1 with 4 votes"));
}

#[test]
fn ties_and_empty_lists_are_said_plainly() {
    let mut tie = Ballots::new(Header::new("5", 3, 1).unwrap());
    tie.insert("a", &[1]).unwrap();
    tie.insert("b", &[2]).unwrap();
    let shown = verify(&tie.canonical(), &tie.hash()).unwrap().to_string();
    assert!(
        shown.contains("tie: options 1, 2 with 1 vote each"),
        "{shown}"
    );
    assert!(
        shown.contains("2 ballots, 3 options, up to 1 choice per ballot"),
        "{shown}"
    );
    assert!(!shown.contains("100%"), "{shown}");
    let empty = Ballots::new(Header::new("6", 2, 1).unwrap());
    let shown = verify(&empty.canonical(), &empty.hash())
        .unwrap()
        .to_string();
    assert!(shown.contains("0 ballots"), "{shown}");
    assert!(shown.contains("no votes: no winner"), "{shown}");
    assert!(shown.ends_with("no winner\n"), "{shown}");
}

#[test]
fn random_lists_round_trip_and_any_change_is_caught() {
    // A small deterministic generator: lists of every size, each line
    // changed in turn.
    let mut x: u64 = 0x5eed;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    for round in 0..200 {
        let options = 2 + (next() % 9) as u32;
        let multi = 1 + (next() % u64::from(options)) as u32;
        let mut b = Ballots::new(Header::new(round.to_string(), options, multi).unwrap());
        let n = next() % 30;
        for v in 0..n {
            let want = 1 + (next() % u64::from(multi)) as usize;
            let mut choices: Vec<u32> = Vec::new();
            while choices.len() < want {
                let c = 1 + (next() % u64::from(options)) as u32;
                if !choices.contains(&c) {
                    choices.push(c);
                }
            }
            b.insert(&ballot_id(&KEY, &format!("user-{round}-{v}")), &choices)
                .unwrap();
        }
        let text = b.canonical();
        let h = b.hash();
        let r = verify(&text, &h).unwrap();
        assert!(r.exact);
        assert_eq!(r.tally, count(&b));
        let total: u64 = r.tally.counts.iter().sum();
        let marked: usize = b.iter().map(|(_, c)| c.len()).sum();
        assert_eq!(total, marked as u64);
        // Change any one character of a choice: never verified.
        for (i, line) in text.lines().enumerate().skip(1) {
            let (id, choices) = line.split_once('\t').unwrap();
            let other = if choices == "1" { "2" } else { "1" };
            let changed: String = text
                .lines()
                .enumerate()
                .map(|(k, l)| {
                    if k == i {
                        format!("{id}\t{other}\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            assert!(verify(&changed, &h).is_err(), "{changed}");
        }
    }
}
