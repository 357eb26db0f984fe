//! `caredesk init`: a company set up from its own exports. Finds the customer, order and
//! complaint files in a directory (by name, else by their headers), maps each contract
//! column to a header (the table in [`crate::load::headers`], then guesses from values),
//! writes a commented policy with `[columns.*]` filled in and the shipped defaults for the
//! rest, never over an existing file, and prints the mapping. The binary then runs
//! `check` with it (see [`crate::app::run`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::app::{display, Plan};
use crate::cli::InitArgs;
use crate::error::{Error, Problems, Result};
use crate::load::headers::{self, FileKind, How, Mapping};
use crate::load::SheetPath;
use crate::policy::Policy;

/// Rows read from each file to guess from.
const SAMPLE_ROWS: usize = 200;

/// The shipped policy: every default, commented.
const SHIPPED: &str = include_str!("../../config/policy.toml");

/// What `init` set up: the plan `check` then runs on.
pub struct SetUp {
    pub plan: Plan,
}

pub fn run(plan: &Plan, args: &InitArgs) -> Result<SetUp> {
    let dir = &args.from;
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a directory; give --from the directory holding your exports",
            display(dir)
        )));
    }
    let target = if plan.policy_named {
        plan.policy.clone()
    } else {
        dir.join("policy.toml")
    };
    if target.exists() {
        return Err(Error::Usage(format!(
            "{}: exists; init never writes over a file (remove it, or give --policy another path)",
            display(&target)
        )));
    }
    let candidates = candidates(dir)?;
    if candidates.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no CSV or workbook files (.csv, .txt, {}) to set up from",
            display(dir),
            SheetPath::EXTENSIONS.join(", ")
        )));
    }
    let mut problems = Problems::new();
    let mut files = Vec::new();
    for path in &candidates {
        let opened = crate::app::open(path, plan_encoding(plan), plan.quiet, &mut problems)?;
        match sample(opened.input) {
            Ok((header, rows)) if !header.is_empty() => files.push(Sampled {
                path: path.clone(),
                header,
                rows,
            }),
            Ok(_) => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    crate::app::fail_on(problems)?;

    // Each contract file: the file named for it, else the one its columns fit best.
    let mut chosen: Vec<(FileKind, usize, Mapping)> = Vec::new();
    let mut used = BTreeSet::new();
    let mut customer_ids: BTreeSet<String> = BTreeSet::new();
    for kind in FileKind::ALL {
        let ids = |s: &str| customer_ids.contains(s);
        let mut best: Option<(i64, usize, Mapping)> = None;
        for (k, file) in files.iter().enumerate() {
            if used.contains(&k) {
                continue;
            }
            let mapping = headers::map(kind, &file.header, &file.rows, &ids);
            let mut score =
                10 * mapping.columns.len() as i64 - 100 * mapping.missing(kind).len() as i64;
            let stem = file_stem(&file.path);
            if stem == kind.name() {
                score += 10_000;
            } else if kind.file_words().iter().any(|w| stem.contains(w)) {
                score += 50;
            }
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, k, mapping));
            }
        }
        let Some((score, k, mapping)) = best else {
            continue;
        };
        // A file missing required columns is not this one, unless its name says it is
        // (then the mapping shows what is missing, and check says so).
        let stem = file_stem(&files[k].path);
        if score < 0 && !kind.file_words().iter().any(|w| stem.contains(w)) {
            continue;
        }
        if kind == FileKind::Customers {
            if let Some(&(i, _)) = mapping.columns.get("customer_id") {
                // Every id, so that an orders column of them is recognised.
                let mut problems = Problems::new();
                let opened =
                    crate::app::open(&files[k].path, plan_encoding(plan), true, &mut problems)?;
                customer_ids =
                    column_values(opened.input, i).map_err(|e| Error::io(&files[k].path, e))?;
            }
        }
        used.insert(k);
        chosen.push((kind, k, mapping));
    }
    if !chosen.iter().any(|c| c.0 == FileKind::Customers) {
        return Err(Error::Usage(format!(
            "{}: found no customers file (a header with a customer id and a name: {}); name it customers.csv",
            display(dir),
            listing(&files)
        )));
    }
    if !chosen.iter().any(|c| c.0 == FileKind::Orders) {
        return Err(Error::Usage(format!(
            "{}: found no orders file (an order id, a customer id, a date, an amount: {}); name it orders.csv",
            display(dir),
            listing(&files)
        )));
    }

    // The mapping, as the user will check it.
    let mut report = String::new();
    let mut columns_toml = String::new();
    for (kind, k, mapping) in &chosen {
        let file = &files[*k];
        let _ = writeln!(report, "{} ← {}", kind.name(), display(&file.path));
        let mut table = String::new();
        for column in kind.columns() {
            match mapping.columns.get(column.name) {
                Some(&(i, how)) => {
                    let header = file.header[i].trim();
                    let why = match how {
                        How::Contract => String::new(),
                        How::Name => "  (the usual name)".to_string(),
                        How::Guess(why) => format!("  (guessed: {why})"),
                    };
                    let _ = writeln!(report, "  {:<13} = {header:?}{why}", column.name);
                    if header != column.name {
                        let _ = writeln!(table, "{} = {}", column.name, toml_string(header));
                    }
                }
                None if column.required => {
                    let _ = writeln!(report, "  {:<13}   not found: required", column.name);
                }
                None => {
                    let _ = writeln!(
                        report,
                        "  {:<13}   not found (optional: left empty)",
                        column.name
                    );
                }
            }
        }
        let mapped: BTreeSet<usize> = mapping.columns.values().map(|v| v.0).collect();
        let ignored: Vec<String> = (0..file.header.len())
            .filter(|i| !mapped.contains(i) && !file.header[*i].trim().is_empty())
            .map(|i| format!("{:?}", file.header[i].trim()))
            .collect();
        if !ignored.is_empty() {
            let _ = writeln!(report, "  not used: {}", ignored.join(", "));
        }
        if !table.is_empty() {
            let _ = writeln!(
                columns_toml,
                "[columns.{}]        # {}\n{table}",
                kind.name(),
                display(&file.path)
            );
        }
    }
    for (k, file) in files.iter().enumerate() {
        if !used.contains(&k) {
            let _ = writeln!(
                report,
                "not used: {} (not a customers, orders or complaints file)",
                display(&file.path)
            );
        }
    }
    let text = policy_text(&columns_toml, dir);
    // The text must read back as a policy: a header with a quote in it is escaped above.
    if let Err(problems) = Policy::parse(&text, &display(&target)) {
        return Err(Error::Invalid(problems));
    }
    crate::app::write_new(&target, text.as_bytes())?;
    let _ = writeln!(report, "wrote {}", display(&target));

    let path_of = |kind: FileKind| {
        chosen
            .iter()
            .find(|c| c.0 == kind)
            .map(|c| files[c.1].path.clone())
    };
    let customers = path_of(FileKind::Customers).expect("found above");
    let orders = path_of(FileKind::Orders).expect("found above");
    let complaints = path_of(FileKind::Complaints);
    let mut next = format!("caredesk tiers --summary --policy {}", shell_word(&target));
    let mut data_args = String::new();
    let standard = |p: &Path, name: &str| p == dir.join(name);
    if standard(&customers, "customers.csv")
        && standard(&orders, "orders.csv")
        && complaints
            .as_deref()
            .is_none_or(|c| standard(c, "complaints.csv"))
    {
        let _ = write!(data_args, " --data {}", shell_word(dir));
    } else {
        let _ = write!(data_args, " --customers {}", shell_word(&customers));
        let _ = write!(data_args, " --orders {}", shell_word(&orders));
        if let Some(c) = &complaints {
            let _ = write!(data_args, " --complaints {}", shell_word(c));
        }
        // Nothing in DIR is read by another name.
        let _ = write!(data_args, " --data {}", shell_word(dir));
    }
    next.push_str(&data_args);
    let _ = writeln!(report, "next: {next}");
    let _ = writeln!(report, "checking with it:");
    // Through the one output path: a closed pipe ends the run quietly, a full disk is an
    // error (print! would panic on either).
    crate::app::say(&report.lines().map(str::to_string).collect::<Vec<_>>())?;
    // No file is named here (app::refuse_files_for_init), so the plan's `*_named` stay
    // false: a file found above exists, and logs not yet written are optional. (Only
    // init itself reads `policy_named`, above.)
    let plan = Plan {
        customers,
        orders,
        complaints: complaints.unwrap_or_else(|| dir.join("complaints.csv")),
        contacts: dir.join("contacts.csv"),
        answers: dir.join("answers.csv"),
        policy: target,
        ..plan.clone()
    };
    Ok(SetUp { plan })
}

