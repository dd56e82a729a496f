//! Demo review cycles over Customer Service (with its sub-departments): last half-year's cycle,
//! finished and shared (most reviewees with 3–4 peer answers, the last one with only 2, so its
//! peer section says "too few responses"; its own score weights, every reviewee's potential,
//! two calibrated ratings with their reasons, outcomes and development items — one with a
//! skill, so it shows as a training need), and this half-year's cycle, running in the feedback
//! phase. Written through the services, as the people themselves would.
use super::model::{
    AnswerInput, CycleInput, CyclePatch, Direction, ParticipantSelector, Phase, PhaseDates,
    standard_template,
};
use super::outcomes::{OutcomeInput, Recommendation};
use super::service::{self, AnswersInput, DecisionInput, NominationInput, ReviewPatch};
use super::store;
use db::Db;
use kernel::{AppResult, Ctx, Role};
use team::skills::model::DevelopmentItemInput;

const TEXTS: [&str; 6] = [
    "响应客户很及时 Responds to customers quickly",
    "乐于分享经验 Shares what they learn",
    "会议准备充分 Comes to meetings prepared",
    "可以更主动沟通进展 Could report progress more proactively",
    "处理投诉很耐心 Patient with complaints",
    "文档可以写得更清楚 Documentation could be clearer",
];

/// A context acting as one person (a member with no account: the demo writes as them).
fn as_person(now: i64, person: i64) -> Ctx {
    let mut c = Ctx::system(now);
    c.actor.role = Role::Member;
    c.actor.person_id = Some(person);
    c.actor.username = "demo".into();
    c
}

