//! `jobfeed sources`: the source registry of the local database or, with `--dynamodb TABLE`,
//! of the deployed table (list, import, export, add, remove, enable, disable); and the
//! sources `crawl` and `serve` work from (the database's registry, seeded from
//! `sources.toml` when new).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use jobfeed::app::ingest::IngestConfig;
use jobfeed::app::registry::{self, SourcesOrigin};
use jobfeed::config::{self, Config};
use jobfeed::registry::{SourceEntry, SourceStatus, entries_from_toml};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env};
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{SourceRegistryReader, Store};

/// Arguments of `jobfeed sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    target: Target,
}

/// Which registry a `sources` command works on.
#[derive(Debug, Args)]
struct Target {
    /// The sources configuration: the crawl defaults sources are validated against, and the
    /// seed of a new database.
    #[arg(
        long,
        default_value = "sources.toml",
        value_name = "FILE",
        global = true
    )]
    config: PathBuf,
    /// The SQLite database file (created, and seeded from `--config`, when missing).
    #[arg(long, default_value = "jobfeed.db", value_name = "FILE", global = true)]
    db: PathBuf,
    /// Work on the registry in this deployed DynamoDB table instead of the database file
    /// (region and credentials from the usual AWS chain: environment, profile, SSO cache,
    /// instance role).
    #[arg(long, value_name = "TABLE", global = true)]
    dynamodb: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List the sources with their status and crawl state (the default).
    List,
    /// Add the sources of a sources.toml that are new and update those that changed; nothing
    /// is written when any source is invalid. Sources not in the file are kept.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Print the registry as sources.toml (disabled sources with `enabled = false`).
    Export,
    /// Register one source (the fields of a `[[source]]` table).
    Add(AddArgs),
    /// Remove a source: it is no longer crawled and its open postings close now (closed
    /// postings are deleted after the retention period); `/sources` shows it as removed.
    Remove {
        /// The source's name.
        name: String,
    },
    /// Crawl a disabled source again.
    Enable {
        /// The source's name.
        name: String,
    },
    /// Stop crawling a source but keep its postings open.
    Disable {
        /// The source's name.
        name: String,
    },
}

/// The fields of `jobfeed sources add`.
#[derive(Debug, Args)]
struct AddArgs {
    /// Unique name; part of every posting id of the source.
    #[arg(long, required_unless_present_any = ["toml", "catalog"])]
    name: Option<String>,
    /// Which extractor reads it (README: "Source kinds").
    #[arg(long, required_unless_present_any = ["toml", "catalog"])]
    kind: Option<String>,
    /// The URL fetched first.
    #[arg(long, required_unless_present_any = ["toml", "catalog"])]
    url: Option<String>,
    /// Company name to use instead of the source's.
    #[arg(long)]
    company: Option<String>,
    /// How often it is crawled (`every 30m`).
    #[arg(long)]
    schedule: Option<String>,
    /// Pages followed per crawl.
    #[arg(long)]
    max_pages: Option<u32>,
    /// Another host its links may go to (repeatable).
    #[arg(long = "extra-host", value_name = "HOST")]
    extra_hosts: Vec<String>,
    /// The whole `[[source]]` table as TOML text instead of the flags (for `html` recipes):
    /// `--toml "$(cat one-source.toml)"`.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["name", "kind", "url"])]
    toml: Option<String>,
    /// A board of the built-in catalog instead of the flags: `KIND/ID` (as `jobfeed catalog
    /// search` prints it) or a company's whole name when only one entry has it. A board
    /// already registered (under any name) is not added again.
    #[arg(long, value_name = "KIND/ID|NAME", conflicts_with_all = ["name", "kind", "url", "toml"])]
    catalog: Option<String>,
}

