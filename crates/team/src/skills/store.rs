//! The skills matrix's SQL.
use crate::skills::model::{
    DevelopmentItem, DevelopmentItemInput, PersonSkill, PersonSkillInput, PositionSkill, Skill,
    SkillHead, SkillInput,
};
use db::sql::Sql;
use db::{DbError, Row, Tx};
use kernel::policy::Visibility;

const SKILL_SELECT: &str = "SELECT s.id, s.name, s.category, s.description, \
     (SELECT COUNT(*) FROM person_skills ps WHERE ps.skill_id = s.id) AS people_count, \
     s.version, s.created_at, s.updated_at FROM skills s";

fn skill_row(r: &Row) -> Result<Skill, DbError> {
    Ok(Skill {
        id: r.i64("id")?,
        name: r.string("name")?,
        category: r.string("category")?,
        description: r.opt_string("description")?,
        people_count: r.i64("people_count")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// The whole catalogue (small), by category then name.
pub async fn list_skills(tx: &mut Tx) -> Result<Vec<Skill>, DbError> {
    tx.fetch_all(
        &format!("{SKILL_SELECT} ORDER BY s.category, s.name, s.id"),
        &[],
    )
    .await?
    .iter()
    .map(skill_row)
    .collect()
}

pub async fn skill_heads(tx: &mut Tx, category: Option<&str>) -> Result<Vec<SkillHead>, DbError> {
    let mut q = Sql::new("SELECT id, name, category FROM skills WHERE 1=1");
    if let Some(c) = category {
        q.and_eq("category = {}", c);
    }
    q.push(" ORDER BY category, name, id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(SkillHead {
                id: r.i64("id")?,
                name: r.string("name")?,
                category: r.string("category")?,
            })
        })
        .collect()
}

pub async fn get_skill(tx: &mut Tx, id: i64) -> Result<Option<Skill>, DbError> {
    tx.fetch_opt(&format!("{SKILL_SELECT} WHERE s.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(skill_row)
        .transpose()
}

pub async fn skill_name_taken(
    tx: &mut Tx,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM skills WHERE LOWER(name) = LOWER($1) AND id <> $2",
            &[name.into(), except.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

pub async fn insert_skill(tx: &mut Tx, v: &SkillInput, now: i64) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO skills (name, category, description, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) RETURNING id",
        &[
            v.name.as_str().into(),
            v.category.as_str().into(),
            v.description.clone().into(),
            now.into(),
        ],
    )
    .await
}

pub async fn update_skill(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &SkillInput,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE skills SET name = $1, category = $2, description = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6",
        &[
            v.name.as_str().into(),
            v.category.as_str().into(),
            v.description.clone().into(),
            now.into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await
}

pub async fn delete_skill(tx: &mut Tx, id: i64) -> Result<u64, DbError> {
    tx.execute("DELETE FROM skills WHERE id = $1", &[id.into()])
        .await
}

fn person_skill_row(r: &Row) -> Result<PersonSkill, DbError> {
    Ok(PersonSkill {
        person_id: r.i64("person_id")?,
        skill_id: r.i64("skill_id")?,
        skill_name: r.string("skill_name")?,
        category: r.string("category")?,
        level: r.i64("level")?,
        evidence: r.opt_string("evidence")?,
        cert_expires: r.opt_string("cert_expires")?,
        updated_at: r.i64("updated_at")?,
    })
}

const PERSON_SKILL_SELECT: &str = "SELECT ps.person_id, ps.skill_id, s.name AS skill_name, s.category, ps.level, \
     ps.evidence, ps.cert_expires, ps.updated_at FROM person_skills ps JOIN skills s ON s.id = ps.skill_id";

pub async fn person_skills(tx: &mut Tx, person_id: i64) -> Result<Vec<PersonSkill>, DbError> {
    tx.fetch_all(
        &format!("{PERSON_SKILL_SELECT} WHERE ps.person_id = $1 ORDER BY s.category, s.name"),
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(person_skill_row)
    .collect()
}

pub async fn person_skill(
    tx: &mut Tx,
    person_id: i64,
    skill_id: i64,
) -> Result<Option<PersonSkill>, DbError> {
    tx.fetch_opt(
        &format!("{PERSON_SKILL_SELECT} WHERE ps.person_id = $1 AND ps.skill_id = $2"),
        &[person_id.into(), skill_id.into()],
    )
    .await?
    .as_ref()
    .map(person_skill_row)
    .transpose()
}

pub async fn upsert_person_skill(
    tx: &mut Tx,
    person_id: i64,
    skill_id: i64,
    v: &PersonSkillInput,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "INSERT INTO person_skills (person_id, skill_id, level, evidence, cert_expires, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (person_id, skill_id) DO UPDATE SET level = excluded.level, \
         evidence = excluded.evidence, cert_expires = excluded.cert_expires, updated_at = excluded.updated_at",
        &[
            person_id.into(),
            skill_id.into(),
            v.level.into(),
            v.evidence.clone().into(),
            v.cert_expires.clone().into(),
            now.into(),
        ],
    )
    .await
}

pub async fn delete_person_skill(
    tx: &mut Tx,
    person_id: i64,
    skill_id: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM person_skills WHERE person_id = $1 AND skill_id = $2",
        &[person_id.into(), skill_id.into()],
    )
    .await
}

pub async fn position_skills(
    tx: &mut Tx,
    position: Option<&str>,
) -> Result<Vec<PositionSkill>, DbError> {
    let mut q = Sql::new(
        "SELECT ps.position, ps.skill_id, s.name AS skill_name, ps.level FROM position_skills ps \
         JOIN skills s ON s.id = ps.skill_id WHERE 1=1",
    );
    if let Some(p) = position {
        q.and_eq("ps.position = {}", p);
    }
    q.push(" ORDER BY ps.position, s.name");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(PositionSkill {
                position: r.string("position")?,
                skill_id: r.i64("skill_id")?,
                skill_name: r.string("skill_name")?,
                level: r.i64("level")?,
            })
        })
        .collect()
}

