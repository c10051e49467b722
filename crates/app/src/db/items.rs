//! Queries on `app.items`, each item joined with its owner in `auth.user`.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::{ItemChanges, ItemQuery, NewItem, Patch};
use crate::models::ItemWithOwner;

/// The select list of [`ItemWithOwner`] over `i` (an item) and `u` (its owner), as a
/// literal so that `concat!` builds whole statements at compile time.
macro_rules! item_with_owner {
    () => {
        "i.id, i.user_id, i.category_id, i.location_id, i.name, i.description, i.price_cents, \
         i.is_active, i.created_at, i.updated_at, u.display_name AS owner_display_name"
    };
}

/// What became of a write that only the owner may make.
#[derive(Debug)]
pub enum OwnerWrite<T> {
    /// Done.
    Done(T),
    /// No item has that id.
    NotFound,
    /// The item belongs to someone else; nothing changed.
    NotOwner,
}

/// One page of items matching `query`, newest first, plus at most one more row that
/// tells the caller there is a next page.
pub async fn list(pool: &PgPool, query: &ItemQuery) -> Result<Vec<ItemWithOwner>, sqlx::Error> {
    let mut sql: QueryBuilder<'_, Postgres> = QueryBuilder::new(concat!(
        "SELECT ",
        item_with_owner!(),
        " FROM app.items AS i JOIN auth.\"user\" AS u ON u.id = i.user_id WHERE TRUE"
    ));
    if let Some(active) = query.active {
        sql.push(" AND i.is_active = ").push_bind(active);
    }
    if let Some(category) = query.category {
        sql.push(
            " AND i.category_id IN (WITH RECURSIVE sub AS (SELECT c.id FROM master.categories AS c WHERE c.id = ",
        )
        .push_bind(category)
        .push(
            " UNION ALL SELECT c.id FROM master.categories AS c JOIN sub ON c.parent_id = sub.id) SELECT sub.id FROM sub)",
        );
    }
    if let Some(location) = query.location {
        sql.push(
            " AND i.location_id IN (WITH RECURSIVE sub AS (SELECT l.id FROM master.locations AS l WHERE l.id = ",
        )
        .push_bind(location)
        .push(
            " UNION ALL SELECT l.id FROM master.locations AS l JOIN sub ON l.parent_id = sub.id) SELECT sub.id FROM sub)",
        );
    }
    if let Some(owner) = query.owner {
        sql.push(" AND i.user_id = ").push_bind(owner);
    }
    if let Some(search) = &query.search {
        let pattern = like_pattern(search);
        sql.push(" AND (i.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR i.description ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(after) = query.after {
        sql.push(" AND (i.created_at, i.id) < (").push_bind(after.created_at).push(", ").push_bind(after.id).push(")");
    }
    sql.push(" ORDER BY i.created_at DESC, i.id DESC LIMIT ").push_bind(i64::from(query.limit) + 1);
    sql.build_query_as().fetch_all(pool).await
}

/// `%text%` with LIKE's wildcards in `text` escaped, so they match themselves.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The item with this id.
pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<ItemWithOwner>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT ",
        item_with_owner!(),
        " FROM app.items AS i JOIN auth.\"user\" AS u ON u.id = i.user_id WHERE i.id = $1"
    );
    sqlx::query_as(SQL).bind(id).fetch_optional(pool).await
}

/// Creates an item owned by `owner`. A missing category or location fails with a
/// foreign key violation (`items_category_id_fkey`, `items_location_id_fkey`).
pub async fn insert(pool: &PgPool, owner: Uuid, item: &NewItem) -> Result<ItemWithOwner, sqlx::Error> {
    const SQL: &str = concat!(
        "WITH i AS (INSERT INTO app.items (user_id, category_id, location_id, name, description, price_cents, is_active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *) SELECT ",
        item_with_owner!(),
        " FROM i JOIN auth.\"user\" AS u ON u.id = i.user_id"
    );
    sqlx::query_as(SQL)
        .bind(owner)
        .bind(item.category_id)
        .bind(item.location_id)
        .bind(item.name.as_str())
        .bind(item.description.as_ref().map(|d| d.as_str()))
        .bind(item.price_cents.map(|p| p.get()))
        .bind(item.is_active)
        .fetch_one(pool)
        .await
}

/// Applies `changes` to the item if `owner` owns it.
pub async fn update(
    pool: &PgPool,
    id: Uuid,
    owner: Uuid,
    changes: &ItemChanges,
) -> Result<OwnerWrite<ItemWithOwner>, sqlx::Error> {
    if changes.is_empty() {
        // Nothing to write: answer as the write would, without touching updated_at.
        return Ok(match get(pool, id).await? {
            None => OwnerWrite::NotFound,
            Some(item) if item.item.user_id != owner => OwnerWrite::NotOwner,
            Some(item) => OwnerWrite::Done(item),
        });
    }
    let mut sql: QueryBuilder<'_, Postgres> = QueryBuilder::new("WITH i AS (UPDATE app.items SET ");
    let mut set = sql.separated(", ");
    if let Some(name) = &changes.name {
        set.push("name = ").push_bind_unseparated(name.as_str().to_owned());
    }
    match &changes.description {
        Patch::Keep => {}
        Patch::Clear => {
            set.push("description = NULL");
        }
        Patch::Set(d) => {
            set.push("description = ").push_bind_unseparated(d.as_str().to_owned());
        }
    }
    match changes.price_cents {
        Patch::Keep => {}
        Patch::Clear => {
            set.push("price_cents = NULL");
        }
        Patch::Set(p) => {
            set.push("price_cents = ").push_bind_unseparated(p.get());
        }
    }
    for (column, patch) in [("category_id", &changes.category_id), ("location_id", &changes.location_id)] {
        match patch {
            Patch::Keep => {}
            Patch::Clear => {
                set.push(column).push_unseparated(" = NULL");
            }
            Patch::Set(value) => {
                set.push(column).push_unseparated(" = ").push_bind_unseparated(*value);
            }
        }
    }
    if let Some(active) = changes.is_active {
        set.push("is_active = ").push_bind_unseparated(active);
    }
    sql.push(" WHERE id = ").push_bind(id).push(" AND user_id = ").push_bind(owner).push(concat!(
        " RETURNING *) SELECT ",
        item_with_owner!(),
        " FROM i JOIN auth.\"user\" AS u ON u.id = i.user_id"
    ));
    match sql.build_query_as().fetch_optional(pool).await? {
        Some(item) => Ok(OwnerWrite::Done(item)),
        None => why_not_written(pool, id).await,
    }
}

/// Deletes the item if `owner` owns it.
pub async fn delete(pool: &PgPool, id: Uuid, owner: Uuid) -> Result<OwnerWrite<()>, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM app.items WHERE id = $1 AND user_id = $2").bind(id).bind(owner).execute(pool).await?;
    if done.rows_affected() == 1 { Ok(OwnerWrite::Done(())) } else { why_not_written(pool, id).await }
}

/// After a write scoped to the owner changed nothing: was the item missing, or not theirs?
async fn why_not_written<T>(pool: &PgPool, id: Uuid) -> Result<OwnerWrite<T>, sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app.items WHERE id = $1)").bind(id).fetch_one(pool).await?;
    Ok(if exists { OwnerWrite::NotOwner } else { OwnerWrite::NotFound })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_match_themselves() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
