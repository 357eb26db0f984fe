//! How large a grid calamine would build for each sheet of an `.xls` or `.ods` workbook,
//! found before it builds one. calamine reads these whole when the workbook is opened,
//! every sheet into a dense grid of cells from the first row holding a value to the last
//! (a 5 KB `.ods` with a cell at A1 and one at XFD6000 asked for 98 million cells, 5 GB;
//! calamine refuses only past 100 million, and `.xls` not at all). So the cells are first
//! scanned here, with nothing kept but where they are, and a sheet whose grid its cells
//! do not justify is an error naming its furthest cell (docs/rules.md §4.3).

use std::io::Read;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::sheet::{cell_name, MAX_COLUMNS, MAX_ROWS};

/// A grid of up to this many cells is read whatever it holds: 2,097,152 cells, such as
/// 65,536 rows of 32 columns (64 MiB of calamine's cells).
pub const FREE_GRID: u64 = 1 << 21;

/// A larger grid needs a cell holding a value for every [`SPARSE`] cells of it...
pub const SPARSE: u64 = 4;

/// ... and is never larger than this: 16,777,216 cells, the whole grid of an `.xls` sheet
/// (65,536 rows × 256 columns), or 1,048,576 rows of 16 columns.
pub const MAX_GRID: u64 = 1 << 24;

/// Where the cells holding a value are in one sheet.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Extent {
    /// The first and last row holding a value, and the last column (0-based).
    rows: Option<(u32, u32)>,
    last_col: u32,
    /// The cell furthest right of the last row, for the message.
    furthest: (u32, u32),
    /// Cells holding a value.
    cells: u64,
}

impl Extent {
    /// Notes `rows × cols` cells holding a value from (`row`, `col`) on.
    fn add(&mut self, row: u32, col: u32, rows: u32, cols: u32) {
        let (last_row, last_col) = (row + rows.max(1) - 1, col + cols.max(1) - 1);
        self.rows = Some(match self.rows {
            Some((first, last)) => (first.min(row), last.max(last_row)),
            None => (row, last_row),
        });
        self.last_col = self.last_col.max(last_col);
        if (last_row, last_col) >= self.furthest {
            self.furthest = (last_row, last_col);
        }
        self.cells = self
            .cells
            .saturating_add(u64::from(rows.max(1)) * u64::from(cols.max(1)));
    }

    /// The cells of the grid: its rows, by the columns from A to the last.
    fn grid(&self) -> u64 {
        match self.rows {
            Some((first, last)) => u64::from(last - first + 1) * (u64::from(self.last_col) + 1),
            None => 0,
        }
    }

    /// The grid this many cells holding a value may span.
    fn allowed(&self) -> u64 {
        FREE_GRID
            .max(self.cells.saturating_mul(SPARSE))
            .min(MAX_GRID)
    }

    /// `Err` when the grid is larger than its cells allow.
    fn check(&self, sheet: &str, kind: &str) -> Result<(), String> {
        let (grid, allowed) = (self.grid(), self.allowed());
        if grid <= allowed {
            return Ok(());
        }
        let (first, _) = self.rows.unwrap_or_default();
        Err(format!(
            "sheet {sheet:?}: its cells span rows {} to {} and columns A to {}, a grid of \
             {grid} cells for the {} that hold a value, and an {kind} sheet is read whole, \
             as such a grid (at most {allowed} cells here); expected the cells together \
             (the furthest is {}: clear what is far from the rest), or save the sheet as \
             .xlsx or CSV, which are read by the cells they hold",
            first + 1,
            self.furthest.0 + 1,
            column_letters(self.last_col),
            self.cells,
            cell_name(self.furthest.0, self.furthest.1),
        ))
    }
}

/// `XFD` for column 16,383 (0-based).
fn column_letters(col: u32) -> String {
    let name = cell_name(0, col);
    name.trim_end_matches('1').to_string()
}