pub async fn upsert_position_skill(
    tx: &mut Tx,
    position: &str,
    skill_id: i64,
    level: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "INSERT INTO position_skills (position, skill_id, level) VALUES ($1,$2,$3) \
         ON CONFLICT (position, skill_id) DO UPDATE SET level = excluded.level",
        &[position.into(), skill_id.into(), level.into()],
    )
    .await
}

pub async fn delete_position_skill(
    tx: &mut Tx,
    position: &str,
    skill_id: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM position_skills WHERE position = $1 AND skill_id = $2",
        &[position.into(), skill_id.into()],
    )
    .await
}

/// ` AND (<people in scope>)` for a `people p` alias: the same rule as
/// `Actor::can_see_person_capability`.
pub fn push_people_scope(q: &mut Sql, vis: &Visibility) {
    if let Visibility::Scoped {
        departments,
        person_id,
        ..
    } = vis
    {
        let l = q.in_list(departments);
        let own = q.arg(person_id.unwrap_or(0));
        q.push(&format!(" AND (p.department_id IN {l} OR p.id = {own})"));
    }
}

/// A person row of the matrix or the gap report.
pub struct PersonLine {
    pub id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub position: Option<String>,
    pub department_name: Option<String>,
    pub sort_key: String,
}

/// Active people the actor may see, in `departments` when given, by pinyin sort key; keyset
/// paged with `after` = (sort_key, id).
pub async fn people_lines(
    tx: &mut Tx,
    vis: &Visibility,
    departments: Option<&[i64]>,
    after: Option<(String, i64)>,
    limit: i64,
) -> Result<Vec<PersonLine>, DbError> {
    let mut q = Sql::new(
        "SELECT p.id, p.name, p.name_zh, p.position, d.name AS department_name, p.sort_key \
         FROM people p LEFT JOIN departments d ON d.id = p.department_id WHERE p.active = $1",
    );
    q.args.push(true.into());
    push_people_scope(&mut q, vis);
    if let Some(ds) = departments {
        let l = q.in_list(ds);
        q.push(&format!(" AND p.department_id IN {l}"));
    }
    if let Some((k, id)) = after {
        let kp = q.arg(k);
        let ip = q.arg(id);
        q.push(&format!(
            " AND (p.sort_key > {kp} OR (p.sort_key = {kp} AND p.id > {ip}))"
        ));
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY p.sort_key, p.id LIMIT {lp}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(PersonLine {
                id: r.i64("id")?,
                name: r.string("name")?,
                name_zh: r.opt_string("name_zh")?,
                position: r.opt_string("position")?,
                department_name: r.opt_string("department_name")?,
                sort_key: r.string("sort_key")?,
            })
        })
        .collect()
}

