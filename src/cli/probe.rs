//! `probe`: the conformance scenarios against a real server, the clause flags they give, and
//! the model checked with those flags (RFC 7162's client against the server as observed).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use super::args::{Cli, Command};
use crate::output;
use crate::probe::conn::{Endpoint, Security};
use crate::probe::report;
use crate::probe::scenarios::{Probe, SCENARIOS, Verdict};
use crate::probe::session::Credentials;
use crate::spec;

/// The largest literal a server may send the probe (its lines are small: flags and codes).
const LITERAL_MAX: usize = 1 << 20;

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

fn password(args: &ProbeArgs) -> Result<String, String> {
    if let Some(var) = &args.password_env {
        return std::env::var(var)
            .map_err(|_| format!("--password-env: the environment variable `{var}` is not set"));
    }
    if let Some(file) = &args.password_file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("--password-file {}: {e}", file.display()))?;
        return Ok(text.lines().next().unwrap_or("").to_string());
    }
    Err("give the password with --password-env VAR or --password-file FILE".into())
}

pub fn probe(args: &ProbeArgs) -> Result<u8, String> {
    if args.live && (args.format == ProbeFormat::Json || args.no_check) {
        return Err("--live replays the model check's counterexample: it needs the check (not --no-check, not --format json)".into());
    }
    let credentials = Credentials {
        user: args.user.clone(),
        password: password(args)?,
    };
    for clause in &args.clauses {
        if !SCENARIOS.iter().any(|(name, _)| name == clause) {
            let names: Vec<&str> = SCENARIOS.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "--clause `{clause}`: no such scenario; give one of {}",
                names.join(", ")
            ));
        }
    }
    let endpoint = Endpoint {
        server: args.server.clone(),
        security: match (args.tls, args.starttls) {
            (true, _) => Security::Tls,
            (_, true) => Security::StartTls,
            _ => Security::Plain,
        },
        insecure: args.insecure,
        timeout: Duration::from_secs(args.timeout),
        literal_max: LITERAL_MAX,
    };
    let start = Instant::now();
    let probe = Probe::new(endpoint, credentials, args.keep);
    let outcomes = probe.run_selected(&args.clauses, |name| {
        output::eprintln(&format!("probe: {name}"));
    });
    let seconds = start.elapsed().as_secs_f64();
    let greeting = outcomes
        .iter()
        .flat_map(|o| o.transcript.first())
        .next()
        .map_or("", |l| l.trim_start_matches("S1: "))
        .to_string();
    let ran = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let broken = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .any(|f| f.verdict == Verdict::Breaks);
    let unexercised = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .any(|f| f.verdict == Verdict::NotExercised);
    match args.format {
        ProbeFormat::Json => {
            output::print(&report::json(&args.server, &greeting, &outcomes, seconds));
        }
        ProbeFormat::Text => output::print(&report::text(&args.server, &outcomes)),
        ProbeFormat::Markdown => output::print(&report::markdown(&args.server, &outcomes)),
    }
    output::eprintln(&format!(
        "probe: {ran} of {} scenarios ran in {seconds:.1} s",
        outcomes.len()
    ));
    if ran == 0 {
        return Ok(2);
    }
    // 1 a break (or, below, a violation in the model); else 3 if a scenario was not
    // exercised, which is neither a pass nor a break; else 0.
    let table_code = if broken {
        1
    } else if unexercised {
        3
    } else {
        0
    };
    if args.format == ProbeFormat::Json || args.no_check {
        return Ok(table_code);
    }
    let flags = report::clause_flags(&outcomes);
    // Only the values that differ from the edition go on the check's command line (the
    // model's name is made of them).
    let rfc7162 = spec::edition("rfc7162").map_err(|e| format!("{e:?}"))?;
    let differing: Vec<&String> = flags
        .iter()
        .filter(|f| {
            f.split_once('=')
                .is_some_and(|(c, v)| rfc7162.spec.value(c) != Some(v))
        })
        .collect();
    let mut argv = vec![
        "resync-check".to_string(),
        "check".into(),
        "--edition".into(),
        "rfc7162".into(),
    ];
    for flag in differing {
        argv.push("--clause".into());
        argv.push(flag.clone());
    }
    if let Some(dir) = &args.save {
        argv.push("--save".into());
        argv.push(dir.display().to_string());
    }
    output::print(&format!(
        "the server's clauses, as observed:\n  {}\nthe server as a model (RFC 7162's client; the values that differ from the edition):\n  resync-check {}\n\n",
        flags
            .iter()
            .map(|f| format!("--clause {f}"))
            .collect::<Vec<_>>()
            .join(" "),
        argv[1..].join(" ")
    ));
    let cli = Cli::try_parse_from(&argv).map_err(|e| format!("the check's flags: {e}"))?;
    let Command::Check(check_args) = cli.command else {
        return Err("the check's flags did not parse as `check`".into());
    };
    let code = super::probe_live::check_and_replay(
        &check_args,
        args.live.then_some(&probe),
        &greeting,
        args.save.as_deref(),
    )?;
    Ok(if code == 0 { table_code } else { code })
}
