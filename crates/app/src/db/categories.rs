//! Queries on `master.categories`.

use sqlx::PgPool;

use crate::models::Category;

/// Every category, depth first: each parent before its children, siblings by
/// `sort_order` then name.
pub async fn list(pool: &PgPool) -> Result<Vec<Category>, sqlx::Error> {
    sqlx::query_as(
        "WITH RECURSIVE ordered AS ( \
             SELECT c.id, c.parent_id, c.slug, c.name, c.sort_order, \
                    row_number() OVER (PARTITION BY c.parent_id ORDER BY c.sort_order, c.name, c.id) AS pos \
             FROM master.categories AS c \
         ), tree AS ( \
             SELECT o.id, o.parent_id, o.slug, o.name, o.sort_order, ARRAY[o.pos] AS path \
             FROM ordered AS o WHERE o.parent_id IS NULL \
             UNION ALL \
             SELECT o.id, o.parent_id, o.slug, o.name, o.sort_order, t.path || o.pos \
             FROM ordered AS o JOIN tree AS t ON o.parent_id = t.id \
         ) \
         SELECT id, parent_id, slug, name, sort_order FROM tree ORDER BY path",
    )
    .fetch_all(pool)
    .await
}
