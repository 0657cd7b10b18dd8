//! The company board catalog: companies and the board each publishes its jobs on, one roster
//! per provider, each entry turned into a ready `[[source]]` (kind and start URL) or, for a
//! provider jobfeed cannot read as it is, into the source it would be and what it lacks.
//!
//! Pure: the text is parsed here, the compressed copy is embedded and decompressed by the
//! `jobfeed` command (so the Lambda binaries never carry it). Search folds case and accents.

use std::fmt;

use url::Url;

use crate::config::ListingRecipe;
use crate::model::SourceKind;

/// The first field of a catalog text's first line.
pub const MAGIC: &str = "#jobfeed-catalog";

/// A roster's provider: one of the catalog's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// Ashby posting API boards.
    Ashby,
    /// Avature portals.
    Avature,
    /// BambooHR career sites.
    BambooHr,
    /// Dayforce candidate portals.
    Dayforce,
    /// Eightfold career sites.
    Eightfold,
    /// en-gage.net company pages (no API; job pages without JSON-LD).
    Engage,
    /// Greenhouse job boards.
    Greenhouse,
    /// HERP Careers companies.
    Herp,
    /// HRMOS career pages (no API; job pages with JSON-LD).
    Hrmos,
    /// iCIMS career sites (no API; job pages with JSON-LD).
    Icims,
    /// JOIN company pages (no API; job pages with JSON-LD).
    Join,
    /// Lever postings.
    Lever,
    /// Oracle Recruiting Cloud sites.
    Oracle,
    /// Recruitee career sites.
    Recruitee,
    /// Rippling ATS boards.
    Rippling,
    /// SmartRecruiters companies.
    SmartRecruiters,
    /// SAP SuccessFactors career sites.
    SuccessFactors,
    /// Teamtailor career sites.
    Teamtailor,
    /// UKG Pro Recruiting (UltiPro) boards.
    UltiPro,
    /// Workable accounts.
    Workable,
    /// Workday career sites.
    Workday,
}

impl Provider {
    /// Every provider, in name order.
    pub const ALL: [Provider; 21] = [
        Provider::Ashby,
        Provider::Avature,
        Provider::BambooHr,
        Provider::Dayforce,
        Provider::Eightfold,
        Provider::Engage,
        Provider::Greenhouse,
        Provider::Herp,
        Provider::Hrmos,
        Provider::Icims,
        Provider::Join,
        Provider::Lever,
        Provider::Oracle,
        Provider::Recruitee,
        Provider::Rippling,
        Provider::SmartRecruiters,
        Provider::SuccessFactors,
        Provider::Teamtailor,
        Provider::UltiPro,
        Provider::Workable,
        Provider::Workday,
    ];

