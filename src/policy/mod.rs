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
    /// Survey forms and the answer scale (§9).
    pub survey: SurveyPolicy,
    /// The monthly report (§11).
    pub report: ReportPolicy,
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
    pub answers: BTreeMap<String, String>,
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

impl TierPolicy {
    /// Whether a customer's tier follows from their own orders alone: the spend method
    /// compares each customer's spend with thresholds (§3.1), while the score method ranks
    /// everyone (§3.2). (Segments rank everyone's points either way, §3.3.)
    pub fn tier_is_own(&self) -> bool {
        matches!(self.method, Method::Spend { .. })
    }
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
    /// The rate to reach.
    pub target: Target,
    /// Points at stake (0 to [`MAX_KPI_WEIGHT`]).
    pub weight: Decimal,
    /// The tiers whose items it counts (tier as of the period's last day): every tier
    /// unless the rule names some; only the item measures (survey coverage, follow-ups
    /// done) take a `tiers` key (§9.4).
    pub tiers: TierSet,
}

/// What a KPI's rate is held against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A fraction above 0 and at most 1 (0.95 = 95 %).
    Rate(Decimal),
    /// The rate of all groups together (the car dealership's "above the regional
    /// average", §9.4): a group meets it when its rate is at least the pooled rate.
    Average,
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
    /// Surveyed calls answered in the period with `overall` rated: satisfied ones pass
    /// (§9.3).
    Csat,
    /// Items of the rules that have a form, due in the period: those with a rated answer
    /// pass (§9.4).
    SurveyCoverage,
    /// Items of the phone rules (complaint deadlines aside), due in the period: those
    /// ended (`done` or `refused`) within the grace pass (§9.4).
    FollowupDone,
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

// ---- the monthly report

/// How the monthly report reads (docs/rules.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPolicy {
    /// The language of its titles, headers and sheet names.
    pub language: Language,
}

/// The language of what caredesk writes for people to read (the monthly report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// 简体中文.
    Chinese,
    English,
}

impl Language {
    /// The language a policy's own labels are written in: Chinese when any tier or KPI
    /// label holds a Chinese character, English otherwise (`report.language = "auto"`).
    pub fn of_labels<'a>(labels: impl IntoIterator<Item = &'a str>) -> Language {
        let chinese = |c: char| matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}');
        if labels.into_iter().any(|l| l.chars().any(chinese)) {
            Language::Chinese
        } else {
            Language::English
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
    /// A surveyed call whose `overall` score is at most `max_score`: so many days after
    /// the answer (the follow-up of the dissatisfied, §9.5).
    Answers { after: Days, max_score: u8 },
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

    /// Whether it holds every tier, or none: then a customer's tier does not matter.
    pub fn is_all_or_none(&self) -> bool {
        self.member.iter().all(|&m| m) || self.member.iter().all(|&m| !m)
    }

    /// Whether it holds no tier.
    pub fn is_empty(&self) -> bool {
        !self.member.contains(&true)
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

// ---- satisfaction

/// The question every form asks: the call's overall score, which CSAT and the follow-up
/// of the dissatisfied read (§9.2).
pub const OVERALL: &str = "overall";

/// Survey forms and the scale their answers use (docs/rules.md §9).
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyPolicy {
    pub scale: Scale,
    /// The forms, in the order the policy lists them.
    pub forms: Vec<Form>,
}

/// The answer scale: scores 1 to `labels.len()`, each with its label (the furniture
/// house's 5 非常满意 … 1 非常不满意), and a word for "not rated".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    /// The label of each score, score 1 first.
    pub labels: Vec<String>,
    /// What a cell says when the customer gave no score (不予评价); an empty cell says the
    /// same.
    pub not_rated: String,
    /// The lowest score that is satisfied (4: 比较满意 and 非常满意).
    pub satisfied: u8,
}

/// Points a scale may have.
pub const MAX_SCALE: usize = 10;

impl Scale {
    /// The top score.
    pub fn max(&self) -> u8 {
        self.labels.len() as u8
    }

    /// The label of `score` (1 to [`max`](Self::max)).
    pub fn label(&self, score: u8) -> &str {
        self.labels
            .get(usize::from(score).wrapping_sub(1))
            .map_or("", String::as_str)
    }

    /// Reads a score cell (§9.1): a digit 1 to max, or a label, exactly (surrounding
    /// spaces allowed); `Ok(None)` for an empty cell or the not-rated word. Anything else
    /// (`0`, `6`, `4.5`, an unknown word) is an error saying what is expected.
    pub fn read(&self, cell: &str) -> Result<Option<u8>, String> {
        let cell = cell.trim();
        if cell.is_empty() || cell == self.not_rated {
            return Ok(None);
        }
        if let Some(i) = self.labels.iter().position(|l| l == cell) {
            return Ok(Some(i as u8 + 1));
        }
        match cell.parse::<u8>() {
            Ok(n) if (1..=self.max()).contains(&n) && cell.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Some(n))
            }
            _ => Err(self.expected()),
        }
    }

    /// What a score cell may hold, for messages.
    pub fn expected(&self) -> String {
        let labels: Vec<String> = (1..=self.max())
            .rev()
            .map(|s| format!("{s} {}", self.label(s)))
            .collect();
        format!(
            "expected a score 1 to {} or its label ({}); {} or empty = not rated",
            self.max(),
            labels.join(", "),
            self.not_rated
        )
    }

    /// Whether `score` is satisfied.
    pub fn is_satisfied(&self, score: u8) -> bool {
        score >= self.satisfied
    }
}

