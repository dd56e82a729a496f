//! The people and department lists as spreadsheets (`?format=csv|xlsx` on the list page and the
//! list API): the columns a user sees, in their language; the people export reads back through
//! the people import (same headers).
use crate::model::{Department, Person};
use imports::export::{Sheet, cell};
use kernel::Locale;
use ui::t;

pub fn people_sheet(locale: Locale, people: &[Person]) -> Sheet {
    let header = [
        "person.employee_no",
        "person.name",
        "person.name_zh",
        "imports.people_department",
        "person.position",
        "imports.people_manager",
        "person.email",
        "person.phone",
        "person.hire_date",
        "person.active",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let manager_no: std::collections::HashMap<i64, &str> = people
        .iter()
        .map(|p| (p.id, p.employee_no.as_str()))
        .collect();
    let rows = people
        .iter()
        .map(|p| {
            vec![
                p.employee_no.clone(),
                p.name.clone(),
                cell(&p.name_zh),
                cell(&p.department_name),
                cell(&p.position),
                // The manager by employee number (the import's key); by name when the manager
                // is not in the exported rows.
                p.manager_id
                    .and_then(|m| manager_no.get(&m).map(|s| s.to_string()))
                    .or_else(|| p.manager_name.clone())
                    .unwrap_or_default(),
                cell(&p.email),
                cell(&p.phone),
                cell(&p.hire_date),
                t(
                    locale,
                    if p.active {
                        "imports.yes"
                    } else {
                        "imports.no"
                    },
                )
                .to_string(),
            ]
        })
        .collect();
    Sheet {
        title: t(locale, "person.title").into(),
        header,
        rows,
    }
}

pub fn departments_sheet(locale: Locale, departments: &[Department]) -> Sheet {
    let header = [
        "dept.name",
        "dept.code",
        "dept.parent",
        "dept.head",
        "dept.members",
        "dept.description",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let rows = departments
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                cell(&d.code),
                cell(&d.parent_name),
                cell(&d.head_name),
                d.people_count.to_string(),
                cell(&d.description),
            ]
        })
        .collect();
    Sheet {
        title: t(locale, "dept.title").into(),
        header,
        rows,
    }
}
