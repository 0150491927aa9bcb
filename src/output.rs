//! Everything the tool writes goes through here. Standard output: a closed pipe (`| head`)
//! ends the output quietly, as grep and cargo do, instead of a panic; the run still finishes
//! and exits with its verdict's code, so `--save` still writes. Files: every path is checked
//! before a run starts (a run of minutes must not end in "cannot write"), and written
//! atomically, a temporary file in the same directory renamed over the target, so an
//! interrupted run never leaves a truncated trace or summary.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once standard output is gone (a closed pipe) or failed: nothing more is written.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// A write error other than a closed pipe (a full disk): the run's result did not get out.
static STDOUT_FAILED: Mutex<Option<String>> = Mutex::new(None);

/// Writes `text` to standard output.
pub fn print(text: &str) {
    if text.is_empty() || STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != ErrorKind::BrokenPipe {
            let mut failed = STDOUT_FAILED.lock().unwrap_or_else(|p| p.into_inner());
            failed.get_or_insert_with(|| e.to_string());
        }
    }
}

/// Writes `text` and a newline to standard output.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}

/// Writes `text` and a newline to standard error. Errors are ignored: there is nowhere left
/// to report them.
pub fn eprintln(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{text}\n").as_bytes());
}

/// `text` with control characters other than newlines escaped (`\0`, `\u{1b}`): messages
/// quote what a file holds, and a file may hold anything.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Why standard output failed, if it did for another reason than a closed pipe.
pub fn stdout_failure() -> Option<String> {
    STDOUT_FAILED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// The directory a file `path` goes in.
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates a temporary file in `dir`, readable as an ordinary file would be (the umask
/// applies), so the renamed result has ordinary permissions.
fn temporary_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    #[cfg(unix)]
    let permissions = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".resync-check-");
    #[cfg(unix)]
    builder.permissions(permissions);
    builder.tempfile_in(dir)
}

/// A temporary file beside `path`, to be renamed over it (`checkpoint/file.rs`).
pub fn temporary_for(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    temporary_in(&parent(path))
}

/// Checks, before any work, that `path` (given to `flag`) can be written as a file: it is a
/// regular file or does not exist yet, and its directory exists and takes new files.
pub fn check_file(flag: &str, path: &Path) -> Result<(), String> {
    let shown = path.display();
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.is_dir() {
            return Err(format!("{flag} {shown}: is a directory, not a file"));
        }
        if !metadata.is_file() {
            return Err(format!(
                "{flag} {shown}: is not a regular file (a device or a pipe); the tool writes \
                 files whole, by replacing them"
            ));
        }
    }
    let dir = parent(path);
    if !dir.is_dir() {
        return Err(format!(
            "{flag} {shown}: the directory {} does not exist",
            dir.display()
        ));
    }
    temporary_in(&dir)
        .map(drop)
        .map_err(|e| format!("{flag} {shown}: cannot write in {}: {e}", dir.display()))
}

/// Checks, before any work, that `dir` (given to `flag`) is a directory that takes new files,
/// creating it (and its parents) if it does not exist.
pub fn prepare_dir(flag: &str, dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{flag} {shown}: is not a directory"));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("{flag} {shown}: cannot create the directory: {e}"))?;
    temporary_in(dir)
        .map(drop)
        .map_err(|e| format!("{flag} {shown}: cannot write in this directory: {e}"))
}

/// Writes `content` to `path` atomically: readers see the old file or the new one, never
/// part of it.
pub fn write_atomic(path: &Path, content: &str) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: cannot write: {e}", path.display());
    let mut file = temporary_in(&parent(path)).map_err(|e| fail(&e))?;
    file.write_all(content.as_bytes()).map_err(|e| fail(&e))?;
    file.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_in_messages() {
        assert_eq!(plain("a\u{0}b\u{1b}[31m\nc"), "a\\0b\\u{1b}[31m\nc");
    }

    #[test]
    fn paths_are_refused_before_any_work_and_files_replace_whole() {
        let dir = std::env::temp_dir().join(format!("resync-check-output-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        prepare_dir("--save", &dir).unwrap();
        let file = dir.join("a.json");
        check_file("--summary", &file).unwrap();
        write_atomic(&file, "one\n").unwrap();
        write_atomic(&file, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "two\n");
        // Only the file itself is left: no temporary file behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert_eq!(
            check_file("--summary", &dir).unwrap_err(),
            format!("--summary {}: is a directory, not a file", dir.display())
        );
        assert!(
            check_file("--summary", Path::new("/dev/null"))
                .unwrap_err()
                .contains("is not a regular file")
        );
        assert_eq!(
            prepare_dir("--save", &file).unwrap_err(),
            format!("--save {}: is not a directory", file.display())
        );
        assert!(
            check_file("--summary", Path::new("/nonexistent/dir/s.json"))
                .unwrap_err()
                .contains("the directory /nonexistent/dir does not exist")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
