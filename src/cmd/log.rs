//! `caredesk log`: records calls in contacts.csv, and what the customers answered in
//! answers.csv (docs/rules.md §9.6). One call from the command line (`log C0151 survey
//! O03316 --by 李娜 --answer overall=5`), or every filled row of the care staff's
//! worksheet (`log --from sheet.xlsx`). Everything is checked before anything is
//! written: a known customer and rule, a source id that is an item of that rule for that
//! customer (an order or complaint of theirs, a date, a dissatisfied call), a day not
//! after the as-of day, one line per field, a result, answers only to the questions of
//! the call's form and on its scale, and a column in the files for every value given.
//! Then both files are written under their locks (answers first, the call last), each in
//! one rename ([`files`]). A row already logged is not logged again, so a retry of a
//! run whose receipt could not be printed adds nothing.

mod files;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::app::{display, fail_on, say, Plan};
use crate::cli::LogArgs;
use crate::domain::due::{holiday_dates, yearly, Day, DueFold};
use crate::domain::survey::overalls;
use crate::error::{Error, Problems, Result};
use crate::load::{CustomerBook, SheetRow};
use crate::model::{CallResult, OrderKind};
use crate::policy::{Days, Policy, Trigger, ANSWER_COLUMNS, CONTACT_COLUMNS};
use files::Log;

pub fn run(plan: &Plan, args: &LogArgs, today: NaiveDate) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    fail_on(problems)?;
    match &args.from {
        Some(sheet) => from_sheet(plan, args, &policy, &book, sheet),
        None => one(plan, args, today, &policy, &book),
    }
}

/// A call to log, checked.
#[derive(Debug, Clone)]
struct Call {
    customer: u32,
    rule: usize,
    source_id: String,
    done_on: NaiveDate,
    by: String,
    result: CallResult,
    note: String,
    /// The answers, question by question: the score, or `None` not rated.
    answers: Vec<(String, Option<u8>)>,
}

impl Call {
    /// The contacts.csv row, by contract column. `done` is written as such only where the
    /// file has a result column (an empty cell says the same).
    fn contact(
        &self,
        book: &CustomerBook,
        policy: &Policy,
        log: &Log,
    ) -> Vec<(&'static str, String)> {
        let result = match self.result {
            CallResult::Done if !log.has("result") => String::new(),
            r => r.as_str().to_string(),
        };
        vec![
            ("customer_id", book.id(self.customer as usize).to_string()),
            ("rule", policy.due.rules[self.rule].name.clone()),
            ("source_id", self.source_id.clone()),
            ("done_on", self.done_on.to_string()),
            ("by", self.by.clone()),
            ("result", result),
            ("note", self.note.clone()),
        ]
    }

    /// The answers.csv rows, by contract column.
    fn answer_rows(
        &self,
        book: &CustomerBook,
        policy: &Policy,
    ) -> Vec<Vec<(&'static str, String)>> {
        self.answers
            .iter()
            .map(|(question, score)| {
                vec![
                    ("customer_id", book.id(self.customer as usize).to_string()),
                    ("rule", policy.due.rules[self.rule].name.clone()),
                    ("source_id", self.source_id.clone()),
                    ("question", question.clone()),
                    ("score", score.map_or(String::new(), |s| s.to_string())),
                    ("answered_on", self.done_on.to_string()),
                ]
            })
            .collect()
    }

    /// `C0151 callback-3d O03314 done 2026-11-22 by 李娜`, for the receipt.
    fn describe(&self, book: &CustomerBook, policy: &Policy) -> String {
        format!(
            "{} {} {} {} {}{}",
            book.id(self.customer as usize),
            policy.due.rules[self.rule].name,
            self.source_id,
            self.result.as_str(),
            self.done_on,
            if self.by.is_empty() {
                String::new()
            } else {
                format!(" by {}", self.by)
            }
        )
    }

    /// The call's key in contacts.csv: customer, rule, source id.
    fn key(&self, book: &CustomerBook, policy: &Policy) -> (String, String, String) {
        (
            book.id(self.customer as usize).to_string(),
            policy.due.rules[self.rule].name.clone(),
            self.source_id.clone(),
        )
    }
}

// ---- one call from the command line

