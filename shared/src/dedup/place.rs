//! Places compared as places: the parsed country, region and city of each location, and a
//! remote job's regions. `Berlin` ⊂ `Berlin, Germany` ⊂ `Germany`; `USA Only` ≈
//! `Remote - US`; `Europe Only` ≈ `Remote (EU)`. A remote-only board (We Work Remotely,
//! RemoteOK, Himalayas, ...) states remote even where its region line names only a country.

use super::Evidence;
use crate::model::{JobPosting, Location, SourceKind, Workplace};
use crate::normalize::location::remote_region;

/// Hosts of boards that list remote jobs only: what they name as a place is where a remote
/// worker may live.
const REMOTE_ONLY_HOSTS: &[&str] = &[
    "weworkremotely.com",
    "remoteok.com",
    "remoteok.io",
    "himalayas.app",
    "nodesk.co",
    "remotive.com",
    "remotive.io",
    "workingnomads.com",
    "justremote.co",
    "jobspresso.co",
];

/// Where a posting's job is, as the comparison reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    /// Whether the job is remote (stated, or listed on a remote-only board).
    pub remote: bool,
    /// The workplace the posting states.
    pub workplace: Option<Workplace>,
    /// Regions a remote job is open to (ISO codes and the macro regions of
    /// `remote_region`); empty when unrestricted or unknown.
    pub regions: Vec<String>,
    /// The places it names (for a remote job: those with a city).
    pub locations: Vec<Location>,
}

impl Places {
    /// Reads a posting's places.
    pub fn of(posting: &JobPosting) -> Places {
        let remote_board = remote_only_board(posting);
        let remote = remote_board || posting.workplace == Some(Workplace::Remote);
        let mut regions = posting.remote_regions.clone();
        let mut locations = Vec::new();
        for location in &posting.locations {
            // A remote job's country-only place (`Germany`, or `USA Only`, which the place
            // parser reads as a city) is where its workers may live.
            let as_region = remote_region(&location.raw)
                .or_else(|| location.city.is_none().then(|| location.country.clone())?);
            if let (true, Some(region)) = (remote, as_region) {
                regions.push(region);
            } else {
                locations.push(location.clone());
            }
        }
        regions.sort();
        regions.dedup();
        Places {
            remote,
            workplace: posting.workplace,
            regions,
            locations,
        }
    }

    /// Whether two postings' places can be one job's: a conflict when they cannot (another
    /// city, country or region), a match when one contains the other, weak when the
    /// postings do not say enough (no place on one side, a remote job against an office
    /// whose workplace is not stated).
    pub fn compare(&self, other: &Places) -> Evidence {
        match (self.remote, other.remote) {
            (true, true) => regions_evidence(&self.regions, &other.regions),
            (false, false) => locations_evidence(&self.locations, &other.locations),
            (true, false) => remote_against_office(self, other),
            (false, true) => remote_against_office(other, self),
        }
    }
}

fn remote_only_board(posting: &JobPosting) -> bool {
    if matches!(
        posting.source_kind,
        SourceKind::RemoteOk | SourceKind::Himalayas
    ) {
        return true;
    }
    url::Url::parse(&posting.url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .is_some_and(|host| {
            REMOTE_ONLY_HOSTS
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        })
}

fn regions_evidence(a: &[String], b: &[String]) -> Evidence {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Evidence::Match,
        (true, false) | (false, true) => Evidence::Weak,
        _ if a.iter().any(|x| b.iter().any(|y| overlaps(x, y))) => Evidence::Match,
        _ => Evidence::Conflict,
    }
}

fn remote_against_office(remote: &Places, office: &Places) -> Evidence {
    if matches!(
        office.workplace,
        Some(Workplace::Onsite) | Some(Workplace::Hybrid)
    ) {
        return Evidence::Conflict;
    }
    let countries: Vec<&str> = office
        .locations
        .iter()
        .filter_map(|l| l.country.as_deref())
        .collect();
    if remote.regions.is_empty() || countries.is_empty() {
        return Evidence::Weak;
    }
    if countries
        .iter()
        .any(|c| remote.regions.iter().any(|r| overlaps(r, c)))
    {
        Evidence::Weak
    } else {
        Evidence::Conflict
    }
}

fn locations_evidence(a: &[Location], b: &[Location]) -> Evidence {
    if a.is_empty() || b.is_empty() {
        return Evidence::Weak;
    }
    let mut best = Evidence::Conflict;
    for x in a {
        for y in b {
            match location_evidence(x, y) {
                Evidence::Match => return Evidence::Match,
                Evidence::Weak => best = Evidence::Weak,
                Evidence::Conflict => {}
            }
        }
    }
    best
}

/// One place against another: any part both state and state differently conflicts; a part
/// both state alike, with nothing conflicting, matches (one place then contains the other).
fn location_evidence(x: &Location, y: &Location) -> Evidence {
    let city = |l: &Location| l.city.as_deref().map(city_key);
    let upper = |v: &Option<String>| v.as_deref().map(str::to_uppercase);
    let parts = [
        (upper(&x.country), upper(&y.country)),
        (upper(&x.region), upper(&y.region)),
        (city(x), city(y)),
    ];
    let mut agreed = false;
    for pair in parts {
        if let (Some(a), Some(b)) = pair {
            if a != b {
                return Evidence::Conflict;
            }
            agreed = true;
        }
    }
    let unparsed = |l: &Location| l.city.is_none() && l.region.is_none() && l.country.is_none();
    if agreed || (unparsed(x) && unparsed(y) && city_key(&x.raw) == city_key(&y.raw)) {
        Evidence::Match
    } else {
        Evidence::Weak
    }
}

