//! Renderers: one table model, printed for people (`table`) or exported for programs
//! (`csv`, `json`). Rows are produced one at a time, so a million-row export never holds
//! the whole table in memory. Exports keep exact values: money and scores as decimal
//! strings with 2 places, rates as fractions with 4, dates `YYYY-MM-DD`, empty = unknown.

use std::io::{self, Write};

use chrono::NaiveDate;
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;

use crate::parse::Cents;

pub mod book;
mod card;
pub mod doc;
pub mod page;
pub mod rows;
mod svg;
mod xlsx;

pub use card::{render_document, Block, DocFormat, DocOptions, Document, Field, Section};

pub use xlsx::fits as xlsx_fits;

/// Past this many rows, a table shown on a terminal gets a hint that a file suits better.
pub const TERMINAL_ROWS: usize = 5_000;

/// What a column holds, which decides how each format shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A phone number: masked unless asked.
    Phone,
    Money,
    Int,
    /// A fraction (0.9500); a percentage in the table view.
    Rate,
    /// A decimal with 2 places (scores, points earned).
    Score,
    Date,
    Bool,
}

/// A column: its header and what it holds. Most tables' columns are constants; a
/// worksheet's question columns are named by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column<'a> {
    pub name: &'a str,
    pub kind: Kind,
}

pub const fn col(name: &str, kind: Kind) -> Column<'_> {
    Column { name, kind }
}

/// A column to be filled in by hand (a worksheet's): the values a workbook offers in a
/// drop-down list, and a hint shown when the cell is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillIn {
    /// The drop-down's values (others may still be typed: a score as a digit).
    pub choices: Vec<String>,
    /// The hint's title and text.
    pub title: String,
    pub hint: String,
}

/// One value. `Empty` is unknown / not applicable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Owned(String),
    Money(Cents),
    Int(i64),
    Dec(Decimal),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell<'_> {
    /// The cell with its text owned, for a table kept whole.
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Text(s) => Cell::Owned(s.to_string()),
            Cell::Owned(s) => Cell::Owned(s),
            Cell::Money(c) => Cell::Money(c),
            Cell::Int(v) => Cell::Int(v),
            Cell::Dec(d) => Cell::Dec(d),
            Cell::Date(d) => Cell::Date(d),
            Cell::Bool(b) => Cell::Bool(b),
        }
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<NaiveDate>> for Cell<'_> {
    fn from(v: Option<NaiveDate>) -> Self {
        v.map_or(Cell::Empty, Cell::Date)
    }
}

impl From<Option<Decimal>> for Cell<'_> {
    fn from(v: Option<Decimal>) -> Self {
        v.map_or(Cell::Empty, Cell::Dec)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Empty, Cell::Int)
    }
}

/// A table to render: its columns and a way to produce row `i`. `Sync`, so large
/// exports can be formatted on two threads.
pub trait Rows: Sync {
    fn columns(&self) -> &[Column<'_>];
    fn len(&self) -> usize;
    /// Fills `out` (cleared by the caller) with row `i`'s cells, one per column.
    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>);
    /// A hint that row `i` is wanted soon: a table whose rows sit scattered in memory
    /// starts loading them (exports ask [`PREFETCH`] rows ahead).
    fn prefetch(&self, _i: usize) {}
    /// Whether cell (`row`, `column`) shows a missed target or a breach: the table view
    /// marks it (a marker character, and red when colour is on).
    fn flagged(&self, _row: usize, _column: usize) -> bool {
        false
    }
    /// Lines printed under the table view (and to stderr for exports).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// For a column to fill in by hand, what a workbook offers in it (xlsx only).
    fn fill_in(&self, _column: usize) -> Option<FillIn> {
        None
    }
    /// What cell (`row`, `column`) holds, for a table whose rows hold figures of
    /// different kinds in one column (the report's overview); the column's kind by default.
    fn kind_at(&self, _row: usize, column: usize) -> Kind {
        self.columns()[column].kind
    }
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned, for people: thousands separators, percentages, masked phones.
    Table,
    /// For programs and spreadsheets: exact values.
    Csv,
    /// An array of objects keyed by the CSV header names.
    Json,
    /// An Excel workbook: frozen, filtered header; ids as text; money, dates, rates typed.
    Xlsx,
    /// A Markdown table, for notes and mail.
    Md,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub format: Format,
    /// Keep phone numbers in csv, json and xlsx (the table and md views always mask them).
    pub show_phone: bool,
    /// Colour in the table view (decided once, from --color, the terminal and NO_COLOR).
    pub color: bool,
    /// CSV: start with a UTF-8 byte order mark (Excel then reads Chinese right).
    pub bom: bool,
    /// CSV: end lines with CRLF.
    pub crlf: bool,
    /// Table and md: print the table's notes under it (where else notes go is decided
    /// once, by [`crate::app::Output::write`]).
    pub notes: bool,
    /// CSV: written in GB18030 (GBK) rather than UTF-8, for an old Excel.
    pub gb18030: bool,
}

