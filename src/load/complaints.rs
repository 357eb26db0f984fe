//! complaints.csv, read whole (complaints are few next to orders).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};

use csv::ByteRecord;

use super::chunks::{read_chunked, ByLine, Pending, Range, Records, Split};
use super::index::Probe;
use super::orders::{resolve, resolve_probed, Resolved};
use super::{csv_reader, each_row, opt, read_header, req, Field, RowCheck};
use crate::error::Problems;
use crate::hint::fetch_ahead;
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
    let keep = |k: &Complaint| only.is_none_or(|c| c == k.customer);
    read_complaints_where(input, file, renames, book, unknown, &keep, problems)
}

/// [`read_complaints`], keeping only the complaints `keep` says yes to (the call list
/// keeps those that can make an item near its day); every row is checked all the same.
pub fn read_complaints_where<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    keep: &(dyn Fn(&Complaint) -> bool + Sync),
    problems: &mut Problems,
) -> Vec<Complaint> {
    let mut reader = csv_reader(input);
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return Vec::new();
    };
    let rows = ComplaintRows::new(file, &header, book, unknown, keep);
    let mut kept = Kept::default();
    let mut ids = String::new();
    each_row(&mut reader, file, &header, problems, |row, record| {
        ids.clear();
        let checked = rows.check(row, record, None, &mut ids);
        kept.admit(checked, &ids, row);
    });
    kept.finish()
}

/// Reads complaints.csv from a file like [`read_complaints_where`], on both cores
/// ([`chunks`](super::chunks)): the same complaints, the same problems in the same order.
/// The rows are checked on the threads; each id's first line is kept in file order.
pub fn read_complaints_file(
    file: &File,
    name: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    keep: &(dyn Fn(&Complaint) -> bool + Sync),
    problems: &mut Problems,
) -> io::Result<Vec<Complaint>> {
    read_complaints_file_with(
        file,
        name,
        renames,
        book,
        unknown,
        keep,
        problems,
        Split::auto(),
    )
}

/// [`read_complaints_file`] on the given number of threads and chunk size.
#[allow(clippy::too_many_arguments)]
pub fn read_complaints_file_with(
    file: &File,
    name: &str,
    renames: &BTreeMap<String, String>,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    keep: &(dyn Fn(&Complaint) -> bool + Sync),
    problems: &mut Problems,
    split: Split,
) -> io::Result<Vec<Complaint>> {
    let size = file.metadata()?.len();
    let mut reader = csv_reader(Range::new(file, 0, size));
    let Some(header) = read_header(&mut reader, name, FIELDS, renames, problems) else {
        return Ok(Vec::new());
    };
    let records = ComplaintRecords {
        rows: ComplaintRows::new(name, &header, book, unknown, keep),
        fields: std::array::from_fn(|f| header.at.get(f).copied().flatten()),
    };
    let mut kept = Kept::default();
    read_chunked(
        file,
        size,
        &records,
        split,
        problems,
        &|_| {},
        |done, problems| {
            let (part, before) = (done.part, done.lines_before);
            // The chunk's problems go in by line with the repeated ids found here.
            let mut found = ByLine::new(done.problems, before);
            for mut checked in part.rows {
                checked.line += before;
                found.flush_to(checked.line, problems);
                let mut row = RowCheck {
                    file: name,
                    line: checked.line,
                    header: &header,
                    problems,
                    ok: checked.ok,
                    known_one_line: false,
                };
                let id = part.ids.get(checked.id.0..checked.id.1).unwrap_or_default();
                kept.admit(checked, id, &mut row);
            }
            found.finish(problems);
        },
    )?;
    Ok(kept.finish())
}

/// What the checks of one row make of it, before its id is checked against the rows
/// above it.
struct Checked {
    line: u64,
    /// Whether the row's cells passed.
    ok: bool,
    /// Where its complaint id is in the ids of its part.
    id: (usize, usize),
    /// The complaint, when its cells passed, its customer is known and `keep` wants it;
    /// its id and its line in the file are filled in once it is kept (a string only for
    /// what is kept). Boxed: a part holds a row for every line, and most lines'
    /// complaints are not kept.
    complaint: Option<Box<Complaint>>,
}

