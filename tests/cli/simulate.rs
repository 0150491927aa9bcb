//! Seeded simulation: reproducibility, seeds, the erratum found by walks, shards and merge.

use std::path::Path;
use std::process::Output;

use crate::common;
use common::{run, stdout, temp_dir};

use resync_check::trace::Trace;
use resync_check::trace::replay::replay;

/// The documented budget: with seed 1, 3 clients and 3 messages, walk 26 of the first 100
/// breaks views-converge under rfc5162.
const LARGE: [&str; 10] = [
    "--clients",
    "3",
    "--messages",
    "3",
    "--seed",
    "1",
    "--runs",
    "100",
    "--steps",
    "200",
];

fn simulate(edition: &str, extra: &[&str]) -> Output {
    let mut args = vec!["simulate", "--edition", edition];
    args.extend(LARGE);
    args.extend(extra);
    run(&args)
}

#[test]
fn the_same_seed_gives_the_same_output_whatever_the_threads() {
    let dir = temp_dir("threads");
    let one = dir.join("one.json");
    let two = dir.join("two.json");
    let a = simulate(
        "rfc5162",
        &["--threads", "1", "--summary", one.to_str().unwrap()],
    );
    let b = simulate(
        "rfc5162",
        &["--threads", "2", "--summary", two.to_str().unwrap()],
    );
    let c = simulate("rfc5162", &["--threads", "2"]);
    assert_eq!(a.status.code(), Some(1));
    assert_eq!(stdout(&a), stdout(&b));
    assert_eq!(stdout(&b), stdout(&c));
    assert_eq!(std::fs::read(one).unwrap(), std::fs::read(two).unwrap());
}

#[test]
fn different_seeds_walk_differently() {
    let a = run(&["simulate", "--seed", "1", "--runs", "50", "--steps", "100"]);
    let b = run(&["simulate", "--seed", "2", "--runs", "50", "--steps", "100"]);
    let walks_line = |o: &Output| {
        stdout(o)
            .lines()
            .find(|l| l.starts_with("walks run:"))
            .unwrap()
            .to_string()
    };
    assert_ne!(walks_line(&a), walks_line(&b));
}

#[test]
fn walks_find_the_rfc5162_divergence_and_its_trace_replays() {
    let dir = temp_dir("found");
    let output = simulate(
        "rfc5162",
        &[
            "--property",
            "views-converge",
            "--save",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains(
            "views-converge                         VIOLATED in 1 walk(s) (first: walk 13, step 41)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "== views-converge violated: walk 13 of seed 1, 41 steps, minimized to 13 (28 removed)"
        ),
        "{out}"
    );
    let path = dir.join("rfc5162.views-converge.json");
    let trace = Trace::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(trace.steps.len(), 13);
    assert!(replay(&trace).is_ok());
    assert_eq!(
        trace.reproduce,
        "resync-check simulate --edition rfc5162 --clients 3 --messages 3 --commands 20 \
         --property views-converge --seed 1 --runs 100 --steps 200 --policy uniform --walk 13"
    );
    // The reproduce command gives the same trace, byte for byte.
    let again = temp_dir("again");
    let args: Vec<&str> = trace.reproduce.split(' ').skip(1).collect();
    let mut args = args.clone();
    args.extend(["--save", again.to_str().unwrap()]);
    assert_eq!(run(&args).status.code(), Some(1));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(again.join("rfc5162.views-converge.json")).unwrap()
    );
}

#[test]
fn walks_find_nothing_under_rfc7162_in_the_same_budget() {
    for policy in ["uniform", "swarm"] {
        let output = simulate("rfc7162", &["--policy", policy]);
        assert_eq!(output.status.code(), Some(3), "{policy}");
        let out = stdout(&output);
        assert!(out.contains("views-converge                         not violated in any walk"));
        assert!(out.contains("resync-point-safe                      not violated in any walk"));
        if policy == "swarm" {
            // The walks do reach the states the argument is about.
            assert!(
                out.contains("resynced-after-foreign-expunge         reached in 29 walk(s)"),
                "{out}"
            );
        }
    }
}

