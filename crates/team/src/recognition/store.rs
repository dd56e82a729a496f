//! Recognition SQL.
use super::model::{CompanyValue, Kudos};
use db::sql::Sql;
use db::{DbError, Row, Tx};

fn value_row(r: &Row) -> Result<CompanyValue, DbError> {
    Ok(CompanyValue {
        id: r.i64("id")?,
        name: r.string("name")?,
        description: r.opt_string("description")?,
        active: r.bool("active")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

const VALUE_COLS: &str =
    "SELECT id, name, description, active, version, created_at, updated_at FROM company_values";

pub async fn list_values(tx: &mut Tx) -> Result<Vec<CompanyValue>, DbError> {
    tx.fetch_all(&format!("{VALUE_COLS} ORDER BY name, id"), &[])
        .await?
        .iter()
        .map(value_row)
        .collect()
}

pub async fn get_value(tx: &mut Tx, id: i64) -> Result<Option<CompanyValue>, DbError> {
    tx.fetch_opt(&format!("{VALUE_COLS} WHERE id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(value_row)
        .transpose()
}

pub async fn value_name_taken(
    tx: &mut Tx,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM company_values WHERE name = $1 AND id <> $2",
            &[name.into(), except.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

pub async fn insert_value(
    tx: &mut Tx,
    name: &str,
    description: Option<&str>,
    active: bool,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO company_values (name, description, active, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) RETURNING id",
        &[name.into(), description.into(), active.into(), now.into()],
    )
    .await
}

pub async fn update_value(
    tx: &mut Tx,
    id: i64,
    version: i64,
    name: &str,
    description: Option<&str>,
    active: bool,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE company_values SET name = $1, description = $2, active = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6",
        &[name.into(), description.into(), active.into(), now.into(), id.into(), version.into()],
    )
    .await
}

const KUDOS_SELECT: &str = "SELECT k.id, k.from_person_id, f.name AS from_name, k.to_person_id, t.name AS to_name, \
     k.value_id, v.name AS value_name, k.message, k.created_at FROM kudos k \
     JOIN people f ON f.id = k.from_person_id JOIN people t ON t.id = k.to_person_id \
     JOIN company_values v ON v.id = k.value_id";

fn kudos_row(r: &Row) -> Result<Kudos, DbError> {
    Ok(Kudos {
        id: r.i64("id")?,
        from_person_id: r.i64("from_person_id")?,
        from_name: r.string("from_name")?,
        to_person_id: r.i64("to_person_id")?,
        to_name: r.string("to_name")?,
        value_id: r.i64("value_id")?,
        value_name: r.string("value_name")?,
        message: r.string("message")?,
        created_at: r.i64("created_at")?,
    })
}

pub async fn get_kudos(tx: &mut Tx, id: i64) -> Result<Option<Kudos>, DbError> {
    tx.fetch_opt(&format!("{KUDOS_SELECT} WHERE k.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(kudos_row)
        .transpose()
}

/// Newest first; filters by receiver, receiver's departments, value.
pub async fn list_kudos(
    tx: &mut Tx,
    to_person_id: Option<i64>,
    departments: Option<&[i64]>,
    value_id: Option<i64>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Kudos>, DbError> {
    let mut q = Sql::new(&format!("{KUDOS_SELECT} WHERE 1=1"));
    if let Some(p) = to_person_id {
        q.and_eq("k.to_person_id = {}", p);
    }
    if let Some(ds) = departments {
        let list = q.in_list(ds);
        q.push(&format!(" AND t.department_id IN {list}"));
    }
    if let Some(v) = value_id {
        q.and_eq("k.value_id = {}", v);
    }
    if let Some(b) = before_id {
        q.and_eq("k.id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY k.id DESC LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(kudos_row)
        .collect()
}

pub async fn insert_kudos(
    tx: &mut Tx,
    from: i64,
    to: i64,
    value_id: i64,
    message: &str,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO kudos (from_person_id, to_person_id, value_id, message, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id",
        &[from.into(), to.into(), value_id.into(), message.into(), now.into()],
    )
    .await
}

/// The user account of a person, to notify them.
pub async fn user_of(tx: &mut Tx, person_id: i64) -> Result<Option<i64>, DbError> {
    Ok(tx
        .fetch_opt(
            "SELECT user_id FROM people WHERE id = $1",
            &[person_id.into()],
        )
        .await?
        .map(|r| r.opt_i64("user_id"))
        .transpose()?
        .flatten())
}
