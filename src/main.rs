use std::process::ExitCode;

use clap::Parser;

use caredesk::error::exit;

fn main() -> ExitCode {
    let cli = caredesk::cli::Cli::parse();
    let now = chrono::Local::now().naive_local();
    let code = match caredesk::app::run(cli, now) {
        Ok(()) => exit::OK,
        // `caredesk tiers | head` closes the pipe early: that is success.
        Err(e) if e.is_closed_pipe() => exit::OK,
        Err(e) => {
            caredesk::cmd::report_error(&e);
            e.exit_code()
        }
    };
    ExitCode::from(code as u8)
}
