//! orders.csv, streamed: each valid row is resolved to its customer's dense index and
//! handed to a visitor, then forgotten, so memory does not grow with the number of orders.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use csv::ByteRecord;

use super::Header;
use super::{csv_reader, is_blank, line_of, opt, read_header, req, Field, RowCheck};
use crate::error::Problems;
use crate::load::index::Probe;
use crate::load::{CustomerBook, IdIndex};
use crate::model::{one_of, Order, OrderKind, Outcome};
use crate::parse::{self, Cents};
use crate::policy::UnknownCustomer;

const FIELDS: &[Field] = &[
    req("order_id"),
    req("customer_id"),
    req("date"),
    opt("kind"),
    req("amount"),
    opt("profit"),
    opt("outcome"),
    opt("referred_by"),
];

/// What a pass over orders.csv saw besides the rows it handed on.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OrderStats {
    /// Valid rows dated on or before as-of, handed to the visitor.
    pub used: u64,
    /// Valid rows dated after as-of: not happened yet.
    pub after_as_of: u64,
    /// Rows naming a customer not in customers.csv, skipped by policy.
    pub unknown_customer: u64,
    /// Rows with a problem.
    pub bad: u64,
    /// How many parts the file was read in, each on its own thread (1 or 2).
    pub parts: u8,
}

/// How to read one orders file.
#[derive(Debug, Clone, Copy)]
pub struct OrderSource<'a> {
    /// The file's name in messages.
    pub file: &'a str,
    pub renames: &'a BTreeMap<String, String>,
    pub book: &'a CustomerBook,
    /// Rows dated after this are validated but not handed on.
    pub as_of: NaiveDate,
    pub unknown: UnknownCustomer,
}

/// Receives the valid order rows of a pass over orders.csv.
pub trait OrderSink {
    /// A hint that `customer`'s state will be needed soon (rows come in batches, so the
    /// memory load can start before the row is handed over).
    fn prefetch(&self, _customer: u32) {}
    fn visit(&mut self, order: &Order<'_>);
}

impl<F: FnMut(&Order<'_>)> OrderSink for F {
    fn visit(&mut self, order: &Order<'_>) {
        self(order)
    }
}

/// Rows read and checked before any is handed on: enough lookups in flight to hide the
/// memory latency of the id index and of the customer's state.
const BATCH: usize = 64;

/// Everything a reader needs to check rows, shared by the threads of a parallel read.
struct Checker<'a> {
    file: &'a str,
    header: Header,
    book: &'a CustomerBook,
    as_of: NaiveDate,
    unknown: UnknownCustomer,
    expect_kind: String,
}

impl Checker<'_> {
    /// Reads up to `BATCH` non-blank records; `false` once the input is exhausted.
    fn fill<R: Read>(
        &self,
        reader: &mut csv::Reader<R>,
        batch: &mut [ByteRecord],
        problems: &mut Problems,
        line_offset: u64,
    ) -> (usize, bool) {
        let mut n = 0;
        while n < batch.len() {
            match reader.read_byte_record(&mut batch[n]) {
                Ok(true) if is_blank(&batch[n]) => {}
                Ok(true) => n += 1,
                Ok(false) => return (n, false),
                Err(e) => {
                    let line = line_of(&batch[n]) + line_offset;
                    problems.add(self.file, line, None, None, format!("cannot read: {e}"));
                    return (n, false);
                }
            }
        }
        (n, true)
    }

    /// Checks a batch of records and emits each valid row dated on or before as-of.
    fn check<'r>(
        &self,
        batch: &'r [ByteRecord],
        problems: &mut Problems,
        stats: &mut OrderStats,
        line_offset: u64,
        mut emit: impl FnMut(Order<'r>),
    ) {
        let index = self.book.index();
        // First every row's id slot, then (in the caller) every row's state: the loads overlap.
        let probes: Vec<Probe> = batch
            .iter()
            .map(|record| {
                let probe = IdIndex::probe(parse::trim(self.header.cell(record, 1)));
                index.prefetch(&probe);
                probe
            })
            .collect();
        for (record, probe) in batch.iter().zip(&probes) {
            let line = line_of(record) + line_offset;
            let mut row = RowCheck {
                file: self.file,
                line,
                header: &self.header,
                problems,
                ok: true,
            };
            let order_id = row.text(record, 0);
            let customer = resolve_probed(&mut row, record, 1, self.book, self.unknown, probe);
            let date = row.req_with(record, 2, parse::date_cell, parse::EXPECT_DATE);
            let kind = row.opt(record, 3, OrderKind::parse, &self.expect_kind);
            let amount = row.req_with(record, 4, parse::money_cell, parse::EXPECT_MONEY);
            let profit = row.opt_with(record, 5, parse::money_cell);
            let outcome = row.opt(record, 6, Outcome::parse, "expected pass, fail or empty");
            let referred_by = resolve(&mut row, record, 7, self.book, self.unknown, false);
            // A row that passed every check has its required values.
            let (true, Some(date), Some(amount)) = (row.ok, date, amount) else {
                stats.bad += 1;
                continue;
            };
            let customer = match customer {
                Resolved::Found(c) => c,
                Resolved::Skipped | Resolved::Empty => {
                    stats.unknown_customer += 1;
                    continue;
                }
            };
            if date > self.as_of {
                stats.after_as_of += 1;
                continue;
            }
            stats.used += 1;
            emit(Order {
                order_id,
                customer,
                date,
                kind: kind.unwrap_or(OrderKind::Sale),
                amount,
                profit: profit.unwrap_or(Cents::ZERO),
                outcome: outcome.flatten(),
                referred_by: match referred_by {
                    Resolved::Found(c) => Some(c),
                    _ => None,
                },
                line,
            });
        }
    }
}

