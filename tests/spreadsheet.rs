//! The analyst's month: export, edit in a spreadsheet, read back; see who moved.

use std::path::Path;

mod common;

use calamine::{open_workbook_auto, Data, Reader};
use common::caredesk;
use predicates::prelude::*;

/// Customers with a leading-zero id and a formula for a name; a few orders.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,contact_ok\n\
         007,王伟,13812345678,TRUE\n\
         C2,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",,否\n\
         C3,Ann Lee,,true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount,profit\n\
         O1,007,2026-01-05,sale,1000.00,100.00\n\
         O2,C2,2026-02-01,sale,600000.00,1.00\n\
         O3,C3,2026-03-01,sale,10.00,\n\
         O4,C3,2026-03-02,sale,-15.00,\n",
    )
    .unwrap();
    dir
}

fn run(d: &Path, args: &[&str]) -> String {
    let out = caredesk()
        .args(args)
        .arg("--data")
        .arg(d)
        .args(["--as-of", "2026-11-22"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn rows(text: &str) -> Vec<csv::StringRecord> {
    let mut r =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records().map(|r| r.unwrap()).collect()
}

fn find<'a>(rows: &'a [csv::StringRecord], id: &str) -> &'a csv::StringRecord {
    rows.iter()
        .find(|r| &r[0] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn csv_export_edited_in_a_spreadsheet_pins_tiers() {
    let dir = desk();
    let d = dir.path();
    let export = d.join("tiers.csv");
    caredesk()
        .args([
            "tiers",
            "--as-of",
            "2026-11-22",
            "--bom",
            "--crlf",
            "--data",
        ])
        .arg(d)
        .arg("--output")
        .arg(&export)
        .assert()
        .success();
    let bytes = std::fs::read(&export).unwrap();
    assert!(
        bytes.starts_with("\u{feff}customer_id,".as_bytes()),
        "BOM for Excel"
    );
    assert!(String::from_utf8_lossy(&bytes).contains("\r\n"), "CRLF");

    // What a spreadsheet does on save: BOM and CRLF kept, dates rewritten, a tier pinned.
    let text = String::from_utf8(bytes).unwrap();
    let mut reader =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut edited = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    edited.write_record(&header).unwrap();
    for r in reader.records() {
        let mut r: Vec<String> = r.unwrap().iter().map(str::to_string).collect();
        for c in ["first_sale", "last_sale", "last_visit"] {
            r[at(c)] = r[at(c)].replace('-', "/");
        }
        if r[0] == "007" {
            r[at("override_tier")] = "Diamond".into();
            r[at("override_reason")] = "board member".into();
        }
        edited.write_record(&r).unwrap();
    }
    std::fs::write(d.join("edited.csv"), edited.into_inner().unwrap()).unwrap();

    let out = run(
        d,
        &[
            "tiers",
            "--format",
            "csv",
            "--overrides",
            d.join("edited.csv").to_str().unwrap(),
        ],
    );
    let rows = rows(&out);
    let r = find(&rows, "007");
    assert_eq!(
        (&r[2], &r[3], &r[20], &r[21]),
        ("Diamond", "Member", "Diamond", "board member")
    );
    assert_eq!(
        &find(&rows, "C3")[2],
        "Member",
        "rows without an override keep their computed tier"
    );
}

#[test]
fn xlsx_export_is_typed_and_an_edited_workbook_pins_tiers() {
    let dir = desk();
    let d = dir.path();
    let export = d.join("tiers.xlsx");
    caredesk()
        .args(["tiers", "--as-of", "2026-11-22", "--data"])
        .arg(d)
        .arg("--output")
        .arg(&export)
        .assert()
        .success();

    let mut book = open_workbook_auto(&export).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = sheet
        .rows()
        .find(|r| r[0] == Data::String("007".into()))
        .expect("007 stored as text");
    assert!(
        matches!(row[at("spend")], Data::Float(f) if (f - 1000.0).abs() < 1e-9),
        "money is a number"
    );
    assert!(
        matches!(row[at("last_sale")], Data::DateTime(_)),
        "dates are dates: {:?}",
        row[at("last_sale")]
    );
    let c2 = sheet
        .rows()
        .find(|r| r[0] == Data::String("C2".into()))
        .unwrap();
    assert!(
        matches!(&c2[1], Data::String(s) if s.starts_with("=HYPERLINK")),
        "a formula-like name is a text cell, as written (no `'`): {:?}",
        c2[1]
    );
    let formulas = book.worksheet_formula("caredesk").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    let c3 = sheet
        .rows()
        .find(|r| r[0] == Data::String("C3".into()))
        .unwrap();
    assert!(
        matches!(c3[at("spend")], Data::Float(f) if (f + 5.0).abs() < 1e-9),
        "a negative amount stays a number"
    );

    // A workbook saved by a spreadsheet: the override sheet with a real date cell.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Pins").unwrap();
    for (c, h) in ["customer_id", "tier", "reason", "expires"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "007").unwrap();
    ws.write_string(1, 1, "Platinum").unwrap();
    ws.write_string(1, 2, "VIP event").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_date_with_format(
        1,
        3,
        rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 1, 31).unwrap(),
        &date,
    )
    .unwrap();
    ws.write_string(2, 0, "C3").unwrap();
    ws.write_string(2, 1, "VIP").unwrap();
    ws.write_string(2, 2, "expired deal").unwrap();
    ws.write_date_with_format(
        2,
        3,
        rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 10, 31).unwrap(),
        &date,
    )
    .unwrap();
    wb.save(d.join("pins.xlsx")).unwrap();

    let assert = caredesk()
        .args([
            "tiers",
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
            "--data",
        ])
        .arg(d)
        .arg("--overrides")
        .arg(format!("{}#Pins", d.join("pins.xlsx").display()))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "expired overrides ignored: C3 (line 3, expired 2026-10-31)",
        ));
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let rows = rows(&out);
    assert_eq!(&find(&rows, "007")[2], "Platinum");
    assert_eq!(&find(&rows, "C3")[2], "Member");
}

