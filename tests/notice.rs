//! `caredesk complaints`: the Thursday notice on complaints sitting on the edges of its
//! window (docs/rules.md §7.3: the 7 days up to the as-of day's end, `T − 7 < date ≤ T`),
//! and the breach markers of the open complaints' table.

mod common;

use common::caredesk;
use predicates::prelude::*;

/// As of Thursday 26 Nov 2026 (deadlines 24 h to answer, 24 h to resolve):
///   K1 install  20 Nov 08:00  day 7: in   answered in time, closed late
///   K2 repair   19 Nov 23:00  day 8: out  open, major
///   K3 repair   26 Nov 18:00  the day: in open, major, deadlines not yet past
///   K4 quality  25 Nov 10:00  in          answered late, still open
///   K5 quality  27 Nov 09:00  after: out  major
///   K6 service  21 Nov 12:00  in          answered and closed in time
///   K7 other    23 Nov 10:00  in          closed on 30 Nov: not yet known, so open and late
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name\nC1,Ann\nC2,王伟\nC3,Cy\n",
    )
    .unwrap();
    std::fs::write(d.join("orders.csv"), "order_id,customer_id,date,amount\n").unwrap();
    std::fs::write(
        d.join("complaints.csv"),
        "complaint_id,customer_id,category,opened_at,responded_at,closed_at,severity\n\
         K1,C1,install,2026-11-20 08:00,2026-11-20 09:00,2026-11-22 10:00,normal\n\
         K2,C2,repair,2026-11-19 23:00,,,major\n\
         K3,C2,repair,2026-11-26 18:00,,,major\n\
         K4,C3,quality,2026-11-25 10:00,2026-11-26 11:00,,normal\n\
         K5,C3,quality,2026-11-27 09:00,,,major\n\
         K6,C1,service,2026-11-21 12:00,2026-11-21 13:00,2026-11-21 14:00,normal\n\
         K7,C1,other,2026-11-23 10:00,,2026-11-30 10:00,normal\n",
    )
    .unwrap();
    dir
}

fn complaints(dir: &tempfile::TempDir, args: &[&str]) -> assert_cmd::assert::Assert {
    caredesk()
        .args(["complaints", "--as-of", "2026-11-26", "--data"])
        .arg(dir.path())
        .args(args)
        .assert()
        .success()
}

#[test]
fn the_weekly_notice_counts_day_7_not_day_8_and_nothing_after_the_day() {
    let dir = desk();
    complaints(&dir, &["--weekly", "--format", "csv"])
        .stdout(
            "category,opened,open,response_breached,resolution_breached,escalated\n\
             repair,1,1,0,0,1\n\
             install,1,0,0,1,0\n\
             quality,1,1,1,1,0\n\
             maintenance,0,0,0,0,0\n\
             service,1,0,0,0,0\n\
             other,1,1,1,1,0\n\
             total,5,3,2,3,1\n",
        )
        .stderr(predicate::str::contains(
            "complaints opened in the 7 days up to 2026-11-27 00:00",
        ))
        .stderr(predicate::str::contains(
            "escalated (major): K3 (C2 王伟, repair)",
        ))
        .stderr(predicate::str::contains("K2").not())
        .stderr(predicate::str::contains("K5").not());
}

#[test]
fn the_window_moves_with_the_as_of_day() {
    let dir = desk();
    // As of 22 Nov: K1 (20 Nov), K2 (19 Nov, major) and K6 (21 Nov); K2 is in, and escalated.
    caredesk()
        .args([
            "complaints",
            "--weekly",
            "--as-of",
            "2026-11-22",
            "--format",
            "csv",
            "--data",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("total,3,1,1,2,1\n"))
        .stderr(predicate::str::contains(
            "escalated (major): K2 (C2 王伟, repair)",
        ));
    // As of 18 Nov the window is 12–18 Nov: nothing opened in it, nobody escalated.
    caredesk()
        .args([
            "complaints",
            "--weekly",
            "--as-of",
            "2026-11-18",
            "--format",
            "csv",
            "--data",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("total,0,0,0,0,0\n"))
        .stderr(predicate::str::contains("escalated").not());
}

#[test]
fn the_open_complaints_are_listed_oldest_first_with_their_breaches() {
    let dir = desk();
    complaints(&dir, &["--format", "csv"])
        .stdout(
            "complaint_id,customer_id,name,owner,category,severity,opened_at,age_hours,respond_by,responded_at,response_breached,resolve_by,resolution_breached\n\
             K2,C2,王伟,,repair,major,2026-11-19 23:00,169,2026-11-20 23:00,,true,2026-11-20 23:00,true\n\
             K7,C1,Ann,,other,normal,2026-11-23 10:00,86,2026-11-24 10:00,,true,2026-11-24 10:00,true\n\
             K4,C3,Cy,,quality,normal,2026-11-25 10:00,38,2026-11-26 10:00,2026-11-26 11:00,true,2026-11-26 10:00,true\n\
             K3,C2,王伟,,repair,major,2026-11-26 18:00,6,2026-11-27 18:00,,false,2026-11-27 18:00,false\n",
        )
        .stderr(predicate::str::contains(
            "4 open complaints at 2026-11-27 00:00",
        ));
}

/// The table view marks each breached deadline, and nothing else.
#[test]
fn the_table_marks_breaches_only() {
    let dir = desk();
    for color in ["never", "always"] {
        let out = complaints(&dir, &["--format", "table", "--color", color])
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let line = |id: &str| text.lines().find(|l| l.contains(id)).unwrap().to_string();
        for id in ["K2", "K7", "K4"] {
            assert_eq!(line(id).matches("✗ yes").count(), 2, "{id}:\n{text}");
        }
        assert!(!line("K3").contains('✗'), "{text}");
        assert!(!text.contains("✗ no"), "{text}");
        assert_eq!(text.matches('✗').count(), 6, "{text}");
        assert!(
            text.contains("4 open complaints at 2026-11-27 00:00"),
            "{text}"
        );
    }
}
