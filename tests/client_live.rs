//! `client interimap` against the real interimap 0.5.7 and a real Dovecot as its local side.
//! Ignored by default: `.ci/run` installs both (tests/clients/interimap/install, as root)
//! and runs these. Each run is deterministic (Perl's hash seed pinned), so the lines are
//! pinned; the last line's seconds are not.

use std::process::Command;

/// The whole standard output and the exit code.
fn client_output(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(["client", "interimap"])
        .args(args)
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.is_empty(), "{stderr}");
    (stdout, out.status.code().unwrap_or(-1))
}

/// The run lines, the first and the last, the last without its seconds.
fn client(args: &[&str]) -> (Vec<String>, i32) {
    let (stdout, code) = client_output(args);
    let lines = stdout
        .lines()
        .filter(|l| {
            l.starts_with("run ")
                || l.starts_with("branch ")
                || l.starts_with("client interimap")
                || l.contains(" run(s)")
                || l.contains(" branch(es)")
        })
        .map(|l| match l.rsplit_once("; ") {
            Some((head, tail)) if tail.ends_with(" s") => head.to_string(),
            _ => l.to_string(),
        })
        .collect();
    (lines, code)
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
            "4 run(s); 0 diverged, 0 not judged, 4 the same",
        ]
    );
    assert_eq!(code, 0);
}

/// One other agent's arrival, at any of interimap's commands or none, over one sync and the
/// quiet one: 8 branches, the whole tree.
const SMALL: &[&str] = &[
    "--clients",
    "1",
    "--arrivals",
    "1",
    "--syncs",
    "1",
    "--drops",
    "0",
    "--steps-between",
    "1",
];

#[test]
#[ignore = "needs interimap and Dovecot's imap: tests/clients/interimap/install"]
fn every_branch_of_a_small_run_keeps_every_change() {
    let (lines, code) = client(&[&["--edition", "rfc7162"], SMALL].concat());
    let mut expected = vec![
        "client interimap against serve, model rfc7162: every branch, for at most 600 s, 1 sync(s) each and a quiet one, at most 0 drop(s)".to_string(),
        "branch 1 (7 choices): syncs exited 0 0: same: 1.1 (), 1.2 ()".to_string(),
        "branch 2 (7 choices): syncs exited 0 0: same: 1.1 (), 1.2 (), 1.3 ()".to_string(),
    ];
    for n in 3..=8 {
        expected.push(format!(
            "branch {n} ({} choices): syncs exited 0 0: same: 1.1 (), 1.2 (), 1.3 ()",
            9 - n
        ));
    }
    expected.push(
        "8 branch(es), every one there is: no change lost within these bounds; 0 diverged, 0 not judged, 8 the same".into(),
    );
    assert_eq!(lines, expected);
    assert_eq!(code, 0);
}

#[test]
#[ignore = "needs interimap and Dovecot's imap: tests/clients/interimap/install"]
fn interimap_loses_messages_to_a_server_that_reports_present_ones_vanished() {
    // JAMES-3642 (vanished-earlier=includes-present): the server's fault. In the branch where
    // the arrival comes during the first sync, the quiet sync's QRESYNC SELECT reports UIDs 1
    // and 2 vanished, and interimap deletes them.
    let args = [
        &[
            "--edition",
            "rfc7162",
            "--clause",
            "vanished-earlier=includes-present",
        ],
        SMALL,
    ]
    .concat();
    let (lines, code) = client(&args);
    assert_eq!(
        lines[1..3],
        [
            "branch 1 (7 choices): syncs exited 0 0: same: 1.1 (), 1.2 ()",
            "branch 2 (7 choices): syncs exited 0 0: DIVERGED: the model's mailbox 1.1 (), 1.2 (), 1.3 (), interimap's local copy 1.3 ()",
        ]
    );
    assert_eq!(
        lines.last().unwrap(),
        "8 branch(es), every one there is; 1 diverged, 0 not judged, 7 the same"
    );
    assert_eq!(code, 1);
}

#[test]
#[ignore = "needs interimap and Dovecot's imap: tests/clients/interimap/install"]
fn the_loss_is_blamed_on_the_server_and_the_resync_point_read_from_the_wire() {
    // The same run: branch 2's loss goes when the server is rerun at RFC 7162's
    // vanished-earlier=any, so the server is at fault; the quiet sync's QRESYNC SELECT sends
    // 1, what every value but `status` (which took LIST-STATUS's 2) would have stored.
    let args = [
        &[
            "--edition",
            "rfc7162",
            "--clause",
            "vanished-earlier=includes-present",
        ],
        SMALL,
    ]
    .concat();
    let (stdout, code) = client_output(&args);
    assert_eq!(code, 1);
    let indented: Vec<&str> = stdout.lines().filter(|l| l.starts_with("  ")).collect();
    let exercised = "  resync point: connection 2 sent 1 (rfc5162 1, rfc7162 1, eager 1, \
                     select-on-receipt 1, status 2); behaves like: rfc5162, rfc7162, eager, \
                     select-on-receipt";
    let idle = "  resync point: not exercised (no QRESYNC SELECT after a first sync)";
    let mut expected = vec![idle, exercised];
    expected.extend([
        "  blame: rerun under vanished-earlier=any: the loss is gone",
        "  blame: the server's: vanished-earlier=includes-present, against RFC 7162 section \
         3.2.5.1; the loss goes at RFC 7162's value vanished-earlier=any",
    ]);
    expected.extend([idle; 6]);
    assert_eq!(indented, expected);
    assert!(
        stdout.contains(
            "\ninterimap's resync point at 1 reconnect(s): rfc5162 1/1, rfc7162 1/1, eager 1/1, \
             select-on-receipt 1/1, status 0/1; behaves like: rfc5162, rfc7162, eager, \
             select-on-receipt\n"
        ),
        "{stdout}"
    );
    // The same as JSON.
    let json = [&args[..], &["--format", "json"]].concat();
    let (stdout, code) = client_output(&json);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let branch = &doc["runs"][1];
    assert_eq!(branch["verdict"], "diverged");
    assert_eq!(branch["blame"]["verdict"]["fault"], "server");
    assert_eq!(
        branch["blame"]["verdict"]["clauses"][0]["against"],
        "RFC 7162 section 3.2.5.1"
    );
    assert_eq!(branch["blame"]["tried"][0]["rerun"]["outcome"], "same");
    assert_eq!(branch["resync_point"]["reconnects"][0]["sent"], 1);
    assert_eq!(
        doc["resync_point"]["like"],
        serde_json::json!(["rfc5162", "rfc7162", "eager", "select-on-receipt"])
    );
    assert_eq!(doc["totals"]["diverged"], 1);
    assert!(doc["runs"][0]["blame"].is_null());
}
