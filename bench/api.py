#!/usr/bin/env python3
"""API benchmark: `strata serve` under wrk on loopback.

Starts a private embedded PostgreSQL in a temporary folder, applies the
reference migrations and seeds, adds ITEMS more items (so every page is full and
the table is not toy-sized), serves the API from the release build, logs in as
a demo user, and drives with wrk:

  GET  /api/items   one page (20 items, newest first), each joined across
                    schemas with its owner's public fields (app.items x auth.user)
  POST /api/items   create an item, logged in (session cookie)

For each: requests per second, p50 and p99 latency (wrk --latency), responses
that were not 2xx, and the server's peak resident memory (VmHWM, and the
largest VmRSS sampled during the run). Prints a Markdown table; `bench/record.py
api` writes it to bench/RESULTS.md.

Usage: bench/api.py [--duration S] [--connections N[,N...]] [--threads T]
                    [--items N] [--perf] [--plan-experiment]
  --perf           also profile one GET run (perf): CPU by process, the server's
                   costly frames, and PostgreSQL's planning vs execution time
  --plan-experiment  only GET /api/items, alternating between the server as
                   shipped and one on a copy of the database with
                   plan_cache_mode = force_generic_plan: what replanning costs

Needs: wrk (installed with apt-get when missing), PostgreSQL's server binaries
(scripts/ensure-postgres), cargo (the release build is made when missing).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from migrations import psql_bin  # bench/migrations.py, beside this file
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRATA = os.path.join(ROOT, "target", "release", "strata")
DEMO = {"email": "alice@example.com", "password": "strata-demo"}


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    print("wrk not found; installing it (apt-get install wrk)", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or sys.exit("wrk still not found")


class Server:
    """The embedded database of a temporary project, and `strata serve` on it."""

    def __init__(self, items, generic_copy=False):
        self.work = tempfile.mkdtemp(prefix="strata-bench-api-")
        # Run as root, the PostgreSQL server runs as an unprivileged user who must reach it.
        os.chmod(self.work, 0o755)
        self.proc = None
        self.others = []
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["NO_COLOR"] = "1"
        self.env = env
        self.strata("db", "start")
        self.strata("migrate", "up")
        self.strata("seed", "up")
        self.url = self.strata("db", "url").stdout.strip()
        # More items, spread over the demo users, so pages are full and the join is real.
        sh([psql_bin(), "-Xq", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c",
            f"""INSERT INTO app.items (user_id, name, description, price_cents)
                SELECT (SELECT array_agg(id ORDER BY email) FROM auth."user")[1 + n % 3],
                       'bench item ' || n, 'generated for the API benchmark', n
                FROM generate_series(1, {items}) AS n;
                ANALYZE app.items;"""])
        self.generic_url = None
        if generic_copy:
            # An experiment, not a setting to ship: a copy of the database whose sessions plan
            # each prepared statement once (plan_cache_mode = force_generic_plan).
            sh([psql_bin(), "-Xq", "-v", "ON_ERROR_STOP=1", "-d", self.url,
                "-c", "CREATE DATABASE strata_generic TEMPLATE strata",
                "-c", "ALTER DATABASE strata_generic SET plan_cache_mode = force_generic_plan"])
            self.generic_url = re.sub(r"/strata$", "/strata_generic", self.url)
        self.log = open(os.path.join(self.work, "serve.log"), "w")
        self.proc, self.base = self.serve(self.log)

    def serve(self, log, url=None):
        """Starts `strata serve` on a free port; returns the process and its base URL."""
        args = [STRATA, "--dir", os.path.join(ROOT, "migrations"), "--json"]
        if url:
            args += ["--database-url", url]
        proc = subprocess.Popen(args + ["serve", "--port", "0"], cwd=self.work, env=self.env,
                                stdout=subprocess.PIPE, stderr=log, text=True)
        if proc is not self.proc:
            self.others.append(proc)
        line = proc.stdout.readline()
        if not line:
            self.close()
            sys.exit("strata serve did not start")
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
        return proc, json.loads(line)["url"]

    def strata(self, *args):
        return sh([STRATA, "--dir", os.path.join(ROOT, "migrations"), "-q", *args], cwd=self.work, env=self.env)

    def status(self, key):
        """A VmXXX line of /proc/PID/status, in MiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def close(self):
        for proc in self.others:
            proc.terminate()
            proc.wait()
        try:
            self.strata("db", "stop")
        finally:
            shutil.rmtree(self.work, ignore_errors=True)


