//! The shared vocabulary of opsdesk: time, errors, the access policy, i18n and validation.
//! Nothing here does I/O or knows HTTP; every other crate may depend on it.
pub mod clock;
pub mod ctx;
pub mod dates;
pub mod error;
pub mod i18n;
pub mod page;
pub mod policy;
pub mod validate;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ctx::Ctx;
pub use error::{AppError, AppResult, FieldError};
pub use i18n::Locale;
pub use policy::{Actor, Role};
