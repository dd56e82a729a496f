//! What the directory's HTTP layer relies on, on both backends: Idempotency-Key on creates
//! (replay, different body refused, nothing written twice), record histories with a cursor,
//! direct reports, form choices, and the demo accounts' links.
use db::Db;
use db::idempotency::Idem;
use db::testing::{BACKENDS, TestDb};
use kernel::{AppError, Ctx};
use team::model::*;
use team::service as svc;

const NOW: i64 = 1_780_000_000_000;

async fn count(db: &Db, sql: &str) -> i64 {
    db.read().await.unwrap().count(sql, &[]).await.unwrap()
}

fn idem(key: &str, body: &str) -> Idem {
    // The system actor has no user id; key ownership is per user (0 here).
    Idem::new(0, Some(key.into()), body.as_bytes()).unwrap()
}

async fn user(db: &Db, name: &str) -> i64 {
    let mut tx = db.write().await.unwrap();
    let id = tx
        .insert_id(
            "INSERT INTO users (username, password_hash, role, created_at, updated_at) \
             VALUES ($1,'x','member',0,0) RETURNING id",
            &[name.into()],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn creates_are_idempotent_with_a_key() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let admin = Ctx::system(NOW);
        let input = DepartmentInput {
            name: "运营部".into(),
            code: Some("OPS".into()),
            ..Default::default()
        };
        let k = idem("k1", "body-1");
        let d1 = svc::create_department(db, &admin, &input, Some(&k))
            .await
            .unwrap();
        let d2 = svc::create_department(db, &admin, &input, Some(&k))
            .await
            .unwrap();
        assert_eq!(d1, d2, "{b:?}: the retry replays the first department");
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM departments").await, 1);
        let other = idem("k1", "body-2");
        assert!(matches!(
            svc::create_department(db, &admin, &input, Some(&other)).await,
            Err(AppError::IdempotencyMismatch)
        ));

        let p_in = PersonInput {
            department_id: Some(d1.id),
            ..PersonInput::new("E1", "Li Na")
        };
        let kp = idem("p1", "person-body");
        let p1 = svc::create_person(db, &admin, &p_in, Some(&kp))
            .await
            .unwrap();
        let p2 = svc::create_person(db, &admin, &p_in, Some(&kp))
            .await
            .unwrap();
        assert_eq!(p1.id, p2.id);
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM people").await, 1);
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'person.create'"
            )
            .await,
            1
        );
        // Without a key, the same body is a new request (and here a duplicate employee number).
        assert!(matches!(
            svc::create_person(db, &admin, &p_in, None).await,
            Err(AppError::Conflict(_))
        ));
        // A failed create does not burn the key: nothing was remembered.
        let bad = PersonInput {
            email: Some("nope".into()),
            ..PersonInput::new("E2", "X")
        };
        let kb = idem("bad", "bad-body");
        assert!(matches!(
            svc::create_person(db, &admin, &bad, Some(&kb)).await,
            Err(AppError::Validation(_))
        ));
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = 'bad'"
            )
            .await,
            0
        );
        // Let pending connection releases run before the guard drops the database.
        db.close().await;
    }
}

