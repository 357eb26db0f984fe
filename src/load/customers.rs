//! customers.csv: read whole (the customer list is what memory grows with), each id
//! mapped once to a dense index that every other file's rows resolve to.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};

use chrono::NaiveDate;
use csv::ByteRecord;

use super::chunks::{read_chunked, ByLine, Pending, Range, Records, Split};
use super::index::Probe;
use super::{csv_reader, each_row_ahead, opt, phone, read_header, req, Field, RowCheck};
use crate::error::Problems;
use crate::hint::fetch_ahead;

use crate::model::Customer;
use crate::parse;

const FIELDS: &[Field] = &[
    req("customer_id"),
    req("name"),
    phone("phone"),
    opt("birthday"),
    opt("anniversary"),
    opt("joined_on"),
    opt("owner"),
    opt("store"),
    opt("contact_ok"),
];

/// Which optional columns a command keeps in memory (all are validated regardless).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub phone: bool,
}

impl Keep {
    pub const ALL: Keep = Keep { phone: true };
}

/// One customer, borrowed from the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerView<'a> {
    pub customer_id: &'a str,
    pub name: &'a str,
    /// `None` when empty, or when the command did not keep phones.
    pub phone: Option<&'a str>,
    pub birthday: Option<NaiveDate>,
    pub anniversary: Option<NaiveDate>,
    pub joined_on: Option<NaiveDate>,
    pub owner: Option<&'a str>,
    pub store: Option<&'a str>,
    pub contact_ok: bool,
}

/// A customer's place in the book: its text in the arena (id, name, phone, one after
/// the other), owner and store interned, dates inline. 28 bytes, against some 300 for a
/// struct of Strings: the book is what memory grows with.
#[derive(Debug, Clone, Copy)]
struct Row {
    start: u32,
    id_len: u16,
    name_len: u16,
    phone_len: u16,
    owner: u16,
    store: u16,
    contact_ok: bool,
    birthday: Option<NaiveDate>,
    anniversary: Option<NaiveDate>,
    joined_on: Option<NaiveDate>,
}

/// The customers, in file order, and the index from id to position.
#[derive(Debug, Default)]
pub struct CustomerBook {
    text: String,
    rows: Vec<Row>,
    /// Interned owners and stores; entry 0 is "none".
    owners: Interner,
    stores: Interner,
    index: super::IdIndex,
    /// The line where reading the file stopped before its end (a problem there), so
    /// an id after it is not known to be wrong (docs/rules.md §4.2).
    stopped_at: Option<u64>,
}

#[derive(Debug, Default)]
struct Interner {
    names: Vec<Box<str>>,
    at: std::collections::HashMap<Box<str>, u16, foldhash::fast::RandomState>,
}

impl Interner {
    /// 0 for none; `None` when there are more than 65,534 distinct names.
    fn intern(&mut self, name: Option<&str>) -> Option<u16> {
        let Some(name) = name else { return Some(0) };
        if let Some(&i) = self.at.get(name) {
            return Some(i);
        }
        let i = u16::try_from(self.names.len() + 1)
            .ok()
            .filter(|&i| i < u16::MAX)?;
        self.names.push(name.into());
        self.at.insert(name.into(), i);
        Some(i)
    }

    fn get(&self, i: u16) -> Option<&str> {
        (i > 0).then(|| &*self.names[i as usize - 1])
    }
}

impl CustomerBook {
    /// The dense index of a customer id (exact bytes, surrounding spaces ignored).
    #[inline]
    pub fn find(&self, id: &[u8]) -> Option<u32> {
        self.index.get(parse::trim(id))
    }

    /// The book with its text and rows in just the memory they take (they grew by
    /// doubling: up to 10 MB spare for a million customers).
    fn fitted(mut self) -> CustomerBook {
        self.text.shrink_to_fit();
        self.rows.shrink_to_fit();
        self
    }

