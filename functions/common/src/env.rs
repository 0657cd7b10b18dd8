//! Configuration from environment variables (the names `template.yaml` sets). A missing or
//! malformed variable stops the function during init with a message naming it, rather than
//! failing every invocation later.

use std::str::FromStr;

/// A variable that is missing or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    /// A required variable is unset or empty.
    #[error(
        "environment variable {0} is not set (Lambda or template.yaml sets it on every function that needs it; see the README's function configuration)"
    )]
    Missing(String),
    /// A variable is set but not a valid value.
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: String,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: String,
    },
}

/// The value of `name`, which must be set and not empty.
pub fn required(name: &str) -> Result<String, EnvError> {
    optional(name).ok_or_else(|| EnvError::Missing(name.to_owned()))
}

/// The value of `name`, or `None` when it is unset or empty.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `name` parsed as `T`, or `default` when it is unset or empty.
pub fn parsed<T>(name: &str, default: T) -> Result<T, EnvError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(value) => value.parse().map_err(|e: T::Err| EnvError::Invalid {
            name: name.to_owned(),
            reason: e.to_string(),
            value,
        }),
    }
}

/// The value of `name` parsed as a `T` between `min` and `max` (inclusive), or `default`
/// when unset or empty. A value out of range is an error naming the variable and the range,
/// never a panic later where it is used (a `Duration` of billions of days).
pub fn bounded<T>(name: &str, default: T, min: T, max: T) -> Result<T, EnvError>
where
    T: FromStr + PartialOrd + std::fmt::Display,
    T::Err: std::fmt::Display,
{
    let value = parsed(name, default)?;
    if value < min || value > max {
        return Err(EnvError::Invalid {
            name: name.to_owned(),
            value: value.to_string(),
            reason: format!("must be between {min} and {max}"),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_out_of_range_is_an_error_naming_the_variable_and_the_range() {
        // SAFETY (tests): this variable is used by this test alone.
        unsafe { std::env::set_var("JOBFEED_TEST_BOUNDED_DAYS", "200000000000") };
        let error = bounded::<i64>("JOBFEED_TEST_BOUNDED_DAYS", 30, 1, 3650).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("JOBFEED_TEST_BOUNDED_DAYS"), "{text}");
        assert!(text.contains("between 1 and 3650"), "{text}");
        unsafe { std::env::set_var("JOBFEED_TEST_BOUNDED_DAYS", "90") };
        assert_eq!(
            bounded::<i64>("JOBFEED_TEST_BOUNDED_DAYS", 30, 1, 3650).unwrap(),
            90
        );
        unsafe { std::env::remove_var("JOBFEED_TEST_BOUNDED_DAYS") };
        assert_eq!(
            bounded::<i64>("JOBFEED_TEST_BOUNDED_DAYS", 30, 1, 3650).unwrap(),
            30
        );
    }

    #[test]
    fn a_missing_variable_is_named_in_the_error() {
        let error = required("JOBFEED_TEST_SURELY_UNSET").unwrap_err();
        assert_eq!(error, EnvError::Missing("JOBFEED_TEST_SURELY_UNSET".into()));
        assert!(
            error
                .to_string()
                .contains("JOBFEED_TEST_SURELY_UNSET is not set")
        );
        assert_eq!(parsed("JOBFEED_TEST_SURELY_UNSET", 7_u32), Ok(7));
    }

    #[test]
    fn a_malformed_number_names_the_variable_and_its_value() {
        // PATH is always set and never a number.
        let error = parsed::<u32>("PATH", 1).unwrap_err();
        let EnvError::Invalid { name, reason, .. } = error else {
            panic!("an invalid value");
        };
        assert_eq!(name, "PATH");
        assert_eq!(reason, "invalid digit found in string");
    }
}
