//! Departments and people on both backends: tree rules, policy per role, mass-assignment
//! protection, uniqueness, filters and pagination, actor resolution.
use db::Db;
use db::testing::{BACKENDS, TestDb};
use kernel::{AppError, Ctx, Role};
use team::model::*;
use team::service as svc;

const NOW: i64 = 1_780_000_000_000;

async fn user(db: &Db, name: &str, role: Role) -> i64 {
    let mut tx = db.write().await.unwrap();
    let id = tx
        .insert_id(
            "INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ($1,'x',$2,0,0) RETURNING id",
            &[name.into(), role.as_str().into()],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn ctx_for(db: &Db, user_id: i64, name: &str, role: Role) -> Ctx {
    let mut tx = db.read().await.unwrap();
    let actor = svc::resolve_actor(&mut tx, user_id, name, role)
        .await
        .unwrap();
    Ctx {
        actor,
        ..Ctx::system(NOW)
    }
}

fn dept(name: &str, code: &str, parent: Option<i64>) -> DepartmentInput {
    DepartmentInput {
        name: name.into(),
        code: Some(code.into()),
        parent_id: parent,
        ..Default::default()
    }
}

fn person(no: &str, name: &str, dept: i64) -> PersonInput {
    PersonInput {
        department_id: Some(dept),
        ..PersonInput::new(no, name)
    }
}

async fn audit_count(db: &Db, action: &str) -> i64 {
    let mut tx = db.read().await.unwrap();
    tx.count(
        "SELECT COUNT(*) AS n FROM audit_events WHERE action = $1",
        &[action.into()],
    )
    .await
    .unwrap()
}

fn fields(e: AppError) -> Vec<(String, &'static str)> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected validation, got {other:?}"),
    }
}

/// HQ ─┬─ Ops ── CS
///     └─ Fin
struct Org {
    hq: i64,
    ops: i64,
    cs: i64,
    fin: i64,
    boss: Person,
    mgr: Person,
    agent: Person,
    clerk: Person,
    admin: Ctx,
    manager: Ctx,
    member: Ctx,
    viewer: Ctx,
}

async fn org(db: &Db) -> Org {
    let admin = Ctx::system(NOW);
    let hq = svc::create_department(db, &admin, &dept("总部 HQ", "HQ", None), None)
        .await
        .unwrap()
        .id;
    let ops = svc::create_department(
        db,
        &admin,
        &dept("运营部 Operations", "OPS", Some(hq)),
        None,
    )
    .await
    .unwrap()
    .id;
    let cs = svc::create_department(
        db,
        &admin,
        &dept("客服部 Customer Service", "CS", Some(ops)),
        None,
    )
    .await
    .unwrap()
    .id;
    let fin = svc::create_department(db, &admin, &dept("财务部 Finance", "FIN", Some(hq)), None)
        .await
        .unwrap()
        .id;
    let (um, ua, uc) = (
        user(db, "mgr", Role::Manager).await,
        user(db, "agent", Role::Member).await,
        user(db, "clerk", Role::Viewer).await,
    );
    let boss = svc::create_person(db, &admin, &person("E001", "Zhang Wei", hq), None)
        .await
        .unwrap();
    let mgr = svc::create_person(
        db,
        &admin,
        &PersonInput {
            user_id: Some(um),
            manager_id: Some(boss.id),
            ..person("E002", "Li Na", ops)
        },
        None,
    )
    .await
    .unwrap();
    let agent = svc::create_person(
        db,
        &admin,
        &PersonInput {
            user_id: Some(ua),
            name_zh: Some("王芳".into()),
            email: Some("fang.wang@example.cn".into()),
            manager_id: Some(mgr.id),
            hire_date: Some("2024-03-01".into()),
            ..person("E003", "Wang Fang", cs)
        },
        None,
    )
    .await
    .unwrap();
    let clerk = svc::create_person(
        db,
        &admin,
        &PersonInput {
            user_id: Some(uc),
            ..person("E004", "Emma Wilson", fin)
        },
        None,
    )
    .await
    .unwrap();
    Org {
        hq,
        ops,
        cs,
        fin,
        manager: ctx_for(db, um, "mgr", Role::Manager).await,
        member: ctx_for(db, ua, "agent", Role::Member).await,
        viewer: ctx_for(db, uc, "clerk", Role::Viewer).await,
        boss,
        mgr,
        agent,
        clerk,
        admin,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn department_tree_rules() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;

        let tree = svc::tree(db).await.unwrap();
        let got: Vec<(i64, i64)> = tree.iter().map(|n| (n.department.id, n.depth)).collect();
        assert_eq!(
            got,
            vec![(o.hq, 0), (o.fin, 1), (o.ops, 1), (o.cs, 2)],
            "{b:?}: depth-first, siblings by name"
        );
        assert_eq!(tree[0].department.people_count, 1);
        assert_eq!(
            svc::department_subtree(&mut db.read().await.unwrap(), o.ops)
                .await
                .unwrap(),
            vec![o.ops, o.cs]
        );

        // Moving under a descendant (or itself) is a field error on parent_id; nothing changes.
        let ops = svc::get_department(db, &o.admin, o.ops).await.unwrap();
        for bad in [o.cs, o.ops] {
            let e = svc::update_department(
                db,
                &o.admin,
                o.ops,
                ops.version,
                &DepartmentPatch {
                    parent_id: Some(Some(bad)),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
            assert_eq!(fields(e), vec![("parent_id".to_string(), "cycle")], "{b:?}");
        }
        let e = svc::update_department(
            db,
            &o.admin,
            o.ops,
            ops.version,
            &DepartmentPatch {
                parent_id: Some(Some(999)),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(fields(e), vec![("parent_id".to_string(), "not_found")]);
        assert_eq!(svc::get_department(db, &o.admin, o.ops).await.unwrap(), ops);

        // A valid edit bumps the version and is audited; a stale version is refused.
        let p = DepartmentPatch {
            head_person_id: Some(Some(o.mgr.id)),
            description: Some(Some("运营".into())),
            ..Default::default()
        };
        let ops2 = svc::update_department(db, &o.admin, o.ops, ops.version, &p)
            .await
            .unwrap();
        assert_eq!(
            (ops2.version, ops2.head_name.as_deref()),
            (ops.version + 1, Some("Li Na"))
        );
        assert!(matches!(
            svc::update_department(db, &o.admin, o.ops, ops.version, &p).await,
            Err(AppError::PreconditionFailed)
        ));
        assert_eq!(audit_count(db, "department.update").await, 1, "{b:?}");

        // Codes are unique: the conflict names the field.
        match svc::create_department(db, &o.admin, &dept("dup", "FIN", None), None).await {
            Err(AppError::Conflict(m)) => assert!(m.starts_with("code"), "{m}"),
            other => panic!("{other:?}"),
        }

        // Managers act within their subtree only.
        let team =
            svc::create_department(db, &o.manager, &dept("客服二组", "CS2", Some(o.cs)), None)
                .await
                .unwrap();
        assert!(matches!(
            svc::create_department(db, &o.manager, &dept("x", "X1", Some(o.fin)), None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::create_department(db, &o.manager, &dept("x", "X2", None), None).await,
            Err(AppError::Forbidden(_))
        ));
        let fin = svc::get_department(db, &o.admin, o.fin).await.unwrap();
        let rename = DepartmentPatch {
            name: Some("mine".into()),
            ..Default::default()
        };
        assert!(matches!(
            svc::update_department(db, &o.manager, o.fin, fin.version, &rename).await,
            Err(AppError::Forbidden(_))
        ));
        let out = DepartmentPatch {
            parent_id: Some(Some(o.fin)),
            ..Default::default()
        };
        assert!(matches!(
            svc::update_department(db, &o.manager, team.id, team.version, &out).await,
            Err(AppError::Forbidden(_))
        ));
        for c in [&o.member, &o.viewer] {
            assert!(matches!(
                svc::create_department(db, c, &dept("x", "X3", Some(o.cs)), None).await,
                Err(AppError::Forbidden(_))
            ));
        }

        // Deleting: admins only, and only empty departments, with the reason.
        assert!(matches!(
            svc::delete_department(db, &o.manager, team.id, None).await,
            Err(AppError::Forbidden(_))
        ));
        match svc::delete_department(db, &o.admin, o.ops, None).await {
            Err(AppError::Conflict(m)) => assert!(
                m.contains("1 sub-department(s)") && m.contains("1 people"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        {
            let mut tx = db.write().await.unwrap();
            tx.execute(
                "INSERT INTO tasks (title, department_id, status, priority, created_at, updated_at) VALUES ('t',$1,'todo','low',0,0)",
                &[team.id.into()],
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        match svc::delete_department(db, &o.admin, team.id, None).await {
            Err(AppError::Conflict(m)) => assert!(m.contains("1 task(s)"), "{m}"),
            other => panic!("{other:?}"),
        }
        let empty = svc::create_department(db, &o.admin, &dept("empty", "EMPTY", Some(o.hq)), None)
            .await
            .unwrap();
        assert!(matches!(
            svc::delete_department(db, &o.admin, empty.id, Some(empty.version + 1)).await,
            Err(AppError::PreconditionFailed)
        ));
        svc::delete_department(db, &o.admin, empty.id, Some(empty.version))
            .await
            .unwrap();
        assert!(matches!(
            svc::get_department(db, &o.viewer, empty.id).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(audit_count(db, "department.delete").await, 1);
        assert_eq!(
            svc::list_departments(db, &o.viewer).await.unwrap().len(),
            5,
            "{b:?}: every user reads the directory"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_rules_and_policy() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let people_count = async || {
            db.read()
                .await
                .unwrap()
                .count("SELECT COUNT(*) AS n FROM people", &[])
                .await
                .unwrap()
        };
        let n0 = people_count().await;

        // Uniqueness names the field; validation collects every field; nothing is written.
        match svc::create_person(db, &o.admin, &person("E003", "Dup", o.cs), None).await {
            Err(AppError::Conflict(m)) => assert!(m.starts_with("employee_no"), "{b:?}: {m}"),
            other => panic!("{other:?}"),
        }
        let bad = PersonInput {
            email: Some("not-an-email".into()),
            hire_date: Some("2024-13-01".into()),
            manager_id: Some(9999),
            department_id: Some(9999),
            ..PersonInput::new("E100", " ")
        };
        let f = fields(
            svc::create_person(db, &o.admin, &bad, None)
                .await
                .unwrap_err(),
        );
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["name", "email", "hire_date", "department_id", "manager_id"],
            "{b:?}"
        );
        assert_eq!(people_count().await, n0);

        // Managers: not self, no cycles.
        let boss = svc::get_person(db, &o.admin, o.boss.id).await.unwrap();
        let e = svc::update_person(
            db,
            &o.admin,
            boss.id,
            boss.version,
            &PersonPatch {
                manager_id: Some(Some(boss.id)),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            fields(e.unwrap_err()),
            vec![("manager_id".to_string(), "self")]
        );
        let e = svc::update_person(
            db,
            &o.admin,
            boss.id,
            boss.version,
            &PersonPatch {
                manager_id: Some(Some(o.agent.id)),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            fields(e.unwrap_err()),
            vec![("manager_id".to_string(), "cycle")],
            "{b:?}: agent → mgr → boss"
        );

        // A member edits only their own email and phone.
        let me = svc::get_person(db, &o.member, o.agent.id).await.unwrap();
        let contact = PersonPatch {
            phone: Some(Some("+86 138 0000 0000".into())),
            email: Some(None),
            ..Default::default()
        };
        let me2 = svc::update_person(db, &o.member, me.id, me.version, &contact)
            .await
            .unwrap();
        assert_eq!(
            (me2.phone.as_deref(), me2.email.as_deref()),
            (Some("+86 138 0000 0000"), None)
        );
        for (patch, field) in [
            (
                PersonPatch {
                    name: Some("Boss".into()),
                    phone: Some(None),
                    ..Default::default()
                },
                "name",
            ),
            (
                PersonPatch {
                    department_id: Some(Some(o.fin)),
                    ..Default::default()
                },
                "department_id",
            ),
            (
                PersonPatch {
                    active: Some(false),
                    ..Default::default()
                },
                "active",
            ),
        ] {
            match svc::update_person(db, &o.member, me.id, me2.version, &patch).await {
                Err(AppError::Forbidden(why)) => assert!(why.contains(field), "{b:?}: {why}"),
                other => panic!("{other:?}"),
            }
        }
        let phone_only = PersonPatch {
            phone: Some(Some("123456".into())),
            ..Default::default()
        };
        assert!(matches!(
            svc::update_person(db, &o.member, o.clerk.id, o.clerk.version, &phone_only).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::update_person(db, &o.viewer, o.clerk.id, o.clerk.version, &phone_only).await,
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(
            svc::get_person(db, &o.admin, me.id).await.unwrap(),
            me2,
            "{b:?}: refused edits change nothing"
        );

        // A manager edits people in scope, may not move them out, nor link accounts.
        let moved = PersonPatch {
            position: Some(Some("客服组长".into())),
            ..Default::default()
        };
        let a2 = svc::update_person(db, &o.manager, me.id, me2.version, &moved)
            .await
            .unwrap();
        assert_eq!(a2.position.as_deref(), Some("客服组长"));
        let out = PersonPatch {
            department_id: Some(Some(o.fin)),
            ..Default::default()
        };
        assert!(matches!(
            svc::update_person(db, &o.manager, me.id, a2.version, &out).await,
            Err(AppError::Forbidden(_))
        ));
        let inside = PersonPatch {
            department_id: Some(Some(o.ops)),
            ..Default::default()
        };
        assert_eq!(
            svc::update_person(db, &o.manager, me.id, a2.version, &inside)
                .await
                .unwrap()
                .department_id,
            Some(o.ops)
        );
        let link = PersonPatch {
            user_id: Some(None),
            ..Default::default()
        };
        assert!(matches!(
            svc::update_person(db, &o.manager, me.id, a2.version + 1, &link).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::update_person(db, &o.manager, o.clerk.id, o.clerk.version, &moved).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(
            svc::create_person(db, &o.manager, &person("E200", "New Hire", o.cs), None)
                .await
                .is_ok()
        );
        assert!(matches!(
            svc::create_person(db, &o.manager, &person("E201", "Elsewhere", o.fin), None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::create_person(db, &o.member, &person("E202", "Nope", o.cs), None).await,
            Err(AppError::Forbidden(_))
        ));
        // Stale versions are refused.
        assert!(matches!(
            svc::update_person(db, &o.admin, me.id, a2.version, &moved).await,
            Err(AppError::PreconditionFailed)
        ));

        // Deleting: admins only; a head's department loses its head, reports lose their manager.
        let ops = svc::get_department(db, &o.admin, o.ops).await.unwrap();
        svc::update_department(
            db,
            &o.admin,
            o.ops,
            ops.version,
            &DepartmentPatch {
                head_person_id: Some(Some(o.mgr.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(matches!(
            svc::delete_person(db, &o.manager, o.mgr.id, None).await,
            Err(AppError::Forbidden(_))
        ));
        svc::delete_person(db, &o.admin, o.mgr.id, None)
            .await
            .unwrap();
        assert_eq!(
            svc::get_department(db, &o.admin, o.ops)
                .await
                .unwrap()
                .head_person_id,
            None,
            "{b:?}"
        );
        assert_eq!(
            svc::get_person(db, &o.admin, o.agent.id)
                .await
                .unwrap()
                .manager_id,
            None
        );
        assert_eq!(audit_count(db, "person.delete").await, 1);
        assert!(audit_count(db, "person.update").await >= 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_list_filters_sort_and_pages() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        for i in 0..25 {
            let mut p = person(
                &format!("X{i:03}"),
                &format!("Person {i:02}"),
                if i % 2 == 0 { o.cs } else { o.fin },
            );
            p.hire_date = (i % 3 != 0).then(|| format!("2020-01-{:02}", 1 + i % 28));
            p.active = i != 5;
            p.email = Some(format!("p{i}@corp_50%.cn").replace("_50%", "50"));
            svc::create_person(db, &o.admin, &p, None).await.unwrap();
        }
        let all = |f: PersonFilter| async move {
            let mut out = Vec::new();
            let mut f = PersonFilter {
                limit: Some(4),
                ..f
            };
            loop {
                let page = svc::list_people(db, &Ctx::system(NOW), &f).await.unwrap();
                out.extend(page.items);
                match page.next_cursor {
                    Some(c) => f.cursor = Some(c),
                    None => return out,
                }
            }
        };
        // Pagination returns every row once, in order, for every sort and direction (NULL hire dates last).
        for sort in [
            PersonSort::Name,
            PersonSort::EmployeeNo,
            PersonSort::HireDate,
        ] {
            for desc in [false, true] {
                let got = all(PersonFilter {
                    sort,
                    desc,
                    ..Default::default()
                })
                .await;
                assert_eq!(got.len(), 29, "{b:?} {sort:?} {desc}");
                let keys: Vec<(String, i64)> = got
                    .iter()
                    .map(|p| (team::store::person_sort_key(sort, p), p.id))
                    .collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if desc {
                    sorted.reverse();
                }
                if sort != PersonSort::Name || b == db::Backend::Sqlite {
                    assert_eq!(keys, sorted, "{b:?} {sort:?} desc={desc}");
                }
            }
        }
        let cs_only = all(PersonFilter {
            department_id: Some(o.cs),
            ..Default::default()
        })
        .await;
        assert_eq!(cs_only.len(), 14, "{b:?}: agent + 13");
        let ops_tree = all(PersonFilter {
            department_id: Some(o.ops),
            include_sub: true,
            ..Default::default()
        })
        .await;
        assert_eq!(ops_tree.len(), 15, "{b:?}: mgr + cs");
        let inactive = all(PersonFilter {
            active: Some(false),
            ..Default::default()
        })
        .await;
        assert_eq!(
            inactive
                .iter()
                .map(|p| p.employee_no.as_str())
                .collect::<Vec<_>>(),
            ["X005"]
        );
        let q = |s: &str| {
            all(PersonFilter {
                q: Some(s.into()),
                ..Default::default()
            })
        };
        assert_eq!(q("王芳").await.len(), 1, "{b:?}: name_zh");
        assert_eq!(q("EMMA").await.len(), 1, "{b:?}: case-insensitive name");
        assert_eq!(q("x01").await.len(), 10, "{b:?}: employee_no X010..X019");
        assert_eq!(q("p7@").await.len(), 1, "{b:?}: email");
        assert_eq!(q("%").await.len(), 0, "{b:?}: LIKE wildcards are literal");
        let bad = PersonFilter {
            cursor: Some("nonsense".into()),
            ..Default::default()
        };
        assert!(matches!(
            svc::list_people(db, &o.viewer, &bad).await,
            Err(AppError::BadRequest(_))
        ));
        // A cursor from another sort is refused rather than misread.
        let p1 = svc::list_people(
            db,
            &o.viewer,
            &PersonFilter {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let other = PersonFilter {
            sort: PersonSort::HireDate,
            cursor: p1.next_cursor,
            ..Default::default()
        };
        assert!(matches!(
            svc::list_people(db, &o.viewer, &other).await,
            Err(AppError::BadRequest(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actors_resolve_with_scope() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        assert_eq!(o.manager.actor.person_id, Some(o.mgr.id));
        assert_eq!(
            o.manager.actor.scope,
            vec![o.ops, o.cs],
            "{b:?}: manager scope is the subtree"
        );
        assert_eq!(o.member.actor.scope, vec![o.cs]);
        assert_eq!(o.member.actor.department_id, Some(o.cs));
        assert_eq!(o.viewer.actor.scope, vec![o.fin]);
        let lone = user(db, "lone", Role::Manager).await;
        let c = ctx_for(db, lone, "lone", Role::Manager).await;
        assert_eq!((c.actor.person_id, c.actor.scope.len()), (None, 0), "{b:?}");
        let _ = (o.hq, &o.boss);
    }
}
