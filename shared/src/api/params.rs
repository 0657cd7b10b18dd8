//! The query parameters of `/jobs` and the feeds: one list (`Param::ALL`) that both the parser
//! and the OpenAPI document are built from, so what is accepted and what is documented cannot
//! drift apart.
//!
//! Rules: an unknown parameter name, a parameter repeated that is not repeatable, or any bad
//! value is a 400 problem naming the parameter. An empty value counts as absent (HTML forms
//! send empty fields). A query string longer than `MAX_QUERY_BYTES` is a 414 problem before
//! any parsing, and a percent-encoding that does not decode to UTF-8 is a 400 naming its
//! parameter (the lossy decoder would otherwise turn it into U+FFFD and search for that).

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};

use super::problem::Problem;
use crate::model::{Category, EmploymentType, Seniority, Workplace};
use crate::store::{ListQuery, SalaryFloor};

/// Default page size of `/jobs`.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size of `/jobs`.
pub const MAX_LIMIT: usize = 100;
/// Longest accepted free-text value (`q`, `company`, one `skill`).
const MAX_TEXT_CHARS: usize = 200;
/// Most `skill` values in one request.
const MAX_SKILLS: usize = 20;
/// Longest accepted raw query string. Every legitimate request fits easily (free text is
/// capped at `MAX_TEXT_CHARS`); API Gateway's HTTP API refuses request lines over 10 KiB
/// anyway, so this keeps `jobfeed serve` to the same bound and keeps the per-request parsing
/// work small however many parameters are repeated.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// One query parameter of `/jobs` (all of them) or of the feeds (the filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// Words in title, company or skills.
    Q,
    /// Company name.
    Company,
    /// A required skill (repeatable).
    Skill,
    /// Seniority level.
    Seniority,
    /// Job family.
    Category,
    /// Remote, hybrid or onsite.
    Workplace,
    /// ISO alpha-2 country.
    Country,
    /// Contract type.
    EmploymentType,
    /// Minimum pay (with `currency`).
    SalaryMin,
    /// Currency of `salary_min`.
    Currency,
    /// Listed at or after.
    Since,
    /// Include closed postings.
    IncludeClosed,
    /// Include cross-source duplicates.
    IncludeDuplicates,
    /// Page size (`/jobs` only).
    Limit,
    /// Continuation cursor (`/jobs` only).
    Cursor,
    /// `full` to include `description_html` (`/jobs` only).
    Fields,
}

