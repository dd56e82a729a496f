//! identity's rules, each run on SQLite and on PostgreSQL.
mod common;

use common::*;
use db::testing::{BACKENDS, TestDb};
use identity::service::*;
use identity::*;
use kernel::{AppError, Locale, Role};

fn codes(e: &AppError) -> Vec<(String, &'static str)> {
    match e {
        AppError::Validation(v) => v.iter().map(|f| (f.field.clone(), f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_accounts() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let admin = add_user(db, "root", Role::Admin).await;
        let member = add_user(db, "mia", Role::Member).await;
        let actx = ctx_for(&admin, T0 + 1000);
        let mctx = ctx_for(&member, T0 + 1000);

        // Non-admins may not create, list or change accounts, and nothing is written.
        let nu = |name: &str, pw: &str| NewUser {
            username: name.into(),
            role: Role::Member,
            password: pw.into(),
        };
        assert!(
            matches!(
                create_user(db, &mctx, nu("eve", PW)).await,
                Err(AppError::Forbidden(_))
            ),
            "{b:?}"
        );
        assert!(matches!(
            list_users(db, &mctx, &UserFilter::default()).await,
            Err(AppError::Forbidden(_))
        ));
        let rc = RoleChange {
            role: Role::Admin,
            expected_version: member.version,
        };
        assert!(matches!(
            change_role(db, &mctx, member.id, rc).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            disable_user(db, &mctx, admin.id, 1).await,
            Err(AppError::Forbidden(_))
        ));
        let pr = PasswordReset {
            password: "another-Long-pass9".into(),
        };
        // Another's account does not exist for a member (404); their own is not theirs to reset
        // through the admin operation (403).
        assert!(matches!(
            reset_password(db, &mctx, admin.id, pr.clone()).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            reset_password(db, &mctx, member.id, pr).await,
            Err(AppError::Forbidden(_))
        ));
        // A member sees their own account only; others do not exist for them.
        assert_eq!(
            get_user(db, &mctx, member.id).await.unwrap().username,
            "mia"
        );
        assert!(matches!(
            get_user(db, &mctx, admin.id).await,
            Err(AppError::NotFound)
        ));

        // Every field problem at once; weak and guessable passwords refused; nothing written.
        let e = create_user(db, &actx, nu("a b", "password"))
            .await
            .unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("username".into(), "invalid_chars"),
                ("password".into(), "weak_password")
            ]
        );
        let e = create_user(db, &actx, nu("wang.fang", "wang.fang1"))
            .await
            .unwrap_err();
        assert_eq!(codes(&e), [("password".into(), "weak_password")]);
        let e = create_user(db, &actx, nu("xy", "short")).await.unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("username".into(), "invalid_length"),
                ("password".into(), "too_short")
            ]
        );
        let e = create_user(db, &actx, nu("MIA", PW)).await.unwrap_err();
        assert_eq!(
            codes(&e),
            [("username".into(), "taken")],
            "usernames compare case-insensitively"
        );
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM users", &[]).await, 2);
        assert_eq!(audit_count(db, "user.create").await, 0);

        // Create: Argon2id hash stored, the audit event has the account but never the hash.
        let wang = create_user(db, &actx, nu(" Wang.Fang ", "river Lantern 42 silk"))
            .await
            .unwrap();
        assert_eq!(
            (
                wang.username.as_str(),
                wang.role,
                wang.disabled,
                wang.version
            ),
            ("wang.fang", Role::Member, false, 1)
        );
        let mut tx = db.read().await.unwrap();
        let (_, phc) = store::user_with_hash(&mut tx, "wang.fang")
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(audit_count(db, "user.create").await, 1);
        let audit = all_audit_text(db).await;
        assert!(
            audit.contains("wang.fang")
                && !audit.contains("argon2")
                && !audit.contains("password_hash"),
            "{audit}"
        );
        let json = serde_json::to_string(&wang).unwrap();
        assert!(
            !json.contains("argon2") && !json.contains("password"),
            "{json}"
        );

        // Lists: filters and cursor pages.
        for i in 0..5 {
            add_user(db, &format!("viewer{i}"), Role::Viewer).await;
        }
        let f = UserFilter {
            role: Some(Role::Viewer),
            limit: Some(2),
            ..Default::default()
        };
        let p1 = list_users(db, &actx, &f).await.unwrap();
        assert_eq!(
            p1.items
                .iter()
                .map(|u| u.username.as_str())
                .collect::<Vec<_>>(),
            ["viewer0", "viewer1"]
        );
        let f2 = UserFilter {
            cursor: p1.next_cursor.clone(),
            ..f.clone()
        };
        let p2 = list_users(db, &actx, &f2).await.unwrap();
        assert_eq!(
            p2.items
                .iter()
                .map(|u| u.username.as_str())
                .collect::<Vec<_>>(),
            ["viewer2", "viewer3"]
        );
        let p3 = list_users(
            db,
            &actx,
            &UserFilter {
                cursor: p2.next_cursor,
                ..f.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(p3.items.len(), 1);
        assert_eq!(p3.next_cursor, None);
        let q = list_users(
            db,
            &actx,
            &UserFilter {
                q: Some("FANG".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(q.items.iter().map(|u| u.id).collect::<Vec<_>>(), [wang.id]);
        let q = list_users(
            db,
            &actx,
            &UserFilter {
                q: Some("%".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(q.items.is_empty(), "LIKE wildcards are escaped");
        let bad = UserFilter {
            cursor: Some("zz".into()),
            ..Default::default()
        };
        assert!(matches!(
            list_users(db, &actx, &bad).await,
            Err(AppError::Validation(_))
        ));

        // Roles: optimistic concurrency, audit with before/after.
        let stale = RoleChange {
            role: Role::Manager,
            expected_version: 99,
        };
        assert!(matches!(
            change_role(db, &actx, wang.id, stale).await,
            Err(AppError::PreconditionFailed)
        ));
        let rc = RoleChange {
            role: Role::Manager,
            expected_version: wang.version,
        };
        let wang = change_role(db, &actx, wang.id, rc).await.unwrap();
        assert_eq!((wang.role, wang.version), (Role::Manager, 2));
        assert_eq!(audit_count(db, "user.role").await, 1);
        let rc = RoleChange {
            role: Role::Manager,
            expected_version: 1,
        };
        assert!(matches!(
            change_role(db, &actx, 9999, rc).await,
            Err(AppError::NotFound)
        ));

        // The last enabled admin can be neither demoted nor disabled.
        let rc = RoleChange {
            role: Role::Member,
            expected_version: admin.version,
        };
        assert!(
            matches!(
                change_role(db, &actx, admin.id, rc).await,
                Err(AppError::Conflict(_))
            ),
            "{b:?}"
        );
        assert!(matches!(
            disable_user(db, &actx, admin.id, admin.version).await,
            Err(AppError::Conflict(_))
        ));
        // With a second admin, the first may step down; a disabled admin does not count.
        let rc = RoleChange {
            role: Role::Admin,
            expected_version: wang.version,
        };
        let wang = change_role(db, &actx, wang.id, rc).await.unwrap();
        let wang = disable_user(db, &actx, wang.id, wang.version)
            .await
            .unwrap();
        assert!(wang.disabled);
        let rc = RoleChange {
            role: Role::Member,
            expected_version: admin.version,
        };
        assert!(matches!(
            change_role(db, &actx, admin.id, rc).await,
            Err(AppError::Conflict(_))
        ));
        let wang = enable_user(db, &actx, wang.id, wang.version).await.unwrap();
        assert!(!wang.disabled);
        let rc = RoleChange {
            role: Role::Member,
            expected_version: admin.version,
        };
        let demoted = change_role(db, &actx, admin.id, rc).await.unwrap();
        assert_eq!(demoted.role, Role::Member);

        // Disabling ends every session of the account in the same transaction.
        let wctx = ctx_for(&wang, T0 + 2000);
        add_session(db, member.id, &"a1".repeat(32), T0).await;
        add_session(db, member.id, &"b2".repeat(32), T0).await;
        add_session(db, wang.id, &"c3".repeat(32), T0).await;
        let m = disable_user(db, &wctx, member.id, member.version)
            .await
            .unwrap();
        assert!(m.disabled);
        assert_eq!(sessions_of(db, member.id).await, 0);
        assert_eq!(
            sessions_of(db, wang.id).await,
            1,
            "other accounts keep theirs"
        );
        assert_eq!(audit_count(db, "user.disable").await, 2);

        // Role and state in one call, one transaction (no other writer can interleave): the
        // demoted former admin becomes a disabled viewer with one version check, two audited
        // changes; a stale version changes neither.
        let both = update_account(
            db,
            &wctx,
            demoted.id,
            Some(Role::Viewer),
            Some(true),
            demoted.version,
        )
        .await
        .unwrap();
        assert_eq!((both.role, both.disabled), (Role::Viewer, true));
        assert_eq!(both.version, demoted.version + 2);
        assert!(matches!(
            update_account(
                db,
                &wctx,
                both.id,
                Some(Role::Manager),
                Some(false),
                demoted.version
            )
            .await,
            Err(AppError::PreconditionFailed)
        ));
        let unchanged = get_user(db, &wctx, both.id).await.unwrap();
        assert_eq!(
            (unchanged.role, unchanged.disabled, unchanged.version),
            (Role::Viewer, true, both.version)
        );
        assert_eq!(audit_count(db, "user.disable").await, 3);

        // Admin password reset: policy checked, old password stops working, sessions end.
        let e = reset_password(
            db,
            &wctx,
            member.id,
            PasswordReset {
                password: "mia12345".into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(codes(&e), [("password".into(), "weak_password")]);
        let m = enable_user(db, &wctx, member.id, m.version).await.unwrap();
        add_session(db, member.id, &"d4".repeat(32), T0).await;
        reset_password(
            db,
            &wctx,
            member.id,
            PasswordReset {
                password: "Lotus pond 7 evening".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(sessions_of(db, member.id).await, 0);
        let mut tx = db.read().await.unwrap();
        let (_, phc) = store::user_with_hash(&mut tx, "mia")
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        assert!(identity::password::verify_password(
            "Lotus pond 7 evening",
            &phc
        ));
        assert!(!identity::password::verify_password(PW, &phc));
        let audit = all_audit_text(db).await;
        assert!(
            audit.contains("user.reset_password")
                && !audit.contains("Lotus")
                && !audit.contains("argon2")
        );
        assert!(m.version > member.version);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_password_and_preferences() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let u = add_user(db, "li.lei", Role::Member).await;
        let ctx = ctx_for(&u, T0 + 5000);
        let keep = "ee".repeat(32);
        add_session(db, u.id, &keep, T0).await;
        add_session(db, u.id, &"ff".repeat(32), T0).await;

        // Wrong current password and a weak new one: both fields named, nothing changed.
        let bad = PasswordChange {
            current_password: "nope nope nope".into(),
            new_password: "li.lei123".into(),
        };
        let e = change_own_password(db, &ctx, Some(&keep), bad)
            .await
            .unwrap_err();
        let mut c = codes(&e);
        c.sort();
        assert_eq!(
            c,
            [
                ("current_password".into(), "wrong_password"),
                ("new_password".into(), "weak_password")
            ]
        );
        assert_eq!(sessions_of(db, u.id).await, 2);
        let failed = count(
            db,
            "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'user.change_password' AND outcome = 'failed'",
            &[],
        )
        .await;
        assert_eq!(failed, 1, "{b:?}");

        let ok = PasswordChange {
            current_password: PW.into(),
            new_password: "Maple syrup 9 winter".into(),
        };
        change_own_password(db, &ctx, Some(&keep), ok)
            .await
            .unwrap();
        let mut tx = db.read().await.unwrap();
        let (_, phc) = store::user_with_hash(&mut tx, "li.lei")
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        assert!(identity::password::verify_password(
            "Maple syrup 9 winter",
            &phc
        ));
        assert_eq!(sessions_of(db, u.id).await, 1, "other sessions end");
        let mut tx = db.read().await.unwrap();
        assert!(
            store::session(&mut tx, &db::digest(&keep))
                .await
                .unwrap()
                .is_some(),
            "the current one stays"
        );
        drop(tx);
        assert!(!all_audit_text(db).await.contains("Maple"));

        // Preferences: zh-CN / dark, partial updates keep the other field.
        let after = set_preferences(db, &ctx, Some(Locale::ZhCn), Some(Theme::Dark))
            .await
            .unwrap();
        assert_eq!(
            (after.locale, after.theme),
            (Some(Locale::ZhCn), Some(Theme::Dark))
        );
        let after = set_preferences(db, &ctx, None, Some(Theme::System))
            .await
            .unwrap();
        assert_eq!(
            (after.locale, after.theme),
            (Some(Locale::ZhCn), Some(Theme::System))
        );
        assert_eq!(audit_count(db, "user.preferences").await, 2);
        // The input types refuse unknown fields and unknown values.
        assert!(serde_json::from_str::<Preferences>(r#"{"locale":"fr"}"#).is_err());
        assert!(serde_json::from_str::<Preferences>(r#"{"theme":"blue"}"#).is_err());
        assert!(serde_json::from_str::<Preferences>(r#"{"theme":"dark","x":1}"#).is_err());
        // The system has no own account to change.
        let sys = kernel::Ctx::system(T0);
        assert!(matches!(
            set_preferences(db, &sys, None, None).await,
            Err(AppError::Forbidden(_))
        ));

        // Sign out everywhere: self or admin only.
        let other = add_user(db, "han.mei", Role::Member).await;
        let octx = ctx_for(&other, T0);
        assert!(matches!(
            end_all_sessions(db, &octx, u.id).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(end_all_sessions(db, &ctx, u.id).await.unwrap(), 1);
        assert_eq!(sessions_of(db, u.id).await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_login_timeouts_and_logout() {
    let policy = SessionPolicy::default();
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let u = add_user(db, "zhou", Role::Manager).await;
        let ip = "198.51.100.7";

        let ok = login(db, T0, " Zhou ", PW, ip, "test-agent").await.unwrap();
        assert_eq!(ok.session_token.len(), 64);
        assert_eq!(ok.user.id, u.id);
        // Only the digest is stored.
        let n = count(
            db,
            "SELECT COUNT(*) AS n FROM sessions WHERE id_hash = $1",
            &[db::digest(&ok.session_token).into()],
        )
        .await;
        assert_eq!(n, 1);
        let n = count(
            db,
            "SELECT COUNT(*) AS n FROM sessions WHERE id_hash = $1",
            &[ok.session_token.clone().into()],
        )
        .await;
        assert_eq!(n, 0);
        let su = authenticate_session(db, T0 + 1, policy, &ok.session_token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            su,
            SessionUser {
                user_id: u.id,
                username: "zhou".into(),
                role: Role::Manager,
                csrf: Some(ok.csrf.clone()),
                locale: None,
                theme: None
            }
        );
        // A new login is a new session id (fixation-proof); both are valid.
        let ok2 = login(db, T0, "zhou", PW, ip, "").await.unwrap();
        assert_ne!(ok2.session_token, ok.session_token);
        assert_ne!(ok2.csrf, ok.csrf);
        assert_eq!(sessions_of(db, u.id).await, 2);
        assert_eq!(audit_count(db, "auth.login").await, 2);
        assert!(!all_audit_text(db).await.contains(PW));

        // last_seen_at is refreshed at most once a minute.
        let seen = |tok: String| async move {
            let mut tx = db.read().await.unwrap();
            store::session(&mut tx, &db::digest(&tok))
                .await
                .unwrap()
                .unwrap()
                .last_seen_at
        };
        authenticate_session(db, T0 + 59_000, policy, &ok.session_token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen(ok.session_token.clone()).await, T0);
        authenticate_session(db, T0 + 60_000, policy, &ok.session_token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen(ok.session_token.clone()).await, T0 + 60_000);

        // Idle timeout: 30 minutes after the last refresh it is still valid, a moment later not.
        let idle_edge = T0 + 60_000 + policy.idle_ms;
        assert!(
            authenticate_session(db, idle_edge, policy, &ok.session_token)
                .await
                .unwrap()
                .is_some()
        );
        // (that call refreshed last_seen_at to idle_edge)
        assert!(
            authenticate_session(
                db,
                idle_edge + policy.idle_ms + 1,
                policy,
                &ok.session_token
            )
            .await
            .unwrap()
            .is_none()
        );
        assert_eq!(
            sessions_of(db, u.id).await,
            1,
            "the expired session is deleted"
        );

        // Absolute timeout: kept busy every 10 minutes, it still ends 12 h after sign-in.
        let ok3 = login(db, T0, "zhou", PW, ip, "").await.unwrap();
        let mut now = T0;
        while now + 600_000 <= T0 + policy.absolute_ms {
            now += 600_000;
            assert!(
                authenticate_session(db, now, policy, &ok3.session_token)
                    .await
                    .unwrap()
                    .is_some(),
                "{now}"
            );
        }
        assert!(
            authenticate_session(db, T0 + policy.absolute_ms + 1, policy, &ok3.session_token)
                .await
                .unwrap()
                .is_none()
        );

        // A configurable policy.
        let short = SessionPolicy {
            idle_ms: 1000,
            absolute_ms: 5000,
        };
        assert!(
            authenticate_session(db, T0 + 1001, short, &ok2.session_token)
                .await
                .unwrap()
                .is_none()
        );

        // Logout ends the session; unknown or malformed tokens are simply not signed in.
        let ok4 = login(db, T0, "zhou", PW, ip, "").await.unwrap();
        logout(db, T0 + 10, &ok4.session_token).await.unwrap();
        assert!(
            authenticate_session(db, T0 + 20, policy, &ok4.session_token)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(audit_count(db, "auth.logout").await, 1);
        logout(db, T0, "garbage").await.unwrap();
        assert!(
            authenticate_session(db, T0, policy, "garbage")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            authenticate_session(db, T0, policy, &"00".repeat(32))
                .await
                .unwrap()
                .is_none()
        );

        // Wrong password, unknown user, disabled account: the same answer, audited as failures.
        let e1 = login(db, T0, "zhou", "wrong password!", ip, "")
            .await
            .unwrap_err();
        let e2 = login(db, T0, "nobody", PW, ip, "").await.unwrap_err();
        assert!(
            matches!(e1, AppError::Unauthorized) && matches!(e2, AppError::Unauthorized),
            "{b:?}"
        );
        let live = login(db, T0, "zhou", PW, ip, "").await.unwrap();
        let admin = add_user(db, "boss", Role::Admin).await;
        let cur = identity::service::get_user(db, &ctx_for(&admin, T0), u.id)
            .await
            .unwrap();
        disable_user(db, &ctx_for(&admin, T0), u.id, cur.version)
            .await
            .unwrap();
        assert!(
            authenticate_session(db, T0 + 1, policy, &live.session_token)
                .await
                .unwrap()
                .is_none()
        );
        let e3 = login(db, T0, "zhou", PW, ip, "").await.unwrap_err();
        assert!(matches!(e3, AppError::Unauthorized));
        assert_eq!(audit_count(db, "auth.login_failed").await, 3);
        let audit = all_audit_text(db).await;
        assert!(
            audit.contains("wrong_password")
                && audit.contains("unknown_user")
                && audit.contains("disabled")
        );
        assert!(
            !audit.contains("wrong password!")
                && !audit.contains(PW)
                && !audit.contains(&live.session_token)
        );
        let n = count(
            db,
            "SELECT COUNT(*) AS n FROM login_attempts WHERE success = $1",
            &[false.into()],
        )
        .await;
        assert_eq!(n, 3);

        // The periodic purge removes expired sessions only.
        add_session(db, admin.id, &"aa".repeat(32), T0).await;
        add_session(db, admin.id, &"bb".repeat(32), T0 + policy.idle_ms).await;
        assert_eq!(
            purge_sessions(db, T0 + policy.idle_ms + 1, policy)
                .await
                .unwrap(),
            1
        );
        assert_eq!(sessions_of(db, admin.id).await, 1);
    }
}

async fn fail_n(db: &db::Db, username: &str, ip: &str, at: i64, n: usize) {
    let mut tx = db.write().await.unwrap();
    for _ in 0..n {
        store::insert_attempt(&mut tx, username, ip, at, false)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn retry(r: Result<LoginOk, AppError>) -> Option<u64> {
    match r {
        Err(AppError::TooManyRequests { retry_after_s }) => Some(retry_after_s),
        _ => None,
    }
}

#[tokio::test]
async fn weak_hashes_are_upgraded_on_sign_in() {
    use argon2::password_hash::PasswordHasher;
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let u = add_user(db, "wu", Role::Member).await;
        // A hash from an older, weaker configuration (m = 4 MiB, t = 1).
        let weak = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(PW.as_bytes())
        .unwrap()
        .to_string();
        let mut tx = db.write().await.unwrap();
        store::set_password(&mut tx, u.id, &weak, T0).await.unwrap();
        tx.commit().await.unwrap();
        let stored = || async {
            let mut tx = db.read().await.unwrap();
            store::password_hash_of(&mut tx, u.id)
                .await
                .unwrap()
                .unwrap()
        };
        // A failed attempt changes nothing.
        assert!(
            login(db, T0, "wu", "wrong password!", "198.51.100.9", "")
                .await
                .is_err()
        );
        assert_eq!(stored().await, weak);
        login(db, T0, "wu", PW, "198.51.100.9", "").await.unwrap();
        let now = stored().await;
        assert!(!identity::password::needs_rehash(&now), "{now}");
        assert!(identity::password::verify_password(PW, &now));
        // And the upgraded hash signs in.
        login(db, T0 + 1, "wu", PW, "198.51.100.9", "")
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_throttling() {
    let p = ThrottlePolicy::default();
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        add_user(db, "owner", Role::Member).await;
        add_user(db, "other", Role::Member).await;
        let home = "203.0.113.5";
        let attacker = "203.0.113.66";

        // Per account and address: 10 failures in 15 minutes, then refused without checking
        // the password (even the right one); the wait is until the 10th newest ages out.
        fail_n(db, "owner", attacker, T0, 9).await;
        fail_n(db, "owner", attacker, T0 + 60_000, 1).await;
        let r = login(db, T0 + 120_000, "owner", PW, attacker, "").await;
        assert_eq!(retry(r), Some(13 * 60), "{b:?}");
        assert_eq!(audit_count(db, "auth.login_failed").await, 1);
        let throttled_attempts = count(db, "SELECT COUNT(*) AS n FROM login_attempts", &[]).await;
        assert_eq!(
            throttled_attempts, 10,
            "a refused attempt is not counted again"
        );
        // Another account from that address, and the same account from home, are unaffected.
        assert!(
            login(db, T0 + 120_000, "other", PW, attacker, "")
                .await
                .is_ok()
        );
        assert!(login(db, T0 + 120_000, "owner", PW, home, "").await.is_ok());
        // After the window, the address may try again.
        assert!(
            login(db, T0 + 15 * 60_000 + 1, "owner", PW, attacker, "")
                .await
                .is_ok()
        );

        // Per address across accounts: 50 failures in an hour.
        let spray = "198.51.100.99";
        for i in 0..50 {
            fail_n(db, &format!("guess{i}"), spray, T0, 1).await;
        }
        let r = login(db, T0 + 1000, "other", PW, spray, "").await;
        assert_eq!(retry(r), Some(3599), "{b:?}");

        // Per account overall: 100 failures in an hour from many addresses lock out strangers…
        let at = T0 + 2 * 3_600_000;
        fail_n(db, "owner", "10.0.0.1", at - 1000, 50).await;
        fail_n(db, "owner", "10.0.0.2", at, 49).await;
        let r = login(db, at, "owner", "still guessing", "10.0.0.3", "").await;
        assert!(
            matches!(r, Err(AppError::Unauthorized)),
            "{b:?}: the 100th failure is still allowed"
        );
        let r = login(db, at, "owner", PW, "10.0.0.4", "").await;
        assert_eq!(
            retry(r),
            Some(3599),
            "{b:?}: until the 100th newest failure is an hour old"
        );
        // …but not the owner's address, which signed in successfully before (within 30 days).
        let ok = login(db, at, "owner", PW, home, "").await;
        assert!(ok.is_ok(), "{b:?}: {:?}", ok.err());
        // A wrong password from home is an ordinary failure, not a throttle.
        let e = login(db, at, "owner", "not it at all", home, "")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Unauthorized));
        // Trust expires after 30 days without a successful sign-in from that address.
        let later = at + p.trusted_ms + 1000;
        fail_n(db, "owner", "10.0.0.9", later, 100).await;
        let r = login(db, later, "owner", PW, home, "").await;
        assert!(retry(r).is_some(), "{b:?}");

        // Purging keeps what the limits still need.
        let purged = purge_login_attempts(db, later, &p).await.unwrap();
        assert!(purged > 0);
        let left = count(db, "SELECT COUNT(*) AS n FROM login_attempts", &[]).await;
        assert_eq!(left, 100, "{b:?}: only the recent failures remain");
        let audit = all_audit_text(db).await;
        assert!(audit.contains("throttled") && !audit.contains(PW));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let u = add_user(db, "bot.owner", Role::Member).await;
        let other = add_user(db, "someone", Role::Member).await;
        let admin = add_user(db, "root", Role::Admin).await;
        let ctx = ctx_for(&u, T0);

        let e = create_token(db, &ctx, NewToken { name: "  ".into() })
            .await
            .unwrap_err();
        assert_eq!(codes(&e), [("name".into(), "required")]);
        let c = create_token(
            db,
            &ctx,
            NewToken {
                name: "CI export".into(),
            },
        )
        .await
        .unwrap();
        assert!(
            c.secret.starts_with("opsdesk_pat_") && c.secret.len() == 12 + 64,
            "{}",
            c.secret
        );
        assert_eq!(c.token.prefix, &c.secret[..18]);
        // Stored as a digest only; never in the audit log.
        let n = count(
            db,
            "SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = $1",
            &[db::digest(&c.secret).into()],
        )
        .await;
        assert_eq!(n, 1);
        let audit = all_audit_text(db).await;
        assert!(
            audit.contains("api_token.create") && !audit.contains(&c.secret[18..]),
            "{audit}"
        );

        let su = authenticate_token(db, T0 + 10, &c.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (su.user_id, su.role, su.csrf.clone()),
            (u.id, Role::Member, None)
        );
        let used = |db: &db::Db, id: i64| {
            let db = db.clone();
            async move {
                let mut tx = db.read().await.unwrap();
                store::token_by_id(&mut tx, id)
                    .await
                    .unwrap()
                    .unwrap()
                    .last_used_at
            }
        };
        assert_eq!(used(db, c.token.id).await, Some(T0 + 10));
        authenticate_token(db, T0 + 59_000, &c.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            used(db, c.token.id).await,
            Some(T0 + 10),
            "at most one write a minute"
        );
        authenticate_token(db, T0 + 70_010, &c.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used(db, c.token.id).await, Some(T0 + 70_010));
        assert!(
            authenticate_token(db, T0, "opsdesk_pat_nope")
                .await
                .unwrap()
                .is_none()
        );
        let forged = format!("opsdesk_pat_{}", "0".repeat(64));
        assert!(authenticate_token(db, T0, &forged).await.unwrap().is_none());

        // Lists never carry secrets; other people's tokens are invisible to non-admins.
        let listed = list_tokens(db, &ctx, None).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(
            !serde_json::to_string(&listed)
                .unwrap()
                .contains(&c.secret[18..])
        );
        let octx = ctx_for(&other, T0);
        assert!(list_tokens(db, &octx, None).await.unwrap().is_empty());
        assert!(matches!(
            list_tokens(db, &octx, Some(u.id)).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            revoke_token(db, &octx, c.token.id).await,
            Err(AppError::NotFound)
        ));
        assert!(
            authenticate_token(db, T0, &c.secret)
                .await
                .unwrap()
                .is_some()
        );
        let actx = ctx_for(&admin, T0 + 100);
        assert_eq!(list_tokens(db, &actx, Some(u.id)).await.unwrap().len(), 1);

        // Revoke own; the admin may revoke anyone's.
        let r = revoke_token(db, &ctx_for(&u, T0 + 50), c.token.id)
            .await
            .unwrap();
        assert_eq!(r.revoked_at, Some(T0 + 50));
        assert!(
            authenticate_token(db, T0 + 60, &c.secret)
                .await
                .unwrap()
                .is_none()
        );
        let c2 = create_token(
            db,
            &ctx,
            NewToken {
                name: "second".into(),
            },
        )
        .await
        .unwrap();
        revoke_token(db, &actx, c2.token.id).await.unwrap();
        assert!(
            authenticate_token(db, T0 + 200, &c2.secret)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(audit_count(db, "api_token.revoke").await, 2);

        // A disabled account's tokens stop working.
        let c3 = create_token(
            db,
            &ctx,
            NewToken {
                name: "third".into(),
            },
        )
        .await
        .unwrap();
        assert!(
            authenticate_token(db, T0, &c3.secret)
                .await
                .unwrap()
                .is_some()
        );
        disable_user(db, &actx, u.id, u.version).await.unwrap();
        assert!(
            authenticate_token(db, T0, &c3.secret)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_setup_and_cli() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        assert!(setup_needed(db).await.unwrap(), "{b:?}");
        let token = create_setup_token(db, T0).await.unwrap();
        let n = count(
            db,
            "SELECT COUNT(*) AS n FROM settings WHERE value = $1",
            &[token.clone().into()],
        )
        .await;
        assert_eq!(n, 0, "only the digest is stored");

        let e = complete_setup(db, T0, "wrong", "chief", PW)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = complete_setup(db, T0, &token, "chief", "chief123")
            .await
            .unwrap_err();
        assert_eq!(codes(&e), [("password".into(), "weak_password")]);
        assert!(setup_needed(db).await.unwrap());
        // A newer token replaces the older one.
        let token2 = create_setup_token(db, T0).await.unwrap();
        assert!(matches!(
            complete_setup(db, T0, &token, "chief", PW).await,
            Err(AppError::Forbidden(_))
        ));
        let admin = complete_setup(db, T0, &token2, "chief", PW).await.unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert!(!setup_needed(db).await.unwrap());
        assert!(matches!(
            complete_setup(db, T0, &token2, "chief2", PW).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            create_setup_token(db, T0).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM users", &[]).await, 1);
        assert_eq!(audit_count(db, "user.create").await, 1);
        assert!(login(db, T0, "chief", PW, "127.0.0.1", "").await.is_ok());

        // CLI helpers act as the system, through the same rules.
        let e = create_user_cli(db, T0, "ops", Role::Manager, "password1")
            .await
            .unwrap_err();
        assert_eq!(codes(&e), [("password".into(), "weak_password")]);
        let ops = create_user_cli(db, T0, "ops", Role::Manager, "Quiet harbour 88 lamps")
            .await
            .unwrap();
        assert_eq!(ops.role, Role::Manager);
        let secret = create_token_cli(db, T0, "ops", "nightly").await.unwrap();
        assert_eq!(
            authenticate_token(db, T0, &secret)
                .await
                .unwrap()
                .unwrap()
                .user_id,
            ops.id
        );
        assert!(matches!(
            create_token_cli(db, T0, "ghost", "x").await,
            Err(AppError::NotFound)
        ));
        reset_password_cli(db, T0, "ops", "Seven bridges over 2 rivers")
            .await
            .unwrap();
        assert!(
            login(
                db,
                T0,
                "ops",
                "Seven bridges over 2 rivers",
                "127.0.0.1",
                ""
            )
            .await
            .is_ok()
        );
        let by_system = count(
            db,
            "SELECT COUNT(*) AS n FROM audit_events WHERE actor_name = 'system' AND actor_user_id IS NULL",
            &[],
        )
        .await;
        assert_eq!(
            by_system, 3,
            "{b:?}: user.create, api_token.create, user.reset_password"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_accounts_and_housekeeping() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        // First start creates the account; a later start re-enables it with a new password,
        // the right role, and no old sessions.
        let u = upsert_demo_user(db, T0, "manager", Role::Manager, "demo-3f9a0c12b7e4")
            .await
            .unwrap();
        assert_eq!((u.role, u.disabled), (Role::Manager, false));
        let admin = add_user(db, "root", Role::Admin).await;
        let actx = ctx_for(&admin, T0);
        let u = change_role(
            db,
            &actx,
            u.id,
            RoleChange {
                role: Role::Viewer,
                expected_version: u.version,
            },
        )
        .await
        .unwrap();
        disable_user(db, &actx, u.id, u.version).await.unwrap();
        add_session(db, u.id, &"9c".repeat(32), T0).await;
        let u2 = upsert_demo_user(db, T0 + 1, "manager", Role::Manager, "demo-77d1e0aa4c2b")
            .await
            .unwrap();
        assert_eq!(
            (u2.id, u2.role, u2.disabled),
            (u.id, Role::Manager, false),
            "{b:?}"
        );
        assert_eq!(sessions_of(db, u.id).await, 0);
        assert!(
            login(db, T0 + 2, "manager", "demo-77d1e0aa4c2b", "127.0.0.1", "")
                .await
                .is_ok()
        );
        assert!(matches!(
            login(db, T0 + 2, "manager", "demo-3f9a0c12b7e4", "127.0.0.1", "").await,
            Err(AppError::Unauthorized)
        ));
        assert_eq!(audit_count(db, "user.demo_reset").await, 1);
        assert!(!all_audit_text(db).await.contains("demo-77d1e0aa4c2b"));

        // Housekeeping deletes dead sessions and attempts no limit needs any more.
        add_session(db, admin.id, &"5e".repeat(32), T0).await;
        let mut tx = db.write().await.unwrap();
        store::insert_attempt(&mut tx, "x", "192.0.2.9", T0, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        housekeeping(db, T0 + 3_600_000).await.unwrap();
        assert_eq!(
            sessions_of(db, admin.id).await,
            1,
            "{b:?}: still within bounds"
        );
        let n = count(db, "SELECT COUNT(*) AS n FROM login_attempts", &[]).await;
        assert_eq!(n, 3, "{b:?}: the failures are still within the hour");
        let later = T0 + HOUSEKEEPING_SESSION_BOUND.idle_ms + 10;
        housekeeping(db, later).await.unwrap();
        assert_eq!(sessions_of(db, admin.id).await, 0);
        let failures = count(
            db,
            "SELECT COUNT(*) AS n FROM login_attempts WHERE success = $1",
            &[false.into()],
        )
        .await;
        assert_eq!(failures, 0);
        let successes = count(
            db,
            "SELECT COUNT(*) AS n FROM login_attempts WHERE success = $1",
            &[true.into()],
        )
        .await;
        assert_eq!(
            successes, 1,
            "successes are kept for the 30-day trust period"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_demotions_keep_an_admin() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        for round in 0..5 {
            let a = add_user(db, &format!("a{round}"), Role::Admin).await;
            let c = add_user(db, &format!("c{round}"), Role::Admin).await;
            // Leave exactly these two enabled admins.
            let mut tx = db.write().await.unwrap();
            tx.execute(
                "UPDATE users SET disabled = $1 WHERE role = 'admin' AND id <> $2 AND id <> $3",
                &[true.into(), a.id.into(), c.id.into()],
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let (cctx, actx) = (ctx_for(&c, T0), ctx_for(&a, T0));
            let (ra, rc) = tokio::join!(
                disable_user(db, &cctx, a.id, a.version),
                change_role(
                    db,
                    &actx,
                    c.id,
                    RoleChange {
                        role: Role::Member,
                        expected_version: c.version
                    }
                )
            );
            assert!(
                ra.is_ok() != rc.is_ok(),
                "{b:?}: exactly one succeeds: {ra:?} {rc:?}"
            );
            let left = count(
                db,
                "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = $1",
                &[false.into()],
            )
            .await;
            assert_eq!(left, 1, "{b:?}");
        }
    }
}