fn plan_encoding(plan: &Plan) -> crate::load::encoding::Encoding {
    plan.encoding.unwrap_or_default()
}

/// A file read for setting up: its header and first rows.
struct Sampled {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// The files of `dir` that can be inputs, by name.
fn candidates(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let readable = name.ends_with(".csv")
            || name.ends_with(".txt")
            || SheetPath::EXTENSIONS.iter().any(|e| name.ends_with(e));
        // contacts.csv and answers.csv are caredesk's own logs; lock files of an open
        // workbook are not data.
        let own_log = name == "contacts.csv" || name == "answers.csv";
        if readable && path.is_file() && !name.starts_with("~$") && !own_log {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// The header and the first [`SAMPLE_ROWS`] rows of an opened input, read as every input
/// is (so a file without a line end is read 16 MiB in at most, not whole).
fn sample(input: impl Read) -> std::io::Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = crate::load::csv_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut next = || match reader.read_byte_record(&mut record) {
        Ok(true) => Some(
            record
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>(),
        ),
        Ok(false) | Err(_) => None,
    };
    let Some(header) = next() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut sample = Vec::new();
    while sample.len() < SAMPLE_ROWS {
        match next() {
            Some(r) => sample.push(r),
            None => break,
        }
    }
    Ok((header, sample))
}

/// The distinct values of column `at` below the header.
fn column_values(input: impl Read, at: usize) -> std::io::Result<BTreeSet<String>> {
    let mut reader = crate::load::csv_reader(input);
    let mut row = csv::ByteRecord::new();
    let mut out = BTreeSet::new();
    let mut header = true;
    while let Ok(true) = reader.read_byte_record(&mut row) {
        if std::mem::take(&mut header) {
            continue;
        }
        if let Some(cell) = row.get(at) {
            out.insert(String::from_utf8_lossy(cell).trim().to_string());
        }
    }
    Ok(out)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn listing(files: &[Sampled]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            let cols: Vec<&str> = f.header.iter().map(|h| h.trim()).take(8).collect();
            format!("{} has {}", display(&f.path), cols.join(", "))
        })
        .collect();
    names.join("; ")
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A path as one shell word (quoted when it needs to be).
fn shell_word(path: &Path) -> String {
    let s = display(path);
    if s.chars().all(|c| c.is_alphanumeric() || "/._-".contains(c)) {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The shipped policy with the column mapping in place of its commented example.
fn policy_text(columns: &str, dir: &Path) -> String {
    let head = format!(
        "# Written by `caredesk init --from {}`: the header names of these exports per\n\
         # contract column, below; every other key is the shipped default (change freely).\n\n",
        display(dir)
    );
    let mut out = head;
    let mut placed = false;
    // The commented example of [columns.*] is the run of comment lines from its first
    // `# [columns.` line to the blank line after it. Only that run gives way: dropping
    // every `# name = ` line also cut the name out of the holidays' 除夕 example.
    let mut in_example = false;
    for line in SHIPPED.lines() {
        if line.starts_with("# [columns.") {
            in_example = true;
        } else if !line.starts_with("# ") {
            in_example = false;
        }
        if in_example {
            continue;
        }
        if !placed && line.starts_with("[tiers]") {
            out.push_str(columns);
            placed = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !placed {
        out.push_str(columns);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_policy_reads_back_with_its_columns() {
        let columns =
            "[columns.customers]\ncustomer_id = \"会员卡号\"\nname = \"客户\\\"姓名\"\n\n";
        let text = policy_text(columns, Path::new("x"));
        let policy = Policy::parse(&text, "p.toml").unwrap();
        assert_eq!(policy.columns.customers["customer_id"], "会员卡号");
        assert_eq!(policy.columns.customers["name"], "客户\"姓名");
        assert_eq!(toml_string("a\"b"), "\"a\\\"b\"");
    }
}
