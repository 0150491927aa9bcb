//! The whole system, one server mailbox and N client replicas, with its actions and their
//! effects. The checker, the shortest-path search and the trace renderer all step it through
//! here. Free of stateright.

use std::hash::{Hash, Hasher};

use crate::client::{Client, Connection, Request};
use crate::fingerprint;
use crate::imap::response::{Lines, Response};
use crate::imap::types::{ClientId, ModSeq, Uid};
use crate::server::{ExpungeCause, Flush, Reply, Server};
use crate::shared::Shared;
use crate::spec::Spec;

/// The bounds and the spec text: everything that defines a model apart from its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    pub clients: u8,
    pub messages: u32,
    /// Commands each client may issue, reconnects included.
    pub commands: u8,
    /// Messages another agent may append during the run.
    pub arrivals: u8,
    /// Messages it appended that the other agent may move away again (at most `arrivals`).
    pub removals: u8,
    pub spec: Spec,
}

/// One step. A command is sent and executed by the server in the same step: nothing can
/// observe the moment between the two, and a drop before execution is the same as a drop
/// before sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// The client sends a command; the server executes it and queues the response lines,
    /// answering where the spec leaves it a choice as `reply` says.
    Issue {
        client: ClientId,
        request: Request,
        reply: Reply,
    },
    /// The client reads the next queued line.
    Read { client: ClientId },
    /// The client's connection drops.
    Drop { client: ClientId },
    /// Another agent appends a message to the mailbox.
    Arrive,
    /// The other agent moves away a message it appended.
    Remove { uid: Uid },
    /// The server assigns the UIDs again under a greater UIDVALIDITY
    /// (`uidvalidity-change=renumber`; see `Server::renumber`).
    Renumber,
    /// The server lets its expunge records expire (`expunge-history=truncated|under-report`;
    /// see `Server::forget`).
    Forget,
    /// The server restarts and loses its mod-sequences (`modseq-restart=lost`; see
    /// `Server::restart`).
    Restart,
    /// The server pushes held-back changes to an idling client (`idle-push=push`; see
    /// `server/idle.rs`), sending what `reply` says; the lines join that client's queue.
    Push { client: ClientId, reply: Reply },
}

/// The replicas of a state, inline up to three clients: every successor copies this list (a
/// step shares the replicas it does not write), and inline it copies without allocating.
pub type Replicas = smallvec::SmallVec<[Shared<Client>; 3]>;

/// A drop's client, the server before it and the server after it (`System::dropped`).
pub type KeptDrop = (ClientId, Shared<Server>, Shared<Server>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct System {
    /// Shared until written (`server_mut`), as the replicas are: a read changes only its
    /// client's replica, and reads are most steps of the line-by-line model.
    pub server: Shared<Server>,
    /// Shared until written (`client_mut`): a step changes one client's replica, or none, so a
    /// successor copies at most that one where it copied them all (issue #11 item 4). `Shared`
    /// compares and orders by the replica and hashes as its fingerprint (shared.rs), so nothing
    /// else sees the sharing.
    pub clients: Replicas,
}

/// Writes the state's fingerprint only: every checker hashes one `u64` (fingerprint.rs).
impl Hash for System {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_u64(self.fingerprint());
    }
}

impl System {
    /// The stable 64-bit fingerprint the searches dedupe on (fingerprint.rs).
    pub fn fingerprint(&self) -> u64 {
        fingerprint::of(&(&self.server, &self.clients))
    }

    /// The erratum's starting point: every client selected and synchronized.
    pub fn initial(config: &Config) -> System {
        let mut server = Server::new(config.messages, config.clients as usize);
        if config.spec.client_sync.condstore_only() {
            // Selected with `SELECT INBOX (CONDSTORE)`: no QRESYNC in any session.
            for session in server.sessions.iter_mut().flatten() {
                session.qresync = false;
            }
        }
        System {
            server: Shared::new(server),
            clients: (0..config.clients)
                .map(|_| Shared::new(Client::new(config.messages)))
                .collect(),
        }
    }

    /// `client`'s replica, to change: copied first if another state shares it.
    pub fn client_mut(&mut self, client: ClientId) -> &mut Client {
        self.clients[client.index()].make_mut()
    }

