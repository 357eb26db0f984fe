#!/usr/bin/env python3
"""Writes small legacy workbooks whose cells span far more than they hold
(tests/fixtures/bounds/), for tests/bounds.rs: calamine reads `.xls` and `.ods` whole
into a dense grid, and `.xlsb` did too, so a few KB asked for billions of cells.

- far.ods: a header at A1:B1 and one cell at XFD6000 (98 million cells as a grid, just
  under the 100 million calamine refuses itself: 5 GB of its cells);
- repeated.ods: one cell repeated over every row and column (a 2 KB "full" sheet);
- past.ods: a cell at XFE1, past the last column a sheet can have;
- far.xls: a header and one cell at IV65536, the last cell of an .xls sheet (a grid of
  16.7 million cells for three);
- past.xls: the same with that cell moved to CRXP65536 (column 65,536, which the
  format's 16-bit field can name, and no .xls sheet holds);
- declared.xls: a header and a name, whose Dimensions record declares rows 1 to 65,536
  of 257 columns (calamine reserves the grid it declares: 16.8 million cells);
- upside.xls: the same, its Dimensions record upside down (rows 6 to 3);
- numbers.xls: a customer with ten numbers in a row (one MulRk record: a run of cells
  in one record), a sheet as Excel writes it, to be read;
- far.xlsb: a header and one cell at XFD1048576;
- past.xlsb: a header and a cell at XFE1.

The .ods and .xlsb parts are written by hand (they are zip files of XML and of binary
records); the .xls with xlwt (`pip install xlwt`), then patched. The fixtures are
committed, the tool is not needed to run the tests.
"""
import pathlib
import struct
import zipfile

import xlwt

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "bounds"

ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
ODS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="客户">
"""
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>\n"


def text_cell(text, repeat=1):
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def empty_cells(n):
    return f'<table:table-cell table:number-columns-repeated="{n}"/>'


HEADER_ROW = f"<table:table-row>{text_cell('customer_id')}{text_cell('name')}</table:table-row>\n"


def write_ods(path, rows):
    with zipfile.ZipFile(path, "w") as z:
        # The mimetype first and stored, as the format asks.
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", ODS_HEAD + rows + ODS_TAIL, compress_type=zipfile.ZIP_DEFLATED)


def write_odss():
    far = (
        HEADER_ROW
        + '<table:table-row table:number-rows-repeated="5998">'
        + empty_cells(2)
        + "</table:table-row>\n"
        + f"<table:table-row>{empty_cells(16383)}{text_cell('far')}</table:table-row>\n"
    )
    write_ods(OUT / "far.ods", far)
    repeated = (
        HEADER_ROW
        + '<table:table-row table:number-rows-repeated="1048575">'
        + text_cell("x", 16384)
        + "</table:table-row>\n"
    )
    write_ods(OUT / "repeated.ods", repeated)
    past = HEADER_ROW + f"<table:table-row>{empty_cells(16384)}{text_cell('past')}</table:table-row>\n"
    write_ods(OUT / "past.ods", past)


def write_xlss():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    sheet.write(0, 0, "customer_id")
    sheet.write(0, 1, "name")
    # A number no RK record holds, so that its record (Number, 0x0203) is easy to find.
    sheet.write(65535, 255, 3.141592653589793)
    far = OUT / "far.xls"
    book.save(str(far))
    data = bytearray(far.read_bytes())
    # Number record: type 0x0203, length 14, row 65535, column 255.
    record = struct.pack("<HHHH", 0x0203, 14, 65535, 255)
    at = data.find(record)
    assert at > 0 and data.find(record, at + 1) < 0, "one Number record at IV65536"
    data[at + 6 : at + 8] = struct.pack("<H", 65535)
    (OUT / "past.xls").write_bytes(bytes(data))


def write_dimension_xlss():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    sheet.write(0, 0, "customer_id")
    sheet.write(0, 1, "name")
    sheet.write(1, 0, "C1")
    sheet.write(1, 1, "Ann")
    small = OUT / "declared.xls"
    book.save(str(small))
    data = bytearray(small.read_bytes())
    # BIFF8 Dimensions: type 0x0200, length 14: first row, last row + 1 (u32 each), first
    # column, last column + 1, reserved (u16 each). xlwt writes rows 0..2, columns 0..2.
    record = struct.pack("<HHIIHHH", 0x0200, 14, 0, 2, 0, 2, 0)
    at = data.find(record)
    assert at > 0 and data.find(record, at + 1) < 0, "one Dimensions record"
    for name, (first, end, end_col) in [("declared.xls", (0, 65536, 257)), ("upside.xls", (5, 3, 2))]:
        patched = bytearray(data)
        patched[at + 4 : at + 18] = struct.pack("<IIHHH", first, end, 0, end_col, 0)
        (OUT / name).write_bytes(bytes(patched))
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    for col, head in enumerate(["customer_id", "name"] + [f"n{i}" for i in range(10)]):
        sheet.write(0, col, head)
    sheet.write(1, 0, "C1")
    sheet.write(1, 1, "Ann")
    for i in range(10):
        sheet.write(1, 2 + i, i + 1)
    numbers = OUT / "numbers.xls"
    book.save(str(numbers))
    data = numbers.read_bytes()
    # MulRk: type 0x00BD, length 6 + 6 per cell: row 1, first column 2.
    assert data.find(struct.pack("<HHHH", 0x00BD, 66, 1, 2)) > 0, "one MulRk record"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def record(typ, body=b""):
    head = bytes([typ]) if typ < 0x80 else bytes([(typ & 0x7F) | 0x80, typ >> 7])
    return head + varint(len(body)) + body


def wide(text):
    units = text.encode("utf-16-le")
    return struct.pack("<I", len(units) // 2) + units


def write_xlsb(path, cells):
    """cells: (row, col, text), in row order."""
    workbook = (
        record(0x0083)  # BrtBeginBook
        + record(0x008F)  # BrtBeginBundleShs
        + record(0x009C, struct.pack("<II", 0, 1) + wide("rId1") + wide("客户"))  # BrtBundleSh
        + record(0x0090)  # BrtEndBundleShs
        + record(0x0084)  # BrtEndBook
    )
    last_row = max(r for r, _, _ in cells)
    last_col = max(c for _, c, _ in cells)
    sheet = record(0x0081) + record(0x0094, struct.pack("<IIII", 0, last_row, 0, last_col))
    sheet += record(0x0091)  # BrtBeginSheetData
    row = None
    for r, c, text in cells:
        if r != row:
            sheet += record(0x0000, struct.pack("<IIHHBBB", r, 0, 0, 0, 0, 0, 0))  # BrtRowHdr
            row = r
        sheet += record(0x0006, struct.pack("<II", c, 0) + wide(text))  # BrtCellSt
    sheet += record(0x0092) + record(0x0082)  # BrtEndSheetData, BrtEndSheet
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.bin", workbook)
        z.writestr("xl/_rels/workbook.bin.rels", rels)
        z.writestr("xl/worksheets/sheet1.bin", sheet)


def write_xlsbs():
    header = [(0, 0, "customer_id"), (0, 1, "name")]
    write_xlsb(OUT / "far.xlsb", header + [(1048575, 16383, "far")])
    write_xlsb(OUT / "past.xlsb", header + [(1, 16384, "past")])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write_odss()
    write_xlss()
    write_dimension_xlss()
    write_xlsbs()
    for p in sorted(OUT.iterdir()):
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size} bytes")
