//! Goals and OKRs on both backends: the SMART check, progress arithmetic, visibility per role
//! (list, tree and direct read agree), check-in reminders exactly once, the red signal once,
//! scoring and locking.
use db::Db;
use db::testing::{BACKENDS, TestDb};
use kernel::{AppError, Ctx, Role};
use performance::goals::model::*;
use performance::goals::service as svc;
use team::model::{DepartmentInput, PersonInput};

const NOW: i64 = 1_780_000_000_000; // 2026-05-28 (Thursday), cycle 2026-Q2
const DAY: i64 = 86_400_000;

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

fn at(c: &Ctx, ms: i64) -> Ctx {
    Ctx {
        now_ms: ms,
        ..c.clone()
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    db.read().await.unwrap().count(sql, &[]).await.unwrap()
}

/// Ops ── CS, and Fin. `mgr` (manager) heads Ops; `agent` and `agent2` (members) in CS report to
/// mgr; `finrep` (member) in Fin also reports to mgr; `clerk` (viewer) in Fin; `ceo` has no account.
struct Org {
    cs: i64,
    ceo: i64,
    mgr_p: i64,
    agent_p: i64,
    finrep_p: i64,
    admin: Ctx,
    mgr: Ctx,
    agent: Ctx,
    agent2: Ctx,
    finrep: Ctx,
    clerk: Ctx,
    users: Vec<i64>,
}

async fn org(db: &Db) -> Org {
    let admin = Ctx::system(NOW);
    let d = |name: &str, parent| DepartmentInput {
        name: name.into(),
        parent_id: parent,
        ..Default::default()
    };
    let dep = |i| {
        let admin = admin.clone();
        async move {
            team::service::create_department(db, &admin, &i, None)
                .await
                .unwrap()
                .id
        }
    };
    let ops = dep(d("Ops", None)).await;
    let cs = dep(d("CS", Some(ops))).await;
    let fin = dep(d("Fin", None)).await;
    let person = |no: &str, name: &str, dept: i64, uid: Option<i64>, mgr: Option<i64>| {
        let admin = admin.clone();
        let p = PersonInput {
            department_id: Some(dept),
            user_id: uid,
            manager_id: mgr,
            ..PersonInput::new(no, name)
        };
        async move {
            team::service::create_person(db, &admin, &p, None)
                .await
                .unwrap()
                .id
        }
    };
    let ceo = person("E0", "CEO", ops, None, None).await;
    let mut users = Vec::new();
    let mut ids = Vec::new();
    let mut mgr_p = None;
    for (i, (name, role, dept)) in [
        ("mgr", Role::Manager, ops),
        ("agent", Role::Member, cs),
        ("agent2", Role::Member, cs),
        ("finrep", Role::Member, fin),
        ("clerk", Role::Viewer, fin),
    ]
    .into_iter()
    .enumerate()
    {
        let uid = user(db, name, role).await;
        users.push(uid);
        let manager = if (1..=3).contains(&i) { mgr_p } else { None };
        let p = person(&format!("E{}", i + 1), name, dept, Some(uid), manager).await;
        if i == 0 {
            mgr_p = Some(p);
        }
        ids.push(p);
    }
    Org {
        cs,
        ceo,
        mgr_p: ids[0],
        agent_p: ids[1],
        finrep_p: ids[3],
        admin,
        mgr: ctx_for(db, users[0], "mgr", Role::Manager).await,
        agent: ctx_for(db, users[1], "agent", Role::Member).await,
        agent2: ctx_for(db, users[2], "agent2", Role::Member).await,
        finrep: ctx_for(db, users[3], "finrep", Role::Member).await,
        clerk: ctx_for(db, users[4], "clerk", Role::Viewer).await,
        users,
    }
}

fn goal(level: Level, kind: GoalKind, title: &str, owner: i64, parent: Option<i64>) -> GoalInput {
    GoalInput {
        level,
        kind,
        title: title.into(),
        owner_id: Some(owner),
        parent_id: parent,
        cycle: "2026-Q2".into(),
        ..Default::default()
    }
}

fn measure(metric: &str, start: f64, target: f64) -> MeasureInput {
    MeasureInput {
        title: Some(metric.into()),
        metric: metric.into(),
        unit: "%".into(),
        start_value: start,
        target_value: target,
        ..Default::default()
    }
}

fn codes(e: AppError) -> Vec<(String, &'static str)> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Company objective → CS objective → agent's SMART goal, plus finrep's personal goal.
struct Tree {
    company: Goal,
    cs: Goal,
    agent_goal: Goal,
    fin_goal: Goal,
}

async fn tree(db: &Db, o: &Org) -> Tree {
    let company = svc::create(
        db,
        &o.admin,
        &goal(
            Level::Company,
            GoalKind::Objective,
            "Delight customers",
            o.ceo,
            None,
        ),
        None,
    )
    .await
    .unwrap();
    let mut cs = goal(
        Level::Department,
        GoalKind::Objective,
        "Faster service",
        o.mgr_p,
        Some(company.id),
    );
    cs.department_id = Some(o.cs);
    let cs = svc::create(db, &o.mgr, &cs, None).await.unwrap();
    let mut mine = goal(
        Level::Person,
        GoalKind::Smart,
        "Answer within 1 hour",
        o.agent_p,
        Some(cs.id),
    );
    mine.measure = Some(measure("tickets answered within 1 h", 60.0, 90.0));
    let agent_goal = svc::create(db, &o.agent, &mine, None).await.unwrap();
    let mut fin = goal(
        Level::Person,
        GoalKind::Objective,
        "Close books in 3 days",
        o.finrep_p,
        Some(company.id),
    );
    fin.measure = Some(measure("days to close", 6.0, 3.0));
    let fin_goal = svc::create(db, &o.finrep, &fin, None).await.unwrap();
    Tree {
        company,
        cs,
        agent_goal,
        fin_goal,
    }
}

#[tokio::test]
async fn smart_check_names_each_missing_part_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let tr = tree(db, &o).await;
        assert_eq!(
            tr.agent_goal.department_id,
            Some(o.cs),
            "{b:?}: a personal goal sits in its owner's department"
        );
        assert_eq!(tr.agent_goal.key_results.len(), 1);
        assert_eq!(
            tr.agent_goal.due_date, "2026-06-30",
            "{b:?}: the deadline defaults to the cycle end"
        );

        // No parent, no measure, a deadline outside the cycle.
        let mut bad = goal(Level::Person, GoalKind::Smart, "Be better", o.agent_p, None);
        bad.due_date = Some("2026-07-15".into());
        let e = svc::create(db, &o.agent, &bad, None).await.unwrap_err();
        let c = codes(e);
        for want in [
            ("parent_id", "parent_required"),
            ("due_date", "outside_cycle"),
            ("measure", "measure_required"),
        ] {
            assert!(
                c.iter().any(|(f, k)| f == want.0 && *k == want.1),
                "{b:?}: {want:?} in {c:?}"
            );
        }
        // A measure whose target equals its start, without unit; a parent in another cycle.
        let other_cycle = svc::create(
            db,
            &o.admin,
            &GoalInput {
                cycle: "2026-Q3".into(),
                ..goal(
                    Level::Company,
                    GoalKind::Objective,
                    "Next quarter",
                    o.ceo,
                    None,
                )
            },
            None,
        )
        .await
        .unwrap();
        let mut bad = goal(
            Level::Person,
            GoalKind::Smart,
            "Same",
            o.agent_p,
            Some(other_cycle.id),
        );
        bad.measure = Some(MeasureInput {
            unit: " ".into(),
            ..measure("csat", 4.0, 4.0)
        });
        let c = codes(svc::create(db, &o.agent, &bad, None).await.unwrap_err());
        for want in [
            ("measure.target_value", "target_equals_start"),
            ("measure.unit", "unit_required"),
            ("parent_id", "parent_cycle"),
        ] {
            assert!(
                c.iter().any(|(f, k)| f == want.0 && *k == want.1),
                "{b:?}: {want:?} in {c:?}"
            );
        }
        // A company goal has no parent and needs an owner.
        let mut bad = goal(
            Level::Company,
            GoalKind::Objective,
            "Top",
            o.ceo,
            Some(tr.company.id),
        );
        bad.owner_id = None;
        let c = codes(svc::create(db, &o.admin, &bad, None).await.unwrap_err());
        assert!(
            c.contains(&("parent_id".into(), "parent_not_allowed")),
            "{c:?}"
        );
        assert!(c.contains(&("owner_id".into(), "owner_required")), "{c:?}");
        // An invisible parent is simply not found (the agent cannot see Fin's goals).
        let mut bad = goal(
            Level::Person,
            GoalKind::Objective,
            "Under fin",
            o.agent_p,
            Some(tr.fin_goal.id),
        );
        bad.measure = None;
        let c = codes(svc::create(db, &o.agent, &bad, None).await.unwrap_err());
        assert!(
            c.contains(&("parent_id".into(), "not_found")),
            "{b:?}: {c:?}"
        );

        // Policy: members set their own goals only; viewers none; managers not company goals.
        let mut for_other = goal(
            Level::Person,
            GoalKind::Objective,
            "Yours",
            o.finrep_p,
            Some(tr.company.id),
        );
        for_other.measure = None;
        assert!(matches!(
            svc::create(db, &o.agent, &for_other, None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::create(db, &o.clerk, &for_other, None).await,
            Err(AppError::Forbidden(_))
        ));
        // finrep is mgr's report although in Fin: mgr may set their goal.
        assert!(
            svc::create(db, &o.mgr, &for_other, None).await.is_ok(),
            "{b:?}"
        );
        let company = goal(Level::Company, GoalKind::Objective, "Mine now", o.ceo, None);
        assert!(matches!(
            svc::create(db, &o.mgr, &company, None).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'goal.create'"
            )
            .await
                >= 5
        );
        drop(t);
    }
}

#[tokio::test]
async fn progress_is_weighted_and_follows_check_ins_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let tr = tree(db, &o).await;
        // Two key results on the CS objective, weights 3 and 1; one of them "reduce to".
        let k1 = MeasureInput {
            weight: Some(3.0),
            owner_id: Some(o.agent_p),
            ..measure("first-contact resolution", 50.0, 90.0)
        };
        let k2 = MeasureInput {
            weight: Some(1.0),
            ..measure("open complaints", 40.0, 10.0)
        };
        svc::add_key_result(db, &o.mgr, tr.cs.id, &k1, None)
            .await
            .unwrap();
        let g = svc::add_key_result(db, &o.mgr, tr.cs.id, &k2, None)
            .await
            .unwrap();
        let (kr1, kr2) = (g.key_results[0].id, g.key_results[1].id);
        assert_eq!(g.progress, 0.0);
        // The agent owns kr1 and may check in on it, but not on kr2 (the manager's).
        let ci = |v: f64, conf: f64| CheckInInput {
            value: Some(v),
            confidence: conf,
            confidence_scale: ConfidenceScale::Ten,
            note: Some("weekly".into()),
        };
        let c = svc::check_in(db, &o.agent, kr1, &ci(70.0, 7.0))
            .await
            .unwrap();
        assert_eq!(
            (c.progress, c.confidence, c.week.as_str()),
            (0.5, 70, "2026-W22")
        );
        assert!(matches!(
            svc::check_in(db, &o.agent, kr2, &ci(25.0, 5.0)).await,
            Err(AppError::Forbidden(_))
        ));
        svc::check_in(db, &o.mgr, kr2, &ci(25.0, 5.0))
            .await
            .unwrap();
        let g = svc::get(db, &o.mgr, tr.cs.id).await.unwrap();
        // (3 × 0.5 + 1 × 0.5) / 4 = 0.5; then kr2 reaches its target: (1.5 + 1) / 4.
        assert_eq!(g.progress, 0.5, "{b:?}");
        svc::check_in(db, &o.mgr, kr2, &ci(8.0, 9.0)).await.unwrap();
        let g = svc::get(db, &o.mgr, tr.cs.id).await.unwrap();
        assert_eq!(g.progress, 0.625, "{b:?}");
        assert_eq!(g.key_results[1].current_value, 8.0);
        assert_eq!(g.key_results[1].confidence, Some(90));
        let hist = svc::checkins(db, &o.agent, tr.cs.id).await.unwrap();
        assert_eq!(hist.len(), 3, "{b:?}: the timeline keeps every check-in");
        assert_eq!(hist[0].value, 8.0, "newest first");
        // Bad check-ins are named precisely.
        let bad = CheckInInput {
            value: None,
            confidence: 11.0,
            confidence_scale: ConfidenceScale::Ten,
            note: None,
        };
        let c = codes(svc::check_in(db, &o.mgr, kr2, &bad).await.unwrap_err());
        assert_eq!(
            c,
            vec![
                ("confidence".into(), "out_of_range"),
                ("value".into(), "required")
            ]
        );
        // Binding to a KPI the caller cannot see (or that does not exist) is refused.
        let bound = MeasureInput {
            kpi_id: Some(999_999),
            ..measure("bound", 0.0, 1.0)
        };
        let c = codes(
            svc::add_key_result(db, &o.mgr, tr.cs.id, &bound, None)
                .await
                .unwrap_err(),
        );
        assert_eq!(c, vec![("kpi_id".into(), "not_found")]);
        drop(t);
    }
}

