#!/usr/bin/env python3
"""Migration benchmark: strata against psql, on the same machine, in one run.

Generates a realistic set of N migration files in strata's format (schemas
auth/master/app, tables with cross-schema foreign keys, ADD COLUMN, CREATE INDEX,
small seeds, each with an exact down), then times on a fresh database each:

  strata migrate up        vs  psql: the same SQL, one session, one transaction
                               and one history insert per file (the physical limit)
  strata migrate up        (again: the no-op run)
  strata migrate status
  strata migrate down --yes
  strata migrate up --single-transaction   (on another fresh database)

the no-op run, status and psql's read of the history are the median of 5 runs
(each is tens of milliseconds: one run is mostly noise). It also times what a
test needs, a fresh database with the files applied: CREATE DATABASE and
`up --single-transaction`, against CREATE DATABASE ... TEMPLATE of a migrated
database, for the generated files and for this project's own migrations/.

and prints a Markdown table of seconds and ratios to the psql baseline. When npm
is available, dbmate (its npm package ships the binary; installed under
target/bench-tools) runs the same files in its own format for a peer column.

Usage: bench/migrations.py [N ...]   (default: 1000)
Needs: a release build (`cargo build --release`), psql, and a server: the
URL in STRATA_BENCH_URL (a maintenance database), else the embedded database
of this checkout (`strata db url`).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# STRATA_BENCH_BIN: another build to time (a copy, while the release target is rebuilt).
STRATA = os.environ.get("STRATA_BENCH_BIN") or os.path.join(ROOT, "target", "release", "strata")
TOOLS = os.path.join(ROOT, "target", "bench-tools")
DBMATE_VERSION = "2.36.0"


def dbmate_bin():
    """dbmate from the npm registry (its package ships the binary), installed under target/."""
    path = os.path.join(TOOLS, "node_modules", ".bin", "dbmate")
    if not os.path.exists(path):
        if not shutil.which("npm"):
            return None
        os.makedirs(TOOLS, exist_ok=True)
        r = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", TOOLS,
                            f"dbmate@{DBMATE_VERSION}"], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(path):
            print(f"(dbmate not installed: {r.stderr.strip()[:200]})", file=sys.stderr)
            return None
    return path


def dbmate_files(folder, files):
    """The same migrate-track files in dbmate's format: one file per version, up and down sections."""
    os.makedirs(folder)
    for track, version, name, up in files:
        down = open(os.path.join(os.path.dirname(folder), "migrations", "migrate", f"{version}_{name}.down.sql")).read()
        with open(os.path.join(folder, f"{version.replace('_', '')}_{name}.sql"), "w") as f:
            f.write(f"-- migrate:up\n{up}\n-- migrate:down\n{down}\n")


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def psql_bin():
    found = shutil.which("psql")
    if found:
        return found
    for v in sorted(os.listdir("/usr/lib/postgresql"), key=int, reverse=True):
        p = f"/usr/lib/postgresql/{v}/bin/psql"
        if os.path.exists(p):
            return p
    sys.exit("psql not found")


