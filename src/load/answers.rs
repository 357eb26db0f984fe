//! answers.csv: the survey answers, one row per question asked on a call, written by
//! `caredesk log` and editable by hand (docs/rules.md §9.3). A call is (customer_id, rule,
//! source_id), as in contacts.csv; its rule must have a form, its question must be one of
//! that rule's forms, its score a score of the scale (or not rated).

use std::collections::BTreeMap;
use std::io::Read;

use super::orders::{resolve, Resolved};
use super::{csv_reader, each_row, read_header, req, Field};
use crate::error::Problems;
use crate::load::CustomerBook;
use crate::model::Answer;
use crate::parse;
use crate::policy::{DuePolicy, Policy, SurveyPolicy, UnknownCustomer};

const FIELDS: &[Field] = &[
    req("customer_id"),
    req("rule"),
    req("source_id"),
    req("question"),
    super::opt("score"),
    req("answered_on"),
];

/// Reads answers.csv. Whether a question belongs to the very form of its call (for a
/// service rule that depends on the job's order kind) is [`question_of_form`]'s check,
/// made where the orders are read.
pub fn read_answers<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    due: &DuePolicy,
    survey: &SurveyPolicy,
    problems: &mut Problems,
) -> Vec<Answer> {
    read_kept(input, file, renames, book, (due, survey), None, problems)
}

/// [`read_answers`] with the policy's columns and forms, keeping only customer `only`'s
/// rows when it is given (the customer card); every row is checked all the same.
pub fn read_answers_of<R: Read>(
    input: R,
    file: &str,
    policy: &Policy,
    book: &CustomerBook,
    only: Option<u32>,
    problems: &mut Problems,
) -> Vec<Answer> {
    let forms = (&policy.due, &policy.survey);
    let renames = &policy.columns.answers;
    read_kept(input, file, renames, book, forms, only, problems)
}

fn read_kept<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    (due, survey): (&DuePolicy, &SurveyPolicy),
    only: Option<u32>,
    problems: &mut Problems,
) -> Vec<Answer> {
    let mut out = Vec::new();
    let mut reader = csv_reader(input);
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return out;
    };
    let with_form: Vec<&str> = (0..due.rules.len())
        .filter(|&r| survey.has_form(r))
        .map(|r| due.rules[r].name.as_str())
        .collect();
    let expected_rule = if with_form.is_empty() {
        "no rule of the policy has a survey form ([[survey.forms]])".to_string()
    } else {
        format!(
            "expected a rule with a survey form: {}",
            with_form.join(", ")
        )
    };
    each_row(&mut reader, file, &header, problems, |row, record| {
        let line = row.line;
        let customer = resolve(row, record, 0, book, UnknownCustomer::Error, true);
        let rule_name = row.text(record, 1).to_string();
        let rule = due.rules.iter().position(|r| r.name == rule_name);
        if !rule_name.is_empty() && !rule.is_some_and(|r| survey.has_form(r)) {
            row.bad(1, rule_name.as_bytes(), expected_rule.clone());
        }
        let source_id = row.text(record, 2).to_string();
        let question = row.text(record, 3).to_string();
        if let Some(r) = rule.filter(|&r| survey.has_form(r)) {
            if !question.is_empty() && !survey.forms_on(r).any(|f| f.question(&question).is_some())
            {
                let ids = question_ids(survey, r);
                row.bad(
                    3,
                    question.as_bytes(),
                    format!(
                        "no such question in the form of rule {rule_name:?}; expected {}",
                        ids.join(", ")
                    ),
                );
            }
        }
        let score = match std::str::from_utf8(header.cell(record, 4)) {
            Ok(text) => match survey.scale.read(text) {
                Ok(score) => score,
                Err(expected) => {
                    row.bad(4, text.as_bytes(), expected);
                    None
                }
            },
            Err(_) => {
                row.bad(
                    4,
                    header.cell(record, 4),
                    "expected UTF-8 text (save the file as UTF-8)",
                );
                None
            }
        };
        let answered_on = row.req_with(record, 5, parse::date_cell, parse::EXPECT_DATE);
        if let (true, Resolved::Found(customer), Some(answered_on)) =
            (row.ok, customer, answered_on)
        {
            if only.is_some_and(|c| c != customer) {
                return;
            }
            out.push(Answer {
                customer,
                rule: rule_name,
                source_id,
                question,
                score,
                answered_on,
                line,
            });
        }
    });
    out
}

/// The question ids of the forms of rule `r`, each once, in form order.
fn question_ids(survey: &SurveyPolicy, r: usize) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for f in survey.forms_on(r) {
        for q in &f.questions {
            if !ids.contains(&q.id.as_str()) {
                ids.push(&q.id);
            }
        }
    }
    ids
}

/// Whether `answer`'s question is one of the form of its call, given the form
/// (`None`: the call has no form, say a job of a kind no form is asked on); when not,
/// what is expected.
pub fn question_of_form(
    survey: &SurveyPolicy,
    form: Option<usize>,
    answer: &Answer,
) -> Result<(), String> {
    match form.map(|f| &survey.forms[f]) {
        Some(f) if f.question(&answer.question).is_some() => Ok(()),
        Some(f) => Err(format!(
            "no such question in form {:?} (the form of this call); expected {}",
            f.name,
            f.questions
                .iter()
                .map(|q| q.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Err("this call has no survey form (no form is asked on its job's kind)".into()),
    }
}
