//! Demo goals: the company's OKRs for the current quarter cascading to departments and people,
//! with weekly check-ins since the quarter began — some on track, one at risk, one behind, and a
//! few missed weeks, so the tree, the red rule and the reminders all have something to show.
use super::model::{
    CheckInInput, ConfidenceScale, Cycle, CycleKind, GoalInput, GoalKind, Level, MeasureInput,
};
use super::service;
use db::Db;
use kernel::{AppResult, Ctx};

const DAY: i64 = 86_400_000;

/// (title, metric, unit, start, target, weight, pace): `pace` is the share of the schedule the
/// key result keeps up with (1 = on plan, 0.3 = far behind).
type Kr = (&'static str, &'static str, &'static str, f64, f64, f64, f64);

struct Plan {
    dept: Option<&'static str>,
    title: &'static str,
    krs: &'static [Kr],
}

const COMPANY: &[Plan] = &[
    Plan {
        dept: None,
        title: "提升客户满意度与交付效率 Raise customer satisfaction and delivery speed",
        krs: &[
            (
                "净推荐值 NPS",
                "NPS from the quarterly survey",
                "pt",
                32.0,
                45.0,
                2.0,
                0.95,
            ),
            (
                "准时交付率 On-time delivery",
                "orders delivered by the promised date",
                "%",
                88.0,
                96.0,
                2.0,
                0.9,
            ),
            (
                "单均成本 Cost per order",
                "fulfilment cost per order",
                "元",
                42.0,
                36.0,
                1.0,
                0.7,
            ),
        ],
    },
    Plan {
        dept: None,
        title: "深耕重点客户 Grow key accounts",
        krs: &[
            (
                "重点客户续约率 Key-account renewals",
                "renewed key accounts",
                "%",
                70.0,
                90.0,
                1.0,
                1.05,
            ),
            (
                "重点客户营收 Key-account revenue",
                "revenue from key accounts",
                "万元",
                0.0,
                1200.0,
                1.0,
                0.8,
            ),
        ],
    },
];

const DEPARTMENTS: &[Plan] = &[
    Plan {
        dept: Some("OPS"),
        title: "让运营用数据说话 Run operations on data",
        krs: &[
            (
                "SOP 覆盖 Processes with an SOP",
                "core processes with a current SOP",
                "个",
                10.0,
                25.0,
                1.0,
                1.0,
            ),
            (
                "周会数据覆盖 Weekly reviews with live KPIs",
                "weekly reviews using live KPIs",
                "%",
                60.0,
                95.0,
                1.0,
                0.85,
            ),
        ],
    },
    Plan {
        dept: Some("CS"),
        title: "更快解决客户投诉 Resolve complaints faster",
        krs: &[
            (
                "1小时首次响应 First response within 1 h",
                "tickets first answered within 1 hour",
                "%",
                72.0,
                95.0,
                2.0,
                0.9,
            ),
            (
                "SLA 内解决 Resolved within SLA",
                "complaints resolved within the SLA",
                "%",
                80.0,
                97.0,
                1.0,
                0.3,
            ),
        ],
    },
    Plan {
        dept: Some("LOG"),
        title: "准时、完好地交付 Deliver on time and intact",
        krs: &[
            (
                "准时率 On-time rate",
                "shipments on time",
                "%",
                88.0,
                97.0,
                1.0,
                1.0,
            ),
            (
                "破损率 Damage rate",
                "shipments damaged",
                "%",
                1.2,
                0.5,
                1.0,
                0.55,
            ),
        ],
    },
];

/// Personal SMART goals for the first active members of these departments.
const PEOPLE: &[(&str, Kr)] = &[
    (
        "CS",
        (
            "1小时内回复 Answer within 1 hour",
            "my tickets answered within 1 hour",
            "%",
            65.0,
            92.0,
            1.0,
            0.95,
        ),
    ),
    (
        "CS",
        (
            "减少重复来电 Cut repeat contacts",
            "customers contacting again within 7 days",
            "%",
            18.0,
            10.0,
            1.0,
            0.5,
        ),
    ),
    (
        "OPS",
        (
            "编写 SOP Write SOPs",
            "SOPs written and approved",
            "个",
            0.0,
            5.0,
            1.0,
            1.1,
        ),
    ),
    (
        "FIN",
        (
            "月结提速 Close the month faster",
            "working days to close the books",
            "天",
            8.0,
            4.0,
            1.0,
            0.8,
        ),
    ),
];

async fn dept(db: &Db, code: &str) -> AppResult<Option<(i64, Option<i64>)>> {
    let mut tx = db.read().await?;
    Ok(super::store::department_by_code(&mut tx, code).await?)
}

async fn members(db: &Db, dept_id: i64, head: Option<i64>) -> AppResult<Vec<i64>> {
    let mut tx = db.read().await?;
    Ok(super::store::active_members(&mut tx, dept_id, head, 4).await?)
}

/// Key results that follow a demo KPI (when the KPI library has it).
const BOUND: &[(&str, &str)] = &[("准时交付率 On-time delivery", "on_time_delivery")];

async fn bound_kpi(db: &Db, kr_title: &str) -> AppResult<Option<i64>> {
    let Some((_, code)) = BOUND.iter().find(|(t, _)| *t == kr_title) else {
        return Ok(None);
    };
    let mut tx = db.read().await?;
    Ok(
        crate::kpi::store::get_by_code(&mut tx, &kernel::policy::KpiVisibility::All, code)
            .await?
            .map(|k| k.id),
    )
}

fn measure(k: &Kr, owner: Option<i64>) -> MeasureInput {
    MeasureInput {
        title: Some(k.0.to_string()),
        owner_id: owner,
        metric: k.1.to_string(),
        unit: k.2.to_string(),
        start_value: k.3,
        target_value: k.4,
        current_value: None,
        weight: Some(k.5),
        kpi_id: None,
    }
}

/// Loads the demo goals unless goals exist already; returns how many goals it created.
pub async fn load_demo(db: &Db, now_ms: i64) -> AppResult<usize> {
    if super::store::goal_count(&mut db.read().await?).await? > 0 {
        return Ok(0);
    }
    let Some((_, Some(ceo))) = dept(db, "GO").await? else {
        return Ok(0);
    };
    let today = service::today_of(now_ms);
    let cycle = Cycle::containing(CycleKind::Quarterly, today);
    // 09:00 Shanghai on the quarter's first day.
    let start_ms = (cycle.start.midnight().assume_utc().unix_timestamp() * 1000) + DAY / 24;
    let at = |ms: i64| Ctx::system(ms.min(now_ms));
    let ctx0 = at(start_ms);
    let mut created = 0;
    // Key results to check in on: (kr id, plan, owner confidence base).
    let mut track: Vec<(i64, Kr)> = Vec::new();

    let goal = |level: Level,
                kind: GoalKind,
                title: &str,
                owner: i64,
                dept: Option<i64>,
                parent: Option<i64>| GoalInput {
        level,
        kind,
        title: title.to_string(),
        description: None,
        owner_id: Some(owner),
        department_id: dept,
        parent_id: parent,
        cycle: cycle.label.clone(),
        due_date: None,
        measure: None,
    };
    let mut company_ids = Vec::new();
    for p in COMPANY {
        let g = service::create(
            db,
            &ctx0,
            &goal(
                Level::Company,
                GoalKind::Objective,
                p.title,
                ceo,
                None,
                None,
            ),
            None,
        )
        .await?;
        created += 1;
        let mut last = g;
        for k in p.krs {
            let mut m = measure(k, None);
            m.kpi_id = bound_kpi(db, k.0).await?;
            last = service::add_key_result(db, &ctx0, last.id, &m, None).await?;
            let id = last.key_results.last().map_or(0, |x| x.id);
            track.push((id, *k));
        }
        company_ids.push(last.id);
    }
    let mut dept_goal: Vec<(&str, i64)> = Vec::new();
    for (i, p) in DEPARTMENTS.iter().enumerate() {
        let code = p.dept.unwrap_or("GO");
        let Some((d, Some(head))) = dept(db, code).await? else {
            continue;
        };
        let parent = company_ids[i % company_ids.len().max(1)];
        let g = service::create(
            db,
            &ctx0,
            &goal(
                Level::Department,
                GoalKind::Objective,
                p.title,
                head,
                Some(d),
                Some(parent),
            ),
            None,
        )
        .await?;
        created += 1;
        dept_goal.push((code, g.id));
        let mut last = g;
        for k in p.krs {
            last = service::add_key_result(db, &ctx0, last.id, &measure(k, None), None).await?;
            let id = last.key_results.last().map_or(0, |x| x.id);
            track.push((id, *k));
        }
    }
    let mut used: Vec<(&str, usize)> = Vec::new();
    for (code, k) in PEOPLE {
        let Some((d, head)) = dept(db, code).await? else {
            continue;
        };
        let n = used.iter().filter(|(c, _)| c == code).count();
        used.push((code, n));
        let Some(&owner) = members(db, d, head).await?.get(n) else {
            continue;
        };
        let parent = dept_goal
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, id)| *id)
            .or(company_ids.first().copied());
        let mut input = goal(Level::Person, GoalKind::Smart, k.0, owner, None, parent);
        input.measure = Some(measure(k, Some(owner)));
        let g = service::create(db, &ctx0, &input, None).await?;
        created += 1;
        if let Some(kr) = g.key_results.first() {
            track.push((kr.id, *k));
        }
    }

    // Weekly check-ins (the quarter's fifth day, then every seventh) at 17:00 Shanghai, following
    // each key result's pace; every fifth key result skips the last two weeks so reminders have work.
    let due_ms = (cycle.end.midnight().assume_utc().unix_timestamp() * 1000) + DAY;
    let span = (due_ms - start_ms) as f64;
    for (i, (kr, k)) in track.iter().enumerate() {
        let mut week = 0;
        loop {
            let t = start_ms + week * 7 * DAY + 4 * DAY + 8 * DAY / 24;
            week += 1;
            if t > now_ms {
                break;
            }
            if i % 5 == 4 && t + 14 * DAY > now_ms {
                continue;
            }
            let planned = ((t - start_ms) as f64 / span).clamp(0.0, 1.0);
            let wobble = [0.0, 0.02, -0.015, 0.01][(i + week as usize) % 4];
            let share = (planned * k.6 + wobble).clamp(0.0, 1.0);
            let raw = k.3 + (k.4 - k.3) * share;
            let value = (raw * 10.0).round() / 10.0;
            let confidence = if k.6 >= 0.9 {
                80.0
            } else if k.6 >= 0.6 {
                55.0
            } else {
                30.0
            };
            let note = if k.6 >= 0.9 {
                "按计划推进 On plan"
            } else if k.6 >= 0.6 {
                "略有落后，已调整排班 A little behind; rota adjusted"
            } else {
                "明显落后，需要支援 Well behind; need help"
            };
            let input = CheckInInput {
                value: Some(value),
                confidence,
                confidence_scale: ConfidenceScale::Percent,
                note: Some(note.to_string()),
            };
            service::check_in(db, &at(t), *kr, &input).await?;
        }
    }
    Ok(created)
}
