//! The conformance scenarios: one per clause of the catalogue the probe can observe (and one
//! `*` check no clause models), each in a fresh mailbox `resync-check-<scenario>-<n>` filled
//! by APPEND so that its UIDs start at 1, over two or more connections of the same user after
//! `ENABLE QRESYNC`. A scenario that meets an error (NO/BAD to a command it needs, a closed
//! connection, a line that does not parse, a literal above the cap, a timeout) ends with
//! that error; the next scenario runs.

mod clauses;
mod delivery;
mod idle;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::conn::Endpoint;
use super::session::{Credentials, Reply, Session, Transcript, quoted};

/// Whether the server did what RFC 7162 requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Conforms,
    Breaks,
    /// Within the letter of the RFCs, but a client that relies on it loses changes.
    Pitfall,
    /// The server never did what the scenario needs to observe (`Finding::needs`), so the
    /// path it is about was not exercised: neither a pass nor a break.
    NotExercised,
}

/// What one scenario found.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The clause (or `*` check) it is about.
    pub clause: &'static str,
    /// The clause value the server's behaviour matches (what `--clause` takes), if any.
    pub value: Option<String>,
    /// What the server did, in words.
    pub observed: String,
    /// What RFC 7162 requires.
    pub required: &'static str,
    pub verdict: Verdict,
    pub section: &'static str,
    /// What the scenario must observe to decide; without it the verdict is `NotExercised`
    /// and `observed` says what the server did instead.
    pub needs: &'static str,
    /// The server's lines that prove it, verbatim.
    pub evidence: Vec<String>,
    /// Other clauses' values the same observation amounts to (`NAME=VALUE`): the
    /// `exists-update` scenario also sees when flag changes come (`flag-flush`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implies: Vec<String>,
}

/// A scenario's result and its whole transcript.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    pub result: Result<Finding, String>,
    pub transcript: Vec<String>,
    pub seconds: f64,
}

/// What every scenario needs.
pub struct Probe {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub keep: bool,
    /// The `<n>` of the mailbox names, so that runs do not collide.
    pub run: u64,
}

type Scenario = fn(&mut Ctx) -> Result<Finding, String>;

/// The scenarios, in the order they run and are printed.
pub const SCENARIOS: [(&str, Scenario); 11] = [
    ("close-highestmodseq", clauses::close_highestmodseq),
    ("held-back-highestmodseq", clauses::held_back_highestmodseq),
    ("expunge-modseq", clauses::expunge_modseq),
    ("mailbox-highestmodseq", clauses::mailbox_highestmodseq),
    ("vanished-earlier", clauses::vanished_earlier),
    ("known-uids-scope", delivery::known_uids_scope),
    ("vanished-unannounced", delivery::vanished_unannounced),
    ("exists-update", delivery::exists_update),
    ("star-changedsince", delivery::star_changedsince),
    ("star-known-uids", delivery::star_known_uids),
    ("idle-push", idle::idle_push),
];

impl Probe {
    pub fn new(endpoint: Endpoint, credentials: Credentials, keep: bool) -> Probe {
        // Milliseconds and the process id: two probes of one user at once (parallel tests)
        // must not pick the same names.
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let run = millis * 1000 + u64::from(std::process::id() % 1000);
        Probe {
            endpoint,
            credentials,
            keep,
            run,
        }
    }

    /// Runs the scenarios named in `only` (every one if it is empty), in catalogue order;
    /// `progress` is told each one's name as it starts.
    pub fn run_selected(&self, only: &[String], mut progress: impl FnMut(&str)) -> Vec<Outcome> {
        SCENARIOS
            .iter()
            .filter(|(name, _)| only.is_empty() || only.iter().any(|o| o == name))
            .map(|(name, scenario)| {
                progress(name);
                self.run_one(name, *scenario)
            })
            .collect()
    }

    fn run_one(&self, name: &'static str, scenario: Scenario) -> Outcome {
        let start = Instant::now();
        let (result, transcript) = self.with_ctx(name, scenario);
        Outcome {
            scenario: name,
            result,
            transcript,
            seconds: start.elapsed().as_secs_f64(),
        }
    }

    /// Runs `body` with a context of its own (connections from C1, mailboxes named after
    /// `name` and deleted at the end unless `--keep`); its result and transcript.
    pub fn with_ctx<T>(
        &self,
        name: &str,
        body: impl FnOnce(&mut Ctx) -> Result<T, String>,
    ) -> (Result<T, String>, Vec<String>) {
        let mut ctx = Ctx {
            probe: self,
            name: name.to_string(),
            transcript: Rc::new(RefCell::new(Vec::new())),
            connections: 0,
            created: Vec::new(),
        };
        let result = body(&mut ctx);
        ctx.clean_up();
        let transcript = ctx.transcript.borrow().clone();
        (result, transcript)
    }
}

/// One scenario's connections and mailbox.
pub struct Ctx<'a> {
    probe: &'a Probe,
    name: String,
    transcript: Transcript,
    connections: usize,
    created: Vec<String>,
}

/// A selected mailbox as SELECT reported it.
pub struct Selected {
    pub uid_validity: u32,
    pub highest_modseq: u64,
    pub reply: Reply,
}

