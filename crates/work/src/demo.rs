//! A deterministic demo company: a department tree with heads, people with Chinese and English
//! names, and tasks in every state. `Small` is the demo (`serve --demo`); `Large` is the benchmark
//! data set (2,000 people, 100,000 tasks). Rows go in through the stores in a few transactions.
use crate::model::{Priority, Status, TaskValues};
use crate::store::{self, BulkTask};
use db::Db;
use kernel::{AppError, AppResult, Ctx};
use team::model::{DepartmentValues, PersonValues};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSize {
    Small,
    Large,
}

impl DemoSize {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "small" => Some(Self::Small),
            "large" => Some(Self::Large),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub departments: usize,
    pub people: usize,
    pub tasks: usize,
}

/// People the server's demo mode links to its demo accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccounts {
    /// Head of the General Office.
    pub admin_person: i64,
    /// Head of Operations (scope: Operations and its sub-departments).
    pub manager_person: i64,
    /// A customer service agent.
    pub member_person: i64,
    /// A finance clerk.
    pub viewer_person: i64,
}

/// The seed every demo uses: the same input makes the same company.
pub const SEED: u64 = 0x0b5d_e5c0_2026;

/// SplitMix64: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

/// (code, name, parent code, head position, member positions)
type DeptSpec = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
);

const DEPARTMENTS: &[DeptSpec] = &[
    (
        "GO",
        "总经办 General Office",
        None,
        "总经理 General Manager",
        &[
            "行政助理 Executive Assistant",
            "运营分析师 Operations Analyst",
        ],
    ),
    (
        "OPS",
        "运营部 Operations",
        Some("GO"),
        "运营总监 Operations Director",
        &["运营专员 Operations Specialist", "项目经理 Project Manager"],
    ),
    (
        "CS",
        "客服部 Customer Service",
        Some("OPS"),
        "客服经理 Customer Service Manager",
        &[
            "客服专员 Support Agent",
            "客服组长 Team Lead",
            "质检专员 QA Specialist",
        ],
    ),
    (
        "LOG",
        "物流部 Logistics",
        Some("OPS"),
        "物流经理 Logistics Manager",
        &[
            "调度员 Dispatcher",
            "仓储主管 Warehouse Supervisor",
            "物流专员 Logistics Coordinator",
        ],
    ),
    (
        "PUR",
        "采购部 Procurement",
        Some("OPS"),
        "采购经理 Procurement Manager",
        &["采购专员 Buyer", "供应商管理 Supplier Manager"],
    ),
    (
        "MKT",
        "市场部 Marketing",
        Some("GO"),
        "市场总监 Marketing Director",
        &[
            "市场专员 Marketing Specialist",
            "新媒体运营 Social Media Specialist",
            "设计师 Designer",
        ],
    ),
    (
        "FIN",
        "财务部 Finance",
        Some("GO"),
        "财务经理 Finance Manager",
        &[
            "会计 Accountant",
            "出纳 Cashier",
            "财务分析师 Financial Analyst",
        ],
    ),
    (
        "HR",
        "人力资源部 HR",
        Some("GO"),
        "人力资源经理 HR Manager",
        &["招聘专员 Recruiter", "薪酬专员 Payroll Specialist"],
    ),
    (
        "IT",
        "技术支持 IT Support",
        Some("GO"),
        "IT 经理 IT Manager",
        &["运维工程师 Systems Engineer", "桌面支持 Desktop Support"],
    ),
];

/// How many people each department has in the small demo (heads included): 40 in all.
const SMALL_HEADCOUNT: [usize; 9] = [3, 5, 8, 6, 3, 5, 4, 3, 3];

const SURNAMES: &[(&str, &str)] = &[
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Zhao", "赵"),
    ("Huang", "黄"),
    ("Zhou", "周"),
    ("Wu", "吴"),
    ("Xu", "徐"),
    ("Sun", "孙"),
    ("Hu", "胡"),
    ("Zhu", "朱"),
    ("Gao", "高"),
    ("Lin", "林"),
    ("He", "何"),
    ("Guo", "郭"),
    ("Ma", "马"),
    ("Luo", "罗"),
    ("Liang", "梁"),
    ("Song", "宋"),
    ("Zheng", "郑"),
    ("Xie", "谢"),
    ("Han", "韩"),
    ("Tang", "唐"),
    ("Feng", "冯"),
    ("Deng", "邓"),
    ("Cao", "曹"),
    ("Peng", "彭"),
    ("Zeng", "曾"),
    ("Xiao", "肖"),
    ("Tian", "田"),
    ("Dong", "董"),
    ("Pan", "潘"),
];

