//! The pages' HTML, written with maud: templates checked at compile time, every value
//! escaped unless wrapped in `PreEscaped` (only the re-sanitized description and the
//! script-safe JSON-LD are). Links are relative, so the pages work under any path prefix (an
//! API Gateway stage): `root` is the way back to `/` from the page (`""` or `"../"`).

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::jsonld::web_url;
use crate::api::handlers::DuplicateSummary;
use crate::model::{Category, EmploymentType, JobPosting, Salary, Seniority, Workplace};
use crate::store::facets::{FacetCount, Facets};
use crate::store::{PostingChange, StoredPosting, listed_at};

/// The query parameters that page rather than filter: left out of feed and facet links.
const PAGING: [&str; 3] = ["cursor", "limit", "fields"];

/// A search page's request as the form shows it: the raw decoded pairs (so a refused value is
/// shown back as typed).
pub(super) struct FormValues {
    pairs: Vec<(String, String)>,
}

impl FormValues {
    /// The pairs of a raw query string.
    pub(super) fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        FormValues { pairs }
    }

    fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether any filter is set.
    pub(super) fn filtered(&self) -> bool {
        self.pairs
            .iter()
            .any(|(k, _)| !PAGING.contains(&k.as_str()))
    }

    /// The filters (no paging) as a query string, with `extra` pairs appended and any pair
    /// named in `replace` dropped first.
    pub(super) fn query(&self, replace: &[&str], extra: &[(&str, &str)]) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !PAGING.contains(&k.as_str()) && !replace.contains(&k.as_str()) {
                out.append_pair(k, v);
            }
        }
        for (k, v) in extra {
            out.append_pair(k, v);
        }
        out.finish()
    }
}

/// `path?query`, or `path` alone for an empty query.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A wire value as words: `full_time` → `Full time`.
fn label(wire: &str) -> String {
    let spaced = wire.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A category's name for people.
fn category_label(c: Category) -> String {
    match c {
        Category::Ml => "Machine learning".to_owned(),
        Category::Devops => "DevOps".to_owned(),
        Category::Fullstack => "Full stack".to_owned(),
        Category::Backend => "Back end".to_owned(),
        Category::Frontend => "Front end".to_owned(),
        other => label(other.as_str()),
    }
}

/// Digits grouped by thousands; cents only when there are any.
fn amount(value: f64) -> String {
    let whole = value.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if whole < 0 { "-" } else { "" };
    let cents = ((value - value.trunc()).abs() * 100.0).round() as i64;
    if cents == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{cents:02}")
    }
}

/// Pay in words: `EUR 70,000–90,000 a year`.
pub(super) fn pay(salary: &Salary) -> Option<String> {
    let range = match (salary.min, salary.max) {
        (Some(min), Some(max)) if min == max => amount(min),
        (Some(min), Some(max)) => format!("{}–{}", amount(min), amount(max)),
        (Some(min), None) => format!("from {}", amount(min)),
        (None, Some(max)) => format!("up to {}", amount(max)),
        (None, None) => return None,
    };
    let currency = salary.currency.as_deref().unwrap_or("");
    let mut text = if currency.is_empty() {
        range
    } else {
        format!("{currency} {range}")
    };
    if let Some(period) = salary.period {
        text.push_str(" a ");
        text.push_str(period.as_str());
    }
    Some(text)
}

/// Where the job is: its places, and the remote regions of a remote job.
pub(super) fn place(p: &JobPosting) -> String {
    let places: Vec<String> = p
        .locations
        .iter()
        .map(|l| {
            let parts: Vec<&str> = [&l.city, &l.region, &l.country]
                .into_iter()
                .filter_map(|v| v.as_deref())
                .collect();
            if parts.is_empty() {
                l.raw.clone()
            } else {
                parts.join(", ")
            }
        })
        .collect();
    let mut text = places.join("; ");
    match p.workplace {
        Some(Workplace::Remote) => {
            let regions = if p.remote_regions.is_empty() {
                "anywhere".to_owned()
            } else {
                p.remote_regions.join(", ")
            };
            let remote = format!("Remote ({regions})");
            text = if text.is_empty() {
                remote
            } else {
                format!("{remote}; {text}")
            };
        }
        Some(Workplace::Hybrid) => {
            text = if text.is_empty() {
                "Hybrid".to_owned()
            } else {
                format!("Hybrid: {text}")
            };
        }
        _ => {}
    }
    text
}

