//! Salary: from structured fields and from free text (`$120k–$150k`, `€60.000 – €75.000`,
//! `£500/day`, `45-55 EUR/hour`, `up to $90k`, `DOE` → none).

use crate::extract::RawSalary;
use crate::model::Salary;

/// Normalizes structured pay: currency to ISO 4217, period word to `SalaryPeriod`, bounds
/// ordered (min ≤ max). `None` when there is no positive figure.
pub fn from_structured(raw: &RawSalary) -> Option<Salary> {
    let _ = raw;
    None
}

/// Finds a pay statement in free text. `None` when there is none (or it is `DOE`,
/// `competitive`, ...). Ranges always have min ≤ max. Never panics.
pub fn parse_salary_text(text: &str) -> Option<Salary> {
    let _ = text;
    None
}
