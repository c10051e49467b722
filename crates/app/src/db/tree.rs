//! The statements that walk a tree table: a table whose rows name their parent in
//! `parent_id` (`master.categories`, `master.locations`). The columns come from the
//! model's [`TableInfo`], so a list and its model cannot disagree.

use crate::models::TableInfo;

/// Every row of `table`, depth first: each parent before its children, siblings by the
/// columns `siblings_by` and then `id` (so the order is total). Selects the model's
/// columns in its declaration order.
pub(super) fn depth_first_sql(table: &TableInfo, siblings_by: &[&str]) -> String {
    let columns = |prefix: &str| {
        table.columns.iter().map(|column| format!("{prefix}{}", column.name)).collect::<Vec<_>>().join(", ")
    };
    let (plain, of_o) = (columns(""), columns("o."));
    let (schema, name) = (table.schema, table.name);
    let mut order: Vec<&str> = siblings_by.to_vec();
    order.push("id");
    let order = order.join(", ");
    // Each row's path is its position among its siblings after its parent's path, so
    // ordering by path puts every subtree right after its root.
    format!(
        "WITH RECURSIVE ordered AS (\
             SELECT {plain}, row_number() OVER (PARTITION BY parent_id ORDER BY {order}) AS pos \
             FROM {schema}.{name}\
         ), tree AS (\
             SELECT {plain}, ARRAY[pos] AS path FROM ordered WHERE parent_id IS NULL \
             UNION ALL \
             SELECT {of_o}, t.path || o.pos FROM ordered AS o JOIN tree AS t ON o.parent_id = t.id\
         ) \
         SELECT {plain} FROM tree ORDER BY path"
    )
}

/// A query of the ids of the row of `table` whose id is the statement's parameter
/// `$parameter`, and of every row below it.
pub(super) fn subtree_ids_sql(table: &TableInfo, parameter: usize) -> String {
    let (schema, name) = (table.schema, table.name);
    format!(
        "WITH RECURSIVE sub AS (\
         SELECT id FROM {schema}.{name} WHERE id = ${parameter} \
         UNION ALL SELECT t.id FROM {schema}.{name} AS t JOIN sub ON t.parent_id = sub.id\
         ) SELECT sub.id FROM sub"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Category, Table as _};

    #[test]
    fn the_depth_first_list_selects_the_models_columns_in_order() {
        let sql = depth_first_sql(&Category::INFO, &["sort_order", "name"]);
        assert_eq!(
            sql,
            "WITH RECURSIVE ordered AS (\
             SELECT id, parent_id, slug, name, sort_order, \
             row_number() OVER (PARTITION BY parent_id ORDER BY sort_order, name, id) AS pos \
             FROM master.categories\
             ), tree AS (\
             SELECT id, parent_id, slug, name, sort_order, ARRAY[pos] AS path FROM ordered WHERE parent_id IS NULL \
             UNION ALL \
             SELECT o.id, o.parent_id, o.slug, o.name, o.sort_order, t.path || o.pos \
             FROM ordered AS o JOIN tree AS t ON o.parent_id = t.id\
             ) \
             SELECT id, parent_id, slug, name, sort_order FROM tree ORDER BY path"
        );
    }

    #[test]
    fn the_subtree_starts_at_the_given_parameter() {
        assert_eq!(
            subtree_ids_sql(&Category::INFO, 3),
            "WITH RECURSIVE sub AS (SELECT id FROM master.categories WHERE id = $3 \
             UNION ALL SELECT t.id FROM master.categories AS t JOIN sub ON t.parent_id = sub.id) SELECT sub.id FROM sub"
        );
    }
}
