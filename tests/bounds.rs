//! Bounds on what an input may make caredesk hold, and on what clap prints: the siblings
//! of issue 12 left after its first pass. A record that never ends a line (in any reader,
//! in any encoding, from a file or a pipe) stops its file at 16 MiB with an error; help and
//! version written into a full disk are exit 1 with a message; a legacy workbook whose
//! cells span more than its cells justify is an error naming the cell.
//!
//! Each run that could grow without bound runs under a 1 GiB address-space limit, so that
//! the old binary fails fast (an abort) instead of filling the shared machine.

use std::path::Path;
use std::process::{Output, Stdio};

mod common;

use common::caredesk_std;

/// Address space a bounded run may use: far above what caredesk needs on the sample (a
/// few dozen MiB resident, a few hundred reserved), far below an input held whole.
const LIMIT_KIB: u64 = 1 << 20;

/// `caredesk ARGS` (from the project root) under [`LIMIT_KIB`], `stdin` piped in from
/// the shell command `feed` when given.
fn bounded(feed: Option<&str>, args: &[&str]) -> Output {
    let bin = common::bin();
    let run = match feed {
        Some(feed) => format!("ulimit -v {LIMIT_KIB}; {feed} | \"$0\" \"$@\""),
        None => format!("ulimit -v {LIMIT_KIB}; exec \"$0\" \"$@\""),
    };
    std::process::Command::new("sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("-c")
        .arg(run)
        .arg(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What a run said, on stdout (`check` lists problems there) and stderr.
fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out))
}

/// Exit 1, no panic, and a line (of stdout or stderr) starting with `start`.
fn refused(out: &Output, start: &str) {
    let err = said(out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.lines().any(|l| l.starts_with(start)),
        "{start:?} in:\n{err}"
    );
}

const TOO_LONG: &str = "this row runs on past 16 MiB without a line end";

// ---- 1. a record that never ends a line ----

#[test]
fn dev_zero_as_any_input_stops_at_the_record_limit() {
    for input in [
        "--customers",
        "--orders",
        "--complaints",
        "--contacts",
        "--answers",
    ] {
        let out = bounded(
            None,
            &["check", "--as-of", "2026-11-22", input, "/dev/zero"],
        );
        refused(
            &out,
            &format!("/dev/zero:1: cannot read the header: {TOO_LONG}"),
        );
    }
}

#[test]
fn a_policy_that_never_ends_stops_at_1_mib() {
    let out = bounded(
        None,
        &["check", "--as-of", "2026-11-22", "--policy", "/dev/zero"],
    );
    refused(
        &out,
        "/dev/zero: the policy runs on past 1 MiB; expected a TOML policy of a few KB",
    );
}

#[test]
fn a_pipe_that_never_ends_a_line_stops_at_the_record_limit_in_every_encoding() {
    for encoding in ["utf-8", "gb18030", "utf-16"] {
        // Only the customers come from the pipe; the other files are the sample's.
        let out = bounded(
            Some("cat /dev/zero"),
            &[
                "check",
                "--as-of",
                "2026-11-22",
                "--customers",
                "/dev/stdin",
                "--encoding",
                encoding,
            ],
        );
        let err = said(&out);
        assert_eq!(out.status.code(), Some(1), "{encoding}: {err}");
        assert!(
            err.contains(&format!(":1: cannot read the header: {TOO_LONG}")),
            "{encoding}: {err}"
        );
    }
}

/// The sample desk, its orders.csv replaced by `orders`.
fn desk_with_orders(orders: &[u8]) -> tempfile::TempDir {
    let desk = common::sample_desk();
    std::fs::write(desk.path().join("data/orders.csv"), orders).unwrap();
    desk
}

fn check_desk(desk: &Path, extra: &[&str]) -> Output {
    let policy = desk.join("policy.toml");
    let data = desk.join("data");
    let mut args = vec![
        "check",
        "--as-of",
        "2026-11-22",
        "--data",
        data.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    bounded(None, &args)
}

#[test]
fn a_file_row_without_a_line_end_is_an_error_on_its_line_in_any_encoding() {
    // Two rows, a blank line, then 40 MiB of one row: past the limit, and past the size
    // a file is transcoded in memory.
    let head = "order_id,customer_id,date,amount\nO1,C0001,2026-01-05,10.00\n\nO2,C0001,2026-01-06,20.00\n";
    let row = vec![b'x'; 40 << 20];
    let utf8 = [head.as_bytes(), &row].concat();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(head.encode_utf16().flat_map(u16::to_le_bytes));
    utf16.extend(row.iter().flat_map(|&b| [b, 0]));
    for (orders, extra) in [
        (&utf8, &[][..]),
        (&utf8, &["--encoding", "gb18030"][..]),
        (&utf16, &[][..]),
    ] {
        let desk = desk_with_orders(orders);
        let out = check_desk(desk.path(), extra);
        let file = desk.path().join("data/orders.csv");
        refused(&out, &format!("{}:5: {TOO_LONG}", file.display()));
    }
}

// ---- 2. clap's own output: help, version, usage ----

fn into(stdout: Stdio, args: &[&str]) -> Output {
    caredesk_std()
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn help_and_version_into_a_full_disk_are_exit_1_with_a_message() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["help", "tiers"],
        &["tiers", "--help"],
        &["help"],
    ] {
        let out = into(common::full_disk(), args);
        refused(&out, "caredesk: writing output: No space left on device");
    }
}

