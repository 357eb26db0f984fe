//! Phones on the call list, in every format, with and without `--show-phone`: the views
//! for people (table, md) always mask them; the exports (csv, json, xlsx) mask them
//! unless asked. Whatever is masked, the other columns print as they are. And the flag
//! markers of the table view: an overdue call is marked, a due one is not.
//! The customer card too: its `--show-phone` shows the phone in every format.

mod common;

use std::path::Path;

use calamine::{open_workbook_auto, Reader};
use common::caredesk;

/// Two customers with phones spelled two ways; on 30 Nov 2026 one call is due and three
/// are overdue.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,birthday,owner,contact_ok\n\
         C1,Ann,13812345678,,陈静,true\n\
         C2,王伟,139-0000-1111,1980-02-29,王磊,true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,C1,2026-08-31,sale,1000000.00\n\
         O2,C2,2026-11-20,install,0.00\n",
    )
    .unwrap();
    std::fs::write(
        d.join("complaints.csv"),
        "complaint_id,customer_id,category,opened_at,responded_at,closed_at\n\
         K1,C2,install,2026-11-01 09:00,,\n",
    )
    .unwrap();
    dir
}

/// `due` on 30 Nov 2026 in `format`; stdout.
fn due(dir: &Path, format: &str, show_phone: bool, extra: &[&str]) -> Vec<u8> {
    let mut cmd = caredesk();
    cmd.args(["due", "--date", "2026-11-30", "--format", format, "--data"])
        .arg(dir)
        .args(extra);
    if show_phone {
        cmd.arg("--show-phone");
    }
    cmd.assert().success().get_output().stdout.clone()
}

const WHOLE: [&str; 2] = ["13812345678", "139-0000-1111"];
const MASKED: [&str; 2] = ["138****5678", "139****1111"];

fn assert_masked(text: &str, what: &str) {
    for (whole, masked) in WHOLE.iter().zip(MASKED) {
        assert!(
            !text.contains(whole),
            "{what}: {whole} printed whole:\n{text}"
        );
        assert!(text.contains(masked), "{what}: {masked} missing:\n{text}");
    }
    assert!(
        !text.contains("0000-1111") && !text.contains("12345678"),
        "{what}:\n{text}"
    );
}

fn assert_whole(text: &str, what: &str) {
    for (whole, masked) in WHOLE.iter().zip(MASKED) {
        assert!(text.contains(whole), "{what}: {whole} missing:\n{text}");
        assert!(!text.contains(masked), "{what}: {masked} masked:\n{text}");
    }
}

/// Ids, names and owners are never taken for phones.
fn assert_others_kept(text: &str, what: &str) {
    for kept in [
        "C1",
        "C2",
        "Ann",
        "王伟",
        "陈静",
        "王磊",
        "O1",
        "K1",
        "callback-3m",
    ] {
        assert!(text.contains(kept), "{what}: {kept} missing:\n{text}");
    }
}

#[test]
fn the_table_and_md_views_mask_phones_even_when_asked() {
    let dir = desk();
    for format in ["table", "md"] {
        for show in [false, true] {
            for color in ["never", "always"] {
                let out = due(dir.path(), format, show, &["--color", color]);
                let text = String::from_utf8(out).unwrap();
                let what = format!("{format} --show-phone {show} --color {color}");
                assert_masked(&text, &what);
                assert_others_kept(&text, &what);
            }
        }
    }
}

#[test]
fn csv_masks_phones_unless_asked() {
    let dir = desk();
    let masked = String::from_utf8(due(dir.path(), "csv", false, &[])).unwrap();
    assert_masked(&masked, "csv");
    assert_others_kept(&masked, "csv");
    assert!(
        masked.contains(",Ann,Diamond,陈静,138****5678,callback-3m,O1,phone,\n"),
        "{masked}"
    );
    let shown = String::from_utf8(due(dir.path(), "csv", true, &[])).unwrap();
    assert_whole(&shown, "csv --show-phone");
    assert_others_kept(&shown, "csv --show-phone");
    assert!(
        shown.contains(",Ann,Diamond,陈静,13812345678,callback-3m,O1,phone,\n"),
        "{shown}"
    );
}

