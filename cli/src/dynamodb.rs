//! `jobfeed dynamodb`: one-off maintenance of a deployed DynamoDB table; today the backfill
//! of the filter index (`store::dynamodb::filter_index`) after the update that adds it.

use anyhow::Context;
use clap::{Args, Subcommand};
use jobfeed::store::PostingReader;
use jobfeed::store::dynamodb::{DynamoStore, client_from_env};

/// `jobfeed dynamodb ...`.
#[derive(Debug, Args)]
pub struct DynamodbArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Write the filter index items of every open posting (read month by month from the
    /// `by_listed` index: Queries, no Scan), replace the items a posting no longer has (one
    /// Query of its partition each), then mark the index complete so filtered lists use it.
    /// Run once after the template update that adds `by_filter`, and again as the repair
    /// after a logged failure of filter item writes; safe to run again.
    BackfillFilters {
        /// The deployed table (region and credentials from the usual AWS chain).
        #[arg(long, value_name = "TABLE")]
        table: String,
    },
}

/// Runs `jobfeed dynamodb ...` and prints what it did.
pub async fn run(args: DynamodbArgs) -> anyhow::Result<()> {
    match args.action {
        Action::BackfillFilters { table } => {
            let store = DynamoStore::new(client_from_env().await, table.as_str());
            let report = store
                .backfill_filter_index()
                .await
                .with_context(|| format!("backfilling the filter index of {table}"))?;
            let usage = store.usage();
            println!(
                "{table}: {} postings read, {} filter items written, {} stale items replaced \
                 ({} requests); filtered lists now use the index",
                report.postings, report.items, report.stale, usage.requests
            );
            Ok(())
        }
    }
}
