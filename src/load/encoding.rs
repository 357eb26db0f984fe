//! Input encodings: what Excel and WPS on Chinese Windows save besides UTF-8. A file in
//! GB18030 (a superset of GBK and GB2312) or UTF-16 is transcoded once, streaming, into
//! UTF-8 (memory for a small file, an anonymous temporary file for a large one) that the
//! readers then read as usual; line breaks survive, so every line number does. A UTF-8
//! file is read as it is, on the fast path.
//!
//! Detection (docs/rules.md §4.3): a byte order mark decides (UTF-8, UTF-16 LE
//! or BE); else UTF-16 by its zero bytes ([`bare_utf16`]); else a file whose first [`SNIFF`] bytes are valid UTF-8 is UTF-8 (validating a
//! 500 MB file up front would read it twice; its cells are checked as they are read, and
//! a bad one is then traced here: [`late_spot`]); else a file that decodes as GB18030
//! without an error is GB18030. A file that is neither is decoded in whichever of the two
//! it breaks fewer times, and each break is a problem naming its line, column and bytes.

use std::fs::File;
use std::io::{self, Read, Write};

use encoding_rs::{DecoderResult, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::Problems;

/// The encoding of the input files, as the user names it (`--encoding`, `input.encoding`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// Detect it: a byte order mark, else UTF-8 when valid, else GB18030.
    #[default]
    Auto,
    /// UTF-8 (Excel's "CSV UTF-8").
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, which includes GBK and GB2312 (Excel's "CSV" on Chinese Windows).
    #[value(name = "gb18030", alias = "gbk", alias = "gb2312")]
    Gb18030,
    /// UTF-16 (Excel's "Unicode text"): the byte order mark says which end first; without
    /// one, little-endian, as Windows writes it.
    #[value(name = "utf-16", alias = "utf16")]
    Utf16,
}

impl Encoding {
    /// The names `input.encoding` takes, each with what it means.
    pub const NAMES: &'static [(&'static str, Encoding)] = &[
        ("auto", Encoding::Auto),
        ("utf-8", Encoding::Utf8),
        ("utf8", Encoding::Utf8),
        ("gb18030", Encoding::Gb18030),
        ("gbk", Encoding::Gb18030),
        ("gb2312", Encoding::Gb18030),
        ("utf-16", Encoding::Utf16),
        ("utf16", Encoding::Utf16),
    ];
}

/// Bytes read to decide that a file without a byte order mark is UTF-8.
pub const SNIFF: usize = 8 << 20;

/// Files transcoded into memory up to this size; larger ones into a temporary file.
const IN_MEMORY: u64 = 16 << 20;

/// Encoding problems kept per file (the rest are counted).
const SPOTS_KEPT: usize = 200;

/// The text to read after decoding.
pub enum Text {
    /// The file itself (UTF-8).
    AsIs,
    /// The UTF-8 text, in memory.
    Memory(Vec<u8>),
    /// The UTF-8 text, in an anonymous temporary file.
    Temp(File),
}

/// What became of a file.
pub struct Decoded {
    pub text: Text,
    /// The encoding it was read in, when that was detected rather than given, and is not
    /// UTF-8: the note on stderr says so.
    pub detected: Option<&'static str>,
    /// UTF-8 decided from the first [`SNIFF`] bytes of a longer file.
    pub presumed: bool,
    /// Bytes that are not text in the encoding read, each located.
    pub problems: Problems,
}

/// A user-facing name for an encoding.
fn label(e: &'static encoding_rs::Encoding) -> &'static str {
    if e == GB18030 {
        "GB18030 (GBK)"
    } else if e == UTF_16LE || e == UTF_16BE {
        "UTF-16"
    } else {
        "UTF-8"
    }
}

/// The encoding a byte order mark names, and the mark's length.
fn bom(prefix: &[u8]) -> Option<(&'static encoding_rs::Encoding, usize)> {
    encoding_rs::Encoding::for_bom(prefix)
}

/// Whether `prefix` is UTF-8, allowing a character cut by the end of a prefix of a longer
/// input.
fn utf8_prefix(prefix: &[u8], whole: bool) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        Err(e) => !whole && e.error_len().is_none(),
    }
}

/// UTF-16 without a byte order mark (what some exports write for "Unicode"), told by its
/// zero bytes: no UTF-8 or GB18030 text holds one, while UTF-16 has one in every ASCII
/// character (digits, commas, line ends), on the odd bytes for little-endian and the even
/// for big-endian. Two or more, at least one unit in eight with its zero on one side, at most a
/// quarter as many on the other (一, U+4E00, has its low byte zero), and the start must
/// decode as UTF-16 whole.
fn bare_utf16(prefix: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    // Its first 64 KiB tell: the header and hundreds of rows.
    let prefix = &prefix[..prefix.len().min(64 << 10)];
    let units = prefix.len() / 2;
    if units < 2 {
        return None;
    }
    let zeros = |side: usize| {
        prefix[..units * 2]
            .iter()
            .skip(side)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let encoding = if odd >= 2 && odd * 8 >= units && even * 4 <= odd {
        UTF_16LE
    } else if even >= 2 && even * 8 >= units && odd * 4 <= even {
        UTF_16BE
    } else {
        return None;
    };
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0u8; decoder.max_utf8_buffer_length_without_replacement(units * 2)?];
    // A unit cut by the end of the prefix is fine: `last` is false.
    let (result, _, _) =
        decoder.decode_to_utf8_without_replacement(&prefix[..units * 2], &mut out, false);
    matches!(result, DecoderResult::InputEmpty).then_some(encoding)
}

