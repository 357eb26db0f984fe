//! The binary from the outside: fixtures in, output and exit codes checked.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as Std, Stdio};

mod common;

use common::caredesk;
use predicates::prelude::*;

fn stdout_of(args: &[&str]) -> String {
    let out = caredesk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// Parses CSV text into a header and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn check_lists_every_mistake_with_its_line() {
    let out = caredesk()
        .args([
            "check",
            "--data",
            "tests/fixtures/bad",
            "--policy",
            "tests/fixtures/bad/policy.toml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let expected = [
        "policy.toml:3: tiers.windw_days: unknown policy key",
        "policy.toml:11: tiers.levels[2].min_spend: tier thresholds must descend",
        "customers.csv:2: birthday: \"1980-02-30\": expected a date YYYY-MM-DD",
        "customers.csv:3: contact_ok: \"maybe\": expected true or false",
        "customers.csv:4: customer_id: \"C1\": duplicate customer id; first on line 2",
        "customers.csv:5: name: \"\": a value is required here",
        "orders.csv:2: amount: \"1.000,00\": expected an amount",
        "orders.csv:3: date: \"06/01/2026\": ambiguous date: day 6 of month 1, or day 1 of month 6? Write it as YYYY-MM-DD",
        "orders.csv:4: kind: \"gift\": expected sale, install",
        "orders.csv:5: customer_id: \"C9\": no such customer",
        "orders.csv:6: amount: \"12.345\": an amount has at most 2 decimal places",
        "orders.csv:7: outcome: \"ok\": expected pass, fail or empty",
        "orders.csv:9: referred_by: \"C8\": no such customer",
        "orders.csv:10: order_id: \"O7\": duplicate order id; first on line 8",
        "complaints.csv:2: category: \"noise\"",
        "complaints.csv:3: responded_at: \"2026-01-09 10:00\": answered before it was opened",
        "complaints.csv:4: order_id: \"O77\": no such order",
        "complaints.csv:5: opened_at: \"2026-01-10\": expected a date and time",
        "complaints.csv:5: severity: \"urgent\"",
    ];
    for e in expected {
        assert!(out.contains(e), "missing {e:?} in:\n{out}");
    }
    assert!(out.ends_with("19 problems found\n"), "{out}");
}

#[test]
fn check_passes_on_the_sample_data() {
    caredesk()
        .args(["check", "--as-of", "2026-11-22"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok: 320 customers"));
}

#[test]
fn other_commands_refuse_bad_data_with_the_same_problems() {
    caredesk()
        .args(["tiers", "--data", "tests/fixtures/bad", "--format", "csv"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "orders.csv:5: customer_id: \"C9\": no such customer",
        ))
        .stderr(predicate::str::contains("customers.csv:2: birthday"));
}

/// The edge fixture of the benchmark: the 730-day workload, projected to its columns,
/// must equal the hand-worked expected_tiers.csv.
#[test]
fn tiers_match_the_hand_checked_edge_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let all_time = dir.path().join("all-time.toml");
    let bench = std::fs::read_to_string("examples/bench-policy.toml").unwrap();
    std::fs::write(
        &all_time,
        bench.replace("window_days = 730", "window_days = 0"),
    )
    .unwrap();
    let run = |policy: &str| {
        stdout_of(&[
            "tiers",
            "--data",
            "tests/fixtures/edge",
            "--policy",
            policy,
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
        ])
    };
    let (h, windowed) = csv_rows(&run("examples/bench-policy.toml"));
    let (h2, all) = csv_rows(&run(all_time.to_str().unwrap()));
    assert_eq!(h, h2);
    let at = |name: &str| h.iter().position(|c| c == name).unwrap();
    let spend_all: std::collections::HashMap<&str, &str> = all
        .iter()
        .map(|r| (r[at("customer_id")].as_str(), r[at("spend")].as_str()))
        .collect();
    let mut projected: Vec<String> = windowed
        .iter()
        .map(|r| {
            let id = r[at("customer_id")].as_str();
            [
                id,
                &r[at("tier")],
                &r[at("lifecycle")],
                &r[at("sales_2y")],
                &r[at("spend")],
                &r[at("profit")],
                spend_all[id],
                &r[at("last_sale")],
                &r[at("last_visit")],
                &r[at("days_since_visit")],
            ]
            .join(",")
        })
        .collect();
    projected.sort();
    let expected = std::fs::read_to_string("tests/fixtures/edge/expected_tiers.csv").unwrap();
    let expected: Vec<&str> = expected.lines().skip(1).collect();
    assert_eq!(projected, expected);
}

#[test]
fn tiers_csv_has_the_contract_columns_and_exact_values() {
    let out = stdout_of(&[
        "tiers",
        "--data",
        "tests/fixtures/edge",
        "--policy",
        "examples/bench-policy.toml",
        "--as-of",
        "2026-11-22",
        "--format",
        "csv",
    ]);
    let (header, rows) = csv_rows(&out);
    assert_eq!(
        header.join(","),
        "customer_id,name,tier,computed_tier,segment,lifecycle,churned,spend,profit,sales,sales_2y,\
         referrals,points,first_sale,last_sale,last_visit,days_since_visit,score,care_goal_met,points_clear_on,\
         override_tier,override_reason"
    );
    let d1 = rows.iter().find(|r| r[0] == "D1").unwrap();
    assert_eq!((d1[2].as_str(), d1[7].as_str()), ("Diamond", "1000000.00"));
    let d2 = rows.iter().find(|r| r[0] == "D2").unwrap();
    assert_eq!((d2[2].as_str(), d2[7].as_str()), ("Platinum", "999999.99"));
    // C08's only order is dated after as-of: nothing happened yet.
    let c08 = rows.iter().find(|r| r[0] == "C08").unwrap();
    assert_eq!(
        (c08[5].as_str(), c08[15].as_str(), c08[4].as_str()),
        ("none", "", "none")
    );
    // the top tier is listed first
    assert_eq!(rows[0][2], "Diamond");
    // "Smith, John" is quoted, not split
    assert!(out.contains("\"Smith, John\""));
}

#[test]
fn tiers_json_is_an_array_of_objects_keyed_like_the_csv() {
    let out = stdout_of(&["tiers", "--as-of", "2026-11-22", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 320);
    let first = rows[0].as_object().unwrap();
    assert_eq!(first.len(), 22);
    assert!(
        first["spend"].as_str().unwrap().contains('.'),
        "money is a decimal string"
    );
    assert!(first["churned"].is_boolean());
    assert!(first["score"].is_null(), "no score in the spend method");
}

#[test]
fn summary_lists_every_tier_top_first() {
    let out = stdout_of(&[
        "tiers",
        "--summary",
        "--as-of",
        "2026-11-22",
        "--format",
        "csv",
    ]);
    let (header, rows) = csv_rows(&out);
    assert_eq!(
        header.join(","),
        "tier,customers,customer_share,spend,spend_share,churned,churn_rate,care_goal_met"
    );
    let tiers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(tiers, ["Diamond", "Platinum", "VIP", "D", "Member"]);
    let customers: u64 = rows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(customers, 320);
    assert!(
        rows.iter().all(|r| r[2].len() == 6),
        "shares have 4 decimals: {rows:?}"
    );
}

#[test]
fn table_view_is_for_people() {
    let out = stdout_of(&[
        "tiers",
        "--summary",
        "--as-of",
        "2026-11-22",
        "--format",
        "table",
    ]);
    assert!(out.contains('%'), "{out}");
    assert!(out.contains(','), "thousands separators: {out}");
}

#[test]
fn score_method_gives_abcd_classes() {
    let out = stdout_of(&[
        "tiers",
        "--policy",
        "examples/jewellery-score.toml",
        "--as-of",
        "2026-11-22",
        "--format",
        "csv",
    ]);
    let (_, rows) = csv_rows(&out);
    let count = |t: &str| rows.iter().filter(|r| r[2] == t).count();
    // N = 320: A = round(1.6) = 2, B up to round(4.8) = 5, C up to round(20.8) = 21
    assert_eq!(
        (count("A"), count("B"), count("C"), count("D")),
        (2, 3, 16, 299)
    );
    assert!(
        rows.iter().all(|r| !r[17].is_empty()),
        "every row has a score"
    );
}

#[test]
fn every_example_policy_runs_on_the_sample() {
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            caredesk()
                .args([
                    "tiers",
                    "--summary",
                    "--as-of",
                    "2026-11-22",
                    "--format",
                    "csv",
                    "--policy",
                ])
                .arg(&path)
                .assert()
                .success();
        }
    }
}

#[test]
fn output_file_is_written_and_inputs_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiers.json");
    caredesk()
        .args(["tiers", "--as-of", "2026-11-22", "--output"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("[\n  {"), "format follows the extension");

    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for f in ["customers.csv", "orders.csv"] {
        std::fs::copy(Path::new("data").join(f), data.join(f)).unwrap();
    }
    let before = std::fs::read(data.join("orders.csv")).unwrap();
    caredesk()
        .args(["tiers", "--format", "csv", "--data"])
        .arg(&data)
        .arg("--output")
        .arg(data.join("orders.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is an input file; refusing to write over it",
        ));
    assert_eq!(std::fs::read(data.join("orders.csv")).unwrap(), before);
}

#[test]
fn usage_errors_exit_2() {
    caredesk()
        .args(["tiers", "--frmat", "csv"])
        .assert()
        .code(2);
    caredesk()
        .args(["tiers", "--as-of", "2026-02-30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected YYYY-MM-DD"));
    caredesk()
        .args(["tiers", "--data", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir/customers.csv"));
}

#[test]
fn bad_policy_exits_1_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[tiers]\nmethod = \"score\"\n").unwrap();
    caredesk()
        .args(["tiers", "--policy"])
        .arg(&policy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("tiers.levels"));
}

#[test]
fn chinese_headers_map_through_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "\u{feff}客户编号,姓名\nK1,李娜\nK2,王伟\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "单号,客户编号,日期,金额\nA1,K1,2026-01-01,1000000.00\nA2,K2,2026-01-02,99.50\n",
    )
    .unwrap();
    std::fs::write(
        d.join("policy.toml"),
        "[columns.customers]\ncustomer_id = \"客户编号\"\nname = \"姓名\"\n\
         [columns.orders]\norder_id = \"单号\"\ncustomer_id = \"客户编号\"\ndate = \"日期\"\namount = \"金额\"\n",
    )
    .unwrap();
    let out = caredesk()
        .args([
            "tiers",
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
            "--data",
        ])
        .arg(d)
        .arg("--policy")
        .arg(d.join("policy.toml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let (_, rows) = csv_rows(&String::from_utf8(out).unwrap());
    assert_eq!(rows[0][..3], ["K1", "李娜", "Diamond"]);
    assert_eq!(rows[1][..3], ["K2", "王伟", "Member"]);
}

/// `caredesk tiers | head -1` must end quietly with success.
#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut customers = String::from("customer_id,name\n");
    for i in 0..20_000 {
        customers.push_str(&format!("C{i},Name {i}\n"));
    }
    std::fs::write(d.join("customers.csv"), customers).unwrap();
    // One order: an empty orders file is warned about, and stderr must stay empty here.
    let orders = "order_id,customer_id,date,amount\nO1,C1,2026-01-05,10.00\n";
    std::fs::write(d.join("orders.csv"), orders).unwrap();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("caredesk"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tiers",
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
            "--data",
        ])
        .arg(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("customer_id,"));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A file saved with CRLF line ends: problems name their real lines.
