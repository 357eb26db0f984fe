//! The report's sections (docs/rules.md §11), built from what the pass over the data
//! found. Every figure comes from the domain step the other commands take: the tiers
//! summary from [`summarize`], the matrix from [`movement_matrix`], the scorecards from
//! the KPI folds, the follow-ups from the call list's items read as `followup_done`
//! reads them, the satisfaction from [`survey_table`] (`caredesk survey`'s), the complaints
//! from the complaint clock.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use super::words::{fill, Words};
use crate::domain::complaints::{
    by_category, is_escalated, opened_in, standing, Moment, WEEKLY_ORDER,
};
use crate::domain::half_up;
use crate::domain::kpi::{rank, GroupScore, Grouping, Period, Score};
use crate::domain::survey::{csat, overalls, survey_table, FollowupTally};
use crate::domain::tiers::{
    fraction, list_order, movement_matrix, summarize, Activity, Lifecycle, Movement, Standing,
    Tiering,
};
use crate::load::{CustomerBook, Previous};
use crate::model::{Answer, Complaint, OrderKind, Severity};
use crate::parse::Cents;
use crate::policy::{Measure, Policy, Target};
use crate::report::doc::{Block, Chart, ChartKind, Chrome, Document, Grid, Section, Table};
use crate::report::rows::{
    kpi_score, kpi_total, survey_line, tier_summary, KPI_MET, KPI_SCORE, SURVEY_LINE, SURVEY_MET,
    TIER_SUMMARY,
};
use crate::report::{col, Cell, Column, Kind, Rows};

/// How many rows of a customer list the web page shows (the workbook has them all).
const PAGE_LIST: usize = 500;
/// How many of those who moved up or down the web page shows.
const PAGE_MOVED: usize = 200;

/// What the pass over the data found, for the month and the month before.
pub struct Facts<'a> {
    pub policy: &'a Policy,
    pub book: &'a CustomerBook,
    pub month: Period,
    pub before_month: Period,
    /// The day the report is as of: the month's last day, or `--as-of` when earlier.
    pub cut: NaiveDate,
    /// `YYYY-MM` of the twelve months of the trend, the report's month last.
    pub months: Vec<String>,
    /// The tiering as of `cut`, and as of the month before's last day.
    pub now: Tiering,
    pub before: Tiering,
    /// `--previous`: last period's tiers file and its path, for the movement.
    pub previous: Option<(&'a Previous, &'a Path)>,
    /// Per month of the trend, a score per KPI rule.
    pub kpi_trend: Vec<Vec<Score>>,
    pub owners: Vec<String>,
    /// Per owner, the month's scores.
    pub kpi_owners: Vec<Vec<Score>>,
    /// The group of each customer's owner (in `owners`).
    pub of_owner: Grouping,
    /// The follow-ups of the month and the month before.
    pub follow: FollowUps,
    pub complaints: Option<&'a [Complaint]>,
    /// The survey answers, whether answers.csv exists, and the kinds of the jobs the
    /// answers survey (for the forms that depend on it).
    pub answers: &'a [Answer],
    pub answers_file: bool,
    pub jobs: &'a HashMap<(u32, String), OrderKind>,
    /// Net sale amounts in the month and in the month before, in cents.
    pub spend: [i128; 2],
    /// The earliest order's date.
    pub first_row: Option<NaiveDate>,
}

