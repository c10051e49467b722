//! The migrations tab: both tracks with each version's state, the directory's
//! problems and the linter's findings.

use maud::{Markup, html};
use strata_migrate::plan::State;

use crate::migrations::MigrationsView;

pub fn render(view: Option<&MigrationsView>) -> Markup {
    let Some(v) = view else {
        return html! {
            h1 { "Migrations" }
            p.empty { "No migrations directory: start the studio in the project's root (or pass --dir) to see them here." }
        };
    };
    let count = |s: State| v.entries.iter().filter(|e| e.state == s).count();
    html! {
        h1 { "Migrations" }
        p.hint {
            code { (v.dir.display()) } ": "
            (count(State::Applied)) " applied, " (count(State::Pending)) " pending, "
            (count(State::Modified)) " modified, " (count(State::Missing)) " missing, " (count(State::Failed)) " failed."
        }
        table.list.migrations {
            thead { tr { th { "track" } th { "version" } th { "description" } th { "state" } th { "applied at" } th { "took" } th { "by" } } }
            tbody {
                @for e in &v.entries {
                    tr class={ "state-" (e.state.as_str()) } {
                        td { (e.track.as_str()) }
                        td { code { (e.version) } }
                        td { (e.description) @if let Some(f) = &e.failure { div.warn { (f) } } }
                        td { span class={ "state " (e.state.as_str()) } { (e.state.as_str()) } @if e.out_of_order { " " span.warn { "out of order" } } }
                        td { @if let Some(t) = e.applied_at { (t.format("%Y-%m-%d %H:%M:%S UTC")) } }
                        td.num { @if let Some(ms) = e.execution_ms { (ms) " ms" } }
                        td { @if let Some(b) = &e.applied_by { (b) } }
                    }
                }
            }
        }
        @if !v.problems.is_empty() {
            h2 { "Problems in the directory" }
            ul.problems { @for p in &v.problems { li { (p) } } }
        }
        h2 { "Lint" }
        @if v.lint.is_empty() {
            p.ok { "No findings in " (v.files_linted) " files." }
        } @else {
            ul.lint {
                @for f in &v.lint {
                    li class=(f.severity) {
                        span class={ "severity " (f.severity) } { (f.severity) } " "
                        code { (f.place) } " " span.rule { "[" (f.rule) "]" } " " (f.message)
                        @if let Some(h) = &f.help { div.help { "help: " (h) } }
                    }
                }
            }
        }
    }
}
