//! The storage contract, run against both backends.
use db::testing::{BACKENDS, TestDb};
use db::{Backend, Val};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_sql_same_results_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let mut tx = t.db.write().await.unwrap();
        let id = tx
            .insert_id(
                "INSERT INTO departments (name, code, created_at, updated_at) VALUES ($1,$2,$3,$3) RETURNING id",
                &["运营部".into(), Val::from("OPS"), 1_700_000_000_000i64.into()],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.db.read().await.unwrap();
        let row = tx
            .fetch_one(
                "SELECT id, name, code, parent_id FROM departments WHERE id = $1",
                &[id.into()],
            )
            .await
            .unwrap();
        assert_eq!(row.string("name").unwrap(), "运营部", "{b:?}");
        assert_eq!(row.opt_i64("parent_id").unwrap(), None);
        drop(tx);

        // A rolled-back write leaves nothing behind.
        let mut tx = t.db.write().await.unwrap();
        tx.execute(
            "UPDATE departments SET name = $1 WHERE id = $2",
            &["x".into(), id.into()],
        )
        .await
        .unwrap();
        drop(tx);
        let mut tx = t.db.read().await.unwrap();
        let n = tx
            .count(
                "SELECT COUNT(*) AS n FROM departments WHERE name = $1",
                &["x".into()],
            )
            .await
            .unwrap();
        assert_eq!(n, 0, "{b:?}");

        // Unique violations surface as conflicts naming the field.
        let mut tx = t.db.write().await.unwrap();
        let err = tx
            .execute(
                "INSERT INTO departments (name, code, created_at, updated_at) VALUES ($1,$2,$3,$3)",
                &["dup".into(), Val::from("OPS"), 1i64.into()],
            )
            .await
            .unwrap_err();
        assert!(matches!(err, db::DbError::Unique(_)), "{b:?}: {err:?}");
        let app: kernel::AppError = err.into();
        assert_eq!(app.status(), 409);
        drop(tx);

        // So do foreign-key violations (a delete of a referenced row), on both backends.
        t.db.raw(
            "CREATE TABLE fk_parent (id BIGINT PRIMARY KEY); \
             CREATE TABLE fk_child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES fk_parent(id))",
        )
        .await
        .unwrap();
        let mut tx = t.db.write().await.unwrap();
        tx.execute("INSERT INTO fk_parent (id) VALUES ($1)", &[1i64.into()])
            .await
            .unwrap();
        tx.execute(
            "INSERT INTO fk_child (id, parent_id) VALUES ($1, $2)",
            &[1i64.into(), 1i64.into()],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.db.write().await.unwrap();
        let err = tx
            .execute("DELETE FROM fk_parent WHERE id = $1", &[1i64.into()])
            .await
            .unwrap_err();
        assert!(matches!(err, db::DbError::ForeignKey), "{b:?}: {err:?}");
        let app: kernel::AppError = err.into();
        assert_eq!(app.status(), 409);
        assert_eq!(t.db.backend(), b);
        let _ = Backend::Sqlite;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_idempotent_and_recorded() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        assert_eq!(
            db::migrate::run(&t.db).await.unwrap(),
            0,
            "{b:?}: second run applies nothing"
        );
        let mut tx = t.db.read().await.unwrap();
        let n = tx
            .count("SELECT COUNT(*) AS n FROM schema_migrations", &[])
            .await
            .unwrap();
        assert_eq!(n as usize, db::migrate::MIGRATIONS.len());
    }
}

/// (table, column, normalised type, nullable) and (table, index columns, unique) for a backend.
async fn logical_schema(
    t: &TestDb,
) -> (
    Vec<(String, String, String, bool)>,
    Vec<(String, String, bool)>,
) {
    let mut tx = t.db.read().await.unwrap();
    let mut cols = Vec::new();
    let mut idx = Vec::new();
    match t.db.backend() {
        Backend::Sqlite => {
            let tables = tx
                .fetch_all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", &[])
                .await
                .unwrap();
            for tr in tables {
                let table = tr.string("name").unwrap();
                for c in tx.fetch_all(&format!("SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info('{table}')"), &[]).await.unwrap() {
                    let pk = c.i64("pk").unwrap() > 0;
                    cols.push((table.clone(), c.string("name").unwrap(), norm(&c.string("type").unwrap()), c.i64("nn").unwrap() == 0 && !pk));
                }
                for i in tx
                    .fetch_all(
                        &format!(
                            "SELECT name, \"unique\" AS u, origin FROM pragma_index_list('{table}')"
                        ),
                        &[],
                    )
                    .await
                    .unwrap()
                {
                    let name = i.string("name").unwrap();
                    let columns: Vec<String> = tx
                        .fetch_all(
                            &format!("SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"),
                            &[],
                        )
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| r.string("name").unwrap())
                        .collect();
                    idx.push((table.clone(), columns.join(","), i.i64("u").unwrap() == 1));
                }
                // SQLite's INTEGER PRIMARY KEY is the rowid and has no index entry; PostgreSQL's does.
                let pks: Vec<String> = tx
                    .fetch_all(
                        &format!(
                            "SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk"
                        ),
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.string("name").unwrap())
                    .collect();
                let pk = (table.clone(), pks.join(","), true);
                if !idx.contains(&pk) {
                    idx.push(pk);
                }
            }
        }
        Backend::Postgres => {
            for c in tx
                .fetch_all(
                    "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns \
                     WHERE table_schema = 'public'",
                    &[],
                )
                .await
                .unwrap()
            {
                cols.push((
                    c.string("table_name").unwrap(),
                    c.string("column_name").unwrap(),
                    norm(&c.string("data_type").unwrap()),
                    c.string("is_nullable").unwrap() == "YES",
                ));
            }
            for i in tx
                .fetch_all(
                    "SELECT t.relname AS tbl, ix.indisunique AS u, \
                     (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols \
                     FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
                     WHERE ns.nspname = 'public'",
                    &[],
                )
                .await
                .unwrap()
            {
                idx.push((i.string("tbl").unwrap(), i.string("cols").unwrap(), i.bool("u").unwrap()));
            }
        }
    }
    cols.sort();
    idx.sort();
    (cols, idx)
}

fn norm(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "int",
        "text" => "text",
        "real" | "double precision" => "float",
        "boolean" => "bool",
        "blob" | "bytea" => "bytes",
        other => return other.to_string(),
    }
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_logical_schema() {
    let s = TestDb::new(Backend::Sqlite).await;
    let p = TestDb::new(Backend::Postgres).await;
    let (sc, si) = logical_schema(&s).await;
    let (pc, pi) = logical_schema(&p).await;
    let only = |a: &[(String, String, String, bool)],
                b: &[(String, String, String, bool)]|
     -> Vec<_> { a.iter().filter(|x| !b.contains(x)).cloned().collect() };
    assert!(sc.len() > 60, "the schema has its tables: {}", sc.len());
    assert_eq!(only(&sc, &pc), vec![], "columns only in SQLite");
    assert_eq!(only(&pc, &sc), vec![], "columns only in PostgreSQL");
    assert_eq!(si, pi, "indexes differ (table, columns, unique)");
}
