use super::*;

fn problems(text: &str) -> Vec<String> {
    match Policy::parse(text, "p.toml") {
        Ok(_) => Vec::new(),
        Err(ps) => ps.iter().map(|p| p.to_string()).collect(),
    }
}

fn parsed(text: &str) -> Policy {
    Policy::parse(text, "p.toml")
        .unwrap_or_else(|ps| panic!("{:?}", ps.iter().map(|p| p.to_string()).collect::<Vec<_>>()))
}

#[test]
fn the_shipped_policy_file_is_the_built_in_default() {
    let text = include_str!("../../config/policy.toml");
    let shipped = Policy {
        origin: Origin::default(),
        ..parsed(text)
    };
    assert_eq!(shipped, Policy::default());
}

#[test]
fn empty_policy_is_the_domain_defaults() {
    let p = parsed("");
    assert_eq!(p, Policy::default());
    assert!(
        matches!(&p.tiers.method, Method::Spend { min_spend } if min_spend[0] == Cents(100_000_000))
    );
    assert_eq!(
        p.tier_names().collect::<Vec<_>>(),
        ["Diamond", "Platinum", "VIP", "D", "Member"]
    );
}

#[test]
fn unknown_keys_are_reported_with_their_lines() {
    let got = problems("[tiers]\nmethod = \"spend\"\nwindow_dayz = 3\n\n[validaton]\nx = 1\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("p.toml:3: tiers.window_dayz: unknown policy key"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("p.toml:5: validaton: unknown policy key"),
        "{got:?}"
    );
}

#[test]
fn unknown_key_inside_a_level_is_reported() {
    let text = "[[tiers.levels]]\nname = \"A\"\nmin_spend = 10\n[[tiers.levels]]\nname = \"B\"\nmin_spnd = 5\n";
    let got = problems(text);
    assert_eq!(
        got,
        ["p.toml:6: tiers.levels[2].min_spnd: unknown policy key (misspelt? the shipped config/policy.toml lists every key)"]
    );
}

#[test]
fn thresholds_must_descend() {
    let text = "[[tiers.levels]]\nname = \"A\"\nmin_spend = 10\n[[tiers.levels]]\nname = \"B\"\nmin_spend = 10\n[[tiers.levels]]\nname = \"C\"\n";
    let got = problems(text);
    assert_eq!(got, ["p.toml:6: tiers.levels[2].min_spend: tier thresholds must descend: 10.00 is not below \"A\"'s 10.00"]);
}

#[test]
fn shares_must_add_up() {
    let text = "[tiers]\nmethod = \"score\"\n[[tiers.levels]]\nname = \"A\"\nshare = 0.5\n[[tiers.levels]]\nname = \"B\"\nshare = 0.6\n";
    let got = problems(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("shares must add up to 1 (they add up to 1.1)"),
        "{got:?}"
    );
}

#[test]
fn weights_must_add_up_and_floats_read_as_written() {
    let text = "[tiers]\nmethod = \"score\"\n[tiers.score]\nspend = 0.1\nprofit = 0.2\nsales = 0.3\n[[tiers.levels]]\nname = \"A\"\nshare = 0.005\n[[tiers.levels]]\nname = \"B\"\n";
    let got = problems(text);
    assert_eq!(
        got,
        ["p.toml:3: tiers.score: score weights must add up to 1 (they add up to 0.6)"]
    );
    let p = parsed("[tiers]\nmethod = \"score\"\n[tiers.score]\nspend = 0.1\nprofit = 2e-1\nsales = 0.7_0\n[[tiers.levels]]\nname = \"A\"\nshare = 0.005\n[[tiers.levels]]\nname = \"B\"\n");
    let Method::Score { weights, classes } = &p.tiers.method else {
        panic!("score")
    };
    assert_eq!(weights.profit.to_string(), "0.2");
    assert_eq!(weights.sales.to_string(), "0.70");
    assert_eq!(classes, &Classes::Shares(vec![Decimal::new(5, 3)]));
}

