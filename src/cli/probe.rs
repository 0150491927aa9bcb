//! `probe`: the conformance scenarios against a real server, the clause flags they give, and
//! the model checked with those flags (RFC 7162's client against the server as observed).

use std::time::{Duration, Instant};

use clap::Parser;

use super::args::{CheckArgs, Cli, Command, ProbeArgs, ProbeFormat};
use crate::output;
use crate::probe::conn::{Endpoint, Security};
use crate::probe::report;
use crate::probe::scenarios::{Probe, SCENARIOS, Verdict};
use crate::probe::session::Credentials;
use crate::spec;

/// The largest literal a server may send the probe (its lines are small: flags and codes).
const LITERAL_MAX: usize = 1 << 20;

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
    let mut flags = report::clause_flags(&outcomes);
    if let Some(dir) = &args.save {
        crate::output::prepare_dir("--save", dir)?;
    }
    let mut round = 1;
    let code = loop {
        let check_args = check_args(&flags, args, round)?;
        let (code, replays) = super::probe_live::check_and_replay(
            &check_args,
            args.live.then_some(&probe),
            &greeting,
            args.save.as_deref(),
            round,
        )?;
        // Without --live, or where the model holds (nothing replayed: `check_and_replay`
        // said so), or once a real loss is shown, the search is done.
        if !args.live || replays.diverged || replays.replayed == 0 {
            break code;
        }
        if replays.refinements.is_empty() {
            output::println(&format!(
                "-- no client diverged, and the real server sent nothing the model's server held \
                 back: nothing left to refine after {round} search(es)"
            ));
            break code;
        }
        if round == ROUNDS {
            output::println(&format!(
                "-- no client diverged after {ROUNDS} searches; still to refine: {}",
                names(&replays.refinements)
            ));
            break code;
        }
        round += 1;
        output::print(&format!(
            "== refinement {round}: the real server sent what the model's server held back, so \
             the model takes {} and is searched again\n",
            names(&replays.refinements)
        ));
        for r in &replays.refinements {
            output::println(&format!("--   {}: {}", r.clause, r.why));
            // The refined value replaces the observed one of the same clause.
            let clause = |flag: &str| flag.split('=').next().unwrap_or_default().to_string();
            flags.retain(|f| clause(f) != clause(&r.clause));
            flags.push(r.clause.clone());
        }
        output::println("");
    };
    Ok(if code == 0 { table_code } else { code })
}

/// The most searches `probe --live` runs: the first, with the clauses the table observed,
/// and a refinement after each replay that showed the server sending what the model's
/// server held back (`probe/refine.rs`; two clauses can be refined, `spec/flush.rs`).
const ROUNDS: usize = 3;

fn names(refinements: &[crate::probe::refine::Refinement]) -> String {
    refinements
        .iter()
        .map(|r| format!("--clause {}", r.clause))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `check` the probe runs in `round` with the server's clause values `flags`: only the
/// values that differ from the edition go on its command line (the model's name is made of
/// them). Printed first, with the flags.
fn check_args(flags: &[String], args: &ProbeArgs, round: usize) -> Result<CheckArgs, String> {
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
    let heading = match round {
        1 => "the server's clauses, as observed",
        _ => "the server's clauses, as observed and refined",
    };
    output::print(&format!(
        "{heading}:\n  {}\nthe server as a model (RFC 7162's client; the values that differ from the edition):\n  resync-check {}\n\n",
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
    Ok(check_args)
}
