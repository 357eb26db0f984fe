//! orders.csv read fast: the file is cut into chunks that both cores parse, and the rows
//! reach the sink in file order, with the problems and line numbers of the plain reader.
//!
//! Each chunk is read with positioned reads into its own buffer and split at commas and
//! line ends by hand. A line in its plain form (no quote, no stray carriage return) whose
//! cells all pass the quick checks becomes a row directly; any other line goes through the
//! same checks as [`read_orders`](super::read_orders), and a line holding a quote through
//! csv-core, the parser the csv crate uses, so the answer and every error are the plain
//! reader's.
//!
//! Where a chunk starts is a guess: just after the first line end at or after its nominal
//! start. The guess is wrong only when that line end sits inside a quoted field. Chunks are
//! taken up in file order, and each must start exactly where the one before it ended; one
//! that does not is parsed again from there before it is used. No file, however quoted,
//! is read wrong.

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

use csv::ByteRecord;

use super::index::Probe;
use super::orders::{deliver_owned, Checker, OwnedBatch, Quick, AHEAD};
use super::{is_blank, IdIndex, OrderSink, OrderStats};
use crate::error::Problems;
use crate::parse::trim;

/// How to read an orders file: on how many threads, in chunks of how many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub threads: usize,
    pub chunk_bytes: u64,
}

impl Split {
    /// Chunks of 2 MiB: big enough that cutting costs nothing, small enough that the two
    /// threads finish together and the buffers stay small.
    pub const CHUNK: u64 = 2 << 20;

    /// Both cores (when there are two and the file has more than one chunk).
    pub fn auto() -> Split {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        Split {
            threads,
            chunk_bytes: Self::CHUNK,
        }
    }
}

/// Bytes read past a chunk's nominal end, for its last line, and at a time when a line
/// or quoted record runs on further.
const SLACK: u64 = 64 << 10;

/// Cells of a line tracked by the splitter; a column further right is read the full way.
const MAX_CELLS: usize = 64;

/// Lines checked together, so that their id lookups are in flight at once.
const BATCH: usize = 64;

/// The rows, problems and line ends of one chunk, counted from the chunk's start.
struct Part {
    index: usize,
    /// Where parsing began: a record start.
    start: u64,
    /// Just past the last record parsed (the next chunk must start here).
    end: u64,
    /// Line ends in `start..end`.
    newlines: u64,
    rows: OwnedBatch,
    problems: Problems,
    stats: OrderStats,
}

/// What every thread shares.
struct Ctx<'a> {
    file: &'a File,
    size: u64,
    data_start: u64,
    chunk: u64,
    chunks: usize,
    checker: &'a Checker<'a>,
    /// Whether the sink wants the order ids.
    ids: bool,
}

impl Ctx<'_> {
    /// Nominal start of chunk `i` (or the end of the file).
    fn bound(&self, i: usize) -> u64 {
        (self.data_start + i as u64 * self.chunk).min(self.size)
    }
}

