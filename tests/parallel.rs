//! The chunked two-thread readers (orders, customers, complaints) against the plain ones: the
//! rows in the same order, the same problems with the same lines, whatever the file looks
//! like and wherever the chunks are cut.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use caredesk::error::Problems;
use caredesk::load::{
    read_complaints_file_with, read_complaints_of, read_customers, read_customers_file_with,
    read_orders, read_orders_file_with, CustomerBook, Keep, OrderSource, Split,
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

/// A file's start: an optional BOM and the header (no line end).
fn start(bom: bool, header: &str) -> String {
    let bom = if bom { "\u{feff}" } else { "" };
    format!("{bom}{header}")
}

/// A deterministic stream of pseudo-random numbers (xorshift64).
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

/// How a generated file is written.
#[derive(Debug, Clone, Copy)]
struct Dress {
    /// Quoted fields, some holding commas, quotes and line breaks.
    quoted: bool,
    /// The line end: `\n`, `\r\n`, or `\r` alone (old Mac).
    eol: &'static str,
    bom: bool,
    final_newline: bool,
    /// Blank lines here and there (empty, or cells all empty).
    blanks: bool,
    /// A row whose quote opens and is never closed (a quoted field further on "closes"
    /// it when the file is quoted).
    open_quote: Option<usize>,
}

impl Dress {
    const PLAIN: Dress = Dress {
        quoted: false,
        eol: "\n",
        bom: false,
        final_newline: true,
        blanks: false,
        open_quote: None,
    };

    /// Five dresses that between them have each feature on and off: quoted or not,
    /// each line end, a BOM, a final newline, blank lines.
    const EACH: [Dress; 5] = [
        Dress::of(false, "\n", false, true, false),
        Dress::of(true, "\r\n", true, false, true),
        Dress::of(true, "\n", false, true, true),
        Dress::of(true, "\r", false, true, false),
        Dress::of(false, "\r", true, false, true),
    ];

    const fn of(
        quoted: bool,
        eol: &'static str,
        bom: bool,
        final_newline: bool,
        blanks: bool,
    ) -> Dress {
        Dress {
            quoted,
            eol,
            bom,
            final_newline,
            blanks,
            open_quote: None,
        }
    }

    /// The line end before row `i` (with a blank line or two now and then).
    fn eol(&self, r: u64) -> String {
        match (self.blanks, r % 17) {
            (true, 0) => self.eol.repeat(3),
            (true, 1) => format!("{0},,{0}", self.eol),
            _ => self.eol.to_string(),
        }
    }
}

fn eols() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]
}

prop_compose! {
    fn dresses(rows: usize)(
        quoted: bool,
        eol in eols(),
        bom: bool,
        final_newline: bool,
        blanks: bool,
        open_quote in prop::option::weighted(0.3, 0..rows.max(1)),
    ) -> Dress {
        Dress { quoted, eol, bom, final_newline, blanks, open_quote }
    }
}