impl Param {
    /// Every parameter, in documentation order.
    pub const ALL: &'static [Param] = &[
        Param::Q,
        Param::Company,
        Param::Skill,
        Param::Seniority,
        Param::Category,
        Param::Workplace,
        Param::Country,
        Param::EmploymentType,
        Param::SalaryMin,
        Param::Currency,
        Param::Since,
        Param::IncludeClosed,
        Param::IncludeDuplicates,
        Param::Limit,
        Param::Cursor,
        Param::Fields,
    ];

    /// The name in the query string.
    pub fn name(self) -> &'static str {
        match self {
            Param::Q => "q",
            Param::Company => "company",
            Param::Skill => "skill",
            Param::Seniority => "seniority",
            Param::Category => "category",
            Param::Workplace => "workplace",
            Param::Country => "country",
            Param::EmploymentType => "employment_type",
            Param::SalaryMin => "salary_min",
            Param::Currency => "currency",
            Param::Since => "since",
            Param::IncludeClosed => "include_closed",
            Param::IncludeDuplicates => "include_duplicates",
            Param::Limit => "limit",
            Param::Cursor => "cursor",
            Param::Fields => "fields",
        }
    }

    /// The parameter with this query-string name.
    pub fn from_name(name: &str) -> Option<Param> {
        Param::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// Whether the parameter filters postings (accepted by the feeds too); the others page.
    pub fn is_filter(self) -> bool {
        !matches!(self, Param::Limit | Param::Cursor | Param::Fields)
    }

    /// The parameters an endpoint accepts.
    pub fn accepted(endpoint: Endpoint) -> impl Iterator<Item = Param> {
        Param::ALL
            .iter()
            .copied()
            .filter(move |p| endpoint == Endpoint::Jobs || p.is_filter())
    }

    fn description(self) -> &'static str {
        match self {
            Param::Q => {
                "Words that must all appear in the title, company name or skills (case-insensitive)."
            }
            Param::Company => "Company name, exact but case-insensitive.",
            Param::Skill => {
                "A skill the posting must list (canonical lower-case name); repeat for several: all must match."
            }
            Param::Seniority => "Seniority level.",
            Param::Category => "Job family.",
            Param::Workplace => "Where the work happens.",
            Param::Country => {
                "ISO 3166-1 alpha-2 country (any case): postings located there, or remote postings open to it."
            }
            Param::EmploymentType => "Contract type.",
            Param::SalaryMin => {
                "Minimum pay: postings whose salary maximum (else minimum) reaches it. Requires `currency`."
            }
            Param::Currency => {
                "ISO 4217 currency of `salary_min` (any case). Requires `salary_min`."
            }
            Param::Since => {
                "Only postings listed at or after this time: RFC 3339, or a date (midnight UTC)."
            }
            Param::IncludeClosed => "Include postings that have closed.",
            Param::IncludeDuplicates => {
                "Include postings that duplicate another source's posting of the same job."
            }
            Param::Limit => "Page size.",
            Param::Cursor => {
                "The `next_cursor` of the previous page, with the same filters; absent for the first page."
            }
            Param::Fields => "`full` includes `description_html` in each item; `summary` omits it.",
        }
    }

    fn schema(self) -> Schema {
        let text = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_TEXT_CHARS))
        };
        let one_of = |values: Vec<&'static str>| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values))
        };
        let boolean = || {
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .default(Some(false.into()))
        };
        match self {
            Param::Q | Param::Company | Param::Cursor => text().into(),
            Param::Skill => ArrayBuilder::new()
                .items(text())
                .max_items(Some(MAX_SKILLS))
                .into(),
            Param::Seniority => one_of(Seniority::ALL.iter().map(|v| v.as_str()).collect()).into(),
            Param::Category => one_of(Category::ALL.iter().map(|v| v.as_str()).collect()).into(),
            Param::Workplace => one_of(Workplace::ALL.iter().map(|v| v.as_str()).collect()).into(),
            Param::EmploymentType => {
                one_of(EmploymentType::ALL.iter().map(|v| v.as_str()).collect()).into()
            }
            Param::Country => ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z]{2}$"))
                .into(),
            Param::Currency => ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z]{3}$"))
                .into(),
            Param::SalaryMin => ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(0))
                .into(),
            Param::Since => AnyOfBuilder::new()
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
                )
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
                )
                .into(),
            Param::IncludeClosed | Param::IncludeDuplicates => boolean().into(),
            Param::Limit => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(MAX_LIMIT as u32))
                .default(Some(DEFAULT_LIMIT.into()))
                .into(),
            Param::Fields => one_of(vec!["summary", "full"])
                .default(Some("summary".into()))
                .into(),
        }
    }

    /// This parameter as an OpenAPI query parameter.
    pub fn openapi(self) -> Parameter {
        let repeatable = self == Param::Skill;
        ParameterBuilder::new()
            .name(self.name())
            .parameter_in(ParameterIn::Query)
            .description(Some(self.description()))
            .schema(Some(RefOr::T(self.schema())))
            .style(repeatable.then_some(ParameterStyle::Form))
            .explode(repeatable.then_some(true))
            .build()
    }
}

/// Which endpoint's parameters are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/jobs`: filters and paging.
    Jobs,
    /// The feeds: filters only (always the newest page).
    Feed,
}

/// A parsed `/jobs` or feed request.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    /// The filters.
    pub query: ListQuery,
    /// Page size (`DEFAULT_LIMIT` unless given).
    pub limit: usize,
    /// Where to continue.
    pub cursor: Option<String>,
    /// Whether list items carry `description_html`.
    pub full: bool,
}

