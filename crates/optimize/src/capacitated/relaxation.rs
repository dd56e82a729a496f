//! The LP relaxation of capacitated assignment, solved as a transportation problem.
//!
//! Relaxing "task i goes to exactly one person" to fractions x_ij ∈ [0, 1] and substituting
//! y_ij = w_i·x_ij (hours of task i given to person j) turns
//!   max Σ f_ij x_ij  s.t.  Σ_j x_ij ≤ 1,  Σ_i w_i x_ij ≤ C_j
//! into a transportation problem: task i supplies w_i hours, person j absorbs at most C_j hours,
//! each hour on (i, j) costs c_ij = −f_ij / w_i, and a "not assigned" sink absorbs hours for 0.
//! It is solved exactly by successive shortest paths, one task at a time; its optimum is an
//! upper bound on every integral plan.
//!
//! The shortest-path searches run over people only. In the residual graph a path
//! p → x → k (take hours of task x off person p, give them to k) has reduced cost
//! h_p − h_k + (c_xk − c_xp): the task's own potential cancels. So for each person p we keep
//! `transfer[p][k] = min over tasks x on p of (c_xk − c_xp)`, which depends only on who holds
//! which task, and refresh the rows of the people an augmentation touched. A search is then a
//! dense Dijkstra on `people` nodes instead of one over every task.

/// A flow of hours from tasks to people.
pub(super) struct Relaxation {
    /// Per task, the (person, hours) it sends; hours not listed go to "not assigned".
    pub per_task: Vec<Vec<(usize, f64)>>,
    /// The optimal objective: Σ hours × fit / estimate.
    pub value: f64,
}

/// How the shortest path reached the sink.
#[derive(Clone, Copy)]
enum SinkVia {
    /// The source task's remaining hours are best left unassigned.
    SourceUnassigned,
    /// Into a person's free capacity.
    Room(usize),
    /// By bumping the person's least valuable task (per hour) to "not assigned".
    Bump(usize),
}

struct Network<'a> {
    cost: &'a [f64],
    people: usize,
    per_task: Vec<Vec<(usize, f64)>>,
    per_person: Vec<Vec<(usize, f64)>>,
    /// `transfer[p * people + k]`; the task achieving it is found again only for the few
    /// arcs on an augmenting path (see `transfer_task`), which keeps this loop a plain min.
    transfer: Vec<f64>,
    /// Cost of bumping p's least valuable task, and that task.
    bump: Vec<f64>,
    bump_task: Vec<usize>,
    eps: f64,
}

impl Network<'_> {
    fn hours(&self, task: usize, person: usize) -> f64 {
        self.per_task[task]
            .iter()
            .find(|(p, _)| *p == person)
            .map_or(0.0, |(_, h)| *h)
    }

    fn add(&mut self, task: usize, person: usize, delta: f64) {
        update(&mut self.per_task[task], person, delta, self.eps);
        update(&mut self.per_person[person], task, delta, self.eps);
    }

    /// Recomputes the transfer row and the bump of person `p` from the tasks it holds.
    fn refresh(&mut self, p: usize) {
        let n = self.people;
        let row = &mut self.transfer[p * n..(p + 1) * n];
        row.fill(f64::INFINITY);
        self.bump[p] = f64::INFINITY;
        for &(x, _) in &self.per_person[p] {
            let cxp = self.cost[x * n + p];
            for (r, &cxk) in row.iter_mut().zip(&self.cost[x * n..(x + 1) * n]) {
                *r = r.min(cxk - cxp);
            }
            if -cxp < self.bump[p] {
                self.bump[p] = -cxp;
                self.bump_task[p] = x;
            }
        }
        row[p] = f64::INFINITY;
    }

    /// A task on `p` achieving `transfer[p][k]` (same arithmetic, so the same minimum).
    fn transfer_task(&self, p: usize, k: usize) -> usize {
        let n = self.people;
        let target = self.transfer[p * n + k];
        self.per_person[p]
            .iter()
            .map(|&(x, _)| x)
            .find(|&x| self.cost[x * n + k] - self.cost[x * n + p] == target)
            .expect("transfer row is up to date")
    }
}

