//! The policy compiled to SQL (`caredesk sql`): one self-contained query (CTEs only, no
//! temporary tables, no user-defined functions) per report, for Spark, DuckDB or
//! PostgreSQL, whose result has the columns, values and row order of caredesk's own CSV.
//!
//! The SQL computes in integers wherever caredesk does (cents, ranks, counts), rounds
//! half-up by integer division, and compares fractions by cross-multiplying, so no
//! engine's decimal or floating-point rules can change an answer. [`dialect`] holds what
//! differs between the engines; [`adapter`] is the only reader of the policy.

pub mod adapter;
pub mod dialect;
mod kpi;
mod tiers;

use chrono::{Datelike, NaiveDate};

pub use adapter::{Rules, Table};
pub use dialect::Dialect;

use crate::domain::kpi::Period;

/// The tables the query reads.
#[derive(Debug, Clone)]
pub struct Tables {
    pub customers: String,
    pub orders: String,
    pub complaints: String,
    /// A column of the customers table numbering its rows in the file's order: customers
    /// tied on tier and spend are listed in that order, as caredesk lists them.
    pub customers_order: Option<String>,
}

/// How the scorecard is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiGrouping {
    All,
    Owner,
    Store,
    Month,
}

/// Which report to compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `caredesk tiers --format csv`.
    Tiers,
    /// `caredesk tiers --summary --format csv`.
    Summary,
    /// `caredesk kpi --format csv` for a period, grouped.
    Kpi {
        period: Period,
        grouping: KpiGrouping,
    },
}

/// Everything a compilation needs.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    pub dialect: Dialect,
    pub rules: &'a Rules,
    pub as_of: NaiveDate,
    pub tables: &'a Tables,
    /// Where the policy came from, for the header comment.
    pub policy_name: &'a str,
    /// A comment before each CTE naming the rule it implements.
    pub explain: bool,
}

/// A policy (or an argument) that SQL cannot reproduce exactly: refused, never
/// approximated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compiles `report` to one query, ending with `;`.
pub fn compile(job: &Job<'_>, report: Report) -> Result<String, Unsupported> {
    if !(1..=9999).contains(&job.as_of.year()) {
        return Err(Unsupported(format!(
            "the as-of date {} is outside the years 1–9999 that SQL dates hold",
            job.as_of
        )));
    }
    match report {
        Report::Tiers => tiers::tiers(job),
        Report::Summary => tiers::summary(job),
        Report::Kpi { period, grouping } => kpi::kpi(job, period, grouping),
    }
}

/// A query being built: its CTEs in order, each with the rule it implements.
struct Query {
    ctes: Vec<(String, String, String)>,
}

impl Query {
    fn new() -> Query {
        Query { ctes: Vec::new() }
    }

    /// Adds `name AS (body)`; `rule` is its `--explain` comment.
    fn cte(&mut self, name: &str, rule: &str, body: String) {
        self.ctes.push((name.to_string(), rule.to_string(), body));
    }

