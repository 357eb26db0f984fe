//! The care loop from the outside (issue 15): survey answers logged from the command line
//! and from a filled worksheet, the call list they change, the satisfaction KPIs, the
//! `survey` report and `check`'s view of answers.csv.

use std::path::Path;
use std::process::Command as Process;

mod common;

use common::caredesk;
use predicates::prelude::*;

/// October 2026 at a small desk (the shipped policy): Ann, a Diamond (care plan), bought
/// on 1 Oct (callback-3d due 4 Oct, sales form); Bob had an install on 2 Oct (survey due
/// 9 Oct, install form) and bought on 10 Oct (callback-3d due 13 Oct); Cy had a repair on
/// 3 Oct (survey due 10 Oct, service form); Dee may not be called.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,owner,store,contact_ok\n\
         C1,Ann,13800000001,陈静,上海,true\n\
         C2,Bob,13800000002,王磊,北京,true\n\
         C3,Cy,13800000003,王磊,北京,true\n\
         C4,Dee,13800000004,陈静,上海,false\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount,outcome\n\
         O1,C1,2026-10-01,sale,1000000.00,\n\
         O2,C2,2026-10-02,install,0,pass\n\
         O3,C3,2026-10-03,repair,0,\n\
         S2,C2,2026-10-10,sale,100.00,\n\
         O4,C4,2026-10-01,sale,50.00,\n",
    )
    .unwrap();
    std::fs::write(
        d.join("contacts.csv"),
        "customer_id,rule,source_id,done_on,by,result,note\n",
    )
    .unwrap();
    dir
}

fn write(d: &Path, file: &str, text: &str) {
    std::fs::write(d.join(file), text).unwrap();
}

fn read(d: &Path, file: &str) -> String {
    std::fs::read_to_string(d.join(file)).unwrap_or_default()
}

fn run(d: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    caredesk().arg("--data").arg(d).args(args).assert()
}

