//! Token-based replay with PM4Py's semantics (`token_replay`, default parameters).
//!
//! A trace is replayed on the net; a visible transition that is not enabled is first
//! approached through silent transitions along the shortest silent paths towards its missing
//! input places, and otherwise fired after adding the missing tokens. At the end the replay
//! tries to reach the final marking through silent transitions. Fitness is
//! `½(1 − missing/consumed) + ½(1 − remaining/produced)`. Every tie-break PM4Py makes
//! (place names, path lengths, dictionary order) is reproduced, because the numbers must match.

use crate::petri::PetriNet;
use crate::trace_log::TraceLog;

/// Token counts of one replayed trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenCounts {
    /// Tokens that had to be added.
    pub missing: u64,
    /// Tokens consumed (including the final marking).
    pub consumed: u64,
    /// Tokens left over beyond the final marking.
    pub remaining: u64,
    /// Tokens produced (including the initial marking).
    pub produced: u64,
}

/// The replay of one trace (variant).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceReplay {
    /// Token counts.
    pub tokens: TokenCounts,
    /// No missing and no remaining tokens (PM4Py's `trace_is_fit`).
    pub is_fit: bool,
    /// `½(1 − m/c) + ½(1 − r/p)`.
    pub fitness: f64,
}

/// Token-replay results for a whole log.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenReplayResult {
    /// One entry per variant of the log, in the log's variant order.
    pub variants: Vec<TraceReplay>,
    /// Log fitness from the token counts summed over all cases.
    pub log_fitness: f64,
    /// Mean of the per-case fitness values.
    pub average_trace_fitness: f64,
    /// Number of cases with `is_fit`.
    pub fitting_cases: u64,
    /// Number of cases.
    pub cases: u64,
}

/// Replays every variant once and aggregates over cases (variants weighted by their counts).
pub fn token_replay(net: &PetriNet, log: &TraceLog) -> TokenReplayResult {
    let replayer = Replayer::new(net, &log.activities);
    let variants: Vec<TraceReplay> = log
        .variants
        .iter()
        .map(|v| replayer.replay(&v.trace))
        .collect();
    let mut sum = TokenCounts::default();
    let (mut cases, mut fitting, mut fit_sum) = (0u64, 0u64, 0.0f64);
    for (v, r) in log.variants.iter().zip(&variants) {
        sum.missing += r.tokens.missing * v.count;
        sum.consumed += r.tokens.consumed * v.count;
        sum.remaining += r.tokens.remaining * v.count;
        sum.produced += r.tokens.produced * v.count;
        cases += v.count;
        if r.is_fit {
            fitting += v.count;
        }
        fit_sum += r.fitness * v.count as f64;
    }
    let log_fitness = if cases > 0 && sum.consumed > 0 && sum.produced > 0 {
        0.5 * (1.0 - sum.missing as f64 / sum.consumed as f64)
            + 0.5 * (1.0 - sum.remaining as f64 / sum.produced as f64)
    } else {
        0.0
    };
    let average_trace_fitness = if cases > 0 {
        fit_sum / cases as f64
    } else {
        0.0
    };
    TokenReplayResult {
        variants,
        log_fitness,
        average_trace_fitness,
        fitting_cases: fitting,
        cases,
    }
}

/// A marking that also remembers the order in which places gained tokens, like the Python
/// dictionary PM4Py iterates in one of its tie-breaks.
#[derive(Clone)]
struct OrderedMarking {
    counts: Vec<u32>,
    order: Vec<u32>,
}

impl OrderedMarking {
    fn new(m: &[u32]) -> Self {
        let order = (0..m.len() as u32).filter(|&p| m[p as usize] > 0).collect();
        OrderedMarking {
            counts: m.to_vec(),
            order,
        }
    }

    fn add(&mut self, p: u32, w: u32) {
        if self.counts[p as usize] == 0 {
            self.order.push(p);
        }
        self.counts[p as usize] += w;
    }

