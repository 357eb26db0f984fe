//! `caredesk customer`: everything the desk knows of one customer, on one screen
//! (docs/rules.md §10). Found by id, a part of the name or the phone's last digits; several
//! matches are listed instead. The card takes its figures from the same steps as `tiers`,
//! `due` and `complaints` (one tiering, the call list for this customer alone, the
//! complaint clock), so it cannot say otherwise than they do.

use std::io::{self, IsTerminal};

use crate::app::{self, warn_skipped, Output, Plan};
use crate::cli::CustomerArgs;
use crate::domain::card::{
    close_ids, find, first, most_recent_first, History, PastOrder, Query, Referred,
};
use crate::domain::complaints::{self, Moment};
use crate::domain::due::{call_list, Day, DueFold, DueInputs, Item, Status};
use crate::domain::survey::{answers_by_call, CallAnswers};
use crate::domain::tiers::{
    lifecycle_turns, segment_reasons, tier_gap, Activity, ActivityFold, NextTier, Segment,
    SegmentReasons, Standing, Tiering,
};
use crate::error::{Error, Problems, Result};
use crate::load::{CustomerBook, CustomerView, OrderSink, Override};
use crate::model::{Answer, CallResult, Complaint, Contact, Order, Outcome, Severity};
use crate::policy::{DueRule, Policy, TierWindow};
use crate::report::{
    col, Block, Cell, Column, DocFormat, DocOptions, Document, Field, Format, Kind, Rows, Section,
};

/// Close ids suggested for an unknown one.
const SUGGESTIONS: usize = 5;

pub fn run(plan: &Plan, args: &CustomerArgs, at: Moment) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let mut book = plan.load_customers(&policy, &mut problems)?;
    // With bad customer rows, a customer left out must not read as "no such customer":
    // the run goes on to list every problem of every file, and stops there.
    let matches = if problems.is_empty() {
        who(&book, args)?
    } else {
        Vec::new()
    };
    match matches[..] {
        [one] => card(plan, args, at, &policy, &mut book, one, problems),
        _ => list(plan, args, &policy, &mut book, &matches, problems),
    }
}

/// The customers asked for: the one with the id, or those `--find` matches. Nobody is an
/// error saying so (with close ids for an unknown id).
fn who(book: &CustomerBook, args: &CustomerArgs) -> Result<Vec<u32>> {
    if let Some(id) = &args.id {
        if let Some(c) = book.find(id.as_bytes()) {
            return Ok(vec![c]);
        }
        let close = close_ids(book, id, SUGGESTIONS);
        let hint = if close.is_empty() {
            String::from("; `--find` looks by name or phone")
        } else {
            format!("; did you mean {}?", close.join(", "))
        };
        return Err(Error::NotFound(format!("no customer {id:?}{hint}")));
    }
    let text = args.find.as_deref().unwrap_or_default();
    let Some(query) = Query::new(text) else {
        return Err(Error::Usage(
            "--find needs a part of a name, or a phone's last 4 digits".into(),
        ));
    };
    let found = find(book, &query);
    if found.is_empty() {
        let text = text.trim();
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let message = match &query.phone {
            Some(_) => format!("no customer matches {text:?}: no name contains it, no phone ends in it"),
            None if digits > 0 => format!(
                "no customer's name contains {text:?} (a phone is found by at least its last {} digits)",
                crate::domain::card::PHONE_DIGITS
            ),
            None => format!("no customer's name contains {text:?}"),
        };
        return Err(Error::NotFound(message));
    }
    Ok(found)
}

/// The orders sink of the card: every row tiers, and `also` sees it too.
struct Scan<'f, F> {
    tiers: &'f mut ActivityFold,
    ids: bool,
    also: F,
}

impl<F: FnMut(&Order<'_>)> OrderSink for Scan<'_, F> {
    #[inline]
    fn prefetch(&self, customer: u32) {
        if let Some(a) = self.tiers.activities.get(customer as usize) {
            crate::hint::prefetch(a);
        }
    }

    fn ids_from(&self) -> Option<chrono::NaiveDate> {
        self.ids.then_some(chrono::NaiveDate::MIN)
    }

    #[inline]
    fn visit(&mut self, order: &Order<'_>) {
        self.tiers.add(order);
        (self.also)(order);
    }
}

/// What the run read besides the customers, checked.
struct Read {
    tiering: Tiering,
    complaints: Vec<Complaint>,
    contacts: Vec<Contact>,
    /// This customer's survey answers.
    answers: Vec<Answer>,
    overrides: Vec<Override>,
}

/// Which of complaints.csv and contacts.csv a run reads, and whose rows it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Others {
    /// Neither (the list of matches needs the tiers alone, as `tiers` does).
    Unread,
    /// Every row checked, this customer's kept (`None`: every row, for a run that stops
    /// on the problems found).
    Of(Option<u32>),
}