fn one(
    plan: &Plan,
    args: &LogArgs,
    today: NaiveDate,
    policy: &Policy,
    book: &CustomerBook,
) -> Result<()> {
    let (customer_id, rule_name, source_id) = (
        args.customer.as_deref().unwrap_or(""),
        args.rule.as_deref().unwrap_or(""),
        args.source_id.as_deref().unwrap_or(""),
    );
    let fields = [
        ("customer id", customer_id),
        ("rule", rule_name),
        ("source id", source_id),
        ("--by", args.by.as_deref().unwrap_or("")),
        ("--note", args.note.as_deref().unwrap_or("")),
    ];
    for (what, text) in fields
        .into_iter()
        .chain(args.answer.iter().map(|a| ("--answer", a.as_str())))
    {
        if text.contains(['\n', '\r']) {
            return Err(Error::Usage(format!(
                "the {what} holds a line break; a contact is one line: write it on one line"
            )));
        }
    }
    let Some(customer) = book.find(customer_id.trim().as_bytes()) else {
        return Err(Error::Usage(format!(
            "no customer {customer_id:?} in {}",
            display(&plan.customers)
        )));
    };
    let Some(rule) = policy.due.rules.iter().position(|r| r.name == rule_name) else {
        return Err(Error::Usage(format!(
            "unknown rule {rule_name:?}; {}",
            policy.rules_named()
        )));
    };
    if source_id.trim().is_empty() {
        return Err(Error::Usage(
            "the source id is empty; give the id shown on the call list".into(),
        ));
    }
    let done_on = args.on.unwrap_or(if plan.as_of == today {
        today
    } else {
        plan.as_of
    });
    if done_on > plan.as_of {
        return Err(Error::Usage(format!(
            "--on {done_on} is after {} (the as-of day): a follow-up is logged once done",
            plan.as_of
        )));
    }
    let result = args.result.map_or(CallResult::Done, CallResult::from);
    let source_id = source_id.trim().to_string();
    let kind = check_items(
        plan,
        policy,
        book,
        &[(customer, rule, source_id.as_str(), done_on)],
    )?
    .remove(0)
    .map_err(|why| {
        Error::Usage(format!(
            "{source_id:?} is no item of rule {rule_name} for {}: {why}",
            customer_id.trim()
        ))
    })?;
    let form = policy.survey.form_for(rule, kind);
    let mut answers: Vec<(String, Option<u8>)> = Vec::new();
    for given in &args.answer {
        let Some((question, score)) = given.split_once('=') else {
            return Err(Error::Usage(format!(
                "--answer {given:?}: expected QUESTION=SCORE, such as overall=5 or polite=比较满意"
            )));
        };
        let question = question.trim();
        if answers.iter().any(|(q, _)| q == question) {
            return Err(Error::Usage(format!(
                "--answer {question}: given twice; answer each question once"
            )));
        }
        let score = read_answer(policy, rule, form, result, question, score)
            .map_err(|why| Error::Usage(format!("--answer {given:?}: {why}")))?;
        answers.push((question.to_string(), score));
    }
    let call = Call {
        customer,
        rule,
        source_id,
        done_on,
        by: args.by.clone().unwrap_or_default(),
        result,
        note: args.note.clone().unwrap_or_default(),
        answers,
    };
    let what = |column: &str| format!("the --{column} given (or leave out --{column})");
    let written = write(plan, policy, book, std::slice::from_ref(&call), false, what)?;
    let receipt = match written.already.first() {
        Some(line) => format!(
            "already logged: {} is line {line} of {}; nothing added",
            call.describe(book, policy),
            display(&plan.contacts)
        ),
        None => format!(
            "logged {} in {}{}",
            call.describe(book, policy),
            display(&plan.contacts),
            match written.answers {
                0 => String::new(),
                1 => format!(", with 1 answer in {}", display(&plan.answers)),
                n => format!(", with {n} answers in {}", display(&plan.answers)),
            }
        ),
    };
    say(&[receipt])
}

// ---- a filled worksheet

/// Column indexes of a [`SheetRow`]: the call's, then the fill-in ones.
const CUSTOMER: usize = 0;
const RULE: usize = 1;
const SOURCE: usize = 2;
const DONE_ON: usize = 3;
const BY: usize = 4;
const RESULT: usize = 5;
const NOTE: usize = 6;
const QUESTIONS: usize = 7;

