//! `caredesk survey`: what the customers answered, per form and question (docs/rules.md
//! §9.3): the calls that answered, the rated answers, their mean against the target, and
//! CSAT on `overall`; the questions below target are the furniture house's 整改 list. Per
//! consultant or store (the customer's owner or store), or per month of the answers.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::app::{fail_on, groups, say, Output, Plan};
use crate::cli::SurveyArgs;
use crate::domain::half_up;
use crate::domain::kpi::Period;
use crate::domain::survey::{call_of, csat, overalls, question_tallies, CallKey, QuestionTally};
use crate::error::{Error, Problems, Result};
use crate::model::{Answer, OrderKind};
use crate::policy::{Policy, OVERALL};
use crate::report::{col, Cell, Column, Format, Kind, Rows};

pub fn run(plan: &Plan, args: &SurveyArgs) -> Result<()> {
    let s = &args.scope;
    let period = Period::asked(s.month, s.from, s.to, plan.as_of).map_err(Error::Usage)?;
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    let mut answers = plan.load_answers(&policy, &book, &mut problems)?;
    // Answers dated after as-of have not been given yet.
    answers.retain(|a| a.answered_on <= plan.as_of);
    let jobs = plan.job_kinds(&policy, &book, &answers, &mut problems)?;
    fail_on(problems)?;
    let (names, grouping) = groups(&book, args.scope.by, period);
    let rule_of: HashMap<&str, usize> = policy
        .due
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i))
        .collect();
    let form_of = |call: CallKey<'_>| {
        let r = *rule_of.get(call.1)?;
        let kind: Option<OrderKind> = jobs.get(&(call.0, call.2.to_string())).copied();
        policy.survey.form_for(r, kind)
    };
    let question_of = |a: &Answer| {
        let f = form_of(call_of(a))?;
        let q = policy.survey.forms[f]
            .questions
            .iter()
            .position(|q| q.id == a.question)?;
        Some((grouping.group(a.customer, a.answered_on), f, q))
    };
    let tallies = question_tallies(&answers, period, question_of);
    // CSAT per group and form, on the calls' overall answers.
    let calls = overalls(&answers, plan.as_of);
    let forms = policy.survey.forms.len();
    let mut satisfaction = vec![crate::domain::kpi::Tally::default(); names.len() * forms];
    for (f, form_calls) in (0..forms).map(|f| {
        let of_form: Vec<_> = calls
            .iter()
            .copied()
            .filter(|o| form_of(o.call) == Some(f))
            .collect();
        (f, of_form)
    }) {
        let by_group = csat(
            &form_calls,
            period,
            &policy.survey.scale,
            names.len(),
            |c, d| grouping.group(c, d),
        );
        for (g, t) in by_group.into_iter().enumerate() {
            satisfaction[g * forms + f] = t;
        }
    }
    let mut lines = Vec::new();
    for (g, _) in names.iter().enumerate() {
        for (f, form) in policy.survey.forms.iter().enumerate() {
            let answered = (0..form.questions.len()).any(|q| tallies.contains_key(&(g, f, q)));
            if !answered {
                continue;
            }
            for q in 0..form.questions.len() {
                lines.push(Line {
                    group: g,
                    form: f,
                    question: q,
                    tally: tallies.get(&(g, f, q)).copied().unwrap_or_default(),
                });
            }
        }
    }
    let output = Output::resolve(&args.output, false);
    if lines.is_empty() && output.format == Format::Table && output.path.is_none() {
        return say(&[format!(
            "no survey answers from {} to {}{}",
            period.from,
            period.to,
            if answers.is_empty() {
                format!(" ({} holds none)", crate::app::display(&plan.answers))
            } else {
                String::new()
            }
        )]);
    }
    let rows = Report {
        policy: &policy,
        names,
        period,
        lines,
        satisfaction,
    };
    output.write(&rows, &plan.inputs())
}

/// One question of one form in one group.
struct Line {
    group: usize,
    form: usize,
    question: usize,
    tally: QuestionTally,
}

const COLUMNS: &[Column<'static>] = &[
    col("group", Kind::Text),
    col("form", Kind::Text),
    col("question", Kind::Text),
    col("label", Kind::Text),
    col("calls", Kind::Int),
    col("rated", Kind::Int),
    col("mean", Kind::Score),
    col("target", Kind::Score),
    col("met", Kind::Bool),
    col("csat", Kind::Rate),
];

struct Report<'a> {
    policy: &'a Policy,
    names: Vec<String>,
    period: Period,
    lines: Vec<Line>,
    /// `[group * forms + form]`: the calls' overall answers, satisfied or not.
    satisfaction: Vec<crate::domain::kpi::Tally>,
}

impl Report<'_> {
    fn target(&self, l: &Line) -> Decimal {
        self.policy.survey.forms[l.form].questions[l.question].target
    }
}

impl Rows for Report<'_> {
    fn columns(&self) -> &[Column<'_>] {
        COLUMNS
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let l = &self.lines[i];
        let form = &self.policy.survey.forms[l.form];
        let q = &form.questions[l.question];
        let csat = (q.id == OVERALL)
            .then(|| self.satisfaction[l.group * self.policy.survey.forms.len() + l.form])
            .and_then(|t| crate::domain::tiers::fraction(t.passed as i128, t.assessed() as i128));
        out.extend([
            Cell::Text(&self.names[l.group]),
            Cell::Text(&form.name),
            Cell::Text(&q.id),
            Cell::Text(&q.label),
            Cell::Int(l.tally.calls as i64),
            Cell::Int(l.tally.rated as i64),
            l.tally.mean().into(),
            Cell::Dec(half_up(q.target, 2)),
            l.tally.met(q.target).map_or(Cell::Empty, Cell::Bool),
            csat.into(),
        ]);
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        let l = &self.lines[i];
        COLUMNS[column].name == "met" && l.tally.met(self.target(l)) == Some(false)
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec![format!(
            "period: {} to {} (answers by their day; a call's CSAT by its overall answer's day)",
            self.period.from, self.period.to
        )];
        let below: Vec<String> = self
            .lines
            .iter()
            .filter(|l| l.tally.met(self.target(l)) == Some(false))
            .map(|l| {
                let form = &self.policy.survey.forms[l.form];
                let group = match self.names.len() {
                    1 => String::new(),
                    _ => format!(" ({})", self.names[l.group]),
                };
                format!(
                    "{}.{} {} < {}{group}",
                    form.name,
                    form.questions[l.question].id,
                    l.tally.mean().unwrap_or_default(),
                    half_up(self.target(l), 2)
                )
            })
            .collect();
        if !below.is_empty() {
            notes.push(format!("below target (整改 list): {}", below.join(", ")));
        }
        notes
    }
}
