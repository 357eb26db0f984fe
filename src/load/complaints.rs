//! complaints.csv, read whole (complaints are few next to orders).

use std::collections::BTreeMap;
use std::io::Read;

use super::orders::{resolve, Resolved};
use super::{csv_reader, each_row, opt, read_header, req, Field};
use crate::error::Problems;
use crate::load::CustomerBook;
use crate::model::{one_of, Category, Complaint, Severity};
use crate::parse;
use crate::policy::UnknownCustomer;

const FIELDS: &[Field] = &[
    req("complaint_id"),
    req("customer_id"),
    opt("order_id"),
    req("category"),
    req("opened_at"),
    opt("responded_at"),
    opt("closed_at"),
    opt("severity"),
];

/// Reads complaints.csv: every row checked; ids unique; answers and closings not before
/// the opening.
pub fn read_complaints<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    problems: &mut Problems,
) -> Vec<Complaint> {
    read_complaints_of(input, file, renames, book, unknown, None, problems)
}

/// [`read_complaints`], keeping only customer `only`'s complaints when it is given (the
/// customer card); every row is checked all the same.
pub fn read_complaints_of<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    only: Option<u32>,
    problems: &mut Problems,
) -> Vec<Complaint> {
    let mut out = Vec::new();
    let mut reader = csv_reader(input);
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return out;
    };
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let expect_category = format!("expected {}", one_of(&categories));
    // Each id once, with the line it was first on: in the id table the customers use
    // (16 bytes a slot, the id inline), not a map of Strings, which held 50 MB for the
    // 500,000 complaints of the bench set against 20 MB.
    let mut seen = super::IdIndex::default();
    let mut first_lines: Vec<u64> = Vec::new();
    each_row(&mut reader, file, &header, problems, |row, record| {
        let line = row.line;
        let complaint_id = row.text(record, 0).to_string();
        let customer = resolve(row, record, 1, book, unknown, true);
        let order_id = row.opt_text(record, 2).map(str::to_string);
        let category = row.req(record, 3, Category::parse, &expect_category);
        let opened_at = row.req_with(record, 4, parse::datetime_cell, parse::EXPECT_DATETIME);
        let responded_at = row.opt_with(record, 5, parse::datetime_cell);
        let closed_at = row.opt_with(record, 6, parse::datetime_cell);
        let severity = row.opt(
            record,
            7,
            Severity::parse,
            "expected normal, major or empty",
        );
        if let Some(opened) = opened_at {
            for (f, at, what) in [(5, responded_at, "answered"), (6, closed_at, "closed")] {
                if at.is_some_and(|t| t < opened) {
                    let cell = header.cell(record, f).to_vec();
                    row.bad(
                        f,
                        &cell,
                        format!(
                            "{what} before it was opened ({})",
                            opened.format("%Y-%m-%d %H:%M")
                        ),
                    );
                }
            }
        }
        if let (false, Ok(next)) = (complaint_id.is_empty(), u32::try_from(first_lines.len())) {
            match seen.insert(complaint_id.as_bytes(), next) {
                Ok(()) => first_lines.push(line),
                Err(first) => {
                    let first = first_lines[first as usize];
                    let cell = complaint_id.clone();
                    row.bad(
                        0,
                        cell.as_bytes(),
                        format!("duplicate complaint id; first on line {first}"),
                    );
                }
            }
        }
        let (true, Resolved::Found(customer), Some(category), Some(opened_at)) =
            (row.ok, customer, category, opened_at)
        else {
            return;
        };
        if only.is_some_and(|c| c != customer) {
            return;
        }
        out.push(Complaint {
            complaint_id,
            customer,
            order_id,
            category,
            opened_at,
            responded_at,
            closed_at,
            severity: severity.unwrap_or_default(),
            line,
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::read_customers;

    #[test]
    fn complaints_are_checked_row_by_row() {
        let mut ps = Problems::new();
        let book = read_customers(
            "customer_id,name\nC1,Ann\n".as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            crate::load::Keep::ALL,
            &mut ps,
        );
        let text = "complaint_id,customer_id,category,opened_at,responded_at,closed_at,severity\n\
                    K1,C1,install,2026-11-02 09:30,2026-11-02 11:00,,major\n\
                    K1,C1,noise,2026-11-02,2026-11-01 10:00,,urgent\n";
        let got = read_complaints(
            text.as_bytes(),
            "k.csv",
            &BTreeMap::new(),
            &book,
            UnknownCustomer::Error,
            &mut ps,
        );
        let ps: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].severity, Severity::Major);
        assert_eq!(
            ps,
            [
                "k.csv:3: category: \"noise\": expected install, repair, quality, maintenance, service or other",
                "k.csv:3: opened_at: \"2026-11-02\": expected a date and time YYYY-MM-DD HH:MM",
                "k.csv:3: severity: \"urgent\": expected normal, major or empty",
                "k.csv:3: complaint_id: \"K1\": duplicate complaint id; first on line 2",
            ]
        );
    }
}
