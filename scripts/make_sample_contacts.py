#!/usr/bin/env python3
"""Writes data/contacts.csv as if the care desk had worked the call list every day from
2026-10-01 to 2026-11-21, doing about nine items in ten on the day they came up: so the
list of 2026-11-22 holds that day's work plus what slipped.

    cargo build --release && python3 scripts/make_sample_contacts.py [--data data]

Runs `caredesk due` for each day (the binary in target/release); deterministic.
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import subprocess

STAFF = {"陈静": "陈静", "王磊": "王磊", "李娜": "李娜", "Zhang Wei": "Zhang Wei", "刘洋": "刘洋"}
NOTES = ["", "", "", "satisfied", "asked about the warranty", "no answer, sms sent", "will visit the store", "满意", "需要上门"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="data")
    ap.add_argument("--binary", default="target/release/caredesk")
    a = ap.parse_args()
    rng = random.Random(11)
    path = os.path.join(a.data, "contacts.csv")
    if os.path.exists(path):
        os.remove(path)
    done = []
    day = dt.date(2026, 10, 1)
    while day <= dt.date(2026, 11, 21):
        # the list of the day, given what was logged before it
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["customer_id", "rule", "source_id", "done_on", "by", "note"])
            w.writerows(done)
        out = subprocess.run([a.binary, "due", "--data", a.data, "--date", day.isoformat(), "--format", "csv"],
                             check=True, capture_output=True, text=True).stdout
        for item in csv.DictReader(io.StringIO(out)):
            if rng.random() < 0.9:
                by = STAFF.get(item["owner"], "前台")
                done.append([item["customer_id"], item["rule"], item["source_id"], day.isoformat(), by, rng.choice(NOTES)])
        day += dt.timedelta(days=1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "rule", "source_id", "done_on", "by", "note"])
        w.writerows(done)
    print(f"{len(done)} follow-ups logged -> {path}")


if __name__ == "__main__":
    main()
