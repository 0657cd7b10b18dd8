//! Locations: splitting and parsing (`Remote - US`, `Remote (EU)`, `Berlin, Germany; London,
//! UK`, `San Francisco, CA`), country names and codes to ISO 3166-1 alpha-2, remote regions.
//!
//! Reading rules, in the order they apply:
//! - One raw text can name several places, separated by `;`, `|`, ` / `, ` or ` or a line
//!   break (never inside parentheses, so `Remote (US or Canada)` stays one place). Commas
//!   separate the parts of one place (`San Francisco, CA`).
//! - Workplace words (`Remote`, `Anywhere`, `Hybrid`, `On-site`, ...) set the workplace and
//!   are removed; what is left of a remote place is its region restriction (`Remote - US` →
//!   `US`; a time-zone rule such as `CET ± 2h` is dropped). A place that is nothing but a
//!   workplace word (`Remote`, `Worldwide`) yields no `Location`; a bare country or macro
//!   region beside one (`Remote | USA`) is the remote region. Across places, remote beats hybrid beats on-site (`Miami, FL or Remote` can
//!   be done remotely); within one place, `Hybrid remote` is hybrid.
//! - A place's parts are read from the right: a US state (`CA`, `California`), a Canadian
//!   province (`ON`) or one of a few Indian state codes (`MH`) gives region and country; a
//!   country name or code gives the country, and the part before it the region. Everything
//!   left is the city. `City, XX` therefore reads `XX` as a US state first (the US ATS
//!   convention), so `Berlin, DE` is Delaware; `Georgia` after a city is the US state too.
//!   A lone city (`Miami`) gets no country: there is no city table to guess from.
//! - US state and Canadian province names become their postal codes (`California` → `CA`);
//!   other regions stay as written.
//! - Macro regions without a workplace word (`North America`, `EMEA`) are kept as a
//!   `Location` with only `raw` set.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::extract::RawLocation;
use crate::model::{Location, Workplace};
use crate::normalize::employment::parse_workplace;

/// What one raw location said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedPlaces {
    /// The places (one raw text can name several).
    pub locations: Vec<Location>,
    /// Workplace words found in the text (`Remote`, `Hybrid`).
    pub workplace: Option<Workplace>,
    /// Region restrictions of a remote job (`US`, `EU`, ...).
    pub remote_regions: Vec<String>,
}

/// Parses one raw location (using its structured parts where present). Never panics.
///
/// Structured parts win over the text: the country goes through [`country_code`] (unknown
/// names are dropped), US and Canadian regions become postal codes, a US state code with no
/// country implies the US, and a city that is a workplace word (`Remote`) sets the workplace
/// instead. The text is then only read for workplace words (`Remote - US` with country `US`
/// gives remote region `US`).
pub fn parse_location(raw: &RawLocation) -> ParsedPlaces {
    let text = raw.raw.trim();
    let part = |p: &Option<String>| {
        p.as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    };
    let (city, region, country) = (part(&raw.city), part(&raw.region), part(&raw.country));
    if city.is_none() && region.is_none() && country.is_none() {
        return parse_text(text);
    }
    if city.is_none() && region.is_none() && !text.is_empty() {
        // Only the country is structured (Lever's `country`): the text still names the city
        // and region, and the structured country settles what the text leaves ambiguous
        // (`Berlin, DE` is not Delaware when the source says Germany).
        let code = country.as_deref().and_then(country_code);
        let mut parsed = parse_text(text);
        if let (Some(code), false) = (code, parsed.locations.is_empty()) {
            let single = parsed.locations.len() == 1;
            for location in &mut parsed.locations {
                if single || location.country.is_none() {
                    location.country = Some(code.to_owned());
                }
            }
            return parsed;
        }
    }
    from_parts(text, city, region, country)
}

/// ISO 3166-1 alpha-2 code for a country name or code (`Germany`, `DEU`, `de`, `USA`,
/// `United Kingdom`, `UK` → `GB`). `None` when unknown.
///
/// Knows every ISO 3166-1 country by alpha-2, alpha-3, short, common and official name, plus
/// aliases (`U.S.`, `America`, `Great Britain`, `England`/`Scotland`/`Wales`/`Northern
/// Ireland` → `GB`, `Deutschland`, `Holland`, `Czech Republic`, `South Korea`, `Turkey`,
/// `UAE`, ...). Case, accents and punctuation do not matter.
pub fn country_code(name_or_code: &str) -> Option<&'static str> {
    COUNTRY_INDEX.get(&fold(name_or_code)).copied()
}

/// Normalizes a remote-region restriction (`USA Only` → `US`, `Europe` → `EU`, `Americas`,
/// `EMEA`, a country name → its code). `None` for "anywhere"/"worldwide" or unknown text.
///
/// The vocabulary: ISO 3166-1 alpha-2 codes, and the macro regions `EU` (Europe, European
/// Union, EEA), `EMEA`, `APAC` (Asia, Asia-Pacific), `LATAM` (Latin, South and Central
/// America), `NORAM` (North America; not `NA`, which is Namibia's code) and `AMERICAS`.
/// Words such as `only`, `based`, `residents` or `timezones` are ignored (`US timezones` →
/// `US`); a bare `NA` or `N/A` reads as "not applicable".
pub fn remote_region(text: &str) -> Option<String> {
    const FILLER: &[&str] = &[
        "only",
        "based",
        "residents",
        "resident",
        "citizens",
        "candidates",
        "remote",
        "in",
        "the",
        "within",
        "from",
        "timezone",
        "timezones",
        "time",
        "zone",
        "zones",
        "tz",
        "hours",
        "friendly",
        "ok",
    ];
    let folded = fold(text);
    let key = folded
        .split(' ')
        .filter(|w| !FILLER.contains(w))
        .collect::<Vec<_>>()
        .join(" ");
    if key.is_empty() || is_unrestricted(&key) || matches!(key.as_str(), "na" | "n a" | "none") {
        return None;
    }
    MACRO_REGIONS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(code, _)| (*code).to_owned())
        .or_else(|| country_code(&key).map(str::to_owned))
}

/// Macro regions and the folded names that mean them.
const MACRO_REGIONS: &[(&str, &[&str])] = &[
    (
        "EU",
        &[
            "eu",
            "europe",
            "european union",
            "eea",
            "european economic area",
            "european",
        ],
    ),
    ("EMEA", &["emea", "europe middle east and africa"]),
    ("APAC", &["apac", "asia pacific", "asia", "asiapac"]),
    (
        "LATAM",
        &[
            "latam",
            "latin america",
            "south america",
            "central america",
            "latinoamerica",
        ],
    ),
    ("NORAM", &["noram", "north america", "northern america"]),
    ("AMERICAS", &["americas", "amer"]),
];

/// Whether folded text means "no restriction" (`Anywhere in the World`, `Worldwide`).
fn is_unrestricted(folded: &str) -> bool {
    let core: Vec<&str> = folded
        .split(' ')
        .filter(|w| !matches!(*w, "in" | "the" | "of" | "on"))
        .collect();
    matches!(
        core.join(" ").as_str(),
        "anywhere"
            | "worldwide"
            | "global"
            | "globally"
            | "everywhere"
            | "world"
            | "anywhere world"
            | "globe"
    )
}

