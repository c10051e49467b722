#!/usr/bin/env python3
"""Runs one benchmark and writes its output into bench/RESULTS.md.

Usage: bench/record.py migrations|lint|api|api-plans|api-vs-node|all

  migrations         bench/migrations.py 1000 10000   strata against psql
  lint               cargo run --release -p strata-lint --example throughput
  verify             bench/verify.py 1000                strata verify (and drift) against migrate up
  drift-squash       bench/drift_squash.py 1000          drift, the check_drift gate, schema dump/check against migrate up
  api                bench/api.py --perf           wrk against `strata serve`
  replicas           bench/replicas.py             GET list with and without a standby; its lag during 1,000 files
  api-plans          bench/api.py --plan-experiment --connections 16 --duration 5
                     (the experiment behind the API analysis in RESULTS.md)
  api-vs-node        bench/api.py --against-node --perf --quiet-timeout 60
                     the Node anchor (../shared/bench/node-api) and strata serve, one cluster

Each benchmark owns one section of RESULTS.md, between `<!-- BEGIN name -->` and
`<!-- END name -->`; the section is replaced with the command, the date, the
commit, the machine (CPU, cores, memory, kernel, PostgreSQL, rustc and the load
average when it started: other work on the machine skews the figures) and what
the command printed. Text outside the markers (the analysis) is kept.
"""
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")

BENCHMARKS = {
    "migrations": ["bench/migrations.py", "1000", "10000"],
    "lint": ["cargo", "run", "--release", "--locked", "-q", "-p", "strata-lint", "--example", "throughput"],
    "verify": ["bench/verify.py", "1000"],
    "api": ["bench/api.py", "--perf"],
    "api-plans": ["bench/api.py", "--plan-experiment", "--connections", "16", "--duration", "5"],
    "api-vs-node": ["bench/api.py", "--against-node", "--perf", "--quiet-timeout", "60"],
    "deploy-under-traffic": ["bench/deploy_under_traffic.py"],
    "replicas": ["bench/replicas.py"],
    "drift-squash": ["bench/drift_squash.py", "1000"],
}

HEADER = """# Benchmarks

Measured with `bench/record.py NAME` (one command per benchmark; it runs the
command shown in each section and rewrites that section). Figures come from one
machine at one time: compare rows of one section, not across machines.
"""


def out(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def postgres_version():
    for d in sorted(os.listdir("/usr/lib/postgresql"), key=int, reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        exe = f"/usr/lib/postgresql/{d}/bin/postgres"
        if os.path.exists(exe):
            return out([exe, "--version"])
    return out(["postgres", "--version"])


def machine():
    cpu = re.search(r"^Model name:\s*(.+)$", out(["lscpu"]), re.M)
    mem = re.search(r"^Mem:\s+(\S+)", out(["free", "-h"]), re.M)
    osname = "?"
    if os.path.exists("/etc/os-release"):
        m = re.search(r'^PRETTY_NAME="?([^"\n]+)', open("/etc/os-release").read(), re.M)
        osname = m.group(1) if m else "?"
    dirty = " (with uncommitted changes)" if out(["git", "-C", ROOT, "status", "--porcelain"]) else ""
    return [
        f"commit {out(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'])}{dirty}",
        f"{cpu.group(1) if cpu else platform.processor()}, {os.cpu_count()} cores, {mem.group(1) if mem else '?'} memory",
        f"{osname}, Linux {platform.release()}",
        postgres_version(),
        out(["rustc", "--version"]),
        f"load average when it started: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def record(name):
    cmd = BENCHMARKS[name]
    facts = machine()
    started = datetime.datetime.now(datetime.timezone.utc)
    print(f"$ {' '.join(cmd)}", file=sys.stderr)
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        sys.stdout.write(run.stdout)
        sys.exit(f"{name}: the benchmark failed (exit {run.returncode}); RESULTS.md is unchanged")
    print(run.stdout)
    body = "\n".join([
        f"<!-- BEGIN {name} -->",
        f"Command: `{' '.join(cmd)}`, run {started:%Y-%m-%d %H:%M} UTC on:",
        "",
        *[f"- {f}" for f in facts],
        "",
        run.stdout.strip(),
        f"<!-- END {name} -->",
    ])
    text = open(RESULTS).read() if os.path.exists(RESULTS) else HEADER
    pattern = re.compile(rf"<!-- BEGIN {name} -->.*?<!-- END {name} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        text = text.rstrip() + f"\n\n## {name}\n\n{body}\n"
    with open(RESULTS, "w") as f:
        f.write(text)


def main():
    names = sys.argv[1:]
    if names == ["all"]:
        names = list(BENCHMARKS)
    if not names or any(n not in BENCHMARKS for n in names):
        sys.exit(__doc__)
    if not shutil.which("cargo"):
        sys.exit("cargo not found")
    for name in names:
        record(name)


if __name__ == "__main__":
    main()
