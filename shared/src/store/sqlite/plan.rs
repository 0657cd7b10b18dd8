//! The plan of one SQLite list call: which index drives its candidates (the index of its most
//! selective filter, chosen by capped counts) and the window of that index one call may walk.
//! Whatever the filters, a call examines at most `SCAN_WINDOW` entries of its driving index
//! (plus the capped counts that chose it, and at most `WORD_SET_CAP` search matches); when
//! the window ends before the page is full, the page comes back short with a cursor below
//! the window, as the DynamoDB store's pages do.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, StatementStatus, params_from_iter};

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{ANY_COUNTRY, Position, db_error, fts_terms, listed_key};
use crate::store::search_words;
use crate::store::{ListQuery, StoreError};

/// The most entries of its driving index one list call walks. Small enough that the walk,
/// with every other filter checked on each entry, stays within a few milliseconds.
pub(super) const SCAN_WINDOW: usize = 2_000;

/// Counting a filter's entries (to choose the driver) stops here: a filter with a
/// window of entries or more fills the one window a call walks either way, so it is no
/// better a driver than another with more (the earlier in `drivers` order wins: column
/// filters, checked on index entries alone, before side rows), and counting on would
/// cost as much as the walk it chooses (a count of four windows was a third of a
/// two-filter call's work).
const COUNT_CAP: usize = SCAN_WINDOW;

/// The most entries the counts of one call read in all: a query with many filters (skills
/// repeat) stops counting there and takes the best driver found so far.
const COUNT_BUDGET: usize = 4 * COUNT_CAP;

/// Up to this many full-text matches, a `q` that does not drive is checked against its
/// matches read once into a set (a lookup per candidate). Past it, each candidate's own
/// search words (its row of `posting_fts`, read by rowid) are checked in SQL instead, so no
/// candidate's body is read to reject it. One window: a call reads at most a window of
/// candidates, so a set larger than that costs more to build than checking the window one
/// by one (`q=manager` with a JPY salary floor, 7,134 matches: 1,376 requests/s with the
/// set, 1,751 without). (A full-text probe per candidate costs tens of microseconds: too
/// slow for a window.)
const WORD_SET_CAP: usize = SCAN_WINDOW;

/// How long a chosen plan is reused.
const PLANS_TTL: Duration = Duration::from_secs(60);

/// The most plans `Plans` remembers (past it, it forgets the expired ones, then all).
const PLANS_MAX: usize = 1_024;

/// The plans recently chosen, by query (its filters as JSON), and when. Choosing counts the
/// entries of every candidate driver and a `q`'s matches (up to `WORD_SET_CAP + 1`), about a
/// tenth of a two-filter call (perf), and the counts move slowly: so a query is planned once
/// a minute, not on every call (a search page's cursors, a feed reader's polls and a
/// client's retries repeat it). A plan whose counts moved since is only less apt, never
/// wrong: every plan checks every filter and walks at most one window.
#[derive(Debug, Default)]
pub(super) struct Plans(Mutex<HashMap<String, (Plan, Instant)>>);

impl Plans {
    /// The plan of `query`: the one chosen less than `PLANS_TTL` ago, or a new one
    /// (`Plan::choose`).
    pub(super) fn plan(
        &self,
        conn: &Connection,
        query: &ListQuery,
        steps: &mut u64,
    ) -> Result<Plan, StoreError> {
        let key = serde_json::to_string(query).unwrap_or_default();
        if let Some(plan) = self.recent(&key) {
            return Ok(plan);
        }
        let plan = Plan::choose(conn, query, steps)?;
        self.remember(key, plan.clone());
        Ok(plan)
    }

    fn recent(&self, key: &str) -> Option<Plan> {
        let plans = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        plans
            .get(key)
            .filter(|(_, at)| at.elapsed() < PLANS_TTL)
            .map(|(plan, _)| plan.clone())
    }

