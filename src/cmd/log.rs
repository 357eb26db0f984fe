//! `caredesk log`: appends one follow-up to contacts.csv. The row is validated first
//! (a known customer and rule); the file is locked while appending so two runs at once
//! cannot interleave; what is there is never rewritten. A new file gets its header.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};

use chrono::NaiveDate;

use crate::app::{display, fail_on, Plan};
use crate::cli::LogArgs;
use crate::error::{Error, Problems, Result};
use crate::policy::CONTACT_COLUMNS;

pub fn run(plan: &Plan, args: &LogArgs, today: NaiveDate) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    fail_on(problems)?;
    if book.find(args.customer.as_bytes()).is_none() {
        return Err(Error::Usage(format!(
            "no customer {:?} in {}",
            args.customer,
            display(&plan.customers)
        )));
    }
    if !policy.due.rules.iter().any(|r| r.name == args.rule) {
        let names: Vec<&str> = policy.due.rules.iter().map(|r| r.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "unknown rule {:?}; the policy's rules are {}",
            args.rule,
            names.join(", ")
        )));
    }
    if args.source_id.trim().is_empty() {
        return Err(Error::Usage(
            "the source id is empty; give the id shown on the call list".into(),
        ));
    }
    let done_on = args.on.unwrap_or(if plan.as_of == today {
        today
    } else {
        plan.as_of
    });
    let values = [
        ("customer_id", args.customer.trim()),
        ("rule", args.rule.as_str()),
        ("source_id", args.source_id.trim()),
        ("done_on", &done_on.to_string()),
        ("by", args.by.as_deref().unwrap_or("")),
        ("note", args.note.as_deref().unwrap_or("")),
    ]
    .map(|(k, v)| (k, v.to_string()));

    let path = &plan.contacts;
    if crate::load::SheetPath::of(path).is_some() {
        return Err(Error::Usage(format!(
            "{}: log appends to a CSV file; name a .csv with --contacts (a workbook can be read, not appended to)",
            display(path)
        )));
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    // Held until the file is dropped: a second `caredesk log` waits here.
    file.lock().map_err(|e| Error::io(path, e))?;
    let mut existing = String::new();
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    file.read_to_string(&mut existing)
        .map_err(|e| Error::io(path, e))?;

    let renames = &policy.columns.contacts;
    let header_of = |column: &str| {
        renames
            .get(column)
            .cloned()
            .unwrap_or_else(|| column.to_string())
    };
    let mut out = Vec::new();
    let columns: Vec<String> = if existing.trim().is_empty() {
        let header: Vec<String> = CONTACT_COLUMNS.iter().map(|c| header_of(c)).collect();
        write_row(&mut out, &header)?;
        header
    } else {
        if !existing.ends_with('\n') {
            out.push(b'\n');
        }
        let first = existing.lines().next().unwrap_or("");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(first.trim_start_matches('\u{feff}').as_bytes());
        match r.records().next() {
            Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
            _ => {
                return Err(Error::Usage(format!(
                    "{}: cannot read its header row",
                    display(path)
                )))
            }
        }
    };
    // Fill the file's own columns in the file's own order; unknown columns stay empty.
    let row: Vec<String> = columns
        .iter()
        .map(|h| {
            values
                .iter()
                .find(|(k, _)| header_of(k) == *h)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    for (k, _) in values.iter().take(4) {
        if !columns.contains(&header_of(k)) {
            return Err(Error::Usage(format!(
                "{}: its header has no {} column",
                display(path),
                header_of(k)
            )));
        }
    }
    write_row(&mut out, &row)?;
    file.write_all(&out).map_err(|e| Error::io(path, e))?;
    file.sync_data().map_err(|e| Error::io(path, e))?;
    println!(
        "logged {} {} {} done {}{} in {}",
        args.customer.trim(),
        args.rule,
        args.source_id.trim(),
        done_on,
        args.by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default(),
        display(path)
    );
    Ok(())
}

fn write_row(out: &mut Vec<u8>, fields: &[String]) -> Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(fields)
        .map_err(|e| Error::Usage(e.to_string()))?;
    w.flush().map_err(Error::Output)?;
    Ok(())
}
