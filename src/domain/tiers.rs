//! Tiers, segments, points, lifecycle (docs/rules.md §3). Orders are folded into one
//! [`Activity`] per customer; [`classify`] turns those into a [`Standing`] per customer
//! ([`Tiering::from_fold`] is the whole step); [`summarize`] gives the per-tier 80/20 view.

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{days_before, half_up, months_after};
use crate::load::Override;
use crate::model::{Order, OrderKind};
use crate::parse::Cents;
use crate::policy::{Classes, Method, Purchases, ScoreWeights, TierPolicy, TierWindow};

/// What the orders say about one customer, as of the as-of date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Sum of sale amounts in the tier window (refunds included, negative), in cents.
    /// 64-bit: one customer's total beyond ±92 trillion is reported as bad data.
    pub spend_cents: i64,
    /// Sum of sale profit in the tier window, in cents.
    pub profit_cents: i64,
    /// Purchases in the tier window.
    pub sales: u32,
    /// Purchases in the segment window (2 years by default).
    pub sales_2y: u32,
    /// Purchases, all time, that name this customer as referrer.
    pub referrals: u32,
    /// Points balance: earned per sale row, truncated toward zero; refunds subtract.
    pub points: i64,
    pub first_sale: Option<NaiveDate>,
    pub last_sale: Option<NaiveDate>,
    /// Latest order row of any kind.
    pub last_visit: Option<NaiveDate>,
}

impl Activity {
    pub fn spend(&self) -> Cents {
        Cents(self.spend_cents.into())
    }

    pub fn profit(&self) -> Cents {
        Cents(self.profit_cents.into())
    }
}

/// Folds order rows into activities. The windows are fixed once from the policy and the
/// as-of date; rows must already be dated on or before as-of (the loader drops later ones).
#[derive(Debug, Clone)]
pub struct ActivityFold {
    /// Sales dated after this count toward spend; `None` = all time.
    tier_after: Option<NaiveDate>,
    /// Purchases dated after this count toward `sales_2y`.
    segment_after: NaiveDate,
    purchases: Purchases,
    as_of: NaiveDate,
    /// Points per unit as a fraction `num / den` of cents: points = trunc(cents·num/den).
    points_num: i128,
    points_den: i128,
    pub activities: Vec<Activity>,
    /// The points of the customers folded for their points alone
    /// ([`add_points`](Self::add_points)), 8 bytes each; empty unless some are.
    points_apart: Vec<i64>,
    /// The first customer whose totals overflowed 64 bits, if any.
    overflowed: Option<Overflow>,
}

/// Which of a customer's totals no longer fits 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Spend,
    Profit,
    Points,
}

/// A customer whose total spend, profit or points does not fit 64 bits (±92 trillion
/// units): the data (or, for points, a points rate) is out of what caredesk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow {
    pub customer: u32,
    pub total: Total,
}

impl ActivityFold {
    pub fn new(policy: &TierPolicy, as_of: NaiveDate, customers: usize) -> ActivityFold {
        let ppu = policy.points_per_unit;
        ActivityFold {
            tier_after: match policy.window {
                TierWindow::AllTime => None,
                TierWindow::Last(days) => Some(days_before(as_of, days)),
            },
            segment_after: days_before(as_of, policy.segments.window_days),
            purchases: policy.purchases,
            as_of,
            points_num: ppu.mantissa(),
            points_den: 100 * 10i128.pow(ppu.scale()),
            activities: crate::hint::scattered_table(customers, Activity::default()),
            points_apart: Vec::new(),
            overflowed: None,
        }
    }

    /// The fold of a list that reads of some customers nothing but their points, which
    /// rank everyone (the top segment, §3.3): those customers' rows go to
    /// [`add_points`](Self::add_points). (`due --owner` with the spend method: the other
    /// consultants' customers only rank the listed ones.)
    pub fn with_points_apart(mut self) -> ActivityFold {
        self.points_apart = crate::hint::scattered_table(self.activities.len(), 0);
        self
    }

    /// Adds one order row of a customer of whom only the points are read: their
    /// activity stays empty but for the points (a table of 8 bytes a customer, which the
    /// cache holds, instead of the 48 of an activity, which it does not). The points are
    /// the same as [`add`](Self::add) makes, their overflow told the same way. A fold
    /// without [`with_points_apart`](Self::with_points_apart) adds the row whole.
    #[inline]
    pub fn add_points(&mut self, order: &Order<'_>) {
        let Some(total) = self.points_apart.get_mut(order.customer as usize) else {
            return self.add(order);
        };
        if order.kind != OrderKind::Sale {
            return;
        }
        match points(order.amount.0, self.points_num, self.points_den)
            .and_then(|p| total.checked_add(p))
        {
            Some(p) => *total = p,
            None => {
                self.overflowed.get_or_insert(Overflow {
                    customer: order.customer,
                    total: Total::Points,
                });
                return;
            }
        }
        // A purchase credits its referrer as in `add` (the care goal, §3.6).
        if let Some(referrer) = order.referred_by.filter(|_| self.purchases.includes(order)) {
            if let Some(a) = self.activities.get_mut(referrer as usize) {
                a.referrals += 1;
            }
        }
    }

    /// Starts loading what [`add_points`](Self::add_points) updates of `customer`.
    #[inline]
    pub fn prefetch_points(&self, customer: u32) {
        match self.points_apart.get(customer as usize) {
            Some(p) => crate::hint::prefetch(p),
            None => self.prefetch(customer),
        }
    }

    /// The activities, with the points folded apart put in.
    fn into_activities(mut self) -> Vec<Activity> {
        for (a, &p) in self.activities.iter_mut().zip(&self.points_apart) {
            // A customer is folded one way or the other: one of the two is zero.
            a.points += p;
        }
        self.activities
    }

    /// The first customer whose spend, profit or points total overflowed (bad data).
    pub fn overflowed(&self) -> Option<Overflow> {
        self.overflowed
    }

    /// Adds one order row.
    #[inline]
    pub fn add(&mut self, order: &Order<'_>) {
        let date = Some(order.date);
        let act = &mut self.activities[order.customer as usize];
        if act.last_visit < date {
            act.last_visit = date;
        }
        if order.kind != OrderKind::Sale {
            return;
        }
        let in_tier_window = self.tier_after.is_none_or(|after| order.date > after);
        let points = points(order.amount.0, self.points_num, self.points_den);
        let sums = match in_tier_window {
            true => (
                i64::try_from(order.amount.0)
                    .ok()
                    .and_then(|a| act.spend_cents.checked_add(a)),
                i64::try_from(order.profit.0)
                    .ok()
                    .and_then(|p| act.profit_cents.checked_add(p)),
            ),
            false => (Some(act.spend_cents), Some(act.profit_cents)),
        };
        match (sums, points.and_then(|p| act.points.checked_add(p))) {
            ((Some(spend), Some(profit)), Some(points)) => {
                act.spend_cents = spend;
                act.profit_cents = profit;
                act.points = points;
            }
            ((spend, profit), _) => {
                let total = match (spend, profit) {
                    (None, _) => Total::Spend,
                    (_, None) => Total::Profit,
                    _ => Total::Points,
                };
                self.overflowed.get_or_insert(Overflow {
                    customer: order.customer,
                    total,
                });
                return;
            }
        }
        if !self.purchases.includes(order) {
            return;
        }
        if in_tier_window {
            act.sales += 1;
        }
        if order.date > self.segment_after {
            act.sales_2y += 1;
        }
        if act.first_sale.is_none_or(|d| order.date < d) {
            act.first_sale = date;
        }
        if act.last_sale < date {
            act.last_sale = date;
        }
        if let Some(referrer) = order.referred_by {
            self.activities[referrer as usize].referrals += 1;
        }
    }
}

/// Points for a sale of `cents`: trunc(cents·num/den); `None` when they do not fit
/// (a points rate with many digits times a huge amount is bad data, not a panic).
#[inline]
fn points(cents: i128, num: i128, den: i128) -> Option<i64> {
    // In 64 bits when everything fits, as it does for any real rate and sale: a 128-bit
    // division is a library call (0.9 % of `tiers`). Both truncate toward zero.
    let small = (i64::try_from(cents), i64::try_from(num), i64::try_from(den));
    if let (Ok(c), Ok(n), Ok(d)) = small {
        if let Some(p) = c.checked_mul(n) {
            return Some(p / d);
        }
    }
    cents
        .checked_mul(num)
        .and_then(|p| i64::try_from(p / den).ok())
}

impl ActivityFold {
    /// Starts loading `customer`'s activity, which a row of theirs will soon update.
    #[inline]
    pub fn prefetch(&self, customer: u32) {
        if let Some(a) = self.activities.get(customer as usize) {
            crate::hint::prefetch(a);
        }
    }
}

