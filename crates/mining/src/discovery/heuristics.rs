//! Heuristics Miner (PM4Py's "classic" variant): a dependency graph from directly-follows
//! counts, AND-relations from the and-measure, and its conversion to a Petri net.

use std::collections::{BTreeMap, BTreeSet};

use crate::petri::PetriNet;
use crate::trace_log::TraceLog;

/// Thresholds of the heuristics miner (PM4Py's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeuristicsConfig {
    /// Minimum dependency `(|a>b| − |b>a|) / (|a>b| + |b>a| + 1)` for an edge.
    pub dependency_threshold: f64,
    /// Minimum and-measure for two successors (predecessors) to be concurrent.
    pub and_threshold: f64,
    /// Minimum occurrences of an activity.
    pub min_activity_count: u64,
    /// Minimum directly-follows count of an edge.
    pub min_dfg_occurrences: u64,
    /// Edges below this share of the strongest edge of both ends are dropped first.
    pub dfg_pre_cleaning_noise: f64,
    /// Minimum loop-of-length-two measure.
    pub loop_two_threshold: f64,
}

impl Default for HeuristicsConfig {
    fn default() -> Self {
        HeuristicsConfig {
            dependency_threshold: 0.5,
            and_threshold: 0.65,
            min_activity_count: 1,
            min_dfg_occurrences: 1,
            dfg_pre_cleaning_noise: 0.05,
            loop_two_threshold: 0.5,
        }
    }
}

/// An arc of the dependency graph.
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyEdge {
    /// Source activity id.
    pub source: u32,
    /// Target activity id.
    pub target: u32,
    /// Dependency measure (0 for arcs added for loops of length two).
    pub dependency: f64,
    /// Directly-follows count.
    pub frequency: u64,
}

/// The heuristics net: activities (nodes), dependency arcs and AND-bindings.
#[derive(Debug, Clone, PartialEq)]
pub struct HeuristicsNet {
    /// Activity names (ids as in the log).
    pub activities: Vec<String>,
    /// Activities that are nodes of the graph, sorted by name.
    pub nodes: Vec<u32>,
    /// Dependency arcs, sorted by (source name, target name).
    pub edges: Vec<DependencyEdge>,
    /// Dependency values of every (cleaned) directly-follows pair.
    pub dependency: BTreeMap<(u32, u32), f64>,
    /// Start activities with counts.
    pub start_activities: BTreeMap<u32, u64>,
    /// End activities with counts.
    pub end_activities: BTreeMap<u32, u64>,
    /// Per node: pairs of successors in an AND-split.
    pub and_out: BTreeMap<u32, Vec<(u32, u32)>>,
    /// Per node: pairs of predecessors in an AND-join.
    pub and_in: BTreeMap<u32, Vec<(u32, u32)>>,
}

