//! Each way the base binary failed silently, now said out loud. Every test here fails on
//! the build before issue 13 (run with `CAREDESK_BIN=/path/to/old/caredesk`).

mod common;

use common::caredesk;
use predicates::prelude::*;

const AS_OF: &str = "2026-11-22";

#[test]
fn an_owner_typo_is_a_usage_error_naming_the_close_names() {
    for quiet in [false, true] {
        let mut cmd = caredesk();
        cmd.args(["due", "--date", AS_OF, "--owner", "陈晶"]);
        if quiet {
            cmd.arg("--quiet-empty");
        }
        cmd.assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(
                "no customer has the owner \"陈晶\"; did you mean 陈静",
            ));
    }
}

#[test]
fn owners_match_case_and_spaces_aside() {
    let list = |owner: &str| {
        let out = caredesk()
            .args(["due", "--date", AS_OF, "--format", "csv", "--owner", owner])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let exact = list("Zhang Wei");
    assert!(exact.lines().count() > 1, "{exact}");
    assert_eq!(list(" zhang wei "), exact);
}

#[test]
fn a_store_filter_checks_its_name_too() {
    caredesk()
        .args(["due", "--date", AS_OF, "--store", "上海新天地"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean 上海新天地店"));
    caredesk()
        .args([
            "due",
            "--date",
            AS_OF,
            "--format",
            "csv",
            "--store",
            "上海新天地店",
        ])
        .assert()
        .success();
}

#[test]
fn empty_inputs_and_nothing_before_as_of_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("customers.csv"), "customer_id,name\nC1,张伟\n").unwrap();
    std::fs::write(d.join("orders.csv"), "order_id,customer_id,date,amount\n").unwrap();
    let data = d.to_str().unwrap();
    for command in [
        &["check"][..],
        &["tiers", "--format", "csv"],
        &["kpi", "--format", "csv"],
        &["due", "--format", "csv"],
    ] {
        caredesk()
            .args(command)
            .args(["--as-of", AS_OF, "--data", data])
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "orders.csv: no orders (the file has no rows)",
            ));
    }
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,amount\nO1,C1,2026-12-01,10.00\n",
    )
    .unwrap();
    caredesk()
        .args(["tiers", "--format", "csv", "--as-of", AS_OF, "--data", data])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "none of its 1 orders is dated on or before 2026-11-22, the as-of date",
        ));
    std::fs::write(d.join("customers.csv"), "customer_id,name\n").unwrap();
    std::fs::write(d.join("orders.csv"), "order_id,customer_id,date,amount\n").unwrap();
    for command in [&["check"][..], &["complaints", "--format", "csv"]] {
        caredesk()
            .args(command)
            .args(["--as-of", AS_OF, "--data", data])
            .assert()
            .success()
            .stderr(predicate::str::contains("customers.csv: no customers"));
    }
}

#[test]
fn a_kpi_month_after_as_of_is_an_error() {
    caredesk()
        .args(["kpi", "--as-of", AS_OF, "--month", "2026-12"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the period starts on 2026-12-01, after the as-of date 2026-11-22",
        ));
    caredesk()
        .args([
            "kpi", "--as-of", AS_OF, "--month", "2026-11", "--format", "csv",
        ])
        .assert()
        .success();
}

#[test]
fn overrides_take_tier_labels_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let pins = dir.path().join("pins.csv");
    std::fs::write(
        &pins,
        "customer_id,tier,reason\nC0001,钻石会员,老客户\nC0002,platinum,sister\nC0003, VIP ,x\n",
    )
    .unwrap();
    let out = caredesk()
        .args(["tiers", "--as-of", AS_OF, "--format", "csv", "--overrides"])
        .arg(&pins)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let tier_of = |id: &str| {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap();
        line.split(',').nth(2).unwrap().to_string()
    };
    assert_eq!(tier_of("C0001"), "Diamond");
    assert_eq!(tier_of("C0002"), "Platinum");
    assert_eq!(tier_of("C0003"), "VIP");
}

#[test]
fn show_phone_with_the_table_says_it_stays_masked() {
    caredesk()
        .args(["due", "--date", AS_OF, "--format", "table", "--show-phone"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "--show-phone: the table and md views keep phones masked",
        ));
}

#[test]
fn problems_in_an_overrides_file_point_at_it_and_check_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let pins = dir.path().join("pins.csv");
    std::fs::write(&pins, "customer_id,tier\nC0001,Gold\n").unwrap();
    let previous = dir.path().join("before.csv");
    std::fs::write(&previous, "customer_id,tier\nC0001,Bronze\n").unwrap();
    let pins_s = pins.to_str().unwrap();
    let prev_s = previous.to_str().unwrap();
    caredesk()
        .args(["tiers", "--as-of", AS_OF, "--format", "csv", "--overrides", pins_s])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "nothing was computed (fix {pins_s}; `caredesk check --overrides {pins_s}` lists them again)"
        )));
    caredesk()
        .args(["check", "--as-of", AS_OF, "--overrides", pins_s, "--previous", prev_s])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("{pins_s}:2: tier: \"Gold\": unknown tier; the policy's tiers are Diamond (钻石会员), Platinum (白金会员), VIP, D, Member (会员)")))
        .stdout(predicate::str::contains(format!("{prev_s}:2: tier: \"Bronze\"")));
    std::fs::write(&pins, "customer_id,tier\nC0001,钻石会员\n").unwrap();
    std::fs::write(&previous, "customer_id,tier\nC0001,Diamond\n").unwrap();
    caredesk()
        .args([
            "check",
            "--as-of",
            AS_OF,
            "--overrides",
            pins_s,
            "--previous",
            prev_s,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "ok: 1 overrides in {pins_s}"
        )));
}

#[test]
fn a_good_overrides_file_is_not_blamed_for_problems_elsewhere() {
    // The hint names the hand-edited file only when the problems are in it.
    let dir = tempfile::tempdir().unwrap();
    let pins = dir.path().join("pins.csv");
    std::fs::write(&pins, "customer_id,tier\nC0001,Diamond\n").unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "order_id,customer_id,date,amount\nO1,C0001,2026-10-01,ten\n",
    )
    .unwrap();
    let out = caredesk()
        .args(["tiers", "--as-of", AS_OF, "--format", "csv", "--overrides"])
        .arg(&pins)
        .arg("--orders")
        .arg(&orders)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("orders.csv:2"), "{err}");
    assert!(!err.contains("pins.csv"), "{err}");
}
