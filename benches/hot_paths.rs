//! The hot paths of `tiers` on large inputs: parsing cells, looking up customer ids,
//! reading customers and reading and folding orders (the plain readers, and the chunked
//! ones on one and two threads), classifying; and of `due`: reading complaints (plain
//! and chunked), building and sorting the call list. `cargo bench`; the whole-program comparisons are bench/compare_duckdb.py
//! (tiers against DuckDB) and bench/compare_daily.py (due and kpi against tiers).

use std::collections::BTreeMap;

use caredesk::domain::tiers::{classify, ActivityFold};
use caredesk::error::Problems;
use caredesk::load::{
    read_complaints, read_complaints_file_with, read_customers, read_customers_file_with,
    read_orders, read_orders_file_with, CustomerBook, IdIndex, Keep, OrderSource, Split,
};
use caredesk::policy::{Policy, UnknownCustomer};
use chrono::NaiveDate;

fn main() {
    divan::main();
}

const CUSTOMERS: usize = 100_000;
const ORDERS: usize = 1_000_000;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn customers_csv() -> String {
    let mut s = String::from("customer_id,name,phone,birthday,owner,store\n");
    for i in 0..CUSTOMERS {
        s.push_str(&format!(
            "C{i:07},客户{i},1380000{:04},1980-02-29,陈静,上海新天地店\n",
            i % 10_000
        ));
    }
    s
}

fn orders_csv() -> String {
    let kinds = ["sale", "sale", "sale", "install", "repair", "maintenance"];
    let mut s = String::from("order_id,customer_id,date,kind,amount,profit,outcome,referred_by\n");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..ORDERS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let c = x as usize % CUSTOMERS;
        s.push_str(&format!(
            "O{i:09},C{c:07},2025-{:02}-{:02},{},{}.{:02},{}.00,,\n",
            1 + (x >> 20) % 12,
            1 + (x >> 24) % 28,
            kinds[(x >> 32) as usize % kinds.len()],
            (x >> 36) % 100_000,
            (x >> 40) % 100,
            (x >> 44) % 10_000
        ));
    }
    s
}

fn book() -> CustomerBook {
    let mut ps = Problems::new();
    read_customers(
        customers_csv().as_bytes(),
        "c.csv",
        &BTreeMap::new(),
        Keep::ALL,
        &mut ps,
    )
}

#[divan::bench]
fn parse_money(bencher: divan::Bencher) {
    let cells: Vec<String> = (0..10_000)
        .map(|i| format!("{}.{:02}", i * 37, i % 100))
        .collect();
    bencher.bench(|| {
        cells
            .iter()
            .filter_map(|c| caredesk::parse::money(c.as_bytes()))
            .count()
    });
}

#[divan::bench]
fn parse_date(bencher: divan::Bencher) {
    let cells: Vec<String> = (0..10_000)
        .map(|i| format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28))
        .collect();
    bencher.bench(|| {
        cells
            .iter()
            .filter_map(|c| caredesk::parse::date(c.as_bytes()))
            .count()
    });
}

/// Id lookups, both ways the index holds ids: numbered (`C0000001`: the array) and of
/// no one shape (`C0000001-x`, whose suffix breaks the number: the hashed table).
#[divan::bench(args = ["numbered", "hashed"])]
fn id_lookup(bencher: divan::Bencher, ids: &str) {
    let suffix = if ids == "hashed" { "-x" } else { "" };
    let mut index = IdIndex::default();
    for i in 0..CUSTOMERS {
        index
            .insert(format!("C{i:07}{suffix}").as_bytes(), i as u32)
            .unwrap();
    }
    let probes: Vec<String> = (0..10_000)
        .map(|i| format!("C{:07}{suffix}", (i * 7919) % CUSTOMERS))
        .collect();
    bencher.bench(|| {
        probes
            .iter()
            .filter_map(|p| index.get(p.as_bytes()))
            .count()
    });
}

#[divan::bench]
fn read_customers_100k(bencher: divan::Bencher) {
    let text = customers_csv();
    bencher.bench(|| {
        let mut ps = Problems::new();
        read_customers(
            text.as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            Keep::ALL,
            &mut ps,
        )
        .len()
    });
}

/// The fast path: customers.csv from a file in chunks, on one thread and on two (chunks
/// of 256 KiB, so that the 6 MB file makes enough of them to share).
#[divan::bench(args = [1, 2])]
fn read_customers_file_100k(bencher: divan::Bencher, threads: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("customers.csv");
    std::fs::write(&path, customers_csv()).expect("written");
    let file = std::fs::File::open(&path).expect("opened");
    let split = Split {
        threads,
        chunk_bytes: 256 << 10,
    };
    bencher.bench(|| {
        let mut ps = Problems::new();
        read_customers_file_with(&file, "c.csv", &BTreeMap::new(), Keep::ALL, &mut ps, split)
            .expect("read")
            .len()
    });
}

/// The orders file `o.csv` read against `book`, as of [`as_of`].
fn source<'a>(book: &'a CustomerBook, renames: &'a BTreeMap<String, String>) -> OrderSource<'a> {
    OrderSource {
        file: "o.csv",
        renames,
        book,
        as_of: as_of(),
        unknown: UnknownCustomer::Error,
    }
}

