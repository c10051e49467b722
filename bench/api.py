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
                    [--items N] [--perf] [--plan-experiment] [--against-node]
  --perf           also profile one GET run (perf): CPU by process, the server's
                   costly frames, and PostgreSQL's planning vs execution time
  --plan-experiment  only GET /api/items, alternating between the server as
                   shipped and one on a copy of the database with
                   plan_cache_mode = force_generic_plan: what replanning costs
  --against-node   side by side with the Node anchor (../shared/bench/node-api): its
                   bench.sh with NODE_CONFIGS=node-1proc, then `strata serve` on the
                   same throwaway cluster (../shared/bench/pg.sh, 127.0.0.1:55432), same
                   wrk settings (-t2 -c64, 5 s warm-up, --duration measured), same
                   10,000 extra items; GET /api/items?limit=20&active=true and POST
                   /api/items (strata: with a real session cookie), the server's peak
                   RSS after 100 logins (of an account registered through the API)
                   and both runs, and the ratios against the
                   issue's targets. With --perf, profiles both of strata's runs.

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
import urllib.error
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


# The account of --against-node's 100 logins: registered through the API, so its hash has
# the parameters every account the API creates has (the demo users' seeded hashes are
# argon2's defaults, 19 MiB per login: a development convenience, not what users get).
BENCH_USER = {"email": "bench@example.com", "password": "bench-password-1", "displayName": "Bench"}


def register(base, account):
    req = urllib.request.Request(base + "/api/auth/register", method="POST", data=json.dumps(account).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 201, resp.status


def login(base, account=DEMO):
    credentials = {"email": account["email"], "password": account["password"]}
    req = urllib.request.Request(base + "/api/auth/login", method="POST", data=json.dumps(credentials).encode(),
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


SHARED_BENCH = os.path.join(os.path.dirname(ROOT), "shared", "bench")
PGSH = os.path.join(SHARED_BENCH, "pg.sh")
NODE_API = os.path.join(SHARED_BENCH, "node-api")
GET_PATH = "/api/items?limit=20&active=true"
# The targets, as ratios of strata to Node in one run.
TARGETS = {"get_rps": 8.0, "get_p99": 0.1, "post_rps": 1.5, "rss_mib": 30.0}


class ClusterServer:
    """`strata serve` on its own database of the Node anchor's throwaway cluster (pg.sh):
    the migrations, seeds and `items` extra items applied by `binary`, which serves
    with `env` added to the environment; `serve` starts more servers on it."""

    def __init__(self, items, db="strata_bench", binary=STRATA, env=None):
        self.work = tempfile.mkdtemp(prefix="strata-bench-vs-node-")
        os.chmod(self.work, 0o755)
        self.binary = binary
        self.proc = None
        self.others = []
        self.logs = []
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["NO_COLOR"] = "1"
        sh([PGSH, "start"])
        self.db_url = sh([PGSH, "url", db]).stdout.strip()
        self.admin = sh([PGSH, "url", "postgres"]).stdout.strip()
        self.postmaster_file = "/tmp/benchpg/postmaster.pid"
        sh([psql_bin(), "-Xq", "-d", self.admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)",
            "-c", f"CREATE DATABASE {db}"])
        self.strata("--database-url", self.db_url, "migrate", "up")
        self.strata("--database-url", self.db_url, "seed", "up")
        sh([psql_bin(), "-Xq", "-v", "ON_ERROR_STOP=1", "-d", self.db_url, "-c",
            f"""INSERT INTO app.items (user_id, name, description, price_cents)
                SELECT (SELECT array_agg(id ORDER BY email) FROM auth."user")[1 + n % 3],
                       'bench item ' || n, 'generated for the API benchmark', n
                FROM generate_series(1, {items}) AS n""", "-c", "VACUUM ANALYZE"])
        self.proc, self.base = self.serve(binary, env or {}, "serve.log")
        self.log = self.logs[0]  # the first server's, which the run checks for errors

    def serve(self, binary, env, log_name):
        """Starts `binary serve` on the database (its stderr in `log_name`); returns the
        process and its base URL."""
        log = open(os.path.join(self.work, log_name), "w")
        self.logs.append(log)
        args = [binary, "--dir", os.path.join(ROOT, "migrations"), "--json", "--database-url", self.db_url,
                "serve", "--port", "0"]
        proc = subprocess.Popen(args, cwd=self.work, env={**self.env, **env}, stdout=subprocess.PIPE, stderr=log,
                                text=True)
        self.others.append(proc)
        line = proc.stdout.readline()
        if not line:
            self.close()
            sys.exit(f"{binary} serve did not start")
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
        return proc, json.loads(line)["url"]

    def strata(self, *args):
        return sh([self.binary, "--dir", os.path.join(ROOT, "migrations"), "-q", *args], cwd=self.work, env=self.env)

    def psql(self, sql):
        return sh([psql_bin(), "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", self.db_url, "-c", sql]).stdout.strip()

    status = Server.status

    def close(self):
        for proc in self.others:
            proc.terminate()
            proc.wait()
        for log in self.logs:
            log.close()
        shutil.rmtree(self.work, ignore_errors=True)


def cpu_busy(seconds=2.0):
    """The whole machine's busy share over `seconds`, in %."""
    def snap():
        v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))