/// Streams orders.csv through the tiering (and `also`), reads the other files, and takes
/// the tiering step: every problem of every file fails the run together.
fn read_all(
    plan: &Plan,
    args: &CustomerArgs,
    policy: &Policy,
    book: &mut CustomerBook,
    mut problems: Problems,
    others: Others,
    also: impl FnMut(&Order<'_>),
) -> Result<Read> {
    // Order ids are copied out of the file only for a card's own history.
    let ids = matches!(others, Others::Of(Some(_)));
    let mut tiers = ActivityFold::new(&policy.tiers, plan.as_of, book.len());
    let sink = Scan {
        tiers: &mut tiers,
        ids,
        also,
    };
    let stats = plan.scan_orders(policy, book, &mut problems, sink)?;
    let (complaints, contacts, answers) = match others {
        Others::Unread => (Vec::new(), Vec::new(), Vec::new()),
        // Nobody else's rows are kept: on a large desk they would be most of the memory.
        Others::Of(only) => {
            let complaints = plan
                .load_complaints_of(policy, book, only, &mut problems)?
                .unwrap_or_default();
            let contacts = plan.load_contacts_of(policy, book, only, &mut problems)?;
            let answers = plan.load_answers_of(policy, book, only, &mut problems)?;
            (complaints, contacts, answers)
        }
    };
    let overrides = match &args.overrides {
        Some(path) => plan.load_overrides(path, policy, book, &mut problems)?,
        None => Vec::new(),
    };
    // Every id is looked up by now: the index goes before the tiering needs the memory.
    book.release_index();
    let tiering = plan.tiering(policy, book, tiers, &overrides, problems)?;
    warn_skipped(&stats, &plan.orders);
    Ok(Read {
        tiering,
        complaints,
        contacts,
        answers,
        overrides,
    })
}

/// Where the view goes and how it looks.
fn options(args: &CustomerArgs) -> (DocOptions, bool) {
    let terminal = args.output.is_none() && io::stdout().is_terminal();
    let format = args.format.unwrap_or_else(|| {
        match args
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
        {
            Some(e) if e.eq_ignore_ascii_case("json") => DocFormat::Json,
            Some(e) if e.eq_ignore_ascii_case("md") => DocFormat::Md,
            _ => DocFormat::Table,
        }
    });
    let options = DocOptions {
        format,
        show_phone: args.show_phone,
        color: format == DocFormat::Table && app::color_on(args.color, terminal),
        width: if args.output.is_none() {
            app::view_width(terminal)
        } else {
            None
        },
    };
    (options, terminal)
}

// ---- several matches: the list

fn list(
    plan: &Plan,
    args: &CustomerArgs,
    policy: &Policy,
    book: &mut CustomerBook,
    matches: &[u32],
    problems: Problems,
) -> Result<()> {
    // With problems found already, the run goes on to check every file, then stops.
    let others = match problems.is_empty() {
        true => Others::Unread,
        false => Others::Of(None),
    };
    let read = read_all(
        plan,
        args,
        policy,
        book,
        problems,
        others,
        |_: &Order<'_>| {},
    )?;
    let (options, terminal) = options(args);
    let output = Output {
        format: match options.format {
            DocFormat::Table => Format::Table,
            DocFormat::Json => Format::Json,
            DocFormat::Md => Format::Md,
        },
        path: args.output.clone(),
        show_phone: args.show_phone,
        color: options.color,
        bom: false,
        crlf: false,
        terminal,
        gb18030: false,
    };
    let mut matches = matches.to_vec();
    matches.sort_by(|&a, &b| book.id(a as usize).cmp(book.id(b as usize)));
    let rows = Matches {
        policy,
        book,
        standings: &read.tiering.standings,
        matches,
        text: args.find.clone().unwrap_or_default(),
    };
    output.write(&rows, &plan.inputs())
}

const MATCH_COLUMNS: &[Column<'static>] = &[
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("phone", Kind::Phone),
    col("tier", Kind::Text),
    col("owner", Kind::Text),
];

struct Matches<'a> {
    policy: &'a Policy,
    book: &'a CustomerBook,
    standings: &'a [Standing],
    matches: Vec<u32>,
    text: String,
}

