//! The four cuts of the inductive miner (×, →, ∧, ↺) and how each splits the log.
//!
//! Each search follows PM4Py 2.7 step by step, including its tie-breaks, because the
//! process tree must come out the same.

// Pairwise loops over activity indices read more clearly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use std::collections::BTreeSet;

use super::inductive_log::{Dfg, LocalGraph, Partition, Uvcl, UvclBuilder};
use super::process_tree::Operator;

pub(crate) type Groups = Vec<Vec<u32>>;

/// Tries the cuts in PM4Py's order: ×, strict →, ∧, ↺.
pub(crate) fn find_cut(log: &Uvcl, dfg: &Dfg) -> Option<(Operator, Vec<Uvcl>)> {
    if let Some(g) = xor_cut(dfg) {
        return Some((Operator::Xor, project_xor(log, &g)));
    }
    if let Some(g) = strict_sequence_cut(dfg) {
        return Some((Operator::Sequence, project_sequence(log, &g)));
    }
    if let Some(g) = concurrency_cut(dfg) {
        return Some((Operator::Parallel, project_concurrency(log, &g)));
    }
    if let Some(g) = loop_cut(dfg) {
        return Some((Operator::Loop, project_loop(log, &g)));
    }
    None
}

fn to_ids(graph: &LocalGraph, classes: Vec<Vec<usize>>) -> Groups {
    classes
        .into_iter()
        .map(|c| c.into_iter().map(|i| graph.vertices[i]).collect())
        .collect()
}

/// Connected components of the undirected DFG, ordered by their sorted member lists.
pub(crate) fn xor_cut(dfg: &Dfg) -> Option<Groups> {
    let graph = LocalGraph::new(dfg);
    let mut part = Partition::new(graph.vertices.len());
    for (i, succ) in graph.succ.iter().enumerate() {
        for &j in succ {
            part.union(i, j);
        }
    }
    let mut groups = to_ids(&graph, part.classes());
    if groups.len() <= 1 {
        return None;
    }
    groups.sort();
    Some(groups)
}

/// Leemans' sequence cut: merge pairwise reachable and pairwise unreachable activities,
/// then order the groups by reachability.
pub(crate) fn sequence_cut(dfg: &Dfg) -> Option<Groups> {
    let graph = LocalGraph::new(dfg);
    let k = graph.vertices.len();
    if k == 0 {
        return None;
    }
    let reach = graph.reachability();
    let mut part = Partition::new(k);
    for a in 0..k {
        for b in (a + 1)..k {
            if reach[a][b] == reach[b][a] {
                part.union(a, b);
            }
        }
    }
    let mut classes = part.classes();
    let pred_count: Vec<usize> = (0..k)
        .map(|j| (0..k).filter(|&i| reach[i][j]).count())
        .collect();
    let succ_count: Vec<usize> = (0..k)
        .map(|i| reach[i].iter().filter(|&&r| r).count())
        .collect();
    classes.sort_by_key(|c| pred_count[c[0]] + (k - succ_count[c[0]]));
    if classes.len() <= 1 {
        return None;
    }
    Some(to_ids(&graph, classes))
}

/// The strict sequence cut (Leemans' thesis p. 233): merges groups that can be skipped together.
pub(crate) fn strict_sequence_cut(dfg: &Dfg) -> Option<Groups> {
    let mut c: Vec<BTreeSet<u32>> = sequence_cut(dfg)?
        .into_iter()
        .map(|g| g.into_iter().collect())
        .collect();
    let n = c.len() as i64;
    let group_of = |c: &[BTreeSet<u32>], a: u32| {
        c.iter().position(|g| g.contains(&a)).expect("grouped") as i64
    };
    let mut mf: Vec<i64> = c
        .iter()
        .map(|g| {
            if g.iter().any(|a| dfg.start.contains_key(a)) {
                i64::MIN
            } else {
                i64::MAX
            }
        })
        .collect();
    let mut mt: Vec<i64> = c
        .iter()
        .map(|g| {
            if g.iter().any(|a| dfg.end.contains_key(a)) {
                i64::MAX
            } else {
                i64::MIN
            }
        })
        .collect();
    for &(a, b) in dfg.edges.keys() {
        let (ca, cb) = (group_of(&c, a), group_of(&c, b));
        mf[cb as usize] = mf[cb as usize].min(ca);
        mt[ca as usize] = mt[ca as usize].max(cb);
    }
    for p in 0..n {
        if skippable(p as usize, dfg, &c) {
            let mut q = p - 1;
            while q >= 0 && mt[q as usize] <= p {
                let taken = std::mem::take(&mut c[q as usize]);
                c[p as usize].extend(taken);
                q -= 1;
            }
            q = p + 1;
            while q < n && mf[q as usize] >= p {
                let taken = std::mem::take(&mut c[q as usize]);
                c[p as usize].extend(taken);
                q += 1;
            }
        }
    }
    let groups: Groups = c
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|g| g.into_iter().collect())
        .collect();
    // PM4Py would recurse forever on a one-group "cut"; treating it as no cut is the only sane reading.
    (groups.len() > 1).then_some(groups)
}