#[tokio::test]
async fn history_reports_and_choices() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let admin = Ctx::system(NOW);
        let d = svc::create_department(
            db,
            &admin,
            &DepartmentInput {
                name: "HQ".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        let boss = svc::create_person(
            db,
            &admin,
            &PersonInput {
                department_id: Some(d.id),
                ..PersonInput::new("E1", "Boss")
            },
            None,
        )
        .await
        .unwrap();
        let a = svc::create_person(
            db,
            &admin,
            &PersonInput {
                manager_id: Some(boss.id),
                ..PersonInput::new("E2", "Zed")
            },
            None,
        )
        .await
        .unwrap();
        let c = svc::create_person(
            db,
            &admin,
            &PersonInput {
                manager_id: Some(boss.id),
                name_zh: Some("艾".into()),
                ..PersonInput::new("E3", "Ai")
            },
            None,
        )
        .await
        .unwrap();
        let reports: Vec<i64> = svc::direct_reports(db, &admin, boss.id)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(reports, [c.id, a.id], "{b:?}: by name");
        let opts = svc::people_options(db, &admin).await.unwrap();
        assert_eq!(
            opts.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
            ["Ai", "Boss", "Zed"]
        );

        let mut v = a.version;
        for i in 0..3 {
            let patch = PersonPatch {
                position: Some(Some(format!("P{i}"))),
                ..Default::default()
            };
            v = svc::update_person(db, &admin, a.id, v, &patch)
                .await
                .unwrap()
                .version;
        }
        let h1 = svc::history(db, &admin, "person", a.id, None, Some(3))
            .await
            .unwrap();
        assert_eq!(
            h1.items
                .iter()
                .map(|h| h.action.as_str())
                .collect::<Vec<_>>(),
            ["person.update"; 3]
        );
        let h2 = svc::history(
            db,
            &admin,
            "person",
            a.id,
            h1.next_cursor.as_deref(),
            Some(3),
        )
        .await
        .unwrap();
        assert_eq!(
            h2.items
                .iter()
                .map(|h| h.action.as_str())
                .collect::<Vec<_>>(),
            ["person.create"]
        );
        assert!(h2.next_cursor.is_none());
        let dh = svc::history(db, &admin, "department", d.id, None, None)
            .await
            .unwrap();
        assert_eq!(dh.items.len(), 1);
        assert!(matches!(
            svc::history(db, &admin, "person", 9999, None, None).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            svc::history(db, &admin, "person", a.id, Some("zz"), None).await,
            Err(AppError::BadRequest(_))
        ));
        // Let pending connection releases run before the guard drops the database.
        db.close().await;
    }
}

#[tokio::test]
async fn demo_accounts_link_idempotently() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let admin = Ctx::system(NOW);
        // Without the demo company there is nobody to link.
        assert!(matches!(
            team::demo::demo_people_for_accounts(db).await,
            Err(AppError::Conflict(_))
        ));
        let mut ids = std::collections::HashMap::new();
        for (code, parent) in [
            ("GO", None),
            ("OPS", Some("GO")),
            ("CS", Some("OPS")),
            ("FIN", Some("GO")),
        ] {
            let input = DepartmentInput {
                name: code.into(),
                code: Some(code.into()),
                parent_id: parent.map(|p| ids[p]),
                ..Default::default()
            };
            ids.insert(
                code,
                svc::create_department(db, &admin, &input, None)
                    .await
                    .unwrap()
                    .id,
            );
        }
        let mut people = Vec::new();
        for (i, code) in ["GO", "OPS", "CS", "CS", "FIN", "FIN"].iter().enumerate() {
            let input = PersonInput {
                department_id: Some(ids[code]),
                ..PersonInput::new(&format!("E{i}"), &format!("P{i}"))
            };
            people.push(svc::create_person(db, &admin, &input, None).await.unwrap());
        }
        for (code, head) in [("GO", 0), ("OPS", 1), ("CS", 2), ("FIN", 4)] {
            let d = svc::get_department(db, &admin, ids[code]).await.unwrap();
            let patch = DepartmentPatch {
                head_person_id: Some(Some(people[head].id)),
                ..Default::default()
            };
            svc::update_department(db, &admin, d.id, d.version, &patch)
                .await
                .unwrap();
        }
        let got = team::demo::demo_people_for_accounts(db).await.unwrap();
        assert_eq!(
            got,
            [people[0].id, people[1].id, people[3].id, people[5].id],
            "{b:?}"
        );

        let u = user(db, "member").await;
        team::demo::link_user(db, NOW, people[3].id, "member")
            .await
            .unwrap();
        let p = svc::get_person(db, &admin, people[3].id).await.unwrap();
        assert_eq!(p.user_id, Some(u));
        team::demo::link_user(db, NOW, people[3].id, "member")
            .await
            .unwrap();
        assert_eq!(
            svc::get_person(db, &admin, people[3].id)
                .await
                .unwrap()
                .version,
            p.version,
            "no change the second time"
        );
        // Moving the account to another person takes it from the first.
        team::demo::link_user(db, NOW, people[2].id, "member")
            .await
            .unwrap();
        assert_eq!(
            svc::get_person(db, &admin, people[3].id)
                .await
                .unwrap()
                .user_id,
            None
        );
        assert_eq!(
            svc::get_person(db, &admin, people[2].id)
                .await
                .unwrap()
                .user_id,
            Some(u)
        );
        assert!(matches!(
            team::demo::link_user(db, NOW, people[2].id, "ghost").await,
            Err(AppError::Validation(_))
        ));
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'person.link_user'"
            )
            .await,
            2
        );
        // Let pending connection releases run before the guard drops the database.
        db.close().await;
    }
}