/// Reads orders.csv from `file` (`size` bytes), whose header `checker` was made from.
pub(super) fn read_chunked(
    file: &File,
    size: u64,
    checker: &Checker<'_>,
    split: Split,
    problems: &mut Problems,
    mut sink: impl OrderSink,
) -> io::Result<OrderStats> {
    let (data_start, header_lines) = header_end(file, size)?;
    let chunk = split.chunk_bytes.max(1);
    let data = size.saturating_sub(data_start);
    let ctx = Ctx {
        file,
        size,
        data_start,
        chunk,
        chunks: data.div_ceil(chunk) as usize,
        checker,
        ids: sink.needs_ids(),
    };
    let threads = split.threads.clamp(1, 2).min(ctx.chunks.max(1));
    let mut stats = OrderStats {
        parts: threads as u8,
        ..OrderStats::default()
    };
    let next = AtomicUsize::new(0);
    let claim = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        (i < ctx.chunks).then_some(i)
    };
    let mut merge = Merge {
        expected: data_start,
        newlines: header_lines,
        next: 0,
        waiting: Vec::new(),
    };
    let mut scratch = Scratch::new();
    if threads == 1 {
        while let Some(i) = claim() {
            let part = parse_part(&ctx, i, None, &mut scratch)?;
            merge.take(part, &ctx, &mut scratch, problems, &mut stats, &mut sink)?;
        }
        return Ok(stats);
    }
    std::thread::scope(|scope| -> io::Result<OrderStats> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Part>>(2);
        let (ctx, claim) = (&ctx, &claim);
        scope.spawn(move || {
            let mut scratch = Scratch::new();
            while let Some(i) = claim() {
                let part = parse_part(ctx, i, None, &mut scratch);
                let failed = part.is_err();
                if tx.send(part).is_err() || failed {
                    break;
                }
            }
        });
        // This thread parses chunks too, and hands every part to the sink in file order.
        while merge.next < ctx.chunks {
            while let Ok(part) = rx.try_recv() {
                merge.wait(part?);
            }
            if merge.ready() {
                merge.flush(ctx, &mut scratch, problems, &mut stats, &mut sink)?;
            } else if let Some(i) = claim() {
                let part = parse_part(ctx, i, None, &mut scratch)?;
                merge.wait(part);
            } else {
                match rx.recv() {
                    Ok(part) => merge.wait(part?),
                    Err(_) => break,
                }
            }
        }
        drop(rx);
        Ok(stats)
    })
}

/// Puts parts back in file order and hands them on.
struct Merge {
    /// Where the next part must start.
    expected: u64,
    /// Line ends before `expected`.
    newlines: u64,
    /// The next part's index.
    next: usize,
    /// Parts that arrived ahead of their turn.
    waiting: Vec<Part>,
}

impl Merge {
    fn wait(&mut self, part: Part) {
        self.waiting.push(part);
    }

    fn ready(&self) -> bool {
        self.waiting.iter().any(|p| p.index == self.next)
    }

    /// Hands on every waiting part that is next in turn.
    fn flush(
        &mut self,
        ctx: &Ctx<'_>,
        scratch: &mut Scratch,
        problems: &mut Problems,
        stats: &mut OrderStats,
        sink: &mut impl OrderSink,
    ) -> io::Result<()> {
        while let Some(at) = self.waiting.iter().position(|p| p.index == self.next) {
            let part = self.waiting.swap_remove(at);
            self.take(part, ctx, scratch, problems, stats, sink)?;
        }
        Ok(())
    }

    /// Hands on `part`, which is next in turn; parsed again first if it started in the
    /// wrong place.
    fn take(
        &mut self,
        part: Part,
        ctx: &Ctx<'_>,
        scratch: &mut Scratch,
        problems: &mut Problems,
        stats: &mut OrderStats,
        sink: &mut impl OrderSink,
    ) -> io::Result<()> {
        let part = if part.start == self.expected {
            part
        } else {
            parse_part(ctx, part.index, Some(self.expected), scratch)?
        };
        // The part's line numbers count from 1 at its start.
        problems.extend_shifted(part.problems, self.newlines);
        deliver_owned(sink, &part.rows, self.newlines);
        stats.used += part.stats.used;
        stats.after_as_of += part.stats.after_as_of;
        stats.unknown_customer += part.stats.unknown_customer;
        stats.bad += part.stats.bad;
        self.newlines += part.newlines;
        self.expected = part.end;
        self.next += 1;
        Ok(())
    }
}

/// A thread's reusable buffers.
struct Scratch {
    window: Window,
    record: ByteRecord,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    batch: Vec<Pending>,
    dates: DateCache,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            window: Window::default(),
            record: ByteRecord::new(),
            core: csv_core::Reader::new(),
            out: Vec::new(),
            ends: Vec::new(),
            batch: Vec::with_capacity(BATCH),
            dates: DateCache::default(),
        }
    }
}