fn from_sheet(
    plan: &Plan,
    args: &LogArgs,
    policy: &Policy,
    book: &CustomerBook,
    path: &Path,
) -> Result<()> {
    let file = display(path);
    let mut problems = Problems::new();
    let ids: Vec<&str> = {
        let mut ids: Vec<&str> = Vec::new();
        for q in policy.survey.forms.iter().flat_map(|f| &f.questions) {
            if !ids.contains(&q.id.as_str()) {
                ids.push(&q.id);
            }
        }
        ids
    };
    let sheet = plan.load_worksheet(path, policy, &ids, &mut problems)?;
    fail_on(problems)?;
    let mut problems = Problems::new();
    let mut bad = |row: &SheetRow, column: usize, expected: String| {
        let value = row.cell(column);
        problems.add(
            &file,
            row.line,
            Some(&sheet.names[column]),
            Some(value),
            expected,
        );
    };
    // First what each row says by itself, then whether its item exists.
    let mut drafts: Vec<(&SheetRow, Call)> = Vec::new();
    for row in &sheet.rows {
        let mut ok = true;
        let mut fail = |column: usize, expected: String| {
            bad(row, column, expected);
            ok = false;
        };
        let customer = book.find(row.cell(CUSTOMER).as_bytes());
        if customer.is_none() {
            fail(
                CUSTOMER,
                format!("no such customer in {}", display(&plan.customers)),
            );
        }
        let rule = policy
            .due
            .rules
            .iter()
            .position(|r| r.name == row.cell(RULE));
        if rule.is_none() {
            fail(RULE, format!("unknown rule; {}", policy.rules_named()));
        }
        if row.cell(SOURCE).is_empty() {
            fail(
                SOURCE,
                "a value is required here: the id shown on the call list".into(),
            );
        }
        let done_on = match row.cell(DONE_ON) {
            "" => args.on.ok_or_else(|| {
                "the day of the call is required here (YYYY-MM-DD), or give --on DATE for the rows without one".to_string()
            }),
            cell => crate::parse::date_cell(cell.as_bytes()),
        }
        .and_then(|d| match d > plan.as_of {
            true => Err(format!("after {} (the as-of day): a call is logged once made", plan.as_of)),
            false => Ok(d),
        });
        let done_on = done_on.map_err(|e| fail(DONE_ON, e)).ok();
        let result = CallResult::parse(row.cell(RESULT).as_bytes());
        if result.is_none() {
            fail(RESULT, CallResult::EXPECTED.into());
        }
        for column in [BY, NOTE] {
            if row.cell(column).contains(['\n', '\r']) {
                fail(
                    column,
                    "a line break inside the cell; a contact is one line: write it on one line"
                        .into(),
                );
            }
        }
        let by = match row.cell(BY) {
            "" => args.by.clone().unwrap_or_default(),
            by => by.to_string(),
        };
        if let (true, Some(customer), Some(rule), Some(done_on), Some(result)) =
            (ok, customer, rule, done_on, result)
        {
            drafts.push((
                row,
                Call {
                    customer,
                    rule,
                    source_id: row.cell(SOURCE).to_string(),
                    done_on,
                    by,
                    result,
                    note: row.cell(NOTE).to_string(),
                    answers: Vec::new(),
                },
            ));
        } else {
            // The answers are checked too, as far as they can be without the call.
            for (i, _) in sheet.questions.iter().enumerate() {
                let cell = row.cell(QUESTIONS + i);
                if !cell.is_empty() {
                    if let Err(e) = policy.survey.scale.read(cell) {
                        bad(row, QUESTIONS + i, e);
                    }
                }
            }
        }
    }
    let items: Vec<(u32, usize, &str, NaiveDate)> = drafts
        .iter()
        .map(|(_, c)| (c.customer, c.rule, c.source_id.as_str(), c.done_on))
        .collect();
    let found = check_items(plan, policy, book, &items)?;
    let mut calls: Vec<Call> = Vec::new();
    for ((row, mut call), kind) in drafts.into_iter().zip(found) {
        let kind = match kind {
            Ok(kind) => kind,
            Err(why) => {
                bad(
                    row,
                    SOURCE,
                    format!(
                        "no item of rule {} for {}: {why}",
                        policy.due.rules[call.rule].name,
                        row.cell(CUSTOMER)
                    ),
                );
                continue;
            }
        };
        let form = policy.survey.form_for(call.rule, kind);
        let mut ok = true;
        for (i, question) in sheet.questions.iter().enumerate() {
            let cell = row.cell(QUESTIONS + i);
            if cell.is_empty() {
                continue;
            }
            match read_answer(policy, call.rule, form, call.result, question, cell) {
                Ok(score) => call.answers.push((question.clone(), score)),
                Err(why) => {
                    bad(row, QUESTIONS + i, why);
                    ok = false;
                }
            }
        }
        if ok {
            calls.push(call);
        }
    }
    if !problems.is_empty() {
        // The sheet's own verdict: `check` does not read sheets, so it is not pointed to.
        for p in problems.iter() {
            crate::app::note(&p.to_string());
        }
        for line in problems.dropped_notes() {
            crate::app::note(&line);
        }
        let n = problems.total();
        crate::app::note(&format!(
            "caredesk: {n} problem{} in {file}; nothing was logged: correct the cells and read the sheet again",
            if n == 1 { "" } else { "s" }
        ));
        return Err(Error::AlreadyReported(crate::error::exit::BAD_INPUT));
    }
    let what = |column: &str| format!("the sheet's {column} cells");
    let written = write(plan, policy, book, &calls, true, what)?;
    let mut by_result: Vec<String> = Vec::new();
    for r in CallResult::ALL {
        let n = written.calls.iter().filter(|c| **c == r).count();
        if n > 0 {
            by_result.push(format!("{n} {}", r.as_str()));
        }
    }
    let logged = written.calls.len();
    let mut lines = vec![if logged == 0 {
        format!("nothing new to log from {file}")
    } else {
        format!(
            "logged {logged} call{} from {file} ({}) and {} answer{} in {} and {}",
            if logged == 1 { "" } else { "s" },
            by_result.join(", "),
            written.answers,
            if written.answers == 1 { "" } else { "s" },
            display(&plan.contacts),
            display(&plan.answers)
        )
    }];
    let skipped = written.already.len();
    if skipped > 0 || sheet.untouched > 0 {
        lines.push(format!(
            "skipped {skipped} row{} already logged, {} row{} with nothing filled in",
            if skipped == 1 { "" } else { "s" },
            sheet.untouched,
            if sheet.untouched == 1 { "" } else { "s" }
        ));
    }
    say(&lines)
}

