//! The capability part of the demo company: a skill catalogue, the skills each position
//! requires, everyone's levels (with a few expired certificates), the 2026 working calendar
//! and some leave, so the matrix, the gap report and the heat map open filled.
use crate::capacity::model::LeaveInput;
use crate::skills::model::{PersonSkillInput, SkillInput};
use db::Db;
use kernel::{AppResult, Ctx};

/// (category, skill) — categories match the demo departments' work.
pub const SKILLS: &[(&str, &str)] = &[
    (
        "客户服务 Customer service",
        "客户沟通 Customer communication",
    ),
    ("客户服务 Customer service", "投诉处理 Complaint handling"),
    ("客户服务 Customer service", "质检 Quality inspection"),
    ("数据 Data", "Excel 数据分析 Excel analysis"),
    ("数据 Data", "SQL"),
    ("数据 Data", "BI 报表 BI reporting"),
    ("运营 Operations", "流程优化 Process improvement"),
    ("运营 Operations", "项目管理 Project management"),
    ("运营 Operations", "排班调度 Scheduling"),
    ("物流 Logistics", "仓储管理 Warehouse management"),
    ("物流 Logistics", "运输调度 Transport dispatch"),
    ("采购 Procurement", "供应商谈判 Supplier negotiation"),
    ("采购 Procurement", "合同管理 Contract management"),
    ("通用 General", "英语 English"),
    ("通用 General", "公文写作 Business writing"),
];

/// The skill indexes (into [`SKILLS`]) that a department's work needs, by department code
/// (teams "OPS-2" use their parent's "OPS").
pub fn department_skills(code: &str) -> &'static [usize] {
    match code.split('-').next().unwrap_or(code) {
        "GO" => &[6, 3, 14],
        "OPS" => &[6, 7, 3],
        "CS" => &[0, 1, 2],
        "LOG" => &[9, 10, 8],
        "PUR" => &[11, 12, 3],
        "MKT" => &[5, 0, 13],
        "FIN" => &[3, 4, 12],
        "HR" => &[14, 0, 7],
        "IT" => &[4, 5, 7],
        _ => &[3, 14],
    }
}

/// A small deterministic hash, so the demo is the same at every load.
pub fn mix(a: i64, b: i64) -> u64 {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_add(0x632B_E59B_D9B4_E019);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

/// Loads the capability demo into the demo company (after its people exist). Returns the
/// skill ids in [`SKILLS`] order.
pub async fn load(db: &Db, now: i64) -> AppResult<Vec<i64>> {
    let ctx = Ctx::system(now);
    let mut ids = Vec::new();
    for (cat, name) in SKILLS {
        let s = crate::skills::service::create_skill(
            db,
            &ctx,
            &SkillInput {
                name: name.to_string(),
                category: cat.to_string(),
                description: None,
            },
            None,
        )
        .await?;
        ids.push(s.id);
    }
    crate::capacity::service::import_calendar(db, &ctx, crate::capacity::CN_2026).await?;

    // Everyone's department code, position, and whether they head it.
    let rows = {
        let mut tx = db.read().await?;
        tx.fetch_all(
            "SELECT p.id, p.position, d.code, d.head_person_id FROM people p \
             JOIN departments d ON d.id = p.department_id WHERE p.active = $1 ORDER BY p.id",
            &[true.into()],
        )
        .await?
        .iter()
        .map(|r| {
            let id = r.i64("id")?;
            Ok((
                id,
                r.opt_string("position")?,
                r.opt_string("code")?.unwrap_or_default(),
                r.opt_i64("head_person_id")? == Some(id),
            ))
        })
        .collect::<Result<Vec<_>, db::DbError>>()?
    };
    let today = crate::skills::service::today(&ctx);
    let year: i32 = today[..4].parse().unwrap_or(2026);
    let mut tx = db.write().await?;
    let mut required = std::collections::HashSet::new();
    for (pid, position, code, head) in &rows {
        let own = department_skills(code);
        // Position requirements: the department's first two skills at level 3 (4 for heads).
        if let Some(pos) = position {
            for &k in &own[..2] {
                if required.insert((pos.clone(), k)) {
                    crate::skills::store::upsert_position_skill(
                        &mut tx,
                        pos,
                        ids[k],
                        if *head { 4 } else { 3 },
                    )
                    .await?;
                }
            }
        }
        // Levels: the department's skills mostly 2–5, one general skill, sometimes a gap.
        let mut mine: Vec<usize> = own.to_vec();
        mine.push(if pid % 2 == 0 { 13 } else { 14 });
        for (j, &k) in mine.iter().enumerate() {
            let h = mix(*pid, k as i64);
            if j < 3 && h.is_multiple_of(11) {
                continue; // missing: a gap in the matrix
            }
            let level = 1 + (h % 5) as i64 + i64::from(*head);
            let level = level.clamp(1, 5);
            let cert = h.is_multiple_of(7).then(|| {
                // Some certificates expired last year, others run to next year.
                if h.is_multiple_of(2) {
                    format!("{}-06-30", year - 1)
                } else {
                    format!("{}-12-31", year + 1)
                }
            });
            let v = PersonSkillInput {
                level,
                evidence: h
                    .is_multiple_of(3)
                    .then(|| "项目经验 Project experience".to_string()),
                cert_expires: cert,
            };
            crate::skills::store::upsert_person_skill(&mut tx, *pid, ids[k], &v, now).await?;
        }
    }
    tx.commit().await?;

    // Leave for a few people in the coming weeks, so the heat map shows it.
    let start = kernel::dates::date_of(now, 8);
    for (i, (pid, _, _, _)) in rows.iter().enumerate().filter(|(i, _)| i % 9 == 4).take(12) {
        let s = start + time::Duration::days(2 + (i as i64 % 20));
        let e = s + time::Duration::days(i as i64 % 4);
        crate::capacity::service::create_leave(
            db,
            &ctx,
            &LeaveInput {
                person_id: *pid,
                start_date: kernel::dates::format_date(s),
                end_date: kernel::dates::format_date(e),
                kind: ["annual", "sick", "personal", "training"][i % 4].to_string(),
                note: None,
            },
        )
        .await?;
    }
    Ok(ids)
}
