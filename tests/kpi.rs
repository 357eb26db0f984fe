//! `caredesk kpi` from the outside.

mod common;

use common::caredesk;
use predicates::prelude::*;

fn csv_rows(args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let out = caredesk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut r = csv::Reader::from_reader(out.as_slice());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// A tiny data set with exact counts: 20 installs in October (19 pass), 19 repairs (16 pass).
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,owner,store\nC1,Ann,陈静,上海\nC2,Bob,王磊,北京\nC3,Cy,,北京\n",
    )
    .unwrap();
    let mut orders = String::from("order_id,customer_id,date,kind,amount,outcome\n");
    for i in 0..20 {
        let outcome = if i < 19 { "pass" } else { "fail" };
        orders.push_str(&format!(
            "I{i},C1,2026-10-{:02},install,0,{outcome}\n",
            i + 1
        ));
    }
    for i in 0..19 {
        let outcome = if i < 16 { "pass" } else { "fail" };
        orders.push_str(&format!(
            "R{i},C2,2026-10-{:02},repair,0,{outcome}\n",
            i + 1
        ));
    }
    orders.push_str("S1,C2,2026-09-15,sale,100,pass\n");
    std::fs::write(d.join("orders.csv"), orders).unwrap();
    std::fs::write(
        d.join("complaints.csv"),
        "complaint_id,customer_id,category,opened_at,responded_at,closed_at\n\
         K1,C1,install,2026-10-31 20:00,2026-11-01 10:00,2026-11-01 21:00\n\
         K2,C2,repair,2026-10-10 09:00,,2026-10-11 09:00\n",
    )
    .unwrap();
    dir
}

fn run(dir: &tempfile::TempDir, extra: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let d = dir.path().to_str().unwrap();
    let mut args = vec![
        "kpi",
        "--data",
        d,
        "--as-of",
        "2026-11-22",
        "--format",
        "csv",
    ];
    args.extend_from_slice(extra);
    csv_rows(&args)
}

fn find<'a>(rows: &'a [Vec<String>], group: &str, kpi: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == group && r[1] == kpi)
        .unwrap_or_else(|| panic!("no {group}/{kpi} in {rows:?}"))
}

#[test]
fn scorecard_of_the_previous_month_with_exact_boundaries() {
    let dir = fixture();
    let (header, rows) = run(&dir, &[]);
    assert_eq!(
        header.join(","),
        "group,kpi,label,assessed,passed,failed,rate,target,met,weight,points"
    );
    // 19 of 20 against 95 %: met
    assert_eq!(
        find(&rows, "all", "install")[3..].join(","),
        "20,19,1,0.9500,0.9500,true,5.00,5.00"
    );
    // 16 of 19 against 85 %: not met; 5 × 0.8421… / 0.85 = 4.95
    assert_eq!(
        find(&rows, "all", "repair")[3..].join(","),
        "19,16,3,0.8421,0.8500,false,5.00,4.95"
    );
    // nothing assessed: n/a, left out of the total
    assert_eq!(
        find(&rows, "all", "maintenance")[3..].join(","),
        "0,0,0,,1.0000,,5.00,0.00"
    );
    // K1 opened 31 Oct 20:00, closed 1 Nov: not closed by the period's end; K2 closed at 24 h
    assert_eq!(
        find(&rows, "all", "complaint_closure")[3..6].join(","),
        "2,1,1"
    );
    assert_eq!(find(&rows, "all", "response_24h")[3..6].join(","), "2,2,0");
    assert_eq!(
        find(&rows, "all", "resolution_24h")[3..6].join(","),
        "2,1,1"
    );
    // total: install 5 + repair 5 + closure 10 + the two 0-weight rates = 20 at stake
    // points: 5 + 4.9535 + 10 × 0.5 = 14.95
    assert_eq!(find(&rows, "all", "total")[9..].join(","), "20.00,14.95");
}

#[test]
fn all_or_nothing_scoring_from_the_policy() {
    let dir = fixture();
    let policy = dir.path().join("p.toml");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/policy.toml"))
            .unwrap();
    std::fs::write(
        &policy,
        shipped.replace("scoring = \"proportional\"", "scoring = \"all_or_nothing\""),
    )
    .unwrap();
    let (_, rows) = run(&dir, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(find(&rows, "all", "repair")[10], "0.00");
    assert_eq!(find(&rows, "all", "install")[10], "5.00");
    assert_eq!(find(&rows, "all", "total")[9..].join(","), "20.00,5.00");
}

#[test]
fn a_weight_at_an_exact_midpoint_shows_as_it_counts_half_up() {
    // 2.345 counted 2.35 in the total but showed 2.34 (half to even) in its own row.
    let dir = fixture();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[[kpi.rules]]\nname = \"install\"\nmeasure = \"outcome\"\nkind = \"install\"\n\
         target = 0.95\nweight = \"2.345\"\n",
    )
    .unwrap();
    let (_, rows) = run(&dir, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(find(&rows, "all", "install")[9..].join(","), "2.35,2.35");
    assert_eq!(find(&rows, "all", "total")[9..].join(","), "2.35,2.35");
}

#[test]
fn by_owner_ranks_consultants_and_lists_those_without_rows() {
    let dir = fixture();
    let (_, rows) = run(&dir, &["--by", "owner"]);
    let totals: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r[1] == "total")
        .map(|r| (r[0].as_str(), r[10].as_str()))
        .collect();
    // 陈静: install met (5) + closure 0/1 (0 of 10) = 5 of 15; 王磊: repair 4.95 + closure 10 = 14.95 of 15
    assert_eq!(
        totals,
        [("王磊", "14.95"), ("陈静", "5.00"), ("(none)", "0.00")]
    );
    // the group with no rows: every KPI n/a, nothing at stake
    assert_eq!(find(&rows, "(none)", "total")[9], "0.00");
    assert_eq!(find(&rows, "(none)", "install")[6], "");
}

