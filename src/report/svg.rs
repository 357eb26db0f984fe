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

    /// The elements `<tag ...>` of `svg` whose attributes include `with` (such as
    /// `class="mark"`), each as its attributes.
    fn elements(
        svg: &str,
        tag: &str,
        with: &str,
    ) -> Vec<std::collections::HashMap<String, String>> {
        let open = format!("<{tag} ");
        svg.match_indices(&open)
            .map(|(at, _)| {
                let end = at + svg[at..].find('>').expect("a closed tag");
                let body = &svg[at + open.len()..end];
                let mut attrs = std::collections::HashMap::new();
                for pair in body.trim_end_matches('/').split("\" ") {
                    if let Some((k, v)) = pair.split_once("=\"") {
                        attrs.insert(k.trim().to_string(), v.trim_end_matches('"').to_string());
                    }
                }
                (body.to_string(), attrs)
            })
            .filter(|(body, _)| body.contains(with))
            .map(|(_, attrs)| attrs)
            .collect()
    }

    fn num(attrs: &std::collections::HashMap<String, String>, key: &str) -> f64 {
        attrs[key]
            .parse()
            .unwrap_or_else(|_| panic!("{key}: {:?}", attrs[key]))
    }

    /// The texts of `class` (the labels, the legend's names): each one's x, y and words.
    fn texts(svg: &str, class: &str) -> Vec<(f64, f64, String)> {
        let mut out = Vec::new();
        let open = format!("<text class=\"{class}\" ");
        for (at, _) in svg.match_indices(&open) {
            let rest = &svg[at..];
            let head_end = rest.find('>').unwrap();
            let text_end = rest.find("</text>").unwrap();
            let attrs = &elements(&rest[..=head_end], "text", "")[0];
            out.push((
                num(attrs, "x"),
                num(attrs, "y"),
                rest[head_end + 1..text_end].to_string(),
            ));
        }
        out
    }

    /// Two figures rounded to 0.1 each are this close.
    const CLOSE: f64 = 0.11;

    #[test]
    fn columns_stand_side_by_side_on_the_baseline_at_their_height() {
        let cats = vec!["A".to_string(), "B".into(), "C".into()];
        let a = [Some(dec("0.5")), Some(dec("1")), Some(dec("0.25"))];
        let b = [None, Some(dec("0.8")), Some(dec("0"))];
        let s = [
            Series {
                name: "sales",
                values: &a,
                reference: None,
            },
            Series {
                name: "满意度",
                values: &b,
                reference: None,
            },
        ];
        let svg = columns("t", &cats, &s);
        // The plot: x 48-628, y 24 (100 %) to 236 (0 %); three groups of 193.3, each
        // 70 % bars, two series side by side (67.7 each), 15 % space on each side.
        let (x0, y0, y1, group) = (48.0, 24.0, 236.0, 580.0 / 3.0);
        let bar = group * 0.7 / 2.0;
        let marks = elements(&svg, "rect", "class=\"mark\"");
        assert_eq!(marks.len(), 5);
        let mut k = 0;
        for (c, _) in cats.iter().enumerate() {
            for (j, series) in s.iter().enumerate() {
                let Some(v) = series.values[c] else { continue };
                let m = &marks[k];
                k += 1;
                let v: f64 = v.to_string().parse().unwrap();
                let x = x0 + group * c as f64 + group * 0.15 + bar * j as f64;
                assert!((num(m, "x") - x).abs() < CLOSE, "{c} {j}: {m:?}");
                assert!((num(m, "width") - bar).abs() < CLOSE, "{m:?}");
                assert!((num(m, "height") - (y1 - y0) * v).abs() < CLOSE, "{m:?}");
                assert!(
                    (num(m, "y") + num(m, "height") - y1).abs() < CLOSE,
                    "on the baseline: {m:?}"
                );
            }
        }
        // Each value over the middle of its column, 3 above its top.
        let values = texts(&svg, "value");
        assert_eq!(values.len(), 5);
        for (m, (x, y, _)) in marks.iter().zip(&values) {
            assert!((x - (num(m, "x") + bar / 2.0)).abs() < CLOSE, "{m:?} {x}");
            assert!((y - (num(m, "y") - 3.0)).abs() < CLOSE, "{m:?} {y}");
        }
        // Categories under the middle of their group; gridlines every 25 %.
        let axis = texts(&svg, "axis");
        let grid: Vec<_> = axis.iter().filter(|t| t.2.ends_with('%')).collect();
        for (step, (x, y, label)) in grid.iter().enumerate() {
            assert_eq!(*label, format!("{}%", step * 25));
            assert!(
                (x - (x0 - 4.0)).abs() < CLOSE
                    && (y - (y1 - 53.0 * step as f64 + 4.0)).abs() < CLOSE
            );
        }
        let lines = elements(&svg, "line", "class=\"grid\"");
        assert_eq!(lines.len(), 5);
        for (step, l) in lines.iter().enumerate() {
            assert!(
                (num(l, "y1") - (y1 - 53.0 * step as f64)).abs() < CLOSE,
                "{l:?}"
            );
        }
        let named: Vec<_> = axis.iter().filter(|t| !t.2.ends_with('%')).collect();
        for (c, (x, y, name)) in named.iter().enumerate() {
            assert_eq!(*name, cats[c]);
            assert!(
                (x - (x0 + group * (c as f64 + 0.5))).abs() < CLOSE && (y - 252.0).abs() < CLOSE
            );
        }
        // The legend: a swatch and a name per series, side by side, none over the next.
        let legend = texts(&svg, "legend");
        assert_eq!(
            legend.iter().map(|t| t.2.as_str()).collect::<Vec<_>>(),
            ["sales", "满意度"]
        );
        let swatches: Vec<_> = elements(&svg, "rect", "width=\"10\"");
        assert_eq!(swatches.len(), 2);
        assert_eq!(
            (num(&swatches[0], "x"), num(&swatches[0], "y")),
            (48.0, 277.0)
        );
        for (sw, (x, y, _)) in swatches.iter().zip(&legend) {
            assert!((x - (num(sw, "x") + 14.0)).abs() < CLOSE && (y - 286.0).abs() < CLOSE);
        }
        // "sales" is 5 narrow characters: the next swatch starts 28 + 37.5 further on.
        assert!((num(&swatches[1], "x") - (48.0 + 28.0 + 7.5 * 5.0)).abs() < CLOSE);
        let after_cjk = columns(
            "t",
            &cats,
            &[
                Series {
                    name: "满意",
                    values: &a,
                    reference: None,
                },
                Series {
                    name: "x",
                    values: &a,
                    reference: None,
                },
            ],
        );
        let sw = elements(&after_cjk, "rect", "width=\"10\"");
        assert!(
            (num(&sw[1], "x") - (48.0 + 28.0 + 7.5 * 4.0)).abs() < CLOSE,
            "CJK characters count two"
        );
    }

    #[test]
    fn a_line_runs_across_the_months_at_its_values() {
        let cats: Vec<String> = ["2025-12", "2026-01", "2026-02"].map(String::from).to_vec();
        let v = [Some(dec("0.5")), Some(dec("1")), Some(dec("0"))];
        let s = Series {
            name: "csat",
            values: &v,
            reference: Some(dec("0.75")),
        };
        let svg = line("t", &cats, &s, "none");
        // x 40-308, y 10 (100 %) to 130 (0 %).
        let marks = elements(&svg, "circle", "class=\"mark\"");
        let at: Vec<(f64, f64)> = marks.iter().map(|m| (num(m, "cx"), num(m, "cy"))).collect();
        assert_eq!(at, [(40.0, 70.0), (174.0, 10.0), (308.0, 130.0)]);
        let target = elements(&svg, "line", "class=\"target\"");
        assert_eq!(
            (
                num(&target[0], "y1"),
                num(&target[0], "x1"),
                num(&target[0], "x2")
            ),
            (40.0, 40.0, 308.0)
        );
        let months = texts(&svg, "axis");
        let under: Vec<(f64, f64, &str)> = months
            .iter()
            .filter(|t| !t.2.ends_with('%'))
            .map(|t| (t.0, t.1, t.2.as_str()))
            .collect();
        assert_eq!(
            under,
            [
                (40.0, 144.0, "12"),
                (40.0, 156.0, "2025"),
                (174.0, 144.0, "01"),
                (174.0, 156.0, "2026"),
                (308.0, 144.0, "02")
            ]
        );
        let one = line(
            "t",
            &cats[..1],
            &Series {
                name: "csat",
                values: &v[..1],
                reference: None,
            },
            "none",
        );
        assert_eq!(
            num(&elements(&one, "circle", "class=\"mark\"")[0], "cx"),
            174.0,
            "one month: in the middle"
        );
    }

    #[test]
    fn bars_run_from_the_axis_at_their_values_a_row_each() {
        let cats = vec!["陈静".to_string(), "李娜".into(), "王磊".into()];
        let v = [Some(dec("0.5")), None, Some(dec("1"))];
        let s = Series {
            name: "rate",
            values: &v,
            reference: None,
        };
        let svg = bars("t", &cats, &s, "n/a");
        // x 150-560, rows of 26 from y 34; the chart 34 + 3 * 26 + 30 = 142 high.
        assert!(svg.contains(r#"viewBox="0 0 640 142""#), "{svg}");
        let marks = elements(&svg, "rect", "class=\"mark\"");
        let got: Vec<(f64, f64, f64, f64)> = marks
            .iter()
            .map(|m| (num(m, "x"), num(m, "y"), num(m, "width"), num(m, "height")))
            .collect();
        assert_eq!(
            got,
            [(150.0, 38.0, 205.0, 18.0), (150.0, 90.0, 410.0, 18.0)]
        );
        let values = texts(&svg, "value");
        let at: Vec<(f64, f64, &str)> = values.iter().map(|t| (t.0, t.1, t.2.as_str())).collect();
        assert_eq!(
            at,
            [
                (359.0, 51.0, "50%"),
                (154.0, 77.0, "n/a"),
                (564.0, 103.0, "100%")
            ]
        );
        let names: Vec<(f64, f64)> = texts(&svg, "axis")
            .iter()
            .filter(|t| !t.2.ends_with('%'))
            .map(|t| (t.0, t.1))
            .collect();
        assert_eq!(names, [(142.0, 51.0), (142.0, 77.0), (142.0, 103.0)]);
        let grid: Vec<f64> = elements(&svg, "line", "class=\"grid\"")
            .iter()
            .map(|l| num(l, "x1"))
            .collect();
        assert_eq!(grid, [150.0, 252.5, 355.0, 457.5, 560.0]);
        assert!(elements(&svg, "line", "class=\"grid\"")
            .iter()
            .all(|l| num(l, "y1") == 34.0 && num(l, "y2") == 112.0));
    }
}