#[test]
fn json_masks_phones_unless_asked_and_keeps_every_other_field() {
    let dir = desk();
    for (show, phones) in [(false, MASKED), (true, WHOLE)] {
        let out = due(dir.path(), "json", show, &[]);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 4, "{v}");
        for row in rows {
            let phone = if row["customer_id"] == "C1" {
                phones[0]
            } else {
                phones[1]
            };
            assert_eq!(row["phone"], phone, "--show-phone {show}: {row}");
        }
        let last = &rows[3];
        assert_eq!(last["name"], "Ann");
        assert_eq!(last["owner"], "陈静");
        assert_eq!(last["rule"], "callback-3m");
        assert_eq!(last["source_id"], "O1");
        assert_eq!(last["due_date"], "2026-11-30");
        assert_eq!(last["days_overdue"], serde_json::Value::Null);
        assert_eq!(rows[0]["name"], "王伟");
        assert_eq!(rows[0]["days_overdue"], 28);
    }
}

#[test]
fn xlsx_masks_phones_unless_asked() {
    let dir = desk();
    let d = dir.path();
    for (show, phones) in [(false, MASKED), (true, WHOLE)] {
        let out = d.join(format!("due-{show}.xlsx"));
        let mut cmd = caredesk();
        cmd.args(["due", "--date", "2026-11-30", "--data"])
            .arg(d)
            .arg("--output")
            .arg(&out);
        if show {
            cmd.arg("--show-phone");
        }
        cmd.assert().success();
        let mut book = open_workbook_auto(&out).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<(String, String, String)> = sheet
            .rows()
            .skip(1)
            .map(|r| (r[3].to_string(), r[4].to_string(), r[7].to_string()))
            .collect();
        assert_eq!(
            rows,
            [
                ("C2".into(), "王伟".into(), phones[1].into()),
                ("C2".into(), "王伟".into(), phones[1].into()),
                ("C2".into(), "王伟".into(), phones[1].into()),
                ("C1".into(), "Ann".into(), phones[0].into()),
            ],
            "--show-phone {show}"
        );
    }
}

/// The table view marks an overdue call (and colours it red with colour on); a call due
/// today is not marked.
#[test]
fn the_table_marks_overdue_calls_only() {
    let dir = desk();
    for color in ["never", "always"] {
        let text = String::from_utf8(due(dir.path(), "table", false, &["--color", color])).unwrap();
        let marked = text.lines().filter(|l| l.contains("✗ overdue")).count();
        assert_eq!(marked, 3, "--color {color}:\n{text}");
        let due_line = text.lines().find(|l| l.contains("callback-3m")).unwrap();
        assert!(!due_line.contains('✗'), "--color {color}: {due_line}");
        assert!(due_line.contains(" due "), "--color {color}: {due_line}");
        assert!(!text.contains("✗ 2026") && !text.contains("✗ C"), "{text}");
        if color == "always" {
            assert!(text.contains("\u{1b}["), "colour asked for:\n{text}");
        } else {
            assert!(!text.contains("\u{1b}["), "no colour asked for:\n{text}");
        }
    }
    // Exports carry no markers.
    let csv = String::from_utf8(due(dir.path(), "csv", false, &[])).unwrap();
    assert!(!csv.contains('✗'), "{csv}");
}

/// The customer card masks its phone in every format it has unless `--show-phone`, which
/// (for one customer asked for by name) shows it in every format.
#[test]
fn the_customer_card_masks_its_phone_unless_asked() {
    let dir = desk();
    for format in ["table", "md", "json"] {
        for (show, phone, other) in [
            (false, "138****5678", "13812345678"),
            (true, "13812345678", "138****5678"),
        ] {
            let mut cmd = caredesk();
            cmd.args([
                "customer",
                "C1",
                "--as-of",
                "2026-11-30",
                "--format",
                format,
            ])
            .args(["--color", "never", "--data"])
            .arg(dir.path());
            if show {
                cmd.arg("--show-phone");
            }
            let out = cmd.assert().success().get_output().stdout.clone();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains(phone), "{format} {show}:\n{text}");
            assert!(!text.contains(other), "{format} {show}:\n{text}");
            assert!(text.contains("Ann"), "{format} {show}:\n{text}");
        }
    }
}
