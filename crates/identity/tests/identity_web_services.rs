//! The services the HTTP layer adds: idempotent account creation and "me" with the linked
//! person, on SQLite and on PostgreSQL.
mod common;

use common::*;
use db::idempotency::Idem;
use db::testing::{BACKENDS, TestDb};
use identity::service::*;
use identity::*;
use kernel::{AppError, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_user_with_an_idempotency_key_replays() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let admin = add_user(db, "root", Role::Admin).await;
        let actx = ctx_for(&admin, T0 + 1000);
        let nu = |name: &str| NewUser {
            username: name.into(),
            role: Role::Member,
            password: PW.into(),
        };
        let body = br#"{"username":"li.wei"}"#;
        let idem = Idem::new(admin.id, Some("k-1".into()), body).unwrap();

        let first = create_user_idem(db, &actx, nu("li.wei"), Some(&idem))
            .await
            .unwrap();
        let again = create_user_idem(db, &actx, nu("li.wei"), Some(&idem))
            .await
            .unwrap();
        assert_eq!(first, again, "{b:?}: the retry answers the same account");
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM users WHERE username = $1",
                &["li.wei".into()]
            )
            .await,
            1
        );
        assert_eq!(
            audit_count(db, "user.create").await,
            1,
            "{b:?}: one create audited"
        );

        // The same key with another body is refused; without a key a second create is "taken".
        let other = Idem::new(admin.id, Some("k-1".into()), br#"{"username":"zhang"}"#).unwrap();
        let e = create_user_idem(db, &actx, nu("zhang"), Some(&other))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::IdempotencyMismatch), "{b:?}: {e:?}");
        let e = create_user_idem(db, &actx, nu("li.wei"), None)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Validation(_)), "{b:?}: {e:?}");

        // Non-admins are refused before any replay lookup.
        let member = add_user(db, "mia", Role::Member).await;
        let e = create_user_idem(db, &ctx_for(&member, T0 + 2000), nu("eve"), Some(&idem))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{b:?}: {e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_shows_the_linked_person() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let u = add_user(db, "wang.fang", Role::Member).await;
        let ctx = ctx_for(&u, T0 + 1000);
        let (me_user, person) = me(db, &ctx).await.unwrap();
        assert_eq!((me_user.id, person), (u.id, None), "{b:?}");

        let mut tx = db.write().await.unwrap();
        let pid = tx
            .insert_id(
                "INSERT INTO people (user_id, employee_no, name, created_at, updated_at) \
                 VALUES ($1, 'E001', 'Wang Fang', 0, 0) RETURNING id",
                &[u.id.into()],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (_, person) = me(db, &ctx).await.unwrap();
        assert_eq!(
            person,
            Some(PersonLink {
                id: pid,
                name: "Wang Fang".into()
            }),
            "{b:?}"
        );

        let e = me(db, &kernel::Ctx::system(T0)).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{b:?}: {e:?}");
    }
}
