//! Facet counters kept by the writer: the filter sets whose facet counts a store can keep up
//! to date on every posting write ("counter-served"), and the counter cells each posting adds
//! to. Pure domain rules, shared by every adapter that keeps counters (SQLite's
//! `facet_counts` table, DynamoDB's `facets#` items), so their answers equal the reference
//! count of `FacetTally` over `ListQuery::matches`.
//!
//! A scope is the filter set a cell counts under: `all` (no filter), or one filter
//! `{dimension}={value}` among category, seniority, workplace, employment type and country.
//! A remote posting open to every country matches every `country` filter; it is kept once
//! under the scope `country=*` (and under no single country's scope), and a `country=X`
//! answer adds the scopes `country=X` and `country=*`, which never share a posting.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use async_trait::async_trait;

use super::{FacetTally, Facets};
use crate::model::JobPosting;
use crate::store::{ANY_COUNTRY, ListQuery, StoreError, country_keys, search_words};

/// The scope of the unfiltered counts.
pub const SCOPE_ALL: &str = "all";

/// The scope of the remote postings open to every country (part of every country's answer).
pub const SCOPE_ANY_COUNTRY: &str = "country=*";

/// The dimension name of a scope's total cell (its value is empty).
pub const TOTAL: &str = "total";

/// A facet dimension, in the order of `Facets`' lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Job family.
    Category,
    /// Seniority level.
    Seniority,
    /// Workplace.
    Workplace,
    /// Contract type.
    EmploymentType,
    /// Countries: locations, and remote regions of remote postings.
    Country,
    /// Company name as the posting spells it.
    Company,
    /// Canonical skill.
    Skill,
}

impl Dimension {
    /// Every dimension, in `Facets`' order.
    pub const ALL: [Dimension; 7] = [
        Dimension::Category,
        Dimension::Seniority,
        Dimension::Workplace,
        Dimension::EmploymentType,
        Dimension::Country,
        Dimension::Company,
        Dimension::Skill,
    ];

    /// The stored name (the field name of `Facets` and of the `/jobs` filter).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Category => "category",
            Dimension::Seniority => "seniority",
            Dimension::Workplace => "workplace",
            Dimension::EmploymentType => "employment_type",
            Dimension::Country => "country",
            Dimension::Company => "company",
            Dimension::Skill => "skill",
        }
    }

    /// The dimension of a stored name; `None` for anything else (`TOTAL` included).
    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// Its position in `Dimension::ALL` (and in `FacetTally`'s tallies).
    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// The values a posting is counted under, per dimension, by `FacetTally::add`'s rules: one
/// value per enum dimension it has, its countries once each (places, and the regions of a
/// remote posting; one open to anywhere is under no single country), its company name when
/// not empty, its skills once each.
pub fn facet_values(p: &JobPosting) -> Vec<(Dimension, &str)> {
    let mut values: Vec<(Dimension, &str)> = Vec::new();
    if let Some(v) = p.category {
        values.push((Dimension::Category, v.as_str()));
    }
    if let Some(v) = p.seniority {
        values.push((Dimension::Seniority, v.as_str()));
    }
    if let Some(v) = p.workplace {
        values.push((Dimension::Workplace, v.as_str()));
    }
    if let Some(v) = p.employment_type {
        values.push((Dimension::EmploymentType, v.as_str()));
    }
    for country in countries(p) {
        values.push((Dimension::Country, country));
    }
    if !p.company.name.is_empty() {
        values.push((Dimension::Company, &p.company.name));
    }
    let mut skills: Vec<&str> = p.skills.iter().map(String::as_str).collect();
    skills.sort_unstable();
    skills.dedup();
    values.extend(skills.into_iter().map(|s| (Dimension::Skill, s)));
    values
}

/// The countries the `country` filter finds a posting under by name, sorted, once each: its
/// `country_keys` but the one that stands for every country.
fn countries(p: &JobPosting) -> Vec<&str> {
    country_keys(p)
        .into_iter()
        .filter(|&key| key != ANY_COUNTRY)
        .collect()
}

/// Whether a remote posting is open to every country (so every `country` filter matches it).
fn open_to_anywhere(p: &JobPosting) -> bool {
    country_keys(p).contains(ANY_COUNTRY)
}

