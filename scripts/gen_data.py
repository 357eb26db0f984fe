#!/usr/bin/env python3
"""A deterministic generated data set for the SQL checks (standard library only).

    python3 scripts/gen_data.py --customers 10000 --orders 100000 --out DIR [--as-of 2026-11-22]

The shapes follow the shared benchmark generator (bench/gen.py, which needs numpy and
polars): ~2 % of customers without orders, orders per customer from capped log-normal
weights, dates uniform over the 1095 days ending on the as-of date, kinds sale 70 %,
install 10 %, repair 8 %, maintenance 7 %, return_repair 3 %, return_exchange 2 %,
log-normal sale amounts (half of them whole yuan), half of the service rows free,
profit a margin of the amount (empty on 8 % of sales and most service rows), outcomes
on service rows, referrals on ~4 % of sales, complaints 5 % as many as orders with
log-normal response times, 24 owners in 11 stores. On top of those, for the rules the
SQL must get right: ~1 % of sales are refunds (negative amounts), ~0.5 % are 0.00, and
some orders fall on month ends and on 29 February. The same arguments give the same
files (Python's random.Random, seeded).
"""

import argparse
import csv
import datetime as dt
import math
import os
import random

KINDS = ["sale", "install", "repair", "maintenance", "return_repair", "return_exchange"]
KIND_W = [70, 10, 8, 7, 3, 2]
CATEGORIES = ["install", "repair", "quality", "maintenance", "service", "other"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁雪琳晨欣怡梓涵子轩博雅思佳嘉一诺雨泽"
ENGLISH = ["Emily", "James", "Grace", "Kevin", "Sophie", "David", "Linda", "Michael", "Anna", "Jason"]
PINYIN = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"]
OWNERS = [
    ("陈静", "上海新天地店"), ("王磊", "上海新天地店"), ("Sophie Zhang", "上海新天地店"),
    ("李娜", "北京三里屯店"), ("张伟", "北京三里屯店"), ("Kevin Liu", "北京三里屯店"),
    ("刘洋", "深圳福田店"), ("黄敏", "深圳福田店"), ("赵强", "杭州西湖店"),
    ("Grace Wu", "杭州西湖店"), ("周杰", "成都太古里店"), ("吴芳", "成都太古里店"),
    ("徐涛", "广州天河店"), ("孙丽", "广州天河店"), ("马超", "南京德基店"),
    ("朱艳", "南京德基店"), ("胡军", "苏州中心店"), ("郭娟", "武汉光谷店"),
    ("何明", "西安曲江店"), ("高霞", "重庆解放碑店"), ("Eric Lin", "Online"),
    ("林平", "Online"), ("罗建国", "上海新天地店"), ("郑雪", "北京三里屯店"),
]


def money(cents):
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    a = abs(cents)
    return f"{sign}{a // 100}.{a % 100:02d}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("--orders", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--as-of", default="2026-11-22")
    ap.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    as_of = dt.date.fromisoformat(a.as_of)
    n_cust, n_ord = a.customers, a.orders
    os.makedirs(a.out, exist_ok=True)
    width = max(7, len(str(n_cust)))
    cid = lambda i: f"C{i + 1:0{width}d}"  # noqa: E731

    # orders per customer: one each for those with orders, the rest by capped log-normal weights
    with_orders = [i for i in range(n_cust) if rng.random() >= 0.02][: max(n_ord, 0)] or [0]
    weights = [min(math.exp(1.6 * rng.gauss(0, 1)), 150.0) for _ in with_orders]
    counts = [0] * n_cust
    for i in with_orders:
        counts[i] = 1
    for i in rng.choices(with_orders, weights=weights, k=max(n_ord - len(with_orders), 0)):
        counts[i] += 1

    orders = []
    month_ends = [d for d in (as_of - dt.timedelta(days=k) for k in range(1095))
                  if (d + dt.timedelta(days=1)).day == 1 or (d.month == 2 and d.day == 29)]
    for c in range(n_cust):
        for _ in range(counts[c]):
            kind = rng.choices(KINDS, weights=KIND_W)[0]
            date = rng.choice(month_ends) if rng.random() < 0.03 else as_of - dt.timedelta(days=rng.randrange(1095))
            outcome = ""
            profit = None
            if kind == "sale":
                amount = round(min(max(math.exp(math.log(12000) + 1.05 * rng.gauss(0, 1)), 199), 5e6) * 100)
                if rng.random() < 0.5:
                    amount = amount // 100 * 100
                margin = rng.uniform(0.15, 0.55) if rng.random() >= 0.03 else rng.uniform(-0.2, 0)
                profit = None if rng.random() < 0.08 else round(amount * margin)
                r = rng.random()
                if r < 0.01:  # a refund
                    amount, profit = -amount, (None if profit is None else -profit)
                elif r < 0.015:  # a free sale
                    amount, profit = 0, 0
                outcome = rng.choices(["pass", "fail", ""], weights=[25, 5, 970])[0]
            else:
                amount = 0 if rng.random() < 0.5 else round(math.exp(math.log(300) + 0.8 * rng.gauss(0, 1)) * 100)
                if rng.random() >= 0.6:
                    profit = amount * 3 // 10 if amount > 0 else -rng.randrange(5000, 50000)
                outcome = rng.choices(["pass", "fail", ""], weights=[90, 8, 2])[0]
            referred = ""
            if kind == "sale" and n_cust > 1 and rng.random() < 0.04:
                r = rng.randrange(n_cust - 1)
                referred = cid(r + (r >= c))
            orders.append((date, rng.random(), c, kind, amount, profit, outcome, referred))
    orders.sort(key=lambda o: (o[0], o[1]))
    ow = max(8, len(str(n_ord)))

    with open(os.path.join(a.out, "customers.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "name", "phone", "birthday", "anniversary", "joined_on", "owner", "store", "contact_ok"])
        for c in range(n_cust):
            r = rng.random()
            if r < 0.65:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            elif r < 0.8:
                name = f"{rng.choice(ENGLISH)} {rng.choice(PINYIN)}"
            else:
                name = f"{rng.choice(PINYIN)} {rng.choice(ENGLISH)}"
            owner, store = OWNERS[min(int(len(OWNERS) * rng.random() ** 1.6), len(OWNERS) - 1)]
            if rng.random() < 0.01:
                owner, store = "", ""  # unassigned: the scorecard's "(none)"
            phone = "" if rng.random() < 0.03 else f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            birthday = "" if rng.random() < 0.25 else (dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(19358))).isoformat()
            joined = (as_of - dt.timedelta(days=rng.randrange(5 * 365))).isoformat()
            w.writerow([cid(c), name, phone, birthday, "", joined, owner, store, "true" if rng.random() >= 0.05 else "false"])

    with open(os.path.join(a.out, "orders.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["order_id", "customer_id", "date", "kind", "amount", "profit", "outcome", "referred_by"])
        for i, (date, _, c, kind, amount, profit, outcome, referred) in enumerate(orders):
            w.writerow([f"O{i + 1:0{ow}d}", cid(c), date.isoformat(), kind, money(amount), money(profit), outcome, referred])

    n_comp = round(0.05 * n_ord)
    end = dt.datetime.combine(as_of, dt.time(23, 59))
    complaints = []
    for _ in range(n_comp):
        if orders and rng.random() < 0.85:
            o = rng.randrange(len(orders))
            c, oid = orders[o][2], f"O{o + 1:0{ow}d}"
            day = min(orders[o][0] + dt.timedelta(days=rng.randrange(61)), as_of)
        else:
            c, oid = rng.randrange(n_cust), ""
            day = as_of - dt.timedelta(days=rng.randrange(1095))
        opened = min(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=rng.randrange(8 * 60, 22 * 60)), end)
        responded = opened + dt.timedelta(minutes=max(round(math.exp(math.log(180) + 1.3 * rng.gauss(0, 1))), 1))
        closed = responded + dt.timedelta(minutes=rng.randrange(60, 30 * 1440))
        no_answer = rng.random() < 0.04 or responded > end
        not_closed = no_answer or rng.random() < 0.10 or closed > end
        complaints.append((opened, cid(c), oid, rng.choice(CATEGORIES),
                           None if no_answer else responded, None if not_closed else closed,
                           "major" if rng.random() < 0.08 else "normal"))
    complaints.sort(key=lambda k: k[0])
    fmt = lambda t: "" if t is None else t.strftime("%Y-%m-%d %H:%M")  # noqa: E731
    with open(os.path.join(a.out, "complaints.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["complaint_id", "customer_id", "order_id", "category", "opened_at", "responded_at", "closed_at", "severity"])
        for i, (opened, c, oid, cat, resp, clo, sev) in enumerate(complaints):
            w.writerow([f"K{i + 1:07d}", c, oid, cat, fmt(opened), fmt(resp), fmt(clo), sev])


if __name__ == "__main__":
    main()