    /// The roster's name (its file stem), also the first part of an entry's key. For the
    /// providers jobfeed reads through an API kind it is that kind's name.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Ashby => "ashby",
            Provider::Avature => "avature",
            Provider::BambooHr => "bamboohr",
            Provider::Dayforce => "dayforce",
            Provider::Eightfold => "eightfold",
            Provider::Engage => "engage",
            Provider::Greenhouse => "greenhouse",
            Provider::Herp => "herp",
            Provider::Hrmos => "hrmos",
            Provider::Icims => "icims",
            Provider::Join => "join",
            Provider::Lever => "lever",
            Provider::Oracle => "oracle",
            Provider::Recruitee => "recruitee",
            Provider::Rippling => "rippling",
            Provider::SmartRecruiters => "smartrecruiters",
            Provider::SuccessFactors => "successfactors",
            Provider::Teamtailor => "teamtailor",
            Provider::UltiPro => "ultipro",
            Provider::Workable => "workable",
            Provider::Workday => "workday",
        }
    }

    /// The provider of a roster name (case-insensitive).
    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The columns a row has after `company`, as the roster's header names them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Provider::Ashby => &["board"],
            Provider::Avature => &["url"],
            Provider::Dayforce => &[
                "namespace",
                "job_board_code",
                "job_board_id",
                "culture_code",
            ],
            Provider::Eightfold => &["tenant", "domain"],
            Provider::Greenhouse => &["board_token"],
            Provider::Icims | Provider::SuccessFactors | Provider::Teamtailor => &["host"],
            Provider::Join => &["slug", "company_id"],
            Provider::Lever => &["site"],
            Provider::Oracle => &["host", "site", "site_number"],
            Provider::Rippling => &["board_slug"],
            Provider::SmartRecruiters => &["company_identifier"],
            Provider::UltiPro => &["host", "company_code", "board_id"],
            Provider::Workable => &["account"],
            Provider::Workday => &["tenant", "instance", "site"],
            Provider::BambooHr
            | Provider::Engage
            | Provider::Herp
            | Provider::Hrmos
            | Provider::Recruitee => &["slug"],
        }
    }

    /// The jobfeed kind that reads this provider's boards: its API kind, or `html` for the
    /// providers with job pages only.
    pub fn kind(self) -> SourceKind {
        match self {
            Provider::Ashby => SourceKind::Ashby,
            Provider::Avature => SourceKind::Avature,
            Provider::BambooHr => SourceKind::BambooHr,
            Provider::Dayforce => SourceKind::Dayforce,
            Provider::Eightfold => SourceKind::Eightfold,
            Provider::Greenhouse => SourceKind::Greenhouse,
            Provider::Herp => SourceKind::Herp,
            Provider::Lever => SourceKind::Lever,
            Provider::Oracle => SourceKind::Oracle,
            Provider::Recruitee => SourceKind::Recruitee,
            Provider::Rippling => SourceKind::Rippling,
            Provider::SmartRecruiters => SourceKind::SmartRecruiters,
            Provider::SuccessFactors => SourceKind::SuccessFactors,
            Provider::Teamtailor => SourceKind::Teamtailor,
            Provider::UltiPro => SourceKind::UltiPro,
            Provider::Workable => SourceKind::Workable,
            Provider::Workday => SourceKind::Workday,
            Provider::Engage | Provider::Hrmos | Provider::Icims | Provider::Join => {
                SourceKind::Html
            }
        }
    }

    /// What a source of this provider lacks before jobfeed can crawl it; `None` when its
    /// entries are ready sources.
    pub fn missing(self) -> Option<&'static str> {
        match self {
            Provider::Hrmos => Some(
                "a `[source.listing]` recipe: HRMOS has no API, and the links of its job list \
                 are not known to jobfeed (its job pages carry JSON-LD)",
            ),
            Provider::Join => Some(
                "a `[source.listing]` recipe: JOIN has no API, and its company page lists jobs \
                 from a Next.js script jobfeed's recipes do not read (its job pages carry JSON-LD)",
            ),
            Provider::Engage => Some(
                "`[source.listing]` and `[source.detail]` recipes: en-gage.net has no API and its \
                 job pages carry no JSON-LD",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One company and its board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The roster it is in.
    pub provider: Provider,
    /// The company's name as the roster gives it.
    pub company: String,
    /// The row's other columns, in [`Provider::columns`] order (trimmed; Dayforce's culture
    /// may be empty).
    pub fields: Vec<String>,
}

impl Entry {
    fn field(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }

    /// The board's identity within its provider, as `KIND/ID` keys spell it: the token,
    /// slug or host, or the parts that make one (`tenant/site` for Workday,
    /// `namespace/board` for Dayforce, `host/site` for Oracle, `code/board` for UltiPro,
    /// `tenant/domain` for Eightfold, the portal's host and path for Avature).
    pub fn id(&self) -> String {
        match self.provider {
            Provider::Workday => format!("{}/{}", self.field(0), self.field(2)),
            Provider::Dayforce => format!("{}/{}", self.field(0), self.field(1)),
            Provider::Oracle | Provider::Eightfold => {
                format!("{}/{}", self.field(0), self.field(1))
            }
            Provider::UltiPro => format!("{}/{}", self.field(1), self.field(2)),
            Provider::Avature => {
                let url = self.field(0);
                url.split_once("://")
                    .map_or(url, |(_, rest)| rest)
                    .trim_end_matches('/')
                    .to_owned()
            }
            _ => self.field(0).to_owned(),
        }
    }

    /// `provider/id`: what `jobfeed sources add --catalog` takes.
    pub fn key(&self) -> String {
        format!("{}/{}", self.provider, self.id())
    }

    /// The address jobfeed starts the board's crawl from (the kind derives its API requests
    /// from it), or `None` when the row's fields do not make a URL.
    pub fn url(&self) -> Option<Url> {
        let f = |i| self.field(i);
        let text = match self.provider {
            Provider::Ashby => format!(
                "https://api.ashbyhq.com/posting-api/job-board/{}?includeCompensation=true",
                f(0)
            ),
            Provider::Avature => format!("{}/SearchJobs/", f(0).trim_end_matches('/')),
            Provider::BambooHr => format!("https://{}.bamboohr.com/careers", f(0)),
            Provider::Dayforce => {
                let culture = if f(3).is_empty() { "en-US" } else { f(3) };
                format!("https://jobs.dayforcehcm.com/{culture}/{}/{}", f(0), f(1))
            }
            Provider::Eightfold => {
                let mut url = Url::parse(&format!("https://{}.eightfold.ai/careers", f(0))).ok()?;
                url.query_pairs_mut().append_pair("domain", f(1));
                return Some(url);
            }
            Provider::Engage => format!("https://en-gage.net/{}/", f(0)),
            Provider::Greenhouse => format!(
                "https://boards-api.greenhouse.io/v1/boards/{}/jobs?content=true",
                f(0)
            ),
            Provider::Herp => format!("https://herp.careers/v1/{}", f(0)),
            Provider::Hrmos => format!("https://hrmos.co/pages/{}/jobs", f(0)),
            Provider::Icims => format!("https://{}/jobs/search?ss=1", f(0)),
            Provider::Join => format!("https://join.com/companies/{}", f(0)),
            Provider::Lever => format!("https://api.lever.co/v0/postings/{}?mode=json", f(0)),
            Provider::Oracle => format!(
                "https://{}/hcmUI/CandidateExperience/en/sites/{}/jobs?siteNumber={}",
                f(0),
                f(1),
                f(2)
            ),
            Provider::Recruitee => format!("https://{}.recruitee.com/api/offers/", f(0)),
            Provider::Rippling => format!(
                "https://api.rippling.com/platform/api/ats/v1/board/{}/jobs",
                f(0)
            ),
            Provider::SmartRecruiters => format!(
                "https://api.smartrecruiters.com/v1/companies/{}/postings",
                f(0)
            ),
            Provider::SuccessFactors => format!("https://{}/search/", f(0)),
            Provider::Teamtailor => format!("https://{}/jobs", f(0)),
            Provider::UltiPro => format!("https://{}/{}/JobBoard/{}/", f(0), f(1), f(2)),
            Provider::Workable => {
                format!("https://apply.workable.com/api/v3/accounts/{}/jobs", f(0))
            }
            Provider::Workday => {
                format!("https://{}.{}.myworkdayjobs.com/{}", f(0), f(1), f(2))
            }
        };
        let url = Url::parse(&text).ok()?;
        url.host_str().is_some().then_some(url)
    }

    /// The entry as a `[[source]]`: ready to crawl, or (see [`Provider::missing`]) the
    /// source it would be and what it lacks.
    pub fn suggestion(&self) -> Option<Suggestion> {
        let listing = (self.provider == Provider::Icims).then(|| ListingRecipe {
            links: "a.iCIMS_Anchor".to_owned(),
            next: None,
            max_posting_pages: crate::config::DEFAULT_MAX_POSTING_PAGES,
        });
        Some(Suggestion {
            name: source_name(&self.id()),
            kind: self.provider.kind(),
            url: self.url()?,
            company: Some(self.company.clone()),
            listing,
            missing: self.provider.missing().map(str::to_owned),
            origin: format!("catalog {}", self.key()),
        })
    }
}

/// A source jobfeed suggests (from the catalog or found by `discover`).
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// A name for it (lower-case letters, digits and `-`; callers make it unique in a file).
    pub name: String,
    /// The kind that reads it.
    pub kind: SourceKind,
    /// Where its crawl starts.
    pub url: Url,
    /// The company's name, when known.
    pub company: Option<String>,
    /// For `html` sources: the listing recipe, when known.
    pub listing: Option<ListingRecipe>,
    /// What it lacks before it can be crawled; `None` for a ready source.
    pub missing: Option<String>,
    /// Where it came from, for a comment (`catalog greenhouse/gitlab`, a page's URL).
    pub origin: String,
}