#[test]
fn syntax_and_type_errors_name_the_line() {
    assert!(problems("[tiers\n")[0].starts_with("p.toml:1: TOML syntax"));
    let got = problems("[tiers]\n\nwindow_days = \"long\"\n");
    assert_eq!(
        got,
        ["p.toml:3: tiers.window_days: expected a whole number, found \"long\""]
    );
    let got = problems("[tiers]\nmethod = \"magic\"\n");
    assert_eq!(
        got,
        ["p.toml:2: tiers.method: expected \"spend\" or \"score\", found \"magic\""]
    );
}

#[test]
fn every_type_error_is_reported_at_once_with_its_key() {
    let text = "[tiers]\nwindow_days = 30.5\nchurn_days = \"long\"\nrefunds_are_purchases = 1\n\
                [tiers.lifecycle]\nactive_days = -3\n\
                [[due.rules]]\nname = \"x\"\nsource = \"sale\"\ndays = [3]\nchannel = 7\n\
                [[kpi.rules]]\nname = \"k\"\nmeasure = \"outcome\"\nkind = \"install\"\ntarget = \"high\"\nweight = 1\n";
    let got = problems(text);
    assert_eq!(
        got,
        [
            "p.toml:2: tiers.window_days: expected a whole number, found 30.5",
            "p.toml:3: tiers.churn_days: expected a whole number, found \"long\"",
            "p.toml:4: tiers.refunds_are_purchases: expected true or false, found 1",
            "p.toml:6: tiers.lifecycle.active_days: expected a whole number of days from 0 to 36525 (a century), found -3",
            "p.toml:10: due.rules[1].days: expected a whole number, found a list",
            "p.toml:11: due.rules[1].channel: expected text in quotes, found 7",
            "p.toml:16: kpi.rules[1].target: expected a fraction such as 0.95, or \"average\", found \"high\"",
        ]
    );
}

#[test]
fn a_table_where_a_value_belongs_and_the_reverse() {
    let got = problems("tiers = 5\n[kpi]\nscoring = { a = 1 }\n[[validation]]\nx = 1\n");
    assert_eq!(
        got,
        [
            "p.toml:1: tiers: expected a table ([tiers]), found 5",
            "p.toml:3: kpi.scoring: expected text in quotes, found a table",
            "p.toml:4: validation: expected a table ([validation]), found a list of tables",
        ]
    );
    let got = problems("[tiers]\nlevels = 3\n[due]\nrules = [1]\n");
    assert_eq!(
        got,
        [
            "p.toml:2: tiers.levels: expected a list of tables, one [[tiers.levels]] each, found 3",
            "p.toml:4: due.rules[1]: expected a table { … }, found 1",
        ]
    );
}

#[test]
fn inline_tables_read_like_headers() {
    let p = parsed(
        "[tiers]\nlevels = [{ name = \"Top\", min_spend = 100 }, { name = \"Rest\" }]\n\
         score = { spend = 0.5, profit = 0.5, sales = 0 }\n",
    );
    assert_eq!(p.tier_names().collect::<Vec<_>>(), ["Top", "Rest"]);
    assert!(
        matches!(&p.tiers.method, Method::Spend { min_spend } if min_spend == &[Cents(10_000)])
    );
}

#[test]
fn money_in_the_policy_is_exact_and_bounded() {
    let got = problems(
        "[[tiers.levels]]\nname = \"A\"\nmin_spend = 10.005\n[[tiers.levels]]\nname = \"B\"\n",
    );
    assert!(got[0].contains("at most 2 decimal places"), "{got:?}");
    let got = problems(
        "[[tiers.levels]]\nname = \"A\"\nmin_spend = \"99999999999999999999\"\n[[tiers.levels]]\nname = \"B\"\n",
    );
    assert_eq!(got, ["p.toml:3: tiers.levels[1].min_spend: an amount from 0 to 92233720368547758.07 (the largest total a customer can have), not 99999999999999999999"]);
}

