//! Spreadsheet inputs: the first sheet of an `.xlsx` file, or `file.xlsx#Sheet`, turned
//! into CSV so it goes through the same row checks and messages as a CSV file. Cells keep
//! what the sheet shows: text as text (`007` stays `007`), whole numbers without `.0`,
//! dates as `YYYY-MM-DD` (with `HH:MM` when they carry a time), TRUE/FALSE as true/false.

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

/// A spreadsheet input: the workbook and the sheet asked for (the first when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPath {
    pub file: PathBuf,
    pub sheet: Option<String>,
}

impl SheetPath {
    /// `Some` when `path` names an xlsx workbook, with `#Sheet` or not.
    pub fn of(path: &Path) -> Option<SheetPath> {
        let text = path.to_str()?;
        let is_xlsx = |p: &str| p.to_ascii_lowercase().ends_with(".xlsx");
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

/// The sheet as CSV bytes. Errors say what is wrong in words (no such sheet, not a
/// workbook).
pub fn sheet_to_csv(at: &SheetPath) -> Result<Vec<u8>, String> {
    let mut book =
        open_workbook_auto(&at.file).map_err(|e| format!("cannot read it as a workbook: {e}"))?;
    let names = book.sheet_names().to_vec();
    let name = match &at.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(format!(
                "no sheet {s:?}; the workbook has {}",
                names.join(", ")
            ))
        }
        None => names.first().cloned().ok_or("the workbook has no sheet")?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format!("sheet {name:?}: {e}"))?;
    let mut out = Vec::new();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        // Rows above the used range are empty: keep line numbers equal to sheet rows.
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let width = range.width() + first_col as usize;
        for _ in 0..first_row {
            w.write_record(std::iter::repeat_n("", width.max(1)))
                .map_err(|e| e.to_string())?;
        }
        for row in range.rows() {
            let mut cells: Vec<String> = vec![String::new(); first_col as usize];
            cells.extend(row.iter().map(cell_text));
            w.write_record(&cells).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
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
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => {
                t.date().format("%Y-%m-%d").to_string()
            }
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
    }
}