fn parse_text(text: &str) -> ParsedPlaces {
    let mut out = ParsedPlaces::default();
    for segment in split_places(text) {
        let (workplace, rest) = take_workplace(segment);
        out.workplace = stronger(out.workplace, workplace);
        if workplace == Some(Workplace::Remote) {
            add_remote_place(&mut out, segment, &rest);
        } else if rest.is_empty() {
            continue;
        } else if workplace.is_none() && is_unrestricted(&fold(&rest)) {
            out.workplace = stronger(out.workplace, Some(Workplace::Remote));
        } else {
            out.locations.push(place(segment, &rest));
        }
    }
    // `Remote | USA`, `Remote; Europe`: a bare country or macro region next to a remote
    // workplace word is where the remote work may happen.
    if out.workplace == Some(Workplace::Remote) {
        for location in &out.locations {
            if location.city.is_some() || location.region.is_some() {
                continue;
            }
            let region = location
                .country
                .clone()
                .or_else(|| remote_region(&location.raw));
            if let Some(region) = region.filter(|r| !out.remote_regions.contains(r)) {
                out.remote_regions.push(region);
            }
        }
    }
    out
}

/// What is left of a remote place is a region restriction, or a place to keep.
fn add_remote_place(out: &mut ParsedPlaces, segment: &str, rest: &str) {
    if rest.is_empty() || is_unrestricted(&fold(rest)) {
        return;
    }
    let regions: Option<Vec<String>> = REGION_LIST.split(rest).map(remote_region).collect();
    match regions {
        Some(regions) if !regions.is_empty() => {
            if let [only] = regions.as_slice()
                && COUNTRY_CODES.contains(only.as_str())
            {
                out.locations.push(Location {
                    raw: segment.to_owned(),
                    country: Some(only.clone()),
                    ..Location::default()
                });
            }
            for region in regions {
                if !out.remote_regions.contains(&region) {
                    out.remote_regions.push(region);
                }
            }
        }
        // Time-zone restrictions (`Remote (CET ± 2h)`) name no place.
        _ if !looks_like_time_zone(rest) => out.locations.push(place(segment, rest)),
        _ => {}
    }
}

fn looks_like_time_zone(text: &str) -> bool {
    const ZONES: &[&str] = &[
        "utc",
        "gmt",
        "cet",
        "cest",
        "eet",
        "wet",
        "est",
        "edt",
        "cst",
        "cdt",
        "mst",
        "mdt",
        "pst",
        "pdt",
        "et",
        "ct",
        "mt",
        "pt",
        "timezone",
        "timezones",
        "tz",
    ];
    text.chars().any(|c| c.is_ascii_digit()) || fold(text).split(' ').any(|w| ZONES.contains(&w))
}

/// A place from its text, or a raw-only `Location` for a macro region (`North America`).
fn place(raw: &str, text: &str) -> Location {
    let mut location = Location {
        raw: raw.to_owned(),
        ..Location::default()
    };
    let is_macro = remote_region(text).is_some_and(|r| !COUNTRY_CODES.contains(r.as_str()));
    if !is_macro {
        let (city, region, country) = parse_parts(text);
        location.city = city;
        location.region = region;
        location.country = country.map(str::to_owned);
    }
    location
}

/// City, region and country of one place's comma-separated parts, read from the right.
fn parse_parts(text: &str) -> (Option<String>, Option<String>, Option<&'static str>) {
    let mut parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut region = None;
    let mut country = None;
    if let [only] = parts.as_slice() {
        if let Some(code) = country_code(only) {
            return (None, None, Some(code));
        }
        // A lone two-letter code was not a country, and is too ambiguous to be a state.
        if let Some((code, state_country)) = state(only, None, false) {
            // `New York` alone usually means the city, which is in the state of that name.
            let city = (code == "NY").then(|| (*only).to_owned());
            return (city, Some(code.to_owned()), Some(state_country));
        }
        return (Some((*only).to_owned()), None, None);
    }
    if let Some(last) = parts.pop() {
        if let Some((code, state_country)) = state(last, None, true) {
            region = Some(code.to_owned());
            country = Some(state_country);
        } else if let Some(code) = INDIAN_STATE_CODES.iter().find(|c| **c == last) {
            region = Some((*code).to_owned());
            country = Some("IN");
        } else if let Some(code) = country_code(last) {
            country = Some(code);
            if parts.len() >= 2 {
                region = parts
                    .pop()
                    .map(|r| state(r, Some(code), true).map_or(r, |(c, _)| c).to_owned());
            }
        } else {
            region = Some(last.to_owned());
        }
    }
    let city = (!parts.is_empty()).then(|| parts.join(", "));
    (city, region, country)
}

/// A US state or Canadian province by name (or, with `codes`, by postal code): its code and
/// country. With `country` given, only that country's regions are considered.
fn state(text: &str, country: Option<&str>, codes: bool) -> Option<(&'static str, &'static str)> {
    let folded = fold(text);
    STATES
        .iter()
        .filter(|(_, in_country, _)| country.is_none_or(|c| c == *in_country))
        .find(|(code, _, name)| {
            (codes && code.eq_ignore_ascii_case(&folded)) || fold(name) == folded
        })
        .map(|(code, in_country, _)| (*code, *in_country))
}

fn from_parts(
    text: &str,
    city: Option<String>,
    region: Option<String>,
    country: Option<String>,
) -> ParsedPlaces {
    let mut out = ParsedPlaces::default();
    let (workplace, _) = take_workplace(text);
    out.workplace = workplace;
    // JSON-LD sometimes puts `Remote` where the city belongs.
    let city = city.filter(|c| match take_workplace(c) {
        (Some(w), rest) if rest.is_empty() => {
            out.workplace = stronger(out.workplace, Some(w));
            false
        }
        _ => true,
    });
    let mut country = country.as_deref().and_then(country_code);
    let region = region.map(|r| match state(&r, country, true) {
        Some((code, state_country)) => {
            country = Some(state_country);
            code.to_owned()
        }
        None => r,
    });
    if city.is_none() && region.is_none() && country.is_none() {
        return out;
    }
    if out.workplace == Some(Workplace::Remote)
        && let Some(code) = country
    {
        out.remote_regions.push(code.to_owned());
    }
    let raw = if text.is_empty() {
        [city.as_deref(), region.as_deref(), country]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        text.to_owned()
    };
    out.locations.push(Location {
        raw,
        city,
        region,
        country: country.map(str::to_owned),
    });
    out
}

/// The stronger of two workplace findings: remote, then hybrid, then on-site.
fn stronger(a: Option<Workplace>, b: Option<Workplace>) -> Option<Workplace> {
    let rank = |w: Option<Workplace>| match w {
        Some(Workplace::Remote) => 3,
        Some(Workplace::Hybrid) => 2,
        Some(Workplace::Onsite) => 1,
        None => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

static WORKPLACE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:fully|100%)\s+remote|remote|anywhere|worldwide|work\s+from\s+home|wfh|telecommute|hybrid|on[-\s]?site|in[-\s]office)(?-u:\b)",
    )
    .expect("static regex is valid")
});

