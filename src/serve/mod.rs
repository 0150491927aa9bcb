//! `serve`: the model's own server behind a real IMAP front end, so a real client meets
//! every choice the text leaves a server. The real client is C1; the model's other clients
//! (C2, ...) and its other agent act on the mailbox between C1's commands. Every choice
//! (the server's answer where the spec leaves one, the other clients' steps, a dropped
//! connection) comes from a [`Chooser`]: seeded, or a saved script, so any run is
//! reproduced exactly.
//!
//! - `chooser`: the seeded or scripted choices, recorded as a script;
//! - `served`: the served model, C1's place in it, and the step that runs C1's command;
//! - `front`: one connection's commands, parsed with imap-codec, run on the model;
//! - `list`: LIST, with the RETURN options imap-codec does not parse;
//! - `select`: SELECT, as the model's QRESYNC SELECT or `SELECT (CONDSTORE)`;
//! - `store`: STORE, as the model's one-message, one-flag STOREs;
//! - `data`: what the front end answers from the model's mailbox itself (bodies, STATUS);
//! - `transcript`: the run written down as the checker's traces show one.
//!
//! Free of I/O: the transport (stdio or TCP) is `cli/serve.rs`'s.

mod chooser;
mod data;
mod front;
mod list;
mod select;
mod served;
mod store;
mod transcript;

pub use chooser::{Choice, Chooser, Script};
pub use front::Answer;
pub use served::{Front, Options};
