//! Placing the diagram: a layered (Sugiyama-style) layout on a grid, and edges
//! routed orthogonally through the empty lanes between the boxes.
//!
//! - Schemas are groups, in reading order a schema whose tables are referenced
//!   from another before it (`auth` and `master` before `app`); the groups are
//!   cut into bands (rows of groups) so the drawing keeps about a screen's shape.
//! - Inside a group, a table's layer is the length of the longest chain of keys it
//!   starts within its schema (a table that references nothing stands in layer 0,
//!   on the left); a layer taller than the group's row budget is split into
//!   several columns.
//! - The order inside each column comes from barycenter sweeps (each table moves
//!   towards the mean row of the tables it is joined to), which cuts crossings.
//! - Every column and every row of the grid has the width (height) of its largest
//!   box, so the vertical channels between columns and the horizontal gaps between
//!   rows are empty of boxes from end to end. An edge leaves its table sideways into
//!   a channel, runs along a gap if it must cross columns, and enters the other
//!   table from its channel: it never passes through a box. Each edge gets its own
//!   lane in every channel and gap it uses, and channels widen to fit their lanes.
//!
//! Everything is ordered by names and indexes (no hash order), so the same schema
//! gives the same layout, to the byte once drawn.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::ident::QualifiedName;
use crate::diagram::model::{Model, TableBox};

const CHAR_WIDTH: f64 = 7.2;
pub const HEADER: f64 = 26.0;
pub const ROW: f64 = 18.0;
pub const GROUP_TITLE: f64 = 30.0;
const PAD: f64 = 16.0;
/// The padding inside a group's border, around its boxes.
const GROUP_PAD: f64 = 14.0;
/// Space between two lanes of one channel or gap.
const LANE: f64 = 9.0;
/// The narrowest channel between two columns and the lowest gap between two rows.
const MIN_CHANNEL: f64 = 44.0;
const MIN_GAP: f64 = 24.0;
/// Barycenter sweeps (each one left to right, then right to left).
const SWEEPS: usize = 8;

/// A rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Where everything goes.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Group boxes by schema name, in reading order (bands top to bottom, left to right in a band).
    pub groups: Vec<(String, Rect)>,
    pub tables: BTreeMap<QualifiedName, Rect>,
    /// For each key of the model, by index, the points of its route from the
    /// referencing column to the referenced one (none when a table is not drawn).
    pub routes: Vec<Option<Vec<(f64, f64)>>>,
    pub width: f64,
    pub height: f64,
}

