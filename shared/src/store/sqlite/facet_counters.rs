//! Facet counters on SQLite: the table `facet_counts` holds one row per counter cell
//! (`store::facets::counters`), changed in the same transaction as every posting write, so
//! a counter-served `/facets` request is one indexed read of one or two scopes' rows,
//! however many postings there are. Closed postings count nothing, so deleting expired
//! (closed) postings changes no counter.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{column_bytes, db_error, decode_body, revision_column};
use crate::model::JobPosting;
use crate::store::facets::Facets;
use crate::store::facets::counters::{Cell, CounterDeltas, facets_from_counters, posting_cells};
use crate::store::{StoreError, Usage, Write};

/// Version 6: the facet counters, filled from the postings already stored by the same
/// rules as `counters::posting_cells` (the side rows hold each posting's skills and
/// countries, `*` for a remote posting open to anywhere; the company as spelled is in the
/// body). A test checks the fill against counters kept by writes.
pub(super) const SCHEMA_FACET_COUNTERS: &str = r#"
CREATE TABLE facet_counts (
    scope TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (scope, dimension, value)
) WITHOUT ROWID;
WITH counted AS (
    SELECT id, category, seniority, workplace, employment_type,
        json_extract(body, '$.company.name') AS company_name
    FROM postings WHERE closed_at IS NULL AND duplicate_of IS NULL
),
anywhere AS (SELECT id FROM posting_countries WHERE country = '*'),
scopes AS (
    SELECT id, 'all' AS scope FROM counted
    UNION ALL SELECT id, 'category=' || category FROM counted WHERE category IS NOT NULL
    UNION ALL SELECT id, 'seniority=' || seniority FROM counted WHERE seniority IS NOT NULL
    UNION ALL SELECT id, 'workplace=' || workplace FROM counted WHERE workplace IS NOT NULL
    UNION ALL SELECT id, 'employment_type=' || employment_type FROM counted
        WHERE employment_type IS NOT NULL
    UNION ALL SELECT c.id, 'country=' || c.country FROM posting_countries c JOIN counted USING (id)
        WHERE c.country = '*' OR c.id NOT IN (SELECT id FROM anywhere)
),
cells AS (
    SELECT id, 'total' AS dimension, '' AS value FROM counted
    UNION ALL SELECT id, 'category', category FROM counted WHERE category IS NOT NULL
    UNION ALL SELECT id, 'seniority', seniority FROM counted WHERE seniority IS NOT NULL
    UNION ALL SELECT id, 'workplace', workplace FROM counted WHERE workplace IS NOT NULL
    UNION ALL SELECT id, 'employment_type', employment_type FROM counted
        WHERE employment_type IS NOT NULL
    UNION ALL SELECT id, 'company', company_name FROM counted
        WHERE company_name IS NOT NULL AND company_name != ''
    UNION ALL SELECT s.id, 'skill', s.skill FROM posting_skills s JOIN counted USING (id)
    UNION ALL SELECT c.id, 'country', c.country FROM posting_countries c JOIN counted USING (id)
        WHERE c.country != '*'
)
INSERT INTO facet_counts (scope, dimension, value, count)
SELECT s.scope, c.dimension, c.value, count(*) FROM scopes s JOIN cells c USING (id)
GROUP BY 1, 2, 3;
"#;

/// The stored posting a write replaces, read inside the write's transaction (so it is the
/// one the write's condition sees): `None` for an insert, or when the revision differs (the
/// write will conflict and change nothing).
pub(super) fn replaced(
    tx: &Transaction<'_>,
    write: &Write,
) -> Result<Option<JobPosting>, StoreError> {
    let Write::Replace {
        posting,
        expected_revision,
    } = write
    else {
        return Ok(None);
    };
    let id = &posting.posting.id;
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM postings WHERE id = ?1 AND revision = ?2")
        .map_err(db_error)?
        .query_row(params![id, revision_column(*expected_revision)], |row| {
            row.get(0)
        })
        .optional()
        .map_err(db_error)?;
    // The body alone: the counted fields are there, the descriptions are not needed.
    body.map(|body| decode_body(id, body.as_bytes()))
        .transpose()
}

