//! `caredesk log` under attack: a full disk after the row is written, entries that are no
//! item, fields with line breaks, a header without the column asked for, blank and torn
//! files, and kill -9 at any instant.

use std::path::Path;
use std::process::Stdio;

mod common;

use common::{caredesk, caredesk_std, sample_desk};
use predicates::prelude::*;

const AS_OF: [&str; 2] = ["--as-of", "2026-11-22"];

fn log(d: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    caredesk()
        .current_dir(d)
        .args(["log", "--policy", "policy.toml"])
        .args(AS_OF)
        .args(args)
        .assert()
}

fn contacts(d: &Path) -> String {
    std::fs::read_to_string(d.join("data/contacts.csv")).unwrap()
}

#[test]
fn a_receipt_that_cannot_be_printed_is_exit_1_and_the_retry_adds_nothing() {
    let desk = sample_desk();
    let d = desk.path();
    let before = contacts(d);
    let out = caredesk_std()
        .current_dir(d)
        .args(["log", "--policy", "policy.toml"])
        .args(AS_OF)
        .args(["C0003", "callback-3m", "O01473", "--by", "刘洋"])
        .stdout(common::full_disk())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(
        contacts(d).len(),
        before.len() + "C0003,callback-3m,O01473,2026-11-22,刘洋,done,\n".len()
    );
    log(d, &["C0003", "callback-3m", "O01473", "--by", "刘洋"])
        .success()
        .stdout(predicate::str::contains("already logged"));
    let rows = contacts(d)
        .lines()
        .filter(|l| l.starts_with("C0003,callback-3m,O01473,"))
        .count();
    assert_eq!(rows, 1, "logged once");
}

#[test]
fn an_entry_that_is_no_item_is_refused() {
    let desk = sample_desk();
    let d = desk.path();
    let before = contacts(d);
    for (args, why) in [
        (
            &["C0003", "callback-3d", "O99999"][..],
            "C0003 has no order \"O99999\"",
        ),
        (
            &["C0003", "callback-3d", "O01121"],
            "not one the rule follows",
        ),
        (&["C0004", "callback-3d", "O01473"], "has no order"),
        (&["C0003", "birthday", "not-a-date"], "expected YYYY-MM-DD"),
        (
            &["C0003", "birthday", "2026-06-05"],
            "the birthday on file is 1967-06-04",
        ),
        (
            &["C0003", "complaint-response", "K99999"],
            "has no complaint",
        ),
        (
            &["C0003", "holiday", "2026-03-03"],
            "no holiday of the policy",
        ),
        (
            &["C0003", "callback-3m", "O01473", "--on", "2026-11-23"],
            "after 2026-11-22",
        ),
        // a day before what the call follows began: a mistyped year, not a call made
        (
            &["C0003", "callback-3m", "O01473", "--on", "2025-03-25"],
            "it is dated 2025-03-25, before the order was placed (2026-03-25)",
        ),
        (
            &["C0192", "complaint-revisit", "K0033", "--on", "2024-05-19"],
            "before it was opened (2024-05-20)",
        ),
        (
            &["C0033", "dissatisfied", "O03282", "--on", "2026-11-20"],
            "before the call was answered (2026-11-21)",
        ),
        (&["C0003", "callback-3m", "O01473\nC0004"], "line break"),
        (
            &["C0003", "callback-3m", "O01473", "--note", "one\ntwo"],
            "line break",
        ),
        (
            &["C0003", "callback-3m", "O01473", "--by", "a\rb"],
            "line break",
        ),
    ] {
        log(d, args).code(2).stderr(predicate::str::contains(why));
    }
    assert_eq!(contacts(d), before, "nothing was written");
    log(d, &["C0003", "birthday", "2026-06-04"]).success();
    log(d, &["C0003", "survey", "O01737"]).success();
}