impl crate::load::OrderSink for &mut ActivityFold {
    #[inline]
    fn prefetch(&self, customer: u32) {
        ActivityFold::prefetch(self, customer);
    }

    fn ids_from(&self) -> Option<NaiveDate> {
        None
    }

    #[inline]
    fn visit(&mut self, order: &Order<'_>) {
        self.add(order);
    }
}

/// Where a customer stands within a tier (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Upgrade,
    Stable,
    New,
    Retain,
    Abandon,
    /// Never bought.
    None,
}

impl Segment {
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Upgrade => "upgrade",
            Segment::Stable => "stable",
            Segment::New => "new",
            Segment::Retain => "retain",
            Segment::Abandon => "abandon",
            Segment::None => "none",
        }
    }
}

/// Activity by the last visit (§3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lifecycle {
    Active,
    Sleeping,
    Lost,
    None,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Active => "active",
            Lifecycle::Sleeping => "sleeping",
            Lifecycle::Lost => "lost",
            Lifecycle::None => "none",
        }
    }
}

/// One customer's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The final tier (index into the policy's levels, 0 = top).
    pub tier: u16,
    /// What the rules say; differs from `tier` only when pinned by an override.
    pub computed_tier: u16,
    pub segment: Segment,
    pub lifecycle: Lifecycle,
    pub churned: bool,
    pub care_goal_met: bool,
    /// Score method only: the score (0–100, rounded half-up to 2 decimals) in hundredths.
    pub score_centi: Centi,
    pub days_since_visit: DaysSince,
    /// `retain` only: when points and privileges are cleared.
    pub points_clear_on: Option<NaiveDate>,
}

impl Standing {
    /// The score (score method only), 2 decimals.
    pub fn score(&self) -> Option<Decimal> {
        self.score_centi.get().map(|c| Decimal::new(c.into(), 2))
    }
}

/// A score in hundredths, or none, in 4 bytes: `Option<u32>` takes 8, and with
/// [`DaysSince`] that made a million standings 28 MB instead of 20, at the top of
/// `tiers`' peak (the standings are made after the orders pass, beside everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Centi(u32);

impl Centi {
    pub const NONE: Centi = Centi(u32::MAX);

    /// A score in hundredths (at most 10,000; the largest `u32` would read back as none).
    pub fn new(centi: Option<u32>) -> Centi {
        centi.map_or(Centi::NONE, Centi)
    }

    pub fn get(self) -> Option<u32> {
        (self != Centi::NONE).then_some(self.0)
    }
}

/// Days since the last visit, or none (no order), in 4 bytes (see [`Centi`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysSince(i32);

impl DaysSince {
    pub const NONE: DaysSince = DaysSince(i32::MIN);

    /// Days since a visit (never negative: later rows are dropped; the least `i32`
    /// would read back as none).
    pub fn new(days: Option<i32>) -> DaysSince {
        days.map_or(DaysSince::NONE, DaysSince)
    }

    pub fn get(self) -> Option<i32> {
        (self != DaysSince::NONE).then_some(self.0)
    }
}

/// `rank − 1` per customer under SQL `PERCENT_RANK()` ascending: the number of customers
/// with a strictly smaller value (ties share the lowest rank, §3.2).
pub fn ranks_below<T: Ord + Copy + Send>(values: impl IntoIterator<Item = T>) -> Vec<u32> {
    // Values sorted with their indexes beside them: sorting indexes by `values[i]` read a
    // scattered value per comparison, and was most of `classify` on a million customers.
    // The halves are sorted on both cores and walked merged: a million pairs took
    // 50 ms on one core, while the other waited.
    let mut pairs: Vec<(T, u32)> = values.into_iter().zip(0..).collect();
    let mut below = vec![0u32; pairs.len()];
    let mut start = 0usize;
    let mut last = None;
    for (pos, &(value, i)) in crate::pipeline::sorted_in_halves(&mut pairs).enumerate() {
        if last != Some(value) {
            start = pos;
            last = Some(value);
        }
        below[i as usize] = start as u32;
    }
    below
}

/// Customer ids by dense index (the book, or a plain list in tests), without copying them.
pub trait CustomerIds {
    fn id(&self, i: usize) -> &str;
}

impl CustomerIds for Vec<&str> {
    fn id(&self, i: usize) -> &str {
        self[i]
    }
}

impl CustomerIds for crate::load::CustomerBook {
    fn id(&self, i: usize) -> &str {
        crate::load::CustomerBook::id(self, i)
    }
}

/// Who is in the top by points (§3.3), for every customer at once
/// ([`SegmentTests::top_points`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopPoints {
    Nobody,
    Everybody,
    /// Those with more points than this.
    Above(i64),
}

impl TopPoints {
    #[inline]
    pub fn holds(self, points: i64) -> bool {
        match self {
            TopPoints::Nobody => false,
            TopPoints::Everybody => true,
            TopPoints::Above(p) => points > p,
        }
    }
}

/// The segment tests of §3.3, fixed once for `n` customers as of a date: `classify` takes
/// each customer's segment from them, and the customer card shows the same tests as the
/// reasons.
#[derive(Debug, Clone, Copy)]
pub struct SegmentTests {
    n: usize,
    window_days: crate::policy::Days,
    retain_months: crate::policy::Months,
    /// Purchases dated after this are in the segment window.
    segment_after: NaiveDate,
    /// A first purchase dated after this is recent (`new`).
    new_after: NaiveDate,
    /// The least `rank − 1` of points that is in the top: `top_rank·(N − 1)` rounded up
    /// (the rank is a whole number, so it is compared with that once).
    top_from: Option<u64>,
    /// `min_per_year · window_days`, rounded up: frequent when `sales_2y · 365` reaches it.
    freq_needed: Option<u64>,
}

impl SegmentTests {
    pub fn new(policy: &TierPolicy, as_of: NaiveDate, n: usize) -> SegmentTests {
        let seg = &policy.segments;
        SegmentTests {
            n,
            window_days: seg.window_days,
            retain_months: seg.retain_months,
            segment_after: days_before(as_of, seg.window_days),
            new_after: days_before(as_of, seg.new_days),
            top_from: whole_at_least(seg.top_rank * Decimal::from(n.saturating_sub(1) as u64)),
            freq_needed: whole_at_least(seg.min_per_year * Decimal::from(seg.window_days.get())),
        }
    }

    /// top10: percent rank of points ≥ `top_rank`, tested exactly as `rank − 1 ≥
    /// top_rank·(N − 1)`, from the customer's `rank − 1` ([`ranks_below`]). With one
    /// customer nobody is top.
    #[inline]
    pub fn is_top(&self, points_below: u32) -> bool {
        self.n > 1 && self.top_from.is_some_and(|t| u64::from(points_below) >= t)
    }

    /// The same test for everyone at once, from every customer's points (all `n` of
    /// them) without ranking them: `rank − 1 ≥ t` says at least `t` customers have
    /// fewer points, which holds exactly when the points are above the `t`-th smallest,
    /// and that one value is found by selection. (Ranking a million customers was a
    /// sort, 40 ms on one core; the selection is a few.)
    pub fn top_points(&self, points: impl IntoIterator<Item = i64>) -> TopPoints {
        match self.top_from {
            _ if self.n <= 1 => TopPoints::Nobody,
            None => TopPoints::Nobody,
            Some(0) => TopPoints::Everybody,
            Some(t) => {
                let mut all: Vec<i64> = points.into_iter().collect();
                match usize::try_from(t - 1).ok().filter(|&k| k < all.len()) {
                    Some(k) => TopPoints::Above(*all.select_nth_unstable(k).1),
                    None => TopPoints::Nobody,
                }
            }
        }
    }

    /// freq ≥ `min_per_year`, freq = `sales_2y · 365 / window_days`, compared without
    /// dividing.
    #[inline]
    pub fn is_frequent(&self, a: &Activity) -> bool {
        self.freq_needed
            .is_some_and(|f| a.sales_2y as u64 * 365 >= f)
    }

    /// Purchases a year over the segment window (`sales_2y · 365 / window_days`), exact:
    /// for display only, the test is [`is_frequent`](Self::is_frequent).
    pub fn purchases_a_year(&self, a: &Activity) -> Decimal {
        Decimal::from(a.sales_2y) * Decimal::from(365u32) / Decimal::from(self.window_days.get())
    }

    /// Whether the first purchase is recent enough to be `new`.
    #[inline]
    pub fn is_recent(&self, a: &Activity) -> bool {
        a.first_sale.is_some_and(|d| d > self.new_after)
    }

    /// Whether the last purchase is inside the segment window.
    #[inline]
    pub fn bought_in_window(&self, a: &Activity) -> bool {
        a.last_sale.is_some_and(|d| d > self.segment_after)
    }

