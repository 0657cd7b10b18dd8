//! Cross-source duplicates: whether two postings are one job, and which of a group is
//! canonical. Pure rules over `JobPosting`s (no I/O); ingest applies them to the postings
//! a store returns for one block.
//!
//! - Blocking (`block_key`): candidates share the normalized company (`Acme`, `Acme Inc.`,
//!   `ACME`, `Acme GmbH` are one) and the role (level, core and qualifier words, in any of
//!   their spellings), so a new posting is compared with a handful of others, never with a
//!   whole company.
//! - Titles (`title::Role`): qualifier forms (`(Go)`, `- Go`, `, Go`), abbreviations
//!   (`Sr`, `SRE`), level figures (`II`, `2`) and a trailing acronym are one role; another
//!   level or team is not.
//! - Places (`place::Places`): parsed country, region and city, and remote regions.
//! - Descriptions (`text`): word-shingle overlap; the same text is strong evidence, a
//!   clearly different one vetoes.
//!
//! `same_job` combines them: any conflict keeps two postings apart; title and place both
//! matching make them one; anything weaker needs the descriptions to agree.

pub mod place;
pub mod text;
pub mod title;

use std::collections::{HashMap, HashSet};

use crate::identity::hash_hex;
use crate::model::JobPosting;

pub use place::Places;
pub use title::Role;

/// What one comparison (title, place or description) says about two postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// They agree: the same job as far as this comparison can tell.
    Match,
    /// Not enough to tell (one side says less than the other).
    Weak,
    /// They cannot be the same job.
    Conflict,
}

/// Whether two postings are one job, and which comparison decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// One job.
    Same,
    /// Two jobs; the reason names the comparison that decided.
    Different(&'static str),
}

/// The blocking key of a posting, stored as its `fingerprint`: 32 hex digits over the
/// normalized company and the role (`Role::block_words`). Every copy of one job has the
/// same key; postings with one key are compared by `same_job`.
pub fn block_key(posting: &JobPosting) -> String {
    let role = Role::parse(&posting.title, &place_texts(posting));
    hash_hex(&[
        &company_key(&posting.company.name),
        "role",
        &role.block_words(),
    ])
}

/// What the comparison reads of one posting, computed once however many postings it is
/// compared with.
#[derive(Debug, Clone)]
pub struct Features<'a> {
    /// The posting.
    pub posting: &'a JobPosting,
    /// `company_key` of its company.
    pub company: String,
    /// Its title as a role.
    pub role: Role,
    /// Its places.
    pub places: Places,
    /// Its description's shingles (`text::shingles`).
    pub shingles: HashSet<u64>,
}

impl<'a> Features<'a> {
    /// Reads a posting's features.
    pub fn of(posting: &'a JobPosting) -> Self {
        Features {
            posting,
            company: company_key(&posting.company.name),
            role: Role::parse(&posting.title, &place_texts(posting)),
            places: Places::of(posting),
            shingles: text::shingles(&posting.description_text),
        }
    }
}

/// Whether `a` and `b` are one job (the caller has checked they are of other sources).
pub fn same_job(a: &JobPosting, b: &JobPosting) -> Decision {
    compare(&Features::of(a), &Features::of(b))
}

/// `same_job` over features read beforehand.
pub fn compare(a: &Features<'_>, b: &Features<'_>) -> Decision {
    if a.company != b.company {
        return Decision::Different("company");
    }
    let title = a.role.compare(&b.role);
    if title == Evidence::Conflict {
        return Decision::Different("title");
    }
    let place = a.places.compare(&b.places);
    if place == Evidence::Conflict {
        return Decision::Different("place");
    }
    let text = text::compare_shingles(&a.shingles, &b.shingles);
    match (title, place, text) {
        (_, _, Some(Evidence::Conflict)) => Decision::Different("description"),
        (Evidence::Match, Evidence::Match, _) | (_, _, Some(Evidence::Match)) => Decision::Same,
        _ => Decision::Different("not enough evidence"),
    }
}

