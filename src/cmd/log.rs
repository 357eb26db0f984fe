//! `caredesk log`: records one follow-up in contacts.csv. The entry is checked first: a
//! known customer and rule, a source id that is an item of that rule for that customer
//! (an order or complaint of theirs, or a date), a day not after the as-of day, one line
//! per field, and a column in the file for every value given. The file is then replaced
//! in one rename by its old bytes plus the new row, so a reader or a run killed at any
//! instant sees the old file or the new one, never half a row; a lock on the file makes
//! two runs at once land one after the other. A retry of a run whose receipt could not
//! be printed finds its row there and adds nothing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::app::{display, fail_on, say, temp_beside, Plan};
use crate::cli::LogArgs;
use crate::domain::due::{holiday_dates, yearly, Day, DueFold};
use crate::error::{Error, Problems, Result};
use crate::load::encoding::{Encoding, Spelling};
use crate::load::CustomerBook;
use crate::policy::{Days, Policy, Trigger, CONTACT_COLUMNS};

pub fn run(plan: &Plan, args: &LogArgs, today: NaiveDate) -> Result<()> {
    let policy = plan.load_policy()?;
    let mut problems = Problems::new();
    let book = plan.load_customers(&policy, &mut problems)?;
    fail_on(problems)?;
    let entry = Entry::from_args(plan, args, today, &policy, &book)?;
    check_item(plan, &policy, &book, &entry)?;
    let path = &plan.contacts;
    let want = plan.encoding.unwrap_or(policy.input.encoding);
    let receipt = match append(path, &policy, &entry, want)? {
        Appended::New(spelling) => {
            if !spelling.is_utf8() && !plan.quiet {
                crate::app::note(&format!(
                    "{}: written in {}, as the file is",
                    display(path),
                    spelling.label()
                ));
            }
            format!("logged {} in {}", entry.describe(), display(path))
        }
        Appended::Already(line) => format!(
            "already logged: {} is line {line} of {}; nothing added",
            entry.describe(),
            display(path)
        ),
    };
    say(&[receipt])
}

/// One follow-up to record, checked.
struct Entry {
    customer: u32,
    rule: usize,
    /// The values by contract column, in [`CONTACT_COLUMNS`] order.
    values: [(&'static str, String); 6],
}

impl Entry {
    fn from_args(
        plan: &Plan,
        args: &LogArgs,
        today: NaiveDate,
        policy: &Policy,
        book: &CustomerBook,
    ) -> Result<Entry> {
        let fields = [
            ("customer id", args.customer.as_str()),
            ("rule", args.rule.as_str()),
            ("source id", args.source_id.as_str()),
            ("--by", args.by.as_deref().unwrap_or("")),
            ("--note", args.note.as_deref().unwrap_or("")),
        ];
        for (what, text) in fields {
            if text.contains(['\n', '\r']) {
                return Err(Error::Usage(format!(
                    "the {what} holds a line break; a contact is one line: write it on one line"
                )));
            }
        }
        let Some(customer) = book.find(args.customer.trim().as_bytes()) else {
            return Err(Error::Usage(format!(
                "no customer {:?} in {}",
                args.customer,
                display(&plan.customers)
            )));
        };
        let Some(rule) = policy.due.rules.iter().position(|r| r.name == args.rule) else {
            let names: Vec<&str> = policy.due.rules.iter().map(|r| r.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "unknown rule {:?}; the policy's rules are {}",
                args.rule,
                names.join(", ")
            )));
        };
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
        if done_on > plan.as_of {
            return Err(Error::Usage(format!(
                "--on {done_on} is after {} (the as-of day): a follow-up is logged once done",
                plan.as_of
            )));
        }
        Ok(Entry {
            customer,
            rule,
            values: [
                ("customer_id", args.customer.trim().to_string()),
                ("rule", args.rule.clone()),
                ("source_id", args.source_id.trim().to_string()),
                ("done_on", done_on.to_string()),
                ("by", args.by.clone().unwrap_or_default()),
                ("note", args.note.clone().unwrap_or_default()),
            ],
        })
    }

    fn value(&self, column: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| *k == column)
            .map_or("", |(_, v)| v.as_str())
    }

    /// `C0151 callback-3d O03314 done 2026-11-22 by 李娜`, for the receipt.
    fn describe(&self) -> String {
        let by = self.value("by");
        format!(
            "{} {} {} done {}{}",
            self.value("customer_id"),
            self.value("rule"),
            self.value("source_id"),
            self.value("done_on"),
            if by.is_empty() {
                String::new()
            } else {
                format!(" by {by}")
            }
        )
    }
}

