//! `caredesk report` from the outside: the sample's monthly report as a workbook and as a
//! web page, its figures checked against the commands they come from, its workbook read
//! back by two other libraries (calamine here, openpyxl through python3), every chart's
//! series checked against the cells they name.

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use common::caredesk;
use predicates::prelude::*;

/// The report's month on the sample, and its last day: what its figures are as of.
const MONTH: &str = "2026-10";
const E: &str = "2026-10-31";

const SHEETS: [&str; 8] = [
    "概览",
    "客户分级",
    "等级变动",
    "服务考核",
    "回访",
    "投诉",
    "满意度",
    "客户名单",
];

/// `caredesk report --as-of 2026-11-22 --output DIR/report.EXT` (and `extra`), in a
/// fresh folder.
fn report(ext: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("report.{ext}"));
    caredesk()
        .args(["report", "--as-of", "2026-11-22", "--output"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    (dir, out)
}

/// A command's CSV output, header first.
fn csv(args: &[&str]) -> Vec<Vec<String>> {
    let out = caredesk()
        .args(args)
        .args(["--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

type Sheet = calamine::Range<Data>;

fn sheets(path: &Path) -> BTreeMap<String, Sheet> {
    let mut book = open_workbook_auto(path).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            (n, range)
        })
        .collect()
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(d: Option<&Data>) -> Option<f64> {
    match d {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// The table whose header row starts with `first`: its header row (0-based, absolute)
/// and its rows, up to the first row with an empty first cell.
fn table(sheet: &Sheet, first: &str) -> (u32, Vec<Vec<Data>>) {
    let (h, w) = sheet.end().unwrap();
    let header = (0..=h)
        .find(|&r| text(sheet.get_value((r, 0))) == first)
        .unwrap_or_else(|| panic!("no table headed {first:?}"));
    let mut rows = Vec::new();
    for r in header + 1..=h {
        if text(sheet.get_value((r, 0))).is_empty() {
            break;
        }
        rows.push(
            (0..=w)
                .map(|c| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty))
                .collect(),
        );
    }
    (header, rows)
}

/// `s` (a CSV cell) as a number, or `None` when empty.
fn parsed(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse().unwrap())
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{what}: {a} != {b}"),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

#[test]
fn the_workbook_has_a_sheet_per_section_named_in_the_policys_language() {
    let (_dir, path) = report("xlsx", &[]);
    let book = open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), SHEETS);
    let all = sheets(&path);
    for (name, sheet) in &all {
        assert!(sheet.end().is_some(), "{name} is empty");
    }
    assert_eq!(
        text(all["概览"].get_value((0, 0))),
        "月度报告 2026-10",
        "the first sheet opens with the title"
    );
    assert!(text(all["满意度"].get_value((2, 0))).contains("caredesk survey --month 2026-10"));
    // English, when the policy says so.
    let english = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(english.path(), "[report]\nlanguage = \"en\"\n").unwrap();
    let (_dir, path) = report("xlsx", &["--policy", english.path().to_str().unwrap()]);
    let book = open_workbook_auto(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Overview",
            "Tiers",
            "Movement",
            "KPIs",
            "Follow-ups",
            "Complaints",
            "Satisfaction",
            "Tiers list"
        ]
    );
}

#[test]
fn the_tiers_summary_is_tiers_summary_as_of_the_months_end() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let (_, rows) = table(&all["客户分级"], "等级");
    let want = csv(&["tiers", "--summary", "--as-of", E]);
    assert_eq!(rows.len(), want.len() - 1);
    for (got, want) in rows.iter().zip(&want[1..]) {
        assert_eq!(text(Some(&got[0])), want[0]);
        // tier, label, customers, customer_share, spend, spend_share, churned, churn_rate,
        // care_goal_met against tier, customers, customer_share, spend, ...
        for (g, w) in [(2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (8, 7)] {
            close(
                number(Some(&got[g])),
                parsed(&want[w]),
                &format!("{} {}", want[0], want[0]),
            );
        }
    }
}

#[test]
fn the_matrix_is_tiers_summary_previous_on_the_exports_of_the_two_month_ends() {
    let (dir, path) = report("xlsx", &[]);
    let previous = dir.path().join("tiers-2026-09.csv");
    caredesk()
        .args(["tiers", "--as-of", "2026-09-30", "--output"])
        .arg(&previous)
        .assert()
        .success();
    let want = csv(&[
        "tiers",
        "--summary",
        "--as-of",
        E,
        "--previous",
        previous.to_str().unwrap(),
    ]);
    let all = sheets(&path);
    let (header, rows) = table(&all["等级变动"], "上期＼本期");
    let header: Vec<String> = (0..want[0].len() as u32)
        .map(|c| text(all["等级变动"].get_value((header, c))))
        .collect();
    assert_eq!(
        header[1..6],
        ["Diamond", "Platinum", "VIP", "D", "Member"],
        "columns: the tiers now"
    );
    assert_eq!(rows.len(), want.len() - 1);
    for (got, want) in rows.iter().zip(&want[1..]) {
        let label = text(Some(&got[0]));
        assert_eq!(
            label,
            if want[0] == "new" {
                "新客户"
            } else {
                &want[0]
            },
            "rows: last period's tiers"
        );
        for c in 1..want.len() {
            close(number(Some(&got[c])), parsed(&want[c]), &want[0]);
        }
    }
    // The same matrix from the export itself, with --previous.
    let (_d, with_file) = report("xlsx", &["--previous", previous.to_str().unwrap()]);
    let again = sheets(&with_file);
    assert_eq!(table(&again["等级变动"], "上期＼本期").1, rows);
}

#[test]
fn the_scorecard_is_kpi_month_and_each_trend_point_kpi_month_of_its_month() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let sheet = &all["服务考核"];
    let (_, card) = table(sheet, "指标");
    let want = csv(&["kpi", "--month", MONTH, "--as-of", E]);
    assert_eq!(card.len(), want.len() - 1, "a row per KPI and the total");
    for (got, want) in card.iter().zip(&want[1..]) {
        let kpi = &want[1];
        assert_eq!(
            text(Some(&got[0])),
            if kpi == "total" {
                "合计"
            } else {
                kpi.as_str()
            }
        );
        // assessed, passed, failed, rate, target: columns 2..=6 against 3..=7
        for c in 2..=6 {
            close(number(Some(&got[c])), parsed(&want[c + 1]), kpi);
        }
        let met = match &got[7] {
            Data::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        assert_eq!(met, want[8], "{kpi} met");
        close(number(Some(&got[8])), parsed(&want[9]), kpi);
        close(number(Some(&got[9])), parsed(&want[10]), kpi);
    }
    let (header, trend) = table(sheet, "月份");
    let kpis: Vec<String> = (1..=card.len() as u32 - 1)
        .map(|c| text(sheet.get_value((header, c))))
        .collect();
    assert_eq!(
        kpis.len(),
        13,
        "the sample policy's KPIs, satisfaction ones included"
    );
    assert_eq!(trend.len(), 12, "twelve months");
    assert_eq!(text(Some(&trend[0][0])), "2025-11");
    assert_eq!(text(Some(&trend[11][0])), MONTH);
    for (m, row) in trend.iter().enumerate() {
        let month = text(Some(&row[0]));
        let want = csv(&["kpi", "--month", &month, "--as-of", E]);
        // The item KPIs need each month-end's tiers: the report's month and the month
        // before have them; the older months show them n/a (rules.md §11).
        let recent = m >= 10;
        for (k, kpi) in kpis.iter().enumerate() {
            let line = want.iter().find(|r| &r[1] == kpi).unwrap();
            let want = match recent || !ITEM_KPIS.contains(&kpi.as_str()) {
                true => parsed(&line[6]),
                false => None,
            };
            close(number(Some(&row[k + 1])), want, &format!("{month} {kpi}"));
        }
        let total = want.iter().find(|r| r[1] == "total").unwrap();
        close(
            number(Some(&row[kpis.len() + 1])),
            parsed(&total[10]),
            &month,
        );
    }
}

/// The KPIs over call-list items (rules.md §9.7).
const ITEM_KPIS: [&str; 3] = ["coverage_key", "coverage_rest", "followup_done"];

/// The row of `kpi` (and its group) in a `kpi` command's CSV.
fn kpi_line<'a>(rows: &'a [Vec<String>], group: &str, kpi: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == group && r[1] == kpi)
        .unwrap_or_else(|| panic!("no {group} {kpi}"))
}

