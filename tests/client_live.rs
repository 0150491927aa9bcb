//! `client interimap` against the real interimap 0.5.7 and a real Dovecot as its local side.
//! Ignored by default: `.ci/run` installs both (tests/clients/interimap/install, as root)
//! and runs these. Each run is deterministic (Perl's hash seed pinned), so the lines are
//! pinned; the last line's seconds are not.

use std::process::Command;

fn client(args: &[&str]) -> (Vec<String>, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(["client", "interimap"])
        .args(args)
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.is_empty(), "{stderr}");
    let lines = stdout
        .lines()
        .filter(|l| l.starts_with("run ") || l.contains(" run(s)"))
        .map(|l| match l.rsplit_once("; ") {
            Some((head, tail)) if tail.ends_with(" s") => head.to_string(),
            _ => l.to_string(),
        })
        .collect();
    (lines, out.status.code().unwrap_or(-1))
}

#[test]
#[ignore = "needs interimap and Dovecot's imap: tests/clients/interimap/install"]
fn interimap_keeps_every_change_of_an_rfc_7162_server() {
    let (lines, code) = client(&[
        "--edition",
        "rfc7162",
        "--commands",
        "4",
        "--runs",
        "4",
        "--seed",
        "1",
    ]);
    assert_eq!(
        lines,
        [
            "client interimap against serve, model rfc7162: 4 run(s) from seed 1, 3 sync(s) each and a quiet one, at most 1 drop(s)",
            "run 1 (serve --seed 1): syncs exited 1 0 0 0: same: 1.1 (\\Deleted), 1.2 (\\Deleted \\Seen)",
            "run 2 (serve --seed 2): syncs exited 1 0 0 0: same: 1.1 (\\Deleted), 1.2 (\\Seen)",
            "run 3 (serve --seed 3): syncs exited 1 0 0 0: same: 1.1 (\\Seen), 1.2 ()",
            "run 4 (serve --seed 4): syncs exited 1 0 0 0: same: 1.1 (\\Seen), 1.2 (\\Seen)",
            "4 run(s): 0 diverged, 0 not judged, 4 the same",
        ]
    );
    assert_eq!(code, 0);
}

#[test]
#[ignore = "needs interimap and Dovecot's imap: tests/clients/interimap/install"]
fn interimap_loses_a_message_to_a_server_that_reports_present_ones_vanished() {
    // JAMES-3642 (vanished-earlier=includes-present): the server's fault, and the check
    // sees interimap delete a message the mailbox still has.
    let (lines, code) = client(&[
        "--edition",
        "rfc7162",
        "--clause",
        "vanished-earlier=includes-present",
        "--commands",
        "4",
        "--runs",
        "1",
        "--seed",
        "6",
        "--drops",
        "0",
    ]);
    assert_eq!(
        lines[1..],
        [
            "run 1 (serve --seed 6): syncs exited 0 0 0 0: DIVERGED: the model's mailbox 1.1 (), 1.2 (), interimap's local copy 1.2 ()",
            "1 run(s): 1 diverged, 0 not judged, 0 the same",
        ]
    );
    assert_eq!(code, 1);
}
