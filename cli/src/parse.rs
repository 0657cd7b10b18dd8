//! `jobfeed parse`: files in, JSON Lines out. Files are parsed in parallel; output keeps the
//! order of the arguments, and a file that fails contributes nothing to stdout.

use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use jobfeed::ParseError;
use jobfeed::extract::{ExtractKind, HtmlRecipe};
use jobfeed::model::SourceKind;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, ParsedDocument, parse_document};
use rayon::prelude::*;

/// Arguments of `jobfeed parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Source kind of the files, or `auto` to detect it from the content (and --url).
    #[arg(long, default_value = "auto", value_parser = parse_kind)]
    kind: KindArg,
    /// A CSS-selector recipe (JSON) for pages with no structured data; implies `--kind html`.
    #[arg(long, value_name = "FILE")]
    recipe: Option<PathBuf>,
    /// The address the files came from: resolves relative links and stands in for a missing
    /// posting URL on a single posting's page.
    #[arg(long, value_parser = parse_url)]
    url: Option<url::Url>,
    /// Source name stamped on the postings (default: the URL's host, else the kind).
    #[arg(long)]
    source: Option<String>,
    /// Company name to use instead of the source's.
    #[arg(long)]
    company: Option<String>,
    /// When the files were fetched (RFC 3339); anchors relative dates. Default: now.
    #[arg(long, value_parser = parse_time)]
    fetched_at: Option<DateTime<Utc>>,
    /// Largest file accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_DOCUMENT_BYTES)]
    max_bytes: u64,
    /// Files to parse.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// `--kind` value: a source kind or `auto`.
#[derive(Debug, Clone, Copy)]
enum KindArg {
    Auto,
    Kind(SourceKind),
}

fn parse_kind(text: &str) -> Result<KindArg, String> {
    if text == "auto" {
        return Ok(KindArg::Auto);
    }
    text.parse::<SourceKind>().map(KindArg::Kind).map_err(|_| {
        let kinds: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("expected auto or one of: {}", kinds.join(", "))
    })
}

fn parse_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not an absolute URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https URLs are accepted".into());
    }
    Ok(url)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time: {e}"))
}

/// Runs `jobfeed parse`: exit 0 when every file parsed, 1 when any failed, 2 on bad usage.
pub fn run(args: &ParseArgs) -> ExitCode {
    let kind = match extract_kind(args) {
        Ok(kind) => kind,
        Err(error) => {
            eprintln!("jobfeed: error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let fetched_at = args.fetched_at.unwrap_or_else(Utc::now);
    let options = ParseOptions {
        kind,
        url: args.url.as_ref(),
        source: args.source.as_deref(),
        company_override: args.company.as_deref(),
        fetched_at,
        max_bytes: args.max_bytes,
    };

    let results: Vec<anyhow::Result<ParsedDocument>> = args
        .files
        .par_iter()
        .map(|path| parse_file(path, &options))
        .collect();

    let mut failed = false;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (path, result) in args.files.iter().zip(results) {
        match result.and_then(|parsed| write_postings(&mut out, &parsed).map(|()| parsed)) {
            Ok(parsed) => eprintln!(
                "{}: {} postings, {} skipped ({})",
                path.display(),
                parsed.postings.len(),
                parsed.skipped,
                parsed.kind.map_or("unknown", SourceKind::as_str),
            ),
            Err(error) => {
                failed = true;
                eprintln!("jobfeed: error: {}: {error:#}", path.display());
            }
        }
    }
    if let Err(error) = out.flush() {
        eprintln!("jobfeed: error: writing output: {error}");
        return ExitCode::FAILURE;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn extract_kind(args: &ParseArgs) -> anyhow::Result<ExtractKind> {
    match (&args.recipe, args.kind) {
        (Some(path), KindArg::Auto | KindArg::Kind(SourceKind::Html)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading recipe {}", path.display()))?;
            let recipe: HtmlRecipe = serde_json::from_str(&text)
                .with_context(|| format!("recipe {} is not valid", path.display()))?;
            recipe
                .validate()
                .map_err(|e| anyhow::anyhow!("recipe {}: {e}", path.display()))?;
            Ok(ExtractKind::Recipe(Box::new(recipe)))
        }
        (Some(_), KindArg::Kind(kind)) => bail!("--recipe goes with --kind html, not {kind}"),
        (None, KindArg::Kind(SourceKind::Html)) => bail!("--kind html needs --recipe FILE"),
        (None, KindArg::Auto) => Ok(ExtractKind::Auto),
        (None, KindArg::Kind(kind)) => Ok(ExtractKind::Fixed(kind)),
    }
}

/// Refuses an oversized file from its metadata, and reads at most `max_bytes + 1` bytes in
/// case it grows (or is a pipe), so a huge input is never loaded whole.
fn parse_file(path: &Path, options: &ParseOptions<'_>) -> anyhow::Result<ParsedDocument> {
    let file = std::fs::File::open(path).context("cannot open")?;
    let size = file.metadata().context("cannot read")?.len();
    if size > options.max_bytes {
        return Err(ParseError::TooLarge {
            size,
            limit: options.max_bytes,
        }
        .into());
    }
    let mut bytes = Vec::new();
    file.take(options.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .context("cannot read")?;
    // Decoded as the fetcher decodes a response (the file's BOM, XML or meta declaration);
    // its size was checked above, so a decoding that grows it is not refused for that.
    match jobfeed::markup::charset::decode_declared(&bytes) {
        Some(text) => {
            let options = ParseOptions {
                max_bytes: u64::MAX,
                ..options.clone()
            };
            Ok(parse_document(text.as_bytes(), &options)?)
        }
        None => Ok(parse_document(&bytes, options)?),
    }
}

fn write_postings(out: &mut impl Write, parsed: &ParsedDocument) -> anyhow::Result<()> {
    for posting in &parsed.postings {
        serde_json::to_writer(&mut *out, posting).context("writing output")?;
        out.write_all(b"\n").context("writing output")?;
    }
    Ok(())
}