/// What to do with a file, from its start and the user's choice; `None`: as it is.
fn choose(
    prefix: &[u8],
    whole: bool,
    want: Encoding,
) -> (Option<&'static encoding_rs::Encoding>, bool) {
    if let Some((e, _)) = bom(prefix) {
        // A byte order mark is unambiguous, whatever was said.
        return (if e == UTF_8 { None } else { Some(e) }, false);
    }
    match want {
        Encoding::Utf8 => (None, false),
        Encoding::Gb18030 => (Some(GB18030), false),
        // Which end first, when no mark says: told by the zero bytes, else little-endian.
        Encoding::Utf16 => (Some(bare_utf16(prefix).unwrap_or(UTF_16LE)), false),
        Encoding::Auto => match bare_utf16(prefix) {
            Some(utf16) => (Some(utf16), false),
            None if utf8_prefix(prefix, whole) => (None, !whole),
            None => (Some(GB18030), false),
        },
    }
}

/// Decodes a regular file (`size` bytes) for reading; `name` is the file in messages.
pub fn decode_file(file: &File, size: u64, name: &str, want: Encoding) -> io::Result<Decoded> {
    let mut prefix = vec![0; SNIFF.min(size as usize)];
    read_full_at(file, &mut prefix, 0)?;
    let whole = prefix.len() as u64 == size;
    let (encoding, presumed) = choose(&prefix, whole, want);
    let Some(encoding) = encoding else {
        return Ok(Decoded {
            text: Text::AsIs,
            detected: None,
            presumed,
            problems: Problems::new(),
        });
    };
    let detected_here = want == Encoding::Auto && bom(&prefix).is_none();
    let guessed = encoding;
    let (text, spots) = transcode(file, encoding, size)?;
    if spots.count == 0 {
        return Ok(Decoded {
            text,
            detected: (want == Encoding::Auto).then(|| label(encoding)),
            presumed: false,
            problems: Problems::new(),
        });
    }
    // Not text in the encoding chosen. When that was a guess, the file is neither UTF-8
    // (its start is not) nor GB18030: read it in whichever it breaks less.
    let (text, spots, encoding) = if detected_here {
        let (utf8_text, utf8_spots) = transcode(file, UTF_8, size)?;
        // A tie goes to UTF-8: the contract's encoding, and what a lone bad byte in an
        // ASCII file was meant to be.
        if utf8_spots.count <= spots.count {
            (utf8_text, utf8_spots, UTF_8)
        } else {
            (text, spots, encoding)
        }
    } else {
        (text, spots, encoding)
    };
    let tried = if detected_here {
        // The other of the two tried: the guess (GB18030, or UTF-16 by its zero bytes)
        // and UTF-8.
        let other = if encoding == UTF_8 { guessed } else { UTF_8 };
        // The file breaks in both, the other more often: a cell named may well be text
        // in the other encoding (a line pasted from a GBK file into a UTF-8 one), so it
        // is not called "neither".
        format!(
            "not {} text; read as {} the file breaks in more places, so the rest of it \
             reads as {}",
            label(encoding),
            label(other),
            label(encoding)
        )
    } else {
        format!(
            "not {} text, as the encoding was given (--encoding or input.encoding)",
            label(encoding)
        )
    };
    let problems = locate(&text, &spots, name, &tried)?;
    Ok(Decoded {
        text,
        detected: (want == Encoding::Auto && encoding != UTF_8).then(|| label(encoding)),
        presumed: false,
        problems,
    })
}

/// How a whole small file is spelled, to add to it in kind (`caredesk log` appending
/// to a contacts.csv that Excel saved in GBK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spelling(&'static encoding_rs::Encoding);

impl Spelling {
    pub const UTF8: Spelling = Spelling(UTF_8);

    /// `text` in this spelling (no byte order mark: it goes after what is there).
    pub fn encode(self, text: &str) -> Vec<u8> {
        let e = self.0;
        if e == UTF_16LE {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else if e == UTF_16BE {
            text.encode_utf16().flat_map(u16::to_be_bytes).collect()
        } else {
            e.encode(text).0.into_owned()
        }
    }

    pub fn is_utf8(self) -> bool {
        self.0 == UTF_8
    }

    pub fn label(self) -> &'static str {
        label(self.0)
    }
}

/// Decodes a whole small file as [`decode_file`] would choose; `Err` gives the line of
/// the first break and the encoding tried, when it is not text in that encoding.
pub fn decode_all(bytes: &[u8], want: Encoding) -> Result<(String, Spelling), (u64, &'static str)> {
    let (encoding, _) = choose(bytes, true, want);
    let encoding = encoding.unwrap_or(UTF_8);
    let mut out = Vec::new();
    let mut spots = Spots::default();
    // Writing into memory cannot fail.
    let _ = decode_into(bytes, encoding, &mut out, &mut spots);
    if let Some((_, line, _)) = spots.kept.first() {
        let guessed = want == Encoding::Auto && bom(bytes).is_none() && encoding == GB18030;
        return Err((
            *line,
            if guessed {
                "UTF-8 or GB18030 (GBK)"
            } else {
                label(encoding)
            },
        ));
    }
    match String::from_utf8(out) {
        Ok(text) => Ok((text, Spelling(encoding))),
        Err(_) => Err((1, label(encoding))),
    }
}

