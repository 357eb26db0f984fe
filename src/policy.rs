//! The tier policy (`config/policy.toml`): every number of DOMAIN.md is a default here,
//! not a constant in code. Parsing reports every problem at once, each with its line in
//! the TOML: syntax errors, wrong types, unknown keys (a misspelt key must not silently
//! fall back to a default), and rules that do not hold (thresholds not descending, shares
//! not adding up).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::error::Problems;
use crate::parse::Cents;

/// The whole policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Header names in the files, per contract column, for exports whose headers differ
    /// (`[columns.customers] customer_id = "客户编号"`).
    pub columns: Columns,
    /// How strictly the data is held to the contract.
    pub validation: Validation,
    /// Tiers, segments, points, lifecycle.
    pub tiers: TierPolicy,
    /// The service scorecard.
    pub kpi: KpiPolicy,
    /// The call list.
    pub due: DuePolicy,
}

/// The daily call list (DOMAIN.md section 3).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DuePolicy {
    /// Days an item stays on the list after its due date when not logged done.
    pub grace_days: u32,
    /// The follow-up rules; given here, they replace the whole default list.
    pub rules: Vec<DueRule>,
    /// The holiday calendar used by `holiday` rules.
    pub holidays: Vec<Holiday>,
}

/// What makes a follow-up item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueSource {
    /// Each purchase: `days` or `months` after it.
    Sale,
    /// Each job of `kinds`: a window from `from_days` to `to_days` after it.
    Service,
    /// The customer's birthday, every year.
    Birthday,
    /// The customer's anniversary, every year.
    Anniversary,
    /// Each holiday of the calendar.
    Holiday,
    /// Every `months` after the later of the last maintenance and the last purchase.
    Maintenance,
    /// An unanswered complaint: `hours` after it was opened.
    ComplaintResponse,
    /// A complaint not closed: `hours` after it was opened.
    ComplaintResolve,
    /// A closed complaint: `days` after it was closed.
    ComplaintRevisit,
    /// A `retain` customer: `days` before the points are cleared.
    PointsExpiry,
}

/// How a follow-up is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Phone,
    Sms,
    Visit,
    Gift,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Visit => "visit",
            Channel::Gift => "gift",
        }
    }
}

/// One follow-up rule.
#[derive(Debug, Clone, Deserialize)]
pub struct DueRule {
    /// The rule's name on the list and in contacts.csv (`callback-3d`).
    pub name: String,
    pub source: DueSource,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub channel: Channel,
    /// Tier names the rule applies to; empty = every tier.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Only tiers above the bottom one (Member, or D in the score method).
    #[serde(default)]
    pub above_bottom: bool,
    /// `sale`: days after; `complaint_revisit`: days after closing; `points_expiry`: days before.
    #[serde(default)]
    pub days: Option<u32>,
    /// `sale`, `maintenance`: calendar months after (clamped to the month's end).
    #[serde(default)]
    pub months: Option<u32>,
    /// `service`: the window, in days after the job.
    #[serde(default)]
    pub from_days: Option<u32>,
    #[serde(default)]
    pub to_days: Option<u32>,
    /// `service`: the order kinds (default install and repair).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// `complaint_response` / `complaint_resolve`: the deadline in hours.
    #[serde(default)]
    pub hours: Option<u32>,
}

fn yes() -> bool {
    true
}

/// A holiday: a fixed `date` (2026-12-24), a yearly `month_day` (10-01), or a Chinese
/// lunar month-day (`lunar = "8-15"`).
#[derive(Debug, Clone, Deserialize)]
pub struct Holiday {
    pub name: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub month_day: Option<String>,
    #[serde(default)]
    pub lunar: Option<String>,
}

impl Default for DuePolicy {
    fn default() -> Self {
        let rule = |name: &str, source, channel, days, months| DueRule {
            name: name.into(),
            source,
            enabled: true,
            channel,
            tiers: Vec::new(),
            above_bottom: false,
            days,
            months,
            from_days: None,
            to_days: None,
            kinds: Vec::new(),
            hours: None,
        };
        use Channel::{Phone, Sms};
        let mut holiday = rule("holiday", DueSource::Holiday, Sms, None, None);
        holiday.above_bottom = true;
        let mut survey = rule("survey", DueSource::Service, Phone, None, None);
        survey.from_days = Some(3);
        survey.to_days = Some(7);
        survey.kinds = vec!["install".into(), "repair".into()];
        let mut response = rule(
            "complaint-response",
            DueSource::ComplaintResponse,
            Phone,
            None,
            None,
        );
        response.hours = Some(24);
        let mut resolve = rule(
            "complaint-resolve",
            DueSource::ComplaintResolve,
            Phone,
            None,
            None,
        );
        resolve.hours = Some(24);
        let h = |name: &str, date: Option<&str>, month_day: Option<&str>, lunar: Option<&str>| {
            Holiday {
                name: name.into(),
                date: date.map(Into::into),
                month_day: month_day.map(Into::into),
                lunar: lunar.map(Into::into),
            }
        };
        DuePolicy {
            grace_days: 14,
            rules: vec![
                rule("callback-3d", DueSource::Sale, Phone, Some(3), None),
                rule("callback-3m", DueSource::Sale, Phone, None, Some(3)),
                rule("callback-6m", DueSource::Sale, Phone, None, Some(6)),
                survey,
                rule("birthday", DueSource::Birthday, Sms, None, None),
                rule("anniversary", DueSource::Anniversary, Sms, None, None),
                holiday,
                rule("maintenance", DueSource::Maintenance, Phone, None, Some(6)),
                response,
                resolve,
                rule(
                    "complaint-revisit",
                    DueSource::ComplaintRevisit,
                    Phone,
                    Some(3),
                    None,
                ),
                rule(
                    "points-expiry",
                    DueSource::PointsExpiry,
                    Sms,
                    Some(30),
                    None,
                ),
            ],
            holidays: vec![
                h("New Year 元旦", None, Some("01-01"), None),
                h("Spring Festival 春节", None, None, Some("1-1")),
                h("Dragon Boat 端午节", None, None, Some("5-5")),
                h("Mid-Autumn 中秋节", None, None, Some("8-15")),
                h("National Day 国庆节", None, Some("10-01"), None),
            ],
        }
    }
}