/// A stretch of the file in memory: `buf` holds the bytes from `base` on.
#[derive(Default)]
struct Window {
    base: u64,
    buf: Vec<u8>,
    eof: bool,
}

impl Window {
    fn load(&mut self, file: &File, from: u64, to: u64, size: u64) -> io::Result<()> {
        self.base = from;
        self.buf.clear();
        self.eof = false;
        self.extend(file, to - from, size)
    }

    /// Reads up to `n` more bytes; `eof` once the window reaches the end of the file.
    fn extend(&mut self, file: &File, n: u64, size: u64) -> io::Result<()> {
        let at = self.base + self.buf.len() as u64;
        let n = n.min(size.saturating_sub(at)) as usize;
        let old = self.buf.len();
        self.buf.resize(old + n, 0);
        read_exact_at(file, &mut self.buf[old..], at)?;
        self.eof = at + n as u64 >= size;
        Ok(())
    }
}

/// One positioned read (no shared cursor, so threads can read one file at once).
pub(super) fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, at)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, at)
    }
}

fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, at) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                at += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The last date cell read and its date: orders come roughly by date, so most rows repeat
/// the row before's.
#[derive(Default)]
struct DateCache {
    key: [u8; 10],
    date: Option<chrono::NaiveDate>,
}

impl DateCache {
    #[inline]
    fn get(&mut self, cell: &[u8]) -> Option<chrono::NaiveDate> {
        if self.date.is_some() && cell == self.key {
            return self.date;
        }
        let date = crate::parse::date(cell)?;
        if let Ok(key) = cell.try_into() {
            self.key = key;
            self.date = Some(date);
        }
        Some(date)
    }
}

/// A plain line waiting in a batch: where it is, and where the contract's cells are.
struct Pending {
    /// The line's number within the part, from 1.
    line: u64,
    start: usize,
    end: usize,
    cells: [(usize, usize); 8],
}

/// What [`scan_line`] found at the start of the bytes.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// A line in its plain form: `cells` cells (at most [`MAX_CELLS`]) split into
    /// `starts`, `len` bytes before its line end, the next line at `next`; `newline` when
    /// a line feed ends it (not the end of the file).
    Plain {
        cells: usize,
        len: usize,
        next: usize,
        newline: bool,
    },
    /// A quote, or a carriage return not ending the line: for the full parser.
    Full,
    /// No line end yet, and the bytes are not the end of the file.
    Unended,
}

/// The structural bytes of a plain line, as a bit per byte of `block` (16 bytes).
#[inline(always)]
fn specials(block: &[u8; 16]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of x86-64; the load reads the 16 bytes of `block`.
    unsafe {
        use std::arch::x86_64::*;
        let v = _mm_loadu_si128(block.as_ptr() as *const __m128i);
        let hit = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            ),
        );
        _mm_movemask_epi8(hit) as u32
    }
    #[cfg(not(target_arch = "x86_64"))]
    specials_scalar(block)
}

#[inline(always)]
fn specials_scalar(bytes: &[u8]) -> u32 {
    let mut mask = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b',' | b'\n' | b'"' | b'\r') {
            mask |= 1 << i;
        }
    }
    mask
}

