//! `jobfeed facets rebuild`: recounts the facet counters of the database file or, with
//! `--dynamodb TABLE`, of a deployed table (its first counters after an upgrade, or a
//! repair after lost counter updates).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use jobfeed::app::facets::rebuild_facet_counters;
use jobfeed::store::dynamodb::{DynamoStore, client_from_env};
use jobfeed::store::sqlite::SqliteStore;

/// Arguments of `jobfeed facets`.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    #[command(subcommand)]
    action: Action,
    /// The SQLite database file.
    #[arg(long, default_value = "jobfeed.db", value_name = "FILE", global = true)]
    db: PathBuf,
    /// Work on this deployed DynamoDB table instead of the database file (region and
    /// credentials from the usual AWS chain).
    #[arg(long, value_name = "TABLE", global = true)]
    dynamodb: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Recount every facet counter from the open postings and replace the stored counters
    /// (one walk of the postings). Best run while nothing ingests: writes made meanwhile
    /// may be missed (run it again).
    Rebuild,
}

/// Runs `jobfeed facets ...`.
pub async fn run(args: FacetsArgs) -> anyhow::Result<()> {
    let Action::Rebuild = args.action;
    let report = match &args.dynamodb {
        Some(table) => {
            let store = DynamoStore::new(client_from_env().await, table.as_str());
            rebuild_facet_counters(&store).await?
        }
        None => {
            // Not created when missing: there is nothing to count in a new file.
            anyhow::ensure!(
                args.db.exists(),
                "no database at {}: nothing to count",
                args.db.display()
            );
            let store = SqliteStore::open(&args.db)
                .with_context(|| format!("opening {}", args.db.display()))?;
            rebuild_facet_counters(&store).await?
        }
    };
    println!(
        "counted {} open postings; the unfiltered facets now total {}",
        report.counted, report.total
    );
    Ok(())
}
