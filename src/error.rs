//! Errors and exit codes. Data and policy problems are collected, not thrown one at a
//! time, so a single run reports every bad row; each carries its file, line, column,
//! the value found and what was expected.

use std::fmt;
use std::path::PathBuf;

/// Exit codes, in one place.
pub mod exit {
    /// Everything worked (also: nothing due, a closed pipe).
    pub const OK: i32 = 0;
    /// Bad data or bad policy.
    pub const BAD_INPUT: i32 = 1;
    /// Bad usage: unknown flag, malformed argument, missing file.
    pub const USAGE: i32 = 2;
}

/// One problem found in an input file or the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line; 0 when the problem is about the whole file.
    pub line: u64,
    /// The column, as its header reads in the file (or the policy key).
    pub column: Option<String>,
    /// The offending value, as found.
    pub value: Option<String>,
    /// What was expected instead, or what is wrong.
    pub expected: String,
    /// What it means for the run's other problems.
    pub reach: Reach,
}

/// What a problem means for the run's other problems (docs/rules.md §4.2, §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Nothing: it stands alone.
    Own,
    /// The rest of its file was not read (a quote never closed, a row without end).
    StopsFile,
    /// It follows from an earlier problem, and every row like it does too (an id the
    /// unread rest of the customers file may hold): a file's first is listed, the rest
    /// only counted, so one open quote does not bury the list under hundreds of lines.
    FollowsOn,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(column) = &self.column {
            write!(f, ": {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, ": {value:?}")?;
        }
        write!(f, ": {}", self.expected)
    }
}

/// The problems of one run, in the order found. Each file keeps every problem up to
/// [`Problems::CAP_PER_FILE`] and counts the rest, so a million bad rows do not fill memory.
#[derive(Debug, Default, Clone)]
pub struct Problems {
    list: Vec<Problem>,
    /// Problems counted beyond the cap, per file.
    dropped: Vec<(String, u64)>,
    /// Each file's [`Reach::FollowsOn`] problems: its first, listed, and the rest counted.
    follow_ons: Vec<FollowOns>,
    per_file: Vec<(String, u64)>,
    /// What to do about them, when the usual advice (`caredesk check`) would not find
    /// them (an overrides or previous-tiers file).
    hint: Option<String>,
}

/// A file's [`Reach::FollowsOn`] problems past its first (which is listed, on `line`).
#[derive(Debug, Clone)]
struct FollowOns {
    file: String,
    line: u64,
    more: u64,
}