def generate(folder, n):
    """N files: 1 create_schemas, then tables, columns, indexes; ~5% are seeds."""
    mig = os.path.join(folder, "migrate")
    seed = os.path.join(folder, "seed")
    os.makedirs(mig)
    os.makedirs(seed)
    files = []

    def write(track, seq, name, up, down):
        base = f"20250101_{seq:06d}_{name}"
        d = mig if track == "migrate" else seed
        with open(os.path.join(d, base + ".up.sql"), "w") as f:
            f.write(up)
        with open(os.path.join(d, base + ".down.sql"), "w") as f:
            f.write(down)
        files.append((track, f"20250101_{seq:06d}", name, up))

    write("migrate", 0, "create_schemas",
          "CREATE SCHEMA IF NOT EXISTS auth;\nCREATE SCHEMA IF NOT EXISTS master;\nCREATE SCHEMA IF NOT EXISTS app;\n",
          "DROP SCHEMA IF EXISTS app CASCADE;\nDROP SCHEMA IF EXISTS master CASCADE;\nDROP SCHEMA IF EXISTS auth CASCADE;\n")
    write("migrate", 1, "create_users",
          "CREATE TABLE IF NOT EXISTS auth.users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
          "    email text NOT NULL UNIQUE,\n    created_at timestamptz NOT NULL DEFAULT now()\n);\n",
          "DROP TABLE IF EXISTS auth.users;\n")
    seq = 2
    tables = []
    seeds = 0
    while seq < n:
        k = seq % 4
        if k in (0, 1) or not tables:
            schema = "master" if seq % 3 == 0 else "app"
            t = f"{schema}.t{seq}"
            up = (f"CREATE TABLE IF NOT EXISTS {t} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                  f"    user_id bigint REFERENCES auth.users (id) ON DELETE CASCADE,\n    name text NOT NULL,\n"
                  f"    created_at timestamptz NOT NULL DEFAULT now()\n);\n"
                  f"COMMENT ON TABLE {t} IS 'generated table {seq}';\n")
            write("migrate", seq, f"create_t{seq}", up, f"DROP TABLE IF EXISTS {t};\n")
            tables.append(t)
        elif k == 2:
            t = tables[-1]
            write("migrate", seq, f"add_note_{seq}",
                  f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS note_{seq} text;\n",
                  f"ALTER TABLE {t} DROP COLUMN IF EXISTS note_{seq};\n")
        else:
            t = tables[-1]
            write("migrate", seq, f"index_{seq}",
                  f"CREATE INDEX IF NOT EXISTS i_{seq} ON {t} (name, created_at);\n",
                  f"DROP INDEX IF EXISTS {t.split('.')[0]}.i_{seq};\n")
        seq += 1
        if seq % 20 == 0 and seeds < n // 20:
            seeds += 1
            write("seed", seeds, f"users_{seeds}",
                  f"INSERT INTO auth.users (email) VALUES ('u{seeds}a@example.com'), ('u{seeds}b@example.com') ON CONFLICT DO NOTHING;\n",
                  f"DELETE FROM auth.users WHERE email IN ('u{seeds}a@example.com', 'u{seeds}b@example.com');\n")
    return [f for f in files if f[0] == "migrate"]


def psql_script(files):
    """What a careful hand-rolled runner sends: per file a transaction with its history row."""
    out = ["\\set ON_ERROR_STOP 1",
           "CREATE TABLE IF NOT EXISTS public.bench_history (track text, version text, description text, checksum bytea,"
           " applied_at timestamptz DEFAULT now(), PRIMARY KEY (track, version));"]
    for track, version, name, up in files:
        out.append("BEGIN;")
        out.append(up)
        out.append(f"INSERT INTO public.bench_history (track, version, description, checksum) VALUES "
                   f"('{track}', '{version}', '{name}', sha256(convert_to($strata${up}$strata$, 'UTF8')));")
        out.append("COMMIT;")
    return "\n".join(out) + "\n"


def with_db(url, name):
    base, _, query = url.partition("?")
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}" + (f"?{query}" if query else "")


def timed(args, **kw):
    t = time.perf_counter()
    sh(args, **kw)
    return time.perf_counter() - t


def timed_or_error(args, **kw):
    """Seconds, or the error's last line when the command failed (a run in one transaction
    can run out of lock slots: max_locks_per_transaction)."""
    try:
        return timed(args, **kw)
    except subprocess.CalledProcessError as e:
        lines = [l for l in (e.stderr or "").splitlines() if l.strip()]
        return next((l for l in lines if "ERROR" in l or "error" in l), lines[-1] if lines else "failed")


def cell(r, key, base=None):
    """`1.234 s` (and the ratio to `base`), or what failed."""
    v = r[key]
    if isinstance(v, str):
        return f"failed: {v.strip()[:160]}" + ("" if base is None else " | -")
    return f"{v:.3f} s" if base is None else f"{v:.3f} s | {base / v:.1f}x"


def median_time(args, runs=5, **kw):
    return statistics.median(timed(args, **kw) for _ in range(runs))