#[test]
fn help_into_a_closed_pipe_is_success_and_into_a_file_is_written() {
    let mut child = caredesk_std()
        .arg("--help")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let out = into(Stdio::piped(), &["help", "tiers"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(" tiers [OPTIONS]"));
}

#[test]
fn a_usage_error_on_a_full_stderr_is_still_exit_2() {
    for args in [
        &["--no-such-flag"][..],
        &["tiers", "--as-of", "2025-02-30"],
        &[],
    ] {
        let out = caredesk_std()
            .args(args)
            .stdout(Stdio::null())
            .stderr(common::full_disk())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

// ---- 3. legacy workbooks: a grid bounded by the cells it holds ----

/// `check --customers tests/fixtures/bounds/FILE`, bounded.
fn check_sheet(file: &str) -> Output {
    let path = format!("tests/fixtures/bounds/{file}");
    bounded(
        None,
        &["check", "--as-of", "2026-11-22", "--customers", &path],
    )
}

#[test]
fn a_legacy_sheet_whose_grid_its_cells_do_not_fill_is_an_error_naming_the_furthest() {
    for (file, furthest, kind) in [
        ("far.ods", "XFD6000", ".ods"),
        ("repeated.ods", "XFD1048576", ".ods"),
        ("far.xls", "IV65536", ".xls"),
    ] {
        let out = check_sheet(file);
        refused(
            &out,
            &format!("tests/fixtures/bounds/{file}: sheet \"客户\": its cells span rows 1 to"),
        );
        let said = said(&out);
        assert!(
            said.contains(&format!("the furthest is {furthest}")),
            "{said}"
        );
        assert!(
            said.contains(&format!("an {kind} sheet is read whole")),
            "{said}"
        );
    }
}

#[test]
fn a_legacy_cell_past_the_last_a_sheet_can_have_is_an_error_naming_it() {
    for (file, cell, last) in [
        ("past.ods", "XFE2", "XFD1048576"),
        ("past.xlsb", "XFE2", "XFD1048576"),
        ("past.xls", "CRXP65536", "IV65536"),
    ] {
        let out = check_sheet(file);
        refused(
            &out,
            &format!("tests/fixtures/bounds/{file}: sheet \"客户\": a cell at {cell}, past the last cell"),
        );
        assert!(said(&out).contains(&format!("({last}:")), "{}", said(&out));
    }
}

#[test]
fn an_xlsb_sheet_is_read_by_the_cells_it_holds() {
    // A header and a cell at XFD1048576: read as .xlsx is, in small memory. The far cell
    // is right of the header's columns, a note beside the table, left out: the sheet has
    // no problem of its own (the sample's other files name customers it does not hold).
    let out = check_sheet("far.xlsb");
    let said = said(&out);
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("no such customer in the customers file"),
        "{said}"
    );
    assert!(!said.contains("far.xlsb:"), "{said}");
}

#[test]
fn an_xls_sheet_that_declares_more_than_a_sheet_holds_is_refused() {
    // Its Dimensions record: rows 1 to 65,536 of 257 columns (calamine would reserve that
    // grid for two rows), or upside down. scripts/make_bound_fixtures.py writes both.
    for (file, declared) in [
        ("declared.xls", "rows 1 to 65536 and columns up to 257"),
        ("upside.xls", "rows 6 to 3 and columns up to 2"),
    ] {
        let out = check_sheet(file);
        refused(
            &out,
            &format!(
                "tests/fixtures/bounds/{file}: sheet \"客户\": it declares its cells as {declared}, \
                 which no .xls sheet holds"
            ),
        );
    }
}

#[test]
fn an_xls_row_of_numbers_in_one_record_is_read() {
    // Excel (and xlwt) write a run of numbers as one MulRk record of 6 bytes a cell: its
    // cells are counted as ten, not as a run past the sheet's last column.
    let out = check_sheet("numbers.xls");
    let said = said(&out);
    assert!(!said.contains("numbers.xls"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}