    fn remember(&self, key: String, plan: Plan) {
        let mut plans = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if plans.len() >= PLANS_MAX {
            plans.retain(|_, (_, at)| at.elapsed() < PLANS_TTL);
            if plans.len() >= PLANS_MAX {
                plans.clear();
            }
        }
        plans.insert(key, (plan, Instant::now()));
    }
}

/// How a list call checks its `q`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Words {
    /// No words to check.
    None,
    /// The search matches are the driver.
    Driver,
    /// Checked in SQL against the set of matches (these FTS5 terms).
    Set(String),
    /// Too many matches to gather: checked in SQL against each candidate's search words
    /// (these, as `search_words` gives them).
    Text(Vec<String>),
}

/// What one list call does: its driver and how it checks `q`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Plan {
    /// Where the candidates come from.
    pub(super) driver: Driver,
    /// How `q` is checked.
    pub(super) words: Words,
}

/// Where a list call's candidates come from, always in listing order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Driver {
    /// The listing index: the query has no filter with an index of its own.
    Listed,
    /// A `postings` index that starts with a column filter (`condition`, on alias `p`).
    Column {
        /// The index, forced with `INDEXED BY` so the planner cannot walk another.
        index: &'static str,
        /// The filter, on alias `p`.
        condition: String,
        /// Its parameters.
        args: Vec<SqlValue>,
    },
    /// The `posting_skills` rows of one skill.
    Skill(String),
    /// The `posting_countries` rows of a country, and of remote postings open everywhere.
    Country(String),
    /// The full-text matches of the query's words: the driver only when there are at most
    /// `SCAN_WINDOW` of them, since FTS5 cannot give them in listing order.
    Search(String),
}

/// The filters of `query` that have an index of their own, as drivers.
fn drivers(query: &ListQuery) -> Vec<Driver> {
    let mut out = Vec::new();
    if let Some(company) = &query.company {
        out.push(Driver::Column {
            index: "postings_by_company_listed",
            condition: "p.company = ?".into(),
            args: vec![company.trim().to_ascii_lowercase().into()],
        });
    }
    let enums = [
        (
            "postings_by_seniority_listed",
            "seniority",
            query.seniority.map(|v| v.as_str()),
        ),
        (
            "postings_by_category_listed",
            "category",
            query.category.map(|v| v.as_str()),
        ),
        (
            "postings_by_workplace_listed",
            "workplace",
            query.workplace.map(|v| v.as_str()),
        ),
        (
            "postings_by_employment_type_listed",
            "employment_type",
            query.employment_type.map(|v| v.as_str()),
        ),
    ];
    for (index, column, value) in enums {
        if let Some(value) = value {
            out.push(Driver::Column {
                index,
                condition: format!("p.{column} = ?"),
                args: vec![value.to_owned().into()],
            });
        }
    }
    if let Some(floor) = &query.salary_min {
        out.push(Driver::Column {
            index: "postings_by_salary_listed",
            condition: "p.salary_currency = ? AND p.salary_top >= ?".into(),
            args: vec![floor.currency.clone().into(), floor.amount.into()],
        });
    }
    let skills: std::collections::BTreeSet<&String> = query.skills.iter().collect();
    out.extend(skills.into_iter().map(|s| Driver::Skill(s.clone())));
    if let Some(country) = &query.country {
        out.push(Driver::Country(country.clone()));
    }
    out
}

/// The open/duplicate conditions of `query` on alias `p` (index columns of every
/// `postings` index a driver walks, so checking them reads no table row).
pub(super) fn visibility_sql(query: &ListQuery) -> String {
    let mut sql = String::new();
    if !query.include_closed {
        sql.push_str(" AND p.closed_at IS NULL");
    }
    if !query.include_duplicates {
        sql.push_str(" AND p.duplicate_of IS NULL");
    }
    sql
}

