//! `strata init`: a new project in the current folder. `strata.toml` with every
//! key commented, the migrations folder with its create_schemas pair and an empty
//! seed track, `.gitattributes` keeping SQL files LF, `.gitignore` for the embedded
//! database. Never overwrites: an existing `strata.toml`, create_schemas file or
//! non-empty migrations folder is refused (exit 2) before anything is written; an
//! existing `.gitignore` or `.gitattributes` (a service's repository has them)
//! only gets the lines it lacks appended, as `cargo init` does.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::event::Event;
use anyhow::{Context as _, Result};
use strata_migrate::source::Version;

use crate::args::{Global, InitArgs};
use crate::exit::Usage;
use crate::output::Output;

/// The folder the embedded development database lives in (`Context::cluster`).
const STATE_DIR: &str = ".strata";

pub fn run(global: &Global, out: Output, args: &InitArgs) -> Result<u8> {
    let root = std::env::current_dir().context("reading the current directory")?;
    let dir = global.dir.clone().unwrap_or_else(|| PathBuf::from("migrations"));
    let dir_text = project_relative(&dir)?;
    let schemas = checked_schemas(&args.schemas)?;
    let version = Version::new(chrono::Utc::now().date_naive(), 0).expect("today is a valid date");
    let name = format!("{version}_create_schemas");
    let files: Vec<(PathBuf, String)> = vec![
        (root.join("strata.toml"), strata_toml(&dir_text, &schemas)),
        (root.join(&dir).join("migrate").join(format!("{name}.up.sql")), create_schemas_up(&schemas)),
        (root.join(&dir).join("migrate").join(format!("{name}.down.sql")), create_schemas_down(&schemas)),
        (root.join(&dir).join("seed").join(".gitkeep"), String::new()),
    ];
    refuse_anything_in_the_way(&root, &root.join(&dir), &files)?;
    let mut steps: Vec<Step> = files.into_iter().map(|(path, text)| Step::Create { path, text }).collect();
    for (name, rules) in [(".gitattributes", GITATTRIBUTES), (".gitignore", GITIGNORE)] {
        steps.push(git_file_step(root.join(name), rules)?);
    }
    let mut done: Vec<&Step> = vec![];
    for step in &steps {
        if let Err(err) = step.apply() {
            for d in done.iter().rev() {
                d.undo(); // leave the folder as it was
            }
            return Err(err);
        }
        done.push(step);
    }
    for step in &steps {
        step.report(&root, out);
    }
    out.line(format!(
        "\nNext:\n  strata generate --type=migrate --name=create_first_table --schema={}\n  strata lint\n  strata migrate up      # on the embedded database, or set DATABASE_URL\n  strata migrate status",
        schemas[0]
    ));
    Ok(0)
}

/// `--dir` as written into strata.toml: a relative path inside the project.
fn project_relative(dir: &Path) -> Result<String> {
    let inside = dir.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    match dir.to_str() {
        Some(text) if inside && !text.is_empty() && !text.contains(['"', '\\']) && !text.chars().any(char::is_control) => {
            Ok(text.to_owned())
        }
        _ => Err(Usage::new(format!(
            "--dir {}: strata init wants a plain relative folder inside the project, such as migrations or db/migrations",
            dir.display()
        ))
        .into()),
    }
}

/// Lower-case names PostgreSQL takes unquoted, not reserved for the system, each once.
fn checked_schemas(schemas: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for s in schemas {
        let s = s.trim();
        let plain = s.len() <= 63
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain {
            return Err(Usage::new(format!(
                "--schemas: {s:?} is not a plain schema name (a-z or _ first, then a-z, 0-9, _; at most 63 characters)"
            ))
            .into());
        }
        if s == "public" || s.starts_with("pg_") || s == "information_schema" {
            return Err(Usage::new(format!(
                "--schemas: {s:?} is PostgreSQL's own; name the project's schemas (public holds only the migration history)"
            ))
            .into());
        }
        if out.iter().any(|o| o == s) {
            return Err(Usage::new(format!("--schemas: {s:?} is named twice")).into());
        }
        out.push(s.to_owned());
    }
    if out.is_empty() {
        return Err(Usage::new("--schemas: name at least one schema, e.g. --schemas auth,app").into());
    }
    Ok(out)
}

