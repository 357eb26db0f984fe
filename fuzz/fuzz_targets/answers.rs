//! answers.csv and a filled worksheet: any bytes are read or reported, never a panic.
#![no_main]

use std::collections::BTreeMap;

use caredesk::error::Problems;
use caredesk::load::{read_answers, read_worksheet};
use caredesk::policy::Policy;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let book = caredesk_fuzz::book();
    let policy = Policy::default();
    let mut ps = Problems::new();
    let answers = read_answers(
        data,
        "a.csv",
        &BTreeMap::new(),
        &book,
        &policy.due,
        &policy.survey,
        &mut ps,
    );
    assert!(answers
        .iter()
        .all(|a| a.score.is_none_or(|s| (1..=5).contains(&s))));
    let sheet = read_worksheet(data, "w.csv", &["overall", "polite"], &mut ps);
    assert!(sheet
        .rows
        .iter()
        .all(|r| r.cells.len() == sheet.names.len()));
    caredesk_fuzz::messages(&ps);
});
