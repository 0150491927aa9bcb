//! The flags of the commands that meet real implementations and the browser: `probe` (a
//! real server), `serve` and `client` (a real client), `explore` (the Explorer). Here, with
//! the other commands' flags, so that the command files import their flags and nothing in
//! `args` imports a command file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{ModelArgs, whole};
use crate::explore::serve::DEFAULT_ADDRESS;

#[derive(clap::Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Open the Explorer at the last state of this trace (as `check --save` writes it), on
    /// the trace's model; no model file or model flags then.
    #[arg(long, value_name = "TRACE.json")]
    pub trace: Option<PathBuf>,
    /// Where to serve the page: IP:PORT (port 0 picks a free one). The page has no
    /// authentication: anything but the loopback gets a warning.
    #[arg(long, default_value = DEFAULT_ADDRESS)]
    pub address: String,
    /// Also open the page in the desktop's browser (xdg-open).
    #[arg(long)]
    pub open: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProbeFormat {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub struct ProbeArgs {
    /// The server, HOST:PORT.
    #[arg(long)]
    pub server: String,
    /// The user to log in as (every connection of the probe is this user).
    #[arg(long)]
    pub user: String,
    /// The environment variable that holds the password.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// The file whose first line is the password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// TLS from the first byte (port 993 style).
    #[arg(long, conflicts_with = "starttls")]
    pub tls: bool,
    /// STARTTLS after the greeting.
    #[arg(long)]
    pub starttls: bool,
    /// Accept any TLS certificate (a self-signed test server).
    #[arg(long)]
    pub insecure: bool,
    /// Run only the scenario of this clause (repeatable); all by default.
    #[arg(long = "clause", value_name = "NAME")]
    pub clauses: Vec<String>,
    /// Replay each of the model's counterexamples against the server.
    #[arg(long)]
    pub live: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ProbeFormat,
    /// Write the model check's counterexample traces, and with --live the live transcripts
    /// (named after the server and its version), to DIR.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Seconds to wait for any answer from the server.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Leave the mailboxes the probe created.
    #[arg(long)]
    pub keep: bool,
    /// Print the conformance table only, without the model check.
    #[arg(long)]
    pub no_check: bool,
}

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Serve one session on standard input and output (PREAUTH), as a client's tunnel
    /// command runs it.
    #[arg(long, conflicts_with = "address", required_unless_present = "address")]
    pub stdio: bool,
    /// Serve on this loopback address, one connection at a time (LOGIN: any user and
    /// password). Port 0 picks a free port; the address is printed on standard error.
    #[arg(long)]
    pub address: Option<SocketAddr>,
    /// The chooser's seed (ChaCha8): the same seed, the same choices [default: 0].
    #[arg(long, value_parser = whole, conflicts_with = "script")]
    pub seed: Option<u64>,
    /// Take every choice from a script that --record wrote.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// With --script: past its end, take the first option of every further choice (how
    /// `client interimap` explores branch by branch) instead of stopping with an error.
    #[arg(long, requires = "script")]
    pub extend: bool,
    /// Write every choice made to FILE after each command: a script --script replays.
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Append the transcript to FILE (C1: the real client, S1: the served lines).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Connections the server may drop, each between two lines of an answer.
    #[arg(long, default_value_t = 0)]
    pub drops: u32,
    /// The most steps the model's other clients and other agent take before each command.
    #[arg(long, default_value_t = 4)]
    pub steps_between: u32,
    /// After N connections, the run is quiet: no other steps, no drops, and every answer
    /// sends all that the server holds back (a final sync to judge a client by).
    #[arg(long, value_name = "N")]
    pub quiet_after: Option<u32>,
    /// Seconds a TCP connection may stay silent before the server closes it.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
}

#[derive(clap::Subcommand)]
pub enum ClientCommand {
    /// interimap 0.5.7 (Debian), its local side a real Dovecot.
    Interimap(InterimapArgs),
}

#[derive(clap::Args)]
pub struct InterimapArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Sample N seeded runs instead of exploring every branch; run I uses `serve --seed
    /// SEED+I`, so `serve` reproduces any of them.
    #[arg(long, value_parser = whole)]
    pub runs: Option<u64>,
    /// The first run's seed (with --runs).
    #[arg(long, default_value_t = 0, value_parser = whole, requires = "runs")]
    pub seed: u64,
    /// Stop exploring after this many seconds (what was explored is reported).
    #[arg(long, default_value_t = 600, value_parser = whole, conflicts_with = "runs")]
    pub max_seconds: u64,
    /// Syncs under the chooser before the quiet one each run ends with.
    #[arg(long, default_value_t = 3)]
    pub syncs: u32,
    /// Connections the server may drop in a run.
    #[arg(long, default_value_t = 1)]
    pub drops: u32,
    /// The most steps the model's other clients take before each of interimap's commands.
    #[arg(long, default_value_t = 4)]
    pub steps_between: u32,
    /// Seconds one sync may take before it is killed.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Keep every run's files (serve transcript and script, interimap's logs) in DIR/run-I.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Dovecot's imap binary for the local side [default: /usr/lib/dovecot/imap].
    #[arg(long)]
    pub local_imap: Option<PathBuf>,
    /// `json`: one JSON object at the end, with the fields the text prints (each run, its
    /// resync-point classification and blame, the totals; see docs/real-clients.md).
    #[arg(long, value_enum, default_value = "text")]
    pub format: super::VerdictFormat,
}