    fn take(&mut self, p: u32, w: u32) {
        self.counts[p as usize] -= w;
        if self.counts[p as usize] == 0 {
            self.order.retain(|&q| q != p);
        }
    }
}

/// A net prepared for replay: silent shortest paths, name orders and label lookups.
pub struct Replayer<'a> {
    net: &'a PetriNet,
    /// `paths[p][q]`: silent transitions leading from place p to place q (PM4Py's
    /// `get_places_shortest_path_by_hidden`, depth ≤ 50).
    paths: Vec<Vec<Option<Vec<u32>>>>,
    /// Places in name order.
    places_by_name: Vec<u32>,
    /// Per log activity: the transitions with that label in name order.
    by_activity: Vec<Vec<u32>>,
    consumed: Vec<u64>,
    produced: Vec<u64>,
}

const MAX_PATH_DEPTH: usize = 50;
const MAX_HIDDEN_RECURSION: usize = 2;
const FINAL_ITERATIONS: usize = 5;

impl<'a> Replayer<'a> {
    /// Prepares `net` for replaying traces over `activities` (activity id = index).
    pub fn new(net: &'a PetriNet, activities: &[String]) -> Self {
        let np = net.places.len();
        let consumers = net.place_consumers();
        let mut paths = vec![vec![None; np]; np];
        for (p, row) in paths.iter_mut().enumerate() {
            shortest_silent_paths(net, &consumers, p as u32, &[], 0, row);
        }
        let mut places_by_name: Vec<u32> = (0..np as u32).collect();
        places_by_name.sort_by(|&a, &b| net.places[a as usize].cmp(&net.places[b as usize]));
        let mut trans_by_name: Vec<u32> = (0..net.transitions.len() as u32).collect();
        trans_by_name.sort_by(|&a, &b| {
            net.transitions[a as usize]
                .name
                .cmp(&net.transitions[b as usize].name)
        });
        let by_activity = activities
            .iter()
            .map(|a| {
                trans_by_name
                    .iter()
                    .copied()
                    .filter(|&t| net.transitions[t as usize].label.as_deref() == Some(a.as_str()))
                    .collect()
            })
            .collect();
        let consumed = net
            .transitions
            .iter()
            .map(|t| t.inputs.iter().map(|&(_, w)| w as u64).sum())
            .collect();
        let produced = net
            .transitions
            .iter()
            .map(|t| t.outputs.iter().map(|&(_, w)| w as u64).sum())
            .collect();
        Replayer {
            net,
            paths,
            places_by_name,
            by_activity,
            consumed,
            produced,
        }
    }

    fn enabled(&self, t: u32, m: &OrderedMarking) -> bool {
        self.net.is_enabled(t, &m.counts)
    }

    fn fire(&self, t: u32, m: &mut OrderedMarking, tokens: &mut TokenCounts) {
        let tr = &self.net.transitions[t as usize];
        for &(p, w) in &tr.inputs {
            m.take(p, w);
        }
        for &(p, w) in &tr.outputs {
            m.add(p, w);
        }
        tokens.consumed += self.consumed[t as usize];
        tokens.produced += self.produced[t as usize];
    }

    /// Silent paths from every marked place to every target place, shortest first
    /// (stable on name order of source, then target).
    fn silent_paths_to(&self, m: &OrderedMarking, targets: &[u32]) -> Vec<&[u32]> {
        let mut out: Vec<&[u32]> = Vec::new();
        for &p1 in &self.places_by_name {
            if m.counts[p1 as usize] == 0 {
                continue;
            }
            for &p2 in targets {
                if let Some(path) = &self.paths[p1 as usize][p2 as usize] {
                    out.push(path);
                }
            }
        }
        out.sort_by_key(|p| p.len());
        out
    }

    fn sorted_by_name(&self, mut places: Vec<u32>) -> Vec<u32> {
        places.sort_by(|&a, &b| self.net.places[a as usize].cmp(&self.net.places[b as usize]));
        places
    }

