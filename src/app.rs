//! From parsed arguments to a run: resolve paths, read the policy and the data (every
//! problem collected), hand the records to the command, write its output atomically.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::{Cli, ColorChoice, Command, InputArgs, OutputArgs};
use crate::error::{Error, Problems, Result};
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
        }
    }

    /// Every input file, so an output never lands on one.
    pub fn inputs(&self) -> Vec<&Path> {
        vec![
            &self.customers,
            &self.orders,
            &self.complaints,
            &self.policy,
        ]
    }

    /// Reads and checks the policy.
    pub fn load_policy(&self) -> Result<Policy> {
        let text = std::fs::read_to_string(&self.policy).map_err(|e| Error::io(&self.policy, e))?;
        Policy::parse(&text, &display(&self.policy)).map_err(Error::Invalid)
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
        match open(&self.customers)? {
            Input::File(file) => load::read_customers_file(&file, &name, renames, keep, problems)
                .map_err(|e| Error::io(&self.customers, e)),
            other => Ok(load::read_customers(other, &name, renames, keep, problems)),
        }
    }

    /// Streams orders.csv through `sink`, on two threads when the file is large (rows
    /// then arrive out of file order; every fold in the domain is order-free).
    pub fn scan_orders(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
        sink: impl load::OrderSink,
    ) -> Result<OrderStats> {
        let name = display(&self.orders);
        let source = self.order_source(policy, book, &name);
        match open(&self.orders)? {
            Input::File(file) => load::read_orders_file(&file, &source, problems, sink)
                .map_err(|e| Error::io(&self.orders, e)),
            other => Ok(load::read_orders(other, &source, problems, sink)),
        }
    }

    /// Streams orders.csv through `sink` on one thread, in file order.
    pub fn scan_orders_in_order(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
        sink: impl load::OrderSink,
    ) -> Result<OrderStats> {
        let file = open(&self.orders)?;
        let name = display(&self.orders);
        let source = self.order_source(policy, book, &name);
        Ok(load::read_orders(file, &source, problems, sink))
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
        let file = open(&self.complaints)?;
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
        let file = open(&self.contacts)?;
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
            open(path)?,
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
            open(path)?,
            &display(path),
            &tiers,
            problems,
        ))
    }
}

/// Runs the command line; `now` is the local time (injected for tests).
pub fn run(cli: Cli, now: chrono::NaiveDateTime) -> Result<()> {
    let today = now.date();
    let plan = Plan::from_inputs(&cli.inputs, today);
    // Complaint deadlines are read at a moment: now for today, else the end of that day.
    let moment = if plan.as_of == today {
        now
    } else {
        crate::domain::days_after(plan.as_of, 1)
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    };
    match cli.command {
        Command::Check => crate::cmd::check::run(&plan),
        Command::Tiers(args) => crate::cmd::tiers::run(&plan, &args),
        Command::Kpi(args) => crate::cmd::kpi::run(&plan, &args),
        Command::Due(args) => crate::cmd::due::run(&plan, &args),
        Command::Log(args) => crate::cmd::log::run(&plan, &args, today),
        Command::Complaints(args) => crate::cmd::complaints::run(&plan, &args, moment),
    }
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

/// Opens an input: a CSV file, or `file.xlsx` / `file.xlsx#Sheet`.
fn open(path: &Path) -> Result<Input> {
    if let Some(sheet) = load::SheetPath::of(path) {
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

/// Prints a warning on stderr.
pub fn warn(message: &str) {
    eprintln!("caredesk: warning: {message}");
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
}

impl Output {
    /// The format asked for, or: the --output file's extension, table on a terminal, csv.
    pub fn resolve(args: &OutputArgs, show_phone: bool) -> Output {
        let format = args.format.unwrap_or_else(|| match &args.output {
            Some(p) => match p.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
                Some(e) if e.eq_ignore_ascii_case("xlsx") => Format::Xlsx,
                Some(e) if e.eq_ignore_ascii_case("md") => Format::Md,
                Some(e) if e.eq_ignore_ascii_case("txt") => Format::Table,
                _ => Format::Csv,
            },
            None if io::stdout().is_terminal() => Format::Table,
            None => Format::Csv,
        });
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                args.output.is_none()
                    && io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Output {
            format,
            path: args.output.clone(),
            show_phone,
            color: color && format == Format::Table,
            bom: args.bom,
            crlf: args.crlf,
        }
    }

    /// Renders `rows` to stdout or, atomically, to the output file (never over an input).
    pub fn write(&self, rows: &dyn Rows, inputs: &[&Path]) -> Result<()> {
        let options = report::Options {
            format: self.format,
            show_phone: self.show_phone,
            color: self.color,
            bom: self.bom,
            crlf: self.crlf,
        };
        match &self.path {
            None if self.format == Format::Xlsx && io::stdout().is_terminal() => Err(Error::Usage(
                "xlsx is a binary file: give --output FILE.xlsx (or pipe it somewhere)".into(),
            )),
            None => {
                let stdout = io::stdout();
                let mut lock = io::BufWriter::with_capacity(1 << 16, stdout.lock());
                report::render(rows, options, &mut lock)?;
                lock.flush()?;
                if self.format != Format::Table {
                    for note in rows.notes() {
                        eprintln!("{note}");
                    }
                }
                Ok(())
            }
            Some(path) => write_atomically(path, inputs, |w| report::render(rows, options, w)),
        }
    }
}

/// Writes through a temporary file in the same directory, then renames it into place, so
/// a reader never sees half a file and a failed run leaves the old file as it was.
pub fn write_atomically(
    path: &Path,
    inputs: &[&Path],
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    if let Ok(target) = path.canonicalize() {
        for input in inputs {
            if input.canonicalize().is_ok_and(|i| i == target) {
                return Err(Error::Usage(format!(
                    "{}: is an input file; refusing to write over it",
                    display(path)
                )));
            }
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".caredesk-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
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
        let err = write_atomically(&input, &[&input], |w| w.write_all(b"x")).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "keep");
        let out = dir.path().join("out.csv");
        write_atomically(&out, &[&input], |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        let failed = write_atomically(&out, &[&input], |_| Err(io::Error::other("disk full")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
    }
}
