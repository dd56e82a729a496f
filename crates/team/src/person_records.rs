//! What the person page shows from training and recognition: the training record (only for
//! those the policy lets see it) and the latest kudos received (public).
use crate::recognition::model::Kudos;
use crate::training::model::TrainingRecord;
use kernel::{AppResult, Ctx};
use ui::AppState;

pub struct PersonRecords {
    pub training: Option<TrainingRecord>,
    pub kudos: Vec<Kudos>,
}

impl PersonRecords {
    pub fn enrol_status(&self, s: &str) -> &'static str {
        // The locale is applied by the template through `chrome.t`; this maps to the key.
        match s {
            "enrolled" => "tp.enrol_enrolled",
            "attended" => "tp.enrol_attended",
            "completed" => "tp.enrol_completed",
            "no_show" => "tp.enrol_no_show",
            _ => "tp.enrol_cancelled",
        }
    }
}

pub async fn load(st: &AppState, ctx: &Ctx, person_id: i64) -> AppResult<PersonRecords> {
    let training = crate::training::service::record_of(&st.db, ctx, person_id).await?;
    let kudos = crate::recognition::service::feed(
        &st.db,
        ctx,
        &crate::recognition::service::FeedQuery {
            to_person_id: Some(person_id),
            department_id: None,
            value_id: None,
            cursor: None,
            limit: Some(10),
        },
    )
    .await?
    .items;
    Ok(PersonRecords { training, kudos })
}
