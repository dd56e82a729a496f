//! JSON API plumbing: extractors that turn bad input into precise problems, ETags and
//! If-Match for optimistic concurrency, and the Idempotency-Key header.
use crate::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use kernel::AppError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON body; malformed JSON, wrong types and unknown fields become 400/422 problems that
/// name the field, never a plain-text rejection.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(
                AppError::BadRequest("Content-Type must be application/json".into()).into(),
            );
        }
        let bytes = read_body(Bytes::from_request(req, state).await)?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Refuses a body that is not declared as JSON (`application/json` or `…+json`).
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") || ct.contains("+json") {
        Ok(())
    } else {
        Err(AppError::BadRequest("Content-Type must be application/json".into()).into())
    }
}

/// Whether `If-None-Match` names `etag` or `*` (weak comparison): the client's copy is current.
pub fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    let Some(v) = headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let want = etag.trim_start_matches("W/");
    v.split(',')
        .map(str::trim)
        .any(|c| c == "*" || c.trim_start_matches("W/") == want)
}

/// Parses JSON with a nesting limit, mapping serde's errors to problems naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(AppError::BadRequest("the body is not valid UTF-8".into()).into());
    }
    if nesting_depth(bytes) > 32 {
        return Err(AppError::BadRequest("JSON nested too deeply (limit 32)".into()).into());
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error_lite(de).map_err(ApiError)
}

fn serde_path_to_error_lite<'de, T: DeserializeOwned>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
) -> Result<T, AppError> {
    let v = T::deserialize(&mut *de).map_err(json_problem)?;
    de.end().map_err(json_problem)?;
    Ok(v)
}

fn json_problem(e: serde_json::Error) -> AppError {
    use serde_json::error::Category;
    let msg = e.to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            AppError::BadRequest(format!("malformed JSON: {msg}"))
        }
        Category::Data => {
            // serde names the offending field in its message: `unknown field `x``, `missing field `y``,
            // `invalid type: … at line…`. Pull the field name out for the problem's `errors`.
            let field = msg
                .split('`')
                .nth(1)
                .filter(|_| msg.starts_with("unknown field") || msg.starts_with("missing field"))
                .unwrap_or("body")
                .to_string();
            let code = if msg.starts_with("unknown field") {
                "unknown_field"
            } else if msg.starts_with("missing field") {
                "required"
            } else {
                "invalid_type"
            };
            let detail = msg.split(" at line").next().unwrap_or(&msg).to_string();
            AppError::field(field, code, detail)
        }
    }
}

fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Query-string parameters; a bad value is a 422 problem naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(ApiQuery)
            .map_err(|e| query_problem(q, &e))
    }
}

/// A query-string parse error as a problem naming the parameter. serde names the field for
/// unknown/missing fields, but for a bad enum value it names only the value, so the parameter
/// carrying that value is looked up in the query.
pub fn query_problem(query: &str, e: &serde_urlencoded::de::Error) -> ApiError {
    let msg = e.to_string();
    let quoted = msg.split('`').nth(1).unwrap_or("query").to_string();
    let field = if msg.starts_with("unknown variant") {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .unwrap_or_default()
            .into_iter()
            .find(|(_, v)| *v == quoted)
            .map_or(quoted, |(k, _)| k)
    } else {
        quoted
    };
    ApiError(AppError::field(field, "invalid_query", msg))
}

/// The strong ETag of a record version.
pub fn etag_for(id: i64, version: i64) -> String {
    format!("\"{id}-{version}\"")
}

/// `r` with an `ETag` header.
pub fn with_etag(mut r: Response, etag: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// A record as JSON with its version's ETag (the answer to a read, an update or an action).
pub fn versioned<T: Serialize>(status: StatusCode, body: T, id: i64, version: i64) -> Response {
    with_etag((status, Json(body)).into_response(), &etag_for(id, version))
}

/// 200 with the record and its ETag, or 304 when `If-None-Match` already names this version.
pub fn read_response<T: Serialize>(
    headers: &HeaderMap,
    body: T,
    id: i64,
    version: i64,
) -> Response {
    let etag = etag_for(id, version);
    if none_match(headers, &etag) {
        return with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag);
    }
    with_etag(Json(body).into_response(), &etag)
}

/// 201 with the new record, its `Location` and its ETag.
pub fn created<T: Serialize>(body: T, location: &str, id: i64, version: i64) -> Response {
    let mut r = versioned(StatusCode::CREATED, body, id, version);
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// 201 with the new record and its `Location`, for records that have no version (never updated).
pub fn created_at<T: Serialize>(location: &str, body: T) -> Response {
    let mut r = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A body that could not be read: too large (413) or cut off (400), as problems.
pub fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError(AppError::PayloadTooLarge)
        } else {
            ApiError(AppError::BadRequest(
                "the request body could not be read".into(),
            ))
        }
    })
}