/// The monthly service scorecard (DOMAIN.md section 4).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct KpiPolicy {
    /// `proportional`: weight × min(1, rate / target); `all_or_nothing`: weight if met.
    pub scoring: Scoring,
    /// The KPIs, in the order the scorecard lists them.
    pub rules: Vec<KpiRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    Proportional,
    AllOrNothing,
}

/// What a KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Order rows of `kind` in the period by their `outcome` column (pass / fail).
    Outcome,
    /// First-time fix read from repeat visits: a job of `kind` fails when the customer has
    /// another job of that kind within `window_days` after it.
    RepeatVisit,
    /// Complaints opened in the period, closed by its end.
    ComplaintClosure,
    /// Complaints opened in the period, answered within `hours`.
    ComplaintResponse,
    /// Complaints opened in the period, closed within `hours`.
    ComplaintResolution,
}

/// One KPI of the scorecard.
#[derive(Debug, Clone, Deserialize)]
pub struct KpiRule {
    /// A short key, shown in the `kpi` column.
    pub name: String,
    /// What the scorecard calls it (the shipped policy gives Chinese and English).
    #[serde(default)]
    pub label: String,
    pub measure: Measure,
    /// The order kind, for `outcome` and `repeat_visit`.
    #[serde(default, deserialize_with = "opt_kind")]
    pub kind: Option<crate::model::OrderKind>,
    /// `repeat_visit`: days after a job within which another job means it failed.
    #[serde(default = "default_repeat_days")]
    pub window_days: u32,
    /// `complaint_response` / `complaint_resolution`: the deadline in hours (inclusive).
    #[serde(default = "default_hours")]
    pub hours: u32,
    /// The rate to reach, as a fraction (0.95 = 95 %).
    #[serde(deserialize_with = "decimal")]
    pub target: Decimal,
    /// Points at stake.
    #[serde(deserialize_with = "decimal")]
    pub weight: Decimal,
}

fn default_repeat_days() -> u32 {
    30
}

fn default_hours() -> u32 {
    24
}

fn opt_kind<'de, D: Deserializer<'de>>(d: D) -> Result<Option<crate::model::OrderKind>, D::Error> {
    let s = String::deserialize(d)?;
    crate::model::OrderKind::parse(s.as_bytes())
        .filter(|_| !s.trim().is_empty())
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown order kind {s:?}; expected sale, install, repair, maintenance, return_repair or return_exchange"
            ))
        })
}

impl Default for KpiPolicy {
    fn default() -> Self {
        use crate::model::OrderKind::*;
        let rule = |name: &str, label: &str, measure, kind, target: i64, weight: i64| KpiRule {
            name: name.into(),
            label: label.into(),
            measure,
            kind,
            window_days: default_repeat_days(),
            hours: default_hours(),
            target: Decimal::new(target, 2),
            weight: Decimal::from(weight),
        };
        KpiPolicy {
            scoring: Scoring::Proportional,
            rules: vec![
                rule(
                    "maintenance",
                    "保养服务合格率 maintenance service pass rate",
                    Measure::Outcome,
                    Some(Maintenance),
                    100,
                    5,
                ),
                rule(
                    "install",
                    "一次安装合格率 first-time installation pass rate",
                    Measure::Outcome,
                    Some(Install),
                    95,
                    5,
                ),
                rule(
                    "repair",
                    "一次维修合格率 first-time repair pass rate",
                    Measure::Outcome,
                    Some(Repair),
                    85,
                    5,
                ),
                rule(
                    "quality",
                    "产品质量合格率 product quality pass rate",
                    Measure::Outcome,
                    Some(Sale),
                    85,
                    5,
                ),
                rule(
                    "return_repair",
                    "返厂(二次)维修合格率 return-to-factory repair pass rate",
                    Measure::Outcome,
                    Some(ReturnRepair),
                    100,
                    5,
                ),
                rule(
                    "return_exchange",
                    "返厂(二次)退换货合格率 return-to-factory exchange pass rate",
                    Measure::Outcome,
                    Some(ReturnExchange),
                    100,
                    5,
                ),
                rule(
                    "complaint_closure",
                    "投诉关闭率 complaint closure rate",
                    Measure::ComplaintClosure,
                    None,
                    100,
                    10,
                ),
                rule(
                    "response_24h",
                    "24小时响应率 24 h response rate",
                    Measure::ComplaintResponse,
                    None,
                    100,
                    0,
                ),
                rule(
                    "resolution_24h",
                    "24小时解决率 24 h resolution rate",
                    Measure::ComplaintResolution,
                    None,
                    100,
                    0,
                ),
            ],
        }
    }
}