    /// The whole query: the header comment, the CTEs, the final select.
    fn render(self, job: &Job<'_>, header: &[String], select: &str) -> String {
        let mut out = String::new();
        for line in header {
            out.push_str("-- ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("WITH\n");
        let n = self.ctes.len();
        for (i, (name, rule, body)) in self.ctes.into_iter().enumerate() {
            if job.explain {
                for line in wrap(&rule, 88) {
                    out.push_str("-- ");
                    out.push_str(&line);
                    out.push('\n');
                }
            }
            out.push_str(&name);
            out.push_str(" AS (\n");
            for line in body.lines() {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
            out.push_str(if i + 1 < n { "),\n" } else { ")\n" });
        }
        out.push_str(select.trim_end());
        out.push_str(";\n");
        out
    }
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The readings every query encodes, for its header.
fn readings(d: Dialect) -> Vec<String> {
    let wide = match d {
        Dialect::Spark => "DECIMAL(38,0)",
        Dialect::Duckdb => "HUGEINT",
        Dialect::Postgres => "NUMERIC",
    };
    vec![
        "Exact readings (DOMAIN.md section 5) this SQL encodes:".into(),
        format!("  - money in integer cents, summed as {wide}; no floating point anywhere;"),
        "  - fractions rounded half-up by integer division; a rate is compared with its".into(),
        "    target by cross-multiplying, never by dividing;".into(),
        "  - \"the last N days\" is T - N < date <= T, with the bounds computed by caredesk;"
            .into(),
        "  - rows dated after the as-of date have not happened yet and are left out;".into(),
        "  - cells are read as text, trimmed of spaces and tabs, empty = NULL, so typed".into(),
        "    (DATE, TIMESTAMP, DECIMAL(18,2)) and text columns give the same answer; text".into(),
        "    must hold the contract's plain spellings (2026-11-22, 2026-11-22 09:30, 1234.50);"
            .into(),
        "  - the data is assumed to pass `caredesk check`; rows naming a customer missing".into(),
        "    from the customers table are skipped (validation.unknown_customer = \"skip\");".into(),
        "  - text a spreadsheet would run as a formula gets a leading ', as in caredesk's CSV."
            .into(),
    ]
}

// ---- expressions shared by the reports ----

/// `e` with a leading `'` when a spreadsheet would run it as a formula (as caredesk's
/// CSV writes text cells).
fn neutral(d: Dialect, e: &str) -> String {
    format!(
        "CASE WHEN substr({e}, 1, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN {} || {e} ELSE {e} END",
        d.lit("'")
    )
}

/// A constant text cell, as caredesk's CSV writes it.
fn text_const(d: Dialect, s: &str) -> String {
    d.lit(&crate::report::neutralize(s))
}

/// round_half_up(num / den) for `num ≥ 0`, `den > 0`, as wide integers.
fn half_up(d: Dialect, num: &str, den: &str) -> String {
    d.idiv(&format!("(2 * {num} + {den})"), &format!("(2 * {den})"))
}

/// num / den rounded half away from zero to 4 places, scaled by 10^4 (den > 0).
fn fraction4(d: Dialect, num: &str, den: &str) -> String {
    let num = d.big(num);
    let den = d.big(den);
    let pos = half_up(d, &format!("10000 * {num}"), &den);
    let neg = half_up(d, &format!("10000 * (-{num})"), &den);
    format!("CASE WHEN {num} < 0 THEN -{neg} ELSE {pos} END")
}

/// `a / b` of a decimal as integers `(a, b)`, `b` a power of ten.
fn ratio(x: rust_decimal::Decimal) -> (i128, i128) {
    (x.mantissa(), 10i128.pow(x.scale()))
}

/// Money in cents as caredesk's CSV writes it (`-0.05`).
fn money_text(d: Dialect, cents: &str) -> String {
    d.fixed_text(cents, 2)
}

/// The rows of the customers table: id and name, and `extra` contract columns.
fn customer_rows(job: &Job<'_>, extra: &[(&str, &str)]) -> String {
    let d = job.dialect;
    let col = |c: &str| d.cell(&d.ident(job.rules.column(Table::Customers, c)));
    let mut cols = vec![
        format!("{} AS customer_id", col("customer_id")),
        format!("{} AS name", col("name")),
    ];
    for (c, alias) in extra {
        cols.push(format!("{} AS {alias}", col(c)));
    }
    if let Some(order) = &job.tables.customers_order {
        cols.push(format!(
            "CAST({} AS BIGINT) AS file_row",
            d.cell(&d.ident(order))
        ));
    }
    format!(
        "SELECT {}\nFROM {}",
        cols.join(",\n       "),
        d.ident(&job.tables.customers)
    )
}

/// The order rows dated on or before as-of of customers in `customers` (a CTE), typed:
/// customer_id, order_date, kind, amount_c and profit_c (cents), outcome, referred_by.
fn order_rows(job: &Job<'_>, customers: &str, from: Option<NaiveDate>) -> String {
    let d = job.dialect;
    let col = |c: &str| d.cell(&d.ident(job.rules.column(Table::Orders, c)));
    let cents = |c: &str| format!("CAST(CAST({} AS DECIMAL(18,2)) * 100 AS BIGINT)", col(c));
    let mut filter = format!("o.order_date <= {}", d.date(job.as_of));
    if let Some(from) = from {
        filter.push_str(&format!(" AND o.order_date >= {}", d.date(from)));
    }
    format!(
        "SELECT o.*\n\
         FROM (SELECT {id} AS customer_id,\n\
         \x20            CAST({date} AS DATE) AS order_date,\n\
         \x20            COALESCE({kind}, 'sale') AS kind,\n\
         \x20            {amount} AS amount_c,\n\
         \x20            COALESCE({profit}, 0) AS profit_c,\n\
         \x20            {outcome} AS outcome,\n\
         \x20            {referred} AS referred_by\n\
         \x20     FROM {table}) o\n\
         WHERE {filter}\n\
         \x20 AND o.customer_id IN (SELECT customer_id FROM {customers})",
        id = col("customer_id"),
        date = col("date"),
        kind = col("kind"),
        amount = cents("amount"),
        profit = cents("profit"),
        outcome = col("outcome"),
        referred = col("referred_by"),
        table = d.ident(&job.tables.orders),
    )
}

/// `col > after` when `after` is a date SQL holds; true when it is before year 1 (a
/// window reaching past the calendar's start takes everything).
fn after(d: Dialect, col: &str, after: NaiveDate) -> String {
    if after.year() < 1 {
        "TRUE".into()
    } else {
        format!("{col} > {}", d.date(after))
    }
}

/// `col <= on_or_before`; false when that is before year 1.
fn on_or_before(d: Dialect, col: &str, on_or_before: NaiveDate) -> String {
    if on_or_before.year() < 1 {
        "FALSE".into()
    } else {
        format!("{col} <= {}", d.date(on_or_before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job<'a>(rules: &'a Rules, tables: &'a Tables, dialect: Dialect) -> Job<'a> {
        Job {
            dialect,
            rules,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            tables,
            policy_name: "p.toml",
            explain: true,
        }
    }

    fn reports() -> Vec<Report> {
        let period = Period::month_before(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        let mut out = vec![Report::Tiers, Report::Summary];
        for grouping in [
            KpiGrouping::All,
            KpiGrouping::Owner,
            KpiGrouping::Store,
            KpiGrouping::Month,
        ] {
            out.push(Report::Kpi { period, grouping });
        }
        out
    }

    fn tables() -> Tables {
        Tables {
            customers: "customers".into(),
            orders: "orders".into(),
            complaints: "complaints".into(),
            customers_order: None,
        }
    }

    #[test]
    fn every_shipped_policy_compiles_for_every_engine() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files = vec![format!("{root}/config/policy.toml")];
        for e in std::fs::read_dir(format!("{root}/examples")).unwrap() {
            files.push(e.unwrap().path().display().to_string());
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let policy = crate::policy::Policy::parse(&text, &file).unwrap();
            let rules = Rules::of(&policy);
            let tables = tables();
            // Satisfaction scored, each consultant against the average: refused.
            let averages = file.ends_with("satisfaction-average.toml");
            for dialect in [Dialect::Spark, Dialect::Duckdb, Dialect::Postgres] {
                for report in reports() {
                    let compiled = compile(&job(&rules, &tables, dialect), report);
                    if averages && matches!(report, Report::Kpi { .. }) {
                        let e = compiled.unwrap_err();
                        assert!(e.0.contains("score it with `caredesk kpi`"), "{e}");
                        continue;
                    }
                    let sql = compiled.unwrap_or_else(|e| panic!("{file} {report:?}: {e}"));
                    assert!(sql.ends_with(";\n"));
                }
            }
        }
    }

    #[test]
    fn the_satisfaction_kpis_are_left_out_at_weight_0_and_refused_when_weighed() {
        use rust_decimal::Decimal;
        let mut policy = crate::policy::Policy::default();
        let rules = Rules::of(&policy);
        assert_eq!(
            rules.kpi.left_out,
            ["csat", "coverage_key", "coverage_rest", "followup_done"]
        );
        assert_eq!(rules.kpi.rules.len(), 9);
        let tables = tables();
        let period = Period::month_before(job(&rules, &tables, Dialect::Duckdb).as_of);
        let report = Report::Kpi {
            period,
            grouping: KpiGrouping::All,
        };
        let sql = compile(&job(&rules, &tables, Dialect::Duckdb), report).unwrap();
        assert!(sql.contains("\n-- Left out: csat, coverage_key, coverage_rest, followup_done\n"));
        policy.kpi.rules[9].weight = Decimal::from(5);
        let rules = Rules::of(&policy);
        let e = compile(&job(&rules, &tables, Dialect::Duckdb), report).unwrap_err();
        assert!(e.0.starts_with("KPI \"csat\" weighs 5 points"), "{e}");
    }

    proptest::proptest! {
        /// Whatever the numbers of a valid-looking policy, compiling gives a query or a
        /// refusal, never a panic.
        #[test]
        fn compiling_never_panics(
            weight in 0i64..i64::MAX, wscale in 0u32..28, target in 1i64..10_000_000_000,
            tscale in 0u32..28, top in 0i64..=1_000_000_000, topscale in 9u32..28,
            per_year in 0i64..i64::MAX, window in 0u32..u32::MAX, ppu in 0i64..i64::MAX,
            pscale in 0u32..28, share in 1i64..1000, sscale in 3u32..28,
        ) {
            use rust_decimal::Decimal;
            let mut rules = Rules::of(&crate::policy::Policy::default());
            let r = &mut rules.kpi.rules[0];
            r.weight = Decimal::new(weight, wscale);
            r.target = Decimal::new(target, tscale).min(Decimal::ONE);
            let t = &mut rules.tiers;
            t.top_rank = Decimal::new(top, topscale).min(Decimal::ONE);
            t.min_per_year = Decimal::new(per_year, 2);
            t.segment_window_days = window.max(1);
            t.window_days = window;
            t.churn_days = window;
            t.points_per_unit = Decimal::new(ppu, pscale);
            let tables = tables();
            for dialect in [Dialect::Spark, Dialect::Duckdb, Dialect::Postgres] {
                for report in reports() {
                    let _ = compile(&job(&rules, &tables, dialect), report);
                }
            }
            rules.tiers.method = adapter::TierMethod::ScoreShares {
                cumulative: vec![Decimal::new(share, sscale)],
            };
            let _ = compile(&job(&rules, &tables, Dialect::Duckdb), Report::Tiers);
            rules.tiers.method = adapter::TierMethod::ScoreMins {
                mins: vec![Decimal::new(share, sscale)],
            };
            rules.tiers.weights = [Decimal::new(weight, wscale), Decimal::ZERO, Decimal::ONE];
            let _ = compile(&job(&rules, &tables, Dialect::Duckdb), Report::Tiers);
        }
    }

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert!(wrap("", 5).is_empty());
        // A line is at most the width, the space between words counted.
        assert_eq!(wrap("aa bb", 5), ["aa bb"]);
        assert_eq!(wrap("aa bbb", 5), ["aa", "bbb"]);
    }

    #[test]
    fn date_bounds_before_the_calendar_take_all_or_nothing() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let d = Dialect::Duckdb;
        assert_eq!(after(d, "c", day(0, 12, 31)), "TRUE");
        assert_eq!(after(d, "c", day(1, 1, 1)), "c > DATE '0001-01-01'");
        assert_eq!(on_or_before(d, "c", day(0, 12, 31)), "FALSE");
        assert_eq!(on_or_before(d, "c", day(1, 1, 1)), "c <= DATE '0001-01-01'");
    }
}