impl<'a> Facts<'a> {
    pub fn document(&self) -> Document<'_> {
        let w = Words::of(self.policy.report.language);
        let month = self.month.from.format("%Y-%m").to_string();
        let mut lead = vec![fill(w.period, &[&self.month.from, &self.month.to])];
        if self.cut < self.month.to {
            lead.push(fill(w.not_over, &[&self.cut]));
        } else {
            lead.push(fill(w.as_of, &[&self.cut]));
        }
        let follow = &self.follow;
        let kpi = self.kpis();
        let order = list_order(&self.now.activities, &self.now.standings);
        let (before, gone) = self.tiers_before();
        let before = Arc::new(before);
        let sections = vec![
            self.overview(w, &kpi, follow),
            self.tiers(w),
            self.movement(w, &order, &before, gone),
            kpi.section(w, self),
            follow.section(w, self),
            self.complaints_section(w),
            self.satisfaction(w),
            self.list(w, order, &before),
        ];
        Document {
            language: self.policy.report.language,
            title: fill(w.title, &[&month]),
            lead,
            sections,
            chrome: Chrome {
                contents: w.contents,
                none: w.none,
                yes: w.yes,
                no: w.no,
                na: w.na,
                cut: w.cut.into(),
                missed: w.missed_mark,
                made_by: fill(w.made_by, &[&env!("CARGO_PKG_VERSION")]),
            },
        }
    }

    fn tier_name(&self, t: u16) -> &str {
        &self.policy.tiers.levels[t as usize].name
    }

    /// A tier as people read it: its name, and its label when that says more.
    fn tier_title(&self, t: u16) -> String {
        let level = &self.policy.tiers.levels[t as usize];
        match &level.label {
            Some(l) if *l != level.name => format!("{} {l}", level.name),
            _ => level.name.clone(),
        }
    }

    // ---- 1. overview

    fn overview(&self, w: &Words, kpi: &Kpis, follow: &FollowUps) -> Section<'_> {
        let prev = self.before_month.from.format("%Y-%m").to_string();
        let this = self.month.from.format("%Y-%m").to_string();
        let columns = vec![
            col("figure", Kind::Text),
            col("month", Kind::Int),
            col("month_before", Kind::Int),
            col("change", Kind::Int),
        ];
        let mut grid = Grid::new(columns);
        let mut row = |label: String, kind: Kind, now: Cell<'static>, before: Cell<'static>| {
            let change = difference(&now, &before);
            grid.push_typed(
                vec![Cell::Owned(label), now, before, change],
                vec![Kind::Text, kind, kind, kind],
            );
        };
        let lc = &self.policy.tiers.lifecycle;
        let count = |t: &Tiering, l: Lifecycle| {
            Cell::Int(t.standings.iter().filter(|s| s.lifecycle == l).count() as i64)
        };
        let customers = Cell::Int(self.book.len() as i64);
        row(w.customers.into(), Kind::Int, customers.clone(), customers);
        let active = fill(w.active, &[&lc.active_days.get()]);
        row(
            active,
            Kind::Int,
            count(&self.now, Lifecycle::Active),
            count(&self.before, Lifecycle::Active),
        );
        let sleeping = fill(
            w.sleeping,
            &[&(lc.active_days.get() + 1), &lc.sleeping_days.get()],
        );
        row(
            sleeping,
            Kind::Int,
            count(&self.now, Lifecycle::Sleeping),
            count(&self.before, Lifecycle::Sleeping),
        );
        row(
            fill(w.lost, &[&lc.sleeping_days.get()]),
            Kind::Int,
            count(&self.now, Lifecycle::Lost),
            count(&self.before, Lifecycle::Lost),
        );
        row(
            w.spend_in_month.into(),
            Kind::Money,
            Cell::Money(Cents(self.spend[0])),
            Cell::Money(Cents(self.spend[1])),
        );
        let levels = self.policy.tiers.levels.len();
        let sum_now = summarize(&self.now.activities, &self.now.standings, levels);
        let sum_before = summarize(&self.before.activities, &self.before.standings, levels);
        for (a, b) in sum_now.iter().zip(&sum_before) {
            row(
                fill(w.tier_customers, &[&self.tier_title(a.tier)]),
                Kind::Int,
                Cell::Int(a.customers as i64),
                Cell::Int(b.customers as i64),
            );
        }
        let churn = |t: &Tiering| {
            let churned = t.standings.iter().filter(|s| s.churned).count();
            fraction(churned as i128, t.standings.len() as i128).into()
        };
        row(
            fill(w.churn_rate, &[&self.policy.tiers.churn_days.get()]),
            Kind::Rate,
            churn(&self.now),
            churn(&self.before),
        );
        let (now, before) = kpi.last_two();
        let points = |g: Option<&GroupScore>| g.map_or(Cell::Empty, |g| Cell::Dec(g.total.points));
        let weight = |g: Option<&GroupScore>| g.map_or(Cell::Empty, |g| Cell::Dec(g.total.weight));
        row(
            w.kpi_points.into(),
            Kind::Score,
            points(now),
            points(before),
        );
        row(
            w.kpi_weight.into(),
            Kind::Score,
            weight(now),
            weight(before),
        );
        row(
            w.followup_rate.into(),
            Kind::Rate,
            follow.total().done_rate().into(),
            follow.before.done_rate().into(),
        );
        let opened = |p: Period| match self.complaints {
            Some(c) => Cell::Int(opened_in(c, p.from, p.to, self.moment()).count() as i64),
            None => Cell::Empty,
        };
        row(
            w.complaints_opened.into(),
            Kind::Int,
            opened(self.month),
            opened(self.before_month),
        );
        let response = self
            .policy
            .kpi
            .rules
            .iter()
            .position(|r| matches!(r.measure, Measure::ComplaintResponse(_)));
        let rate = |g: Option<&GroupScore>| match (g, response) {
            (Some(g), Some(r)) => g.scores[r].rate.into(),
            _ => Cell::Empty,
        };
        let hours = match response.map(|r| self.policy.kpi.rules[r].measure) {
            Some(Measure::ComplaintResponse(h)) => format!("{} h", h.get()),
            _ => "24 h".into(),
        };
        row(
            fill(w.response_rate, &[&hours]),
            Kind::Rate,
            rate(now),
            rate(before),
        );
        row(
            w.csat.into(),
            Kind::Rate,
            self.csat(self.month).into(),
            self.csat(self.before_month).into(),
        );
        let mut blocks = vec![Block::Table(Table {
            id: "overview",
            title: None,
            headers: vec![w.figure.into(), this, prev, w.change.into()],
            rows: Box::new(grid),
            page_rows: None,
        })];
        blocks.push(Block::Text(w.overview_note.into()));
        if response.is_none() {
            blocks.push(Block::Text(w.no_response_kpi.into()));
        }
        if self.first_row.is_none_or(|d| d > self.before_month.to) {
            blocks.push(Block::Text(fill(w.no_month_before, &[&self.month.from])));
        }
        if self.complaints.is_none() {
            blocks.push(Block::Text(w.no_complaints_file.into()));
        }
        if !self.answers_file {
            blocks.push(Block::Text(w.no_answers_file.into()));
        }
        Section {
            id: "overview",
            title: w.overview.into(),
            blocks,
        }
    }

    /// The moment complaints are read at: the end of the report's day (§7.1).
    fn moment(&self) -> Moment {
        Moment::EndOf(self.cut)
    }

    // ---- 2. tiers

    fn tiers(&self, w: &Words) -> Section<'_> {
        let levels = self.policy.tiers.levels.len();
        let summary = summarize(&self.now.activities, &self.now.standings, levels);
        // The summary's columns, with each tier's label after its name.
        let mut columns = TIER_SUMMARY.to_vec();
        columns.insert(1, col("label", Kind::Text));
        let mut grid = Grid::new(columns);
        for r in &summary {
            let mut cells: Vec<Cell<'static>> = tier_summary(self.policy, r)
                .into_iter()
                .map(Cell::into_owned)
                .collect();
            let label = &self.policy.tiers.levels[r.tier as usize].label;
            cells.insert(1, label.clone().map_or(Cell::Empty, Cell::Owned));
            grid.push(cells);
        }
        let headers = vec![
            w.tier.into(),
            w.label.into(),
            w.customers.into(),
            w.customer_share.into(),
            w.spend.into(),
            w.spend_share.into(),
            w.churned.into(),
            w.churn_rate_short(),
            w.care_goal_met.into(),
        ];
        Section {
            id: "tiers",
            title: w.tiers.into(),
            blocks: vec![
                Block::Text(fill(w.tiers_lead, &[&self.cut])),
                Block::Table(Table {
                    id: "tiers-summary",
                    title: None,
                    headers,
                    rows: Box::new(grid),
                    page_rows: None,
                }),
                Block::Chart(Chart {
                    id: "tiers-shares",
                    kind: ChartKind::Column,
                    title: w.shares_chart.into(),
                    table: 1,
                    categories: 0,
                    series: vec![3, 5],
                    skip_last: 0,
                    references: Vec::new(),
                    titles: Vec::new(),
                }),
            ],
        }
    }

    // ---- 3. movement

    /// Each customer's tier last period: computed at the month before's end, or read
    /// from `--previous` (then also who left since).
    fn tiers_before(&self) -> (Vec<Option<u16>>, Vec<u16>) {
        match self.previous {
            None => (
                self.before.standings.iter().map(|s| Some(s.tier)).collect(),
                Vec::new(),
            ),
            Some((file, _)) => {
                let by_id: HashMap<&str, u16> = file
                    .rows
                    .iter()
                    .map(|(id, _, t)| (id.as_str(), *t))
                    .collect();
                let before = (0..self.book.len())
                    .map(|i| by_id.get(self.book.id(i)).copied())
                    .collect();
                let gone = file
                    .rows
                    .iter()
                    .filter(|(id, _, _)| self.book.find(id.as_bytes()).is_none())
                    .map(|(_, _, t)| *t)
                    .collect();
                (before, gone)
            }
        }
    }

    fn movement(
        &self,
        w: &Words,
        order: &[u32],
        before: &Arc<Vec<Option<u16>>>,
        gone: Vec<u16>,
    ) -> Section<'_> {
        let levels = self.policy.tiers.levels.len();
        let counts = movement_matrix(
            levels,
            before
                .iter()
                .zip(&self.now.standings)
                .map(|(b, s)| (*b, s.tier)),
            gone,
        );
        let mut columns = vec![col("from", Kind::Text)];
        columns.extend((0..levels + 2).map(|_| col("customers", Kind::Int)));
        let mut grid = Grid::new(columns);
        for (r, row) in counts.iter().enumerate() {
            let label = if r < levels {
                self.tier_name(r as u16).to_string()
            } else {
                w.new.to_string()
            };
            let mut cells = vec![Cell::Owned(label)];
            cells.extend(row.iter().map(|&c| Cell::Int(c)));
            grid.push(cells);
        }
        let mut headers = vec![w.from_to.to_string()];
        headers.extend((0..levels).map(|t| self.tier_name(t as u16).to_string()));
        headers.extend([w.gone.to_string(), w.total.to_string()]);
        let lead = match self.previous {
            None => fill(w.movement_computed, &[&self.before_month.to, &self.cut]),
            Some((_, path)) => fill(w.movement_file, &[&path.display(), &self.cut]),
        };
        let moved = |m: Movement| -> Vec<u32> {
            order
                .iter()
                .copied()
                .filter(|&i| {
                    let i = i as usize;
                    Movement::between(Some(self.now.standings[i].tier), before[i]) == m
                })
                .collect()
        };
        let (up, down) = (moved(Movement::Up), moved(Movement::Down));
        let mut blocks = vec![
            Block::Text(lead),
            Block::Table(Table {
                id: "movement-matrix",
                title: Some(w.matrix.into()),
                headers,
                rows: Box::new(grid),
                page_rows: None,
            }),
        ];
        for (id, title, who) in [
            ("moved-up", w.moved_up, up),
            ("moved-down", w.moved_down, down),
        ] {
            blocks.push(Block::Table(Table {
                id,
                title: Some(fill(title, &[&who.len()])),
                headers: vec![
                    w.customer_id.into(),
                    w.name.into(),
                    w.phone.into(),
                    w.owner.into(),
                    w.from_tier.into(),
                    w.to_tier.into(),
                    w.spend.into(),
                ],
                rows: Box::new(CustomerList {
                    facts: self.list_facts(before),
                    order: who,
                    columns: MOVED_COLUMNS,
                }),
                page_rows: Some(PAGE_MOVED),
            }));
        }
        Section {
            id: "movement",
            title: w.movement.into(),
            blocks,
        }
    }

    fn list_facts(&self, before: &Arc<Vec<Option<u16>>>) -> ListFacts<'_> {
        ListFacts {
            policy: self.policy,
            book: self.book,
            activities: &self.now.activities,
            standings: &self.now.standings,
            before: Arc::clone(before),
        }
    }

    // ---- 4. KPIs

    fn kpis(&self) -> Kpis {
        let rules = &self.policy.kpi.rules;
        let trend = GroupScore::all(self.months.clone(), self.kpi_trend.clone(), rules);
        let mut owners = GroupScore::all(self.owners.clone(), self.kpi_owners.clone(), rules);
        rank(&mut owners);
        Kpis { trend, owners }
    }

    // ---- 5. follow-ups

    /// CSAT of the calls answered in `period` (§9.3), as the `csat` KPI scores it; `None`
    /// with none rated.
    fn csat(&self, period: Period) -> Option<rust_decimal::Decimal> {
        let calls = overalls(self.answers, self.cut);
        let t = csat(&calls, period, &self.policy.survey.scale, 1, |_, _| 0)[0];
        fraction(t.passed.into(), t.assessed().into())
    }

    // ---- 7. satisfaction

    /// Per owner and form, each question's mean against its target and CSAT on overall:
    /// `caredesk survey --month M --by owner`, from the same [`survey_table`].
    fn satisfaction(&self, w: &Words) -> Section<'_> {
        let section = |blocks| Section {
            id: "satisfaction",
            title: w.satisfaction.into(),
            blocks,
        };
        if !self.answers_file {
            return section(vec![Block::Text(w.no_answers_file.into())]);
        }
        let survey = &self.policy.survey;
        let table = survey_table(
            survey,
            &self.policy.due,
            self.answers,
            self.jobs,
            Period {
                from: self.month.from,
                to: self.cut,
            },
            self.cut,
            self.owners.len(),
            |c, d| self.of_owner.group(c, d),
        );
        if table.lines.is_empty() {
            return section(vec![Block::Text(w.no_answers.into())]);
        }
        let columns = std::iter::once(col("owner", Kind::Text)).chain(SURVEY_LINE);
        let mut grid = Grid::new(columns.collect());
        let mut below = Vec::new();
        for l in &table.lines {
            let mut row = vec![Cell::Owned(self.owners[l.group].clone())];
            row.extend(survey_line(survey, &table, l).map(Cell::into_owned));
            grid.push(row);
            let q = &survey.forms[l.form].questions[l.question];
            if l.tally.met(q.target) == Some(false) {
                grid.flag_last(SURVEY_MET + 1);
                below.push(format!(
                    "{}.{} {} < {} ({})",
                    survey.forms[l.form].name,
                    q.id,
                    l.tally.mean().unwrap_or_default(),
                    half_up(q.target, 2),
                    self.owners[l.group]
                ));
            }
        }
        let month = self.month.from.format("%Y-%m").to_string();
        let mut blocks = vec![
            Block::Text(fill(w.satisfaction_lead, &[&month])),
            Block::Table(Table {
                id: "satisfaction-by-owner",
                title: Some(w.by_owner_form.into()),
                headers: vec![
                    w.owner.into(),
                    w.form.into(),
                    w.question.into(),
                    w.label.into(),
                    w.calls.into(),
                    w.rated.into(),
                    w.mean.into(),
                    w.target.into(),
                    w.met.into(),
                    w.csat.into(),
                ],
                rows: Box::new(grid),
                page_rows: None,
            }),
        ];
        if !below.is_empty() {
            blocks.push(Block::Text(fill(w.below_target, &[&below.join(", ")])));
        }
        section(blocks)
    }

    // ---- 6. complaints

    fn complaints_section(&self, w: &Words) -> Section<'_> {
        let month = self.month.from.format("%Y-%m").to_string();
        let Some(complaints) = self.complaints else {
            return Section {
                id: "complaints",
                title: w.complaints.into(),
                blocks: vec![Block::Text(w.no_complaints_file.into())],
            };
        };
        let at = self.moment();
        let deadlines = self.policy.complaint_deadlines();
        let of_month = || opened_in(complaints, self.month.from, self.cut, at);
        let (lines, total) = by_category(of_month(), at, deadlines);
        let mut grid = Grid::new(vec![
            col("category", Kind::Text),
            col("opened", Kind::Int),
            col("open", Kind::Int),
            col("response_breached", Kind::Int),
            col("resolution_breached", Kind::Int),
            col("escalated", Kind::Int),
        ]);
        let names = WEEKLY_ORDER.iter().map(|c| c.as_str()).chain([w.total]);
        for (name, l) in names.zip(lines.iter().chain([&total])) {
            grid.push(vec![
                Cell::Owned(name.to_string()),
                Cell::Int(l.opened as i64),
                Cell::Int(l.open as i64),
                Cell::Int(l.response_breached as i64),
                Cell::Int(l.resolution_breached as i64),
                Cell::Int(l.escalated as i64),
            ]);
        }
        let mut flagged: Vec<&Complaint> = of_month()
            .filter(|c| {
                let s = standing(c, at, deadlines);
                s.response_breached || s.resolution_breached || is_escalated(c)
            })
            .collect();
        flagged.sort_by(|a, b| (a.opened_at, &a.complaint_id).cmp(&(b.opened_at, &b.complaint_id)));
        let mut list = Grid::new(vec![
            col("complaint_id", Kind::Text),
            col("customer_id", Kind::Text),
            col("name", Kind::Text),
            col("owner", Kind::Text),
            col("category", Kind::Text),
            col("severity", Kind::Text),
            col("opened_at", Kind::Text),
            col("answered_at", Kind::Text),
            col("closed_at", Kind::Text),
            col("response_breached", Kind::Bool),
            col("resolution_breached", Kind::Bool),
        ]);
        let minutes = |t: Option<NaiveDateTime>| {
            t.map_or(Cell::Empty, |t| {
                Cell::Owned(t.format("%Y-%m-%d %H:%M").to_string())
            })
        };
        for c in &flagged {
            let s = standing(c, at, deadlines);
            let customer = self.book.get(c.customer as usize);
            list.push(vec![
                Cell::Owned(c.complaint_id.clone()),
                Cell::Owned(customer.customer_id.into()),
                Cell::Owned(customer.name.into()),
                customer
                    .owner
                    .map_or(Cell::Empty, |o| Cell::Owned(o.into())),
                Cell::Owned(c.category.as_str().into()),
                Cell::Owned(
                    if c.severity == Severity::Major {
                        "major"
                    } else {
                        "normal"
                    }
                    .into(),
                ),
                minutes(Some(c.opened_at)),
                minutes(s.answered_at),
                minutes(s.closed_at),
                Cell::Bool(s.response_breached),
                Cell::Bool(s.resolution_breached),
            ]);
            if s.response_breached {
                list.flag_last(9);
            }
            if s.resolution_breached {
                list.flag_last(10);
            }
        }
        Section {
            id: "complaints",
            title: w.complaints.into(),
            blocks: vec![
                Block::Text(fill(w.complaints_lead, &[&month, &self.cut])),
                Block::Table(Table {
                    id: "complaints-by-category",
                    title: Some(w.by_category.into()),
                    headers: vec![
                        w.category.into(),
                        w.opened.into(),
                        w.still_open.into(),
                        w.response_breached.into(),
                        w.resolution_breached.into(),
                        w.escalated.into(),
                    ],
                    rows: Box::new(grid),
                    page_rows: None,
                }),
                Block::Table(Table {
                    id: "complaints-flagged",
                    title: Some(fill(w.flagged_complaints, &[&flagged.len()])),
                    headers: vec![
                        w.complaint_id.into(),
                        w.customer_id.into(),
                        w.name.into(),
                        w.owner.into(),
                        w.category.into(),
                        w.severity.into(),
                        w.opened_at.into(),
                        w.answered_at.into(),
                        w.closed_at.into(),
                        w.response_breached.into(),
                        w.resolution_breached.into(),
                    ],
                    rows: Box::new(list),
                    page_rows: None,
                }),
            ],
        }
    }

    // ---- 8. the list

    fn list(&self, w: &Words, order: Vec<u32>, before: &Arc<Vec<Option<u16>>>) -> Section<'_> {
        Section {
            id: "list",
            title: w.list.into(),
            blocks: vec![
                Block::Text(fill(w.list_lead, &[&self.cut])),
                Block::Table(Table {
                    id: "tiers-list",
                    title: None,
                    headers: vec![
                        w.customer_id.into(),
                        w.name.into(),
                        w.tier.into(),
                        w.computed_tier.into(),
                        w.previous_tier.into(),
                        w.moved.into(),
                        w.segment.into(),
                        w.lifecycle.into(),
                        w.spend.into(),
                        w.sales.into(),
                        w.last_sale.into(),
                        w.owner.into(),
                        w.store.into(),
                    ],
                    rows: Box::new(CustomerList {
                        facts: self.list_facts(before),
                        order,
                        columns: LIST_COLUMNS,
                    }),
                    page_rows: Some(PAGE_LIST),
                }),
            ],
        }
    }
}

