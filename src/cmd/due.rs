//! `caredesk due`: the call list for a day. Built for a cron job at 8 am: one line when
//! nothing is due (or nothing at all with `--quiet-empty`), exit 0 either way. With
//! `--worksheet` it is the care staff's sheet: the columns to fill in (the day, who,
//! how it went, a note, and one per question of the forms the listed calls ask), in a
//! workbook with drop-down lists, read back by `log --from`.

use std::path::Path;

use crate::app::{display, say, warn, warn_skipped, Output, Plan};
use crate::cli::{DueArgs, SplitBy};
use crate::domain::due::{call_list, Day, DueFold, DueInputs, Item};
use crate::domain::tiers::{ActivityFold, Tiering};
use crate::error::{Error, Problems, Result};
use crate::load::{same_name, CustomerBook};
use crate::model::CallResult;
use crate::policy::Policy;
use crate::policy::OVERALL;
use crate::report::{col, Cell, Column, FillIn, Format, Kind, Rows};

pub fn run(plan: &Plan, args: &DueArgs) -> Result<()> {
    // The list is the world as it is on the day: later rows have not happened yet.
    let plan = &Plan {
        as_of: args.date.unwrap_or(plan.as_of),
        ..plan.clone()
    };
    let policy = plan.load_policy()?;
    for r in &args.rule {
        if policy.due_rule(r).is_none() {
            return Err(Error::Usage(format!(
                "unknown rule {r:?}; {}",
                policy.rules_named()
            )));
        }
    }
    if let Some(dir) = &args.output_dir {
        output_dir(dir)?;
    }
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    // A typo in --owner must not look like a quiet day: the cron job would go silent.
    if problems.is_empty() {
        if let Some(owner) = &args.owner {
            known(&book, owner, "owner", false)?;
        }
        if let Some(store) = &args.store {
            known(&book, store, "store", true)?;
        }
    }
    let day = Day {
        date: plan.as_of,
        within: args.within,
        grace: policy.due.grace,
    };
    let (from, to) = day.span();
    crate::app::warn_lunar_range(&policy, from, to, "this list looks from");
    // Only what is listed is computed: the asked-for rules' items, for the asked-for
    // owner's or store's customers (the tiers are everyone's: they rank by all).
    let mut due = DueFold::of_rules(&policy.due, day, book.len(), |r| {
        args.rule.is_empty() || args.rule.contains(&policy.due.rules[r].name)
    });
    if let Some(only) = listed_customers(&book, args) {
        due = due.for_customers(only);
    }
    // Every complaint row is checked; only those that can be on the list are kept. They
    // are read before the orders (their problems are told after the orders', in the
    // files' usual order): the id check of 500,000 complaints beside the orders' 48 MB
    // of activities was due's peak.
    let mut complaint_problems = Problems::new();
    let complaints = plan
        .load_complaints_where(
            &policy,
            &book,
            &|k| due.may_list(k),
            &mut complaint_problems,
        )?
        .unwrap_or_default();
    let mut tiers = ActivityFold::new(&policy.tiers, plan.as_of, book.len());
    let listed_only = listed_tiers_only(&policy, args);
    if listed_only {
        tiers = tiers.with_points_apart();
    }
    let stats = plan.scan_orders(
        &policy,
        &book,
        &mut problems,
        Folds {
            listed_only,
            tiers: &mut tiers,
            due: &mut due,
        },
    )?;
    problems.extend(complaint_problems);
    let contacts = plan.load_contacts(&policy, &book, &mut problems)?;
    let answers = plan.load_answers(&policy, &book, &mut problems)?;
    let overrides = match &args.overrides {
        Some(path) => plan.load_overrides(path, &policy, &book, &mut problems)?,
        None => Vec::new(),
    };
    crate::app::hint_hand_files(&mut problems, args.overrides.as_deref(), None);
    // Every file naming customers is read: the id table goes before the list is made.
    let book = book.without_index();
    let Tiering { standings, .. } = plan.tiering(&policy, &book, tiers, &overrides, problems)?;
    warn_skipped(&stats, &plan.orders);
    crate::app::warn_empty_orders(plan, book.len(), &stats);

    let inputs = DueInputs {
        book: &book,
        standings: Some(&standings),
        complaints: &complaints,
        contacts: &contacts,
        answers: &answers,
    };
    warn_unmatched_filters(plan, &policy, args);
    let items = call_list(due, &inputs);
    // The fold makes only the filters' items (DueFold::of_rules, for_customers): the
    // test builds check it did; a release build does not look again.
    debug_assert!(items.iter().all(|item| {
        let c = book.get(item.customer as usize);
        let owner_ok = args.owner.as_deref().is_none_or(|o| same_name(c.owner, o));
        let store_ok = args.store.as_deref().is_none_or(|s| same_name(c.store, s));
        let rule_ok = args.rule.is_empty() || args.rule.contains(&policy.due.rules[item.rule].name);
        owner_ok && store_ok && rule_ok
    }));

    let tiers: Vec<u16> = standings.iter().map(|s| s.tier).collect();
    if let (Some(by), Some(dir)) = (args.split_by, &args.output_dir) {
        let output = Output::resolve_for_files(&args.output, args.show_phone);
        return split(
            plan,
            &policy,
            &book,
            &tiers,
            items,
            (by, dir),
            &output,
            args,
        );
    }
    let output = Output::resolve(&args.output, args.show_phone);
    if args.show_phone && matches!(output.format, Format::Table | Format::Md) {
        crate::app::warn(
            "--show-phone: the table and md views keep phones masked; --format csv, json or xlsx shows them",
        );
    }
    if items.is_empty() {
        if args.quiet_empty {
            return Ok(());
        }
        if output.format == Format::Table && output.path.is_none() {
            return say(&[format!("nothing due on {}{}", plan.as_of, scope(args))]);
        }
    }
    let rows = CallList::new(&policy, &book, &tiers, items, args.worksheet);
    output.write(&rows, &plan.inputs())
}

