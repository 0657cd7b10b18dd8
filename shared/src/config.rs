//! `sources.toml`: the configured sources and crawl defaults, validated at load time so a
//! typo stops the program before anything is fetched, with the source's name and line.

use std::collections::HashMap;
use std::fmt;

use chrono::Duration;
use serde::Deserialize;
use toml::Spanned;

use crate::extract::HtmlRecipe;
use crate::model::SourceKind;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Crawl-wide settings.
    pub crawl: CrawlDefaults,
    /// The sources, in file order.
    pub sources: Vec<SourceConfig>,
}

/// Crawl-wide settings (`[crawl]`), each with a default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrawlDefaults {
    /// User-Agent sent with every request.
    pub user_agent: String,
    /// Schedule of sources that set none.
    pub schedule: Schedule,
    /// Requests in flight per host.
    pub per_host_concurrency: usize,
    /// Minimum time between request starts to one host, in milliseconds.
    pub min_delay_ms: u64,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: u64,
    /// Pages followed per source per crawl (API pages, listing pages).
    pub max_pages: u32,
    /// Share of a listing's posting pages each crawl reads again although the listing says
    /// they are unchanged (0 to 1; default 0.05: each is re-read once every 20 crawls).
    /// API records need none: their change hint is the whole record.
    pub refresh_share: f64,
}

impl Default for CrawlDefaults {
    fn default() -> Self {
        CrawlDefaults {
            user_agent: concat!(
                "jobfeed/",
                env!("CARGO_PKG_VERSION"),
                " (job-feed aggregator; respects robots.txt)"
            )
            .to_owned(),
            schedule: Schedule(Duration::hours(1)),
            per_host_concurrency: 1,
            min_delay_ms: 1000,
            max_body_bytes: 10 * 1024 * 1024,
            max_pages: 20,
            refresh_share: DEFAULT_REFRESH_SHARE,
        }
    }
}

/// Share of a listing's posting pages a crawl reads again unless configured: every posting
/// page is re-read once in 20 crawls (within a day at an hourly schedule).
pub const DEFAULT_REFRESH_SHARE: f64 = 0.05;

/// How often a source is crawled: `every 15m`, `every 1h`, `every 2d`, `every 90s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule(pub Duration);

impl Schedule {
    /// Parses `every N{s,m,h,d}` (at least one minute, at most 30 days).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("schedule `{text}` is not `every N` with a unit s, m, h or d (e.g. `every 1h`)")
        };
        let amount = text.trim().strip_prefix("every").ok_or_else(bad)?.trim();
        let split = amount.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = amount.split_at(split);
        let out_of_range = || format!("schedule `{text}` must be between 1 minute and 30 days");
        // A number too large for any duration is out of range, not a panic.
        let n: i64 = number.parse().map_err(|_| out_of_range())?;
        let duration = match unit.trim() {
            "s" | "sec" | "secs" | "seconds" => Duration::try_seconds(n),
            "m" | "min" | "mins" | "minutes" => Duration::try_minutes(n),
            "h" | "hour" | "hours" => Duration::try_hours(n),
            "d" | "day" | "days" => Duration::try_days(n),
            _ => return Err(bad()),
        }
        .ok_or_else(out_of_range)?;
        if duration < Duration::minutes(1) || duration > Duration::days(30) {
            return Err(out_of_range());
        }
        Ok(Schedule(duration))
    }
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Schedule::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One configured source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    /// Unique name; part of every posting id of the source.
    pub name: String,
    /// Which extractor reads it.
    pub kind: SourceKind,
    /// The full URL fetched first (an API endpoint, a feed, a listing page).
    pub url: url::Url,
    /// Company name to use instead of the source's.
    pub company: Option<String>,
    /// How often it is crawled.
    pub schedule: Schedule,
    /// Pages followed per crawl (overrides the crawl default).
    pub max_pages: u32,
    /// Allow loopback/private addresses (tests and local mirrors only).
    pub allow_private: bool,
    /// Hosts that discovered links may go to besides the URL's own host.
    pub extra_hosts: Vec<String>,
    /// For `html`: how to walk the listing pages.
    pub listing: Option<ListingRecipe>,
    /// For `html`: how to read a posting page when it has no JSON-LD.
    pub detail: Option<HtmlRecipe>,
    /// Share of its posting pages each crawl reads again although the listing says they are
    /// unchanged (overrides the crawl default; `html` listings only).
    pub refresh_share: f64,
    /// Whether it is crawled (`enabled = false` keeps the source and its postings, but the
    /// scheduler passes it by).
    pub enabled: bool,
    /// The line of the source in the file (1-based), for messages.
    pub line: usize,
}

