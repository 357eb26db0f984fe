//! orders.csv, streamed: each valid row is resolved to its customer's dense index and
//! handed to a visitor, then forgotten, so memory does not grow with the number of orders.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use csv::ByteRecord;

use super::{csv_reader, is_blank, line_of, opt, read_header, req, Field, RowCheck};
use crate::error::Problems;
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

/// Streams orders.csv: validates every row, reports problems, and hands each valid row
/// dated on or before `as_of` to `sink`, in file order.
pub fn read_orders<R: Read>(
    input: R,
    source: &OrderSource<'_>,
    problems: &mut Problems,
    mut sink: impl OrderSink,
) -> OrderStats {
    let OrderSource {
        file,
        renames,
        book,
        as_of,
        unknown,
    } = *source;
    let mut stats = OrderStats::default();
    let mut reader = csv_reader(input);
    let Some(header) = read_header(&mut reader, file, FIELDS, renames, problems) else {
        return stats;
    };
    let kinds: Vec<&str> = OrderKind::ALL.iter().map(|k| k.as_str()).collect();
    let expect_kind = format!("expected {} (empty = sale)", one_of(&kinds));
    let index = book.index();
    let mut batch: Vec<ByteRecord> = (0..BATCH).map(|_| ByteRecord::new()).collect();
    let mut probes = Vec::with_capacity(BATCH);
    let mut done = false;
    while !done {
        let mut n = 0;
        while n < BATCH {
            match reader.read_byte_record(&mut batch[n]) {
                Ok(true) if is_blank(&batch[n]) => {}
                Ok(true) => n += 1,
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    let line = line_of(&batch[n]);
                    problems.add(file, line, None, None, format!("cannot read: {e}"));
                    done = true;
                    break;
                }
            }
        }
        // First every row's id slot, then every row's state: the loads overlap.
        probes.clear();
        for record in &batch[..n] {
            let probe = IdIndex::probe(parse::trim(header.cell(record, 1)));
            index.prefetch(&probe);
            probes.push(probe);
        }
        let mut orders: Vec<Order<'_>> = Vec::with_capacity(n);
        for (record, probe) in batch[..n].iter().zip(&probes) {
            let line = line_of(record);
            let mut row = RowCheck {
                file,
                line,
                header: &header,
                problems,
                ok: true,
            };
            let order_id = row.text(record, 0);
            let customer = resolve_probed(&mut row, record, 1, book, unknown, probe);
            let date = row.req(record, 2, parse::date, parse::EXPECT_DATE);
            let kind = row.opt(record, 3, OrderKind::parse, &expect_kind);
            let amount = row.req(record, 4, parse::money, parse::EXPECT_MONEY);
            let profit = row.opt(record, 5, parse::money, parse::EXPECT_MONEY);
            let outcome = row.opt(record, 6, Outcome::parse, "expected pass, fail or empty");
            let referred_by = resolve(&mut row, record, 7, book, unknown, false);
            if !row.ok {
                stats.bad += 1;
                continue;
            }
            let (Some(date), Some(amount)) = (date, amount) else {
                unreachable_row(&mut stats);
                continue;
            };
            let customer = match customer {
                Resolved::Found(c) => c,
                Resolved::Skipped | Resolved::Empty => {
                    stats.unknown_customer += 1;
                    continue;
                }
            };
            if date > as_of {
                stats.after_as_of += 1;
                continue;
            }
            sink.prefetch(customer);
            orders.push(Order {
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
        stats.used += orders.len() as u64;
        for order in &orders {
            sink.visit(order);
        }
    }
    stats
}

/// A row that passed every check has its required values; counted as bad if not, so a
/// logic slip shows in the stats rather than as a panic.
fn unreachable_row(stats: &mut OrderStats) {
    stats.bad += 1;
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
    probe: &crate::load::index::Probe,
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
            "o.csv:2: date: \"2026-13-01\": expected a date YYYY-MM-DD"
        );
        assert!(ps[2].contains("kind: \"gift\": expected sale, install, repair, maintenance, return_repair or return_exchange"));
        assert!(ps[3].contains("amount: \"1.005\": expected an amount"));
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