#[test]
fn every_number_is_bounded_with_its_line() {
    let text = "[tiers]\npoints_per_unit = 100000\nwindow_days = 99999\n\
                [tiers.segments]\nretain_months = 5000\nmin_per_year = 0.1234567\n\
                [[kpi.rules]]\nname = \"r\"\nmeasure = \"complaint_response\"\nhours = 4294967295\ntarget = 1\nweight = \"2000000000000000000000000000\"\n\
                [[due.rules]]\nname = \"complaint-response\"\nsource = \"complaint_response\"\nhours = 4294967295\nchannel = \"phone\"\n";
    let got = problems(text);
    assert_eq!(
        got,
        [
            "p.toml:2: tiers.points_per_unit: points per unit are from 0 to 10000, not 100000",
            "p.toml:3: tiers.window_days: expected a whole number of days from 0 to 36525 (a century), found 99999",
            "p.toml:5: tiers.segments.retain_months: expected a whole number of months from 0 to 1200 (a century), found 5000",
            "p.toml:6: tiers.segments.min_per_year: 0.1234567 has more than 6 decimal places",
            "p.toml:10: kpi.rules[1].hours: expected a whole number of hours from 0 to 876600 (a century), found 4294967295",
            "p.toml:12: kpi.rules[1].weight: a weight is from 0 to 10000 points, not 2000000000000000000000000000",
            "p.toml:16: due.rules[1].hours: expected a whole number of hours from 0 to 876600 (a century), found 4294967295",
        ]
    );
}

#[test]
fn a_policy_that_is_not_utf8_names_the_line_of_the_first_bad_byte() {
    let err = Policy::parse_bytes(b"[tiers]\nchurn_days = 365 # caf\xe9\n", "p.toml").unwrap_err();
    let got: Vec<String> = err.iter().map(|p| p.to_string()).collect();
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("p.toml:2: not UTF-8 text (byte 0xE9 at column 23)"),
        "{got:?}"
    );
    let bom = Policy::parse_bytes(b"\xef\xbb\xbf[tiers]\nchurn_days = 30\n", "p.toml").unwrap();
    assert_eq!(bom.tiers.churn_days, Days::of(30));
}

#[test]
fn default_scorecard_has_the_thirteen_kpis_weighing_40() {
    let p = Policy::default();
    assert_eq!(p.kpi.rules.len(), 13);
    assert!(
        p.kpi.rules[9..].iter().all(|r| r.weight.is_zero()),
        "the satisfaction KPIs leave the total as it was"
    );
    let total: Decimal = p.kpi.rules.iter().map(|r| r.weight).sum();
    assert_eq!(total, Decimal::from(40));
}

#[test]
fn kpi_rules_are_checked() {
    let text = "[kpi]\nscoring = \"all_or_nothing\"\n[[kpi.rules]]\nname = \"a\"\nmeasure = \"outcome\"\ntarget = 1.5\nweight = 5\n\
                [[kpi.rules]]\nname = \"b\"\nmeasure = \"repeat_visit\"\nkind = \"gift\"\ntarget = 0.9\nweight = 1\n";
    let got = problems(text);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got[0].starts_with("p.toml:5: kpi.rules[1].measure:") && got[0].contains("needs kind"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("p.toml:6: kpi.rules[1].target:"),
        "{got:?}"
    );
    assert!(
        got[2].starts_with("p.toml:11:") && got[2].contains("unknown order kind \"gift\""),
        "{got:?}"
    );
    let got = problems("[[kpi.rules]]\nname = \"a\"\nmeasure = \"complaint_closure\"\nhours = 3\n");
    assert_eq!(
        got,
        [
            "p.toml:1: kpi.rules[1]: KPI \"a\" needs a target (0.95 = 95 %, or \"average\")",
            "p.toml:1: kpi.rules[1]: KPI \"a\" needs a weight (the points at stake)",
            "p.toml:4: kpi.rules[1].hours: KPI \"a\" (complaint_closure): hours applies to complaint_response and complaint_resolution only",
        ]
    );
}