/// Parses a raw query string (without `?`) for `endpoint`.
pub fn parse(raw_query: Option<&str>, endpoint: Endpoint) -> Result<ListRequest, Problem> {
    let mut request = ListRequest {
        query: ListQuery::default(),
        limit: DEFAULT_LIMIT,
        cursor: None,
        full: false,
    };
    let mut seen: Vec<Param> = Vec::new();
    let mut salary_min: Option<f64> = None;
    let mut currency: Option<String> = None;
    let raw_query = raw_query.unwrap_or_default();
    if raw_query.len() > MAX_QUERY_BYTES {
        return Err(Problem::new(
            StatusCode::URI_TOO_LONG,
            format!("the query string is longer than {MAX_QUERY_BYTES} bytes"),
        ));
    }
    let pairs = url::form_urlencoded::parse(raw_query.as_bytes());
    for (name, value) in pairs {
        // The decoder replaces bytes that are not UTF-8 with U+FFFD; no filter value
        // legitimately contains it, so its presence means the client sent invalid UTF-8.
        if name.contains(char::REPLACEMENT_CHARACTER) {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "a query parameter name is not valid UTF-8",
            ));
        }
        let param = Param::from_name(&name)
            .filter(|p| Param::accepted(endpoint).any(|a| a == *p))
            .ok_or_else(|| {
                Problem::bad_parameter(&name, format!("unknown query parameter `{name}`"))
            })?;
        if param != Param::Skill && seen.contains(&param) {
            return Err(bad(param, "may be given only once"));
        }
        seen.push(param);
        if value.contains(char::REPLACEMENT_CHARACTER) {
            return Err(bad(param, "is not valid UTF-8"));
        }
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let q = &mut request.query;
        match param {
            Param::Q => q.q = Some(text(param, value)?),
            Param::Company => q.company = Some(text(param, value)?),
            Param::Skill => {
                if q.skills.len() == MAX_SKILLS {
                    return Err(bad(param, &format!("at most {MAX_SKILLS} values")));
                }
                q.skills.push(text(param, value)?.to_lowercase());
            }
            Param::Seniority => q.seniority = Some(wire_enum(param, value, Seniority::ALL)?),
            Param::Category => q.category = Some(wire_enum(param, value, Category::ALL)?),
            Param::Workplace => q.workplace = Some(wire_enum(param, value, Workplace::ALL)?),
            Param::EmploymentType => {
                q.employment_type = Some(wire_enum(param, value, EmploymentType::ALL)?);
            }
            Param::Country => q.country = Some(letters(param, value, 2)?),
            Param::Currency => currency = Some(letters(param, value, 3)?),
            Param::SalaryMin => {
                let amount = value
                    .parse::<f64>()
                    .ok()
                    .filter(|a| a.is_finite() && *a >= 0.0)
                    .ok_or_else(|| bad(param, "must be a number, 0 or more"))?;
                salary_min = Some(amount);
            }
            Param::Since => q.since = Some(since(param, value)?),
            Param::IncludeClosed => q.include_closed = boolean(param, value)?,
            Param::IncludeDuplicates => q.include_duplicates = boolean(param, value)?,
            Param::Limit => {
                request.limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        bad(param, &format!("must be an integer from 1 to {MAX_LIMIT}"))
                    })?;
            }
            Param::Cursor => request.cursor = Some(value.to_owned()),
            Param::Fields => {
                request.full = match value {
                    "full" => true,
                    "summary" => false,
                    _ => return Err(bad(param, "must be `full` or `summary`")),
                }
            }
        }
    }
    request.query.salary_min = match (salary_min, currency) {
        (Some(amount), Some(currency)) => Some(SalaryFloor { amount, currency }),
        (None, None) => None,
        (Some(_), None) => return Err(bad(Param::SalaryMin, "requires `currency`")),
        (None, Some(_)) => return Err(bad(Param::Currency, "requires `salary_min`")),
    };
    Ok(request)
}

fn bad(param: Param, why: &str) -> Problem {
    Problem::bad_parameter(param.name(), format!("parameter `{}` {why}", param.name()))
}

fn text(param: Param, value: &str) -> Result<String, Problem> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(bad(
            param,
            &format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn wire_enum<T>(param: Param, value: &str, all: &[T]) -> Result<T, Problem>
where
    T: Copy + std::str::FromStr + std::fmt::Display,
{
    value.parse::<T>().map_err(|_| {
        let allowed: Vec<String> = all.iter().map(|v| format!("`{v}`")).collect();
        bad(param, &format!("must be one of {}", allowed.join(", ")))
    })
}

fn letters(param: Param, value: &str, len: usize) -> Result<String, Problem> {
    if value.len() != len || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(bad(param, &format!("must be {len} letters")));
    }
    Ok(value.to_ascii_uppercase())
}

fn since(param: Param, value: &str) -> Result<DateTime<Utc>, Problem> {
    // An unescaped `+` of an offset arrives as a space; no RFC 3339 time contains one.
    if let Ok(time) = DateTime::parse_from_rfc3339(&value.replace(' ', "+")) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| bad(param, "must be an RFC 3339 time or a YYYY-MM-DD date"))
}

fn boolean(param: Param, value: &str) -> Result<bool, Problem> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(param, "must be `true` or `false`")),
    }
}

/// The `/jobs` query parameters, for `#[utoipa::path(params(...))]`.
pub struct JobsParams;

impl utoipa::IntoParams for JobsParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        Param::accepted(Endpoint::Jobs)
            .map(Param::openapi)
            .collect()
    }
}

/// The feed query parameters (the filters), for `#[utoipa::path(params(...))]`.
pub struct FeedParams;

