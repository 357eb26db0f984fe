//! `caredesk check`'s counts and verdicts, and a total too large to hold as `tiers` and
//! `check` report it: blamed on the amounts, or on the points rate only when the points
//! overflowed at a rate above 1.

mod common;

use common::caredesk;

fn desk(orders: &str, complaints: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name\nC1,Ann\nC2,Bo\nC3,Cy\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        format!("order_id,customer_id,date,amount,profit\n{orders}"),
    )
    .unwrap();
    if let Some(c) = complaints {
        std::fs::write(
            d.join("complaints.csv"),
            format!(
                "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at\n{c}"
            ),
        )
        .unwrap();
    }
    dir
}

fn run(dir: &tempfile::TempDir, command: &str, extra: &[&str]) -> (i32, String, String) {
    let out = caredesk()
        .args([command, "--as-of", "2026-11-22", "--data"])
        .arg(dir.path())
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_counts_every_file_and_the_orders_after_the_as_of_day() {
    let dir = desk(
        "O1,C1,2026-01-01,10.00,1.00\n\
         O2,C2,2026-11-22,10.00,1.00\n\
         O3,C2,2026-11-23,10.00,1.00\n\
         O4,C3,2027-01-01,10.00,1.00\n\
         O5,C3,2026-06-01,10.00,1.00\n",
        Some("K1,C1,O1,install,2026-11-01 09:00,,\nK2,C2,,repair,2026-11-02 09:00,,\n"),
    );
    let (code, out, err) = run(&dir, "check", &[]);
    assert_eq!(code, 0, "{out}{err}");
    // The as-of day itself has happened: O2 is not "after".
    assert!(
        out.starts_with(
            "ok: 3 customers, 5 orders (2 dated after 2026-11-22), 2 complaints, 0 contacts logged, 0 answers; policy "
        ),
        "{out}"
    );
    assert!(!err.contains("none of its"), "{err}");
}

#[test]
fn check_without_later_orders_or_complaints_says_so() {
    let dir = desk("O1,C1,2026-01-01,10.00,1.00\n", None);
    let (code, out, err) = run(&dir, "check", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("ok: 3 customers, 1 orders, no complaints file, 0 contacts logged"),
        "{out}"
    );
}

#[test]
fn check_warns_when_every_order_is_after_the_as_of_day() {
    let dir = desk(
        "O1,C1,2026-12-01,10.00,1.00\nO2,C2,2026-12-02,10.00,1.00\n",
        None,
    );
    let (code, out, err) = run(&dir, "check", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 orders (2 dated after 2026-11-22)"), "{out}");
    assert!(
        err.contains("none of its 2 orders is dated on or before 2026-11-22"),
        "{err}"
    );
}

#[test]
fn check_counts_its_problems_one_or_many() {
    // A complaint naming an order that does not exist; another naming one that does.
    let dir = desk(
        "O1,C1,2026-01-01,10.00,1.00\n",
        Some("K1,C1,O1,install,2026-11-01 09:00,,\nK2,C1,O9,install,2026-11-01 09:00,,\n"),
    );
    let (code, out, _) = run(&dir, "check", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("complaints.csv:3: order_id: \"O9\": no such order in the orders file"),
        "{out}"
    );
    assert!(!out.contains("\"O1\""), "{out}");
    assert!(out.ends_with("\n1 problem found\n"), "{out}");
    // And a duplicate order id besides: two.
    let dir = desk(
        "O1,C1,2026-01-01,10.00,1.00\nO1,C2,2026-01-02,10.00,1.00\n",
        Some("K2,C1,O9,install,2026-11-01 09:00,,\n"),
    );
    let (code, out, _) = run(&dir, "check", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("orders.csv:3: order_id: \"O1\": duplicate order id; first on line 2"),
        "{out}"
    );
    assert!(out.ends_with("\n2 problems found\n"), "{out}");
}

/// Amounts that overflow only after the as-of day are not folded: nothing to refuse.
#[test]
fn a_total_past_64_bits_counts_only_from_orders_that_have_happened() {
    let dir = desk(
        "O1,C1,2026-11-01,90000000000000000.00,0\nO2,C1,2026-12-01,90000000000000000.00,0\n",
        None,
    );
    for command in ["check", "tiers"] {
        let (code, out, err) = run(&dir, command, &[]);
        assert_eq!(code, 0, "{command}: {out}{err}");
    }
}

#[test]
fn a_profit_past_64_bits_is_blamed_on_the_orders() {
    let dir = desk(
        "O1,C2,2026-01-01,1.00,90000000000000000.00\nO2,C2,2026-01-02,1.00,90000000000000000.00\n",
        None,
    );
    for command in ["tiers", "check"] {
        let (code, out, err) = run(&dir, command, &[]);
        assert_eq!(code, 1, "{command}: {out}{err}");
        let said = format!("{out}{err}");
        assert!(
            said.contains("orders.csv: customer_id: \"C2\": this customer's total profit exceeds ±92,233,720,368,547,758.07"),
            "{command}: {said}"
        );
    }
}

/// At 2 points per unit a profit too large is still the amounts' fault, not the rate's.
#[test]
fn a_profit_past_64_bits_is_blamed_on_the_orders_whatever_the_points_rate() {
    let dir = desk(
        "O1,C3,2026-01-01,1.00,50000000000000000.00\nO2,C3,2026-01-02,1.00,50000000000000000.00\n",
        None,
    );
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[tiers]\npoints_per_unit = 2\n").unwrap();
    let policy = policy.to_str().unwrap();
    for command in ["tiers", "check"] {
        let (code, out, err) = run(&dir, command, &["--policy", policy]);
        assert_eq!(code, 1, "{command}: {out}{err}");
        let said = format!("{out}{err}");
        assert!(
            said.contains("orders.csv: customer_id: \"C3\": this customer's total profit exceeds"),
            "{command}: {said}"
        );
        assert!(!said.contains("points_per_unit"), "{command}: {said}");
    }
}

/// At 1 point per unit the points of orders outside the tier window still add up (a point
/// per whole unit: 110 orders of 90 million billion): when they overflow, the amounts are
/// to blame, not the rate, which is not above 1.
#[test]
fn points_past_64_bits_at_one_per_unit_are_blamed_on_the_orders() {
    let orders: String = (1..=110)
        .map(|i| format!("O{i},C1,2025-01-01,90000000000000000.00,0\n"))
        .collect();
    let dir = desk(&orders, None);
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[tiers]\nwindow_days = 30\npoints_per_unit = 1\n").unwrap();
    let policy = policy.to_str().unwrap();
    for command in ["tiers", "check"] {
        let (code, out, err) = run(&dir, command, &["--policy", policy]);
        assert_eq!(code, 1, "{command}: {out}{err}");
        let said = format!("{out}{err}");
        assert!(
            said.contains(
                "orders.csv: customer_id: \"C1\": this customer's points balance exceeds"
            ),
            "{command}: {said}"
        );
        assert!(!said.contains("points_per_unit"), "{command}: {said}");
    }
}

/// The movement matrix says how to read it: under the table, on stderr beside a csv.
#[test]
fn the_movement_matrix_says_how_to_read_it() {
    let dir = desk("O1,C1,2026-01-01,10.00,1.00\n", None);
    let prev = dir.path().join("october.csv");
    std::fs::write(&prev, "customer_id,name,tier\nC1,Ann,VIP\nC9,Gone,Member\n").unwrap();
    let prev = prev.to_str().unwrap();
    const NOTE: &str = "rows: last period's tier (new: not in it); columns: the tier now (gone: no longer a customer)";
    let args = ["--summary", "--previous", prev, "--color", "never"];
    let (code, out, err) = run(&dir, "tiers", &[&args[..], &["--format", "table"]].concat());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(NOTE), "{out}");
    assert!(out.contains("gone"), "{out}");
    let (code, out, err) = run(&dir, "tiers", &[&args[..], &["--format", "csv"]].concat());
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains(NOTE), "{err}");
    assert!(out.contains("\nVIP,0,0,0,0,1,0,1\n"), "{out}");
    assert!(out.contains("\nMember,0,0,0,0,0,1,1\n"), "{out}");
    assert!(out.contains("\nnew,0,0,0,0,2,0,2\n"), "{out}");
}

