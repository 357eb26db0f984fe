//! The policy from the outside: every number bounded, every problem listed at once with its
//! key and line, and no policy (however odd) panics a command.

mod common;

use common::caredesk;

fn shipped() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/policy.toml")).unwrap()
}

/// The shipped policy with `from` replaced by `to` (every occurrence), in a temporary file.
fn edited(from: &str, to: &str) -> (tempfile::TempDir, String) {
    let text = shipped();
    assert!(text.contains(from), "{from:?} is not in the shipped policy");
    written(&text.replace(from, to))
}

fn written(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// Runs a command; returns its exit code, stdout and stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = caredesk().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn huge_complaint_hours_are_refused_with_their_line_not_a_panic() {
    // 4294967295 hours panicked complaints, due and kpi (date + hours overflowed); check
    // said ok.
    let (_dir, policy) = edited("hours = 24", "hours = 4294967295");
    for args in [
        vec!["complaints", "--as-of", "2026-11-21"],
        vec!["due", "--date", "2026-11-22"],
        vec!["kpi", "--as-of", "2026-11-22"],
        vec!["check", "--as-of", "2026-11-22"],
    ] {
        let mut args = args.clone();
        args.extend(["--policy", &policy]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        let said = format!("{out}{err}");
        assert!(
            said.contains("kpi.rules[8].hours: expected a whole number of hours from 0 to 876600 (a century), found 4294967295")
                && said.contains("due.rules[9].hours:"),
            "{args:?}: {said}"
        );
    }
}

#[test]
fn huge_kpi_weights_are_refused_not_a_panic() {
    // One weight of 2e27 panicked kpi ("Multiplication overflowed"), two huge ones
    // "Addition overflowed"; check said ok to both.
    for (from, to) in [
        ("weight = 10", "weight = \"2000000000000000000000000000\""),
        ("weight = 5", "weight = \"50000000000000000000000000000\""),
    ] {
        let (_dir, policy) = edited(from, to);
        for command in ["kpi", "check"] {
            let (code, out, err) = run(&[command, "--as-of", "2026-11-22", "--policy", &policy]);
            assert_eq!(code, 1, "{command} {to}: {out}{err}");
            assert!(
                format!("{out}{err}").contains(".weight: a weight is from 0 to 10000 points"),
                "{out}{err}"
            );
        }
    }
}

#[test]
fn score_weights_of_many_decimals_are_refused_not_a_panic() {
    let (_dir, policy) = written(
        "[tiers]\nmethod = \"score\"\n[tiers.score]\nspend = \"0.3333333333333333333333333333\"\n\
         profit = \"0.3333333333333333333333333333\"\nsales = \"0.3333333333333333333333333334\"\n\
         [[tiers.levels]]\nname = \"A\"\nshare = 0.1\n[[tiers.levels]]\nname = \"B\"\n",
    );
    let (code, _, err) = run(&["tiers", "--as-of", "2026-11-22", "--policy", &policy]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("policy.toml:4: tiers.score.spend: 0.3333333333333333333333333333 has more than 6 decimal places"),
        "{err}"
    );
}

#[test]
fn every_type_error_is_listed_at_once_with_its_key() {
    // One problem a run before, without the key: invalid type: floating point `30.5`, expected u32.
    let (_dir, policy) = written(
        "[tiers]\nwindow_days = 30.5\nchurn_days = \"long\"\n[tiers.lifecycle]\nactive_days = true\n",
    );
    let (code, out, _) = run(&["check", "--as-of", "2026-11-22", "--policy", &policy]);
    assert_eq!(code, 1);
    for expected in [
        "policy.toml:2: tiers.window_days: expected a whole number, found 30.5",
        "policy.toml:3: tiers.churn_days: expected a whole number, found \"long\"",
        "policy.toml:5: tiers.lifecycle.active_days: expected a whole number, found true",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(out.ends_with("3 problems found\n"), "{out}");
}

#[test]
fn a_policy_that_is_not_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(
        &path,
        b"[tiers]\n# Dat\xe9 of the last review\nchurn_days = 365\n",
    )
    .unwrap();
    let (code, out, err) = run(&["check", "--policy", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("policy.toml:2: not UTF-8 text (byte 0xE9 at column 6)"),
        "{out}{err}"
    );
}

/// customers.csv with C1, and `orders` as orders.csv, in a temporary data directory.
fn data(orders: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "customer_id,name\nC1,Ann\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.csv"),
        format!("order_id,customer_id,date,amount\n{orders}"),
    )
    .unwrap();
    dir
}

