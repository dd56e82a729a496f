//! Moving an installation from the embedded SQLite database to PostgreSQL
//! (`opsdesk migrate-data`): every table, ids intact, in one target transaction, then verified
//! by re-reading both sides (row count and checksum per table) before the transaction commits.
//!
//! The target's schema comes from the same migrations as the source's, so the PostgreSQL catalog
//! is the description both sides share: column types say how to read each SQLite value, foreign
//! keys say the order. A foreign key that points at a table not yet copied (a department's
//! parent, a person's manager) is written in a second pass, so rows never need reordering.
use crate::{Backend, Db, DbError, Row, Tx, Val};
use std::collections::{BTreeMap, BTreeSet};

/// One copied table as verified after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub table: String,
    pub rows: i64,
    pub checksum: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
    Bool,
    Bytes,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
    nullable: bool,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    /// (column, referenced table)
    foreign_keys: Vec<(String, String)>,
    identity: Option<String>,
}

/// The table that records applied migrations: each side keeps its own (dialect checksums differ).
const MIGRATIONS_TABLE: &str = "schema_migrations";
/// Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters per statement).
const BATCH_ROWS: usize = 500;

/// Copies everything from `from` (SQLite) into `to` (PostgreSQL) and verifies it before committing. Both are migrated first. A
/// target that already holds data is refused unless `force`, which empties it (in the same
/// transaction as the copy, so a failed copy leaves the target as it was).
pub async fn copy_all(from: &Db, to: &Db, force: bool) -> Result<Vec<TableReport>, DbError> {
    if from.backend() != Backend::Sqlite || to.backend() != Backend::Postgres {
        return Err(DbError::Other(
            "migrate-data copies an SQLite database (--from sqlite:PATH) into PostgreSQL \
             (--to postgres://…)"
                .into(),
        ));
    }
    crate::migrate::run(from).await?;
    crate::migrate::run(to).await?;
    same_migrations(from, to).await?;
    let tables = ordered(target_tables(to).await?)?;
    check_source_columns(from, &tables).await?;

    // One read transaction: the copy and its verification see the same snapshot of the source
    // even if something still writes to it.
    let mut src = from.read().await?;
    src.execute("BEGIN", &[]).await?;
    let result = copy_in_one_transaction(&mut src, to, &tables, force).await;
    let _ = src.execute("ROLLBACK", &[]).await;
    result
}

async fn copy_in_one_transaction(
    src: &mut Tx,
    to: &Db,
    tables: &[Table],
    force: bool,
) -> Result<Vec<TableReport>, DbError> {
    let mut tx = to.write().await?;
    let mut nonempty = Vec::new();
    for t in tables {
        let n = tx
            .count(&format!("SELECT COUNT(*) AS n FROM {}", t.name), &[])
            .await?;
        if n > 0 {
            nonempty.push(format!("{} ({n} rows)", t.name));
        }
    }
    if !nonempty.is_empty() {
        if !force {
            return Err(DbError::Other(format!(
                "the target database is not empty: {}; use --force to replace its data",
                nonempty.join(", ")
            )));
        }
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        tx.execute(&format!("TRUNCATE {} CASCADE", names.join(", ")), &[])
            .await?;
    }
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for t in tables {
        copy_table(src, &mut tx, t, &done).await?;
        done.insert(&t.name);
        if let Some(id) = &t.identity {
            // The next id continues after the copied ones, as it would have on SQLite.
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), \
                     COALESCE((SELECT MAX({1}) FROM {0}), 0) + 1, false)",
                    t.name, id
                ),
                &[],
            )
            .await?;
        }
    }
    // Verified inside the copy's transaction: a mismatch commits nothing.
    let reports = verify(src, &mut tx, tables).await?;
    tx.commit().await?;
    Ok(reports)
}

