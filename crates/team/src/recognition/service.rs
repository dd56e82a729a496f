//! Recognition use cases: values (admins), kudos (any non-viewer with a person record, never
//! to themselves). Receiving kudos is a notification.
use super::model::{CompanyValue, Kudos, KudosInput, MAX_MESSAGE, ValueInput};
use super::store;
use db::Db;
use db::idempotency::{self, Idem};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

pub async fn list_values(db: &Db, _ctx: &Ctx) -> AppResult<Vec<CompanyValue>> {
    let mut tx = db.read().await?;
    Ok(store::list_values(&mut tx).await?)
}

pub async fn get_value(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<CompanyValue> {
    let mut tx = db.read().await?;
    store::get_value(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn check_value(c: &mut Checks, v: &ValueInput) -> (String, Option<String>) {
    (
        c.text("name", &v.name, true, 100),
        c.opt_text("description", v.description.as_deref(), 1000),
    )
}

pub async fn create_value(db: &Db, ctx: &Ctx, input: &ValueInput) -> AppResult<CompanyValue> {
    if !ctx.actor.can_manage_values() {
        return Err(AppError::Forbidden("manage company values"));
    }
    let mut c = Checks::new();
    let (name, desc) = check_value(&mut c, input);
    c.finish()?;
    let mut tx = db.write().await?;
    if store::value_name_taken(&mut tx, &name, None).await? {
        return Err(AppError::Conflict(format!(
            "name: a value named {name} already exists"
        )));
    }
    let id = store::insert_value(&mut tx, &name, desc.as_deref(), input.active, ctx.now_ms).await?;
    let v = store::get_value(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "company_value.create",
        "company_value",
        Some(id),
        None,
        json(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn update_value(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    input: &ValueInput,
) -> AppResult<CompanyValue> {
    if !ctx.actor.can_manage_values() {
        return Err(AppError::Forbidden("manage company values"));
    }
    let mut c = Checks::new();
    let (name, desc) = check_value(&mut c, input);
    c.finish()?;
    let mut tx = db.write().await?;
    let before = store::get_value(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if store::value_name_taken(&mut tx, &name, Some(id)).await? {
        return Err(AppError::Conflict(format!(
            "name: a value named {name} already exists"
        )));
    }
    if store::update_value(
        &mut tx,
        id,
        version,
        &name,
        desc.as_deref(),
        input.active,
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_value(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "company_value.update",
        "company_value",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub struct FeedQuery<'a> {
    pub to_person_id: Option<i64>,
    /// With its sub-departments.
    pub department_id: Option<i64>,
    pub value_id: Option<i64>,
    pub cursor: Option<&'a str>,
    pub limit: Option<i64>,
}

/// The kudos feed (public inside the company), newest first.
pub async fn feed(db: &Db, _ctx: &Ctx, q: &FeedQuery<'_>) -> AppResult<Page<Kudos>> {
    let limit = clamp_limit(q.limit);
    let before = match q.cursor.filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        ),
        None => None,
    };
    let mut tx = db.read().await?;
    let depts = match q.department_id {
        Some(d) => Some(crate::store::department_subtree(&mut tx, d).await?),
        None => None,
    };
    let mut items = store::list_kudos(
        &mut tx,
        q.to_person_id,
        depts.as_deref(),
        q.value_id,
        before,
        limit + 1,
    )
    .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|k| encode_cursor("", k.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

pub async fn give_kudos(
    db: &Db,
    ctx: &Ctx,
    input: &KudosInput,
    idem: Option<&Idem>,
) -> AppResult<Kudos> {
    if !ctx.actor.can_give_kudos() {
        return Err(AppError::Forbidden("give kudos (it needs a person record)"));
    }
    let from = ctx.actor.person_id.unwrap_or_default();
    let mut c = Checks::new();
    let message = c.text("message", &input.message, true, MAX_MESSAGE);
    if input.to_person_id == from {
        c.push("to_person_id", "self", "kudos go to someone else");
    }
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_kudos(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    if !crate::store::person_exists(&mut tx, input.to_person_id).await? {
        c.push("to_person_id", "not_found", "no such person");
    }
    match store::get_value(&mut tx, input.value_id).await? {
        None => c.push("value_id", "not_found", "no such company value"),
        Some(v) if !v.active => c.push("value_id", "inactive", "that value is retired"),
        Some(_) => {}
    }
    c.finish()?;
    let id = store::insert_kudos(
        &mut tx,
        from,
        input.to_person_id,
        input.value_id,
        &message,
        ctx.now_ms,
    )
    .await?;
    let k = store::get_kudos(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "kudos.create",
        "kudos",
        Some(id),
        None,
        json(&k),
    )
    .await?;
    if let Some(user) = store::user_of(&mut tx, k.to_person_id).await? {
        let title = format!("{} → {}: {}", k.from_name, k.to_name, k.value_name);
        notify::service::notify(
            &mut tx,
            user,
            "kudos",
            &title,
            &k.message,
            Some(&format!("/people/{}", k.to_person_id)),
            Some("kudos"),
            Some(id),
            ctx.now_ms,
        )
        .await?;
    }
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/kudos/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(k)
}