#[test]
fn a_value_without_its_column_is_refused_not_dropped() {
    let desk = sample_desk();
    let d = desk.path();
    std::fs::write(
        d.join("data/contacts.csv"),
        "customer_id,rule,source_id,done_on\n",
    )
    .unwrap();
    log(d, &["C0003", "callback-3m", "O01473", "--note", "said ok"])
        .code(2)
        .stderr(predicate::str::contains("its header has no note column"));
    log(d, &["C0003", "callback-3m", "O01473", "--by", "刘洋"])
        .code(2)
        .stderr(predicate::str::contains("its header has no by column"));
    log(d, &["C0003", "callback-3m", "O01473"]).success();
    assert_eq!(
        contacts(d),
        "customer_id,rule,source_id,done_on\nC0003,callback-3m,O01473,2026-11-22\n"
    );
}

#[test]
fn a_blank_contact_log_gets_its_header_first() {
    let desk = sample_desk();
    let d = desk.path();
    std::fs::write(d.join("data/contacts.csv"), "\n\n  \n").unwrap();
    log(d, &["C0003", "callback-3m", "O01473"]).success();
    assert_eq!(
        contacts(d),
        "customer_id,rule,source_id,done_on,by,result,note\nC0003,callback-3m,O01473,2026-11-22,,done,\n"
    );
}

#[test]
fn a_contact_log_that_is_not_utf8_is_named_with_its_line() {
    let desk = sample_desk();
    let d = desk.path();
    let mut bytes = b"customer_id,rule,source_id,done_on,by,note\n".to_vec();
    // GBK "李" then a byte that is neither UTF-8 nor GB18030 (a GBK log is added to in
    // GBK: tests/encodings.rs).
    bytes.extend_from_slice(b"C0003,callback-3m,O01473,2026-11-22,\xc0\xee\xff,\n");
    std::fs::write(d.join("data/contacts.csv"), &bytes).unwrap();
    log(d, &["C0003", "birthday", "2026-06-04"])
        .code(1)
        .stderr(predicate::str::contains(
            "data/contacts.csv:2: expected UTF-8 or GB18030 (GBK) text",
        ));
    assert_eq!(std::fs::read(d.join("data/contacts.csv")).unwrap(), bytes);
}

/// A last row without a line end: a hand-saved file's complete row is kept and the new
/// row goes on the next line; a row cut short (a killed write) is refused, never
/// completed into a row with a cut note.
#[test]
fn a_torn_last_row_is_told_from_a_hand_saved_one() {
    let desk = sample_desk();
    let d = desk.path();
    let header = "customer_id,rule,source_id,done_on,by,note\n";
    let saved = format!("{header}C0003,survey,O01737,2026-06-01,刘洋,ok");
    std::fs::write(d.join("data/contacts.csv"), &saved).unwrap();
    log(d, &["C0003", "callback-3m", "O01473"]).success();
    assert_eq!(
        contacts(d),
        format!("{saved}\nC0003,callback-3m,O01473,2026-11-22,,\n")
    );
    for torn in [
        format!("{header}C0003,survey,O01737,2026-06-01,刘"),
        format!("{header}C0003,survey,O01737,2026-06-01,刘洋,\"said, \"\"fine"),
    ] {
        std::fs::write(d.join("data/contacts.csv"), &torn).unwrap();
        log(d, &["C0003", "callback-3m", "O01473"])
            .code(1)
            .stderr(predicate::str::contains(
                "contacts.csv:2: the last row has no line end",
            ));
        assert_eq!(contacts(d), torn, "nothing was added after a torn row");
    }
}

