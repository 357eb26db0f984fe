#!/usr/bin/env python3
"""The daily commands against `tiers` in one paired run (issue 21), on the benchmark set.

    python3 bench/compare_daily.py [--size 10m] [--pairs 5] [--bin target/release/caredesk]
                                   [--before OTHER_BUILD]

Runs, in turn and rotating which goes first each round: `tiers` (bench policy, csv out),
`due --date 2026-11-22` (csv), `due --owner <the owner with the most customers>`,
`due --split-by owner --output-dir`, `kpi --by owner` (csv), and DuckDB's tiers peer.
Prints each round's wall times, then per command the median wall, median CPU
(user + system, which a loaded machine moves much less than the wall), median peak RSS,
and the median of the per-round ratios to `tiers` (and, for `tiers`, to DuckDB).
With `--before BIN` every caredesk command also runs with that build in the same round
(the two one after the other, which goes first alternating), marked `[before]`, so a
change is measured against one DuckDB run per round instead of in two runs an hour apart
on a machine whose speed drifts.

Goals (issue 21): tiers <= 0.33 x DuckDB, peak <= 150 MiB; due <= 1.5 x tiers, peak <=
200 MiB; due --owner well under 0.5 x due; --split-by <= 1.2 x due; kpi <= 1.2 x tiers.
The data must exist (bench/compare_duckdb.py --install makes it).
"""

import argparse
import collections
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The shared bench (its peers): $BENCH, else beside the checkout, else the team's copy.
SHARED = os.environ.get("BENCH") or next(
    (p for p in (os.path.join(ROOT, "..", "shared", "bench"), "/work/shared/bench") if os.path.isdir(p)),
    os.path.join(ROOT, "..", "shared", "bench"))
AS_OF = "2026-11-22"


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="10m")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--data", default=None)
    ap.add_argument("--bin", default=None, help="the caredesk binary (default: build the release one)")
    ap.add_argument("--no-duckdb", action="store_true", help="leave DuckDB's peer out")
    ap.add_argument("--before", default=None, help="another caredesk build, run beside this one in each round")
    a = ap.parse_args()
    data = a.data or f"/tmp/benchdata/{a.size}"
    if a.bin:
        caredesk = a.bin
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        caredesk = os.path.join(ROOT, "target", "release", "caredesk")
    policy = os.path.join(ROOT, "examples", "bench-policy.toml")
    with open(os.path.join(data, "customers.csv"), newline="", encoding="utf-8") as f:
        owners = collections.Counter(r["owner"] for r in csv.DictReader(f) if r["owner"])
    owner = owners.most_common(1)[0][0]
    work = tempfile.mkdtemp(prefix="caredesk-daily-")
    try:
        common = ["--data", data, "--policy", policy, "--as-of", AS_OF]

        def commands(base, tag):
            out = lambda name: ["--output", os.path.join(work, tag + name)]
            return [
                ("tiers", base + ["tiers"] + common + ["--format", "csv"] + out("tiers.csv")),
                ("due", base + ["due", "--date", AS_OF] + common + ["--format", "csv"] + out("due.csv")),
                ("due --owner", base + ["due", "--date", AS_OF, "--owner", owner] + common + ["--format", "csv"] + out("owner.csv")),
                ("--split-by", base + ["due", "--date", AS_OF, "--split-by", "owner", "--output-dir", os.path.join(work, tag + "lists")] + common + ["--format", "csv"]),
                ("kpi --by owner", base + ["kpi", "--by", "owner"] + common + ["--format", "csv"] + out("kpi.csv")),
            ]

        cmds = commands([caredesk], "")
        if a.before:
            # Each command of both builds side by side; which goes first alternates by round.
            before = [(k + " [before]", c) for k, c in commands([a.before], "before-")]
            cmds = [x for pair in zip(cmds, before) for x in pair]
        if not a.no_duckdb:
            cmds.append(("duckdb", [sys.executable, os.path.join(SHARED, "peers", "duckdb_tiers.py"), data,
                                    os.path.join(work, "duckdb.csv"), "--as-of", AS_OF]))
        print(f"owner for --owner: {owner} ({owners[owner]} of {sum(owners.values())} customers)", flush=True)
        for _, c in cmds:  # warm-up
            run(c)
        got = {k: [] for k, _ in cmds}
        # What runs as one: a command, or with --before the two builds' runs of it.
        units = [[x] for x in cmds]
        if a.before:
            units = [[cmds[k], cmds[k + 1]] for k in range(0, len(cmds) - 1, 2) if cmds[k + 1][0].endswith("[before]")]
            units += [[x] for x in cmds if x[0] == "duckdb"]
        for i in range(a.pairs):
            turn = units[i % len(units):] + units[:i % len(units)]
            for unit in turn:
                for k, c in (unit if i % 2 == 0 else unit[::-1]):
                    got[k].append(run(c))
            print(f"round {i + 1}: " + " | ".join(f"{k} {got[k][-1][0]:.2f} s" for k, _ in cmds), flush=True)
        med = lambda xs: statistics.median(xs)
        ratio = lambda k, to: med([x[0] / y[0] for x, y in zip(got[k], got[to])])
        for k, _ in cmds:
            walls, cpus, peaks = zip(*got[k])
            name, tag = k.removesuffix(" [before]"), k[len(k.removesuffix(" [before]")):]
            line = f"{k:>24}: wall {med(walls):.2f} s, cpu {med(cpus):.2f} s, peak {med(peaks):.0f} MiB (max {max(peaks):.0f})"
            if name not in ("tiers", "duckdb"):
                line += f", {ratio(k, 'tiers' + tag):.2f} x tiers"
            if name in ("due --owner", "--split-by"):
                line += f", {ratio(k, 'due' + tag):.2f} x due"
            if name == "tiers" and "duckdb" in got:
                line += f", {ratio(k, 'duckdb'):.2f} x duckdb"
            print(line, flush=True)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
