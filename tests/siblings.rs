//! The siblings of issue 12's defects: each test is a case the first pass did not cover
//! in a class it fixed elsewhere (an output path that replaced a device or an input, a
//! panic on a full stderr, a reader that let an open quote through, a message naming the
//! wrong line, a workbook that asked for unbounded memory, a filter that said nothing).

use std::path::Path;
use std::process::Stdio;

mod common;

use common::{caredesk, caredesk_std, sample_desk};
use predicates::prelude::*;

const AS_OF: [&str; 2] = ["--as-of", "2026-11-22"];

fn no_panic(out: &std::process::Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
    assert_ne!(out.status.code(), None, "killed by a signal: {err}");
}

// ---- `sql --output`: the one output path, like every table command's ----

#[test]
fn sql_output_never_replaces_a_data_file() {
    let desk = sample_desk();
    let d = desk.path();
    let before = std::fs::read(d.join("data/customers.csv")).unwrap();
    for target in [
        "data/customers.csv",
        "data/../data/orders.csv",
        "data/contacts.csv",
    ] {
        caredesk()
            .current_dir(d)
            .args([
                "sql",
                "tiers",
                "--dialect",
                "duckdb",
                "--policy",
                "policy.toml",
            ])
            .args(AS_OF)
            .args(["--output", target])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("refusing to write over it"));
    }
    assert_eq!(std::fs::read(d.join("data/customers.csv")).unwrap(), before);
}

#[test]
fn sql_output_follows_a_symlink_and_writes_into_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("real.sql"), "old").unwrap();
    std::os::unix::fs::symlink(d.join("real.sql"), d.join("link.sql")).unwrap();
    caredesk()
        .args(["sql", "summary", "--dialect", "duckdb", "--output"])
        .arg(d.join("link.sql"))
        .args(AS_OF)
        .assert()
        .success();
    assert!(d.join("link.sql").is_symlink(), "the link stays a link");
    let text = std::fs::read_to_string(d.join("real.sql")).unwrap();
    assert!(text.starts_with("-- caredesk sql summary"), "{text}");

    // A device node (made here, as /dev/null's twin): written into, never replaced.
    let null = d.join("null");
    let made = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mknod needs root: the symlink case above still ran");
        return;
    }
    caredesk()
        .args(["sql", "summary", "--dialect", "duckdb", "--output"])
        .arg(&null)
        .args(AS_OF)
        .assert()
        .success();
    let kind = std::fs::symlink_metadata(&null).unwrap().file_type();
    assert!(kind.is_char_device(), "the device node is still a device");
}

#[test]
fn sql_refusal_on_a_full_stderr_does_not_panic() {
    let out = caredesk_std()
        .args(["sql", "kpi", "--dialect", "duckdb", "--as-of", "0000-01-01"])
        .stdout(Stdio::null())
        .stderr(common::full_disk())
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
}

// ---- `log` reads the log it appends to as every input is read ----

fn log_into(d: &Path, contacts: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    std::fs::write(d.join("data/contacts.csv"), contacts).unwrap();
    caredesk()
        .current_dir(d)
        .args(["log", "--policy", "policy.toml"])
        .args(AS_OF)
        .args(args)
        .assert()
}

/// Issue 12's own example, with the file ending in a line end: the quote opened on line
/// 2 swallows the later rows, and the new row was written inside it.
#[test]
fn log_refuses_a_log_with_a_quote_left_open_though_it_ends_in_a_newline() {
    let desk = sample_desk();
    let d = desk.path();
    let text = "customer_id,rule,source_id,done_on,by,note\n\
                C0003,survey,O01737,2026-06-01,刘洋,\"said \"\"ok\n\
                C0003,callback-3d,O01737,2026-06-02,刘洋,fine\n";
    log_into(d, text, &["C0003", "callback-3m", "O01473"])
        .code(1)
        .stderr(predicate::str::contains("contacts.csv:2:"))
        .stderr(predicate::str::contains("never closed"));
    assert_eq!(
        std::fs::read_to_string(d.join("data/contacts.csv")).unwrap(),
        text,
        "nothing written into the open quote"
    );
}

/// "already logged: … is line N" names the physical line, after blank lines and in an
/// old-Mac file too (the csv crate counted only `\n`, and skipped blank lines uncounted).
#[test]
fn log_names_the_physical_line_of_the_row_already_logged() {
    let desk = sample_desk();
    let d = desk.path();
    let row = "C0003,callback-3m,O01473,2026-11-22,,";
    for (text, line) in [
        (
            format!("customer_id,rule,source_id,done_on,by,note\n\n\n{row}\n"),
            4,
        ),
        (
            format!("customer_id,rule,source_id,done_on,by,note\rC0003,survey,O01737,2026-06-01,,\r{row}\r"),
            3,
        ),
    ] {
        log_into(d, &text, &["C0003", "callback-3m", "O01473"])
            .success()
            .stdout(predicate::str::contains(format!("is line {line} of")));
        assert_eq!(
            std::fs::read_to_string(d.join("data/contacts.csv")).unwrap(),
            text
        );
    }
}