/// The filters on a posting's own columns (company, the enum columns, the salary floor) on
/// alias `p`: every `postings` index a driver walks holds these columns, so checking them
/// reads no table row. The list's candidates and the facet counts share them.
pub(super) fn column_filters_sql(query: &ListQuery, sql: &mut String, args: &mut Vec<SqlValue>) {
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
    if let Some(floor) = &query.salary_min {
        sql.push_str(" AND p.salary_currency = ? AND p.salary_top >= ?");
        args.push(floor.currency.clone().into());
        args.push(floor.amount.into());
    }
}

/// `query.since` as a range on alias `a`.
fn since_sql(query: &ListQuery, a: &str, sql: &mut String, args: &mut Vec<SqlValue>) {
    if let Some(since) = query.since {
        sql.push_str(&format!(" AND {a}.listed_at >= ?"));
        args.push(listed_key(since).into());
    }
}

/// Positions strictly below `after` (older, or as old with a smaller id), on alias `a`.
fn after_sql(after: Option<&Position>, a: &str, sql: &mut String, args: &mut Vec<SqlValue>) {
    if let Some((at, id)) = after {
        sql.push_str(&format!(
            " AND {a}.listed_at <= ? AND ({a}.listed_at < ? OR {a}.id < ?)"
        ));
        args.extend([(*at).into(), (*at).into(), id.clone().into()]);
    }
}

/// Positions at or above `floor`, on alias `a`.
fn floor_sql(floor: Option<&Position>, a: &str, sql: &mut String, args: &mut Vec<SqlValue>) {
    if let Some((at, id)) = floor {
        sql.push_str(&format!(
            " AND {a}.listed_at >= ? AND ({a}.listed_at > ? OR {a}.id >= ?)"
        ));
        args.extend([(*at).into(), (*at).into(), id.clone().into()]);
    }
}

/// The listing index a query without an indexed filter walks: the partial index of open,
/// canonical postings when that is all it shows.
fn listed_index(query: &ListQuery) -> &'static str {
    if query.include_closed || query.include_duplicates {
        "postings_by_listed"
    } else {
        "postings_open_by_listed"
    }
}

/// Runs a one-row integer query, adding the VM steps it took to `steps`.
fn query_i64(
    conn: &Connection,
    sql: &str,
    args: Vec<SqlValue>,
    steps: &mut u64,
) -> Result<Option<(i64, Option<String>)>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_error)?;
    let result = {
        let mut rows = stmt.query(params_from_iter(args)).map_err(db_error)?;
        match rows.next().map_err(db_error)? {
            Some(row) => Some((
                row.get::<_, i64>(0).map_err(db_error)?,
                row.get::<_, Option<String>>(1).ok().flatten(),
            )),
            None => None,
        }
    };
    *steps += step_count(&stmt);
    Ok(result)
}

/// The VM steps a statement took since it was last read (and resets the count, as
/// statements are cached and reused).
pub(super) fn step_count(stmt: &rusqlite::Statement<'_>) -> u64 {
    u64::try_from(stmt.reset_status(StatementStatus::VmStep)).unwrap_or(0)
}

