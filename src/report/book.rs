//! A [`Document`] as a workbook: one sheet per section, named by its title, the section's
//! tables one under another with typed cells (as every caredesk workbook: money, dates
//! and rates as numbers in their formats, text as text, never run as a formula), and its
//! charts as native Excel charts whose series are the table's cells.
//!
//! A sheet of one table has its header row frozen and filtered; on a sheet of several,
//! each table is an Excel table, with its own filter buttons and its header shown in
//! place of the column letters while scrolling it. A sheet of many rows (the tiers list
//! of a million customers) is written a row at a time, in constant memory.

use std::io::{self, Write};
use std::path::Path;

use rust_xlsxwriter::{
    Chart as XlsxChart, ChartEmptyCells, ChartLegendPosition, ChartMarker, ChartType, Format,
    Table as XlsxTable, TableColumn, TableStyle, Workbook, Worksheet, XlsxError,
};

use super::doc::{Block, Chart, ChartKind, Document, Section, Table};
use super::xlsx::{column_width, display_width, Formats};
use super::Cell;

/// Excel's rows per sheet.
const MAX_ROWS: usize = 1_048_576;
/// A sheet with more rows than this is written in constant memory.
const STREAMED: usize = 20_000;
/// Rows a chart takes on its sheet (its height, 300 px, over the default row height).
const CHART_ROWS: u32 = 16;

/// Whether `doc` fits a workbook: every table's rows on one sheet.
pub fn fits(doc: &Document<'_>) -> Result<(), String> {
    for section in &doc.sections {
        let rows: usize = section
            .blocks
            .iter()
            .map(|b| match b {
                Block::Table(t) => t.rows.len() + 3,
                Block::Text(_) => 1,
                Block::Chart(_) => CHART_ROWS as usize,
            })
            .sum::<usize>()
            + 2;
        if rows > MAX_ROWS {
            return Err(format!(
                "the sheet {:?} would have {rows} rows, more than a sheet holds ({MAX_ROWS}): write the report as .html, or the list with `caredesk tiers --format csv`",
                section.title
            ));
        }
        for block in &section.blocks {
            if let Block::Table(t) = block {
                super::xlsx::fits(t.rows.as_ref())?;
            }
        }
    }
    Ok(())
}

/// Writes the workbook of `doc` to `out`. A long sheet's rows go to a temporary file in
/// `tempdir` (the output's folder; the system's when `None`) while it is built.
pub fn render(doc: &Document<'_>, tempdir: Option<&Path>, out: &mut dyn Write) -> io::Result<()> {
    let bytes = guarded(|| workbook(doc, tempdir))?;
    out.write_all(&bytes)
}

/// Runs `build`, turning its error, or a panic inside it, into an I/O error. In constant
/// memory rust_xlsxwriter writes a sheet's rows to a temporary file and panics when that
/// write fails (a full disk): the run then ends with a message and exit 1, not a panic.
fn guarded(build: impl FnOnce() -> Result<Vec<u8>, XlsxError>) -> io::Result<Vec<u8>> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(build));
    std::panic::set_hook(hook);
    match built {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(io::Error::other(format!("xlsx: {e}"))),
        Err(_) => Err(io::Error::other(
            "xlsx: the workbook's temporary rows could not be written (is the disk full?)",
        )),
    }
}

/// Where a table landed on its sheet.
#[derive(Debug, Clone, Copy)]
struct Placed {
    header_row: u32,
    /// The first and last data rows (`last < first` for a table without rows).
    first: u32,
    last: u32,
}

fn workbook(doc: &Document<'_>, tempdir: Option<&Path>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    if let Some(dir) = tempdir {
        book.set_tempdir(dir)?;
    }
    // Level 1 of deflate: a sheet of a million rows compresses in a third of the time
    // of the default level, for a file about a third larger.
    book.set_zip_compression_level(1);
    let formats = Formats::for_reading();
    let title = Format::new().set_bold().set_font_size(14);
    let subtitle = Format::new().set_bold();
    for (s, section) in doc.sections.iter().enumerate() {
        let rows: usize = section
            .blocks
            .iter()
            .map(|b| match b {
                Block::Table(t) => t.rows.len(),
                _ => 0,
            })
            .sum();
        let streamed = rows > STREAMED;
        let sheet = if streamed {
            book.add_worksheet_with_constant_memory()?
        } else {
            book.add_worksheet()
        };
        sheet.set_name(sheet_name(&section.title, s))?;
        let name = sheet.name();
        let looks = Looks {
            cells: &formats,
            title: &title,
            subtitle: &subtitle,
        };
        write_section(sheet, &name, doc, section, &looks, streamed)?;
    }
    book.save_to_buffer()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not blank.
