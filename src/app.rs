//! From parsed arguments to a run: resolve paths, read the policy and the data (every
//! problem collected), hand the records to the command, write its output atomically.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::cli::{Cli, ColorChoice, Command, InputArgs, OutputArgs};
use crate::domain::complaints::Moment;
use crate::domain::tiers::{ActivityFold, Overflow, Tiering, Total};
use crate::error::{Error, Problem, Problems, Result};
use crate::load::{self, CustomerBook, OrderStats};
use crate::model::Complaint;
use crate::policy::Policy;
use crate::report::{self, Format, Rows};

/// The inputs of a run, resolved: file paths, the day, and the policy's location.
#[derive(Debug, Clone)]
pub struct Plan {
    pub customers: PathBuf,
    pub orders: PathBuf,
    pub complaints: PathBuf,
    /// Whether complaints.csv was named explicitly (then it must exist).
    pub complaints_named: bool,
    pub contacts: PathBuf,
    pub contacts_named: bool,
    pub policy: PathBuf,
    pub as_of: NaiveDate,
    /// Every file the run has opened, shared by the plan's copies: an output never lands
    /// on one of them.
    pub read: Arc<Mutex<Vec<PathBuf>>>,
}

impl Plan {
    /// Resolves the input arguments; `today` is injected so tests can pin it.
    pub fn from_inputs(inputs: &InputArgs, today: NaiveDate) -> Plan {
        let in_data = |name: &str| inputs.data.join(name);
        Plan {
            customers: inputs
                .customers
                .clone()
                .unwrap_or_else(|| in_data("customers.csv")),
            orders: inputs
                .orders
                .clone()
                .unwrap_or_else(|| in_data("orders.csv")),
            complaints: inputs
                .complaints
                .clone()
                .unwrap_or_else(|| in_data("complaints.csv")),
            complaints_named: inputs.complaints.is_some(),
            contacts: inputs
                .contacts
                .clone()
                .unwrap_or_else(|| in_data("contacts.csv")),
            contacts_named: inputs.contacts.is_some(),
            policy: inputs.policy.clone(),
            as_of: inputs.as_of.unwrap_or(today),
            read: Arc::default(),
        }
    }

    /// Every input file, so an output never lands on one: the data files and the policy
    /// (read by this command or not: `tiers --output data/contacts.csv` must not replace
    /// the contact log), and whatever else the run has opened (overrides, previous tiers).
    pub fn inputs(&self) -> Vec<PathBuf> {
        let mut all = vec![
            self.customers.clone(),
            self.orders.clone(),
            self.complaints.clone(),
            self.contacts.clone(),
            self.policy.clone(),
        ];
        all.extend(self.read.lock().map(|r| r.clone()).unwrap_or_default());
        all
    }

    /// Opens an input and remembers it as one.
    fn open(&self, path: &Path) -> Result<Input> {
        if let Ok(mut read) = self.read.lock() {
            read.push(path.to_path_buf());
        }
        open(path)
    }

    /// Reads and checks the policy.
    pub fn load_policy(&self) -> Result<Policy> {
        refuse_folder(&self.policy, "the policy file (--policy FILE.toml)")?;
        let bytes = std::fs::read(&self.policy).map_err(|e| Error::io(&self.policy, e))?;
        let policy = Policy::parse_bytes(&bytes, &display(&self.policy)).map_err(Error::Invalid)?;
        for w in &policy.warnings {
            warn(&w.to_string());
        }
        Ok(policy)
    }

    /// The tiering step after the orders were folded (docs/rules.md §3): every problem
    /// found so far, and a total too large to hold, fail the run together; otherwise every
    /// customer classified, overrides applied (expired ones named in a warning).
    pub fn tiering(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        fold: ActivityFold,
        overrides: &[load::Override],
        mut problems: Problems,
    ) -> Result<Tiering> {
        match Tiering::from_fold(fold, book, &policy.tiers, overrides) {
            Ok(tiering) if problems.is_empty() => {
                warn_expired(&tiering, overrides, book);
                Ok(tiering)
            }
            Ok(_) => Err(Error::Invalid(problems)),
            Err(overflow) => {
                problems.push(self.overflow_problem(overflow, policy, book));
                Err(Error::Invalid(problems))
            }
        }
    }