#[tokio::test]
async fn each_role_sees_the_goals_the_policy_allows_in_list_tree_and_get() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let tr = tree(db, &o).await;
        let ids = |gs: &[Goal]| {
            let mut v: Vec<i64> = gs.iter().map(|g| g.id).collect();
            v.sort();
            v
        };
        let all = {
            let mut v = vec![tr.company.id, tr.cs.id, tr.agent_goal.id, tr.fin_goal.id];
            v.sort();
            v
        };
        let expect = [
            (&o.admin, all.clone()),
            // The manager: Ops subtree (CS) and their report finrep in Fin.
            (&o.mgr, all.clone()),
            // A CS member: company, CS and CS people's goals; not Fin's.
            (&o.agent, vec![tr.company.id, tr.cs.id, tr.agent_goal.id]),
            (&o.agent2, vec![tr.company.id, tr.cs.id, tr.agent_goal.id]),
            // Fin: company and Fin's own.
            (&o.finrep, vec![tr.company.id, tr.fin_goal.id]),
            (&o.clerk, vec![tr.company.id, tr.fin_goal.id]),
        ];
        for (ctx, want) in expect {
            let who = &ctx.actor.username;
            let f = svc::GoalFilter {
                cycle: Some("2026-Q2".into()),
                ..Default::default()
            };
            let page = svc::list(db, ctx, &f).await.unwrap();
            assert_eq!(ids(&page.items), want, "{b:?} {who}: list");
            let tree = svc::tree(db, ctx, "2026-Q2").await.unwrap();
            let tids = {
                let mut v: Vec<i64> = tree.iter().map(|t| t.goal.id).collect();
                v.sort();
                v
            };
            assert_eq!(tids, want, "{b:?} {who}: tree");
            for id in &all {
                let got = svc::get(db, ctx, *id).await;
                assert_eq!(got.is_ok(), want.contains(id), "{b:?} {who}: get {id}");
                if !want.contains(id) {
                    assert!(matches!(got, Err(AppError::NotFound)));
                    assert!(matches!(
                        svc::checkins(db, ctx, *id).await,
                        Err(AppError::NotFound)
                    ));
                }
            }
        }
        // The tree nests: company → CS → agent's goal, depth-first.
        let tree = svc::tree(db, &o.admin, "2026-Q2").await.unwrap();
        let order: Vec<(i64, usize)> = tree.iter().map(|t| (t.goal.id, t.depth)).collect();
        assert_eq!(
            &order[..3],
            &[(tr.company.id, 0), (tr.cs.id, 1), (tr.agent_goal.id, 2)],
            "{b:?}"
        );
        assert_eq!(tree[0].children, 2);
        // "My goals" for the agent: their own.
        let mine = svc::list(
            db,
            &o.agent,
            &svc::GoalFilter {
                mine: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(ids(&mine.items), vec![tr.agent_goal.id]);
        // Edits follow the same policy: agent2 sees agent's goal but may not edit it.
        let p = GoalPatch {
            title: Some("Mine now".into()),
            ..Default::default()
        };
        let v = tr.agent_goal.version;
        assert!(matches!(
            svc::update(db, &o.agent2, tr.agent_goal.id, v, &p).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            svc::update(db, &o.agent, tr.fin_goal.id, 1, &p).await,
            Err(AppError::NotFound)
        ));
        let g = svc::update(db, &o.mgr, tr.agent_goal.id, v, &p)
            .await
            .unwrap();
        assert_eq!(g.title, "Mine now");
        assert!(matches!(
            svc::update(db, &o.agent, tr.agent_goal.id, v, &p).await,
            Err(AppError::PreconditionFailed)
        ));
        // Deleting a goal others contribute to is refused.
        assert!(matches!(
            svc::delete(db, &o.mgr, tr.cs.id, tr.cs.version + 10).await,
            Err(AppError::Conflict(_))
        ));
        drop(t);
    }
}