/// The offset from a box's top to the middle of `column`'s line (the header's
/// middle when the column is not drawn).
fn column_offset(t: &TableBox, column: &str) -> f64 {
    match t.columns.iter().position(|c| c.name == column) {
        Some(i) => HEADER + ROW * i as f64 + ROW / 2.0 + 2.0,
        None => HEADER / 2.0,
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

/// One column of a group: its tables, top to bottom, as indexes into the flat
/// table list with the row (inside its band) each one stands in; and, once the
/// groups are arranged, the grid column it stands in and the band's first row.
#[derive(Debug, Clone)]
struct Column {
    cells: Vec<(usize, usize)>,
    grid_col: usize,
    row0: usize,
    /// How many rows its band has.
    band_rows: usize,
}

/// A schema's group: its name and its columns (a range of the column list).
#[derive(Debug, Clone)]
struct Group {
    schema: String,
    columns: std::ops::Range<usize>,
}

/// Lays the model out.
pub fn layout(model: &Model) -> Layout {
    let tables: Vec<&TableBox> = model.tables().collect();
    let index: BTreeMap<&QualifiedName, usize> = tables.iter().enumerate().map(|(i, t)| (&t.name, i)).collect();
    // Keys as pairs of table indexes; keys to tables not drawn are left out.
    let pairs: Vec<Option<(usize, usize)>> =
        model.keys.iter().map(|k| Some((*index.get(&k.from)?, *index.get(&k.to)?))).collect();
    let sizes: Vec<(f64, f64)> = tables.iter().map(|t| table_size(t)).collect();

    let (mut columns, groups) = columns(model, &tables, &pairs);
    arrange(&mut columns, &groups, &sizes);
    let mut grid = Grid::new(columns, groups, &tables, &pairs);
    grid.order(&tables);
    grid.place(model, &tables, &sizes, &pairs)
}

/// The schemas in their left-to-right order, each split into layers and layers
/// into columns of at most the group's row budget.
fn columns(model: &Model, tables: &[&TableBox], pairs: &[Option<(usize, usize)>]) -> (Vec<Column>, Vec<Group>) {
    let schema_rank = ranks(
        model.schemas.iter().map(|s| s.name.clone()),
        model.keys.iter().filter(|k| k.crosses_schemas()).map(|k| (k.from.schema.clone(), k.to.schema.clone())),
    );
    let mut order: Vec<usize> = (0..model.schemas.len()).collect();
    // Empty schemas last: they are small, and would otherwise take a band of their own.
    order.sort_by_key(|&i| {
        let s = &model.schemas[i];
        (s.tables.is_empty(), schema_rank[&s.name], s.name.clone())
    });
    let mut starts = Vec::with_capacity(model.schemas.len());
    let mut first = 0;
    for s in &model.schemas {
        starts.push(first);
        first += s.tables.len();
    }
    let mut out = Vec::new();
    let mut groups = Vec::new();
    for &s in &order {
        let schema = &model.schemas[s];
        let begin = out.len();
        let members = starts[s]..starts[s] + schema.tables.len();
        let column = |cells: Vec<(usize, usize)>| Column { cells, grid_col: 0, row0: 0, band_rows: 0 };
        if members.is_empty() {
            out.push(column(Vec::new()));
        } else {
            let local: Vec<(String, String)> = pairs
                .iter()
                .flatten()
                .filter(|(a, b)| members.contains(a) && members.contains(b) && a != b)
                .map(|&(a, b)| (tables[a].name.name.clone(), tables[b].name.name.clone()))
                .collect();
            let rank = ranks(members.clone().map(|i| tables[i].name.name.clone()), local.into_iter());
            let budget = row_budget(members.len());
            let mut layers: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for i in members {
                layers.entry(rank[&tables[i].name.name]).or_default().push(i);
            }
            for layer in layers.values() {
                let parts = layer.len().div_ceil(budget);
                let per = layer.len().div_ceil(parts);
                for chunk in layer.chunks(per) {
                    out.push(column(chunk.iter().enumerate().map(|(r, &t)| (t, r)).collect()));
                }
            }
        }
        groups.push(Group { schema: schema.name.clone(), columns: begin..out.len() });
    }
    (out, groups)
}

/// How many tables a group stacks in one column before starting another: about
/// the square root of its size, so a big schema is not one long line.
fn row_budget(tables: usize) -> usize {
    ((tables as f64).sqrt().ceil() as usize + 1).clamp(3, 12)
}

/// Puts the groups, in their order, into bands (rows of groups), as many bands as
/// bring the whole drawing nearest to a screen's proportions; sets each column's
/// grid column and first row.
fn arrange(columns: &mut [Column], groups: &[Group], sizes: &[(f64, f64)]) {
    const ASPECT: f64 = 1.6;
    let group_rows: Vec<usize> = groups
        .iter()
        .map(|g| columns[g.columns.clone()].iter().map(|c| c.cells.len()).max().unwrap_or(0).max(1))
        .collect();
    // Estimated sizes: boxes plus the narrowest channels and gaps.
    let estimate: Vec<(f64, f64)> = groups
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let cols = &columns[g.columns.clone()];
            let w: f64 = cols
                .iter()
                .map(|c| c.cells.iter().map(|&(t, _)| sizes[t].0).fold(200.0f64, f64::max) + MIN_CHANNEL)
                .sum();
            let tallest = cols.iter().flat_map(|c| &c.cells).map(|&(t, _)| sizes[t].1).fold(40.0f64, f64::max);
            let mean = cols.iter().flat_map(|c| &c.cells).map(|&(t, _)| sizes[t].1).sum::<f64>()
                / cols.iter().map(|c| c.cells.len()).sum::<usize>().max(1) as f64;
            let h = group_rows[gi] as f64 * (mean.max(tallest * 0.7) + MIN_GAP) + GROUP_TITLE;
            (w + MIN_CHANNEL + 2.0 * GROUP_PAD, h + 2.0 * GROUP_PAD)
        })
        .collect();
    let total: f64 = estimate.iter().map(|e| e.0).sum();
    let bands_for = |n: usize| -> Vec<Vec<usize>> {
        let target = total / n as f64;
        let mut bands: Vec<Vec<usize>> = vec![Vec::new()];
        let mut width = 0.0;
        for (g, e) in estimate.iter().enumerate() {
            let band = bands.len() - 1;
            if !bands[band].is_empty() && width + e.0 > target * 1.1 && bands.len() < n {
                bands.push(Vec::new());
                width = 0.0;
            }
            let band = bands.len() - 1;
            bands[band].push(g);
            width += e.0;
        }
        bands
    };
    let score = |bands: &[Vec<usize>]| {
        let w = bands.iter().map(|b| b.iter().map(|&g| estimate[g].0).sum::<f64>()).fold(0.0, f64::max);
        let h: f64 = bands.iter().map(|b| b.iter().map(|&g| estimate[g].1).fold(0.0, f64::max)).sum();
        ((w / h.max(1.0)).ln() - ASPECT.ln()).abs()
    };
    let best =
        (1..=groups.len().max(1)).map(bands_for).min_by(|a, b| score(a).total_cmp(&score(b))).unwrap_or_default();
    let mut row0 = 0;
    for band in best {
        let band_rows = band.iter().map(|&g| group_rows[g]).max().unwrap_or(1);
        let mut grid_col = 0;
        for g in band {
            for c in &mut columns[groups[g].columns.clone()] {
                c.grid_col = grid_col;
                c.row0 = row0;
                c.band_rows = band_rows;
                grid_col += 1;
            }
        }
        row0 += band_rows;
    }
}

