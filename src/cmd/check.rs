//! `caredesk check`: validates the policy and every data file, reporting all problems in
//! one run. Besides the row checks every command makes, it holds what needs memory per
//! order (order ids are unique, complaints name orders that exist), and it takes the
//! tiering step, so a total too large for `tiers` is found here too. Survey answers are
//! held to the very form of their call, which for a service rule takes the order kind
//! of the job surveyed.

use chrono::NaiveDate;
use foldhash::HashMap as FastMap;

use crate::app::{display, say, Plan};
use crate::cli::CheckArgs;
use crate::domain::tiers::{ActivityFold, Tiering};
use crate::error::{Error, Problems, Reach, Result};
use crate::policy::Policy;

pub fn run(plan: &Plan, args: &CheckArgs) -> Result<()> {
    let mut problems = Problems::new();
    // A broken policy is reported, and the data is still checked with the defaults.
    let policy = match plan.load_policy() {
        Ok(p) => p,
        Err(Error::Invalid(ps)) => {
            problems.extend(ps);
            Policy::default()
        }
        Err(e) => return Err(e),
    };
    let book = plan.load_customers(&policy, &mut problems)?;
    // The call lists of this day, with the grace behind and the longest --within ahead.
    let (from, to) = crate::domain::due::Day {
        date: plan.as_of,
        within: crate::cli::MAX_WITHIN,
        grace: policy.due.grace,
    }
    .span();
    crate::app::warn_lunar_range(
        &policy,
        from,
        to,
        &format!(
            "call lists for {} (grace and the longest --within included) look from",
            plan.as_of
        ),
    );
    // Read first: the orders of the surveyed jobs are looked up as the orders go by.
    let answers = plan.load_answers(&policy, &book, &mut problems)?;
    let rule_of = |name: &str| policy.due.rules.iter().position(|r| r.name == name);
    let surveyed: std::collections::HashSet<&str> = answers
        .iter()
        .filter(|a| rule_of(&a.rule).is_some_and(|r| policy.survey.needs_kind(r)))
        .map(|a| a.source_id.as_str())
        .collect();
    let mut jobs: FastMap<Box<str>, (u32, crate::model::OrderKind)> = FastMap::default();

    // Every row, whatever its date: an id is unique across the whole file.
    let everything = Plan {
        as_of: NaiveDate::MAX,
        ..plan.clone()
    };
    let orders_file = display(&plan.orders);
    let mut first_line: FastMap<Box<str>, u64> = FastMap::default();
    let mut rows = 0u64;
    let mut later = 0u64;
    let mut duplicates = Problems::new();
    // The same tiering every command takes, so data `tiers` would refuse fails here too.
    let mut fold = ActivityFold::new(&policy.tiers, plan.as_of, book.len());
    let stats = everything.scan_orders(
        &policy,
        &book,
        &mut problems,
        |order: &crate::model::Order<'_>| {
            if order.date <= plan.as_of {
                fold.add(order);
            }
            rows += 1;
            later += u64::from(order.date > plan.as_of);
            if surveyed.contains(order.order_id) {
                jobs.insert(order.order_id.into(), (order.customer, order.kind));
            }
            match first_line.get(order.order_id) {
                Some(&first) => duplicates.add(
                    &orders_file,
                    order.line,
                    Some("order_id"),
                    Some(order.order_id),
                    format!("duplicate order id; first on line {first}"),
                ),
                None => {
                    first_line.insert(order.order_id.into(), order.line);
                }
            }
        },
    )?;
    problems.extend(duplicates);
    if let Err(overflow) = Tiering::from_fold(fold, &book, &policy.tiers, &[]) {
        problems.push(plan.overflow_problem(overflow, &policy, &book));
    }

    // An orders file read only in part leaves later orders unknown (docs/rules.md §4.2).
    let orders_stopped = problems.stopped_at(&orders_file);
    let complaints = plan.load_complaints(&policy, &book, &mut problems)?;
    if let Some(complaints) = &complaints {
        let file = display(&plan.complaints);
        for c in complaints {
            if let Some(order_id) = &c.order_id {
                if !first_line.contains_key(order_id.as_str()) {
                    let (reach, why) =
                        no_such_order(orders_stopped, "no such order in the orders file");
                    problems.add_reaching(
                        reach,
                        &file,
                        c.line,
                        Some("order_id"),
                        Some(order_id),
                        why,
                    );
                }
            }
        }
    }

    let contacts = plan.load_contacts(&policy, &book, &mut problems)?;
    let overrides = match &args.overrides {
        Some(path) => Some(plan.load_overrides(path, &policy, &book, &mut problems)?),
        None => None,
    };
    let previous = match &args.previous {
        Some(path) => Some(plan.load_previous(path, &policy, &mut problems)?),
        None => None,
    };
    let answers_file = display(&plan.answers);
    for a in &answers {
        let Some(r) = rule_of(&a.rule) else { continue };
        let kind = match jobs.get(a.source_id.as_str()) {
            Some(&(customer, kind)) if customer == a.customer => Some(kind),
            _ if policy.survey.needs_kind(r) => {
                let (reach, why) = no_such_order(
                    orders_stopped,
                    &format!(
                        "no order of {} with this id: a call of rule {:?} is about one of the customer's jobs",
                        book.id(a.customer as usize),
                        a.rule
                    ),
                );
                problems.add_reaching(
                    reach,
                    &answers_file,
                    a.line,
                    Some("source_id"),
                    Some(&a.source_id),
                    why,
                );
                continue;
            }
            _ => None,
        };
        let form = policy.survey.form_for(r, kind);
        if let Err(why) = crate::load::question_of_form(&policy.survey, form, a) {
            problems.add(
                &answers_file,
                a.line,
                Some("question"),
                Some(&a.question),
                why,
            );
        }
    }

    if !problems.is_empty() {
        let mut lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        lines.extend(problems.dropped_notes());
        let n = problems.total();
        lines.push(format!(
            "{n} problem{} found",
            if n == 1 { "" } else { "s" }
        ));
        // The verdict stands when the reader stops early (`check | head -3`).
        match say(&lines) {
            Err(e) if !e.is_closed_pipe() => return Err(e),
            _ => return Err(Error::AlreadyReported(crate::error::exit::BAD_INPUT)),
        }
    }
    say(&[format!(
        "ok: {} customers, {} orders{}, {}, {} contacts logged, {} answers; policy {}",
        book.len(),
        rows,
        if later > 0 {
            format!(" ({later} dated after {})", plan.as_of)
        } else {
            String::new()
        },
        match &complaints {
            Some(c) => format!("{} complaints", c.len()),
            None => "no complaints file".to_string(),
        },
        contacts.len(),
        answers.len(),
        display(&plan.policy),
    )])?;
    if let (Some(o), Some(path)) = (&overrides, &args.overrides) {
        say(&[format!("ok: {} overrides in {}", o.len(), display(path))])?;
    }
    if let (Some(p), Some(path)) = (&previous, &args.previous) {
        say(&[format!(
            "ok: {} customers' previous tiers in {}",
            p.rows.len(),
            display(path)
        )])?;
    }
    crate::app::warn_skipped(&stats, &plan.orders);
    crate::app::warn_empty(plan, book.len(), rows, rows - later);
    Ok(())
}

/// The problem of an order id no order read has: `plain` when the orders file was read
/// whole; else it may be one of the orders not read, and follows on from the line where
/// reading stopped (`stopped`), a file's first listed and the rest counted (§4.2).
fn no_such_order(stopped: Option<u64>, plain: &str) -> (Reach, String) {
    match crate::load::not_read("order", "orders", stopped) {
        Some(why) => (Reach::FollowsOn, why),
        None => (Reach::Own, plain.to_string()),
    }
}
