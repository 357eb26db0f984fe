//! The cells of the domain's records, for every command that shows them: a tier's line of
//! the summary (`tiers --summary`, the report's tiers section) and a KPI's line of the
//! scorecard (`kpi`, the report's KPI section) and a question's line of the survey table
//! (`survey`, the report's satisfaction section), so both show the same columns the same
//! way.

use super::{col, Cell, Column, Kind};
use crate::domain::half_up;
use crate::domain::kpi::{Score, Total};
use crate::domain::survey::{QuestionLine, SurveyTable};
use crate::domain::tiers::TierSummary;
use crate::policy::{KpiRule, Policy, SurveyPolicy, OVERALL};

/// A tier's line of the summary (docs/rules.md §3.8).
pub const TIER_SUMMARY: [Column<'static>; 8] = [
    col("tier", Kind::Text),
    col("customers", Kind::Int),
    col("customer_share", Kind::Rate),
    col("spend", Kind::Money),
    col("spend_share", Kind::Rate),
    col("churned", Kind::Int),
    col("churn_rate", Kind::Rate),
    col("care_goal_met", Kind::Int),
];

pub fn tier_summary<'a>(policy: &'a Policy, r: &TierSummary) -> [Cell<'a>; 8] {
    [
        Cell::Text(&policy.tiers.levels[r.tier as usize].name),
        Cell::Int(r.customers as i64),
        r.customer_share.into(),
        Cell::Money(r.spend),
        r.spend_share.into(),
        Cell::Int(r.churned as i64),
        r.churn_rate.into(),
        Cell::Int(r.care_goal_met as i64),
    ]
}

/// A KPI's line of the scorecard (§6).
pub const KPI_SCORE: [Column<'static>; 10] = [
    col("kpi", Kind::Text),
    col("label", Kind::Text),
    col("assessed", Kind::Int),
    col("passed", Kind::Int),
    col("failed", Kind::Int),
    col("rate", Kind::Rate),
    col("target", Kind::Rate),
    col("met", Kind::Bool),
    col("weight", Kind::Score),
    col("points", Kind::Score),
];

/// Where a missed target is marked in [`KPI_SCORE`].
pub const KPI_MET: usize = 7;

pub fn kpi_score<'a>(rule: &'a KpiRule, s: &Score) -> [Cell<'a>; 10] {
    [
        Cell::Text(&rule.name),
        Cell::Text(&rule.label),
        Cell::Int(s.tally.assessed() as i64),
        Cell::Int(s.tally.passed as i64),
        Cell::Int(s.tally.failed as i64),
        s.rate.into(),
        s.target.into(),
        s.met.map_or(Cell::Empty, Cell::Bool),
        Cell::Dec(half_up(rule.weight, 2)),
        Cell::Dec(s.points),
    ]
}

/// The scorecard's total line: `name` and `label` in the first columns, the assessed
/// weights and the points in the last.
pub fn kpi_total<'a>(name: &'a str, label: &'a str, total: &Total) -> [Cell<'a>; 10] {
    [
        Cell::Text(name),
        Cell::Text(label),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Dec(total.weight),
        Cell::Dec(total.points),
    ]
}

/// A question's line of the survey table (§9.3), after its group: the form, the
/// question, its label, the calls, the rated answers, the mean, the target, met, and on
/// the overall line CSAT.
pub const SURVEY_LINE: [Column<'static>; 9] = [
    col("form", Kind::Text),
    col("question", Kind::Text),
    col("label", Kind::Text),
    col("calls", Kind::Int),
    col("rated", Kind::Int),
    col("mean", Kind::Score),
    col("target", Kind::Score),
    col("met", Kind::Bool),
    col("csat", Kind::Rate),
];

/// Where a missed target is marked in [`SURVEY_LINE`].
pub const SURVEY_MET: usize = 7;

pub fn survey_line<'a>(
    survey: &'a SurveyPolicy,
    table: &SurveyTable,
    l: &QuestionLine,
) -> [Cell<'a>; 9] {
    let form = &survey.forms[l.form];
    let q = &form.questions[l.question];
    let csat = (q.id == OVERALL)
        .then(|| table.csat(l.group, l.form))
        .flatten();
    [
        Cell::Text(&form.name),
        Cell::Text(&q.id),
        Cell::Text(&q.label),
        Cell::Int(l.tally.calls as i64),
        Cell::Int(l.tally.rated as i64),
        l.tally.mean().into(),
        Cell::Dec(half_up(q.target, 2)),
        l.tally.met(q.target).map_or(Cell::Empty, Cell::Bool),
        csat.into(),
    ]
}