/// Separators inside one remote restriction (`US or Canada`, `US/Canada`, `UK & EU`).
static REGION_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s+(?:or|and)\s+|\s*[/&,+]\s*").expect("static regex is valid")
});

/// The segment's workplace (hybrid beats remote beats on-site within one phrase) and the
/// text left once workplace words and filler (`only`, `based`, `in`) are removed.
fn take_workplace(segment: &str) -> (Option<Workplace>, String) {
    const FILLER: &[&str] = &[
        "fully", "100%", "only", "based", "in", "from", "within", "first",
    ];
    let mut workplace = None;
    for found in WORKPLACE_WORDS.find_iter(segment) {
        let this = parse_workplace(found.as_str());
        workplace = match (workplace, this) {
            (Some(Workplace::Hybrid), _) | (_, Some(Workplace::Hybrid)) => Some(Workplace::Hybrid),
            (Some(Workplace::Remote), _) | (_, Some(Workplace::Remote)) => Some(Workplace::Remote),
            (current, new) => current.or(new),
        };
    }
    if workplace.is_none() {
        return (None, segment.trim().to_owned());
    }
    let removed = WORKPLACE_WORDS.replace_all(segment, " ");
    let kept: Vec<&str> = removed
        .split_whitespace()
        .filter(|word| {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '%');
            !bare.is_empty() && !FILLER.contains(&bare.to_lowercase().as_str())
        })
        .collect();
    let rest = kept
        .join(" ")
        .trim_matches(|c: char| c.is_whitespace() || "-–—:,;/()[]|".contains(c))
        .to_owned();
    (workplace, rest)
}

/// Splits one raw text into places on `;`, `|`, ` / `, ` or ` and line breaks, outside
/// parentheses.
fn split_places(text: &str) -> Vec<&str> {
    let mut places = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut skip_until = 0;
    for (i, c) in text.char_indices() {
        if i < skip_until {
            continue;
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 0 {
            continue;
        }
        let rest = text.get(i..).unwrap_or("");
        let separator_len = if matches!(c, ';' | '|' | '\n') {
            c.len_utf8()
        } else if rest.starts_with(" / ") {
            3
        } else if rest
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case(" or "))
        {
            4
        } else {
            0
        };
        if separator_len > 0 {
            places.push(text.get(start..i).unwrap_or(""));
            start = i + separator_len;
            skip_until = start;
        }
    }
    places.push(text.get(start..).unwrap_or(""));
    places
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Lower-case, accent-free, punctuation-free form for comparing names: `U.S.` → `us`,
/// `Côte d'Ivoire` → `cote divoire`, `Bosnia & Herzegovina` → `bosnia and herzegovina`.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            '.' | '\'' | '’' => {}
            '&' => out.push_str(" and "),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() => out.push(unaccent(c)),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The letter without its accent (Latin letters); any other character as it is.
pub(crate) fn unaccent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'ō' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

static COUNTRY_INDEX: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut index = HashMap::new();
    for (alpha2, alpha3, names) in COUNTRIES {
        index.insert(fold(alpha2), *alpha2);
        index.insert(fold(alpha3), *alpha2);
        for name in *names {
            index.insert(fold(name), *alpha2);
        }
    }
    for (alias, alpha2) in COUNTRY_ALIASES {
        index.insert(fold(alias), *alpha2);
    }
    index
});

static COUNTRY_CODES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COUNTRIES.iter().map(|(alpha2, _, _)| *alpha2).collect());

/// Names people use besides the ISO ones: informal, native-language and former names.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("U.S.", "US"),
    ("U.S.A.", "US"),
    ("America", "US"),
    ("United States of America", "US"),
    ("Estados Unidos", "US"),
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("Northern Ireland", "GB"),
    ("Deutschland", "DE"),
    ("Holland", "NL"),
    ("The Netherlands", "NL"),
    ("Nederland", "NL"),
    ("Czech Republic", "CZ"),
    ("Česko", "CZ"),
    ("South Korea", "KR"),
    ("Korea", "KR"),
    ("Republic of Korea", "KR"),
    ("North Korea", "KP"),
    ("Turkey", "TR"),
    ("Türkiye", "TR"),
    ("Russia", "RU"),
    ("Vietnam", "VN"),
    ("Laos", "LA"),
    ("Syria", "SY"),
    ("Iran", "IR"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Moldova", "MD"),
    ("Taiwan", "TW"),
    ("Mainland China", "CN"),
    ("PRC", "CN"),
    ("Hong Kong SAR", "HK"),
    ("Macau", "MO"),
    ("Schweiz", "CH"),
    ("Suisse", "CH"),
    ("Svizzera", "CH"),
    ("Österreich", "AT"),
    ("España", "ES"),
    ("México", "MX"),
    ("Brasil", "BR"),
    ("Italia", "IT"),
    ("Polska", "PL"),
    ("Sverige", "SE"),
    ("Norge", "NO"),
    ("Danmark", "DK"),
    ("Suomi", "FI"),
    ("Éire", "IE"),
    ("Republic of Ireland", "IE"),
    ("UAE", "AE"),
    ("Emirates", "AE"),
    ("Ivory Coast", "CI"),
    ("DRC", "CD"),
    ("DR Congo", "CD"),
    ("Democratic Republic of the Congo", "CD"),
    ("Republic of the Congo", "CG"),
    ("Macedonia", "MK"),
    ("Swaziland", "SZ"),
    ("Cape Verde", "CV"),
    ("Burma", "MM"),
    ("Palestine", "PS"),
    ("Vatican", "VA"),
    ("Vatican City", "VA"),
    ("Brunei", "BN"),
    ("Micronesia", "FM"),
    ("East Timor", "TL"),
    ("Bosnia", "BA"),
    ("Bosnia and Herzegovina", "BA"),
    ("Saint Kitts and Nevis", "KN"),
    ("St. Lucia", "LC"),
];

