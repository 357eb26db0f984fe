//! The logs `log` appends to (contacts.csv, answers.csv): hand-editable CSV files, each
//! opened under a lock, its own header and column order kept, new rows added after its
//! old bytes. A file is replaced in one rename by its old bytes plus the new rows, so a
//! reader or a run killed at any instant sees the old file or the new one, never half a
//! row; the lock makes two runs at once land one after the other.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::app::{display, temp_beside};
use crate::error::{Error, Problems, Result};
use crate::load::encoding::{Encoding, Spelling};

/// A row of a log, with its line.
pub type LoggedRow = (u64, Vec<String>);

/// One log, locked, read, and growing by the rows added.
pub struct Log {
    file: File,
    path: PathBuf,
    /// The file itself (a symlink followed).
    target: PathBuf,
    /// Contract column → the header it has in this file (`[columns.*]` renames).
    renames: BTreeMap<String, String>,
    /// Where the new bytes start in what is written.
    existing_len: usize,
    blank: bool,
    /// The file's own encoding (a log that Excel saved in GBK or UTF-16 is added to in
    /// kind), and its bytes as they are when that is not UTF-8.
    spelling: Spelling,
    raw: Vec<u8>,
    /// The header, as the file has it (or as a new file gets it).
    pub header: Vec<String>,
    /// The rows the file holds.
    pub rows: Vec<LoggedRow>,
    /// The old bytes, then the rows added.
    content: Vec<u8>,
    added: usize,
    /// The line end the file uses, which the rows added get too.
    end: LineEnd,
}

/// A CSV file's line end, as its first line has it: a log saved on Windows (CRLF), or
/// by an old Mac (CR), gets added rows that end as its own do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    Lf,
    CrLf,
    Cr,
}

impl LineEnd {
    fn of(text: &str) -> LineEnd {
        match text.find(['\r', '\n']).map(|at| &text.as_bytes()[at..]) {
            Some([b'\r', b'\n', ..]) => LineEnd::CrLf,
            Some([b'\r', ..]) => LineEnd::Cr,
            _ => LineEnd::Lf,
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnd::Lf => b"\n",
            LineEnd::CrLf => b"\r\n",
            LineEnd::Cr => b"\r",
        }
    }

    fn terminator(self) -> csv::Terminator {
        match self {
            LineEnd::Lf => csv::Terminator::Any(b'\n'),
            LineEnd::CrLf => csv::Terminator::CRLF,
            LineEnd::Cr => csv::Terminator::Any(b'\r'),
        }
    }
}

/// A log's new bytes written beside it, ready to be renamed into place.
pub struct Staged {
    log: Log,
    tmp: Option<tempfile::NamedTempFile>,
}

impl Log {
    /// Opens (creating it when missing) and locks the log at `path`, read in its own
    /// encoding (`want`: detected, or given); a missing or blank file gets the header
    /// `columns` (through `renames`).
    pub fn open(
        path: &Path,
        columns: &[&str],
        renames: &BTreeMap<String, String>,
        want: Encoding,
    ) -> Result<Log> {
        if crate::load::SheetPath::of(path).is_some() {
            return Err(Error::Usage(format!(
                "{}: log appends to a CSV file; name a .csv (a workbook can be read, not appended to)",
                display(path)
            )));
        }
        let (file, target) = open_locked(path)?;
        let (existing, raw, spelling) = read_existing(&file, path, want)?;
        let blank = is_blank(&existing);
        let mut log = Log {
            file,
            path: path.to_path_buf(),
            target,
            renames: renames.clone(),
            existing_len: existing.len(),
            blank,
            spelling: if blank { Spelling::UTF8 } else { spelling },
            raw,
            header: Vec::new(),
            rows: Vec::new(),
            content: Vec::with_capacity(existing.len() + 256),
            added: 0,
            end: if blank {
                LineEnd::Lf
            } else {
                LineEnd::of(&existing)
            },
        };
        if log.blank {
            log.header = columns.iter().map(|c| log.header_of(c)).collect();
            write_row(&mut log.content, &log.header, log.end);
        } else {
            let (header, rows) = parse_log(&existing, path)?;
            log.header = header;
            log.rows = rows;
            log.content.extend_from_slice(existing.as_bytes());
            if !existing.ends_with(['\n', '\r']) {
                log.content.extend_from_slice(log.end.bytes());
            }
        }
        Ok(log)
    }

    /// The encoding the file is written in (UTF-8 for a new one).
    pub fn spelling(&self) -> Spelling {
        self.spelling
    }

    /// Whether rows were added.
    pub fn grew(&self) -> bool {
        self.added > 0
    }

    /// The path the log was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header a contract column has in this file.
    pub fn header_of(&self, column: &str) -> String {
        self.renames
            .get(column)
            .cloned()
            .unwrap_or_else(|| column.to_string())
    }

    /// Whether the file has the contract column.
    pub fn has(&self, column: &str) -> bool {
        self.header.contains(&self.header_of(column))
    }

