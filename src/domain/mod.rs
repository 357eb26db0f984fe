//! The care desk's rules as pure functions over typed records: no I/O, no clock. Every
//! function takes the as-of date it needs.

pub mod card;
pub mod complaints;
pub mod due;
pub mod kpi;
pub mod lunar;
pub mod survey;
pub mod tiers;

use chrono::{Days, NaiveDate, NaiveDateTime, TimeDelta};
use rust_decimal::{Decimal, RoundingStrategy};

/// `d` rounded half-up (away from zero at the midpoint) to exactly `places` decimals: the
/// one rounding of every displayed decimal (docs/rules.md §1: 2.345 shows 2.35, −2.345
/// shows −2.35; 0.5 customers of a share round to 1).
pub fn half_up(d: Decimal, places: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r
}

/// `date − n days`, saturating at the calendar's start.
pub fn days_before(date: NaiveDate, n: impl Into<u32>) -> NaiveDate {
    let n: u32 = n.into();
    date.checked_sub_days(Days::new(n.into()))
        .unwrap_or(NaiveDate::MIN)
}

/// `date + n days`, saturating at the calendar's end.
pub fn days_after(date: NaiveDate, n: impl Into<u32>) -> NaiveDate {
    let n: u32 = n.into();
    date.checked_add_days(Days::new(n.into()))
        .unwrap_or(NaiveDate::MAX)
}

/// `date + n calendar months`, clamped to the month's end (31 Jan + 1 = 28/29 Feb),
/// saturating at the calendar's end.
pub fn months_after(date: NaiveDate, n: impl Into<u32>) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(n.into()))
        .unwrap_or(NaiveDate::MAX)
}

/// `t + n hours`, saturating at the calendar's end (a deadline past it is never reached).
pub fn hours_after(t: NaiveDateTime, n: impl Into<u32>) -> NaiveDateTime {
    let n: u32 = n.into();
    t.checked_add_signed(TimeDelta::hours(n.into()))
        .unwrap_or(NaiveDateTime::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn half_up_rounds_an_exact_midpoint_away_from_zero() {
        assert_eq!(half_up(dec("2.345"), 2).to_string(), "2.35");
        assert_eq!(half_up(dec("2.355"), 2).to_string(), "2.36");
        assert_eq!(half_up(dec("-2.345"), 2).to_string(), "-2.35");
        assert_eq!(half_up(dec("2.3449999"), 2).to_string(), "2.34");
        assert_eq!(half_up(dec("0.99995"), 4).to_string(), "1.0000");
        assert_eq!(half_up(dec("0.5"), 0).to_string(), "1");
        assert_eq!(half_up(dec("2.5"), 0).to_string(), "3");
        assert_eq!(
            half_up(dec("7"), 2).to_string(),
            "7.00",
            "short values get their places"
        );
    }
}