    /// The server, to change: copied first if another state shares it.
    pub fn server_mut(&mut self) -> &mut Server {
        self.server.make_mut()
    }

    /// This state after `Action::Drop { client }`: what a clone and `apply` give, without
    /// copying the connection and session the drop ends only to throw them away. The search
    /// tries a drop after every prefix of every response it reads (reduce/space.rs); this way
    /// it ran 1.05 to 1.1x faster at 3 clients x 2 commands. Line-by-line drops come here
    /// too, `kept` per client and thread (reduce/space.rs, `dropped`).
    ///
    /// `kept` carries the server of the last drop made this way: where this state's server
    /// is the copy that one was made from, and the client the same, its server is reused,
    /// as the server after a drop depends only on the server before it and on the client.
    /// (`kept` holds that copy, so it is neither written in place, `Shared::make_mut` copies
    /// a shared value first, nor freed and its address reused: one copy, one content.)
    /// A read writes only its client's replica (`apply`), so every prefix of one response
    /// has one server, disconnected and hashed once per response rather than once per
    /// prefix (at 2 clients x 2 messages x 3 commands, 4,124,591 of the 7,780,313 drops
    /// tried before the search skipped the drops that retire their client again).
    pub fn dropped(&self, client: ClientId, kept: &mut Option<KeptDrop>) -> System {
        let server = match kept {
            Some((of, before, after)) if *of == client && before.same_copy(&self.server) => {
                after.clone()
            }
            _ => {
                let after = Shared::new(self.server.disconnected(client));
                *kept = Some((client, self.server.clone(), after.clone()));
                after
            }
        };
        let mut clients = self.clients.clone();
        clients[client.index()] = Shared::new(self.clients[client.index()].disconnected());
        System { server, clients }
    }

    /// Messages appended so far by the other agent.
    pub fn arrived(&self, config: &Config) -> u32 {
        self.server.mailbox.uid_next.0 - 1 - config.messages
    }

    /// Messages the other agent has moved away so far.
    pub fn removed(&self) -> usize {
        let log = self.server.mailbox.expunged.values();
        log.filter(|e| e.cause == ExpungeCause::Move).count()
    }

    /// Every enabled action, in a fixed order: client by client, read first, then each
    /// command with each of the server's choices, then a drop; then the other agent: an
    /// arrival, then the removal of each message it appended; last, the server's
    /// renumbering, its forgetting of expunge history, its restart and its pushes to idling
    /// clients, client by client.
    pub fn actions(&self, config: &Config, actions: &mut Vec<Action>) {
        for (i, client) in self.clients.iter().enumerate() {
            let id = ClientId(i as u8);
            // DONE ends a command already counted: an idling client may send it whatever
            // its budget.
            // So may a CONDSTORE-only client the rest of its resync, which its reconnect
            // counted (`client/condstore.rs`).
            let may_send =
                client.commands_issued < config.commands || client.is_idling() || client.syncing();
            let Some(connection) = &client.connection else {
                if client.commands_issued < config.commands {
                    for request in client.requests(&config.spec) {
                        self.push_issues(config, id, request, actions);
                    }
                }
                continue;
            };
            if !connection.queue.is_empty() {
                actions.push(Action::Read { client: id });
            }
            if may_send {
                for request in client.requests(&config.spec) {
                    self.push_issues(config, id, request, actions);
                }
            }
            actions.push(Action::Drop { client: id });
        }
        if self.arrived(config) < u32::from(config.arrivals) {
            actions.push(Action::Arrive);
        }
        // Scans the expunge log: only when removals are allowed at all (actions is hot).
        if config.removals > 0 && self.removed() < usize::from(config.removals) {
            for uid in self.server.removable(config.messages) {
                actions.push(Action::Remove { uid });
            }
        }
        // Not with the other agent, whose bounds count UIDs above the initial messages.
        if config.arrivals == 0 && self.server.may_renumber(&config.spec) {
            actions.push(Action::Renumber);
        }
        if self.server.may_forget(&config.spec) {
            actions.push(Action::Forget);
        }
        if self.server.may_restart(&config.spec) {
            actions.push(Action::Restart);
        }
        if config.spec.pushes() {
            for i in 0..self.clients.len() {
                let client = ClientId(i as u8);
                for reply in self.server.push_replies(client, &config.spec) {
                    actions.push(Action::Push { client, reply });
                }
            }
        }
    }

