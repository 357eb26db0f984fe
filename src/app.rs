//! From parsed arguments to a run: resolve paths, read the policy and the data (every
//! problem collected), hand the records to the command, write its output atomically.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::cli::{Cli, ColorChoice, Command, InputArgs, OutputArgs, OutputEncoding};
use crate::domain::complaints::Moment;
use crate::domain::tiers::{ActivityFold, Overflow, Tiering, Total};
use crate::error::{Error, Problem, Problems, Result};
use crate::load::encoding::Encoding;
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
    pub answers: PathBuf,
    pub answers_named: bool,
    pub policy: PathBuf,
    /// Whether --policy was given (for `init`: the file to write).
    pub policy_named: bool,
    pub as_of: NaiveDate,
    /// Every file the run has opened, shared by the plan's copies: an output never lands
    /// on one of them.
    pub read: Arc<Mutex<Vec<PathBuf>>>,
    /// The input encoding from --encoding (else the policy's `input.encoding`).
    pub encoding: Option<Encoding>,
    /// --quiet: no notes, no progress bar.
    pub quiet: bool,
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
            policy: inputs
                .policy
                .clone()
                .unwrap_or_else(|| PathBuf::from("config/policy.toml")),
            policy_named: inputs.policy.is_some(),
            answers: inputs
                .answers
                .clone()
                .unwrap_or_else(|| in_data("answers.csv")),
            answers_named: inputs.answers.is_some(),
            as_of: inputs.as_of.unwrap_or(today),
            read: Arc::default(),
            encoding: inputs.encoding,
            quiet: inputs.quiet,
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
            self.answers.clone(),
            self.policy.clone(),
        ];
        all.extend(self.read.lock().map(|r| r.clone()).unwrap_or_default());
        all
    }

    /// Reads and checks the policy.
    pub fn load_policy(&self) -> Result<Policy> {
        refuse_folder(&self.policy, "the policy file (--policy FILE.toml)")?;
        let bytes = read_policy(&self.policy)?;
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
                reach: crate::error::Reach::Own,
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
            reach: crate::error::Reach::Own,
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
        let mut opened = self.open(&self.customers, policy, problems)?;
        let before = problems.total();
        let book = match &mut opened.input {
            Input::File(file) => load::read_customers_file(file, &name, renames, keep, problems)
                .map_err(|e| Error::io(&self.customers, e))?,
            other => load::read_customers(other, &name, renames, keep, problems),
        };
        opened.trace(before, problems)?;
        Ok(book)
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
        let mut opened = self.open(&self.orders, policy, problems)?;
        let before = problems.total();
        let stats = match &mut opened.input {
            Input::File(file) => {
                let bar = Progress::new(file, self.quiet);
                let tell = |done: u64| bar.set(done);
                load::read_orders_file_reporting(
                    file,
                    &source,
                    problems,
                    sink,
                    load::Split::auto(),
                    &tell,
                )
                .map_err(|e| Error::io(&self.orders, e))?
            }
            other => load::read_orders(other, &source, problems, sink),
        };
        opened.trace(before, problems)?;
        Ok(stats)
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
        self.load_complaints_of(policy, book, None, problems)
    }

    /// [`load_complaints`](Self::load_complaints), keeping only customer `only`'s when it
    /// is given (every row is checked all the same).
    pub fn load_complaints_of(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        only: Option<u32>,
        problems: &mut Problems,
    ) -> Result<Option<Vec<Complaint>>> {
        let keep = |k: &Complaint| only.is_none_or(|c| c == k.customer);
        self.load_complaints_where(policy, book, &keep, problems)
    }

    /// [`load_complaints`](Self::load_complaints), keeping only the complaints `keep` says
    /// yes to (every row is checked all the same).
    pub fn load_complaints_where(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        keep: &(dyn Fn(&Complaint) -> bool + Sync),
        problems: &mut Problems,
    ) -> Result<Option<Vec<Complaint>>> {
        if !self.complaints_named && !exists(&self.complaints) {
            return Ok(None);
        }
        let mut opened = self.open(&self.complaints, policy, problems)?;
        let before = problems.total();
        let name = display(&self.complaints);
        let (renames, unknown) = (
            &policy.columns.complaints,
            policy.validation.unknown_customer,
        );
        let complaints = match &mut opened.input {
            // On both cores: half a million complaints took a third of a second on one.
            Input::File(file) => {
                load::read_complaints_file(file, &name, renames, book, unknown, keep, problems)
                    .map_err(|e| Error::io(&self.complaints, e))?
            }
            other => {
                load::read_complaints_where(other, &name, renames, book, unknown, keep, problems)
            }
        };
        opened.trace(before, problems)?;
        Ok(Some(complaints))
    }

    /// Reads contacts.csv; empty when it was not named and does not exist yet.
    pub fn load_contacts(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
    ) -> Result<Vec<crate::model::Contact>> {
        self.load_contacts_of(policy, book, None, problems)
    }

    /// [`load_contacts`](Self::load_contacts), keeping only customer `only`'s rows when it
    /// is given (every row is checked all the same).
    pub fn load_contacts_of(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        only: Option<u32>,
        problems: &mut Problems,
    ) -> Result<Vec<crate::model::Contact>> {
        if !self.contacts_named && !exists(&self.contacts) {
            return Ok(Vec::new());
        }
        let rules: Vec<&str> = policy.due.rules.iter().map(|r| r.name.as_str()).collect();
        let mut opened = self.open(&self.contacts, policy, problems)?;
        let before = problems.total();
        let contacts = load::read_contacts_of(
            &mut opened.input,
            &display(&self.contacts),
            &policy.columns.contacts,
            book,
            &rules,
            only,
            problems,
        );
        opened.trace(before, problems)?;
        Ok(contacts)
    }

    /// Whether there is an answers.csv to read (named, or found in the data folder).
    pub fn answers_exist(&self) -> bool {
        self.answers_named || exists(&self.answers)
    }

    /// Reads answers.csv; empty when it was not named and does not exist yet.
    pub fn load_answers(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
    ) -> Result<Vec<crate::model::Answer>> {
        self.load_answers_of(policy, book, None, problems)
    }

    /// [`load_answers`](Self::load_answers), keeping only customer `only`'s rows when it
    /// is given (every row is checked all the same).
    pub fn load_answers_of(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        only: Option<u32>,
        problems: &mut Problems,
    ) -> Result<Vec<crate::model::Answer>> {
        if !self.answers_named && !exists(&self.answers) {
            return Ok(Vec::new());
        }
        let mut opened = self.open(&self.answers, policy, problems)?;
        let before = problems.total();
        let answers = load::read_answers_of(
            &mut opened.input,
            &display(&self.answers),
            policy,
            book,
            only,
            problems,
        );
        opened.trace(before, problems)?;
        Ok(answers)
    }

    /// The kinds of the jobs that `answers` survey, where the form of a call depends on it
    /// (a service rule whose forms name kinds): per (customer, order id), read from the
    /// orders in one pass; nothing is read when no answer needs it.
    pub fn job_kinds(
        &self,
        policy: &Policy,
        book: &CustomerBook,
        answers: &[crate::model::Answer],
        problems: &mut Problems,
    ) -> Result<std::collections::HashMap<(u32, String), crate::model::OrderKind>> {
        let mut jobs = JobKinds::new(policy, answers);
        if !jobs.is_empty() {
            self.scan_orders(policy, book, problems, |order: &crate::model::Order<'_>| {
                jobs.add(order)
            })?;
        }
        Ok(jobs.kinds)
    }

    /// Reads a filled worksheet (`log --from`, CSV or a sheet); `questions` are the forms'
    /// question ids.
    pub fn load_worksheet(
        &self,
        path: &Path,
        policy: &Policy,
        questions: &[&str],
        problems: &mut Problems,
    ) -> Result<load::Worksheet> {
        let mut opened = self.open(path, policy, problems)?;
        let before = problems.total();
        let sheet = load::read_worksheet(&mut opened.input, &display(path), questions, problems);
        opened.trace(before, problems)?;
        Ok(sheet)
    }

    /// Reads an overrides file (CSV or a sheet).
    pub fn load_overrides(
        &self,
        path: &Path,
        policy: &Policy,
        book: &CustomerBook,
        problems: &mut Problems,
    ) -> Result<Vec<load::Override>> {
        let tiers = tier_names(policy);
        let mut opened = self.open(path, policy, problems)?;
        let before = problems.total();
        let overrides =
            load::read_overrides(&mut opened.input, &display(path), book, &tiers, problems);
        opened.trace(before, problems)?;
        Ok(overrides)
    }

    /// Reads last month's tiers export (CSV or a sheet).
    pub fn load_previous(
        &self,
        path: &Path,
        policy: &Policy,
        problems: &mut Problems,
    ) -> Result<load::Previous> {
        let tiers = tier_names(policy);
        let mut opened = self.open(path, policy, problems)?;
        let before = problems.total();
        let previous = load::read_previous(&mut opened.input, &display(path), &tiers, problems);
        opened.trace(before, problems)?;
        Ok(previous)
    }

    /// Opens an input for reading in its encoding; what does not decode goes to
    /// `problems`, and a detected encoding other than UTF-8 is said once on stderr.
    /// The file is remembered as an input: an output never lands on it.
    pub fn open(&self, path: &Path, policy: &Policy, problems: &mut Problems) -> Result<Opened> {
        if let Ok(mut read) = self.read.lock() {
            read.push(path.to_path_buf());
        }
        let want = self.encoding.unwrap_or(policy.input.encoding);
        open(path, want, self.quiet, problems)
    }
}

