//! `caredesk tiers`: the monthly tiering. One row per customer (tier, segment, lifecycle,
//! the figures behind them), or with `--summary` one row per tier. `--overrides` pins
//! tiers by hand; `--previous` adds last period's tier and the movement (and, with
//! `--summary`, the from×to matrix).

use std::collections::HashMap;

use crate::app::{warn_skipped, Output, Plan};
use crate::cli::TiersArgs;
use crate::domain::tiers::{
    list_order, movement_matrix, summarize, Activity, ActivityFold, Movement, Standing,
    TierSummary, Tiering,
};
use crate::error::{Problems, Result};
use crate::load::{CustomerBook, Override};
use crate::policy::Policy;
use crate::report::rows::{tier_summary, TIER_SUMMARY};
use crate::report::{col, Cell, Column, Kind, Rows};

pub fn run(plan: &Plan, args: &TiersArgs) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let mut book =
        plan.load_customers_keeping(&policy, crate::load::Keep { phone: false }, &mut problems)?;
    let mut fold = ActivityFold::new(&policy.tiers, plan.as_of, book.len());
    let stats = plan.scan_orders(&policy, &book, &mut problems, &mut fold)?;
    let overrides = match &args.overrides {
        Some(path) => plan.load_overrides(path, &policy, &book, &mut problems)?,
        None => Vec::new(),
    };
    let previous = match &args.previous {
        Some(path) => Some(plan.load_previous(path, &policy, &mut problems)?),
        None => None,
    };
    if previous.is_none() {
        // Ids are looked up again only to match last period's customers.
        book.release_index();
    }
    crate::app::hint_hand_files(
        &mut problems,
        args.overrides.as_deref(),
        args.previous.as_deref(),
    );
    let Tiering {
        activities,
        standings,
        pinned,
        ..
    } = plan.tiering(&policy, &book, fold, &overrides, problems)?;
    warn_skipped(&stats, &plan.orders);
    crate::app::warn_empty_orders(plan, book.len(), &stats);
    let inputs = plan.inputs();
    let output = Output::resolve(&args.output, false);
    let tier_names: Vec<&str> = policy.tier_names().collect();

    // Last period, by customer id: (name, tier).
    let before: Option<HashMap<&str, (&str, u16)>> = previous.as_ref().map(|p| {
        p.rows
            .iter()
            .map(|(id, name, tier)| (id.as_str(), (name.as_str(), *tier)))
            .collect()
    });

    if args.summary {
        if let Some(before) = &before {
            let rows = Matrix::new(&tier_names, &book, &standings, before);
            return output.write(&rows, &inputs);
        }
        let rows = SummaryRows {
            policy: &policy,
            rows: summarize(&activities, &standings, policy.tiers.levels.len()),
        };
        return output.write(&rows, &inputs);
    }

    let order = list_order(&activities, &standings);
    let mut columns = CUSTOMER_COLUMNS.to_vec();
    let mut gone = Vec::new();
    let mut previous_tier = Vec::new();
    if let Some(before) = &before {
        columns.extend([
            col("previous_tier", Kind::Text),
            col("movement", Kind::Text),
        ]);
        previous_tier = (0..book.len())
            .map(|i| before.get(book.id(i)).map(|(_, t)| *t))
            .collect();
        let mut left: Vec<(&str, &str, u16)> = before
            .iter()
            .filter(|(id, _)| book.find(id.as_bytes()).is_none())
            .map(|(id, (name, tier))| (*id, *name, *tier))
            .collect();
        left.sort();
        gone = left;
    }
    let rows = CustomerRows {
        policy: &policy,
        book: &book,
        activities: &activities,
        standings: &standings,
        order,
        columns,
        overrides: &overrides,
        pinned,
        previous_tier,
        gone,
    };
    output.write(&rows, &inputs)
}

const CUSTOMER_COLUMNS: &[Column<'static>] = &[
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
    // Filled by hand in a spreadsheet and read back with --overrides.
    col("override_tier", Kind::Text),
    col("override_reason", Kind::Text),
];

struct CustomerRows<'a> {
    policy: &'a Policy,
    book: &'a CustomerBook,
    activities: &'a [Activity],
    standings: &'a [Standing],
    order: Vec<u32>,
    columns: Vec<Column<'static>>,
    overrides: &'a [Override],
    pinned: HashMap<u32, usize>,
    /// With --previous: each customer's tier last period.
    previous_tier: Vec<Option<u16>>,
    /// With --previous: customers of last period no longer in the customer file.
    gone: Vec<(&'a str, &'a str, u16)>,
}

