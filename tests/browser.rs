//! The monthly report's web page in a real browser: Chromium headless (Debian's
//! `chromium`, which `.ci/run` installs) renders the sample's report to a PNG, to the
//! DOM it built and to a PDF. Without Chromium these tests fail, saying how to get it;
//! `CAREDESK_SKIP_BROWSER=1` skips them, saying so; `CAREDESK_CHROMIUM=PATH` names
//! another build.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::caredesk;

/// The browser, or `None` when asked to skip (said on stderr).
fn chromium() -> Option<PathBuf> {
    if std::env::var_os("CAREDESK_SKIP_BROWSER").is_some_and(|v| !v.is_empty()) {
        eprintln!("CAREDESK_SKIP_BROWSER is set: the browser tests of the report are SKIPPED");
        return None;
    }
    if let Some(p) = std::env::var_os("CAREDESK_CHROMIUM") {
        return Some(p.into());
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Some(dir) = std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .find(|d| d.join(name).is_file())
        {
            return Some(dir.join(name));
        }
    }
    panic!(
        "no Chromium to test the report's page in: apt-get install -y chromium (or set \
         CAREDESK_CHROMIUM=/path/to/chrome; CAREDESK_SKIP_BROWSER=1 skips these tests)"
    );
}

/// The sample's report for October 2026, as a page in a fresh folder.
fn page() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    caredesk()
        .args(["report", "--as-of", "2026-11-22", "--output"])
        .arg(&out)
        .assert()
        .success();
    (dir, out)
}

/// Runs headless Chromium on `page` with `args` (and a profile of its own, no network
/// services, console messages on stderr); its stdout and stderr.
fn headless(browser: &Path, page: &Path, args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    // Read both pipes while it runs, so a full one never blocks it.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("Chromium did not finish in 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "Chromium failed: {err}");
    (out, err)
}

/// The page's console messages, from Chromium's log.
fn console(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// How a screenshot looks: its size, the share of pixels that are not near-white, and
/// how many distinct colours it has.
fn looks(png: &Path) -> (u32, u32, f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut inked = 0usize;
    let mut colours = std::collections::HashSet::new();
    let n = pixels.len() / channels;
    for p in pixels.chunks(channels) {
        if p[..3].iter().any(|&c| c < 235) {
            inked += 1;
        }
        colours.insert((p[0] >> 3, p[1] >> 3, p[2] >> 3));
    }
    (
        info.width,
        info.height,
        inked as f64 / n as f64,
        colours.len(),
    )
}

#[test]
fn the_page_renders_on_a_desk_and_on_a_phone_without_a_console_error() {
    let Some(browser) = chromium() else { return };
    let (dir, page) = page();
    for (name, size) in [("desk", "1280,2400"), ("phone", "390,2400")] {
        let shot = dir.path().join(format!("{name}.png"));
        let (_, log) = headless(
            &browser,
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={size}"),
            ],
        );
        assert_eq!(
            console(&log),
            Vec::<&str>::new(),
            "{name}: console messages"
        );
        let (w, h, inked, colours) = looks(&shot);
        let want_w: u32 = size.split(',').next().unwrap().parse().unwrap();
        assert_eq!((w, h), (want_w, 2400), "{name}");
        assert!(
            inked > 0.03,
            "{name}: only {:.1} % of the screenshot is drawn",
            inked * 100.0
        );
        assert!(colours > 20, "{name}: {colours} colours: blank or flat");
    }
}

#[test]
fn a_page_that_loads_something_is_caught_by_its_own_policy() {
    // The test's own check: were the report to link a font, an image or a script, the
    // page's Content-Security-Policy would block it and the console would say so.
    let Some(browser) = chromium() else { return };
    let (dir, page) = page();
    let text = std::fs::read_to_string(&page).unwrap();
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        text.replacen(
            "</head>",
            "<link rel=\"stylesheet\" href=\"https://fonts.example/x.css\"></head>",
            1,
        ),
    )
    .unwrap();
    let (_, log) = headless(&browser, &bad, &["--dump-dom".into()]);
    assert_eq!(console(&log).len(), 1, "{log}");
    assert!(console(&log)[0].contains("Content Security Policy"));
}

/// Each element `<svg …>…</svg>` of a figure `data-chart="id"` in `dom`, as its count of
/// marks.
fn marks_per_svg(dom: &str, id: &str) -> Vec<usize> {
    let start = dom
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id} in the DOM"));
    let figure = &dom[start..start + dom[start..].find("</figure>").unwrap()];
    figure
        .split("<svg")
        .skip(1)
        .map(|svg| {
            svg.split("</svg>")
                .next()
                .unwrap()
                .matches("class=\"mark\"")
                .count()
        })
        .collect()
}