/// Refuses a source id that no item of the rule can have for the customer: an order of
/// theirs that the rule follows, a complaint of theirs, or a date (for a birthday or an
/// anniversary, one of theirs; for a holiday, one of the calendar's).
fn check_item(plan: &Plan, policy: &Policy, book: &CustomerBook, entry: &Entry) -> Result<()> {
    let rule = &policy.due.rules[entry.rule];
    let source = entry.value("source_id");
    let customer = entry.value("customer_id");
    let refuse = |why: String| {
        Err(Error::Usage(format!(
            "{source:?} is no item of rule {} for {customer}: {why}",
            rule.name
        )))
    };
    match &rule.trigger {
        Trigger::Sale(_) | Trigger::Service { .. } => {
            let fold = DueFold::new(&policy.due, day_of(plan), book.len());
            let mut found = None;
            let mut problems = Problems::new();
            plan.scan_orders(
                policy,
                book,
                &mut problems,
                |order: &crate::model::Order<'_>| {
                    if order.order_id == source && order.customer == entry.customer {
                        found = Some(fold.follows(entry.rule, order));
                    }
                },
            )?;
            fail_on(problems)?;
            match found {
                Some(true) => Ok(()),
                Some(false) => refuse(format!(
                    "that order is not one the rule follows ({})",
                    if matches!(rule.trigger, Trigger::Sale(_)) {
                        "a purchase"
                    } else {
                        "a job of its kinds"
                    }
                )),
                None => refuse(format!(
                    "{} has no order {source:?} up to {}",
                    customer, plan.as_of
                )),
            }
        }
        Trigger::ComplaintResponse(_)
        | Trigger::ComplaintResolve(_)
        | Trigger::ComplaintRevisit(_) => {
            let mut problems = Problems::new();
            let complaints = plan.load_complaints(policy, book, &mut problems)?;
            fail_on(problems)?;
            let theirs = complaints
                .unwrap_or_default()
                .iter()
                .any(|c| c.complaint_id == source && c.customer == entry.customer);
            if theirs {
                Ok(())
            } else {
                refuse(format!("{customer} has no complaint {source:?}"))
            }
        }
        Trigger::Birthday
        | Trigger::Anniversary
        | Trigger::Holiday
        | Trigger::Maintenance { .. }
        | Trigger::PointsExpiry(_) => {
            let Some(date) = crate::parse::date(source.as_bytes()) else {
                return refuse("this rule's items are dates: expected YYYY-MM-DD".into());
            };
            let c = book.get(entry.customer as usize);
            let yearly_on = |stored: Option<NaiveDate>, what: &str| match stored {
                Some(stored) if !yearly(stored, date, date).is_empty() => Ok(()),
                Some(stored) => refuse(format!("the {what} on file is {stored}")),
                None => refuse(format!("no {what} on file")),
            };
            match rule.trigger {
                Trigger::Birthday => yearly_on(c.birthday, "birthday"),
                Trigger::Anniversary => yearly_on(c.anniversary, "anniversary"),
                Trigger::Holiday
                    if holiday_dates(&policy.due.holidays, date, date).contains(&date) =>
                {
                    Ok(())
                }
                Trigger::Holiday => refuse("no holiday of the policy falls on it".into()),
                _ => Ok(()),
            }
        }
    }
}

/// The day as the call list sees it (for which orders a rule follows).
fn day_of(plan: &Plan) -> Day {
    Day {
        date: plan.as_of,
        within: 0,
        grace: Days::of(0),
    }
}

/// A row of the log, with its line.
type LoggedRow = (u64, Vec<String>);

/// What [`append`] did.
enum Appended {
    /// Added, in the file's own encoding.
    New(Spelling),
    /// The same row is already on this line (a retry): nothing was added.
    Already(u64),
}