const GIVEN: &[(&str, &str)] = &[
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Na", "娜"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Li", "丽"),
    ("Qiang", "强"),
    ("Lei", "磊"),
    ("Jun", "军"),
    ("Yang", "洋"),
    ("Yong", "勇"),
    ("Yan", "艳"),
    ("Jie", "杰"),
    ("Juan", "娟"),
    ("Tao", "涛"),
    ("Ming", "明"),
    ("Chao", "超"),
    ("Xiuying", "秀英"),
    ("Xia", "霞"),
    ("Ping", "平"),
    ("Gang", "刚"),
    ("Guiying", "桂英"),
    ("Hui", "慧"),
    ("Jian", "健"),
    ("Yu", "宇"),
    ("Hao", "浩"),
    ("Xin", "欣"),
    ("Yiming", "一鸣"),
    ("Zihan", "子涵"),
    ("Haoran", "浩然"),
    ("Yuxuan", "雨轩"),
    ("Sicong", "思聪"),
    ("Xiaoling", "晓玲"),
    ("Jiahui", "佳慧"),
    ("Zhiqiang", "志强"),
    ("Wenjing", "文静"),
    ("Kai", "凯"),
    ("Lan", "兰"),
    ("Bo", "波"),
    ("Rui", "睿"),
    ("Ning", "宁"),
    ("Dan", "丹"),
    ("Chen", "晨"),
    ("Shu", "舒"),
];

const ENGLISH: &[(&str, &str)] = &[
    ("David", "Miller"),
    ("Sarah", "Johnson"),
    ("Michael", "Brown"),
    ("Emma", "Wilson"),
    ("James", "Taylor"),
    ("Olivia", "Anderson"),
    ("Daniel", "Thomas"),
    ("Sophie", "Martin"),
    ("Lucas", "Schmidt"),
    ("Anna", "Kowalski"),
    ("Ryan", "O'Connor"),
    ("Mei", "Tanaka"),
];

const TITLES_ZH: &[&str] = &[
    "整理上月客户投诉并分类",
    "更新客服话术库",
    "双十一备货计划评审",
    "核对供应商对账单",
    "优化仓库拣货路线",
    "准备季度经营分析报告",
    "新员工入职培训安排",
    "修复办公网络间歇断线",
    "采购笔记本电脑 20 台",
    "制定春节排班表",
    "跟进华东区延迟发货订单",
    "客服质检抽查 100 通录音",
    "更新员工手册",
    "年度预算编制",
    "处理退货积压",
    "组织部门季度复盘会",
    "新媒体内容排期",
    "评估第三方物流报价",
    "核销员工差旅报销",
    "升级打印机驱动",
    "整理合同归档",
    "梳理退款审批流程",
    "招聘客服专员 3 名",
    "盘点仓库库存",
    "供应商资质年审",
    "发布 618 促销活动方案",
    "修订绩效考核指标",
    "迁移邮件系统",
    "统计客户满意度调查结果",
    "跟进应收账款回款",
    "优化工单分派规则",
    "安排消防演练",
    "编写设备巡检记录",
    "准备审计资料",
    "更新门店价格标签",
];

const TITLES_EN: &[&str] = &[
    "Review SLA breaches for key accounts",
    "Prepare monthly operations dashboard",
    "Renew software licenses",
    "Onboard new logistics partner",
    "Audit access rights for finance systems",
    "Draft Q3 marketing plan",
    "Reconcile bank statements",
    "Set up VPN for remote staff",
    "Interview candidates for dispatcher role",
    "Update return policy page",
    "Plan warehouse shelf relabelling",
    "Benchmark courier delivery times",
    "Clean up duplicate customer records",
    "Negotiate packaging supplier contract",
    "Backup file server",
    "Translate FAQ into English",
    "Collect feedback on new ticket form",
    "Close out expired purchase orders",
    "Prepare board meeting slides",
    "Replace faulty barcode scanners",
];