/// Hands a batch to the sink: every customer's state prefetched first, then each row.
fn deliver(sink: &mut impl OrderSink, orders: &[Order<'_>]) {
    for o in orders {
        sink.prefetch(o.customer);
    }
    for o in orders {
        sink.visit(o);
    }
}

fn checker<'a, R: Read>(
    reader: &mut csv::Reader<R>,
    source: &OrderSource<'a>,
    problems: &mut Problems,
) -> Option<Checker<'a>> {
    let header = read_header(reader, source.file, FIELDS, source.renames, problems)?;
    let kinds: Vec<&str> = OrderKind::ALL.iter().map(|k| k.as_str()).collect();
    Some(Checker {
        file: source.file,
        header,
        book: source.book,
        as_of: source.as_of,
        unknown: source.unknown,
        expect_kind: format!("expected {} (empty = sale)", one_of(&kinds)),
    })
}

/// Streams orders.csv: validates every row, reports problems, and hands each valid row
/// dated on or before `as_of` to `sink`, in file order.
pub fn read_orders<R: Read>(
    input: R,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    mut sink: impl OrderSink,
) -> OrderStats {
    let mut stats = OrderStats {
        parts: 1,
        ..OrderStats::default()
    };
    let mut reader = csv_reader(input);
    let Some(checker) = checker(&mut reader, source, problems) else {
        return stats;
    };
    let mut batch: Vec<ByteRecord> = (0..BATCH).map(|_| ByteRecord::new()).collect();
    let mut more = true;
    while more {
        let (n, again) = checker.fill(&mut reader, &mut batch, problems, 0);
        more = again;
        let mut orders = Vec::with_capacity(BATCH);
        checker.check(&batch[..n], problems, &mut stats, 0, |o| orders.push(o));
        deliver(&mut sink, &orders);
    }
    stats
}

/// An order row owned by a batch, for handing rows from a worker thread to the sink's.
struct OwnedOrder {
    id_end: usize,
    customer: u32,
    date: NaiveDate,
    kind: OrderKind,
    amount: Cents,
    profit: Cents,
    outcome: Option<Outcome>,
    referred_by: Option<u32>,
    line: u64,
}

#[derive(Default)]
struct OwnedBatch {
    ids: String,
    orders: Vec<OwnedOrder>,
}

impl OwnedBatch {
    fn views(&self) -> Vec<Order<'_>> {
        let mut start = 0;
        self.orders
            .iter()
            .map(|o| {
                let id = &self.ids[start..o.id_end];
                start = o.id_end;
                Order {
                    order_id: id,
                    customer: o.customer,
                    date: o.date,
                    kind: o.kind,
                    amount: o.amount,
                    profit: o.profit,
                    outcome: o.outcome,
                    referred_by: o.referred_by,
                    line: o.line,
                }
            })
            .collect()
    }
}

/// Files smaller than this are read by one thread: a second one would not pay its way.
const PARALLEL_FROM: u64 = 32 << 20;

/// Reads an orders file like [`read_orders`], on two threads when the file is large:
/// the file is cut at a line end a third of the way in, the rest is checked on a worker
/// thread and its rows are handed to `sink` on this one. The cut is safe only outside a
/// quoted field: it is used when the quote characters before it are even in number,
/// otherwise one thread reads it all. Rows reach the sink out of file order; line numbers
/// in problems are exact.
pub fn read_orders_file(
    file: &std::fs::File,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    sink: impl OrderSink,
) -> std::io::Result<OrderStats> {
    read_orders_file_with(file, source, problems, sink, PARALLEL_FROM)
}

