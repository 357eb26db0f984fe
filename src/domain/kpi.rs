//! The service scorecard (docs/rules.md §6): pass rates from order outcomes or from
//! repeat visits, complaint closure and 24-hour rates, each against its target and
//! weight. Orders stream through [`KpiFold::add`]; complaints are evaluated whole; then
//! [`KpiFold::finish`] scores every group.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::complaints::{known, on_time, Moment};
use super::due::Item;
use super::half_up;
use super::survey::{covered, csat, followup, CallLog, FollowupState, Overall};

use crate::model::{Complaint, Order, OrderKind, Outcome};
use crate::policy::{
    Channel, DuePolicy, KpiPolicy, KpiRule, Measure, Scale, Scoring, SurveyPolicy, Target, Trigger,
};

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The calendar month before `as_of`'s month (the default scorecard period).
    pub fn month_before(as_of: NaiveDate) -> Period {
        let first = as_of.with_day(1).expect("day 1 exists");
        let to = first.pred_opt().unwrap_or(first);
        Period::month_of(to)
    }

    /// The period a scorecard was asked for: the month of `month`, or `from` to `to`
    /// (default as-of), or the month before as-of; an error when it ends before it starts.
    pub fn asked(
        month: Option<NaiveDate>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Result<Period, String> {
        let period = match (month, from) {
            (Some(month), _) => Period::month_of(month),
            (None, Some(from)) => Period {
                from,
                to: to.unwrap_or(as_of),
            },
            (None, None) => Period::month_before(as_of),
        };
        if period.to < period.from {
            return Err(format!(
                "the period ends ({}) before it starts ({})",
                period.to, period.from
            ));
        }
        Ok(period)
    }

    /// The calendar month holding `day`.
    pub fn month_of(day: NaiveDate) -> Period {
        let from = day.with_day(1).expect("day 1 exists");
        let to = super::months_after(from, 1u32).pred_opt().unwrap_or(from);
        Period { from, to }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// Each calendar month the period touches, as `YYYY-MM`, in order.
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut m = self.from.with_day(1).expect("day 1 exists");
        while m <= self.to {
            out.push(m.format("%Y-%m").to_string());
            m = super::months_after(m, 1u32);
        }
        out
    }
}

/// Passed and failed counts of one KPI in one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    pub fn assessed(&self) -> u64 {
        self.passed + self.failed
    }

    pub fn count(&mut self, passed: bool) {
        if passed {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }
}

/// How rows are grouped: the group index of a customer, or of a month.
#[derive(Debug, Clone)]
pub enum Grouping {
    /// One group for everything.
    All,
    /// A group per customer attribute (owner, store): `of_customer[c]` is the group.
    ByCustomer { of_customer: Vec<u32> },
    /// A group per calendar month of the period (by the row's own date).
    ByMonth { first_month: NaiveDate },
}

impl Grouping {
    /// The group of a row of `customer` dated `day`.
    pub fn group(&self, customer: u32, day: NaiveDate) -> usize {
        match self {
            Grouping::All => 0,
            Grouping::ByCustomer { of_customer } => of_customer[customer as usize] as usize,
            Grouping::ByMonth { first_month } => {
                let months = (day.year() - first_month.year()) * 12 + day.month() as i32
                    - first_month.month() as i32;
                months.max(0) as usize
            }
        }
    }
}

/// A job kept for the repeat-visit reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Job {
    customer: u32,
    date: NaiveDate,
}

/// Gathers the tallies of every KPI in every group.
#[derive(Debug)]
pub struct KpiFold<'p> {
    policy: &'p KpiPolicy,
    period: Period,
    as_of: NaiveDate,
    grouping: Grouping,
    /// `tallies[group][rule]`.
    tallies: Vec<Vec<Tally>>,
    /// Per repeat-visit rule: its jobs from the period's start to its end + window.
    jobs: Vec<Vec<Job>>,
    /// Per rule, whether it counts call-list items (coverage, follow-ups done).
    counts_items: Vec<bool>,
}

impl<'p> KpiFold<'p> {
    pub fn new(
        policy: &'p KpiPolicy,
        period: Period,
        as_of: NaiveDate,
        grouping: Grouping,
        groups: usize,
    ) -> Self {
        KpiFold {
            policy,
            period,
            as_of,
            grouping,
            tallies: vec![vec![Tally::default(); policy.rules.len()]; groups],
            jobs: vec![Vec::new(); policy.rules.len()],
            counts_items: policy
                .rules
                .iter()
                .map(|r| matches!(r.measure, Measure::SurveyCoverage | Measure::FollowupDone))
                .collect(),
        }
    }

