//! From the fractional relaxation to an integral plan: keep what the relaxation already put
//! whole on one person, place the rest greedily, then improve by local moves.

/// An integral plan under construction: who does each task, and the hours each person has.
pub(super) struct Plan<'a> {
    fit: &'a [f64],
    people: usize,
    estimates: &'a [f64],
    capacities: &'a [f64],
    eligible: &'a dyn Fn(usize, usize) -> bool,
    pub person_of: Vec<Option<usize>>,
    pub load: Vec<f64>,
    pub tasks_of: Vec<Vec<usize>>,
    /// The highest eligible fit of each task: no re-placement of it can earn more.
    max_fit: Vec<f64>,
    eps: f64,
}

/// Upper bound on improvement passes; each pass is O(tasks × people) and they stop as soon as
/// one finds nothing, which in practice happens after two or three.
const MAX_PASSES: usize = 20;

impl<'a> Plan<'a> {
    pub fn new(
        fit: &'a [f64],
        estimates: &'a [f64],
        capacities: &'a [f64],
        eligible: &'a dyn Fn(usize, usize) -> bool,
        eps: f64,
    ) -> Self {
        let people = capacities.len();
        let max_fit = (0..estimates.len())
            .map(|t| {
                (0..people)
                    .filter(|&p| eligible(t, p))
                    .map(|p| fit[t * people + p])
                    .fold(0.0, f64::max)
            })
            .collect();
        Self {
            max_fit,
            fit,
            people,
            estimates,
            capacities,
            eligible,
            person_of: vec![None; estimates.len()],
            load: vec![0.0; people],
            tasks_of: vec![Vec::new(); people],
            eps,
        }
    }

    fn fit(&self, t: usize, p: usize) -> f64 {
        self.fit[t * self.people + p]
    }

    fn room(&self, p: usize) -> f64 {
        self.capacities[p] - self.load[p]
    }

    fn fits(&self, t: usize, p: usize, extra_room: f64) -> bool {
        (self.eligible)(t, p) && self.estimates[t] <= self.room(p) + extra_room + self.eps
    }

    pub fn assign(&mut self, t: usize, p: usize) {
        debug_assert!(self.person_of[t].is_none());
        self.person_of[t] = Some(p);
        self.load[p] += self.estimates[t];
        self.tasks_of[p].push(t);
    }

    fn unassign(&mut self, t: usize) {
        if let Some(p) = self.person_of[t].take() {
            self.load[p] -= self.estimates[t];
            self.tasks_of[p].retain(|&x| x != t);
        }
    }

    /// The best-fitting person with room for `t`, if any.
    fn best_room_for(&self, t: usize, skip: Option<usize>) -> Option<usize> {
        (0..self.people)
            .filter(|&p| Some(p) != skip && self.fits(t, p, 0.0))
            .max_by(|&a, &b| self.fit(t, a).total_cmp(&self.fit(t, b)))
    }

    /// Places the still-unassigned `tasks`, highest fit first, each with its best person that
    /// has room.
    pub fn place_greedily(&mut self, tasks: &mut [usize]) {
        tasks.sort_by(|&a, &b| self.max_fit[b].total_cmp(&self.max_fit[a]));
        for &t in tasks.iter() {
            if let Some(p) = self.best_room_for(t, None) {
                self.assign(t, p);
            }
        }
    }

    /// Local search: insert, move to a better person, and swap an unassigned task in for a
    /// worse one (re-placing the one swapped out when it fits elsewhere). Every accepted step
    /// strictly raises the total fit, so the search terminates.
    pub fn improve(&mut self) {
        for _ in 0..MAX_PASSES {
            let mut improved = false;
            improved |= self.insert_pass();
            improved |= self.move_pass();
            improved |= self.swap_in_pass();
            if !improved {
                break;
            }
        }
    }

    fn insert_pass(&mut self) -> bool {
        let mut improved = false;
        let mut waiting: Vec<usize> = self.unassigned().collect();
        self.place_greedily(&mut waiting);
        for t in waiting {
            improved |= self.person_of[t].is_some();
        }
        improved
    }

    fn move_pass(&mut self) -> bool {
        let mut improved = false;
        for t in 0..self.estimates.len() {
            let Some(p) = self.person_of[t] else { continue };
            if let Some(q) = self.best_room_for(t, Some(p))
                && self.fit(t, q) > self.fit(t, p) + self.eps
            {
                self.unassign(t);
                self.assign(t, q);
                improved = true;
            }
        }
        improved
    }

    fn swap_in_pass(&mut self) -> bool {
        let mut improved = false;
        let mut waiting: Vec<usize> = self.unassigned().collect();
        waiting.sort_by(|&a, &b| self.estimates[a].total_cmp(&self.estimates[b]));
        // Where each assigned task could go if swapped out. Rooms change with every accepted
        // swap, so a cached person is re-checked before use; a stale "nowhere" only misses a
        // chance, it never makes a step worse.
        let mut elsewhere: Vec<Option<Option<usize>>> = vec![None; self.estimates.len()];
        for u in waiting {
            // Best (gain, person, task swapped out, where that task goes).
            let mut best: Option<(f64, usize, usize, Option<usize>)> = None;
            for p in 0..self.people {
                if !(self.eligible)(u, p) || self.estimates[u] > self.capacities[p] + self.eps {
                    continue;
                }
                let fit_u = self.fit(u, p);
                for i in 0..self.tasks_of[p].len() {
                    let t = self.tasks_of[p][i];
                    if fit_u <= self.fit(t, p) - self.max_fit[t]
                        || !self.fits(u, p, self.estimates[t])
                    {
                        continue;
                    }
                    let q = match elsewhere[t] {
                        Some(Some(q)) if self.fits(t, q, 0.0) => Some(q),
                        Some(None) => None,
                        _ => {
                            let q = self.best_room_for(t, Some(p));
                            elsewhere[t] = Some(q);
                            q
                        }
                    };
                    let gain = fit_u - self.fit(t, p) + q.map_or(0.0, |q| self.fit(t, q));
                    if gain > self.eps && best.is_none_or(|b| gain > b.0) {
                        best = Some((gain, p, t, q));
                    }
                }
            }
            if let Some((_, p, t, q)) = best {
                self.unassign(t);
                self.assign(u, p);
                if let Some(q) = q {
                    self.assign(t, q);
                }
                elsewhere[t] = None;
                improved = true;
            }
        }
        improved
    }

    pub fn unassigned(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.estimates.len()).filter(|&t| self.person_of[t].is_none())
    }

    pub fn total_fit(&self) -> f64 {
        self.person_of
            .iter()
            .enumerate()
            .filter_map(|(t, p)| p.map(|p| self.fit(t, p)))
            .sum()
    }
}
