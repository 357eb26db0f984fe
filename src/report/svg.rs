//! Charts drawn as inline SVG for the web page: columns side by side per category, a
//! line over months, horizontal bars. Values are fractions drawn on a 0–100 % scale.
//! Every point with a value is one element of class `mark` carrying its series,
//! category and exact value (`data-*`) and a tooltip; a point without one draws nothing.

use std::fmt::Write as _;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::page::escape;

/// Series colours, told apart also in grey print.
const COLOURS: [&str; 9] = [
    "#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#319795", "#b7791f", "#d53f8c",
    "#4a5568",
];

/// One series of a chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [Option<Decimal>],
    /// A dashed line at this value (a KPI's target).
    pub reference: Option<Decimal>,
}

/// `v` as a percentage for people, 2 decimals at most (`12.5%`).
pub fn percent(v: Decimal) -> String {
    let p = crate::domain::half_up(v * Decimal::ONE_HUNDRED, 2).normalize();
    format!("{p}%")
}

/// `v` drawn on a 0–1 scale, clamped so a share below 0 or above 1 stays in the chart.
fn unit(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0).clamp(0.0, 1.0)
}

fn mark_attributes(out: &mut String, series: &str, category: &str, v: Decimal) {
    let _ = write!(
        out,
        r#" class="mark" data-series="{}" data-category="{}" data-value="{}""#,
        escape(series),
        escape(category),
        v.normalize()
    );
}

fn tooltip(out: &mut String, series: &str, category: &str, v: Decimal) {
    let _ = write!(
        out,
        "<title>{} · {}: {}</title>",
        escape(category),
        escape(series),
        percent(v)
    );
}

/// The percentage gridlines and their labels across `x0..x1` for heights `y0` (100 %)
/// to `y1` (0 %).
fn y_grid(out: &mut String, x0: f64, x1: f64, y0: f64, y1: f64) {
    for step in 0..=4 {
        let y = y1 - (y1 - y0) * f64::from(step) / 4.0;
        let _ = write!(
            out,
            r##"<line class="grid" x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}%</text>"##,
            x0 - 4.0,
            y + 4.0,
            step * 25
        );
    }
}

fn legend(out: &mut String, series: &[Series<'_>], y: f64) {
    let mut x = 48.0;
    for (k, s) in series.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{:.1}" width="10" height="10" fill="{}"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            y - 9.0,
            COLOURS[k % COLOURS.len()],
            x + 14.0,
            y,
            escape(s.name)
        );
        x += 28.0 + 7.5 * s.name.chars().map(wide).sum::<f64>();
    }
}

/// Roughly how many narrow characters wide `c` is (CJK take two).
fn wide(c: char) -> f64 {
    if (c as u32) >= 0x2E80 {
        2.0
    } else {
        1.0
    }
}