fn sheet_name(title: &str, index: usize) -> String {
    let name: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    let name = name.trim_matches('\'').trim().to_string();
    if name.is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        name
    }
}

/// The formats of a sheet: its cells', its title's and its tables' titles.
struct Looks<'f> {
    cells: &'f Formats,
    title: &'f Format,
    subtitle: &'f Format,
}

/// Writes a section on its sheet, top to bottom. A `streamed` sheet is written a row at a
/// time and no row can be written again, so its tables are not made Excel tables (that
/// writes their header row once more): its largest table gets the sheet's filter instead.
fn write_section(
    sheet: &mut Worksheet,
    name: &str,
    doc: &Document<'_>,
    section: &Section<'_>,
    looks: &Looks<'_>,
    streamed: bool,
) -> Result<(), XlsxError> {
    let (formats, title, subtitle) = (looks.cells, looks.title, looks.subtitle);
    // The first sheet opens with the document's title and lead lines; each other with
    // its section's title.
    let mut row = 2u32;
    if std::ptr::eq(section, &doc.sections[0]) {
        sheet.write_string_with_format(0, 0, &doc.title, title)?;
        for (i, line) in doc.lead.iter().enumerate() {
            sheet.write_string(1 + i as u32, 0, line)?;
        }
        row += doc.lead.len() as u32;
    } else {
        sheet.write_string_with_format(0, 0, &section.title, title)?;
    }
    let tables = section
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Table(_)))
        .count();
    let mut placed: Vec<Option<Placed>> = Vec::with_capacity(section.blocks.len());
    let mut widths: Vec<usize> = Vec::new();
    let mut buf = String::new();
    let mut largest: Option<(usize, (Placed, u16))> = None;
    for block in &section.blocks {
        match block {
            Block::Text(text) => {
                sheet.write_string(row, 0, text)?;
                row += 2;
                placed.push(None);
            }
            Block::Table(table) => {
                if let Some(t) = &table.title {
                    sheet.write_string_with_format(row, 0, t, subtitle)?;
                    row += 1;
                }
                let at = write_table(sheet, row, table, formats, &mut widths, &mut buf)?;
                let last_col = table.headers.len().saturating_sub(1) as u16;
                if table.rows.is_empty() {
                    sheet.write_string(at.header_row + 1, 0, doc.chrome.none)?;
                } else if tables == 1 {
                    sheet.autofilter(at.header_row, 0, at.last, last_col)?;
                    sheet.set_freeze_panes(at.header_row + 1, 0)?;
                } else if streamed {
                    if largest.is_none_or(|(n, _)| table.rows.len() > n) {
                        largest = Some((table.rows.len(), (at, last_col)));
                    }
                } else {
                    let name = format!("T_{}", table.id.replace('-', "_"));
                    let columns: Vec<TableColumn> = table
                        .headers
                        .iter()
                        .map(|h| TableColumn::new().set_header(h))
                        .collect();
                    let list = XlsxTable::new()
                        .set_name(name)
                        .set_columns(&columns)
                        .set_style(TableStyle::Light9);
                    sheet.add_table(at.header_row, 0, at.last, last_col, &list)?;
                }
                row = at.last.max(at.header_row + 1) + 2;
                placed.push(Some(at));
            }
            Block::Chart(chart) => {
                let (Some(Block::Table(table)), Some(Some(at))) =
                    (section.blocks.get(chart.table), placed.get(chart.table))
                else {
                    placed.push(None);
                    continue;
                };
                if let Some(c) = native_chart(name, chart, table, *at) {
                    sheet.insert_chart(row, 0, &c)?;
                    row += CHART_ROWS + 1;
                }
                placed.push(None);
            }
        }
    }
    if let Some((_, (at, last_col))) = largest {
        sheet.autofilter(at.header_row, 0, at.last, last_col)?;
    }
    if tables > 1 {
        sheet.set_freeze_panes(1, 0)?;
    }
    for (j, w) in widths.iter().enumerate() {
        sheet.set_column_width(j as u16, column_width(*w))?;
    }
    Ok(())
}