def fresh_db(psql, admin, db):
    """Creates database `db` (dropping it first); the seconds CREATE DATABASE took, psql's start included."""
    sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
    return timed([psql, "-Xq", "-d", admin, "-c", f"CREATE DATABASE {db}"])


def drop_db(psql, admin, db):
    sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])


def clone_db(psql, admin, template, db):
    """Seconds to CREATE DATABASE db TEMPLATE template (psql's start included); dropped afterwards."""
    drop_db(psql, admin, db)
    t = timed([psql, "-Xq", "-d", admin, "-c", f"CREATE DATABASE {db} TEMPLATE {template}"])
    drop_db(psql, admin, db)
    return t


def project_fresh(psql, admin):
    """This project's migrations/ (both tracks), as a test needs them: CREATE DATABASE and
    up --single-transaction per track, against a clone of the migrated database (median of 5)."""
    db = f"strata_bench_project_{os.getpid()}"
    runs, clones = [], []
    try:
        for _ in range(5):
            t = fresh_db(psql, admin, db)
            for track in ("migrate", "seed"):
                t += timed([STRATA, "-q", "--database-url", with_db(admin, db), "--dir", os.path.join(ROOT, "migrations"),
                            track, "up", "--single-transaction"], cwd=ROOT)
            runs.append(t)
        for _ in range(5):
            clones.append(clone_db(psql, admin, db, db + "_clone"))
    finally:
        drop_db(psql, admin, db)
    files = sum(len(os.listdir(os.path.join(ROOT, "migrations", t))) // 2 for t in ("migrate", "seed"))
    return files, statistics.median(runs), statistics.median(clones)


def main():
    ns = [int(a) for a in sys.argv[1:]] or [1000]
    if not os.path.exists(STRATA):
        sys.exit("build first: cargo build --release")
    admin = os.environ.get("STRATA_BENCH_URL")
    if not admin:
        admin = with_db(sh([STRATA, "db", "url"], cwd=ROOT).stdout.strip(), "postgres")
    psql = psql_bin()
    rows = []
    for n in ns:
        work = tempfile.mkdtemp(prefix="strata-bench-")
        try:
            files = generate(os.path.join(work, "migrations"), n)
            script = os.path.join(work, "baseline.sql")
            with open(script, "w") as f:
                f.write(psql_script(files))
            # The same, in one transaction: the floor for --single-transaction.
            one = os.path.join(work, "baseline_one.sql")
            with open(one, "w") as f:
                lines = psql_script(files).split("\n")
                f.write("\n".join([lines[0], "BEGIN;"] + [l for l in lines[1:] if l not in ("BEGIN;", "COMMIT;")] + ["COMMIT;", ""]))
            results = {}
            dbmate = dbmate_bin()
            if dbmate:
                dbmate_files(os.path.join(work, "dbmate"), files)
            for label in ("psql", "strata", "psql_one", "single") + (("dbmate",) if dbmate else ()):
                db = f"strata_bench_{label}_{os.getpid()}"
                created = fresh_db(psql, admin, db)
                url = with_db(admin, db)
                try:
                    if label == "psql_one":
                        results["psql_one"] = timed_or_error([psql, "-Xq", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", one])
                    elif label == "psql":
                        results["psql"] = timed([psql, "-Xq", "-d", url, "-f", script])
                        # What a no-op run must do at least: read the history back.
                        results["psql_read"] = median_time([psql, "-XAtq", "-d", url, "-c",
                                                            "SELECT track, version, checksum FROM public.bench_history"])
                    elif label == "dbmate":
                        d = [dbmate, "--url", url if "sslmode" in url else url + ("&" if "?" in url else "?") + "sslmode=disable",
                             "--migrations-dir", os.path.join(work, "dbmate"), "--no-dump-schema"]
                        results["dbmate_up"] = timed(d + ["up"])
                        results["dbmate_noop"] = timed(d + ["up"])
                        results["dbmate_status"] = timed(d + ["status"])
                    else:
                        cmd = lambda *a: [STRATA, "-q", "--database-url", url, "--dir", os.path.join(work, "migrations"), *a]
                        if label == "single":
                            results["single"] = timed_or_error(cmd("migrate", "up", "--single-transaction"), cwd=work)
                            if isinstance(results["single"], float):
                                results["fresh_single"] = created + results["single"]
                                results["clone"] = clone_db(psql, admin, db, db + "_clone")
                            continue
                        results["up"] = timed(cmd("migrate", "up"), cwd=work)
                        results["noop"] = median_time(cmd("migrate", "up"), cwd=work)
                        results["status"] = median_time(cmd("migrate", "status"), cwd=work)
                        results["down"] = timed(cmd("migrate", "down", "--yes"), cwd=work)
                finally:
                    sh([psql, "-Xq", "-d", admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
            rows.append((n, len(files), results))
        finally:
            shutil.rmtree(work)
    print(f"Binary: `{sh([STRATA, '--version']).stdout.strip()}`.")
    print()
    print("Apply and rollback are compared with psql applying the same files; the no-op run and")
    print("status with psql reading the history table back (what any runner must do at least).")
    print()
    print("| files (migrate track) | psql apply | strata up | ratio | down all | ratio | psql read history | no-op up | ratio | status | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, count, r in rows:
        p, q = r["psql"], r["psql_read"]
        cells = [f"{count}", f"{p:.3f} s"]
        for k in ("up", "down"):
            cells += [f"{r[k]:.3f} s", f"{r[k] / p:.2f}x"]
        cells.append(f"{q:.3f} s")
        for k in ("noop", "status"):
            cells += [f"{r[k]:.3f} s", f"{r[k] / q:.2f}x"]
        print("| " + " | ".join(cells) + " |")
    print()
    print("`migrate up --single-transaction` on a fresh database (every file and its history row in one")
    print("transaction), against the per-file `up` above:")
    print()
    print("| files (migrate track) | per-file up | --single-transaction | faster by | psql, same files in one transaction | ratio |")
    print("|---|---|---|---|---|---|")
    for n, count, r in rows:
        ok = all(isinstance(r[k], float) for k in ("single", "psql_one"))
        ratio = f"{r['single'] / r['psql_one']:.2f}x" if ok else "-"
        print(f"| {count} | {r['up']:.3f} s | {cell(r, 'single', r['up'])} | {cell(r, 'psql_one')} | {ratio} |")
    project = project_fresh(psql, admin)
    print()
    print("A fresh database with the files applied (what a test needs): CREATE DATABASE then")
    print("`up --single-transaction`, against CREATE DATABASE ... TEMPLATE of a database that has them")
    print("(each through psql/strata processes, their start included; project: median of 5):")
    print()
    print("| files | CREATE DATABASE + up --single-transaction | CREATE DATABASE ... TEMPLATE | clone faster by |")
    print("|---|---|---|---|")
    for n, count, r in rows:
        if "clone" in r:
            print(f"| {count} (generated, migrate track) | {r['fresh_single']:.3f} s | {r['clone']:.3f} s | {r['fresh_single'] / r['clone']:.1f}x |")
    files, ran, cloned = project
    print(f"| {files} (this project's migrations/, both tracks) | {ran:.3f} s | {cloned:.3f} s | {ran / cloned:.1f}x |")
    if any("dbmate_up" in r for _, _, r in rows):
        print()
        print(f"dbmate {DBMATE_VERSION} (from npm) on the same files in its format, same server, its own fresh database")
        print("(it has no roll-back-all; `rollback` undoes one file per process):")
        print()
        print("| files | dbmate up | ratio to psql | strata up | no-op up (dbmate / strata) | status (dbmate / strata) |")
        print("|---|---|---|---|---|---|")
        for n, count, r in rows:
            if "dbmate_up" in r:
                print(f"| {count} | {r['dbmate_up']:.3f} s | {r['dbmate_up'] / r['psql']:.2f}x | {r['up']:.3f} s"
                      f" | {r['dbmate_noop']:.3f} s / {r['noop']:.3f} s | {r['dbmate_status']:.3f} s / {r['status']:.3f} s |")


if __name__ == "__main__":
    main()