impl Rows for Matches<'_> {
    fn columns(&self) -> &[Column<'_>] {
        MATCH_COLUMNS
    }

    fn len(&self) -> usize {
        self.matches.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let c = self.matches[i] as usize;
        let v = self.book.get(c);
        out.extend([
            Cell::Text(v.customer_id),
            Cell::Text(v.name),
            v.phone.into(),
            Cell::Text(tier_name(self.policy, self.standings[c].tier)),
            v.owner.into(),
        ]);
    }

    fn notes(&self) -> Vec<String> {
        vec![format!(
            "{} customers match {:?}: `caredesk customer ID` shows one",
            self.matches.len(),
            self.text.trim()
        )]
    }
}

// ---- one match: the card

fn card(
    plan: &Plan,
    args: &CustomerArgs,
    at: Moment,
    policy: &Policy,
    book: &mut CustomerBook,
    customer: u32,
    problems: Problems,
) -> Result<()> {
    let day = Day {
        date: plan.as_of,
        within: args.within,
        grace: policy.due.grace,
    };
    // The call list of this customer alone: only its rows can make its items.
    let mut due = DueFold::new(&policy.due, day, book.len()).for_customer(customer);
    let mut history = History::new(customer, policy.tiers.purchases);
    let others = Others::Of(Some(customer));
    let read = read_all(
        plan,
        args,
        policy,
        book,
        problems,
        others,
        |o: &Order<'_>| {
            due.add(o);
            history.add(o);
        },
    )?;
    let items = call_list(
        due,
        &DueInputs {
            book,
            standings: Some(&read.tiering.standings),
            complaints: &read.complaints,
            contacts: &read.contacts,
            answers: &read.answers,
        },
    );
    let c = customer as usize;
    let facts = Facts {
        plan,
        policy,
        view: book.get(c),
        activity: &read.tiering.activities[c],
        standing: &read.tiering.standings[c],
        pinned: read
            .tiering
            .pinned
            .get(&customer)
            .map(|&o| &read.overrides[o]),
        segment: segment_reasons(&read.tiering.activities, &policy.tiers, plan.as_of, c),
    };
    let gap = tier_gap(
        &read.tiering.activities,
        book,
        &policy.tiers,
        c,
        facts.standing.computed_tier,
    );
    let deadlines = policy.complaint_deadlines();
    let mine = |k: &&Complaint| k.customer == customer && at.has_happened(k.opened_at);
    let complaints: Vec<(&Complaint, complaints::Standing)> = most_recent_first(
        read.complaints.iter().filter(mine).collect(),
        |k: &&Complaint| k.opened_at,
    )
    .into_iter()
    .map(|k| (k, complaints::standing(k, at, deadlines)))
    .collect();
    // Each call's answers as known on the day (§9.3), shown on the call's `done` rows:
    // nobody answered a `no_answer` call, and a refusal is no survey.
    let answered = answers_by_call(&read.answers, plan.as_of);
    let contacts: Vec<ContactRow> = most_recent_first(
        read.contacts
            .iter()
            .filter(|k| k.customer == customer && k.done_on <= plan.as_of)
            .collect(),
        |k: &&Contact| k.done_on,
    )
    .into_iter()
    .map(|k| {
        let call = (k.customer, k.rule.as_str(), k.source_id.as_str());
        let answers = (k.result == CallResult::Done)
            .then(|| answered.get(&call).copied())
            .flatten();
        let unsatisfied = answers
            .and_then(|a| a.overall)
            .is_some_and(|score| !policy.survey.scale.is_satisfied(score));
        (k, answers, unsatisfied)
    })
    .collect();
    let orders = history.orders();
    let referred = history.referred();
    let (today, upcoming): (Vec<Item>, Vec<Item>) = items
        .into_iter()
        .partition(|i| i.status != Status::Upcoming);

    let limit = args.limit;
    let never = (!facts.view.contact_ok).then_some("never on a call list (contact_ok = false)");
    let rule = |item: Item| {
        let rule = &policy.due.rules[item.rule];
        (item, rule)
    };
    let referred: Vec<(&str, &str, &Referred)> = referred
        .into_iter()
        .map(|r| {
            (
                book.id(r.customer as usize),
                book.name(r.customer as usize),
                r,
            )
        })
        .collect();
    let sections = vec![
        section(
            "referred",
            "Customers referred",
            "none",
            0,
            referred,
            referred_list(),
        ),
        section("orders", "Orders", "none", limit, orders, order_list()),
        section(
            "complaints",
            "Complaints",
            "none",
            limit,
            complaints,
            complaint_list(),
        ),
        section(
            "contacts",
            "Contacts",
            "none logged",
            limit,
            contacts,
            contact_list(),
        ),
        section(
            "due",
            &format!("Call items on {}", plan.as_of),
            never.unwrap_or("nothing overdue or due"),
            0,
            today.into_iter().map(rule).collect(),
            due_list(),
        ),
        section(
            "upcoming",
            &format!("Coming up in the next {} days", args.within),
            never.unwrap_or("nothing"),
            0,
            upcoming.into_iter().map(rule).collect(),
            upcoming_list(),
        ),
    ];

    let document = Document {
        title: format!("{} {}", facts.view.customer_id, facts.view.name),
        head: vec![Field::new(
            "as_of",
            "as of",
            Kind::Date,
            Cell::Date(plan.as_of),
        )],
        blocks: vec![
            facts.profile(),
            facts.standing_block(&gap),
            facts.segment_block(),
            facts.lifecycle_block(),
            facts.points_block(),
            facts.care_block(),
        ],
        sections,
    };
    let (options, _) = options(args);
    app::write_to(args.output.as_deref(), &plan.inputs(), |out| {
        crate::report::render_document(&document, options, out)
    })
}