/// Where the bytes that do not decode are.
#[derive(Default)]
struct Spots {
    /// (offset in the decoded text of the replacement character, its line, the bytes
    /// found), for the first [`SPOTS_KEPT`].
    kept: Vec<(u64, u64, Vec<u8>)>,
    count: u64,
}

/// Decodes all of `input` from `encoding` into UTF-8 text, each undecodable sequence
/// replaced by U+FFFD and noted.
fn transcode(
    file: &File,
    encoding: &'static encoding_rs::Encoding,
    size: u64,
) -> io::Result<(Text, Spots)> {
    let mut spots = Spots::default();
    let input = super::chunks::Range::new(file, 0, size);
    if size <= IN_MEMORY {
        let mut out = Vec::with_capacity(size as usize + size as usize / 2);
        decode_into(input, encoding, &mut out, &mut spots)?;
        return Ok((Text::Memory(out), spots));
    }
    let mut copy = tempfile::tempfile()?;
    {
        let mut w = io::BufWriter::with_capacity(1 << 20, &mut copy);
        if encoding == UTF_16LE || encoding == UTF_16BE {
            decode_into(input, encoding, &mut w, &mut spots)?;
        } else {
            decode_in_parts(file, size, encoding, &mut w, &mut spots)?;
        }
        w.flush()?;
    }
    Ok((Text::Temp(copy), spots))
}

/// U+FFFD in UTF-8: what a decoded part holds in place of bytes that are not text.
const MARK: &[u8] = "\u{FFFD}".as_bytes();

/// Bytes of input decoded as one part by [`decode_in_parts`].
const PART: usize = 2 << 20;

/// Buffers handed back to be used again: a fresh 3 MiB buffer per part was paid in page
/// faults (system time tripled).
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

impl Pool {
    fn get(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default()
    }

    fn put(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut p) = self.0.lock() {
            p.push(buf);
        }
    }
}

/// [`decode_into`] on both cores ([`crate::pipeline`]), for encodings in which a line
/// feed byte is always a line feed (GB18030, UTF-8; not UTF-16): part `i` runs from just
/// after the first line feed at or after `i × PART` to just after the first one at or
/// after the next part's start, and each is decoded with a decoder of its own, then
/// written in order. (Decoding on one thread took a 670 MB GB18030 orders file from 1× to
/// about 1.35× the UTF-8 time; in parts, it takes half as long.)
fn decode_in_parts(
    file: &File,
    size: u64,
    encoding: &'static encoding_rs::Encoding,
    out: &mut impl Write,
    spots: &mut Spots,
) -> io::Result<()> {
    let pool = Pool::default();
    let parts = (size as usize).div_ceil(PART);
    let mut written = 0u64;
    let mut lines = 0u64;
    crate::pipeline::in_order(
        parts,
        2,
        |i, _: &mut ()| -> io::Result<(Vec<u8>, Spots, u64)> {
            let (from, to) = (part_start(file, size, i)?, part_start(file, size, i + 1)?);
            let mut bytes = pool.get();
            bytes.resize(to.saturating_sub(from) as usize, 0);
            read_full_at(file, &mut bytes, from)?;
            let mut part = Spots::default();
            let mut text = pool.get();
            let count = decode_part(&bytes, encoding, i == 0, &mut text, &mut part);
            pool.put(bytes);
            Ok((text, part, count))
        },
        |(text, part, count), _| {
            for (offset, line, bytes) in part.kept {
                if spots.kept.len() < SPOTS_KEPT {
                    spots.kept.push((written + offset, lines + line, bytes));
                }
            }
            spots.count += part.count;
            out.write_all(&text)?;
            written += text.len() as u64;
            lines += count;
            pool.put(text);
            Ok(crate::pipeline::Flow::Go)
        },
    )?;
    Ok(())
}

/// How far past its nominal start a part's start is looked for: half a part, so that
/// parts never overlap and none is larger than two (a 300 MB file without a line feed
/// was one part, read whole into memory twice over).
const CUT_WITHIN: u64 = PART as u64 / 2;

/// Where part `i` of [`decode_in_parts`] starts: just after the first line feed at or
/// after `i × PART` (0 for the first part, the end for one past the last). Without a line
/// feed in [`CUT_WITHIN`] bytes, just after the last byte below `0x30` there (in GB18030
/// and UTF-8 such a byte is a character of its own, never part of another: a comma, a
/// space, a carriage return), else at the nominal start — which can cut a character in
/// two only inside a run of 1 MiB without any of those, a cell no contract field holds.
fn part_start(file: &File, size: u64, i: usize) -> io::Result<u64> {
    let nominal = (i as u64).saturating_mul(PART as u64);
    if i == 0 || nominal >= size {
        return Ok(nominal.min(size));
    }
    let mut buf = [0u8; 4096];
    let mut at = nominal;
    let mut single = None;
    let end = size.min(nominal + CUT_WITHIN);
    while at < end {
        let want = buf.len().min((end - at) as usize);
        let n = super::chunks::read_at(file, &mut buf[..want], at)?;
        if n == 0 {
            break;
        }
        if let Some(k) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(at + k as u64 + 1);
        }
        if let Some(k) = buf[..n].iter().rposition(|&b| b < 0x30) {
            single = Some(at + k as u64 + 1);
        }
        at += n as u64;
    }
    Ok(match at >= size {
        true => size,
        false => single.unwrap_or(nominal),
    })
}

