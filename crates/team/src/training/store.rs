//! Training SQL.
use super::model::{Certificate, Course, Enrolment, Program, Session};
use db::sql::Sql;
use db::{DbError, Row, Tx};

const COURSE_SELECT: &str = "SELECT c.id, c.title, c.description, c.provider, c.hours, c.certificate_months, \
     c.skill_id, sk.name AS skill_name, c.version, c.created_at, c.updated_at \
     FROM courses c LEFT JOIN skills sk ON sk.id = c.skill_id";

fn course_row(r: &Row) -> Result<Course, DbError> {
    Ok(Course {
        id: r.i64("id")?,
        title: r.string("title")?,
        description: r.opt_string("description")?,
        provider: r.opt_string("provider")?,
        hours: r.opt_f64("hours")?,
        certificate_months: r.opt_i64("certificate_months")?,
        skill_id: r.opt_i64("skill_id")?,
        skill_name: r.opt_string("skill_name")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn list_courses(tx: &mut Tx) -> Result<Vec<Course>, DbError> {
    tx.fetch_all(&format!("{COURSE_SELECT} ORDER BY c.title, c.id"), &[])
        .await?
        .iter()
        .map(course_row)
        .collect()
}

pub async fn get_course(tx: &mut Tx, id: i64) -> Result<Option<Course>, DbError> {
    tx.fetch_opt(&format!("{COURSE_SELECT} WHERE c.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(course_row)
        .transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_course(
    tx: &mut Tx,
    title: &str,
    description: Option<&str>,
    provider: Option<&str>,
    hours: Option<f64>,
    certificate_months: Option<i64>,
    skill_id: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO courses (title, description, provider, hours, certificate_months, skill_id, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id",
        &[title.into(), description.into(), provider.into(), hours.into(), certificate_months.into(), skill_id.into(), now.into()],
    )
    .await
}

/// Writes a course's fields when `version` still matches; the rows changed (0: stale).
#[allow(clippy::too_many_arguments)]
pub async fn update_course(
    tx: &mut Tx,
    id: i64,
    version: i64,
    title: &str,
    description: Option<&str>,
    provider: Option<&str>,
    hours: Option<f64>,
    certificate_months: Option<i64>,
    skill_id: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE courses SET title = $1, description = $2, provider = $3, hours = $4, certificate_months = $5, \
         skill_id = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9",
        &[title.into(), description.into(), provider.into(), hours.into(), certificate_months.into(),
          skill_id.into(), now.into(), id.into(), version.into()],
    )
    .await
}

pub async fn get_program(tx: &mut Tx, id: i64) -> Result<Option<Program>, DbError> {
    let Some(r) = tx
        .fetch_opt(
            "SELECT id, title, description, version, created_at, updated_at FROM training_programs WHERE id = $1",
            &[id.into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let courses = tx
        .fetch_all(
            "SELECT c.id, c.title, c.description, c.provider, c.hours, c.certificate_months, c.skill_id, \
             sk.name AS skill_name, c.version, c.created_at, c.updated_at \
             FROM training_program_courses pc JOIN courses c ON c.id = pc.course_id \
             LEFT JOIN skills sk ON sk.id = c.skill_id WHERE pc.program_id = $1 ORDER BY pc.position",
            &[id.into()],
        )
        .await?
        .iter()
        .map(course_row)
        .collect::<Result<_, _>>()?;
    Ok(Some(Program {
        id: r.i64("id")?,
        title: r.string("title")?,
        description: r.opt_string("description")?,
        courses,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    }))
}

pub async fn program_ids(tx: &mut Tx) -> Result<Vec<i64>, DbError> {
    tx.fetch_all("SELECT id FROM training_programs ORDER BY title, id", &[])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect()
}

pub async fn insert_program(
    tx: &mut Tx,
    title: &str,
    description: Option<&str>,
    course_ids: &[i64],
    now: i64,
) -> Result<i64, DbError> {
    let id = tx
        .insert_id(
            "INSERT INTO training_programs (title, description, created_at, updated_at) VALUES ($1,$2,$3,$3) RETURNING id",
            &[title.into(), description.into(), now.into()],
        )
        .await?;
    for (i, c) in course_ids.iter().enumerate() {
        tx.execute(
            "INSERT INTO training_program_courses (program_id, course_id, position) VALUES ($1,$2,$3)",
            &[id.into(), (*c).into(), (i as i64).into()],
        )
        .await?;
    }
    Ok(id)
}

/// Writes a program's fields and replaces its courses when `version` still matches; the rows
/// changed (0: stale).
pub async fn update_program(
    tx: &mut Tx,
    id: i64,
    version: i64,
    title: &str,
    description: Option<&str>,
    course_ids: &[i64],
    now: i64,
) -> Result<u64, DbError> {
    let n = tx
        .execute(
            "UPDATE training_programs SET title = $1, description = $2, updated_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5",
            &[title.into(), description.into(), now.into(), id.into(), version.into()],
        )
        .await?;
    if n == 0 {
        return Ok(0);
    }
    tx.execute(
        "DELETE FROM training_program_courses WHERE program_id = $1",
        &[id.into()],
    )
    .await?;
    for (i, c) in course_ids.iter().enumerate() {
        tx.execute(
            "INSERT INTO training_program_courses (program_id, course_id, position) VALUES ($1,$2,$3)",
            &[id.into(), (*c).into(), (i as i64).into()],
        )
        .await?;
    }
    Ok(n)
}

const SESSION_SELECT: &str = "SELECT s.id, s.course_id, c.title AS course_title, s.starts_on, s.ends_on, \
     s.trainer_id, p.name AS trainer_name, s.location, s.capacity, s.version, s.created_at, s.updated_at, \
     (SELECT COUNT(*) FROM enrolments e WHERE e.session_id = s.id AND e.status <> 'cancelled') AS enrolled \
     FROM training_sessions s JOIN courses c ON c.id = s.course_id LEFT JOIN people p ON p.id = s.trainer_id";

fn session_row(r: &Row) -> Result<Session, DbError> {
    Ok(Session {
        id: r.i64("id")?,
        course_id: r.i64("course_id")?,
        course_title: r.string("course_title")?,
        starts_on: r.string("starts_on")?,
        ends_on: r.string("ends_on")?,
        trainer_id: r.opt_i64("trainer_id")?,
        trainer_name: r.opt_string("trainer_name")?,
        location: r.opt_string("location")?,
        capacity: r.opt_i64("capacity")?,
        enrolled: r.i64("enrolled")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn list_sessions(
    tx: &mut Tx,
    course_id: Option<i64>,
    from: Option<&str>,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Session>, DbError> {
    let mut q = Sql::new(&format!("{SESSION_SELECT} WHERE 1=1"));
    if let Some(c) = course_id {
        q.and_eq("s.course_id = {}", c);
    }
    if let Some(f) = from {
        q.and_eq("s.ends_on >= {}", f);
    }
    if let Some(a) = after_id {
        q.and_eq("s.id > {}", a);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY s.id LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(session_row)
        .collect()
}

pub async fn get_session(tx: &mut Tx, id: i64) -> Result<Option<Session>, DbError> {
    tx.fetch_opt(&format!("{SESSION_SELECT} WHERE s.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(session_row)
        .transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_session(
    tx: &mut Tx,
    course_id: i64,
    starts_on: &str,
    ends_on: &str,
    trainer_id: Option<i64>,
    location: Option<&str>,
    capacity: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO training_sessions (course_id, starts_on, ends_on, trainer_id, location, capacity, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id",
        &[course_id.into(), starts_on.into(), ends_on.into(), trainer_id.into(), location.into(), capacity.into(), now.into()],
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn update_session(
    tx: &mut Tx,
    id: i64,
    version: i64,
    starts_on: &str,
    ends_on: &str,
    trainer_id: Option<i64>,
    location: Option<&str>,
    capacity: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE training_sessions SET starts_on = $1, ends_on = $2, trainer_id = $3, location = $4, capacity = $5, \
         updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
        &[starts_on.into(), ends_on.into(), trainer_id.into(), location.into(), capacity.into(), now.into(),
          id.into(), version.into()],
    )
    .await
}

const ENROLMENT_SELECT: &str = "SELECT e.id, e.session_id, s.course_id, c.title AS course_title, s.starts_on, \
     e.person_id, p.name AS person_name, e.source, e.status, e.score, e.completed_on, e.version, e.created_at, e.updated_at \
     FROM enrolments e JOIN training_sessions s ON s.id = e.session_id JOIN courses c ON c.id = s.course_id \
     JOIN people p ON p.id = e.person_id";

fn enrolment_row(r: &Row) -> Result<Enrolment, DbError> {
    Ok(Enrolment {
        id: r.i64("id")?,
        session_id: r.i64("session_id")?,
        course_id: r.i64("course_id")?,
        course_title: r.string("course_title")?,
        starts_on: r.string("starts_on")?,
        person_id: r.i64("person_id")?,
        person_name: r.string("person_name")?,
        source: r.string("source")?,
        status: r.string("status")?,
        score: r.opt_f64("score")?,
        completed_on: r.opt_string("completed_on")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn get_enrolment(tx: &mut Tx, id: i64) -> Result<Option<Enrolment>, DbError> {
    tx.fetch_opt(&format!("{ENROLMENT_SELECT} WHERE e.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(enrolment_row)
        .transpose()
}

/// Enrolments of a session (`session_id`) or of a person (`person_id`).
pub async fn list_enrolments(
    tx: &mut Tx,
    session_id: Option<i64>,
    person_id: Option<i64>,
) -> Result<Vec<Enrolment>, DbError> {
    let mut q = Sql::new(&format!("{ENROLMENT_SELECT} WHERE 1=1"));
    if let Some(s) = session_id {
        q.and_eq("e.session_id = {}", s);
    }
    if let Some(p) = person_id {
        q.and_eq("e.person_id = {}", p);
    }
    q.push(" ORDER BY s.starts_on DESC, p.name, e.id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(enrolment_row)
        .collect()
}

/// Inserts unless the person is already enrolled; returns the new id or `None`.
pub async fn insert_enrolment(
    tx: &mut Tx,
    session_id: i64,
    person_id: i64,
    source: &str,
    now: i64,
) -> Result<Option<i64>, DbError> {
    tx
        .fetch_opt(
            "INSERT INTO enrolments (session_id, person_id, source, status, created_at, updated_at) \
             VALUES ($1,$2,$3,'enrolled',$4,$4) ON CONFLICT (session_id, person_id) DO NOTHING RETURNING id",
            &[session_id.into(), person_id.into(), source.into(), now.into()],
        )
        .await?
        .map(|r| r.i64("id"))
        .transpose()
}

/// Turns a cancelled enrolment back into an active one (its earlier result is cleared); the
/// rows changed (0: it is no longer cancelled).
pub async fn reactivate_enrolment(
    tx: &mut Tx,
    id: i64,
    source: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE enrolments SET status = 'enrolled', source = $1, score = NULL, completed_on = NULL, \
         updated_at = $2, version = version + 1 WHERE id = $3 AND status = 'cancelled'",
        &[source.into(), now.into(), id.into()],
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn update_enrolment(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    score: Option<f64>,
    completed_on: Option<&str>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE enrolments SET status = $1, score = $2, completed_on = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6",
        &[status.into(), score.into(), completed_on.into(), now.into(), id.into(), version.into()],
    )
    .await
}

/// Active people of the departments, by name.
pub async fn active_people_in(
    tx: &mut Tx,
    departments: &[i64],
) -> Result<Vec<(i64, Option<i64>)>, DbError> {
    let mut q =
        Sql::new("SELECT id, department_id FROM people WHERE active = TRUE AND department_id IN ");
    let list = q.in_list(departments);
    q.push(&list);
    q.push(" ORDER BY name, id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| Ok((r.i64("id")?, r.opt_i64("department_id")?)))
        .collect()
}

const CERT_SELECT: &str = "SELECT c.id, c.person_id, p.name AS person_name, c.course_id, c.name, c.issued_on, \
     c.expires_on, c.reminder_sent_at, c.version, c.created_at, c.updated_at \
     FROM certificates c JOIN people p ON p.id = c.person_id";

fn cert_row(r: &Row) -> Result<Certificate, DbError> {
    Ok(Certificate {
        id: r.i64("id")?,
        person_id: r.i64("person_id")?,
        person_name: r.string("person_name")?,
        course_id: r.opt_i64("course_id")?,
        name: r.string("name")?,
        issued_on: r.string("issued_on")?,
        expires_on: r.opt_string("expires_on")?,
        reminder_sent_at: r.opt_i64("reminder_sent_at")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn get_certificate(tx: &mut Tx, id: i64) -> Result<Option<Certificate>, DbError> {
    tx.fetch_opt(&format!("{CERT_SELECT} WHERE c.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(cert_row)
        .transpose()
}

pub async fn certificates_of(tx: &mut Tx, person_id: i64) -> Result<Vec<Certificate>, DbError> {
    tx.fetch_all(
        &format!("{CERT_SELECT} WHERE c.person_id = $1 ORDER BY c.expires_on, c.id"),
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(cert_row)
    .collect()
}

/// Certificates of the given people's departments (`None` = all) and/or expiring by a date.
pub async fn list_certificates(
    tx: &mut Tx,
    departments: Option<&[i64]>,
    own_person: Option<i64>,
    expiring_by: Option<&str>,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Certificate>, DbError> {
    let mut q = Sql::new(&format!("{CERT_SELECT} WHERE 1=1"));
    if let Some(ds) = departments {
        let list = q.in_list(ds);
        let me = q.arg(own_person.unwrap_or(0));
        q.push(&format!(
            " AND (p.department_id IN {list} OR c.person_id = {me})"
        ));
    }
    if let Some(d) = expiring_by {
        q.and_eq("c.expires_on <= {}", d);
    }
    if let Some(a) = after_id {
        q.and_eq("c.id > {}", a);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY c.id LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(cert_row)
        .collect()
}

pub async fn insert_certificate(
    tx: &mut Tx,
    person_id: i64,
    course_id: Option<i64>,
    name: &str,
    issued_on: &str,
    expires_on: Option<&str>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO certificates (person_id, course_id, name, issued_on, expires_on, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id",
        &[person_id.into(), course_id.into(), name.into(), issued_on.into(), expires_on.into(), now.into()],
    )
    .await
}

/// Certificates expiring between `from` and `until` (dates, inclusive) not yet reminded.
pub async fn due_reminders(
    tx: &mut Tx,
    from: &str,
    until: &str,
) -> Result<Vec<Certificate>, DbError> {
    tx.fetch_all(
        &format!(
            "{CERT_SELECT} WHERE c.reminder_sent_at IS NULL AND c.expires_on IS NOT NULL \
             AND c.expires_on >= $1 AND c.expires_on <= $2 ORDER BY c.id"
        ),
        &[from.into(), until.into()],
    )
    .await?
    .iter()
    .map(cert_row)
    .collect()
}

/// Claims the reminder of one certificate; 1 when this call claimed it, 0 when it was taken.
pub async fn claim_reminder(tx: &mut Tx, id: i64, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE certificates SET reminder_sent_at = $1 WHERE id = $2 AND reminder_sent_at IS NULL",
        &[now.into(), id.into()],
    )
    .await
}

/// The user accounts to tell about a person's certificate: the person's and their manager's.
pub async fn reminder_recipients(tx: &mut Tx, person_id: i64) -> Result<Vec<i64>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT p.user_id AS own, m.user_id AS mgr FROM people p LEFT JOIN people m ON m.id = p.manager_id \
             WHERE p.id = $1",
            &[person_id.into()],
        )
        .await?;
    let mut out = Vec::new();
    if let Some(r) = r {
        out.extend(r.opt_i64("own")?);
        if let Some(m) = r.opt_i64("mgr")?
            && !out.contains(&m)
        {
            out.push(m);
        }
    }
    Ok(out)
}

/// The first session of a course that starts on a date (an import's "session date").
pub async fn session_on(
    tx: &mut Tx,
    course_id: i64,
    starts_on: &str,
) -> Result<Option<Session>, DbError> {
    tx.fetch_opt(
        &format!(
            "{SESSION_SELECT} WHERE s.course_id = $1 AND s.starts_on = $2 ORDER BY s.id LIMIT 1"
        ),
        &[course_id.into(), starts_on.into()],
    )
    .await?
    .as_ref()
    .map(session_row)
    .transpose()
}

pub async fn enrolment_of(
    tx: &mut Tx,
    session_id: i64,
    person_id: i64,
) -> Result<Option<Enrolment>, DbError> {
    tx.fetch_opt(
        &format!("{ENROLMENT_SELECT} WHERE e.session_id = $1 AND e.person_id = $2"),
        &[session_id.into(), person_id.into()],
    )
    .await?
    .as_ref()
    .map(enrolment_row)
    .transpose()
}
