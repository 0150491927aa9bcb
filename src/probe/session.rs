//! A logged-in IMAP session on one connection, numbered as the traces number clients
//! (`C1:` for what the probe sends, `S1:` for what the server sends). Every line goes into the
//! scenario's transcript; the password never does.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use imap_codec::imap_types::response::StatusKind;

use super::conn::{Conn, Endpoint, Security};
use super::parse::{self, Line};

/// Who logs in.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

/// The lines of a scenario, in the order they were sent and received.
pub type Transcript = Rc<RefCell<Vec<String>>>;

/// A command's answer: the untagged lines before its tagged one, and that one.
#[derive(Clone, Debug)]
pub struct Reply {
    pub untagged: Vec<Line>,
    pub tagged: Line,
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.tagged
            .tagged()
            .is_some_and(|(_, k, _)| k == StatusKind::Ok)
    }

    /// Every line, untagged first.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.untagged.iter().chain(std::iter::once(&self.tagged))
    }
}

pub struct Session {
    conn: Conn,
    /// 1 for `C1`.
    pub number: usize,
    next_tag: u16,
    prefix: &'static str,
    transcript: Transcript,
    /// The greeting's text (for the name of the server in a saved trace).
    pub greeting: String,
}

impl Session {
    /// Connects, checks the greeting, secures the connection if asked, logs in and sends
    /// `ENABLE QRESYNC` (RFC 7162 section 3.2.3), which must be answered with `* ENABLED`.
    pub fn open(
        endpoint: &Endpoint,
        credentials: &Credentials,
        number: usize,
        transcript: &Transcript,
    ) -> Result<Session, String> {
        let mut session = Session::login(endpoint, credentials, number, transcript, "a")?;
        session.enable()?;
        Ok(session)
    }