impl Words {
    /// "churn rate" as a column header (the overview's row says over how many days).
    fn churn_rate_short(&self) -> String {
        self.churn_rate
            .split(['（', '('])
            .next()
            .unwrap_or(self.churn_rate)
            .trim()
            .to_string()
    }
}

/// `now − before`, of the same kind; empty when either is.
fn difference(now: &Cell<'_>, before: &Cell<'_>) -> Cell<'static> {
    match (now, before) {
        (Cell::Int(a), Cell::Int(b)) => Cell::Int(a - b),
        (Cell::Money(a), Cell::Money(b)) => Cell::Money(Cents(a.0 - b.0)),
        (Cell::Dec(a), Cell::Dec(b)) => Cell::Dec(a - b),
        _ => Cell::Empty,
    }
}

/// The KPI section's scorecards: the twelve months of the trend, the owners ranked.
struct Kpis {
    trend: Vec<GroupScore>,
    owners: Vec<GroupScore>,
}

impl Kpis {
    /// The report's month and the month before, from the trend.
    fn last_two(&self) -> (Option<&GroupScore>, Option<&GroupScore>) {
        let n = self.trend.len();
        (
            self.trend.last(),
            n.checked_sub(2).and_then(|i| self.trend.get(i)),
        )
    }

    fn section<'f>(&self, w: &Words, facts: &'f Facts<'_>) -> Section<'f> {
        let rules = &facts.policy.kpi.rules;
        let month = facts.month.from.format("%Y-%m").to_string();
        let mut card = Grid::new(KPI_SCORE.to_vec());
        if let Some(g) = self.trend.last() {
            for (rule, s) in rules.iter().zip(&g.scores) {
                card.push(kpi_score(rule, s).map(Cell::into_owned).to_vec());
                if s.met == Some(false) {
                    card.flag_last(KPI_MET);
                }
            }
            card.push(
                kpi_total(w.total, w.total_label, &g.total)
                    .map(Cell::into_owned)
                    .to_vec(),
            );
        }
        let mut ranking = Grid::new(vec![
            col("rank", Kind::Int),
            col("owner", Kind::Text),
            col("points", Kind::Score),
            col("weight", Kind::Score),
            col("share", Kind::Rate),
            col("kpis_met", Kind::Int),
            col("kpis_assessed", Kind::Int),
        ]);
        for (i, g) in self.owners.iter().enumerate() {
            let met = g.scores.iter().filter(|s| s.met == Some(true)).count();
            let assessed = g.scores.iter().filter(|s| !s.is_na()).count();
            ranking.push(vec![
                Cell::Int(i as i64 + 1),
                Cell::Owned(g.name.clone()),
                Cell::Dec(g.total.points),
                Cell::Dec(g.total.weight),
                g.share().map(|s| half_up(s, 4)).into(),
                Cell::Int(met as i64),
                Cell::Int(assessed as i64),
            ]);
        }
        let mut columns = vec![col("month", Kind::Text)];
        columns.extend(rules.iter().map(|_| col("rate", Kind::Rate)));
        columns.push(col("points", Kind::Score));
        let mut trend = Grid::new(columns);
        for g in &self.trend {
            let mut cells = vec![Cell::Owned(g.name.clone())];
            cells.extend(g.scores.iter().map(|s| Cell::from(s.rate)));
            cells.push(Cell::Dec(g.total.points));
            trend.push(cells);
        }
        let mut trend_headers = vec![w.month.to_string()];
        trend_headers.extend(rules.iter().map(|r| r.name.clone()));
        trend_headers.push(w.points.into());
        let mut blocks = vec![
            Block::Table(Table {
                id: "kpi-scorecard",
                title: Some(fill(w.scorecard, &[&month])),
                headers: vec![
                    w.kpi.into(),
                    w.label.into(),
                    w.assessed.into(),
                    w.passed.into(),
                    w.failed.into(),
                    w.rate.into(),
                    w.target.into(),
                    w.met.into(),
                    w.weight.into(),
                    w.points.into(),
                ],
                rows: Box::new(card),
                page_rows: None,
            }),
            Block::Table(Table {
                id: "kpi-ranking",
                title: Some(w.ranking.into()),
                headers: vec![
                    w.rank.into(),
                    w.owner.into(),
                    w.points.into(),
                    w.weight.into(),
                    w.share.into(),
                    w.kpis_met.into(),
                    w.kpis_assessed.into(),
                ],
                rows: Box::new(ranking),
                page_rows: None,
            }),
            Block::Table(Table {
                id: "kpi-trend",
                title: Some(w.trend.into()),
                headers: trend_headers,
                rows: Box::new(trend),
                page_rows: None,
            }),
            Block::Chart(Chart {
                id: "kpi-trend",
                kind: ChartKind::Line,
                title: w.trend_chart.into(),
                table: 2,
                categories: 0,
                series: (1..=rules.len()).collect(),
                skip_last: 0,
                // A target of `"average"` is each month's pooled rate: no one line.
                references: rules
                    .iter()
                    .map(|r| match r.target {
                        Target::Rate(t) => Some(t),
                        Target::Average => None,
                    })
                    .collect(),
                titles: rules
                    .iter()
                    .map(|r| {
                        if r.label.is_empty() {
                            r.name.clone()
                        } else {
                            format!("{} · {}", r.name, r.label)
                        }
                    })
                    .collect(),
            }),
            Block::Text(w.trend_note.into()),
        ];
        if facts.complaints.is_none() {
            blocks.push(Block::Text(w.no_complaints_file.into()));
        }
        Section {
            id: "kpis",
            title: w.kpis.into(),
            blocks,
        }
    }
}

