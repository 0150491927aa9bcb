//! The search tree, kept small: per state its parent and its move, 8 bytes, where a node
//! holding a whole [`Move`] took 32. Moves are interned (a model has a few hundred distinct
//! ones), and depths are kept per level, not per node: the tree grows breadth-first, so the
//! nodes of one depth are one run of indices.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::fingerprint::StableHasher;
use crate::reduce::Move;

/// The start state's index: it has no node.
pub(super) const START: u32 = u32::MAX;

#[derive(Clone, Copy)]
pub(super) struct Node {
    /// Index of the parent node; [`START`] for the start state's children.
    pub parent: u32,
    /// Index into [`Tree::moves`].
    pub action: u32,
}

#[derive(Default)]
pub(super) struct Tree {
    nodes: Vec<Node>,
    /// `levels[d]` is the index of the first node at depth d + 1 (moves from the start).
    levels: Vec<u32>,
    moves: Vec<Move>,
    interned: HashMap<Move, u32, BuildHasherDefault<StableHasher>>,
}

impl Tree {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds the state `action` leads to from `parent`, at depth `depth` (its parent's + 1,
    /// never less than the last node's: the tree grows breadth-first); returns its index.
    pub fn push(&mut self, parent: u32, depth: u32, action: Move) -> u32 {
        let index = self.nodes.len() as u32;
        debug_assert!(depth as usize >= self.levels.len());
        while self.levels.len() < depth as usize {
            self.levels.push(index);
        }
        let moves = &mut self.moves;
        let action = *self.interned.entry(action).or_insert_with(|| {
            moves.push(action);
            (moves.len() - 1) as u32
        });
        self.nodes.push(Node { parent, action });
        index
    }

    pub fn parent(&self, index: u32) -> u32 {
        self.nodes[index as usize].parent
    }

    pub fn action(&self, index: u32) -> Move {
        self.moves[self.nodes[index as usize].action as usize]
    }

    /// Moves from the start; 0 for [`START`].
    pub fn depth(&self, index: u32) -> u32 {
        match index {
            START => 0,
            _ => self.levels.partition_point(|&first| first <= index) as u32,
        }
    }

    /// The nodes, the first node of each depth and the interned moves: what a checkpoint
    /// holds (persist.rs).
    pub fn parts(&self) -> (&[Node], &[u32], &[Move]) {
        (&self.nodes, &self.levels, &self.moves)
    }

    /// The tree of [`Tree::parts`], checked: each node's parent one depth above it, its
    /// move known, the depths in order.
    pub fn from_parts(
        nodes: Vec<Node>,
        levels: Vec<u32>,
        moves: Vec<Move>,
    ) -> Result<Tree, String> {
        let len = nodes.len();
        let ordered = levels.windows(2).all(|w| w[0] <= w[1])
            && levels.last().is_none_or(|&l| l as usize <= len)
            && levels.first().is_none_or(|&l| l == 0)
            && (len == 0 || !levels.is_empty())
            && len < START as usize;
        let first_at = |d: usize| match d {
            0 => 0,
            _ => levels.get(d - 1).map_or(len, |&l| l as usize),
        };
        let mut depth = 0;
        let consistent = ordered
            && nodes.iter().enumerate().all(|(i, node)| {
                while depth < levels.len() && levels[depth] as usize <= i {
                    depth += 1;
                }
                let parent_ok = match depth {
                    0 => false,
                    1 => node.parent == START,
                    d => (first_at(d - 1)..first_at(d)).contains(&(node.parent as usize)),
                };
                parent_ok && (node.action as usize) < moves.len()
            });
        if !consistent {
            return Err("its search tree is inconsistent".to_string());
        }
        let interned = moves
            .iter()
            .enumerate()
            .map(|(i, &m)| (m, i as u32))
            .collect();
        Ok(Tree {
            nodes,
            levels,
            moves,
            interned,
        })
    }

    /// The moves from the start to `index`.
    pub fn path_to(&self, mut index: u32) -> Vec<Move> {
        let mut path = Vec::new();
        while index != START {
            path.push(self.action(index));
            index = self.parent(index);
        }
        path.reverse();
        path
    }
}
