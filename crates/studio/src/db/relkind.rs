//! The kinds of relation the studio browses, from `pg_class.relkind`.

/// A browsable relation's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
}

impl RelKind {
    /// The `relkind` letters of every browsable kind, for `relkind = ANY(...)`.
    pub const SQL_LIST: &'static str = "('r','p','v','m','f')";

    pub fn from_relkind(kind: &str) -> Option<RelKind> {
        Some(match kind {
            "r" => RelKind::Table,
            "p" => RelKind::PartitionedTable,
            "v" => RelKind::View,
            "m" => RelKind::MaterializedView,
            "f" => RelKind::ForeignTable,
            _ => return None,
        })
    }

    /// A word for people.
    pub fn label(self) -> &'static str {
        match self {
            RelKind::Table => "table",
            RelKind::PartitionedTable => "partitioned table",
            RelKind::View => "view",
            RelKind::MaterializedView => "materialized view",
            RelKind::ForeignTable => "foreign table",
        }
    }

    /// Stored rows with a physical address (`ctid`), which keyset paging can use
    /// when there is no primary key.
    pub fn has_ctid(self) -> bool {
        matches!(self, RelKind::Table | RelKind::MaterializedView)
    }

    /// Tables whose rows can be edited.
    pub fn is_table(self) -> bool {
        matches!(self, RelKind::Table | RelKind::PartitionedTable)
    }

    pub fn is_view(self) -> bool {
        matches!(self, RelKind::View | RelKind::MaterializedView)
    }
}

/// SQL for a relation's estimated row count (column `c` of `pg_class`): the planner's
/// `reltuples` once the table was analyzed, else the statistics collector's live
/// tuple count; the sum over partitions for a partitioned table; none for views.
pub const ESTIMATE_SQL: &str = "CASE
    WHEN c.relkind IN ('v', 'f') THEN NULL
    WHEN c.relkind = 'p' THEN (
        SELECT sum(CASE WHEN ch.reltuples >= 0 THEN ch.reltuples::int8 ELSE pg_catalog.pg_stat_get_live_tuples(ch.oid) END)::int8
        FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class ch ON ch.oid = i.inhrelid
        WHERE i.inhparent = c.oid)
    WHEN c.reltuples >= 0 THEN c.reltuples::int8
    ELSE pg_catalog.pg_stat_get_live_tuples(c.oid)
END";