/// How many entries (at most `cap`) the inner select (without `LIMIT`) yields.
fn capped_count(
    conn: &Connection,
    inner: &str,
    mut args: Vec<SqlValue>,
    cap: usize,
    steps: &mut u64,
) -> Result<usize, StoreError> {
    let sql = format!("SELECT count(*), NULL FROM ({inner} LIMIT ?)");
    args.push(i64::try_from(cap).unwrap_or(i64::MAX).into());
    let n = query_i64(conn, &sql, args, steps)?.map_or(0, |(n, _)| n);
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The entries of one side-table driver (`posting_skills` by skill or `posting_countries` by
/// country), on alias `d`: `SELECT` part and condition.
fn side_select(table: &str, column: &str, value: &str, what: &str) -> (String, Vec<SqlValue>) {
    (
        format!("SELECT {what} FROM {table} d WHERE d.{column} = ?"),
        vec![value.to_owned().into()],
    )
}

/// How many full-text matches (at most `cap`) the FTS5 `terms` have.
fn search_count(
    conn: &Connection,
    terms: &str,
    cap: usize,
    steps: &mut u64,
) -> Result<usize, StoreError> {
    capped_count(
        conn,
        "SELECT 1 FROM posting_fts WHERE posting_fts MATCH ?",
        vec![terms.to_owned().into()],
        cap,
        steps,
    )
}

impl Plan {
    /// The most selective driver of `query`: the one with the fewest entries (the search
    /// matches only when they fit in one window); the listing index when no filter has an
    /// index. And how `q` is checked, from the count of its matches.
    pub(super) fn choose(
        conn: &Connection,
        query: &ListQuery,
        steps: &mut u64,
    ) -> Result<Plan, StoreError> {
        let mut best: Option<(usize, Driver)> = None;
        let mut words = Words::None;
        if let Some(terms) = query.q.as_deref().and_then(fts_terms) {
            let n = search_count(conn, &terms, WORD_SET_CAP + 1, steps)?;
            if n <= SCAN_WINDOW {
                best = Some((n, Driver::Search(terms.clone())));
            }
            words = if n <= WORD_SET_CAP {
                Words::Set(terms)
            } else {
                Words::Text(query.q.as_deref().map(search_words).unwrap_or_default())
            };
        }
        let mut candidates = drivers(query);
        if best.is_none() && words == Words::None && candidates.len() <= 1 {
            // One indexed filter (or none) and no words: there is nothing to compare, so
            // nothing to count.
            return Ok(Plan {
                driver: candidates.pop().unwrap_or(Driver::Listed),
                words,
            });
        }
        let mut budget = COUNT_BUDGET;
        for driver in candidates {
            if best.as_ref().is_some_and(|(fewest, _)| *fewest == 0) {
                // Nothing can be more selective than no entry at all.
                break;
            }
            // Counting past the fewest entries so far cannot find a better driver.
            let cap = best
                .as_ref()
                .map_or(COUNT_CAP, |(fewest, _)| *fewest)
                .min(budget);
            if cap == 0 {
                break;
            }
            let n = driver.estimate(conn, query, cap, steps)?;
            budget = budget.saturating_sub(n);
            // A count that reached its cap says only "at least that many".
            if best
                .as_ref()
                .is_none_or(|(fewest, _)| n < *fewest && n < cap)
            {
                best = Some((n, driver));
            }
        }
        let driver = best.map_or(Driver::Listed, |(_, driver)| driver);
        if matches!(driver, Driver::Search(_)) {
            words = Words::Driver;
        }
        Ok(Plan { driver, words })
    }

    /// The candidate queries of a list page: the driver's entries between `after` and
    /// `floor`, every filter SQL can apply (each keeps at least the rows
    /// `ListQuery::matches` keeps), newest first, at most `budget` rows of
    /// `(listed_at, id, pk)` each: index entries only, so no body is read for a candidate
    /// the filters reject. One query, except for a country: one per list it
    /// walks (the country's, the remote-anywhere one), each in listing order, for the
    /// caller to merge.
    pub(super) fn candidates_sql(
        &self,
        query: &ListQuery,
        after: Option<&Position>,
        floor: Option<&Position>,
        budget: usize,
    ) -> Vec<(String, Vec<SqlValue>)> {
        match &self.driver {
            Driver::Country(country) => [country.as_str(), ANY_COUNTRY]
                .into_iter()
                .map(|value| self.one_sql(query, after, floor, budget, Some(value)))
                .collect(),
            _ => vec![self.one_sql(query, after, floor, budget, None)],
        }
    }
    /// One candidate query (`country`: which of a country driver's lists it walks).
    fn one_sql(
        &self,
        query: &ListQuery,
        after: Option<&Position>,
        floor: Option<&Position>,
        budget: usize,
        country: Option<&str>,
    ) -> (String, Vec<SqlValue>) {
        let mut args: Vec<SqlValue> = Vec::new();
        // Side-table walks look their postings up through the index that holds every
        // column filter, so a candidate that fails one is never read from the table.
        let side_join = "CROSS JOIN postings p INDEXED BY postings_by_id_filters ON p.id = d.id";
        // The driver: the table it walks, its condition, the alias its positions are on.
        let (from, mut sql, a) = match &self.driver {
            Driver::Listed => (
                format!("postings p INDEXED BY {}", listed_index(query)),
                "1 = 1".to_owned(),
                "p",
            ),
            Driver::Column {
                index,
                condition,
                args: driver_args,
            } => {
                args.extend(driver_args.iter().cloned());
                (
                    format!("postings p INDEXED BY {index}"),
                    condition.clone(),
                    "p",
                )
            }
            Driver::Skill(skill) => {
                args.push(skill.clone().into());
                (
                    format!("posting_skills d {side_join}"),
                    "d.skill = ?".to_owned(),
                    "d",
                )
            }
            Driver::Country(_) => {
                args.push(country.unwrap_or(ANY_COUNTRY).to_owned().into());
                (
                    format!("posting_countries d {side_join}"),
                    "d.country = ?".to_owned(),
                    "d",
                )
            }
            Driver::Search(terms) => {
                args.push(terms.clone().into());
                (
                    "postings p".to_owned(),
                    "p.pk IN (SELECT rowid FROM posting_fts WHERE posting_fts MATCH ?)".to_owned(),
                    "p",
                )
            }
        };
        sql.push_str(&visibility_sql(query));
        column_filters_sql(query, &mut sql, &mut args);
        // The side-row checks name the driver's alias: on a side-table walk SQLite then
        // checks them on the side entry, before looking its posting up.
        for skill in query
            .skills
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
        {
            if matches!(&self.driver, Driver::Skill(driver) if driver == skill) {
                // Every entry of the walk has it.
                continue;
            }
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM posting_skills s WHERE s.id = {a}.id AND s.skill = ?)"
            ));
            args.push(skill.clone().into());
        }
        if let Some(country) = &query.country
            && !matches!(self.driver, Driver::Country(_))
        {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM posting_countries c WHERE c.id = {a}.id \
                 AND c.country IN (?, ?))"
            ));
            args.push(country.clone().into());
            args.push(ANY_COUNTRY.to_owned().into());
        }
        if let Words::Set(terms) = &self.words {
            // Read once per call (at most `WORD_SET_CAP` rowids), then one lookup per
            // candidate.
            sql.push_str(" AND p.pk IN (SELECT rowid FROM posting_fts WHERE posting_fts MATCH ?)");
            args.push(terms.clone().into());
        }
        if let Words::Text(words) = &self.words {
            // The posting's search words, space separated per field (as written), so
            // ` word ` occurs in the joined fields exactly when `word` is one of them. Read
            // from the search table's own content rows (`posting_fts_content`: rowid `id`,
            // columns `c0..c2` in declaration order), a plain rowid lookup: through the
            // virtual table each lookup opens a full-text cursor and costs a few times more.
            sql.push_str(" AND EXISTS (SELECT 1 FROM posting_fts_content f WHERE f.id = p.pk");
            for word in words {
                sql.push_str(" AND instr(' ' || f.c0 || ' ' || f.c1 || ' ' || f.c2 || ' ', ?) > 0");
                args.push(format!(" {word} ").into());
            }
            sql.push(')');
        }
        since_sql(query, a, &mut sql, &mut args);
        after_sql(after, a, &mut sql, &mut args);
        floor_sql(floor, a, &mut sql, &mut args);
        let sql = format!(
            "SELECT p.listed_at, p.id, p.pk FROM {from} WHERE {sql} \
             ORDER BY {a}.listed_at DESC, {a}.id DESC LIMIT ?"
        );
        args.push(i64::try_from(budget).unwrap_or(i64::MAX).into());
        (sql, args)
    }
}