/// Adds `deltas` to the stored counters (inside the writes' transaction); a cell that drops
/// to zero goes, so the table holds only the values some open posting has.
pub(super) fn apply(tx: &Transaction<'_>, deltas: &CounterDeltas) -> Result<(), StoreError> {
    let mut add = tx
        .prepare_cached(
            "INSERT INTO facet_counts (scope, dimension, value, count) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (scope, dimension, value) DO UPDATE SET count = count + excluded.count",
        )
        .map_err(db_error)?;
    let mut prune = tx
        .prepare_cached(
            "DELETE FROM facet_counts WHERE scope = ?1 AND dimension = ?2 AND value = ?3 \
             AND count <= 0",
        )
        .map_err(db_error)?;
    for (cell, n) in deltas.iter() {
        let key = (&cell.scope, cell.dimension_key(), &cell.value);
        add.execute(params![key.0, key.1, key.2, n])
            .map_err(db_error)?;
        if n < 0 {
            prune
                .execute(params![key.0, key.1, key.2])
                .map_err(db_error)?;
        }
    }
    Ok(())
}

/// The facets of a counter-served query from its scopes' rows: one read of the primary key
/// per scope (bounded by the values the scope's postings have, not by the postings).
pub(super) fn facets(
    conn: &Connection,
    usage: &Usage,
    scopes: &[String],
) -> Result<Facets, StoreError> {
    let mut rows: Vec<(String, String, i64)> = Vec::new();
    let mut stmt = conn
        .prepare_cached("SELECT dimension, value, count FROM facet_counts WHERE scope = ?1")
        .map_err(db_error)?;
    for scope in scopes {
        let found = stmt
            .query_map([scope], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .map_err(db_error)?;
        for row in found {
            rows.push(row.map_err(db_error)?);
        }
    }
    usage.record(rows.len() as u64, 0);
    Ok(facets_from_counters(
        rows.iter().map(|(d, v, n)| (d.as_str(), v.as_str(), *n)),
    ))
}

/// Recounts every counter from the stored postings (the open and canonical ones, each body
/// read once) and replaces the table, in one write transaction. Returns the postings
/// counted.
pub(super) fn rebuild(conn: &mut Connection, usage: &Usage) -> Result<u64, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db_error)?;
    let mut cells: BTreeMap<Cell, i64> = BTreeMap::new();
    let mut counted = 0u64;
    {
        let mut stmt = tx
            .prepare_cached(
                "SELECT id, body FROM postings WHERE closed_at IS NULL AND duplicate_of IS NULL",
            )
            .map_err(db_error)?;
        let mut rows = stmt.query([]).map_err(db_error)?;
        while let Some(row) = rows.next().map_err(db_error)? {
            let id: String = row.get(0).map_err(db_error)?;
            let posting = decode_body(&id, column_bytes(row, 1)?)?;
            counted += 1;
            for cell in posting_cells(&posting) {
                *cells.entry(cell).or_default() += 1;
            }
        }
    }
    tx.execute("DELETE FROM facet_counts", [])
        .map_err(db_error)?;
    let mut deltas = CounterDeltas::default();
    for (cell, n) in cells {
        deltas.add(cell, n);
    }
    let written = deltas.len() as u64;
    apply(&tx, &deltas)?;
    tx.commit().map_err(db_error)?;
    usage.record(counted, written);
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::{MIGRATIONS, SqliteStore};
    use crate::model::{
        Category, Company, EmploymentType, JobPosting, Location, Seniority, SourceKind, Workplace,
    };
    use crate::store::facets::counters::FacetCounterRepair;
    use crate::store::{PostingStore, StoredPosting, Write};

    /// Posting `i`: categories, seniorities, workplaces, places, regions, skills and
    /// companies varied; every fifth closed, every seventh a duplicate.
    fn varied(i: usize) -> StoredPosting {
        let at =
            Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(i as i64);
        StoredPosting {
            posting: JobPosting {
                id: format!("p{i}"),
                source: "board".into(),
                source_kind: SourceKind::Greenhouse,
                external_id: Some(i.to_string()),
                url: format!("https://jobs.example/{i}"),
                apply_url: None,
                title: format!("Engineer {i}"),
                company: Company {
                    name: ["Acme", "ACME", "Globex", ""][i % 4].into(),
                    url: None,
                    logo_url: None,
                },
                department: None,
                locations: vec![Location {
                    raw: "somewhere".into(),
                    country: [Some("DE".to_owned()), Some("US".to_owned()), None][i % 3].clone(),
                    ..Location::default()
                }],
                workplace: [Some(Workplace::Remote), Some(Workplace::Onsite), None][i % 3],
                remote_regions: if i.is_multiple_of(2) {
                    vec![]
                } else {
                    vec!["FR".into(), "DE".into()]
                },
                employment_type: [Some(EmploymentType::FullTime), None][i % 2],
                seniority: [Some(Seniority::Senior), Some(Seniority::Junior), None][i % 3],
                category: [Some(Category::Backend), Some(Category::Data)][i % 2],
                skills: vec![["go", "rust"][i % 2].into(), "git".into(), "git".into()],
                salary: None,
                description_html: String::new(),
                description_text: String::new(),
                posted_at: None,
                valid_through: None,
                fetched_at: at,
                fingerprint: format!("fp{i}"),
                content_hash: format!("h{i}"),
                first_seen_at: Some(at),
                last_seen_at: Some(at),
                closed_at: i.is_multiple_of(5).then_some(at),
                duplicate_of: i.is_multiple_of(7).then(|| "p1".to_owned()),
            },
            history: vec![],
            description_truncated: false,
            revision: 0,
            mark: None,
        }
    }

    /// Every counter row, in key order.
    fn rows(path: &std::path::Path) -> Vec<(String, String, String, i64)> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT scope, dimension, value, count FROM facet_counts ORDER BY 1, 2, 3")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[tokio::test]
    async fn the_migration_fills_the_counters_of_stored_postings_as_writes_keep_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobfeed.db");
        let store = SqliteStore::open(&path).unwrap();
        store
            .write((0..40).map(|i| Write::Insert(varied(i))).collect())
            .await
            .unwrap();
        drop(store);
        let kept = rows(&path);
        assert!(kept.len() > 40, "{kept:?}");
        assert!(kept.iter().all(|r| r.3 > 0));
        // Remote (every third) and open to anywhere (even), neither closed nor duplicate.
        let anywhere = (0..40)
            .filter(|&i: &usize| {
                i.is_multiple_of(6) && !i.is_multiple_of(5) && !i.is_multiple_of(7)
            })
            .count() as i64;
        assert!(kept.contains(&("country=*".into(), "total".into(), String::new(), anywhere)));
        {
            // The database as the version before the counters left it.
            super::super::tests::back_to_version_6(&path);
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch("DROP TABLE facet_counts").unwrap();
            let counters_step = MIGRATIONS
                .iter()
                .position(|step| *step == super::SCHEMA_FACET_COUNTERS)
                .unwrap();
            conn.pragma_update(None, "user_version", counters_step as i64)
                .unwrap();
        }
        drop(SqliteStore::open(&path).unwrap());
        assert_eq!(rows(&path), kept);
    }

    #[tokio::test]
    async fn a_rebuild_repairs_counters_that_went_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobfeed.db");
        let store = SqliteStore::open(&path).unwrap();
        store
            .write((0..40).map(|i| Write::Insert(varied(i))).collect())
            .await
            .unwrap();
        let kept = rows(&path);
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(
                "DELETE FROM facet_counts WHERE scope = 'all'; \
                 UPDATE facet_counts SET count = count + 3 WHERE dimension = 'skill'; \
                 INSERT INTO facet_counts VALUES ('category=qa', 'total', '', 2);",
            )
            .unwrap();
        }
        assert_ne!(rows(&path), kept);
        let counted = store.rebuild_facet_counters().await.unwrap();
        // Open and canonical: neither every fifth nor every seventh.
        let open = (0..40)
            .filter(|&i: &usize| !i.is_multiple_of(5) && !i.is_multiple_of(7))
            .count() as u64;
        assert_eq!(counted, open);
        assert_eq!(rows(&path), kept);
    }
}