impl Suggestion {
    /// Whether it can be crawled as it is.
    pub fn is_ready(&self) -> bool {
        self.missing.is_none()
    }

    /// The `[[source]]` table, preceded by a comment naming its origin. A source that is not
    /// ready is written commented out, after a line saying what it lacks, so a file it is
    /// appended to stays valid.
    pub fn to_toml(&self) -> String {
        let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let mut lines = vec![
            "[[source]]".to_owned(),
            format!("name = {}", quote(&self.name)),
            format!("kind = {}", quote(self.kind.as_str())),
            format!("url = {}", quote(self.url.as_str())),
        ];
        if let Some(company) = &self.company {
            lines.push(format!("company = {}", quote(company)));
        }
        if let Some(listing) = &self.listing {
            lines.push(String::new());
            lines.push("[source.listing]".to_owned());
            lines.push(format!("links = {}", quote(&listing.links)));
            if let Some(next) = &listing.next {
                lines.push(format!("next = {}", quote(next)));
            }
        }
        let mut out = format!("# {}\n", self.origin.replace('\n', " "));
        if let Some(missing) = &self.missing {
            out.push_str(&format!(
                "# not ready: needs {}\n",
                missing.replace('\n', " ")
            ));
            for line in lines {
                out.push_str(&format!("# {line}\n"));
            }
        } else {
            for line in lines {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }
}

/// A source name made of `text`: lower case, runs of anything but ASCII letters and digits
/// become one `-`, at most 60 characters; `source` when nothing is left.
pub fn source_name(text: &str) -> String {
    let mut name = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let mut name: String = name.chars().take(60).collect();
    while name.ends_with('-') {
        name.pop();
    }
    if name.is_empty() {
        "source".to_owned()
    } else {
        name
    }
}

/// Why a catalog text cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The first line is not `#jobfeed-catalog<TAB>VERSION…`.
    #[error("not a jobfeed catalog (its first line does not start with `{MAGIC}`)")]
    NotACatalog,
    /// A roster header names no known provider, or other columns than expected.
    #[error("line {line}: unknown roster `{name}` or unexpected columns")]
    UnknownRoster {
        /// 1-based line.
        line: usize,
        /// The roster name given.
        name: String,
    },
    /// A row before any roster header, or with a wrong number of fields.
    #[error("line {line}: a row outside a roster or of the wrong width")]
    BadRow {
        /// 1-based line.
        line: usize,
    },
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// The version of the rosters (`2026-08-22.1`).
    pub version: String,
    /// Where the rosters come from, and their licence.
    pub attribution: String,
    /// Every entry, roster by roster, in roster order.
    pub entries: Vec<Entry>,
    folded: Vec<String>,
}

/// How well an entry's company name matches a search: lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchRank {
    /// The whole name, folded.
    Exact,
    /// The start of the name.
    Prefix,
    /// The start of one of its words.
    Word,
    /// Anywhere in the name, or the board's id.
    Inside,
}

