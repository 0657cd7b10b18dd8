//! Identity rules: canonical URLs, stable posting ids, cross-source fingerprints and content
//! hashes. These values are stored and compared across processes and releases, so changing
//! any rule here re-identifies every posting: do it deliberately.

use serde::Serialize;
use sha2::{Digest, Sha256};
use url::Url;

use crate::model::{JobPosting, Workplace};

/// Query parameters that only track where a visitor came from. Matched case-insensitively;
/// `utm_*` is handled by prefix.
const TRACKING_PARAMS: &[&str] = &[
    "source",
    "src",
    "ref",
    "referrer",
    "referer",
    "gh_src",
    "lever-source",
    "lever-source[]",
    "lever-origin",
    "lever-via",
    "trk",
    "trkinfo",
    "trackingid",
    "refid",
    "fbclid",
    "gclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "in_iframe",
    "iis",
    "iisn",
];

/// Canonical form of a posting URL: absolute http(s), scheme and host lower case, default
/// port dropped, no fragment, no tracking parameters (`utm_*`, `gh_src`, `lever-source`,
/// `source`, `ref`, ..., and `gh_jid` when the path already carries that id), remaining
/// parameters sorted, and no trailing slash except on the root path.
///
/// `base` resolves relative references. Returns `None` for anything that is not (or does not
/// resolve to) an http(s) URL with a host.
pub fn canonical_url(raw: &str, base: Option<&Url>) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let mut url = match base {
        Some(base) => base.join(raw).ok()?,
        None => Url::parse(raw).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    url.set_fragment(None);

    let path_digits: Vec<&str> = url
        .path_segments()
        .map(|segments| {
            segments
                .filter(|s| s.chars().all(|c| c.is_ascii_digit()))
                .collect()
        })
        .unwrap_or_default();
    let mut kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, value)| {
            let key = key.to_ascii_lowercase();
            if key.starts_with("utm_") || TRACKING_PARAMS.contains(&key.as_str()) {
                return false;
            }
            // gh_jid is the job id on a company's own careers page, but mere noise when the
            // path (a Greenhouse board URL) already names the same job.
            !(key == "gh_jid" && path_digits.contains(&value.as_ref()))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    kept.sort();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }

    let path = url.path().to_owned();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    Some(url.into())
}

/// Stable posting id: 32 hex characters of SHA-256 over the source name and the source's own
/// id, or, without one, over the source name and the canonical URL. The same posting gets the
/// same id in every crawl and process; ids are URL-safe for `GET /jobs/{id}`.
pub fn posting_id(source: &str, external_id: Option<&str>, canonical_url: &str) -> String {
    match external_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(external) => hash_hex(&[source, "id", external]),
        None => hash_hex(&[source, "url", canonical_url]),
    }
}

/// Cross-source fingerprint: the blocking key of `crate::dedup` (normalized company, and
/// the title's level, core and qualifier words), equal for every copy of one job across sources, so
/// spelling variants (`Sr.`/`Senior`, `Back End`/`Backend`, `Inc.`/`GmbH` suffixes, case,
/// punctuation, qualifier forms) do not matter. Postings with one fingerprint are
/// candidates: `dedup::same_job` decides which are one job (place, team, description).
pub fn fingerprint(posting: &JobPosting) -> String {
    crate::dedup::block_key(posting)
}

/// Hash of every user-visible field: changes when, and only when, one of them changes.
/// Identity, fetch time and lifecycle fields are left out.
pub fn content_hash(posting: &JobPosting) -> String {
    #[derive(Serialize)]
    struct Visible<'a> {
        url: &'a str,
        apply_url: &'a Option<String>,
        title: &'a str,
        company: &'a crate::model::Company,
        department: &'a Option<String>,
        locations: &'a [crate::model::Location],
        workplace: &'a Option<Workplace>,
        remote_regions: &'a [String],
        employment_type: &'a Option<crate::model::EmploymentType>,
        seniority: &'a Option<crate::model::Seniority>,
        category: &'a Option<crate::model::Category>,
        skills: &'a [String],
        salary: &'a Option<crate::model::Salary>,
        description_html: &'a str,
        posted_at: &'a Option<chrono::DateTime<chrono::Utc>>,
        valid_through: &'a Option<chrono::DateTime<chrono::Utc>>,
    }
    let visible = Visible {
        url: &posting.url,
        apply_url: &posting.apply_url,
        title: &posting.title,
        company: &posting.company,
        department: &posting.department,
        locations: &posting.locations,
        workplace: &posting.workplace,
        remote_regions: &posting.remote_regions,
        employment_type: &posting.employment_type,
        seniority: &posting.seniority,
        category: &posting.category,
        skills: &posting.skills,
        salary: &posting.salary,
        description_html: &posting.description_html,
        posted_at: &posting.posted_at,
        valid_through: &posting.valid_through,
    };
    // Serializing plain structs of strings, numbers and options cannot fail.
    let json = serde_json::to_string(&visible).unwrap_or_default();
    hash_hex(&[&json])
}

