//! Drawing the laid-out diagram as SVG. Colours and fonts are presentation
//! attributes, not CSS, so the same document works inline in the page (under the
//! strict Content-Security-Policy) and as a downloaded file. Keys that cross
//! schemas are drawn in their own colour and weight.

use std::fmt::Write as _;

use crate::db::ident::QualifiedName;
use crate::diagram::layout::{GROUP_TITLE, HEADER, Layout, ROW, Rect};
use crate::diagram::model::{Model, TableBox};
use crate::html::escape::escape;
use crate::html::links;

const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";
const CROSS: &str = "#c2410c";
const LOCAL: &str = "#64748b";

/// The whole diagram as an `<svg>` element; table names link to their pages, and
/// `focus` (the table of a neighbourhood view) is drawn highlighted.
pub fn render(model: &Model, layout: &Layout, focus: Option<&QualifiedName>) -> String {
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
            table(&mut s, t, r, focus == Some(&t.name));
        }
    }
    for (key, route) in model.keys.iter().zip(&layout.routes) {
        let Some(points) = route else { continue };
        let (class, colour, width) =
            if key.crosses_schemas() { ("fk cross-schema", CROSS, 2.0) } else { ("fk", LOCAL, 1.3) };
        let marker = if key.crosses_schemas() { "arrow-cross" } else { "arrow-local" };
        let _ = write!(
            s,
            r#"<path class="{class}" data-from="{}" data-to="{}" d="{}" fill="none" stroke="{colour}" stroke-width="{width}" marker-end="url(#{marker})"><title>{}: {}({}) → {}({})</title></path>"#,
            escape(&key.from.display()),
            escape(&key.to.display()),
            rounded_path(points),
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

fn table(s: &mut String, t: &TableBox, r: &Rect, focus: bool) {
    let w = r.w;
    let (mark, border, head) =
        if focus { (r#" data-focus="true""#, "#c2410c", "#9a3412") } else { ("", "#475569", "#1e293b") };
    let href = links::table(&t.name);
    let _ = write!(
        s,
        r##"<g class="table" data-table="{q}"{mark}><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="5" fill="#ffffff" stroke="{border}" stroke-width="{sw}"/><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{HEADER}" rx="5" fill="{head}"/><a href="{}"><text x="{:.1}" y="{:.1}" fill="#ffffff" font-weight="bold">{}</text></a>"##,
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
        sw = if focus { 2.5 } else { 1.0 },
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

/// The route as an orthogonal path whose corners are rounded (a quadratic curve
/// inside each corner, so the line stays within the lanes it was given).
fn rounded_path(points: &[(f64, f64)]) -> String {
    const RADIUS: f64 = 5.0;
    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for &p in points {
        if pts.last().is_some_and(|&q: &(f64, f64)| (q.0 - p.0).abs() < 0.05 && (q.1 - p.1).abs() < 0.05) {
            continue;
        }
        // Drop a point on the straight line through its neighbours.
        if pts.len() >= 2 {
            let (a, b) = (pts[pts.len() - 2], pts[pts.len() - 1]);
            if ((a.0 - b.0).abs() < 0.05 && (b.0 - p.0).abs() < 0.05)
                || ((a.1 - b.1).abs() < 0.05 && (b.1 - p.1).abs() < 0.05)
            {
                pts.pop();
            }
        }
        pts.push(p);
    }
    let mut d = String::new();
    let Some(&(x0, y0)) = pts.first() else { return d };
    let _ = write!(d, "M{x0:.1},{y0:.1}");
    for i in 1..pts.len() {
        let p = pts[i];
        if i + 1 == pts.len() {
            let _ = write!(d, " L{:.1},{:.1}", p.0, p.1);
            break;
        }
        let (prev, next) = (pts[i - 1], pts[i + 1]);
        let len_in = (p.0 - prev.0).abs() + (p.1 - prev.1).abs();
        let len_out = (next.0 - p.0).abs() + (next.1 - p.1).abs();
        let r = RADIUS.min(len_in / 2.0).min(len_out / 2.0);
        let unit = |a: (f64, f64), b: (f64, f64), len: f64| ((b.0 - a.0) / len, (b.1 - a.1) / len);
        let (ux, uy) = unit(prev, p, len_in);
        let (vx, vy) = unit(p, next, len_out);
        let _ = write!(
            d,
            " L{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}",
            p.0 - ux * r,
            p.1 - uy * r,
            p.0,
            p.1,
            p.0 + vx * r,
            p.1 + vy * r
        );
    }
    d
}