/// The follow-ups of the month per rule and owner, and the month before's total: each
/// item counted in the state `followup_done` reads (§9.4).
pub struct FollowUps {
    /// Per due rule of the policy (the rules not followed up stay empty).
    pub by_rule: Vec<FollowupTally>,
    /// Per owner (in [`Facts::owners`]).
    pub by_owner: Vec<FollowupTally>,
    pub total: FollowupTally,
    pub before: FollowupTally,
}

impl FollowUps {
    /// The month's follow-ups, all rules together.
    fn total(&self) -> FollowupTally {
        self.total
    }

    fn grid(first: &'static str, rows: &[(String, FollowupTally)]) -> Grid {
        let mut grid = Grid::new(vec![
            col(first, Kind::Text),
            col("due", Kind::Int),
            col("done", Kind::Int),
            col("refused", Kind::Int),
            col("open", Kind::Int),
            col("missed", Kind::Int),
            col("done_rate", Kind::Rate),
        ]);
        for (name, t) in rows {
            grid.push(vec![
                Cell::Owned(name.clone()),
                Cell::Int(t.due as i64),
                Cell::Int(t.done as i64),
                Cell::Int(t.refused as i64),
                Cell::Int(t.open as i64),
                Cell::Int(t.missed as i64),
                t.done_rate().into(),
            ]);
        }
        grid
    }

