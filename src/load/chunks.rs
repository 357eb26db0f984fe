//! Large CSV files (orders.csv, customers.csv) read fast: the file is cut into chunks
//! that both cores parse, and the records' parts come back in file order, with the
//! problems and line numbers of the plain reader.
//!
//! Each chunk is read with positioned reads into its own buffer and split at commas and
//! line ends by hand. A line in its plain form (no quote, no stray carriage return) goes
//! to the file's [`Records`] as spans of the buffer, to check the quick way or through the
//! plain reader's checks; a line holding a quote is parsed with csv-core, the parser the
//! csv crate uses, and checked the full way. So the answer and every error are the plain
//! reader's.
//!
//! Where a chunk starts is a guess: just after the first line end at or after its nominal
//! start. The guess is wrong only when that line end sits inside a quoted field. Chunks are
//! taken up in file order, and each must start exactly where the one before it ended; one
//! that does not is parsed again from there before it is used. No file, however quoted,
//! is read wrong.

use csv::ByteRecord;
use std::fs::File;
use std::io::{self, Read};

use super::is_blank;
use super::plain::{Fed, LineEnds, OpenQuote, Parse, QuoteAt, Unreadable, MAX_RECORD_BYTES};
use crate::error::Problems;
use crate::pipeline::Flow;

/// How to read an orders file: on how many threads, in chunks of how many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub threads: usize,
    pub chunk_bytes: u64,
}

impl Split {
    /// Chunks of 1 MiB: big enough that cutting costs nothing, small enough that the two
    /// threads finish together and the buffers stay small. (The parts in flight, up to
    /// eight, held 22 MB of order rows at 2 MiB: the start of the orders was `tiers`'
    /// peak. 512 KiB saved little more and cost time.)
    pub const CHUNK: u64 = 1 << 20;

    /// Both cores (when there are two and the file has more than one chunk).
    pub fn auto() -> Split {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        Split {
            threads,
            chunk_bytes: Self::CHUNK,
        }
    }
}

/// The largest chunk read at once (a part's records stay far below 4 GiB).
const MAX_CHUNK: u64 = 1 << 30;

/// Bytes read past a chunk's nominal end, for its last line, and at a time when a line
/// or quoted record runs on further.
const SLACK: u64 = 64 << 10;

/// Cells of a line tracked by the splitter; a column further right is read the full way.
const MAX_CELLS: usize = 64;

/// Lines checked together, so that their id lookups are in flight at once.
pub(super) const BATCH: usize = 64;

/// The most contract fields a chunked reader picks out of a line.
pub(super) const MAX_FIELDS: usize = 9;

/// What a chunked read makes of the records of a file: each thread checks the records of
/// the chunks it takes into a part, and the parts are handed back in file order.
pub(super) trait Records: Sync {
    /// What one chunk's records make.
    type Part: Default + Send;
    /// A thread's own buffers.
    type Scratch: Default;
    /// Where the contract's fields sit in a line (from the header), at most [`MAX_FIELDS`].
    fn fields(&self) -> &[Option<usize>];
    /// How many columns the header has: a longer line goes the full way, whose check
    /// reports it.
    fn columns(&self) -> usize;
    /// Checks lines in their plain form: no quote, no carriage return but in a line end.
    /// Their cells are spans of `buf` (every field's column is among the cells the
    /// splitter tracks); a line may be blank (all cells empty).
    fn plain(
        &self,
        lines: &[Pending],
        buf: &[u8],
        scratch: &mut Self::Scratch,
        part: &mut Self::Part,
        problems: &mut Problems,
    );
    /// Checks one non-blank record the full way, as the plain reader reads it; its position
    /// holds its line, counted from 1 at the part's start.
    fn record(
        &self,
        record: &ByteRecord,
        scratch: &mut Self::Scratch,
        part: &mut Self::Part,
        problems: &mut Problems,
    );
    /// Reports a record that cannot be read (the file is read no further), as the plain
    /// reader reports it.
    fn unreadable(&self, e: &Unreadable, problems: &mut Problems);
    /// Told once, before a part's first plain lines, about how many lines its chunk holds
    /// (from those lines' lengths), so that the part can size its buffers once instead of
    /// doubling them.
    fn expect(&self, _part: &mut Self::Part, _lines: usize) {}
}

