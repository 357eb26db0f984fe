//! Complaint deadlines at a moment: answered, closed, and whether the response and
//! resolution targets (24 h by default) were breached. What is dated after the moment has
//! not happened yet; closing a complaint answers it.

use chrono::{Duration, NaiveDateTime};

use crate::model::{Category, Complaint, Severity};

/// One complaint as it stands at `now`.
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

/// Where `c` stands at `now`, with `respond_hours` and `resolve_hours` as targets.
pub fn standing(
    c: &Complaint,
    now: NaiveDateTime,
    respond_hours: u32,
    resolve_hours: u32,
) -> Standing {
    let happened = |t: Option<NaiveDateTime>| t.filter(|t| *t <= now);
    let closed_at = happened(c.closed_at);
    let answered_at = happened(c.responded_at).or(closed_at);
    let respond_by = c.opened_at + Duration::hours(respond_hours.into());
    let resolve_by = c.opened_at + Duration::hours(resolve_hours.into());
    let breached = |done: Option<NaiveDateTime>, by: NaiveDateTime| match done {
        Some(t) => t > by,
        None => now > by,
    };
    Standing {
        answered_at,
        closed_at,
        respond_by,
        resolve_by,
        response_breached: breached(answered_at, respond_by),
        resolution_breached: breached(closed_at, resolve_by),
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

/// The notice's category order: repair, install and quality first (000).
pub const WEEKLY_ORDER: [Category; 6] = [
    Category::Repair,
    Category::Install,
    Category::Quality,
    Category::Maintenance,
    Category::Service,
    Category::Other,
];

/// Complaints opened in the 7 days up to `now` (`now − 7 days < opened_at ≤ now`), per
/// category in [`WEEKLY_ORDER`], and the total.
pub fn weekly(
    complaints: &[Complaint],
    now: NaiveDateTime,
    respond_hours: u32,
    resolve_hours: u32,
) -> ([WeekLine; 6], WeekLine) {
    let mut lines = [WeekLine::default(); 6];
    let since = now - Duration::days(7);
    for c in complaints
        .iter()
        .filter(|c| since < c.opened_at && c.opened_at <= now)
    {
        let s = standing(c, now, respond_hours, resolve_hours);
        let at = WEEKLY_ORDER
            .iter()
            .position(|k| *k == c.category)
            .unwrap_or(5);
        let line = &mut lines[at];
        line.opened += 1;
        line.open += s.is_open() as u64;
        line.response_breached += s.response_breached as u64;
        line.resolution_breached += s.resolution_breached as u64;
        line.escalated += (c.severity == Severity::Major) as u64;
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
        let s = standing(&c, t("2026-11-22 08:00"), 24, 24);
        assert!(!s.response_breached, "exactly 24 h is on time");
        assert!(s.resolution_breached, "not closed, deadline passed");
        assert!(s.is_open(), "the closing on the 23rd has not happened yet");
        let s = standing(&c, t("2026-11-21 08:59"), 24, 24);
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
        let (lines, total) = weekly(&cs, now, 24, 24);
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
}