async fn notes(db: &Db, user_id: i64, kind: &str) -> i64 {
    db.read()
        .await
        .unwrap()
        .count(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = $2",
            &[user_id.into(), kind.into()],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_missing_check_in_is_reminded_exactly_once_per_week_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let tr = tree(db, &o).await;
        let kr = tr.agent_goal.key_results[0].id;
        let agent_uid = o.users[1];
        // Still in the key result's first week: nothing is due.
        assert_eq!(
            svc::run_checkin_reminders(db, NOW).await.unwrap(),
            0,
            "{b:?}"
        );
        // The next Monday: week 22 passed without a check-in → one reminder, however often it runs.
        let monday = NOW + 4 * DAY;
        let first = svc::run_checkin_reminders(db, monday).await.unwrap();
        assert!(first >= 1, "{b:?}");
        svc::run_checkin_reminders(db, monday + 3_600_000)
            .await
            .unwrap();
        svc::run_checkin_reminders(db, monday + DAY).await.unwrap();
        assert_eq!(
            notes(db, agent_uid, "goal.checkin_missing").await,
            1,
            "{b:?}: exactly once"
        );
        // The agent checks in during week 23; the reminder for week 23 does not come.
        let ci = CheckInInput {
            value: Some(70.0),
            confidence: 80.0,
            ..Default::default()
        };
        svc::check_in(db, &at(&o.agent, monday + 2 * DAY), kr, &ci)
            .await
            .unwrap();
        svc::run_checkin_reminders(db, monday + 7 * DAY)
            .await
            .unwrap();
        assert_eq!(
            notes(db, agent_uid, "goal.checkin_missing").await,
            1,
            "{b:?}"
        );
        // Week 24 is missed again: one more.
        svc::run_checkin_reminders(db, monday + 14 * DAY)
            .await
            .unwrap();
        svc::run_checkin_reminders(db, monday + 14 * DAY + 60_000)
            .await
            .unwrap();
        assert_eq!(
            notes(db, agent_uid, "goal.checkin_missing").await,
            2,
            "{b:?}"
        );
        let rows = count(
            db,
            &format!("SELECT COUNT(*) AS n FROM goal_checkin_reminders WHERE key_result_id = {kr}"),
        )
        .await;
        assert_eq!(rows, 2);
        drop(t);
    }
}