/// The two folds the orders go through, the tiers' and the call list's. Each row's
/// customer state in both is asked for ahead of the row, so the scattered loads of the
/// two overlap (a plain closure gets no hint: the two folds then waited on memory for
/// a third of due's time, measured with perf on the 10M set).
struct Folds<'f, 'p> {
    tiers: &'f mut ActivityFold,
    due: &'f mut DueFold<'p>,
    /// The tiers read of the other customers' rows only the points
    /// ([`listed_tiers_only`]).
    listed_only: bool,
}

impl crate::load::OrderSink for Folds<'_, '_> {
    #[inline]
    fn prefetch(&self, customer: u32) {
        if self.listed_only && !self.due.lists(customer) {
            return self.tiers.prefetch_points(customer);
        }
        self.tiers.prefetch(customer);
        self.due.prefetch(customer);
    }

    fn ids_from(&self) -> Option<chrono::NaiveDate> {
        Some(self.due.ids_from())
    }

    #[inline]
    fn visit(&mut self, order: &crate::model::Order<'_>) {
        if self.listed_only && !self.due.lists(order.customer) {
            return self.tiers.add_points(order);
        }
        self.tiers.add(order);
        self.due.add(order);
    }
}

/// Whether `--owner` or `--store` lets the tiers read of the other customers' rows only
/// their points: when a customer's tier follows from their own orders (the spend
/// method), the list needs of anyone else only the points, which rank everyone for the
/// top segment (§3.3; a `points_expiry` rule lists the `retain` customers). Every row is
/// still read and checked; the other customers' points go to a table of 8 bytes each,
/// which the cache holds, instead of their 48-byte activities, which it does not. A
/// customer's spend or profit past ±92 trillion is then told by the lists that hold
/// them, and by `tiers` (their points, by every list).
fn listed_tiers_only(policy: &Policy, args: &DueArgs) -> bool {
    let filtered = args.owner.is_some() || args.store.is_some();
    filtered && policy.tiers.tier_is_own()
}