    /// A customer's total past 64 bits, blamed on what caused it: a points rate above 1
    /// for the points (the policy key, with its line), the amounts otherwise.
    pub fn overflow_problem(&self, o: Overflow, policy: &Policy, book: &CustomerBook) -> Problem {
        let id = book.id(o.customer as usize).to_string();
        let what = match o.total {
            Total::Spend => "total spend",
            Total::Profit => "total profit",
            Total::Points => "points balance",
        };
        let rate = policy.tiers.points_per_unit;
        if o.total == Total::Points && rate > rust_decimal::Decimal::ONE {
            const KEY: &str = "tiers.points_per_unit";
            return Problem {
                file: display(&self.policy),
                line: policy.origin.line(KEY).unwrap_or(0),
                column: Some(KEY.into()),
                value: Some(rate.normalize().to_string()),
                expected: format!(
                    "at this many points per unit, customer {id}'s points balance exceeds 9,223,372,036,854,775,807; lower the rate"
                ),
            };
        }
        Problem {
            file: display(&self.orders),
            line: 0,
            column: Some("customer_id".into()),
            value: Some(id),
            expected: format!(
                "this customer's {what} exceeds ±92,233,720,368,547,758.07; amounts this large are not supported"
            ),
        }
    }

    /// Reads customers.csv, keeping every column.
    pub fn load_customers(&self, policy: &Policy, problems: &mut Problems) -> Result<CustomerBook> {
        self.load_customers_keeping(policy, load::Keep::ALL, problems)
    }

    /// Reads customers.csv, keeping the optional columns `keep` asks for (all are checked).
    pub fn load_customers_keeping(
        &self,
        policy: &Policy,
        keep: load::Keep,
        problems: &mut Problems,
    ) -> Result<CustomerBook> {
        let name = display(&self.customers);
        let renames = &policy.columns.customers;
        match self.open(&self.customers)? {
            Input::File(file) => load::read_customers_file(&file, &name, renames, keep, problems)
                .map_err(|e| Error::io(&self.customers, e)),
            other => Ok(load::read_customers(other, &name, renames, keep, problems)),
        }
    }

    /// Streams orders.csv through `sink`, in file order (a large file is parsed on two
    /// threads, its parts handed on in order).
    pub fn scan_orders(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
        sink: impl load::OrderSink,
    ) -> Result<OrderStats> {
        let name = display(&self.orders);
        let source = self.order_source(policy, book, &name);
        match self.open(&self.orders)? {
            Input::File(file) => load::read_orders_file(&file, &source, problems, sink)
                .map_err(|e| Error::io(&self.orders, e)),
            other => Ok(load::read_orders(other, &source, problems, sink)),
        }
    }

