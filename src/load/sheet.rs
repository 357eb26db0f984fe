//! Spreadsheet inputs: the first sheet of a workbook (`.xlsx`, `.xlsm`, `.xlsb`, Excel
//! 97–2003 `.xls`, OpenDocument `.ods`), or `file.xlsx#Sheet`, turned
//! into CSV so it goes through the same row checks and messages as a CSV file. Cells keep
//! what the sheet shows: text as text (`007` stays `007`), whole numbers without `.0`,
//! dates as `YYYY-MM-DD` (with `HH:MM` when they carry a time), TRUE/FALSE as true/false.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader};

/// A spreadsheet input: the workbook and the sheet asked for (the first when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPath {
    pub file: PathBuf,
    pub sheet: Option<String>,
}

impl SheetPath {
    /// The file name endings read as workbooks (calamine reads them all).
    pub const EXTENSIONS: &[&str] = &[".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"];

    /// `Some` when `path` names a workbook, with `#Sheet` or not.
    pub fn of(path: &Path) -> Option<SheetPath> {
        let text = path.to_str()?;
        let is_xlsx = |p: &str| {
            let p = p.to_ascii_lowercase();
            Self::EXTENSIONS.iter().any(|e| p.ends_with(e))
        };
        if is_xlsx(text) {
            return Some(SheetPath {
                file: path.to_path_buf(),
                sheet: None,
            });
        }
        let (file, sheet) = text.rsplit_once('#')?;
        (is_xlsx(file) && !sheet.is_empty()).then(|| SheetPath {
            file: PathBuf::from(file),
            sheet: Some(sheet.to_string()),
        })
    }
}

/// The cells holding a value of the sheet `at` of a workbook of type `$book` (`Xlsx`,
/// `Xlsb`, whose cell readers are alike but share no trait), read cell by cell.
macro_rules! streamed_cells {
    ($book:ident, $error:ident, $at:expr) => {{
        let mut book: calamine::$book<_> = open_workbook(&$at.file)
            .map_err(|e: calamine::$error| format!("cannot read it as a workbook: {e}"))?;
        let name = sheet_name(book.sheet_names(), $at)?;
        let mut reader = book
            .worksheet_cells_reader(&name)
            .map_err(|e| format!("sheet {name:?}: {e}"))?;
        kept_cells(&name, || {
            let cell = reader.next_cell().map_err(|e| e.to_string())?;
            Ok(cell.map(|c| (c.get_position(), Data::from(c.get_value().clone()))))
        })?
    }};
}

/// The sheet as CSV bytes. Errors say what is wrong in words (no such sheet, not a
/// workbook).
///
/// The cells of an `.xlsx` or `.xlsb` are streamed and only those holding a value are
/// kept (an `.xls` or `.ods` is read whole, its grid bounded first): a sheet is as large
/// as what is in it, never as its declared or bounding dimensions (a 5 KB file whose
/// one cell is XFD1048576 spans 17 billion cells). Each sheet row becomes one CSV line,
/// so line numbers are sheet rows; a row without values is `""`, which every reader
/// skips as blank.
pub fn sheet_to_csv(at: &SheetPath) -> Result<Vec<u8>, String> {
    let lower = at.file.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".xls") || lower.ends_with(".ods") {
        return legacy_sheet_to_csv(at, lower.ends_with(".ods"));
    }
    // Zip containers: a bomb is refused before it is unpacked.
    refuse_bombs(&at.file)?;
    let cells = match lower.ends_with(".xlsb") {
        true => streamed_cells!(Xlsb, XlsbError, at),
        false => streamed_cells!(Xlsx, XlsxError, at),
    };
    cells_to_csv(cells)
}

