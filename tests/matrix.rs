//! The clause matrix: the README's copy is what the tool prints today.

mod common;
use common::{root, run, stderr, stdout};

#[test]
fn the_readme_matrix_is_current() {
    let output = run(&["matrix", "--format", "markdown"]);
    assert_eq!(output.status.code(), Some(0));
    let fresh = stdout(&output);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let begin = readme.find("<!-- matrix: begin -->\n").unwrap() + "<!-- matrix: begin -->\n".len();
    let end = readme.find("<!-- matrix: end -->\n").unwrap();
    assert!(
        readme[begin..end] == fresh,
        "README.md's matrix is stale: run `cargo run --release -- matrix --into README.md`"
    );
    // The errata rows say what each erratum does on its own.
    assert!(fresh.contains(
        "| 1808 (CLOSE must not send HIGHESTMODSEQ) | apply to rfc5162 | `close-highestmodseq=omit` | violated (13 steps) |"
    ));
    assert!(fresh.contains("| `expunge-modseq=none` |"));
    // RFC 5162 section 3.4's updated value breaks RFC 7162 (silently in 13 steps: the
    // divergence-detectable column); the capped value holds.
    assert!(fresh.contains(
        "| 1808 (CLOSE must not send HIGHESTMODSEQ) | revert from rfc7162 | `close-highestmodseq=send` | violated (9 steps) | violated (13 steps) | violated (3 steps) |"
    ));
    // State counts are those of the reduced space (symmetry and read macro-steps).
    assert!(fresh.contains("| holds | holds | holds | holds | holds | holds | holds | 59669 |"));
    // A clause that needs the other agent is checked with it, and says so.
    assert!(fresh.contains(
        "| holds | holds | holds | violated (5 steps) | holds | holds | violated (3 steps) | 272078 (with 1 message(s), 1 arrival(s), 1 removal(s)) |"
    ));
}

#[test]
fn the_matrix_rejects_an_unknown_base() {
    let output = run(&["matrix", "--base", "rfc9999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown edition `rfc9999`"));
}