/// An input opened in its encoding, to read once.
pub struct Opened {
    pub input: Input,
    name: String,
    /// The file as it is, when it was read as UTF-8 on the strength of its start.
    presumed: Option<File>,
}

impl Opened {
    /// After reading: a file taken for UTF-8 from its start that had problems is looked at
    /// whole, and a byte further on that is not UTF-8 is reported with its line; a stream's
    /// undecodable bytes are reported.
    pub fn trace(&self, before: u64, problems: &mut Problems) -> Result<()> {
        if let Input::Stream(s) = &self.input {
            if s.malformed > 0 {
                problems.add(
                    &self.name,
                    s.first_malformed_line,
                    None,
                    None,
                    format!(
                        "{} byte sequence{} not {} text (replaced); fix them, or save the file as \"CSV UTF-8\"",
                        s.malformed,
                        if s.malformed == 1 { " is" } else { "s are" },
                        s.detected.unwrap_or("the given encoding's"),
                    ),
                );
            }
        }
        let Some(file) = &self.presumed else {
            return Ok(());
        };
        if problems.total() == before {
            return Ok(());
        }
        let size = file.metadata().map_err(|e| Error::io(&self.name, e))?.len();
        if let Some((line, gb18030)) =
            load::encoding::late_spot(file, size).map_err(|e| Error::io(&self.name, e))?
        {
            problems.add(
                &self.name,
                line,
                None,
                None,
                format!(
                    "not UTF-8 from this line on, though the file's first {} MiB are, so it was read as UTF-8; {}",
                    load::encoding::SNIFF >> 20,
                    if gb18030 {
                        "the whole file reads as GB18030 (GBK): run again with --encoding gb18030"
                    } else {
                        "nor is it GB18030 (GBK): save the file as \"CSV UTF-8\""
                    }
                ),
            );
        }
        Ok(())
    }
}

