//! `caredesk due --split-by owner|store --output-dir DIR`: every list of the morning in
//! one run, each file what `due --owner X` (`--store X`) writes, byte for byte.

use std::collections::BTreeSet;
use std::path::Path;

mod common;

use common::caredesk;
use predicates::prelude::*;

const DAY: &str = "2026-11-22";

/// Owners with a space (and the same one in other case with spaces around), a slash,
/// Chinese, one called like caredesk's own file for the ownerless, one with nothing
/// due (王磊: no orders, no dates), and two customers without an owner.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,birthday,owner,store,contact_ok\n\
         C1,Ann,13812345678,,Zhang Wei,北京 三里屯,true\n\
         C2,Bo,13900001111,1980-11-22,zhang wei ,北京 三里屯,true\n\
         C3,陈红,13700000000,,陈静,上海/徐汇,true\n\
         C4,Dee,13600000000,,A/B 组,上海/徐汇,true\n\
         C5,Eve,13500000000,,,成都,true\n\
         C6,Fay,13400000000,1990-11-21,,,true\n\
         C7,Gus,13300000000,,王磊,成都,true\n\
         C8,Hal,13200000000,,_no_owner,成都,true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,C1,2026-11-19,sale,1000000.00\n\
         O2,C2,2026-11-20,install,0.00\n\
         O3,C3,2026-11-19,sale,10.00\n\
         O4,C4,2026-08-22,sale,20.00\n\
         O5,C5,2026-11-19,sale,30.00\n\
         O6,C8,2026-11-18,sale,40.00\n",
    )
    .unwrap();
    dir
}

fn split(data: &Path, out: &Path, args: &[&str]) -> String {
    let run = caredesk()
        .args(["due", "--date", DAY, "--data"])
        .arg(data)
        .arg("--output-dir")
        .arg(out)
        .args(args)
        .assert()
        .success();
    String::from_utf8(run.get_output().stdout.clone()).unwrap()
}

fn due(data: &Path, args: &[&str]) -> Vec<u8> {
    caredesk()
        .args(["due", "--date", DAY, "--data"])
        .arg(data)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

fn rows(csv: &[u8]) -> usize {
    csv::Reader::from_reader(csv).records().count()
}

#[test]
fn each_owner_file_is_what_due_owner_writes_byte_for_byte() {
    let desk = desk();
    let out = desk.path().join("lists");
    let said = split(desk.path(), &out, &["--split-by", "owner"]);
    let want: BTreeSet<String> = [
        "Zhang Wei.csv",
        "陈静.csv",
        "A%2FB 组.csv",
        "王磊.csv",
        "%5Fno_owner.csv",
        "_no_owner.csv",
    ]
    .map(String::from)
    .into();
    assert_eq!(files(&out), want);
    // Every spelling of an owner picks the same file: the first spelling names it.
    for (owner, file) in [
        ("Zhang Wei", "Zhang Wei.csv"),
        ("zhang wei", "Zhang Wei.csv"),
        ("陈静", "陈静.csv"),
        ("A/B 组", "A%2FB 组.csv"),
        ("王磊", "王磊.csv"),
        ("_no_owner", "%5Fno_owner.csv"),
    ] {
        let alone = due(desk.path(), &["--owner", owner, "--format", "csv"]);
        let written = std::fs::read(out.join(file)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&alone),
            "--owner {owner:?} against {file}"
        );
    }
    // Nothing is lost: the files hold the whole list, the ownerless in _no_owner.csv.
    let whole = due(desk.path(), &["--format", "csv"]);
    let total: usize = files(&out)
        .iter()
        .map(|f| rows(&std::fs::read(out.join(f)).unwrap()))
        .sum();
    assert_eq!(total, rows(&whole));
    let ownerless = std::fs::read_to_string(out.join("_no_owner.csv")).unwrap();
    assert!(
        ownerless.contains(",C5,") && ownerless.contains(",C6,"),
        "{ownerless}"
    );
    assert_eq!(rows(ownerless.as_bytes()), 2, "{ownerless}");
    assert!(said.contains("6 files in"), "{said}");
    assert!(said.contains("nothing due for 王磊"), "{said}");
}

#[test]
fn an_owner_with_nothing_due_gets_a_file_without_rows_unless_quiet_empty() {
    let desk = desk();
    let out = desk.path().join("lists");
    split(desk.path(), &out, &["--split-by", "owner"]);
    let header = "due_date,status,days_overdue,customer_id,name,tier,owner,phone,rule,source_id,channel,attempts\n";
    assert_eq!(
        std::fs::read_to_string(out.join("王磊.csv")).unwrap(),
        header
    );
    let quiet = desk.path().join("quiet");
    split(
        desk.path(),
        &quiet,
        &["--split-by", "owner", "--quiet-empty"],
    );
    assert!(!files(&quiet).contains("王磊.csv"));
    assert!(files(&quiet).contains("陈静.csv"));
    // Nothing due at all, quietly: no file, no line.
    let nothing = desk.path().join("nothing");
    let said = caredesk()
        .args([
            "due",
            "--date",
            "2020-01-01",
            "--quiet-empty",
            "--split-by",
            "owner",
        ])
        .arg("--data")
        .arg(desk.path())
        .arg("--output-dir")
        .arg(&nothing)
        .assert()
        .success();
    assert!(said.get_output().stdout.is_empty());
    assert!(files(&nothing).is_empty());
}