/// Scans the line at the start of `bytes` (`at_end`: nothing follows them in the file),
/// 16 bytes at a time, noting where each cell starts: cell `k` of a plain line is
/// `starts[k]..starts[k + 1] - 1`, for the first [`MAX_CELLS`].
#[inline]
fn scan_line(bytes: &[u8], at_end: bool, starts: &mut [usize; MAX_CELLS + 1]) -> Scan {
    let mut commas = 0;
    starts[0] = 0;
    let plain = |len: usize, next: usize, newline: bool, commas: usize, starts: &mut [usize]| {
        if commas < MAX_CELLS {
            starts[commas + 1] = len + 1;
        }
        Scan::Plain {
            cells: (commas + 1).min(MAX_CELLS),
            len,
            next,
            newline,
        }
    };
    let mut at = 0;
    while at < bytes.len() {
        let mut mask = match bytes.get(at..at + 16) {
            Some(block) => specials(block.try_into().expect("16 bytes")),
            None => specials_scalar(&bytes[at..]),
        };
        while mask != 0 {
            let i = at + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            match bytes[i] {
                b',' => {
                    commas += 1;
                    if commas <= MAX_CELLS {
                        starts[commas] = i + 1;
                    }
                }
                b'\n' => return plain(i, i + 1, true, commas, starts),
                b'\r' => match bytes.get(i + 1) {
                    Some(b'\n') => return plain(i, i + 2, true, commas, starts),
                    None if at_end => return plain(i, i + 1, false, commas, starts),
                    None => return Scan::Unended,
                    Some(_) => return Scan::Full,
                },
                _ => return Scan::Full,
            }
        }
        at += 16;
    }
    match at_end {
        true => plain(bytes.len(), bytes.len(), false, commas, starts),
        false => Scan::Unended,
    }
}

/// Parses chunk `index`: the records that start inside it, from its guessed start or from
/// `from`.
fn parse_part(
    ctx: &Ctx<'_>,
    index: usize,
    from: Option<u64>,
    scratch: &mut Scratch,
) -> io::Result<Part> {
    let (lo, hi) = (ctx.bound(index), ctx.bound(index + 1));
    let w = &mut scratch.window;
    let start = match from {
        Some(at) => {
            w.load(ctx.file, at, hi.max(at).saturating_add(SLACK), ctx.size)?;
            at
        }
        None if index == 0 => {
            w.load(ctx.file, lo, hi + SLACK, ctx.size)?;
            lo
        }
        None => {
            // Just after the first line end at or after the nominal start.
            w.load(ctx.file, lo - 1, hi + SLACK, ctx.size)?;
            let mut seen = 0;
            loop {
                if let Some(i) = memchr::memchr(b'\n', &w.buf[seen..]) {
                    break w.base + (seen + i) as u64 + 1;
                }
                if w.eof {
                    break ctx.size;
                }
                seen = w.buf.len();
                w.extend(ctx.file, SLACK, ctx.size)?;
            }
        }
    };
    let mut part = Part {
        index,
        start,
        end: start,
        newlines: 0,
        rows: OwnedBatch::default(),
        problems: Problems::new(),
        stats: OrderStats::default(),
    };
    let mut pos = (start - scratch.window.base) as usize;
    let mut starts = [0usize; MAX_CELLS + 1];
    let at = &ctx.checker.header.at;
    let cols: [Option<usize>; 8] = std::array::from_fn(|f| at.get(f).copied().flatten());
    loop {
        let w = &mut scratch.window;
        if w.base + pos as u64 >= hi || (w.eof && pos >= w.buf.len()) {
            break;
        }
        match scan_line(&w.buf[pos..], w.eof, &mut starts) {
            Scan::Unended => w.extend(ctx.file, SLACK, ctx.size)?,
            Scan::Plain {
                len: 0,
                next,
                newline,
                ..
            } => {
                part.newlines += u64::from(newline);
                pos += next;
            }
            Scan::Plain {
                cells: n,
                len,
                next,
                newline,
            } => {
                let cell = |c: Option<usize>| match c {
                    Some(k) if k < n => (pos + starts[k], pos + starts[k + 1] - 1),
                    _ => (0, 0),
                };
                scratch.batch.push(Pending {
                    line: part.newlines + 1,
                    start: pos,
                    end: pos + len,
                    cells: cols.map(cell),
                });
                part.newlines += u64::from(newline);
                pos += next;
                if scratch.batch.len() == BATCH {
                    check_batch(ctx, scratch, &mut part);
                }
            }
            Scan::Full => {
                check_batch(ctx, scratch, &mut part);
                pos = quoted_record(ctx, scratch, pos, &mut part)?;
            }
        }
    }
    check_batch(ctx, scratch, &mut part);
    part.end = scratch.window.base + pos as u64;
    Ok(part)
}

