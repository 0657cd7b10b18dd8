//! Paging of Avature (being built).

use serde::{Deserialize, Serialize};
use url::Url;

use super::{PageRequest, Pager};
use crate::crawl::fetch::Document;

/// Where a Avature crawl is in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    url: Url,
}

/// The pager of a Avature source configured at `url`, and its first request.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let pages = Pages { url: url.clone() };
    (Pager::Avature(pages), PageRequest::get(url.clone()))
}

impl Pages {
    /// The request after `doc`, or `None` at the end of the list.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let _ = (&self.url, doc);
        None
    }
}
