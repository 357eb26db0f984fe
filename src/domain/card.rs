//! The customer card (docs/rules.md §10): finding a customer by a part of the name or the
//! last digits of the phone, ids close to a mistyped one, and the one customer's history,
//! kept while the orders stream past (nobody else's rows are kept). The card's readings of
//! the tier rules (the next tier, the segment's reasons, the lifecycle's turns) live with
//! those rules in [`super::tiers`].

use chrono::NaiveDate;

use crate::load::CustomerBook;
use crate::model::{Order, OrderKind, Outcome};
use crate::parse::Cents;
use crate::policy::Purchases;

/// The fewest phone digits `--find` matches a phone by: the last 4, as a caller reads
/// them out.
pub const PHONE_DIGITS: usize = 4;

/// What `--find` looked for: a part of the name, and the phone's last digits when the
/// text is a number of at least [`PHONE_DIGITS`] digits (spaces and dashes allowed); an id
/// typed whole is found too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The text, trimmed and lower-cased (names are compared without case).
    pub name: String,
    /// The digits a phone must end with.
    pub phone: Option<String>,
}

impl Query {
    /// `None` for an empty text.
    pub fn new(text: &str) -> Option<Query> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let number = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
        Some(Query {
            name: text.to_lowercase(),
            phone: (number && digits.len() >= PHONE_DIGITS).then_some(digits),
        })
    }

    /// Whether the customer `id`, named `name`, with `phone`, matches.
    pub fn matches(&self, id: &str, name: &str, phone: Option<&str>) -> bool {
        if id
            .chars()
            .flat_map(char::to_lowercase)
            .eq(self.name.chars())
        {
            return true;
        }
        let by_name = if name.chars().any(char::is_uppercase) {
            name.to_lowercase().contains(&self.name)
        } else {
            name.contains(&self.name)
        };
        by_name
            || match (&self.phone, phone) {
                (Some(wanted), Some(phone)) => ends_with_digits(phone, wanted),
                _ => false,
            }
    }
}

/// Whether the digits of `phone` (whatever separates them) end with `digits`.
fn ends_with_digits(phone: &str, digits: &str) -> bool {
    let mut have = phone.bytes().rev().filter(u8::is_ascii_digit);
    digits.bytes().rev().all(|d| have.next() == Some(d))
}

/// The customers `query` matches, in file order.
pub fn find(book: &CustomerBook, query: &Query) -> Vec<u32> {
    (0..book.len())
        .filter(|&i| {
            let c = book.get(i);
            query.matches(c.customer_id, c.name, c.phone)
        })
        .map(|i| i as u32)
        .collect()
}

/// Up to `most` customer ids within a small edit distance of `id` (letters compared
/// without case): at most 1 edit for ids of up to 4 characters, 2 for longer ones. Closest
/// first, then by id.
pub fn close_ids<'b>(book: &'b CustomerBook, id: &str, most: usize) -> Vec<&'b str> {
    let wanted: Vec<char> = id.trim().to_lowercase().chars().collect();
    let limit = if wanted.len() <= 4 { 1 } else { 2 };
    let mut close: Vec<(usize, &str)> = (0..book.len())
        .filter_map(|i| {
            let candidate = book.id(i);
            let distance = edit_distance(&wanted, candidate, limit)?;
            Some((distance, candidate))
        })
        .collect();
    close.sort_unstable();
    close.into_iter().take(most).map(|(_, id)| id).collect()
}

/// The Levenshtein distance between `a` and `b` (lower-cased), when it is at most
/// `limit`.
fn edit_distance(a: &[char], b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        if current.iter().min().is_some_and(|&m| m > limit) {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[b.len()];
    (d <= limit).then_some(d)
}

/// One order row of the card's customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastOrder {
    pub order_id: String,
    pub date: NaiveDate,
    pub kind: OrderKind,
    pub amount: Cents,
    pub outcome: Option<Outcome>,
    /// The line in orders.csv: a later line is more recent among rows of one day.
    pub line: u64,
}

/// A customer the card's customer referred: their purchases that name it as referrer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referred {
    pub customer: u32,
    pub purchases: u32,
    pub amount: Cents,
    pub last: NaiveDate,
}

/// What the orders say of one customer beyond its tier figures: its rows, and the
/// purchases naming it as referrer, counted by the rule its `referrals` are counted by
/// ([`Purchases::includes`], §2.2).
#[derive(Debug, Clone)]
pub struct History {
    pub customer: u32,
    purchases: Purchases,
    orders: Vec<PastOrder>,
    referred: Vec<Referred>,
}