#[test]
fn orders_of_unknown_customers_skipped_by_the_policy_are_counted_aloud() {
    // validation.unknown_customer = "skip": the rows are left out, and each command says
    // how many.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("customers.csv"), "customer_id,name\nC1,Ann\n").unwrap();
    std::fs::write(
        d.join("policy.toml"),
        "[validation]\nunknown_customer = \"skip\"\n",
    )
    .unwrap();
    for (rows, said) in [
        ("O2,C9,2026-10-01,10\n", "1 row names customers not in the customers file; skipped (validation.unknown_customer = \"skip\")"),
        ("O2,C9,2026-10-01,10\nO3,C8,2026-10-02,10\n", "2 rows name customers not in the customers file; skipped"),
    ] {
        std::fs::write(
            d.join("orders.csv"),
            format!("order_id,customer_id,date,amount\nO1,C1,2026-10-01,10\n{rows}"),
        )
        .unwrap();
        for command in [&["tiers"][..], &["due", "--date", "2026-11-22"], &["kpi"]] {
            let out = caredesk()
                .args(command)
                .args(["--as-of", "2026-11-22", "--format", "csv", "--data"])
                .arg(d)
                .arg("--policy")
                .arg(d.join("policy.toml"))
                .assert()
                .success()
                .get_output()
                .clone();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(said), "{command:?}: {err}");
        }
    }
}

#[test]
fn a_previous_file_with_no_customer_in_it_is_refused_not_everyone_new() {
    // Before, a header-only file was taken: every customer "new", nothing said.
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("header.csv", "customer_id,tier\n"),
        (
            "no_tiers.csv",
            "customer_id,name,tier\nC0001,x,\nC0002,y,\n",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        for command in ["tiers", "check"] {
            let out = caredesk()
                .args([command, "--as-of", "2026-11-22", "--previous"])
                .arg(&path)
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{command} {name}: {said}");
            assert!(
                said.contains(&format!("{name}: no customer with a tier in it"))
                    && said.contains("every customer would show as new"),
                "{command} {name}: {said}"
            );
        }
    }
}

#[test]
fn a_policy_reading_two_columns_from_one_header_is_refused_before_any_file() {
    // Before: `amount = "profit"` read each order's profit as its amount, and said ok.
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut policy = std::fs::read_to_string(root.join("config/policy.toml")).unwrap();
    policy.push_str("\n[columns.orders]\namount = \"profit\"\n");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, policy).unwrap();
    for command in ["check", "tiers", "due", "kpi"] {
        let out = caredesk()
            .args([command, "--as-of", "2026-11-22", "--policy"])
            .arg(&path)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {said}");
        assert!(
            said.contains("columns.orders.amount: \"profit\" is the header profit is read from"),
            "{command}: {said}"
        );
    }
}