    /// The segment, first match wins, and for `retain` the date the points are cleared
    /// (`last purchase + window_days + retain_months`).
    #[inline]
    pub fn segment(&self, a: &Activity, top: bool) -> (Segment, Option<NaiveDate>) {
        let Some(last_sale) = a.last_sale else {
            return (Segment::None, None);
        };
        let frequent = self.is_frequent(a);
        if frequent && top {
            (Segment::Upgrade, None)
        } else if frequent {
            (Segment::Stable, None)
        } else if self.is_recent(a) {
            (Segment::New, None)
        } else if !self.bought_in_window(a) && top {
            let clear = months_after(
                super::days_after(last_sale, self.window_days),
                self.retain_months,
            );
            (Segment::Retain, Some(clear))
        } else {
            (Segment::Abandon, None)
        }
    }
}

/// The lifecycle of a customer whose last visit was `days` ago (§3.5): active up to
/// `active_days`, sleeping up to `sleeping_days`, lost beyond; `none` without a visit.
#[inline]
pub fn lifecycle(days_since_visit: Option<i32>, policy: &crate::policy::Lifecycle) -> Lifecycle {
    match days_since_visit {
        None => Lifecycle::None,
        Some(d) if i64::from(d) <= i64::from(policy.active_days.get()) => Lifecycle::Active,
        Some(d) if i64::from(d) <= i64::from(policy.sleeping_days.get()) => Lifecycle::Sleeping,
        Some(_) => Lifecycle::Lost,
    }
}

/// The days a customer last seen on `last_visit` turns sleeping and lost if nobody visits
/// (§3.5): `last_visit + active_days + 1` and `last_visit + sleeping_days + 1`, the first
/// days [`lifecycle`] gives `sleeping` and `lost`.
pub fn lifecycle_turns(
    last_visit: NaiveDate,
    policy: &crate::policy::Lifecycle,
) -> (NaiveDate, NaiveDate) {
    let turn =
        |days: crate::policy::Days| super::days_after(super::days_after(last_visit, days), 1u32);
    (turn(policy.active_days), turn(policy.sleeping_days))
}

/// Classifies every customer. `ids` (customer ids, same order as `activities`) break
/// score ties. Pure: the result depends only on the arguments. Tiers §3.1–§3.2,
/// segments §3.3, lifecycle and churn §3.5, care goal §3.6.
pub fn classify(
    activities: &[Activity],
    ids: &dyn CustomerIds,
    policy: &TierPolicy,
    as_of: NaiveDate,
) -> Vec<Standing> {
    let n = activities.len();
    let tests = SegmentTests::new(policy, as_of, n);
    let churn_on_or_before = days_before(as_of, policy.churn_days);
    let top = tests.top_points(activities.iter().map(|a| a.points));

    let (tiers, scores) = match &policy.method {
        Method::Spend { min_spend } => (spend_tiers(activities, min_spend), None),
        Method::Score { weights, classes } => {
            let (t, s) = score_tiers(activities, ids, weights, classes);
            (t, Some(s))
        }
    };

    // A half on each core: the standings were 40 ms on one of them.
    crate::pipeline::map_in_halves(n, |i| {
        let a = &activities[i];
        let (segment, points_clear_on) = tests.segment(a, top.holds(a.points));
        let days_since_visit = a.last_visit.map(|d| (as_of - d).num_days() as i32);
        // One threshold or class per tier but the last (the policy's), so a tier is
        // never past the floor.
        let tier = tiers[i];
        Standing {
            tier,
            computed_tier: tier,
            segment,
            lifecycle: lifecycle(days_since_visit, &policy.lifecycle),
            churned: a.last_sale.is_some_and(|d| d <= churn_on_or_before),
            care_goal_met: care_goal_met(a, &policy.care_goal),
            score_centi: Centi::new(
                scores
                    .as_ref()
                    .and_then(|s| u32::try_from((s[i] * Decimal::ONE_HUNDRED).trunc()).ok()),
            ),
            days_since_visit: DaysSince::new(days_since_visit),
            points_clear_on,
        }
    })
}

/// The care goal (§3.6): a repeat purchase or a referral, by the policy's counts.
#[inline]
pub fn care_goal_met(a: &Activity, goal: &crate::policy::CareGoal) -> bool {
    a.sales >= goal.min_sales || a.referrals >= goal.min_referrals
}

/// The least whole number `k ≥ 0` with `k ≥ d`; `None` when there is none below 2⁶⁴.
fn whole_at_least(d: Decimal) -> Option<u64> {
    u64::try_from(d.max(Decimal::ZERO).ceil()).ok()
}

/// Tier `i` is the first whose threshold the spend reaches; past all of them, the floor
/// (§3.1).
fn spend_tiers(activities: &[Activity], mins: &[Cents]) -> Vec<u16> {
    activities
        .iter()
        .map(|a| spend_tier(a.spend(), mins))
        .collect()
}

/// The spend method's tier for `spend`: the first threshold it reaches (inclusive).
#[inline]
fn spend_tier(spend: Cents, mins: &[Cents]) -> u16 {
    mins.iter().position(|&m| spend >= m).unwrap_or(mins.len()) as u16
}

/// The score's exact numerators `Σ wᵢ·(rankᵢ − 1)` per customer, on the weights' common
/// decimal scale, and the denominator that makes them a score: `score = 100 · numerator /
/// denominator`, where `denominator = 10^scale · (N − 1)` (§3.2).
struct Numerators {
    of: Vec<i128>,
    denominator: Decimal,
}

impl Numerators {
    fn new(activities: &[Activity], w: &ScoreWeights) -> Numerators {
        let n = activities.len();
        // Integer weights on a common scale, so the numerator Σ wᵢ·(rankᵢ − 1) is exact.
        let scale = w.spend.scale().max(w.profit.scale()).max(w.sales.scale());
        let int = |d: Decimal| {
            let mut d = d;
            d.rescale(scale);
            d.mantissa()
        };
        let (ws, wp, wq) = (int(w.spend), int(w.profit), int(w.sales));
        // Summed one rank at a time, each rank's vector gone before the next is made.
        let mut of = vec![0i128; n];
        for (weight, below) in [
            (ws, ranks_below(activities.iter().map(|a| a.spend_cents))),
            (wp, ranks_below(activities.iter().map(|a| a.profit_cents))),
            (wq, ranks_below(activities.iter().map(|a| a.sales))),
        ] {
            for (num, b) in of.iter_mut().zip(below) {
                *num += weight * b as i128;
            }
        }
        let denominator = Decimal::from_i128_with_scale(10i128.pow(scale), 0)
            * Decimal::from(n.saturating_sub(1) as u64);
        Numerators { of, denominator }
    }

    /// Customer `i`'s score, exact; 0 when `N = 1`.
    fn score(&self, i: usize) -> Decimal {
        if self.of.len() <= 1 {
            return Decimal::ZERO;
        }
        Decimal::from_i128_with_scale(self.of[i] * 100, 0) / self.denominator
    }

    /// Whether customer `i`'s score reaches `min` (compared exactly, without dividing).
    fn reaches(&self, i: usize, min: Decimal) -> bool {
        if self.of.len() <= 1 {
            return Decimal::ZERO >= min;
        }
        Decimal::from_i128_with_scale(self.of[i] * 100, 0) >= min * self.denominator
    }

    /// The order of positions: score descending, then customer_id ascending (bytes).
    fn before(&self, ids: &dyn CustomerIds, a: usize, b: usize) -> Ordering {
        match self.of[b].cmp(&self.of[a]) {
            Ordering::Equal => ids.id(a).as_bytes().cmp(ids.id(b).as_bytes()),
            other => other,
        }
    }
}

/// The last position of each class by shares: `round_half_up(N · cumulative share)`;
/// position `i` (1-based) gets the first class with `i ≤` its cut-off (§3.2).
fn share_cutoffs(n: usize, shares: &[Decimal]) -> Vec<u64> {
    let mut cumulative = Decimal::ZERO;
    shares
        .iter()
        .map(|share| {
            cumulative += share;
            let c = half_up(Decimal::from(n as u64) * cumulative, 0);
            u64::try_from(c).unwrap_or(u64::MAX)
        })
        .collect()
}

/// The class of position `p` (1-based) under `cutoffs`; past all of them, the floor.
#[inline]
fn share_class(p: u64, cutoffs: &[u64]) -> u16 {
    cutoffs
        .iter()
        .position(|&c| p <= c)
        .unwrap_or(cutoffs.len()) as u16
}

