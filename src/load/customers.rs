//! customers.csv: read whole (the customer list is what memory grows with), each id
//! mapped once to a dense index that every other file's rows resolve to.

use std::collections::BTreeMap;
use std::io::Read;

use super::{csv_reader, each_row_ahead, opt, read_header, req, Field};
use crate::error::Problems;
use chrono::NaiveDate;

use crate::model::Customer;
use crate::parse;

const FIELDS: &[Field] = &[
    req("customer_id"),
    req("name"),
    opt("phone"),
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
        let index = u32::try_from(self.rows.len()).map_err(|_| "too many customers")?;
        if let Err(first) = self.index.insert(c.customer_id.as_bytes(), index) {
            return Ok(Err(first));
        }
        let phone = if keep.phone {
            c.phone.unwrap_or("")
        } else {
            ""
        };
        let len = |s: &str| u16::try_from(s.len()).map_err(|_| "a field longer than 65,535 bytes");
        let row = Row {
            start: u32::try_from(self.text.len()).map_err(|_| "customer text over 4 GiB")?,
            id_len: len(c.customer_id)?,
            name_len: len(c.name)?,
            phone_len: len(phone)?,
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
    let mut book = CustomerBook::default();
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return book;
    };
    // The line of each kept customer, for "duplicate; first on line N".
    let mut lines: Vec<u64> = Vec::new();
    let id_column = header.at.first().copied().flatten();
    each_row_ahead(&mut reader, file, &header, problems, |row, record, next| {
        // The id lookup of the next row misses the cache: start it now, behind this row.
        if let Some(id) = next.zip(id_column).and_then(|(r, c)| r.get(c)) {
            book.index.prefetch(&super::IdIndex::probe(parse::trim(id)));
        }
        let line = row.line;
        // Borrowed from the record: the book copies the text into its arena.
        let customer = CustomerView {
            customer_id: row.text(record, 0),
            name: row.text(record, 1),
            phone: row.opt_text(record, 2),
            birthday: row.opt_with(record, 3, parse::date_cell),
            anniversary: row.opt_with(record, 4, parse::date_cell),
            joined_on: row.opt_with(record, 5, parse::date_cell),
            owner: row.opt_text(record, 6),
            store: row.opt_text(record, 7),
            contact_ok: row
                .opt(record, 8, parse::boolean, parse::EXPECT_BOOL)
                .unwrap_or(true),
        };
        if customer.customer_id.is_empty() {
            return;
        }
        // A row with a bad cell stays in the book (the bad value left empty): the run fails
        // on the problem anyway, and its orders must not also read as "unknown customer".
        match book.push(customer, keep) {
            Ok(Ok(())) => lines.push(line),
            Ok(Err(first)) => {
                let column = header.name(0).to_string();
                row.problems.add(
                    file,
                    line,
                    Some(&column),
                    Some(customer.customer_id),
                    format!(
                        "duplicate customer id; first on line {}",
                        lines[first as usize]
                    ),
                );
            }
            Err(what) => row.problems.add(
                file,
                line,
                None,
                None,
                format!("cannot keep this customer: {what}"),
            ),
        }
    });
    book
}

#[cfg(test)]
mod tests {
    use super::*;

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
