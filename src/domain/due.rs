//! The call list (docs/rules.md §5): which
//! follow-ups are due on a day, overdue within the grace period, or coming up. Orders
//! stream through [`DueFold`], which keeps only the rows that can make an item near the
//! day; [`call_list`] builds, filters and sorts the items.

use chrono::{Datelike, NaiveDate};

use super::complaints::{self, Moment};
use super::kpi::Period;
use super::survey::{overalls, CallLog};
use super::tiers::{Segment, Standing};
use super::{days_after, days_before, months_after};
use crate::load::CustomerBook;
use crate::model::{Answer, Complaint, Contact, Order, OrderKind};
use crate::policy::{Days, DuePolicy, Holiday, HolidayDate, Months, Offset, Purchases, Trigger};

/// Where an item stands on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Overdue,
    Due,
    Upcoming,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::Due => "due",
            Status::Upcoming => "upcoming",
        }
    }
}

/// One follow-up on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The due date; for a window, its last day.
    pub due_date: NaiveDate,
    pub status: Status,
    /// Days past the due date, for overdue items.
    pub days_overdue: Option<i64>,
    pub customer: u32,
    /// Index of the rule in the policy.
    pub rule: usize,
    /// The order or complaint id, or the occurrence date.
    pub source_id: String,
    /// The kind of the order the item follows (sale and service rules).
    pub kind: Option<OrderKind>,
    /// Calls tried with nobody answering (`no_answer` rows dated on or before the day).
    pub attempts: u32,
}

/// The day and how far around it to look.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub date: NaiveDate,
    /// Upcoming items: due (or opening) within this many days after `date`.
    pub within: u32,
    /// Days an item stays listed after its due date (`due.grace_days`).
    pub grace: Days,
}

impl Day {
    /// The first and last dates the list can hold an item for (grace and `within` included).
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        (self.earliest(), self.latest())
    }

    /// The day that sees every item due in `period` (its last day, with a grace reaching
    /// back to its first): what [`items_due_in`] folds the orders for.
    pub fn spanning(period: Period) -> Day {
        let span = (period.to - period.from)
            .num_days()
            .clamp(0, i64::from(Days::MAX));
        Day {
            date: period.to,
            within: 0,
            grace: Days::of(span as u32),
        }
    }

    /// The first due date that can still be on the list (with grace).
    fn earliest(&self) -> NaiveDate {
        days_before(self.date, self.grace)
    }

    /// The last due (or window-opening) date that can be on the list.
    fn latest(&self) -> NaiveDate {
        days_after(self.date, self.within)
    }

    /// The status of an item whose window is `start..=end` (`start == end` for a date),
    /// or `None` when it is not on the list. `no_grace`: overdue until done.
    fn status(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        no_grace: bool,
    ) -> Option<(Status, Option<i64>)> {
        let d = self.date;
        if start <= d && d <= end {
            Some((Status::Due, None))
        } else if end < d {
            let late = (d - end).num_days();
            (no_grace || late <= i64::from(self.grace.get()))
                .then_some((Status::Overdue, Some(late)))
        } else {
            (start <= self.latest()).then_some((Status::Upcoming, None))
        }
    }
}

/// A row kept from the orders because it can make an item near the day.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    customer: u32,
    rule: u32,
    start: NaiveDate,
    end: NaiveDate,
    /// The order id, at `id.0..id.1` of the fold's `ids` (a million sources once took a
    /// million allocations).
    id: (u32, u32),
    kind: OrderKind,
}

/// The customers a list is made for: everyone, one customer (the customer card: only
/// its orders are folded), or those a mask says yes to (`due --owner`, `--store`), a bit
/// each: a million customers' mask is 128 KB, which stays in the core's cache while every
/// order row asks it (as a byte each, 1 MB, it missed: a tenth of `due --owner`'s time
/// went to that one load, measured with perf on the 10M set).
#[derive(Debug, Clone, Default)]
enum Listed {
    #[default]
    All,
    One(u32),
    Mask(Vec<u64>),
}

impl Listed {
    fn mask(only: &[bool]) -> Listed {
        let mut bits = vec![0u64; only.len().div_ceil(64)];
        for (c, _) in only.iter().enumerate().filter(|(_, &yes)| yes) {
            bits[c / 64] |= 1 << (c % 64);
        }
        Listed::Mask(bits)
    }

    #[inline]
    fn includes(&self, customer: u32) -> bool {
        match self {
            Listed::All => true,
            Listed::One(c) => *c == customer,
            Listed::Mask(m) => m
                .get(customer as usize / 64)
                .is_some_and(|w| w >> (customer % 64) & 1 == 1),
        }
    }

    /// The customers to look at of a book of `n`: one alone, or all.
    fn range(&self, n: usize) -> std::ops::Range<usize> {
        match self {
            Listed::One(c) => (*c as usize).min(n)..(*c as usize + 1).min(n),
            _ => 0..n,
        }
    }
}

/// Streams the orders: keeps the anchors of the repeating rule and the few rows whose
/// callbacks or surveys fall near the day.
#[derive(Debug)]
pub struct DueFold<'p> {
    policy: &'p DuePolicy,
    day: Day,
    /// The rules whose items are made (enabled, and asked for).
    wanted: Vec<bool>,
    /// The wanted rules that follow orders (sale and service): the only ones an order
    /// row is offered to, each with the days of the orders that can make an item.
    order_rules: Vec<(usize, (NaiveDate, NaiveDate))>,
    /// No order dated before this can make an item near the day: most rows of a long
    /// history are only anchors.
    first_useful: NaiveDate,
    /// Per customer, the anchors of the repeating rule: one entry, so one cache miss.
    anchors: Vec<Anchors>,
    /// The customers whose items are made: `due --owner` and `--store` and the card
    /// compute only what they list.
    only: Listed,
    sources: Vec<Source>,
    /// The sources' order ids, one after the other.
    ids: String,
}

/// A customer's last maintenance job and last purchase (§5.2).
#[derive(Debug, Clone, Copy, Default)]
struct Anchors {
    maintenance: Option<NaiveDate>,
    purchase: Option<NaiveDate>,
}

impl<'p> DueFold<'p> {
    pub fn new(policy: &'p DuePolicy, day: Day, customers: usize) -> Self {
        Self::of_rules(policy, day, customers, |_| true)
    }

    /// A fold making the items of the enabled rules `wanted` says yes to.
    pub fn of_rules(
        policy: &'p DuePolicy,
        day: Day,
        customers: usize,
        wanted: impl Fn(usize) -> bool,
    ) -> Self {
        let wanted: Vec<bool> = (0..policy.rules.len())
            .map(|r| policy.rules[r].enabled && wanted(r))
            .collect();
        // Per rule that follows orders, the days of the orders that can make an item near
        // the day: no date sum is made for the others (most rows of a long history). A
        // month's clamping to its end moves a due date back by up to three days, so the
        // bounds of a months rule are widened by that.
        let (earliest, latest) = (day.earliest(), day.latest());
        let months_before = |d: NaiveDate, m: Months| {
            d.checked_sub_months(chrono::Months::new(m.get()))
                .unwrap_or(NaiveDate::MIN)
        };
        let order_rules = (0..policy.rules.len())
            .filter(|&r| wanted[r])
            .filter_map(|r| {
                let bounds = match &policy.rules[r].trigger {
                    Trigger::Sale(Offset::Days(d)) => {
                        (days_before(earliest, *d), days_before(latest, *d))
                    }
                    Trigger::Sale(Offset::Months(m)) => (
                        days_before(months_before(earliest, *m), 3u32),
                        days_after(months_before(latest, *m), 3u32),
                    ),
                    Trigger::Service { from, to, .. } => {
                        (days_before(earliest, *to), days_before(latest, *from))
                    }
                    _ => return None,
                };
                Some((r, bounds))
            })
            .collect::<Vec<(usize, (NaiveDate, NaiveDate))>>();
        let first_useful = order_rules
            .iter()
            .map(|(_, (from, _))| *from)
            .min()
            .unwrap_or(NaiveDate::MAX);
        DueFold {
            policy,
            day,
            wanted,
            order_rules,
            first_useful,
            anchors: crate::hint::scattered_table(customers, Anchors::default()),
            only: Listed::All,
            sources: Vec::new(),
            ids: String::new(),
        }
    }

