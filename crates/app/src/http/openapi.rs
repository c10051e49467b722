//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes and
//! the DTOs' `ToSchema` derives.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::dto;
use super::error::ErrorBody;
use super::routes;
use crate::auth::cookie::SESSION_COOKIE;
use crate::domain::{Issue, IssueCode};
use crate::models::{Category, Location, LocationKind};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "strata application API",
        description = "The reference application of strata: accounts and sessions (`auth`), reference data \
                       (`master`) and items (`app`). Errors are `{\"error\", \"message\", \"issues\"?}`; \
                       validation errors (422) and malformed JSON (400) list each issue with its path."
    ),
    paths(
        routes::auth::register,
        routes::auth::login,
        routes::auth::logout,
        routes::auth::logout_all,
        routes::auth::me,
        routes::phone::start,
        routes::phone::verify,
        routes::reference::categories,
        routes::reference::locations,
        routes::items::list,
        routes::items::create,
        routes::items::get,
        routes::items::update,
        routes::items::delete,
        routes::docs::openapi_json,
        routes::health::health,
    ),
    components(schemas(
        ErrorBody, Issue, IssueCode,
        dto::RegisterRequest, dto::LoginRequest, dto::UserResponse,
        dto::PhoneStartRequest, dto::PhoneVerifyRequest, dto::PhoneStartResponse,
        dto::CategoryList, dto::LocationList, Category, Location, LocationKind,
        dto::ItemPage, dto::ItemResponse, dto::Owner, dto::CreateItemRequest, dto::UpdateItemRequest,
        routes::health::HealthResponse, routes::health::PrimaryHealth, routes::health::ReplicaHealth,
    )),
    modifiers(&SessionCookieScheme),
    tags(
        (name = "auth", description = "Accounts, sessions and phone verification (`auth` schema)"),
        (name = "reference", description = "Categories and locations (`master` schema)"),
        (name = "items", description = "Items with their owners (`app` joined with `auth`)"),
        (name = "meta", description = "This document, and the health of the databases"),
    )
)]
struct ApiDoc;

/// Declares the session cookie as the API's authentication scheme.
struct SessionCookieScheme;

impl Modify for SessionCookieScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "Set by register and login; HttpOnly, SameSite=Lax",
            ))),
        );
    }
}

/// The OpenAPI document of the whole API (served at `GET /api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
