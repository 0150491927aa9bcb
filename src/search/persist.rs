//! A stopped search, to be resumed (`check --checkpoint`, `--resume`): its tree, visited
//! set, frontier (the next node to expand, and how many of its successors were merged), what
//! it decided and its counters, and their bytes. The bytes are postcard's (serde): a record
//! of the small things, the moves in the vocabulary of traces (JSON), then the tree's nodes
//! and the visited set's members as raw little-endian arrays in chunks, written straight
//! from the live structures and read straight into new ones, so neither is ever held twice.
//! The file around them (header, checksum, atomic write) is `checkpoint/`'s.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize, Serializer};

use super::tree::{Node, START, Tree};
use super::visited::Visited;
use crate::imap::types::ClientId;
use crate::reduce::{Move, Reads};
use crate::step::Step;
use crate::system::Action;

/// Where a search stopped, and all it needs to go on as if it had not.
pub struct Snapshot {
    pub(super) tree: Tree,
    pub(super) visited: Visited,
    /// The conditions still open, and those decided with their paths of moves.
    pub(super) open: Vec<usize>,
    pub(super) decided: Vec<(usize, Vec<Move>)>,
    /// The node to expand next ([`START`] for the start, the tree's length for none), and
    /// how many of its successors, in order, were merged already.
    pub(super) next: u32,
    pub(super) done: u32,
    pub(super) generated_states: usize,
    pub(super) depth_max: usize,
    /// Nodes expanded: when the budget is looked at (mod.rs, `LOOK_EVERY`).
    pub(super) expanded: usize,
    pub(super) seconds: f64,
}

/// The small things, first in the bytes.
#[derive(Serialize, Deserialize)]
struct Record {
    /// Length of the moves' JSON, which follows.
    moves_bytes: u64,
    /// How many of the moves are the tree's; the rest appear only in decided paths.
    tree_moves: u32,
    levels: Vec<u32>,
    nodes: u64,
    members: u64,
    open: Vec<u32>,
    decided: Vec<(u32, Vec<u32>)>,
    next: u32,
    done: u32,
    generated_states: u64,
    depth_max: u64,
    expanded: u64,
    seconds: f64,
}

/// A move in the vocabulary of traces (step/), which round-trips every action.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum MoveRecord {
    One(Step),
    Response {
        client: ClientId,
        issue: Option<Step>,
        /// None: the whole response; n: n lines, then the connection drops.
        then_drop: Option<u16>,
    },
}

/// Items (8 bytes each) per chunk of nodes or members: half a megabyte.
const CHUNK: usize = 1 << 16;

/// The largest moves' JSON a file may announce: a model has a few hundred moves.
const MOST_MOVE_BYTES: u64 = 1 << 28;

/// A byte string for serde (postcard writes its length, then the bytes as they are).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// `action` as traces name it (step/), checked to name it back: how a checkpoint writes
/// actions.
pub fn named(action: Action) -> Result<Step, String> {
    let step = Step::bare(action);
    match step.action() {
        Ok(back) if back == action => Ok(step),
        _ => Err(format!(
            "the move {action:?} has no name in traces' vocabulary"
        )),
    }
}

fn record(mv: Move) -> Result<MoveRecord, String> {
    Ok(match mv {
        Move::One(action) => MoveRecord::One(named(action)?),
        Move::Response {
            client,
            issue,
            reads,
        } => MoveRecord::Response {
            client,
            issue: issue.map(named).transpose()?,
            then_drop: match reads {
                Reads::All => None,
                Reads::ThenDrop(n) => Some(n),
            },
        },
    })
}

fn unrecord(record: MoveRecord) -> Result<Move, String> {
    Ok(match record {
        MoveRecord::One(step) => Move::One(step.action()?),
        MoveRecord::Response {
            client,
            issue,
            then_drop,
        } => Move::Response {
            client,
            issue: issue.map(|s| s.action()).transpose()?,
            reads: then_drop.map_or(Reads::All, Reads::ThenDrop),
        },
    })
}