/// The `duplicate_of` each of a block's open postings should have. The canonical of a job
/// is its copy seen first (ties broken by id); each later posting duplicates the first
/// earlier canonical of another source that is the same job, or is canonical itself.
/// Postings of one source never duplicate each other (a source lists a job once; two alike
/// are two openings).
pub fn assign_canonicals(open: &[&JobPosting]) -> HashMap<String, Option<String>> {
    let mut ordered: Vec<Features<'_>> = open.iter().map(|p| Features::of(p)).collect();
    ordered.sort_by(|a, b| {
        let key = |f: &Features<'_>| {
            (
                f.posting.first_seen_at.unwrap_or(f.posting.fetched_at),
                f.posting.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut canonicals: Vec<&Features<'_>> = Vec::new();
    let mut wanted = HashMap::new();
    for features in &ordered {
        let posting = features.posting;
        let canonical = canonicals
            .iter()
            .find(|c| c.posting.source != posting.source && compare(c, features) == Decision::Same);
        match canonical {
            Some(c) => {
                wanted.insert(posting.id.clone(), Some(c.posting.id.clone()));
            }
            None => {
                canonicals.push(features);
                wanted.insert(posting.id.clone(), None);
            }
        }
    }
    wanted
}

/// The company name with case, punctuation and legal-form suffixes (`Inc.`, `GmbH`,
/// `S.A.`, ...) removed: `Acme`, `ACME`, `Acme, Inc.` and `Acme GmbH` are `acme`.
pub fn company_key(name: &str) -> String {
    // "G.m.b.H." and "S.A." lose their dots before the word split so they match a suffix.
    let undotted: String = name.chars().filter(|c| *c != '.').collect();
    let mut parts: Vec<String> = undotted
        .split(|c: char| !c.is_alphanumeric() && c != '#' && c != '+')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    while parts.len() > 1
        && parts
            .last()
            .is_some_and(|w| COMPANY_SUFFIXES.contains(&w.as_str()))
    {
        parts.pop();
    }
    parts.concat()
}

const COMPANY_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "srl",
    "spa",
    "pty",
    "kg",
    "se",
    "ug",
    "lp",
    "llp",
    "pte",
];

/// The posting's location texts and parsed city names: what a title qualifier naming a
/// place is checked against.
fn place_texts(posting: &JobPosting) -> Vec<&str> {
    posting
        .locations
        .iter()
        .flat_map(|l| std::iter::once(l.raw.as_str()).chain(l.city.as_deref()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Company, Location, SourceKind, Workplace};

    /// A bare posting of `company` titled `title`, for the rules' tests.
    pub(crate) fn blank(company: &str, title: &str) -> JobPosting {
        JobPosting {
            id: format!("{company}/{title}"),
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
            fetched_at: chrono::DateTime::UNIX_EPOCH,
            fingerprint: String::new(),
            content_hash: String::new(),
            first_seen_at: None,
            last_seen_at: None,
            closed_at: None,
            duplicate_of: None,
        }
    }

    fn located(company: &str, title: &str, city: &str, country: &str, source: &str) -> JobPosting {
        let mut p = blank(company, title);
        p.source = source.into();
        p.id = format!("{source}/{title}/{city}");
        p.locations = vec![Location {
            raw: format!("{city}, {country}"),
            city: Some(city.into()),
            region: None,
            country: Some(country.into()),
        }];
        p
    }

    #[test]
    fn company_aliases_share_one_key() {
        for alias in [
            "Acme",
            "Acme Inc.",
            "ACME",
            "Acme GmbH",
            "Acme, Inc.",
            "acme s.a.",
        ] {
            assert_eq!(company_key(alias), "acme", "{alias}");
        }
        assert_ne!(company_key("Acme Bank"), "acme");
    }

    #[test]
    fn copies_of_one_job_share_a_block_and_are_the_same_job() {
        let a = located("Acme", "Backend Engineer (Go)", "Berlin", "DE", "gh");
        let b = located(
            "ACME GmbH",
            "Backend Engineer - Go",
            "Berlin",
            "DE",
            "lever",
        );
        assert_eq!(block_key(&a), block_key(&b));
        assert_eq!(same_job(&a, &b), Decision::Same);
    }

    #[test]
    fn the_same_title_in_another_city_is_another_job() {
        let a = located("Acme", "Backend Engineer", "Berlin", "DE", "gh");
        let b = located("Acme", "Backend Engineer", "Munich", "DE", "lever");
        assert_eq!(block_key(&a), block_key(&b));
        assert_eq!(same_job(&a, &b), Decision::Different("place"));
    }

    #[test]
    fn weak_title_or_place_evidence_needs_the_descriptions_to_agree() {
        let text = "We build payment rails for small shops across Europe and need someone \
                    to own the ledger service, its Postgres schema and the Go code that \
                    settles every transfer on time, every day, with care and good tests.";
        let mut a = located("Acme", "Backend Engineer (Go)", "Berlin", "DE", "gh");
        let mut b = located("Acme", "Backend Engineer", "Berlin", "DE", "lever");
        assert_eq!(same_job(&a, &b), Decision::Different("not enough evidence"));
        a.description_text = text.into();
        b.description_text = format!("Headquarters: Berlin. {text}");
        assert_eq!(same_job(&a, &b), Decision::Same);
        b.description_text = "Our mobile team ships the iOS and Android apps that millions \
                              of shoppers open every week; you will write Swift and Kotlin, \
                              review designs and run experiments on the checkout flow."
            .into();
        assert_eq!(same_job(&a, &b), Decision::Different("description"));
    }

    #[test]
    fn the_first_seen_copy_is_canonical_and_one_source_never_duplicates_itself() {
        let mut first = located("Acme", "Data Engineer", "Berlin", "DE", "gh");
        first.first_seen_at = Some(chrono::DateTime::UNIX_EPOCH);
        let mut repost = located("Acme", "Data Engineer", "Berlin", "DE", "gh");
        repost.id = "gh/repost".into();
        repost.first_seen_at = Some(chrono::DateTime::UNIX_EPOCH + chrono::Duration::hours(1));
        let mut board = located("Acme", "Data Engineer", "Berlin", "DE", "wwr");
        board.first_seen_at = Some(chrono::DateTime::UNIX_EPOCH + chrono::Duration::hours(2));
        board.workplace = Some(Workplace::Onsite);
        let wanted = assign_canonicals(&[&board, &repost, &first]);
        assert_eq!(wanted[&first.id], None);
        assert_eq!(wanted[&repost.id], None);
        assert_eq!(wanted[&board.id], Some(first.id.clone()));
    }
}
