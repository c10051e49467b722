//! Queries on `app.items`, each item joined with its owner in `auth.user`.

use std::borrow::Cow;
use std::sync::OnceLock;

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::Db;
use super::tree;
use crate::domain::{ItemChanges, ItemQuery, NewItem, Patch};
use crate::models::{Category, ItemWithOwner, Location, Table as _};

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
pub async fn list(pool: &Db, query: &ItemQuery) -> Result<Vec<ItemWithOwner>, sqlx::Error> {
    let sql = list_statement(Conditions::of(query), query.limit);
    // Bound in the order `list_sql` numbers the parameters.
    let mut statement = sqlx::query_as(&sql);
    if let Some(active) = query.active {
        statement = statement.bind(active);
    }
    if let Some(category) = query.category {
        statement = statement.bind(category);
    }
    if let Some(location) = query.location {
        statement = statement.bind(location);
    }
    if let Some(owner) = query.owner {
        statement = statement.bind(owner);
    }
    if let Some(search) = &query.search {
        statement = statement.bind(like_pattern(search));
    }
    if let Some(after) = query.after {
        statement = statement.bind(after.created_at).bind(after.id);
    }
    statement.fetch_all(pool).await
}

/// Which of the list's optional conditions a query has, one bit each: with the page
/// size, all that the statement's text depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Conditions(u8);

impl Conditions {
    const ACTIVE: u8 = 1;
    const CATEGORY: u8 = 1 << 1;
    const LOCATION: u8 = 1 << 2;
    const OWNER: u8 = 1 << 3;
    const SEARCH: u8 = 1 << 4;
    const AFTER: u8 = 1 << 5;
    /// How many sets of conditions there are.
    const COMBINATIONS: usize = 1 << 6;

    fn of(query: &ItemQuery) -> Conditions {
        let bit = |present: bool, bit: u8| if present { bit } else { 0 };
        Conditions(
            bit(query.active.is_some(), Self::ACTIVE)
                | bit(query.category.is_some(), Self::CATEGORY)
                | bit(query.location.is_some(), Self::LOCATION)
                | bit(query.owner.is_some(), Self::OWNER)
                | bit(query.search.is_some(), Self::SEARCH)
                | bit(query.after.is_some(), Self::AFTER),
        )
    }

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// The page sizes whose statements are kept: 1 to the API's default maximum `limit`.
const KEPT_PAGE_SIZES: usize = 100;

/// The list statements built so far, by page size and conditions, each built once.
static LIST_STATEMENTS: [[OnceLock<Box<str>>; Conditions::COMBINATIONS]; KEPT_PAGE_SIZES] =
    [const { [const { OnceLock::new() }; Conditions::COMBINATIONS] }; KEPT_PAGE_SIZES];

/// The list statement for these conditions and page size.
///
/// The page size is written into the text rather than bound: for a generic plan
/// PostgreSQL must guess a bound `LIMIT $n` (10% of the table) and on a table of any
/// size that plan loses to a custom one, so every execution was planned again (0.035 ms
/// of planning for 0.013 ms of execution). With the limit in the text, the first page
/// has no parameter at all and its plan is made once per connection. The sizes come
/// from a small validated range, so the texts are kept here: no formatting per request,
/// and few distinct statements for each connection's prepared-statement cache. A larger
/// `max_page_size` than the default still works, formatting those pages per request.
fn list_statement(conditions: Conditions, limit: u32) -> Cow<'static, str> {
    let kept = (limit as usize).checked_sub(1).and_then(|index| LIST_STATEMENTS.get(index));
    match kept {
        Some(by_conditions) => {
            Cow::Borrowed(by_conditions[usize::from(conditions.0)].get_or_init(|| list_sql(conditions, limit).into()))
        }
        None => Cow::Owned(list_sql(conditions, limit)),
    }
}

/// The text of the list statement: the present conditions with their values as
/// parameters `$1`, `$2`, ... in the order of [`Conditions`], and `limit + 1` rows.
fn list_sql(conditions: Conditions, limit: u32) -> String {
    let mut sql = String::from(concat!(
        "SELECT ",
        item_with_owner!(),
        " FROM app.items AS i JOIN auth.\"user\" AS u ON u.id = i.user_id WHERE TRUE"
    ));
    let mut parameters = 0;
    let mut next = || {
        parameters += 1;
        parameters
    };
    if conditions.has(Conditions::ACTIVE) {
        sql.push_str(&format!(" AND i.is_active = ${}", next()));
    }
    // A category or location matches the items in it and in every one below it.
    for (bit, column, table) in
        [(Conditions::CATEGORY, "category_id", Category::INFO), (Conditions::LOCATION, "location_id", Location::INFO)]
    {
        if conditions.has(bit) {
            sql.push_str(&format!(" AND i.{column} IN ({})", tree::subtree_ids_sql(&table, next())));
        }
    }
    if conditions.has(Conditions::OWNER) {
        sql.push_str(&format!(" AND i.user_id = ${}", next()));
    }
    if conditions.has(Conditions::SEARCH) {
        let pattern = next();
        sql.push_str(&format!(" AND (i.name ILIKE ${pattern} OR i.description ILIKE ${pattern})"));
    }
    if conditions.has(Conditions::AFTER) {
        sql.push_str(&format!(" AND (i.created_at, i.id) < (${}, ${})", next(), next()));
    }
    // One row more than the page, to tell whether there is a next page.
    sql.push_str(&format!(" ORDER BY i.created_at DESC, i.id DESC LIMIT {}", u64::from(limit) + 1));
    sql
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
pub async fn get(pool: &Db, id: Uuid) -> Result<Option<ItemWithOwner>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT ",
        item_with_owner!(),
        " FROM app.items AS i JOIN auth.\"user\" AS u ON u.id = i.user_id WHERE i.id = $1"
    );
    sqlx::query_as(SQL).bind(id).fetch_optional(pool).await
}

