//! caredesk: a customer-care desk run from flat files.
//!
//! The library holds the domain: typed records ([`model`]), the policy ([`policy`]),
//! loaders that validate every row ([`load`]), the rules as pure functions ([`domain`]),
//! renderers ([`report`]), and the rules compiled to SQL for a warehouse ([`sql`]). The `caredesk` binary wires them to the command line
//! ([`app`], [`cli`]).

pub mod app;
pub mod cli;
pub mod cmd;
pub mod domain;
pub mod error;
pub mod hint;
pub mod load;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod policy;
pub mod report;
pub mod sql;