/// The customers `--owner` and `--store` keep, `None` when neither is given.
fn listed_customers(book: &CustomerBook, args: &DueArgs) -> Option<Vec<bool>> {
    let owner = args.owner.as_deref().map(|o| book.named(false, o));
    let store = args.store.as_deref().map(|s| book.named(true, s));
    match (owner, store) {
        (Some(mut o), Some(s)) => {
            o.iter_mut().zip(s).for_each(|(o, s)| *o &= s);
            Some(o)
        }
        (o, s) => o.or(s),
    }
}

/// Refuses, before the work, an --output-dir that is a file (or cannot be made).
fn output_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--output-dir {}: is a file; give a folder (it is made if missing)",
            display(dir)
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// `--split-by`: the list cut by owner (or store) as `--owner` (`--store`) would cut it,
/// each part written to its own file in `dir`, every owner the customers name getting
/// one (an owner with nothing due: a file without rows, so yesterday's list in the
/// folder is never taken for today's; with --quiet-empty, none). The customers without
/// an owner go to `_no_owner` (`_no_store`): no owner's file can be called that.
#[allow(clippy::too_many_arguments)]
fn split(
    plan: &Plan,
    policy: &Policy,
    book: &CustomerBook,
    tiers: &[u16],
    items: Vec<Item>,
    (by, dir): (SplitBy, &Path),
    output: &Output,
    args: &DueArgs,
) -> Result<()> {
    let stores = by == SplitBy::Store;
    let (spellings, group_of) = book.named_groups(stores);
    let total = items.len();
    let mut parts: Vec<Vec<Item>> = vec![Vec::new(); spellings.len()];
    for item in items {
        parts[group_of[item.customer as usize] as usize].push(item);
    }
    // Group 0 (no owner) only when some customer has none; with --owner or --store, only
    // the groups that filter keeps.
    let listed = listed_customers(book, args);
    let mut present = vec![false; spellings.len()];
    for (c, &g) in group_of.iter().enumerate() {
        if listed.as_ref().is_none_or(|l| l[c]) {
            present[g as usize] = true;
        }
    }
    let ext = crate::app::extension_of(output.format);
    let none = if stores { "_no_store" } else { "_no_owner" };
    let mut files: Vec<(String, &str, Vec<Item>)> = Vec::new();
    let mut taken: std::collections::HashMap<String, &str> = Default::default();
    for (g, part) in parts.into_iter().enumerate() {
        if !present[g] || (part.is_empty() && args.quiet_empty) {
            continue;
        }
        let (stem, label) = match g {
            0 => (
                none.to_string(),
                if stores { "(no store)" } else { "(no owner)" },
            ),
            _ => (crate::app::file_stem_for(spellings[g]), spellings[g]),
        };
        let file = format!("{stem}.{ext}");
        // Names that differ only in case (or by a hash) would be one file somewhere.
        if let Some(other) = taken.insert(crate::load::fold_name(&file), spellings[g]) {
            return Err(Error::Usage(format!(
                "--split-by: {other:?} and {:?} would share the file {file}; rename one in {}",
                spellings[g],
                display(&plan.customers)
            )));
        }
        files.push((file, label, part));
    }
    // Every file is checked before the first is written: no half-written morning.
    let inputs = plan.inputs();
    for (file, _, _) in &files {
        crate::app::refuse_inputs(&dir.join(file), &inputs)?;
    }
    let written = files.len();
    let mut empty: Vec<&str> = Vec::new();
    for (file, label, part) in files {
        if part.is_empty() {
            empty.push(label);
        }
        let rows = CallList::new(policy, book, tiers, part, args.worksheet);
        let out = Output {
            path: Some(dir.join(&file)),
            ..output.clone()
        };
        out.write(&rows, &inputs)?;
    }
    if total == 0 && args.quiet_empty {
        return Ok(());
    }
    let what = if stores { "store" } else { "owner" };
    let mut line = format!(
        "{total} items due on {}{}: {written} files in {}, one per {what}",
        plan.as_of,
        scope(args),
        display(dir)
    );
    match empty.len() {
        0 => {}
        n if n <= 12 => line.push_str(&format!("; nothing due for {}", empty.join(", "))),
        n => line.push_str(&format!("; nothing due for {n} {what}s")),
    }
    say(&[line])
}

