//! The source registry's use cases: import a `sources.toml`, add, enable, disable and remove
//! a source, export the registry; and the configuration the pipeline works from (the
//! registry's once it holds a record, the file's before).

use chrono::{DateTime, Utc};

use super::ingest::{IngestConfig, close_postings};
use crate::config::{Config, ConfigError, Problem, SourceConfig};
use crate::registry::{self, SourceEntry, SourceStatus};
use crate::store::{PostingStore, SourceRegistry, SourceRegistryReader, StoreError, source_index};

/// Why a registry change was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The source text or fields are invalid (every problem, located).
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    /// No record has that name (or it was removed, for enable/disable).
    #[error("no source named `{0}` in the registry")]
    Unknown(String),
    /// A record of that name exists (add never replaces; import does).
    #[error("a source named `{0}` is already registered (`jobfeed sources import` replaces)")]
    Exists(String),
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import changed, by source name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Records created (or brought back from removed).
    pub added: Vec<String>,
    /// Records whose definition or status changed.
    pub updated: Vec<String>,
    /// Records the file describes exactly as stored.
    pub unchanged: Vec<String>,
}

/// Imports a `sources.toml` text: validates all of it first (nothing is written when any
/// source is invalid), then writes each source whose record is missing or differs. Sources
/// in the registry but not in the text are left as they are (`remove` retires one).
pub async fn import(
    registry: &dyn SourceRegistry,
    text: &str,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<ImportReport, RegistryError> {
    let entries = registry::entries_from_toml(text, origin, now)?;
    let stored = registry.registered_sources().await?;
    let mut report = ImportReport::default();
    let mut writes = Vec::new();
    for entry in entries {
        match stored.iter().find(|s| s.name == entry.name) {
            Some(old) if old.same_as(&entry) => report.unchanged.push(entry.name.clone()),
            Some(old) if old.status != SourceStatus::Removed => {
                report.updated.push(entry.name.clone());
                writes.push(entry);
            }
            _ => {
                report.added.push(entry.name.clone());
                writes.push(entry);
            }
        }
    }
    if !writes.is_empty() {
        registry.put_registered_sources(&writes).await?;
    }
    Ok(report)
}

/// Seeds an empty registry from a `sources.toml` text (a new database starts with the
/// file's sources); a registry that holds any record is left alone. Returns whether it
/// seeded.
pub async fn seed(
    registry: &dyn SourceRegistry,
    text: &str,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    if !registry.registered_sources().await?.is_empty() {
        return Ok(false);
    }
    let entries = registry::entries_from_toml(text, origin, now)?;
    registry.put_registered_sources(&entries).await?;
    Ok(true)
}

/// Registers one new source, its `[[source]]` table validated against `base`'s crawl
/// defaults. A name already registered is refused unless that source was removed.
pub async fn add(
    registry: &dyn SourceRegistry,
    table: toml::Table,
    base: &Config,
    now: DateTime<Utc>,
) -> Result<SourceEntry, RegistryError> {
    let entry = SourceEntry::new(table, SourceStatus::Enabled, &base.crawl, now)?;
    if let Some(old) = registry.registered_source(&entry.name).await?
        && old.status != SourceStatus::Removed
    {
        return Err(RegistryError::Exists(entry.name));
    }
    registry
        .put_registered_sources(std::slice::from_ref(&entry))
        .await?;
    Ok(entry)
}

/// Sets a registered source enabled or disabled (a removed source must be added again).
/// Returns the record as stored; unchanged records are not written again.
pub async fn set_enabled(
    registry: &dyn SourceRegistry,
    name: &str,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<SourceEntry, RegistryError> {
    let mut entry = match registry.registered_source(name).await? {
        Some(entry) if entry.status != SourceStatus::Removed => entry,
        _ => return Err(RegistryError::Unknown(name.to_owned())),
    };
    let status = if enabled {
        SourceStatus::Enabled
    } else {
        SourceStatus::Disabled
    };
    if entry.status != status {
        entry.status = status;
        entry.updated_at = now;
        registry
            .put_registered_sources(std::slice::from_ref(&entry))
            .await?;
    }
    Ok(entry)
}

/// What removing a source did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The record, now `removed`.
    pub entry: SourceEntry,
    /// Its postings that were open and are now closed (deleted after the retention
    /// period, as every closed posting is).
    pub closed: u64,
}

/// Removes a source: its record becomes `removed` (kept, so `/sources` can say so; `add`
/// or `import` brings it back) and its open postings close now, as if a complete crawl
/// listed none of them, with the duplicates they led handed over by the ingest rules.
pub async fn remove(
    registry: &dyn SourceRegistry,
    postings: &dyn PostingStore,
    name: &str,
    rules: &IngestConfig,
    now: DateTime<Utc>,
) -> Result<Removal, RegistryError> {
    let mut entry = match registry.registered_source(name).await? {
        Some(entry) => entry,
        None => return Err(RegistryError::Unknown(name.to_owned())),
    };
    if entry.status != SourceStatus::Removed {
        entry.status = SourceStatus::Removed;
        entry.updated_at = now;
        registry
            .put_registered_sources(std::slice::from_ref(&entry))
            .await?;
    }
    let open: Vec<String> = source_index(postings, name)
        .await?
        .into_iter()
        .filter(|e| e.closed_at.is_none())
        .map(|e| e.id)
        .collect();
    let report = close_postings(postings, name, &open, Vec::new(), now, now, rules).await?;
    Ok(Removal {
        entry,
        closed: report.closed,
    })
}

/// The registry as `sources.toml` text (records not removed, by name) and the records that
/// could not be written.
pub async fn export(
    registry: &dyn SourceRegistryReader,
) -> Result<(String, Vec<Problem>), StoreError> {
    Ok(registry::entries_to_toml(
        &registry.registered_sources().await?,
    ))
}

/// Where a pipeline's sources came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourcesOrigin {
    /// The store's registry.
    Registry,
    /// The configuration file (or built-in text): the registry holds no record.
    File,
}

