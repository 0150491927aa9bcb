//! The clause matrix: the README's copy is what the tool prints today.

use std::process::Command;

#[test]
fn the_readme_matrix_is_current() {
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(["matrix", "--format", "markdown"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(0));
    let fresh = String::from_utf8(output.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
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
}

#[test]
fn the_matrix_rejects_an_unknown_base() {
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(["matrix", "--base", "rfc9999"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown edition `rfc9999`"));
}