/// Decodes one part whole into `out` (cleared); returns its line feeds.
fn decode_part(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
    first: bool,
    out: &mut Vec<u8>,
    spots: &mut Spots,
) -> u64 {
    let mut decoder = if first {
        encoding.new_decoder_with_bom_removal()
    } else {
        encoding.new_decoder_without_bom_handling()
    };
    out.clear();
    let mut src = bytes;
    let mut lines = 0u64;
    // `out[..len]` is the text so far; the room after it is grown only when what is left
    // to decode may not fit. (Growing it by the rest's bound after every bad byte filled
    // that much again each time: a big GBK file read as UTF-8, a bad byte in every
    // character, took hours.)
    let mut len = 0;
    loop {
        // What the rest can decode to, and a replacement mark after it.
        let room = decoder
            .max_utf8_buffer_length_without_replacement(src.len())
            .unwrap_or(src.len() * 3 + 16)
            + MARK.len();
        if out.len() - len < room {
            out.resize(len + room, 0);
        }
        let (result, read, wrote) =
            decoder.decode_to_utf8_without_replacement(src, &mut out[len..], true);
        lines += memchr::memchr_iter(b'\n', &out[len..len + wrote]).count() as u64;
        len += wrote;
        match result {
            DecoderResult::InputEmpty => {
                out.truncate(len);
                return lines;
            }
            DecoderResult::OutputFull => src = &src[read..],
            DecoderResult::Malformed(bad, after) => {
                let end = read - after as usize;
                let start = end.saturating_sub(bad as usize);
                if spots.kept.len() < SPOTS_KEPT {
                    spots
                        .kept
                        .push((len as u64, lines + 1, src[start..end].to_vec()));
                }
                spots.count += 1;
                out[len..len + MARK.len()].copy_from_slice(MARK);
                len += MARK.len();
                src = &src[read..];
            }
        }
    }
}

/// The decoding loop: 1 MiB in, up to 3 MiB out at a time, no BOM in the output.
fn decode_into(
    mut input: impl Read,
    encoding: &'static encoding_rs::Encoding,
    out: &mut impl Write,
    spots: &mut Spots,
) -> io::Result<()> {
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut inbuf = vec![0u8; 1 << 20];
    let mut outbuf = vec![0u8; 3 << 20];
    let mut written = 0u64;
    let mut lines = 1u64;
    let mut last = false;
    while !last {
        let n = read_some(&mut input, &mut inbuf)?;
        last = n == 0;
        let mut src = &inbuf[..n];
        loop {
            let (result, read, wrote) =
                decoder.decode_to_utf8_without_replacement(src, &mut outbuf, last);
            out.write_all(&outbuf[..wrote])?;
            written += wrote as u64;
            if spots.kept.len() < SPOTS_KEPT {
                lines += memchr::memchr_iter(b'\n', &outbuf[..wrote]).count() as u64;
            }
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => src = &src[read..],
                DecoderResult::Malformed(bad, after) => {
                    let end = read - after as usize;
                    let start = end.saturating_sub(bad as usize);
                    if spots.kept.len() < SPOTS_KEPT {
                        spots.kept.push((written, lines, src[start..end].to_vec()));
                    }
                    spots.count += 1;
                    out.write_all("\u{FFFD}".as_bytes())?;
                    written += 3;
                    src = &src[read..];
                }
            }
        }
    }
    Ok(())
}

fn read_some(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn read_full_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match super::chunks::read_at(file, &mut buf[done..], at + done as u64)? {
            0 => break,
            n => done += n,
        }
    }
    Ok(())
}

/// Each spot as a problem: the line of its record, its column's header, the cell as
/// decoded and the bytes found.
fn locate(text: &Text, spots: &Spots, name: &str, tried: &str) -> io::Result<Problems> {
    let mut problems = Problems::new();
    let bytes: Box<dyn Read> = match text {
        Text::Memory(v) => Box::new(io::Cursor::new(v.as_slice())),
        Text::Temp(f) => Box::new(super::chunks::Range::new(f, 0, f.metadata()?.len())),
        Text::AsIs => return Ok(problems),
    };
    let mut cells = CellScan::new(io::BufReader::with_capacity(1 << 16, bytes));
    let mut header: Vec<String> = Vec::new();
    let mut next = spots.kept.iter().peekable();
    while let Some(cell) = cells.next_cell()? {
        if cell.record == 0 {
            header.push(String::from_utf8_lossy(&cell.text).trim().to_string());
        }
        // One problem per cell, with every break in it (a name in another encoding
        // breaks at each of its characters).
        let mut found: Vec<u8> = Vec::new();
        let mut breaks = 0;
        while let Some((_, _, bytes)) = next.next_if(|(at, _, _)| *at < cell.end) {
            found.extend_from_slice(bytes);
            breaks += 1;
        }
        if breaks > 0 {
            let column = header
                .get(cell.field)
                .filter(|h| !h.is_empty() && cell.record > 0)
                .cloned()
                .unwrap_or_else(|| format!("column {}", cell.field + 1));
            let shown = match looks_like_phone(&column, &cell.text) {
                true => super::masked(&super::shown(&cell.text)),
                false => super::shown(&cell.text),
            };
            let bytes: Vec<String> = found.iter().map(|b| format!("0x{b:02X}")).collect();
            problems.add(
                name,
                cell.line,
                Some(&column),
                Some(&shown),
                format!(
                    "{} {} {tried}; fix the cell, or save the file as \"CSV UTF-8\"",
                    if found.len() == 1 { "byte" } else { "bytes" },
                    bytes.join(" "),
                ),
            );
        }
        if next.peek().is_none() {
            break;
        }
    }
    if spots.count > spots.kept.len() as u64 {
        problems.add(
            name,
            0,
            None,
            None,
            format!(
                "... and {} more bytes like these",
                spots.count - spots.kept.len() as u64
            ),
        );
    }
    Ok(problems)
}

