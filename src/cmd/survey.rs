//! `caredesk survey`: what the customers answered, per form and question (docs/rules.md
//! §9.3): the calls that answered, the rated answers, their mean against the target, and
//! CSAT on `overall`; the questions below target are the furniture house's 整改 list. Per
//! consultant or store (the customer's owner or store), or per month of the answers.

use rust_decimal::Decimal;

use crate::app::{fail_on, groups, say, Output, Plan};
use crate::cli::SurveyArgs;
use crate::domain::half_up;
use crate::domain::kpi::Period;
use crate::domain::survey::{survey_table, QuestionLine, SurveyTable};
use crate::error::{Error, Problems, Result};
use crate::policy::Policy;
use crate::report::rows::{survey_line, SURVEY_LINE, SURVEY_MET};
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
    let table = survey_table(
        &policy.survey,
        &policy.due,
        &answers,
        &jobs,
        period,
        plan.as_of,
        names.len(),
        |c, d| grouping.group(c, d),
    );
    let output = Output::resolve(&args.output, false);
    if table.lines.is_empty() && output.format == Format::Table && output.path.is_none() {
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
        columns: std::iter::once(col("group", Kind::Text))
            .chain(SURVEY_LINE)
            .collect(),
        policy: &policy,
        names,
        period,
        table,
    };
    output.write(&rows, &plan.inputs())
}

struct Report<'a> {
    columns: Vec<Column<'static>>,
    policy: &'a Policy,
    names: Vec<String>,
    period: Period,
    table: SurveyTable,
}

impl Report<'_> {
    fn target(&self, l: &QuestionLine) -> Decimal {
        self.policy.survey.forms[l.form].questions[l.question].target
    }
}

impl Rows for Report<'_> {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.table.lines.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        let l = &self.table.lines[i];
        out.push(Cell::Text(&self.names[l.group]));
        out.extend(survey_line(&self.policy.survey, &self.table, l));
    }

    fn flagged(&self, i: usize, column: usize) -> bool {
        let l = &self.table.lines[i];
        column == SURVEY_MET + 1 && l.tally.met(self.target(l)) == Some(false)
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec![format!(
            "period: {} to {} (answers by their day; a call's CSAT by its overall answer's day)",
            self.period.from, self.period.to
        )];
        let below: Vec<String> = self
            .table
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