    /// The fold making only the items of the customers `only` says yes to (indexed by
    /// customer): the other rows of the orders are passed over.
    pub fn for_customers(self, only: Vec<bool>) -> Self {
        DueFold {
            only: Listed::mask(&only),
            ..self
        }
    }

    /// The fold making only customer `customer`'s items (the customer card): the other
    /// rows of the orders are passed over, and the list looks at that customer alone.
    pub fn for_customer(self, customer: u32) -> Self {
        DueFold {
            only: Listed::One(customer),
            ..self
        }
    }

    /// Whether complaint `k` can be on the day's list: an item of one of the fold's
    /// complaint rules, for a customer it lists, near the day (overdue responses and
    /// resolutions stay). The call list reads only those: most complaints of a long
    /// history were closed long ago and make nothing (the bench set keeps 90,000 of
    /// 500,000, 45 MB less). Whether contacts.csv ended the item is left to the list.
    pub fn may_list(&self, k: &Complaint) -> bool {
        let at = Moment::EndOf(self.day.date);
        self.only.includes(k.customer)
            && self.policy.rules.iter().enumerate().any(|(r, rule)| {
                self.wanted[r]
                    && complaint_due(&rule.trigger, k, at).is_some_and(|(due, no_grace)| {
                        self.day.status(due, due, no_grace).is_some()
                    })
            })
    }

    /// Whether the fold makes `customer`'s items (`--owner`, `--store`, the card).
    #[inline]
    pub fn lists(&self, customer: u32) -> bool {
        self.only.includes(customer)
    }

    /// The first day whose orders' ids the fold may keep: an older row makes no item, so
    /// its id is never read (the reader then leaves it out: ten million ids copied
    /// between the threads, each checked again as text, were a twentieth of `due`).
    pub fn ids_from(&self) -> NaiveDate {
        self.first_useful
    }

    /// A hint that `customer`'s row comes soon (their anchors are loaded meanwhile).
    #[inline]
    pub fn prefetch(&self, customer: u32) {
        // Not for a customer the fold passes over: their anchors would only crowd out
        // the loads the row does need.
        if !self.only.includes(customer) {
            return;
        }
        if let Some(a) = self.anchors.get(customer as usize) {
            crate::hint::prefetch(a);
        }
    }

    /// Whether `order` makes an item of rule `r` (a purchase for a sale rule, a job of
    /// its kinds for a service rule): the one answer the fold and `log` both ask.
    /// Callbacks follow kept sales whatever `refunds_are_purchases` says: a refund is
    /// nothing to call back about (§2.2).
    pub fn follows(&self, r: usize, order: &Order<'_>) -> bool {
        match &self.policy.rules[r].trigger {
            Trigger::Sale(_) => Purchases::KeptSales.includes(order),
            Trigger::Service { kinds, .. } => kinds.contains(&order.kind),
            _ => false,
        }
    }

    /// Adds one order row dated on or before the day.
    pub fn add(&mut self, order: &Order<'_>) {
        if !self.only.includes(order.customer) {
            return;
        }
        let anchors = &mut self.anchors[order.customer as usize];
        // The maintenance anchor follows kept sales, as the callbacks do (§2.2).
        if Purchases::KeptSales.includes(order) {
            anchors.purchase = anchors.purchase.max(Some(order.date));
        }
        if order.kind == OrderKind::Maintenance {
            anchors.maintenance = anchors.maintenance.max(Some(order.date));
        }
        if order.date < self.first_useful {
            return;
        }
        let span = self.day.span();
        for &(r, (from, to)) in &self.order_rules {
            if order.date < from || order.date > to || !self.follows(r, order) {
                continue;
            }
            let rule = &self.policy.rules[r];
            let window = match &rule.trigger {
                Trigger::Sale(Offset::Days(d)) => {
                    let due = days_after(order.date, *d);
                    (due, due)
                }
                Trigger::Sale(Offset::Months(m)) => {
                    let due = months_after(order.date, *m);
                    (due, due)
                }
                Trigger::Service { from, to, .. } => {
                    (days_after(order.date, *from), days_after(order.date, *to))
                }
                _ => continue,
            };
            if may_be_listed(window, span) {
                let at = self.ids.len() as u32;
                self.ids.push_str(order.order_id);
                self.sources.push(Source {
                    customer: order.customer,
                    rule: r as u32,
                    start: window.0,
                    end: window.1,
                    id: (at, self.ids.len() as u32),
                    kind: order.kind,
                });
            }
        }
    }
}

/// Whether an item whose window is `start..=end` can be on a list of the day whose
/// [`Day::span`] is `(earliest, latest)`: nothing due before `earliest` or opening after
/// `latest` is. The fold keeps only those rows (memory
/// grows with the items near the day, not with the orders); [`List::push`] decides the
/// rest, so this check can only keep too much, never list too much.
#[inline]
fn may_be_listed(
    (start, end): (NaiveDate, NaiveDate),
    (earliest, latest): (NaiveDate, NaiveDate),
) -> bool {
    end >= earliest && start <= latest
}

/// Everything the list is made from besides the orders.
pub struct DueInputs<'a> {
    pub book: &'a CustomerBook,
    /// Where each customer stands as of the day (the tier for the sort and the rules'
    /// tiers, the segment for points). `None` when no rule asked for tiers: every rule
    /// then reaches every customer (only [`items_due_in`] is given none).
    pub standings: Option<&'a [Standing]>,
    pub complaints: &'a [Complaint],
    pub contacts: &'a [Contact],
    /// The survey answers (the `answers` rule calls back the dissatisfied).
    pub answers: &'a [Answer],
}

/// Builds the call list for the day: every item due, open, overdue within grace (open
/// complaints without grace), or upcoming, not yet logged done, for customers who may
/// be contacted; sorted overdue first, then tier, due date, customer, rule, source
/// (§5.3, §5.4).
pub fn call_list(fold: DueFold<'_>, inputs: &DueInputs<'_>) -> Vec<Item> {
    let policy = fold.policy;
    let mut items = Vec::new();
    build(fold, inputs, Mode::Day, &mut |item| items.push(item));
    sort(&mut items, policy, inputs);
    items
}

/// Every item due in the period the fold spans ([`Day::spanning`]), done or not, for
/// customers who may be contacted and are in the rule's tiers (the standings' tiers): what
/// survey coverage and follow-ups done are measured over (§9.4). Each is handed to
/// `visit` as it is made (a million items are not kept), in no particular order.
pub fn items_due_in(fold: DueFold<'_>, inputs: &DueInputs<'_>, mut visit: impl FnMut(Item)) {
    build(fold, inputs, Mode::Period, &mut visit);
}

