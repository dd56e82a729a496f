//! Place/transition nets with silent transitions, arc weights and markings.

/// A marking: the number of tokens in each place, indexed like [`PetriNet::places`].
pub type Marking = Vec<u32>;

/// A transition; `label == None` makes it silent (τ).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Unique identifier (the PNML `id`).
    pub name: String,
    /// The activity it stands for, or `None` for a silent transition.
    pub label: Option<String>,
    /// Input places with arc weights, in arc order.
    pub inputs: Vec<(u32, u32)>,
    /// Output places with arc weights, in arc order.
    pub outputs: Vec<(u32, u32)>,
}

/// An accepting Petri net: the net with its initial and final marking.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PetriNet {
    /// Net name (informative).
    pub name: String,
    /// Place identifiers (PNML `id`s); a place index is a position in this vector.
    pub places: Vec<String>,
    /// Transitions; a transition index is a position in this vector.
    pub transitions: Vec<Transition>,
    /// Tokens at the start.
    pub initial_marking: Marking,
    /// Tokens that must be (exactly) there at the end.
    pub final_marking: Marking,
}

impl PetriNet {
    /// An empty net with the given name.
    pub fn new(name: &str) -> Self {
        PetriNet {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Adds a place with no tokens and returns its index.
    pub fn add_place(&mut self, name: impl Into<String>) -> u32 {
        self.places.push(name.into());
        self.initial_marking.push(0);
        self.final_marking.push(0);
        (self.places.len() - 1) as u32
    }

    /// Adds a transition (silent when `label` is `None`) and returns its index.
    pub fn add_transition(&mut self, name: impl Into<String>, label: Option<String>) -> u32 {
        self.transitions.push(Transition {
            name: name.into(),
            label,
            inputs: Vec::new(),
            outputs: Vec::new(),
        });
        (self.transitions.len() - 1) as u32
    }

    /// Adds an arc place → transition.
    pub fn arc_to_transition(&mut self, place: u32, transition: u32, weight: u32) {
        self.transitions[transition as usize]
            .inputs
            .push((place, weight));
    }

    /// Adds an arc transition → place.
    pub fn arc_to_place(&mut self, transition: u32, place: u32, weight: u32) {
        self.transitions[transition as usize]
            .outputs
            .push((place, weight));
    }

    /// Whether transition `t` may fire in `m`.
    pub fn is_enabled(&self, t: u32, m: &[u32]) -> bool {
        self.transitions[t as usize]
            .inputs
            .iter()
            .all(|&(p, w)| m[p as usize] >= w)
    }

    /// Fires `t` in `m` (which must enable it).
    pub fn fire(&self, t: u32, m: &mut [u32]) {
        let tr = &self.transitions[t as usize];
        for &(p, w) in &tr.inputs {
            m[p as usize] -= w;
        }
        for &(p, w) in &tr.outputs {
            m[p as usize] += w;
        }
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.transitions
            .iter()
            .map(|t| t.inputs.len() + t.outputs.len())
            .sum()
    }

    /// For each place, the transitions it feeds, in arc order.
    pub fn place_consumers(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.places.len()];
        for (ti, t) in self.transitions.iter().enumerate() {
            for &(p, _) in &t.inputs {
                out[p as usize].push(ti as u32);
            }
        }
        out
    }

    /// Distinct visible labels, sorted.
    pub fn labels(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .transitions
            .iter()
            .filter_map(|t| t.label.as_deref())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
