//! `caredesk report`: the monthly report (docs/rules.md §11), as a workbook or a web
//! page. Everything is as of the month's last day `E` (or `--as-of`, when the month is
//! not over): the tiers at `E` and at the previous month's end, twelve months of KPIs,
//! the month's follow-ups and complaints. One pass over orders.csv feeds every fold: two
//! tierings, the KPI trend, the owners' scorecards and the follow-ups of two months.

mod build;
mod words;

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use chrono::NaiveDate;

use crate::app::{groups, warn_skipped, write_output, JobKinds, Plan};
use crate::cli::{KpiGroup, ReportArgs, ReportFormat};
use crate::domain::due::{items_due_in, Day, DueFold, DueInputs};
use crate::domain::kpi::{
    counts_items_of, may_count_items_of, Grouping, ItemFacts, KpiFold, Period,
};
use crate::domain::survey::{overalls, CallLog, FollowupTally};
use crate::domain::tiers::{ActivityFold, Tiering};
use crate::error::{Error, Problems, Result};
use crate::model::{Order, OrderKind};
use crate::policy::{Measure, Policy};
use crate::report::{book, page};

pub use build::{Facts, FollowUps};

pub fn run(plan: &Plan, args: &ReportArgs) -> Result<()> {
    let format = format_of(args)?;
    let month = args
        .month
        .map(Period::month_of)
        .unwrap_or_else(|| Period::month_before(plan.as_of));
    if month.from > plan.as_of {
        return Err(Error::Usage(format!(
            "--month {}: has not begun on {} (the as-of day); a report covers a month up to its end",
            month.from.format("%Y-%m"),
            plan.as_of
        )));
    }
    // The world as it was at the month's end: later rows have not happened yet.
    let cut = month.to.min(plan.as_of);
    let plan = &Plan {
        as_of: cut,
        ..plan.clone()
    };
    let before_month = Period::month_before(month.from);
    let trend = Period {
        from: months_back(month.from, 11),
        to: month.to,
    };

    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    let n = book.len();
    let mut now = ActivityFold::new(&policy.tiers, cut, n);
    let mut before = ActivityFold::new(&policy.tiers, before_month.to, n);
    let months = trend.months();
    let by_month = Grouping::ByMonth {
        first_month: trend.from,
    };
    let mut kpi_trend = KpiFold::new(&policy.kpi, trend, cut, by_month, months.len());
    let (owners, of_owner) = groups(&book, Some(KpiGroup::Owner), month);
    let mut kpi_owners = KpiFold::new(&policy.kpi, month, cut, of_owner.clone(), owners.len());
    // The call-list items of each month, for the follow-ups and the item KPIs (§9.4).
    let wanted = item_rules(&policy);
    let to_cut = Period {
        from: month.from,
        to: cut,
    };
    let mut due_before =
        DueFold::of_rules(&policy.due, Day::spanning(before_month), n, |r| wanted[r]);
    let mut due_now = DueFold::of_rules(&policy.due, Day::spanning(to_cut), n, |r| wanted[r]);
    // The answers come before the pass: the kinds of the jobs they survey are found in it.
    let answers = plan.load_answers(&policy, &book, &mut problems)?;
    let mut jobs = JobKinds::new(&policy, &answers);
    let mut sink = Folds {
        now: &mut now,
        before: &mut before,
        before_end: before_month.to,
        kpi_trend: &mut kpi_trend,
        kpi_owners: &mut kpi_owners,
        due_before: &mut due_before,
        due_now: &mut due_now,
        cut,
        jobs: &mut jobs,
        month,
        before_month,
        spend: [0; 2],
        first_row: None,
    };
    // The one pass: each fold takes what it needs of every row.
    let stats = plan.scan_orders(&policy, &book, &mut problems, &mut sink)?;
    let (spend, first_row) = (sink.spend, sink.first_row);
    let complaints = plan.load_complaints(&policy, &book, &mut problems)?;
    let contacts = plan.load_contacts(&policy, &book, &mut problems)?;
    let overrides = match &args.overrides {
        Some(path) => plan.load_overrides(path, &policy, &book, &mut problems)?,
        None => Vec::new(),
    };
    let previous = match &args.previous {
        Some(path) => Some(plan.load_previous(path, &policy, &mut problems)?),
        None => None,
    };
    // The two month-ends are classified side by side, one on each core.
    let (now, before) = std::thread::scope(|scope| {
        let before = scope.spawn(|| Tiering::from_fold(before, &book, &policy.tiers, &overrides));
        let now = plan.tiering(&policy, &book, now, &overrides, problems);
        (now, before.join())
    });
    let now = now?;
    let before = match before {
        Ok(before) => before.map_err(|o| {
            let mut problems = Problems::new();
            problems.push(plan.overflow_problem(o, &policy, &book));
            Error::Invalid(problems)
        })?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    warn_skipped(&stats, &plan.orders);
    if let Some(c) = &complaints {
        kpi_trend.add_complaints(c);
        kpi_owners.add_complaints(c);
    }
    let calls = overalls(&answers, cut);
    kpi_trend.add_overalls(&calls, &policy.survey.scale);
    kpi_owners.add_overalls(&calls, &policy.survey.scale);
    let log = CallLog::new(&contacts, &answers, cut);
    let items = Items {
        policy: &policy,
        book: &book,
        complaints: complaints.as_deref().unwrap_or_default(),
        contacts: &contacts,
        answers: &answers,
        log: &log,
        cut,
    };
    let rules = policy.due.rules.len();
    let mut follow = FollowUps {
        by_rule: vec![FollowupTally::default(); rules],
        by_owner: vec![FollowupTally::default(); owners.len()],
        total: FollowupTally::default(),
        before: FollowupTally::default(),
    };
    // The month before's items (its tiers) score its month of the trend; the month's
    // score the month, the owners, and are counted per rule and owner.
    items.each(due_before, &before, &mut [&mut kpi_trend], |_, state| {
        follow.before.count(state)
    });
    items.each(
        due_now,
        &now,
        &mut [&mut kpi_trend, &mut kpi_owners],
        |item, state| {
            follow.by_rule[item.rule].count(state);
            follow.by_owner[of_owner.group(item.customer, item.due_date)].count(state);
            follow.total.count(state);
        },
    );

    let facts = Facts {
        policy: &policy,
        book: &book,
        month,
        before_month,
        cut,
        months,
        now,
        before,
        previous: previous.as_ref().zip(args.previous.as_deref()),
        kpi_trend: kpi_trend.finish(),
        owners,
        kpi_owners: kpi_owners.finish(),
        of_owner,
        follow,
        complaints: complaints.as_deref(),
        answers: &answers,
        answers_file: plan.answers_exist(),
        jobs: &jobs.kinds,
        spend,
        first_row,
    };
    let doc = facts.document();
    let inputs = plan.inputs();
    if format == ReportFormat::Xlsx {
        book::fits(&doc).map_err(Error::Usage)?;
    }
    // A long sheet's rows wait in a temporary file beside the output (the disk the
    // output must fit on anyway).
    let tempdir = args.output.as_deref().map(|p| match p.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    });
    let render = |w: &mut dyn Write| match format {
        ReportFormat::Xlsx => book::render(&doc, tempdir, w),
        ReportFormat::Html => page::render(&doc, w),
    };
    match &args.output {
        Some(path) => write_output(path, &inputs, render),
        None => {
            let stdout = io::stdout();
            let mut lock = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            render(&mut lock)?;
            lock.flush()?;
            Ok(())
        }
    }
}