impl Ctx<'_> {
    /// A new logged-in connection, `C1`, `C2`, ... in order.
    pub fn open(&mut self) -> Result<Session, String> {
        self.connections += 1;
        Session::open(
            &self.probe.endpoint,
            &self.probe.credentials,
            self.connections,
            &self.transcript,
        )
    }

    /// A new logged-in connection labelled `C<number>` again, after that one dropped: the same
    /// client reconnecting.
    pub fn reopen(&mut self, number: usize) -> Result<Session, String> {
        Session::open(
            &self.probe.endpoint,
            &self.probe.credentials,
            number,
            &self.transcript,
        )
    }

    /// A connection labelled `C<number>`, logged in with `p` tags and nothing enabled: the
    /// live replay's, whose model clients send their own ENABLE under their own tags.
    pub fn login_as(&mut self, number: usize) -> Result<Session, String> {
        self.connections = self.connections.max(number);
        Session::login(
            &self.probe.endpoint,
            &self.probe.credentials,
            number,
            &self.transcript,
            "p",
        )
    }

    /// Creates the scenario's mailbox on `session` and appends `messages` messages (UIDs 1
    /// to `messages`). Tries `resync-check-<scenario>-<n>` at the top level, then under
    /// INBOX (Cyrus's users may create only there); never INBOX itself.
    pub fn mailbox(&mut self, session: &mut Session, messages: u32) -> Result<String, String> {
        let base = format!("resync-check-{}-{}", self.name, self.probe.run);
        let mut answers = Vec::new();
        for name in [
            base.clone(),
            format!("INBOX.{base}"),
            format!("INBOX/{base}"),
        ] {
            let reply = session.try_run(&format!("CREATE {}", quoted(&name)))?;
            if reply.ok() {
                self.created.push(name.clone());
                for i in 1..=messages {
                    let message = format!(
                        "From: probe@localhost\r\nSubject: resync-check {i}\r\n\r\nmessage {i}\r\n"
                    );
                    session.append(&name, &message)?;
                }
                return Ok(name);
            }
            answers.push(format!("`{}`", reply.tagged.text));
        }
        Err(format!(
            "cannot create a mailbox `{base}` (nor under INBOX): {}",
            answers.join(", ")
        ))
    }

    /// `SELECT mailbox` (QRESYNC is enabled, so CONDSTORE is on: RFC 7162 section 3.2.3).
    pub fn select(&self, session: &mut Session, mailbox: &str) -> Result<Selected, String> {
        self.select_with(session, mailbox, "")
    }

    /// `SELECT mailbox <parameters>`, which must succeed and report UIDVALIDITY and
    /// HIGHESTMODSEQ.
    pub fn select_with(
        &self,
        session: &mut Session,
        mailbox: &str,
        parameters: &str,
    ) -> Result<Selected, String> {
        let command = format!("SELECT {}{parameters}", quoted(mailbox));
        let reply = session.run(&command)?;
        let uid_validity = reply
            .lines()
            .find_map(|l| l.uid_validity())
            .ok_or_else(|| format!("C{}: `{command}` reported no UIDVALIDITY", session.number))?;
        let highest_modseq = reply
            .lines()
            .find_map(|l| l.highest_modseq())
            .ok_or_else(|| format!("C{}: `{command}` reported no HIGHESTMODSEQ", session.number))?;
        Ok(Selected {
            uid_validity,
            highest_modseq,
            reply,
        })
    }

    /// A note in the transcript.
    pub fn note(&self, text: &str) {
        self.transcript.borrow_mut().push(format!("-- {text}"));
    }

    /// Deletes the mailboxes this scenario created (unless `--keep`), on a fresh connection.
    fn clean_up(&mut self) {
        if self.created.is_empty() || self.probe.keep {
            return;
        }
        match self.open() {
            Ok(mut session) => {
                for name in std::mem::take(&mut self.created) {
                    if let Ok(reply) = session.try_run(&format!("DELETE {}", quoted(&name))) {
                        if !reply.ok() {
                            self.note(&format!(
                                "could not delete `{name}`: `{}`",
                                reply.tagged.text
                            ));
                        }
                    }
                }
                session.logout();
            }
            Err(e) => self.note(&format!("could not delete the mailbox: {e}")),
        }
    }
}

/// Every server line of `reply`, verbatim, as session `n`'s transcript shows it.
pub fn evidence(n: usize, reply: &Reply) -> Vec<String> {
    reply.lines().map(|l| format!("S{n}: {}", l.text)).collect()
}

/// The highest MODSEQ among `reply`'s FETCH lines.
pub fn modseq_max(reply: &Reply) -> Option<u64> {
    reply.lines().filter_map(|l| l.fetch()?.modseq).max()
}

/// The UIDs of `reply`'s VANISHED lines (with or without EARLIER).
pub fn vanished(reply: &Reply) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for line in reply.lines() {
        if let Some(v) = line.vanished() {
            out.extend(v?.1);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The tagged line's `[HIGHESTMODSEQ n]`.
pub fn tagged_hms(reply: &Reply) -> Option<u64> {
    reply.tagged.highest_modseq()
}

/// The UID and MODSEQ of the FETCH for `uid` in `reply`.
pub fn fetch_modseq(reply: &Reply, uid: u32) -> Option<u64> {
    reply
        .lines()
        .filter_map(|l| l.fetch())
        .filter(|f| f.uid == Some(uid))
        .find_map(|f| f.modseq)
}