#[tokio::test]
async fn a_red_key_result_tells_owner_and_manager_once_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let tr = tree(db, &o).await;
        let kr = tr.agent_goal.key_results[0].id;
        let (mgr_uid, agent_uid) = (o.users[0], o.users[1]);
        let late = NOW + 20 * DAY; // 2026-06-17: ~85 % of the quarter gone
        let ci = |v: f64| CheckInInput {
            value: Some(v),
            confidence: 50.0,
            ..Default::default()
        };
        // 60 → 65 of 60 → 90 is 17 %: far behind → red, both told.
        svc::check_in(db, &at(&o.agent, late), kr, &ci(65.0))
            .await
            .unwrap();
        let g = svc::get(db, &at(&o.agent, late), tr.agent_goal.id)
            .await
            .unwrap();
        assert_eq!(g.key_results[0].health, Health::Red, "{b:?}");
        assert_eq!(
            notes(db, agent_uid, "goal.key_result_red").await,
            1,
            "{b:?}"
        );
        assert_eq!(notes(db, mgr_uid, "goal.key_result_red").await, 1, "{b:?}");
        // Still red: nobody is told again.
        svc::check_in(db, &at(&o.agent, late + DAY), kr, &ci(66.0))
            .await
            .unwrap();
        assert_eq!(
            notes(db, agent_uid, "goal.key_result_red").await,
            1,
            "{b:?}"
        );
        // Recovers, then falls back: a new turn to red is a new signal.
        svc::check_in(db, &at(&o.agent, late + DAY), kr, &ci(88.0))
            .await
            .unwrap();
        svc::check_in(db, &at(&o.agent, late + 2 * DAY), kr, &ci(61.0))
            .await
            .unwrap();
        assert_eq!(notes(db, mgr_uid, "goal.key_result_red").await, 2, "{b:?}");
        drop(t);
    }
}