impl Problems {
    /// Problems kept per file; more are counted.
    pub const CAP_PER_FILE: u64 = 1000;

    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, problem: Problem) {
        if problem.reach == Reach::FollowsOn {
            if let Some(f) = self.follow_ons.iter_mut().find(|f| f.file == problem.file) {
                f.more += 1;
                return;
            }
            self.follow_ons.push(FollowOns {
                file: problem.file.clone(),
                line: problem.line,
                more: 0,
            });
        }
        let count = match self.per_file.iter_mut().find(|(f, _)| *f == problem.file) {
            Some((_, n)) => n,
            None => {
                self.per_file.push((problem.file.clone(), 0));
                &mut self.per_file.last_mut().expect("just pushed").1
            }
        };
        *count += 1;
        // Where a file stopped and its first follow-on are listed past the cap: one line
        // each, and the line to fix and what the count of the rest points at.
        if *count > Self::CAP_PER_FILE && problem.reach == Reach::Own {
            match self.dropped.iter_mut().find(|(f, _)| *f == problem.file) {
                Some((_, n)) => *n += 1,
                None => self.dropped.push((problem.file, 1)),
            }
        } else {
            self.list.push(problem);
        }
    }

    /// Shorthand for a problem with every field.
    pub fn add(
        &mut self,
        file: &str,
        line: u64,
        column: Option<&str>,
        value: Option<&str>,
        expected: impl Into<String>,
    ) {
        self.add_reaching(Reach::Own, file, line, column, value, expected);
    }

    /// [`add`](Self::add) of a problem with the given [`Reach`].
    pub fn add_reaching(
        &mut self,
        reach: Reach,
        file: &str,
        line: u64,
        column: Option<&str>,
        value: Option<&str>,
        expected: impl Into<String>,
    ) {
        self.push(Problem {
            file: file.to_string(),
            line,
            column: column.map(str::to_string),
            value: value.map(str::to_string),
            expected: expected.into(),
            reach,
        });
    }

    /// The first line of `file` past which it was not read ([`Reach::StopsFile`]).
    pub fn stopped_at(&self, file: &str) -> Option<u64> {
        self.list
            .iter()
            .filter(|p| p.reach == Reach::StopsFile && p.file == file)
            .map(|p| p.line)
            .min()
    }

    pub fn extend(&mut self, other: Problems) {
        for p in other.list {
            self.push(p);
        }
        for (file, n) in other.dropped {
            for (f, count) in self.per_file.iter_mut() {
                if *f == file {
                    *count += n;
                }
            }
            match self.dropped.iter_mut().find(|(f, _)| *f == file) {
                Some((_, m)) => *m += n,
                None => self.dropped.push((file, n)),
            }
        }
        // Their firsts went in above, through `push` (or earlier, by line: the chunked
        // reader's [`ByLine`](crate::load)), so each file's entry is here.
        for f in other.follow_ons {
            match self.follow_ons.iter_mut().find(|g| g.file == f.file) {
                Some(g) => g.more += f.more,
                None => self.follow_ons.push(f),
            }
        }
    }

    /// [`extend`](Self::extend) with `lines` added to every line number (the problems of
    /// a part of a file, numbered from the part's start).
    pub fn extend_shifted(&mut self, mut other: Problems, lines: u64) {
        for p in &mut other.list {
            p.line += lines;
        }
        for f in &mut other.follow_ons {
            f.line += lines;
        }
        self.extend(other);
    }

    /// Takes the problems kept, in the order they came; what was counted past the cap
    /// stays.
    pub fn take_list(&mut self) -> Vec<Problem> {
        for (file, n) in &mut self.per_file {
            *n = self
                .dropped
                .iter()
                .find(|(f, _)| f == file)
                .map_or(0, |d| d.1);
        }
        std::mem::take(&mut self.list)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// All problems, kept and counted.
    pub fn total(&self) -> u64 {
        let dropped: u64 = self.dropped.iter().map(|(_, n)| n).sum();
        let follow_ons: u64 = self.follow_ons.iter().map(|f| f.more).sum();
        self.list.len() as u64 + dropped + follow_ons
    }

    /// The problems grouped by file (in the order the files were read), then by line.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        let file_rank = |p: &Problem| self.per_file.iter().position(|(f, _)| *f == p.file);
        let mut sorted: Vec<&Problem> = self.list.iter().collect();
        sorted.sort_by_key(|p| (file_rank(p), p.line));
        sorted.into_iter()
    }

    /// The files with problems, in the order they were first found.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.per_file
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(f, _)| f.as_str())
    }

    /// Whether any problem is about `file`.
    pub fn mention(&self, file: &str) -> bool {
        self.per_file.iter().any(|(f, n)| f == file && *n > 0)
    }

    /// Sets the advice printed after the problems.
    pub fn set_hint(&mut self, hint: String) {
        self.hint = Some(hint);
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Lines saying how many problems were not kept, per file: those past the cap, and
    /// the rows like a file's first [`Reach::FollowsOn`] problem.
    pub fn dropped_notes(&self) -> Vec<String> {
        let follow_ons = self.follow_ons.iter().filter(|f| f.more > 0).map(|f| {
            let (file, line, n) = (&f.file, f.line, f.more);
            let rows = if n == 1 { "row" } else { "rows" };
            format!(
                "{file}: ... and {n} more {rows} like line {line}; fix the problem it points \
                 at, and run again to see those still wrong"
            )
        });
        let dropped = self.dropped.iter().map(|(f, n)| {
            let problems = if *n == 1 { "problem" } else { "problems" };
            format!("{f}: ... and {n} more {problems} in this file")
        });
        follow_ons.chain(dropped).collect()
    }
}

