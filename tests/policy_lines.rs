//! Policy validation from the outside, one policy per class of mistake: `check` lists every
//! problem at once, each with its line and key, whether the rule is a `[[table]]`, an
//! inline table in a list, or a list of texts spread over lines; every bound lets its
//! own edge through and refuses one step past it.

mod common;

use common::caredesk;

/// `check` against `policy` on a desk of one customer and no orders; exit code and stdout.
fn check(policy: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, policy).unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "customer_id,name\nC1,Ann\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.csv"),
        "order_id,customer_id,date,amount\n",
    )
    .unwrap();
    let out = caredesk()
        .args(["check", "--as-of", "2026-11-22", "--data"])
        .arg(dir.path())
        .arg("--policy")
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The problems `check` lists (without the count and the file's folder), in order.
fn problems(policy: &str) -> Vec<String> {
    let (code, out) = check(policy);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let (last, problems) = lines.split_last().unwrap();
    assert_eq!(
        *last,
        format!(
            "{} problem{} found",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
        "{out}"
    );
    problems
        .iter()
        .map(|l| {
            let at = l.find("policy.toml:").unwrap_or_else(|| panic!("{l}"));
            l[at..].to_string()
        })
        .collect()
}

fn ok(policy: &str) {
    let (code, out) = check(policy);
    assert_eq!(code, 0, "refused:\n{policy}\n{out}");
    assert!(out.starts_with("ok: "), "{out}");
}

#[test]
fn due_rules_in_an_inline_list_are_checked_each_at_its_line() {
    let got = problems(
        r#"[due]
rules = [
  { name = "a", source = "sale", days = 3, channel = "phone" },
  { name = "b", source = "sale", channel = "phone" },
  { name = "c", source = "birthday", days = 1, channel = "sms" },
  { name = "a", source = "sale", months = 1, channel = "fax" },
  "not a table",
  { name = "d", source = "service", from_days = 5, to_days = 2, channel = "visit", kinds = [
      "install",
      7,
      "bogus",
  ] },
  { name = "e", source = "sale", days = 3, months = 2, channel = "phone", colour = "red" },
  { name = "two words", source = "gossip", channel = "phone" },
  { source = "sale", days = 1 },
]
"#,
    );
    assert_eq!(
        got,
        [
            "policy.toml:7: due.rules[5]: expected a table { … }, found \"not a table\"",
            "policy.toml:10: due.rules[6].kinds[2]: expected text in quotes, found 7",
            "policy.toml:13: due.rules[7].colour: unknown policy key (misspelt? the shipped config/policy.toml lists every key)",
        ],
        "a list that cannot be read is reported, not checked further"
    );
}

#[test]
fn due_rules_are_checked_each_at_its_line() {
    let got = problems(
        r#"[due]
rules = [
  { name = "a", source = "sale", days = 3, channel = "phone" },
  { name = "b", source = "sale", channel = "phone" },
  { name = "c", source = "birthday", days = 1, channel = "sms" },
  { name = "a", source = "sale", months = 1, channel = "fax" },
  { name = "d", source = "service", from_days = 5, to_days = 2, channel = "visit", kinds = [
      "install",
      "bogus",
  ] },
  { name = "e", source = "sale", days = 3, months = 2, channel = "phone" },
  { name = "two words", source = "gossip", channel = "phone" },
  { source = "sale", days = 1 },
  { name = "f", source = "service", from_days = 1, channel = "phone", kinds = [] },
  { name = "g", source = "sale", days = -1, channel = "phone" },
  { name = "h", source = "sale", months = 1201, channel = "phone" },
  { name = "i", source = "complaint_response", hours = 876601, channel = "phone" },
  { name = "j", source = "service", from_days = 1, to_days = 2, channel = "phone", kinds = [] },
]
"#,
    );
    assert_eq!(
        got,
        [
            "policy.toml:4: due.rules[2].source: rule \"b\" (sale) needs either days or months after the sale",
            "policy.toml:5: due.rules[3].days: rule \"c\" (birthday): days does not apply (a birthday rule reads no offset)",
            "policy.toml:6: due.rules[4].name: rule \"a\" is named twice",
            "policy.toml:6: due.rules[4].channel: expected \"phone\", \"sms\", \"visit\" or \"gift\", found \"fax\"",
            "policy.toml:7: due.rules[5].to_days: the window ends before it starts",
            "policy.toml:9: due.rules[5].kinds[2]: unknown order kind \"bogus\"; expected sale, install, repair, maintenance, return_repair or return_exchange",
            "policy.toml:11: due.rules[6].source: rule \"e\" (sale) needs either days or months after the sale",
            "policy.toml:12: due.rules[7].name: a rule name is one word, such as callback-3d, not \"two words\"",
            "policy.toml:12: due.rules[7].source: expected \"sale\", \"service\", \"birthday\", \"anniversary\", \"holiday\", \"maintenance\", \"complaint_response\", \"complaint_resolve\", \"complaint_revisit\", \"points_expiry\" or \"answers\", found \"gossip\"",
            "policy.toml:13: due.rules[8]: a due rule needs a name",
            "policy.toml:13: due.rules[8]: a due rule needs a channel: \"phone\", \"sms\", \"visit\" or \"gift\"",
            "policy.toml:14: due.rules[9].source: rule \"f\" (service) needs from_days and to_days",
            "policy.toml:15: due.rules[10].days: expected a whole number of days from 0 to 36525 (a century), found -1",
            "policy.toml:16: due.rules[11].months: expected a whole number of months from 0 to 1200 (a century), found 1201",
            "policy.toml:17: due.rules[12].hours: expected a whole number of hours from 0 to 876600 (a century), found 876601",
            "policy.toml:18: due.rules[13].kinds: kinds lists at least one order kind (leave it out for install and repair)",
        ]
    );
}

#[test]
fn due_rules_accept_their_edges() {
    ok(r#"[due]
grace_days = 0
[[due.rules]]
name = "a"
source = "sale"
days = 0
channel = "phone"
[[due.rules]]
name = "b"
source = "sale"
months = 1200
channel = "sms"
[[due.rules]]
name = "c"
source = "service"
from_days = 3
to_days = 3
kinds = ["install"]
channel = "visit"
[[due.rules]]
name = "d"
source = "complaint_response"
hours = 876600
channel = "phone"
[[due.rules]]
name = "e"
source = "birthday"
channel = "gift"
"#);
}

#[test]
fn kpi_bounds_refuse_one_step_past_each_edge() {
    let got = problems(
        r#"[[kpi.rules]]
name = "t0"
measure = "outcome"
kind = "install"
target = 0
weight = 1
[[kpi.rules]]
name = "t1"
measure = "outcome"
kind = "install"
target = 1.0000001
weight = 1
[[kpi.rules]]
name = "w"
measure = "outcome"
kind = "repair"
target = 0.5
weight = 10000.01
[[kpi.rules]]
name = "neg"
measure = "outcome"
kind = "repair"
target = 0.5
weight = -0.01
[[kpi.rules]]
name = "places"
measure = "outcome"
kind = "repair"
target = 0.1234567
weight = 1
[[kpi.rules]]
name = "visits"
measure = "repeat_visit"
kind = "sale"
window_days = 0
target = 0.5
weight = 1
[[kpi.rules]]
name = "closure"
measure = "complaint_closure"
kind = "sale"
hours = 24
tiers = ["care_plan"]
window_days = 30
target = 0.5
weight = 1
[[kpi.rules]]
name = "odd"
measure = "happiness"
target = "most"
[[kpi.rules]]
name = "nokind"
measure = "outcome"
target = 0.5
weight = 1
"#,
    );
    assert_eq!(
        got,
        [
            "policy.toml:5: kpi.rules[1].target: a target is a fraction above 0 and at most 1 (0.95 = 95 %), not 0",
            "policy.toml:11: kpi.rules[2].target: a target is a fraction above 0 and at most 1 (0.95 = 95 %), not 1.0000001",
            "policy.toml:18: kpi.rules[3].weight: a weight is from 0 to 10000 points, not 10000.01",
            "policy.toml:24: kpi.rules[4].weight: a weight is from 0 to 10000 points, not -0.01",
            "policy.toml:29: kpi.rules[5].target: 0.1234567 has more than 6 decimal places",
            "policy.toml:35: kpi.rules[6].window_days: expected a whole number of days from 1 to 36525 (a century), found 0",
            "policy.toml:41: kpi.rules[7].kind: KPI \"closure\" counts complaints: kind does not apply",
            "policy.toml:42: kpi.rules[7].hours: KPI \"closure\" (complaint_closure): hours applies to complaint_response and complaint_resolution only",
            "policy.toml:43: kpi.rules[7].tiers: KPI \"closure\" (complaint_closure): tiers applies to survey_coverage and followup_done only",
            "policy.toml:44: kpi.rules[7].window_days: KPI \"closure\" (complaint_closure): window_days applies to repeat_visit only",
            "policy.toml:47: kpi.rules[8]: KPI \"odd\" needs a weight (the points at stake)",
            "policy.toml:49: kpi.rules[8].measure: expected \"outcome\", \"repeat_visit\", \"complaint_closure\", \"complaint_response\", \"complaint_resolution\", \"csat\", \"survey_coverage\" or \"followup_done\", found \"happiness\"",
            "policy.toml:50: kpi.rules[8].target: expected a fraction such as 0.95, or \"average\", found \"most\"",
            "policy.toml:53: kpi.rules[9].measure: KPI \"nokind\" counts order rows: it needs kind = \"install\" (or another order kind)",
        ]
    );
}

#[test]
fn kpi_bounds_accept_their_edges() {
    ok(r#"[[kpi.rules]]
name = "top"
measure = "outcome"
kind = "install"
target = 1
weight = 10000
[[kpi.rules]]
name = "low"
measure = "outcome"
kind = "repair"
target = 0.000001
weight = 0
[[kpi.rules]]
name = "visits"
measure = "repeat_visit"
kind = "sale"
window_days = 1
target = 0.5
weight = 1
[[kpi.rules]]
name = "answer"
measure = "complaint_response"
hours = 0
target = "average"
weight = 1
"#);
}

#[test]
fn tier_bounds_refuse_one_step_past_each_edge() {
    let got = problems(
        r#"[tiers]
points_per_unit = 10000.5
churn_days = 36526
[tiers.lifecycle]
active_days = 91
sleeping_days = 90
[tiers.segments]
window_days = 0
top_rank = 1.01
min_per_year = 10001
[tiers.care_goal]
min_sales = -1
min_referrals = 1000001
[[tiers.levels]]
name = "A"
min_spend = 100.001
[[tiers.levels]]
name = "B"
min_spend = -1
[[tiers.levels]]
name = "C"
min_spend = 50
[[tiers.levels]]
name = "D"
min_spend = 50
[[tiers.levels]]
name = "E"
min_spend = 1
"#,
    );
    assert_eq!(
        got,
        [
            "policy.toml:2: tiers.points_per_unit: points per unit are from 0 to 10000, not 10000.5",
            "policy.toml:3: tiers.churn_days: expected a whole number of days from 0 to 36525 (a century), found 36526",
            "policy.toml:6: tiers.lifecycle.sleeping_days: sleeping_days (90) must be at least active_days (91)",
            "policy.toml:8: tiers.segments.window_days: expected a whole number of days from 1 to 36525 (a century), found 0",
            "policy.toml:9: tiers.segments.top_rank: a percent rank is between 0 and 1, not 1.01",
            "policy.toml:10: tiers.segments.min_per_year: purchases a year are from 0 to 10000, not 10001",
            "policy.toml:12: tiers.care_goal.min_sales: expected a whole number from 0 to 1000000, found -1",
            "policy.toml:13: tiers.care_goal.min_referrals: expected a whole number from 0 to 1000000, found 1000001",
            "policy.toml:16: tiers.levels[1].min_spend: an amount has at most 2 decimal places, not 100.001",
            "policy.toml:19: tiers.levels[2].min_spend: an amount from 0 to 92233720368547758.07 (the largest total a customer can have), not -1",
            "policy.toml:25: tiers.levels[4].min_spend: tier thresholds must descend: 50.00 is not below \"C\"'s 50.00",
            "policy.toml:28: tiers.levels[5].min_spend: the last tier is the floor: it takes no min_spend",
        ]
    );
}

#[test]
fn tier_bounds_accept_their_edges() {
    ok(r#"[tiers]
points_per_unit = 10000
churn_days = 36525
[tiers.lifecycle]
active_days = 90
sleeping_days = 90
[tiers.segments]
window_days = 1
top_rank = 1
min_per_year = 10000
retain_months = 0
[tiers.care_goal]
min_sales = 0
min_referrals = 1000000
[[tiers.levels]]
name = "A"
min_spend = 92233720368547758.07
[[tiers.levels]]
name = "B"
min_spend = 0.01
[[tiers.levels]]
name = "C"
"#);
}

#[test]
fn score_tiers_are_checked_at_their_lines() {
    let got = problems(
        r#"[tiers]
method = "score"
[tiers.score]
spend = 0.5
profit = 0.5
sales = 0.1
[[tiers.levels]]
name = "A"
share = 0
[[tiers.levels]]
name = "B"
share = 1.5
[[tiers.levels]]
name = "C"
min_spend = 1
"#,
    );
    assert_eq!(
        got,
        [
            "policy.toml:3: tiers.score: score weights must add up to 1 (they add up to 1.1)",
            "policy.toml:9: tiers.levels[1].share: a share is a fraction above 0 and at most 1, not 0",
            "policy.toml:12: tiers.levels[2].share: a share is a fraction above 0 and at most 1, not 1.5",
            "policy.toml:15: tiers.levels[3].min_spend: only the spend method uses min_spend; the score method reads share or min_score",
        ]
    );
    // The tiers above the floor take just under everyone; the weights add up to exactly 1.
    ok(r#"[tiers]
method = "score"
[tiers.score]
spend = 1
profit = 0
sales = 0
[[tiers.levels]]
name = "A"
share = 0.999999
[[tiers.levels]]
name = "B"
"#);
}

#[test]
fn a_yearly_holiday_is_a_real_month_and_day() {
    let holiday = |md: &str| format!("[[due.holidays]]\nname = \"H\"\nmonth_day = \"{md}\"\n");
    for bad in [
        "13-05", "00-10", "12-32", "12-00", "1-", "-1", "123-1", "1-1-1", "a-1",
    ] {
        assert_eq!(
            problems(&holiday(bad)),
            [format!(
                "policy.toml:3: due.holidays[1].month_day: expected a month-day such as 10-01, not {bad:?}"
            )],
            "{bad}"
        );
    }
    for good in ["1-1", "01-01", "12-31", "02-29", " 10-01 "] {
        ok(&holiday(good));
    }
}

#[test]
fn an_answer_scale_has_two_to_ten_points() {
    let scale = |n: usize| {
        let labels: Vec<String> = (1..=n).map(|i| format!("\"s{i}\"")).collect();
        format!(
            "[survey.scale]\nlabels = [{}]\nsatisfied = {n}\n\n[[survey.forms]]\nname = \"f\"\nlabel = \"f\"\nrules = [\"callback-3d\"]\nquestions = [{{ id = \"overall\", label = \"o\", target = 1 }}]\n",
            labels.join(", ")
        )
    };
    ok(&scale(2));
    ok(&scale(10));
    for n in [0, 1, 11] {
        let got = problems(&scale(n));
        assert_eq!(
            got.first().map(String::as_str),
            Some("policy.toml:2: survey.scale.labels: a scale has 2 to 10 points: list one label per score, score 1 first"),
            "{n} labels: {got:?}"
        );
    }
}

#[test]
fn a_question_id_is_one_word_without_equals_or_commas() {
    let got = problems(
        "[[survey.forms]]\nname = \"sales\"\nlabel = \"sales\"\nrules = [\"callback-3d\"]\nquestions = [\n  { id = \"on time\", label = \"a\", target = 4.5 },\n  { id = \"a=b\", label = \"b\", target = 4.5 },\n  { id = \"a,b\", label = \"c\", target = 4.5 },\n  { id = \"\", label = \"d\", target = 4.5 },\n  { id = \"on_time\", label = \"f\", target = 4.5 },\n  { id = \"overall\", label = \"o\", target = 4.5 },\n]\n",
    );
    let say = |line: u32, k: u32, id: &str| {
        format!("policy.toml:{line}: survey.forms[1].questions[{k}].id: a question id is one word without = or commas, such as on_time, not {id:?}")
    };
    assert_eq!(
        got,
        [
            say(6, 1, "on time"),
            say(7, 2, "a=b"),
            say(8, 3, "a,b"),
            say(9, 4, "")
        ]
    );
}