/// Whether the default facet counts count a posting: open and canonical (what
/// `ListQuery::default().matches` lets through).
pub fn counted(p: &JobPosting) -> bool {
    p.closed_at.is_none() && p.duplicate_of.is_none()
}

/// The scope key of one single filter.
fn scope(dimension: Dimension, value: &str) -> String {
    format!("{}={value}", dimension.as_str())
}

/// The scopes whose cells answer `query`, when it is counter-served: `[all]` for no filter,
/// one scope for one filter among category, seniority, workplace and employment type,
/// `[country=X, country=*]` for one country; `None` for any other filter set (a search text
/// with words, a company, skills, a salary floor, `since`, closed or duplicate postings, or
/// two filters), which a store counts its own bounded way.
pub fn counter_scopes(query: &ListQuery) -> Option<Vec<String>> {
    // Destructured so that a new filter cannot be forgotten here.
    let ListQuery {
        q,
        company,
        skills,
        seniority,
        category,
        workplace,
        country,
        employment_type,
        salary_min,
        since,
        include_closed,
        include_duplicates,
    } = query;
    // A text without words matches everything (`ListQuery::matches`).
    let q_filters = q.as_deref().is_some_and(|q| !search_words(q).is_empty());
    if q_filters
        || company.is_some()
        || !skills.is_empty()
        || salary_min.is_some()
        || since.is_some()
        || *include_closed
        || *include_duplicates
    {
        return None;
    }
    let mut scopes: Vec<String> = Vec::new();
    if let Some(v) = category {
        scopes.push(scope(Dimension::Category, v.as_str()));
    }
    if let Some(v) = seniority {
        scopes.push(scope(Dimension::Seniority, v.as_str()));
    }
    if let Some(v) = workplace {
        scopes.push(scope(Dimension::Workplace, v.as_str()));
    }
    if let Some(v) = employment_type {
        scopes.push(scope(Dimension::EmploymentType, v.as_str()));
    }
    if let Some(c) = country {
        // `*` is no country: the filter finds only the postings located "there", which no
        // scope keeps apart.
        if c == "*" {
            return None;
        }
        scopes.push(scope(Dimension::Country, c));
        scopes.push(SCOPE_ANY_COUNTRY.to_owned());
    }
    match scopes.len() {
        0 => Some(vec![SCOPE_ALL.to_owned()]),
        1 => Some(scopes),
        // Only the country filter makes two scopes alone.
        2 if country.is_some() => Some(scopes),
        _ => None,
    }
}

/// The scopes a counted posting is in: `all`, one per enum filter value it has, and its
/// countries' (or `country=*` alone when it is remote and open to anywhere, since it
/// matches every country filter through that scope already).
fn posting_scopes(p: &JobPosting) -> Vec<String> {
    let mut scopes = vec![SCOPE_ALL.to_owned()];
    let anywhere = open_to_anywhere(p);
    for (dimension, value) in facet_values(p) {
        match dimension {
            Dimension::Category
            | Dimension::Seniority
            | Dimension::Workplace
            | Dimension::EmploymentType => scopes.push(scope(dimension, value)),
            Dimension::Country if !anywhere => scopes.push(scope(dimension, value)),
            Dimension::Country | Dimension::Company | Dimension::Skill => {}
        }
    }
    if anywhere {
        scopes.push(SCOPE_ANY_COUNTRY.to_owned());
    }
    scopes
}

/// One counter: how many counted postings of `scope` have `value` in `dimension` (or, with
/// no dimension, the scope's total).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    /// The scope key (`all`, `category=backend`, `country=DE`, `country=*`...).
    pub scope: String,
    /// The dimension; `None` for the total.
    pub dimension: Option<Dimension>,
    /// The value (empty for the total).
    pub value: String,
}

impl Cell {
    /// The stored dimension name: the dimension's, or `TOTAL`.
    pub fn dimension_key(&self) -> &'static str {
        self.dimension.map_or(TOTAL, Dimension::as_str)
    }
}

/// The cells a posting adds one to: none unless it is counted (open and canonical); else
/// for each of its scopes the total and every facet value it has.
pub fn posting_cells(p: &JobPosting) -> Vec<Cell> {
    if !counted(p) {
        return Vec::new();
    }
    let values = facet_values(p);
    let mut cells = Vec::new();
    for scope in posting_scopes(p) {
        cells.push(Cell {
            scope: scope.clone(),
            dimension: None,
            value: String::new(),
        });
        for (dimension, value) in &values {
            cells.push(Cell {
                scope: scope.clone(),
                dimension: Some(*dimension),
                value: (*value).to_owned(),
            });
        }
    }
    cells
}