impl Rows for CustomerRows<'_> {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.order.len() + self.gone.len()
    }

    /// Rows come by tier and spend, so each is somewhere else in memory: load a row's
    /// state [`PREFETCH`](crate::report::PREFETCH) rows ahead, and its id and name
    /// (whose place the state gives) half as far ahead.
    fn prefetch(&self, i: usize) {
        if let Some(&c) = self.order.get(i) {
            let c = c as usize;
            self.book.prefetch_row(c);
            if let (Some(a), Some(s)) = (self.activities.get(c), self.standings.get(c)) {
                crate::hint::prefetch(a);
                crate::hint::prefetch(s);
            }
        }
        if let Some(&c) = self.order.get(i.wrapping_sub(crate::report::PREFETCH / 2)) {
            self.book.prefetch_text(c as usize);
        }
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let tier = |t: u16| Cell::Text(&self.policy.tiers.levels[t as usize].name);
        let Some(&i) = self.order.get(i) else {
            // a customer gone since last period
            let (id, name, before) = self.gone[i - self.order.len()];
            out.extend([Cell::Text(id), Cell::Text(name)]);
            out.extend(std::iter::repeat_n(Cell::Empty, CUSTOMER_COLUMNS.len() - 2));
            out.extend([tier(before), Cell::Text(Movement::Gone.as_str())]);
            return;
        };
        let i = i as usize;
        let (a, s) = (&self.activities[i], &self.standings[i]);
        let pinned = self.pinned.get(&(i as u32)).map(|&o| &self.overrides[o]);
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
            s.days_since_visit.get().map(i64::from).into(),
            s.score().into(),
            Cell::Bool(s.care_goal_met),
            s.points_clear_on.into(),
            pinned.map_or(Cell::Empty, |o| tier(o.tier)),
            pinned.map_or(Cell::Empty, |o| Cell::Text(&o.reason)),
        ]);
        if !self.previous_tier.is_empty() {
            let before = self.previous_tier[i];
            out.push(before.map_or(Cell::Empty, tier));
            out.push(Cell::Text(Movement::between(Some(s.tier), before).as_str()));
        }
    }
}

struct SummaryRows<'a> {
    policy: &'a Policy,
    rows: Vec<TierSummary>,
}

impl Rows for SummaryRows<'_> {
    fn columns(&self) -> &[Column<'_>] {
        &TIER_SUMMARY
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        out.extend(tier_summary(self.policy, &self.rows[i]));
    }
}

/// The from×to matrix: a row per last period's tier (and `new`), a column per tier now
/// (and `gone`), counts of customers.
struct Matrix {
    columns: Vec<Column<'static>>,
    labels: Vec<String>,
    counts: Vec<Vec<i64>>,
}

impl Matrix {
    fn new(
        tiers: &[&str],
        book: &CustomerBook,
        standings: &[Standing],
        before: &HashMap<&str, (&str, u16)>,
    ) -> Matrix {
        let counts = movement_matrix(
            tiers.len(),
            standings.iter().enumerate().map(|(i, s)| {
                let before = before.get(book.id(i)).map(|(_, t)| *t);
                (before, s.tier)
            }),
            before
                .iter()
                .filter(|(id, _)| book.find(id.as_bytes()).is_none())
                .map(|(_, (_, t))| *t),
        );
        // Column names live as long as the program: a handful of tier names.
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut columns = vec![col("from", Kind::Text)];
        columns.extend(
            tiers
                .iter()
                .map(|t| col(leak(format!("to_{t}")), Kind::Int)),
        );
        columns.extend([col("gone", Kind::Int), col("total", Kind::Int)]);
        let mut labels: Vec<String> = tiers.iter().map(|t| t.to_string()).collect();
        labels.push("new".into());
        Matrix {
            columns,
            labels,
            counts,
        }
    }
}

impl Rows for Matrix {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.labels.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        out.push(Cell::Text(&self.labels[i]));
        out.extend(self.counts[i].iter().map(|&c| Cell::Int(c)));
    }

    fn notes(&self) -> Vec<String> {
        vec!["rows: last period's tier (new: not in it); columns: the tier now (gone: no longer a customer)".into()]
    }
}
