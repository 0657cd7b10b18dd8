//! Filter combinations of the search page (two and three filters, empty results, `q` with
//! filters, paging through short pages): every store lists exactly what the reference
//! semantics (`ListQuery::matches`, newest first) select from the same postings.

use chrono::Duration;
use jobfeed::model::{Category, EmploymentType, Location, Salary, Seniority, Workplace};
use jobfeed::store::{ListQuery, SalaryFloor, StoredPosting, Write, listed_at};

use super::{Capabilities, TestStore, all_pages, edited, posting, t};

/// Posting `i` of a small varied corpus: categories, seniorities, workplaces, countries,
/// skills and salaries cycle with different periods, so every combination below selects a
/// different handful (or nothing); a few are closed or duplicates.
fn varied(i: usize) -> StoredPosting {
    let listed = t(0) + Duration::minutes(37 * i as i64 % 500);
    let title = format!(
        "{} {} Engineer",
        ["Senior", "Junior", "Staff"][i % 3],
        ["Platform", "Data", "Reliability", "Frontend"][i % 4]
    );
    let p = edited(&posting("gh", &format!("c{i}"), &title, listed), |p| {
        p.posted_at = None;
        p.first_seen_at = Some(listed);
        p.last_seen_at = Some(listed);
        p.company.name = ["Acme", "Globex", "Initech"][i % 3].into();
        p.category = [Some(Category::Backend), Some(Category::Data), None][i % 3];
        p.seniority = [Some(Seniority::Senior), Some(Seniority::Junior)][i % 2];
        p.workplace = [
            Some(Workplace::Remote),
            Some(Workplace::Onsite),
            Some(Workplace::Hybrid),
            None,
            Some(Workplace::Onsite),
        ][i % 5];
        p.remote_regions = if i.is_multiple_of(10) {
            vec![]
        } else {
            vec!["US".into()]
        };
        let country = ["DE", "US", "GB", "FR", "DE", "US", "NL"][i % 7];
        p.locations = vec![Location {
            raw: country.into(),
            country: Some(country.into()),
            ..Location::default()
        }];
        p.employment_type = [
            Some(EmploymentType::FullTime),
            Some(EmploymentType::Contract),
        ][usize::from(i % 6 == 5)];
        p.skills = [
            vec!["go".to_owned()],
            vec!["postgresql".into(), "rust".into()],
            vec!["python".into()],
            vec![],
        ][i % 4]
            .clone();
        p.salary = [
            None,
            Some((150_000.0, "USD")),
            Some((60_000.0, "EUR")),
            Some((220_000.0, "USD")),
        ][i % 4]
            .map(|(max, currency)| Salary {
                min: None,
                max: Some(max),
                currency: Some(currency.into()),
                period: None,
            });
        if i.is_multiple_of(11) {
            p.closed_at = Some(listed + Duration::hours(1));
        }
        if i.is_multiple_of(13) {
            p.duplicate_of = Some("elsewhere".into());
        }
    });
    StoredPosting {
        posting: p,
        history: vec![],
        description_truncated: false,
        revision: 1,
        mark: None,
    }
}

/// The combinations the search page offers together.
fn combinations() -> Vec<ListQuery> {
    let base = ListQuery::default();
    let usd = |amount: f64| SalaryFloor {
        amount,
        currency: "USD".into(),
    };
    vec![
        // Two filters.
        ListQuery {
            category: Some(Category::Data),
            seniority: Some(Seniority::Junior),
            ..base.clone()
        },
        ListQuery {
            skills: vec!["go".into()],
            workplace: Some(Workplace::Remote),
            ..base.clone()
        },
        ListQuery {
            country: Some("US".into()),
            employment_type: Some(EmploymentType::Contract),
            ..base.clone()
        },
        ListQuery {
            company: Some("globex".into()),
            salary_min: Some(usd(200_000.0)),
            ..base.clone()
        },
        // Three filters.
        ListQuery {
            country: Some("DE".into()),
            category: Some(Category::Backend),
            seniority: Some(Seniority::Senior),
            ..base.clone()
        },
        ListQuery {
            skills: vec!["rust".into(), "postgresql".into()],
            workplace: Some(Workplace::Onsite),
            since: Some(t(0) + Duration::minutes(200)),
            ..base.clone()
        },
        ListQuery {
            country: Some("US".into()),
            workplace: Some(Workplace::Remote),
            include_closed: true,
            include_duplicates: true,
            ..base.clone()
        },
        // Empty results.
        ListQuery {
            country: Some("JP".into()),
            category: Some(Category::Data),
            seniority: Some(Seniority::Senior),
            ..base.clone()
        },
        ListQuery {
            seniority: Some(Seniority::Intern),
            ..base.clone()
        },
        ListQuery {
            category: Some(Category::Data),
            skills: vec!["go".into()],
            ..base.clone()
        },
        // `q` with filters.
        ListQuery {
            q: Some("reliability".into()),
            salary_min: Some(usd(150_000.0)),
            ..base.clone()
        },
        ListQuery {
            q: Some("senior engineer".into()),
            country: Some("GB".into()),
            category: Some(Category::Backend),
            ..base.clone()
        },
        ListQuery {
            q: Some("data".into()),
            workplace: Some(Workplace::Hybrid),
            include_closed: true,
            ..base.clone()
        },
        ListQuery {
            q: Some("nowhere".into()),
            category: Some(Category::Backend),
            ..base.clone()
        },
        // One served filter alone, and a country that only remote-anywhere postings and a
        // few located ones match (the DynamoDB filter index merges the two).
        ListQuery {
            category: Some(Category::Data),
            ..base.clone()
        },
        ListQuery {
            country: Some("FR".into()),
            ..base.clone()
        },
        ListQuery {
            country: Some("NL".into()),
            workplace: Some(Workplace::Remote),
            employment_type: Some(EmploymentType::FullTime),
            ..base.clone()
        },
    ]
}

pub async fn filter_combinations_list_what_the_reference_semantics_select(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let corpus: Vec<StoredPosting> = (0..120).map(varied).collect();
    let outcomes = store
        .write(corpus.iter().cloned().map(Write::Insert).collect())
        .await
        .unwrap();
    assert_eq!(outcomes.len(), corpus.len());
    let mut nonempty = 0;
    for query in combinations() {
        let mut expected: Vec<&StoredPosting> = corpus
            .iter()
            .filter(|s| query.matches(&s.posting))
            .collect();
        expected.sort_by(|a, b| {
            (listed_at(&b.posting), &b.posting.id).cmp(&(listed_at(&a.posting), &a.posting.id))
        });
        let expected: Vec<&str> = expected.iter().map(|s| s.posting.id.as_str()).collect();
        nonempty += usize::from(!expected.is_empty());
        // Small pages spend a read budget of a few times `limit` quickly (DynamoDB filters
        // after reading): those walks go through short pages with cursors.
        for limit in [6, 100] {
            let listed = all_pages(store, &query, limit).await;
            let ids: Vec<&str> = listed.iter().map(|s| s.posting.id.as_str()).collect();
            assert_eq!(ids, expected, "{query:?} limit {limit}");
        }
    }
    assert!(nonempty >= 9, "the combinations select something, mostly");
}