#[test]
fn the_follow_ups_are_kpi_followup_done_per_rule_owner_and_month() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let sheet = &all["回访"];
    // by rule: rule, due, done, refused, open, missed, done rate; the total last.
    let (_, rules) = table(sheet, "规则");
    let total = rules.last().unwrap();
    assert_eq!(text(Some(&total[0])), "合计");
    let month = csv(&["kpi", "--month", MONTH, "--as-of", E]);
    let kpi = kpi_line(&month, "all", "followup_done");
    let n = |row: &[Data], c: usize| number(Some(&row[c])).unwrap();
    let (due, done, refused, open, missed) = (
        n(total, 1),
        n(total, 2),
        n(total, 3),
        n(total, 4),
        n(total, 5),
    );
    assert_eq!(due, done + refused + open + missed);
    assert!(refused > 0.0 && open > 0.0, "the sample has both");
    assert_eq!(
        done + refused + missed,
        parsed(&kpi[3]).unwrap(),
        "assessed"
    );
    assert_eq!(done + refused, parsed(&kpi[4]).unwrap(), "passed");
    assert_eq!(missed, parsed(&kpi[5]).unwrap(), "failed");
    close(number(Some(&total[6])), parsed(&kpi[6]), "the done rate");
    let summed: f64 = rules[..rules.len() - 1].iter().map(|r| n(r, 1)).sum();
    assert_eq!(summed, due, "the rules add up");
    // by owner: each owner's as kpi --by owner scores them.
    let (_, owners) = table(sheet, "负责人");
    let by_owner = csv(&["kpi", "--month", MONTH, "--as-of", E, "--by", "owner"]);
    assert!(!owners.is_empty());
    for row in &owners {
        let owner = text(Some(&row[0]));
        let kpi = kpi_line(&by_owner, &owner, "followup_done");
        assert_eq!(n(row, 2) + n(row, 3) + n(row, 5), parsed(&kpi[3]).unwrap());
        close(number(Some(&row[6])), parsed(&kpi[6]), &owner);
    }
    // The overview: the month's and the month before's done rate and CSAT.
    let (_, overview) = table(&all["概览"], "指标");
    let line = |label: &str| {
        overview
            .iter()
            .find(|r| text(Some(&r[0])) == label)
            .unwrap_or_else(|| panic!("no {label}"))
    };
    let before = csv(&["kpi", "--month", "2026-09", "--as-of", E]);
    for (label, kpi) in [("回访完成率", "followup_done"), ("满意度（CSAT）", "csat")] {
        let row = line(label);
        close(
            number(Some(&row[1])),
            parsed(&kpi_line(&month, "all", kpi)[6]),
            label,
        );
        close(
            number(Some(&row[2])),
            parsed(&kpi_line(&before, "all", kpi)[6]),
            label,
        );
    }
    assert!(
        number(Some(&line("满意度（CSAT）")[1])).is_some(),
        "the sample's October"
    );
}

