//! The OpenAPI 3.1 document: every `/api/v1` route is registered through `utoipa_axum`, so a
//! route cannot exist without its documentation (a test also checks the reverse).
use ui::AppState;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_axum::router::OpenApiRouter;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(identity::api::router())
        .merge(notify::api::router())
        .merge(team::api::router())
        .merge(team::hiring::api::router())
        .merge(team::training::api::router())
        .merge(team::recognition::api::router())
        .merge(team::one_on_one::api::router())
        .merge(work::api::router())
        .merge(performance::kpi::api::router())
        .merge(imports::api::router(import_registry()))
        .merge(team::capability_api())
        .merge(work::assign::api::router())
        .merge(performance::goals::api::router())
        .merge(performance::scorecards::api::router())
        .merge(performance::reviews::api::router())
        .merge(performance::reviews::calibration_api::router())
        .merge(performance::reviews::feedback::api::router())
        .merge(performance::reviews::reports::api::router())
}

/// Every kind of record that can be imported (`/imports/{kind}`, `/api/v1/imports/{kind}`).
/// A module adds its [`imports::Importer`] here.
pub fn import_registry() -> imports::Registry {
    imports::Registry::new()
        .with(team::import::PeopleImport)
        .with(team::skills::import::SkillLevelsImport)
        .with(team::training::import::TrainingRecordsImport)
        .with(performance::kpi::import::ActualsImport)
}

pub fn finish(mut doc: OpenApi) -> OpenApi {
    doc.info = InfoBuilder::new()
        .title("opsdesk API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "The operations manager's workbench. Authenticate with a personal API token \
             (`Authorization: Bearer opsdesk_pat_…`). Errors are RFC 9457 problem+json. Updates need \
             `If-Match` with the ETag of the version read (412 when stale, 428 when missing); creates \
             accept `Idempotency-Key`. Lists use cursor pagination (`cursor`, `limit`, `next_cursor`).",
        ))
        .build();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    components.schemas.insert(
        "Problem".into(),
        <ui::error::Problem as utoipa::PartialSchema>::schema(),
    );
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            problems_for_errors(op);
        }
    }
    doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    doc
}

/// Errors are served as `application/problem+json` (never `application/json`), and every
/// operation can answer 400 (a malformed path, query, cursor or body) and 401: say so once here
/// rather than in every module's annotations. Two more follow from shared extractors, so they are
/// documented here too: an operation with query parameters answers 422 for an unknown or invalid
/// one (`ApiQuery`), and a create with `Idempotency-Key` answers 404 when the record the key
/// first created has since been deleted or hidden from the caller (the replay has nothing to show).
fn problems_for_errors(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    for (status, resp) in op.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(r)) = (is_error, resp)
            && let Some(c) = r.content.shift_remove("application/json")
        {
            r.content.insert("application/problem+json".into(), c);
        }
    }
    let params: Vec<&utoipa::openapi::path::Parameter> = op
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .collect();
    let has_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let idempotent_create = params
        .iter()
        .any(|p| p.name == "Idempotency-Key" && matches!(p.parameter_in, ParameterIn::Header));
    let mut implied = vec![
        ("400", "Malformed request (path, query, cursor or body)"),
        ("401", "Missing or invalid credentials"),
    ];
    if has_query {
        implied.push(("422", "An unknown or invalid query parameter (named)"));
    }
    if idempotent_create {
        implied.push((
            "404",
            "The record first created with this Idempotency-Key has since been deleted or is no \
             longer visible to the caller",
        ));
    }
    for (status, what) in implied {
        op.responses
            .responses
            .entry(status.into())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(what)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}

/// Every (method, path) in the document, for tests and the permission matrix.
pub fn operations() -> Vec<(String, String)> {
    let (_, doc) = api_router().split_for_parts();
    let mut ops = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        for (m, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if op.is_some() {
                ops.push((m.to_string(), path.clone()));
            }
        }
    }
    ops
}