    /// The book without its id index (4 MB for a million numbered ids, 32 MB for a
    /// million of any other shape: see [`IdIndex`](super::IdIndex)), for a command that has read every file naming customers and still
    /// has work to do: [`find`](Self::find) answers `None` after it.
    pub fn without_index(mut self) -> CustomerBook {
        self.index = super::IdIndex::default();
        self
    }

    /// The book of a file none of whose rows could be read (its header's problem on
    /// `stopped_at`).
    fn unread(stopped_at: Option<u64>) -> CustomerBook {
        CustomerBook {
            stopped_at,
            ..CustomerBook::default()
        }
    }

    /// The line of the customers file past which it was not read, when it was not read
    /// to its end: the customers after it are missing from the book.
    pub fn stopped_at(&self) -> Option<u64> {
        self.stopped_at
    }

    /// The id index itself, for batched lookups.
    pub fn index(&self) -> &super::IdIndex {
        &self.index
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Customer `i` (in file order).
    pub fn get(&self, i: usize) -> CustomerView<'_> {
        let r = &self.rows[i];
        let start = r.start as usize;
        let id_end = start + r.id_len as usize;
        let name_end = id_end + r.name_len as usize;
        let phone_end = name_end + r.phone_len as usize;
        CustomerView {
            customer_id: &self.text[start..id_end],
            name: &self.text[id_end..name_end],
            phone: (r.phone_len > 0).then(|| &self.text[name_end..phone_end]),
            birthday: r.birthday,
            anniversary: r.anniversary,
            joined_on: r.joined_on,
            owner: self.owners.get(r.owner),
            store: self.stores.get(r.store),
            contact_ok: r.contact_ok,
        }
    }

