//! A document about one subject (the customer card): labelled blocks of values, then
//! tables. The table view is for a person (blocks with aligned labels, then each table
//! fitted to the width, Chinese text aligned); `json` is one object with the same value
//! rules as every other JSON output; `md` is for pasting into a note.

use std::io::{self, Write};

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use unicode_width::UnicodeWidthStr;

use super::{human, json_cell, render_md, table_text, Cell, Column, Kind, Rows};

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// Labelled blocks and tables, for a person at a screen.
    Table,
    /// One object: a key per block and per table.
    Json,
    /// Markdown, for notes and mail.
    Md,
}

#[derive(Debug, Clone, Copy)]
pub struct DocOptions {
    pub format: DocFormat,
    /// Phone numbers as they are, in every format (masked otherwise).
    pub show_phone: bool,
    /// Colour the flagged cells of the table view.
    pub color: bool,
    /// Fit the table view's tables to this many columns (a terminal's width).
    pub width: Option<u16>,
}

/// One labelled value.
pub struct Field<'a> {
    /// The JSON key.
    pub key: &'static str,
    /// What the table and md views call it.
    pub label: String,
    pub kind: Kind,
    pub value: Cell<'a>,
    /// Said after the value in the views for people (why, or what it means).
    pub note: Option<String>,
    /// Left out of the views for people when empty (JSON keeps it as `null`).
    pub optional: bool,
    /// Only in JSON: the views for people say it in another field's note.
    pub json_only: bool,
}

impl<'a> Field<'a> {
    pub fn new(key: &'static str, label: impl Into<String>, kind: Kind, value: Cell<'a>) -> Self {
        Field {
            key,
            label: label.into(),
            kind,
            value,
            note: None,
            optional: false,
            json_only: false,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn json_only(mut self) -> Self {
        self.json_only = true;
        self
    }

    fn shown(&self, show_phone: bool) -> String {
        let text = match (&self.value, self.kind) {
            (Cell::Empty, _) => "—".to_string(),
            (Cell::Text(s), Kind::Phone) if show_phone => s.to_string(),
            (Cell::Owned(s), Kind::Phone) if show_phone => s.clone(),
            (value, kind) => human(value, kind),
        };
        match &self.note {
            Some(note) => format!("{text}  ({note})"),
            None => text,
        }
    }

    fn hidden(&self) -> bool {
        self.json_only || (self.optional && self.value == Cell::Empty)
    }
}

/// A group of values under a heading: a JSON object of its own.
pub struct Block<'a> {
    pub key: &'static str,
    pub title: &'static str,
    pub fields: Vec<Field<'a>>,
}

/// A table of the document, of which `rows` are shown out of `total`.
pub struct Section<'a> {
    /// The JSON key of its array; `{key}_total` holds `total`.
    pub key: &'static str,
    pub title: String,
    pub rows: Box<dyn Rows + 'a>,
    pub total: usize,
    /// What the views for people say when there are no rows.
    pub empty: String,
}

/// The whole document.
pub struct Document<'a> {
    /// The first line of the table view, the heading of the md view.
    pub title: String,
    /// Values at the top of the JSON object (and under the title in the other views).
    pub head: Vec<Field<'a>>,
    pub blocks: Vec<Block<'a>>,
    pub sections: Vec<Section<'a>>,
}

/// Writes `doc` to `out`.
pub fn render_document(
    doc: &Document<'_>,
    options: DocOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match options.format {
        DocFormat::Table => render_text(doc, options, out),
        DocFormat::Json => render_json_doc(doc, options.show_phone, out),
        DocFormat::Md => render_md_doc(doc, options.show_phone, out),
    }
}

