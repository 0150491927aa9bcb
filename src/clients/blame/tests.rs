//! `blame`'s tests: which clause a run blames, and on whom.

use super::*;

fn messages(pairs: &[(&str, &str)]) -> Messages {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn spec(clauses: &[(&str, &str)]) -> Spec {
    let mut spec = edition("rfc7162").unwrap().spec;
    for (c, v) in clauses {
        spec.set(c, v).unwrap();
    }
    spec
}

#[test]
fn sections_are_read_from_sources() {
    assert_eq!(
        section("against RFC 7162 section 3.2.5.1 (VANISHED (EARLIER) ...)").as_deref(),
        Some("RFC 7162 section 3.2.5.1")
    );
    assert_eq!(
        section("Cyrus, RFC 5162 sections 3.3-3.5 (\"MUST\")").as_deref(),
        Some("RFC 5162 section 3.3-3.5")
    );
    assert_eq!(
        section("erratum 1808, RFC 7162.").as_deref(),
        Some("RFC 7162")
    );
    assert_eq!(section("no reference"), None);
}

#[test]
fn the_server_is_blamed_where_rfc_7162_s_value_ends_the_loss() {
    let model = messages(&[("1.1", "()"), ("1.2", "()"), ("1.3", "()")]);
    let local = messages(&[("1.3", "()")]);
    let run = spec(&[
        ("vanished-earlier", "includes-present"),
        ("held-back-highestmodseq", "none"),
        ("client-resync-point", "eager"),
    ]);
    let mut asked = Vec::new();
    let blame = blame(&run, &model, &local, |values| {
        asked.push(shown(values));
        Ok(match values {
            [("vanished-earlier", "any")] => Rerun::Same,
            [("held-back-highestmodseq", _)] => Rerun::NotReplayable("choice 3".into()),
            _ => Rerun::Diverged,
        })
    })
    .unwrap();
    // client-resync-point governs the model's own clients only: not a suspect.
    assert_eq!(
        asked,
        [
            vec!["held-back-highestmodseq=lower".to_string()],
            vec!["vanished-earlier=any".to_string()],
            vec![
                "held-back-highestmodseq=lower".to_string(),
                "vanished-earlier=any".to_string()
            ],
        ]
    );
    let Verdict::Server { clauses } = &blame.verdict else {
        panic!("{:?}", blame.verdict)
    };
    assert_eq!(clauses.len(), 1);
    assert_eq!(clauses[0].value, "includes-present");
    assert_eq!(
        clauses[0].against.as_deref(),
        Some("RFC 7162 section 3.2.5.1")
    );
    let text = blame.text();
    assert_eq!(
        text[1],
        "blame: rerun under vanished-earlier=any: the loss is gone"
    );
    assert_eq!(
        text[3],
        "blame: the server's: vanished-earlier=includes-present, against RFC 7162 section \
         3.2.5.1; the loss goes at RFC 7162's value vanished-earlier=any"
    );
    // A value of an older text goes against the section RFC 7162's value cites.
    let old = suspects(&spec(&[("held-back-highestmodseq", "none")]));
    assert_eq!(old[0].against.as_deref(), Some("RFC 7162 section 3.2"));
}

#[test]
fn the_client_is_blamed_where_the_loss_stays_or_nothing_differs() {
    let model = messages(&[("1.1", "(\\Seen)")]);
    let local = messages(&[("1.1", "()")]);
    let run = spec(&[("modseq-restart", "lost")]);
    let blame1 = blame(&run, &model, &local, |_| Ok(Rerun::Diverged)).unwrap();
    assert_eq!(
        blame1.text().last().unwrap(),
        "blame: the client's: the loss stays with every server clause at RFC 7162's value, \
         against RFC 7162 section 3.1 (a flag change and its mod-sequence) and section 6"
    );
    let standard = spec(&[("client-resync-point", "rfc5162")]);
    let blame2 = blame(&standard, &model, &messages(&[]), |_| {
        panic!("nothing to rerun")
    })
    .unwrap();
    assert_eq!(
        blame2.verdict,
        Verdict::Client {
            section: "RFC 7162 section 6 (the resynchronization: expunged messages and new \
                      ones)"
                .into(),
            reran: false,
            permitted: Vec::new(),
        }
    );
    let blame3 = blame(&run, &model, &local, |_| {
        Ok(Rerun::NotReplayable("the script's choice 2 is `x`".into()))
    })
    .unwrap();
    assert_eq!(
        blame3.text().last().unwrap(),
        "blame: undecided: not replayable with every server clause at RFC 7162's value: \
         the script's choice 2 is `x`"
    );
}

#[test]
fn a_loss_that_needs_a_value_the_text_permits_is_the_client_s() {
    // Permitted: several VANISHED (EARLIER) lines (RFC 7162 section 3.2.5.1 leaves it
    // open), an expunge history that expires (section 3.2.6's note); not: JAMES-3642's
    // present UIDs, a CLOSE code of RFC 5162.
    let permitted = |c: &str, v: &str| suspects(&spec(&[(c, v)]))[0].permitted;
    assert!(permitted("vanished-earlier-lines", "per-uid"));
    assert!(permitted("expunge-history", "truncated"));
    assert!(!permitted("vanished-earlier", "includes-present"));
    assert!(!permitted("close-highestmodseq", "send"));
    assert_eq!(
        suspects(&spec(&[("vanished-earlier-lines", "per-uid")]))[0].against,
        None
    );
    let model = messages(&[("1.1", "()")]);
    let local = messages(&[("1.1", "()"), ("1.2", "()")]);
    let run = spec(&[
        ("vanished-earlier-lines", "per-uid"),
        ("vanished-earlier", "includes-present"),
    ]);
    // The loss goes only at RFC 7162's `one`: the client's, as a client must read every
    // line; with the departing value's rerun ending it too, the server's alone.
    let only_lines = blame(&run, &model, &local, |values| {
        Ok(match values {
            [("vanished-earlier-lines", _)] => Rerun::Same,
            _ => Rerun::Diverged,
        })
    })
    .unwrap();
    let Verdict::Client { permitted, .. } = &only_lines.verdict else {
        panic!("{:?}", only_lines.verdict)
    };
    assert_eq!(permitted.len(), 1);
    assert_eq!(
        only_lines.text().last().unwrap(),
        &format!(
            "blame: the client's: the loss goes only at RFC 7162's value of \
             vanished-earlier-lines, but the text permits a server \
             vanished-earlier-lines=per-uid ({}), and a client must cope with what a \
             server may do; against RFC 7162 section 6 (the resynchronization: expunged \
             messages and new ones)",
            permitted[0].source
        )
    );
    // The clauses named on the server, where a rerun with `n` values changed ends the loss
    // when `ends(n)`.
    let server_clauses = |ends: fn(usize) -> bool| -> Vec<&str> {
        let named = blame(&run, &model, &local, |values| {
            Ok(match ends(values.len()) {
                true => Rerun::Same,
                false => Rerun::Diverged,
            })
        })
        .unwrap();
        let Verdict::Server { clauses } = &named.verdict else {
            panic!("{:?}", named.verdict)
        };
        clauses.iter().map(|s| s.clause).collect()
    };
    assert_eq!(server_clauses(|n| n == 1), ["vanished-earlier"]);
    // Only together: the departing one is named.
    assert_eq!(server_clauses(|n| n != 1), ["vanished-earlier"]);
}