fn skippable(p: usize, dfg: &Dfg, groups: &[BTreeSet<u32>]) -> bool {
    for gi in &groups[..p] {
        for gj in &groups[p + 1..] {
            if gi.iter().any(|&a| gj.iter().any(|&b| dfg.has_edge(a, b))) {
                return true;
            }
        }
    }
    groups[p + 1..]
        .iter()
        .any(|g| g.iter().any(|a| dfg.start.contains_key(a)))
        || groups[..p]
            .iter()
            .any(|g| g.iter().any(|a| dfg.end.contains_key(a)))
}

/// Concurrency cut: activities not connected in both directions belong together;
/// every group must contain a start and an end activity (others are merged into a neighbour).
pub(crate) fn concurrency_cut(dfg: &Dfg) -> Option<Groups> {
    let graph = LocalGraph::new(dfg);
    let k = graph.vertices.len();
    if k == 0 {
        return None;
    }
    let mut part = Partition::new(k);
    for a in 0..k {
        for b in (a + 1)..k {
            if !(graph.edge[a][b] && graph.edge[b][a]) {
                part.union(a, b);
            }
        }
    }
    let mut groups: Vec<Vec<u32>> = to_ids(&graph, part.classes());
    groups.sort_by_key(|g| g.len());
    let mut i = 0;
    while i < groups.len() && groups.len() > 1 {
        let g = &groups[i];
        if g.iter().any(|a| dfg.start.contains_key(a)) && g.iter().any(|a| dfg.end.contains_key(a))
        {
            i += 1;
            continue;
        }
        let group = groups.remove(i);
        let target = if i == 0 { 0 } else { i - 1 };
        groups[target].extend(group);
        groups[target].sort_unstable();
    }
    (groups.len() > 1).then_some(groups)
}

/// Loop cut: the do-part holds start and end activities; the components in between that
/// go back to the start (and come from the end) form the redo-part.
pub(crate) fn loop_cut(dfg: &Dfg) -> Option<Groups> {
    if dfg.edges.is_empty() {
        return None;
    }
    let is_start = |a: &u32| dfg.start.contains_key(a);
    let is_end = |a: &u32| dfg.end.contains_key(a);
    let boundary: BTreeSet<u32> = dfg.start.keys().chain(dfg.end.keys()).copied().collect();
    let mut groups: Vec<BTreeSet<u32>> = vec![boundary.clone()];
    // Components of the DFG without start/end activities and their edges.
    let inner: Vec<u32> = dfg
        .vertices()
        .into_iter()
        .filter(|a| !boundary.contains(a))
        .collect();
    let pos = |a: u32| inner.binary_search(&a).ok();
    let mut part = Partition::new(inner.len());
    for &(a, b) in dfg.edges.keys() {
        if let (Some(i), Some(j)) = (pos(a), pos(b)) {
            part.union(i, j);
        }
    }
    for class in part.classes() {
        groups.push(class.into_iter().map(|i| inner[i]).collect());
    }
    let group_index = |groups: &[BTreeSet<u32>], a: u32| groups.iter().position(|g| g.contains(&a));
    let merge_into_do = |groups: &mut Vec<BTreeSet<u32>>, a: u32, b: u32| {
        let (ga, gb) = (group_index(groups, a), group_index(groups, b));
        let mut merged = BTreeSet::new();
        let mut idx: Vec<usize> = [ga, gb].into_iter().flatten().collect();
        idx.sort_unstable();
        idx.dedup();
        for &i in idx.iter().rev() {
            merged.extend(groups.remove(i));
        }
        groups.insert(0, merged);
    };
    for &a in dfg.start.keys().filter(|a| !is_end(a)) {
        for &(x, b) in dfg.edges.keys() {
            if x == a {
                merge_into_do(&mut groups, a, b);
            }
        }
    }
    for &b in dfg.end.keys().filter(|b| !is_start(b)) {
        for &(a, x) in dfg.edges.keys() {
            if x == b {
                merge_into_do(&mut groups, a, b);
            }
        }
    }
    // Start completeness: a redo activity that reaches some start activity must reach all of them.
    let mut i = 1;
    while i < groups.len() {
        let merge = groups[i].iter().any(|&a| {
            dfg.edges.keys().any(|&(x, b)| x == a && is_start(&b))
                && dfg.start.keys().any(|&s| !dfg.has_edge(a, s))
        });
        if merge {
            let g = groups.remove(i);
            groups[0].extend(g);
        } else {
            i += 1;
        }
    }
    // End completeness: a redo activity reached from some end activity must be reached from all.
    let mut i = 1;
    while i < groups.len() {
        let merge = groups[i].iter().any(|&a| {
            dfg.edges.keys().any(|&(b, x)| x == a && is_end(&b))
                && dfg.end.keys().any(|&e| !dfg.has_edge(e, a))
        });
        if merge {
            let g = groups.remove(i);
            groups[0].extend(g);
        } else {
            i += 1;
        }
    }
    let groups: Vec<BTreeSet<u32>> = groups.into_iter().filter(|g| !g.is_empty()).collect();
    if groups.len() <= 1 {
        return None;
    }
    let redo: BTreeSet<u32> = groups[1..].iter().flatten().copied().collect();
    Some(vec![
        groups[0].iter().copied().collect(),
        redo.into_iter().collect(),
    ])
}

