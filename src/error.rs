//! Typed errors and exit codes.
//!
//! Every failure the user can act on carries an exit code from `docs/cli.md`, a message that
//! names the file (and the key, row or column where one applies) and, where we know one, a
//! hint on how to fix it. This module only classifies and formats errors; it does not decide
//! whether a problem is fatal (the pipeline stages do that: a bad row is rejected and counted,
//! a bad template stops the run).

use std::fmt;

/// Exit codes, as documented in `docs/cli.md` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Report written.
    Ok = 0,
    /// Runtime failure (I/O, internal error).
    Runtime = 1,
    /// Usage or template error.
    Usage = 2,
    /// Unreadable or invalid input data.
    Input = 3,
    /// Report written but at least one SLA missed (only with `--fail-on-breach`).
    Breach = 4,
}

/// An error with its exit code and an optional hint.
#[derive(Debug)]
pub struct Error {
    pub code: ExitCode,
    pub message: String,
    pub hint: Option<String>,
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            code: ExitCode::Usage,
            message: message.into(),
            hint: None,
        }
    }
    pub fn input(message: impl Into<String>) -> Self {
        Error {
            code: ExitCode::Input,
            message: message.into(),
            hint: None,
        }
    }
    pub fn runtime(message: impl Into<String>) -> Self {
        Error {
            code: ExitCode::Runtime,
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Add a sentence to the hint (where the input was read from, what to try next).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        let note = note.into();
        self.hint = Some(match self.hint.take() {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<polars::prelude::PolarsError> for Error {
    fn from(e: polars::prelude::PolarsError) -> Self {
        Error::runtime(format!("internal computation error: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Attach a file path to an I/O error and classify it.
pub fn io_err(path: &std::path::Path, what: &str, e: std::io::Error) -> Error {
    Error::runtime(format!("{}: cannot {what}: {e}", path.display()))
}
