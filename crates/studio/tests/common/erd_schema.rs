//! A generated schema for the diagram tests and the page-timing example: `tables`
//! tables spread over `schemas`, each referencing one to three earlier tables
//! (mostly in its own schema, sometimes across), from a fixed seed so every run
//! builds the same database; and the measure of a drawn diagram that the issue
//! asks for: how many edges pass through a box they do not connect.

/// The SQL that creates the schemas and tables. `reverse` creates the tables in
/// the opposite order (the same schema, other OIDs), for the determinism test.
pub fn sql(schemas: &[&str], tables: usize, seed: u64, reverse: bool) -> String {
    let mut rng = seed.max(1);
    let mut next = move |n: usize| -> usize {
        // xorshift64: deterministic, no dependency.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let schema_of = |i: usize| schemas[i * schemas.len() / tables];
    let names: Vec<String> = (0..tables).map(|i| format!("{}_t{i:03}", schema_of(i))).collect();
    let mut statements: Vec<String> = Vec::new();
    for i in 0..tables {
        let mut columns = vec!["id bigint PRIMARY KEY".to_owned(), "name text NOT NULL".to_owned()];
        for c in 0..next(4) {
            columns.push(format!("attr_{c} {}", ["integer", "text", "timestamptz", "numeric(12,2)"][next(4)]));
        }
        let mut keys = Vec::new();
        if i > 0 {
            let wanted = if i % 3 == 0 { 2 } else { 1 } + usize::from(i % 11 == 0);
            let own: Vec<usize> = (0..i).filter(|&j| schema_of(j) == schema_of(i)).collect();
            let mut targets: Vec<usize> = Vec::new();
            for _ in 0..wanted {
                let j = if !own.is_empty() && next(10) < 7 { own[next(own.len())] } else { next(i) };
                if !targets.contains(&j) {
                    targets.push(j);
                }
            }
            for (k, j) in targets.into_iter().enumerate() {
                columns.push(format!("ref_{k} bigint REFERENCES {}.{} (id)", schema_of(j), names[j]));
                keys.push(j);
            }
        }
        statements.push(format!("CREATE TABLE {}.{} ({});", schema_of(i), names[i], columns.join(", ")));
    }
    let mut out: String = schemas.iter().map(|s| format!("CREATE SCHEMA {s};\n")).collect();
    if reverse {
        // Keys need their target first: create bare tables in reverse, then add columns.
        for s in statements.iter().rev() {
            let (head, _) = s.split_once(" (").unwrap();
            out.push_str(&format!("{head} ();\n"));
        }
        for s in &statements {
            let (head, rest) = s.split_once(" (").unwrap();
            let table = head.trim_start_matches("CREATE TABLE ");
            let cols = rest.trim_end_matches(");");
            for col in split_columns(cols) {
                out.push_str(&format!("ALTER TABLE {table} ADD COLUMN {col};\n"));
            }
        }
    } else {
        for s in statements {
            out.push_str(&s);
            out.push('\n');
        }
    }
    out
}

fn split_columns(cols: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in cols.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cols[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(cols[start..].trim().to_owned());
    out
}

/// A box drawn in the SVG: the table it belongs to and its rectangle.
#[derive(Debug, Clone)]
pub struct Box {
    pub table: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// An edge drawn in the SVG: the tables its `<title>` names, and its path as points
/// (curves sampled).
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub points: Vec<(f64, f64)>,
}

/// The table boxes (the first `<rect>` of each `<g class="table" data-table=..>`).
pub fn boxes(svg: &str) -> Vec<Box> {
    let mut out = Vec::new();
    for (at, _) in svg.match_indices("<g class=\"table\" data-table=\"") {
        let rest = &svg[at + 29..];
        let table = unescape(&rest[..rest.find('"').unwrap()]);
        let rect = &rest[rest.find("<rect").unwrap()..];
        let rect = &rect[..rect.find('>').unwrap()];
        out.push(Box {
            table,
            x: attr(rect, "x"),
            y: attr(rect, "y"),
            w: attr(rect, "width"),
            h: attr(rect, "height"),
        });
    }
    out
}

/// The foreign-key edges (`<path class="fk...">` with a `<title>` of the form
/// `constraint: from(cols) → to(cols)`).
pub fn edges(svg: &str) -> Vec<Edge> {
    let mut out = Vec::new();
    for (at, _) in svg.match_indices("<path class=\"fk") {
        let rest = &svg[at..];
        let tag = &rest[..rest.find('>').unwrap()];
        let d_at = tag.find(" d=\"").unwrap() + 4;
        let d = &tag[d_at..d_at + tag[d_at..].find('"').unwrap()];
        let t0 = rest.find("<title>").unwrap() + 7;
        let title = unescape(&rest[t0..t0 + rest[t0..].find("</title>").unwrap()]);
        let (_, ends) = title.split_once(": ").unwrap();
        let (from, to) = ends.split_once(" → ").unwrap();
        let strip = |s: &str| s[..s.rfind('(').unwrap()].to_owned();
        out.push(Edge { from: strip(from), to: strip(to), points: path_points(d) });
    }
    out
}

/// Points along an SVG path made of M, L, H, V, C, Q and A commands (absolute), curves
/// sampled at 24 steps; arcs (rounded corners) are taken as straight lines.
fn path_points(d: &str) -> Vec<(f64, f64)> {
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    for ch in d.chars() {
        if ch.is_ascii_alphabetic() {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
            tokens.push(ch.to_string());
        } else if ch == ',' || ch == ' ' {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
        } else if ch == '-' && !cur.is_empty() {
            tokens.push(std::mem::take(&mut cur));
            cur.push(ch);
        } else {
            cur.push(ch);
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let mut pts: Vec<(f64, f64)> = Vec::new();
    let mut i = 0;
    let mut cmd = 'M';
    let num = |i: usize| -> f64 { tokens[i].parse().unwrap() };
    let mut last = (0.0, 0.0);
    while i < tokens.len() {
        if tokens[i].chars().next().unwrap().is_ascii_alphabetic() {
            cmd = tokens[i].chars().next().unwrap();
            i += 1;
            continue;
        }
        match cmd {
            'M' | 'L' => {
                last = (num(i), num(i + 1));
                pts.push(last);
                i += 2;
            }
            'H' => {
                last = (num(i), last.1);
                pts.push(last);
                i += 1;
            }
            'V' => {
                last = (last.0, num(i));
                pts.push(last);
                i += 1;
            }
            'Q' => {
                let (c, e) = ((num(i), num(i + 1)), (num(i + 2), num(i + 3)));
                for s in 1..=24 {
                    let t = s as f64 / 24.0;
                    let u = 1.0 - t;
                    pts.push((
                        u * u * last.0 + 2.0 * u * t * c.0 + t * t * e.0,
                        u * u * last.1 + 2.0 * u * t * c.1 + t * t * e.1,
                    ));
                }
                last = e;
                i += 4;
            }
            'C' => {
                let (c1, c2, e) = ((num(i), num(i + 1)), (num(i + 2), num(i + 3)), (num(i + 4), num(i + 5)));
                for s in 1..=24 {
                    let t = s as f64 / 24.0;
                    let u = 1.0 - t;
                    let b = |p0: f64, p1: f64, p2: f64, p3: f64| {
                        u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
                    };
                    pts.push((b(last.0, c1.0, c2.0, e.0), b(last.1, c1.1, c2.1, e.1)));
                }
                last = e;
                i += 6;
            }
            'A' => {
                last = (num(i + 5), num(i + 6));
                pts.push(last);
                i += 7;
            }
            other => panic!("path command {other} in {d}"),
        }
    }
    pts
}

/// Whether the polyline `points` enters `b` (shrunk by 1 px, so touching an edge
/// of the box is not passing through it).
pub fn passes_through(points: &[(f64, f64)], b: &Box) -> bool {
    let (x0, y0, x1, y1) = (b.x + 1.0, b.y + 1.0, b.x + b.w - 1.0, b.y + b.h - 1.0);
    points.windows(2).any(|w| segment_hits(w[0], w[1], (x0, y0, x1, y1)))
}

/// Liang–Barsky clipping: does the segment meet the open rectangle?
fn segment_hits(a: (f64, f64), b: (f64, f64), r: (f64, f64, f64, f64)) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a.0 - r.0), (dx, r.2 - a.0), (-dy, a.1 - r.1), (dy, r.3 - a.1)] {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// How many of the edges pass through at least one box of a table they do not
/// connect, and how many edges there are.
pub fn edges_through_boxes(svg: &str) -> (usize, usize) {
    let boxes = boxes(svg);
    let edges = edges(svg);
    let bad = edges
        .iter()
        .filter(|e| boxes.iter().any(|b| b.table != e.from && b.table != e.to && passes_through(&e.points, b)))
        .count();
    (bad, edges.len())
}

fn attr(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}
