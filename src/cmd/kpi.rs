//! `caredesk kpi`: the monthly service scorecard, for the whole desk or per consultant,
//! store or month.

use chrono::NaiveDate;

use crate::app::{fail_on, groups, warn_skipped, Output, Plan};
use crate::cli::{KpiArgs, KpiGroup};
use crate::domain::due::{items_due_in, Day, DueFold, DueInputs};
use crate::domain::kpi::{may_count_items_of, rank, GroupScore, ItemFacts, KpiFold, Period};
use crate::domain::survey::{overalls, CallLog};
use crate::domain::tiers::ActivityFold;
use crate::error::{Error, Problems, Result};
use crate::policy::{KpiRule, Measure, Policy, Trigger};
use crate::report::rows::{kpi_score, kpi_total, KPI_MET, KPI_SCORE};
use crate::report::{col, Cell, Column, Kind, Rows};

pub fn run(plan: &Plan, args: &KpiArgs) -> Result<()> {
    let period = period(args, plan.as_of)?;
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;

    let (names, grouping) = groups(&book, args.scope.by, period);

    let mut fold = KpiFold::new(&policy.kpi, period, plan.as_of, grouping, names.len());
    let items = ItemPlan::new(&policy, period, plan.as_of);
    let mut due = items.period.map(|p| {
        DueFold::of_rules(&policy.due, Day::spanning(p), book.len(), |r| {
            items.wanted[r]
        })
    });
    let mut tiers = match (items.period, items.needs_tiers) {
        (Some(p), true) => Some(ActivityFold::new(&policy.tiers, p.to, book.len())),
        _ => None,
    };
    let sink = Folds {
        scorecard: &mut fold,
        due: due.as_mut(),
        tiers: tiers.as_mut(),
        items_end: items.period.map_or(NaiveDate::MIN, |p| p.to),
    };
    let stats = plan.scan_orders(&policy, &book, &mut problems, sink)?;
    let complaints = plan.load_complaints(&policy, &book, &mut problems)?;
    let uses = |m: fn(Measure) -> bool| policy.kpi.rules.iter().any(|r| m(r.measure));
    let contacts = match due.is_some() {
        true => plan.load_contacts(&policy, &book, &mut problems)?,
        false => Vec::new(),
    };
    let answers = match uses(|m| matches!(m, Measure::Csat | Measure::SurveyCoverage)) {
        true => plan.load_answers(&policy, &book, &mut problems)?,
        false => Vec::new(),
    };
    let standings = match tiers {
        Some(t) => Some(plan.tiering(&policy, &book, t, &[], problems)?.standings),
        None => {
            fail_on(problems)?;
            None
        }
    };
    warn_skipped(&stats, &plan.orders);
    crate::app::warn_empty_orders(plan, book.len(), &stats);
    if let Some(complaints) = &complaints {
        fold.add_complaints(complaints);
    }
    fold.add_overalls(&overalls(&answers, plan.as_of), &policy.survey.scale);
    if let Some(due) = due {
        let inputs = DueInputs {
            book: &book,
            standings: standings.as_deref(),
            complaints: complaints.as_deref().unwrap_or_default(),
            contacts: &contacts,
            answers: &answers,
        };
        let log = CallLog::new(&contacts, &answers, plan.as_of);
        let tier_of: Option<Vec<u16>> =
            inputs.standings.map(|s| s.iter().map(|s| s.tier).collect());
        let facts = ItemFacts {
            due: &policy.due,
            survey: &policy.survey,
            tiers: tier_of.as_deref(),
            log: &log,
        };
        items_due_in(due, &inputs, |item| fold.add_item(&item, &facts));
    }
    let mut groups = GroupScore::all(names, fold.finish(), &policy.kpi.rules);
    if matches!(args.scope.by, Some(KpiGroup::Owner | KpiGroup::Store)) {
        rank(&mut groups);
    }
    let rows = Scorecard {
        columns: columns(),
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

/// The folds the orders go through: the scorecard's, and for the item measures the call
/// list's and the tiers' (only the rows up to the items' last day). Each customer's state
/// is asked for ahead of the row, so the scattered loads overlap.
struct Folds<'f, 'p> {
    scorecard: &'f mut KpiFold<'p>,
    due: Option<&'f mut DueFold<'p>>,
    tiers: Option<&'f mut ActivityFold>,
    items_end: NaiveDate,
}

impl crate::load::OrderSink for Folds<'_, '_> {
    #[inline]
    fn prefetch(&self, customer: u32) {
        self.scorecard.prefetch(customer);
        if let Some(due) = &self.due {
            due.prefetch(customer);
        }
        if let Some(tiers) = &self.tiers {
            tiers.prefetch(customer);
        }
    }

    /// The scorecard reads no order id; the call list's fold, only those of its first
    /// useful day on (DueFold::ids_from).
    fn ids_from(&self) -> Option<chrono::NaiveDate> {
        self.due.as_ref().map(|due| due.ids_from())
    }

    #[inline]
    fn visit(&mut self, order: &crate::model::Order<'_>) {
        self.scorecard.add(order);
        if order.date <= self.items_end {
            if let Some(due) = &mut self.due {
                due.add(order);
            }
            if let Some(tiers) = &mut self.tiers {
                tiers.add(order);
            }
        }
    }
}

/// What the item measures (survey coverage, follow-ups done) need from the call list:
/// the items of which rules, due when, and whether tiers matter.
struct ItemPlan {
    /// The days whose items count: the period up to as-of (what is due later has not
    /// come yet); `None` when no rule counts items or the period starts after as-of.
    period: Option<Period>,
    /// Per due rule, whether some item measure counts its items.
    wanted: Vec<bool>,
    /// Whether some rule selects by tier (tiers then are folded as of the period's end).
    needs_tiers: bool,
}

impl ItemPlan {
    fn new(policy: &Policy, period: Period, as_of: NaiveDate) -> ItemPlan {
        let measures: Vec<&KpiRule> = policy
            .kpi
            .rules
            .iter()
            .filter(|r| matches!(r.measure, Measure::SurveyCoverage | Measure::FollowupDone))
            .filter(|r| !r.tiers.is_empty())
            .collect();
        let wanted: Vec<bool> = (0..policy.due.rules.len())
            .map(|r| {
                measures
                    .iter()
                    .any(|k| may_count_items_of(k.measure, r, &policy.due, &policy.survey))
            })
            .collect();
        let needs_tiers = measures.iter().any(|k| !k.tiers.is_all_or_none())
            || policy.due.rules.iter().zip(&wanted).any(|(rule, &w)| {
                w && (!rule.tiers.is_all_or_none()
                    || matches!(rule.trigger, Trigger::PointsExpiry(_)))
            });
        let to = period.to.min(as_of);
        ItemPlan {
            period: (wanted.contains(&true) && period.from <= to).then_some(Period {
                from: period.from,
                to,
            }),
            wanted,
            needs_tiers,
        }
    }
}

/// The scorecard's columns: the group, then a KPI's line.
fn columns() -> Vec<Column<'static>> {
    std::iter::once(col("group", Kind::Text))
        .chain(KPI_SCORE)
        .collect()
}

struct Scorecard<'a> {
    columns: Vec<Column<'static>>,
    policy: &'a Policy,
    period: Period,
    groups: Vec<GroupScore>,
    no_complaints: bool,
}

impl Scorecard<'_> {
    fn rules(&self) -> &[KpiRule] {
        &self.policy.kpi.rules
    }

    /// (group, rule) for row `i`; rule `None` is the group's total row.
    fn at(&self, i: usize) -> (&GroupScore, Option<usize>) {
        let per = self.rules().len() + 1;
        let g = &self.groups[i / per];
        let r = i % per;
        (g, (r < self.rules().len()).then_some(r))
    }
}

impl Rows for Scorecard<'_> {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.groups.len() * (self.rules().len() + 1)
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let (g, r) = self.at(i);
        out.push(Cell::Text(&g.name));
        match r {
            Some(r) => out.extend(kpi_score(&self.rules()[r], &g.scores[r])),
            None => out.extend(kpi_total(
                "total",
                "points earned of the assessed KPIs' weights",
                &g.total,
            )),
        }
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        let (g, r) = self.at(i);
        column == KPI_MET + 1 && r.is_some_and(|r| g.scores[r].met == Some(false))
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
