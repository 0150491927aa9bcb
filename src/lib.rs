//! resync-check: a model checker for IMAP mailbox resynchronization (CONDSTORE and QRESYNC,
//! RFC 4551, RFC 5162, RFC 7162).
//!
//! The protocol logic (`imap`, `server`, `client`, `system`, `properties`) knows nothing of
//! stateright; `model` wires it to the checker and `check` runs it.

pub mod bench;
pub mod check;
pub mod checkpoint;
pub mod cli;
pub mod client;
pub mod clients;
pub mod copy;
pub mod distinct;
pub mod explore;
pub mod fingerprint;
pub mod hashed;
pub mod imap;
pub mod json;
pub mod limits;
pub mod matrix;
pub mod model;
pub mod model_file;
pub mod output;
pub mod probe;
pub mod properties;
pub mod reduce;
pub mod report;
pub mod search;
pub mod serve;
pub mod server;
pub mod setup;
pub mod shared;
pub mod shell;
pub mod simulate;
pub mod spec;
pub mod step;
pub mod system;
pub mod trace;
