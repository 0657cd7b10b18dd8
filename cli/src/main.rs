//! The `jobfeed` command: `jobfeed parse` turns recorded job-source responses into normalized
//! postings (JSON Lines). Later issues add `crawl`, `serve` and `sources`.

mod parse;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => parse::run(&args),
    }
}
