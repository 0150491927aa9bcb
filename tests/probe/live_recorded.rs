//! `probe --live` against recordings of Cyrus 3.6.1: a model's views-converge
//! counterexample (`tests/transcripts/cyrus-3.6.1-model*.views-converge.json`, as the check
//! saved it) replayed on a fake server that plays back the live transcript the real Cyrus
//! gave (`cyrus-3.6.1-live*.views-converge.json`) and checks every command the model's
//! clients send, with their real MODSEQs and UIDVALIDITY. The first recording is of the
//! model without `flag-flush` (the server may hold a flag change back): Cyrus leaves its path
//! and the replay says what to refine; the second is of the model with
//! `flag-flush=every-command`, which Cyrus follows to a real loss.

use crate::common::fake_imap;

use std::time::Duration;

use resync_check::probe::live;
use resync_check::probe::scenarios::Probe;
use resync_check::probe::session::Credentials;
use resync_check::trace::Trace;
use serde_json::Value;

fn read(name: &str) -> String {
    let path = format!("{}/tests/transcripts/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Replays the recorded model trace `model` against the fake server playing back the live
/// recording `live`: the result, the replayed transcript and the recorded one.
fn replay(model: &str, live_name: &str) -> (live::Live, Vec<String>, Value) {
    let trace = Trace::from_json(&read(model)).unwrap();
    let recorded: Value = serde_json::from_str(&read(live_name)).unwrap();
    let transcript: Vec<String> = serde_json::from_value(recorded["transcript"].clone()).unwrap();
    let fake = fake_imap::serve(fake_imap::scripts_of(&transcript));
    let endpoint = fake_imap::endpoint(&fake.addr, Duration::from_secs(5));
    let credentials = Credentials {
        user: "alice".into(),
        password: "other".into(),
    };
    let mut probe = Probe::new(endpoint, credentials, false);
    let marker = "resync-check-live-views-converge-";
    let line = transcript.iter().find(|l| l.contains(marker)).unwrap();
    let start = line.find(marker).unwrap() + marker.len();
    probe.run = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    let (result, replayed) = live::replay(&probe, &trace);
    assert_eq!(*fake.mismatches.lock().unwrap(), Vec::<String>::new());
    let found = result.expect("the replay runs to the end");
    (found, replayed, recorded)
}

#[test]
fn the_cyrus_replay_leaves_the_models_path_at_step_2_and_nobody_diverges() {
    let (found, replayed, recorded) = replay(
        "cyrus-3.6.1-model.views-converge.json",
        "cyrus-3.6.1-live.views-converge.json",
    );
    let transcript: Vec<String> = serde_json::from_value(recorded["transcript"].clone()).unwrap();
    // The recording predates the refinement note; every other line is the same.
    let note = "-- to refine: flag-flush=every-command: at step 2 (C2 a1 STORE 1 +FLAGS.SILENT \
                (\\Seen)) the model's server held back UID 1's flag change; the real server sent \
                it: `* 1 FETCH (UID 1 MODSEQ (5) FLAGS (\\Deleted \\Seen))`";
    let at = replayed.iter().position(|l| l == note).expect("the note");
    let mut without = replayed.clone();
    without.remove(at);
    assert_eq!(without, transcript);
    let mut result = serde_json::to_value(&found).unwrap();
    let refinements = result.as_object_mut().unwrap().remove("refinements");
    assert_eq!(result, recorded["result"]["Ok"]);
    assert!(found.diverged.is_empty());
    assert!(found.deviations[1].starts_with("step 2 (C2 a1 STORE 1 +FLAGS.SILENT (\\Seen))"));
    assert_eq!(found.truth, "UID 1 (\\Deleted \\Seen), UID 2 ()");
    // What the probe then adds before it searches again: Cyrus told C2 of C1's \Deleted
    // at the end of C2's STORE, where the model's server held it back.
    let refinements = refinements.expect("a refinement");
    assert_eq!(refinements[0]["clause"], "flag-flush=every-command");
    assert_eq!(found.refinements.len(), 1);
}

/// The model with Cyrus's observed `flag-flush=every-command`: its shortest views-converge
/// counterexample (16 steps: C1 sets \Deleted on UID 1 and expunges it; C2, not told yet,
/// STOREs on message 1 and is answered with MODSEQ 5, the expunge's, and no lower
/// HIGHESTMODSEQ; its connection drops and its QRESYNC SELECT from 5 reports nothing) is a
/// real loss on Cyrus: C2 keeps UID 1.
#[test]
fn the_cyrus_replay_with_its_flush_policy_diverges() {
    let (found, replayed, recorded) = replay(
        "cyrus-3.6.1-model-flush.views-converge.json",
        "cyrus-3.6.1-live-flush.views-converge.json",
    );
    let transcript: Vec<String> = serde_json::from_value(recorded["transcript"].clone()).unwrap();
    assert_eq!(replayed, transcript);
    assert_eq!(
        serde_json::to_value(&found).unwrap(),
        recorded["result"]["Ok"]
    );
    assert_eq!(
        found.diverged,
        ["C2 caches UID 1 (\\Deleted), UID 2 () but the mailbox has UID 2 ()"]
    );
    assert!(found.refinements.is_empty());
    assert!(replayed.contains(&"S2: * 1 FETCH (FLAGS (\\Deleted) UID 1 MODSEQ (5))".to_string()));
    assert!(
        replayed
            .iter()
            .any(|l| l.starts_with("C2: a3 SELECT ") && l.ends_with(" 5 1:2))"))
    );
    assert!(replayed.contains(&"S2: * OK [HIGHESTMODSEQ 5] Ok".to_string()));
}
