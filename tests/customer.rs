//! `caredesk customer` from the outside: the card of the shipped sample checked field by
//! field against `tiers`, `due --within 30` and `complaints` (so it cannot drift from
//! them), the readings at their boundaries, finding, and masked phones in every format.

use std::collections::HashMap;
use std::path::Path;

mod common;

use common::caredesk;
use predicates::prelude::*;
use serde_json::Value;

const T: &str = "2026-11-22";

fn stdout(args: &[&str]) -> String {
    let out = caredesk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// A CSV export as header-keyed rows.
fn csv_maps(text: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn card_json(args: &[&str]) -> Value {
    let mut all = vec!["customer", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&stdout(&all)).unwrap()
}

/// A JSON value as the CSV export spells it (null is an empty cell).
fn as_csv(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Where each `tiers` column is on the card.
const TIERS_ON_THE_CARD: &[(&str, &str, &str)] = &[
    ("customer_id", "profile", "customer_id"),
    ("name", "profile", "name"),
    ("tier", "standing", "tier"),
    ("computed_tier", "standing", "computed_tier"),
    ("segment", "segment", "segment"),
    ("lifecycle", "lifecycle", "lifecycle"),
    ("churned", "care", "churned"),
    ("spend", "standing", "spend"),
    ("profit", "standing", "profit"),
    ("sales", "standing", "sales"),
    ("sales_2y", "segment", "sales_2y"),
    ("referrals", "care", "referrals"),
    ("points", "points", "points"),
    ("first_sale", "segment", "first_sale"),
    ("last_sale", "segment", "last_sale"),
    ("last_visit", "lifecycle", "last_visit"),
    ("days_since_visit", "lifecycle", "days_since_visit"),
    ("score", "standing", "score"),
    ("care_goal_met", "care", "care_goal_met"),
    ("points_clear_on", "points", "points_clear_on"),
    ("override_tier", "standing", "override_tier"),
    ("override_reason", "standing", "override_reason"),
];

/// Customers of the sample that between them show every segment and lifecycle, the top
/// and the bottom tier, open complaints, referrals and a do-not-call customer.
fn variety(tiers: &[HashMap<String, String>]) -> Vec<String> {
    let mut ids: Vec<String> = ["C0151", "C0097", "C0136", "C0219", "C0149"]
        .map(String::from)
        .to_vec();
    for column in ["segment", "lifecycle", "tier", "churned", "care_goal_met"] {
        let mut seen = Vec::new();
        for row in tiers {
            if !seen.contains(&row[column]) {
                seen.push(row[column].clone());
                ids.push(row["customer_id"].clone());
            }
        }
    }
    let customers =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/customers.csv"))
            .unwrap();
    if let Some(quiet) = csv_maps(&customers)
        .iter()
        .find(|c| c["contact_ok"] == "false")
    {
        ids.push(quiet["customer_id"].clone());
    }
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn the_card_says_what_tiers_due_and_complaints_say() {
    for as_of in [T, "2026-11-21"] {
        let tiers = csv_maps(&stdout(&["tiers", "--as-of", as_of, "--format", "csv"]));
        let due = csv_maps(&stdout(&[
            "due",
            "--date",
            as_of,
            "--within",
            "30",
            "--format",
            "csv",
            "--show-phone",
        ]));
        let open = csv_maps(&stdout(&[
            "complaints",
            "--as-of",
            as_of,
            "--format",
            "csv",
        ]));
        let mut ids = variety(&tiers);
        assert!(ids.len() >= 12, "{ids:?}");
        // And everyone with a follow-up of the dissatisfied on the list, or a call tried
        // with nobody answering: the care loop's items are items like any other.
        let loop_items: Vec<&HashMap<String, String>> = due
            .iter()
            .filter(|r| r["rule"] == "dissatisfied" || !r["attempts"].is_empty())
            .collect();
        assert!(
            loop_items.iter().any(|r| r["rule"] == "dissatisfied")
                && loop_items.iter().any(|r| !r["attempts"].is_empty()),
            "as of {as_of}, the sample's list has dissatisfied and tried items"
        );
        ids.extend(loop_items.iter().map(|r| r["customer_id"].clone()));
        ids.sort();
        ids.dedup();
        let mut compared_complaints = 0;
        for id in &ids {
            let card = card_json(&[id, "--as-of", as_of]);
            let row = tiers.iter().find(|r| &r["customer_id"] == id).unwrap();
            for (column, block, key) in TIERS_ON_THE_CARD {
                assert_eq!(
                    as_csv(&card[block][key]),
                    row[*column],
                    "{id} as of {as_of}: tiers' {column} against the card's {block}.{key}"
                );
            }
            // The call items: today's, then the next 30 days', in the list's order.
            let theirs: Vec<Vec<String>> = due
                .iter()
                .filter(|r| &r["customer_id"] == id)
                .map(|r| {
                    [
                        "due_date",
                        "status",
                        "days_overdue",
                        "rule",
                        "source_id",
                        "channel",
                        "attempts",
                    ]
                    .iter()
                    .map(|c| r[*c].clone())
                    .collect()
                })
                .collect();
            let mut mine: Vec<Vec<String>> = Vec::new();
            for (list, days) in [("due", true), ("upcoming", false)] {
                for item in card[list].as_array().unwrap() {
                    mine.push(vec![
                        as_csv(&item["due_date"]),
                        as_csv(&item["status"]),
                        if days {
                            as_csv(&item["days_overdue"])
                        } else {
                            String::new()
                        },
                        as_csv(&item["rule"]),
                        as_csv(&item["source_id"]),
                        as_csv(&item["channel"]),
                        as_csv(&item["attempts"]),
                    ]);
                }
            }
            assert_eq!(mine, theirs, "{id} as of {as_of}: the call items");
            // Each open complaint as the complaints view shows it.
            for k in open.iter().filter(|k| &k["customer_id"] == id) {
                let on_card = card["complaints"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| as_csv(&c["complaint_id"]) == k["complaint_id"])
                    .unwrap_or_else(|| panic!("{id}: {} not on the card", k["complaint_id"]));
                for (view, key) in [
                    ("opened_at", "opened_at"),
                    ("category", "category"),
                    ("severity", "severity"),
                    ("responded_at", "answered_at"),
                    ("response_breached", "response_breached"),
                    ("resolution_breached", "resolution_breached"),
                ] {
                    assert_eq!(as_csv(&on_card[key]), k[view], "{id} {view}");
                }
                assert_eq!(on_card["closed_at"], Value::Null);
                compared_complaints += 1;
            }
            // The phone, masked as the call list masks it.
            if let Some(item) = due.iter().find(|r| &r["customer_id"] == id) {
                let card = card_json(&[id, "--as-of", as_of, "--show-phone"]);
                assert_eq!(as_csv(&card["profile"]["phone"]), item["phone"]);
            }
        }
        assert!(
            compared_complaints >= 3,
            "{compared_complaints} open complaints compared"
        );
    }
}

#[test]
fn the_history_is_every_row_of_the_customer_most_recent_first() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let orders = csv_maps(&std::fs::read_to_string(root.join("data/orders.csv")).unwrap());
    let contacts = csv_maps(&std::fs::read_to_string(root.join("data/contacts.csv")).unwrap());
    let card = card_json(&["C0151", "--as-of", T, "--limit", "0"]);
    let mut theirs: Vec<(String, String)> = orders
        .iter()
        .filter(|o| o["customer_id"] == "C0151" && o["date"].as_str() <= T)
        .map(|o| (o["date"].clone(), o["order_id"].clone()))
        .collect();
    theirs.reverse();
    theirs.sort_by(|a, b| b.0.cmp(&a.0));
    let mine: Vec<(String, String)> = card["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (as_csv(&o["date"]), as_csv(&o["order_id"])))
        .collect();
    assert_eq!(mine, theirs);
    assert_eq!(card["orders_total"], theirs.len());
    let logged = contacts
        .iter()
        .filter(|c| c["customer_id"] == "C0151")
        .count();
    assert_eq!(card["contacts"].as_array().unwrap().len(), logged);
    // The referred customers' purchases add up to the referrals tiers counts.
    let referred: u64 = card["referred"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["purchases"].as_u64().unwrap())
        .sum();
    assert_eq!(Value::from(referred), card["care"]["referrals"]);
    // --limit keeps the most recent; the total says how many there are.
    let short = card_json(&["C0151", "--as-of", T, "--limit", "3"]);
    assert_eq!(short["orders"].as_array().unwrap().len(), 3);
    assert_eq!(short["orders"][0], card["orders"][0]);
    assert_eq!(short["orders_total"], card["orders_total"]);
    let table = stdout(&["customer", "C0151", "--as-of", T, "--limit", "3"]);
    assert!(
        table.contains(&format!(
            "Orders (3 of {}, most recent first; --limit 0 shows all)",
            theirs.len()
        )),
        "{table}"
    );
}

/// The sample's C0233: calls answered (some questions not rated), refused, and tried
/// with nobody answering before they were done.
const ANSWERED: &str = "C0233";

#[test]
fn the_contacts_are_the_log_rows_with_each_calls_answers_as_survey_reads_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let contacts = csv_maps(&std::fs::read_to_string(root.join("data/contacts.csv")).unwrap());
    let answers_csv = std::fs::read_to_string(root.join("data/answers.csv")).unwrap();
    let answers = csv_maps(&answers_csv);
    let card = card_json(&[ANSWERED, "--as-of", T, "--limit", "0"]);
    // Every row of contacts.csv, most recent first (a later line first within a day).
    let mut logged: Vec<&HashMap<String, String>> = contacts
        .iter()
        .filter(|c| c["customer_id"] == ANSWERED && c["done_on"].as_str() <= T)
        .collect();
    logged.reverse();
    logged.sort_by(|a, b| b["done_on"].cmp(&a["done_on"]));
    let shown = card["contacts"].as_array().unwrap();
    assert_eq!(shown.len(), logged.len());
    let results: Vec<&str> = logged.iter().map(|c| c["result"].as_str()).collect();
    for wanted in ["done", "no_answer", "refused"] {
        assert!(results.contains(&wanted), "{ANSWERED} has a {wanted} row");
    }
    let mut answered_calls = 0;
    for (row, on_card) in logged.iter().zip(shown) {
        for key in ["done_on", "rule", "source_id", "by", "result", "note"] {
            assert_eq!(
                as_csv(&on_card[key]),
                row[key],
                "{ANSWERED}: {key} of {row:?}"
            );
        }
        let call = |a: &&HashMap<String, String>| {
            a["customer_id"] == ANSWERED
                && a["rule"] == row["rule"]
                && a["source_id"] == row["source_id"]
        };
        let of_call: Vec<&HashMap<String, String>> = answers.iter().filter(call).collect();
        if row["result"] != "done" || of_call.is_empty() {
            // Nobody answered, the customer declined, or the call was no survey.
            assert_eq!(on_card["overall"], Value::Null, "{row:?}");
            assert_eq!(on_card["rest_mean"], Value::Null, "{row:?}");
            continue;
        }
        // `caredesk survey` on this call's answers alone: its overall line, and the
        // rated answers of the other questions.
        let desk = common::sample_desk();
        let mut only = String::from("customer_id,rule,source_id,question,score,answered_on\n");
        for line in answers_csv.lines().skip(1) {
            let prefix = format!("{ANSWERED},{},{},", row["rule"], row["source_id"]);
            if line.starts_with(&prefix) {
                only.push_str(line);
                only.push('\n');
            }
        }
        std::fs::write(desk.path().join("data/answers.csv"), only).unwrap();
        let out = caredesk()
            .arg("--data")
            .arg(desk.path().join("data"))
            .arg("--policy")
            .arg(desk.path().join("policy.toml"))
            .args(["--as-of", T, "survey", "--from", "2000-01-01", "--to", T])
            .args(["--format", "csv"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let lines = csv_maps(&String::from_utf8(out).unwrap());
        let (mut cents, mut rated) = (0u64, 0u64);
        for line in &lines {
            let n: u64 = line["rated"].parse().unwrap();
            assert!(n <= 1, "one answer per question of a call: {line:?}");
            if line["question"] == "overall" {
                let overall = match n {
                    0 => String::new(),
                    _ => line["mean"].trim_end_matches(".00").to_string(),
                };
                assert_eq!(as_csv(&on_card["overall"]), overall, "{row:?}");
            } else if n == 1 {
                cents += line["mean"].replace('.', "").parse::<u64>().unwrap();
                rated += 1;
            }
        }
        // Their mean, half-up to 2 decimals, as `survey` rounds a mean.
        let rest = match rated {
            0 => String::new(),
            n => {
                let hundredths = (2 * cents + n) / (2 * n);
                format!("{}.{:02}", hundredths / 100, hundredths % 100)
            }
        };
        assert_eq!(as_csv(&on_card["rest_mean"]), rest, "{row:?}");
        answered_calls += 1;
    }
    assert!(
        answered_calls >= 10,
        "{answered_calls} answered calls compared"
    );
    // A score below satisfied is marked as a breach is, in the table.
    let table = stdout(&["customer", "C0099", "--as-of", T, "--color", "never"]);
    assert!(table.contains("✗ 2"), "{table}");
}

#[test]
fn color_always_marks_the_cards_flagged_cells_in_the_table_only() {
    // C0061 has a major complaint: its severity cell is red in the table when asked,
    // and neither Markdown nor JSON ever carries a terminal escape.
    let with = |format: &str, color: &str| {
        stdout(&[
            "customer", "C0061", "--as-of", T, "--format", format, "--color", color,
        ])
    };
    let red = with("table", "always");
    assert!(red.contains("\u{1b}["), "{red}");
    assert!(!with("table", "never").contains('\u{1b}'));
    for format in ["md", "json"] {
        assert!(!with(format, "always").contains('\u{1b}'), "{format}");
    }
}

#[test]
fn an_upgrade_is_pushed_to_the_next_tier_unless_it_is_the_top() {
    // C0149 is Diamond and upgrade, C0303 Platinum and upgrade, on the sample.
    let why = |id: &str| {
        let md = stdout(&["customer", id, "--as-of", T, "--format", "md"]);
        let line = md.lines().find(|l| l.contains("**segment**")).unwrap_or("");
        line.to_string()
    };
    assert_eq!(
        why("C0149"),
        "- **segment**: upgrade  (frequent and in the top points)"
    );
    assert_eq!(
        why("C0303"),
        "- **segment**: upgrade  (frequent and in the top points: push to the next tier)"
    );
}

#[test]
fn a_share_tier_too_small_for_the_desk_is_said_to_hold_nobody() {
    // Five customers: C (5 %) ends at round(0.25) = 0, so the tier above D is empty.
    let dir = desk();
    let policy = format!(
        "{}/examples/jewellery-score.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let md = desk_text(dir.path(), &["A3", "--policy", &policy, "--format", "md"]);
    assert!(
        md.contains("- **next tier**: C  (C holds nobody at 5 customers)"),
        "{md}"
    );
}

#[test]
fn a_late_answer_alone_is_flagged_on_the_cards_complaint() {
    // Answered 26 h after opening (24 allowed), closed at 48 h (72 allowed): only the
    // response is breached, and that cell alone is red in a coloured table.
    let dir = desk();
    let d = dir.path();
    std::fs::write(
        d.join("complaints.csv"),
        "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity\n\
         K1,A1,O1,repair,2026-11-01 10:00,2026-11-02 12:00,2026-11-03 10:00,normal\n",
    )
    .unwrap();
    let policy = std::fs::read_to_string("config/policy.toml").unwrap();
    let resolve = "name = \"complaint-resolve\"\nsource = \"complaint_resolve\"\nhours = 24";
    assert!(policy.contains(resolve));
    let policy_file = d.join("policy.toml");
    std::fs::write(
        &policy_file,
        policy.replace(resolve, &resolve.replace("24", "72")),
    )
    .unwrap();
    let policy_arg = policy_file.to_str().unwrap();
    let card = desk_json(d, &["A1", "--policy", policy_arg]);
    let k = &card["complaints"][0];
    assert_eq!(k["response_breached"], true, "{k}");
    assert_eq!(k["resolution_breached"], false, "{k}");
    let table = desk_text(d, &["A1", "--policy", policy_arg, "--color", "always"]);
    assert!(table.contains("\u{1b}["), "{table}");
}

#[test]
fn overrides_show_on_the_card_as_in_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let pins = dir.path().join("pins.csv");
    std::fs::write(
        &pins,
        "customer_id,tier,reason,expires\nC0151,Platinum,moved abroad,2027-01-31\n",
    )
    .unwrap();
    let pins = pins.to_str().unwrap();
    let tiers = csv_maps(&stdout(&[
        "tiers",
        "--as-of",
        T,
        "--format",
        "csv",
        "--overrides",
        pins,
    ]));
    let row = tiers.iter().find(|r| r["customer_id"] == "C0151").unwrap();
    let card = card_json(&["C0151", "--as-of", T, "--overrides", pins]);
    for (column, block, key) in TIERS_ON_THE_CARD {
        assert_eq!(as_csv(&card[block][key]), row[*column], "{column}");
    }
    assert_eq!(card["standing"]["tier"], "Platinum");
    assert_eq!(card["standing"]["override_expires"], "2027-01-31");
    let table = stdout(&["customer", "C0151", "--as-of", T, "--overrides", pins]);
    assert!(table.contains("pinned because  moved abroad"), "{table}");
    assert!(
        table.contains("Platinum  (白金会员, pinned by hand)"),
        "{table}"
    );
}

#[test]
fn the_score_methods_position_and_class_cut_on_the_sample() {
    let policy = "examples/jewellery-score.toml";
    let tiers = csv_maps(&stdout(&[
        "tiers", "--as-of", T, "--policy", policy, "--format", "csv",
    ]));
    let n = tiers.len() as u64;
    assert_eq!(n, 320);
    // A 0.5 %, B 1 %, C 5 % of 320: the classes end at round(1.6) = 2, round(4.8) = 5 and
    // round(20.8) = 21.
    let cuts = [("A", 2u64), ("B", 5), ("C", 21)];
    let score = |r: &HashMap<String, String>| r["score"].parse::<f64>().unwrap();
    let mut checked = 0;
    for row in &tiers {
        let s = score(row);
        // Shown scores are rounded: place only the customers whose score no one shares.
        if tiers.iter().filter(|r| score(r) == s).count() > 1 {
            continue;
        }
        let position = 1 + tiers.iter().filter(|r| score(r) > s).count() as u64;
        let class = cuts
            .iter()
            .find(|(_, last)| position <= *last)
            .map_or("D", |c| c.0);
        assert_eq!(row["tier"], class, "{} at {position}", row["customer_id"]);
        if !(position <= 3 || (20..=23).contains(&position) || position.is_multiple_of(40)) {
            continue;
        }
        let id = &row["customer_id"];
        let card = card_json(&[id, "--as-of", T, "--policy", policy]);
        let st = &card["standing"];
        assert_eq!(st["position"], position, "{id}");
        assert_eq!(st["customers"], n);
        assert_eq!(as_csv(&st["score"]), row["score"]);
        match cuts.iter().position(|c| c.0 == class) {
            Some(0) => assert_eq!(st["next_tier"], Value::Null, "{id}: A is the top"),
            above => {
                let above = above.unwrap_or(cuts.len()) - 1;
                assert_eq!(st["next_tier"], cuts[above].0, "{id}");
                assert_eq!(st["next_tier_last_position"], cuts[above].1, "{id}");
                let first = if above == 0 { 1 } else { cuts[above - 1].1 + 1 };
                assert_eq!(st["next_tier_first_position"], first, "{id}");
                // The table and Markdown say where the tier above begins and ends.
                let md = stdout(&[
                    "customer", id, "--as-of", T, "--policy", policy, "--format", "md",
                ]);
                let span = format!("positions {first} to {}", cuts[above].1);
                assert!(md.contains(&span), "{id}: no {span:?} in\n{md}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 6, "{checked} cards checked");
}

/// A desk at the boundaries: last visits 90, 91, 180 and 181 days before T, spend a cent
/// short of Diamond and exactly on it, phones in several spellings, a customer without
/// any row.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,phone,owner,contact_ok\n\
         A1,Ann Near,13812345678,陈静,true\n\
         A2,Bo Top,139-0000-1111,陈静,true\n\
         A3,王伟,+86 150 1234 5678,王磊,true\n\
         A4,王芳,15099995678,王磊,false\n\
         A5,Nobody,,,true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount\n\
         O1,A1,2026-08-24,sale,999999.99\n\
         O2,A2,2026-08-23,sale,1000000.00\n\
         O3,A3,2026-05-26,sale,100.00\n\
         O4,A4,2026-05-25,repair,0.00\n",
    )
    .unwrap();
    dir
}

fn in_desk(dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = caredesk();
    cmd.arg("--data")
        .arg(dir)
        .args(["--as-of", T, "customer"])
        .args(args);
    cmd
}

fn desk_json(dir: &Path, args: &[&str]) -> Value {
    let out = in_desk(dir, args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn desk_text(dir: &Path, args: &[&str]) -> String {
    let out = in_desk(dir, args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_next_tier_gap_at_an_exact_threshold() {
    let dir = desk();
    let a1 = desk_json(dir.path(), &["A1"]);
    assert_eq!(a1["standing"]["tier"], "Platinum");
    assert_eq!(a1["standing"]["next_tier"], "Diamond");
    assert_eq!(a1["standing"]["spend_to_next_tier"], "0.01");
    let text = desk_text(dir.path(), &["A1"]);
    assert!(text.contains("spend to Diamond  0.01\n"), "{text}");
    let a2 = desk_json(dir.path(), &["A2"]);
    assert_eq!(a2["standing"]["tier"], "Diamond");
    assert_eq!(a2["standing"]["next_tier"], Value::Null);
    assert_eq!(a2["standing"]["spend_to_next_tier"], Value::Null);
    let text = desk_text(dir.path(), &["A2"]);
    assert!(
        text.contains("next tier      —  (none above: Diamond is the top tier)"),
        "{text}"
    );
}

#[test]
fn the_lifecycle_dates_at_90_91_180_and_181_days() {
    let dir = desk();
    for (id, days, lifecycle, sleeping, lost) in [
        ("A1", 90, "active", "2026-11-23", "2027-02-21"),
        ("A2", 91, "sleeping", "2026-11-22", "2027-02-20"),
        ("A3", 180, "sleeping", "2026-08-25", "2026-11-23"),
        ("A4", 181, "lost", "2026-08-24", "2026-11-22"),
    ] {
        let card = desk_json(dir.path(), &[id]);
        let l = &card["lifecycle"];
        assert_eq!(l["days_since_visit"], days, "{id}");
        assert_eq!(l["lifecycle"], lifecycle, "{id}");
        assert_eq!(l["sleeping_from"], sleeping, "{id}");
        assert_eq!(l["lost_from"], lost, "{id}");
    }
    let text = desk_text(dir.path(), &["A1"]);
    assert!(
        text.contains("sleeping from  2026-11-23  (tomorrow, if nobody visits)\n"),
        "{text}"
    );
    assert!(text.contains("lost from      2027-02-21  (in 91 days, if nobody visits)\n"));
    let text = desk_text(dir.path(), &["A4"]);
    assert!(
        text.contains("sleeping from  2026-08-24  (since then)\n"),
        "{text}"
    );
    assert!(
        text.contains("lost from      2026-11-22  (today)\n"),
        "{text}"
    );
}

#[test]
fn a_customer_without_any_row_has_a_card() {
    let dir = desk();
    let card = desk_json(dir.path(), &["A5"]);
    assert_eq!(card["profile"]["phone"], Value::Null);
    assert_eq!(card["standing"]["tier"], "Member");
    assert_eq!(card["standing"]["spend"], "0.00");
    assert_eq!(card["standing"]["next_tier"], "D");
    assert_eq!(card["standing"]["spend_to_next_tier"], "100000.00");
    assert_eq!(card["segment"]["segment"], "none");
    assert_eq!(card["lifecycle"]["lifecycle"], "none");
    assert_eq!(card["lifecycle"]["last_visit"], Value::Null);
    assert_eq!(card["lifecycle"]["sleeping_from"], Value::Null);
    assert_eq!(card["points"]["points"], 0);
    for list in [
        "referred",
        "orders",
        "complaints",
        "contacts",
        "due",
        "upcoming",
    ] {
        assert_eq!(card[list], Value::Array(vec![]), "{list}");
        assert_eq!(card[format!("{list}_total")], 0, "{list}");
    }
    let text = desk_text(dir.path(), &["A5"]);
    assert!(text.contains("Orders: none\n"), "{text}");
    assert!(
        text.contains("segment                none  (never bought)\n"),
        "{text}"
    );
    assert!(
        !text.contains("sleeping from"),
        "no visit, no turn dates: {text}"
    );
}

#[test]
fn find_by_name_part_phone_digits_several_and_none() {
    let dir = desk();
    // one match: the card
    let card = desk_json(dir.path(), &["--find", "ann"]);
    assert_eq!(card["profile"]["customer_id"], "A1");
    let card = desk_json(dir.path(), &["--find", "1111"]);
    assert_eq!(card["profile"]["customer_id"], "A2");
    let card = desk_json(dir.path(), &["--find", "0000-1111"]);
    assert_eq!(card["profile"]["customer_id"], "A2");
    // several: a list of id, name, masked phone, tier, owner; exit 0
    let out = in_desk(dir.path(), &["--find", "王", "--format", "csv"])
        .assert()
        .failure()
        .code(2);
    drop(out);
    let list = desk_json(dir.path(), &["--find", "王"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["customer_id"], "A3");
    assert_eq!(rows[0]["phone"], "861******5678");
    assert_eq!(rows[1]["customer_id"], "A4");
    assert_eq!(rows[1]["tier"], "Member");
    assert_eq!(rows[1]["owner"], "王磊");
    let text = desk_text(dir.path(), &["--find", "5678"]);
    for id in ["A1", "A3", "A4"] {
        assert!(text.contains(id), "{text}");
    }
    assert!(text.contains("3 customers match \"5678\""), "{text}");
    assert!(!text.contains("13812345678"), "{text}");
    // none: one line, exit 1
    in_desk(dir.path(), &["--find", "Zed"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("caredesk: no customer's name contains \"Zed\"\n");
    in_desk(dir.path(), &["--find", "4321"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no phone ends in it"));
    in_desk(dir.path(), &["--find", "678"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("at least its last 4 digits"));
    in_desk(dir.path(), &["--find", "  "]).assert().code(2);
}

#[test]
fn an_unknown_id_suggests_close_ones() {
    let dir = desk();
    in_desk(dir.path(), &["A6"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("caredesk: no customer \"A6\"; did you mean A1, A2, A3, A4, A5?\n");
    in_desk(dir.path(), &["a1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean A1"));
    in_desk(dir.path(), &["Q123456"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`--find` looks by name or phone"));
    caredesk().args(["customer"]).assert().code(2);
    caredesk()
        .args(["customer", "A1", "--find", "x"])
        .assert()
        .code(2);
}

#[test]
fn phones_are_masked_in_every_format_unless_shown() {
    let dir = desk();
    for (id, phone, masked) in [
        ("A1", "13812345678", "138****5678"),
        ("A2", "139-0000-1111", "139****1111"),
        ("A3", "+86 150 1234 5678", "861******5678"),
    ] {
        for format in ["table", "json", "md"] {
            let text = desk_text(dir.path(), &[id, "--format", format]);
            assert!(text.contains(masked), "{id} {format}: {text}");
            assert!(!text.contains(phone), "{id} {format}: {text}");
            let shown = desk_text(dir.path(), &[id, "--format", format, "--show-phone"]);
            assert!(shown.contains(phone), "{id} {format}: {shown}");
        }
    }
    for format in ["table", "json", "md"] {
        let text = desk_text(dir.path(), &["--find", "王", "--format", format]);
        assert!(text.contains("861******5678"), "{format}: {text}");
        assert!(!text.contains("1234 5678"), "{format}: {text}");
    }
}

#[test]
fn a_do_not_call_customer_has_no_call_items_and_says_why() {
    let dir = desk();
    let text = desk_text(dir.path(), &["A4"]);
    assert!(
        text.contains("may be called  no  (never on a call list)"),
        "{text}"
    );
    assert!(
        text.contains("Call items on 2026-11-22: never on a call list (contact_ok = false)"),
        "{text}"
    );
}

#[test]
fn the_card_goes_to_a_file_by_its_extension_and_never_over_an_input() {
    let dir = desk();
    let out = dir.path().join("card.json");
    in_desk(dir.path(), &["A1", "--output"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["profile"]["customer_id"], "A1");
    let md = dir.path().join("card.md");
    in_desk(dir.path(), &["A1", "-o"])
        .arg(&md)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .starts_with("# A1 Ann Near\n"));
    let orders = dir.path().join("orders.csv");
    let before = std::fs::read(&orders).unwrap();
    in_desk(dir.path(), &["A1", "--output"])
        .arg(&orders)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is an input file"));
    assert_eq!(std::fs::read(&orders).unwrap(), before);
}

#[test]
fn the_table_view_fits_the_width_it_is_given() {
    use unicode_width::UnicodeWidthStr;
    for width in [60usize, 100] {
        let out = caredesk()
            .env("COLUMNS", width.to_string())
            .args(["customer", "C0151", "--as-of", T])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines().filter(|l| l.starts_with(['┌', '│', '╞', '└'])) {
            assert!(line.width() <= width, "{width}: {line}");
        }
    }
}

#[test]
fn bad_data_is_reported_before_anybody_is_looked_for() {
    let dir = desk();
    std::fs::write(
        dir.path().join("customers.csv"),
        "customer_id,name,phone\nA1,,13812345678\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.csv"),
        "order_id,customer_id,date,amount\nO1,A1,2026-13-01,5.00\n",
    )
    .unwrap();
    // A1 was left out for its empty name: the problems, not "no customer A1", and the
    // orders' problem in the same run.
    in_desk(dir.path(), &["A1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("customers.csv:2: name"))
        .stderr(predicate::str::contains("orders.csv:2: date"))
        .stderr(predicate::str::contains("no customer").not());
}

/// The console blocks of the README's card section, as (command, output).
fn readme_examples() -> Vec<(String, String)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut examples = Vec::new();
    for block in readme.split("```console\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let Some(rest) = block.strip_prefix("$ caredesk customer ") else {
            continue;
        };
        let (command, output) = rest.split_once('\n').unwrap();
        examples.push((command.to_string(), output.to_string()));
    }
    examples
}

#[test]
fn the_readme_shows_real_cards() {
    let examples = readme_examples();
    assert!(examples.len() >= 3, "{examples:?}");
    for (command, shown) in examples {
        let args: Vec<&str> = command.split_whitespace().collect();
        let out = caredesk()
            .env_remove("COLUMNS")
            .arg("customer")
            .args(&args)
            .output()
            .unwrap();
        let mut got = String::from_utf8(out.stdout).unwrap();
        got.push_str(&String::from_utf8(out.stderr).unwrap());
        assert_eq!(got, shown, "caredesk customer {command}");
    }
}

#[test]
fn the_card_of_a_desk_with_one_customer_ranks_its_points_at_zero() {
    // A percent rank over one customer has no others to be above (§3.3): 0, not 0 / 0.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "customer_id,name\nS1,Solo\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.csv"),
        "order_id,customer_id,date,kind,amount\nO1,S1,2026-11-01,sale,50.00\n",
    )
    .unwrap();
    let card = desk_json(dir.path(), &["S1"]);
    assert_eq!(card["segment"]["points_percent_rank"], "0.0000", "{card}");
    assert_eq!(card["points"]["points"], 50);
}
