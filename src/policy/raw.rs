//! The policy as the TOML reads: every key with its line, every value as its TOML type
//! gave it. Reading never stops at a problem: a value of the wrong type, a table where a
//! value belongs, an unknown key are each noted with their key and line, and the rest is
//! read on, so one run lists them all. What the values mean (which are required, their
//! bounds, how they fit together) is [`super::resolve`]'s part.

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use toml_edit::{Item, TableLike, Value};

use crate::error::{Problem, Problems};

/// A value the file gave, with its dotted key (`due.rules[3].days`) and line.
#[derive(Debug, Clone, PartialEq)]
pub struct Given<T> {
    pub value: T,
    pub key: String,
    pub line: u64,
}

/// One key of a table.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Field<T> {
    /// Not in the file.
    #[default]
    Absent,
    /// In the file with a value of the wrong type: already reported.
    Invalid,
    Given(Given<T>),
}

impl<T> Field<T> {
    pub fn given(&self) -> Option<&Given<T>> {
        match self {
            Field::Given(g) => Some(g),
            _ => None,
        }
    }

    pub fn value(&self) -> Option<&T> {
        self.given().map(|g| &g.value)
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// In the file, whatever its value.
    pub fn is_present(&self) -> bool {
        !self.is_absent()
    }

    /// Where a given value is.
    pub fn place(&self) -> Option<Place> {
        self.given().map(|g| Place {
            key: g.key.clone(),
            line: g.line,
        })
    }
}

/// Where a table is, for problems about what it lacks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub key: String,
    pub line: u64,
}

/// The whole file as read.
#[derive(Debug, Clone, Default)]
pub struct RawPolicy {
    /// The file as the user named it, for messages.
    pub file: String,
    pub columns: RawColumns,
    pub input: RawInput,
    pub validation: RawValidation,
    pub tiers: RawTiers,
    pub kpi: RawKpi,
    pub due: RawDue,
    pub survey: RawSurvey,
    pub report: RawReport,
    /// What reading found: syntax, wrong types, unknown keys.
    pub problems: Problems,
    /// What reading found that does not stop a run: keys the policy reads no more.
    pub warnings: Vec<Problem>,
    /// The line of every key the file gave.
    pub lines: BTreeMap<String, u64>,
}

/// `[columns.*]`: contract column → the header in the file, per file.
#[derive(Debug, Clone, Default)]
pub struct RawColumns {
    pub customers: Vec<Given<(String, String)>>,
    pub orders: Vec<Given<(String, String)>>,
    pub complaints: Vec<Given<(String, String)>>,
    pub contacts: Vec<Given<(String, String)>>,
    pub answers: Vec<Given<(String, String)>>,
}