/// The kinds of the surveyed jobs whose form depends on it (a service rule whose forms
/// name kinds), gathered from the order rows as they pass (§9.2): a command that reads
/// the orders anyway adds this to its pass instead of reading them again.
pub struct JobKinds<'a> {
    wanted: std::collections::HashSet<(u32, &'a str)>,
    /// Per (customer, order id), the kind of the order an answer surveys.
    pub kinds: std::collections::HashMap<(u32, String), crate::model::OrderKind>,
}

impl<'a> JobKinds<'a> {
    pub fn new(policy: &Policy, answers: &'a [crate::model::Answer]) -> Self {
        let rule_needs: Vec<bool> = (0..policy.due.rules.len())
            .map(|r| policy.survey.needs_kind(r))
            .collect();
        let needs = |a: &crate::model::Answer| {
            policy
                .due
                .rules
                .iter()
                .position(|r| r.name == a.rule)
                .is_some_and(|r| rule_needs[r])
        };
        JobKinds {
            wanted: answers
                .iter()
                .filter(|a| needs(a))
                .map(|a| (a.customer, a.source_id.as_str()))
                .collect(),
            kinds: std::collections::HashMap::new(),
        }
    }

    /// No answer needs a job's kind: the orders need not be looked at.
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty()
    }

    #[inline]
    pub fn add(&mut self, order: &crate::model::Order<'_>) {
        if !self.wanted.is_empty() && self.wanted.contains(&(order.customer, order.order_id)) {
            self.kinds
                .insert((order.customer, order.order_id.to_string()), order.kind);
        }
    }
}

/// The groups of a breakdown (`--by owner|store|month`): their names, and how rows fall
/// into them (by the customer's owner or store, `(none)` without one; or by the month of
/// the row's own date within `period`). Without `by`: one group, `all`.
pub fn groups(
    book: &CustomerBook,
    by: Option<crate::cli::KpiGroup>,
    period: crate::domain::kpi::Period,
) -> (Vec<String>, crate::domain::kpi::Grouping) {
    use crate::cli::KpiGroup;
    use crate::domain::kpi::Grouping;
    match by {
        None => (vec!["all".to_string()], Grouping::All),
        Some(KpiGroup::Month) => (
            period.months(),
            Grouping::ByMonth {
                first_month: period.from,
            },
        ),
        Some(by) => {
            let (names, of_customer) =
                book.grouped(by == KpiGroup::Store, crate::domain::kpi::NO_GROUP);
            let names = names.into_iter().map(str::to_string).collect();
            (names, Grouping::ByCustomer { of_customer })
        }
    }
}