    /// Connects, checks the greeting, secures the connection if asked and logs in, with
    /// tags `<prefix>1`, `<prefix>2`, ... (a live replay uses `p`, so that the model's
    /// client's own `a` tags are its alone).
    pub fn login(
        endpoint: &Endpoint,
        credentials: &Credentials,
        number: usize,
        transcript: &Transcript,
        prefix: &'static str,
    ) -> Result<Session, String> {
        let mut conn = Conn::connect(endpoint).map_err(|e| format!("C{number}: {e}"))?;
        let bytes = conn
            .read_response()
            .map_err(|e| format!("C{number}: waiting for the greeting: {e}"))?;
        let greeting = parse::greeting(&bytes).map_err(|e| format!("C{number}: {e}"))?;
        transcript
            .borrow_mut()
            .push(format!("S{number}: {greeting}"));
        let mut session = Session {
            conn,
            number,
            next_tag: 1,
            prefix,
            transcript: transcript.clone(),
            greeting,
        };
        if endpoint.security == Security::StartTls {
            session.run("STARTTLS")?;
            session
                .conn
                .start_tls()
                .map_err(|e| format!("C{number}: after STARTTLS: {e}"))?;
        }
        for c in [&credentials.user, &credentials.password] {
            if c.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                return Err("the user or password contains CR, LF or NUL".into());
            }
        }
        let login = format!(
            "LOGIN {} {}",
            quoted(&credentials.user),
            quoted(&credentials.password)
        );
        let shown = format!("LOGIN {} \"***\"", quoted(&credentials.user));
        session.run_shown(&login, &shown, true)?;
        Ok(session)
    }

    /// `ENABLE QRESYNC` (RFC 7162 section 3.2.3), which must be answered with `* ENABLED`.
    fn enable(&mut self) -> Result<(), String> {
        let number = self.number;
        let enable = self.run("ENABLE QRESYNC")?;
        let enabled = enable.untagged.iter().any(|l| {
            l.to_model() == Some(crate::imap::response::Response::EnabledQresync)
                && l.text.to_ascii_uppercase().contains("QRESYNC")
        });
        if !enabled {
            return Err(format!(
                "C{number}: `ENABLE QRESYNC` was not answered by `* ENABLED ... QRESYNC`: `{}`",
                enable.tagged.text
            ));
        }
        Ok(())
    }

    /// The tag the next command gets, `a1`, `a2`, ... (as the model's clients number theirs).
    pub fn next_tag(&self) -> u16 {
        self.next_tag
    }

    /// Runs a command that must succeed: a NO or BAD is an error naming the line.
    pub fn run(&mut self, command: &str) -> Result<Reply, String> {
        self.run_shown(command, command, true)
    }

    /// Runs a command whose NO or BAD is itself an observation.
    pub fn try_run(&mut self, command: &str) -> Result<Reply, String> {
        self.run_shown(command, command, false)
    }

    /// Runs a command under a tag the caller chose (the model's client's), NO and BAD
    /// included.
    pub fn run_as(&mut self, tag: &str, command: &str) -> Result<Reply, String> {
        self.log(format!("C{}: {tag} {command}", self.number));
        self.send(format!("{tag} {command}\r\n").as_bytes(), command)?;
        self.await_tagged(tag, command, false, None)
    }

    fn run_shown(&mut self, command: &str, shown: &str, must: bool) -> Result<Reply, String> {
        let tag = format!("{}{}", self.prefix, self.next_tag);
        self.next_tag += 1;
        self.log(format!("C{}: {tag} {shown}", self.number));
        self.send(format!("{tag} {command}\r\n").as_bytes(), shown)?;
        self.await_tagged(&tag, shown, must, None)
    }

    /// `APPEND mailbox {n}` with a synchronizing literal (RFC 3501 sections 4.3, 6.3.11).
    pub fn append(&mut self, mailbox: &str, message: &str) -> Result<Reply, String> {
        let tag = format!("{}{}", self.prefix, self.next_tag);
        self.next_tag += 1;
        let shown = format!("APPEND {} {{{}}}", quoted(mailbox), message.len());
        self.log(format!("C{}: {tag} {shown}", self.number));
        self.send(format!("{tag} {shown}\r\n").as_bytes(), &shown)?;
        self.await_tagged(&tag, &shown, true, Some(message))
    }

    fn send(&mut self, bytes: &[u8], shown: &str) -> Result<(), String> {
        self.conn
            .send(bytes)
            .map_err(|e| format!("C{}: sending `{shown}`: {e}", self.number))
    }

    fn await_tagged(
        &mut self,
        tag: &str,
        shown: &str,
        must: bool,
        mut literal: Option<&str>,
    ) -> Result<Reply, String> {
        let n = self.number;
        let mut untagged = Vec::new();
        loop {
            let line = self.read_line(&format!("{tag} {shown}"), shown)?;
            if line.is_continuation() {
                let Some(data) = literal.take() else {
                    return Err(format!("C{n}: an unexpected continuation `{}`", line.text));
                };
                self.log(format!("C{n}: <{} bytes of message>", data.len()));
                self.send(format!("{data}\r\n").as_bytes(), shown)?;
                continue;
            }
            match line.tagged() {
                Some((t, kind, _)) if t == tag => {
                    if must && kind != StatusKind::Ok {
                        return Err(format!("C{n}: `{tag} {shown}` failed: `{}`", line.text));
                    }
                    return Ok(Reply {
                        untagged,
                        tagged: line,
                    });
                }
                Some(_) => {
                    return Err(format!(
                        "C{n}: a tagged line for another command: `{}`",
                        line.text
                    ));
                }
                None => untagged.push(line),
            }
        }
    }

    /// `IDLE` (RFC 9051 section 6.3.13): sends it and reads up to the server's `+`
    /// continuation. Returns the IDLE's tag, which DONE's tagged OK will carry.
    pub fn idle(&mut self) -> Result<String, String> {
        let n = self.number;
        let tag = format!("{}{}", self.prefix, self.next_tag);
        self.next_tag += 1;
        self.log(format!("C{n}: {tag} IDLE"));
        self.send(format!("{tag} IDLE\r\n").as_bytes(), "IDLE")?;
        loop {
            let line = self.read_line(&format!("{tag} IDLE"), "IDLE")?;
            if line.is_continuation() {
                return Ok(tag);
            }
            if line.tagged().is_some() {
                return Err(format!("C{n}: `{tag} IDLE` was refused: `{}`", line.text));
            }
        }
    }

    /// The untagged lines the server pushes while the session idles, for at most `window`,
    /// or until `enough` holds for what came so far.
    pub fn pushed(
        &mut self,
        window: Duration,
        enough: impl Fn(&[Line]) -> bool,
    ) -> Result<Vec<Line>, String> {
        let n = self.number;
        let until = Instant::now() + window;
        let mut lines = Vec::new();
        while !enough(&lines) {
            // Checked here too: a server that never stops sending must not hold the probe.
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let read = self
                .conn
                .read_response_within(left)
                .map_err(|e| format!("C{n}: while idling: {e}"))?;
            let Some(bytes) = read else {
                break;
            };
            let line = self.take_line(&bytes, "IDLE")?;
            if line.tagged().is_some() || line.is_continuation() {
                return Err(format!("C{n}: while idling, an unexpected `{}`", line.text));
            }
            lines.push(line);
        }
        Ok(lines)
    }

    /// `DONE`, which ends the IDLE tagged `tag`: the lines the server sends before the IDLE's
    /// tagged response, and that response, which must be OK.
    pub fn done(&mut self, tag: &str) -> Result<Reply, String> {
        self.log(format!("C{}: DONE", self.number));
        self.send(b"DONE\r\n", "DONE")?;
        self.await_tagged(tag, "IDLE", true, None)
    }

    /// The next server line, logged; a BYE is an error. `command` (with its tag) and `shown`
    /// name what it answers in errors.
    fn read_line(&mut self, command: &str, shown: &str) -> Result<Line, String> {
        let n = self.number;
        let bytes = self
            .conn
            .read_response()
            .map_err(|e| format!("C{n}: waiting for the answer to `{command}`: {e}"))?;
        self.take_line(&bytes, shown)
    }

    /// `bytes` as a line, logged; a BYE is an error.
    fn take_line(&mut self, bytes: &[u8], shown: &str) -> Result<Line, String> {
        let n = self.number;
        let line = parse::line(bytes).map_err(|e| format!("C{n}: answering `{shown}`: {e}"))?;
        self.log(format!("S{n}: {}", line.text));
        if line.is_bye() {
            return Err(format!("C{n}: the server said BYE: `{}`", line.text));
        }
        Ok(line)
    }

    /// Closes the socket with no LOGOUT: the model's dropped connection.
    pub fn drop_connection(mut self) {
        self.log(format!("-- C{}'s connection drops", self.number));
        self.conn.drop_connection();
    }

    /// LOGOUT, errors ignored (the scenario's observations are made).
    pub fn logout(mut self) {
        let _ = self.try_run("LOGOUT");
    }

    pub fn log(&self, line: String) {
        self.transcript.borrow_mut().push(line);
    }
}

/// An IMAP quoted string (RFC 3501 section 4.3).
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