fn summary_of(args: &[&str], path: &Path) -> Output {
    let mut all = vec![
        "simulate",
        "--edition",
        "rfc5162",
        "--seed",
        "7",
        "--runs",
        "40",
        "--steps",
        "150",
        "--policy",
        "swarm",
        "--summary",
    ];
    all.push(path.to_str().unwrap());
    all.extend(args);
    run(&all)
}

#[test]
fn two_shards_merge_into_the_unsharded_run() {
    let dir = temp_dir("shards");
    let whole = summary_of(&[], &dir.join("whole.json"));
    let s0 = summary_of(&["--shard", "0/2"], &dir.join("s0.json"));
    let s1 = summary_of(&["--shard", "1/2"], &dir.join("s1.json"));
    assert_eq!(s0.status.code(), s1.status.code());
    assert!(stdout(&s0).contains("(shard 0/2: 20 of them)"));
    let merged = dir.join("merged.json");
    let output = run(&[
        "merge",
        dir.join("s1.json").to_str().unwrap(),
        dir.join("s0.json").to_str().unwrap(),
        "--summary",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), whole.status.code());
    assert_eq!(stdout(&output), stdout(&whole));
    assert_eq!(
        std::fs::read(merged).unwrap(),
        std::fs::read(dir.join("whole.json")).unwrap()
    );
}

fn assert_bad(args: &[&str], message: &str) {
    let output = run(args);
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains(message), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_parameters_exit_2() {
    let base = ["simulate", "--seed", "1", "--steps", "10"];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    assert_bad(&with(&["--runs", "0"]), "--runs");
    assert_bad(
        &with(&["--runs", "5", "--shard", "2/2"]),
        "expected I/N with 0 <= I < N",
    );
    assert_bad(&with(&["--runs", "5", "--shard", "one"]), "expected I/N");
    assert_bad(
        &with(&["--runs", "5", "--walk", "5"]),
        "--walk 5 is not below --runs 5",
    );
    assert_bad(
        &with(&["--runs", "5", "--walk", "1", "--shard", "0/2"]),
        "--walk 1 is not in --shard 0/2",
    );
    assert_bad(&with(&["--runs", "5", "--threads", "0"]), "--threads");
    assert_bad(
        &["simulate", "--seed", "1", "--runs", "5", "--steps", "0"],
        "--steps",
    );
    assert_bad(&["simulate", "--runs", "5", "--steps", "5"], "--seed");

    let dir = temp_dir("bad-merge");
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    let c = dir.join("c.json");
    run(&[
        "simulate",
        "--seed",
        "1",
        "--runs",
        "4",
        "--steps",
        "5",
        "--shard",
        "0/2",
        "--summary",
        a.to_str().unwrap(),
    ]);
    run(&[
        "simulate",
        "--seed",
        "2",
        "--runs",
        "4",
        "--steps",
        "5",
        "--shard",
        "1/2",
        "--summary",
        b.to_str().unwrap(),
    ]);
    run(&[
        "simulate",
        "--seed",
        "1",
        "--runs",
        "4",
        "--steps",
        "5",
        "--shard",
        "0/2",
        "--summary",
        c.to_str().unwrap(),
    ]);
    assert_bad(&["merge", a.to_str().unwrap()], "shard 1/2 is missing");
    assert_bad(
        &["merge", a.to_str().unwrap(), b.to_str().unwrap()],
        "summary 2 is of another run",
    );
    assert_bad(
        &["merge", a.to_str().unwrap(), c.to_str().unwrap()],
        "shard 0/2 is given twice",
    );
    std::fs::write(&c, "{\"format_version\": 1,\n \"seed\": x}").unwrap();
    assert_bad(&["merge", c.to_str().unwrap()], "c.json: line 2, column");
}
