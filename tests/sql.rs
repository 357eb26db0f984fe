//! `caredesk sql` and the SQL edge fixture (tests/fixtures/sql: 100 customers, each edge
//! of DOMAIN.md sections 2, 4 and 5 on a named customer). These tests pin the native
//! answers on the fixture; scripts/sql_check.py (run by .ci/run) runs the compiled SQL on
//! DuckDB, PostgreSQL and Spark over the same fixture and requires the same bytes, so
//! every edge here is checked through the SQL path as well.

mod common;

use std::collections::HashMap;

use common::caredesk;
use predicates::prelude::*;

const DATA: &str = "tests/fixtures/sql";

fn stdout_of(args: &[&str]) -> String {
    let out = caredesk().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `caredesk tiers --format csv` on the fixture, by customer id: column → value.
fn tiers(policy: &str, as_of: &str) -> HashMap<String, HashMap<String, String>> {
    let out = stdout_of(&[
        "tiers", "--data", DATA, "--policy", policy, "--as-of", as_of, "--format", "csv",
    ]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect();
            (row["customer_id"].clone(), row)
        })
        .collect()
}

fn cells<'a>(row: &'a HashMap<String, String>, columns: &[&str]) -> Vec<&'a str> {
    columns.iter().map(|c| row[*c].as_str()).collect()
}

const POLICY: &str = "config/policy.toml";
const T: &str = "2026-03-31";

#[test]
fn refund_lowers_spend_and_points_but_is_no_purchase() {
    let t = tiers(POLICY, T);
    // 100.00 bought, 100.05 refunded: spend −0.05; points 100 − 100 (truncated per row).
    assert_eq!(
        cells(
            &t["S003"],
            &["spend", "points", "sales", "last_sale", "last_visit"]
        ),
        ["-0.05", "0", "1", "2026-01-10", "2026-02-01"]
    );
    // A refund naming a referrer is no referral: S041 has one, from the purchase only.
    assert_eq!(t["S041"]["referrals"], "1");
}

#[test]
fn a_zero_sale_is_a_purchase() {
    let t = tiers(POLICY, T);
    assert_eq!(
        cells(&t["S004"], &["sales", "first_sale", "segment", "spend"]),
        ["1", "2026-03-01", "new", "0.00"]
    );
}

#[test]
fn spend_thresholds_are_inclusive_to_the_cent() {
    let t = tiers(POLICY, T);
    let tier = |id: &str| t[id]["tier"].as_str();
    assert_eq!(
        [tier("S001"), tier("S002"), tier("S053"), tier("S054")],
        ["Diamond", "Platinum", "Platinum", "VIP"]
    );
}

#[test]
fn the_last_365_and_730_days_exclude_the_day_exactly_that_far_back() {
    let t = tiers(POLICY, T);
    assert_eq!(
        cells(&t["S005"], &["churned", "segment"]),
        ["true", "abandon"]
    );
    assert_eq!(cells(&t["S006"], &["churned", "segment"]), ["false", "new"]);
    assert_eq!(t["S007"]["sales_2y"], "0");
    assert_eq!(t["S008"]["sales_2y"], "1");
    // As of 29 Feb 2028 a year back spans a leap day: 1 Mar 2027 is 365 days back
    // (churned), 2 Mar 364 (not), 28 Feb 2027 366 (churned).
    let leap = tiers(POLICY, "2028-02-29");
    let churned = |id: &str| leap[id]["churned"].as_str();
    assert_eq!(
        [churned("S050"), churned("S051"), churned("S052")],
        ["true", "false", "true"]
    );
    assert_eq!(leap["S050"]["days_since_visit"], "365");
}

#[test]
fn lifecycle_bounds_90_91_180_181() {
    let t = tiers(POLICY, T);
    let l = |id: &str| t[id]["lifecycle"].as_str();
    assert_eq!(
        [l("S013"), l("S014"), l("S015"), l("S016")],
        ["active", "sleeping", "sleeping", "lost"]
    );
}