def login(base):
    req = urllib.request.Request(base + "/api/auth/login", method="POST", data=json.dumps(DEMO).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return resp.headers["Set-Cookie"].split(";")[0]


def check(base, cookie):
    """The endpoints answer what the benchmark expects, before it counts anything."""
    with urllib.request.urlopen(base + "/api/items") as resp:
        page = json.load(resp)
        assert len(page["items"]) == 20 and page["items"][0]["owner"]["displayName"], page
    req = urllib.request.Request(base + "/api/items", method="POST", data=b'{"name": "bench check"}',
                                 headers={"Content-Type": "application/json", "Cookie": cookie})
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 201, resp.status


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(out):
    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


def run_wrk(wrk, server, url, threads, connections, duration, script=None):
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], server.status("VmRSS"))
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        args += ["-s", script]
    try:
        out = sh(args + [url]).stdout
    finally:
        done.set()
        t.join()
    result = parse_wrk(out)
    result["rss"] = peak[0]
    result["connections"] = connections
    shown = ["wrk", *args[1:]]
    if script:
        shown[-1] = os.path.basename(script)
    return result, " ".join(shown + [re.sub(r":\d+/", ":PORT/", url)])


# Frames of the server's profile worth naming, as (label, regex on the symbol).
FRAMES = [
    ("the pool's health check before each query (PgConnection::ping)", r"PgConnection as sqlx_core::connection::Connection>::ping"),
    ("decoding rows (ItemWithOwner::from_row)", r"ItemWithOwner as sqlx_core::from_row::FromRow"),
    ("JSON of the page (ItemPage::serialize)", r"impl serde_core::ser::Serialize for strata_app::http::dto::item::ItemPage>::serialize"),
    ("  of which timestamps (chrono FormatIso8601)", r"FormatIso8601"),
    ("kernel: TCP send", r"\[k\] tcp_sendmsg$"),
    ("kernel: TCP receive", r"\[k\] tcp_recvmsg$"),
]