async fn same_migrations(from: &Db, to: &Db) -> Result<(), DbError> {
    let q = "SELECT version FROM schema_migrations ORDER BY version";
    let versions = |rows: Vec<Row>| -> Result<Vec<i64>, DbError> {
        rows.iter().map(|r| r.i64("version")).collect()
    };
    let a = versions(from.read().await?.fetch_all(q, &[]).await?)?;
    let b = versions(to.read().await?.fetch_all(q, &[]).await?)?;
    if a != b {
        return Err(DbError::Other(format!(
            "source and target are at different schema versions ({a:?} vs {b:?})"
        )));
    }
    Ok(())
}

/// The target's tables with their columns, foreign keys and identity column.
async fn target_tables(to: &Db) -> Result<Vec<Table>, DbError> {
    let mut tx = to.read().await?;
    let cols = tx
        .fetch_all(
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, \
             is_nullable::text AS nullable, is_identity::text AS ident \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for r in &cols {
        let name = r.string("t")?;
        if name == MIGRATIONS_TABLE {
            continue;
        }
        let col = r.string("c")?;
        let ty = r.string("ty")?;
        let kind = match ty.as_str() {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "double precision" | "real" => Kind::Float,
            "text" | "character varying" | "character" => Kind::Text,
            "boolean" => Kind::Bool,
            "bytea" => Kind::Bytes,
            other => {
                return Err(DbError::Other(format!(
                    "{name}.{col}: column type {other} is not supported by migrate-data"
                )));
            }
        };
        let t = tables.entry(name.clone()).or_insert_with(|| Table {
            name,
            columns: Vec::new(),
            foreign_keys: Vec::new(),
            identity: None,
        });
        if r.string("ident")? == "YES" {
            t.identity = Some(col.clone());
        }
        t.columns.push(Column {
            name: col,
            kind,
            nullable: r.string("nullable")? == "YES",
        });
    }
    let fks = tx
        .fetch_all(
            "SELECT c.conrelid::regclass::text AS t, c.confrelid::regclass::text AS r, \
             a.attname::text AS col \
             FROM pg_constraint c JOIN pg_attribute a \
               ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
             WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
            &[],
        )
        .await?;
    for r in &fks {
        if let Some(t) = tables.get_mut(&r.string("t")?) {
            t.foreign_keys.push((r.string("col")?, r.string("r")?));
        }
    }
    Ok(tables.into_values().collect())
}

/// Orders tables so that every foreign key points at a table copied earlier where possible;
/// when only a cycle is left, a table goes first if its references into the cycle are nullable
/// (they are filled in a second pass). Required references in a cycle cannot be copied.
fn ordered(mut rest: Vec<Table>) -> Result<Vec<Table>, DbError> {
    let mut out: Vec<Table> = Vec::new();
    while !rest.is_empty() {
        let placed: BTreeSet<String> = out.iter().map(|t| t.name.clone()).collect();
        let ok = |t: &Table, nullable_may_wait: bool| {
            t.foreign_keys.iter().all(|(col, target)| {
                *target == t.name
                    || placed.contains(target)
                    || (nullable_may_wait && t.columns.iter().any(|c| c.name == *col && c.nullable))
            })
        };
        let i = rest
            .iter()
            .position(|t| ok(t, false))
            .or_else(|| rest.iter().position(|t| ok(t, true)))
            .ok_or_else(|| {
                DbError::Other(format!(
                    "tables {:?} form a cycle of required foreign keys",
                    rest.iter().map(|t| &t.name).collect::<Vec<_>>()
                ))
            })?;
        out.push(rest.remove(i));
    }
    Ok(out)
}

async fn check_source_columns(from: &Db, tables: &[Table]) -> Result<(), DbError> {
    let mut tx = from.read().await?;
    let rows = tx
        .fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            &[],
        )
        .await?;
    let source: BTreeSet<String> = rows
        .iter()
        .map(|r| r.string("name"))
        .collect::<Result<_, _>>()?;
    let target: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    let missing: Vec<&String> = source
        .iter()
        .filter(|n| *n != MIGRATIONS_TABLE && !target.contains(*n))
        .collect();
    if !missing.is_empty() {
        return Err(DbError::Other(format!(
            "the target has no table for {missing:?}"
        )));
    }
    for t in tables {
        let rows = tx
            .fetch_all(
                &format!("SELECT name FROM pragma_table_info('{}')", t.name),
                &[],
            )
            .await?;
        let have: BTreeSet<String> = rows
            .iter()
            .map(|r| r.string("name"))
            .collect::<Result<_, _>>()?;
        let want: BTreeSet<String> = t.columns.iter().map(|c| c.name.clone()).collect();
        if have != want {
            return Err(DbError::Other(format!(
                "table {}: the source has columns {have:?}, the target {want:?}",
                t.name
            )));
        }
    }
    Ok(())
}