/// How long ago `at` was, in words.
pub(super) fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = (now - at).num_days();
    match days {
        i64::MIN..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        2..=13 => format!("{days} days ago"),
        14..=59 => format!("{} weeks ago", days / 7),
        60..=729 => format!("{} months ago", days / 30),
        _ => format!("{} years ago", days / 365),
    }
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

/// The change history in words, newest first: what each change altered (compared with the
/// version after it), and when.
pub(super) fn history_lines(current: &JobPosting, history: &[PostingChange]) -> Vec<String> {
    let current_description = crate::identity::hash_hex(&[&current.description_html]);
    let mut after_title = current.title.as_str();
    let mut after_salary = current.salary.as_ref();
    let mut after_description = current_description.as_str();
    let mut lines = Vec::new();
    for change in history {
        let when = date(change.changed_at);
        let mut what = Vec::new();
        if change.title != after_title {
            what.push(format!("the title changed (it was “{}”)", change.title));
        }
        if change.salary.as_ref() != after_salary {
            let before = change
                .salary
                .as_ref()
                .and_then(pay)
                .unwrap_or_else(|| "not given".to_owned());
            what.push(format!("the pay changed (it was {before})"));
        }
        if change.description_hash != after_description {
            what.push("the description changed".to_owned());
        }
        if what.is_empty() {
            what.push("details changed".to_owned());
        }
        lines.push(format!("On {when}, {}.", what.join(", ")));
        after_title = &change.title;
        after_salary = change.salary.as_ref();
        after_description = &change.description_hash;
    }
    lines
}

/// The page skeleton: head with the stylesheet and feed links, skip link, header, footer.
fn layout(
    root: &str,
    title: &str,
    noindex: bool,
    alternates: &str,
    head_extra: Markup,
    main: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                @if noindex {
                    meta name="robots" content="noindex";
                }
                meta name="color-scheme" content="light dark";
                link rel="stylesheet" href={ (root) "assets/style.css" };
                link rel="icon" type="image/svg+xml" href={ (root) "assets/icon.svg" };
                link rel="alternate" type="application/rss+xml" title="This search as RSS" href=(with_query(&format!("{root}feed.rss"), alternates));
                link rel="alternate" type="application/atom+xml" title="This search as Atom" href=(with_query(&format!("{root}feed.atom"), alternates));
                link rel="alternate" type="application/feed+json" title="This search as JSON Feed" href=(with_query(&format!("{root}feed.json"), alternates));
                (head_extra)
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    a.brand href={ (root) "./" } { "jobfeed" }
                    span.tagline { "Jobs from many sources, newest first" }
                }
                main #main tabindex="-1" { (main) }
                footer.site {
                    p {
                        "The same data as JSON: "
                        a href={ (root) "openapi.json" } { "API description" }
                        "."
                    }
                }
            }
        }
    }
}

