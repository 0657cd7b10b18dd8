//! Paging of an Oracle Recruiting Cloud site's requisitions search: the finder's `offset`
//! steps by the rows of each page up to its `TotalJobsCount`. A careers site's address does
//! not name the site number the search needs (`CX_1`; the public name, `Mayo-US`, is another
//! thing): unless the address gives it (`?siteNumber=CX_1`), a pre-flight reads it from the
//! careers page (`<base … data-sitenumber="CX_1" data-apibaseurl="…">`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{PageRequest, Pager};
use crate::crawl::fetch::Document;
use crate::extract::oracle::{
    API_PATH, DEFAULT_LANGUAGE, LANGUAGE_PARAM, SITE_NAME_PARAM, finder_arg, finder_args, is_atom,
};

/// Rows asked per page (the careers sites' own page size).
pub const PAGE_SIZE: u64 = 25;

/// The fields a search asks for (the site's own search asks for these, and facets): enough
/// to list a requisition; its details have the rest.
const SEARCH_FIELDS: &str = "TotalJobsCount,Limit,Offset;\
     requisitionList:Id,Title,PostedDate,PrimaryLocation,WorkplaceType,WorkplaceTypeCode;\
     requisitionList.secondaryLocations:Name;\
     titlesFacet:Id,Name,TotalCount;locationsFacet:Id,Name,TotalCount;\
     categoriesFacet:Id,Name,TotalCount;postingDatesFacet:Id,Name,TotalCount;\
     workLocationsFacet:Id,Name,TotalCount;organizationsFacet:Id,Name,TotalCount;\
     workplaceTypesFacet:Id,Name,TotalCount";

/// Where an Oracle crawl is in a site's search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search, its finder at the page last asked for and its fragment naming the site
    /// for the extractor; `None` until the pre-flight has found the site number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    search: Option<Url>,
    /// The site's public name, from the careers address.
    site_name: String,
    /// The language of the careers address.
    language: String,
}

/// The pager of an Oracle source configured at `url`, and its first request.
///
/// `url` is a careers site's address (`https://{host}/hcmUI/CandidateExperience/en/sites/
/// {siteName}/…`; the careers page is then read first for the site number, unless the query
/// names it: `?siteNumber=CX_1`), or the search itself (`…/recruitingCEJobRequisitions?…
/// &finder=findReqs;siteNumber=CX_1,…`, asked as given but for `limit` (25 unless given) and
/// `offset`; its fragment may name the site, `#siteName=Mayo-US&lang=en`). Any other
/// address is fetched as given, as one document.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    if url.path().ends_with("/recruitingCEJobRequisitions") {
        return match api_search(url) {
            Some((pages, first)) => (Pager::Oracle(pages), PageRequest::get(first)),
            None => (Pager::Single, PageRequest::get(url.clone())),
        };
    }
    let Some((language, site_name)) = careers_site(url.path()) else {
        return (Pager::Single, PageRequest::get(url.clone()));
    };
    let given = url
        .query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("siteNumber"))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|n| is_atom(n));
    let mut pages = Pages {
        search: None,
        site_name,
        language,
    };
    if let Some(number) = given {
        let search = pages.first_search(url, &number);
        pages.search = Some(search.clone());
        return (Pager::Oracle(pages), PageRequest::get(search));
    }
    let mut page = url.clone();
    page.set_fragment(None);
    let preflight = PageRequest {
        preflight: true,
        ..PageRequest::get(page)
    };
    (Pager::Oracle(pages), preflight)
}

/// The language and site name of a careers path (`/hcmUI/CandidateExperience/en/sites/X/…`).
fn careers_site(path: &str) -> Option<(String, String)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.windows(5).find_map(|w| match w {
        [ui, ce, language, sites, site]
            if ui.eq_ignore_ascii_case("hcmUI")
                && ce.eq_ignore_ascii_case("CandidateExperience")
                && sites.eq_ignore_ascii_case("sites")
                && is_atom(language)
                && is_atom(site) =>
        {
            Some(((*language).to_owned(), (*site).to_owned()))
        }
        _ => None,
    })
}