impl Driver {
    /// How many entries this driver would walk (capped): the selectivity of its filter.
    fn estimate(
        &self,
        conn: &Connection,
        query: &ListQuery,
        cap: usize,
        steps: &mut u64,
    ) -> Result<usize, StoreError> {
        let side = |table: &str, column: &str, value: &str, steps: &mut u64| {
            let (mut sql, mut args) = side_select(table, column, value, "1");
            since_sql(query, "d", &mut sql, &mut args);
            capped_count(conn, &sql, args, cap, steps)
        };
        match self {
            Driver::Listed => Ok(cap),
            Driver::Column {
                index,
                condition,
                args,
            } => {
                let mut sql = format!(
                    "SELECT 1 FROM postings p INDEXED BY {index} WHERE {condition}{}",
                    visibility_sql(query)
                );
                let mut args = args.clone();
                since_sql(query, "p", &mut sql, &mut args);
                capped_count(conn, &sql, args, cap, steps)
            }
            Driver::Skill(skill) => side("posting_skills", "skill", skill, steps),
            Driver::Country(country) => Ok(side("posting_countries", "country", country, steps)?
                + side("posting_countries", "country", ANY_COUNTRY, steps)?),
            Driver::Search(terms) => search_count(conn, terms, cap, steps),
        }
    }