/// US states (with DC), Canadian provinces and territories: postal code, country, name.
const STATES: &[(&str, &str, &str)] = &[
    ("AL", "US", "Alabama"),
    ("AK", "US", "Alaska"),
    ("AZ", "US", "Arizona"),
    ("AR", "US", "Arkansas"),
    ("CA", "US", "California"),
    ("CO", "US", "Colorado"),
    ("CT", "US", "Connecticut"),
    ("DE", "US", "Delaware"),
    ("DC", "US", "District of Columbia"),
    ("FL", "US", "Florida"),
    ("GA", "US", "Georgia"),
    ("HI", "US", "Hawaii"),
    ("ID", "US", "Idaho"),
    ("IL", "US", "Illinois"),
    ("IN", "US", "Indiana"),
    ("IA", "US", "Iowa"),
    ("KS", "US", "Kansas"),
    ("KY", "US", "Kentucky"),
    ("LA", "US", "Louisiana"),
    ("ME", "US", "Maine"),
    ("MD", "US", "Maryland"),
    ("MA", "US", "Massachusetts"),
    ("MI", "US", "Michigan"),
    ("MN", "US", "Minnesota"),
    ("MS", "US", "Mississippi"),
    ("MO", "US", "Missouri"),
    ("MT", "US", "Montana"),
    ("NE", "US", "Nebraska"),
    ("NV", "US", "Nevada"),
    ("NH", "US", "New Hampshire"),
    ("NJ", "US", "New Jersey"),
    ("NM", "US", "New Mexico"),
    ("NY", "US", "New York"),
    ("NC", "US", "North Carolina"),
    ("ND", "US", "North Dakota"),
    ("OH", "US", "Ohio"),
    ("OK", "US", "Oklahoma"),
    ("OR", "US", "Oregon"),
    ("PA", "US", "Pennsylvania"),
    ("RI", "US", "Rhode Island"),
    ("SC", "US", "South Carolina"),
    ("SD", "US", "South Dakota"),
    ("TN", "US", "Tennessee"),
    ("TX", "US", "Texas"),
    ("UT", "US", "Utah"),
    ("VT", "US", "Vermont"),
    ("VA", "US", "Virginia"),
    ("WA", "US", "Washington"),
    ("WV", "US", "West Virginia"),
    ("WI", "US", "Wisconsin"),
    ("WY", "US", "Wyoming"),
    ("AB", "CA", "Alberta"),
    ("BC", "CA", "British Columbia"),
    ("MB", "CA", "Manitoba"),
    ("NB", "CA", "New Brunswick"),
    ("NL", "CA", "Newfoundland and Labrador"),
    ("NS", "CA", "Nova Scotia"),
    ("NT", "CA", "Northwest Territories"),
    ("NU", "CA", "Nunavut"),
    ("ON", "CA", "Ontario"),
    ("PE", "CA", "Prince Edward Island"),
    ("QC", "CA", "Quebec"),
    ("SK", "CA", "Saskatchewan"),
    ("YT", "CA", "Yukon"),
];

/// Indian state codes ATSs write after a city (`Bombay, MH`); `MH` would otherwise read as the
/// Marshall Islands. Only codes that are no US state are listed.
const INDIAN_STATE_CODES: &[&str] = &["MH", "KA", "DL", "TS", "WB", "GJ", "KL", "RJ", "UP"];