/// A search address given as the source: its pages, and the first one.
fn api_search(url: &Url) -> Option<(Pages, Url)> {
    let finder = finder_of(url)?;
    let number = finder_arg(&finder, "siteNumber").filter(|n| is_atom(n))?;
    let fragment = |key: &str| {
        let fragment = url.fragment()?;
        url::form_urlencoded::parse(fragment.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| is_atom(v))
    };
    let pages = Pages {
        search: None,
        site_name: fragment(SITE_NAME_PARAM).unwrap_or_else(|| number.clone()),
        language: fragment(LANGUAGE_PARAM).unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned()),
    };
    let offset = finder_arg(&finder, "offset")
        .and_then(|o| o.parse::<u64>().ok())
        .unwrap_or(0);
    let limit = finder_arg(&finder, "limit")
        .and_then(|l| l.parse::<u64>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(PAGE_SIZE);
    let mut first = with_finder(
        url,
        &set_args(&finder, &[("limit", limit), ("offset", offset)]),
    );
    first.set_fragment(Some(&pages.fragment()));
    let pages = Pages {
        search: Some(first.clone()),
        ..pages
    };
    Some((pages, first))
}

fn finder_of(url: &Url) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == "finder")
        .map(|(_, v)| v.into_owned())
}

/// `finder` with each of `set` replacing the argument of that name, or appended.
fn set_args(finder: &str, set: &[(&str, u64)]) -> String {
    let name = finder.split_once(';').map_or(finder, |(name, _)| name);
    let mut args = finder_args(finder);
    for (key, value) in set {
        match args.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some(arg) => arg.1 = value.to_string(),
            None => args.push(((*key).to_owned(), value.to_string())),
        }
    }
    let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{name};{}", args.join(","))
}

/// `url` with its `finder` parameter replaced (every other parameter kept in order).
fn with_finder(url: &Url, finder: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "finder" {
                finder.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

impl Pages {
    /// The request after `doc`: after the careers page, the search's first page; after a
    /// page, the next one while rows remain before `TotalJobsCount`. `None` at the end, or
    /// when `doc` cannot be read (a careers page naming no site).
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let Some(search) = &self.search else {
            let (api, number) = self.read_careers_page(doc)?;
            let first = self.first_search(&api, &number);
            self.search = Some(first.clone());
            return Some(PageRequest::get(first));
        };
        let body: Value = serde_json::from_str(&doc.body).ok()?;
        let page = body.get("items")?.as_array()?.first()?;
        let rows = page.get("requisitionList")?.as_array()?.len() as u64;
        let finder = finder_of(search)?;
        // Without a total, a full page says there may be more.
        let total = match page.get("TotalJobsCount").and_then(Value::as_u64) {
            Some(total) => total,
            None => {
                let limit = finder_arg(&finder, "limit").and_then(|l| l.parse::<u64>().ok());
                if limit.is_none_or(|limit| rows < limit) {
                    return None;
                }
                u64::MAX
            }
        };
        // Where this page started, as the API says; else as asked.
        let offset = page
            .get("Offset")
            .and_then(Value::as_u64)
            .or_else(|| finder_arg(&finder, "offset")?.parse().ok())
            .unwrap_or(0);
        let next = offset.saturating_add(rows);
        // An empty page before the total would otherwise be asked for again and again.
        if rows == 0 || next >= total {
            return None;
        }
        let next_url = with_finder(search, &set_args(&finder, &[("offset", next)]));
        self.search = Some(next_url.clone());
        Some(PageRequest::get(next_url))
    }

    /// The API's address and the site number a careers page names, and the site's name as
    /// its `<base href>` gives it. A page of no careers site gives `None`.
    fn read_careers_page(&mut self, doc: &Document) -> Option<(Url, String)> {
        let html = doc.body.as_str();
        let base = tag(html, "base");
        if let Some((language, site)) = base
            .and_then(|base| attribute(base, "href"))
            .and_then(|href| careers_site(&href))
        {
            self.language = language;
            self.site_name = site;
        }
        let number = base
            .and_then(|base| attribute(base, "data-sitenumber"))
            .filter(|n| is_atom(n))
            .or_else(|| site_number_in_links(html))
            // Older themes name no number: their sites are asked by name.
            .or_else(|| {
                html.contains("CandidateExperience")
                    .then(|| self.site_name.clone())
            })?;
        let api = base
            .and_then(|base| attribute(base, "data-apibaseurl"))
            .and_then(|api| Url::parse(&api).ok())
            .filter(|api| matches!(api.scheme(), "http" | "https") && api.host().is_some())
            .unwrap_or_else(|| doc.final_url.clone());
        Some((api, number))
    }

    /// The search's first page on the API of `api` (an address on its host), for site
    /// `number`.
    fn first_search(&self, api: &Url, number: &str) -> Url {
        let mut url = api.clone();
        url.set_path(&format!("{API_PATH}recruitingCEJobRequisitions"));
        url.set_query(None);
        let finder =
            format!("findReqs;siteNumber={number},facetsList=NONE,limit={PAGE_SIZE},offset=0");
        url.query_pairs_mut()
            .append_pair("onlyData", "true")
            .append_pair("fields", SEARCH_FIELDS)
            .append_pair("finder", &finder);
        url.set_fragment(Some(&self.fragment()));
        url
    }

    /// The fragment naming the site for the extractor.
    fn fragment(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair(SITE_NAME_PARAM, &self.site_name)
            .append_pair(LANGUAGE_PARAM, &self.language)
            .finish()
    }
}

/// The first `<name …>` tag of `html` (its text up to `>`), case-insensitive.
fn tag<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(at) = lower.get(from..)?.find(&open) {
        let start = from + at;
        let after = lower.as_bytes().get(start + open.len()).copied();
        if after.is_some_and(|b| b.is_ascii_whitespace() || b == b'>' || b == b'/') {
            let end = lower
                .get(start..)?
                .find('>')
                .map_or(html.len(), |e| start + e);
            return html.get(start..end);
        }
        from = start + open.len();
    }
    None
}

