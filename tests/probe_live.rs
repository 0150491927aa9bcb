//! The probe against the real servers `tests/servers/{dovecot,cyrus}/start` runs (ignored:
//! `.ci/run` starts them and runs these with `--ignored`). A server that cannot be reached
//! fails the test: every scenario errs and the probe exits 2.
//! Addresses: $RESYNC_DOVECOT (127.0.0.1:10143), $RESYNC_DOVECOT_TLS (127.0.0.1:10993),
//! $RESYNC_CYRUS (127.0.0.1:10144), user alice, password alice; $RESYNC_CRYMAP
//! (127.0.0.1:14143, fixed by `crymap dev imap-test`), user user, password hunter2.

use std::process::Command;

use serde_json::Value;

fn probe(env: &str, default: &str, extra: &[&str]) -> (Option<i32>, Value) {
    probe_as(env, default, ("alice", "alice"), extra)
}

fn probe_as(
    env: &str,
    default: &str,
    (user, password): (&str, &str),
    extra: &[&str],
) -> (Option<i32>, Value) {
    let server = std::env::var(env).unwrap_or_else(|_| default.to_string());
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args([
            "probe",
            "--server",
            &server,
            "--user",
            user,
            "--password-env",
            "RESYNC_LIVE_PW",
        ])
        .args(["--format", "json", "--timeout", "5"])
        .args(extra)
        .env("RESYNC_LIVE_PW", password)
        .output()
        .expect("run resync-check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{server}: no JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), doc)
}

/// (clause, value, verdict) of each scenario; a scenario that erred fails the test.
fn findings(doc: &Value) -> Vec<(String, String, String)> {
    doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let f = o["result"]
                .get("Ok")
                .unwrap_or_else(|| panic!("{} erred: {}", o["scenario"], o["result"]["Err"]));
            (
                f["clause"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap_or("-").to_string(),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rows(table: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    table
        .iter()
        .map(|(c, v, d)| (c.to_string(), v.to_string(), d.to_string()))
        .collect()
}

const DOVECOT: [(&str, &str, &str); 11] = [
    ("close-highestmodseq", "omit", "conforms"),
    ("held-back-highestmodseq", "lower", "conforms"),
    ("expunge-modseq", "bump", "conforms"),
    ("mailbox-highestmodseq", "counter", "conforms"),
    ("vanished-earlier", "exact", "conforms"),
    ("known-uids-scope", "restrict", "conforms"),
    ("vanished-unannounced", "omit", "conforms"),
    ("exists-update", "prompt", "conforms"),
    ("uid-star", "uidnext-minus-1", "conforms"),
    ("* in QRESYNC known-uids", "-", "conforms"),
    ("idle-push", "push", "conforms"),
];

#[test]
#[ignore = "needs tests/servers/dovecot/start"]
fn live_dovecot_plain() {
    let (code, doc) = probe("RESYNC_DOVECOT", "127.0.0.1:10143", &[]);
    assert_eq!(findings(&doc), rows(&DOVECOT));
    assert_eq!(code, Some(0));
    assert!(doc["greeting"].as_str().unwrap().starts_with("* OK"));
}

#[test]
#[ignore = "needs tests/servers/dovecot/start"]
fn live_dovecot_implicit_tls() {
    let (code, doc) = probe(
        "RESYNC_DOVECOT_TLS",
        "127.0.0.1:10993",
        &["--tls", "--insecure"],
    );
    assert_eq!(findings(&doc), rows(&DOVECOT));
    assert_eq!(code, Some(0));
}

#[test]
#[ignore = "needs tests/servers/dovecot/start"]
fn live_dovecot_starttls() {
    let args = [
        "--starttls",
        "--insecure",
        "--clause",
        "close-highestmodseq",
    ];
    let (code, doc) = probe("RESYNC_DOVECOT", "127.0.0.1:10143", &args);
    assert_eq!(findings(&doc), rows(&DOVECOT[..1]));
    assert_eq!(code, Some(0));
}

#[test]
#[ignore = "needs tests/servers/dovecot/start"]
fn live_dovecot_self_signed_certificate_is_refused_without_insecure() {
    let (code, doc) = probe(
        "RESYNC_DOVECOT_TLS",
        "127.0.0.1:10993",
        &["--tls", "--clause", "close-highestmodseq"],
    );
    assert_eq!(code, Some(2));
    let error = doc["outcomes"][0]["result"]["Err"].as_str().unwrap();
    assert!(
        error.contains("TLS handshake") && error.contains("certificate"),
        "{error}"
    );
}

#[test]
#[ignore = "needs tests/servers/cyrus/start"]
fn live_cyrus() {
    let (code, doc) = probe("RESYNC_CYRUS", "127.0.0.1:10144", &[]);
    assert_eq!(
        findings(&doc),
        rows(&[
            ("close-highestmodseq", "omit", "conforms"),
            ("held-back-highestmodseq", "none", "breaks"),
            ("expunge-modseq", "bump", "conforms"),
            ("mailbox-highestmodseq", "counter", "conforms"),
            ("vanished-earlier", "exact", "conforms"),
            ("known-uids-scope", "restrict", "conforms"),
            ("vanished-unannounced", "omit", "conforms"),
            ("exists-update", "prompt", "conforms"),
            ("uid-star", "last-present", "pitfall"),
            ("* in QRESYNC known-uids", "-", "breaks"),
            ("idle-push", "push", "conforms"),
        ])
    );
    assert_eq!(code, Some(1));
}

/// `probe --live`, its text output, exit code and `--save`d files.
fn probe_live(env: &str, default: &str, save: &std::path::Path) -> (Option<i32>, String) {
    let server = std::env::var(env).unwrap_or_else(|_| default.into());
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args([
            "probe",
            "--server",
            &server,
            "--user",
            "alice",
            "--password-env",
            "RESYNC_LIVE_PW",
        ])
        .args(["--live", "--timeout", "5", "--save", save.to_str().unwrap()])
        .env("RESYNC_LIVE_PW", "alice")
        .output()
        .expect("run resync-check");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    (output.status.code(), stdout)
}

fn save_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("resync-live-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The names of the files `--save` wrote into `dir`.
fn saved_names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect()
}

/// `--live` against Cyrus: its table gives `held-back-highestmodseq=none` and, from the
/// `exists-update` row (flag changes told at the end of every command), `flag-flush=every-command`.
/// The model's shortest views-converge counterexample under them (16 steps) is a real loss:
/// C1 expunges UID 1; C2, not told, STOREs on message 1 and Cyrus answers with the expunge's
/// MODSEQ and no lower HIGHESTMODSEQ; after a drop, C2's QRESYNC SELECT from it reports
/// nothing, and C2 keeps UID 1. The output ends with the DIVERGED line, and `--save` writes the
/// live transcript under the server's name and version.
#[test]
#[ignore = "needs tests/servers/cyrus/start"]
fn live_cyrus_replays_the_counterexample() {
    let dir = save_dir("cyrus");
    let (code, stdout) = probe_live("RESYNC_CYRUS", "127.0.0.1:10144", &dir);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("--clause held-back-highestmodseq=none --clause vanished-earlier=exact --clause known-uids-scope=restrict --clause flag-flush=every-command"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "views-converge                         VIOLATED (shortest counterexample: 16 steps)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("== live replay of the views-converge counterexample"),
        "{stdout}"
    );
    assert!(stdout.contains("S2: * OK [HIGHESTMODSEQ 5] Ok"), "{stdout}");
    assert_eq!(
        stdout.trim_end().lines().last(),
        Some("-- DIVERGED: C2 caches UID 1 (\\Deleted), UID 2 () but the mailbox has UID 2 ()"),
        "{stdout}"
    );
    // One search sufficed: nothing to refine, nothing else replayed.
    assert!(!stdout.contains("== refinement"), "{stdout}");
    assert!(!stdout.contains("-- the replay stopped"), "{stdout}");
    let saved = saved_names(&dir)
        .into_iter()
        .find(|n| n.starts_with("live-Cyrus-3.6.1") && n.ends_with(".views-converge.json"))
        .expect("the live transcript, named after the server and its version");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(saved)).unwrap()).unwrap();
    assert_eq!(
        doc["result"]["Ok"]["diverged"][0],
        "C2 caches UID 1 (\\Deleted), UID 2 () but the mailbox has UID 2 ()"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--live` against Cyrus with the held-back scenario alone: without the `exists-update` row
/// the model may hold a flag change back, its shortest views-converge counterexample (13
/// steps) does, and Cyrus leaves that path at step 2 (it tells C2 of C1's `\\Deleted` with
/// C2's own STORE). The replay says so, the probe refines the model with
/// `flag-flush=every-command`, searches again and replays the 16-step counterexample to the
/// same real loss.
#[test]
#[ignore = "needs tests/servers/cyrus/start"]
fn live_cyrus_refines_the_model_and_diverges() {
    let dir = save_dir("cyrus-refine");
    let server = std::env::var("RESYNC_CYRUS").unwrap_or_else(|_| "127.0.0.1:10144".into());
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(["probe", "--server", &server, "--user", "alice"])
        .args([
            "--password-env",
            "RESYNC_LIVE_PW",
            "--live",
            "--timeout",
            "5",
        ])
        .args(["--clause", "held-back-highestmodseq"])
        .args(["--save", dir.to_str().unwrap()])
        .env("RESYNC_LIVE_PW", "alice")
        .output()
        .expect("run resync-check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "views-converge                         VIOLATED (shortest counterexample: 13 steps)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("-- to refine: flag-flush=every-command: at step 2 (C2 a1 STORE 1 +FLAGS.SILENT (\\Seen)) the model's server held back UID 1's flag change"),
        "{stdout}"
    );
    assert!(
        stdout.contains("== refinement 2: the real server sent what the model's server held back, so the model takes --clause flag-flush=every-command and is searched again"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  resync-check check --edition rfc7162 --clause held-back-highestmodseq=none --clause flag-flush=every-command"),
        "{stdout}"
    );
    assert_eq!(
        stdout.trim_end().lines().last(),
        Some("-- DIVERGED: C2 caches UID 1 (\\Deleted), UID 2 () but the mailbox has UID 2 ()"),
        "{stdout}"
    );
    // Each search's live transcripts are saved, the second's as round 2.
    let names = saved_names(&dir);
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("live-Cyrus-3.6.1")
                && n.ends_with(".round-2.views-converge.json")),
        "{names:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--live` against Dovecot: its clauses (erratum 1810's lower HIGHESTMODSEQ, and
/// `flag-flush=every-command` from its `exists-update` row) leave the model without a
/// counterexample, and the probe says there is nothing to replay.
#[test]
#[ignore = "needs tests/servers/dovecot/start"]
fn live_dovecot_has_nothing_to_replay() {
    let dir = save_dir("dovecot");
    let (code, stdout) = probe_live("RESYNC_DOVECOT", "127.0.0.1:10143", &dir);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("--clause vanished-earlier=exact --clause known-uids-scope=restrict --clause flag-flush=every-command --clause uid-star=uidnext-minus-1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("--live: the model found no counterexample, so there is nothing to replay"),
        "{stdout}"
    );
    assert!(!stdout.contains("== live replay"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Crymap 2.0.1 (`tests/servers/crymap/start`): its CLOSE expunges only what the closing
/// session was told is `\Deleted` (UID 1, not C2's UID 2), so erratum 1808's path is not
/// exercised, and the probe says so (exit 3, not 0); its `FETCH 1 (FLAGS)` shows no MODSEQ,
/// so the STORE decides `held-back-highestmodseq`, with a lower code.
#[test]
#[ignore = "needs tests/servers/crymap/start"]
fn live_crymap() {
    let (code, doc) = probe_as("RESYNC_CRYMAP", "127.0.0.1:14143", ("user", "hunter2"), &[]);
    assert_eq!(
        findings(&doc),
        rows(&[
            ("close-highestmodseq", "-", "not-exercised"),
            ("held-back-highestmodseq", "lower", "conforms"),
            ("expunge-modseq", "bump", "conforms"),
            ("mailbox-highestmodseq", "counter", "conforms"),
            ("vanished-earlier", "exact", "conforms"),
            ("known-uids-scope", "restrict", "conforms"),
            ("vanished-unannounced", "omit", "conforms"),
            ("exists-update", "lazy", "conforms"),
            ("uid-star", "uidnext-minus-1", "conforms"),
            ("* in QRESYNC known-uids", "-", "conforms"),
            ("idle-push", "push", "conforms"),
        ])
    );
    let held_back = doc["outcomes"][1]["result"]["Ok"]["observed"]
        .as_str()
        .unwrap();
    assert!(
        held_back.starts_with("decided by `STORE 1 +FLAGS (\\Seen)`"),
        "{held_back}"
    );
    assert_eq!(code, Some(3));
}