    fn order_source<'a>(
        &self,
        policy: &'a Policy,
        book: &'a CustomerBook,
        name: &'a str,
    ) -> load::OrderSource<'a> {
        load::OrderSource {
            file: name,
            renames: &policy.columns.orders,
            book,
            as_of: self.as_of,
            unknown: policy.validation.unknown_customer,
        }
    }

    /// Reads complaints.csv; `None` when it was not named and is not in the data directory.
    pub fn load_complaints(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
    ) -> Result<Option<Vec<Complaint>>> {
        if !self.complaints_named && !exists(&self.complaints) {
            return Ok(None);
        }
        let file = self.open(&self.complaints)?;
        Ok(Some(load::read_complaints(
            file,
            &display(&self.complaints),
            &policy.columns.complaints,
            book,
            policy.validation.unknown_customer,
            problems,
        )))
    }

    /// Reads contacts.csv; empty when it was not named and does not exist yet.
    pub fn load_contacts(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
    ) -> Result<Vec<crate::model::Contact>> {
        if !self.contacts_named && !exists(&self.contacts) {
            return Ok(Vec::new());
        }
        let rules: Vec<&str> = policy.due.rules.iter().map(|r| r.name.as_str()).collect();
        let file = self.open(&self.contacts)?;
        Ok(load::read_contacts(
            file,
            &display(&self.contacts),
            &policy.columns.contacts,
            book,
            &rules,
            problems,
        ))
    }

    /// Reads an overrides file (CSV or a sheet).
    pub fn load_overrides(
        &self,
        path: &Path,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
    ) -> Result<Vec<load::Override>> {
        let tiers: Vec<&str> = policy.tier_names().collect();
        Ok(load::read_overrides(
            self.open(path)?,
            &display(path),
            book,
            &tiers,
            problems,
        ))
    }

    /// Reads last month's tiers export (CSV or a sheet).
    pub fn load_previous(
        &self,
        path: &Path,
        policy: &Policy,
        problems: &mut Problems,
    ) -> Result<load::Previous> {
        let tiers: Vec<&str> = policy.tier_names().collect();
        Ok(load::read_previous(
            self.open(path)?,
            &display(path),
            &tiers,
            problems,
        ))
    }
}

/// Runs the command line; `now` is the local time (injected for tests).
pub fn run(cli: Cli, now: chrono::NaiveDateTime) -> Result<()> {
    let today = now.date();
    if cli.inputs.data.exists() && !cli.inputs.data.is_dir() {
        return Err(Error::Usage(format!(
            "--data {}: is a file; --data names the folder holding customers.csv, orders.csv, \
             complaints.csv (name one file with --customers, --orders, --complaints, --contacts)",
            display(&cli.inputs.data)
        )));
    }
    let plan = Plan::from_inputs(&cli.inputs, today);
    refuse_output_over_inputs(&plan, &cli.command)?;
    // Complaint deadlines are read at a moment: now for today, else the end of that day.
    let moment = if plan.as_of == today {
        Moment::At(now)
    } else {
        Moment::EndOf(plan.as_of)
    };
    match cli.command {
        Command::Check => crate::cmd::check::run(&plan),
        Command::Tiers(args) => crate::cmd::tiers::run(&plan, &args),
        Command::Kpi(args) => crate::cmd::kpi::run(&plan, &args),
        Command::Due(args) => crate::cmd::due::run(&plan, &args),
        Command::Log(args) => crate::cmd::log::run(&plan, &args, today),
        Command::Complaints(args) => crate::cmd::complaints::run(&plan, &args, moment),
        Command::Sql(args) => crate::cmd::sql::run(&plan, &args),
    }
}

/// Refuses, before any work, an `--output` that is one of the run's inputs (the write
/// checks again, with every file the run opened).
fn refuse_output_over_inputs(plan: &Plan, command: &Command) -> Result<()> {
    let (output, extra): (&Option<PathBuf>, Vec<&Option<PathBuf>>) = match command {
        Command::Tiers(a) => (&a.output.output, vec![&a.overrides, &a.previous]),
        Command::Due(a) => (&a.output.output, vec![&a.overrides]),
        Command::Kpi(a) => (&a.output.output, vec![]),
        Command::Complaints(a) => (&a.output.output, vec![]),
        // `sql` writes a query, not a table, through the same output path.
        Command::Sql(a) => (&a.output, vec![]),
        Command::Check | Command::Log(_) => return Ok(()),
    };
    let Some(path) = output else {
        return Ok(());
    };
    let mut inputs = plan.inputs();
    inputs.extend(extra.into_iter().flatten().cloned());
    refuse_inputs(path, &inputs)
}

/// A path as the user wrote it, for messages.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Whether an input path names something that exists (for `file.xlsx#Sheet`, the file).
pub fn exists(path: &Path) -> bool {
    load::SheetPath::of(path).map_or_else(|| path.exists(), |s| s.file.exists())
}

