use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use caredesk::error::{exit, Error};

fn main() -> ExitCode {
    let cli = match caredesk::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(clap_said(&e) as u8),
    };
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

/// Prints what clap made of the arguments instead of a command (help, the version, a
/// usage error) as every output is printed: a closed pipe is success, any other failed
/// write is exit 1 with a message. (clap's own `exit` ignores a failed write:
/// `caredesk --help > /dev/full` exited 0 without a word.) A usage error stays exit 2
/// whether or not its message could be written.
fn clap_said(e: &clap::Error) -> i32 {
    let written = e.print().and_then(|()| std::io::stdout().flush());
    match written {
        Err(w) if !e.use_stderr() && w.kind() != std::io::ErrorKind::BrokenPipe => {
            let e = Error::Output(w);
            caredesk::cmd::report_error(&e);
            e.exit_code()
        }
        _ => e.exit_code(),
    }
}