/// The grid: columns of (table, row) cells, in bands of groups.
struct Grid {
    columns: Vec<Column>,
    groups: Vec<Group>,
    /// For each table: its column, and the tables it is joined to by keys.
    column_of: Vec<usize>,
    neighbours: Vec<Vec<usize>>,
}

impl Grid {
    fn new(columns: Vec<Column>, groups: Vec<Group>, tables: &[&TableBox], pairs: &[Option<(usize, usize)>]) -> Grid {
        let mut column_of = vec![0; tables.len()];
        for (ci, c) in columns.iter().enumerate() {
            for &(t, _) in &c.cells {
                column_of[t] = ci;
            }
        }
        let mut neighbours: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); tables.len()];
        for &(a, b) in pairs.iter().flatten() {
            if a != b {
                neighbours[a].insert(b);
                neighbours[b].insert(a);
            }
        }
        let neighbours = neighbours.into_iter().map(|n| n.into_iter().collect()).collect();
        Grid { columns, groups, column_of, neighbours }
    }

    /// Each table's row in the whole grid.
    fn rows_of(&self, tables: usize) -> Vec<usize> {
        let mut row_of = vec![0usize; tables];
        for c in &self.columns {
            for &(t, r) in &c.cells {
                row_of[t] = c.row0 + r;
            }
        }
        row_of
    }

    /// Barycenter sweeps: each column sorted by the mean row of the tables its
    /// tables are joined to in other columns, then rows assigned as near to those
    /// means as the order allows.
    fn order(&mut self, tables: &[&TableBox]) {
        let mut row_of = self.rows_of(tables.len());
        for sweep in 0..SWEEPS * 2 {
            let indexes: Vec<usize> = if sweep % 2 == 0 {
                (0..self.columns.len()).collect()
            } else {
                (0..self.columns.len()).rev().collect()
            };
            for ci in indexes {
                let row0 = self.columns[ci].row0 as f64;
                let mut cells: Vec<(usize, f64)> = self.columns[ci]
                    .cells
                    .iter()
                    .map(|&(t, r)| {
                        let others: Vec<usize> =
                            self.neighbours[t].iter().copied().filter(|&n| self.column_of[n] != ci).collect();
                        let centre = if others.is_empty() {
                            r as f64
                        } else {
                            others.iter().map(|&n| row_of[n] as f64).sum::<f64>() / others.len() as f64 - row0
                        };
                        (t, centre)
                    })
                    .collect();
                cells.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| tables[a.0].name.cmp(&tables[b.0].name)));
                let n = cells.len();
                let band_rows = self.columns[ci].band_rows;
                let mut placed = Vec::with_capacity(n);
                let mut next_free = 0usize;
                for (i, (t, centre)) in cells.into_iter().enumerate() {
                    let lowest = band_rows - (n - i);
                    let row = (centre.round().max(0.0) as usize).clamp(next_free, lowest);
                    placed.push((t, row));
                    row_of[t] = self.columns[ci].row0 + row;
                    next_free = row + 1;
                }
                self.columns[ci].cells = placed;
            }
        }
    }

    /// Sizes the columns, rows, channels and gaps, and routes every key.
    fn place(
        &self,
        model: &Model,
        tables: &[&TableBox],
        sizes: &[(f64, f64)],
        pairs: &[Option<(usize, usize)>],
    ) -> Layout {
        let row_of = self.rows_of(tables.len());
        let ncols = self.columns.iter().map(|c| c.grid_col + 1).max().unwrap_or(0);
        let nrows = self.columns.iter().map(|c| c.row0 + c.band_rows).max().unwrap_or(0);
        let grid_col = |t: usize| self.columns[self.column_of[t]].grid_col;
        let mut col_width = vec![0.0f64; ncols];
        let mut row_height = vec![30.0f64; nrows];
        for c in &self.columns {
            col_width[c.grid_col] = col_width[c.grid_col].max(if c.cells.is_empty() { 200.0 } else { 0.0 });
            for &(t, r) in &c.cells {
                col_width[c.grid_col] = col_width[c.grid_col].max(sizes[t].0);
                row_height[c.row0 + r] = row_height[c.row0 + r].max(sizes[t].1);
            }
        }
        // Where groups begin and end: channels there get the groups' padding, and
        // the gaps where bands begin get the titles.
        let mut opens = vec![false; ncols + 1];
        let mut closes = vec![false; ncols + 1];
        let mut band_start = vec![false; nrows + 1];
        for g in &self.groups {
            let (first, last) = (&self.columns[g.columns.start], &self.columns[g.columns.end - 1]);
            opens[first.grid_col] = true;
            closes[last.grid_col + 1] = true;
            band_start[first.row0] = true;
            band_start[first.row0 + first.band_rows] = true;
        }

        // Routes as abstract steps first: which channel and which gap each uses.
        let plans: Vec<Option<Plan>> = pairs
            .iter()
            .map(|p| p.map(|(a, b)| Plan::new(grid_col(a), row_of[a], grid_col(b), row_of[b], a == b)))
            .collect();
        // Lanes: in each channel (gap), the edges that use it, in a fixed order.
        let mut channel_users: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); ncols + 1];
        let mut gap_users: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); nrows + 1];
        for (k, plan) in plans.iter().enumerate() {
            let (Some(plan), Some((a, b))) = (plan, pairs[k]) else { continue };
            let span = (row_of[a].min(row_of[b]), row_of[a].max(row_of[b]));
            channel_users[plan.out_channel].push((span.0, span.1, k * 2));
            if let Some(g) = plan.gap {
                channel_users[plan.in_channel].push((span.0, span.1, k * 2 + 1));
                let cspan = (plan.out_channel.min(plan.in_channel), plan.out_channel.max(plan.in_channel));
                gap_users[g].push((cspan.0, cspan.1, k));
            }
        }
        for users in channel_users.iter_mut().chain(gap_users.iter_mut()) {
            users.sort();
        }
        let lane_of = |users: &[(usize, usize, usize)], id: usize| users.iter().position(|u| u.2 == id).unwrap_or(0);

        // Horizontal geometry.
        let mut channel_start = vec![0.0; ncols + 1];
        let mut channel_lanes = vec![0.0; ncols + 1];
        let mut col_x = vec![0.0; ncols];
        let mut x = PAD;
        for k in 0..=ncols {
            let left_pad = if closes[k] { GROUP_PAD } else { 0.0 };
            let right_pad = if opens[k] { GROUP_PAD } else { 0.0 };
            let lanes = (LANE * (channel_users[k].len() + 1) as f64).max(MIN_CHANNEL);
            channel_start[k] = x + left_pad;
            channel_lanes[k] = lanes;
            x += left_pad + lanes + right_pad;
            if k < ncols {
                col_x[k] = x;
                x += col_width[k];
            }
        }
        let width = x + PAD;

        // Vertical geometry: a gap where a band begins holds the titles under its
        // lanes (and the padding of the band above over them).
        let mut gap_start = vec![0.0; nrows + 1];
        let mut gap_lanes = vec![0.0; nrows + 1];
        let mut row_y = vec![0.0; nrows];
        let mut y = PAD;
        for g in 0..=nrows {
            if g > 0 && band_start[g] {
                y += GROUP_PAD;
            }
            let lanes = (LANE * (gap_users[g].len() + 1) as f64).max(MIN_GAP);
            gap_start[g] = y;
            gap_lanes[g] = lanes;
            y += lanes;
            if g < nrows {
                if band_start[g] {
                    y += GROUP_TITLE;
                }
                row_y[g] = y;
                y += row_height[g];
            }
        }
        let height = y + PAD;

        let mut out = Layout { width, height, ..Layout::default() };
        for c in &self.columns {
            for &(t, r) in &c.cells {
                out.tables.insert(
                    tables[t].name.clone(),
                    Rect { x: col_x[c.grid_col], y: row_y[c.row0 + r], w: sizes[t].0, h: sizes[t].1 },
                );
            }
        }
        // Groups: from their first column to their last, from the title to their
        // lowest box.
        for g in &self.groups {
            let cols = &self.columns[g.columns.clone()];
            let (first, last) = (&cols[0], &cols[cols.len() - 1]);
            let top = row_y[first.row0] - GROUP_TITLE;
            let bottom = cols
                .iter()
                .flat_map(|c| c.cells.iter().map(|&(t, r)| row_y[c.row0 + r] + sizes[t].1))
                .fold(row_y[first.row0] + 30.0, f64::max);
            let left = col_x[first.grid_col] - GROUP_PAD;
            let right = col_x[last.grid_col] + col_width[last.grid_col] + GROUP_PAD;
            out.groups.push((g.schema.clone(), Rect { x: left, y: top, w: right - left, h: bottom + GROUP_PAD - top }));
        }

        let lane_x = |k: usize, lane: usize| {
            let n = channel_users[k].len().max(1) as f64;
            channel_start[k] + (channel_lanes[k] - (n - 1.0) * LANE) / 2.0 + lane as f64 * LANE
        };
        let lane_y = |g: usize, lane: usize| {
            let n = gap_users[g].len().max(1) as f64;
            gap_start[g] + (gap_lanes[g] - (n - 1.0) * LANE) / 2.0 + lane as f64 * LANE
        };
        out.routes = plans
            .iter()
            .enumerate()
            .map(|(k, plan)| {
                let plan = plan.as_ref()?;
                let key = &model.keys[k];
                let (a, b) = pairs[k]?;
                let (ra, rb) = (out.tables[&tables[a].name], out.tables[&tables[b].name]);
                let fy = ra.y + key.from_columns.first().map_or(HEADER / 2.0, |c| column_offset(tables[a], c));
                let ty = rb.y + key.to_columns.first().map_or(HEADER / 2.0, |c| column_offset(tables[b], c));
                let fx = if plan.out_right { ra.x + ra.w } else { ra.x };
                let tx = if plan.in_right { rb.x + rb.w } else { rb.x };
                let x1 = lane_x(plan.out_channel, lane_of(&channel_users[plan.out_channel], k * 2));
                let mut points = vec![(fx, fy), (x1, fy)];
                if let Some(g) = plan.gap {
                    let gy = lane_y(g, lane_of(&gap_users[g], k));
                    let x2 = lane_x(plan.in_channel, lane_of(&channel_users[plan.in_channel], k * 2 + 1));
                    points.extend([(x1, gy), (x2, gy), (x2, ty)]);
                } else {
                    points.push((x1, ty));
                }
                points.push((tx, ty));
                Some(points)
            })
            .collect();
        out
    }
}