/// Renders `rows` to `out`.
pub fn render(rows: &dyn Rows, options: Options, out: &mut dyn Write) -> io::Result<()> {
    match options.format {
        Format::Table => render_table(rows, options.color, options.notes, out),
        Format::Csv => render_csv(rows, options, out),
        Format::Json => render_json(rows, options.show_phone, out),
        Format::Xlsx => xlsx::render(rows, options.show_phone, out),
        Format::Md => render_md(rows, options.notes, out),
    }
}

/// Text a spreadsheet would run as a formula (OWASP "CSV injection") gets a leading `'`,
/// which spreadsheets show as text. Only text cells: numbers, negative ones included,
/// stay numbers.
pub fn neutralize(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The inverse of [`neutralize`], for caredesk's own exports read back (`--previous`,
/// `--overrides`): a `'` before a character that makes text a formula is the guard,
/// not part of the value.
pub fn unguard(text: &str) -> &str {
    match text.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &text[1..],
        _ => text,
    }
}

/// Writes UTF-8 text on as GB18030. Every character has a GB18030 spelling, so nothing
/// is lost; a character cut between two writes waits for the rest.
struct Gb18030Writer<'a> {
    out: &'a mut dyn Write,
    encoder: encoding_rs::Encoder,
    held: Vec<u8>,
    buf: Vec<u8>,
}

impl<'a> Gb18030Writer<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        Gb18030Writer {
            out,
            encoder: encoding_rs::GB18030.new_encoder(),
            held: Vec::new(),
            buf: vec![0; 1 << 16],
        }
    }

    fn encode(&mut self, text: &str, last: bool) -> io::Result<()> {
        let mut text = text;
        loop {
            let (result, read, wrote) =
                self.encoder
                    .encode_from_utf8_without_replacement(text, &mut self.buf, last);
            self.out.write_all(&self.buf[..wrote])?;
            text = &text[read..];
            match result {
                encoding_rs::EncoderResult::InputEmpty => return Ok(()),
                encoding_rs::EncoderResult::OutputFull => {}
                // GB18030 spells every character: cannot happen.
                encoding_rs::EncoderResult::Unmappable(c) => {
                    return Err(io::Error::other(format!("{c:?} has no GB18030 form")))
                }
            }
        }
    }

    fn finish(mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.encode(&String::from_utf8_lossy(&held), true)?;
        self.out.flush()
    }
}

impl Write for Gb18030Writer<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.held.extend_from_slice(data);
        let valid = match std::str::from_utf8(&self.held) {
            Ok(_) => self.held.len(),
            Err(e) => e.valid_up_to(),
        };
        let held = std::mem::take(&mut self.held);
        let text = std::str::from_utf8(&held[..valid]).expect("checked");
        self.encode(text, false)?;
        self.held = held[valid..].to_vec();
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The csv crate wraps write errors; unwrap them so a closed pipe stays a closed pipe.
fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn render_csv(rows: &dyn Rows, options: Options, out: &mut dyn Write) -> io::Result<()> {
    if options.gb18030 {
        let mut gb = Gb18030Writer::new(out);
        render_csv_inner(rows, options, &mut gb).map_err(io_error)?;
        return gb.finish();
    }
    if options.bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    render_csv_inner(rows, options, out).map_err(io_error)
}

fn render_csv_inner(rows: &dyn Rows, options: Options, out: &mut dyn Write) -> csv::Result<()> {
    let columns = rows.columns();
    let mut header = csv_writer(options, Vec::new());
    header.write_record(columns.iter().map(|c| c.name))?;
    out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
    // Blocks of rows formatted on both cores ([`pipeline`](crate::pipeline)), written in
    // order: formatting a million rows is most of an export's time.
    const BLOCK: usize = 16_384;
    let n = rows.len();
    let range = |b: usize| b * BLOCK..((b + 1) * BLOCK).min(n);
    crate::pipeline::in_order(
        n.div_ceil(BLOCK),
        2,
        |b, _: &mut ()| Ok::<_, io::Error>(csv_block(rows, range(b), options)),
        |block, _| {
            out.write_all(&block)?;
            Ok(crate::pipeline::Flow::Go)
        },
    )?;
    Ok(())
}

fn csv_writer(options: Options, into: Vec<u8>) -> csv::Writer<Vec<u8>> {
    let terminator = if options.crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    csv::WriterBuilder::new()
        .terminator(terminator)
        .from_writer(into)
}

