#!/usr/bin/env python3
"""Writes the sample's customers as an Excel 97-2003 workbook and its orders as an
OpenDocument spreadsheet (tests/fixtures/legacy/), typed the way an office saves them:
text as text, amounts as numbers, dates as dates. tests/legacy.rs checks that caredesk
reads them to the same answer as data/*.csv.

Needs xlwt and odfpy (`pip install xlwt odfpy`); the fixtures are committed, the tools not.
"""
import csv
import datetime
import pathlib

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "legacy"
DATES = {"birthday", "anniversary", "joined_on", "date"}
NUMBERS = {"amount", "profit"}


def rows(name):
    with open(ROOT / "data" / name, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def typed(header, value):
    if value == "":
        return None
    if header in DATES:
        return datetime.date.fromisoformat(value)
    if header in NUMBERS:
        return float(value)
    return value


def write_xls(path, table):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    header = table[0]
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            v = value if r == 0 else typed(header[c], value)
            if v is None:
                continue
            if isinstance(v, datetime.date):
                sheet.write(r, c, v, date_style)
            else:
                sheet.write(r, c, v)
    book.save(str(path))


def write_ods(path, table):
    doc = OpenDocumentSpreadsheet()
    sheet = Table(name="订单")
    header = table[0]
    for r, row in enumerate(table):
        tr = TableRow()
        for c, value in enumerate(row):
            v = value if r == 0 else typed(header[c], value)
            if v is None:
                tr.addElement(TableCell())
            elif isinstance(v, datetime.date):
                cell = TableCell(valuetype="date", datevalue=v.isoformat())
                cell.addElement(P(text=v.isoformat()))
                tr.addElement(cell)
            elif isinstance(v, float):
                cell = TableCell(valuetype="float", value=repr(v))
                cell.addElement(P(text=value))
                tr.addElement(cell)
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=v))
                tr.addElement(cell)
        sheet.addElement(tr)
    doc.spreadsheet.addElement(sheet)
    doc.save(str(path))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write_xls(OUT / "customers.xls", rows("customers.csv"))
    write_ods(OUT / "orders.ods", rows("orders.csv"))
