//! The policy (`config/policy.toml`), resolved: every rule of docs/rules.md with the value
//! a company chose, in types that say what it means. A due rule's trigger is an enum
//! ([`Trigger::Sale`], [`Trigger::Service`], …) holding exactly what that trigger needs;
//! holidays are dates parsed once; every number is bounded ([`Days`], [`Months`],
//! [`Hours`], and the limits below). Nothing downstream decides a default again.
//!
//! Reading is two steps, as ripgrep turns its low-level arguments into high-level ones:
//! [`raw`] reads the TOML as written, keeping every key's line and noting every wrong
//! type or unknown key without stopping; [`resolve`] turns that into a [`Policy`] by one
//! `TryFrom`, collecting every rule that does not hold. A run lists all problems at once.

pub mod raw;
mod resolve;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::Problems;
use crate::model::{Order, OrderKind};
use crate::parse::Cents;

// ---- bounds (docs/rules.md §8: each is far past what a company uses, and keeps every
// ---- date, sum and product the rules compute inside its type)

/// Whole days, at most a century ([`Days::MAX`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Days(u32);

/// Whole calendar months, at most a century ([`Months::MAX`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Months(u32);

/// Whole hours, at most a century ([`Hours::MAX`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hours(u32);

/// A bounded span of whole units, for reading any of them the same way.
pub(crate) trait Span: Copy {
    const MAX: u32;
    const UNIT: &'static str;
    fn new(n: u32) -> Option<Self>;
}

macro_rules! span_unit {
    ($t:ident, $max:expr, $what:expr) => {
        impl $t {
            /// The longest span a policy may give.
            pub const MAX: u32 = $max;
            /// What one unit is called in messages.
            pub const UNIT: &'static str = $what;

            /// `n`, when it is within the bound.
            pub const fn new(n: u32) -> Option<$t> {
                if n <= Self::MAX {
                    Some($t(n))
                } else {
                    None
                }
            }

            /// A span written in code (the defaults); more than the bound is a bug.
            pub(crate) const fn of(n: u32) -> $t {
                assert!(n <= Self::MAX, "a span past its bound");
                $t(n)
            }

            pub const fn get(self) -> u32 {
                self.0
            }
        }

        impl From<$t> for u32 {
            fn from(v: $t) -> u32 {
                v.0
            }
        }

        impl Span for $t {
            const MAX: u32 = $max;
            const UNIT: &'static str = $what;
            fn new(n: u32) -> Option<$t> {
                $t::new(n)
            }
        }
    };
}

span_unit!(Days, 36_525, "days");
span_unit!(Months, 1_200, "months");
span_unit!(Hours, 876_600, "hours");

/// Decimal places a share, weight, target, rank or rate may have.
pub const MAX_PLACES: u32 = 6;
/// Points at stake on one KPI.
pub const MAX_KPI_WEIGHT: i64 = 10_000;
/// Points earned per currency unit.
pub const MAX_POINTS_PER_UNIT: i64 = 10_000;
/// Purchases a year that make a customer frequent.
pub const MAX_PER_YEAR: i64 = 10_000;
/// Purchases or referrals the care goal may ask for.
pub const MAX_COUNT: u32 = 1_000_000;
/// Tiers a policy may have.
pub const MAX_TIERS: usize = 100;
/// The largest spend threshold: the largest total a customer can have (64-bit cents).
pub const MAX_MIN_SPEND: Cents = Cents(i64::MAX as i128);

// ---- the policy

/// The whole policy, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Header names in the files, per contract column, for exports whose headers differ
    /// (`[columns.customers] customer_id = "客户编号"`).
    pub columns: Columns,
    /// How the data files are read (§1.1).
    pub input: InputPolicy,
    /// How strictly the data is held to the contract.
    pub validation: Validation,
    /// Tiers, segments, points, lifecycle (docs/rules.md §3).
    pub tiers: TierPolicy,
    /// The service scorecard (§6).
    pub kpi: KpiPolicy,
    /// The call list (§5).
    pub due: DuePolicy,
    /// Where each key was written, for problems the data reveals later (a points rate
    /// that makes a total overflow names its line).
    pub origin: Origin,
    /// What the policy says that does not stop a run but must not pass unsaid (a retired
    /// key, a lunar day some years lack), each with its line.
    pub warnings: Vec<crate::error::Problem>,
}

