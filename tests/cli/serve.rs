//! `serve`: the model's server for a real client, driven here by a scripted client over
//! standard input and output and over TCP. Each test pins the exact lines served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_resync-check");

/// Runs `serve --stdio` with `args`, the client's `input` on standard input; standard
/// output, standard error and the exit code.
fn stdio(args: &[&str], input: &str) -> (String, String, i32) {
    let mut child = Command::new(BIN)
        .args(["serve", "--stdio"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n"),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

const GREETING: &str = "* PREAUTH [CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC IDLE UIDPLUS LIST-EXTENDED LIST-STATUS] resync-check serve ready";

#[test]
fn a_session_is_answered_by_the_models_server() {
    let input = crlf(&[
        "a1 ENABLE QRESYNC",
        "a2 SELECT INBOX (QRESYNC (1 1))",
        "a3 UID STORE 1 +FLAGS (\\Deleted)",
        "a4 UID STORE 2 (UNCHANGEDSINCE 1) +FLAGS.SILENT (\\Seen)",
        "a5 UID STORE 2 (UNCHANGEDSINCE 1) +FLAGS.SILENT (\\Seen)",
        "a6 UID EXPUNGE 1",
        "a7 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)",
        "a8 IDLE",
        "DONE",
        "a9 SELECT INBOX (CONDSTORE)",
        "a10 LOGOUT",
    ]);
    let (out, err, code) = stdio(&["--edition", "rfc7162", "--steps-between", "0"], &input);
    assert_eq!((code, err.as_str()), (0, ""));
    let expected = [
        GREETING,
        "* ENABLED QRESYNC",
        "a1 OK enabled",
        "* FLAGS (\\Deleted \\Seen)",
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen)] the flags the model tracks",
        "* 0 RECENT",
        "* 2 EXISTS",
        "* OK [UIDVALIDITY 1] UIDs valid",
        "* OK [UIDNEXT 3] Predicted next UID",
        "* OK [HIGHESTMODSEQ 1] Highest",
        "a2 OK [READ-WRITE] SELECT completed",
        // Not .SILENT: its own FETCH carries FLAGS (RFC 3501 section 6.4.6); seed 0 takes
        // the optional code.
        "* 1 FETCH (UID 1 MODSEQ (2) FLAGS (\\Deleted))",
        "a3 OK [HIGHESTMODSEQ 2] done",
        "* 2 FETCH (UID 2 MODSEQ (3))",
        "a4 OK [HIGHESTMODSEQ 3] done",
        // RFC 7162 section 3.1.3: UID 2 changed since 1.
        "a5 OK [MODIFIED 2] Conditional STORE failed",
        "* VANISHED 1",
        "a6 OK [HIGHESTMODSEQ 4] done",
        "* VANISHED (EARLIER) 1",
        "* 1 FETCH (UID 2 MODSEQ (3) FLAGS (\\Seen))",
        "a7 OK [HIGHESTMODSEQ 4] done",
        "+ idling",
        "a8 OK done",
        // RFC 7162 section 3.2.11: the implicit close is marked.
        "* OK [CLOSED] Previous mailbox closed",
        "* FLAGS (\\Deleted \\Seen)",
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen)] the flags the model tracks",
        "* 0 RECENT",
        "* 1 EXISTS",
        "* OK [UIDVALIDITY 1] UIDs valid",
        "* OK [UIDNEXT 3] Predicted next UID",
        "* OK [HIGHESTMODSEQ 4] Highest",
        "a9 OK [READ-WRITE] SELECT completed",
        "* BYE resync-check serve logging out",
        "a10 OK LOGOUT completed",
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn bad_input_gets_bad_and_the_session_goes_on() {
    let input = "\u{1}\u{2} garbage\r\na1 FROB\r\na2 SELECT INBOX\r\na3 EXAMINE INBOX\r\n\
                 a4 SELECT Other (CONDSTORE)\r\na5 UID FETCH 1 (ENVELOPE)\r\n\
                 a6 SELECT INBOX (QRESYNC (1 1 1:3,5:*))\r\na7 APPEND INBOX {3}\r\nabc\r\n\
                 a8 NOOP\r\n";
    let (out, _, code) = stdio(&["--edition", "rfc7162", "--steps-between", "0"], input);
    assert_eq!(code, 0);
    let expected = [
        GREETING,
        "* BAD unreadable command",
        "a1 BAD unreadable command",
        "a2 BAD enable CONDSTORE or QRESYNC first: the served FETCH carries MODSEQ (RFC 7162 section 3.1)",
        "a3 BAD EXAMINE is not served: the model's sessions are read-write",
        "a4 NO only INBOX is served",
        "a5 BAD FETCH item Envelope is not served",
        "a6 BAD known-uids may not contain * (RFC 7162 section 7)",
        "+ go ahead",
        "a7 BAD APPEND is not served",
        "a8 OK NOOP completed",
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn list_return_status_and_huge_uid_sets_are_answered() {
    // interimap's LIST (RFC 5258 RETURN, RFC 5819 STATUS), and its UID FETCH of
    // 1:4294967295, which must not walk four billion UIDs.
    let input = crlf(&[
        "a1 LIST \"\" INBOX RETURN (SUBSCRIBED STATUS (UIDVALIDITY UIDNEXT HIGHESTMODSEQ))",
        "a2 LIST \"\" INBOX RETURN (SPECIAL-USE)",
        "a3 ENABLE QRESYNC",
        "a4 SELECT INBOX",
        "a5 UID FETCH 1:4294967295 (MODSEQ FLAGS RFC822.SIZE)",
        "a6 UID STORE 1:4294967295 +FLAGS.SILENT (\\Seen)",
        "a7 FETCH 1:4294967295 (FLAGS)",
    ]);
    let (out, _, code) = stdio(&["--edition", "rfc7162", "--steps-between", "0"], &input);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[1..6],
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
            "* STATUS INBOX (UIDVALIDITY 1 UIDNEXT 3 HIGHESTMODSEQ 1)",
            "a1 OK LIST completed",
            "a2 BAD LIST RETURN option `SPECIAL-USE` is not served",
            "* ENABLED QRESYNC",
        ]
    );
    assert_eq!(
        lines[15..],
        [
            "* 1 FETCH (UID 1 MODSEQ (1) FLAGS () RFC822.SIZE 184)",
            "* 2 FETCH (UID 2 MODSEQ (1) FLAGS () RFC822.SIZE 184)",
            "a5 OK FETCH completed",
            // Two model STOREs: the first's optional code goes out untagged where it stood.
            "* 1 FETCH (UID 1 MODSEQ (2))",
            "* OK [HIGHESTMODSEQ 2] Highest",
            "* 2 FETCH (UID 2 MODSEQ (3))",
            "a6 OK [HIGHESTMODSEQ 3] done",
            "a7 BAD Invalid message sequence number",
        ]
    );
}

#[test]
fn a_literal_too_long_ends_the_connection() {
    let (out, _, code) = stdio(&["--steps-between", "0"], "a1 LOGIN {999999}\r\n");
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [GREETING, "* BYE literal too long"]
    );
}

