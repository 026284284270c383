//! cseval: evaluates an outsourced customer-service provider against its contract.
//!
//! The pipeline, one module per stage: [`cli`] → [`config`] → [`ingest`] → [`normalize`] →
//! [`kpi`] → [`evaluate`] → [`render`]. [`sample`] generates synthetic exports.

/// `println!` for every module below: stdout may be a pipe closed early (`cseval run … |
/// head -1`), and std's `println!` panics then. A failed write to stdout is ignored instead;
/// the report files and the exit code are what count.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod app;
pub mod channel;
pub mod cli;
pub mod columns;
pub mod config;

pub mod error;
pub mod evaluate;
pub mod ingest;

pub mod kpi;

pub mod model;
pub mod normalize;

pub mod render;
pub mod report;
pub mod stats;

pub mod util;
pub mod why;