    /// The customers by owner (`stores`: by store): the distinct names in order, with
    /// `none` for the customers without one (when there are such), and each customer's
    /// place in that list. From the interned names: a million customers cost no string
    /// comparison each.
    pub fn grouped<'s>(&'s self, stores: bool, none: &'s str) -> (Vec<&'s str>, Vec<u32>) {
        let interner = if stores { &self.stores } else { &self.owners };
        let of = |r: &Row| if stores { r.store } else { r.owner };
        let unnamed = self.rows.iter().any(|r| of(r) == 0);
        let mut names: Vec<&str> = interner.names.iter().map(|n| &**n).collect();
        if unnamed {
            names.push(none);
        }
        names.sort_unstable();
        // A real name equal to `none` shares its place.
        names.dedup();
        let at = |name: &str| names.binary_search(&name).unwrap_or(0) as u32;
        let mut place = vec![at(none)];
        place.extend(interner.names.iter().map(|n| at(n)));
        let of_customer = self.rows.iter().map(|r| place[of(r) as usize]).collect();
        (names, of_customer)
    }

    /// The customers by owner (`stores`: by store) as a name given on the command line
    /// picks them ([`same_name`]: case and surrounding spaces aside): each group's
    /// spelling (the first in file order), and each customer's group, 0 for none (whose
    /// spelling is `""`). From the interned names: no string is folded per customer.
    pub fn named_groups(&self, stores: bool) -> (Vec<&str>, Vec<u32>) {
        let interner = if stores { &self.stores } else { &self.owners };
        let mut spellings: Vec<&str> = vec![""];
        let mut by_fold: std::collections::HashMap<String, u32> = Default::default();
        // Interned in file order, so the first spelling of a group is the file's first.
        let mut place = vec![0u32];
        for name in &interner.names {
            let next = spellings.len() as u32;
            let g = *by_fold.entry(fold_name(name)).or_insert(next);
            if g == next {
                spellings.push(name);
            }
            place.push(g);
        }
        let of = |r: &Row| if stores { r.store } else { r.owner };
        let of_customer = self.rows.iter().map(|r| place[of(r) as usize]).collect();
        (spellings, of_customer)
    }

    /// The distinct owners (`stores`: stores) the customers name, in file order.
    pub fn names(&self, stores: bool) -> Vec<&str> {
        let interner = if stores { &self.stores } else { &self.owners };
        interner.names.iter().map(|n| &**n).collect()
    }

    /// Per customer, whether its owner (`stores`: store) is `wanted` ([`same_name`]).
    pub fn named(&self, stores: bool, wanted: &str) -> Vec<bool> {
        let interner = if stores { &self.stores } else { &self.owners };
        let mut hit = vec![false];
        hit.extend(interner.names.iter().map(|n| same_name(Some(n), wanted)));
        let of = |r: &Row| if stores { r.store } else { r.owner };
        self.rows.iter().map(|r| hit[of(r) as usize]).collect()
    }

    /// Whether customer `i` may be contacted (without building the whole view: the call
    /// list asks it of every item).
    #[inline]
    pub fn contact_ok(&self, i: usize) -> bool {
        self.rows[i].contact_ok
    }

    /// Customer `i`'s id.
    pub fn id(&self, i: usize) -> &str {
        let r = &self.rows[i];
        &self.text[r.start as usize..r.start as usize + r.id_len as usize]
    }

    /// Frees the id index once no more ids need looking up (after the orders are read):
    /// `find` answers `None` from then on.
    pub fn release_index(&mut self) {
        self.index = super::IdIndex::default();
    }

    /// Starts loading customer `i`'s row (see [`crate::hint`]).
    #[inline]
    pub fn prefetch_row(&self, i: usize) {
        if let Some(r) = self.rows.get(i) {
            crate::hint::prefetch(r);
        }
    }

    /// Starts loading customer `i`'s id and name; their place is in the row, so call it
    /// once [`prefetch_row`](Self::prefetch_row) has had time to bring that in.
    #[inline]
    pub fn prefetch_text(&self, i: usize) {
        if let Some(t) = (self.rows.get(i)).and_then(|r| self.text.as_bytes().get(r.start as usize))
        {
            crate::hint::prefetch(t);
        }
    }

    /// Customer `i`'s birthday and anniversary (without building the whole view: the
    /// call list asks it of every customer).
    #[inline]
    pub fn dates(&self, i: usize) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let r = &self.rows[i];
        (r.birthday, r.anniversary)
    }

    /// Customer `i`'s name.
    pub fn name(&self, i: usize) -> &str {
        let r = &self.rows[i];
        let start = r.start as usize + r.id_len as usize;
        &self.text[start..start + r.name_len as usize]
    }

    /// Every customer id, in file order.
    pub fn ids(&self) -> Vec<&str> {
        (0..self.len()).map(|i| self.id(i)).collect()
    }

    /// Adds a customer; `Err` names what does not fit (a field over 65,535 bytes, more
    /// than 65,534 owners or stores, an arena over 4 GiB) or, with `Ok(Err(first))`, the
    /// index of an earlier customer with the same id.
    fn push(&mut self, c: CustomerView<'_>, keep: Keep) -> Result<Result<(), u32>, &'static str> {
        self.push_probed(c, self.index.probe(c.customer_id.as_bytes()), keep)
    }

    /// [`push`](Self::push) with the id's probe already computed.
    fn push_probed(
        &mut self,
        c: CustomerView<'_>,
        probe: Probe,
        keep: Keep,
    ) -> Result<Result<(), u32>, &'static str> {
        let index = u32::try_from(self.rows.len()).map_err(|_| "too many customers")?;
        let phone = kept_phone(&c, keep).unwrap_or("");
        fits(&c, keep)?;
        let len = |s: &str| s.len() as u16;
        let row = Row {
            start: u32::try_from(self.text.len()).map_err(|_| "customer text over 4 GiB")?,
            id_len: len(c.customer_id),
            name_len: len(c.name),
            phone_len: len(phone),
            owner: self
                .owners
                .intern(c.owner)
                .ok_or("more than 65,534 owners")?,
            store: self
                .stores
                .intern(c.store)
                .ok_or("more than 65,534 stores")?,
            contact_ok: c.contact_ok,
            birthday: c.birthday,
            anniversary: c.anniversary,
            joined_on: c.joined_on,
        };
        // Into the index last: a row that does not fit leaves no id behind.
        if let Err(first) = self
            .index
            .insert_probed(probe, c.customer_id.as_bytes(), index)
        {
            return Ok(Err(first));
        }
        self.text.push_str(c.customer_id);
        self.text.push_str(c.name);
        self.text.push_str(phone);
        self.rows.push(row);
        Ok(Ok(()))
    }

    /// Builds a book from customers already in memory (tests, other front ends).
    /// Later duplicates of an id (and rows that do not fit) are dropped and returned.
    pub fn from_customers(customers: Vec<Customer>) -> (CustomerBook, Vec<Customer>) {
        let mut book = CustomerBook::default();
        let mut dropped = Vec::new();
        for c in customers {
            if !matches!(book.push(c.view(), Keep::ALL), Ok(Ok(()))) {
                dropped.push(c);
            }
        }
        (book, dropped)
    }
}