/// The score method (§3.2): tiers and displayed scores.
fn score_tiers(
    activities: &[Activity],
    ids: &dyn CustomerIds,
    w: &ScoreWeights,
    classes: &Classes,
) -> (Vec<u16>, Vec<Decimal>) {
    let n = activities.len();
    let numerators = Numerators::new(activities, w);
    let scores: Vec<Decimal> = (0..n).map(|i| half_up(numerators.score(i), 2)).collect();

    let mut tiers = vec![0u16; n];
    match classes {
        Classes::Shares(shares) => {
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_unstable_by(|&a, &b| numerators.before(ids, a as usize, b as usize));
            let cutoffs = share_cutoffs(n, shares);
            for (pos, &i) in order.iter().enumerate() {
                tiers[i as usize] = share_class(pos as u64 + 1, &cutoffs);
            }
        }
        Classes::MinScores(mins) => {
            for (i, tier) in tiers.iter_mut().enumerate() {
                *tier = mins
                    .iter()
                    .position(|&min| numerators.reaches(i, min))
                    .unwrap_or(mins.len()) as u16;
            }
        }
    }
    (tiers, scores)
}

/// Where one customer stands in the score method's order (§3.2): score descending, then
/// customer_id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScorePlace {
    /// 1-based.
    pub position: u64,
    /// Customers ranked (N).
    pub of: u64,
    /// The exact score, before the display's rounding.
    pub score: Decimal,
}

/// What a customer's computed tier is short of the tier above (the customer card, §3.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextTier {
    /// In the top tier: nothing above.
    Top,
    /// The spend method: the tier above and the spend it still needs (`min_spend −
    /// spend`, at least 0.01).
    Spend { tier: u16, needs: Cents },
    /// The score method by shares: the positions the class above holds, `first..=last`
    /// (none when `first > last`: at this `N` its share rounds to nobody).
    Share { tier: u16, first: u64, last: u64 },
    /// The score method by score bounds: the score the class above starts at, and what
    /// the exact score is short of it.
    MinScore {
        tier: u16,
        min_score: Decimal,
        needs: Decimal,
    },
}

/// A customer's place in the score order (score method only) and what the tier above
/// needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierGap {
    pub place: Option<ScorePlace>,
    pub next: NextTier,
}

/// Where customer `i` (whose computed tier is `computed`) stands and what it needs for
/// the tier above, by the same tests [`classify`] tiers with. For the score method this
/// ranks every customer again (three sorts) and counts who comes before `i`; nothing else
/// of the tiering is repeated.
pub fn tier_gap(
    activities: &[Activity],
    ids: &dyn CustomerIds,
    policy: &TierPolicy,
    i: usize,
    computed: u16,
) -> TierGap {
    let above = computed.checked_sub(1);
    match &policy.method {
        Method::Spend { min_spend } => TierGap {
            place: None,
            next: match above {
                None => NextTier::Top,
                Some(tier) => NextTier::Spend {
                    tier,
                    needs: Cents(min_spend[tier as usize].0 - activities[i].spend().0),
                },
            },
        },
        Method::Score { weights, classes } => {
            let numerators = Numerators::new(activities, weights);
            let before = (0..activities.len())
                .filter(|&j| numerators.before(ids, j, i) == Ordering::Less)
                .count();
            let place = ScorePlace {
                position: before as u64 + 1,
                of: activities.len() as u64,
                score: numerators.score(i),
            };
            let next = match (above, classes) {
                (None, _) => NextTier::Top,
                (Some(tier), Classes::Shares(shares)) => {
                    let cutoffs = share_cutoffs(activities.len(), shares);
                    let t = tier as usize;
                    NextTier::Share {
                        tier,
                        first: t.checked_sub(1).map_or(0, |up| cutoffs[up]) + 1,
                        last: cutoffs[t],
                    }
                }
                (Some(tier), Classes::MinScores(mins)) => NextTier::MinScore {
                    tier,
                    min_score: mins[tier as usize],
                    needs: mins[tier as usize] - place.score,
                },
            };
            TierGap {
                place: Some(place),
                next,
            }
        }
    }
}

/// `rank − 1` of `values[i]` under `PERCENT_RANK()` ([`ranks_below`]) for one customer,
/// without sorting: how many values are strictly smaller.
pub fn rank_below<T: PartialOrd>(values: impl IntoIterator<Item = T>, value: &T) -> u32 {
    values.into_iter().filter(|v| v < value).count() as u32
}

/// Why a customer is in their segment (the customer card, §3.10): the tests of
/// [`SegmentTests`] on that customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentReasons {
    /// Purchases a year over the segment window, exact.
    pub purchases_a_year: Decimal,
    pub frequent: bool,
    /// The points' percent rank among all customers (`(rank − 1)/(N − 1)`, 0 when N = 1).
    pub points_rank: Decimal,
    pub top: bool,
    /// The first purchase is recent enough for `new`.
    pub recent: bool,
    /// The last purchase is inside the segment window.
    pub bought_in_window: bool,
}

/// The reasons for customer `i`'s segment as of `as_of`.
pub fn segment_reasons(
    activities: &[Activity],
    policy: &TierPolicy,
    as_of: NaiveDate,
    i: usize,
) -> SegmentReasons {
    let n = activities.len();
    let tests = SegmentTests::new(policy, as_of, n);
    let a = &activities[i];
    let below = rank_below(activities.iter().map(|a| a.points), &a.points);
    SegmentReasons {
        purchases_a_year: tests.purchases_a_year(a),
        frequent: tests.is_frequent(a),
        points_rank: if n > 1 {
            Decimal::from(below) / Decimal::from(n as u64 - 1)
        } else {
            Decimal::ZERO
        },
        top: tests.is_top(below),
        recent: tests.is_recent(a),
        bought_in_window: tests.bought_in_window(a),
    }
}

/// Pins the overridden tiers (the computed tier stays in `computed_tier`). Returns, per
/// pinned customer, the override that applies (the last one given for it), and the
/// overrides ignored because they expired before `as_of` (§3.8).
pub fn apply_overrides(
    standings: &mut [Standing],
    overrides: &[Override],
    as_of: NaiveDate,
) -> (std::collections::HashMap<u32, usize>, Vec<usize>) {
    let mut pinned = std::collections::HashMap::new();
    let mut expired = Vec::new();
    for (i, o) in overrides.iter().enumerate() {
        if o.expires.is_some_and(|e| e < as_of) {
            expired.push(i);
            continue;
        }
        if let Some(s) = standings.get_mut(o.customer as usize) {
            s.tier = o.tier;
            pinned.insert(o.customer, i);
        }
    }
    (pinned, expired)
}

/// Every customer's tiering (docs/rules.md §3): what the orders say, where each stands,
/// and the overrides that pinned a tier.
#[derive(Debug, Clone)]
pub struct Tiering {
    pub activities: Vec<Activity>,
    pub standings: Vec<Standing>,
    /// Per pinned customer, the override that applies (the last one given for it).
    pub pinned: std::collections::HashMap<u32, usize>,
    /// The overrides ignored because they expired before as-of.
    pub expired: Vec<usize>,
}

impl Tiering {
    /// The one tiering step every command takes after folding the orders: the overflow
    /// check, then classification, then the overrides. `ids` break score ties.
    pub fn from_fold(
        fold: ActivityFold,
        ids: &dyn CustomerIds,
        policy: &TierPolicy,
        overrides: &[Override],
    ) -> Result<Tiering, Overflow> {
        if let Some(overflow) = fold.overflowed {
            return Err(overflow);
        }
        let as_of = fold.as_of;
        let activities = fold.into_activities();
        let mut standings = classify(&activities, ids, policy, as_of);
        let (pinned, expired) = apply_overrides(&mut standings, overrides, as_of);
        Ok(Tiering {
            activities,
            standings,
            pinned,
            expired,
        })
    }
}

/// How a customer's tier changed since the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    Up,
    Down,
    Same,
    /// Not in the previous period's tiers.
    New,
    /// In the previous period's tiers, no longer in the customer file.
    Gone,
}

impl Movement {
    /// From the tier ranks now and before (0 = top).
    pub fn between(now: Option<u16>, before: Option<u16>) -> Movement {
        match (now, before) {
            (Some(n), Some(b)) if n < b => Movement::Up,
            (Some(n), Some(b)) if n > b => Movement::Down,
            (Some(_), Some(_)) => Movement::Same,
            (Some(_), None) => Movement::New,
            (None, _) => Movement::Gone,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Up => "up",
            Movement::Down => "down",
            Movement::Same => "same",
            Movement::New => "new",
            Movement::Gone => "gone",
        }
    }
}

/// The from×to matrix (§3.8), as counts of customers: a row per last period's tier, then
/// `new` (not in it); a column per tier now, then `gone` (no longer a customer), then the
/// row's total. `pairs` gives each current customer's (tier before, tier now), `gone`
/// the tier of each customer of last period who left.
pub fn movement_matrix(
    tiers: usize,
    pairs: impl IntoIterator<Item = (Option<u16>, u16)>,
    gone: impl IntoIterator<Item = u16>,
) -> Vec<Vec<i64>> {
    let n = tiers;
    let mut counts = vec![vec![0i64; n + 2]; n + 1];
    for (before, now) in pairs {
        let from = before.map_or(n, usize::from);
        counts[from][now as usize] += 1;
    }
    for before in gone {
        counts[before as usize][n] += 1;
    }
    for row in &mut counts {
        row[n + 1] = row[..=n].iter().sum();
    }
    counts
}