/// Checks the waiting plain lines: the quick way when every cell is plain and valid,
/// otherwise the full way, for the plain reader's verdict and messages.
fn check_batch(ctx: &Ctx<'_>, scratch: &mut Scratch, part: &mut Part) {
    if scratch.batch.is_empty() {
        return;
    }
    let buf = &scratch.window.buf;
    let cell = |span: (usize, usize)| &buf[span.0..span.1];
    let index = ctx.checker.book.index();
    let n = scratch.batch.len();
    let probes: [Probe; BATCH] = std::array::from_fn(|i| match scratch.batch.get(i) {
        Some(p) => IdIndex::probe(trim(cell(p.cells[1]))),
        None => IdIndex::probe(b""),
    });
    for probe in &probes[..AHEAD.min(n)] {
        index.prefetch(probe);
    }
    for (k, (p, probe)) in scratch.batch.iter().zip(&probes).enumerate() {
        if k + AHEAD < n {
            index.prefetch(&probes[k + AHEAD]);
        }
        let cells = p.cells.map(cell);
        match ctx
            .checker
            .quick(&cells, probe, &mut |c| scratch.dates.get(c))
        {
            Some(Quick::Row(mut row)) => {
                row.line = p.line;
                part.rows.push(if ctx.ids { cells[0] } else { b"" }, row);
                part.stats.used += 1;
            }
            Some(Quick::Later) => part.stats.after_as_of += 1,
            None => {
                let record = &mut scratch.record;
                record.clear();
                for c in buf[p.start..p.end].split(|&b| b == b',') {
                    record.push_field(c);
                }
                slow_row(ctx, record, p.line, part);
            }
        }
    }
    scratch.batch.clear();
}

/// The plain reader's checks, for one record at line `line` (from 1) of the part.
fn slow_row(ctx: &Ctx<'_>, record: &mut ByteRecord, line: u64, part: &mut Part) {
    if is_blank(record) {
        return;
    }
    let mut position = csv::Position::new();
    position.set_line(line);
    record.set_position(Some(position));
    let rows = &mut part.rows;
    ctx.checker.check(
        std::slice::from_ref(record),
        &mut part.problems,
        &mut part.stats,
        0,
        |o| rows.push_order(&o),
    );
}

/// Parses the record at `pos` with csv-core, as the csv crate would (with CRLF read as
/// LF), checks it, and returns where the next record starts.
fn quoted_record(
    ctx: &Ctx<'_>,
    scratch: &mut Scratch,
    pos: usize,
    part: &mut Part,
) -> io::Result<usize> {
    let used = core_record(ctx.file, ctx.size, scratch, pos)?;
    let line = part.newlines + 1;
    let consumed = &scratch.window.buf[pos..pos + used];
    part.newlines += memchr::memchr_iter(b'\n', consumed).count() as u64;
    if !scratch.record.is_empty() {
        slow_row(ctx, &mut scratch.record, line, part);
    }
    Ok(pos + used)
}