impl Catalog {
    /// Parses a catalog text (see `scripts/catalog-build`): a version line, then rosters,
    /// each a header line (a tab, the provider, its columns) and rows (company, fields).
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let mut lines = text.lines();
        let first = lines.next().ok_or(CatalogError::NotACatalog)?;
        let mut head = first.split('\t');
        if head.next() != Some(MAGIC) {
            return Err(CatalogError::NotACatalog);
        }
        let version = head.next().unwrap_or("").to_owned();
        let attribution = head.next().unwrap_or("").to_owned();
        let mut entries = Vec::new();
        let mut provider: Option<Provider> = None;
        for (index, line) in lines.enumerate() {
            let number = index + 2;
            if line.is_empty() {
                continue;
            }
            if let Some(header) = line.strip_prefix('\t') {
                let mut parts = header.split('\t');
                let name = parts.next().unwrap_or("");
                let columns: Vec<&str> = parts.collect();
                provider = Provider::parse(name).filter(|p| p.columns() == columns.as_slice());
                if provider.is_none() {
                    return Err(CatalogError::UnknownRoster {
                        line: number,
                        name: name.to_owned(),
                    });
                }
                continue;
            }
            let provider = provider.ok_or(CatalogError::BadRow { line: number })?;
            let mut parts = line.split('\t');
            let company = parts.next().unwrap_or("").to_owned();
            let fields: Vec<String> = parts.map(str::to_owned).collect();
            if fields.len() != provider.columns().len() {
                return Err(CatalogError::BadRow { line: number });
            }
            entries.push(Entry {
                provider,
                company,
                fields,
            });
        }
        let folded = entries.iter().map(|e| fold(&e.company)).collect();
        Ok(Catalog {
            version,
            attribution,
            entries,
            folded,
        })
    }

    /// The entries whose company name (or board id) matches `text`, case- and
    /// accent-insensitively, best first: the whole name, then names starting with it, then
    /// names with a word starting with it, then the rest; shorter names first within a rank.
    /// `providers` (when not empty) keeps only those rosters.
    pub fn search(&self, text: &str, providers: &[Provider]) -> Vec<(MatchRank, &Entry)> {
        let query = fold(text);
        if query.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(MatchRank, &Entry)> = self
            .entries
            .iter()
            .zip(&self.folded)
            .filter(|(entry, _)| providers.is_empty() || providers.contains(&entry.provider))
            .filter_map(|(entry, name)| {
                let rank = if *name == query {
                    MatchRank::Exact
                } else if name.starts_with(&query) {
                    MatchRank::Prefix
                } else if name.contains(&format!(" {query}")) {
                    MatchRank::Word
                } else if name.contains(&query) || fold(&entry.id()).contains(&query) {
                    MatchRank::Inside
                } else {
                    return None;
                };
                Some((rank, entry))
            })
            .collect();
        found.sort_by(|(ra, a), (rb, b)| {
            ra.cmp(rb)
                .then(a.company.chars().count().cmp(&b.company.chars().count()))
                .then_with(|| a.company.cmp(&b.company))
                .then(a.provider.cmp(&b.provider))
        });
        found
    }

    /// The entry a `KIND/ID` key names (case-insensitive), or else the entries whose company
    /// name is `text` (folded): one is an answer, several are ambiguous, none is not found.
    pub fn lookup(&self, text: &str) -> Vec<&Entry> {
        let text = text.trim();
        if let Some((provider, id)) = text.split_once('/')
            && let Some(provider) = Provider::parse(provider)
        {
            let by_key: Vec<&Entry> = self
                .entries
                .iter()
                .filter(|e| e.provider == provider && e.id().eq_ignore_ascii_case(id))
                .collect();
            if !by_key.is_empty() {
                return by_key;
            }
        }
        let name = fold(text);
        self.entries
            .iter()
            .zip(&self.folded)
            .filter(|(_, folded)| **folded == name)
            .map(|(entry, _)| entry)
            .collect()
    }
}

