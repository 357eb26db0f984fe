//! `caredesk man`: the manual page (roff), from the argument definitions (clap_mangen):
//! the command, then a section per subcommand with its options and examples.

use std::io::Write;

use clap::CommandFactory;

use crate::error::Result;

pub fn run() -> Result<()> {
    let mut out = Vec::new();
    page(&mut out)?;
    std::io::stdout().lock().write_all(&out)?;
    Ok(())
}

/// Writes the page: `caredesk(1)` with every subcommand's help as a section.
pub fn page(out: &mut Vec<u8>) -> std::io::Result<()> {
    let command = crate::cli::Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for sub in command.get_subcommands() {
        let name = sub.get_name().to_string();
        let sub_man = clap_mangen::Man::new(sub.clone().bin_name(format!("caredesk {name}")));
        let mut body = Vec::new();
        sub_man.render_synopsis_section(&mut body)?;
        sub_man.render_description_section(&mut body)?;
        sub_man.render_options_section(&mut body)?;
        sub_man.render_extra_section(&mut body)?;
        // The parts go under one heading per subcommand, not a heading each.
        writeln!(out, ".SH \"CAREDESK {}\"", name.to_uppercase())?;
        for line in String::from_utf8_lossy(&body).split_inclusive('\n') {
            if !line.starts_with(".SH ") {
                out.extend_from_slice(line.as_bytes());
            }
        }
    }
    man.render_extra_section(out)?;
    man.render_version_section(out)?;
    Ok(())
}