/// Checks every sheet of an `.ods` workbook before calamine reads it: each cell's place
/// (past XFD1048576 is an error naming it, as in `.xlsx`), each grid, and each run of
/// spaces (`<text:s text:c="…"/>`, which calamine writes out) against a cell's 32,767
/// characters.
pub(super) fn check_ods(file: &Path) -> Result<(), String> {
    let unreadable = |e: String| format!("cannot read it as a workbook: {e}");
    let zip = std::fs::File::open(file)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
        .map_err(unreadable);
    let mut zip = zip?;
    let content = zip
        .by_name("content.xml")
        .map_err(|e| unreadable(e.to_string()))?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    // As lenient as calamine's reader of the same file.
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    // The sheet being read: its name, its extent, the row and column reached.
    let mut sheet: Option<(String, Extent)> = None;
    let (mut row, mut col, mut row_repeats) = (0u32, 0u32, 1u32);
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| unreadable(e.to_string()))?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.name().as_ref() {
                "table:table" if !empty => {
                    let name = attr(e, "table:name").unwrap_or_default();
                    sheet = Some((name, Extent::default()));
                    row = 0;
                }
                "table:table-row" => {
                    row_repeats = number(e, "table:number-rows-repeated")?;
                    col = 0;
                    if empty {
                        row = row.saturating_add(row_repeats);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let cols = number(e, "table:number-columns-repeated")?;
                    if let Some((name, extent)) = &mut sheet {
                        if holds_value(e) {
                            let (last_row, last_col) = (
                                u64::from(row) + u64::from(row_repeats) - 1,
                                u64::from(col) + u64::from(cols) - 1,
                            );
                            if last_row >= u64::from(MAX_ROWS) || last_col >= u64::from(MAX_COLUMNS)
                            {
                                return Err(format!(
                                    "sheet {name:?}: a cell at {}, past the last cell a sheet \
                                     can have (XFD1048576: {MAX_ROWS} rows, {MAX_COLUMNS} \
                                     columns)",
                                    cell_name(
                                        last_row.min(u64::from(u32::MAX)) as u32,
                                        last_col.min(u64::from(u32::MAX)) as u32
                                    )
                                ));
                            }
                            extent.add(row, col, row_repeats, cols);
                        }
                    }
                    col = col.saturating_add(cols);
                }
                "text:s" => {
                    let spaces = number(e, "text:c")?;
                    if spaces > 32_767 {
                        let (name, _) = sheet.clone().unwrap_or_default();
                        return Err(format!(
                            "sheet {name:?}: a cell at {} holds a run of {spaces} spaces, more \
                             than a cell can hold (32,767 characters)",
                            cell_name(row, col)
                        ));
                    }
                }
                _ => {}
            }
        }
        match &event {
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(row_repeats);
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some((name, extent)) = sheet.take() {
                    extent.check(&name, ".ods")?;
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Whether an `.ods` cell holds something calamine keeps: a value, a string, a formula.
fn holds_value(e: &BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        matches!(
            a.key.as_ref(),
            "office:value"
                | "office:string-value"
                | "office:date-value"
                | "office:time-value"
                | "office:boolean-value"
                | "table:formula"
        ) || (a.key.as_ref() == "office:value-type" && a.value == "string")
    })
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    let a = e.attributes().flatten().find(|a| a.key.as_ref() == key)?;
    Some(a.value.into_owned())
}

/// A count attribute (1 when absent), as calamine reads it.
fn number(e: &BytesStart<'_>, key: &str) -> Result<u32, String> {
    match attr(e, key) {
        None => Ok(1),
        Some(v) => {
            v.trim().parse::<u32>().map(|n| n.max(1)).map_err(|_| {
                format!("cannot read it as a workbook: {key} = {v:?}, expected a count")
            })
        }
    }
}

/// The last cell an `.xls` sheet can have: IV65536 (65,536 rows, 256 columns).
const XLS_COLUMNS: u32 = 256;

/// Checks every sheet of an `.xls` workbook before calamine reads it: each cell's place
/// (past IV65536 is an error naming it), each grid, and each sheet's declared dimensions
/// (calamine reserves room for them).
pub(super) fn check_xls(file: &Path) -> Result<(), String> {
    let unreadable = |e: std::io::Error| format!("cannot read it as a workbook: {e}");
    let mut book = cfb::open(file).map_err(unreadable)?;
    let name = match book.exists("/Workbook") {
        true => "/Workbook",
        false => "/Book",
    };
    let mut stream = Vec::new();
    book.open_stream(name)
        .and_then(|mut s| s.read_to_end(&mut stream))
        .map_err(unreadable)?;
    // The sheets' names and where each starts, from the workbook's own records (BIFF8
    // names in UTF-16 or Latin-1; older ones read as Latin-1, for messages only).
    let mut sheets = Vec::new();
    let mut biff8 = false;
    for (typ, data) in records(&stream) {
        match typ {
            0x0809 if data.len() >= 2 => biff8 = u16::from_le_bytes([data[0], data[1]]) == 0x0600,
            0x0085 if data.len() >= 8 => {
                let pos = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
                sheets.push((pos, short_string(&data[6..], biff8)));
            }
            0x000A => break,
            _ => {}
        }
    }
    for (pos, name) in sheets {
        let Some(at) = stream.get(pos..) else {
            continue;
        };
        let mut extent = Extent::default();
        let mut depth = 0usize;
        for (typ, data) in records(at) {
            let cell = |data: &[u8]| {
                let word = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
                (data.len() >= 4).then(|| (word(0), word(2)))
            };
            let (row, col, cols) = match (typ, depth) {
                (0x0809, _) => {
                    depth += 1;
                    continue;
                }
                (0x000A, 1) => break,
                (0x000A, _) => {
                    depth = depth.saturating_sub(1);
                    continue;
                }
                (_, d) if d != 1 => continue,
                (0x0200, _) => {
                    check_dimensions(&name, data)?;
                    continue;
                }
                // Number, Label, RString, BoolErr, RK, LabelSst, Formula.
                (0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006, _) => {
                    match cell(data) {
                        Some((row, col)) => (row, col, 1),
                        None => continue,
                    }
                }
                // MulRk: a row's run of cells, 6 bytes each.
                (0x00BD, _) if data.len() >= 6 => match cell(data) {
                    Some((row, col)) => (row, col, ((data.len() - 6) / 6) as u32),
                    None => continue,
                },
                _ => continue,
            };
            let last = col + cols.max(1) - 1;
            if last >= XLS_COLUMNS {
                return Err(format!(
                    "sheet {name:?}: a cell at {}, past the last cell an .xls sheet can have \
                     (IV65536: 65,536 rows, {XLS_COLUMNS} columns)",
                    cell_name(row, last)
                ));
            }
            extent.add(row, col, 1, cols);
        }
        extent.check(&name, ".xls")?;
    }
    Ok(())
}

