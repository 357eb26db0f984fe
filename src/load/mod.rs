//! Readers for the data files. Each takes any `R: Read` and the file's name for messages,
//! maps the header (through the policy's `[columns.*]` renames), and reports every bad
//! cell as a [`Problem`](crate::error::Problem) naming file, line, column, value and what
//! was expected. Orders are streamed to a visitor: nothing per order is kept.

mod answers;
mod chunks;
mod complaints;
mod contacts;
mod customers;
pub mod encoding;
mod grid;
pub mod headers;
pub mod index;
mod orders;
pub(crate) mod plain;
mod sheet;
mod tier_files;
mod worksheet;

pub use answers::{question_of_form, read_answers, read_answers_of};
pub use chunks::Split;
pub use complaints::{
    read_complaints, read_complaints_file, read_complaints_file_with, read_complaints_of,
    read_complaints_where,
};
pub use contacts::{read_contacts, read_contacts_of};
pub use customers::{
    fold_name, read_customers, read_customers_file, read_customers_file_with, same_name,
    CustomerBook, CustomerView, Keep,
};
pub use index::IdIndex;
pub use orders::{
    read_orders, read_orders_file, read_orders_file_reporting, read_orders_file_with, OrderSink,
    OrderSource, OrderStats,
};
pub use sheet::{sheet_to_csv, SheetPath};
pub use tier_files::{read_overrides, read_previous, Override, Previous, TierNames};
pub use worksheet::{read_worksheet, SheetRow, Worksheet, CALL_COLUMNS, FILL_IN_COLUMNS};

use std::collections::BTreeMap;
use std::io::Read;

use csv::ByteRecord;

use crate::error::{Problems, Reach};
pub(crate) use plain::CsvReader;
use plain::Unreadable;
pub use plain::{MAX_QUOTED_BYTES, MAX_QUOTED_LINES, MAX_RECORD_BYTES};

/// A contract column a reader looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub required: bool,
    /// A phone number: masked in messages too (DOMAIN.md 5).
    pub phone: bool,
}

pub(crate) const fn req(name: &'static str) -> Field {
    Field {
        name,
        required: true,
        phone: false,
    }
}

pub(crate) const fn opt(name: &'static str) -> Field {
    Field {
        name,
        required: false,
        phone: false,
    }
}

/// An optional phone column.
pub(crate) const fn phone(name: &'static str) -> Field {
    Field {
        name,
        required: false,
        phone: true,
    }
}

/// Where each contract column sits in a file, and what the file calls it.
#[derive(Debug)]
pub(crate) struct Header {
    /// Index in the record per field, in the order the fields were given.
    pub at: Vec<Option<usize>>,
    /// The header as written in the file, per field (for messages).
    pub names: Vec<String>,
    /// Per field, whether it holds phone numbers.
    pub phones: Vec<bool>,
    /// How many columns the header row has (named or not): a row with more cells is a
    /// problem ([`RowCheck::width`]).
    pub columns: usize,
}

impl Header {
    /// The cell of field `f` in `record`; empty when the column is absent or the row short.
    #[inline]
    pub fn cell<'r>(&self, record: &'r ByteRecord, f: usize) -> &'r [u8] {
        match self.at[f] {
            Some(i) => record.get(i).unwrap_or(b""),
            None => b"",
        }
    }

    pub fn name(&self, f: usize) -> &str {
        &self.names[f]
    }
}

/// The reader every input is read with: header row first, ragged rows allowed (a short
/// row has empty cells; a longer one is the checks' problem, [`RowCheck::width`]),
/// double-quote quoting, each record at its physical line.
pub(crate) fn csv_reader<R: Read>(input: R) -> CsvReader<R> {
    CsvReader::new(input)
}

