//! Facet counts of the counter-served filter sets (none, or one category, seniority,
//! workplace, employment type or country filter): every store answers exactly what
//! `FacetTally` counts over the postings the reference semantics select, complete, through
//! inserts, changes of counted fields, closes, duplicates marked and unmarked, and reopens.

use jobfeed::model::{Category, EmploymentType, Location, Seniority, Workplace};
use jobfeed::store::ListQuery;
use jobfeed::store::facets::FacetTally;
use jobfeed::store::facets::counters::counter_scopes;

use super::{
    Capabilities, TestStore, all_pages, complete_crawl, config, edited, ingest_postings, posting, t,
};
use jobfeed::JobPosting;
use jobfeed::app::ingest::IngestConfig;

/// The counter-served filter sets the postings below have values for (and one they have
/// none for).
fn served_queries() -> Vec<ListQuery> {
    let mut queries = vec![ListQuery::default()];
    for category in [Category::Backend, Category::Data, Category::Frontend] {
        queries.push(ListQuery {
            category: Some(category),
            ..ListQuery::default()
        });
    }
    for seniority in [Seniority::Senior, Seniority::Junior] {
        queries.push(ListQuery {
            seniority: Some(seniority),
            ..ListQuery::default()
        });
    }
    for workplace in [Workplace::Remote, Workplace::Onsite] {
        queries.push(ListQuery {
            workplace: Some(workplace),
            ..ListQuery::default()
        });
    }
    queries.push(ListQuery {
        employment_type: Some(EmploymentType::FullTime),
        ..ListQuery::default()
    });
    for country in ["DE", "US", "FR", "JP"] {
        queries.push(ListQuery {
            country: Some(country.into()),
            ..ListQuery::default()
        });
    }
    for query in &queries {
        assert!(counter_scopes(query).is_some(), "{query:?}");
    }
    queries
}

/// Every served filter set's facets equal the reference count over its listed postings.
async fn check(store: &dyn TestStore, step: &str) {
    for query in served_queries() {
        let mut tally = FacetTally::default();
        for stored in all_pages(store, &query, 50).await {
            tally.add(&stored.posting);
        }
        let expected = tally.finish(true);
        let facets = store.facets(&query).await.unwrap();
        assert_eq!(facets, expected, "after {step}, for {query:?}");
    }
}

/// Posting `i` of `source`: 14 companies (so the company list is cut), categories,
/// seniorities, places and remote regions varied.
fn varied(source: &str, i: usize) -> JobPosting {
    edited(
        &posting(source, &i.to_string(), &format!("Engineer {i}"), t(0)),
        |p| {
            p.company.name = format!("Company {}", i % 14);
            p.category = [Some(Category::Backend), Some(Category::Data), None][i % 3];
            p.seniority = [Some(Seniority::Senior), Some(Seniority::Junior)][i % 2];
            p.workplace = [Some(Workplace::Remote), Some(Workplace::Onsite)][i % 2];
            p.remote_regions = match i % 4 {
                1 => vec![],
                3 => vec!["US".into(), "DE".into()],
                _ => vec!["FR".into()],
            };
            p.locations = vec![Location {
                raw: "somewhere".into(),
                country: Some(["DE", "US", "GB"][i % 3].into()),
                ..Location::default()
            }];
            p.skills = vec![["go", "rust", "sql"][i % 3].into(), "git".into()];
        },
    )
}

pub async fn counter_served_facets_equal_the_reference_count_through_every_kind_of_write(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let postings: Vec<JobPosting> = (0..20).map(|i| varied("gh", i)).collect();
    ingest_postings(store, postings.clone(), t(1), &config())
        .await
        .unwrap();
    check(store, "inserts").await;

    // Counted fields change: seniority, skills, category, workplace and regions.
    let later = |p: &JobPosting, change: fn(&mut JobPosting)| {
        edited(p, |p| {
            p.fetched_at = t(2);
            change(p);
        })
    };
    let changed = vec![
        later(&postings[0], |p| p.seniority = Some(Seniority::Junior)),
        later(&postings[1], |p| p.skills = vec!["python".into()]),
        later(&postings[2], |p| p.category = Some(Category::Frontend)),
        later(&postings[3], |p| {
            p.workplace = Some(Workplace::Onsite);
            p.company.name = "Newco".into();
        }),
        later(&postings[5], |p| p.remote_regions = vec!["JP".into()]),
    ];
    let report = ingest_postings(store, changed, t(2), &config())
        .await
        .unwrap();
    assert_eq!(report.changed, 5, "every change is written");
    check(store, "changes of counted fields").await;

    // A complete crawl that lists all but four closes them.
    let listed: Vec<String> = postings[4..].iter().map(|p| p.id.clone()).collect();
    let lenient = IngestConfig {
        min_complete_ratio: 0.0,
        ..config()
    };
    complete_crawl(store, "gh", &listed, t(3), &lenient)
        .await
        .unwrap();
    check(store, "closes").await;

    // The same jobs on another source are duplicates, counted once.
    let copies: Vec<JobPosting> = postings[6..10]
        .iter()
        .map(|p| {
            edited(p, |c| {
                c.source = "wwr".into();
                c.url = format!("https://wwr.example/{}", c.external_id.clone().unwrap());
            })
        })
        .collect();
    ingest_postings(store, copies.clone(), t(4), &config())
        .await
        .unwrap();
    let copy = super::get(store, &copies[0].id).await.unwrap();
    assert!(
        copy.posting.duplicate_of.is_some(),
        "the copy is a duplicate"
    );
    check(store, "duplicates marked").await;

    // The board closes everything: its duplicates become canonical.
    complete_crawl(store, "gh", &[], t(5), &lenient)
        .await
        .unwrap();
    let copy = super::get(store, &copies[0].id).await.unwrap();
    assert!(copy.posting.duplicate_of.is_none(), "the copy is canonical");
    check(store, "duplicates unmarked").await;

    // The closed postings come back.
    let back: Vec<JobPosting> = postings[..4]
        .iter()
        .map(|p| JobPosting {
            fetched_at: t(6),
            ..p.clone()
        })
        .collect();
    ingest_postings(store, back, t(6), &config()).await.unwrap();
    check(store, "reopens").await;
    let facets = store.facets(&ListQuery::default()).await.unwrap();
    assert!(facets.complete);
    assert!(facets.total > 0);
}
