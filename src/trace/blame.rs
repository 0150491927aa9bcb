//! Which clauses a violation rests on. A set of clause changes "avoids" a trace when, with
//! those clauses set otherwise and everything else the same, the trace's commands still run
//! and, once every client has read every line sent to it, no longer end in a violation.
//! Reads are matched by count, not content: under another text a response may have more or
//! fewer lines, so a read with nothing to read is skipped and unread lines are read at the
//! end. A change that avoids the violation by causing another (a property the trace does not
//! violate fails instead) does not count. Some violations are transient: reading the rest of
//! the lines mends them (a client stores an unsafe resync point that a later line lowers
//! again; harmful if the connection drops first). For those the comparison stops where the
//! trace stops, unread lines unread. A `STATUS` is sent only by a
//! `client-resync-point=status` client: under another client rule the trace's STATUS is
//! left out (with its lines), as that client would not send it, and the rest must run. So
//! are a CONDSTORE-only client's `UID FETCH ... (CHANGEDSINCE m)` and `UID SEARCH ALL`
//! under a `client-sync` that does not send them, and a server event only one clause value
//! makes (`expunge-history`'s forgetting, `modseq-restart=lost`'s restart) under the others.
//!
//! Every clause is tried, `client-sync` too: its values share the requests (a resync is one
//! `Resync`, whatever its commands), so the same steps run under another one as far as they
//! can, and a trace that no longer runs is no evidence either way.
//!
//! A way out may break the text: a clause set to a value the catalogue marks as departing
//! from an RFC, or away from a value that is an RFC's MUST. The rule, read from each value's
//! description (the catalogue's convention, `spec/*.rs`): a change *breaks* the text
//! 1. when the value it sets says `against <ref>` (at its start, or after `: ` or `, `), or
//!    `breaks <ref>`: it breaks `<ref>`, the words up to the first `:`, ` (`, `,` or `;`;
//! 2. or when the value it replaces quotes a `"MUST ..."` and both starts with and is the
//!    only one of the two to start with its reference (`RFC n section s`, after any
//!    `erratum n, `), unless the value set is an erratum's (starts with `erratum`), which
//!    amends that text: it breaks that reference's MUST, quoted. (A description that
//!    quotes a MUST later, or not as its own rule, says nothing here: `kept`'s "the server
//!    MUST remember" does not make `truncated`, which section 3.2.6's note allows, a
//!    breach.)
//!
//! Such a way out is still named, with `(breaks ...)`, so that the reader sees it is no
//! fix; and the clauses a violation is blamed on are those of the ways out that break
//! nothing and keep the client's protocol (another `client-sync` is another client, not a
//! fix of this one's rule), else those that break nothing, else all. A single way out that
//! breaks the text does not end the search: the pairs are tried as well, so that a server
//! which, say, empties the client's cache (and so makes a silent divergence "detectable")
//! does not take the place of the clauses the violation rests on.

use crate::client::Request;
use crate::properties::{Kind, PROPERTIES, Property};
use crate::server::Reply;
use crate::spec::{ClientSync, Spec, clauses};
use crate::system::{Action, Config, System};

/// One clause set otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub clause: &'static str,
    /// The value under test.
    pub value: &'static str,
    /// Its RFC section or erratum.
    pub source: &'static str,
    /// The value that avoids the violation (with the rest of its set).
    pub instead: &'static str,
    /// What setting it breaks in the text (see the module comment), if anything: "RFC 7162
    /// section 3.2.10.2's \"MUST be recorded\"".
    pub breaks: Option<String>,
}

/// Where the comparison ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    /// Every client reads every line sent to it.
    ReadAll,
    /// Where the trace ends: reading the rest would mend this violation.
    AsIs,
}

/// The clauses a violation rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blame {
    pub settle: Settle,
    /// The smallest sets of clause changes that avoid the violation: the single clauses if
    /// any does, else the pairs; empty if neither does.
    pub sets: Vec<Vec<Change>>,
}