#[test]
fn check_refuses_what_tiers_refuses_a_total_past_64_bits() {
    let dir =
        data("O1,C1,2026-01-01,90000000000000000.00\nO2,C1,2026-01-02,90000000000000000.00\n");
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["check", "--data", d, "--as-of", "2026-11-22"]);
    assert_eq!(code, 1, "check passed data tiers refuses: {out}{err}");
    assert!(
        out.contains("orders.csv: customer_id: \"C1\": this customer's total spend exceeds"),
        "{out}"
    );
    let (code, _, err) = run(&["tiers", "--data", d, "--as-of", "2026-11-22"]);
    assert_eq!(code, 1);
    assert!(err.contains("total spend exceeds"), "{err}");
}

#[test]
fn a_points_rate_that_overflows_is_blamed_on_the_policy_key() {
    let dir = data("O1,C1,2026-01-01,9000000000000000.00\n");
    let d = dir.path().to_str().unwrap();
    let (_p, policy) = written("# points for everyone\n[tiers]\npoints_per_unit = 10000\n");
    for command in ["tiers", "check"] {
        let (code, out, err) = run(&[
            command,
            "--data",
            d,
            "--as-of",
            "2026-11-22",
            "--policy",
            &policy,
        ]);
        assert_eq!(code, 1, "{out}{err}");
        let said = format!("{out}{err}");
        assert!(
            said.contains("policy.toml:3: tiers.points_per_unit: \"10000\": at this many points per unit, customer C1's points balance exceeds"),
            "{said}"
        );
        assert!(!said.contains("orders.csv"), "{said}");
    }
}

#[test]
fn a_rule_can_reach_the_care_plan_tiers() {
    // care_plan was read by nothing; now `tiers = ["care_plan"]` reaches those tiers.
    let (_dir, policy) = edited(
        "source = \"holiday\"\nchannel = \"sms\"\nabove_bottom = true",
        "source = \"holiday\"\nchannel = \"sms\"\ntiers = [\"care_plan\"]",
    );
    let (code, out, err) = run(&[
        "due",
        "--date",
        "2026-10-01",
        "--rule",
        "holiday",
        "--policy",
        &policy,
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let tier = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "tier")
        .unwrap();
    let tiers: Vec<String> = r
        .records()
        .map(|row| row.unwrap()[tier].to_string())
        .collect();
    assert!(!tiers.is_empty());
    assert!(
        tiers.iter().all(|t| t == "Diamond" || t == "Platinum"),
        "{tiers:?}"
    );
    assert!(tiers.iter().any(|t| t == "Platinum") && tiers.iter().any(|t| t == "Diamond"));
}

#[test]
fn a_key_a_rule_does_not_read_is_an_error_not_ignored() {
    let (_dir, policy) = edited(
        "name = \"birthday\"\nsource = \"birthday\"",
        "name = \"birthday\"\nsource = \"birthday\"\ndays = 3",
    );
    let (code, out, _) = run(&["check", "--as-of", "2026-11-22", "--policy", &policy]);
    assert_eq!(code, 1);
    assert!(
        out.contains("due.rules[5].days: rule \"birthday\" (birthday): days does not apply (a birthday rule reads no offset)"),
        "{out}"
    );
}

#[test]
fn the_readme_broken_policy_example_holds() {
    let (code, out, _) = run(&[
        "check",
        "--policy",
        "tests/fixtures/broken-policy.toml",
        "--as-of",
        "2026-11-22",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "tests/fixtures/broken-policy.toml:3: tiers.window_days: expected a whole number, found 30.5\n\
         tests/fixtures/broken-policy.toml:4: tiers.churn_days: expected a whole number, found \"long\"\n\
         tests/fixtures/broken-policy.toml:8: due.rules[1].hours: expected a whole number of hours from 0 to 876600 (a century), found 4294967295\n\
         3 problems found\n"
    );
}
