//! complaints.csv: any bytes are read or reported, never a panic.
#![no_main]

use std::collections::BTreeMap;

use caredesk::error::Problems;
use caredesk::load::read_complaints;
use caredesk::policy::UnknownCustomer;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let book = caredesk_fuzz::book();
    for unknown in [UnknownCustomer::Error, UnknownCustomer::Skip] {
        let mut ps = Problems::new();
        let renames = BTreeMap::new();
        let complaints = read_complaints(data, "k.csv", &renames, &book, unknown, &mut ps);
        assert!(complaints
            .iter()
            .all(|k| (k.customer as usize) < book.len()));
        caredesk_fuzz::messages(&ps);
    }
});
