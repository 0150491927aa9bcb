//! `resync-check probe`: runs small conformance scenarios against a real IMAP server over
//! several connections, reads every line with imap-codec into the model's responses, and
//! turns what the server did into the model's clause values. No stateright in here except
//! through the `check` the CLI runs on the result.

pub mod conn;
pub mod live;
pub mod parse;
pub mod refine;
pub mod report;
pub mod scenarios;
pub mod session;
