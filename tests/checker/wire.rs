//! Every line the model writes is valid IMAP: decoded with imap-codec, a real parser, for
//! every reachable state, every committed trace and every script transcript.

use std::collections::{HashSet, VecDeque};

use crate::common;
use common::root;

use imap_codec::decode::Decoder;
use imap_codec::{CommandCodec, IdleDoneCodec, ResponseCodec};

use resync_check::imap::wire;
use resync_check::setup::{Bounds, config};
use resync_check::system::{Action, System};

use crate::traces::committed;

/// Decodes one rendered line with imap-codec, a real IMAP parser.
fn parses(line: &str, is_command: bool) -> bool {
    let bytes = format!("{line}\r\n").into_bytes();
    // `DONE` is IDLE's continuation, not a command (RFC 9051 section 6.3.13).
    if is_command && line == "DONE" {
        matches!(IdleDoneCodec::default().decode(&bytes), Ok((rest, _)) if rest.is_empty())
    } else if is_command {
        matches!(CommandCodec::default().decode(&bytes), Ok((rest, _)) if rest.is_empty())
    } else {
        matches!(ResponseCodec::default().decode(&bytes), Ok((rest, _)) if rest.is_empty())
    }
}

/// `star`: the line may come from a `client-known-uids=star` client, whose `1:*` known-uids
/// is the pitfall under test (RFC 7162 section 7 forbids it); imap-codec's grammar takes it.
fn assert_valid(line: &str, is_command: bool, star: bool) {
    assert!(parses(line, is_command), "imap-codec rejects `{line}`");
    assert!(
        !line.contains("MODSEQ (0)") && !line.contains("HIGHESTMODSEQ 0"),
        "{line}"
    );
    if line.contains("QRESYNC (") {
        let known = if star {
            line.replace(" 1:*)", ")")
        } else {
            line.to_string()
        };
        assert!(!known.contains('*'), "`*` in known-uids: {line}");
    }
}

