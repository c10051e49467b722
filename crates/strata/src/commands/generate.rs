//! `strata generate`: a new up/down pair with today's date (UTC) and the next
//! free sequence, templated for the schema it changes.

use crate::event::Event;
use anyhow::{Context as _, Result};
use strata_migrate::source::{self, Track, Version, is_snake_case};

use crate::args::{GenerateArgs, TrackArg};
use crate::config::Context;
use crate::exit::Usage;
use crate::output::Output;
use crate::schemas::project_schemas;

pub fn run(ctx: &Context, out: Output, args: &GenerateArgs) -> Result<u8> {
    let track = match args.track {
        TrackArg::Migrate => Track::Migrate,
        TrackArg::Seed => Track::Seed,
    };
    if !is_snake_case(&args.name) {
        return Err(Usage::new(format!(
            "--name {:?} must be lower snake_case: a-z first, then a-z, 0-9 and single underscores (e.g. add_phone_to_users)",
            args.name
        ))
        .into());
    }
    if let Some(schema) = &args.schema {
        let known = project_schemas(ctx)?;
        if !known.iter().any(|s| s == schema) {
            return Err(Usage::new(format!(
                "--schema {schema:?} is not created by the create_schemas migration (known: {}); add it there first",
                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
            ))
            .into());
        }
    }
    let today = chrono::Utc::now().date_naive();
    let scan = source::scan(&ctx.dir);
    let all = scan.set.iter();
    let today_version = Version::new(today, 0).expect("today is a valid date");
    let next_seq =
        all.filter(|m| m.version.date() == today_version.date()).map(|m| m.version.seq() + 1).max().unwrap_or(0);
    let version =
        Version::new(today, next_seq).ok_or_else(|| Usage::new("no free sequence left today (999999 used)"))?;
    let folder = ctx.dir.join(track.as_str());
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let base = format!("{version}_{}", args.name);
    let up = folder.join(format!("{base}.up.sql"));
    let down = folder.join(format!("{base}.down.sql"));
    for path in [&up, &down] {
        if path.exists() {
            return Err(Usage::new(format!("{} already exists", path.display())).into());
        }
    }
    let (up_sql, down_sql) = templates(track, &args.name, args.schema.as_deref());
    std::fs::write(&up, up_sql).with_context(|| format!("writing {}", up.display()))?;
    if let Err(err) = std::fs::write(&down, down_sql) {
        let _ = std::fs::remove_file(&up); // never leave half a pair behind
        return Err(err).with_context(|| format!("writing {}", down.display()));
    }
    out.emit(Event::Generated { track, version, up: &up, down: &down });
    out.result(up.display());
    out.result(down.display());
    Ok(0)
}

/// The header `-- strata:schema NAME` records which schema a file changes
/// (for per-schema views of the history).
fn templates(track: Track, name: &str, schema: Option<&str>) -> (String, String) {
    let s = schema.unwrap_or("app");
    let header = |dir: &str| {
        let mut h = format!("-- {track} {dir}: {name}\n");
        if let Some(schema) = schema {
            h.push_str(&format!("-- strata:schema {schema}\n"));
        }
        h.push_str("-- Qualify every relation with its schema and keep every statement idempotent:\n");
        h
    };
    match track {
        Track::Migrate => (
            format!(
                "{}-- IF NOT EXISTS, OR REPLACE, ADD COLUMN IF NOT EXISTS.\n\n\
                 -- CREATE TABLE IF NOT EXISTS {s}.example (\n\
                 --     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n\
                 --     created_at timestamptz NOT NULL DEFAULT now()\n\
                 -- );\n",
                header("up")
            ),
            format!(
                "{}-- IF EXISTS. Undo exactly what the up file does, in reverse order.\n\n-- DROP TABLE IF EXISTS {s}.example;\n",
                header("down")
            ),
        ),
        Track::Seed => (
            format!(
                "{}-- INSERT ... ON CONFLICT DO NOTHING.\n\n\
                 -- INSERT INTO {s}.example (id, name) VALUES\n\
                 --     ('00000000-0000-0000-0000-000000000001', 'first')\n\
                 -- ON CONFLICT DO NOTHING;\n",
                header("up")
            ),
            format!(
                "{}-- delete exactly the rows the up file adds.\n\n-- DELETE FROM {s}.example WHERE id IN ('00000000-0000-0000-0000-000000000001');\n",
                header("down")
            ),
        ),
    }
}
