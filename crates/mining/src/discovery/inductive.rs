//! Inductive Miner (IM) and Inductive Miner – infrequent (IMf), as in PM4Py 2.7.
//!
//! The miner recursively finds a cut in the directly-follows graph (×, →, ∧, ↺ in that
//! order), splits the log accordingly and recurses; when no cut exists it uses PM4Py's
//! fall-throughs (activity once per trace, activity concurrent, strict τ-loop, τ-loop,
//! flower). IMf first removes infrequent empty traces and, when no cut is found, retries on
//! a DFG without edges below `noise × (strongest outgoing edge)`.

use super::inductive_cuts::find_cut;
use super::inductive_log::{Dfg, Uvcl, UvclBuilder};
use super::process_tree::{Operator, ProcessTree};
use crate::trace_log::TraceLog;

/// Which inductive miner to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InductiveVariant {
    /// IM: perfectly fitting, no filtering.
    Im,
    /// IMf: filters infrequent behaviour.
    Imf {
        /// Noise threshold in `[0, 1]`: edges below `noise ×` the strongest outgoing edge of
        /// their source are ignored when no cut is found otherwise.
        noise: f64,
    },
}

/// Discovers a process tree from a log with the inductive miner.
///
/// The tree is folded like PM4Py's (`X(X(a,b),c)` becomes `X(a,b,c)`, redundant τ removed).
pub fn discover_process_tree(log: &TraceLog, variant: InductiveVariant) -> ProcessTree {
    // Rank activities by name so every "sorted" tie-break of PM4Py is a sort by id here.
    let mut order: Vec<u32> = (0..log.activities.len() as u32).collect();
    order.sort_by(|&a, &b| log.activities[a as usize].cmp(&log.activities[b as usize]));
    let mut rank = vec![0u32; order.len()];
    for (r, &a) in order.iter().enumerate() {
        rank[a as usize] = r as u32;
    }
    let names: Vec<&str> = order
        .iter()
        .map(|&a| log.activities[a as usize].as_str())
        .collect();
    let uvcl = Uvcl::from_pairs(
        log.variants
            .iter()
            .map(|v| (v.trace.iter().map(|&a| rank[a as usize]).collect(), v.count)),
    );
    let miner = Miner {
        names: &names,
        variant,
    };
    miner.mine(uvcl).fold()
}

struct Miner<'a> {
    names: &'a [&'a str],
    variant: InductiveVariant,
}

impl Miner<'_> {
    fn mine(&self, log: Uvcl) -> ProcessTree {
        match self.variant {
            InductiveVariant::Im => self.im(log),
            InductiveVariant::Imf { noise } => self
                .imf(log, None, noise, false)
                .expect("first IMf pass always answers"),
        }
    }

    fn node(&self, op: Operator, logs: Vec<Uvcl>) -> ProcessTree {
        ProcessTree::Node(op, logs.into_iter().map(|l| self.mine(l)).collect())
    }

    fn im(&self, log: Uvcl) -> ProcessTree {
        if log.has_empty_trace() {
            let rest = log.without_empty_traces();
            if rest.is_empty() {
                return ProcessTree::Tau;
            }
            return ProcessTree::Node(Operator::Xor, vec![ProcessTree::Tau, self.mine(rest)]);
        }
        let dfg = Dfg::of(&log);
        if let Some(t) = self.base_case(&log) {
            return t;
        }
        if let Some((op, logs)) = find_cut(&log, &dfg) {
            return self.node(op, logs);
        }
        let (op, logs) = fall_through(&log);
        self.node(op, logs)
    }

    fn imf(
        &self,
        mut log: Uvcl,
        filtered: Option<Dfg>,
        noise: f64,
        second: bool,
    ) -> Option<ProcessTree> {
        let mut dfg = filtered;
        if log.has_empty_trace() {
            let rest = log.without_empty_traces();
            if !rest.is_empty() {
                let (all, kept) = (log.total(), rest.total());
                if (all - kept) as f64 > noise * all as f64 {
                    return Some(ProcessTree::Node(
                        Operator::Xor,
                        vec![ProcessTree::Tau, self.mine(rest)],
                    ));
                }
                log = rest;
                dfg = None;
            }
        }
        let dfg = dfg.unwrap_or_else(|| Dfg::of(&log));
        if let Some(t) = self.base_case(&log) {
            return Some(t);
        }
        if let Some((op, logs)) = find_cut(&log, &dfg) {
            return Some(self.node(op, logs));
        }
        if second {
            return None;
        }
        let noisy_free = filter_noise(&dfg, noise);
        if let Some(t) = self.imf(log.clone(), Some(noisy_free), noise, true) {
            return Some(t);
        }
        let (op, logs) = fall_through(&log);
        Some(self.node(op, logs))
    }

    /// Empty log → τ; a log with one distinct trace of length ≤ 1 → that activity (or τ).
    fn base_case(&self, log: &Uvcl) -> Option<ProcessTree> {
        match log.traces.as_slice() {
            [] => Some(ProcessTree::Tau),
            [(t, _)] if t.len() <= 1 => Some(match t.first() {
                Some(&a) => ProcessTree::Activity(self.names[a as usize].to_string()),
                None => ProcessTree::Tau,
            }),
            _ => None,
        }
    }
}