#[divan::bench(sample_count = 10)]
fn read_and_fold_orders_1m(bencher: divan::Bencher) {
    let book = book();
    let text = orders_csv();
    let policy = Policy::default();
    let renames = BTreeMap::new();
    bencher.bench(|| {
        let source = source(&book, &renames);
        let mut fold = ActivityFold::new(&policy.tiers, as_of(), book.len());
        let mut ps = Problems::new();
        read_orders(text.as_bytes(), &source, &mut ps, &mut fold).used
    });
}

/// The fast path: orders.csv from a file in chunks, on one thread and on two.
#[divan::bench(sample_count = 10, args = [1, 2])]
fn read_and_fold_orders_file_1m(bencher: divan::Bencher, threads: usize) {
    let book = book();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, orders_csv()).expect("written");
    let file = std::fs::File::open(&path).expect("opened");
    let policy = Policy::default();
    let renames = BTreeMap::new();
    let split = Split {
        threads,
        ..Split::auto()
    };
    bencher.bench(|| {
        let source = source(&book, &renames);
        let mut fold = ActivityFold::new(&policy.tiers, as_of(), book.len());
        let mut ps = Problems::new();
        read_orders_file_with(&file, &source, &mut ps, &mut fold, split)
            .expect("read")
            .used
    });
}

/// The orders folded once for `book` under `policy`, for the steps after the fold.
fn folded(book: &CustomerBook, policy: &Policy) -> ActivityFold {
    let renames = BTreeMap::new();
    let source = source(book, &renames);
    let mut fold = ActivityFold::new(&policy.tiers, as_of(), book.len());
    let mut ps = Problems::new();
    read_orders(orders_csv().as_bytes(), &source, &mut ps, &mut fold);
    fold
}

#[divan::bench(sample_count = 10)]
fn classify_100k(bencher: divan::Bencher) {
    let book = book();
    let policy = Policy::default();
    let fold = folded(&book, &policy);
    bencher.bench(|| classify(&fold.activities, &book, &policy.tiers, as_of()).len());
}

/// The tiers list's order (tier, then spend): the keys sorted a half on each core.
#[divan::bench(sample_count = 10)]
fn list_order_100k(bencher: divan::Bencher) {
    use caredesk::domain::tiers::list_order;
    let book = book();
    let policy = Policy::default();
    let fold = folded(&book, &policy);
    let standings = classify(&fold.activities, &book, &policy.tiers, as_of());
    bencher.bench(|| list_order(&fold.activities, &standings).len());
}

/// `due`'s list from the fold of the orders: the items made, their order (the
/// once-made sort keys), for 100k customers; the fold is made afresh for each sample.
#[divan::bench(sample_count = 10)]
fn call_list_100k(bencher: divan::Bencher) {
    use caredesk::domain::due::{call_list, Day, DueFold, DueInputs};
    let book = book();
    let text = orders_csv();
    let policy = Policy::default();
    let renames = BTreeMap::new();
    let day = Day {
        date: as_of(),
        within: 30,
        grace: policy.due.grace,
    };
    let inputs = DueInputs {
        book: &book,
        standings: None,
        complaints: &[],
        contacts: &[],
        answers: &[],
    };
    bencher
        .with_inputs(|| {
            let source = source(&book, &renames);
            let mut fold = DueFold::new(&policy.due, day, book.len());
            let mut ps = Problems::new();
            read_orders(
                text.as_bytes(),
                &source,
                &mut ps,
                |o: &caredesk::model::Order<'_>| fold.add(o),
            );
            fold
        })
        .bench_values(|fold| call_list(fold, &inputs).len());
}

/// 200,000 complaints of the 100k customers, most of them closed.
fn complaints_csv() -> String {
    let mut s = String::from(
        "complaint_id,customer_id,order_id,category,opened_at,responded_at,closed_at,severity\n",
    );
    for i in 0..200_000usize {
        let c = (i * 7919) % CUSTOMERS;
        let (m, d) = (1 + i % 12, 1 + i % 28);
        let closed = if i % 5 == 0 {
            String::new()
        } else {
            format!("2025-{m:02}-{d:02} 17:30")
        };
        s.push_str(&format!(
            "K{i:07},C{c:07},,repair,2025-{m:02}-{d:02} 09:00,2025-{m:02}-{d:02} 11:00,{closed},normal\n"
        ));
    }
    s
}

/// complaints.csv the plain way (a stream, one thread).
#[divan::bench(sample_count = 10)]
fn read_complaints_200k(bencher: divan::Bencher) {
    let book = book();
    let text = complaints_csv();
    bencher.bench(|| {
        let mut ps = Problems::new();
        read_complaints(
            text.as_bytes(),
            "k.csv",
            &BTreeMap::new(),
            &book,
            UnknownCustomer::Error,
            &mut ps,
        )
        .len()
    });
}

/// complaints.csv from a file in chunks (256 KiB), on one thread and on two.
#[divan::bench(sample_count = 10, args = [1, 2])]
fn read_complaints_file_200k(bencher: divan::Bencher, threads: usize) {
    let book = book();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("complaints.csv");
    std::fs::write(&path, complaints_csv()).expect("written");
    let file = std::fs::File::open(&path).expect("opened");
    let split = Split {
        threads,
        chunk_bytes: 256 << 10,
    };
    bencher.bench(|| {
        let mut ps = Problems::new();
        let keep = |_: &caredesk::model::Complaint| true;
        read_complaints_file_with(
            &file,
            "k.csv",
            &BTreeMap::new(),
            &book,
            UnknownCustomer::Error,
            &keep,
            &mut ps,
            split,
        )
        .expect("read")
        .len()
    });
}