/// The cells holding a value, as `next` streams them ((row, column), value).
fn kept_cells(
    name: &str,
    mut next: impl FnMut() -> Result<Option<((u32, u32), Data)>, String>,
) -> Result<Vec<(u32, u32, Data)>, String> {
    let mut cells = Vec::new();
    while let Some(((row, col), value)) = next().map_err(|e| format!("sheet {name:?}: {e}"))? {
        if value == Data::Empty {
            continue;
        }
        // A cell past XFD1048576 is no cell a spreadsheet can hold; read, it would be
        // billions of blank lines or cells (a 2 KB file aborted).
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(format!(
                "sheet {name:?}: a cell at {}, past the last cell a sheet can have \
                 (XFD1048576: {MAX_ROWS} rows, {MAX_COLUMNS} columns)",
                cell_name(row, col)
            ));
        }
        cells.push((row, col, value));
    }
    Ok(cells)
}

/// The sheet asked for, or the first.
fn sheet_name(names: Vec<String>, at: &SheetPath) -> Result<String, String> {
    match &at.sheet {
        Some(s) if names.contains(s) => Ok(s.clone()),
        Some(s) => Err(format!(
            "no sheet {s:?}; the workbook has {}",
            names.join(", ")
        )),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no sheet".to_string()),
    }
}

/// An Excel 97–2003 (`.xls`) or OpenDocument (`.ods`) workbook's sheet. calamine reads
/// these whole, every sheet into a dense grid, when the workbook is opened: each sheet's
/// grid is checked first ([`super::grid`]), then the cells holding a value go on as for
/// `.xlsx`.
fn legacy_sheet_to_csv(at: &SheetPath, ods: bool) -> Result<Vec<u8>, String> {
    if ods {
        // A zip container, as .xlsx is: a bomb is refused before it is unpacked.
        refuse_bombs(&at.file)?;
        super::grid::check_ods(&at.file)?;
    } else {
        super::grid::check_xls(&at.file)?;
    }
    let mut book = calamine::open_workbook_auto(&at.file)
        .map_err(|e| format!("cannot read it as a workbook: {e}"))?;
    let name = sheet_name(book.sheet_names(), at)?;
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format!("sheet {name:?}: {e}"))?;
    let cells = range
        .used_cells()
        .filter(|(_, _, v)| **v != Data::Empty)
        .map(|(r, c, v)| {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            (r as u32 + r0, c as u32 + c0, v.clone())
        })
        .collect();
    cells_to_csv(cells)
}

/// The rows and the columns a sheet can have (Excel and WPS alike).
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_COLUMNS: u32 = 16_384;

/// What the parts of a workbook may unpack to, together: 1 GiB. The largest sheet a
/// spreadsheet can hold of real orders (1,048,576 rows of a dozen short cells) is a few
/// hundred MiB of XML; a zip bomb of a few MB unpacks to gigabytes, which the sheet
/// reader would hold in memory (the shared strings all at once).
pub const MAX_UNPACKED: u64 = 1 << 30;

/// Refuses a workbook whose parts unpack to more than [`MAX_UNPACKED`], by the sizes its
/// central directory declares (the zip reader fails a part that grows past its declared
/// size, so the declaration bounds what is read).
fn refuse_bombs(file: &Path) -> Result<(), String> {
    let mut zip = std::fs::File::open(file)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
        .map_err(|e| format!("cannot read it as a workbook: {e}"))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let size = zip
            .by_index_raw(i)
            .map(|part| part.size())
            .map_err(|e| format!("cannot read it as a workbook: {e}"))?;
        total = total.saturating_add(size);
    }
    if total > MAX_UNPACKED {
        return Err(format!(
            "the workbook unpacks to {} MiB, more than a sheet can hold (at most {} MiB); \
             save the sheet as CSV, or split it",
            total >> 20,
            MAX_UNPACKED >> 20
        ));
    }
    Ok(())
}

/// `XFD1048576` for the 0-based cell (row, column).
pub(super) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

