//! Files the way Chinese offices save them: the sample re-encoded as GB18030 and UTF-16,
//! legacy workbooks (.xls, .ods), GB18030 exports. Each must give the UTF-8 answer.

use std::path::Path;

mod common;

use common::caredesk;

const FILES: [&str; 4] = [
    "customers.csv",
    "orders.csv",
    "complaints.csv",
    "contacts.csv",
];

fn sample(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join(name),
    )
    .unwrap()
}

/// The sample's files in `dir`, each spelled by `encode`.
fn sample_in(dir: &Path, encode: impl Fn(&str) -> Vec<u8>) {
    for f in FILES {
        std::fs::write(dir.join(f), encode(&sample(f))).unwrap();
    }
}

fn gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// stdout and stderr of a successful run.
fn run(args: &[&str]) -> (String, String) {
    let out = caredesk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const AS_OF: &str = "2026-11-22";

fn tiers_of(dir: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["tiers", "--as-of", AS_OF, "--format", "csv", "--data"];
    let dir = dir.to_str().unwrap();
    args.push(dir);
    args.extend(extra);
    run(&args)
}

fn utf8_tiers() -> String {
    run(&["tiers", "--as-of", AS_OF, "--format", "csv"]).0
}

#[test]
fn the_sample_in_gb18030_reads_as_in_utf8_detected_or_given() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path(), gb18030);
    let (out, err) = tiers_of(dir.path(), &[]);
    assert_eq!(out, utf8_tiers());
    let note = format!(
        "{}: read as GB18030 (GBK); save as \"CSV UTF-8\" to skip this note",
        dir.path().join("customers.csv").display()
    );
    assert!(err.contains(&note), "{err}");
    // Said once per file, and only for files that are not ASCII (orders.csv is).
    assert_eq!(err.matches("read as GB18030").count(), 1, "{err}");

    let (out, err) = tiers_of(dir.path(), &["--encoding", "gb18030"]);
    assert_eq!(out, utf8_tiers());
    assert!(err.is_empty(), "a given encoding is not a surprise: {err}");
    let (out, _) = tiers_of(dir.path(), &["--quiet"]);
    assert_eq!(out, utf8_tiers());
}

#[test]
fn the_sample_in_utf16_reads_as_in_utf8_by_its_bom_or_given() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path(), |t| utf16le(t, true));
    let (out, err) = tiers_of(dir.path(), &[]);
    assert_eq!(out, utf8_tiers());
    assert!(err.contains("customers.csv: read as UTF-16"), "{err}");

    let bare = tempfile::tempdir().unwrap();
    sample_in(bare.path(), |t| utf16le(t, false));
    let (out, _) = tiers_of(bare.path(), &["--encoding", "utf-16"]);
    assert_eq!(out, utf8_tiers());
}

#[test]
fn utf16_without_a_bom_is_detected_by_its_zero_bytes_either_end_first() {
    // Read as UTF-8 before: a header of "c\0u\0s\0..." and no column found.
    let utf16be = |t: &str| -> Vec<u8> { t.encode_utf16().flat_map(u16::to_be_bytes).collect() };
    for encode in [|t: &str| utf16le(t, false), utf16be] {
        let dir = tempfile::tempdir().unwrap();
        sample_in(dir.path(), encode);
        let (out, err) = tiers_of(dir.path(), &[]);
        assert_eq!(out, utf8_tiers());
        assert!(err.contains("customers.csv: read as UTF-16"), "{err}");
        assert!(err.contains("orders.csv: read as UTF-16"), "{err}");
        let (out, _) = tiers_of(dir.path(), &["--encoding", "utf-16"]);
        assert_eq!(out, utf8_tiers(), "given, either end first");
    }
}

#[test]
fn the_policy_can_name_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path(), |t| utf16le(t, false));
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[input]\nencoding = \"utf-16\"\n").unwrap();
    let (out, _) = tiers_of(dir.path(), &["--policy", policy.to_str().unwrap()]);
    assert_eq!(out, utf8_tiers());
    std::fs::write(&policy, "[input]\nencoding = \"latin-1\"\n").unwrap();
    caredesk()
        .args(["tiers", "--policy", policy.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("latin-1"));
}

