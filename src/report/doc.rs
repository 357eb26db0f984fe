//! A document for people: titled sections of tables, charts drawn from a table's columns,
//! and lines of text. The monthly report is one; [`super::book`] renders it as a
//! workbook (a sheet per section, native charts over the table's cells) and
//! [`super::page`] as one self-contained web page (charts drawn as SVG from the same
//! cells). A chart names the table and columns it draws, so both formats draw the same
//! numbers, and a workbook chart's series point at the cells that hold them.

use rust_decimal::Decimal;

use super::{Cell, Column, Kind, Rows};
use crate::policy::Language;

/// The whole document.
pub struct Document<'a> {
    pub language: Language,
    pub title: String,
    /// Lines under the title: the period, the day the figures are as of.
    pub lead: Vec<String>,
    pub sections: Vec<Section<'a>>,
    /// Words the renderers add themselves, in the document's language.
    pub chrome: Chrome,
}

/// The few words a renderer writes on its own.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// "Contents"
    pub contents: &'static str,
    /// "none" (an empty table)
    pub none: &'static str,
    /// "yes", "no"
    pub yes: &'static str,
    pub no: &'static str,
    /// "n/a" (a chart point with no value)
    pub na: &'static str,
    /// "showing the first {shown} of {all} rows; ..." (`{shown}`, `{all}` replaced)
    pub cut: String,
    /// "missed" (the marker's meaning, for screen readers)
    pub missed: &'static str,
    /// "made by caredesk {version}"
    pub made_by: String,
}

/// One section: a sheet in a workbook, a `<section>` on the page.
pub struct Section<'a> {
    /// A short key, for anchors and element ids: `overview`.
    pub id: &'static str,
    /// Its title; the workbook's sheet name (at most 31 characters, none of `[]:*?/\`).
    pub title: String,
    pub blocks: Vec<Block<'a>>,
}

/// What a section holds, in order.
pub enum Block<'a> {
    /// A line of text.
    Text(String),
    Table(Table<'a>),
    Chart(Chart),
}

/// A table: its rows (streamed, so a million customers are never all in memory as
/// cells), with headers in the document's language.
pub struct Table<'a> {
    /// A key, for element ids and tests: `tiers-summary`.
    pub id: &'static str,
    pub title: Option<String>,
    /// One header per column of `rows`.
    pub headers: Vec<String>,
    pub rows: Box<dyn Rows + 'a>,
    /// On the web page, at most this many rows (the rest is said in a line; the
    /// workbook holds them all).
    pub page_rows: Option<usize>,
}

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical bars, the series side by side per category.
    Column,
    /// A line per series over the categories (months), a marker per point: on the web
    /// page one small chart per series (the 12-month trend of each KPI), in the
    /// workbook one chart of every series.
    Line,
    /// Horizontal bars, one per category.
    Bar,
}

/// A chart of a table's columns: categories from one (text), values from others (rates,
/// shown as percentages on a 0–100 % axis).
#[derive(Debug, Clone)]
pub struct Chart {
    /// A key, for element ids and tests: `tiers-shares`.
    pub id: &'static str,
    pub kind: ChartKind,
    pub title: String,
    /// The table drawn: the index of its block in the section.
    pub table: usize,
    /// The column of the categories.
    pub categories: usize,
    /// The columns of the series, each named by its header.
    pub series: Vec<usize>,
    /// Rows of the table the chart leaves out (a total row under the data).
    pub skip_last: usize,
    /// Per series, a value drawn as a dashed line (a KPI's target); empty for none.
    pub references: Vec<Option<Decimal>>,
    /// Per series, what the web page's small chart of it is titled (a KPI's label);
    /// empty: the series' header.
    pub titles: Vec<String>,
}

impl Chart {
    /// The rows of `table` the chart draws.
    pub fn rows(&self, table: &Table<'_>) -> std::ops::Range<usize> {
        0..table.rows.len().saturating_sub(self.skip_last)
    }

