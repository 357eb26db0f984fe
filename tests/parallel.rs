//! The chunked two-thread orders reader against the plain one: the same rows in the same
//! order, the same problems with the same lines, whatever the file looks like and wherever
//! the chunks are cut.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use caredesk::error::Problems;
use caredesk::load::{
    read_customers, read_orders, read_orders_file_with, CustomerBook, Keep, OrderSource, Split,
};
use caredesk::model::Order;
use caredesk::policy::UnknownCustomer;

fn book() -> CustomerBook {
    let mut text = String::from("customer_id,name\n");
    for i in 0..50 {
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

/// Every row handed over, as text, in the order handed over; `chunk` bytes per chunk on
/// two threads, or `None` for the plain reader.
fn rows_of(
    file: &std::fs::File,
    chunk: Option<u64>,
    book: &CustomerBook,
) -> (Vec<String>, Vec<String>, [u64; 4], u8) {
    let renames = BTreeMap::new();
    let source = OrderSource {
        file: "o.csv",
        renames: &renames,
        book,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        unknown: UnknownCustomer::Error,
    };
    let mut ps = Problems::new();
    let mut rows = Vec::new();
    let sink = |o: &Order<'_>| {
        rows.push(format!(
            "{}|{}|{}|{:?}|{}|{}|{:?}|{:?}|{}",
            o.order_id,
            o.customer,
            o.date,
            o.kind,
            o.amount,
            o.profit,
            o.outcome,
            o.referred_by,
            o.line
        ))
    };
    let stats = if let Some(chunk_bytes) = chunk {
        let split = Split {
            threads: 2,
            chunk_bytes,
        };
        read_orders_file_with(file, &source, &mut ps, sink, split).unwrap()
    } else {
        use std::io::{Seek, SeekFrom};
        let mut f = file.try_clone().unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        read_orders(f, &source, &mut ps, sink)
    };
    let problems = ps.iter().map(|p| p.to_string()).collect();
    (
        rows,
        problems,
        [
            stats.used,
            stats.after_as_of,
            stats.unknown_customer,
            stats.bad,
        ],
        stats.parts,
    )
}

/// An orders file of `n` rows, some bad, in the given dress.
fn orders_file(
    n: usize,
    quoted: bool,
    crlf: bool,
    bom: bool,
    final_newline: bool,
    seed: u64,
) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut s = String::new();
    if bom {
        s.push('\u{feff}');
    }
    s.push_str("order_id,customer_id,date,kind,amount,profit,outcome,referred_by");
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..n {
        s.push_str(eol);
        let r = next();
        let customer = if r % 97 == 0 {
            "C999".to_string()
        } else {
            format!("C{}", r % 50)
        };
        let date = if r % 89 == 0 {
            "2026-02-30".to_string()
        } else {
            format!("2026-{:02}-{:02}", 1 + r % 12, 1 + (r >> 8) % 28)
        };
        let kind = ["sale", "", "install", "repair", "maintenance"][(r >> 16) as usize % 5];
        let amount = if r % 83 == 0 {
            "1.005".to_string()
        } else {
            format!("{}.{:02}", (r >> 20) % 100_000, (r >> 40) % 100)
        };
        let id = if quoted && i % 7 == 0 {
            format!("\"O{i}, part \"\"{}\"\"\"", r % 3)
        } else {
            format!("O{i}")
        };
        let outcome = ["", "pass", "fail"][(r >> 24) as usize % 3];
        s.push_str(&format!(
            "{id},{customer},{date},{kind},{amount},,{outcome},"
        ));
        if quoted && i % 11 == 0 {
            // a quoted field holding a line break
            s.push_str("\"C1\nC2\"");
        }
    }
    if final_newline {
        s.push_str(eol);
    }
    s.into_bytes()
}

/// Reads `bytes` the plain way and in chunks of `chunk` bytes, asserts the two agree, and
/// returns on how many threads the chunked reader read it.
fn same_both_ways(bytes: &[u8], chunk: u64) -> u8 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, bytes).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let book = book();
    let plain = rows_of(&file, None, &book);
    let chunked = rows_of(&file, Some(chunk), &book);
    assert_eq!(plain.2, chunked.2, "stats");
    assert_eq!(plain.1, chunked.1, "problems");
    assert_eq!(plain.0, chunked.0, "rows");
    assert_eq!(plain.3, 1);
    chunked.3
}

/// How many rows a file yields (to know a comparison compared something).
fn row_count(bytes: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, bytes).unwrap();
    rows_of(&std::fs::File::open(&path).unwrap(), None, &book())
        .0
        .len()
}

#[test]
fn files_read_alike_plain_and_in_chunks() {
    let n = 20_000;
    for (crlf, bom, final_newline) in [
        (false, false, true),
        (true, true, false),
        (false, true, false),
    ] {
        let file = orders_file(n, false, crlf, bom, final_newline, 42);
        assert!(row_count(&file) > n / 2, "most rows are valid");
        for chunk in [4096, 100_000] {
            assert_eq!(same_both_ways(&file, chunk), 2, "two threads");
            same_both_ways(&orders_file(n, true, crlf, bom, final_newline, 7), chunk);
        }
    }
}

#[test]
fn a_chunk_cut_inside_a_quoted_line_break_is_read_again_from_the_record_start() {
    // One record whose quoted id spans several chunks, each holding line breaks: every
    // chunk's first guess at a record start is inside the quotes.
    let mut s = String::from("order_id,customer_id,date,amount\n");
    s.push_str(&format!(
        "\"O1{}\",C1,2026-01-01,1.00\n",
        "x\n".repeat(3000)
    ));
    for i in 2..200 {
        s.push_str(&format!("O{i},C1,2026-01-01,1.00\n"));
        if i == 100 {
            s.push_str("\"O,\r\n1\",C1,2026-01-01,\"1.00\"\r\n");
        }
    }
    assert_eq!(row_count(s.as_bytes()), 200);
    for chunk in [1, 7, 64, 1000] {
        same_both_ways(s.as_bytes(), chunk);
    }
}

#[test]
fn a_file_of_one_chunk_is_read_on_one_thread() {
    let file = orders_file(50, true, true, true, false, 3);
    assert_eq!(same_both_ways(&file, 1 << 20), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn small_files_read_alike(
        n in 1usize..400,
        quoted: bool,
        crlf: bool,
        bom: bool,
        final_newline: bool,
        seed: u64,
        chunk in 1u64..2000,
    ) {
        same_both_ways(&orders_file(n, quoted, crlf, bom, final_newline, seed), chunk);
    }
}