/// A plain line waiting in a batch: where it is, and where the contract's cells are.
pub(super) struct Pending {
    /// The line's number within the part, from 1.
    pub line: u64,
    start: usize,
    /// Bytes before its line end.
    len: u32,
    /// Each field's cell, as offsets from `start` (both 0 when the line has no such
    /// column). Offsets, not positions: the batch is copied row by row, and at 168 bytes
    /// a line its copying was a tenth of the orders profile.
    cells: [(u32, u32); MAX_FIELDS],
}

impl Pending {
    /// Field `f`'s cell (empty when the line has no such column).
    #[inline]
    pub fn cell<'b>(&self, buf: &'b [u8], f: usize) -> &'b [u8] {
        let (from, to) = self.cells[f];
        &buf[self.start + from as usize..self.start + to as usize]
    }

    fn bytes<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        &buf[self.start..self.start + self.len as usize]
    }

    /// Whether every cell of the line is empty or spaces (a blank row).
    pub fn is_blank(&self, buf: &[u8]) -> bool {
        self.bytes(buf)
            .iter()
            .all(|b| matches!(b, b',' | b' ' | b'\t'))
    }

    /// The line as the plain reader's record, its line set; `false` when it is blank.
    pub fn record(&self, buf: &[u8], record: &mut ByteRecord) -> bool {
        split_record(self.bytes(buf), self.line, record)
    }
}

/// A plain line (no quotes) as the plain reader's record, its line set; `false` when it
/// is blank.
fn split_record(line: &[u8], number: u64, record: &mut ByteRecord) -> bool {
    record.clear();
    for c in line.split(|&b| b == b',') {
        record.push_field(c);
    }
    at_line(record, number)
}

/// Sets a record's line; `false` when it is blank (the plain reader skips those).
fn at_line(record: &mut ByteRecord, line: u64) -> bool {
    if is_blank(record) {
        return false;
    }
    let mut position = csv::Position::new();
    position.set_line(line);
    record.set_position(Some(position));
    true
}

/// The records, problems and line ends of one chunk, counted from the chunk's start.
struct Chunk<P> {
    index: usize,
    /// Where parsing began: a record start.
    start: u64,
    /// Just past the last record parsed (the next chunk must start here).
    end: u64,
    /// Line ends in `start..end`.
    newlines: u64,
    /// Whether a record that cannot be read ends it, and the file.
    stopped: bool,
    /// Whether the part was told how many lines to expect ([`Records::expect`]).
    sized: bool,
    part: P,
    problems: Problems,
}

/// What every thread shares.
struct Ctx<'a, R> {
    file: &'a File,
    size: u64,
    data_start: u64,
    chunk: u64,
    chunks: usize,
    records: &'a R,
    /// Told the bytes read so far after each chunk handed on (a progress bar).
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<R> Ctx<'_, R> {
    /// Nominal start of chunk `i` (or the end of the file).
    fn bound(&self, i: usize) -> u64 {
        (self.data_start + i as u64 * self.chunk).min(self.size)
    }
}

/// One chunk's results, handed on in file order.
pub(super) struct Done<P> {
    pub part: P,
    /// Its problems, their lines counted from 1 at the chunk's start.
    pub problems: Problems,
    /// Line ends before the chunk: what its line numbers are shifted by.
    pub lines_before: u64,
}

/// A chunk's problems as they come back, to go in by line among those its rows add in
/// file order (a repeated id found when the part is taken): as the plain reader adds
/// them, so which are kept past the cap is the same.
pub(super) struct ByLine {
    found: std::iter::Peekable<std::vec::IntoIter<crate::error::Problem>>,
    /// What is left of them: the count of those past the chunk's cap.
    rest: Problems,
    before: u64,
}