/// Every file init would write must be new, and the migrations folder empty (a
/// second create_schemas pair beside an existing set would break it).
fn refuse_anything_in_the_way(root: &Path, dir: &Path, files: &[(PathBuf, String)]) -> Result<()> {
    let refuse = |path: &Path, what: &str| -> anyhow::Error {
        Usage::new(format!(
            "{} {what}; strata init only creates new files, so nothing was written",
            path.strip_prefix(root).unwrap_or(path).display()
        ))
        .into()
    };
    for (path, _) in files {
        if path.symlink_metadata().is_ok() {
            return Err(refuse(path, "already exists"));
        }
    }
    if let Some(file) = first_file(dir) {
        return Err(refuse(&file, "is already in the migrations folder"));
    }
    if root.join(STATE_DIR).exists() {
        return Err(refuse(&root.join(STATE_DIR), "already exists (an embedded database of an earlier project?)"));
    }
    Ok(())
}

/// A file anywhere under `dir` (the first by name), to name in the refusal.
fn first_file(dir: &Path) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    entries.iter().find(|p| !p.is_dir()).cloned().or_else(|| entries.iter().find_map(|p| first_file(p)))
}

/// One change init makes, undone when a later one fails.
enum Step {
    Create {
        path: PathBuf,
        text: String,
    },
    /// Lines added at the end of an existing file.
    Append {
        path: PathBuf,
        original: String,
        added: String,
    },
    /// An existing file that already has every line.
    Keep {
        path: PathBuf,
    },
}

impl Step {
    fn apply(&self) -> Result<()> {
        match self {
            Step::Create { path, text } => create_new(path, text),
            Step::Append { path, original, added } => std::fs::write(path, format!("{original}{added}"))
                .with_context(|| format!("writing {}", path.display())),
            Step::Keep { .. } => Ok(()),
        }
    }

    fn undo(&self) {
        match self {
            Step::Create { path, .. } => {
                let _ = std::fs::remove_file(path);
            }
            Step::Append { path, original, .. } => {
                let _ = std::fs::write(path, original);
            }
            Step::Keep { .. } => {}
        }
    }

    fn report(&self, root: &Path, out: Output) {
        let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
        match self {
            Step::Create { path, .. } => {
                out.emit(Event::Created { path: &shown(path) });
                out.result(format!("created {}", shown(path).display()));
            }
            Step::Append { path, added, .. } => {
                let lines: Vec<&str> = added.lines().filter(|l| is_rule(l)).collect();
                out.emit(Event::Appended { path: &shown(path), lines: &lines });
                out.result(format!("added {} to {}", lines.join(", "), shown(path).display()));
            }
            Step::Keep { path } => {
                out.emit(Event::Kept { path: &shown(path) });
                out.result(format!("kept {} (it has strata's lines already)", shown(path).display()));
            }
        }
    }
}

/// A git file of `(comment, rule)` pairs: created, or completed with the rules it lacks.
fn git_file_step(path: PathBuf, rules: &[(&str, &str)]) -> Result<Step> {
    let render = |rules: &[&(&str, &str)]| -> String { rules.iter().map(|(c, r)| format!("{c}\n{r}\n")).collect() };
    let original = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Step::Create { path, text: render(&rules.iter().collect::<Vec<_>>()) });
        }
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let present: Vec<String> = original.lines().filter(|l| is_rule(l)).map(rule_key).collect();
    let missing: Vec<&(&str, &str)> = rules.iter().filter(|(_, r)| !present.contains(&rule_key(r))).collect();
    if missing.is_empty() {
        return Ok(Step::Keep { path });
    }
    let separator = if original.is_empty() || original.ends_with("\n\n") {
        ""
    } else if original.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    Ok(Step::Append { path, added: format!("{separator}{}", render(&missing)), original })
}

fn is_rule(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && !line.starts_with('#')
}