#[tokio::test]
async fn scoring_at_cycle_end_locks_the_goal_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let tr = tree(db, &o).await;
        let k2 = MeasureInput {
            weight: Some(2.0),
            ..measure("escalations handled", 0.0, 10.0)
        };
        let g = svc::add_key_result(db, &o.mgr, tr.cs.id, &k2, None)
            .await
            .unwrap();
        let k1 = MeasureInput {
            weight: Some(1.0),
            ..measure("macros written", 0.0, 20.0)
        };
        let g2 = svc::add_key_result(db, &o.mgr, tr.cs.id, &k1, None)
            .await
            .unwrap();
        let (ka, kb) = (g.key_results[0].id, g2.key_results[1].id);
        let ci = |v: f64| CheckInInput {
            value: Some(v),
            confidence: 60.0,
            ..Default::default()
        };
        svc::check_in(db, &o.mgr, ka, &ci(7.0)).await.unwrap();
        svc::check_in(db, &o.mgr, kb, &ci(5.0)).await.unwrap();
        let g = svc::get(db, &o.mgr, tr.cs.id).await.unwrap();
        // Before the due date: too early.
        let r = svc::score(db, &o.mgr, tr.cs.id, g.version, &ScoreInput::default()).await;
        assert!(matches!(r, Err(AppError::Conflict(_))), "{b:?}: {r:?}");
        let end = at(&o.mgr, NOW + 34 * DAY); // 2026-07-01
        // Members never score, even their own goal.
        let agent_end = at(&o.agent, NOW + 34 * DAY);
        let ag = svc::get(db, &agent_end, tr.agent_goal.id).await.unwrap();
        assert!(matches!(
            svc::score(
                db,
                &agent_end,
                tr.agent_goal.id,
                ag.version,
                &ScoreInput::default()
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        // A score out of range is named.
        let bad = ScoreInput {
            key_results: vec![KrScore {
                key_result_id: kb,
                score: 1.5,
            }],
        };
        let c = codes(
            svc::score(db, &end, tr.cs.id, g.version, &bad)
                .await
                .unwrap_err(),
        );
        assert_eq!(c, vec![("key_results[0].score".into(), "out_of_range")]);
        // ka by progress (0.7), kb judged 0.4: (2 × 0.7 + 1 × 0.4) / 3 = 0.6.
        let input = ScoreInput {
            key_results: vec![KrScore {
                key_result_id: kb,
                score: 0.4,
            }],
        };
        let s = svc::score(db, &end, tr.cs.id, g.version, &input)
            .await
            .unwrap();
        assert_eq!(s.score, Some(0.6), "{b:?}");
        assert_eq!(s.state, GoalState::Scored);
        assert_eq!(s.key_results[0].score, Some(0.7));
        assert_eq!(s.key_results[1].score, Some(0.4));
        // Locked: no edits, no check-ins, no new key results, no second scoring.
        let p = GoalPatch {
            title: Some("Changed".into()),
            ..Default::default()
        };
        assert!(matches!(
            svc::update(db, &end, tr.cs.id, s.version, &p).await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            svc::check_in(db, &end, ka, &ci(9.0)).await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            svc::add_key_result(db, &end, tr.cs.id, &k1, None).await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            svc::score(db, &end, tr.cs.id, s.version, &input).await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            svc::delete(db, &end, tr.cs.id, s.version).await,
            Err(AppError::Conflict(_))
        ));
        // A scored goal no longer asks for check-ins.
        let before = count(db, "SELECT COUNT(*) AS n FROM goal_checkin_reminders").await;
        svc::run_checkin_reminders(db, NOW + 40 * DAY)
            .await
            .unwrap();
        let rows = count(
            db,
            &format!("SELECT COUNT(*) AS n FROM goal_checkin_reminders WHERE key_result_id IN ({ka},{kb})"),
        )
        .await;
        assert_eq!(rows, 0, "{b:?}");
        assert!(count(db, "SELECT COUNT(*) AS n FROM goal_checkin_reminders").await >= before);
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'goal.score'"
            )
            .await,
            1
        );
        drop(t);
    }
}

