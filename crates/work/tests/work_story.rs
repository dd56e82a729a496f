//! Tasks on both backends: policy per role, list == get visibility, optimistic concurrency,
//! completed_at, notifications, history, filters, keyset pagination, board, demo data.
use db::Db;
use db::testing::{BACKENDS, TestDb};
use kernel::{AppError, Ctx, Role};
use std::collections::BTreeSet;
use team::model::{DepartmentInput, PersonInput};
use work::demo::{DemoSize, demo_people_for_accounts, load_demo};
use work::model::*;
use work::service as svc;

const NOW: i64 = 1_780_000_000_000; // 2026-05-28

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
    let actor = team::resolve_actor(&mut tx, user_id, name, role)
        .await
        .unwrap();
    Ctx {
        actor,
        ..Ctx::system(NOW)
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    db.read().await.unwrap().count(sql, &[]).await.unwrap()
}

/// Ops ── CS, and Fin. mgr manages Ops; agent (member) and agent2 in CS; clerk (viewer) in Fin;
/// nouser is in Fin without an account.
struct Org {
    ops: i64,
    cs: i64,
    fin: i64,
    agent: i64,
    agent2: i64,
    nouser: i64,
    admin: Ctx,
    manager: Ctx,
    member: Ctx,
    member2: Ctx,
    viewer: Ctx,
    users: [i64; 4],
}

async fn org(db: &Db) -> Org {
    let admin = Ctx::system(NOW);
    let d = |name: &str, parent| DepartmentInput {
        name: name.into(),
        parent_id: parent,
        ..Default::default()
    };
    let ops = team::service::create_department(db, &admin, &d("Ops", None), None)
        .await
        .unwrap()
        .id;
    let cs = team::service::create_department(db, &admin, &d("CS", Some(ops)), None)
        .await
        .unwrap()
        .id;
    let fin = team::service::create_department(db, &admin, &d("Fin", None), None)
        .await
        .unwrap()
        .id;
    let mut users = [0; 4];
    let mut pids = Vec::new();
    for (i, (name, role, dept)) in [
        ("mgr", Role::Manager, ops),
        ("agent", Role::Member, cs),
        ("agent2", Role::Member, cs),
        ("clerk", Role::Viewer, fin),
    ]
    .into_iter()
    .enumerate()
    {
        users[i] = user(db, name, role).await;
        let p = PersonInput {
            department_id: Some(dept),
            user_id: Some(users[i]),
            ..PersonInput::new(&format!("E{i}"), name)
        };
        pids.push(
            team::service::create_person(db, &admin, &p, None)
                .await
                .unwrap()
                .id,
        );
    }
    let nouser = PersonInput {
        department_id: Some(fin),
        ..PersonInput::new("E9", "No Account")
    };
    let nouser = team::service::create_person(db, &admin, &nouser, None)
        .await
        .unwrap()
        .id;
    Org {
        ops,
        cs,
        fin,
        agent: pids[1],
        agent2: pids[2],
        nouser,
        manager: ctx_for(db, users[0], "mgr", Role::Manager).await,
        member: ctx_for(db, users[1], "agent", Role::Member).await,
        member2: ctx_for(db, users[2], "agent2", Role::Member).await,
        viewer: ctx_for(db, users[3], "clerk", Role::Viewer).await,
        admin,
        users,
    }
}

fn task(title: &str, dept: i64) -> TaskInput {
    TaskInput {
        title: title.into(),
        department_id: Some(dept),
        ..Default::default()
    }
}