#[test]
fn an_id_007_survives_csv_to_xlsx_to_csv() {
    let dir = desk();
    let d = dir.path();
    caredesk()
        .args(["tiers", "--as-of", "2026-11-22", "--data"])
        .arg(d)
        .arg("--output")
        .arg(d.join("t.xlsx"))
        .assert()
        .success();
    // the workbook read back as the customer list
    let out = caredesk()
        .args([
            "tiers",
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
            "--orders",
        ])
        .arg(d.join("orders.csv"))
        .arg("--customers")
        .arg(d.join("t.xlsx"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.lines().any(|l| l.starts_with("007,王伟,Member")),
        "{out}"
    );
}

#[test]
fn formula_like_text_is_inert_in_csv() {
    let dir = desk();
    let out = run(dir.path(), &["tiers", "--format", "csv"]);
    assert!(
        out.contains("C2,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{out}"
    );
    assert!(
        out.contains(",-5.00,"),
        "negative amounts stay numbers: {out}"
    );
}

#[test]
fn inputs_as_a_spreadsheet_saves_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("customers.csv"), "\u{feff}customer_id,name,birthday,contact_ok,,\r\nC1,\"Lee, Ann\",1980/02/29,TRUE,,\r\nC2,王伟,1975-06-01 00:00:00,否,,\r\n,,,,,\r\n").unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "\u{feff}order_id,customer_id,date,kind,amount,profit,,\r\n\
         O1,C1,2026/11/01,sale,\"¥1,234.50\",\"¥100.00\",,\r\n\
         O2,C2,2026-11-02 00:00:00,sale,\"1,000,000.00\",,,\r\n\
         ,,,,,,,\r\n",
    )
    .unwrap();
    let out = run(d, &["tiers", "--format", "csv"]);
    let rows = rows(&out);
    assert_eq!(
        (&find(&rows, "C1")[7], &find(&rows, "C2")[2]),
        ("1234.50", "Diamond")
    );
    // an ambiguous date is an error naming its row
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,amount\nO1,C1,03/04/2026,1.00\n",
    )
    .unwrap();
    caredesk()
        .args(["check", "--data"])
        .arg(d)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "orders.csv:2: date: \"03/04/2026\": ambiguous date",
        ));
}

#[test]
fn movement_since_last_month_and_the_matrix() {
    let dir = desk();
    let d = dir.path();
    // last month: 007 was Platinum, C3 Member, C9 has left since; C2 is new
    std::fs::write(
        d.join("october.csv"),
        "customer_id,name,tier\n007,王伟,Platinum\nC3,Ann Lee,Member\nC9,Gone Guy,VIP\n",
    )
    .unwrap();
    let prev = d.join("october.csv");
    let out = run(
        d,
        &[
            "tiers",
            "--format",
            "csv",
            "--previous",
            prev.to_str().unwrap(),
        ],
    );
    let rows = rows(&out);
    let last = |id: &str| {
        let r = find(&rows, id);
        (r[r.len() - 2].to_string(), r[r.len() - 1].to_string())
    };
    assert_eq!(last("007"), ("Platinum".into(), "down".into()));
    assert_eq!(last("C2"), ("".into(), "new".into()));
    assert_eq!(last("C3"), ("Member".into(), "same".into()));
    assert_eq!(last("C9"), ("VIP".into(), "gone".into()));
    let matrix = run(
        d,
        &[
            "tiers",
            "--summary",
            "--format",
            "csv",
            "--previous",
            prev.to_str().unwrap(),
        ],
    );
    assert!(
        matrix.starts_with("from,to_Diamond,to_Platinum,to_VIP,to_D,to_Member,gone,total\n"),
        "{matrix}"
    );
    assert!(matrix.contains("\nPlatinum,0,0,0,0,1,0,1\n"), "{matrix}");
    assert!(matrix.contains("\nVIP,0,0,0,0,0,1,1\n"), "{matrix}");
    assert!(matrix.contains("\nnew,0,1,0,0,0,0,1\n"), "{matrix}");
}

