//! Recognition types (no I/O).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_MESSAGE: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanyValue {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Kudos {
    pub id: i64,
    pub from_person_id: i64,
    pub from_name: String,
    pub to_person_id: i64,
    pub to_name: String,
    pub value_id: i64,
    pub value_name: String,
    pub message: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KudosInput {
    pub to_person_id: i64,
    pub value_id: i64,
    pub message: String,
}
