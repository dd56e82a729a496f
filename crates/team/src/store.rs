//! The directory's SQL (departments, people).
use crate::model::{
    Department, DepartmentValues, Person, PersonFilter, PersonOption, PersonSort, PersonValues,
};
use db::audit::HistoryEntry;
use db::sql::{Sql, like_pattern};
use db::{DbError, Row, Tx, Val};

// ---------------------------------------------------------------- departments

const DEPT_SELECT: &str = "SELECT d.id, d.name, d.code, d.parent_id, pd.name AS parent_name, d.head_person_id, \
     h.name AS head_name, d.description, \
     (SELECT COUNT(*) FROM people pc WHERE pc.department_id = d.id) AS people_count, \
     d.version, d.created_at, d.updated_at \
     FROM departments d LEFT JOIN departments pd ON pd.id = d.parent_id \
     LEFT JOIN people h ON h.id = d.head_person_id";

fn dept_row(r: &Row) -> Result<Department, DbError> {
    Ok(Department {
        id: r.i64("id")?,
        name: r.string("name")?,
        code: r.opt_string("code")?,
        parent_id: r.opt_i64("parent_id")?,
        parent_name: r.opt_string("parent_name")?,
        head_person_id: r.opt_i64("head_person_id")?,
        head_name: r.opt_string("head_name")?,
        description: r.opt_string("description")?,
        people_count: r.i64("people_count")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn list_departments(tx: &mut Tx) -> Result<Vec<Department>, DbError> {
    tx.fetch_all(&format!("{DEPT_SELECT} ORDER BY d.name, d.id"), &[])
        .await?
        .iter()
        .map(dept_row)
        .collect()
}

pub async fn get_department(tx: &mut Tx, id: i64) -> Result<Option<Department>, DbError> {
    tx.fetch_opt(&format!("{DEPT_SELECT} WHERE d.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(dept_row)
        .transpose()
}

pub async fn department_exists(tx: &mut Tx, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM departments WHERE id = $1",
            &[id.into()],
        )
        .await?
        > 0)
}

pub async fn department_code_taken(
    tx: &mut Tx,
    code: &str,
    except_id: Option<i64>,
) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM departments WHERE code = $1 AND id <> $2",
            &[code.into(), except_id.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

pub async fn insert_department(
    tx: &mut Tx,
    v: &DepartmentValues,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO departments (name, code, parent_id, head_person_id, description, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id",
        &[
            v.name.as_str().into(),
            v.code.clone().into(),
            v.parent_id.into(),
            v.head_person_id.into(),
            v.description.clone().into(),
            now.into(),
        ],
    )
    .await
}

/// Optimistic update; returns the rows changed (0 = stale version or gone).
pub async fn update_department(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &DepartmentValues,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE departments SET name = $1, code = $2, parent_id = $3, head_person_id = $4, description = $5, \
         updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
        &[
            v.name.as_str().into(),
            v.code.clone().into(),
            v.parent_id.into(),
            v.head_person_id.into(),
            v.description.clone().into(),
            now.into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await
}

pub async fn delete_department(tx: &mut Tx, id: i64) -> Result<u64, DbError> {
    tx.execute("DELETE FROM departments WHERE id = $1", &[id.into()])
        .await
}

/// (sub-departments, people, tasks) that refer to the department.
pub async fn department_dependents(tx: &mut Tx, id: i64) -> Result<(i64, i64, i64), DbError> {
    let r = tx
        .fetch_one(
            "SELECT (SELECT COUNT(*) FROM departments WHERE parent_id = $1) AS children, \
             (SELECT COUNT(*) FROM people WHERE department_id = $1) AS people, \
             (SELECT COUNT(*) FROM tasks WHERE department_id = $1) AS tasks",
            &[id.into()],
        )
        .await?;
    Ok((r.i64("children")?, r.i64("people")?, r.i64("tasks")?))
}

/// The department and all its descendants (ids ascending).
pub async fn department_subtree(tx: &mut Tx, id: i64) -> Result<Vec<i64>, DbError> {
    let rows = tx
        .fetch_all(
            "WITH RECURSIVE sub(id) AS (SELECT id FROM departments WHERE id = $1 \
             UNION SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) \
             SELECT id FROM sub ORDER BY id",
            &[id.into()],
        )
        .await?;
    rows.iter().map(|r| r.i64("id")).collect()
}

/// Clears `head_person_id` wherever the person heads a department (the column has no FK).
pub async fn clear_head(tx: &mut Tx, person_id: i64, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE departments SET head_person_id = NULL, updated_at = $1, version = version + 1 \
         WHERE head_person_id = $2",
        &[now.into(), person_id.into()],
    )
    .await
}

pub async fn set_head(
    tx: &mut Tx,
    department_id: i64,
    person_id: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE departments SET head_person_id = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        &[person_id.into(), now.into(), department_id.into()],
    )
    .await
}

// ---------------------------------------------------------------- people

const PERSON_SELECT: &str = "SELECT p.id, p.user_id, p.employee_no, p.name, p.name_zh, p.department_id, \
     d.name AS department_name, p.position, p.manager_id, m.name AS manager_name, p.email, p.phone, \
     p.hire_date, p.active, p.employment_type, p.location, p.languages, p.weekly_hours, \
     p.version, p.created_at, p.updated_at \
     FROM people p LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN people m ON m.id = p.manager_id";

fn person_row(r: &Row) -> Result<Person, DbError> {
    Ok(Person {
        id: r.i64("id")?,
        user_id: r.opt_i64("user_id")?,
        employee_no: r.string("employee_no")?,
        name: r.string("name")?,
        name_zh: r.opt_string("name_zh")?,
        department_id: r.opt_i64("department_id")?,
        department_name: r.opt_string("department_name")?,
        position: r.opt_string("position")?,
        manager_id: r.opt_i64("manager_id")?,
        manager_name: r.opt_string("manager_name")?,
        email: r.opt_string("email")?,
        phone: r.opt_string("phone")?,
        hire_date: r.opt_string("hire_date")?,
        active: r.bool("active")?,
        employment_type: r.opt_string("employment_type")?,
        location: r.opt_string("location")?,
        languages: crate::org::model::split_languages(r.opt_string("languages")?.as_deref()),
        weekly_hours: r.f64("weekly_hours")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn get_person(tx: &mut Tx, id: i64) -> Result<Option<Person>, DbError> {
    tx.fetch_opt(&format!("{PERSON_SELECT} WHERE p.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(person_row)
        .transpose()
}

pub async fn person_by_user(
    tx: &mut Tx,
    user_id: i64,
) -> Result<Option<(i64, Option<i64>)>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT id, department_id FROM people WHERE user_id = $1",
            &[user_id.into()],
        )
        .await?;
    r.map(|r| Ok((r.i64("id")?, r.opt_i64("department_id")?)))
        .transpose()
}

pub async fn person_exists(tx: &mut Tx, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM people WHERE id = $1",
            &[id.into()],
        )
        .await?
        > 0)
}

pub async fn user_exists(tx: &mut Tx, user_id: i64) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1",
            &[user_id.into()],
        )
        .await?
        > 0)
}

pub async fn employee_no_taken(
    tx: &mut Tx,
    no: &str,
    except_id: Option<i64>,
) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM people WHERE employee_no = $1 AND id <> $2",
            &[no.into(), except_id.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

pub async fn user_linked_elsewhere(
    tx: &mut Tx,
    user_id: i64,
    except_id: Option<i64>,
) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM people WHERE user_id = $1 AND id <> $2",
            &[user_id.into(), except_id.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

/// The chain of managers above `person_id` (its manager, theirs, …), cycle-safe.
pub async fn manager_chain(tx: &mut Tx, person_id: i64) -> Result<Vec<i64>, DbError> {
    let rows = tx
        .fetch_all(
            "WITH RECURSIVE up(id) AS (SELECT manager_id FROM people WHERE id = $1 AND manager_id IS NOT NULL \
             UNION SELECT p.manager_id FROM people p JOIN up ON p.id = up.id WHERE p.manager_id IS NOT NULL) \
             SELECT id FROM up",
            &[person_id.into()],
        )
        .await?;
    rows.iter().map(|r| r.i64("id")).collect()
}

/// The row values of a person in column order: user_id … active, employment_type, location,
/// languages, weekly_hours, sort_key, search_key ($1–$17). The pinyin keys are derived here, so
/// every write path keeps them in step with the names.
fn person_args(v: &PersonValues) -> Vec<Val> {
    let keys = crate::org::model::name_keys(&v.name, v.name_zh.as_deref(), &v.employee_no);
    vec![
        v.user_id.into(),
        v.employee_no.as_str().into(),
        v.name.as_str().into(),
        v.name_zh.clone().into(),
        v.department_id.into(),
        v.position.clone().into(),
        v.manager_id.into(),
        v.email.clone().into(),
        v.phone.clone().into(),
        v.hire_date.clone().into(),
        v.active.into(),
        v.employment_type.clone().into(),
        v.location.clone().into(),
        crate::org::model::join_languages(&v.languages).into(),
        v.weekly_hours.into(),
        keys.sort_key.into(),
        keys.search_key.into(),
    ]
}

pub async fn insert_person(tx: &mut Tx, v: &PersonValues, now: i64) -> Result<i64, DbError> {
    let mut args = person_args(v);
    args.push(now.into());
    tx.insert_id(
        "INSERT INTO people (user_id, employee_no, name, name_zh, department_id, position, manager_id, email, \
         phone, hire_date, active, employment_type, location, languages, weekly_hours, sort_key, search_key, \
         created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18) \
         RETURNING id",
        &args,
    )
    .await
}

/// Inserts many people in one statement per chunk (demo/bulk loads); ids in input order.
pub async fn insert_people_bulk(
    tx: &mut Tx,
    rows: &[PersonValues],
    now: i64,
) -> Result<Vec<i64>, DbError> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(50) {
        let mut q = Sql::new(
            "INSERT INTO people (user_id, employee_no, name, name_zh, department_id, position, manager_id, email, \
             phone, hire_date, active, employment_type, location, languages, weekly_hours, sort_key, search_key, \
             created_at, updated_at) VALUES ",
        );
        let nowp = q.arg(now);
        for (i, v) in chunk.iter().enumerate() {
            let ps: Vec<String> = person_args(v).into_iter().map(|a| q.arg(a)).collect();
            q.push(&format!(
                "{}({},{nowp},{nowp})",
                if i > 0 { "," } else { "" },
                ps.join(",")
            ));
        }
        q.push(" RETURNING id");
        let got = tx.fetch_all(&q.text, &q.args).await?;
        let mut chunk_ids: Vec<i64> = got.iter().map(|r| r.i64("id")).collect::<Result<_, _>>()?;
        // RETURNING order is not guaranteed; ids are assigned in VALUES order on both backends.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

pub async fn update_person(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &PersonValues,
    now: i64,
) -> Result<u64, DbError> {
    let mut args = person_args(v);
    args.extend([now.into(), id.into(), expected_version.into()]);
    tx.execute(
        "UPDATE people SET user_id = $1, employee_no = $2, name = $3, name_zh = $4, department_id = $5, \
         position = $6, manager_id = $7, email = $8, phone = $9, hire_date = $10, active = $11, \
         employment_type = $12, location = $13, languages = $14, weekly_hours = $15, sort_key = $16, \
         search_key = $17, updated_at = $18, version = version + 1 WHERE id = $19 AND version = $20",
        &args,
    )
    .await
}

pub async fn set_manager(tx: &mut Tx, id: i64, manager_id: Option<i64>) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE people SET manager_id = $1 WHERE id = $2",
        &[manager_id.into(), id.into()],
    )
    .await
}

pub async fn delete_person(tx: &mut Tx, id: i64) -> Result<u64, DbError> {
    tx.execute("DELETE FROM people WHERE id = $1", &[id.into()])
        .await
}

/// The SQL expression a people sort uses (never NULL, so keyset comparisons hold).
fn person_sort_expr(s: PersonSort) -> &'static str {
    match s {
        PersonSort::Name => "p.sort_key",
        PersonSort::EmployeeNo => "p.employee_no",
        PersonSort::HireDate => "COALESCE(p.hire_date, '9999-12-31')",
    }
}

/// The sort key of a person as the cursor stores it.
pub fn person_sort_key(s: PersonSort, p: &Person) -> String {
    match s {
        PersonSort::Name => {
            crate::org::model::name_keys(&p.name, p.name_zh.as_deref(), &p.employee_no).sort_key
        }
        PersonSort::EmployeeNo => p.employee_no.clone(),
        PersonSort::HireDate => p.hire_date.clone().unwrap_or_else(|| "9999-12-31".into()),
    }
}

/// One page of people. `departments` (when `Some`) restricts to those departments;
/// `after` is the decoded keyset cursor (sort key, id).
pub async fn list_people(
    tx: &mut Tx,
    f: &PersonFilter,
    departments: Option<&[i64]>,
    after: Option<(String, i64)>,
    limit: i64,
) -> Result<Vec<Person>, DbError> {
    let mut q = Sql::new(PERSON_SELECT);
    q.push(" WHERE 1=1");
    if let Some(ds) = departments {
        let l = q.in_list(ds);
        q.push(&format!(" AND p.department_id IN {l}"));
    }
    if let Some(a) = f.active {
        q.and_eq("p.active = {}", a);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = q.arg(like_pattern(&text.to_lowercase()));
        // search_key holds the names, their pinyin and initials ("张三" → "zhangsan zs"), so one
        // LIKE finds a person by any of them.
        q.push(&format!(
            " AND (p.search_key LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(p.email, '')) LIKE {p} ESCAPE '\\')"
        ));
    }
    let key = person_sort_expr(f.sort);
    let (cmp, dir) = if f.desc { ("<", "DESC") } else { (">", "ASC") };
    if let Some((k, id)) = after {
        let kp = q.arg(k);
        let ip = q.arg(id);
        q.push(&format!(
            " AND ({key} {cmp} {kp} OR ({key} = {kp} AND p.id {cmp} {ip}))"
        ));
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY {key} {dir}, p.id {dir} LIMIT {lp}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(person_row)
        .collect()
}

/// The people `manager_id` manages directly, by name.
pub async fn direct_reports(tx: &mut Tx, manager_id: i64) -> Result<Vec<Person>, DbError> {
    tx.fetch_all(
        &format!("{PERSON_SELECT} WHERE p.manager_id = $1 ORDER BY p.name, p.id"),
        &[manager_id.into()],
    )
    .await?
    .iter()
    .map(person_row)
    .collect()
}

/// Every person, by name, as a form choice.
pub async fn people_options(tx: &mut Tx) -> Result<Vec<PersonOption>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT id, name, name_zh, employee_no, active FROM people ORDER BY name, id",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PersonOption {
                id: r.i64("id")?,
                name: r.string("name")?,
                name_zh: r.opt_string("name_zh")?,
                employee_no: r.string("employee_no")?,
                active: r.bool("active")?,
            })
        })
        .collect()
}