/// C1 idles; seed 5 has C2 set `\Deleted` on UID 2 meanwhile, and the server push it with
/// the optional code.
const IDLING: &[&str] = &[
    "a1 ENABLE QRESYNC",
    "a2 SELECT INBOX (QRESYNC (1 1))",
    "a3 IDLE",
    "DONE",
    "a4 LOGOUT",
];

#[test]
fn other_clients_act_between_commands_and_the_server_pushes_during_idle() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let log = log.to_str().unwrap();
    let args = ["--edition", "rfc7162", "--seed", "5", "--log", log];
    let (out, _, code) = stdio(&args, &crlf(IDLING));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[11..15],
        [
            "+ idling",
            "* 2 FETCH (UID 2 MODSEQ (2) FLAGS (\\Deleted))",
            "* OK [HIGHESTMODSEQ 2] Highest",
            "a3 OK done",
        ]
    );
    let log = std::fs::read_to_string(log).unwrap();
    let idle: Vec<&str> = log
        .lines()
        .skip_while(|l| *l != "C1: a3 IDLE")
        .take(12)
        .collect();
    assert_eq!(
        idle,
        [
            "C1: a3 IDLE",
            "S1: + idling",
            "C2: a1 STORE 2 +FLAGS.SILENT (\\Deleted)",
            "S2: * 2 FETCH (UID 2 MODSEQ (2))",
            "S2: a1 OK [HIGHESTMODSEQ 2] done",
            "-- C2's connection drops",
            "-- the server pushes to C1: sends flag-changes, adds [HIGHESTMODSEQ]",
            "S1: * 2 FETCH (UID 2 MODSEQ (2) FLAGS (\\Deleted))",
            "S1: * OK [HIGHESTMODSEQ 2] Highest",
            "C1: DONE",
            "-- the server's choice: sends nothing",
            "S1: a3 OK done",
        ]
    );
}