/// Adds the entry's row to the contact log (created with its header when missing or
/// blank), in the file's own column order.
fn append(path: &Path, policy: &Policy, entry: &Entry, want: Encoding) -> Result<Appended> {
    if crate::load::SheetPath::of(path).is_some() {
        return Err(Error::Usage(format!(
            "{}: log appends to a CSV file; name a .csv with --contacts (a workbook can be read, not appended to)",
            display(path)
        )));
    }
    let (file, target) = open_locked(path)?;
    // A log that Excel saved in GBK (or UTF-16) is added to in its own encoding.
    let (existing, raw, spelling) = read_existing(&file, path, want)?;
    let header_of = |column: &str| {
        policy
            .columns
            .contacts
            .get(column)
            .cloned()
            .unwrap_or_else(|| column.to_string())
    };
    let mut content = Vec::with_capacity(existing.len() + 256);
    let (columns, rows) = if is_blank(&existing) {
        let header: Vec<String> = CONTACT_COLUMNS.iter().map(|c| header_of(c)).collect();
        write_row(&mut content, &header);
        (header, Vec::new())
    } else {
        let (header, rows) = parse_log(&existing, path)?;
        content.extend_from_slice(existing.as_bytes());
        if !existing.ends_with('\n') {
            content.push(b'\n');
        }
        (header, rows)
    };
    for (column, value) in &entry.values {
        let required = CONTACT_COLUMNS[..4].contains(column);
        if (required || !value.is_empty()) && !columns.contains(&header_of(column)) {
            return Err(Error::Usage(format!(
                "{}: its header has no {} column{}",
                display(path),
                header_of(column),
                if required {
                    String::new()
                } else {
                    format!(" for the --{column} given: add the column (or leave out --{column})")
                }
            )));
        }
    }
    // The file's own columns in the file's own order; columns it adds stay empty.
    let row: Vec<String> = columns
        .iter()
        .map(|h| {
            entry
                .values
                .iter()
                .find(|(k, _)| header_of(k) == *h)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    if let Some((line, _)) = rows.iter().find(|(_, r)| *r == row) {
        return Ok(Appended::Already(*line));
    }
    write_row(&mut content, &row);
    let blank = is_blank(&existing);
    // Where the new bytes start in what is written.
    let mut old_len = existing.len();
    if !spelling.is_utf8() && !blank {
        // The old bytes as they were, then what is new in their encoding.
        let added = spelling.encode(&String::from_utf8_lossy(&content[existing.len()..]));
        old_len = raw.len();
        content = raw;
        content.extend_from_slice(&added);
    }
    if hard_linked(&file) {
        // A rename would split the links: write the new bytes in one write instead (the
        // read left the file at its end; a blank file is emptied first).
        let tail: &[u8] = if blank {
            file.set_len(0).map_err(|e| Error::io(path, e))?;
            (&file)
                .seek(std::io::SeekFrom::Start(0))
                .map_err(|e| Error::io(path, e))?;
            &content
        } else {
            &content[old_len..]
        };
        (&file)
            .write_all(tail)
            .and_then(|()| file.sync_data())
            .map_err(|e| Error::io(path, e))?;
    } else {
        replace(&file, &target, &content)?;
    }
    Ok(Appended::New(if blank { Spelling::UTF8 } else { spelling }))
}

/// Opens the contact log (creating it empty when missing) and locks it. A run that held
/// the lock before may have renamed a new file into place while this one waited: then
/// the lock is on the old file, and the new one is opened and locked instead. Returns
/// the locked file and the path of the file itself (a symlink followed).
fn open_locked(path: &Path) -> Result<(File, PathBuf)> {
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::Usage(format!(
                "{}: is not a regular file; the contact log must be one",
                display(path)
            )));
        }
        // Held until the file is dropped: a second `caredesk log` waits here.
        file.lock().map_err(|e| Error::io(path, e))?;
        let target = path.canonicalize().map_err(|e| Error::io(path, e))?;
        if same_inode(&file, &target) {
            return Ok((file, target));
        }
    }
}

#[cfg(unix)]
fn same_inode(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &File, _: &Path) -> bool {
    true
}

#[cfg(unix)]
fn hard_linked(file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    file.metadata().is_ok_and(|m| m.nlink() > 1)
}

#[cfg(not(unix))]
fn hard_linked(_: &File) -> bool {
    false
}

/// The log's text. A file that is not UTF-8 is an error on the line of its first bad
/// byte.
fn read_existing(
    mut file: &File,
    path: &Path,
    want: Encoding,
) -> Result<(String, Vec<u8>, Spelling)> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    match crate::load::encoding::decode_all(&bytes, want) {
        // A UTF-8 log keeps its byte order mark: the old bytes are written back as they are.
        Ok((_, spelling)) if spelling.is_utf8() => match String::from_utf8(bytes) {
            Ok(text) => Ok((text, Vec::new(), spelling)),
            Err(_) => unreachable!("decoded as UTF-8 without a break"),
        },
        Ok((text, spelling)) => Ok((text, bytes, spelling)),
        Err((line, tried)) => {
            let mut problems = Problems::new();
            problems.add(
                &display(path),
                line,
                None,
                None,
                format!(
                    "expected {tried} text (save the file as \"CSV UTF-8\"); nothing was logged"
                ),
            );
            Err(Error::Invalid(problems))
        }
    }
}

