//! The source registry's records (domain): each source kept as its `[[source]]` table, as
//! TOML text, with a status; how a `sources.toml` text becomes records (import) and records
//! become one again (export); and the configuration the scheduler and the crawler work from.
//!
//! The table is kept as given (only the fields the operator set), so a source picks up the
//! crawl defaults of the day it is read, exactly as it would from `sources.toml`, and an
//! export gives back what was imported.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{self, Config, ConfigError, CrawlDefaults, Problem, SourceConfig};

/// Where registry problems say they come from.
pub const ORIGIN: &str = "source registry";

/// What the pipeline does with a registered source.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    /// Crawled on its schedule.
    Enabled,
    /// Not crawled; its postings stay open.
    Disabled,
    /// Gone: not crawled, its postings closed (and deleted after the retention period). The
    /// record stays so `/sources` can say so.
    Removed,
}

impl SourceStatus {
    /// The lower-case name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Enabled => "enabled",
            SourceStatus::Disabled => "disabled",
            SourceStatus::Removed => "removed",
        }
    }

    /// Reads [`SourceStatus::as_str`] back; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "enabled" => Some(SourceStatus::Enabled),
            "disabled" => Some(SourceStatus::Disabled),
            "removed" => Some(SourceStatus::Removed),
            _ => None,
        }
    }
}

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One registered source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// The source's name (also inside `definition`).
    pub name: String,
    /// Its `[[source]]` table as TOML text, without `enabled` (the status says that).
    pub definition: String,
    /// Whether it is crawled, paused or gone.
    pub status: SourceStatus,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl SourceEntry {
    /// A record of `table` (one `[[source]]` table) with `status`, after validating it against
    /// `crawl` as `sources.toml` would (every problem at once, under [`ORIGIN`]). An
    /// `enabled` key in the table decides the status unless `status` is `Removed`.
    pub fn new(
        mut table: toml::Table,
        status: SourceStatus,
        crawl: &CrawlDefaults,
        now: DateTime<Utc>,
    ) -> Result<SourceEntry, ConfigError> {
        let (mut sources, problems) = config::validate_tables(vec![(0, table.clone())], crawl);
        let source = match sources.pop() {
            Some(source) if problems.is_empty() => source,
            _ => {
                return Err(ConfigError {
                    origin: ORIGIN.to_owned(),
                    problems,
                });
            }
        };
        table.remove("enabled");
        let status = match status {
            SourceStatus::Removed => SourceStatus::Removed,
            _ if !source.enabled => SourceStatus::Disabled,
            _ => SourceStatus::Enabled,
        };
        Ok(SourceEntry {
            name: source.name,
            definition: toml::to_string(&table).map_err(|e| ConfigError {
                origin: ORIGIN.to_owned(),
                problems: vec![Problem {
                    line: 0,
                    source: None,
                    message: format!("cannot write the source back as TOML: {e}"),
                }],
            })?,
            status,
            updated_at: now,
        })
    }

    /// The `[[source]]` table of the record (with `enabled = false` when disabled), or a
    /// problem when the stored text is not a TOML table.
    pub fn table(&self) -> Result<toml::Table, Problem> {
        let mut table: toml::Table = toml::from_str(&self.definition).map_err(|e| Problem {
            line: 0,
            source: Some(self.name.clone()),
            message: format!("stored definition is not TOML: {}", e.message()),
        })?;
        if self.status != SourceStatus::Enabled {
            table.insert("enabled".into(), toml::Value::Boolean(false));
        }
        Ok(table)
    }

    /// Whether `other` would change nothing if written over this record (the time aside).
    pub fn same_as(&self, other: &SourceEntry) -> bool {
        self.name == other.name
            && self.status == other.status
            && self.definition == other.definition
    }
}