/// `1 purchase`, `2 purchases`.
fn plural(n: u32, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn tier_name(policy: &Policy, tier: u16) -> &str {
    &policy.tiers.levels[tier as usize].name
}

/// What the card says of the customer, gathered once.
struct Facts<'a> {
    plan: &'a Plan,
    policy: &'a Policy,
    view: CustomerView<'a>,
    activity: &'a Activity,
    standing: &'a Standing,
    pinned: Option<&'a Override>,
    segment: SegmentReasons,
}

impl<'a> Facts<'a> {
    fn profile(&self) -> Block<'a> {
        let v = &self.view;
        let mut contact_ok = Field::new(
            "contact_ok",
            "may be called",
            Kind::Bool,
            Cell::Bool(v.contact_ok),
        );
        if !v.contact_ok {
            contact_ok = contact_ok.note("never on a call list");
        }
        Block {
            key: "profile",
            title: "Profile",
            fields: vec![
                Field::new(
                    "customer_id",
                    "customer id",
                    Kind::Text,
                    Cell::Text(v.customer_id),
                ),
                Field::new("name", "name", Kind::Text, Cell::Text(v.name)),
                Field::new("phone", "phone", Kind::Phone, v.phone.into()),
                Field::new("birthday", "birthday", Kind::Date, v.birthday.into()),
                Field::new(
                    "anniversary",
                    "anniversary",
                    Kind::Date,
                    v.anniversary.into(),
                ),
                Field::new("joined_on", "joined", Kind::Date, v.joined_on.into()),
                Field::new("owner", "owner", Kind::Text, v.owner.into()),
                Field::new("store", "store", Kind::Text, v.store.into()),
                contact_ok,
            ],
        }
    }

    fn window(&self) -> String {
        match self.policy.tiers.window {
            TierWindow::AllTime => "all time".into(),
            TierWindow::Last(days) => format!("in the last {} days", days.get()),
        }
    }

    fn standing_block(&self, gap: &crate::domain::tiers::TierGap) -> Block<'a> {
        let (p, s, a) = (self.policy, self.standing, self.activity);
        let mut tier = Field::new(
            "tier",
            "tier",
            Kind::Text,
            Cell::Owned(tier_name(p, s.tier).into()),
        );
        let label = p.tiers.levels[s.tier as usize]
            .label
            .as_deref()
            .filter(|l| *l != tier_name(p, s.tier));
        tier = match (self.pinned, label) {
            (Some(_), Some(label)) => tier.note(format!("{label}, pinned by hand")),
            (Some(_), None) => tier.note("pinned by hand"),
            (None, Some(label)) => tier.note(label),
            (None, None) => tier,
        };
        let pinned = self.pinned;
        let mut fields = vec![
            tier,
            Field::new(
                "computed_tier",
                "computed tier",
                Kind::Text,
                Cell::Owned(tier_name(p, s.computed_tier).into()),
            )
            .note("what the rules say"),
            Field::new(
                "override_tier",
                "pinned tier",
                Kind::Text,
                pinned.map_or(Cell::Empty, |o| Cell::Owned(tier_name(p, o.tier).into())),
            )
            .optional(),
            Field::new(
                "override_reason",
                "pinned because",
                Kind::Text,
                pinned.map_or(Cell::Empty, |o| Cell::Owned(o.reason.clone())),
            )
            .optional(),
            Field::new(
                "override_expires",
                "pinned until",
                Kind::Date,
                pinned.and_then(|o| o.expires).into(),
            )
            .optional(),
            Field::new("spend", "spend", Kind::Money, Cell::Money(a.spend())).note(self.window()),
            Field::new("profit", "profit", Kind::Money, Cell::Money(a.profit())),
            Field::new("sales", "purchases", Kind::Int, Cell::Int(a.sales.into())),
            Field::new("score", "score", Kind::Score, s.score().into()).optional(),
        ];
        let of = gap.place.map(|pl| pl.of);
        fields.push(
            Field::new(
                "position",
                "position",
                Kind::Int,
                gap.place.map(|pl| pl.position as i64).into(),
            )
            .optional()
            .note(match of {
                Some(n) => format!("of {n}, by score, then id"),
                None => String::new(),
            }),
        );
        fields.push(
            Field::new(
                "customers",
                "customers ranked",
                Kind::Int,
                of.map(|n| n as i64).into(),
            )
            .json_only(),
        );
        let (next, spend_to, first, last, min_score, score_to) = match &gap.next {
            NextTier::Top => (None, None, None, None, None, None),
            NextTier::Spend { tier, needs } => (Some(*tier), Some(*needs), None, None, None, None),
            NextTier::Share { tier, first, last } => {
                (Some(*tier), None, Some(*first), Some(*last), None, None)
            }
            NextTier::MinScore {
                tier,
                min_score,
                needs,
            } => (
                Some(*tier),
                None,
                None,
                None,
                Some(*min_score),
                Some(*needs),
            ),
        };
        let mut next_field = Field::new(
            "next_tier",
            "next tier",
            Kind::Text,
            next.map_or(Cell::Empty, |t| Cell::Owned(tier_name(p, t).into())),
        );
        next_field = match (&gap.next, next) {
            (NextTier::Top, _) => next_field.note(format!(
                "none above: {} is the top tier",
                tier_name(p, s.computed_tier)
            )),
            (NextTier::Share { first, last, .. }, Some(t)) if first > last => {
                next_field.note(format!(
                    "{} holds nobody at {} customers",
                    tier_name(p, t),
                    of.unwrap_or(0)
                ))
            }
            (NextTier::Share { first, last, .. }, Some(_)) => {
                next_field.note(format!("positions {first} to {last}"))
            }
            _ => next_field,
        };
        fields.push(next_field);
        let next_name = next.map_or("", |t| tier_name(p, t));
        fields.push(
            Field::new(
                "spend_to_next_tier",
                format!("spend to {next_name}"),
                Kind::Money,
                spend_to.map_or(Cell::Empty, Cell::Money),
            )
            .optional(),
        );
        fields.push(
            Field::new(
                "next_tier_first_position",
                "its first position",
                Kind::Int,
                first.map(|v| v as i64).into(),
            )
            .json_only(),
        );
        fields.push(
            Field::new(
                "next_tier_last_position",
                "its last position",
                Kind::Int,
                last.map(|v| v as i64).into(),
            )
            .json_only(),
        );
        fields.push(
            Field::new(
                "next_tier_min_score",
                format!("{next_name} from score"),
                Kind::Score,
                min_score.into(),
            )
            .optional(),
        );
        fields.push(
            Field::new(
                "score_to_next_tier",
                "score to go",
                Kind::Score,
                score_to.into(),
            )
            .optional(),
        );
        Block {
            key: "standing",
            title: "Standing",
            fields,
        }
    }

    fn segment_block(&self) -> Block<'a> {
        let seg = &self.policy.tiers.segments;
        let r = &self.segment;
        let (s, a) = (self.standing, self.activity);
        let window = seg.window_days.get();
        let why = match s.segment {
            Segment::None => "never bought".to_string(),
            Segment::Upgrade if s.computed_tier == 0 => "frequent and in the top points".into(),
            Segment::Upgrade => "frequent and in the top points: push to the next tier".into(),
            Segment::Stable => "frequent, not in the top points".into(),
            Segment::New => format!("first purchase within {} days", seg.new_days.get()),
            Segment::Retain => format!(
                "no purchase in {window} days but in the top points: kept until {}",
                s.points_clear_on.map(|d| d.to_string()).unwrap_or_default()
            ),
            Segment::Abandon => match (r.bought_in_window, r.top) {
                (true, _) => format!(
                    "not frequent, first purchase over {} days ago",
                    seg.new_days.get()
                ),
                (false, _) => format!("no purchase in {window} days and not in the top points"),
            },
        };
        Block {
            key: "segment",
            title: "Segment",
            fields: vec![
                Field::new(
                    "segment",
                    "segment",
                    Kind::Text,
                    Cell::Text(s.segment.as_str()),
                )
                .note(why),
                Field::new(
                    "sales_2y",
                    format!("purchases in {window} days"),
                    Kind::Int,
                    Cell::Int(a.sales_2y.into()),
                ),
                Field::new(
                    "purchases_a_year",
                    "purchases a year",
                    Kind::Score,
                    Cell::Dec(r.purchases_a_year),
                )
                .note(format!("frequent from {}", seg.min_per_year.normalize())),
                Field::new("frequent", "frequent", Kind::Bool, Cell::Bool(r.frequent)),
                Field::new(
                    "points_percent_rank",
                    "points percent rank",
                    Kind::Rate,
                    Cell::Dec(r.points_rank),
                )
                .note(format!(
                    "top from {}%",
                    (seg.top_rank * rust_decimal::Decimal::ONE_HUNDRED).normalize()
                )),
                Field::new("top", "top points", Kind::Bool, Cell::Bool(r.top)),
                Field::new(
                    "first_sale",
                    "first purchase",
                    Kind::Date,
                    a.first_sale.into(),
                ),
                Field::new("last_sale", "last purchase", Kind::Date, a.last_sale.into()),
            ],
        }
    }

    fn lifecycle_block(&self) -> Block<'a> {
        let (s, a) = (self.standing, self.activity);
        let life = &self.policy.tiers.lifecycle;
        let turns = a.last_visit.map(|v| lifecycle_turns(v, life));
        let as_of = self.plan.as_of;
        let when = |date: chrono::NaiveDate| match (date - as_of).num_days() {
            1 => "tomorrow, if nobody visits".to_string(),
            days if days > 1 => format!("in {days} days, if nobody visits"),
            0 => "today".to_string(),
            _ => "since then".to_string(),
        };
        let mut sleeping = Field::new(
            "sleeping_from",
            "sleeping from",
            Kind::Date,
            turns.map(|t| t.0).into(),
        )
        .optional();
        let mut lost = Field::new(
            "lost_from",
            "lost from",
            Kind::Date,
            turns.map(|t| t.1).into(),
        )
        .optional();
        if let Some((to_sleeping, to_lost)) = turns {
            sleeping = sleeping.note(when(to_sleeping));
            lost = lost.note(when(to_lost));
        }
        Block {
            key: "lifecycle",
            title: "Lifecycle",
            fields: vec![
                Field::new(
                    "lifecycle",
                    "lifecycle",
                    Kind::Text,
                    Cell::Text(s.lifecycle.as_str()),
                )
                .note(format!(
                    "active up to {} days after the last visit, sleeping up to {}",
                    life.active_days.get(),
                    life.sleeping_days.get()
                )),
                Field::new("last_visit", "last visit", Kind::Date, a.last_visit.into())
                    .note("any order row; complaints are no visits"),
                Field::new(
                    "days_since_visit",
                    "days since",
                    Kind::Int,
                    s.days_since_visit.get().map(i64::from).into(),
                ),
                sleeping,
                lost,
            ],
        }
    }

    fn points_block(&self) -> Block<'a> {
        let (s, a) = (self.standing, self.activity);
        Block {
            key: "points",
            title: "Points",
            fields: vec![
                Field::new("points", "points", Kind::Int, Cell::Int(a.points)),
                Field::new(
                    "points_clear_on",
                    "cleared on",
                    Kind::Date,
                    s.points_clear_on.into(),
                )
                .note("the retain segment keeps them until then")
                .optional(),
            ],
        }
    }

    fn care_block(&self) -> Block<'a> {
        let (s, a, p) = (self.standing, self.activity, self.policy);
        let goal = &p.tiers.care_goal;
        let level = &p.tiers.levels[s.tier as usize];
        Block {
            key: "care",
            title: "Care",
            fields: vec![
                Field::new("churned", "churned", Kind::Bool, Cell::Bool(s.churned)).note(format!(
                    "bought before, but not in the last {} days",
                    p.tiers.churn_days.get()
                )),
                Field::new(
                    "care_goal_met",
                    "care goal met",
                    Kind::Bool,
                    Cell::Bool(s.care_goal_met),
                )
                .note(format!(
                    "{} or {}",
                    plural(goal.min_sales, "purchase"),
                    plural(goal.min_referrals, "referral")
                )),
                Field::new(
                    "referrals",
                    "referrals",
                    Kind::Int,
                    Cell::Int(a.referrals.into()),
                ),
                Field::new(
                    "care_plan",
                    "in the care plan",
                    Kind::Bool,
                    Cell::Bool(level.care_plan),
                )
                .note(format!("tier {}", level.name)),
            ],
        }
    }
}

