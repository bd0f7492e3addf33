//! The core's one error type. The bindings map it to Python exceptions in one place.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The input breaks a precondition of the model; the message names the workload or host index and the field.
    InvalidInput(String),
    /// A name (method, sort key, objective) that the core does not know.
    UnknownName { what: &'static str, name: String },
    /// The caller cancelled the solve (in Python: Ctrl-C).
    Interrupted,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput(message) => write!(f, "{message}"),
            Error::UnknownName { what, name } => write!(f, "unknown {what} {name:?}"),
            Error::Interrupted => write!(f, "interrupted"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