    /// The chart's data, read from the table's cells: the category labels, then per
    /// series its values (`None` where the cell is empty: no point is drawn).
    pub fn data(&self, table: &Table<'_>) -> (Vec<String>, Vec<Vec<Option<Decimal>>>) {
        let mut labels = Vec::new();
        let mut values = vec![Vec::new(); self.series.len()];
        let mut cells = Vec::new();
        for i in self.rows(table) {
            cells.clear();
            table.rows.row(i, &mut cells);
            labels.push(match &cells[self.categories] {
                Cell::Text(s) => s.to_string(),
                Cell::Owned(s) => s.clone(),
                _ => String::new(),
            });
            for (v, &c) in values.iter_mut().zip(&self.series) {
                v.push(match &cells[c] {
                    Cell::Dec(d) => Some(*d),
                    Cell::Int(n) => Some(Decimal::from(*n)),
                    _ => None,
                });
            }
        }
        (labels, values)
    }
}

/// A small table held whole: cells owned, a marker per cell that shows a miss, and a
/// kind per row where a row's figures are not of its columns' kinds.
pub struct Grid {
    columns: Vec<Column<'static>>,
    rows: Vec<Vec<Cell<'static>>>,
    kinds: Vec<Option<Vec<Kind>>>,
    flagged: std::collections::HashSet<(usize, usize)>,
}

impl Grid {
    pub fn new(columns: Vec<Column<'static>>) -> Grid {
        Grid {
            columns,
            rows: Vec::new(),
            kinds: Vec::new(),
            flagged: Default::default(),
        }
    }

    /// Adds a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cell<'static>>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
        self.kinds.push(None);
    }

    /// Adds a row whose cells are of `kinds` (one per column).
    pub fn push_typed(&mut self, row: Vec<Cell<'static>>, kinds: Vec<Kind>) {
        debug_assert_eq!(kinds.len(), self.columns.len());
        self.push(row);
        if let Some(k) = self.kinds.last_mut() {
            *k = Some(kinds);
        }
    }

    /// Marks the last row's cell in `column` as a miss.
    pub fn flag_last(&mut self, column: usize) {
        if let Some(r) = self.rows.len().checked_sub(1) {
            self.flagged.insert((r, column));
        }
    }
}

impl Rows for Grid {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        out.extend(self.rows[i].iter().cloned());
    }

    fn flagged(&self, row: usize, column: usize) -> bool {
        self.flagged.contains(&(row, column))
    }

    fn kind_at(&self, row: usize, column: usize) -> Kind {
        match self.kinds.get(row) {
            Some(Some(kinds)) => kinds[column],
            _ => self.columns[column].kind,
        }
    }
}

/// Documents for the renderers' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::report::col;

    /// The text of the part `name` (such as `xl/worksheets/sheet1.xml`) of a workbook.
    pub fn workbook_part(workbook: Vec<u8>, name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(workbook)).unwrap();
        let mut xml = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        xml
    }

    /// A table of `n` rows, each one empty text.
    pub struct Blank(pub usize);
    impl Rows for Blank {
        fn columns(&self) -> &[Column<'_>] {
            const ONE: &[Column<'static>] = &[col("customer_id", Kind::Text)];
            ONE
        }
        fn len(&self) -> usize {
            self.0
        }
        fn row<'s>(&'s self, _: usize, out: &mut Vec<Cell<'s>>) {
            out.push(Cell::Text(""));
        }
    }

    pub fn doc_of(blocks: Vec<Block<'static>>) -> Document<'static> {
        Document {
            language: crate::policy::Language::English,
            title: "t".into(),
            lead: Vec::new(),
            sections: vec![Section {
                id: "s",
                title: "Customers".into(),
                blocks,
            }],
            chrome: Chrome {
                contents: "",
                none: "",
                yes: "",
                no: "",
                na: "",
                cut: String::new(),
                missed: "",
                made_by: String::new(),
            },
        }
    }

    pub fn table(n: usize) -> Block<'static> {
        named("t", n)
    }

    pub fn named(id: &'static str, n: usize) -> Block<'static> {
        Block::Table(Table {
            id,
            title: None,
            headers: vec!["id".into()],
            rows: Box::new(Blank(n)),
            page_rows: None,
        })
    }

    /// A chart of `kind` over the first block's table: its first column as categories.
    pub fn chart(kind: ChartKind, series: Vec<usize>) -> Block<'static> {
        Block::Chart(Chart {
            id: "c",
            kind,
            title: "c".into(),
            table: 0,
            categories: 0,
            series,
            skip_last: 0,
            references: Vec::new(),
            titles: Vec::new(),
        })
    }
}
