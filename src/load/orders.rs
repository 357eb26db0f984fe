//! orders.csv, streamed: each valid row is resolved to its customer's dense index and
//! handed to a visitor, then forgotten, so memory does not grow with the number of orders.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use csv::ByteRecord;

use super::chunks::{self, read_chunked, Pending, Records, Split};
use super::Header;
use super::{csv_reader, is_blank, line_of, opt, read_header, req, CsvReader, Field, RowCheck};
use crate::error::Problems;
use crate::hint::fetch_ahead;
use crate::load::index::Probe;
use crate::load::CustomerBook;
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
    /// The rows whose [`Order::order_id`] the sink reads: those dated on or after this
    /// day (`NaiveDate::MIN`, the default: every row), none for `None`. The fast reader
    /// hands the others over with an empty id (the ids are checked all the same).
    fn ids_from(&self) -> Option<NaiveDate> {
        Some(NaiveDate::MIN)
    }
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
pub(super) struct Checker<'a> {
    file: &'a str,
    pub(super) header: Header,
    pub(super) book: &'a CustomerBook,
    as_of: NaiveDate,
    unknown: UnknownCustomer,
    expect_kind: String,
}

impl Checker<'_> {
    /// Reads up to `BATCH` non-blank records; `false` once the input is exhausted.
    fn fill<R: Read>(
        &self,
        reader: &mut CsvReader<R>,
        batch: &mut [ByteRecord],
        problems: &mut Problems,
    ) -> (usize, bool) {
        let mut n = 0;
        while n < batch.len() {
            match reader.read_byte_record(&mut batch[n]) {
                Ok(true) if is_blank(&batch[n]) => {}
                Ok(true) => n += 1,
                Ok(false) => return (n, false),
                Err(e) => {
                    super::unreadable(problems, self.file, &self.header, &e);
                    return (n, false);
                }
            }
        }
        (n, true)
    }

    /// Checks a batch of records and emits each valid row dated on or before as-of.
    pub(super) fn check<'r>(
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
                let probe = index.probe(parse::trim(self.header.cell(record, 1)));
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
                known_one_line: false,
            };
            row.width(record);
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

impl Checker<'_> {
    /// The verdict of [`check`](Self::check) on a row whose cells (the contract's eight,
    /// in order) are all in their plain form and valid, reached with the same parsers;
    /// `None` when any cell needs the full check (which then finds the row bad, or reads
    /// a cell written another way). `probe` is the customer id's, `date` reads a date cell.
    #[inline]
    pub(super) fn quick(
        &self,
        cells: &[&[u8]; 8],
        probe: &Probe,
        date: &mut impl FnMut(&[u8]) -> Option<NaiveDate>,
    ) -> Option<Quick> {
        let id = parse::trim(cells[0]);
        if id.is_empty() {
            return None;
        }
        let customer = self.book.index().get_probed(probe, parse::trim(cells[1]))?;
        let date = date(cells[2])?;
        let kind = OrderKind::parse(cells[3])?;
        let amount = match parse::trim(cells[4]) {
            b"" => return None,
            cell => parse::money(cell)?,
        };
        let profit = match parse::trim(cells[5]) {
            b"" => Cents::ZERO,
            cell => parse::money(cell)?,
        };
        let outcome = Outcome::parse(cells[6])?;
        let referred_by = match parse::trim(cells[7]) {
            b"" => None,
            cell => Some(self.book.find(cell)?),
        };
        if !id.is_ascii() {
            std::str::from_utf8(id).ok()?;
        }
        if date > self.as_of {
            return Some(Quick::Later);
        }
        Some(Quick::Row(OwnedOrder {
            customer,
            date,
            kind,
            amount,
            profit,
            outcome,
            referred_by,
            line: 0,
        }))
    }
}

/// What [`Checker::quick`] made of a plain row.
pub(super) enum Quick {
    /// A valid row, to hand on (its id and line are filled in by the caller).
    Row(OwnedOrder),
    /// A valid row dated after as-of.
    Later,
}

/// Hands a batch to the sink, each customer's state prefetched [`AHEAD`](crate::hint::AHEAD) rows before its
/// row is visited.
fn deliver(sink: &mut impl OrderSink, orders: &[Order<'_>]) {
    for (k, o) in orders.iter().enumerate() {
        fetch_ahead(orders, k, |o| sink.prefetch(o.customer));
        sink.visit(o);
    }
}

fn checker<'a, R: Read>(
    reader: &mut CsvReader<R>,
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
        let (n, again) = checker.fill(&mut reader, &mut batch, problems);
        more = again;
        let mut orders = Vec::with_capacity(BATCH);
        checker.check(&batch[..n], problems, &mut stats, 0, |o| orders.push(o));
        deliver(&mut sink, &orders);
    }
    stats
}

