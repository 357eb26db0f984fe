//! `caredesk tiers`: the monthly tiering. One row per customer (tier, segment, lifecycle,
//! the figures behind them), or with `--summary` one row per tier.

use crate::app::{fail_on, warn_skipped, Output, Plan};
use crate::cli::TiersArgs;
use crate::domain::tiers::{classify, summarize, Activity, ActivityFold, Standing, TierSummary};
use crate::error::{Problems, Result};
use crate::load::CustomerBook;
use crate::policy::Policy;
use crate::report::{col, Cell, Column, Kind, Rows};

pub fn run(plan: &Plan, args: &TiersArgs) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let mut book =
        plan.load_customers_keeping(&policy, crate::load::Keep { phone: false }, &mut problems)?;
    let mut fold = ActivityFold::new(&policy.tiers, plan.as_of, book.len());
    let stats = plan.scan_orders(&policy, &book, &mut problems, &mut fold)?;
    overflow_problem(&fold, &book, &plan.orders, &mut problems);
    fail_on(problems)?;
    warn_skipped(&stats, &plan.orders);

    let activities = fold.activities;
    book.release_index();
    let standings = classify(&activities, &book, &policy.tiers, plan.as_of);
    let output = Output::resolve(&args.output, false);
    if args.summary {
        let rows = SummaryRows {
            policy: &policy,
            rows: summarize(&activities, &standings, policy.tiers.levels.len()),
        };
        output.write(&rows, &plan.inputs())
    } else {
        let mut order: Vec<u32> = (0..book.len() as u32).collect();
        // Top tier first, then the biggest spenders, then in file order.
        order.sort_unstable_by_key(|&i| {
            let i = i as usize;
            (
                standings[i].tier,
                std::cmp::Reverse(activities[i].spend_cents),
                i,
            )
        });
        let rows = CustomerRows {
            policy: &policy,
            book: &book,
            activities: &activities,
            standings: &standings,
            order,
        };
        output.write(&rows, &plan.inputs())
    }
}

/// A customer whose totals do not fit 64-bit cents is bad data (±92 trillion).
pub fn overflow_problem(
    fold: &ActivityFold,
    book: &CustomerBook,
    orders: &std::path::Path,
    problems: &mut Problems,
) {
    if let Some(c) = fold.overflowed() {
        problems.add(
            &crate::app::display(orders),
            0,
            Some("amount"),
            Some(book.id(c as usize)),
            "this customer's total spend, profit or points exceeds ±92,233,720,368,547,758.07; amounts this large are not supported",
        );
    }
}

const CUSTOMER_COLUMNS: &[Column] = &[
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("tier", Kind::Text),
    col("computed_tier", Kind::Text),
    col("segment", Kind::Text),
    col("lifecycle", Kind::Text),
    col("churned", Kind::Bool),
    col("spend", Kind::Money),
    col("profit", Kind::Money),
    col("sales", Kind::Int),
    col("sales_2y", Kind::Int),
    col("referrals", Kind::Int),
    col("points", Kind::Int),
    col("first_sale", Kind::Date),
    col("last_sale", Kind::Date),
    col("last_visit", Kind::Date),
    col("days_since_visit", Kind::Int),
    col("score", Kind::Score),
    col("care_goal_met", Kind::Bool),
    col("points_clear_on", Kind::Date),
];

struct CustomerRows<'a> {
    policy: &'a Policy,
    book: &'a CustomerBook,
    activities: &'a [Activity],
    standings: &'a [Standing],
    order: Vec<u32>,
}

impl Rows for CustomerRows<'_> {
    fn columns(&self) -> &[Column] {
        CUSTOMER_COLUMNS
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let i = self.order[i] as usize;
        let (a, s) = (&self.activities[i], &self.standings[i]);
        let tier = |t: u16| Cell::Text(&self.policy.tiers.levels[t as usize].name);
        out.extend([
            Cell::Text(self.book.id(i)),
            Cell::Text(self.book.name(i)),
            tier(s.tier),
            tier(s.computed_tier),
            Cell::Text(s.segment.as_str()),
            Cell::Text(s.lifecycle.as_str()),
            Cell::Bool(s.churned),
            Cell::Money(a.spend()),
            Cell::Money(a.profit()),
            Cell::Int(a.sales.into()),
            Cell::Int(a.sales_2y.into()),
            Cell::Int(a.referrals.into()),
            Cell::Int(a.points),
            a.first_sale.into(),
            a.last_sale.into(),
            a.last_visit.into(),
            s.days_since_visit.map(i64::from).into(),
            s.score().into(),
            Cell::Bool(s.care_goal_met),
            s.points_clear_on.into(),
        ]);
    }
}

const SUMMARY_COLUMNS: &[Column] = &[
    col("tier", Kind::Text),
    col("customers", Kind::Int),
    col("customer_share", Kind::Rate),
    col("spend", Kind::Money),
    col("spend_share", Kind::Rate),
    col("churned", Kind::Int),
    col("churn_rate", Kind::Rate),
    col("care_goal_met", Kind::Int),
];

struct SummaryRows<'a> {
    policy: &'a Policy,
    rows: Vec<TierSummary>,
}

impl Rows for SummaryRows<'_> {
    fn columns(&self) -> &[Column] {
        SUMMARY_COLUMNS
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let r = &self.rows[i];
        out.extend([
            Cell::Text(&self.policy.tiers.levels[r.tier as usize].name),
            Cell::Int(r.customers as i64),
            r.customer_share.into(),
            Cell::Money(r.spend),
            r.spend_share.into(),
            Cell::Int(r.churned as i64),
            r.churn_rate.into(),
            Cell::Int(r.care_goal_met as i64),
        ]);
    }
}