/// One chunk's rows, their ids one after the other.
#[derive(Default)]
struct ComplaintPart {
    rows: Vec<Checked>,
    ids: String,
}

/// The checks of a row on its own (all but the id's uniqueness): one home for both
/// readers.
struct ComplaintRows<'a> {
    file: &'a str,
    header: &'a super::Header,
    book: &'a CustomerBook,
    unknown: UnknownCustomer,
    keep: &'a (dyn Fn(&Complaint) -> bool + Sync),
    expect_category: String,
}

impl<'a> ComplaintRows<'a> {
    fn new(
        file: &'a str,
        header: &'a super::Header,
        book: &'a CustomerBook,
        unknown: UnknownCustomer,
        keep: &'a (dyn Fn(&Complaint) -> bool + Sync),
    ) -> Self {
        let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        ComplaintRows {
            file,
            header,
            book,
            unknown,
            keep,
            expect_category: format!("expected {}", one_of(&categories)),
        }
    }

    /// Checks a row (its customer looked up with `probe`, loaded ahead, when given),
    /// adding its id to `ids`.
    fn check(
        &self,
        row: &mut RowCheck<'_>,
        record: &ByteRecord,
        probe: Option<&Probe>,
        ids: &mut String,
    ) -> Checked {
        let at = ids.len();
        ids.push_str(row.text(record, 0));
        let id = (at, ids.len());
        let customer = match probe {
            Some(probe) => resolve_probed(row, record, 1, self.book, self.unknown, probe),
            None => resolve(row, record, 1, self.book, self.unknown, true),
        };
        let order_id = row.opt_text(record, 2);
        let category = row.req(record, 3, Category::parse, &self.expect_category);
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
                    let cell = self.header.cell(record, f).to_vec();
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
        let complaint = match (row.ok, customer, category, opened_at) {
            (true, Resolved::Found(customer), Some(category), Some(opened_at)) => Some(Complaint {
                complaint_id: String::new(),
                customer,
                order_id: order_id.map(str::to_string),
                category,
                opened_at,
                responded_at,
                closed_at,
                severity: severity.unwrap_or_default(),
                line: row.line,
            }),
            _ => None,
        };
        Checked {
            line: row.line,
            ok: row.ok,
            id,
            complaint: complaint.filter(|k| (self.keep)(k)).map(Box::new),
        }
    }
}

/// The rows kept, in file order, each id once: in the id index the customers use (an
/// array for numbered ids, else 16-byte slots with the id inline), not a map of Strings, which held 50 MB for the 500,000
/// complaints of the bench set against 20 MB.
#[derive(Default)]
struct Kept {
    seen: super::IdIndex,
    first_lines: Vec<u64>,
    out: Vec<Complaint>,
}

impl Kept {
    /// Checks the row's id against the rows before it (`row` is the row's check, to
    /// report a repeat on), then keeps its complaint when it passed and was wanted.
    fn admit(&mut self, checked: Checked, complaint_id: &str, row: &mut RowCheck<'_>) {
        if let (false, Ok(next)) = (
            complaint_id.is_empty(),
            u32::try_from(self.first_lines.len()),
        ) {
            match self.seen.insert(complaint_id.as_bytes(), next) {
                Ok(()) => self.first_lines.push(checked.line),
                Err(first) => {
                    let first = self.first_lines[first as usize];
                    row.bad(
                        0,
                        complaint_id.as_bytes(),
                        format!("duplicate complaint id; first on line {first}"),
                    );
                }
            }
        }
        if let Some(mut complaint) = checked.complaint.filter(|_| row.ok) {
            complaint.complaint_id = complaint_id.to_string();
            complaint.line = checked.line;
            self.out.push(*complaint);
        }
    }