/// Whether an owner's (or store's) name is the one asked for on the command line: case
/// and surrounding spaces aside (`due --owner`, `due --split-by`).
pub fn same_name(value: Option<&str>, wanted: &str) -> bool {
    value.is_some_and(|v| fold_name(v) == fold_name(wanted))
}

/// A name as [`same_name`] compares it.
pub fn fold_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Reads customers.csv. Bad rows are reported and left out; a repeated id is reported on
/// the later line and the first row kept.
pub fn read_customers<R: Read>(
    input: R,
    file: &str,
    renames: &BTreeMap<String, String>,
    keep: Keep,
    problems: &mut Problems,
) -> CustomerBook {
    let mut reader = csv_reader(input);
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return CustomerBook::unread(problems.stopped_at(file));
    };
    let mut admit = Admit::new(file, &header, keep);
    let id_column = header.at.first().copied().flatten();
    each_row_ahead(&mut reader, file, &header, problems, |row, record, next| {
        // The id lookup of the next row misses the cache: start it now, behind this row.
        if let Some(id) = next.zip(id_column).and_then(|(r, c)| r.get(c)) {
            let index = &admit.book.index;
            index.prefetch(&index.probe(parse::trim(id)));
        }
        let customer = check(row, record);
        if !customer.customer_id.is_empty() {
            let probe = admit.book.index.probe(customer.customer_id.as_bytes());
            admit.admit(customer, probe, row.line, row.problems);
        }
    });
    admit.book.stopped_at = problems.stopped_at(file);
    admit.book.fitted()
}

/// Reads customers.csv from a file like [`read_customers`], on both cores
/// ([`chunks`](super::chunks)): the same book, the same problems.
pub fn read_customers_file(
    file: &File,
    name: &str,
    renames: &BTreeMap<String, String>,
    keep: Keep,
    problems: &mut Problems,
) -> io::Result<CustomerBook> {
    read_customers_file_with(file, name, renames, keep, problems, Split::auto())
}

/// [`read_customers_file`] on the given number of threads and chunk size.
pub fn read_customers_file_with(
    file: &File,
    name: &str,
    renames: &BTreeMap<String, String>,
    keep: Keep,
    problems: &mut Problems,
    split: Split,
) -> io::Result<CustomerBook> {
    let size = file.metadata()?.len();
    let mut reader = csv_reader(Range::new(file, 0, size));
    let Some(header) = read_header(&mut reader, name, FIELDS, renames, problems) else {
        return Ok(CustomerBook::unread(problems.stopped_at(name)));
    };
    let records = CustomerRecords {
        file: name,
        fields: std::array::from_fn(|f| header.at.get(f).copied().flatten()),
        header: &header,
        keep,
    };
    let mut admit = Admit::new(name, &header, keep);
    read_chunked(
        file,
        size,
        &records,
        split,
        problems,
        &|_| {},
        |done, problems| {
            let (part, before) = (done.part, done.lines_before);
            // The chunk's problems go in by line with the repeats found here.
            let mut found = ByLine::new(done.problems, before);
            // Each row's id slot is loaded [`AHEAD`](crate::hint::AHEAD) rows before the row
            // goes in.
            let probes: Vec<Probe> = (0..part.rows.len())
                .map(|k| admit.book.index.probe(part.view(k).customer_id.as_bytes()))
                .collect();
            for (k, &probe) in probes.iter().enumerate() {
                fetch_ahead(&probes, k, |probe| admit.book.index.prefetch(probe));
                let line = part.rows[k].line + before;
                found.flush_to(line, problems);
                admit.admit(part.view(k), probe, line, problems);
            }
            found.finish(problems);
        },
    )?;
    admit.book.stopped_at = problems.stopped_at(name);
    Ok(admit.book.fitted())
}

