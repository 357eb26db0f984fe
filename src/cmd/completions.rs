//! `caredesk completions SHELL`: the shell's completion script, from the argument
//! definitions themselves (clap_complete), so it never falls behind them.

use std::io::Write;

use clap::CommandFactory;

use crate::error::Result;

pub fn run(shell: clap_complete::Shell) -> Result<()> {
    let mut command = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "caredesk", &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(())
}
