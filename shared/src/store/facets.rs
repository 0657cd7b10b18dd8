//! Facet counts: how many open postings a list's filters leave per category, seniority,
//! workplace, employment type and country, and its top companies and skills. The types, the
//! counting rule every adapter shares, a bounded fallback over `PostingReader::list` for
//! adapters without a cheaper way to count, and (`counters`) the counters a writer keeps
//! for the filter sets they serve.

use std::collections::HashMap;

use serde::Serialize;

pub mod counters;

use super::{ListQuery, PostingReader, StoreError};
use crate::model::JobPosting;

/// Most values listed for the open-ended dimensions (company, skill, country).
pub const FACET_TOP: usize = 10;
/// Most postings the fallback counts (`count_by_listing`): pages of `FACET_PAGE` until then.
pub const FACET_SCAN_LIMIT: usize = 1000;
/// Page size of the fallback's `list` calls.
const FACET_PAGE: usize = 100;
/// Most `list` calls of the fallback: a selective filter may return short pages.
const FACET_MAX_CALLS: usize = 2 * FACET_SCAN_LIMIT / FACET_PAGE;

/// One value of a dimension and how many postings have it.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value, in its wire spelling (as the `/jobs` filter takes it).
    pub value: String,
    /// Postings matching the filters with this value.
    pub count: u64,
}

/// Counts per dimension for one set of filters; each list is sorted by count (descending),
/// then value.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Postings counted.
    pub total: u64,
    /// Whether every matching posting was counted; `false` when the store counted only the
    /// newest `total` of them (a bound on the work of one request, see README).
    pub complete: bool,
    /// Per job family.
    pub category: Vec<FacetCount>,
    /// Per seniority level.
    pub seniority: Vec<FacetCount>,
    /// Per workplace.
    pub workplace: Vec<FacetCount>,
    /// Per contract type.
    pub employment_type: Vec<FacetCount>,
    /// The most common countries (locations, and remote regions of remote postings).
    pub country: Vec<FacetCount>,
    /// The most common companies (top `FACET_TOP`).
    pub company: Vec<FacetCount>,
    /// The most common skills (top `FACET_TOP`).
    pub skill: Vec<FacetCount>,
}

/// Adds postings to per-dimension tallies; `finish` sorts and cuts them.
#[derive(Debug, Default)]
pub struct FacetTally {
    total: u64,
    dimensions: [HashMap<String, u64>; 7],
}

impl FacetTally {
    /// Counts one posting (which must match the filters) once in each dimension it has a
    /// value for (`counters::facet_values`); a country both located and in the remote
    /// regions counts once.
    pub fn add(&mut self, p: &JobPosting) {
        self.total += 1;
        for (dimension, value) in counters::facet_values(p) {
            self.add_count(dimension, value, 1);
        }
    }

    /// Adds `n` postings to the total (postings counted elsewhere, e.g. by counters).
    pub fn add_total(&mut self, n: u64) {
        self.total += n;
    }

    /// Adds `n` postings with `value` in `dimension` (the total is `add_total`'s).
    pub fn add_count(&mut self, dimension: counters::Dimension, value: &str, n: u64) {
        *self.dimensions[dimension.index()]
            .entry(value.to_owned())
            .or_default() += n;
    }

    /// The counts, sorted; the open-ended dimensions cut to `FACET_TOP`.
    pub fn finish(self, complete: bool) -> Facets {
        let [
            category,
            seniority,
            workplace,
            employment_type,
            country,
            company,
            skill,
        ] = self.dimensions.map(sorted);
        let top = |mut counts: Vec<FacetCount>| {
            counts.truncate(FACET_TOP);
            counts
        };
        Facets {
            total: self.total,
            complete,
            category,
            seniority,
            workplace,
            employment_type,
            country: top(country),
            company: top(company),
            skill: top(skill),
        }
    }
}

fn sorted(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut counts: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts
}

/// Facets counted over the newest matching postings, read through `list` in pages, at most
/// `FACET_SCAN_LIMIT` of them: exact for a selective filter, the newest postings' counts
/// (`complete: false`) for a broad one. The fallback of adapters with no counting query.
pub async fn count_by_listing(
    reader: &(impl PostingReader + ?Sized),
    query: &ListQuery,
) -> Result<Facets, StoreError> {
    let mut tally = FacetTally::default();
    let mut cursor: Option<String> = None;
    let mut counted = 0;
    for _ in 0..FACET_MAX_CALLS {
        let page = reader.list(query, FACET_PAGE, cursor.as_deref()).await?;
        counted += page.items.len();
        for stored in &page.items {
            tally.add(&stored.posting);
        }
        match page.next_cursor {
            Some(next) if counted < FACET_SCAN_LIMIT => cursor = Some(next),
            Some(_) => return Ok(tally.finish(false)),
            None => return Ok(tally.finish(true)),
        }
    }
    Ok(tally.finish(false))
}