#[test]
fn every_line_the_model_can_produce_is_valid_imap() {
    // Every command and response line of every reachable state, under both editions.
    let mut lines = Lines::default();
    // Two clients without arrivals, and one client with an arrival, which the other agent
    // may move away again, and enough commands to fetch it.
    // And the clauses that add commands or events (issue #12), without arrivals.
    let shapes = [(2, 2, 0), (1, 3, 1)];
    let texts: [(&str, &[(&str, &str)]); 4] = [
        ("rfc5162", &[]),
        ("rfc7162", &[]),
        ("rfc7162", &[("client-resync-point", "status")]),
        (
            "rfc7162",
            &[
                ("uidvalidity-change", "renumber"),
                ("client-uidvalidity", "keep"),
            ],
        ),
    ];
    for ((edition, clauses), (clients, bound, arrivals)) in texts
        .into_iter()
        .flat_map(|t| shapes.map(|shape| (t, shape)))
        .filter(|((_, clauses), (_, _, arrivals))| clauses.is_empty() || *arrivals == 0)
    {
        let bounds = Bounds {
            clients: Some(clients),
            messages: Some(2),
            commands: Some(bound),
            arrivals: Some(arrivals),
            removals: Some(arrivals),
        };
        lines.explore(edition, clauses, bounds);
    }
    // Issue #12 items 3 and 4 (`1:*`, UID FETCH ... VANISHED, seq-match-data, the forgetting
    // and the restart), two clients with one message each: the lines are the same shapes,
    // and a space of two messages for each would take minutes.
    let small = Bounds {
        clients: Some(2),
        messages: Some(1),
        commands: Some(2),
        arrivals: Some(0),
        removals: Some(0),
    };
    let star: &[(&str, &str)] = &[
        ("client-known-uids", "star"),
        ("uid-star", "last-present"),
        ("client-fetch-vanished", "star"),
        ("modseq-restart", "lost"),
    ];
    let history: &[(&str, &str)] = &[
        ("expunge-history", "truncated"),
        ("client-seq-match", "cache"),
        ("client-fetch-vanished", "cache"),
    ];
    lines.explore("rfc7162", star, small);
    lines.explore("rfc7162", history, small);
    let Lines {
        commands,
        star_commands,
        responses,
    } = lines;
    assert!(commands.len() > 20 && responses.len() > 20);
    let shapes = [
        "(QRESYNC (1 1 1 (1 1)))",
        "UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)",
    ];
    for shape in shapes {
        assert!(commands.iter().any(|l| l.contains(shape)), "{shape}");
    }
    let shapes = ["(QRESYNC (1 1 1:*))", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE"];
    for shape in shapes {
        assert!(star_commands.iter().any(|l| l.contains(shape)), "{shape}");
    }
    for line in &commands {
        assert_valid(line, true, false);
    }
    for line in &star_commands {
        assert_valid(line, true, true);
    }
    for line in &responses {
        assert_valid(line, false, false);
    }
}

/// The wire lines of every reachable state: commands (apart, those of a
/// `client-known-uids=star` client) and responses.
#[derive(Default)]
struct Lines {
    commands: HashSet<String>,
    star_commands: HashSet<String>,
    responses: HashSet<String>,
}

impl Lines {
    fn explore(&mut self, edition: &str, clauses: &[(&str, &str)], bounds: Bounds) {
        let clauses: Vec<(String, String)> = clauses
            .iter()
            .map(|(c, v)| (c.to_string(), v.to_string()))
            .collect();
        let config = config(edition, &clauses, bounds).unwrap();
        let star = config.spec.value("client-known-uids") == Some("star");
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([System::initial(&config)]);
        let mut actions = Vec::new();
        while let Some(state) = queue.pop_front() {
            for client in &state.clients {
                for line in client.connection.iter().flat_map(|c| c.queue.iter()) {
                    self.responses.insert(wire::response(line));
                }
            }
            actions.clear();
            state.actions(&config, &mut actions);
            for &action in &actions {
                if let Action::Issue {
                    client, request, ..
                } = action
                {
                    for (tag, command) in
                        state.clients[client.index()].commands(request, &config.spec)
                    {
                        let line = wire::command(tag, &command);
                        match star {
                            true => self.star_commands.insert(line),
                            false => self.commands.insert(line),
                        };
                    }
                }
                let mut next = state.clone();
                next.apply(&config, action);
                // Fingerprints, as the checkers keep: whole states cost a kilobyte each.
                if seen.insert(next.fingerprint()) {
                    queue.push_back(next);
                }
            }
        }
    }
}

#[test]
fn every_line_of_every_committed_trace_is_valid_imap() {
    for (_, trace) in committed() {
        let clauses = &trace.model.clauses;
        let star = clauses.get("client-known-uids").map(String::as_str) == Some("star");
        for step in &trace.steps {
            for line in &step.sent {
                assert_valid(line, true, star);
            }
            for line in step.queued.iter().chain(&step.lost).chain(&step.read) {
                assert_valid(line, false, false);
            }
        }
    }
}

#[test]
fn every_wire_line_of_every_script_transcript_is_valid_imap() {
    // The RFC's worked examples, as `<model>.script.txt`: `C1:` lines are commands, `S1:`
    // lines responses.
    let mut scripts = 0;
    for entry in std::fs::read_dir(root().join("traces")).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".script.txt") {
            continue;
        }
        scripts += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(resync_check::trace::text::LEFT_OUT),
            "{path:?}"
        );
        for line in text.lines() {
            let (who, rest) = line.split_once(": ").unwrap_or(("", ""));
            match who.as_bytes() {
                [b'C', n] if n.is_ascii_digit() => assert_valid(rest, true, false),
                [b'S', n] if n.is_ascii_digit() => assert_valid(rest, false, false),
                _ => {}
            }
        }
    }
    assert_eq!(scripts, 18);
}

#[test]
fn the_probe_reads_a_status_line_as_the_model_writes_it() {
    // The wire form of the model's STATUS answer, parsed with imap-codec by the probe,
    // is the model's own response again.
    use resync_check::imap::response::Response;
    use resync_check::imap::types::ModSeq;
    let status = Response::Status(ModSeq(7));
    let text = wire::response(&status);
    assert_eq!(text, "* STATUS INBOX (HIGHESTMODSEQ 7)");
    let line = resync_check::probe::parse::line(format!("{text}\r\n").as_bytes()).unwrap();
    assert_eq!(line.to_model(), Some(status));
    // A real server's longer form (Dovecot 2.3.19.1).
    let real = b"* STATUS INBOX.rsA-015646 (MESSAGES 2 UIDNEXT 5 UIDVALIDITY 1795831007 HIGHESTMODSEQ 8)\r\n";
    let line = resync_check::probe::parse::line(real).unwrap();
    assert_eq!(line.to_model(), Some(Response::Status(ModSeq(8))));
    assert!(parses("a3 STATUS INBOX (HIGHESTMODSEQ)", true));
}