/// The records of a `sources.toml` text, in file order, after validating the whole text as
/// `config::parse` does (every problem at once, with lines). `origin` names the text in
/// messages.
pub fn entries_from_toml(
    text: &str,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SourceEntry>, ConfigError> {
    let parsed = config::parse(text, origin)?;
    // The text parsed, so it is a table whose `source` is an array of valid tables, one per
    // validated source and in the same order.
    let document: toml::Table = toml::from_str(text).map_err(|e| ConfigError {
        origin: origin.to_owned(),
        problems: vec![Problem {
            line: 1,
            source: None,
            message: e.message().to_owned(),
        }],
    })?;
    let tables = match document.get("source") {
        Some(toml::Value::Array(tables)) => tables.clone(),
        _ => Vec::new(),
    };
    tables
        .into_iter()
        .filter_map(|value| match value {
            toml::Value::Table(table) => Some(table),
            _ => None,
        })
        .zip(&parsed.sources)
        .map(|(table, source)| {
            SourceEntry::new(table, SourceStatus::Enabled, &parsed.crawl, now).map_err(|mut e| {
                e.origin = origin.to_owned();
                for problem in &mut e.problems {
                    problem.line = source.line;
                }
                e
            })
        })
        .collect()
}

/// The records not removed, in name order.
fn live_by_name(entries: &[SourceEntry]) -> Vec<&SourceEntry> {
    let mut kept: Vec<&SourceEntry> = entries
        .iter()
        .filter(|e| e.status != SourceStatus::Removed)
        .collect();
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    kept
}

/// `sources.toml` text of the records not removed, in name order: one `[[source]]` table
/// each, a disabled one with `enabled = false`. Records whose stored text cannot be read
/// are left out and reported.
pub fn entries_to_toml(entries: &[SourceEntry]) -> (String, Vec<Problem>) {
    let kept = live_by_name(entries);
    let mut problems = Vec::new();
    let mut text = String::new();
    for entry in kept {
        match entry.table() {
            Ok(table) => {
                let mut document = toml::Table::new();
                document.insert(
                    "source".into(),
                    toml::Value::Array(vec![toml::Value::Table(table)]),
                );
                match toml::to_string(&document) {
                    Ok(one) => {
                        if !text.is_empty() {
                            text.push('\n');
                        }
                        text.push_str(&one);
                    }
                    Err(e) => problems.push(Problem {
                        line: 0,
                        source: Some(entry.name.clone()),
                        message: format!("cannot write as TOML: {e}"),
                    }),
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    (text, problems)
}

/// The configuration the registry describes: `crawl` settings, and the sources of the
/// records that are not removed, in name order (a disabled one with `enabled = false`, so
/// the scheduler passes it by). A record that no longer validates (say, a kind this release
/// cannot read) is left out and reported, so one bad record never stops the others.
pub fn config_from_entries(
    crawl: &CrawlDefaults,
    entries: &[SourceEntry],
) -> (Config, Vec<Problem>) {
    let kept = live_by_name(entries);
    let mut problems = Vec::new();
    let tables = kept
        .into_iter()
        .filter_map(|entry| entry.table().map_err(|p| problems.push(p)).ok())
        .map(|table| (0, table))
        .collect();
    let (sources, invalid) = config::validate_tables(tables, crawl);
    problems.extend(invalid);
    (
        Config {
            crawl: crawl.clone(),
            sources,
        },
        problems,
    )
}

/// The one source of `entry`, validated against `crawl`; `None` (with the problem) when it
/// is removed or no longer valid.
pub fn source_of(entry: &SourceEntry, crawl: &CrawlDefaults) -> Result<SourceConfig, Problem> {
    if entry.status == SourceStatus::Removed {
        return Err(Problem {
            line: 0,
            source: Some(entry.name.clone()),
            message: "the source was removed".into(),
        });
    }
    let (mut sources, mut problems) = config::validate_tables(vec![(0, entry.table()?)], crawl);
    match sources.pop() {
        Some(source) => Ok(source),
        None => Err(problems.pop().unwrap_or(Problem {
            line: 0,
            source: Some(entry.name.clone()),
            message: "invalid source".into(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[crawl]
schedule = "every 2h"

[[source]]
name = "wwr"
kind = "rss"
url = "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss"

[[source]]
name = "site"
kind = "html"
url = "https://careers.example.com/jobs"
enabled = false
schedule = "every 1d"

[source.listing]
links = "a.job"
next = "a.next"
"#;

    fn now() -> DateTime<Utc> {
        DateTime::UNIX_EPOCH
    }

    #[test]
    fn a_sources_file_becomes_records_that_keep_only_the_fields_given() {
        let entries = entries_from_toml(FILE, "sources.toml", now()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "wwr");
        assert_eq!(entries[0].status, SourceStatus::Enabled);
        assert!(
            !entries[0].definition.contains("schedule"),
            "{}",
            entries[0].definition
        );
        assert_eq!(entries[1].status, SourceStatus::Disabled);
        assert!(!entries[1].definition.contains("enabled"));
        assert!(entries[1].definition.contains("a.next"));
    }

    #[test]
    fn export_then_import_gives_back_the_same_records() {
        let entries = entries_from_toml(FILE, "sources.toml", now()).unwrap();
        let (text, problems) = entries_to_toml(&entries);
        assert!(problems.is_empty());
        let mut again = entries_from_toml(&text, "export", now()).unwrap();
        again.sort_by(|a, b| b.name.cmp(&a.name));
        assert_eq!(entries, again, "{text}");
        let config = config::parse(&text, "export").unwrap();
        assert!(!config.sources[0].enabled, "{text}");
    }

    #[test]
    fn an_invalid_file_is_refused_with_every_problem_and_its_line() {
        let text = "[[source]]\nname = \"a\"\nkind = \"rss\"\nurl = \"ftp://x\"\n\n\
                    [[source]]\nname = \"b\"\nkind = \"nope\"\nurl = \"https://b.example/\"\n";
        let err = entries_from_toml(text, "f.toml", now())
            .unwrap_err()
            .to_string();
        assert!(err.contains("f.toml:1: source `a`"), "{err}");
        assert!(err.contains("f.toml:6: source `b`"), "{err}");
    }

    #[test]
    fn the_registry_config_takes_crawl_defaults_of_the_day_and_skips_removed_and_broken_records() {
        let mut entries = entries_from_toml(FILE, "sources.toml", now()).unwrap();
        entries.push(SourceEntry {
            name: "gone".into(),
            definition: "name = \"gone\"\nkind = \"rss\"\nurl = \"https://g.example/\"\n".into(),
            status: SourceStatus::Removed,
            updated_at: now(),
        });
        entries.push(SourceEntry {
            name: "broken".into(),
            definition: "name = \"broken\"\nkind = \"gopher\"\nurl = \"https://b.example/\"\n"
                .into(),
            status: SourceStatus::Enabled,
            updated_at: now(),
        });
        let crawl = CrawlDefaults {
            schedule: config::Schedule(chrono::Duration::minutes(45)),
            ..CrawlDefaults::default()
        };
        let (config, problems) = config_from_entries(&crawl, &entries);
        let names: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["site", "wwr"]);
        assert_eq!(config.sources[1].schedule.0, chrono::Duration::minutes(45));
        assert!(!config.sources[0].enabled);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].source.as_deref(), Some("broken"));
    }

    #[test]
    fn a_record_built_from_a_table_is_validated_like_a_file() {
        let mut table = toml::Table::new();
        table.insert("name".into(), "x".into());
        table.insert("kind".into(), "greenhouse".into());
        table.insert("url".into(), "not a url".into());
        let err = SourceEntry::new(
            table,
            SourceStatus::Enabled,
            &CrawlDefaults::default(),
            now(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("source registry"), "{err}");
        assert!(err.contains("source `x`"), "{err}");
    }
}
