#!/usr/bin/env python3
"""Writes the sample (data/) as a Chinese office exports it, for `caredesk init`'s test
(tests/fixtures/chinese/): Chinese headers in another order than the contract's, dates as
YYYY/MM/DD, 是/否 for booleans; 会员资料.csv in GB18030 (Excel's "CSV" on Chinese
Windows), 销售明细.csv in UTF-8 with a BOM, 投诉记录.txt in UTF-16 ("Unicode text", but
comma-separated). Standard library only; deterministic.
"""
import csv
import io
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "chinese"

CUSTOMERS = [("会员卡号", "customer_id"), ("客户姓名", "name"), ("专属顾问", "owner"),
             ("手机号", "phone"), ("出生日期", "birthday"), ("结婚纪念日", "anniversary"),
             ("入会日期", "joined_on"), ("所属门店", "store"), ("是否可联系", "contact_ok"),
             ("备注", None)]
ORDERS = [("单据编号", "order_id"), ("销售日期", "date"), ("会员卡号", "customer_id"),
          ("实收金额(元)", "amount"), ("毛利", "profit"), ("业务类型", "kind"),
          ("验收结果", "outcome"), ("推荐人", "referred_by"), ("收银员", None)]
COMPLAINTS = [("投诉编号", "complaint_id"), ("会员卡号", "customer_id"), ("订单号", "order_id"),
              ("投诉类别", "category"), ("受理时间", "opened_at"), ("响应时间", "responded_at"),
              ("结案时间", "closed_at"), ("严重程度", "severity")]
DATES = {"birthday", "anniversary", "joined_on", "date"}


def read(name):
    with open(ROOT / "data" / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cell(column, row):
    if column is None:
        return ""
    v = row[column]
    if column in DATES and v:
        return v.replace("-", "/")
    if column == "contact_ok" and v:
        return "是" if v == "true" else "否"
    return v


def text(layout, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([h for h, _ in layout])
    for row in rows:
        w.writerow([cell(c, row) for _, c in layout])
    return out.getvalue()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "会员资料.csv").write_bytes(text(CUSTOMERS, read("customers.csv")).encode("gb18030"))
    (OUT / "销售明细.csv").write_bytes(text(ORDERS, read("orders.csv")).encode("utf-8-sig"))
    (OUT / "投诉记录.txt").write_bytes(text(COMPLAINTS, read("complaints.csv")).encode("utf-16"))