fn read_val(r: &Row, c: &Column) -> Result<Val, DbError> {
    Ok(match c.kind {
        Kind::Int => Val::I64(r.opt_i64(&c.name)?),
        Kind::Float => Val::F64(r.opt_f64(&c.name)?),
        Kind::Text => Val::Text(r.opt_string(&c.name)?),
        Kind::Bool => Val::Bool(r.opt_bool(&c.name)?),
        Kind::Bytes => Val::Bytes(r.opt_bytes(&c.name)?),
    })
}

fn is_null(v: &Val) -> bool {
    matches!(
        v,
        Val::I64(None) | Val::F64(None) | Val::Text(None) | Val::Bool(None) | Val::Bytes(None)
    )
}

fn null_like(v: &Val) -> Val {
    match v {
        Val::I64(_) => Val::I64(None),
        Val::F64(_) => Val::F64(None),
        Val::Text(_) => Val::Text(None),
        Val::Bool(_) => Val::Bool(None),
        Val::Bytes(_) => Val::Bytes(None),
    }
}

async fn copy_table(
    src: &mut Tx,
    dst: &mut Tx,
    t: &Table,
    done: &BTreeSet<&str>,
) -> Result<(), DbError> {
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    // Nullable references to this table or to one not copied yet: NULL now, set in pass two.
    let deferred: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            t.foreign_keys.iter().any(|(col, target)| {
                *col == c.name && (*target == t.name || !done.contains(target.as_str()))
            })
        })
        .map(|(i, _)| i)
        .collect();
    let key = t.identity.as_deref();
    if !deferred.is_empty() && key.is_none() {
        return Err(DbError::Other(format!(
            "table {} has a forward reference but no id column",
            t.name
        )));
    }
    let select = format!(
        "SELECT rowid AS _rowid, {} FROM {} WHERE rowid > $1 ORDER BY rowid LIMIT {BATCH_ROWS}",
        names.join(", "),
        t.name
    );
    let mut after = i64::MIN;
    let mut second_pass: Vec<(Val, usize, Val)> = Vec::new();
    loop {
        let rows = src.fetch_all(&select, &[after.into()]).await?;
        let Some(last) = rows.last() else { break };
        after = last.i64("_rowid")?;
        let mut args = Vec::with_capacity(rows.len() * names.len());
        let mut tuples = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut ph = Vec::with_capacity(names.len());
            let vals: Vec<Val> = t
                .columns
                .iter()
                .map(|c| read_val(r, c))
                .collect::<Result<_, _>>()?;
            let id =
                key.map(|k| vals[names.iter().position(|n| *n == k).expect("id column")].clone());
            for (i, v) in vals.into_iter().enumerate() {
                if deferred.contains(&i) && !is_null(&v) {
                    second_pass.push((id.clone().expect("checked"), i, v.clone()));
                    args.push(null_like(&v));
                } else {
                    args.push(v);
                }
                ph.push(format!("${}", args.len()));
            }
            tuples.push(format!("({})", ph.join(", ")));
        }
        dst.execute(
            &format!(
                "INSERT INTO {} ({}) VALUES {}",
                t.name,
                names.join(", "),
                tuples.join(", ")
            ),
            &args,
        )
        .await?;
    }
    for (id, i, v) in second_pass {
        dst.execute(
            &format!(
                "UPDATE {} SET {} = $1 WHERE {} = $2",
                t.name,
                names[i],
                key.expect("checked")
            ),
            &[v, id],
        )
        .await?;
    }
    Ok(())
}

