//! Feedback SQL: feedback rows (attributed by design) and requests for feedback.
use db::sql::Sql;
use db::{DbError, Row, Tx};
use serde::Serialize;
use utoipa::ToSchema;

/// One piece of feedback with the names a reader needs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Feedback {
    pub id: i64,
    pub subject_id: i64,
    pub subject_name: String,
    pub author_id: i64,
    pub author_name: String,
    /// `private` (author, the subject's manager chain, admins) or `shared` (also the subject).
    pub visibility: String,
    pub body: String,
    /// The request this feedback answered, if any.
    pub request_id: Option<i64>,
    /// The calendar day it was given (Asia/Shanghai).
    pub given_on: String,
    pub created_at: i64,
}

const FEEDBACK: &str = "SELECT f.id, f.subject_id, s.name AS subject_name, f.author_id, \
     a.name AS author_name, f.visibility, f.body, f.request_id, f.given_on, f.created_at \
     FROM review_feedback f JOIN people s ON s.id = f.subject_id JOIN people a ON a.id = f.author_id";

fn feedback_row(r: &Row) -> Result<Feedback, DbError> {
    Ok(Feedback {
        id: r.i64("id")?,
        subject_id: r.i64("subject_id")?,
        subject_name: r.string("subject_name")?,
        author_id: r.i64("author_id")?,
        author_name: r.string("author_name")?,
        visibility: r.string("visibility")?,
        body: r.string("body")?,
        request_id: r.opt_i64("request_id")?,
        given_on: r.string("given_on")?,
        created_at: r.i64("created_at")?,
    })
}

pub struct NewFeedback<'a> {
    pub subject_id: i64,
    pub author_id: i64,
    pub visibility: &'a str,
    pub body: &'a str,
    pub request_id: Option<i64>,
    pub given_on: &'a str,
    pub created_at: i64,
}

pub async fn insert_feedback(tx: &mut Tx, f: &NewFeedback<'_>) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO review_feedback (subject_id, author_id, visibility, body, request_id, given_on, \
         created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        &[
            f.subject_id.into(),
            f.author_id.into(),
            f.visibility.into(),
            f.body.into(),
            f.request_id.into(),
            f.given_on.into(),
            f.created_at.into(),
        ],
    )
    .await
}

pub async fn get_feedback(tx: &mut Tx, id: i64) -> Result<Option<Feedback>, DbError> {
    tx.fetch_opt(&format!("{FEEDBACK} WHERE f.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(feedback_row)
        .transpose()
}

/// What to read before the policy filters it: about a subject (optionally within a period), or
/// about / by one person. Newest first.
pub struct FeedbackFilter<'a> {
    pub subject_id: Option<i64>,
    /// Feedback about OR by this person ("my feedback").
    pub involving: Option<i64>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

pub async fn list_feedback(tx: &mut Tx, f: &FeedbackFilter<'_>) -> Result<Vec<Feedback>, DbError> {
    let mut q = Sql::new(FEEDBACK);
    q.push(" WHERE 1=1");
    if let Some(s) = f.subject_id {
        q.and_eq("f.subject_id = {}", s);
    }
    if let Some(p) = f.involving {
        let a = q.arg(p);
        q.push(&format!(" AND (f.subject_id = {a} OR f.author_id = {a})"));
    }
    if let Some(d) = f.from {
        q.and_eq("f.given_on >= {}", d);
    }
    if let Some(d) = f.to {
        q.and_eq("f.given_on <= {}", d);
    }
    q.push(" ORDER BY f.created_at DESC, f.id DESC");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(feedback_row)
        .collect()
}

/// A request for feedback about `subject` from `requestee`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeedbackRequest {
    pub id: i64,
    pub subject_id: i64,
    pub subject_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub requestee_id: i64,
    pub requestee_name: String,
    pub message: Option<String>,
    /// `open`, `answered` or `declined`.
    pub status: String,
    pub created_at: i64,
    pub version: i64,
}

const REQUEST: &str = "SELECT q.id, q.subject_id, s.name AS subject_name, q.requester_id, \
     r.name AS requester_name, q.requestee_id, e.name AS requestee_name, q.message, q.status, \
     q.created_at, q.version FROM review_feedback_requests q JOIN people s ON s.id = q.subject_id \
     JOIN people r ON r.id = q.requester_id JOIN people e ON e.id = q.requestee_id";

fn request_row(r: &Row) -> Result<FeedbackRequest, DbError> {
    Ok(FeedbackRequest {
        id: r.i64("id")?,
        subject_id: r.i64("subject_id")?,
        subject_name: r.string("subject_name")?,
        requester_id: r.i64("requester_id")?,
        requester_name: r.string("requester_name")?,
        requestee_id: r.i64("requestee_id")?,
        requestee_name: r.string("requestee_name")?,
        message: r.opt_string("message")?,
        status: r.string("status")?,
        created_at: r.i64("created_at")?,
        version: r.i64("version")?,
    })
}

pub async fn insert_request(
    tx: &mut Tx,
    subject_id: i64,
    requester_id: i64,
    requestee_id: i64,
    message: Option<&str>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO review_feedback_requests (subject_id, requester_id, requestee_id, message, \
         status, created_at) VALUES ($1,$2,$3,$4,'open',$5) RETURNING id",
        &[
            subject_id.into(),
            requester_id.into(),
            requestee_id.into(),
            message.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn get_request(tx: &mut Tx, id: i64) -> Result<Option<FeedbackRequest>, DbError> {
    tx.fetch_opt(&format!("{REQUEST} WHERE q.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(request_row)
        .transpose()
}

/// Requests sent to (`to_me`) or by a person, newest first.
pub async fn requests_of(
    tx: &mut Tx,
    person_id: i64,
    to_me: bool,
) -> Result<Vec<FeedbackRequest>, DbError> {
    let col = if to_me {
        "q.requestee_id"
    } else {
        "q.requester_id"
    };
    tx.fetch_all(
        &format!("{REQUEST} WHERE {col} = $1 ORDER BY q.created_at DESC, q.id DESC"),
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(request_row)
    .collect()
}

/// Moves an open request to `status`; 0 when it is no longer open (answered or declined).
pub async fn close_request(tx: &mut Tx, id: i64, status: &str) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE review_feedback_requests SET status = $1, version = version + 1 \
         WHERE id = $2 AND status = 'open'",
        &[status.into(), id.into()],
    )
    .await
}

/// An active person's name and account, if they exist.
/// The active direct manager of an active person: (manager person, their user).
pub async fn manager_of(tx: &mut Tx, id: i64) -> Result<Option<(i64, Option<i64>)>, DbError> {
    tx.fetch_opt(
        "SELECT m.id, m.user_id FROM people p JOIN people m ON m.id = p.manager_id \
         WHERE p.id = $1 AND m.active = TRUE",
        &[id.into()],
    )
    .await?
    .map(|r| Ok((r.i64("id")?, r.opt_i64("user_id")?)))
    .transpose()
}

pub async fn person(tx: &mut Tx, id: i64) -> Result<Option<(String, Option<i64>)>, DbError> {
    tx.fetch_opt(
        "SELECT name, user_id FROM people WHERE id = $1 AND active = TRUE",
        &[id.into()],
    )
    .await?
    .map(|r| Ok((r.string("name")?, r.opt_i64("user_id")?)))
    .transpose()
}
