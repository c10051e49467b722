//! The frame of every page: the top bar with the sections and the mode, the schema
//! tree on the left, the content on the right. No inline script or style: the one
//! stylesheet and the one script are embedded files served by the studio.

use maud::{DOCTYPE, Markup, html};

use crate::db::catalog::SchemaNode;
use crate::db::ident::QualifiedName;
use crate::db::login::Login;
use crate::html::{format, links};

/// The top-level sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Browse,
    Console,
    Migrations,
    Diagram,
}

/// What the frame needs to know.
pub struct Chrome<'a> {
    pub title: &'a str,
    pub tree: &'a [SchemaNode],
    /// The relation shown, whose schema opens in the tree.
    pub current: Option<&'a QualifiedName>,
    pub section: Section,
    pub write: bool,
    /// The login (and role) every statement runs as.
    pub login: &'a Login,
    /// Why the console is disabled on this login, if it is.
    pub console_refusal: Option<&'a str>,
}

/// A whole page around `content`.
pub fn page(chrome: &Chrome<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (chrome.title) " · strata studio" }
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/studio.css";
                script src="/assets/studio.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "strata" span { "studio" } }
                    nav.sections {
                        (section_link("/", "Browse", chrome.section == Section::Browse))
                        (section_link("/console", "SQL console", chrome.section == Section::Console))
                        (section_link("/migrations", "Migrations", chrome.section == Section::Migrations))
                        (section_link("/erd", "Diagram", chrome.section == Section::Diagram))
                    }
                    @let login_title = if chrome.login.risks.is_empty() {
                        "The PostgreSQL login (and role) every statement of this studio runs as".to_owned()
                    } else {
                        format!("This login is {}", chrome.login.risks.join(", "))
                    };
                    span.login.unsafe[!chrome.login.risks.is_empty()] title=(login_title) { (chrome.login.label()) }
                    @if chrome.write {
                        span.mode.write title="Started with --write: rows of tables with a primary key can be edited" { "write mode" }
                    } @else {
                        span.mode.readonly title="Every transaction is READ ONLY; start with --write to edit" { "read-only" }
                    }
                }
                div.frame {
                    aside.sidebar { (tree(chrome.tree, chrome.current)) }
                    main.content {
                        @if let Some(why) = chrome.console_refusal {
                            @if chrome.section == Section::Console { p.console-disabled role="alert" { (why) } }
                        }
                        (content)
                    }
                }
            }
        }
    }
}

fn section_link(href: &str, label: &str, current: bool) -> Markup {
    html! {
        @if current { a.current href=(href) aria-current="page" { (label) } } @else { a href=(href) { (label) } }
    }
}

/// Every schema as a collapsible branch (`<details>`, so it works without script).
pub fn tree(schemas: &[SchemaNode], current: Option<&QualifiedName>) -> Markup {
    html! {
        nav.tree aria-label="Schemas" {
            // Without the script this searches on the home page; with it, it filters the tree as you type.
            form.tree-filter method="get" action="/" role="search" {
                input type="search" name="q" placeholder="Filter tables" aria-label="Filter tables by name" autocomplete="off";
            }
            @for s in schemas {
                @let open = current.is_some_and(|c| c.schema == s.name);
                details.schema open[open] data-schema=(s.name) {
                    summary { span.schema-name { (s.name) } span.badge { (s.relations.len()) } }
                    @if s.relations.is_empty() {
                        p.empty { "no tables" }
                    } @else {
                        ul {
                            @for r in &s.relations {
                                @let name = QualifiedName::new(s.name.clone(), r.name.clone());
                                @let here = current == Some(&name);
                                li {
                                    @let title = if r.readable { r.kind.label().to_owned() } else { format!("{}, not readable by this role", r.kind.label()) };
                                    a.relation.current[here].unreadable[!r.readable] href=(links::table(&name)) data-kind=(r.kind.label()) title=(title) {
                                        span class={ "icon " (if r.kind.is_view() { "view" } else { "table" }) } {}
                                        span.name { (r.name) }
                                    }
                                    @if let Some(n) = r.estimate { span.estimate title="estimated rows (from the catalog)" { (format::estimate(n)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
