//! The complaint clock (docs/rules.md §7): what is known of a complaint at a moment,
//! its deadlines, whether they were met or breached, the last-7-days window of the weekly
//! notice, and that `major` means escalated. The call list, the scorecard, the complaints
//! view and the notice all read complaints through here.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::{days_before, hours_after};
use crate::model::{Category, Complaint, Severity};
use crate::policy::{Deadlines, Hours};

/// A moment complaints are read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// An instant (now, for today's view): what is dated at or before it has happened.
    At(NaiveDateTime),
    /// The end of a day (a past as-of, the call list's day, the scorecard): what is dated
    /// that day or before has happened, nothing dated later.
    EndOf(NaiveDate),
}

impl Moment {
    /// Whether something dated `t` has happened by this moment.
    pub fn has_happened(self, t: NaiveDateTime) -> bool {
        match self {
            Moment::At(now) => t <= now,
            Moment::EndOf(day) => t.date() <= day,
        }
    }

    /// Whether `deadline` is over by this moment ("past the deadline" is strict).
    pub fn is_past(self, deadline: NaiveDateTime) -> bool {
        match self {
            Moment::At(now) => now > deadline,
            Moment::EndOf(_) => deadline < self.instant(),
        }
    }

    /// The instant the moment stands for in a view and from which ages are counted: now,
    /// or the midnight that ends the day.
    pub fn instant(self) -> NaiveDateTime {
        match self {
            Moment::At(now) => now,
            Moment::EndOf(day) => day
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or(NaiveDateTime::MAX),
        }
    }

    /// The earlier of two moments.
    pub fn min(self, other: Moment) -> Moment {
        if other.instant() < self.instant() {
            other
        } else {
            self
        }
    }
}

/// `opened` plus the hours of a target: the deadline, inclusive (exactly on it is on time).
pub fn deadline(opened: NaiveDateTime, hours: Hours) -> NaiveDateTime {
    hours_after(opened, hours)
}

/// What is known of a complaint at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// The answer: `responded_at`, or the closing when there is none (closing answers).
    pub answered_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
}

/// `c` as known at `at`: what is dated later has not happened yet.
pub fn known(c: &Complaint, at: Moment) -> Known {
    let happened = |t: Option<NaiveDateTime>| t.filter(|t| at.has_happened(*t));
    let closed_at = happened(c.closed_at);
    Known {
        answered_at: happened(c.responded_at).or(closed_at),
        closed_at,
    }
}

/// Whether something due `hours` after `opened` was done on time: done by the deadline,
/// yes; done later, or not done once `judged` is past the deadline, no; otherwise not
/// known yet (`None`).
pub fn on_time(
    opened: NaiveDateTime,
    done: Option<NaiveDateTime>,
    hours: Hours,
    judged: Moment,
) -> Option<bool> {
    let by = deadline(opened, hours);
    match done {
        Some(t) => Some(t <= by),
        None if judged.is_past(by) => Some(false),
        None => None,
    }
}

/// A `major` complaint is escalated.
pub fn is_escalated(c: &Complaint) -> bool {
    c.severity == Severity::Major
}

/// One complaint as it stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub answered_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub respond_by: NaiveDateTime,
    pub resolve_by: NaiveDateTime,
    /// Answered late, or not answered and the deadline has passed.
    pub response_breached: bool,
    /// Closed late, or not closed and the deadline has passed.
    pub resolution_breached: bool,
}

impl Standing {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// Where `c` stands at `at`, against the policy's deadlines.
pub fn standing(c: &Complaint, at: Moment, deadlines: Deadlines) -> Standing {
    let k = known(c, at);
    let breached = |done, hours| on_time(c.opened_at, done, hours, at) == Some(false);
    Standing {
        answered_at: k.answered_at,
        closed_at: k.closed_at,
        respond_by: deadline(c.opened_at, deadlines.respond),
        resolve_by: deadline(c.opened_at, deadlines.resolve),
        response_breached: breached(k.answered_at, deadlines.respond),
        resolution_breached: breached(k.closed_at, deadlines.resolve),
    }
}

/// One line of the weekly warning notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekLine {
    pub opened: u64,
    pub open: u64,
    pub response_breached: u64,
    pub resolution_breached: u64,
    pub escalated: u64,
}

/// The notice's category order: repair, install and quality first (§7.3).
pub const WEEKLY_ORDER: [Category; 6] = [
    Category::Repair,
    Category::Install,
    Category::Quality,
    Category::Maintenance,
    Category::Service,
    Category::Other,
];

