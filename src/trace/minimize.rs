//! Shortens a counterexample that came from elsewhere (a DFS run, a simulation, a hand-written
//! scenario). Tries, from the end, to drop each step; each command together with the reads of
//! its response; and each command with those reads and the drop that ends that connection
//! (a reconnect that came to nothing); keeps a removal when what remains still runs and still ends in a
//! violation; repeats until nothing more can go. The result is not always the shortest
//! trace (`check` gives that), but no single such removal shortens it further.

use crate::system::{Action, Config, System};

/// Runs `actions`; the number of steps to the first state where `holds` fails, if they all
/// run and one fails.
fn violation_at(config: &Config, holds: fn(&System) -> bool, actions: &[Action]) -> Option<usize> {
    let mut state = System::initial(config);
    if !holds(&state) {
        return Some(0);
    }
    let mut enabled = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        enabled.clear();
        state.actions(config, &mut enabled);
        if !enabled.contains(action) {
            return None;
        }
        state.apply(config, *action);
        if !holds(&state) {
            return Some(i + 1);
        }
    }
    None
}

/// The indices to drop with step `i`: itself, and for a command the reads by the same client
/// that follow it, up to that client's next command or drop; with `drop`, that next drop too
/// if it comes before another command.
fn unit(actions: &[Action], i: usize, drop: bool) -> Vec<usize> {
    let mut out = vec![i];
    if let Action::Issue { client, .. } = actions[i] {
        for (j, action) in actions.iter().enumerate().skip(i + 1) {
            match action {
                Action::Read { client: c } if *c == client => out.push(j),
                Action::Drop { client: c } if *c == client => {
                    if drop {
                        out.push(j);
                    }
                    break;
                }
                Action::Issue { client: c, .. } if *c == client => break,
                _ => {}
            }
        }
    }
    out
}

fn without(actions: &[Action], drop: &[usize]) -> Vec<Action> {
    actions
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, a)| *a)
        .collect()
}

/// A shorter path, made of steps of `actions` in their order, that still reaches a state
/// where `holds` fails. `actions` must reach such a state; if not, it comes back unchanged.
pub fn minimize(config: &Config, holds: fn(&System) -> bool, actions: &[Action]) -> Vec<Action> {
    let Some(end) = violation_at(config, holds, actions) else {
        return actions.to_vec();
    };
    let mut current: Vec<Action> = actions[..end].to_vec();
    loop {
        let mut shrunk = false;
        let mut i = current.len();
        while i > 0 {
            i -= 1;
            for drop in [vec![i], unit(&current, i, false), unit(&current, i, true)] {
                let candidate = without(&current, &drop);
                if let Some(end) = violation_at(config, holds, &candidate) {
                    current = candidate[..end].to_vec();
                    shrunk = true;
                    i = i.min(current.len());
                    break;
                }
            }
        }
        if !shrunk {
            return current;
        }
    }
}