/// Discovers the heuristics net of a log.
pub fn discover_heuristics_net(log: &TraceLog, cfg: &HeuristicsConfig) -> HeuristicsNet {
    let n = log.activities.len();
    let mut occ = vec![0u64; n];
    let mut dfg: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    let mut triples: BTreeMap<(u32, u32), u64> = BTreeMap::new(); // a→b→a
    let mut start = BTreeMap::new();
    let mut end = BTreeMap::new();
    for v in &log.variants {
        let t = &v.trace;
        for &a in t {
            occ[a as usize] += v.count;
        }
        if let (Some(&f), Some(&l)) = (t.first(), t.last()) {
            *start.entry(f).or_insert(0) += v.count;
            *end.entry(l).or_insert(0) += v.count;
        }
        for w in t.windows(2) {
            *dfg.entry((w[0], w[1])).or_insert(0) += v.count;
        }
        for w in t.windows(3) {
            if w[0] == w[2] && w[0] != w[1] {
                *triples.entry((w[0], w[1])).or_insert(0) += v.count;
            }
        }
    }
    // Pre-cleaning: drop edges weaker than noise × the strongest edge at *both* ends.
    let mut max_edge = vec![-1i64; n];
    for (&(a, b), &c) in &dfg {
        max_edge[a as usize] = max_edge[a as usize].max(c as i64);
        max_edge[b as usize] = max_edge[b as usize].max(c as i64);
    }
    if cfg.dfg_pre_cleaning_noise > 0.0 {
        dfg.retain(|&(a, b), c| {
            let lim = (max_edge[a as usize] as f64 * cfg.dfg_pre_cleaning_noise)
                .min(max_edge[b as usize] as f64 * cfg.dfg_pre_cleaning_noise);
            *c as f64 >= lim
        });
    }
    let mut dependency = BTreeMap::new();
    for (&(a, b), &c1) in &dfg {
        let dep = if a != b {
            match dfg.get(&(b, a)) {
                Some(&c2) => (c1 as f64 - c2 as f64) / (c1 + c2 + 1) as f64,
                None => c1 as f64 / (c1 + 1) as f64,
            }
        } else {
            c1 as f64 / (c1 + 1) as f64
        };
        dependency.insert((a, b), dep);
    }
    let act_ok = |a: u32| occ[a as usize] >= cfg.min_activity_count;
    let mut nodes: BTreeSet<u32> = BTreeSet::new();
    let mut out: BTreeMap<u32, BTreeMap<u32, (f64, u64)>> = BTreeMap::new();
    for (&(a, b), &dep) in &dependency {
        if act_ok(a)
            && act_ok(b)
            && dfg[&(a, b)] >= cfg.min_dfg_occurrences
            && dep >= cfg.dependency_threshold
        {
            nodes.insert(a);
            nodes.insert(b);
            out.entry(a)
                .or_default()
                .entry(b)
                .or_insert((dep, dfg[&(a, b)]));
        }
    }
    let count = |a: u32, b: u32| dfg.get(&(a, b)).copied().unwrap_or(0);
    let names = &log.activities;
    let by_name = |v: &mut Vec<u32>| v.sort_by(|&x, &y| names[x as usize].cmp(&names[y as usize]));
    // And-measures use the graph before loop-of-two arcs are added, as in PM4Py.
    let mut and_out = BTreeMap::new();
    let mut and_in = BTreeMap::new();
    let inputs_of = |x: u32| -> Vec<u32> {
        out.iter()
            .filter(|(_, m)| m.contains_key(&x))
            .map(|(&a, _)| a)
            .collect()
    };
    for &x in &nodes {
        let mut succ: Vec<u32> = out
            .get(&x)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        by_name(&mut succ);
        let mut pairs = Vec::new();
        for i in 0..succ.len() {
            for j in i + 1..succ.len() {
                let (a, b) = (succ[i], succ[j]);
                let v = (count(a, b) + count(b, a)) as f64 / (count(x, a) + count(x, b) + 1) as f64;
                if v >= cfg.and_threshold {
                    pairs.push((a, b));
                }
            }
        }
        and_out.insert(x, pairs);
        let mut pred = inputs_of(x);
        by_name(&mut pred);
        let mut pairs = Vec::new();
        for i in 0..pred.len() {
            for j in i + 1..pred.len() {
                let (a, b) = (pred[i], pred[j]);
                let v = (count(a, b) + count(b, a)) as f64 / (count(a, x) + count(b, x) + 1) as f64;
                if v >= cfg.and_threshold {
                    pairs.push((a, b));
                }
            }
        }
        and_in.insert(x, pairs);
    }
    // Loops of length two (a→b→a) whose arcs lost against each other in the dependency measure.
    let first_nodes: Vec<u32> = nodes.iter().copied().collect();
    for &a in &first_nodes {
        for (&(x, b), &v1) in &triples {
            if x != a {
                continue;
            }
            let v2 = triples.get(&(b, a)).copied().unwrap_or(0);
            let l2l = (v1 + v2) as f64 / (v1 + v2 + 1) as f64;
            if l2l < cfg.loop_two_threshold || !dfg.contains_key(&(a, b)) {
                continue;
            }
            if count(a, b) < cfg.min_dfg_occurrences || !act_ok(a) || !act_ok(b) {
                continue;
            }
            let strong = |p: u32, q: u32| {
                dependency
                    .get(&(p, q))
                    .is_some_and(|&d| d >= cfg.dependency_threshold)
            };
            if strong(a, b) || strong(b, a) {
                continue;
            }
            nodes.insert(b);
            out.entry(a)
                .or_default()
                .entry(b)
                .or_insert((0.0, count(a, b)));
            out.entry(b)
                .or_default()
                .entry(a)
                .or_insert((0.0, count(b, a)));
        }
    }
    let mut edges: Vec<DependencyEdge> = out
        .iter()
        .flat_map(|(&a, m)| {
            m.iter()
                .map(move |(&b, &(dependency, frequency))| DependencyEdge {
                    source: a,
                    target: b,
                    dependency,
                    frequency,
                })
        })
        .collect();
    edges.sort_by(|e, f| {
        (&names[e.source as usize], &names[e.target as usize])
            .cmp(&(&names[f.source as usize], &names[f.target as usize]))
    });
    let mut node_list: Vec<u32> = nodes.into_iter().collect();
    by_name(&mut node_list);
    HeuristicsNet {
        activities: log.activities.clone(),
        nodes: node_list,
        edges,
        dependency,
        start_activities: start,
        end_activities: end,
        and_out,
        and_in,
    }
}