    /// Replays one trace of activity ids.
    pub fn replay(&self, trace: &[u32]) -> TraceReplay {
        let net = self.net;
        let mut m = OrderedMarking::new(&net.initial_marking);
        let mut tokens = TokenCounts {
            produced: net.initial_marking.iter().map(|&c| c as u64).sum(),
            ..Default::default()
        };
        let mut visited = vec![false; net.transitions.len()];
        for &a in trace {
            let candidates = match self.by_activity.get(a as usize) {
                Some(c) if !c.is_empty() => c,
                _ => continue, // activity not in the model: PM4Py skips it without counting
            };
            let t = candidates
                .iter()
                .copied()
                .find(|&t| self.enabled(t, &m))
                .unwrap_or(*candidates.last().expect("non-empty"));
            if !self.enabled(t, &m) {
                visited.iter_mut().for_each(|v| *v = false);
                self.apply_hidden(t, &mut m, 0, &mut visited, &mut tokens);
            }
            if !self.enabled(t, &m) {
                for &(p, w) in &net.transitions[t as usize].inputs {
                    if m.counts[p as usize] < w {
                        tokens.missing += (w - m.counts[p as usize]) as u64;
                        // PM4Py adds the full arc weight, not just the shortfall.
                        m.add(p, w);
                    }
                }
            }
            self.fire(t, &mut m, &mut tokens);
        }
        self.reach_final_marking(&mut m, &mut tokens);
        let fm = &net.final_marking;
        let mut missing_final = 0u64;
        let mut remaining = 0u64;
        for (&want, &have) in fm.iter().zip(&m.counts) {
            missing_final += want.saturating_sub(have) as u64;
            remaining += have.saturating_sub(want) as u64;
        }
        tokens.remaining = remaining;
        // PM4Py decides fitness before counting the final marking's missing tokens.
        let is_fit = tokens.missing == 0 && remaining == 0;
        tokens.consumed += fm.iter().map(|&c| c as u64).sum::<u64>();
        tokens.missing += missing_final;
        let fitness = if tokens.consumed > 0 && tokens.produced > 0 {
            0.5 * (1.0 - tokens.missing as f64 / tokens.consumed as f64)
                + 0.5 * (1.0 - tokens.remaining as f64 / tokens.produced as f64)
        } else {
            1.0
        };
        TraceReplay {
            tokens,
            is_fit,
            fitness,
        }
    }

    /// PM4Py's `apply_hidden_trans`: fire silent transitions towards the missing inputs of `t`.
    fn apply_hidden(
        &self,
        t: u32,
        m: &mut OrderedMarking,
        depth: usize,
        visited: &mut [bool],
        tokens: &mut TokenCounts,
    ) {
        if depth >= MAX_HIDDEN_RECURSION || visited[t as usize] {
            return;
        }
        visited[t as usize] = true;
        let missing_places: Vec<u32> = self.sorted_by_name(
            self.net.transitions[t as usize]
                .inputs
                .iter()
                .filter(|&&(p, w)| m.counts[p as usize] < w)
                .map(|&(p, _)| p)
                .collect(),
        );
        let mut dedup = missing_places.clone();
        dedup.dedup();
        let missing_places = dedup;
        let groups: Vec<Vec<u32>> = self
            .silent_paths_to(m, &missing_places)
            .into_iter()
            .map(<[u32]>::to_vec)
            .collect();
        if groups.is_empty() {
            return;
        }
        self.enable_hidden(t, m, visited, &groups, tokens);
        if !self.enabled(t, m) {
            let groups: Vec<Vec<u32>> = self
                .silent_paths_to(m, &missing_places)
                .into_iter()
                .map(<[u32]>::to_vec)
                .collect();
            for group in &groups {
                for &t4 in group {
                    if t4 != t && !visited[t4 as usize] {
                        if !self.enabled(t4, m) {
                            self.apply_hidden(t4, m, depth + 1, visited, tokens);
                        }
                        if self.enabled(t4, m) {
                            self.fire(t4, m, tokens);
                            visited[t4 as usize] = true;
                        }
                    }
                }
            }
        }
        // PM4Py then recurses on `t` itself, which returns at once because `t` is visited.
    }

