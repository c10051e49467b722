//! Drawing the laid-out diagram as SVG. Colours and fonts are presentation
//! attributes, not CSS, so the same document works inline in the page (under the
//! strict Content-Security-Policy) and as a downloaded file. Keys that cross
//! schemas are drawn in their own colour and weight.

use std::fmt::Write as _;

use crate::diagram::layout::{GROUP_TITLE, HEADER, Layout, ROW, Rect, table_size};
use crate::diagram::model::{Model, TableBox};
use crate::html::escape::escape;
use crate::html::links;

const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";
const CROSS: &str = "#c2410c";
const LOCAL: &str = "#64748b";

/// The whole diagram as an `<svg>` element; table names link to their pages.
pub fn render(model: &Model, layout: &Layout) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="erd" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="{FONT}" font-size="12" role="img" aria-label="Entity-relationship diagram">"#,
        w = layout.width,
        h = layout.height
    );
    let _ = write!(
        s,
        r#"<defs><marker id="arrow-local" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{LOCAL}"/></marker><marker id="arrow-cross" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{CROSS}"/></marker></defs>"#
    );
    for (name, r) in &layout.groups {
        let _ = write!(
            s,
            r##"<g class="schema" data-schema="{n}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="10" fill="#f1f5f9" stroke="#94a3b8" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" font-size="15" font-weight="bold" fill="#334155">schema {n}</text></g>"##,
            r.x,
            r.y,
            r.w,
            r.h,
            r.x + 14.0,
            r.y + GROUP_TITLE - 10.0,
            n = escape(name)
        );
    }
    let tables: Vec<&TableBox> = model.schemas.iter().flat_map(|s| &s.tables).collect();
    for t in &tables {
        if let Some(r) = layout.tables.get(&t.name) {
            table(&mut s, t, r);
        }
    }
    let find = |name: &crate::db::ident::QualifiedName| tables.iter().copied().find(|t| &t.name == name);
    for key in &model.keys {
        let (Some(from), Some(to)) = (find(&key.from), find(&key.to)) else { continue };
        let (Some(fr), Some(tr)) = (layout.tables.get(&from.name), layout.tables.get(&to.name)) else { continue };
        let fy = key.from_columns.first().and_then(|c| layout.column_y(from, c)).unwrap_or(fr.y + HEADER / 2.0);
        let ty = key.to_columns.first().and_then(|c| layout.column_y(to, c)).unwrap_or(tr.y + HEADER / 2.0);
        let path = edge_path(fr, fy, tr, ty, key.from == key.to);
        let (class, colour, width) =
            if key.crosses_schemas() { ("fk cross-schema", CROSS, 2.0) } else { ("fk", LOCAL, 1.3) };
        let marker = if key.crosses_schemas() { "arrow-cross" } else { "arrow-local" };
        let _ = write!(
            s,
            r#"<path class="{class}" d="{path}" fill="none" stroke="{colour}" stroke-width="{width}" marker-end="url(#{marker})"><title>{}: {}({}) → {}({})</title></path>"#,
            escape(&key.constraint),
            escape(&key.from.display()),
            escape(&key.from_columns.join(", ")),
            escape(&key.to.display()),
            escape(&key.to_columns.join(", ")),
        );
    }
    s.push_str("</svg>");
    s
}

fn table(s: &mut String, t: &TableBox, r: &Rect) {
    let (w, _) = table_size(t);
    let href = links::table(&t.name);
    let _ = write!(
        s,
        r##"<g class="table" data-table="{q}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="5" fill="#ffffff" stroke="#475569"/><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{HEADER}" rx="5" fill="#1e293b"/><a href="{}"><text x="{:.1}" y="{:.1}" fill="#ffffff" font-weight="bold">{}</text></a>"##,
        r.x,
        r.y,
        r.w,
        r.h,
        r.x,
        r.y,
        r.w,
        escape(&href),
        r.x + 8.0,
        r.y + 17.0,
        escape(&t.name.name),
        q = escape(&t.name.display()),
    );
    for (i, c) in t.columns.iter().enumerate() {
        let y = r.y + HEADER + ROW * i as f64 + ROW - 3.0;
        let mark = if c.primary { "PK " } else { "" };
        let weight = if c.primary { "bold" } else { "normal" };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{y:.1}" fill="#0f172a" font-weight="{weight}">{}{}{}</text><text x="{:.1}" y="{y:.1}" fill="#64748b" text-anchor="end">{}</text>"##,
            r.x + 8.0,
            mark,
            escape(&c.name),
            if c.not_null { "" } else { "?" },
            r.x + w - 8.0,
            escape(&c.type_name),
        );
    }
    s.push_str("</g>");
}

/// A curve from the referencing column to the referenced one, leaving and entering
/// on the facing sides; tables stacked in one column (and a table referencing
/// itself) are joined by a loop out to the right.
fn edge_path(from: &Rect, fy: f64, to: &Rect, ty: f64, same_table: bool) -> String {
    let overlap = from.x < to.x + to.w && to.x < from.x + from.w;
    if same_table || overlap {
        let (fx, tx) = (from.x + from.w, to.x + to.w);
        let out = fx.max(tx) + 30.0 + (fy - ty).abs().min(400.0) / 12.0;
        return format!("M{fx:.1},{fy:.1} C{out:.1},{fy:.1} {out:.1},{ty:.1} {tx:.1},{ty:.1}");
    }
    let (fx, tx) = if from.center_x() > to.center_x() { (from.x, to.x + to.w) } else { (from.x + from.w, to.x) };
    let bend = ((tx - fx).abs() / 2.0).max(40.0) * if tx > fx { 1.0 } else { -1.0 };
    format!("M{fx:.1},{fy:.1} C{:.1},{fy:.1} {:.1},{ty:.1} {tx:.1},{ty:.1}", fx + bend, tx - bend)
}