/// The value of attribute `name` in a tag's text (quoted with `"` or `'`), entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let needle = format!("{name}=");
    let mut from = 0;
    while let Some(at) = lower.get(from..)?.find(&needle) {
        let start = from + at;
        let preceded = start == 0
            || lower
                .as_bytes()
                .get(start - 1)
                .is_some_and(u8::is_ascii_whitespace);
        let value_at = start + needle.len();
        if preceded {
            let rest = tag.get(value_at..)?;
            let value = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => rest.get(1..)?.split(quote).next()?,
                // Unquoted: up to the next space or the tag's end.
                _ => rest
                    .split(|c: char| c.is_ascii_whitespace() || c == '>')
                    .next()?
                    .trim_end_matches('/'),
            };
            return Some(html_escape::decode_html_entities(value.trim()).into_owned());
        }
        from = value_at;
    }
    None
}

/// A `siteNumber=…` in the page's links (its favicons and styles name the site).
fn site_number_in_links(html: &str) -> Option<String> {
    let at = html.find("siteNumber=")?;
    let value: String = html
        .get(at + "siteNumber=".len()..)?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    is_atom(&value).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceKind;

    const CAREERS: &str = include_str!("../../../testdata/corpus/oracle/careers_page_rsp.html");
    const SEARCH: &str = include_str!("../../../testdata/corpus/oracle/search_rsp.json");

    const HOST: &str = "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn pages(pager: Pager) -> Pages {
        match pager {
            Pager::Oracle(pages) => pages,
            other => panic!("an Oracle pager, not {other:?}"),
        }
    }

    fn finder(request: &PageRequest) -> String {
        finder_of(&request.url).unwrap()
    }

    fn page(offset: u64, rows: usize, total: u64) -> String {
        let rows: Vec<Value> = (0..rows)
            .map(|i| serde_json::json!({ "Id": i.to_string(), "Title": "x" }))
            .collect();
        serde_json::json!({ "items": [{ "TotalJobsCount": total, "Offset": offset,
            "requisitionList": rows }] })
        .to_string()
    }

    #[test]
    fn a_careers_site_is_read_first_for_its_site_number_then_searched() {
        let careers = url(&format!(
            "{HOST}/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs"
        ));
        let (pager, first) = Pager::start(SourceKind::Oracle, &careers);
        assert!(first.preflight);
        assert_eq!(first.url, careers);
        let mut pages = pages(pager);
        let search = pages
            .next(&Document::new(careers.clone(), CAREERS))
            .unwrap();
        assert!(!search.preflight);
        assert_eq!(
            search.url.as_str().split('?').next(),
            Some(
                format!("{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitions").as_str()
            )
        );
        assert_eq!(
            finder(&search),
            "findReqs;siteNumber=CX_1,facetsList=NONE,limit=25,offset=0"
        );
        assert_eq!(search.url.fragment(), Some("siteName=Mayo-US&lang=en"));
        let fields = search
            .url
            .query_pairs()
            .find(|(k, _)| k == "fields")
            .unwrap()
            .1;
        assert!(fields.starts_with("TotalJobsCount,Limit,Offset;requisitionList:Id,Title"));
    }

    #[test]
    fn pages_step_by_their_rows_up_to_the_total() {
        let careers = url(&format!(
            "{HOST}/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs"
        ));
        let (pager, _) = start(&careers);
        let mut pages = pages(pager);
        pages
            .next(&Document::new(careers.clone(), CAREERS))
            .unwrap();
        let api = url(&format!(
            "{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitions"
        ));
        // The recorded page: 3 rows of 1330 from offset 0.
        let second = pages.next(&Document::new(api.clone(), SEARCH)).unwrap();
        assert_eq!(
            finder(&second),
            "findReqs;siteNumber=CX_1,facetsList=NONE,limit=25,offset=3"
        );
        assert_eq!(second.url.fragment(), Some("siteName=Mayo-US&lang=en"));
        let third = pages
            .next(&Document::new(api.clone(), page(3, 25, 60)))
            .unwrap();
        assert!(finder(&third).ends_with("offset=28"));
        assert_eq!(
            pages.next(&Document::new(api.clone(), page(28, 32, 60))),
            None
        );
        assert_eq!(
            pages.next(&Document::new(api.clone(), page(28, 0, 60))),
            None
        );
        assert_eq!(pages.next(&Document::new(api.clone(), "not json")), None);
        // Without a total a full page goes on, a short one ends the list.
        let untold = |rows: usize| {
            let rows: Vec<Value> = (0..rows).map(|i| serde_json::json!({ "Id": i })).collect();
            serde_json::json!({ "items": [{ "Offset": 28, "requisitionList": rows }] }).to_string()
        };
        let next = pages.next(&Document::new(api.clone(), untold(25))).unwrap();
        assert!(finder(&next).ends_with("offset=53"));
        assert_eq!(pages.next(&Document::new(api, untold(24))), None);
    }

    #[test]
    fn a_site_number_in_the_address_skips_the_careers_page() {
        let careers = url(&format!(
            "{HOST}/hcmUI/CandidateExperience/en-GB/sites/Acme/requisitions?siteNumber=CX_1001"
        ));
        let (pager, first) = start(&careers);
        assert!(!first.preflight);
        assert_eq!(
            finder(&first),
            "findReqs;siteNumber=CX_1001,facetsList=NONE,limit=25,offset=0"
        );
        assert_eq!(first.url.host_str(), careers.host_str());
        assert_eq!(first.url.fragment(), Some("siteName=Acme&lang=en-GB"));
        assert!(pages(pager).search.is_some());
    }

    #[test]
    fn a_search_address_is_paged_from_its_own_finder() {
        let address = format!(
            "{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitions?onlyData=true\
             &expand=requisitionList.secondaryLocations\
             &finder=findReqs;siteNumber=CX_1,facetsList=LOCATIONS;TITLES,keyword=\"a,b\",offset=0"
        );
        let (pager, first) = start(&url(&address));
        assert!(!first.preflight);
        assert_eq!(
            finder(&first),
            "findReqs;siteNumber=CX_1,facetsList=LOCATIONS;TITLES,keyword=\"a,b\",offset=0,limit=25"
        );
        assert_eq!(first.url.fragment(), Some("siteName=CX_1&lang=en"));
        assert!(
            first
                .url
                .as_str()
                .contains("expand=requisitionList.secondaryLocations")
        );
        let mut pages = pages(pager);
        let api = first.url.clone();
        let second = pages.next(&Document::new(api, page(0, 25, 40))).unwrap();
        assert!(finder(&second).ends_with("offset=25,limit=25"));
        let named = format!("{address}#siteName=Mayo-US&lang=en");
        let (_, first) = start(&url(&named));
        assert_eq!(first.url.fragment(), Some("siteName=Mayo-US&lang=en"));
    }

    #[test]
    fn the_careers_page_may_name_the_site_and_api_in_other_ways() {
        let careers =
            url("https://acme.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/acme/jobs");
        let read = |html: &str| {
            let (pager, _) = start(&careers);
            let mut pages = pages(pager);
            pages.next(&Document::new(careers.clone(), html)).map(|r| {
                (
                    finder(&r),
                    r.url.origin().ascii_serialization(),
                    r.url.fragment().map(str::to_owned),
                )
            })
        };
        // The base names another site name and API host.
        let html = "<html><head><BASE HREF='/hcmUI/CandidateExperience/fr/sites/Acme-FR' \
                    data-sitenumber='CX_7' data-apibaseurl='https://api.example.com:443'></head></html>";
        let (finder, origin, fragment) = read(html).unwrap();
        assert!(finder.starts_with("findReqs;siteNumber=CX_7,"));
        assert_eq!(origin, "https://api.example.com");
        assert_eq!(fragment.as_deref(), Some("siteName=Acme-FR&lang=fr"));
        // Only the links name the number.
        let html = r#"<link href="/hcmRestApi/CandidateExperience/siteFavicon/x.png?siteNumber=CX_3&size=1">"#;
        let (finder, origin, _) = read(html).unwrap();
        assert!(finder.starts_with("findReqs;siteNumber=CX_3,"));
        assert_eq!(origin, "https://acme.fa.us2.oraclecloud.com");
        // Unquoted attributes.
        let html = "<base href=/hcmUI/CandidateExperience/en/sites/acme data-sitenumber=CX_9>";
        let (finder, _, _) = read(html).unwrap();
        assert!(finder.starts_with("findReqs;siteNumber=CX_9,"));
        // An old theme names none: the site is asked by name.
        let (finder, _, _) = read("<div>CandidateExperience</div>").unwrap();
        assert!(finder.starts_with("findReqs;siteNumber=acme,"));
        // Not a careers page at all.
        assert_eq!(read("<html><body>Maintenance</body></html>"), None);
    }

    #[test]
    fn the_pager_survives_a_checkpoint() {
        let careers = url(&format!(
            "{HOST}/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs"
        ));
        let (pager, _) = start(&careers);
        let mut pages = pages(pager);
        pages
            .next(&Document::new(careers.clone(), CAREERS))
            .unwrap();
        let saved = serde_json::to_string(&Pager::Oracle(pages.clone())).unwrap();
        let restored: Pager = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, Pager::Oracle(pages));
    }

    #[test]
    fn other_addresses_are_fetched_as_given() {
        for address in [
            format!(
                "{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails?finder=ById;Id=\"1\",siteNumber=CX_1"
            ),
            format!("{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitions?onlyData=true"),
            format!("{HOST}/hcmUI/CandidateExperience/en/sites"),
            "https://example.com/careers".to_owned(),
        ] {
            let (pager, first) = start(&url(&address));
            assert!(pager.is_single(), "{address}");
            assert_eq!(first, PageRequest::get(url(&address)));
        }
    }
}