// ---- the history tables

/// A list of the card as a table: its columns, how an item fills a row, and which of its
/// cells show a breach.
struct Layout<T> {
    columns: &'static [Column<'static>],
    cells: for<'s> fn(&'s T, &mut Vec<Cell<'s>>),
    flagged: fn(&T, &str) -> bool,
}

/// The items of a list shown (the first `limit` of them, 0 = all) under its layout.
struct List<T> {
    layout: Layout<T>,
    items: Vec<T>,
}

impl<T: Sync> Rows for List<T> {
    fn columns(&self) -> &[Column<'_>] {
        self.layout.columns
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        (self.layout.cells)(&self.items[i], out);
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        (self.layout.flagged)(&self.items[i], self.layout.columns[column].name)
    }
}

/// A section of the card: `items`, of which the first `limit` are shown (0 = all).
fn section<'a, T: Sync + 'a>(
    key: &'static str,
    title: &str,
    empty: &str,
    limit: usize,
    items: Vec<T>,
    layout: Layout<T>,
) -> Section<'a> {
    Section {
        key,
        title: title.into(),
        total: items.len(),
        rows: Box::new(List {
            layout,
            items: first(items, limit),
        }),
        empty: empty.into(),
    }
}

fn never_flagged<T>(_: &T, _: &str) -> bool {
    false
}