impl Catalog {
    /// The entries whose board lives on `domain` or one of its subdomains (a career site's
    /// own host: iCIMS, SuccessFactors, Teamtailor, Avature) or that name it as theirs
    /// (Eightfold's `domain`): strong evidence that they are this company's boards.
    pub fn by_domain(&self, domain: &str) -> Vec<&Entry> {
        let domain = domain
            .trim()
            .trim_start_matches("www.")
            .to_ascii_lowercase();
        if domain.is_empty() {
            return Vec::new();
        }
        let on = |host: &str| {
            let host = host.to_ascii_lowercase();
            host == domain || host.ends_with(&format!(".{domain}"))
        };
        self.entries
            .iter()
            .filter(|entry| match entry.provider {
                Provider::Icims | Provider::SuccessFactors | Provider::Teamtailor => {
                    on(entry.field(0))
                }
                Provider::Eightfold => entry.field(1).eq_ignore_ascii_case(&domain),
                Provider::Avature => Url::parse(entry.field(0))
                    .ok()
                    .and_then(|u| u.host_str().map(on))
                    .unwrap_or(false),
                _ => false,
            })
            .collect()
    }

    /// The entries whose company name or board id is `label` (folded): a domain's name
    /// (`acme` of `acme.com`); weak evidence, since names are shared.
    pub fn by_name(&self, label: &str) -> Vec<&Entry> {
        let name = fold(label);
        if name.is_empty() {
            return Vec::new();
        }
        self.entries
            .iter()
            .zip(&self.folded)
            .filter(|(entry, folded)| **folded == name || fold(&entry.id()) == name)
            .map(|(entry, _)| entry)
            .collect()
    }
}

