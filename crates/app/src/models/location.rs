//! `master.locations`: countries, regions and cities.

use serde::Serialize;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::{Decode, Postgres};
use utoipa::ToSchema;
use uuid::Uuid;

use super::sql_type::SqlType;
use super::table;

/// The level of a location (`master.locations.kind`, a text column with a CHECK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LocationKind {
    /// Top level.
    Country,
    /// Inside a country.
    Region,
    /// Inside a region.
    City,
}

impl SqlType for LocationKind {
    const SQL_TYPE: &'static str = "text";
}

impl sqlx::Type<Postgres> for LocationKind {
    fn type_info() -> PgTypeInfo {
        <&str as sqlx::Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as sqlx::Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for LocationKind {
    fn decode(value: PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <&str as Decode<Postgres>>::decode(value)? {
            "country" => Ok(LocationKind::Country),
            "region" => Ok(LocationKind::Region),
            "city" => Ok(LocationKind::City),
            other => Err(format!("unknown location kind {other:?}").into()),
        }
    }
}

table! {
    /// A row of `master.locations`, also its JSON form in `GET /api/locations`.
    #[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Location in "master"."locations" {
        /// Primary key.
        pub id: Uuid,
        /// The enclosing place; none for a country.
        pub parent_id: Option<Uuid>,
        /// Country, region or city.
        pub kind: LocationKind,
        /// Display name, unique among siblings.
        pub name: String,
        /// ISO 3166 code of a country or region, where one exists.
        pub code: Option<String>,
    }
}