#[test]
fn the_satisfaction_is_survey_by_owner() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let (_, got) = table(&all["满意度"], "负责人");
    let want = csv(&["survey", "--month", MONTH, "--as-of", E, "--by", "owner"]);
    assert_eq!(
        got.len(),
        want.len() - 1,
        "a row per owner, form and question"
    );
    assert!(got.len() > 20);
    for (g, w) in got.iter().zip(&want[1..]) {
        let what = format!("{} {} {}", w[0], w[1], w[2]);
        for c in 0..4 {
            assert_eq!(text(Some(&g[c])), w[c], "{what}");
        }
        for c in [4, 5, 6, 7, 9] {
            close(number(Some(&g[c])), parsed(&w[c]), &what);
        }
        let met = match &g[8] {
            Data::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        assert_eq!(met, w[8], "{what} met");
    }
}

#[test]
fn without_answers_csv_the_satisfaction_says_so_in_one_line() {
    let data = tempfile::tempdir().unwrap();
    for f in [
        "customers.csv",
        "orders.csv",
        "complaints.csv",
        "contacts.csv",
    ] {
        std::fs::copy(Path::new("data").join(f), data.path().join(f)).unwrap();
    }
    let data = data.path().to_str().unwrap().to_string();
    let (_dir, path) = report("xlsx", &["--data", &data]);
    let all = sheets(&path);
    let sheet = &all["满意度"];
    assert_eq!(
        sheet.end().map(|(r, _)| r),
        Some(2),
        "the title, a gap, one line"
    );
    assert!(text(sheet.get_value((2, 0))).contains("answers.csv"));
    let (_, overview) = table(&all["概览"], "指标");
    let csat = overview
        .iter()
        .find(|r| text(Some(&r[0])) == "满意度（CSAT）")
        .unwrap();
    assert_eq!(
        (number(Some(&csat[1])), number(Some(&csat[2]))),
        (None, None)
    );
}

#[test]
fn the_owner_ranking_is_kpi_by_owner() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let (_, ranking) = table(&all["服务考核"], "名次");
    let want = csv(&["kpi", "--month", MONTH, "--as-of", E, "--by", "owner"]);
    let totals: Vec<&Vec<String>> = want.iter().filter(|r| r[1] == "total").collect();
    assert_eq!(ranking.len(), totals.len());
    for (got, want) in ranking.iter().zip(totals) {
        assert_eq!(text(Some(&got[1])), want[0], "the ranking's order");
        close(number(Some(&got[2])), parsed(&want[10]), &want[0]);
        close(number(Some(&got[3])), parsed(&want[9]), &want[0]);
    }
}