/// Whether a cell is masked in a message as a phone: its column is named as one (the
/// contract's or a usual name), or its digits are those of a phone number.
fn looks_like_phone(column: &str, cell: &[u8]) -> bool {
    let folded = super::headers::fold(column);
    let named = folded == "phone" || super::headers::is_phone_header(&folded);
    let digits = cell.iter().filter(|b| b.is_ascii_digit()).count();
    named || (digits >= 8 && digits * 10 >= cell.len() * 6)
}

/// A cell of CSV text: where it ends in the text, its record's first line, its index.
struct ScannedCell {
    text: Vec<u8>,
    end: u64,
    line: u64,
    record: u64,
    field: usize,
}

/// The bytes of a cell [`CellScan`] keeps (a message shows 60 characters of it).
const CELL_KEPT: usize = 4096;

/// Cuts CSV text into cells, quotes respected, without judging them.
struct CellScan<R> {
    input: R,
    pos: u64,
    line: u64,
    record: u64,
    field: usize,
    record_line: u64,
    done: bool,
}

impl<R: io::BufRead> CellScan<R> {
    fn new(input: R) -> Self {
        CellScan {
            input,
            pos: 0,
            line: 1,
            record: 0,
            field: 0,
            record_line: 1,
            done: false,
        }
    }

    fn next_cell(&mut self) -> io::Result<Option<ScannedCell>> {
        if self.done {
            return Ok(None);
        }
        let mut text = Vec::new();
        let mut quoted = false;
        let (mut line, record, field) = (self.record_line, self.record, self.field);
        // Whether this cell has any byte but line ends: blank lines before the header are
        // no records (the readers skip them), so the header is record 0 wherever it is.
        let mut any = false;
        loop {
            let mut byte = [0u8];
            if self.input.read(&mut byte)? == 0 {
                self.done = true;
                return Ok((!text.is_empty() || field > 0).then_some(ScannedCell {
                    text,
                    end: self.pos + 1,
                    line,
                    record,
                    field,
                }));
            }
            self.pos += 1;
            let b = byte[0];
            if b == b'\n' {
                self.line += 1;
            }
            any |= !matches!(b, b'\r' | b'\n');
            match b {
                b'"' => quoted = !quoted,
                b',' if !quoted => {
                    self.field += 1;
                    break;
                }
                b'\n' if !quoted && !any && record == 0 && field == 0 => {
                    self.record_line = self.line;
                    line = self.line;
                }
                b'\n' if !quoted => {
                    self.field = 0;
                    self.record += 1;
                    self.record_line = self.line;
                    break;
                }
                b'\r' if !quoted => {}
                // A message shows the first 60 characters: a cell of a file without a
                // line end is not kept whole.
                _ if text.len() >= CELL_KEPT => {}
                _ => text.push(b),
            }
        }
        Ok(Some(ScannedCell {
            text,
            end: self.pos,
            line,
            record,
            field,
        }))
    }
}

/// For a file read as UTF-8 from its first [`SNIFF`] bytes that turned out to have bad
/// cells: the line of the first byte that is not UTF-8, and whether the file decodes as
/// GB18030 without an error. `None` when the whole file is UTF-8 after all.
pub fn late_spot(file: &File, size: u64) -> io::Result<Option<(u64, bool)>> {
    let mut utf8 = Spots::default();
    let whole = || super::chunks::Range::new(file, 0, size);
    decode_into(whole(), UTF_8, &mut io::sink(), &mut utf8)?;
    let Some(&(_, line, _)) = utf8.kept.first() else {
        return Ok(None);
    };
    let mut gb = Spots::default();
    decode_into(whole(), GB18030, &mut io::sink(), &mut gb)?;
    Ok(Some((line, gb.count == 0)))
}

/// A stream (a pipe) decoded as it is read: the first [`SNIFF`] bytes decide, as for a
/// file; bytes that do not decode later are counted, with the line of the first.
pub struct StreamText<R> {
    prefix: io::Cursor<Vec<u8>>,
    rest: R,
    decoder: Option<encoding_rs::Decoder>,
    pending: Vec<u8>,
    pending_at: usize,
    finished: bool,
    /// The encoding read in, when detected and not UTF-8.
    pub detected: Option<&'static str>,
    /// Undecodable sequences replaced, and the line of the first.
    pub malformed: u64,
    pub first_malformed_line: u64,
    lines: u64,
}

impl<R: Read> StreamText<R> {
    pub fn new(mut rest: R, want: Encoding) -> io::Result<Self> {
        let mut prefix = Vec::with_capacity(1 << 16);
        (&mut rest).take(SNIFF as u64).read_to_end(&mut prefix)?;
        let whole = prefix.len() < SNIFF;
        let (encoding, _) = choose(&prefix, whole, want);
        let detected = encoding.filter(|_| want == Encoding::Auto).map(label);
        Ok(StreamText {
            prefix: io::Cursor::new(prefix),
            rest,
            decoder: encoding.map(|e| e.new_decoder_with_bom_removal()),
            pending: Vec::new(),
            pending_at: 0,
            finished: false,
            detected,
            malformed: 0,
            first_malformed_line: 0,
            lines: 1,
        })
    }

