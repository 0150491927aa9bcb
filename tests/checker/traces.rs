//! Saved traces: replay, tampering, regeneration, determinism, rendering, minimization.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common;
use common::{LONGEST_MODEL, root, run, temp_dir};

use resync_check::client::Request;
use resync_check::imap::types::ClientId;
use resync_check::properties::property;
use resync_check::server::Reply;
use resync_check::system::Action;
use resync_check::trace::minimize::minimize;
use resync_check::trace::replay::{ReplayError, replay};
use resync_check::trace::{Trace, markdown, svg};

/// Every file of a directory by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

pub(crate) fn committed() -> Vec<(PathBuf, Trace)> {
    let mut out: Vec<(PathBuf, Trace)> = std::fs::read_dir(root().join("traces"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let trace = Trace::from_json(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, trace)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn erratum_trace() -> Trace {
    let path = root().join("traces/errata-1808-rfc5162.views-converge.json");
    Trace::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_committed_trace_replays() {
    let traces = committed();
    // 65, 14 of divergence-detectable (one per model file whose divergence can be silent),
    // IDLE's (2), the CONDSTORE-only client's without a search (views-converge and
    // resync-point-safe), pipelining's (2), held-back-highestmodseq=expunges-only's (4),
    // vanished-earlier=includes-present's (2), flag-flush=every-command's (3: its divergence
    // is never silent) and expunge-flush=every-command's (4), and 8 of
    // computed-highestmodseq-covered (the two RFC 5162 models, held-back-highestmodseq=none
    // and expunges-only, the two flush values, pipelined per-command, IDLE per-response),
    // client-sync=fetch-vanished-star's (2: views-converge and resync-point-safe),
    // arrival-modseq=none's (highestmodseq-monotonic), client-unchanged=skip's
    // (views-converge) and the two of both together, and client-sync=condstore-drop-top's
    // (3: its divergence is silent), exists-update=fetch-first's (sequence-numbers-as-told)
    // client-vanished-earlier=keep-last's (2: views-converge and resync-point-safe) and
    // flag-flush=lost-at-sync's (5: every client property and both HIGHESTMODSEQ ones) and
    // held-back-numbering=renumbered's (sequence-numbers-as-told).
    assert_eq!(traces.len(), 124);
    for (path, trace) in traces {
        let replayed = replay(&trace).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert_eq!(replayed.actions.len(), trace.steps.len());
        let output = run(&["replay", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0));
    }
}

#[test]
fn traces_regenerate_byte_for_byte() {
    // The documented command, resync-check verify models --save traces, but for the longest
    // model file, which saves no trace (tests/exhaustive/longest_model.rs).
    let dir = temp_dir("regenerate");
    let mut args = vec!["verify".to_string()];
    let mut models: Vec<String> = std::fs::read_dir(root().join("models"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| format!("models/{}", p.file_name().unwrap().to_string_lossy()))
        .filter(|p| p != LONGEST_MODEL)
        .collect();
    models.sort();
    args.extend(models);
    args.extend(["--save".to_string(), dir.to_str().unwrap().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // It also checks every committed model against its expectations.
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("73 passed, 0 failed"));
    let fresh = files(&dir);
    let kept = files(&root().join("traces"));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        kept.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &fresh {
        assert!(
            bytes == &kept[name],
            "traces/{name} differs from a fresh run"
        );
    }
}

#[test]
fn saved_traces_do_not_depend_on_threads_or_runs() {
    let mut runs = Vec::new();
    for (i, threads) in ["1", "2", "2"].iter().enumerate() {
        let dir = temp_dir(&format!("threads-{i}"));
        let output = run(&[
            "check",
            "models/errata-1808-rfc5162.json",
            "--keep-going",
            "--threads",
            threads,
            "--strategy",
            ["dfs", "stateright", "bfs"][i],
            "--save",
            dir.to_str().unwrap(),
            "--snapshots",
        ]);
        assert_eq!(output.status.code(), Some(1));
        runs.push(files(&dir));
    }
    // Four properties violated (views-converge, resync-point-safe,
    // announced-highestmodseq-covered, computed-highestmodseq-covered) and
    // divergence-detectable: JSON, text and SVG each.
    assert_eq!(runs[0].len(), 15);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
    // Snapshots are part of the replayed content.
    let json =
        String::from_utf8(runs[0]["errata-1808-rfc5162.views-converge.json"].clone()).unwrap();
    let trace = Trace::from_json(&json).unwrap();
    assert!(trace.steps.iter().all(|s| s.state.is_some()));
    assert!(replay(&trace).is_ok());
}

fn diverged(trace: &Trace) -> (usize, String) {
    match replay(trace) {
        Err(ReplayError::Diverged { step, why }) => (step, why),
        other => panic!(
            "expected a divergence, got {:?}",
            other.map(|r| r.actions.len())
        ),
    }
}

#[test]
fn a_removed_step_is_caught() {
    let mut trace = erratum_trace();
    trace.steps.remove(2); // C2's read of `a1 OK [HIGHESTMODSEQ 3] done`
    let (step, why) = diverged(&trace);
    assert_eq!(step, 3);
    assert_eq!(why, "C2 is still waiting for a tagged response");
    let mut trace = erratum_trace();
    trace.steps.pop();
    let (step, why) = diverged(&trace);
    assert_eq!(step, 9);
    assert_eq!(
        why,
        "after the last step, views-converge holds: the trace shows no violation"
    );
}

#[test]
fn a_changed_flag_is_caught() {
    let mut trace = erratum_trace();
    let request = trace.steps[0].request.as_mut().unwrap();
    let Request::Store { flag, .. } = request else {
        panic!("the first step is a STORE")
    };
    *flag = resync_check::imap::types::Flag::Seen;
    let (step, why) = diverged(&trace);
    assert_eq!(step, 1);
    assert_eq!(
        why,
        "sent line 1: the trace says `a1 STORE 1 +FLAGS.SILENT (\\Deleted)`, the model produces `a1 STORE 1 +FLAGS.SILENT (\\Seen)`"
    );
    // The same edit in the JSON text, through the CLI: exit 1, naming the step.
    let json = erratum_trace().to_json().replacen(
        "\"flag\": \"\\\\Deleted\"",
        "\"flag\": \"\\\\Seen\"",
        1,
    );
    let path = temp_dir("flag").join("tampered.json");
    std::fs::write(&path, json).unwrap();
    let output = run(&["replay", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("does not replay: step 1 (C1 send): sent line 1"),
        "{out}"
    );
}

#[test]
fn a_changed_edition_is_caught() {
    // The edition and its clause values changed together: the lines tell.
    let mut trace = erratum_trace();
    trace.model.edition = "rfc7162".to_string();
    let rfc7162 = resync_check::spec::edition("rfc7162").unwrap().spec;
    for (clause, value) in rfc7162.values() {
        trace
            .model
            .clauses
            .insert(clause.to_string(), value.to_string());
    }
    let (step, why) = diverged(&trace);
    assert_eq!(step, 2);
    assert_eq!(
        why,
        "queued line 1: the trace says `a1 OK [HIGHESTMODSEQ 3] done`, the model produces `a1 OK done`"
    );
    // The edition alone changed, over RFC 5162's clause values: the derived command tells.
    let mut trace = erratum_trace();
    trace.model.edition = "rfc7162".to_string();
    let Err(ReplayError::Claim(why)) = replay(&trace) else {
        panic!("a changed edition label replays")
    };
    assert!(
        why.starts_with("`reproduce` is `resync-check check --edition rfc5162 "),
        "{why}"
    );
    // Clauses left out are refused: a trace names every clause.
    let mut trace = erratum_trace();
    trace.model.clauses.remove("client-close");
    assert_eq!(
        replay(&trace).err(),
        Some(ReplayError::Invalid(
            "`model.clauses` does not name `client-close`: a trace names every clause with its value"
                .to_string()
        ))
    );
}

#[test]
fn malformed_trace_files_exit_2_with_line_and_column() {
    let dir = temp_dir("malformed");
    let cases = [
        (
            "syntax.json",
            "{\n  \"format_version\": 1,\n  oops\n}",
            "syntax.json: line 3, column 3",
        ),
        (
            "field.json",
            &erratum_trace()
                .to_json()
                .replacen("\"property\"", "\"colour\": 1, \"property\"", 1),
            "unknown field `colour`",
        ),
        (
            "version.json",
            &erratum_trace().to_json().replacen(
                "\"format_version\": 1",
                "\"format_version\": 9",
                1,
            ),
            "format_version 9 is not supported",
        ),
        (
            "client.json",
            &erratum_trace()
                .to_json()
                .replacen("\"C1\"", "\"client one\"", 1),
            "invalid client `client one`, expected C1, C2, ...",
        ),
    ];
    for (name, text, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        for command in ["replay", "render", "minimize"] {
            let output = run(&[command, path.to_str().unwrap()]);
            assert_eq!(output.status.code(), Some(2), "{command} {name}");
            let err = String::from_utf8_lossy(&output.stderr);
            assert!(err.contains(message), "{command} {name}: {err}");
        }
    }
}

#[test]
fn the_svg_is_well_formed_xml() {
    for (_, trace) in committed() {
        let replayed = replay(&trace).unwrap();
        let svg = svg::render(&trace, &replayed);
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut elements = 0;
        let mut depth = 0i32;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(_)) => {
                    depth += 1;
                    elements += 1;
                }
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
                Ok(_) => {}
                Err(e) => panic!("{}: not well-formed: {e}", trace.property),
            }
        }
        assert_eq!(depth, 0);
        assert!(elements > 20);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!svg.contains("<script"));
    }
}

#[test]
fn the_markdown_carries_the_configuration_and_the_reproduce_command() {
    let trace = erratum_trace();
    let replayed = replay(&trace).unwrap();
    let md = markdown::render(&trace, &replayed);
    assert!(md.contains(
        "```\nresync-check check --edition rfc5162 --clients 2 --messages 2 --commands 2 --property views-converge\n```"
    ));
    assert!(
        md.contains("| `close-highestmodseq` | `send` | RFC 5162 section 3.4 (\"MUST send the updated per-mailbox modification sequence\"), even where erratum 1810 forbids it |")
    );
    assert!(md.contains("## What this shows"));
    assert!(md.contains("C2: a1 CLOSE\n-- CLOSE expunges UID 1 at MODSEQ 3"));
    // The CLI renders the same.
    let output = run(&[
        "render",
        "traces/errata-1808-rfc5162.views-converge.json",
        "--format",
        "markdown",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), md);
}

#[test]
fn the_text_rendering_names_the_divergence_the_clauses_and_the_command() {
    let text =
        std::fs::read_to_string(root().join("traces/errata-1808-rfc5162.views-converge.txt"))
            .unwrap();
    assert!(text.contains(
        "-- views-converge: C2 still caches UID 1, which C2's CLOSE expunged at MODSEQ 3"
    ));
    assert!(text.contains(
        "-- responsible: close-highestmodseq=send [RFC 5162 section 3.4 (\"MUST send the \
         updated per-mailbox modification sequence\"), even where erratum 1810 forbids it]; \
         with close-highestmodseq=send-safe, or with close-highestmodseq=omit, or with \
         client-sync=condstore, or with client-sync=condstore-drop-top (breaks RFC 7162 \
         section 6), the same commands, every line read, leave no violation of \
         views-converge."
    ));
    assert!(text.ends_with(
        "-- reproduce: resync-check check --edition rfc5162 --clients 2 --messages 2 --commands 2 --property views-converge\n"
    ));
}

#[test]
fn a_transient_violation_is_blamed_where_the_trace_stops() {
    // C1 stores its own STORE's MODSEQ 2, then its EXPUNGE is logged at 2 as well; the OK it
    // has not read yet would mend it, but a drop before that line would not. The
    // line-by-line search finds this path first; the default one (read order) lets C1 read
    // right after its command and finds another of the same length.
    let output = run(&[
        "check",
        "models/clause-expunge-modseq-none.json",
        "--property",
        "resync-point-safe",
        "--reduce",
        "none",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("--   C1 has not read yet: `* VANISHED 1`, `a2 OK [HIGHESTMODSEQ 2] done`\n")
    );
    assert!(text.contains(
        "-- responsible: expunge-modseq=none [against RFC 7162 section 3.2: a server that does \
         not bump on expunge; the expunge is logged at the current HIGHESTMODSEQ]; with \
         expunge-modseq=bump, the same steps, stopped where this trace stops (reading the rest \
         would mend this violation, unless the connection drops first), leave no violation of \
         resync-point-safe."
    ));
}

#[test]
fn minimize_removes_the_steps_a_violation_does_not_need() {
    let trace = erratum_trace();
    let config = trace.model.config().unwrap();
    let shortest = trace.actions().unwrap();
    // A longer path to the same violation, as a DFS run or a simulation might find: C1
    // first sends a NOOP and reads its answer, then drops and comes back at the end.
    let c1 = ClientId(0);
    let noop = Action::Issue {
        client: c1,
        request: Request::Noop,
        reply: Reply::default(),
    };
    let mut longer = vec![noop, Action::Read { client: c1 }];
    longer.extend(&shortest);
    longer.push(Action::Drop { client: c1 });
    let holds = property("views-converge").unwrap().condition;
    let minimized = minimize(&config, holds, &longer);
    assert_eq!(minimized, shortest);
    // Through the CLI, on a hand-written file whose steps carry no lines.
    let mut file = trace.clone();
    file.steps = longer
        .iter()
        .map(|a| resync_check::step::Step::bare(*a))
        .collect();
    let dir = temp_dir("minimize");
    let input = dir.join("long.json");
    let output_path = dir.join("short.json");
    std::fs::write(&input, file.to_json()).unwrap();
    let output = run(&[
        "minimize",
        input.to_str().unwrap(),
        "--output",
        output_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "removed 3 of 12 steps (9 remain)\n"
    );
    let short = Trace::from_json(&std::fs::read_to_string(&output_path).unwrap()).unwrap();
    assert_eq!(short.steps, trace.steps);
    assert!(replay(&short).is_ok());
}

#[test]
fn a_tampered_removal_is_caught() {
    let path =
        root().join("traces/clause-vanished-unannounced-report.vanished-only-known-uids.json");
    let json = std::fs::read_to_string(path).unwrap();
    let mut trace = Trace::from_json(&json).unwrap();
    assert!(replay(&trace).is_ok());
    // The other agent moves away UID 1, which it never appended.
    trace.steps[1].uid = Some(resync_check::imap::types::Uid(1));
    let (step, why) = diverged(&trace);
    assert_eq!(step, 2);
    assert_eq!(
        why,
        "UID 1 is not a message the other agent appended and has not moved away yet"
    );
    // A removal without its UID is malformed: exit 2.
    let text = json.replacen(",\n      \"uid\": 2", "", 1);
    assert_ne!(text, json);
    let path = temp_dir("removal").join("no-uid.json");
    std::fs::write(&path, text).unwrap();
    let output = run(&["replay", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("a `remove` step names a `uid`, and no client, request or server choice"),
        "{err}"
    );
}
