//! Scorecards and KPI-bound key results on both backends: the weighted, capped score and its
//! coverage from the KPIs' own statuses, history over periods, visibility and composition rights,
//! and a key result whose progress follows its KPI.
use db::Db;
use db::testing::{BACKENDS, TestDb};
use kernel::{AppError, Ctx, Role};
use performance::goals::model::{CheckInInput, GoalInput, GoalKind, Level, MeasureInput};
use performance::kpi::model::{Aggregation, Direction, Frequency, KpiInput, Unit};
use performance::kpi::service::{PointInput, TargetCell};
use performance::scorecards::model::{ItemInput, ScorecardInput, ScorecardPatch};
use performance::scorecards::service as sc;
use team::model::{DepartmentInput, PersonInput};

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

async fn ctx_for(db: &Db, uid: i64, name: &str, role: Role) -> Ctx {
    let mut tx = db.read().await.unwrap();
    Ctx {
        actor: team::resolve_actor(&mut tx, uid, name, role).await.unwrap(),
        ..Ctx::system(NOW)
    }
}

struct Org {
    ops: i64,
    fin: i64,
    agent_p: i64,
    admin: Ctx,
    mgr: Ctx,
    agent: Ctx,
    teller: Ctx,
}

async fn org(db: &Db) -> Org {
    let admin = Ctx::system(NOW);
    let mut depts = Vec::new();
    for n in ["Ops", "Fin"] {
        let d = DepartmentInput {
            name: n.into(),
            ..Default::default()
        };
        depts.push(
            team::service::create_department(db, &admin, &d, None)
                .await
                .unwrap()
                .id,
        );
    }
    let mut ctxs = Vec::new();
    let mut pids = Vec::new();
    for (i, (name, role, d)) in [
        ("mgr", Role::Manager, depts[0]),
        ("agent", Role::Member, depts[0]),
        ("teller", Role::Member, depts[1]),
    ]
    .into_iter()
    .enumerate()
    {
        let uid = user(db, name, role).await;
        let p = PersonInput {
            department_id: Some(d),
            user_id: Some(uid),
            ..PersonInput::new(&format!("E{i}"), name)
        };
        pids.push(
            team::service::create_person(db, &admin, &p, None)
                .await
                .unwrap()
                .id,
        );
        ctxs.push(ctx_for(db, uid, name, role).await);
    }
    Org {
        ops: depts[0],
        fin: depts[1],
        agent_p: pids[1],
        admin,
        mgr: ctxs[0].clone(),
        agent: ctxs[1].clone(),
        teller: ctxs[2].clone(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn kpi(
    db: &Db,
    o: &Org,
    code: &str,
    scope: &str,
    dept: Option<i64>,
    person: Option<i64>,
    dir: Direction,
    freq: Frequency,
    targets: &[(&str, f64)],
    points: &[(&str, f64)],
) -> i64 {
    let input = KpiInput {
        code: code.into(),
        name: code.into(),
        name_zh: None,
        description: None,
        unit: Unit::Percent,
        direction: dir,
        aggregation: Aggregation::Sum,
        frequency: freq,
        scope: scope.into(),
        department_id: dept,
        person_id: person,
        owner_person_id: None,
        formula: None,
        computed: None,
        threshold_mode: performance::kpi::model::ThresholdMode::Percent,
        amber_from: 0.0,
        red_from: 10.0,
    };
    let k = performance::kpi::service::create(db, &o.admin, &input, None)
        .await
        .unwrap();
    let cells: Vec<TargetCell> = targets
        .iter()
        .map(|(p, t)| TargetCell {
            period: p.to_string(),
            target: Some(*t),
            target_high: None,
        })
        .collect();
    if !cells.is_empty() {
        performance::kpi::service::set_targets(db, &o.admin, k.id, k.version, &cells)
            .await
            .unwrap();
    }
    let pts: Vec<PointInput> = points
        .iter()
        .map(|(p, v)| PointInput {
            period: p.to_string(),
            value: Some(*v),
            denominator: None,
        })
        .collect();
    if !pts.is_empty() {
        performance::kpi::service::push_points(db, &o.admin, k.id, "test", &pts)
            .await
            .unwrap();
    }
    k.id
}

fn codes(e: AppError) -> Vec<(String, &'static str)> {
    match e {
        AppError::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected validation, got {other:?}"),
    }
}

#[tokio::test]
async fn scorecard_numbers_history_and_visibility_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        // Achievement = actual / target for "higher", target / actual for "lower".
        let csat = kpi(
            db,
            &o,
            "csat",
            "company",
            None,
            None,
            Direction::Higher,
            Frequency::Monthly,
            &[("2026-04", 90.0), ("2026-05", 90.0)],
            &[("2026-04-15", 81.0), ("2026-05-10", 99.0)],
        )
        .await;
        let cost = kpi(
            db,
            &o,
            "cost",
            "department",
            Some(o.ops),
            None,
            Direction::Lower,
            Frequency::Monthly,
            &[("2026-05", 100.0)],
            &[("2026-05-03", 125.0)],
        )
        .await;
        let calls = kpi(
            db,
            &o,
            "calls",
            "department",
            Some(o.ops),
            None,
            Direction::Higher,
            Frequency::Weekly,
            &[],
            &[("2026-05-27", 40.0)],
        )
        .await;
        let fin_only = kpi(
            db,
            &o,
            "fin_close",
            "department",
            Some(o.fin),
            None,
            Direction::Lower,
            Frequency::Monthly,
            &[],
            &[],
        )
        .await;

        let input = ScorecardInput {
            name: "Ops monthly".into(),
            scope: Level::Department,
            department_id: Some(o.ops),
            person_id: None,
            items: vec![
                ItemInput {
                    kpi_id: csat,
                    weight: Some(2.0),
                },
                ItemInput {
                    kpi_id: cost,
                    weight: Some(1.0),
                },
                ItemInput {
                    kpi_id: calls,
                    weight: None,
                },
            ],
        };
        // Members do not compose; a manager cannot add a KPI they cannot see, nor a company card.
        assert!(matches!(
            sc::create(db, &o.agent, &input, None).await,
            Err(AppError::Forbidden(_))
        ));
        let mut bad = input.clone();
        bad.items.push(ItemInput {
            kpi_id: fin_only,
            weight: Some(1.0),
        });
        assert_eq!(
            codes(sc::create(db, &o.mgr, &bad, None).await.unwrap_err()),
            vec![("items[3].kpi_id".into(), "not_found")]
        );
        let company = ScorecardInput {
            scope: Level::Company,
            department_id: None,
            ..input.clone()
        };
        assert!(matches!(
            sc::create(db, &o.mgr, &company, None).await,
            Err(AppError::Forbidden(_))
        ));
        let card = sc::create(db, &o.mgr, &input, None).await.unwrap();
        assert_eq!(card.items.len(), 3);

        // May: (2 × 110 + 1 × 80) / 3 = 100; calls has no target → coverage 3/4.
        let r = sc::report(db, &o.agent, card.id, Some("2026-05"))
            .await
            .unwrap();
        let ach: Vec<Option<f64>> = r
            .result
            .items
            .iter()
            .map(|i| i.achievement.map(|a| (a * 100.0).round() / 100.0))
            .collect();
        assert_eq!(ach, vec![Some(110.0), Some(80.0), None], "{b:?}");
        assert_eq!(r.result.score, Some(100.0), "{b:?}");
        assert_eq!(r.result.coverage, 0.75);
        assert_eq!(r.result.items[0].status.as_deref(), Some("green"));
        assert_eq!(
            r.result.items[1].status.as_deref(),
            Some("red"),
            "{b:?}: 25 % over a lower-is-better target"
        );
        assert_eq!(
            r.result.items[2].kpi_period.as_deref(),
            Some("2026-W22"),
            "the weekly KPI's own period"
        );
        // History: six months ending in May; April scores csat alone (90), before that nothing.
        let h: Vec<(String, Option<f64>)> = r
            .history
            .iter()
            .map(|h| (h.period.clone(), h.score))
            .collect();
        assert_eq!(h.len(), 6);
        assert_eq!(h[4], ("2026-04".into(), Some(90.0)), "{b:?}");
        assert_eq!(h[5], ("2026-05".into(), Some(100.0)));
        assert!(h[..4].iter().all(|(_, s)| s.is_none()));
        // A running quarter reads each KPI's latest period up to today.
        let q = sc::report(db, &o.agent, card.id, Some("2026-Q2"))
            .await
            .unwrap();
        assert_eq!(q.result.score, Some(100.0));
        assert!(matches!(
            sc::report(db, &o.agent, card.id, Some("May")).await,
            Err(AppError::Validation(_))
        ));

        // Visibility: Fin cannot see Ops's card; the list agrees with the read.
        assert!(matches!(
            sc::report(db, &o.teller, card.id, None).await,
            Err(AppError::NotFound)
        ));
        assert!(
            sc::list(db, &o.teller, None, None)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert_eq!(
            sc::list(db, &o.agent, None, None)
                .await
                .unwrap()
                .items
                .len(),
            1
        );

        // Re-weighting changes the score; a stale version is refused.
        let patch = ScorecardPatch {
            name: None,
            items: Some(vec![
                ItemInput {
                    kpi_id: csat,
                    weight: Some(1.0),
                },
                ItemInput {
                    kpi_id: cost,
                    weight: Some(1.0),
                },
            ]),
        };
        let card2 = sc::update(db, &o.mgr, card.id, card.version, &patch)
            .await
            .unwrap();
        assert!(matches!(
            sc::update(db, &o.mgr, card.id, card.version, &patch).await,
            Err(AppError::PreconditionFailed)
        ));
        let r = sc::report(db, &o.mgr, card2.id, Some("2026-05"))
            .await
            .unwrap();
        assert_eq!(
            (r.result.score, r.result.coverage),
            (Some(95.0), 1.0),
            "{b:?}"
        );
        assert!(matches!(
            sc::delete(db, &o.agent, card.id, card2.version).await,
            Err(AppError::Forbidden(_))
        ));
        sc::delete(db, &o.mgr, card.id, card2.version)
            .await
            .unwrap();
        drop(t);
    }
}

#[tokio::test]
async fn a_key_result_bound_to_a_kpi_follows_its_actuals_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let o = org(db).await;
        let csat = kpi(
            db,
            &o,
            "csat",
            "company",
            None,
            None,
            Direction::Higher,
            Frequency::Monthly,
            &[],
            &[("2026-04-15", 81.0), ("2026-05-10", 90.0)],
        )
        .await;
        let fin_only = kpi(
            db,
            &o,
            "fin_close",
            "department",
            Some(o.fin),
            None,
            Direction::Lower,
            Frequency::Monthly,
            &[],
            &[],
        )
        .await;
        let top = performance::goals::service::create(
            db,
            &o.admin,
            &GoalInput {
                level: Level::Company,
                kind: GoalKind::Objective,
                title: "Happy customers".into(),
                owner_id: Some(o.agent_p),
                cycle: "2026-Q2".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        let bound = |kpi_id| MeasureInput {
            title: Some("CSAT to 100".into()),
            metric: "CSAT".into(),
            unit: "%".into(),
            start_value: 80.0,
            target_value: 100.0,
            kpi_id: Some(kpi_id),
            owner_id: Some(o.agent_p),
            ..Default::default()
        };
        // The agent (Ops) cannot bind a Fin KPI: not found for them.
        let mut mine = GoalInput {
            level: Level::Person,
            kind: GoalKind::Smart,
            title: "CSAT".into(),
            parent_id: Some(top.id),
            cycle: "2026-Q2".into(),
            measure: Some(bound(fin_only)),
            ..Default::default()
        };
        let c = codes(
            performance::goals::service::create(db, &o.agent, &mine, None)
                .await
                .unwrap_err(),
        );
        assert_eq!(c, vec![("measure.kpi_id".into(), "not_found")]);
        mine.measure = Some(bound(csat));
        let g = performance::goals::service::create(db, &o.agent, &mine, None)
            .await
            .unwrap();
        // The latest period of the cycle with a value: May's 90 → (90 − 80) / (100 − 80).
        assert_eq!(g.key_results[0].current_value, 90.0, "{b:?}");
        assert_eq!(g.progress, 0.5);
        // A check-in on a bound key result records the KPI's value, whatever is typed.
        let ci = CheckInInput {
            value: Some(12.0),
            confidence: 70.0,
            ..Default::default()
        };
        let c = performance::goals::service::check_in(db, &o.agent, g.key_results[0].id, &ci)
            .await
            .unwrap();
        assert_eq!(c.value, 90.0);
        // New actuals move the key result.
        performance::kpi::service::push_points(
            db,
            &o.admin,
            csat,
            "other",
            &[PointInput {
                period: "2026-05-20".into(),
                value: Some(4.0),
                denominator: None,
            }],
        )
        .await
        .unwrap();
        let g = performance::goals::service::get(db, &o.mgr, g.id)
            .await
            .unwrap();
        assert_eq!(
            g.key_results[0].current_value, 94.0,
            "{b:?}: May sums to 94"
        );
        assert_eq!(g.progress, 0.7);
        // The refresh job stores the derived value, and signals red once when the KPI falls.
        let refresh = performance::goals::service::refresh_kpi_bound;
        assert_eq!(refresh(db, NOW).await.unwrap(), 1, "{b:?}: 90 → 94 stored");
        assert_eq!(refresh(db, NOW).await.unwrap(), 0);
        performance::kpi::service::push_points(
            db,
            &o.admin,
            csat,
            "third",
            &[PointInput {
                period: "2026-05-21".into(),
                value: Some(-14.0),
                denominator: None,
            }],
        )
        .await
        .unwrap();
        let late = NOW + 20 * 86_400_000;
        refresh(db, late).await.unwrap();
        refresh(db, late + 60_000).await.unwrap();
        let reds = db
            .read()
            .await
            .unwrap()
            .count(
                "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = 'goal.key_result_red'",
                &[o.agent.actor.user_id.into()],
            )
            .await
            .unwrap();
        assert_eq!(reds, 1, "{b:?}: told once");
        drop(t);
    }
}

#[tokio::test]
async fn the_demo_has_scorecards_and_a_key_result_following_a_kpi_on_both_backends() {
    for b in BACKENDS {
        let t = TestDb::new(b).await;
        let db = &t.db;
        let now = 1_795_780_800_000; // 2026-11-27
        work::demo::load_demo(db, now, work::demo::DemoSize::Small)
            .await
            .unwrap();
        performance::kpi::demo::load_demo(db, now).await.unwrap();
        performance::goals::demo::load_demo(db, now).await.unwrap();
        let n = performance::scorecards::demo::load_demo(db, now)
            .await
            .unwrap();
        assert_eq!(n, 3, "{b:?}");
        let admin = Ctx::system(now);
        let cards = sc::list(db, &admin, None, None).await.unwrap().items;
        for c in &cards {
            let r = sc::report(db, &admin, c.id, Some("2026-10")).await.unwrap();
            assert!(r.result.score.is_some(), "{b:?}: {} scores October", c.name);
            assert_eq!(r.history.len(), 6);
        }
        let tree = performance::goals::service::tree(db, &admin, "2026-Q4")
            .await
            .unwrap();
        let bound: Vec<_> = tree
            .iter()
            .flat_map(|i| i.goal.key_results.iter())
            .filter(|k| k.kpi_id.is_some())
            .collect();
        assert_eq!(bound.len(), 1, "{b:?}: on-time delivery follows its KPI");
        assert_ne!(
            bound[0].current_value, bound[0].start_value,
            "it reads the KPI's actuals"
        );
        drop(t);
    }
}
