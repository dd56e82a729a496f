//! The demo KPI library: a realistic set of company, department and computed KPIs (both
//! languages) with two years of daily data up to today, monthly/weekly targets, one red KPI with
//! its open action, and one KPI whose finished action shows a before/after. Deterministic.
use crate::kpi::model::{
    Aggregation, Computed, Direction, Frequency, KpiInput, ThresholdMode, Unit,
};
use crate::kpi::service::{self, ActionInput};
use crate::kpi::store::{self, StoredPoint};
use analytics::calendar::format_ymd;
use db::Db;
use kernel::{AppResult, Ctx};

/// Days of history loaded.
pub const DAYS: i32 = 730;

struct Rng(u64);

impl Rng {
    /// Uniform in [-1, 1).
    fn noise(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// A period's target (and band top) from its position in the history.
type TargetFn = fn(i32) -> (f64, Option<f64>);

struct Spec {
    code: &'static str,
    name: &'static str,
    name_zh: &'static str,
    description: &'static str,
    unit: Unit,
    direction: Direction,
    aggregation: Aggregation,
    frequency: Frequency,
    /// `None`: a company KPI.
    department: Option<&'static str>,
    /// The owner: the head of this department.
    owner_of: &'static str,
    formula: Option<&'static str>,
    computed: Option<Computed>,
    mode: ThresholdMode,
    amber: f64,
    red: f64,
    /// Daily value (numerator for ratios) from the day's position `i` in the history (0 = the
    /// oldest day), its weekday (0 = Monday) and noise in [-1, 1).
    daily: Option<fn(i32, u32, f64) -> f64>,
    /// Daily denominator for ratio KPIs.
    denominator: Option<fn(i32) -> f64>,
    /// Target of a period from its position in the history (0 = the oldest period), and the
    /// band's top for band KPIs.
    target: Option<TargetFn>,
}

const SPECS: &[Spec] = &[
    Spec {
        code: "revenue",
        name: "Revenue",
        name_zh: "营业收入",
        description: "Invoiced revenue, net of returns.",
        unit: Unit::Currency,
        direction: Direction::Higher,
        aggregation: Aggregation::Sum,
        frequency: Frequency::Monthly,
        department: None,
        owner_of: "GO",
        formula: None,
        computed: None,
        mode: ThresholdMode::Percent,
        amber: 0.0,
        red: 10.0,
        daily: Some(|i, wd, n| {
            let base = 42_000.0 + 25.0 * i as f64;
            let week = if wd >= 5 { 0.6 } else { 1.1 };
            (base * week * (1.0 + 0.12 * n)).round()
        }),
        denominator: None,
        target: Some(|p| (1_250_000.0 + 20_000.0 * p as f64, None)),
    },
    Spec {
        code: "orders",
        name: "Orders",
        name_zh: "订单数",
        description: "Orders confirmed.",
        unit: Unit::Count,
        direction: Direction::Higher,
        aggregation: Aggregation::Sum,
        frequency: Frequency::Monthly,
        department: None,
        owner_of: "GO",
        formula: None,
        computed: None,
        mode: ThresholdMode::Percent,
        amber: 0.0,
        red: 10.0,
        daily: Some(|i, wd, n| {
            let base = 120.0 + 0.05 * i as f64;
            let week = if wd >= 5 { 0.55 } else { 1.12 };
            (base * week * (1.0 + 0.15 * n)).round()
        }),
        denominator: None,
        target: Some(|p| (3_500.0 + 40.0 * p as f64, None)),
    },
    Spec {
        code: "aov",
        name: "Average order value",
        name_zh: "客单价",
        description: "Revenue per order.",
        unit: Unit::Currency,
        direction: Direction::Higher,
        aggregation: Aggregation::Mean,
        frequency: Frequency::Monthly,
        department: None,
        owner_of: "GO",
        formula: Some("revenue / orders"),
        computed: None,
        mode: ThresholdMode::Percent,
        amber: 2.0,
        red: 8.0,
        daily: None,
        denominator: None,
        target: Some(|_| (350.0, None)),
    },
    Spec {
        code: "first_response_hours",
        name: "First response time",
        name_zh: "首次响应时长",
        description: "Hours from a customer's message to the first answer, averaged per week.",
        unit: Unit::Hours,
        direction: Direction::Lower,
        aggregation: Aggregation::Mean,
        frequency: Frequency::Weekly,
        department: Some("CS"),
        owner_of: "CS",
        formula: None,
        computed: None,
        mode: ThresholdMode::Percent,
        amber: 5.0,
        red: 15.0,
        // Drifts up over the last five weeks (a staffing gap): the demo's red KPI.
        daily: Some(|i, wd, n| {
            let drift = if i > DAYS - 36 { 1.1 } else { 0.0 };
            let week = if wd >= 5 { 0.4 } else { 0.0 };
            ((1.7 + drift + week + 0.25 * n) * 100.0).round() / 100.0
        }),
        denominator: None,
        target: Some(|_| (2.0, None)),
    },
    Spec {
        code: "csat",
        name: "Customer satisfaction (CSAT)",
        name_zh: "客户满意度",
        description: "Share of satisfied answers in post-contact surveys.",
        unit: Unit::Percent,
        direction: Direction::Higher,
        aggregation: Aggregation::Mean,
        frequency: Frequency::Monthly,
        department: Some("CS"),
        owner_of: "CS",
        formula: None,
        computed: None,
        mode: ThresholdMode::Absolute,
        amber: 1.0,
        red: 3.0,
        // A dip around a year ago, fixed by a coaching action (the finished action's before/after).
        daily: Some(|i, _, n| {
            let dip = if (300..400).contains(&i) { -4.0 } else { 0.0 };
            ((88.0 + dip + 2.0 * n) * 10.0).round() / 10.0
        }),
        denominator: None,
        target: Some(|_| (88.0, None)),
    },
    Spec {
        code: "on_time_delivery",
        name: "On-time delivery rate",
        name_zh: "准时交付率",
        description: "Deliveries on or before the promised date over all deliveries.",
        unit: Unit::Ratio,
        direction: Direction::Higher,
        aggregation: Aggregation::Ratio,
        frequency: Frequency::Monthly,
        department: Some("LOG"),
        owner_of: "LOG",
        formula: None,
        computed: None,
        mode: ThresholdMode::Absolute,
        amber: 0.01,
        red: 0.03,
        daily: Some(|i, _, n| (80.0 + 0.01 * i as f64) * (0.955 + 0.02 * n)),
        denominator: Some(|i| 80.0 + 0.01 * i as f64),
        target: Some(|_| (0.95, None)),
    },
    Spec {
        code: "inventory_days",
        name: "Days of inventory",
        name_zh: "库存周转天数",
        description: "Stock on hand in days of demand; both too little and too much cost money.",
        unit: Unit::Days,
        direction: Direction::Band,
        aggregation: Aggregation::Mean,
        frequency: Frequency::Monthly,
        department: Some("LOG"),
        owner_of: "LOG",
        formula: None,
        computed: None,
        mode: ThresholdMode::Percent,
        amber: 0.0,
        red: 10.0,
        daily: Some(|i, _, n| {
            let season = 6.0 * ((i as f64) / 365.0 * std::f64::consts::TAU).sin();
            ((28.0 + season + 1.5 * n) * 10.0).round() / 10.0
        }),
        denominator: None,
        target: Some(|_| (22.0, Some(34.0))),
    },
    Spec {
        code: "leads",
        name: "Marketing leads",
        name_zh: "市场线索数",
        description: "Qualified leads handed to sales.",
        unit: Unit::Count,
        direction: Direction::Higher,
        aggregation: Aggregation::Sum,
        frequency: Frequency::Weekly,
        department: Some("MKT"),
        owner_of: "MKT",
        formula: None,
        computed: None,
        mode: ThresholdMode::Percent,
        amber: 0.0,
        red: 15.0,
        daily: Some(|i, wd, n| {
            let spike = if i == 500 { 120.0 } else { 0.0 };
            let week = if wd >= 5 { 8.0 } else { 30.0 };
            (week + 0.01 * i as f64 + 6.0 * n + spike).round().max(0.0)
        }),
        denominator: None,
        target: Some(|p| (180.0 + 0.3 * p as f64, None)),
    },
    Spec {
        code: "tasks_completed",
        name: "Tasks completed",
        name_zh: "完成任务数",
        description: "Tasks marked done in opsdesk (computed).",
        unit: Unit::Count,
        direction: Direction::Higher,
        aggregation: Aggregation::Sum,
        frequency: Frequency::Monthly,
        department: None,
        owner_of: "OPS",
        formula: None,
        computed: Some(Computed::TasksCompleted),
        mode: ThresholdMode::Percent,
        amber: 0.0,
        red: 20.0,
        daily: None,
        denominator: None,
        target: None,
    },
    Spec {
        code: "on_time_completion",
        name: "On-time task completion",
        name_zh: "任务按期完成率",
        description: "Done tasks finished on or before their due date (computed).",
        unit: Unit::Ratio,
        direction: Direction::Higher,
        aggregation: Aggregation::Ratio,
        frequency: Frequency::Monthly,
        department: None,
        owner_of: "OPS",
        formula: None,
        computed: Some(Computed::OnTimeRate),
        mode: ThresholdMode::Absolute,
        amber: 0.05,
        red: 0.15,
        daily: None,
        denominator: None,
        target: Some(|_| (0.85, None)),
    },
    Spec {
        code: "ops_overdue_tasks",
        name: "Overdue tasks in Operations",
        name_zh: "运营部逾期任务数",
        description: "Open tasks past their due date in Operations and its departments (computed daily).",
        unit: Unit::Count,
        direction: Direction::Lower,
        aggregation: Aggregation::Last,
        frequency: Frequency::Weekly,
        department: Some("OPS"),
        owner_of: "OPS",
        formula: None,
        computed: Some(Computed::OverdueTasks),
        mode: ThresholdMode::Absolute,
        amber: 2.0,
        red: 5.0,
        daily: None,
        denominator: None,
        target: Some(|_| (10.0, None)),
    },
];

/// Loads the library. Run after the demo company exists and its accounts are linked, so the
/// red KPI's alert reaches the demo owner and manager.
pub async fn load_demo(db: &Db, now: i64) -> AppResult<usize> {
    let ctx = Ctx::system(now);
    let today = {
        let d = kernel::dates::format_date(kernel::dates::date_of(now, service::OFFSET_HOURS));
        analytics::calendar::parse_ymd(d.as_bytes()).unwrap_or(0)
    };
    let first = today - DAYS;
    let mut ids = Vec::new();
    for (n, spec) in SPECS.iter().enumerate() {
        let mut tx = db.write().await?;
        let owner = store::department_by_code(&mut tx, spec.owner_of)
            .await?
            .and_then(|(_, head)| head);
        let department_id = match spec.department {
            Some(code) => store::department_by_code(&mut tx, code)
                .await?
                .map(|(id, _)| id),
            None => None,
        };
        drop(tx);
        let input = KpiInput {
            code: spec.code.into(),
            name: spec.name.into(),
            name_zh: Some(spec.name_zh.into()),
            description: Some(spec.description.into()),
            unit: spec.unit,
            direction: spec.direction,
            aggregation: spec.aggregation,
            frequency: spec.frequency,
            scope: if spec.department.is_some() {
                "department"
            } else {
                "company"
            }
            .into(),
            department_id,
            person_id: None,
            owner_person_id: owner,
            formula: spec.formula.map(Into::into),
            computed: spec.computed,
            threshold_mode: spec.mode,
            amber_from: spec.amber,
            red_from: spec.red,
        };
        let k = service::create(db, &ctx, &input, None).await?;
        let mut tx = db.write().await?;
        if let Some(daily) = spec.daily {
            let mut rng = Rng(0x6b70_6900 + n as u64);
            let points: Vec<StoredPoint> = (0..DAYS)
                .map(|i| {
                    let day = first + i;
                    let wd = analytics::calendar::weekday_monday0(day);
                    StoredPoint {
                        day: format_ymd(day),
                        source: "demo".into(),
                        value: daily(i, wd, rng.noise()),
                        denominator: spec.denominator.map(|d| d(i)),
                    }
                })
                .collect();
            store::insert_points_bulk(&mut tx, k.id, &points, now).await?;
        }
        if let Some(target) = spec.target {
            let g = k.granularity();
            let from = g.period_of(first);
            // Targets through the end of the current year, so this year's grid is complete.
            let (year, _, _) = analytics::calendar::civil_from_days(today);
            let until = g.period_of(analytics::calendar::days_from_civil(year, 12, 31));
            for (pos, idx) in (from.index..=until.index).enumerate() {
                let p = analytics::Period {
                    granularity: g,
                    index: idx,
                };
                let (t, high) = target(pos as i32);
                let row = crate::kpi::model::Target {
                    period: p.label(),
                    target: t,
                    target_high: high,
                };
                store::upsert_target(&mut tx, k.id, &row, None, now).await?;
            }
        }
        tx.commit().await?;
        ids.push((spec.code, k));
    }
    // A finished action on CSAT a year ago: its before/after shows the coaching worked.
    if let Some((_, csat)) = ids.iter().find(|(c, _)| *c == "csat") {
        let a = service::open_action(
            db,
            &ctx,
            csat.id,
            &ActionInput {
                title: "Coaching for new support agents · 新客服辅导".into(),
                description: Some("CSAT fell below target after the peak season hires.".into()),
                assignee_id: csat.owner_person_id,
                due_date: Some(format_ymd(first + 330)),
            },
            None,
        )
        .await?;
        let mut tx = db.write().await?;
        let g = csat.granularity();
        store::backdate_action(
            &mut tx,
            a.id,
            &g.period_of(first + 320).label(),
            (first + 320) as i64 * 86_400_000,
        )
        .await?;
        if let Some(t) = a.task_id {
            store::finish_task_at(&mut tx, t, (first + 395) as i64 * 86_400_000).await?;
        }
        tx.commit().await?;
    }
    // Computed KPIs from the demo's tasks, and the alerts (the red first response time).
    service::refresh_all(db, now).await?;
    // The red KPI's open action, assigned to a support agent.
    if let Some((_, frt)) = ids.iter().find(|(c, _)| *c == "first_response_hours") {
        let mut tx = db.read().await?;
        let agent = match frt.department_id {
            Some(d) => store::first_member(&mut tx, d).await?,
            None => None,
        };
        drop(tx);
        service::open_action(
            db,
            &ctx,
            frt.id,
            &ActionInput {
                title: "Add a second shift for weekend chats · 增加周末客服班次".into(),
                description: Some(
                    "First response time has been above target for five weeks.".into(),
                ),
                assignee_id: agent,
                due_date: Some(format_ymd(today + 7)),
            },
            None,
        )
        .await?;
    }
    Ok(ids.len())
}