/// Reads the record at `pos` of the window into `scratch.record` with csv-core, reading
/// on in the file as far as it runs; returns the bytes it took (its line end included).
fn core_record(file: &File, size: u64, scratch: &mut Scratch, pos: usize) -> io::Result<usize> {
    let Scratch {
        window: w,
        record,
        core,
        out,
        ends,
        ..
    } = scratch;
    let (used, fields) = loop {
        core.reset();
        let input = &w.buf[pos..];
        // The output is never longer than the input, nor are there more fields than bytes.
        out.resize(input.len() + 1, 0);
        ends.resize(input.len() + 2, 0);
        let (result, nin, nout, nend) = core.read_record(input, out, ends);
        match result {
            csv_core::ReadRecordResult::Record => break (nin, nend),
            csv_core::ReadRecordResult::InputEmpty if !w.eof => {
                w.extend(file, SLACK.max(w.buf.len() as u64 / 2), size)?;
            }
            csv_core::ReadRecordResult::InputEmpty => {
                // The end of the file ends the record.
                let (result, _, _, more) =
                    core.read_record(&[], &mut out[nout..], &mut ends[nend..]);
                let fields = match result {
                    csv_core::ReadRecordResult::Record => nend + more,
                    _ => 0,
                };
                break (input.len(), fields);
            }
            _ => break (nin.max(1), 0),
        }
    };
    record.clear();
    let mut from = 0;
    for &end in &ends[..fields] {
        let field = &out[from..end];
        from = end;
        if memchr::memmem::find(field, b"\r\n").is_some() {
            // What the plain reader's CRLF-to-LF pass leaves of a quoted line break.
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
    Ok(used)
}

/// Where the header record ends (the data rows start), and the line ends before that.
fn header_end(file: &File, size: u64) -> io::Result<(u64, u64)> {
    let mut scratch = Scratch::new();
    scratch.window.load(file, 0, SLACK.min(size), size)?;
    if scratch.window.buf.is_empty() {
        return Ok((0, 0));
    }
    let used = core_record(file, size, &mut scratch, 0)?;
    let newlines = memchr::memchr_iter(b'\n', &scratch.window.buf[..used]).count();
    Ok((used as u64, newlines as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(line: &str) -> Option<Vec<String>> {
        let mut starts = [0usize; MAX_CELLS + 1];
        match scan_line(line.as_bytes(), true, &mut starts) {
            Scan::Plain { cells, len, .. } => Some(
                (0..cells)
                    .map(|k| line[starts[k]..(starts[k + 1] - 1).min(len)].to_string())
                    .collect(),
            ),
            _ => None,
        }
    }

    #[test]
    fn plain_lines_split_at_every_comma() {
        assert_eq!(cells("a,,b").unwrap(), ["a", "", "b"]);
        assert_eq!(cells("x").unwrap(), ["x"]);
        assert_eq!(cells(",").unwrap(), ["", ""]);
        assert_eq!(cells("a,b\nc,d").unwrap(), ["a", "b"]);
        assert_eq!(cells("a,b\r\nc").unwrap(), ["a", "b"]);
        assert_eq!(cells("a,\"b\""), None);
        assert_eq!(cells("a\rb"), None);
        let long = format!("{},{}", "x".repeat(40), "y".repeat(33));
        assert_eq!(cells(&long).unwrap(), ["x".repeat(40), "y".repeat(33)]);
    }

    #[test]
    fn line_ends_and_where_the_next_line_starts() {
        let mut starts = [0usize; MAX_CELLS + 1];
        let mut scan = |bytes: &[u8], at_end| scan_line(bytes, at_end, &mut starts);
        let plain = |len, next, newline| Scan::Plain {
            cells: 2,
            len,
            next,
            newline,
        };
        assert_eq!(scan(b"ab,c\nd", false), plain(4, 5, true));
        assert_eq!(scan(b"ab,c\r\nd", false), plain(4, 6, true));
        assert_eq!(scan(b"ab,c", true), plain(4, 4, false));
        assert_eq!(scan(b"ab,c\r", true), plain(4, 5, false));
        assert_eq!(scan(b"ab,c", false), Scan::Unended);
        assert_eq!(scan(b"ab,c\r", false), Scan::Unended);
        // A quote anywhere in the line, even past 16 bytes, is the full parser's.
        let quoted = format!("{},\"q\"\n", "z".repeat(20));
        assert_eq!(scan(quoted.as_bytes(), false), Scan::Full);
    }

    #[test]
    fn a_line_wider_than_the_splitter_keeps_its_first_cells() {
        let line: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let got = cells(&line.join(",")).unwrap();
        assert_eq!(got.len(), MAX_CELLS);
        assert_eq!(got[..], line[..MAX_CELLS]);
    }
}
