//! What the fuzz targets share: a small customer book, files on disk for the chunked
//! readers, and the check that the chunked and plain readers agree on any bytes.

use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom, Write};

use caredesk::error::Problems;
use caredesk::load::{
    read_customers, read_customers_file_with, read_orders, read_orders_file_with, CustomerBook,
    Keep, OrderSource, Split,
};
use caredesk::model::Order;
use caredesk::policy::UnknownCustomer;
use chrono::NaiveDate;

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date")
}

/// Customers C0 to C9.
pub fn book() -> CustomerBook {
    let mut text = String::from("customer_id,name\n");
    for i in 0..10 {
        text.push_str(&format!("C{i},N{i}\n"));
    }
    let mut ps = Problems::new();
    read_customers(
        text.as_bytes(),
        "c.csv",
        &BTreeMap::new(),
        Keep::ALL,
        &mut ps,
    )
}

/// Every problem as its message reads (each must format).
pub fn messages(ps: &Problems) -> Vec<String> {
    ps.iter().map(|p| p.to_string()).collect()
}

/// The first byte chooses how the chunked reader cuts the rest: chunks of 1 to 4,096
/// bytes, on one thread or two.
pub fn split(data: &[u8]) -> (Split, &[u8]) {
    match data.split_first() {
        Some((&b, rest)) => {
            let chunk = 1u64 << (b % 13);
            let threads = 1 + usize::from(b >= 128);
            (
                Split {
                    threads,
                    chunk_bytes: chunk,
                },
                rest,
            )
        }
        None => (
            Split {
                threads: 1,
                chunk_bytes: 1,
            },
            data,
        ),
    }
}

/// The bytes in an unnamed temporary file, at its start.
pub fn file_of(bytes: &[u8]) -> std::fs::File {
    let mut f = tempfile::tempfile().expect("a temporary file");
    f.write_all(bytes).expect("written");
    f.seek(SeekFrom::Start(0)).expect("rewound");
    f
}

/// Reads customers.csv both ways; they must give the same book and problems.
pub fn customers_agree(data: &[u8]) {
    let (split, bytes) = split(data);
    let renames = BTreeMap::new();
    let view = |book: &CustomerBook| -> Vec<String> {
        (0..book.len())
            .map(|i| format!("{:?}", book.get(i)))
            .collect()
    };
    let mut plain_ps = Problems::new();
    let plain = read_customers(bytes, "c.csv", &renames, Keep::ALL, &mut plain_ps);
    let mut chunked_ps = Problems::new();
    let file = file_of(bytes);
    let chunked =
        read_customers_file_with(&file, "c.csv", &renames, Keep::ALL, &mut chunked_ps, split)
            .expect("a temporary file reads");
    assert_eq!(messages(&plain_ps), messages(&chunked_ps), "problems");
    assert_eq!(plain_ps.total(), chunked_ps.total(), "problem counts");
    assert_eq!(view(&plain), view(&chunked), "customers");
}

/// Reads orders.csv both ways (unknown customers an error, then skipped); they must hand
/// on the same rows and report the same problems.
pub fn orders_agree(data: &[u8]) {
    let (split, bytes) = split(data);
    let renames = BTreeMap::new();
    let book = book();
    for unknown in [UnknownCustomer::Error, UnknownCustomer::Skip] {
        let source = OrderSource {
            file: "o.csv",
            renames: &renames,
            book: &book,
            as_of: as_of(),
            unknown,
        };
        let row = |o: &Order<'_>| format!("{o:?}");
        let mut plain_rows = Vec::new();
        let mut plain_ps = Problems::new();
        let plain = read_orders(bytes, &source, &mut plain_ps, |o: &Order<'_>| {
            plain_rows.push(row(o))
        });
        let mut chunked_rows = Vec::new();
        let mut chunked_ps = Problems::new();
        let file = file_of(bytes);
        let chunked = read_orders_file_with(
            &file,
            &source,
            &mut chunked_ps,
            |o: &Order<'_>| chunked_rows.push(row(o)),
            split,
        )
        .expect("a temporary file reads");
        assert_eq!(messages(&plain_ps), messages(&chunked_ps), "problems");
        assert_eq!(plain_rows, chunked_rows, "rows");
        let counts =
            |s: &caredesk::load::OrderStats| (s.used, s.after_as_of, s.unknown_customer, s.bad);
        assert_eq!(counts(&plain), counts(&chunked), "stats");
    }
}
