//! Names PostgreSQL resolves without a schema: the types and trigger functions of
//! `pg_catalog` (always first on the search path), so they need no qualification.

/// The base, pseudo and range types of `pg_catalog` (PostgreSQL 15 to 18), and the
/// SQL-standard spellings the grammar maps to them.
const TYPES: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bigint",
    "bigserial",
    "bit",
    "bool",
    "boolean",
    "box",
    "bpchar",
    "bytea",
    "char",
    "character",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "dec",
    "decimal",
    "double",
    "event_trigger",
    "fdw_handler",
    "float",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "integer",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "nchar",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "point",
    "polygon",
    "real",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "serial",
    "serial2",
    "serial4",
    "serial8",
    "smallint",
    "smallserial",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml",
];

/// Trigger functions that ship with PostgreSQL.
const TRIGGER_FUNCTIONS: &[&str] =
    &["suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column"];

/// True for a type name that `pg_catalog` provides.
pub(crate) fn is_builtin_type(name: &str) -> bool {
    TYPES.binary_search(&name).is_ok() || name.starts_with("pg_")
}

/// True for a trigger function that `pg_catalog` provides.
pub(crate) fn is_builtin_trigger_function(name: &str) -> bool {
    TRIGGER_FUNCTIONS.contains(&name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn type_list_is_sorted_for_binary_search() {
        assert!(super::TYPES.windows(2).all(|w| w[0] < w[1]));
    }
}
