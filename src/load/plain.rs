//! The plain reader: CSV records front to back from any `Read` (pipes, sheets, the
//! smaller files), each with the physical line it starts on. Also what both readers share
//! to read a record the same way: csv-core fed piece by piece ([`Parse`]), quoted fields
//! followed so that one left open is an error on the line where it opened ([`Quotes`]),
//! and line ends counted the way an editor counts them ([`LineEnds`]).
//!
//! The csv crate's reader was used before: it counts only `\n`, so a row after blank lines
//! or in a CR-only file got the wrong line, and it ends an unterminated quoted field at the
//! end of the file without a word, the rest of the file swallowed into one cell.

use std::io::{self, Read};

use csv::ByteRecord;

/// A quoted field may hold at most this many line breaks. A spreadsheet cell holds at
/// most 253 (Excel's limit on line feeds per cell), a hand-written note a few dozen; a
/// quote that is never closed runs on through every later row, so the limit stops it
/// early, with the line where it opened, instead of at the end of a large file.
pub const MAX_QUOTED_LINES: u64 = 1000;

/// A quoted field may hold at most this many bytes: 1 MiB, eight times the largest
/// spreadsheet cell (32,767 characters, at most 128 KiB of UTF-8).
pub const MAX_QUOTED_BYTES: u64 = 1 << 20;

/// A record (a row, its line end left out) may hold at most this many bytes: 16 MiB,
/// sixteen quoted fields at their limit, or 256 customer fields at theirs (65,535 bytes);
/// a real row is a few hundred bytes. Without it, an input that never ends a line
/// (`--customers /dev/zero`, a binary file, a 300 MB file without a line end) was held
/// whole in memory; with it, the reader stops at most 16 MiB in, with the line where the
/// record started (docs/rules.md §4.3).
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Counts line ends as an editor shows lines: `\n`, `\r\n` and a lone `\r` (old Mac
/// files) each end one line. Fed the bytes in order, in any pieces.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LineEnds {
    /// The last byte fed was `\r` (a `\n` right after it ends no further line).
    after_cr: bool,
}

impl LineEnds {
    /// A counter for bytes that follow `previous` (`None` at the start of the input).
    pub fn after(previous: Option<u8>) -> LineEnds {
        LineEnds {
            after_cr: previous == Some(b'\r'),
        }
    }

    /// The line ends in `bytes`.
    #[inline]
    pub fn count(&mut self, bytes: &[u8]) -> u64 {
        let Some(&last) = bytes.last() else {
            return 0;
        };
        // The usual piece, a record and its line end: one search, no count.
        let body = &bytes[..bytes.len() - 1];
        if memchr::memchr2(b'\n', b'\r', body).is_none() {
            let n = match last {
                b'\r' => 1,
                b'\n' => u64::from(!(self.after_cr && body.is_empty())),
                _ => 0,
            };
            self.after_cr = last == b'\r';
            return n;
        }
        let mut n = 0;
        let mut after_cr = self.after_cr;
        for &b in bytes {
            n += u64::from(b == b'\r') + u64::from(b == b'\n' && !after_cr);
            after_cr = b == b'\r';
        }
        self.after_cr = last == b'\r';
        n
    }
}

/// A record that cannot be read: the reader stops there (what follows cannot be told
/// apart into rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreadable {
    /// The line where the trouble starts (where an open quote opened).
    pub line: u64,
    /// The field it is in (0-based), when known.
    pub field: Option<usize>,
    pub message: String,
}

/// What stops a record: a quoted field [`Quotes`] found wrong, or a record too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenQuote {
    /// Still open at the end of the input, `lines` line ends after it opened.
    Unclosed { lines: u64 },
    /// Open past [`MAX_QUOTED_LINES`] or [`MAX_QUOTED_BYTES`].
    TooLong,
    /// The record runs past [`MAX_RECORD_BYTES`] (no quoted field too long before that).
    RecordTooLong,
}

