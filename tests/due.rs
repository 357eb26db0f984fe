//! `caredesk due`, `log` and `complaints` from the outside.

use std::path::Path;

mod common;

use common::caredesk;
use predicates::prelude::*;

/// A small desk: a Diamond who bought on 31 Aug, a leapling, a do-not-call customer, an
/// open complaint three weeks old.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,birthday,owner,contact_ok\n\
         C1,Ann,13812345678,,陈静,true\n\
         C2,王伟,139-0000-1111,1980-02-29,王磊,true\n\
         C3,Quiet,13700000000,1980-02-28,王磊,false\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,C1,2026-08-31,sale,1000000.00\n\
         O2,C2,2026-11-20,install,0.00\n\
         O3,C3,2026-11-25,sale,10.00\n",
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

fn list(dir: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let out = caredesk()
        .args(["due", "--format", "csv", "--data"])
        .arg(dir)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut r = csv::Reader::from_reader(out.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>().join(","),
        "due_date,status,days_overdue,customer_id,name,tier,owner,phone,rule,source_id,channel,attempts"
    );
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn short(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .map(|r| format!("{} {} {} {} {}", r[0], r[1], r[3], r[8], r[9]))
        .collect()
}

#[test]
fn callback_on_a_clamped_month_end_overdue_first_then_tier() {
    let dir = desk();
    // 31 Aug + 3 months = 30 Nov
    let rows = list(dir.path(), &["--date", "2026-11-30"]);
    assert_eq!(
        short(&rows),
        [
            "2026-11-02 overdue C2 complaint-resolve K1",
            "2026-11-02 overdue C2 complaint-response K1",
            "2026-11-27 overdue C2 survey O2",
            "2026-11-30 due C1 callback-3m O1",
        ]
    );
    assert_eq!(
        rows[0][2], "28",
        "an open complaint stays overdue past the grace"
    );
    assert_eq!(rows[3][5], "Diamond");
    assert_eq!(
        rows[3][7], "138****5678",
        "phones masked unless --show-phone"
    );
    let shown = list(dir.path(), &["--date", "2026-11-30", "--show-phone"]);
    assert_eq!(shown[3][7], "13812345678");
}

#[test]
fn birthdays_on_29_february_fall_on_28_february_and_do_not_contact_is_respected() {
    let dir = desk();
    let rows = list(dir.path(), &["--date", "2027-02-28", "--rule", "birthday"]);
    assert_eq!(short(&rows), ["2027-02-28 due C2 birthday 2027-02-28"]);
    let rows = list(dir.path(), &["--date", "2028-02-28", "--rule", "birthday"]);
    assert!(
        rows.is_empty(),
        "in a leap year the birthday is on the 29th: {rows:?}"
    );
}

#[test]
fn survey_window_and_upcoming() {
    let dir = desk();
    // install on 20 Nov: window 23–27 Nov
    let rows = list(dir.path(), &["--date", "2026-11-22", "--rule", "survey"]);
    assert!(rows.is_empty());
    let rows = list(
        dir.path(),
        &["--date", "2026-11-22", "--rule", "survey", "--within", "1"],
    );
    assert_eq!(short(&rows), ["2026-11-27 upcoming C2 survey O2"]);
    let rows = list(dir.path(), &["--date", "2026-11-23", "--rule", "survey"]);
    assert_eq!(short(&rows), ["2026-11-27 due C2 survey O2"]);
    // the last day of grace: 27 Nov + 14 = 11 Dec
    let rows = list(dir.path(), &["--date", "2026-12-11", "--rule", "survey"]);
    assert_eq!(short(&rows), ["2026-11-27 overdue C2 survey O2"]);
    let rows = list(dir.path(), &["--date", "2026-12-12", "--rule", "survey"]);
    assert!(rows.is_empty());
}

#[test]
fn lunar_holidays_go_to_tiers_above_the_bottom() {
    let dir = desk();
    // Mid-Autumn 2027 is 15 Sep; C1 is Diamond, C2 a Member
    let rows = list(dir.path(), &["--date", "2027-09-15", "--rule", "holiday"]);
    assert_eq!(short(&rows), ["2027-09-15 due C1 holiday 2027-09-15"]);
    assert_eq!(rows[0][10], "sms");
}

#[test]
fn a_logged_item_leaves_the_list_and_log_appends_safely() {
    let dir = desk();
    let d = dir.path();
    caredesk()
        .args([
            "log",
            "C1",
            "callback-3m",
            "O1",
            "--on",
            "2026-11-30",
            "--by",
            "陈静",
            "--note",
            "ok, \"happy\"",
            "--data",
        ])
        .arg(d)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "logged C1 callback-3m O1 done 2026-11-30 by 陈静",
        ));
    let rows = list(d, &["--date", "2026-11-30"]);
    assert!(
        !short(&rows).iter().any(|r| r.contains("callback-3m")),
        "{rows:?}"
    );
    // complaint items leave too
    caredesk()
        .args([
            "log",
            "C2",
            "complaint-response",
            "K1",
            "--on",
            "2026-11-02",
            "--data",
        ])
        .arg(d)
        .assert()
        .success();
    let rows = list(d, &["--date", "2026-11-30"]);
    assert_eq!(
        short(&rows),
        [
            "2026-11-02 overdue C2 complaint-resolve K1",
            "2026-11-27 overdue C2 survey O2"
        ]
    );
    // unknown customer and rule are refused, nothing written
    let before = std::fs::read_to_string(d.join("contacts.csv")).unwrap();
    caredesk()
        .args(["log", "C9", "survey", "O2", "--data"])
        .arg(d)
        .assert()
        .code(2);
    caredesk()
        .args(["log", "C2", "surveys", "O2", "--data"])
        .arg(d)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule"));
    assert_eq!(
        std::fs::read_to_string(d.join("contacts.csv")).unwrap(),
        before
    );
    assert!(before.starts_with("customer_id,rule,source_id,done_on,by,result,note\n"));
    assert!(before.contains("\"ok, \"\"happy\"\"\""));
    caredesk()
        .args(["check", "--as-of", "2026-11-30", "--data"])
        .arg(d)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 contacts logged"));
}

