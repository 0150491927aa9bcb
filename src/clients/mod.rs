//! Real clients put through `serve`: each run starts the model's server as a `serve`
//! process on a loopback port, runs the client against it, and compares what the client
//! ended with to the model's mailbox. I/O lives here (processes, files); what is served is
//! `serve/`'s.

pub mod blame;
pub mod interimap;
pub mod mailbox;
pub mod resync_point;