/// `/.strata/`, `.strata/` and `.strata` ignore the same folder here; attributes
/// compare word by word.
fn rule_key(line: &str) -> String {
    let line = line.trim();
    let line = line.strip_prefix('/').unwrap_or(line);
    let line = line.strip_suffix('/').unwrap_or(line);
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn create_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

fn create_schemas_up(schemas: &[String]) -> String {
    let mut sql = String::from(
        "-- The project's schemas. Every later file may use these and no other: add a\n\
         -- schema here before the first file that uses it (strata lint checks).\n",
    );
    for s in schemas {
        sql.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {s};\n"));
    }
    sql
}

fn create_schemas_down(schemas: &[String]) -> String {
    let mut sql = String::from(
        "-- Runs last when rolling everything back, when every schema is empty again.\n\
         -- No CASCADE: a schema still holding objects fails loudly instead of taking them along.\n",
    );
    for s in schemas.iter().rev() {
        sql.push_str(&format!("DROP SCHEMA IF EXISTS {s};\n"));
    }
    sql
}

const GITATTRIBUTES: &[(&str, &str)] = &[(
    "# Migration files keep LF endings in every checkout (strata's checksums ignore\n\
     # CRLF, but reviews and editors then see the same bytes everywhere).",
    "*.sql text eol=lf",
)];

const GITIGNORE: &[(&str, &str)] = &[
    ("# strata's embedded development database: its data, password and port.", "/.strata/"),
    ("# Connection strings (DATABASE_URL) that strata reads from .env.", ".env"),
];

/// Every key of `strata.toml`, commented out at its default; `dir` is set when
/// `--dir` was not the default.
fn strata_toml(dir: &str, schemas: &[String]) -> String {
    let dir_line = if dir == "migrations" { "# dir = \"migrations\"".to_owned() } else { format!("dir = \"{dir}\"") };
    let schema_list = schemas.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    format!(
        r#"# strata.toml: every key is optional. The commented values are the defaults.
# Flags win over this file: --database-url, --dir, --config.

[database]
# The environment variable (also read from .env) holding the PostgreSQL URL.
# When it is unset and no --database-url is given, strata starts its embedded
# development database in .strata/ (PostgreSQL's server binaries must be installed).
# url_env = "DATABASE_URL"

[migrations]
# The folder holding migrate/ (schema) and seed/ (data).
{dir_line}
# The table strata keeps its history in: one row per applied file.
# history_table = "public.migration_history"
# The project's schemas; by default those the create_schemas migration creates.
# schemas = [{schema_list}]

[lint]
# What `migrate up` and `seed up` do with lint errors: "error" refuses the run
# before touching the database, "warn" prints them and goes on, "off" skips lint.
# on_migrate = "error"
# Rule ids to switch off (strata lint names the rule of each finding).
# disable = ["non-idempotent"]

[serve]
# `strata serve` as a restricted role: a URL of its own login in this variable...
# url_env = "APP_DATABASE_URL"
# ...or SET ROLE on every connection (the migrating login must be a member).
# role = "app_user"

[studio]
# The same for `strata studio`, e.g. a read-only role.
# url_env = "STUDIO_DATABASE_URL"
# role = "readonly"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    /// Every commented key is a real one: uncommented, the file still parses
    /// (strata.toml refuses unknown keys).
    #[test]
    fn every_commented_key_is_a_real_key() {
        let text = strata_toml("migrations", &["auth".into(), "app".into()]);
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") && !rest.starts_with(char::is_uppercase) => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let keys = uncommented.lines().filter(|l| l.contains(" = ") && !l.starts_with('#')).count();
        assert_eq!(keys, 10, "{uncommented}");
        let parsed: FileConfig = toml::from_str(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(parsed.migrations.schemas, Some(vec!["auth".to_owned(), "app".to_owned()]));
        assert_eq!(parsed.database.url_env.as_deref(), Some("DATABASE_URL"));
        assert!(toml::from_str::<FileConfig>(&text).is_ok());
    }

    #[test]
    fn refuses_schema_names_that_are_not_the_projects() {
        for bad in ["Auth", "public", "pg_x", "a-b", "", "1app"] {
            assert!(checked_schemas(&[bad.to_owned()]).is_err(), "{bad}");
        }
        assert!(checked_schemas(&["app".into(), "app".into()]).is_err());
        assert_eq!(checked_schemas(&["auth".into(), " app".into()]).unwrap(), ["auth", "app"]);
    }

    #[test]
    fn dir_must_stay_inside_the_project() {
        for bad in ["/srv/m", "../m", "a/../../b"] {
            assert!(project_relative(Path::new(bad)).is_err(), "{bad}");
        }
        assert_eq!(project_relative(Path::new("db/migrations")).unwrap(), "db/migrations");
    }
}