fn csv(args: &[&str]) -> Vec<Vec<String>> {
    let out = caredesk()
        .args(args)
        .args(["--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn every_chart_the_browser_builds_is_an_svg_with_a_mark_per_value_and_chinese_reads() {
    let Some(browser) = chromium() else { return };
    let (_dir, page) = page();
    let (dom, log) = headless(&browser, &page, &["--dump-dom".into()]);
    assert_eq!(console(&log), Vec::<&str>::new());
    assert!(
        dom.contains("<h1>月度报告 2026-10</h1>"),
        "Chinese decoded as UTF-8"
    );
    assert!(dom.contains("Diamond 钻石会员"));
    assert_eq!(dom.matches("<figure class=\"chart").count(), 3);
    // Tiers: a column per tier and share with a value (tiers --summary as of the month's end).
    let summary = csv(&["tiers", "--summary", "--as-of", "2026-10-31"]);
    let values = summary[1..]
        .iter()
        .map(|r| [&r[2], &r[4]].iter().filter(|v| !v.is_empty()).count())
        .sum::<usize>();
    assert_eq!(marks_per_svg(&dom, "tiers-shares"), [values]);
    // KPIs: an svg per KPI, a marker per month it was assessed in.
    let trend = csv(&[
        "kpi",
        "--from",
        "2025-11-01",
        "--to",
        "2026-10-31",
        "--as-of",
        "2026-10-31",
        "--by",
        "month",
    ]);
    let kpis: Vec<&String> = trend[1..]
        .iter()
        .take_while(|r| r[0] == trend[1][0] && r[1] != "total")
        .map(|r| &r[1])
        .collect();
    assert_eq!(kpis.len(), 13);
    // The item KPIs are drawn for the report's month and the month before, each scored
    // alone (rules.md §11).
    let recent: Vec<Vec<Vec<String>>> = ["2026-09", "2026-10"]
        .iter()
        .map(|m| csv(&["kpi", "--month", m, "--as-of", "2026-10-31"]))
        .collect();
    let item = ["coverage_key", "coverage_rest", "followup_done"];
    let want: Vec<usize> = kpis
        .iter()
        .map(|k| match item.contains(&k.as_str()) {
            true => recent
                .iter()
                .filter(|rows| rows.iter().any(|r| &&r[1] == k && !r[6].is_empty()))
                .count(),
            false => trend[1..]
                .iter()
                .filter(|r| &&r[1] == k && !r[6].is_empty())
                .count(),
        })
        .collect();
    assert_eq!(marks_per_svg(&dom, "kpi-trend"), want);
    // Follow-ups: one bar per owner with a done rate.
    let bars = marks_per_svg(&dom, "followups-done-rate");
    assert_eq!(bars.len(), 1);
    assert_eq!(bars[0], 5, "the sample's five owners each have a rate");
    // The glyphs: a Chinese font is there to draw them (fonts-wqy-microhei in CI).
    let fonts = Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .expect("fc-list runs (fontconfig, installed with Chromium)");
    assert!(
        !String::from_utf8_lossy(&fonts.stdout).trim().is_empty(),
        "no Chinese font: the page would show boxes; apt-get install -y fonts-wqy-microhei"
    );
}

#[test]
fn printed_each_section_starts_a_page() {
    let Some(browser) = chromium() else { return };
    let (dir, page) = page();
    let pdf = dir.path().join("report.pdf");
    let (_, log) = headless(
        &browser,
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    assert_eq!(console(&log), Vec::<&str>::new());
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages >= 8, "{pages} pages for 8 sections");
    // Without the print stylesheet's breaks the same page prints on fewer pages.
    let unbroken = dir.path().join("unbroken.html");
    std::fs::write(
        &unbroken,
        std::fs::read_to_string(&page)
            .unwrap()
            .replace("section { break-before: page; }", ""),
    )
    .unwrap();
    let pdf2 = dir.path().join("unbroken.pdf");
    headless(
        &browser,
        &unbroken,
        &[
            format!("--print-to-pdf={}", pdf2.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    let bytes = std::fs::read(&pdf2).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let fewer = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(
        fewer < pages,
        "breaks add pages: {fewer} without, {pages} with"
    );
}
