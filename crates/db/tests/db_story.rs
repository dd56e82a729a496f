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
            .fetch_one("SELECT id, name, code, parent_id FROM departments WHERE id = $1", &[id.into()])
            .await
            .unwrap();
        assert_eq!(row.string("name").unwrap(), "运营部", "{b:?}");
        assert_eq!(row.opt_i64("parent_id").unwrap(), None);
        drop(tx);

        // A rolled-back write leaves nothing behind.
        let mut tx = t.db.write().await.unwrap();
        tx.execute("UPDATE departments SET name = $1 WHERE id = $2", &["x".into(), id.into()]).await.unwrap();
        drop(tx);
        let mut tx = t.db.read().await.unwrap();
        let n = tx.count("SELECT COUNT(*) AS n FROM departments WHERE name = $1", &["x".into()]).await.unwrap();
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
        assert_eq!(t.db.backend(), b);
        let _ = Backend::Sqlite;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_idempotent_and_recorded() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        assert_eq!(db::migrate::run(&t.db).await.unwrap(), 0, "{b:?}: second run applies nothing");
        let mut tx = t.db.read().await.unwrap();
        let n = tx.count("SELECT COUNT(*) AS n FROM schema_migrations", &[]).await.unwrap();
        assert_eq!(n as usize, db::migrate::MIGRATIONS.len());
    }
}
