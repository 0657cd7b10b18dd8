//! The `html` kind: a CSS-selector recipe for pages with no structured data.
//!
//! A recipe names, per posting field, the element holding it (and optionally the attribute
//! to read); with an `item` selector it reads one posting per matching container (a listing
//! page), without one the whole page is one posting.

use scraper::{ElementRef, Html, Node, Selector};
use serde::{Deserialize, Serialize};

use super::{DocumentContext, Extraction, RawDate, RawLocation, RawPosting};
use crate::error::ParseError;

/// Selectors per field, as written in `sources.toml` (or JSON).
///
/// Every field is optional. Text fields read the first matching element's text (whitespace
/// collapsed); `location` and `employment_type` read every match; `description` reads the
/// inner HTML; `url` and `apply_url` read `href` unless told otherwise. Unknown keys are
/// refused so that a typo cannot silently drop a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlRecipe {
    /// The repeating posting containers; absent: the whole page is one posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<FieldSelector>,
    /// The company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<FieldSelector>,
    /// The locations (every match is one location).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FieldSelector>,
    /// The description (inner HTML, unless an attribute is named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<FieldSelector>,
    /// The publication date as shown (often an attribute such as `datetime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<FieldSelector>,
    /// The employment types (every match is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<FieldSelector>,
    /// The pay statement as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary: Option<FieldSelector>,
    /// The department or team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<FieldSelector>,
    /// The application link (`href` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_url: Option<FieldSelector>,
    /// The posting's own link (`href` by default); a single-posting page without it gets
    /// the document's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<FieldSelector>,
}

/// Where one field is: a selector (`"h1.title"`), or a selector and the attribute to read
/// instead of the text (`{ "selector": "time", "attr": "datetime" }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldSelector {
    /// Read the element's text (inner HTML for `description`, `href` for links).
    Css(String),
    /// Read the element as `attr` says.
    WithAttr {
        /// The CSS selector.
        selector: String,
        /// The attribute to read; absent means the field's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attr: Option<String>,
    },
}

impl FieldSelector {
    fn selector(&self) -> &str {
        match self {
            FieldSelector::Css(selector) | FieldSelector::WithAttr { selector, .. } => selector,
        }
    }

    fn attr(&self) -> Option<&str> {
        match self {
            FieldSelector::Css(_) => None,
            FieldSelector::WithAttr { attr, .. } => attr.as_deref(),
        }
    }
}

impl HtmlRecipe {
    /// Checks every selector, naming the first bad field and why (`title: invalid selector
    /// "h1[": ...`). [`extract`] checks too, so calling this is for early feedback (loading
    /// `sources.toml`).
    pub fn validate(&self) -> Result<(), String> {
        self.compile().map(|_| ())
    }

    fn compile(&self) -> Result<Compiled<'_>, String> {
        let item = match &self.item {
            Some(item) => Some(parse_selector("item", item)?),
            None => None,
        };
        Ok(Compiled {
            item,
            title: compile_field("title", &self.title)?,
            company: compile_field("company", &self.company)?,
            location: compile_field("location", &self.location)?,
            description: compile_field("description", &self.description)?,
            posted_at: compile_field("posted_at", &self.posted_at)?,
            employment_type: compile_field("employment_type", &self.employment_type)?,
            salary: compile_field("salary", &self.salary)?,
            department: compile_field("department", &self.department)?,
            apply_url: compile_field("apply_url", &self.apply_url)?,
            url: compile_field("url", &self.url)?,
        })
    }
}

