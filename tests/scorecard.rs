//! The scorecard's ranking and period from the outside: `kpi --by owner` (or store) puts
//! the best share of the points at stake first, then the most points, then the name; a
//! group with nothing assessed is last; the period's first and last days count, the days
//! around it do not; a period may start on the as-of day but not after it.

mod common;

use common::caredesk;

/// Two KPIs (install weighs 5, repair 10, both aimed at 50 %), five consultants (and their
/// stores, named the same in capitals) and a customer with neither.
///   bea: install ✓, repair ✓      15 of 15  share 1
///   amy: install ✓                 5 of 5   share 1
///   eve: install ✓                 5 of 5   share 1
///   cat: install ✓, repair ✗       5 of 15  share 1/3
///   dan: install ✗                 0 of 5   share 0
/// By points alone cat (5) would come before eve (5, by name) and dan; by share it does not.
/// Orders on 30 Sep and 1 Nov (failures, all of them) sit just outside October.
fn desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("customers.csv"),
        "customer_id,name,owner,store\n\
         C1,Ann,amy,AMY\nC2,Bo,bea,BEA\nC3,Cy,cat,CAT\nC4,Di,dan,DAN\nC5,Ed,eve,EVE\nC6,Fay,,\n",
    )
    .unwrap();
    std::fs::write(
        d.join("orders.csv"),
        "order_id,customer_id,date,kind,amount,outcome\n\
         O1,C1,2026-10-01,install,0,pass\n\
         O2,C2,2026-10-15,install,0,pass\n\
         O3,C2,2026-10-31,repair,0,pass\n\
         O4,C3,2026-10-20,install,0,pass\n\
         O5,C3,2026-10-21,repair,0,fail\n\
         O6,C4,2026-10-31,install,0,fail\n\
         O7,C5,2026-10-02,install,0,pass\n\
         O8,C1,2026-09-30,install,0,fail\n\
         O9,C5,2026-11-01,install,0,fail\n\
         O10,C2,2026-11-01,repair,0,fail\n",
    )
    .unwrap();
    std::fs::write(
        d.join("policy.toml"),
        "[kpi]\nscoring = \"proportional\"\n\
         [[kpi.rules]]\nname = \"install\"\nmeasure = \"outcome\"\nkind = \"install\"\ntarget = 0.5\nweight = 5\n\
         [[kpi.rules]]\nname = \"repair\"\nmeasure = \"outcome\"\nkind = \"repair\"\ntarget = 0.5\nweight = 10\n",
    )
    .unwrap();
    dir
}

fn kpi(dir: &tempfile::TempDir, args: &[&str]) -> assert_cmd::assert::Assert {
    let d = dir.path();
    caredesk()
        .args(["kpi", "--data"])
        .arg(d)
        .arg("--policy")
        .arg(d.join("policy.toml"))
        .args(args)
        .assert()
}

fn rows(dir: &tempfile::TempDir, args: &[&str]) -> Vec<Vec<String>> {
    let out = kpi(dir, &[&["--format", "csv"], args].concat())
        .success()
        .get_output()
        .stdout
        .clone();
    csv::Reader::from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// (group, weight at stake, points) of the total rows, in order.
fn totals(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .filter(|r| r[1] == "total")
        .map(|r| format!("{} {} {}", r[0], r[9], r[10]))
        .collect()
}

#[test]
fn owners_rank_by_share_then_points_then_name_and_the_unassessed_last() {
    let dir = desk();
    let rows = rows(&dir, &["--as-of", "2026-11-22", "--by", "owner"]);
    assert_eq!(
        totals(&rows),
        [
            "bea 15.00 15.00",
            "amy 5.00 5.00",
            "eve 5.00 5.00",
            "cat 15.00 5.00",
            "dan 5.00 0.00",
            "(none) 0.00 0.00",
        ]
    );
    // Each group's rows follow its name: the KPIs, then the total.
    let groups: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        groups,
        [
            "bea", "bea", "bea", "amy", "amy", "amy", "eve", "eve", "eve", "cat", "cat", "cat",
            "dan", "dan", "dan", "(none)", "(none)", "(none)"
        ]
    );
}

#[test]
fn stores_rank_the_same_way() {
    let dir = desk();
    let rows = rows(&dir, &["--as-of", "2026-11-22", "--by", "store"]);
    assert_eq!(
        totals(&rows),
        [
            "BEA 15.00 15.00",
            "AMY 5.00 5.00",
            "EVE 5.00 5.00",
            "CAT 15.00 5.00",
            "DAN 5.00 0.00",
            "(none) 0.00 0.00",
        ]
    );
}

#[test]
fn the_whole_desk_counts_the_first_and_last_day_of_the_month_and_nothing_around_it() {
    let dir = desk();
    let rows = rows(&dir, &["--as-of", "2026-11-22"]);
    let line = |kpi: &str| {
        rows.iter()
            .find(|r| r[0] == "all" && r[1] == kpi)
            .unwrap_or_else(|| panic!("{kpi}: {rows:?}"))[3..]
            .join(",")
    };
    // 1 Oct (O1) and 31 Oct (O3, O6) count; 30 Sep (O8) and 1 Nov (O9, O10) do not.
    assert_eq!(line("install"), "5,4,1,0.8000,0.5000,true,5.00,5.00");
    assert_eq!(line("repair"), "2,1,1,0.5000,0.5000,true,10.00,10.00");
    kpi(&dir, &["--as-of", "2026-11-22", "--format", "csv"])
        .success()
        .stderr(predicates::str::contains(
            "period: 2026-10-01 to 2026-10-31",
        ));
}

#[test]
fn a_period_may_start_on_the_as_of_day_but_not_after_it() {
    let dir = desk();
    // November as of 1 November: the first day has happened (O9 and O10 fail on it).
    let rows = rows(&dir, &["--as-of", "2026-11-01", "--month", "2026-11"]);
    let install = rows
        .iter()
        .find(|r| r[0] == "all" && r[1] == "install")
        .unwrap();
    assert_eq!(install[3..6].join(","), "1,0,1");
    // As of 31 October nothing of November has happened: refused as bad usage.
    kpi(&dir, &["--as-of", "2026-10-31", "--month", "2026-11"])
        .code(2)
        .stderr(predicates::str::contains(
            "the period starts on 2026-11-01, after the as-of date 2026-10-31",
        ));
}

/// The table view marks a missed target, and only that.
#[test]
fn the_table_marks_missed_targets_only() {
    let dir = desk();
    let out = kpi(
        &dir,
        &[
            "--as-of",
            "2026-11-22",
            "--by",
            "owner",
            "--format",
            "table",
            "--color",
            "never",
        ],
    )
    .success()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8(out).unwrap();
    // cat's repair and dan's install missed their targets.
    let marked: Vec<&str> = text.lines().filter(|l| l.contains('✗')).collect();
    assert_eq!(marked.len(), 2, "{text}");
    assert!(marked.iter().all(|l| l.contains("✗ no")), "{text}");
    assert!(
        marked[0].contains("cat") && marked[0].contains("repair"),
        "{text}"
    );
    assert!(
        marked[1].contains("dan") && marked[1].contains("install"),
        "{text}"
    );
}