#[test]
fn kpi_measures_resolve_to_what_they_count() {
    let p = parsed(
        "[[kpi.rules]]\nname = \"ftf\"\nmeasure = \"repeat_visit\"\nkind = \"repair\"\ntarget = 0.85\nweight = 10\n\
         [[kpi.rules]]\nname = \"r\"\nmeasure = \"complaint_response\"\ntarget = 1\nweight = 0\n",
    );
    assert_eq!(
        p.kpi.rules[0].measure,
        Measure::RepeatVisit {
            kind: OrderKind::Repair,
            window: DEFAULT_REPEAT_DAYS
        }
    );
    assert_eq!(
        p.kpi.rules[1].measure,
        Measure::ComplaintResponse(Hours::of(24))
    );
}

#[test]
fn due_rules_resolve_to_their_triggers_and_stray_keys_are_reported() {
    let text = "[[due.rules]]\nname = \"a\"\nsource = \"sale\"\nmonths = 2\nchannel = \"sms\"\n\
                [[due.rules]]\nname = \"b\"\nsource = \"holiday\"\ndays = 3\nchannel = \"phone\"\n\
                [[due.rules]]\nname = \"c\"\nsource = \"service\"\nfrom_days = 5\nto_days = 2\nkinds = [\"install\", \"gift\"]\nchannel = \"phone\"\n\
                [[due.rules]]\nname = \"a\"\nsource = \"sale\"\ndays = 1\nmonths = 1\nchannel = \"fax\"\n";
    let got = problems(text);
    assert_eq!(
        got,
        [
            "p.toml:9: due.rules[2].days: rule \"b\" (holiday): days does not apply (a holiday rule reads no offset)",
            "p.toml:15: due.rules[3].to_days: the window ends before it starts",
            "p.toml:16: due.rules[3].kinds[2]: unknown order kind \"gift\"; expected sale, install, repair, maintenance, return_repair or return_exchange",
            "p.toml:19: due.rules[4].name: rule \"a\" is named twice",
            "p.toml:20: due.rules[4].source: rule \"a\" (sale) needs either days or months after the sale",
            "p.toml:23: due.rules[4].channel: expected \"phone\", \"sms\", \"visit\" or \"gift\", found \"fax\"",
        ]
    );
    let p =
        parsed("[[due.rules]]\nname = \"a\"\nsource = \"sale\"\nmonths = 2\nchannel = \"sms\"\n");
    assert_eq!(
        p.due.rules[0].trigger,
        Trigger::Sale(Offset::Months(Months::of(2)))
    );
    assert_eq!(p.due.rules[0].channel, Channel::Sms);
}

#[test]
fn rule_tiers_name_tiers_or_the_care_plan() {
    let text = "[[due.rules]]\nname = \"gift\"\nsource = \"birthday\"\nchannel = \"gift\"\ntiers = [\"care_plan\"]\n\
                [[due.rules]]\nname = \"sms\"\nsource = \"birthday\"\nchannel = \"sms\"\ntiers = [\"rest\"]\nabove_bottom = true\n\
                [[due.rules]]\nname = \"vip\"\nsource = \"birthday\"\nchannel = \"sms\"\ntiers = [\"VIP\", \"Diamond\"]\n";
    let p = parsed(text);
    let members = |r: usize| {
        (0..5u16)
            .filter(|&t| p.due.rules[r].tiers.contains(t))
            .collect::<Vec<_>>()
    };
    assert_eq!(members(0), [0, 1], "Diamond and Platinum are the care plan");
    assert_eq!(members(1), [2, 3], "the rest, less the bottom tier");
    assert_eq!(members(2), [0, 2]);
    let got = problems("[[due.rules]]\nname = \"x\"\nsource = \"birthday\"\nchannel = \"sms\"\ntiers = [\"Gold\"]\n");
    assert_eq!(got, ["p.toml:5: due.rules[1].tiers[1]: unknown tier \"Gold\"; the policy's tiers are Diamond, Platinum, VIP, D, Member (or care_plan, rest)"]);
    let got = problems(
        "[[tiers.levels]]\nname = \"rest\"\nmin_spend = 1\n[[tiers.levels]]\nname = \"B\"\n",
    );
    assert!(
        got[0].starts_with("p.toml:2: tiers.levels[1].name: \"rest\" is reserved"),
        "{got:?}"
    );
}