/// An order row owned by a batch, for handing rows from a worker thread to the sink's:
/// what [`Checker::quick`] and the full check make, stored as a [`Packed`] row.
pub(super) struct OwnedOrder {
    customer: u32,
    date: NaiveDate,
    kind: OrderKind,
    amount: Cents,
    profit: Cents,
    outcome: Option<Outcome>,
    referred_by: Option<u32>,
    /// Counted from 1 at the batch's start (see [`deliver_owned`]).
    pub(super) line: u64,
}

/// An order row as a batch stores it, in 40 bytes: the amounts in 64 bits and the line,
/// id end and referrer in 32. (As an [`OwnedOrder`], with two 128-bit amounts, it was 80
/// bytes: ten million rows wrote and read 800 MB between the threads.) A row whose
/// amount, profit, line or referrer does not fit (an amount of ±92 trillion, which the
/// fold reports as too large) is `wide`, and its figures are in the batch's [`Wide`] list.
struct Packed {
    amount: i64,
    profit: i64,
    id_end: u32,
    customer: u32,
    date: NaiveDate,
    line: u32,
    /// The referrer's index + 1; 0 for none.
    referrer: u32,
    kind: OrderKind,
    outcome: Option<Outcome>,
    wide: bool,
}

const _: () = assert!(std::mem::size_of::<Packed>() == 40);

/// The figures of a row too wide to pack, in the order of its batch's wide rows.
struct Wide {
    amount: Cents,
    profit: Cents,
    line: u64,
    referred_by: Option<u32>,
}

/// Order rows with their ids in one string.
#[derive(Default)]
pub(super) struct OwnedBatch {
    ids: String,
    orders: Vec<Packed>,
    wide: Vec<Wide>,
}

impl OwnedBatch {
    /// Adds `row` with the id `id` (valid UTF-8: checked by [`Checker::quick`] or a `&str`).
    pub(super) fn push(&mut self, id: &[u8], row: OwnedOrder) {
        // No id (a sink that needs none) is the common case: no UTF-8 check to call.
        if !id.is_empty() {
            self.ids
                .push_str(std::str::from_utf8(id).unwrap_or_default());
        }
        // A batch is one chunk (at most 1 GiB), so its ids never reach 4 GiB.
        let id_end = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        let narrow = |c: Cents| i64::try_from(c.0).ok();
        let packed = (
            narrow(row.amount),
            narrow(row.profit),
            u32::try_from(row.line).ok(),
            match row.referred_by {
                None => Some(0),
                Some(r) => r.checked_add(1),
            },
        );
        let (amount, profit, line, referrer, wide) = match packed {
            (Some(a), Some(p), Some(line), Some(r)) => (a, p, line, r, false),
            _ => {
                self.wide.push(Wide {
                    amount: row.amount,
                    profit: row.profit,
                    line: row.line,
                    referred_by: row.referred_by,
                });
                (0, 0, 0, 0, true)
            }
        };
        self.orders.push(Packed {
            amount,
            profit,
            id_end,
            customer: row.customer,
            date: row.date,
            line,
            referrer,
            kind: row.kind,
            outcome: row.outcome,
            wide,
        });
    }

    /// Adds a row the full check made.
    pub(super) fn push_order(&mut self, o: &Order<'_>) {
        let row = OwnedOrder {
            customer: o.customer,
            date: o.date,
            kind: o.kind,
            amount: o.amount,
            profit: o.profit,
            outcome: o.outcome,
            referred_by: o.referred_by,
            line: o.line,
        };
        self.push(o.order_id.as_bytes(), row);
    }
}

/// Hands a batch's rows to the sink, `lines_before` added to their line numbers, each
/// customer's state prefetched [`AHEAD`](crate::hint::AHEAD) rows before its row is visited. (Copying the rows
/// into a batch of views first was a twelfth of the orders profile, on this thread.)
fn deliver_owned(sink: &mut impl OrderSink, batch: &OwnedBatch, lines_before: u64) {
    let orders = &batch.orders;
    let mut start = 0;
    let mut wide = batch.wide.iter();
    for (k, o) in orders.iter().enumerate() {
        fetch_ahead(orders, k, |o| sink.prefetch(o.customer));
        let order_id = batch.ids.get(start..o.id_end as usize).unwrap_or_default();
        start = o.id_end as usize;
        let (amount, profit, line, referred_by) = match o.wide.then(|| wide.next()).flatten() {
            Some(w) => (w.amount, w.profit, w.line, w.referred_by),
            None => (
                Cents(o.amount.into()),
                Cents(o.profit.into()),
                u64::from(o.line),
                o.referrer.checked_sub(1),
            ),
        };
        sink.visit(&Order {
            order_id,
            customer: o.customer,
            date: o.date,
            kind: o.kind,
            amount,
            profit,
            outcome: o.outcome,
            referred_by,
            line: line + lines_before,
        });
    }
}

