//! No input of any kind makes the loaders or the policy reader panic, and money survives
//! a round trip exactly.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use caredesk::error::Problems;
use caredesk::load::{
    read_answers, read_answers_of, read_complaints, read_complaints_of, read_contacts,
    read_contacts_of, read_customers, read_orders, read_overrides, read_previous, read_worksheet,
    CustomerBook, OrderSource,
};
use caredesk::parse::{money, Cents};
use caredesk::policy::{Policy, UnknownCustomer};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn load_all(customers: &[u8], orders: &[u8], complaints: &[u8]) {
    let renames = BTreeMap::new();
    let mut ps = Problems::new();
    let book = read_customers(
        customers,
        "c.csv",
        &renames,
        caredesk::load::Keep::ALL,
        &mut ps,
    );
    for unknown in [UnknownCustomer::Error, UnknownCustomer::Skip] {
        let source = OrderSource {
            file: "o.csv",
            renames: &renames,
            book: &book,
            as_of: as_of(),
            unknown,
        };
        read_orders(
            orders,
            &source,
            &mut ps,
            |o: &caredesk::model::Order<'_>| assert!((o.customer as usize) < book.len()),
        );
        read_complaints(complaints, "k.csv", &renames, &book, unknown, &mut ps);
    }
    // The other loaders, on the same bytes.
    let policy = Policy::default();
    for bytes in [customers, orders, complaints] {
        read_contacts(bytes, "x.csv", &renames, &book, &["birthday"], &mut ps);
        let tiers = caredesk::load::TierNames::new([("VIP", None), ("D", Some("普通"))]);
        read_overrides(bytes, "v.csv", &book, &tiers, &mut ps);
        read_previous(bytes, "p.csv", &tiers, &mut ps);
        for a in read_answers(
            bytes,
            "a.csv",
            &renames,
            &book,
            &policy.due,
            &policy.survey,
            &mut ps,
        ) {
            assert!(a.score.is_none_or(|s| (1..=5).contains(&s)));
        }
        read_worksheet(bytes, "w.csv", &["overall", "polite"], &mut ps);
    }
    for p in ps.iter() {
        assert!(!p.to_string().is_empty());
    }
    one_customers_rows_are_theirs_of_all(&book, complaints, complaints, complaints);
}

/// What the customer card reads of complaints.csv, contacts.csv and answers.csv: the rows
/// of one customer are exactly theirs of all the rows, with the same problems.
fn one_customers_rows_are_theirs_of_all(
    book: &CustomerBook,
    complaints: &[u8],
    contacts: &[u8],
    answers: &[u8],
) {
    let renames = BTreeMap::new();
    let shown = |ps: &Problems| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let (mut all_ps, mut all_contacts_ps) = (Problems::new(), Problems::new());
    let unknown = UnknownCustomer::Error;
    let all = read_complaints(complaints, "k.csv", &renames, book, unknown, &mut all_ps);
    let rules = ["birthday"];
    let logged = read_contacts(
        contacts,
        "x.csv",
        &renames,
        book,
        &rules,
        &mut all_contacts_ps,
    );
    let policy = Policy::default();
    let mut all_answers_ps = Problems::new();
    let answered = read_answers(
        answers,
        "a.csv",
        &renames,
        book,
        &policy.due,
        &policy.survey,
        &mut all_answers_ps,
    );
    for c in 0..book.len().min(3) as u32 {
        let mut ps = Problems::new();
        let mine = read_complaints_of(
            complaints,
            "k.csv",
            &renames,
            book,
            unknown,
            Some(c),
            &mut ps,
        );
        let theirs: Vec<_> = all.iter().filter(|k| k.customer == c).cloned().collect();
        assert_eq!(mine, theirs);
        assert_eq!(shown(&ps), shown(&all_ps));
        let mut ps = Problems::new();
        let mine = read_contacts_of(contacts, "x.csv", &renames, book, &rules, Some(c), &mut ps);
        let theirs: Vec<_> = logged.iter().filter(|k| k.customer == c).cloned().collect();
        assert_eq!(mine, theirs);
        assert_eq!(shown(&ps), shown(&all_contacts_ps));
        let mut ps = Problems::new();
        let mine = read_answers_of(answers, "a.csv", &policy, book, Some(c), &mut ps);
        let theirs: Vec<_> = answered
            .iter()
            .filter(|a| a.customer == c)
            .cloned()
            .collect();
        assert_eq!(mine, theirs);
        assert_eq!(shown(&ps), shown(&all_answers_ps));
    }
}