async fn all_pages(db: &Db, ctx: &Ctx, f: &TaskFilter) -> Vec<Task> {
    let mut f = f.clone();
    let mut out = Vec::new();
    loop {
        let p = svc::list(db, ctx, &f).await.unwrap();
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => f.cursor = Some(c),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_per_role_and_list_equals_get() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let ops_t = svc::create(db, &o.admin, &task("ops task", o.ops), None)
            .await
            .unwrap();
        let cs_t = svc::create(db, &o.admin, &task("cs task", o.cs), None)
            .await
            .unwrap();
        let fin_t = svc::create(db, &o.admin, &task("fin task", o.fin), None)
            .await
            .unwrap();
        let fin_assigned = svc::create(
            db,
            &o.admin,
            &TaskInput {
                assignee_id: Some(o.agent),
                ..task("fin for agent", o.fin)
            },
            None,
        )
        .await
        .unwrap();
        let nodept = svc::create(
            db,
            &o.admin,
            &TaskInput {
                title: "no dept".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        // A member creates in their own department (the default) only.
        let mine = svc::create(
            db,
            &o.member,
            &TaskInput {
                title: "mine".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (mine.department_id, mine.created_by),
            (Some(o.cs), Some(o.users[1]))
        );
        assert!(matches!(
            svc::create(db, &o.member, &task("x", o.fin), None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::create(db, &o.viewer, &task("x", o.fin), None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::create(db, &o.manager, &task("x", o.fin), None).await,
            Err(AppError::Forbidden(_))
        ));
        let mgr_cs = svc::create(db, &o.manager, &task("mgr in cs", o.cs), None)
            .await
            .unwrap();
        assert_eq!(
            count(db, "SELECT COUNT(*) AS n FROM tasks").await,
            7,
            "{b:?}: refused creates wrote nothing"
        );

        // Who sees what; a list returns exactly what a get allows.
        let all_ids = [
            ops_t.id,
            cs_t.id,
            fin_t.id,
            fin_assigned.id,
            nodept.id,
            mine.id,
            mgr_cs.id,
        ];
        let expect = |c: &Ctx| -> BTreeSet<i64> {
            match c.actor.role {
                Role::Admin => all_ids.into(),
                Role::Manager => [ops_t.id, cs_t.id, mine.id, mgr_cs.id].into(),
                Role::Member if c.actor.user_id == o.users[1] => {
                    [cs_t.id, fin_assigned.id, mine.id, mgr_cs.id].into()
                }
                Role::Member => [cs_t.id, mine.id, mgr_cs.id].into(),
                Role::Viewer => [fin_t.id, fin_assigned.id].into(),
            }
        };
        for c in [&o.admin, &o.manager, &o.member, &o.member2, &o.viewer] {
            let listed: BTreeSet<i64> = all_pages(
                db,
                c,
                &TaskFilter {
                    limit: Some(2),
                    ..Default::default()
                },
            )
            .await
            .iter()
            .map(|t| t.id)
            .collect();
            assert_eq!(listed, expect(c), "{b:?} {:?}", c.actor.username);
            for id in all_ids {
                let got = svc::get(db, c, id).await;
                assert_eq!(
                    got.is_ok(),
                    listed.contains(&id),
                    "{b:?} {} get {id}",
                    c.actor.username
                );
                if !listed.contains(&id) {
                    // An invisible task is NotFound for every operation.
                    assert!(matches!(got, Err(AppError::NotFound)));
                    let p = TaskPatch {
                        title: Some("hacked".into()),
                        ..Default::default()
                    };
                    assert!(matches!(
                        svc::update(db, c, id, 1, &p).await,
                        Err(AppError::NotFound)
                    ));
                    assert!(matches!(
                        svc::move_to(db, c, id, Status::Done, 1).await,
                        Err(AppError::NotFound)
                    ));
                    assert!(matches!(
                        svc::delete(db, c, id, None).await,
                        Err(AppError::NotFound)
                    ));
                    assert!(matches!(
                        svc::history(db, c, id).await,
                        Err(AppError::NotFound)
                    ));
                }
            }
            let board = svc::board(db, c, &TaskFilter::default(), None)
                .await
                .unwrap();
            let on_board: BTreeSet<i64> = board
                .columns
                .iter()
                .flat_map(|c| c.tasks.iter().map(|t| t.id))
                .collect();
            assert_eq!(
                on_board,
                expect(c),
                "{b:?}: the board shows what the list shows"
            );
        }

        // Edits: member only on assigned/created; viewer never; department moves are a manager's.
        let p = TaskPatch {
            priority: Some(Priority::High),
            ..Default::default()
        };
        assert!(matches!(
            svc::update(db, &o.member, cs_t.id, cs_t.version, &p).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::update(db, &o.viewer, fin_t.id, fin_t.version, &p).await,
            Err(AppError::Forbidden(_))
        ));
        let fa = svc::update(db, &o.member, fin_assigned.id, fin_assigned.version, &p)
            .await
            .unwrap();
        assert_eq!(fa.priority, Priority::High);
        let to_ops = TaskPatch {
            department_id: Some(Some(o.ops)),
            ..Default::default()
        };
        assert!(matches!(
            svc::update(db, &o.member, mine.id, mine.version, &to_ops).await,
            Err(AppError::Forbidden(_))
        ));
        // Sending the department it already has is not a move.
        let same = TaskPatch {
            department_id: Some(Some(o.cs)),
            ..Default::default()
        };
        let mine = svc::update(db, &o.member, mine.id, mine.version, &same)
            .await
            .unwrap();
        let to_fin = TaskPatch {
            department_id: Some(Some(o.fin)),
            ..Default::default()
        };
        assert!(matches!(
            svc::update(db, &o.manager, cs_t.id, cs_t.version, &to_fin).await,
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(
            svc::update(db, &o.manager, cs_t.id, cs_t.version, &to_ops)
                .await
                .unwrap()
                .department_id,
            Some(o.ops)
        );
        // Deletes: member only what they created; manager in scope; viewer never.
        assert!(matches!(
            svc::delete(db, &o.member, fin_assigned.id, None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::delete(db, &o.viewer, fin_t.id, None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::delete(db, &o.member, mine.id, Some(mine.version + 5)).await,
            Err(AppError::PreconditionFailed)
        ));
        svc::delete(db, &o.member, mine.id, Some(mine.version))
            .await
            .unwrap();
        svc::delete(db, &o.manager, mgr_cs.id, None).await.unwrap();
        assert_eq!(
            count(db, "SELECT COUNT(*) AS n FROM tasks").await,
            5,
            "{b:?}"
        );
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'task.delete'"
            )
            .await,
            2
        );
        let _ = (o.agent2, o.nouser);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_versions_completion_notifications_history() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let unread = async |uid: i64| notify::unread_count(db, uid).await.unwrap();

        // Validation collects every field; nothing is written.
        let bad = TaskInput {
            title: "".into(),
            due_date: Some("2026-02-30".into()),
            estimate_hours: Some(-1.0),
            assignee_id: Some(9999),
            ..task("", o.cs)
        };
        match svc::create(db, &o.admin, &bad, None).await {
            Err(AppError::Validation(v)) => {
                let f: Vec<&str> = v.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(
                    f,
                    ["title", "due_date", "estimate_hours", "assignee_id"],
                    "{b:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM tasks").await, 0);
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE entity = 'task'"
            )
            .await,
            0
        );

        // Assigning notifies the assignee's account, in the same transaction.
        let t1 = svc::create(
            db,
            &o.admin,
            &TaskInput {
                assignee_id: Some(o.agent),
                estimate_hours: Some(3.5),
                ..task("回访客户", o.cs)
            },
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (
                t1.assignee_name.as_deref(),
                t1.estimate_hours,
                t1.completed_at
            ),
            (Some("agent"), Some(3.5), None)
        );
        assert_eq!(unread(o.users[1]).await, 1, "{b:?}");
        let n = &notify::list(db, &o.member, false, None, None)
            .await
            .unwrap()
            .items[0];
        assert_eq!(
            (n.kind.as_str(), n.link.as_deref(), n.entity_id),
            (
                "task.assigned",
                Some(format!("/tasks/{}", t1.id).as_str()),
                Some(t1.id)
            )
        );

        // Moving to done sets completed_at; leaving done clears it; stale versions are refused.
        let later = Ctx {
            now_ms: NOW + 60_000,
            ..o.member.clone()
        };
        let done = svc::move_to(db, &later, t1.id, Status::Done, t1.version)
            .await
            .unwrap();
        assert_eq!(
            (done.status, done.completed_at, done.version),
            (Status::Done, Some(NOW + 60_000), t1.version + 1)
        );
        assert_eq!(done.updated_by, Some(o.users[1]));
        assert!(matches!(
            svc::move_to(db, &o.member, t1.id, Status::Doing, t1.version).await,
            Err(AppError::PreconditionFailed)
        ));
        assert_eq!(
            svc::get(db, &o.admin, t1.id).await.unwrap(),
            done,
            "{b:?}: a stale write changes nothing"
        );
        let reopened = svc::move_to(db, &o.member, t1.id, Status::Doing, done.version)
            .await
            .unwrap();
        assert_eq!(reopened.completed_at, None);

        // Reassigning: to an account-less person or to oneself notifies nobody; to another user does.
        let p = |a: i64| TaskPatch {
            assignee_id: Some(Some(a)),
            ..Default::default()
        };
        let r1 = svc::update(db, &o.manager, t1.id, reopened.version, &p(o.agent2))
            .await
            .unwrap();
        assert_eq!(unread(o.users[2]).await, 1, "{b:?}");
        let r2 = svc::update(db, &o.admin, t1.id, r1.version, &p(o.nouser))
            .await
            .unwrap();
        let mgr_person = o.manager.actor.person_id.unwrap();
        let r3 = svc::update(db, &o.manager, t1.id, r2.version, &p(mgr_person))
            .await
            .unwrap();
        assert_eq!(
            unread(o.users[0]).await,
            0,
            "{b:?}: assigning to oneself notifies nobody"
        );
        // A refused change notifies nobody.
        let bad_patch = TaskPatch {
            assignee_id: Some(Some(o.agent)),
            title: Some("x".repeat(201)),
            ..Default::default()
        };
        assert!(matches!(
            svc::update(db, &o.manager, t1.id, r3.version, &bad_patch).await,
            Err(AppError::Validation(_))
        ));
        assert_eq!(unread(o.users[1]).await, 1, "{b:?}");
        // Clearing fields with null.
        let cleared = svc::update(
            db,
            &o.manager,
            t1.id,
            r3.version,
            &TaskPatch {
                assignee_id: Some(None),
                estimate_hours: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((cleared.assignee_id, cleared.estimate_hours), (None, None));

        // History: every change, newest first, with before/after.
        let h = svc::history(db, &o.admin, t1.id).await.unwrap();
        let actions: Vec<&str> = h.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "task.update",
                "task.update",
                "task.update",
                "task.update",
                "task.move",
                "task.move",
                "task.create"
            ],
            "{b:?}"
        );
        assert_eq!(h[5].after.as_ref().unwrap()["status"], "done");
        assert_eq!(h[5].before.as_ref().unwrap()["status"], "todo");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_sorts_and_keyset_pages() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let statuses = Status::ALL;
        for i in 0..40i64 {
            let input = TaskInput {
                title: format!(
                    "Task {:02} {}",
                    i,
                    if i == 7 { "100% done_ok" } else { "plain" }
                ),
                description: (i % 4 == 0).then(|| "需要回访".to_string()),
                assignee_id: match i % 3 {
                    0 => Some(o.agent),
                    1 => Some(o.agent2),
                    _ => None,
                },
                department_id: Some(if i % 2 == 0 { o.cs } else { o.ops }),
                status: statuses[(i % 5) as usize],
                priority: Priority::ALL[(i % 4) as usize],
                // Some without a due date; several share one.
                due_date: (i % 5 != 1).then(|| format!("2026-05-{:02}", 20 + i % 8)),
                ..Default::default()
            };
            let c = Ctx {
                now_ms: NOW + i * 1000 - (i % 3) * 5000,
                ..o.admin.clone()
            };
            svc::create(db, &c, &input, None).await.unwrap();
        }
        let everything = all_pages(
            db,
            &o.admin,
            &TaskFilter {
                limit: Some(200),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(everything.len(), 40);
        // Every sort, both directions, pages of 7: each row once, in (key, id) order; NULL due dates last (asc).
        for sort in TaskSort::ALL {
            for desc in [false, true] {
                let got = all_pages(
                    db,
                    &o.admin,
                    &TaskFilter {
                        sort,
                        desc,
                        limit: Some(7),
                        ..Default::default()
                    },
                )
                .await;
                let ids: BTreeSet<i64> = got.iter().map(|t| t.id).collect();
                assert_eq!(
                    (got.len(), ids.len()),
                    (40, 40),
                    "{b:?} {sort:?} desc={desc}"
                );
                let key = |t: &Task| match sort {
                    TaskSort::Id => (format!("{:020}", t.id), t.id),
                    TaskSort::CreatedAt => (format!("{:020}", t.created_at), t.id),
                    TaskSort::UpdatedAt => (format!("{:020}", t.updated_at), t.id),
                    TaskSort::DueDate => {
                        (t.due_date.clone().unwrap_or_else(|| "9999".into()), t.id)
                    }
                    TaskSort::Priority => (t.priority.rank().to_string(), t.id),
                    TaskSort::Title => (t.title.clone(), t.id),
                };
                let keys: Vec<_> = got.iter().map(key).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if desc {
                    sorted.reverse();
                }
                assert_eq!(keys, sorted, "{b:?} {sort:?} desc={desc}");
            }
        }
        let asc_due = all_pages(
            db,
            &o.admin,
            &TaskFilter {
                sort: TaskSort::DueDate,
                limit: Some(7),
                ..Default::default()
            },
        )
        .await;
        assert!(
            asc_due[32..].iter().all(|t| t.due_date.is_none())
                && asc_due[..32].iter().all(|t| t.due_date.is_some())
        );

        let ids = |v: Vec<Task>| v.iter().map(|t| t.id).collect::<BTreeSet<i64>>();
        let expect = |p: &dyn Fn(&Task) -> bool| {
            everything
                .iter()
                .filter(|t| p(t))
                .map(|t| t.id)
                .collect::<BTreeSet<i64>>()
        };
        let admin = &o.admin;
        let f = |f: TaskFilter| async move {
            ids(all_pages(
                db,
                admin,
                &TaskFilter {
                    limit: Some(9),
                    ..f
                },
            )
            .await)
        };
        assert_eq!(
            f(TaskFilter {
                status: vec![Status::Todo, Status::Blocked],
                department_id: Some(o.cs),
                ..Default::default()
            })
            .await,
            expect(&|t| matches!(t.status, Status::Todo | Status::Blocked)
                && t.department_id == Some(o.cs)),
            "{b:?}"
        );
        assert_eq!(
            f(TaskFilter {
                department_id: Some(o.ops),
                include_sub: true,
                ..Default::default()
            })
            .await
            .len(),
            40,
            "{b:?}: ops includes cs"
        );
        assert_eq!(
            f(TaskFilter {
                department_id: Some(o.ops),
                ..Default::default()
            })
            .await
            .len(),
            20
        );
        let me = async |c: &Ctx| {
            ids(all_pages(
                db,
                c,
                &TaskFilter {
                    assignee: Some(AssigneeFilter::Me),
                    ..Default::default()
                },
            )
            .await)
        };
        assert_eq!(
            me(&o.member).await,
            expect(&|t| t.assignee_id == Some(o.agent)),
            "{b:?}"
        );
        assert!(
            me(&o.admin).await.is_empty(),
            "{b:?}: an account without a person has no 'me'"
        );
        assert_eq!(
            f(TaskFilter {
                assignee: Some(AssigneeFilter::Unassigned),
                ..Default::default()
            })
            .await,
            expect(&|t| t.assignee_id.is_none())
        );
        assert_eq!(
            f(TaskFilter {
                priority: Some(Priority::Urgent),
                ..Default::default()
            })
            .await,
            expect(&|t| t.priority == Priority::Urgent)
        );
        assert_eq!(
            f(TaskFilter {
                due_after: Some("2026-05-22".into()),
                due_before: Some("2026-05-24".into()),
                ..Default::default()
            })
            .await,
            expect(&|t| t
                .due_date
                .as_deref()
                .is_some_and(|d| ("2026-05-22"..="2026-05-24").contains(&d)))
        );
        // Today is 2026-05-28 in Asia/Shanghai: overdue = open and due before it.
        assert_eq!(
            f(TaskFilter {
                overdue: true,
                ..Default::default()
            })
            .await,
            expect(&|t| t.is_overdue("2026-05-28")),
            "{b:?}"
        );
        assert!(
            !f(TaskFilter {
                overdue: true,
                ..Default::default()
            })
            .await
            .is_empty()
        );
        // q: case-insensitive over title and description; LIKE wildcards are literal.
        assert_eq!(
            f(TaskFilter {
                q: Some("100% DONE_".into()),
                ..Default::default()
            })
            .await
            .len(),
            1,
            "{b:?}"
        );
        assert_eq!(
            f(TaskFilter {
                q: Some("%".into()),
                ..Default::default()
            })
            .await
            .len(),
            1
        );
        assert_eq!(
            f(TaskFilter {
                q: Some("_".into()),
                ..Default::default()
            })
            .await
            .len(),
            1
        );
        assert_eq!(
            f(TaskFilter {
                q: Some("回访".into()),
                ..Default::default()
            })
            .await
            .len(),
            10
        );
        // Bad input.
        assert!(matches!(
            svc::list(
                db,
                &o.admin,
                &TaskFilter {
                    due_before: Some("soon".into()),
                    ..Default::default()
                }
            )
            .await,
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            svc::list(
                db,
                &o.admin,
                &TaskFilter {
                    cursor: Some("abc".into()),
                    ..Default::default()
                }
            )
            .await,
            Err(AppError::BadRequest(_))
        ));
        let p1 = svc::list(
            db,
            &o.admin,
            &TaskFilter {
                limit: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let wrong = TaskFilter {
            sort: TaskSort::Title,
            cursor: p1.next_cursor,
            ..Default::default()
        };
        assert!(matches!(
            svc::list(db, &o.admin, &wrong).await,
            Err(AppError::BadRequest(_))
        ));

        // Board: columns in status order, capped, with full counts.
        let board = svc::board(db, &o.admin, &TaskFilter::default(), Some(3))
            .await
            .unwrap();
        assert_eq!(
            board.columns.iter().map(|c| c.status).collect::<Vec<_>>(),
            Status::ALL.to_vec()
        );
        for c in &board.columns {
            assert_eq!((c.total, c.tasks.len()), (8, 3), "{b:?} {:?}", c.status);
            assert!(c.tasks.iter().all(|t| t.status == c.status));
        }
        let only = svc::board(
            db,
            &o.member,
            &TaskFilter {
                status: vec![Status::Done],
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        assert_eq!(only.columns.len(), 1);
        assert_eq!(only.columns[0].total as usize, only.columns[0].tasks.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_company_loads_consistently() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let s = load_demo(db, NOW, DemoSize::Small).await.unwrap();
        assert_eq!((s.departments, s.people, s.tasks), (9, 40, 150), "{b:?}");
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM tasks").await, 150);
        assert!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM people WHERE name_zh IS NOT NULL"
            )
            .await
                >= 30
        );
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM departments WHERE head_person_id IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(db, "SELECT COUNT(DISTINCT status) AS n FROM tasks").await,
            5,
            "{b:?}: every status"
        );
        assert_eq!(count(db, "SELECT COUNT(*) AS n FROM tasks WHERE (status = 'done') <> (completed_at IS NOT NULL)").await, 0);
        assert!(count(db, "SELECT COUNT(*) AS n FROM tasks WHERE due_date < '2026-05-28' AND status IN ('todo','doing','blocked')").await > 0);
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'task.create'"
            )
            .await,
            150
        );
        let accts = demo_people_for_accounts(db).await.unwrap();
        let tree = team::service::tree(db).await.unwrap();
        assert_eq!(
            tree.iter().map(|n| n.depth).max(),
            Some(2),
            "{b:?}: three levels"
        );
        // The linked manager's scope is Operations and its three sub-departments.
        let mut tx = db.read().await.unwrap();
        let ops = tree
            .iter()
            .find(|n| n.department.code.as_deref() == Some("OPS"))
            .unwrap()
            .department
            .id;
        assert_eq!(
            team::department_subtree(&mut tx, ops).await.unwrap().len(),
            4
        );
        drop(tx);
        let p = team::service::get_person(db, &Ctx::system(NOW), accts.manager_person)
            .await
            .unwrap();
        assert_eq!(p.department_id, Some(ops));
        assert_ne!(accts.member_person, accts.viewer_person);
        // Deterministic, and only into an empty organisation.
        assert!(matches!(
            load_demo(db, NOW, DemoSize::Small).await,
            Err(AppError::Conflict(_))
        ));
        let t2 = TestDb::new(b).await;
        load_demo(&t2.db, NOW, DemoSize::Small).await.unwrap();
        let names = async |db: &Db| {
            let mut tx = db.read().await.unwrap();
            let rows = tx
                .fetch_all(
                    "SELECT name, employee_no FROM people ORDER BY employee_no",
                    &[],
                )
                .await
                .unwrap();
            rows.iter()
                .map(|r| r.string("name").unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(db).await, names(&t2.db).await);
        // The services work on it: an overdue list as the system.
        let overdue = svc::list(
            db,
            &Ctx::system(NOW),
            &TaskFilter {
                overdue: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(!overdue.items.is_empty());
    }
}