def wait_quiet(limit=10.0, timeout=300):
    """As bench.sh does before each run: until the machine is at most `limit` % busy (2 s), or `timeout`."""
    end = time.time() + timeout
    busy = cpu_busy()
    while busy > limit and time.time() < end:
        busy = cpu_busy()
    return busy


def node_run(duration, warmup, quiet_timeout):
    """The Node anchor, one process, through its own bench.sh; its results.tsv as dicts by endpoint."""
    out = tempfile.mkdtemp(prefix="node-api-")
    env = {**os.environ, "NODE_CONFIGS": "node-1proc", "DURATION": f"{duration}s", "WARMUP": f"{warmup}s",
           "THREADS": "2", "CONNS": "64", "OUT": out, "QUIET_TIMEOUT": str(quiet_timeout)}
    env.pop("SERVER_CMD", None)
    subprocess.run([os.path.join(NODE_API, "bench.sh")], cwd=NODE_API, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(out, "bench.log"), "w"))
    import csv
    rows = {r["endpoint"]: r for r in csv.DictReader(open(os.path.join(out, "results.tsv")), delimiter="\t")}
    shutil.rmtree(out, ignore_errors=True)
    return rows


def strata_run(wrk, server, url, duration, warmup, quiet_timeout, script=None):
    """One endpoint as bench.sh runs it: cool-down, quiet machine, warm-up, measured wrk -t2 -c64 --latency."""
    time.sleep(10)
    busy = wait_quiet(timeout=quiet_timeout)
    load1 = os.getloadavg()[0]
    extra = ["-s", script] if script else []
    sh([wrk, "-t2", "-c64", f"-d{warmup}s", *extra, url])
    r, _ = run_wrk(wrk, server, url, 2, 64, duration, script)
    r["load1"], r["busy"] = load1, busy
    return r


def server_profile(wrk, server, url, duration, script=None, top=12):
    """perf during one wrk run: CPU by process over the machine, then the server's costliest
    frames (self, and inclusive for FRAMES), with DWARF call graphs."""
    extra = ["-s", script] if script else []
    load = [wrk, "-t2", "-c64", f"-d{duration}s", *extra, url]
    data = os.path.join(server.work, "all.perf")
    perf = subprocess.Popen(["perf", "record", "-a", "-F", "999", "-o", data, "--", "sleep", str(duration)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sh(load)
    perf.wait()
    postmaster = open(server.postmaster_file).readline().strip()
    split = {}
    for line in sh(["perf", "report", "-i", data, "--stdio", "--sort", "comm,pid", "--percent-limit", "0.5"]).stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\d+):", line)
        if not m:
            continue
        pct, comm, pid = float(m.group(1)), m.group(2), m.group(3)
        stat = f"/proc/{pid}/stat"
        ppid = open(stat).read().split(")")[-1].split()[1] if os.path.exists(stat) else ""
        if os.path.exists(f"/proc/{server.proc.pid}/task/{pid}"):
            who = "strata serve"
        elif comm.startswith("postgres") and (ppid == postmaster or pid == postmaster):
            who = "PostgreSQL (the benchmark's cluster)"
        elif comm.startswith("postgres"):
            who = "PostgreSQL sessions that ended, or other clusters"
        elif comm == "wrk":
            who = "wrk"
        else:
            who = "other processes on the machine"
        split[who] = split.get(who, 0.0) + pct
    data = os.path.join(server.work, "server.perf")
    perf = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-p", str(server.proc.pid),
                             "-o", data, "--", "sleep", str(duration)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sh(load)
    perf.wait()
    selfs = []
    for line in sh(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,sym", "-g", "none",
                    "--percent-limit", "0.8"]).stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)$", line)
        if m:
            selfs.append((float(m.group(1)), m.group(2), m.group(4).strip()[:110]))
    children = sh(["perf", "report", "-i", data, "--stdio", "--children", "--sort", "sym", "-g", "none"]).stdout
    frames = []
    for label, pattern in FRAMES + PROFILE_FRAMES:
        best = 0.0
        for line in children.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+[\d.]+%\s+(.*)$", line)
            if m and re.search(pattern, m.group(2)):
                best = max(best, float(m.group(1)))
        frames.append((label, best))
    return split, selfs[:top], frames


