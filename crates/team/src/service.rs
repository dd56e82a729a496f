//! Directory use cases: ask the policy first, validate everything, then write and audit in one
//! transaction. The directory is readable by every signed-in user.
use crate::model::{
    Department, DepartmentInput, DepartmentNode, DepartmentPatch, DepartmentValues,
    OWN_CONTACT_FIELDS, Person, PersonFilter, PersonInput, PersonOption, PersonPatch, PersonValues,
    build_tree, forbidden_field,
};
use crate::store;
use db::audit::HistoryEntry;
use db::idempotency::{self, Idem};
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{Actor, AppError, AppResult, Ctx, Role};

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

// ---------------------------------------------------------------- actors and scope

/// The department and all its descendants.
pub async fn department_subtree(tx: &mut Tx, id: i64) -> AppResult<Vec<i64>> {
    Ok(store::department_subtree(tx, id).await?)
}

/// Builds the acting user's [`Actor`]: their person, department and scope (a manager's
/// department subtree; otherwise the own department only; empty without a person/department).
pub async fn resolve_actor(
    tx: &mut Tx,
    user_id: i64,
    username: &str,
    role: Role,
) -> AppResult<Actor> {
    let (person_id, department_id) = match store::person_by_user(tx, user_id).await? {
        Some((p, d)) => (Some(p), d),
        None => (None, None),
    };
    let scope = match (role, department_id) {
        (Role::Manager, Some(d)) => store::department_subtree(tx, d).await?,
        (_, Some(d)) => vec![d],
        (_, None) => Vec::new(),
    };
    Ok(Actor {
        user_id,
        username: username.to_string(),
        role,
        person_id,
        department_id,
        scope,
    })
}

// ---------------------------------------------------------------- departments

/// All departments, by name.
pub async fn list_departments(db: &Db, _ctx: &Ctx) -> AppResult<Vec<Department>> {
    let mut tx = db.read().await?;
    Ok(store::list_departments(&mut tx).await?)
}

/// The departments in display order (depth-first, siblings by name) with their depth.
pub async fn tree(db: &Db) -> AppResult<Vec<DepartmentNode>> {
    let mut tx = db.read().await?;
    Ok(build_tree(store::list_departments(&mut tx).await?))
}

