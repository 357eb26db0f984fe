//! A [`Document`] as one self-contained web page: inline CSS, charts drawn as inline SVG
//! ([`super::svg`]), no script, no font or image from anywhere. Its Content-Security-
//! Policy forbids loading anything, so a page that tried would say so in the browser's
//! console (the browser test reads it). Readable on a phone (tables scroll sideways,
//! charts scale to the width) and printable (a print stylesheet, each section on a new
//! page, table headers repeated on each page). Phones are masked, as in every view for
//! people.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::doc::{Block, Chart, ChartKind, Document, Section, Table};
use super::svg::{self, Series};
use super::{human, Cell, Kind, MISSED};
use crate::policy::Language;

/// Text for HTML, with the five special characters escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1a202c; --muted: #5a6475; --line: #d9dee7; --band: #f5f7fa; --miss: #c53030; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 20px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
p { margin: 6px 0; }
.lead { color: var(--muted); margin: 2px 0; }
nav ol { margin: 10px 0 0; padding-left: 1.4em; columns: 2; }
nav a { color: inherit; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 4px 0 10px; }
table { border-collapse: collapse; font-size: 0.9em; min-width: 50%; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
td.miss { color: var(--miss); font-weight: 600; }
.note { color: var(--muted); font-size: 0.9em; }
figure.chart { margin: 8px 0 16px; overflow-x: auto; }
figure.chart svg { width: 100%; max-width: 720px; height: auto; display: block; }
figure.chart:not(.small) svg { min-width: 480px; }
figure.chart.small { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 8px 16px; }
figure.chart.small svg { max-width: 360px; }
.small-chart { min-width: 0; }
.small-title { font-size: 0.85em; font-weight: 600; margin: 4px 0 0; }
figure.chart.small figcaption { grid-column: 1 / -1; }
figure figcaption { font-size: 0.9em; color: var(--muted); }
svg text { font-family: inherit; fill: var(--ink); }
svg .axis { font-size: 10px; fill: var(--muted); }
svg .value { font-size: 10px; }
svg .legend { font-size: 11px; }
svg .empty { font-size: 11px; fill: var(--muted); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis-line { stroke: var(--muted); stroke-width: 1; }
svg .target { stroke: var(--miss); stroke-width: 1; stroke-dasharray: 4 3; }
svg .trend { stroke-width: 2; }
footer { color: var(--muted); font-size: 0.85em; padding: 24px 16px; }
@media (max-width: 600px) {
  body { font-size: 14px; }
  h1 { font-size: 1.35em; }
  nav ol { columns: 1; }
  th, td { padding: 3px 6px; }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { font-size: 10pt; }
  header, main, footer { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-before: page; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr, figure.chart svg { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  td.miss { color: #000; }
}
"#;

/// Writes the page of `doc` to `out`, a table's rows as they are read.
pub fn render(doc: &Document<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let lang = match doc.language {
        Language::Chinese => "zh-CN",
        Language::English => "en",
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        escape(&doc.title),
        escape(&doc.title)
    )?;
    for line in &doc.lead {
        writeln!(out, "<p class=\"lead\">{}</p>", escape(line))?;
    }
    writeln!(
        out,
        "<nav aria-label=\"{0}\"><strong>{0}</strong><ol>",
        escape(doc.chrome.contents)
    )?;
    for s in &doc.sections {
        writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            s.id,
            escape(&s.title)
        )?;
    }
    writeln!(out, "</ol></nav>\n</header>\n<main>")?;
    for (n, section) in doc.sections.iter().enumerate() {
        write_section(&mut out, doc, n + 1, section)?;
    }
    writeln!(
        out,
        "</main>\n<footer>{}</footer>\n</body>\n</html>",
        escape(&doc.chrome.made_by)
    )?;
    out.flush()
}

fn write_section(
    out: &mut dyn Write,
    doc: &Document<'_>,
    number: usize,
    section: &Section<'_>,
) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"{}\">\n<h2>{number}. {}</h2>",
        section.id,
        escape(&section.title)
    )?;
    for block in &section.blocks {
        match block {
            Block::Text(text) => writeln!(out, "<p class=\"note\">{}</p>", escape(text))?,
            Block::Table(table) => write_table(out, doc, table)?,
            Block::Chart(chart) => {
                if let Some(Block::Table(table)) = section.blocks.get(chart.table) {
                    out.write_all(chart_figure(doc, chart, table).as_bytes())?;
                }
            }
        }
    }
    writeln!(out, "</section>")
}

fn write_table(out: &mut dyn Write, doc: &Document<'_>, table: &Table<'_>) -> io::Result<()> {
    let rows = table.rows.as_ref();
    let columns = rows.columns();
    if let Some(t) = &table.title {
        writeln!(out, "<h3>{}</h3>", escape(t))?;
    }
    let numeric = |k: Kind| matches!(k, Kind::Money | Kind::Int | Kind::Rate | Kind::Score);
    write!(
        out,
        "<div class=\"scroll\"><table id=\"table-{}\"><thead><tr>",
        table.id
    )?;
    for (h, c) in table.headers.iter().zip(columns) {
        let class = if numeric(c.kind) {
            " class=\"num\""
        } else {
            ""
        };
        write!(out, "<th{class}>{}</th>", escape(h))?;
    }
    write!(out, "</tr></thead><tbody>")?;
    let shown = table.page_rows.map_or(rows.len(), |n| n.min(rows.len()));
    let mut cells: Vec<Cell<'_>> = Vec::with_capacity(columns.len());
    let mut line = String::new();
    for i in 0..shown {
        rows.prefetch(i + super::PREFETCH);
        cells.clear();
        rows.row(i, &mut cells);
        line.clear();
        line.push_str("<tr>");
        for (j, cell) in cells.iter().enumerate() {
            let missed = rows.flagged(i, j);
            let kind = rows.kind_at(i, j);
            let class = match (numeric(kind), missed) {
                (true, true) => " class=\"num miss\"",
                (true, false) => " class=\"num\"",
                (false, true) => " class=\"miss\"",
                (false, false) => "",
            };
            let text = match cell {
                Cell::Bool(b) => (if *b { doc.chrome.yes } else { doc.chrome.no }).to_string(),
                _ => human(cell, kind),
            };
            let _ = write!(line, "<td{class}>");
            if missed {
                let _ = write!(
                    line,
                    "<span aria-label=\"{}\">{MISSED}</span> ",
                    escape(doc.chrome.missed)
                );
            }
            let _ = write!(line, "{}</td>", escape(&text));
        }
        line.push_str("</tr>\n");
        out.write_all(line.as_bytes())?;
    }
    writeln!(out, "</tbody></table></div>")?;
    if rows.is_empty() {
        writeln!(out, "<p class=\"note\">{}</p>", escape(doc.chrome.none))?;
    }
    if shown < rows.len() {
        let said = doc
            .chrome
            .cut
            .replace("{shown}", &shown.to_string())
            .replace("{all}", &rows.len().to_string());
        writeln!(out, "<p class=\"note\">{}</p>", escape(&said))?;
    }
    Ok(())
}

/// A chart as a figure of one SVG, or of one small SVG per series.
fn chart_figure(doc: &Document<'_>, chart: &Chart, table: &Table<'_>) -> String {
    let (categories, values) = chart.data(table);
    let names: Vec<&str> = chart
        .series
        .iter()
        .map(|&c| table.headers.get(c).map_or("", String::as_str))
        .collect();
    let series: Vec<Series<'_>> = names
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(k, (name, values))| Series {
            name,
            values,
            reference: chart.references.get(k).copied().flatten(),
        })
        .collect();
    let small = chart.kind == ChartKind::Line;
    let mut out = format!(
        "<figure class=\"chart{}\" id=\"chart-{}\" data-chart=\"{}\">",
        if small { " small" } else { "" },
        chart.id,
        chart.id
    );
    match chart.kind {
        ChartKind::Column => out.push_str(&svg::columns(&chart.title, &categories, &series)),
        ChartKind::Line => {
            for (k, s) in series.iter().enumerate() {
                let title = chart.titles.get(k).map_or(s.name, String::as_str);
                let _ = write!(
                    out,
                    "<div class=\"small-chart\"><p class=\"small-title\">{}</p>{}</div>",
                    escape(title),
                    svg::line(title, &categories, s, doc.chrome.na)
                );
            }
        }
        ChartKind::Bar => {
            for s in &series {
                out.push_str(&svg::bars(&chart.title, &categories, s, doc.chrome.na));
            }
        }
    }
    let _ = writeln!(
        out,
        "<figcaption>{}</figcaption></figure>",
        escape(&chart.title)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::fixtures::{chart, doc_of, named};
    use crate::report::doc::{ChartKind, Grid, Table};
    use crate::report::{col, Kind};

    fn page(doc: &Document<'_>) -> String {
        let mut out = Vec::new();
        render(doc, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_missed_figure_is_marked_and_named_for_a_screen_reader() {
        let mut grid = Grid::new(vec![col("kpi", Kind::Text), col("rate", Kind::Rate)]);
        grid.push(vec![
            Cell::Text("install"),
            Cell::Dec(rust_decimal::Decimal::ONE),
        ]);
        grid.push(vec![
            Cell::Text("repair"),
            Cell::Dec(rust_decimal::Decimal::ZERO),
        ]);
        grid.flag_last(1);
        let mut doc = doc_of(vec![Block::Table(Table {
            id: "kpi",
            title: None,
            headers: vec!["kpi".into(), "rate".into()],
            rows: Box::new(grid),
            page_rows: None,
        })]);
        doc.chrome.missed = "target missed";
        let html = page(&doc);
        assert_eq!(html.matches("<td class=\"num miss\">").count(), 1, "{html}");
        assert_eq!(html.matches("<td class=\"num\">").count(), 1, "{html}");
        assert!(html.contains(&format!(
            "<span aria-label=\"target missed\">{MISSED}</span> "
        )));
    }

    #[test]
    fn a_table_cut_on_the_page_says_how_many_it_shows() {
        let cut = |rows: usize, page_rows: usize| {
            let mut doc = doc_of(vec![named("t", rows)]);
            if let Block::Table(t) = &mut doc.sections[0].blocks[0] {
                t.page_rows = Some(page_rows);
            }
            doc.chrome.cut = "{shown} of {all} shown".into();
            page(&doc)
        };
        assert!(cut(5, 2).contains("2 of 5 shown"));
        assert!(!cut(5, 5).contains(" shown"));
        assert!(!cut(2, 5).contains(" shown"));
    }

    #[test]
    fn a_line_chart_is_drawn_small_and_a_column_chart_full_width() {
        let figure = |kind| {
            let html = page(&doc_of(vec![named("t", 3), chart(kind, vec![0])]));
            let at = html.find("<figure class=\"chart").expect("a figure");
            html[at..at + 30].to_string()
        };
        assert!(figure(ChartKind::Line).starts_with("<figure class=\"chart small\""));
        assert!(figure(ChartKind::Column).starts_with("<figure class=\"chart\""));
    }
}