/// A survey form: the questions asked on the calls of some due rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// One word (`install`), unique.
    pub name: String,
    /// What the form is called (安装服务).
    pub label: String,
    /// The calls it is asked on.
    pub asked_on: Vec<AskedOn>,
    /// Its questions, `overall` among them.
    pub questions: Vec<Question>,
}

impl Form {
    /// The question `id`.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// The calls of one due rule that a form is asked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedOn {
    /// Index of the rule in the policy's due rules.
    pub rule: usize,
    /// For a `service` rule, the order kinds of the jobs (`None`: every kind it follows).
    pub kinds: Option<Vec<OrderKind>>,
}

impl AskedOn {
    fn covers(&self, rule: usize, kind: Option<OrderKind>) -> bool {
        self.rule == rule
            && match (&self.kinds, kind) {
                (None, _) => true,
                (Some(kinds), Some(k)) => kinds.contains(&k),
                (Some(_), None) => false,
            }
    }
}

/// One question of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// One word (`polite`): the column of the worksheet and the `question` of answers.csv.
    pub id: String,
    /// The question as asked (礼貌并友善).
    pub label: String,
    /// The mean score to reach (4.5).
    pub target: Decimal,
}

impl SurveyPolicy {
    /// The form asked on a call of rule `rule` (for a service rule, about a job of
    /// `kind`): at most one, the policy sees to that.
    pub fn form_for(&self, rule: usize, kind: Option<OrderKind>) -> Option<usize> {
        self.forms
            .iter()
            .position(|f| f.asked_on.iter().any(|a| a.covers(rule, kind)))
    }

    /// The forms asked on some calls of `rule`.
    pub fn forms_on(&self, rule: usize) -> impl Iterator<Item = &Form> {
        self.forms
            .iter()
            .filter(move |f| f.asked_on.iter().any(|a| a.rule == rule))
    }

    /// Whether some form is asked on calls of `rule`.
    pub fn has_form(&self, rule: usize) -> bool {
        self.forms_on(rule).next().is_some()
    }

    /// Whether the form of a call of `rule` depends on the order kind of its job (some
    /// form names kinds): then the call's order must be looked up.
    pub fn needs_kind(&self, rule: usize) -> bool {
        self.forms
            .iter()
            .flat_map(|f| &f.asked_on)
            .any(|a| a.rule == rule && a.kinds.is_some())
    }
}

// ---- the defaults: docs/rules.md, in one place