#[test]
fn percent_rank_ties_share_a_score_and_shares_cut_by_customer_id() {
    // N = 100: A is position 1 (round(0.5) = 1), B up to round(1.5) = 2, C up to
    // round(6.5) = 7. S020…S027 tie at positions 2–9: their ids decide.
    let t = tiers("examples/jewellery-score.toml", T);
    let got: Vec<(&str, &str)> = (20..28)
        .map(|i| {
            let r = &t[&format!("S0{i}")];
            (r["tier"].as_str(), r["score"].as_str())
        })
        .collect();
    let tiers: Vec<&str> = got.iter().map(|g| g.0).collect();
    assert_eq!(tiers, ["B", "C", "C", "C", "C", "C", "D", "D"]);
    assert!(got.iter().all(|g| g.1 == "90.30"), "{got:?}");
}

#[test]
fn the_clearing_date_clamps_to_the_month_end() {
    // Last purchase 31 Aug 2022 + 730 days = 30 Aug 2024, + 6 months = 28 Feb 2025.
    let t = tiers(POLICY, T);
    assert_eq!(
        cells(&t["S009"], &["segment", "points_clear_on"]),
        ["retain", "2025-02-28"]
    );
    assert_eq!(t["S010"]["points_clear_on"], "2026-02-28");
    assert_eq!(t["S001"]["points_clear_on"], "");
}

#[test]
fn kpi_month_ends_and_24_hours_exactly() {
    let out = stdout_of(&[
        "kpi", "--data", DATA, "--as-of", T, "--month", "2026-02", "--format", "csv",
    ]);
    let row = |kpi: &str| {
        out.lines()
            .find(|l| l.split(',').nth(1) == Some(kpi))
            .unwrap_or_else(|| panic!("{kpi} in {out}"))
            .split(',')
            .skip(3)
            .take(3)
            .collect::<Vec<_>>()
            .join(",")
    };
    // Install jobs on 1 and 28 February count (31 January and 1 March do not).
    assert_eq!(row("install"), "2,1,1");
    // Closing exactly 24 h after opening answers on time; one minute later does not; a
    // complaint opened 28 Feb 10:00 has its deadline after February's end: not assessed.
    assert_eq!(row("response_24h"), "3,1,2");
    assert_eq!(row("resolution_24h"), "3,1,2");
    // January: opened 31 Jan 23:30, answered exactly 24 h later: on time; closed in
    // February: not closed by January's end.
    let jan = stdout_of(&[
        "kpi", "--data", DATA, "--as-of", T, "--month", "2026-01", "--format", "csv",
    ]);
    assert!(jan.contains("\nall,complaint_closure,投诉关闭率 complaint closure rate,2,1,1,"));
    assert!(jan.contains("\nall,response_24h,24小时响应率 24 h response rate,2,2,0,"));
}

#[test]
fn repeat_visit_on_day_30_fails_and_on_day_31_passes() {
    let out = stdout_of(&[
        "kpi",
        "--data",
        DATA,
        "--as-of",
        T,
        "--month",
        "2026-01",
        "--policy",
        "examples/field-service-kpi.toml",
        "--format",
        "csv",
    ]);
    assert!(out.contains("\nall,repair_ftf,"), "{out}");
    assert!(
        out.contains(",2,1,1,0.5000,0.8500,false,10.00,0.00\n"),
        "{out}"
    );
}

// ---- the command itself ----