/// Changes to counters, summed per cell; cells whose changes cancel out are left out, so an
/// unchanged posting (or one whose change touches no counted field) changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterDeltas(BTreeMap<Cell, i64>);

impl CounterDeltas {
    /// Adds the change of one posting from `old` to `new` (`None`: absent).
    pub fn record(&mut self, old: Option<&JobPosting>, new: Option<&JobPosting>) {
        for cell in old.map(posting_cells).unwrap_or_default() {
            self.add(cell, -1);
        }
        for cell in new.map(posting_cells).unwrap_or_default() {
            self.add(cell, 1);
        }
    }

    /// Adds `n` to one cell.
    pub fn add(&mut self, cell: Cell, n: i64) {
        match self.0.entry(cell) {
            Entry::Occupied(mut e) => {
                *e.get_mut() += n;
                if *e.get() == 0 {
                    e.remove();
                }
            }
            Entry::Vacant(e) => {
                if n != 0 {
                    e.insert(n);
                }
            }
        }
    }

    /// Adds every change of `other`.
    pub fn merge(&mut self, other: CounterDeltas) {
        for (cell, n) in other.0 {
            self.add(cell, n);
        }
    }

    /// The non-zero changes, in cell order.
    pub fn iter(&self) -> impl Iterator<Item = (&Cell, i64)> {
        self.0.iter().map(|(cell, n)| (cell, *n))
    }

    /// How many cells change.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The facets of the counter rows of a query's scopes, `(dimension name, value, count)`:
/// counts of one value in several scopes (a country's two) add up; rows with a count of
/// zero or less (a cell its last posting left) and unknown dimension names are skipped;
/// sorted and cut as `FacetTally::finish` does. Always `complete`: the counters count every
/// matching posting.
pub fn facets_from_counters<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, i64)>) -> Facets {
    let mut tally = FacetTally::default();
    let mut merged: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for (dimension, value, count) in rows {
        *merged.entry((dimension, value)).or_default() += count;
    }
    for ((dimension, value), count) in merged {
        let Ok(count) = u64::try_from(count) else {
            continue;
        };
        if count == 0 {
            continue;
        }
        if dimension == TOTAL {
            tally.add_total(count);
        } else if let Some(dimension) = Dimension::parse(dimension) {
            tally.add_count(dimension, value, count);
        }
    }
    tally.finish(true)
}

/// A store that keeps facet counters: their repair. Counters start empty on a store that
/// had postings before it kept them (a DynamoDB table deployed earlier), and a counter
/// update lost after its posting write (see the adapter) leaves them off until recounted.
#[async_trait]
pub trait FacetCounterRepair: Send + Sync {
    /// Recounts every counter from the stored postings (one walk of them) and replaces the
    /// stored counters with the result. Returns the postings counted. Writes that run at
    /// the same time may be missed by the recount: run it while ingest is paused, or again.
    async fn rebuild_facet_counters(&self) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{
        Category, Company, EmploymentType, Location, Seniority, SourceKind, Workplace,
    };

    fn posting(id: &str) -> JobPosting {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        JobPosting {
            id: id.into(),
            source: "board".into(),
            source_kind: SourceKind::Greenhouse,
            external_id: Some(id.into()),
            url: format!("https://example.com/{id}"),
            apply_url: None,
            title: "Engineer".into(),
            company: Company {
                name: "Acme".into(),
                url: None,
                logo_url: None,
            },
            department: None,
            locations: vec![Location {
                raw: "Berlin".into(),
                city: Some("Berlin".into()),
                region: None,
                country: Some("DE".into()),
            }],
            workplace: Some(Workplace::Onsite),
            remote_regions: vec![],
            employment_type: Some(EmploymentType::FullTime),
            seniority: Some(Seniority::Senior),
            category: Some(Category::Backend),
            skills: vec!["go".into(), "rust".into(), "go".into()],
            salary: None,
            description_html: String::new(),
            description_text: String::new(),
            posted_at: None,
            valid_through: None,
            fetched_at: at,
            fingerprint: String::new(),
            content_hash: String::new(),
            first_seen_at: Some(at),
            last_seen_at: Some(at),
            closed_at: None,
            duplicate_of: None,
        }
    }

