//! Process tree → sound workflow net, with the block construction PM4Py uses
//! (τ split/join around ∧, a shared place pair for ×, `init_loop`/`loop` τ for ↺).

use super::process_tree::{Operator, ProcessTree};
use crate::petri::PetriNet;

/// Converts a process tree to an accepting Petri net (one token in `source` to one in `sink`).
pub fn process_tree_to_petri_net(tree: &ProcessTree) -> PetriNet {
    let mut b = Builder {
        net: PetriNet::new("inductive"),
        places: 0,
        hidden: 0,
        visible: 0,
    };
    let source = b.place();
    b.net.places[source as usize] = "source".into();
    let sink = b.place();
    b.net.places[sink as usize] = "sink".into();
    b.net.initial_marking[source as usize] = 1;
    b.net.final_marking[sink as usize] = 1;
    let initial = if tau_mandatory(tree, End::First) {
        let p = b.place();
        let t = b.hidden("tau");
        b.net.arc_to_transition(source, t, 1);
        b.net.arc_to_place(t, p, 1);
        p
    } else {
        source
    };
    let final_place = if tau_mandatory(tree, End::Last) {
        let p = b.place();
        let t = b.hidden("tau");
        b.net.arc_to_transition(p, t, 1);
        b.net.arc_to_place(t, sink, 1);
        p
    } else {
        sink
    };
    b.add(tree, Entity::Place(initial), Entity::Place(final_place));
    b.net
}

#[derive(Clone, Copy)]
enum End {
    First,
    Last,
}

fn edge_child(tree: &ProcessTree, end: End) -> Option<&ProcessTree> {
    match tree {
        ProcessTree::Node(_, ch) => match end {
            End::First => ch.first(),
            End::Last => ch.last(),
        },
        _ => None,
    }
}

/// PM4Py adds a τ after `source` (before `sink`) when the tree starts (ends) with a loop,
/// an operator with several leaves at that end, or is itself × or ∧.
fn tau_mandatory(tree: &ProcessTree, end: End) -> bool {
    let is_loop = |t: &ProcessTree| matches!(t, ProcessTree::Node(Operator::Loop, _));
    // A loop reachable through the first (last) children (PM4Py's check_*_loop / check_loop_to_*).
    fn loop_on_edge(t: &ProcessTree, end: End) -> bool {
        match t {
            ProcessTree::Node(Operator::Loop, _) => true,
            ProcessTree::Node(..) => edge_child(t, end).is_some_and(|c| loop_on_edge(c, end)),
            _ => false,
        }
    }
    // Leaves hanging at the edge: the children of the deepest edge operator whose edge child is a leaf.
    fn edge_leaves(t: &ProcessTree, end: End) -> usize {
        match edge_child(t, end) {
            Some(c @ ProcessTree::Node(..)) => edge_leaves(c, end),
            Some(_) => 1,
            None => 0,
        }
    }
    // PM4Py's check_initial_loop descends along the *last* children below the first child.
    fn terminal_loop(t: &ProcessTree) -> bool {
        match edge_child(t, End::Last) {
            Some(ProcessTree::Node(Operator::Loop, _)) => true,
            Some(c @ ProcessTree::Node(..)) => terminal_loop(c),
            _ => false,
        }
    }
    let edge_loop = match end {
        End::First => match edge_child(tree, end) {
            Some(ProcessTree::Node(Operator::Loop, _)) => true,
            Some(c @ ProcessTree::Node(..)) => terminal_loop(c),
            _ => false,
        },
        End::Last => terminal_loop(tree),
    };
    let starts_with_loop = edge_child(tree, end).is_some_and(|c| loop_on_edge(c, end));
    edge_loop
        || starts_with_loop
        || edge_leaves(tree, end) > 1
        || is_loop(tree)
        || matches!(
            tree,
            ProcessTree::Node(Operator::Xor | Operator::Parallel, _)
        )
}

#[derive(Clone, Copy)]
enum Entity {
    Place(u32),
    Transition(u32),
    Nothing,
}

struct Builder {
    net: PetriNet,
    places: usize,
    hidden: usize,
    visible: usize,
}

impl Builder {
    fn place(&mut self) -> u32 {
        self.places += 1;
        self.net.add_place(format!("p_{}", self.places))
    }

    fn hidden(&mut self, kind: &str) -> u32 {
        self.hidden += 1;
        self.net
            .add_transition(format!("{kind}_{}", self.hidden), None)
    }

    /// Adds the block for `tree` between `initial` and `fin`; returns the block's final place.
    fn add(&mut self, tree: &ProcessTree, initial: Entity, fin: Entity) -> u32 {
        let initial_place = match initial {
            Entity::Place(p) => p,
            Entity::Transition(t) => {
                let p = self.place();
                self.net.arc_to_place(t, p, 1);
                p
            }
            Entity::Nothing => self.place(),
        };
        let final_place = match fin {
            Entity::Place(p) => p,
            Entity::Transition(t) => {
                let p = self.place();
                self.net.arc_to_transition(p, t, 1);
                p
            }
            Entity::Nothing => self.place(),
        };
        match tree {
            ProcessTree::Tau | ProcessTree::Activity(_) => {
                let t = match tree {
                    ProcessTree::Activity(a) => {
                        self.visible += 1;
                        self.net
                            .add_transition(format!("t_{}", self.visible), Some(a.clone()))
                    }
                    _ => self.hidden("skip"),
                };
                self.net.arc_to_transition(initial_place, t, 1);
                self.net.arc_to_place(t, final_place, 1);
            }
            ProcessTree::Node(Operator::Xor, ch) => {
                for c in ch {
                    self.add(c, Entity::Place(initial_place), Entity::Place(final_place));
                }
            }
            ProcessTree::Node(Operator::Parallel, ch) => {
                let split = self.hidden("tauSplit");
                self.net.arc_to_transition(initial_place, split, 1);
                let join = self.hidden("tauJoin");
                self.net.arc_to_place(join, final_place, 1);
                for c in ch {
                    self.add(c, Entity::Transition(split), Entity::Transition(join));
                }
            }
            ProcessTree::Node(Operator::Sequence, ch) => {
                let mut inter = initial_place;
                for (i, c) in ch.iter().enumerate() {
                    let to = if i + 1 == ch.len() {
                        Entity::Place(final_place)
                    } else {
                        Entity::Nothing
                    };
                    inter = self.add(c, Entity::Place(inter), to);
                }
            }
            ProcessTree::Node(Operator::Loop, ch) => {
                let do_start = self.place();
                let init_loop = self.hidden("init_loop");
                self.net.arc_to_transition(initial_place, init_loop, 1);
                self.net.arc_to_place(init_loop, do_start, 1);
                let back = self.hidden("loop");
                if ch.len() == 1 {
                    self.add(&ch[0], Entity::Place(do_start), Entity::Place(final_place));
                    self.net.arc_to_transition(final_place, back, 1);
                    self.net.arc_to_place(back, do_start, 1);
                } else {
                    let do_end = self.add(&ch[0], Entity::Place(do_start), Entity::Nothing);
                    let mut redo_end = Entity::Nothing;
                    for c in &ch[1..] {
                        redo_end = Entity::Place(self.add(c, Entity::Place(do_end), redo_end));
                    }
                    self.add(
                        &ProcessTree::Tau,
                        Entity::Place(do_end),
                        Entity::Place(final_place),
                    );
                    if let Entity::Place(p) = redo_end {
                        self.net.arc_to_transition(p, back, 1);
                        self.net.arc_to_place(back, do_start, 1);
                    }
                }
            }
        }
        final_place
    }
}
