//! Test-only fault switches, compiled only with the `fault-injection` feature (the server's
//! tests enable it; the shipped binary never does). Faults apply per account name, so a
//! negative-control test cannot disturb the tests running beside it in the same process.
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

fn dropped() -> &'static Mutex<HashSet<String>> {
    static S: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// From now on, the task list of `username` ignores the scope filter (a direct read does not).
pub fn drop_list_scope_for(username: &str) {
    dropped().lock().unwrap().insert(username.to_string());
}

pub(crate) fn list_scope_dropped(username: &str) -> bool {
    dropped().lock().unwrap().contains(username)
}