    fn remote_anywhere(id: &str) -> JobPosting {
        let mut p = posting(id);
        p.workplace = Some(Workplace::Remote);
        p.category = Some(Category::Frontend);
        p
    }

    /// Every filter set a test asks about: counter-served or not.
    fn queries() -> Vec<ListQuery> {
        let mut queries = vec![ListQuery::default()];
        for country in ["DE", "FR", "US"] {
            queries.push(ListQuery {
                country: Some(country.into()),
                ..ListQuery::default()
            });
        }
        queries.push(ListQuery {
            category: Some(Category::Backend),
            ..ListQuery::default()
        });
        queries.push(ListQuery {
            category: Some(Category::Frontend),
            ..ListQuery::default()
        });
        queries.push(ListQuery {
            seniority: Some(Seniority::Senior),
            ..ListQuery::default()
        });
        queries.push(ListQuery {
            workplace: Some(Workplace::Remote),
            ..ListQuery::default()
        });
        queries.push(ListQuery {
            employment_type: Some(EmploymentType::FullTime),
            ..ListQuery::default()
        });
        queries
    }

    /// The reference: `FacetTally` over the postings `query` matches.
    fn reference(postings: &[JobPosting], query: &ListQuery) -> Facets {
        let mut tally = FacetTally::default();
        for p in postings.iter().filter(|p| query.matches(p)) {
            tally.add(p);
        }
        tally.finish(true)
    }

    /// The counters' answer: cells summed over the postings, read for `query`'s scopes.
    fn from_counters(deltas: &CounterDeltas, query: &ListQuery) -> Facets {
        let scopes = counter_scopes(query).expect("counter-served");
        facets_from_counters(
            deltas
                .iter()
                .filter(|(cell, _)| scopes.contains(&cell.scope))
                .map(|(cell, n)| (cell.dimension_key(), cell.value.as_str(), n)),
        )
    }

    #[test]
    fn the_anywhere_scope_is_the_country_scope_of_the_stores_anywhere_key() {
        assert_eq!(SCOPE_ANY_COUNTRY, scope(Dimension::Country, ANY_COUNTRY));
    }

    #[test]
    fn the_empty_filter_set_and_one_enum_or_country_filter_are_counter_served() {
        assert_eq!(
            counter_scopes(&ListQuery::default()),
            Some(vec!["all".to_owned()])
        );
        let country = ListQuery {
            country: Some("DE".into()),
            q: Some("  ".into()),
            ..ListQuery::default()
        };
        assert_eq!(
            counter_scopes(&country),
            Some(vec!["country=DE".to_owned(), "country=*".to_owned()])
        );
        let senior = ListQuery {
            seniority: Some(Seniority::Senior),
            ..ListQuery::default()
        };
        assert_eq!(
            counter_scopes(&senior),
            Some(vec!["seniority=senior".to_owned()])
        );
    }

    #[test]
    fn any_other_filter_or_two_filters_are_not_counter_served() {
        let base = ListQuery {
            category: Some(Category::Backend),
            ..ListQuery::default()
        };
        let others = [
            ListQuery {
                seniority: Some(Seniority::Senior),
                ..base.clone()
            },
            ListQuery {
                country: Some("DE".into()),
                ..base.clone()
            },
            ListQuery {
                q: Some("rust".into()),
                ..ListQuery::default()
            },
            ListQuery {
                company: Some("Acme".into()),
                ..ListQuery::default()
            },
            ListQuery {
                skills: vec!["go".into()],
                ..ListQuery::default()
            },
            ListQuery {
                salary_min: Some(crate::store::SalaryFloor {
                    amount: 1.0,
                    currency: "EUR".into(),
                }),
                ..ListQuery::default()
            },
            ListQuery {
                since: Some(Utc::now()),
                ..ListQuery::default()
            },
            ListQuery {
                include_closed: true,
                ..ListQuery::default()
            },
            ListQuery {
                include_duplicates: true,
                ..ListQuery::default()
            },
            ListQuery {
                country: Some("*".into()),
                ..ListQuery::default()
            },
        ];
        for query in others {
            assert_eq!(counter_scopes(&query), None, "{query:?}");
        }
    }

