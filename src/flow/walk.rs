//! Planning walks over a link graph: bounded, and the same for the same seed. A walk starts at
//! an operation that edges leave (one no edge reaches first, such as a create) and follows
//! edges chosen by the seed, at most `max_steps` calls long. The probes a step calls for (a read
//! after a create or a delete) are the driver's, not part of the plan.

use super::graph::Graph;

/// One planned call: an operation of the spec, reached through an edge (none for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedStep {
    pub operation: usize,
    pub edge: Option<usize>,
}

/// One walk: its steps in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    pub steps: Vec<PlannedStep>,
}

/// A small deterministic generator (SplitMix64): a walk depends on its seed only.
pub(super) struct Draw(u64);

impl Draw {
    pub fn new(seed: u64) -> Draw {
        Draw(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The operations a walk may start at: edge sources that no edge reaches, else every source.
fn starts(graph: &Graph) -> Vec<usize> {
    let mut sources: Vec<usize> = graph.edges.iter().map(|e| e.from).collect();
    sources.sort_unstable();
    sources.dedup();
    let roots: Vec<usize> = sources.iter().copied().filter(|s| !graph.edges.iter().any(|e| e.to == *s)).collect();
    if roots.is_empty() { sources } else { roots }
}

/// `count` walks over `graph`, each at most `max_steps` calls, drawn from `seed`. The starts
/// take turns, so that every root is walked when `count` allows.
pub fn plan_walks(graph: &Graph, seed: u64, count: usize, max_steps: usize) -> Vec<Walk> {
    let starts = starts(graph);
    if starts.is_empty() || max_steps == 0 {
        return Vec::new();
    }
    let mut draw = Draw::new(seed);
    (0..count)
        .map(|n| {
            let mut steps = vec![PlannedStep { operation: starts[n % starts.len()], edge: None }];
            while steps.len() < max_steps {
                let here = steps.last().expect("one step at least").operation;
                let leaving: Vec<usize> =
                    graph.edges.iter().enumerate().filter(|(_, e)| e.from == here).map(|(i, _)| i).collect();
                if leaving.is_empty() {
                    break;
                }
                let edge = leaving[draw.below(leaving.len())];
                steps.push(PlannedStep { operation: graph.edges[edge].to, edge: Some(edge) });
            }
            Walk { steps }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::graph::{Edge, EdgeOrigin};

    fn edge(from: usize, to: usize) -> Edge {
        Edge {
            from,
            to,
            status: None,
            origin: EdgeOrigin::Declared,
            name: String::new(),
            bindings: Vec::new(),
            request_body: None,
        }
    }

    #[test]
    fn walks_are_bounded_follow_edges_and_repeat_for_a_seed() {
        let graph = Graph { edges: vec![edge(0, 1), edge(1, 2), edge(2, 1), edge(1, 3)] };
        let walks = plan_walks(&graph, 7, 20, 5);
        assert_eq!(walks, plan_walks(&graph, 7, 20, 5));
        assert_ne!(walks, plan_walks(&graph, 8, 20, 5));
        for walk in &walks {
            assert!(walk.steps.len() <= 5);
            assert_eq!(walk.steps[0], PlannedStep { operation: 0, edge: None });
            for pair in walk.steps.windows(2) {
                let e = &graph.edges[pair[1].edge.unwrap()];
                assert_eq!((e.from, e.to), (pair[0].operation, pair[1].operation));
            }
        }
        assert!(walks.iter().any(|w| w.steps.last().unwrap().operation == 3));
        assert!(plan_walks(&Graph::default(), 7, 3, 5).is_empty());
    }
}
