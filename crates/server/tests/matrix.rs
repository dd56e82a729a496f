//! The permission matrix: `tests/matrix/<module>.toml` says, for every OpenAPI operation, what
//! each role gets for an object in each scope; this module runs every cell against the real
//! server on SQLite and PostgreSQL, and fails when an operation has no rows (see
//! `tests/matrix/README.md` for the format and how a new module adds its rows and fixtures).
pub mod fixtures;

use crate::common::*;
use fixtures::{Scope, World};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub const ROLES: [&str; 6] = [
    "anonymous",
    "viewer",
    "member",
    "manager_a",
    "manager_b",
    "admin",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    op: Vec<Row>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// "METHOD /api/v1/path/{id}" exactly as in the OpenAPI document.
    pub op: String,
    /// The fixture kind whose object fills `{id}`, one fresh object per scope.
    #[serde(default)]
    pub object: Option<String>,
    /// No `{id}`, but the placeholders (`$dept`, `$person`, `$user`) vary by scope.
    #[serde(default)]
    pub scoped: bool,
    #[serde(default)]
    pub body: Option<toml::Value>,
    #[serde(default)]
    pub query: Option<String>,
    /// A raw (non-JSON) body, sent as is with `content_type`; placeholders are not replaced.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The `Content-Type` of `raw_body` (required with it).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Whose identity reads the `If-Match` ETag: `"holder"` (the object's holder, see
    /// fixtures.rs) instead of the admin, for objects an admin may not read.
    #[serde(default)]
    pub etag_as: Option<String>,
    pub expect: BTreeMap<String, Expect>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    One(u16),
    ByScope([u16; 3]),
}

pub struct Loaded {
    pub module: String,
    pub row: Row,
}

fn matrix_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/matrix")
}

/// Every row of every module file, checked for shape (all six roles, arrays only where a scope
/// exists); a malformed file fails here with its name.
pub fn load() -> Vec<Loaded> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(matrix_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let module = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let file: File = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not a valid matrix file: {e}", path.display()));
        for row in file.op {
            let roles: BTreeSet<&str> = row.expect.keys().map(String::as_str).collect();
            let want: BTreeSet<&str> = ROLES.into_iter().collect();
            assert_eq!(
                roles, want,
                "{module}: {} must list exactly the roles {ROLES:?}",
                row.op
            );
            let has_scope = row.object.is_some() || row.scoped;
            for (role, e) in &row.expect {
                assert_eq!(
                    matches!(e, Expect::ByScope(_)),
                    has_scope,
                    "{module}: {} {role}: use [own, same, other] exactly when the row has `object` or `scoped`",
                    row.op
                );
            }
            assert!(
                row.raw_body.is_none() || (row.body.is_none() && row.content_type.is_some()),
                "{module}: {}: `raw_body` needs `content_type` and excludes `body`",
                row.op
            );
            assert!(
                row.content_type.is_none() || row.raw_body.is_some(),
                "{module}: {}: `content_type` only goes with `raw_body`",
                row.op
            );
            assert!(
                row.etag_as.as_deref().is_none_or(|w| w == "holder")
                    && (row.etag_as.is_none() || row.object.is_some()),
                "{module}: {}: `etag_as` must be \"holder\" on a row with `object`",
                row.op
            );
            assert_eq!(
                row.op.contains("{id}"),
                row.object.is_some(),
                "{module}: {} needs `object` exactly when its path has {{id}}",
                row.op
            );
            out.push(Loaded {
                module: module.clone(),
                row,
            });
        }
    }
    out
}

/// Every (METHOD path) the OpenAPI document declares, with the operation object.
pub fn documented_operations(doc: &Value) -> BTreeMap<String, Value> {
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.insert(format!("{} {path}", method.to_uppercase()), op.clone());
            }
        }
    }
    ops
}

fn openapi_doc() -> Value {
    let (_, doc) = server::openapi::api_router().split_for_parts();
    serde_json::to_value(server::openapi::finish(doc)).unwrap()
}