# More inclusive frames worth naming in the side-by-side profile.
PROFILE_FRAMES = [
    ("the session lookup (sessions::find_user)", r"strata_app::db::sessions::find_user"),
    ("the insert statement (items::insert)", r"strata_app::db::items::insert"),
    ("reading the JSON body (ValidJson)", r"ValidJson"),
    ("kernel: syscalls (all)", r"\[k\] entry_SYSCALL_64"),
    ("malloc/free", r"\b(malloc|free|_int_malloc|_int_free)$"),
]


def login_many(base, n, account, parallel=4):
    """`n` logins of `account`, `parallel` at a time, as a burst of real logins makes them."""
    import concurrent.futures
    def one(_):
        for _attempt in range(50):
            try:
                return login(base, account)
            except urllib.error.HTTPError as e:
                if e.code not in (429, 503):
                    raise
                time.sleep(0.2)
        raise RuntimeError("login kept being refused")
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(one, range(n)))


def against_node(wrk, a):
    """Node (one process) and strata serve, one after the other on the same cluster; ratios."""
    for tool in ("node", "createdb", "dropdb", "curl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: the Node anchor's bench.sh needs it")
    if not os.path.isdir(os.path.join(NODE_API, "node_modules", "drizzle-orm")):
        print("installing the Node anchor's pinned dependencies (npm ci)", file=sys.stderr)
        sh(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_API)
    warmup = 5
    started_load = os.getloadavg()
    node = node_run(a.duration, warmup, a.quiet_timeout)
    server = ClusterServer(a.items)
    try:
        register(server.base, BENCH_USER)
        cookies = login_many(server.base, 100, BENCH_USER)
        hwm_logins = server.status("VmHWM")
        cookie = cookies[-1]
        check(server.base, cookie)
        category = server.psql("SELECT id FROM master.categories ORDER BY name LIMIT 1")
        location = server.psql("SELECT id FROM master.locations ORDER BY name LIMIT 1")
        body = json.dumps({"name": "bench item", "description": "created by wrk", "priceCents": 1999,
                           "categoryId": category, "locationId": location}, separators=(",", ":"))
        post = os.path.join(server.work, "post.lua")
        with open(post, "w") as f:  # a static request, as the anchor's post.lua
            f.write(f"wrk.method = \"POST\"\nwrk.body = '{body}'\n"
                    'wrk.headers["Content-Type"] = "application/json"\n'
                    f'wrk.headers["Cookie"] = "{cookie}"\n')
        get_url = server.base + GET_PATH
        rows_before = int(server.psql("SELECT count(*) FROM app.items"))
        get = strata_run(wrk, server, get_url, a.duration, warmup, a.quiet_timeout)
        post_r = strata_run(wrk, server, server.base + "/api/items", a.duration, warmup, a.quiet_timeout, post)
        rows_after = int(server.psql("SELECT count(*) FROM app.items"))
        hwm = server.status("VmHWM")
        server.log.flush()
        problems = [l.strip() for l in open(server.log.name) if " ERROR " in l or " WARN " in l]

        def n(row, key):
            return float(row[key])
        ng, np_ = node["get"], node["post"]
        node_rss = max(n(ng, "peak_rss_mb"), n(np_, "peak_rss_mb"))
        ratios = {
            "get_rps": get["rps"] / n(ng, "rps"), "get_p99": get["p99"] / n(ng, "p99_ms"),
            "post_rps": post_r["rps"] / n(np_, "rps"), "post_p99": post_r["p99"] / n(np_, "p99_ms"),
        }
        met = {
            "get_rps": ratios["get_rps"] >= TARGETS["get_rps"], "get_p99": ratios["get_p99"] <= TARGETS["get_p99"],
            "post_rps": ratios["post_rps"] >= TARGETS["post_rps"], "post_p99": ratios["post_p99"] < 1.0,
            "rss": hwm <= TARGETS["rss_mib"],
        }
        yes = lambda ok: "met" if ok else "**missed**"
        print(f"One invocation, same machine, same PostgreSQL cluster (../shared/bench/pg.sh, 127.0.0.1:55432, "
              f"fsync on): Node first (its bench.sh, NODE_CONFIGS=node-1proc), then `strata serve` (release "
              f"build). wrk -t2 -c64, {warmup} s warm-up, {a.duration} s measured (--latency); 10 s cool-down and "
              f"a wait for a quiet machine (<= 10 % busy, at most {a.quiet_timeout} s) before each. "
              f"{a.items} extra items each (Node: its seed's 10,000; strata: the demo seed plus {a.items}). "
              f"Load average when the invocation started: {' '.join(f'{x:.2f}' for x in started_load)}.\n")
        print("| server | endpoint | load1 / CPU busy before | req/s | p50 | p99 | non-2xx | socket errors |")
        print("|---|---|---|---|---|---|---|---|")
        for label, ep, r in (("Node, 1 process", GET_PATH, ng), ("Node, 1 process", "POST /api/items (x-user-id header)", np_)):
            print(f"| {label} | GET {ep} |".replace("GET POST", "POST") +
                  f" {r['load1_before']} / {r['cpu_busy_pct_before']}% | {n(r, 'rps'):,.0f} | {n(r, 'p50_ms'):.2f} ms "
                  f"| {n(r, 'p99_ms'):.2f} ms | {r['non2xx']} | {r['socket_errors']} |")
        for ep, r in ((f"GET {GET_PATH}", get), ("POST /api/items (session cookie)", post_r)):
            print(f"| strata serve | {ep} | {r['load1']:.2f} / {r['busy']:.0f}% | {r['rps']:,.0f} | {r['p50']:.2f} ms "
                  f"| {r['p99']:.2f} ms | {r['non2xx']} | {r['socket_errors']} |")
        print(f"\n| target (strata / Node, this run) | ratio | target | |\n|---|---|---|---|")
        print(f"| GET requests/s | {ratios['get_rps']:.2f}x | >= {TARGETS['get_rps']:.0f}x | {yes(met['get_rps'])} |")
        print(f"| GET p99 | {ratios['get_p99']:.3f} | <= {TARGETS['get_p99']} | {yes(met['get_p99'])} |")
        print(f"| POST requests/s | {ratios['post_rps']:.2f}x | >= {TARGETS['post_rps']}x | {yes(met['post_rps'])} |")
        print(f"| POST p99 | {ratios['post_p99']:.3f} | < 1 | {yes(met['post_p99'])} |")
        print(f"| strata's peak RSS (VmHWM) after 100 logins and both runs | {hwm:.1f} MiB | <= {TARGETS['rss_mib']:.0f} MiB "
              f"| {yes(met['rss'])} |")
        print(f"\nPeak RSS: strata {hwm_logins:.1f} MiB after the 100 logins (4 at a time, of an account registered through the API), {hwm:.1f} MiB after both "
              f"runs (VmHWM of the process, never reset); Node {node_rss:.1f} MB (bench.sh: VmHWM, reset before each "
              f"endpoint). Server CPU seconds during Node's runs: GET {ng['server_cpu_s']}, POST {np_['server_cpu_s']} "
              f"(PostgreSQL {ng['pg_cpu_s']}, {np_['pg_cpu_s']}). strata inserted {rows_after - rows_before:,} rows, "
              f"Node {np_['rows_inserted']}.")
        if problems:
            print(f"\nstrata logged {len(problems)} errors or warnings; the first ones:\n")
            for line in problems[:5]:
                print(f"    {line[:300]}")
        if a.perf:
            for label, url, script in (("GET " + GET_PATH, get_url, None), ("POST /api/items", server.base + "/api/items", post)):
                split, selfs, frames = server_profile(wrk, server, url, a.duration, script)
                print(f"\nProfile of strata's {label} (`perf record`, same wrk settings):\n")
                print("| process | share of all CPU samples (2 cores) |\n|---|---|")
                for who, pct in sorted(split.items(), key=lambda kv: -kv[1]):
                    print(f"| {who} | {pct:.1f}% |")
                print("\n| inside strata serve: frame (inclusive) | share of its samples |\n|---|---|")
                for name, pct in frames:
                    if pct > 0:
                        print(f"| {name} | {pct:.1f}% |")
                print("\n| inside strata serve: costliest functions (self) | dso | share |\n|---|---|---|")
                for pct, dso, sym in selfs:
                    print(f"| `{sym}` | {dso} | {pct:.1f}% |")
        return met
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
    ap.add_argument("--against-node", action="store_true",
                    help="side by side with the Node anchor on the same cluster; prints ratios")
    ap.add_argument("--quiet-timeout", type=int, default=300,
                    help="--against-node: wait at most this long for a quiet machine before each run")
    a = ap.parse_args()
    wrk = ensure_wrk()
    sh(["cargo", "build", "--release", "--locked", "-q", "-p", "strata"], cwd=ROOT)
    if a.against_node:
        against_node(wrk, a)
        return
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
