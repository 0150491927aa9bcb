//! The served model: its state, the real client's place in it (C1), and the step that runs
//! one of C1's commands as the model's, answering as the chooser picks. The front
//! (`front.rs`) reads the client's commands and hands them to the handlers (`select.rs`,
//! `store.rs`, `data.rs`, `list.rs`), which all work on this.

use super::chooser::{Choice, Chooser};
use super::transcript;
use crate::imap::command::Command;
use crate::imap::response::Lines;
use crate::imap::types::{ClientId, Tag};
use crate::imap::wire;
use crate::server::{GoneStore, SelectReply};
use crate::system::{Config, System};

/// The real client's place in the model.
pub const REAL: ClientId = ClientId(0);

/// How much the chooser may do around the real client's commands.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Connections the server may drop, each between two lines of an answer.
    pub drops: u32,
    /// The most steps the other clients and the other agent take before one command.
    pub steps_between: u32,
    /// Connections after which the run is quiet: no other steps, no drops, and every answer
    /// sends all the server holds back (the final sync a client check judges after).
    pub quiet_after: Option<u32>,
}

pub(super) struct Connection {
    pub(super) authenticated: bool,
    /// A CONDSTORE enabling command came (RFC 7162 section 3.1): ENABLE CONDSTORE or
    /// QRESYNC, or SELECT (CONDSTORE).
    pub(super) condstore: bool,
    /// The tag of the active IDLE.
    pub(super) idle: Option<String>,
}

pub struct Front {
    pub(super) config: Config,
    pub(super) system: System,
    pub(super) chooser: Chooser,
    pub(super) options: Options,
    pub(super) drops_left: u32,
    pub(super) connection: Option<Connection>,
    pub(super) log: Vec<String>,
    /// Connections of the real client so far.
    pub(super) connections: u32,
    /// The leading lines of the answer being built that are logged already (IDLE's `+`,
    /// logged before what the server pushes after it).
    pub(super) logged_ahead: usize,
}

impl Front {
    /// The model's initial state, with C1's connection closed until the real client comes.
    pub fn new(config: Config, chooser: Chooser, options: Options) -> Front {
        let mut system = System::initial(&config);
        system.client_mut(REAL).drop_connection();
        system.server_mut().disconnect(REAL);
        Front {
            config,
            system,
            chooser,
            drops_left: options.drops,
            options,
            connection: None,
            log: Vec::new(),
            connections: 0,
            logged_ahead: 0,
        }
    }

    /// The choices made so far: the script that replays this run.
    pub fn choices(&self) -> &[Choice] {
        &self.chooser.made
    }

    /// The transcript lines since the last call.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// Past `quiet_after` connections: no other steps, no drops, everything sent.
    pub(super) fn quiet(&self) -> bool {
        self.options
            .quiet_after
            .is_some_and(|n| self.connections > n)
    }

    /// Runs one model command for C1, answering as the chooser picks among the answers
    /// the spec allows.
    pub(super) fn run(&mut self, command: &Command) -> Result<Lines, String> {
        let spec = self.config.spec;
        let replies = self.system.server.replies(REAL, command, &spec);
        let sent = wire::command(Tag(0), command);
        let what = format!("answer to {}", sent.trim_start_matches("a0 "));
        let reply = if self.quiet() {
            // Everything held back, the default answers otherwise, no optional code.
            let most = replies.iter().copied().max_by_key(|r| {
                let plain = r.select == SelectReply::default() && r.gone == GoneStore::NewModseq;
                (r.flush.parts(), plain, !r.code)
            });
            most.expect("at least one answer")
        } else {
            replies[self.chooser.pick(&what, replies.len())?]
        };
        if replies.len() > 1 {
            self.log.push(format!(
                "-- the server's choice: {}",
                transcript::describe(reply)
            ));
        }
        let server = self.system.server_mut();
        Ok(server.execute(REAL, Tag(0), command, reply, &spec))
    }
}