/// An orders file of `n` rows, some bad, in the given dress.
fn orders_file(n: usize, dress: Dress, seed: u64) -> Vec<u8> {
    let mut s = start(
        dress.bom,
        "order_id,customer_id,date,kind,amount,profit,outcome,referred_by",
    );
    let quoted = dress.quoted;
    let mut next = xorshift(seed);
    for i in 0..n {
        let r = next();
        s.push_str(&dress.eol(r));
        let customer = if r.is_multiple_of(97) {
            "C999".to_string()
        } else {
            format!("C{}", r % 50)
        };
        let date = if r.is_multiple_of(89) {
            "2026-02-30".to_string()
        } else {
            format!("2026-{:02}-{:02}", 1 + r % 12, 1 + (r >> 8) % 28)
        };
        let kind = ["sale", "", "install", "repair", "maintenance"][(r >> 16) as usize % 5];
        let amount = if r.is_multiple_of(83) {
            "1.005".to_string()
        } else {
            format!("{}.{:02}", (r >> 20) % 100_000, (r >> 40) % 100)
        };
        let id = if dress.open_quote == Some(i) {
            format!("\"O{i} \"\"the one")
        } else if quoted && i % 7 == 0 {
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
    if dress.final_newline {
        s.push_str(dress.eol);
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

/// The line where `text` first is in a file.
fn line_of(file: &[u8], text: &str) -> usize {
    let at = memchr::memmem::find(file, text.as_bytes()).expect("in the file");
    1 + file[..at].iter().filter(|&&b| b == b'\n').count()
}

/// How many rows a file yields (to know a comparison compared something).
fn row_count(bytes: &[u8]) -> usize {
    rows_and_problems(bytes).0
}

/// How many rows a file yields, and its problems, read the plain way.
fn rows_and_problems(bytes: &[u8]) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, bytes).unwrap();
    let (rows, problems, ..) = rows_of(&std::fs::File::open(&path).unwrap(), None, &book());
    (rows.len(), problems)
}

#[test]
fn files_read_alike_plain_and_in_chunks() {
    let n = 20_000;
    for (eol, bom, final_newline, blanks) in [
        ("\n", false, true, false),
        ("\r\n", true, false, true),
        ("\n", true, false, true),
        ("\r", false, true, true),
    ] {
        let dress = Dress {
            eol,
            bom,
            final_newline,
            blanks,
            ..Dress::PLAIN
        };
        let file = orders_file(n, dress, 42);
        assert!(row_count(&file) > n / 2, "most rows are valid");
        let quoted = Dress {
            quoted: true,
            ..dress
        };
        for chunk in [4096, 100_000] {
            assert_eq!(same_both_ways(&file, chunk), 2, "two threads");
            same_both_ways(&orders_file(n, quoted, 7), chunk);
        }
    }
}

#[test]
fn a_quote_left_open_ends_the_file_alike_plain_and_in_chunks() {
    // Few enough rows that every problem is kept (past 1,000 a file's are counted).
    let n = 2_000;
    for quoted in [false, true] {
        for open in [10, 1_234, n - 1] {
            let dress = Dress {
                quoted,
                open_quote: Some(open),
                ..Dress::PLAIN
            };
            let file = orders_file(n, dress, 5);
            let (rows, problems) = rows_and_problems(&file);
            if !quoted {
                assert!(rows < open, "no row after the open quote: {rows}");
            }
            // Open to the end of the file, or "closed" by a later quoted id, the row whose
            // quote opened is a problem on its line.
            let line = format!(
                "o.csv:{}: order_id: a ",
                line_of(&file, &format!("\"O{open} "))
            );
            assert!(
                problems.iter().any(|p| p.starts_with(&line)),
                "{line} in {} problems",
                problems.len()
            );
            for chunk in [4096, 100_000] {
                same_both_ways(&file, chunk);
            }
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
        "xxxxxxxx\n".repeat(700)
    ));
    for i in 2..200 {
        s.push_str(&format!("O{i},C1,2026-01-01,1.00\n"));
        if i == 100 {
            s.push_str("\"O,\r\n1\",C1,2026-01-01,\"1.00\"\r\n");
        }
    }
    // (The two ids holding line breaks are problems, not rows.)
    assert_eq!(row_count(s.as_bytes()), 198);
    for chunk in [1, 7, 64, 1000] {
        same_both_ways(s.as_bytes(), chunk);
    }
}

#[test]
fn a_file_of_one_chunk_is_read_on_one_thread() {
    let dress = Dress {
        quoted: true,
        eol: "\r\n",
        bom: true,
        final_newline: false,
        ..Dress::PLAIN
    };
    assert_eq!(same_both_ways(&orders_file(50, dress, 3), 1 << 20), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn small_files_read_alike(
        (n, dress) in (1usize..400).prop_flat_map(|n| (Just(n), dresses(n))),
        seed: u64,
        chunk in 1u64..2000,
    ) {
        same_both_ways(&orders_file(n, dress, seed), chunk);
    }
}

/// A customers file of `n` rows, some bad or repeated, in the given dress.
fn customers_file(n: usize, dress: Dress, seed: u64) -> Vec<u8> {
    let mut s = start(
        dress.bom,
        "customer_id,name,phone,birthday,anniversary,joined_on,owner,store,contact_ok",
    );
    let quoted = dress.quoted;
    let mut next = xorshift(seed);
    for i in 0..n {
        let r = next();
        s.push_str(&dress.eol(r));
        let id = match r % 53 {
            0 => format!("C{}", r % (i as u64 + 1)), // most likely a repeat
            1 => String::new(),
            2 => format!(" C{i} "),
            _ => format!("C{i}"),
        };
        let name = match (quoted, i % 5) {
            _ if dress.open_quote == Some(i) => "\"Dan \"\"the man".to_string(),
            (true, 0) => format!("\"Wang, {i}\""),
            (true, 1) => format!("\"Li \"\"Lee\"\"\nline two{i}\""),
            (_, 2) => format!("王伟{i}"),
            _ => format!("N{i}"),
        };
        let birthday = if r.is_multiple_of(41) {
            "1990-02-30".to_string()
        } else {
            format!(
                "19{:02}-{:02}-{:02}",
                50 + r % 50,
                1 + (r >> 8) % 12,
                1 + (r >> 16) % 28
            )
        };
        let owner =
            ["张伟", "", "Amy", "\"Smith, J\""][(r >> 24) as usize % if quoted { 4 } else { 3 }];
        let ok = ["", "true", "false", "maybe", "是"][(r >> 32) as usize % 5];
        if r.is_multiple_of(61) {
            // a short (ragged) row
            s.push_str(&format!("{id},{name}"));
            continue;
        }
        s.push_str(&format!(
            "{id},{name},1380000{i:04},{birthday},,2024-01-01,{owner},S{},{ok}",
            r % 7
        ));
    }
    if dress.final_newline {
        s.push_str(dress.eol);
    }
    s.into_bytes()
}

/// Every customer in the book, and the problems, read the plain way or in chunks.
fn book_of(path: &std::path::Path, chunk: Option<u64>) -> (Vec<String>, Vec<String>) {
    let renames = BTreeMap::new();
    let mut ps = Problems::new();
    let keep = Keep::ALL;
    let book = match chunk {
        Some(chunk_bytes) => {
            let split = Split {
                threads: 2,
                chunk_bytes,
            };
            let file = std::fs::File::open(path).unwrap();
            read_customers_file_with(&file, "c.csv", &renames, keep, &mut ps, split).unwrap()
        }
        None => {
            let file = std::fs::File::open(path).unwrap();
            read_customers(file, "c.csv", &renames, keep, &mut ps)
        }
    };
    let rows = (0..book.len())
        .map(|i| {
            let c = book.get(i);
            assert_eq!(book.find(c.customer_id.as_bytes()), Some(i as u32));
            format!("{c:?}")
        })
        .collect();
    (rows, ps.iter().map(|p| p.to_string()).collect())
}

/// Asserts two lists are equal, showing where they first differ.
fn same_lists(plain: &[String], chunked: &[String], what: &str) {
    if let Some(i) = (0..plain.len().max(chunked.len())).find(|&i| plain.get(i) != chunked.get(i)) {
        panic!(
            "{what} differ at {i} of {} / {}:\nplain:   {:?}\nchunked: {:?}",
            plain.len(),
            chunked.len(),
            &plain[i.saturating_sub(1)..(i + 3).min(plain.len())],
            &chunked[i.saturating_sub(1)..(i + 3).min(chunked.len())],
        );
    }
}

/// Reads a customers file both ways, asserts they agree, and returns its customers and
/// problems.
fn same_book_both_ways(bytes: &[u8], chunk: u64) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(&path, bytes).unwrap();
    let plain = book_of(&path, None);
    let chunked = book_of(&path, Some(chunk));
    same_lists(&plain.1, &chunked.1, "problems");
    same_lists(&plain.0, &chunked.0, "customers");
    (plain.0.len(), plain.1)
}

#[test]
fn customer_files_read_alike_plain_and_in_chunks() {
    for dress in Dress::EACH {
        let file = customers_file(5000, dress, 11);
        for chunk in [1000, 4096, 100_000] {
            let (customers, problems) = same_book_both_ways(&file, chunk);
            let problems = problems.len();
            assert!(customers > 4000, "most rows are kept: {customers}");
            assert!(
                problems > 100,
                "bad rows and repeats are reported: {problems}"
            );
        }
    }
}

#[test]
fn a_customer_column_beyond_the_splitters_reach_is_read_all_the_same() {
    // The splitter tracks the first 64 cells of a line; `name` is the 70th here.
    let pad: String = (0..68).map(|i| format!("x{i},")).collect();
    let mut s = format!("customer_id,{pad}name\n");
    for i in 0..300 {
        s.push_str(&format!("C{i},{}N{i}\n", ",".repeat(68)));
    }
    s.push_str(&format!("C1,{}again\n", ",".repeat(68)));
    let (customers, problems) = same_book_both_ways(s.as_bytes(), 512);
    assert_eq!((customers, problems.len()), (300, 1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn small_customer_files_read_alike(
        (n, dress) in (1usize..300).prop_flat_map(|n| (Just(n), dresses(n))),
        seed: u64,
        chunk in 1u64..1500,
    ) {
        same_book_both_ways(&customers_file(n, dress, seed), chunk);
    }
}

#[test]
fn a_quote_left_open_in_customers_ends_the_file_alike() {
    for quoted in [false, true] {
        for open in [3, 300, 599] {
            let dress = Dress {
                quoted,
                open_quote: Some(open),
                ..Dress::PLAIN
            };
            let file = customers_file(600, dress, 13);
            for chunk in [1000, 100_000] {
                let (customers, problems) = same_book_both_ways(&file, chunk);
                let line = format!("c.csv:{}: name: a ", line_of(&file, "\"Dan "));
                assert!(
                    problems.iter().any(|p| p.starts_with(&line)),
                    "{line} in {} problems",
                    problems.len()
                );
                if !quoted {
                    assert!(customers <= open, "no customer after it: {customers}");
                }
            }
        }
    }
}

#[test]
fn problems_name_the_physical_line_in_both_readers() {
    // Line 5 after two blank lines, line 8 after a blank row of empty cells; in every
    // dress of line end.
    for eol in ["\n", "\r\n", "\r"] {
        let text = [
            "order_id,customer_id,date,amount",
            "O1,C1,2026-01-01,1.00",
            "",
            "",
            "O2,C1,2026-01-01,--500.00",
            ",,,",
            "\"O3\",C1,2026-01-01,1.00",
            "O4,C1,2026-01-01,12 5",
        ]
        .join(eol);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let book = book();
        for chunk in [None, Some(1), Some(16), Some(1 << 20)] {
            let (rows, problems, ..) = rows_of(&file, chunk, &book);
            let lines: Vec<&str> = problems.iter().map(|p| &p[..8]).collect();
            assert_eq!(lines, ["o.csv:5:", "o.csv:8:"], "{eol:?} {chunk:?}");
            assert!(rows[1].ends_with("|7"), "{rows:?}");
        }
    }
}

/// A row of `len` bytes: quoted cells holding commas, line breaks and quotes, or plain
/// cells.
fn long_row(len: usize, quoted: bool) -> String {
    let mut row = String::from("O9,C1,2026-01-01,");
    while row.len() < len {
        row.push_str(if quoted {
            "\"a,\nb\"\"c\","
        } else {
            "xxxxxxx,"
        });
    }
    row.truncate(len);
    row
}

#[test]
fn a_row_past_the_record_limit_ends_the_file_alike_plain_and_in_chunks() {
    let limit = caredesk::load::MAX_RECORD_BYTES as usize;
    let head = "order_id,customer_id,date,amount\nO1,C1,2026-01-01,1.00\n\nO2,C1,2026-01-01,2.00\n";
    for (quoted, end) in [(false, "\n"), (false, ""), (true, "\r\n"), (false, "\r")] {
        let row = long_row(limit + 1, quoted);
        let file = format!("{head}{row}{end}O3,C1,2026-01-01,3.00\n");
        let (rows, problems) = rows_and_problems(file.as_bytes());
        assert_eq!(rows, 2, "the rows before it, none after");
        assert!(
            problems[0].starts_with("o.csv:5: this row runs on past 16 MiB"),
            "{problems:?}"
        );
        // The row across thousands of chunks, across a few, and within one.
        for chunk in [4096, 3 << 20, 64 << 20] {
            same_both_ways(file.as_bytes(), chunk);
        }
    }
    // No line end at all: the header is the row too long.
    let file = "x".repeat(limit + 100);
    let (_, problems) = rows_and_problems(file.as_bytes());
    assert!(problems[0].starts_with("o.csv:1: cannot read the header: this row runs on"));
    for chunk in [4096, 1 << 20] {
        same_both_ways(file.as_bytes(), chunk);
    }
}

#[test]
fn a_row_at_the_record_limit_is_read_alike_plain_and_in_chunks() {
    let limit = caredesk::load::MAX_RECORD_BYTES as usize;
    for quoted in [false, true] {
        let mut file = String::from("order_id,customer_id,date,amount\n");
        file.push_str(&long_row(limit, quoted));
        file.push_str("\nO3,C1,2026-01-01,3.00\n");
        let (rows, problems) = rows_and_problems(file.as_bytes());
        assert_eq!(rows, 1, "{problems:?}");
        assert!(!problems.iter().any(|p| p.contains("runs on past")));
        for chunk in [3 << 20, 64 << 20] {
            same_both_ways(file.as_bytes(), chunk);
        }
    }
}

/// A row of exactly the limit whose line end is not yet read when the chunk's window
/// ends: one window end falls right after the row, one after its `\r`. The row is read,
/// not called too long, whichever the window holds (the chunk's first window reaches
/// 64 KiB past its end, and chunk 0 starts after the header, so a chunk of
/// `limit - 64 KiB` bytes ends it right after the row).
#[test]
fn a_row_at_the_record_limit_with_its_line_end_past_the_window_is_read() {
    let limit = caredesk::load::MAX_RECORD_BYTES as usize;
    let header = "order_id,customer_id,date,amount\n";
    for end in ["\r\n", "\n", "\r"] {
        let file = format!(
            "{header}{}{end}O3,C1,2026-01-01,3.00\n",
            long_row(limit, false)
        );
        let (rows, problems) = rows_and_problems(file.as_bytes());
        assert_eq!(rows, 1, "{problems:?}");
        let first_window = (limit - (64 << 10)) as u64;
        for chunk in [first_window, first_window + 1] {
            same_both_ways(file.as_bytes(), chunk);
        }
    }
}

/// The chunk splitter keeps the cells of a line's first 64 columns only; a file whose
/// contract columns all sit past them (an export with 70 columns of its own first), or
/// some before and some past, is read the full way, with the same rows as the plain way.
#[test]
fn contract_columns_past_the_64th_are_read_alike_plain_and_in_chunks() {
    let extra: Vec<String> = (0..70).map(|i| format!("x{i}")).collect();
    let fill = vec!["e"; 70].join(",");
    for customer_first in [false, true] {
        let mut file = match customer_first {
            false => format!("{},order_id,customer_id,date,amount", extra.join(",")),
            true => format!("customer_id,{},order_id,date,amount", extra.join(",")),
        };
        for i in 0..400 {
            let (customer, rest) = (
                format!("C{}", i % 50),
                format!("2026-01-{:02},{i}.50", 1 + i % 28),
            );
            file.push('\n');
            file.push_str(&match customer_first {
                false => format!("{fill},O{i},{customer},{rest}"),
                true => format!("{customer},{fill},O{i},{rest}"),
            });
        }
        file.push('\n');
        let (rows, problems) = rows_and_problems(file.as_bytes());
        assert_eq!((rows, problems.len()), (400, 0), "{problems:?}");
        for chunk in [4096, 1 << 20] {
            same_both_ways(file.as_bytes(), chunk);
        }
    }
}

/// A byte order mark, then a header whose first cell is quoted across a line break: the
/// chunk reader takes the mark off before that quote, as the plain reader does, so the
/// header ends where the plain reader's ends (the quote opens a field).
#[test]
fn a_bom_before_a_quoted_header_cell_with_a_line_break_is_read_alike() {
    let mut file = String::from("\u{feff}\"note\n(free text)\",order_id,customer_id,date,amount\n");
    for i in 0..300 {
        file.push_str(&format!(
            "n,O{i},C{},2026-01-{:02},1.00\n",
            i % 50,
            1 + i % 28
        ));
    }
    let (rows, problems) = rows_and_problems(file.as_bytes());
    assert_eq!((rows, problems.len()), (300, 0), "{problems:?}");
    for chunk in [64, 4096, 1 << 20] {
        same_both_ways(file.as_bytes(), chunk);
    }
}

#[test]
fn a_customer_row_past_the_record_limit_ends_the_file_alike() {
    let limit = caredesk::load::MAX_RECORD_BYTES as usize;
    let mut file = String::from("customer_id,name\nC1,Ann\n");
    file.push_str(&"C2,".repeat(limit / 3 + 1));
    file.push_str("\nC3,Eve\n");
    for chunk in [4096, 1 << 20, 64 << 20] {
        let (customers, problems) = same_book_both_ways(file.as_bytes(), chunk);
        assert_eq!(customers, 1);
        assert!(problems[0].starts_with("c.csv:3: this row runs on past 16 MiB"));
    }
}

/// A complaints file of `n` rows, some bad (unknown customers, bad dates, answers before
/// the opening, repeated ids), in the given dress.
fn complaints_file(n: usize, dress: Dress, seed: u64) -> Vec<u8> {
    let mut s = start(
        dress.bom,
        "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity",
    );
    let quoted = dress.quoted;
    let mut next = xorshift(seed);
    for i in 0..n {
        let r = next();
        s.push_str(&dress.eol(r));
        let id = match r % 47 {
            0 => format!("K{}", r % (i as u64 + 1)), // most likely a repeat
            1 => String::new(),
            _ => format!("K{i}"),
        };
        let customer = match (r >> 8) % 31 {
            0 => "C999".to_string(),
            1 => String::new(),
            k => format!("C{}", k % 50),
        };
        let order = match (quoted, i % 6) {
            _ if dress.open_quote == Some(i) => "\"O \"\"open".to_string(),
            (true, 0) => format!("\"O{i}, split\""),
            (true, 1) => format!("\"O{i}\nsecond line\""),
            (_, 2) => String::new(),
            _ => format!("O{i}"),
        };
        let category = ["repair", "install", "noise", "quality", "other"][(r >> 16) as usize % 5];
        let day = 1 + (r >> 20) % 28;
        let opened = if r.is_multiple_of(43) {
            "2026-02-30 10:00".to_string()
        } else {
            format!("2026-03-{day:02} 09:{:02}", (r >> 28) % 60)
        };
        let answered = match (r >> 34) % 4 {
            0 => String::new(),
            1 => "2026-02-01 08:00".to_string(), // before the opening
            _ => format!("2026-03-{day:02} 17:00"),
        };
        let severity = ["", "normal", "major", "urgent"][(r >> 40) as usize % 4];
        if r.is_multiple_of(59) {
            // a short (ragged) row
            s.push_str(&format!("{id},{customer}"));
            continue;
        }
        s.push_str(&format!(
            "{id},{customer},{order},{category},{opened},{answered},,{severity}"
        ));
    }
    if dress.final_newline {
        s.push_str(dress.eol);
    }
    s.into_bytes()
}

/// The complaints kept and the problems, read the plain way or in chunks (`only`: one
/// customer's, as the card reads them).
fn complaints_of(
    path: &std::path::Path,
    chunk: Option<u64>,
    unknown: UnknownCustomer,
    only: Option<u32>,
) -> (Vec<String>, Vec<String>) {
    let (renames, book) = (BTreeMap::new(), book());
    let mut ps = Problems::new();
    let file = std::fs::File::open(path).unwrap();
    let got = match chunk {
        Some(chunk_bytes) => {
            let split = Split {
                threads: 2,
                chunk_bytes,
            };
            let keep = |k: &caredesk::model::Complaint| only.is_none_or(|c| c == k.customer);
            read_complaints_file_with(
                &file, "k.csv", &renames, &book, unknown, &keep, &mut ps, split,
            )
            .unwrap()
        }
        None => read_complaints_of(file, "k.csv", &renames, &book, unknown, only, &mut ps),
    };
    let rows = got.iter().map(|k| format!("{k:?}")).collect();
    (rows, ps.iter().map(|p| p.to_string()).collect())
}

/// Reads a complaints file both ways (every customer's and one's, both unknown-customer
/// settings), asserts they agree, and returns the count kept and the problems.
fn same_complaints_both_ways(bytes: &[u8], chunk: u64) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("complaints.csv");
    std::fs::write(&path, bytes).unwrap();
    for unknown in [UnknownCustomer::Skip, UnknownCustomer::Error] {
        for only in [None, Some(7)] {
            let plain = complaints_of(&path, None, unknown, only);
            let chunked = complaints_of(&path, Some(chunk), unknown, only);
            same_lists(&plain.1, &chunked.1, "problems");
            same_lists(&plain.0, &chunked.0, "complaints");
        }
    }
    let plain = complaints_of(&path, None, UnknownCustomer::Error, None);
    (plain.0.len(), plain.1)
}

#[test]
fn complaint_files_read_alike_plain_and_in_chunks() {
    for dress in Dress::EACH {
        let file = complaints_file(4000, dress, 17);
        for chunk in [700, 4096, 100_000] {
            let (kept, problems) = same_complaints_both_ways(&file, chunk);
            let repeats = problems
                .iter()
                .filter(|p| p.contains("duplicate complaint id"))
                .count();
            assert!(kept > 1000, "many rows are kept: {kept}");
            assert!(repeats > 20, "repeated ids are reported: {repeats}");
            assert!(
                problems.len() > 500,
                "bad rows are reported: {}",
                problems.len()
            );
        }
    }
}

#[test]
fn a_quote_left_open_in_complaints_ends_the_file_alike() {
    for quoted in [false, true] {
        for open in [3, 300, 599] {
            let dress = Dress {
                quoted,
                open_quote: Some(open),
                ..Dress::PLAIN
            };
            let file = complaints_file(600, dress, 19);
            for chunk in [1000, 100_000] {
                let (_, problems) = same_complaints_both_ways(&file, chunk);
                let line = format!("k.csv:{}: order_id: a ", line_of(&file, "\"O \"\"open"));
                assert!(
                    problems.iter().any(|p| p.starts_with(&line)),
                    "{line} in {} problems",
                    problems.len()
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn small_complaint_files_read_alike(
        (n, dress) in (1usize..300).prop_flat_map(|n| (Just(n), dresses(n))),
        seed: u64,
        chunk in 1u64..1500,
    ) {
        same_complaints_both_ways(&complaints_file(n, dress, seed), chunk);
    }
}

/// An order id with spaces around it is the id without them, in both readers (the quick
/// way handed the id on untrimmed; found by the orders fuzz target).
#[test]
fn an_order_id_with_spaces_around_it_is_read_alike() {
    let mut file = String::from("order_id,customer_id,date,amount\n");
    for i in 0..200 {
        file.push_str(&format!(
            " O{i} ,C{},2026-01-{:02},1.00\n",
            i % 50,
            1 + i % 28
        ));
    }
    let (rows, problems) = rows_and_problems(file.as_bytes());
    assert_eq!((rows, problems.len()), (200, 0), "{problems:?}");
    for chunk in [64, 4096] {
        same_both_ways(file.as_bytes(), chunk);
    }
}