/// The lines of the keys a policy file gave (empty for the built-in defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    lines: BTreeMap<String, u64>,
}

impl Origin {
    /// The line of `key` (dotted, as in messages: `tiers.points_per_unit`), if given.
    pub fn line(&self, key: &str) -> Option<u64> {
        self.lines.get(key).copied()
    }
}

/// Header renames per file: contract column name → the header used in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub customers: BTreeMap<String, String>,
    pub orders: BTreeMap<String, String>,
    pub complaints: BTreeMap<String, String>,
    pub contacts: BTreeMap<String, String>,
}

/// `[input]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputPolicy {
    /// The encoding of the data files: detected (the default) or given; `--encoding`
    /// wins over it (§1.1).
    pub encoding: crate::load::encoding::Encoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    /// What to do with an order or complaint naming a customer not in customers.csv.
    pub unknown_customer: UnknownCustomer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownCustomer {
    /// Report it with its line and stop (the default).
    Error,
    /// Leave the row out and warn with a count.
    Skip,
}

// ---- tiers

/// How customers are tiered, segmented and counted (docs/rules.md §3).
#[derive(Debug, Clone, PartialEq)]
pub struct TierPolicy {
    /// Spend thresholds or a weighted score, with what each needs.
    pub method: Method,
    /// Tiers from the top down (at least two); the last is the floor.
    pub levels: Vec<Level>,
    /// Which sales count toward spend, profit and purchases.
    pub window: TierWindow,
    /// Which sale rows are purchases for the tier figures (§2.2).
    pub purchases: Purchases,
    /// Points earned per currency unit of a sale, truncated toward zero per row.
    pub points_per_unit: Decimal,
    pub lifecycle: Lifecycle,
    pub segments: Segments,
    /// Bought before, but no purchase in this many days: churned.
    pub churn_days: Days,
    pub care_goal: CareGoal,
}

/// How tiers are assigned.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Cumulative spend against thresholds (§3.1): `min_spend[i]` is tier `i`'s lower
    /// bound, inclusive, descending; one per tier above the floor.
    Spend { min_spend: Vec<Cents> },
    /// A weighted percent-rank score (§3.2), classes by share of customers or by score.
    Score {
        weights: ScoreWeights,
        classes: Classes,
    },
}

/// The score method's classes, one value per tier above the floor.
#[derive(Debug, Clone, PartialEq)]
pub enum Classes {
    /// Each class's share of customers (0.005 = 0.5 %); the floor takes the rest.
    Shares(Vec<Decimal>),
    /// Each class's lower bound of the score (0–100), inclusive, descending.
    MinScores(Vec<Decimal>),
}

/// The weights of the score (adding up to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreWeights {
    pub spend: Decimal,
    pub profit: Decimal,
    pub sales: Decimal,
}

/// One tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub name: String,
    /// The name shown beside it (钻石会员).
    pub label: Option<String>,
    /// In the care plan: the key accounts that rules and KPIs reach with
    /// `tiers = ["care_plan"]` (§5.3).
    pub care_plan: bool,
}

/// The sales that count toward spend, profit and purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierWindow {
    AllTime,
    /// The last N days (`T − N < date ≤ T`).
    Last(Days),
}

/// Which sale rows are purchases (`refunds_are_purchases`, §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchases {
    /// A refund (a sale with a negative amount) is not a purchase: the default.
    KeptSales,
    /// Every sale row is a purchase, refunds included (the benchmark workload's SQL).
    AllSales,
}

