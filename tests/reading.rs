//! What the readers make of hostile or odd files, from the outside: a quote left open,
//! amounts and dates that only look like numbers, blank lines and old-Mac line ends, a
//! bad phone cell. Each test fails on the build before these fixes (run them with
//! `CAREDESK_BIN=/path/to/old/caredesk cargo test --test reading` to see it).

use std::path::Path;

mod common;

use common::caredesk;

const CUSTOMERS: &str = "customer_id,name,phone\n\
                         C1,Ann,13800138001\n\
                         C2,Bob,13800138002\n\
                         C3,Cat,13800138003\n";
const ORDERS: &str = "order_id,customer_id,date,kind,amount,profit,outcome,referred_by\n\
                      O1,C1,2026-01-05,sale,500.00,,,\n";
const COMPLAINTS: &str =
    "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity\n\
     K1,C1,,service,2026-11-02 09:00,,,normal\n";

/// A data folder: the good files, with `files` written over them.
fn desk(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("customers.csv", CUSTOMERS),
        ("orders.csv", ORDERS),
        ("complaints.csv", COMPLAINTS),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// Runs a command on the folder (with the shipped policy): exit code and stdout+stderr.
fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String) {
    let mut cmd = caredesk();
    cmd.args(args).arg("--data").arg(dir).args([
        "--policy",
        "config/policy.toml",
        "--as-of",
        "2026-11-22",
    ]);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn check(dir: &Path) -> (i32, String) {
    run(dir, &["check"], None)
}

#[test]
fn a_quote_left_open_in_customers_is_an_error_on_its_line_not_a_swallowed_file() {
    let customers = format!(
        "{CUSTOMERS}C4,\"Dan \"\"the man,13700137000\nC5,Eve,13800138005\nC6,Fay,13800138006\n"
    );
    let out = open_quote_said(&customers, "5: name");
    for phone in ["13700137000", "13800138005", "13800138006"] {
        assert!(!out.contains(phone), "no phone in the message: {out}");
    }
}

/// `check` on a desk with `customers`, from the file and piped in (the plain reader): each
/// exits 1 and says a quote opens the field at `at` (`LINE: COLUMN`) and is never closed.
/// Returns what the file's check printed.
fn open_quote_said(customers: &str, at: &str) -> String {
    let dir = desk(&[("customers.csv", customers.as_bytes())]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    let said = format!("customers.csv:{at}: a quote opens this field and is never closed");
    assert!(out.contains(&said), "{}", &out[..out.len().min(2000)]);
    let (code, piped) = run(
        dir.path(),
        &["check", "--customers", "/dev/stdin"],
        Some(customers.as_bytes()),
    );
    assert_eq!(code, 1);
    let said = format!("/dev/stdin:{at}: a quote opens this field and is never closed");
    assert!(piped.contains(&said), "{}", &piped[..piped.len().min(2000)]);
    out
}

#[test]
fn a_quote_closed_rows_later_is_reported_not_taken_as_a_name() {
    // A later quoted field "closes" the open quote: the rows between would become one
    // name holding line breaks and two whole phone numbers.
    let customers = format!(
        "{CUSTOMERS}C4,\"Dan \"\"the man,13700137000\nC5,Eve,13800138005\nC6,\"Fay, F\",13800138006\n"
    );
    let dir = desk(&[("customers.csv", customers.as_bytes())]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("customers.csv:5: name: a line break inside the cell"),
        "{out}"
    );
    assert!(!out.contains("13800138005"), "{out}");
}

#[test]
fn a_quoted_field_past_a_thousand_lines_stops_the_file_where_it_opened() {
    let mut orders = String::from(ORDERS);
    orders.push_str("\"O2,C1,2026-01-05,sale,1.00,,,\n");
    for i in 3..1500 {
        orders.push_str(&format!("O{i},C1,2026-01-05,sale,1.00,,,\n"));
    }
    orders.push_str("\"O9\",C1,2026-01-05,sale,1.00,,,\n");
    let dir = desk(&[("orders.csv", orders.as_bytes())]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "orders.csv:3: order_id: a quote opens this field and is still open 1000 lines"
        ),
        "{out}"
    );
    // tiers reads orders.csv in chunks on two threads: the same problem.
    let (code, tiers) = run(dir.path(), &["tiers", "--format", "csv"], None);
    assert_eq!(code, 1);
    assert!(
        tiers.contains("orders.csv:3: order_id: a quote opens"),
        "{tiers}"
    );
}

#[test]
fn a_note_left_open_in_contacts_is_an_error_on_its_line() {
    let contacts = "customer_id,rule,source_id,done_on,by,note\n\
                    C1,birthday,2026-01-01,2026-10-01,Li,\"said \"\"ok\n\
                    C2,birthday,2026-01-01,2026-10-01,Li,fine\n";
    let dir = desk(&[("contacts.csv", contacts.as_bytes())]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("contacts.csv:2: note: a quote opens this field and is never closed"),
        "{out}"
    );
}

#[test]
fn a_quote_left_open_in_complaints_is_an_error_on_its_line() {
    let complaints = format!(
        "{COMPLAINTS}K2,C2,,\"late, and rude,2026-11-03 09:00,,,normal\n\
         K3,C3,,service,2026-11-04 09:00,,,normal\n"
    );
    let dir = desk(&[("complaints.csv", complaints.as_bytes())]);
    for args in [&["check"][..], &["complaints"]] {
        let (code, out) = run(dir.path(), args, None);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(
            out.contains(
                "complaints.csv:3: category: a quote opens this field and is never closed"
            ),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn amounts_and_dates_that_only_look_like_numbers_are_errors() {
    let orders = format!(
        "{ORDERS}O2,C1,2026-01-05,sale,--500.00,,,\n\
         O3,C1,2026-01-05,sale,12 5,,,\n\
         O4,C1,2026-+1-+5,sale,1.00,,,\n\
         O5,C1,2026-01-05,sale,\"¥1,234.50\",,,\n\
         O6,C1,2026年1月5日,sale,1.00,,,\n"
    );
    let complaints = format!("{COMPLAINTS}K2,C1,,service,2026-11-22 +9:00,,,normal\n");
    let dir = desk(&[
        ("orders.csv", orders.as_bytes()),
        ("complaints.csv", complaints.as_bytes()),
    ]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    for expected in [
        "orders.csv:3: amount: \"--500.00\": expected an amount",
        "orders.csv:4: amount: \"12 5\": expected an amount",
        "orders.csv:5: date: \"2026-+1-+5\": expected a date",
        "complaints.csv:3: opened_at: \"2026-11-22 +9:00\": expected a date and time",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(
        out.contains("4 problems found"),
        "what spreadsheets write still reads: {out}"
    );
}

#[test]
fn problems_after_blank_lines_name_the_physical_line_in_every_command() {
    let complaints = format!("{COMPLAINTS}\n\n,,,,,,,\nK2,C1,,noise,2026-11-02 09:00,,,normal\n");
    let dir = desk(&[("complaints.csv", complaints.as_bytes())]);
    for args in [
        &["check"][..],
        &["due", "--date", "2026-11-22"],
        &["kpi"],
        &["complaints"],
    ] {
        let (code, out) = run(dir.path(), args, None);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(
            out.contains("complaints.csv:6: category: \"noise\""),
            "{args:?}: {out}"
        );
    }
    // Piped orders, read front to back: the same physical lines.
    let orders = format!("{ORDERS}\n\nO2,C1,2026-01-05,gift,1.00,,,\n");
    let (code, out) = run(
        dir.path(),
        &["tiers", "--orders", "/dev/stdin", "--format", "csv"],
        Some(orders.as_bytes()),
    );
    assert_eq!(code, 1);
    assert!(out.contains("/dev/stdin:5: kind: \"gift\""), "{out}");
}

#[test]
fn an_old_mac_file_names_each_problem_on_its_own_line() {
    let customers = "customer_id,name,phone\rC1,Ann,1\r\rC1,Bob,2\rC3,,3\r";
    let dir = desk(&[("customers.csv", customers.as_bytes())]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "customers.csv:4: customer_id: \"C1\": duplicate customer id; first on line 2"
        ),
        "{out}"
    );
    assert!(out.contains("customers.csv:5: name"), "{out}");
    let (_, piped) = run(
        dir.path(),
        &["check", "--customers", "/dev/stdin"],
        Some(customers.as_bytes()),
    );
    assert!(piped.contains("/dev/stdin:4: customer_id"), "{piped}");
}

#[test]
fn a_bad_phone_cell_is_masked_in_the_message() {
    let customers = format!("{CUSTOMERS}C4,Dan,13800138000\u{ff}\n");
    let mut bytes = customers.into_bytes();
    // A byte that is not UTF-8 after the digits.
    let at = bytes.len() - 3;
    bytes.splice(at..at + 2, [0xff]);
    let dir = desk(&[("customers.csv", &bytes)]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("customers.csv:5: phone: \"138****8000\u{fffd}\": byte 0xFF not UTF-8 text"),
        "{out}"
    );
    assert!(!out.contains("13800138000"), "{out}");
}

/// GB18030 (GBK) bytes of `text`.
fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

#[test]
fn a_gbk_pipe_with_bytes_that_are_not_gbk_says_how_many_were_replaced() {
    // A pipe cannot be read twice: it is decoded as it comes, and what does not decode is
    // replaced and counted, at the first line it happens on.
    let mut piped = gbk("customer_id,name\nC1,张伟\nC2,李");
    piped.extend([0xff, 0xfe]);
    piped.extend(gbk("娜\n"));
    let dir = desk(&[]);
    let (code, out) = run(
        dir.path(),
        &["check", "--customers", "/dev/stdin"],
        Some(&piped),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("/dev/stdin: read as GB18030 (GBK)"), "{out}");
    assert!(
        out.contains("/dev/stdin:3: 2 byte sequences are not GB18030 (GBK) text (replaced); fix them, or save the file as \"CSV UTF-8\""),
        "{out}"
    );
}

#[test]
fn a_file_that_turns_gbk_past_its_first_8_mib_says_where_and_how_to_read_it() {
    // UTF-8 (plain ASCII) for 9 MiB, then a name in GBK.
    let mut customers = String::from("customer_id,name\n");
    let mut i = 0;
    while customers.len() <= 9 << 20 {
        customers.push_str(&format!("C{i},Name {i}\n"));
        i += 1;
    }
    let line = i + 2;
    let mut bytes = customers.into_bytes();
    bytes.extend(b"CX,");
    bytes.extend(gbk("张伟\n"));
    // The good orders and complaints name C1, which is among them.
    let dir = desk(&[("customers.csv", &bytes)]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("customers.csv:{line}: not UTF-8 from this line on, though the file's first 8 MiB are, so it was read as UTF-8; the whole file reads as GB18030 (GBK): run again with --encoding gb18030")),
        "{out}"
    );
}

#[test]
fn a_quote_left_open_after_a_long_plain_cell_names_its_own_column() {
    // The name runs past the readers' buffers before the phone's quote opens: the open
    // field is still counted from the row's start (the phone, not the name).
    let long = "N".repeat(300_000);
    let customers = format!("{CUSTOMERS}C4,{long},\"13700137000\nC5,Eve,13800138005\n");
    open_quote_said(&customers, "5: phone");
}

#[test]
fn customers_cut_short_by_an_open_quote_give_one_line_per_file_for_the_ids_after_it() {
    // C2's name opens a quote never closed: C2 and C3 are not read. Every order and
    // complaint of theirs names a customer the book lacks; before, each was its own
    // "no such customer" line, hundreds burying the one problem to fix. The orders
    // span several chunks, read on two threads, so the fold survives their merge.
    let customers = "customer_id,name,phone\n\
                     C1,Ann,13800138001\n\
                     C2,\"Bob,13800138002\n\
                     C3,Cat,13800138003\n";
    let mut orders = String::from(ORDERS);
    let rows = 120_000;
    for i in 0..rows {
        let who = if i % 2 == 0 { "C3" } else { "C1" };
        orders.push_str(&format!("P{i},{who},2026-01-05,sale,10.00,,,\n"));
    }
    assert!(orders.len() > 3 << 20, "more than three chunks");
    let complaints = format!(
        "{COMPLAINTS}K2,C2,,service,2026-11-03 09:00,,,normal\n\
         K3,C3,,service,2026-11-04 09:00,,,normal\n\
         K4,C9,,service,2026-11-05 09:00,,,normal\n"
    );
    let dir = desk(&[
        ("customers.csv", customers.as_bytes()),
        ("orders.csv", orders.as_bytes()),
        ("complaints.csv", complaints.as_bytes()),
    ]);
    for args in [&["check"][..], &["tiers", "--summary"]] {
        let (code, out) = run(dir.path(), args, None);
        assert_eq!(code, 1, "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines.len() < 12,
            "{args:?}: {}",
            &out[..out.len().min(3000)]
        );
        let why = "no such customer in the part of the customers file read (reading \
                   stopped at its line 3, on the problem there); fix that line first";
        let first = format!("orders.csv:3: customer_id: \"C3\": {why}");
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains("no such customer"))
                .count(),
            if args[0] == "check" { 2 } else { 1 },
            "{out}"
        );
        assert!(lines.iter().any(|l| l.ends_with(&first)), "{out}");
        let more = format!(
            "orders.csv: ... and {} more rows like line 3; fix the problem it points at, and run again to see those still wrong",
            rows / 2 - 1
        );
        assert!(lines.iter().any(|l| l.ends_with(&more)), "{out}");
        let total = 1 + rows / 2;
        if args[0] == "check" {
            // The complaints: C2 is the first (C3 counted); C9 comes after the stop
            // too, and cannot be told from those not read.
            assert!(
                out.contains("complaints.csv:3: customer_id: \"C2\": no such customer in the part"),
                "{out}"
            );
            assert!(
                out.contains(
                    "complaints.csv: ... and 2 more rows like line 3; fix the problem it points at"
                ),
                "{out}"
            );
            assert!(
                out.contains(&format!("{} problems found", total + 3)),
                "{out}"
            );
        } else {
            assert!(
                out.contains(&format!("caredesk: {total} problems found")),
                "{out}"
            );
        }
    }
}

#[test]
fn a_customers_header_that_cannot_be_read_gives_one_line_per_file_for_the_ids() {
    // No row of customers.csv is read (its header's quote never closes, or it lacks
    // customer_id): every id elsewhere is unknown, told once per file.
    let orders = format!("{ORDERS}O2,C2,2026-01-05,sale,5.00,,,\nO3,C3,2026-01-05,sale,5.00,,,\n");
    for customers in ["customer_id,\"name,phone\nC1,Ann,1\n", "id,name\nC1,Ann\n"] {
        let dir = desk(&[
            ("customers.csv", customers.as_bytes()),
            ("orders.csv", orders.as_bytes()),
        ]);
        let (code, out) = check(dir.path());
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("orders.csv:2: customer_id: \"C1\": no such customer: no row of the customers file was read"),
            "{out}"
        );
        assert!(
            out.contains("orders.csv: ... and 2 more rows like line 2"),
            "{out}"
        );
        assert_eq!(out.matches("no such customer").count(), 2, "{out}");
    }
}

#[test]
fn orders_cut_short_give_check_one_line_per_file_for_the_order_ids_after_it() {
    // The quote on orders line 3 never closes: O3 and O4 are not read, and the
    // complaints naming them follow on from that line, told once.
    let orders = format!(
        "{ORDERS}O2,C1,2026-01-06,sale,\"5.00,,,\nO3,C1,2026-01-07,sale,5.00,,,\nO4,C2,2026-01-08,sale,5.00,,,\n"
    );
    let complaints = format!(
        "{COMPLAINTS}K2,C1,O3,service,2026-11-03 09:00,,,normal\n\
         K3,C2,O4,service,2026-11-04 09:00,,,normal\n\
         K4,C1,O1,service,2026-11-05 09:00,,,normal\n"
    );
    let dir = desk(&[
        ("orders.csv", orders.as_bytes()),
        ("complaints.csv", complaints.as_bytes()),
    ]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "complaints.csv:3: order_id: \"O3\": no such order in the part of the orders file read (reading stopped at its line 3"
        ),
        "{out}"
    );
    assert!(
        out.contains("complaints.csv: ... and 1 more row like line 3"),
        "{out}"
    );
    assert_eq!(out.matches("no such order").count(), 1, "{out}");
    assert!(out.contains("3 problems found"), "{out}");
}

