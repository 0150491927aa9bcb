//! interimap 0.5.7 (Debian `interimap`, with `libdbd-sqlite3-perl`) against `serve`. Its
//! remote is `serve --address 127.0.0.1:<free port>`; its local side is a real Dovecot, its
//! `imap` binary run over interimap's `type=tunnel` (PREAUTH, as nobody when root, since
//! Dovecot will not serve mail as root). A run is `syncs` syncs under the chooser (a seed,
//! or a branch's script), then one more against a quiet server (`serve --quiet-after`: no
//! other client acts, no drop, every answer sends all the server holds back). After it the local mailbox must
//! equal the model's, message by message (Message-ID) and flag by flag: a difference is a
//! change interimap lost, since the quiet sync would have brought any change its stored
//! state did not cover.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::mailbox::{self, Messages};
use crate::serve::{Choice, Script};

/// Where the programs are.
pub struct Programs {
    pub interimap: PathBuf,
    /// Dovecot's `imap` binary, for the local side.
    pub local_imap: PathBuf,
    /// This program, whose `serve` is the remote.
    pub resync_check: PathBuf,
}

/// Where a run's choices come from.
pub enum Choices {
    /// `serve --seed`.
    Seed(u64),
    /// `serve --script FILE --extend`: the script, then the first option of every further
    /// choice (one branch of an exploration).
    Prefix(PathBuf),
}

/// One run's settings.
pub struct Run {
    /// The model, as `serve`'s flags (`--edition rfc7162 --clause ...`).
    pub model: Vec<String>,
    pub choices: Choices,
    pub syncs: u32,
    pub drops: u32,
    pub steps_between: u32,
    /// The most one sync may take.
    pub timeout: Duration,
}

/// What one run found.
pub struct Outcome {
    /// Every choice the run made, as `serve --record` wrote them.
    pub choices: Vec<Choice>,
    /// Each sync's exit code (None: killed at the timeout), the quiet one last.
    pub exits: Vec<Option<i32>>,
    pub model: Messages,
    pub local: Messages,
    /// The serve transcript.
    pub transcript: String,
    /// What serve wrote to its standard error after its address: its error, if it stopped
    /// on one (a script that does not fit the run).
    pub serve_error: String,
}

impl Outcome {
    /// Whether the quiet sync completed: without it, nothing can be judged.
    pub fn judged(&self) -> bool {
        self.exits.last() == Some(&Some(0))
    }

    pub fn diverged(&self) -> bool {
        self.judged() && self.model != self.local
    }
}

/// Finds interimap and Dovecot's `imap`, or says how to install them.
pub fn programs(local_imap: Option<PathBuf>) -> Result<Programs, String> {
    let interimap = PathBuf::from("/usr/bin/interimap");
    if !interimap.exists() {
        return Err(
            "interimap not found at /usr/bin/interimap: install Debian's `interimap` and \
             `libdbd-sqlite3-perl` (tests/clients/interimap/install does, as root)"
                .into(),
        );
    }
    let candidates = [
        PathBuf::from("/usr/lib/dovecot/imap"),
        PathBuf::from("/var/cache/resync-check/dovecot-imapd/usr/lib/dovecot/imap"),
    ];
    let local_imap = match local_imap {
        Some(path) if path.exists() => path,
        Some(path) => return Err(format!("--local-imap {}: no such file", path.display())),
        None => candidates.into_iter().find(|p| p.exists()).ok_or(
            "Dovecot's imap binary not found (/usr/lib/dovecot/imap): install Debian's \
             `dovecot-imapd`, or give --local-imap (tests/clients/interimap/install unpacks \
             it into /var/cache/resync-check/dovecot-imapd)",
        )?,
    };
    let resync_check = std::env::current_exe().map_err(|e| e.to_string())?;
    Ok(Programs {
        interimap,
        local_imap,
        resync_check,
    })
}