/// (person, skill, level, cert_expires) for the given people.
pub async fn levels_of(
    tx: &mut Tx,
    people: &[i64],
) -> Result<Vec<(i64, i64, i64, Option<String>)>, DbError> {
    let mut out = Vec::new();
    // Chunks keep the bind-parameter count far below both backends' limits.
    for chunk in people.chunks(500) {
        let mut q = Sql::new(
            "SELECT person_id, skill_id, level, cert_expires FROM person_skills WHERE person_id IN ",
        );
        let l = q.in_list(chunk);
        q.push(&l);
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push((
                r.i64("person_id")?,
                r.i64("skill_id")?,
                r.i64("level")?,
                r.opt_string("cert_expires")?,
            ));
        }
    }
    Ok(out)
}

/// (department, person) facts for the policy.
pub async fn person_department(
    tx: &mut Tx,
    person_id: i64,
) -> Result<Option<Option<i64>>, DbError> {
    tx.fetch_opt(
        "SELECT department_id FROM people WHERE id = $1",
        &[person_id.into()],
    )
    .await?
    .map(|r| r.opt_i64("department_id"))
    .transpose()
}

/// The development plan items a source (a review) wrote for a person, in its order.
pub async fn development_items(
    tx: &mut Tx,
    source: &str,
    source_id: i64,
) -> Result<Vec<DevelopmentItem>, DbError> {
    tx.fetch_all(
        "SELECT i.id, i.body, i.skill_id, s.name AS skill_name, i.target_level \
         FROM development_items i LEFT JOIN skills s ON s.id = i.skill_id \
         WHERE i.source = $1 AND i.source_id = $2 ORDER BY i.position, i.id",
        &[source.into(), source_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(DevelopmentItem {
            id: r.i64("id")?,
            text: r.string("body")?,
            skill_id: r.opt_i64("skill_id")?,
            skill_name: r.opt_string("skill_name")?,
            target_level: r.opt_i64("target_level")?,
        })
    })
    .collect()
}

/// Replaces a source's items for a person.
#[allow(clippy::too_many_arguments)]
pub async fn replace_development_items(
    tx: &mut Tx,
    source: &str,
    source_id: i64,
    person_id: i64,
    items: &[DevelopmentItemInput],
    by: Option<i64>,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "DELETE FROM development_items WHERE source = $1 AND source_id = $2",
        &[source.into(), source_id.into()],
    )
    .await?;
    for (pos, it) in items.iter().enumerate() {
        tx.execute(
            "INSERT INTO development_items (person_id, source, source_id, position, body, skill_id, \
             target_level, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            &[
                person_id.into(),
                source.into(),
                source_id.into(),
                (pos as i64).into(),
                it.text.as_str().into(),
                it.skill_id.into(),
                it.target_level.into(),
                by.into(),
                now.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// (person, department, skill, target level) of the development items with a skill, for the
/// given people.
pub async fn development_needs(
    tx: &mut Tx,
    people: &[i64],
) -> Result<Vec<(i64, Option<i64>, i64, i64)>, DbError> {
    let mut out = Vec::new();
    for chunk in people.chunks(500) {
        let mut q = Sql::new(
            "SELECT i.person_id, p.department_id, i.skill_id, i.target_level \
             FROM development_items i JOIN people p ON p.id = i.person_id \
             WHERE i.skill_id IS NOT NULL AND i.target_level IS NOT NULL AND i.person_id IN ",
        );
        let l = q.in_list(chunk);
        q.push(&l);
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push((
                r.i64("person_id")?,
                r.opt_i64("department_id")?,
                r.i64("skill_id")?,
                r.i64("target_level")?,
            ));
        }
    }
    Ok(out)
}
