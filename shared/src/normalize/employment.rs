//! Employment type and workplace words from every vocabulary the sources use
//! (schema.org `FULL_TIME`, `Full-time`, `Contractor`, `Werkstudent`, `TELECOMMUTE`, `On-Site`).

use crate::model::{EmploymentType, Workplace};

/// Employment type from one word or phrase. `None` when it names none.
pub fn parse_employment_type(text: &str) -> Option<EmploymentType> {
    let _ = text;
    None
}

/// Workplace from one word or phrase (`TELECOMMUTE`, `remote`, `Hybrid`, `On-Site`,
/// `in office`). `None` when it names none.
pub fn parse_workplace(text: &str) -> Option<Workplace> {
    let _ = text;
    None
}
