//! The IMAP vocabulary of the model: values, commands, responses and their wire text.
//! Nothing in here knows about stateright.

pub mod command;
pub mod queue;
pub mod response;
pub mod types;
pub mod uids;
pub mod wire;
