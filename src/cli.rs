//! The command line, as clap derive structs. Turning these into a validated plan is
//! [`crate::app`]'s job.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::load::encoding::Encoding;
use crate::report::{DocFormat, Format};

#[derive(Debug, Parser)]
#[command(
    name = "caredesk",
    version,
    about = "Run a customer-care desk from flat files: tiers, call lists, KPIs",
    long_about = "Run a customer-care desk from flat files.\n\n\
        Reads customers.csv, orders.csv and complaints.csv from --data (default ./data) and the \
        tier policy from --policy (default ./config/policy.toml). Files may be CSV (UTF-8, \
        GB18030/GBK or UTF-16, detected) or workbooks (.xlsx, .xls, .ods).\n\n\
        Exit codes: 0 ok, 1 bad data or policy, 2 bad usage.",
    after_help = "Examples:\n  \
        caredesk init --from exports/           set up a policy from your own exports\n  \
        caredesk check                          validate data/ and config/policy.toml\n  \
        caredesk tiers --summary                the monthly tiering, per tier\n  \
        caredesk due --owner 陈静               one consultant's call list for today",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data and the policy are, and the day to compute for.
#[derive(Debug, Args)]
#[command(next_help_heading = "Inputs")]
pub struct InputArgs {
    /// Directory holding customers.csv, orders.csv, complaints.csv
    #[arg(long, global = true, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
    /// customers.csv to read instead of DIR/customers.csv
    #[arg(long, global = true, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// orders.csv to read instead of DIR/orders.csv
    #[arg(long, global = true, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// complaints.csv to read instead of DIR/complaints.csv
    #[arg(long, global = true, value_name = "FILE")]
    pub complaints: Option<PathBuf>,
    /// contacts.csv (the log of follow-ups done) instead of DIR/contacts.csv
    #[arg(long, global = true, value_name = "FILE")]
    pub contacts: Option<PathBuf>,
    /// answers.csv (the survey answers) instead of DIR/answers.csv
    #[arg(long, global = true, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// The tier policy (TOML; default config/policy.toml). For `init`: the policy to
    /// write (default DIR/policy.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Compute as of this day (YYYY-MM-DD; default: today, local). Later rows are ignored.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// The encoding of the input files. Default: the policy's input.encoding, else auto
    /// (a byte order mark, else UTF-8 when valid, else GB18030)
    #[arg(long, global = true, value_enum, value_name = "ENCODING")]
    pub encoding: Option<Encoding>,
    /// No progress bar and no notes on stderr (warnings and errors still print)
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// How and where a command writes its table.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// table (for people), csv, json, xlsx or md. Default: what the --output file's
    /// extension says (.csv, .json, .xlsx, .md, .txt); otherwise table on a terminal,
    /// csv when piped
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file (atomically: a temporary file, then a rename) instead of stdout
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// CSV: start with a UTF-8 byte order mark, so Excel reads Chinese text right
    #[arg(long)]
    pub bom: bool,
    /// CSV: end lines with CRLF (Windows)
    #[arg(long)]
    pub crlf: bool,
    /// CSV: the encoding written, utf-8 (default) or gb18030, for an old Excel that
    /// garbles UTF-8 without a byte order mark (--bom is the UTF-8 way)
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub output_encoding: Option<OutputEncoding>,
    /// Colour in the table view: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
}

