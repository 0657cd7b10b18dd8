//! The job model: one normalized `JobPosting` whatever the source. Its JSON is the public API's
//! item format, so field names and enum spellings here are a contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One normalized job posting.
///
/// Every extractor's records end up here through the normalizer; the JSON field names are the
/// public API's item format. The lifecycle fields belong to the store and stay `None` (and
/// absent from the JSON) until a store sets them.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPosting {
    /// Stable id: derived from (source, external id) or, without one, the canonical URL.
    pub id: String,
    /// The configured source name (e.g. `wwr-backend`).
    pub source: String,
    /// Which extractor produced it.
    pub source_kind: SourceKind,
    /// The source's own id for the posting, when it has one.
    pub external_id: Option<String>,
    /// Canonical posting URL (see `identity::canonical_url`).
    pub url: String,
    /// Where to apply, when the source gives a separate address.
    pub apply_url: Option<String>,
    /// Cleaned-up title.
    pub title: String,
    /// The hiring company.
    pub company: Company,
    /// Department or team, as the source names it.
    pub department: Option<String>,
    /// Every place the job is tied to, in the source's order (the first is the primary one).
    pub locations: Vec<Location>,
    /// Where the work happens, when it can be known.
    pub workplace: Option<Workplace>,
    /// Regions a remote job is restricted to (`["US"]`, `["EU"]`); empty when unrestricted
    /// or unknown.
    pub remote_regions: Vec<String>,
    /// Contract type.
    pub employment_type: Option<EmploymentType>,
    /// Seniority level from the title (or the description when the title is silent).
    pub seniority: Option<Seniority>,
    /// Job family.
    pub category: Option<Category>,
    /// Canonical skill names, sorted and unique.
    pub skills: Vec<String>,
    /// Pay range, when stated.
    pub salary: Option<Salary>,
    /// Sanitized HTML description (allowlisted tags only; no scripts, styles, frames, event
    /// handlers or `javascript:` URLs).
    pub description_html: String,
    /// Readable plain text of the description.
    pub description_text: String,
    /// When the source says the posting was published.
    pub posted_at: Option<DateTime<Utc>>,
    /// When the source says the posting stops being valid.
    pub valid_through: Option<DateTime<Utc>>,
    /// When this copy was fetched; newer copies win over older ones.
    pub fetched_at: DateTime<Utc>,
    /// Equal for the same job seen through different sources.
    pub fingerprint: String,
    /// Changes when, and only when, a user-visible field changes.
    pub content_hash: String,
    /// Lifecycle (set by the store): when the posting was first seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen_at: Option<DateTime<Utc>>,
    /// Lifecycle (set by the store): when a crawl last listed the posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Lifecycle (set by the store): when the posting was seen to close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Lifecycle (set by the store): the canonical posting this one duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

/// HTTP validators of one fetched document (`ETag`, `Last-Modified`): what a conditional
/// fetch sends back so that an unchanged document costs a 304.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// `ETag` response header.
    pub etag: Option<String>,
    /// `Last-Modified` response header.
    pub last_modified: Option<String>,
}

/// The hiring company.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Display name (never empty in a normalized posting: falls back to the URL's host).
    pub name: String,
    /// Company website, when known.
    pub url: Option<String>,
    /// Logo image URL, when known.
    pub logo_url: Option<String>,
}

/// One place a job is tied to.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The source's text, kept as is (trimmed).
    pub raw: String,
    /// City, when it can be told apart.
    pub city: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case, when it can be known.
    pub country: Option<String>,
}

/// A pay range in units of the currency (not cents).
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    /// Lower bound; equal to `max` for a single figure. `None` for "up to X".
    pub min: Option<f64>,
    /// Upper bound; `None` for "from X".
    pub max: Option<f64>,
    /// ISO 4217 code, upper case, when known.
    pub currency: Option<String>,
    /// What the figures are per.
    pub period: Option<SalaryPeriod>,
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling (the same as the JSON form).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        // Written by hand rather than derived: the derive cannot see the `serde(rename)`
        // values a macro passes in, and would document the Rust variant names instead of the
        // wire spellings.
        #[cfg(feature = "api")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($name::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "api")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }
    };
}

/// A string that is not one of an enum's wire spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} value `{value}`")]
pub struct UnknownValue {
    /// Which enum was asked for.
    pub kind: &'static str,
    /// The rejected text.
    pub value: String,
}