/// A new endpoint without rules fails CI here, and so does a row for an endpoint that is gone.
#[test]
fn every_documented_operation_has_matrix_rows() {
    let doc = openapi_doc();
    let documented = documented_operations(&doc);
    let rows = load();
    let mut seen = BTreeMap::<String, String>::new();
    for l in &rows {
        if let Some(first) = seen.insert(l.row.op.clone(), l.module.clone()) {
            panic!(
                "{} has rows in both {first}.toml and {}.toml",
                l.row.op, l.module
            );
        }
    }
    let missing: Vec<_> = documented
        .keys()
        .filter(|k| !seen.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without permission-matrix rows (add them to tests/matrix/<module>.toml): {missing:#?}"
    );
    let stale: Vec<_> = seen
        .keys()
        .filter(|k| !documented.contains_key(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for operations that no longer exist: {stale:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_matrix_every_cell() {
    let rows = load();
    let doc = openapi_doc();
    let documented = documented_operations(&doc);
    for b in BACKENDS {
        let app = spawn(b).await;
        let mut world = World::build(&app, 0).await;
        let mut failures = Vec::new();
        let mut cells = 0;
        let mut observed = BTreeMap::<&str, BTreeSet<u16>>::new();
        // Deletions last: a cell that deletes a shared object (the caller's own person) would
        // otherwise change the world under the rows after it.
        let mut ordered: Vec<&Loaded> = rows.iter().collect();
        ordered.sort_by_key(|l| l.row.op.starts_with("DELETE "));
        for l in ordered {
            let op = documented
                .get(&l.row.op)
                .unwrap_or_else(|| panic!("{} is not in the OpenAPI document", l.row.op));
            for role in ROLES {
                let scopes: Vec<(Option<Scope>, u16)> = match &l.row.expect[role] {
                    Expect::One(s) => vec![(None, *s)],
                    Expect::ByScope(a) => Scope::ALL
                        .iter()
                        .copied()
                        .map(Some)
                        .zip(a.iter().copied())
                        .collect(),
                };
                for (scope, want) in scopes {
                    cells += 1;
                    let got = world.run_cell(&l.row, op, role, scope).await;
                    observed.entry(&l.row.op).or_default().insert(got.status);
                    if got.status != want {
                        failures.push(format!(
                            "{}: {} as {role} on {}: expected {want}, got {} {}",
                            l.module,
                            l.row.op,
                            scope.map_or("-", Scope::name),
                            got.status,
                            got.body.chars().take(200).collect::<String>()
                        ));
                    } else if !got.audited {
                        failures.push(format!(
                            "{}: {} as {role}: the {want} is not in the audit log with actor, address, target and outcome",
                            l.module, l.row.op
                        ));
                    } else if want >= 400 && !got.problem {
                        failures.push(format!(
                            "{}: {} as {role}: {want} is not application/problem+json",
                            l.module, l.row.op
                        ));
                    }
                    if got.status < 300 && got.changed_shared {
                        world = World::build(&app, world.generation + 1).await;
                    }
                }
            }
        }
        for (op, statuses) in &observed {
            let gaps = undocumented(&documented, op, statuses);
            if !gaps.is_empty() {
                failures.push(format!(
                    "{op} answered {gaps:?}, which its OpenAPI responses omit"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{b:?}: {} of {cells} permission-matrix cells differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
        app.stop().await;
    }
}

/// The statuses an operation's cells yield that its OpenAPI responses do not document
/// (`permission_matrix_every_cell` proves the cells yield exactly the rows' statuses).
fn undocumented(
    documented: &BTreeMap<String, Value>,
    op: &str,
    statuses: &BTreeSet<u16>,
) -> Vec<u16> {
    let responses = &documented[op]["responses"];
    statuses
        .iter()
        .copied()
        .filter(|s| responses.get(s.to_string()).is_none())
        .collect()
}

/// A client reads the OpenAPI document to know what an operation may answer: every status the
/// matrix specifies for an operation (a policy's 403, a hidden object's 404, …) is documented,
/// and documented as problem+json when it is an error.
#[test]
fn every_matrix_status_is_documented() {
    let doc = openapi_doc();
    let documented = documented_operations(&doc);
    let mut missing = Vec::new();
    for l in load() {
        let statuses: BTreeSet<u16> = l
            .row
            .expect
            .values()
            .flat_map(|e| match e {
                Expect::One(s) => vec![*s],
                Expect::ByScope(a) => a.to_vec(),
            })
            .collect();
        let Some(op) = documented.get(&l.row.op) else {
            continue;
        };
        let gaps = undocumented(&documented, &l.row.op, &statuses);
        if !gaps.is_empty() {
            missing.push(format!("{}: {} {gaps:?}", l.module, l.row.op));
        }
        for s in statuses.iter().filter(|s| **s >= 400) {
            let content = &op["responses"][s.to_string()]["content"];
            if content.is_object() && content.get("application/problem+json").is_none() {
                missing.push(format!(
                    "{}: {} {s} is not documented as application/problem+json",
                    l.module, l.row.op
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "statuses the permission matrix specifies but the OpenAPI document does not list \
         (add them to the handler's #[utoipa::path] responses):\n{}",
        missing.join("\n")
    );
}