/// The encodings a CSV export can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputEncoding {
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "gb18030", alias = "gbk")]
    Gb18030,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the data files and the policy; report every problem in one run
    #[command(after_help = "Examples:\n  \
        caredesk check\n  \
        caredesk check --data exports/ --policy exports/policy.toml\n  \
        caredesk check --overrides tiers-2026-11.xlsx --previous tiers-2026-10.csv")]
    Check(CheckArgs),
    /// Tier, segment and lifecycle of every customer (the monthly tiering)
    #[command(after_help = "Examples:\n  \
        caredesk tiers --summary\n  \
        caredesk tiers --output tiers-2026-11.xlsx\n  \
        caredesk tiers --overrides tiers-2026-11.xlsx --output tiers-2026-11-final.xlsx\n  \
        caredesk tiers --summary --previous tiers-2026-10.csv")]
    Tiers(TiersArgs),
    /// The service scorecard: pass rates and complaint rates against their targets, scored
    #[command(after_help = "Examples:\n  \
        caredesk kpi                            last month, the whole desk\n  \
        caredesk kpi --month 2026-10 --by owner the consultants ranked\n  \
        caredesk kpi --from 2026-01-01 --by month   the trend this year")]
    Kpi(KpiArgs),
    /// Whom to contact today, and why: the call list
    #[command(
        long_about = "Whom to contact today, and why: the call list.\n\n\
            --date is the day of the list: what is due that day, what is overdue then, and \
            the orders and complaints up to that day. --as-of (shared by every command) is \
            the day the data is read as of; for `due` it is only the default of --date. \
            Give --date to print another day's list.",
        after_help = "Examples:\n  \
            caredesk due                            today's list\n  \
            caredesk due --owner 陈静 --quiet-empty  one consultant's list, for cron\n  \
            caredesk due --date 2026-11-22 --within 7 --format csv"
    )]
    Due(DueArgs),
    /// Record a call in contacts.csv (done, no answer, refused) with its survey answers in
    /// answers.csv; or read back a filled `due --worksheet` (--from)
    #[command(after_help = "Examples:\n  \
        caredesk log C0151 callback-3d O03314 --by 李娜 --note \"happy with the delivery\"\n  \
        caredesk log C0206 survey O03316 --by 李娜 --answer overall=5 --answer appointment=比较满意\n  \
        caredesk log C0019 survey O03303 --result no_answer --contacts /srv/care/contacts.csv\n  \
        caredesk log --from calls-陈静.xlsx --by 陈静")]
    Log(LogArgs),
    /// Satisfaction per form and question: calls, rated, mean against the target, CSAT
    Survey(SurveyArgs),
    /// Open complaints with their age and deadlines; --weekly: the Thursday warning notice
    #[command(after_help = "Examples:\n  \
        caredesk complaints\n  \
        caredesk complaints --weekly --format md")]
    Complaints(ComplaintsArgs),
    /// The policy compiled to one SQL query (Spark, DuckDB, PostgreSQL) whose result is
    /// what `tiers`, `tiers --summary` or `kpi` print as CSV, for data in a warehouse
    Sql(SqlArgs),
    /// One customer's card: profile, standing, segment, lifecycle, history, call items
    Customer(CustomerArgs),
    /// Set a company up from its own exports: map their headers, write a policy, check it
    #[command(
        long_about = "Set a company up from its own exports.\n\n\
            Reads the headers and a sample of rows of the customer, order and complaint files \
            in --from (CSV in any of the accepted encodings, or workbooks), maps each contract \
            column to a header by the usual Chinese and English names and by what the values \
            look like, writes a commented policy with [columns.*] filled in (never over an \
            existing file), prints the mapping, then runs `check` with it.",
        after_help = "Examples:\n  \
            caredesk init --from exports/                 writes exports/policy.toml\n  \
            caredesk init --from exports/ --policy config/acme.toml\n  \
            caredesk --data exports/ --policy exports/policy.toml tiers --summary"
    )]
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell)
    #[command(after_help = "Examples:\n  \
        caredesk completions bash > ~/.local/share/bash-completion/completions/caredesk\n  \
        caredesk completions zsh > ~/.zfunc/_caredesk")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff)
    #[command(after_help = "Example:\n  caredesk man > caredesk.1 && man ./caredesk.1")]
    Man,
    /// The monthly report as a workbook with charts (.xlsx) or a web page (.html)
    #[command(
        long_about = "The monthly report, for the people the care desk reports to: overview \
            (the month beside the month before), tiers with the 80/20 chart, movement since \
            the previous month's end, the KPI scorecard with the owner ranking and a 12-month \
            trend, the follow-ups due in the month, the month's complaints, satisfaction, and \
            the tiers list. Everything is as of the month's last day (or --as-of, if the month \
            is not over): later rows have not happened yet, so the report of a month never \
            changes.\n\n\
            Written as a workbook (one sheet per section, native Excel charts) or as one \
            self-contained web page (inline SVG charts, no script, readable on a phone, \
            printable), by the --output file's extension or --format."
    )]
    Report(ReportArgs),
}