/// Maximal cliques (Bron–Kerbosch) of the undirected graph given by `pairs`.
fn cliques(pairs: &[(u32, u32)]) -> Vec<Vec<u32>> {
    let mut adj: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for &(a, b) in pairs {
        adj.entry(a).or_default().insert(b);
        adj.entry(b).or_default().insert(a);
    }
    fn bk(
        r: Vec<u32>,
        mut p: BTreeSet<u32>,
        mut x: BTreeSet<u32>,
        adj: &BTreeMap<u32, BTreeSet<u32>>,
        out: &mut Vec<Vec<u32>>,
    ) {
        if p.is_empty() && x.is_empty() {
            out.push(r);
            return;
        }
        for v in p.clone() {
            let nv = &adj[&v];
            let mut r2 = r.clone();
            r2.push(v);
            bk(
                r2,
                p.intersection(nv).copied().collect(),
                x.intersection(nv).copied().collect(),
                adj,
                out,
            );
            p.remove(&v);
            x.insert(v);
        }
    }
    let mut out = Vec::new();
    bk(
        Vec::new(),
        adj.keys().copied().collect(),
        BTreeSet::new(),
        &adj,
        &mut out,
    );
    out
}

/// Converts a heuristics net to a Petri net the way PM4Py does (without its final
/// structural reductions, which do not change behaviour): one transition per activity,
/// silent transitions for XOR choices, AND-bindings from the and-measure cliques.
pub fn heuristics_to_petri_net(h: &HeuristicsNet) -> PetriNet {
    let names = &h.activities;
    let mut net = PetriNet::new("heuristics");
    let source = net.add_place("source0");
    let sink = net.add_place("sink0");
    net.initial_marking[source as usize] = 1;
    net.final_marking[sink as usize] = 1;
    let mut trans = BTreeMap::new();
    for &a in &h.nodes {
        trans.insert(
            a,
            net.add_transition(names[a as usize].clone(), Some(names[a as usize].clone())),
        );
    }
    let preds: BTreeMap<u32, Vec<u32>> = h
        .nodes
        .iter()
        .map(|&x| {
            let mut p: Vec<u32> = h
                .edges
                .iter()
                .filter(|e| e.target == x)
                .map(|e| e.source)
                .collect();
            p.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
            (x, p)
        })
        .collect();
    let succs: BTreeMap<u32, Vec<u32>> = h
        .nodes
        .iter()
        .map(|&x| {
            let mut s: Vec<u32> = h
                .edges
                .iter()
                .filter(|e| e.source == x)
                .map(|e| e.target)
                .collect();
            s.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
            (x, s)
        })
        .collect();
    let mut hidden = 0usize;
    let mut new_hidden = |net: &mut PetriNet| {
        hidden += 1;
        net.add_transition(format!("hid_{hidden}"), None)
    };
    // Place where a token from `pred` waits for activity `act`.
    let mut entering: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for &act in &h.nodes {
        let pred = &preds[&act];
        let is_start = h.start_activities.contains_key(&act);
        let n_entering = pred.len() + usize::from(is_start);
        let t_act = trans[&act];
        let master = if !pred.is_empty() || n_entering > 1 {
            let p = net.add_place(format!("pre_{}", names[act as usize]));
            net.arc_to_transition(p, t_act, 1);
            Some(p)
        } else {
            None
        };
        let mut and_members = BTreeSet::new();
        for clique in cliques(h.and_in.get(&act).map(Vec::as_slice).unwrap_or(&[])) {
            let clique: Vec<u32> = clique.into_iter().filter(|c| pred.contains(c)).collect();
            if clique.len() < 2 {
                continue;
            }
            and_members.extend(clique.iter().copied());
            let ht = new_hidden(&mut net);
            net.arc_to_place(ht, master.expect("has predecessors"), 1);
            for &p in &clique {
                let place = *entering.entry((act, p)).or_insert_with(|| {
                    net.add_place(format!(
                        "splace_in_{}_{}",
                        names[act as usize], names[p as usize]
                    ))
                });
                net.arc_to_transition(place, ht, 1);
            }
        }
        for &p in pred {
            if and_members.contains(&p) {
                continue;
            }
            if n_entering == 1 {
                entering.insert((act, p), master.expect("has predecessors"));
            } else {
                let place = *entering.entry((act, p)).or_insert_with(|| {
                    net.add_place(format!(
                        "splace_in_{}_{}",
                        names[act as usize], names[p as usize]
                    ))
                });
                let ht = new_hidden(&mut net);
                net.arc_to_transition(place, ht, 1);
                net.arc_to_place(ht, master.expect("several entries"), 1);
            }
        }
        if is_start {
            if n_entering == 1 {
                net.arc_to_transition(source, t_act, 1);
            } else {
                let ht = new_hidden(&mut net);
                net.arc_to_transition(source, ht, 1);
                net.arc_to_place(ht, master.expect("several entries"), 1);
            }
        }
    }
    for &act in &h.nodes {
        let succ = &succs[&act];
        let is_end = h.end_activities.contains_key(&act);
        let n_exiting = succ.len() + usize::from(is_end);
        let t_act = trans[&act];
        if n_exiting == 1 && !succ.is_empty() {
            if let Some(&p) = entering.get(&(succ[0], act)) {
                net.arc_to_place(t_act, p, 1);
            }
            continue;
        }
        if n_exiting == 1 && is_end {
            net.arc_to_place(t_act, sink, 1);
            continue;
        }
        let int_place = net.add_place(format!("intplace_{}", names[act as usize]));
        net.arc_to_place(t_act, int_place, 1);
        let mut and_members = BTreeSet::new();
        for clique in cliques(h.and_out.get(&act).map(Vec::as_slice).unwrap_or(&[])) {
            let clique: Vec<u32> = clique.into_iter().filter(|c| succ.contains(c)).collect();
            if clique.len() < 2 {
                continue;
            }
            and_members.extend(clique.iter().copied());
            let ht = new_hidden(&mut net);
            net.arc_to_transition(int_place, ht, 1);
            for &s in &clique {
                if let Some(&p) = entering.get(&(s, act)) {
                    net.arc_to_place(ht, p, 1);
                }
            }
        }
        for &s in succ {
            if and_members.contains(&s) {
                continue;
            }
            if let Some(&p) = entering.get(&(s, act)) {
                let ht = new_hidden(&mut net);
                net.arc_to_transition(int_place, ht, 1);
                net.arc_to_place(ht, p, 1);
            }
        }
        if is_end {
            let ht = new_hidden(&mut net);
            net.arc_to_transition(int_place, ht, 1);
            net.arc_to_place(ht, sink, 1);
        }
    }
    net
}