    /// One action per answer the server may give to `request`.
    fn push_issues(
        &self,
        config: &Config,
        client: ClientId,
        request: Request,
        actions: &mut Vec<Action>,
    ) {
        let replica = &self.clients[client.index()];
        let commands = replica.commands(request, &config.spec);
        let (_, last) = commands.last().expect("a request sends a command");
        // With a STORE in flight (`client-pipelining=on`), each answer may also be given
        // interleaved with its (`server/pipeline.rs`).
        let first = replica.first_store_in_flight(&config.spec);
        for reply in self.server.replies(client, last, &config.spec) {
            actions.push(Action::Issue {
                client,
                request,
                reply,
            });
            if first.is_some_and(|f| {
                self.server
                    .may_interleave(client, f, last, reply, &config.spec)
            }) {
                let reply = Reply {
                    interleave: true,
                    ..reply
                };
                actions.push(Action::Issue {
                    client,
                    request,
                    reply,
                });
            }
        }
    }

    /// Applies one action. Every action `actions` offers is applicable.
    pub fn apply(&mut self, config: &Config, action: Action) {
        match action {
            Action::Issue {
                client,
                request,
                reply,
            } => {
                let replica = self.clients[client.index()].make_mut();
                let first = replica.first_store_in_flight(&config.spec);
                let commands = replica.commands(request, &config.spec);
                if replica.connection.is_none() {
                    self.server.make_mut().connect(client);
                }
                replica.issue(&commands, &config.spec);
                let mut lines = Lines::new();
                let last = commands.len() - 1;
                for (i, (tag, command)) in commands.iter().enumerate() {
                    // Only the last command of a pipelined pair has choices that matter;
                    // ENABLE has nothing to flush.
                    let reply = if i == last {
                        reply
                    } else {
                        Reply::flushing(Flush::NOTHING)
                    };
                    lines.extend(self.server_mut().execute(
                        client,
                        *tag,
                        command,
                        reply,
                        &config.spec,
                    ));
                }
                let replica = self.clients[client.index()].make_mut();
                let connection = replica
                    .connection
                    .as_mut()
                    .expect("issue opens a connection");
                let unread = connection.queue.len();
                // The first line whose window (the lines since the tagged line before it)
                // this step changed: the first new line, or the first command's tagged line,
                // which an interleaved answer moves behind the second's untagged lines.
                let changed = match first.filter(|_| reply.interleave) {
                    Some(first) => {
                        let queue = &mut connection.queue;
                        let server = self.server.make_mut();
                        server.interleave(client, first, queue, lines, &config.spec);
                        unread - 1
                    }
                    None => {
                        connection.queue.extend(lines);
                        unread
                    }
                };
                let safe = self.server.safe_highest_modseq(client);
                let uncovered = computed_without_code(connection, changed).find(|m| *m > safe);
                if let Some(computed) = uncovered {
                    self.server_mut().watch_computed(client, computed, safe);
                }
            }
            Action::Read { client } => {
                self.client_mut(client).read(&config.spec);
            }
            Action::Drop { client } => {
                self.client_mut(client).drop_connection();
                self.server_mut().disconnect(client);
            }
            Action::Arrive => {
                self.server_mut().append(&config.spec);
            }
            Action::Remove { uid } => self.server_mut().remove(uid, &config.spec),
            Action::Renumber => self.server_mut().renumber(),
            Action::Forget => self.server_mut().forget(),
            Action::Restart => self.server_mut().restart(),
            Action::Push { client, reply } => {
                let lines = self.server_mut().push(client, reply, &config.spec);
                let connection = self
                    .client_mut(client)
                    .connection
                    .as_mut()
                    .expect("the server pushes only to a connected, idling client");
                connection.queue.extend(lines);
            }
        }
    }
}

