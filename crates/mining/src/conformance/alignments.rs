//! Optimal alignments under the standard cost function (PM4Py's): a synchronous move costs 0,
//! a log move or a visible model move 10 000, a silent model move 1. Found with A* on the
//! synchronous product of the net and the trace, once per variant, with a consistent
//! structural heuristic (remaining events no reachable transition can do are log moves).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use foldhash::{HashMap, HashMapExt};

use crate::petri::PetriNet;
use crate::trace_log::TraceLog;

/// Cost of a log move or a visible model move.
pub const MOVE_COST: u64 = 10_000;
/// Cost of a silent model move.
pub const TAU_COST: u64 = 1;

/// One step of an alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Log and model agree on the activity.
    Sync(u32),
    /// The log has an event the model could not do (activity id).
    Log(u32),
    /// The model did a step the log does not have (transition index).
    Model(u32),
}

/// The optimal alignment of one trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceAlignment {
    /// Total cost under the standard cost function.
    pub cost: u64,
    /// Cost of the worst reasonable alignment: all log moves plus the cheapest model run.
    pub best_worst_cost: u64,
    /// `1 − ⌊cost/10000⌋ / ⌊bwc/10000⌋` (PM4Py's trace fitness).
    pub fitness: f64,
    /// The moves, in order.
    pub moves: Vec<Move>,
}

/// Alignment results for a whole log.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignmentResult {
    /// One alignment per variant (None when the search exceeded its state budget).
    pub variants: Vec<Option<TraceAlignment>>,
    /// `1 − Σ cost / Σ bwc` over all cases.
    pub log_fitness: f64,
    /// Mean trace fitness over cases.
    pub average_trace_fitness: f64,
    /// Cases whose trace fitness is 1.
    pub fitting_cases: u64,
    /// Cases aligned.
    pub cases: u64,
}

/// States explored per trace before giving up (keeps unbounded nets from running away).
pub const DEFAULT_STATE_BUDGET: usize = 2_000_000;

/// Aligns every variant of the log once and aggregates over cases.
pub fn align_log(net: &PetriNet, log: &TraceLog) -> AlignmentResult {
    let aligner = Aligner::new(net, &log.activities);
    let variants: Vec<Option<TraceAlignment>> = log
        .variants
        .iter()
        .map(|v| aligner.align(&v.trace))
        .collect();
    let (mut cost, mut bwc, mut cases, mut fitting, mut fit_sum) =
        (0u128, 0u128, 0u64, 0u64, 0.0f64);
    for (v, a) in log.variants.iter().zip(&variants) {
        if let Some(a) = a {
            cost += a.cost as u128 * v.count as u128;
            bwc += a.best_worst_cost as u128 * v.count as u128;
            cases += v.count;
            if a.fitness == 1.0 {
                fitting += v.count;
            }
            fit_sum += a.fitness * v.count as f64;
        }
    }
    let log_fitness = if bwc > 0 {
        1.0 - cost as f64 / bwc as f64
    } else {
        1.0
    };
    let average_trace_fitness = if cases > 0 {
        fit_sum / cases as f64
    } else {
        0.0
    };
    AlignmentResult {
        variants,
        log_fitness,
        average_trace_fitness,
        fitting_cases: fitting,
        cases,
    }
}

/// A net prepared for aligning traces over a log's activities.
pub struct Aligner<'a> {
    net: &'a PetriNet,
    /// Per log activity id: transitions carrying that label.
    sync: Vec<Vec<u32>>,
    best_worst: Option<u64>,
    budget: usize,
    /// Per place: bitset of the log activities some transition structurally reachable from
    /// the place can still do (the A* heuristic's view of the future).
    reachable: Vec<Vec<u64>>,
    /// Activities of transitions without input places (always possible).
    always: Vec<u64>,
}

/// A search state: model marking, position in the trace, and whether the last move was a
/// model move (see `search`).
type StateKey = (Box<[u8]>, u32, bool);

struct Node {
    marking: Box<[u8]>,
    pos: u32,
    parent: u32,
    mv: Option<Move>,
}