const REFERRED_COLUMNS: &[Column<'static>] = &[
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("purchases", Kind::Int),
    col("amount", Kind::Money),
    col("last_purchase", Kind::Date),
];

fn referred_list<'a>() -> Layout<(&'a str, &'a str, &'a Referred)> {
    Layout {
        columns: REFERRED_COLUMNS,
        cells: |&(id, name, r), out| {
            out.extend([
                Cell::Text(id),
                Cell::Text(name),
                Cell::Int(r.purchases.into()),
                Cell::Money(r.amount),
                Cell::Date(r.last),
            ])
        },
        flagged: never_flagged,
    }
}

const ORDER_COLUMNS: &[Column<'static>] = &[
    col("date", Kind::Date),
    col("order_id", Kind::Text),
    col("kind", Kind::Text),
    col("amount", Kind::Money),
    col("outcome", Kind::Text),
];

fn order_list<'a>() -> Layout<&'a PastOrder> {
    Layout {
        columns: ORDER_COLUMNS,
        cells: |o, out| {
            out.extend([
                Cell::Date(o.date),
                Cell::Text(&o.order_id),
                Cell::Text(o.kind.as_str()),
                Cell::Money(o.amount),
                match o.outcome {
                    None => Cell::Empty,
                    Some(Outcome::Pass) => Cell::Text("pass"),
                    Some(Outcome::Fail) => Cell::Text("fail"),
                },
            ])
        },
        flagged: |o, column| column == "outcome" && o.outcome == Some(Outcome::Fail),
    }
}

