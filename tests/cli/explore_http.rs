//! `explore` over HTTP: the binary serves stateright's Explorer on a free port, and its JSON
//! state API speaks IMAP, for the initial state and along the erratum 1808 counterexample.

use crate::common;
use crate::common::explorer;

use explorer::{ERRATUM, ERRATUM_STEPS, Explorer, field};

#[test]
fn the_initial_state_reads_as_the_transcripts_state_block() {
    let explorer = Explorer::start(&[]);
    assert!(
        explorer.url.starts_with("http://127.0.0.1:"),
        "{}",
        explorer.url
    );
    let init = explorer.states("");
    assert_eq!(init.len(), 1);
    let state = field(&init[0], "state");
    assert!(
        state.starts_with(
            "-- state\n\
             --   mailbox: HIGHESTMODSEQ 1; UID 1 () MODSEQ 1, UID 2 () MODSEQ 1\n\
             --   C1 cache: UID 1 (), UID 2 (); resync point 1; selected\n\
             --   C2 cache: UID 1 (), UID 2 (); resync point 1; selected\n\
             -- properties at this state\n\
             --   holds: views-converge\n"
        ),
        "{state}"
    );
    assert!(state.contains("--   not reached here: close-expunged-unseen-deleted\n"));
    // Not a Rust Debug dump.
    assert!(
        !state.contains("System {") && !state.contains("BTreeMap"),
        "{state}"
    );
    assert!(field(&init[0], "svg").contains("after 0 steps:"));
}

#[test]
fn actions_read_as_transcript_lines_and_steps_show_what_they_queued() {
    let explorer = Explorer::start(&[]);
    let next = explorer.states("/0");
    let actions: Vec<&str> = next.iter().map(|v| field(v, "action")).collect();
    assert_eq!(actions.len(), 40, "{actions:#?}");
    assert_eq!(
        actions[0],
        "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)  [server sends nothing]"
    );
    assert_eq!(
        actions[1],
        "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)  [server sends nothing, adds [HIGHESTMODSEQ]]"
    );
    assert!(actions.contains(&"C2: a1 CLOSE"));
    assert!(actions.contains(&"-- C1's connection drops (0 unread lines lost)"));
    let outcome = field(&next[0], "outcome");
    assert!(
        outcome.starts_with(
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)\n\
             -- the server queues for C1:\n\
             --   * 1 FETCH (UID 1 MODSEQ (2))\n\
             --   a1 OK done\n\n-- state\n"
        ),
        "{outcome}"
    );
    assert!(outcome.contains(
        "--   C2 cache: UID 1 (), UID 2 (); resync point 1; selected, server holds back UID \
         1's flags, now (\\Deleted), changed at MODSEQ 2\n"
    ));
    // The chart of the path so far: the command's arrow, the state in a grey box.
    let svg = field(&next[0], "svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">a1 STORE 1 +FLAGS.SILENT (\\Deleted)</text>"));
    assert!(svg.contains("after 1 step:"));
    assert!(!svg.contains("violated here"));
    // A path the model does not have: a 404, and the server still answers.
    assert_eq!(explorer.get("/.states/0/999").0, 404);
    assert_eq!(explorer.get("/.states/zero").0, 404);
    assert_eq!(explorer.states("").len(), 1);
}

#[test]
fn a_trace_opens_at_its_last_state_and_its_steps_are_the_explorers_path() {
    let explorer = Explorer::start(&["--trace", ERRATUM]);
    let (_, hash) = explorer.url.split_once('#').expect("a path in the URL");
    assert_eq!(hash, "/steps/0/0/26/2/2/2/2/2/2/2");
    let indices: Vec<usize> = hash
        .trim_start_matches("/steps/")
        .split('/')
        .map(|i| i.parse().unwrap())
        .collect();
    // Follow the path as the page does: the successors of each prefix, then the chosen one.
    let mut prefix = String::new();
    let mut steps = Vec::new();
    for (n, &index) in indices.iter().enumerate() {
        let views = if n == 0 {
            explorer.states("")
        } else {
            explorer.states(&prefix)
        };
        let view = views
            .iter()
            .find(|v| v["actionIndex"] == index)
            .expect("the index is offered")
            .clone();
        prefix.push_str(&format!("/{index}"));
        if n > 0 {
            steps.push(view);
        }
    }
    let labels: Vec<&str> = steps.iter().map(|v| field(v, "action")).collect();
    assert_eq!(labels, ERRATUM_STEPS);
    // The notes the text renderer prints, at the step that makes them.
    assert!(field(&steps[1], "outcome").starts_with(
        "-- not yet told to C2: UID 1's flags, now (\\Deleted), changed at MODSEQ 2\n\
         C2: a1 CLOSE\n\
         -- CLOSE expunges UID 1 at MODSEQ 3, with no untagged response"
    ));
    assert!(
        field(&steps[2], "outcome")
            .starts_with("S2: a1 OK [HIGHESTMODSEQ 3] done\n-- C2 stores resync point 3\n")
    );
    // The last state: the trace's state block, and the violation.
    let last = field(&steps[8], "outcome");
    for line in [
        "--   mailbox: HIGHESTMODSEQ 3; UID 2 () MODSEQ 1\n",
        "--   expunged: UID 1 at MODSEQ 3 by C2's CLOSE\n",
        "--   C2 cache: UID 1 (), UID 2 (); resync point 3; selected\n",
        "--   VIOLATED: views-converge\n",
    ] {
        assert!(last.contains(line), "{line} not in {last}");
    }
    let svg = field(&steps[8], "svg");
    assert!(svg.contains("after 9 steps:"));
    assert!(svg.contains("violated here: views-converge"));
    assert!(svg.contains("a1 OK [HIGHESTMODSEQ 3] done"));
}

#[test]
fn bad_input_is_refused_before_serving() {
    common::refused(
        &["explore", "--address", "localhost"],
        "`localhost` is not an address: give IP:PORT",
    );
    common::refused(
        &["explore", "--trace", "tests/cli/explore_http.rs"],
        "tests/cli/explore_http.rs",
    );
    common::refused(
        &["explore", "--trace", ERRATUM, "--clients", "3"],
        "--trace takes the model from the trace",
    );
    // A port in use: said, not a panic in stateright's bind.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    common::refused(&["explore", "--address", &address], "cannot listen on");
}