#[test]
fn many_logs_at_once_all_land_whole() {
    let dir = desk();
    let d = dir.path().to_path_buf();
    let children: Vec<_> = (0..12)
        .map(|i| {
            common::caredesk_std()
                .args([
                    "log",
                    "C1",
                    "callback-3m",
                    "O1",
                    "--on",
                    "2026-11-30",
                    "--note",
                    &format!("call {i}"),
                    "--data",
                ])
                .arg(&d)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(d.join("contacts.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13, "one header and twelve rows:\n{text}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("customer_id"))
            .count(),
        1
    );
    caredesk()
        .args(["check", "--as-of", "2026-11-30", "--data"])
        .arg(&d)
        .assert()
        .success();
}

#[test]
fn log_keeps_a_hand_edited_file_as_it_is() {
    let dir = desk();
    let d = dir.path();
    // edited in a spreadsheet: other column order, an extra column, no final newline
    std::fs::write(
        d.join("contacts.csv"),
        "rule,customer_id,source_id,done_on,by,note,extra\nsurvey,C2,O2,2026-11-24,王磊,,x",
    )
    .unwrap();
    caredesk()
        .args([
            "log",
            "C1",
            "callback-3m",
            "O1",
            "--on",
            "2026-11-30",
            "--data",
        ])
        .arg(d)
        .assert()
        .success();
    let text = std::fs::read_to_string(d.join("contacts.csv")).unwrap();
    assert_eq!(text, "rule,customer_id,source_id,done_on,by,note,extra\nsurvey,C2,O2,2026-11-24,王磊,,x\ncallback-3m,C1,O1,2026-11-30,,,\n");
    // bad rows in the log are reported by check with their line
    std::fs::write(
        d.join("contacts.csv"),
        "customer_id,rule,source_id,done_on\nC1,callbak,O1,2026-11-30\nC9,survey,O2,03/11/2026\n",
    )
    .unwrap();
    caredesk()
        .args(["check", "--data"])
        .arg(d)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "contacts.csv:2: rule: \"callbak\": unknown rule",
        ))
        .stdout(predicate::str::contains(
            "contacts.csv:3: customer_id: \"C9\"",
        ))
        .stdout(predicate::str::contains(
            "contacts.csv:3: done_on: \"03/11/2026\": ambiguous date",
        ));
}

#[test]
fn nothing_due_says_so_in_one_line_or_nothing_at_all() {
    let dir = desk();
    let d = dir.path();
    caredesk()
        .args(["due", "--date", "2026-06-01", "--format", "table", "--data"])
        .arg(d)
        .assert()
        .success()
        .stdout("nothing due on 2026-06-01\n");
    caredesk()
        .args(["due", "--date", "2026-06-01", "--quiet-empty", "--data"])
        .arg(d)
        .assert()
        .success()
        .stdout("");
    caredesk()
        .args(["due", "--rule", "nope", "--data"])
        .arg(d)
        .assert()
        .code(2);
}

