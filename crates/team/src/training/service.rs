//! Training use cases. The catalogue (courses, programs, sessions) is readable by everyone and
//! managed by admins and managers; a person's records are read by the person, managers in
//! scope and admins, and changed by managers in scope and admins (members enrol themselves).
use super::model::{
    Certificate, CertificateInput, Course, CourseInput, CoursePatch, ENROLMENT_STATUSES,
    EnrolInput, Enrolment, EnrolmentPatch, Program, ProgramInput, ProgramPatch, Session,
    SessionInput, SessionPatch, SkillGapPreview, TrainingRecord, add_months,
};
use super::store;
use db::idempotency::{self, Idem};
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{Actor, AppError, AppResult, Ctx, Role};

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn after_id(cursor: Option<&str>) -> AppResult<Option<i64>> {
    match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Ok(Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        )),
        None => Ok(None),
    }
}

fn page<T>(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Page<T> {
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|x| encode_cursor("", id(x)))
    } else {
        None
    };
    Page { items, next_cursor }
}

fn manage_catalogue(a: &Actor) -> AppResult<()> {
    if a.can_manage_training() {
        Ok(())
    } else {
        Err(AppError::Forbidden("manage the training catalogue"))
    }
}

// ---------------------------------------------------------------- catalogue

pub async fn list_courses(db: &Db, _ctx: &Ctx) -> AppResult<Vec<Course>> {
    let mut tx = db.read().await?;
    Ok(store::list_courses(&mut tx).await?)
}

