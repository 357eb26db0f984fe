//! The records of the data contract (the README's "Data files"), typed.

use chrono::{NaiveDate, NaiveDateTime};

use crate::parse::Cents;

/// A row of customers.csv.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Customer {
    pub customer_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub anniversary: Option<NaiveDate>,
    pub joined_on: Option<NaiveDate>,
    pub owner: Option<String>,
    pub store: Option<String>,
    /// False: never put on a call list.
    pub contact_ok: bool,
}

impl Customer {
    /// The customer as the book hands customers out: borrowed.
    pub fn view(&self) -> crate::load::CustomerView<'_> {
        crate::load::CustomerView {
            customer_id: &self.customer_id,
            name: &self.name,
            phone: self.phone.as_deref(),
            birthday: self.birthday,
            anniversary: self.anniversary,
            joined_on: self.joined_on,
            owner: self.owner.as_deref(),
            store: self.store.as_deref(),
            contact_ok: self.contact_ok,
        }
    }
}

/// What an order row records: a sale or a service job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderKind {
    Sale,
    Install,
    Repair,
    Maintenance,
    ReturnRepair,
    ReturnExchange,
}

impl OrderKind {
    pub const ALL: [OrderKind; 6] = [
        OrderKind::Sale,
        OrderKind::Install,
        OrderKind::Repair,
        OrderKind::Maintenance,
        OrderKind::ReturnRepair,
        OrderKind::ReturnExchange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Sale => "sale",
            OrderKind::Install => "install",
            OrderKind::Repair => "repair",
            OrderKind::Maintenance => "maintenance",
            OrderKind::ReturnRepair => "return_repair",
            OrderKind::ReturnExchange => "return_exchange",
        }
    }

    /// Reads a kind; an empty cell is a sale.
    pub fn parse(s: &[u8]) -> Option<OrderKind> {
        let s = crate::parse::trim(s);
        if s.is_empty() {
            return Some(OrderKind::Sale);
        }
        OrderKind::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes() == s)
    }
}

/// The assessment of a service job, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
}

impl Outcome {
    /// `None` inside `Some` is "not assessed" (an empty cell); outer `None` is invalid.
    pub fn parse(s: &[u8]) -> Option<Option<Outcome>> {
        match crate::parse::trim(s) {
            b"" => Some(None),
            b"pass" => Some(Some(Outcome::Pass)),
            b"fail" => Some(Some(Outcome::Fail)),
            _ => None,
        }
    }
}

/// One order row as the loader hands it to a consumer: the customer already resolved to
/// its dense index in the customer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order<'a> {
    pub order_id: &'a str,
    pub customer: u32,
    pub date: NaiveDate,
    pub kind: OrderKind,
    pub amount: Cents,
    /// Empty profit is 0.
    pub profit: Cents,
    pub outcome: Option<Outcome>,
    /// The referring customer's index.
    pub referred_by: Option<u32>,
    /// The line the row starts on, for messages.
    pub line: u64,
}

impl Order<'_> {
    /// A refund: a sale with a negative amount (a 0.00 sale is not one). Whether a refund
    /// is a purchase is the policy's call: [`crate::policy::Purchases`].
    #[inline]
    pub fn is_refund(&self) -> bool {
        self.kind == OrderKind::Sale && self.amount.0 < 0
    }
}

/// A complaint's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Install,
    Repair,
    Quality,
    Maintenance,
    Service,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Install,
        Category::Repair,
        Category::Quality,
        Category::Maintenance,
        Category::Service,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Install => "install",
            Category::Repair => "repair",
            Category::Quality => "quality",
            Category::Maintenance => "maintenance",
            Category::Service => "service",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &[u8]) -> Option<Category> {
        let s = crate::parse::trim(s);
        Category::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes() == s)
    }
}

/// How serious a complaint is; `major` is escalated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    #[default]
    Normal,
    Major,
}

impl Severity {
    pub fn parse(s: &[u8]) -> Option<Severity> {
        match crate::parse::trim(s) {
            b"" | b"normal" => Some(Severity::Normal),
            b"major" => Some(Severity::Major),
            _ => None,
        }
    }
}

/// A row of complaints.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub complaint_id: String,
    pub customer: u32,
    pub order_id: Option<String>,
    pub category: Category,
    pub opened_at: NaiveDateTime,
    pub responded_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub severity: Severity,
    /// The line in the file, for later messages.
    pub line: u64,
}

/// How a call went (contacts.csv's `result`, docs/rules.md §9.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub enum CallResult {
    /// Done (an empty cell says so too): the item is ended.
    #[default]
    Done,
    /// Nobody answered: the item stays on the list, one attempt more.
    NoAnswer,
    /// The customer declined: the item is ended.
    Refused,
}

impl CallResult {
    pub const ALL: [CallResult; 3] = [CallResult::Done, CallResult::NoAnswer, CallResult::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Done => "done",
            CallResult::NoAnswer => "no_answer",
            CallResult::Refused => "refused",
        }
    }

    /// Reads a result; an empty cell is `done`.
    pub fn parse(s: &[u8]) -> Option<CallResult> {
        let s = crate::parse::trim(s);
        if s.is_empty() {
            return Some(CallResult::Done);
        }
        CallResult::ALL
            .into_iter()
            .find(|r| r.as_str().as_bytes() == s)
    }

    /// Whether the call ends its item (`done`, `refused`); after a `no_answer` it stays.
    pub fn ends_item(self) -> bool {
        self != CallResult::NoAnswer
    }

    /// What a result cell may hold, for messages.
    pub const EXPECTED: &'static str = "expected done, no_answer or refused (empty = done)";
}

/// A row of contacts.csv: a follow-up done (or tried).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub customer: u32,
    /// The rule's name, as in the policy.
    pub rule: String,
    /// The item's source: an order or complaint id, or an occurrence date.
    pub source_id: String,
    pub done_on: NaiveDate,
    pub by: Option<String>,
    pub result: CallResult,
    pub note: Option<String>,
}

/// A row of answers.csv: one question answered on a call (docs/rules.md §9.3). The call is
/// (customer, rule, source_id), as in contacts.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub customer: u32,
    pub rule: String,
    pub source_id: String,
    /// The question's id in the call's form.
    pub question: String,
    /// The score on the scale; `None`: not rated (empty, or 不予评价).
    pub score: Option<u8>,
    pub answered_on: NaiveDate,
    /// The line in the file, for later messages.
    pub line: u64,
}

/// Joins a list of names as `a, b or c` for messages.
pub fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_near_misses_do_not() {
        for k in OrderKind::ALL {
            assert_eq!(OrderKind::parse(k.as_str().as_bytes()), Some(k));
        }
        assert_eq!(OrderKind::parse(b""), Some(OrderKind::Sale));
        assert_eq!(OrderKind::parse(b" repair "), Some(OrderKind::Repair));
        for bad in [
            &b"sales"[..],
            b"return_",
            b"return_x",
            b"repairs",
            b"Sale",
            b"r",
            b"gift",
        ] {
            assert_eq!(
                OrderKind::parse(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