/// [`read_orders_file`] with the size from which two threads are used (tests use 0).
#[cfg(unix)]
pub fn read_orders_file_with(
    file: &std::fs::File,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    mut sink: impl OrderSink,
    parallel_from: u64,
) -> std::io::Result<OrderStats> {
    let size = file.metadata()?.len();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let split = if size >= parallel_from && threads > 1 {
        safe_split(file, size)?
    } else {
        None
    };
    let Some((split, lines_before)) = split else {
        return Ok(read_orders(
            Range::new(file, 0, size),
            source,
            problems,
            sink,
        ));
    };

    let mut reader = csv_reader(Range::new(file, 0, split));
    let mut stats = OrderStats::default();
    let Some(checker) = checker(&mut reader, source, problems) else {
        return Ok(stats);
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<OwnedBatch>(8);
    let (worker_problems, worker_stats) = std::thread::scope(|scope| {
        let checker = &checker;
        let worker = scope.spawn(move || {
            let mut problems = Problems::new();
            let mut stats = OrderStats::default();
            let mut reader = csv_reader(Range::new(file, split, size));
            let mut batch: Vec<ByteRecord> = (0..BATCH).map(|_| ByteRecord::new()).collect();
            let mut more = true;
            while more {
                let (n, again) = checker.fill(&mut reader, &mut batch, &mut problems, lines_before);
                more = again;
                let mut owned = OwnedBatch::default();
                checker.check(&batch[..n], &mut problems, &mut stats, lines_before, |o| {
                    owned.ids.push_str(o.order_id);
                    owned.orders.push(OwnedOrder {
                        id_end: owned.ids.len(),
                        customer: o.customer,
                        date: o.date,
                        kind: o.kind,
                        amount: o.amount,
                        profit: o.profit,
                        outcome: o.outcome,
                        referred_by: o.referred_by,
                        line: o.line,
                    });
                });
                if !owned.orders.is_empty() && tx.send(owned).is_err() {
                    break;
                }
            }
            drop(tx);
            (problems, stats)
        });
        let mut batch: Vec<ByteRecord> = (0..BATCH).map(|_| ByteRecord::new()).collect();
        let mut more = true;
        while more {
            let (n, again) = checker.fill(&mut reader, &mut batch, problems, 0);
            more = again;
            let mut orders = Vec::with_capacity(BATCH);
            checker.check(&batch[..n], problems, &mut stats, 0, |o| orders.push(o));
            deliver(&mut sink, &orders);
            while let Ok(theirs) = rx.try_recv() {
                deliver(&mut sink, &theirs.views());
            }
        }
        for theirs in rx.iter() {
            deliver(&mut sink, &theirs.views());
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    problems.extend(worker_problems);
    stats.used += worker_stats.used;
    stats.after_as_of += worker_stats.after_as_of;
    stats.unknown_customer += worker_stats.unknown_customer;
    stats.bad += worker_stats.bad;
    stats.parts = 2;
    Ok(stats)
}

/// A line end a third of the way into the file, if cutting there cannot fall inside a quoted
/// field (an even number of quote characters before it), and the number of line ends
/// before it (the second reader's line numbers start after them).
#[cfg(unix)]
fn safe_split(file: &std::fs::File, size: u64) -> std::io::Result<Option<(u64, u64)>> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 1 << 20];
    // The first part's thread also folds every row of both parts: give it less to read.
    let mut at = size / 3;
    let split = loop {
        let n = file.read_at(&mut buf, at)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            break at + i as u64 + 1;
        }
        at += n as u64;
    };
    let (mut quotes, mut lines) = (0u64, 0u64);
    let mut pos = 0u64;
    while pos < split {
        let want = (split - pos).min(buf.len() as u64) as usize;
        let n = file.read_at(&mut buf[..want], pos)?;
        if n == 0 {
            break;
        }
        quotes += memchr::memchr_iter(b'"', &buf[..n]).count() as u64;
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        pos += n as u64;
    }
    Ok((quotes % 2 == 0 && split < size).then_some((split, lines)))
}

/// `Read` over a byte range of a file, with positioned reads (no shared cursor).
#[cfg(unix)]
struct Range<'f> {
    file: &'f std::fs::File,
    pos: u64,
    end: u64,
}

#[cfg(unix)]
impl<'f> Range<'f> {
    fn new(file: &'f std::fs::File, start: u64, end: u64) -> Self {
        Range {
            file,
            pos: start,
            end,
        }
    }
}

