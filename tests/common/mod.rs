//! Shared by the CLI tests.

/// The binary under test, run from the project root (so `data/` and `config/` resolve).
pub fn caredesk() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("caredesk").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}