/// How to walk an `html` source's listing pages.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingRecipe {
    /// Selector of the links to posting pages.
    pub links: String,
    /// Selector of the link to the next listing page.
    pub next: Option<String>,
    /// Most posting pages read per crawl (default `DEFAULT_MAX_POSTING_PAGES`). A listing that
    /// links to more is read up to this many, in listing order, and the crawl is incomplete.
    #[serde(default = "default_max_posting_pages")]
    pub max_posting_pages: usize,
}

/// Posting pages an `html` source reads per crawl unless its listing sets
/// `max_posting_pages`: at the default politeness of one request per second such a crawl stays
/// under ten minutes, and a hostile page of 50,000 links cannot keep the crawler busy for a day.
pub const DEFAULT_MAX_POSTING_PAGES: usize = 500;

fn default_max_posting_pages() -> usize {
    DEFAULT_MAX_POSTING_PAGES
}

/// The raw shape of a `[[source]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    kind: SourceKind,
    url: String,
    company: Option<String>,
    schedule: Option<Schedule>,
    max_pages: Option<u32>,
    #[serde(default)]
    allow_private: bool,
    #[serde(default)]
    extra_hosts: Vec<String>,
    listing: Option<ListingRecipe>,
    detail: Option<HtmlRecipe>,
    refresh_share: Option<f64>,
    #[serde(default = "enabled_by_default")]
    enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    crawl: CrawlDefaults,
    #[serde(default)]
    source: Vec<Spanned<toml::Table>>,
}

/// Everything wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the configuration came from (a path).
    pub origin: String,
    /// Each problem found.
    pub problems: Vec<Problem>,
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// The source it concerns, when known.
    pub source: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}: ", self.origin, problem.line)?;
            if let Some(source) = &problem.source {
                write!(f, "source `{source}`: ")?;
            }
            write!(f, "{}", problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Reads and validates a configuration file.
pub fn load(path: &std::path::Path) -> Result<Config, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        origin: origin.clone(),
        problems: vec![Problem {
            line: 0,
            source: None,
            message: format!("cannot read: {e}"),
        }],
    })?;
    parse(&text, &origin)
}

/// Parses and validates configuration text; `origin` names it in messages. Reports every
/// problem at once: unknown kinds or fields, missing fields, bad URLs, schedules or
/// selectors, duplicate names.
pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
    // Line starts found once: a file of thousands of sources (a catalog export) would
    // otherwise be scanned from its start for each one.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(at, _)| at).collect();
    let line_of = |offset: usize| newlines.partition_point(|&at| at < offset) + 1;
    let fail = |problems: Vec<Problem>| ConfigError {
        origin: origin.to_owned(),
        problems,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| line_of(span.start));
        fail(vec![Problem {
            line,
            source: None,
            message: e.message().to_owned(),
        }])
    })?;
    let tables = raw
        .source
        .into_iter()
        .map(|table| (line_of(table.span().start), table.into_inner()))
        .collect();
    let (sources, problems) = validate_tables(tables, &raw.crawl);
    if problems.is_empty() {
        Ok(Config {
            crawl: raw.crawl,
            sources,
        })
    } else {
        Err(fail(problems))
    }
}

/// Validates `[[source]]` tables (each with its line) against the crawl defaults: the
/// sources that are valid, and a problem for each one that is not (a duplicate name is a
/// problem of the later table).
pub(crate) fn validate_tables(
    tables: Vec<(usize, toml::Table)>,
    crawl: &CrawlDefaults,
) -> (Vec<SourceConfig>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut sources = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, table) in tables {
        let name = table
            .get("name")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let mut report = |message: String| {
            problems.push(Problem {
                line,
                source: name.clone(),
                message,
            })
        };
        let parsed = match RawSource::deserialize(toml::Value::Table(table)) {
            Ok(parsed) => parsed,
            Err(e) => {
                report(e.message().trim().to_owned());
                continue;
            }
        };
        if parsed.name.trim().is_empty() {
            report("`name` is empty".into());
            continue;
        }
        if let Some(first) = seen.insert(parsed.name.clone(), line) {
            report(format!("duplicate name (first used on line {first})"));
        }
        match validate(parsed, crawl, line) {
            Ok(source) => sources.push(source),
            Err(messages) => messages.into_iter().for_each(&mut report),
        }
    }
    (sources, problems)
}