fn member_of(groups: &Groups) -> impl Fn(u32) -> Option<usize> + '_ {
    move |a| groups.iter().position(|g| g.binary_search(&a).is_ok())
}

/// Each trace goes to the group holding most of its events (ties: the later group).
pub(crate) fn project_xor(log: &Uvcl, groups: &Groups) -> Vec<Uvcl> {
    let member = member_of(groups);
    let mut out: Vec<UvclBuilder> = groups.iter().map(|_| UvclBuilder::default()).collect();
    for (t, c) in &log.traces {
        let mut counts = vec![0usize; groups.len()];
        for &e in t {
            if let Some(g) = member(e) {
                counts[g] += 1;
            }
        }
        let best = (0..groups.len())
            .max_by_key(|&g| (counts[g], g))
            .expect("groups");
        let sub: Vec<u32> = t
            .iter()
            .copied()
            .filter(|&e| member(e) == Some(best))
            .collect();
        out[best].add(sub, *c);
    }
    out.into_iter().map(UvclBuilder::finish).collect()
}

/// Splits each trace into consecutive slices, one per group, at the least-cost split points.
pub(crate) fn project_sequence(log: &Uvcl, groups: &Groups) -> Vec<Uvcl> {
    let member = member_of(groups);
    let mut out: Vec<UvclBuilder> = groups.iter().map(|_| UvclBuilder::default()).collect();
    for (t, c) in &log.traces {
        let mut split = 0usize;
        for (gi, builder) in out.iter_mut().enumerate() {
            // Cost of cutting after position i: foreign events before it minus own events.
            let mut least = 0i64;
            let mut best = split;
            let mut cost = 0i64;
            for (i, &e) in t.iter().enumerate().skip(split) {
                match member(e) {
                    Some(g) if g == gi => cost -= 1,
                    Some(g) if g < gi => {}
                    _ => cost += 1,
                }
                if cost < least {
                    least = cost;
                    best = i + 1;
                }
            }
            let sub: Vec<u32> = t[split..best]
                .iter()
                .copied()
                .filter(|&e| member(e) == Some(gi))
                .collect();
            builder.add(sub, *c);
            split = best;
        }
    }
    out.into_iter().map(UvclBuilder::finish).collect()
}

pub(crate) fn project_concurrency(log: &Uvcl, groups: &Groups) -> Vec<Uvcl> {
    groups
        .iter()
        .map(|g| log.filter_events(|a| g.binary_search(&a).is_ok()))
        .collect()
}

/// Cuts each trace into alternating do and redo slices.
pub(crate) fn project_loop(log: &Uvcl, groups: &Groups) -> Vec<Uvcl> {
    let (do_set, redo_set) = (&groups[0], &groups[1]);
    let mut do_log = UvclBuilder::default();
    let mut redo_log = UvclBuilder::default();
    for (t, c) in &log.traces {
        let mut do_trace = Vec::new();
        let mut redo_trace = Vec::new();
        for &e in t {
            if do_set.binary_search(&e).is_ok() {
                do_trace.push(e);
                if !redo_trace.is_empty() {
                    redo_log.add(std::mem::take(&mut redo_trace), *c);
                }
            } else if redo_set.binary_search(&e).is_ok() {
                redo_trace.push(e);
                if !do_trace.is_empty() {
                    do_log.add(std::mem::take(&mut do_trace), *c);
                }
            } else {
                if !do_trace.is_empty() {
                    do_log.add(std::mem::take(&mut do_trace), *c);
                }
                if !redo_trace.is_empty() {
                    redo_log.add(std::mem::take(&mut redo_trace), *c);
                }
            }
        }
        if !redo_trace.is_empty() {
            redo_log.add(redo_trace, *c);
        }
        // PM4Py keeps the final do slice even when it is empty.
        do_log.add(do_trace, *c);
    }
    vec![do_log.finish(), redo_log.finish()]
}