/// Whether a complaint opened at `opened` is in the last 7 days at `at`: the 7 × 24 hours
/// up to an instant, or the 7 days up to a day's end (`T − 7 < date ≤ T`).
pub fn in_last_week(opened: NaiveDateTime, at: Moment) -> bool {
    match at {
        Moment::At(now) => {
            now.checked_sub_signed(Duration::days(7))
                .is_none_or(|since| since < opened)
                && opened <= now
        }
        Moment::EndOf(day) => days_before(day, 7u32) < opened.date() && opened.date() <= day,
    }
}

/// The complaints opened in the last 7 days at `at`.
pub fn last_week(complaints: &[Complaint], at: Moment) -> impl Iterator<Item = &Complaint> {
    complaints
        .iter()
        .filter(move |c| in_last_week(c.opened_at, at))
}

/// The complaints of the last 7 days per category in [`WEEKLY_ORDER`], and the total.
pub fn weekly(
    complaints: &[Complaint],
    at: Moment,
    deadlines: Deadlines,
) -> ([WeekLine; 6], WeekLine) {
    by_category(last_week(complaints, at), at, deadlines)
}

/// The complaints opened in `from..=to` (by the date of `opened_at`) that have happened
/// at `at`: the monthly report's complaints of the month.
pub fn opened_in(
    complaints: &[Complaint],
    from: NaiveDate,
    to: NaiveDate,
    at: Moment,
) -> impl Iterator<Item = &Complaint> {
    complaints.iter().filter(move |c| {
        let day = c.opened_at.date();
        from <= day && day <= to && at.has_happened(c.opened_at)
    })
}