fn validate(
    raw: RawSource,
    defaults: &CrawlDefaults,
    line: usize,
) -> Result<SourceConfig, Vec<String>> {
    let mut errors = Vec::new();
    let url = match url::Url::parse(&raw.url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Some(url)
        }
        Ok(_) => {
            errors.push(format!(
                "`url` {} must be an http(s) URL with a host",
                raw.url
            ));
            None
        }
        Err(e) => {
            errors.push(format!("`url` {} is not a valid URL: {e}", raw.url));
            None
        }
    };
    match raw.kind {
        SourceKind::Html if raw.listing.is_none() && raw.detail.is_none() => {
            errors
                .push("kind `html` needs a `[source.listing]` or `[source.detail]` recipe".into());
        }
        SourceKind::Html => {}
        other if raw.listing.is_some() || raw.detail.is_some() => {
            errors.push(format!(
                "recipes (`listing`, `detail`) only apply to kind `html`, not `{other}`"
            ));
        }
        _ => {}
    }
    if let Some(listing) = &raw.listing {
        for (field, selector) in [
            ("links", Some(&listing.links)),
            ("next", listing.next.as_ref()),
        ] {
            if let Some(selector) = selector
                && let Err(e) = scraper::Selector::parse(selector)
            {
                errors.push(format!(
                    "listing `{field}` selector `{selector}` is invalid: {e}"
                ));
            }
        }
    }
    if let Some(detail) = &raw.detail
        && let Err(e) = detail.validate()
    {
        errors.push(format!("detail recipe: {e}"));
    }
    if raw
        .listing
        .as_ref()
        .is_some_and(|l| l.max_posting_pages == 0)
    {
        errors.push("`listing.max_posting_pages` must be at least 1".into());
    }
    if raw.max_pages == Some(0) {
        errors.push("`max_pages` must be at least 1".into());
    }
    let refresh_share = raw.refresh_share.unwrap_or(defaults.refresh_share);
    if !(0.0..=1.0).contains(&refresh_share) {
        errors.push(format!(
            "`refresh_share` {refresh_share} must be between 0 and 1"
        ));
    }
    match (url, errors.is_empty()) {
        (Some(url), true) => Ok(SourceConfig {
            name: raw.name,
            kind: raw.kind,
            url,
            company: raw.company.filter(|c| !c.trim().is_empty()),
            schedule: raw.schedule.unwrap_or(defaults.schedule),
            max_pages: raw.max_pages.unwrap_or(defaults.max_pages),
            allow_private: raw.allow_private,
            extra_hosts: raw.extra_hosts,
            listing: raw.listing,
            detail: raw.detail,
            refresh_share,
            enabled: raw.enabled,
            line,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[crawl]
user_agent = "jobfeed-test/1"
min_delay_ms = 50

[[source]]
name = "wwr-backend"
kind = "rss"
url = "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss"
schedule = "every 30m"

[[source]]
name = "buspatrol"
kind = "html"
url = "https://careers-buspatrol.icims.com/jobs/search?ss=1"
company = "BusPatrol"
max_pages = 3

[source.listing]
links = "a.iCIMS_Anchor"
next = "a.next"
"#;

    #[test]
    fn a_valid_file_loads_with_defaults_filled_in() {
        let config = parse(GOOD, "sources.toml").unwrap();
        assert_eq!(config.crawl.user_agent, "jobfeed-test/1");
        assert_eq!(config.crawl.min_delay_ms, 50);
        assert_eq!(config.crawl.per_host_concurrency, 1, "default kept");
        assert_eq!(config.sources.len(), 2);
        let wwr = &config.sources[0];
        assert_eq!(wwr.kind, SourceKind::Rss);
        assert_eq!(wwr.schedule, Schedule(Duration::minutes(30)));
        assert_eq!(wwr.line, 6);
        let html = &config.sources[1];
        assert_eq!(html.company.as_deref(), Some("BusPatrol"));
        assert_eq!(html.max_pages, 3);
        assert_eq!(html.schedule, Schedule(Duration::hours(1)));
        assert_eq!(html.listing.as_ref().unwrap().links, "a.iCIMS_Anchor");
        assert_eq!(
            html.listing.as_ref().unwrap().max_posting_pages,
            DEFAULT_MAX_POSTING_PAGES
        );
    }

    #[test]
    fn a_listing_sets_its_own_posting_page_cap_and_zero_is_refused() {
        let listing = |cap: &str| {
            format!(
                "[[source]]\nname = \"site\"\nkind = \"html\"\nurl = \"https://a.example/\"\n\
                 [source.listing]\nlinks = \"a\"\nmax_posting_pages = {cap}\n"
            )
        };
        let config = parse(&listing("2000"), "sources.toml").unwrap();
        assert_eq!(
            config.sources[0]
                .listing
                .as_ref()
                .unwrap()
                .max_posting_pages,
            2000
        );
        let err = problems(&listing("0"));
        assert!(
            err.contains("source `site`: `listing.max_posting_pages` must be at least 1"),
            "{err}"
        );
    }

    fn problems(text: &str) -> String {
        parse(text, "sources.toml").unwrap_err().to_string()
    }

    #[test]
    fn an_unknown_kind_is_reported_with_the_source_name_and_line() {
        let err = problems(
            "[[source]]\nname = \"x\"\nkind = \"monster\"\nurl = \"https://a.example/\"\n",
        );
        assert!(err.starts_with("sources.toml:1: source `x`: "), "{err}");
        assert!(err.contains("monster"), "{err}");
    }

    #[test]
    fn missing_fields_bad_urls_and_duplicates_are_all_reported() {
        let text = "\
[[source]]
name = \"a\"
kind = \"rss\"

[[source]]
name = \"b\"
kind = \"lever\"
url = \"ftp://files.example/x\"

[[source]]
name = \"c\"
kind = \"lever\"
url = \"not a url\"

[[source]]
name = \"c\"
kind = \"rss\"
url = \"https://ok.example/feed\"
";
        let err = problems(text);
        assert!(
            err.contains("sources.toml:1: source `a`: missing field `url`"),
            "{err}"
        );
        assert!(
            err.contains(
                "sources.toml:5: source `b`: `url` ftp://files.example/x must be an http(s) URL"
            ),
            "{err}"
        );
        assert!(
            err.contains("sources.toml:10: source `c`: `url` not a url is not a valid URL"),
            "{err}"
        );
        assert!(
            err.contains("sources.toml:15: source `c`: duplicate name (first used on line 10)"),
            "{err}"
        );
    }

    #[test]
    fn bad_selectors_schedules_and_misplaced_recipes_are_reported() {
        let text = "\
[[source]]
name = \"h\"
kind = \"html\"
url = \"https://jobs.example/\"
[source.listing]
links = \"a[[\"

[[source]]
name = \"s\"
kind = \"rss\"
url = \"https://jobs.example/feed\"
schedule = \"daily\"

[[source]]
name = \"r\"
kind = \"greenhouse\"
url = \"https://boards-api.greenhouse.io/v1/boards/x/jobs\"
[source.listing]
links = \"a\"

[[source]]
name = \"e\"
kind = \"html\"
url = \"https://jobs.example/\"
";
        let err = problems(text);
        assert!(
            err.contains("source `h`: listing `links` selector `a[[` is invalid"),
            "{err}"
        );
        assert!(
            err.contains("source `s`: schedule `daily` is not `every N`"),
            "{err}"
        );
        assert!(
            err.contains("source `r`: recipes (`listing`, `detail`) only apply to kind `html`"),
            "{err}"
        );
        assert!(err.contains("source `e`: kind `html` needs a"), "{err}");
    }

    #[test]
    fn unknown_fields_and_broken_toml_are_reported_with_a_line() {
        let err = problems(
            "[[source]]\nname = \"x\"\nkind = \"rss\"\nurl = \"https://a.example/\"\nurll = 1\n",
        );
        assert!(err.contains("source `x`: unknown field `urll`"), "{err}");
        let err = problems("[crawl]\nuser_agent = \"a\"\n\n[[source]\nname = 1\n");
        assert!(err.starts_with("sources.toml:4: "), "{err}");
    }

    #[test]
    fn the_shipped_sources_toml_is_valid_and_targets_back_end_roles() {
        let config = parse(include_str!("../../sources.toml"), "sources.toml").unwrap();
        assert!(config.sources.len() >= 8);
        for kind in [
            SourceKind::Rss,
            SourceKind::RemoteOk,
            SourceKind::Greenhouse,
            SourceKind::Lever,
            SourceKind::Ashby,
            SourceKind::Himalayas,
            SourceKind::Workday,
            SourceKind::Eightfold,
            SourceKind::Teamtailor,
        ] {
            assert!(config.sources.iter().any(|s| s.kind == kind), "{kind}");
        }
        assert!(config.sources.iter().all(|s| s.url.scheme() == "https"));
    }

    #[test]
    fn a_schedule_too_large_for_any_duration_is_an_error_naming_the_source_and_line() {
        for schedule in [
            "every 200000000000d",
            "every 99999999999999999999s",
            "every 9223372036854775807h",
        ] {
            let text = format!(
                "[[source]]\nname = \"big\"\nkind = \"rss\"\nurl = \"https://example.com/feed\"\nschedule = \"{schedule}\"\n"
            );
            let error = parse(&text, "sources.toml").unwrap_err().to_string();
            assert!(error.contains("between 1 minute and 30 days"), "{error}");
            assert!(error.contains("sources.toml:1: source `big`"), "{error}");
        }
    }

    #[test]
    fn schedules_read_every_unit_and_refuse_extremes() {
        assert_eq!(
            Schedule::parse("every 15m").unwrap(),
            Schedule(Duration::minutes(15))
        );
        assert_eq!(
            Schedule::parse("every 2 hours").unwrap(),
            Schedule(Duration::hours(2))
        );
        assert_eq!(
            Schedule::parse("every 1d").unwrap(),
            Schedule(Duration::days(1))
        );
        assert!(Schedule::parse("every 10s").is_err());
        assert!(Schedule::parse("every 90d").is_err());
        assert!(Schedule::parse("hourly").is_err());
        assert!(Schedule::parse("every m").is_err());
    }
}