/// A city's words, lower case, without a trailing `city` (`New York City` is `New York`).
fn city_key(name: &str) -> String {
    let mut words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() > 1 && words.last().is_some_and(|w| w == "city") {
        words.pop();
    }
    words.join(" ")
}

/// Whether two remote regions (ISO codes or macro regions) share any country.
fn overlaps(a: &str, b: &str) -> bool {
    a == b || contains(a, b) || contains(b, a)
}

fn contains(big: &str, small: &str) -> bool {
    match big {
        "EMEA" => small == "EU" || EUROPE.contains(&small) || MIDDLE_EAST_AFRICA.contains(&small),
        "AMERICAS" => {
            matches!(small, "NORAM" | "LATAM")
                || NORTH_AMERICA.contains(&small)
                || LATIN_AMERICA.contains(&small)
        }
        "EU" => EUROPE.contains(&small),
        "NORAM" => NORTH_AMERICA.contains(&small),
        "LATAM" => LATIN_AMERICA.contains(&small),
        "APAC" => ASIA_PACIFIC.contains(&small),
        _ => false,
    }
}

/// Europe as remote boards mean it (`Europe Only`, `EU`): the EU, the EEA, the UK,
/// Switzerland and the other European countries.
const EUROPE: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "CH", "NO", "IS", "LI",
    "RS", "UA", "BA", "ME", "MK", "AL", "MD", "AD", "MC", "SM", "XK",
];
const MIDDLE_EAST_AFRICA: &[&str] = &[
    "AE", "SA", "IL", "EG", "ZA", "NG", "KE", "MA", "TR", "QA", "JO", "LB", "KW", "BH", "OM", "GH",
    "TN", "DZ", "ET", "RW", "UG", "TZ", "SN", "CI",
];
const NORTH_AMERICA: &[&str] = &["US", "CA", "MX"];
const LATIN_AMERICA: &[&str] = &[
    "MX", "BR", "AR", "CL", "CO", "PE", "UY", "EC", "BO", "PY", "VE", "CR", "PA", "GT", "HN", "SV",
    "NI", "DO", "CU", "PR",
];
const ASIA_PACIFIC: &[&str] = &[
    "AU", "NZ", "JP", "KR", "CN", "IN", "SG", "HK", "TW", "ID", "MY", "PH", "TH", "VN", "PK", "BD",
    "LK",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::RawLocation;
    use crate::normalize::location::parse_location;

    /// The places of a posting at `raw` (as a location text), with a workplace.
    fn at(raw: &str, workplace: Option<Workplace>, url: &str) -> Places {
        let parsed = parse_location(&RawLocation::text(raw));
        let mut posting = super::super::tests::blank("Acme", "Engineer");
        posting.url = url.into();
        posting.source_kind = SourceKind::Greenhouse;
        posting.locations = parsed.locations;
        posting.workplace = parsed.workplace.or(workplace);
        posting.remote_regions = parsed.remote_regions;
        Places::of(&posting)
    }

    fn ats(raw: &str) -> Places {
        at(raw, None, "https://boards.greenhouse.io/acme/jobs/1")
    }

    fn board(raw: &str) -> Places {
        at(raw, None, "https://weworkremotely.com/remote-jobs/acme-1")
    }

    #[test]
    fn a_city_is_within_its_city_and_country_and_that_within_its_country() {
        assert_eq!(
            ats("Berlin").compare(&ats("Berlin, Germany")),
            Evidence::Match
        );
        assert_eq!(
            ats("Berlin, Germany").compare(&ats("Germany")),
            Evidence::Match
        );
        assert_eq!(
            ats("New York, NY").compare(&ats("New York, New York, United States")),
            Evidence::Match
        );
    }

    #[test]
    fn another_city_or_country_conflicts() {
        assert_eq!(
            ats("Berlin, Germany").compare(&ats("Munich, Germany")),
            Evidence::Conflict
        );
        assert_eq!(
            ats("London, UK").compare(&ats("Berlin, Germany")),
            Evidence::Conflict
        );
        assert_eq!(
            ats("Remote - US").compare(&ats("Remote - Canada")),
            Evidence::Conflict
        );
    }

    #[test]
    fn remote_regions_match_across_their_spellings_and_boards() {
        assert_eq!(
            ats("Remote - US").compare(&board("USA Only")),
            Evidence::Match
        );
        assert_eq!(
            ats("Remote (EU)").compare(&board("Europe Only")),
            Evidence::Match
        );
        assert_eq!(
            ats("Remote - Canada").compare(&board("Canada Only")),
            Evidence::Match
        );
        assert_eq!(
            ats("Remote - Germany").compare(&board("Europe Only")),
            Evidence::Match
        );
    }

    #[test]
    fn a_remote_job_against_an_office_is_weak_at_best() {
        assert_eq!(
            board("Germany").compare(&ats("Berlin, Germany")),
            Evidence::Weak
        );
        assert_eq!(
            board("USA Only").compare(&ats("Berlin, Germany")),
            Evidence::Conflict
        );
        let onsite = at(
            "Berlin, Germany",
            Some(Workplace::Onsite),
            "https://boards.greenhouse.io/acme/jobs/1",
        );
        assert_eq!(board("Germany").compare(&onsite), Evidence::Conflict);
    }
}