/// The report `caredesk sql` compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlReport {
    /// `caredesk tiers --format csv`: one row per customer
    Tiers,
    /// `caredesk tiers --summary --format csv`: one row per tier
    Summary,
    /// `caredesk kpi --format csv`: the scorecard (with --month, --from/--to, --by)
    Kpi,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// What the query computes: tiers, summary or kpi
    #[arg(value_enum, value_name = "REPORT")]
    pub report: SqlReport,
    /// The engine to write for: spark, duckdb or postgres
    #[arg(long, value_enum)]
    pub dialect: crate::sql::Dialect,
    /// The customers table (may be qualified: db.customers); its columns are the data
    /// contract's names, or the policy's [columns.customers] headers
    #[arg(long, value_name = "TABLE", default_value = "customers")]
    pub customers_table: String,
    /// The orders table (columns as in orders.csv, or [columns.orders])
    #[arg(long, value_name = "TABLE", default_value = "orders")]
    pub orders_table: String,
    /// The complaints table (columns as in complaints.csv, or [columns.complaints])
    #[arg(long, value_name = "TABLE", default_value = "complaints")]
    pub complaints_table: String,
    /// tiers: a column of the customers table numbering the rows in the file's order (a
    /// load sequence). caredesk lists customers tied on tier and spend in file order;
    /// without this column the SQL lists them by customer_id
    #[arg(long, value_name = "COLUMN")]
    pub customers_order: Option<String>,
    /// kpi: the period and grouping, as for `caredesk kpi`
    #[command(flatten)]
    pub scope: KpiScope,
    /// A comment before each CTE naming the rule (DOMAIN.md section) it implements
    #[arg(long)]
    pub explain: bool,
    /// Write the SQL to this file (atomically) instead of stdout
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

