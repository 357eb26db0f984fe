//! What differs between the SQL engines: types, literals, date and integer arithmetic.
//! Every expression the compiler emits that is not plain ANSI SQL goes through here, so
//! each dialect's reading of a rule is decided in one place.

use chrono::{NaiveDate, NaiveDateTime};

/// The SQL engines `caredesk sql` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// Apache Spark SQL 3.4 or later (`spark-sql -f`, `spark.sql(...)`): TIMESTAMP_NTZ.
    Spark,
    /// DuckDB 1.0 or later.
    Duckdb,
    /// PostgreSQL 12 or later.
    Postgres,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Spark => "Spark SQL",
            Dialect::Duckdb => "DuckDB",
            Dialect::Postgres => "PostgreSQL",
        }
    }

    /// The text type of casts.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            Dialect::Duckdb => "VARCHAR",
            Dialect::Postgres => "TEXT",
        }
    }

    /// A date-time without time zone (DOMAIN.md: dates and times are local, no zone).
    pub fn timestamp(self) -> &'static str {
        match self {
            Dialect::Spark => "TIMESTAMP_NTZ",
            Dialect::Duckdb | Dialect::Postgres => "TIMESTAMP",
        }
    }

    /// The exact integer type the compiler computes in where 64 bits may not be enough:
    /// DuckDB's 128-bit HUGEINT, PostgreSQL's NUMERIC, Spark's DECIMAL(38,0).
    pub fn big_type(self) -> &'static str {
        match self {
            Dialect::Spark => "DECIMAL(38,0)",
            Dialect::Duckdb => "HUGEINT",
            Dialect::Postgres => "NUMERIC",
        }
    }

    /// `e` as an exact wide integer.
    pub fn big(self, e: &str) -> String {
        format!("CAST({e} AS {})", self.big_type())
    }

    /// Integer division truncating toward zero, exact on wide integers (DuckDB and Spark
    /// turn `/` on decimals into a rounded quotient; these operators do not).
    pub fn idiv(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Spark => format!("(({a}) div ({b}))"),
            Dialect::Duckdb => format!("(({a}) // ({b}))"),
            Dialect::Postgres => format!("div({a}, {b})"),
        }
    }

    /// A string literal.
    pub fn lit(self, s: &str) -> String {
        match self {
            // Spark reads backslash escapes inside literals.
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Dialect::Duckdb | Dialect::Postgres => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A quoted identifier; a dotted name (`db.orders`) is quoted part by part.
    pub fn ident(self, name: &str) -> String {
        name.split('.')
            .map(|part| match self {
                Dialect::Spark => format!("`{}`", part.replace('`', "``")),
                Dialect::Duckdb | Dialect::Postgres => format!("\"{}\"", part.replace('"', "\"\"")),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    pub fn date(self, d: NaiveDate) -> String {
        format!("DATE '{}'", d.format("%Y-%m-%d"))
    }

    pub fn datetime(self, t: NaiveDateTime) -> String {
        format!("{} '{}'", self.timestamp(), t.format("%Y-%m-%d %H:%M:%S"))
    }

    /// Whole days from `earlier` to `later`.
    pub fn days_between(self, later: &str, earlier: &str) -> String {
        match self {
            Dialect::Spark => format!("datediff({later}, {earlier})"),
            Dialect::Duckdb | Dialect::Postgres => format!("({later} - {earlier})"),
        }
    }

    pub fn add_days(self, d: &str, n: u32) -> String {
        match self {
            Dialect::Spark => format!("date_add({d}, {n})"),
            Dialect::Duckdb | Dialect::Postgres => format!("({d} + {n})"),
        }
    }

    /// `d` + `n` calendar months, clamped to the month's end (31 Aug + 6 = 28 Feb): the
    /// reading of every engine here (Spark 3+ `add_months`, DuckDB and PostgreSQL date +
    /// interval), as DOMAIN.md section 3 has it.
    pub fn add_months(self, d: &str, n: u32) -> String {
        match self {
            Dialect::Spark => format!("add_months({d}, {n})"),
            Dialect::Duckdb => format!("CAST({d} + INTERVAL ({n}) MONTH AS DATE)"),
            Dialect::Postgres => format!("CAST({d} + INTERVAL '{n} months' AS DATE)"),
        }
    }

    /// The first instant of the calendar month after the one holding the date `d`.
    pub fn next_month_start(self, d: &str) -> String {
        match self {
            Dialect::Spark => format!("CAST(add_months(trunc({d}, 'MM'), 1) AS TIMESTAMP)"),
            Dialect::Duckdb => {
                format!("CAST(date_trunc('month', {d}) + INTERVAL (1) MONTH AS TIMESTAMP)")
            }
            Dialect::Postgres => {
                format!("CAST(date_trunc('month', {d}) + INTERVAL '1 month' AS TIMESTAMP)")
            }
        }
    }

    /// A date-time plus `h` hours, on the wall clock (no time zone, so no DST shift).
    pub fn add_hours(self, t: &str, h: u32) -> String {
        match self {
            Dialect::Spark => format!("({t} + INTERVAL {h} HOURS)"),
            Dialect::Duckdb => format!("({t} + INTERVAL ({h}) HOUR)"),
            Dialect::Postgres => format!("({t} + INTERVAL '{h} hours')"),
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date_text(self, d: &str) -> String {
        match self {
            Dialect::Spark => format!("date_format({d}, 'yyyy-MM-dd')"),
            Dialect::Duckdb => format!("strftime({d}, '%Y-%m-%d')"),
            Dialect::Postgres => format!("to_char({d}, 'YYYY-MM-DD')"),
        }
    }

    /// `YYYY-MM`.
    pub fn month_text(self, d: &str) -> String {
        match self {
            Dialect::Spark => format!("date_format({d}, 'yyyy-MM')"),
            Dialect::Duckdb => format!("strftime({d}, '%Y-%m')"),
            Dialect::Postgres => format!("to_char({d}, 'YYYY-MM')"),
        }
    }

    /// Text compared byte by byte (caredesk compares UTF-8 bytes; PostgreSQL would use
    /// the database's collation).
    pub fn bytewise(self, e: &str) -> String {
        match self {
            Dialect::Postgres => format!("{e} COLLATE \"C\""),
            Dialect::Spark | Dialect::Duckdb => e.to_string(),
        }
    }

    /// Spaces and tabs trimmed from both ends, as caredesk trims every cell.
    pub fn trim(self, e: &str) -> String {
        match self {
            Dialect::Spark => format!("trim(BOTH ' \\t' FROM {e})"),
            Dialect::Duckdb => format!("trim({e}, ' ' || chr(9))"),
            Dialect::Postgres => format!("btrim({e}, ' ' || chr(9))"),
        }
    }

    /// A cell as caredesk reads it: the column as text, trimmed, empty = NULL. Casting
    /// through text makes typed columns (DATE, DECIMAL) and text columns read alike.
    pub fn cell(self, column: &str) -> String {
        format!(
            "NULLIF({}, '')",
            self.trim(&format!("CAST({column} AS {})", self.text()))
        )
    }

    /// A scaled integer `v` (the value times 10^places) as a decimal string with exactly
    /// `places` decimals (`-0.05`, `0.9500`), through an exact DECIMAL.
    pub fn fixed_text(self, v: &str, places: u32) -> String {
        let unit = format!("0.{}1", "0".repeat(places as usize - 1));
        format!(
            "CAST(CAST(CAST({v} AS DECIMAL(38,0)) * {unit} AS DECIMAL(38,{places})) AS {})",
            self.text()
        )
    }

    /// An integer as text.
    pub fn int_text(self, v: &str) -> String {
        format!("CAST({v} AS {})", self.text())
    }

    /// Sums of 64-bit cents, exactly: DuckDB and PostgreSQL widen integer sums
    /// themselves; Spark's BIGINT sum would overflow, so it sums DECIMAL(38,0).
    pub fn sum_wide(self, e: &str) -> String {
        match self {
            Dialect::Spark => format!("SUM(CAST({e} AS DECIMAL(38,0)))"),
            Dialect::Duckdb | Dialect::Postgres => format!("SUM({e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_identifiers_are_quoted_for_each_engine() {
        assert_eq!(Dialect::Postgres.lit("O'Neil"), "'O''Neil'");
        assert_eq!(Dialect::Duckdb.lit("a\\b"), "'a\\b'");
        assert_eq!(Dialect::Spark.lit("O'Neil \\ x"), "'O\\'Neil \\\\ x'");
        assert_eq!(Dialect::Spark.ident("db.orders"), "`db`.`orders`");
        assert_eq!(Dialect::Postgres.ident("客户\"编号"), "\"客户\"\"编号\"");
    }

    #[test]
    fn fixed_text_has_the_places_asked_for() {
        assert_eq!(
            Dialect::Duckdb.fixed_text("x", 4),
            "CAST(CAST(CAST(x AS DECIMAL(38,0)) * 0.0001 AS DECIMAL(38,4)) AS VARCHAR)"
        );
        assert!(Dialect::Spark
            .fixed_text("x", 2)
            .contains("* 0.01 AS DECIMAL(38,2)"));
    }
}
