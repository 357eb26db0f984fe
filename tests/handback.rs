//! Files handed back and forth with a spreadsheet, at their limits: hostile workbooks as
//! inputs, tables that do not fit a sheet, ids that look like formulas, duplicate rows
//! in overrides and previous tiers, and where phone numbers are shown.

use std::path::Path;
use std::time::Duration;

mod common;

use calamine::{open_workbook_auto, Data, Reader};
use common::caredesk;
use predicates::prelude::*;

fn desk(customers: &str, orders: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("customers.csv"), customers).unwrap();
    std::fs::write(dir.path().join("orders.csv"), orders).unwrap();
    dir
}

fn tiers(d: &Path) -> assert_cmd::Command {
    let mut cmd = caredesk();
    cmd.arg("tiers")
        .arg("--data")
        .arg(d)
        .args(["--as-of", "2026-11-22"])
        .timeout(Duration::from_secs(30));
    cmd
}

/// A workbook with `cells` (row, column, text) on its one sheet.
fn workbook(path: &Path, cells: &[(u32, u16, &str)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, c, text) in cells {
        sheet.write_string(*r, *c, *text).unwrap();
    }
    book.save(path).unwrap();
}

const CUSTOMERS: &str = "customer_id,name,phone\nC1,Ann,13812345678\nC2,Bo,\n";
const ORDERS: &str = "order_id,customer_id,date,amount\nO1,C1,2026-01-05,10.00\n";

#[test]
fn a_workbook_is_as_large_as_its_cells_not_its_corner() {
    let dir = desk(CUSTOMERS, ORDERS);
    let d = dir.path();
    // one cell, at the sheet's last row and column: 17 billion cells as a range
    workbook(&d.join("corner.xlsx"), &[(1_048_575, 16_383, "x")]);
    assert!(std::fs::metadata(d.join("corner.xlsx")).unwrap().len() < 10_000);
    for flag in ["--customers", "--overrides"] {
        tiers(d)
            .arg(flag)
            .arg(d.join("corner.xlsx"))
            .assert()
            .code(1)
            .stderr(predicate::str::contains("corner.xlsx:1:"))
            .stderr(predicate::str::contains("customer_id"));
    }
    // a pin, and a stray cell a million rows down: read in a moment
    workbook(
        &d.join("pins.xlsx"),
        &[
            (0, 0, "customer_id"),
            (0, 1, "tier"),
            (1, 0, "C2"),
            (1, 1, "Diamond"),
            (999_999, 3, "stray"),
        ],
    );
    let started = std::time::Instant::now();
    let out = tiers(d)
        .args(["--format", "csv", "--overrides"])
        .arg(d.join("pins.xlsx"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("\nC2,Bo,Diamond,"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_table_that_does_not_fit_a_sheet_fails_before_the_work_naming_the_row() {
    let long = "x".repeat(32_768);
    let dir = desk(&format!("customer_id,name\nC1,Ann\nC2,{long}\n"), ORDERS);
    let d = dir.path();
    tiers(d)
        .arg("--output")
        .arg(d.join("t.xlsx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "xlsx: row 3 (C2), column name: 32768 characters do not fit a cell (at most 32767)",
        ));
    assert!(!d.join("t.xlsx").exists());
    tiers(d).args(["--format", "csv"]).assert().success();
}

/// Ids that a spreadsheet would run as formulas read back as themselves: csv keeps the
/// guarding `'` and caredesk strips it on reading its own export; xlsx needs no guard.
#[test]
fn formula_like_ids_round_trip_through_csv_and_xlsx() {
    let dir = desk(
        "customer_id,name\n+C1,Ann\n-C2,Bo\n@C3,Cy\n=C4,Di\n",
        "order_id,customer_id,date,amount\nO1,+C1,2026-01-05,10.00\n",
    );
    let d = dir.path();
    tiers(d)
        .args(["--format", "csv", "--output"])
        .arg(d.join("last.csv"))
        .assert()
        .success();
    let csv = std::fs::read_to_string(d.join("last.csv")).unwrap();
    assert!(csv.contains("\n'+C1,"), "csv keeps the guard: {csv}");
    tiers(d)
        .arg("--output")
        .arg(d.join("last.xlsx"))
        .assert()
        .success();
    let mut book = open_workbook_auto(d.join("last.xlsx")).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert!(
        sheet.rows().any(|r| r[0] == Data::String("+C1".into())),
        "xlsx holds the id as it is"
    );
    for previous in ["last.csv", "last.xlsx"] {
        let out = tiers(d)
            .args(["--format", "csv", "--previous"])
            .arg(d.join(previous))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(",gone\n"), "{previous}: {text}");
        assert!(!text.contains(",new\n"), "{previous}: {text}");
    }
    // an edited export as overrides: the pinned id is found
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header = r.headers().unwrap().clone();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let mut rec: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        if rec[0] == "'-C2" {
            let n = rec.len();
            rec[n - 2] = "Diamond".into();
            rec[n - 1] = "'=board".into();
        }
        w.write_record(&rec).unwrap();
    }
    std::fs::write(d.join("pins.csv"), w.into_inner().unwrap()).unwrap();
    let out = tiers(d)
        .args(["--format", "csv", "--overrides"])
        .arg(d.join("pins.csv"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\n'-C2,Bo,Diamond,"), "{text}");
    assert!(text.contains(",Diamond,'=board\n"), "{text}");
}

#[test]
fn duplicate_rows_in_overrides_and_previous_are_reported_with_both_lines() {
    let dir = desk(CUSTOMERS, ORDERS);
    let d = dir.path();
    std::fs::write(
        d.join("pins.csv"),
        "customer_id,tier,reason\nC1,Diamond,a\nC2,VIP,b\nC1,Platinum,c\n",
    )
    .unwrap();
    tiers(d)
        .arg("--overrides")
        .arg(d.join("pins.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "pins.csv:4: customer_id: \"C1\": duplicate customer id; first pinned on line 2",
        ));
    std::fs::write(
        d.join("last.csv"),
        "customer_id,name,tier\nC1,Ann,VIP\nC2,Bo,VIP\nC2,Bo,Diamond\n",
    )
    .unwrap();
    tiers(d)
        .arg("--previous")
        .arg(d.join("last.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "last.csv:4: customer_id: \"C2\": duplicate customer id; first on line 3",
        ));
}

/// `--show-phone` is for the exports a team works from: csv, json and xlsx. The views
/// for people (table, md) always mask. The help says so.
#[test]
fn phones_show_in_exports_when_asked_and_the_help_says_which() {
    caredesk()
        .args(["due", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Keep phone numbers in csv, json and xlsx",
        ));
    let dir = desk(
        "customer_id,name,phone,birthday\nC1,Ann,13812345678,1990-11-22\n",
        ORDERS,
    );
    let d = dir.path();
    for (show, expected) in [(true, "13812345678"), (false, "138****5678")] {
        let out = d.join(format!("due-{show}.xlsx"));
        let mut cmd = caredesk();
        cmd.args(["due", "--date", "2026-11-22", "--data"])
            .arg(d)
            .arg("--output")
            .arg(&out);
        if show {
            cmd.arg("--show-phone");
        }
        cmd.assert().success();
        let mut book = open_workbook_auto(&out).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let phones: Vec<String> = sheet.rows().skip(1).map(|r| r[7].to_string()).collect();
        assert_eq!(phones, [expected], "show_phone {show}");
    }
}