fn build<'a>(fold: DueFold<'a>, inputs: &'a DueInputs<'a>, mode: Mode, sink: &mut dyn FnMut(Item)) {
    let DueFold {
        policy,
        day,
        wanted,
        anchors,
        only,
        sources,
        ids,
        ..
    } = fold;
    let mut list = List::new(policy, day, inputs, mode, sink);
    list.only = only;
    // Sources come in the orders' file order, each customer somewhere else in memory:
    // their standing and book row are asked for a few sources ahead.
    for (k, s) in sources.iter().enumerate() {
        crate::hint::fetch_ahead(&sources, k, |s| list.prefetch(s.customer));
        let id = ids
            .get(s.id.0 as usize..s.id.1 as usize)
            .unwrap_or_default();
        list.push(
            s.rule as usize,
            s.customer,
            (s.start, s.end),
            id,
            Some(s.kind),
            false,
        );
    }
    let holidays = holiday_dates(&policy.holidays, day.earliest(), day.latest());
    for (r, rule) in policy.rules.iter().enumerate() {
        if !wanted[r] {
            continue;
        }
        match &rule.trigger {
            // Made from the orders, above.
            Trigger::Sale(_) | Trigger::Service { .. } => {}
            Trigger::Birthday => list.yearly(r, |b, c| b.dates(c).0),
            Trigger::Anniversary => list.yearly(r, |b, c| b.dates(c).1),
            Trigger::Holiday => list.holidays(r, &holidays),
            Trigger::Maintenance { every } => list.maintenance(r, *every, &anchors),
            trigger @ (Trigger::ComplaintResponse(_)
            | Trigger::ComplaintResolve(_)
            | Trigger::ComplaintRevisit(_)) => list.complaints(r, trigger),
            Trigger::PointsExpiry(before) => list.points_expiry(r, *before),
            Trigger::Answers { after, max_score } => list.dissatisfied(r, *after, *max_score),
        }
    }
}

/// What the items are for: the call list of a day, or every item due in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not ended yet, near the day (due, overdue within grace, upcoming).
    Day,
    /// Due from the day's earliest to the day itself, ended or not.
    Period,
}

/// The list being built: the items so far, and what decides whether one is listed.
struct List<'a, 's> {
    policy: &'a DuePolicy,
    day: Day,
    inputs: &'a DueInputs<'a>,
    mode: Mode,
    /// What contacts.csv says of each call up to the day: ended, tried.
    log: CallLog<'a>,
    /// The customers listed, as [`DueFold::for_customers`] or `for_customer` set.
    only: Listed,
    /// Where each item goes.
    sink: &'s mut dyn FnMut(Item),
}

impl<'a, 's> List<'a, 's> {
    fn new(
        policy: &'a DuePolicy,
        day: Day,
        inputs: &'a DueInputs<'a>,
        mode: Mode,
        sink: &'s mut dyn FnMut(Item),
    ) -> Self {
        let log = match mode {
            Mode::Day => CallLog::new(inputs.contacts, &[], day.date),
            Mode::Period => CallLog::default(),
        };
        List {
            policy,
            day,
            inputs,
            mode,
            log,
            only: Listed::All,
            sink,
        }
    }

    /// Starts loading what [`push`](Self::push) reads of `customer`.
    #[inline]
    fn prefetch(&self, customer: u32) {
        let c = customer as usize;
        self.inputs.book.prefetch_row(c);
        if let Some(s) = self.inputs.standings.and_then(|s| s.get(c)) {
            crate::hint::prefetch(s);
        }
    }

    /// Lists the item of `rule` for `customer` with window `start..=end`, when the
    /// customer may be contacted, is in the rule's tiers, and: for the day's list, has
    /// not had it ended (`done` or `refused`) and the window is near the day; for a
    /// period, is due in it. `no_grace`: overdue until done.
    fn push(
        &mut self,
        rule: usize,
        customer: u32,
        (start, end): (NaiveDate, NaiveDate),
        source_id: &str,
        kind: Option<OrderKind>,
        no_grace: bool,
    ) {
        if !self.only.includes(customer) {
            return;
        }
        let r = &self.policy.rules[rule];
        let c = customer as usize;
        let in_tiers = self
            .inputs
            .standings
            .is_none_or(|s| r.tiers.contains(s[c].tier));
        if !self.inputs.book.contact_ok(c) || !in_tiers {
            return;
        }
        let placed = match self.mode {
            Mode::Period => {
                (self.day.earliest() <= end && end <= self.day.date).then_some((Status::Due, None))
            }
            Mode::Day => {
                let call = (customer, r.name.as_str(), source_id);
                if self.log.ended(call).is_some() {
                    return;
                }
                self.day.status(start, end, no_grace)
            }
        };
        if let Some((status, days_overdue)) = placed {
            let attempts = match self.mode {
                Mode::Day => self.log.attempts((customer, r.name.as_str(), source_id)),
                Mode::Period => 0,
            };
            (self.sink)(Item {
                due_date: end,
                status,
                days_overdue,
                customer,
                rule,
                source_id: source_id.to_string(),
                kind,
                attempts,
            });
        }
    }

    /// The follow-up of the dissatisfied (§9.5): a call whose overall score (as known on
    /// the day) is at most `max_score` makes an item `after` days after that answer; its
    /// source id is the surveyed call's.
    fn dissatisfied(&mut self, rule: usize, after: Days, max_score: u8) {
        for o in overalls(self.inputs.answers, self.day.date) {
            if o.score.is_some_and(|s| s <= max_score) {
                let due = days_after(o.answered_on, after);
                let (customer, _, source) = o.call;
                self.push(rule, customer, (due, due), source, None, false);
            }
        }
    }

    /// A date every year (a birthday, an anniversary); its source id is the date.
    fn yearly(&mut self, rule: usize, stored: fn(&CustomerBook, usize) -> Option<NaiveDate>) {
        let (earliest, latest) = (self.day.earliest(), self.day.latest());
        for c in self.only.range(self.inputs.book.len()) {
            if !self.only.includes(c as u32) {
                continue;
            }
            if let Some(stored) = stored(self.inputs.book, c) {
                for date in yearly(stored, earliest, latest) {
                    self.push(rule, c as u32, (date, date), &date.to_string(), None, false);
                }
            }
        }
    }

    /// Each holiday near the day, for every customer.
    fn holidays(&mut self, rule: usize, dates: &[NaiveDate]) {
        for &date in dates {
            let source = date.to_string();
            for c in self.only.range(self.inputs.book.len()) {
                self.push(rule, c as u32, (date, date), &source, None, false);
            }
        }
    }

    /// Every `every` months after the later of the last maintenance and the last purchase.
    fn maintenance(&mut self, rule: usize, every: Months, anchors: &[Anchors]) {
        let (earliest, latest) = (self.day.earliest(), self.day.latest());
        for c in self.only.range(self.inputs.book.len()) {
            let Some(anchor) = anchors.get(c).and_then(|a| a.maintenance.max(a.purchase)) else {
                continue;
            };
            for date in repeating(anchor, every.get(), earliest, latest) {
                self.push(rule, c as u32, (date, date), &date.to_string(), None, false);
            }
        }
    }

    /// The complaint rules, on the complaints as known at the end of the day (§7.1).
    fn complaints(&mut self, rule: usize, trigger: &Trigger) {
        let at = Moment::EndOf(self.day.date);
        let complaints = self.inputs.complaints;
        for (n, k) in complaints.iter().enumerate() {
            crate::hint::fetch_ahead(complaints, n, |k| self.prefetch(k.customer));
            if !self.only.includes(k.customer) {
                continue;
            }
            if let Some((due, no_grace)) = complaint_due(trigger, k, at) {
                self.push(
                    rule,
                    k.customer,
                    (due, due),
                    &k.complaint_id,
                    None,
                    no_grace,
                );
            }
        }
    }