    fn section<'f>(&self, w: &Words, facts: &'f Facts<'_>) -> Section<'f> {
        let headers = |first: &str| -> Vec<String> {
            vec![
                first.into(),
                w.due.into(),
                w.done.into(),
                w.refused.into(),
                w.open.into(),
                w.missed.into(),
                w.done_rate.into(),
            ]
        };
        let policy = facts.policy;
        let mut rules: Vec<(String, FollowupTally)> = policy
            .due
            .rules
            .iter()
            .enumerate()
            .filter(|(r, rule)| {
                rule.enabled
                    && crate::domain::kpi::may_count_items_of(
                        Measure::FollowupDone,
                        *r,
                        &policy.due,
                        &policy.survey,
                    )
            })
            .map(|(r, rule)| (rule.name.clone(), self.by_rule[r]))
            .collect();
        rules.push((w.total.into(), self.total));
        let owners: Vec<(String, FollowupTally)> = facts
            .owners
            .iter()
            .zip(&self.by_owner)
            .filter(|(_, t)| t.due > 0)
            .map(|(o, t)| (o.clone(), *t))
            .collect();
        Section {
            id: "followups",
            title: w.followups.into(),
            blocks: vec![
                Block::Text(fill(w.followups_lead, &[&policy.due.grace.get()])),
                Block::Table(Table {
                    id: "followups-by-rule",
                    title: Some(w.by_rule.into()),
                    headers: headers(w.rule),
                    rows: Box::new(Self::grid("rule", &rules)),
                    page_rows: None,
                }),
                Block::Table(Table {
                    id: "followups-by-owner",
                    title: Some(w.by_owner.into()),
                    headers: headers(w.owner),
                    rows: Box::new(Self::grid("owner", &owners)),
                    page_rows: None,
                }),
                Block::Chart(Chart {
                    id: "followups-done-rate",
                    kind: ChartKind::Bar,
                    title: w.done_chart.into(),
                    table: 2,
                    categories: 0,
                    series: vec![6],
                    skip_last: 0,
                    references: Vec::new(),
                    titles: Vec::new(),
                }),
            ],
        }
    }
}