/// The values a client following RFC 7162 section 6 computes at the tagged lines of its queue
/// from index `changed` on where no HIGHESTMODSEQ code came since the previous tagged line
/// ("Otherwise, the client calculates the highest value among all MODSEQ FETCH data items
/// received since the last tagged response"): for each, the highest MODSEQ since then. The
/// window of the first tagged line still queued began with lines already read, which the
/// connection keeps (`hms_code`, `modseq_max`: a client reads and sums every line in order,
/// so the value does not depend on how many it has read). A window with a code computes the
/// code, which `announced-highestmodseq-covered` judges.
fn computed_without_code(
    connection: &Connection,
    changed: usize,
) -> impl Iterator<Item = ModSeq> + '_ {
    // The window so far: whether a code came, and the highest MODSEQ.
    let start = (connection.hms_code.is_some(), connection.modseq_max);
    let lines = connection.queue.iter().enumerate();
    lines
        .scan(start, move |(code, modseq_max), (i, line)| {
            *code |= line.highest_modseq_code().is_some();
            if let Response::Fetch { modseq, .. } = line {
                *modseq_max = (*modseq_max).max(Some(*modseq));
            }
            let Response::Tagged { .. } = line else {
                return Some(None);
            };
            let computed = modseq_max.filter(|_| i >= changed && !*code);
            (*code, *modseq_max) = (false, None);
            Some(computed)
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::response::{Code, Status};
    use crate::imap::types::Tag;

    fn fetch(modseq: u64) -> Response {
        Response::Fetch {
            seq: 1,
            uid: Uid(1),
            modseq: ModSeq(modseq),
            flags: None,
        }
    }

    fn tagged(tag: u16, code: Option<u64>) -> Response {
        Response::Tagged {
            tag: Tag(tag),
            status: Status::Ok,
            code: code.map(|m| Code::HighestModSeq(ModSeq(m))),
            text: "done",
        }
    }

    fn connection(lines: Vec<Response>) -> Connection {
        let mut connection = Client::new(2).connection.expect("starts connected");
        connection.queue.extend(lines);
        connection
    }

    #[test]
    fn each_tagged_line_without_a_code_computes_the_highest_modseq_of_its_window() {
        // a1's window holds MODSEQs 2 and 5 (an interleaved FETCH), a2's only 3.
        let lines = vec![
            fetch(2),
            fetch(5),
            tagged(1, None),
            fetch(3),
            tagged(2, None),
        ];
        let all = computed_without_code(&connection(lines.clone()), 0).collect::<Vec<_>>();
        assert_eq!(all, vec![ModSeq(5), ModSeq(3)]);
        // Only tagged lines at or after the first changed line are judged again.
        assert_eq!(
            computed_without_code(&connection(lines), 3).collect::<Vec<_>>(),
            vec![ModSeq(3)]
        );
    }

    #[test]
    fn a_code_in_the_window_or_none_read_leaves_nothing_to_judge() {
        // An untagged code, or the tagged line's own, is what the client uses: judged by
        // `announced-highestmodseq-covered`, not here.
        let untagged = vec![
            fetch(4),
            Response::HighestModSeq(ModSeq(2)),
            tagged(1, None),
        ];
        assert!(
            computed_without_code(&connection(untagged), 0)
                .next()
                .is_none()
        );
        let own = vec![fetch(4), tagged(1, Some(2))];
        assert!(computed_without_code(&connection(own), 0).next().is_none());
        // A tagged line after no MODSEQ computes nothing: the client keeps its value.
        assert!(
            computed_without_code(&connection(vec![tagged(1, None)]), 0)
                .next()
                .is_none()
        );
    }

    #[test]
    fn lines_read_since_the_last_tagged_response_belong_to_the_window() {
        // An IDLE push the client has read (MODSEQ 6), then DONE's tagged OK.
        let mut read = connection(vec![tagged(3, None)]);
        read.modseq_max = Some(ModSeq(6));
        assert_eq!(
            computed_without_code(&read, 0).collect::<Vec<_>>(),
            vec![ModSeq(6)]
        );
        read.hms_code = Some(ModSeq(2));
        assert!(computed_without_code(&read, 0).next().is_none());
    }
}