/// One of `options`.
fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(options).prop_map(String::from)
}

/// Cells that are near misses of valid values, to reach deep into the parsers.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("C1".to_string()),
        Just("C2".to_string()),
        Just("sale".to_string()),
        Just("repair".to_string()),
        Just("pass".to_string()),
        Just("2026-02-29".to_string()),
        Just("2024-02-29".to_string()),
        Just("2026-11-02 09:30".to_string()),
        Just("\"quoted, \"\"x\"\"\"".to_string()),
        Just("-0.05".to_string()),
        Just("survey".to_string()),
        Just("overall".to_string()),
        Just("比较满意".to_string()),
        Just("不予评价".to_string()),
        Just("4.5".to_string()),
        Just("no_answer".to_string()),
        Just("99999999999999999999.99".to_string()),
        "[0-9.\\-]{0,12}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?",
        any::<String>(),
    ]
}

fn table(header: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(cell(), 0..10), 0..12).prop_map(move |rows| {
        let mut s = String::from(header);
        for r in rows {
            s.push_str(&r.join(","));
            s.push('\n');
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn loaders_never_panic_on_arbitrary_bytes(
        c in prop::collection::vec(any::<u8>(), 0..400),
        o in prop::collection::vec(any::<u8>(), 0..400),
        k in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        load_all(&c, &o, &k);
    }

    #[test]
    fn loaders_never_panic_on_arbitrary_rows(
        c in table("customer_id,name,phone,birthday,anniversary,joined_on,owner,store,contact_ok\n"),
        o in table("order_id,customer_id,date,kind,amount,profit,outcome,referred_by\n"),
        k in table("complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity\n"),
    ) {
        load_all(c.as_bytes(), o.as_bytes(), k.as_bytes());
    }

    #[test]
    fn the_survey_loaders_never_panic_on_arbitrary_rows(
        c in table("customer_id,name\n"),
        a in table("customer_id,rule,source_id,question,score,answered_on\n"),
        w in table("customer_id,rule,source_id,done_on,by,result,note,overall,polite\n"),
    ) {
        load_all(c.as_bytes(), a.as_bytes(), w.as_bytes());
    }

    #[test]
    fn one_customers_complaints_contacts_and_answers_are_theirs_of_all(
        k in prop::collection::vec((
            pick(&["K1", "K2", "K3", ""]),
            pick(&["C1", "C2", "C3", "C9"]),
            pick(&["repair", "noise"]),
            pick(&["2026-11-02 09:30", "2026-11-02"]),
            pick(&["", "2026-11-01 10:00", "2026-11-03 10:00"]),
        ), 0..12),
        x in prop::collection::vec((
            pick(&["C1", "C2", "C3", "C9", ""]),
            pick(&["birthday", "nope"]),
            pick(&["O1", "2026-01-01", ""]),
            pick(&["2026-01-01", "2026-13-01", ""]),
            pick(&["", "done", "no_answer", "refused", "maybe"]),
            cell(),
        ), 0..12),
        a in prop::collection::vec((
            pick(&["C1", "C2", "C3", "C9", ""]),
            pick(&["callback-3d", "survey", "birthday"]),
            pick(&["O1", "O2"]),
            pick(&["overall", "polite", "nope"]),
            pick(&["5", "2", "", "不予评价", "6"]),
            pick(&["2026-11-01", "2026-13-01", ""]),
        ), 0..12),
    ) {
        let mut ps = Problems::new();
        let customers = "customer_id,name\nC1,Ann\nC2,Bo\nC3,Cy\n";
        let book = read_customers(customers.as_bytes(), "c.csv", &BTreeMap::new(), caredesk::load::Keep::ALL, &mut ps);
        let mut complaints = String::from("complaint_id,customer_id,category,opened_at,closed_at\n");
        for (id, customer, category, opened, closed) in k {
            complaints.push_str(&format!("{id},{customer},{category},{opened},{closed}\n"));
        }
        let mut contacts = String::from("customer_id,rule,source_id,done_on,result,note\n");
        for (customer, rule, source, done, result, note) in x {
            contacts.push_str(&format!("{customer},{rule},{source},{done},{result},{note}\n"));
        }
        let mut answers = String::from("customer_id,rule,source_id,question,score,answered_on\n");
        for (customer, rule, source, question, score, on) in a {
            answers.push_str(&format!("{customer},{rule},{source},{question},{score},{on}\n"));
        }
        one_customers_rows_are_theirs_of_all(
            &book,
            complaints.as_bytes(),
            contacts.as_bytes(),
            answers.as_bytes(),
        );
    }

    #[test]
    fn policy_reader_never_panics(text in any::<String>()) {
        let _ = Policy::parse(&text, "p.toml");
    }

    #[test]
    fn policy_reader_never_panics_on_near_policies(
        lines in prop::collection::vec(prop_oneof![
            Just("[tiers]".to_string()),
            Just("[[tiers.levels]]".to_string()),
            Just("method = \"score\"".to_string()),
            Just("name = \"A\"".to_string()),
            Just("share = 0.5".to_string()),
            Just("min_score = 50".to_string()),
            Just("min_spend = 10".to_string()),
            Just("[tiers.score]".to_string()),
            Just("spend = 1".to_string()),
            Just("[columns.orders]".to_string()),
            Just("[[due.rules]]".to_string()),
            Just("[[kpi.rules]]".to_string()),
            Just("[[due.holidays]]".to_string()),
            Just("[[survey.forms]]".to_string()),
            Just("[survey.scale]".to_string()),
            Just("labels = [\"a\", \"b\", \"3\"]".to_string()),
            Just("rules = [\"survey\", \"x\"]".to_string()),
            Just("questions = [{ id = \"overall\", target = 4.5 }, { id = \"q\" }]".to_string()),
            Just("source = \"answers\"".to_string()),
            Just("max_score = 9".to_string()),
            Just("measure = \"survey_coverage\"".to_string()),
            Just("target = \"average\"".to_string()),
            Just("source = \"sale\"".to_string()),
            Just("source = \"service\"".to_string()),
            Just("measure = \"complaint_response\"".to_string()),
            Just("channel = \"sms\"".to_string()),
            Just("tiers = [\"care_plan\", \"rest\"]".to_string()),
            Just("kinds = [\"install\", 3]".to_string()),
            Just("lunar = \"13-40\"".to_string()),
            Just("weight = \"79228162514264337593543950335\"".to_string()),
            Just("target = 1e-30".to_string()),
            Just("levels = [{ name = \"A\" }, 2]".to_string()),
            "(days|months|hours|from_days|to_days|grace_days|window_days) = -?[0-9]{1,12}",
            "[a-z_]{1,8} = [0-9]{1,3}",
        ], 0..24)
    ) {
        let _ = Policy::parse(&lines.join("\n"), "p.toml");
    }

    #[test]
    fn policy_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Policy::parse_bytes(&bytes, "p.toml");
    }

    #[test]
    fn money_round_trips_exactly(cents in any::<i64>()) {
        let c = Cents(cents as i128);
        prop_assert_eq!(money(c.to_string().as_bytes()), Some(c));
    }
}
