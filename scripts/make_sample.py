#!/usr/bin/env python3
"""Writes the small sample data set shipped in data/: a luxury-furniture retailer's
customers, orders (sales and service jobs) and complaints, three years up to 2026-11-22.

    python3 scripts/make_sample.py [--out data] [--seed 7]

Standard library only; the same seed gives the same bytes. The shapes are chosen so
every command has something to show: every tier and segment occupied, refunds, free
service jobs, failed jobs, repeat visits within 30 days, late and open complaints,
Chinese and English names, a 29 February birthday, customers who must not be called.
"""

import argparse
import csv
import datetime as dt
import os
import random

AS_OF = dt.date(2026, 11, 22)
START = AS_OF - dt.timedelta(days=3 * 365)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
ENGLISH = ["Emily Chen", "James Wong", "Grace Liu", "Kevin Zhao", "Sophie Lin", "David Ho",
           "Linda Xu", "Michael Tan", "Anna Guo", "Jason Ma", "Cindy Hu", "Eric Sun"]
OWNERS = [("陈静", "上海新天地店"), ("王磊", "上海新天地店"), ("李娜", "北京国贸店"),
          ("Zhang Wei", "北京国贸店"), ("刘洋", "深圳万象城店")]
KINDS = ["sale"] * 62 + ["install"] * 13 + ["repair"] * 9 + ["maintenance"] * 9 + \
    ["return_repair"] * 4 + ["return_exchange"] * 3