def profile(wrk, server, url, threads, connections, duration):
    """Where a GET run spends CPU: by process over the whole machine, inside the server by frame
    (inclusive, with DWARF call graphs), and PostgreSQL's planning against execution time."""
    work = server.work
    load = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", url]
    db_url = server.strata("db", "url").stdout.strip()
    psql = psql_bin()

    # 1. The whole machine, by process; the text of the list query as the server sends it.
    data = os.path.join(work, "all.perf")
    perf = subprocess.Popen(["perf", "record", "-a", "-F", "999", "-o", data, "--", "sleep", str(duration)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w = subprocess.Popen(load, stdout=subprocess.DEVNULL)
    query = ""
    while w.poll() is None and not query:
        query = sh([psql, "-XAtq", "-d", db_url, "-c",
                    "SELECT query FROM pg_stat_activity WHERE application_name = 'strata serve' "
                    "AND query LIKE 'SELECT %FROM app.items%' LIMIT 1"]).stdout.strip()
        time.sleep(0.05)
    w.wait()
    perf.wait()
    postmaster = open(os.path.join(work, ".strata", "postgres", "data", "postmaster.pid")).readline().strip()
    by_process = sh(["perf", "report", "-i", data, "--stdio", "--sort", "comm,pid", "--percent-limit", "1"]).stdout
    rows = []
    for line in by_process.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\d+):", line)
        if not m:
            continue
        pct, comm, pid = float(m.group(1)), m.group(2), m.group(3)
        ppid = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[1] if os.path.exists(f"/proc/{pid}/stat") else ""
        if os.path.exists(f"/proc/{server.proc.pid}/task/{pid}"):  # perf's pid is the thread's
            who = "strata serve"
        elif comm == "postgres" and (ppid == postmaster or pid == postmaster):
            who = "PostgreSQL (this benchmark's cluster)"
        elif comm.startswith("postgres"):
            who = "other PostgreSQL processes (other clusters, or sessions that have ended)"
        elif comm == "wrk":
            who = "wrk"
        else:
            who = "other processes on the machine"
        rows.append((who, pct))
    split = {}
    for who, pct in rows:
        split[who] = split.get(who, 0.0) + pct

    # 2. Inside the server, with call graphs (DWARF: the release build keeps .eh_frame).
    data = os.path.join(work, "server.perf")
    perf = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-p", str(server.proc.pid),
                             "-o", data, "--", "sleep", str(duration)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sh(load)
    perf.wait()
    children = sh(["perf", "report", "-i", data, "--stdio", "--children", "--sort", "sym", "-g", "none"]).stdout
    frames = []
    for label, pattern in FRAMES:
        best = 0.0
        for line in children.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+[\d.]+%\s+(.*)$", line)
            if m and re.search(pattern, m.group(2)):
                best = max(best, float(m.group(1)))
        frames.append((label, best))

    # 3. PostgreSQL: the same statement prepared, as sqlx prepares it; planning vs execution.
    plans = ""
    if query:
        script = [f"PREPARE q(bigint) AS {query};"] + ["EXPLAIN (ANALYZE, TIMING OFF, SUMMARY) EXECUTE q(21);"] * 12
        plans = sh([psql, "-XAtq", "-d", db_url], input="\n".join(script)).stdout
    planning = [float(x) for x in re.findall(r"Planning Time: ([\d.]+) ms", plans)][6:]
    execution = [float(x) for x in re.findall(r"Execution Time: ([\d.]+) ms", plans)][6:]
    median = lambda xs: sorted(xs)[len(xs) // 2] if xs else float("nan")
    return split, frames, query, median(planning), median(execution)


def plan_experiment(wrk, a, rounds=3):
    """GET /api/items from two servers on identical databases, one whose sessions use generic
    plans, alternated so that other load on the machine falls on both alike."""
    server = Server(a.items, generic_copy=True)
    try:
        _, generic_base = server.serve(server.log, server.generic_url)
        c = int(a.connections.split(",")[0])
        results = {"as shipped": [], "generic plans": []}
        for base in (server.base, generic_base):
            sh([wrk, "-t1", "-c8", "-d2s", base + "/api/items"])
        for _ in range(rounds):
            for label, base in (("as shipped", server.base), ("generic plans", generic_base)):
                out = sh([wrk, f"-t{a.threads}", f"-c{c}", f"-d{a.duration}s", "--latency", base + "/api/items"]).stdout
                results[label].append(parse_wrk(out))
        median = lambda xs: sorted(xs)[len(xs) // 2]
        print(f"GET /api/items, {a.items} extra items, `wrk -t{a.threads} -c{c} -d{a.duration}s --latency`, "
              f"{rounds} alternating runs per server; medians:\n")
        print("| server | requests/s | p50 | p99 | runs (requests/s) |\n|---|---|---|---|---|")
        for label, rs in results.items():
            runs = ", ".join(f"{r['rps']:,.0f}" for r in rs)
            print(f"| {label} | {median([r['rps'] for r in rs]):,.0f} | {median([r['p50'] for r in rs]):.2f} ms "
                  f"| {median([r['p99'] for r in rs]):.2f} ms | {runs} |")
    finally:
        server.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", default="16,64")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--plan-experiment", action="store_true",
                    help="only compare GET /api/items against a copy of the database with generic plans")
    a = ap.parse_args()
    wrk = ensure_wrk()
    sh(["cargo", "build", "--release", "--locked", "-q", "-p", "strata"], cwd=ROOT)
    if a.plan_experiment:
        return plan_experiment(wrk, a)
    server = Server(a.items)
    try:
        hwm_started = server.status("VmHWM")
        cookie = login(server.base)
        hwm_login = server.status("VmHWM")
        check(server.base, cookie)
        url = server.base + "/api/items"
        post = os.path.join(server.work, "post.lua")
        with open(post, "w") as f:
            f.write('wrk.method = "POST"\n'
                    'wrk.headers["Content-Type"] = "application/json"\n'
                    f'wrk.headers["Cookie"] = "{cookie}"\n'
                    'local n = 0\n'
                    'request = function()\n'
                    '  n = n + 1\n'
                    '  return wrk.format(nil, nil, nil, \'{"name": "wrk item \' .. n .. \'", "priceCents": \' .. n .. \'}\')\n'
                    'end\n')
        sh([wrk, "-t1", "-c8", "-d2s", url])  # warm-up: connections, caches, plans
        rows = []
        for c in [int(x) for x in a.connections.split(",")]:
            for label, script in (("GET /api/items (page of 20, joined with owners)", None),
                                  ("POST /api/items (logged in)", post)):
                r, cmd = run_wrk(wrk, server, url, a.threads, c, a.duration, script)
                rows.append((label, c, r, cmd))
        # The ceiling of the HTTP stack on this machine: a 22 KB body kept in memory, no database.
        r, cmd = run_wrk(wrk, server, server.base + "/api/openapi.json", a.threads, int(a.connections.split(",")[0]),
                         a.duration)
        rows.append(("GET /api/openapi.json (22 KB from memory, no database)", r["connections"], r, cmd))
        hwm = server.status("VmHWM")
        # Logins: each argon2id hash holds 19 MiB while it runs, one per core at a time.
        login_lua = os.path.join(server.work, "login.lua")
        with open(login_lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = '{json.dumps(DEMO)}'\n")
        r, cmd = run_wrk(wrk, server, server.base + "/api/auth/login", 1, 4, 5, login_lua)
        rows.append(("POST /api/auth/login (argon2id)", 4, r, cmd))
        hwm_logins = server.status("VmHWM")
        server.log.flush()
        problems = [l.strip() for l in open(server.log.name) if " ERROR " in l or " WARN " in l]
        print(f"Server: `strata serve` (release build), {a.items} extra items; wrk {a.threads} threads, "
              f"{a.duration} s per row, on the same machine over loopback.\n")
        print("| endpoint | connections | requests/s | p50 | p99 | non-2xx | socket errors | server RSS (max sampled) |")
        print("|---|---|---|---|---|---|---|---|")
        for label, c, r, _ in rows:
            print(f"| {label} | {c} | {r['rps']:,.0f} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {r['non2xx']} "
                  f"| {r['socket_errors']} | {r['rss']:.1f} MiB |")
        print(f"\nServer peak RSS (VmHWM): {hwm_started:.1f} MiB once started, {hwm_login:.1f} MiB after the one "
              f"login (argon2 hashing), {hwm:.1f} MiB after the item runs, {hwm_logins:.1f} MiB after the logins.\n")
        if problems:
            print(f"The server logged {len(problems)} errors or warnings; the first ones:\n")
            for line in problems[:5]:
                print(f"    {line[:300]}")
            print()
        print("Commands (PORT is the one `strata serve --port 0` chose):\n")
        for cmd in dict.fromkeys(cmd for *_, cmd in rows):
            print(f"    {cmd}")
        if a.perf:
            c = int(a.connections.split(",")[0])
            split, frames, query, planning, execution = profile(wrk, server, url, a.threads, c, a.duration)
            print(f"\nProfile of GET /api/items under `wrk -t{a.threads} -c{c} -d{a.duration}s`:\n")
            print("CPU by process (`perf record -a -F 999`, share of all samples on both cores):\n")
            print("| process | CPU |\n|---|---|")
            for who, pct in sorted(split.items(), key=lambda kv: -kv[1]):
                print(f"| {who} | {pct:.1f}% |")
            print(f"\nInside the server (`perf record --call-graph dwarf -p PID`, inclusive share of its samples):\n")
            print("| frame | CPU |\n|---|---|")
            for label, pct in frames:
                print(f"| {label} | {pct:.1f}% |")
            print("\nPostgreSQL, the list statement prepared as the server prepares it, EXPLAIN ANALYZE of "
                  "executions 7 to 12 (median):\n")
            print(f"    planning {planning:.3f} ms, execution {execution:.3f} ms")
            print(f"    statement: {query[:400]}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