    /// The complaints kept, for the rest of the run: without the room they grew into.
    fn finish(mut self) -> Vec<Complaint> {
        self.out.shrink_to_fit();
        self.out
    }
}

/// How the chunked reader checks complaint rows: each the full way (complaints are few
/// next to orders; what is saved is the csv crate's parse and one core's time), the
/// customers' id slots loaded a few rows ahead.
struct ComplaintRecords<'a> {
    rows: ComplaintRows<'a>,
    fields: [Option<usize>; 8],
}

impl Records for ComplaintRecords<'_> {
    type Part = ComplaintPart;
    type Scratch = ByteRecord;

    fn fields(&self) -> &[Option<usize>] {
        &self.fields
    }

    fn columns(&self) -> usize {
        self.rows.header.columns
    }

    fn plain(
        &self,
        lines: &[Pending],
        buf: &[u8],
        record: &mut ByteRecord,
        part: &mut ComplaintPart,
        problems: &mut Problems,
    ) {
        let index = self.rows.book.index();
        let probes: Vec<Probe> = lines
            .iter()
            .map(|p| index.probe(parse::trim(p.cell(buf, 1))))
            .collect();
        for (k, (p, probe)) in lines.iter().zip(&probes).enumerate() {
            fetch_ahead(&probes, k, |probe| index.prefetch(probe));
            if p.record(buf, record) {
                self.check(record, Some(probe), part, problems);
            }
        }
    }

    fn record(
        &self,
        record: &ByteRecord,
        _: &mut ByteRecord,
        part: &mut ComplaintPart,
        problems: &mut Problems,
    ) {
        self.check(record, None, part, problems);
    }

    fn unreadable(&self, e: &super::plain::Unreadable, problems: &mut Problems) {
        super::unreadable(problems, self.rows.file, self.rows.header, e);
    }
}

impl ComplaintRecords<'_> {
    fn check(
        &self,
        record: &ByteRecord,
        probe: Option<&Probe>,
        part: &mut ComplaintPart,
        problems: &mut Problems,
    ) {
        let mut row = RowCheck {
            file: self.rows.file,
            line: super::line_of(record),
            header: self.rows.header,
            problems,
            ok: true,
            known_one_line: false,
        };
        row.width(record);
        let checked = self.rows.check(&mut row, record, probe, &mut part.ids);
        part.rows.push(checked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::read_customers;

    /// `text` read against a book of one customer, C1: the complaints and the problems.
    fn read(text: &str) -> (Vec<Complaint>, Vec<String>) {
        let mut ps = Problems::new();
        let book = read_customers(
            "customer_id,name\nC1,Ann\n".as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            crate::load::Keep::ALL,
            &mut ps,
        );
        let got = read_complaints(
            text.as_bytes(),
            "k.csv",
            &BTreeMap::new(),
            &book,
            UnknownCustomer::Error,
            &mut ps,
        );
        (got, ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn a_complaint_answered_and_closed_the_minute_it_opened_is_fine() {
        // Only an answer or closing *before* the opening is refused: one at the same
        // minute (a complaint settled at the counter) is kept, in both readers.
        let text = "complaint_id,customer_id,category,opened_at,responded_at,closed_at\n\
                    K1,C1,install,2026-11-02 09:30,2026-11-02 09:30,2026-11-02 09:30\n\
                    K2,C1,install,2026-11-02 09:30,2026-11-02 09:29,\n";
        let (got, ps) = read(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].complaint_id, "K1");
        assert_eq!(
            ps,
            ["k.csv:3: responded_at: \"2026-11-02 09:29\": answered before it was opened (2026-11-02 09:30)"]
        );
    }

    #[test]
    fn complaints_are_checked_row_by_row() {
        let text = "complaint_id,customer_id,category,opened_at,responded_at,closed_at,severity\n\
                    K1,C1,install,2026-11-02 09:30,2026-11-02 11:00,,major\n\
                    K1,C1,noise,2026-11-02,2026-11-01 10:00,,urgent\n";
        let (got, ps) = read(text);
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