#[test]
fn every_input_can_be_gb18030_including_overrides_and_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let overrides = dir.path().join("pins.csv");
    std::fs::write(
        &overrides,
        gb18030("customer_id,tier,reason\nC0001,钻石会员,老客户\n"),
    )
    .unwrap();
    let (out, _) = run(&[
        "tiers",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--overrides",
        overrides.to_str().unwrap(),
    ]);
    assert!(out.contains("C0001,陈刚芳,Diamond,"), "{out}");
    assert!(out.contains(",Diamond,老客户\n"), "{out}");

    let customers = gb18030(&sample("customers.csv"));
    let out = caredesk()
        .args([
            "tiers",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "--customers",
            "/dev/stdin",
        ])
        .write_stdin(customers)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap(), utf8_tiers());
}

#[test]
fn a_byte_valid_in_neither_encoding_is_located() {
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path(), gb18030);
    let path = dir.path().join("customers.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    // Line 3's name: its first character's second byte becomes 0xFF (no GB18030 trail).
    let line3 = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 1;
    let name = line3 + "C0002,".len();
    bytes[name + 1] = 0xFF;
    std::fs::write(&path, bytes).unwrap();
    let out = caredesk()
        .args([
            "check",
            "--as-of",
            AS_OF,
            "--data",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    // The file is read as GB18030 all the same, and said to be.
    let said = String::from_utf8(out.stderr).unwrap();
    let note = format!("{}: read as GB18030 (GBK)", path.display());
    assert!(said.contains(&note), "{said}");
    let out = String::from_utf8(out.stdout).unwrap();
    let expected = format!(
        "{}:3: name: \"\u{FFFD}磊\": bytes 0xC0 0xFF not GB18030 (GBK) text; read as UTF-8 the file breaks in more places, so the rest of it reads as GB18030 (GBK); fix the cell, or save the file as \"CSV UTF-8\"",
        path.display()
    );
    assert!(out.contains(&expected), "{out}");
    assert!(
        out.ends_with("1 problem found\n"),
        "one bad cell, one problem: {out}"
    );
}

#[test]
fn a_utf8_file_given_as_utf8_names_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, gb18030("customer_id,name\nC1,张伟\n")).unwrap();
    caredesk()
        .args(["check", "--encoding", "utf-8", "--customers", customers.to_str().unwrap()])
        .args(["--orders", "tests/fixtures/edge/orders.csv"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "customers.csv:2: name: ",
        ))
        .stdout(predicates::str::contains(
            "expected UTF-8 text: the file was read as UTF-8 (--encoding gb18030 or utf-16 reads it otherwise",
        ));
}

#[test]
fn xls_and_ods_workbooks_read_as_the_csv_files() {
    let (out, _) = run(&[
        "tiers",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--customers",
        "tests/fixtures/legacy/customers.xls",
        "--orders",
        "tests/fixtures/legacy/orders.ods",
    ]);
    assert_eq!(out, utf8_tiers());
    let (out, _) = run(&[
        "check",
        "--as-of",
        AS_OF,
        "--customers",
        "tests/fixtures/legacy/customers.xls#客户",
    ]);
    assert!(out.starts_with("ok: 320 customers, 3389 orders"), "{out}");
}

#[test]
fn an_unknown_output_extension_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let xls = dir.path().join("tiers.xls");
    caredesk()
        .args(["tiers", "--as-of", AS_OF, "--output", xls.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            ".xls is not a format caredesk writes; use .csv, .json, .xlsx, .md or .txt",
        ));
    assert!(!xls.exists());
    // With --format the extension is the user's business.
    caredesk()
        .args([
            "tiers",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "--output",
            xls.to_str().unwrap(),
        ])
        .assert()
        .success();
}

#[test]
fn csv_exports_can_be_written_in_gb18030() {
    let bytes = caredesk()
        .args([
            "tiers",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "--output-encoding",
            "gb18030",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad);
    assert_eq!(text, utf8_tiers());
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "not UTF-8: Chinese names are GBK bytes"
    );
    // And it reads back as it was written.
    let dir = tempfile::tempdir().unwrap();
    let previous = dir.path().join("tiers-gbk.csv");
    std::fs::write(&previous, &bytes).unwrap();
    let (out, _) = run(&[
        "tiers",
        "--as-of",
        AS_OF,
        "--summary",
        "--format",
        "csv",
        "--previous",
        previous.to_str().unwrap(),
    ]);
    assert!(out.contains("Diamond,11,0,0,0,0,0,11"), "{out}");
    caredesk()
        .args(["tiers", "--format", "json", "--output-encoding", "gb18030"])
        .assert()
        .code(2);
}

