//! Properties that must hold for any log: the Inductive Miner's net accepts every trace of
//! its log (so every optimal alignment is made of synchronous and silent moves only), and
//! PNML export/import is lossless.

mod common;

use mining::conformance::align_log;
use mining::conformance::alignments::{MOVE_COST, Move};
use mining::discovery::{InductiveVariant, discover_process_tree, process_tree_to_petri_net};
use mining::pnml::{from_pnml, to_pnml};
use proptest::prelude::*;

fn small_log() -> impl Strategy<Value = Vec<(Vec<String>, u64)>> {
    let trace = prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d"]), 1..6)
        .prop_map(|t| t.into_iter().map(String::from).collect::<Vec<_>>());
    prop::collection::vec((trace, 1u64..4), 1..6).prop_map(|mut v| {
        v.sort();
        v.dedup_by(|x, y| x.0 == y.0);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn inductive_miner_net_fits_its_log(variants in small_log()) {
        let log = common::from_variants(&variants);
        let net = process_tree_to_petri_net(&discover_process_tree(&log, InductiveVariant::Im));
        let al = align_log(&net, &log);
        for (v, a) in log.variants.iter().zip(&al.variants) {
            let a = a.as_ref().expect("IM nets are sound and small here");
            prop_assert!(a.cost < MOVE_COST, "trace {:?} needs a deviation: {:?}", v.trace, a.moves);
            prop_assert!(a.moves.iter().all(|m| !matches!(m, Move::Log(_))));
        }
        prop_assert_eq!(al.fitting_cases, al.cases);
    }

    #[test]
    fn pnml_round_trip_is_lossless(variants in small_log(), noise in 0.0f64..0.5) {
        let log = common::from_variants(&variants);
        let net = process_tree_to_petri_net(&discover_process_tree(&log, InductiveVariant::Imf { noise }));
        prop_assert_eq!(from_pnml(&to_pnml(&net)).unwrap(), net);
    }
}
