//! The four classic heuristics by name.

use std::str::FromStr;

use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// First fit, in input order.
    FirstFit,
    /// First fit decreasing.
    FirstFitDecreasing,
    /// Best fit decreasing: the used host left with the least normalised free capacity, else a new host.
    BestFitDecreasing,
    /// Worst fit decreasing: the host left with the most normalised free capacity (spreads the load).
    WorstFitDecreasing,
}

impl Method {
    pub const ALL: [Method; 4] =
        [Method::FirstFit, Method::FirstFitDecreasing, Method::BestFitDecreasing, Method::WorstFitDecreasing];

    pub fn name(self) -> &'static str {
        match self {
            Method::FirstFit => "ff",
            Method::FirstFitDecreasing => "ffd",
            Method::BestFitDecreasing => "bfd",
            Method::WorstFitDecreasing => "wfd",
        }
    }
}

impl FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::UnknownName { what: "method", name: s.into() })
    }
}
