//! The siblings of issue 12's defects: each test is a case the first pass did not cover
//! in a class it fixed elsewhere (an output path that replaced a device or an input, a
//! panic on a full stderr, a reader that let an open quote through, a message naming the
//! wrong line, a workbook that asked for unbounded memory, a filter that said nothing).

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