#[test]
fn sql_prints_one_query_with_explanations_per_cte() {
    let out = stdout_of(&[
        "sql",
        "tiers",
        "--dialect",
        "postgres",
        "--as-of",
        T,
        "--explain",
    ]);
    assert!(
        out.starts_with("-- caredesk sql tiers (PostgreSQL)"),
        "{out}"
    );
    assert!(out.trim_end().ends_with(';'));
    let code_lines: Vec<&str> = out
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    let code = code_lines.concat();
    assert_eq!(code.matches(';').count(), 1, "one statement");
    // The last CTE closes without a comma: PostgreSQL and Spark refuse `),` before the
    // SELECT (DuckDB lets it pass).
    let select = code_lines
        .iter()
        .rposition(|l| l.starts_with("SELECT"))
        .expect("a final SELECT");
    assert_eq!(code_lines[select - 1], ")", "{out}");
    assert_eq!(
        code_lines.iter().filter(|l| **l == "),").count() + 1,
        code_lines.iter().filter(|l| l.ends_with(" AS (")).count(),
        "every other CTE ends with a comma"
    );
    for cte in ["customer_rows AS (", "activity AS (", "classified AS ("] {
        assert!(out.contains(cte), "{cte}");
    }
    assert!(out.contains("-- DOMAIN.md section 2"), "explained");
    assert!(out.contains("COLLATE \"C\""), "ids compared byte by byte");
    assert!(!code.contains("PERCENT_RANK"), "percent ranks kept exact");
    let plain = stdout_of(&["sql", "tiers", "--dialect", "postgres", "--as-of", T]);
    assert!(!plain.contains("-- DOMAIN.md section 2: per customer"));
}

#[test]
fn sql_reads_the_tables_and_columns_it_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[columns.customers]\ncustomer_id = \"客户编号\"\n[columns.orders]\namount = \"金额\"\n",
    )
    .unwrap();
    let out = stdout_of(&[
        "sql",
        "summary",
        "--dialect",
        "spark",
        "--policy",
        policy.to_str().unwrap(),
        "--customers-table",
        "crm.customers",
        "--orders-table",
        "dw.order_lines",
        "--as-of",
        T,
    ]);
    assert!(out.contains("FROM `crm`.`customers`"), "{out}");
    assert!(out.contains("FROM `dw`.`order_lines`"));
    assert!(out.contains("CAST(`客户编号` AS STRING)"));
    assert!(out.contains("CAST(`金额` AS STRING)"));
    let kpi = stdout_of(&["sql", "kpi", "--dialect", "spark", "--as-of", T]);
    assert!(kpi.contains("AS TIMESTAMP_NTZ)"), "no time zone: {kpi}");
}

