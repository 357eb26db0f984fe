//! The one place `caredesk sql` reads the policy: everything the compiler needs, copied
//! out of [`Policy`] into plain values. When the policy's shape changes, only this file
//! follows it.

use rust_decimal::Decimal;

use crate::domain::half_up;
use crate::policy::{Classes, Measure, Method, Policy, Purchases, Scoring, Target, TierWindow};

/// The policy as the SQL compiler sees it.
#[derive(Debug, Clone)]
pub struct Rules {
    pub tiers: TierRules,
    pub kpi: KpiRules,
    customers: Vec<(String, String)>,
    orders: Vec<(String, String)>,
    complaints: Vec<(String, String)>,
    /// How orders and complaints naming an unknown customer are treated (`skip` or not).
    pub skips_unknown_customers: bool,
}

/// Which input a column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Customers,
    Orders,
    Complaints,
}

impl Rules {
    /// The column of `table` holding the contract's `column`: the policy's
    /// `[columns.*]` header for it, or the contract name.
    pub fn column<'a>(&'a self, table: Table, column: &'a str) -> &'a str {
        let map = match table {
            Table::Customers => &self.customers,
            Table::Orders => &self.orders,
            Table::Complaints => &self.complaints,
        };
        map.iter()
            .find(|(c, _)| c == column)
            .map_or(column, |(_, header)| header.as_str())
    }
}

/// How tiers are assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierMethod {
    /// Lower bounds of spend in cents, one per tier but the last.
    Spend { mins: Vec<i128> },
    /// Score classes by cumulative share of customers, one per tier but the last.
    ScoreShares { cumulative: Vec<Decimal> },
    /// Score classes by a lower bound on the score (0–100), one per tier but the last.
    ScoreMins { mins: Vec<Decimal> },
}

impl TierMethod {
    pub fn is_score(&self) -> bool {
        !matches!(self, TierMethod::Spend { .. })
    }
}

#[derive(Debug, Clone)]
pub struct TierRules {
    pub method: TierMethod,
    /// Tier names, top first.
    pub names: Vec<String>,
    /// Tier window in days; 0 = all time.
    pub window_days: u32,
    /// Score weights: spend, profit, sales.
    pub weights: [Decimal; 3],
    pub refunds_are_purchases: bool,
    pub points_per_unit: Decimal,
    pub active_days: u32,
    pub sleeping_days: u32,
    pub segment_window_days: u32,
    pub min_per_year: Decimal,
    pub top_rank: Decimal,
    pub new_days: u32,
    pub retain_months: u32,
    pub churn_days: u32,
    pub care_min_sales: u32,
    pub care_min_referrals: u32,
}

/// What a KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiMeasure {
    Outcome {
        kind: &'static str,
    },
    RepeatVisit {
        kind: &'static str,
        window_days: u32,
    },
    ComplaintClosure,
    ComplaintResponse {
        hours: u32,
    },
    ComplaintResolution {
        hours: u32,
    },
}

impl KpiMeasure {
    pub fn counts_complaints(self) -> bool {
        matches!(
            self,
            KpiMeasure::ComplaintClosure
                | KpiMeasure::ComplaintResponse { .. }
                | KpiMeasure::ComplaintResolution { .. }
        )
    }
}

#[derive(Debug, Clone)]
pub struct KpiRuleView {
    pub name: String,
    pub label: String,
    pub measure: KpiMeasure,
    pub target: Decimal,
    pub weight: Decimal,
    /// The scorecard's spelling of the target (`0.9500`) and the weight (`5.00`).
    pub target_text: String,
    pub weight_text: String,
    /// The points of a met KPI, rounded as the scorecard rounds them (`5.00`).
    pub met_points_text: String,
}

#[derive(Debug, Clone)]
pub struct KpiRules {
    pub all_or_nothing: bool,
    pub rules: Vec<KpiRuleView>,
    /// The satisfaction KPIs of weight 0, left out: they read the contact log, the survey
    /// answers and the call list, which the query does not; weighing nothing, they leave
    /// the totals as they are.
    pub left_out: Vec<String>,
    /// Why the scorecard cannot be compiled, when a rule needs what SQL does not hold.
    pub refused: Option<String>,
}

