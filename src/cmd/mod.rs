//! One module per subcommand: each reads what it needs through the [`Plan`](crate::app::Plan),
//! calls the domain and renders.

pub mod check;
pub mod complaints;
pub mod completions;
pub mod customer;
pub mod due;
pub mod init;
pub mod kpi;
pub mod log;
pub mod man;
pub mod report;
pub mod sql;
pub mod survey;
pub mod tiers;

use crate::app::note;
use crate::error::Error;

/// Prints an error for the user on stderr: every problem on its own line, then a count.
pub fn report_error(error: &Error) {
    match error {
        Error::Invalid(problems) => {
            for p in problems.iter() {
                note(&p.to_string());
            }
            for line in problems.dropped_notes() {
                note(&line);
            }
            match problems.hint() {
                Some(hint) => note(&format!("caredesk: {error}; nothing was computed ({hint})")),
                None => note(&format!(
                    "caredesk: {error}; nothing was computed (run `caredesk check` to list them again)"
                )),
            }
        }
        Error::AlreadyReported(_) => {}
        Error::Usage(_) | Error::NotFound(_) | Error::Io { .. } | Error::Output(_) => {
            note(&format!("caredesk: {error}"))
        }
    }
}