fn minutes(t: chrono::NaiveDateTime) -> Cell<'static> {
    Cell::Owned(t.format("%Y-%m-%d %H:%M").to_string())
}

const COMPLAINT_COLUMNS: &[Column<'static>] = &[
    col("opened_at", Kind::Text),
    col("complaint_id", Kind::Text),
    col("category", Kind::Text),
    col("severity", Kind::Text),
    col("answered_at", Kind::Text),
    col("closed_at", Kind::Text),
    col("response_breached", Kind::Bool),
    col("resolution_breached", Kind::Bool),
];

fn complaint_list<'a>() -> Layout<(&'a Complaint, complaints::Standing)> {
    Layout {
        columns: COMPLAINT_COLUMNS,
        cells: |(k, s), out| {
            out.extend([
                minutes(k.opened_at),
                Cell::Text(&k.complaint_id),
                Cell::Text(k.category.as_str()),
                Cell::Text(match k.severity {
                    Severity::Major => "major",
                    Severity::Normal => "normal",
                }),
                s.answered_at.map_or(Cell::Empty, minutes),
                s.closed_at.map_or(Cell::Empty, minutes),
                Cell::Bool(s.response_breached),
                Cell::Bool(s.resolution_breached),
            ])
        },
        flagged: |(k, s), column| match column {
            "response_breached" => s.response_breached,
            "resolution_breached" => s.resolution_breached,
            "severity" => k.severity == Severity::Major,
            _ => false,
        },
    }
}