impl Purchases {
    /// Whether `order` is a purchase under this reading: the one home of the refund rule.
    #[inline]
    pub fn includes(self, order: &Order<'_>) -> bool {
        order.kind == OrderKind::Sale && (self == Purchases::AllSales || !order.is_refund())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// Days since the last visit up to which a customer is active.
    pub active_days: Days,
    /// … and sleeping (at least `active_days`); beyond it, lost.
    pub sleeping_days: Days,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segments {
    /// The frequency window (at least a day).
    pub window_days: Days,
    /// Purchases a year from which a customer is `stable` (and `upgrade` if top).
    pub min_per_year: Decimal,
    /// The percent rank of points from which a customer is in the top (0.90 = top 10 %).
    pub top_rank: Decimal,
    /// A first purchase within this many days makes a customer `new`.
    pub new_days: Days,
    /// Months a `retain` customer keeps points after the window ends.
    pub retain_months: Months,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CareGoal {
    /// Purchases in the tier window that meet the goal (2 = one repeat purchase).
    pub min_sales: u32,
    /// Referrals that meet the goal.
    pub min_referrals: u32,
}

// ---- the scorecard

/// The monthly service scorecard (docs/rules.md §6).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiPolicy {
    pub scoring: Scoring,
    /// The KPIs, in the order the scorecard lists them.
    pub rules: Vec<KpiRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// weight × min(1, rate / target).
    Proportional,
    /// The weight if met, else 0.
    AllOrNothing,
}

/// One KPI of the scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRule {
    /// A short key, shown in the `kpi` column.
    pub name: String,
    /// What the scorecard calls it (empty when not given).
    pub label: String,
    pub measure: Measure,
    /// The rate to reach, a fraction above 0 and at most 1.
    pub target: Decimal,
    /// Points at stake (0 to [`MAX_KPI_WEIGHT`]).
    pub weight: Decimal,
}

/// What a KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Order rows of the kind in the period, by their `outcome` column.
    Outcome(OrderKind),
    /// First-time fix read from repeat visits: a job of `kind` fails when the customer
    /// has another job of that kind within `window` days after it.
    RepeatVisit { kind: OrderKind, window: Days },
    /// Complaints opened in the period, closed by its end.
    ComplaintClosure,
    /// Complaints opened in the period, answered within the hours (inclusive).
    ComplaintResponse(Hours),
    /// Complaints opened in the period, closed within the hours (inclusive).
    ComplaintResolution(Hours),
}

impl Measure {
    /// The order kind the KPI counts, for the measures over order rows.
    pub fn kind(self) -> Option<OrderKind> {
        match self {
            Measure::Outcome(kind) | Measure::RepeatVisit { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

// ---- the call list

/// The daily call list (docs/rules.md §5).
#[derive(Debug, Clone, PartialEq)]
pub struct DuePolicy {
    /// Days an item stays listed after its due date when not logged done.
    pub grace: Days,
    /// The follow-up rules.
    pub rules: Vec<DueRule>,
    /// The holiday calendar of `holiday` rules.
    pub holidays: Vec<Holiday>,
}

/// One follow-up rule.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRule {
    /// The rule's name on the list and in contacts.csv (`callback-3d`).
    pub name: String,
    /// What makes an item, with its offsets.
    pub trigger: Trigger,
    pub channel: Channel,
    /// The tiers whose customers it reaches.
    pub tiers: TierSet,
    /// A switched-off rule makes no items (its name stays known to contacts.csv).
    pub enabled: bool,
}

/// What makes a follow-up item, and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// Each purchase, the offset after it.
    Sale(Offset),
    /// Each job of `kinds`: a window `from..=to` days after it.
    Service {
        from: Days,
        to: Days,
        kinds: Vec<OrderKind>,
    },
    /// The customer's birthday, every year.
    Birthday,
    /// The customer's anniversary, every year.
    Anniversary,
    /// Each holiday of the calendar.
    Holiday,
    /// Every so many months after the later of the last maintenance and the last purchase.
    Maintenance { every: Months },
    /// A complaint not yet answered: due this long after it was opened.
    ComplaintResponse(Hours),
    /// A complaint not yet closed: due this long after it was opened.
    ComplaintResolve(Hours),
    /// A closed complaint: so many days after it was closed.
    ComplaintRevisit(Days),
    /// A `retain` customer: so many days before the points are cleared.
    PointsExpiry(Days),
}

/// Days or calendar months after a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    Days(Days),
    /// Calendar months, clamped to the month's end (31 Jan + 1 = 28/29 Feb).
    Months(Months),
}

/// How a follow-up is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    Sms,
    Visit,
    Gift,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Phone, Channel::Sms, Channel::Visit, Channel::Gift];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Visit => "visit",
            Channel::Gift => "gift",
        }
    }
}

/// A set of tiers, by their index in the policy's levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSet {
    member: Vec<bool>,
}