impl<'a> Aligner<'a> {
    /// Prepares the aligner and computes the model's cheapest complete run.
    pub fn new(net: &'a PetriNet, activities: &[String]) -> Self {
        let sync: Vec<Vec<u32>> = activities
            .iter()
            .map(|a| {
                (0..net.transitions.len() as u32)
                    .filter(|&t| net.transitions[t as usize].label.as_deref() == Some(a.as_str()))
                    .collect()
            })
            .collect();
        let (reachable, always) = reachable_activities(net, &sync);
        let mut aligner = Aligner {
            net,
            sync,
            best_worst: None,
            budget: DEFAULT_STATE_BUDGET,
            reachable,
            always,
        };
        aligner.best_worst = aligner.search(&[]).map(|(c, _)| c);
        aligner
    }

    /// Cheapest cost to go from the initial to the final marking with model moves only.
    pub fn model_cost(&self) -> Option<u64> {
        self.best_worst
    }

    /// Optimal alignment of a trace of activity ids, or None if the final marking cannot be
    /// reached within the state budget.
    pub fn align(&self, trace: &[u32]) -> Option<TraceAlignment> {
        let model = self.best_worst?;
        let (cost, moves) = self.search(trace)?;
        let bwc = model + MOVE_COST * trace.len() as u64;
        let den = bwc / MOVE_COST;
        let fitness = if den > 0 {
            1.0 - (cost / MOVE_COST) as f64 / den as f64
        } else {
            0.0
        };
        Some(TraceAlignment {
            cost,
            best_worst_cost: bwc,
            fitness,
            moves,
        })
    }

    fn to_bytes(m: &[u32]) -> Option<Box<[u8]>> {
        m.iter().map(|&c| u8::try_from(c).ok()).collect()
    }

    /// A* lower bound: every remaining event whose activity no transition reachable from the
    /// marked places can do must become a log move. Consistent, because firing only moves
    /// tokens to places reachable from marked ones, so the possible activities only shrink.
    fn heuristic(&self, marking: &[u8], trace: &[u32], pos: u32) -> u64 {
        let mut possible = self.always.clone();
        for (p, &c) in marking.iter().enumerate() {
            if c > 0 {
                for (w, r) in possible.iter_mut().zip(&self.reachable[p]) {
                    *w |= r;
                }
            }
        }
        let blocked = trace[pos as usize..]
            .iter()
            .filter(|&&a| {
                possible
                    .get(a as usize / 64)
                    .is_none_or(|w| w >> (a % 64) & 1 == 0)
            })
            .count();
        MOVE_COST * blocked as u64
    }

