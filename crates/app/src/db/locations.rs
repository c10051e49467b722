//! Queries on `master.locations`.

use sqlx::PgPool;

use crate::models::Location;

/// Every location, depth first: each country, then its regions, each followed by its
/// cities; siblings by name.
pub async fn list(pool: &PgPool) -> Result<Vec<Location>, sqlx::Error> {
    sqlx::query_as(
        "WITH RECURSIVE ordered AS ( \
             SELECT l.id, l.parent_id, l.kind, l.name, l.code, \
                    row_number() OVER (PARTITION BY l.parent_id ORDER BY l.name, l.id) AS pos \
             FROM master.locations AS l \
         ), tree AS ( \
             SELECT o.id, o.parent_id, o.kind, o.name, o.code, ARRAY[o.pos] AS path \
             FROM ordered AS o WHERE o.parent_id IS NULL \
             UNION ALL \
             SELECT o.id, o.parent_id, o.kind, o.name, o.code, t.path || o.pos \
             FROM ordered AS o JOIN tree AS t ON o.parent_id = t.id \
         ) \
         SELECT id, parent_id, kind, name, code FROM tree ORDER BY path",
    )
    .fetch_all(pool)
    .await
}