// ---- checks shared by both

/// Reads one answer to `question` on a call of `rule` (whose form is `form`) logged with
/// `result`: the score, `None` for not rated, or why it is refused.
fn read_answer(
    policy: &Policy,
    rule: usize,
    form: Option<usize>,
    result: CallResult,
    question: &str,
    score: &str,
) -> std::result::Result<Option<u8>, String> {
    let survey = &policy.survey;
    if !survey.has_form(rule) {
        return Err(format!(
            "rule {} has no survey form: its calls take no answers",
            policy.due.rules[rule].name
        ));
    }
    let Some(form) = form.map(|f| &survey.forms[f]) else {
        return Err("this call has no survey form (no form is asked on its job's kind)".into());
    };
    if form.question(question).is_none() {
        let ids: Vec<&str> = form.questions.iter().map(|q| q.id.as_str()).collect();
        return Err(format!(
            "no question {question:?} in form {:?} (the form of this call); it asks {}",
            form.name,
            ids.join(", ")
        ));
    }
    if result != CallResult::Done {
        return Err(format!("a {} call has no answers", result.as_str()));
    }
    survey.scale.read(score)
}

/// Whether each call `(customer, rule, source id)` is an item of its rule for its
/// customer: an order of theirs that the rule follows (then `Ok` with its kind), a
/// complaint of theirs, a date (for a birthday or an anniversary, one of theirs; for a
/// holiday, one of the calendar's), a call of theirs answered dissatisfied; or why not.
fn check_items(
    plan: &Plan,
    policy: &Policy,
    book: &CustomerBook,
    calls: &[(u32, usize, &str, NaiveDate)],
) -> Result<Vec<std::result::Result<Option<OrderKind>, String>>> {
    let trigger = |r: usize| &policy.due.rules[r].trigger;
    let mut out: Vec<std::result::Result<Option<OrderKind>, String>> = vec![Ok(None); calls.len()];
    // Orders: one pass for every call of a sale or service rule.
    let by_order: HashMap<&str, Vec<usize>> = calls
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(trigger(c.1), Trigger::Sale(_) | Trigger::Service { .. }))
        .fold(HashMap::new(), |mut m, (i, c)| {
            m.entry(c.2).or_insert_with(Vec::new).push(i);
            m
        });
    if !by_order.is_empty() {
        let day = Day {
            date: plan.as_of,
            within: 0,
            grace: Days::of(0),
        };
        let fold = DueFold::new(&policy.due, day, book.len());
        let mut found: Vec<Option<(bool, OrderKind, NaiveDate)>> = vec![None; calls.len()];
        let mut problems = Problems::new();
        plan.scan_orders(
            policy,
            book,
            &mut problems,
            |order: &crate::model::Order<'_>| {
                if let Some(list) = by_order.get(order.order_id) {
                    for &i in list {
                        if calls[i].0 == order.customer {
                            let follows = fold.follows(calls[i].1, order);
                            found[i] = Some((follows, order.kind, order.date));
                        }
                    }
                }
            },
        )?;
        fail_on(problems)?;
        for list in by_order.values() {
            for &i in list {
                out[i] = match found[i] {
                    Some((true, _, placed)) if calls[i].3 < placed => {
                        Err(before(calls[i].3, "the order was placed", placed))
                    }
                    Some((true, kind, _)) => Ok(Some(kind)),
                    Some((false, _, _)) => Err(format!(
                        "that order is not one the rule follows ({})",
                        if matches!(trigger(calls[i].1), Trigger::Sale(_)) {
                            "a purchase"
                        } else {
                            "a job of its kinds"
                        }
                    )),
                    None => Err(format!(
                        "{} has no order {:?} up to {}",
                        book.id(calls[i].0 as usize),
                        calls[i].2,
                        plan.as_of
                    )),
                };
            }
        }
    }
    let complaint_rule = |r: usize| {
        matches!(
            trigger(r),
            Trigger::ComplaintResponse(_)
                | Trigger::ComplaintResolve(_)
                | Trigger::ComplaintRevisit(_)
        )
    };
    if calls.iter().any(|c| complaint_rule(c.1)) {
        let mut problems = Problems::new();
        let complaints = plan
            .load_complaints(policy, book, &mut problems)?
            .unwrap_or_default();
        fail_on(problems)?;
        let theirs: HashMap<(u32, &str), NaiveDate> = complaints
            .iter()
            .map(|c| ((c.customer, c.complaint_id.as_str()), c.opened_at.date()))
            .collect();
        for (i, c) in calls
            .iter()
            .enumerate()
            .filter(|(_, c)| complaint_rule(c.1))
        {
            out[i] = match theirs.get(&(c.0, c.2)) {
                None => Err(format!(
                    "{} has no complaint {:?}",
                    book.id(c.0 as usize),
                    c.2
                )),
                Some(&opened) if c.3 < opened => Err(before(c.3, "it was opened", opened)),
                Some(_) => continue,
            };
        }
    }
    if calls
        .iter()
        .any(|c| matches!(trigger(c.1), Trigger::Answers { .. }))
    {
        let mut problems = Problems::new();
        let answers = plan.load_answers(policy, book, &mut problems)?;
        fail_on(problems)?;
        let known = overalls(&answers, plan.as_of);
        for (i, c) in calls.iter().enumerate() {
            if let Trigger::Answers { max_score, .. } = trigger(c.1) {
                let unhappy = known.iter().find(|o| {
                    o.call.0 == c.0 && o.call.2 == c.2 && o.score.is_some_and(|s| s <= *max_score)
                });
                if let Some(o) = unhappy.filter(|o| c.3 < o.answered_on) {
                    out[i] = Err(before(c.3, "the call was answered", o.answered_on));
                } else if unhappy.is_none() {
                    out[i] = Err(format!(
                        "{} has no call {:?} answered with an overall score of {max_score} or less",
                        book.id(c.0 as usize),
                        c.2
                    ));
                }
            }
        }
    }
    for (i, &(customer, r, source, _)) in calls.iter().enumerate() {
        let dated = matches!(
            trigger(r),
            Trigger::Birthday
                | Trigger::Anniversary
                | Trigger::Holiday
                | Trigger::Maintenance { .. }
                | Trigger::PointsExpiry(_)
        );
        if !dated {
            continue;
        }
        let Some(date) = crate::parse::date(source.as_bytes()) else {
            out[i] = Err("this rule's items are dates: expected YYYY-MM-DD".into());
            continue;
        };
        let c = book.get(customer as usize);
        let yearly_on = |stored: Option<NaiveDate>, what: &str| match stored {
            Some(stored) if !yearly(stored, date, date).is_empty() => Ok(None),
            Some(stored) => Err(format!("the {what} on file is {stored}")),
            None => Err(format!("no {what} on file")),
        };
        out[i] = match trigger(r) {
            Trigger::Birthday => yearly_on(c.birthday, "birthday"),
            Trigger::Anniversary => yearly_on(c.anniversary, "anniversary"),
            Trigger::Holiday if holiday_dates(&policy.due.holidays, date, date).contains(&date) => {
                Ok(None)
            }
            Trigger::Holiday => Err("no holiday of the policy falls on it".into()),
            _ => Ok(None),
        };
    }
    Ok(out)
}