/// Sets `id`, `fingerprint` and `content_hash` from the other fields (`url` must already be
/// canonical).
pub fn stamp(posting: &mut JobPosting) {
    posting.id = posting_id(
        &posting.source,
        posting.external_id.as_deref(),
        &posting.url,
    );
    posting.fingerprint = fingerprint(posting);
    posting.content_hash = content_hash(posting);
}

/// 32 hex characters of SHA-256 over `parts` (each length-prefixed, so `["ab", "c"]` and
/// `["a", "bc"]` differ).
pub fn hash_hex(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = hasher.finalize();
    let mut out = String::with_capacity(32);
    for byte in digest.iter().take(16) {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// 64 bits of SHA-256 over `parts` (each length-prefixed, as `hash_hex`): a compact key for
/// sets of many postings kept in memory or across crawl invocations.
pub fn hash64(parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The 64-bit key of a posting id: the id's first 16 hex digits (ids are 32 hex digits of
/// SHA-256, see `posting_id`), or `hash64` of any other string. Equal ids have equal keys;
/// two different ids share one with a chance of about n²/2⁶⁵ among n ids.
pub fn id_key(id: &str) -> u64 {
    id.get(..16)
        .filter(|_| id.len() == 32)
        .and_then(|head| u64::from_str_radix(head, 16).ok())
        .unwrap_or_else(|| hash64(&["id", id]))
}

/// What a crawl remembers of a listed posting, stored with it: the `key` it is listed under
/// (its id's key for an API list, its page's canonical URL for a listing of links) and a
/// hash of the list's change `hint` (the whole record for an API list, the link text for a
/// listing). The next crawl re-reads the posting only when the hint changed, the posting is
/// closed, or its refresh is due (`ListMark::refresh_due`). Written as 32 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ListMark {
    /// The list key.
    pub key: u64,
    /// The change hint's hash.
    pub hint: u64,
}

impl ListMark {
    /// Whether a posting listed under `key` is due for its refresh in the crawl numbered
    /// `crawl`, when one crawl in `every` re-reads each posting: the postings are spread over
    /// `every` slots by key, and each crawl takes the next slot, so every posting is re-read
    /// exactly once per `every` crawls (`every` 0 or 1: every crawl).
    pub fn refresh_due(key: u64, crawl: u64, every: u64) -> bool {
        every <= 1 || key % every == crawl % every
    }
}

impl From<ListMark> for String {
    fn from(mark: ListMark) -> String {
        format!("{:016x}{:016x}", mark.key, mark.hint)
    }
}

impl TryFrom<String> for ListMark {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let parse = |range: std::ops::Range<usize>| {
            text.get(range)
                .and_then(|digits| u64::from_str_radix(digits, 16).ok())
        };
        match (text.len(), parse(0..16), parse(16..32)) {
            (32, Some(key), Some(hint)) => Ok(ListMark { key, hint }),
            _ => Err(format!("a list mark is 32 hex digits, not {text:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Company, Location, SourceKind};

    fn canon(raw: &str) -> String {
        canonical_url(raw, None).unwrap()
    }

    #[test]
    fn an_id_key_is_the_ids_first_half_and_any_other_string_is_hashed() {
        assert_eq!(
            id_key("0123456789abcdef0123456789abcdef"),
            0x0123_4567_89ab_cdef
        );
        assert_eq!(id_key("not an id"), id_key("not an id"));
        assert_ne!(id_key("not an id"), id_key("not an ie"));
        assert_ne!(id_key("0123456789abcdefX"), 0x0123_4567_89ab_cdef);
    }

    #[test]
    fn a_list_mark_round_trips_as_32_hex_digits_and_refuses_anything_else() {
        let mark = ListMark {
            key: 0xfeed,
            hint: u64::MAX,
        };
        let json = serde_json::to_string(&mark).unwrap();
        assert_eq!(json, "\"000000000000feedffffffffffffffff\"");
        assert_eq!(serde_json::from_str::<ListMark>(&json).unwrap(), mark);
        assert!(serde_json::from_str::<ListMark>("\"feed\"").is_err());
        assert!(serde_json::from_str::<ListMark>("\"000000000000feedfffffffffffffffg\"").is_err());
    }

    #[test]
    fn every_key_is_refreshed_exactly_once_in_every_run_of_crawls() {
        for key in [0_u64, 7, 12_345, u64::MAX] {
            let due: Vec<u64> = (100..120)
                .filter(|crawl| ListMark::refresh_due(key, *crawl, 20))
                .collect();
            assert_eq!(due.len(), 1, "key {key}");
        }
        assert!((0..5).all(|crawl| ListMark::refresh_due(3, crawl, 1)));
        assert!(ListMark::refresh_due(3, 9, 0));
    }

    #[test]
    fn canonical_url_lowercases_scheme_and_host_and_drops_fragment_and_default_port() {
        assert_eq!(
            canon("HTTPS://Jobs.Example.COM:443/Path/Job-1/#apply"),
            "https://jobs.example.com/Path/Job-1"
        );
    }

    #[test]
    fn canonical_url_removes_tracking_parameters_and_sorts_the_rest() {
        assert_eq!(
            canon(
                "https://x.io/jobs/1?utm_source=li&b=2&gh_src=abc&a=1&lever-source=x&ref=hn&source=wwr"
            ),
            "https://x.io/jobs/1?a=1&b=2"
        );
        assert_eq!(
            canon("https://x.io/jobs/1?utm_campaign=q"),
            "https://x.io/jobs/1"
        );
    }

    #[test]
    fn canonical_url_keeps_gh_jid_only_when_it_is_the_id() {
        assert_eq!(
            canon("https://www.acme.com/careers?gh_jid=4461450008"),
            "https://www.acme.com/careers?gh_jid=4461450008"
        );
        assert_eq!(
            canon("https://boards.greenhouse.io/acme/jobs/4461450008?gh_jid=4461450008"),
            "https://boards.greenhouse.io/acme/jobs/4461450008"
        );
    }

    #[test]
    fn canonical_url_strips_trailing_slash_except_on_the_root() {
        assert_eq!(
            canon("https://nodesk.co/remote-jobs/sticker-mule-software-engineer/"),
            "https://nodesk.co/remote-jobs/sticker-mule-software-engineer"
        );
        assert_eq!(canon("https://nodesk.co/"), "https://nodesk.co/");
        assert_eq!(canon("https://nodesk.co"), "https://nodesk.co/");
    }

    #[test]
    fn canonical_url_resolves_relative_links_and_refuses_other_schemes() {
        let base = Url::parse("https://careers.example.com/jobs/search?page=2").unwrap();
        assert_eq!(
            canonical_url("/jobs/77/backend", Some(&base)).unwrap(),
            "https://careers.example.com/jobs/77/backend"
        );
        assert_eq!(canonical_url("javascript:alert(1)", Some(&base)), None);
        assert_eq!(canonical_url("mailto:jobs@example.com", None), None);
        assert_eq!(canonical_url("/relative/without/base", None), None);
        assert_eq!(canonical_url("   ", None), None);
    }

    #[test]
    fn posting_id_is_stable_and_prefers_the_external_id() {
        let a = posting_id("gh", Some("123"), "https://a/1");
        assert_eq!(a, posting_id("gh", Some("123"), "https://other/2"));
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, posting_id("lever", Some("123"), "https://a/1"));
        assert_eq!(
            posting_id("gh", None, "https://a/1"),
            posting_id("gh", Some("  "), "https://a/1")
        );
        assert_ne!(
            posting_id("gh", None, "https://a/1"),
            posting_id("gh", None, "https://a/2")
        );
    }

    fn posting(company: &str, title: &str, workplace: Option<Workplace>, city: &str) -> JobPosting {
        JobPosting {
            id: String::new(),
            source: "s".into(),
            source_kind: SourceKind::JsonLd,
            external_id: None,
            url: "https://example.com/jobs/1".into(),
            apply_url: None,
            title: title.into(),
            company: Company {
                name: company.into(),
                url: None,
                logo_url: None,
            },
            department: None,
            locations: vec![Location {
                raw: city.into(),
                city: Some(city.into()),
                region: None,
                country: Some("DE".into()),
            }],
            workplace,
            remote_regions: vec![],
            employment_type: None,
            seniority: None,
            category: None,
            skills: vec![],
            salary: None,
            description_html: "<p>x</p>".into(),
            description_text: "x".into(),
            posted_at: None,
            valid_through: None,
            fetched_at: chrono::DateTime::UNIX_EPOCH,
            fingerprint: String::new(),
            content_hash: String::new(),
            first_seen_at: None,
            last_seen_at: None,
            closed_at: None,
            duplicate_of: None,
        }
    }

    #[test]
    fn fingerprint_is_equal_across_spelling_variants_of_the_same_job() {
        let a = posting("Acme GmbH", "Sr. Back End Eng", None, "Berlin");
        let b = posting("ACME", "Senior Backend Engineer", None, "berlin");
        let c = posting("Acme, Inc.", "senior back-end engineer", None, "Berlin");
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a), fingerprint(&c));
        let dev1 = posting("Acme", "Sr Dev", None, "Berlin");
        let dev2 = posting("Acme", "Senior Developer", None, "Berlin");
        assert_eq!(fingerprint(&dev1), fingerprint(&dev2));
    }

    #[test]
    fn fingerprint_differs_for_another_role_or_company_and_leaves_places_to_the_comparison() {
        let base = posting("Acme", "Senior Backend Engineer", None, "Berlin");
        assert_ne!(
            fingerprint(&base),
            fingerprint(&posting("Acme", "Senior Frontend Engineer", None, "Berlin"))
        );
        assert_ne!(
            fingerprint(&base),
            fingerprint(&posting("Acme", "Backend Engineer", None, "Berlin"))
        );
        assert_ne!(
            fingerprint(&base),
            fingerprint(&posting(
                "Acme Bank",
                "Senior Backend Engineer",
                None,
                "Berlin"
            ))
        );
        // Another city is another job, but one `dedup::same_job` tells apart: the
        // fingerprint only gathers the candidates.
        let munich = posting("Acme", "Senior Backend Engineer", None, "Munich");
        assert_eq!(fingerprint(&base), fingerprint(&munich));
        assert_eq!(
            crate::dedup::same_job(&base, &munich),
            crate::dedup::Decision::Different("place")
        );
        let remote = posting(
            "Acme",
            "Sr. Backend Engineer (m/f/d)",
            Some(Workplace::Remote),
            "Lisbon",
        );
        assert_eq!(fingerprint(&base), fingerprint(&remote));
    }

    #[test]
    fn content_hash_changes_with_visible_fields_only() {
        let base = posting("Acme", "Senior Backend Engineer", None, "Berlin");
        let hash = content_hash(&base);

        let mut refetched = base.clone();
        refetched.fetched_at = chrono::Utc::now();
        refetched.id = "other".into();
        refetched.first_seen_at = Some(chrono::Utc::now());
        assert_eq!(content_hash(&refetched), hash);

        let mut retitled = base.clone();
        retitled.title = "Staff Backend Engineer".into();
        assert_ne!(content_hash(&retitled), hash);

        let mut repaid = base.clone();
        repaid.salary = Some(crate::model::Salary {
            min: Some(1.0),
            max: Some(2.0),
            currency: Some("EUR".into()),
            period: None,
        });
        assert_ne!(content_hash(&repaid), hash);

        let mut redescribed = base;
        redescribed.description_html = "<p>y</p>".into();
        assert_ne!(content_hash(&redescribed), hash);
    }

    #[test]
    fn canonical_url_keeps_the_query_that_names_the_posting() {
        // UltiPro's posting pages differ only in `opportunityId`: two jobs must stay two.
        let board = "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/OpportunityDetail";
        let first = canon(&format!(
            "{board}?opportunityId=0b81b2f5-ffe3-4604-93b8-19d912c2424f&utm_source=x"
        ));
        let second = canon(&format!(
            "{board}?opportunityId=015f6d1c-4d62-40dc-8b8c-1bd4646fd4d7"
        ));
        assert_eq!(
            first,
            format!("{board}?opportunityId=0b81b2f5-ffe3-4604-93b8-19d912c2424f")
        );
        assert_ne!(first, second);
        assert_ne!(
            posting_id("ultipro", None, &first),
            posting_id("ultipro", None, &second)
        );
        // Avature's older job links name the job in `jobId`.
        assert_ne!(
            canon("https://acme.avature.net/careers/JobDetail?jobId=1"),
            canon("https://acme.avature.net/careers/JobDetail?jobId=2")
        );
    }
}
