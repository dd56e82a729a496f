//! The inductive miner's working data: a variant-compressed log and its directly-follows graph.
//!
//! Activity ids here are ranks in name order, so "sorted by id" means "sorted by name",
//! which is the order PM4Py uses for every tie-break.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashMap;

/// Distinct traces with their multiplicities, in first-seen order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Uvcl {
    pub traces: Vec<(Vec<u32>, u64)>,
}

/// Collects traces, adding up the counts of equal ones (like a Python `Counter.update`).
#[derive(Default)]
pub(crate) struct UvclBuilder {
    index: HashMap<Vec<u32>, usize>,
    traces: Vec<(Vec<u32>, u64)>,
}

impl UvclBuilder {
    pub fn add(&mut self, trace: Vec<u32>, count: u64) {
        if let Some(&i) = self.index.get(&trace) {
            self.traces[i].1 += count;
        } else {
            self.index.insert(trace.clone(), self.traces.len());
            self.traces.push((trace, count));
        }
    }

    pub fn finish(self) -> Uvcl {
        Uvcl {
            traces: self.traces,
        }
    }
}

impl Uvcl {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Vec<u32>, u64)>) -> Uvcl {
        let mut b = UvclBuilder::default();
        for (t, c) in pairs {
            b.add(t, c);
        }
        b.finish()
    }

    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }

    pub fn total(&self) -> u64 {
        self.traces.iter().map(|(_, c)| *c).sum()
    }

    pub fn has_empty_trace(&self) -> bool {
        self.traces.iter().any(|(t, _)| t.is_empty())
    }

    pub fn without_empty_traces(&self) -> Uvcl {
        Uvcl {
            traces: self
                .traces
                .iter()
                .filter(|(t, _)| !t.is_empty())
                .cloned()
                .collect(),
        }
    }

    /// Sorted distinct activities of the log.
    pub fn alphabet(&self) -> Vec<u32> {
        let set: BTreeSet<u32> = self
            .traces
            .iter()
            .flat_map(|(t, _)| t.iter().copied())
            .collect();
        set.into_iter().collect()
    }

    /// Keeps only the events `keep` accepts, adding up traces that become equal.
    pub fn filter_events(&self, keep: impl Fn(u32) -> bool) -> Uvcl {
        Uvcl::from_pairs(
            self.traces
                .iter()
                .map(|(t, c)| (t.iter().copied().filter(|&a| keep(a)).collect(), *c)),
        )
    }
}

/// Directly-follows graph with start and end activities and their frequencies.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dfg {
    pub edges: BTreeMap<(u32, u32), u64>,
    pub start: BTreeMap<u32, u64>,
    pub end: BTreeMap<u32, u64>,
}

impl Dfg {
    pub fn of(log: &Uvcl) -> Dfg {
        let mut dfg = Dfg::default();
        for (t, c) in &log.traces {
            if let (Some(&first), Some(&last)) = (t.first(), t.last()) {
                *dfg.start.entry(first).or_default() += c;
                *dfg.end.entry(last).or_default() += c;
            }
            for w in t.windows(2) {
                *dfg.edges.entry((w[0], w[1])).or_default() += c;
            }
        }
        dfg
    }

    /// Activities that occur in an edge or as start or end (PM4Py's `get_vertices`).
    pub fn vertices(&self) -> Vec<u32> {
        let mut v: BTreeSet<u32> = self.start.keys().chain(self.end.keys()).copied().collect();
        for &(a, b) in self.edges.keys() {
            v.insert(a);
            v.insert(b);
        }
        v.into_iter().collect()
    }

    pub fn has_edge(&self, a: u32, b: u32) -> bool {
        self.edges.contains_key(&(a, b))
    }
}

/// Dense local view of a DFG for the cut searches: vertex `i` is `vertices[i]`.
pub(crate) struct LocalGraph {
    pub vertices: Vec<u32>,
    pub succ: Vec<Vec<usize>>,
    pub edge: Vec<Vec<bool>>,
}

impl LocalGraph {
    pub fn new(dfg: &Dfg) -> LocalGraph {
        let vertices = dfg.vertices();
        let pos: HashMap<u32, usize> = vertices.iter().enumerate().map(|(i, &a)| (a, i)).collect();
        let k = vertices.len();
        let mut succ = vec![Vec::new(); k];
        let mut edge = vec![vec![false; k]; k];
        for &(a, b) in dfg.edges.keys() {
            let (i, j) = (pos[&a], pos[&b]);
            succ[i].push(j);
            edge[i][j] = true;
        }
        LocalGraph {
            vertices,
            succ,
            edge,
        }
    }

    /// `reach[i][j]`: j is reachable from i by a non-empty path (networkx `descendants`,
    /// which never contains the source itself).
    pub fn reachability(&self) -> Vec<Vec<bool>> {
        let k = self.vertices.len();
        let mut reach = vec![vec![false; k]; k];
        for (s, row) in reach.iter_mut().enumerate() {
            let mut stack: Vec<usize> = self.succ[s].clone();
            while let Some(v) = stack.pop() {
                if !row[v] {
                    row[v] = true;
                    stack.extend(self.succ[v].iter().copied());
                }
            }
            row[s] = false;
        }
        reach
    }
}

/// Union-find over `0..n`, used to build the partitions the cuts are made of.
pub(crate) struct Partition {
    parent: Vec<usize>,
}

impl Partition {
    pub fn new(n: usize) -> Self {
        Partition {
            parent: (0..n).collect(),
        }
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }

    /// The classes as sorted index lists, ordered by their smallest member.
    pub fn classes(&mut self) -> Vec<Vec<usize>> {
        let n = self.parent.len();
        let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let r = self.find(i);
            by_root.entry(r).or_default().push(i);
        }
        let mut classes: Vec<Vec<usize>> = by_root.into_values().collect();
        classes.sort_by_key(|c| c[0]);
        classes
    }
}