#[test]
fn twelve_owners_with_nothing_due_are_named_and_thirteen_are_counted() {
    // Owners O01..O13 with no birthday, order or complaint: nothing due for any of them.
    for (n, said) in [
        (12, "nothing due for O01, O02"),
        (13, "nothing due for 13 owners"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut customers = String::from("customer_id,name,phone,owner,contact_ok\n");
        for i in 1..=n {
            customers.push_str(&format!("C{i},N{i},1380000{i:04},O{i:02},true\n"));
        }
        std::fs::write(dir.path().join("customers.csv"), customers).unwrap();
        std::fs::write(
            dir.path().join("orders.csv"),
            "order_id,customer_id,date,kind,amount\n",
        )
        .unwrap();
        let line = split(
            dir.path(),
            &dir.path().join("lists"),
            &["--split-by", "owner"],
        );
        assert!(line.contains(said), "{n}: {line}");
        assert_eq!(line.contains("O12"), n == 12, "{line}");
    }
}

#[test]
fn by_store_and_in_every_format_as_due_store_writes() {
    let desk = desk();
    let out = desk.path().join("stores");
    split(
        desk.path(),
        &out,
        &["--split-by", "store", "--format", "json"],
    );
    let want: BTreeSet<String> = [
        "北京 三里屯.json",
        "上海%2F徐汇.json",
        "成都.json",
        "_no_store.json",
    ]
    .map(String::from)
    .into();
    assert_eq!(files(&out), want);
    for (store, file) in [
        ("北京 三里屯", "北京 三里屯.json"),
        ("上海/徐汇", "上海%2F徐汇.json"),
        ("成都", "成都.json"),
    ] {
        let alone = due(desk.path(), &["--store", store, "--format", "json"]);
        assert_eq!(std::fs::read(out.join(file)).unwrap(), alone, "{store}");
    }
    for (format, ext) in [("md", "md"), ("table", "txt")] {
        let dir = desk.path().join(format);
        split(
            desk.path(),
            &dir,
            &["--split-by", "owner", "--format", format],
        );
        let alone = due(desk.path(), &["--owner", "陈静", "--format", format]);
        assert_eq!(
            std::fs::read(dir.join(format!("陈静.{ext}"))).unwrap(),
            alone,
            "{format}"
        );
    }
    // --owner with --split-by store: that owner's customers, by store.
    let one = desk.path().join("one");
    split(
        desk.path(),
        &one,
        &["--split-by", "store", "--owner", "陈静"],
    );
    assert_eq!(files(&one), BTreeSet::from(["上海%2F徐汇.csv".to_string()]));
}

#[test]
fn a_file_for_a_folder_or_a_split_without_a_folder_is_a_usage_error() {
    let desk = desk();
    let file = desk.path().join("customers.csv");
    caredesk()
        .args(["due", "--split-by", "owner", "--data"])
        .arg(desk.path())
        .arg("--output-dir")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file"));
    caredesk()
        .args(["due", "--split-by", "owner", "--data"])
        .arg(desk.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output-dir"));
    caredesk()
        .args([
            "due",
            "--split-by",
            "owner",
            "--output",
            "x.csv",
            "--output-dir",
            "d",
        ])
        .assert()
        .code(2);
}

#[test]
fn an_owner_named_like_an_input_never_writes_over_it() {
    let desk = desk();
    let customers = desk.path().join("customers.csv");
    let before = std::fs::read_to_string(&customers).unwrap();
    std::fs::write(&customers, before.replace("陈静", "customers")).unwrap();
    let before = std::fs::read(&customers).unwrap();
    caredesk()
        .args(["due", "--date", DAY, "--split-by", "owner", "--data"])
        .arg(desk.path())
        .arg("--output-dir")
        .arg(desk.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("input"));
    assert_eq!(std::fs::read(&customers).unwrap(), before);
    // Refused before any file is written.
    assert!(!desk.path().join("王磊.csv").exists());
}

#[test]
fn csv_options_apply_to_every_file() {
    let desk = desk();
    let out = desk.path().join("gbk");
    let opts = ["--output-encoding", "gb18030", "--crlf"];
    split(
        desk.path(),
        &out,
        &[&["--split-by", "owner"][..], &opts].concat(),
    );
    let alone = due(
        desk.path(),
        &[&["--owner", "陈静", "--format", "csv"][..], &opts].concat(),
    );
    let written = std::fs::read(out.join("陈静.csv")).unwrap();
    assert_eq!(written, alone);
    assert!(std::str::from_utf8(&written).is_err(), "GB18030, not UTF-8");
}

#[test]
fn an_owner_named_as_a_windows_device_gets_a_file_windows_can_open() {
    // `NUL.csv` and `con.csv` are devices on Windows: a list mailed or synced there would
    // vanish. Their first letter is escaped.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,owner,contact_ok\n\
         C1,Ann,13812345678,NUL,true\n\
         C2,Bo,13900001111,con,true\n\
         C3,Cy,13700000000,Connie,true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,C1,2026-11-19,sale,10.00\n\
         O2,C2,2026-11-19,sale,10.00\n\
         O3,C3,2026-11-19,sale,10.00\n",
    )
    .unwrap();
    std::fs::write(
        d.join("complaints.csv"),
        "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity\n",
    )
    .unwrap();
    let out = d.join("lists");
    split(d, &out, &["--split-by", "owner"]);
    let want: BTreeSet<String> = ["%4EUL.csv", "%63on.csv", "Connie.csv"]
        .map(String::from)
        .into();
    assert_eq!(files(&out), want);
}