/// What a customer list shows of each customer.
struct ListFacts<'a> {
    policy: &'a Policy,
    book: &'a CustomerBook,
    activities: &'a [Activity],
    standings: &'a [Standing],
    /// Each customer's tier last period (shared by the lists of a report).
    before: Arc<Vec<Option<u16>>>,
}

/// Which columns a customer list has.
#[derive(Clone, Copy)]
enum ListColumns {
    Moved,
    Full,
}

const MOVED_COLUMNS: ListColumns = ListColumns::Moved;
const LIST_COLUMNS: ListColumns = ListColumns::Full;

const MOVED: &[Column<'static>] = &[
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("phone", Kind::Phone),
    col("owner", Kind::Text),
    col("from", Kind::Text),
    col("to", Kind::Text),
    col("spend", Kind::Money),
];

const FULL: &[Column<'static>] = &[
    col("customer_id", Kind::Text),
    col("name", Kind::Text),
    col("tier", Kind::Text),
    col("computed_tier", Kind::Text),
    col("previous_tier", Kind::Text),
    col("movement", Kind::Text),
    col("segment", Kind::Text),
    col("lifecycle", Kind::Text),
    col("spend", Kind::Money),
    col("sales", Kind::Int),
    col("last_sale", Kind::Date),
    col("owner", Kind::Text),
    col("store", Kind::Text),
];