/// Solves the relaxation.
///
/// `cost_per_hour[t * people + p]` is −fit/estimate for eligible pairs and +∞ otherwise;
/// the tasks in `tasks` (processed in that order) have positive estimates.
pub(super) fn solve(
    cost_per_hour: &[f64],
    people: usize,
    estimates: &[f64],
    capacities: &[f64],
    tasks: &[usize],
    eps: f64,
) -> Relaxation {
    let mut net = Network {
        cost: cost_per_hour,
        people,
        per_task: vec![Vec::new(); estimates.len()],
        per_person: vec![Vec::new(); people],
        transfer: vec![f64::INFINITY; people * people],
        bump: vec![f64::INFINITY; people],
        bump_task: vec![0; people],
        eps,
    };
    let mut load = vec![0.0f64; people];
    // Johnson potentials of people; the sink's stays 0 because the search ends there.
    let mut h = vec![0.0f64; people];
    let mut dist = vec![0.0f64; people];
    let mut settled_dist = vec![0.0f64; people];
    let mut settled: Vec<usize> = Vec::with_capacity(people);
    let mut order = vec![usize::MAX; people];
    let mut dirty = vec![false; people];
    let mut touched: Vec<usize> = Vec::new();

    for &t in tasks {
        let row = &cost_per_hour[t * people..(t + 1) * people];
        let mut supply = estimates[t];
        while supply > eps {
            // The source's potential makes all its arcs non-negative; "unassigned" costs 0.
            let h_t = row
                .iter()
                .zip(&h)
                .filter(|(c, _)| c.is_finite())
                .map(|(c, hk)| hk - c)
                .fold(0.0, f64::max);
            for (k, d) in dist.iter_mut().enumerate() {
                *d = row[k] + h_t - h[k];
            }
            for &p in &settled {
                order[p] = usize::MAX;
            }
            settled.clear();
            let mut sink_dist = h_t;
            let mut sink_via = SinkVia::SourceUnassigned;
            let mut next = closest_open(&dist);
            while let Some((p, d)) = next {
                if d >= sink_dist {
                    break;
                }
                order[p] = settled.len();
                settled.push(p);
                settled_dist[p] = d;
                dist[p] = f64::NEG_INFINITY;
                let base = d + h[p];
                if capacities[p] - load[p] > eps && base < sink_dist {
                    sink_dist = base;
                    sink_via = SinkVia::Room(p);
                }
                if base + net.bump[p] < sink_dist {
                    sink_dist = base + net.bump[p];
                    sink_via = SinkVia::Bump(p);
                }
                relax(
                    &net.transfer[p * people..(p + 1) * people],
                    base,
                    &h,
                    &mut dist,
                );
                next = closest_open(&dist);
            }

            // Walk back from the sink to find the bottleneck, then push it.
            let (mut person, mut delta) = match sink_via {
                SinkVia::SourceUnassigned => break,
                SinkVia::Room(k) => (k, supply.min(capacities[k] - load[k])),
                SinkVia::Bump(p) => (p, supply.min(net.hours(net.bump_task[p], p))),
            };
            let end = person;
            let mut path = Vec::new();
            while let Some(p) =
                predecessor(&net, person, row, h_t, &h, &settled, &settled_dist, &order)
            {
                let x = net.transfer_task(p, person);
                delta = delta.min(net.hours(x, p));
                path.push((p, x, person));
                person = p;
            }
            match sink_via {
                SinkVia::Room(k) => load[k] += delta,
                SinkVia::Bump(p) => net.add(net.bump_task[p], p, -delta),
                SinkVia::SourceUnassigned => unreachable!(),
            }
            touched.push(end);
            for &(p, x, k) in &path {
                net.add(x, k, delta);
                net.add(x, p, -delta);
                touched.push(p);
            }
            net.add(t, person, delta);
            touched.push(person);
            supply -= delta;

            // Capped potential update keeps every residual reduced cost non-negative.
            for &p in &settled {
                h[p] += settled_dist[p] - sink_dist;
            }
            for p in touched.drain(..) {
                if !dirty[p] {
                    dirty[p] = true;
                    net.refresh(p);
                }
            }
            dirty.fill(false);
        }
    }

    let value = net
        .per_task
        .iter()
        .enumerate()
        .flat_map(|(t, arcs)| arcs.iter().map(move |&(p, hours)| (t, p, hours)))
        .map(|(t, p, hours)| -cost_per_hour[t * people + p] * hours)
        .sum();
    Relaxation {
        per_task: net.per_task,
        value,
    }
}

/// Relaxes the transfer arcs of a person settled at `base − h[p]`. Settled people hold −∞
/// in `dist`, so the min leaves them alone; the loop is a plain element-wise min that the
/// compiler vectorises.
#[inline]
fn relax(transfer: &[f64], base: f64, h: &[f64], dist: &mut [f64]) {
    for ((&tr, &hk), d) in transfer.iter().zip(h).zip(dist.iter_mut()) {
        *d = d.min(base + tr - hk);
    }
}

/// The settled person whose arc gave `k` its distance, or `None` when it came straight from
/// the source task. Recomputed with the same arithmetic as the search, over the people settled
/// before `k` only, so the path cannot loop.
#[allow(clippy::too_many_arguments)]
fn predecessor(
    net: &Network,
    k: usize,
    source_row: &[f64],
    h_t: f64,
    h: &[f64],
    settled: &[usize],
    settled_dist: &[f64],
    order: &[usize],
) -> Option<usize> {
    let n = net.people;
    let mut best = source_row[k] + h_t - h[k];
    let mut via = None;
    for &p in &settled[..order[k]] {
        let d = (settled_dist[p] + h[p]) + net.transfer[p * n + k] - h[k];
        if d < best {
            best = d;
            via = Some(p);
        }
    }
    via
}

/// The open person with the smallest tentative distance (settled people hold −∞).
///
/// The minimum is taken over four independent lanes (so the loop vectorises), then its first
/// position is looked up.
fn closest_open(dist: &[f64]) -> Option<(usize, f64)> {
    let open = |d: f64| {
        if d > f64::NEG_INFINITY {
            d
        } else {
            f64::INFINITY
        }
    };
    let mut lanes = [f64::INFINITY; 4];
    let chunks = dist.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for (lane, &d) in lanes.iter_mut().zip(c) {
            *lane = lane.min(open(d));
        }
    }
    let best = tail.iter().fold(
        lanes.iter().fold(f64::INFINITY, |a, &b| a.min(b)),
        |a, &d| a.min(open(d)),
    );
    if best == f64::INFINITY {
        return None;
    }
    dist.iter().position(|&d| d == best).map(|p| (p, best))
}

/// Adds `delta` to the entry for `key`, dropping entries that reach (numerically) zero.
fn update(arcs: &mut Vec<(usize, f64)>, key: usize, delta: f64, eps: f64) {
    match arcs.iter().position(|(k, _)| *k == key) {
        Some(i) => {
            arcs[i].1 += delta;
            if arcs[i].1 <= eps {
                arcs.swap_remove(i);
            }
        }
        None if delta > eps => arcs.push((key, delta)),
        None => {}
    }
}