/// An input opened for reading: a regular file (read in chunks, on both cores), a pipe or
/// other stream (read front to back), or a spreadsheet's sheet as CSV in memory.
pub enum Input {
    File(File),
    Stream(File),
    Sheet(io::Cursor<Vec<u8>>),
}

impl io::Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::File(f) | Input::Stream(f) => f.read(buf),
            Input::Sheet(c) => c.read(buf),
        }
    }
}

/// A folder named where a file belongs is a usage error (exit 2), not a read failure.
fn refuse_folder(path: &Path, expected: &str) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a folder; expected {expected}",
            display(path)
        )));
    }
    Ok(())
}

/// Opens an input: a CSV file, or `file.xlsx` / `file.xlsx#Sheet`.
fn open(path: &Path) -> Result<Input> {
    refuse_folder(path, "a file (CSV or .xlsx)")?;
    if let Some(sheet) = load::SheetPath::of(path) {
        refuse_folder(&sheet.file, "a workbook file")?;
        if !sheet.file.exists() {
            let e = io::Error::new(io::ErrorKind::NotFound, "No such file or directory");
            return Err(Error::io(&sheet.file, e));
        }
        return load::sheet_to_csv(&sheet)
            .map(|bytes| Input::Sheet(io::Cursor::new(bytes)))
            .map_err(|message| {
                let mut problems = Problems::new();
                problems.add(&display(path), 0, None, None, message);
                Error::Invalid(problems)
            });
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // `--orders /dev/stdin` or `<(…)`: no size to cut into chunks, no positioned reads.
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(Input::File(file)),
        _ => Ok(Input::Stream(file)),
    }
}

/// Fails with every problem found, or goes on.
pub fn fail_on(problems: Problems) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Warns when lunar holidays could fall in `from..=to` beyond the lunar calendar's reach
/// (docs/rules.md §5.2), where they would otherwise be missing without a word. `what`
/// says which dates these are ("this list covers", …).
pub fn warn_lunar_range(policy: &Policy, from: NaiveDate, to: NaiveDate, what: &str) {
    if !crate::domain::due::lunar_holidays_beyond_calendar(&policy.due, from, to) {
        return;
    }
    let (first, last) = crate::domain::lunar::span();
    let names: Vec<&str> = policy
        .due
        .holidays
        .iter()
        .filter(|h| matches!(h.date, crate::policy::HolidayDate::Lunar(_)))
        .map(|h| h.name.as_str())
        .collect();
    warn(&format!(
        "lunar holidays are known from {first} to {last} (the lunar years {}-{}); {what} {from} to {to}: {} cannot be listed on the days beyond it",
        crate::domain::lunar::YEARS.start(),
        crate::domain::lunar::YEARS.end(),
        names.join(", ")
    ));
}

/// Prints a warning on stderr.
pub fn warn(message: &str) {
    note(&format!("caredesk: warning: {message}"));
}

/// Prints a line on stderr. A full or closed stderr cannot be reported anywhere, and
/// must not panic the run: the line is dropped.
pub fn note(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Prints the command's own lines on stdout (`check`'s verdict, `log`'s receipt, "nothing
/// due"). A write error is [`Error::Output`]: a closed pipe then ends the run quietly with
/// exit 0, anything else (a full disk) is exit 1 with a message.
pub fn say(lines: &[String]) -> Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// Warns about overrides left out because they expired.
fn warn_expired(tiering: &Tiering, overrides: &[load::Override], book: &CustomerBook) {
    if tiering.expired.is_empty() {
        return;
    }
    let list: Vec<String> = tiering
        .expired
        .iter()
        .map(|&i| {
            let o = &overrides[i];
            let until = o.expires.map(|d| d.to_string()).unwrap_or_default();
            format!(
                "{} (line {}, expired {until})",
                book.id(o.customer as usize),
                o.line
            )
        })
        .collect();
    warn(&format!("expired overrides ignored: {}", list.join(", ")));
}

/// Warns about rows left out by policy.
pub fn warn_skipped(stats: &OrderStats, file: &Path) {
    if stats.unknown_customer > 0 {
        warn(&format!(
            "{}: {} {} customers not in the customers file; skipped (validation.unknown_customer = \"skip\")",
            display(file),
            stats.unknown_customer,
            if stats.unknown_customer == 1 { "row names" } else { "rows name" }
        ));
    }
}

/// Where and how a table goes.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: Option<PathBuf>,
    pub show_phone: bool,
    pub color: bool,
    pub bom: bool,
    pub crlf: bool,
    /// Whether stdout is a terminal (decided once, with the format).
    pub terminal: bool,
}