#[test]
fn owner_filter() {
    let dir = desk();
    let rows = list(dir.path(), &["--date", "2026-11-30", "--owner", "陈静"]);
    assert_eq!(short(&rows), ["2026-11-30 due C1 callback-3m O1"]);
}

#[test]
fn complaints_open_and_weekly() {
    let dir = desk();
    let d = dir.path();
    let out = caredesk()
        .args([
            "complaints",
            "--as-of",
            "2026-11-21",
            "--format",
            "csv",
            "--data",
        ])
        .arg(d)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("complaint_id,customer_id,name,owner,category,severity,opened_at,age_hours,respond_by,responded_at,response_breached,resolve_by,resolution_breached\n"));
    // a past day is read at its end: 20 days and 15 hours old
    assert!(text.contains("K1,C2,王伟,王磊,install,normal,2026-11-01 09:00,495,2026-11-02 09:00,,true,2026-11-02 09:00,true\n"), "{text}");
    caredesk()
        .args([
            "complaints",
            "--weekly",
            "--as-of",
            "2026-11-05",
            "--format",
            "csv",
            "--data",
        ])
        .arg(d)
        .assert()
        .success()
        .stdout(predicate::str::contains("install,1,1,1,1,0\n"))
        .stdout(predicate::str::contains("total,1,1,1,1,0\n"));
}

#[test]
fn the_sample_list_runs_and_every_row_names_a_known_rule() {
    let rows = list(
        Path::new("data"),
        &["--date", "2026-11-22", "--within", "7"],
    );
    assert!(!rows.is_empty());
    let statuses: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    let mut sorted = statuses.clone();
    sorted.sort_by_key(|s| ["overdue", "due", "upcoming"].iter().position(|x| x == s));
    assert_eq!(statuses, sorted, "overdue first, then due, then upcoming");
}