/// Reads an orders file like [`read_orders`], fast and on both cores
/// ([`chunks`](super::chunks)): rows reach `sink` in file order, problems are the same.
pub fn read_orders_file(
    file: &std::fs::File,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    sink: impl OrderSink,
) -> std::io::Result<OrderStats> {
    read_orders_file_with(file, source, problems, sink, Split::auto())
}

/// [`read_orders_file`] on the given number of threads and chunk size (tests use small ones).
pub fn read_orders_file_with(
    file: &std::fs::File,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    sink: impl OrderSink,
    split: Split,
) -> std::io::Result<OrderStats> {
    read_orders_file_reporting(file, source, problems, sink, split, &|_| {})
}

/// [`read_orders_file_with`], telling `progress` the bytes read after each chunk (once
/// per MiB: a progress bar costs the fast path nothing).
pub fn read_orders_file_reporting(
    file: &std::fs::File,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    mut sink: impl OrderSink,
    split: Split,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<OrderStats> {
    let size = file.metadata()?.len();
    let mut header = csv_reader(chunks::Range::new(file, 0, size));
    let Some(checker) = checker(&mut header, source, problems) else {
        return Ok(OrderStats::default());
    };
    let records = OrderRecords {
        fields: std::array::from_fn(|f| checker.header.at.get(f).copied().flatten()),
        checker,
        ids: sink.ids_from(),
    };
    let mut stats = OrderStats::default();
    let threads = read_chunked(
        file,
        size,
        &records,
        split,
        problems,
        progress,
        |done, problems| {
            let (part, lines) = (done.part, done.lines_before);
            problems.extend_shifted(done.problems, lines);
            deliver_owned(&mut sink, &part.rows, lines);
            stats.used += part.stats.used;
            stats.after_as_of += part.stats.after_as_of;
            stats.unknown_customer += part.stats.unknown_customer;
            stats.bad += part.stats.bad;
        },
    )?;
    stats.parts = threads as u8;
    Ok(stats)
}

/// How the chunked reader checks order rows.
struct OrderRecords<'a> {
    checker: Checker<'a>,
    fields: [Option<usize>; 8],
    /// The rows whose order ids the sink wants: those dated on or after this day.
    ids: Option<NaiveDate>,
}

/// One chunk's valid rows, and what became of the others.
#[derive(Default)]
struct OrderPart {
    rows: OwnedBatch,
    stats: OrderStats,
}

/// A thread's buffers for checking order rows.
#[derive(Default)]
struct OrderScratch {
    record: ByteRecord,
    dates: DateCache,
}

impl Records for OrderRecords<'_> {
    type Part = OrderPart;
    type Scratch = OrderScratch;

    fn fields(&self) -> &[Option<usize>] {
        &self.fields
    }

    fn columns(&self) -> usize {
        self.checker.header.columns
    }

    /// The quick way when every cell is plain and valid (the id lookups in flight
    /// [`AHEAD`](crate::hint::AHEAD) rows at a time); otherwise the full way, for the plain reader's verdict
    /// and messages.
    fn plain(
        &self,
        lines: &[Pending],
        buf: &[u8],
        scratch: &mut OrderScratch,
        part: &mut OrderPart,
        problems: &mut Problems,
    ) {
        let index = self.checker.book.index();
        // A loop, not `std::array::from_fn`: through its closure the probes were left
        // out of line once the problems' code changed size (a call per row, 27 more
        // instructions a row for `tiers` on the 1M set, cachegrind).
        let mut probes = [Probe::Numbered(0); chunks::BATCH];
        for (probe, p) in probes.iter_mut().zip(lines) {
            *probe = index.probe(parse::trim(p.cell(buf, 1)));
        }
        let probes = &probes[..lines.len()];
        for (k, (p, probe)) in lines.iter().zip(probes).enumerate() {
            fetch_ahead(probes, k, |probe| index.prefetch(probe));
            let cells: [&[u8]; 8] = std::array::from_fn(|f| p.cell(buf, f));
            match self
                .checker
                .quick(&cells, probe, &mut |c| scratch.dates.get(c))
            {
                Some(Quick::Row(mut row)) => {
                    row.line = p.line;
                    let id = match self.ids.is_some_and(|from| row.date >= from) {
                        true => parse::trim(cells[0]),
                        false => b"",
                    };
                    part.rows.push(id, row);
                    part.stats.used += 1;
                }
                Some(Quick::Later) => part.stats.after_as_of += 1,
                None => {
                    if p.record(buf, &mut scratch.record) {
                        self.full(&scratch.record, part, problems);
                    }
                }
            }
        }
    }

    fn record(
        &self,
        record: &ByteRecord,
        _: &mut OrderScratch,
        part: &mut OrderPart,
        problems: &mut Problems,
    ) {
        self.full(record, part, problems);
    }

    fn unreadable(&self, e: &super::plain::Unreadable, problems: &mut Problems) {
        super::unreadable(problems, self.checker.file, &self.checker.header, e);
    }

    /// The rows' buffer sized once: grown by doubling, its copying was 2 % of `tiers`.
    fn expect(&self, part: &mut OrderPart, lines: usize) {
        part.rows.orders.reserve(lines);
    }
}

