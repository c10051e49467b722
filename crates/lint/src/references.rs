//! Every name in a unit that denotes a schema-resident object (table, view,
//! sequence, index, type, function, ...), whether the statement defines it or
//! refers to it. The qualification and unknown-schema rules read this list.
//!
//! Names that are not such objects are left out: CTE names, trigger transition
//! tables, the `new`/`old` of rules, `pg_catalog` relations (`pg_*`) and built-in
//! types.

use rowan::TextRange;
use squawk_syntax::{SyntaxKind, SyntaxNode};

use crate::builtin::{is_builtin_trigger_function, is_builtin_type};
use crate::names::{Name, name_of, simple_name, split_regclass};

/// What kind of object a name denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    Relation,
    Table,
    View,
    MaterializedView,
    Sequence,
    Index,
    Type,
    Domain,
    Function,
    Procedure,
    Routine,
    Aggregate,
    Statistics,
    Column,
    TriggerFunction,
}

impl ObjectKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Relation => "relation",
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Index => "index",
            ObjectKind::Type => "type",
            ObjectKind::Domain => "domain",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Routine => "routine",
            ObjectKind::Aggregate => "aggregate",
            ObjectKind::Statistics => "statistics object",
            ObjectKind::Column => "column",
            ObjectKind::TriggerFunction => "trigger function",
        }
    }

    /// Relations live in the project's schemas only; types and functions may
    /// also come from an extension installed in `public`.
    pub(crate) fn is_relation(self) -> bool {
        matches!(
            self,
            ObjectKind::Relation
                | ObjectKind::Table
                | ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Sequence
                | ObjectKind::Index
                | ObjectKind::Statistics
                | ObjectKind::Column
        )
    }
}

/// One occurrence of an object name.
#[derive(Debug, Clone)]
pub(crate) struct ObjectRef {
    pub kind: ObjectKind,
    pub name: Name,
    /// The statement creates the object (rather than refers to it).
    pub defines: bool,
    /// How many segments a qualified name has: 3 for a column (`schema.table.column`).
    pub qualified_len: usize,
    /// For a name written inside a string (`nextval('seq')`): the literal's range.
    pub literal: Option<TextRange>,
}

impl ObjectRef {
    pub(crate) fn is_qualified(&self) -> bool {
        self.name.segments.len() >= self.qualified_len
    }

    /// The schema segment, when the name is qualified.
    pub(crate) fn schema(&self) -> Option<&str> {
        self.is_qualified().then(|| self.name.segments[self.name.segments.len() - self.qualified_len].as_str())
    }

    /// The range the finding points at.
    pub(crate) fn range(&self) -> TextRange {
        self.literal.unwrap_or_else(|| self.name.range())
    }
}

/// The transition tables (`REFERENCING NEW TABLE AS name`) a unit declares: in
/// the trigger's function they are read like relations.
pub(crate) fn transition_tables(root: &SyntaxNode) -> impl Iterator<Item = String> {
    root.descendants().filter(|n| n.kind() == SyntaxKind::TRANSITION_RELATION_NAME).map(|n| simple_name(&n))
}