#[test]
fn kpi_flags_belong_to_kpi() {
    caredesk()
        .args(["sql", "tiers", "--dialect", "duckdb", "--month", "2026-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("belong to `caredesk sql kpi`"));
    caredesk()
        .args(["sql", "kpi", "--dialect", "oracle"])
        .assert()
        .code(2);
}

#[test]
fn the_finest_numbers_a_policy_allows_compile_exactly() {
    // The policy's bounds (weights up to 10000, 6 decimal places) stay inside what the
    // SQL sums exactly; what lies beyond them is refused by the compiler's own checks
    // (src/sql/kpi.rs tests).
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[[kpi.rules]]\nname = \"fine\"\nmeasure = \"outcome\"\nkind = \"install\"\ntarget = 0.999999\nweight = 9999.999999\n",
    )
    .unwrap();
    let out = sql_kpi_on_duckdb(&policy);
    assert!(String::from_utf8_lossy(&out.stdout).contains("AS weight"));
}

/// `caredesk sql kpi --dialect duckdb` with `policy` as of `T`, which must succeed.
fn sql_kpi_on_duckdb(policy: impl AsRef<std::ffi::OsStr>) -> std::process::Output {
    let out = caredesk()
        .args([
            "sql",
            "kpi",
            "--dialect",
            "duckdb",
            "--as-of",
            T,
            "--policy",
        ])
        .arg(policy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn sql_output_file_is_written_whole_and_never_over_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kpi.sql");
    caredesk()
        .args([
            "sql",
            "kpi",
            "--dialect",
            "duckdb",
            "--by",
            "owner",
            "--as-of",
            T,
            "-o",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("per owner (ranked)"));
    caredesk()
        .args([
            "sql",
            "kpi",
            "--dialect",
            "duckdb",
            "-o",
            "config/policy.toml",
        ])
        .assert()
        .code(2);
}

/// The compiled SQL, run on DuckDB over the SQL edge fixture and the edge fixture, gives
/// the native answers byte for byte, for every shipped policy (`scripts/sql_check.py`
/// with DuckDB only; `.ci/run` then checks all three engines on every data set). So a
/// broken expression of the SQL fails `cargo test`, not only CI. Needs `python3` with
/// duckdb (`pip install duckdb==2.0.0`, which `.ci/run` does); without it this fails,
/// saying so.
#[test]
fn the_compiled_sql_gives_the_native_answers_on_duckdb() {
    let out = std::process::Command::new("python3")
        .args(["scripts/sql_check.py", "--engines", "duckdb"])
        .args(["--sets", "sqledge,edge", "--bin"])
        .arg(common::bin())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 runs scripts/sql_check.py");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "sql_check.py on DuckDB failed (python3 -m pip install duckdb==2.0.0 if it is \
         missing):\n{stdout}{stderr}"
    );
    let passed: u32 = stdout
        .strip_prefix("sql: ")
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {stdout:?}"));
    assert!(passed > 100, "{stdout}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}

#[test]
fn sql_kpi_warns_of_the_kpis_it_leaves_out_and_only_then() {
    let stderr =
        |policy: &str| String::from_utf8_lossy(&sql_kpi_on_duckdb(policy).stderr).into_owned();
    let said = stderr(POLICY);
    assert!(
        said.contains("warning: left out of the query: csat, coverage_key"),
        "{said}"
    );
    // A scorecard without survey or contact KPIs leaves nothing out and says nothing.
    let said = stderr("examples/field-service-kpi.toml");
    assert!(!said.contains("left out"), "{said}");
}

/// The SQL reads a policy's own header names (`[columns.*]`): every column of the SQL
/// fixture renamed, the compiled tiers and kpi on DuckDB give caredesk's own answers on
/// the renamed files. (A query that read one column under another's header fails here.)
#[test]
fn renamed_columns_give_the_same_answers_through_the_sql() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    // A scorecard without survey or contact KPIs: the SQL leaves none out.
    let mut policy = std::fs::read_to_string("examples/field-service-kpi.toml").unwrap();
    for table in ["customers", "orders", "complaints"] {
        let text = std::fs::read_to_string(format!("{DATA}/{table}.csv")).unwrap();
        let (header, rows) = text.split_once('\n').unwrap();
        policy.push_str(&format!("\n[columns.{table}]\n"));
        let renamed: Vec<String> = header
            .split(',')
            .map(|c| {
                policy.push_str(&format!("{c} = \"列 {c}\"\n"));
                format!("列 {c}")
            })
            .collect();
        std::fs::write(
            data.join(format!("{table}.csv")),
            format!("{}\n{rows}", renamed.join(",")),
        )
        .unwrap();
    }
    let policy_path = dir.path().join("renamed.toml");
    std::fs::write(&policy_path, policy).unwrap();
    let months = [
        "--by",
        "month",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
    ];
    for report in [
        &["tiers"][..],
        &["kpi", "--by", "owner"],
        &[&["kpi"][..], &months].concat(),
    ] {
        let sql = same_answers_on_duckdb(&data, &policy_path, "2026-03-31", report);
        assert!(sql.contains("\"列 customer_id\""), "{sql}");
    }
}

/// Runs `report` natively and as `caredesk sql … --dialect duckdb` on DuckDB over the
/// CSV files of `data` (scripts/sql_check.py run), requires the same rows (in any order,
/// more than three), and returns the SQL.
fn same_answers_on_duckdb(
    data: &std::path::Path,
    policy: &std::path::Path,
    as_of: &str,
    report: &[&str],
) -> String {
    let (data, policy) = (data.to_str().unwrap(), policy.to_str().unwrap());
    let at = ["--policy", policy, "--as-of", as_of];
    let native = stdout_of(&[report, &["--data", data, "--format", "csv"], &at].concat());
    let sql = stdout_of(&[&["sql"], report, &["--dialect", "duckdb"], &at].concat());
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("q.sql");
    std::fs::write(&query, &sql).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "scripts/sql_check.py",
            "run",
            "--engine",
            "duckdb",
            "--data",
            data,
        ])
        .arg(&query)
        .output()
        .expect("python3 runs scripts/sql_check.py");
    assert!(
        out.status.success(),
        "{report:?} on DuckDB (python3 -m pip install duckdb==2.0.0 if it is missing):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sorted = |s: &str| {
        let mut lines: Vec<String> = s.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    assert!(native.lines().count() > 3, "{report:?}: {native}");
    assert_eq!(
        sorted(&String::from_utf8_lossy(&out.stdout)),
        sorted(&native),
        "{report:?}"
    );
    sql
}

/// Points per unit other than 1 or 1/n (DOMAIN.md section 2: truncated per order toward
/// zero) go through the SQL as a fraction: 1.5 and 2 points a unit give caredesk's points.
#[test]
fn fractional_points_per_unit_give_the_same_points_through_the_sql() {
    let dir = tempfile::tempdir().unwrap();
    for per_unit in ["1.5", "2", "0.25"] {
        let policy = dir.path().join(format!("p{per_unit}.toml"));
        std::fs::write(&policy, format!("[tiers]\npoints_per_unit = {per_unit}\n")).unwrap();
        let sql = same_answers_on_duckdb(DATA.as_ref(), &policy, "2026-03-31", &["tiers"]);
        assert!(sql.contains("points"), "{sql}");
    }
}

/// The points-clearing date must stay a date in every engine: a segment window of 36500
/// days compiles, one more is refused, saying the bound.
#[test]
fn segment_windows_past_a_century_are_refused_with_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    for (days, ok) in [(36500, true), (36501, false)] {
        let policy = dir.path().join(format!("w{days}.toml"));
        std::fs::write(&policy, format!("[tiers.segments]\nwindow_days = {days}\n")).unwrap();
        let run = caredesk()
            .args([
                "sql",
                "tiers",
                "--dialect",
                "duckdb",
                "--as-of",
                T,
                "--policy",
            ])
            .arg(&policy)
            .assert();
        if ok {
            run.success();
        } else {
            run.code(1)
                .stderr(predicate::str::contains("a segment window of 36501 days"))
                .stderr(predicate::str::contains("use at most 36500"));
        }
    }
}

/// Spark's dates end at 9999-12-31: a period that ends there compiles with no date past
/// it (the repeat-visit window beyond the calendar is left unbounded), for every engine.
#[test]
fn a_period_at_the_calendars_end_names_no_date_past_9999() {
    for dialect in ["duckdb", "postgres", "spark"] {
        let sql = stdout_of(&[
            "sql",
            "kpi",
            "--dialect",
            dialect,
            "--policy",
            "examples/field-service-kpi.toml",
            "--from",
            "9999-12-01",
            "--to",
            "9999-12-31",
            "--as-of",
            "9999-12-31",
        ]);
        let dates: Vec<&str> = sql.split("DATE '").skip(1).collect();
        assert!(dates.iter().any(|d| d.starts_with("9999-12-31'")), "{sql}");
        for d in dates {
            let ymd = &d[..d.find('\'').unwrap()];
            assert!(
                ymd.len() == 10 && ymd <= "9999-12-31",
                "{dialect}: DATE '{ymd}'"
            );
        }
    }
}

/// `--explain` says what each grouping's groups are, above the CTE that makes them.
#[test]
fn kpi_groups_are_explained_for_each_grouping() {
    for (by, said) in [
        (&[][..], "-- One group: the whole desk.\nkpi_groups AS ("),
        (
            &["--by", "month"],
            "a group per calendar month the period touches, in order.\nkpi_groups AS (",
        ),
        (
            &["--by", "store"],
            "a group per owner (or store) of any customer; none = (none).\nkpi_groups AS (",
        ),
    ] {
        let args = [
            "sql",
            "kpi",
            "--dialect",
            "duckdb",
            "--as-of",
            T,
            "--explain",
        ];
        let out = stdout_of(&[&args[..], by].concat());
        assert!(out.contains(said), "{by:?}: {out}");
    }
}
