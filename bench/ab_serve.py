#!/usr/bin/env python3
"""A/B of two `strata serve` set-ups on one database, in alternating rounds.

For deciding one change with numbers on a machine where other work comes and
goes: both servers run at once on the same throwaway cluster (../shared/bench/pg.sh,
127.0.0.1:55432, fsync on) and the same database (migrations, seeds and 10,000
extra items), and wrk drives them in turn (A, B, A, B, ...), so whatever else loads
the machine falls on both alike. Prints each round and the medians, and the ratio
B / A of the medians.

Usage: bench/ab_serve.py --a BIN [--a-env K=V ...] --b BIN [--b-env K=V ...]
                         [--rounds N] [--duration S] [--connections C]
                         [--path /api/items?limit=20&active=true] [--post]
  --a, --b        the strata binaries (the same one twice with different --x-env
                  settings to compare a setting)
  --post          POST /api/items with a demo user's session cookie instead of GET
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from api import DEMO, ensure_wrk, parse_wrk  # bench/api.py, beside this file
from migrations import psql_bin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_SH = os.path.join(ROOT, "..", "shared", "bench", "pg.sh")


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def start(binary, url, extra_env, log):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(extra_env)
    proc = subprocess.Popen([binary, "--dir", os.path.join(ROOT, "migrations"), "--json", "--database-url", url,
                             "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    if not line:
        sys.exit(f"{binary} serve did not start")
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return proc, json.loads(line)["url"]


def run_wrk(wrk, url, threads, connections, duration, script, cookie):
    """wrk's requests/s and p99 (ms); a run with non-2xx answers or socket errors is refused."""
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        args += ["-s", script]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    result = parse_wrk(sh(args + [url]).stdout)
    if result["non2xx"] or result["socket_errors"]:
        sys.exit(f"{url}: {result['non2xx']} non-2xx answers, {result['socket_errors']} socket errors")
    return result["rps"], result["p99"]


def login(base):
    req = urllib.request.Request(base + "/api/auth/login", method="POST", data=json.dumps(DEMO).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.headers["set-cookie"].split(";")[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--a-env", action="append", default=[])
    ap.add_argument("--b-env", action="append", default=[])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--path", default="/api/items?limit=20&active=true")
    ap.add_argument("--post", action="store_true")
    ap.add_argument("--items", type=int, default=10000)
    a = ap.parse_args()
    wrk = ensure_wrk()
    sh(["bash", PG_SH, "start"])
    admin = sh(["bash", PG_SH, "url"]).stdout.strip()
    url = re.sub(r"/postgres(?=\?|$)", "/strata_ab", admin)
    sh([psql_bin(), "-Xq", "-d", admin, "-c", "DROP DATABASE IF EXISTS strata_ab WITH (FORCE)",
        "-c", "CREATE DATABASE strata_ab"])
    for track in ("migrate", "seed"):
        sh([a.a, "--dir", os.path.join(ROOT, "migrations"), "-q", "--database-url", url, track, "up"])
    sh([psql_bin(), "-Xq", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
        f"""INSERT INTO app.items (user_id, name, description, price_cents)
            SELECT (SELECT array_agg(id ORDER BY email) FROM auth."user")[1 + n % 3],
                   'bench item ' || n, 'generated for the API benchmark', n
            FROM generate_series(1, {a.items}) AS n""", "-c", "VACUUM ANALYZE"])
    work = tempfile.mkdtemp(prefix="strata-ab-")
    servers = {}
    for name, binary, env in (("A", a.a, a.a_env), ("B", a.b, a.b_env)):
        log = open(os.path.join(work, f"{name}.log"), "w")
        servers[name] = start(binary, url, dict(kv.split("=", 1) for kv in env), log)
    script = None
    if a.post:
        script = os.path.join(work, "post.lua")
        with open(script, "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["content-type"] = "application/json"\n'
                    'wrk.body = \'{"name":"ab item","priceCents":100}\'\n')
    results = {"A": [], "B": []}
    try:
        cookies = {name: login(base) for name, (_, base) in servers.items()} if a.post else {}
        for name, (_, base) in servers.items():  # warm-up
            run_wrk(wrk, base + ("/api/items" if a.post else a.path), 2, a.connections, 2, script,
                           cookies.get(name))
        for r in range(a.rounds):
            for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                _, base = servers[name]
                rps, p99 = run_wrk(wrk, base + ("/api/items" if a.post else a.path), 2, a.connections,
                                          a.duration, script, cookies.get(name))
                results[name].append((rps, p99))
                print(f"round {r + 1} {name}: {rps:,.0f} req/s, p99 {p99:.2f} ms", flush=True)
                time.sleep(1)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait()
    med = {n: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for n, v in results.items()}
    print(f"\nA {a.a} {' '.join(a.a_env)}: median {med['A'][0]:,.0f} req/s, p99 {med['A'][1]:.2f} ms")
    print(f"B {a.b} {' '.join(a.b_env)}: median {med['B'][0]:,.0f} req/s, p99 {med['B'][1]:.2f} ms")
    print(f"B / A: {med['B'][0] / med['A'][0]:.3f}x req/s, {med['B'][1] / med['A'][1]:.3f}x p99")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