/// The order of the tiers list: top tier first, then the biggest spenders, then the
/// customer file's order. The keys are laid out first so the sort does not chase two
/// vectors per comparison.
pub fn list_order(activities: &[Activity], standings: &[Standing]) -> Vec<u32> {
    let mut keys: Vec<(u16, std::cmp::Reverse<i64>, u32)> = activities
        .iter()
        .zip(standings)
        .zip(0..)
        .map(|((a, s), i)| (s.tier, std::cmp::Reverse(a.spend_cents), i))
        .collect();
    // Each key ends in its index, so the halves' merged walk is the one sorted order.
    crate::pipeline::sorted_in_halves(&mut keys)
        .map(|k| k.2)
        .collect()
}

/// One line of the per-tier summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSummary {
    pub tier: u16,
    pub customers: u64,
    /// Fraction of all customers, 4 decimals.
    pub customer_share: Option<Decimal>,
    pub spend: Cents,
    /// Fraction of the total spend, 4 decimals; `None` when the total is not positive.
    pub spend_share: Option<Decimal>,
    pub churned: u64,
    /// churned / customers, 4 decimals; `None` for an empty tier.
    pub churn_rate: Option<Decimal>,
    pub care_goal_met: u64,
}

/// A fraction `num / den` rounded half-up to 4 decimals; `None` when `den` is 0.
pub fn fraction(num: i128, den: i128) -> Option<Decimal> {
    if den == 0 {
        return None;
    }
    Some(half_up(
        Decimal::from_i128_with_scale(num, 0) / Decimal::from_i128_with_scale(den, 0),
        4,
    ))
}