/// Fails with a usage error naming the close names when no customer has `wanted` as its
/// `what` (owner or store; `stores` says which).
fn known(book: &CustomerBook, wanted: &str, what: &str, stores: bool) -> Result<()> {
    let fold = crate::load::fold_name;
    let names: std::collections::BTreeSet<&str> = book.names(stores).into_iter().collect();
    if names.iter().any(|n| fold(n) == fold(wanted)) {
        return Ok(());
    }
    let wanted_folded = fold(wanted);
    let mut close: Vec<(f64, &str)> = names
        .iter()
        .map(|n| (strsim::normalized_levenshtein(&fold(n), &wanted_folded), *n))
        .filter(|(score, _)| *score >= 0.4)
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let hint = if !close.is_empty() {
        let list: Vec<&str> = close.iter().take(5).map(|(_, n)| *n).collect();
        format!("did you mean {}?", list.join(", "))
    } else if names.is_empty() {
        format!(
            "no customer has a{} {what} at all",
            if what == "owner" { "n" } else { "" }
        )
    } else if names.len() <= 12 {
        let list: Vec<&str> = names.iter().copied().collect();
        format!("the {what}s are {}", list.join(", "))
    } else {
        format!("the customers file names {} {what}s", names.len())
    };
    Err(Error::Usage(format!(
        "no customer has the {what} {wanted:?}; {hint}"
    )))
}

/// A rule filter that can match nothing is said, not left to look like a quiet day (an
/// owner or store no customer has is refused earlier, by [`known`]).
fn warn_unmatched_filters(plan: &Plan, policy: &Policy, args: &DueArgs) {
    for r in &args.rule {
        if policy.due_rule(r).is_some_and(|rule| !rule.enabled) {
            warn(&format!(
                "--rule {r}: the rule is switched off in {} (enabled = false): it lists nobody",
                display(&plan.policy)
            ));
        }
    }
}

/// The call list's columns, the fill-in ones, then one per question of the forms the
/// items' calls ask (each id once, `overall` first).
fn worksheet_columns<'p>(policy: &'p Policy, items: &[Item]) -> Vec<Column<'p>> {
    let mut columns = COLUMNS.to_vec();
    columns.extend(FILL_IN.iter().copied());
    let survey = &policy.survey;
    let mut used = vec![false; survey.forms.len()];
    for item in items {
        if let Some(f) = survey.form_for(item.rule, item.kind) {
            used[f] = true;
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    if used.contains(&true) {
        ids.push(OVERALL);
    }
    for (_, form) in survey.forms.iter().enumerate().filter(|(f, _)| used[*f]) {
        for q in &form.questions {
            if !ids.contains(&q.id.as_str()) {
                ids.push(&q.id);
            }
        }
    }
    columns.extend(ids.into_iter().map(|id| col(id, Kind::Text)));
    columns
}

/// " for owner X" and the like, for the empty-list line.
fn scope(args: &DueArgs) -> String {
    let mut s = String::new();
    if let Some(o) = &args.owner {
        s.push_str(&format!(" for {o}"));
    }
    if let Some(store) = &args.store {
        s.push_str(&format!(" at {store}"));
    }
    if !args.rule.is_empty() {
        s.push_str(&format!(" (rules: {})", args.rule.join(", ")));
    }
    if args.within > 0 {
        s.push_str(&format!(", nor in the next {} days", args.within));
    }
    s
}

const COLUMNS: &[Column<'static>] = &[
    col("due_date", Kind::Date),
    col("status", Kind::Text),
    col("days_overdue", Kind::Int),
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("tier", Kind::Text),
    col("owner", Kind::Text),
    col("phone", Kind::Phone),
    col("rule", Kind::Text),
    col("source_id", Kind::Text),
    col("channel", Kind::Text),
    col("attempts", Kind::Int),
];

/// The worksheet's columns to fill in (`log --from` reads them; the same names as
/// [`crate::load::FILL_IN_COLUMNS`]).
const FILL_IN: &[Column<'static>] = &[
    col("done_on", Kind::Date),
    col("by", Kind::Text),
    col("result", Kind::Text),
    col("note", Kind::Text),
];

struct CallList<'a> {
    policy: &'a Policy,
    book: &'a CustomerBook,
    tiers: &'a [u16],
    items: Vec<Item>,
    columns: Vec<Column<'a>>,
}