/// Everything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data or the policy is wrong; every problem found is listed.
    #[error("{} problem{} found", .0.total(), if .0.total() == 1 { "" } else { "s" })]
    Invalid(Problems),
    /// The user asked for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// What was looked for is not in the data (`customer` finding nobody): exit 1.
    #[error("{0}")]
    NotFound(String),
    /// The command has printed what went wrong itself; exit with this code.
    #[error("exit {0}")]
    AlreadyReported(i32),
    /// Writing the report failed (a closed pipe is not an error: see `main`).
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The reader of the output went away (`caredesk tiers | head`, or `--output
    /// /proc/self/fd/1` into such a pipe): not a failure.
    pub fn is_closed_pipe(&self) -> bool {
        match self {
            Error::Output(e) | Error::Io { source: e, .. } => {
                e.kind() == std::io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::NotFound(_) => exit::BAD_INPUT,
            Error::Usage(_) => exit::USAGE,
            // A named input that is missing is a usage problem; a read failure mid-way is data.
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                exit::USAGE
            }
            Error::Io { .. } => exit::BAD_INPUT,
            Error::Output(_) => exit::BAD_INPUT,
            Error::AlreadyReported(code) => *code,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_names_file_line_column_value_and_expectation() {
        let p = Problem {
            file: "orders.csv".into(),
            line: 12,
            column: Some("amount".into()),
            value: Some("12,5".into()),
            expected: "expected a decimal amount".into(),
            reach: Reach::Own,
        };
        assert_eq!(
            p.to_string(),
            r#"orders.csv:12: amount: "12,5": expected a decimal amount"#
        );
    }

    fn follow_on(ps: &mut Problems, file: &str, line: u64) {
        ps.add_reaching(Reach::FollowsOn, file, line, None, None, "no such customer");
    }

    #[test]
    fn a_files_first_follow_on_is_listed_and_the_rest_counted() {
        let mut ps = Problems::new();
        ps.add_reaching(Reach::StopsFile, "c.csv", 300, None, None, "open quote");
        follow_on(&mut ps, "o.csv", 26);
        ps.add("o.csv", 27, None, None, "bad amount");
        follow_on(&mut ps, "o.csv", 61);
        follow_on(&mut ps, "o.csv", 64);
        follow_on(&mut ps, "k.csv", 9);
        let listed: Vec<(&str, u64)> = ps.iter().map(|p| (&p.file[..], p.line)).collect();
        assert_eq!(
            listed,
            [("c.csv", 300), ("o.csv", 26), ("o.csv", 27), ("k.csv", 9)]
        );
        assert_eq!(ps.total(), 6, "the rows counted are problems still");
        assert_eq!(
            ps.dropped_notes(),
            ["o.csv: ... and 2 more rows like line 26; fix the problem it points at, and run again to see those still wrong"]
        );
        assert_eq!(ps.stopped_at("c.csv"), Some(300));
        assert_eq!(ps.stopped_at("o.csv"), None);
    }

    #[test]
    fn follow_ons_of_parts_read_apart_fold_into_one_line() {
        // The orders are read in chunks on two threads: each part keeps its own first
        // follow-on, and the merge keeps only the file's first.
        let part = |from: u64| {
            let mut ps = Problems::new();
            for line in from..from + 50 {
                follow_on(&mut ps, "o.csv", line);
            }
            ps
        };
        let mut all = Problems::new();
        all.extend_shifted(part(2), 0);
        all.extend_shifted(part(2), 100);
        let mut taken = part(2);
        let first = taken.take_list();
        for mut p in first {
            p.line += 200;
            all.push(p);
        }
        all.extend(taken);
        assert_eq!(all.iter().count(), 1);
        assert_eq!(all.iter().next().map(|p| p.line), Some(2));
        assert_eq!(all.total(), 150);
        assert_eq!(
            all.dropped_notes(),
            ["o.csv: ... and 149 more rows like line 2; fix the problem it points at, and run again to see those still wrong"]
        );
    }

    #[test]
    fn a_follow_on_merged_past_the_cap_is_listed_and_its_rest_counted() {
        // A chunk brings the file to its cap with other problems; the next chunk's
        // follow-ons still list their first, so the count names a listed line.
        let (mut all, mut one, mut two) = (Problems::new(), Problems::new(), Problems::new());
        for line in 2..2 + Problems::CAP_PER_FILE {
            one.add("o.csv", line, None, None, "bad amount");
        }
        one.add("o.csv", 1500, None, None, "bad amount");
        for line in 2..12 {
            follow_on(&mut two, "o.csv", line);
        }
        all.extend_shifted(one, 0);
        all.extend_shifted(two, 5000);
        assert_eq!(all.total(), Problems::CAP_PER_FILE + 11);
        let listed: Vec<u64> = all.iter().map(|p| p.line).collect();
        assert_eq!(listed.last(), Some(&5002), "{listed:?}");
        assert_eq!(
            all.dropped_notes(),
            [
                "o.csv: ... and 9 more rows like line 5002; fix the problem it points at, and run again to see those still wrong",
                "o.csv: ... and 1 more problem in this file",
            ]
        );
    }

    #[test]
    fn where_a_file_stopped_is_known_past_the_cap() {
        let mut ps = Problems::new();
        for line in 2..2 + Problems::CAP_PER_FILE + 5 {
            ps.add("c.csv", line, None, None, "bad date");
        }
        ps.add_reaching(Reach::StopsFile, "c.csv", 9000, None, None, "open quote");
        assert_eq!(ps.stopped_at("c.csv"), Some(9000));
        assert_eq!(
            ps.iter().last().map(|p| p.line),
            Some(9000),
            "and it is listed"
        );
    }

    #[test]
    fn problems_are_capped_per_file_but_counted() {
        let mut ps = Problems::new();
        for i in 0..(Problems::CAP_PER_FILE + 5) {
            ps.add("a.csv", i + 2, None, None, "bad");
        }
        ps.add("b.csv", 2, None, None, "bad");
        assert_eq!(ps.iter().count() as u64, Problems::CAP_PER_FILE + 1);
        assert_eq!(ps.total(), Problems::CAP_PER_FILE + 6);
        assert_eq!(
            ps.dropped_notes(),
            vec!["a.csv: ... and 5 more problems in this file"]
        );
    }

    #[test]
    fn the_problems_of_two_parts_of_a_file_add_up_past_the_cap() {
        // Two chunks of one file read apart, each past the cap: the count is the sum.
        let part = || {
            let mut ps = Problems::new();
            for i in 0..(Problems::CAP_PER_FILE + 5) {
                ps.add("a.csv", i + 2, None, None, "bad");
            }
            ps
        };
        let mut all = part();
        all.extend(part());
        let n = 2 * (Problems::CAP_PER_FILE + 5);
        assert_eq!(all.total(), n);
        assert_eq!(all.iter().count() as u64, Problems::CAP_PER_FILE);
        assert_eq!(
            all.dropped_notes(),
            vec![format!(
                "a.csv: ... and {} more problems in this file",
                n - Problems::CAP_PER_FILE
            )]
        );
    }

    #[test]
    fn a_file_past_the_cap_in_a_part_leaves_another_files_problems_kept() {
        // The orders' part brings a.csv past the cap twice over; b.csv has one problem
        // before the merge and one after: both are kept, none counted as dropped.
        let mut all = Problems::new();
        all.add("b.csv", 2, None, None, "bad");
        let mut part = Problems::new();
        for i in 0..(2 * Problems::CAP_PER_FILE) {
            part.add("a.csv", i + 2, None, None, "bad");
        }
        all.extend(part);
        all.add("b.csv", 3, None, None, "bad");
        let b: Vec<u64> = all
            .iter()
            .filter(|p| p.file == "b.csv")
            .map(|p| p.line)
            .collect();
        assert_eq!(b, vec![2, 3]);
        assert_eq!(
            all.dropped_notes(),
            vec![format!(
                "a.csv: ... and {} more problems in this file",
                Problems::CAP_PER_FILE
            )]
        );
    }
}
