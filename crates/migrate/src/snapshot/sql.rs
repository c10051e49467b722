//! The two catalog queries: the lines of some (or all) units, and what the
//! current transaction changed.

/// `(tag, oid, schema, line)` for every unit ([`lines`] with `full`) or for those
/// in `$2..$7` (relations, functions, types, schemas, default ACLs, extensions),
/// `$1` the history table. Tags: a unit kind (`r p t n a e`) with one of its lines; `d` a table
/// whose rows to hash (line = its name); `#x` a count of the unit's sub-rows of
/// catalog `x` (line = the count), see [`CHANGES`].
const LINES: &str = r#"
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'
), rel AS (
    -- An ACL equal to the owner's default means the same as none (NULL), and no
    -- statement can set it back to NULL once granted and revoked: compare them as equal.
    SELECT c.oid, c.relname, c.relkind, ns.nspname, format('%I.%I', ns.nspname, c.relname) AS qname,
           nullif(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS relacl
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      AND format('%s.%s', ns.nspname, c.relname) <> $1
      AND NOT (c.relkind = 'S' AND c.relname LIKE split_part($1, '.', 2) || '%')
      AND {rel}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
), fn AS (
    SELECT p.oid, p.proname, p.proacl, p.proowner, ns.nspname FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p', 'w') AND {fn}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
), ty AS (
    SELECT t.oid, t.typname, t.typtype, ns.nspname, format('%I.%I', ns.nspname, t.typname) AS qname
    FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'm') AND {ty}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
), sch AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_namespace n JOIN ns ON ns.oid = n.oid
    WHERE {sch}
)
SELECT 'n', oid::bigint, nspname::text, 'schema ' || quote_ident(nspname) || ' owner ' || pg_get_userbyid(nspowner)
       || coalesce(' acl ' || nullif(nspacl, acldefault('n', nspowner))::text, '')
FROM sch
UNION ALL
SELECT 'r', oid::bigint, nspname::text,
       CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                    WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'composite type' ELSE 'relation' END
       || ' ' || qname || coalesce(' acl ' || relacl::text, '')
FROM rel
UNION ALL
SELECT 'd', oid::bigint, nspname::text, qname FROM rel WHERE relkind IN ('r', 'p')
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text,
       'column ' || rel.qname || '.' || quote_ident(a.attname) || ': ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
       || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
       || coalesce(' acl ' || a.attacl::text, '')
FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid AND rel.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text, 'constraint ' || rel.qname || ' ' || quote_ident(c.conname) || ': ' || pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN rel ON rel.oid = c.conrelid
UNION ALL
SELECT 't', ty.oid::bigint, ty.nspname::text, 'constraint ' || ty.qname || ' ' || quote_ident(c.conname) || ': ' || pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN ty ON ty.oid = c.contypid
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text, 'index ' || pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN rel ON rel.oid = x.indrelid
UNION ALL
SELECT 'r', oid::bigint, nspname::text, 'view ' || qname || ': ' || pg_get_viewdef(oid) FROM rel WHERE relkind IN ('v', 'm')
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text,
       'sequence ' || rel.qname || ': ' || format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
FROM pg_sequence s JOIN rel ON rel.oid = s.seqrelid
UNION ALL
SELECT 'p', fn.oid::bigint, fn.nspname::text,
       'function ' || quote_ident(fn.nspname) || '.' || quote_ident(fn.proname) || '(' || pg_get_function_identity_arguments(fn.oid) || ')'
       || ' md5 ' || md5(pg_get_functiondef(fn.oid)) || coalesce(' acl ' || nullif(fn.proacl, acldefault('f', fn.proowner))::text, '')
FROM fn
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text, 'trigger ' || pg_get_triggerdef(t.oid)
       || CASE t.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled replica)' WHEN 'A' THEN ' (enabled always)' ELSE '' END
FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT 't', ty.oid::bigint, ty.nspname::text, 'type ' || ty.qname || ' ' || ty.typtype::text
       || coalesce(' labels ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = ty.oid), '')
FROM ty
UNION ALL
SELECT 'e', x.oid::bigint, n.nspname::text, 'extension ' || x.extname || ' ' || x.extversion || ' in ' || quote_ident(n.nspname)
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql' AND {ext}
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text, 'policy ' || rel.qname || ' ' || quote_ident(p.polname) || ' ' || p.polcmd::text
       || CASE WHEN p.polpermissive THEN '' ELSE ' restrictive' END
       || coalesce(' using ' || pg_get_expr(p.polqual, p.polrelid), '') || coalesce(' check ' || pg_get_expr(p.polwithcheck, p.polrelid), '')
FROM pg_policy p JOIN rel ON rel.oid = p.polrelid
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text, 'row level security ' || rel.qname
       || CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END
FROM rel JOIN pg_class c ON c.oid = rel.oid WHERE c.relrowsecurity
UNION ALL
SELECT 'a', d.oid::bigint, coalesce(n.nspname, '')::text,
       'default privileges ' || pg_get_userbyid(d.defaclrole) || coalesce(' in ' || quote_ident(n.nspname), '') || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE {acl}
UNION ALL
SELECT 'r', rel.oid::bigint, rel.nspname::text,
       'comment on ' || CASE WHEN m.objsubid = 0 THEN rel.qname ELSE 'column ' || rel.qname || '.' || quote_ident(a.attname) END || ': ' || m.description
FROM pg_description m JOIN rel ON rel.oid = m.objoid AND m.classoid = 'pg_class'::regclass
LEFT JOIN pg_attribute a ON a.attrelid = m.objoid AND a.attnum = m.objsubid AND m.objsubid > 0
UNION ALL
SELECT 'p', fn.oid::bigint, fn.nspname::text, 'comment on function ' || quote_ident(fn.nspname) || '.' || quote_ident(fn.proname)
       || '(' || pg_get_function_identity_arguments(fn.oid) || '): ' || m.description
FROM pg_description m JOIN fn ON fn.oid = m.objoid AND m.classoid = 'pg_proc'::regclass
UNION ALL
SELECT 't', ty.oid::bigint, ty.nspname::text, 'comment on type ' || ty.qname || ': ' || m.description
FROM pg_description m JOIN ty ON ty.oid = m.objoid AND m.classoid = 'pg_type'::regclass
UNION ALL
SELECT 'n', sch.oid::bigint, sch.nspname::text, 'comment on schema ' || quote_ident(sch.nspname) || ': ' || m.description
FROM pg_description m JOIN sch ON sch.oid = m.objoid AND m.classoid = 'pg_namespace'::regclass
UNION ALL
SELECT '#' || code, owner::bigint, '', count(*)::text FROM (
    SELECT 'i', x.indrelid FROM pg_index x JOIN rel ON rel.oid = x.indrelid
    UNION ALL SELECT 'c', c.conrelid FROM pg_constraint c JOIN rel ON rel.oid = c.conrelid
    UNION ALL SELECT 'C', c.contypid FROM pg_constraint c JOIN ty ON ty.oid = c.contypid
    UNION ALL SELECT 'g', t.tgrelid FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL SELECT 'y', p.polrelid FROM pg_policy p JOIN rel ON rel.oid = p.polrelid
    UNION ALL SELECT 'w', w.ev_class FROM pg_rewrite w JOIN rel ON rel.oid = w.ev_class
    UNION ALL SELECT 'm', m.objoid FROM pg_description m JOIN rel ON rel.oid = m.objoid AND m.classoid = 'pg_class'::regclass
    UNION ALL SELECT 'M', m.objoid FROM pg_description m JOIN ty ON ty.oid = m.objoid AND m.classoid = 'pg_type'::regclass
    UNION ALL SELECT 'P', m.objoid FROM pg_description m JOIN fn ON fn.oid = m.objoid AND m.classoid = 'pg_proc'::regclass
    UNION ALL SELECT 'N', m.objoid FROM pg_description m JOIN sch ON sch.oid = m.objoid AND m.classoid = 'pg_namespace'::regclass
) s(code, owner) GROUP BY code, owner
"#;

/// Inside the transaction that ran a file, `(tag, oid, n)`:
/// - a unit kind (`r p t n a e`): a unit whose catalog rows this transaction wrote
///   (`xmin` at or after its own), or a table whose rows it wrote (`$2`: only
///   when hashing data);
/// - an upper-case kind (`R P T N A E`): every unit of that kind that exists,
///   when the catalog holding them lost rows (oid 0 marks the list);
/// - `#x`: per owner, how many sub-rows of catalog `x` it has, when that catalog
///   lost rows (oid 0 marks the list): a unit whose count changed lost one.
///
/// Each catalog is read only when PostgreSQL's per-transaction counters say the
/// transaction wrote to it (or deleted from it).
pub(super) const CHANGES: &str = r#"
WITH cnt AS MATERIALIZED (
    SELECT c::oid AS cat,
           pg_stat_get_xact_tuples_inserted(c) + pg_stat_get_xact_tuples_updated(c) AS w,
           pg_stat_get_xact_tuples_deleted(c) AS d
    FROM unnest(ARRAY['pg_class', 'pg_attribute', 'pg_attrdef', 'pg_constraint', 'pg_index', 'pg_trigger',
                      'pg_policy', 'pg_rewrite', 'pg_sequence', 'pg_description', 'pg_proc', 'pg_type',
                      'pg_enum', 'pg_namespace', 'pg_default_acl', 'pg_extension']::regclass[]) c
), me AS MATERIALIZED (
    SELECT age((pg_current_xact_id()::text::bigint % 4294967296)::text::xid) AS a
), w AS MATERIALIZED (
    SELECT cat::regclass::text AS cat, w > 0 AS w, d > 0 AS d, w AS n FROM cnt
), cls AS MATERIALIZED (
    SELECT c.oid, c.relkind FROM pg_class c
    WHERE (SELECT w FROM w WHERE cat = 'pg_class') AND age(c.xmin) <= (SELECT a FROM me)
), def AS MATERIALIZED (
    SELECT d.adrelid FROM pg_attrdef d WHERE (SELECT w FROM w WHERE cat = 'pg_attrdef') AND age(d.xmin) <= (SELECT a FROM me)
), idx AS MATERIALIZED (
    SELECT x.indrelid FROM pg_index x WHERE (SELECT w FROM w WHERE cat = 'pg_index') AND age(x.xmin) <= (SELECT a FROM me)
), att AS MATERIALIZED (
    -- Attribute rows written under relations already known to have changed: when
    -- they account for every row the counters say was written, the whole
    -- (large) pg_attribute need not be scanned.
    SELECT a.attrelid FROM pg_attribute a
    WHERE (SELECT w FROM w WHERE cat = 'pg_attribute')
      AND a.attrelid IN (SELECT oid FROM cls UNION SELECT adrelid FROM def UNION SELECT indrelid FROM idx)
      AND age(a.xmin) <= (SELECT a FROM me)
)
SELECT 'r' AS tag, oid::bigint AS oid, 0::bigint AS n FROM cls WHERE relkind NOT IN ('i', 'I', 't')
UNION ALL SELECT 'r', attrelid::bigint, 0 FROM att
UNION ALL SELECT 'r', a.attrelid::bigint, 0 FROM pg_attribute a
WHERE (SELECT n FROM w WHERE cat = 'pg_attribute') > (SELECT count(*) FROM att)
  AND a.attrelid >= 16384 AND age(a.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'r', adrelid::bigint, 0 FROM def
UNION ALL SELECT 'r', indrelid::bigint, 0 FROM idx
UNION ALL SELECT CASE WHEN c.conrelid <> 0 THEN 'r' ELSE 't' END, CASE WHEN c.conrelid <> 0 THEN c.conrelid ELSE c.contypid END::bigint, 0
FROM pg_constraint c WHERE (SELECT w FROM w WHERE cat = 'pg_constraint') AND age(c.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'r', t.tgrelid::bigint, 0 FROM pg_trigger t
WHERE (SELECT w FROM w WHERE cat = 'pg_trigger') AND NOT t.tgisinternal AND age(t.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'r', p.polrelid::bigint, 0 FROM pg_policy p
WHERE (SELECT w FROM w WHERE cat = 'pg_policy') AND age(p.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'r', r.ev_class::bigint, 0 FROM pg_rewrite r
WHERE (SELECT w FROM w WHERE cat = 'pg_rewrite') AND age(r.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'r', s.seqrelid::bigint, 0 FROM pg_sequence s
WHERE (SELECT w FROM w WHERE cat = 'pg_sequence') AND age(s.xmin) <= (SELECT a FROM me)
UNION ALL SELECT CASE m.classoid WHEN 'pg_class'::regclass THEN 'r' WHEN 'pg_proc'::regclass THEN 'p'
                                 WHEN 'pg_type'::regclass THEN 't' ELSE 'n' END, m.objoid::bigint, 0
FROM pg_description m WHERE (SELECT w FROM w WHERE cat = 'pg_description') AND m.objoid >= 16384
  AND m.classoid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass)
  AND age(m.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'p', p.oid::bigint, 0 FROM pg_proc p
WHERE (SELECT w FROM w WHERE cat = 'pg_proc') AND p.oid >= 16384 AND age(p.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 't', t.oid::bigint, 0 FROM pg_type t
WHERE (SELECT w FROM w WHERE cat = 'pg_type') AND t.typtype IN ('e', 'd', 'r', 'm') AND age(t.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 't', e.enumtypid::bigint, 0 FROM pg_enum e
WHERE (SELECT w FROM w WHERE cat = 'pg_enum') AND age(e.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'n', n.oid::bigint, 0 FROM pg_namespace n
WHERE (SELECT w FROM w WHERE cat = 'pg_namespace') AND age(n.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'a', d.oid::bigint, 0 FROM pg_default_acl d
WHERE (SELECT w FROM w WHERE cat = 'pg_default_acl') AND age(d.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'e', x.oid::bigint, 0 FROM pg_extension x
WHERE (SELECT w FROM w WHERE cat = 'pg_extension') AND age(x.xmin) <= (SELECT a FROM me)
UNION ALL SELECT 'r', c.oid::bigint, 0 FROM pg_class c
WHERE $2 AND c.relkind IN ('r', 'p') AND c.oid >= 16384
  AND pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid) > 0
-- What exists, where a catalog lost rows.
UNION ALL SELECT 'R', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_class')
UNION ALL SELECT 'R', c.oid::bigint, 0 FROM pg_class c
WHERE (SELECT d FROM w WHERE cat = 'pg_class') AND c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
UNION ALL SELECT 'P', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_proc')
UNION ALL SELECT 'P', p.oid::bigint, 0 FROM pg_proc p WHERE (SELECT d FROM w WHERE cat = 'pg_proc') AND p.oid >= 16384
UNION ALL SELECT 'T', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_type')
UNION ALL SELECT 'T', t.oid::bigint, 0 FROM pg_type t
WHERE (SELECT d FROM w WHERE cat = 'pg_type') AND t.oid >= 16384 AND t.typtype IN ('e', 'd', 'r', 'm')
UNION ALL SELECT 'N', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_namespace')
UNION ALL SELECT 'N', n.oid::bigint, 0 FROM pg_namespace n WHERE (SELECT d FROM w WHERE cat = 'pg_namespace')
UNION ALL SELECT 'A', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_default_acl')
UNION ALL SELECT 'A', d.oid::bigint, 0 FROM pg_default_acl d WHERE (SELECT d FROM w WHERE cat = 'pg_default_acl')
UNION ALL SELECT 'E', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_extension')
UNION ALL SELECT 'E', x.oid::bigint, 0 FROM pg_extension x WHERE (SELECT d FROM w WHERE cat = 'pg_extension')
-- Sub-row counts per owner, where a sub-catalog lost rows.
UNION ALL SELECT '#i', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_index')
UNION ALL SELECT '#i', x.indrelid::bigint, count(*) FROM pg_index x
WHERE (SELECT d FROM w WHERE cat = 'pg_index') AND x.indrelid >= 16384 GROUP BY x.indrelid
UNION ALL SELECT '#c', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_constraint')
UNION ALL SELECT '#c', c.conrelid::bigint, count(*) FROM pg_constraint c
WHERE (SELECT d FROM w WHERE cat = 'pg_constraint') AND c.conrelid >= 16384 GROUP BY c.conrelid
UNION ALL SELECT '#C', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_constraint')
UNION ALL SELECT '#C', c.contypid::bigint, count(*) FROM pg_constraint c
WHERE (SELECT d FROM w WHERE cat = 'pg_constraint') AND c.contypid >= 16384 GROUP BY c.contypid
UNION ALL SELECT '#g', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_trigger')
UNION ALL SELECT '#g', t.tgrelid::bigint, count(*) FROM pg_trigger t
WHERE (SELECT d FROM w WHERE cat = 'pg_trigger') AND NOT t.tgisinternal GROUP BY t.tgrelid
UNION ALL SELECT '#y', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_policy')
UNION ALL SELECT '#y', p.polrelid::bigint, count(*) FROM pg_policy p WHERE (SELECT d FROM w WHERE cat = 'pg_policy') GROUP BY p.polrelid
UNION ALL SELECT '#w', 0, 0 WHERE (SELECT d FROM w WHERE cat = 'pg_rewrite')
UNION ALL SELECT '#w', r.ev_class::bigint, count(*) FROM pg_rewrite r
WHERE (SELECT d FROM w WHERE cat = 'pg_rewrite') AND r.ev_class >= 16384 GROUP BY r.ev_class
UNION ALL SELECT code, 0, 0 FROM unnest(ARRAY['#m', '#M', '#P', '#N']) code WHERE (SELECT d FROM w WHERE cat = 'pg_description')
UNION ALL SELECT CASE m.classoid WHEN 'pg_class'::regclass THEN '#m' WHEN 'pg_type'::regclass THEN '#M'
                                 WHEN 'pg_proc'::regclass THEN '#P' ELSE '#N' END, m.objoid::bigint, count(*)
FROM pg_description m WHERE (SELECT d FROM w WHERE cat = 'pg_description') AND m.objoid >= 16384
  AND m.classoid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass)
GROUP BY m.classoid, m.objoid
"#;

/// Which units [`lines`] reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Filter {
    /// Every unit (`$2..$7` bound to NULL).
    All,
    /// Those whose OIDs are bound to `$2..$7`, read by index.
    Bound,
    /// Those a `ch` CTE (the rows of [`CHANGES`]) lists as written.
    Changed,
}

/// [`LINES`] for the units `filter` picks.
pub(super) fn lines(filter: Filter) -> String {
    let f = |column: &str, n: usize, tag: &str| match filter {
        Filter::All => format!("${n}::bigint[] IS NULL"),
        Filter::Bound => format!("{column} = ANY(${n}::bigint[]::oid[])"),
        Filter::Changed => format!("{column} = ANY(ARRAY(SELECT oid::oid FROM ch WHERE tag = '{tag}'))"),
    };
    LINES
        .replace("{rel}", &f("c.oid", 2, "r"))
        .replace("{fn}", &f("p.oid", 3, "p"))
        .replace("{ty}", &f("t.oid", 4, "t"))
        .replace("{sch}", &f("n.oid", 5, "n"))
        .replace("{acl}", &f("d.oid", 6, "a"))
        .replace("{ext}", &f("x.oid", 7, "e"))
}