const DESCRIPTIONS: &[&str] = &[
    "请在截止日期前完成，并在周会上同步进展。",
    "涉及多个部门，需要先确认负责人和时间表。",
    "参考上季度的做法，注意数据口径一致。",
    "Coordinate with the team lead before starting; attach the results to this task.",
    "Blocked items should be escalated to the department head.",
    "Keep the customer informed at each step.",
];

const ESTIMATES: &[f64] = &[0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 40.0];

fn status_of(r: &mut Rng) -> Status {
    match r.below(100) {
        0..=29 => Status::Todo,
        30..=54 => Status::Doing,
        55..=62 => Status::Blocked,
        63..=92 => Status::Done,
        _ => Status::Cancelled,
    }
}

fn priority_of(r: &mut Rng) -> Priority {
    match r.below(100) {
        0..=19 => Priority::Low,
        20..=64 => Priority::Medium,
        65..=89 => Priority::High,
        _ => Priority::Urgent,
    }
}

fn date_plus(now_ms: i64, days: i64) -> String {
    kernel::dates::format_date(kernel::dates::date_of(now_ms + days * 86_400_000, 8))
}

struct DemoPerson {
    values: PersonValues,
    dept: usize,
    head: bool,
}

fn make_people(r: &mut Rng, now_ms: i64, size: DemoSize, base: &[usize]) -> Vec<DemoPerson> {
    let dept_count = base.len();
    let total = match size {
        DemoSize::Small => 40,
        DemoSize::Large => 2000,
    };
    // Department of each person: heads first (one per department), then the rest.
    let mut depts: Vec<usize> = (0..dept_count).collect();
    match size {
        DemoSize::Small => {
            for (d, n) in SMALL_HEADCOUNT.iter().enumerate() {
                depts.extend(std::iter::repeat_n(d, n - 1));
            }
        }
        DemoSize::Large => {
            while depts.len() < total {
                depts.push(r.below(dept_count));
            }
        }
    }
    let mut emails = std::collections::HashSet::new();
    depts
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let head = i < dept_count;
            let english = i % 9 == 7;
            let (name, name_zh, local) = if english {
                let (f, l) = r.pick(ENGLISH);
                (
                    format!("{f} {l}"),
                    None,
                    format!(
                        "{}.{}",
                        f.to_lowercase(),
                        l.to_lowercase().replace('\'', "")
                    ),
                )
            } else {
                let (sp, sz) = r.pick(SURNAMES);
                let (gp, gz) = r.pick(GIVEN);
                (
                    format!("{sp} {gp}"),
                    Some(format!("{sz}{gz}")),
                    format!("{}.{}", gp.to_lowercase(), sp.to_lowercase()),
                )
            };
            let mut email = format!("{local}@demo-corp.cn");
            let mut n = 2;
            while !emails.insert(email.clone()) {
                email = format!("{local}{n}@demo-corp.cn");
                n += 1;
            }
            let di = base[d];
            let position = if head {
                DEPARTMENTS[di].3
            } else {
                *r.pick(DEPARTMENTS[di].4)
            };
            let prefix = *r.pick(&["138", "139", "150", "186", "177", "135"]);
            DemoPerson {
                values: PersonValues {
                    employee_no: format!("E{:05}", i + 1),
                    name,
                    name_zh,
                    department_id: None,
                    position: Some(position.to_string()),
                    manager_id: None,
                    email: Some(email),
                    phone: Some(format!("{prefix}{:08}", r.next() % 100_000_000)),
                    hire_date: Some(date_plus(now_ms, -r.range(30, 3650))),
                    active: i < dept_count || !r.chance(3),
                    user_id: None,
                    // Derived from the index, not the generator, so the rest of the demo
                    // company stays exactly as it was.
                    employment_type: Some(
                        match i % 23 {
                            5 => "part_time",
                            11 => "contractor",
                            17 => "intern",
                            _ => "full_time",
                        }
                        .to_string(),
                    ),
                    location: Some(
                        [
                            "上海 Shanghai",
                            "北京 Beijing",
                            "深圳 Shenzhen",
                            "成都 Chengdu",
                        ][i % 4]
                            .to_string(),
                    ),
                    languages: if english || i % 3 == 0 {
                        vec!["中文".to_string(), "English".to_string()]
                    } else {
                        vec!["中文".to_string()]
                    },
                    weekly_hours: if i % 23 == 5 { 24.0 } else { 40.0 },
                },
                dept: d,
                head,
            }
        })
        .collect()
}