/// Lower case, accents removed, anything but letters and digits a single space: the form
/// names are compared in (`Société Générale` and `societe generale` are equal).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            '\'' | '’' | '.' => {}
            c if c.is_alphanumeric() => out.push(crate::normalize::location::unaccent(c)),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "#jobfeed-catalog\t2026-08-22.1\ttest rosters, MIT\n\
        \tgreenhouse\tboard_token\n\
        GitLab\tgitlab\n\
        Société Générale\tsocgen\n\
        Git Tower\tgittower\n\
        \tworkday\ttenant\tinstance\tsite\n\
        NVIDIA\tnvidia\twd5\tNVIDIAExternalCareerSite\n\
        \thrmos\tslug\n\
        A.T. カーニー株式会社\tkearney\n\
        \tlever\tsite\n\
        GitLab\tgitlab-eu\n";

    fn catalog() -> Catalog {
        Catalog::parse(TEXT).unwrap()
    }

    #[test]
    fn a_catalog_text_reads_into_entries_with_its_version() {
        let catalog = catalog();
        assert_eq!(catalog.version, "2026-08-22.1");
        assert_eq!(catalog.attribution, "test rosters, MIT");
        assert_eq!(catalog.entries.len(), 6);
        assert_eq!(catalog.entries[3].provider, Provider::Workday);
        assert_eq!(
            catalog.entries[3].key(),
            "workday/nvidia/NVIDIAExternalCareerSite"
        );
    }

    #[test]
    fn a_text_that_is_not_a_catalog_or_has_a_bad_row_is_refused() {
        assert_eq!(
            Catalog::parse("company\tx\n"),
            Err(CatalogError::NotACatalog)
        );
        let unknown = "#jobfeed-catalog\t1\tx\n\tmonster\tslug\nA\ta\n";
        assert!(matches!(
            Catalog::parse(unknown),
            Err(CatalogError::UnknownRoster { line: 2, .. })
        ));
        let wide = "#jobfeed-catalog\t1\tx\n\tlever\tsite\nA\ta\tb\n";
        assert_eq!(Catalog::parse(wide), Err(CatalogError::BadRow { line: 3 }));
        let orphan = "#jobfeed-catalog\t1\tx\nA\ta\n";
        assert_eq!(
            Catalog::parse(orphan),
            Err(CatalogError::BadRow { line: 2 })
        );
    }

    #[test]
    fn search_ignores_case_and_accents_and_puts_prefixes_and_words_first() {
        let catalog = catalog();
        let names = |query: &str| -> Vec<String> {
            catalog
                .search(query, &[])
                .into_iter()
                .map(|(rank, e)| format!("{:?} {} {}", rank, e.provider, e.company))
                .collect()
        };
        assert_eq!(
            names("societe generale"),
            ["Exact greenhouse Société Générale"]
        );
        assert_eq!(names("GÉNÉ"), ["Word greenhouse Société Générale"]);
        assert_eq!(
            names("git"),
            [
                "Prefix greenhouse GitLab",
                "Prefix lever GitLab",
                "Prefix greenhouse Git Tower"
            ]
        );
        assert_eq!(
            names("lab"),
            ["Inside greenhouse GitLab", "Inside lever GitLab"]
        );
        assert!(names("zzz").is_empty());
        assert!(names("  ").is_empty());
        let lever_only: Vec<_> = catalog.search("gitlab", &[Provider::Lever]);
        assert_eq!(lever_only.len(), 1);
        assert_eq!(lever_only[0].1.id(), "gitlab-eu");
    }

    #[test]
    fn a_key_names_one_entry_and_a_shared_company_name_is_ambiguous() {
        let catalog = catalog();
        let by_key = catalog.lookup("Greenhouse/GITLAB");
        assert_eq!(by_key.len(), 1);
        assert_eq!(by_key[0].provider, Provider::Greenhouse);
        assert_eq!(
            catalog.lookup("gitlab").len(),
            2,
            "GitLab is on two rosters"
        );
        assert_eq!(catalog.lookup("nvidia").len(), 1);
        assert!(catalog.lookup("greenhouse/nobody").is_empty());
        assert!(catalog.lookup("nobody").is_empty());
    }

    #[test]
    fn each_provider_entry_becomes_a_source_its_kind_reads() {
        let entry = |provider: Provider, fields: &[&str]| Entry {
            provider,
            company: "Acme".into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        };
        let cases = [
            (
                entry(Provider::Greenhouse, &["acme"]),
                "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true",
            ),
            (
                entry(Provider::Dayforce, &["pca", "CANDIDATEPORTAL", "1", ""]),
                "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL",
            ),
            (
                entry(
                    Provider::Dayforce,
                    &["kss", "CANDIDATEPORTAL", "1", "fr-CA"],
                ),
                "https://jobs.dayforcehcm.com/fr-CA/kss/CANDIDATEPORTAL",
            ),
            (
                entry(
                    Provider::Oracle,
                    &["eiqg.fa.us2.oraclecloud.com", "CX_1", "CX_1001"],
                ),
                "https://eiqg.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/jobs?siteNumber=CX_1001",
            ),
            (
                entry(Provider::Eightfold, &["alnylam", "alnylam.com"]),
                "https://alnylam.eightfold.ai/careers?domain=alnylam.com",
            ),
            (
                entry(
                    Provider::Avature,
                    &["https://bloomberg.avature.net/careers/"],
                ),
                "https://bloomberg.avature.net/careers/SearchJobs/",
            ),
            (
                entry(Provider::Workable, &["blueground"]),
                "https://apply.workable.com/api/v3/accounts/blueground/jobs",
            ),
        ];
        for (entry, url) in cases {
            let suggestion = entry.suggestion().unwrap();
            assert_eq!(suggestion.url.as_str(), url);
            assert_eq!(suggestion.kind, entry.provider.kind());
            assert!(suggestion.is_ready());
            let toml = suggestion.to_toml();
            let config = crate::config::parse(&toml, "suggestion").unwrap();
            assert_eq!(config.sources[0].url.as_str(), url);
            assert_eq!(config.sources[0].company.as_deref(), Some("Acme"));
        }
    }

    #[test]
    fn an_icims_entry_is_an_html_source_with_its_listing_recipe() {
        let icims = Entry {
            provider: Provider::Icims,
            company: "BusPatrol".into(),
            fields: vec!["careers-buspatrol.icims.com".into()],
        };
        let suggestion = icims.suggestion().unwrap();
        assert!(suggestion.is_ready());
        let config = crate::config::parse(&suggestion.to_toml(), "s").unwrap();
        let source = &config.sources[0];
        assert_eq!(source.kind, SourceKind::Html);
        assert_eq!(source.listing.as_ref().unwrap().links, "a.iCIMS_Anchor");
        assert_eq!(source.name, "careers-buspatrol-icims-com");
    }

    #[test]
    fn a_provider_jobfeed_cannot_read_yet_is_listed_commented_out_with_what_it_lacks() {
        let catalog = catalog();
        let hrmos = catalog.lookup("hrmos/kearney")[0].suggestion().unwrap();
        assert!(!hrmos.is_ready());
        let toml = hrmos.to_toml();
        assert!(
            toml.contains("# not ready: needs a `[source.listing]` recipe"),
            "{toml}"
        );
        assert!(
            toml.contains("# url = \"https://hrmos.co/pages/kearney/jobs\""),
            "{toml}"
        );
        let config = crate::config::parse(&toml, "s").unwrap();
        assert!(config.sources.is_empty(), "nothing uncommented");
    }

    #[test]
    fn names_are_slugs_of_the_board_id() {
        assert_eq!(
            source_name("NVIDIA/NVIDIAExternalCareerSite"),
            "nvidia-nvidiaexternalcareersite"
        );
        assert_eq!(source_name("--Acme  Corp--"), "acme-corp");
        assert_eq!(source_name("株式会社"), "source");
    }

    #[test]
    fn a_domain_finds_the_boards_on_its_hosts_and_a_name_the_boards_of_that_name() {
        let text = "#jobfeed-catalog\t1\tx\n\tsuccessfactors\thost\nABANCA\templeo.abanca.com\n\
            \teightfold\ttenant\tdomain\nAmdocs\tamdocs\tamdocs.com\n\
            \tgreenhouse\tboard_token\nAbanca Labs\tabanca\n";
        let catalog = Catalog::parse(text).unwrap();
        let keys = |entries: Vec<&Entry>| entries.iter().map(|e| e.key()).collect::<Vec<_>>();
        assert_eq!(
            keys(catalog.by_domain("www.abanca.com")),
            ["successfactors/empleo.abanca.com"]
        );
        assert_eq!(
            keys(catalog.by_domain("amdocs.com")),
            ["eightfold/amdocs/amdocs.com"]
        );
        assert!(catalog.by_domain("banca.com").is_empty());
        assert_eq!(
            keys(catalog.by_name("abanca")),
            ["successfactors/empleo.abanca.com", "greenhouse/abanca"]
        );
        assert!(catalog.by_name("").is_empty());
    }

    #[test]
    fn folding_removes_case_accents_and_punctuation() {
        assert_eq!(fold("Société  Générale"), "societe generale");
        assert_eq!(fold("A.T. Kearney"), "at kearney");
        assert_eq!(fold("Ærø Straße"), "aero strasse");
        assert_eq!(fold("株式会社"), "株式会社");
    }
}
