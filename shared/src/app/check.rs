//! Checking a source before relying on it (`jobfeed catalog check`, `jobfeed discover
//! --check`): its list is read through the fetch port as a crawl reads it (pre-flights,
//! paging, the kind's extractor), a few pages at most, and its postings are counted. No
//! posting detail is read and nothing is stored.

use std::collections::HashSet;

use chrono::Utc;
use scraper::{Html, Selector};
use url::Url;

use crate::config::SourceConfig;
use crate::crawl::fetch::{FetchError, FetchOutcome, FetchRequest, Fetcher};
use crate::crawl::paging::{PageRequest, Pager};
use crate::error::ParseError;
use crate::extract::ExtractKind;
use crate::model::SourceKind;
use crate::parse::{ParseOptions, extract_document};

/// What a source's list showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Postings (or, for an `html` listing, links to posting pages) on the pages read.
    pub postings: usize,
    /// List pages read (pre-flights aside).
    pub pages: u32,
    /// The list goes on past the pages read: `postings` is a lower bound.
    pub more: bool,
}

/// Why a source does not answer as its kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckError {
    /// The first page could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// robots.txt keeps jobfeed away.
    #[error("{url}: {reason}")]
    Disallowed {
        /// The URL refused.
        url: Url,
        /// Why.
        reason: String,
    },
    /// The page is not of the source's kind, or is malformed.
    #[error("{url}: {error}")]
    Parse {
        /// The page.
        url: Url,
        /// What the extractor said.
        error: ParseError,
    },
    /// The listing recipe does not compile.
    #[error("listing selector `{0}` is invalid")]
    Recipe(String),
    /// The server answered 304 to an unconditional request.
    #[error("{0}: unexpected 304 Not Modified")]
    NotModified(Url),
}

/// Reads at most `max_pages` pages of `source`'s list and counts its postings. Errors when a
/// page cannot be fetched or read as the source's kind; a later page's failure ends the
/// count there (reported as `more`).
pub async fn check_source(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
    max_pages: u32,
) -> Result<CheckReport, CheckError> {
    if source.kind == SourceKind::Html {
        return check_listing(fetcher, source).await;
    }
    let (mut pager, mut next) = Pager::start(source.kind, &source.url);
    let mut report = CheckReport {
        postings: 0,
        pages: 0,
        more: false,
    };
    let mut ids = HashSet::new();
    let now = Utc::now();
    loop {
        if report.pages >= max_pages.max(1) {
            report.more = true;
            return Ok(report);
        }
        let first = report.pages == 0;
        let doc = match fetch(fetcher, source, &next).await {
            Ok(doc) => doc,
            Err(error) if first => return Err(error),
            Err(_) => {
                report.more = true;
                return Ok(report);
            }
        };
        if !next.preflight {
            let options = ParseOptions {
                kind: ExtractKind::Fixed(source.kind),
                url: Some(&doc.final_url),
                source: Some(&source.name),
                company_override: source.company.as_deref(),
                fetched_at: now,
                max_bytes: u64::MAX,
            };
            let parsed = extract_document(doc.body.as_bytes(), &options).map_err(|error| {
                CheckError::Parse {
                    url: doc.final_url.clone(),
                    error,
                }
            })?;
            report.pages += 1;
            let before = ids.len();
            ids.extend(parsed.postings.into_iter().map(|p| p.id));
            report.postings = ids.len();
            if ids.len() == before && report.pages > 1 {
                // A page of nothing new ends the count, as it ends a crawl's list.
                return Ok(report);
            }
        }
        match pager.next(&doc) {
            Some(request) => next = request,
            None => return Ok(report),
        }
    }
}

/// An `html` listing's first page: its links to posting pages, counted.
async fn check_listing(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
) -> Result<CheckReport, CheckError> {
    let links = source
        .listing
        .as_ref()
        .map_or("a[href]", |listing| listing.links.as_str());
    let selector = Selector::parse(links).map_err(|_| CheckError::Recipe(links.to_owned()))?;
    let doc = fetch(fetcher, source, &PageRequest::get(source.url.clone())).await?;
    let page = Html::parse_document(&doc.body);
    let found: HashSet<Url> = page
        .select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|href| doc.final_url.join(href).ok())
        .collect();
    let has_next = source
        .listing
        .as_ref()
        .and_then(|l| l.next.as_deref())
        .and_then(|next| Selector::parse(next).ok())
        .is_some_and(|next| page.select(&next).next().is_some());
    Ok(CheckReport {
        postings: found.len(),
        pages: 1,
        more: has_next,
    })
}