impl Output {
    /// The format asked for, or: the --output file's extension, table on a terminal, csv.
    pub fn resolve(args: &OutputArgs, show_phone: bool) -> Output {
        let terminal = args.output.is_none() && io::stdout().is_terminal();
        let format = args.format.unwrap_or_else(|| match &args.output {
            Some(p) => match p.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
                Some(e) if e.eq_ignore_ascii_case("xlsx") => Format::Xlsx,
                Some(e) if e.eq_ignore_ascii_case("md") => Format::Md,
                Some(e) if e.eq_ignore_ascii_case("txt") => Format::Table,
                _ => Format::Csv,
            },
            None if terminal => Format::Table,
            None => Format::Csv,
        });
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Output {
            format,
            path: args.output.clone(),
            show_phone,
            color: color && format == Format::Table,
            bom: args.bom,
            crlf: args.crlf,
            terminal,
        }
    }

    /// Whether the format has room for the table's notes ("period: …", "n/a — …"): the
    /// views for people do; csv, json and xlsx are data only.
    pub fn holds_notes(&self) -> bool {
        matches!(self.format, Format::Table | Format::Md)
    }

    /// Renders `rows` to stdout or, atomically, to the output file (never over an input).
    /// The one place that decides where notes go: into the output when its format holds
    /// them, and on stderr for every export (a file, or a format without room for them),
    /// so each note is shown once on each stream and never lost.
    pub fn write(&self, rows: &dyn Rows, inputs: &[PathBuf]) -> Result<()> {
        let options = report::Options {
            format: self.format,
            show_phone: self.show_phone,
            color: self.color,
            bom: self.bom,
            crlf: self.crlf,
            notes: self.holds_notes(),
        };
        if self.format == Format::Xlsx {
            report::xlsx_fits(rows).map_err(Error::Usage)?;
        }
        match &self.path {
            None if self.format == Format::Xlsx && io::stdout().is_terminal() => {
                return Err(Error::Usage(
                    "xlsx is a binary file: give --output FILE.xlsx (or pipe it somewhere)".into(),
                ))
            }
            None => {
                let stdout = io::stdout();
                let mut lock = io::BufWriter::with_capacity(1 << 16, stdout.lock());
                report::render(rows, options, &mut lock)?;
                lock.flush()?;
            }
            Some(path) => write_output(path, inputs, |w| report::render(rows, options, w))?,
        }
        if !self.holds_notes() || self.path.is_some() {
            for line in rows.notes() {
                note(&line);
            }
        }
        if self.format == Format::Table && self.terminal && rows.len() > report::TERMINAL_ROWS {
            warn(&format!(
                "{} rows: for a file to sort and filter, use --format csv or --output FILE.xlsx",
                rows.len()
            ));
        }
        Ok(())
    }
}

/// Whether `a` and `b` are the same regular file, however spelt (a symlink, `..`, a hard
/// link): the same device and inode where the platform has them, else the same
/// canonical path.
fn same_regular_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if !ma.is_file() || !mb.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        ma.dev() == mb.dev() && ma.ino() == mb.ino()
    }
    #[cfg(not(unix))]
    {
        matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    }
}