#[tokio::test]
async fn the_demo_cascades_company_okrs_with_weeks_of_check_ins_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        // 2026-11-27, eight weeks into 2026-Q4.
        let now = 1_795_780_800_000;
        work::demo::load_demo(db, now, work::demo::DemoSize::Small)
            .await
            .unwrap();
        let n = performance::goals::demo::load_demo(db, now).await.unwrap();
        assert!(n >= 8, "{b:?}: {n} goals");
        assert_eq!(
            performance::goals::demo::load_demo(db, now).await.unwrap(),
            0,
            "loads once"
        );
        let admin = Ctx::system(now);
        let tree = svc::tree(db, &admin, "2026-Q4").await.unwrap();
        assert_eq!(
            tree.len(),
            n,
            "{b:?}: every demo goal is in the current quarter's tree"
        );
        assert_eq!(
            tree.iter().map(|i| i.depth).max(),
            Some(2),
            "company → department → person"
        );
        assert!(
            tree.iter()
                .filter(|i| i.depth == 0)
                .all(|i| i.goal.level == Level::Company)
        );
        let weeks = count(db, "SELECT COUNT(DISTINCT week) AS n FROM goal_checkins").await;
        assert!(weeks >= 7, "{b:?}: {weeks} weeks of check-ins");
        let healths: Vec<Health> = tree
            .iter()
            .flat_map(|i| i.goal.key_results.iter().map(|k| k.health))
            .collect();
        assert!(
            healths.contains(&Health::Red) && healths.contains(&Health::Green),
            "{healths:?}"
        );
        // Some key results skipped last week (2026-W47): the reminder job has work.
        let missed = count(
            db,
            "SELECT COUNT(*) AS n FROM key_results k WHERE NOT EXISTS \
             (SELECT 1 FROM goal_checkins c WHERE c.key_result_id = k.id AND c.week = '2026-W47')",
        )
        .await;
        assert!(missed > 0, "{b:?}");
        drop(t);
    }
}