/// `complaints` per category in [`WEEKLY_ORDER`], as they stand at `at` (the weekly
/// notice's columns), and the total.
pub fn by_category<'a>(
    complaints: impl IntoIterator<Item = &'a Complaint>,
    at: Moment,
    deadlines: Deadlines,
) -> ([WeekLine; 6], WeekLine) {
    let mut lines = [WeekLine::default(); 6];
    for c in complaints {
        let s = standing(c, at, deadlines);
        let Some(place) = WEEKLY_ORDER.iter().position(|k| *k == c.category) else {
            continue;
        };
        let line = &mut lines[place];
        line.opened += 1;
        line.open += s.is_open() as u64;
        line.response_breached += s.response_breached as u64;
        line.resolution_breached += s.resolution_breached as u64;
        line.escalated += is_escalated(c) as u64;
    }
    let mut total = WeekLine::default();
    for l in &lines {
        total.opened += l.opened;
        total.open += l.open;
        total.response_breached += l.response_breached;
        total.resolution_breached += l.resolution_breached;
        total.escalated += l.escalated;
    }
    (lines, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H24: Deadlines = Deadlines {
        respond: Hours::of(24),
        resolve: Hours::of(24),
    };

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn k(
        category: Category,
        opened: &str,
        responded: Option<&str>,
        closed: Option<&str>,
        severity: Severity,
    ) -> Complaint {
        Complaint {
            complaint_id: "K".into(),
            customer: 0,
            order_id: None,
            category,
            opened_at: t(opened),
            responded_at: responded.map(t),
            closed_at: closed.map(t),
            severity,
            line: 0,
        }
    }

    #[test]
    fn deadlines_are_inclusive_and_later_events_have_not_happened() {
        let c = k(
            Category::Repair,
            "2026-11-20 09:00",
            Some("2026-11-21 09:00"),
            Some("2026-11-23 10:00"),
            Severity::Normal,
        );
        let s = standing(&c, Moment::At(t("2026-11-22 08:00")), H24);
        assert!(!s.response_breached, "exactly 24 h is on time");
        assert!(s.resolution_breached, "not closed, deadline passed");
        assert!(s.is_open(), "the closing on the 23rd has not happened yet");
        let s = standing(&c, Moment::At(t("2026-11-21 08:59")), H24);
        assert!(!s.response_breached && !s.resolution_breached);
        assert_eq!(s.answered_at, None);
    }

    #[test]
    fn weekly_notice_counts_the_last_seven_days_by_category() {
        let now = t("2026-11-26 08:00");
        let cs = [
            k(
                Category::Quality,
                "2026-11-25 10:00",
                None,
                None,
                Severity::Major,
            ),
            k(
                Category::Repair,
                "2026-11-20 10:00",
                Some("2026-11-20 11:00"),
                Some("2026-11-20 12:00"),
                Severity::Normal,
            ),
            k(
                Category::Repair,
                "2026-11-19 08:00",
                None,
                None,
                Severity::Normal,
            ),
            k(
                Category::Repair,
                "2026-11-19 08:01",
                None,
                None,
                Severity::Normal,
            ),
        ];
        let (lines, total) = weekly(&cs, Moment::At(now), H24);
        assert_eq!(
            lines[0],
            WeekLine {
                opened: 2,
                open: 1,
                response_breached: 1,
                resolution_breached: 1,
                escalated: 0
            }
        );
        assert_eq!(
            lines[2],
            WeekLine {
                opened: 1,
                open: 1,
                response_breached: 0,
                resolution_breached: 0,
                escalated: 1
            }
        );
        assert_eq!(
            total.opened, 3,
            "opened exactly 7 days before now is outside"
        );
    }

    #[test]
    fn the_end_of_a_day_knows_what_is_dated_that_day_and_nothing_later() {
        let c = k(
            Category::Repair,
            "2026-11-20 09:00",
            Some("2026-11-21 00:00"),
            Some("2026-11-22 00:00"),
            Severity::Normal,
        );
        let day = Moment::EndOf("2026-11-21".parse().unwrap());
        let at = known(&c, day);
        assert_eq!(at.answered_at, Some(t("2026-11-21 00:00")));
        assert_eq!(
            at.closed_at, None,
            "closed on the 22nd: not yet at the end of the 21st"
        );
        assert_eq!(day.instant(), t("2026-11-22 00:00"));
        assert!(known(&c, Moment::At(t("2026-11-22 00:00")))
            .closed_at
            .is_some());
        // the resolve deadline (21st 09:00) is past at the end of the 21st, not at 08:59
        assert!(standing(&c, day, H24).resolution_breached);
        assert!(!standing(&c, Moment::At(t("2026-11-21 08:59")), H24).resolution_breached);
    }

    #[test]
    fn a_months_complaints_are_those_opened_in_it_and_already_opened() {
        let opened = [
            "2026-09-30 23:59",
            "2026-10-01 00:00",
            "2026-10-31 23:59",
            "2026-11-01 00:00",
            "2026-11-20 09:00",
        ];
        let cs: Vec<Complaint> = opened
            .iter()
            .map(|o| k(Category::Repair, o, None, None, Severity::Normal))
            .collect();
        let (oct1, oct31) = ("2026-10-01".parse().unwrap(), "2026-10-31".parse().unwrap());
        let of = |from, to, at| -> Vec<NaiveDateTime> {
            opened_in(&cs, from, to, at).map(|c| c.opened_at).collect()
        };
        // October's report, made in late November: October's two, not November's.
        let late = Moment::At(t("2026-11-25 00:00"));
        assert_eq!(of(oct1, oct31, late), [t(opened[1]), t(opened[2])]);
        // Made on 31 October at noon: the evening's complaint has not happened yet.
        let noon = Moment::At(t("2026-10-31 12:00"));
        assert_eq!(of(oct1, oct31, noon), [t(opened[1])]);
        assert_eq!(
            of(oct1, oct31, Moment::EndOf(oct31)),
            [t(opened[1]), t(opened[2])]
        );
    }

    #[test]
    fn the_week_up_to_a_day_is_its_seven_dates() {
        let day = Moment::EndOf("2026-11-26".parse().unwrap());
        assert!(in_last_week(t("2026-11-20 00:00"), day), "T − 6");
        assert!(!in_last_week(t("2026-11-19 23:59"), day), "T − 7");
        assert!(in_last_week(t("2026-11-26 23:59"), day));
        assert!(!in_last_week(t("2026-11-27 00:00"), day));
        let now = Moment::At(t("2026-11-26 08:00"));
        assert!(
            !in_last_week(t("2026-11-19 08:00"), now),
            "7 × 24 h before now"
        );
        assert!(in_last_week(t("2026-11-19 08:01"), now));
    }

    #[test]
    fn a_deadline_a_century_out_is_a_date_not_a_panic() {
        let far = deadline(t("9999-12-31 23:00"), Hours::of(Hours::MAX));
        assert_eq!(far.date().to_string(), "+10099-12-31");
        assert_eq!(
            deadline(NaiveDateTime::MAX, Hours::of(1)),
            NaiveDateTime::MAX,
            "past the calendar's end: never reached"
        );
    }
}