/// An edge's route on the grid: the channel it leaves its table into (the one on
/// the side facing the other table), and, when the tables are more than one
/// channel apart, the gap between rows it crosses the columns in and the channel it
/// enters the other table from.
#[derive(Debug, Clone, Copy)]
struct Plan {
    out_channel: usize,
    out_right: bool,
    in_channel: usize,
    in_right: bool,
    gap: Option<usize>,
}

impl Plan {
    fn new(ca: usize, ra: usize, cb: usize, rb: usize, same_table: bool) -> Plan {
        if same_table || ca == cb {
            // Out of the right side and back in from the same channel.
            return Plan { out_channel: ca + 1, out_right: true, in_channel: ca + 1, in_right: true, gap: None };
        }
        let (out_channel, out_right, in_channel, in_right) =
            if ca < cb { (ca + 1, true, cb, false) } else { (ca, false, cb + 1, true) };
        let gap = (out_channel != in_channel).then(|| match rb.cmp(&ra) {
            std::cmp::Ordering::Greater => rb,
            std::cmp::Ordering::Less => rb + 1,
            std::cmp::Ordering::Equal => ra,
        });
        Plan { out_channel, out_right, in_channel, in_right, gap }
    }
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

    fn table(schema: &str, name: &str, columns: usize) -> TableBox {
        let mut cols = vec![ColumnLine { name: "id".into(), type_name: "uuid".into(), primary: true, not_null: true }];
        cols.extend((0..columns).map(|i| ColumnLine {
            name: format!("ref_{i}"),
            type_name: "uuid".into(),
            primary: false,
            not_null: false,
        }));
        TableBox { name: QualifiedName::new(schema, name), columns: cols }
    }

