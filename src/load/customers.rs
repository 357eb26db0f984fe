//! customers.csv: read whole (the customer list is what memory grows with), each id
//! mapped once to a dense index that every other file's rows resolve to.

use std::collections::BTreeMap;
use std::io::Read;

use csv::ByteRecord;

use super::{csv_reader, is_blank, line_of, opt, read_header, req, Field, RowCheck};
use crate::error::Problems;
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

/// The customers, in file order, and the index from id to position.
#[derive(Debug, Default)]
pub struct CustomerBook {
    pub customers: Vec<Customer>,
    index: super::IdIndex,
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
        self.customers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// Builds a book from customers already in memory (tests, other front ends).
    /// Later duplicates of an id are dropped and returned.
    pub fn from_customers(customers: Vec<Customer>) -> (CustomerBook, Vec<Customer>) {
        let mut book = CustomerBook::default();
        let mut dropped = Vec::new();
        for c in customers {
            match book
                .index
                .insert(c.customer_id.as_bytes(), book.customers.len() as u32)
            {
                Ok(()) => book.customers.push(c),
                Err(_) => dropped.push(c),
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
    problems: &mut Problems,
) -> CustomerBook {
    let mut reader = csv_reader(input);
    let mut book = CustomerBook::default();
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return book;
    };
    // The line of each kept customer, for "duplicate; first on line N".
    let mut lines: Vec<u64> = Vec::new();
    let mut record = ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                problems.add(
                    file,
                    line_of(&record),
                    None,
                    None,
                    format!("cannot read: {e}"),
                );
                break;
            }
        }
        if is_blank(&record) {
            continue;
        }
        let line = line_of(&record);
        let mut row = RowCheck {
            file,
            line,
            header: &header,
            problems,
            ok: true,
        };
        let customer = Customer {
            customer_id: row.text(&record, 0).to_string(),
            name: row.text(&record, 1).to_string(),
            phone: row.opt_text(&record, 2).map(str::to_string),
            birthday: row.opt(&record, 3, parse::date, parse::EXPECT_DATE),
            anniversary: row.opt(&record, 4, parse::date, parse::EXPECT_DATE),
            joined_on: row.opt(&record, 5, parse::date, parse::EXPECT_DATE),
            owner: row.opt_text(&record, 6).map(str::to_string),
            store: row.opt_text(&record, 7).map(str::to_string),
            contact_ok: row
                .opt(&record, 8, parse::boolean, parse::EXPECT_BOOL)
                .unwrap_or(true),
        };
        if customer.customer_id.is_empty() {
            continue;
        }
        // A row with a bad cell stays in the book (the bad value left empty): the run fails
        // on the problem anyway, and its orders must not also read as "unknown customer".
        if let Err(first) = book
            .index
            .insert(customer.customer_id.as_bytes(), book.customers.len() as u32)
        {
            let column = header.name(0).to_string();
            problems.add(
                file,
                line,
                Some(&column),
                Some(&customer.customer_id),
                format!(
                    "duplicate customer id; first on line {}",
                    lines[first as usize]
                ),
            );
            continue;
        }
        lines.push(line);
        book.customers.push(customer);
    }
    book
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (CustomerBook, Vec<String>) {
        let mut ps = Problems::new();
        let book = read_customers(text.as_bytes(), "c.csv", &BTreeMap::new(), &mut ps);
        (book, ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn reads_rows_in_any_column_order_with_defaults() {
        let (book, ps) = read("name,customer_id,contact_ok\nAnn,C1,\n王伟,C2,false\n");
        assert!(ps.is_empty(), "{ps:?}");
        assert_eq!(book.len(), 2);
        assert!(book.customers[0].contact_ok);
        assert!(!book.customers[1].contact_ok);
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
                "c.csv:2: birthday: \"1980-02-30\": expected a date YYYY-MM-DD",
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
            &mut ps,
        );
        assert!(ps.is_empty());
        assert_eq!(book.customers[0].name, "李娜");
    }
}