    fn search(&self, trace: &[u32]) -> Option<(u64, Vec<Move>)> {
        let net = self.net;
        let target = Self::to_bytes(&net.final_marking)?;
        let start = Self::to_bytes(&net.initial_marking)?;
        let mut nodes: Vec<Node> = vec![Node {
            marking: start.clone(),
            pos: 0,
            parent: u32::MAX,
            mv: None,
        }];
        let mut best: HashMap<StateKey, (u64, u32)> = HashMap::new();
        best.insert((start, 0, false), (0, 0));
        let mut heap = BinaryHeap::new();
        let mut g_of: Vec<u64> = vec![0];
        heap.push(Reverse((self.heuristic(&nodes[0].marking, trace, 0), 0u32)));
        let mut closed: HashMap<u32, ()> = HashMap::new();
        let mut scratch: Vec<u32> = vec![0; net.places.len()];
        while let Some(Reverse((_, id))) = heap.pop() {
            if closed.insert(id, ()).is_some() {
                continue;
            }
            let cost = g_of[id as usize];
            let (pos, after_model, done) = {
                let n = &nodes[id as usize];
                (
                    n.pos,
                    matches!(n.mv, Some(Move::Model(_))),
                    n.pos as usize == trace.len() && n.marking == target,
                )
            };
            if done {
                let mut moves = Vec::new();
                let mut cur = id;
                while cur != 0 {
                    let n = &nodes[cur as usize];
                    moves.push(n.mv.clone().expect("non-root has a move"));
                    cur = n.parent;
                }
                moves.reverse();
                return Some((cost, moves));
            }
            if nodes.len() > self.budget {
                return None;
            }
            let mut successors: Vec<(StateKey, u64, Move)> = Vec::new();
            let marking = nodes[id as usize].marking.clone();
            for (ti, t) in net.transitions.iter().enumerate() {
                if !t
                    .inputs
                    .iter()
                    .all(|&(p, w)| marking[p as usize] as u32 >= w)
                {
                    continue;
                }
                for (s, &b) in scratch.iter_mut().zip(marking.iter()) {
                    *s = b as u32;
                }
                net.fire(ti as u32, &mut scratch);
                let Some(next) = Self::to_bytes(&scratch) else {
                    continue;
                };
                let model_cost = if t.label.is_some() {
                    MOVE_COST
                } else {
                    TAU_COST
                };
                successors.push((
                    (next.clone(), pos, true),
                    model_cost,
                    Move::Model(ti as u32),
                ));
                if let Some(&a) = trace.get(pos as usize)
                    && self
                        .sync
                        .get(a as usize)
                        .is_some_and(|ts| ts.contains(&(ti as u32)))
                {
                    successors.push(((next, pos + 1, false), 0, Move::Sync(ti as u32)));
                }
            }
            // A log move commutes with a preceding model move, so only alignments where log
            // moves come first within a run of deviations are explored: same optimal cost,
            // far fewer equivalent interleavings.
            if let Some(&a) = trace.get(pos as usize)
                && !after_model
            {
                successors.push(((marking.clone(), pos + 1, false), MOVE_COST, Move::Log(a)));
            }
            for (key, c, mv) in successors {
                let nc = cost + c;
                let p = key.1;
                match best.get_mut(&key) {
                    Some((old, _)) if *old <= nc => continue,
                    Some(entry) => {
                        let nid = nodes.len() as u32;
                        nodes.push(Node {
                            marking: key.0.clone(),
                            pos: p,
                            parent: id,
                            mv: Some(mv),
                        });
                        *entry = (nc, nid);
                        g_of.push(nc);
                        heap.push(Reverse((nc + self.heuristic(&key.0, trace, p), nid)));
                    }
                    None => {
                        let nid = nodes.len() as u32;
                        nodes.push(Node {
                            marking: key.0.clone(),
                            pos: p,
                            parent: id,
                            mv: Some(mv),
                        });
                        g_of.push(nc);
                        heap.push(Reverse((nc + self.heuristic(&key.0, trace, p), nid)));
                        best.insert(key, (nc, nid));
                    }
                }
            }
        }
        None
    }
}

/// For every place, the activities of all transitions reachable from it through the net's
/// arcs; plus the activities of transitions that need no tokens at all.
fn reachable_activities(net: &PetriNet, sync: &[Vec<u32>]) -> (Vec<Vec<u64>>, Vec<u64>) {
    let words = sync.len().div_ceil(64).max(1);
    let mut activity_of: Vec<Vec<u32>> = vec![Vec::new(); net.transitions.len()];
    for (a, ts) in sync.iter().enumerate() {
        for &t in ts {
            activity_of[t as usize].push(a as u32);
        }
    }
    let consumers = net.place_consumers();
    let collect =
        |starts: &[u32], seen_t: &mut Vec<bool>, seen_p: &mut Vec<bool>, bits: &mut Vec<u64>| {
            let mut stack: Vec<u32> = starts.to_vec();
            while let Some(t) = stack.pop() {
                if std::mem::replace(&mut seen_t[t as usize], true) {
                    continue;
                }
                for &a in &activity_of[t as usize] {
                    bits[a as usize / 64] |= 1 << (a % 64);
                }
                for &(p, _) in &net.transitions[t as usize].outputs {
                    if !std::mem::replace(&mut seen_p[p as usize], true) {
                        stack.extend(consumers[p as usize].iter().copied());
                    }
                }
            }
        };
    let free: Vec<u32> = (0..net.transitions.len() as u32)
        .filter(|&t| net.transitions[t as usize].inputs.is_empty())
        .collect();
    let mut always = vec![0u64; words];
    collect(
        &free,
        &mut vec![false; net.transitions.len()],
        &mut vec![false; net.places.len()],
        &mut always,
    );
    let reachable = (0..net.places.len())
        .map(|p| {
            let mut bits = vec![0u64; words];
            let mut seen_p = vec![false; net.places.len()];
            seen_p[p] = true;
            collect(
                &consumers[p],
                &mut vec![false; net.transitions.len()],
                &mut seen_p,
                &mut bits,
            );
            bits
        })
        .collect();
    (reachable, always)
}
