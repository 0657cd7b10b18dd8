//! Facet counts: how many open postings a list's filters leave per category, seniority,
//! workplace, employment type and country, and its top companies and skills. The types, the
//! counting rule every adapter shares, and a bounded fallback over `PostingReader::list` for
//! adapters without a cheaper way to count.

use std::collections::HashMap;

use serde::Serialize;

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
    /// value for; a country both located and in the remote regions counts once.
    pub fn add(&mut self, p: &JobPosting) {
        self.total += 1;
        let mut bump = |dimension: usize, value: &str| {
            *self.dimensions[dimension]
                .entry(value.to_owned())
                .or_default() += 1;
        };
        if let Some(v) = p.category {
            bump(0, v.as_str());
        }
        if let Some(v) = p.seniority {
            bump(1, v.as_str());
        }
        if let Some(v) = p.workplace {
            bump(2, v.as_str());
        }
        if let Some(v) = p.employment_type {
            bump(3, v.as_str());
        }
        // The countries the `country` filter finds it under: its places, and the regions a
        // remote posting is open to (one open to anywhere is under no single country).
        let remote = p.workplace == Some(crate::model::Workplace::Remote);
        let mut countries: Vec<&str> = p
            .locations
            .iter()
            .filter_map(|l| l.country.as_deref())
            .chain(
                p.remote_regions
                    .iter()
                    .filter(|_| remote)
                    .map(String::as_str),
            )
            .collect();
        countries.sort_unstable();
        countries.dedup();
        for country in countries {
            bump(4, country);
        }
        if !p.company.name.is_empty() {
            bump(5, &p.company.name);
        }
        let mut skills: Vec<&str> = p.skills.iter().map(String::as_str).collect();
        skills.sort_unstable();
        skills.dedup();
        for skill in skills {
            bump(6, skill);
        }
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
