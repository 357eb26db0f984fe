//! `caredesk kpi`: the monthly service scorecard, for the whole desk or per consultant,
//! store or month.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::app::{fail_on, warn_skipped, Output, Plan};
use crate::cli::{KpiArgs, KpiGroup};
use crate::domain::half_up;
use crate::domain::kpi::{total, Grouping, KpiFold, Period, Score, Total};
use crate::error::{Error, Problems, Result};
use crate::policy::{KpiRule, Policy};
use crate::report::{col, Cell, Column, Kind, Rows};

pub fn run(plan: &Plan, args: &KpiArgs) -> Result<()> {
    let period = period(args, plan.as_of)?;
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;

    let (names, grouping) = match args.scope.by {
        None => (vec!["all".to_string()], Grouping::All),
        Some(KpiGroup::Month) => (
            period.months(),
            Grouping::ByMonth {
                first_month: period.from,
            },
        ),
        Some(by) => {
            // Owners and stores are few and interned in the book: borrow them.
            let attribute = |i: usize| {
                let c = book.get(i);
                let v = if by == KpiGroup::Owner {
                    c.owner
                } else {
                    c.store
                };
                v.unwrap_or("(none)")
            };
            let distinct: std::collections::BTreeSet<&str> =
                (0..book.len()).map(attribute).collect();
            let names: Vec<&str> = distinct.into_iter().collect();
            let of_customer = (0..book.len())
                .map(|i| names.binary_search(&attribute(i)).unwrap_or(0) as u32)
                .collect();
            let names = names.into_iter().map(str::to_string).collect();
            (names, Grouping::ByCustomer { of_customer })
        }
    };

    let mut fold = KpiFold::new(&policy.kpi, period, plan.as_of, grouping, names.len());
    let stats = plan.scan_orders(
        &policy,
        &book,
        &mut problems,
        |order: &crate::model::Order<'_>| fold.add(order),
    )?;
    let complaints = plan.load_complaints(&policy, &book, &mut problems)?;
    fail_on(problems)?;
    warn_skipped(&stats, &plan.orders);
    crate::app::warn_empty_orders(plan, book.len(), &stats);
    if let Some(complaints) = &complaints {
        fold.add_complaints(complaints);
    }
    let scores = fold.finish();
    let mut groups: Vec<Group> = names
        .into_iter()
        .zip(scores)
        .map(|(name, scores)| Group {
            total: total(&scores, &policy.kpi.rules),
            name,
            scores,
        })
        .collect();
    if matches!(args.scope.by, Some(KpiGroup::Owner | KpiGroup::Store)) {
        // The ranking: the best share of the points at stake first.
        groups.sort_by(|a, b| {
            b.share()
                .cmp(&a.share())
                .then(b.total.points.cmp(&a.total.points))
                .then(a.name.cmp(&b.name))
        });
    }
    let rows = Scorecard {
        policy: &policy,
        period,
        groups,
        no_complaints: complaints.is_none(),
    };
    Output::resolve(&args.output, false).write(&rows, &plan.inputs())
}

/// The period asked for: `--month`, `--from`/`--to`, or the month before as-of.
fn period(args: &KpiArgs, as_of: NaiveDate) -> Result<Period> {
    let s = &args.scope;
    let period = Period::asked(s.month, s.from, s.to, as_of).map_err(Error::Usage)?;
    // Nothing in it has happened as of that day: a scorecard of n/a would look like one.
    if period.from > as_of {
        return Err(Error::Usage(format!(
            "the period starts on {}, after the as-of date {as_of}: nothing in it has happened yet (give --as-of a later day, or another --month)",
            period.from
        )));
    }
    Ok(period)
}

struct Group {
    name: String,
    scores: Vec<Score>,
    total: Total,
}

impl Group {
    /// Points earned per point at stake; groups with nothing assessed rank last.
    fn share(&self) -> Option<Decimal> {
        (self.total.weight > Decimal::ZERO).then(|| self.total.points / self.total.weight)
    }
}

const COLUMNS: &[Column] = &[
    col("group", Kind::Text),
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

struct Scorecard<'a> {
    policy: &'a Policy,
    period: Period,
    groups: Vec<Group>,
    no_complaints: bool,
}

impl Scorecard<'_> {
    fn rules(&self) -> &[KpiRule] {
        &self.policy.kpi.rules
    }

    /// (group, rule) for row `i`; rule `None` is the group's total row.
    fn at(&self, i: usize) -> (&Group, Option<usize>) {
        let per = self.rules().len() + 1;
        let g = &self.groups[i / per];
        let r = i % per;
        (g, (r < self.rules().len()).then_some(r))
    }
}

impl Rows for Scorecard<'_> {
    fn columns(&self) -> &[Column] {
        COLUMNS
    }

    fn len(&self) -> usize {
        self.groups.len() * (self.rules().len() + 1)
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let (g, r) = self.at(i);
        match r {
            Some(r) => {
                let (rule, s) = (&self.rules()[r], &g.scores[r]);
                out.extend([
                    Cell::Text(&g.name),
                    Cell::Text(&rule.name),
                    Cell::Text(&rule.label),
                    Cell::Int(s.tally.assessed() as i64),
                    Cell::Int(s.tally.passed as i64),
                    Cell::Int(s.tally.failed as i64),
                    s.rate.into(),
                    Cell::Dec(half_up(rule.target, 4)),
                    s.met.map_or(Cell::Empty, Cell::Bool),
                    Cell::Dec(half_up(rule.weight, 2)),
                    Cell::Dec(s.points),
                ]);
            }
            None => out.extend([
                Cell::Text(&g.name),
                Cell::Text("total"),
                Cell::Text("points earned of the assessed KPIs' weights"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Dec(g.total.weight),
                Cell::Dec(g.total.points),
            ]),
        }
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        let (g, r) = self.at(i);
        COLUMNS[column].name == "met" && r.is_some_and(|r| g.scores[r].met == Some(false))
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec![format!(
            "period: {} to {}",
            self.period.from, self.period.to
        )];
        let na: Vec<String> = self
            .groups
            .iter()
            .flat_map(|g| {
                g.scores
                    .iter()
                    .zip(self.rules())
                    .filter(|(s, _)| s.is_na())
                    .map(move |(_, rule)| {
                        if self.groups.len() == 1 {
                            rule.name.clone()
                        } else {
                            format!("{} ({})", rule.name, g.name)
                        }
                    })
            })
            .collect();
        if !na.is_empty() {
            notes.push(format!(
                "n/a — nothing assessed, so neither met nor failed, and left out of the total's weights: {}",
                na.join(", ")
            ));
        }
        if self.no_complaints {
            notes.push("no complaints file: the complaint KPIs are n/a".to_string());
        }
        notes
    }
}