impl OpenQuote {
    /// The message for a field opened on `line` (`line` counts from the record's first
    /// line, `record_line`).
    pub fn unreadable(self, record_line: u64, at: QuoteAt) -> Unreadable {
        let message = match self {
            OpenQuote::Unclosed { lines } => format!(
                "a quote opens this field and is never closed: the rest of the file ({lines} \
                 line end{}) would read as one value; expected a closing \" (a quote inside a \
                 value is written \"\")",
                if lines == 1 { "" } else { "s" }
            ),
            OpenQuote::TooLong => format!(
                "a quote opens this field and is still open {MAX_QUOTED_LINES} lines or 1 MiB \
                 later; expected a closing \" (a quote inside a value is written \"\"); the \
                 rest of the file is not read"
            ),
            OpenQuote::RecordTooLong => format!(
                "this row runs on past {} MiB without a line end (a row is at most {} \
                 bytes); expected a CSV file with a line end after each row; the rest of \
                 the file is not read",
                MAX_RECORD_BYTES >> 20,
                MAX_RECORD_BYTES
            ),
        };
        let at = match self {
            // The row as a whole, not a field of it.
            OpenQuote::RecordTooLong => {
                return Unreadable {
                    line: record_line,
                    field: None,
                    message,
                }
            }
            _ => at,
        };
        Unreadable {
            line: record_line + at.line,
            field: Some(at.field),
            message,
        }
    }
}

/// Where an open quote opened: lines after the record's first, and the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuoteAt {
    pub line: u64,
    pub field: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// At the start of a field.
    #[default]
    Start,
    /// In an unquoted field (a quote here is a plain character).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// A quote in a quoted field: the end of it, or the first of `""`.
    QuoteInQuoted,
}

/// Follows one record's quoting the way csv-core reads it (a quote opens a field only as
/// its first byte; `""` inside is a quote; the field ends at the next lone quote), to find
/// a quoted field that runs on too long or to the end of the input.
#[derive(Debug, Default)]
pub(crate) struct Quotes {
    state: State,
    field: usize,
    lines: LineEnds,
    /// Line ends since the record's first byte.
    line: u64,
    /// The quoted field open now: where, and how far it has run.
    open: Option<(QuoteAt, u64, u64)>,
}

impl Quotes {
    /// Follows the next bytes of the record (from its first byte on); `Err` as soon as an
    /// open quoted field passes the limits.
    #[inline]
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), (OpenQuote, QuoteAt)> {
        if bytes.is_empty() {
            return Ok(());
        }
        if matches!(self.state, State::Start | State::Unquoted)
            && memchr::memchr(b'"', bytes).is_none()
        {
            // No quote: only where the next field starts matters (a line end here ends the
            // record).
            self.field += memchr::memchr_iter(b',', bytes).count();
            self.state = match bytes[bytes.len() - 1] {
                b',' => State::Start,
                _ => State::Unquoted,
            };
            self.line += self.lines.count(bytes);
            return Ok(());
        }
        for &b in bytes {
            let ends = self.lines.count(std::slice::from_ref(&b));
            self.line += ends;
            self.state = match (self.state, b) {
                (State::Start, b'"') => {
                    let at = QuoteAt {
                        line: self.line,
                        field: self.field,
                    };
                    self.open = Some((at, 0, 0));
                    State::Quoted
                }
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (_, b',') => {
                    self.open = None;
                    self.field += 1;
                    State::Start
                }
                _ => {
                    self.open = None;
                    State::Unquoted
                }
            };
            if let Some((at, lines, bytes)) = &mut self.open {
                *lines += ends;
                *bytes += 1;
                if *lines > MAX_QUOTED_LINES || *bytes > MAX_QUOTED_BYTES {
                    return Err((OpenQuote::TooLong, *at));
                }
            }
        }
        Ok(())
    }

    /// Whether nothing of the record has been followed yet.
    fn is_fresh(&self) -> bool {
        self.state == State::Start && self.field == 0 && self.line == 0
    }

    /// At the end of the input: `Err` when a quoted field is still open.
    pub fn at_end(&self) -> Result<(), (OpenQuote, QuoteAt)> {
        match (self.state, self.open) {
            (State::Quoted, Some((at, lines, _))) => Err((OpenQuote::Unclosed { lines }, at)),
            _ => Ok(()),
        }
    }
}