#[test]
fn by_month_over_a_range_is_the_trend_and_an_empty_month_is_all_na() {
    let dir = fixture();
    let (_, rows) = run(
        &dir,
        &[
            "--by",
            "month",
            "--from",
            "2026-08-01",
            "--to",
            "2026-10-31",
        ],
    );
    let groups: Vec<&str> = rows
        .iter()
        .filter(|r| r[1] == "total")
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(groups, ["2026-08", "2026-09", "2026-10"]);
    assert_eq!(find(&rows, "2026-08", "total")[9..].join(","), "0.00,0.00");
    assert_eq!(
        find(&rows, "2026-09", "quality")[3..9].join(","),
        "1,1,0,1.0000,0.8500,true"
    );
}

#[test]
fn table_marks_missed_targets_and_explains_na() {
    let dir = fixture();
    let d = dir.path().to_str().unwrap();
    caredesk()
        .args([
            "kpi",
            "--data",
            d,
            "--as-of",
            "2026-11-22",
            "--format",
            "table",
            "--color",
            "never",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("✗ no"))
        .stdout(
            predicate::str::contains("n/a — nothing assessed")
                .and(predicate::str::contains("maintenance")),
        )
        .stdout(predicate::str::contains("\u{1b}[").not());
    caredesk()
        .args([
            "kpi",
            "--data",
            d,
            "--as-of",
            "2026-11-22",
            "--format",
            "table",
            "--color",
            "always",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}["));
}

#[test]
fn bad_periods_are_usage_errors() {
    caredesk()
        .args(["kpi", "--month", "2026-13"])
        .assert()
        .code(2);
    caredesk()
        .args(["kpi", "--to", "2026-10-31"])
        .assert()
        .code(2);
    caredesk()
        .args(["kpi", "--month", "2026-10", "--from", "2026-10-01"])
        .assert()
        .code(2);
    caredesk()
        .args([
            "kpi",
            "--from",
            "2026-10-31",
            "--to",
            "2026-10-01",
            "--as-of",
            "2026-11-22",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("before it starts"));
}

#[test]
fn the_sample_scorecard_runs() {
    let (_, rows) = csv_rows(&["kpi", "--as-of", "2026-11-22", "--format", "csv"]);
    assert_eq!(rows.len(), 14, "thirteen KPIs and the total");
    let (_, rows) = csv_rows(&[
        "kpi",
        "--as-of",
        "2026-11-22",
        "--format",
        "csv",
        "--policy",
        "examples/field-service-kpi.toml",
        "--by",
        "owner",
    ]);
    assert_eq!(rows.iter().filter(|r| r[1] == "total").count(), 5);
}

/// The KPIs over call-list items (§9.7), and the total that sums them.
const ITEM_KPIS: &[&str] = &["coverage_key", "coverage_rest", "followup_done", "total"];

#[test]
fn each_month_of_the_trend_is_that_month_scored_alone() {
    // A complaint opened late in a month and closed in the next counts against its own
    // month's closure rate, in the trend as in `kpi --month` (May 2026 of the sample).
    let (_, trend) = csv_rows(&[
        "kpi",
        "--as-of",
        "2026-11-22",
        "--from",
        "2026-01-01",
        "--to",
        "2026-10-31",
        "--by",
        "month",
        "--format",
        "csv",
    ]);
    for m in 1..=10 {
        let month = format!("2026-{m:02}");
        let (_, alone) = csv_rows(&[
            "kpi",
            "--as-of",
            "2026-11-22",
            "--month",
            &month,
            "--format",
            "csv",
        ]);
        // The item KPIs take the range's end tiers (rules.md §6.4), and the total with them.
        let scored_alone = |r: &&Vec<String>| !ITEM_KPIS.contains(&r[1].as_str());
        let of_month: Vec<&[String]> = trend
            .iter()
            .filter(|r| r[0] == month)
            .filter(scored_alone)
            .map(|r| &r[1..])
            .collect();
        let alone: Vec<&[String]> = alone.iter().filter(scored_alone).map(|r| &r[1..]).collect();
        assert_eq!(
            of_month.len(),
            10,
            "{month}: nine KPIs scored alone and csat"
        );
        assert_eq!(of_month, alone, "{month}");
    }
}