pub async fn get_course(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Course> {
    let mut tx = db.read().await?;
    store::get_course(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn skill_exists(tx: &mut Tx, c: &mut Checks, skill_id: Option<i64>) -> AppResult<()> {
    if let Some(s) = skill_id
        && crate::skills::store::get_skill(tx, s).await?.is_none()
    {
        c.push("skill_id", "not_found", "no such skill");
    }
    Ok(())
}

/// Changes a course (admins and managers, like creating one); `version` from `If-Match`.
pub async fn update_course(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &CoursePatch,
) -> AppResult<Course> {
    manage_catalogue(&ctx.actor)?;
    let mut tx = db.write().await?;
    let before = store::get_course(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = CourseInput::from_course(&before).apply(p);
    let mut c = Checks::new();
    let (title, desc, provider) = v.validate(&mut c);
    skill_exists(&mut tx, &mut c, v.skill_id).await?;
    c.finish()?;
    if store::update_course(
        &mut tx,
        id,
        version,
        &title,
        desc.as_deref(),
        provider.as_deref(),
        v.hours,
        v.certificate_months,
        v.skill_id,
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_course(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "course.update",
        "course",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn create_course(
    db: &Db,
    ctx: &Ctx,
    i: &CourseInput,
    idem: Option<&Idem>,
) -> AppResult<Course> {
    manage_catalogue(&ctx.actor)?;
    let mut c = Checks::new();
    let (title, desc, provider) = i.validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_course(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    skill_exists(&mut tx, &mut c, i.skill_id).await?;
    c.finish()?;
    let id = store::insert_course(
        &mut tx,
        &title,
        desc.as_deref(),
        provider.as_deref(),
        i.hours,
        i.certificate_months,
        i.skill_id,
        ctx.now_ms,
    )
    .await?;
    let course = store::get_course(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "course.create",
        "course",
        Some(id),
        None,
        json(&course),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/courses/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(course)
}

pub async fn list_programs(db: &Db, _ctx: &Ctx) -> AppResult<Vec<Program>> {
    let mut tx = db.read().await?;
    let mut out = Vec::new();
    for id in store::program_ids(&mut tx).await? {
        out.extend(store::get_program(&mut tx, id).await?);
    }
    Ok(out)
}

pub async fn get_program(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Program> {
    let mut tx = db.read().await?;
    store::get_program(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn courses_exist(tx: &mut Tx, c: &mut Checks, ids: &[i64]) -> AppResult<()> {
    for id in ids {
        if store::get_course(tx, *id).await?.is_none() {
            c.push("course_ids", "not_found", format!("no such course: {id}"));
        }
    }
    Ok(())
}

pub async fn create_program(db: &Db, ctx: &Ctx, i: &ProgramInput) -> AppResult<Program> {
    manage_catalogue(&ctx.actor)?;
    let mut c = Checks::new();
    let (title, desc) = i.validate(&mut c);
    let mut tx = db.write().await?;
    courses_exist(&mut tx, &mut c, &i.course_ids).await?;
    c.finish()?;
    let id =
        store::insert_program(&mut tx, &title, desc.as_deref(), &i.course_ids, ctx.now_ms).await?;
    let p = store::get_program(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "program.create",
        "training_program",
        Some(id),
        None,
        json(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// Changes a program (name, description, its courses in order): admins and managers, like
/// creating one; `version` from `If-Match`.
pub async fn update_program(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &ProgramPatch,
) -> AppResult<Program> {
    manage_catalogue(&ctx.actor)?;
    let mut tx = db.write().await?;
    let before = store::get_program(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = ProgramInput::from_program(&before).apply(p);
    let mut c = Checks::new();
    let (title, desc) = v.validate(&mut c);
    courses_exist(&mut tx, &mut c, &v.course_ids).await?;
    c.finish()?;
    if store::update_program(
        &mut tx,
        id,
        version,
        &title,
        desc.as_deref(),
        &v.course_ids,
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_program(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "program.update",
        "training_program",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn list_sessions(
    db: &Db,
    _ctx: &Ctx,
    course_id: Option<i64>,
    from: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Session>> {
    let limit = clamp_limit(limit);
    let after = after_id(cursor)?;
    let mut tx = db.read().await?;
    let rows = store::list_sessions(&mut tx, course_id, from, after, limit + 1).await?;
    Ok(page(rows, limit, |s| s.id))
}

pub async fn get_session(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Session> {
    let mut tx = db.read().await?;
    store::get_session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create_session(
    db: &Db,
    ctx: &Ctx,
    i: &SessionInput,
    idem: Option<&Idem>,
) -> AppResult<Session> {
    manage_catalogue(&ctx.actor)?;
    let mut c = Checks::new();
    let (starts, ends, location) = i.validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_session(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    if store::get_course(&mut tx, i.course_id).await?.is_none() {
        c.push("course_id", "not_found", "no such course");
    }
    if let Some(t) = i.trainer_id
        && !crate::store::person_exists(&mut tx, t).await?
    {
        c.push("trainer_id", "not_found", "no such person");
    }
    c.finish()?;
    let id = store::insert_session(
        &mut tx,
        i.course_id,
        &starts,
        &ends,
        i.trainer_id,
        location.as_deref(),
        i.capacity,
        ctx.now_ms,
    )
    .await?;
    let s = store::get_session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "session.create",
        "training_session",
        Some(id),
        None,
        json(&s),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/training-sessions/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Changes a session's dates, trainer, place or capacity (admins and managers); a capacity
/// below the current enrolments is refused. `version` from `If-Match`.
pub async fn update_session(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &SessionPatch,
) -> AppResult<Session> {
    manage_catalogue(&ctx.actor)?;
    let mut tx = db.write().await?;
    let before = store::get_session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = SessionInput::from_session(&before).apply(p);
    let mut c = Checks::new();
    let (starts, ends, location) = v.validate(&mut c);
    if let Some(t) = v.trainer_id
        && !crate::store::person_exists(&mut tx, t).await?
    {
        c.push("trainer_id", "not_found", "no such person");
    }
    if v.capacity.is_some_and(|cap| cap < before.enrolled) {
        c.push(
            "capacity",
            "out_of_range",
            format!("{} people are enrolled already", before.enrolled),
        );
    }
    c.finish()?;
    if store::update_session(
        &mut tx,
        id,
        version,
        &starts,
        &ends,
        v.trainer_id,
        location.as_deref(),
        v.capacity,
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "session.update",
        "training_session",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- enrolment

/// Enrols the given people (already allowed) in the session, skipping those already enrolled
/// and re-activating a cancelled enrolment (the unique (session, person) row is reused, so a
/// cancellation never blocks enrolling again); refuses when the session's capacity would be
/// exceeded (all-or-nothing).
async fn enrol_people(
    tx: &mut Tx,
    ctx: &Ctx,
    session: &Session,
    people: &[i64],
    source: &str,
) -> AppResult<Vec<Enrolment>> {
    let mut created = Vec::new();
    let mut reactivated = Vec::new();
    for p in people {
        if let Some(id) = store::insert_enrolment(tx, session.id, *p, source, ctx.now_ms).await? {
            created.push(id);
        } else if let Some(before) = store::enrolment_of(tx, session.id, *p).await?
            && before.status == "cancelled"
            && store::reactivate_enrolment(tx, before.id, source, ctx.now_ms).await? > 0
        {
            reactivated.push(before);
        }
    }
    if let Some(cap) = session.capacity {
        let now = store::get_session(tx, session.id)
            .await?
            .map_or(0, |s| s.enrolled);
        if now > cap {
            return Err(AppError::Conflict(format!(
                "capacity: the session has {cap} places and this would make {now} enrolments"
            )));
        }
    }
    let mut out = Vec::new();
    for id in created {
        let e = store::get_enrolment(tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        db::audit::log_change(
            tx,
            ctx,
            "enrolment.create",
            "enrolment",
            Some(id),
            None,
            json(&e),
        )
        .await?;
        out.push(e);
    }
    for before in reactivated {
        let e = store::get_enrolment(tx, before.id)
            .await?
            .ok_or(AppError::NotFound)?;
        db::audit::log_change(
            tx,
            ctx,
            "enrolment.reactivate",
            "enrolment",
            Some(e.id),
            json(&before),
            json(&e),
        )
        .await?;
        out.push(e);
    }
    Ok(out)
}

/// Enrols one person or a whole department (with its sub-departments) in a session. Returns
/// the new and re-activated enrolments (people already enrolled are skipped).
pub async fn enrol(
    db: &Db,
    ctx: &Ctx,
    session_id: i64,
    i: &EnrolInput,
) -> AppResult<Vec<Enrolment>> {
    let mut tx = db.write().await?;
    let session = store::get_session(&mut tx, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (people, source) = match (i.person_id, i.department_id) {
        (Some(p), None) => {
            let person = crate::store::get_person(&mut tx, p)
                .await?
                .ok_or_else(|| AppError::field("person_id", "not_found", "no such person"))?;
            if !ctx.actor.can_enrol(p, person.department_id) {
                return Err(AppError::Forbidden("enrol this person"));
            }
            (vec![p], "person")
        }
        (None, Some(d)) => {
            if !crate::store::department_exists(&mut tx, d).await? {
                return Err(AppError::field(
                    "department_id",
                    "not_found",
                    "no such department",
                ));
            }
            if !ctx.actor.can_manage_training_of(Some(d)) {
                return Err(AppError::Forbidden("enrol this department"));
            }
            let depts = crate::store::department_subtree(&mut tx, d).await?;
            let people = store::active_people_in(&mut tx, &depts).await?;
            (people.into_iter().map(|(p, _)| p).collect(), "department")
        }
        _ => {
            return Err(AppError::field(
                "person_id",
                "one_of",
                "send either person_id or department_id",
            ));
        }
    };
    let out = enrol_people(&mut tx, ctx, &session, &people, source).await?;
    tx.commit().await?;
    Ok(out)
}

/// The session and the people of the department with a gap its course closes, each marked
/// when already enrolled. Only those who manage the department's training may ask (the list
/// shows skill levels).
async fn skill_gap_preview_in(
    tx: &mut Tx,
    ctx: &Ctx,
    session_id: i64,
    department_id: i64,
) -> AppResult<(Session, SkillGapPreview)> {
    let session = store::get_session(tx, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::store::department_exists(tx, department_id).await? {
        return Err(AppError::field(
            "department_id",
            "not_found",
            "no such department",
        ));
    }
    if !ctx.actor.can_manage_training_of(Some(department_id)) {
        return Err(AppError::Forbidden("enrol this department"));
    }
    let (skill, mut people) =
        super::skill_gaps::people_with_gaps_for_course(tx, ctx, session.course_id, department_id)
            .await?;
    let status: std::collections::HashMap<i64, String> =
        store::list_enrolments(tx, Some(session.id), None)
            .await?
            .into_iter()
            .map(|e| (e.person_id, e.status))
            .collect();
    for p in &mut people {
        let s = status.get(&p.person_id).map(String::as_str);
        p.cancelled = s == Some("cancelled");
        p.enrolled = s.is_some() && !p.cancelled;
    }
    let (skill_id, skill_name) = skill.unzip();
    let preview = SkillGapPreview {
        session_id,
        department_id,
        skill_id,
        skill_name,
        people,
    };
    Ok((session, preview))
}

/// What "enrol from skill gaps" would do: the people it would enrol (shown before confirming).
pub async fn skill_gap_preview(
    db: &Db,
    ctx: &Ctx,
    session_id: i64,
    department_id: i64,
) -> AppResult<SkillGapPreview> {
    let mut tx = db.read().await?;
    Ok(
        skill_gap_preview_in(&mut tx, ctx, session_id, department_id)
            .await?
            .1,
    )
}

/// Enrols the people of a department with a skill gap the session's course closes (the skills
/// gap report through [`super::skill_gaps`]); people already enrolled are skipped, cancelled
/// enrolments re-activated. Returns the new and re-activated enrolments (source `skill_gap`).
pub async fn enrol_from_skill_gaps(
    db: &Db,
    ctx: &Ctx,
    session_id: i64,
    department_id: i64,
) -> AppResult<Vec<Enrolment>> {
    let mut tx = db.write().await?;
    let (session, preview) = skill_gap_preview_in(&mut tx, ctx, session_id, department_id).await?;
    let people: Vec<i64> = preview
        .people
        .iter()
        .filter(|p| !p.enrolled)
        .map(|p| p.person_id)
        .collect();
    let out = enrol_people(&mut tx, ctx, &session, &people, "skill_gap").await?;
    tx.commit().await?;
    Ok(out)
}

/// The session's enrolments (attendance list): people the caller may see the training of.
pub async fn session_enrolments(db: &Db, ctx: &Ctx, session_id: i64) -> AppResult<Vec<Enrolment>> {
    let mut tx = db.read().await?;
    let session = store::get_session(&mut tx, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = store::list_enrolments(&mut tx, Some(session.id), None).await?;
    // The trainer takes attendance, so they see the whole list.
    let is_trainer = ctx.actor.person_id.is_some() && session.trainer_id == ctx.actor.person_id;
    let mut out = Vec::new();
    for e in all {
        let dept = crate::store::get_person(&mut tx, e.person_id)
            .await?
            .and_then(|p| p.department_id);
        if is_trainer || ctx.actor.can_see_training_of(e.person_id, dept) {
            out.push(e);
        }
    }
    Ok(out)
}

/// One enrolment, visible like the session's attendance list: the trainer, and whoever may see
/// the person's training record; anyone else gets 404.
pub async fn get_enrolment(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Enrolment> {
    let mut tx = db.read().await?;
    let e = store::get_enrolment(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let session = store::get_session(&mut tx, e.session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_trainer = ctx.actor.person_id.is_some() && session.trainer_id == ctx.actor.person_id;
    let dept = crate::store::get_person(&mut tx, e.person_id)
        .await?
        .and_then(|p| p.department_id);
    if is_trainer || ctx.actor.can_see_training_of(e.person_id, dept) {
        Ok(e)
    } else {
        Err(AppError::NotFound)
    }
}

/// Records attendance, completion and score. Completing a course that certifies issues the
/// certificate (valid `certificate_months` from the completion date).
pub async fn update_enrolment(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &EnrolmentPatch,
) -> AppResult<Enrolment> {
    let mut c = Checks::new();
    if !ENROLMENT_STATUSES.contains(&p.status.as_str()) {
        c.push(
            "status",
            "invalid_choice",
            format!("must be one of {}", ENROLMENT_STATUSES.join(", ")),
        );
    }
    c.range_f64("score", p.score, 0.0, 100.0);
    let completed = c.opt_date("completed_on", p.completed_on.as_deref());
    c.finish()?;
    let mut tx = db.write().await?;
    let before = store::get_enrolment(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = crate::store::get_person(&mut tx, before.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let session = store::get_session(&mut tx, before.session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_trainer = ctx.actor.person_id.is_some() && session.trainer_id == ctx.actor.person_id;
    if !ctx
        .actor
        .can_see_training_of(person.id, person.department_id)
        && !is_trainer
    {
        return Err(AppError::NotFound);
    }
    if !(ctx.actor.can_manage_training_of(person.department_id)
        || (is_trainer && ctx.actor.role != Role::Viewer))
    {
        return Err(AppError::Forbidden(
            "record training results for this person",
        ));
    }
    let today = kernel::dates::format_date(kernel::dates::date_of(ctx.now_ms, 8));
    let completed_on = if p.status == "completed" {
        Some(completed.unwrap_or(today))
    } else {
        None
    };
    if store::update_enrolment(
        &mut tx,
        id,
        version,
        &p.status,
        p.score,
        completed_on.as_deref(),
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_enrolment(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "enrolment.update",
        "enrolment",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    if before.status != "completed"
        && let Some(done) = &completed_on
    {
        let course = store::get_course(&mut tx, session.course_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(months) = course.certificate_months {
            let expires = add_months(done, months);
            issue_certificate(&mut tx, ctx, person.id, &course, done, expires.as_deref()).await?;
        }
    }
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- certificates and records

pub async fn create_certificate(
    db: &Db,
    ctx: &Ctx,
    i: &CertificateInput,
    idem: Option<&Idem>,
) -> AppResult<Certificate> {
    let mut c = Checks::new();
    let name = c.text("name", &i.name, true, 200);
    let issued = c.opt_date("issued_on", Some(&i.issued_on));
    if i.issued_on.trim().is_empty() {
        c.push("issued_on", "required", "is required");
    }
    let expires = c.opt_date("expires_on", i.expires_on.as_deref());
    if let (Some(a), Some(b)) = (&issued, &expires)
        && b < a
    {
        c.push("expires_on", "out_of_range", "must not be before issued_on");
    }
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_certificate(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    let person = crate::store::get_person(&mut tx, i.person_id)
        .await?
        .ok_or_else(|| AppError::field("person_id", "not_found", "no such person"))?;
    if !ctx.actor.can_manage_training_of(person.department_id) {
        return Err(AppError::Forbidden("record certificates for this person"));
    }
    if let Some(cid) = i.course_id
        && store::get_course(&mut tx, cid).await?.is_none()
    {
        c.push("course_id", "not_found", "no such course");
    }
    c.finish()?;
    let id = store::insert_certificate(
        &mut tx,
        person.id,
        i.course_id,
        &name,
        &issued.unwrap_or_default(),
        expires.as_deref(),
        ctx.now_ms,
    )
    .await?;
    let cert = store::get_certificate(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "certificate.create",
        "certificate",
        Some(id),
        None,
        json(&cert),
    )
    .await?;
    idempotency::remember(&mut tx, idem, 201, id, "/api/v1/certificates", ctx.now_ms).await?;
    tx.commit().await?;
    Ok(cert)
}

/// Certificates the caller may see (own; managers: their scope; admins: all), optionally only
/// those expiring by a date.
pub async fn list_certificates(
    db: &Db,
    ctx: &Ctx,
    expiring_by: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Certificate>> {
    let mut c = Checks::new();
    let by = c.opt_date("expiring_by", expiring_by);
    c.finish()?;
    let limit = clamp_limit(limit);
    let after = after_id(cursor)?;
    let a = &ctx.actor;
    let depts = match a.role {
        Role::Admin => None,
        Role::Manager => Some(a.scope.clone()),
        _ => Some(Vec::new()),
    };
    let mut tx = db.read().await?;
    let rows = store::list_certificates(
        &mut tx,
        depts.as_deref(),
        a.person_id,
        by.as_deref(),
        after,
        limit + 1,
    )
    .await?;
    Ok(page(rows, limit, |c| c.id))
}

/// A person's training record, or `None` when the caller may not see it.
pub async fn record_of(db: &Db, ctx: &Ctx, person_id: i64) -> AppResult<Option<TrainingRecord>> {
    let mut tx = db.read().await?;
    let person = crate::store::get_person(&mut tx, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx
        .actor
        .can_see_training_of(person.id, person.department_id)
    {
        return Ok(None);
    }
    Ok(Some(TrainingRecord {
        enrolments: store::list_enrolments(&mut tx, None, Some(person_id)).await?,
        certificates: store::certificates_of(&mut tx, person_id).await?,
    }))
}

/// Issues the course's certificate to a person (on completion), audited.
async fn issue_certificate(
    tx: &mut Tx,
    ctx: &Ctx,
    person_id: i64,
    course: &Course,
    issued_on: &str,
    expires_on: Option<&str>,
) -> AppResult<()> {
    let cid = store::insert_certificate(
        tx,
        person_id,
        Some(course.id),
        &course.title,
        issued_on,
        expires_on,
        ctx.now_ms,
    )
    .await?;
    let cert = store::get_certificate(tx, cid).await?;
    db::audit::log_change(
        tx,
        ctx,
        "certificate.create",
        "certificate",
        Some(cid),
        None,
        json(&cert),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- import

/// Writes the rows of a "training records" import inside the kit's transaction. Each row's
/// person must exist and be visible (else `not_found`) and the caller must manage their training
/// (`not_permitted`); the course is found by title (ignoring case). The session is the course's
/// session starting on the row's date, created (one day, audited) when there is none — past
/// training is what such files hold. The enrolment is created or updated with the row's
/// attendance, completion (on the session date) and score; completing issues the certificate
/// with the row's expiry, or the course's validity when none is given, once. A person and
/// session may appear once. Any problem writes nothing.
pub async fn import_records(
    tx: &mut Tx,
    ctx: &Ctx,
    rows: Vec<(usize, crate::training::import::RecordRow)>,
) -> Result<usize, imports::ImportFailure> {
    use imports::{ImportFailure, RowError};
    use std::collections::HashMap;
    let people = crate::import::PeopleIndex::load(
        tx,
        rows.iter()
            .map(|(_, r)| (Some(r.employee_no.as_str()), None)),
    )
    .await?;
    let mut courses: HashMap<String, Vec<Course>> = HashMap::new();
    for c in store::list_courses(tx).await? {
        courses
            .entry(c.title.trim().to_lowercase())
            .or_default()
            .push(c);
    }
    let mut errs = Vec::new();
    let mut seen: HashMap<(i64, i64, &str), usize> = HashMap::new();
    let mut plan = Vec::with_capacity(rows.len());
    for (n, r) in &rows {
        let person = match people.find(Some(&r.employee_no), None) {
            Ok(p) if ctx.actor.can_see_training_of(p.id, p.department_id) => Some(p),
            Ok(_) => {
                errs.push(RowError::new(
                    *n,
                    "employee_no",
                    "not_found",
                    "no such person",
                ));
                None
            }
            Err((field, why)) => {
                errs.push(RowError::new(*n, field, "not_found", why));
                None
            }
        };
        if let Some(p) = person
            && !ctx.actor.can_manage_training_of(p.department_id)
        {
            errs.push(RowError::new(
                *n,
                "employee_no",
                "not_permitted",
                "you may not record training for this person",
            ));
        }
        let course = match courses.get(&r.course.to_lowercase()).map(Vec::as_slice) {
            Some([c]) => Some(c),
            Some(_) => {
                errs.push(RowError::new(
                    *n,
                    "course",
                    "ambiguous",
                    "several courses have this title",
                ));
                None
            }
            None => {
                errs.push(RowError::new(
                    *n,
                    "course",
                    "not_found",
                    format!("the catalogue has no course titled {}", r.course),
                ));
                None
            }
        };
        if let (Some(p), Some(c)) = (person, course) {
            let key = (p.id, c.id, r.session_date.as_str());
            if let Some(first) = seen.get(&key) {
                errs.push(RowError::new(
                    *n,
                    "session_date",
                    "duplicate",
                    format!("this person's record of this session is also in row {first}"),
                ));
            }
            seen.entry(key).or_insert(*n);
            plan.push((p.id, c, r));
        }
    }
    if !errs.is_empty() {
        return Err(ImportFailure::Rows(errs));
    }
    let mut sessions: HashMap<(i64, &str), Session> = HashMap::new();
    for (person_id, course, r) in plan {
        let day = r.session_date.as_str();
        if let std::collections::hash_map::Entry::Vacant(slot) = sessions.entry((course.id, day)) {
            let s = match store::session_on(tx, course.id, day).await? {
                Some(s) => s,
                None => {
                    let id = store::insert_session(
                        tx, course.id, day, day, None, None, None, ctx.now_ms,
                    )
                    .await?;
                    let s = store::get_session(tx, id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    db::audit::log_change(
                        tx,
                        ctx,
                        "session.create",
                        "training_session",
                        Some(id),
                        None,
                        json(&s),
                    )
                    .await?;
                    s
                }
            };
            slot.insert(s);
        }
        let session = &sessions[&(course.id, day)];
        let before = store::enrolment_of(tx, session.id, person_id).await?;
        let id = match &before {
            Some(e) => e.id,
            None => store::insert_enrolment(tx, session.id, person_id, "person", ctx.now_ms)
                .await?
                .ok_or(AppError::Conflict("enrolment: written concurrently".into()))?,
        };
        let version = before.as_ref().map_or(1, |e| e.version);
        let completed_on = r.completed.then_some(session.ends_on.as_str());
        store::update_enrolment(
            tx,
            id,
            version,
            r.status(),
            r.score,
            completed_on,
            ctx.now_ms,
        )
        .await?;
        let after = store::get_enrolment(tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let action = if before.is_some() {
            "enrolment.update"
        } else {
            "enrolment.create"
        };
        db::audit::log_change(
            tx,
            ctx,
            action,
            "enrolment",
            Some(id),
            before.as_ref().and_then(json),
            json(&after),
        )
        .await?;
        let was_completed = before.as_ref().is_some_and(|e| e.status == "completed");
        if let Some(done) = completed_on
            && !was_completed
        {
            let expires = r
                .cert_expires
                .clone()
                .or_else(|| course.certificate_months.and_then(|m| add_months(done, m)));
            if r.cert_expires.is_some() || course.certificate_months.is_some() {
                issue_certificate(tx, ctx, person_id, course, done, expires.as_deref()).await?;
            }
        }
    }
    Ok(rows.len())
}