/// Reads the header row and finds the fields. Missing required columns and repeated
/// header names are problems (line 1); `None` when the file cannot be read at all.
pub(crate) fn read_header<R: Read>(
    reader: &mut CsvReader<R>,
    file: &str,
    fields: &[Field],
    renames: &BTreeMap<String, String>,
    problems: &mut Problems,
) -> Option<Header> {
    let mut record = ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        // None of the three ways out below reads a row: each stops the file (§4.2).
        Ok(false) => {
            problems.add_reaching(
                Reach::StopsFile,
                file,
                0,
                None,
                None,
                "the file is empty; expected a header row",
            );
            return None;
        }
        Err(e) => {
            let message = format!("cannot read the header: {}", e.message);
            problems.add_reaching(Reach::StopsFile, file, e.line, None, None, message);
            return None;
        }
    }
    let cells = header_names(&record);
    let mut at = Vec::with_capacity(fields.len());
    let mut names = Vec::with_capacity(fields.len());
    let mut missing = Vec::new();
    for field in fields {
        let wanted = renames.get(field.name).map_or(field.name, String::as_str);
        let found: Vec<usize> = (0..cells.len()).filter(|&i| cells[i] == wanted).collect();
        if found.len() > 1 {
            problems.add(
                file,
                1,
                Some(wanted),
                None,
                format!(
                    "the header names this column {} times; expected it once",
                    found.len()
                ),
            );
        }
        if found.is_empty() && field.required {
            missing.push(if wanted == field.name {
                wanted.to_string()
            } else {
                format!("{wanted} (for {})", field.name)
            });
        }
        at.push(found.first().copied());
        names.push(wanted.to_string());
    }
    if !missing.is_empty() {
        problems.add_reaching(
            Reach::StopsFile,
            file,
            1,
            None,
            None,
            format!(
                "missing required column{} {}; the header has: {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                listed(&cells)
            ),
        );
        return None;
    }
    let phones = fields.iter().map(|f| f.phone).collect();
    Some(Header {
        at,
        names,
        phones,
        columns: cells.len(),
    })
}

/// A text cell that is not UTF-8 in a file read as UTF-8 (given so, or detected from its
/// start: [`encoding`]).
pub(crate) const NOT_UTF8: &str = "expected UTF-8 text: the file was read as UTF-8 \
    (--encoding gb18030 or utf-16 reads it otherwise; or save it as \"CSV UTF-8\")";

/// A header as a message lists it: at most 30 names, each cut as a cell is ([`shown`]),
/// and one with 7 digits or more masked as a phone is ([`masked`]): a file saved without
/// its header row has a customer's row there, phone number and all (a 300 MB line
/// without a line end was printed whole).
fn listed(cells: &[String]) -> String {
    const SHOWN: usize = 30;
    let mut names: Vec<String> = cells
        .iter()
        .take(SHOWN)
        .map(|c| {
            let c = shown(c.as_bytes());
            match c.bytes().filter(u8::is_ascii_digit).count() >= 7 {
                true => masked(&c),
                false => c,
            }
        })
        .collect();
    if cells.len() > SHOWN {
        names.push(format!("… ({} columns in all)", cells.len()));
    }
    names.join(", ")
}

/// A header row's names: trimmed, lossy UTF-8. A byte order mark at the file's start is
/// not among them: the reader ([`CsvReader`]) takes it off there, and only there.
pub(crate) fn header_names(record: &ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|c| String::from_utf8_lossy(crate::parse::trim(c)).into_owned())
        .collect()
}

/// Shows a cell in a message: lossy UTF-8, cut at 60 characters.
pub(crate) fn shown(cell: &[u8]) -> String {
    let s = String::from_utf8_lossy(cell);
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.into_owned()
    }
}

/// A phone cell as a message shows it: its digits masked as everywhere else
/// ([`mask_phone`](crate::report::mask_phone)), whatever else it holds kept in place, so
/// that `13800138000�` shows as `138****8000�`.
pub(crate) fn masked(text: &str) -> String {
    let mask = crate::report::mask_phone(text);
    let mut digits = mask.chars();
    text.chars()
        .map(|c| match c.is_ascii_digit() {
            true => digits.next().unwrap_or('*'),
            false => c,
        })
        .collect()
}

/// A row whose cells are all empty (what a spreadsheet leaves below the data).
pub(crate) fn is_blank(record: &ByteRecord) -> bool {
    record.iter().all(|c| crate::parse::trim(c).is_empty())
}

