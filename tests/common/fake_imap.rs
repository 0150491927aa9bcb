//! A scripted IMAP server for the probe's tests: a TcpListener on 127.0.0.1:0 in a thread.
//! Connection k (in accept order) plays script k: it checks each line the probe sends
//! against the recorded one and answers with the recorded server lines. Hostile scripts
//! (garbage, huge literals, silence, drops) use the same machinery.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use resync_check::probe::conn::{Endpoint, Security};

/// A plain connection to a fake server at `addr`, every read bounded by `timeout`.
pub fn endpoint(addr: &str, timeout: Duration) -> Endpoint {
    Endpoint {
        server: addr.to_string(),
        security: Security::Plain,
        insecure: false,
        timeout,
        literal_max: 1 << 20,
    }
}

/// One step of a connection's script.
#[derive(Clone, Debug)]
pub enum Step {
    /// Read a line from the probe; it must equal this (a recorded `"***"` password matches
    /// any password).
    Expect(String),
    /// Read a line from the probe that starts with this.
    ExpectPrefix(String),
    /// Read this many bytes (a literal's data with its CRLF).
    ExpectBytes(usize),
    /// Send these bytes.
    Send(Vec<u8>),
    /// Wait, sending nothing.
    Sleep(Duration),
    /// Close the connection.
    Close,
}

/// A running fake server: its address and the mismatches its connections saw.
pub struct Fake {
    pub addr: String,
    pub mismatches: Arc<Mutex<Vec<String>>>,
}

/// Serves `scripts[k]` on the k-th connection; connections beyond them are closed at once.
pub fn serve(scripts: Vec<Vec<Step>>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address").to_string();
    let mismatches = Arc::new(Mutex::new(Vec::new()));
    let seen = mismatches.clone();
    thread::spawn(move || {
        for (k, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            let script = scripts.get(k).cloned().unwrap_or_default();
            let seen = seen.clone();
            thread::spawn(move || play(stream, k + 1, script, seen));
        }
    });
    Fake { addr, mismatches }
}

fn play(stream: TcpStream, n: usize, script: Vec<Step>, seen: Arc<Mutex<Vec<String>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    for step in script {
        match step {
            Step::Expect(ref expected) | Step::ExpectPrefix(ref expected) => {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end_matches("\r\n");
                let matches = match expected.split_once("\"***\"") {
                    Some((prefix, _)) => line.starts_with(prefix),
                    None if matches!(step, Step::ExpectPrefix(_)) => {
                        line.starts_with(expected.as_str())
                    }
                    None => same_but_run(line, expected),
                };
                if !matches {
                    seen.lock()
                        .unwrap()
                        .push(format!("C{n}: expected `{expected}`, got `{line}`"));
                    let _ = writer.write_all(b"* BYE the script expected another command\r\n");
                    return;
                }
            }
            Step::ExpectBytes(count) => {
                let mut data = vec![0; count];
                if reader.read_exact(&mut data).is_err() {
                    return;
                }
            }
            Step::Send(bytes) => {
                if writer.write_all(&bytes).is_err() {
                    return;
                }
            }
            Step::Sleep(d) => thread::sleep(d),
            Step::Close => return,
        }
    }
}

/// Whether `line` equals `expected` but for the run number `<n>` of the probe's mailbox names
/// (`resync-check-<scenario>-<n>`), which a new probe process picks afresh.
fn same_but_run(line: &str, expected: &str) -> bool {
    fn without_run(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("resync-check-") {
            let end = rest[at..]
                .find(['"', ' ', ')'])
                .map_or(rest.len(), |e| at + e);
            let name = &rest[at..end];
            match name.rfind('-') {
                Some(dash) if name[dash + 1..].chars().all(|c| c.is_ascii_digit()) => {
                    out.push_str(&rest[..at + dash + 1]);
                    out.push('#');
                }
                _ => out.push_str(&rest[..end]),
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
    line == expected || without_run(line) == without_run(expected)
}

/// The scripts of a recorded probe transcript (`C1:`/`S1:` lines), one per connection in the
/// order they were opened. A `-- Cn's connection drops` note ends connection n's script; its
/// next lines belong to a new connection (a reconnect is labelled `Cn` again).
pub fn scripts_of(transcript: &[String]) -> Vec<Vec<Step>> {
    let mut scripts: Vec<Vec<Step>> = Vec::new();
    let mut current: BTreeMap<usize, usize> = BTreeMap::new();
    for line in transcript {
        if let Some(rest) = line.strip_prefix("-- C") {
            if let Some(n) = rest.strip_suffix("'s connection drops") {
                if let Ok(n) = n.parse::<usize>() {
                    current.remove(&n);
                }
            }
            continue;
        }
        let Some((who, text)) = line.split_once(": ") else {
            continue;
        };
        let (side, number) = who.split_at(1);
        let Ok(n) = number.parse::<usize>() else {
            continue;
        };
        let index = *current.entry(n).or_insert_with(|| {
            scripts.push(Vec::new());
            scripts.len() - 1
        });
        let steps = &mut scripts[index];
        match side {
            "S" => steps.push(Step::Send(format!("{text}\r\n").into_bytes())),
            "C" => match text
                .strip_prefix('<')
                .and_then(|t| t.strip_suffix(" bytes of message>"))
            {
                Some(count) => steps.push(Step::ExpectBytes(count.parse::<usize>().unwrap() + 2)),
                None => steps.push(Step::Expect(text.to_string())),
            },
            _ => {}
        }
    }
    scripts
}
