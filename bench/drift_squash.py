#!/usr/bin/env python3
"""Drift and schema-file benchmark: what `strata drift`, the `[migrate] check_drift`
gate and `strata schema dump` / `schema check` cost on N generated files, against
`strata migrate up` of the same files, in one run.

Generates N files with bench/migrations.py's generator (imported, not copied),
applies them to a fresh database, then times:

  strata migrate up + seed up       on a fresh database (the baseline)
  strata drift                      replay of the applied files on a scratch database, two catalog reads
  strata migrate up (one pending)   with check_drift off, then (another file) with check_drift = "error":
                                    the difference is what the gate adds to a `migrate up` that applies
                                    something (an up-to-date `migrate up` returns before the check)
  strata schema dump                replay of the migrate files on a scratch database, one pg_dump per schema
  strata schema check               the same replay and dumps, compared with the files just written
  strata squash --to V              every generated migrate file but create_schemas squashed, on a copy
                                    of the folder (the pending files above stay, as later files)

and prints a Markdown table with each time and its ratio to the baseline.

Usage: bench/drift_squash.py [N ...]   (default: 1000)
Needs: a release build (`cargo build --release`), psql, and a server: the URL in
STRATA_BENCH_URL (a maintenance database), else the embedded database of this checkout.
"""
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import migrations  # noqa: E402  (the generator and helpers)

STRATA = os.environ.get("STRATA_BIN", migrations.STRATA)
REPEAT = 3


def median(f):
    return statistics.median(f() for _ in range(REPEAT))


def pending(mdir, k):
    """One more migrate file, after the generated ones."""
    base = os.path.join(mdir, "migrate", f"20991231_{k:06d}_bench_pending_{k}")
    with open(base + ".up.sql", "w") as f:
        f.write(f"CREATE TABLE IF NOT EXISTS app.bench_pending_{k} (id int);\n")
    with open(base + ".down.sql", "w") as f:
        f.write(f"DROP TABLE IF EXISTS app.bench_pending_{k};\n")


def main():
    ns = [int(a) for a in sys.argv[1:]] or [1000]
    if not os.path.exists(STRATA):
        sys.exit("build first: cargo build --release")
    admin = os.environ.get("STRATA_BENCH_URL")
    if not admin:
        admin = migrations.with_db(migrations.sh([STRATA, "db", "url"], cwd=migrations.ROOT).stdout.strip(), "postgres")
    psql = migrations.psql_bin()
    rows = []
    for n in ns:
        work = tempfile.mkdtemp(prefix="strata-bench-drift-")
        db = f"strata_bench_drift_{os.getpid()}"
        try:
            mdir = os.path.join(work, "migrations")
            migrations.generate(mdir, n)
            files = sum(len(os.listdir(os.path.join(mdir, t))) for t in ("migrate", "seed")) // 2
            migrations.sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"])
            url = migrations.with_db(admin, db)
            toml = os.path.join(work, "strata.toml")

            def run(*a):
                return migrations.timed([STRATA, "-q", "--database-url", url, "--dir", mdir, *a], cwd=work)

            r = {"files": files}
            r["up"] = run("migrate", "up") + run("seed", "up")
            # Each of the rest: the median of REPEAT runs (the machine is shared).
            r["drift"] = median(lambda: run("drift"))
            plain, gated = [], []
            for k in range(REPEAT):
                pending(mdir, 2 * k + 1)
                plain.append(run("migrate", "up"))
                pending(mdir, 2 * k + 2)
                with open(toml, "w") as f:
                    f.write('[migrate]\ncheck_drift = "error"\n')
                gated.append(run("migrate", "up"))
                os.remove(toml)
            r["gate"] = statistics.median(g - p for g, p in zip(gated, plain))
            r["dump"] = median(lambda: run("schema", "dump"))
            r["check"] = median(lambda: run("schema", "check"))
            # squash rewrites the folder: each run on a copy of it, squashing every generated
            # migrate file (the pending ones above stay, as later files).
            last = max(f[:15] for f in os.listdir(os.path.join(mdir, "migrate")) if f.startswith("20250101_"))

            def squash():
                copy = tempfile.mkdtemp(prefix="strata-bench-squash-")
                try:
                    shutil.copytree(mdir, os.path.join(copy, "migrations"))
                    return migrations.timed(
                        [STRATA, "-q", "--database-url", url, "--dir", os.path.join(copy, "migrations"), "squash", "--to", last],
                        cwd=copy,
                    )
                finally:
                    shutil.rmtree(copy)

            r["squash"] = median(squash)
            rows.append(r)
        finally:
            migrations.sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
            shutil.rmtree(work)
    print("`migrate up` is `strata migrate up` then `strata seed up` on a fresh database (the baseline); `drift`")
    print("replays the applied files on a scratch database and compares catalogs; `gate` is what")
    print("`[migrate] check_drift = \"error\"` adds to a `migrate up` of one pending file (gated run minus a")
    print("plain run of another such file); `schema dump` and `schema check` replay the migrate files and pg_dump each schema;")
    print("`squash` squashes every generated migrate file but create_schemas: a replay on one scratch database, pg_dump,")
    print("the generated pair on a second one, both snapshots (catalog, rows, sequence values), the down, and the files written.")
    print(f"Each figure but `migrate up` is the median of {REPEAT} runs; ratios are to `migrate up` of the same run.")
    print()
    print("| files (both tracks) | migrate up | drift | ratio | gate | ratio | schema dump | ratio | schema check | ratio | squash | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cells = [str(r["files"]), f"{r['up']:.2f} s"]
        for v in (r["drift"], r["gate"], r["dump"], r["check"], r["squash"]):
            cells += [f"{v:.2f} s", f"{v / r['up']:.2f}x"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