/// Columns: per category, the series side by side.
pub fn columns(title: &str, categories: &[String], series: &[Series<'_>]) -> String {
    let (w, h) = (640.0, 300.0);
    let (x0, x1, y0, y1) = (48.0, 628.0, 24.0, 236.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    y_grid(&mut out, x0, x1, y0, y1);
    let n = categories.len().max(1) as f64;
    let group = (x1 - x0) / n;
    let bar = group * 0.7 / series.len().max(1) as f64;
    let labelled = categories.len() * series.len() <= 24;
    for (c, category) in categories.iter().enumerate() {
        let gx = x0 + group * c as f64 + group * 0.15;
        for (k, s) in series.iter().enumerate() {
            let Some(v) = s.values.get(c).copied().flatten() else {
                continue;
            };
            let height = (y1 - y0) * unit(v);
            let x = gx + bar * k as f64;
            out.push_str("<rect");
            mark_attributes(&mut out, s.name, category, v);
            let _ = write!(
                out,
                r#" x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{height:.1}" fill="{}">"#,
                y1 - height,
                COLOURS[k % COLOURS.len()]
            );
            tooltip(&mut out, s.name, category, v);
            out.push_str("</rect>");
            if labelled {
                let _ = write!(
                    out,
                    r#"<text class="value" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    x + bar / 2.0,
                    y1 - height - 3.0,
                    percent(v)
                );
            }
        }
        let _ = write!(
            out,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x0 + group * (c as f64 + 0.5),
            y1 + 16.0,
            escape(category)
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis-line" x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}"/>"#
    );
    legend(&mut out, series, h - 14.0);
    out.push_str("</svg>");
    out
}

/// A line over the categories (months), a marker per value; gaps where there is none.
/// `empty` is said in the chart when no month has a value.
pub fn line(title: &str, categories: &[String], series: &Series<'_>, empty: &str) -> String {
    let (w, h) = (320.0, 170.0);
    let (x0, x1, y0, y1) = (40.0, 308.0, 10.0, 130.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    y_grid(&mut out, x0, x1, y0, y1);
    let n = categories.len();
    let step = if n > 1 {
        (x1 - x0) / (n - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if n > 1 {
            x0 + step * i as f64
        } else {
            (x0 + x1) / 2.0
        }
    };
    let y_of = |v: Decimal| y1 - (y1 - y0) * unit(v);
    if let Some(r) = series.reference {
        let y = y_of(r);
        let _ = write!(
            out,
            r#"<line class="target" x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}"><title>{}</title></line>"#,
            percent(r)
        );
    }
    // The line, broken where a month has no value.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut runs = Vec::new();
    for (i, v) in series.values.iter().enumerate() {
        match v {
            Some(v) => run.push((x_of(i), y_of(*v))),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    for r in runs.iter().filter(|r| r.len() > 1) {
        let points: Vec<String> = r.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            out,
            r#"<polyline class="trend" points="{}" fill="none" stroke="{}"/>"#,
            points.join(" "),
            COLOURS[0]
        );
    }
    for (i, v) in series.values.iter().enumerate() {
        let Some(v) = *v else { continue };
        let category = categories.get(i).map_or("", String::as_str);
        out.push_str("<circle");
        mark_attributes(&mut out, series.name, category, v);
        let _ = write!(
            out,
            r#" cx="{:.1}" cy="{:.1}" r="3.5" fill="{}">"#,
            x_of(i),
            y_of(v),
            COLOURS[0]
        );
        tooltip(&mut out, series.name, category, v);
        out.push_str("</circle>");
    }
    for (i, c) in categories.iter().enumerate() {
        // Each month by its number; under the first and under January, the year.
        let (year, month) = c.split_once('-').unwrap_or(("", c));
        let _ = write!(
            out,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x_of(i),
            y1 + 14.0,
            escape(month)
        );
        if i == 0 || month == "01" {
            let _ = write!(
                out,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x_of(i),
                y1 + 26.0,
                escape(year)
            );
        }
    }
    if series.values.iter().all(Option::is_none) {
        let _ = write!(
            out,
            r#"<text class="empty" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            (x0 + x1) / 2.0,
            (y0 + y1) / 2.0,
            escape(empty)
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per category; a category without a value says `na`.
pub fn bars(title: &str, categories: &[String], series: &Series<'_>, na: &str) -> String {
    let row = 26.0;
    let (x0, x1, y0) = (150.0, 560.0, 34.0);
    let h = y0 + row * categories.len() as f64 + 30.0;
    let w = 640.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    let bottom = y0 + row * categories.len() as f64;
    for step in 0..=4 {
        let x = x0 + (x1 - x0) * f64::from(step) / 4.0;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x:.1}" y1="{y0}" x2="{x:.1}" y2="{bottom:.1}"/><text class="axis" x="{x:.1}" y="{:.1}" text-anchor="middle">{}%</text>"#,
            y0 - 8.0,
            step * 25
        );
    }
    for (c, category) in categories.iter().enumerate() {
        let y = y0 + row * c as f64;
        let _ = write!(
            out,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            x0 - 8.0,
            y + row / 2.0 + 4.0,
            escape(category)
        );
        match series.values.get(c).copied().flatten() {
            Some(v) => {
                let width = (x1 - x0) * unit(v);
                out.push_str("<rect");
                mark_attributes(&mut out, series.name, category, v);
                let _ = write!(
                    out,
                    r#" x="{x0}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{}">"#,
                    y + 4.0,
                    row - 8.0,
                    COLOURS[0]
                );
                tooltip(&mut out, series.name, category, v);
                out.push_str("</rect>");
                let _ = write!(
                    out,
                    r#"<text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
                    x0 + width + 4.0,
                    y + row / 2.0 + 4.0,
                    percent(v)
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
                    x0 + 4.0,
                    y + row / 2.0 + 4.0,
                    escape(na)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_mark_per_value_and_none_for_a_gap() {
        let cats = vec!["A".to_string(), "B".into(), "C".into()];
        let a = [Some(dec("0.5")), None, Some(dec("1.0000"))];
        let b = [Some(dec("0.25")), Some(dec("0")), None];
        let s = [
            Series {
                name: "a",
                values: &a,
                reference: None,
            },
            Series {
                name: "b<&>",
                values: &b,
                reference: None,
            },
        ];
        let svg = columns("t", &cats, &s);
        assert_eq!(svg.matches(r#"class="mark""#).count(), 4, "{svg}");
        assert!(svg.contains(r#"data-series="b&lt;&amp;&gt;""#), "{svg}");
        assert!(svg.contains(r#"data-value="1""#), "{svg}");
        let svg = line("t", &cats, &s[0], "none");
        assert_eq!(svg.matches(r#"class="mark""#).count(), 2);
        assert!(!svg.contains("<polyline"), "a gap between single points");
        let svg = line("t", &cats, &s[1], "none");
        assert_eq!(svg.matches("<polyline").count(), 1);
        let svg = bars("t", &cats, &s[1], "n/a");
        assert_eq!(svg.matches(r#"class="mark""#).count(), 2);
        assert!(svg.contains(">n/a<"));
        let nothing = [None, None, None];
        let empty = Series {
            name: "x",
            values: &nothing,
            reference: Some(dec("0.9")),
        };
        let svg = line("t", &cats, &empty, "nothing assessed");
        assert_eq!(svg.matches(r#"class="mark""#).count(), 0);
        assert!(svg.contains("nothing assessed"));
    }

    #[test]
    fn percentages_for_people() {
        assert_eq!(percent(dec("0.9500")), "95%");
        assert_eq!(percent(dec("0.12345")), "12.35%");
        assert_eq!(percent(dec("1")), "100%");
        assert_eq!(percent(dec("0")), "0%");
    }
}
