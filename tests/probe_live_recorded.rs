//! `probe --live` against a recording of Cyrus 3.6.1: the model's views-converge
//! counterexample (`tests/transcripts/cyrus-3.6.1-model.views-converge.json`, as the check
//! saved it) replayed on a fake server that plays back the live transcript the real Cyrus
//! gave (`cyrus-3.6.1-live.views-converge.json`) and checks every command the model's clients
//! send, with their real MODSEQs and UIDVALIDITY.

mod fake_imap;

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

#[test]
fn the_cyrus_replay_leaves_the_models_path_at_step_2_and_nobody_diverges() {
    let trace = Trace::from_json(&read("cyrus-3.6.1-model.views-converge.json")).unwrap();
    let recorded: Value =
        serde_json::from_str(&read("cyrus-3.6.1-live.views-converge.json")).unwrap();
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
    assert_eq!(replayed, transcript);
    let found = result.expect("the replay runs to the end");
    assert_eq!(
        serde_json::to_value(&found).unwrap(),
        recorded["result"]["Ok"]
    );
    assert!(found.diverged.is_empty());
    assert!(found.deviations[1].starts_with("step 2 (C2 a1 STORE 1 +FLAGS.SILENT (\\Seen))"));
    assert_eq!(found.truth, "UID 1 (\\Deleted \\Seen), UID 2 ()");
}
