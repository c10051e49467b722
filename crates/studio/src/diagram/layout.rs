//! Placing the diagram: schemas are groups, laid out in columns so that a schema
//! whose tables are referenced from another stands to its left (`auth` and `master`
//! before `app`); inside a group, tables are stacked in sub-columns, referenced
//! tables first. Sizes come from the text, measured in a fixed-width font.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::db::ident::QualifiedName;
use crate::diagram::model::{Model, TableBox};

pub const CHAR_WIDTH: f64 = 7.2;
pub const HEADER: f64 = 26.0;
pub const ROW: f64 = 18.0;
pub const GROUP_TITLE: f64 = 30.0;
const PAD: f64 = 16.0;
const TABLE_GAP: f64 = 22.0;
const GROUP_GAP: f64 = 40.0;
const RANK_GAP: f64 = 110.0;
const MAX_COLUMN_HEIGHT: f64 = 760.0;

/// A rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center_x(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

/// Where everything goes.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Group boxes by schema name.
    pub groups: Vec<(String, Rect)>,
    pub tables: HashMap<QualifiedName, Rect>,
    pub width: f64,
    pub height: f64,
}

impl Layout {
    /// The vertical middle of a column's line in a placed table.
    pub fn column_y(&self, model_table: &TableBox, column: &str) -> Option<f64> {
        let rect = self.tables.get(&model_table.name)?;
        let i = model_table.columns.iter().position(|c| c.name == column)?;
        Some(rect.y + HEADER + ROW * i as f64 + ROW / 2.0 + 2.0)
    }
}

/// The size of a table's box.
pub fn table_size(t: &TableBox) -> (f64, f64) {
    let widest = t
        .columns
        .iter()
        .map(|c| c.name.chars().count() + c.type_name.chars().count() + 6)
        .chain(std::iter::once(t.name.name.chars().count() + 4))
        .max()
        .unwrap_or(10);
    let w = (widest as f64 * CHAR_WIDTH + 16.0).max(170.0);
    let h = HEADER + ROW * t.columns.len() as f64 + 6.0;
    (w, h)
}

/// Lays the model out.
pub fn layout(model: &Model) -> Layout {
    let schema_rank = ranks(
        model.schemas.iter().map(|s| s.name.clone()),
        model.keys.iter().filter(|k| k.crosses_schemas()).map(|k| (k.from.schema.clone(), k.to.schema.clone())),
    );
    let mut by_rank: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in model.schemas.iter().enumerate() {
        by_rank.entry(schema_rank[&s.name]).or_default().push(i);
    }
    let mut out = Layout::default();
    let mut x = PAD;
    for indexes in by_rank.values() {
        let mut y = PAD;
        let mut rank_width: f64 = 0.0;
        for &i in indexes {
            let schema = &model.schemas[i];
            let table_rank = ranks(
                schema.tables.iter().map(|t| t.name.name.clone()),
                model
                    .keys
                    .iter()
                    .filter(|k| k.from.schema == schema.name && k.to.schema == schema.name && k.from != k.to)
                    .map(|k| (k.from.name.clone(), k.to.name.clone())),
            );
            let mut order: Vec<&TableBox> = schema.tables.iter().collect();
            order.sort_by_key(|t| (table_rank[&t.name.name], t.name.name.clone()));
            let (group, placed) = place_group(x, y, &order);
            out.tables.extend(placed);
            out.groups.push((schema.name.clone(), group));
            y += group.h + GROUP_GAP;
            rank_width = rank_width.max(group.w);
            out.height = out.height.max(group.y + group.h + PAD);
        }
        x += rank_width + RANK_GAP;
    }
    out.width = (x - RANK_GAP + PAD).max(200.0);
    out.height = out.height.max(100.0);
    out
}

/// Stacks tables in sub-columns inside a group whose top-left corner is (x, y).
fn place_group(x: f64, y: f64, tables: &[&TableBox]) -> (Rect, Vec<(QualifiedName, Rect)>) {
    let top = y + GROUP_TITLE;
    let mut placed = Vec::new();
    let (mut cx, mut cy, mut column_width, mut bottom): (f64, f64, f64, f64) = (x + PAD, top, 0.0, top);
    for t in tables {
        let (w, h) = table_size(t);
        if cy > top && cy + h - top > MAX_COLUMN_HEIGHT {
            cx += column_width + TABLE_GAP * 2.0;
            cy = top;
            column_width = 0.0;
        }
        placed.push((t.name.clone(), Rect { x: cx, y: cy, w, h }));
        column_width = column_width.max(w);
        cy += h + TABLE_GAP;
        bottom = bottom.max(cy);
    }
    let width = if tables.is_empty() { 200.0 } else { cx + column_width + PAD - x };
    let height = if tables.is_empty() { GROUP_TITLE + 30.0 } else { bottom - y - TABLE_GAP + PAD };
    (Rect { x, y, w: width, h: height }, placed)
}

/// Rank of each node: 0 when it references nothing, else one more than what it
/// references (edges `from -> to`); cycles are cut by a bound on the passes.
fn ranks(
    nodes: impl Iterator<Item = String>,
    edges: impl Iterator<Item = (String, String)>,
) -> BTreeMap<String, usize> {
    let mut rank: BTreeMap<String, usize> = nodes.map(|n| (n, 0)).collect();
    let edges: BTreeSet<(String, String)> = edges.filter(|(a, b)| a != b).collect();
    for _ in 0..rank.len() {
        let mut changed = false;
        for (from, to) in &edges {
            let want = rank.get(to).copied().unwrap_or(0) + 1;
            if let Some(r) = rank.get_mut(from)
                && *r < want
                && want <= edges.len() + 1
            {
                *r = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::foreign_keys::ForeignKey;
    use crate::diagram::model::{ColumnLine, SchemaBox};

    fn table(schema: &str, name: &str) -> TableBox {
        TableBox {
            name: QualifiedName::new(schema, name),
            columns: vec![ColumnLine { name: "id".into(), type_name: "uuid".into(), primary: true, not_null: true }],
        }
    }

    fn key(from: (&str, &str), to: (&str, &str)) -> ForeignKey {
        ForeignKey {
            constraint: "k".into(),
            from: QualifiedName::new(from.0, from.1),
            from_columns: vec!["id".into()],
            to: QualifiedName::new(to.0, to.1),
            to_columns: vec!["id".into()],
            definition: String::new(),
            from_readable: true,
        }
    }

    #[test]
    fn referenced_schemas_stand_to_the_left() {
        let model = Model {
            schemas: vec![
                SchemaBox { name: "app".into(), tables: vec![table("app", "items")] },
                SchemaBox { name: "auth".into(), tables: vec![table("auth", "user")] },
                SchemaBox { name: "master".into(), tables: vec![table("master", "categories")] },
            ],
            keys: vec![key(("app", "items"), ("auth", "user")), key(("app", "items"), ("master", "categories"))],
        };
        let l = layout(&model);
        let x = |s: &str, t: &str| l.tables[&QualifiedName::new(s, t)].x;
        assert!(x("app", "items") > x("auth", "user"));
        assert_eq!(x("auth", "user"), x("master", "categories"));
        let y = |s: &str, t: &str| l.tables[&QualifiedName::new(s, t)].y;
        assert!(y("master", "categories") > y("auth", "user"));
    }

    #[test]
    fn cycles_do_not_loop_forever() {
        let r = ranks(
            ["a", "b"].into_iter().map(String::from),
            [("a", "b"), ("b", "a")].into_iter().map(|(x, y)| (x.to_owned(), y.to_owned())),
        );
        assert!(r["a"] <= 4 && r["b"] <= 4);
    }
}