impl ByLine {
    /// The problems of a chunk whose lines are shifted by `before`.
    pub fn new(mut problems: Problems, before: u64) -> ByLine {
        ByLine {
            found: problems.take_list().into_iter().peekable(),
            rest: problems,
            before,
        }
    }

    /// Adds to `problems` the chunk's problems up to line `line` (of the file).
    pub fn flush_to(&mut self, line: u64, problems: &mut Problems) {
        let before = self.before;
        while let Some(mut p) = self.found.next_if(|p| p.line + before <= line) {
            p.line += before;
            problems.push(p);
        }
    }

    /// Adds the rest of them.
    pub fn finish(mut self, problems: &mut Problems) {
        self.flush_to(u64::MAX, problems);
        problems.extend(self.rest);
    }
}

/// Reads the records of `file` (`size` bytes) after its header with `records`, and hands
/// each chunk's results to `take` in file order, with `problems` to add its problems to;
/// `progress` is told the bytes done after each. Returns the threads used.
pub(super) fn read_chunked<R: Records>(
    file: &File,
    size: u64,
    records: &R,
    split: Split,
    problems: &mut Problems,
    progress: &(dyn Fn(u64) + Sync),
    mut take: impl FnMut(Done<R::Part>, &mut Problems),
) -> io::Result<usize> {
    assert!(records.fields().len() <= MAX_FIELDS, "too many fields");
    let (data_start, header_lines) = header_end(file, size)?;
    let chunk = split.chunk_bytes.clamp(1, MAX_CHUNK);
    let data = size.saturating_sub(data_start);
    let ctx = Ctx {
        file,
        size,
        data_start,
        chunk,
        chunks: data.div_ceil(chunk) as usize,
        records,
        progress,
    };
    // Each chunk must start where the one before it ended: one that does not (its
    // guessed start fell inside a quoted line break) is parsed again from there.
    let mut expected = data_start;
    let mut newlines = header_lines;
    crate::pipeline::in_order(
        ctx.chunks,
        split.threads,
        |i, scratch: &mut Scratch<R::Scratch>| parse_part(&ctx, i, None, scratch),
        |chunk, scratch| {
            let chunk = match chunk.start == expected {
                true => chunk,
                false => parse_part(&ctx, chunk.index, Some(expected), scratch)?,
            };
            let done = Done {
                part: chunk.part,
                problems: chunk.problems,
                lines_before: newlines,
            };
            take(done, problems);
            newlines += chunk.newlines;
            expected = chunk.end;
            (ctx.progress)(chunk.end);
            // What follows a record that cannot be read is not read.
            Ok(match chunk.stopped {
                true => Flow::Stop,
                false => Flow::Go,
            })
        },
    )
}

/// A thread's reusable buffers, and the records' own (`U`).
struct Scratch<U> {
    window: Window,
    record: ByteRecord,
    parse: Parse,
    batch: Vec<Pending>,
    user: U,
}

impl<U: Default> Default for Scratch<U> {
    fn default() -> Scratch<U> {
        Scratch::new()
    }
}

impl<U: Default> Scratch<U> {
    fn new() -> Scratch<U> {
        Scratch {
            window: Window::default(),
            record: ByteRecord::new(),
            parse: Parse::default(),
            batch: Vec::with_capacity(BATCH),
            user: U::default(),
        }
    }
}

/// A stretch of the file in memory: `buf` holds the bytes from `base` on.
#[derive(Default)]
struct Window {
    base: u64,
    /// The bytes read are `mem[..len]`; the rest is kept from earlier chunks, so a
    /// reused window is not zeroed again before each read (that was 1.5 % of `tiers`).
    mem: Vec<u8>,
    len: usize,
    eof: bool,
}

impl Window {
    fn load(&mut self, file: &File, from: u64, to: u64, size: u64) -> io::Result<()> {
        self.base = from;
        self.len = 0;
        self.eof = false;
        self.extend(file, to - from, size)
    }