impl AddArgs {
    /// The `[[source]]` table the flags (or `--toml`) describe.
    fn table(&self) -> anyhow::Result<toml::Table> {
        let catalog_text = match &self.catalog {
            Some(key) => Some(crate::catalog::ready_suggestion(key)?.to_toml()),
            None => None,
        };
        if let Some(text) = catalog_text.as_ref().or(self.toml.as_ref()) {
            // `[[source]]` header or not: both read as one table.
            let document: toml::Table = toml::from_str(text).context("reading --toml")?;
            return Ok(match document.get("source") {
                Some(toml::Value::Array(tables)) if tables.len() == 1 => match &tables[0] {
                    toml::Value::Table(table) => table.clone(),
                    _ => bail!("--toml: `source` is not a table"),
                },
                Some(_) => bail!("--toml holds more than one source: use `jobfeed sources import`"),
                None => document,
            });
        }
        let mut table = toml::Table::new();
        let mut put = |key: &str, value: Option<toml::Value>| {
            if let Some(value) = value {
                table.insert(key.to_owned(), value);
            }
        };
        put("name", self.name.clone().map(Into::into));
        put("kind", self.kind.clone().map(Into::into));
        put("url", self.url.clone().map(Into::into));
        put("company", self.company.clone().map(Into::into));
        put("schedule", self.schedule.clone().map(Into::into));
        put("max_pages", self.max_pages.map(|n| i64::from(n).into()));
        if !self.extra_hosts.is_empty() {
            put(
                "extra_hosts",
                Some(toml::Value::Array(
                    self.extra_hosts.iter().cloned().map(Into::into).collect(),
                )),
            );
        }
        Ok(table)
    }
}

