//! The xlsx renderer: a real workbook an analyst can sort and filter. The header row is
//! frozen and filtered; ids, phones and other text are stored as text (`007` stays
//! `007`; a text cell is never run as a formula, so `+C1` is written as it is, without
//! the CSV export's guarding `'`); money is a number with two decimals and thousands
//! separators; dates are dates; rates are percentages.

use std::io::{self, Write};

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Workbook, Worksheet, XlsxError,
};

use super::{exact, Cell, Kind, Rows};

/// Excel's limits: rows per sheet (the header is one of them), UTF-16 units per cell.
const MAX_ROWS: usize = 1_048_576;
const MAX_CELL: usize = 32_767;

/// Whether `rows` fit a worksheet: checked before the workbook is built, so a table that
/// cannot be saved fails at once, naming the row.
pub fn fits(rows: &dyn Rows) -> Result<(), String> {
    if rows.len() + 1 > MAX_ROWS {
        return Err(format!(
            "{} rows do not fit an xlsx sheet (at most {} besides the header): use --format csv",
            rows.len(),
            MAX_ROWS - 1
        ));
    }
    let columns = rows.columns();
    let mut cells = Vec::with_capacity(columns.len());
    let mut buf = String::new();
    for i in 0..rows.len() {
        cells.clear();
        rows.row(i, &mut cells);
        for (cell, column) in cells.iter().zip(columns) {
            if let Cell::Text(_) | Cell::Owned(_) = cell {
                buf.clear();
                exact(cell, column.kind, true, &mut buf);
                let units = buf.encode_utf16().count();
                if units > MAX_CELL {
                    return Err(format!(
                        "xlsx: row {} ({}), column {}: {units} characters do not fit a cell (at most {MAX_CELL}): use --format csv",
                        i + 2,
                        first_text(&cells),
                        column.name
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A row's first text cell (its id), to name the row in a message.
fn first_text(cells: &[Cell<'_>]) -> String {
    cells
        .iter()
        .find_map(|c| match c {
            Cell::Text(s) => Some(s.chars().take(40).collect()),
            Cell::Owned(s) => Some(s.chars().take(40).collect()),
            _ => None,
        })
        .unwrap_or_default()
}

pub(super) fn render(rows: &dyn Rows, show_phone: bool, out: &mut dyn Write) -> io::Result<()> {
    let bytes = workbook(rows, show_phone).map_err(|e| io::Error::other(format!("xlsx: {e}")))?;
    out.write_all(&bytes)
}

fn workbook(rows: &dyn Rows, show_phone: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let columns = rows.columns();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("caredesk")?;
    let formats = Formats::new();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.name.len()).collect();
    for (j, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, j as u16, c.name, &formats.header)?;
    }
    let mut cells = Vec::with_capacity(columns.len());
    let mut buf = String::new();
    for i in 0..rows.len() {
        cells.clear();
        rows.row(i, &mut cells);
        let r = i as u32 + 1;
        for (j, (cell, column)) in cells.iter().zip(columns).enumerate() {
            let width = formats.write(
                sheet,
                (r, j as u16),
                cell,
                column.kind,
                show_phone,
                &mut buf,
            )?;
            widths[j] = widths[j].max(width);
        }
    }
    let last_row = rows.len() as u32;
    for (j, column) in columns.iter().enumerate() {
        if let Some(fill) = rows.fill_in(j) {
            if column.kind == Kind::Date {
                sheet.set_column_format(j as u16, &formats.date)?;
            }
            if last_row > 0 {
                sheet.add_data_validation(1, j as u16, last_row, j as u16, &validation(&fill)?)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !columns.is_empty() {
        sheet.autofilter(0, 0, last_row, columns.len() as u16 - 1)?;
    }
    for (j, w) in widths.iter().enumerate() {
        sheet.set_column_width(j as u16, column_width(*w))?;
    }
    book.save_to_buffer()
}

/// A fill-in column's drop-down (when its values fit Excel's list: 255 characters, no
/// commas) and hint. Other values may still be typed (a score as a digit): Excel only
/// says what the column expects.
fn validation(fill: &super::FillIn) -> Result<DataValidation, XlsxError> {
    // Excel's limits on a hint's title and text, in UTF-16 units.
    let cut = |s: &str, n: usize| {
        let mut units = 0;
        s.chars()
            .take_while(|c| {
                units += c.len_utf16();
                units <= n
            })
            .collect::<String>()
    };
    let mut v = DataValidation::new()
        .set_input_title(cut(&fill.title, 32))?
        .set_input_message(cut(&fill.hint, 255))?
        .set_error_style(DataValidationErrorStyle::Information)
        .set_error_title("caredesk")?
        .set_error_message(cut(&fill.hint, 255))?;
    let listable = !fill.choices.is_empty()
        && fill
            .choices
            .iter()
            .all(|c| !c.contains(',') && !c.is_empty());
    // A list past Excel's 255 characters is refused: then the hint alone.
    v = match listable {
        true => v
            .clone()
            .allow_list_strings(&fill.choices)
            .unwrap_or_else(|_| v.allow_any_value()),
        false => v.allow_any_value(),
    };
    Ok(v)
}

/// The cell formats of caredesk's workbooks: typed cells, one look in every export.
pub(super) struct Formats {
    pub header: Format,
    money: Format,
    score: Format,
    rate: Format,
    pub date: Format,
    /// The text format (`@`), which keeps a cell text when someone types into it again;
    /// `None` for a workbook only read (the monthly report).
    text: Option<Format>,
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            money: Format::new().set_num_format("#,##0.00"),
            score: Format::new().set_num_format("0.00"),
            rate: Format::new().set_num_format("0.00%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Some(Format::new().set_num_format("@")),
        }
    }

    /// The formats of a workbook to read, not to edit and read back: text cells are
    /// strings without the text format. Each formatted cell costs rust_xlsxwriter a
    /// hash of the whole format; on a million-row list, the text cells' hashes were an
    /// eighth of the report's time.
    pub fn for_reading() -> Formats {
        Formats {
            text: None,
            ..Formats::new()
        }
    }

    /// Writes `cell` at `(row, column)` typed by its kind: money a number with two
    /// decimals, a rate a percentage, a date a date, text as text (phones masked unless
    /// `show_phone`). Returns the width of its text, for the column's width.
    pub fn write(
        &self,
        sheet: &mut Worksheet,
        (r, c): (u32, u16),
        cell: &Cell<'_>,
        kind: Kind,
        show_phone: bool,
        buf: &mut String,
    ) -> Result<usize, XlsxError> {
        buf.clear();
        exact(cell, kind, show_phone, buf);
        match cell {
            Cell::Empty => {}
            // Excel keeps numbers as binary doubles: amounts of up to 15 significant
            // digits are shown exactly (and read back exactly, rounded to the cent).
            Cell::Money(m) => {
                let v = m.to_decimal().to_f64().unwrap_or(f64::NAN);
                sheet.write_number_with_format(r, c, v, &self.money)?;
            }
            Cell::Int(v) => {
                sheet.write_number(r, c, *v as f64)?;
            }
            Cell::Dec(d) => {
                let f = if kind == Kind::Rate {
                    &self.rate
                } else {
                    &self.score
                };
                sheet.write_number_with_format(r, c, d.to_f64().unwrap_or(f64::NAN), f)?;
            }
            Cell::Date(d) => {
                sheet.write_date_with_format(r, c, d, &self.date)?;
            }
            Cell::Bool(b) => {
                sheet.write_boolean(r, c, *b)?;
            }
            // A cell typed as text is never evaluated: no `'` guard, so an id such as
            // `+C1` reads back as itself.
            Cell::Text(_) | Cell::Owned(_) => {
                match &self.text {
                    Some(text) => sheet.write_string_with_format(r, c, buf.as_str(), text)?,
                    None => sheet.write_string(r, c, buf.as_str())?,
                };
            }
        }
        Ok(display_width(buf))
    }
}

/// A column's width for text of `width` (CJK counted double), capped.
pub(super) fn column_width(width: usize) -> f64 {
    (width as f64 + 2.0).min(60.0)
}

/// Columns as wide as their text: CJK characters take two.
pub(super) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::{col, Column};
    use super::*;

    /// A table of `n` rows of one id each.
    struct Many(usize);
    const ID: &[Column<'static>] = &[col("customer_id", Kind::Text)];
    impl Rows for Many {
        fn columns(&self) -> &[Column<'_>] {
            ID
        }
        fn len(&self) -> usize {
            self.0
        }
        fn row<'s>(&'s self, _: usize, out: &mut Vec<Cell<'s>>) {
            out.push(Cell::Text("C1"));
        }
    }

    #[test]
    fn a_sheet_holds_a_million_rows_besides_its_header() {
        assert!(fits(&Many(MAX_ROWS - 1)).is_ok());
        let err = fits(&Many(MAX_ROWS)).unwrap_err();
        assert!(
            err.starts_with("1048576 rows do not fit an xlsx sheet"),
            "{err}"
        );
    }

    /// One row: an owned id, then a note of `len` characters.
    struct Note(usize);
    const NOTE: &[Column<'static>] = &[col("customer_id", Kind::Text), col("note", Kind::Text)];
    impl Rows for Note {
        fn columns(&self) -> &[Column<'_>] {
            NOTE
        }
        fn len(&self) -> usize {
            1
        }
        fn row<'s>(&'s self, _: usize, out: &mut Vec<Cell<'s>>) {
            out.push(Cell::Owned("C0042".to_string()));
            out.push(Cell::Owned("x".repeat(self.0)));
        }
    }

    #[test]
    fn a_cell_holds_32767_characters_and_the_row_too_long_is_named() {
        assert!(fits(&Note(MAX_CELL)).is_ok());
        assert_eq!(
            fits(&Note(MAX_CELL + 1)).unwrap_err(),
            "xlsx: row 2 (C0042), column note: 32768 characters do not fit a cell (at most 32767): use --format csv"
        );
    }

    #[test]
    fn the_filter_spans_the_header_and_every_row_and_column() {
        let xml = sheet_xml(&Note(3));
        assert!(xml.contains(r#"<autoFilter ref="A1:B2"/>"#), "{xml}");
    }

    /// Two rows with a column to fill in from `choices`, under a hint of `title`/`hint`.
    struct FillSheet(super::super::FillIn);
    impl Rows for FillSheet {
        fn columns(&self) -> &[Column<'_>] {
            NOTE
        }
        fn len(&self) -> usize {
            2
        }
        fn row<'s>(&'s self, _: usize, out: &mut Vec<Cell<'s>>) {
            out.extend([Cell::Text("C1"), Cell::Empty]);
        }
        fn fill_in(&self, column: usize) -> Option<super::super::FillIn> {
            (column == 1).then(|| self.0.clone())
        }
    }

    fn sheet_xml(rows: &dyn Rows) -> String {
        let mut out = Vec::new();
        render(rows, false, &mut out).unwrap();
        crate::report::doc::fixtures::workbook_part(out, "xl/worksheets/sheet1.xml")
    }

    #[test]
    fn a_fill_in_column_offers_its_choices_when_excel_can_list_them() {
        let fill = |choices: &[&str], title: &str, hint: &str| {
            FillSheet(super::super::FillIn {
                choices: choices.iter().map(|c| c.to_string()).collect(),
                title: title.into(),
                hint: hint.into(),
            })
        };
        let xml = sheet_xml(&fill(
            &["done", "refused"],
            "result",
            "what the call came to",
        ));
        assert!(xml.contains(r#"<dataValidation type="list""#), "{xml}");
        assert!(
            xml.contains(r#"<formula1>"done,refused"</formula1>"#),
            "{xml}"
        );
        // A choice with a comma, or an empty one, cannot be in Excel's list: the hint only.
        for choices in [&["done", "a,b"][..], &["done", ""][..]] {
            let xml = sheet_xml(&fill(choices, "result", "what the call came to"));
            assert!(!xml.contains(r#"type="list""#), "{choices:?}: {xml}");
            assert!(
                xml.contains(r#"promptTitle="result""#),
                "{choices:?}: {xml}"
            );
        }
        // A hint's title past Excel's 32 units and its text past 255 are cut, not refused.
        let xml = sheet_xml(&fill(&["done"], &"标题".repeat(20), &"说明".repeat(200)));
        assert!(
            xml.contains(&format!(r#"promptTitle="{}""#, "标题".repeat(16))),
            "{xml}"
        );
        assert!(
            xml.contains(&format!(r#"prompt="{}""#, "说明".repeat(127) + "说")),
            "{xml}"
        );
    }

    #[test]
    fn columns_are_as_wide_as_their_text_up_to_a_cap() {
        let cols = |xml: &str| -> Vec<String> {
            xml.match_indices("<col ")
                .map(|(at, _)| {
                    let w = &xml[at..][xml[at..].find("width=\"").unwrap() + 7..];
                    w[..w.find('"').unwrap()].to_string()
                })
                .collect()
        };
        // "customer_id" (11) and "C0042"; a 100-character note, capped at 60.
        let got = cols(&sheet_xml(&Note(100)));
        assert_eq!(got, ["13.7109375", "60.7109375"]);
        assert_eq!(cols(&sheet_xml(&Note(2))), ["13.7109375", "6.7109375"]);
    }
}