impl Command {
    /// The output arguments of a command that writes a table.
    pub fn output(&self) -> Option<&OutputArgs> {
        match self {
            Command::Tiers(a) => Some(&a.output),
            Command::Kpi(a) => Some(&a.output),
            Command::Due(a) => Some(&a.output),
            Command::Complaints(a) => Some(&a.output),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The month (YYYY-MM). Default: the last complete month before --as-of
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: Option<NaiveDate>,
    /// The file to write: FILE.xlsx or FILE.html (atomically; never over an input)
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// xlsx or html. Default: what the --output file's extension says
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Last month's tiers export (CSV or xlsx) to measure movement from, instead of the
    /// tiers as of the previous month's end computed from the same data
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Tiers pinned by hand (as for `tiers --overrides`), for both month-ends
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
}

/// The formats of the monthly report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// An Excel workbook: a sheet per section, native charts
    Xlsx,
    /// One self-contained web page: inline CSS and SVG charts, no script
    Html,
}

/// How far ahead `due --within` looks: a year (and a leap day). Every day ahead adds
/// each customer's dated items to the list, so an unbounded N grew to 24 GB.
pub const MAX_WITHIN: u32 = 366;

#[derive(Debug, Args)]
#[command(next_help_heading = "Check")]
pub struct CheckArgs {
    /// Also validate this overrides file (as `tiers --overrides` reads it)
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// Also validate this previous tiers export (as `tiers --previous` reads it)
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Init")]
pub struct InitArgs {
    /// The directory of exports to read (customers, orders, complaints files)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub from: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Call list")]
pub struct DueArgs {
    /// The day of the list (YYYY-MM-DD; default: --as-of, or today). Orders and
    /// complaints after it are not read
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Also list what comes up in the next N days (0 to 366: a year ahead at most)
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=MAX_WITHIN as i64))]
    pub within: u32,
    /// Only this owner's customers (the account manager / service consultant); case and
    /// surrounding spaces do not matter; a name no customer has is an error
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Only this store's customers (matched like --owner)
    #[arg(long, value_name = "NAME")]
    pub store: Option<String>,
    /// Only these rules (repeat, or separate with commas)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub rule: Vec<String>,
    /// Keep phone numbers in csv, json and xlsx (the table and md views always mask them)
    #[arg(long)]
    pub show_phone: bool,
    /// Print nothing at all when nothing is due (for cron mail)
    #[arg(long)]
    pub quiet_empty: bool,
    /// Tiers pinned by hand (as for `tiers --overrides`): the list sorts and filters by them
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// The care staff's sheet: adds the columns to fill in (done_on, by, result, note, and
    /// one per question of the forms the listed calls ask); read it back with `log --from`
    #[arg(long)]
    pub worksheet: bool,
    /// Every owner's (or store's) list in one run, one file each in --output-dir, named
    /// by the owner (see the README: names made safe for a file; `_no_owner` for the
    /// customers without one). An owner with nothing due gets a file with no rows
    #[arg(long, value_enum, value_name = "BY", requires = "output_dir")]
    pub split_by: Option<SplitBy>,
    /// The folder --split-by writes its files into (made if missing); the format is
    /// --format's, csv by default
    #[arg(
        long,
        value_name = "DIR",
        requires = "split_by",
        conflicts_with = "output"
    )]
    pub output_dir: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `due --split-by`: one list per owner or per store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitBy {
    /// One file per owner (account manager / service consultant), `_no_owner` for the rest
    Owner,
    /// One file per store, `_no_store` for the customers without one
    Store,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Log")]
pub struct LogArgs {
    /// The customer called
    #[arg(value_name = "CUSTOMER_ID", required_unless_present = "from")]
    pub customer: Option<String>,
    /// The rule of the item, as on the call list (callback-3d, survey, ...)
    #[arg(value_name = "RULE", required_unless_present = "from")]
    pub rule: Option<String>,
    /// The item's source id, as on the call list (an order or complaint id, or a date)
    #[arg(value_name = "SOURCE_ID", required_unless_present = "from")]
    pub source_id: Option<String>,
    /// The day it was done (default: --as-of, or today; not after it). With --from: the
    /// day of the rows whose done_on is empty
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub on: Option<NaiveDate>,
    /// Who did it. With --from: who did the rows whose by is empty
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// What was said or agreed
    #[arg(long, value_name = "TEXT", conflicts_with = "from")]
    pub note: Option<String>,
    /// How the call went: done (default), no_answer (the item stays on the list), refused
    #[arg(long, value_enum, value_name = "RESULT", conflicts_with = "from")]
    pub result: Option<ResultArg>,
    /// A survey answer, QUESTION=SCORE (a digit or the scale's label, e.g. overall=5 or
    /// polite=比较满意); repeat for each question
    #[arg(long, value_name = "QUESTION=SCORE", conflicts_with = "from")]
    pub answer: Vec<String>,
    /// A filled worksheet (`due --worksheet`, CSV or xlsx as Excel, WPS or LibreOffice
    /// save it): every filled row is checked, and logged only if all are good
    #[arg(long, value_name = "FILE", conflicts_with_all = ["customer", "rule", "source_id"])]
    pub from: Option<PathBuf>,
}

/// `log --result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultArg {
    Done,
    #[value(name = "no_answer")]
    NoAnswer,
    Refused,
}

impl From<ResultArg> for crate::model::CallResult {
    fn from(r: ResultArg) -> Self {
        match r {
            ResultArg::Done => crate::model::CallResult::Done,
            ResultArg::NoAnswer => crate::model::CallResult::NoAnswer,
            ResultArg::Refused => crate::model::CallResult::Refused,
        }
    }
}