/// Loads the demo company into an empty organisation (no departments yet).
pub async fn load_demo(db: &Db, now_ms: i64, size: DemoSize) -> AppResult<DemoSummary> {
    let mut r = Rng(SEED ^ if size == DemoSize::Large { 1 } else { 0 });
    let ctx = Ctx::system(now_ms);
    let mut tx = db.write().await?;
    if tx
        .count("SELECT COUNT(*) AS n FROM departments", &[])
        .await?
        > 0
    {
        return Err(AppError::Conflict(
            "the database already has departments; demo data loads only into an empty organisation"
                .into(),
        ));
    }

    // Departments: the tree, and for the large set three teams under each non-root department.
    let mut dept_ids: Vec<i64> = Vec::new();
    let mut dept_parent: Vec<Option<usize>> = Vec::new();
    for (code, name, parent, _, _) in DEPARTMENTS {
        let p = parent.and_then(|pc| DEPARTMENTS.iter().position(|d| d.0 == pc));
        let v = DepartmentValues {
            name: name.to_string(),
            code: Some(code.to_string()),
            parent_id: p.map(|i| dept_ids[i]),
            head_person_id: None,
            description: None,
        };
        dept_ids.push(team::store::insert_department(&mut tx, &v, now_ms).await?);
        dept_parent.push(p);
    }
    if size == DemoSize::Large {
        for (i, (code, name, _, _, _)) in DEPARTMENTS.iter().enumerate().skip(1) {
            for t in 1..=3 {
                let zh = ["一组", "二组", "三组"][t - 1];
                let base = name.split(' ').next().unwrap_or(name);
                let v = DepartmentValues {
                    name: format!("{base}{zh} Team {t}"),
                    code: Some(format!("{code}-{t}")),
                    parent_id: Some(dept_ids[i]),
                    head_person_id: None,
                    description: None,
                };
                dept_ids.push(team::store::insert_department(&mut tx, &v, now_ms).await?);
                dept_parent.push(Some(i));
            }
        }
    }

    // People: heads first; members report to their department's head, heads to the parent's.
    // Which of DEPARTMENTS each department is (teams take their parent's positions).
    let base: Vec<usize> = (0..dept_ids.len())
        .map(|d| {
            if d < DEPARTMENTS.len() {
                d
            } else {
                dept_parent[d].unwrap_or(0)
            }
        })
        .collect();
    let mut people = make_people(&mut r, now_ms, size, &base);
    for p in &mut people {
        p.values.department_id = Some(dept_ids[p.dept]);
    }
    let heads: Vec<PersonValues> = people
        .iter()
        .filter(|p| p.head)
        .map(|p| p.values.clone())
        .collect();
    let head_ids = team::store::insert_people_bulk(&mut tx, &heads, now_ms).await?;
    for (d, &h) in head_ids.iter().enumerate() {
        team::store::set_head(&mut tx, dept_ids[d], Some(h), now_ms).await?;
        if let Some(p) = dept_parent[d] {
            team::store::set_manager(&mut tx, h, Some(head_ids[p])).await?;
        }
    }
    let members: Vec<PersonValues> = people
        .iter()
        .filter(|p| !p.head)
        .map(|p| PersonValues {
            manager_id: Some(head_ids[p.dept]),
            ..p.values.clone()
        })
        .collect();
    let member_ids = team::store::insert_people_bulk(&mut tx, &members, now_ms).await?;
    // Every person id with its department index (for assignees).
    let mut by_dept: Vec<Vec<i64>> = vec![Vec::new(); dept_ids.len()];
    for (d, &h) in head_ids.iter().enumerate() {
        by_dept[d].push(h);
    }
    for (p, &id) in people.iter().filter(|p| !p.head).zip(&member_ids) {
        if p.values.active {
            by_dept[p.dept].push(id);
        }
    }

    // Tasks.
    let n_tasks = match size {
        DemoSize::Small => 150,
        DemoSize::Large => 100_000,
    };
    let day = 86_400_000i64;
    let mut rows = Vec::with_capacity(n_tasks);
    for i in 0..n_tasks {
        let d = if i < dept_ids.len() {
            i
        } else {
            r.below(dept_ids.len())
        };
        let status = if i < Status::ALL.len() {
            Status::ALL[i]
        } else {
            status_of(&mut r)
        };
        let title = if r.chance(65) {
            r.pick(TITLES_ZH).to_string()
        } else {
            r.pick(TITLES_EN).to_string()
        };
        let created_at = now_ms - r.range(1, 120) * day - r.range(0, day - 1);
        let updated_at = (created_at + r.range(0, 20) * day).min(now_ms);
        let due_date = r.chance(85).then(|| date_plus(now_ms, r.range(-30, 45)));
        let values = TaskValues {
            title,
            description: r.chance(60).then(|| r.pick(DESCRIPTIONS).to_string()),
            assignee_id: (!r.chance(10)).then(|| *r.pick(&by_dept[d])),
            department_id: Some(dept_ids[d]),
            status,
            priority: priority_of(&mut r),
            due_date,
            estimate_hours: r.chance(70).then(|| *r.pick(ESTIMATES)),
            completed_at: (status == Status::Done).then_some(updated_at),
        };
        rows.push(BulkTask {
            values,
            created_by: None,
            created_at,
            updated_at,
        });
    }
    if size == DemoSize::Small {
        // Few enough to give each its creation in the history.
        for t in &rows {
            let id = store::insert(&mut tx, &t.values, None, t.created_at).await?;
            let tc = Ctx {
                now_ms: t.created_at,
                ..ctx.clone()
            };
            let after = serde_json::json!({ "title": t.values.title, "status": t.values.status, "priority": t.values.priority });
            db::audit::log_change(
                &mut tx,
                &tc,
                "task.create",
                "task",
                Some(id),
                None,
                Some(after),
            )
            .await?;
        }
    } else {
        store::insert_bulk(&mut tx, &rows).await?;
    }
    let summary = DemoSummary {
        departments: dept_ids.len(),
        people: people.len(),
        tasks: rows.len(),
    };
    db::audit::log_change(
        &mut tx,
        &ctx,
        "demo.load",
        "organisation",
        None,
        None,
        Some(serde_json::json!({
            "departments": summary.departments, "people": summary.people, "tasks": summary.tasks,
        })),
    )
    .await?;
    tx.commit().await?;
    crate::assign::demo::load(db, now_ms).await?;
    // Fresh statistics so the query planner picks the indexes on the new data.
    db.raw("ANALYZE").await?;
    Ok(summary)
}

/// The demo people the server links to its admin, manager, member and viewer accounts.
pub async fn demo_people_for_accounts(db: &Db) -> AppResult<DemoAccounts> {
    let mut tx = db.read().await?;
    let head = "SELECT head_person_id AS id FROM departments WHERE code = $1";
    let member = "SELECT p.id AS id FROM people p JOIN departments d ON d.id = p.department_id \
         WHERE d.code = $1 AND p.id <> COALESCE(d.head_person_id, 0) AND p.active = $2 ORDER BY p.id LIMIT 1";
    let mut one = async |sql: &str, code: &str| -> AppResult<i64> {
        let args = if sql == head {
            vec![code.into()]
        } else {
            vec![code.into(), true.into()]
        };
        let r = tx.fetch_opt(sql, &args).await?;
        r.and_then(|r| r.opt_i64("id").ok().flatten())
            .ok_or_else(|| {
                AppError::Conflict(format!(
                    "no demo person for the {code} account; load the demo first"
                ))
            })
    };
    Ok(DemoAccounts {
        admin_person: one(head, "GO").await?,
        manager_person: one(head, "OPS").await?,
        member_person: one(member, "CS").await?,
        viewer_person: one(member, "FIN").await?,
    })
}