/// One record read with csv-core, fed in pieces, with its quoting followed.
#[derive(Debug)]
pub(crate) struct Parse {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    quotes: Quotes,
    /// Bytes of the record taken in the pieces before this one.
    fed: u64,
}

/// What one piece fed to [`Parse`] made.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fed {
    /// The piece was taken whole; the record goes on.
    More,
    /// The record ended after this many bytes of the piece (its line end included).
    Record(usize),
}

impl Default for Parse {
    fn default() -> Self {
        Parse {
            core: csv_core::Reader::new(),
            out: vec![0; 1 << 10],
            ends: vec![0; 64],
            nout: 0,
            nend: 0,
            quotes: Quotes::default(),
            fed: 0,
        }
    }
}

impl Parse {
    /// Starts a record (fed from its first byte, not a line end).
    pub fn begin(&mut self) {
        self.core.reset();
        self.nout = 0;
        self.nend = 0;
        self.quotes = Quotes::default();
        self.fed = 0;
    }

    /// Feeds the next bytes of the record; `file_start`: they are the first of the file. A
    /// BOM is taken off there only (csv-core would take it off after each reset).
    pub fn feed(
        &mut self,
        mut input: &[u8],
        file_start: bool,
    ) -> Result<Fed, (OpenQuote, QuoteAt)> {
        let whole = input;
        if !file_start && self.nout == 0 && self.nend == 0 && input.starts_with(b"\xEF\xBB") {
            // csv-core would drop a BOM here: give it one byte first, and it keeps it.
            let (_, nin, nout, _) =
                self.core
                    .read_record(&input[..1], &mut self.out, &mut self.ends);
            debug_assert_eq!((nin, nout), (1, 1));
            self.nout = nout;
            input = &input[nin..];
        }
        let mut taken = whole.len() - input.len();
        loop {
            let (result, nin) = self.step(input);
            taken += nin;
            input = &input[nin..];
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    // Every byte taken is the record's (a line end would have ended it).
                    self.too_long(whole, whole.len())?;
                    self.quotes.feed(whole)?;
                    self.fed += whole.len() as u64;
                    return Ok(Fed::More);
                }
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                    let record = &whole[..taken];
                    let line_end = matches!(record.last(), Some(b'\r' | b'\n'));
                    self.too_long(record, taken - usize::from(line_end))?;
                    // A record read whole from one piece without a quote cannot hold an
                    // open one (the usual row: no need to follow its fields).
                    if !(self.quotes.is_fresh() && memchr::memchr(b'"', record).is_none()) {
                        self.quotes.feed(record)?;
                    }
                    return Ok(Fed::Record(taken));
                }
                csv_core::ReadRecordResult::OutputFull
                | csv_core::ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// `Err` when the record's bytes so far and the first `len` of `piece` pass
    /// [`MAX_RECORD_BYTES`]: the quote error when a quoted field passes its limits first,
    /// so that where the pieces are cut never changes which error a record gets.
    #[inline]
    fn too_long(&mut self, piece: &[u8], len: usize) -> Result<(), (OpenQuote, QuoteAt)> {
        if self.fed + len as u64 <= MAX_RECORD_BYTES {
            return Ok(());
        }
        let within = (MAX_RECORD_BYTES - self.fed) as usize;
        self.quotes.feed(&piece[..within + 1])?;
        let at = QuoteAt { line: 0, field: 0 };
        Err((OpenQuote::RecordTooLong, at))
    }

    /// Ends the record at the end of the input; `Err` when a quoted field is still open.
    pub fn end(&mut self) -> Result<(), (OpenQuote, QuoteAt)> {
        self.quotes.at_end()?;
        loop {
            match self.step(&[]).0 {
                csv_core::ReadRecordResult::OutputFull
                | csv_core::ReadRecordResult::OutputEndsFull => {}
                _ => return Ok(()),
            }
        }
    }