    /// PM4Py's `enable_hidden_transitions` (non-exhaustive): walk the path groups round-robin.
    fn enable_hidden(
        &self,
        t: u32,
        m: &mut OrderedMarking,
        visited: &mut [bool],
        groups: &[Vec<u32>],
        tokens: &mut TokenCounts,
    ) {
        let n = groups.len();
        let mut next = vec![0usize; n];
        let mut z = 0usize;
        loop {
            let g = z % n;
            let mut changed = false;
            while next[g] < groups[g].len() {
                let t3 = groups[g][next[g]];
                if t3 != t && self.enabled(t3, m) && !visited[t3 as usize] {
                    self.fire(t3, m, tokens);
                    visited[t3 as usize] = true;
                    changed = true;
                }
                next[g] += 1;
                if self.enabled(t, m) {
                    break;
                }
            }
            if self.enabled(t, m) || !changed {
                return;
            }
            z += 1;
        }
    }

    fn final_reached(&self, m: &OrderedMarking) -> bool {
        self.net
            .final_marking
            .iter()
            .enumerate()
            .all(|(p, &c)| c == 0 || m.counts[p] > 0)
    }

    /// After the last event: fire silent paths towards the final marking.
    fn reach_final_marking(&self, m: &mut OrderedMarking, tokens: &mut TokenCounts) {
        let fm = &self.net.final_marking;
        let final_places = self.sorted_by_name(
            (0..fm.len() as u32)
                .filter(|&p| fm[p as usize] > 0)
                .collect(),
        );
        for _ in 0..FINAL_ITERATIONS {
            if self.final_reached(m) {
                break;
            }
            let groups: Vec<Vec<u32>> = self
                .silent_paths_to(m, &final_places)
                .into_iter()
                .map(<[u32]>::to_vec)
                .collect();
            for group in &groups {
                for &t in group {
                    if self.enabled(t, m) {
                        self.fire(t, m, tokens);
                    }
                }
                if self.final_reached(m) {
                    break;
                }
            }
        }
        if self.final_reached(m) || final_places.len() != 1 {
            return;
        }
        let sink = final_places[0] as usize;
        let mut connections: Vec<&[u32]> = m
            .order
            .iter()
            .filter_map(|&p| self.paths[p as usize][sink].as_deref())
            .collect();
        connections.sort_by_key(|c| c.len());
        let connections: Vec<Vec<u32>> = connections.into_iter().map(<[u32]>::to_vec).collect();
        for _ in 0..FINAL_ITERATIONS {
            for path in &connections {
                for &t in path {
                    if self.enabled(t, m) {
                        self.fire(t, m, tokens);
                    } else {
                        break;
                    }
                }
            }
        }
    }
}

/// PM4Py's depth-first search for silent paths from `from` (recorded in `row`), updating a
/// target whenever a strictly shorter path is found.
fn shortest_silent_paths(
    net: &PetriNet,
    consumers: &[Vec<u32>],
    current: u32,
    path: &[u32],
    depth: usize,
    row: &mut Vec<Option<Vec<u32>>>,
) {
    if depth > MAX_PATH_DEPTH {
        return;
    }
    for &t in &consumers[current as usize] {
        let tr = &net.transitions[t as usize];
        if tr.label.is_some() {
            continue;
        }
        for &(p2, _) in &tr.outputs {
            let better = match &row[p2 as usize] {
                None => true,
                Some(old) => path.len() + 1 < old.len(),
            };
            if better {
                let mut new_path = path.to_vec();
                new_path.push(t);
                row[p2 as usize] = Some(new_path.clone());
                shortest_silent_paths(net, consumers, p2, &new_path, depth + 1, row);
            }
        }
    }
}