    fn raw(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.prefix.read(buf)? {
            0 => read_some(&mut self.rest, buf),
            n => Ok(n),
        }
    }
}

impl<R: Read> Read for StreamText<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.decoder.is_none() {
            return self.raw(buf);
        }
        while self.pending_at == self.pending.len() {
            if self.finished {
                return Ok(0);
            }
            let mut inbuf = vec![0u8; 1 << 16];
            let n = self.raw(&mut inbuf)?;
            let last = n == 0;
            self.finished = last;
            self.pending.clear();
            self.pending_at = 0;
            let decoder = self.decoder.as_mut().expect("checked");
            let mut src = &inbuf[..n];
            let mut out = vec![0u8; 3 * n + 16];
            loop {
                let (result, read, wrote) =
                    decoder.decode_to_utf8_without_replacement(src, &mut out, last);
                let text = &out[..wrote];
                let breaks = memchr::memchr_iter(b'\n', text).count() as u64;
                self.pending.extend_from_slice(text);
                match result {
                    DecoderResult::InputEmpty => {
                        self.lines += breaks;
                        break;
                    }
                    DecoderResult::OutputFull => {
                        self.lines += breaks;
                        src = &src[read..];
                    }
                    DecoderResult::Malformed(..) => {
                        self.lines += breaks;
                        if self.malformed == 0 {
                            self.first_malformed_line = self.lines;
                        }
                        self.malformed += 1;
                        self.pending.extend_from_slice("\u{FFFD}".as_bytes());
                        src = &src[read..];
                    }
                }
            }
        }
        let n = (self.pending.len() - self.pending_at).min(buf.len());
        buf[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
        self.pending_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    fn decoded(bytes: &[u8], want: Encoding) -> (Vec<u8>, Option<&'static str>, Vec<String>) {
        let f = file_with(bytes);
        let d = decode_file(&f, bytes.len() as u64, "c.csv", want).unwrap();
        let text = match d.text {
            Text::AsIs => bytes.to_vec(),
            Text::Memory(v) => v,
            Text::Temp(_) => unreachable!("small"),
        };
        let problems = d.problems.iter().map(|p| p.to_string()).collect();
        (text, d.detected, problems)
    }

    const SAMPLE: &str = "customer_id,name,owner\nC1,张伟,陈静\nC2,\"李, 娜\",王磊\n";

    #[test]
    fn utf8_is_read_as_it_is() {
        let (text, detected, problems) = decoded(SAMPLE.as_bytes(), Encoding::Auto);
        assert_eq!(text, SAMPLE.as_bytes());
        assert_eq!(detected, None);
        assert!(problems.is_empty());
    }

    #[test]
    fn gb18030_is_detected_and_utf16_goes_by_its_bom() {
        let (gbk, _, _) = GB18030.encode(SAMPLE);
        let (text, detected, problems) = decoded(&gbk, Encoding::Auto);
        assert_eq!(String::from_utf8(text).unwrap(), SAMPLE);
        assert_eq!(detected, Some("GB18030 (GBK)"));
        assert!(problems.is_empty());

        let mut le = vec![0xFF, 0xFE];
        le.extend(SAMPLE.encode_utf16().flat_map(u16::to_le_bytes));
        let (text, detected, _) = decoded(&le, Encoding::Auto);
        assert_eq!(String::from_utf8(text).unwrap(), SAMPLE);
        assert_eq!(detected, Some("UTF-16"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(SAMPLE.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(
            decoded(&be, Encoding::Utf8).0,
            SAMPLE.as_bytes(),
            "a BOM wins"
        );

        let bare: Vec<u8> = SAMPLE.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (text, detected, _) = decoded(&bare, Encoding::Utf16);
        assert_eq!(String::from_utf8(text).unwrap(), SAMPLE);
        assert_eq!(detected, None, "given, not detected: no note");
    }

    #[test]
    fn utf16_without_a_bom_is_told_by_its_zero_bytes() {
        let le: Vec<u8> = SAMPLE.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = SAMPLE.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, encoding) in [(&le, UTF_16LE), (&be, UTF_16BE)] {
            assert_eq!(bare_utf16(bytes), Some(encoding));
            let (text, detected, problems) = decoded(bytes, Encoding::Auto);
            assert_eq!(String::from_utf8(text).unwrap(), SAMPLE);
            assert_eq!(detected, Some("UTF-16"));
            assert!(problems.is_empty());
        }
        // A Chinese header with a character whose low byte is zero (一) is still one side.
        let han: Vec<u8> = "一号,金额\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(bare_utf16(&han), Some(UTF_16LE));
        // UTF-8 and GB18030 have no zero bytes; a stray one is no UTF-16.
        assert_eq!(bare_utf16(SAMPLE.as_bytes()), None);
        assert_eq!(bare_utf16(&GB18030.encode(SAMPLE).0), None);
        assert_eq!(bare_utf16(b"a,b\n\0c,d\n"), None);
        assert_eq!(bare_utf16(b""), None);
    }

    #[test]
    fn a_byte_in_neither_encoding_is_located() {
        let mut gbk = GB18030.encode(SAMPLE).0.into_owned();
        // "王磊" on line 3 loses its last byte's partner: 0xC0 then a line end.
        let at = gbk.len() - 2;
        gbk[at] = 0xFF;
        let (text, _, problems) = decoded(&gbk, Encoding::Auto);
        assert!(String::from_utf8(text).is_ok());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "c.csv:3: owner: \"王\u{FFFD}\": bytes 0xC0 0xFF not GB18030 (GBK) text; read as UTF-8 the file breaks in more places"
            ),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn the_header_names_the_column_after_blank_lines_or_a_line_break_in_it() {
        // The header is the first record, wherever it starts: blank lines before it
        // (the readers skip them), or a cell of its own across a line break.
        for (file, line) in [
            (&b"\n\r\nid,name,owner\nC1,Ann,\xFF\n"[..], 4),
            (b"id,\"full\nname\",owner\nC1,Ann,\xFF\n", 3),
        ] {
            let (_, _, problems) = decoded(file, Encoding::Gb18030);
            assert_eq!(problems.len(), 1);
            let at = format!("c.csv:{line}: owner:");
            assert!(problems[0].starts_with(&at), "{}", problems[0]);
        }
    }

    #[test]
    fn a_bad_byte_in_a_phone_is_shown_masked() {
        // A phone column by its name (any usual one) whatever its digits; another column
        // when its cell is mostly digits, eight or more; not a long text with a number in it.
        let file = b"id,\xCA\xD6\xBB\xFA,note\n\
                     C1,138\xFF,x\n\
                     C2,1,13812345678\xFF\n\
                     C3,1,order 13812345678 for Ann at noon\xFF\n\
                     C4,1,1234567\xFF\n";
        let (_, _, problems) = decoded(file, Encoding::Gb18030);
        let cell = |line: usize| {
            let p = problems
                .iter()
                .find(|p| p.starts_with(&format!("c.csv:{line}:")));
            p.expect("a problem on the line")
                .split('"')
                .nth(1)
                .unwrap()
                .to_string()
        };
        assert_eq!(cell(2), "***\u{FFFD}", "{problems:?}");
        assert!(cell(3).starts_with("138****5678"), "{problems:?}");
        assert_eq!(cell(4), "order 13812345678 for Ann at noon\u{FFFD}");
        assert_eq!(cell(5), "1234567\u{FFFD}", "seven digits are no phone");
    }

    #[test]
    fn past_200_bad_bytes_the_rest_are_counted() {
        let mut bytes = b"id,name\n".to_vec();
        for i in 0..203 {
            bytes.extend(format!("C{i},").as_bytes());
            bytes.extend(b"\xFF\n");
        }
        let (_, _, problems) = decoded(&bytes, Encoding::Gb18030);
        // 200 located (lines 2 to 201), then one count of the rest.
        assert_eq!(problems.len(), 201);
        assert!(problems.iter().any(|p| p.starts_with("c.csv:201: name:")));
        assert!(!problems.iter().any(|p| p.starts_with("c.csv:202:")));
        let counted: Vec<_> = problems
            .iter()
            .filter(|p| p.contains("more bytes"))
            .collect();
        assert_eq!(counted.len(), 1);
        assert!(
            counted[0].ends_with("... and 3 more bytes like these"),
            "{}",
            counted[0]
        );
        let (_, _, problems) = decoded(&bytes[..bytes.len() - 3 * 7], Encoding::Gb18030);
        assert_eq!(problems.len(), 200, "exactly 200: no count");
    }

    #[test]
    fn a_forced_encoding_is_obeyed_and_its_breaks_located() {
        let (text, _, problems) = decoded(b"id,name\nC1,\xFF\n", Encoding::Gb18030);
        assert_eq!(text, "id,name\nC1,\u{FFFD}\n".as_bytes());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("c.csv:2: name:"), "{}", problems[0]);
    }

    #[test]
    fn streams_decide_on_their_start() {
        let (gbk, _, _) = GB18030.encode(SAMPLE);
        let mut s = StreamText::new(&gbk[..], Encoding::Auto).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert_eq!(out, SAMPLE);
        assert_eq!(s.detected, Some("GB18030 (GBK)"));
        let mut s = StreamText::new(SAMPLE.as_bytes(), Encoding::Auto).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert_eq!(out, SAMPLE);
        assert_eq!(s.detected, None);
    }

    proptest::proptest! {
        /// Any bytes: no panic, the text is UTF-8, and a break is a located problem.
        #[test]
        fn any_bytes_decode_to_utf8_text_or_located_problems(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            want in proptest::sample::select(vec![Encoding::Auto, Encoding::Utf8, Encoding::Gb18030, Encoding::Utf16]),
        ) {
            let f = file_with(&bytes);
            let d = decode_file(&f, bytes.len() as u64, "x.csv", want).unwrap();
            match &d.text {
                Text::AsIs => {}
                Text::Memory(v) => proptest::prop_assert!(std::str::from_utf8(v).is_ok()),
                Text::Temp(_) => proptest::prop_assert!(false, "small input in memory"),
            }
            for p in d.problems.iter() {
                proptest::prop_assert!(p.line >= 1 || p.expected.starts_with("... and"));
            }
            let mut s = StreamText::new(&bytes[..], want).unwrap();
            let mut out = Vec::new();
            s.read_to_end(&mut out).unwrap();
            let _ = decode_all(&bytes, want);
        }
    }

    #[test]
    fn decoding_in_parts_is_decoding_whole() {
        // Parts of 2 MiB: this input makes three, lines cut anywhere, two bad bytes. A
        // character of two or three bytes before every line feed: a part that started a
        // byte off the line feed would cut it.
        let mut text = String::new();
        for i in 0..200_000 {
            let name = if i % 1000 == 0 { "张伟" } else { "Wei" };
            text.push_str(&format!("O{i},C{},{name}{i},\"a娜\nb\",伟\n", i % 97));
        }
        for encoding in [GB18030, UTF_8] {
            let mut bytes = encoding.encode(&text).0.into_owned();
            let n = bytes.len();
            bytes[n / 2] = 0xFF;
            bytes[n - 3] = 0xFF;
            let (mut whole, mut parted) = (Vec::new(), Vec::new());
            let (mut a, mut b) = (Spots::default(), Spots::default());
            let f = file_with(&bytes);
            decode_into(&bytes[..], encoding, &mut whole, &mut a).unwrap();
            decode_in_parts(&f, bytes.len() as u64, encoding, &mut parted, &mut b).unwrap();
            assert!(whole == parted, "{}", encoding.name());
            assert_eq!(a.count, b.count);
            assert!(a.count >= 2, "{}", encoding.name());
            assert_eq!(a.kept, b.kept);
        }
    }

    #[test]
    fn a_bad_byte_on_every_line_of_a_big_file_decodes_in_parts_as_whole() {
        // 5 MiB, 276,000 bad bytes: each is a spot of its own, and the part's room is not
        // made again for each (that took hours).
        let mut bytes = Vec::new();
        while bytes.len() < 5 << 20 {
            bytes.extend_from_slice(b"C1,Wei\xFF,2026-11-01\n");
        }
        let (mut whole, mut parted) = (Vec::new(), Vec::new());
        let (mut a, mut b) = (Spots::default(), Spots::default());
        decode_into(&bytes[..], UTF_8, &mut whole, &mut a).unwrap();
        let f = file_with(&bytes);
        decode_in_parts(&f, bytes.len() as u64, UTF_8, &mut parted, &mut b).unwrap();
        assert!(whole == parted);
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!((a.count, b.count), (lines, lines));
        assert_eq!(a.kept, b.kept);
    }

    #[test]
    fn a_file_past_the_in_memory_size_decodes_as_a_small_one_in_every_encoding() {
        // Over 16 MiB the text goes to a temporary file. UTF-16 is decoded in one stream,
        // not in parts as GB18030 is (decoding_in_parts_is_decoding_whole): a line feed's
        // byte, 0x0A, is half of a UTF-16 unit, and a part cut after it would split every
        // character after it.
        let mut text = String::new();
        while (text.len() as u64) < IN_MEMORY * 7 / 10 {
            text.push_str("C1,张伟,Wei\nC22,李娜,\"a\nb\"\n");
        }
        for encoding in [UTF_16LE, UTF_16BE] {
            let bytes: Vec<u8> = match encoding {
                e if e == UTF_16LE => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                _ => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            };
            let size = bytes.len() as u64;
            assert!(size > IN_MEMORY, "{}", encoding.name());
            let (decoded, spots) = transcode(&file_with(&bytes), encoding, size).unwrap();
            let Text::Temp(mut copy) = decoded else {
                panic!("{}: not in a temporary file", encoding.name())
            };
            let mut got = Vec::new();
            io::Seek::seek(&mut copy, io::SeekFrom::Start(0)).unwrap();
            io::Read::read_to_end(&mut copy, &mut got).unwrap();
            assert!(got == text.as_bytes(), "{}", encoding.name());
            assert_eq!(spots.count, 0);
        }
    }

    #[test]
    fn a_file_without_line_feeds_is_cut_between_characters() {
        // 7 MiB of one line (CR-only line ends, or none): the parts are cut after a
        // comma or a carriage return, never inside a character, and stay small.
        let mut text = String::new();
        while text.len() < 7 << 20 {
            text.push_str("张伟,Wei王磊\r李娜,");
        }
        let bytes = GB18030.encode(&text).0.into_owned();
        let f = file_with(&bytes);
        let size = bytes.len() as u64;
        let starts: Vec<u64> = (0..=size.div_ceil(PART as u64) as usize)
            .map(|i| part_start(&f, size, i).unwrap())
            .collect();
        for (i, pair) in starts.windows(2).enumerate() {
            assert!(pair[0] <= pair[1], "{starts:?}");
            assert!(pair[1] - pair[0] <= 2 * PART as u64, "part {i}: {starts:?}");
            assert!(
                matches!(bytes[pair[1] as usize - 1], b',' | b'\r'),
                "part {i}"
            );
        }
        let (mut whole, mut parted) = (Vec::new(), Vec::new());
        let (mut a, mut b) = (Spots::default(), Spots::default());
        decode_into(&bytes[..], GB18030, &mut whole, &mut a).unwrap();
        decode_in_parts(&f, size, GB18030, &mut parted, &mut b).unwrap();
        assert!(whole == parted);
        assert_eq!((a.count, b.count), (0, 0));
    }

    #[test]
    fn a_late_bad_byte_is_traced() {
        let mut bytes = b"id,name\n".to_vec();
        bytes.extend(b"C1,ok\n");
        bytes.extend(GB18030.encode("C2,张伟\n").0.iter());
        let f = file_with(&bytes);
        assert_eq!(late_spot(&f, bytes.len() as u64).unwrap(), Some((3, true)));
        let f = file_with(SAMPLE.as_bytes());
        assert_eq!(late_spot(&f, SAMPLE.len() as u64).unwrap(), None);
    }
}
