#!/usr/bin/env python3
"""A/B of two `strata serve` set-ups on one database, in alternating rounds.

For deciding one change with numbers on a machine where other work comes and
goes: both servers run at once on the same throwaway cluster (../shared/bench/pg.sh,
127.0.0.1:55432, fsync on) and the same database (migrations, seeds and 10,000
extra items, applied by A's binary), and wrk drives them in turn (A, B, A, B, ...),
so whatever else loads the machine falls on both alike. Prints each round and the medians, and the ratio
B / A of the medians.

Usage: bench/ab_serve.py --a BIN [--a-env K=V ...] --b BIN [--b-env K=V ...]
                         [--rounds N] [--duration S] [--connections C]
                         [--path /api/items?limit=20&active=true] [--post]
  --a, --b        the strata binaries (the same one twice with different --x-env
                  settings to compare a setting)
  --post          POST /api/items with a demo user's session cookie instead of GET
"""
import argparse
import os
import statistics
import sys
import time

from api import ClusterServer, ensure_wrk, login, parse_wrk, sh  # bench/api.py, beside this file


def run_round(wrk, url, connections, duration, script, cookie):
    """One wrk round: requests/s and p99 (ms); a round with non-2xx answers or socket
    errors is refused."""
    args = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        args += ["-s", script]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    result = parse_wrk(sh(args + [url]).stdout)
    if result["non2xx"] or result["socket_errors"]:
        sys.exit(f"{url}: {result['non2xx']} non-2xx answers, {result['socket_errors']} socket errors")
    return result["rps"], result["p99"]


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
    a.a, a.b = os.path.abspath(a.a), os.path.abspath(a.b)  # the servers run in a folder of their own
    wrk = ensure_wrk()
    env = lambda pairs: dict(kv.split("=", 1) for kv in pairs)  # noqa: E731
    # A applies the migrations, seeds and items (B must share A's migrations) and serves.
    cluster = ClusterServer(a.items, db="strata_ab", binary=a.a, env=env(a.a_env))
    try:
        servers = {"A": cluster.base, "B": cluster.serve(a.b, env(a.b_env), "B.log")[1]}
        script = None
        if a.post:
            script = os.path.join(cluster.work, "post.lua")
            with open(script, "w") as f:
                f.write('wrk.method = "POST"\nwrk.headers["content-type"] = "application/json"\n'
                        'wrk.body = \'{"name":"ab item","priceCents":100}\'\n')
        url = lambda base: base + ("/api/items" if a.post else a.path)  # noqa: E731
        cookies = {name: login(base) for name, base in servers.items()} if a.post else {}
        results = {"A": [], "B": []}
        for name, base in servers.items():  # warm-up
            run_round(wrk, url(base), a.connections, 2, script, cookies.get(name))
        for r in range(a.rounds):
            for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                rps, p99 = run_round(wrk, url(servers[name]), a.connections, a.duration, script, cookies.get(name))
                results[name].append((rps, p99))
                print(f"round {r + 1} {name}: {rps:,.0f} req/s, p99 {p99:.2f} ms", flush=True)
                time.sleep(1)
    finally:
        cluster.close()
    med = {n: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for n, v in results.items()}
    print(f"\nA {a.a} {' '.join(a.a_env)}: median {med['A'][0]:,.0f} req/s, p99 {med['A'][1]:.2f} ms")
    print(f"B {a.b} {' '.join(a.b_env)}: median {med['B'][0]:,.0f} req/s, p99 {med['B'][1]:.2f} ms")
    print(f"B / A: {med['B'][0] / med['A'][0]:.3f}x req/s, {med['B'][1] / med['A'][1]:.3f}x p99")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
