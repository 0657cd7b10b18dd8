//! The sources configuration of the scheduler and the crawler: `sources.toml` as it was at
//! build time (compiled in), or the TOML text of the `SOURCES_TOML` variable (the template's
//! `SourcesToml` parameter) when it is set, so sources change with a redeploy of the stack
//! rather than a rebuild.

use jobfeed::config::{self, Config, ConfigError};

/// The repository's `sources.toml`, compiled in.
pub const EMBEDDED: &str = include_str!("../../../sources.toml");

/// The variable that overrides [`EMBEDDED`].
pub const VARIABLE: &str = "SOURCES_TOML";

/// The configuration: `SOURCES_TOML` when set and not empty, else [`EMBEDDED`]. Invalid
/// TOML or sources fail with every problem and its line, naming where the text came from.
pub fn load() -> Result<Config, ConfigError> {
    match crate::env::optional(VARIABLE) {
        Some(text) => config::parse(&text, VARIABLE),
        None => config::parse(EMBEDDED, "sources.toml (built in)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_built_in_sources_are_valid_and_politeness_carries_over() {
        let config = config::parse(EMBEDDED, "sources.toml").unwrap();
        assert!(config.sources.iter().any(|s| s.name == "gitlab"));
        let fetch = jobfeed::crawl::fetch::FetchConfig::from(&config.crawl);
        assert_eq!(fetch.min_delay_per_host, Duration::from_millis(1000));
        assert_eq!(fetch.per_host_concurrency, 1);
        assert!(fetch.user_agent.starts_with("jobfeed/"));
    }
}