const CONTACT_COLUMNS: &[Column<'static>] = &[
    col("done_on", Kind::Date),
    col("rule", Kind::Text),
    col("source_id", Kind::Text),
    col("by", Kind::Text),
    col("result", Kind::Text),
    col("overall", Kind::Int),
    col("rest_mean", Kind::Score),
    col("note", Kind::Text),
];

/// A contacts row, the answers of its call (on a `done` row that has some), and whether
/// their overall score is below satisfied.
type ContactRow<'a> = (&'a Contact, Option<CallAnswers>, bool);

fn contact_list<'a>() -> Layout<ContactRow<'a>> {
    Layout {
        columns: CONTACT_COLUMNS,
        cells: |(k, answers, _), out| {
            out.extend([
                Cell::Date(k.done_on),
                Cell::Text(&k.rule),
                Cell::Text(&k.source_id),
                k.by.as_deref().into(),
                Cell::Text(k.result.as_str()),
                answers.and_then(|a| a.overall).map(i64::from).into(),
                answers
                    .and_then(|a| a.rest_mean)
                    .map_or(Cell::Empty, Cell::Dec),
                k.note.as_deref().into(),
            ])
        },
        // An overall score below satisfied stands out, as a breach does.
        flagged: |&(_, _, unsatisfied), column| column == "overall" && unsatisfied,
    }
}

fn overdue((item, _): &(Item, &DueRule), column: &str) -> bool {
    column == "status" && item.status == Status::Overdue
}

/// Calls tried with nobody answering, as `due` shows them: empty for none.
fn attempts(item: &Item) -> Cell<'static> {
    match item.attempts {
        0 => Cell::Empty,
        n => Cell::Int(i64::from(n)),
    }
}

const DUE_COLUMNS: &[Column<'static>] = &[
    col("due_date", Kind::Date),
    col("status", Kind::Text),
    col("days_overdue", Kind::Int),
    col("rule", Kind::Text),
    col("source_id", Kind::Text),
    col("channel", Kind::Text),
    col("attempts", Kind::Int),
];

fn due_list<'a>() -> Layout<(Item, &'a DueRule)> {
    Layout {
        columns: DUE_COLUMNS,
        cells: |(item, rule), out| {
            out.extend([
                Cell::Date(item.due_date),
                Cell::Text(item.status.as_str()),
                item.days_overdue.into(),
                Cell::Text(&rule.name),
                Cell::Text(&item.source_id),
                Cell::Text(rule.channel.as_str()),
                attempts(item),
            ])
        },
        flagged: overdue,
    }
}

const UPCOMING_COLUMNS: &[Column<'static>] = &[
    col("due_date", Kind::Date),
    col("status", Kind::Text),
    col("rule", Kind::Text),
    col("source_id", Kind::Text),
    col("channel", Kind::Text),
    col("attempts", Kind::Int),
];

fn upcoming_list<'a>() -> Layout<(Item, &'a DueRule)> {
    Layout {
        columns: UPCOMING_COLUMNS,
        cells: |(item, rule), out| {
            out.extend([
                Cell::Date(item.due_date),
                Cell::Text(item.status.as_str()),
                Cell::Text(&rule.name),
                Cell::Text(&item.source_id),
                Cell::Text(rule.channel.as_str()),
                attempts(item),
            ])
        },
        flagged: overdue,
    }
}