/// `label  value` lines, the labels padded to the widest (by display width).
fn field_lines(fields: &[Field<'_>], show_phone: bool, indent: &str) -> Vec<String> {
    let shown: Vec<&Field<'_>> = fields.iter().filter(|f| !f.hidden()).collect();
    let width = shown.iter().map(|f| f.label.width()).max().unwrap_or(0);
    shown
        .iter()
        .map(|f| {
            let pad = width - f.label.width();
            format!(
                "{indent}{}{}  {}",
                f.label,
                " ".repeat(pad),
                f.shown(show_phone)
            )
        })
        .collect()
}

fn section_heading(s: &Section<'_>) -> String {
    if s.total == 0 {
        return format!("{}: {}", s.title, s.empty);
    }
    let shown = s.rows.len();
    if shown < s.total {
        format!(
            "{} ({shown} of {}, most recent first; --limit 0 shows all)",
            s.title, s.total
        )
    } else {
        format!("{} ({})", s.title, s.total)
    }
}

fn render_text(doc: &Document<'_>, options: DocOptions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", doc.title)?;
    for line in field_lines(&doc.head, options.show_phone, "") {
        writeln!(out, "{line}")?;
    }
    for block in &doc.blocks {
        writeln!(out)?;
        writeln!(out, "{}", block.title)?;
        for line in field_lines(&block.fields, options.show_phone, "  ") {
            writeln!(out, "{line}")?;
        }
    }
    for section in &doc.sections {
        writeln!(out)?;
        writeln!(out, "{}", section_heading(section))?;
        if section.rows.is_empty() {
            continue;
        }
        if options.show_phone {
            fitted_table(&ShowPhones::new(&*section.rows), options, out)?;
        } else {
            fitted_table(&*section.rows, options, out)?;
        }
    }
    Ok(())
}

/// A table through comfy-table, which wraps cells to fit `width` and measures Chinese
/// text by its display width.
fn fitted_table(rows: &dyn Rows, options: DocOptions, out: &mut dyn Write) -> io::Result<()> {
    let columns = rows.columns();
    let mut table = Table::new();
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.load_style(presets::UTF8_FULL_CONDENSED);
    match options.width {
        Some(w) => {
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    // Headers as words, so a narrow table wraps them between words (`response breached`).
    let headers: Vec<String> = columns.iter().map(|c| c.name.replace('_', " ")).collect();
    let longest_word = |text: &str| {
        text.split_whitespace()
            .map(|w| w.width())
            .max()
            .unwrap_or(0)
    };
    let mut words: Vec<usize> = headers.iter().map(|h| longest_word(h)).collect();
    table.set_header(headers);
    let mut cells = Vec::with_capacity(columns.len());
    for i in 0..rows.len() {
        cells.clear();
        rows.row(i, &mut cells);
        let texts: Vec<String> = cells
            .iter()
            .zip(columns)
            .enumerate()
            .map(|(j, (c, col))| table_text(rows, i, j, c, col.kind))
            .collect();
        for (w, text) in words.iter_mut().zip(&texts) {
            *w = (*w).max(longest_word(text));
        }
        table.add_row(texts.into_iter().enumerate().map(|(j, text)| {
            let cell = comfy_table::Cell::new(text);
            if options.color && rows.flagged(i, j) {
                cell.fg(comfy_table::Color::Red)
            } else {
                cell
            }
        }));
    }
    // Left to itself the arrangement shares the width out evenly and cuts words; when
    // every column's longest word fits (a space each side, and the borders), no column
    // is made narrower than its longest word.
    let least: usize = words.iter().map(|w| w + 2).sum::<usize>() + columns.len() + 1;
    let keep_words = options.width.is_some_and(|w| least <= usize::from(w));
    for (i, column) in columns.iter().enumerate() {
        if let Some(c) = table.column_mut(i) {
            if matches!(
                column.kind,
                Kind::Money | Kind::Int | Kind::Rate | Kind::Score
            ) {
                c.set_cell_alignment(CellAlignment::Right);
            }
            if keep_words {
                let at_least = u16::try_from(words[i] + 2).unwrap_or(u16::MAX);
                c.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
                    comfy_table::Width::Fixed(at_least),
                ));
            }
        }
    }
    for line in table.lines() {
        out.write_all(line.trim_end().as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A JSON string of `s`.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a str serializes")
}

fn json_fields(
    fields: &[Field<'_>],
    show_phone: bool,
    indent: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut text = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        write!(out, "{indent}{}: ", json_str(f.key))?;
        json_cell(out, &f.value, f.kind, show_phone, &mut text)?;
    }
    Ok(())
}

fn render_json_doc(doc: &Document<'_>, show_phone: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    out.write_all(b"{\n")?;
    let mut first = true;
    let mut sep = |out: &mut dyn Write| -> io::Result<()> {
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        Ok(())
    };
    if !doc.head.is_empty() {
        sep(&mut out)?;
        json_fields(&doc.head, show_phone, "  ", &mut out)?;
    }
    for block in &doc.blocks {
        sep(&mut out)?;
        writeln!(out, "  {}: {{", json_str(block.key))?;
        json_fields(&block.fields, show_phone, "    ", &mut out)?;
        out.write_all(b"\n  }")?;
    }
    let mut text = String::new();
    let mut cells = Vec::new();
    for section in &doc.sections {
        sep(&mut out)?;
        let rows = &*section.rows;
        let columns = rows.columns();
        write!(out, "  {}: [", json_str(section.key))?;
        for i in 0..rows.len() {
            out.write_all(if i == 0 { b"\n    {" } else { b",\n    {" })?;
            cells.clear();
            rows.row(i, &mut cells);
            for (j, (cell, column)) in cells.iter().zip(columns).enumerate() {
                if j > 0 {
                    out.write_all(b", ")?;
                }
                write!(out, "{}: ", json_str(column.name))?;
                json_cell(&mut out, cell, column.kind, show_phone, &mut text)?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(if rows.is_empty() { b"]" } else { b"\n  ]" })?;
        write!(
            out,
            ",\n  {}: {}",
            json_str(&format!("{}_total", section.key)),
            section.total
        )?;
    }
    out.write_all(b"\n}\n")?;
    out.flush()
}

fn render_md_doc(doc: &Document<'_>, show_phone: bool, out: &mut dyn Write) -> io::Result<()> {
    let escape = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    writeln!(out, "# {}", escape(&doc.title))?;
    let list = |fields: &[Field<'_>], out: &mut dyn Write| -> io::Result<()> {
        writeln!(out)?;
        for f in fields.iter().filter(|f| !f.hidden()) {
            writeln!(
                out,
                "- **{}**: {}",
                escape(&f.label),
                escape(&f.shown(show_phone))
            )?;
        }
        Ok(())
    };
    if !doc.head.is_empty() {
        list(&doc.head, out)?;
    }
    for block in &doc.blocks {
        writeln!(out, "\n## {}", block.title)?;
        list(&block.fields, out)?;
    }
    for section in &doc.sections {
        writeln!(out, "\n## {}\n", escape(&section_heading(section)))?;
        if !section.rows.is_empty() {
            if show_phone {
                render_md(&ShowPhones::new(&*section.rows), false, out)?;
            } else {
                render_md(&*section.rows, false, out)?;
            }
        }
    }
    Ok(())
}

/// A table whose phone columns are shown as they are (`--show-phone` on a document: the
/// table and md views of a plain table always mask them).
struct ShowPhones<'r> {
    rows: &'r dyn Rows,
    columns: Vec<Column<'r>>,
}

impl<'r> ShowPhones<'r> {
    fn new(rows: &'r dyn Rows) -> Self {
        let columns = rows
            .columns()
            .iter()
            .map(|c| match c.kind {
                Kind::Phone => Column {
                    kind: Kind::Text,
                    ..*c
                },
                _ => *c,
            })
            .collect();
        ShowPhones { rows, columns }
    }
}

impl Rows for ShowPhones<'_> {
    fn columns(&self) -> &[Column<'_>] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
        self.rows.row(i, out);
    }

    fn flagged(&self, row: usize, column: usize) -> bool {
        self.rows.flagged(row, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Cents;
    use crate::report::col;

    struct Orders;
    const COLS: &[Column<'static>] = &[
        col("date", Kind::Text),
        col("note", Kind::Text),
        col("amount", Kind::Money),
        col("phone", Kind::Phone),
    ];
    impl Rows for Orders {
        fn columns(&self) -> &[Column<'_>] {
            COLS
        }
        fn len(&self) -> usize {
            2
        }
        fn row<'s>(&'s self, i: usize, out: &mut Vec<Cell<'s>>) {
            out.extend([
                Cell::Text("2026-11-22"),
                Cell::Text(if i == 0 {
                    "客户对送货时间很满意，希望下次提前一天电话确认安装时间"
                } else {
                    "short"
                }),
                Cell::Money(Cents(123_456)),
                Cell::Text("13856659633"),
            ]);
        }
    }

    fn doc() -> Document<'static> {
        Document {
            title: "C1 郑霞".into(),
            head: vec![Field::new(
                "as_of",
                "as of",
                Kind::Text,
                Cell::Text("2026-11-22"),
            )],
            blocks: vec![Block {
                key: "profile",
                title: "Profile",
                fields: vec![
                    Field::new("phone", "phone", Kind::Phone, Cell::Text("13856659633")),
                    Field::new("owner", "负责人", Kind::Text, Cell::Text("李娜")),
                    Field::new("score", "score", Kind::Score, Cell::Empty).optional(),
                    Field::new("spend", "spend", Kind::Money, Cell::Money(Cents(5))).note("why"),
                ],
            }],
            sections: vec![Section {
                key: "orders",
                title: "Orders".into(),
                rows: Box::new(Orders),
                total: 3,
                empty: "none".into(),
            }],
        }
    }

    fn rendered(format: DocFormat, show_phone: bool, width: Option<u16>) -> String {
        rendered_doc(&doc(), format, show_phone, width)
    }

    fn rendered_doc(
        doc: &Document<'_>,
        format: DocFormat,
        show_phone: bool,
        width: Option<u16>,
    ) -> String {
        let mut out = Vec::new();
        let options = DocOptions {
            format,
            show_phone,
            color: false,
            width,
        };
        render_document(doc, options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_table_keeps_its_longest_words_whole_when_they_just_fit() {
        use unicode_width::UnicodeWidthStr;
        // The orders' longest words, a space each side, and five borders: 96 columns.
        let least = (10 + 2) + (54 + 2) + (8 + 2) + (11 + 2) + 5;
        let note = "客户对送货时间很满意，希望下次提前一天电话确认安装时间";
        let lines = |width: usize| -> Vec<String> {
            rendered(DocFormat::Table, false, Some(width as u16))
                .lines()
                .map(str::to_string)
                .collect()
        };
        let at = lines(least);
        assert!(at.iter().any(|l| l.contains(note)), "{}", at.join("\n"));
        assert!(at.iter().all(|l| l.width() <= least), "{}", at.join("\n"));
        // One column fewer: the table still fits, the note wraps.
        let under = lines(least - 1);
        assert!(
            under.iter().all(|l| l.width() < least),
            "{}",
            under.join("\n")
        );
        assert!(
            !under.iter().any(|l| l.contains(note)),
            "{}",
            under.join("\n")
        );
    }

    /// A sentence of short words beside one long word.
    struct Words;
    const WORDS: &[Column<'static>] = &[col("note", Kind::Text), col("code", Kind::Text)];
    impl Rows for Words {
        fn columns(&self) -> &[Column<'_>] {
            WORDS
        }
        fn len(&self) -> usize {
            1
        }
        fn row<'s>(&'s self, _: usize, out: &mut Vec<Cell<'s>>) {
            out.extend([
                Cell::Text("one two three four five six seven eight nine ten eleven twelve"),
                Cell::Text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"),
            ]);
        }
    }

    #[test]
    fn a_long_word_beside_a_sentence_is_kept_whole_while_the_sentence_wraps() {
        let mut d = doc();
        d.sections[0].rows = Box::new(Words);
        // The longest words, a space each side, and three borders: 43 columns.
        for width in 43..=80 {
            let text = rendered_doc(&d, DocFormat::Table, false, Some(width));
            assert!(
                text.contains("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"),
                "{width}:\n{text}"
            );
            assert!(text.contains("│ one "), "{width}:\n{text}");
        }
    }

    #[test]
    fn a_phone_the_card_made_itself_is_masked_too() {
        // A phone built into a String (Cell::Owned) goes the way a borrowed one does.
        let mut d = doc();
        d.blocks[0].fields[0] = Field::new(
            "phone",
            "phone",
            Kind::Phone,
            Cell::Owned("13856659633".to_string()),
        );
        for format in [DocFormat::Table, DocFormat::Json, DocFormat::Md] {
            let masked = rendered_doc(&d, format, false, None);
            assert!(!masked.contains("13856659633"), "{format:?}: {masked}");
            assert!(masked.contains("138****9633"), "{format:?}: {masked}");
            let shown = rendered_doc(&d, format, true, None);
            assert!(shown.contains("13856659633"), "{format:?}: {shown}");
        }
    }

    #[test]
    fn json_is_one_object_with_the_usual_value_rules() {
        let v: serde_json::Value =
            serde_json::from_str(&rendered(DocFormat::Json, false, None)).unwrap();
        assert_eq!(v["as_of"], "2026-11-22");
        assert_eq!(v["profile"]["phone"], "138****9633");
        assert_eq!(v["profile"]["score"], serde_json::Value::Null);
        assert_eq!(v["profile"]["spend"], "0.05");
        assert_eq!(v["orders"][0]["amount"], "1234.56");
        assert_eq!(v["orders"][1]["phone"], "138****9633");
        assert_eq!(v["orders_total"], 3);
        let shown: serde_json::Value =
            serde_json::from_str(&rendered(DocFormat::Json, true, None)).unwrap();
        assert_eq!(shown["profile"]["phone"], "13856659633");
        assert_eq!(shown["orders"][0]["phone"], "13856659633");
    }

    #[test]
    fn phones_are_masked_in_every_format_unless_shown() {
        for format in [DocFormat::Table, DocFormat::Json, DocFormat::Md] {
            let masked = rendered(format, false, None);
            assert!(!masked.contains("13856659633"), "{format:?}: {masked}");
            assert!(masked.contains("138****9633"), "{format:?}: {masked}");
            let shown = rendered(format, true, None);
            // The profile's phone and both orders'.
            assert_eq!(
                shown.matches("13856659633").count(),
                3,
                "{format:?}: {shown}"
            );
            assert_eq!(
                masked.matches("138****9633").count(),
                3,
                "{format:?}: {masked}"
            );
        }
    }

    #[test]
    fn the_table_view_aligns_labels_by_display_width_and_fits_the_width() {
        let text = rendered(DocFormat::Table, false, Some(60));
        // "负责人" is 6 columns wide: "phone" is padded to it.
        assert!(text.contains("  phone   138****9633\n"), "{text}");
        assert!(text.contains("  负责人  李娜\n"), "{text}");
        assert!(text.contains("  spend   0.05  (why)\n"), "{text}");
        assert!(
            !text.contains("score"),
            "an empty optional field is left out: {text}"
        );
        assert!(text.contains("Orders (2 of 3, most recent first; --limit 0 shows all)"));
        for line in text.lines() {
            assert!(line.width() <= 60, "{} > 60: {line}", line.width());
        }
        let wide = rendered(DocFormat::Table, false, None);
        assert!(
            wide.lines().any(|l| l.width() > 60),
            "without a width the table keeps its natural width"
        );
    }

    #[test]
    fn md_lists_the_blocks_and_tables_the_sections() {
        let md = rendered(DocFormat::Md, false, None);
        assert!(md.starts_with("# C1 郑霞\n"), "{md}");
        assert!(
            md.contains("## Profile\n\n- **phone**: 138****9633\n"),
            "{md}"
        );
        assert!(md.contains("| date | note | amount | phone |"), "{md}");
    }
}