    /// A `retain` customer, some days before the points are cleared; the source id is the
    /// clearing date.
    fn points_expiry(&mut self, rule: usize, before: Days) {
        let standings = self.inputs.standings.unwrap_or_default();
        for c in self.only.range(self.inputs.book.len()) {
            let Some(s) = standings.get(c) else {
                continue;
            };
            if let (Segment::Retain, Some(clear)) = (s.segment, s.points_clear_on) {
                let due = days_before(clear, before);
                self.push(rule, c as u32, (due, due), &clear.to_string(), None, false);
            }
        }
    }
}

/// The item complaint `k` makes of a complaint rule as known at `at` (§7.1), with
/// whether it stays overdue until done: a response or resolution is due at the
/// deadline's date and stays overdue until done; a revisit is due some days after the
/// closing. `None`: no item (not opened yet, already answered or closed, not closed).
fn complaint_due(trigger: &Trigger, k: &Complaint, at: Moment) -> Option<(NaiveDate, bool)> {
    if !at.has_happened(k.opened_at) {
        return None;
    }
    let known = complaints::known(k, at);
    match *trigger {
        Trigger::ComplaintResponse(hours) if known.answered_at.is_none() => {
            Some((complaints::deadline(k.opened_at, hours).date(), true))
        }
        Trigger::ComplaintResolve(hours) if known.closed_at.is_none() => {
            Some((complaints::deadline(k.opened_at, hours).date(), true))
        }
        Trigger::ComplaintRevisit(days) => known
            .closed_at
            .map(|closed| (days_after(closed.date(), days), false)),
        _ => None,
    }
}

/// The call list's order (§5.4): overdue first, then tier rank, due date, customer, rule,
/// source (texts byte by byte), the order they were made in last.
///
/// Sorted by a key made once per item (status, tier and date packed in one number, the
/// customer's rank by id, the rule's by name), the texts compared only on a tie of all
/// those: comparing through the standings and the book cost three cache misses per
/// comparison, 20 comparisons per item.
fn sort(items: &mut [Item], policy: &DuePolicy, inputs: &DueInputs<'_>) {
    let tier = |i: &Item| inputs.standings.map_or(0, |s| s[i.customer as usize].tier);
    let customer_rank = id_ranks(inputs.book, items);
    let mut by_name: Vec<usize> = (0..policy.rules.len()).collect();
    by_name.sort_by(|&a, &b| {
        let name = |r: usize| policy.rules[r].name.as_bytes();
        name(a).cmp(name(b))
    });
    let mut rule_rank = vec![0u32; policy.rules.len()];
    for (rank, &r) in by_name.iter().enumerate() {
        rule_rank[r] = rank as u32;
    }
    let packed = |i: &Item| {
        // Days from the common era, shifted to stay in order as an unsigned number.
        let day = (i.due_date.num_days_from_ce() as i64 - i64::from(i32::MIN)) as u64;
        (i.status as u64) << 50 | u64::from(tier(i)) << 34 | day
    };
    let mut keys: Vec<(u64, u32, u32, u32)> = items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let rule = rule_rank.get(i.rule).copied().unwrap_or(u32::MAX);
            (packed(i), customer_rank(i.customer), rule, n as u32)
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)).then_with(|| {
            let source = |k: &(u64, u32, u32, u32)| items[k.3 as usize].source_id.as_bytes();
            source(a).cmp(source(b)).then(a.3.cmp(&b.3))
        })
    });
    // Each place's item, moved there in place (a second list of the items was the peak
    // of due's memory: 31 MB for the bench set's 485,813).
    let mut from: Vec<u32> = keys.iter().map(|k| k.3).collect();
    drop(keys);
    permute(items, &mut from);
}

/// Puts `items[from[i]]` at place `i` for every `i`, in place, following each cycle of
/// the permutation `from` (left as the identity).
fn permute<T>(items: &mut [T], from: &mut [u32]) {
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let source = from[at] as usize;
            from[at] = at as u32;
            if source == start {
                break;
            }
            items.swap(at, source);
            at = source;
        }
    }
}

/// Each customer's place in the byte order of the ids: the customer's own index when
/// customers.csv is in that order (as exports usually are: one pass to see it), else a
/// rank among the customers of `items`.
fn id_ranks<'b>(book: &'b CustomerBook, items: &[Item]) -> Box<dyn Fn(u32) -> u32 + 'b> {
    let in_order = (1..book.len()).all(|i| book.id(i - 1).as_bytes() < book.id(i).as_bytes());
    if in_order {
        return Box::new(|c| c);
    }
    let mut listed = vec![false; book.len()];
    for i in items {
        listed[i.customer as usize] = true;
    }
    let mut customers: Vec<u32> = (0..book.len() as u32)
        .filter(|&c| listed[c as usize])
        .collect();
    customers.sort_unstable_by(|&a, &b| {
        book.id(a as usize)
            .as_bytes()
            .cmp(book.id(b as usize).as_bytes())
    });
    let mut rank = vec![0u32; book.len()];
    for (r, &c) in customers.iter().enumerate() {
        rank[c as usize] = r as u32;
    }
    Box::new(move |c| rank[c as usize])
}

/// The yearly occurrences of `stored` (a birthday, an anniversary) between `from` and
/// `to`, from the year after the stored date on; 29 February falls on 28 February in
/// other years (§5.2).
pub fn yearly(stored: NaiveDate, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    (from.year()..=to.year())
        .filter(|&y| y > stored.year())
        .filter_map(|y| on_day(y, stored.month(), stored.day()))
        .filter(|d| from <= *d && *d <= to)
        .collect()
}

/// `year-month-day`, with a day past the month's end clamped to it.
fn on_day(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    (0..4).find_map(|back| NaiveDate::from_ymd_opt(year, month, day.checked_sub(back)?))
}

/// Occurrences `anchor + k·every months` (k ≥ 1, each counted from the anchor, clamped
/// to the month's end) between `from` and `to` (§5.2).
pub fn repeating(anchor: NaiveDate, every: u32, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    // Occurrences before `from`'s month are passed over without computing them: a
    // customer's anchor years back would otherwise cost a date sum per period. Occurrence
    // k falls in the month `k·every` after the anchor's (only its day is clamped), so
    // every k below `months_before / every` is in an earlier month than `from`'s.
    let months_before =
        (from.year() - anchor.year()) * 12 + from.month() as i32 - anchor.month() as i32;
    let skip = u32::try_from(months_before / every.max(1) as i32).unwrap_or(0);
    for k in skip.max(1).. {
        let Some(months) = every.checked_mul(k) else {
            break;
        };
        let date = months_after(anchor, months);
        if date > to || date == NaiveDate::MAX {
            break;
        }
        if date >= from {
            out.push(date);
        }
    }
    out
}

/// The dates of the holidays between `from` and `to` (§5.2).
pub fn holiday_dates(holidays: &[Holiday], from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let years = from.year() - 1..=to.year() + 1;
    for h in holidays {
        match h.date {
            HolidayDate::Fixed(date) => out.push(date),
            HolidayDate::Yearly(md) => {
                out.extend(years.clone().filter_map(|y| on_day(y, md.month, md.day)))
            }
            HolidayDate::Lunar(md) => out.extend(
                years
                    .clone()
                    .filter_map(|y| crate::domain::lunar::to_solar(y, md.month, md.day)),
            ),
        }
    }
    out.retain(|d| from <= *d && *d <= to);
    out.sort();
    out.dedup();
    out
}

