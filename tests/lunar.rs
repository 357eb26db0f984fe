//! The lunar holidays of every year 1901–2100 against two independent implementations
//! (tests/fixtures/lunar_holidays.csv, made by scripts/lunar_reference.py).

use caredesk::domain::lunar::{to_solar, LunarDay, YEARS};
use chrono::NaiveDate;

mod common;

use common::caredesk;

#[test]
fn every_default_lunar_holiday_of_the_supported_range_matches_the_references() {
    let text = std::fs::read_to_string("tests/fixtures/lunar_holidays.csv").unwrap();
    let mut rows = 0;
    let mut years = std::collections::BTreeSet::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let [year, holiday, lunar, lunar_python, lunardate, agree] = f[..] else {
            panic!("bad fixture line {line:?}");
        };
        let year: i32 = year.parse().unwrap();
        let (m, d) = lunar.split_once('-').unwrap();
        let day = match d {
            "last" => LunarDay::Last,
            n => LunarDay::Day(n.parse().unwrap()),
        };
        let expected: NaiveDate = lunar_python.parse().unwrap();
        assert_eq!(
            to_solar(year, m.parse().unwrap(), day),
            Some(expected),
            "{holiday} {year} (lunar {lunar})"
        );
        // The second reference agrees, but where the fixture names a known error of it.
        match agree {
            "true" => assert_eq!(lunardate, lunar_python),
            "false" => assert_eq!((year, lunar), (1978, "8-15"), "an unexplained disagreement"),
            _ => assert!(year > 2099, "lunardate covers up to 2099"),
        }
        years.insert(year);
        rows += 1;
    }
    assert_eq!(rows, 4 * 200);
    assert_eq!(years.first(), Some(YEARS.start()));
    assert_eq!(years.last(), Some(YEARS.end()));
}

/// `due` on the sample, holidays only, as CSV: (stdout, stderr).
fn holidays_due(extra: &[&str]) -> (String, String) {
    let out = caredesk()
        .args(["due", "--rule", "holiday", "--format", "csv"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn mid_autumn_2089_is_on_18_september() {
    let (on_18, _) = holidays_due(&["--date", "2089-09-18"]);
    assert!(on_18.contains(",holiday,2089-09-18,sms"), "{on_18}");
    let (on_19, _) = holidays_due(&["--date", "2089-09-19"]);
    assert!(!on_19.contains("2089-09-19,sms"), "{on_19}");
}

#[test]
fn a_list_past_the_calendar_says_so() {
    let (_, err) = holidays_due(&["--date", "2101-01-01", "--within", "60"]);
    assert!(
        err.contains("lunar holidays are known from 1901-02-19 to 2101-01-28 (the lunar years 1901-2100); this list looks from 2100-12-18 to 2101-03-02: Spring Festival 春节, Dragon Boat 端午节, Mid-Autumn 中秋节 cannot be listed"),
        "{err}"
    );
    // Inside the range nothing is said.
    let (_, err) = holidays_due(&["--date", "2026-09-25", "--within", "60"]);
    assert!(!err.contains("lunar"), "{err}");
    // check says it for an as-of whose lists would reach past it.
    let out = caredesk()
        .args(["check", "--as-of", "2100-12-01"])
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("call lists for 2100-12-01 (grace and the longest --within included) look from 2100-11-17 to 2101-12-02"),
        "{err}"
    );
}

#[test]
fn new_years_eve_is_the_last_day_of_the_12th_month_even_in_short_years() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |lunar: &str| {
        let path = dir
            .path()
            .join(format!("eve-{}.toml", lunar.replace('-', "")));
        std::fs::write(
            &path,
            format!("[[due.holidays]]\nname = \"New Year's Eve 除夕\"\nlunar = \"{lunar}\"\n"),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    // The lunar year 2025 ends on a 29-day 12th month: 除夕 is 16 Feb 2026.
    let last = policy("12-last");
    let (out, err) = holidays_due(&["--date", "2026-02-16", "--policy", &last]);
    assert!(out.contains(",holiday,2026-02-16,sms"), "{out}");
    assert!(err.is_empty(), "{err}");
    // 12-30 is no day of that month: nothing that day, and the policy says why.
    let thirty = policy("12-30");
    let (out, err) = holidays_due(&["--date", "2026-02-16", "--policy", &thirty]);
    assert!(!out.contains("2026-02-16,sms"), "{out}");
    assert!(
        err.contains(":3: due.holidays[1].lunar: \"12-30\": lunar month 12 has 29 days in "),
        "{err}"
    );
}