/// Extracts with a recipe: one posting per `item` match (those with neither title nor URL
/// are counted as skipped), or one posting for the page when it has a title.
///
/// A bad selector is `ParseError::Usage` naming the field.
pub fn extract(
    recipe: &HtmlRecipe,
    body: &str,
    ctx: DocumentContext<'_>,
) -> Result<Extraction, ParseError> {
    let recipe = recipe.compile().map_err(ParseError::Usage)?;
    if crate::markup::nesting::html_too_deep(body) {
        return Err(crate::markup::nesting::too_deep(
            crate::model::SourceKind::Html,
        ));
    }
    let html = Html::parse_document(body);
    let mut out = Extraction::default();
    match &recipe.item {
        Some(item) => {
            for scope in html.select(item) {
                let posting = recipe.posting(scope);
                if posting.title.is_some() || posting.url.is_some() {
                    out.postings.push(posting);
                } else {
                    out.skipped += 1;
                }
            }
        }
        None => {
            let mut posting = recipe.posting(html.root_element());
            if posting.title.is_some() {
                if posting.url.is_none() {
                    posting.url = ctx.url.map(url::Url::to_string);
                }
                out.postings.push(posting);
            }
        }
    }
    Ok(out)
}

/// The text of an element as a reader sees it: its text nodes, with line-breaking elements
/// as spaces, whitespace runs (including no-break spaces) collapsed, trimmed.
pub(crate) fn element_text(el: ElementRef<'_>) -> String {
    let mut raw = String::new();
    for node in el.descendants() {
        match node.value() {
            Node::Text(text) => raw.push_str(text),
            Node::Element(e) if BREAKING.contains(&e.name()) => raw.push(' '),
            _ => {}
        }
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Elements whose edges separate words even with no whitespace around them.
const BREAKING: &[&str] = &[
    "br", "p", "div", "li", "dd", "dt", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
];

/// A recipe with its selectors parsed.
struct Compiled<'r> {
    item: Option<Selector>,
    title: Option<CompiledField<'r>>,
    company: Option<CompiledField<'r>>,
    location: Option<CompiledField<'r>>,
    description: Option<CompiledField<'r>>,
    posted_at: Option<CompiledField<'r>>,
    employment_type: Option<CompiledField<'r>>,
    salary: Option<CompiledField<'r>>,
    department: Option<CompiledField<'r>>,
    apply_url: Option<CompiledField<'r>>,
    url: Option<CompiledField<'r>>,
}

/// One field's parsed selector and the attribute to read.
struct CompiledField<'r> {
    selector: Selector,
    attr: Option<&'r str>,
}

/// How a field's element becomes a value when no attribute is named.
#[derive(Clone, Copy)]
enum Read {
    Text,
    InnerHtml,
    /// `href`, falling back to the text (a URL written out in a `<span>`).
    Link,
}

impl Compiled<'_> {
    fn posting(&self, scope: ElementRef<'_>) -> RawPosting {
        RawPosting {
            title: first(&self.title, scope, Read::Text),
            company_name: first(&self.company, scope, Read::Text),
            locations: all(&self.location, scope, Read::Text)
                .map(RawLocation::text)
                .collect(),
            description_html: first(&self.description, scope, Read::InnerHtml),
            posted_at: first(&self.posted_at, scope, Read::Text).map(RawDate::Text),
            employment_types: all(&self.employment_type, scope, Read::Text).collect(),
            salary_text: first(&self.salary, scope, Read::Text),
            department: first(&self.department, scope, Read::Text),
            apply_url: first(&self.apply_url, scope, Read::Link),
            url: first(&self.url, scope, Read::Link),
            ..RawPosting::default()
        }
    }
}

/// The first non-empty value of a field within `scope`.
fn first(field: &Option<CompiledField<'_>>, scope: ElementRef<'_>, read: Read) -> Option<String> {
    all(field, scope, read).next()
}

/// Every non-empty value of a field within `scope`, in document order.
fn all<'a>(
    field: &'a Option<CompiledField<'_>>,
    scope: ElementRef<'a>,
    read: Read,
) -> impl Iterator<Item = String> + 'a {
    field.iter().flat_map(move |field| {
        scope
            .select(&field.selector)
            .filter_map(move |el| read_element(el, field.attr, read))
    })
}

