//! Demo data for hiring, training, recognition and 1:1s, loaded into the demo company made by
//! `work::demo` (it reads departments by their demo codes). Everything goes through the
//! services (so it is validated and audited) except what only an interviewer or a past date
//! can do: scorecards and back-dated applications are written through the stores.
use crate::hiring::model::{
    CandidateInput, HeadcountDecision, HeadcountInput, HireInput, InterviewInput, MoveInput,
    OfferInput, OfferStatusInput, OpeningInput, Rating, Stage,
};
use crate::hiring::{service as hiring, store as hiring_store};
use crate::one_on_one::model::{FollowupInput, OneOnOneInput};
use crate::recognition::model::{KudosInput, ValueInput};
use crate::training::model::{
    CertificateInput, CourseInput, EnrolInput, EnrolmentPatch, ProgramInput, SessionInput, add_days,
};
use db::Db;
use kernel::{AppError, AppResult, Ctx};

const DAY: i64 = 86_400_000;

async fn dept(db: &Db, code: &str) -> AppResult<(i64, Option<i64>)> {
    let mut tx = db.read().await?;
    let r = tx
        .fetch_opt(
            "SELECT id, head_person_id FROM departments WHERE code = $1",
            &[code.into()],
        )
        .await?
        .ok_or_else(|| AppError::Conflict(format!("no demo department {code}")))?;
    Ok((r.i64("id")?, r.opt_i64("head_person_id")?))
}

/// Active people of a department (not its head), by id.
async fn staff(db: &Db, department_id: i64) -> AppResult<Vec<(i64, Option<i64>)>> {
    let mut tx = db.read().await?;
    tx.fetch_all(
        "SELECT p.id, p.manager_id FROM people p JOIN departments d ON d.id = p.department_id \
         WHERE p.department_id = $1 AND p.active = $2 AND p.id <> COALESCE(d.head_person_id, 0) ORDER BY p.id",
        &[department_id.into(), true.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.opt_i64("manager_id")?)))
    .collect()
}

fn as_person(now: i64, person_id: i64) -> Ctx {
    let mut c = Ctx::system(now);
    c.actor.person_id = Some(person_id);
    c
}