/// Header renames per file: contract column name → the header used in the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Columns {
    pub customers: BTreeMap<String, String>,
    pub orders: BTreeMap<String, String>,
    pub complaints: BTreeMap<String, String>,
    pub contacts: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Validation {
    /// What to do with an order or complaint naming a customer not in customers.csv:
    /// `error` (default: report it, exit 1) or `skip` (ignore the row, warn with a count).
    pub unknown_customer: UnknownCustomer,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            unknown_customer: UnknownCustomer::Error,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownCustomer {
    Error,
    Skip,
}

/// How tiers are assigned (DOMAIN.md section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Cumulative spend against per-tier thresholds (000).
    Spend,
    /// A weighted percent-rank score, classes by shares or score thresholds (003).
    Score,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TierPolicy {
    /// `spend` or `score`.
    pub method: Method,
    /// Days of sales that count toward spend, profit and sales; 0 = all time.
    pub window_days: u32,
    /// Tiers from the top down; the last one is the floor (no threshold).
    pub levels: Vec<Level>,
    /// Weights of the score method.
    pub score: ScoreWeights,
    /// DOMAIN.md: a sale row with a negative amount is a refund, not a purchase (it counts
    /// in no purchase count or date). `true` counts every sale row as a purchase, as the
    /// benchmark workload's SQL does.
    pub refunds_are_purchases: bool,
    /// Points earned per currency unit of a sale, truncated toward zero per row.
    #[serde(deserialize_with = "decimal")]
    pub points_per_unit: Decimal,
    pub lifecycle: Lifecycle,
    pub segments: Segments,
    /// A customer who bought before but not in this many days is churned.
    pub churn_days: u32,
    pub care_goal: CareGoal,
}

/// One tier.
#[derive(Debug, Clone, Deserialize)]
pub struct Level {
    pub name: String,
    /// The name shown beside it (e.g. 钻石会员).
    #[serde(default)]
    pub label: Option<String>,
    /// Spend method: the lower bound, inclusive.
    #[serde(default, deserialize_with = "opt_money")]
    pub min_spend: Option<Cents>,
    /// Score method: this class's share of customers (0.005 = 0.5 %).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub share: Option<Decimal>,
    /// Score method, instead of shares: the lower bound of the score (0–100), inclusive.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub min_score: Option<Decimal>,
    /// Whether this tier gets care activities (holidays on the call list and the like).
    #[serde(default)]
    pub care_plan: bool,
    /// Whether an `abandon` customer of this tier keeps privileges (003 keeps the top's).
    #[serde(default)]
    pub keep_privileges: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ScoreWeights {
    #[serde(deserialize_with = "decimal")]
    pub spend: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub profit: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub sales: Decimal,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Lifecycle {
    /// Days since the last visit up to which a customer is active.
    pub active_days: u32,
    /// ... and sleeping; beyond it, lost.
    pub sleeping_days: u32,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            active_days: 90,
            sleeping_days: 180,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Segments {
    /// The frequency window (DOMAIN.md: 2 years).
    pub window_days: u32,
    /// Purchases a year from which a customer is `stable` (and `upgrade` if top).
    #[serde(deserialize_with = "decimal")]
    pub min_per_year: Decimal,
    /// The percent rank of points from which a customer is in the top (0.90 = top 10 %).
    #[serde(deserialize_with = "decimal")]
    pub top_rank: Decimal,
    /// A first sale within this many days makes a customer `new`.
    pub new_days: u32,
    /// Months a `retain` customer keeps points after the window ends.
    pub retain_months: u32,
}

impl Default for Segments {
    fn default() -> Self {
        Segments {
            window_days: 730,
            min_per_year: Decimal::from(2),
            top_rank: Decimal::new(90, 2),
            new_days: 365,
            retain_months: 6,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CareGoal {
    /// Purchases in the tier window that meet the goal (2 = one repeat purchase).
    pub min_sales: u32,
    /// Referrals that meet the goal.
    pub min_referrals: u32,
}

impl Default for CareGoal {
    fn default() -> Self {
        CareGoal {
            min_sales: 2,
            min_referrals: 1,
        }
    }
}

impl Default for TierPolicy {
    fn default() -> Self {
        let level = |name: &str, label: &str, min: Option<i64>, plan: bool| Level {
            name: name.into(),
            label: Some(label.into()),
            min_spend: min.map(|units| Cents(units as i128 * 100)),
            share: None,
            min_score: None,
            care_plan: plan,
            keep_privileges: name == "Diamond",
        };
        TierPolicy {
            method: Method::Spend,
            window_days: 0,
            levels: vec![
                level("Diamond", "钻石会员", Some(1_000_000), true),
                level("Platinum", "白金会员", Some(500_000), true),
                level("VIP", "VIP", Some(300_000), false),
                level("D", "D", Some(100_000), false),
                level("Member", "会员", None, false),
            ],
            score: ScoreWeights::default(),
            refunds_are_purchases: false,
            points_per_unit: Decimal::ONE,
            lifecycle: Lifecycle::default(),
            segments: Segments::default(),
            churn_days: 365,
            care_goal: CareGoal::default(),
        }
    }
}

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
        let mut problems = Problems::new();
        let doc = match toml_edit::Document::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                let line = e.span().map_or(0, |s| line_of(text, s.start));
                problems.add(
                    file,
                    line,
                    None,
                    None,
                    format!("TOML syntax: {}", e.message()),
                );
                return Err(problems);
            }
        };
        let locate = |path: &[PathPart]| locate(&doc, path).map_or(0, |at| line_of(text, at));

        let mut unknown = Vec::new();
        let parsed: Result<Policy, _> = toml::Deserializer::parse(text)
            .and_then(|de| serde_ignored::deserialize(de, |path| unknown.push(path_parts(&path))));
        for path in &unknown {
            problems.add(
                file,
                locate(path),
                Some(&dotted(path)),
                None,
                "unknown policy key (misspelt? the shipped config/policy.toml lists every key)",
            );
        }
        let policy = match parsed {
            Ok(p) => p,
            Err(e) => {
                let line = e.span().map_or(0, |s| line_of(text, s.start));
                problems.add(file, line, None, None, e.message().trim().to_string());
                return Err(problems);
            }
        };
        for (path, message) in policy.violations() {
            problems.add(file, locate(&path), Some(&dotted(&path)), None, message);
        }
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(problems)
        }
    }

    /// Rules the types alone do not enforce, each with the key it is about.
    fn violations(&self) -> Vec<(Vec<PathPart>, String)> {
        let mut out = Vec::new();
        let key = |parts: &[&str]| parts.iter().map(|p| PathPart::Key(p.to_string())).collect();
        let level_key = |i: usize, k: &str| {
            vec![
                PathPart::Key("tiers".into()),
                PathPart::Key("levels".into()),
                PathPart::Index(i),
                PathPart::Key(k.into()),
            ]
        };
        let level_path = |i: usize| {
            vec![
                PathPart::Key("tiers".into()),
                PathPart::Key("levels".into()),
                PathPart::Index(i),
            ]
        };

        for (file, map, known) in [
            ("customers", &self.columns.customers, CUSTOMER_COLUMNS),
            ("orders", &self.columns.orders, ORDER_COLUMNS),
            ("complaints", &self.columns.complaints, COMPLAINT_COLUMNS),
            ("contacts", &self.columns.contacts, CONTACT_COLUMNS),
        ] {
            for (column, header) in map {
                if !known.contains(&column.as_str()) {
                    out.push((
                        key(&["columns", file, column]),
                        format!(
                            "{file} has no column {column:?}; expected one of {}",
                            known.join(", ")
                        ),
                    ));
                } else if header.trim().is_empty() {
                    out.push((
                        key(&["columns", file, column]),
                        "header name is empty".into(),
                    ));
                }
            }
        }

        let t = &self.tiers;
        let levels = &t.levels;
        if levels.len() < 2 {
            out.push((
                key(&["tiers", "levels"]),
                "expected at least two tiers".into(),
            ));
            return out;
        }
        for (i, l) in levels.iter().enumerate() {
            if l.name.trim().is_empty() {
                out.push((level_key(i, "name"), "tier name is empty".into()));
            }
            if levels[..i].iter().any(|m| m.name == l.name) {
                out.push((
                    level_key(i, "name"),
                    format!("tier {:?} is named twice", l.name),
                ));
            }
        }
        let last = levels.len() - 1;
        let floor = &levels[last];
        match t.method {
            Method::Spend => {
                for (i, l) in levels.iter().enumerate() {
                    if l.share.is_some() || l.min_score.is_some() {
                        let k = if l.share.is_some() {
                            "share"
                        } else {
                            "min_score"
                        };
                        out.push((
                            level_key(i, k),
                            "only the score method uses this; the spend method reads min_spend"
                                .into(),
                        ));
                    }
                    if i < last && l.min_spend.is_none() {
                        out.push((
                            level_path(i),
                            format!(
                                "tier {:?} needs min_spend (only the last tier has none)",
                                l.name
                            ),
                        ));
                    }
                }
                if floor.min_spend.is_some() {
                    out.push((
                        level_key(last, "min_spend"),
                        "the last tier is the floor: it takes no min_spend".into(),
                    ));
                }
                let mins: Vec<(usize, Cents)> = levels[..last]
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| l.min_spend.map(|m| (i, m)))
                    .collect();
                for w in mins.windows(2) {
                    if w[1].1 >= w[0].1 {
                        out.push((
                            level_key(w[1].0, "min_spend"),
                            format!(
                                "tier thresholds must descend: {} is not below {:?}'s {}",
                                w[1].1, levels[w[0].0].name, w[0].1
                            ),
                        ));
                    }
                }
            }
            Method::Score => {
                for (i, l) in levels.iter().enumerate() {
                    if l.min_spend.is_some() {
                        out.push((level_key(i, "min_spend"), "only the spend method uses min_spend; the score method reads share or min_score".into()));
                    }
                }
                let by_share = levels.iter().any(|l| l.share.is_some());
                let by_score = levels.iter().any(|l| l.min_score.is_some());
                if by_share && by_score {
                    out.push((
                        key(&["tiers", "levels"]),
                        "use either share or min_score on the tiers, not both".into(),
                    ));
                } else if !by_share && !by_score {
                    out.push((
                        key(&["tiers", "levels"]),
                        "the score method needs a share or a min_score on each tier but the last"
                            .into(),
                    ));
                } else if by_share {
                    let mut sum = Decimal::ZERO;
                    for (i, l) in levels.iter().enumerate() {
                        match l.share {
                            Some(s) if s <= Decimal::ZERO || s > Decimal::ONE => out.push((
                                level_key(i, "share"),
                                format!("a share is a fraction above 0 and at most 1, not {s}"),
                            )),
                            Some(s) => sum += s,
                            None if i < last => out
                                .push((level_path(i), format!("tier {:?} needs a share", l.name))),
                            None => {}
                        }
                    }
                    let complete = floor.share.is_some();
                    if (complete && sum != Decimal::ONE) || (!complete && sum >= Decimal::ONE) {
                        out.push((
                            key(&["tiers", "levels"]),
                            if complete {
                                format!("shares must add up to 1 (they add up to {})", sum.normalize())
                            } else {
                                format!("shares above the last tier must add up to less than 1, leaving the rest to {:?} (they add up to {})", floor.name, sum.normalize())
                            },
                        ));
                    }
                } else {
                    let mut previous: Option<Decimal> = None;
                    for (i, l) in levels.iter().enumerate() {
                        match l.min_score {
                            Some(s) if i == last => out.push((
                                level_key(i, "min_score"),
                                format!(
                                    "the last tier is the floor: it takes no min_score (found {s})"
                                ),
                            )),
                            Some(s) if !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&s) => out
                                .push((
                                    level_key(i, "min_score"),
                                    format!("a score is between 0 and 100, not {s}"),
                                )),
                            Some(s) => {
                                if previous.is_some_and(|p| s >= p) {
                                    out.push((
                                        level_key(i, "min_score"),
                                        format!(
                                            "tier thresholds must descend: {s} is not below {}",
                                            previous.unwrap_or_default()
                                        ),
                                    ));
                                }
                                previous = Some(s);
                            }
                            None if i < last => out.push((
                                level_path(i),
                                format!("tier {:?} needs a min_score", l.name),
                            )),
                            None => {}
                        }
                    }
                }
                let w = &t.score;
                for (k, v) in [("spend", w.spend), ("profit", w.profit), ("sales", w.sales)] {
                    if v < Decimal::ZERO {
                        out.push((
                            key(&["tiers", "score", k]),
                            format!("a weight cannot be negative ({v})"),
                        ));
                    }
                }
                if w.spend + w.profit + w.sales != Decimal::ONE {
                    out.push((
                        key(&["tiers", "score"]),
                        format!(
                            "score weights must add up to 1 (they add up to {})",
                            (w.spend + w.profit + w.sales).normalize()
                        ),
                    ));
                }
            }
        }
        out.extend(self.kpi_violations());
        out.extend(self.due_violations());
        if t.points_per_unit < Decimal::ZERO {
            out.push((
                key(&["tiers", "points_per_unit"]),
                "cannot be negative".into(),
            ));
        }
        if t.lifecycle.sleeping_days < t.lifecycle.active_days {
            out.push((
                key(&["tiers", "lifecycle", "sleeping_days"]),
                format!("must be at least active_days ({})", t.lifecycle.active_days),
            ));
        }
        let seg = &t.segments;
        if seg.window_days == 0 {
            out.push((
                key(&["tiers", "segments", "window_days"]),
                "must be at least 1".into(),
            ));
        }
        if seg.top_rank < Decimal::ZERO || seg.top_rank > Decimal::ONE {
            out.push((
                key(&["tiers", "segments", "top_rank"]),
                format!("a percent rank is between 0 and 1, not {}", seg.top_rank),
            ));
        }
        if seg.min_per_year < Decimal::ZERO {
            out.push((
                key(&["tiers", "segments", "min_per_year"]),
                "cannot be negative".into(),
            ));
        }
        out
    }

    fn kpi_violations(&self) -> Vec<(Vec<PathPart>, String)> {
        let mut out = Vec::new();
        let at = |i: usize, k: &str| {
            vec![
                PathPart::Key("kpi".into()),
                PathPart::Key("rules".into()),
                PathPart::Index(i),
                PathPart::Key(k.into()),
            ]
        };
        let rules = &self.kpi.rules;
        for (i, r) in rules.iter().enumerate() {
            if r.name.trim().is_empty() {
                out.push((at(i, "name"), "a KPI needs a name".into()));
            }
            if rules[..i].iter().any(|q| q.name == r.name) {
                out.push((at(i, "name"), format!("KPI {:?} is named twice", r.name)));
            }
            let needs_kind = matches!(r.measure, Measure::Outcome | Measure::RepeatVisit);
            if needs_kind && r.kind.is_none() {
                out.push((at(i, "measure"), format!("KPI {:?} counts order rows: it needs kind = \"install\" (or another order kind)", r.name)));
            }
            if !needs_kind && r.kind.is_some() {
                out.push((
                    at(i, "kind"),
                    format!("KPI {:?} counts complaints: kind does not apply", r.name),
                ));
            }
            if r.target <= Decimal::ZERO || r.target > Decimal::ONE {
                out.push((
                    at(i, "target"),
                    format!(
                        "a target is a fraction above 0 and at most 1 (0.95 = 95 %), not {}",
                        r.target
                    ),
                ));
            }
            if r.weight < Decimal::ZERO {
                out.push((
                    at(i, "weight"),
                    format!("a weight cannot be negative ({})", r.weight),
                ));
            }
            if r.measure == Measure::RepeatVisit && r.window_days == 0 {
                out.push((at(i, "window_days"), "must be at least 1".into()));
            }
        }
        out
    }

    fn due_violations(&self) -> Vec<(Vec<PathPart>, String)> {
        let mut out = Vec::new();
        let at = |table: &str, i: usize, k: &str| {
            vec![
                PathPart::Key("due".into()),
                PathPart::Key(table.into()),
                PathPart::Index(i),
                PathPart::Key(k.into()),
            ]
        };
        let tiers: Vec<&str> = self.tier_names().collect();
        let rules = &self.due.rules;
        for (i, r) in rules.iter().enumerate() {
            let mut bad = |k: &str, m: String| out.push((at("rules", i, k), m));
            if r.name.trim().is_empty() || r.name.contains(char::is_whitespace) {
                bad(
                    "name",
                    format!(
                        "a rule name is one word, such as callback-3d, not {:?}",
                        r.name
                    ),
                );
            }
            if rules[..i].iter().any(|q| q.name == r.name) {
                bad("name", format!("rule {:?} is named twice", r.name));
            }
            for t in &r.tiers {
                if !tiers.contains(&t.as_str()) {
                    bad(
                        "tiers",
                        format!(
                            "unknown tier {t:?}; the policy's tiers are {}",
                            tiers.join(", ")
                        ),
                    );
                }
            }
            let name = &r.name;
            match r.source {
                DueSource::Sale => {
                    if r.days.is_some() == r.months.is_some() {
                        bad(
                            "source",
                            format!(
                                "rule {name:?} (sale) needs either days or months after the sale"
                            ),
                        );
                    }
                }
                DueSource::Maintenance => {
                    if r.months.unwrap_or(0) == 0 {
                        bad(
                            "source",
                            format!(
                                "rule {name:?} (maintenance) needs months = 6 (or another repeat)"
                            ),
                        );
                    }
                }
                DueSource::Service => match (r.from_days, r.to_days) {
                    (Some(a), Some(b)) if a <= b => {}
                    (Some(_), Some(_)) => bad("to_days", "the window ends before it starts".into()),
                    _ => bad(
                        "source",
                        format!("rule {name:?} (service) needs from_days and to_days"),
                    ),
                },
                DueSource::ComplaintResponse | DueSource::ComplaintResolve => {
                    if r.hours.is_none() {
                        bad(
                            "source",
                            format!("rule {name:?} needs hours = 24 (the deadline)"),
                        );
                    }
                }
                DueSource::ComplaintRevisit | DueSource::PointsExpiry => {
                    if r.days.is_none() {
                        bad("source", format!("rule {name:?} needs days"));
                    }
                }
                DueSource::Birthday | DueSource::Anniversary | DueSource::Holiday => {}
            }
            for k in &r.kinds {
                if crate::model::OrderKind::parse(k.as_bytes()).is_none() || k.trim().is_empty() {
                    bad("kinds", format!("unknown order kind {k:?}"));
                }
            }
        }
        for (i, h) in self.due.holidays.iter().enumerate() {
            let given = [h.date.is_some(), h.month_day.is_some(), h.lunar.is_some()];
            if given.iter().filter(|g| **g).count() != 1 {
                out.push((
                    at("holidays", i, "name"),
                    format!(
                        "holiday {:?} needs exactly one of date, month_day or lunar",
                        h.name
                    ),
                ));
            }
            if let Some(d) = &h.date {
                if crate::parse::date(d.as_bytes()).is_none() {
                    out.push((
                        at("holidays", i, "date"),
                        format!("expected a date YYYY-MM-DD, not {d:?}"),
                    ));
                }
            }
            for (k, v) in [("month_day", &h.month_day), ("lunar", &h.lunar)] {
                if let Some(v) = v {
                    if month_day(v).is_none() {
                        out.push((
                            at("holidays", i, k),
                            format!("expected a month-day such as 8-15, not {v:?}"),
                        ));
                    }
                }
            }
        }
        out
    }

    /// The tier names from the top down.
    pub fn tier_names(&self) -> impl Iterator<Item = &str> {
        self.tiers.levels.iter().map(|l| l.name.as_str())
    }
}