/// Cells (row, column, value), in any order, as CSV lines from the sheet's first row to
/// the last that holds a value.
/// A cell right of the header row's last column (a note beside the table) is left out:
/// no column is named for it, and in CSV a row wider than its header is a problem
/// (docs/rules.md §4.3), which a sheet's cells, never shifted by a comma, are not.
fn cells_to_csv(mut cells: Vec<(u32, u32, Data)>) -> Result<Vec<u8>, String> {
    cells.sort_by_key(|&(row, col, _)| (row, col));
    let mut out = Vec::new();
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(&mut out);
    let mut next_row = 0u32;
    let mut line: Vec<String> = Vec::new();
    let mut at = 0;
    // The header row's width: the first row's last cell (every row from then on is cut to it).
    let mut width: Option<usize> = None;
    while at < cells.len() {
        let row = cells[at].0;
        for _ in next_row..row {
            w.write_record([""]).map_err(|e| e.to_string())?;
        }
        line.clear();
        while at < cells.len() && cells[at].0 == row {
            let (_, col, value) = &cells[at];
            let col = *col as usize;
            if width.is_some_and(|w| col >= w) {
                at += 1;
                continue;
            }
            if line.len() <= col {
                line.resize(col + 1, String::new());
            }
            line[col] = cell_text(value);
            at += 1;
        }
        width.get_or_insert(line.len());
        if line.is_empty() {
            // Every cell of the row was right of the header: a blank row.
            line.push(String::new());
        }
        w.write_record(&line).map_err(|e| e.to_string())?;
        next_row = row + 1;
    }
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    Ok(out)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // A double shown with the fewest digits that read back as it: 1234.56, not
        // 1234.5599999999999.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        // Always with its time, midnight too: a date column reads `2026-11-21 00:00` as
        // its day, and a date-time column (a complaint opened at 00:00) needs the time.
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => format!("{}", d.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_paths() {
        assert_eq!(SheetPath::of(Path::new("a/orders.csv")), None);
        assert_eq!(
            SheetPath::of(Path::new("a/t.XLSX")),
            Some(SheetPath {
                file: "a/t.XLSX".into(),
                sheet: None
            })
        );
        assert_eq!(
            SheetPath::of(Path::new("a/t.xlsx#十一月")),
            Some(SheetPath {
                file: "a/t.xlsx".into(),
                sheet: Some("十一月".into())
            })
        );
        assert_eq!(SheetPath::of(Path::new("a/t.csv#x")), None);
        for legacy in ["a/t.xls", "a/t.ODS", "a/t.xlsm"] {
            assert!(SheetPath::of(Path::new(legacy)).is_some(), "{legacy}");
        }
    }

    #[test]
    fn cells_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1, 25), "Z2");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(MAX_ROWS - 1, MAX_COLUMNS - 1), "XFD1048576");
        assert_eq!(cell_name(u32::MAX, u32::MAX), "MWLQKWV4294967296");
    }

    #[test]
    fn rows_are_sheet_rows_and_only_cells_with_values_count() {
        let cells = vec![
            (3, 1, Data::String("b".into())),
            (0, 0, Data::String("id".into())),
            (3, 0, Data::Int(7)),
            (0, 2, Data::String("x,y".into())),
        ];
        let csv = String::from_utf8(cells_to_csv(cells).unwrap()).unwrap();
        assert_eq!(csv, "id,,\"x,y\"\n\"\"\n\"\"\n7,b\n");
    }

    #[test]
    fn a_cell_right_of_the_header_is_a_note_left_out() {
        let cells = vec![
            (0, 0, Data::String("id".into())),
            (0, 1, Data::String("tier".into())),
            (1, 0, Data::String("C1".into())),
            (1, 3, Data::String("call back".into())),
            (2, 5, Data::String("stray".into())),
            (3, 1, Data::String("VIP".into())),
        ];
        let csv = String::from_utf8(cells_to_csv(cells).unwrap()).unwrap();
        assert_eq!(csv, "id,tier\nC1\n\"\"\n,VIP\n");
    }
}
