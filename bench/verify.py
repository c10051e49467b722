#!/usr/bin/env python3
"""Verify (and drift) benchmark: `strata verify` against `strata migrate up` on
the same generated files, in one run.

Generates N files with bench/migrations.py's generator (tables with
`created_at timestamptz DEFAULT now()`, columns, indexes, ~5% seeds with
`ON CONFLICT DO NOTHING` and exact deletes in their downs), then times:

  strata migrate up + seed up     on a fresh database (the baseline)
  strata verify                   every file: up, up again, down, up (its own scratch database)
  strata drift                    on the database the baseline left (replay on a scratch database)

and prints a Markdown table with each time and its ratio to the baseline.

Usage: bench/verify.py [N ...]   (default: 1000)
Needs: a release build (`cargo build --release`), psql, and a server: the URL in
STRATA_BENCH_URL (a maintenance database), else the embedded database of this checkout.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import migrations  # noqa: E402  (the generator and helpers)

STRATA = os.environ.get("STRATA_BIN", migrations.STRATA)


def main():
    ns = [int(a) for a in sys.argv[1:]] or [1000]
    if not os.path.exists(STRATA):
        sys.exit("build first: cargo build --release")
    admin = os.environ.get("STRATA_BENCH_URL")
    if not admin:
        admin = migrations.with_db(migrations.sh([STRATA, "db", "url"], cwd=migrations.ROOT).stdout.strip(), "postgres")
    psql = migrations.psql_bin()
    has_drift = "drift" in migrations.sh([STRATA, "--help"]).stdout
    rows = []
    for n in ns:
        work = tempfile.mkdtemp(prefix="strata-bench-verify-")
        db = f"strata_bench_verify_{os.getpid()}"
        try:
            mdir = os.path.join(work, "migrations")
            migrations.generate(mdir, n)
            files = sum(len(os.listdir(os.path.join(mdir, t))) for t in ("migrate", "seed")) // 2
            migrations.sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"])
            url = migrations.with_db(admin, db)
            run = lambda u, *a: migrations.timed([STRATA, "-q", "--database-url", u, "--dir", mdir, *a], cwd=work)
            r = {"files": files}
            r["up"] = run(url, "migrate", "up") + run(url, "seed", "up")
            # verify makes and drops its own scratch database on the same server.
            r["verify"] = run(admin, "verify")
            if has_drift:
                r["drift"] = run(url, "drift")
            rows.append(r)
        finally:
            migrations.sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
            shutil.rmtree(work)
    print("`migrate up` is `strata migrate up` then `strata seed up` on a fresh database; `verify` runs every")
    print("file up, up again, down and up on its own scratch database; `drift` replays the applied files on a")
    print("scratch database and compares its catalog with the live one. Ratios are to `migrate up` of the same run.")
    print()
    head = "| files (both tracks) | migrate up | verify | ratio |" + (" drift | ratio |" if has_drift else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        cells = [str(r["files"]), f"{r['up']:.2f} s", f"{r['verify']:.2f} s", f"{r['verify'] / r['up']:.1f}x"]
        if has_drift:
            cells += [f"{r['drift']:.2f} s", f"{r['drift'] / r['up']:.1f}x"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
