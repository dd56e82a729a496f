//! Crash safety: the real binary is killed with SIGKILL at random moments while concurrent
//! clients create tasks, each with a fresh Idempotency-Key, and restarted. Every acknowledged
//! write must be there, none twice (writes in doubt are retried with their key after the
//! restart), and the SQLite file must pass `PRAGMA integrity_check`.
//!
//! The negative control runs the same harness against a binary built with the test-only
//! `fault-injection` feature in its "acknowledge before commit" mode: the harness must catch it.
use super::harness::{Install, random_below};
use super::load::{Outcome, create, violations, write_until};
use crate::common::BACKENDS;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Rounds per backend; `OPSDESK_CRASH_ROUNDS` raises it for a longer soak.
fn rounds() -> usize {
    std::env::var("OPSDESK_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

const WRITERS: usize = 6;

struct Tally {
    violations: Vec<String>,
    acked: usize,
    in_doubt: usize,
}

/// Runs kill/restart rounds and returns what was violated. `stop_early`: return at the first
/// violation (the negative control needs only one).
async fn crash_rounds(inst: &Install, token: &str, rounds: usize, stop_early: bool) -> Tally {
    let mut acked: HashMap<String, i64> = HashMap::new();
    let mut in_doubt: Vec<String> = Vec::new();
    let mut tally = Tally {
        violations: Vec::new(),
        acked: 0,
        in_doubt: 0,
    };
    for round in 0..=rounds {
        let mut node = inst.serve(&[]).await;
        // Retrying a write in doubt with its key must give the stored task or create it once.
        let client = reqwest::Client::new();
        for key in in_doubt.drain(..) {
            match create(&client, &node.base, token, &key).await {
                Outcome::Acked(id) => {
                    acked.insert(key, id);
                }
                Outcome::Refused(s) => tally
                    .violations
                    .push(format!("retry of {key} after restart answered {s}")),
                Outcome::InDoubt | Outcome::NotSent => tally
                    .violations
                    .push(format!("retry of {key} after restart got no answer")),
            }
        }
        if round == rounds {
            // The last start only settles the writes in doubt; then a clean stop and the check.
            node.terminate().await;
        } else {
            let stop = Arc::new(AtomicBool::new(false));
            let load = tokio::spawn(write_until(
                node.base.clone(),
                token.to_string(),
                format!("r{round}"),
                WRITERS,
                stop.clone(),
            ));
            tokio::time::sleep(Duration::from_millis(50 + random_below(450))).await;
            node.kill().await;
            stop.store(true, Ordering::SeqCst);
            let ledger = load.await.unwrap();
            tally.in_doubt += ledger.in_doubt.len();
            acked.extend(ledger.acked);
            in_doubt.extend(ledger.in_doubt);
            for (k, s) in ledger.refused {
                tally
                    .violations
                    .push(format!("round {round}: write {k} refused with {s}"));
            }
        }
        let db = inst.open_db().await;
        let found = violations(&db, &acked).await;
        db.close().await;
        tally
            .violations
            .extend(found.into_iter().map(|v| format!("round {round}: {v}")));
        if stop_early && !tally.violations.is_empty() {
            break;
        }
    }
    tally.acked = acked.len();
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_concurrent_writes_loses_and_duplicates_nothing() {
    for b in BACKENDS {
        let inst = Install::new(b, false).await;
        let token = inst.admin_token("crash-admin").await;
        let n = rounds();
        let t = crash_rounds(&inst, &token, n, false).await;
        assert!(
            t.violations.is_empty(),
            "{b:?}: {} violation(s):\n{}",
            t.violations.len(),
            t.violations.join("\n")
        );
        // The harness proves something only if kills landed while writes were in flight.
        assert!(t.acked >= n, "{b:?}: only {} writes acknowledged", t.acked);
        assert!(t.in_doubt > 0, "{b:?}: no kill hit a write in flight");
        eprintln!(
            "{b:?}: {n} SIGKILL rounds, {} acknowledged writes, {} in doubt at a kill, all settled",
            t.acked, t.in_doubt
        );
        inst.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_harness_catches_acknowledgement_before_commit() {
    for b in BACKENDS {
        let mut inst = Install::new(b, true).await;
        let token = inst.admin_token("crash-admin").await;
        inst.env
            .push(("OPSDESK_FAULT_ACK_BEFORE_COMMIT_MS".into(), "300".into()));
        let t = crash_rounds(&inst, &token, 5, true).await;
        assert!(
            t.violations.iter().any(|v| v.contains("is missing")),
            "{b:?}: the harness did not notice writes acknowledged before commit: {:?}",
            t.violations
        );
        inst.cleanup().await;
    }
}
