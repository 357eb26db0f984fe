#!/usr/bin/env python3
"""Writes data/contacts.csv and data/answers.csv as if the care desk had worked the call
list every day from 2026-10-01 to 2026-11-21, trying about nine items in ten on the day
they came up: so the list of 2026-11-22 holds that day's work plus what slipped.

    cargo build --release && python3 scripts/make_sample_contacts.py [--data data]

A phone call is sometimes not answered (`no_answer`: the item comes back the next day,
one attempt more); a surveyed call (a rule with a survey form in config/policy.toml) is
sometimes refused, and otherwise answered question by question on the policy's scale:
most customers are satisfied, a few are not (they come back as `dissatisfied` items the
next day, and are called again), now and then a question is not rated (不予评价).

Runs `caredesk due` for each day (the binary in target/release); deterministic.
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import subprocess
import tomllib

STAFF = {"陈静": "陈静", "王磊": "王磊", "李娜": "李娜", "Zhang Wei": "Zhang Wei", "刘洋": "刘洋"}
NOTES = ["", "", "", "satisfied", "asked about the warranty", "will visit the store", "满意", "需要上门"]
NO_ANSWER_NOTES = ["", "no answer, sms sent", "无人接听", "关机"]
# What customers are less happy with: the appointments kept, the fees explained, the check
# after an install (the furniture house's 整改 list starts there).
WEAK = {"on_time", "fees", "final_check", "return_on_time", "appointment"}
UNHAPPY_NOTES = ["delivery was late", "安装师傅迟到", "price of the repair unclear", "要求经理回电"]
CONTACTS = ["customer_id", "rule", "source_id", "done_on", "by", "result", "note"]
ANSWERS = ["customer_id", "rule", "source_id", "question", "score", "answered_on"]


def forms_of(policy_path):
    """(rule, kind or None) -> the question ids of its form, from the policy."""
    with open(policy_path, "rb") as f:
        policy = tomllib.load(f)
    out = {}
    for form in policy["survey"]["forms"]:
        ids = [q["id"] for q in form["questions"]]
        for rule in form["rules"]:
            for kind in form.get("kinds", [None]):
                out[(rule, kind)] = ids
    return out


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="data")
    ap.add_argument("--policy", default="config/policy.toml")
    ap.add_argument("--binary", default="target/release/caredesk")
    a = ap.parse_args()
    rng = random.Random(11)
    # The calls' outcomes and answers have their own sequence.
    talk = random.Random(18)
    forms = forms_of(a.policy)
    with open(os.path.join(a.data, "orders.csv"), encoding="utf-8") as f:
        kind_of = {r["order_id"]: (r["kind"] or "sale") for r in csv.DictReader(f)}
    with open(os.path.join(a.data, "customers.csv"), encoding="utf-8") as f:
        customers = [r["customer_id"] for r in csv.DictReader(f)]
    # About one customer in twelve is hard to please.
    unhappy = set(random.Random(3).sample(customers, len(customers) // 12))
    contacts_path = os.path.join(a.data, "contacts.csv")
    answers_path = os.path.join(a.data, "answers.csv")
    done, answers = [], []
    day = dt.date(2026, 10, 1)
    while day <= dt.date(2026, 11, 21):
        # the list of the day, given what was logged before it
        write(contacts_path, CONTACTS, done)
        write(answers_path, ANSWERS, answers)
        out = subprocess.run([a.binary, "due", "--data", a.data, "--policy", a.policy,
                              "--date", day.isoformat(), "--format", "csv"],
                             check=True, capture_output=True, text=True).stdout
        for item in csv.DictReader(io.StringIO(out)):
            if rng.random() >= 0.9:
                continue
            by = STAFF.get(item["owner"], "前台")
            note = rng.choice(NOTES)
            who, rule, source = item["customer_id"], item["rule"], item["source_id"]
            row = [who, rule, source, day.isoformat(), by]
            questions = forms.get((rule, kind_of.get(source))) or forms.get((rule, None))
            if item["channel"] == "phone" and talk.random() < 0.08:
                done.append(row + ["no_answer", talk.choice(NO_ANSWER_NOTES)])
                continue
            if questions and talk.random() < 0.05:
                done.append(row + ["refused", "不愿意做回访"])
                continue
            if questions:
                mood = talk.random()
                for q in questions:
                    if q != "overall" and talk.random() < 0.08:
                        continue  # not asked
                    if talk.random() < 0.03:
                        score = ""  # 不予评价: asked, not rated
                    elif who in unhappy and mood < 0.7:
                        score = talk.choice([1, 2, 2, 3, 3, 4])
                    elif q in WEAK:
                        score = talk.choice([5, 5, 4, 4, 3])
                    else:
                        score = talk.choice([5, 5, 5, 5, 4, 4])
                    answers.append([who, rule, source, q, score, day.isoformat()])
                overall = [r[4] for r in answers if r[:3] == [who, rule, source] and r[3] == "overall"]
                if overall and overall[-1] != "" and overall[-1] <= 2:
                    note = talk.choice(UNHAPPY_NOTES)
            done.append(row + ["done", note])
        day += dt.timedelta(days=1)
    write(contacts_path, CONTACTS, done)
    write(answers_path, ANSWERS, answers)
    results = {r: sum(1 for c in done if c[5] == r) for r in ["done", "no_answer", "refused"]}
    print(f"{len(done)} calls logged ({results}) -> {contacts_path}; {len(answers)} answers -> {answers_path}")


if __name__ == "__main__":
    main()
