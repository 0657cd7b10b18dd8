//! Facet counts on SQLite: aggregate queries over the columns and side tables the list
//! filters already use (`seniority`, `category`, `workplace`, `employment_type`, `company`,
//! `posting_skills`, `posting_countries`), never the JSON bodies, except one body per listed
//! company for its display name.
//!
//! Bounded: the newest `FACET_ROWS` postings matching the filters are counted (a walk of the
//! covering index `postings_open_facets`, or of the filter's own index); past that the answer
//! says `complete: false`. The filters are the SQL form of `ListQuery::matches` that `list_sql`
//! uses (that function also pages, so its candidate rows are confirmed in Rust; here the SQL
//! is the whole filter, which it matches for every stored field).

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::plan::{column_filters_sql, visibility_sql};
use super::{ANY_COUNTRY, db_error, fts_terms, listed_key};
use crate::store::facets::{FACET_TOP, FacetCount, Facets};
use crate::store::{ListQuery, StoreError, Usage};

/// Most postings one facet request counts.
pub const FACET_ROWS: usize = 5_000;

/// The newest `FACET_ROWS + 1` postings matching `query` with their facet columns
/// (`pk, id, category, seniority, workplace, employment_type, company`), as SQL with its
/// arguments.
fn matching_sql(query: &ListQuery) -> (String, Vec<SqlValue>) {
    let mut sql = format!(
        "SELECT p.pk, p.id, p.category, p.seniority, p.workplace, p.employment_type, p.company \
         FROM postings p WHERE 1 = 1{}",
        visibility_sql(query)
    );
    let mut args: Vec<SqlValue> = Vec::new();
    column_filters_sql(query, &mut sql, &mut args);
    if let Some(since) = query.since {
        sql.push_str(" AND p.listed_at >= ?");
        args.push(listed_key(since).into());
    }
    let mut skills: Vec<&String> = query.skills.iter().collect();
    skills.sort();
    skills.dedup();
    for skill in skills {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM posting_skills s WHERE s.id = p.id AND s.skill = ?)",
        );
        args.push(skill.clone().into());
    }
    if let Some(country) = &query.country {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM posting_countries c WHERE c.id = p.id \
             AND c.country IN (?, ?))",
        );
        args.push(country.clone().into());
        args.push(ANY_COUNTRY.to_owned().into());
    }
    if let Some(terms) = query.q.as_deref().and_then(fts_terms) {
        sql.push_str(" AND p.pk IN (SELECT rowid FROM posting_fts WHERE posting_fts MATCH ?)");
        args.push(terms.into());
    }
    sql.push_str(" ORDER BY p.listed_at DESC, p.id DESC LIMIT ?");
    args.push(i64::try_from(FACET_ROWS + 1).unwrap_or(i64::MAX).into());
    (sql, args)
}

/// Rows of `(value, count)`, most first.
fn counts(conn: &Connection, sql: &str, args: &[SqlValue]) -> Result<Vec<FacetCount>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_error)?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), |row| {
            Ok(FacetCount {
                value: row.get(0)?,
                count: row.get::<_, i64>(1)?.max(0) as u64,
            })
        })
        .map_err(db_error)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
}

/// Counts sorted most first, then by value; cut to `top` when given.
fn sorted(counts: HashMap<String, u64>, top: Option<usize>) -> Vec<FacetCount> {
    let mut counts: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    if let Some(top) = top {
        counts.truncate(top);
    }
    counts
}

/// The facet counts of `query`: one walk of the matching rows (the covering index
/// `postings_open_facets` for the default visibility) tallies the column facets; skills and
/// countries are grouped over the same walk, bounded the same way.
pub(super) fn facets(
    conn: &mut Connection,
    usage: &Usage,
    query: &ListQuery,
) -> Result<Facets, StoreError> {
    let (sql, args) = matching_sql(query);
    let mut columns: [HashMap<String, u64>; 5] = Default::default();
    let mut total = 0usize;
    {
        let mut stmt = conn.prepare_cached(&sql).map_err(db_error)?;
        let mut rows = stmt
            .query(params_from_iter(args.iter()))
            .map_err(db_error)?;
        while let Some(row) = rows.next().map_err(db_error)? {
            total += 1;
            if total > FACET_ROWS {
                break;
            }
            for (i, tally) in columns.iter_mut().enumerate() {
                let value: Option<String> = row.get(i + 2).map_err(db_error)?;
                if let Some(value) = value.filter(|v| !v.is_empty()) {
                    *tally.entry(value).or_default() += 1;
                }
            }
        }
    }
    let complete = total <= FACET_ROWS;
    let total = total.min(FACET_ROWS);
    let [category, seniority, workplace, employment_type, company] = columns;
    let mut company = sorted(company, Some(FACET_TOP));
    // The column is folded to lower case for the filter; people read the posting's spelling.
    for c in &mut company {
        let name: Option<String> = conn
            .prepare_cached(
                "SELECT json_extract(body, '$.company.name') FROM postings \
                 WHERE company = ? LIMIT 1",
            )
            .map_err(db_error)?
            .query_row([&c.value], |row| row.get(0))
            .optional()
            .map_err(db_error)?
            .flatten();
        if let Some(name) = name {
            c.value = name;
        }
    }
    let top: SqlValue = i64::try_from(FACET_TOP).unwrap_or(10).into();
    // The same rows as the walk above: the bound itself, not the one past it.
    let mut args = args;
    if let Some(limit) = args.last_mut() {
        *limit = i64::try_from(FACET_ROWS).unwrap_or(i64::MAX).into();
    }
    let mut skill_args = args.clone();
    skill_args.push(top.clone());
    let skill = counts(
        conn,
        &format!(
            "WITH m AS ({sql}) SELECT s.skill, count(*) FROM m \
             JOIN posting_skills s ON s.id = m.id GROUP BY s.skill ORDER BY 2 DESC, 1 LIMIT ?"
        ),
        &skill_args,
    )?;
    let mut country_args = args;
    country_args.push(ANY_COUNTRY.to_owned().into());
    country_args.push(top);
    let country = counts(
        conn,
        &format!(
            "WITH m AS ({sql}) SELECT c.country, count(*) FROM m \
             JOIN posting_countries c ON c.id = m.id WHERE c.country != ? \
             GROUP BY c.country ORDER BY 2 DESC, 1 LIMIT ?"
        ),
        &country_args,
    )?;
    usage.record(total as u64, 0);
    Ok(Facets {
        total: total as u64,
        complete,
        category: sorted(category, None),
        seniority: sorted(seniority, None),
        workplace: sorted(workplace, None),
        employment_type: sorted(employment_type, None),
        country,
        company,
        skill,
    })
}
