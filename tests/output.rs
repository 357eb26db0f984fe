//! Where output goes: stdout (a closed pipe is success, a full disk is exit 1 with a
//! message, never a panic), `--output` files (atomic, never over an input however it is
//! spelt), devices and FIFOs (written into, never replaced), and the notes under a table.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

mod common;

use common::{caredesk, caredesk_std, sample_desk};
use predicates::prelude::*;

/// Runs caredesk with stdout on `/dev/full`: every write fails with "no space".
fn into_full_disk(args: &[&str]) -> std::process::Output {
    caredesk_std()
        .args(args)
        .stdout(common::full_disk())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn no_panic(out: &std::process::Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

/// `caredesk ARGS | true`: the reader is gone before the first line is written.
fn into_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut child = caredesk_std()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn check_into_a_closed_pipe_is_success() {
    let out = into_closed_pipe(&["check", "--as-of", "2026-11-22"]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn check_keeps_its_verdict_when_the_reader_stops_early() {
    // `check | head -1` on bad data: the reader saw the first problem; the exit code
    // still says the data is bad. (More problems than a pipe holds, so the reader is
    // gone while check is still writing.)
    let dir = tempfile::tempdir().unwrap();
    let mut customers = String::from("customer_id,name,birthday\n");
    for i in 0..3000 {
        customers.push_str(&format!("C{i},N,not-a-date\n"));
    }
    std::fs::write(dir.path().join("customers.csv"), customers).unwrap();
    std::fs::write(
        dir.path().join("orders.csv"),
        "order_id,customer_id,date,amount\n",
    )
    .unwrap();
    let mut child = caredesk_std()
        .arg("check")
        .arg("--data")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_full_disk_on_stdout_is_exit_1_with_a_message() {
    for args in [
        &["check", "--as-of", "2026-11-22"][..],
        // Bad data: the problems cannot be written either, and that is said.
        &[
            "check",
            "--as-of",
            "2026-11-22",
            "--data",
            "tests/fixtures/bad",
        ],
        &[
            "due",
            "--date",
            "2026-11-22",
            // An owner with nothing due under this rule: the one-line "nothing due".
            "--owner",
            "Zhang Wei",
            "--rule",
            "points-expiry",
            "--format",
            "table",
        ],
        &["tiers", "--as-of", "2026-11-22", "--format", "csv"],
        &[
            "tiers",
            "--summary",
            "--as-of",
            "2026-11-22",
            "--format",
            "table",
        ],
    ] {
        let out = into_full_disk(args);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("writing output: No space left on device"),
            "{args:?}: {err}"
        );
    }
}

/// A stderr that cannot be written does not panic the run either.
#[test]
fn a_full_stderr_does_not_panic() {
    let out = caredesk_std()
        .args([
            "tiers",
            "--data",
            "tests/fixtures/bad",
            "--as-of",
            "2026-11-22",
        ])
        .stdout(Stdio::null())
        .stderr(common::full_disk())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

fn refused(d: &Path, args: &[&str], output: &Path) {
    caredesk()
        .current_dir(d)
        .args(args)
        .arg("--output")
        .arg(output)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to write over it"));
}

#[test]
fn every_file_a_run_reads_is_protected_from_output() {
    let desk = sample_desk();
    let d = desk.path();
    let args = ["tiers", "--as-of", "2026-11-22", "--policy", "policy.toml"];
    // the contact log, though `tiers` does not read it
    refused(d, &args, &d.join("data/contacts.csv"));
    refused(d, &args, Path::new("data/../data/contacts.csv"));
    refused(d, &args, &d.join("policy.toml"));
    // a hard link and a symlink to an input
    std::fs::hard_link(d.join("data/orders.csv"), d.join("hard.csv")).unwrap();
    std::os::unix::fs::symlink(d.join("data/customers.csv"), d.join("link.csv")).unwrap();
    refused(d, &args, &d.join("hard.csv"));
    refused(d, &args, &d.join("link.csv"));

    // overrides and previous tiers, for every command that takes them
    std::fs::write(d.join("pins.csv"), "customer_id,tier,reason\n").unwrap();
    refused(
        d,
        &[
            "due",
            "--date",
            "2026-11-22",
            "--policy",
            "policy.toml",
            "--overrides",
            "pins.csv",
        ],
        Path::new("pins.csv"),
    );
    refused(
        d,
        &[&args[..], &["--overrides", "pins.csv"]].concat(),
        Path::new("pins.csv"),
    );
    caredesk()
        .current_dir(d)
        .args(args)
        .args(["--output", "prev.xlsx"])
        .assert()
        .success();
    refused(
        d,
        &[&args[..], &["--previous", "prev.xlsx#caredesk"]].concat(),
        Path::new("prev.xlsx"),
    );

    // a sheet of a workbook as orders: the workbook is the input
    caredesk()
        .current_dir(d)
        .args(["tiers", "--as-of", "2026-11-22", "--policy", "policy.toml"])
        .args(["--format", "csv"])
        .assert()
        .success();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("orders").unwrap();
    for (c, h) in ["order_id", "customer_id", "date", "amount"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    book.save(d.join("orders.xlsx")).unwrap();
    let before = std::fs::read(d.join("orders.xlsx")).unwrap();
    refused(
        d,
        &[&args[..], &["--orders", "orders.xlsx#orders"]].concat(),
        Path::new("orders.xlsx"),
    );
    assert_eq!(std::fs::read(d.join("orders.xlsx")).unwrap(), before);

    let original =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/contacts.csv")).unwrap();
    assert_eq!(
        std::fs::read(d.join("data/contacts.csv")).unwrap(),
        original
    );
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_fifo()
}

#[test]
fn a_fifo_as_output_is_written_into_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.csv");
    mkfifo(&fifo);
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    for target in [&fifo, &link] {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        let out = caredesk()
            .args(["tiers", "--summary", "--as-of", "2026-11-22", "--output"])
            .arg(target)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        // (a reader left blocked on a replaced FIFO ends with the test process)
        assert!(is_fifo(&fifo), "the FIFO is still a FIFO");
        if !out.status.success() {
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        }
        let text = reader.join().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.starts_with("tier,customers,"), "{text}");
    }
    assert!(link.is_symlink());
}

#[test]
fn proc_self_fd_1_as_output_is_stdout() {
    let out = caredesk()
        .args(["tiers", "--summary", "--as-of", "2026-11-22"])
        .args(["--format", "csv", "--output", "/proc/self/fd/1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("tier,customers,"));
}

/// A device node as output (made here, as /dev/full's twin, so a defect cannot replace
/// the machine's own): written into, a write error is exit 1, and the node stays.
#[test]
fn a_device_as_output_is_written_into_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    let made = std::process::Command::new("mknod")
        .arg(&full)
        .args(["c", "1", "7"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mknod needs root: the FIFO test covers non-regular outputs here");
        return;
    }
    let out = caredesk()
        .args([
            "tiers",
            "--summary",
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
            "--output",
        ])
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No space left on device"), "{err}");
    let kind = std::fs::symlink_metadata(&full).unwrap().file_type();
    assert!(kind.is_char_device(), "the device node is still a device");
}

#[test]
fn an_output_folder_that_cannot_be_written_is_named() {
    caredesk()
        .args([
            "tiers",
            "--as-of",
            "2026-11-22",
            "--output",
            "/proc/caredesk-tiers.csv",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "caredesk: /proc: cannot write the output in this folder",
        ))
        .stderr(predicate::str::contains(".tmp").not());
}

#[test]
fn a_folder_or_a_file_in_the_wrong_place_is_a_usage_error() {
    caredesk()
        .args(["check", "--data", "README.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--data README.md: is a file"));
    caredesk()
        .args(["check", "--orders", "src"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("src: is a folder"));
    caredesk()
        .args(["tiers", "--policy", "src"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("src: is a folder"));
    caredesk()
        .args(["tiers", "--as-of", "2026-11-22", "--output", "src"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a folder; give a file name"));
}

/// The notes under a table ("period: …", "n/a — …") are shown once per stream and never
/// lost: in the md or table output, and on stderr for every export.
#[test]
fn notes_go_once_to_each_place_that_shows_them() {
    let kpi = ["kpi", "--as-of", "2026-11-22"];
    let md = caredesk()
        .args(kpi)
        .args(["--format", "md"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&md.stdout).contains("\nperiod: 2026-10-01 to 2026-10-31"));
    assert_eq!(
        String::from_utf8_lossy(&md.stderr),
        "",
        "md holds its notes: not twice"
    );

    let dir = tempfile::tempdir().unwrap();
    for name in ["kpi.csv", "kpi.json", "kpi.xlsx", "kpi.md"] {
        let out = caredesk()
            .args(kpi)
            .arg("--output")
            .arg(dir.path().join(name))
            .output()
            .unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("period: 2026-10-01 to 2026-10-31"),
            "{name}: {err:?}"
        );
    }
    let file = std::fs::read_to_string(dir.path().join("kpi.md")).unwrap();
    assert!(
        file.contains("period: 2026-10-01"),
        "an md file keeps its notes"
    );
    let file = std::fs::read_to_string(dir.path().join("kpi.csv")).unwrap();
    assert!(!file.contains("period:"), "csv holds data only");
}

#[test]
fn due_within_is_bounded() {
    caredesk()
        .args(["due", "--date", "2026-11-22", "--within", "4294967295"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not in 0..=366"));
    caredesk()
        .args([
            "due",
            "--date",
            "2026-11-22",
            "--within",
            "366",
            "--format",
            "csv",
        ])
        .assert()
        .success();
}

/// A big table view is written as it is made: its memory does not grow with the rows
/// (the whole table as one comfy-table took 12.8 GiB for 2 million customers).
#[test]
fn a_big_table_view_stays_small_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut customers = String::from("customer_id,name\n");
    for i in 0..200_000 {
        customers.push_str(&format!("C{i},Name {i}\n"));
    }
    std::fs::write(d.join("customers.csv"), customers).unwrap();
    std::fs::write(d.join("orders.csv"), "order_id,customer_id,date,amount\n").unwrap();
    let peak_kib = |format: &str| {
        let out = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(caredesk_std().get_program())
            .args([
                "tiers",
                "--as-of",
                "2026-11-22",
                "--format",
                format,
                "--data",
            ])
            .arg(d)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        err.trim().lines().last().unwrap().parse::<u64>().unwrap()
    };
    if !Path::new("/usr/bin/time").exists() {
        panic!("this test measures peak memory with /usr/bin/time (apt-get install time)");
    }
    let (table, csv) = (peak_kib("table"), peak_kib("csv"));
    // the same customers in memory either way; the table adds a page, not the table
    assert!(table < csv + 64 * 1024, "table {table} KiB, csv {csv} KiB");
}

/// The refusal comes before the work: bad data is not even read.
#[test]
fn an_output_over_an_input_is_refused_before_the_work() {
    caredesk()
        .args(["tiers", "--data", "tests/fixtures/bad", "--output"])
        .arg("tests/fixtures/bad/customers.csv")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to write over it"))
        .stderr(predicate::str::contains("problem").not());
}

#[test]
fn each_output_extension_names_its_format() {
    // .txt is the table view, as on a terminal; the others as their names say.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str| {
        let path = dir.path().join(name);
        caredesk()
            .args(["tiers", "--summary", "--as-of", "2026-11-22", "--output"])
            .arg(&path)
            .assert()
            .success();
        std::fs::read(&path).unwrap()
    };
    let table = String::from_utf8(write("tiers.txt")).unwrap();
    assert!(table.starts_with('┌'), "{table}");
    let md = String::from_utf8(write("tiers.md")).unwrap();
    assert!(md.starts_with("| "), "{md}");
    let csv = String::from_utf8(write("tiers.csv")).unwrap();
    assert!(csv.starts_with("tier,"), "{csv}");
    let json = String::from_utf8(write("tiers.json")).unwrap();
    assert!(json.starts_with('['), "{json}");
    assert!(write("tiers.xlsx").starts_with(b"PK"), "a zip");
}

#[test]
fn xlsx_to_a_terminal_is_refused_and_into_a_pipe_written() {
    // A terminal, as util-linux's `script` gives one (it is in every Debian).
    let bin = caredesk_std().get_program().to_string_lossy().into_owned();
    let command = format!("'{bin}' tiers --summary --as-of 2026-11-22 --format xlsx");
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script (util-linux) runs the command on a terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("xlsx is a binary file: give --output FILE.xlsx (or pipe it somewhere)"),
        "{text}"
    );
    let piped = caredesk()
        .args([
            "tiers",
            "--summary",
            "--as-of",
            "2026-11-22",
            "--format",
            "xlsx",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(piped.starts_with(b"PK"), "a workbook into the pipe");
}

#[test]
fn a_columns_of_zero_is_no_width() {
    // COLUMNS=0 (an unset terminal's) is not a width: the card is as without COLUMNS.
    let table = |columns: Option<&str>| {
        let mut cmd = caredesk();
        cmd.args([
            "customer",
            "C0001",
            "--as-of",
            "2026-11-22",
            "--format",
            "table",
        ]);
        cmd.env_remove("COLUMNS");
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        cmd.assert().success().get_output().stdout.clone()
    };
    assert_eq!(table(Some("0")), table(None));
    assert_ne!(table(Some("40")), table(None), "a real width narrows it");
}

#[test]
fn every_table_command_refuses_an_extension_it_cannot_write_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.xls");
    for command in [
        &["tiers"][..],
        &["kpi"],
        &["due", "--date", "2026-11-22"],
        &["complaints"],
    ] {
        caredesk()
            .args(command)
            .args(["--as-of", "2026-11-22", "--output"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "--output: .xls is not a format caredesk writes",
            ));
        assert!(!path.exists(), "{command:?} wrote {}", path.display());
    }
}
