//! `caredesk complaints`: open complaints with their age and deadlines; `--weekly`, the
//! Thursday warning notice (docs/rules.md §7.3): the last 7 days by category, open, breached, escalated.

use chrono::NaiveDateTime;

use crate::app::{fail_on, Output, Plan};
use crate::cli::ComplaintsArgs;
use crate::domain::complaints::{
    is_escalated, last_week, standing, weekly, Moment, Standing, WeekLine, WEEKLY_ORDER,
};
use crate::error::{Problems, Result};
use crate::load::CustomerBook;
use crate::model::{Complaint, Severity};
use crate::report::{col, Cell, Column, Kind, Rows};

pub fn run(plan: &Plan, args: &ComplaintsArgs, at: Moment) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    let complaints = plan
        .load_complaints(&policy, &book, &mut problems)?
        .unwrap_or_default();
    fail_on(problems)?;
    crate::app::warn_no_customers(plan, book.len());
    let deadlines = policy.complaint_deadlines();
    let output = Output::resolve(&args.output, false);
    let now = at.instant();
    if args.weekly {
        let (lines, total) = weekly(&complaints, at, deadlines);
        let escalated = last_week(&complaints, at)
            .filter(|c| is_escalated(c))
            .map(|c| {
                format!(
                    "{} ({} {}, {})",
                    c.complaint_id,
                    book.id(c.customer as usize),
                    book.get(c.customer as usize).name,
                    c.category.as_str()
                )
            })
            .collect();
        let rows = Weekly {
            lines,
            total,
            now,
            escalated,
        };
        return output.write(&rows, &plan.inputs());
    }
    let mut open: Vec<(&Complaint, Standing)> = complaints
        .iter()
        .filter(|c| at.has_happened(c.opened_at))
        .map(|c| (c, standing(c, at, deadlines)))
        .filter(|(_, s)| s.is_open())
        .collect();
    open.sort_by(|a, b| {
        a.0.opened_at
            .cmp(&b.0.opened_at)
            .then(a.0.complaint_id.cmp(&b.0.complaint_id))
    });
    let rows = Open {
        book: &book,
        open,
        now,
    };
    output.write(&rows, &plan.inputs())
}

fn minutes(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

const OPEN_COLUMNS: &[Column<'static>] = &[
    col("complaint_id", Kind::Text),
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("owner", Kind::Text),
    col("category", Kind::Text),
    col("severity", Kind::Text),
    col("opened_at", Kind::Text),
    col("age_hours", Kind::Int),
    col("respond_by", Kind::Text),
    col("responded_at", Kind::Text),
    col("response_breached", Kind::Bool),
    col("resolve_by", Kind::Text),
    col("resolution_breached", Kind::Bool),
];

struct Open<'a> {
    book: &'a CustomerBook,
    open: Vec<(&'a Complaint, Standing)>,
    now: NaiveDateTime,
}

impl Rows for Open<'_> {
    fn columns(&self) -> &[Column<'_>] {
        OPEN_COLUMNS
    }

    fn len(&self) -> usize {
        self.open.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let (c, s) = &self.open[i];
        let customer = self.book.get(c.customer as usize);
        out.extend([
            Cell::Text(&c.complaint_id),
            Cell::Text(customer.customer_id),
            Cell::Text(customer.name),
            customer.owner.into(),
            Cell::Text(c.category.as_str()),
            Cell::Text(if c.severity == Severity::Major {
                "major"
            } else {
                "normal"
            }),
            Cell::Owned(minutes(c.opened_at)),
            Cell::Int((self.now - c.opened_at).num_hours()),
            Cell::Owned(minutes(s.respond_by)),
            s.answered_at
                .map_or(Cell::Empty, |t| Cell::Owned(minutes(t))),
            Cell::Bool(s.response_breached),
            Cell::Owned(minutes(s.resolve_by)),
            Cell::Bool(s.resolution_breached),
        ]);
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        let (_, s) = &self.open[i];
        match OPEN_COLUMNS[column].name {
            "response_breached" => s.response_breached,
            "resolution_breached" => s.resolution_breached,
            _ => false,
        }
    }

    fn notes(&self) -> Vec<String> {
        vec![format!(
            "{} open complaints at {}",
            self.open.len(),
            minutes(self.now)
        )]
    }
}

const WEEKLY_COLUMNS: &[Column<'static>] = &[
    col("category", Kind::Text),
    col("opened", Kind::Int),
    col("open", Kind::Int),
    col("response_breached", Kind::Int),
    col("resolution_breached", Kind::Int),
    col("escalated", Kind::Int),
];

struct Weekly {
    lines: [WeekLine; 6],
    total: WeekLine,
    now: NaiveDateTime,
    escalated: Vec<String>,
}

impl Rows for Weekly {
    fn columns(&self) -> &[Column<'_>] {
        WEEKLY_COLUMNS
    }

    fn len(&self) -> usize {
        self.lines.len() + 1
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let (name, l) = match self.lines.get(i) {
            Some(l) => (WEEKLY_ORDER[i].as_str(), l),
            None => ("total", &self.total),
        };
        out.extend([
            Cell::Text(name),
            Cell::Int(l.opened as i64),
            Cell::Int(l.open as i64),
            Cell::Int(l.response_breached as i64),
            Cell::Int(l.resolution_breached as i64),
            Cell::Int(l.escalated as i64),
        ]);
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec![format!(
            "complaints opened in the 7 days up to {}",
            minutes(self.now)
        )];
        if !self.escalated.is_empty() {
            notes.push(format!("escalated (major): {}", self.escalated.join("; ")));
        }
        notes
    }
}