    #[test]
    fn closed_and_duplicate_postings_have_no_cells() {
        let mut closed = posting("a");
        closed.closed_at = Some(Utc::now());
        let mut duplicate = posting("b");
        duplicate.duplicate_of = Some("c".into());
        assert!(posting_cells(&closed).is_empty());
        assert!(posting_cells(&duplicate).is_empty());
        assert!(!posting_cells(&posting("d")).is_empty());
    }

    #[test]
    fn a_remote_posting_open_to_anywhere_is_counted_once_for_every_country() {
        let postings = vec![posting("a"), remote_anywhere("b")];
        let mut deltas = CounterDeltas::default();
        for p in &postings {
            deltas.record(None, Some(p));
        }
        let cells = posting_cells(&postings[1]);
        assert!(cells.iter().all(|c| c.scope != "country=DE"));
        for query in queries() {
            assert_eq!(
                from_counters(&deltas, &query),
                reference(&postings, &query),
                "{query:?}"
            );
        }
        let de = ListQuery {
            country: Some("DE".into()),
            ..ListQuery::default()
        };
        assert_eq!(from_counters(&deltas, &de).total, 2);
    }

    #[test]
    fn counters_kept_through_inserts_changes_closes_and_duplicates_equal_the_reference_count() {
        let mut remote_de = posting("c");
        remote_de.workplace = Some(Workplace::Remote);
        remote_de.remote_regions = vec!["FR".into(), "DE".into()];
        remote_de.company.name = "Globex".into();
        let mut stored: Vec<JobPosting> = vec![posting("a"), remote_anywhere("b"), remote_de];
        let mut deltas = CounterDeltas::default();
        for p in &stored {
            deltas.record(None, Some(p));
        }
        let check = |stored: &[JobPosting], deltas: &CounterDeltas| {
            for query in queries() {
                assert_eq!(
                    from_counters(deltas, &query),
                    reference(stored, &query),
                    "{query:?}"
                );
            }
        };
        check(&stored, &deltas);
        let steps: Vec<fn(&mut JobPosting)> = vec![
            |p| p.seniority = Some(Seniority::Junior),
            |p| p.skills = vec!["python".into()],
            |p| p.remote_regions = vec!["US".into()],
            |p| p.workplace = Some(Workplace::Remote),
            |p| p.duplicate_of = Some("a".into()),
            |p| p.duplicate_of = None,
            |p| p.closed_at = Some(Utc::now()),
            |p| p.closed_at = None,
            |p| p.title = "Only the title".into(),
        ];
        for (i, step) in steps.iter().enumerate() {
            let at = i % stored.len();
            let old = stored[at].clone();
            step(&mut stored[at]);
            deltas.record(Some(&old), Some(&stored[at]));
            check(&stored, &deltas);
        }
        let gone = stored.remove(0);
        deltas.record(Some(&gone), None);
        check(&stored, &deltas);
    }

    #[test]
    fn an_unchanged_posting_or_a_change_of_an_uncounted_field_changes_no_counter() {
        let old = posting("a");
        let mut new = old.clone();
        new.title = "Another title".into();
        new.last_seen_at = Some(Utc::now());
        let mut deltas = CounterDeltas::default();
        deltas.record(Some(&old), Some(&old));
        deltas.record(Some(&old), Some(&new));
        assert!(deltas.is_empty());
    }

    #[test]
    fn counter_answers_skip_empty_cells_and_cut_the_open_ended_dimensions_like_the_tally() {
        let mut postings = Vec::new();
        for i in 0..15 {
            let mut p = posting(&format!("p{i}"));
            p.company.name = format!("Company {i:02}");
            postings.push(p);
        }
        let mut deltas = CounterDeltas::default();
        for p in &postings {
            deltas.record(None, Some(p));
        }
        // One company's last posting closes: its cell holds 0 and is left out.
        let mut closed = postings[3].clone();
        closed.closed_at = Some(Utc::now());
        deltas.record(Some(&postings[3]), Some(&closed));
        postings[3] = closed;
        let facets = from_counters(&deltas, &ListQuery::default());
        assert_eq!(facets, reference(&postings, &ListQuery::default()));
        assert_eq!(facets.company.len(), super::super::FACET_TOP);
        assert!(facets.company.iter().all(|c| c.value != "Company 03"));
        let zero = facets_from_counters([("total", "", 2), ("company", "Gone", 0), ("x", "y", 1)]);
        assert!(zero.company.is_empty());
        assert_eq!(zero.total, 2);
    }
}
