//! Facet counts on SQLite: aggregate queries over the columns and side tables the list
//! filters already use (`seniority`, `category`, `workplace`, `employment_type`, `company`,
//! `posting_skills`, `posting_countries`), never the JSON bodies, except one body per listed
//! company for its display name.
//!
//! Bounded: the newest `FACET_ROWS` postings matching the filters are counted (one walk of
//! `postings_open_by_listed` or the filter's own index); past that the answer says
//! `complete: false`. The filters are the SQL form of `ListQuery::matches` that `list_sql`
//! uses (that function also pages, so its candidate rows are confirmed in Rust; here the SQL
//! is the whole filter, which it matches for every stored field).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::{ANY_COUNTRY, db_error, fts_terms, listed_key, visibility_sql};
use crate::store::facets::{FACET_TOP, FacetCount, Facets};
use crate::store::{ListQuery, StoreError, Usage};

/// Most postings one facet request counts.
pub const FACET_ROWS: usize = 20_000;

/// The `pk`s of the newest `FACET_ROWS + 1` postings matching `query`, as SQL with its
/// arguments.
fn matching_sql(query: &ListQuery) -> (String, Vec<SqlValue>) {
    let mut sql = format!(
        "SELECT p.pk, p.id FROM postings p WHERE 1 = 1{}",
        visibility_sql(query)
    );
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(company) = &query.company {
        sql.push_str(" AND p.company = ?");
        args.push(company.trim().to_ascii_lowercase().into());
    }
    let enums = [
        ("seniority", query.seniority.map(|v| v.as_str())),
        ("category", query.category.map(|v| v.as_str())),
        ("workplace", query.workplace.map(|v| v.as_str())),
        ("employment_type", query.employment_type.map(|v| v.as_str())),
    ];
    for (column, value) in enums {
        if let Some(value) = value {
            sql.push_str(&format!(" AND p.{column} = ?"));
            args.push(value.to_owned().into());
        }
    }
    if let Some(since) = query.since {
        sql.push_str(" AND p.listed_at >= ?");
        args.push(listed_key(since).into());
    }
    if let Some(floor) = &query.salary_min {
        sql.push_str(" AND p.salary_currency = ? AND p.salary_top >= ?");
        args.push(floor.currency.clone().into());
        args.push(floor.amount.into());
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

/// The facet counts of `query`: a temporary table of the matching rows, then one grouped
/// count per dimension over it.
pub(super) fn facets(
    conn: &mut Connection,
    usage: &Usage,
    query: &ListQuery,
) -> Result<Facets, StoreError> {
    let (sql, args) = matching_sql(query);
    let tx = conn.transaction().map_err(db_error)?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS facet_rows (pk INTEGER PRIMARY KEY, id TEXT NOT NULL);
         DELETE FROM facet_rows;",
    )
    .map_err(db_error)?;
    let matched = tx
        .execute(
            &format!("INSERT INTO facet_rows (pk, id) {sql}"),
            params_from_iter(args.iter()),
        )
        .map_err(db_error)?;
    let complete = matched <= FACET_ROWS;
    if !complete {
        // The one row past the bound only showed that there is more.
        tx.execute(
            "DELETE FROM facet_rows WHERE pk = (SELECT pk FROM facet_rows ORDER BY rowid DESC LIMIT 1)",
            [],
        )
        .map_err(db_error)?;
    }
    let by_column = |column: &str| {
        format!(
            "SELECT p.{column}, count(*) FROM facet_rows f JOIN postings p ON p.pk = f.pk \
             WHERE p.{column} IS NOT NULL GROUP BY p.{column} ORDER BY 2 DESC, 1"
        )
    };
    let category = counts(&tx, &by_column("category"), &[])?;
    let seniority = counts(&tx, &by_column("seniority"), &[])?;
    let workplace = counts(&tx, &by_column("workplace"), &[])?;
    let employment_type = counts(&tx, &by_column("employment_type"), &[])?;
    let top: SqlValue = i64::try_from(FACET_TOP).unwrap_or(10).into();
    let mut company = counts(
        &tx,
        "SELECT p.company, count(*) FROM facet_rows f JOIN postings p ON p.pk = f.pk \
         WHERE p.company != '' GROUP BY p.company ORDER BY 2 DESC, 1 LIMIT ?",
        std::slice::from_ref(&top),
    )?;
    // The column is folded to lower case for the filter; people read the posting's spelling.
    for c in &mut company {
        let name: Option<String> = tx
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
    let skill = counts(
        &tx,
        "SELECT s.skill, count(*) FROM facet_rows f JOIN posting_skills s ON s.id = f.id \
         GROUP BY s.skill ORDER BY 2 DESC, 1 LIMIT ?",
        std::slice::from_ref(&top),
    )?;
    let country = counts(
        &tx,
        "SELECT c.country, count(*) FROM facet_rows f JOIN posting_countries c ON c.id = f.id \
         WHERE c.country != ? GROUP BY c.country ORDER BY 2 DESC, 1 LIMIT ?",
        &[ANY_COUNTRY.to_owned().into(), top],
    )?;
    tx.execute("DELETE FROM facet_rows", []).map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    let total = matched.min(FACET_ROWS) as u64;
    usage.record(total, 0);
    Ok(Facets {
        total,
        complete,
        category,
        seniority,
        workplace,
        employment_type,
        country,
        company,
        skill,
    })
}