/// The configuration file, or defaults with no source when it does not exist.
fn base_config(path: &Path) -> anyhow::Result<(Config, Option<String>)> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let config = config::parse(&text, &path.display().to_string())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok((config, Some(text)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((
            Config {
                crawl: config::CrawlDefaults::default(),
                sources: Vec::new(),
            },
            None,
        )),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Opens the database file and seeds its empty registry from the configuration file.
pub async fn open_local(config: &Path, db: &Path) -> anyhow::Result<(Arc<SqliteStore>, Config)> {
    let store = Arc::new(
        SqliteStore::open(db).with_context(|| format!("opening the database {}", db.display()))?,
    );
    let (base, text) = base_config(config)?;
    if let Some(text) = &text
        && registry::seed(
            store.as_ref(),
            text,
            &config.display().to_string(),
            Utc::now(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        eprintln!(
            "jobfeed: the database's source registry starts with the {} sources of {}",
            base.sources.len(),
            config.display()
        );
    }
    Ok((store, base))
}

/// The sources `crawl` and `serve` work from: the database's registry (seeded from the
/// configuration file when new), with the file's crawl settings. Says on stderr when the
/// file no longer matches the registry, and which registry records no longer validate.
pub async fn local_sources(config: &Path, db: &Path) -> anyhow::Result<(Arc<SqliteStore>, Config)> {
    let (store, base) = open_local(config, db).await?;
    let (effective, origin, problems) = registry::effective_config(store.as_ref(), &base).await?;
    for problem in problems {
        eprintln!(
            "jobfeed: warning: registered source `{}` passed by: {}",
            problem.source.unwrap_or_default(),
            problem.message
        );
    }
    if origin == SourcesOrigin::Registry
        && let Ok(text) = std::fs::read_to_string(config)
        && let Ok(entries) = entries_from_toml(&text, "", Utc::now())
    {
        let stored = store.registered_sources().await?;
        let differs = entries.iter().any(|entry| {
            !stored.iter().any(|s| {
                s.same_as(entry) || (s.name == entry.name && s.status == SourceStatus::Removed)
            })
        });
        if differs {
            eprintln!(
                "jobfeed: note: {} differs from the database's source registry, which is what runs; \
                 `jobfeed sources import {}` applies it",
                config.display(),
                config.display()
            );
        }
    }
    Ok((store, effective))
}

/// Runs `jobfeed sources ...`.
pub async fn run(args: SourcesArgs) -> anyhow::Result<()> {
    let target = &args.target;
    let (store, base): (Arc<dyn Store>, Config) = match &target.dynamodb {
        Some(table) => {
            let (base, _) = base_config(&target.config)?;
            let store = DynamoStore::new(client_from_env().await, table.as_str());
            (Arc::new(store), base)
        }
        None => {
            let (store, base) = open_local(&target.config, &target.db).await?;
            (store, base)
        }
    };
    let now = Utc::now();
    let registry_error = |e: registry::RegistryError| anyhow::anyhow!("{e}");
    match args.action.unwrap_or(Action::List) {
        Action::List => list(store.as_ref(), &base).await,
        Action::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let report = registry::import(store.as_ref(), &text, &file.display().to_string(), now)
                .await
                .map_err(registry_error)?;
            println!(
                "{} added, {} updated, {} unchanged",
                report.added.len(),
                report.updated.len(),
                report.unchanged.len()
            );
            for name in &report.added {
                println!("added   {name}");
            }
            for name in &report.updated {
                println!("updated {name}");
            }
            Ok(())
        }
        Action::Export => {
            let (text, problems) = registry::export(store.as_ref()).await?;
            std::io::stdout().lock().write_all(text.as_bytes())?;
            for problem in &problems {
                eprintln!(
                    "jobfeed: warning: `{}` left out: {}",
                    problem.source.as_deref().unwrap_or_default(),
                    problem.message
                );
            }
            Ok(())
        }
        Action::Add(add) => {
            let table = add.table()?;
            if add.catalog.is_some()
                && let Some(url) = table.get("url").and_then(|u| u.as_str())
                && let Some(twin) = registered_with_url(store.as_ref(), url).await?
            {
                eprintln!("{url} is already registered as `{twin}`; nothing added");
                return Ok(());
            }
            let entry = registry::add(store.as_ref(), table, &base, now)
                .await
                .map_err(registry_error)?;
            println!("added {} ({})", entry.name, entry.status);
            Ok(())
        }
        Action::Remove { name } => {
            let removal = registry::remove(
                store.as_ref(),
                store.as_ref(),
                &name,
                &IngestConfig::default(),
                now,
            )
            .await
            .map_err(registry_error)?;
            println!("removed {name}: {} open postings closed", removal.closed);
            Ok(())
        }
        Action::Enable { name } => set_enabled(store.as_ref(), &name, true).await,
        Action::Disable { name } => set_enabled(store.as_ref(), &name, false).await,
    }
}

async fn set_enabled(store: &dyn Store, name: &str, enabled: bool) -> anyhow::Result<()> {
    let entry = registry::set_enabled(store, name, enabled, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{} {}", entry.name, entry.status);
    Ok(())
}

/// The name of a registered source (not removed) whose URL is `url`.
async fn registered_with_url(store: &dyn Store, url: &str) -> anyhow::Result<Option<String>> {
    Ok(store
        .registered_sources()
        .await?
        .into_iter()
        .filter(|e| e.status != SourceStatus::Removed)
        .find(|e| {
            toml::from_str::<toml::Table>(&e.definition)
                .ok()
                .and_then(|t| t.get("url").and_then(|u| u.as_str()).map(|u| u == url))
                .unwrap_or(false)
        })
        .map(|e| e.name))
}

/// Prints every registered source (or, with an empty registry, the configuration file's)
/// with its status and state.
async fn list(store: &dyn Store, base: &Config) -> anyhow::Result<()> {
    let mut entries = store.registered_sources().await?;
    if entries.is_empty() {
        eprintln!("jobfeed: the registry is empty: these are the configuration file's sources");
        entries = base
            .sources
            .iter()
            .map(|s| SourceEntry {
                name: s.name.clone(),
                definition: format!("kind = \"{}\"", s.kind.as_str()),
                status: if s.enabled {
                    SourceStatus::Enabled
                } else {
                    SourceStatus::Disabled
                },
                updated_at: Utc::now(),
            })
            .collect();
    }
    let states = store.source_states().await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<24} {:<9} {:<16} {:<20} {:<10} {:<20} {:>5}  last error",
        "source", "status", "kind", "last run", "outcome", "next due", "open"
    )?;
    let time = |t: Option<chrono::DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
    };
    for entry in &entries {
        let kind = toml::from_str::<toml::Table>(&entry.definition)
            .ok()
            .and_then(|t| t.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "?".to_owned());
        let state = states.iter().find(|s| s.name == entry.name);
        writeln!(
            out,
            "{:<24} {:<9} {:<16} {:<20} {:<10} {:<20} {:>5}  {}",
            entry.name,
            entry.status.as_str(),
            kind,
            time(state.and_then(|s| s.last_finished_at)),
            match state {
                Some(s) if s.running.is_some() => "running".to_owned(),
                _ => state
                    .and_then(|s| s.outcome)
                    .map_or_else(|| "never".to_owned(), |o| format!("{o:?}").to_lowercase()),
            },
            match entry.status {
                SourceStatus::Enabled => state
                    .and_then(|s| s.next_due_at)
                    .map_or_else(|| "now".to_owned(), |t| time(Some(t))),
                _ => "-".to_owned(),
            },
            state.map_or(0, |s| s.counts.open),
            state.and_then(|s| s.last_error.clone()).unwrap_or_default()
        )?;
    }
    Ok(())
}