    /// The bytes read, from `base` on.
    fn buf(&self) -> &[u8] {
        &self.mem[..self.len]
    }

    /// Reads up to `n` more bytes; `eof` once the window reaches the end of the file.
    fn extend(&mut self, file: &File, n: u64, size: u64) -> io::Result<()> {
        let at = self.base + self.len as u64;
        let n = n.min(size.saturating_sub(at)) as usize;
        let old = self.len;
        if self.mem.len() < old + n {
            self.mem.resize(old + n, 0);
        }
        read_exact_at(file, &mut self.mem[old..old + n], at)?;
        self.len = old + n;
        self.eof = at + n as u64 >= size;
        Ok(())
    }
}

/// `Read` over a byte range of a file, with positioned reads (no shared cursor).
pub(super) struct Range<'f> {
    file: &'f std::fs::File,
    pos: u64,
    end: u64,
}

impl<'f> Range<'f> {
    pub(super) fn new(file: &'f std::fs::File, start: u64, end: u64) -> Self {
        Range {
            file,
            pos: start,
            end,
        }
    }
}

impl Read for Range<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = (self.end - self.pos).min(buf.len() as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
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

/// The structural bytes of a plain line in `block` (16 bytes), a bit per byte: its commas,
/// and the bytes that end a plain line or make it another kind (line feed, carriage
/// return, quote).
#[inline(always)]
fn specials(block: &[u8; 16]) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of x86-64; the load reads the 16 bytes of `block`.
    unsafe {
        use std::arch::x86_64::*;
        let v = _mm_loadu_si128(block.as_ptr() as *const __m128i);
        let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let ends = _mm_or_si128(_mm_or_si128(is(b'\n'), is(b'"')), is(b'\r'));
        (
            _mm_movemask_epi8(is(b',')) as u32,
            _mm_movemask_epi8(ends) as u32,
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    specials_scalar(block)
}

#[inline(always)]
fn specials_scalar(bytes: &[u8]) -> (u32, u32) {
    let (mut commas, mut ends) = (0, 0);
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b',' => commas |= 1 << i,
            b'\n' | b'"' | b'\r' => ends |= 1 << i,
            _ => {}
        }
    }
    (commas, ends)
}

/// A plain line of `len` bytes and `commas` commas, the next line at `next`: its last cell's
/// end noted in `starts`.
#[inline(always)]
fn plain_line(len: usize, next: usize, newline: bool, commas: usize, starts: &mut [usize]) -> Scan {
    if commas < MAX_CELLS {
        starts[commas + 1] = len + 1;
    }
    Scan::Plain {
        cells: (commas + 1).min(MAX_CELLS),
        len,
        next,
        newline,
    }
}

/// Scans the line at the start of `bytes` (`at_end`: nothing follows them in the file),
/// 16 bytes at a time, noting where each cell starts: cell `k` of a plain line is
/// `starts[k]..starts[k + 1] - 1`, for the first [`MAX_CELLS`]. Commas and the other
/// structural bytes are found apart, so a comma costs no look at its byte (that look,
/// with its bounds check, was a sixth of scanning an order line).
#[inline]
fn scan_line(bytes: &[u8], at_end: bool, starts: &mut [usize; MAX_CELLS + 1]) -> Scan {
    let mut commas = 0;
    starts[0] = 0;
    let mut at = 0;
    while at < bytes.len() {
        let (mut comma_bits, end_bits) = match bytes.get(at..at + 16) {
            Some(block) => specials(block.try_into().expect("16 bytes")),
            None => specials_scalar(&bytes[at..]),
        };
        // The commas before the first byte that ends the line (or leaves plain form).
        if end_bits != 0 {
            comma_bits &= (1 << end_bits.trailing_zeros()) - 1;
        }
        while comma_bits != 0 {
            let i = at + comma_bits.trailing_zeros() as usize;
            comma_bits &= comma_bits - 1;
            commas += 1;
            if commas <= MAX_CELLS {
                starts[commas] = i + 1;
            }
        }
        if end_bits != 0 {
            let i = at + end_bits.trailing_zeros() as usize;
            return match bytes[i] {
                b'\n' => plain_line(i, i + 1, true, commas, starts),
                b'\r' => match bytes.get(i + 1) {
                    Some(b'\n') => plain_line(i, i + 2, true, commas, starts),
                    None if at_end => plain_line(i, i + 1, false, commas, starts),
                    None => Scan::Unended,
                    Some(_) => Scan::Full,
                },
                _ => Scan::Full,
            };
        }
        at += 16;
    }
    match at_end {
        true => plain_line(bytes.len(), bytes.len(), false, commas, starts),
        false => Scan::Unended,
    }
}