/// Why a call dated `done` cannot follow up what began on `began` (a mistyped year, most
/// often): a follow-up is done on or after its item began (docs/rules.md §9.6).
fn before(done: NaiveDate, what: &str, began: NaiveDate) -> String {
    format!("it is dated {done}, before {what} ({began}); a follow-up comes after it")
}

// ---- writing

/// What [`write`] did.
struct Written {
    /// The result of each call logged.
    calls: Vec<CallResult>,
    /// Answer rows added.
    answers: usize,
    /// Per call already logged, the line of contacts.csv that holds it.
    already: Vec<u64>,
}

/// Writes `calls` and their answers, both files locked (contacts.csv first): a call is
/// already logged when contacts.csv holds the very row, or, with `ended_once` (a sheet
/// read again, whose empty cells may take other defaults), when it ends an item already
/// ended; an answer row is added unless the file holds it already (the retry of a run
/// stopped between the two files). The answers land first, then the calls.
fn write(
    plan: &Plan,
    policy: &Policy,
    book: &CustomerBook,
    calls: &[Call],
    ended_once: bool,
    what: impl Fn(&str) -> String,
) -> Result<Written> {
    let want = plan.encoding.unwrap_or(policy.input.encoding);
    let mut contacts = Log::open(
        &plan.contacts,
        CONTACT_COLUMNS,
        &policy.columns.contacts,
        want,
    )?;
    let any_answers = calls.iter().any(|c| !c.answers.is_empty());
    let mut answers = match any_answers {
        true => Some(Log::open(
            &plan.answers,
            ANSWER_COLUMNS,
            &policy.columns.answers,
            want,
        )?),
        false => None,
    };
    for call in calls {
        contacts.check_columns(
            &call.contact(book, policy, &contacts),
            &CONTACT_COLUMNS[..4],
            &what,
        )?;
        if let Some(a) = &answers {
            for row in call.answer_rows(book, policy) {
                a.check_columns(
                    &row,
                    &[
                        "customer_id",
                        "rule",
                        "source_id",
                        "question",
                        "answered_on",
                    ],
                    |c| format!("the answers' {c}"),
                )?;
            }
        }
    }
    let mut written = Written {
        calls: Vec::new(),
        answers: 0,
        already: Vec::new(),
    };
    for call in calls {
        let (customer_id, rule, source) = call.key(book, policy);
        let same_call = |log: &Log, r: &[String]| {
            log.cell(r, "customer_id") == customer_id
                && log.cell(r, "rule") == rule
                && log.cell(r, "source_id") == source
        };
        let result_of =
            |log: &Log, r: &[String]| CallResult::parse(log.cell(r, "result").as_bytes());
        let row = contacts.row(&call.contact(book, policy, &contacts));
        let ended = |r: &[String]| {
            same_call(&contacts, r) && result_of(&contacts, r).is_some_and(CallResult::ends_item)
        };
        let logged = match contacts.find(&row) {
            Some(line) => Some(line),
            None if ended_once && call.result.ends_item() => contacts
                .rows
                .iter()
                .find(|(_, r)| ended(r))
                .map(|(l, _)| *l),
            None => None,
        };
        if let Some(line) = logged {
            written.already.push(line);
            continue;
        }
        if let Some(a) = &mut answers {
            for values in call.answer_rows(book, policy) {
                let row = a.row(&values);
                if a.find(&row).is_none() {
                    a.push(row);
                    written.answers += 1;
                }
            }
        }
        contacts.push(row);
        written.calls.push(call.result);
    }
    // A log Excel saved in GBK (or UTF-16) is added to in its own encoding: said once.
    for log in answers.iter().chain([&contacts]) {
        if log.grew() && !log.spelling().is_utf8() && !plan.quiet {
            crate::app::note(&format!(
                "{}: written in {}, as the file is",
                display(log.path()),
                log.spelling().label()
            ));
        }
    }
    let answers = answers.map(Log::stage).transpose()?;
    let contacts = contacts.stage()?;
    if let Some(a) = answers {
        a.commit()?;
    }
    contacts.commit()?;
    Ok(written)
}
