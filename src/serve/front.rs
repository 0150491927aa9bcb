//! One served mailbox across the real client's connections. Each command the client sends
//! is decoded with imap-codec, then run on the model's `Server` as the model's own commands
//! where it has them (ENABLE QRESYNC, SELECT with QRESYNC or CONDSTORE, UID FETCH with
//! CHANGEDSINCE and VANISHED or of `n:*`, STORE, EXPUNGE, UID EXPUNGE, CLOSE, NOOP, IDLE),
//! or answered from the model's mailbox (`data.rs`) where the answer changes nothing the
//! model tracks (a FETCH of bodies, STATUS, LIST). Anything else is BAD, never a panic.
//!
//! Before each command the model's other clients and its other agent take up to
//! `steps_between` steps; while C1 idles the server may also push to it. The choices are the
//! chooser's (`chooser.rs`), and the transcript is kept as the checker's traces show one.

use imap_codec::CommandCodec;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::command::CommandBody;
use imap_codec::imap_types::extensions::enable::CapabilityEnable;

use super::data;
use super::list::{self, Return};
use super::served::{Connection, Front, REAL};
use super::transcript::{self, render};
use crate::imap::command::Command;
use crate::spec::{ClientIdle, Spec};
use crate::system::Action;
use crate::trace;

/// What is served: IMAP4rev1 (RFC 3501), ENABLE (RFC 5161), CONDSTORE and QRESYNC (RFC
/// 7162), IDLE (RFC 2177), UIDPLUS for UID EXPUNGE (RFC 4315), LIST's RETURN (SUBSCRIBED
/// CHILDREN STATUS (...)) of LIST-EXTENDED and LIST-STATUS (RFC 5258, RFC 5819).
pub const CAPABILITIES: &str =
    "IMAP4rev1 ENABLE CONDSTORE QRESYNC IDLE UIDPLUS LIST-EXTENDED LIST-STATUS";

/// What to send for one command, and whether the connection ends after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub lines: Vec<String>,
    pub close: bool,
}

impl Front {
    /// A new connection of the real client, and its greeting: PREAUTH (stdio, where the
    /// process is the session) or OK, which asks for LOGIN (RFC 3501 section 7.1.4, 7.1.1).
    pub fn greet(&mut self, preauth: bool) -> String {
        self.hang_up();
        self.system.server_mut().connect(REAL);
        self.connection = Some(Connection {
            authenticated: preauth,
            condstore: false,
            idle: None,
        });
        self.connections += 1;
        if self.quiet() {
            self.log.push(
                "-- quiet from here: no other steps, no drops, every answer sends all that is \
                 held back"
                    .into(),
            );
        }
        let kind = if preauth { "PREAUTH" } else { "OK" };
        let line = format!("* {kind} [CAPABILITY {CAPABILITIES}] resync-check serve ready");
        self.log.push("-- C1 connects".into());
        self.log.push(format!("S1: {line}"));
        line
    }

    /// The real client's connection is gone: so is its session and all it held back.
    pub fn hang_up(&mut self) {
        if self.connection.take().is_some() {
            self.system.server_mut().disconnect(REAL);
            self.log.push("-- C1's connection is closed".into());
            self.log.push(format!("-- the mailbox: {}", self.mailbox()));
        }
    }

    /// The model's mailbox as a client's cache should end up: UIDVALIDITY, then each
    /// message's UID and flags, `UIDVALIDITY 1: 1 (\Seen), 2 ()`.
    pub fn mailbox(&self) -> String {
        let mailbox = &self.system.server.mailbox;
        let messages: Vec<String> = mailbox
            .messages
            .iter()
            .map(|(uid, m)| format!("{uid} {}", m.flags))
            .collect();
        format!(
            "UIDVALIDITY {}: {}",
            mailbox.uid_validity,
            messages.join(", ")
        )
    }