/// Rows `range` as CSV lines, spelled as the csv crate's writer spells them (a field
/// quoted only when it holds a comma, quote or line break; a lone empty field quoted),
/// but written straight into the block: through `csv::Writer` and a `String` per cell,
/// formatting was three quarters of a million-row export.
fn csv_block(rows: &dyn Rows, range: std::ops::Range<usize>, options: Options) -> Vec<u8> {
    let columns = rows.columns();
    let eol: &[u8] = if options.crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(range.len() * 128);
    let mut cells = Vec::with_capacity(columns.len());
    let mut text = String::new();
    for i in range {
        rows.prefetch(i + PREFETCH);
        cells.clear();
        rows.row(i, &mut cells);
        for (j, (cell, column)) in cells.iter().zip(columns).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            match cell {
                Cell::Text(s) if column.kind != Kind::Phone || options.show_phone => {
                    csv_field(&mut out, neutralize(s).as_bytes())
                }
                Cell::Text(_) | Cell::Owned(_) => {
                    text.clear();
                    exact(cell, column.kind, options.show_phone, &mut text);
                    csv_field(&mut out, neutralize(&text).as_bytes());
                }
                Cell::Empty if cells.len() == 1 => out.extend_from_slice(b"\"\""),
                Cell::Empty => {}
                Cell::Money(c) => money_pieces(*c, |piece| put(&mut out, piece)),
                Cell::Int(v) => put(&mut out, itoa::Buffer::new().format(*v).as_bytes()),
                Cell::Date(d) => match date_digits(*d) {
                    Some(digits) => out.extend_from_slice(&digits),
                    None => {
                        text.clear();
                        iso_date(*d, &mut text);
                        csv_field(&mut out, text.as_bytes());
                    }
                },
                Cell::Bool(b) => put(&mut out, if *b { b"true" } else { b"false" }),
                Cell::Dec(_) => {
                    text.clear();
                    exact(cell, column.kind, options.show_phone, &mut text);
                    csv_field(&mut out, text.as_bytes());
                }
            }
        }
        out.extend_from_slice(eol);
    }
    out
}

/// Bytes that make the csv crate's writer quote a field (with either line terminator).
fn needs_quotes(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\n' | b'\r')
}

fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field.iter().copied().any(needs_quotes) {
        put(out, field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends `bytes` to `out`. A slice of up to 16 bytes, as nearly every cell of an
/// export is, goes in as fixed-size copies that overlap: through `extend_from_slice`
/// each was a call to `memmove`, a fifth of a million-row `tiers` export's time (perf).
#[inline(always)]
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if n == 0 || n > 16 {
        out.extend_from_slice(bytes);
        return;
    }
    let at = out.len();
    out.extend_from_slice(&[0; 16]);
    let room = &mut out[at..at + n];
    if n >= 8 {
        room[n - 8..].copy_from_slice(&bytes[n - 8..]);
        room[..8].copy_from_slice(&bytes[..8]);
    } else if n >= 4 {
        room[n - 4..].copy_from_slice(&bytes[n - 4..]);
        room[..4].copy_from_slice(&bytes[..4]);
    } else {
        // 1 to 3 bytes: the first, the middle and the last cover them.
        room[n - 1] = bytes[n - 1];
        room[n / 2] = bytes[n / 2];
        room[0] = bytes[0];
    }
    out.truncate(at + n);
}

/// Room for any `Cents` spelled out: a sign, 37 digits, the point and 2 more.
const MONEY_BYTES: usize = 48;

/// `Cents` as `-1234.05`, handed to `piece` in order: the sign if any, the whole units,
/// then the point and the cents (`{c}` through itoa: exports print millions).
#[inline(always)]
fn money_pieces(c: Cents, mut piece: impl FnMut(&[u8])) {
    if c.0 < 0 {
        piece(b"-");
    }
    let abs = c.0.unsigned_abs();
    let mut whole = itoa::Buffer::new();
    // In 64 bits when the amount fits, as every real one does: 128-bit division is a
    // library call, and 128-bit formatting slower, twice a row of a tiers export.
    let (whole, cents) = match u64::try_from(abs) {
        Ok(abs) => (whole.format(abs / 100).as_bytes(), (abs % 100) as u8),
        Err(_) => (whole.format(abs / 100).as_bytes(), (abs % 100) as u8),
    };
    piece(whole);
    piece(&[b'.', b'0' + cents / 10, b'0' + cents % 10]);
}

/// `Cents` as `-1234.05`, spelled into `buf`.
fn money_ascii(c: Cents, buf: &mut [u8; MONEY_BYTES]) -> &[u8] {
    let mut n = 0;
    money_pieces(c, |piece| {
        buf[n..n + piece.len()].copy_from_slice(piece);
        n += piece.len();
    });
    &buf[..n]
}

/// How many rows ahead exports [`prefetch`](Rows::prefetch).
pub const PREFETCH: usize = 16;

fn render_json(rows: &dyn Rows, show_phone: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let columns = rows.columns();
    let keys: Vec<String> = columns
        .iter()
        .map(|c| serde_json::to_string(c.name).expect("a str serializes"))
        .collect();
    out.write_all(b"[")?;
    let mut cells = Vec::with_capacity(columns.len());
    let mut text = String::new();
    for i in 0..rows.len() {
        rows.prefetch(i + PREFETCH);
        cells.clear();
        rows.row(i, &mut cells);
        out.write_all(if i == 0 { b"\n  {" } else { b",\n  {" })?;
        for (j, (cell, column)) in cells.iter().zip(columns).enumerate() {
            if j > 0 {
                out.write_all(b", ")?;
            }
            out.write_all(keys[j].as_bytes())?;
            out.write_all(b": ")?;
            json_cell(&mut out, cell, column.kind, show_phone, &mut text)?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(if rows.is_empty() { b"]\n" } else { b"\n]\n" })?;
    out.flush()
}

/// A cell as a JSON value: `null` for unknown, numbers for counts, `true`/`false`, and
/// every other value as the string of its exact spelling (`"1000000.00"`). `text` is a
/// buffer reused between cells.
#[inline]
fn json_cell<W: Write + ?Sized>(
    out: &mut W,
    cell: &Cell<'_>,
    kind: Kind,
    show_phone: bool,
    text: &mut String,
) -> io::Result<()> {
    match cell {
        Cell::Empty => out.write_all(b"null"),
        Cell::Int(v) => write!(out, "{v}"),
        Cell::Bool(v) => write!(out, "{v}"),
        _ => {
            text.clear();
            exact(cell, kind, show_phone, text);
            serde_json::to_writer(out, &*text).map_err(io::Error::from)
        }
    }
}

/// The exact, machine-readable spelling of a cell.
fn exact(cell: &Cell<'_>, kind: Kind, show_phone: bool, out: &mut String) {
    use std::fmt::Write as _;
    match cell {
        Cell::Empty => {}
        Cell::Text(s) if kind == Kind::Phone && !show_phone => out.push_str(&mask_phone(s)),
        Cell::Owned(s) if kind == Kind::Phone && !show_phone => out.push_str(&mask_phone(s)),
        Cell::Text(s) => out.push_str(s),
        Cell::Owned(s) => out.push_str(s),
        Cell::Money(c) => {
            let mut buf = [0; MONEY_BYTES];
            out.push_str(std::str::from_utf8(money_ascii(*c, &mut buf)).expect("ASCII digits"));
        }
        Cell::Int(v) => out.push_str(itoa::Buffer::new().format(*v)),
        Cell::Dec(d) => {
            let places = if kind == Kind::Rate { 4 } else { 2 };
            let _ = write!(out, "{}", crate::domain::half_up(*d, places));
        }
        Cell::Date(d) => iso_date(*d, out),
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// `YYYY-MM-DD`, written directly (chrono's formatter showed in export profiles).
pub fn iso_date(d: NaiveDate, out: &mut String) {
    match date_digits(d) {
        Some(digits) => out.push_str(std::str::from_utf8(&digits).expect("ASCII digits")),
        None => {
            use std::fmt::Write as _;
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
    }
}

/// The ten bytes of `YYYY-MM-DD` for a year 0..=9999.
fn date_digits(d: NaiveDate) -> Option<[u8; 10]> {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
    Some([
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (day / 10) as u8,
        b'0' + (day % 10) as u8,
    ])
}

/// The spelling for people.
fn human(cell: &Cell<'_>, kind: Kind) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) if kind == Kind::Phone => mask_phone(s),
        Cell::Owned(s) if kind == Kind::Phone => mask_phone(s),
        Cell::Money(c) => thousands(*c),
        Cell::Dec(d) if kind == Kind::Rate => {
            format!("{}%", crate::domain::half_up(d * Decimal::ONE_HUNDRED, 2))
        }
        Cell::Bool(b) => (if *b { "yes" } else { "no" }).to_string(),
        other => {
            let mut s = String::new();
            exact(other, kind, true, &mut s);
            s
        }
    }
}

/// What marks a missed target in the table view, beside colour (or instead of it).
pub const MISSED: &str = "✗";

/// Rows per comfy-table page: the table view is built a page at a time, so its memory
/// stays small at any size (the whole table as one comfy-table took 12.8 GiB for 2
/// million customers).
const TABLE_PAGE: usize = 2_048;

fn render_table(rows: &dyn Rows, color: bool, notes: bool, out: &mut dyn Write) -> io::Result<()> {
    if color {
        render_table_paged(rows, color, out, TABLE_PAGE)?;
    } else {
        render_table_plain(rows, out)?;
    }
    if notes {
        for note in rows.notes() {
            writeln!(out, "{note}")?;
        }
    }
    Ok(())
}

/// The table view without colour, written line by line as comfy-table lays out
/// [`presets::UTF8_FULL_CONDENSED`] with no wrapping: each column as wide as its widest
/// line (at least 1) plus a space each side, numbers right-aligned (their headers too),
/// a cell of several lines making its row as tall. Two passes over the rows (widths,
/// then lines) and nothing kept between them: 2 million customers took 49 s and
/// 12.8 GiB as one comfy-table, most of it allocating.
fn render_table_plain(rows: &dyn Rows, out: &mut dyn Write) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let columns = rows.columns();
    let right: Vec<bool> = columns
        .iter()
        .map(|c| matches!(c.kind, Kind::Money | Kind::Int | Kind::Rate | Kind::Score))
        .collect();
    let width_of = |text: &str| text.split('\n').map(|l| l.width()).max().unwrap_or(0);
    let mut widths: Vec<usize> = columns.iter().map(|c| width_of(c.name).max(1)).collect();
    let mut cells = Vec::with_capacity(columns.len());
    let mut texts: Vec<String> = Vec::with_capacity(columns.len());
    let fill = |texts: &mut Vec<String>, cells: &mut Vec<Cell<'_>>, i: usize| {
        texts.clear();
        texts.extend(
            cells
                .iter()
                .zip(columns)
                .enumerate()
                .map(|(j, (c, col))| table_text(rows, i, j, c, col.kind)),
        );
    };
    for i in 0..rows.len() {
        cells.clear();
        rows.row(i, &mut cells);
        fill(&mut texts, &mut cells, i);
        for (w, t) in widths.iter_mut().zip(&texts) {
            *w = (*w).max(width_of(t));
        }
    }
    let mut line = String::new();
    let border = |line: &mut String, [left, fill, cross, end]: [char; 4]| {
        line.clear();
        line.push(left);
        for (j, w) in widths.iter().enumerate() {
            if j > 0 {
                line.push(cross);
            }
            line.extend(std::iter::repeat_n(fill, w + 2));
        }
        line.push(end);
        line.push('\n');
    };
    let content = |line: &mut String, texts: &[&str]| {
        line.clear();
        let mut parts: Vec<std::str::Split<'_, char>> =
            texts.iter().map(|t| t.split('\n')).collect();
        let height = texts
            .iter()
            .map(|t| t.split('\n').count())
            .max()
            .unwrap_or(1);
        for _ in 0..height {
            line.push('│');
            for (j, part) in parts.iter_mut().enumerate() {
                if j > 0 {
                    line.push('┆');
                }
                let text = part.next().unwrap_or("");
                let pad = widths[j].saturating_sub(text.width());
                line.push(' ');
                if right[j] {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(text);
                } else {
                    line.push_str(text);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                line.push(' ');
            }
            line.push_str("│\n");
        }
    };
    border(&mut line, ['┌', '─', '┬', '┐']);
    out.write_all(line.as_bytes())?;
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    content(&mut line, &names);
    out.write_all(line.as_bytes())?;
    border(&mut line, ['╞', '═', '╪', '╡']);
    out.write_all(line.as_bytes())?;
    for i in 0..rows.len() {
        rows.prefetch(i + PREFETCH);
        cells.clear();
        rows.row(i, &mut cells);
        fill(&mut texts, &mut cells, i);
        let shown: Vec<&str> = texts.iter().map(String::as_str).collect();
        content(&mut line, &shown);
        out.write_all(line.as_bytes())?;
    }
    border(&mut line, ['└', '─', '┴', '┘']);
    out.write_all(line.as_bytes())
}

/// A table cell's text as the table view shows it (the marker before a flagged one).
fn table_text(rows: &dyn Rows, i: usize, j: usize, cell: &Cell<'_>, kind: Kind) -> String {
    let text = human(cell, kind);
    if rows.flagged(i, j) {
        format!("{MISSED} {text}")
    } else {
        text
    }
}

/// The table view, `page` rows at a time. A first pass measures every column (as
/// comfy-table does: the widest line of any cell, at least 1); each page is then a
/// comfy-table with those widths fixed, and the pages are joined by leaving out the
/// borders between them, so the lines are those of one table of every row.
fn render_table_paged(
    rows: &dyn Rows,
    color: bool,
    out: &mut dyn Write,
    page: usize,
) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    let columns = rows.columns();
    let n = rows.len();
    let width_of = |text: &str| text.split('\n').map(|l| l.width()).max().unwrap_or(0);
    let mut widths: Vec<usize> = columns.iter().map(|c| width_of(c.name).max(1)).collect();
    let mut cells = Vec::with_capacity(columns.len());
    if n > page {
        for i in 0..n {
            cells.clear();
            rows.row(i, &mut cells);
            for (j, (c, col)) in cells.iter().zip(columns).enumerate() {
                widths[j] = widths[j].max(width_of(&table_text(rows, i, j, c, col.kind)));
            }
        }
    }
    let pages = n.div_ceil(page).max(1);
    for p in 0..pages {
        let mut table = Table::new();
        if color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if p == 0 {
            table.set_header(columns.iter().map(|c| c.name));
        }
        for i in p * page..((p + 1) * page).min(n) {
            cells.clear();
            rows.row(i, &mut cells);
            table.add_row(cells.iter().zip(columns).enumerate().map(|(j, (c, col))| {
                let cell = comfy_table::Cell::new(table_text(rows, i, j, c, col.kind));
                if color && rows.flagged(i, j) {
                    cell.fg(comfy_table::Color::Red)
                } else {
                    cell
                }
            }));
        }
        for (i, column) in columns.iter().enumerate() {
            if let Some(c) = table.column_mut(i) {
                if matches!(
                    column.kind,
                    Kind::Money | Kind::Int | Kind::Rate | Kind::Score
                ) {
                    c.set_cell_alignment(CellAlignment::Right);
                }
                if pages > 1 {
                    let fixed = u16::try_from(widths[i] + 2).unwrap_or(u16::MAX);
                    c.set_constraint(comfy_table::ColumnConstraint::Absolute(
                        comfy_table::Width::Fixed(fixed),
                    ));
                }
            }
        }
        // The top border of a page after the first and the bottom border of a page before
        // the last are the seams.
        let lines: Vec<String> = table.lines().collect();
        let from = usize::from(p > 0);
        let to = lines.len() - usize::from(p + 1 < pages);
        for line in &lines[from..to] {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn render_md(rows: &dyn Rows, notes: bool, out: &mut dyn Write) -> io::Result<()> {
    let columns = rows.columns();
    let escape = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    writeln!(
        out,
        "| {} |",
        columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(" | ")
    )?;
    let align: Vec<&str> = columns
        .iter()
        .map(|c| {
            if matches!(c.kind, Kind::Money | Kind::Int | Kind::Rate | Kind::Score) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(out, "| {} |", align.join(" | "))?;
    let mut cells = Vec::with_capacity(columns.len());
    for i in 0..rows.len() {
        cells.clear();
        rows.row(i, &mut cells);
        let shown: Vec<String> = cells
            .iter()
            .zip(columns)
            .map(|(c, col)| escape(&human(c, col.kind)))
            .collect();
        writeln!(out, "| {} |", shown.join(" | "))?;
    }
    if notes {
        for note in rows.notes() {
            writeln!(out, "\n{note}")?;
        }
    }
    Ok(())
}

/// `1234567.5` → `1,234,567.50`.
pub fn thousands(c: Cents) -> String {
    let plain = c.to_string();
    let (sign, rest) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{frac}")
}

/// Masks a phone number on its digits: the first 3 and last 4 kept, one star per digit
/// between (`139-0000-1111` → `139****1111`); with fewer than 8 digits all stars, keeping
/// the last 4 only when there are more than 4.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    if n >= 8 {
        let mut s: String = digits[..3].iter().collect();
        s.extend(std::iter::repeat_n('*', n - 7));
        s.extend(&digits[n - 4..]);
        s
    } else if n > 4 {
        let mut s: String = std::iter::repeat_n('*', n - 4).collect();
        s.extend(&digits[n - 4..]);
        s
    } else {
        "*".repeat(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Money is spelled the same whether it fits 64 bits or needs 128.
        #[test]
        fn money_is_whole_units_a_point_and_two_digits(
            cents in proptest::prop_oneof![
                -100_000i128..100_000,
                proptest::strategy::Strategy::prop_map(proptest::num::i64::ANY, i128::from),
                proptest::num::i128::ANY,
                proptest::strategy::Just(i128::MIN),
            ],
        ) {
            let abs = cents.unsigned_abs();
            let sign = if cents < 0 { "-" } else { "" };
            let want = format!("{sign}{}.{:02}", abs / 100, abs % 100);
            let mut buf = [0; MONEY_BYTES];
            proptest::prop_assert_eq!(money_ascii(Cents(cents), &mut buf), want.as_bytes());
            let mut csv = b"x,".to_vec();
            money_pieces(Cents(cents), |piece| put(&mut csv, piece));
            proptest::prop_assert_eq!(&csv[2..], want.as_bytes());
        }

        /// `put` appends what `extend_from_slice` does, whatever the lengths.
        #[test]
        fn put_appends_the_bytes(
            before in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        ) {
            let mut out = before.clone();
            put(&mut out, &bytes);
            proptest::prop_assert_eq!(out, [before, bytes].concat());
        }
    }

    struct Two;
    const COLS: &[Column<'static>] = &[
        col("id", Kind::Text),
        col("phone", Kind::Phone),
        col("spend", Kind::Money),
        col("rate", Kind::Rate),
        col("on", Kind::Date),
        col("ok", Kind::Bool),
        col("n", Kind::Int),
    ];
    impl Rows for Two {
        fn columns(&self) -> &[Column<'_>] {
            COLS
        }
        fn len(&self) -> usize {
            2
        }
        fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
            if i == 0 {
                out.extend([
                    Cell::Text("007"),
                    Cell::Text("139-0000-1111"),
                    Cell::Money(Cents(100_000_000)),
                    Cell::Dec(Decimal::new(9500, 4)),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()),
                    Cell::Bool(true),
                    Cell::Int(3),
                ]);
            } else {
                out.extend([
                    Cell::Text("王伟, \"x\""),
                    Cell::Empty,
                    Cell::Money(Cents(-5)),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Bool(false),
                    Cell::Empty,
                ]);
            }
        }
    }

    fn rendered(format: Format, show_phone: bool) -> String {
        let mut out = Vec::new();
        render(
            &Two,
            Options {
                format,
                show_phone,
                color: false,
                bom: false,
                crlf: false,
                notes: true,
                gb18030: false,
            },
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_keeps_exact_values_and_masks_phones_unless_asked() {
        assert_eq!(
            rendered(Format::Csv, false),
            "id,phone,spend,rate,on,ok,n\n007,139****1111,1000000.00,0.9500,2026-11-22,true,3\n\"王伟, \"\"x\"\"\",,-0.05,,,false,\n"
        );
        assert!(rendered(Format::Csv, true).contains(",139-0000-1111,"));
    }

    #[test]
    fn json_is_an_array_of_objects_with_strings_for_exact_numbers() {
        let v: serde_json::Value = serde_json::from_str(&rendered(Format::Json, false)).unwrap();
        assert_eq!(v[0]["spend"], "1000000.00");
        assert_eq!(v[0]["rate"], "0.9500");
        assert_eq!(v[0]["n"], 3);
        assert_eq!(v[0]["ok"], true);
        assert_eq!(v[1]["phone"], serde_json::Value::Null);
        assert_eq!(v[1]["id"], "王伟, \"x\"");
    }

    #[test]
    fn table_is_for_people() {
        let t = rendered(Format::Table, true);
        assert!(t.contains("1,000,000.00"), "{t}");
        assert!(t.contains("95.00%"), "{t}");
        assert!(t.contains("139****1111"), "{t}");
        assert!(!t.contains("139-0000-1111"), "{t}");
    }

    #[test]
    fn formulas_are_neutralized_in_text_but_numbers_stay_numbers() {
        assert_eq!(
            neutralize("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        for bad in ["+1", "-2", "@sum", "\tx", "\rx"] {
            assert!(neutralize(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralize("王伟"), "王伟");
        for id in ["+C1", "-C2", "@C3", "=C4", "C5", "'quoted", "'"] {
            assert_eq!(unguard(&neutralize(id)), id, "{id:?} round-trips");
        }
        let csv = rendered(Format::Csv, false);
        assert!(
            csv.contains(",-0.05,"),
            "a negative amount stays a number: {csv}"
        );
    }

    #[test]
    fn phone_masks() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("139-0000-1111"), "139****1111");
        assert_eq!(mask_phone("12345678"), "123*5678");
        assert_eq!(mask_phone("1234567"), "***4567");
        assert_eq!(mask_phone("12345"), "*2345");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn dates_are_iso() {
        let mut s = String::new();
        iso_date(NaiveDate::from_ymd_opt(7, 1, 9).unwrap(), &mut s);
        iso_date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), &mut s);
        assert_eq!(s, "0007-01-092026-11-22");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(Cents(100_000_000)), "1,000,000.00");
        assert_eq!(thousands(Cents(-123_456)), "-1,234.56");
        assert_eq!(thousands(Cents(5)), "0.05");
        assert_eq!(thousands(Cents(99_999)), "999.99");
    }

    /// A phone the row spells itself (`Cell::Owned`) is masked as a borrowed one is.
    struct OwnedPhone;
    const OWNED: &[Column] = &[col("name", Kind::Text), col("phone", Kind::Phone)];
    impl Rows for OwnedPhone {
        fn columns(&self) -> &[Column<'_>] {
            OWNED
        }
        fn len(&self) -> usize {
            1
        }
        fn row<'s>(&'s self, _: usize, out: &mut Vec<Cell<'s>>) {
            out.extend([Cell::Text("Ann"), Cell::Owned("139-0000-1111".into())]);
        }
    }

    #[test]
    fn owned_phones_are_masked_in_every_format_unless_asked() {
        for format in [Format::Csv, Format::Json, Format::Table, Format::Md] {
            for show_phone in [false, true] {
                let mut out = Vec::new();
                let options = Options {
                    format,
                    show_phone,
                    color: false,
                    bom: false,
                    crlf: false,
                    notes: false,
                    gb18030: false,
                };
                render(&OwnedPhone, options, &mut out).unwrap();
                let text = String::from_utf8(out).unwrap();
                let whole = show_phone && matches!(format, Format::Csv | Format::Json);
                let phone = if whole {
                    "139-0000-1111"
                } else {
                    "139****1111"
                };
                assert!(text.contains(phone), "{format:?} {show_phone}: {text}");
                assert!(text.contains("Ann"), "{format:?} {show_phone}: {text}");
            }
        }
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    /// Cells of every kind, CJK, line breaks, empties and flags.
    struct Tricky;
    const COLS: &[Column<'static>] = &[
        col("customer_id", Kind::Text),
        col("name", Kind::Text),
        col("spend", Kind::Money),
        col("n", Kind::Int),
        col("rate", Kind::Rate),
        col("on", Kind::Date),
        col("x", Kind::Phone),
    ];
    const NAMES: &[&str] = &[
        "王伟",
        "two\nlines",
        "",
        "a much longer name here",
        "三\n行\n的",
        "é",
    ];
    impl Rows for Tricky {
        fn columns(&self) -> &[Column<'_>] {
            COLS
        }
        fn len(&self) -> usize {
            NAMES.len() * 3
        }
        fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
            out.extend([
                Cell::Owned(format!("C{i}")),
                Cell::Text(NAMES[i % NAMES.len()]),
                Cell::Money(Cents(i as i128 * 123_456_789 - 5)),
                if i.is_multiple_of(4) {
                    Cell::Empty
                } else {
                    Cell::Int(i as i64)
                },
                Cell::Dec(Decimal::new(i as i64 * 37, 4)),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 9).unwrap()),
                Cell::Text("13812345678"),
            ]);
        }
        fn flagged(&self, row: usize, column: usize) -> bool {
            column == 4 && row % 3 == 1
        }
        fn notes(&self) -> Vec<String> {
            vec!["a note".into()]
        }
    }

    /// The same table as one comfy-table, as the view was made before it was paged.
    fn by_comfy_table(rows: &dyn Rows) -> String {
        let mut out = Vec::new();
        render_table_paged(rows, false, &mut out, usize::MAX).unwrap();
        String::from_utf8(out).unwrap()
    }

    struct Empty;
    impl Rows for Empty {
        fn columns(&self) -> &[Column<'_>] {
            COLS
        }
        fn len(&self) -> usize {
            0
        }
        fn row<'s>(&'s self, _: usize, _: &mut Vec<Cell<'s>>) {}
    }

    #[test]
    fn the_plain_table_is_comfy_tables_layout() {
        for rows in [&Tricky as &dyn Rows, &Empty] {
            let mut plain = Vec::new();
            render_table_plain(rows, &mut plain).unwrap();
            assert_eq!(String::from_utf8(plain).unwrap(), by_comfy_table(rows));
        }
    }

    #[test]
    fn pages_join_into_one_table() {
        for page in [1, 2, 5, 7, 1000] {
            let mut paged = Vec::new();
            render_table_paged(&Tricky, false, &mut paged, page).unwrap();
            assert_eq!(
                String::from_utf8(paged).unwrap(),
                by_comfy_table(&Tricky),
                "{page}"
            );
        }
        // in colour too: the flagged cells' escapes stay inside their cells
        let mut one = Vec::new();
        render_table_paged(&Tricky, true, &mut one, usize::MAX).unwrap();
        let mut paged = Vec::new();
        render_table_paged(&Tricky, true, &mut paged, 4).unwrap();
        assert_eq!(paged, one);
        assert!(String::from_utf8(one).unwrap().contains("\u{1b}["));
    }
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    /// Rows of text cells, and a last column of money.
    struct Texts(Vec<Vec<&'static str>>, &'static [Column<'static>]);
    impl Rows for Texts {
        fn columns(&self) -> &[Column<'_>] {
            self.1
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
            out.extend(self.0[i].iter().map(|s| match *s {
                "" => Cell::Empty,
                s => Cell::Text(s),
            }));
        }
    }

    /// What the csv crate's writer makes of the same cells.
    fn by_csv_crate(rows: &Texts, crlf: bool) -> Vec<u8> {
        let mut w = csv_writer(
            Options {
                format: Format::Csv,
                show_phone: true,
                color: false,
                bom: false,
                crlf,
                notes: false,
                gb18030: false,
            },
            Vec::new(),
        );
        for r in &rows.0 {
            w.write_record(r.iter().map(|s| neutralize(s).into_owned()))
                .unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn blocks_spell_fields_as_the_csv_crate_does() {
        const TWO: &[Column<'static>] = &[col("a", Kind::Text), col("b", Kind::Text)];
        const ONE: &[Column<'static>] = &[col("a", Kind::Text)];
        let tricky = [
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\rhere",
            "crlf\r\nx",
            "=1+2",
            "-5",
            " spaced ",
            "王伟",
            "",
        ];
        let pairs: Vec<Vec<&str>> = tricky
            .iter()
            .flat_map(|a| tricky.iter().map(move |b| vec![*a, *b]))
            .collect();
        let singles: Vec<Vec<&str>> = tricky.iter().map(|a| vec![*a]).collect();
        for (rows, columns) in [(pairs, TWO), (singles, ONE)] {
            let rows = Texts(rows, columns);
            for crlf in [false, true] {
                let options = Options {
                    format: Format::Csv,
                    show_phone: true,
                    color: false,
                    bom: false,
                    crlf,
                    notes: false,
                    gb18030: false,
                };
                let ours = csv_block(&rows, 0..rows.len(), options);
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&by_csv_crate(&rows, crlf))
                );
            }
        }
    }

    /// An export of more rows than one block (two and a bit), in order, byte for byte what
    /// the csv crate's writer makes of the rows one after another on one thread.
    #[test]
    fn an_export_of_several_blocks_is_the_one_thread_writers() {
        const TWO: &[Column] = &[col("id", Kind::Text), col("b", Kind::Text)];
        let tricky = [
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "=1+2",
            "王伟",
            "",
        ];
        let n = 2 * 16_384 + 123;
        let rows: Vec<Vec<&'static str>> = (0..n)
            .map(|i| {
                let id: &'static str = Box::leak(format!("r{i}").into_boxed_str());
                vec![id, tricky[i % tricky.len()]]
            })
            .collect();
        let rows = Texts(rows, TWO);
        for crlf in [false, true] {
            let options = Options {
                format: Format::Csv,
                show_phone: true,
                color: false,
                bom: false,
                crlf,
                notes: false,
                gb18030: false,
            };
            let mut ours = Vec::new();
            render(&rows, options, &mut ours).unwrap();
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut expected = format!("id,b{eol}").into_bytes();
            expected.extend(by_csv_crate(&rows, crlf));
            assert_eq!(ours.len(), expected.len(), "crlf {crlf}");
            assert!(
                ours == expected,
                "crlf {crlf}: the blocks differ from one writer's"
            );
        }
    }
}