/// The 24 hours of the response and resolution targets (§7.1).
pub const DEFAULT_COMPLAINT_HOURS: Hours = Hours::of(24);
/// The repeat-visit window of first-time fix (§6.2).
pub const DEFAULT_REPEAT_DAYS: Days = Days::of(30);
/// The jobs a `service` rule follows when it names none (§5.1).
pub const DEFAULT_SERVICE_KINDS: [OrderKind; 2] = [OrderKind::Install, OrderKind::Repair];
/// The dissatisfied are called back the day after they answered (§9.5) …
pub const DEFAULT_DISSATISFIED_AFTER: Days = Days::of(1);
/// … when their overall score is at most this (2: 不太满意 or 非常不满意).
pub const DEFAULT_DISSATISFIED_MAX: u8 = 2;

impl Default for Policy {
    fn default() -> Self {
        let tiers = TierPolicy::default();
        let due = DuePolicy::default_for(tiers.levels.len());
        let survey = SurveyPolicy::default_for(&due.rules);
        let kpi = KpiPolicy::default_for(&tiers.levels);
        let report = ReportPolicy {
            language: Language::of_labels(labels(&tiers, &kpi)),
        };
        Policy {
            columns: Columns::default(),
            input: InputPolicy::default(),
            validation: Validation::default(),
            kpi,
            tiers,
            due,
            survey,
            report,
            origin: Origin::default(),
            warnings: Vec::new(),
        }
    }
}

/// The tier and KPI labels a policy gives (what `report.language = "auto"` reads).
pub(crate) fn labels<'a>(
    tiers: &'a TierPolicy,
    kpi: &'a KpiPolicy,
) -> impl Iterator<Item = &'a str> {
    let tier_labels = tiers.levels.iter().filter_map(|l| l.label.as_deref());
    tier_labels.chain(kpi.rules.iter().map(|r| r.label.as_str()))
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