#[test]
fn with_customers_cut_short_the_hint_does_not_send_the_user_to_the_pins_file_first() {
    // The pins file's only problem is an id the unread part of customers.csv holds: the
    // hint still says how to list them again, but not "fix pins.csv".
    let customers = "customer_id,name,phone\nC1,Ann,13800138001\nC2,\"Bob,13800138002\nC3,Cat,1\n";
    let dir = desk(&[
        ("customers.csv", customers.as_bytes()),
        ("pins.csv", b"customer_id,override_tier\nC3,Diamond\n"),
    ]);
    let pins = dir.path().join("pins.csv");
    let pins = pins.to_str().unwrap();
    let (code, out) = run(dir.path(), &["tiers", "--overrides", pins], None);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "nothing was computed (`caredesk check --overrides {pins}` lists them again)"
        )),
        "{out}"
    );
    assert!(!out.contains(&format!("fix {pins}")), "{out}");
}

#[test]
fn a_row_wider_than_its_header_is_an_error_not_an_amount_cut_at_its_comma() {
    // `22,444.00` unquoted: the amount read as 22.00 and 444.00 as the profit, before.
    let orders = "order_id,customer_id,date,kind,amount,profit,outcome,referred_by\n\
                  O1,C1,2026-01-05,sale,500.00,,,\n\
                  O2,C2,2026-01-06,sale,22,444.00,,,\n\
                  O3,C3,2026-01-07,sale,10.00,,,,\n\
                  O4,C3,2026-01-08,sale,10.00,,,,EXTRA\n\
                  O5,C3,2026-01-09,sale,10.00\n";
    let customers = format!("{CUSTOMERS}C4,Dan,13800138004,x\n");
    let complaints = format!("{COMPLAINTS}K2,C2,,service,2026-11-03 09:00,,,normal,oops\n");
    let dir = desk(&[
        ("orders.csv", orders.as_bytes()),
        ("customers.csv", customers.as_bytes()),
        ("complaints.csv", complaints.as_bytes()),
    ]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    let wide = |file: &str, line: u32, cells: u32, columns: u32| {
        format!("{file}:{line}: {cells} cells, but the header has {columns} columns")
    };
    assert!(out.contains(&wide("orders.csv", 3, 9, 8)), "{out}");
    assert!(out.contains(&wide("orders.csv", 5, 9, 8)), "{out}");
    assert!(out.contains(&wide("customers.csv", 5, 4, 3)), "{out}");
    assert!(out.contains(&wide("complaints.csv", 3, 9, 8)), "{out}");
    assert!(out.contains("quote the value, \"22,444.00\""), "{out}");
    // even an empty cell past the end: the comma may be inside a value whose row ends empty
    assert!(out.contains(&wide("orders.csv", 4, 9, 8)), "{out}");
    // a short row is ragged: its missing cells are empty
    assert!(!out.contains("orders.csv:6:"), "{out}");
}

#[test]
fn a_wide_row_deep_in_a_large_file_is_found_by_the_parallel_reader() {
    // Several chunks of plain lines, each file's wide row in its middle.
    let n = 80_000;
    let mut customers = String::from("customer_id,name,phone\n");
    let mut orders =
        String::from("order_id,customer_id,date,kind,amount,profit,outcome,referred_by\n");
    let mut complaints = String::from(
        "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity\n",
    );
    for i in 0..n {
        let extra = if i == n / 2 { ",9" } else { "" };
        customers.push_str(&format!("C{i},Name{i},138{i:08}{extra}\n"));
        orders.push_str(&format!("O{i},C{i},2026-01-05,sale,1{extra}0.00,,,\n"));
        complaints.push_str(&format!(
            "K{i},C{i},,service,2026-11-02 09:00,,,normal{extra}\n"
        ));
    }
    assert!(orders.len() > 2 << 20 && customers.len() > 1 << 20);
    let dir = desk(&[
        ("customers.csv", customers.as_bytes()),
        ("orders.csv", orders.as_bytes()),
        ("complaints.csv", complaints.as_bytes()),
    ]);
    let line = n / 2 + 2;
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    for (file, cells, columns) in [
        ("customers.csv", 4, 3),
        ("orders.csv", 9, 8),
        ("complaints.csv", 9, 8),
    ] {
        let said = format!("{file}:{line}: {cells} cells, but the header has {columns} columns");
        assert!(out.contains(&said), "{said}\n{out}");
    }
}

#[test]
fn a_contacts_row_wider_than_its_header_is_an_error() {
    let dir = common::sample_desk();
    let contacts = dir.path().join("data/contacts.csv");
    let mut text = std::fs::read_to_string(&contacts).unwrap();
    let header = text.lines().next().unwrap().to_string();
    let columns = header.split(',').count();
    let row = format!("{},spilled\n", vec!["x"; columns].join(","));
    text.push_str(&row);
    std::fs::write(&contacts, text.as_bytes()).unwrap();
    let line = text.lines().count();
    let out = caredesk()
        .args(["check", "--data"])
        .arg(dir.path().join("data"))
        .arg("--policy")
        .arg(dir.path().join("policy.toml"))
        .args(["--as-of", "2026-11-22"])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let want = format!(
        "contacts.csv:{line}: {} cells, but the header has {columns} columns",
        columns + 1
    );
    assert!(said.contains(&want), "{want}\n{said}");
}

#[test]
fn an_amount_past_what_cents_hold_is_said_to_be_too_large() {
    let orders = format!("{ORDERS}O2,C2,2026-01-06,sale,92233720368547758.08,,,\n");
    let dir = desk(&[("orders.csv", orders.as_bytes())]);
    let (code, out) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("orders.csv:3: amount: \"92233720368547758.08\": too large: an amount is at most 92,233,720,368,547,758.07"),
        "{out}"
    );
}
