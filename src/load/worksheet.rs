//! The care staff's worksheet read back (`log --from`): the call list exported with
//! `due --worksheet`, its fill-in columns filled in and saved (CSV, or xlsx as Excel, WPS
//! or LibreOffice save it). Only the cells are read here, by their headers; what they
//! must hold (a known customer, an item of the rule, a score of the form) is checked by
//! `log`, which knows the policy and the orders.

use std::io::Read;

use csv::ByteRecord;

use super::{csv_reader, is_blank, line_of};
use crate::error::Problems;
use crate::report::unguard;

/// The columns that name the call, which the sheet must have.
pub const CALL_COLUMNS: [&str; 3] = ["customer_id", "rule", "source_id"];
/// The columns the staff fill in, besides one per question.
pub const FILL_IN_COLUMNS: [&str; 4] = ["done_on", "by", "result", "note"];

/// A filled worksheet: which columns it has, and its rows with something filled in.
#[derive(Debug, Clone, Default)]
pub struct Worksheet {
    /// Per column read ([`CALL_COLUMNS`], [`FILL_IN_COLUMNS`], then the questions in
    /// sheet order): its header as written in the sheet.
    pub names: Vec<String>,
    /// The question ids the sheet has a column for, in sheet order.
    pub questions: Vec<String>,
    /// The rows with a fill-in cell that is not empty.
    pub rows: Vec<SheetRow>,
    /// Rows whose fill-in cells are all empty (nothing to log).
    pub untouched: u64,
}

/// One filled row: its sheet row, and its cells trimmed, in [`Worksheet::names`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub line: u64,
    pub cells: Vec<String>,
}

impl SheetRow {
    /// The cell of column `i` ([`CALL_COLUMNS`] are 0–2, [`FILL_IN_COLUMNS`] 3–6, the
    /// questions from 7 on).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", String::as_str)
    }
}

/// Reads a worksheet; `questions` are every form's question ids (a column with one of
/// those headers is a question's). A header without the call's columns, or without any
/// column to fill in, is a problem; so is a cell that is not UTF-8 text.
pub fn read_worksheet<R: Read>(
    input: R,
    file: &str,
    questions: &[&str],
    problems: &mut Problems,
) -> Worksheet {
    let mut sheet = Worksheet::default();
    let mut reader = csv_reader(input);
    let mut record = ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            problems.add(
                file,
                0,
                None,
                None,
                "the sheet is empty; expected the call list's header row",
            );
            return sheet;
        }
        Err(e) => {
            problems.add(
                file,
                e.line,
                None,
                None,
                format!("cannot read the header: {}", e.message),
            );
            return sheet;
        }
    }
    let header = super::header_names(&record);
    let find = |name: &str| header.iter().position(|h| h == name);
    let missing: Vec<&str> = CALL_COLUMNS
        .into_iter()
        .filter(|c| find(c).is_none())
        .collect();
    if !missing.is_empty() {
        problems.add(
            file,
            1,
            None,
            None,
            format!(
                "missing column{} {}: a worksheet is the call list exported with `caredesk due --worksheet`; the header has: {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                header.join(", ")
            ),
        );
        return sheet;
    }
    let mut at: Vec<Option<usize>> = CALL_COLUMNS
        .iter()
        .chain(&FILL_IN_COLUMNS)
        .map(|c| find(c))
        .collect();
    sheet.names = CALL_COLUMNS
        .iter()
        .chain(&FILL_IN_COLUMNS)
        .map(|c| c.to_string())
        .collect();
    for (i, h) in header.iter().enumerate() {
        if questions.contains(&h.as_str()) && !sheet.questions.contains(h) {
            sheet.questions.push(h.clone());
            sheet.names.push(h.clone());
            at.push(Some(i));
        }
    }
    if at[3..].iter().all(Option::is_none) {
        problems.add(
            file,
            1,
            None,
            None,
            format!(
                "no column to fill in ({}, or a question of a form): export the list with `caredesk due --worksheet`",
                FILL_IN_COLUMNS.join(", ")
            ),
        );
        return sheet;
    }
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) if is_blank(&record) => continue,
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                problems.add(file, e.line, None, None, e.message.clone());
                break;
            }
        }
        let line = line_of(&record);
        let mut cells = Vec::with_capacity(at.len());
        for (f, pos) in at.iter().enumerate() {
            let cell = pos.and_then(|p| record.get(p)).unwrap_or(b"");
            match std::str::from_utf8(crate::parse::trim(cell)) {
                Ok(text) => cells.push(unguard(text).to_string()),
                Err(_) => {
                    problems.add(
                        file,
                        line,
                        Some(&sheet.names[f]),
                        Some(&super::shown(cell)),
                        "expected UTF-8 text (save the sheet as UTF-8 CSV, or as xlsx)",
                    );
                    cells.push(String::new());
                }
            }
        }
        if cells[3..].iter().all(|c| c.is_empty()) {
            sheet.untouched += 1;
        } else {
            sheet.rows.push(SheetRow { line, cells });
        }
    }
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filled_rows_are_kept_with_their_sheet_rows() {
        let text = "\u{feff}due_date,customer_id,rule,source_id,done_on,by,result,note,overall,polite,other\n\
                    2026-11-22,C1,survey,O1,,,,,,,x\n\
                    \n\
                    2026-11-22,C2,survey,O2,2026-11-22,李娜,,,5,比较满意,\n\
                    2026-11-22,'+C3,survey,O3,,,no_answer,,,,\n";
        let mut problems = Problems::new();
        let s = read_worksheet(
            text.as_bytes(),
            "w.csv",
            &["overall", "polite"],
            &mut problems,
        );
        assert!(
            problems.is_empty(),
            "{:?}",
            problems.iter().collect::<Vec<_>>()
        );
        assert_eq!(s.questions, ["overall", "polite"]);
        assert_eq!(s.untouched, 1);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].line, 4);
        assert_eq!(s.rows[0].cell(0), "C2");
        assert_eq!(s.rows[0].cell(8), "比较满意");
        assert_eq!(
            s.rows[1].cell(0),
            "+C3",
            "the export's formula guard is taken off"
        );
        assert_eq!(s.rows[1].cell(5), "no_answer");
    }

    #[test]
    fn a_sheet_that_is_no_worksheet_is_named() {
        let mut problems = Problems::new();
        read_worksheet(
            &b"customer_id,name\nC1,Ann\n"[..],
            "w.csv",
            &[],
            &mut problems,
        );
        let got: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("w.csv:1: missing columns rule, source_id"),
            "{got:?}"
        );
        let mut problems = Problems::new();
        read_worksheet(
            &b"customer_id,rule,source_id\nC1,survey,O1\n"[..],
            "w.csv",
            &[],
            &mut problems,
        );
        assert!(problems
            .iter()
            .next()
            .unwrap()
            .to_string()
            .contains("no column to fill in"));
    }
}