    /// A hint that a row of `customer` comes soon (their group is loaded meanwhile).
    #[inline]
    pub fn prefetch(&self, customer: u32) {
        if let Grouping::ByCustomer { of_customer } = &self.grouping {
            if let Some(g) = of_customer.get(customer as usize) {
                crate::hint::prefetch(g);
            }
        }
    }

    /// Adds one order row (dated on or before as-of).
    pub fn add(&mut self, order: &Order<'_>) {
        if order.date < self.period.from {
            return;
        }
        let in_period = self.period.contains(order.date);
        for (r, rule) in self.policy.rules.iter().enumerate() {
            match rule.measure {
                Measure::Outcome(kind) if kind == order.kind && in_period => {
                    if let Some(outcome) = order.outcome {
                        let g = self.grouping.group(order.customer, order.date);
                        self.tallies[g][r].count(outcome == Outcome::Pass);
                    }
                }
                Measure::RepeatVisit { kind, window }
                    if kind == order.kind
                        && order.date <= super::days_after(self.period.to, window) =>
                {
                    self.jobs[r].push(Job {
                        customer: order.customer,
                        date: order.date,
                    });
                }
                _ => {}
            }
        }
    }

    /// Adds the complaints (all of them; those opened outside the period are passed over).
    /// They are known as of the end of as-of; a deadline is judged at the period's end, or
    /// at as-of when that comes first (docs/rules.md §7.1). Grouped by month, each month
    /// is its own period: a complaint is judged at the end of the month it was opened in,
    /// as `kpi --month` judges it (§6.4).
    pub fn add_complaints(&mut self, complaints: &[Complaint]) {
        let now = Moment::EndOf(self.as_of);
        for c in complaints {
            let opened = c.opened_at;
            if !self.period.contains(opened.date()) || !now.has_happened(opened) {
                continue;
            }
            let period_end = Moment::EndOf(self.period_end(opened.date()));
            let judged = period_end.min(now);
            let g = self.grouping.group(c.customer, opened.date());
            let k = known(c, now);
            for (r, rule) in self.policy.rules.iter().enumerate() {
                let verdict = match rule.measure {
                    Measure::ComplaintClosure => {
                        Some(k.closed_at.is_some_and(|t| period_end.has_happened(t)))
                    }
                    Measure::ComplaintResponse(hours) => {
                        on_time(opened, k.answered_at, hours, judged)
                    }
                    Measure::ComplaintResolution(hours) => {
                        on_time(opened, k.closed_at, hours, judged)
                    }
                    _ => None,
                };
                if let Some(passed) = verdict {
                    self.tallies[g][r].count(passed);
                }
            }
        }
    }