/// A sheet's Dimensions record: calamine reserves room for the cells it declares, so a
/// declaration past the grid of a sheet, or upside down, is refused.
fn check_dimensions(sheet: &str, data: &[u8]) -> Result<(), String> {
    let u16_at = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let (first_row, end_row, end_col) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(10)),
        _ => return Ok(()),
    };
    let rows = u64::from(end_row.saturating_sub(first_row).max(1));
    let cols = u64::from(end_col.max(1));
    if (end_row >= 1 && first_row >= end_row) || rows * cols > MAX_GRID {
        return Err(format!(
            "sheet {sheet:?}: it declares its cells as rows {} to {end_row} and columns up to \
             {end_col}, which no .xls sheet holds (at most 65,536 rows of {XLS_COLUMNS} \
             columns); expected a workbook as Excel saves it: save it again, or as .xlsx or CSV",
            first_row + 1
        ));
    }
    Ok(())
}

/// The BIFF records of a stream: (type, data), up to the first that does not fit.
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let head = stream.get(..4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some((typ, data))
    })
}

/// A sheet name as BoundSheet8 holds it.
fn short_string(data: &[u8], biff8: bool) -> String {
    let Some((&len, rest)) = data.split_first() else {
        return String::new();
    };
    let len = usize::from(len);
    match (biff8, rest.split_first()) {
        (true, Some((&flags, chars))) if flags & 1 == 1 => {
            let units: Vec<u16> = chars
                .chunks_exact(2)
                .take(len)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        (true, Some((_, chars))) => chars.iter().take(len).map(|&b| char::from(b)).collect(),
        _ => rest.iter().take(len).map(|&b| char::from(b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_is_read_when_small_or_dense_enough() {
        let mut e = Extent::default();
        e.add(0, 0, 1, 1);
        assert_eq!(e.check("s", ".ods"), Ok(()));
        e.add(65_535, 31, 1, 1);
        assert_eq!(e.grid(), FREE_GRID);
        assert_eq!(e.check("s", ".ods"), Ok(()), "within the free grid");
        e.add(MAX_ROWS - 1, MAX_COLUMNS - 1, 1, 1);
        let err = e.check("s", ".ods").unwrap_err();
        assert!(err.contains("the furthest is XFD1048576"), "{err}");
        assert!(err.contains("columns A to XFD"), "{err}");
        // A full 1,048,576-row sheet of 12 columns: dense, read.
        let mut full = Extent::default();
        full.add(0, 0, MAX_ROWS, 12);
        assert_eq!(full.check("s", ".ods"), Ok(()));
        // Repeated cells are cells, but the grid is bounded whatever they are.
        let mut repeated = Extent::default();
        repeated.add(0, 0, MAX_ROWS, MAX_COLUMNS);
        assert!(repeated.check("s", ".ods").is_err());
    }

    #[test]
    fn records_stop_at_the_first_that_does_not_fit() {
        let stream = [0x09, 0x08, 2, 0, 0, 6, 0x0A, 0, 9, 0, 1];
        let got: Vec<_> = records(&stream).collect();
        assert_eq!(got, [(0x0809, &[0u8, 6][..])]);
    }

    #[test]
    fn sheet_names_in_both_spellings() {
        assert_eq!(short_string(&[2, 0, b'a', b'b'], true), "ab");
        assert_eq!(short_string(&[1, 1, 0xA2, 0x5B], true), "客");
        assert_eq!(short_string(&[2, b'x', b'y'], false), "xy");
    }
}
