//! Help, completions and the manual page, generated from the argument definitions.

mod common;

use common::caredesk;
use predicates::prelude::*;

fn stdout(args: &[&str]) -> String {
    let out = caredesk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn completions_are_generated_for_every_shell() {
    for (shell, mark) in [
        ("bash", "complete -F _caredesk"),
        ("zsh", "#compdef caredesk"),
        ("fish", "complete -c caredesk"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains(mark), "{shell}: {script:.200}");
        assert!(
            script.contains("quiet-empty"),
            "{shell} completes due's own options"
        );
    }
    caredesk().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_page_covers_every_command() {
    let page = stdout(&["man"]);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH caredesk"),
        "{page:.300}"
    );
    for section in [
        "CAREDESK TIERS",
        "CAREDESK DUE",
        "CAREDESK INIT",
        "CAREDESK CHECK",
    ] {
        assert!(page.contains(section), "{section}");
    }
    assert!(page.contains("quiet\\-empty"), "due's options are in it");
}

#[test]
fn every_help_groups_its_options() {
    for command in ["tiers", "due", "kpi", "complaints"] {
        let help = stdout(&[command, "--help"]);
        for heading in ["Inputs:", "Output:"] {
            assert!(
                help.contains(heading),
                "{command} --help: {heading}\n{help}"
            );
        }
        assert!(help.contains("Examples:"), "{command} --help has examples");
    }
    let due = stdout(&["due", "--help"]);
    assert!(due.contains("Call list:"), "{due}");
    assert!(
        due.contains("--as-of (shared by every command) is the day the data is read as of"),
        "{due}"
    );
    for command in ["check", "log", "init"] {
        stdout(&[command, "--help"])
            .contains("Examples:")
            .then_some(())
            .expect(command);
    }
    caredesk()
        .args(["init", "--help"])
        .assert()
        .stdout(predicate::str::contains("never over an"));
}