    /// Answers one complete command (its bytes up to and with the final CRLF, literals
    /// included). An error is the run's, not the client's: a script that does not fit.
    pub fn command(&mut self, bytes: &[u8]) -> Result<Answer, String> {
        let shown = String::from_utf8_lossy(bytes);
        let mut words = shown.split(' ');
        let logged = match (words.next(), words.next()) {
            // A real client's password stays out of the transcript.
            (Some(tag), Some(login)) if login.eq_ignore_ascii_case("LOGIN") => {
                format!("{tag} LOGIN [redacted]")
            }
            _ => shown.trim_end_matches(['\r', '\n']).to_string(),
        };
        self.log.push(format!("C1: {logged}"));
        let Some(connection) = &mut self.connection else {
            return Err("a command on no connection".into());
        };
        let mut lines = Vec::new();
        let mut close = false;
        if let Some(tag) = connection.idle.take() {
            // RFC 9051 section 6.3.13: during IDLE the client sends only DONE.
            let done = shown
                .trim_end_matches(['\r', '\n'])
                .eq_ignore_ascii_case("DONE");
            let answer = self.run(&Command::Done)?;
            lines = render(&answer, &tag);
            if !done && let Some(last) = lines.last_mut() {
                *last = format!("{tag} BAD expected DONE, which ends IDLE");
            }
        } else {
            // LIST with RETURN options, which imap-codec does not parse (`list.rs`).
            let (plain, options) = match list::split_return(&shown) {
                Some(Ok((plain, options))) => (plain.into_bytes(), options),
                Some(Err(why)) => (Vec::new(), Return::bad(why)),
                None => (bytes.to_vec(), Return::default()),
            };
            match CommandCodec::default().decode(&plain) {
                Ok(([], command)) => {
                    lines = self.others()?;
                    self.logged_ahead = lines.len();
                    let tag = command.tag.inner().to_string();
                    close = matches!(command.body, CommandBody::Logout);
                    lines.extend(self.dispatch(&tag, command.body, &options)?);
                }
                _ => {
                    let why = options.bad.as_deref().unwrap_or("unreadable command");
                    lines.push(format!("{} BAD {why}", guess_tag(&shown)));
                }
            }
        }
        let logged = self.logged_ahead.min(lines.len());
        let may_drop = !close && self.drops_left > 0 && !self.quiet();
        if may_drop && self.chooser.pick("drop the connection", 2)? == 1 {
            // Between two lines not yet sent: what is logged went out already.
            let options = lines.len() - logged + 1;
            let kept = logged + self.chooser.pick("lines sent before the drop", options)?;
            lines.truncate(kept);
            self.drops_left -= 1;
            close = true;
            self.log_lines(&lines[logged..]);
            self.log.push(format!(
                "-- the server drops C1's connection after {kept} line(s)"
            ));
        } else {
            self.log_lines(&lines[logged..]);
        }
        self.logged_ahead = 0;
        if close {
            self.hang_up();
        }
        Ok(Answer { lines, close })
    }

    fn log_lines(&mut self, lines: &[String]) {
        for line in lines {
            self.log.push(format!("S1: {line}"));
        }
    }

    pub(super) fn connection(&mut self) -> &mut Connection {
        self.connection
            .as_mut()
            .expect("commands come on a connection")
    }

    fn dispatch(
        &mut self,
        tag: &str,
        body: CommandBody,
        options: &Return,
    ) -> Result<Vec<String>, String> {
        let ok = |text: &str| vec![format!("{tag} OK {text}")];
        let bad = |text: &str| vec![format!("{tag} BAD {text}")];
        let authenticated = self.connection().authenticated;
        let selected = self.system.server.session(REAL).is_some_and(|s| s.selected);
        Ok(match body {
            CommandBody::Capability => {
                let mut lines = vec![format!("* CAPABILITY {CAPABILITIES}")];
                lines.extend(ok("CAPABILITY completed"));
                lines
            }
            CommandBody::Logout => {
                let mut lines = vec!["* BYE resync-check serve logging out".to_string()];
                lines.extend(ok("LOGOUT completed"));
                lines
            }
            CommandBody::Noop | CommandBody::Check if selected => {
                render(&self.run(&Command::Noop)?, tag)
            }
            CommandBody::Noop => ok("NOOP completed"),
            // Loopback only: any user and password will do.
            CommandBody::Login { .. } if !authenticated => {
                self.connection().authenticated = true;
                ok("LOGIN completed")
            }
            CommandBody::Login { .. } => bad("already authenticated"),
            _ if !authenticated => bad("LOGIN first"),
            CommandBody::Enable { capabilities } => {
                let mut names = capabilities.as_ref().iter().map(|c| match c {
                    CapabilityEnable::CondStore => "CONDSTORE".to_string(),
                    other => other.to_string().to_ascii_uppercase(),
                });
                let (qresync, condstore) = names.by_ref().fold((false, false), |(q, c), n| {
                    (q || n == "QRESYNC", c || n == "CONDSTORE")
                });
                self.connection().condstore |= qresync || condstore;
                if qresync {
                    render(&self.run(&Command::EnableQresync)?, tag)
                } else if condstore {
                    let mut lines = vec!["* ENABLED CONDSTORE".to_string()];
                    lines.extend(ok("ENABLE completed"));
                    lines
                } else {
                    let mut lines = vec!["* ENABLED".to_string()];
                    lines.extend(ok("ENABLE completed"));
                    lines
                }
            }
            CommandBody::Select {
                mailbox,
                parameters,
            } => self.select(tag, &mailbox, &parameters)?,
            CommandBody::Examine { .. } => {
                bad("EXAMINE is not served: the model's sessions are read-write")
            }
            CommandBody::List {
                mailbox_wildcard, ..
            } => list::list(self, tag, &mailbox_wildcard, options),
            CommandBody::Status {
                mailbox,
                item_names,
            } => data::status(self, tag, &mailbox, &item_names),
            CommandBody::Fetch {
                sequence_set,
                macro_or_item_names,
                uid,
                modifiers,
            } => data::fetch(
                self,
                tag,
                &sequence_set,
                &macro_or_item_names,
                uid,
                &modifiers,
            )?,
            CommandBody::Store {
                sequence_set,
                kind,
                response,
                flags,
                uid,
                modifiers,
            } => super::store::store(
                self,
                tag,
                super::store::Store {
                    set: &sequence_set,
                    kind,
                    response,
                    flags: &flags,
                    uid,
                    modifiers: &modifiers,
                },
            )?,
            CommandBody::Expunge => render(&self.run(&Command::Expunge)?, tag),
            CommandBody::ExpungeUid { sequence_set } => {
                let uids = data::uids(self, &sequence_set);
                render(&self.run(&Command::UidExpunge(uids))?, tag)
            }
            CommandBody::Close => render(&self.run(&Command::Close)?, tag),
            CommandBody::Idle if selected => {
                let mut lines = render(&self.run(&Command::Idle)?, tag);
                self.connection().idle = Some(tag.to_string());
                self.log_lines(&lines);
                // What the server pushes while C1 idles (`idle-push`), with the other
                // clients' steps that give it something to push; logged as they come.
                lines.extend(self.others()?);
                self.logged_ahead += lines.len();
                lines
            }
            other => bad(&format!("{} is not served", other.name())),
        })
    }