fn io(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Snapshot {
    pub fn generated_states(&self) -> usize {
        self.generated_states
    }

    pub fn unique_states(&self) -> usize {
        self.visited.len()
    }

    /// Writes the snapshot's bytes to `out`.
    pub fn write(&self, out: &mut impl Write) -> Result<(), String> {
        let (nodes, levels, tree_moves) = self.tree.parts();
        let mut moves = tree_moves.to_vec();
        let mut index = |mv: &Move| match moves.iter().position(|m| m == mv) {
            Some(i) => i as u32,
            None => {
                moves.push(*mv);
                (moves.len() - 1) as u32
            }
        };
        let decided = self
            .decided
            .iter()
            .map(|(c, path)| (*c as u32, path.iter().map(&mut index).collect()))
            .collect();
        let records = moves
            .iter()
            .map(|&m| record(m))
            .collect::<Result<Vec<_>, _>>()?;
        let json = serde_json::to_vec(&records).map_err(io)?;
        let head = Record {
            moves_bytes: json.len() as u64,
            tree_moves: tree_moves.len() as u32,
            levels: levels.to_vec(),
            nodes: nodes.len() as u64,
            members: self.visited.len() as u64,
            open: self.open.iter().map(|&c| c as u32).collect(),
            decided,
            next: self.next,
            done: self.done,
            generated_states: self.generated_states as u64,
            depth_max: self.depth_max as u64,
            expanded: self.expanded as u64,
            seconds: self.seconds,
        };
        postcard::to_io(&head, &mut *out).map_err(io)?;
        postcard::to_io(&Bytes(&json), &mut *out).map_err(io)?;
        let mut bytes = Vec::with_capacity(8 * CHUNK);
        for chunk in nodes.chunks(CHUNK) {
            bytes.clear();
            for node in chunk {
                bytes.extend(node.parent.to_le_bytes());
                bytes.extend(node.action.to_le_bytes());
            }
            postcard::to_io(&Bytes(&bytes), &mut *out).map_err(io)?;
        }
        let mut members = self.visited.iter().peekable();
        while members.peek().is_some() {
            bytes.clear();
            for member in members.by_ref().take(CHUNK) {
                bytes.extend(member.to_le_bytes());
            }
            postcard::to_io(&Bytes(&bytes), &mut *out).map_err(io)?;
        }
        Ok(())
    }

    /// Reads a snapshot written by [`Snapshot::write`] for a search of `conditions`
    /// conditions, from a file of `size` bytes; an error says what is wrong with the bytes.
    pub fn read(input: &mut impl Read, conditions: usize, size: u64) -> Result<Snapshot, String> {
        let mut scratch = vec![0u8; 8 * CHUNK + 16];
        let (head, _) = postcard::from_io::<Record, _>((&mut *input, &mut scratch[..]))
            .map_err(|e| format!("its search record is unreadable ({e})"))?;
        let arrays = head.nodes.saturating_add(head.members).saturating_mul(8);
        if head.moves_bytes > MOST_MOVE_BYTES || arrays > size {
            return Err("its search record is inconsistent".to_string());
        }
        scratch.resize(scratch.len().max(head.moves_bytes as usize + 16), 0);
        let json = chunk(input, &mut scratch, head.moves_bytes as usize)?;
        let records: Vec<MoveRecord> =
            serde_json::from_slice(json).map_err(|e| format!("its moves are unreadable ({e})"))?;
        let mut moves = records
            .into_iter()
            .map(unrecord)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("its moves are unreadable ({e})"))?;
        let inconsistent = || "its search record is inconsistent".to_string();
        let known = |i: u32| (i as usize) < moves.len();
        let decided_ok = head
            .decided
            .iter()
            .all(|(_, p)| p.iter().all(|&i| known(i)));
        let conditions_ok = head
            .open
            .iter()
            .chain(head.decided.iter().map(|(c, _)| c))
            .all(|&c| (c as usize) < conditions);
        if !decided_ok || !conditions_ok || head.tree_moves as usize > moves.len() {
            return Err(inconsistent());
        }
        let decided = head
            .decided
            .iter()
            .map(|(c, path)| {
                (
                    *c as usize,
                    path.iter().map(|&i| moves[i as usize]).collect(),
                )
            })
            .collect();
        moves.truncate(head.tree_moves as usize);
        let count = usize::try_from(head.nodes).map_err(|_| inconsistent())?;
        let mut nodes: Vec<Node> = Vec::with_capacity(count);
        while nodes.len() < count {
            let want = 8 * CHUNK.min(count - nodes.len());
            let bytes = chunk(input, &mut scratch, want)?;
            nodes.extend(bytes.chunks_exact(8).map(|b| Node {
                parent: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                action: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            }));
        }
        let tree = Tree::from_parts(nodes, head.levels, moves)?;
        let members = usize::try_from(head.members).map_err(|_| inconsistent())?;
        let mut visited = Visited::with_capacity(members);
        let mut read = 0;
        while read < members {
            let want = CHUNK.min(members - read);
            let bytes = chunk(input, &mut scratch, 8 * want)?;
            for b in bytes.chunks_exact(8) {
                let member = u64::from_le_bytes(b.try_into().expect("8 bytes"));
                if !visited.insert(member) {
                    return Err("its visited set holds a state twice".to_string());
                }
            }
            read += want;
        }
        let next_ok = head.next == START || head.next as usize <= tree.len();
        if !next_ok || (head.done > 0 && head.next as usize == tree.len()) {
            return Err(inconsistent());
        }
        Ok(Snapshot {
            tree,
            visited,
            open: head.open.iter().map(|&c| c as usize).collect(),
            decided,
            next: head.next,
            done: head.done,
            generated_states: usize::try_from(head.generated_states).map_err(|_| inconsistent())?,
            depth_max: usize::try_from(head.depth_max).map_err(|_| inconsistent())?,
            expanded: usize::try_from(head.expanded).map_err(|_| inconsistent())?,
            seconds: head.seconds,
        })
    }
}