/// Every fold of the report, fed by one pass over the orders.
struct Folds<'f, 'p> {
    now: &'f mut ActivityFold,
    /// The tiers as of the month before's end: rows up to `before_end`.
    before: &'f mut ActivityFold,
    before_end: NaiveDate,
    kpi_trend: &'f mut KpiFold<'p>,
    kpi_owners: &'f mut KpiFold<'p>,
    /// The call lists' folds of the month before (rows up to `before_end`) and of the
    /// month (rows up to `cut`).
    due_before: &'f mut DueFold<'p>,
    due_now: &'f mut DueFold<'p>,
    cut: NaiveDate,
    jobs: &'f mut JobKinds<'p>,
    month: Period,
    before_month: Period,
    /// Net sale amounts of the month and the month before, in cents.
    spend: [i128; 2],
    first_row: Option<NaiveDate>,
}

impl crate::load::OrderSink for &mut Folds<'_, '_> {
    /// A row costs a customer's two activities and follow-up anchors: start loading all
    /// three before the row comes (the KPI folds keep no state per customer).
    #[inline]
    fn prefetch(&self, customer: u32) {
        self.now.prefetch(customer);
        self.before.prefetch(customer);
        self.due_before.prefetch(customer);
        self.due_now.prefetch(customer);
    }