impl Rules {
    pub fn of(policy: &Policy) -> Rules {
        let t = &policy.tiers;
        let (method, weights) = match &t.method {
            Method::Spend { min_spend } => (
                TierMethod::Spend {
                    mins: min_spend.iter().map(|c| c.0).collect(),
                },
                [Decimal::ZERO; 3],
            ),
            Method::Score { weights, classes } => {
                let w = [weights.spend, weights.profit, weights.sales];
                match classes {
                    Classes::Shares(shares) => {
                        let mut sum = Decimal::ZERO;
                        let cumulative = shares
                            .iter()
                            .map(|s| {
                                sum += *s;
                                sum
                            })
                            .collect();
                        (TierMethod::ScoreShares { cumulative }, w)
                    }
                    Classes::MinScores(mins) => (TierMethod::ScoreMins { mins: mins.clone() }, w),
                }
            }
        };
        let seg = &t.segments;
        let pair = |m: &std::collections::BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        };
        Rules {
            tiers: TierRules {
                method,
                names: t.levels.iter().map(|l| l.name.clone()).collect(),
                window_days: match t.window {
                    TierWindow::AllTime => 0,
                    TierWindow::Last(d) => d.get(),
                },
                weights,
                refunds_are_purchases: t.purchases == Purchases::AllSales,
                points_per_unit: t.points_per_unit,
                active_days: t.lifecycle.active_days.get(),
                sleeping_days: t.lifecycle.sleeping_days.get(),
                segment_window_days: seg.window_days.get(),
                min_per_year: seg.min_per_year,
                top_rank: seg.top_rank,
                new_days: seg.new_days.get(),
                retain_months: seg.retain_months.get(),
                churn_days: t.churn_days.get(),
                care_min_sales: t.care_goal.min_sales,
                care_min_referrals: t.care_goal.min_referrals,
            },
            kpi: kpi_rules(policy),
            customers: pair(&policy.columns.customers),
            orders: pair(&policy.columns.orders),
            complaints: pair(&policy.columns.complaints),
            skips_unknown_customers: policy.validation.unknown_customer
                == crate::policy::UnknownCustomer::Skip,
        }
    }
}

/// The scorecard as SQL compiles it (docs/rules.md §6, §9.4).
fn kpi_rules(policy: &Policy) -> KpiRules {
    let mut left_out = Vec::new();
    let mut refused = None;
    let mut rules = Vec::new();
    for r in &policy.kpi.rules {
        let measure = match r.measure {
            Measure::Outcome(kind) => KpiMeasure::Outcome {
                kind: kind.as_str(),
            },
            Measure::RepeatVisit { kind, window } => KpiMeasure::RepeatVisit {
                kind: kind.as_str(),
                window_days: window.get(),
            },
            Measure::ComplaintClosure => KpiMeasure::ComplaintClosure,
            Measure::ComplaintResponse(h) => KpiMeasure::ComplaintResponse { hours: h.get() },
            Measure::ComplaintResolution(h) => KpiMeasure::ComplaintResolution { hours: h.get() },
            Measure::Csat | Measure::SurveyCoverage | Measure::FollowupDone => {
                if r.weight.is_zero() {
                    left_out.push(r.name.clone());
                } else {
                    refused.get_or_insert(format!(
                        "KPI {:?} weighs {} points and reads the contact log and the survey answers, which the query \
                         does not: give it weight 0 (it is then left out), or score it with `caredesk kpi`",
                        r.name,
                        r.weight.normalize()
                    ));
                }
                continue;
            }
        };
        let target = match r.target {
            Target::Rate(t) => t,
            Target::Average => {
                refused.get_or_insert(format!(
                    "KPI {:?} aims at the average of all groups (target = \"average\"), which the query does not \
                     compile: score it with `caredesk kpi`",
                    r.name
                ));
                continue;
            }
        };
        rules.push(KpiRuleView {
            name: r.name.clone(),
            label: r.label.clone(),
            measure,
            target,
            weight: r.weight,
            target_text: format!("{:.4}", half_up(target, 4)),
            weight_text: format!("{:.2}", half_up(r.weight, 2)),
            met_points_text: format!("{:.2}", half_up(r.weight, 2)),
        });
    }
    KpiRules {
        all_or_nothing: policy.kpi.scoring == Scoring::AllOrNothing,
        rules,
        left_out,
        refused,
    }
}