/// The per-tier view, top tier first, every tier listed (§3.8).
pub fn summarize(
    activities: &[Activity],
    standings: &[Standing],
    tiers: usize,
) -> Vec<TierSummary> {
    let mut rows: Vec<TierSummary> = (0..tiers)
        .map(|t| TierSummary {
            tier: t as u16,
            customers: 0,
            customer_share: None,
            spend: Cents::ZERO,
            spend_share: None,
            churned: 0,
            churn_rate: None,
            care_goal_met: 0,
        })
        .collect();
    for (a, s) in activities.iter().zip(standings) {
        let row = &mut rows[s.tier as usize];
        row.customers += 1;
        row.spend.0 += i128::from(a.spend_cents);
        row.churned += s.churned as u64;
        row.care_goal_met += s.care_goal_met as u64;
    }
    let customers: i128 = standings.len() as i128;
    let total_spend: i128 = rows.iter().map(|r| r.spend.0).sum();
    for row in &mut rows {
        row.customer_share = fraction(row.customers as i128, customers);
        // No shares of a total that is nothing, or less (refunds outweighing sales).
        row.spend_share = fraction(row.spend.0, total_spend.max(0));
        row.churn_rate = fraction(row.churned as i128, row.customers as i128);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_standing_is_20_bytes_and_its_optional_numbers_read_back() {
        // A million standings sit beside the book and the activities at `tiers`' peak.
        assert_eq!(std::mem::size_of::<Standing>(), 20);
        assert_eq!(Centi::new(Some(10_000)).get(), Some(10_000));
        assert_eq!(Centi::new(Some(0)).get(), Some(0));
        assert_eq!(Centi::new(None).get(), None);
        assert_eq!(DaysSince::new(Some(0)).get(), Some(0));
        assert_eq!(DaysSince::new(Some(i32::MAX)).get(), Some(i32::MAX));
        assert_eq!(DaysSince::new(None).get(), None);
    }

    const T: &str = "2026-11-22";

    type Row<'a> = (u32, &'a str, OrderKind, i128, Option<u32>);

    /// The order of a (customer, date, kind, amount cents, referred_by) row.
    fn order(&(customer, date, kind, cents, referred_by): &Row<'_>) -> Order<'static> {
        Order {
            order_id: "O",
            customer,
            date: d(date),
            kind,
            amount: Cents(cents),
            profit: Cents(cents / 10),
            outcome: None,
            referred_by,
            line: 0,
        }
    }

    /// Activities from (customer, date, kind, amount cents, referred_by) rows.
    fn fold(policy: &TierPolicy, n: usize, rows: &[Row<'_>]) -> Vec<Activity> {
        let mut f = ActivityFold::new(policy, d(T), n);
        for row in rows {
            f.add(&order(row));
        }
        f.activities
    }

    fn run(
        policy: &TierPolicy,
        n: usize,
        rows: &[(u32, &str, OrderKind, i128, Option<u32>)],
    ) -> Vec<Standing> {
        let acts = fold(policy, n, rows);
        let ids: Vec<String> = (0..n).map(|i| format!("C{i:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        classify(&acts, &ids, policy, d(T))
    }

    use OrderKind::*;

    #[test]
    fn spend_bounds_are_inclusive_to_the_cent() {
        let p = Policy::default().tiers;
        let s = run(
            &p,
            6,
            &[
                (0, "2026-01-01", Sale, 100_000_000, None),
                (1, "2026-01-01", Sale, 99_999_999, None),
                (2, "2026-01-01", Sale, 50_000_000, None),
                (3, "2026-01-01", Sale, 30_000_000, None),
                (4, "2026-01-01", Sale, 10_000_000, None),
                (5, "2026-01-01", Sale, 9_999_999, None),
            ],
        );
        let tiers: Vec<u16> = s.iter().map(|s| s.tier).collect();
        assert_eq!(tiers, [0, 1, 1, 2, 3, 4]);
    }

    #[test]
    fn refunds_lower_spend_and_points_but_are_not_purchases() {
        let p = Policy::default().tiers;
        let a = fold(
            &p,
            1,
            &[
                (0, "2026-01-10", Sale, 1_000, None),
                (0, "2026-02-01", Sale, -1_005, None),
                (0, "2026-03-01", Repair, 0, None),
            ],
        );
        assert_eq!(a[0].spend(), Cents(-5));
        assert_eq!(a[0].sales, 1);
        assert_eq!(a[0].points, 0, "10 earned, 10 taken back (10.05 truncated)");
        assert_eq!(a[0].last_sale, Some(d("2026-01-10")));
        assert_eq!(a[0].last_visit, Some(d("2026-03-01")));

        let mut bench = Policy::default().tiers;
        bench.purchases = Purchases::AllSales;
        let a = fold(
            &bench,
            1,
            &[
                (0, "2026-01-10", Sale, 1_000, None),
                (0, "2026-02-01", Sale, -1_005, None),
            ],
        );
        assert_eq!((a[0].sales, a[0].last_sale), (2, Some(d("2026-02-01"))));
    }

    #[test]
    fn tier_window_excludes_the_day_exactly_window_days_ago() {
        let mut p = Policy::default().tiers;
        p.window = TierWindow::Last(crate::policy::Days::of(730));
        let a = fold(
            &p,
            2,
            &[
                (0, "2024-11-22", Sale, 100, None),
                (1, "2024-11-23", Sale, 100, None),
            ],
        );
        assert_eq!((a[0].spend(), a[0].sales, a[0].sales_2y), (Cents(0), 0, 0));
        assert_eq!(
            (a[1].spend(), a[1].sales, a[1].sales_2y),
            (Cents(100), 1, 1)
        );
    }

    #[test]
    fn lifecycle_boundaries_90_91_180_181() {
        let p = Policy::default().tiers;
        let s = run(
            &p,
            5,
            &[
                (0, "2026-08-24", Repair, 0, None),
                (1, "2026-08-23", Sale, 500, None),
                (2, "2026-05-26", Sale, 500, None),
                (3, "2026-05-25", Sale, 500, None),
            ],
        );
        let l: Vec<Lifecycle> = s.iter().map(|s| s.lifecycle).collect();
        assert_eq!(
            l,
            [
                Lifecycle::Active,
                Lifecycle::Sleeping,
                Lifecycle::Sleeping,
                Lifecycle::Lost,
                Lifecycle::None
            ]
        );
        assert_eq!(s[0].days_since_visit.get(), Some(90));
        assert_eq!(s[4].days_since_visit.get(), None);
        assert_eq!(s[0].segment, Segment::None, "service only: never bought");
    }

    #[test]
    fn churn_is_no_purchase_in_the_last_365_days() {
        let p = Policy::default().tiers;
        let s = run(
            &p,
            3,
            &[
                (0, "2025-11-22", Sale, 500, None),
                (1, "2025-11-23", Sale, 500, None),
            ],
        );
        assert!(s[0].churned);
        assert!(!s[1].churned);
        assert!(!s[2].churned, "never bought: not churned");
    }

    #[test]
    fn segments_first_match_wins() {
        let p = Policy::default().tiers;
        // 10 customers so top10 is rank − 1 ≥ 8.1, i.e. only the highest points.
        let mut rows = vec![];
        // C0: 4 purchases in 2 years and the most points → upgrade
        for m in ["2025-01-01", "2025-06-01", "2026-01-01", "2026-06-01"] {
            rows.push((0, m, Sale, 10_000_000, None));
        }
        // C1: 4 small purchases → stable
        for m in ["2025-01-01", "2025-06-01", "2026-01-01", "2026-06-01"] {
            rows.push((1, m, Sale, 100, None));
        }
        // C2: first purchase 364 days ago → new; C3: exactly 365 days ago → abandon
        rows.push((2, "2025-11-23", Sale, 100, None));
        rows.push((3, "2025-11-22", Sale, 100, None));
        let s = run(&p, 10, &rows);
        assert_eq!(s[0].segment, Segment::Upgrade);
        assert_eq!(s[1].segment, Segment::Stable);
        assert_eq!(s[2].segment, Segment::New);
        assert_eq!(s[3].segment, Segment::Abandon);
        assert_eq!(s[4].segment, Segment::None);
    }

    #[test]
    fn segment_boundaries_frequency_and_top_ten_percent() {
        let p = Policy::default().tiers;
        // 11 customers: top10 is rank − 1 ≥ 0.9 × 10 = 9, the two highest point balances.
        let mut rows = vec![];
        // C0: 4 purchases in the window (2 a year) and the most points: upgrade.
        // C1: 3 purchases (1.5 a year) and the second-most points: not frequent, first
        //     purchase over a year ago: abandon (top, but bought within 2 years).
        for m in ["2025-01-01", "2025-06-01", "2026-01-01", "2026-06-01"] {
            rows.push((0, m, Sale, 10_000_000, None));
        }
        for m in ["2025-01-01", "2025-06-01", "2026-01-01"] {
            rows.push((1, m, Sale, 9_000_000, None));
        }
        // C2: the third-most points, 4 purchases: stable, not upgrade (rank − 1 = 8 < 9).
        for m in ["2025-02-01", "2025-07-01", "2026-02-01", "2026-07-01"] {
            rows.push((2, m, Sale, 100_000, None));
        }
        for c in 3..11 {
            rows.push((c, "2025-01-01", Sale, 100 * c as i128, None));
        }
        let s = run(&p, 11, &rows);
        assert_eq!(s[0].segment, Segment::Upgrade);
        assert_eq!(s[1].segment, Segment::Abandon);
        assert_eq!(s[2].segment, Segment::Stable);
    }

    #[test]
    fn retain_is_top_points_without_a_purchase_in_two_years_and_shows_the_clearing_date() {
        let p = Policy::default().tiers;
        let s = run(
            &p,
            10,
            &[
                (0, "2024-08-31", Sale, 100_000_000, None),
                (1, "2024-11-23", Sale, 100, None),
            ],
        );
        assert_eq!(s[0].segment, Segment::Retain);
        // 2024-08-31 + 730 days = 2026-08-31, + 6 months = 2027-02-28 (clamped)
        assert_eq!(s[0].points_clear_on, Some(d("2027-02-28")));
        assert_eq!(
            s[1].segment,
            Segment::Abandon,
            "a purchase 729 days ago is inside the window"
        );
        assert_eq!(s[1].points_clear_on, None);
    }

    /// `due --owner`: the other customers' rows folded for their points alone rank the
    /// listed ones as the whole fold does. Customer 0 kept no purchase in two years: top
    /// by points it is `retain`, and it is top only while the others' points are left out.
    #[test]
    fn points_folded_apart_rank_the_listed_customers_as_the_whole_fold_does() {
        let p = Policy::default().tiers;
        let mut rows = vec![(0, "2024-08-31", Sale, 50_000_000, None)];
        // Customer 1 (listed) was referred by 5 (not listed) and referred 6 (not listed).
        rows.push((5, "2026-05-01", Sale, 100, Some(1)));
        for c in 1..10 {
            rows.push((c, "2026-06-01", Sale, 10_000_000 * i128::from(c), None));
            rows.push((c, "2026-07-01", Sale, -100, None));
            rows.push((c, "2026-07-02", Repair, 0, None));
        }
        let ids: Vec<String> = (0..10).map(|i| format!("C{i:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let tiering = |listed: &dyn Fn(u32) -> bool, apart: bool| {
            let mut f = ActivityFold::new(&p, d(T), 10);
            if apart {
                f = f.with_points_apart();
            }
            for row in &rows {
                match listed(row.0) {
                    true => f.add(&order(row)),
                    false if apart => f.add_points(&order(row)),
                    false => {}
                }
            }
            Tiering::from_fold(f, &ids, &p, &[]).unwrap()
        };
        let whole = tiering(&|_| true, false);
        let apart = tiering(&|c| c < 2, true);
        let left_out = tiering(&|c| c < 2, false);
        assert_eq!(whole.standings[0].segment, Segment::Abandon);
        assert_eq!(
            left_out.standings[0].segment,
            Segment::Retain,
            "the test can fail"
        );
        for c in 0..2 {
            assert_eq!(apart.standings[c], whole.standings[c], "customer {c}");
            assert_eq!(apart.activities[c], whole.activities[c], "customer {c}");
        }
        for c in 0..10 {
            assert_eq!(apart.activities[c].points, whole.activities[c].points);
        }
        assert_eq!(apart.activities[5].spend_cents, 0, "only the points");
        assert_eq!(
            apart.activities[1].referrals, 1,
            "the referral of an unlisted customer"
        );
    }

    #[test]
    fn care_goal_is_a_repeat_purchase_or_a_referral() {
        let p = Policy::default().tiers;
        let s = run(
            &p,
            3,
            &[
                (0, "2026-01-01", Sale, 100, None),
                (0, "2026-02-01", Sale, 100, None),
                (2, "2026-03-01", Sale, 100, Some(1)),
            ],
        );
        assert_eq!(
            s.iter().map(|s| s.care_goal_met).collect::<Vec<_>>(),
            [true, true, false]
        );
    }

    #[test]
    fn totals_beyond_64_bits_are_reported_not_wrapped() {
        let p = Policy::default().tiers;
        let mut f = ActivityFold::new(&p, d(T), 1);
        let big = Order {
            order_id: "O",
            customer: 0,
            date: d("2026-01-01"),
            kind: Sale,
            amount: Cents(i64::MAX as i128 - 10),
            profit: Cents(0),
            outcome: None,
            referred_by: None,
            line: 0,
        };
        f.add(&big);
        assert_eq!(f.overflowed(), None);
        f.add(&big);
        assert_eq!(
            f.overflowed(),
            Some(Overflow {
                customer: 0,
                total: Total::Spend
            })
        );
        assert_eq!(
            f.activities[0].spend_cents,
            i64::MAX - 10,
            "the overflowing row is not added"
        );
    }

    proptest::proptest! {
        #[test]
        fn points_in_64_bits_are_the_128_bit_answer(
            cents in proptest::prop_oneof![
                -1_000_000_000i128..1_000_000_000,
                proptest::num::i128::ANY,
                (i64::MIN as i128)..=(i64::MAX as i128),
            ],
            num in proptest::prop_oneof![1i128..1_000, proptest::num::i128::ANY],
            scale in 0u32..30,
        ) {
            let den = 100 * 10i128.pow(scale);
            let wide = cents.checked_mul(num).and_then(|p| i64::try_from(p / den).ok());
            proptest::prop_assert_eq!(points(cents, num, den), wide);
        }

        /// The selection finds the top exactly where the ranks put it, ties and every
        /// percent rank from 0 to 1 included (the classification tests it one way and
        /// the card the other).
        #[test]
        fn the_top_by_selection_is_the_top_by_rank(
            points in proptest::collection::vec(
                proptest::prop_oneof![0i64..6, proptest::num::i64::ANY],
                0..60,
            ),
            hundredths in 0i64..=100,
        ) {
            let mut p = Policy::default().tiers;
            p.segments.top_rank = Decimal::new(hundredths, 2);
            let tests = SegmentTests::new(&p, d(T), points.len());
            let top = tests.top_points(points.iter().copied());
            let below = ranks_below(points.iter().copied());
            for (i, &v) in points.iter().enumerate() {
                proptest::prop_assert_eq!(top.holds(v), tests.is_top(below[i]), "customer {}", i);
            }
        }
    }

    #[test]
    fn points_at_a_rate_of_many_digits_on_a_huge_sale_are_reported_not_a_panic() {
        let mut p = Policy::default().tiers;
        // 28 significant digits: times ~9e18 cents it leaves 128 bits.
        p.points_per_unit =
            Decimal::from_i128_with_scale(9_999_999_999_999_999_999_999_999_999, 20);
        let mut f = ActivityFold::new(&p, d(T), 1);
        f.add(&Order {
            order_id: "O",
            customer: 0,
            date: d("2026-01-01"),
            kind: Sale,
            amount: Cents(i64::MAX as i128),
            profit: Cents(0),
            outcome: None,
            referred_by: None,
            line: 0,
        });
        assert_eq!(
            f.overflowed(),
            Some(Overflow {
                customer: 0,
                total: Total::Points
            })
        );
        assert_eq!(f.activities[0].points, 0);
    }

    #[test]
    fn movement_between_periods() {
        assert_eq!(Movement::between(Some(0), Some(1)), Movement::Up);
        assert_eq!(Movement::between(Some(2), Some(1)), Movement::Down);
        assert_eq!(Movement::between(Some(1), Some(1)), Movement::Same);
        assert_eq!(Movement::between(Some(1), None), Movement::New);
        assert_eq!(Movement::between(None, Some(1)), Movement::Gone);
    }

    #[test]
    fn percent_ranks_share_the_lowest_rank() {
        assert_eq!(ranks_below([5, 1, 5, 3]), [2, 0, 2, 1]);
        assert_eq!(ranks_below(Vec::<i32>::new()), Vec::<u32>::new());
        assert_eq!(ranks_below([7, 7, 7]), [0, 0, 0]);
        assert_eq!(ranks_below([-1i64, 9, -5, 9, 0]), [1, 3, 0, 3, 2]);
    }

    #[test]
    fn thresholds_round_up_to_the_whole_number_a_count_must_reach() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(whole_at_least(dec("0")), Some(0));
        assert_eq!(whole_at_least(dec("-3.5")), Some(0));
        assert_eq!(whole_at_least(dec("2")), Some(2));
        assert_eq!(whole_at_least(dec("2.0000001")), Some(3));
        assert_eq!(whole_at_least(dec("899999.1")), Some(900_000));
        assert_eq!(whole_at_least(dec("18446744073709551615")), Some(u64::MAX));
        assert_eq!(whole_at_least(dec("18446744073709551615.5")), None);
    }

    fn score_policy() -> TierPolicy {
        let text = "[tiers]\nmethod = \"score\"\n\
            [[tiers.levels]]\nname = \"A\"\nshare = 0.005\n\
            [[tiers.levels]]\nname = \"B\"\nshare = 0.01\n\
            [[tiers.levels]]\nname = \"C\"\nshare = 0.05\n\
            [[tiers.levels]]\nname = \"D\"\n";
        Policy::parse(text, "p").unwrap().tiers
    }

    #[test]
    fn score_shares_round_half_up_on_cumulative_counts() {
        // N = 100: A = round(0.5) = 1 customer, B up to round(1.5) = 2, C up to round(6.5) = 7.
        let p = score_policy();
        let rows: Vec<_> = (0..100u32)
            .map(|i| (i, "2026-01-01", Sale, (i as i128 + 1) * 100, None))
            .collect();
        let s = run(&p, 100, &rows);
        assert_eq!(s[99].tier, 0);
        assert_eq!(s[98].tier, 1);
        assert_eq!(s[93].tier, 2);
        assert_eq!(s[92].tier, 3);
        // Equal sales counts rank alike (percent rank 0), so the top score is 40 + 40.
        assert_eq!(s[99].score(), Some(Decimal::new(8000, 2)));
        assert_eq!(s[0].score(), Some(Decimal::new(0, 2)));
    }

    #[test]
    fn equal_scores_are_ordered_by_customer_id() {
        let p = score_policy();
        // all alike: one A by share (round(2 × 0.005) = 0 → no A), ordering by id decides B.
        let s = run(
            &p,
            2,
            &[
                (0, "2026-01-01", Sale, 100, None),
                (1, "2026-01-01", Sale, 100, None),
            ],
        );
        // round(2·0.005)=0, round(2·0.015)=0, round(2·0.065)=0: both D
        assert_eq!((s[0].tier, s[1].tier), (3, 3));
        let n = 200;
        let rows: Vec<_> = (0..n).map(|i| (i, "2026-01-01", Sale, 100, None)).collect();
        let s = run(&p, n as usize, &rows);
        // N = 200: A = 1 (the lowest id), B up to 3, C up to 13.
        assert_eq!(s[0].tier, 0);
        assert_eq!((s[1].tier, s[2].tier, s[3].tier), (1, 1, 2));
        assert_eq!((s[12].tier, s[13].tier), (2, 3));
    }

    #[test]
    fn a_single_customer_scores_zero_and_is_not_top() {
        let p = score_policy();
        let s = run(&p, 1, &[(0, "2024-01-01", Sale, 100_000_000, None)]);
        assert_eq!(s[0].score(), Some(Decimal::new(0, 2)));
        assert_eq!(s[0].segment, Segment::Abandon);
    }

    #[test]
    fn summary_lists_every_tier_with_shares() {
        let p = Policy::default().tiers;
        let acts = fold(
            &p,
            4,
            &[
                (0, "2026-01-01", Sale, 30_000_000, None),
                (1, "2026-01-01", Sale, 10_000, None),
                (2, "2025-01-01", Sale, 5_000, None),
            ],
        );
        let ids = vec!["a", "b", "c", "d"];
        let s = classify(&acts, &ids, &p, d(T));
        let sum = summarize(&acts, &s, 5);
        assert_eq!(sum.len(), 5);
        assert_eq!(sum[2].customers, 1);
        // 300000 of 300150: 0.99950… rounds half-up to 0.9995
        assert_eq!(sum[2].spend_share, Some(Decimal::new(9_995, 4)));
        assert_eq!(sum[0].customers, 0);
        assert_eq!(sum[0].spend_share, Some(Decimal::new(0, 4)));
        assert_eq!(sum[1].churn_rate, None);
        assert_eq!(sum[4].customers, 3);
        assert_eq!(sum[4].churned, 1);
        assert_eq!(sum[4].churn_rate, Some(Decimal::new(3_333, 4)));
        assert_eq!(sum[4].customer_share, Some(Decimal::new(7_500, 4)));
        // Refunds outweighing the sales: a total below zero has no shares, as zero has none.
        for refund in [-20_000, -10_000] {
            let acts = fold(
                &p,
                2,
                &[
                    (0, "2026-01-01", Sale, 10_000, None),
                    (1, "2026-02-01", Sale, refund, None),
                ],
            );
            let s = classify(&acts, &vec!["a", "b"], &p, d(T));
            let sum = summarize(&acts, &s, 5);
            assert_eq!(sum[4].customers, 2);
            assert!(sum.iter().all(|r| r.spend_share.is_none()), "{refund}");
        }
    }

    // ---- the card's readings (§3.10)

    fn gap(policy: &TierPolicy, acts: &[Activity], i: usize) -> TierGap {
        let ids: Vec<String> = (0..acts.len()).map(|i| format!("C{i:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let s = classify(acts, &ids, policy, d(T));
        tier_gap(acts, &ids, policy, i, s[i].computed_tier)
    }

    #[test]
    fn the_next_tier_gap_at_an_exact_threshold() {
        let p = Policy::default().tiers;
        let acts = fold(
            &p,
            4,
            &[
                (0, "2026-01-01", Sale, 99_999_999, None),
                (1, "2026-01-01", Sale, 100_000_000, None),
                (2, "2026-01-01", Sale, 49_999_999, None),
            ],
        );
        assert_eq!(
            gap(&p, &acts, 0).next,
            NextTier::Spend {
                tier: 0,
                needs: Cents(1)
            },
            "999,999.99 is 0.01 short of Diamond"
        );
        assert_eq!(
            gap(&p, &acts, 1).next,
            NextTier::Top,
            "nothing above Diamond"
        );
        assert_eq!(
            gap(&p, &acts, 2).next,
            NextTier::Spend {
                tier: 1,
                needs: Cents(1)
            },
            "499,999.99 is 0.01 short of Platinum, not of Diamond"
        );
        assert_eq!(
            gap(&p, &acts, 3).next,
            NextTier::Spend {
                tier: 3,
                needs: Cents(10_000_000)
            },
            "nothing bought: the whole of D's threshold"
        );
        assert_eq!(
            gap(&p, &acts, 0).place,
            None,
            "no position in the spend method"
        );
    }

    #[test]
    fn the_score_methods_position_and_class_cut() {
        let p = score_policy();
        // N = 200, all alike: positions go by id; A holds position 1, B 2–3, C 4–13.
        let rows: Vec<_> = (0..200)
            .map(|i| (i, "2026-01-01", Sale, 100, None))
            .collect();
        let acts = fold(&p, 200, &rows);
        let g = gap(&p, &acts, 0);
        assert_eq!(g.place.map(|pl| (pl.position, pl.of)), Some((1, 200)));
        assert_eq!(g.next, NextTier::Top);
        let g = gap(&p, &acts, 3);
        assert_eq!(g.place.map(|pl| pl.position), Some(4));
        assert_eq!(
            g.next,
            NextTier::Share {
                tier: 1,
                first: 2,
                last: 3
            },
            "C's first position: B above it ends at 3"
        );
        let g = gap(&p, &acts, 13);
        assert_eq!(g.place.map(|pl| pl.position), Some(14));
        assert_eq!(
            g.next,
            NextTier::Share {
                tier: 2,
                first: 4,
                last: 13
            },
            "the first D: C ends at 13"
        );
        // Every position agrees with the class the tiering gave.
        let ids: Vec<String> = (0..200).map(|i| format!("C{i:03}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let s = classify(&acts, &ids, &p, d(T));
        let Method::Score {
            classes: Classes::Shares(shares),
            ..
        } = &p.method
        else {
            unreachable!()
        };
        let cutoffs = share_cutoffs(200, shares);
        for i in [0usize, 1, 2, 3, 12, 13, 199] {
            let pos = gap(&p, &acts, i).place.unwrap().position;
            assert_eq!(share_class(pos, &cutoffs), s[i].tier, "customer {i}");
        }
    }

    #[test]
    fn a_class_that_holds_nobody_is_said_so() {
        // N = 2: round(2 × 0.005) = 0 and round(2 × 0.015) = 0: A and B hold nobody.
        let p = score_policy();
        let acts = fold(
            &p,
            2,
            &[
                (0, "2026-01-01", Sale, 500, None),
                (1, "2026-01-01", Sale, 100, None),
            ],
        );
        let g = gap(&p, &acts, 0);
        assert_eq!(g.place.map(|pl| pl.position), Some(1));
        assert_eq!(
            g.next,
            NextTier::Share {
                tier: 2,
                first: 1,
                last: 0
            }
        );
    }

    #[test]
    fn the_score_bounds_say_what_the_score_is_short_of() {
        let text = "[tiers]\nmethod = \"score\"\n\
            [[tiers.levels]]\nname = \"A\"\nmin_score = 80\n\
            [[tiers.levels]]\nname = \"B\"\nmin_score = 40\n\
            [[tiers.levels]]\nname = \"C\"\n";
        let p = Policy::parse(text, "p").unwrap().tiers;
        // Five customers, sales counts alike: scores 0, 20, 40, 60, 80 (of 80 at most).
        let rows: Vec<_> = (0..5u32)
            .map(|i| (i, "2026-01-01", Sale, (i as i128 + 1) * 100, None))
            .collect();
        let acts = fold(&p, 5, &rows);
        let g = gap(&p, &acts, 3);
        assert_eq!(
            g.place.map(|pl| (pl.position, pl.score)),
            Some((2, Decimal::from(60)))
        );
        assert_eq!(
            g.next,
            NextTier::MinScore {
                tier: 0,
                min_score: Decimal::from(80),
                needs: Decimal::from(20)
            }
        );
        assert_eq!(gap(&p, &acts, 4).next, NextTier::Top, "exactly 80 is A");
    }

    #[test]
    fn the_lifecycle_turns_on_the_first_day_past_each_bound() {
        let p = Policy::default().tiers;
        let life = &p.lifecycle;
        let visit = d("2026-08-24");
        let (sleeping, lost) = lifecycle_turns(visit, life);
        assert_eq!(sleeping, d("2026-11-23"), "visit + 90 + 1");
        assert_eq!(lost, d("2027-02-21"), "visit + 180 + 1");
        let on = |day: NaiveDate| lifecycle(Some((day - visit).num_days() as i32), life);
        assert_eq!(on(d("2026-11-22")), Lifecycle::Active, "90 days");
        assert_eq!(on(sleeping), Lifecycle::Sleeping, "91 days");
        assert_eq!(on(d("2027-02-20")), Lifecycle::Sleeping, "180 days");
        assert_eq!(on(lost), Lifecycle::Lost, "181 days");
        // And as classify sees it, as of each of those days.
        for (as_of, want) in [
            ("2026-11-22", Lifecycle::Active),
            ("2026-11-23", Lifecycle::Sleeping),
            ("2027-02-20", Lifecycle::Sleeping),
            ("2027-02-21", Lifecycle::Lost),
        ] {
            let mut f = ActivityFold::new(&p, d(as_of), 1);
            f.add(&Order {
                order_id: "O",
                customer: 0,
                date: visit,
                kind: Repair,
                amount: Cents(0),
                profit: Cents(0),
                outcome: None,
                referred_by: None,
                line: 0,
            });
            let s = classify(&f.activities, &vec!["C"], &p, d(as_of));
            assert_eq!(s[0].lifecycle, want, "{as_of}");
        }
    }

    /// At the size where the sorts take both cores, ranks and the list's order are the
    /// single sort's, ties (few distinct values) and all.
    #[test]
    fn ranks_and_the_list_order_on_both_cores_are_the_single_sorts() {
        let n = crate::pipeline::HALVES_FROM + 1;
        let acts: Vec<Activity> = (0..n)
            .map(|i| Activity {
                spend_cents: (i as i64 * 7919) % 13 - 6,
                points: (i as i64 * 104_729) % 5,
                ..Activity::default()
            })
            .collect();
        let values: Vec<i64> = acts.iter().map(|a| a.points).collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let plain: Vec<u32> = values
            .iter()
            .map(|v| sorted.partition_point(|x| x < v) as u32)
            .collect();
        assert_eq!(ranks_below(values.iter().copied()), plain);

        let standings: Vec<Standing> = (0..n)
            .map(|i| Standing {
                tier: (i % 3) as u16,
                computed_tier: 0,
                segment: Segment::None,
                lifecycle: Lifecycle::None,
                churned: false,
                care_goal_met: false,
                score_centi: Centi::new(None),
                days_since_visit: DaysSince::new(None),
                points_clear_on: None,
            })
            .collect();
        let mut keys: Vec<(u16, std::cmp::Reverse<i64>, u32)> = (0..n)
            .map(|i| {
                (
                    standings[i].tier,
                    std::cmp::Reverse(acts[i].spend_cents),
                    i as u32,
                )
            })
            .collect();
        keys.sort();
        let want: Vec<u32> = keys.into_iter().map(|k| k.2).collect();
        assert_eq!(list_order(&acts, &standings), want);
    }

    #[test]
    fn one_customers_rank_is_the_rank_of_all() {
        let values = [5i64, 1, 5, 3, -2, 9, 9, 0];
        let all = ranks_below(values);
        for (i, v) in values.iter().enumerate() {
            assert_eq!(rank_below(values, v), all[i], "{i}");
        }
    }

    #[test]
    fn the_segment_reasons_are_the_tests_the_segment_came_from() {
        let p = Policy::default().tiers;
        let mut rows = vec![];
        for m in ["2025-01-01", "2025-06-01", "2026-01-01", "2026-06-01"] {
            rows.push((0, m, Sale, 10_000_000, None));
            rows.push((1, m, Sale, 100, None));
        }
        rows.push((2, "2025-11-23", Sale, 100, None));
        rows.push((3, "2025-11-22", Sale, 100, None));
        // 11 customers: top is rank − 1 ≥ 0.9 × 10 = 9, the two highest balances (C0, C4).
        rows.push((4, "2024-08-31", Sale, 9_000_000, None));
        let acts = fold(&p, 11, &rows);
        let ids: Vec<&str> = vec!["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
        let s = classify(&acts, &ids, &p, d(T));
        let segments: Vec<Segment> = s.iter().map(|s| s.segment).collect();
        assert_eq!(
            &segments[..6],
            [
                Segment::Upgrade,
                Segment::Stable,
                Segment::New,
                Segment::Abandon,
                Segment::Retain,
                Segment::None
            ]
        );
        let tests = SegmentTests::new(&p, d(T), 11);
        for i in 0..11 {
            let r = segment_reasons(&acts, &p, d(T), i);
            assert_eq!(
                tests.segment(&acts[i], r.top).0,
                s[i].segment,
                "customer {i}"
            );
        }
        let r = segment_reasons(&acts, &p, d(T), 0);
        assert_eq!(r.purchases_a_year, Decimal::from(2));
        assert!(r.frequent && r.top && r.bought_in_window);
        assert_eq!(
            r.points_rank,
            Decimal::ONE,
            "the most points: 10 of 10 below"
        );
        let r = segment_reasons(&acts, &p, d(T), 4);
        assert!(!r.frequent && r.top && !r.bought_in_window && !r.recent);
        assert_eq!(r.points_rank, Decimal::new(9, 1));
    }
}