#[test]
fn keep_privileges_is_retired_with_a_warning() {
    let p = parsed("[[tiers.levels]]\nname = \"A\"\nmin_spend = 1\nkeep_privileges = true\n[[tiers.levels]]\nname = \"B\"\n");
    assert_eq!(p.warnings.len(), 1);
    let got = p.warnings[0].to_string();
    assert!(
        got.starts_with("p.toml:4: tiers.levels[1].keep_privileges: no longer read"),
        "{got:?}"
    );
}

#[test]
fn a_lunar_day_some_years_lack_is_a_warning_and_last_is_the_months_last_day() {
    use crate::domain::lunar::LunarDay;
    let p = parsed("[[due.holidays]]\nname = \"Eve\"\nlunar = \"12-30\"\n[[due.holidays]]\nname = \"Eve 2\"\nlunar = \"12-LAST\"\n");
    assert_eq!(
        p.due.holidays[1].date,
        HolidayDate::Lunar(LunarMonthDay {
            month: 12,
            day: LunarDay::Last
        })
    );
    let got: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with(
            "p.toml:3: due.holidays[1].lunar: \"12-30\": lunar month 12 has 29 days in "
        ),
        "{got:?}"
    );
    assert!(got[0].contains("write \"12-last\""), "{got:?}");
    // A day every month has says nothing; a day no lunar month has is an error.
    assert!(parsed("[[due.holidays]]\nname = \"M\"\nlunar = \"8-15\"\n")
        .warnings
        .is_empty());
    for bad in ["12-31", "13-1", "0-1", "12-", "12-first", "+1-1"] {
        let got = problems(&format!(
            "[[due.holidays]]\nname = \"X\"\nlunar = \"{bad}\"\n"
        ));
        assert!(
            got[0].contains("expected a lunar month-day"),
            "{bad}: {got:?}"
        );
    }
}

#[test]
fn holidays_are_parsed_once_into_dates() {
    let p = parsed(
        "[[due.holidays]]\nname = \"Eve\"\ndate = \"2026-12-24\"\n[[due.holidays]]\nname = \"Moon\"\nlunar = \"8-15\"\n",
    );
    assert_eq!(
        p.due.holidays[0].date,
        HolidayDate::Fixed(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap())
    );
    assert_eq!(
        p.due.holidays[1].date,
        HolidayDate::Lunar(LunarMonthDay {
            month: 8,
            day: crate::domain::lunar::LunarDay::Day(15)
        })
    );
    let got = problems(
        "[[due.holidays]]\nname = \"A\"\nmonth_day = \"+1-+5\"\n[[due.holidays]]\nname = \"B\"\ndate = \"2026-12-24\"\nlunar = \"1-1\"\n",
    );
    assert_eq!(
        got,
        [
            "p.toml:3: due.holidays[1].month_day: expected a month-day such as 10-01, not \"+1-+5\"",
            "p.toml:5: due.holidays[2].name: holiday \"B\" needs exactly one of date, month_day or lunar",
        ]
    );
}

#[test]
fn column_mapping_names_contract_columns() {
    let got = problems("[columns.customers]\ncustomer_id = \"客户编号\"\nnmae = \"姓名\"\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("p.toml:3: columns.customers.nmae: customers has no column \"nmae\""),
        "{got:?}"
    );
}

