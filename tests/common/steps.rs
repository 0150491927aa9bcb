//! The steps the pitfall tests write by hand: the two clients and the commands they issue.

use resync_check::client::Request;
use resync_check::imap::command::{StoreOp, Target};
use resync_check::imap::types::{ClientId, Flag};
use resync_check::properties::property;
use resync_check::server::Reply;
use resync_check::system::{Action, Config};
use resync_check::trace::text::transcript;

pub const C1: ClientId = ClientId(0);
pub const C2: ClientId = ClientId(1);

/// `client` issues `request`, the server answering with its default reply.
pub fn issue(client: ClientId, request: Request) -> Action {
    Action::Issue {
        client,
        request,
        reply: Reply::default(),
    }
}

/// `STORE seq +FLAGS.SILENT (\Deleted)`.
pub fn deleted(seq: u32) -> Request {
    Request::Store {
        target: Target::Seq(seq),
        op: StoreOp::Add,
        flag: Flag::Deleted,
    }
}

/// The wire lines of `actions` under `config`, as the transcript for property `name` shows
/// them, without the `--` notes.
pub fn wire_lines(config: &Config, name: &str, actions: &[Action]) -> Vec<String> {
    let text = transcript(config, property(name).unwrap(), actions).text;
    wire_lines_of(&text)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// The wire lines of a transcript's `text`, without the `--` notes.
pub fn wire_lines_of(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with("--")).collect()
}