/// Empty, or nothing but blank lines (and a byte order mark).
fn is_blank(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim().is_empty()
}

/// The log's header (trimmed) and its rows with their physical lines, read with the
/// reader every input is read with: a quote left open anywhere (not only in a last row
/// without a line end) is an error on the line where it opened, never a cell that the
/// new row would be written into; blank lines and old-Mac line ends count as an editor
/// counts them. A last row without a line end that has fewer cells than the header was
/// cut off (by an editor, or a `caredesk log` of an older version killed mid-write): it
/// is refused, never completed.
fn parse_log(text: &str, path: &Path) -> Result<(Vec<String>, Vec<LoggedRow>)> {
    let refuse = |line: u64, why: String| {
        let mut problems = Problems::new();
        problems.add(&display(path), line, None, None, why);
        Error::Invalid(problems)
    };
    let cut_off = |what: String| {
        format!(
            "the last row has no line end and {what}: it was cut off; \
             complete it or remove it, then log again (nothing was logged)"
        )
    };
    let torn = !text.ends_with(['\n', '\r']);
    let mut reader = crate::load::csv_reader(text.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) if torn && ends_in_open_quote(text) => {
                return Err(refuse(
                    e.line,
                    cut_off("a quote that is never closed".into()),
                ))
            }
            Err(e) => return Err(refuse(e.line, format!("{}; nothing was logged", e.message))),
        }
        let line = record.position().map_or(0, |p| p.line());
        // The text is UTF-8, and a record splits it at ASCII bytes only.
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        if header.is_none() {
            let mut names: Vec<String> = cells.iter().map(|c| c.trim().to_string()).collect();
            if let Some(first) = names.first_mut() {
                *first = first.trim_start_matches('\u{feff}').trim().to_string();
            }
            header = Some(names);
        } else {
            rows.push((line, cells));
        }
    }
    let header: Vec<String> = header.unwrap_or_default();
    if torn {
        if let Some((line, last)) = rows.last() {
            if last.len() < header.len() {
                let what = format!("{} of {} columns", last.len(), header.len());
                return Err(refuse(*line, cut_off(what)));
            }
        }
    }
    Ok((header, rows))
}

/// Whether `text` ends inside a quoted field, read as the csv crate reads quotes: a `"`
/// opens a quote only at a field's start, `""` inside is one quote, and a lone `"` closes.
fn ends_in_open_quote(text: &str) -> bool {
    let mut quoted = false;
    let mut at_start = true;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
        } else {
            match b {
                b'"' if at_start => quoted = true,
                b',' | b'\n' => {
                    at_start = true;
                    continue;
                }
                _ => {}
            }
            at_start = false;
        }
    }
    quoted
}

/// Replaces the locked log by `content`: a temporary file beside it (the old file's
/// mode and owner), synced, renamed over it, the folder synced.
fn replace(old: &File, target: &Path, content: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(target)?;
    tmp.write_all(content).map_err(|e| Error::io(target, e))?;
    let meta = old.metadata().map_err(|e| Error::io(target, e))?;
    let _ = tmp.as_file().set_permissions(meta.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(target, e))?;
    tmp.persist(target)
        .map_err(|e| Error::io(target, e.error))?;
    if let Ok(d) = File::open(target.parent().unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn write_row(out: &mut Vec<u8>, fields: &[String]) {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    // Writing into memory cannot fail.
    let _ = w.write_record(fields);
    let _ = w.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_quotes_are_read_as_the_csv_crate_reads_them() {
        assert!(!ends_in_open_quote("a,b\nc,\"d, \"\"e\"\"\""));
        assert!(ends_in_open_quote("a,b\nc,\"d, \"\"e"));
        assert!(ends_in_open_quote("a,\""));
        assert!(
            !ends_in_open_quote("a,b\"c"),
            "a quote inside a field is a quote"
        );
        assert!(!ends_in_open_quote("a,\"b\"c"));
    }

    #[test]
    fn blank_means_nothing_but_line_ends_spaces_and_a_bom() {
        assert!(is_blank(""));
        assert!(is_blank("\u{feff}\n \r\n"));
        assert!(!is_blank("customer_id\n"));
    }
}