impl TierSet {
    /// Every one of `tiers` tiers.
    pub fn all(tiers: usize) -> TierSet {
        TierSet {
            member: vec![true; tiers],
        }
    }

    /// The tiers `keep` says yes to.
    pub fn of(tiers: usize, keep: impl Fn(usize) -> bool) -> TierSet {
        TierSet {
            member: (0..tiers).map(keep).collect(),
        }
    }

    #[inline]
    pub fn contains(&self, tier: u16) -> bool {
        self.member.get(tier as usize).copied().unwrap_or(false)
    }
}

/// A holiday of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: String,
    pub date: HolidayDate,
}

/// When a holiday falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayDate {
    /// Once, on this date (2026-12-24).
    Fixed(NaiveDate),
    /// Every year on this month-day (10-01); a day past the month's end falls on its last.
    Yearly(MonthDay),
    /// Every year on this Chinese lunar month-day (8-15, or 12-last for 除夕), converted
    /// per year in the calendar's range (§5.2).
    Lunar(LunarMonthDay),
}

/// A day of an ordinary lunar month (not its leap repeat): `8-15`, or `12-last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarMonthDay {
    pub month: u32,
    pub day: crate::domain::lunar::LunarDay,
}

impl LunarMonthDay {
    /// Reads `M-D` (month 1–12, day 1–30) or `M-last`.
    pub fn parse(s: &str) -> Option<LunarMonthDay> {
        use crate::domain::lunar::LunarDay;
        let (m, d) = s.trim().split_once('-')?;
        let month = MonthDay::number(m).filter(|m| (1..=12).contains(m))?;
        let day = if d.eq_ignore_ascii_case("last") {
            LunarDay::Last
        } else {
            let day = MonthDay::number(d).filter(|d| (1..=30).contains(d))?;
            LunarDay::Day(day as u8)
        };
        Some(LunarMonthDay { month, day })
    }
}

/// A month (1–12) and a day (1–31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    /// Reads `MM-DD` or `M-D`.
    pub fn parse(s: &str) -> Option<MonthDay> {
        let (m, d) = s.trim().split_once('-')?;
        let (month, day) = (MonthDay::number(m)?, MonthDay::number(d)?);
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(MonthDay { month, day })
    }

    /// One or two plain digits.
    fn number(p: &str) -> Option<u32> {
        (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    }
}

/// The complaint deadlines the complaints view and the weekly notice use: the hours of
/// the first `complaint_response` and `complaint_resolve` due rules (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub respond: Hours,
    pub resolve: Hours,
}

// ---- the defaults: docs/rules.md, in one place

/// The 24 hours of the response and resolution targets (§7.1).
pub const DEFAULT_COMPLAINT_HOURS: Hours = Hours::of(24);
/// The repeat-visit window of first-time fix (§6.2).
pub const DEFAULT_REPEAT_DAYS: Days = Days::of(30);
/// The jobs a `service` rule follows when it names none (§5.1).
pub const DEFAULT_SERVICE_KINDS: [OrderKind; 2] = [OrderKind::Install, OrderKind::Repair];

impl Default for Policy {
    fn default() -> Self {
        let tiers = TierPolicy::default();
        let due = DuePolicy::default_for(tiers.levels.len());
        Policy {
            columns: Columns::default(),
            input: InputPolicy::default(),
            validation: Validation::default(),
            tiers,
            kpi: KpiPolicy::default(),
            due,
            origin: Origin::default(),
            warnings: Vec::new(),
        }
    }
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            unknown_customer: UnknownCustomer::Error,
        }
    }
}

impl Default for TierPolicy {
    fn default() -> Self {
        let level = |name: &str, label: &str, care_plan: bool| Level {
            name: name.into(),
            label: Some(label.into()),
            care_plan,
        };
        let units = |u: i128| Cents(u * 100);
        TierPolicy {
            method: Method::Spend {
                min_spend: vec![
                    units(1_000_000),
                    units(500_000),
                    units(300_000),
                    units(100_000),
                ],
            },
            levels: vec![
                level("Diamond", "钻石会员", true),
                level("Platinum", "白金会员", true),
                level("VIP", "VIP", false),
                level("D", "D", false),
                level("Member", "会员", false),
            ],
            window: TierWindow::AllTime,
            purchases: Purchases::KeptSales,
            points_per_unit: Decimal::ONE,
            lifecycle: Lifecycle::default(),
            segments: Segments::default(),
            churn_days: Days::of(365),
            care_goal: CareGoal::default(),
        }
    }
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            spend: Decimal::new(40, 2),
            profit: Decimal::new(40, 2),
            sales: Decimal::new(20, 2),
        }
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            active_days: Days::of(90),
            sleeping_days: Days::of(180),
        }
    }
}