/// The configuration a pipeline works from: `base`'s crawl settings with the registry's
/// sources once it holds any record (removed ones left out, disabled ones kept with
/// `enabled = false`; records that no longer validate are left out and returned as
/// problems), else `base` as it is. One read of the whole registry.
pub async fn effective_config(
    registry: &dyn SourceRegistryReader,
    base: &Config,
) -> Result<(Config, SourcesOrigin, Vec<Problem>), StoreError> {
    let entries = registry.registered_sources().await?;
    if entries.is_empty() {
        return Ok((base.clone(), SourcesOrigin::File, Vec::new()));
    }
    let (config, problems) = registry::config_from_entries(&base.crawl, &entries);
    Ok((config, SourcesOrigin::Registry, problems))
}

/// The source a crawl task names, as the crawler should crawl it now.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolvedSource {
    /// Crawl it (a disabled one is dropped by the crawl use case).
    Source(Box<SourceConfig>),
    /// Its record is `removed`: the task is dropped.
    Removed,
    /// Its record no longer validates (the problem says why).
    Invalid(Problem),
    /// Neither the registry nor the base configuration knows it.
    Unknown,
}

/// Looks up the source `name` for a crawl task: its registry record (one read, so a change
/// applies to the next task without a deploy), else `base`'s source of that name (a
/// registry not in use yet).
pub async fn resolve_source(
    registry: &dyn SourceRegistryReader,
    base: &Config,
    name: &str,
) -> Result<ResolvedSource, StoreError> {
    match registry.registered_source(name).await? {
        Some(entry) if entry.status == SourceStatus::Removed => Ok(ResolvedSource::Removed),
        Some(entry) => Ok(match registry::source_of(&entry, &base.crawl) {
            Ok(source) => ResolvedSource::Source(Box::new(source)),
            Err(problem) => ResolvedSource::Invalid(problem),
        }),
        None => Ok(base
            .sources
            .iter()
            .find(|s| s.name == name)
            .map_or(ResolvedSource::Unknown, |s| {
                ResolvedSource::Source(Box::new(s.clone()))
            })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::posting;
    use crate::app::ingest::ingest_postings;
    use crate::store::PostingReader;
    use crate::store::memory::MemoryStore;

    const FILE: &str = "[[source]]\nname = \"lever\"\nkind = \"lever\"\n\
                        url = \"https://api.lever.co/v0/postings/acme?mode=json\"\n\n\
                        [[source]]\nname = \"wwr\"\nkind = \"rss\"\n\
                        url = \"https://weworkremotely.com/remote-jobs.rss\"\n";

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + chrono::Duration::minutes(minutes)
    }

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[tokio::test]
    async fn importing_twice_writes_once_and_a_changed_source_is_updated() {
        let store = MemoryStore::new();
        let first = import(&store, FILE, "sources.toml", at(0)).await.unwrap();
        assert_eq!(first.added, ["lever", "wwr"]);
        let again = import(&store, FILE, "sources.toml", at(1)).await.unwrap();
        assert_eq!(again.unchanged, ["lever", "wwr"]);
        assert!(again.added.is_empty() && again.updated.is_empty());
        let changed = FILE.replace("remote-jobs.rss", "backend.rss");
        let third = import(&store, &changed, "sources.toml", at(2))
            .await
            .unwrap();
        assert_eq!(third.updated, ["wwr"]);
        let wwr = store.registered_source("wwr").await.unwrap().unwrap();
        assert!(wwr.definition.contains("backend.rss"));
        assert_eq!(wwr.updated_at, at(2));
    }

    #[tokio::test]
    async fn an_invalid_file_writes_nothing() {
        let store = MemoryStore::new();
        let bad = format!("{FILE}\n[[source]]\nname = \"x\"\nkind = \"rss\"\nurl = \"nope\"\n");
        let err = import(&store, &bad, "sources.toml", at(0))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("source `x`"), "{err}");
        assert!(store.registered_sources().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn seeding_fills_only_an_empty_registry() {
        let store = MemoryStore::new();
        assert!(seed(&store, FILE, "sources.toml", at(0)).await.unwrap());
        let other = "[[source]]\nname = \"z\"\nkind = \"rss\"\nurl = \"https://z.example/\"\n";
        assert!(!seed(&store, other, "other.toml", at(1)).await.unwrap());
        assert_eq!(store.registered_sources().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn adding_refuses_a_registered_name_but_brings_back_a_removed_one() {
        let store = MemoryStore::new();
        import(&store, FILE, "sources.toml", at(0)).await.unwrap();
        let base = crate::config::parse(FILE, "sources.toml").unwrap();
        let wwr = table("name = \"wwr\"\nkind = \"rss\"\nurl = \"https://w.example/\"\n");
        let err = add(&store, wwr.clone(), &base, at(1)).await.unwrap_err();
        assert!(matches!(err, RegistryError::Exists(name) if name == "wwr"));
        remove(&store, &store, "wwr", &IngestConfig::default(), at(2))
            .await
            .unwrap();
        let back = add(&store, wwr, &base, at(3)).await.unwrap();
        assert_eq!(back.status, SourceStatus::Enabled);
        let bad = table("name = \"q\"\nkind = \"rss\"\nurl = \"ftp://q\"\n");
        assert!(matches!(
            add(&store, bad, &base, at(4)).await.unwrap_err(),
            RegistryError::Invalid(_)
        ));
    }

    #[tokio::test]
    async fn the_effective_config_is_the_files_until_the_registry_holds_a_record() {
        let store = MemoryStore::new();
        let base = crate::config::parse(FILE, "sources.toml").unwrap();
        let (config, origin, _) = effective_config(&store, &base).await.unwrap();
        assert_eq!((config, origin), (base.clone(), SourcesOrigin::File));
        let only = "[[source]]\nname = \"z\"\nkind = \"rss\"\nurl = \"https://z.example/\"\n";
        import(&store, only, "only.toml", at(0)).await.unwrap();
        set_enabled(&store, "z", false, at(1)).await.unwrap();
        let (config, origin, problems) = effective_config(&store, &base).await.unwrap();
        assert_eq!(origin, SourcesOrigin::Registry);
        assert!(problems.is_empty());
        assert_eq!(config.sources.len(), 1);
        assert!(!config.sources[0].enabled, "disabled: kept, not crawled");
        let err = set_enabled(&store, "nope", true, at(2)).await.unwrap_err();
        assert!(matches!(err, RegistryError::Unknown(_)));
    }

    #[tokio::test]
    async fn removing_a_source_closes_its_open_postings_and_keeps_its_record_as_removed() {
        let store = MemoryStore::new();
        import(&store, FILE, "sources.toml", at(0)).await.unwrap();
        let mine = [posting("lever", "1"), posting("lever", "2")];
        let other = posting("wwr", "3");
        let incoming = mine
            .iter()
            .chain([&other])
            .cloned()
            .map(Into::into)
            .collect();
        ingest_postings(&store, incoming, at(1), &IngestConfig::default())
            .await
            .unwrap();
        // After the postings were fetched (the fixtures stamp them with the clock's now).
        let removal = remove(
            &store,
            &store,
            "lever",
            &IngestConfig::default(),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(removal.closed, 2);
        assert_eq!(removal.entry.status, SourceStatus::Removed);
        let ids: Vec<String> = mine.iter().chain([&other]).map(|p| p.id.clone()).collect();
        let stored = store.get_many(&ids).await.unwrap();
        let closed: Vec<bool> = ids
            .iter()
            .map(|id| {
                stored
                    .iter()
                    .find(|s| &s.posting.id == id)
                    .unwrap()
                    .posting
                    .closed_at
                    .is_some()
            })
            .collect();
        assert_eq!(closed, [true, true, false]);
        let (text, _) = export(&store).await.unwrap();
        assert!(!text.contains("lever") && text.contains("wwr"), "{text}");
    }

    #[tokio::test]
    async fn a_task_resolves_to_the_registry_record_before_the_file() {
        let store = MemoryStore::new();
        let base = crate::config::parse(FILE, "sources.toml").unwrap();
        let file_wwr = resolve_source(&store, &base, "wwr").await.unwrap();
        assert!(
            matches!(file_wwr, ResolvedSource::Source(s) if s.url.as_str().ends_with("remote-jobs.rss"))
        );
        let changed = FILE.replace("remote-jobs.rss", "backend.rss");
        import(&store, &changed, "sources.toml", at(0))
            .await
            .unwrap();
        let registry_wwr = resolve_source(&store, &base, "wwr").await.unwrap();
        assert!(
            matches!(registry_wwr, ResolvedSource::Source(s) if s.url.as_str().ends_with("backend.rss"))
        );
        remove(&store, &store, "wwr", &IngestConfig::default(), Utc::now())
            .await
            .unwrap();
        assert_eq!(
            resolve_source(&store, &base, "wwr").await.unwrap(),
            ResolvedSource::Removed
        );
        assert_eq!(
            resolve_source(&store, &base, "nope").await.unwrap(),
            ResolvedSource::Unknown
        );
    }
}