/// The clause changes that avoid `property`'s violation at the end of `actions`.
pub fn avoiding_changes(config: &Config, property: &Property, actions: &[Action]) -> Blame {
    let holds = property.condition;
    let (settle, end) = match run(config, actions, Settle::ReadAll, false) {
        Some(state) if holds(&state) => (Settle::AsIs, run(config, actions, Settle::AsIs, false)),
        end => (Settle::ReadAll, end),
    };
    let violated_here = end.map_or_else(Vec::new, |s| violated(&s));
    let singles: Vec<Change> = all_changes(config);
    let avoided = |set: &[&Change]| {
        let mut spec: Spec = config.spec;
        for change in set {
            spec.set(change.clause, change.instead)
                .expect("catalogue values parse");
        }
        let other = Config { spec, ..*config };
        // Under another `client-sync`, a CONDSTORE-only client completes its resync as its
        // protocol does (see `run`).
        let follow_ups = spec.client_sync != config.spec.client_sync;
        run(&other, actions, settle, follow_ups).is_some_and(|state| {
            holds(&state)
                && violated(&state)
                    .iter()
                    .all(|name| violated_here.contains(name))
        })
    };
    let single: Vec<Vec<Change>> = singles
        .iter()
        .filter(|c| avoided(&[c]))
        .map(|c| vec![c.clone()])
        .collect();
    // A single way out that breaks nothing settles it; one that breaks the text (a server
    // that wipes the client's cache makes a silent divergence "detectable") does not, so the
    // pairs are tried as well, and `sentence` blames those that break nothing.
    if single.iter().flatten().any(|c| c.breaks.is_none()) {
        return Blame {
            settle,
            sets: single,
        };
    }
    // A pair is a way out only if neither change is one alone (else it is not minimal).
    let alone = |c: &Change| {
        single
            .iter()
            .any(|set| set[0].clause == c.clause && set[0].instead == c.instead)
    };
    let mut pairs = Vec::new();
    for (i, a) in singles.iter().enumerate() {
        for b in &singles[i + 1..] {
            if a.clause != b.clause && !alone(a) && !alone(b) && avoided(&[a, b]) {
                pairs.push(vec![a.clone(), b.clone()]);
            }
        }
    }
    let mut sets = single;
    sets.extend(pairs);
    Blame { settle, sets }
}

/// Every change of one clause to another of its values.
fn all_changes(config: &Config) -> Vec<Change> {
    let mut out = Vec::new();
    for clause in clauses() {
        let value = config
            .spec
            .values()
            .into_iter()
            .find(|(c, _)| *c == clause.name)
            .map(|(_, v)| v)
            .expect("every clause has a value");
        let source = config.spec.source(clause.name).unwrap_or_default();
        for (instead, instead_source) in clause.values {
            if *instead != value {
                out.push(Change {
                    clause: clause.name,
                    value,
                    source,
                    instead,
                    breaks: breaks(source, instead_source),
                });
            }
        }
    }
    out
}

/// What a change from the value described by `from` to the one described by `to` breaks in
/// the text, by the rule of the module comment.
pub fn breaks(from: &str, to: &str) -> Option<String> {
    // `RFC n section s` at the start of a description, after any `erratum n, `.
    let reference = |text: &str| -> Option<String> {
        let text = match text.strip_prefix("erratum ") {
            Some(rest) => rest.split_once(", ")?.1,
            None => text,
        };
        let mut words = text.split(' ');
        let (rfc, number, section, place) =
            (words.next()?, words.next()?, words.next()?, words.next()?);
        let place = place.trim_end_matches([',', ':', ';']);
        (rfc == "RFC" && section == "section" && number.chars().all(|c| c.is_ascii_digit()))
            .then(|| format!("RFC {number} section {place}"))
    };
    // The replaced value's reference with the MUST it quotes, if it quotes one.
    let must = reference(from).and_then(|at| {
        let quoted = &from[from.find("\"MUST")? + 1..];
        Some((at, quoted[..quoted.find('"')?].to_string()))
    });
    let with_must = |at: String| match &must {
        Some((r, quote)) if *r == at => format!("{at}'s \"{quote}\""),
        _ => at,
    };
    // 1. The value set departs from an RFC.
    for marker in ["against ", "breaks "] {
        let at = to
            .match_indices(marker)
            .map(|(i, _)| i)
            .find(|&i| i == 0 || to[..i].ends_with(": ") || to[..i].ends_with(", "));
        if let Some(i) = at {
            let rest = &to[i + marker.len()..];
            let end = [":", " (", ",", ";"]
                .iter()
                .filter_map(|stop| rest.find(stop))
                .min()
                .unwrap_or(rest.len());
            return Some(with_must(rest[..end].to_string()));
        }
    }
    // 2. The value replaced is an RFC's MUST that the value set does not start from, nor
    // amend as an erratum.
    let (at, _) = must.as_ref()?;
    if reference(to).as_ref() == Some(at) || to.starts_with("erratum ") {
        return None;
    }
    Some(with_must(at.clone()))
}