    /// Adds the surveyed calls (their overall answers as of as-of) to the CSAT rules
    /// (§9.3): a call answered in the period with its overall rated, satisfied or not.
    pub fn add_overalls(&mut self, overalls: &[Overall<'_>], scale: &Scale) {
        let groups = self.tallies.len();
        for (r, rule) in self.policy.rules.iter().enumerate() {
            if rule.measure != Measure::Csat {
                continue;
            }
            let tallies = csat(overalls, self.period, scale, groups, |c, day| {
                self.grouping.group(c, day)
            });
            for (g, t) in tallies.into_iter().enumerate() {
                self.tallies[g][r].passed += t.passed;
                self.tallies[g][r].failed += t.failed;
            }
        }
    }

    /// Adds an item due in the period (made by [`super::due::items_due_in`]) to the
    /// coverage and follow-up rules (§9.4), grouped by its customer or its due date.
    /// `facts` give each customer's tier as of the period's last day (`None`: no rule
    /// needs it) and what was logged by as-of.
    pub fn add_item(&mut self, item: &Item, facts: &ItemFacts<'_>) {
        let call = (
            item.customer,
            facts.due.rules[item.rule].name.as_str(),
            item.source_id.as_str(),
        );
        let tier = facts.tiers.map(|t| t[item.customer as usize]);
        let grace = facts.due.grace;
        for (r, rule) in self.policy.rules.iter().enumerate() {
            let counts = self.counts_items[r]
                && counts_items_of(rule.measure, item.rule, item.kind, facts.due, facts.survey)
                && tier.map_or(!rule.tiers.is_empty(), |t| rule.tiers.contains(t));
            if !counts {
                continue;
            }
            let verdict = match rule.measure {
                Measure::SurveyCoverage => {
                    covered(item.due_date, grace, self.as_of, facts.log.rated_on(call))
                }
                _ => facts.followup(item, self.as_of).verdict(),
            };
            if let Some(passed) = verdict {
                let g = self.grouping.group(item.customer, item.due_date);
                self.tallies[g][r].count(passed);
            }
        }
    }

    /// The last day of the period `day` is scored in: the period's, or with a group per
    /// month, the last day of `day`'s month (within the period).
    fn period_end(&self, day: NaiveDate) -> NaiveDate {
        match self.grouping {
            Grouping::ByMonth { .. } => Period::month_of(day).to.min(self.period.to),
            Grouping::All | Grouping::ByCustomer { .. } => self.period.to,
        }
    }

    /// Scores every group: one [`Score`] per group and rule.
    pub fn finish(mut self) -> Vec<Vec<Score>> {
        for (r, rule) in self.policy.rules.iter().enumerate() {
            let Measure::RepeatVisit { window, .. } = rule.measure else {
                continue;
            };
            let mut jobs = std::mem::take(&mut self.jobs[r]);
            jobs.sort_unstable();
            jobs.dedup();
            for (i, job) in jobs.iter().enumerate() {
                if !self.period.contains(job.date) {
                    continue;
                }
                let next = jobs.get(i + 1).filter(|n| n.customer == job.customer);
                let window_end = super::days_after(job.date, window);
                let verdict = match next {
                    Some(n) if n.date <= window_end => Some(false),
                    // No repeat yet, but the window is still open: not assessed.
                    _ if window_end > self.as_of => None,
                    _ => Some(true),
                };
                if let Some(passed) = verdict {
                    let g = self.grouping.group(job.customer, job.date);
                    self.tallies[g][r].count(passed);
                }
            }
        }
        // The rate of all groups together, for the rules that aim at the average.
        let pooled: Vec<Tally> = (0..self.policy.rules.len())
            .map(|r| {
                self.tallies.iter().fold(Tally::default(), |a, g| Tally {
                    passed: a.passed + g[r].passed,
                    failed: a.failed + g[r].failed,
                })
            })
            .collect();
        self.tallies
            .iter()
            .map(|group| {
                group
                    .iter()
                    .zip(&self.policy.rules)
                    .zip(&pooled)
                    .map(|((t, rule), all)| score(*t, rule, self.policy.scoring, *all))
                    .collect()
            })
            .collect()
    }
}

/// What the item measures read besides the items: the call list's rules and grace, the
/// forms, each customer's tier, and the logs.
pub struct ItemFacts<'a> {
    pub due: &'a DuePolicy,
    pub survey: &'a SurveyPolicy,
    /// Each customer's tier as of the period's last day; `None` when no rule selects by
    /// tier (every rule's tiers are all or none).
    pub tiers: Option<&'a [u16]>,
    pub log: &'a CallLog<'a>,
}

impl ItemFacts<'_> {
    /// Where `item` stands as a follow-up on `as_of` (§9.4): the one reading of both the
    /// `followup_done` KPI and the monthly report's follow-ups.
    pub fn followup(&self, item: &Item, as_of: NaiveDate) -> FollowupState {
        let call = (
            item.customer,
            self.due.rules[item.rule].name.as_str(),
            item.source_id.as_str(),
        );
        followup(item.due_date, self.due.grace, as_of, self.log.ended(call))
    }
}

/// Whether the items of due rule `r` (about a job of `kind`, for an order rule) count
/// toward `measure` (§9.4): for coverage, the calls that have a form; for follow-ups
/// done, every phone rule's but the complaint deadlines' (the complaint itself ends
/// those, and the 24 h rates measure them).
pub fn counts_items_of(
    measure: Measure,
    r: usize,
    kind: Option<OrderKind>,
    due: &DuePolicy,
    survey: &SurveyPolicy,
) -> bool {
    match measure {
        Measure::SurveyCoverage => survey.form_for(r, kind).is_some(),
        Measure::FollowupDone => {
            let rule = &due.rules[r];
            rule.channel == Channel::Phone
                && !matches!(
                    rule.trigger,
                    Trigger::ComplaintResponse(_) | Trigger::ComplaintResolve(_)
                )
        }
        _ => false,
    }
}