    /// The cell of contract column `column` in a row of the file ("" when it has none).
    pub fn cell<'r>(&self, row: &'r [String], column: &str) -> &'r str {
        let name = self.header_of(column);
        self.header
            .iter()
            .position(|h| *h == name)
            .and_then(|i| row.get(i))
            .map_or("", |c| c.trim())
    }

    /// Refuses a value the file has no column for: the `required` columns always, the
    /// others when given; `what` says where a value came from (`--note`).
    pub fn check_columns(
        &self,
        values: &[(&str, String)],
        required: &[&str],
        what: impl Fn(&str) -> String,
    ) -> Result<()> {
        for (column, value) in values {
            let needed = required.contains(column);
            if (needed || !value.is_empty()) && !self.has(column) {
                return Err(Error::Usage(format!(
                    "{}: its header has no {} column{}",
                    display(&self.path),
                    self.header_of(column),
                    if needed {
                        String::new()
                    } else {
                        format!(" for {}: add the column", what(column))
                    }
                )));
            }
        }
        Ok(())
    }

    /// The row `values` make in this file's own columns and order; the columns it has
    /// beyond them stay empty.
    pub fn row(&self, values: &[(&str, String)]) -> Vec<String> {
        self.header
            .iter()
            .map(|h| {
                values
                    .iter()
                    .find(|(k, _)| self.header_of(k) == *h)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The line of a row of the file equal to `row`, if any.
    pub fn find(&self, row: &[String]) -> Option<u64> {
        self.rows.iter().find(|(_, r)| r == row).map(|(l, _)| *l)
    }

    /// Adds a row (in the file's order, from [`row`](Self::row)); it counts for
    /// [`find`](Self::find) from now on.
    pub fn push(&mut self, row: Vec<String>) {
        write_row(&mut self.content, &row, self.end);
        self.rows.push((0, row));
        self.added += 1;
    }

    /// Writes the new bytes beside the file (synced), ready for [`Staged::commit`]. A file
    /// with no row added is left alone.
    pub fn stage(mut self) -> Result<Staged> {
        if self.added > 0 && !self.spelling.is_utf8() && !self.blank {
            // The old bytes as they were, then what is new in their encoding.
            let added = self
                .spelling
                .encode(&String::from_utf8_lossy(&self.content[self.existing_len..]));
            self.existing_len = self.raw.len();
            self.content = std::mem::take(&mut self.raw);
            self.content.extend_from_slice(&added);
        }
        if self.added == 0 || hard_linked(&self.file) {
            return Ok(Staged {
                log: self,
                tmp: None,
            });
        }
        let mut tmp = temp_beside(&self.target)?;
        tmp.write_all(&self.content)
            .map_err(|e| Error::io(&self.target, e))?;
        let meta = self
            .file
            .metadata()
            .map_err(|e| Error::io(&self.target, e))?;
        let _ = tmp.as_file().set_permissions(meta.permissions());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(&self.target, e))?;
        Ok(Staged {
            log: self,
            tmp: Some(tmp),
        })
    }
}

impl Staged {
    /// Puts the new bytes in place: the staged file renamed over the log (the folder
    /// synced), or for a hard-linked log, where a rename would split the links, the new
    /// bytes written at its end in one write.
    pub fn commit(self) -> Result<()> {
        let Staged { log, tmp } = self;
        if log.added == 0 {
            return Ok(());
        }
        let Some(tmp) = tmp else {
            let file = &log.file;
            let tail: &[u8] = if log.blank {
                file.set_len(0).map_err(|e| Error::io(&log.path, e))?;
                (&*file)
                    .seek(std::io::SeekFrom::Start(0))
                    .map_err(|e| Error::io(&log.path, e))?;
                &log.content
            } else {
                &log.content[log.existing_len..]
            };
            return (&*file)
                .write_all(tail)
                .and_then(|()| file.sync_data())
                .map_err(|e| Error::io(&log.path, e));
        };
        tmp.persist(&log.target)
            .map_err(|e| Error::io(&log.target, e.error))?;
        if let Ok(d) = File::open(log.target.parent().unwrap_or(Path::new("."))) {
            let _ = d.sync_all();
        }
        // The lock is held until here: the file it was on is replaced.
        drop(log);
        Ok(())
    }
}

/// Opens the log (creating it empty when missing) and locks it. A run that held the lock
/// before may have renamed a new file into place while this one waited: then the lock is
/// on the old file, and the new one is opened and locked instead. Returns the locked
/// file and the path of the file itself (a symlink followed).
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
                "{}: is not a regular file; a log must be one",
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

/// The log's text, decoded from its own encoding (UTF-8, or what Excel saved it in),
/// with its bytes as they are when that is not UTF-8. Text that is not in the encoding
/// is an error on the line of its first bad byte.
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
            Err(e) => Ok((
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Vec::new(),
                spelling,
            )),
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

fn write_row(out: &mut Vec<u8>, fields: &[String], end: LineEnd) {
    let mut w = csv::WriterBuilder::new()
        .terminator(end.terminator())
        .from_writer(out);
    // Writing into memory cannot fail.
    let _ = w.write_record(fields);
    let _ = w.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_s_line_end_is_its_first_line_s() {
        assert_eq!(LineEnd::of("a,b\r\nc\r\n"), LineEnd::CrLf);
        assert_eq!(LineEnd::of("a,b\rc\r"), LineEnd::Cr);
        assert_eq!(LineEnd::of("a,b\nc\r\n"), LineEnd::Lf);
        assert_eq!(LineEnd::of("a,b"), LineEnd::Lf);
        let mut out = Vec::new();
        write_row(&mut out, &["x".into(), "y, z".into()], LineEnd::CrLf);
        assert_eq!(out, b"x,\"y, z\"\r\n");
    }

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