/// A `<select>` of enum values with their counts.
fn select(
    name: &str,
    text: &str,
    current: &str,
    options: &[(&'static str, String)],
    counts: Option<&[FacetCount]>,
) -> Markup {
    let count = |value: &str| -> Option<u64> {
        counts.map(|c| c.iter().find(|f| f.value == value).map_or(0, |f| f.count))
    };
    html! {
        div.field {
            label for=(name) { (text) }
            select #(name) name=(name) {
                option value="" selected[current.is_empty()] { "Any" }
                @for (value, words) in options {
                    option value=(value) selected[current == *value] {
                        (words)
                        @if let Some(n) = count(value) { " (" (n) ")" }
                    }
                }
            }
        }
    }
}

/// A labelled text input; `id` differs from `name` for repeated fields (`skill`).
fn text_field(id: &str, name: &str, text: &str, value: &str, kind: &str) -> Markup {
    html! {
        div.field {
            label for=(id) { (text) }
            input #(id) type=(kind) name=(name) value=(value) maxlength="200";
        }
    }
}

/// What the search page shows.
pub(super) struct SearchView<'a> {
    /// The request's values.
    pub form: &'a FormValues,
    /// A refused parameter's message (the results are then empty).
    pub error: Option<&'a str>,
    /// The page of results.
    pub results: &'a [StoredPosting],
    /// The next page's cursor.
    pub next_cursor: Option<&'a str>,
    /// Whether this is a later page (a cursor was given).
    pub later_page: bool,
    /// Counts for the filters.
    pub facets: Option<&'a Facets>,
    /// Now, for relative dates.
    pub now: DateTime<Utc>,
}

/// The search page.
pub(super) fn search_page(view: &SearchView<'_>) -> String {
    let form = view.form;
    let filters = form.query(&[], &[]);
    let facets = view.facets;
    let seniority: Vec<(&str, String)> = Seniority::ALL
        .iter()
        .map(|v| (v.as_str(), label(v.as_str())))
        .collect();
    let category: Vec<(&str, String)> = Category::ALL
        .iter()
        .map(|v| (v.as_str(), category_label(*v)))
        .collect();
    let workplace: Vec<(&str, String)> = Workplace::ALL
        .iter()
        .map(|v| (v.as_str(), label(v.as_str())))
        .collect();
    let employment: Vec<(&str, String)> = EmploymentType::ALL
        .iter()
        .map(|v| (v.as_str(), label(v.as_str())))
        .collect();
    let skills: Vec<&str> = form.all("skill").collect();
    let since = form.get("since");
    let since = since.get(..10).unwrap_or(since);
    let title = if form.filtered() {
        "Job search results – jobfeed"
    } else {
        "Job search – jobfeed"
    };
    let main = html! {
        div.search {
            section.filters aria-labelledby="filters-h" {
                h1 #filters-h { "Find a job" }
                form method="get" action="./" role="search" {
                    (text_field("q", "q", "Keywords (title, company, skills)", form.get("q"), "search"))
                    (text_field("company", "company", "Company", form.get("company"), "text"))
                    @for (i, skill) in skills.iter().enumerate() {
                        (text_field(&format!("skill-{i}"), "skill", "Skill", skill, "text"))
                    }
                    div.field {
                        label for="skill-new" { @if skills.is_empty() { "Skill" } @else { "Another skill" } }
                        input #skill-new type="text" name="skill" value="" maxlength="200";
                    }
                    (select("category", "Job family", form.get("category"), &category, facets.map(|f| f.category.as_slice())))
                    (select("seniority", "Seniority", form.get("seniority"), &seniority, facets.map(|f| f.seniority.as_slice())))
                    (select("workplace", "Workplace", form.get("workplace"), &workplace, facets.map(|f| f.workplace.as_slice())))
                    (select("employment_type", "Employment type", form.get("employment_type"), &employment, facets.map(|f| f.employment_type.as_slice())))
                    div.field {
                        label for="country" { "Country (2-letter code, e.g. DE)" }
                        input #country type="text" name="country" value=(form.get("country")) maxlength="2" autocomplete="country";
                    }
                    div.pair {
                        div.field {
                            label for="salary_min" { "Minimum pay" }
                            input #salary_min type="number" name="salary_min" min="0" step="any" inputmode="numeric" value=(form.get("salary_min"));
                        }
                        div.field {
                            label for="currency" { "Currency (e.g. EUR)" }
                            input #currency type="text" name="currency" maxlength="3" value=(form.get("currency"));
                        }
                    }
                    div.field {
                        label for="since" { "Posted since" }
                        input #since type="date" name="since" value=(since);
                    }
                    div.check {
                        input #include_closed type="checkbox" name="include_closed" value="true" checked[form.get("include_closed") == "true"];
                        label for="include_closed" { "Include closed postings" }
                    }
                    div.check {
                        input #include_duplicates type="checkbox" name="include_duplicates" value="true" checked[form.get("include_duplicates") == "true"];
                        label for="include_duplicates" { "Include the same job from other sources" }
                    }
                    div.actions {
                        button type="submit" { "Search" }
                        " "
                        a href="./" { "Clear all" }
                    }
                }
                @if let Some(f) = facets {
                    (top_lists(form, f))
                }
            }
            section.results aria-labelledby="results-h" {
                h2 #results-h {
                    @if view.later_page { "More results" } @else { "Newest postings" }
                }
                @if let Some(f) = facets {
                    p.count {
                        (f.total) @if !f.complete { "+" } " open "
                        @if f.total == 1 { "posting matches" } @else { "postings match" }
                        @if form.filtered() { " these filters." } @else { "." }
                    }
                }
                nav.subscribe aria-label="Subscribe to this search" {
                    "Subscribe to this search: "
                    a href=(with_query("feed.rss", &filters)) { "RSS" } ", "
                    a href=(with_query("feed.atom", &filters)) { "Atom" } ", "
                    a href=(with_query("feed.json", &filters)) { "JSON Feed" }
                    " · "
                    a href=(with_query("jobs", &filters)) { "JSON" }
                }
                @if let Some(error) = view.error {
                    p.error role="alert" { "This search cannot run: " (error) ". Correct it above and search again." }
                } @else if view.results.is_empty() {
                    div.empty role="status" {
                        @if view.later_page {
                            p { "No more results: you have seen every posting that matches." }
                        } @else if form.filtered() {
                            p { "No open posting matches all of these filters." }
                            p { "Every filter must match, so try removing one"
                                @if form.get("include_closed") != "true" { ", or include closed postings" }
                                "." }
                        } @else {
                            p { "No postings yet: nothing has been crawled into this store." }
                        }
                    }
                } @else {
                    ol.postings {
                        @for stored in view.results {
                            li { (result(&stored.posting, view.now)) }
                        }
                    }
                }
                @if let Some(cursor) = view.next_cursor {
                    p.more { a rel="next" href=(with_query("./", &more_query(form, cursor))) { "More results" } }
                }
            }
        }
    };
    layout("", title, false, &filters, html! {}, main).into_string()
}

