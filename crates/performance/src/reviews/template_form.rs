//! The question template on the new-cycle page, without JavaScript: one row per question,
//! prefilled with the standard template, plus blank rows (a row with an empty prompt is left
//! out), and one set of anchor labels for every rated question on the page's 1–5 scale (other
//! scales through the API). The service validates the result like an API template.
use super::model::{Direction, QuestionInput, QuestionKind, standard_template};
use kernel::{AppError, AppResult, Locale};

/// Blank rows offered under the standard template's.
pub const BLANK_ROWS: usize = 4;
/// The page's rating scale.
const PAGE_SCALE: usize = 5;
/// Row fields are read up to this index (the service caps the number of questions).
const MAX_ROWS: usize = 200;

pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

pub struct RowView {
    pub index: usize,
    pub direction: &'static str,
    pub kind: &'static str,
    pub section: String,
    pub prompt: String,
    pub competency: String,
    pub required: bool,
}

pub struct TemplateForm {
    pub rows: Vec<RowView>,
    /// (1-based point, label)
    pub anchors: Vec<(usize, String)>,
    pub directions: Vec<Choice>,
    pub kinds: Vec<Choice>,
}

/// The standard template as editable rows, then [`BLANK_ROWS`] blank ones.
pub fn standard_form(locale: Locale) -> TemplateForm {
    let std = standard_template();
    let anchors = std
        .iter()
        .find(|q| q.kind.is_rated())
        .map(|q| q.anchors.clone())
        .unwrap_or_default();
    let mut rows: Vec<RowView> = std
        .into_iter()
        .enumerate()
        .map(|(index, q)| RowView {
            index,
            direction: q.direction.as_str(),
            kind: q.kind.as_str(),
            section: q.section,
            prompt: q.prompt,
            competency: q.competency.unwrap_or_default(),
            required: q.required,
        })
        .collect();
    for _ in 0..BLANK_ROWS {
        rows.push(RowView {
            index: rows.len(),
            direction: Direction::Peer.as_str(),
            kind: QuestionKind::Text.as_str(),
            section: String::new(),
            prompt: String::new(),
            competency: String::new(),
            required: false,
        });
    }
    let t = |k: &str| ui::t(locale, k).to_string();
    TemplateForm {
        rows,
        anchors: anchors
            .into_iter()
            .enumerate()
            .map(|(i, a)| (i + 1, a))
            .collect(),
        directions: Direction::ALL
            .into_iter()
            .map(|d| Choice {
                value: d.as_str(),
                label: t(&format!("reviews.direction_{}", d.as_str())),
            })
            .collect(),
        kinds: [
            QuestionKind::Rating,
            QuestionKind::Competency,
            QuestionKind::Text,
        ]
        .into_iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: t(&format!("reviews.kind_{}", k.as_str())),
        })
        .collect(),
    }
}

/// The questions of a submitted form, in row order; rows without a prompt are left out. Errors
/// name the question as the API does (`questions[i].…`, `i` counting kept rows).
pub fn questions_from(p: &[(String, String)]) -> AppResult<Vec<QuestionInput>> {
    let get = |k: &str| {
        p.iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let anchors: Vec<String> = (1..=PAGE_SCALE)
        .map(|i| get(&format!("anchor_{i}")).unwrap_or_default())
        .collect();
    let mut out = Vec::new();
    for row in 0..MAX_ROWS {
        let Some(prompt) = get(&format!("q{row}_prompt")) else {
            break;
        };
        if prompt.is_empty() {
            continue;
        }
        let i = out.len();
        let direction = get(&format!("q{row}_direction"))
            .and_then(|d| Direction::parse(&d))
            .ok_or_else(|| {
                AppError::field(
                    format!("questions[{i}].direction"),
                    "invalid",
                    "self, manager, peer or upward",
                )
            })?;
        let kind = get(&format!("q{row}_kind"))
            .and_then(|k| QuestionKind::parse(&k))
            .ok_or_else(|| {
                AppError::field(
                    format!("questions[{i}].kind"),
                    "invalid",
                    "rating, competency or text",
                )
            })?;
        out.push(QuestionInput {
            direction,
            section: get(&format!("q{row}_section")).unwrap_or_default(),
            kind,
            prompt,
            competency: get(&format!("q{row}_competency")).filter(|c| !c.is_empty()),
            anchors: if kind.is_rated() {
                anchors.clone()
            } else {
                Vec::new()
            },
            required: get(&format!("q{row}_required")).is_some(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_pairs(f: &TemplateForm) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = f
            .anchors
            .iter()
            .map(|(i, a)| (format!("anchor_{i}"), a.clone()))
            .collect();
        for r in &f.rows {
            let i = r.index;
            p.push((format!("q{i}_direction"), r.direction.into()));
            p.push((format!("q{i}_kind"), r.kind.into()));
            p.push((format!("q{i}_section"), r.section.clone()));
            p.push((format!("q{i}_prompt"), r.prompt.clone()));
            p.push((format!("q{i}_competency"), r.competency.clone()));
            if r.required {
                p.push((format!("q{i}_required"), "1".into()));
            }
        }
        p
    }

    #[test]
    fn the_untouched_form_gives_back_the_standard_template() {
        let f = standard_form(Locale::En);
        assert_eq!(f.rows.len(), standard_template().len() + BLANK_ROWS);
        assert_eq!(
            questions_from(&form_pairs(&f)).unwrap(),
            standard_template()
        );
    }

    #[test]
    fn blank_rows_are_left_out_and_bad_choices_are_named() {
        let mut f = standard_form(Locale::En);
        f.rows.truncate(1);
        let mut p = form_pairs(&f);
        p.push(("q1_prompt".into(), String::new()));
        p.push(("q2_prompt".into(), "Ideas?".into()));
        p.push(("q2_direction".into(), "upward".into()));
        p.push(("q2_kind".into(), "text".into()));
        let qs = questions_from(&p).unwrap();
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[1].direction, Direction::Upward);
        assert!(qs[1].anchors.is_empty() && !qs[1].required);
        p.push(("q3_prompt".into(), "Odd".into()));
        p.push(("q3_direction".into(), "sideways".into()));
        match questions_from(&p) {
            Err(AppError::Validation(e)) => assert_eq!(e[0].field, "questions[2].direction"),
            other => panic!("{other:?}"),
        }
    }
}