/// Whether some item of due rule `r` can count toward `measure` (before the orders say
/// which jobs the items are about).
pub fn may_count_items_of(
    measure: Measure,
    r: usize,
    due: &DuePolicy,
    survey: &SurveyPolicy,
) -> bool {
    match measure {
        Measure::SurveyCoverage => survey.has_form(r),
        _ => counts_items_of(measure, r, None, due, survey),
    }
}

/// One KPI's result in one group (§6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub tally: Tally,
    /// passed / assessed, rounded half-up to 4 places; `None` when nothing was assessed.
    pub rate: Option<Decimal>,
    /// The target it was held against, 4 places: the rule's, or for `"average"` the
    /// pooled rate of all groups (`None` when no group had anything assessed).
    pub target: Option<Decimal>,
    /// The exact rate reaches the target; `None` when nothing was assessed.
    pub met: Option<bool>,
    /// Points earned, rounded half-up to 2 places (0.00 when n/a).
    pub points: Decimal,
    /// Exact points, for the total.
    exact_points: Decimal,
}

impl Score {
    pub fn is_na(&self) -> bool {
        self.met.is_none()
    }
}

/// Scores one group's tally; `all` is every group's together (for the average target).
fn score(tally: Tally, rule: &KpiRule, scoring: Scoring, all: Tally) -> Score {
    let shown_target = match rule.target {
        Target::Rate(t) => Some(half_up(t, 4)),
        Target::Average => super::tiers::fraction(all.passed as i128, all.assessed() as i128),
    };
    let assessed = tally.assessed();
    if assessed == 0 {
        return Score {
            tally,
            rate: None,
            target: shown_target,
            met: None,
            points: Decimal::new(0, 2),
            exact_points: Decimal::ZERO,
        };
    }
    let passed = Decimal::from(tally.passed);
    let assessed_d = Decimal::from(assessed);
    let (met, proportional) = match rule.target {
        // weight × rate / target, with rate = passed / assessed
        Target::Rate(t) => (
            passed >= t * assessed_d,
            rule.weight * passed / (t * assessed_d),
        ),
        // At least the pooled rate P / A (all groups together, this one included, so A
        // is not 0): passed / assessed ≥ P / A, compared in whole numbers.
        Target::Average => {
            let (p, a) = (u128::from(all.passed), u128::from(all.assessed()));
            let met = u128::from(tally.passed) * a >= p * u128::from(assessed);
            let proportional = if met || p == 0 {
                rule.weight
            } else {
                rule.weight * (passed / assessed_d)
                    / (Decimal::from(all.passed) / Decimal::from(all.assessed()))
            };
            (met, proportional)
        }
    };
    let exact_points = match scoring {
        _ if met => rule.weight,
        Scoring::AllOrNothing => Decimal::ZERO,
        Scoring::Proportional => proportional,
    };
    Score {
        tally,
        rate: super::tiers::fraction(tally.passed as i128, assessed as i128),
        target: shown_target,
        met: Some(met),
        points: half_up(exact_points, 2),
        exact_points,
    }
}

/// What a customer without an owner or store is grouped under.
pub const NO_GROUP: &str = "(none)";

/// One group's scorecard: a score per rule and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupScore {
    pub name: String,
    pub scores: Vec<Score>,
    pub total: Total,
}

impl GroupScore {
    /// Scores `names` (one per group, in the fold's order) with the fold's results.
    pub fn all(names: Vec<String>, scores: Vec<Vec<Score>>, rules: &[KpiRule]) -> Vec<Self> {
        names
            .into_iter()
            .zip(scores)
            .map(|(name, scores)| GroupScore {
                total: total(&scores, rules),
                name,
                scores,
            })
            .collect()
    }

    /// Points earned per point at stake; `None` when nothing was assessed.
    pub fn share(&self) -> Option<Decimal> {
        (self.total.weight > Decimal::ZERO).then(|| self.total.points / self.total.weight)
    }
}