/// `init` reads every file it sets up from in --from: a data file named besides would be
/// ignored, so it is refused, naming the flags (nothing named is ever silently unread).
fn refuse_files_for_init(inputs: &crate::cli::InputArgs) -> Result<()> {
    let named: Vec<&str> = [
        ("--data", inputs.data != Path::new("data")),
        ("--customers", inputs.customers.is_some()),
        ("--orders", inputs.orders.is_some()),
        ("--complaints", inputs.complaints.is_some()),
        ("--contacts", inputs.contacts.is_some()),
        ("--answers", inputs.answers.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    if named.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "init reads the exports in --from, not {}; give --from the directory that holds them \
         (after init, the other commands take these flags)",
        named.join(", ")
    )))
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
    if matches!(cli.command, Command::Init(_)) {
        refuse_files_for_init(&cli.inputs)?;
    }
    let plan = Plan::from_inputs(&cli.inputs, today);
    refuse_output_over_inputs(&plan, &cli.command)?;
    // Complaint deadlines are read at a moment: now for today, else the end of that day.
    let moment = if plan.as_of == today {
        Moment::At(now)
    } else {
        Moment::EndOf(plan.as_of)
    };
    if let Some(output) = cli.command.output() {
        // `due --split-by` writes files whatever stdout is.
        let files = matches!(&cli.command, Command::Due(a) if a.output_dir.is_some());
        check_output(output, files)?;
    }
    match cli.command {
        Command::Check(args) => crate::cmd::check::run(&plan, &args),
        Command::Tiers(args) => crate::cmd::tiers::run(&plan, &args),
        Command::Kpi(args) => crate::cmd::kpi::run(&plan, &args),
        Command::Due(args) => crate::cmd::due::run(&plan, &args),
        Command::Log(args) => crate::cmd::log::run(&plan, &args, today),
        Command::Survey(args) => crate::cmd::survey::run(&plan, &args),
        Command::Complaints(args) => crate::cmd::complaints::run(&plan, &args, moment),
        Command::Sql(args) => crate::cmd::sql::run(&plan, &args),
        Command::Init(args) => {
            // Set up, then check with what was written: init's verdict is check's.
            let set_up = crate::cmd::init::run(&plan, &args)?;
            let only_data = crate::cli::CheckArgs {
                overrides: None,
                previous: None,
            };
            crate::cmd::check::run(&set_up.plan, &only_data)
        }
        Command::Completions(args) => crate::cmd::completions::run(args.shell),
        Command::Man => crate::cmd::man::run(),
        Command::Customer(args) => crate::cmd::customer::run(&plan, &args, moment),
        Command::Report(args) => crate::cmd::report::run(&plan, &args),
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
        Command::Survey(a) => (&a.output.output, vec![]),
        Command::Customer(a) => (&a.output, vec![&a.overrides]),
        Command::Report(a) => (&a.output, vec![&a.overrides, &a.previous]),
        // `sql` writes a query, not a table, through the same output path.
        Command::Sql(a) => (&a.output, vec![]),
        Command::Check(_)
        | Command::Log(_)
        | Command::Init(_)
        | Command::Completions(_)
        | Command::Man => return Ok(()),
    };
    let Some(path) = output else {
        return Ok(());
    };
    let mut inputs = plan.inputs();
    inputs.extend(extra.into_iter().flatten().cloned());
    refuse_inputs(path, &inputs)
}

/// The policy's tiers as an overrides or previous-tiers file may name them.
fn tier_names(policy: &Policy) -> load::TierNames<'_> {
    load::TierNames::new(
        policy
            .tiers
            .levels
            .iter()
            .map(|l| (l.name.as_str(), l.label.as_deref())),
    )
}

/// A progress bar on stderr while a large file is read, by bytes: only on a terminal,
/// and not with --quiet.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Files smaller than this are read too fast for a bar to help.
    const LARGE: u64 = 64 << 20;

    fn new(file: &File, quiet: bool) -> Progress {
        let size = file.metadata().map_or(0, |m| m.len());
        if !shows_progress(size, quiet, io::stderr().is_terminal()) {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(size);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "reading orders {bar:40} {binary_bytes}/{binary_total_bytes} {eta}",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    fn set(&self, done: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(done);
        }
    }
}