fn read_element(el: ElementRef<'_>, attr: Option<&str>, read: Read) -> Option<String> {
    let value = match (attr, read) {
        (Some(attr), _) => el.attr(attr)?.trim().to_owned(),
        (None, Read::Text) => element_text(el),
        (None, Read::InnerHtml) => el.inner_html().trim().to_owned(),
        (None, Read::Link) => match el.attr("href") {
            Some(href) => href.trim().to_owned(),
            None => element_text(el),
        },
    };
    (!value.is_empty()).then_some(value)
}

fn compile_field<'r>(
    name: &str,
    field: &'r Option<FieldSelector>,
) -> Result<Option<CompiledField<'r>>, String> {
    let Some(field) = field else {
        return Ok(None);
    };
    if field.attr().is_some_and(|attr| attr.trim().is_empty()) {
        return Err(format!("{name}: the attribute name is empty"));
    }
    Ok(Some(CompiledField {
        selector: parse_selector(name, field.selector())?,
        attr: field.attr(),
    }))
}

fn parse_selector(name: &str, selector: &str) -> Result<Selector, String> {
    if selector.trim().is_empty() {
        return Err(format!("{name}: the selector is empty"));
    }
    Selector::parse(selector).map_err(|e| format!("{name}: invalid selector {selector:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(json: &str) -> HtmlRecipe {
        serde_json::from_str(json).unwrap()
    }

    fn only(recipe: &HtmlRecipe, body: &str) -> RawPosting {
        let mut found = extract(recipe, body, DocumentContext::default()).unwrap();
        assert_eq!(found.postings.len(), 1, "{found:#?}");
        found.postings.remove(0)
    }

    #[test]
    fn engage_recipe_reads_the_page_without_json_ld() {
        let recipe = recipe(include_str!("../../testdata/recipes/engage.json"));
        let p = only(
            &recipe,
            include_str!("../../testdata/corpus/engage/job_detail_no_jsonld_rsp.html"),
        );
        assert_eq!(
            p.title.as_deref(),
            Some("コーダーエンジニア / 株式会社アスパーク")
        );
        assert_eq!(p.company_name.as_deref(), Some("株式会社アスパーク"));
        assert_eq!(
            p.locations,
            [RawLocation::text(
                "株式会社アスパーク 大阪オフィス 大阪府大阪市北区鶴野町1-9梅田ゲートタワー 10F ◇ 駅から徒歩1分以内"
            )]
        );
        assert_eq!(p.employment_types, ["中途採用（正社員）"]);
        assert!(
            p.salary_text.as_deref().unwrap().starts_with(
                "月給 200,000円 ～ 220,000円 （※想定年収 3,100,000円 ～ 3,410,000円）"
            )
        );
        assert_eq!(
            p.posted_at,
            Some(RawDate::Text("最終更新日：2026/7/21".into()))
        );
        assert_eq!(
            p.url.as_deref(),
            Some("https://en-gage.net/aspark-tokyo/work_17068421/")
        );
        let description = p.description_html.unwrap();
        assert!(description.contains("<h2 class=\"item\">仕事内容</h2>"));
        assert!(description.contains("■募集背景"));
    }

    #[test]
    fn linkedin_recipe_reads_the_public_job_page() {
        let recipe = recipe(include_str!("../../testdata/recipes/linkedin.json"));
        let p = only(
            &recipe,
            include_str!("../../testdata/corpus/linkedin/job_detail_rsp.html"),
        );
        assert_eq!(p.title.as_deref(), Some("Software Engineer"));
        assert_eq!(p.company_name.as_deref(), Some("BoostDraft"));
        assert_eq!(p.locations, [RawLocation::text("Taiwan")]);
        assert_eq!(p.employment_types, ["Full-time"]);
        assert_eq!(p.posted_at, Some(RawDate::Text("1 month ago".into())));
        assert_eq!(
            p.url.as_deref(),
            Some("https://tw.linkedin.com/jobs/view/software-engineer-at-boostdraft-4422697744")
        );
        assert!(
            p.description_html.unwrap().starts_with(
                "※後半に日本語の説明があります<br><br>C# software engineering position"
            )
        );
    }

    #[test]
    fn listing_recipe_reads_one_posting_per_card() {
        let recipe = recipe(include_str!("../../testdata/recipes/icims_search.json"));
        let found = extract(
            &recipe,
            include_str!("../../testdata/corpus/icims/search_rsp.html"),
            DocumentContext::default(),
        )
        .unwrap();
        assert_eq!(found.skipped, 0);
        let read: Vec<_> = found
            .postings
            .iter()
            .map(|p| {
                (
                    p.title.as_deref().unwrap(),
                    p.url.as_deref().unwrap(),
                    p.locations[0].raw.as_str(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    "Senior Product Manager",
                    "https://careers-buspatrol.icims.com/jobs/1977/senior-product-manager/job?in_iframe=1",
                    "US-TX-Austin",
                ),
                (
                    "Government Affairs and Community Partnerships Manager",
                    "https://careers-buspatrol.icims.com/jobs/1925/government-affairs-and-community-partnerships-manager/job?in_iframe=1",
                    "US-VA-Lorton",
                ),
                (
                    "Director of Public Policy",
                    "https://careers-buspatrol.icims.com/jobs/1922/director-of-public-policy/job?in_iframe=1",
                    "US-TX-Austin",
                ),
            ]
        );
    }

    #[test]
    fn a_bad_selector_is_a_usage_error_naming_the_field() {
        let recipe = recipe(r#"{"title": "h1", "company": {"selector": "div[", "attr": "x"}}"#);
        let err = recipe.validate().unwrap_err();
        assert!(
            err.starts_with("company: invalid selector \"div[\""),
            "{err}"
        );
        assert!(matches!(
            extract(&recipe, "<h1>x</h1>", DocumentContext::default()),
            Err(ParseError::Usage(msg)) if msg.starts_with("company:")
        ));
        let empty = HtmlRecipe {
            item: Some(" ".into()),
            ..HtmlRecipe::default()
        };
        assert_eq!(empty.validate(), Err("item: the selector is empty".into()));
    }

    #[test]
    fn unknown_recipe_keys_are_refused() {
        assert!(serde_json::from_str::<HtmlRecipe>(r#"{"titel": "h1"}"#).is_err());
    }

    #[test]
    fn attributes_and_the_document_url_fill_a_single_page_posting() {
        let recipe = recipe(
            r#"{"title": "h1", "posted_at": {"selector": "time", "attr": "datetime"},
                "apply_url": "a.apply", "department": {"selector": "span.team"}}"#,
        );
        let url = url::Url::parse("https://jobs.example/42").unwrap();
        let found = extract(
            &recipe,
            r#"<h1> Role&nbsp;A </h1><time datetime="2026-01-02">Jan 2</time>
               <a class="apply" href="/apply/42">Apply</a><span class="team">Data</span>"#,
            DocumentContext { url: Some(&url) },
        )
        .unwrap();
        let p = &found.postings[0];
        assert_eq!(p.title.as_deref(), Some("Role A"));
        assert_eq!(p.posted_at, Some(RawDate::Text("2026-01-02".into())));
        assert_eq!(p.apply_url.as_deref(), Some("/apply/42"));
        assert_eq!(p.department.as_deref(), Some("Data"));
        assert_eq!(p.url.as_deref(), Some("https://jobs.example/42"));
    }

    #[test]
    fn a_page_whose_title_is_missing_has_no_posting_and_items_without_title_are_skipped() {
        let page = recipe(r#"{"title": "h1"}"#);
        assert_eq!(
            extract(&page, "<p>gone</p>", DocumentContext::default()).unwrap(),
            Extraction::default()
        );
        let listing = recipe(r#"{"item": "li", "title": "h3"}"#);
        let found = extract(
            &listing,
            "<ul><li><h3>A</h3></li><li>ad</li></ul>",
            DocumentContext::default(),
        )
        .unwrap();
        assert_eq!((found.postings.len(), found.skipped), (1, 1));
    }
}