#[test]
fn bad_overrides_name_their_rows_and_md_renders() {
    let dir = desk();
    let d = dir.path();
    std::fs::write(
        d.join("ov.csv"),
        "customer_id,tier,reason\n007,Gold,x\nC77,VIP,y\n",
    )
    .unwrap();
    caredesk()
        .args(["tiers", "--as-of", "2026-11-22", "--data"])
        .arg(d)
        .arg("--overrides")
        .arg(d.join("ov.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "ov.csv:2: tier: \"Gold\": unknown tier",
        ))
        .stderr(predicate::str::contains(
            "ov.csv:3: customer_id: \"C77\": no such customer",
        ));
    let md = run(d, &["tiers", "--summary", "--format", "md"]);
    assert!(md.starts_with("| tier | customers |"), "{md}");
}

/// The exported workbook itself, re-saved as a spreadsheet would with an override typed
/// into its override columns, pins the tier.
#[test]
fn the_exported_workbook_edited_and_resaved_pins_tiers() {
    let dir = desk();
    let d = dir.path();
    let export = d.join("tiers.xlsx");
    caredesk()
        .args(["tiers", "--as-of", "2026-11-22", "--data"])
        .arg(d)
        .arg("--output")
        .arg(&export)
        .assert()
        .success();

    let mut book = open_workbook_auto(&export).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap() as u16;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/mm/dd");
    for (r, row) in sheet.rows().enumerate() {
        let r = r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Data::String(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                Data::Float(f) => {
                    ws.write_number(r, c, *f).unwrap();
                }
                Data::Int(i) => {
                    ws.write_number(r, c, *i as f64).unwrap();
                }
                Data::Bool(b) => {
                    ws.write_boolean(r, c, *b).unwrap();
                }
                Data::DateTime(t) => {
                    ws.write_number_with_format(r, c, t.as_f64(), &date)
                        .unwrap();
                }
                _ => {}
            }
        }
        if row[0] == Data::String("C3".into()) {
            ws.write_string(r, at("override_tier"), "VIP").unwrap();
            ws.write_string(r, at("override_reason"), "long-standing client")
                .unwrap();
        }
    }
    let edited = d.join("tiers-edited.xlsx");
    wb.save(&edited).unwrap();

    let out = run(
        d,
        &[
            "tiers",
            "--format",
            "csv",
            "--overrides",
            edited.to_str().unwrap(),
        ],
    );
    let rows = rows(&out);
    let r = find(&rows, "C3");
    assert_eq!(
        (&r[2], &r[3], &r[20], &r[21]),
        ("VIP", "Member", "VIP", "long-standing client")
    );
    assert_eq!(
        &find(&rows, "007")[2],
        "Member",
        "rows left alone keep their tier"
    );
}

/// Complaints saved from a spreadsheet: `opened_at` and `responded_at` are real
/// date-time cells. Their times of day are read, not only their dates: an answer
/// before the opening on the same day is refused, and an open complaint's age
/// counts from its hour; a complaint opened at midnight is read, not refused for
/// want of a time.
#[test]
fn a_workbooks_date_time_cells_keep_their_time_of_day() {
    use rust_xlsxwriter::ExcelDateTime;
    let dir = desk();
    let d = dir.path();
    let at = |day: u8, hour: u16, min: u8| {
        ExcelDateTime::from_ymd(2026, 11, day)
            .unwrap()
            .and_hms(hour, min, 0)
            .unwrap()
    };
    let write = |name: &str, opened: ExcelDateTime, responded: Option<ExcelDateTime>| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let header = ["complaint_id", "customer_id", "order_id", "category"];
        for (c, h) in header
            .iter()
            .chain(&["opened_at", "responded_at"])
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["K1", "007", "O1", "service"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        let stamp = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
        ws.write_datetime_with_format(1, 4, opened, &stamp).unwrap();
        if let Some(t) = responded {
            ws.write_datetime_with_format(1, 5, t, &stamp).unwrap();
        }
        let path = d.join(name);
        wb.save(&path).unwrap();
        path
    };

    let early = write("early.xlsx", at(21, 18, 30), Some(at(21, 9, 15)));
    caredesk()
        .args(["check", "--as-of", "2026-11-22", "--data"])
        .arg(d)
        .arg("--complaints")
        .arg(&early)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "early.xlsx:2: responded_at: \"2026-11-21 09:15\": \
             answered before it was opened (2026-11-21 18:30)",
        ));

    // A cell at midnight is a date-time too: opened at 00:00, answered at 09:15.
    let midnight = write("midnight.xlsx", at(22, 0, 0), Some(at(22, 9, 15)));
    let listed = |path: &Path| {
        let path = path.to_str().unwrap();
        rows(&run(
            d,
            &["complaints", "--format", "csv", "--complaints", path],
        ))
    };
    assert_eq!(&find(&listed(&midnight), "K1")[9], "2026-11-22 09:15");

    let open = listed(&write("open.xlsx", at(21, 18, 30), None));
    let k1 = find(&open, "K1");
    assert_eq!(&k1[6], "2026-11-21 18:30");
    // --as-of 2026-11-22 is the end of that day, 2026-11-23 00:00: 29 whole hours on.
    assert_eq!(&k1[7], "29");
}