/// Row count and an order-independent checksum (the sum of the rows' SHA-256 prefixes) per
/// table on both sides; any difference is an error naming the table.
async fn verify(from: &mut Tx, to: &mut Tx, tables: &[Table]) -> Result<Vec<TableReport>, DbError> {
    let mut reports = Vec::new();
    for t in tables {
        let src = table_checksum(from, t).await?;
        let dst = table_checksum(to, t).await?;
        if src != dst {
            return Err(DbError::Other(format!(
                "verification failed for table {}: source {} rows (checksum {}), target {} rows \
                 (checksum {})",
                t.name, src.0, src.1, dst.0, dst.1
            )));
        }
        reports.push(TableReport {
            table: t.name.clone(),
            rows: src.0,
            checksum: src.1,
        });
    }
    Ok(reports)
}

/// (rows, checksum) of one table as read through `tx`, in pages so memory stays bounded.
async fn table_checksum(tx: &mut Tx, t: &Table) -> Result<(i64, String), DbError> {
    use sha2::Digest;
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    let mut sum: u128 = 0;
    let mut n: i64 = 0;
    let mut offset: i64 = 0;
    // Any stable order pages correctly (the sum does not depend on it); the id is the cheap one.
    let order = match &t.identity {
        Some(id) => id.clone(),
        None => (1..=names.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    loop {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM {} ORDER BY {order} LIMIT {} OFFSET {offset}",
                    names.join(", "),
                    t.name,
                    BATCH_ROWS * 10
                ),
                &[],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        offset += rows.len() as i64;
        for r in &rows {
            let mut h = sha2::Sha256::new();
            for c in &t.columns {
                let field = match read_val(r, c)? {
                    Val::I64(Some(v)) => format!("i{v}"),
                    Val::F64(Some(v)) => format!("f{:x}", v.to_bits()),
                    Val::Text(Some(v)) => format!("t{}:{v}", v.len()),
                    Val::Bool(Some(v)) => format!("b{}", u8::from(v)),
                    Val::Bytes(Some(v)) => format!("x{}:{}", v.len(), crate::digest_bytes(&v)),
                    _ => "n".to_string(),
                };
                h.update(field.as_bytes());
                h.update([0x1f]);
            }
            let d = h.finalize();
            sum = sum.wrapping_add(u128::from_be_bytes(d[..16].try_into().expect("16 bytes")));
            n += 1;
        }
    }
    Ok((n, format!("{sum:032x}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    /// References that point forward (a child department with a smaller id than its parent)
    /// and a cycle (two people managing each other), NULLs, booleans, floats and CJK text.
    const SEED: &str = "
        INSERT INTO departments (id, name, code, parent_id, created_at, updated_at)
            VALUES (5, '子部门 Child', 'C', NULL, 1, 1), (9, 'Parent', 'P', NULL, 1, 1);
        UPDATE departments SET parent_id = 9 WHERE id = 5;
        INSERT INTO people (id, employee_no, name, department_id, manager_id, active, created_at, updated_at)
            VALUES (3, 'E3', '张三', 5, NULL, TRUE, 1, 1), (4, 'E4', 'O''Brien', 9, 3, FALSE, 1, 1);
        UPDATE people SET manager_id = 4 WHERE id = 3;
        INSERT INTO tasks (id, title, assignee_id, department_id, status, priority, estimate_hours, created_at, updated_at)
            VALUES (70, '整理周报', 3, 5, 'todo', 'high', 2.75, 1780000000000, 1780000000001),
                   (71, 'no estimate', NULL, NULL, 'done', 'low', NULL, 1, 2);
    ";

    async fn one(db: &Db, sql: &str) -> Row {
        db.read().await.unwrap().fetch_one(sql, &[]).await.unwrap()
    }

    #[tokio::test]
    async fn copies_forward_references_and_cycles_and_continues_ids() {
        let src = TestDb::new(Backend::Sqlite).await;
        let dst = TestDb::new(Backend::Postgres).await;
        src.db.raw(SEED).await.unwrap();

        let reports = copy_all(&src.db, &dst.db, false).await.unwrap();
        let rows = |t: &str| reports.iter().find(|r| r.table == t).unwrap().rows;
        assert_eq!(
            (rows("departments"), rows("people"), rows("tasks")),
            (2, 2, 2)
        );

        let d = one(&dst.db, "SELECT parent_id FROM departments WHERE id = 5").await;
        assert_eq!(d.opt_i64("parent_id").unwrap(), Some(9));
        let p = one(
            &dst.db,
            "SELECT manager_id, active FROM people WHERE id = 3",
        )
        .await;
        assert_eq!(p.opt_i64("manager_id").unwrap(), Some(4));
        assert!(p.bool("active").unwrap());
        let p = one(&dst.db, "SELECT name, active FROM people WHERE id = 4").await;
        assert_eq!(p.string("name").unwrap(), "O'Brien");
        assert!(!p.bool("active").unwrap());
        let t = one(
            &dst.db,
            "SELECT estimate_hours, title FROM tasks WHERE id = 70",
        )
        .await;
        assert_eq!(t.f64("estimate_hours").unwrap(), 2.75);
        assert_eq!(t.string("title").unwrap(), "整理周报");

        // New rows continue after the copied ids.
        let mut tx = dst.db.write().await.unwrap();
        let id = tx
            .insert_id(
                "INSERT INTO departments (name, created_at, updated_at) VALUES ('new', 1, 1) RETURNING id",
                &[],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(id, 10);

        // Not empty any more: refused (naming the tables) unless forced; forced, it is exact.
        let e = copy_all(&src.db, &dst.db, false)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not empty") && e.contains("departments (3 rows)"),
            "{e}"
        );
        let again = copy_all(&src.db, &dst.db, true).await.unwrap();
        assert_eq!(
            again, reports,
            "a forced copy gives the same tables, rows and checksums"
        );
    }

    #[tokio::test]
    async fn verification_notices_a_changed_value() {
        let src = TestDb::new(Backend::Sqlite).await;
        let dst = TestDb::new(Backend::Postgres).await;
        src.db.raw(SEED).await.unwrap();
        copy_all(&src.db, &dst.db, false).await.unwrap();
        dst.db
            .raw("UPDATE tasks SET estimate_hours = 2.7500001 WHERE id = 70")
            .await
            .unwrap();
        let tables = ordered(target_tables(&dst.db).await.unwrap()).unwrap();
        let mut a = src.db.read().await.unwrap();
        let mut b = dst.db.read().await.unwrap();
        let e = verify(&mut a, &mut b, &tables)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("verification failed for table tasks"), "{e}");
    }

    #[test]
    fn a_cycle_of_required_references_is_refused() {
        let t = |name: &str, target: &str| Table {
            name: name.into(),
            columns: vec![Column {
                name: "r".into(),
                kind: Kind::Int,
                nullable: false,
            }],
            foreign_keys: vec![("r".into(), target.into())],
            identity: None,
        };
        let e = ordered(vec![t("a", "b"), t("b", "a")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("cycle of required foreign keys"), "{e}");
        let order = ordered(vec![t("a", "b"), t("b", "b")]).unwrap();
        assert_eq!(
            order.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
    }
}