impl utoipa::IntoParams for FeedParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        Param::accepted(Endpoint::Feed)
            .map(Param::openapi)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Workplace;

    fn jobs(query: &str) -> Result<ListRequest, Problem> {
        parse(Some(query), Endpoint::Jobs)
    }

    #[test]
    fn every_parameter_name_maps_back_to_its_parameter() {
        for param in Param::ALL {
            assert_eq!(Param::from_name(param.name()), Some(*param));
        }
        assert_eq!(Param::from_name("skills"), None);
    }

    #[test]
    fn a_full_query_fills_every_filter() {
        let request = jobs(
            "q=rust+engineer&company=Acme&skill=Rust&skill=go&seniority=senior&category=backend\
             &workplace=remote&country=de&employment_type=full_time&salary_min=90000\
             &currency=eur&since=2026-07-01&include_closed=true&include_duplicates=false\
             &limit=5&cursor=abc&fields=full",
        )
        .unwrap();
        let q = &request.query;
        assert_eq!(q.q.as_deref(), Some("rust engineer"));
        assert_eq!(q.company.as_deref(), Some("Acme"));
        assert_eq!(q.skills, vec!["rust", "go"]);
        assert_eq!(q.seniority, Some(Seniority::Senior));
        assert_eq!(q.category, Some(Category::Backend));
        assert_eq!(q.workplace, Some(Workplace::Remote));
        assert_eq!(q.country.as_deref(), Some("DE"));
        assert_eq!(q.employment_type, Some(EmploymentType::FullTime));
        assert_eq!(
            q.salary_min,
            Some(SalaryFloor {
                amount: 90000.0,
                currency: "EUR".into()
            })
        );
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-07-01T00:00:00+00:00");
        assert!(q.include_closed);
        assert!(!q.include_duplicates);
        assert_eq!(request.limit, 5);
        assert_eq!(request.cursor.as_deref(), Some("abc"));
        assert!(request.full);
    }

    #[test]
    fn no_query_gives_the_defaults() {
        let request = parse(None, Endpoint::Jobs).unwrap();
        assert_eq!(request.query, ListQuery::default());
        assert_eq!(request.limit, DEFAULT_LIMIT);
        assert_eq!(request.cursor, None);
        assert!(!request.full);
    }

    #[test]
    fn empty_values_count_as_absent() {
        assert_eq!(
            jobs("q=&seniority=&limit=").unwrap(),
            parse(None, Endpoint::Jobs).unwrap()
        );
    }

    #[test]
    fn rfc3339_times_keep_their_offset_even_with_an_unescaped_plus() {
        for query in [
            "since=2026-07-01T10:00:00%2B02:00",
            "since=2026-07-01T10:00:00+02:00",
        ] {
            assert_eq!(
                jobs(query).unwrap().query.since.unwrap().to_rfc3339(),
                "2026-07-01T08:00:00+00:00",
                "{query}"
            );
        }
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (query, param) in [
            ("seniority=guru", "seniority"),
            ("employment_type=fulltime", "employment_type"),
            ("since=yesterday", "since"),
            ("since=2026-13-01", "since"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=ten", "limit"),
            ("country=DEU", "country"),
            ("salary_min=-1&currency=EUR", "salary_min"),
            ("salary_min=NaN&currency=EUR", "salary_min"),
            ("salary_min=50000", "salary_min"),
            ("currency=EUR", "currency"),
            ("include_closed=yes", "include_closed"),
            ("fields=all", "fields"),
            ("limit=5&limit=6", "limit"),
            ("skills=rust", "skills"),
        ] {
            let problem = jobs(query).unwrap_err();
            assert_eq!(problem.status, 400, "{query}");
            assert_eq!(problem.parameter.as_deref(), Some(param), "{query}");
            assert!(problem.detail.contains(&format!("`{param}`")), "{query}");
        }
    }

    #[test]
    fn feeds_refuse_the_paging_parameters() {
        for query in ["limit=5", "cursor=x", "fields=full"] {
            assert_eq!(parse(Some(query), Endpoint::Feed).unwrap_err().status, 400);
        }
        assert!(parse(Some("skill=rust"), Endpoint::Feed).is_ok());
    }

    #[test]
    fn an_oversized_query_string_is_414_and_invalid_utf8_is_400_naming_the_parameter() {
        let long = format!("skill=&{}", "skill=&".repeat(MAX_QUERY_BYTES / 7));
        assert_eq!(jobs(&long).unwrap_err().status, 414);
        let problem = jobs("company=%ff%fe").unwrap_err();
        assert_eq!(
            (problem.status, problem.parameter.as_deref()),
            (400, Some("company"))
        );
        assert_eq!(jobs("%ff=1").unwrap_err().status, 400);
        assert_eq!(
            jobs("q=caf%C3%A9").unwrap().query.q.as_deref(),
            Some("café")
        );
    }

    #[test]
    fn too_long_text_and_too_many_skills_are_refused() {
        let long = format!("q={}", "a".repeat(MAX_TEXT_CHARS + 1));
        assert_eq!(jobs(&long).unwrap_err().parameter.as_deref(), Some("q"));
        let many: Vec<String> = (0..=MAX_SKILLS).map(|i| format!("skill=s{i}")).collect();
        assert_eq!(
            jobs(&many.join("&")).unwrap_err().parameter.as_deref(),
            Some("skill")
        );
    }
}