#[test]
fn overrides_change_the_tier_on_the_list() {
    let dir = desk();
    let d = dir.path();
    std::fs::write(
        d.join("pins.csv"),
        "customer_id,tier,reason\nC2,Platinum,installer's friend\n",
    )
    .unwrap();
    let rows = list(
        d,
        &[
            "--date",
            "2026-11-30",
            "--rule",
            "survey",
            "--overrides",
            d.join("pins.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(rows[0][5], "Platinum");
}

/// `--owner`, `--store` and `--rule` compute only what they list (the fold passes over
/// the other customers' rows and the other rules): each list must be the whole list
/// cut, row for row, in its order. Also what `--split-by` cuts (tests/split.rs).
#[test]
fn filtered_lists_compute_less_and_are_the_whole_list_cut() {
    let mut customers = csv::Reader::from_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/customers.csv"),
    )
    .unwrap();
    let mut of: std::collections::HashMap<String, (String, String)> = Default::default();
    for r in customers.records() {
        let r = r.unwrap();
        of.insert(r[0].to_string(), (r[6].to_lowercase(), r[7].to_lowercase()));
    }
    let rules = [
        "callback-3d",
        "callback-3m",
        "callback-6m",
        "survey",
        "birthday",
        "anniversary",
        "holiday",
        "maintenance",
        "complaint-response",
        "complaint-resolve",
        "complaint-revisit",
        "points-expiry",
        "dissatisfied",
    ];
    for within in ["0", "30"] {
        let base = ["--date", "2026-11-22", "--within", within];
        let whole = list(Path::new("data"), &base);
        assert!(whole.len() > 30, "{}", whole.len());
        let cut = |keep: &dyn Fn(&Vec<String>) -> bool| -> Vec<Vec<String>> {
            whole.iter().filter(|r| keep(r)).cloned().collect()
        };
        for owner in ["陈静", "zhang wei ", "王磊", "李娜", "刘洋"] {
            let got = list(
                Path::new("data"),
                &[&base[..], &["--owner", owner]].concat(),
            );
            let want = cut(&|r| of[&r[3]].0 == owner.trim().to_lowercase());
            assert!(!want.is_empty(), "{owner}");
            assert_eq!(got, want, "--owner {owner} --within {within}");
        }
        for store in ["上海新天地店", "北京国贸店", "深圳万象城店"] {
            let got = list(
                Path::new("data"),
                &[&base[..], &["--store", store]].concat(),
            );
            assert_eq!(got, cut(&|r| of[&r[3]].1 == store), "--store {store}");
        }
        for rule in rules {
            let got = list(Path::new("data"), &[&base[..], &["--rule", rule]].concat());
            assert_eq!(
                got,
                cut(&|r| r[8] == rule),
                "--rule {rule} --within {within}"
            );
        }
        let args = [
            "--owner",
            "陈静",
            "--store",
            "上海新天地店",
            "--rule",
            "callback-3d,survey,maintenance",
        ];
        let got = list(Path::new("data"), &[&base[..], &args].concat());
        let want = cut(&|r| {
            of[&r[3]].0 == "陈静"
                && ["callback-3d", "survey", "maintenance"].contains(&r[8].as_str())
        });
        assert!(!want.is_empty());
        assert_eq!(got, want, "owner, store and rules");
    }
}

#[test]
fn problems_come_file_by_file_though_complaints_are_read_before_the_orders() {
    // due reads complaints.csv before the orders (its peak memory), but tells their
    // problems after the orders', as every other command does.
    let dir = desk();
    let d = dir.path();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,C1,2026-08-31,sale,1000000.00\n\
         O2,C2,2026-13-20,install,0.00\n",
    )
    .unwrap();
    std::fs::write(
        d.join("complaints.csv"),
        "complaint_id,customer_id,category,opened_at,responded_at,closed_at\n\
         K1,C2,install,2026-11-01 09:00,,\n\
         K2,C9,install,2026-11-01 09:00,,\n",
    )
    .unwrap();
    let out = caredesk()
        .args(["due", "--date", "2026-11-22", "--data"])
        .arg(d)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let orders = err
        .find("orders.csv:3: date")
        .unwrap_or_else(|| panic!("{err}"));
    let complaints = err
        .find("complaints.csv:3: customer_id")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(orders < complaints, "{err}");
}

#[test]
fn maintenance_comes_six_months_after_the_latest_purchase_not_after_a_repair() {
    // A sale on 2026-01-10, a repair after it and an older sale listed last: the
    // maintenance call is 2026-07-10, six months after the latest sale; neither the
    // repair (no purchase, no maintenance) nor the row order moves it.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,owner,contact_ok\nC1,Ann,13812345678,陈静,true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,C1,2026-01-10,sale,1000000.00\n\
         O2,C1,2026-03-05,repair,0.00\n\
         O0,C1,2025-12-01,sale,10.00\n",
    )
    .unwrap();
    let out = caredesk()
        .arg("--data")
        .arg(d)
        .args([
            "due",
            "--date",
            "2026-06-01",
            "--within",
            "200",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let maintenance: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(",maintenance,"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(maintenance, ["2026-07-10"], "{text}");
    // One customer's items, all upcoming: in the order of their dates, whatever the
    // order the rules made them in.
    let dates: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(dates.len() >= 4, "{text}");
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted, "{text}");
}

/// `due --owner` with the spend method folds the other consultants' customers for their
/// points alone: those points still rank the listed customers for the top segment, so a
/// `retain` customer's points-expiry item is listed exactly when the whole list has it.
/// Ann (甲) kept no purchase in two years; she is `retain` only while her points are the
/// most, and without Bo's (乙) points she would always be.
#[test]
fn an_owners_points_expiry_items_are_ranked_among_everyones_points() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,owner,contact_ok\n\
         C1,Ann,13812345678,甲,true\n\
         C2,Bo,13912345678,乙,true\n\
         C3,Cy,13712345678,乙,true\n",
    )
    .unwrap();
    let points_expiry = |ann: &str| {
        std::fs::write(
            d.join("orders.csv"),
            format!(
                "order_id,customer_id,date,kind,amount\n\
                 O1,C1,2024-06-25,sale,{ann}\n\
                 O2,C2,2026-10-01,sale,5000.00\n\
                 O3,C2,2026-10-02,repair,0.00\n"
            ),
        )
        .unwrap();
        let args = [
            "--date",
            "2026-11-22",
            "--within",
            "7",
            "--rule",
            "points-expiry",
        ];
        let whole = list(d, &args);
        let out = caredesk()
            .args(["due", "--format", "csv", "--data"])
            .arg(d)
            .args(args)
            .args(["--owner", "甲"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let ann = String::from_utf8(out).unwrap();
        (short(&whole), ann)
    };
    // Bo has the most points: Ann is not top, so `abandon`, and nothing is due.
    let (whole, ann) = points_expiry("1000.00");
    assert!(whole.is_empty(), "{whole:?}");
    assert_eq!(ann.lines().count(), 1, "{ann}");
    // Ann has the most: `retain`, cleared on 2026-12-25 (+730 days + 6 months), the
    // item due 30 days before.
    let (whole, ann) = points_expiry("9000.00");
    assert_eq!(whole, ["2026-11-25 upcoming C1 points-expiry 2026-12-25"]);
    assert!(
        ann.contains("2026-11-25,upcoming,,C1,Ann,") && ann.lines().count() == 2,
        "{ann}"
    );
}