/// Reads `MM-DD` or `M-D` (month 1–12, day 1–31).
pub fn month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.trim().split_once('-')?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, d))
}

/// A step of a path into the TOML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

fn path_parts(path: &serde_ignored::Path<'_>) -> Vec<PathPart> {
    use serde_ignored::Path;
    let mut out = match path {
        Path::Root => return Vec::new(),
        Path::Seq { parent, .. }
        | Path::Map { parent, .. }
        | Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => path_parts(parent),
    };
    match path {
        Path::Seq { index, .. } => out.push(PathPart::Index(*index)),
        Path::Map { key, .. } => out.push(PathPart::Key(key.clone())),
        _ => {}
    }
    out
}

fn dotted(path: &[PathPart]) -> String {
    let mut s = String::new();
    for part in path {
        match part {
            PathPart::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathPart::Index(i) => s.push_str(&format!("[{}]", i + 1)),
        }
    }
    s
}

/// The byte offset of the deepest part of `path` that the document has.
fn locate<S>(doc: &toml_edit::Document<S>, path: &[PathPart]) -> Option<usize> {
    locate_in_table(doc.as_table(), path)
}

fn locate_in_table(table: &toml_edit::Table, path: &[PathPart]) -> Option<usize> {
    let here = table.span().map(|s| s.start);
    let Some((PathPart::Key(k), rest)) = path.split_first() else {
        return here;
    };
    let Some((key, value)) = table.get_key_value(k) else {
        return here;
    };
    let at_key = key
        .span()
        .or_else(|| value.span())
        .map(|s| s.start)
        .or(here);
    if rest.is_empty() {
        return at_key;
    }
    locate_in_item(value, rest).or(at_key)
}