    fn key(from: &QualifiedName, column: usize, to: &QualifiedName) -> ForeignKey {
        ForeignKey {
            constraint: format!("{}_{column}_fkey", from.name),
            from: from.clone(),
            from_columns: vec![format!("ref_{column}")],
            to: to.clone(),
            to_columns: vec!["id".into()],
            definition: String::new(),
            from_readable: true,
        }
    }

    /// `n` tables over `schemas`, each referencing up to three earlier ones.
    fn random_model(schemas: &[&str], n: usize, seed: u64) -> Model {
        let mut rng = seed;
        let mut next = |m: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % m as u64) as usize
        };
        let mut model = Model::default();
        let mut names = Vec::new();
        for s in schemas {
            model.schemas.push(SchemaBox { name: (*s).into(), tables: Vec::new() });
        }
        for i in 0..n {
            let s = i * schemas.len() / n;
            let refs = if i == 0 { 0 } else { 1 + next(3) };
            let t = table(schemas[s], &format!("t{i:03}"), refs);
            for c in 0..refs {
                let j = next(i);
                model.keys.push(key(&t.name, c, &names[j]));
            }
            if next(9) == 0 {
                model.keys.push(key(&t.name, 0, &t.name));
            }
            names.push(t.name.clone());
            model.schemas[s].tables.push(t);
        }
        model
    }

    fn enters(points: &[(f64, f64)], r: &Rect) -> bool {
        let inside = |x: f64, y: f64| x > r.x + 0.5 && x < r.x + r.w - 0.5 && y > r.y + 0.5 && y < r.y + r.h - 0.5;
        points.windows(2).any(|w| {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            (0..=50).any(|i| {
                let t = i as f64 / 50.0;
                inside(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            })
        })
    }

    #[test]
    fn routes_never_enter_a_box_they_do_not_connect_and_boxes_never_overlap() {
        for seed in 1..40u64 {
            let schemas: &[&str] = match seed % 3 {
                0 => &["one"],
                1 => &["a", "b", "c"],
                _ => &["s0", "s1", "s2", "s3", "s4", "s5", "s6"],
            };
            let model = random_model(schemas, 5 + (seed as usize * 7) % 60, seed * 7919);
            let l = layout(&model);
            let rects: Vec<(&QualifiedName, &Rect)> = l.tables.iter().collect();
            for (i, (a, ra)) in rects.iter().enumerate() {
                for (b, rb) in &rects[i + 1..] {
                    let apart =
                        ra.x + ra.w <= rb.x || rb.x + rb.w <= ra.x || ra.y + ra.h <= rb.y || rb.y + rb.h <= ra.y;
                    assert!(apart, "seed {seed}: {a} and {b} overlap");
                }
            }
            for (k, route) in model.keys.iter().zip(&l.routes) {
                let points = route.as_ref().expect("every key is drawn");
                for (name, r) in &rects {
                    if **name != k.from && **name != k.to {
                        assert!(!enters(points, r), "seed {seed}: {} enters {name}: {points:?}", k.constraint);
                    }
                }
                // Orthogonal: every segment is horizontal or vertical.
                for w in points.windows(2) {
                    assert!(w[0].0 == w[1].0 || w[0].1 == w[1].1, "seed {seed}: {points:?}");
                }
            }
            // Every box inside its group.
            for (name, r) in &rects {
                let (_, g) = l.groups.iter().find(|(s, _)| s == &name.schema).unwrap();
                assert!(r.x >= g.x && r.y >= g.y && r.x + r.w <= g.x + g.w && r.y + r.h <= g.y + g.h, "{name}");
            }
        }
    }

    #[test]
    fn the_same_model_gives_the_same_layout() {
        let model = random_model(&["a", "b", "c"], 40, 17);
        let (one, two) = (layout(&model), layout(&model));
        assert_eq!(one.tables, two.tables);
        assert_eq!(one.routes, two.routes);
        assert_eq!(one.groups, two.groups);
    }

    #[test]
    fn referenced_tables_come_first_in_their_group() {
        let user = table("auth", "user", 0);
        let session = table("auth", "session", 1);
        let model = Model {
            keys: vec![key(&session.name, 0, &user.name)],
            schemas: vec![SchemaBox { name: "auth".into(), tables: vec![session.clone(), user.clone()] }],
        };
        let l = layout(&model);
        assert!(l.tables[&user.name].x < l.tables[&session.name].x);
        // The edge leaves session's left side and enters user's right side.
        let route = l.routes[0].as_ref().unwrap();
        assert_eq!(route[0].0, l.tables[&session.name].x);
        let user_box = l.tables[&user.name];
        assert_eq!(route.last().unwrap().0, user_box.x + user_box.w);
    }

    #[test]
    fn cycles_do_not_loop_forever() {
        let r = ranks(
            ["a", "b"].into_iter().map(String::from),
            [("a", "b"), ("b", "a")].into_iter().map(|(x, y)| (x.to_owned(), y.to_owned())),
        );
        assert!(r["a"] <= 4 && r["b"] <= 4);
    }

    #[test]
    fn empty_schemas_and_an_empty_database_are_drawn() {
        let model = Model {
            schemas: vec![
                SchemaBox { name: "empty".into(), tables: Vec::new() },
                SchemaBox { name: "app".into(), tables: vec![table("app", "t", 0)] },
            ],
            keys: Vec::new(),
        };
        let l = layout(&model);
        assert_eq!(l.groups.len(), 2);
        let l = layout(&Model::default());
        assert!(l.width > 0.0 && l.height > 0.0);
    }
}