#[cfg(unix)]
impl Read for Range<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let want = (self.end - self.pos).min(buf.len() as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// Elsewhere: one thread.
#[cfg(not(unix))]
pub fn read_orders_file_with(
    file: &std::fs::File,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    sink: impl OrderSink,
    _parallel_from: u64,
) -> std::io::Result<OrderStats> {
    Ok(read_orders(file, source, problems, sink))
}

pub(super) enum Resolved {
    Found(u32),
    Skipped,
    Empty,
}

/// [`resolve`] with the id's probe already computed (and its slot prefetched).
fn resolve_probed(
    row: &mut RowCheck<'_>,
    record: &ByteRecord,
    field: usize,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    probe: &Probe,
) -> Resolved {
    let cell = parse::trim(row.header.cell(record, field));
    match book.index().get_probed(probe, cell) {
        Some(i) => Resolved::Found(i),
        None => resolve(row, record, field, book, unknown, true),
    }
}

/// Resolves a customer-id cell to the customer's index; an unknown id is a problem or,
/// with `unknown = skip`, a skipped row.
pub(super) fn resolve(
    row: &mut RowCheck<'_>,
    record: &ByteRecord,
    field: usize,
    book: &CustomerBook,
    unknown: UnknownCustomer,
    required: bool,
) -> Resolved {
    let cell = row.header.cell(record, field);
    if parse::trim(cell).is_empty() {
        if required {
            row.bad(field, cell, "a customer id is required here");
        }
        return Resolved::Empty;
    }
    match book.find(cell) {
        Some(i) => Resolved::Found(i),
        None => match unknown {
            UnknownCustomer::Skip => Resolved::Skipped,
            UnknownCustomer::Error => {
                row.bad(
                    field,
                    cell,
                    "no such customer in the customers file (or set validation.unknown_customer = \"skip\")",
                );
                Resolved::Skipped
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::read_customers;

    fn book() -> CustomerBook {
        let mut ps = Problems::new();
        read_customers(
            "customer_id,name\nC1,Ann\nC2,Bob\n".as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            crate::load::Keep::ALL,
            &mut ps,
        )
    }

    fn scan(text: &str, unknown: UnknownCustomer) -> (Vec<String>, Vec<String>, OrderStats) {
        let mut ps = Problems::new();
        let mut seen = Vec::new();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let renames = BTreeMap::new();
        let book = book();
        let source = OrderSource {
            file: "o.csv",
            renames: &renames,
            book: &book,
            as_of,
            unknown,
        };
        let stats = read_orders(text.as_bytes(), &source, &mut ps, |o: &Order<'_>| {
            seen.push(format!(
                "{} {} {} {:?} {} {}",
                o.order_id, o.customer, o.date, o.kind, o.amount, o.profit
            ))
        });
        (seen, ps.iter().map(|p| p.to_string()).collect(), stats)
    }

    #[test]
    fn valid_rows_reach_the_visitor_and_later_rows_do_not() {
        let (seen, ps, stats) = scan(
            "order_id,customer_id,date,kind,amount,profit\nO1,C2,2026-11-22,,10.05,\nO2,C1,2026-11-23,repair,0,\n",
            UnknownCustomer::Error,
        );
        assert!(ps.is_empty(), "{ps:?}");
        assert_eq!(seen, ["O1 1 2026-11-22 Sale 10.05 0.00"]);
        assert_eq!(stats.after_as_of, 1);
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let (seen, ps, stats) = scan(
            "order_id,customer_id,date,kind,amount,outcome,referred_by\nO1,C9,2026-13-01,gift,1.005,ok,C7\n",
            UnknownCustomer::Error,
        );
        assert!(seen.is_empty());
        assert_eq!(stats.bad, 1);
        assert_eq!(ps.len(), 6, "{ps:?}");
        assert!(ps[0].starts_with("o.csv:2: customer_id: \"C9\": no such customer"));
        assert_eq!(
            ps[1],
            "o.csv:2: date: \"2026-13-01\": expected a date YYYY-MM-DD (no such day)"
        );
        assert!(ps[2].contains("kind: \"gift\": expected sale, install, repair, maintenance, return_repair or return_exchange"));
        assert!(
            ps[3].contains("amount: \"1.005\": an amount has at most 2 decimal places"),
            "{ps:?}"
        );
        assert!(ps[4].contains("outcome: \"ok\""));
        assert!(ps[5].contains("referred_by: \"C7\""));
    }

    #[test]
    fn unknown_customers_can_be_skipped_by_policy() {
        let (seen, ps, stats) = scan(
            "order_id,customer_id,date,amount\nO1,C9,2026-01-01,5\nO2,C1,2026-01-01,5\n",
            UnknownCustomer::Skip,
        );
        assert!(ps.is_empty());
        assert_eq!(seen.len(), 1);
        assert_eq!(stats.unknown_customer, 1);
    }
}