/// The ranking of owners or stores (§6.4): the best share of the points at stake first,
/// then the most points, then by name; groups with nothing assessed last.
pub fn rank(groups: &mut [GroupScore]) {
    groups.sort_by(|a, b| {
        b.share()
            .cmp(&a.share())
            .then(b.total.points.cmp(&a.total.points))
            .then(a.name.cmp(&b.name))
    });
}

/// A group's total: the assessed KPIs' weights and the points earned on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub weight: Decimal,
    pub points: Decimal,
}

pub fn total(scores: &[Score], rules: &[KpiRule]) -> Total {
    let mut weight = Decimal::ZERO;
    let mut points = Decimal::ZERO;
    for (s, rule) in scores.iter().zip(rules) {
        if !s.is_na() {
            weight += rule.weight;
            points += s.exact_points;
        }
    }
    Total {
        weight: half_up(weight, 2),
        points: half_up(points, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, OrderKind, Severity};
    use crate::parse::Cents;
    use crate::policy::Policy;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn order(
        customer: u32,
        date: &str,
        kind: OrderKind,
        outcome: Option<Outcome>,
    ) -> Order<'static> {
        Order {
            order_id: "O",
            customer,
            date: d(date),
            kind,
            amount: Cents(0),
            profit: Cents(0),
            outcome,
            referred_by: None,
            line: 0,
        }
    }

    fn rule(measure: Measure, target: Decimal, weight: i64) -> KpiRule {
        KpiRule {
            name: "k".into(),
            label: String::new(),
            measure,
            target: Target::Rate(target),
            weight: Decimal::from(weight),
            tiers: crate::policy::TierSet::all(5),
        }
    }

    fn policy(rules: Vec<KpiRule>, scoring: Scoring) -> KpiPolicy {
        KpiPolicy { scoring, rules }
    }

    const OCT: Period = Period {
        from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };

    fn outcomes(pass: usize, fail: usize, target: Decimal, scoring: Scoring) -> Score {
        let p = policy(
            vec![rule(Measure::Outcome(OrderKind::Install), target, 5)],
            scoring,
        );
        let mut f = KpiFold::new(&p, OCT, d("2026-11-22"), Grouping::All, 1);
        for i in 0..pass + fail {
            let outcome = if i < pass {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            f.add(&order(0, "2026-10-15", OrderKind::Install, Some(outcome)));
        }
        f.add(&order(0, "2026-10-15", OrderKind::Install, None));
        f.add(&order(
            0,
            "2026-10-15",
            OrderKind::Repair,
            Some(Outcome::Fail),
        ));
        f.add(&order(
            0,
            "2026-11-01",
            OrderKind::Install,
            Some(Outcome::Fail),
        ));
        f.finish()[0][0]
    }

    #[test]
    fn nineteen_of_twenty_meets_95_percent() {
        let s = outcomes(19, 1, Decimal::new(95, 2), Scoring::Proportional);
        assert_eq!(
            s.tally,
            Tally {
                passed: 19,
                failed: 1
            }
        );
        assert_eq!(s.rate, Some(Decimal::new(9500, 4)));
        assert_eq!(s.met, Some(true));
        assert_eq!(s.points, Decimal::new(500, 2));
    }

    #[test]
    fn sixteen_of_nineteen_misses_85_percent() {
        // 16/19 = 0.8421…
        let s = outcomes(16, 3, Decimal::new(85, 2), Scoring::Proportional);
        assert_eq!(s.rate, Some(Decimal::new(8421, 4)));
        assert_eq!(s.met, Some(false));
        // 5 × (16/19) / 0.85 = 4.9535…
        assert_eq!(s.points, Decimal::new(495, 2));
        let s = outcomes(16, 3, Decimal::new(85, 2), Scoring::AllOrNothing);
        assert_eq!(s.points, Decimal::new(0, 2));
        let s = outcomes(19, 1, Decimal::new(95, 2), Scoring::AllOrNothing);
        assert_eq!(s.points, Decimal::new(500, 2));
    }

    #[test]
    fn nothing_assessed_is_na_and_left_out_of_the_total() {
        let s = outcomes(0, 0, Decimal::ONE, Scoring::Proportional);
        assert!(s.is_na());
        assert_eq!((s.rate, s.met, s.points), (None, None, Decimal::new(0, 2)));
        let rules = vec![
            rule(Measure::Outcome(OrderKind::Install), Decimal::new(95, 2), 5),
            rule(Measure::Outcome(OrderKind::Install), Decimal::ONE, 10),
        ];
        let good = outcomes(19, 1, Decimal::new(95, 2), Scoring::Proportional);
        let tot = total(&[good, s], &rules);
        assert_eq!(
            tot,
            Total {
                weight: Decimal::new(500, 2),
                points: Decimal::new(500, 2)
            }
        );
    }

    fn repeat(rows: &[(u32, &str)], as_of: &str) -> Tally {
        let p = policy(
            vec![rule(
                Measure::RepeatVisit {
                    kind: OrderKind::Repair,
                    window: crate::policy::Days::of(30),
                },
                Decimal::new(85, 2),
                5,
            )],
            Scoring::Proportional,
        );
        let mut f = KpiFold::new(&p, OCT, d(as_of), Grouping::All, 1);
        for &(c, date) in rows {
            f.add(&order(c, date, OrderKind::Repair, None));
        }
        f.finish()[0][0].tally
    }

    #[test]
    fn a_repeat_visit_on_day_30_fails_the_job_and_on_day_31_does_not() {
        // customer 0: job 1 Oct, again 31 Oct (day 30): the first fails, the second is
        // still in its window on 22 Nov (31 Oct + 30 = 30 Nov): not assessed.
        assert_eq!(
            repeat(&[(0, "2026-10-01"), (0, "2026-10-31")], "2026-11-22"),
            Tally {
                passed: 0,
                failed: 1
            }
        );
        // customer 1: job 1 Oct, again 1 Nov (day 31): the first passes.
        assert_eq!(
            repeat(&[(1, "2026-10-01"), (1, "2026-11-01")], "2026-11-22"),
            Tally {
                passed: 1,
                failed: 0
            }
        );
        // the window of a job on 20 Oct is open until 19 Nov: on 18 Nov not assessed.
        assert_eq!(repeat(&[(2, "2026-10-20")], "2026-11-18"), Tally::default());
        assert_eq!(
            repeat(&[(2, "2026-10-20")], "2026-11-19"),
            Tally {
                passed: 1,
                failed: 0
            }
        );
        // another customer's job is not a repeat
        assert_eq!(
            repeat(&[(3, "2026-10-01"), (4, "2026-10-02")], "2026-12-31"),
            Tally {
                passed: 2,
                failed: 0
            }
        );
    }

    fn complaint(opened: &str, responded: Option<&str>, closed: Option<&str>) -> Complaint {
        Complaint {
            complaint_id: "K".into(),
            customer: 0,
            order_id: None,
            category: Category::Service,
            opened_at: t(opened),
            responded_at: responded.map(t),
            closed_at: closed.map(t),
            severity: Severity::Normal,
            line: 0,
        }
    }

    fn complaints(cs: &[Complaint], as_of: &str) -> Vec<Tally> {
        let p = Policy::default().kpi;
        let mut f = KpiFold::new(&p, OCT, d(as_of), Grouping::All, 1);
        f.add_complaints(cs);
        f.finish()[0][6..9].iter().map(|s| s.tally).collect()
    }

    #[test]
    fn the_items_that_may_count_are_the_phone_calls_and_the_surveyed_ones() {
        // §9.4 on the shipped policy: follow-ups are the phone rules but the complaint
        // deadlines; coverage is the rules with a form.
        let p = Policy::default();
        let rules = |m| -> Vec<&str> {
            (0..p.due.rules.len())
                .filter(|&r| may_count_items_of(m, r, &p.due, &p.survey))
                .map(|r| p.due.rules[r].name.as_str())
                .collect()
        };
        assert_eq!(
            rules(Measure::FollowupDone),
            [
                "callback-3d",
                "callback-3m",
                "callback-6m",
                "survey",
                "maintenance",
                "complaint-revisit",
                "dissatisfied"
            ]
        );
        assert_eq!(rules(Measure::SurveyCoverage), ["callback-3d", "survey"]);
        assert!(
            rules(Measure::Csat).is_empty(),
            "csat reads answers, not items"
        );
    }

    #[test]
    fn complaints_opened_at_month_end_and_closed_next_month() {
        // opened 31 Oct 20:00, answered 1 Nov 10:00 (14 h), closed 1 Nov 21:00 (25 h):
        // not closed by the period's end; answered on time; resolved late.
        let c = complaint(
            "2026-10-31 20:00",
            Some("2026-11-01 10:00"),
            Some("2026-11-01 21:00"),
        );
        let got = complaints(&[c], "2026-11-22");
        assert_eq!(
            got,
            [
                Tally {
                    passed: 0,
                    failed: 1
                },
                Tally {
                    passed: 1,
                    failed: 0
                },
                Tally {
                    passed: 0,
                    failed: 1
                }
            ]
        );
    }

    #[test]
    fn an_open_complaint_is_not_assessed_before_its_deadline_passes() {
        // opened 31 Oct 20:00, nothing yet; the period ends 1 Nov 00:00, before the deadline.
        let c = complaint("2026-10-31 20:00", None, None);
        let got = complaints(std::slice::from_ref(&c), "2026-11-22");
        assert_eq!(
            got,
            [
                Tally {
                    passed: 0,
                    failed: 1
                },
                Tally::default(),
                Tally::default()
            ]
        );
        // opened 30 Oct 09:00 and never answered: the deadline passed within the period.
        let c = complaint("2026-10-30 09:00", None, None);
        let got = complaints(&[c], "2026-11-22");
        assert_eq!(
            got,
            [
                Tally {
                    passed: 0,
                    failed: 1
                },
                Tally {
                    passed: 0,
                    failed: 1
                },
                Tally {
                    passed: 0,
                    failed: 1
                }
            ]
        );
    }

    #[test]
    fn exactly_24_hours_is_on_time_and_closing_answers() {
        let c = complaint("2026-10-10 09:00", None, Some("2026-10-11 09:00"));
        let got = complaints(&[c], "2026-11-22");
        assert_eq!(
            got,
            [Tally {
                passed: 1,
                failed: 0
            }; 3]
        );
        let c = complaint("2026-10-10 09:00", None, Some("2026-10-11 09:01"));
        let got = complaints(&[c], "2026-11-22");
        assert_eq!(
            got,
            [
                Tally {
                    passed: 1,
                    failed: 0
                },
                Tally {
                    passed: 0,
                    failed: 1
                },
                Tally {
                    passed: 0,
                    failed: 1
                }
            ]
        );
    }

    #[test]
    fn answers_after_as_of_have_not_happened_yet() {
        // As of 10 Oct, a complaint opened 10 Oct 09:00 answered on 11 Oct is still open.
        let c = complaint("2026-10-10 09:00", Some("2026-10-11 08:00"), None);
        let got = complaints(&[c], "2026-10-10");
        assert_eq!(
            got,
            [
                Tally {
                    passed: 0,
                    failed: 1
                },
                Tally::default(),
                Tally::default()
            ]
        );
    }

    #[test]
    fn groups_by_month_follow_the_rows_dates() {
        let p = policy(
            vec![rule(Measure::Outcome(OrderKind::Install), Decimal::ONE, 5)],
            Scoring::Proportional,
        );
        let period = Period {
            from: d("2026-08-01"),
            to: d("2026-10-31"),
        };
        assert_eq!(period.months(), ["2026-08", "2026-09", "2026-10"]);
        let mut f = KpiFold::new(
            &p,
            period,
            d("2026-11-22"),
            Grouping::ByMonth {
                first_month: d("2026-08-01"),
            },
            3,
        );
        f.add(&order(
            0,
            "2026-08-31",
            OrderKind::Install,
            Some(Outcome::Pass),
        ));
        f.add(&order(
            0,
            "2026-10-01",
            OrderKind::Install,
            Some(Outcome::Fail),
        ));
        let s = f.finish();
        assert_eq!(
            s[0][0].tally,
            Tally {
                passed: 1,
                failed: 0
            }
        );
        assert!(s[1][0].is_na(), "a month with no rows");
        assert_eq!(
            s[2][0].tally,
            Tally {
                passed: 0,
                failed: 1
            }
        );
    }

    #[test]
    fn by_month_each_month_judges_its_complaints_at_its_own_end() {
        // Opened 30 Sep 10:00, closed 2 Oct: September's closure missed it, whatever the
        // range; answered 1 Oct 09:00 (23 h): on time in both readings.
        let c = complaint(
            "2026-09-30 10:00",
            Some("2026-10-01 09:00"),
            Some("2026-10-02 10:00"),
        );
        let p = Policy::default().kpi;
        let september = Period::month_of(d("2026-09-01"));
        let mut alone = KpiFold::new(&p, september, d("2026-11-22"), Grouping::All, 1);
        alone.add_complaints(std::slice::from_ref(&c));
        let alone = alone.finish();
        let range = Period {
            from: d("2026-09-01"),
            to: d("2026-10-31"),
        };
        let by_month = Grouping::ByMonth {
            first_month: range.from,
        };
        let mut trend = KpiFold::new(&p, range, d("2026-11-22"), by_month, 2);
        trend.add_complaints(&[c]);
        let trend = trend.finish();
        assert_eq!(trend[0], alone[0], "September alone and in a range agree");
        assert_eq!(
            trend[0][6].tally,
            Tally {
                passed: 0,
                failed: 1
            },
            "not closed by 30 Sep"
        );
        assert_eq!(
            trend[0][7].tally,
            Tally {
                passed: 1,
                failed: 0
            }
        );
        // A range ending mid-month: the month's scoring ends with the range, as
        // `--from 2026-09-01 --to 2026-09-15` alone would judge it.
        let short = Period {
            from: d("2026-09-01"),
            to: d("2026-09-15"),
        };
        let k = complaint("2026-09-14 10:00", None, Some("2026-09-20 10:00"));
        let mut f = KpiFold::new(
            &p,
            short,
            d("2026-11-22"),
            Grouping::ByMonth {
                first_month: short.from,
            },
            1,
        );
        f.add_complaints(&[k]);
        assert_eq!(f.finish()[0][6].tally.failed, 1, "not closed by 15 Sep");
    }

    #[test]
    fn default_period_is_the_previous_calendar_month() {
        assert_eq!(Period::month_before(d("2026-11-22")), OCT);
        assert_eq!(
            Period::month_before(d("2026-03-01")),
            Period {
                from: d("2026-02-01"),
                to: d("2026-02-28")
            }
        );
        assert_eq!(Period::month_before(d("2026-01-15")).from, d("2025-12-01"));
    }

    /// Scores of an install KPI aiming at the average, one group per customer, customer
    /// `c` having `pass` and `fail` outcomes in October.
    fn against_the_average(groups: &[(u32, usize, usize)], scoring: Scoring) -> Vec<Score> {
        let mut r = rule(Measure::Outcome(OrderKind::Install), Decimal::ONE, 10);
        r.target = Target::Average;
        let p = policy(vec![r], scoring);
        let n = groups.len() + 1;
        let grouping = Grouping::ByCustomer {
            of_customer: (0..n as u32).collect(),
        };
        let mut f = KpiFold::new(&p, OCT, d("2026-11-22"), grouping, n);
        for &(c, pass, fail) in groups {
            for i in 0..pass + fail {
                let outcome = match i < pass {
                    true => Outcome::Pass,
                    false => Outcome::Fail,
                };
                f.add(&order(c, "2026-10-15", OrderKind::Install, Some(outcome)));
            }
        }
        f.finish().into_iter().map(|g| g[0]).collect()
    }

    #[test]
    fn the_average_target_is_met_at_the_pooled_rate_of_all_groups() {
        // Three owners: 9/10, 3/4 and 0/0; pooled 12/14 = 0.857…
        let s = against_the_average(&[(0, 9, 1), (1, 3, 1)], Scoring::Proportional);
        let pooled = Some(Decimal::new(8571, 4));
        assert_eq!((s[0].met, s[0].target), (Some(true), pooled));
        assert_eq!(s[0].points, Decimal::new(1000, 2));
        // 0.75 / (12/14) × 10 = 8.75
        assert_eq!((s[1].met, s[1].points), (Some(false), Decimal::new(875, 2)));
        assert!(s[2].is_na(), "a group with nothing assessed is n/a");
        assert_eq!(s[2].target, pooled);
    }

    #[test]
    fn a_group_exactly_at_the_average_meets_it() {
        // 1/2 and 2/4: pooled 3/6, both exactly at it.
        let s = against_the_average(&[(0, 1, 1), (1, 2, 2)], Scoring::AllOrNothing);
        assert_eq!((s[0].met, s[1].met), (Some(true), Some(true)));
        assert_eq!(s[1].points, Decimal::new(1000, 2));
    }
}