/// Creates an item owned by the user of the unexpired session with this token hash,
/// in one statement (one round trip): the session lookup, the insert and the owner's
/// name. `None` when there is no such session (nothing is inserted). A missing
/// category or location fails with a foreign key violation
/// (`items_category_id_fkey`, `items_location_id_fkey`).
pub async fn insert_for_session(
    pool: &Db,
    token_hash: &[u8; 32],
    item: &NewItem,
) -> Result<Option<ItemWithOwner>, sqlx::Error> {
    // `auth.session_user_id` is STABLE: evaluated once, as the key of a primary key
    // lookup. No session, no row of `u`, nothing inserted, no row returned.
    const SQL: &str = concat!(
        "WITH u AS (SELECT id, display_name FROM auth.\"user\" WHERE id = auth.session_user_id($1)), \
              i AS (INSERT INTO app.items (user_id, category_id, location_id, name, description, price_cents, is_active) \
                    SELECT u.id, $2, $3, $4, $5, $6, $7 FROM u RETURNING *) \
         SELECT ",
        item_with_owner!(),
        " FROM i CROSS JOIN u"
    );
    sqlx::query_as(SQL)
        .bind(&token_hash[..])
        .bind(item.category_id)
        .bind(item.location_id)
        .bind(item.name.as_str())
        .bind(item.description.as_ref().map(|d| d.as_str()))
        .bind(item.price_cents.map(|p| p.get()))
        .bind(item.is_active)
        .fetch_optional(pool)
        .await
}

/// The foreign keys of `app.items` that `category` and `location` would violate: the
/// constraint names of those that name no row. A violated foreign key names only the
/// first reference PostgreSQL checked; this finds every one.
pub async fn missing_references(
    pool: &Db,
    category: Option<Uuid>,
    location: Option<Uuid>,
) -> Result<Vec<&'static str>, sqlx::Error> {
    let (no_category, no_location): (bool, bool) = sqlx::query_as(
        "SELECT $1::uuid IS NOT NULL AND NOT EXISTS (SELECT FROM master.categories AS c WHERE c.id = $1), \
                $2::uuid IS NOT NULL AND NOT EXISTS (SELECT FROM master.locations AS l WHERE l.id = $2)",
    )
    .bind(category)
    .bind(location)
    .fetch_one(pool)
    .await?;
    let mut missing = Vec::new();
    if no_category {
        missing.push("items_category_id_fkey");
    }
    if no_location {
        missing.push("items_location_id_fkey");
    }
    Ok(missing)
}

/// Applies `changes` to the item if `owner` owns it.
pub async fn update(
    pool: &Db,
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
pub async fn delete(pool: &Db, id: Uuid, owner: Uuid) -> Result<OwnerWrite<()>, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM app.items WHERE id = $1 AND user_id = $2").bind(id).bind(owner).execute(pool).await?;
    if done.rows_affected() == 1 { Ok(OwnerWrite::Done(())) } else { why_not_written(pool, id).await }
}

/// After a write scoped to the owner changed nothing: was the item missing, or not theirs?
async fn why_not_written<T>(pool: &Db, id: Uuid) -> Result<OwnerWrite<T>, sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app.items WHERE id = $1)").bind(id).fetch_one(pool).await?;
    Ok(if exists { OwnerWrite::NotOwner } else { OwnerWrite::NotFound })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_select_list_is_the_items_columns_in_order_then_the_owners_name() {
        // ItemWithOwner is read by position (models::item).
        use crate::models::{Item, Table as _};
        let mut expected: Vec<String> = Item::INFO.columns.iter().map(|c| format!("i.{}", c.name)).collect();
        expected.push("u.display_name AS owner_display_name".into());
        let listed: Vec<&str> = item_with_owner!().split(',').map(str::trim).collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn like_wildcards_match_themselves() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn the_page_size_is_written_in_and_every_value_is_bound() {
        let first_page = list_sql(Conditions(0), 20);
        assert!(first_page.ends_with(" LIMIT 21"), "{first_page}");
        assert!(!first_page.contains('$'), "{first_page}");
        let everything = list_sql(Conditions(u8::MAX >> 2), 5);
        for n in 1..=7 {
            assert!(everything.contains(&format!("${n}")), "{everything}");
        }
        assert!(!everything.contains("$8") && everything.ends_with(" LIMIT 6"), "{everything}");
    }

    #[test]
    fn statements_are_built_once_per_page_size_and_conditions() {
        let owner = Conditions(Conditions::OWNER);
        let (a, b) = (list_statement(owner, 20), list_statement(owner, 20));
        assert!(matches!((&a, &b), (Cow::Borrowed(a), Cow::Borrowed(b)) if std::ptr::eq(*a, *b)));
        assert_ne!(list_statement(owner, 19), a);
        assert_ne!(list_statement(Conditions(0), 20), a);
        assert_eq!(list_statement(owner, 100), list_sql(owner, 100));
        assert!(matches!(list_statement(owner, 101), Cow::Owned(sql) if sql.ends_with(" LIMIT 102")));
    }
}