/// Loads the demo (once: it does nothing when company values exist already).
pub async fn load(db: &Db, now: i64) -> AppResult<()> {
    {
        let mut tx = db.read().await?;
        if tx
            .count("SELECT COUNT(*) AS n FROM company_values", &[])
            .await?
            > 0
        {
            return Ok(());
        }
    }
    let sys = Ctx::system(now);
    let (ops, ops_head) = dept(db, "OPS").await?;
    let (cs, _) = dept(db, "CS").await?;
    let ops_staff = staff(db, ops).await?;
    let cs_staff = staff(db, cs).await?;
    let manager =
        ops_head.ok_or_else(|| AppError::Conflict("the demo OPS department has no head".into()))?;
    let pick = |v: &Vec<(i64, Option<i64>)>, i: usize| {
        v.get(i % v.len().max(1)).map(|p| p.0).unwrap_or(manager)
    };

    // ---- recognition
    let mut values = Vec::new();
    for (name, d) in [
        (
            "客户第一 Customer first",
            "We start from what the customer needs.",
        ),
        ("团队合作 Teamwork", "We win together and help each other."),
        (
            "拥抱变化 Embrace change",
            "We improve how we work, every week.",
        ),
        ("诚信 Integrity", "We say what we do and do what we say."),
    ] {
        values.push(
            crate::recognition::service::create_value(
                db,
                &sys,
                &ValueInput {
                    name: name.into(),
                    description: Some(d.into()),
                    active: true,
                },
            )
            .await?
            .id,
        );
    }
    let kudos = [
        (
            pick(&cs_staff, 0),
            manager,
            0,
            "周五大促当天把工单清零，客户一片好评。Cleared the ticket queue on sale day.",
        ),
        (
            manager,
            pick(&cs_staff, 0),
            1,
            "Covered the night shift when two colleagues were ill.",
        ),
        (
            pick(&cs_staff, 1),
            pick(&cs_staff, 2),
            2,
            "新的交接模板让每次换班少了十分钟。",
        ),
        (
            pick(&ops_staff, 0),
            pick(&cs_staff, 1),
            3,
            "Flagged the wrong invoice before it went out.",
        ),
        (
            pick(&cs_staff, 2),
            pick(&ops_staff, 0),
            1,
            "帮忙培训了三位新同事。",
        ),
    ];
    for (from, to, v, msg) in kudos {
        if from != to {
            crate::recognition::service::give_kudos(
                db,
                &as_person(now, from),
                &KudosInput {
                    to_person_id: to,
                    value_id: values[v],
                    message: msg.into(),
                },
                None,
            )
            .await?;
        }
    }

    // ---- hiring: an approved request, an opening with candidates in every stage
    let hc = hiring::create_headcount(
        db,
        &sys,
        &HeadcountInput {
            department_id: cs,
            position: "客服专员 Customer service specialist".into(),
            headcount: 3,
            budget_minor: Some(3 * 12 * 900_000),
            currency: None,
            justification: "旺季工单量上涨 40%。Peak season volume is up 40%.".into(),
        },
        None,
    )
    .await?;
    let hc = hiring::decide_headcount(
        db,
        &sys,
        hc.id,
        hc.version,
        &HeadcountDecision {
            approve: true,
            note: Some("Approved for Q1".into()),
        },
    )
    .await?;
    hiring::create_headcount(
        db,
        &sys,
        &HeadcountInput {
            department_id: ops,
            position: "数据分析师 Data analyst".into(),
            headcount: 1,
            budget_minor: Some(12 * 1_500_000),
            currency: None,
            justification: "KPI reporting is done by hand today.".into(),
        },
        None,
    )
    .await?;
    let interviewer = pick(&ops_staff, 0);
    let opening = hiring::create_opening(
        db,
        &sys,
        &OpeningInput {
            title: "客服专员 Customer service specialist".into(),
            department_id: cs,
            headcount_request_id: Some(hc.id),
            hiring_manager_id: Some(manager),
            description: Some("Phone and chat support, 5 days a week.".into()),
            salary_min_minor: Some(700_000),
            salary_max_minor: Some(1_000_000),
            currency: None,
            team: vec![interviewer],
        },
        None,
    )
    .await?;
    hiring::create_opening(
        db,
        &sys,
        &OpeningInput {
            title: "数据分析师 Data analyst".into(),
            department_id: ops,
            hiring_manager_id: Some(manager),
            salary_min_minor: Some(1_200_000),
            salary_max_minor: Some(1_800_000),
            ..Default::default()
        },
        None,
    )
    .await?;
    let people = [
        ("王芳 Wang Fang", "referral", Stage::Hired),
        ("陈伟 Chen Wei", "job_board", Stage::Offer),
        ("刘洋 Liu Yang", "campus", Stage::Interview),
        ("赵敏 Zhao Min", "job_board", Stage::Interview),
        ("孙丽 Sun Li", "website", Stage::Screening),
        ("周杰 Zhou Jie", "agency", Stage::Screening),
        ("吴静 Wu Jing", "job_board", Stage::Applied),
        ("郑强 Zheng Qiang", "referral", Stage::Applied),
        ("黄磊 Huang Lei", "job_board", Stage::Rejected),
    ];
    for (i, (name, source, target)) in people.iter().enumerate() {
        let mut c = hiring::create_candidate(
            db,
            &sys,
            &CandidateInput {
                opening_id: opening.id,
                name: (*name).into(),
                email: Some(format!("candidate{i}@example.com")),
                phone: None,
                source: (*source).into(),
                notes: None,
            },
            None,
        )
        .await?;
        let rank = target.rank().unwrap_or(1);
        for stage in [Stage::Screening, Stage::Interview]
            .into_iter()
            .filter(|s| s.rank().unwrap_or(0) <= rank)
        {
            c = hiring::move_candidate(db, &sys, c.id, c.version, &MoveInput { stage }).await?;
            if stage == Stage::Interview {
                let iv = hiring::schedule_interview(
                    db,
                    &sys,
                    c.id,
                    &InterviewInput {
                        interviewer_id: interviewer,
                        scheduled_at: now - 3 * DAY,
                        kind: "现场面试 Onsite".into(),
                    },
                    None,
                )
                .await?;
                let mut tx = db.write().await?;
                let ratings = [
                    ("沟通 Communication", 4 + (i % 2) as i64),
                    ("耐心 Patience", 4),
                    ("系统操作 Tools", 3),
                ]
                .map(|(c, r)| Rating {
                    criterion: c.into(),
                    rating: r,
                });
                let rec = if i < 2 { "strong_yes" } else { "yes" };
                hiring_store::submit_scorecard(
                    &mut tx,
                    iv.id,
                    &ratings,
                    rec,
                    Some("Calm and clear on the phone."),
                    now - 3 * DAY,
                )
                .await?;
                tx.commit().await?;
                c = hiring::get_candidate(db, &sys, c.id).await?;
            }
        }
        if matches!(target, Stage::Offer | Stage::Hired) {
            let offer = hiring::create_offer(
                db,
                &sys,
                c.id,
                &OfferInput {
                    salary_minor: 850_000,
                    currency: None,
                    start_date: "2027-01-04".into(),
                },
                None,
            )
            .await?;
            if *target == Stage::Hired {
                hiring::set_offer_status(
                    db,
                    &sys,
                    offer.id,
                    offer.version,
                    &OfferStatusInput {
                        status: "accepted".into(),
                    },
                )
                .await?;
                hiring::hire(
                    db,
                    &sys,
                    c.id,
                    &HireInput {
                        employee_no: "E-HIRE-001".into(),
                        hire_date: None,
                    },
                )
                .await?;
            }
        }
        if *target == Stage::Rejected {
            // Rejected after screening (the loop above moved them there).
            c = hiring::move_candidate(
                db,
                &sys,
                c.id,
                c.version,
                &MoveInput {
                    stage: Stage::Rejected,
                },
            )
            .await?;
        }
        // Spread applications over the last weeks so time-to-hire means something.
        let mut tx = db.write().await?;
        let applied = now - (30 - 3 * i as i64) * DAY;
        hiring_store::backdate_candidate(&mut tx, c.id, applied, None).await?;
        tx.commit().await?;
    }

    // ---- training
    let today = kernel::dates::format_date(kernel::dates::date_of(now, 8));
    let day = |n: i64| add_days(&today, n).unwrap_or_else(|| today.clone());
    let communication = crate::skills::service::list_skills(db, &sys)
        .await?
        .into_iter()
        .find(|s| s.name == crate::skills_demo::SKILLS[0].1)
        .map(|s| s.id);
    let service_course = crate::training::service::create_course(
        db,
        &sys,
        &CourseInput {
            title: "客户沟通技巧 Customer communication".into(),
            description: None,
            provider: Some("Internal".into()),
            hours: Some(6.0),
            certificate_months: None,
            skill_id: communication,
        },
        None,
    )
    .await?;
    let safety = crate::training::service::create_course(
        db,
        &sys,
        &CourseInput {
            title: "消防安全 Fire safety".into(),
            description: Some("Yearly, required for every site.".into()),
            provider: Some("城市消防培训中心".into()),
            hours: Some(4.0),
            certificate_months: Some(12),
            skill_id: None,
        },
        None,
    )
    .await?;
    let tools = crate::training::service::create_course(
        db,
        &sys,
        &CourseInput {
            title: "工单系统进阶 Ticketing system, advanced".into(),
            description: None,
            provider: None,
            hours: Some(3.0),
            certificate_months: None,
            skill_id: None,
        },
        None,
    )
    .await?;
    crate::training::service::create_program(
        db,
        &sys,
        &ProgramInput {
            title: "新员工入职 Onboarding".into(),
            description: Some("The first month of a new colleague.".into()),
            course_ids: vec![safety.id, service_course.id, tools.id],
        },
    )
    .await?;
    let past = crate::training::service::create_session(
        db,
        &sys,
        &SessionInput {
            course_id: safety.id,
            starts_on: day(-20),
            ends_on: day(-20),
            trainer_id: Some(manager),
            location: Some("3F 会议室".into()),
            capacity: Some(30),
        },
        None,
    )
    .await?;
    let upcoming = crate::training::service::create_session(
        db,
        &sys,
        &SessionInput {
            course_id: service_course.id,
            starts_on: day(10),
            ends_on: day(11),
            trainer_id: Some(manager),
            location: Some("Training room B".into()),
            capacity: Some(20),
        },
        None,
    )
    .await?;
    // Named people, not the whole department: the large demo's department is larger than a
    // session's capacity.
    let mut done = Vec::new();
    for p in cs_staff.iter().take(12) {
        done.extend(
            crate::training::service::enrol(
                db,
                &sys,
                past.id,
                &EnrolInput {
                    person_id: Some(p.0),
                    department_id: None,
                },
            )
            .await?,
        );
    }
    for (i, e) in done.iter().enumerate() {
        let status = if i % 4 == 3 { "no_show" } else { "completed" };
        let score = (status == "completed").then_some(80.0 + (i % 5) as f64 * 4.0);
        crate::training::service::update_enrolment(
            db,
            &sys,
            e.id,
            e.version,
            &EnrolmentPatch {
                status: status.into(),
                score,
                completed_on: Some(day(-20)),
            },
        )
        .await?;
    }
    for p in cs_staff.iter().take(8) {
        crate::training::service::enrol(
            db,
            &sys,
            upcoming.id,
            &EnrolInput {
                person_id: Some(p.0),
                department_id: None,
            },
        )
        .await?;
    }
    if let Some(p) = cs_staff.first() {
        crate::training::service::create_certificate(
            db,
            &sys,
            &CertificateInput {
                person_id: p.0,
                course_id: None,
                name: "叉车操作证 Forklift licence".into(),
                issued_on: day(-350),
                expires_on: Some(day(15)),
            },
            None,
        )
        .await?;
    }

    // ---- 1:1s between the demo manager and their reports
    let reports: Vec<i64> = cs_staff
        .iter()
        .chain(ops_staff.iter())
        .filter(|p| p.1 == Some(manager))
        .map(|p| p.0)
        .take(2)
        .collect();
    let pairs: Vec<(i64, i64)> = if reports.is_empty() {
        cs_staff
            .iter()
            .filter_map(|p| p.1.map(|m| (m, p.0)))
            .take(2)
            .collect()
    } else {
        reports.into_iter().map(|r| (manager, r)).collect()
    };
    for (k, (m, r)) in pairs.into_iter().enumerate() {
        let ctx = as_person(now, m);
        let o = crate::one_on_one::service::create(db, &ctx, &OneOnOneInput {
            with_person_id: r, meeting_on: day(-7 * (k as i64 + 1)),
            talking_points: Some("1. 本周工单积压 Backlog this week\n2. 培训计划 Training plan\n3. 职业发展 Career goals".into()),
            notes: Some("Wants to lead the night shift from March; agreed to try it for one month.".into()),
        }, None).await?;
        crate::one_on_one::service::add_followup(
            db,
            &ctx,
            o.id,
            &FollowupInput {
                text: "约 HR 聊晋升路径 Talk to HR about the lead role".into(),
                owner_id: Some(r),
                due_on: Some(day(7)),
            },
        )
        .await?;
        crate::one_on_one::service::add_followup(
            db,
            &ctx,
            o.id,
            &FollowupInput {
                text: "Share the shift-lead checklist".into(),
                owner_id: Some(m),
                due_on: Some(day(3)),
            },
        )
        .await?;
    }
    Ok(())
}