fn locate_in_item(item: &toml_edit::Item, path: &[PathPart]) -> Option<usize> {
    use toml_edit::{Item, Value};
    match (item, path.first()?) {
        (Item::Table(t), PathPart::Key(_)) => locate_in_table(t, path),
        (Item::ArrayOfTables(a), PathPart::Index(i)) => {
            let t = a.get(*i)?;
            locate_in_table(t, &path[1..]).or_else(|| t.span().map(|s| s.start))
        }
        (Item::Value(Value::InlineTable(t)), PathPart::Key(k)) => {
            let (key, value) = t.get_key_value(k)?;
            let at = key.span().map(|s| s.start);
            if path.len() == 1 {
                at
            } else {
                locate_in_item(value, &path[1..]).or(at)
            }
        }
        (Item::Value(Value::Array(a)), PathPart::Index(i)) => a.get(*i)?.span().map(|s| s.start),
        _ => None,
    }
}

fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

// ---- serde helpers: decimals from TOML integers, strings or floats ----

/// Reads a TOML integer, float or string as an exact decimal. A float's shortest
/// representation that reads back as the same float is the literal the user wrote (up to
/// 15 significant digits), so `0.005` stays 0.005.
struct DecimalVisitor;

impl serde::de::Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number (an integer, a decimal such as 0.40, or a quoted decimal)")
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
        format!("{v}")
            .parse::<Decimal>()
            .map_err(|_| E::custom(format!("{v} is not a usable number")))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
        v.trim()
            .parse::<Decimal>()
            .map_err(|_| E::custom(format!("expected a decimal number, found {v:?}")))
    }
}

fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecimalVisitor)
}

fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    decimal(d).map(Some)
}

fn opt_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cents>, D::Error> {
    let v = decimal(d)?;
    let cents = v * Decimal::ONE_HUNDRED;
    if cents.fract() != Decimal::ZERO {
        return Err(serde::de::Error::custom(format!(
            "an amount has at most 2 decimal places, not {v}"
        )));
    }
    i128::try_from(cents.trunc())
        .map(|c| Some(Cents(c)))
        .map_err(|_| serde::de::Error::custom(format!("amount {v} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match Policy::parse(text, "p.toml") {
            Ok(_) => Vec::new(),
            Err(ps) => ps.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn empty_policy_is_the_domain_defaults() {
        let p = Policy::parse("", "p.toml").unwrap();
        assert_eq!(p.tiers.method, Method::Spend);
        assert_eq!(p.tiers.levels[0].min_spend, Some(Cents(100_000_000)));
        assert_eq!(
            p.tier_names().collect::<Vec<_>>(),
            ["Diamond", "Platinum", "VIP", "D", "Member"]
        );
    }

    #[test]
    fn unknown_keys_are_reported_with_their_lines() {
        let got = problems("[tiers]\nmethod = \"spend\"\nwindow_dayz = 3\n\n[validaton]\nx = 1\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with("p.toml:3: tiers.window_dayz: unknown policy key"),
            "{got:?}"
        );
        assert!(
            got[1].starts_with("p.toml:5: validaton: unknown policy key"),
            "{got:?}"
        );
    }

    #[test]
    fn unknown_key_inside_a_level_is_reported() {
        let text = "[[tiers.levels]]\nname = \"A\"\nmin_spend = 10\n[[tiers.levels]]\nname = \"B\"\nmin_spnd = 5\n";
        let got = problems(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("p.toml:"), "{got:?}");
        assert!(got[0].contains("min_spnd"), "{got:?}");
    }

    #[test]
    fn thresholds_must_descend() {
        let text = "[[tiers.levels]]\nname = \"A\"\nmin_spend = 10\n[[tiers.levels]]\nname = \"B\"\nmin_spend = 10\n[[tiers.levels]]\nname = \"C\"\n";
        let got = problems(text);
        assert_eq!(got, ["p.toml:6: tiers.levels[2].min_spend: tier thresholds must descend: 10.00 is not below \"A\"'s 10.00"]);
    }

    #[test]
    fn shares_must_add_up() {
        let text = "[tiers]\nmethod = \"score\"\n[[tiers.levels]]\nname = \"A\"\nshare = 0.5\n[[tiers.levels]]\nname = \"B\"\nshare = 0.6\n";
        let got = problems(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains("shares must add up to 1 (they add up to 1.1)"),
            "{got:?}"
        );
    }

    #[test]
    fn weights_must_add_up_and_floats_read_as_written() {
        let text = "[tiers]\nmethod = \"score\"\n[tiers.score]\nspend = 0.1\nprofit = 0.2\nsales = 0.3\n[[tiers.levels]]\nname = \"A\"\nshare = 0.005\n[[tiers.levels]]\nname = \"B\"\n";
        let got = problems(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with(
                "p.toml:3: tiers.score: score weights must add up to 1 (they add up to 0.6)"
            ),
            "{got:?}"
        );
    }

    #[test]
    fn syntax_and_type_errors_name_the_line() {
        assert!(problems("[tiers\n")[0].starts_with("p.toml:1: TOML syntax"));
        let got = problems("[tiers]\n\nwindow_days = \"long\"\n");
        assert!(got[0].starts_with("p.toml:3:"), "{got:?}");
        let got = problems("[tiers]\nmethod = \"magic\"\n");
        assert!(
            got[0].starts_with("p.toml:2:") && got[0].contains("magic"),
            "{got:?}"
        );
    }

    #[test]
    fn money_in_the_policy_is_exact() {
        let got = problems(
            "[[tiers.levels]]\nname = \"A\"\nmin_spend = 10.005\n[[tiers.levels]]\nname = \"B\"\n",
        );
        assert!(got[0].contains("at most 2 decimal places"), "{got:?}");
    }

    #[test]
    fn default_scorecard_has_the_nine_kpis_weighing_40() {
        let p = Policy::parse("", "p.toml").unwrap();
        assert_eq!(p.kpi.rules.len(), 9);
        let total: Decimal = p.kpi.rules.iter().map(|r| r.weight).sum();
        assert_eq!(total, Decimal::from(40));
    }

    #[test]
    fn kpi_rules_are_checked() {
        let text = "[kpi]\nscoring = \"all_or_nothing\"\n[[kpi.rules]]\nname = \"a\"\nmeasure = \"outcome\"\ntarget = 1.5\nweight = 5\n\
                    [[kpi.rules]]\nname = \"b\"\nmeasure = \"repeat_visit\"\nkind = \"gift\"\ntarget = 0.9\nweight = 1\n";
        let got = problems(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("p.toml:11:") && got[0].contains("unknown order kind \"gift\""),
            "{got:?}"
        );
        let text = "[[kpi.rules]]\nname = \"a\"\nmeasure = \"outcome\"\ntarget = 1.5\nweight = 5\n";
        let got = problems(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with("p.toml:3: kpi.rules[1].measure:") && got[0].contains("needs kind"),
            "{got:?}"
        );
        assert!(
            got[1].starts_with("p.toml:4: kpi.rules[1].target:"),
            "{got:?}"
        );
    }

    #[test]
    fn column_mapping_names_contract_columns() {
        let got = problems("[columns.customers]\ncustomer_id = \"客户编号\"\nnmae = \"姓名\"\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0]
                .starts_with("p.toml:3: columns.customers.nmae: customers has no column \"nmae\""),
            "{got:?}"
        );
    }
}
