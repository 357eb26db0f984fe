#!/usr/bin/env python3
"""caredesk `tiers` against DuckDB on the benchmark workload (shared bench/WORKLOAD.md).

    python3 bench/compare_duckdb.py [--size 10m] [--pairs 5]

1. Generates the data set with the shared generator if it is missing
   (/tmp/benchdata/<size>; needs the pinned duckdb/polars/numpy: see --install).
2. Builds caredesk (release) and checks that its answer, projected to the workload's
   format, is byte-identical to DuckDB's.
3. Runs the two commands alternately (a warm-up pair, then --pairs pairs) and prints
   each pair's wall times and ratio, the median of the per-pair ratios, and the median
   peak RSS of each (ru_maxrss of the process, from wait4).

Goal (issue 6): ratio <= 0.5, caredesk peak <= 175 MiB.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("BENCH", os.path.join(ROOT, "..", "shared", "bench"))
SIZES = {"100k": (10_000, 100_000), "1m": (100_000, 1_000_000), "10m": (1_000_000, 10_000_000)}
AS_OF = "2026-11-22"


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="10m", choices=SIZES)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--data", default=None, help="data directory (default /tmp/benchdata/SIZE)")
    ap.add_argument("--install", action="store_true", help="pip install the peers' pinned requirements first")
    a = ap.parse_args()
    data = a.data or f"/tmp/benchdata/{a.size}"
    if a.install:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", os.path.join(SHARED, "requirements.txt")], check=True)
    if not os.path.exists(os.path.join(data, "orders.csv")):
        customers, orders = SIZES[a.size]
        subprocess.run([sys.executable, os.path.join(SHARED, "gen.py"), "--customers", str(customers),
                        "--orders", str(orders), "--out", data, "--as-of", AS_OF], check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    caredesk = os.path.join(ROOT, "target", "release", "caredesk")
    policy = os.path.join(ROOT, "examples", "bench-policy.toml")
    work = tempfile.mkdtemp(prefix="caredesk-bench-")
    try:
        all_time = os.path.join(work, "all-time.toml")
        with open(policy) as f, open(all_time, "w") as g:
            g.write(f.read().replace("window_days = 730", "window_days = 0"))
        ours = [caredesk, "tiers", "--data", data, "--policy", policy, "--as-of", AS_OF,
                "--format", "csv", "--output", os.path.join(work, "caredesk.csv")]
        theirs = [sys.executable, os.path.join(SHARED, "peers", "duckdb_tiers.py"), data,
                  os.path.join(work, "duckdb.csv"), "--as-of", AS_OF]

        # Same answer first.
        run(ours)
        run(theirs)
        run(ours[:5] + [all_time] + ours[6:-1] + [os.path.join(work, "caredesk_all.csv")])
        subprocess.run([sys.executable, os.path.join(SHARED, "project_caredesk.py"), os.path.join(work, "caredesk.csv"),
                        os.path.join(work, "projected.csv"), "--all-time", os.path.join(work, "caredesk_all.csv")], check=True)
        same = subprocess.run(["cmp", "-s", os.path.join(work, "duckdb.csv"), os.path.join(work, "projected.csv")]).returncode == 0
        print(f"answer: {'identical to DuckDB' if same else 'DIFFERENT from DuckDB'}", flush=True)

        ratios, our_peaks, their_peaks, our_walls, their_walls = [], [], [], [], []
        for i in range(a.pairs):
            ow, op = run(ours)
            tw, tp = run(theirs)
            ratios.append(ow / tw)
            our_walls.append(ow)
            their_walls.append(tw)
            our_peaks.append(op)
            their_peaks.append(tp)
            print(f"pair {i + 1}: caredesk {ow:.2f} s {op:.0f} MiB | duckdb {tw:.2f} s {tp:.0f} MiB | ratio {ow / tw:.2f}", flush=True)
        print(f"median: caredesk {statistics.median(our_walls):.2f} s, duckdb {statistics.median(their_walls):.2f} s, "
              f"ratio {statistics.median(ratios):.2f} (goal <= 0.50); peak caredesk {statistics.median(our_peaks):.0f} MiB "
              f"(goal <= 175), duckdb {statistics.median(their_peaks):.0f} MiB")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