impl Default for Segments {
    fn default() -> Self {
        Segments {
            window_days: Days::of(730),
            min_per_year: Decimal::from(2),
            top_rank: Decimal::new(90, 2),
            new_days: Days::of(365),
            retain_months: Months::of(6),
        }
    }
}

impl Default for CareGoal {
    fn default() -> Self {
        CareGoal {
            min_sales: 2,
            min_referrals: 1,
        }
    }
}

impl Default for KpiPolicy {
    fn default() -> Self {
        use OrderKind::*;
        let rule = |name: &str, label: &str, measure, target: i64, weight: i64| KpiRule {
            name: name.into(),
            label: label.into(),
            measure,
            target: Decimal::new(target, 2),
            weight: Decimal::from(weight),
        };
        let hours = DEFAULT_COMPLAINT_HOURS;
        KpiPolicy {
            scoring: Scoring::Proportional,
            rules: vec![
                rule(
                    "maintenance",
                    "保养服务合格率 maintenance service pass rate",
                    Measure::Outcome(Maintenance),
                    100,
                    5,
                ),
                rule(
                    "install",
                    "一次安装合格率 first-time installation pass rate",
                    Measure::Outcome(Install),
                    95,
                    5,
                ),
                rule(
                    "repair",
                    "一次维修合格率 first-time repair pass rate",
                    Measure::Outcome(Repair),
                    85,
                    5,
                ),
                rule(
                    "quality",
                    "产品质量合格率 product quality pass rate",
                    Measure::Outcome(Sale),
                    85,
                    5,
                ),
                rule(
                    "return_repair",
                    "返厂(二次)维修合格率 return-to-factory repair pass rate",
                    Measure::Outcome(ReturnRepair),
                    100,
                    5,
                ),
                rule(
                    "return_exchange",
                    "返厂(二次)退换货合格率 return-to-factory exchange pass rate",
                    Measure::Outcome(ReturnExchange),
                    100,
                    5,
                ),
                rule(
                    "complaint_closure",
                    "投诉关闭率 complaint closure rate",
                    Measure::ComplaintClosure,
                    100,
                    10,
                ),
                rule(
                    "response_24h",
                    "24小时响应率 24 h response rate",
                    Measure::ComplaintResponse(hours),
                    100,
                    0,
                ),
                rule(
                    "resolution_24h",
                    "24小时解决率 24 h resolution rate",
                    Measure::ComplaintResolution(hours),
                    100,
                    0,
                ),
            ],
        }
    }
}