/// A record's audit history, newest first; `before_id` is the keyset cursor.
pub async fn history(
    tx: &mut Tx,
    entity: &str,
    id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<HistoryEntry>, DbError> {
    let mut q = Sql::new(
        "SELECT id, at, actor_name, action, before_json, after_json FROM audit_events WHERE outcome = 'ok'",
    );
    q.and_eq("entity = {}", entity);
    q.and_eq("entity_id = {}", id);
    if let Some(b) = before_id {
        q.and_eq("id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY id DESC LIMIT {l}"));
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(HistoryEntry {
                id: r.i64("id")?,
                at: r.i64("at")?,
                actor_name: r.string("actor_name")?,
                action: r.string("action")?,
                before: parse(r.opt_string("before_json")?),
                after: parse(r.opt_string("after_json")?),
            })
        })
        .collect()
}

/// The id of the user account `username`.
pub async fn user_id_by_username(tx: &mut Tx, username: &str) -> Result<Option<i64>, DbError> {
    tx.fetch_opt(
        "SELECT id FROM users WHERE username = $1",
        &[username.into()],
    )
    .await?
    .map(|r| r.i64("id"))
    .transpose()
}

/// Links a person to a user account (no version bump when it already is).
pub async fn link_user(
    tx: &mut Tx,
    person_id: i64,
    user_id: i64,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE people SET user_id = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND (user_id IS NULL OR user_id <> $1)",
        &[user_id.into(), now.into(), person_id.into()],
    )
    .await
}