impl OrderRecords<'_> {
    /// The plain reader's checks of one record.
    fn full(&self, record: &ByteRecord, part: &mut OrderPart, problems: &mut Problems) {
        let rows = &mut part.rows;
        self.checker.check(
            std::slice::from_ref(record),
            problems,
            &mut part.stats,
            0,
            |o| rows.push_order(&o),
        );
    }
}

/// The last date cell read and its date: orders come roughly by date, so most rows repeat
/// the row before's.
#[derive(Default)]
struct DateCache {
    key: [u8; 10],
    date: Option<NaiveDate>,
}

impl DateCache {
    #[inline]
    fn get(&mut self, cell: &[u8]) -> Option<NaiveDate> {
        if self.date.is_some() && cell == self.key {
            return self.date;
        }
        let date = parse::date(cell)?;
        if let Ok(key) = cell.try_into() {
            self.key = key;
            self.date = Some(date);
        }
        Some(date)
    }
}

pub(super) enum Resolved {
    Found(u32),
    Skipped,
    Empty,
}

/// [`resolve`] with the id's probe already computed (and its slot prefetched).
pub(super) fn resolve_probed(
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
                super::no_such_customer(
                    row,
                    field,
                    cell,
                    book,
                    " (or set validation.unknown_customer = \"skip\")",
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

    fn cents() -> impl proptest::strategy::Strategy<Value = Cents> {
        use proptest::prelude::*;
        prop_oneof![
            -1_000_000i128..1_000_000,
            Just(i64::MIN as i128),
            Just(i64::MAX as i128),
            Just(i64::MIN as i128 - 1),
            Just(i64::MAX as i128 + 1),
            -(10i128.pow(28))..10i128.pow(28),
        ]
        .prop_map(Cents)
    }

    proptest::proptest! {
        /// A batch hands on exactly the rows put in it, packed or wide: amounts past 64
        /// bits, lines past 32 bits, any referrer.
        #[test]
        fn a_batch_hands_on_the_rows_it_was_given(
            rows in proptest::collection::vec(
                (
                    "[A-Z0-9]{0,6}",
                    cents(),
                    cents(),
                    proptest::prop_oneof![0u64..100, proptest::num::u64::ANY],
                    proptest::option::of(proptest::prop_oneof![
                        0u32..10,
                        proptest::strategy::Just(u32::MAX - 1),
                        proptest::strategy::Just(u32::MAX),
                        proptest::num::u32::ANY,
                    ]),
                    0u32..3,
                ),
                0..40,
            ),
            lines_before in 0u64..1_000_000,
        ) {
            let d = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
            let orders: Vec<Order<'_>> = rows
                .iter()
                .map(|(id, amount, profit, line, referred_by, customer)| Order {
                    order_id: id,
                    customer: *customer,
                    date: d,
                    kind: OrderKind::Sale,
                    amount: *amount,
                    profit: *profit,
                    outcome: None,
                    referred_by: *referred_by,
                    line: *line % (u64::MAX - 1_000_000),
                })
                .collect();
            let mut batch = OwnedBatch::default();
            for o in &orders {
                batch.push_order(o);
            }
            let mut out = Vec::new();
            deliver_owned(
                &mut |o: &Order<'_>| {
                    out.push((
                        o.order_id.to_string(),
                        o.customer,
                        o.amount,
                        o.profit,
                        o.line,
                        o.referred_by,
                    ))
                },
                &batch,
                lines_before,
            );
            let want: Vec<_> = orders
                .iter()
                .map(|o| {
                    let id = o.order_id.to_string();
                    (id, o.customer, o.amount, o.profit, o.line + lines_before, o.referred_by)
                })
                .collect();
            proptest::prop_assert_eq!(out, want);
        }
    }

    fn book() -> CustomerBook {
        book_of("customer_id,name\nC1,Ann\nC2,Bob\n", &mut Problems::new())
    }

    /// A sink that reads the ids of the rows from a day on gets those rows' ids, and the
    /// older rows without theirs, from the fast reader; every row still comes.
    #[test]
    fn the_fast_reader_hands_on_the_ids_a_sink_reads_and_no_others() {
        struct From(Option<NaiveDate>, Vec<String>);
        impl OrderSink for &mut From {
            fn ids_from(&self) -> Option<NaiveDate> {
                self.0
            }
            fn visit(&mut self, o: &Order<'_>) {
                self.1.push(format!("{} {}", o.date, o.order_id));
            }
        }
        let text = "order_id,customer_id,date,kind,amount\n\
                    O1,C1,2026-01-01,sale,1.00\n\
                    O2,C2,2026-03-01,sale,2.00\n\
                    O3,C1,2026-03-02,repair,0.00\n";
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        let (renames, book) = (BTreeMap::new(), book());
        let source = source(&renames, &book, UnknownCustomer::Error);
        let read = |from: Option<NaiveDate>| {
            let mut sink = From(from, Vec::new());
            let mut ps = Problems::new();
            read_orders_file_with(&file, &source, &mut ps, &mut sink, Split::auto()).unwrap();
            assert!(ps.is_empty());
            sink.1
        };
        let day = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
        assert_eq!(
            read(Some(NaiveDate::MIN)),
            ["2026-01-01 O1", "2026-03-01 O2", "2026-03-02 O3"]
        );
        assert_eq!(
            read(day("2026-03-01")),
            ["2026-01-01 ", "2026-03-01 O2", "2026-03-02 O3"]
        );
        assert_eq!(read(None), ["2026-01-01 ", "2026-03-01 ", "2026-03-02 "]);
    }

    /// The source of an orders file "o.csv" naming the customers of `book`, as of
    /// 2026-11-22.
    fn source<'a>(
        renames: &'a BTreeMap<String, String>,
        book: &'a CustomerBook,
        unknown: UnknownCustomer,
    ) -> OrderSource<'a> {
        OrderSource {
            file: "o.csv",
            renames,
            book,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            unknown,
        }
    }

    /// The book of customers.csv `text`, its problems added to `ps`.
    fn book_of(text: &str, ps: &mut Problems) -> CustomerBook {
        read_customers(
            text.as_bytes(),
            "c.csv",
            &BTreeMap::new(),
            crate::load::Keep::ALL,
            ps,
        )
    }

    fn scan(text: &str, unknown: UnknownCustomer) -> (Vec<String>, Vec<String>, OrderStats) {
        let mut ps = Problems::new();
        let mut seen = Vec::new();
        let renames = BTreeMap::new();
        let book = book();
        let source = source(&renames, &book, unknown);
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
    fn ids_past_where_the_customers_stopped_follow_on_from_that_line() {
        // The plain reader (a pipe) stops at the open quote on line 3, as the chunked
        // one does: the book knows, and the unknown ids after it fold into one line.
        let mut ps = Problems::new();
        let book = book_of("customer_id,name\nC1,Ann\nC2,\"Bob\nC3,Cat\n", &mut ps);
        assert_eq!((book.len(), book.stopped_at()), (1, Some(3)));
        let renames = BTreeMap::new();
        let source = source(&renames, &book, UnknownCustomer::Error);
        let text = "order_id,customer_id,date,amount\nO1,C3,2026-01-01,5\nO2,C1,2026-01-01,5\nO3,C2,2026-01-01,5\nO4,C3,2026-01-01,5\n";
        read_orders(text.as_bytes(), &source, &mut ps, |_: &Order<'_>| {});
        let listed: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(listed[1].starts_with("o.csv:2: customer_id: \"C3\": no such customer in the part"));
        assert_eq!(ps.total(), 4, "{listed:?}");
        assert_eq!(
            ps.dropped_notes(),
            ["o.csv: ... and 2 more rows like line 2; fix the problem it points at, and run again to see those still wrong"]
        );
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