/// The phone the book keeps of a customer.
fn kept_phone<'a>(c: &CustomerView<'a>, keep: Keep) -> Option<&'a str> {
    c.phone.filter(|_| keep.phone)
}

/// Whether the book can keep a customer's texts: each at most 65,535 bytes.
fn fits(c: &CustomerView<'_>, keep: Keep) -> Result<(), &'static str> {
    let texts = [c.customer_id, c.name, kept_phone(c, keep).unwrap_or("")];
    let named = [c.owner, c.store].map(|s| s.unwrap_or(""));
    match texts
        .iter()
        .chain(&named)
        .all(|s| s.len() <= u16::MAX as usize)
    {
        true => Ok(()),
        false => Err("a field longer than 65,535 bytes"),
    }
}

/// `None` for an empty text.
fn some(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A row's cells, checked: bad ones reported and left empty (an empty id: not kept).
fn check<'r>(row: &mut RowCheck<'_>, record: &'r ByteRecord) -> CustomerView<'r> {
    let header = row.header;
    check_cells(row, std::array::from_fn(|f| header.cell(record, f)))
}

/// [`check`], given the contract's cells in order.
fn check_cells<'r>(row: &mut RowCheck<'_>, cells: [&'r [u8]; 9]) -> CustomerView<'r> {
    CustomerView {
        customer_id: row.text_cell(0, cells[0]),
        name: row.text_cell(1, cells[1]),
        phone: row.opt_text_cell(2, cells[2]),
        birthday: row.opt_with_cell(3, cells[3], parse::date_cell),
        anniversary: row.opt_with_cell(4, cells[4], parse::date_cell),
        joined_on: row.opt_with_cell(5, cells[5], parse::date_cell),
        owner: row.opt_text_cell(6, cells[6]),
        store: row.opt_text_cell(7, cells[7]),
        contact_ok: row
            .opt_cell(8, cells[8], parse::boolean, parse::EXPECT_BOOL)
            .unwrap_or(true),
    }
}

/// Takes checked rows into the book, in file order.
struct Admit<'a> {
    file: &'a str,
    header: &'a super::Header,
    keep: Keep,
    book: CustomerBook,
    /// The line of each kept customer, for "duplicate; first on line N".
    lines: Vec<u64>,
}

impl<'a> Admit<'a> {
    fn new(file: &'a str, header: &'a super::Header, keep: Keep) -> Self {
        Admit {
            file,
            header,
            keep,
            book: CustomerBook::default(),
            lines: Vec::new(),
        }
    }

    /// Adds the customer on `line`, or reports why not: a repeated id, or one that does
    /// not fit. A row with a bad cell is kept (the bad value left empty): the run fails on
    /// the problem anyway, and its orders must not also read as "unknown customer".
    fn admit(
        &mut self,
        customer: CustomerView<'_>,
        probe: Probe,
        line: u64,
        problems: &mut Problems,
    ) {
        match self.book.push_probed(customer, probe, self.keep) {
            Ok(Ok(())) => self.lines.push(line),
            Ok(Err(first)) => problems.add(
                self.file,
                line,
                Some(self.header.name(0)),
                Some(customer.customer_id),
                format!(
                    "duplicate customer id; first on line {}",
                    self.lines[first as usize]
                ),
            ),
            Err(what) => not_kept(problems, self.file, line, what),
        }
    }
}

/// Reports a customer the book cannot keep, and why.
fn not_kept(problems: &mut Problems, file: &str, line: u64, what: &str) {
    let message = format!("cannot keep this customer: {what}");
    problems.add(file, line, None, None, message);
}

/// How the chunked reader checks customer rows.
struct CustomerRecords<'a> {
    file: &'a str,
    header: &'a super::Header,
    fields: [Option<usize>; 9],
    keep: Keep,
}

/// One chunk's checked customers, their text one after the other.
#[derive(Default)]
struct CustomerPart {
    text: String,
    rows: Vec<Staged>,
}

/// A checked customer waiting to be taken into the book (48 bytes: a chunk stages some
/// 25,000, and every staged byte is memory the book cannot use).
struct Staged {
    /// Counted from 1 at the chunk's start.
    line: u64,
    /// Where id, name, phone, owner and store end in the part's text (empty = none).
    ends: [u32; 5],
    birthday: Option<NaiveDate>,
    anniversary: Option<NaiveDate>,
    joined_on: Option<NaiveDate>,
    contact_ok: bool,
}

impl CustomerPart {
    /// Staged customer `k`.
    fn view(&self, k: usize) -> CustomerView<'_> {
        let row = &self.rows[k];
        let from = k.checked_sub(1).map_or(0, |j| self.rows[j].ends[4]);
        let text = |i: usize| {
            let start = if i == 0 { from } else { row.ends[i - 1] };
            &self.text[start as usize..row.ends[i] as usize]
        };
        CustomerView {
            customer_id: text(0),
            name: text(1),
            phone: some(text(2)),
            birthday: row.birthday,
            anniversary: row.anniversary,
            joined_on: row.joined_on,
            owner: some(text(3)),
            store: some(text(4)),
            contact_ok: row.contact_ok,
        }
    }
}