/// Whether lunar holidays could fall between `from` and `to` where the lunar calendar does
/// not reach (§5.2): the policy has a lunar holiday, a holiday rule is on, and the span
/// goes past the calendar's ends. Those days would silently have no lunar holiday.
pub fn lunar_holidays_beyond_calendar(policy: &DuePolicy, from: NaiveDate, to: NaiveDate) -> bool {
    let lunar = policy
        .holidays
        .iter()
        .any(|h| matches!(h.date, HolidayDate::Lunar(_)));
    let rule = policy
        .rules
        .iter()
        .any(|r| r.enabled && matches!(r.trigger, crate::policy::Trigger::Holiday));
    lunar && rule && !(crate::domain::lunar::covers(from) && crate::domain::lunar::covers(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_of_customers_is_a_bit_each_read_back_as_given() {
        // 130 customers: three words, the last one partly used.
        let only: Vec<bool> = (0..130)
            .map(|c| c % 3 == 0 || c == 64 || c == 129)
            .collect();
        let mask = Listed::mask(&only);
        let Listed::Mask(bits) = &mask else {
            panic!("a mask")
        };
        assert_eq!(bits.len(), 3);
        for (c, &yes) in only.iter().enumerate() {
            assert_eq!(mask.includes(c as u32), yes, "customer {c}");
        }
        assert!(!mask.includes(130) && !mask.includes(192) && !mask.includes(u32::MAX));
        assert!(!Listed::mask(&[]).includes(0));
    }
    use crate::model::{CallResult, Customer};
    use crate::parse::Cents;
    use crate::policy::Policy;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn yearly_occurrences_clamp_29_february_and_start_after_the_stored_year() {
        let leapling = d("1980-02-29");
        assert_eq!(
            yearly(leapling, d("2027-02-20"), d("2027-03-05")),
            [d("2027-02-28")]
        );
        assert_eq!(
            yearly(leapling, d("2028-02-20"), d("2028-03-05")),
            [d("2028-02-29")]
        );
        assert_eq!(
            yearly(d("2026-11-22"), d("2026-11-01"), d("2026-12-31")),
            Vec::<NaiveDate>::new()
        );
        assert_eq!(
            yearly(d("2025-11-22"), d("2026-11-01"), d("2026-12-31")),
            [d("2026-11-22")]
        );
    }

    #[test]
    fn repeating_occurrences_are_counted_from_the_anchor() {
        let got = repeating(d("2025-08-31"), 6, d("2026-01-01"), d("2026-12-31"));
        assert_eq!(got, [d("2026-02-28"), d("2026-08-31")]);
        // Years after the anchor, the same dates as counting every occurrence.
        for (anchor, every, from, to) in [
            ("2019-08-31", 6, "2026-02-27", "2026-09-01"),
            ("2019-08-31", 6, "2026-02-28", "2026-02-28"),
            ("2020-02-29", 12, "2028-02-28", "2028-03-01"),
            ("2020-01-31", 1, "2026-02-28", "2026-03-31"),
            ("2020-01-31", 7, "2020-01-31", "2021-12-31"),
            // The anchor after `from`, a year boundary between them (a purchase in the
            // grace days of a list made in early January).
            ("2027-01-03", 1, "2026-12-29", "2027-02-14"),
            // A December anchor, a January window: the month difference is negative.
            ("2025-12-15", 1, "2027-01-01", "2027-01-31"),
        ] {
            let (anchor, from, to) = (d(anchor), d(from), d(to));
            let all: Vec<NaiveDate> = (1..400)
                .map(|k| months_after(anchor, every * k))
                .filter(|x| from <= *x && *x <= to)
                .collect();
            assert_eq!(
                repeating(anchor, every, from, to),
                all,
                "{anchor} every {every}"
            );
        }
        // And over a grid: anchors on every month's end and middle for four years, each
        // period, windows of a day to two months opening on the days around a month's end.
        let mut anchors = Vec::new();
        for m in 0..48u32 {
            let first = months_after(d("2019-01-01"), m);
            anchors.extend([
                days_after(first, 14u32),
                days_before(months_after(first, 1u32), 1u32),
            ]);
        }
        for &anchor in &anchors {
            for every in [1u32, 2, 3, 5, 6, 12, 13] {
                let all: Vec<NaiveDate> =
                    (1..120).map(|k| months_after(anchor, every * k)).collect();
                for from in [
                    "2022-12-30",
                    "2023-01-31",
                    "2023-02-28",
                    "2023-03-01",
                    "2023-07-15",
                ] {
                    for days in [0u32, 13, 62] {
                        let (from, to) = (d(from), days_after(d(from), days));
                        let want: Vec<NaiveDate> = all
                            .iter()
                            .copied()
                            .filter(|x| from <= *x && *x <= to)
                            .collect();
                        assert_eq!(
                            repeating(anchor, every, from, to),
                            want,
                            "{anchor} every {every} {from}..{to}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn lunar_holidays_beyond_the_calendar_are_warned_of_while_a_holiday_rule_is_on() {
        let mut p = Policy::default().due;
        let (inside, beyond) = (d("2100-12-01"), d("2101-03-01"));
        assert!(lunar_holidays_beyond_calendar(&p, inside, beyond));
        assert!(lunar_holidays_beyond_calendar(&p, d("1901-01-01"), inside));
        assert!(!lunar_holidays_beyond_calendar(&p, d("2026-01-01"), inside));
        // Other rules on, the holiday rule off: no holiday is listed, nothing is missed.
        for r in &mut p.rules {
            r.enabled = !matches!(r.trigger, Trigger::Holiday);
        }
        assert!(!lunar_holidays_beyond_calendar(&p, inside, beyond));
    }

    #[test]
    fn holidays_fixed_yearly_and_lunar() {
        let p = Policy::default().due;
        let got = holiday_dates(&p.holidays, d("2026-09-20"), d("2026-10-05"));
        assert_eq!(got, [d("2026-09-25"), d("2026-10-01")]);
        let fixed = vec![Holiday {
            name: "x".into(),
            date: HolidayDate::Fixed(d("2026-12-24")),
        }];
        assert_eq!(
            holiday_dates(&fixed, d("2026-12-01"), d("2026-12-31")),
            [d("2026-12-24")]
        );
        assert!(holiday_dates(&fixed, d("2027-12-01"), d("2027-12-31")).is_empty());
        // New Year's Eve of the lunar year that began in 2025 is in February 2026.
        let eve = vec![Holiday {
            name: "除夕".into(),
            date: HolidayDate::Lunar(crate::policy::LunarMonthDay {
                month: 12,
                day: crate::domain::lunar::LunarDay::Last,
            }),
        }];
        assert_eq!(
            holiday_dates(&eve, d("2026-02-01"), d("2026-02-28")),
            [d("2026-02-16")]
        );
    }

    #[test]
    fn status_window_grace_and_upcoming() {
        let day = Day {
            date: d("2026-11-22"),
            within: 3,
            grace: Days::of(14),
        };
        // a survey window 3…7 days after a job: first and last day are due
        assert_eq!(
            day.status(d("2026-11-22"), d("2026-11-26"), false),
            Some((Status::Due, None))
        );
        assert_eq!(
            day.status(d("2026-11-18"), d("2026-11-22"), false),
            Some((Status::Due, None))
        );
        assert_eq!(
            day.status(d("2026-11-17"), d("2026-11-21"), false),
            Some((Status::Overdue, Some(1)))
        );
        // 14 days overdue is listed, 15 is not — unless without grace
        assert_eq!(
            day.status(d("2026-11-08"), d("2026-11-08"), false),
            Some((Status::Overdue, Some(14)))
        );
        assert_eq!(day.status(d("2026-11-07"), d("2026-11-07"), false), None);
        assert_eq!(
            day.status(d("2026-11-01"), d("2026-11-01"), true),
            Some((Status::Overdue, Some(21)))
        );
        // upcoming within 3 days; a window opening on day 3 counts
        assert_eq!(
            day.status(d("2026-11-25"), d("2026-11-29"), false),
            Some((Status::Upcoming, None))
        );
        assert_eq!(day.status(d("2026-11-26"), d("2026-11-26"), false), None);
    }

    fn customer(id: &str) -> Customer {
        Customer {
            customer_id: id.into(),
            name: id.into(),
            contact_ok: true,
            ..Default::default()
        }
    }

    fn order(customer: u32, date: &str, kind: OrderKind, id: &'static str) -> Order<'static> {
        Order {
            order_id: id,
            customer,
            date: d(date),
            kind,
            amount: Cents(100),
            profit: Cents(0),
            outcome: None,
            referred_by: None,
            line: 0,
        }
    }

    fn list(
        policy: &DuePolicy,
        day: Day,
        customers: &[Customer],
        orders: &[Order<'_>],
        complaints: &[Complaint],
        contacts: &[Contact],
    ) -> Vec<(String, String, String, Status)> {
        list_for(
            policy,
            day,
            customers,
            orders,
            complaints,
            (contacts, &[]),
            None,
        )
    }

    /// The list as [`list`] makes it, of one customer when `only` says so (a fold for that
    /// customer, as the customer card makes).
    fn list_for(
        policy: &DuePolicy,
        day: Day,
        customers: &[Customer],
        orders: &[Order<'_>],
        complaints: &[Complaint],
        (contacts, answers): (&[Contact], &[Answer]),
        only: Option<u32>,
    ) -> Vec<(String, String, String, Status)> {
        let (book, dropped) = CustomerBook::from_customers(customers.to_vec());
        assert!(dropped.is_empty());
        let mut fold = DueFold::new(policy, day, customers.len());
        if let Some(c) = only {
            fold = fold.for_customer(c);
        }
        for o in orders {
            fold.add(o);
        }
        let standings: Vec<Standing> = customers
            .iter()
            .map(|_| Standing {
                tier: 0,
                computed_tier: 0,
                segment: Segment::Stable,
                lifecycle: crate::domain::tiers::Lifecycle::Active,
                churned: false,
                care_goal_met: false,
                score_centi: crate::domain::tiers::Centi::NONE,
                days_since_visit: crate::domain::tiers::DaysSince::NONE,
                points_clear_on: None,
            })
            .collect();
        let ids = book.ids();
        let inputs = DueInputs {
            book: &book,
            standings: Some(&standings),
            complaints,
            contacts,
            answers,
        };
        call_list(fold, &inputs)
            .into_iter()
            .map(|i| {
                (
                    ids[i.customer as usize].to_string(),
                    policy.rules[i.rule].name.clone(),
                    i.source_id,
                    i.status,
                )
            })
            .collect()
    }

    #[test]
    fn ties_sort_by_customer_id_bytes_whatever_the_file_order() {
        let policy = Policy::default().due;
        let day = Day {
            date: d("2026-11-22"),
            within: 0,
            grace: Days::of(14),
        };
        let order_of = |ids: &[&str]| {
            let customers: Vec<Customer> = ids.iter().map(|id| customer(id)).collect();
            let orders: Vec<Order<'_>> = (0..ids.len() as u32)
                .flat_map(|c| {
                    [
                        order(c, "2026-11-19", OrderKind::Sale, "O2"),
                        order(c, "2026-11-19", OrderKind::Sale, "O10"),
                    ]
                })
                .collect();
            list(&policy, day, &customers, &orders, &[], &[])
                .into_iter()
                .filter(|g| g.1 == "callback-3d")
                .map(|g| format!("{}/{}", g.0, g.2))
                .collect::<Vec<_>>()
        };
        let want = ["C1/O10", "C1/O2", "C10/O10", "C10/O2", "C2/O10", "C2/O2"];
        // In id order (each customer's index is its rank) and not.
        assert_eq!(order_of(&["C1", "C10", "C2"]), want);
        assert_eq!(order_of(&["C2", "C10", "C1"]), want);
    }

    #[test]
    fn callbacks_clamp_at_month_end_and_logged_items_leave() {
        let policy = Policy::default().due;
        let customers = [customer("C1"), customer("C2")];
        // 31 Aug + 3 months = 30 Nov; 31 May + 6 months = 30 Nov
        let orders = [
            order(0, "2026-08-31", OrderKind::Sale, "O1"),
            order(1, "2026-05-31", OrderKind::Sale, "O2"),
        ];
        let day = Day {
            date: d("2026-11-30"),
            within: 0,
            grace: Days::of(14),
        };
        let got = list(&policy, day, &customers, &orders, &[], &[]);
        assert!(
            got.contains(&("C1".into(), "callback-3m".into(), "O1".into(), Status::Due)),
            "{got:?}"
        );
        assert!(
            got.contains(&("C2".into(), "callback-6m".into(), "O2".into(), Status::Due)),
            "{got:?}"
        );
        let logged = [Contact {
            customer: 0,
            rule: "callback-3m".into(),
            source_id: "O1".into(),
            done_on: d("2026-11-30"),
            by: None,
            result: CallResult::Done,
            note: None,
        }];
        let got = list(&policy, day, &customers, &orders, &[], &logged);
        assert!(
            !got.iter().any(|g| g.0 == "C1" && g.1 == "callback-3m"),
            "{got:?}"
        );
        // a log dated after the day has not happened yet
        let later = [Contact {
            done_on: d("2026-12-01"),
            ..logged[0].clone()
        }];
        let got = list(&policy, day, &customers, &orders, &[], &later);
        assert!(
            got.iter().any(|g| g.0 == "C1" && g.1 == "callback-3m"),
            "{got:?}"
        );
    }

    /// Complaint K1 of customer 0, opened at `opened` (`YYYY-MM-DD HH:MM`), not answered.
    fn open_complaint(opened: &str) -> Complaint {
        Complaint {
            complaint_id: "K1".into(),
            customer: 0,
            order_id: None,
            category: crate::model::Category::Service,
            opened_at: chrono::NaiveDateTime::parse_from_str(opened, "%Y-%m-%d %H:%M").unwrap(),
            responded_at: None,
            closed_at: None,
            severity: crate::model::Severity::Normal,
            line: 2,
        }
    }

    #[test]
    fn an_open_complaint_three_weeks_old_stays_overdue() {
        let policy = Policy::default().due;
        let customers = [customer("C1")];
        let k = open_complaint("2026-11-01 09:00");
        let day = Day {
            date: d("2026-11-22"),
            within: 0,
            grace: Days::of(14),
        };
        let got = list(&policy, day, &customers, &[], std::slice::from_ref(&k), &[]);
        assert_eq!(
            got,
            [
                (
                    "C1".into(),
                    "complaint-resolve".into(),
                    "K1".into(),
                    Status::Overdue
                ),
                (
                    "C1".into(),
                    "complaint-response".into(),
                    "K1".into(),
                    Status::Overdue
                ),
            ]
        );
        // answered: the response item leaves, the resolve item stays until closed
        let answered = Complaint {
            responded_at: Some(d("2026-11-02").and_hms_opt(8, 0, 0).unwrap()),
            ..k.clone()
        };
        let got = list(&policy, day, &customers, &[], &[answered], &[]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "complaint-resolve");
        // closed 20 Nov: revisit due 23 Nov, so upcoming with --within 1
        let closed = Complaint {
            closed_at: Some(d("2026-11-20").and_hms_opt(8, 0, 0).unwrap()),
            ..k
        };
        let day = Day { within: 1, ..day };
        let got = list(&policy, day, &customers, &[], &[closed], &[]);
        assert_eq!(
            got,
            [(
                "C1".into(),
                "complaint-revisit".into(),
                "K1".into(),
                Status::Upcoming
            )]
        );
    }

    #[test]
    fn a_permutation_is_applied_in_place() {
        for n in 0..9u32 {
            // every rotation and a reversal of n items, and one with fixed points
            let mut orders: Vec<Vec<u32>> = (0..n)
                .map(|r| (0..n).map(|i| (i + r) % n).collect())
                .collect();
            orders.push((0..n).rev().collect());
            orders.push(
                (0..n)
                    .map(|i| {
                        if i % 3 == 1 && i + 1 < n {
                            i + 1
                        } else if i % 3 == 2 {
                            i - 1
                        } else {
                            i
                        }
                    })
                    .collect(),
            );
            for from in orders {
                let mut items: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
                let want: Vec<String> = from.iter().map(|&f| format!("x{f}")).collect();
                let mut f = from.clone();
                permute(&mut items, &mut f);
                assert_eq!(items, want, "{from:?}");
            }
        }
    }

    #[test]
    fn the_complaints_kept_for_the_list_make_the_same_list_as_all_of_them() {
        // Complaints opened from 80 days before the day to 2 after, answered and closed
        // at every distance (or not), for three customers: the list made from those
        // `may_list` keeps is the list made from all, and the ones closed long ago go.
        let policy = Policy::default().due;
        let customers = [customer("C1"), customer("C2"), customer("C3")];
        let at = |day: i64, hour: u32| {
            (d("2026-11-22") + chrono::Duration::days(day))
                .and_hms_opt(hour, 0, 0)
                .unwrap()
        };
        let mut all = Vec::new();
        for opened in -80..=2i64 {
            for (answer, close) in [
                (None, None),
                (Some(0), None),
                (Some(1), Some(3)),
                (None, Some(0)),
                (Some(2), Some(40)),
                (Some(0), Some(75)),
            ] {
                let n = all.len();
                all.push(Complaint {
                    complaint_id: format!("K{n}"),
                    customer: (n % 3) as u32,
                    responded_at: answer.map(|a: i64| at(opened + a, 15)),
                    closed_at: close.map(|c: i64| at(opened + c, 16)),
                    opened_at: at(opened, 9),
                    ..open_complaint("2026-11-01 09:00")
                });
            }
        }
        for (within, grace) in [(0, 14), (3, 14), (0, 0), (7, 30)] {
            let day = Day {
                date: d("2026-11-22"),
                within,
                grace: Days::of(grace),
            };
            let fold = DueFold::new(&policy, day, customers.len());
            let kept: Vec<Complaint> = all.iter().filter(|k| fold.may_list(k)).cloned().collect();
            // Closed 40 days or more before the day: nothing left to call about.
            let long_closed = |k: &&Complaint| k.closed_at.is_some_and(|c| c < at(-40, 0));
            assert!(all.iter().filter(long_closed).count() > 50);
            assert!(all.iter().filter(long_closed).all(|k| !fold.may_list(k)));
            assert!(kept.len() < all.len());
            let whole = list(&policy, day, &customers, &[], &all, &[]);
            assert!(whole.len() > 50, "{}", whole.len());
            assert_eq!(list(&policy, day, &customers, &[], &kept, &[]), whole);
            // One customer's fold keeps only that customer's.
            let one =
                DueFold::new(&policy, day, customers.len()).for_customers(vec![false, true, false]);
            assert!(all
                .iter()
                .filter(|k| one.may_list(k))
                .all(|k| k.customer == 1));
        }
    }

    #[test]
    fn a_complaint_opened_today_is_due_tomorrow_at_the_earliest() {
        let policy = Policy::default().due;
        let customers = [customer("C1")];
        let k = open_complaint("2026-11-22 00:00");
        let day = Day {
            date: d("2026-11-22"),
            within: 0,
            grace: Days::of(14),
        };
        assert!(list(&policy, day, &customers, &[], std::slice::from_ref(&k), &[]).is_empty());
        let day = Day { within: 1, ..day };
        assert_eq!(list(&policy, day, &customers, &[], &[k], &[]).len(), 2);
    }

    #[test]
    fn points_expiry_comes_30_days_before_the_clearing_date() {
        let policy = Policy::default().due;
        let (book, _) = CustomerBook::from_customers(vec![customer("C1")]);
        let retain = Standing {
            tier: 0,
            computed_tier: 0,
            segment: Segment::Retain,
            lifecycle: crate::domain::tiers::Lifecycle::Lost,
            churned: true,
            care_goal_met: true,
            score_centi: crate::domain::tiers::Centi::NONE,
            days_since_visit: crate::domain::tiers::DaysSince::new(Some(800)),
            points_clear_on: Some(d("2027-02-28")),
        };
        let on = |date: &str| {
            let day = Day {
                date: d(date),
                within: 0,
                grace: Days::of(14),
            };
            let fold = DueFold::new(&policy, day, 1);
            let inputs = DueInputs {
                book: &book,
                standings: Some(std::slice::from_ref(&retain)),
                complaints: &[],
                contacts: &[],
                answers: &[],
            };
            call_list(fold, &inputs)
                .into_iter()
                .map(|i| (policy.rules[i.rule].name.clone(), i.source_id, i.status))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            on("2027-01-29"),
            [(
                "points-expiry".to_string(),
                "2027-02-28".to_string(),
                Status::Due
            )]
        );
        assert!(on("2027-01-28").is_empty());
    }

    #[test]
    fn do_not_contact_customers_are_never_listed() {
        let policy = Policy::default().due;
        let mut quiet = customer("C1");
        quiet.contact_ok = false;
        quiet.birthday = Some(d("1980-11-22"));
        let orders = [order(0, "2026-11-19", OrderKind::Sale, "O1")];
        let day = Day {
            date: d("2026-11-22"),
            within: 30,
            grace: Days::of(14),
        };
        assert!(list(&policy, day, &[quiet], &orders, &[], &[]).is_empty());
    }

    #[test]
    fn survey_window_first_and_last_day() {
        let policy = Policy::default().due;
        let customers = [customer("C1")];
        let orders = [order(0, "2026-11-15", OrderKind::Install, "O1")];
        let on = |date: &str| {
            list(
                &policy,
                Day {
                    date: d(date),
                    within: 0,
                    grace: Days::of(14),
                },
                &customers,
                &orders,
                &[],
                &[],
            )
        };
        assert!(
            on("2026-11-17").iter().all(|g| g.1 != "survey"),
            "window opens on day 3"
        );
        assert!(on("2026-11-18").contains(&(
            "C1".into(),
            "survey".into(),
            "O1".into(),
            Status::Due
        )));
        assert!(on("2026-11-22").contains(&(
            "C1".into(),
            "survey".into(),
            "O1".into(),
            Status::Due
        )));
        assert!(on("2026-11-23").contains(&(
            "C1".into(),
            "survey".into(),
            "O1".into(),
            Status::Overdue
        )));
        // the last day of grace (14 days after the window closed) and the day after
        assert!(on("2026-12-06").contains(&(
            "C1".into(),
            "survey".into(),
            "O1".into(),
            Status::Overdue
        )));
        assert!(on("2026-12-07").iter().all(|g| g.1 != "survey"));
    }

    fn tried(result: CallResult, on: &str) -> Contact {
        Contact {
            customer: 0,
            rule: "survey".into(),
            source_id: "O1".into(),
            done_on: d(on),
            by: None,
            result,
            note: None,
        }
    }

    /// The survey item of customer C1's install of 15 Nov, on 20 Nov, after `contacts`:
    /// its status and attempts, or `None` when it is off the list.
    fn survey_item(contacts: &[Contact]) -> Option<(Status, u32)> {
        let policy = Policy::default().due;
        let (book, _) = CustomerBook::from_customers(vec![customer("C1")]);
        let day = Day {
            date: d("2026-11-20"),
            within: 0,
            grace: Days::of(14),
        };
        let mut fold = DueFold::new(&policy, day, 1);
        fold.add(&order(0, "2026-11-15", OrderKind::Install, "O1"));
        let inputs = DueInputs {
            book: &book,
            standings: None,
            complaints: &[],
            contacts,
            answers: &[],
        };
        call_list(fold, &inputs)
            .into_iter()
            .find(|i| policy.rules[i.rule].name == "survey")
            .map(|i| {
                assert_eq!(i.kind, Some(OrderKind::Install));
                (i.status, i.attempts)
            })
    }

    #[test]
    fn a_no_answer_keeps_the_item_with_its_attempts_and_a_refusal_ends_it() {
        assert_eq!(survey_item(&[]), Some((Status::Due, 0)));
        let two = [
            tried(CallResult::NoAnswer, "2026-11-18"),
            tried(CallResult::NoAnswer, "2026-11-19"),
        ];
        assert_eq!(survey_item(&two), Some((Status::Due, 2)));
        let later = [tried(CallResult::NoAnswer, "2026-11-21")];
        assert_eq!(
            survey_item(&later),
            Some((Status::Due, 0)),
            "not tried yet on the day"
        );
        let refused = [two[0].clone(), tried(CallResult::Refused, "2026-11-19")];
        assert_eq!(survey_item(&refused), None);
        assert_eq!(survey_item(&[tried(CallResult::Done, "2026-11-20")]), None);
    }

    fn overall(customer: u32, source: &str, score: Option<u8>, on: &str) -> Answer {
        Answer {
            customer,
            rule: "survey".into(),
            source_id: source.into(),
            question: crate::policy::OVERALL.into(),
            score,
            answered_on: d(on),
            line: 0,
        }
    }

    #[test]
    fn the_dissatisfied_are_due_the_day_after_their_answer() {
        let policy = Policy::default().due;
        let customers = [customer("C1"), customer("C2"), customer("C3")];
        let (book, _) = CustomerBook::from_customers(customers.to_vec());
        let answers = [
            overall(0, "O1", Some(2), "2026-11-21"),
            overall(1, "O2", Some(3), "2026-11-21"),
            overall(2, "O3", Some(1), "2026-11-22"),
        ];
        let on = |date: &str, contacts: &[Contact]| {
            let day = Day {
                date: d(date),
                within: 0,
                grace: Days::of(14),
            };
            let inputs = DueInputs {
                book: &book,
                standings: None,
                complaints: &[],
                contacts,
                answers: &answers,
            };
            call_list(DueFold::new(&policy, day, 3), &inputs)
                .into_iter()
                .map(|i| {
                    (
                        book.id(i.customer as usize).to_string(),
                        policy.rules[i.rule].name.clone(),
                        i.source_id,
                        i.due_date,
                        i.status,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            on("2026-11-22", &[]),
            [(
                "C1".into(),
                "dissatisfied".into(),
                "O1".into(),
                d("2026-11-22"),
                Status::Due
            )],
            "a 3 is not dissatisfied; C3 answered today, due tomorrow"
        );
        assert!(
            on("2026-11-21", &[]).is_empty(),
            "not due on the day of the answer"
        );
        let called = [Contact {
            rule: "dissatisfied".into(),
            ..tried(CallResult::Done, "2026-11-22")
        }];
        assert_eq!(on("2026-11-23", &called).len(), 1, "C1 done; C3 due");
        assert_eq!(on("2026-11-23", &called)[0].0, "C3");
    }

    #[test]
    fn the_items_of_a_period_are_every_item_due_in_it_done_or_not() {
        let policy = Policy::default().due;
        let (book, _) = CustomerBook::from_customers(vec![customer("C1")]);
        let period = Period {
            from: d("2026-10-01"),
            to: d("2026-10-31"),
        };
        let mut fold = DueFold::of_rules(&policy, Day::spanning(period), 1, |r| {
            policy.rules[r].name.starts_with("callback")
        });
        for (date, id) in [
            ("2026-09-27", "O1"),
            ("2026-09-28", "O2"),
            ("2026-10-28", "O3"),
            ("2026-07-15", "O4"),
        ] {
            fold.add(&order(0, date, OrderKind::Sale, id));
        }
        let done = [Contact {
            rule: "callback-3d".into(),
            source_id: "O2".into(),
            ..tried(CallResult::Done, "2026-10-01")
        }];
        let inputs = DueInputs {
            book: &book,
            standings: None,
            complaints: &[],
            contacts: &done,
            answers: &[],
        };
        let mut got: Vec<(String, String, NaiveDate)> = Vec::new();
        items_due_in(fold, &inputs, |i| {
            got.push((policy.rules[i.rule].name.clone(), i.source_id, i.due_date))
        });
        got.sort();
        assert_eq!(
            got,
            [
                ("callback-3d".into(), "O2".into(), d("2026-10-01")),
                ("callback-3d".into(), "O3".into(), d("2026-10-31")),
                ("callback-3m".into(), "O4".into(), d("2026-10-15")),
            ],
            "27 Sep + 3 = 30 Sep is before; done items count; no other rule"
        );
    }

    #[test]
    fn one_customers_list_is_that_customers_part_of_everyones() {
        let policy = Policy::default().due;
        let mut customers = vec![customer("C1"), customer("C2"), customer("C3")];
        customers[0].birthday = Some(d("1980-11-25"));
        customers[1].anniversary = Some(d("2010-11-20"));
        customers[2].contact_ok = false;
        let orders = [
            order(0, "2026-11-19", OrderKind::Sale, "O1"),
            order(1, "2026-11-18", OrderKind::Install, "O2"),
            order(1, "2026-08-22", OrderKind::Sale, "O3"),
            order(0, "2026-05-30", OrderKind::Maintenance, "O4"),
            order(2, "2026-11-19", OrderKind::Sale, "O5"),
        ];
        let complaints = [
            open_complaint("2026-11-10 09:00"),
            Complaint {
                complaint_id: "K2".into(),
                customer: 1,
                closed_at: Some(d("2026-11-20").and_hms_opt(8, 0, 0).unwrap()),
                ..open_complaint("2026-11-19 09:00")
            },
        ];
        let contacts = [
            Contact {
                customer: 1,
                rule: "callback-3m".into(),
                source_id: "O3".into(),
                done_on: d("2026-11-21"),
                by: None,
                result: CallResult::Done,
                note: None,
            },
            Contact {
                customer: 0,
                rule: "callback-3d".into(),
                source_id: "O1".into(),
                done_on: d("2026-11-22"),
                by: None,
                result: CallResult::NoAnswer,
                note: None,
            },
        ];
        let answers = [
            overall(1, "O2", Some(1), "2026-11-20"),
            overall(0, "O9", Some(2), "2026-11-21"),
        ];
        let day = Day {
            date: d("2026-11-22"),
            within: 30,
            grace: Days::of(14),
        };
        let all = list_for(
            &policy,
            day,
            &customers,
            &orders,
            &complaints,
            (&contacts, &answers),
            None,
        );
        assert!(all.len() > 5, "{all:?}");
        assert_eq!(
            all.iter().filter(|i| i.1 == "dissatisfied").count(),
            2,
            "{all:?}"
        );
        for (c, id) in ["C1", "C2", "C3"].iter().enumerate() {
            let one = list_for(
                &policy,
                day,
                &customers,
                &orders,
                &complaints,
                (&contacts, &answers),
                Some(c as u32),
            );
            let theirs: Vec<_> = all.iter().filter(|i| i.0 == *id).cloned().collect();
            assert_eq!(one, theirs, "{id}");
        }
    }
}