/// Writes `table`'s header at `row` and its rows under it.
fn write_table(
    sheet: &mut Worksheet,
    row: u32,
    table: &Table<'_>,
    formats: &Formats,
    widths: &mut Vec<usize>,
    buf: &mut String,
) -> Result<Placed, XlsxError> {
    let rows = table.rows.as_ref();
    let columns = rows.columns();
    if widths.len() < columns.len() {
        widths.resize(columns.len(), 0);
    }
    for (j, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(row, j as u16, h, &formats.header)?;
        // A filter button takes about two characters beside the header.
        widths[j] = widths[j].max(display_width(h) + 2);
    }
    let mut cells: Vec<Cell<'_>> = Vec::with_capacity(columns.len());
    let first = row + 1;
    for i in 0..rows.len() {
        rows.prefetch(i + super::PREFETCH);
        cells.clear();
        rows.row(i, &mut cells);
        let r = first + i as u32;
        for (j, cell) in cells.iter().enumerate() {
            let kind = rows.kind_at(i, j);
            let w = formats.write(sheet, (r, j as u16), cell, kind, false, buf)?;
            widths[j] = widths[j].max(w);
        }
    }
    Ok(Placed {
        header_row: row,
        first,
        last: (first + rows.len() as u32).saturating_sub(1),
    })
}