/// Whether reading a file of `size` bytes shows a progress bar: a large file (64 MiB or
/// more), on a terminal, unless --quiet.
fn shows_progress(size: u64, quiet: bool, terminal: bool) -> bool {
    !quiet && terminal && size >= Progress::LARGE
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The output arguments that cannot work, refused before anything is read: an --output
/// extension that names no format (`.xls` is read, not written), an output encoding for a
/// format that has none.
fn check_output(args: &OutputArgs, files: bool) -> Result<()> {
    if args.format.is_none() {
        if let Some(ext) = args.output.as_deref().and_then(|p| p.extension()) {
            let ext = ext.to_string_lossy();
            if format_of_extension(&ext).is_none() {
                return Err(Error::Usage(format!(
                    "--output: .{ext} is not a format caredesk writes; use .csv, .json, .xlsx, .md or .txt (the table), or give --format csv|json|xlsx|md|table"
                )));
            }
        }
    }
    let format = match files {
        true => Output::resolve_for_files(args, false).format,
        false => Output::resolve(args, false).format,
    };
    if args.output_encoding == Some(OutputEncoding::Gb18030) {
        if format != Format::Csv {
            return Err(Error::Usage(
                "--output-encoding gb18030 is for CSV exports (xlsx, json and md are UTF-8 by their nature)"
                    .into(),
            ));
        }
        if args.bom {
            return Err(Error::Usage(
                "--bom marks UTF-8; give either --bom or --output-encoding gb18030".into(),
            ));
        }
    }
    Ok(())
}

/// The format an --output file's extension names.
fn format_of_extension(ext: &str) -> Option<Format> {
    let ext = ext.to_ascii_lowercase();
    Some(match ext.as_str() {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "xlsx" => Format::Xlsx,
        "md" => Format::Md,
        "txt" => Format::Table,
        _ => return None,
    })
}

/// A path as the user wrote it, for messages.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Whether an input path names something that exists (for `file.xlsx#Sheet`, the file).
pub fn exists(path: &Path) -> bool {
    load::SheetPath::of(path).map_or_else(|| path.exists(), |s| s.file.exists())
}

/// An input opened for reading: a regular file of UTF-8 text (read in chunks, on both
/// cores; the file itself, or a transcoded copy), a pipe or other stream (read front to
/// back, decoded as it goes), or text in memory (a spreadsheet's sheet as CSV, a small
/// transcoded file).
pub enum Input {
    File(File),
    Stream(load::encoding::StreamText<File>),
    Memory(io::Cursor<Vec<u8>>),
}

impl io::Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::File(f) => f.read(buf),
            Input::Stream(s) => s.read(buf),
            Input::Memory(c) => c.read(buf),
        }
    }
}

/// A folder named where a file belongs is a usage error (exit 2), not a read failure.
/// A policy file may hold at most this many bytes: 1 MiB, hundreds of times the shipped
/// one (a few KB of TOML with every rule).
pub const MAX_POLICY_BYTES: u64 = 1 << 20;

/// The policy file's bytes, read no further than [`MAX_POLICY_BYTES`] (`--policy
/// /dev/zero` read until memory ran out).
fn read_policy(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_POLICY_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        let mut problems = Problems::new();
        problems.add(
            &display(path),
            0,
            None,
            None,
            format!(
                "the policy runs on past {} MiB; expected a TOML policy of a few KB (see \
                 config/policy.toml)",
                MAX_POLICY_BYTES >> 20
            ),
        );
        return Err(Error::Invalid(problems));
    }
    Ok(bytes)
}

fn refuse_folder(path: &Path, expected: &str) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a folder; expected {expected}",
            display(path)
        )));
    }
    Ok(())
}

/// Opens an input: a CSV file in `want` (or its detected encoding), or a workbook
/// (`file.xlsx`, `.xls`, `.ods`, `file.xlsx#Sheet`).
pub fn open(path: &Path, want: Encoding, quiet: bool, problems: &mut Problems) -> Result<Opened> {
    let name = display(path);
    let opened = |input, presumed| Opened {
        input,
        name: name.clone(),
        presumed,
    };
    let note = |encoding: &str| {
        // Once per file and run (`init` reads a file, then `check` reads it again).
        static NOTED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
        let mut noted = NOTED.lock().unwrap_or_else(|e| e.into_inner());
        if !quiet && !noted.contains(&name) {
            noted.push(name.clone());
            eprintln!("{name}: read as {encoding}; save as \"CSV UTF-8\" to skip this note");
        }
    };
    let input = open_raw(path, want)?;
    match input {
        Input::File(file) => {
            let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
            let decoded = load::encoding::decode_file(&file, size, &name, want)
                .map_err(|e| Error::io(path, e))?;
            if let Some(encoding) = decoded.detected {
                note(encoding);
            }
            problems.extend(decoded.problems);
            Ok(match decoded.text {
                load::encoding::Text::AsIs if decoded.presumed => {
                    let original = file.try_clone().map_err(|e| Error::io(path, e))?;
                    opened(Input::File(file), Some(original))
                }
                load::encoding::Text::AsIs => opened(Input::File(file), None),
                load::encoding::Text::Memory(text) => {
                    opened(Input::Memory(io::Cursor::new(text)), None)
                }
                load::encoding::Text::Temp(copy) => opened(Input::File(copy), None),
            })
        }
        Input::Stream(stream) => {
            if let Some(encoding) = stream.detected {
                note(encoding);
            }
            Ok(opened(Input::Stream(stream), None))
        }
        memory => Ok(opened(memory, None)),
    }
}

/// Opens an input as it is: a CSV file, or `file.xlsx` / `file.xlsx#Sheet`.
fn open_raw(path: &Path, want: Encoding) -> Result<Input> {
    refuse_folder(path, "a file (CSV or a workbook)")?;
    if let Some(sheet) = load::SheetPath::of(path) {
        refuse_folder(&sheet.file, "a workbook file")?;
        if !sheet.file.exists() {
            let e = io::Error::new(io::ErrorKind::NotFound, "No such file or directory");
            return Err(Error::io(&sheet.file, e));
        }
        return load::sheet_to_csv(&sheet)
            .map(|bytes| Input::Memory(io::Cursor::new(bytes)))
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
        _ => load::encoding::StreamText::new(file, want)
            .map(Input::Stream)
            .map_err(|e| Error::io(path, e)),
    }
}