string_enum! {
    /// Which extractor a posting came through (also the `kind` of a configured source).
    SourceKind {
        /// schema.org JobPosting in JSON-LD (microdata as a fallback) on any HTML page.
        JsonLd => "jsonld",
        /// Greenhouse Job Board API.
        Greenhouse => "greenhouse",
        /// Lever Postings API (`mode=json`).
        Lever => "lever",
        /// Ashby Posting API job board.
        Ashby => "ashby",
        /// Workable v3 list / v2 detail.
        Workable => "workable",
        /// SmartRecruiters v1 postings list / detail.
        SmartRecruiters => "smartrecruiters",
        /// Recruitee `/api/offers/`.
        Recruitee => "recruitee",
        /// RemoteOK `/api`.
        RemoteOk => "remoteok",
        /// RSS 2.0 or Atom job feed.
        Rss => "rss",
        /// Himalayas jobs API (remote jobs, offset or page paging).
        Himalayas => "himalayas",
        /// Workday career sites (`/wday/cxs/{tenant}/{site}/jobs` search, one detail per job).
        Workday => "workday",
        /// BambooHR careers list (`/careers/list`) and job detail.
        BambooHr => "bamboohr",
        /// Teamtailor `jobs.json` (a JSON Feed embedding schema.org JobPosting).
        Teamtailor => "teamtailor",
        /// Dayforce job boards (search after a CSRF pre-flight, open detail).
        Dayforce => "dayforce",
        /// Rippling ATS job board API (one row per job and location).
        Rippling => "rippling",
        /// Oracle Recruiting Cloud (`recruitingCEJobRequisitions` and their details).
        Oracle => "oracle",
        /// UKG Pro Recruiting (UltiPro) job boards.
        UltiPro => "ultipro",
        /// HERP careers (one company with all its jobs).
        Herp => "herp",
        /// Eightfold career sites (`/api/pcsx/search` and position details).
        Eightfold => "eightfold",
        /// SAP SuccessFactors career sites (HTML search pages and job pages).
        SuccessFactors => "successfactors",
        /// Avature career portals (HTML `SearchJobs` and `JobDetail` pages).
        Avature => "avature",
        /// A CSS-selector recipe over HTML pages with no structured data.
        Html => "html",
    }
}

string_enum! {
    /// Where the work happens.
    Workplace {
        /// Fully remote.
        Remote => "remote",
        /// Partly remote.
        Hybrid => "hybrid",
        /// At the employer's site.
        Onsite => "onsite",
    }
}

string_enum! {
    /// Contract type.
    EmploymentType {
        /// Full time.
        FullTime => "full_time",
        /// Part time.
        PartTime => "part_time",
        /// Contractor / freelance.
        Contract => "contract",
        /// Temporary or seasonal.
        Temporary => "temporary",
        /// Internship, apprenticeship, working student.
        Internship => "internship",
        /// Unpaid volunteer.
        Volunteer => "volunteer",
        /// Anything else the source names.
        Other => "other",
    }
}

string_enum! {
    /// Seniority level.
    Seniority {
        /// Intern.
        Intern => "intern",
        /// Junior / entry level.
        Junior => "junior",
        /// Mid level.
        Mid => "mid",
        /// Senior.
        Senior => "senior",
        /// Staff.
        Staff => "staff",
        /// Principal.
        Principal => "principal",
        /// Lead / tech lead.
        Lead => "lead",
        /// Manager.
        Manager => "manager",
        /// Director / head of.
        Director => "director",
        /// VP, C-level.
        Executive => "executive",
    }
}

string_enum! {
    /// Job family.
    Category {
        /// Back-end engineering.
        Backend => "backend",
        /// Front-end engineering.
        Frontend => "frontend",
        /// Full-stack engineering.
        Fullstack => "fullstack",
        /// Data engineering and analytics.
        Data => "data",
        /// DevOps, SRE, platform, infrastructure.
        Devops => "devops",
        /// Mobile apps.
        Mobile => "mobile",
        /// Security.
        Security => "security",
        /// Machine learning / AI.
        Ml => "ml",
        /// Design.
        Design => "design",
        /// Product management.
        Product => "product",
        /// Anything else.
        Other => "other",
    }
}

string_enum! {
    /// What a salary figure is per.
    SalaryPeriod {
        /// Per hour.
        Hour => "hour",
        /// Per day.
        Day => "day",
        /// Per week.
        Week => "week",
        /// Per month.
        Month => "month",
        /// Per year.
        Year => "year",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_wire_spellings_round_trip_through_from_str_and_serde() {
        for kind in SourceKind::ALL {
            assert_eq!(kind.as_str().parse::<SourceKind>().unwrap(), *kind);
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(EmploymentType::FullTime.as_str(), "full_time");
        assert!("fulltime".parse::<EmploymentType>().is_err());
    }

    #[test]
    fn lifecycle_fields_are_absent_from_json_until_a_store_sets_them() {
        let posting = JobPosting {
            id: "x".into(),
            source: "s".into(),
            source_kind: SourceKind::Lever,
            external_id: None,
            url: "https://example.com/j".into(),
            apply_url: None,
            title: "t".into(),
            company: Company::default(),
            department: None,
            locations: vec![],
            workplace: None,
            remote_regions: vec![],
            employment_type: None,
            seniority: None,
            category: None,
            skills: vec![],
            salary: None,
            description_html: String::new(),
            description_text: String::new(),
            posted_at: None,
            valid_through: None,
            fetched_at: DateTime::UNIX_EPOCH,
            fingerprint: String::new(),
            content_hash: String::new(),
            first_seen_at: None,
            last_seen_at: None,
            closed_at: None,
            duplicate_of: None,
        };
        let value = serde_json::to_value(&posting).unwrap();
        assert!(value.get("closed_at").is_none());
        assert!(value.get("salary").unwrap().is_null());
        let back: JobPosting = serde_json::from_value(value).unwrap();
        assert_eq!(back, posting);
    }
}
