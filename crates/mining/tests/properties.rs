//! Properties over random logs (bounded case counts so the run stays fast).

use mining::analysis::{dfg, variants};
use mining::log::LogBuilder;
use proptest::prelude::*;

fn arb_log() -> impl Strategy<Value = Vec<(u8, u8, i64)>> {
    // (case, activity, time) triples in any order.
    prop::collection::vec((0u8..12, 0u8..6, 0i64..50), 1..120)
}

fn build(events: &[(u8, u8, i64)]) -> mining::log::EventLog {
    let mut b = LogBuilder::new();
    for &(c, a, t) in events {
        b.push_event(&format!("c{c}"), &format!("a{a}"), t * 1000, None);
    }
    b.build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn counts_are_consistent(events in arb_log()) {
        let log = build(&events);
        let d = dfg(&log);
        let pairs: u64 = d.edges.iter().map(|e| e.count).sum();
        prop_assert_eq!(pairs as usize, log.num_events() - log.num_cases());
        prop_assert_eq!(d.activities.iter().map(|a| a.count).sum::<u64>() as usize, events.len());
        prop_assert_eq!(d.start_activities.iter().map(|a| a.count).sum::<u64>() as usize, log.num_cases());
        let v = variants(&log, None);
        prop_assert_eq!(v.variants.iter().map(|x| x.count).sum::<u64>() as usize, log.num_cases());
        for e in &d.edges {
            prop_assert!(e.min_seconds <= e.median_seconds && e.median_seconds <= e.max_seconds);
            prop_assert!(e.min_seconds <= e.mean_seconds && e.mean_seconds <= e.max_seconds);
            prop_assert!(e.median_seconds <= e.p90_seconds || (e.p90_seconds - e.median_seconds).abs() < 1e-9);
        }
    }

    #[test]
    fn cases_are_time_ordered_with_ties_in_input_order(events in arb_log()) {
        let log = build(&events);
        for c in 0..log.num_cases() {
            let r = log.case_range(c);
            let ts = &log.timestamp[r.clone()];
            prop_assert!(ts.windows(2).all(|w| w[0] <= w[1]));
            // Reference: stable sort of this case's input events by time.
            let mut want: Vec<(i64, String)> = events
                .iter()
                .filter(|e| format!("c{}", e.0) == log.case_id(c))
                .map(|e| (e.2 * 1000, format!("a{}", e.1)))
                .collect();
            want.sort_by_key(|w| w.0);
            let got: Vec<(i64, String)> = r.map(|e| (log.timestamp[e], log.activity_name(log.activity[e]).to_owned())).collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn csv_export_round_trips(events in arb_log()) {
        let log = build(&events);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        mining::export::write_log(&log, &p).unwrap();
        let back = mining::import::load(&p, &Default::default()).unwrap().log;
        prop_assert_eq!(dfg(&back), dfg(&log));
    }
}