/// The next byte string of `input`, which must be `want` bytes long.
fn chunk<'a, R: Read>(
    input: &'a mut R,
    scratch: &'a mut [u8],
    want: usize,
) -> Result<&'a [u8], String> {
    let (bytes, _) = postcard::from_io::<&[u8], _>((input, scratch))
        .map_err(|e| format!("it ends early or is damaged ({e})"))?;
    match bytes.len() == want {
        true => Ok(bytes),
        false => Err("its search record is inconsistent".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Condition, Goal, search, search_from};
    use super::*;
    use crate::limits::Budget;
    use crate::properties::PROPERTIES;
    use crate::reduce::{Reduction, Space};
    use crate::system::System;

    #[test]
    fn a_search_stopped_anywhere_and_resumed_from_its_bytes_ends_as_one_never_stopped() {
        let config = crate::setup::config("rfc5162", &[], Default::default()).unwrap();
        let start = System::initial(&config);
        let conditions: Vec<Condition> = PROPERTIES.iter().map(|p| (p.kind, p.condition)).collect();
        let space = Space {
            config: &config,
            reduction: Reduction::ALL,
        };
        let goal = Goal::Exhaust;
        let whole = search(&space, &start, &conditions, goal, &Budget::new(None), 2);
        let counts = |o: &super::super::Outcome| {
            (
                o.unique_states,
                o.generated_states,
                o.depth_max,
                o.exhausted,
            )
        };
        assert_eq!(counts(&whole), (30384, 171744, 8, true));
        assert_eq!(whole.decided.len(), 8);
        let mut inside_a_node = 0;
        for stop_at in [1, 500, 4099, 77777, 171743] {
            let budget = Budget::new(Some(stop_at));
            let (stopped, snapshot) =
                search_from(&space, &start, &conditions, goal, &budget, 1, None);
            assert_eq!(stopped.generated_states, stop_at);
            let snapshot = snapshot.expect("stopped by the budget");
            inside_a_node += usize::from(snapshot.done > 0);
            let mut bytes = Vec::new();
            snapshot.write(&mut bytes).unwrap();
            let size = bytes.len() as u64;
            // Cut anywhere, the bytes are refused, never misread.
            for cut in [0, 1, bytes.len() / 3, bytes.len() - 1] {
                let read = Snapshot::read(&mut &bytes[..cut], conditions.len(), size);
                assert!(read.is_err(), "cut at {cut} of {size}");
            }
            let read = Snapshot::read(&mut &bytes[..], conditions.len(), size).unwrap();
            let budget = Budget::new(None);
            budget.resume_at(stop_at);
            let (resumed, left) =
                search_from(&space, &start, &conditions, goal, &budget, 2, Some(read));
            assert!(left.is_none());
            assert_eq!(counts(&resumed), counts(&whole), "stopped at {stop_at}");
            assert_eq!(resumed.decided, whole.decided, "stopped at {stop_at}");
        }
        // Most limits fall inside a node's successors: the resumed search starts there.
        assert!(inside_a_node >= 3, "{inside_a_node}");
    }
}