    /// Up to `steps_between` steps of the model's other clients and other agent, and, while
    /// C1 idles, the server's pushes to it: the pushed lines.
    fn others(&mut self) -> Result<Vec<String>, String> {
        let spec = self.config.spec;
        // The real client idles whatever `client-idle` says of the model's clients: the
        // server may push to it wherever `idle-push=push`.
        let push_spec = Spec {
            client_idle: ClientIdle::Idle,
            ..spec
        };
        let mut pushed = Vec::new();
        let steps = if self.quiet() {
            0
        } else {
            self.options.steps_between
        };
        for _ in 0..steps {
            let mut actions = Vec::new();
            self.system.actions(&self.config, &mut actions);
            actions.retain(|a| !concerns_real(a));
            let pushes = self.system.server.push_replies(REAL, &push_spec);
            let options = actions.len() + pushes.len();
            if options == 0 {
                break;
            }
            // A fair coin first, then one of the steps: uniform among "none" and k steps
            // would spend the other clients' budget in the first few commands.
            if self.chooser.pick("another step", 2)? == 0 {
                break;
            }
            let i = self.chooser.pick("other step", options)? + 1;
            if let Some(&action) = actions.get(i - 1) {
                let step = trace::step(&self.config, &mut self.system, action, false);
                self.log.extend(transcript::step_lines(&step));
            } else {
                let reply = pushes[i - 1 - actions.len()];
                let lines = self.system.server_mut().push(REAL, reply, &push_spec);
                self.log.push(format!(
                    "-- the server pushes to C1: {}",
                    transcript::describe(reply)
                ));
                let lines = render(&lines, "*");
                self.log_lines(&lines);
                pushed.extend(lines);
            }
        }
        Ok(pushed)
    }
}

/// Whether `action` is C1's: the real client takes its own steps.
fn concerns_real(action: &Action) -> bool {
    match *action {
        Action::Issue { client, .. }
        | Action::Read { client }
        | Action::Drop { client }
        | Action::Push { client, .. } => client == REAL,
        _ => false,
    }
}

/// The tag of a line imap-codec could not read, if it starts with one (RFC 3501 section
/// 9, `tag`); `*` otherwise (RFC 3501 section 7.1.3: an untagged BAD).
fn guess_tag(line: &str) -> String {
    let first = line.split([' ', '\r', '\n']).next().unwrap_or("");
    let is_tag = !first.is_empty()
        && first.len() <= 64
        && first
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\+]".contains(&b));
    if is_tag {
        first.to_string()
    } else {
        "*".into()
    }
}