/// The CSV a command prints, as rows of cells (header first).
fn rows(d: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let out = run(d, args).success().get_output().stdout.clone();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// `due` on a day: (rule, source_id, attempts) of each item.
fn due(d: &Path, date: &str) -> Vec<(String, String, String)> {
    let table = rows(d, &["due", "--date", date, "--format", "csv"]);
    let at = |name: &str| table[0].iter().position(|h| h == name).unwrap();
    let (rule, source, attempts) = (at("rule"), at("source_id"), at("attempts"));
    table[1..]
        .iter()
        .map(|r| (r[rule].clone(), r[source].clone(), r[attempts].clone()))
        .collect()
}

/// The scorecard's row of one KPI (and group): assessed, passed, rate, target, met.
fn kpi(d: &Path, extra: &[&str], group: &str, name: &str) -> [String; 5] {
    let mut args = vec!["kpi", "--as-of", "2026-11-22", "--format", "csv"];
    args.extend_from_slice(extra);
    let table = rows(d, &args);
    let r = table
        .iter()
        .find(|r| r[0] == group && r[1] == name)
        .unwrap_or_else(|| panic!("no {group} {name} in {table:?}"));
    [
        r[3].clone(),
        r[4].clone(),
        r[6].clone(),
        r[7].clone(),
        r[8].clone(),
    ]
}

/// October's answers and calls: Ann 4 (satisfied), Bob 3 (not), Cy not surveyed; Ann's
/// callback done on the last day of grace, Bob's on the day after; Cy refused.
fn october(d: &Path) {
    write(
        d,
        "answers.csv",
        "customer_id,rule,source_id,question,score,answered_on\n\
         C1,callback-3d,O1,overall,4,2026-10-18\n\
         C1,callback-3d,O1,polite,非常满意,2026-10-18\n\
         C2,survey,O2,overall,一般,2026-10-09\n\
         C2,survey,O2,appointment,5,2026-10-09\n",
    );
    write(
        d,
        "contacts.csv",
        "customer_id,rule,source_id,done_on,by,result,note\n\
         C1,callback-3d,O1,2026-10-18,陈静,done,\n\
         C2,survey,O2,2026-10-09,王磊,,\n\
         C3,survey,O3,2026-10-10,王磊,no_answer,\n\
         C3,survey,O3,2026-10-11,王磊,refused,\n\
         C2,callback-3d,S2,2026-10-28,王磊,done,\n",
    );
}

#[test]
fn log_records_the_call_and_each_answer_by_digit_or_label() {
    let desk = desk();
    let d = desk.path();
    run(
        d,
        &[
            "log",
            "C2",
            "survey",
            "O2",
            "--by",
            "王磊",
            "--on",
            "2026-10-09",
            "--as-of",
            "2026-10-09",
            "--answer",
            "overall=5",
            "--answer",
            "appointment=比较满意",
            "--answer",
            "explained=不予评价",
            "--answer",
            "final_check= 3 ",
        ],
    )
    .success()
    .stdout(predicate::str::contains(
        "logged C2 survey O2 done 2026-10-09 by 王磊 in ",
    ))
    .stdout(predicate::str::contains("with 4 answers in "));
    assert_eq!(
        read(d, "answers.csv"),
        "customer_id,rule,source_id,question,score,answered_on\n\
         C2,survey,O2,overall,5,2026-10-09\n\
         C2,survey,O2,appointment,4,2026-10-09\n\
         C2,survey,O2,explained,,2026-10-09\n\
         C2,survey,O2,final_check,3,2026-10-09\n"
    );
    assert!(read(d, "contacts.csv").ends_with("C2,survey,O2,2026-10-09,王磊,done,\n"));
    run(d, &["check", "--as-of", "2026-10-09"])
        .success()
        .stdout(predicate::str::contains("1 contacts logged, 4 answers"));
}

#[test]
fn log_refuses_answers_that_do_not_fit_and_writes_nothing() {
    let desk = desk();
    let d = desk.path();
    let before = read(d, "contacts.csv");
    for (args, why) in [
        (
            &["C2", "survey", "O2", "--answer", "polite=5"][..],
            "no question \"polite\" in form \"install\"",
        ),
        (
            &[
                "C3", "survey", "O3", "--answer", "polite=5", "--answer", "fit=5",
            ],
            "no question \"fit\" in form \"service\"",
        ),
        (
            &["C2", "survey", "O2", "--answer", "overall=6"],
            "expected a score 1 to 5",
        ),
        (
            &["C2", "survey", "O2", "--answer", "overall=4.5"],
            "expected a score 1 to 5",
        ),
        (
            &["C2", "survey", "O2", "--answer", "overall=满意"],
            "expected a score 1 to 5",
        ),
        (
            &["C1", "callback-3m", "O1", "--answer", "overall=5"],
            "rule callback-3m has no survey form",
        ),
        (
            &[
                "C2",
                "survey",
                "O2",
                "--result",
                "no_answer",
                "--answer",
                "overall=5",
            ],
            "a no_answer call has no answers",
        ),
        (
            &[
                "C2",
                "survey",
                "O2",
                "--answer",
                "overall=5",
                "--answer",
                "overall=4",
            ],
            "given twice",
        ),
    ] {
        caredesk()
            .arg("--data")
            .arg(d)
            .args(["log", "--as-of", "2026-11-22"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    assert_eq!(read(d, "contacts.csv"), before);
    assert!(!d.join("answers.csv").exists(), "no answers file was made");
}

#[test]
fn a_no_answer_keeps_the_item_with_its_attempts_and_a_refusal_ends_it() {
    let desk = desk();
    let d = desk.path();
    let survey_o3 = |list: &[(String, String, String)]| {
        list.iter()
            .find(|(r, s, _)| r == "survey" && s == "O3")
            .map(|(_, _, a)| a.clone())
    };
    assert_eq!(survey_o3(&due(d, "2026-10-08")), Some(String::new()));
    for day in ["2026-10-07", "2026-10-08"] {
        run(
            d,
            &[
                "log",
                "C3",
                "survey",
                "O3",
                "--result",
                "no_answer",
                "--on",
                day,
                "--as-of",
                "2026-10-08",
            ],
        )
        .success()
        .stdout(predicate::str::contains(format!(
            "C3 survey O3 no_answer {day}"
        )));
    }
    assert_eq!(survey_o3(&due(d, "2026-10-08")), Some("2".into()));
    assert_eq!(
        survey_o3(&due(d, "2026-10-07")),
        Some("1".into()),
        "as of the 7th"
    );
    run(
        d,
        &[
            "log",
            "C3",
            "survey",
            "O3",
            "--result",
            "refused",
            "--as-of",
            "2026-10-09",
        ],
    )
    .success();
    assert_eq!(survey_o3(&due(d, "2026-10-09")), None, "refused ends it");
    assert_eq!(
        survey_o3(&due(d, "2026-10-08")),
        Some("2".into()),
        "not yet on the 8th"
    );
}

#[test]
fn the_dissatisfied_are_on_the_list_the_day_after_and_leave_it_when_called() {
    let desk = desk();
    let d = desk.path();
    run(
        d,
        &[
            "log",
            "C3",
            "survey",
            "O3",
            "--answer",
            "overall=不太满意",
            "--as-of",
            "2026-10-08",
        ],
    )
    .success();
    let dissatisfied = |date: &str| {
        due(d, date)
            .into_iter()
            .filter(|(r, _, _)| r == "dissatisfied")
            .map(|(_, s, _)| s)
            .collect::<Vec<_>>()
    };
    assert!(
        dissatisfied("2026-10-08").is_empty(),
        "not on the day of the answer"
    );
    assert_eq!(dissatisfied("2026-10-09"), ["O3"]);
    assert_eq!(dissatisfied("2026-10-23"), ["O3"], "14 days overdue");
    assert!(dissatisfied("2026-10-24").is_empty(), "past the grace");
    // An item that is no dissatisfied call is refused; the real one is logged.
    caredesk()
        .arg("--data")
        .arg(d)
        .args(["log", "C2", "dissatisfied", "O2", "--as-of", "2026-10-09"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "answered with an overall score of 2 or less",
        ));
    // Nor is another customer's: O3 was answered unhappily by C3, not by C2.
    caredesk()
        .arg("--data")
        .arg(d)
        .args(["log", "C2", "dissatisfied", "O3", "--as-of", "2026-10-09"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "C2 has no call \"O3\" answered with an overall score of 2 or less",
        ));
    run(
        d,
        &["log", "C3", "dissatisfied", "O3", "--as-of", "2026-10-09"],
    )
    .success();
    assert!(dissatisfied("2026-10-10").is_empty());
    // A 3 is not dissatisfied.
    run(
        d,
        &[
            "log",
            "C2",
            "survey",
            "O2",
            "--answer",
            "overall=3",
            "--as-of",
            "2026-10-09",
        ],
    )
    .success();
    assert!(dissatisfied("2026-10-10").is_empty());
}

#[test]
fn csat_counts_a_4_as_satisfied_and_a_3_not() {
    let desk = desk();
    let d = desk.path();
    october(d);
    assert_eq!(
        kpi(d, &[], "all", "csat"),
        ["2", "1", "0.5000", "0.9000", "false"]
    );
    let by_owner = ["--by", "owner"];
    assert_eq!(
        kpi(d, &by_owner, "陈静", "csat"),
        ["1", "1", "1.0000", "0.9000", "true"]
    );
    assert_eq!(
        kpi(d, &by_owner, "王磊", "csat"),
        ["1", "0", "0.0000", "0.9000", "false"]
    );
}

#[test]
fn survey_coverage_counts_the_key_accounts_and_the_rest_apart() {
    let desk = desk();
    let d = desk.path();
    october(d);
    // Ann (Diamond): her one item answered. The rest: Bob's install answered, Cy's
    // repair and Bob's callback not; Dee is never called and not counted.
    assert_eq!(
        kpi(d, &[], "all", "coverage_key"),
        ["1", "1", "1.0000", "1.0000", "true"]
    );
    assert_eq!(
        kpi(d, &[], "all", "coverage_rest"),
        ["3", "1", "0.3333", "0.5000", "false"]
    );
    // Before Cy's window has run its grace (10 Oct + 14), his item is not assessed yet.
    let table = rows(
        d,
        &[
            "kpi",
            "--as-of",
            "2026-10-24",
            "--month",
            "2026-10",
            "--format",
            "csv",
        ],
    );
    let rest = table.iter().find(|r| r[1] == "coverage_rest").unwrap();
    assert_eq!((rest[3].as_str(), rest[4].as_str()), ("1", "1"), "{rest:?}");
}

#[test]
fn a_follow_up_done_on_the_last_day_of_grace_counts_and_the_day_after_does_not() {
    let desk = desk();
    let d = desk.path();
    october(d);
    // Ann's callback (due 4 Oct) done 18 Oct: passed; Bob's (due 13 Oct) done 28 Oct:
    // failed; Bob's survey done, Cy's refused: passed.
    assert_eq!(
        kpi(d, &[], "all", "followup_done"),
        ["4", "3", "0.7500", "1.0000", "false"]
    );
    assert_eq!(
        kpi(d, &["--by", "owner"], "王磊", "followup_done"),
        ["3", "2", "0.6667", "1.0000", "false"]
    );
    // The scorecard's total is what it was: the satisfaction KPIs weigh nothing.
    let table = rows(d, &["kpi", "--as-of", "2026-11-22", "--format", "csv"]);
    let total = table.iter().find(|r| r[1] == "total").unwrap();
    assert_eq!(
        (total[9].as_str(), total[10].as_str()),
        ("5.00", "5.00"),
        "only the install KPI weighs: {total:?}"
    );
}

#[test]
fn target_average_is_met_at_the_rate_of_all_owners_together() {
    let desk = desk();
    let d = desk.path();
    october(d);
    write(
        d,
        "average.toml",
        "[[kpi.rules]]\nname = \"csat\"\nmeasure = \"csat\"\ntarget = \"average\"\nweight = 10\n\
         [[kpi.rules]]\nname = \"followup_done\"\nmeasure = \"followup_done\"\ntarget = \"average\"\nweight = 10\n",
    );
    let policy = d.join("average.toml");
    let policy = policy.to_str().unwrap();
    let by_owner = ["--by", "owner", "--policy", policy];
    // CSAT: 1 of 2 together. Ann's owner 1/1 meets it, Bob's 0/1 does not.
    assert_eq!(
        kpi(d, &by_owner, "陈静", "csat"),
        ["1", "1", "1.0000", "0.5000", "true"]
    );
    assert_eq!(
        kpi(d, &by_owner, "王磊", "csat"),
        ["1", "0", "0.0000", "0.5000", "false"]
    );
    // Follow-ups: 3 of 4 together; 2/3 is below, 1/1 above.
    assert_eq!(
        kpi(d, &by_owner, "王磊", "followup_done"),
        ["3", "2", "0.6667", "0.7500", "false"]
    );
    assert_eq!(
        kpi(d, &by_owner, "陈静", "followup_done"),
        ["1", "1", "1.0000", "0.7500", "true"]
    );
    // Without groups the one group is the average: met.
    assert_eq!(
        kpi(d, &["--policy", policy], "all", "csat"),
        ["2", "1", "0.5000", "0.5000", "true"]
    );
}

#[test]
fn the_survey_report_holds_each_question_against_its_target() {
    let desk = desk();
    let d = desk.path();
    october(d);
    let table = rows(d, &["survey", "--as-of", "2026-11-22", "--format", "csv"]);
    assert_eq!(
        table[0],
        ["group", "form", "question", "label", "calls", "rated", "mean", "target", "met", "csat"]
    );
    let line = |form: &str, q: &str| {
        table
            .iter()
            .find(|r| r[1] == form && r[2] == q)
            .map(|r| r[4..].join(","))
            .unwrap_or_else(|| panic!("no {form}.{q}"))
    };
    assert_eq!(line("sales", "overall"), "1,1,4.00,4.50,false,1.0000");
    assert_eq!(line("sales", "polite"), "1,1,5.00,4.50,true,");
    assert_eq!(line("sales", "fit"), "0,0,,4.50,,");
    assert_eq!(line("install", "overall"), "1,1,3.00,4.50,false,0.0000");
    assert!(
        table.iter().all(|r| r[1] != "service"),
        "no service answers"
    );
    run(d, &["survey", "--as-of", "2026-11-22", "--format", "table"])
        .success()
        .stdout(predicate::str::contains(
            "below target (整改 list): sales.overall 4.00 < 4.50, install.overall 3.00 < 4.50",
        ));
    run(
        d,
        &[
            "survey",
            "--as-of",
            "2026-11-22",
            "--month",
            "2026-09",
            "--format",
            "table",
        ],
    )
    .success()
    .stdout(predicate::str::contains(
        "no survey answers from 2026-09-01 to 2026-09-30",
    ));
    let by_owner = rows(
        d,
        &[
            "survey",
            "--as-of",
            "2026-11-22",
            "--by",
            "owner",
            "--format",
            "csv",
        ],
    );
    assert!(by_owner.iter().any(|r| r[0] == "陈静" && r[1] == "sales"));
    assert!(by_owner.iter().any(|r| r[0] == "王磊" && r[1] == "install"));
}

#[test]
fn check_holds_each_answer_to_its_calls_form() {
    let desk = desk();
    let d = desk.path();
    write(
        d,
        "answers.csv",
        "customer_id,rule,source_id,question,score,answered_on\n\
         C2,survey,O2,overall,5,2026-10-09\n\
         C2,survey,O2,polite,4,2026-10-09\n\
         C3,survey,O3,polite,4.5,2026-10-09\n\
         C9,survey,O3,overall,4,2026-10-09\n\
         C1,birthday,2026-06-01,overall,4,2026-10-09\n\
         C2,survey,O3,overall,4,2026-10-32\n\
         C1,callback-3d,O1,quick_fix,4,2026-10-09\n\
         C1,survey,O1,overall,4,2026-10-09\n\
         C1,survey,O2,overall,4,2026-10-09\n",
    );
    let out = run(d, &["check", "--as-of", "2026-11-22"]).code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for expected in [
        ":3: question: \"polite\": no such question in form \"install\" (the form of this call); expected appointment, explained, service_info, care_guide, final_check, overall",
        ":4: score: \"4.5\": expected a score 1 to 5",
        ":5: customer_id: \"C9\": no such customer",
        ":6: rule: \"birthday\": expected a rule with a survey form: callback-3d, survey",
        ":7: answered_on: \"2026-10-32\"",
        ":8: question: \"quick_fix\": no such question in the form of rule \"callback-3d\"; expected polite, expertise, fit, knowledge, needs, on_time, overall",
        ":9: question: \"overall\": this call has no survey form",
        // O2 is Bob's install: a survey call of Ann's cannot be about it.
        ":10: source_id: \"O2\": no order of C1 with this id: a call of rule \"survey\" is about one of the customer's jobs",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    assert!(text.contains("8 problems found"), "{text}");
}

/// Runs a Python script with openpyxl, the second xlsx library of the round trip
/// (`.ci/run` installs it; without it the test fails, it is not skipped).
fn python(script: &str) {
    let out = Process::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 runs (the xlsx round trip re-saves the sheet with openpyxl)");
    assert!(
        out.status.success(),
        "python3 with openpyxl (pip install openpyxl; .ci/run installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_worksheet_filled_and_saved_by_another_xlsx_library_is_logged_once() {
    let desk = desk();
    let d = desk.path();
    let sheet = d.join("calls.xlsx");
    caredesk()
        .arg("--data")
        .arg(d)
        .args(["due", "--date", "2026-10-09", "--worksheet", "--output"])
        .arg(&sheet)
        .assert()
        .success();
    let filled = d.join("filled.xlsx");
    python(&format!(
        r#"
import datetime, openpyxl
wb = openpyxl.load_workbook({sheet:?})
ws = wb.active
head = [c.value for c in ws[1]]
col = {{h: i + 1 for i, h in enumerate(head)}}
for name in ["done_on", "by", "result", "note", "overall", "polite", "appointment", "quick_fix"]:
    assert name in col, (name, head)
lists = {{str(v.sqref): v.formula1 or "" for v in ws.data_validations.dataValidation}}
assert any("no_answer" in f for f in lists.values()), lists
assert any("非常满意" in f and "不予评价" in f for f in lists.values()), lists
# The scale's list sits on each question's column, and no list on the call's own columns.
from openpyxl.utils import get_column_letter
by_col = {{}}
for v in ws.data_validations.dataValidation:
    for cells in str(v.sqref).split():
        by_col["".join(ch for ch in cells.split(":")[0] if ch.isalpha())] = v.formula1 or ""
for q in ["overall", "polite", "appointment", "quick_fix"]:
    assert "非常满意" in by_col.get(get_column_letter(col[q]), ""), (q, by_col)
for own in ["customer_id", "name", "rule", "source_id"]:
    assert get_column_letter(col[own]) not in by_col, (own, by_col)
rows = {{(ws.cell(r, col["customer_id"]).value, ws.cell(r, col["source_id"]).value): r for r in range(2, ws.max_row + 1)}}
assert {{("C1", "O1"), ("C2", "O2"), ("C3", "O3")}} <= set(rows), rows
r = rows[("C1", "O1")]
ws.cell(r, col["done_on"]).value = datetime.date(2026, 10, 9)
ws.cell(r, col["by"]).value = "陈静"
ws.cell(r, col["overall"]).value = 5
ws.cell(r, col["polite"]).value = "比较满意"
r = rows[("C2", "O2")]
ws.cell(r, col["done_on"]).value = "2026-10-09"
ws.cell(r, col["result"]).value = "no_answer"
r = rows[("C3", "O3")]
ws.cell(r, col["done_on"]).value = datetime.datetime(2026, 10, 9)
ws.cell(r, col["overall"]).value = "不予评价"
ws.cell(r, col["quick_fix"]).value = 4
ws.cell(r, col["note"]).value = "said, \"fine\""
wb.save({filled:?})
"#
    ));
    let log = || {
        caredesk()
            .arg("--data")
            .arg(d)
            .args(["log", "--as-of", "2026-10-09", "--from"])
            .arg(&filled)
            .assert()
            .success()
    };
    log()
        .stdout(predicate::str::contains("logged 3 calls from "))
        .stdout(predicate::str::contains(
            "(2 done, 1 no_answer) and 4 answers",
        ))
        .stdout(predicate::str::contains(
            "skipped 0 rows already logged, 2 rows with nothing filled in",
        ));
    let contacts = read(d, "contacts.csv");
    let answers = read(d, "answers.csv");
    assert_eq!(
        contacts,
        "customer_id,rule,source_id,done_on,by,result,note\n\
         C1,callback-3d,O1,2026-10-09,陈静,done,\n\
         C2,survey,O2,2026-10-09,,no_answer,\n\
         C3,survey,O3,2026-10-09,,done,\"said, \"\"fine\"\"\"\n"
    );
    assert_eq!(
        answers,
        "customer_id,rule,source_id,question,score,answered_on\n\
         C1,callback-3d,O1,overall,5,2026-10-09\n\
         C1,callback-3d,O1,polite,4,2026-10-09\n\
         C3,survey,O3,overall,,2026-10-09\n\
         C3,survey,O3,quick_fix,4,2026-10-09\n"
    );
    // Read again: nothing is logged twice.
    log()
        .stdout(predicate::str::contains("nothing new to log"))
        .stdout(predicate::str::contains("skipped 3 rows already logged"));
    assert_eq!(read(d, "contacts.csv"), contacts);
    assert_eq!(read(d, "answers.csv"), answers);
    // The call list follows: Bob's survey stays, tried once; the other calls are done
    // (Ann's holiday greetings are still to send).
    let calls: Vec<_> = due(d, "2026-10-09")
        .into_iter()
        .filter(|(rule, _, _)| rule != "holiday")
        .collect();
    assert_eq!(
        calls,
        [("survey".to_string(), "O2".to_string(), "1".to_string())]
    );
    // Read again with another default for the empty `by` cells: C3's call ended its item
    // already, so it is not logged twice though its row now reads differently; C2's
    // no_answer did not, and is a second attempt.
    let out = caredesk()
        .arg("--data")
        .arg(d)
        .args(["log", "--as-of", "2026-10-09", "--by", "王磊", "--from"])
        .arg(&filled)
        .assert()
        .success()
        .get_output()
        .clone();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("logged 1 call from "), "{said}");
    assert!(
        said.contains("(1 no_answer)"),
        "only C2's unended call again: {said}"
    );
    assert!(said.contains("skipped 2 rows already logged"), "{said}");
}

#[test]
fn a_sheet_with_bad_cells_writes_nothing_and_names_each_cell() {
    let desk = desk();
    let d = desk.path();
    write(
        d,
        "sheet.csv",
        "due_date,customer_id,rule,source_id,done_on,by,result,note,overall,polite,appointment\n\
         2026-10-09,C1,callback-3d,O1,2026-10-09,陈静,,,5,4,\n\
         2026-10-09,C9,callback-3d,O1,2026-10-09,,,,,,\n\
         2026-10-09,C2,survey,O2,2026-10-09,,,,6,,\n\
         2026-10-09,C2,survey,O2,2026-10-09,,,,,4,\n\
         2026-10-09,C3,survey,O3,2026-13-01,,,,,,\n\
         2026-10-09,C3,survey,O3,2026-10-09,,no_answer,,5,,\n\
         2026-10-09,C3,survey,O9,2026-10-09,,maybe,,,,\n\
         2026-10-09,C3,survey,O3,,,,,,,\n",
    );
    let before = read(d, "contacts.csv");
    let out = caredesk()
        .arg("--data")
        .arg(d)
        .args(["log", "--as-of", "2026-10-09", "--from"])
        .arg(d.join("sheet.csv"))
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    for expected in [
        "sheet.csv:3: customer_id: \"C9\": no such customer",
        "sheet.csv:4: overall: \"6\": expected a score 1 to 5",
        "sheet.csv:5: polite: \"4\": no question \"polite\" in form \"install\"",
        "sheet.csv:6: done_on: \"2026-13-01\"",
        "sheet.csv:7: overall: \"5\": a no_answer call has no answers",
        "sheet.csv:8: result: \"maybe\": expected done, no_answer or refused",
        "nothing was logged",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(!err.contains("sheet.csv:2:"), "the good row is fine: {err}");
    assert!(
        !err.contains("sheet.csv:9:"),
        "a row with nothing filled in is skipped: {err}"
    );
    assert_eq!(read(d, "contacts.csv"), before, "nothing was written");
    assert!(!d.join("answers.csv").exists());
    // An item that does not exist is named too, once the cells are right.
    write(
        d,
        "sheet.csv",
        "customer_id,rule,source_id,done_on\nC3,survey,O9,2026-10-09\n",
    );
    caredesk()
        .arg("--data")
        .arg(d)
        .args(["log", "--as-of", "2026-10-09", "--from"])
        .arg(d.join("sheet.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "sheet.csv:2: source_id: \"O9\": no item of rule survey for C3: C3 has no order \"O9\"",
        ));
}

/// A policy that sets its own scale and keeps the default forms scores on that scale: a
/// 7 (or its label) is a score, as the policy says, not refused by the 5-point default.
#[test]
fn a_scale_of_its_own_without_forms_of_its_own_is_the_scale_used() {
    let desk = desk();
    let d = desk.path();
    write(
        d,
        "policy.toml",
        "[survey.scale]\n\
         labels = [\"极差\", \"很差\", \"较差\", \"一般\", \"较好\", \"很好\", \"极好\"]\n\
         not_rated = \"不予评价\"\n\
         satisfied = 6\n",
    );
    caredesk()
        .arg("--data")
        .arg(d)
        .arg("--policy")
        .arg(d.join("policy.toml"))
        .args([
            "log",
            "C2",
            "survey",
            "O2",
            "--by",
            "王磊",
            "--on",
            "2026-10-09",
        ])
        .args(["--as-of", "2026-10-09", "--answer", "overall=7"])
        .args(["--answer", "appointment=很好"])
        .assert()
        .success();
    assert_eq!(
        read(d, "answers.csv"),
        "customer_id,rule,source_id,question,score,answered_on\n\
         C2,survey,O2,overall,7,2026-10-09\n\
         C2,survey,O2,appointment,6,2026-10-09\n"
    );
}

/// A call list's worksheet saved as CSV (`due --worksheet --output calls.csv`), to fill
/// in and save again; the desks' cells hold no commas or quotes.
struct CsvSheet {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl CsvSheet {
    fn read(path: &Path) -> CsvSheet {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text
            .lines()
            .map(|l| l.split(',').map(String::from).collect());
        let header = lines.next().unwrap();
        CsvSheet {
            header,
            rows: lines.collect(),
        }
    }

    fn at(&self, column: &str) -> usize {
        self.header.iter().position(|h| h == column).unwrap()
    }

    /// The first row of `customer`'s item `source`.
    fn row_of(&self, customer: &str, source: &str) -> usize {
        let (c, s) = (self.at("customer_id"), self.at("source_id"));
        self.rows
            .iter()
            .position(|r| r[c] == customer && r[s] == source)
            .unwrap_or_else(|| panic!("no {customer} {source} in {:?}", self.rows))
    }

    fn set(&mut self, row: usize, column: &str, value: &str) {
        let at = self.at(column);
        self.rows[row][at] = value.to_string();
    }

    fn save(&self, path: &Path) {
        let mut text = self.header.join(",") + "\n";
        for row in &self.rows {
            text += &(row.join(",") + "\n");
        }
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn a_worksheet_row_is_refused_with_its_answers_checked_then_logged_once() {
    // The row's result is wrong, so it is no call; its second question's score is wrong
    // too, and that problem names the question's own column.
    let desk = common::sample_desk();
    let d = desk.path();
    let data = d.join("data");
    let path = d.join("calls.csv");
    let policy = d.join("policy.toml");
    caredesk()
        .arg("--data")
        .arg(&data)
        .arg("--policy")
        .arg(&policy)
        .args(["due", "--as-of", "2026-11-22", "--worksheet", "--output"])
        .arg(&path)
        .assert()
        .success();
    let mut sheet = CsvSheet::read(&path);
    sheet.rows.truncate(1);
    assert_eq!(sheet.header[sheet.at("overall") + 1], "polite");
    sheet.set(0, "done_on", "2026-11-22");
    sheet.set(0, "result", "bogus");
    sheet.set(0, "polite", "9");
    sheet.save(&path);
    let log = || {
        caredesk()
            .arg("--data")
            .arg(&data)
            .arg("--policy")
            .arg(&policy)
            .args(["log", "--as-of", "2026-11-22", "--from"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let out = log();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("calls.csv:2: result: \"bogus\": expected"),
        "{said}"
    );
    assert!(
        said.contains("calls.csv:2: polite: \"9\": expected a score 1 to 5"),
        "{said}"
    );
    assert!(said.contains("nothing was logged"), "{said}");
    // Corrected, the one row is logged with no word of skipping; read again, it is the
    // one row skipped. The rows of bare commas (and spaces) a spreadsheet leaves where
    // rows were deleted are blank lines, not rows "with nothing filled in".
    sheet.set(0, "result", "done");
    sheet.set(0, "polite", "4");
    sheet.save(&path);
    let commas = ",".repeat(sheet.header.len() - 1);
    let spaced = vec![" "; sheet.header.len()].join(",");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text += &format!("{commas}\n{spaced}\n{commas}\n");
    std::fs::write(&path, text).unwrap();
    let logged = || {
        let out = log();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = logged();
    assert!(first.contains("logged 1 call from "), "{first}");
    assert!(!first.contains("skipped"), "{first}");
    let again = logged();
    assert!(
        again.contains("skipped 1 row already logged, 0 rows with nothing filled in"),
        "{again}"
    );
}

#[test]
fn a_sheet_read_again_logs_greetings_that_share_a_customer_or_a_holiday() {
    // Two Diamond customers greeted for the same holiday: the items share the source id
    // (the holiday's date). C1's greeting is logged first; the sheet, read again with C5's
    // row filled in too, logs C5's: another customer's ended call is not this one.
    let desk = desk();
    let d = desk.path();
    let orders = read(d, "orders.csv") + "O5,C5,2026-10-01,sale,1000000.00,\n";
    write(d, "orders.csv", &orders);
    let customers = read(d, "customers.csv") + "C5,Eve,13800000005,陈静,上海,true\n";
    write(d, "customers.csv", &customers);
    let path = d.join("calls.csv");
    let path_arg = path.to_str().unwrap();
    run(
        d,
        &[
            "due",
            "--date",
            "2026-10-09",
            "--worksheet",
            "--output",
            path_arg,
        ],
    )
    .success();
    let mut sheet = CsvSheet::read(&path);
    let (c1, c5) = (
        sheet.row_of("C1", "2026-10-01"),
        sheet.row_of("C5", "2026-10-01"),
    );
    let c1_before = sheet.row_of("C1", "2026-09-25");
    let log = |by: &str| {
        let args = [
            "log",
            "--as-of",
            "2026-10-09",
            "--by",
            by,
            "--from",
            path_arg,
        ];
        let out = run(d, &args).success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    sheet.set(c1, "done_on", "2026-10-09");
    sheet.save(&path);
    assert!(log("陈静").contains("logged 1 call from "));
    // Nor is the same customer's greeting of another holiday.
    sheet.set(c5, "done_on", "2026-10-09");
    sheet.set(c1_before, "done_on", "2026-10-09");
    sheet.save(&path);
    let again = log("王磊");
    assert!(again.contains("logged 2 calls from "), "{again}");
    assert!(again.contains("skipped 1 row already logged"), "{again}");
    let contacts = read(d, "contacts.csv");
    for row in [
        "C1,holiday,2026-10-01,2026-10-09,陈静,done",
        "C5,holiday,2026-10-01,2026-10-09,王磊,done",
        "C1,holiday,2026-09-25,2026-10-09,王磊,done",
    ] {
        assert!(contacts.contains(row), "{row}: {contacts}");
    }
    assert_eq!(contacts.lines().count(), 4, "no call twice: {contacts}");
}

#[test]
fn the_survey_table_marks_only_the_met_cells_of_questions_below_target() {
    let out = caredesk()
        .args([
            "survey",
            "--as-of",
            "2026-11-22",
            "--format",
            "table",
            "--color",
            "never",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let table = String::from_utf8(out.stdout).unwrap();
    let marks = table.matches('✗').count();
    assert!(marks > 0, "the sample has questions below target:\n{table}");
    assert_eq!(table.matches("✗ no ").count(), marks, "{table}");
    let unmarked: Vec<&str> = table.lines().filter(|l| l.contains("┆ no ")).collect();
    assert!(
        unmarked.is_empty(),
        "misses without their mark: {unmarked:?}"
    );
}
