//! The `jobfeed` command: `parse` (recorded responses to normalized postings), `crawl` (the
//! due sources into the SQLite store), `serve` (the read API plus an in-process schedule),
//! `sources` (the source registry and the sources' state; `sources add --catalog`), `catalog`
//! (the company board catalog), `discover` (finding a company's job board), `facets rebuild`
//! (recounting the facet counters) and `dynamodb` (maintenance of a deployed table).

mod catalog;
mod discover;
mod dynamodb;
mod facets;
mod parse;
mod pipeline;
mod registry;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// jobfeed: a job-feed aggregator.
#[derive(Debug, Parser)]
#[command(name = "jobfeed", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse job-source responses (API JSON, RSS/Atom, job pages) into normalized postings,
    /// one JSON object per line on stdout, a summary per file on stderr.
    Parse(parse::ParseArgs),
    /// Crawl the due (or named) sources once into the database and print a report per
    /// source; `--dry-run` prints the postings instead of storing them.
    Crawl(pipeline::CrawlArgs),
    /// Serve the read API and crawl due sources on a schedule, until Ctrl-C.
    Serve(pipeline::ServeArgs),
    /// The source registry: list (the default), import, export, add, remove, enable,
    /// disable, on the database file or a deployed DynamoDB table.
    Sources(registry::SourcesArgs),
    /// Search, export and check the built-in catalog of company job boards.
    Catalog(catalog::CatalogArgs),
    /// Find where companies publish their jobs (the catalog, then a handful of each site's
    /// pages) and print ready `[[source]]` tables, or append them with `--write`.
    Discover(discover::DiscoverArgs),
    /// The facet counters the store keeps for `/facets`: `rebuild` recounts them.
    Facets(facets::FacetsArgs),
    /// Maintenance of a deployed DynamoDB table: `backfill-filters --table T` once after
    /// the update that adds the filter index.
    Dynamodb(dynamodb::DynamodbArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let async_command = match cli.command {
        Command::Parse(args) => return parse::run(&args),
        other => other,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JOBFEED_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("jobfeed: error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match async_command {
            Command::Crawl(args) => pipeline::crawl(args).await,
            Command::Serve(args) => pipeline::serve(args).await,
            Command::Sources(args) => registry::run(args).await,
            Command::Catalog(args) => catalog::run(args).await,
            Command::Discover(args) => discover::run(args).await,
            Command::Facets(args) => facets::run(args).await,
            Command::Dynamodb(args) => dynamodb::run(args).await,
            Command::Parse(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `jobfeed sources | head` closing the pipe early is not an error.
        Err(error)
            if error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("jobfeed: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