#[test]
fn refunds_follow_the_policy_for_the_tier_figures_only() {
    let refund = Order {
        order_id: "R",
        customer: 0,
        date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        kind: OrderKind::Sale,
        amount: Cents(-100),
        profit: Cents(0),
        outcome: None,
        referred_by: None,
        line: 0,
    };
    assert!(!Policy::default().is_purchase(&refund));
    let p = parsed("[tiers]\nrefunds_are_purchases = true\n");
    assert!(p.is_purchase(&refund));
    assert!(!Purchases::KeptSales.includes(&refund));
    let free = Order {
        amount: Cents(0),
        ..refund
    };
    assert!(
        Purchases::KeptSales.includes(&free),
        "a 0.00 sale is a purchase"
    );
}

#[test]
fn complaint_deadlines_come_from_the_due_rules() {
    assert_eq!(
        Policy::default().complaint_deadlines(),
        Deadlines {
            respond: Hours::of(24),
            resolve: Hours::of(24)
        }
    );
    let p = parsed(
        "[[due.rules]]\nname = \"r\"\nsource = \"complaint_response\"\nhours = 4\nchannel = \"phone\"\n",
    );
    assert_eq!(
        p.complaint_deadlines(),
        Deadlines {
            respond: Hours::of(4),
            resolve: Hours::of(24)
        }
    );
}

#[test]
fn origin_keeps_the_line_of_each_given_key() {
    let p = parsed("\n[tiers]\npoints_per_unit = 2\n");
    assert_eq!(p.origin.line("tiers.points_per_unit"), Some(3));
    assert_eq!(p.origin.line("tiers.churn_days"), None);
}

#[test]
fn the_default_forms_are_the_furniture_houses_three() {
    let p = Policy::default();
    let names: Vec<&str> = p.survey.forms.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["sales", "install", "service"]);
    let rule = |n: &str| p.due.rules.iter().position(|r| r.name == n).unwrap();
    let (callback, survey) = (rule("callback-3d"), rule("survey"));
    let form = |r, k| {
        p.survey
            .form_for(r, k)
            .map(|f| p.survey.forms[f].name.as_str())
    };
    assert_eq!(form(callback, Some(OrderKind::Sale)), Some("sales"));
    assert_eq!(form(survey, Some(OrderKind::Install)), Some("install"));
    assert_eq!(form(survey, Some(OrderKind::Repair)), Some("service"));
    assert_eq!(form(rule("callback-3m"), Some(OrderKind::Sale)), None);
    assert!(p.survey.forms.iter().all(|f| f.question(OVERALL).is_some()));
    assert!(p.survey.needs_kind(survey) && !p.survey.needs_kind(callback));
    assert_eq!(p.survey.scale.read("比较满意"), Ok(Some(4)));
    assert_eq!(
        p.due_rule("dissatisfied").unwrap().trigger,
        Trigger::Answers {
            after: Days::of(1),
            max_score: 2
        }
    );
}

#[test]
fn a_call_list_without_the_surveyed_rules_keeps_the_forms_it_can() {
    let p = parsed(
        "[[due.rules]]\nname = \"callback-3d\"\nsource = \"sale\"\ndays = 3\nchannel = \"phone\"\n",
    );
    let names: Vec<&str> = p.survey.forms.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["sales"]);
}

/// A policy with the given forms (and the default call list).
fn forms(text: &str) -> Vec<String> {
    problems(&format!("[survey]\n{text}"))
}

