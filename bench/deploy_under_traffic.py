#!/usr/bin/env python3
"""Deploying under traffic: the API under wrk while a migration waits for a lock.

The scenario of issue 12, on the reference application (as bench/api.py serves
it: a private embedded PostgreSQL, reference migrations and seeds, ITEMS more
items, the release build): wrk -t2 -c16 on GET /api/items; a reporting session
runs `BEGIN; SELECT count(*) FROM app.items; SELECT pg_sleep(HOLD); COMMIT;`;
then `strata migrate up` applies one new file,
`ALTER TABLE app.items ADD COLUMN IF NOT EXISTS <col> text[];`.

Twice in one run: with PostgreSQL's lock_timeout as strata sets it by default
(1s, retries with backoff) and with it off (`--ddl-lock-timeout 0`, what a
runner without lock timeouts does). For each: API requests per second and p99
latency before, during (while the report holds its lock) and after the
migration; how long `migrate up` took; whether it named the blocker.

Usage: bench/deploy_under_traffic.py [--hold S] [--items N]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api import ROOT, STRATA, Server, ensure_wrk, parse_wrk  # noqa: E402
from migrations import psql_bin  # noqa: E402


def wrk(wrk_bin, url, seconds):
    out = subprocess.run([wrk_bin, "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
                         check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def scenario(server, wrk_bin, folder, version, column, flag, hold):
    up = os.path.join(folder, "migrate", f"{version}_add_{column}.up.sql")
    with open(up, "w") as f:
        f.write(f"ALTER TABLE app.items ADD COLUMN IF NOT EXISTS {column} text[];\n")
    with open(up.replace(".up.sql", ".down.sql"), "w") as f:
        f.write(f"ALTER TABLE app.items DROP COLUMN IF EXISTS {column};\n")
    url = server.base + "/api/items"
    before = wrk(wrk_bin, url, 4)
    report = subprocess.Popen(
        [psql_bin(), "-XAtq", "-d", server.url, "-c",
         f"BEGIN; SELECT count(*) FROM app.items; SELECT pg_sleep({hold}); COMMIT;"],
        env={**os.environ, "PGAPPNAME": "report"}, stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    started = time.monotonic()
    migrate = subprocess.Popen([STRATA, "--dir", folder, "--json", *flag, "migrate", "up"], cwd=server.work,
                               env=server.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    during = wrk(wrk_bin, url, max(1, int(hold - 1)))
    out, err = migrate.communicate(timeout=600)
    took = time.monotonic() - started
    report.wait()
    if migrate.returncode != 0:
        sys.exit(f"migrate up failed: {out}\n{err}")
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    named = any(e.get("event") == "blocked" and e["blocker"]["application_name"] == "report" for e in events)
    retries = sum(1 for e in events if e.get("event") == "lock_retry")
    after = wrk(wrk_bin, url, 4)
    return before, during, after, took, named, retries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hold", type=float, default=8.0)
    ap.add_argument("--items", type=int, default=10000)
    args = ap.parse_args()
    wrk_bin = ensure_wrk()
    if not os.path.exists(STRATA):
        subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "strata"], cwd=ROOT, check=True)
    server = Server(args.items)
    folder = tempfile.mkdtemp(prefix="strata-bench-deploy-")
    try:
        shutil.copytree(os.path.join(ROOT, "migrations"), folder, dirs_exist_ok=True)
        rows = []
        for label, version, column, flag in [
            ("lock_timeout 1s (default), retried", "20991231_000001", "bench_tags", []),
            ("lock_timeout off (`--ddl-lock-timeout 0`)", "20991231_000002", "bench_tags2", ["--ddl-lock-timeout", "0"]),
        ]:
            before, during, after, took, named, retries = scenario(server, wrk_bin, folder, version, column, flag,
                                                                   args.hold)
            rows.append((label, before, during, after, took, named, retries))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        server.close()
    print(f"wrk -t2 -c16 on GET /api/items ({args.items} more items); a report holds ACCESS SHARE on app.items "
          f"for {args.hold:g} s while `strata migrate up` adds a column. \"during\": wrk for {max(1, int(args.hold - 1))} s "
          "from the start of the migration.")
    print()
    print("| lock timeout | before: req/s, p99 | during: req/s, p99 | after: req/s, p99 | migrate up took | retries | blocker named |")
    print("|---|---|---|---|---|---|---|")
    for label, before, during, after, took, named, retries in rows:
        cell = lambda r: f"{r['rps']:.0f}, {r['p99']:.1f} ms"  # noqa: E731
        print(f"| {label} | {cell(before)} | {cell(during)} | {cell(after)} | {took:.1f} s | {retries} | "
              f"{'yes' if named else 'no'} |")


if __name__ == "__main__":
    main()