impl KpiPolicy {
    /// The default scorecard for a policy with these tiers: DOMAIN's six pass rates, the
    /// complaint rates, and the satisfaction measures at weight 0 (§6, §9.4).
    pub fn default_for(levels: &[Level]) -> Self {
        use OrderKind::*;
        let rule = |name: &str, label: &str, measure, target: i64, weight: i64| KpiRule {
            name: name.into(),
            label: label.into(),
            measure,
            target: Target::Rate(Decimal::new(target, 2)),
            weight: Decimal::from(weight),
            tiers: TierSet::all(levels.len()),
        };
        let care_plan = |care: bool| TierSet::of(levels.len(), |t| levels[t].care_plan == care);
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
                rule(
                    "csat",
                    "满意度 CSAT: calls whose overall score is satisfied",
                    Measure::Csat,
                    90,
                    0,
                ),
                KpiRule {
                    tiers: care_plan(true),
                    ..rule(
                        "coverage_key",
                        "大客户回访覆盖率 key-account survey coverage",
                        Measure::SurveyCoverage,
                        100,
                        0,
                    )
                },
                KpiRule {
                    tiers: care_plan(false),
                    ..rule(
                        "coverage_rest",
                        "普通客户抽样率 survey sample rate of the other customers",
                        Measure::SurveyCoverage,
                        50,
                        0,
                    )
                },
                rule(
                    "followup_done",
                    "回访完成率 follow-up done rate",
                    Measure::FollowupDone,
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
                rule(
                    "dissatisfied",
                    Trigger::Answers {
                        after: DEFAULT_DISSATISFIED_AFTER,
                        max_score: DEFAULT_DISSATISFIED_MAX,
                    },
                    Phone,
                ),
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

impl Default for Scale {
    fn default() -> Self {
        Scale {
            labels: ["非常不满意", "不太满意", "一般", "比较满意", "非常满意"]
                .map(String::from)
                .to_vec(),
            not_rated: "不予评价".into(),
            satisfied: 4,
        }
    }
}

impl SurveyPolicy {
    /// The furniture house's three forms (§9.2), asked on the default rules that `rules`
    /// has: a form whose rule the policy does not have is left out (a company that
    /// replaced the call list keeps its policy valid).
    pub fn default_for(rules: &[DueRule]) -> SurveyPolicy {
        use OrderKind::{Install, Maintenance, Repair};
        let on = |name: &str, kinds: Option<Vec<OrderKind>>| {
            rules
                .iter()
                .position(|r| r.name == name)
                .map(|rule| AskedOn { rule, kinds })
        };
        let q = |id: &str, label: &str| Question {
            id: id.into(),
            label: label.into(),
            target: Decimal::new(45, 1),
        };
        let form = |name: &str, label: &str, asked_on: Option<AskedOn>, questions| {
            asked_on.map(|a| Form {
                name: name.into(),
                label: label.into(),
                asked_on: vec![a],
                questions,
            })
        };
        let forms = [
            form(
                "sales",
                "销售体验 sales experience",
                on("callback-3d", None),
                vec![
                    q("polite", "礼貌并友善"),
                    q("expertise", "专业度"),
                    q("fit", "选择合适的家居"),
                    q("knowledge", "品牌知识、产品知识"),
                    q("needs", "充分考虑客户其他需求"),
                    q("on_time", "按约定时间兑现承诺"),
                    q(OVERALL, "综合评价"),
                ],
            ),
            form(
                "install",
                "安装服务 installation",
                on("survey", Some(vec![Install])),
                vec![
                    q("appointment", "准确预约安装时间"),
                    q("explained", "对安装项目作出解释"),
                    q("service_info", "提供售后相关的服务信息"),
                    q("care_guide", "对维修保养、使用作出说明"),
                    q("final_check", "安装完毕后检查有无遗留问题"),
                    q(OVERALL, "综合评价"),
                ],
            ),
            form(
                "service",
                "维修保养服务 repair and maintenance",
                on("survey", Some(vec![Repair, Maintenance])),
                vec![
                    q("polite", "礼貌并友善"),
                    q("listened", "仔细倾听您的服务需求"),
                    q("expertise", "专业知识"),
                    q("explained", "对维修保养服务进行清楚解释"),
                    q("fees", "对维修保养收费进行清楚解释"),
                    q("on_time", "按约定时间兑现承诺"),
                    q("quick_fix", "维修迅速且无必要差错"),
                    q("return_on_time", "返库返厂维修按时送货"),
                    q(OVERALL, "综合评价"),
                ],
            ),
        ];
        SurveyPolicy {
            scale: Scale::default(),
            forms: forms.into_iter().flatten().collect(),
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
pub const CONTACT_COLUMNS: &[&str] = &[
    "customer_id",
    "rule",
    "source_id",
    "done_on",
    "by",
    "result",
    "note",
];
/// The columns of the call list's worksheet besides the questions (`due --worksheet`): a
/// question may not take one of these names.
pub const SHEET_COLUMNS: &[&str] = &[
    "due_date",
    "status",
    "days_overdue",
    "customer_id",
    "name",
    "tier",
    "owner",
    "phone",
    "rule",
    "source_id",
    "channel",
    "attempts",
    "done_on",
    "by",
    "result",
    "note",
];
pub const ANSWER_COLUMNS: &[&str] = &[
    "customer_id",
    "rule",
    "source_id",
    "question",
    "score",
    "answered_on",
];

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

    /// "the policy's rules are a, b", for a message about a rule name it lacks.
    pub fn rules_named(&self) -> String {
        rules_named(self.due.rules.iter().map(|r| r.name.as_str()))
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

/// The due rules a policy has, for a message about a rule name it lacks: "the policy's
/// rules are a, b", or that it has none (`[[due.rules]]`) when the list would be empty.
pub fn rules_named<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    match names.is_empty() {
        true => "the policy has no due rules (no [[due.rules]] table)".to_string(),
        false => format!("the policy's rules are {}", names.join(", ")),
    }
}

#[cfg(test)]
mod tests;
