//! What the Explorer's tests share: the binary serving on a free port, stopped when the
//! test ends however it ends, and a plain HTTP GET (std's TcpStream: one request, no
//! client crate needed).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The erratum 1808 counterexample, whose path the tests follow.
pub const ERRATUM: &str = "traces/errata-1808-rfc5162.views-converge.json";

/// Its steps as the Explorer names them: the trace's transcript lines, with the server's
/// answer where the same command has several.
pub const ERRATUM_STEPS: [&str; 9] = [
    "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)  [server sends nothing]",
    "C2: a1 CLOSE",
    "S2: a1 OK [HIGHESTMODSEQ 3] done",
    "C2: a2 SELECT INBOX (QRESYNC (1 3 1:2))  [server sends nothing]",
    "S2: * 1 EXISTS",
    "S2: * OK [UIDVALIDITY 1] UIDs valid",
    "S2: * OK [UIDNEXT 3] Predicted next UID",
    "S2: * OK [HIGHESTMODSEQ 3] Highest",
    "S2: a2 OK [READ-WRITE] SELECT completed",
];

/// The binary's `explore`, killed on drop.
pub struct Explorer {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The URL it printed (with `#/steps/...` for a trace).
    pub url: String,
}

impl Explorer {
    /// Starts `explore ARGS --address 127.0.0.1:0` and reads the URL it prints.
    pub fn start(args: &[&str]) -> Explorer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_resync-check"))
            .arg("explore")
            .args(args)
            .args(["--address", "127.0.0.1:0"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().expect("piped");
        let mut url = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("utf-8 output");
            if let Some(rest) = line.strip_prefix("Explorer: ") {
                url = Some(rest.to_string());
                break;
            }
        }
        let Some(url) = url else {
            let _ = child.kill();
            panic!("explore printed no URL: {:?}", child.wait());
        };
        let base = url.split('/').take(3).collect::<Vec<_>>().join("/");
        Explorer { child, base, url }
    }

    /// GET `path`: the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let host = self.base.trim_start_matches("http://");
        // The server binds right after printing: retry until it listens.
        let mut stream = None;
        for _ in 0..100 {
            match TcpStream::connect(host) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        let mut stream = stream.expect("the Explorer listens");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        // HTTP/1.0: the server closes the connection after the response.
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8(response).expect("utf-8 response");
        let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status code");
        (status, body.to_string())
    }

    /// The successors the state API gives after the action indices `path` (`""` for the
    /// initial states).
    pub fn states(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/.states{path}"));
        assert_eq!(status, 200, "/.states{path}: {body}");
        serde_json::from_str::<Value>(&body)
            .expect("JSON")
            .as_array()
            .expect("an array")
            .clone()
    }
}

impl Drop for Explorer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A field of a state view as text.
pub fn field<'a>(view: &'a Value, name: &str) -> &'a str {
    view[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {view}"))
}
