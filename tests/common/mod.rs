//! Shared by the CLI tests.

#![allow(dead_code)]

/// The binary under test, run from the project root (so `data/` and `config/` resolve).
/// `CAREDESK_BIN=/path/to/caredesk cargo test --test NAME` runs a test file against
/// another build (an old release, to see a new test fail on the defect it covers).
pub fn caredesk() -> assert_cmd::Command {
    let mut cmd = match std::env::var_os("CAREDESK_BIN") {
        Some(bin) => assert_cmd::Command::new(bin),
        None => assert_cmd::Command::cargo_bin("caredesk").unwrap(),
    };
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The path of the binary under test (`CAREDESK_BIN`, else this build's).
pub fn bin() -> std::path::PathBuf {
    std::env::var_os("CAREDESK_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_caredesk").into())
}

/// The same binary as a plain `std::process::Command` (for pipes and signals).
pub fn caredesk_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(bin());
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A copy of the sample data (customers, orders, complaints, contacts, answers) in a temporary
/// folder, with the shipped policy beside it.
pub fn sample_desk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for f in [
        "customers.csv",
        "orders.csv",
        "complaints.csv",
        "contacts.csv",
        "answers.csv",
    ] {
        std::fs::copy(root.join("data").join(f), data.join(f)).unwrap();
    }
    std::fs::copy(
        root.join("config/policy.toml"),
        dir.path().join("policy.toml"),
    )
    .unwrap();
    dir
}

/// `/dev/full` opened for writing: every write to it fails with "no space left".
pub fn full_disk() -> std::process::Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}