impl DuePolicy {
    /// The default call list for a policy of `tiers` tiers (holidays go to all but the
    /// bottom one).
    pub fn default_for(tiers: usize) -> DuePolicy {
        use Channel::{Phone, Sms};
        let rule = |name: &str, trigger, channel| DueRule {
            name: name.into(),
            trigger,
            channel,
            tiers: TierSet::all(tiers),
            enabled: true,
        };
        let hours = DEFAULT_COMPLAINT_HOURS;
        let mut holiday = rule("holiday", Trigger::Holiday, Sms);
        holiday.tiers = TierSet::of(tiers, |t| t + 1 < tiers);
        let yearly = |month, day| HolidayDate::Yearly(MonthDay { month, day });
        let lunar = |month, day| {
            HolidayDate::Lunar(LunarMonthDay {
                month,
                day: crate::domain::lunar::LunarDay::Day(day),
            })
        };
        let h = |name: &str, date| Holiday {
            name: name.into(),
            date,
        };
        DuePolicy {
            grace: Days::of(14),
            rules: vec![
                rule(
                    "callback-3d",
                    Trigger::Sale(Offset::Days(Days::of(3))),
                    Phone,
                ),
                rule(
                    "callback-3m",
                    Trigger::Sale(Offset::Months(Months::of(3))),
                    Phone,
                ),
                rule(
                    "callback-6m",
                    Trigger::Sale(Offset::Months(Months::of(6))),
                    Phone,
                ),
                rule(
                    "survey",
                    Trigger::Service {
                        from: Days::of(3),
                        to: Days::of(7),
                        kinds: DEFAULT_SERVICE_KINDS.to_vec(),
                    },
                    Phone,
                ),
                rule("birthday", Trigger::Birthday, Sms),
                rule("anniversary", Trigger::Anniversary, Sms),
                holiday,
                rule(
                    "maintenance",
                    Trigger::Maintenance {
                        every: Months::of(6),
                    },
                    Phone,
                ),
                rule(
                    "complaint-response",
                    Trigger::ComplaintResponse(hours),
                    Phone,
                ),
                rule("complaint-resolve", Trigger::ComplaintResolve(hours), Phone),
                rule(
                    "complaint-revisit",
                    Trigger::ComplaintRevisit(Days::of(3)),
                    Phone,
                ),
                rule("points-expiry", Trigger::PointsExpiry(Days::of(30)), Sms),
            ],
            holidays: vec![
                h("New Year 元旦", yearly(1, 1)),
                h("Spring Festival 春节", lunar(1, 1)),
                h("Dragon Boat 端午节", lunar(5, 5)),
                h("Mid-Autumn 中秋节", lunar(8, 15)),
                h("National Day 国庆节", yearly(10, 1)),
            ],
        }
    }
}

// ---- reading and asking

/// Contract columns per file, for checking `[columns.*]`.
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "customer_id",
    "name",
    "phone",
    "birthday",
    "anniversary",
    "joined_on",
    "owner",
    "store",
    "contact_ok",
];
pub const ORDER_COLUMNS: &[&str] = &[
    "order_id",
    "customer_id",
    "date",
    "kind",
    "amount",
    "profit",
    "outcome",
    "referred_by",
];
pub const COMPLAINT_COLUMNS: &[&str] = &[
    "complaint_id",
    "customer_id",
    "order_id",
    "category",
    "opened_at",
    "responded_at",
    "closed_at",
    "severity",
];
pub const CONTACT_COLUMNS: &[&str] = &["customer_id", "rule", "source_id", "done_on", "by", "note"];

impl Policy {
    /// Reads a policy, reporting every problem with its line; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Policy, Problems> {
        Policy::try_from(raw::RawPolicy::read(text, file))
    }

    /// Reads a policy file's bytes: UTF-8 (a leading byte order mark is allowed), else a
    /// problem naming the line of the first byte that is not.
    pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Policy, Problems> {
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Policy::parse(text, file),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                let column =
                    good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
                let mut problems = Problems::new();
                problems.add(
                    file,
                    line,
                    None,
                    None,
                    format!(
                        "not UTF-8 text (byte 0x{:02X} at column {column}); the policy is read as UTF-8: save it so (in Excel/WPS or Notepad: UTF-8)",
                        bytes[e.valid_up_to()]
                    ),
                );
                Err(problems)
            }
        }
    }

    /// Whether `order` is a purchase for the tier figures (§2.2): the policy's reading of
    /// refunds.
    #[inline]
    pub fn is_purchase(&self, order: &Order<'_>) -> bool {
        self.tiers.purchases.includes(order)
    }

    /// The tier names from the top down.
    pub fn tier_names(&self) -> impl Iterator<Item = &str> {
        self.tiers.levels.iter().map(|l| l.name.as_str())
    }

    /// The due rule named `name`.
    pub fn due_rule(&self, name: &str) -> Option<&DueRule> {
        self.due.rules.iter().find(|r| r.name == name)
    }

    /// The complaint deadlines of the complaints view (§7.1).
    pub fn complaint_deadlines(&self) -> Deadlines {
        let first = |pick: fn(&Trigger) -> Option<Hours>| {
            self.due
                .rules
                .iter()
                .find_map(|r| pick(&r.trigger))
                .unwrap_or(DEFAULT_COMPLAINT_HOURS)
        };
        Deadlines {
            respond: first(|t| match t {
                Trigger::ComplaintResponse(h) => Some(*h),
                _ => None,
            }),
            resolve: first(|t| match t {
                Trigger::ComplaintResolve(h) => Some(*h),
                _ => None,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