/// kill -9 at every point of a run (with a 120 KB note, the write takes a while): the
/// log is always whole rows, each note whole.
#[test]
fn kill_9_mid_write_never_leaves_a_torn_row() {
    let desk = sample_desk();
    let d = desk.path();
    let header = "customer_id,rule,source_id,done_on,by,note\n";
    std::fs::write(d.join("data/contacts.csv"), header).unwrap();
    let note: String = "好".repeat(40_000);
    let run = |i: u64| {
        caredesk_std()
            .current_dir(d)
            .args(["log", "--policy", "policy.toml"])
            .args(AS_OF)
            .args(["C0003", "callback-3m", "O01473", "--by"])
            .arg(format!("run {i}"))
            .arg("--note")
            .arg(&note)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long one whole run takes here: the kills are spread over twice that, so that
    // on a loaded machine (a run slower than the first) some late runs still finish.
    let start = std::time::Instant::now();
    assert!(run(0).wait().unwrap().success());
    let whole = start.elapsed();
    let mut logged = 1;
    let mut killed = 0;
    for i in 1..=100u64 {
        let mut child = run(i);
        std::thread::sleep(whole * (i as u32) / 50);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let bytes = std::fs::read(d.join("data/contacts.csv")).unwrap();
        let text = String::from_utf8(bytes).unwrap_or_else(|e| {
            let at = e.utf8_error().valid_up_to();
            panic!("run {i}: the log holds a character cut in two at byte {at}: a torn row")
        });
        assert!(text.ends_with('\n'), "run {i}: the log ends mid-row");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let mut rows = 0;
        for record in r.records() {
            let record = record.unwrap();
            assert_eq!(record.len(), 6, "run {i}: a row of {} cells", record.len());
            assert_eq!(&record[5], note, "run {i}: a cut note");
            rows += 1;
        }
        assert!(rows >= logged, "run {i}: rows were lost");
        logged = rows;
    }
    assert!(killed > 20, "only {killed} runs were killed mid-way");
    assert!(logged > 1, "no killed-late run had logged");
    caredesk()
        .current_dir(d)
        .args(["check", "--policy", "policy.toml"])
        .args(AS_OF)
        .assert()
        .success();
}

#[test]
fn a_worksheet_row_dated_before_its_order_is_refused_by_its_row() {
    let desk = sample_desk();
    let d = desk.path();
    caredesk()
        .current_dir(d)
        .args(["due", "--policy", "policy.toml", "--rule", "callback-3d"])
        .args(AS_OF)
        .args(["--worksheet", "--format", "csv", "-o", "ws.csv"])
        .assert()
        .success();
    let sheet = std::fs::read_to_string(d.join("ws.csv")).unwrap();
    let mut lines: Vec<String> = sheet.lines().map(str::to_string).collect();
    // the first call (C0097's order O03286, placed 2026-11-18), done "in 2025"
    assert!(
        lines[1].contains(",C0097,") && lines[1].contains(",O03286,"),
        "{}",
        lines[1]
    );
    let cells = lines[0].split(',').count();
    let at = lines[0].split(',').position(|c| c == "done_on").unwrap();
    let mut row: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    row.resize(cells, String::new());
    row[at] = "2025-11-19".into();
    row[at + 1] = "Zhang Wei".into();
    lines[1] = row.join(",");
    std::fs::write(d.join("ws.csv"), lines.join("\n") + "\n").unwrap();
    let before = contacts(d);
    log(d, &["--from", "ws.csv"])
        .code(1)
        .stderr(predicate::str::contains("ws.csv:2: source_id"))
        .stderr(predicate::str::contains(
            "it is dated 2025-11-19, before the order was placed (2026-11-18)",
        ));
    assert_eq!(contacts(d), before, "nothing was written");
}

#[test]
fn a_windows_saved_log_gets_rows_that_end_as_its_own_do() {
    let desk = sample_desk();
    let d = desk.path();
    for file in ["contacts.csv", "answers.csv"] {
        let path = d.join("data").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    }
    log(
        d,
        &[
            "C0003",
            "survey",
            "O01737",
            "--by",
            "刘洋",
            "--answer",
            "overall=5",
        ],
    )
    .success();
    for file in ["contacts.csv", "answers.csv"] {
        let bytes = std::fs::read(d.join("data").join(file)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.ends_with("\r\n"),
            "{file}: {:?}",
            &text[text.len() - 40..]
        );
        let lf_only = text
            .match_indices('\n')
            .filter(|(at, _)| !text[..*at].ends_with('\r'));
        assert_eq!(lf_only.count(), 0, "{file}: every line ends in CRLF");
    }
    assert!(contacts(d).contains("C0003,survey,O01737,2026-11-22,刘洋,done,\r\n"));
}