    /// One call of csv-core on `input`, after the record's output so far; a full output
    /// buffer is grown (call again). Returns the result and the bytes taken.
    fn step(&mut self, input: &[u8]) -> (csv_core::ReadRecordResult, usize) {
        let (result, nin, nout, nend) = self.core.read_record(
            input,
            &mut self.out[self.nout..],
            &mut self.ends[self.nend..],
        );
        self.nout += nout;
        self.nend += nend;
        match result {
            csv_core::ReadRecordResult::OutputFull => {
                let n = self.out.len() * 2;
                self.out.resize(n, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                let n = self.ends.len() * 2;
                self.ends.resize(n, 0);
            }
            _ => {}
        }
        (result, nin)
    }

    /// The record's fields into `record`, a quoted `\r\n` read as `\n` (as the line ends
    /// between records are).
    pub fn record(&self, record: &mut ByteRecord) {
        record.clear();
        let any_cr = memchr::memchr(b'\r', &self.out[..self.nout]).is_some();
        let mut from = 0;
        for &end in &self.ends[..self.nend] {
            let field = &self.out[from..end];
            from = end;
            if any_cr && memchr::memmem::find(field, b"\r\n").is_some() {
                let mut cleaned = Vec::with_capacity(field.len());
                for (i, &b) in field.iter().enumerate() {
                    if !(b == b'\r' && field.get(i + 1) == Some(&b'\n')) {
                        cleaned.push(b);
                    }
                }
                record.push_field(&cleaned);
            } else {
                record.push_field(field);
            }
        }
    }
}

/// Reads CSV records from any `Read`, front to back: every field as csv-core reads it
/// (`"` quoting, `""` inside; `\n`, `\r\n` or `\r` ending a record; blank lines skipped),
/// each record's position set to the physical line it starts on.
pub(crate) struct CsvReader<R> {
    input: R,
    buf: Box<[u8]>,
    /// The bytes read and not yet taken: `buf[at..len]`.
    at: usize,
    len: usize,
    eof: bool,
    /// Whether nothing has been taken yet.
    fresh: bool,
    /// The line `buf[at]` is on.
    line: u64,
    lines: LineEnds,
    parse: Parse,
    stopped: bool,
}

impl<R: Read> CsvReader<R> {
    pub fn new(input: R) -> Self {
        CsvReader {
            input,
            buf: vec![0; 1 << 16].into_boxed_slice(),
            at: 0,
            len: 0,
            eof: false,
            fresh: true,
            line: 1,
            lines: LineEnds::default(),
            parse: Parse::default(),
            stopped: false,
        }
    }