impl Records for CustomerRecords<'_> {
    type Part = CustomerPart;
    type Scratch = ();

    fn fields(&self) -> &[Option<usize>] {
        &self.fields
    }

    fn columns(&self) -> usize {
        self.header.columns
    }

    fn plain(
        &self,
        lines: &[Pending],
        buf: &[u8],
        _: &mut (),
        part: &mut CustomerPart,
        problems: &mut Problems,
    ) {
        for p in lines {
            // A line of empty cells is a blank row, skipped as the plain reader skips it.
            if !p.is_blank(buf) {
                let cells = std::array::from_fn(|f| p.cell(buf, f));
                self.stage(p.line, cells, None, part, problems);
            }
        }
    }

    fn record(
        &self,
        record: &ByteRecord,
        _: &mut (),
        part: &mut CustomerPart,
        problems: &mut Problems,
    ) {
        let cells = std::array::from_fn(|f| self.header.cell(record, f));
        self.stage(super::line_of(record), cells, Some(record), part, problems);
    }

    fn unreadable(&self, e: &super::plain::Unreadable, problems: &mut Problems) {
        super::unreadable(problems, self.file, self.header, e);
    }
}

impl CustomerRecords<'_> {
    /// Checks a row's cells and stages its customer (one without an id is reported, not
    /// kept). `record`: the row read the full way; `None` for a plain line, which is one
    /// line (see [`RowCheck::known_one_line`]) and no wider than the header (the splitter
    /// sends a wider one the full way).
    fn stage(
        &self,
        line: u64,
        cells: [&[u8]; 9],
        record: Option<&ByteRecord>,
        part: &mut CustomerPart,
        problems: &mut Problems,
    ) {
        let mut row = RowCheck {
            file: self.file,
            line,
            header: self.header,
            problems,
            ok: true,
            known_one_line: record.is_none(),
        };
        if let Some(r) = record {
            row.width(r);
        }
        let c = check_cells(&mut row, cells);
        if c.customer_id.is_empty() {
            return;
        }
        if let Err(what) = fits(&c, self.keep) {
            // As the book would say; a staged row's text stays small.
            not_kept(row.problems, self.file, row.line, what);
            return;
        }
        let phone = kept_phone(&c, self.keep);
        let mut ends = [0; 5];
        for (end, text) in ends.iter_mut().zip([
            c.customer_id,
            c.name,
            phone.unwrap_or(""),
            c.owner.unwrap_or(""),
            c.store.unwrap_or(""),
        ]) {
            part.text.push_str(text);
            // Below 4 GiB: a chunk is at most 1 GiB, and the record running past its end
            // holds at most 5 × 64 KiB of text that fits.
            *end = part.text.len() as u32;
        }
        part.rows.push(Staged {
            line: row.line,
            ends,
            birthday: c.birthday,
            anniversary: c.anniversary,
            joined_on: c.joined_on,
            contact_ok: c.contact_ok,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_group_by_their_interned_owner_or_store() {
        let text = "customer_id,name,owner,store\nC1,A,王磊,北京\nC2,B,,北京\nC3,C,陈静,\nC4,D,(none),上海\nC5,E,王磊,上海\n";
        let mut ps = Problems::new();
        let book = read_customers(
            text.as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            Keep::ALL,
            &mut ps,
        );
        assert!(ps.is_empty());
        let (names, of) = book.grouped(false, "(none)");
        assert_eq!(names, ["(none)", "王磊", "陈静"]);
        assert_eq!(
            of,
            [1, 0, 2, 0, 1],
            "an owner called (none) shares the place of none"
        );
        let (names, of) = book.grouped(true, "(none)");
        assert_eq!(names, ["(none)", "上海", "北京"]);
        assert_eq!(of, [2, 2, 0, 1, 1]);
    }

    fn read(text: &str) -> (CustomerBook, Vec<String>) {
        let mut ps = Problems::new();
        let book = read_customers(
            text.as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            Keep::ALL,
            &mut ps,
        );
        (book, ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn reads_rows_in_any_column_order_with_defaults() {
        let (book, ps) = read("name,customer_id,contact_ok\nAnn,C1,\n王伟,C2,false\n");
        assert!(ps.is_empty(), "{ps:?}");
        assert_eq!(book.len(), 2);
        assert!(book.get(0).contact_ok);
        assert!(!book.get(1).contact_ok);
        assert_eq!(book.find(b"C2"), Some(1));
    }

    #[test]
    fn every_bad_cell_and_duplicate_is_reported_with_its_line() {
        let (book, ps) = read(
            "customer_id,name,birthday,contact_ok\nC1,Ann,1980-02-30,maybe\nC1,Bob,,\n,NoId,,\n",
        );
        assert_eq!(
            ps,
            [
                "c.csv:2: birthday: \"1980-02-30\": expected a date YYYY-MM-DD (no such day)",
                "c.csv:2: contact_ok: \"maybe\": expected true or false",
                "c.csv:3: customer_id: \"C1\": duplicate customer id; first on line 2",
                "c.csv:4: customer_id: \"\": a value is required here",
            ]
        );
        assert_eq!(book.len(), 1, "the first C1 stays known");
    }

    #[test]
    fn missing_columns_and_renamed_headers() {
        let (_, ps) = read("id,name\nC1,Ann\n");
        assert_eq!(
            ps,
            ["c.csv:1: missing required column customer_id; the header has: id, name"]
        );
        let mut renames = BTreeMap::new();
        renames.insert("customer_id".to_string(), "客户编号".to_string());
        renames.insert("name".to_string(), "姓名".to_string());
        let mut ps = Problems::new();
        let book = read_customers(
            "\u{feff}客户编号,姓名\nK1,李娜\n".as_bytes(),
            "c.csv",
            &renames,
            Keep::ALL,
            &mut ps,
        );
        assert!(ps.is_empty());
        assert_eq!(book.get(0).name, "李娜");
    }
}