/// Collects the problems of one row, so a row with three bad cells reports all three.
pub(crate) struct RowCheck<'a> {
    pub file: &'a str,
    pub line: u64,
    pub header: &'a Header,
    pub problems: &'a mut Problems,
    pub ok: bool,
    /// Whether the row is known to be one line (a plain line of the chunked reader holds
    /// no line break): its text cells are then not searched for one, which was a quarter
    /// of checking a customer row.
    pub known_one_line: bool,
}

impl RowCheck<'_> {
    /// A row with more cells than the header has columns is a problem, and the row is not
    /// used: its values are not where the header says. An unquoted comma inside a value
    /// (`22,444.00`) moves every cell after it one column on, so the amount would be read
    /// as 22.00 and 444.00 as the profit, and the row ends one cell past the header even
    /// when that cell is empty (docs/rules.md §4.3).
    #[inline]
    pub fn width(&mut self, record: &ByteRecord) {
        if record.len() > self.header.columns {
            self.too_wide(record.len());
        }
    }

    #[cold]
    #[inline(never)]
    fn too_wide(&mut self, cells: usize) {
        self.ok = false;
        let columns = self.header.columns;
        let message = format!(
            "{cells} cells, but the header has {columns} columns; expected at most one cell \
             per column (a comma inside a value moves the cells after it: quote the value, \
             \"22,444.00\", or write it without the comma)"
        );
        self.problems.add(self.file, self.line, None, None, message);
    }

    pub fn bad(&mut self, field: usize, cell: &[u8], expected: impl Into<String>) {
        self.bad_reaching(Reach::Own, field, cell, expected);
    }

    /// [`bad`](Self::bad), for a problem with the given [`Reach`] (out of line: rows
    /// are checked by the million, problems are rare).
    #[cold]
    #[inline(never)]
    pub fn bad_reaching(
        &mut self,
        reach: Reach,
        field: usize,
        cell: &[u8],
        expected: impl Into<String>,
    ) {
        self.ok = false;
        let column = self.header.name(field).to_string();
        let value = match self.header.phones[field] {
            true => masked(&shown(cell)),
            false => shown(cell),
        };
        self.problems.add_reaching(
            reach,
            self.file,
            self.line,
            Some(&column),
            Some(&value),
            expected,
        );
    }

    /// A required text cell: present and valid UTF-8.
    pub fn text<'r>(&mut self, record: &'r ByteRecord, field: usize) -> &'r str {
        self.text_cell(field, self.header.cell(record, field))
    }

    /// [`text`](Self::text), given the cell.
    pub fn text_cell<'r>(&mut self, field: usize, cell: &'r [u8]) -> &'r str {
        let cell = crate::parse::trim(cell);
        match crate::parse::utf8(cell) {
            Ok("") => {
                self.bad(field, cell, "a value is required here");
                ""
            }
            Ok(s) if !self.one_line(field, s) => "",
            Ok(s) => s,
            Err(_) => {
                self.bad(field, cell, NOT_UTF8);
                ""
            }
        }
    }

    /// Whether a text cell is one line; a line break in an id, a name, a phone is a
    /// problem (without the value: what follows the break is other rows' cells, phones
    /// among them). It is what a quote opened in a cell and closed rows later leaves.
    fn one_line(&mut self, field: usize, text: &str) -> bool {
        if self.known_one_line || memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_none() {
            return true;
        }
        self.ok = false;
        let column = self.header.name(field).to_string();
        self.problems.add(
            self.file,
            self.line,
            Some(&column),
            None,
            "a line break inside the cell; expected one line of text (is a quote opened here \
             and closed rows later?)",
        );
        false
    }

    /// An optional text cell: `None` when empty.
    pub fn opt_text<'r>(&mut self, record: &'r ByteRecord, field: usize) -> Option<&'r str> {
        self.opt_text_cell(field, self.header.cell(record, field))
    }

    /// [`opt_text`](Self::opt_text), given the cell.
    pub fn opt_text_cell<'r>(&mut self, field: usize, cell: &'r [u8]) -> Option<&'r str> {
        self.opt_lines_cell(field, cell)
            .filter(|s| self.one_line(field, s))
    }

    /// An optional text cell of any number of lines (a note): `None` when empty.
    pub fn opt_lines<'r>(&mut self, record: &'r ByteRecord, field: usize) -> Option<&'r str> {
        self.opt_lines_cell(field, self.header.cell(record, field))
    }

    fn opt_lines_cell<'r>(&mut self, field: usize, cell: &'r [u8]) -> Option<&'r str> {
        let cell = crate::parse::trim(cell);
        match crate::parse::utf8(cell) {
            Ok("") => None,
            Ok(s) => Some(s),
            Err(_) => {
                self.bad(field, cell, NOT_UTF8);
                None
            }
        }
    }

    /// An optional cell parsed by `parse`; `None` when empty or bad (bad is reported).
    pub fn opt<T>(
        &mut self,
        record: &ByteRecord,
        field: usize,
        parse: impl Fn(&[u8]) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        self.opt_cell(field, self.header.cell(record, field), parse, expected)
    }

    /// [`opt`](Self::opt), given the cell.
    pub fn opt_cell<T>(
        &mut self,
        field: usize,
        cell: &[u8],
        parse: impl Fn(&[u8]) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        if crate::parse::trim(cell).is_empty() {
            return None;
        }
        let v = parse(cell);
        if v.is_none() {
            self.bad(field, cell, expected);
        }
        v
    }

    /// An optional cell parsed by `parse`, whose error says what was expected.
    pub fn opt_with<T>(
        &mut self,
        record: &ByteRecord,
        field: usize,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Option<T> {
        self.opt_with_cell(field, self.header.cell(record, field), parse)
    }

    /// [`opt_with`](Self::opt_with), given the cell.
    pub fn opt_with_cell<T>(
        &mut self,
        field: usize,
        cell: &[u8],
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Option<T> {
        if crate::parse::trim(cell).is_empty() {
            return None;
        }
        match parse(cell) {
            Ok(v) => Some(v),
            Err(expected) => {
                self.bad(field, cell, expected);
                None
            }
        }
    }

    /// A required cell parsed by `parse`, whose error says what was expected.
    pub fn req_with<T>(
        &mut self,
        record: &ByteRecord,
        field: usize,
        parse: impl Fn(&[u8]) -> Result<T, String>,
        expected: &str,
    ) -> Option<T> {
        let cell = self.header.cell(record, field);
        if crate::parse::trim(cell).is_empty() {
            self.bad(field, cell, format!("a value is required here; {expected}"));
            return None;
        }
        self.opt_with(record, field, parse)
    }

    /// A required cell parsed by `parse`.
    pub fn req<T>(
        &mut self,
        record: &ByteRecord,
        field: usize,
        parse: impl Fn(&[u8]) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let cell = self.header.cell(record, field);
        if crate::parse::trim(cell).is_empty() {
            self.bad(field, cell, format!("a value is required here; {expected}"));
            return None;
        }
        self.opt(record, field, parse, expected)
    }
}

/// Calls `check` with every non-blank row after the header, in file order, a fresh
/// [`RowCheck`] for each. A read failure (an I/O error mid-file) is a problem on the line
/// where it happened and ends the pass.
pub(crate) fn each_row<R: Read>(
    reader: &mut CsvReader<R>,
    file: &str,
    header: &Header,
    problems: &mut Problems,
    mut check: impl FnMut(&mut RowCheck<'_>, &ByteRecord),
) {
    each_row_ahead(reader, file, header, problems, |row, record, _| {
        check(row, record)
    });
}

/// [`each_row`], with the record after each one read first and shown to `check` too, so
/// that it can start loading what the next row will need.
pub(crate) fn each_row_ahead<R: Read>(
    reader: &mut CsvReader<R>,
    file: &str,
    header: &Header,
    problems: &mut Problems,
    mut check: impl FnMut(&mut RowCheck<'_>, &ByteRecord, Option<&ByteRecord>),
) {
    let mut record = ByteRecord::new();
    let mut next = ByteRecord::new();
    // Whether `record` holds a row still to check, and the read error that ended the file.
    let mut have = false;
    let mut failed = None;
    loop {
        let more = match reader.read_byte_record(&mut next) {
            Ok(true) if is_blank(&next) => continue,
            Ok(true) => true,
            Ok(false) => false,
            Err(e) => {
                failed = Some(e);
                false
            }
        };
        if have {
            let mut row = RowCheck {
                file,
                line: line_of(&record),
                header,
                problems,
                ok: true,
                known_one_line: false,
            };
            row.width(&record);
            check(&mut row, &record, more.then_some(&next));
        }
        if !more {
            break;
        }
        std::mem::swap(&mut record, &mut next);
        have = true;
    }
    if let Some(e) = failed {
        unreadable(problems, file, header, &e);
    }
}

/// Reports a record that cannot be read, in the column of its header.
pub(crate) fn unreadable(problems: &mut Problems, file: &str, header: &Header, e: &Unreadable) {
    let column = e
        .field
        .and_then(|i| header.at.iter().position(|&at| at == Some(i)))
        .map(|f| header.name(f));
    // The reader stops at it: rows after it are not read (docs/rules.md §4.3).
    problems.add_reaching(
        Reach::StopsFile,
        file,
        e.line,
        column,
        None,
        e.message.clone(),
    );
}

/// Reports `cell` of `field`, an id `book` does not hold, with `advice` after the
/// message. When the customers file was not read to its end, the customer may be in the
/// part not read: the problem then follows on from the one where reading stopped, and
/// only a file's first such row is listed (docs/rules.md §4.2).
#[cold]
#[inline(never)]
pub(crate) fn no_such_customer(
    row: &mut RowCheck<'_>,
    field: usize,
    cell: &[u8],
    book: &CustomerBook,
    advice: &str,
) {
    match not_read("customer", "customers", book.stopped_at()) {
        Some(why) => row.bad_reaching(Reach::FollowsOn, field, cell, why),
        None => {
            let why = format!("no such customer in the customers file{advice}");
            row.bad(field, cell, why);
        }
    }
}

/// Why a `thing` (customer, order) is not in the `file` (customers, orders) read, when
/// that file stopped on line `stopped` (0 or 1: its header, or its lack of one): the
/// message of a [`Reach::FollowsOn`] problem. `None` when it was read to its end.
pub(crate) fn not_read(thing: &str, file: &str, stopped: Option<u64>) -> Option<String> {
    Some(match stopped? {
        0 | 1 => format!(
            "no such {thing}: no row of the {file} file was read (the problem with its \
             header); fix that first"
        ),
        line => format!(
            "no such {thing} in the part of the {file} file read (reading stopped at its \
             line {line}, on the problem there); fix that line first"
        ),
    })
}

/// Line where a record starts (1-based), as the reader counts it.
pub(crate) fn line_of(record: &ByteRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_files_and_blank_lines_number_their_lines_right() {
        let mut r = csv_reader(&b"h\r\na\r\n\r\nb\r\nc"[..]);
        let mut rec = ByteRecord::new();
        let mut lines = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            lines.push(line_of(&rec));
        }
        assert_eq!(lines, [1, 2, 4, 5]);
    }

    #[test]
    fn phones_in_messages_are_masked_in_place() {
        assert_eq!(masked("13800138000\u{fffd}"), "138****8000\u{fffd}");
        assert_eq!(masked("139-0000-1111 x"), "139-****-1111 x");
        assert_eq!(masked("12345"), "*2345");
        assert_eq!(masked("n/a"), "n/a");
    }

    #[test]
    fn a_header_in_a_message_shows_thirty_names_then_the_count() {
        let names = |n: usize| (1..=n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        let thirty = listed(&names(30));
        assert!(
            thirty.starts_with("c1, c2, ") && thirty.ends_with("c29, c30"),
            "{thirty}"
        );
        let more = listed(&names(31));
        assert!(more.ends_with("c29, c30, … (31 columns in all)"), "{more}");
        // A file saved without its header: a customer's row is read as one, phone and all.
        assert_eq!(
            listed(&["K1".into(), "13800138000".into()]),
            "K1, 138****8000"
        );
    }
}