/// The `always` properties `state` violates.
fn violated(state: &System) -> Vec<&'static str> {
    PROPERTIES
        .iter()
        .filter(|p| p.kind == Kind::Always && !(p.condition)(state))
        .map(|p| p.name)
        .collect()
}

/// Runs the commands and drops of `actions` under `config`, reads as described in the
/// module comment, and returns the end state. None if a command or drop no longer runs: a
/// changed trace is no evidence.
///
/// With `follow_ups` (the trace was made under another `client-sync`), a client that
/// resyncs in steps sends the rest of its resync (`UID FETCH ... (CHANGEDSINCE m)`, then
/// `UID SEARCH ALL` under `condstore`; `UID FETCH <set> ... (CHANGEDSINCE m VANISHED)` under
/// `fetch-vanished-*`) as soon as it may, each read whole at once: the trace cannot say
/// when, and a resync left half done would store no resync point and so "avoid" any
/// violation that needs one. The trace's own such commands, if any, are then left out as
/// not enabled.
fn run(config: &Config, actions: &[Action], settle: Settle, follow_ups: bool) -> Option<System> {
    let mut state = System::initial(config);
    let mut enabled = Vec::new();
    for action in actions {
        enabled.clear();
        state.actions(config, &mut enabled);
        if let Some(action) = nearest(&enabled, *action) {
            state.apply(config, action);
            if follow_ups {
                complete_resyncs(config, &mut state);
            }
        } else if !skippable(action, follow_ups) {
            return None;
        }
    }
    if settle == Settle::AsIs {
        return Some(state);
    }
    loop {
        let unread: Vec<Action> = state
            .clients
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.connection
                    .as_ref()
                    .is_some_and(|conn| !conn.queue.is_empty())
            })
            .map(|(i, _)| Action::Read {
                client: crate::imap::types::ClientId(i as u8),
            })
            .collect();
        if unread.is_empty() {
            return Some(state);
        }
        for read in unread {
            state.apply(config, read);
        }
    }
}

/// Whether a step of the trace that no longer runs may be left out: a read, a server's own
/// step, a STATUS, and (under another `client-sync`) a step of a resync in steps, which
/// `complete_resyncs` sends where the other value has one.
fn skippable(action: &Action, follow_ups: bool) -> bool {
    match action {
        Action::Read { .. } | Action::Forget | Action::Restart => true,
        Action::Issue { request, .. } => match request {
            Request::Status | Request::ChangedSince | Request::SearchAll => true,
            Request::FetchVanished => follow_ups,
            _ => false,
        },
        _ => false,
    }
}

/// Sends every resync's next command (a CONDSTORE-only client's, or the VANISHED FETCH after
/// a plain SELECT) that is enabled, and reads its answer whole, until none is.
fn complete_resyncs(config: &Config, state: &mut System) {
    let mut enabled = Vec::new();
    loop {
        enabled.clear();
        state.actions(config, &mut enabled);
        let follow_up = |a: &&Action| match a {
            Action::Issue {
                request: Request::ChangedSince | Request::SearchAll,
                ..
            } => true,
            Action::Issue {
                request: Request::FetchVanished,
                client,
                ..
            } => state.clients[client.index()].syncing(),
            _ => false,
        };
        let default = Reply::default();
        let Some(&action) = enabled
            .iter()
            .filter(follow_up)
            .find(|a| matches!(a, Action::Issue { reply, .. } if *reply == default))
            .or_else(|| enabled.iter().find(follow_up))
        else {
            return;
        };
        let Action::Issue { client, .. } = action else {
            return;
        };
        state.apply(config, action);
        while state.clients[client.index()]
            .connection
            .as_ref()
            .is_some_and(|conn| !conn.queue.is_empty())
        {
            state.apply(config, Action::Read { client });
        }
    }
}