/// A chart of the workbook as its XML part says.
struct NativeChart {
    part: String,
    /// Per series: the references of its name, categories and values.
    series: Vec<[String; 3]>,
    /// Per series: the values cached in the chart.
    caches: Vec<Vec<Option<f64>>>,
}

/// Every chart of the workbook.
fn charts(path: &Path) -> Vec<NativeChart> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.unwrap().to_string())
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .collect();
    let mut out = Vec::new();
    for name in names {
        let mut xml = String::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let mut series = Vec::new();
        let mut caches = Vec::new();
        for ser in xml.split("<c:ser>").skip(1) {
            let ser = ser.split("</c:ser>").next().unwrap();
            let f = |part: &str| {
                let p = ser.split(part).nth(1).unwrap_or("");
                p.split("<c:f>")
                    .nth(1)
                    .and_then(|s| s.split("</c:f>").next())
                    .unwrap_or("")
                    .to_string()
            };
            series.push([f("<c:tx>"), f("<c:cat>"), f("<c:val>")]);
            let val = ser.split("<c:val>").nth(1).unwrap_or("");
            let count: usize = val
                .split("<c:ptCount val=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let mut cache = vec![None; count];
            for pt in val.split("<c:pt idx=\"").skip(1) {
                let idx: usize = pt.split('"').next().unwrap().parse().unwrap();
                let v = pt.split("<c:v>").nth(1).unwrap().split("</c:v>").next();
                cache[idx] = v.map(|v| v.parse().unwrap());
            }
            caches.push(cache);
        }
        out.push(NativeChart {
            part: name,
            series,
            caches,
        });
    }
    out
}

/// `Sheet!$A$1:$B$2` → (sheet, (row, col) first, last), 0-based.
fn cells(reference: &str) -> (String, (u32, u32), (u32, u32)) {
    let (sheet, range) = reference.rsplit_once('!').unwrap();
    let sheet = sheet.trim_matches('\'').replace("''", "'");
    let cell = |a: &str| {
        let a = a.replace('$', "");
        let split = a.find(|c: char| c.is_ascii_digit()).unwrap();
        let (letters, digits) = a.split_at(split);
        let col = letters
            .bytes()
            .fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1))
            - 1;
        (digits.parse::<u32>().unwrap() - 1, col)
    };
    let (a, b) = range.split_once(':').unwrap_or((range, range));
    (sheet, cell(a), cell(b))
}

#[test]
fn every_chart_series_points_at_the_cells_that_hold_its_numbers() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let charts = charts(&path);
    assert_eq!(charts.len(), 3, "tiers, KPI trend, follow-ups per owner");
    for NativeChart {
        part: chart,
        series,
        caches,
    } in &charts
    {
        assert!(!series.is_empty(), "{chart}");
        for ([name, cat, val], cache) in series.iter().zip(caches) {
            let (sheet, at, _) = cells(name);
            assert!(
                !text(all[&sheet].get_value(at)).is_empty(),
                "{chart}: the series is named by a header cell"
            );
            let (cs, c0, c1) = cells(cat);
            let (vs, v0, v1) = cells(val);
            assert_eq!(
                (cs.as_str(), c0.0, c1.0),
                (vs.as_str(), v0.0, v1.0),
                "{chart}"
            );
            assert_eq!(v0.1, v1.1, "{chart}: one column of values");
            assert_eq!(cache.len() as u32, v1.0 - v0.0 + 1, "{chart}");
            for (k, r) in (v0.0..=v1.0).enumerate() {
                let label = all[&cs].get_value((r, c0.1));
                assert!(
                    matches!(label, Some(Data::String(s)) if !s.is_empty()),
                    "{chart} {cat}: a category at row {r}"
                );
                let cell = all[&vs].get_value((r, v0.1));
                let value = number(cell);
                assert!(
                    value.is_some() || matches!(cell, None | Some(Data::Empty)),
                    "{chart} {val}: row {r} holds {cell:?}, not a number"
                );
                assert_eq!(
                    value, cache[k],
                    "{chart} {val}: the cached value is the cell's"
                );
            }
        }
    }
    // The tiers chart draws the summary's two shares.
    let tiers = charts
        .iter()
        .find(|c| c.series[0][2].starts_with("客户分级!"))
        .unwrap();
    assert_eq!(tiers.series.len(), 2);
    let want = csv(&["tiers", "--summary", "--as-of", E]);
    for (k, column) in [2, 4].into_iter().enumerate() {
        let values: Vec<Option<f64>> = want[1..].iter().map(|r| parsed(&r[column])).collect();
        assert_eq!(tiers.caches[k], values);
    }
}