/// The next page's query: the filters, the page size if one was given, and the cursor.
fn more_query(form: &FormValues, cursor: &str) -> String {
    let limit = form.get("limit");
    if limit.is_empty() {
        form.query(&[], &[("cursor", cursor)])
    } else {
        form.query(&[], &[("limit", limit), ("cursor", cursor)])
    }
}

/// The top companies and skills as links that add them to the search.
fn top_lists(form: &FormValues, facets: &Facets) -> Markup {
    html! {
        @if !facets.company.is_empty() {
            h2.top #companies-h { "Top companies" }
            ul.top aria-labelledby="companies-h" {
                @for c in &facets.company {
                    li { a href=(with_query("./", &form.query(&["company"], &[("company", &c.value)]))) { (c.value) } " (" (c.count) ")" }
                }
            }
        }
        @if !facets.skill.is_empty() {
            h2.top #skills-h { "Top skills" }
            ul.top aria-labelledby="skills-h" {
                @for s in &facets.skill {
                    li { a href=(with_query("./", &form.query(&[], &[("skill", &s.value)]))) { (s.value) } " (" (s.count) ")" }
                }
            }
        }
        @if !facets.country.is_empty() {
            h2.top #countries-h { "Top countries" }
            ul.top aria-labelledby="countries-h" {
                @for c in &facets.country {
                    li { a href=(with_query("./", &form.query(&["country"], &[("country", &c.value)]))) { (c.value) } " (" (c.count) ")" }
                }
            }
        }
    }
}