/// Parses chunk `index`: the records that start inside it, from its guessed start or from
/// `from`.
fn parse_part<R: Records>(
    ctx: &Ctx<'_, R>,
    index: usize,
    from: Option<u64>,
    scratch: &mut Scratch<R::Scratch>,
) -> io::Result<Chunk<R::Part>> {
    let (lo, hi) = (ctx.bound(index), ctx.bound(index + 1));
    let w = &mut scratch.window;
    // The window starts a byte early when it can: whether that byte is a `\r` decides
    // whether a `\n` first in the chunk ends a line of its own.
    let start = match from {
        Some(at) => {
            w.load(ctx.file, at.saturating_sub(1), hi.max(at) + SLACK, ctx.size)?;
            at
        }
        None if index == 0 => {
            w.load(ctx.file, lo.saturating_sub(1), hi + SLACK, ctx.size)?;
            lo
        }
        None => {
            // Just after the first line end at or after the nominal start.
            w.load(ctx.file, lo - 1, hi + SLACK, ctx.size)?;
            let mut seen = 0;
            loop {
                if let Some(i) = memchr::memchr(b'\n', &w.buf()[seen..]) {
                    break w.base + (seen + i) as u64 + 1;
                }
                // No line end for longer than a record may be: the record there is too
                // long, and the chunk that holds its start says so. No guess (the chunk
                // is parsed again from wherever the one before it ends, if it comes to
                // that).
                if w.eof || seen as u64 > MAX_RECORD_BYTES {
                    break ctx.size;
                }
                seen = w.buf().len();
                w.extend(ctx.file, SLACK, ctx.size)?;
            }
        }
    };
    let mut chunk = Chunk {
        index,
        start,
        end: start,
        newlines: 0,
        stopped: false,
        sized: false,
        part: R::Part::default(),
        problems: Problems::new(),
    };
    let mut pos = (start - scratch.window.base) as usize;
    let mut starts = [0usize; MAX_CELLS + 1];
    let fields = ctx.records.fields().len();
    let mut cols = [None; MAX_FIELDS];
    cols[..fields].copy_from_slice(ctx.records.fields());
    // A field in a column the splitter does not track: every line goes the full way.
    let wide = cols.iter().flatten().any(|&c| c >= MAX_CELLS);
    // The most cells a plain line may have: more than the header's columns is a problem
    // the full way reports (a line of `MAX_CELLS` cells may have more).
    let most = ctx.records.columns().min(MAX_CELLS - 1);
    loop {
        let w = &mut scratch.window;
        if w.base + pos as u64 >= hi || (w.eof && pos >= w.buf().len()) {
            break;
        }
        match scan_line(&w.buf()[pos..], w.eof, &mut starts) {
            // Past the limit even if a `\r` last is its line end: a record too long.
            Scan::Unended if (w.buf().len() - pos) as u64 > MAX_RECORD_BYTES + 1 => {
                check_batch(ctx, scratch, &mut chunk);
                record_too_long(ctx, &mut chunk);
                break;
            }
            // Doubling what is read, not adding to it: the line is scanned again from its
            // start each time (a 300 MB line read 64 KiB at a time was scanned 4,800 times).
            Scan::Unended => {
                let more = SLACK.max((w.buf().len() - pos) as u64);
                w.extend(ctx.file, more, ctx.size)?
            }
            Scan::Plain { len, .. } if len as u64 > MAX_RECORD_BYTES => {
                check_batch(ctx, scratch, &mut chunk);
                record_too_long(ctx, &mut chunk);
                break;
            }
            Scan::Plain {
                len: 0,
                next,
                newline,
                ..
            } => {
                // A `\n` right after a record's `\r` is the rest of a CRLF, no line of its own.
                let after_cr = pos > 0 && w.buf()[pos - 1] == b'\r';
                chunk.newlines += u64::from(newline && !(next == 1 && after_cr));
                pos += next;
            }
            Scan::Plain {
                cells: n,
                len,
                next,
                newline,
            } => {
                let number = chunk.newlines + 1;
                match u32::try_from(len) {
                    Ok(len) if !wide && n <= most => {
                        // A loop, not `cols.map`: that one stayed a call per line.
                        let mut cells = [(0, 0); MAX_FIELDS];
                        for (cell, col) in cells.iter_mut().zip(&cols[..fields]) {
                            if let Some(k) = col.filter(|&k| k < n) {
                                *cell = (starts[k] as u32, (starts[k + 1] - 1) as u32);
                            }
                        }
                        scratch.batch.push(Pending {
                            line: number,
                            start: pos,
                            len,
                            cells,
                        });
                    }
                    _ => {
                        // A field in a column the splitter does not track, or a line over
                        // 4 GiB: the full way, after the lines before it.
                        check_batch(ctx, scratch, &mut chunk);
                        let line = &scratch.window.buf()[pos..pos + len];
                        if split_record(line, number, &mut scratch.record) {
                            ctx.records.record(
                                &scratch.record,
                                &mut scratch.user,
                                &mut chunk.part,
                                &mut chunk.problems,
                            );
                        }
                    }
                }
                chunk.newlines += u64::from(newline);
                pos += next;
                if scratch.batch.len() == BATCH {
                    check_batch(ctx, scratch, &mut chunk);
                }
            }
            Scan::Full => {
                check_batch(ctx, scratch, &mut chunk);
                match quoted_record(ctx, scratch, pos, &mut chunk)? {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
    }
    check_batch(ctx, scratch, &mut chunk);
    chunk.end = scratch.window.base + pos as u64;
    Ok(chunk)
}

/// Reports the plain line starting the chunk's next line as a record too long, as the
/// plain reader does; the chunk, and the file, end there.
fn record_too_long<R: Records>(ctx: &Ctx<'_, R>, chunk: &mut Chunk<R::Part>) {
    let at = QuoteAt { line: 0, field: 0 };
    let e = OpenQuote::RecordTooLong.unreadable(chunk.newlines + 1, at);
    ctx.records.unreadable(&e, &mut chunk.problems);
    chunk.stopped = true;
}

/// Hands the waiting plain lines to the records.
fn check_batch<R: Records>(
    ctx: &Ctx<'_, R>,
    scratch: &mut Scratch<R::Scratch>,
    chunk: &mut Chunk<R::Part>,
) {
    if scratch.batch.is_empty() {
        return;
    }
    if !chunk.sized {
        chunk.sized = true;
        let left = ctx.bound(chunk.index + 1).saturating_sub(chunk.start);
        ctx.records
            .expect(&mut chunk.part, expected_lines(&scratch.batch, left));
    }
    ctx.records.plain(
        &scratch.batch,
        scratch.window.buf(),
        &mut scratch.user,
        &mut chunk.part,
        &mut chunk.problems,
    );
    scratch.batch.clear();
}

/// About how many lines `bytes` hold, if they are like `batch` (consecutive plain lines,
/// each with its line end): a tenth more, for lines longer further on. A hint, never more
/// than a line per 16 bytes however short the first lines are (a valid order row is
/// longer: 7 commas, a 10-byte date), so a part never reserves much more than it holds.
fn expected_lines(batch: &[Pending], bytes: u64) -> usize {
    let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
        return 0;
    };
    let spanned = (last.start + last.len as usize + 1).saturating_sub(first.start) as u64;
    let lines = batch.len() as u64;
    let guess = bytes.saturating_mul(lines) / spanned.max(1);
    (guess + guess / 10).min(bytes / 16 + 1) as usize
}

/// Parses the record at `pos` (after any blank lines there) with csv-core, as the plain
/// reader does, checks it, and returns where the next record starts; `None` when it cannot
/// be read, which ends the chunk and the file.
fn quoted_record<R: Records>(
    ctx: &Ctx<'_, R>,
    scratch: &mut Scratch<R::Scratch>,
    pos: usize,
    chunk: &mut Chunk<R::Part>,
) -> io::Result<Option<usize>> {
    let previous = pos.checked_sub(1).map(|i| scratch.window.buf()[i]);
    let mut lines = LineEnds::after(previous);
    // Blank lines first (a CR-only file's reach here: the splitter takes only `\n`).
    let mut first = pos;
    loop {
        let w = &mut scratch.window;
        let blank = w.buf()[first..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        chunk.newlines += lines.count(&w.buf()[first..first + blank]);
        first += blank;
        if first < w.buf().len() {
            break;
        }
        // Blank lines past the chunk's end are the next chunk's (a file of a billion
        // `\r` is no record, and is not held in memory either).
        if w.eof || w.base + first as u64 >= ctx.bound(chunk.index + 1) {
            return Ok(Some(first));
        }
        w.extend(ctx.file, SLACK, ctx.size)?;
    }
    let line = chunk.newlines + 1;
    // A data record never starts the file (the header is before it, at least a byte):
    // no byte order mark to take off here.
    let used = match core_record(ctx.file, ctx.size, scratch, first, false)? {
        Ok(used) => used,
        Err((open, at)) => {
            ctx.records
                .unreadable(&open.unreadable(line, at), &mut chunk.problems);
            chunk.stopped = true;
            return Ok(None);
        }
    };
    chunk.newlines += lines.count(&scratch.window.buf()[first..first + used]);
    if !scratch.record.is_empty() && at_line(&mut scratch.record, line) {
        ctx.records.record(
            &scratch.record,
            &mut scratch.user,
            &mut chunk.part,
            &mut chunk.problems,
        );
    }
    Ok(Some(first + used))
}

/// Reads the record at `pos` of the window (its first byte, not a line end) into
/// `scratch.record` with csv-core, reading on in the file as far as it runs; returns the
/// bytes it took (its line end included), or the quote left open that stops it.
fn core_record<U>(
    file: &File,
    size: u64,
    scratch: &mut Scratch<U>,
    pos: usize,
    file_start: bool,
) -> io::Result<Result<usize, (OpenQuote, QuoteAt)>> {
    let Scratch {
        window: w,
        record,
        parse,
        ..
    } = scratch;
    parse.begin();
    let mut fed = pos;
    loop {
        if fed < w.buf().len() {
            match parse.feed(&w.buf()[fed..], file_start && fed == pos) {
                Ok(Fed::Record(n)) => {
                    fed += n;
                    break;
                }
                Ok(Fed::More) => fed = w.buf().len(),
                Err(open) => return Ok(Err(open)),
            }
        }
        if w.eof {
            // The end of the file ends the record.
            if let Err(open) = parse.end() {
                return Ok(Err(open));
            }
            break;
        }
        w.extend(file, SLACK.max((w.buf().len() - pos) as u64 / 2), size)?;
    }
    parse.record(record);
    Ok(Ok(fed - pos))
}

/// Where the header record ends (the data rows start), and the line ends before that.
fn header_end(file: &File, size: u64) -> io::Result<(u64, u64)> {
    let mut scratch = Scratch::<()>::new();
    let w = &mut scratch.window;
    w.load(file, 0, SLACK.min(size), size)?;
    let mut first = 0;
    loop {
        first += w.buf()[first..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        if first < w.buf().len() {
            break;
        }
        if w.eof {
            return Ok((size, 0));
        }
        w.extend(file, SLACK, size)?;
    }
    // (A header that cannot be read was reported by the plain reader, and nothing after
    // it is read.)
    let Ok(used) = core_record(file, size, &mut scratch, first, first == 0)? else {
        return Ok((size, 0));
    };
    let end = first + used;
    let newlines = LineEnds::default().count(&scratch.window.buf()[..end]);
    Ok((end as u64, newlines))
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

    /// The scanner as it was before commas were found apart: a byte at a time, in order.
    fn scan_line_bytewise(bytes: &[u8], at_end: bool, starts: &mut [usize; MAX_CELLS + 1]) -> Scan {
        let mut commas = 0;
        starts[0] = 0;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b',' => {
                    commas += 1;
                    if commas <= MAX_CELLS {
                        starts[commas] = i + 1;
                    }
                }
                b'\n' => return plain_line(i, i + 1, true, commas, starts),
                b'\r' => {
                    return match bytes.get(i + 1) {
                        Some(b'\n') => plain_line(i, i + 2, true, commas, starts),
                        None if at_end => plain_line(i, i + 1, false, commas, starts),
                        None => Scan::Unended,
                        Some(_) => Scan::Full,
                    }
                }
                b'"' => return Scan::Full,
                _ => {}
            }
        }
        match at_end {
            true => plain_line(bytes.len(), bytes.len(), false, commas, starts),
            false => Scan::Unended,
        }
    }

    proptest::proptest! {
        /// The block scanner splits every line as a byte-at-a-time scan does.
        #[test]
        fn the_block_scanner_is_the_bytewise_scan(
            line in proptest::string::string_regex("[a,\\n\\r\"]{0,90}").unwrap(),
            wide in 0usize..3,
            at_end: bool,
        ) {
            // Some lines wider than the splitter tracks.
            let line = format!("{}{line}", ",".repeat(wide * 40));
            let (mut a, mut b) = ([0usize; MAX_CELLS + 1], [0usize; MAX_CELLS + 1]);
            let got = scan_line(line.as_bytes(), at_end, &mut a);
            let want = scan_line_bytewise(line.as_bytes(), at_end, &mut b);
            if let Scan::Plain { cells, .. } = want {
                proptest::prop_assert_eq!(&a[..=cells], &b[..=cells]);
            }
            proptest::prop_assert_eq!(got, want);
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
    #[test]
    fn a_chunk_is_expected_to_hold_lines_like_its_first_ones() {
        let line = |start: usize, len: u32| Pending {
            line: 1,
            start,
            len,
            cells: [(0, 0); MAX_FIELDS],
        };
        // Two lines of 49 bytes and a line end each: 1,000 bytes hold 20, and a tenth more.
        let batch = [line(0, 49), line(50, 49)];
        assert_eq!(expected_lines(&batch, 1_000), 22);
        assert_eq!(expected_lines(&batch, 0), 0);
        assert_eq!(expected_lines(&[], 1_000), 0);
        // Very short first lines do not make a part reserve a line per byte.
        let short = [line(0, 0), line(1, 0), line(2, 0)];
        assert_eq!(expected_lines(&short, 1 << 20), (1 << 16) + 1);
    }

    #[test]
    fn a_reused_window_holds_only_what_it_read_last() {
        use std::io::Write;
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789abcdef").unwrap();
        let mut w = Window::default();
        w.load(&file, 0, 12, 16).unwrap();
        assert_eq!(w.buf(), b"0123456789ab");
        assert!(!w.eof);
        // Shorter than before: the old tail must not show.
        w.load(&file, 4, 7, 16).unwrap();
        assert_eq!(w.buf(), b"456");
        w.extend(&file, 2, 16).unwrap();
        assert_eq!(w.buf(), b"45678");
        // Extending past the end stops there.
        w.extend(&file, 100, 16).unwrap();
        assert_eq!(w.buf(), b"456789abcdef");
        assert!(w.eof);
    }
}