#[test]
fn openpyxl_reads_every_sheet_table_and_chart() {
    let (_dir, path) = report("xlsx", &[]);
    let script = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    print(ws.title, ws.max_row, len(ws._charts), len(ws.tables), ws.freeze_panes)
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 runs (CI installs it with openpyxl)");
    assert!(
        out.status.success(),
        "openpyxl could not read the workbook: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = lines.lines().map(|l| l.split(' ').collect()).collect();
    let titles: Vec<&str> = lines.iter().map(|l| l[0]).collect();
    assert_eq!(titles, SHEETS);
    let charts: usize = lines.iter().map(|l| l[2].parse::<usize>().unwrap()).sum();
    assert_eq!(charts, 3);
    let tables: usize = lines.iter().map(|l| l[3].parse::<usize>().unwrap()).sum();
    assert!(tables >= 7, "{lines:?}");
    assert_eq!(lines[7][4], "A6", "the list's header row is frozen");
}

/// Customers whose name is a formula and whose phone is whole, one of them moving up in
/// October; a few orders.
fn formula_desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,owner\n\
         +C1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",13812345678,@王\n\
         C2,Ann,139-0000-1111,\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount,outcome\n\
         O1,+C1,2026-09-05,sale,1000.00,\n\
         O2,+C1,2026-10-05,sale,600000.00,pass\n\
         O3,C2,2026-10-06,install,0,fail\n",
    )
    .unwrap();
    dir
}

#[test]
fn text_is_never_a_formula_and_phones_are_masked() {
    let dir = formula_desk();
    let d = dir.path();
    for ext in ["xlsx", "html"] {
        let out = d.join(format!("r.{ext}"));
        caredesk()
            .args(["report", "--as-of", "2026-11-22", "--data"])
            .arg(d)
            .arg("--output")
            .arg(&out)
            .assert()
            .success();
        if ext == "html" {
            let page = std::fs::read_to_string(&out).unwrap();
            assert!(page.contains("138****5678"), "masked in the moved-up list");
            assert!(!page.contains("13812345678") && !page.contains("0000-1111"));
            assert!(page.contains("=HYPERLINK(&quot;http://evil.example&quot;"));
            assert!(!page.contains("<a href=\"http"), "no link is made of it");
            continue;
        }
        let all = sheets(&out);
        let (_, up) = table(&all["等级变动"], "客户编号");
        assert_eq!(text(Some(&up[0][0])), "+C1");
        assert_eq!(
            text(Some(&up[0][1])),
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "the name is text, as it was"
        );
        assert_eq!(text(Some(&up[0][2])), "138****5678");
        assert_eq!(text(Some(&up[0][3])), "@王");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut xml = String::new();
            part.read_to_string(&mut xml).unwrap();
            assert!(!xml.contains("<f>"), "{name}: a formula");
            assert!(!xml.contains("13812345678"), "{name}: a phone");
        }
    }
}

#[test]
fn the_web_page_is_one_file_that_loads_nothing() {
    let (_dir, path) = report("html", &[]);
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("name=\"viewport\" content=\"width=device-width"));
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    assert!(page.contains("@media print"));
    assert!(page.contains("break-before: page"));
    assert!(!page.to_lowercase().contains("<script"));
    assert!(!page.contains("<link") && !page.contains("<img") && !page.contains("@import"));
    let without_svg_ns = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_svg_ns.contains("http://") && !without_svg_ns.contains("https://"));
    for (n, title) in SHEETS.iter().enumerate() {
        assert!(
            page.contains(&format!("<h2>{}. {title}</h2>", n + 1)),
            "section {title}"
        );
    }
    // No phone number whole: the sample's phones are eleven digits.
    let digits = page
        .as_bytes()
        .windows(11)
        .filter(|w| w[0] == b'1' && w.iter().all(u8::is_ascii_digit))
        .count();
    assert_eq!(digits, 0, "an unmasked phone");
}