/// One result of the list.
fn result(p: &JobPosting, now: DateTime<Utc>) -> Markup {
    let listed = listed_at(p);
    let place = place(p);
    html! {
        article.posting {
            h3 { a href={ "postings/" (p.id) } { (p.title) } }
            p.meta {
                span.company { (p.company.name) }
                @if !place.is_empty() { " · " span.place { (place) } }
                @if let Some(pay) = p.salary.as_ref().and_then(pay) { " · " span.pay { (pay) } }
            }
            p.meta {
                time datetime=(listed.to_rfc3339()) title=(date(listed)) { (ago(listed, now)) }
                " · via " span.source { (p.source) }
                @if p.closed_at.is_some() { " · " strong { "closed" } }
            }
            @if !p.skills.is_empty() {
                ul.skills aria-label="Skills" {
                    @for s in &p.skills { li { (s) } }
                }
            }
        }
    }
}

/// What the posting page shows.
pub(super) struct PostingView<'a> {
    /// The posting.
    pub stored: &'a StoredPosting,
    /// Its description, sanitized again for this page.
    pub description_html: &'a str,
    /// Its JSON-LD (script-safe).
    pub json_ld: &'a str,
    /// The same job on other sources.
    pub duplicates: &'a [DuplicateSummary],
    /// Now, for relative dates.
    pub now: DateTime<Utc>,
}