    #[inline]
    fn visit(&mut self, order: &Order<'_>) {
        self.now.add(order);
        if order.date <= self.before_end {
            self.before.add(order);
            self.due_before.add(order);
        }
        if order.date <= self.cut {
            self.due_now.add(order);
        }
        self.kpi_trend.add(order);
        self.kpi_owners.add(order);
        self.jobs.add(order);
        if order.kind == OrderKind::Sale {
            if self.month.contains(order.date) {
                self.spend[0] += order.amount.0;
            } else if self.before_month.contains(order.date) {
                self.spend[1] += order.amount.0;
            }
        }
        if self.first_row.is_none_or(|d| order.date < d) {
            self.first_row = Some(order.date);
        }
    }
}

/// Per due rule, whether the report makes its items: the follow-ups' (every month's
/// follow-ups are shown), and the coverage KPI's when the policy has one (§9.4).
fn item_rules(policy: &Policy) -> Vec<bool> {
    let coverage = policy
        .kpi
        .rules
        .iter()
        .any(|k| k.measure == Measure::SurveyCoverage && !k.tiers.is_empty());
    (0..policy.due.rules.len())
        .map(|r| {
            let may = |m| may_count_items_of(m, r, &policy.due, &policy.survey);
            may(Measure::FollowupDone) || (coverage && may(Measure::SurveyCoverage))
        })
        .collect()
}

/// What the items of a month are made from and read against, besides their fold.
struct Items<'a> {
    policy: &'a Policy,
    book: &'a crate::load::CustomerBook,
    complaints: &'a [crate::model::Complaint],
    contacts: &'a [crate::model::Contact],
    answers: &'a [crate::model::Answer],
    log: &'a CallLog<'a>,
    cut: NaiveDate,
}

impl Items<'_> {
    /// Makes the items due in the span of `fold` with the tiers of `tiering` (main's
    /// [`items_due_in`], as `kpi` makes them), scores each in `kpis`, and hands each
    /// follow-up with where it stands ([`ItemFacts::followup`], followup_done's reading)
    /// to `count`.
    fn each(
        &self,
        fold: DueFold<'_>,
        tiering: &Tiering,
        kpis: &mut [&mut KpiFold<'_>],
        mut count: impl FnMut(&crate::domain::due::Item, crate::domain::survey::FollowupState),
    ) {
        let policy = self.policy;
        let inputs = DueInputs {
            book: self.book,
            standings: Some(&tiering.standings),
            complaints: self.complaints,
            contacts: self.contacts,
            answers: self.answers,
        };
        let tiers: Vec<u16> = tiering.standings.iter().map(|s| s.tier).collect();
        let facts = ItemFacts {
            due: &policy.due,
            survey: &policy.survey,
            tiers: Some(&tiers),
            log: self.log,
        };
        items_due_in(fold, &inputs, |item| {
            for k in kpis.iter_mut() {
                k.add_item(&item, &facts);
            }
            let followed = counts_items_of(
                Measure::FollowupDone,
                item.rule,
                item.kind,
                &policy.due,
                &policy.survey,
            );
            if followed {
                count(&item, facts.followup(&item, self.cut));
            }
        });
    }
}

/// The format asked for, or the one the --output file's extension names.
fn format_of(args: &ReportArgs) -> Result<ReportFormat> {
    let by_extension = |p: &Path| match p.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("xlsx") => Some(ReportFormat::Xlsx),
        Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => {
            Some(ReportFormat::Html)
        }
        _ => None,
    };
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(path)) => by_extension(path).ok_or_else(|| {
            Error::Usage(format!(
                "--output {}: the report is a workbook (.xlsx) or a web page (.html); name the file so, or give --format xlsx|html",
                crate::app::display(path)
            ))
        })?,
        (None, None) => {
            return Err(Error::Usage(
                "give --output FILE.xlsx or FILE.html (or --format xlsx|html to write to stdout)"
                    .into(),
            ))
        }
    };
    if args.output.is_none() && format == ReportFormat::Xlsx && io::stdout().is_terminal() {
        return Err(Error::Usage(
            "xlsx is a binary file: give --output FILE.xlsx (or pipe it somewhere)".into(),
        ));
    }
    Ok(format)
}

/// The first day of the month `n` months before the month of `first` (a first day).
fn months_back(first: NaiveDate, n: u32) -> NaiveDate {
    first
        .checked_sub_months(chrono::Months::new(n))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn twelve_months_back_from_a_month() {
        assert_eq!(months_back(d("2026-10-01"), 11), d("2025-11-01"));
        assert_eq!(months_back(d("2026-01-01"), 11), d("2025-02-01"));
        let trend = Period {
            from: months_back(d("2026-10-01"), 11),
            to: d("2026-10-31"),
        };
        assert_eq!(trend.months().len(), 12);
    }
}