    /// Reads more when every byte read is taken; `false` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.at < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.at = 0;
        self.len = 0;
        // At the start, enough for a whole BOM (csv-core takes one off in one piece only).
        let want = if self.fresh { 3 } else { 1 };
        while self.len < want {
            match self.input.read(&mut self.buf[self.len..]) {
                Ok(0) => break,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.eof = self.len == 0;
        Ok(!self.eof)
    }

    /// Takes `n` bytes, counting their line ends.
    fn take(&mut self, n: usize) {
        self.line += self.lines.count(&self.buf[self.at..self.at + n]);
        self.at += n;
        self.fresh &= n == 0;
    }

    /// The next record with its line; `Ok(false)` at the end of the input, and after a
    /// record that could not be read (the `Err`), whose problem ends the file.
    pub fn read_byte_record(&mut self, record: &mut ByteRecord) -> Result<bool, Unreadable> {
        record.clear();
        if self.stopped {
            return Ok(false);
        }
        let io_error = |line, e: io::Error| Unreadable {
            line,
            field: None,
            message: format!("cannot read: {e}"),
        };
        // Blank lines before the record.
        loop {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return Ok(false),
                Err(e) => {
                    self.stopped = true;
                    return Err(io_error(self.line, e));
                }
            }
            let blank = self.buf[self.at..self.len]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            let more = self.at + blank < self.len;
            self.take(blank);
            if more {
                break;
            }
        }
        let line = self.line;
        self.parse.begin();
        loop {
            let result = match self.fill() {
                Ok(true) => {
                    let fed = self.parse.feed(&self.buf[self.at..self.len], self.fresh);
                    match fed {
                        Ok(Fed::More) => {
                            self.take(self.len - self.at);
                            continue;
                        }
                        Ok(Fed::Record(n)) => {
                            self.take(n);
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                Ok(false) => self.parse.end(),
                Err(e) => {
                    self.stopped = true;
                    return Err(io_error(self.line, e));
                }
            };
            return match result {
                Ok(()) => {
                    self.parse.record(record);
                    let mut position = csv::Position::new();
                    position.set_line(line);
                    record.set_position(Some(position));
                    Ok(true)
                }
                Err((open, at)) => {
                    self.stopped = true;
                    Err(open.unreadable(line, at))
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as (line, fields), and the trouble that ended the input if any.
    fn read(bytes: &[u8], piece: usize) -> (Vec<(u64, Vec<String>)>, Option<Unreadable>) {
        struct Pieces<'a>(&'a [u8], usize);
        impl Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = CsvReader::new(Pieces(bytes, piece));
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        loop {
            match r.read_byte_record(&mut rec) {
                Ok(true) => out.push((
                    rec.position().unwrap().line(),
                    rec.iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                )),
                Ok(false) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    fn lines(bytes: &[u8]) -> Vec<u64> {
        let all: Vec<_> = [1, 2, 3, 5, 1 << 16]
            .iter()
            .map(|&piece| read(bytes, piece))
            .collect();
        for other in &all[1..] {
            assert_eq!(other, &all[0], "the same in any pieces");
        }
        all[0].0.iter().map(|(line, _)| *line).collect()
    }

    #[test]
    fn records_carry_their_physical_line() {
        assert_eq!(lines(b"h\na\n\n\nb\n"), [1, 2, 5]);
        assert_eq!(lines(b"h\r\na\r\n\r\n\r\nb"), [1, 2, 5]);
        assert_eq!(lines(b"h\ra\r\r\rb\r"), [1, 2, 5], "CR-only (old Mac)");
        assert_eq!(lines(b"h\n\"x\ny\"\nb\n"), [1, 2, 4]);
        assert_eq!(lines(b"\n\nh\n"), [3]);
    }

    #[test]
    fn fields_read_as_the_csv_crate_reads_them() {
        let text = b"\xEF\xBB\xBFa,\"b,\"\"c\"\"\",d\r\n\"x\r\ny\",,\"\"\n1\r2";
        let (got, trouble) = read(text, 4);
        assert_eq!(trouble, None);
        let fields: Vec<Vec<String>> = got.into_iter().map(|(_, f)| f).collect();
        assert_eq!(
            fields,
            [
                vec!["a", "b,\"c\"", "d"],
                vec!["x\ny", "", ""],
                vec!["1"],
                vec!["2"]
            ]
        );
    }

    #[test]
    fn a_bom_is_kept_but_at_the_start_of_the_file() {
        let (got, _) = read(b"\xEF\xBB\xBFh\n\xEF\xBB\xBF\"x\"\n", 100);
        assert_eq!(got[0].1, ["h"]);
        assert_eq!(got[1].1, ["\u{feff}\"x\""]);
    }

    #[test]
    fn a_quote_left_open_is_an_error_on_the_line_it_opened() {
        let text = b"id,name,phone\nC1,Ann,1\nC4,\"Dan \"\"the man,137\nC5,Eve,2\nC6,Fay,3\n";
        let (got, trouble) = read(text, 7);
        assert_eq!(got.len(), 2, "the rows before it are read");
        let trouble = trouble.unwrap();
        assert_eq!((trouble.line, trouble.field), (3, Some(1)));
        assert!(
            trouble
                .message
                .contains("never closed: the rest of the file (3 line ends)"),
            "{}",
            trouble.message
        );
        // The same open quote, but a later quoted field "closes" it: too many lines.
        let mut text = String::from("id,name\nC1,\"Dan\n");
        for i in 0..1200 {
            text.push_str(&format!("C{i},N{i}\n"));
        }
        text.push_str("C9,\"Smith, J\"\n");
        let (got, trouble) = read(text.as_bytes(), 1 << 16);
        assert_eq!(got.len(), 1);
        let trouble = trouble.unwrap();
        assert_eq!((trouble.line, trouble.field), (2, Some(1)));
        assert!(trouble.message.contains("still open 1000 lines"));
    }

    #[test]
    fn quoted_fields_within_the_limits_are_read() {
        let mut text = String::from("id,note\nC1,\"");
        for i in 0..MAX_QUOTED_LINES {
            text.push_str(&format!("line {i}\n"));
        }
        text.push_str("\"\nC2,\"x\"\"\"\n");
        let (got, trouble) = read(text.as_bytes(), 1000);
        assert_eq!(trouble, None);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[2],
            (MAX_QUOTED_LINES + 3, vec!["C2".into(), "x\"".into()])
        );
        let big = format!("a\n\"{}\"\n", "x".repeat(MAX_QUOTED_BYTES as usize));
        assert!(read(big.as_bytes(), 1 << 16).1.is_some(), "over 1 MiB");
    }

    #[test]
    fn a_record_is_read_up_to_its_limit_and_stops_the_file_past_it() {
        let limit = MAX_RECORD_BYTES as usize;
        // At the limit: read, in any line end.
        for eol in ["\n", "\r\n", "\r", ""] {
            let text = format!("h\n{}{eol}", "x".repeat(limit));
            let (got, trouble) = read(text.as_bytes(), 1 << 16);
            assert_eq!(trouble, None, "{eol:?}");
            assert_eq!(got[1].1[0].len(), limit);
        }
        // One byte past it, in a row of fields, some quoted: the row's line, no field.
        let field = format!("\"{}\"", "y".repeat(1000));
        let mut row = String::new();
        while row.len() <= limit {
            row.push_str(&field);
            row.push(',');
        }
        row.truncate(limit + 1);
        let text = format!("h\n\nC1,ok\n{row}\nC2,never\n");
        for piece in [1 << 16, 1000, 7] {
            let (got, trouble) = read(text.as_bytes(), piece);
            assert_eq!(got.len(), 2, "the rows before it");
            let trouble = trouble.expect("too long");
            assert_eq!((trouble.line, trouble.field), (4, None));
            assert!(
                trouble
                    .message
                    .contains("runs on past 16 MiB without a line end"),
                "{}",
                trouble.message
            );
        }
        // A quoted field too long before the row is: the quote's error, in any pieces.
        let text = format!("h\n{},\"{}", "z".repeat(limit - 1000), "q".repeat(2 << 20));
        for piece in [1 << 16, 999] {
            let trouble = read(text.as_bytes(), piece).1.unwrap();
            assert_eq!(trouble.field, None, "past the row's limit first");
        }
        let text = format!(
            "h\n{},\"{}",
            "z".repeat(limit - (2 << 20)),
            "q".repeat(2 << 20)
        );
        for piece in [1 << 16, 999] {
            let trouble = read(text.as_bytes(), piece).1.unwrap();
            assert_eq!(trouble.field, Some(1), "past the quote's limit first");
        }
    }

    #[test]
    fn a_quote_after_the_first_byte_is_a_plain_character() {
        let (got, trouble) = read(b"a,b \"c\nd\n", 3);
        assert_eq!(trouble, None);
        assert_eq!(got[0].1, ["a", "b \"c"]);
        assert_eq!(got[1], (2, vec!["d".to_string()]));
    }

    #[test]
    fn line_ends_in_any_pieces() {
        let text = b"a\r\nb\rc\n\r\r\n\n";
        for cut in 0..text.len() {
            let mut ends = LineEnds::default();
            let n = ends.count(&text[..cut]) + ends.count(&text[cut..]);
            assert_eq!(n, 6, "cut at {cut}");
        }
        let mut after = LineEnds::after(Some(b'\r'));
        assert_eq!(after.count(b"\nx"), 0);
    }
}