/// The posting page.
pub(super) fn posting_page(view: &PostingView<'_>) -> String {
    let p = &view.stored.posting;
    let listed = listed_at(p);
    let place = place(p);
    let apply = p
        .apply_url
        .as_deref()
        .and_then(web_url)
        .or_else(|| web_url(&p.url));
    let apply_host = apply
        .and_then(|a| url::Url::parse(a).ok())
        .and_then(|u| u.host_str().map(str::to_owned));
    let history = history_lines(p, &view.stored.history);
    let title = format!("{} at {} – jobfeed", p.title, p.company.name);
    let head = html! {
        script type="application/ld+json" { (PreEscaped(view.json_ld)) }
    };
    let main = html! {
        article.job {
            h1 { (p.title) }
            p.company-line { (p.company.name) @if !place.is_empty() { " · " (place) } }
            @if let Some(closed) = p.closed_at {
                p.closed role="status" { "This posting closed on " (date(closed)) ": the job is no longer open." }
            }
            @if let Some(apply) = apply {
                p.apply {
                    a.button href=(apply) rel="nofollow noopener noreferrer" {
                        "Apply"
                        @if let Some(host) = &apply_host { " on " (host) }
                    }
                }
            }
            dl.facts {
                dt { "Company" }
                dd {
                    @match p.company.url.as_deref().and_then(web_url) {
                        Some(url) => a href=(url) rel="nofollow noopener" { (p.company.name) },
                        None => (p.company.name),
                    }
                }
                @if !place.is_empty() { dt { "Where" } dd { (place) } }
                @if let Some(pay) = p.salary.as_ref().and_then(pay) { dt { "Pay" } dd { (pay) } }
                @if let Some(kind) = p.employment_type { dt { "Employment type" } dd { (label(kind.as_str())) } }
                @if let Some(level) = p.seniority { dt { "Seniority" } dd { (label(level.as_str())) } }
                @if let Some(family) = p.category { dt { "Job family" } dd { (category_label(family)) } }
                @if let Some(dept) = &p.department { dt { "Department" } dd { (dept) } }
                dt { "Posted" }
                dd { time datetime=(listed.to_rfc3339()) { (date(listed)) } " (" (ago(listed, view.now)) ")" }
                @if let Some(valid) = p.valid_through { dt { "Open until" } dd { time datetime=(valid.to_rfc3339()) { (date(valid)) } } }
                @if let Some(seen) = p.last_seen_at { dt { "Last seen" } dd { time datetime=(seen.to_rfc3339()) { (date(seen)) } } }
                dt { "Source" }
                dd { (p.source) @if let Some(page) = web_url(&p.url) { " (" a href=(page) rel="nofollow noopener" { "original posting" } ")" } }
                @if !p.skills.is_empty() {
                    dt { "Skills" }
                    dd { ul.skills { @for s in &p.skills { li { a href={ "../?skill=" (encode(s)) } { (s) } } } } }
                }
            }
            section aria-labelledby="description-h" {
                h2 #description-h { "Description" }
                @if view.description_html.trim().is_empty() {
                    p.note { "The source published no description; the original posting may have one." }
                } @else {
                    div.description { (PreEscaped(view.description_html)) }
                }
                @if view.stored.description_truncated {
                    p.note { "The description was shortened to fit the store; the original posting has all of it." }
                }
            }
            @if !history.is_empty() {
                section aria-labelledby="history-h" {
                    h2 #history-h { "Changes" }
                    ul.history { @for line in &history { li { (line) } } }
                }
            }
            @if !view.duplicates.is_empty() {
                section aria-labelledby="duplicates-h" {
                    h2 #duplicates-h { "The same job elsewhere" }
                    ul.duplicates {
                        @for d in view.duplicates {
                            li {
                                a href=(d.id) { (d.title) } " at " (d.company) ", via " (d.source)
                                @if d.closed_at.is_some() { " (closed)" }
                            }
                        }
                    }
                }
            }
            p.back { a href="../" { "Back to the search" } }
        }
    };
    layout("../", &title, p.closed_at.is_some(), "", head, main).into_string()
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A page that says what went wrong (a 404, a store failure).
pub(super) fn message_page(root: &str, heading: &str, detail: &str) -> String {
    let main = html! {
        h1 { (heading) }
        p { (detail) }
        p { a href={ (root) "./" } { "Go to the search" } }
    };
    layout(
        root,
        &format!("{heading} – jobfeed"),
        true,
        "",
        html! {},
        main,
    )
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(amount(50000.0), "50,000");
        assert_eq!(amount(1234567.5), "1,234,567.50");
        assert_eq!(amount(999.0), "999");
    }

    #[test]
    fn relative_dates_read_as_words() {
        let now = Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap();
        assert_eq!(ago(now, now), "today");
        assert_eq!(ago(now - chrono::Duration::days(1), now), "yesterday");
        assert_eq!(ago(now - chrono::Duration::days(5), now), "5 days ago");
        assert_eq!(ago(now - chrono::Duration::days(21), now), "3 weeks ago");
        assert_eq!(ago(now + chrono::Duration::days(3), now), "today");
    }

    #[test]
    fn the_filter_query_drops_paging_and_replaces_what_a_link_sets() {
        let form = FormValues::parse(Some(
            "q=rust&company=A&cursor=x&limit=5&skill=go&seniority=",
        ));
        assert_eq!(form.query(&[], &[]), "q=rust&company=A&skill=go");
        assert_eq!(
            form.query(&["company"], &[("company", "B & C")]),
            "q=rust&skill=go&company=B+%26+C"
        );
        assert!(form.filtered());
        assert!(!FormValues::parse(Some("cursor=x")).filtered());
    }

    #[test]
    fn the_history_says_what_changed_in_plain_words() {
        let mut p = crate::app::fixtures::posting("acme", "1");
        p.title = "Senior Rust engineer".into();
        let at = Utc.with_ymd_and_hms(2026, 7, 3, 8, 0, 0).unwrap();
        let change = PostingChange {
            changed_at: at,
            title: "Rust engineer".into(),
            salary: p.salary.clone(),
            description_hash: crate::identity::hash_hex(&[&p.description_html]),
            content_hash: "x".into(),
        };
        assert_eq!(
            history_lines(&p, &[change]),
            ["On 3 July 2026, the title changed (it was “Rust engineer”)."]
        );
    }
}