#[test]
fn forms_are_checked_each_problem_with_its_line() {
    let got = forms(
        "[[survey.forms]]\nname = \"a\"\nrules = [\"survey\", \"no-such\"]\nkinds = [\"install\"]\n\
         questions = [{ id = \"q\", target = 4.5 }, { id = \"q\", target = 4.5 }]\n\
         [[survey.forms]]\nname = \"b\"\nrules = [\"survey\", \"callback-3d\"]\nkinds = [\"install\", \"repair\"]\n\
         questions = [{ id = \"overall\", target = 6 }, { id = \"by\", target = 4 }]\n",
    );
    assert_eq!(
        got,
        [
            "p.toml:4: survey.forms[1].rules[2]: no due rule \"no-such\"; the policy's rules are callback-3d, callback-3m, callback-6m, survey, birthday, anniversary, holiday, maintenance, complaint-response, complaint-resolve, complaint-revisit, points-expiry, dissatisfied",
            "p.toml:6: survey.forms[1].questions[2].id: form \"a\" asks \"q\" twice",
            "p.toml:6: survey.forms[1].questions: form \"a\" has no question \"overall\" (综合评价): every form asks it, CSAT and the follow-up of the dissatisfied read it",
            "p.toml:9: survey.forms[2].rules[1]: forms \"a\" and \"b\" are both asked on calls of rule \"survey\" (install, repair): a call has one form (split them by kinds)",
            "p.toml:10: survey.forms[2].kinds: form \"b\": kinds applies to service rules only, and \"callback-3d\" is not one (leave kinds out, or give that rule its own form)",
            "p.toml:11: survey.forms[2].questions[1].target: a target is a mean score on the scale, not 6",
            "p.toml:11: survey.forms[2].questions[2].id: \"by\" is a column of the call list's worksheet; name the question otherwise",
        ]
    );
    let got = forms("[[survey.forms]]\nname = \"x\"\nlabel = \"X\"\n");
    assert_eq!(
        got,
        [
            "p.toml:2: survey.forms[1]: form \"x\" needs rules: the due rules whose calls ask it, such as [\"survey\"]",
            "p.toml:2: survey.forms[1]: form \"x\" needs questions (each an id, a label and a target)",
        ]
    );
}

#[test]
fn the_scale_is_checked() {
    let got = forms(
        "[survey.scale]\nlabels = [\"bad\", \"3\", \"bad\", \"so, so\"]\nnot_rated = \"\"\nsatisfied = 9\n",
    );
    assert_eq!(
        got,
        [
            "p.toml:3: survey.scale.labels[2]: \"3\" is a number; a label is a word (the digits are the scores)",
            "p.toml:3: survey.scale.labels[3]: the label \"bad\" is given twice",
            "p.toml:3: survey.scale.labels[4]: \"so, so\" holds a comma; a label is a word without commas (the worksheet's drop-down lists are made of them)",
            "p.toml:4: survey.scale.not_rated: the not-rated word is a word of its own, not empty and not a label of the scale",
            "p.toml:5: survey.scale.satisfied: expected the lowest satisfied score, from 1 to 5, found 9",
        ]
    );
    let got = forms("[survey.scale]\nlabels = [\"no\", \"so-so\", \"yes\"]\n");
    assert!(got[0].contains("past this 3-point scale"), "{got:?}");
}

#[test]
fn kpi_targets_may_be_the_average_and_item_measures_take_tiers() {
    let p = parsed(
        "[[kpi.rules]]\nname = \"csat\"\nmeasure = \"csat\"\ntarget = \"average\"\nweight = 5\n\
         [[kpi.rules]]\nname = \"key\"\nmeasure = \"survey_coverage\"\ntiers = [\"care_plan\"]\ntarget = 1\nweight = 0\n",
    );
    assert_eq!(p.kpi.rules[0].target, Target::Average);
    assert_eq!(p.kpi.rules[1].measure, Measure::SurveyCoverage);
    assert!(p.kpi.rules[1].tiers.contains(0) && !p.kpi.rules[1].tiers.contains(2));
    let got = problems(
        "[[kpi.rules]]\nname = \"c\"\nmeasure = \"csat\"\ntiers = [\"VIP\"]\ntarget = \"mean\"\nweight = 0\n",
    );
    assert_eq!(
        got,
        [
            "p.toml:4: kpi.rules[1].tiers: KPI \"c\" (csat): tiers applies to survey_coverage and followup_done only",
            "p.toml:5: kpi.rules[1].target: expected a fraction such as 0.95, or \"average\", found \"mean\"",
        ]
    );
}