/// Points the advice after the problems at the hand-edited files among them: plain
/// `caredesk check` does not read an overrides or previous-tiers file.
pub fn hint_hand_files(problems: &mut Problems, overrides: Option<&Path>, previous: Option<&Path>) {
    let mut flags = Vec::new();
    let mut named = Vec::new();
    for (flag, path) in [("--overrides", overrides), ("--previous", previous)] {
        if let Some(path) = path {
            if problems.mention(&display(path)) {
                flags.push(format!("{flag} {}", display(path)));
                named.push(display(path));
            }
        }
    }
    if named.is_empty() {
        return;
    }
    // "Fix the pins file" only when it is all there is: with a customers line cut short
    // besides, that line is the one to fix first.
    let fix = if problems.files().all(|f| named.iter().any(|n| n == f)) {
        format!("fix {}; ", named.join(" and "))
    } else {
        String::new()
    };
    problems.set_hint(format!(
        "{fix}`caredesk check {}` lists them again",
        flags.join(" ")
    ));
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

/// Warns when the inputs hold nothing to compute on: no customers, no orders, or no
/// order dated on or before the as-of date (`rows` order rows read, `used` of them on or
/// before it). Every answer would be empty or zero, without a word otherwise.
pub fn warn_empty(plan: &Plan, customers: usize, rows: u64, used: u64) {
    warn_no_customers(plan, customers);
    if rows == 0 {
        warn(&format!(
            "{}: no orders (the file has no rows): spend, visits and rates are all zero",
            display(&plan.orders)
        ));
    } else if used == 0 {
        warn(&format!(
            "{}: none of its {rows} orders is dated on or before {}, the as-of date: they count as not happened yet (--as-of sets another day)",
            display(&plan.orders),
            plan.as_of
        ));
    }
}

/// The customers half of [`warn_empty`], for the commands that read no orders.
pub fn warn_no_customers(plan: &Plan, customers: usize) {
    if customers == 0 {
        warn(&format!(
            "{}: no customers (the file has no rows): every answer is empty",
            display(&plan.customers)
        ));
    }
}

/// [`warn_empty`] after a pass over the orders.
pub fn warn_empty_orders(plan: &Plan, customers: usize, stats: &OrderStats) {
    let rows = stats.used + stats.after_as_of + stats.unknown_customer;
    warn_empty(plan, customers, rows, stats.used);
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
    /// CSV in GB18030 rather than UTF-8.
    pub gb18030: bool,
}

impl Output {
    /// The format asked for, or: the --output file's extension, table on a terminal, csv.
    pub fn resolve(args: &OutputArgs, show_phone: bool) -> Output {
        let terminal = args.output.is_none() && io::stdout().is_terminal();
        Self::resolve_on(args, show_phone, terminal)
    }

    /// How the files of a folder are written (`due --split-by`): as an --output file
    /// without an extension would be (--format's, csv by default; never the terminal's
    /// colours). Each file's `path` is set by the caller.
    pub fn resolve_for_files(args: &OutputArgs, show_phone: bool) -> Output {
        Self::resolve_on(args, show_phone, false)
    }

    fn resolve_on(args: &OutputArgs, show_phone: bool, terminal: bool) -> Output {
        let format = args.format.unwrap_or_else(|| match &args.output {
            // An unknown extension was refused before the run (`check_output`).
            Some(p) => p
                .extension()
                .and_then(|e| format_of_extension(&e.to_string_lossy()))
                .unwrap_or(Format::Csv),
            None if terminal => Format::Table,
            None => Format::Csv,
        });
        let color = color_on(args.color, terminal);
        Output {
            format,
            path: args.output.clone(),
            show_phone,
            color: color && format == Format::Table,
            bom: args.bom,
            crlf: args.crlf,
            terminal,
            gb18030: args.output_encoding == Some(OutputEncoding::Gb18030),
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
            gb18030: self.gb18030,
        };
        if self.format == Format::Xlsx {
            report::xlsx_fits(rows).map_err(Error::Usage)?;
        }
        match &self.path {
            None if binary_on_a_terminal(self.format, io::stdout().is_terminal()) => {
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
        if too_long_for_a_terminal(self.format, self.terminal, rows.len()) {
            warn(&format!(
                "{} rows: for a file to sort and filter, use --format csv or --output FILE.xlsx",
                rows.len()
            ));
        }
        Ok(())
    }
}

/// Whether `format` would go to a terminal as bytes no one can read (xlsx): refused.
fn binary_on_a_terminal(format: Format, terminal: bool) -> bool {
    format == Format::Xlsx && terminal
}

/// Whether a table view of `rows` rows on a terminal is long enough to suggest a file.
fn too_long_for_a_terminal(format: Format, terminal: bool, rows: usize) -> bool {
    format == Format::Table && terminal && rows > report::TERMINAL_ROWS
}

/// The extension a file written in `format` gets (the one [`format_of_extension`] reads
/// back).
pub fn extension_of(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Xlsx => "xlsx",
        Format::Md => "md",
        Format::Table => "txt",
    }
}

/// A file name (without extension) for `name`, an owner's or a store's, that any file
/// system takes and that no other name gets: the name as it is (spaces, Chinese and the
/// like kept), with `%XX` (each byte, in upper-case hex) for what a file name cannot
/// hold or a shell or Windows would trip on: `/ \ : * ? " < > | %`, control characters,
/// a leading `.` `-` or `_`, a trailing `.` or space, the first letter of a Windows device
/// name (`CON`, `NUL`, `COM1`, ...). `%` is always escaped, so no two
/// names share a file, and a name of caredesk's own can start with `_` (`_no_owner`).
/// A name longer than 200 bytes is cut and ends in `~` and a hash of the whole.
pub fn file_stem_for(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let last = name.chars().count().saturating_sub(1);
    for (i, c) in name.chars().enumerate() {
        let unsafe_char = c.is_control()
            || matches!(
                c,
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '%'
            )
            || (i == 0 && matches!(c, '.' | '-' | '_'))
            || (i == last && matches!(c, '.' | ' '));
        if unsafe_char {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    // Windows reserves these device names, with any extension (`NUL.csv` is the null
    // device there): the first letter escaped, as unique as any escape.
    let base = out.split('.').next().unwrap_or("").trim_end();
    let reserved = ["CON", "PRN", "AUX", "NUL"]
        .iter()
        .any(|r| base.eq_ignore_ascii_case(r))
        || (base.len() == 4
            && ["COM", "LPT"]
                .iter()
                .any(|r| base.as_bytes()[..3].eq_ignore_ascii_case(r.as_bytes()))
            && matches!(base.as_bytes()[3], b'1'..=b'9'));
    if reserved {
        let first = out.as_bytes()[0];
        out.replace_range(..1, &format!("%{first:02X}"));
    }
    const MAX: usize = 200;
    if out.len() > MAX {
        // FNV-1a: stable from run to run and build to build, unlike the std hasher.
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut cut = MAX - 17;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(&format!("~{hash:016x}"));
    }
    out
}

/// Writes a new file whole (through a temporary file), never over one that exists.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            Error::Usage(format!("{}: exists; not written over", display(path)))
        } else {
            Error::io(path, e.error)
        }
    })?;
    Ok(())
}

