//! contacts.csv: any bytes are read or reported, never a panic.
#![no_main]

use std::collections::BTreeMap;

use caredesk::error::Problems;
use caredesk::load::read_contacts;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let book = caredesk_fuzz::book();
    let mut ps = Problems::new();
    let rules = ["birthday", "callback-3d"];
    let contacts = read_contacts(data, "x.csv", &BTreeMap::new(), &book, &rules, &mut ps);
    assert!(contacts.iter().all(|c| rules.contains(&c.rule.as_str())));
    caredesk_fuzz::messages(&ps);
});
