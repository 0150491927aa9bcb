//! The probe against scripted servers (`common::fake_imap`): recorded transcripts of Dovecot
//! and Cyrus, recorded live replays, scenarios that cannot be exercised, IDLE and hostile
//! servers. One test binary: `cargo test --release --test probe` (the live servers:
//! tests/probe_live.rs, ignored).

#[path = "../common/mod.rs"]
mod common;

mod hostile;
mod idle;
mod live_recorded;
mod not_exercised;
mod recorded;