impl History {
    pub fn new(customer: u32, purchases: Purchases) -> History {
        History {
            customer,
            purchases,
            orders: Vec::new(),
            referred: Vec::new(),
        }
    }

    /// Takes one order row (dated on or before the as-of date), keeping it only when it
    /// is the customer's, or a purchase it referred.
    #[inline]
    pub fn add(&mut self, order: &Order<'_>) {
        if order.customer == self.customer {
            self.orders.push(PastOrder {
                order_id: order.order_id.to_string(),
                date: order.date,
                kind: order.kind,
                amount: order.amount,
                outcome: order.outcome,
                line: order.line,
            });
        }
        if order.referred_by == Some(self.customer) && self.purchases.includes(order) {
            match self
                .referred
                .iter_mut()
                .find(|r| r.customer == order.customer)
            {
                Some(r) => {
                    r.purchases += 1;
                    r.amount.0 += order.amount.0;
                    r.last = r.last.max(order.date);
                }
                None => self.referred.push(Referred {
                    customer: order.customer,
                    purchases: 1,
                    amount: order.amount,
                    last: order.date,
                }),
            }
        }
    }

    /// The customer's orders, most recent first (a later line first within a day).
    pub fn orders(&self) -> Vec<&PastOrder> {
        let mut orders: Vec<&PastOrder> = self.orders.iter().collect();
        orders.sort_by_key(|o| std::cmp::Reverse((o.date, o.line)));
        orders
    }

    /// The customers referred, the most recent referral first (then by file order).
    pub fn referred(&self) -> Vec<&Referred> {
        let mut referred: Vec<&Referred> = self.referred.iter().collect();
        referred.sort_by_key(|r| std::cmp::Reverse(r.last));
        referred
    }

    /// How many purchases name the customer as referrer.
    pub fn referrals(&self) -> u32 {
        self.referred.iter().map(|r| r.purchases).sum()
    }
}

/// `items` most recent first by `date`: a later item in the input first among equal
/// dates (files are written in the order things happened).
pub fn most_recent_first<T, K: Ord>(items: Vec<T>, date: impl Fn(&T) -> K) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().rev().collect();
    items.sort_by_key(|item| std::cmp::Reverse(date(item)));
    items
}

