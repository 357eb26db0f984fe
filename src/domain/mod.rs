//! The care desk's rules as pure functions over typed records: no I/O, no clock. Every
//! function takes the as-of date it needs.

pub mod complaints;
pub mod due;
pub mod kpi;
pub mod tiers;

use chrono::{Days, NaiveDate};

/// `date − n days`, saturating at the calendar's start.
pub fn days_before(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(n.into()))
        .unwrap_or(NaiveDate::MIN)
}

/// `date + n days`, saturating at the calendar's end.
pub fn days_after(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_days(Days::new(n.into()))
        .unwrap_or(NaiveDate::MAX)
}

/// `date + n calendar months`, clamped to the month's end (31 Jan + 1 = 28/29 Feb).
pub fn months_after(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}