/// Removes `user_id` from whichever person holds it, except `person_id`.
pub async fn unlink_user_elsewhere(
    tx: &mut Tx,
    user_id: i64,
    person_id: i64,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE people SET user_id = NULL, updated_at = $1, version = version + 1 WHERE user_id = $2 AND id <> $3",
        &[now.into(), user_id.into(), person_id.into()],
    )
    .await
}

/// Ids of the people with these employee numbers (numbers not found are absent).
pub async fn ids_by_employee_no(
    tx: &mut Tx,
    nos: &[String],
) -> Result<std::collections::HashMap<String, i64>, DbError> {
    let mut out = std::collections::HashMap::new();
    for chunk in nos.chunks(500) {
        let mut q = Sql::new("SELECT id, employee_no FROM people WHERE employee_no IN (");
        let ps: Vec<String> = chunk.iter().map(|n| q.arg(n.as_str())).collect();
        q.push(&ps.join(","));
        q.push(")");
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.insert(r.string("employee_no")?, r.i64("id")?);
        }
    }
    Ok(out)
}

/// A person as an import row names them: by employee number or by email (case-insensitive).
#[derive(Debug, Clone)]
pub struct PersonRef {
    pub id: i64,
    pub employee_no: String,
    pub email: Option<String>,
    pub department_id: Option<i64>,
}

/// The people whose employee number is in `nos` or whose email (lower-cased) is in `emails`.
pub async fn people_by_no_or_email(
    tx: &mut Tx,
    nos: &[String],
    emails: &[String],
) -> Result<Vec<PersonRef>, DbError> {
    let mut out = Vec::new();
    let row = |r: &Row| -> Result<PersonRef, DbError> {
        Ok(PersonRef {
            id: r.i64("id")?,
            employee_no: r.string("employee_no")?,
            email: r.opt_string("email")?,
            department_id: r.opt_i64("department_id")?,
        })
    };
    for (col, keys) in [("employee_no", nos), ("LOWER(email)", emails)] {
        for chunk in keys.chunks(500) {
            let mut q = Sql::new(&format!(
                "SELECT id, employee_no, email, department_id FROM people WHERE {col} IN ("
            ));
            let ps: Vec<String> = chunk.iter().map(|n| q.arg(n.as_str())).collect();
            q.push(&ps.join(","));
            q.push(")");
            for r in tx.fetch_all(&q.text, &q.args).await? {
                out.push(row(&r)?);
            }
        }
    }
    Ok(out)
}