async fn fetch(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
    page: &PageRequest,
) -> Result<crate::crawl::fetch::Document, CheckError> {
    let request = FetchRequest {
        url: page.url.clone(),
        method: page.method.clone(),
        validators: None,
        allow_private: source.allow_private,
        allowed_hosts: None,
        headers: page.headers.clone(),
    };
    match fetcher.fetch(request).await? {
        FetchOutcome::Fetched(doc) => Ok(doc),
        FetchOutcome::NotModified => Err(CheckError::NotModified(page.url.clone())),
        FetchOutcome::Disallowed { reason } => Err(CheckError::Disallowed {
            url: page.url.clone(),
            reason: reason.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::crawl::fetch::Document;

    /// Serves recorded bodies by URL; anything else is a 404.
    struct Recorded {
        bodies: HashMap<String, String>,
        asked: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Fetcher for Recorded {
        async fn fetch(&self, request: FetchRequest) -> Result<FetchOutcome, FetchError> {
            self.asked.lock().unwrap().push(request.url.to_string());
            match self.bodies.get(request.url.as_str()) {
                Some(body) => Ok(FetchOutcome::Fetched(Document::new(
                    request.url.clone(),
                    body.clone(),
                ))),
                None => Err(FetchError::Status {
                    url: request.url,
                    status: 404,
                }),
            }
        }
    }

    fn corpus(path: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/corpus")
                .join(path),
        )
        .unwrap()
    }

    fn source(text: &str) -> SourceConfig {
        crate::config::parse(text, "test")
            .unwrap()
            .sources
            .remove(0)
    }

    #[tokio::test]
    async fn a_recorded_greenhouse_board_counts_its_postings() {
        let url = "https://boards-api.greenhouse.io/v1/boards/safariai/jobs";
        let fetcher = Recorded {
            bodies: HashMap::from([(url.to_owned(), corpus("greenhouse/jobs_rsp.json"))]),
            asked: Mutex::default(),
        };
        let source = source(&format!(
            "[[source]]\nname = \"s\"\nkind = \"greenhouse\"\nurl = \"{url}\"\n"
        ));
        let report = check_source(&fetcher, &source, 3).await.unwrap();
        assert_eq!(
            report,
            CheckReport {
                postings: 7,
                pages: 1,
                more: false
            }
        );
    }

    #[tokio::test]
    async fn a_board_that_is_gone_or_of_another_kind_is_an_error() {
        let url = "https://boards-api.greenhouse.io/v1/boards/gone/jobs";
        let fetcher = Recorded {
            bodies: HashMap::from([(
                "https://api.lever.co/v0/postings/x?mode=json&limit=100".to_owned(),
                "<html><body>Not a board</body></html>".to_owned(),
            )]),
            asked: Mutex::default(),
        };
        let gone = source(&format!(
            "[[source]]\nname = \"s\"\nkind = \"greenhouse\"\nurl = \"{url}\"\n"
        ));
        let error = check_source(&fetcher, &gone, 3).await.unwrap_err();
        assert!(matches!(
            error,
            CheckError::Fetch(FetchError::Status { status: 404, .. })
        ));
        let html = source(
            "[[source]]\nname = \"s\"\nkind = \"lever\"\nurl = \"https://api.lever.co/v0/postings/x?mode=json\"\n",
        );
        let error = check_source(&fetcher, &html, 3).await.unwrap_err();
        assert!(matches!(error, CheckError::Parse { .. }), "{error}");
    }

    #[tokio::test]
    async fn an_icims_listing_counts_its_links_to_posting_pages() {
        let url = "https://careers-buspatrol.icims.com/jobs/search?ss=1";
        let fetcher = Recorded {
            bodies: HashMap::from([(url.to_owned(), corpus("icims/search_rsp.html"))]),
            asked: Mutex::default(),
        };
        let source = source(&format!(
            "[[source]]\nname = \"s\"\nkind = \"html\"\nurl = \"{url}\"\n[source.listing]\nlinks = \"a.iCIMS_Anchor\"\n"
        ));
        let report = check_source(&fetcher, &source, 3).await.unwrap();
        assert!(report.postings >= 1, "{report:?}");
        assert_eq!(fetcher.asked.lock().unwrap().len(), 1);
    }
}