/// Every object name in `root`.
pub(crate) fn object_refs(root: &SyntaxNode, transition_tables: &[String]) -> Vec<ObjectRef> {
    let mut out = vec![];
    for node in root.descendants() {
        let parent = node.parent().map_or(SyntaxKind::SOURCE_FILE, |p| p.kind());
        let (kind, defines) = match (node.kind(), parent) {
            // definitions: the name given to a new object
            (
                SyntaxKind::TABLE_NAME,
                SyntaxKind::CREATE_TABLE
                | SyntaxKind::CREATE_FOREIGN_TABLE
                | SyntaxKind::CREATE_TABLE_AS
                | SyntaxKind::INTO_CLAUSE,
            ) => (ObjectKind::Table, true),
            (SyntaxKind::VIEW, SyntaxKind::CREATE_VIEW) => (ObjectKind::View, true),
            (SyntaxKind::VIEW, SyntaxKind::CREATE_MATERIALIZED_VIEW) => (ObjectKind::MaterializedView, true),
            (SyntaxKind::SEQUENCE, SyntaxKind::CREATE_SEQUENCE | SyntaxKind::OPTION_SEQUENCE_NAME) => {
                (ObjectKind::Sequence, true)
            }
            (SyntaxKind::TYPE_NAME, SyntaxKind::CREATE_TYPE) => (ObjectKind::Type, true),
            (SyntaxKind::DOMAIN, SyntaxKind::CREATE_DOMAIN) => (ObjectKind::Domain, true),
            (SyntaxKind::FUNCTION_NAME, SyntaxKind::CREATE_FUNCTION) => (ObjectKind::Function, true),
            (SyntaxKind::PROCEDURE_NAME, SyntaxKind::CREATE_PROCEDURE) => (ObjectKind::Procedure, true),
            (SyntaxKind::AGGREGATE_NAME, SyntaxKind::CREATE_AGGREGATE) => (ObjectKind::Aggregate, true),
            (SyntaxKind::STATISTICS, SyntaxKind::CREATE_STATISTICS) => (ObjectKind::Statistics, true),
            // references
            (SyntaxKind::RELATION_NAME_REF, _) => (ObjectKind::Relation, false),
            (SyntaxKind::TABLE_NAME_REF, _) => (ObjectKind::Table, false),
            (SyntaxKind::VIEW_REF, _) => (ObjectKind::View, false),
            (SyntaxKind::SEQUENCE_REF, _) => (ObjectKind::Sequence, false),
            (SyntaxKind::INDEX_REF, _) => (ObjectKind::Index, false),
            (SyntaxKind::TYPE_NAME_REF, _) => (ObjectKind::Type, false),
            (SyntaxKind::DOMAIN_REF, _) => (ObjectKind::Domain, false),
            (SyntaxKind::FUNCTION_NAME_REF, SyntaxKind::FUNCTION_SIG) => (ObjectKind::Function, false),
            (SyntaxKind::PROCEDURE_NAME_REF, _) => (ObjectKind::Procedure, false),
            (SyntaxKind::ROUTINE_NAME_REF, _) => (ObjectKind::Routine, false),
            (SyntaxKind::AGGREGATE, _) => (ObjectKind::Aggregate, false),
            (SyntaxKind::STATISTICS_REF, _) => (ObjectKind::Statistics, false),
            (SyntaxKind::PLPGSQL_PERCENT_ROWTYPE, _) => (ObjectKind::Relation, false),
            (SyntaxKind::QUALIFIED_COLUMN_NAME_REF, _) => (ObjectKind::Column, false),
            // a type as written (a column's, an argument's); built-in types are skipped below
            (SyntaxKind::PATH_TYPE, _) => (ObjectKind::Type, false),
            (SyntaxKind::CALL_EXPR, _) => {
                out.extend(call_refs(&node));
                continue;
            }
            (SyntaxKind::CAST_EXPR, _) => {
                out.extend(regclass_cast(&node));
                continue;
            }
            _ => continue,
        };
        let Some(name) = name_of(&node) else { continue };
        if node.kind() == SyntaxKind::PATH_TYPE && name.segments.len() == 1 && is_builtin_type(name.last()) {
            continue;
        }
        if !defines && name.segments.len() == 1 && matches!(kind, ObjectKind::Relation | ObjectKind::Table) {
            let n = name.last();
            if n.starts_with("pg_")
                || transition_tables.iter().any(|t| t == n)
                || is_cte(&node, n)
                || is_rule_pseudo(&node, n)
            {
                continue;
            }
        }
        let qualified_len = if matches!(kind, ObjectKind::Column) { 3 } else { 2 };
        out.push(ObjectRef { kind, name, defines, qualified_len, literal: None });
    }
    out
}

/// A CTE named `name` is in scope at `node`.
fn is_cte(node: &SyntaxNode, name: &str) -> bool {
    node.ancestors().any(|a| {
        a.children().filter(|c| c.kind() == SyntaxKind::WITH_CLAUSE).any(|with| {
            with.children()
                .filter(|t| t.kind() == SyntaxKind::WITH_TABLE)
                .filter_map(|t| t.children().find(|c| c.kind() == SyntaxKind::CTE_NAME))
                .any(|cte| simple_name(&cte) == name)
        })
    })
}

