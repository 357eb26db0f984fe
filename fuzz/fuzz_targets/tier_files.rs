//! The files an analyst hands back, `--overrides` and `--previous`: any bytes are read or
//! reported, never a panic.
#![no_main]

use caredesk::error::Problems;
use caredesk::load::{read_overrides, read_previous, TierNames};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let book = caredesk_fuzz::book();
    let names = ["Diamond", "Platinum", "VIP"];
    let tiers = TierNames::new([("Diamond", Some("钻石会员")), ("Platinum", None), ("VIP", None)]);
    let mut ps = Problems::new();
    let overrides = read_overrides(data, "overrides.csv", &book, &tiers, &mut ps);
    assert!(overrides.iter().all(|o| usize::from(o.tier) < names.len()));
    let previous = read_previous(data, "previous.csv", &tiers, &mut ps);
    assert!(previous.rows.iter().all(|r| usize::from(r.2) < names.len()));
    caredesk_fuzz::messages(&ps);
});