/// IMf's DFG filter: drop edges not above `noise ×` the strongest outgoing edge (or end count)
/// of their source, and start activities below `noise ×` the most frequent start.
fn filter_noise(dfg: &Dfg, noise: f64) -> Dfg {
    let mut max_out: std::collections::BTreeMap<u32, u64> = Default::default();
    for (&(a, _), &c) in &dfg.edges {
        let m = max_out.entry(a).or_insert(c);
        *m = (*m).max(c);
        if let Some(&e) = dfg.end.get(&a) {
            *m = (*m).max(e);
        }
    }
    let edges = dfg
        .edges
        .iter()
        .filter(|&(&(a, _), &c)| c as f64 > noise * max_out[&a] as f64)
        .map(|(&k, &v)| (k, v))
        .collect();
    let start_max = dfg.start.values().copied().max().unwrap_or(0);
    let start = dfg
        .start
        .iter()
        .filter(|&(_, &c)| c as f64 >= start_max as f64 * noise)
        .map(|(&k, &v)| (k, v))
        .collect();
    Dfg {
        edges,
        start,
        end: dfg.end.clone(),
    }
}

/// PM4Py's fall-throughs, tried in its order; the flower model always applies.
fn fall_through(log: &Uvcl) -> (Operator, Vec<Uvcl>) {
    if let Some(a) = activity_once_per_trace(log).or_else(|| activity_concurrent(log)) {
        let only_a = log.filter_events(|e| e == a);
        let others = log.filter_events(|e| e != a);
        return (Operator::Parallel, vec![only_a, others]);
    }
    if let Some(split) = tau_loop_split(log, true).or_else(|| tau_loop_split(log, false)) {
        return (Operator::Loop, vec![split, Uvcl::default()]);
    }
    let redo = Uvcl::from_pairs(log.alphabet().into_iter().map(|a| (vec![a], 1)));
    (Operator::Loop, vec![Uvcl::default(), redo])
}

/// The first activity (by name) that occurs exactly once in every trace.
fn activity_once_per_trace(log: &Uvcl) -> Option<u32> {
    let mut candidates = log.alphabet();
    for (t, _) in &log.traces {
        candidates.retain(|&a| t.iter().filter(|&&e| e == a).count() == 1);
        if candidates.is_empty() {
            return None;
        }
    }
    candidates.first().copied()
}

/// The first activity (by name) whose removal lets some cut be found.
fn activity_concurrent(log: &Uvcl) -> Option<u32> {
    log.alphabet().into_iter().find(|&a| {
        // Counts do not influence the cut search (PM4Py even overwrites them here).
        let reduced = log.filter_events(|e| e != a);
        find_cut(&reduced, &Dfg::of(&reduced)).is_some()
    })
}

/// Splits traces where a start activity follows an end activity (strict) or at any start
/// activity; answers only if that made more traces.
fn tau_loop_split(log: &Uvcl, strict: bool) -> Option<Uvcl> {
    let starts: std::collections::BTreeSet<u32> = log
        .traces
        .iter()
        .filter_map(|(t, _)| t.first().copied())
        .collect();
    let ends: std::collections::BTreeSet<u32> = log
        .traces
        .iter()
        .filter_map(|(t, _)| t.last().copied())
        .collect();
    let mut out = UvclBuilder::default();
    for (t, c) in &log.traces {
        let mut x = 0;
        for i in 1..t.len() {
            if starts.contains(&t[i]) && (!strict || ends.contains(&t[i - 1])) {
                out.add(t[x..i].to_vec(), *c);
                x = i;
            }
        }
        out.add(t[x..].to_vec(), *c);
    }
    let out = out.finish();
    (out.total() > log.total()).then_some(out)
}