impl<'a> CallList<'a> {
    /// The rows of `items`; with `worksheet`, the columns to fill in for them.
    fn new(
        policy: &'a Policy,
        book: &'a CustomerBook,
        tiers: &'a [u16],
        items: Vec<Item>,
        worksheet: bool,
    ) -> Self {
        let columns = match worksheet {
            true => worksheet_columns(policy, &items),
            false => COLUMNS.to_vec(),
        };
        CallList {
            policy,
            book,
            tiers,
            items,
            columns,
        }
    }
}

impl Rows for CallList<'_> {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    /// Items come by status, tier and date, so each customer's row is somewhere else in
    /// memory: load it [`PREFETCH`](crate::report::PREFETCH) rows ahead, and its texts
    /// (whose place the row gives) half as far ahead, as tiers' list does.
    fn prefetch(&self, i: usize) {
        if let Some(item) = self.items.get(i) {
            let c = item.customer as usize;
            self.book.prefetch_row(c);
            if let Some(t) = self.tiers.get(c) {
                crate::hint::prefetch(t);
            }
        }
        if let Some(item) = self.items.get(i.wrapping_sub(crate::report::PREFETCH / 2)) {
            self.book.prefetch_text(item.customer as usize);
        }
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let item = &self.items[i];
        let c = self.book.get(item.customer as usize);
        let rule = &self.policy.due.rules[item.rule];
        out.extend([
            Cell::Date(item.due_date),
            Cell::Text(item.status.as_str()),
            item.days_overdue.into(),
            Cell::Text(c.customer_id),
            Cell::Text(c.name),
            Cell::Text(&self.policy.tiers.levels[self.tiers[item.customer as usize] as usize].name),
            c.owner.into(),
            c.phone.into(),
            Cell::Text(&rule.name),
            Cell::Text(&item.source_id),
            Cell::Text(rule.channel.as_str()),
            match item.attempts {
                0 => Cell::Empty,
                n => Cell::Int(i64::from(n)),
            },
        ]);
        // The worksheet's columns are left to fill in.
        out.extend(std::iter::repeat_n(
            Cell::Empty,
            self.columns.len() - COLUMNS.len(),
        ));
    }

    fn fill_in(&self, column: usize) -> Option<FillIn> {
        let name = self.columns.get(column)?.name;
        let scale = &self.policy.survey.scale;
        match name {
            "result" => Some(FillIn {
                choices: CallResult::ALL.iter().map(|r| r.as_str().to_string()).collect(),
                title: "result".into(),
                hint: "done (or empty), no_answer: nobody answered, the call stays on the list; refused: the customer declined".into(),
            }),
            "done_on" => Some(FillIn {
                choices: Vec::new(),
                title: "done_on".into(),
                hint: "the day of the call (YYYY-MM-DD); fill it in, or something else on the row, to log it".into(),
            }),
            _ if column >= COLUMNS.len() + FILL_IN.len() => {
                let labels: Vec<String> = self
                    .policy
                    .survey
                    .forms
                    .iter()
                    .filter_map(|f| f.question(name).map(|q| format!("{}: {}", f.name, q.label)))
                    .collect();
                let mut choices: Vec<String> = (1..=scale.max()).rev().map(|s| scale.label(s).to_string()).collect();
                choices.push(scale.not_rated.clone());
                Some(FillIn {
                    choices,
                    title: name.to_string(),
                    hint: format!(
                        "{}. A score 1 to {} or its label; {} = not rated; empty = not asked",
                        labels.join("; "),
                        scale.max(),
                        scale.not_rated
                    ),
                })
            }
            _ => None,
        }
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        self.columns[column].name == "status"
            && self.items[i].status == crate::domain::due::Status::Overdue
    }
}
