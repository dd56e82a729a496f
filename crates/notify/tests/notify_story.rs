//! The notification centre on both backends: own-only reads and marks, counts, digest.
use db::Val;
use db::testing::{BACKENDS, TestDb};
use kernel::{Actor, AppError, Ctx, Role};

async fn user(db: &db::Db, name: &str, disabled: bool) -> i64 {
    let mut tx = db.write().await.unwrap();
    let id = tx
        .insert_id(
            "INSERT INTO users (username, password_hash, role, disabled, created_at, updated_at) \
             VALUES ($1,'x','member',$2,0,0) RETURNING id",
            &[name.into(), Val::from(disabled)],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn ctx(user_id: i64, now: i64) -> Ctx {
    let mut c = Ctx::system(now);
    c.actor = Actor {
        user_id,
        username: format!("u{user_id}"),
        role: Role::Member,
        person_id: None,
        department_id: None,
        scope: vec![],
    };
    c
}

async fn send(db: &db::Db, uid: i64, title: &str, now: i64) -> i64 {
    let mut tx = db.write().await.unwrap();
    let id = notify::notify(
        &mut tx,
        uid,
        "task.assigned",
        title,
        "body",
        Some("/tasks/1"),
        Some("task"),
        Some(1),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_notifications_only() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let alice = user(db, "alice", false).await;
        let bob = user(db, "bob", false).await;
        let h = 3_600_000;
        let a1 = send(db, alice, "first", 0).await;
        let a2 = send(db, alice, "second", h).await;
        let a3 = send(db, alice, "third", 2 * h).await;
        let b1 = send(db, bob, "bob's", 0).await;

        // A notification added in a rolled-back transaction does not exist.
        let mut tx = db.write().await.unwrap();
        notify::notify(&mut tx, alice, "k", "ghost", "", None, None, None, 0)
            .await
            .unwrap();
        drop(tx);

        assert_eq!(notify::unread_count(db, alice).await.unwrap(), 3, "{b:?}");
        let ca = ctx(alice, 30 * h);

        // Pagination, newest first, and only alice's.
        let p1 = notify::list(db, &ca, false, None, Some(2)).await.unwrap();
        assert_eq!(
            p1.items.iter().map(|n| n.id).collect::<Vec<_>>(),
            vec![a3, a2],
            "{b:?}"
        );
        let p2 = notify::list(db, &ca, false, p1.next_cursor.as_deref(), Some(2))
            .await
            .unwrap();
        assert_eq!(p2.items.iter().map(|n| n.id).collect::<Vec<_>>(), vec![a1]);
        assert!(p2.next_cursor.is_none());

        // Bob's notification is not alice's to read: NotFound, and it stays unread.
        assert!(
            matches!(
                notify::mark_read(db, &ca, b1).await,
                Err(AppError::NotFound)
            ),
            "{b:?}"
        );
        assert_eq!(notify::unread_count(db, bob).await.unwrap(), 1);

        let n = notify::mark_read(db, &ca, a2).await.unwrap();
        assert_eq!(n.read_at, Some(30 * h));
        assert_eq!(notify::unread_count(db, alice).await.unwrap(), 2);
        let unread = notify::list(db, &ca, true, None, None).await.unwrap();
        assert_eq!(
            unread.items.iter().map(|n| n.id).collect::<Vec<_>>(),
            vec![a3, a1]
        );
        // Marking again is idempotent and keeps the first read time.
        let again = notify::mark_read(db, &ctx(alice, 40 * h), a2)
            .await
            .unwrap();
        assert_eq!(again.read_at, Some(30 * h));

        // Digest: users with unread notifications older than 24 h at "now".
        let d = notify::digest_candidates(db, 25 * h).await.unwrap();
        assert_eq!(
            d.iter().map(|c| (c.user_id, c.unread)).collect::<Vec<_>>(),
            vec![(alice, 2), (bob, 1)]
        );
        let d = notify::digest_candidates(db, 24 * h - 1).await.unwrap();
        assert!(d.is_empty(), "{b:?}: nothing is older than 24 h yet");

        assert_eq!(notify::mark_all_read(db, &ca).await.unwrap(), 2);
        assert_eq!(notify::unread_count(db, alice).await.unwrap(), 0);
        assert_eq!(
            notify::unread_count(db, bob).await.unwrap(),
            1,
            "{b:?}: bob's untouched"
        );

        let mut tx = db.read().await.unwrap();
        let audits = tx
            .count(
                "SELECT COUNT(*) AS n FROM audit_events WHERE action LIKE 'notification.%'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(audits, 2, "{b:?}: one mark_read and one mark_all_read");
        assert!(
            notify::list(db, &ca, false, Some("zz"), None)
                .await
                .is_err()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_job_adds_one_digest_a_day() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let h = 3_600_000;
        let alice = user(db, "alice", false).await;
        let bob = user(db, "bob", false).await;
        let off = user(db, "off", true).await;
        {
            let mut tx = db.write().await.unwrap();
            tx.execute(
                "UPDATE users SET locale = 'zh-CN' WHERE id = $1",
                &[bob.into()],
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        send(db, alice, "a1", 0).await;
        send(db, alice, "a2", h).await;
        send(db, bob, "b1", 0).await;
        send(db, off, "o1", 0).await;
        let digests = |uid: i64| async move {
            let c = ctx(uid, 0);
            notify::list(db, &c, false, None, Some(200))
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|n| n.kind == "digest")
                .collect::<Vec<_>>()
        };

        // Nothing is 24 h old yet: no digest.
        notify::run_digest(db, 23 * h).await.unwrap();
        assert!(digests(alice).await.is_empty(), "{b:?}");

        notify::run_digest(db, 25 * h).await.unwrap();
        let a = digests(alice).await;
        assert_eq!(a.len(), 1, "{b:?}");
        assert_eq!(a[0].title, "You have 2 unread notifications");
        assert_eq!(a[0].link.as_deref(), Some("/notifications"));
        assert_eq!(digests(bob).await[0].title, "你有 1 条未读通知");
        assert!(
            digests(off).await.is_empty(),
            "{b:?}: disabled accounts get no digest"
        );

        // Within 24 h of the last digest: none more; after that: one more.
        notify::run_digest(db, 48 * h).await.unwrap();
        assert_eq!(digests(alice).await.len(), 1, "{b:?}");
        notify::run_digest(db, 49 * h + 1).await.unwrap();
        assert_eq!(digests(alice).await.len(), 2, "{b:?}");

        // Read everything: no more digests.
        notify::mark_all_read(db, &ctx(alice, 50 * h))
            .await
            .unwrap();
        notify::run_digest(db, 80 * h).await.unwrap();
        assert_eq!(digests(alice).await.len(), 2, "{b:?}");
    }
}
