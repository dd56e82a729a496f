//! The page kit and the HTTP kit shared by every module: application state, the request
//! context extractor, problem+json errors, ETag/If-Match, JSON/query extractors that answer
//! bad input precisely, the shared layout ("chrome"), i18n text and the embedded assets.
pub mod api;
pub mod assets;
pub mod chrome;
pub mod error;
pub mod i18n;
pub mod multipart;
pub mod req;
pub mod state;

pub use api::{ApiJson, ApiQuery, IdempotencyKey, IfMatch, etag_for};
pub use chrome::Chrome;
pub use error::{ApiError, PageError};
pub use i18n::t;
pub use req::{Auth, Req, RequestInfo, Theme};
pub use state::{AppState, WebConfig};