#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// The period and grouping, as for `caredesk kpi` (by the customer's owner or store,
    /// or by the month of the answers)
    #[command(flatten)]
    pub scope: KpiScope,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Complaints")]
pub struct ComplaintsArgs {
    /// The weekly warning notice: the last 7 days by category, open, breached, escalated
    #[arg(long)]
    pub weekly: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// History rows a card shows per list unless `--limit` says otherwise.
pub const CARD_LIMIT: usize = 20;
/// Days ahead a card shows the coming call items for.
pub const CARD_WITHIN: u32 = 30;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["id", "find"])))]
pub struct CustomerArgs {
    /// The customer's id, exactly (an unknown id suggests close ones)
    #[arg(value_name = "CUSTOMER_ID")]
    pub id: Option<String>,
    /// Find by a part of the name, or by the phone's last digits (at least 4): one match
    /// shows its card, several are listed
    #[arg(long, value_name = "TEXT", conflicts_with = "id")]
    pub find: Option<String>,
    /// Rows per history list (orders, complaints, contacts), most recent first; 0 = all
    #[arg(long, value_name = "N", default_value_t = CARD_LIMIT)]
    pub limit: usize,
    /// Call items coming up in the next N days (0 to 366)
    #[arg(long, value_name = "N", default_value_t = CARD_WITHIN,
          value_parser = clap::value_parser!(u32).range(0..=MAX_WITHIN as i64))]
    pub within: u32,
    /// Show the phone number as it is, in every format (masked otherwise)
    #[arg(long)]
    pub show_phone: bool,
    /// Tiers pinned by hand (as for `tiers --overrides`): the card shows the pin, its
    /// reason and expiry
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// table (a card for a person, the default), json (one object) or md (for a note).
    /// Default: what the --output file's extension says (.json, .md), else table
    #[arg(long, value_enum)]
    pub format: Option<DocFormat>,
    /// Write to this file (atomically: a temporary file, then a rename) instead of stdout
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Colour the breaches and overdue items in the table view: auto, always, never
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Scorecard")]
pub struct KpiArgs {
    #[command(flatten)]
    pub scope: KpiScope,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The period and grouping of a scorecard (`kpi`, `sql kpi`).
#[derive(Debug, Args)]
pub struct KpiScope {
    /// The month to score (YYYY-MM). Default: the last complete month before --as-of
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month, conflicts_with_all = ["from", "to"])]
    pub month: Option<NaiveDate>,
    /// First day of the period (YYYY-MM-DD); with --to (default: --as-of)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last day of the period (YYYY-MM-DD), inclusive; needs --from
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "from")]
    pub to: Option<NaiveDate>,
    /// One block per consultant or store (the customer's owner or store; kpi ranks them),
    /// or per calendar month (the trend)
    #[arg(long, value_enum, value_name = "GROUP")]
    pub by: Option<KpiGroup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiGroup {
    Owner,
    Store,
    Month,
}

/// Parses `YYYY-MM` into the month's first day.
pub fn parse_month(s: &str) -> Result<NaiveDate, String> {
    crate::parse::date(format!("{s}-01").as_bytes())
        .filter(|_| s.len() == 7)
        .ok_or_else(|| format!("{s:?} is not a month; expected YYYY-MM"))
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Tiers")]
pub struct TiersArgs {
    /// Per tier (top first): customers, spend and their shares, churn, care goal: the 80/20 view
    #[arg(long)]
    pub summary: bool,
    /// Tiers pinned by hand (CSV or xlsx): customer_id, tier, reason, optional expires; or a
    /// tiers export with override_tier and override_reason filled in
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// Last period's tiers export (CSV or xlsx): adds previous_tier and movement; with
    /// --summary, the from×to matrix
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses `YYYY-MM-DD` for the command line.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::parse::date(s.as_bytes())
        .ok_or_else(|| format!("{s:?} is not a date; expected YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// clap checks the definitions (ids used twice, conflicts naming no argument) only
    /// when asked: a global `--answers` and `log --answers` once panicked at parse time.
    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
