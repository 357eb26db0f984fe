//! `caredesk init` on a Chinese office's exports (tests/fixtures/chinese/: GB18030,
//! UTF-8 with a BOM and UTF-16, Chinese headers, another column order, 2026/11/22 dates):
//! the policy it writes passes `check`, and `tiers` on the exports is `tiers` on data/.

use std::path::Path;

mod common;

use common::caredesk;

fn exports() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chinese");
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

#[test]
fn init_maps_the_exports_writes_a_policy_and_checks_it() {
    let dir = exports();
    let d = dir.path();
    let out = caredesk()
        .args([
            "init",
            "--as-of",
            "2026-11-22",
            "--from",
            d.to_str().unwrap(),
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for line in [
        "customers ← ",
        "  customer_id   = \"会员卡号\"  (the usual name)",
        "  owner         = \"专属顾问\"  (the usual name)",
        "  amount        = \"实收金额(元)\"  (the usual name)",
        "  not used: \"收银员\"",
        "  opened_at     = \"受理时间\"  (the usual name)",
        "ok: 320 customers, 3389 orders, 90 complaints, 0 contacts logged",
    ] {
        assert!(stdout.contains(line), "{line:?} in\n{stdout}");
    }
    let policy = d.join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains("[columns.customers]"), "{text}");
    let at = |table: &str| {
        text.find(&format!("\n{table}"))
            .unwrap_or_else(|| panic!("no {table} in {text}"))
    };
    assert!(
        at("[columns.customers]") < at("[tiers]"),
        "the mapping is where its example was, before [tiers]"
    );
    for example in ["# [columns.", "# customer_id = ", "# amount = "] {
        assert!(
            !text.contains(example),
            "the commented example gives way: {text}"
        );
    }
    assert!(
        text.contains(
            "# [[due.holidays]]\n# name = \"New Year's Eve 除夕\"\n# lunar = \"12-last\"\n"
        ),
        "the holidays' example keeps its name: {text}"
    );
    assert!(text.contains("customer_id = \"会员卡号\""), "{text}");
    assert!(
        text.contains("[[tiers.levels]]"),
        "the shipped defaults follow"
    );

    // The second command, as init printed it.
    let next = stdout
        .lines()
        .find_map(|l| l.strip_prefix("next: caredesk "))
        .unwrap();
    assert!(next.starts_with("tiers --summary --policy "), "{next}");
    let tiers = |extra: &[&str]| {
        let out = caredesk()
            .args(["tiers", "--as-of", "2026-11-22", "--format", "csv"])
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let p = |name: &str| d.join(name).to_str().unwrap().to_string();
    let ours = tiers(&[
        "--policy",
        &p("policy.toml"),
        "--customers",
        &p("会员资料.csv"),
        "--orders",
        &p("销售明细.csv"),
        "--complaints",
        &p("投诉记录.txt"),
    ]);
    assert_eq!(
        ours,
        tiers(&[]),
        "the exports give the contract files' answer"
    );

    // Never over an existing file.
    let before = std::fs::read(&policy).unwrap();
    caredesk()
        .args(["init", "--from", d.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "exists; init never writes over a file",
        ));
    assert_eq!(std::fs::read(&policy).unwrap(), before);
}

#[test]
fn init_checks_the_files_it_set_up_not_those_of_the_working_folder() {
    // The working folder has a data/ of its own, every file of it unreadable: the check
    // init runs reads the exports' complaints and no contacts or answers, none of these.
    let dir = exports();
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir(cwd.path().join("data")).unwrap();
    for name in ["complaints.csv", "contacts.csv", "answers.csv"] {
        std::fs::write(cwd.path().join("data").join(name), "not,a\n\"file\n").unwrap();
    }
    let out = caredesk()
        .current_dir(cwd.path())
        .args(["init", "--as-of", "2026-11-22", "--from"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "ok: 320 customers, 3389 orders, 90 complaints, 0 contacts logged, 0 answers; policy "
        ),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_writes_where_policy_says_and_guesses_from_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Headers the table does not know: phones, ids, dates and amounts are recognised by
    // their values; the order number is not, and is reported missing.
    std::fs::write(
        d.join("会员.csv"),
        "卡号,姓名,联络\nM1,张伟,13812345678\nM2,李娜,13987654321\n",
    )
    .unwrap();
    std::fs::write(
        d.join("流水.csv"),
        "票,客,日,钱\nS1,M1,2026/10/01,\"¥1,200.00\"\nS2,M2,2026/10/02,30\n",
    )
    .unwrap();
    let target = d.join("acme.toml");
    let out = caredesk()
        .args([
            "init",
            "--as-of",
            "2026-11-22",
            "--from",
            d.to_str().unwrap(),
        ])
        .args(["--policy", target.to_str().unwrap()])
        .assert()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(target.exists(), "{stdout}");
    assert!(stdout.contains("  phone         = \"联络\"  (guessed: 11-digit numbers starting with 1: mobile phones)"), "{stdout}");
    assert!(
        stdout.contains("  customer_id   = \"客\"  (guessed: its values are customer ids)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  date          = \"日\"  (guessed: its values are dates)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  amount        = \"钱\"  (guessed: its values are amounts)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  order_id        not found: required"),
        "{stdout}"
    );
    assert!(
        stdout.contains("missing required column order_id"),
        "check says so: {stdout}"
    );
}

#[test]
fn init_into_a_full_disk_or_a_closed_pipe_never_panics() {
    // Its report went out through print!, which panics (exit 101) when stdout fails.
    let dir = exports();
    let d = dir.path().to_str().unwrap();
    let full = common::caredesk_std()
        .args(["init", "--as-of", "2026-11-22", "--from", d])
        .stdout(common::full_disk())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{said}");
    assert!(said.contains("writing output: No space left"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    // The policy was written before the report. Into a pipe closed at once: quietly, exit 0.
    std::fs::remove_file(dir.path().join("policy.toml")).unwrap();
    let mut child = common::caredesk_std()
        .args(["init", "--as-of", "2026-11-22", "--from", d])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

/// `init --from DIR` on a folder made of the fixture's exports under other names and
/// files `written` (name, text): (exit code, stdout, stderr).
fn init_on(files: &[(&str, &str)], written: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chinese");
    for (source, name) in files {
        std::fs::copy(from.join(source), dir.path().join(name)).unwrap();
    }
    for (name, text) in written {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = common::caredesk_std()
        .args(["init", "--as-of", "2026-11-22", "--from"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

const CUSTOMERS: &str = "会员资料.csv";
const ORDERS: &str = "销售明细.csv";

#[test]
fn init_without_an_orders_file_says_so() {
    let (code, _, said) = init_on(&[(CUSTOMERS, CUSTOMERS)], &[]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("found no orders file"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

#[test]
fn a_files_name_breaks_a_tie_and_a_file_that_fits_nothing_is_not_used() {
    // The same customer columns twice: the file named like a customer file is taken.
    // notes.csv fits no contract file and its name says none: it is left out, said so,
    // and there is no complaints file.
    let (code, out, said) = init_on(
        &[
            (CUSTOMERS, "a.csv"),
            (CUSTOMERS, CUSTOMERS),
            (ORDERS, ORDERS),
        ],
        &[("notes.csv", "x,y,z\n1,2,3\n")],
    );
    assert_eq!(code, Some(0), "{said}");
    let chosen = |kind: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{kind} ← ")))
            .map(str::to_string)
    };
    assert!(
        chosen("customers").is_some_and(|l| l.contains(CUSTOMERS)),
        "{out}"
    );
    for file in ["a.csv", "notes.csv"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("not used: ") && l.contains(file)),
            "{file}: {out}"
        );
    }
    assert!(chosen("complaints").is_none(), "{out}");
    assert!(out.contains("no complaints file"), "{out}");
}

#[test]
fn the_next_command_names_each_file_not_under_its_contract_name() {
    // customers.csv is the contract's name, the orders' file is not: both are named, the
    // one with a space quoted as one shell word. A folder and a README are no inputs.
    let (code, out, said) = init_on(
        &[(CUSTOMERS, "customers.csv"), (ORDERS, "销售 明细.csv")],
        &[("README.md", "exports of 2026-11\n")],
    );
    assert_eq!(code, Some(0), "{said}");
    let next = out
        .lines()
        .find_map(|l| l.strip_prefix("next: "))
        .unwrap_or_else(|| panic!("no next line in {out}"));
    assert!(next.contains("/customers.csv --orders '"), "{next}");
    assert!(next.contains("/销售 明细.csv' --data "), "{next}");
    assert!(next.contains(" --customers "), "{next}");
    assert!(!out.contains("README"), "{out}");
}

#[test]
fn init_reads_the_exports_in_the_encoding_it_is_told() {
    // The fixture's customers are GB18030: found when the encoding is guessed, not when
    // init is told they are UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chinese");
    for f in [CUSTOMERS, ORDERS] {
        std::fs::copy(from.join(f), dir.path().join(f)).unwrap();
    }
    let run = |extra: &[&str]| {
        common::caredesk_std()
            .args(["init", "--as-of", "2026-11-22"])
            .args(extra)
            .arg("--from")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let told = run(&["--encoding", "utf-8"]);
    let said = String::from_utf8_lossy(&told.stderr);
    assert_eq!(told.status.code(), Some(2), "{said}");
    assert!(said.contains("found no customers file"), "{said}");
    let guessed = run(&[]);
    assert!(
        guessed.status.success(),
        "{}",
        String::from_utf8_lossy(&guessed.stderr)
    );
}

#[test]
fn init_refuses_data_files_named_besides_from_and_writes_nothing() {
    // init reads the files in --from; a file named with another flag would go unread.
    let dir = exports();
    for (flags, said) in [
        (
            &["--contacts", "elsewhere/contacts.csv"][..],
            "not --contacts;",
        ),
        (
            &["--complaints", "k.csv", "--answers", "a.csv"],
            "not --complaints, --answers;",
        ),
        (&["--data", "exports"], "not --data;"),
        (
            &["--customers", "c.csv", "--orders", "o.csv"],
            "not --customers, --orders;",
        ),
    ] {
        caredesk()
            .args(["init", "--from"])
            .arg(dir.path())
            .args(flags)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!(
                "init reads the exports in --from, {said} give --from the directory"
            )));
        assert!(!dir.path().join("policy.toml").exists(), "{flags:?}");
    }
}

#[test]
fn a_column_of_numbers_that_are_not_mobile_phones_is_not_guessed_a_phone() {
    // Without a phone header, a column is taken for phones only when its values are
    // 11-digit numbers starting with 1: points or card numbers are not.
    let mut customers = String::from("客户编号,姓名,积分,卡号\n");
    let mut phones = String::from("客户编号,姓名,号码\n");
    for i in 0..20 {
        customers.push_str(&format!(
            "C{i},客户{i},{},{}\n",
            100 + i,
            20_000_000_000u64 + i
        ));
        phones.push_str(&format!("C{i},客户{i},{}\n", 13_800_000_000u64 + i));
    }
    let orders = "订单号,客户编号,日期,金额\nO1,C1,2026-11-01,10.00\n";
    let (code, stdout, said) = init_on(&[], &[("客户.csv", &customers), ("订单.csv", orders)]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        stdout.contains("phone           not found (optional: left empty)"),
        "{stdout}"
    );
    let (code, stdout, said) = init_on(&[], &[("客户.csv", &phones), ("订单.csv", orders)]);
    assert_eq!(code, Some(0), "{said}");
    assert!(stdout.contains("phone         = \"号码\""), "{stdout}");
}