async fn move_to(db: &Db, ctx: &Ctx, id: i64, phase: Phase) -> AppResult<()> {
    let c = service::get_cycle(db, ctx, id).await?;
    service::update_cycle(
        db,
        ctx,
        id,
        c.version,
        // The demo shows a reviewee with too few peers on purpose: HR starts feedback anyway.
        &CyclePatch {
            phase: Some(phase),
            override_peers_min: Some(true),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Answers every question of the form: ratings 2–5 varying with the seed, texts from `TEXTS`.
async fn answer(db: &Db, now: i64, reviewer: i64, request: i64, seed: i64) -> AppResult<()> {
    let ctx = as_person(now, reviewer);
    let f = service::get_request(db, &ctx, request).await?;
    let answers = f
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| AnswerInput {
            question_id: q.id,
            rating: q
                .kind
                .is_rated()
                .then_some(2 + (seed + i as i64 * 3).rem_euclid(4)),
            text: (!q.kind.is_rated())
                .then(|| TEXTS[(seed + i as i64).rem_euclid(6) as usize].to_string()),
        })
        .collect();
    service::submit(
        db,
        &ctx,
        request,
        f.request.version,
        &AnswersInput { answers },
    )
    .await?;
    Ok(())
}

/// The pending request of `reviewer` on `review` in `direction`.
async fn request_of(
    db: &Db,
    review: i64,
    reviewer: i64,
    direction: Direction,
) -> AppResult<Option<i64>> {
    let mut tx = db.read().await?;
    Ok(store::requests_of_review(&mut tx, review)
        .await?
        .into_iter()
        .find(|q| q.reviewer_id == reviewer && q.direction == direction)
        .map(|q| q.id))
}

#[allow(clippy::too_many_arguments)]
async fn run_cycle(
    db: &Db,
    now: i64,
    people: &[i64],
    name: &str,
    period: (&str, &str),
    phases: [&str; 6],
    finish: bool,
) -> AppResult<()> {
    let sys = Ctx::system(now);
    let input = CycleInput {
        name: name.into(),
        period_start: period.0.into(),
        period_end: period.1.into(),
        phases: PhaseDates {
            self_due: phases[0].into(),
            nomination_due: phases[1].into(),
            feedback_due: phases[2].into(),
            calibration_due: phases[3].into(),
            signoff_due: phases[4].into(),
            shared_on: phases[5].into(),
        },
        min_responses: None,
        peers_min: None,
        peers_max: None,
        scale_max: None,
        // The finished cycle weighs the manager's view more than the default does.
        weights: finish.then_some(super::scoring::Weights {
            goals: 25,
            kpi: 15,
            manager: 35,
            peer: 15,
            upward: 10,
        }),
        guideline: None,
        participants: ParticipantSelector {
            person_ids: people.to_vec(),
            ..Default::default()
        },
        questions: standard_template(),
    };
    let cycle = service::create_cycle(db, &sys, &input, None).await?;
    let reviews = service::list_reviews(db, &sys, cycle.id).await?;
    let people: Vec<i64> = reviews.iter().map(|r| r.person_id).collect();
    if people.len() < 2 {
        return Ok(());
    }
    for (i, r) in reviews.iter().enumerate() {
        if (finish || i % 2 == 0)
            && let Some(q) = request_of(db, r.id, r.person_id, Direction::SelfReview).await?
        {
            answer(db, now, r.person_id, q, i as i64).await?;
        }
    }
    move_to(db, &sys, cycle.id, Phase::Nomination).await?;
    let n = reviews.len();
    for (i, r) in reviews.iter().enumerate() {
        // The last reviewee nominates only two peers: their peer section stays below k.
        let want = if i + 1 == n { 2 } else { 4 };
        let peers: Vec<i64> = (1..n)
            .map(|d| people[(i + d) % n])
            .filter(|p| *p != r.person_id)
            .take(want)
            .collect();
        if peers.is_empty() {
            continue;
        }
        let d = service::nominate(
            db,
            &as_person(now, r.person_id),
            r.id,
            &NominationInput { person_ids: peers },
        )
        .await?;
        for nmn in d.nominations {
            service::decide(db, &sys, nmn.request_id, &DecisionInput { approve: true }).await?;
        }
    }
    move_to(db, &sys, cycle.id, Phase::Feedback).await?;
    for (i, r) in reviews.iter().enumerate() {
        let mut tx = db.read().await?;
        let requests = store::requests_of_review(&mut tx, r.id).await?;
        drop(tx);
        for (j, q) in requests.iter().enumerate() {
            let skip = !finish && (i + j) % 3 == 0;
            let open = q.status == super::model::RequestStatus::Pending;
            if open && q.direction != Direction::SelfReview && !skip {
                answer(db, now, q.reviewer_id, q.id, (i * 7 + j) as i64).await?;
            }
        }
    }
    if !finish {
        return Ok(());
    }
    move_to(db, &sys, cycle.id, Phase::Calibration).await?;
    for (i, r) in reviews.iter().enumerate() {
        let d = service::get_review(db, &sys, r.id).await?;
        let rating = 3 + (i as i64 % 3);
        service::update_review(
            db,
            &sys,
            r.id,
            d.review.version,
            &ReviewPatch {
                manager_rating: Some(rating.clamp(1, 5)),
                proposed_rating: Some(rating.clamp(1, 5)),
                manager_comment: Some("稳定可靠 Steady and reliable".into()),
                ..Default::default()
            },
        )
        .await?;
    }
    // Calibration: every reviewee gets a potential; the first two ratings are adjusted.
    for (i, r) in reviews.iter().enumerate() {
        let d = service::get_review(db, &sys, r.id).await?;
        let proposed = d.review.proposed_rating.unwrap_or(3);
        let adjust = i < 2;
        super::calibration::calibrate(
            db,
            &sys,
            r.id,
            d.review.version,
            &super::calibration::CalibrationInput {
                calibrated_rating: adjust.then_some(if i == 0 {
                    (proposed + 1).min(5)
                } else {
                    (proposed - 1).max(1)
                }),
                reason: adjust.then(|| {
                    if i == 0 {
                        "跨部门项目贡献突出 Led the cross-team project".to_string()
                    } else {
                        "与部门整体分布对齐 Aligned with the department's distribution".to_string()
                    }
                }),
                potential: Some(1 + (i as i64 % 3)),
            },
        )
        .await?;
    }
    move_to(db, &sys, cycle.id, Phase::Signoff).await?;
    let skill = team::skills::service::list_skills(db, &sys)
        .await?
        .into_iter()
        .next();
    for (i, r) in reviews.iter().enumerate() {
        let d = service::get_review(db, &sys, r.id).await?;
        let recommendation = [
            Recommendation::Promotion,
            Recommendation::None,
            Recommendation::Reward,
            Recommendation::RaiseBand,
        ][i % 4];
        let mut items = vec![DevelopmentItemInput {
            text: "主导一次客户复盘会 Run a customer retrospective".into(),
            skill_id: None,
            target_level: None,
        }];
        if i == 0
            && let Some(s) = &skill
        {
            items.push(DevelopmentItemInput {
                text: format!("提升 {} Grow {}", s.name, s.name),
                skill_id: Some(s.id),
                target_level: Some(4),
            });
        }
        super::outcomes::set(
            db,
            &sys,
            r.id,
            d.review.version,
            &OutcomeInput {
                recommendation,
                development_items: items,
            },
        )
        .await?;
    }
    move_to(db, &sys, cycle.id, Phase::Shared).await?;
    Ok(())
}

/// Loads the two demo cycles unless review cycles exist. Returns how many were made.
pub async fn load_demo(db: &Db, now_ms: i64) -> AppResult<usize> {
    let mut tx = db.read().await?;
    if store::count_cycles(&mut tx).await? > 0 {
        return Ok(0);
    }
    let Some((dept, _)) = crate::goals::store::department_by_code(&mut tx, "CS").await? else {
        return Ok(0);
    };
    // Eight people keep the demo quick; the participant selector by department is the same.
    let mut people: Vec<i64> = store::select_people(
        &mut tx,
        &ParticipantSelector {
            department_id: Some(dept),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|(p, _, _)| p)
    .collect();
    people.truncate(8);
    drop(tx);
    if people.len() < 3 {
        return Ok(0);
    }
    let y = crate::goals::service::today_of(now_ms).year();
    let (a, b) = (format!("{}-07-01", y - 1), format!("{}-12-31", y - 1));
    let p1 = [
        format!("{y}-01-08"),
        format!("{y}-01-12"),
        format!("{y}-01-22"),
        format!("{y}-01-29"),
        format!("{y}-02-03"),
        format!("{y}-02-06"),
    ];
    run_cycle(
        db,
        now_ms,
        &people,
        &format!("{} 下半年绩效考核 H2 review", y - 1),
        (&a, &b),
        [&p1[0], &p1[1], &p1[2], &p1[3], &p1[4], &p1[5]],
        true,
    )
    .await?;
    let (c, d) = (format!("{y}-01-01"), format!("{y}-06-30"));
    let p2 = [
        format!("{y}-07-08"),
        format!("{y}-07-12"),
        format!("{y}-07-22"),
        format!("{y}-07-29"),
        format!("{y}-08-03"),
        format!("{y}-08-06"),
    ];
    run_cycle(
        db,
        now_ms,
        &people,
        &format!("{y} 上半年绩效考核 H1 review"),
        (&c, &d),
        [&p2[0], &p2[1], &p2[2], &p2[3], &p2[4], &p2[5]],
        false,
    )
    .await?;
    Ok(2)
}