#[test]
fn crlf_files_report_the_right_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("customers.csv"), "customer_id,name\r\nC1,Ann\r\n").unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,amount\r\nO1,C1,2026-01-01,1.00\r\nO2,C1,2026-01-02,1.005\r\nO3,C1,2026-13-01,1.00\r\n",
    )
    .unwrap();
    caredesk()
        .args(["check", "--data"])
        .arg(d)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("orders.csv:3: amount: \"1.005\""))
        .stdout(predicate::str::contains(
            "orders.csv:4: date: \"2026-13-01\"",
        ));
}

/// Orders piped in (`--orders /dev/stdin`, or `<(…)` in a shell) are read front to back:
/// a pipe has no size to cut into chunks.
#[cfg(unix)]
#[test]
fn orders_and_customers_can_come_from_a_pipe() {
    let from_files = stdout_of(&["tiers", "--as-of", "2026-11-22", "--format", "csv"]);
    assert!(from_files.lines().count() > 10);
    for which in ["--orders", "--customers"] {
        let file = if which == "--orders" {
            "data/orders.csv"
        } else {
            "data/customers.csv"
        };
        let piped = caredesk()
            .args([
                "tiers",
                "--as-of",
                "2026-11-22",
                "--format",
                "csv",
                which,
                "/dev/stdin",
            ])
            .pipe_stdin(file)
            .unwrap()
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(
            String::from_utf8(piped).unwrap(),
            from_files,
            "{which} piped"
        );
    }
}