pub async fn get_department(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Department> {
    let mut tx = db.read().await?;
    store::get_department(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks references and uniqueness of department values inside the write transaction.
async fn check_department_refs(
    tx: &mut Tx,
    c: &mut Checks,
    v: &DepartmentValues,
    self_id: Option<i64>,
) -> AppResult<()> {
    if let Some(p) = v.parent_id {
        if !store::department_exists(tx, p).await? {
            c.push("parent_id", "not_found", "no such department");
        } else if let Some(id) = self_id
            && store::department_subtree(tx, id).await?.contains(&p)
        {
            c.push(
                "parent_id",
                "cycle",
                "a department cannot be moved under itself or one of its sub-departments",
            );
        }
    }
    if let Some(h) = v.head_person_id
        && !store::person_exists(tx, h).await?
    {
        c.push("head_person_id", "not_found", "no such person");
    }
    Ok(())
}

async fn code_unique(tx: &mut Tx, v: &DepartmentValues, self_id: Option<i64>) -> AppResult<()> {
    if let Some(code) = &v.code
        && store::department_code_taken(tx, code, self_id).await?
    {
        return Err(AppError::Conflict(format!(
            "code: a department with the code {code} already exists"
        )));
    }
    Ok(())
}

/// Creates a department. With `idem`, a retry of the same request replays the department it
/// created (the key is stored in this transaction); the same key with another body is refused.
pub async fn create_department(
    db: &Db,
    ctx: &Ctx,
    input: &DepartmentInput,
    idem: Option<&Idem>,
) -> AppResult<Department> {
    if !ctx.actor.can_manage_department(input.parent_id) {
        return Err(AppError::Forbidden("create a department there"));
    }
    let mut c = Checks::new();
    let v = DepartmentValues::from_input(input).validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_department(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    check_department_refs(&mut tx, &mut c, &v, None).await?;
    c.finish()?;
    code_unique(&mut tx, &v, None).await?;
    let id = store::insert_department(&mut tx, &v, ctx.now_ms).await?;
    let d = store::get_department(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "department.create",
        "department",
        Some(id),
        None,
        json(&d),
    )
    .await?;
    let location = format!("/api/v1/departments/{id}");
    idempotency::remember(&mut tx, idem, 201, id, &location, ctx.now_ms).await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn update_department(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &DepartmentPatch,
) -> AppResult<Department> {
    let mut tx = db.write().await?;
    let before = store::get_department(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx.actor.can_manage_department(Some(id)) {
        return Err(AppError::Forbidden("edit this department"));
    }
    if let Some(new_parent) = patch.parent_id
        && new_parent != before.parent_id
        && !ctx.actor.can_manage_department(new_parent)
    {
        return Err(AppError::Forbidden(
            "move a department outside your departments",
        ));
    }
    let mut c = Checks::new();
    let v = DepartmentValues::from_department(&before)
        .apply(patch)
        .validate(&mut c);
    check_department_refs(&mut tx, &mut c, &v, Some(id)).await?;
    c.finish()?;
    code_unique(&mut tx, &v, Some(id)).await?;
    if store::update_department(&mut tx, id, expected_version, &v, ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_department(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "department.update",
        "department",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an empty department (no sub-departments, people or tasks). `expected_version`,
/// when given, must match.
pub async fn delete_department(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: Option<i64>,
) -> AppResult<()> {
    if !ctx.actor.can_delete_department() {
        return Err(AppError::Forbidden("delete departments"));
    }
    let mut tx = db.write().await?;
    let before = store::get_department(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(AppError::PreconditionFailed);
    }
    let (children, people, tasks) = store::department_dependents(&mut tx, id).await?;
    let mut why = Vec::new();
    if children > 0 {
        why.push(format!("{children} sub-department(s)"));
    }
    if people > 0 {
        why.push(format!("{people} people"));
    }
    if tasks > 0 {
        why.push(format!("{tasks} task(s)"));
    }
    if !why.is_empty() {
        return Err(AppError::Conflict(format!(
            "the department still has {}; move or delete them first",
            why.join(", ")
        )));
    }
    store::delete_department(&mut tx, id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "department.delete",
        "department",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- people

pub async fn get_person(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Person> {
    let mut tx = db.read().await?;
    store::get_person(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn cursor_key(f: &PersonFilter, key: &str) -> String {
    format!("{}|{}|{key}", f.sort.as_str(), u8::from(f.desc))
}

/// People with filters, sort and cursor pagination.
pub async fn list_people(db: &Db, _ctx: &Ctx, f: &PersonFilter) -> AppResult<Page<Person>> {
    let limit = clamp_limit(f.limit);
    let after = match f.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            let bad = || AppError::BadRequest("invalid cursor".into());
            let (k, id) = decode_cursor(c).ok_or_else(bad)?;
            let key = k
                .strip_prefix(&cursor_key(f, ""))
                .ok_or_else(bad)?
                .to_string();
            Some((key, id))
        }
        None => None,
    };
    let mut tx = db.read().await?;
    let departments = match f.department_id {
        Some(d) if f.include_sub => Some(store::department_subtree(&mut tx, d).await?),
        Some(d) => Some(vec![d]),
        None => None,
    };
    let mut items =
        store::list_people(&mut tx, f, departments.as_deref(), after, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items
            .last()
            .map(|p| encode_cursor(&cursor_key(f, &store::person_sort_key(f.sort, p)), p.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// References and uniqueness of person values (in the write transaction). Field problems go to
/// `c`; uniqueness is a `Conflict` naming the field.
async fn check_person_refs(
    tx: &mut Tx,
    c: &mut Checks,
    v: &PersonValues,
    self_id: Option<i64>,
) -> AppResult<()> {
    if let Some(d) = v.department_id
        && !store::department_exists(tx, d).await?
    {
        c.push("department_id", "not_found", "no such department");
    }
    if let Some(m) = v.manager_id {
        if Some(m) == self_id {
            c.push("manager_id", "self", "a person cannot be their own manager");
        } else if !store::person_exists(tx, m).await? {
            c.push("manager_id", "not_found", "no such person");
        } else if let Some(id) = self_id
            && store::manager_chain(tx, m).await?.contains(&id)
        {
            c.push(
                "manager_id",
                "cycle",
                "this person already manages that manager (directly or indirectly)",
            );
        }
    }
    if let Some(u) = v.user_id
        && !store::user_exists(tx, u).await?
    {
        c.push("user_id", "not_found", "no such user");
    }
    Ok(())
}

async fn person_unique(tx: &mut Tx, v: &PersonValues, self_id: Option<i64>) -> AppResult<()> {
    if store::employee_no_taken(tx, &v.employee_no, self_id).await? {
        return Err(AppError::Conflict(format!(
            "employee_no: a person with the employee number {} already exists",
            v.employee_no
        )));
    }
    if let Some(u) = v.user_id
        && store::user_linked_elsewhere(tx, u, self_id).await?
    {
        return Err(AppError::Conflict(
            "user_id: that user account is already linked to another person".into(),
        ));
    }
    Ok(())
}

/// Creates a person; `idem` as for [`create_department`].
pub async fn create_person(
    db: &Db,
    ctx: &Ctx,
    input: &PersonInput,
    idem: Option<&Idem>,
) -> AppResult<Person> {
    if !ctx.actor.can_manage_person(input.department_id) {
        return Err(AppError::Forbidden("create people in that department"));
    }
    if input.user_id.is_some() && !ctx.actor.can_manage_users() {
        return Err(AppError::Forbidden(forbidden_field("user_id")));
    }
    let mut c = Checks::new();
    let v = PersonValues::from_input(input).validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_person(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    check_person_refs(&mut tx, &mut c, &v, None).await?;
    c.finish()?;
    person_unique(&mut tx, &v, None).await?;
    let id = store::insert_person(&mut tx, &v, ctx.now_ms).await?;
    let p = store::get_person(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "person.create",
        "person",
        Some(id),
        None,
        json(&p),
    )
    .await?;
    let location = format!("/api/v1/people/{id}");
    idempotency::remember(&mut tx, idem, 201, id, &location, ctx.now_ms).await?;
    tx.commit().await?;
    Ok(p)
}

/// Which patch fields the actor may set on `before`, or why not at all.
fn check_person_patch(actor: &Actor, before: &Person, patch: &PersonPatch) -> AppResult<()> {
    let fields = patch.present_fields();
    if actor.is_admin() {
        return Ok(());
    }
    if actor.can_manage_person(before.department_id) {
        if fields.contains(&"user_id") {
            return Err(AppError::Forbidden(forbidden_field("user_id")));
        }
        if let Some(d) = patch.department_id
            && d != before.department_id
            && !actor.can_manage_person(d)
        {
            return Err(AppError::Forbidden("move a person out of your departments"));
        }
        return Ok(());
    }
    if actor.can_edit_own_contact(before.id) {
        if let Some(f) = fields.iter().find(|f| !OWN_CONTACT_FIELDS.contains(f)) {
            return Err(AppError::Forbidden(forbidden_field(f)));
        }
        return Ok(());
    }
    Err(AppError::Forbidden("edit this person"))
}

pub async fn update_person(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &PersonPatch,
) -> AppResult<Person> {
    let mut tx = db.write().await?;
    let before = store::get_person(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_person_patch(&ctx.actor, &before, patch)?;
    let mut c = Checks::new();
    let v = PersonValues::from_person(&before)
        .apply(patch)
        .validate(&mut c);
    check_person_refs(&mut tx, &mut c, &v, Some(id)).await?;
    c.finish()?;
    person_unique(&mut tx, &v, Some(id)).await?;
    if store::update_person(&mut tx, id, expected_version, &v, ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_person(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "person.update",
        "person",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Admins delete people; their tasks become unassigned, their reports lose their manager and
/// departments they headed lose their head.
pub async fn delete_person(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: Option<i64>,
) -> AppResult<()> {
    if !ctx.actor.can_delete_person() {
        return Err(AppError::Forbidden("delete people"));
    }
    let mut tx = db.write().await?;
    let before = store::get_person(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(AppError::PreconditionFailed);
    }
    store::clear_head(&mut tx, id, ctx.now_ms).await?;
    store::delete_person(&mut tx, id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "person.delete",
        "person",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The people `id` manages directly, by name.
pub async fn direct_reports(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Vec<Person>> {
    let mut tx = db.read().await?;
    Ok(store::direct_reports(&mut tx, id).await?)
}

/// Every person as a choice for a form's select (head, manager), by name.
pub async fn people_options(db: &Db, _ctx: &Ctx) -> AppResult<Vec<PersonOption>> {
    let mut tx = db.read().await?;
    Ok(store::people_options(&mut tx).await?)
}

// ---------------------------------------------------------------- history

/// The change history of a department (`entity = "department"`) or a person (`"person"`),
/// newest first, with a cursor. Readable by everyone who can read the record; 404 when the
/// record does not exist (any more).
pub async fn history(
    db: &Db,
    _ctx: &Ctx,
    entity: &str,
    id: i64,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<HistoryEntry>> {
    let limit = clamp_limit(limit);
    let before = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        ),
        None => None,
    };
    let mut tx = db.read().await?;
    let exists = match entity {
        "department" => store::department_exists(&mut tx, id).await?,
        "person" => store::person_exists(&mut tx, id).await?,
        _ => false,
    };
    if !exists {
        return Err(AppError::NotFound);
    }
    let mut items = store::history(&mut tx, entity, id, before, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|h| encode_cursor("", h.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

// ---------------------------------------------------------------- import

/// Creates the people of an import inside the kit's transaction `tx`: the policy per row (the
/// importer must be allowed to manage people in the row's department), departments by name or
/// code, managers by employee number (existing, or another row of the file), employee numbers
/// unique in the file and in the directory; one `person.create` audit event per person. Every
/// problem of every row is collected; any problem → `Err` and the kit rolls everything back.
pub async fn import_people(
    tx: &mut Tx,
    ctx: &Ctx,
    rows: Vec<(usize, crate::import::PersonRow)>,
) -> Result<usize, imports::ImportFailure> {
    use imports::{ImportFailure, RowError};
    let mut errs: Vec<RowError> = Vec::new();
    let departments = crate::import::DepartmentIndex::new(&store::list_departments(tx).await?);

    let mut first_row: std::collections::HashMap<&str, usize> = Default::default();
    for (n, r) in &rows {
        let no = r.values.employee_no.as_str();
        if let Some(first) = first_row.get(no) {
            errs.push(RowError::new(
                *n,
                "employee_no",
                "duplicate",
                format!("the employee number {no} is also in row {first}"),
            ));
        } else {
            first_row.insert(no, *n);
        }
    }
    let in_file: Vec<String> = first_row.keys().map(|s| s.to_string()).collect();
    let mut referenced: Vec<String> = rows
        .iter()
        .filter_map(|(_, r)| r.manager_no.clone())
        .collect();
    referenced.extend(in_file.iter().cloned());
    referenced.sort();
    referenced.dedup();
    let existing = store::ids_by_employee_no(tx, &referenced).await?;

    let mut resolved: Vec<PersonValues> = Vec::with_capacity(rows.len());
    for (n, r) in &rows {
        let mut v = r.values.clone();
        if existing.contains_key(&v.employee_no) {
            errs.push(RowError::new(
                *n,
                "employee_no",
                "taken",
                format!(
                    "a person with the employee number {} already exists",
                    v.employee_no
                ),
            ));
        }
        if let Some(d) = &r.department {
            match departments.find(d) {
                Ok(id) => v.department_id = Some(id),
                Err((code, why)) => errs.push(RowError::new(*n, "department", code, why)),
            }
        }
        let dept_ok = r.department.is_none() || v.department_id.is_some();
        if dept_ok && !ctx.actor.can_manage_person(v.department_id) {
            errs.push(RowError::new(
                *n,
                "department",
                "forbidden",
                "you may not add people to this department",
            ));
        }
        if let Some(m) = &r.manager_no
            && !existing.contains_key(m)
            && !first_row.contains_key(m.as_str())
        {
            errs.push(RowError::new(
                *n,
                "manager",
                "not_found",
                format!("no person has the employee number {m}"),
            ));
        }
        resolved.push(v);
    }
    let (order, cycle_errs) = crate::import::manager_order(&rows);
    errs.extend(cycle_errs);
    if !errs.is_empty() {
        return Err(ImportFailure::Rows(errs));
    }

    let mut created: std::collections::HashMap<String, i64> = Default::default();
    for i in order {
        let (_, r) = &rows[i];
        let v = &mut resolved[i];
        v.manager_id = r
            .manager_no
            .as_ref()
            .and_then(|m| existing.get(m).or_else(|| created.get(m)).copied());
        let id = store::insert_person(tx, v, ctx.now_ms).await?;
        created.insert(v.employee_no.clone(), id);
        let p = store::get_person(tx, id).await?.ok_or(AppError::NotFound)?;
        db::audit::log_change(tx, ctx, "person.create", "person", Some(id), None, json(&p)).await?;
    }
    Ok(rows.len())
}
