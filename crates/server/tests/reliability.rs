//! Reliability under faults, against the real `opsdesk` binary run as a child process (crash,
//! backup under load, a PostgreSQL restart, two nodes) and in-process (hostile bodies).
mod harness;
mod load;
mod opsdesk_bin;

mod backup;
mod bodies;
mod crash;
mod migrate_data;
mod pg_restart;
mod two_nodes;