/// The first `limit` of `items` (0 = all).
pub fn first<T>(mut items: Vec<T>, limit: usize) -> Vec<T> {
    if limit > 0 {
        items.truncate(limit);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Customer;

    #[test]
    fn edit_distance_counts_each_letter_dropped() {
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        assert_eq!(edit_distance(&chars("xab"), "ab", 2), Some(1));
        assert_eq!(edit_distance(&chars("abc"), "", 3), Some(3));
        assert_eq!(edit_distance(&chars("c0097"), "C0079", 2), Some(2));
        assert_eq!(edit_distance(&chars("abcd"), "", 3), None);
    }

    fn book(rows: &[(&str, &str, Option<&str>)]) -> CustomerBook {
        let customers = rows
            .iter()
            .map(|(id, name, phone)| Customer {
                customer_id: id.to_string(),
                name: name.to_string(),
                phone: phone.map(str::to_string),
                contact_ok: true,
                ..Customer::default()
            })
            .collect();
        CustomerBook::from_customers(customers).0
    }

    fn sample() -> CustomerBook {
        book(&[
            ("C0151", "郑霞", Some("13856659633")),
            ("C0152", "郑伟", Some("139-0000-1111")),
            ("C0153", "Anna Guo", Some("+86 150 1234 9633")),
            ("C0154", "王伟", None),
            ("C1", "Bo", Some("9633")),
        ])
    }

    fn found(book: &CustomerBook, text: &str) -> Vec<&'static str> {
        let ids = ["C0151", "C0152", "C0153", "C0154", "C1"];
        find(book, &Query::new(text).unwrap())
            .into_iter()
            .map(|i| ids[i as usize])
            .collect()
    }

    #[test]
    fn a_name_part_finds_without_case() {
        let b = sample();
        assert_eq!(found(&b, "郑"), ["C0151", "C0152"]);
        assert_eq!(found(&b, "霞"), ["C0151"]);
        assert_eq!(found(&b, " anna "), ["C0153"]);
        assert_eq!(found(&b, "GUO"), ["C0153"]);
        assert_eq!(found(&b, "伟"), ["C0152", "C0154"]);
        assert!(found(&b, "李").is_empty());
        assert_eq!(found(&b, "c0154"), ["C0154"], "an id typed whole");
        assert!(
            found(&b, "C015").is_empty(),
            "a part of an id is not a name"
        );
        assert_eq!(Query::new("  "), None);
    }

    #[test]
    fn phone_digits_find_by_the_end_of_the_number_in_any_spelling() {
        let b = sample();
        assert_eq!(found(&b, "9633"), ["C0151", "C0153", "C1"]);
        assert_eq!(found(&b, "1111"), ["C0152"]);
        assert_eq!(found(&b, "0000-1111"), ["C0152"]);
        assert_eq!(found(&b, "13856659633"), ["C0151"]);
        assert!(
            found(&b, "633").is_empty(),
            "fewer than 4 digits is no phone"
        );
        assert!(
            found(&b, "1234").is_empty(),
            "the digits must end the number"
        );
    }

    #[test]
    fn close_ids_by_edit_distance() {
        let b = sample();
        assert_eq!(
            close_ids(&b, "C0151x", 5),
            ["C0151", "C0152", "C0153", "C0154"],
            "one edit first, then two"
        );
        assert_eq!(
            close_ids(&b, "C0115", 1),
            ["C0151"],
            "two edits, ties by id"
        );
        assert_eq!(close_ids(&b, "c0151", 5)[0], "C0151", "case is no edit");
        assert_eq!(close_ids(&b, "C015", 3), ["C0151", "C0152", "C0153"]);
        assert_eq!(close_ids(&b, "C2", 5), ["C1"]);
        assert!(close_ids(&b, "X9999", 5).is_empty());
        assert!(
            close_ids(&b, "C09", 5).is_empty(),
            "two edits is too far for a short id"
        );
    }

    #[test]
    fn edit_distance_is_levenshtein_within_the_limit() {
        let d =
            |a: &str, b: &str| edit_distance(&a.to_lowercase().chars().collect::<Vec<_>>(), b, 3);
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(d("C0151", "C0151"), Some(0));
        assert_eq!(d("C0151", "C0115"), Some(2));
        assert_eq!(d("郑霞", "郑"), Some(1));
        assert_eq!(d("abcdefgh", "a"), None);
    }

    fn order(
        customer: u32,
        date: &str,
        amount: i128,
        referred_by: Option<u32>,
        line: u64,
    ) -> Order<'static> {
        Order {
            order_id: "O",
            customer,
            date: date.parse().unwrap(),
            kind: OrderKind::Sale,
            amount: Cents(amount),
            profit: Cents(0),
            outcome: None,
            referred_by,
            line,
        }
    }

    #[test]
    fn history_keeps_the_customers_rows_and_its_referrals_as_counted() {
        let mut h = History::new(0, Purchases::KeptSales);
        h.add(&order(0, "2026-01-01", 100, None, 2));
        h.add(&order(1, "2026-01-02", 500, Some(0), 3));
        h.add(&order(1, "2026-03-02", 700, Some(0), 4));
        h.add(&order(1, "2026-04-02", -700, Some(0), 5));
        h.add(&order(2, "2026-02-02", 900, Some(0), 6));
        h.add(&order(2, "2026-02-02", 900, None, 7));
        h.add(&order(0, "2026-01-01", 50, None, 8));
        let lines: Vec<u64> = h.orders().iter().map(|o| o.line).collect();
        assert_eq!(
            lines,
            [8, 2],
            "most recent first, a later line first within a day"
        );
        assert_eq!(
            h.referrals(),
            3,
            "a refund is no purchase, so no referral (§2.2)"
        );
        let referred: Vec<(u32, u32, i128)> = h
            .referred()
            .iter()
            .map(|r| (r.customer, r.purchases, r.amount.0))
            .collect();
        assert_eq!(referred, [(1, 2, 1200), (2, 1, 900)]);
    }

    #[test]
    fn most_recent_first_keeps_later_rows_first_within_a_date() {
        let rows = vec![
            ("2026-01-01", 'a'),
            ("2026-02-01", 'b'),
            ("2026-01-01", 'c'),
        ];
        let sorted: Vec<char> = most_recent_first(rows, |r| r.0)
            .iter()
            .map(|r| r.1)
            .collect();
        assert_eq!(sorted, ['b', 'c', 'a']);
        assert_eq!(first(vec![1, 2, 3], 2), [1, 2]);
        assert_eq!(first(vec![1, 2, 3], 0), [1, 2, 3]);
    }
}