/// One run in `dir` (made empty first).
pub fn run(programs: &Programs, run: &Run, dir: &Path) -> Result<Outcome, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io)?;
    }
    let home = dir.join("home");
    std::fs::create_dir_all(&home).map_err(io)?;
    let root = is_root();
    if root {
        // Dovecot serves mail as nobody (uid and gid 65534 on Debian).
        std::os::unix::fs::chown(&home, Some(65534), Some(65534)).map_err(io)?;
    }
    let local = write_local(programs, dir, root).map_err(io)?;
    let mut serve = Command::new(&programs.resync_check)
        .args(["serve", "--address", "127.0.0.1:0"])
        .args(&run.model)
        .args(match &run.choices {
            Choices::Seed(seed) => vec!["--seed".to_string(), seed.to_string()],
            Choices::Prefix(path) => vec![
                "--script".to_string(),
                path.display().to_string(),
                "--extend".to_string(),
            ],
        })
        .args(["--drops", &run.drops.to_string()])
        .args(["--steps-between", &run.steps_between.to_string()])
        .args(["--quiet-after", &run.syncs.to_string()])
        .arg("--log")
        .arg(dir.join("serve.log"))
        .arg("--record")
        .arg(dir.join("script.json"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start serve: {e}"))?;
    let stderr = serve.stderr.take().ok_or("serve has no standard error")?;
    let mut stderr = BufReader::new(stderr);
    let mut first = String::new();
    let started = stderr
        .read_line(&mut first)
        .map_err(|e| format!("serve: {e}"));
    // The rest, read as it comes, so that serve never blocks on a full pipe.
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        rest
    });
    let result = started.and_then(|_| syncs(programs, run, dir, &local, &first));
    let _ = serve.kill();
    let _ = serve.wait();
    let serve_error = rest.join().unwrap_or_default();
    let exits = result?;
    let transcript = std::fs::read_to_string(dir.join("serve.log")).map_err(io)?;
    let model = mailbox::from_serve_log(&transcript)?;
    let local = read_local(&local).map_err(io)?;
    let recorded = dir.join("script.json");
    let choices = match std::fs::read_to_string(&recorded) {
        Ok(text) => {
            let script: Script =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", recorded.display()))?;
            script.choices
        }
        // No command came, so no choice was made.
        Err(_) => Vec::new(),
    };
    Ok(Outcome {
        choices,
        exits,
        model,
        local,
        transcript,
        serve_error,
    })
}

/// Reads serve's port from its first line, writes interimap's config, and runs the syncs.
fn syncs(
    programs: &Programs,
    run: &Run,
    dir: &Path,
    local: &Path,
    first: &str,
) -> Result<Vec<Option<i32>>, String> {
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .ok_or_else(|| format!("serve did not start: `{}`", first.trim()))?;
    let config = dir.join("interimap.conf");
    let text = format!(
        "database = {db}\nlist-mailbox = INBOX\n\n[local]\ntype = tunnel\ncommand = {local}\n\
         null-stderr = YES\n\n[remote]\ntype = imap\nhost = 127.0.0.1\nport = {port}\n\
         STARTTLS = NO\nusername = user\npassword = password\n",
        db = dir.join("interimap.db").display(),
        local = local.display(),
    );
    std::fs::write(&config, text).map_err(|e| format!("{}: {e}", config.display()))?;
    let mut exits = Vec::new();
    for sync in 1..=run.syncs + 1 {
        let log = std::fs::File::create(dir.join(format!("interimap-{sync}.log")))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let child = Command::new(&programs.interimap)
            .arg(format!("--config={}", config.display()))
            .arg("--debug")
            // Perl's hash order reaches the wire (the order of mailboxes and UIDs it walks):
            // pinned, so a seed gives one run.
            .env("PERL_HASH_SEED", "0")
            .env("PERL_PERTURB_KEYS", "0")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start interimap: {e}"))?;
        exits.push(wait(child, run.timeout));
    }
    Ok(exits)
}

/// The exit code, or None if `timeout` passed first (then the child is killed).
fn wait(mut child: Child, timeout: Duration) -> Option<i32> {
    let until = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.code(),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// The local Dovecot: its config and the tunnel command interimap runs.
fn write_local(programs: &Programs, dir: &Path, root: bool) -> std::io::Result<PathBuf> {
    let home = dir.join("home");
    let log = dir.join("dovecot.log");
    std::fs::write(&log, "")?;
    if root {
        std::os::unix::fs::chown(&log, Some(65534), Some(65534))?;
    }
    let conf = dir.join("dovecot.conf");
    std::fs::write(
        &conf,
        format!(
            "log_path = {}\nmail_location = maildir:{}/Maildir\nssl = no\n",
            log.display(),
            home.display()
        ),
    )?;
    let run_as = if root {
        "setpriv --reuid=65534 --regid=65534 --clear-groups "
    } else {
        ""
    };
    let script = dir.join("local.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec {run_as}env USER=nobody HOME={} {} -c {}\n",
            home.display(),
            programs.local_imap.display(),
            conf.display()
        ),
    )?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    Ok(script)
}

/// The local mailbox, read over the same tunnel.
fn read_local(local: &Path) -> std::io::Result<Messages> {
    let mut child = Command::new(local)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(
        b"a1 SELECT INBOX\r\na2 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n\
          a3 LOGOUT\r\n",
    )?;
    drop(stdin);
    let mut output = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut output)?;
    child.wait()?;
    Ok(mailbox::from_fetch_output(&output))
}

/// Whether this process runs as root: its effective uid, from /proc (no libc call).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}