/// Every ISO 3166-1 country: alpha-2, alpha-3 and its names (short, common and official).
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("AD", "AND", &["Andorra", "Principality of Andorra"]),
    ("AE", "ARE", &["United Arab Emirates"]),
    (
        "AF",
        "AFG",
        &["Afghanistan", "Islamic Republic of Afghanistan"],
    ),
    ("AG", "ATG", &["Antigua and Barbuda"]),
    ("AI", "AIA", &["Anguilla"]),
    ("AL", "ALB", &["Albania", "Republic of Albania"]),
    ("AM", "ARM", &["Armenia", "Republic of Armenia"]),
    ("AO", "AGO", &["Angola", "Republic of Angola"]),
    ("AQ", "ATA", &["Antarctica"]),
    ("AR", "ARG", &["Argentina", "Argentine Republic"]),
    ("AS", "ASM", &["American Samoa"]),
    ("AT", "AUT", &["Austria", "Republic of Austria"]),
    ("AU", "AUS", &["Australia"]),
    ("AW", "ABW", &["Aruba"]),
    ("AX", "ALA", &["Åland Islands"]),
    ("AZ", "AZE", &["Azerbaijan", "Republic of Azerbaijan"]),
    (
        "BA",
        "BIH",
        &[
            "Bosnia and Herzegovina",
            "Republic of Bosnia and Herzegovina",
        ],
    ),
    ("BB", "BRB", &["Barbados"]),
    (
        "BD",
        "BGD",
        &["Bangladesh", "People's Republic of Bangladesh"],
    ),
    ("BE", "BEL", &["Belgium", "Kingdom of Belgium"]),
    ("BF", "BFA", &["Burkina Faso"]),
    ("BG", "BGR", &["Bulgaria", "Republic of Bulgaria"]),
    ("BH", "BHR", &["Bahrain", "Kingdom of Bahrain"]),
    ("BI", "BDI", &["Burundi", "Republic of Burundi"]),
    ("BJ", "BEN", &["Benin", "Republic of Benin"]),
    ("BL", "BLM", &["Saint Barthélemy"]),
    ("BM", "BMU", &["Bermuda"]),
    ("BN", "BRN", &["Brunei Darussalam"]),
    (
        "BO",
        "BOL",
        &[
            "Bolivia",
            "Bolivia, Plurinational State of",
            "Plurinational State of Bolivia",
        ],
    ),
    ("BQ", "BES", &["Bonaire, Sint Eustatius and Saba"]),
    ("BR", "BRA", &["Brazil", "Federative Republic of Brazil"]),
    ("BS", "BHS", &["Bahamas", "Commonwealth of the Bahamas"]),
    ("BT", "BTN", &["Bhutan", "Kingdom of Bhutan"]),
    ("BV", "BVT", &["Bouvet Island"]),
    ("BW", "BWA", &["Botswana", "Republic of Botswana"]),
    ("BY", "BLR", &["Belarus", "Republic of Belarus"]),
    ("BZ", "BLZ", &["Belize"]),
    ("CA", "CAN", &["Canada"]),
    ("CC", "CCK", &["Cocos (Keeling) Islands"]),
    ("CD", "COD", &["Congo, The Democratic Republic of the"]),
    ("CF", "CAF", &["Central African Republic"]),
    ("CG", "COG", &["Congo", "Republic of the Congo"]),
    ("CH", "CHE", &["Switzerland", "Swiss Confederation"]),
    ("CI", "CIV", &["Côte d'Ivoire", "Republic of Côte d'Ivoire"]),
    ("CK", "COK", &["Cook Islands"]),
    ("CL", "CHL", &["Chile", "Republic of Chile"]),
    ("CM", "CMR", &["Cameroon", "Republic of Cameroon"]),
    ("CN", "CHN", &["China", "People's Republic of China"]),
    ("CO", "COL", &["Colombia", "Republic of Colombia"]),
    ("CR", "CRI", &["Costa Rica", "Republic of Costa Rica"]),
    ("CU", "CUB", &["Cuba", "Republic of Cuba"]),
    ("CV", "CPV", &["Cabo Verde", "Republic of Cabo Verde"]),
    ("CW", "CUW", &["Curaçao"]),
    ("CX", "CXR", &["Christmas Island"]),
    ("CY", "CYP", &["Cyprus", "Republic of Cyprus"]),
    ("CZ", "CZE", &["Czechia", "Czech Republic"]),
    ("DE", "DEU", &["Germany", "Federal Republic of Germany"]),
    ("DJ", "DJI", &["Djibouti", "Republic of Djibouti"]),
    ("DK", "DNK", &["Denmark", "Kingdom of Denmark"]),
    ("DM", "DMA", &["Dominica", "Commonwealth of Dominica"]),
    ("DO", "DOM", &["Dominican Republic"]),
    (
        "DZ",
        "DZA",
        &["Algeria", "People's Democratic Republic of Algeria"],
    ),
    ("EC", "ECU", &["Ecuador", "Republic of Ecuador"]),
    ("EE", "EST", &["Estonia", "Republic of Estonia"]),
    ("EG", "EGY", &["Egypt", "Arab Republic of Egypt"]),
    ("EH", "ESH", &["Western Sahara"]),
    ("ER", "ERI", &["Eritrea", "the State of Eritrea"]),
    ("ES", "ESP", &["Spain", "Kingdom of Spain"]),
    (
        "ET",
        "ETH",
        &["Ethiopia", "Federal Democratic Republic of Ethiopia"],
    ),
    ("FI", "FIN", &["Finland", "Republic of Finland"]),
    ("FJ", "FJI", &["Fiji", "Republic of Fiji"]),
    ("FK", "FLK", &["Falkland Islands (Malvinas)"]),
    (
        "FM",
        "FSM",
        &[
            "Micronesia, Federated States of",
            "Federated States of Micronesia",
        ],
    ),
    ("FO", "FRO", &["Faroe Islands"]),
    ("FR", "FRA", &["France", "French Republic"]),
    ("GA", "GAB", &["Gabon", "Gabonese Republic"]),
    (
        "GB",
        "GBR",
        &[
            "United Kingdom",
            "United Kingdom of Great Britain and Northern Ireland",
        ],
    ),
    ("GD", "GRD", &["Grenada"]),
    ("GE", "GEO", &["Georgia"]),
    ("GF", "GUF", &["French Guiana"]),
    ("GG", "GGY", &["Guernsey"]),
    ("GH", "GHA", &["Ghana", "Republic of Ghana"]),
    ("GI", "GIB", &["Gibraltar"]),
    ("GL", "GRL", &["Greenland"]),
    ("GM", "GMB", &["Gambia", "Republic of the Gambia"]),
    ("GN", "GIN", &["Guinea", "Republic of Guinea"]),
    ("GP", "GLP", &["Guadeloupe"]),
    (
        "GQ",
        "GNQ",
        &["Equatorial Guinea", "Republic of Equatorial Guinea"],
    ),
    ("GR", "GRC", &["Greece", "Hellenic Republic"]),
    (
        "GS",
        "SGS",
        &["South Georgia and the South Sandwich Islands"],
    ),
    ("GT", "GTM", &["Guatemala", "Republic of Guatemala"]),
    ("GU", "GUM", &["Guam"]),
    ("GW", "GNB", &["Guinea-Bissau", "Republic of Guinea-Bissau"]),
    ("GY", "GUY", &["Guyana", "Republic of Guyana"]),
    (
        "HK",
        "HKG",
        &[
            "Hong Kong",
            "Hong Kong Special Administrative Region of China",
        ],
    ),
    ("HM", "HMD", &["Heard Island and McDonald Islands"]),
    ("HN", "HND", &["Honduras", "Republic of Honduras"]),
    ("HR", "HRV", &["Croatia", "Republic of Croatia"]),
    ("HT", "HTI", &["Haiti", "Republic of Haiti"]),
    ("HU", "HUN", &["Hungary"]),
    ("ID", "IDN", &["Indonesia", "Republic of Indonesia"]),
    ("IE", "IRL", &["Ireland"]),
    ("IL", "ISR", &["Israel", "State of Israel"]),
    ("IM", "IMN", &["Isle of Man"]),
    ("IN", "IND", &["India", "Republic of India"]),
    ("IO", "IOT", &["British Indian Ocean Territory"]),
    ("IQ", "IRQ", &["Iraq", "Republic of Iraq"]),
    (
        "IR",
        "IRN",
        &[
            "Iran",
            "Iran, Islamic Republic of",
            "Islamic Republic of Iran",
        ],
    ),
    ("IS", "ISL", &["Iceland", "Republic of Iceland"]),
    ("IT", "ITA", &["Italy", "Italian Republic"]),
    ("JE", "JEY", &["Jersey"]),
    ("JM", "JAM", &["Jamaica"]),
    ("JO", "JOR", &["Jordan", "Hashemite Kingdom of Jordan"]),
    ("JP", "JPN", &["Japan"]),
    ("KE", "KEN", &["Kenya", "Republic of Kenya"]),
    ("KG", "KGZ", &["Kyrgyzstan", "Kyrgyz Republic"]),
    ("KH", "KHM", &["Cambodia", "Kingdom of Cambodia"]),
    ("KI", "KIR", &["Kiribati", "Republic of Kiribati"]),
    ("KM", "COM", &["Comoros", "Union of the Comoros"]),
    ("KN", "KNA", &["Saint Kitts and Nevis"]),
    (
        "KP",
        "PRK",
        &[
            "North Korea",
            "Korea, Democratic People's Republic of",
            "Democratic People's Republic of Korea",
        ],
    ),
    ("KR", "KOR", &["South Korea", "Korea, Republic of"]),
    ("KW", "KWT", &["Kuwait", "State of Kuwait"]),
    ("KY", "CYM", &["Cayman Islands"]),
    ("KZ", "KAZ", &["Kazakhstan", "Republic of Kazakhstan"]),
    ("LA", "LAO", &["Laos", "Lao People's Democratic Republic"]),
    ("LB", "LBN", &["Lebanon", "Lebanese Republic"]),
    ("LC", "LCA", &["Saint Lucia"]),
    (
        "LI",
        "LIE",
        &["Liechtenstein", "Principality of Liechtenstein"],
    ),
    (
        "LK",
        "LKA",
        &["Sri Lanka", "Democratic Socialist Republic of Sri Lanka"],
    ),
    ("LR", "LBR", &["Liberia", "Republic of Liberia"]),
    ("LS", "LSO", &["Lesotho", "Kingdom of Lesotho"]),
    ("LT", "LTU", &["Lithuania", "Republic of Lithuania"]),
    ("LU", "LUX", &["Luxembourg", "Grand Duchy of Luxembourg"]),
    ("LV", "LVA", &["Latvia", "Republic of Latvia"]),
    ("LY", "LBY", &["Libya"]),
    ("MA", "MAR", &["Morocco", "Kingdom of Morocco"]),
    ("MC", "MCO", &["Monaco", "Principality of Monaco"]),
    (
        "MD",
        "MDA",
        &["Moldova", "Moldova, Republic of", "Republic of Moldova"],
    ),
    ("ME", "MNE", &["Montenegro"]),
    ("MF", "MAF", &["Saint Martin (French part)"]),
    ("MG", "MDG", &["Madagascar", "Republic of Madagascar"]),
    (
        "MH",
        "MHL",
        &["Marshall Islands", "Republic of the Marshall Islands"],
    ),
    (
        "MK",
        "MKD",
        &["North Macedonia", "Republic of North Macedonia"],
    ),
    ("ML", "MLI", &["Mali", "Republic of Mali"]),
    ("MM", "MMR", &["Myanmar", "Republic of Myanmar"]),
    ("MN", "MNG", &["Mongolia"]),
    (
        "MO",
        "MAC",
        &["Macao", "Macao Special Administrative Region of China"],
    ),
    (
        "MP",
        "MNP",
        &[
            "Northern Mariana Islands",
            "Commonwealth of the Northern Mariana Islands",
        ],
    ),
    ("MQ", "MTQ", &["Martinique"]),
    (
        "MR",
        "MRT",
        &["Mauritania", "Islamic Republic of Mauritania"],
    ),
    ("MS", "MSR", &["Montserrat"]),
    ("MT", "MLT", &["Malta", "Republic of Malta"]),
    ("MU", "MUS", &["Mauritius", "Republic of Mauritius"]),
    ("MV", "MDV", &["Maldives", "Republic of Maldives"]),
    ("MW", "MWI", &["Malawi", "Republic of Malawi"]),
    ("MX", "MEX", &["Mexico", "United Mexican States"]),
    ("MY", "MYS", &["Malaysia"]),
    ("MZ", "MOZ", &["Mozambique", "Republic of Mozambique"]),
    ("NA", "NAM", &["Namibia", "Republic of Namibia"]),
    ("NC", "NCL", &["New Caledonia"]),
    ("NE", "NER", &["Niger", "Republic of the Niger"]),
    ("NF", "NFK", &["Norfolk Island"]),
    ("NG", "NGA", &["Nigeria", "Federal Republic of Nigeria"]),
    ("NI", "NIC", &["Nicaragua", "Republic of Nicaragua"]),
    ("NL", "NLD", &["Netherlands", "Kingdom of the Netherlands"]),
    ("NO", "NOR", &["Norway", "Kingdom of Norway"]),
    (
        "NP",
        "NPL",
        &["Nepal", "Federal Democratic Republic of Nepal"],
    ),
    ("NR", "NRU", &["Nauru", "Republic of Nauru"]),
    ("NU", "NIU", &["Niue"]),
    ("NZ", "NZL", &["New Zealand"]),
    ("OM", "OMN", &["Oman", "Sultanate of Oman"]),
    ("PA", "PAN", &["Panama", "Republic of Panama"]),
    ("PE", "PER", &["Peru", "Republic of Peru"]),
    ("PF", "PYF", &["French Polynesia"]),
    (
        "PG",
        "PNG",
        &["Papua New Guinea", "Independent State of Papua New Guinea"],
    ),
    ("PH", "PHL", &["Philippines", "Republic of the Philippines"]),
    ("PK", "PAK", &["Pakistan", "Islamic Republic of Pakistan"]),
    ("PL", "POL", &["Poland", "Republic of Poland"]),
    ("PM", "SPM", &["Saint Pierre and Miquelon"]),
    ("PN", "PCN", &["Pitcairn"]),
    ("PR", "PRI", &["Puerto Rico"]),
    (
        "PS",
        "PSE",
        &["Palestine, State of", "the State of Palestine"],
    ),
    ("PT", "PRT", &["Portugal", "Portuguese Republic"]),
    ("PW", "PLW", &["Palau", "Republic of Palau"]),
    ("PY", "PRY", &["Paraguay", "Republic of Paraguay"]),
    ("QA", "QAT", &["Qatar", "State of Qatar"]),
    ("RE", "REU", &["Réunion"]),
    ("RO", "ROU", &["Romania"]),
    ("RS", "SRB", &["Serbia", "Republic of Serbia"]),
    ("RU", "RUS", &["Russian Federation"]),
    ("RW", "RWA", &["Rwanda", "Rwandese Republic"]),
    ("SA", "SAU", &["Saudi Arabia", "Kingdom of Saudi Arabia"]),
    ("SB", "SLB", &["Solomon Islands"]),
    ("SC", "SYC", &["Seychelles", "Republic of Seychelles"]),
    ("SD", "SDN", &["Sudan", "Republic of the Sudan"]),
    ("SE", "SWE", &["Sweden", "Kingdom of Sweden"]),
    ("SG", "SGP", &["Singapore", "Republic of Singapore"]),
    (
        "SH",
        "SHN",
        &["Saint Helena, Ascension and Tristan da Cunha"],
    ),
    ("SI", "SVN", &["Slovenia", "Republic of Slovenia"]),
    ("SJ", "SJM", &["Svalbard and Jan Mayen"]),
    ("SK", "SVK", &["Slovakia", "Slovak Republic"]),
    ("SL", "SLE", &["Sierra Leone", "Republic of Sierra Leone"]),
    ("SM", "SMR", &["San Marino", "Republic of San Marino"]),
    ("SN", "SEN", &["Senegal", "Republic of Senegal"]),
    ("SO", "SOM", &["Somalia", "Federal Republic of Somalia"]),
    ("SR", "SUR", &["Suriname", "Republic of Suriname"]),
    ("SS", "SSD", &["South Sudan", "Republic of South Sudan"]),
    (
        "ST",
        "STP",
        &[
            "Sao Tome and Principe",
            "Democratic Republic of Sao Tome and Principe",
        ],
    ),
    ("SV", "SLV", &["El Salvador", "Republic of El Salvador"]),
    ("SX", "SXM", &["Sint Maarten (Dutch part)"]),
    ("SY", "SYR", &["Syria", "Syrian Arab Republic"]),
    ("SZ", "SWZ", &["Eswatini", "Kingdom of Eswatini"]),
    ("TC", "TCA", &["Turks and Caicos Islands"]),
    ("TD", "TCD", &["Chad", "Republic of Chad"]),
    ("TF", "ATF", &["French Southern Territories"]),
    ("TG", "TGO", &["Togo", "Togolese Republic"]),
    ("TH", "THA", &["Thailand", "Kingdom of Thailand"]),
    ("TJ", "TJK", &["Tajikistan", "Republic of Tajikistan"]),
    ("TK", "TKL", &["Tokelau"]),
    (
        "TL",
        "TLS",
        &["Timor-Leste", "Democratic Republic of Timor-Leste"],
    ),
    ("TM", "TKM", &["Turkmenistan"]),
    ("TN", "TUN", &["Tunisia", "Republic of Tunisia"]),
    ("TO", "TON", &["Tonga", "Kingdom of Tonga"]),
    ("TR", "TUR", &["Türkiye", "Republic of Türkiye"]),
    (
        "TT",
        "TTO",
        &["Trinidad and Tobago", "Republic of Trinidad and Tobago"],
    ),
    ("TV", "TUV", &["Tuvalu"]),
    ("TW", "TWN", &["Taiwan", "Taiwan, Province of China"]),
    (
        "TZ",
        "TZA",
        &[
            "Tanzania",
            "Tanzania, United Republic of",
            "United Republic of Tanzania",
        ],
    ),
    ("UA", "UKR", &["Ukraine"]),
    ("UG", "UGA", &["Uganda", "Republic of Uganda"]),
    ("UM", "UMI", &["United States Minor Outlying Islands"]),
    ("US", "USA", &["United States", "United States of America"]),
    ("UY", "URY", &["Uruguay", "Eastern Republic of Uruguay"]),
    ("UZ", "UZB", &["Uzbekistan", "Republic of Uzbekistan"]),
    ("VA", "VAT", &["Holy See (Vatican City State)"]),
    ("VC", "VCT", &["Saint Vincent and the Grenadines"]),
    (
        "VE",
        "VEN",
        &[
            "Venezuela",
            "Venezuela, Bolivarian Republic of",
            "Bolivarian Republic of Venezuela",
        ],
    ),
    (
        "VG",
        "VGB",
        &["Virgin Islands, British", "British Virgin Islands"],
    ),
    (
        "VI",
        "VIR",
        &[
            "Virgin Islands, U.S.",
            "Virgin Islands of the United States",
        ],
    ),
    (
        "VN",
        "VNM",
        &["Vietnam", "Viet Nam", "Socialist Republic of Viet Nam"],
    ),
    ("VU", "VUT", &["Vanuatu", "Republic of Vanuatu"]),
    ("WF", "WLF", &["Wallis and Futuna"]),
    ("WS", "WSM", &["Samoa", "Independent State of Samoa"]),
    ("YE", "YEM", &["Yemen", "Republic of Yemen"]),
    ("YT", "MYT", &["Mayotte"]),
    ("ZA", "ZAF", &["South Africa", "Republic of South Africa"]),
    ("ZM", "ZMB", &["Zambia", "Republic of Zambia"]),
    ("ZW", "ZWE", &["Zimbabwe", "Republic of Zimbabwe"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anywhere_in_the_world_is_unrestricted_remote_work_with_no_place() {
        for text in [
            "Anywhere in the World",
            "Remote - Anywhere in the world",
            "the World",
        ] {
            let parsed = parse_location(&RawLocation::text(text));
            assert_eq!(parsed.workplace, Some(Workplace::Remote), "{text}");
            assert!(
                parsed.locations.is_empty(),
                "{text}: {:?}",
                parsed.locations
            );
            assert!(parsed.remote_regions.is_empty(), "{text}");
        }
    }

    #[test]
    fn a_structured_country_alone_still_lets_the_text_name_city_and_region() {
        let lever = RawLocation {
            raw: "Arlington, TX".into(),
            country: Some("US".into()),
            ..RawLocation::default()
        };
        let parsed = parse_location(&lever);
        assert_eq!(parsed.locations.len(), 1);
        let place = &parsed.locations[0];
        assert_eq!(place.city.as_deref(), Some("Arlington"));
        assert_eq!(place.region.as_deref(), Some("TX"));
        assert_eq!(place.country.as_deref(), Some("US"));

        let berlin = RawLocation {
            raw: "Berlin, DE".into(),
            country: Some("Germany".into()),
            ..RawLocation::default()
        };
        let parsed = parse_location(&berlin);
        assert_eq!(parsed.locations[0].city.as_deref(), Some("Berlin"));
        assert_eq!(parsed.locations[0].country.as_deref(), Some("DE"));

        let remote = RawLocation {
            raw: "Remote".into(),
            country: Some("US".into()),
            ..RawLocation::default()
        };
        let parsed = parse_location(&remote);
        assert_eq!(parsed.workplace, Some(Workplace::Remote));
        assert_eq!(parsed.remote_regions, vec!["US".to_owned()]);
    }
    use proptest::prelude::*;

    fn text(raw: &str) -> ParsedPlaces {
        parse_location(&RawLocation::text(raw))
    }

    fn loc(raw: &str, city: Option<&str>, region: Option<&str>, country: Option<&str>) -> Location {
        Location {
            raw: raw.to_owned(),
            city: city.map(str::to_owned),
            region: region.map(str::to_owned),
            country: country.map(str::to_owned),
        }
    }

    fn places(
        locations: Vec<Location>,
        workplace: Option<Workplace>,
        regions: &[&str],
    ) -> ParsedPlaces {
        ParsedPlaces {
            locations,
            workplace,
            remote_regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn pure_remote_and_unrestricted_words_set_remote_without_a_place() {
        for raw in [
            "Remote",
            "Anywhere",
            "Worldwide",
            "Fully Remote",
            "Remote - Anywhere",
            "Global",
        ] {
            assert_eq!(
                text(raw),
                places(vec![], Some(Workplace::Remote), &[]),
                "{raw}"
            );
        }
    }

    #[test]
    fn remote_with_a_country_gives_a_region_and_a_country_place() {
        assert_eq!(
            text("Remote - US"),
            places(
                vec![loc("Remote - US", None, None, Some("US"))],
                Some(Workplace::Remote),
                &["US"]
            )
        );
        assert_eq!(
            text("US Remote"),
            places(
                vec![loc("US Remote", None, None, Some("US"))],
                Some(Workplace::Remote),
                &["US"]
            )
        );
        assert_eq!(
            text("Remote, Germany"),
            places(
                vec![loc("Remote, Germany", None, None, Some("DE"))],
                Some(Workplace::Remote),
                &["DE"]
            )
        );
        assert_eq!(
            text("Remote - USA only"),
            places(
                vec![loc("Remote - USA only", None, None, Some("US"))],
                Some(Workplace::Remote),
                &["US"]
            )
        );
    }

    #[test]
    fn remote_with_a_macro_region_gives_only_the_region() {
        assert_eq!(
            text("Remote (EU)"),
            places(vec![], Some(Workplace::Remote), &["EU"])
        );
        assert_eq!(
            text("Remote - EMEA"),
            places(vec![], Some(Workplace::Remote), &["EMEA"])
        );
        assert_eq!(
            text("Remote (US or Canada)"),
            places(vec![], Some(Workplace::Remote), &["US", "CA"])
        );
    }

    #[test]
    fn a_bare_country_or_region_beside_remote_is_the_remote_region() {
        assert_eq!(
            text("Remote | USA"),
            places(
                vec![loc("USA", None, None, Some("US"))],
                Some(Workplace::Remote),
                &["US"]
            )
        );
        assert_eq!(
            text("Remote - US or Canada"),
            places(
                vec![
                    loc("Remote - US", None, None, Some("US")),
                    loc("Canada", None, None, Some("CA")),
                ],
                Some(Workplace::Remote),
                &["US", "CA"]
            )
        );
        assert_eq!(
            text("Remote; Europe"),
            places(
                vec![loc("Europe", None, None, None)],
                Some(Workplace::Remote),
                &["EU"]
            )
        );
    }

    #[test]
    fn remote_time_zone_restrictions_name_no_place() {
        assert_eq!(
            text("Remote (CET ± 2h)"),
            places(vec![], Some(Workplace::Remote), &[])
        );
        assert_eq!(
            text("Remote, EU timezones"),
            places(vec![], Some(Workplace::Remote), &["EU"])
        );
    }

    #[test]
    fn hybrid_keeps_its_place() {
        assert_eq!(
            text("Hybrid - London"),
            places(
                vec![loc("Hybrid - London", Some("London"), None, None)],
                Some(Workplace::Hybrid),
                &[]
            )
        );
    }

    #[test]
    fn several_places_are_split_but_commas_inside_a_place_are_not() {
        assert_eq!(
            text("Berlin, Germany; London, UK"),
            places(
                vec![
                    loc("Berlin, Germany", Some("Berlin"), None, Some("DE")),
                    loc("London, UK", Some("London"), None, Some("GB")),
                ],
                None,
                &[]
            )
        );
        // Greenhouse corpus: `San Francisco, CA | New York City, NY`.
        assert_eq!(
            text("San Francisco, CA | New York City, NY"),
            places(
                vec![
                    loc(
                        "San Francisco, CA",
                        Some("San Francisco"),
                        Some("CA"),
                        Some("US")
                    ),
                    loc(
                        "New York City, NY",
                        Some("New York City"),
                        Some("NY"),
                        Some("US")
                    ),
                ],
                None,
                &[]
            )
        );
        assert_eq!(
            text("Paris / Lyon").locations,
            vec![
                loc("Paris", Some("Paris"), None, None),
                loc("Lyon", Some("Lyon"), None, None)
            ]
        );
    }

    #[test]
    fn a_place_or_remote_is_remote_with_the_place_kept() {
        // Greenhouse corpus: `Miami, FL or Remote`.
        assert_eq!(
            text("Miami, FL or Remote"),
            places(
                vec![loc("Miami, FL", Some("Miami"), Some("FL"), Some("US"))],
                Some(Workplace::Remote),
                &[]
            )
        );
    }

    #[test]
    fn place_parts_are_read_from_the_right() {
        let one = |raw: &str| text(raw).locations.into_iter().next();
        assert_eq!(
            one("London, England, United Kingdom"),
            Some(loc(
                "London, England, United Kingdom",
                Some("London"),
                Some("England"),
                Some("GB")
            ))
        );
        assert_eq!(
            one("Toronto, ON, Canada"),
            Some(loc(
                "Toronto, ON, Canada",
                Some("Toronto"),
                Some("ON"),
                Some("CA")
            ))
        );
        assert_eq!(
            one("San Francisco, California, United States"),
            Some(loc(
                "San Francisco, California, United States",
                Some("San Francisco"),
                Some("CA"),
                Some("US")
            ))
        );
        assert_eq!(
            one("Atlanta, Georgia"),
            Some(loc(
                "Atlanta, Georgia",
                Some("Atlanta"),
                Some("GA"),
                Some("US")
            ))
        );
        assert_eq!(one("Miami"), Some(loc("Miami", Some("Miami"), None, None)));
        assert_eq!(one("Germany"), Some(loc("Germany", None, None, Some("DE"))));
        assert_eq!(
            one("Los Angeles, "),
            Some(loc("Los Angeles,", Some("Los Angeles"), None, None))
        );
        assert_eq!(
            one("Bombay, MH"),
            Some(loc("Bombay, MH", Some("Bombay"), Some("MH"), Some("IN")))
        );
        assert_eq!(
            one("Munich, Bavaria"),
            Some(loc(
                "Munich, Bavaria",
                Some("Munich"),
                Some("Bavaria"),
                None
            ))
        );
        assert_eq!(
            one("North America"),
            Some(loc("North America", None, None, None))
        );
        assert_eq!(
            one("Florida, Florida, United States"),
            Some(loc(
                "Florida, Florida, United States",
                Some("Florida"),
                Some("FL"),
                Some("US")
            ))
        );
        assert_eq!(
            one("New York"),
            Some(loc("New York", Some("New York"), Some("NY"), Some("US")))
        );
        assert_eq!(
            one("Zagreb, HR"),
            Some(loc("Zagreb, HR", Some("Zagreb"), None, Some("HR")))
        );
    }

    #[test]
    fn structured_parts_win_over_the_text() {
        // Workable corpus: city Boston, region Massachusetts, country United States.
        let raw = RawLocation {
            raw: "Boston, Massachusetts, United States".into(),
            city: Some("Boston".into()),
            region: Some("Massachusetts".into()),
            country: Some("United States".into()),
        };
        assert_eq!(
            parse_location(&raw),
            places(
                vec![loc(
                    "Boston, Massachusetts, United States",
                    Some("Boston"),
                    Some("MA"),
                    Some("US")
                )],
                None,
                &[]
            )
        );
        let raw = RawLocation {
            raw: String::new(),
            city: Some("Athens".into()),
            region: Some("Attica".into()),
            country: Some("GR".into()),
        };
        assert_eq!(
            parse_location(&raw).locations,
            vec![loc(
                "Athens, Attica, GR",
                Some("Athens"),
                Some("Attica"),
                Some("GR")
            )]
        );
        let raw = RawLocation {
            raw: "San Francisco".into(),
            city: Some("San Francisco".into()),
            region: Some("CA".into()),
            country: None,
        };
        assert_eq!(
            parse_location(&raw).locations,
            vec![loc(
                "San Francisco",
                Some("San Francisco"),
                Some("CA"),
                Some("US")
            )]
        );
    }

    #[test]
    fn structured_remote_city_sets_the_workplace_instead() {
        let raw = RawLocation {
            raw: "Remote - US".into(),
            city: Some("Remote".into()),
            region: None,
            country: Some("US".into()),
        };
        assert_eq!(
            parse_location(&raw),
            places(
                vec![loc("Remote - US", None, None, Some("US"))],
                Some(Workplace::Remote),
                &["US"]
            )
        );
    }

    #[test]
    fn country_names_codes_and_aliases_map_to_alpha_2() {
        for (given, code) in [
            ("Germany", "DE"),
            ("DEU", "DE"),
            ("de", "DE"),
            ("USA", "US"),
            ("United States of America", "US"),
            ("U.S.", "US"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("Great Britain", "GB"),
            ("England", "GB"),
            ("Scotland", "GB"),
            ("Wales", "GB"),
            ("Deutschland", "DE"),
            ("Holland", "NL"),
            ("Czechia", "CZ"),
            ("Czech Republic", "CZ"),
            ("South Korea", "KR"),
            ("Türkiye", "TR"),
            ("turkiye", "TR"),
            ("Côte d'Ivoire", "CI"),
            ("Bosnia & Herzegovina", "BA"),
            ("  greece ", "GR"),
            ("Viet Nam", "VN"),
            ("Åland Islands", "AX"),
        ] {
            assert_eq!(country_code(given), Some(code), "{given}");
        }
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(country_code(""), None);
        assert_eq!(COUNTRIES.len(), 249);
    }

    #[test]
    fn remote_regions_use_the_documented_vocabulary() {
        for (given, region) in [
            ("US", "US"),
            ("USA only", "US"),
            ("USA Only", "US"),
            ("US timezones", "US"),
            ("Europe", "EU"),
            ("European Union", "EU"),
            ("EMEA", "EMEA"),
            ("APAC", "APAC"),
            ("Latin America", "LATAM"),
            ("LATAM", "LATAM"),
            ("Americas", "AMERICAS"),
            ("North America", "NORAM"),
            ("Canada", "CA"),
        ] {
            assert_eq!(remote_region(given).as_deref(), Some(region), "{given}");
        }
        for given in ["Anywhere", "Worldwide", "Global", "", "N/A", "Mars"] {
            assert_eq!(remote_region(given), None, "{given}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,60}") {
            let parsed = text(&s);
            for location in &parsed.locations {
                prop_assert!(!location.raw.is_empty());
                if let Some(country) = &location.country {
                    prop_assert!(COUNTRY_CODES.contains(country.as_str()));
                }
            }
            let _ = remote_region(&s);
            let _ = country_code(&s);
        }

        #[test]
        fn place_like_text_never_panics(
            s in "((Remote|Hybrid|[A-Z][a-z]{0,8})([ ,()-]{1,3}[A-Za-z]{0,8}){0,3}(; | / | or |\\|)?){1,3}"
        ) {
            let _ = text(&s);
        }

        #[test]
        fn arbitrary_structured_parts_never_panic(
            city in proptest::option::of("\\PC{0,12}"),
            region in proptest::option::of("\\PC{0,12}"),
            country in proptest::option::of("\\PC{0,12}"),
            raw in "\\PC{0,20}",
        ) {
            let _ = parse_location(&RawLocation { raw, city, region, country });
        }
    }
}