/// `[input]`: how the data files are read.
#[derive(Debug, Clone, Default)]
pub struct RawInput {
    pub encoding: Field<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RawValidation {
    pub unknown_customer: Field<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RawTiers {
    pub method: Field<String>,
    pub window_days: Field<i64>,
    pub levels: Field<Vec<RawLevel>>,
    pub score: RawScore,
    pub refunds_are_purchases: Field<bool>,
    pub points_per_unit: Field<Decimal>,
    pub lifecycle: RawLifecycle,
    pub segments: RawSegments,
    pub churn_days: Field<i64>,
    pub care_goal: RawCareGoal,
}

#[derive(Debug, Clone, Default)]
pub struct RawLevel {
    pub at: Place,
    pub name: Field<String>,
    pub label: Field<String>,
    pub min_spend: Field<Decimal>,
    pub share: Field<Decimal>,
    pub min_score: Field<Decimal>,
    pub care_plan: Field<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct RawScore {
    pub at: Place,
    pub spend: Field<Decimal>,
    pub profit: Field<Decimal>,
    pub sales: Field<Decimal>,
}

#[derive(Debug, Clone, Default)]
pub struct RawLifecycle {
    pub active_days: Field<i64>,
    pub sleeping_days: Field<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RawSegments {
    pub window_days: Field<i64>,
    pub min_per_year: Field<Decimal>,
    pub top_rank: Field<Decimal>,
    pub new_days: Field<i64>,
    pub retain_months: Field<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RawCareGoal {
    pub min_sales: Field<i64>,
    pub min_referrals: Field<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RawKpi {
    pub scoring: Field<String>,
    pub rules: Field<Vec<RawKpiRule>>,
}

#[derive(Debug, Clone, Default)]
pub struct RawKpiRule {
    pub at: Place,
    pub name: Field<String>,
    pub label: Field<String>,
    pub measure: Field<String>,
    pub kind: Field<String>,
    pub window_days: Field<i64>,
    pub hours: Field<i64>,
    pub target: Field<RawTarget>,
    pub weight: Field<Decimal>,
    pub tiers: Field<Vec<Given<String>>>,
}

/// A KPI target as written: a number, or a word (`"average"`).
#[derive(Debug, Clone, PartialEq)]
pub enum RawTarget {
    Number(Decimal),
    Word(String),
}

#[derive(Debug, Clone, Default)]
pub struct RawDue {
    pub grace_days: Field<i64>,
    pub rules: Field<Vec<RawDueRule>>,
    pub holidays: Field<Vec<RawHoliday>>,
}

#[derive(Debug, Clone, Default)]
pub struct RawReport {
    pub language: Field<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RawDueRule {
    pub at: Place,
    pub name: Field<String>,
    pub source: Field<String>,
    pub channel: Field<String>,
    pub enabled: Field<bool>,
    pub tiers: Field<Vec<Given<String>>>,
    pub above_bottom: Field<bool>,
    pub days: Field<i64>,
    pub months: Field<i64>,
    pub from_days: Field<i64>,
    pub to_days: Field<i64>,
    pub hours: Field<i64>,
    pub kinds: Field<Vec<Given<String>>>,
    pub max_score: Field<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RawHoliday {
    pub at: Place,
    pub name: Field<String>,
    pub date: Field<String>,
    pub month_day: Field<String>,
    pub lunar: Field<String>,
}

/// `[survey]`: the answer scale and the forms.
#[derive(Debug, Clone, Default)]
pub struct RawSurvey {
    pub scale: RawScale,
    pub forms: Field<Vec<RawForm>>,
}

#[derive(Debug, Clone, Default)]
pub struct RawScale {
    pub at: Place,
    pub labels: Field<Vec<Given<String>>>,
    pub not_rated: Field<String>,
    pub satisfied: Field<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RawForm {
    pub at: Place,
    pub name: Field<String>,
    pub label: Field<String>,
    pub rules: Field<Vec<Given<String>>>,
    pub kinds: Field<Vec<Given<String>>>,
    pub questions: Field<Vec<RawQuestion>>,
}

#[derive(Debug, Clone, Default)]
pub struct RawQuestion {
    pub at: Place,
    pub id: Field<String>,
    pub label: Field<String>,
    pub target: Field<Decimal>,
}

/// Keys the policy once read and reads no more, with what to do about them.
const RETIRED_LEVEL_KEYS: &[(&str, &str)] = &[(
    "keep_privileges",
    "no longer read: nothing in caredesk grants or withdraws privileges (docs/rules.md §3.3); remove the key",
)];

impl RawPolicy {
    /// Reads `text`; `file` names it in messages. Always returns what could be read, with
    /// every problem found in [`RawPolicy::problems`].
    pub fn read(text: &str, file: &str) -> RawPolicy {
        let mut raw = RawPolicy {
            file: file.to_string(),
            ..RawPolicy::default()
        };
        let mut r = Reader::new(text, file);
        let doc = match toml_edit::Document::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                let line = r.line_of(e.span(), 0);
                r.problem(line, None, format!("TOML syntax: {}", e.message().trim()));
                raw.problems = r.problems;
                raw.warnings = r.warnings;
                return raw;
            }
        };
        let mut root = Table {
            items: doc.as_table(),
            path: String::new(),
            line: 0,
            read: Vec::new(),
        };
        if let Some(mut t) = root.table(&mut r, "columns") {
            raw.columns = RawColumns {
                customers: t.headers(&mut r, "customers"),
                orders: t.headers(&mut r, "orders"),
                complaints: t.headers(&mut r, "complaints"),
                contacts: t.headers(&mut r, "contacts"),
                answers: t.headers(&mut r, "answers"),
            };
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "input") {
            raw.input.encoding = t.string(&mut r, "encoding");
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "validation") {
            raw.validation.unknown_customer = t.string(&mut r, "unknown_customer");
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "tiers") {
            raw.tiers = RawTiers::read(&mut t, &mut r);
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "kpi") {
            raw.kpi = RawKpi {
                scoring: t.string(&mut r, "scoring"),
                rules: t.tables(&mut r, "rules", RawKpiRule::read),
            };
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "due") {
            raw.due = RawDue {
                grace_days: t.int(&mut r, "grace_days"),
                rules: t.tables(&mut r, "rules", RawDueRule::read),
                holidays: t.tables(&mut r, "holidays", RawHoliday::read),
            };
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "survey") {
            raw.survey = RawSurvey::read(&mut t, &mut r);
            t.finish(&mut r, &[]);
        }
        if let Some(mut t) = root.table(&mut r, "report") {
            raw.report.language = t.string(&mut r, "language");
            t.finish(&mut r, &[]);
        }
        root.finish(&mut r, &[]);
        raw.problems = r.problems;
        raw.warnings = r.warnings;
        raw.lines = r.lines;
        raw
    }
}

impl RawTiers {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawTiers {
        let mut tiers = RawTiers {
            method: t.string(r, "method"),
            window_days: t.int(r, "window_days"),
            levels: t.tables(r, "levels", RawLevel::read),
            refunds_are_purchases: t.bool(r, "refunds_are_purchases"),
            points_per_unit: t.decimal(r, "points_per_unit"),
            churn_days: t.int(r, "churn_days"),
            ..RawTiers::default()
        };
        if let Some(mut s) = t.table(r, "score") {
            tiers.score = RawScore {
                at: s.place(),
                spend: s.decimal(r, "spend"),
                profit: s.decimal(r, "profit"),
                sales: s.decimal(r, "sales"),
            };
            s.finish(r, &[]);
        }
        if let Some(mut l) = t.table(r, "lifecycle") {
            tiers.lifecycle = RawLifecycle {
                active_days: l.int(r, "active_days"),
                sleeping_days: l.int(r, "sleeping_days"),
            };
            l.finish(r, &[]);
        }
        if let Some(mut s) = t.table(r, "segments") {
            tiers.segments = RawSegments {
                window_days: s.int(r, "window_days"),
                min_per_year: s.decimal(r, "min_per_year"),
                top_rank: s.decimal(r, "top_rank"),
                new_days: s.int(r, "new_days"),
                retain_months: s.int(r, "retain_months"),
            };
            s.finish(r, &[]);
        }
        if let Some(mut g) = t.table(r, "care_goal") {
            tiers.care_goal = RawCareGoal {
                min_sales: g.int(r, "min_sales"),
                min_referrals: g.int(r, "min_referrals"),
            };
            g.finish(r, &[]);
        }
        tiers
    }
}

impl RawLevel {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawLevel {
        let level = RawLevel {
            at: t.place(),
            name: t.string(r, "name"),
            label: t.string(r, "label"),
            min_spend: t.decimal(r, "min_spend"),
            share: t.decimal(r, "share"),
            min_score: t.decimal(r, "min_score"),
            care_plan: t.bool(r, "care_plan"),
        };
        t.finish(r, RETIRED_LEVEL_KEYS);
        level
    }
}

impl RawKpiRule {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawKpiRule {
        let rule = RawKpiRule {
            at: t.place(),
            name: t.string(r, "name"),
            label: t.string(r, "label"),
            measure: t.string(r, "measure"),
            kind: t.string(r, "kind"),
            window_days: t.int(r, "window_days"),
            hours: t.int(r, "hours"),
            target: t.value(r, "target", "a number or \"average\"", target),
            weight: t.decimal(r, "weight"),
            tiers: t.strings(r, "tiers"),
        };
        t.finish(r, &[]);
        rule
    }
}

impl RawDueRule {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawDueRule {
        let rule = RawDueRule {
            at: t.place(),
            name: t.string(r, "name"),
            source: t.string(r, "source"),
            channel: t.string(r, "channel"),
            enabled: t.bool(r, "enabled"),
            tiers: t.strings(r, "tiers"),
            above_bottom: t.bool(r, "above_bottom"),
            days: t.int(r, "days"),
            months: t.int(r, "months"),
            from_days: t.int(r, "from_days"),
            to_days: t.int(r, "to_days"),
            hours: t.int(r, "hours"),
            kinds: t.strings(r, "kinds"),
            max_score: t.int(r, "max_score"),
        };
        t.finish(r, &[]);
        rule
    }
}

impl RawSurvey {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawSurvey {
        let mut survey = RawSurvey {
            forms: t.tables(r, "forms", RawForm::read),
            ..RawSurvey::default()
        };
        if let Some(mut s) = t.table(r, "scale") {
            survey.scale = RawScale {
                at: s.place(),
                labels: s.strings(r, "labels"),
                not_rated: s.string(r, "not_rated"),
                satisfied: s.int(r, "satisfied"),
            };
            s.finish(r, &[]);
        }
        survey
    }
}

impl RawForm {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawForm {
        let form = RawForm {
            at: t.place(),
            name: t.string(r, "name"),
            label: t.string(r, "label"),
            rules: t.strings(r, "rules"),
            kinds: t.strings(r, "kinds"),
            questions: t.tables(r, "questions", RawQuestion::read),
        };
        t.finish(r, &[]);
        form
    }
}

impl RawQuestion {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawQuestion {
        let question = RawQuestion {
            at: t.place(),
            id: t.string(r, "id"),
            label: t.string(r, "label"),
            target: t.decimal(r, "target"),
        };
        t.finish(r, &[]);
        question
    }
}

impl RawHoliday {
    fn read(t: &mut Table<'_>, r: &mut Reader<'_>) -> RawHoliday {
        let holiday = RawHoliday {
            at: t.place(),
            name: t.string(r, "name"),
            date: t.string(r, "date"),
            month_day: t.string(r, "month_day"),
            lunar: t.string(r, "lunar"),
        };
        t.finish(r, &[]);
        holiday
    }
}

// ---- the reader

/// The text being read, and what reading found.
struct Reader<'t> {
    text: &'t str,
    file: &'t str,
    /// Byte offsets of the line ends, for turning a span into a line.
    newlines: Vec<usize>,
    problems: Problems,
    warnings: Vec<Problem>,
    lines: BTreeMap<String, u64>,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str, file: &'t str) -> Self {
        Reader {
            text,
            file,
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
            problems: Problems::new(),
            warnings: Vec::new(),
            lines: BTreeMap::new(),
        }
    }

    /// The 1-based line of a span's start, or `fallback` without one.
    fn line_of(&self, span: Option<Range<usize>>, fallback: u64) -> u64 {
        span.map_or(fallback, |s| {
            self.newlines.partition_point(|&n| n < s.start) as u64 + 1
        })
    }

    fn problem(&mut self, line: u64, key: Option<&str>, message: impl Into<String>) {
        self.problems.add(self.file, line, key, None, message);
    }

    fn warning(&mut self, line: u64, key: &str, message: &str) {
        self.warnings.push(Problem {
            file: self.file.to_string(),
            line,
            column: Some(key.to_string()),
            value: None,
            expected: message.to_string(),
            reach: crate::error::Reach::Own,
        });
    }

    /// A value as written, for messages: `30.5`, `"long"`, `a list`.
    fn shown(&self, value: &Value) -> String {
        match value {
            Value::Array(_) => "a list".into(),
            Value::InlineTable(_) => "a table".into(),
            _ => value
                .span()
                .and_then(|s| self.text.get(s))
                .map_or_else(|| value.type_name().to_string(), |s| s.trim().to_string()),
        }
    }
}

/// One table of the document, noting the keys read so the rest are reported as unknown.
struct Table<'d> {
    items: &'d dyn TableLike,
    /// Its dotted path (`tiers.levels[2]`); empty for the document.
    path: String,
    line: u64,
    read: Vec<&'static str>,
}

/// Reads a TOML value as `T`, or says what was expected.
type Convert<T> = fn(&Value, &Reader<'_>) -> Result<T, String>;

impl<'d> Table<'d> {
    fn place(&self) -> Place {
        Place {
            key: self.path.clone(),
            line: self.line,
        }
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The item of `key`, its dotted path and its line; marks the key as read.
    fn entry(&mut self, r: &mut Reader<'_>, key: &'static str) -> Option<(&'d Item, String, u64)> {
        self.read.push(key);
        let (k, item) = self.items.get_key_value(key)?;
        if item.is_none() {
            return None;
        }
        let path = self.path_of(key);
        let line = r.line_of(k.span().or_else(|| item.span()), self.line);
        r.lines.insert(path.clone(), line);
        Some((item, path, line))
    }

    fn value<T>(
        &mut self,
        r: &mut Reader<'_>,
        key: &'static str,
        what: &str,
        convert: Convert<T>,
    ) -> Field<T> {
        let Some((item, path, line)) = self.entry(r, key) else {
            return Field::Absent;
        };
        let found = match item.as_value() {
            Some(v) => match convert(v, r) {
                Ok(value) => {
                    return Field::Given(Given {
                        value,
                        key: path,
                        line,
                    })
                }
                Err(message) => message,
            },
            None => format!("expected {what}, found a table"),
        };
        r.problem(line, Some(&path), found);
        Field::Invalid
    }

    fn int(&mut self, r: &mut Reader<'_>, key: &'static str) -> Field<i64> {
        self.value(r, key, "a whole number", |v, r| match v {
            Value::Integer(i) => Ok(*i.value()),
            other => Err(format!("expected a whole number, found {}", r.shown(other))),
        })
    }

    fn decimal(&mut self, r: &mut Reader<'_>, key: &'static str) -> Field<Decimal> {
        self.value(r, key, "a number", decimal)
    }

    fn string(&mut self, r: &mut Reader<'_>, key: &'static str) -> Field<String> {
        self.value(r, key, "text in quotes", |v, r| match v {
            Value::String(s) => Ok(s.value().clone()),
            other => Err(format!("expected text in quotes, found {}", r.shown(other))),
        })
    }

    fn bool(&mut self, r: &mut Reader<'_>, key: &'static str) -> Field<bool> {
        self.value(r, key, "true or false", |v, r| match v {
            Value::Boolean(b) => Ok(*b.value()),
            other => Err(format!("expected true or false, found {}", r.shown(other))),
        })
    }

    /// A list of texts (`kinds = ["install", "repair"]`), each with its own key.
    fn strings(&mut self, r: &mut Reader<'_>, key: &'static str) -> Field<Vec<Given<String>>> {
        let Some((item, path, line)) = self.entry(r, key) else {
            return Field::Absent;
        };
        let Some(Value::Array(list)) = item.as_value() else {
            let found = item.as_value().map_or("a table".into(), |v| r.shown(v));
            r.problem(
                line,
                Some(&path),
                format!("expected a list of texts such as [\"a\", \"b\"], found {found}"),
            );
            return Field::Invalid;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, v) in list.iter().enumerate() {
            let key = format!("{path}[{}]", i + 1);
            let at = r.line_of(v.span(), line);
            match v {
                Value::String(s) => out.push(Given {
                    value: s.value().clone(),
                    key,
                    line: at,
                }),
                other => {
                    let found = r.shown(other);
                    r.problem(
                        at,
                        Some(&key),
                        format!("expected text in quotes, found {found}"),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return Field::Invalid;
        }
        Field::Given(Given {
            value: out,
            key: path,
            line,
        })
    }

    /// A sub-table (`[tiers.score]`, or `score = { … }`).
    fn table(&mut self, r: &mut Reader<'_>, key: &'static str) -> Option<Table<'d>> {
        let (item, path, line) = self.entry(r, key)?;
        match item.as_table_like() {
            Some(items) => Some(Table {
                items,
                path,
                line,
                read: Vec::new(),
            }),
            None => {
                let found = item
                    .as_value()
                    .map_or("a list of tables".into(), |v| r.shown(v));
                r.problem(
                    line,
                    Some(&path),
                    format!("expected a table ([{path}]), found {found}"),
                );
                None
            }
        }
    }

    /// A list of tables (`[[due.rules]]` each, or `rules = [{ … }, { … }]`), each read
    /// by `read` and then checked for unknown keys.
    fn tables<T>(
        &mut self,
        r: &mut Reader<'_>,
        key: &'static str,
        read: fn(&mut Table<'_>, &mut Reader<'_>) -> T,
    ) -> Field<Vec<T>> {
        let Some((item, path, line)) = self.entry(r, key) else {
            return Field::Absent;
        };
        let mut tables: Vec<Table<'_>> = Vec::new();
        let mut ok = true;
        match item {
            Item::ArrayOfTables(list) => {
                for (i, t) in list.iter().enumerate() {
                    tables.push(Table {
                        items: t,
                        path: format!("{path}[{}]", i + 1),
                        line: r.line_of(t.span(), line),
                        read: Vec::new(),
                    });
                }
            }
            Item::Value(Value::Array(list)) => {
                for (i, v) in list.iter().enumerate() {
                    let at = r.line_of(v.span(), line);
                    match v.as_inline_table() {
                        Some(t) => tables.push(Table {
                            items: t,
                            path: format!("{path}[{}]", i + 1),
                            line: at,
                            read: Vec::new(),
                        }),
                        None => {
                            let found = r.shown(v);
                            r.problem(
                                at,
                                Some(&format!("{path}[{}]", i + 1)),
                                format!("expected a table {{ … }}, found {found}"),
                            );
                            ok = false;
                        }
                    }
                }
            }
            other => {
                let found = other
                    .as_value()
                    .map_or("a single table".into(), |v| r.shown(v));
                r.problem(
                    line,
                    Some(&path),
                    format!("expected a list of tables, one [[{path}]] each, found {found}"),
                );
                return Field::Invalid;
            }
        }
        let values = tables.iter_mut().map(|t| read(t, r)).collect::<Vec<T>>();
        if !ok {
            return Field::Invalid;
        }
        Field::Given(Given {
            value: values,
            key: path,
            line,
        })
    }

    /// `[columns.customers]`: every key is a contract column, every value a header name.
    fn headers(&mut self, r: &mut Reader<'_>, key: &'static str) -> Vec<Given<(String, String)>> {
        let Some(t) = self.table(r, key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (column, item) in t.items.iter() {
            let path = t.path_of(column);
            let line = r.line_of(
                t.items
                    .get_key_value(column)
                    .and_then(|(k, _)| k.span())
                    .or_else(|| item.span()),
                t.line,
            );
            match item.as_value() {
                Some(Value::String(header)) => {
                    r.lines.insert(path.clone(), line);
                    out.push(Given {
                        value: (column.to_string(), header.value().clone()),
                        key: path,
                        line,
                    });
                }
                other => {
                    let found = other.map_or("a table".into(), |v| r.shown(v));
                    r.problem(
                        line,
                        Some(&path),
                        format!("expected the header name in quotes, found {found}"),
                    );
                }
            }
        }
        out
    }

    /// Reports every key of the table that was not read: a misspelt key must not fall back
    /// to a default unnoticed. `retired` keys get their own message.
    fn finish(&self, r: &mut Reader<'_>, retired: &[(&str, &str)]) {
        for (key, item) in self.items.iter() {
            if self.read.contains(&key) {
                continue;
            }
            let path = self.path_of(key);
            let line = r.line_of(
                self.items
                    .get_key_value(key)
                    .and_then(|(k, _)| k.span())
                    .or_else(|| item.span()),
                self.line,
            );
            // A retired key changes nothing: it is said, and the run goes on.
            match retired.iter().find(|(k, _)| *k == key) {
                Some((_, message)) => r.warning(line, &path, message),
                None => r.problem(
                    line,
                    Some(&path),
                    "unknown policy key (misspelt? the shipped config/policy.toml lists every key)",
                ),
            }
        }
    }
}

/// A KPI target: a number (read as [`decimal`] reads it), or a word in quotes that is not
/// one (`"average"`; what words mean is the resolver's part).
fn target(v: &Value, r: &Reader<'_>) -> Result<RawTarget, String> {
    match v {
        Value::String(s) if s.value().trim().parse::<Decimal>().is_err() => {
            Ok(RawTarget::Word(s.value().trim().to_string()))
        }
        other => decimal(other, r).map(RawTarget::Number).map_err(|_| {
            format!(
                "expected a fraction such as 0.95, or \"average\", found {}",
                r.shown(other)
            )
        }),
    }
}

/// A TOML integer, float or string as an exact decimal. A float is read from its literal
/// as written (`0.40` is 0.40, `5e-3` is 0.005), never through binary floating point.
fn decimal(v: &Value, r: &Reader<'_>) -> Result<Decimal, String> {
    const EXPECTED: &str =
        "expected a number (an integer, a decimal such as 0.40, or a quoted decimal)";
    match v {
        Value::Integer(i) => Ok(Decimal::from(*i.value())),
        Value::Float(f) => {
            let literal = f.span().and_then(|s| r.text.get(s)).map(str::trim);
            let spelled = match literal {
                Some(l) => l.replace('_', ""),
                None => format!("{}", f.value()),
            };
            let spelled = spelled.strip_prefix('+').unwrap_or(&spelled);
            let parsed = if spelled.contains(['e', 'E']) {
                Decimal::from_scientific(spelled)
            } else {
                spelled.parse::<Decimal>()
            };
            parsed.map_err(|_| format!("{EXPECTED}; {} is not one it can hold", r.shown(v)))
        }
        Value::String(s) => s
            .value()
            .trim()
            .parse::<Decimal>()
            .map_err(|_| format!("{EXPECTED}, found {}", r.shown(v))),
        other => Err(format!("{EXPECTED}, found {}", r.shown(other))),
    }
}