/// Writes what `fill` makes to stdout or, atomically, to `path` (never over an input):
/// for outputs that are no table of rows (the customer card).
pub fn write_to(
    path: Option<&Path>,
    inputs: &[PathBuf],
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        None => {
            let mut lock = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
            fill(&mut lock)?;
            lock.flush()?;
            Ok(())
        }
        Some(path) => write_output(path, inputs, fill),
    }
}

/// The width to fit a view for people to: `COLUMNS` when set to a number, else the
/// terminal's when stdout is one, else none (the natural width).
pub fn view_width(terminal: bool) -> Option<u16> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c > 0);
    columns.or_else(|| {
        terminal
            .then(|| comfy_table::Table::new().width())
            .flatten()
    })
}

/// Whether colour is on for a view written to stdout (`terminal`), as `--color` says.
pub fn color_on(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
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
pub fn refuse_inputs(path: &Path, inputs: &[PathBuf]) -> Result<()> {
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
        let file = WritingBack::new(tmp.as_file_mut());
        let mut w = io::BufWriter::with_capacity(1 << 16, file);
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

/// A file being written that asks the kernel to start writing each finished stretch of
/// [`WritingBack::STRETCH`] bytes to the disk at once, without waiting for it: the
/// `fsync` before the rename then finds most of the file on the disk already. Writing
/// 121 MB of `tiers` CSV and syncing it, the sync alone waited 185 ms on the 2-core VM
/// (the disk writes about 600 MB/s), the process idle meanwhile; started as the blocks
/// come, the disk works while both cores make the next ones. Linux only
/// (`sync_file_range`); elsewhere it is the file.
struct WritingBack<'f> {
    file: &'f mut std::fs::File,
    written: u64,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    started: u64,
}

impl<'f> WritingBack<'f> {
    const STRETCH: u64 = 8 << 20;

    fn new(file: &'f mut std::fs::File) -> Self {
        WritingBack {
            file,
            written: 0,
            started: 0,
        }
    }

    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        if self.written - self.started < Self::STRETCH {
            return;
        }
        // SAFETY: a plain system call on a file descriptor this writer borrows; it reads
        // no memory of ours. Its failure (a file system without it) changes nothing but
        // when the data reaches the disk: the fsync that follows still makes sure it has.
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                self.started as libc::off64_t,
                (self.written - self.started) as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.started = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl Write for WritingBack<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        self.start_writeback();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn an_output_written_back_early_holds_every_byte_in_order() {
        let mut file = tempfile::tempfile().unwrap();
        let piece: Vec<u8> = (0..=250u8).cycle().take(65_537).collect();
        let n = 3 * WritingBack::STRETCH as usize / piece.len() + 1;
        {
            let mut w = io::BufWriter::new(WritingBack::new(&mut file));
            for _ in 0..n {
                w.write_all(&piece).unwrap();
            }
            w.flush().unwrap();
            let back = w.get_ref();
            assert_eq!(back.written, (n * piece.len()) as u64);
            #[cfg(target_os = "linux")]
            assert!(
                back.started >= 3 * WritingBack::STRETCH && back.started <= back.written,
                "{} of {}",
                back.started,
                back.written
            );
        }
        use std::io::{Read, Seek};
        file.rewind().unwrap();
        let mut all = Vec::new();
        file.read_to_end(&mut all).unwrap();
        assert_eq!(all.len(), n * piece.len());
        assert!(all.chunks(piece.len()).all(|c| c == piece.as_slice()));
    }

    #[test]
    fn a_terminal_gets_no_xlsx_and_a_hint_past_a_screenful_of_table() {
        assert!(binary_on_a_terminal(Format::Xlsx, true));
        assert!(
            !binary_on_a_terminal(Format::Xlsx, false),
            "into a pipe or a file"
        );
        assert!(!binary_on_a_terminal(Format::Table, true));
        let n = report::TERMINAL_ROWS;
        assert!(too_long_for_a_terminal(Format::Table, true, n + 1));
        assert!(!too_long_for_a_terminal(Format::Table, true, n));
        assert!(!too_long_for_a_terminal(Format::Table, false, n + 1));
        assert!(!too_long_for_a_terminal(Format::Csv, true, n + 1));
    }
    #[test]
    fn a_progress_bar_is_for_large_files_on_a_terminal_unless_quiet() {
        let large = 64 << 20;
        assert!(shows_progress(large, false, true));
        assert!(
            !shows_progress(large - 1, false, true),
            "smaller: read too fast"
        );
        assert!(!shows_progress(large, true, true), "--quiet");
        assert!(
            !shows_progress(large, false, false),
            "not a terminal (cron, a pipe)"
        );
    }

    fn plan(args: &[&str]) -> Plan {
        let cli = Cli::try_parse_from(args).unwrap();
        Plan::from_inputs(&cli.inputs, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    }

    #[test]
    fn file_stems_keep_names_and_escape_what_a_file_cannot_hold() {
        assert_eq!(file_stem_for("陈静"), "陈静");
        assert_eq!(file_stem_for("Sophie Zhang"), "Sophie Zhang");
        assert_eq!(file_stem_for("A/B"), "A%2FB");
        assert_eq!(file_stem_for(".."), "%2E%2E");
        assert_eq!(file_stem_for("_no_owner"), "%5Fno_owner");
        assert_eq!(file_stem_for("-rf"), "%2Drf");
        assert_eq!(file_stem_for("50%"), "50%25");
        assert_eq!(file_stem_for("a\tb?"), "a%09b%3F");
        // Windows' device names, whatever the case and extension.
        assert_eq!(file_stem_for("NUL"), "%4EUL");
        assert_eq!(file_stem_for("con"), "%63on");
        assert_eq!(file_stem_for("Com1.x"), "%43om1.x");
        assert_eq!(file_stem_for("lpt9"), "%6Cpt9");
        assert_eq!(file_stem_for("COM0"), "COM0");
        assert_eq!(file_stem_for("CONSOLE"), "CONSOLE");
        assert_eq!(file_stem_for("Connie"), "Connie");
        assert_eq!(file_stem_for("a王"), "a王", "four bytes, not a device name");
        // Escaping `%` keeps names apart: "A/B" and "A%2FB" are two files.
        assert_ne!(file_stem_for("A%2FB"), file_stem_for("A/B"));
        let long = "王".repeat(100);
        let stem = file_stem_for(&long);
        assert!(stem.len() <= 200 && stem.contains('~'), "{stem}");
        assert_ne!(stem, file_stem_for(&"王".repeat(101)));
        // 200 bytes are kept whole; past them, 183 bytes, `~` and the hash: 200 again.
        let edge = "a".repeat(200);
        assert_eq!(file_stem_for(&edge), edge);
        let past = file_stem_for(&"a".repeat(201));
        assert_eq!(past.len(), 200, "{past}");
        assert!(
            past.starts_with(&"a".repeat(183)) && past.as_bytes()[183] == b'~',
            "{past}"
        );
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
            output_encoding: None,
        };
        assert_eq!(Output::resolve(&args, false).format, Format::Json);
        let args = OutputArgs {
            format: Some(Format::Csv),
            output: Some("t.json".into()),
            color: ColorChoice::Always,
            bom: false,
            crlf: false,
            output_encoding: None,
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