#[test]
fn the_dissatisfied_rule_reads_days_and_a_score_on_the_scale() {
    let rule = |keys: &str| {
        format!("[[due.rules]]\nname = \"d\"\nsource = \"answers\"\nchannel = \"phone\"\n{keys}")
    };
    let p = parsed(&rule("days = 2\nmax_score = 3\n"));
    assert_eq!(
        p.due.rules[0].trigger,
        Trigger::Answers {
            after: Days::of(2),
            max_score: 3
        }
    );
    assert_eq!(
        problems(&rule("max_score = 5\nhours = 3\n")),
        [
            "p.toml:5: due.rules[1].max_score: expected a score from 1 to 4 (the calls scored at most this are called back), found 5",
            "p.toml:6: due.rules[1].hours: rule \"d\" (answers): hours does not apply (an answers rule reads days or max_score)",
        ]
    );
}

#[test]
fn the_report_speaks_the_language_of_the_labels_unless_told() {
    assert_eq!(
        parsed("").report.language,
        Language::Chinese,
        "shipped labels"
    );
    let english = "[[tiers.levels]]\nname = \"Gold\"\nlabel = \"Gold\"\nmin_spend = 10\n\
        [[tiers.levels]]\nname = \"Rest\"\n\
        [[kpi.rules]]\nname = \"install\"\nmeasure = \"outcome\"\nkind = \"install\"\ntarget = 0.9\nweight = 1\n";
    assert_eq!(parsed(english).report.language, Language::English);
    let told = format!("[report]\nlanguage = \"zh\"\n{english}");
    assert_eq!(parsed(&told).report.language, Language::Chinese);
    assert_eq!(
        parsed("[report]\nlanguage = \"en\"\n").report.language,
        Language::English
    );
    assert_eq!(
        problems("[report]\nlanguage = \"fr\"\n"),
        ["p.toml:2: report.language: expected \"auto\", \"zh\" or \"en\", found \"fr\""]
    );
}

#[test]
fn a_tier_set_of_every_tier_or_of_none_leaves_the_tier_out_of_it() {
    // kpi computes the tiers only when some rule it counts holds some tiers but not all.
    assert!(TierSet::all(3).is_all_or_none());
    assert!(TierSet::of(3, |_| false).is_all_or_none());
    assert!(TierSet::of(3, |_| false).is_empty());
    for t in 0..3 {
        let one = TierSet::of(3, |i| i == t);
        assert!(!one.is_all_or_none(), "only tier {t}");
        assert!(!one.is_empty());
        assert!(one.contains(t as u16) && !one.contains((t as u16 + 1) % 3));
        assert!(
            !TierSet::of(3, |i| i != t).is_all_or_none(),
            "all but tier {t}"
        );
    }
}

#[test]
fn a_policy_without_due_rules_says_so_where_a_form_names_one() {
    let got = problems(
        "[due]\nrules = []\n[survey]\n[[survey.forms]]\nname = \"a\"\nrules = [\"survey\"]\n\
         questions = [{ id = \"overall\", target = 4.5 }]\n",
    );
    assert!(
        got.iter().any(|p| p.ends_with(
            "survey.forms[1].rules[1]: no due rule \"survey\"; the policy has no due rules (no [[due.rules]] table)"
        )),
        "{got:?}"
    );
    assert_eq!(
        super::rules_named(["a", "b"]),
        "the policy's rules are a, b"
    );
}

#[test]
fn two_columns_read_from_one_header_are_a_policy_error_a_swap_is_not() {
    let got = problems("[columns.orders]\namount = \"profit\"\n");
    assert_eq!(
        got,
        ["p.toml:2: columns.orders.amount: \"profit\" is the header profit is read from (it is not mapped); expected one header per column: map profit to a header of its own too, or name another here"]
    );
    let got = problems("[columns.customers]\nname = \"姓名\"\nphone = \"姓名\"\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[1].contains(
            "columns.customers.phone: \"姓名\" is also the header of columns.customers.name"
        ),
        "{got:?}"
    );
    // A swap, and names of their own, are fine.
    assert!(problems("[columns.orders]\namount = \"profit\"\nprofit = \"amount\"\n").is_empty());
    assert!(problems("[columns.orders]\namount = \"金额\"\nprofit = \"毛利\"\n").is_empty());
}
