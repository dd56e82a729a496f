//! Failing fast while PostgreSQL is unreachable.
//!
//! Without this, every request during an outage waits the pool's whole acquire timeout (the
//! pool keeps retrying refused connections, assuming a server that is starting), and requests
//! pile up. When acquiring a connection fails as unavailable, one background probe connects
//! directly, bypassing the pool: if the server refuses, the breaker opens and requests get 503
//! at once; the probe keeps trying every `PROBE_EVERY` and closes the breaker as soon as the
//! server answers. A pool that timed out only because it was busy is probed, found alive, and
//! nothing opens.
use crate::DbError;
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const PROBE_EVERY: Duration = Duration::from_millis(250);
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(crate) struct Breaker {
    open: AtomicBool,
    probing: AtomicBool,
}

impl Breaker {
    /// Refuses at once while the database is known to be unreachable.
    pub(crate) fn check(&self) -> Result<(), DbError> {
        if self.open.load(Ordering::Acquire) {
            return Err(DbError::Unavailable(
                "the database is unreachable (reconnecting in the background)".into(),
            ));
        }
        Ok(())
    }

    /// Called with an acquire error: an unavailable database starts the probe.
    pub(crate) fn observe(self: &Arc<Self>, e: &DbError, opts: &PgConnectOptions) {
        if !matches!(e, DbError::Unavailable(_)) || self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (me, opts) = (self.clone(), opts.clone());
        tokio::spawn(async move {
            loop {
                let alive = match tokio::time::timeout(PROBE_TIMEOUT, opts.connect()).await {
                    Ok(Ok(conn)) => {
                        let _ = sqlx::Connection::close(conn).await;
                        true
                    }
                    _ => false,
                };
                let was_open = me.open.swap(!alive, Ordering::AcqRel);
                if alive {
                    if was_open {
                        tracing::info!("the database answers again");
                    }
                    break;
                }
                if !was_open {
                    tracing::warn!("the database is unreachable: failing requests fast");
                }
                tokio::time::sleep(PROBE_EVERY).await;
            }
            me.probing.store(false, Ordering::Release);
        });
    }
}