/// The Excel chart of `chart`, its series over the cells of `table` placed at `at`;
/// `None` for a table without rows (a chart of nothing cannot be drawn).
fn native_chart(sheet: &str, chart: &Chart, table: &Table<'_>, at: Placed) -> Option<XlsxChart> {
    let drawn = chart.rows(table);
    if drawn.is_empty() {
        return None;
    }
    let (r0, r1) = (at.first, at.first + drawn.end as u32 - 1);
    let mut c = XlsxChart::new(match chart.kind {
        ChartKind::Column => ChartType::Column,
        ChartKind::Line => ChartType::Line,
        ChartKind::Bar => ChartType::Bar,
    });
    c.title().set_name(&chart.title);
    let cat = chart.categories as u16;
    for &s in &chart.series {
        let col = s as u16;
        let series = c
            .add_series()
            .set_name((sheet, at.header_row, col))
            .set_categories((sheet, r0, cat, r1, cat))
            .set_values((sheet, r0, col, r1, col));
        if chart.kind == ChartKind::Line {
            series.set_marker(ChartMarker::new().set_automatic());
        }
    }
    // The value axis: x for horizontal bars, y otherwise; rates from 0 to 100 %.
    let value_axis = match chart.kind {
        ChartKind::Bar => c.x_axis(),
        ChartKind::Column | ChartKind::Line => c.y_axis(),
    };
    value_axis.set_num_format("0%").set_min(0).set_max(1);
    c.show_empty_cells_as(ChartEmptyCells::Gaps);
    c.legend().set_position(ChartLegendPosition::Bottom);
    if chart.series.len() == 1 {
        c.legend().set_hidden();
    }
    c.set_width(720).set_height(300);
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::fixtures::{chart, doc_of, named, table, workbook_part};
    use crate::report::doc::ChartKind;

    #[test]
    fn a_failed_or_panicking_build_is_an_error() {
        let err = guarded(|| panic!("the temporary file is full")).unwrap_err();
        assert!(err.to_string().contains("is the disk full?"), "{err}");
        let err = guarded(|| Err(XlsxError::SheetnameCannotBeBlank(String::new()))).unwrap_err();
        assert!(err.to_string().starts_with("xlsx: "), "{err}");
        assert_eq!(guarded(|| Ok(vec![1])).unwrap(), [1]);
    }

    #[test]
    fn a_sheet_fits_its_title_its_tables_with_theirs_and_its_lines() {
        // The title and a blank row, then per table its title, header and a blank row.
        assert!(fits(&doc_of(vec![table(MAX_ROWS - 5)])).is_ok());
        let err = fits(&doc_of(vec![table(MAX_ROWS - 4)])).unwrap_err();
        assert_eq!(
            err,
            "the sheet \"Customers\" would have 1048577 rows, more than a sheet holds (1048576): write the report as .html, or the list with `caredesk tiers --format csv`"
        );
        // A line of text takes a row; two tables fill the sheet between them.
        let half = (MAX_ROWS - 2 - 6 - 1) / 2;
        let text = || Block::Text("note".into());
        assert!(fits(&doc_of(vec![
            table(half),
            text(),
            table(MAX_ROWS - 9 - half)
        ]))
        .is_ok());
        assert!(fits(&doc_of(vec![
            table(half),
            text(),
            table(MAX_ROWS - 8 - half)
        ]))
        .is_err());
    }

    fn rendered(doc: &Document<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        render(doc, None, &mut out).unwrap();
        out
    }

    /// The cells of the fixture's sheet, read back by calamine.
    fn cells_of(doc: &Document<'_>) -> calamine::Range<calamine::Data> {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(rendered(doc))).unwrap();
        book.worksheet_range("Customers").unwrap()
    }

    #[test]
    fn an_empty_table_says_so_and_keeps_a_blank_row_after_it() {
        let mut doc = doc_of(vec![table(0), Block::Text("after".into())]);
        doc.chrome.none = "none";
        let cells = cells_of(&doc);
        let at = |r: u32| {
            cells
                .get_value((r, 0))
                .map_or(String::new(), |v| v.to_string())
        };
        let column: Vec<String> = (0..6).map(at).collect();
        assert_eq!(column, ["t", "", "id", "none", "", "after"]);
    }

    #[test]
    fn a_chart_takes_its_rows_and_a_blank_one_below_its_table() {
        let chart = chart(ChartKind::Column, vec![0]);
        let doc = doc_of(vec![table(3), chart, Block::Text("after".into())]);
        let cells = cells_of(&doc);
        // The table's header on row 2, its rows 3-5, a blank row; the chart from row 7,
        // 16 rows and a blank one; the text on row 24.
        assert_eq!(cells.end(), Some((24, 0)));
        assert_eq!(
            cells.get_value((24, 0)).map(|v| v.to_string()).as_deref(),
            Some("after")
        );
    }

    /// The first sheet's XML in the workbook of `doc`.
    fn sheet_xml(doc: &Document<'_>) -> String {
        workbook_part(rendered(doc), "xl/worksheets/sheet1.xml")
    }

    #[test]
    fn a_chart_of_one_series_has_no_legend() {
        let legend = |series: Vec<usize>| {
            let doc = doc_of(vec![table(3), chart(ChartKind::Column, series)]);
            workbook_part(rendered(&doc), "xl/charts/chart1.xml").contains("<c:legend>")
        };
        assert!(!legend(vec![0]), "one series: its title says it");
        assert!(legend(vec![0, 0]));
    }

    #[test]
    fn a_workbook_to_read_keeps_its_text_cells_without_the_text_format() {
        // The report is read, not filled in and read back: its text cells need no `@`.
        let mut doc = doc_of(vec![table(3)]);
        doc.title = "月报 2026-11".into();
        let styles = workbook_part(rendered(&doc), "xl/styles.xml");
        assert!(!styles.contains(r#"formatCode="@""#), "{styles}");
    }

    #[test]
    fn a_long_sheet_of_several_tables_filters_the_largest() {
        // Past 20,000 rows a sheet is streamed: no Excel tables, one filter, on the
        // largest table (the first here, rows 3 to 20,004 with its header).
        let xml = sheet_xml(&doc_of(vec![named("big", 20_001), named("small", 5)]));
        let filters: Vec<&str> = xml
            .match_indices("<autoFilter ")
            .map(|(i, _)| &xml[i..i + 40])
            .collect();
        assert_eq!(filters.len(), 1, "{filters:?}");
        assert!(
            filters[0].starts_with("<autoFilter ref=\"A3:A20004\""),
            "{filters:?}"
        );
        assert!(
            !xml.contains("<tablePart "),
            "no Excel tables on a streamed sheet"
        );
        // 20,000 rows are held in memory: each table is an Excel table with its filter.
        let xml = sheet_xml(&doc_of(vec![named("big", 19_995), named("small", 5)]));
        assert_eq!(xml.matches("<tablePart ").count(), 2);
        assert!(!xml.contains("<autoFilter "));
    }

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(sheet_name("回访 Follow-ups", 0), "回访 Follow-ups");
        assert_eq!(sheet_name("a/b:c?", 0), "a-b-c-");
        assert_eq!(sheet_name("'quoted'", 0), "quoted");
        assert_eq!(sheet_name("   ", 4), "Sheet5");
        assert_eq!(sheet_name(&"长".repeat(40), 0).chars().count(), 31);
    }
}