#[test]
fn a_seed_replays_the_same_run_and_so_does_its_recorded_script() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.json");
    let script = script.to_str().unwrap();
    let input = crlf(IDLING);
    let seeded = ["--edition", "rfc7162", "--seed", "6", "--drops", "1"];
    let (first, _, _) = stdio(&[&seeded[..], &["--record", script]].concat(), &input);
    let (again, _, _) = stdio(&seeded, &input);
    assert_eq!(first, again);
    let (replayed, err, code) = stdio(
        &["--edition", "rfc7162", "--drops", "1", "--script", script],
        &input,
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(replayed, first);
    let (other, _, _) = stdio(
        &["--edition", "rfc7162", "--seed", "7", "--drops", "1"],
        &input,
    );
    assert_ne!(other, first, "another seed, another run");

    // A script of another model, or tampered with, is refused with the reason.
    let (_, err, code) = stdio(
        &["--edition", "rfc5162", "--drops", "1", "--script", script],
        &input,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("the script was recorded with another model"),
        "{err}"
    );
    let text = std::fs::read_to_string(script).unwrap();
    let tampered = text.replacen("\"of\": 2", "\"of\": 3", 1);
    assert_ne!(tampered, text);
    std::fs::write(script, tampered).unwrap();
    let (_, err, code) = stdio(
        &["--edition", "rfc7162", "--drops", "1", "--script", script],
        &input,
    );
    assert_eq!(code, 2);
    assert!(err.contains("the script is of another run"), "{err}");
}

/// A child process killed when dropped, so a failed assertion leaves no server behind.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn tcp_connections_share_one_mailbox_and_ask_for_login() {
    let mut server = Command::new(BIN)
        .args(["serve", "--address", "127.0.0.1:0", "--edition", "rfc7162"])
        .args(["--steps-between", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let server = Killed(server);
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let address = first.trim().rsplit(' ').next().unwrap().to_string();
    assert!(
        first.starts_with("serving rfc7162 on 127.0.0.1:"),
        "{first}"
    );
    let session = |commands: &[&str]| -> Vec<String> {
        let stream = TcpStream::connect(&address).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut lines = Vec::new();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        lines.push(line.trim_end().to_string());
        for command in commands {
            writer
                .write_all(format!("{command}\r\n").as_bytes())
                .unwrap();
            let tag = command.split(' ').next().unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                lines.push(line.trim_end().to_string());
                if line.starts_with(&format!("{tag} ")) {
                    break;
                }
            }
        }
        lines
    };
    let first = session(&[
        "a1 SELECT INBOX",
        "a2 LOGIN user password",
        "a3 ENABLE QRESYNC",
        "a4 SELECT INBOX",
        "a5 UID STORE 2 +FLAGS.SILENT (\\Seen)",
    ]);
    assert_eq!(
        first[0],
        "* OK [CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC IDLE UIDPLUS LIST-EXTENDED LIST-STATUS] resync-check serve ready"
    );
    assert_eq!(first[1], "a1 BAD LOGIN first");
    assert_eq!(first[2], "a2 OK LOGIN completed");
    assert_eq!(
        first[first.len() - 2..],
        [
            "* 2 FETCH (UID 2 MODSEQ (2))",
            "a5 OK [HIGHESTMODSEQ 2] done"
        ]
    );
    // The connection closed without LOGOUT; the next one resynchronizes from 1.
    let second = session(&[
        "b1 LOGIN user password",
        "b2 ENABLE QRESYNC",
        "b3 SELECT INBOX (QRESYNC (1 1 1:2))",
    ]);
    assert_eq!(
        second[second.len() - 2..],
        [
            "* 2 FETCH (UID 2 MODSEQ (2) FLAGS (\\Seen))",
            "b3 OK [READ-WRITE] SELECT completed"
        ]
    );
    drop(server);
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
}

#[test]
fn serve_refuses_what_it_cannot_do() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN).arg("serve").args(args).output().unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, err) = run(&["--address", "0.0.0.0:0"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("serve listens on loopback only"), "{err}");
    let (code, err) = run(&[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--stdio"), "{err}");
    let (code, err) = run(&["--stdio", "--property", "views-converge"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("serve checks no property"), "{err}");
}