/// `action` if enabled. Else, for a command, the same command with the server choice nearest
/// to the one taken: the flush choices and SELECT answers offered are only those that make a
/// difference, so under another text "send everything held back" may not be offered because
/// there is less to send, and a SELECT answer because it is the default's equal.
fn nearest(enabled: &[Action], action: Action) -> Option<Action> {
    if enabled.contains(&action) {
        return Some(action);
    }
    let Action::Issue {
        client,
        request,
        reply,
    } = action
    else {
        return None;
    };
    let default = Reply::default();
    let candidates = enabled.iter().filter_map(|a| match *a {
        Action::Issue {
            client: c,
            request: r,
            reply: other,
        } if c == client
            && r == request
            && other.flush.is_within(reply.flush)
            && (other.select == reply.select || other.select == default.select)
            && (other.gone == reply.gone || other.gone == default.gone)
            && (other.code == reply.code || !other.code)
            && (other.interleave == reply.interleave || !other.interleave) =>
        {
            let same = (
                other.select == reply.select,
                other.gone == reply.gone,
                other.code == reply.code,
                other.interleave == reply.interleave,
            );
            Some(((other.flush.parts(), same), *a))
        }
        _ => None,
    });
    candidates.max_by_key(|(rank, _)| *rank).map(|(_, a)| a)
}

/// One sentence naming the clauses the violation rests on, for transcripts.
pub fn sentence(property: &str, blame: &Blame) -> String {
    let sets = &blame.sets;
    let same = match blame.settle {
        Settle::ReadAll => "the same commands, every line read,",
        Settle::AsIs => {
            "the same steps, stopped where this trace stops (reading the rest would mend this \
             violation, unless the connection drops first),"
        }
    };
    if sets.is_empty() {
        return format!(
            "no single clause or pair of clauses set otherwise avoids it: with each, {same} \
             still violate {property} or no longer run"
        );
    }
    let (under_test, blamed_single) = under_test(sets);
    let named: Vec<String> = under_test
        .iter()
        .map(|c| format!("{}={} [{}]", c.clause, c.value, c.source))
        .collect();
    let alternatives: Vec<String> = sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|c| match &c.breaks {
                    None => format!("{}={}", c.clause, c.instead),
                    Some(rule) => format!("{}={} (breaks {rule})", c.clause, c.instead),
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    let single = blamed_single;
    format!(
        "{}{}; with {}{}, {same} leave no violation of {property}",
        if single {
            ""
        } else if sets.iter().any(|set| set.len() == 1) {
            "no single clause avoids it without breaking the text, it rests on "
        } else {
            "no single clause avoids it, it rests on "
        },
        named.join(" and "),
        alternatives.join(", or with "),
        if single { "" } else { " together" },
    )
}

/// The clauses the sentence names responsible, each once, in catalogue order: those of the
/// ways out that break nothing and keep the client's protocol (`client-sync`); failing that,
/// those that break nothing; failing that, all. With whether those ways out are single
/// clauses. `sets` must not be empty.
fn under_test(sets: &[Vec<Change>]) -> (Vec<&Change>, bool) {
    let conforming = |set: &&Vec<Change>| set.iter().all(|c| c.breaks.is_none());
    let same_protocol =
        |set: &&Vec<Change>| set.iter().all(|c| c.clause != ClientSync::CLAUSE_NAME);
    let mut blamed: Vec<&Vec<Change>> = sets
        .iter()
        .filter(|set| conforming(set) && same_protocol(set))
        .collect();
    if blamed.is_empty() {
        blamed = sets.iter().filter(conforming).collect();
    }
    if blamed.is_empty() {
        blamed = sets.iter().collect();
    }
    let single = blamed[0].len() == 1;
    let mut under_test: Vec<&Change> = Vec::new();
    for change in blamed.into_iter().flatten() {
        if !under_test.iter().any(|c| c.clause == change.clause) {
            under_test.push(change);
        }
    }
    (under_test, single)
}

/// The clause values the `responsible:` sentence names, as `clause=value`: empty when no
/// single clause or pair avoids the violation.
pub fn responsible(blame: &Blame) -> Vec<String> {
    match blame.sets.is_empty() {
        true => Vec::new(),
        false => under_test(&blame.sets)
            .0
            .iter()
            .map(|c| format!("{}={}", c.clause, c.value))
            .collect(),
    }
}