/// `new` and `old` inside `CREATE RULE`.
fn is_rule_pseudo(node: &SyntaxNode, name: &str) -> bool {
    (name == "new" || name == "old") && node.ancestors().any(|a| a.kind() == SyntaxKind::CREATE_RULE)
}

/// A function call: the trigger function of `CREATE TRIGGER`, and sequences
/// named in a string to `nextval`, `currval`, `setval`.
fn call_refs(call: &SyntaxNode) -> Option<ObjectRef> {
    let callee = call.children().next()?;
    let name = callee_name(&callee)?;
    if call.parent().is_some_and(|p| p.kind() == SyntaxKind::CREATE_TRIGGER) {
        if name.segments.len() == 1 && is_builtin_trigger_function(name.last()) {
            return None;
        }
        return Some(ObjectRef {
            kind: ObjectKind::TriggerFunction,
            name,
            defines: false,
            qualified_len: 2,
            literal: None,
        });
    }
    let builtin = name.segments.len() == 1 || name.segments[0] == "pg_catalog";
    if !(builtin && matches!(name.last(), "nextval" | "currval" | "setval")) {
        return None;
    }
    let arg = call.children().find(|c| c.kind() == SyntaxKind::ARG_LIST)?.children().next()?;
    let literal = arg.children().find(|c| c.kind() == SyntaxKind::LITERAL)?;
    literal_name(&literal, ObjectKind::Sequence)
}

/// `'name'::regclass`.
fn regclass_cast(cast: &SyntaxNode) -> Option<ObjectRef> {
    let mut children = cast.children();
    let literal = children.next().filter(|c| c.kind() == SyntaxKind::LITERAL)?;
    let ty = children.find(|c| c.kind() == SyntaxKind::PATH_TYPE)?;
    let ty = name_of(&ty)?;
    (ty.last() == "regclass").then_some(())?;
    literal_name(&literal, ObjectKind::Relation)
}

fn literal_name(literal: &SyntaxNode, kind: ObjectKind) -> Option<ObjectRef> {
    let lit = squawk_syntax::ast::Literal::cast(literal.clone())?;
    let text = lit.string_value()?;
    let segments = split_regclass(&text)?;
    let range = literal.text_range();
    let ranges = vec![range; segments.len()];
    let last = &segments[segments.len() - 1];
    if segments.len() == 1 && last.starts_with("pg_") {
        return None;
    }
    Some(ObjectRef { kind, name: Name { segments, ranges }, defines: false, qualified_len: 2, literal: Some(range) })
}

/// The name of a called function: `f` (a `NAME_REF`) or `schema.f` (a `FIELD_EXPR`).
pub(crate) fn callee_name(callee: &SyntaxNode) -> Option<Name> {
    match callee.kind() {
        SyntaxKind::NAME_REF => Some(Name { segments: vec![simple_name(callee)], ranges: vec![callee.text_range()] }),
        SyntaxKind::FIELD_EXPR => {
            let parts: Vec<_> = callee.children().collect();
            if parts.len() != 2 || parts.iter().any(|p| p.kind() != SyntaxKind::NAME_REF) {
                return None;
            }
            Some(Name {
                segments: parts.iter().map(simple_name).collect(),
                ranges: parts.iter().map(|p| p.text_range()).collect(),
            })
        }
        _ => None,
    }
}

/// Calls of a function by its bare name (`touch(x)`), outside `CREATE TRIGGER`:
/// wrong only when the project defines a function of that name in one of its
/// schemas, which the caller decides.
pub(crate) fn bare_calls(root: &SyntaxNode) -> Vec<Name> {
    root.descendants()
        .filter(|n| n.kind() == SyntaxKind::CALL_EXPR)
        .filter(|n| n.parent().is_none_or(|p| p.kind() != SyntaxKind::CREATE_TRIGGER))
        .filter_map(|n| n.children().next())
        .filter(|c| c.kind() == SyntaxKind::NAME_REF)
        .filter_map(|c| callee_name(&c))
        .collect()
}

use squawk_syntax::ast::AstNode as _;
