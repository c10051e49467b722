//! The proc-macro behind `strata_migrate::embed!`. Use that macro, not this crate:
//! it wraps the file list in the engine's types.
//!
//! `files!("migrations")` reads `<CARGO_MANIFEST_DIR>/migrations/{migrate,seed}/*.sql`
//! at compile time and expands to a slice of `(relative path, include_str!(absolute
//! path))`. Each file goes through `include_str!`, so cargo rebuilds the crate when
//! one of them is edited (a file that is added or removed needs a build script
//! with `cargo:rerun-if-changed=migrations`, as with `sqlx::migrate!`), and a file
//! that is not UTF-8 fails the build naming it. No dependencies: no syn, no quote.

use std::path::{Path, PathBuf};

use proc_macro::{Delimiter, Literal, TokenStream, TokenTree};

/// The track folders read, in this order (the engine pairs and validates the names).
const TRACKS: [&str; 2] = ["migrate", "seed"];

/// `files!("dir")`: `&[(&str, &str)]` of every `.sql` file under `dir/migrate` and
/// `dir/seed`, paths relative to `dir`, sorted.
#[proc_macro]
pub fn files(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(code) => code.parse().expect("generated code parses"),
        Err(message) => format!("::core::compile_error!({})", Literal::string(&message)).parse().expect("error parses"),
    }
}

fn expand(input: TokenStream) -> Result<String, String> {
    let relative = string_argument(input)?;
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or("strata_migrate::embed!: CARGO_MANIFEST_DIR is not set (build with cargo)")?;
    let dir = Path::new(&manifest_dir).join(&relative);
    if !dir.is_dir() {
        return Err(format!(
            "strata_migrate::embed!({relative:?}): {} is not a folder (the path is relative to the crate's Cargo.toml)",
            dir.display()
        ));
    }
    let mut files: Vec<(String, PathBuf)> = vec![];
    for track in TRACKS {
        let folder = dir.join(track);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(format!("strata_migrate::embed!: reading {}: {err}", folder.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("strata_migrate::embed!: reading {}: {e}", folder.display()))?;
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                return Err(format!("strata_migrate::embed!: {} is not a UTF-8 file name", path.display()));
            };
            // Folders and dot files (.gitkeep, editor swap files) are not part of a set,
            // as when the CLI reads the folder.
            if name.starts_with('.') || path.is_dir() {
                continue;
            }
            files.push((format!("{track}/{name}"), path));
        }
    }
    files.sort();
    let mut code = String::from("&[");
    for (name, path) in &files {
        let absolute = path.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))?;
        code.push_str(&format!("({}, ::core::include_str!({})),", Literal::string(name), Literal::string(absolute)));
    }
    code.push(']');
    Ok(code)
}

/// The one string literal the macro takes (possibly wrapped in the invisible group
/// a `macro_rules!` `$path:literal` becomes).
fn string_argument(input: TokenStream) -> Result<String, String> {
    let usage = "strata_migrate::embed! takes one string literal: the migrations folder, relative to Cargo.toml";
    let mut tokens: Vec<TokenTree> = input.into_iter().collect();
    while let [TokenTree::Group(g)] = tokens.as_slice() {
        if g.delimiter() != Delimiter::None {
            break;
        }
        tokens = g.stream().into_iter().collect();
    }
    let [TokenTree::Literal(lit)] = tokens.as_slice() else {
        return Err(usage.into());
    };
    unquote(&lit.to_string()).ok_or_else(|| usage.into())
}

/// The value of a plain `"..."` literal without escapes (raw strings too); a path
/// needing escapes is refused rather than half-decoded.
fn unquote(lit: &str) -> Option<String> {
    if let Some(inner) = lit.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return (!inner.contains('\\')).then(|| inner.to_owned());
    }
    let raw = lit.strip_prefix('r')?;
    let hashes = raw.len() - raw.trim_start_matches('#').len();
    let body = &raw[hashes..raw.len() - hashes];
    body.strip_prefix('"')?.strip_suffix('"').map(str::to_owned)
}
