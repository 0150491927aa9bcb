//! `serve`: the model's server for a real client, on standard input and output (one
//! session, PREAUTH: what a client's tunnel command runs) or on a loopback TCP address (one
//! connection at a time, LOGIN with any user and password; the mailbox lives on across
//! connections, so a client can reconnect and resynchronize). The transport is here; what
//! is answered is `serve/`'s.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use imap_codec::fragmentizer::{FragmentInfo, Fragmentizer};
use imap_codec::imap_types::core::LiteralMode;

use super::args::ServeArgs;
use crate::output;
use crate::serve::{Chooser, Front, Options, Script};
use crate::setup;
use crate::trace::text;

/// The longest command served, literals included: the client's commands are short, and a
/// longer one is hostile or a message to APPEND, which is not served.
const MAX_COMMAND_BYTES: u32 = 64 * 1024;

pub fn serve(args: &ServeArgs) -> Result<u8, String> {
    if !args.model.properties.is_empty() {
        return Err("serve checks no property: leave --property out".into());
    }
    let model = setup::prepare(&args.model.overrides(), setup::DEFAULT_COMMANDS.into())?;
    if !model.script.is_empty() {
        return Err(
            "serve starts from the initial state: a model file's script is not served".into(),
        );
    }
    let described = text::header(&model.name, &model.edition, &model.config);
    let chooser = match &args.script {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            let script: Script = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a serve script: {e}", path.display()))?;
            if script.model != described {
                return Err(format!(
                    "{}: the script was recorded with another model:\n{}",
                    path.display(),
                    script.model
                ));
            }
            Chooser::scripted(script.choices, args.extend)
        }
        None => Chooser::seeded(args.seed.unwrap_or(0)),
    };
    let options = Options {
        drops: args.drops,
        steps_between: args.steps_between,
        quiet_after: args.quiet_after,
    };
    let mut front = Front::new(model.config, chooser, options);
    let mut files = Files {
        record: args.record.clone(),
        log: args.log.clone(),
        model: described,
    };
    if args.stdio {
        let stdin = std::io::stdin().lock();
        let stdout = std::io::stdout().lock();
        session(&mut front, stdin, stdout, true, &mut files)?;
        return Ok(0);
    }
    let address = args.address.expect("clap requires --stdio or --address");
    if !address.ip().is_loopback() {
        return Err(format!(
            "--address {address}: serve listens on loopback only (127.0.0.1 or ::1)"
        ));
    }
    let listener = TcpListener::bind(address).map_err(|e| format!("--address {address}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    output::eprintln(&format!("serving {} on {bound}", model.name));
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("{bound}: {e}"))?;
    while !crate::limits::interrupted() {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(format!("{bound}: {e}")),
        };
        let setup = stream
            .set_nonblocking(false)
            .and_then(|_| stream.set_read_timeout(Some(Duration::from_secs(args.timeout.max(1)))))
            .and_then(|_| stream.try_clone());
        let reader = setup.map_err(|e| format!("{bound}: {e}"))?;
        session(&mut front, reader, stream, false, &mut files)?;
    }
    Ok(0)
}

/// Where a run's script and transcript go.
struct Files {
    record: Option<PathBuf>,
    log: Option<PathBuf>,
    model: String,
}

impl Files {
    fn write(&mut self, front: &mut Front) -> Result<(), String> {
        let lines = front.take_log();
        if let Some(path) = &self.log {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            let mut text = String::new();
            for line in lines {
                text.push_str(&line);
                text.push('\n');
            }
            file.write_all(text.as_bytes())
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        }
        if let Some(path) = &self.record {
            let script = Script {
                tool: crate::trace::tool(),
                model: self.model.clone(),
                choices: front.choices().to_vec(),
            };
            let json = serde_json::to_string_pretty(&script).map_err(|e| e.to_string())?;
            output::write_atomic(path, &(json + "\n"))?;
        }
        Ok(())
    }
}

/// One connection: the greeting, then each complete command (literals read after a `+`
/// continuation, RFC 3501 section 7.5) and its answer, until LOGOUT, a drop, the end of
/// the input, a silent timeout or an error on the connection. Only the run's own errors
/// (a script that does not fit, a file it cannot write) end `serve`.
fn session(
    front: &mut Front,
    mut input: impl Read,
    mut output: impl Write,
    preauth: bool,
    files: &mut Files,
) -> Result<(), String> {
    let greeting = front.greet(preauth);
    let mut fragmentizer = Fragmentizer::new(MAX_COMMAND_BYTES);
    let mut buffer = [0u8; 8192];
    let sent = send(&mut output, &[greeting]);
    files.write(front)?;
    if sent.is_err() {
        front.hang_up();
        return files.write(front);
    }
    loop {
        let Some(fragment) = fragmentizer.progress() else {
            match input.read(&mut buffer) {
                Ok(n) if n > 0 => fragmentizer.enqueue_bytes(&buffer[..n]),
                // The end of the input, a timeout, or a reset: the client is gone.
                _ => break,
            }
            continue;
        };
        if let FragmentInfo::Line {
            announcement: Some(literal),
            ..
        } = fragment
        {
            if literal.length > MAX_COMMAND_BYTES {
                let _ = send(&mut output, &["* BYE literal too long".into()]);
                break;
            }
            if literal.mode == LiteralMode::Sync
                && send(&mut output, &["+ go ahead".into()]).is_err()
            {
                break;
            }
        }
        if !fragmentizer.is_message_complete() {
            continue;
        }
        if fragmentizer.is_max_message_size_exceeded() {
            let _ = send(&mut output, &["* BYE command too long".into()]);
            break;
        }
        let answer = front.command(fragmentizer.message_bytes())?;
        let sent = send(&mut output, &answer.lines);
        files.write(front)?;
        if answer.close || sent.is_err() {
            break;
        }
    }
    front.hang_up();
    files.write(front)
}

fn send(output: &mut impl Write, lines: &[String]) -> std::io::Result<()> {
    for line in lines {
        output.write_all(line.as_bytes())?;
        output.write_all(b"\r\n")?;
    }
    output.flush()
}