/// The marks of the page's chart `id`: per small chart, its marks' (series, category, value).
fn marks(page: &str, id: &str) -> Vec<Vec<(String, String, f64)>> {
    let start = page
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let figure = &page[start..page[start..].find("</figure>").unwrap() + start];
    let attr = |m: &str, name: &str| -> String {
        m.split(&format!("{name}=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    figure
        .split("<svg")
        .skip(1)
        .map(|svg| {
            svg.split("class=\"mark\"")
                .skip(1)
                .map(|m| {
                    (
                        attr(m, "data-series"),
                        attr(m, "data-category"),
                        attr(m, "data-value").parse().unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_chart_on_the_page_has_one_mark_per_value_of_the_commands() {
    let (_dir, path) = report("html", &[]);
    let page = std::fs::read_to_string(&path).unwrap();
    assert_eq!(page.matches("<figure class=\"chart").count(), 3);
    // Tiers: a column per tier and share, the values of tiers --summary.
    let tiers = marks(&page, "tiers-shares");
    assert_eq!(tiers.len(), 1);
    let want = csv(&["tiers", "--summary", "--as-of", E]);
    let mut expected = Vec::new();
    for (series, column) in [("客户占比", 2), ("消费占比", 4)] {
        for r in &want[1..] {
            if let Some(v) = parsed(&r[column]) {
                expected.push((series.to_string(), r[0].clone(), v));
            }
        }
    }
    let mut got = tiers[0].clone();
    got.sort_by(|a, b| a.partial_cmp(b).unwrap());
    expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(got, expected);
    // KPIs: one small chart per KPI, a marker per month it was assessed in.
    let trend = marks(&page, "kpi-trend");
    let want = csv(&[
        "kpi",
        "--from",
        "2025-11-01",
        "--to",
        E,
        "--as-of",
        E,
        "--by",
        "month",
    ]);
    let kpis: Vec<String> = want[1..]
        .iter()
        .take_while(|r| r[0] == want[1][0] && r[1] != "total")
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(trend.len(), kpis.len(), "a chart per KPI");
    // The item KPIs: the report's month and the month before, each scored alone.
    let recent: Vec<Vec<Vec<String>>> = ["2026-09", MONTH]
        .iter()
        .map(|m| csv(&["kpi", "--month", m, "--as-of", E]))
        .collect();
    for (k, kpi) in kpis.iter().enumerate() {
        let expected: Vec<(String, String, f64)> = match ITEM_KPIS.contains(&kpi.as_str()) {
            false => want[1..]
                .iter()
                .filter(|r| &r[1] == kpi && !r[6].is_empty())
                .map(|r| (kpi.clone(), r[0].clone(), parsed(&r[6]).unwrap()))
                .collect(),
            true => ["2026-09", MONTH]
                .iter()
                .zip(&recent)
                .filter_map(|(m, rows)| {
                    let rate = parsed(&kpi_line(rows, "all", kpi)[6])?;
                    Some((kpi.clone(), m.to_string(), rate))
                })
                .collect(),
        };
        assert_eq!(trend[k], expected, "{kpi}");
    }
    // Follow-ups: a bar per owner with a done rate, as the owner table says.
    let bars = marks(&page, "followups-done-rate");
    assert_eq!(bars.len(), 1);
    let table = page
        .split("id=\"table-followups-by-owner\"")
        .nth(1)
        .unwrap();
    let table = table.split("</table>").next().unwrap();
    let rated: Vec<String> = table
        .split("<tr>")
        .skip(2)
        .map(|row| row.trim_end().trim_end_matches("</tbody>").trim_end())
        .filter(|row| row.ends_with("%</td></tr>"))
        .map(|row| {
            row.split("<td>")
                .nth(1)
                .unwrap()
                .split("</td>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let owners: Vec<String> = bars[0].iter().map(|m| m.1.clone()).collect();
    assert_eq!(owners, rated);
    assert!(!owners.is_empty());
}

#[test]
fn a_month_with_no_orders_a_first_month_and_the_score_method_all_make_a_report() {
    // Before the sample's data begins: nothing at all, nothing before.
    for ext in ["xlsx", "html"] {
        let (_d, path) = report(ext, &["--month", "2023-05"]);
        assert!(std::fs::metadata(&path).unwrap().len() > 0);
        if ext == "html" {
            let page = std::fs::read_to_string(&path).unwrap();
            assert!(page.contains("2023-05-01 之前没有任何记录"), "said");
            assert_eq!(
                page.matches("class=\"mark\"").count(),
                5,
                "each tier's customer share; no spend share, KPI or follow-up to draw"
            );
        }
    }
    // The first month of the data: the month before has none.
    let (_d, path) = report("html", &["--month", "2023-11"]);
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.contains("2023-11-01 之前没有任何记录"));
    // The score method.
    for ext in ["xlsx", "html"] {
        let (_d, path) = report(ext, &["--policy", "examples/jewellery-score.toml"]);
        if ext == "xlsx" {
            let all = sheets(&path);
            let (_, rows) = table(&all["客户分级"], "等级");
            let names: Vec<String> = rows.iter().map(|r| text(Some(&r[0]))).collect();
            assert_eq!(names, ["A", "B", "C", "D"]);
        }
    }
    // A month without orders inside the data: September in a desk that sold in August
    // and October.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,owner\nC1,Ann,李娜\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\nO1,C1,2026-08-10,sale,500\nO2,C1,2026-10-10,sale,700\n",
    )
    .unwrap();
    // Per month: its sales and the month before's, and whether the data begins after
    // the month before (the note that its column is empty).
    for (month, spend_now, spend_before, begins_after) in [
        ("2026-09", 0.0, 500.0, false),
        ("2026-10", 700.0, 0.0, false),
        ("2026-08", 500.0, 0.0, true),
    ] {
        for ext in ["xlsx", "html"] {
            let out = d.join(format!("{month}.{ext}"));
            caredesk()
                .args([
                    "report",
                    "--as-of",
                    "2026-11-22",
                    "--month",
                    month,
                    "--data",
                ])
                .arg(d)
                .arg("--output")
                .arg(&out)
                .assert()
                .success();
            if ext == "xlsx" {
                let all = sheets(&out);
                let (_, overview) = table(&all["概览"], "指标");
                let spend = overview
                    .iter()
                    .find(|r| text(Some(&r[0])).starts_with("当月销售额"))
                    .unwrap();
                assert_eq!(number(Some(&spend[1])), Some(spend_now), "{month}");
                assert_eq!(number(Some(&spend[2])), Some(spend_before), "{month}");
            } else {
                let page = std::fs::read_to_string(&out).unwrap();
                let note = format!("{month}-01 之前没有任何记录");
                assert_eq!(page.contains(&note), begins_after, "{month}");
            }
        }
    }
}

#[test]
fn a_month_not_over_is_as_of_the_as_of_day_and_a_later_one_is_refused() {
    let (_d, path) = report("html", &["--month", "2026-11"]);
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.contains("本月尚未结束：数据截至 2026-11-22 日终"));
    caredesk()
        .args([
            "report",
            "--as-of",
            "2026-11-22",
            "--month",
            "2026-12",
            "--output",
            "x.html",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--month 2026-12: has not begun on 2026-11-22",
        ));
}

#[test]
fn usage_errors_name_what_to_give() {
    caredesk()
        .args(["report", "--as-of", "2026-11-22"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "give --output FILE.xlsx or FILE.html",
        ));
    caredesk()
        .args(["report", "--as-of", "2026-11-22", "--output", "r.pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a workbook (.xlsx) or a web page (.html)",
        ));
    let desk = common::sample_desk();
    let d = desk.path();
    let before = std::fs::read(d.join("data/orders.csv")).unwrap();
    caredesk()
        .args([
            "report",
            "--as-of",
            "2026-11-22",
            "--format",
            "html",
            "--data",
        ])
        .arg(d.join("data"))
        .arg("--output")
        .arg(d.join("data/orders.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is an input file"));
    assert_eq!(std::fs::read(d.join("data/orders.csv")).unwrap(), before);
}

#[test]
fn html_goes_to_a_pipe_when_asked() {
    assert!(page().starts_with("<!DOCTYPE html>"));
}

#[test]
fn a_workbook_named_without_a_folder_is_written_in_the_working_folder() {
    // `--output r.xlsx`: the output's folder is the working one (its parent is "").
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    caredesk()
        .current_dir(dir.path())
        .arg("--data")
        .arg(root.join("data"))
        .arg("--policy")
        .arg(root.join("config/policy.toml"))
        .args(["report", "--as-of", "2026-11-22", "--output", "r.xlsx"])
        .assert()
        .success();
    assert!(!sheets(&dir.path().join("r.xlsx")).is_empty());
}

/// The page's table `id`: its headers, and per row each cell's class and text (tags
/// stripped, the missed mark's `✗ ` kept).
fn page_table(page: &str, id: &str) -> (Vec<String>, Vec<Vec<(String, String)>>) {
    let start = page
        .find(&format!("id=\"table-{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = &page[start..];
    let table = &table[..table.find("</table>").unwrap()];
    let strip = |s: &str| -> String {
        let mut out = String::new();
        let mut tag = false;
        for ch in s.chars() {
            match ch {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&quot;", "\"").replace("&amp;", "&")
    };
    let (head, body) = table.split_once("</thead>").unwrap();
    let mut headers: Vec<String> = head.split("</th>").map(strip).collect();
    headers.pop();
    let rows = body
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let class = cell
                        .split_once("class=\"")
                        .filter(|(before, _)| !before.contains('>'))
                        .map_or("", |(_, rest)| rest.split('"').next().unwrap());
                    let text = &cell[cell.find('>').unwrap() + 1..];
                    let text = text.split("</td>").next().unwrap();
                    (class.to_string(), strip(text))
                })
                .collect()
        })
        .collect();
    (headers, rows)
}

/// The sample's October report as a web page, written to a pipe.
fn page() -> String {
    let out = caredesk()
        .args(["report", "--as-of", "2026-11-22", "--format", "html"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_overview_names_its_rows_and_each_change_is_the_month_less_the_month_before() {
    let (_dir, path) = report("xlsx", &[]);
    let all = sheets(&path);
    let (_, overview) = table(&all["概览"], "指标");
    let labels: Vec<String> = overview.iter().map(|r| text(Some(&r[0]))).collect();
    // The lifecycle rows say their days: sleeping begins the day after active ends.
    assert!(
        labels.contains(&"活跃客户（90天内有到店）".to_string()),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"沉睡客户（91–180天未到店）".to_string()),
        "{labels:?}"
    );
    // A tier with a label says it after its name; one whose label is its name, once.
    assert!(
        labels.contains(&"客户数：Diamond 钻石会员".to_string()),
        "{labels:?}"
    );
    assert!(labels.contains(&"客户数：D".to_string()), "{labels:?}");
    let mut changes = 0;
    for row in &overview {
        let label = text(Some(&row[0]));
        match (number(Some(&row[1])), number(Some(&row[2]))) {
            (Some(now), Some(before)) => {
                let change = number(Some(&row[3]))
                    .unwrap_or_else(|| panic!("{label}: no change beside two figures"));
                assert!(
                    (change - (now - before)).abs() < 1e-6,
                    "{label}: {change} != {now} - {before}"
                );
                if now != before {
                    changes += 1;
                }
            }
            _ => assert_eq!(number(Some(&row[3])), None, "{label}: a change of nothing"),
        }
    }
    assert!(changes >= 5, "the sample's October moved");
    // Points, a score (decimal), and the sales, money, both changed on the sample.
    for label in [
        "考核得分",
        "当月销售额（含退款）",
        "客户流失率（365天未购买）",
    ] {
        let row = overview
            .iter()
            .find(|r| text(Some(&r[0])) == label)
            .unwrap_or_else(|| panic!("no {label}"));
        assert_ne!(number(Some(&row[3])), Some(0.0), "{label}");
    }
}

#[test]
fn the_tiers_summary_heads_its_churn_rate_without_the_days() {
    let page = page();
    let (headers, _) = page_table(&page, "tiers-summary");
    assert_eq!(headers[7], "客户流失率", "{headers:?}");
    let english = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(english.path(), "[report]\nlanguage = \"en\"\n").unwrap();
    let (_d, path) = report("html", &["--policy", english.path().to_str().unwrap()]);
    let page = std::fs::read_to_string(&path).unwrap();
    let (headers, _) = page_table(&page, "tiers-summary");
    assert_eq!(headers[7], "churn rate", "{headers:?}");
}

#[test]
fn a_missed_target_is_marked_on_its_met_cell_and_only_there() {
    let page = page();
    // The scorecard: the met column (7) is marked where it says no, and nowhere else.
    // The satisfaction: the same, its met column being 8.
    for (id, met) in [("kpi-scorecard", 7), ("satisfaction-by-owner", 8)] {
        let (headers, rows) = page_table(&page, id);
        assert_eq!(headers[met], "达标", "{id}");
        let mut missed = 0;
        for row in &rows {
            for (c, (class, text)) in row.iter().enumerate() {
                let marked = class.split(' ').any(|c| c == "miss");
                if c == met {
                    assert_eq!(marked, text.ends_with('否'), "{id} {row:?}");
                    assert_eq!(marked, text.starts_with('✗'), "{id} {row:?}");
                    missed += usize::from(marked);
                } else {
                    assert!(!marked, "{id}: column {c} marked in {row:?}");
                }
            }
        }
        assert!(
            missed > 0 && missed < rows.len(),
            "{id}: the sample has both"
        );
    }
}

#[test]
fn every_complaint_breached_or_escalated_is_listed() {
    let page = page();
    let (_, categories) = page_table(&page, "complaints-by-category");
    let total = categories.last().unwrap();
    assert_eq!(total[0].1, "合计");
    let count = |c: usize| total[c].1.parse::<usize>().unwrap();
    let (_, flagged) = page_table(&page, "complaints-flagged");
    let yes = |row: &[(String, String)], c: usize| row[c].1.ends_with('是');
    // Every one whose resolution was late, whether or not its response was.
    assert_eq!(
        flagged.iter().filter(|r| yes(r, 10)).count(),
        count(4),
        "resolution breached"
    );
    assert_eq!(
        flagged.iter().filter(|r| yes(r, 9)).count(),
        count(3),
        "response breached"
    );
    assert!(
        flagged
            .iter()
            .any(|r| !yes(r, 9) && yes(r, 10) && r[5].1 == "normal"),
        "the sample has one only late to close: K0065"
    );
    let k0065 = flagged.iter().find(|r| r[0].1 == "K0065").unwrap();
    assert_eq!((k0065[9].1.as_str(), k0065[10].1.as_str()), ("否", "✗ 是"));
}