/// Customers in a given order, streamed from the tiering (a million rows are never
/// all cells at once).
struct CustomerList<'a> {
    facts: ListFacts<'a>,
    order: Vec<u32>,
    columns: ListColumns,
}

impl Rows for CustomerList<'_> {
    fn columns(&self) -> &[Column<'_>] {
        match self.columns {
            ListColumns::Moved => MOVED,
            ListColumns::Full => FULL,
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn prefetch(&self, i: usize) {
        if let Some(&c) = self.order.get(i) {
            self.facts.book.prefetch_row(c as usize);
        }
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let f = &self.facts;
        let c = self.order[i] as usize;
        let customer = f.book.get(c);
        let (a, s) = (&f.activities[c], &f.standings[c]);
        let tier = |t: u16| Cell::Text(&f.policy.tiers.levels[t as usize].name);
        let before = f.before[c];
        match self.columns {
            ListColumns::Moved => out.extend([
                Cell::Text(customer.customer_id),
                Cell::Text(customer.name),
                customer.phone.into(),
                customer.owner.into(),
                before.map_or(Cell::Empty, tier),
                tier(s.tier),
                Cell::Money(a.spend()),
            ]),
            ListColumns::Full => out.extend([
                Cell::Text(customer.customer_id),
                Cell::Text(customer.name),
                tier(s.tier),
                tier(s.computed_tier),
                before.map_or(Cell::Empty, tier),
                Cell::Text(Movement::between(Some(s.tier), before).as_str()),
                Cell::Text(s.segment.as_str()),
                Cell::Text(s.lifecycle.as_str()),
                Cell::Money(a.spend()),
                Cell::Int(a.sales.into()),
                a.last_sale.into(),
                customer.owner.into(),
                customer.store.into(),
            ]),
        }
    }
}