/// A create's JSON input and its raw bytes (the Idempotency-Key fingerprint), for handlers that
/// take the body as `Result<Bytes, BytesRejection>` so that a wrong `Content-Type` is named first.
pub fn json_request<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(T, Bytes), ApiError> {
    require_json(headers)?;
    let body = read_body(body)?;
    Ok((parse_json(&body)?, body))
}

/// The raw body of a create (kept for the Idempotency-Key fingerprint), checked to be JSON.
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    require_json(headers)?;
    parse_json(body)
}

/// The version an update was based on, from `If-Match`. Missing → 428; unparsable → 412.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let v = parts
            .headers
            .get(axum::http::header::IF_MATCH)
            .ok_or(ApiError(AppError::PreconditionRequired))?;
        let s = v
            .to_str()
            .map_err(|_| ApiError(AppError::PreconditionFailed))?;
        parse_if_match(s)
            .map(IfMatch)
            .ok_or(ApiError(AppError::PreconditionFailed))
    }
}

/// `"12-3"` or `W/"12-3"` → 3 (the version part).
pub fn parse_if_match(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches("W/").trim_matches('"');
    s.rsplit_once('-')?.1.parse().ok()
}

/// The optional `Idempotency-Key` of a create (1–255 visible ASCII characters).
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        idempotency_key(&parts.headers).map(IdempotencyKey)
    }
}

fn idempotency_key(h: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = h.get("idempotency-key") else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("").trim_matches('"');
    if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(AppError::field(
            "Idempotency-Key",
            "invalid",
            "must be 1-255 visible ASCII characters",
        )
        .into());
    }
    Ok(Some(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct In {
        title: String,
        n: Option<i64>,
    }

    fn err<T: DeserializeOwned + std::fmt::Debug>(s: &str) -> AppError {
        parse_json::<T>(s.as_bytes()).unwrap_err().0
    }

    #[test]
    fn json_problems_name_the_field() {
        match err::<In>(r#"{"title":"a","bogus":1}"#) {
            AppError::Validation(f) => {
                assert_eq!((f[0].field.as_str(), f[0].code), ("bogus", "unknown_field"))
            }
            e => panic!("{e:?}"),
        }
        match err::<In>(r#"{"n":1}"#) {
            AppError::Validation(f) => {
                assert_eq!((f[0].field.as_str(), f[0].code), ("title", "required"))
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(err::<In>(r#"{"title":"#), AppError::BadRequest(_)));
        assert!(matches!(
            err::<In>(r#"{"title":1}"#),
            AppError::Validation(_)
        ));
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(matches!(
            err::<serde_json::Value>(&deep),
            AppError::BadRequest(_)
        ));
        assert!(parse_json::<In>(br#"{"title":"ok"}"#).is_ok());
    }

    #[test]
    fn if_none_match_variants() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(axum::http::header::IF_NONE_MATCH, v.parse().unwrap());
            h
        };
        let e = etag_for(1, 2);
        assert!(!none_match(&HeaderMap::new(), &e));
        assert!(none_match(&with("\"1-2\""), &e));
        assert!(none_match(&with("W/\"1-2\", \"3-4\""), &e));
        assert!(none_match(&with("\"3-7\", W/\"1-2\""), &e));
        assert!(none_match(&with("*"), &e));
        assert!(!none_match(&with("\"1-3\""), &e));
        let mut json = HeaderMap::new();
        json.insert(
            axum::http::header::CONTENT_TYPE,
            "application/merge-patch+json".parse().unwrap(),
        );
        assert!(require_json(&json).is_ok());
        assert!(require_json(&HeaderMap::new()).is_err());
    }

    #[test]
    fn query_problems_name_the_parameter() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "lowercase")]
        #[allow(dead_code)]
        enum F {
            Csv,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Q {
            format: Option<F>,
        }
        let q = "format=pdf";
        let e = serde_urlencoded::from_str::<Q>(q).unwrap_err();
        match query_problem(q, &e).0 {
            AppError::Validation(f) => assert_eq!(f[0].field, "format"),
            other => panic!("{other:?}"),
        }
        let q = "bogus=1";
        let e = serde_urlencoded::from_str::<Q>(q).unwrap_err();
        match query_problem(q, &e).0 {
            AppError::Validation(f) => assert_eq!(f[0].field, "bogus"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn if_match_versions() {
        assert_eq!(parse_if_match(&etag_for(12, 3)), Some(3));
        assert_eq!(parse_if_match("W/\"12-7\""), Some(7));
        assert_eq!(parse_if_match("*"), None);
    }
}
