//! The clause matrix. Whether docs/matrix.md's copy is what the tool prints today takes the
//! whole matrix at the default bounds (about a minute), so `.ci/run` checks it with `matrix
//! --check docs/matrix.md`; here, the check itself at small bounds, and what the page's rows say.

use crate::common;
use common::{root, run, stderr, temp_dir, write};

/// docs/matrix.md's matrix, between its markers.
fn docs_matrix() -> String {
    let page = std::fs::read_to_string(root().join("docs/matrix.md")).unwrap();
    let begin = page.find("<!-- matrix: begin -->\n").unwrap() + "<!-- matrix: begin -->\n".len();
    let end = page.find("<!-- matrix: end -->\n").unwrap();
    page[begin..end].to_string()
}

#[test]
fn the_docs_matrix_says_what_each_erratum_does() {
    let matrix = docs_matrix();
    // The errata rows say what each erratum does on its own.
    assert!(matrix.contains(
        "| 1808 (CLOSE must not send HIGHESTMODSEQ) | apply to rfc5162 | `close-highestmodseq=omit` | violated (13 steps) |"
    ));
    assert!(matrix.contains("| `expunge-modseq=none` |"));
    // RFC 5162 section 3.4's updated value breaks RFC 7162 (silently in 13 steps: the
    // divergence-detectable column); the capped value holds.
    assert!(matrix.contains(
        "| 1808 (CLOSE must not send HIGHESTMODSEQ) | revert from rfc7162 | `close-highestmodseq=send` | violated (9 steps) | violated (13 steps) | violated (3 steps) |"
    ));
    // State counts are those of the reduced space (symmetry, read macro-steps and retired
    // clients).
    assert!(matrix.contains(
        "| holds | holds | holds | holds | holds | holds | holds | holds | holds | 14051 |"
    ));
    // A server that flushes other sessions' flag changes at every command (Cyrus 3.6.1) is
    // checked with held-back-highestmodseq=none, without which it changes nothing: it still
    // loses an expunge (in 16 steps, detectably), no flag change.
    assert!(matrix.contains(
        "| violated (16 steps) | holds | violated (7 steps) | holds | violated (8 steps) | violated (5 steps) | holds | holds | holds | 11087 (with held-back-highestmodseq=none) |"
    ));
    // A server that reads erratum 1810 per command is at fault: the first tagged OK carries
    // no code after the second command's FETCH above a held-back change.
    assert!(matrix.contains(
        "| holds | holds | violated (5 steps) | holds | holds | violated (3 steps) | holds | holds | holds | 7835534 (with client-pipelining=on) |"
    ));
    // Erratum 1809 alone changes nothing in RFC 5162 at these bounds: its server's codes
    // never lie below a MODSEQ it sent, so the client rules agree (check --coverage).
    assert!(matrix.contains(
        "| apply to rfc5162 | `client-resync-point=rfc7162` | violated (9 steps) | violated (13 steps) | violated (3 steps) | holds | violated (2 steps) | violated (2 steps) | holds | holds | holds | 30384; vacuous at these bounds (the value never changed a step) |"
    ));
    assert!(matrix.contains("`vacuous at these bounds`: its verdicts say nothing of that value."));
    // A clause that needs the other agent is checked with it, and says so.
    assert!(matrix.contains(
        "| holds | holds | holds | violated (5 steps) | holds | holds | holds | violated (3 steps) | holds | 79013 (with 1 message(s), 1 arrival(s), 1 removal(s)) |"
    ));
}

#[test]
fn check_passes_a_current_file_and_names_the_first_stale_line() {
    let dir = temp_dir("matrix-check");
    let file = write(
        &dir,
        "page.md",
        "# Page\n<!-- matrix: begin -->\nold\n<!-- matrix: end -->\ntail\n",
    );
    let file_arg = file.to_str().unwrap();
    let small = ["--clients", "1", "--messages", "1", "--commands", "1"];
    let with = |flags: &[&str]| {
        let mut args = vec!["matrix"];
        args.extend_from_slice(&small);
        args.extend_from_slice(flags);
        run(&args)
    };
    // The placeholder is stale.
    let output = with(&["--check", file_arg]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("first at line 3:\n  file:  old\n"));
    assert!(stderr(&output).contains(&format!("run `resync-check matrix --into {file_arg}`")));
    // Updated, it is current.
    assert_eq!(with(&["--into", file_arg]).status.code(), Some(0));
    let updated = std::fs::read_to_string(&file).unwrap();
    let output = with(&["--check", file_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("is current"));
    // One cell changed: exit 1, naming its line; the file is left as it was.
    let row = updated
        .lines()
        .position(|l| l.contains("| holds |"))
        .unwrap();
    let tampered = updated.replacen("| holds |", "| violated (2 steps) |", 1);
    std::fs::write(&file, &tampered).unwrap();
    let output = with(&["--check", file_arg]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("first at line {}:", row + 1)),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), tampered);
    // Current at its bounds, it is stale at others.
    std::fs::write(&file, &updated).unwrap();
    assert_eq!(with(&["--check", file_arg]).status.code(), Some(0));
    let output = run(&[
        "matrix",
        "--clients",
        "2",
        "--messages",
        "1",
        "--commands",
        "1",
        "--check",
        file_arg,
    ]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn check_names_its_own_flag_for_a_bad_file() {
    let dir = temp_dir("matrix-check-bad");
    let output = run(&["matrix", "--check", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--check "), "{}", stderr(&output));
    let reversed = write(
        &dir,
        "r.md",
        "<!-- matrix: end -->\n<!-- matrix: begin -->\n",
    );
    let output = run(&["matrix", "--check", reversed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--check ") && stderr(&output).contains("comes before"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_matrix_rejects_an_unknown_base() {
    let output = run(&["matrix", "--base", "rfc9999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown edition `rfc9999`"));
}