#[test]
fn log_appends_to_a_gbk_contacts_file_in_gbk() {
    let dir = tempfile::tempdir().unwrap();
    let contacts = dir.path().join("contacts.csv");
    let head =
        "customer_id,rule,source_id,done_on,by,note\nC0151,callback-3d,O03314,2026-11-20,李娜,好\n";
    std::fs::write(&contacts, gb18030(head)).unwrap();
    // C0097's survey call logged into the GBK file; what it says on stderr.
    let log_survey = || {
        let out = caredesk()
            .args([
                "log",
                "C0097",
                "survey",
                "O03308",
                "--on",
                "2026-11-22",
                "--by",
                "王磊",
            ])
            .args(["--note", "满意", "--contacts", contacts.to_str().unwrap()])
            .assert()
            .success()
            .get_output()
            .clone();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = log_survey();
    // Said once: the note was printed twice, by two copies of one loop.
    assert_eq!(
        said.matches("written in GB18030 (GBK), as the file is")
            .count(),
        1,
        "{said}"
    );
    let bytes = std::fs::read(&contacts).unwrap();
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad && std::str::from_utf8(&bytes).is_err(), "still GBK");
    assert_eq!(
        text,
        format!("{head}C0097,survey,O03308,2026-11-22,王磊,满意\n")
    );
    // The same call again is already logged: nothing is written, so nothing is said of
    // the file's encoding, and its bytes stay as they are.
    let said = log_survey();
    assert!(!said.contains("as the file is"), "{said}");
    assert_eq!(std::fs::read(&contacts).unwrap(), bytes);
    // And it still reads: the due list knows the item is done.
    caredesk()
        .args([
            "check",
            "--as-of",
            AS_OF,
            "--contacts",
            contacts.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("2 contacts logged"));
    // Quiet, the note is not said; a UTF-8 log added to has no note at all.
    let logged = |contacts: &std::path::Path, extra: &[&str]| {
        let out = caredesk()
            .args([
                "log",
                "C0233",
                "callback-3d",
                "O03297",
                "--on",
                "2026-11-22",
            ])
            .args(["--by", "王磊", "--contacts", contacts.to_str().unwrap()])
            .args(extra)
            .assert()
            .success()
            .get_output()
            .clone();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let quiet = logged(&contacts, &["--quiet"]);
    assert!(!quiet.contains("as the file is"), "{quiet}");
    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, head).unwrap();
    let said = logged(&plain, &[]);
    assert!(!said.contains("as the file is"), "{said}");
}

#[test]
fn a_gbk_line_pasted_into_a_utf8_file_is_one_problem_per_cell_not_per_byte() {
    // Before: one problem per byte that broke (ten for this line), each saying the bytes
    // were "nor GB18030", which they are.
    let dir = tempfile::tempdir().unwrap();
    sample_in(dir.path(), |t| t.as_bytes().to_vec());
    let customers = sample("customers.csv");
    let mut bytes = Vec::new();
    for (i, line) in customers.split_inclusive('\n').enumerate() {
        match i {
            5 => bytes.extend(gb18030(line)),
            _ => bytes.extend(line.as_bytes()),
        }
    }
    std::fs::write(dir.path().join("customers.csv"), bytes).unwrap();
    let out = caredesk()
        .args(["check", "--as-of", AS_OF, "--data"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let line6: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("customers.csv:6:"))
        .collect();
    assert_eq!(line6.len(), 2, "one per cell (name, store): {said}");
    assert!(line6[0].contains(": name: "), "{said}");
    assert!(
        line6[1].contains(": store: ")
            && line6[1]
                .contains("not UTF-8 text; read as GB18030 (GBK) the file breaks in more places"),
        "{said}"
    );
    assert!(!said.contains("nor GB18030"), "{said}");
}