    /// The position `SCAN_WINDOW` entries of this driver past `after`: the floor of what
    /// this call examines. `None` when fewer remain, so the window reaches the end. A
    /// country's two lists get half a window each; the window ends at the higher floor.
    pub(super) fn window_floor(
        &self,
        conn: &Connection,
        query: &ListQuery,
        after: Option<&Position>,
        steps: &mut u64,
    ) -> Result<Option<Position>, StoreError> {
        let floor_of = |mut sql: String,
                        mut args: Vec<SqlValue>,
                        a: &str,
                        window: usize,
                        steps: &mut u64|
         -> Result<Option<Position>, StoreError> {
            since_sql(query, a, &mut sql, &mut args);
            after_sql(after, a, &mut sql, &mut args);
            sql.push_str(&format!(
                " ORDER BY {a}.listed_at DESC, {a}.id DESC LIMIT 1 OFFSET ?"
            ));
            args.push(i64::try_from(window - 1).unwrap_or(i64::MAX).into());
            Ok(query_i64(conn, &sql, args, steps)?.and_then(|(at, id)| id.map(|id| (at, id))))
        };
        let side = |table: &str, column: &str, value: &str, window: usize, steps: &mut u64| {
            let (sql, args) = side_select(table, column, value, "d.listed_at, d.id");
            floor_of(sql, args, "d", window, steps)
        };
        match self {
            Driver::Listed => floor_of(
                format!(
                    "SELECT p.listed_at, p.id FROM postings p INDEXED BY {} WHERE 1 = 1{}",
                    listed_index(query),
                    visibility_sql(query)
                ),
                Vec::new(),
                "p",
                SCAN_WINDOW,
                steps,
            ),
            Driver::Column {
                index,
                condition,
                args,
            } => floor_of(
                format!(
                    "SELECT p.listed_at, p.id FROM postings p INDEXED BY {index} \
                     WHERE {condition}{}",
                    visibility_sql(query)
                ),
                args.clone(),
                "p",
                SCAN_WINDOW,
                steps,
            ),
            Driver::Skill(skill) => side("posting_skills", "skill", skill, SCAN_WINDOW, steps),
            Driver::Country(country) => {
                let half = SCAN_WINDOW / 2;
                let located = side("posting_countries", "country", country, half, steps)?;
                let anywhere = side("posting_countries", "country", ANY_COUNTRY, half, steps)?;
                Ok(located.into_iter().chain(anywhere).max())
            }
            Driver::Search(_) => Ok(None),
        }
    }
}