/// Refuses an output that is one of the run's inputs (for `book.xlsx#Sheet`, the
/// workbook file).
fn refuse_inputs(path: &Path, inputs: &[PathBuf]) -> Result<()> {
    for input in inputs {
        let file = load::SheetPath::of(input).map_or_else(|| input.clone(), |s| s.file);
        if same_regular_file(path, &file) {
            let alias = if input.as_path() == path {
                String::new()
            } else {
                format!(" ({})", display(input))
            };
            return Err(Error::Usage(format!(
                "{}: is an input file{alias}; refusing to write over it",
                display(path),
            )));
        }
    }
    Ok(())
}

/// Writes a command's output to `path`. A regular file (or a new one) is written through
/// a temporary file renamed into place ([`write_atomically`]); a symlink is followed, so
/// the file it points at is replaced and the link stays. A device, FIFO or other
/// non-regular file (`/dev/null`, `/proc/self/fd/1`) is written into directly: renaming
/// over it would replace the device node with a plain file (as root, it can).
pub fn write_output(
    path: &Path,
    inputs: &[PathBuf],
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    refuse_inputs(path, inputs)?;
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::Usage(format!(
            "--output {}: is a folder; give a file name",
            display(path)
        ))),
        Ok(m) if !m.is_file() => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            let mut w = io::BufWriter::with_capacity(1 << 16, file);
            fill(&mut w).map_err(|e| Error::io(path, e))?;
            w.flush().map_err(|e| Error::io(path, e))
        }
        Ok(_) if path.is_symlink() => {
            let target = path.canonicalize().map_err(|e| Error::io(path, e))?;
            write_atomically(&target, fill)
        }
        // A link to a file not made yet: the file is made where it points, and the link
        // stays (renaming over the link replaced it with a plain file).
        Err(_) if path.is_symlink() => write_atomically(&link_target(path)?, fill),
        _ => write_atomically(path, fill),
    }
}

/// Where a symlink finally points, followed link by link (relative targets from the
/// link's folder), whether or not the file there exists yet.
fn link_target(path: &Path) -> Result<PathBuf> {
    let mut at = path.to_path_buf();
    // As many hops as Linux follows before ELOOP.
    for _ in 0..40 {
        if !at.is_symlink() {
            return Ok(at);
        }
        let next = std::fs::read_link(&at).map_err(|e| Error::io(&at, e))?;
        at = match at.parent() {
            Some(dir) if next.is_relative() => dir.join(next),
            _ => next,
        };
    }
    let e = io::Error::other("too many levels of symbolic links");
    Err(Error::io(path, e))
}

/// A private temporary file in `path`'s folder, to be renamed over `path`. When the
/// folder cannot be written, the error names it (tempfile's own message names the
/// temporary file, which the user never asked for).
pub fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(".caredesk-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| {
            let why = e
                .raw_os_error()
                .map_or_else(|| io::Error::from(e.kind()), io::Error::from_raw_os_error);
            let message = format!("cannot write the output in this folder: {why}");
            Error::io(&dir, io::Error::new(e.kind(), message))
        })
}