def day(rng, start=START, end=AS_OF):
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="data")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--customers", type=int, default=320)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)

    customers = []
    for i in range(1, a.customers + 1):
        cid = f"C{i:04d}"
        name = rng.choice(ENGLISH) if rng.random() < 0.12 else \
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        owner, store = rng.choice(OWNERS)
        birthday = "" if rng.random() < 0.25 else \
            dt.date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        anniversary = day(rng, dt.date(2005, 1, 1), AS_OF - dt.timedelta(days=400)).isoformat() \
            if rng.random() < 0.4 else ""
        phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}" \
            if rng.random() < 0.92 else ""
        customers.append({
            "customer_id": cid, "name": name, "phone": phone, "birthday": birthday,
            "anniversary": anniversary, "joined_on": day(rng, dt.date(2018, 1, 1), AS_OF).isoformat(),
            "owner": owner, "store": store,
            "contact_ok": "false" if rng.random() < 0.05 else "true",
        })
    customers[6]["birthday"] = "1984-02-29"
    customers[7]["name"] = "Smith, John"
    # every customer has a weight: a few big spenders, many occasional ones, some never buy
    weights = [0.0 if rng.random() < 0.04 else rng.lognormvariate(0, 1.1) for _ in customers]
    big = rng.sample(range(len(customers)), 14)
    # big spenders who stopped buying over two years ago: the "retain" segment
    dormant = set(rng.sample([i for i in range(len(customers)) if i not in big], 6))

    orders = []
    n = 0
    for idx, c in enumerate(customers):
        count = 0 if weights[idx] == 0 else 1 + int(weights[idx] * 5)
        if idx in big:
            count += rng.randint(8, 20)
        first = day(rng)
        last = AS_OF
        if idx in dormant:
            count += 6
            first, last = START, START + dt.timedelta(days=300)
        for _ in range(count):
            kind = rng.choice(KINDS)
            date = day(rng, first, last)
            if kind == "sale":
                amount = round(rng.lognormvariate(9.4, 0.9) * (5 if idx in big or idx in dormant else 1), 2)
                amount = min(amount, 880000.0)
                if rng.random() < 0.5:
                    amount = float(int(amount))
                profit = "" if rng.random() < 0.08 else f"{amount * rng.uniform(-0.05, 0.45):.2f}"
                outcome = rng.choice(["pass"] * 9 + ["fail"]) if rng.random() < 0.3 else ""
            else:
                amount = 0.0 if rng.random() < 0.5 else round(rng.uniform(80, 3000), 2)
                profit = ""
                outcome = rng.choice(["pass"] * 18 + ["fail"] * 2 + [""])
            referred = rng.choice(customers)["customer_id"] if kind == "sale" and rng.random() < 0.05 else ""
            n += 1
            orders.append([date, f"O{n:05d}", c["customer_id"], kind, f"{amount:.2f}", profit, outcome, referred])
            if kind in ("install", "repair") and rng.random() < 0.12:
                # a repeat visit for the same job within a month: a first-time fix that failed
                again = date + dt.timedelta(days=rng.randint(3, 40))
                if again <= AS_OF:
                    n += 1
                    orders.append([again, f"O{n:05d}", c["customer_id"], kind, "0.00", "", "pass", ""])
        if count and rng.random() < 0.07:
            # a refund of part of an earlier purchase
            sales = [o for o in orders if o[2] == c["customer_id"] and o[3] == "sale"]
            if sales:
                s = rng.choice(sales)
                when = min(s[0] + dt.timedelta(days=rng.randint(1, 20)), AS_OF)
                n += 1
                orders.append([when, f"O{n:05d}", c["customer_id"], "sale",
                               f"{-round(float(s[4]) * rng.choice([0.1, 0.5, 1.0]), 2):.2f}", "", "", ""])
    orders.sort(key=lambda o: (o[0], o[1]))
    # number the orders by date, as a till would, and point the complaints at the new ids
    renumber = {o[1]: f"O{i:05d}" for i, o in enumerate(orders, start=1)}
    for o in orders:
        o[1] = renumber[o[1]]

    complaints = []
    service = [o for o in orders if o[3] != "sale" or rng.random() < 0.2]
    for k, o in enumerate(rng.sample(service, min(len(service), 90)), start=1):
        opened = dt.datetime.combine(o[0] + dt.timedelta(days=rng.randint(0, 10)), dt.time(rng.randint(8, 21), rng.choice([0, 15, 30, 45])))
        if opened.date() > AS_OF:
            opened = dt.datetime.combine(AS_OF, dt.time(9, 30))
        category = {"install": "install", "repair": "repair", "maintenance": "maintenance",
                    "return_repair": "repair", "return_exchange": "quality"}.get(o[3], rng.choice(["quality", "service", "other"]))
        responded = opened + dt.timedelta(hours=rng.choice([1, 2, 3, 5, 20, 30, 50]))
        closed = responded + dt.timedelta(hours=rng.choice([2, 10, 20, 48, 100]))
        recent = (AS_OF - opened.date()).days < 25
        if recent and rng.random() < 0.5:
            closed = None
            if rng.random() < 0.4:
                responded = None
        as_of_end = dt.datetime.combine(AS_OF, dt.time(23, 59))
        fmt = lambda t: "" if t is None or t > as_of_end else t.strftime("%Y-%m-%d %H:%M")
        complaints.append([f"K{k:04d}", o[2], o[1] if rng.random() < 0.85 else "", category,
                           fmt(opened), fmt(responded), fmt(closed),
                           "major" if rng.random() < 0.1 else "normal"])
    complaints.sort(key=lambda c: c[4])

    def write(name, header, rows):
        with open(os.path.join(a.out, name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    write("customers.csv", list(customers[0].keys()), [list(c.values()) for c in customers])
    write("orders.csv", ["order_id", "customer_id", "date", "kind", "amount", "profit", "outcome", "referred_by"],
          [[o[1], o[2], o[0].isoformat(), *o[3:]] for o in orders])
    write("complaints.csv", ["complaint_id", "customer_id", "order_id", "category", "opened_at",
                             "responded_at", "closed_at", "severity"], complaints)
    print(f"{len(customers)} customers, {len(orders)} orders, {len(complaints)} complaints -> {a.out}/")


if __name__ == "__main__":
    main()
