//! contacts.csv: the log of follow-ups done, written by `caredesk log` and editable by
//! hand. Each row names a customer, a rule of the policy and the item's source id, and
//! how the call went (`result`: empty or `done`, `no_answer`, `refused`).

use std::collections::BTreeMap;
use std::io::Read;

use super::orders::{resolve, Resolved};
use super::{csv_reader, each_row, opt, read_header, req, Field};
use crate::error::Problems;
use crate::load::CustomerBook;
use crate::model::{CallResult, Contact};
use crate::parse;
use crate::policy::UnknownCustomer;

const FIELDS: &[Field] = &[
    req("customer_id"),
    req("rule"),
    req("source_id"),
    req("done_on"),
    opt("by"),
    opt("note"),
    opt("result"),
];

/// Reads contacts.csv; `rules` are the policy's rule names (an unknown one is a problem).
pub fn read_contacts<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    rules: &[&str],
    problems: &mut Problems,
) -> Vec<Contact> {
    read_contacts_of(input, file, renames, book, rules, None, problems)
}

/// [`read_contacts`], keeping only customer `only`'s rows when it is given (the customer
/// card); every row is checked all the same.
pub fn read_contacts_of<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    rules: &[&str],
    only: Option<u32>,
    problems: &mut Problems,
) -> Vec<Contact> {
    let mut out = Vec::new();
    let mut reader = csv_reader(input);
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return out;
    };
    each_row(&mut reader, file, &header, problems, |row, record| {
        let customer = resolve(row, record, 0, book, UnknownCustomer::Error, true);
        let rule = row.text(record, 1).to_string();
        if !rule.is_empty() && !rules.contains(&rule.as_str()) {
            let cell = rule.clone();
            row.bad(
                1,
                cell.as_bytes(),
                format!(
                    "unknown rule; {}",
                    crate::policy::rules_named(rules.iter().copied())
                ),
            );
        }
        let source_id = row.text(record, 2).to_string();
        let done_on = row.req_with(record, 3, parse::date_cell, parse::EXPECT_DATE);
        let by = row.opt_text(record, 4).map(str::to_string);
        let note = row.opt_lines(record, 5).map(str::to_string);
        let result = row
            .opt(record, 6, CallResult::parse, CallResult::EXPECTED)
            .unwrap_or_default();
        if let (true, Resolved::Found(customer), Some(done_on)) = (row.ok, customer, done_on) {
            if only.is_some_and(|c| c != customer) {
                return;
            }
            out.push(Contact {
                customer,
                rule,
                source_id,
                done_on,
                by,
                result,
                note,
            });
        }
    });
    out
}