/// Writes through a temporary file in the same directory, then renames it into place, so
/// a reader never sees half a file and a failed run leaves the old file as it was.
fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    {
        let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        fill(&mut w).map_err(|e| Error::io(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    // A temporary file is private (0600); the report takes the old file's mode, or the
    // usual 0644 for a new one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o777);
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode));
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn plan(args: &[&str]) -> Plan {
        let cli = Cli::try_parse_from(args).unwrap();
        Plan::from_inputs(&cli.inputs, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    }

    #[test]
    fn data_dir_and_single_files() {
        let p = plan(&["caredesk", "--data", "d", "tiers", "--orders", "x/o.csv"]);
        assert_eq!(p.customers, PathBuf::from("d/customers.csv"));
        assert_eq!(p.orders, PathBuf::from("x/o.csv"));
        assert_eq!(p.as_of, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        assert!(!p.complaints_named);
    }

    #[test]
    fn as_of_overrides_today() {
        let p = plan(&["caredesk", "tiers", "--as-of", "2025-01-31"]);
        assert_eq!(p.as_of, NaiveDate::from_ymd_opt(2025, 1, 31).unwrap());
        assert!(Cli::try_parse_from(["caredesk", "tiers", "--as-of", "2025-02-30"]).is_err());
    }

    #[test]
    fn format_follows_the_output_extension() {
        let args = OutputArgs {
            format: None,
            output: Some("t.json".into()),
            color: ColorChoice::Always,
            bom: false,
            crlf: false,
        };
        assert_eq!(Output::resolve(&args, false).format, Format::Json);
        let args = OutputArgs {
            format: Some(Format::Csv),
            output: Some("t.json".into()),
            color: ColorChoice::Always,
            bom: false,
            crlf: false,
        };
        let out = Output::resolve(&args, false);
        assert_eq!(out.format, Format::Csv);
        assert!(!out.color, "colour is for the table view only");
    }

    #[test]
    fn atomic_write_refuses_an_input_and_replaces_whole() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("orders.csv");
        std::fs::write(&input, "keep").unwrap();
        let inputs = [input.clone()];
        let err = write_output(&input, &inputs, |w| w.write_all(b"x")).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "keep");
        let out = dir.path().join("out.csv");
        write_output(&out, &inputs, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        let failed = write_output(&out, &inputs, |_| Err(io::Error::other("disk full")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_input_is_refused_however_it_is_spelt() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("contacts.csv"), "keep").unwrap();
        std::fs::write(d.join("book.xlsx"), "keep").unwrap();
        std::fs::hard_link(d.join("contacts.csv"), d.join("hard.csv")).unwrap();
        std::os::unix::fs::symlink(d.join("contacts.csv"), d.join("link.csv")).unwrap();
        let inputs = [d.join("contacts.csv"), d.join("book.xlsx#orders")];
        for spelling in [
            d.join("hard.csv"),
            d.join("link.csv"),
            d.join("sub/../contacts.csv"),
            d.join("book.xlsx"),
        ] {
            let err = write_output(&spelling, &inputs, |w| w.write_all(b"x")).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{spelling:?}");
        }
        assert_eq!(
            std::fs::read_to_string(d.join("contacts.csv")).unwrap(),
            "keep"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("book.xlsx")).unwrap(),
            "keep"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_replaces_its_target_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("real.csv"), "old").unwrap();
        std::os::unix::fs::symlink(d.join("real.csv"), d.join("link.csv")).unwrap();
        write_output(&d.join("link.csv"), &[], |w| w.write_all(b"new")).unwrap();
        assert!(d.join("link.csv").is_symlink());
        assert_eq!(std::fs::read_to_string(d.join("real.csv")).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_not_made_yet_makes_it_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("out")).unwrap();
        std::os::unix::fs::symlink("out/new.csv", d.join("link.csv")).unwrap();
        std::os::unix::fs::symlink("link.csv", d.join("link2.csv")).unwrap();
        write_output(&d.join("link2.csv"), &[], |w| w.write_all(b"new")).unwrap();
        assert!(d.join("link.csv").is_symlink() && d.join("link2.csv").is_symlink());
        assert_eq!(
            std::fs::read_to_string(d.join("out/new.csv")).unwrap(),
            "new"
        );
        std::os::unix::fs::symlink("loop.csv", d.join("loop.csv")).unwrap();
        assert!(write_output(&d.join("loop.csv"), &[], |w| w.write_all(b"x")).is_err());
        assert!(d.join("loop.csv").is_symlink());
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_named() {
        let err = write_output(Path::new("/proc/caredesk-out.csv"), &[], |w| {
            w.write_all(b"x")
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("/proc: cannot write the output in this folder"),
            "{err}"
        );
        assert!(!err.contains(".tmp"), "{err}");
    }
}
