//! The context every service call carries: who acts, when, and for which request.
use crate::{Actor, Locale, Role};

#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    /// "Now" from the injectable clock, fixed for the whole request.
    pub now_ms: i64,
    pub request_id: String,
    pub source_ip: Option<String>,
    pub locale: Locale,
}

impl Ctx {
    /// The system itself (CLI, jobs, demo loader): an admin without a user account.
    pub fn system(now_ms: i64) -> Ctx {
        Ctx {
            actor: Actor {
                user_id: 0,
                username: "system".into(),
                role: Role::Admin,
                person_id: None,
                department_id: None,
                scope: Vec::new(),
            },
            now_ms,
            request_id: "system".into(),
            source_ip: None,
            locale: Locale::En,
        }
    }

    /// The acting user's id for `created_by`/audit columns; `None` for the system.
    pub fn user_id(&self) -> Option<i64> {
        (self.actor.user_id != 0).then_some(self.actor.user_id)
    }
}
