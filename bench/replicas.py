#!/usr/bin/env python3
"""Read replicas: what routing reads to a streaming standby costs, and how far the
standby falls behind during a large migration.

Usage: bench/replicas.py [--duration SECONDS] [--rounds N] [--files N]

One embedded primary (a temporary project, `strata db start`) with the reference
migrations, seeds and 2,000 extra items, and one streaming standby of it
(`pg_basebackup -R`, the same binaries, its own port). Then, in the same run:

1. GET /api/items throughput and p99 (wrk) against `strata serve` without a
   replica and `strata serve --replica STANDBY`, alternating rounds so drift in
   the machine's load hits both alike; the ratio is replica / primary-only. The
   standby's `pg_stat_database.xact_commit` shows that it served the reads. On a
   machine of 2 cores, primary, standby, server and wrk share the CPUs: this
   measures the routing's cost and that it works, not how reads scale.
2. The standby's lag while `strata migrate up` applies N generated files (the
   generator of bench/migrations.py) on a fresh database of the primary, from the
   primary's pg_stat_replication every 50 ms: WAL not yet replayed and
   `replay_lag`; then how long `--wait-replicas` waited after the last file.

Needs target/release/strata (cargo build --release -p strata) and wrk.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrations import generate, psql_bin, with_db  # bench/migrations.py (not edited here)
from api import ensure_wrk, parse_wrk  # bench/api.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRATA = os.environ.get("STRATA_BIN") or os.path.join(ROOT, "target", "release", "strata")


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def pg_bin(name):
    for d in sorted(os.listdir("/usr/lib/postgresql"), key=int, reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        exe = f"/usr/lib/postgresql/{d}/bin/{name}"
        if os.path.exists(exe):
            return exe
    return shutil.which(name) or sys.exit(f"{name} not found")


def as_server_user(args):
    """PostgreSQL refuses root: run its programs as the user the embedded cluster uses."""
    if os.geteuid() != 0:
        return args
    user = os.environ.get("STRATA_PG_USER") or "postgres"
    uid = int(sh(["id", "-u", user]).stdout)
    gid = int(sh(["id", "-g", user]).stdout)
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "--", *args]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    return sh([psql_bin(), "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]).stdout.strip()


class Pair:
    """The embedded primary of a temporary project and a streaming standby of it."""

    def __init__(self, items):
        self.work = tempfile.mkdtemp(prefix="strata-bench-replicas-")
        os.chmod(self.work, 0o755)
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["NO_COLOR"] = "1"
        self.servers = []
        self.standby_dir = None
        self.strata("db", "start")
        self.strata("migrate", "up")
        self.strata("seed", "up")
        self.url = self.strata("db", "url").stdout.strip()
        psql(self.url, f"""INSERT INTO app.items (user_id, name, description, price_cents)
                           SELECT (SELECT array_agg(id ORDER BY email) FROM auth."user")[1 + n % 3],
                                  'bench item ' || n, 'generated for the replica benchmark', n
                           FROM generate_series(1, {items}) AS n;
                           ANALYZE app.items;""")
        status = json.loads(sh([STRATA, "--json", "db", "status"], cwd=self.work, env=self.env).stdout.splitlines()[-1])
        data_dir = status.get("data_dir") or status.get("dataDir")
        self.standby_dir = data_dir.rstrip("/") + "-standby"
        os.makedirs(self.standby_dir, mode=0o700)
        if os.geteuid() == 0:
            user = os.environ.get("STRATA_PG_USER") or "postgres"
            shutil.chown(self.standby_dir, user, user)
        password = re.match(r"postgres://[^:]+:([^@]*)@", self.url).group(1)
        port = re.search(r"@[^:]+:(\d+)/", self.url).group(1)
        subprocess.run(as_server_user([pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", port, "-U", "strata",
                                       "-D", self.standby_dir, "-R", "-X", "stream", "-c", "fast", "--no-sync", "-w"]),
                       check=True, env={**self.env, "PGPASSWORD": password})
        with open(os.path.join(self.standby_dir, "postgresql.conf"), "a") as f:
            f.write("\nhot_standby = on\nwal_retrieve_retry_interval = '100ms'\n")
        self.standby_port = free_port()
        subprocess.run(as_server_user([pg_bin("pg_ctl"), "start", "-w", "-t", "60", "-D", self.standby_dir,
                                       "-l", os.path.join(self.standby_dir, "standby.log"),
                                       "-o", f"-p {self.standby_port} -c listen_addresses=127.0.0.1"]),
                       check=True, capture_output=True)
        self.standby_url = re.sub(r"@([^:/]+):\d+/", f"@\\1:{self.standby_port}/", self.url)

    def strata(self, *args):
        return sh([STRATA, "--dir", os.path.join(ROOT, "migrations"), "-q", *args], cwd=self.work, env=self.env)

    def serve(self, *extra):
        """`strata serve` on a free port; returns its base URL."""
        log = open(os.path.join(self.work, f"serve-{len(self.servers)}.log"), "w")
        proc = subprocess.Popen([STRATA, "--dir", os.path.join(ROOT, "migrations"), "--json", "serve", "--port", "0",
                                 *extra], cwd=self.work, env=self.env, stdout=subprocess.PIPE, stderr=log, text=True)
        self.servers.append(proc)
        for line in proc.stdout:
            event = json.loads(line)
            if event.get("event") == "listening":
                threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
                return event["url"]
        sys.exit("strata serve did not start")

    def close(self):
        for proc in self.servers:
            proc.terminate()
            proc.wait()
        if self.standby_dir and os.path.isdir(self.standby_dir):
            subprocess.run(as_server_user([pg_bin("pg_ctl"), "stop", "-m", "immediate", "-D", self.standby_dir]),
                           capture_output=True)
            shutil.rmtree(self.standby_dir, ignore_errors=True)
        try:
            self.strata("db", "stop")
        finally:
            shutil.rmtree(self.work, ignore_errors=True)


def get_json(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def wait_in_use(base, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        health = get_json(base + "/api/health")
        if health["replicas"] and all(r["inUse"] for r in health["replicas"]):
            return health
        time.sleep(0.1)
    sys.exit(f"the replica was not in use after {timeout}s: {health}")


def xacts(url):
    return int(psql(url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"))


def throughput(pair, wrk, duration, rounds):
    plain = pair.serve()
    routed = pair.serve("--replica", pair.standby_url)
    wait_in_use(routed)
    runs = {"primary only": [], "with one replica": []}
    for label, base in (("primary only", plain), ("with one replica", routed)):  # warm-up
        sh([wrk, "-t2", "-c16", "-d2s", base + "/api/items"])
    # Backends report their statistics up to 10 s late when idle: counted over the
    # whole phase, with a pause at both ends, not per round.
    time.sleep(11)
    before = (xacts(pair.url), xacts(pair.standby_url))
    for _ in range(rounds):
        for label, base in (("primary only", plain), ("with one replica", routed)):
            out = sh([wrk, "-t2", "-c16", f"-d{duration}s", "--latency", base + "/api/items"]).stdout
            runs[label].append(parse_wrk(out))
    time.sleep(11)
    after = (xacts(pair.url), xacts(pair.standby_url))
    health = get_json(routed + "/api/health")
    print(f"GET /api/items (20 items per page; the seed items plus 2,000), wrk -t2 -c16 -d{duration}s, {rounds} "
          "alternating rounds per server after a 2 s warm-up each; the median round by requests/s:")
    print()
    print("| server | requests/s | p50 | p99 | requests in all rounds | non-2xx |")
    print("|---|---|---|---|---|---|")
    med = {}
    for label, rs in runs.items():
        m = sorted(rs, key=lambda r: r["rps"])[len(rs) // 2]
        med[label] = m
        print(f"| {label} | {m['rps']:.0f} | {m['p50']:.2f} ms | {m['p99']:.2f} ms | {sum(r['requests'] for r in rs)} "
              f"| {sum(r['non2xx'] for r in rs)} |")
    a, b = med["primary only"], med["with one replica"]
    rounds_a = ", ".join("%.0f" % r["rps"] for r in runs["primary only"])
    rounds_b = ", ".join("%.0f" % r["rps"] for r in runs["with one replica"])
    print()
    print(f"Ratio with one replica / primary only (medians): throughput {b['rps'] / a['rps']:.2f}x, "
          f"p99 {b['p99'] / a['p99']:.2f}x. Every round, requests/s: primary only {rounds_a}; "
          f"with one replica {rounds_b}.")
    print(f"Transactions committed meanwhile (pg_stat_database): primary {after[0] - before[0]}, "
          f"standby {after[1] - before[1]}; the server with the replica answered "
          f"{sum(r['requests'] for r in runs['with one replica'])} requests.")
    r = health["replicas"][0]
    print(f"Health after the runs: replica {r['state']}, lag {r['lagSeconds']} s, replayed {r['replayLsn']}.")


def lag_during_migration(pair, n):
    db = f"bench_lag_{os.getpid()}"
    psql(with_db(pair.url, "postgres"), f"CREATE DATABASE {db}")
    url = with_db(pair.url, db)
    folder = tempfile.mkdtemp(prefix="strata-bench-lag-", dir=pair.work)
    files = generate(os.path.join(folder, "migrations"), n)
    # One connection to the primary, sampling pg_stat_replication every 50 ms: bytes of
    # WAL the standby has not replayed, and replay_lag (the time from the primary's
    # flush of WAL to the standby's replay of it, as the standby reports it).
    watch = subprocess.Popen(
        [psql_bin(), "-XAtq", "-F", "|", "-d", url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watch.stdin.write("SELECT extract(epoch FROM clock_timestamp()), "
                      "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), replay_lsn)::bigint, "
                      "coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication \\watch 0.05\n")
    watch.stdin.flush()
    time.sleep(0.5)
    t0 = time.perf_counter()
    out = sh([STRATA, "--database-url", url, "--dir", os.path.join(folder, "migrations"), "migrate", "up",
              "--wait-replicas", pair.standby_url, "--wait-replicas-timeout", "120s"], cwd=folder, env=pair.env)
    total = time.perf_counter() - t0
    time.sleep(0.3)
    watch.terminate()
    lines = watch.communicate()[0].splitlines()
    samples = []
    for line in lines:
        fields = line.split("|")
        if len(fields) == 3 and fields[1]:
            samples.append((float(fields[0]), int(fields[1]), float(fields[2])))
    waited = re.search(r"waited ([\d.]+)s", out.stdout + out.stderr)
    behind = sorted(max(0, b) for _, b, _ in samples)
    lags = sorted(l for _, _, l in samples)

    def pct(xs, p):
        return xs[min(len(xs) - 1, int(len(xs) * p))]

    print(f"`strata migrate up --wait-replicas STANDBY` of {len(files)} generated migrate files on a fresh database "
          f"of the primary: {total:.2f} s in all, of which the wait after the last file "
          f"{waited.group(1) + ' s' if waited else '?'}. The standby, from the primary's pg_stat_replication every "
          f"50 ms during the run ({len(samples)} samples):")
    print()
    print("| | median | p99 | max |")
    print("|---|---|---|---|")
    print(f"| WAL not yet replayed | {pct(behind, 0.5) / 1024:.0f} KiB | {pct(behind, 0.99) / 1024:.0f} KiB "
          f"| {behind[-1] / 1024:.0f} KiB |")
    print(f"| replay_lag | {pct(lags, 0.5) * 1000:.0f} ms | {pct(lags, 0.99) * 1000:.0f} ms | {lags[-1] * 1000:.0f} ms |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=1000)
    a = ap.parse_args()
    if not os.path.exists(STRATA):
        sys.exit("build first: cargo build --release -p strata")
    wrk = ensure_wrk()
    pair = Pair(items=2000)
    try:
        throughput(pair, wrk, a.duration, a.rounds)
        print()
        lag_during_migration(pair, a.files)
    finally:
        pair.close()


if __name__ == "__main__":
    main()
