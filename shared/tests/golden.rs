//! Golden tests: every recorded corpus response through the whole parse path (`auto` kind,
//! the URL it was fetched from), checked against values read by hand from the raw files.

use chrono::{DateTime, TimeZone, Utc};
use jobfeed::JobPosting;
use jobfeed::extract::ExtractKind;
use jobfeed::model::{
    Category, EmploymentType, Salary, SalaryPeriod, Seniority, SourceKind, Workplace,
};
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, ParsedDocument, parse_document};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/corpus");

fn fetched_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap()
}

/// The address a corpus file was fetched from, from `urls.tsv`.
fn url_of(file: &str) -> url::Url {
    let index = std::fs::read_to_string(format!("{CORPUS}/urls.tsv")).unwrap();
    let url = index
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .find(|(name, _)| *name == file)
        .map(|(_, url)| url)
        .unwrap_or_else(|| panic!("{file} is listed in urls.tsv"));
    url::Url::parse(url).unwrap()
}

fn parse_with(file: &str, kind: ExtractKind) -> ParsedDocument {
    let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
    let url = url_of(file);
    let options = ParseOptions {
        kind,
        url: Some(&url),
        source: Some("golden"),
        company_override: None,
        fetched_at: fetched_at(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    parse_document(&bytes, &options).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn parse(file: &str) -> Vec<JobPosting> {
    parse_with(file, ExtractKind::Auto).postings
}

fn time(text: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc),
    )
}

fn place(p: &JobPosting, i: usize) -> (String, Option<&str>, Option<&str>, Option<&str>) {
    let l = &p.locations[i];
    (
        l.raw.clone(),
        l.city.as_deref(),
        l.region.as_deref(),
        l.country.as_deref(),
    )
}

fn by_title<'a>(postings: &'a [JobPosting], title: &str) -> &'a JobPosting {
    postings
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("a posting titled {title:?}"))
}

/// Invariants every emitted posting keeps, whatever the source.
fn assert_well_formed(postings: &[JobPosting]) {
    for p in postings {
        assert_eq!(p.id.len(), 32, "{}", p.title);
        assert!(!p.title.trim().is_empty());
        assert!(p.url.starts_with("https://") || p.url.starts_with("http://"));
        assert!(!p.company.name.is_empty(), "{} has a company", p.title);
        assert_eq!(p.fingerprint.len(), 32);
        assert_eq!(p.content_hash.len(), 32);
        let mut sorted = p.skills.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(p.skills, sorted, "skills are sorted and unique");
        if let Some(Salary {
            min: Some(min),
            max: Some(max),
            ..
        }) = p.salary
        {
            assert!(min <= max);
        }
        for forbidden in [
            "<script",
            "<style",
            "<iframe",
            "javascript:",
            "onclick",
            "&lt;p&gt;",
        ] {
            assert!(
                !p.description_html.to_lowercase().contains(forbidden),
                "{}: description has {forbidden}",
                p.title
            );
        }
        assert!(!p.description_text.contains('<') || !p.description_text.contains("</"));
    }
    let mut ids: Vec<&str> = postings.iter().map(|p| p.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        postings.len(),
        "ids are unique within a document"
    );
}

#[test]
fn greenhouse_board_list_yields_every_job_with_its_location_and_dates() {
    let postings = parse("greenhouse/jobs_rsp.json");
    assert_eq!(postings.len(), 7);
    assert_well_formed(&postings);
    let first = &postings[0];
    assert_eq!(first.source_kind, SourceKind::Greenhouse);
    assert_eq!(first.title, "GTM and Business Operations Lead");
    assert_eq!(first.external_id.as_deref(), Some("5019966007"));
    assert_eq!(first.company.name, "Safari AI");
    assert_eq!(
        first.url,
        "https://job-boards.greenhouse.io/safariai/jobs/5019966007"
    );
    assert_eq!(first.locations[0].raw, "Miami");
    assert_eq!(first.locations[0].city.as_deref(), Some("Miami"));
    assert_eq!(first.posted_at, time("2026-01-09T19:59:08Z"));
    assert_eq!(first.seniority, Some(Seniority::Lead));
    assert_eq!(
        first.description_html, "",
        "content=false lists have no description"
    );

    let intern = by_title(&postings, "GTM Engineering Intern");
    assert_eq!(intern.workplace, Some(Workplace::Remote));
    assert_eq!(intern.seniority, Some(Seniority::Intern));
    assert_eq!(intern.employment_type, Some(EmploymentType::Internship));

    let sdr = by_title(&postings, "Sales Development Representative");
    assert_eq!(
        place(sdr, 0),
        (
            "Miami, Florida, United States".to_owned(),
            Some("Miami"),
            Some("FL"),
            Some("US")
        )
    );
    assert_eq!(sdr.category, Some(Category::Other));

    let head = by_title(&postings, "Head of Partnerships");
    assert_eq!(place(head, 0).3, Some("US"), "Miami, FL is in the US");
    assert_eq!(head.seniority, Some(Seniority::Director));
}

#[test]
fn greenhouse_job_detail_decodes_escaped_content_and_splits_offices() {
    let postings = parse("greenhouse/job_detail_rsp.json");
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Account Executive, AI Native");
    assert_eq!(job.company.name, "Anthropic");
    assert_eq!(job.external_id.as_deref(), Some("4461450008"));
    assert_eq!(
        job.url,
        "https://job-boards.greenhouse.io/anthropic/jobs/4461450008"
    );
    assert_eq!(job.department.as_deref(), Some("Sales"));
    assert_eq!(job.workplace, Some(Workplace::Onsite));
    assert_eq!(job.locations.len(), 2);
    assert_eq!(place(job, 0).1, Some("San Francisco"));
    assert_eq!(place(job, 0).2, Some("CA"));
    assert_eq!(place(job, 0).3, Some("US"));
    assert_eq!(place(job, 1).1, Some("New York City"));
    assert_eq!(place(job, 1).3, Some("US"));
    assert_eq!(job.posted_at, time("2024-12-20T18:53:38Z"));
    assert!(
        job.description_html.contains("<h2>"),
        "escaped HTML was decoded"
    );
    assert!(job.description_text.contains("About Anthropic"));
    assert!(!job.description_text.contains("&amp;"));
    assert_eq!(job.category, Some(Category::Other));
    // The pay block at the end of the content: "$222,800 — $290,000 USD", annual.
    assert_eq!(
        job.salary,
        Some(Salary {
            min: Some(222800.0),
            max: Some(290000.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
}

#[test]
fn lever_postings_read_epoch_millisecond_dates_commitment_and_workplace() {
    let postings = parse("lever/postings_rsp.json");
    assert_eq!(postings.len(), 3);
    assert_well_formed(&postings);
    let writer = &postings[0];
    assert_eq!(writer.source_kind, SourceKind::Lever);
    assert_eq!(writer.title, "AbelsonTaylor Writer");
    assert_eq!(
        writer.external_id.as_deref(),
        Some("33538a2f-d27d-4a96-8f05-fa4b0e4d940e")
    );
    assert_eq!(
        writer.url,
        "https://jobs.lever.co/leverdemo/33538a2f-d27d-4a96-8f05-fa4b0e4d940e"
    );
    assert_eq!(
        writer.apply_url.as_deref(),
        Some("https://jobs.lever.co/leverdemo/33538a2f-d27d-4a96-8f05-fa4b0e4d940e/apply")
    );
    assert_eq!(writer.company.name, "leverdemo");
    assert_eq!(writer.posted_at, time("2019-03-21T16:33:55.299Z"));
    assert_eq!(writer.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(writer.workplace, Some(Workplace::Hybrid));
    assert_eq!(
        place(writer, 0),
        (
            "Arlington, TX".to_owned(),
            Some("Arlington"),
            Some("TX"),
            Some("US")
        )
    );
    assert!(
        writer
            .description_text
            .contains("Lever builds modern recruiting software")
    );

    let bombay = by_title(&postings, "Account Executive");
    assert_eq!(bombay.posted_at, time("2019-05-16T21:12:28.927Z"));
    assert_eq!(place(bombay, 0).3, Some("IN"));
    assert_eq!(bombay.workplace, None, "`unspecified` says nothing");
    assert_eq!(bombay.employment_type, None);
}

#[test]
fn ashby_board_reads_structured_addresses_and_secondary_locations() {
    let postings = parse("ashby/board_rsp.json");
    assert_eq!(postings.len(), 5);
    assert_well_formed(&postings);
    let agent = &postings[0];
    assert_eq!(agent.source_kind, SourceKind::Ashby);
    assert_eq!(agent.title, "Software Engineer (Agent Platform)");
    assert_eq!(
        agent.url,
        "https://jobs.ashbyhq.com/browserbase/7724fbe3-6a27-4418-9705-2dcc40751a16"
    );
    assert_eq!(agent.company.name, "browserbase");
    assert_eq!(agent.department.as_deref(), Some("Engineering"));
    assert_eq!(agent.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(agent.workplace, Some(Workplace::Onsite));
    assert_eq!(agent.posted_at, time("2025-08-25T20:13:34.942Z"));
    assert_eq!(agent.locations.len(), 2);
    assert_eq!(place(agent, 0).1, Some("San Francisco"));
    assert_eq!(place(agent, 0).3, Some("US"));
    assert_eq!(place(agent, 1).1, Some("New York"));
    assert_eq!(place(agent, 1).3, Some("US"));
    assert!(!agent.description_html.is_empty());

    let manager = by_title(&postings, "Customer Engineering Manager");
    assert_eq!(manager.seniority, Some(Seniority::Manager));
}

#[test]
fn workable_list_builds_public_urls_from_the_account_and_shortcode() {
    let postings = parse("workable/jobs_rsp.json");
    assert_eq!(postings.len(), 10);
    assert_well_formed(&postings);
    let ios = by_title(&postings, "Senior Software Engineer, iOS");
    assert_eq!(ios.source_kind, SourceKind::Workable);
    assert_eq!(
        ios.url,
        "https://apply.workable.com/blueground/j/B02DA69C8F"
    );
    assert_eq!(ios.external_id.as_deref(), Some("B02DA69C8F"));
    assert_eq!(ios.workplace, Some(Workplace::Remote));
    assert_eq!(ios.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(ios.seniority, Some(Seniority::Senior));
    assert_eq!(ios.category, Some(Category::Mobile));
    assert_eq!(ios.posted_at, time("2026-07-14T00:00:00Z"));
    assert_eq!(
        place(ios, 0),
        (
            "Athens, Greece".to_owned(),
            Some("Athens"),
            Some("Attica"),
            Some("GR")
        )
    );
    let boston = by_title(&postings, "Operations Partner (Flexible Contract BOS)");
    assert_eq!(boston.employment_type, Some(EmploymentType::Contract));
    assert_eq!(boston.workplace, Some(Workplace::Onsite));
    assert_eq!(place(boston, 0).3, Some("US"));
}

#[test]
fn workable_detail_reads_the_description_and_matches_the_listed_posting() {
    let postings = parse("workable/job_detail_rsp.json");
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Senior Software Engineer, iOS");
    assert_eq!(
        job.url,
        "https://apply.workable.com/blueground/j/B02DA69C8F"
    );
    // This posting's `requirements` and `benefits` are empty: no empty sections are added.
    assert!(!job.description_html.ends_with("</h3>"));
    assert!(job.description_text.len() > 1000);
    assert!(job.skills.iter().any(|s| s == "swift"), "{:?}", job.skills);
    // The list and the detail are the same posting.
    let listed = parse("workable/jobs_rsp.json");
    assert_eq!(
        by_title(&listed, "Senior Software Engineer, iOS").id,
        job.id
    );
}

#[test]
fn smartrecruiters_list_and_detail_describe_the_same_posting() {
    let postings = parse("smartrecruiters/postings_rsp.json");
    assert_eq!(postings.len(), 5);
    assert_well_formed(&postings);
    let locker = &postings[0];
    assert_eq!(locker.title, "Female Locker Room Associate, Houston");
    assert_eq!(locker.company.name, "Equinox");
    assert_eq!(locker.external_id.as_deref(), Some("744000137225639"));
    assert_eq!(locker.employment_type, Some(EmploymentType::PartTime));
    assert_eq!(locker.department.as_deref(), Some("Club - Staff"));
    assert_eq!(
        place(locker, 0),
        (
            "Houston, TX, United States".to_owned(),
            Some("Houston"),
            Some("TX"),
            Some("US")
        )
    );
    assert_eq!(locker.posted_at, time("2026-07-10T23:49:03.072Z"));
    let sales = by_title(&postings, "Membership Sales Advisor, Chicago");
    assert_eq!(sales.employment_type, Some(EmploymentType::FullTime));

    let detail = parse("smartrecruiters/posting_detail_rsp.json");
    assert_eq!(detail.len(), 1);
    assert_well_formed(&detail);
    assert_eq!(detail[0].id, locker.id);
    assert_eq!(
        detail[0].url,
        "https://jobs.smartrecruiters.com/Equinox/744000137225639-female-locker-room-associate-houston"
    );
    assert!(!detail[0].description_text.is_empty());
}

#[test]
fn recruitee_offer_with_null_fields_still_yields_a_posting() {
    let postings = parse("recruitee/offers_nulls_rsp.json");
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Minimal Job");
    assert_eq!(job.company.name, "minimal");
    assert_eq!(job.external_id.as_deref(), Some("12345"));
    assert_eq!(job.url, "https://minimal.recruitee.com/o/minimal-job");
    assert_eq!(
        job.apply_url.as_deref(),
        Some("https://minimal.recruitee.com/o/minimal-job/c/new")
    );
    assert_eq!(job.posted_at, time("2026-07-13T12:00:00Z"));
    assert!(job.locations.is_empty());
    assert_eq!(job.salary, None);
    assert_eq!(job.description_text, "");
}

#[test]
fn remoteok_skips_the_legal_notice_and_treats_zero_salary_as_unknown() {
    let parsed = parse_with("remoteok/jobs_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.postings.len(), 6, "element 0 is the legal notice");
    assert_eq!(parsed.skipped, 0, "the notice is not a skipped posting");
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let scheduler = &postings[0];
    assert_eq!(scheduler.external_id.as_deref(), Some("1134996"));
    assert_eq!(scheduler.company.name, "Orchestrate Consulting Group");
    assert_eq!(scheduler.salary, None, "0/0 means unknown");
    assert_eq!(scheduler.workplace, Some(Workplace::Remote));
    assert_eq!(scheduler.posted_at, time("2026-07-17T18:07:48Z"));
    assert_eq!(
        scheduler.url,
        "https://remoteok.com/remote-jobs/remote-patient-access-scheduler-centralized-scheduling-ft-8-30a-5p-orchestrate-consulting-group-1134996"
    );
    let crypto = by_title(&postings, "Entry Level Crypto Market Specialist");
    assert_eq!(
        crypto.salary,
        Some(Salary {
            min: Some(50000.0),
            max: Some(70000.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
    assert_eq!(crypto.seniority, Some(Seniority::Junior));
}

#[test]
fn himalayas_search_gives_remote_postings_with_structured_pay_and_epoch_second_dates() {
    let parsed = parse_with("himalayas/search_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.postings.len(), 20);
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    assert!(
        postings
            .iter()
            .all(|p| p.source_kind == SourceKind::Himalayas)
    );
    assert!(
        postings
            .iter()
            .all(|p| p.workplace == Some(Workplace::Remote))
    );
    let gitlab = postings
        .iter()
        .find(|p| p.company.name == "GitLab")
        .expect("the GitLab posting");
    assert!(
        gitlab.title.starts_with("Senior Backend Engineer"),
        "{}",
        gitlab.title
    );
    assert_eq!(
        gitlab.url,
        "https://himalayas.app/companies/gitlab-com/jobs/senior-backend-engineer-analytics-instrumentation-golang"
    );
    assert_eq!(
        gitlab.salary,
        Some(Salary {
            min: Some(117600.0),
            max: Some(252000.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
    assert_eq!(gitlab.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(gitlab.seniority, Some(Seniority::Senior));
    // `pubDate` 1783623444 and `expiryDate` 1788807443 are seconds, not milliseconds.
    assert_eq!(gitlab.posted_at, time("2026-07-09T18:57:24Z"));
    assert_eq!(gitlab.valid_through, time("2026-09-07T18:57:23Z"));
    assert!(
        gitlab.locations.is_empty(),
        "the countries are where applicants live"
    );
    assert!(!gitlab.remote_regions.is_empty());
    // A currency with no amounts is no salary.
    assert_eq!(postings.iter().filter(|p| p.salary.is_some()).count(), 1);
}

#[test]
fn we_work_remotely_feed_splits_company_from_title_and_reads_regions() {
    let postings = parse("weworkremotely/back_end_rsp.xml");
    assert_eq!(postings.len(), 7);
    assert_well_formed(&postings);
    let java = &postings[0];
    assert_eq!(java.source_kind, SourceKind::Rss);
    assert_eq!(java.company.name, "Proxify AB");
    assert_eq!(java.title, "Senior Java Backend Developer");
    assert_eq!(
        java.url,
        "https://weworkremotely.com/remote-jobs/proxify-ab-senior-java-backend-developer"
    );
    assert_eq!(java.posted_at, time("2026-07-13T13:41:15Z"));
    assert_eq!(java.valid_through, time("2026-08-12T13:41:15Z"));
    assert_eq!(java.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(java.workplace, Some(Workplace::Remote));
    assert!(
        java.remote_regions.is_empty(),
        "Anywhere in the World is unrestricted"
    );
    assert_eq!(java.seniority, Some(Seniority::Senior));
    assert_eq!(java.category, Some(Category::Backend));
    assert!(java.skills.iter().any(|s| s == "java"), "{:?}", java.skills);

    let bunny = by_title(&postings, "Staff Software Engineer (Magic Containers)");
    assert_eq!(bunny.company.name, "bunny.net");
    assert_eq!(bunny.seniority, Some(Seniority::Staff));
    for skill in ["c#", "kubernetes", "linux"] {
        assert!(
            bunny.skills.iter().any(|s| s == skill),
            "{skill} in {:?}",
            bunny.skills
        );
    }
    let fullstack = by_title(&postings, "Full Stack AI Engineer");
    assert_eq!(fullstack.company.name, "Reveleer");
}

#[test]
fn nodesk_job_page_reads_json_ld_with_salary_and_remote_anywhere() {
    let postings = parse("nodesk/job_detail_rsp.html");
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.source_kind, SourceKind::JsonLd);
    assert_eq!(job.title, "Software engineer");
    assert_eq!(job.company.name, "Sticker Mule");
    assert_eq!(
        job.company.url.as_deref(),
        Some("https://www.stickermule.com/")
    );
    assert_eq!(
        job.url,
        "https://nodesk.co/remote-jobs/sticker-mule-software-engineer"
    );
    assert_eq!(job.workplace, Some(Workplace::Remote));
    assert!(job.remote_regions.is_empty());
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(
        job.salary,
        Some(Salary {
            min: Some(150000.0),
            max: Some(250000.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
    assert_eq!(job.posted_at, time("2026-07-10T00:00:00Z"));
    assert_eq!(job.valid_through, time("2026-08-25T00:00:00Z"));
    assert!(job.description_text.starts_with("Sticker Mule is building"));
}

#[test]
fn a_page_for_a_posting_that_no_longer_exists_yields_nothing() {
    assert!(parse("nodesk/job_detail_notfound_rsp.html").is_empty());
    assert!(
        parse("icims/search_rsp.html").is_empty(),
        "a listing page is not a posting"
    );
}

#[test]
fn icims_job_page_reads_salary_written_into_salary_currency() {
    let postings = parse("icims/job_detail_rsp.html");
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Senior Product Manager");
    assert_eq!(job.company.name, "BusPatrol");
    assert_eq!(
        job.url,
        "https://careers-buspatrol.icims.com/jobs/1977/senior-product-manager/job"
    );
    assert_eq!(
        place(job, 0),
        (
            "Austin, TX, US".to_owned(),
            Some("Austin"),
            Some("TX"),
            Some("US")
        )
    );
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.seniority, Some(Seniority::Senior));
    assert_eq!(job.category, Some(Category::Product));
    assert_eq!(
        job.salary,
        Some(Salary {
            min: Some(190000.0),
            max: Some(200000.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
    assert_eq!(job.posted_at, time("2025-12-05T05:00:00Z"));
    assert_eq!(job.valid_through, time("2027-12-05T05:00:00Z"));
}

#[test]
fn join_next_js_page_reads_escaped_json_ld_description() {
    let postings = parse("join/job_detail_rsp.html");
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(
        job.title,
        "Senior Software Engineer (Backend/LLM Infrastructure)"
    );
    assert_eq!(job.company.name, "Routine Labs");
    assert_eq!(
        job.company.logo_url.as_deref(),
        Some("https://cdn.join.com/69a1747e79b29c00082ad67c/routine-labs-logo-m.png")
    );
    assert_eq!(
        place(job, 0),
        (
            "Berlin, Germany".to_owned(),
            Some("Berlin"),
            None,
            Some("DE")
        )
    );
    assert_eq!(job.seniority, Some(Seniority::Senior));
    assert_eq!(job.category, Some(Category::Backend));
    assert_eq!(job.posted_at, time("2025-12-18T15:37:26.494Z"));
    assert!(
        job.description_html
            .contains("<strong>Routine Labs</strong>")
    );
    assert!(job.description_text.contains("Routine Labs"));
    assert!(!job.description_text.contains("&#39;"));
}

#[test]
fn pages_without_structured_data_need_a_recipe() {
    for file in [
        "engage/job_detail_no_jsonld_rsp.html",
        "linkedin/job_detail_rsp.html",
    ] {
        let parsed = parse_with(file, ExtractKind::Auto);
        assert!(parsed.postings.is_empty(), "{file} has no JSON-LD posting");
    }
}

#[test]
fn recipes_extract_the_engage_and_linkedin_pages() {
    let with_recipe = |file: &str, recipe: &str| {
        let path = format!("{}/testdata/recipes/{recipe}", env!("CARGO_MANIFEST_DIR"));
        let recipe: jobfeed::extract::HtmlRecipe =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let parsed = parse_with(file, ExtractKind::Recipe(Box::new(recipe)));
        assert_eq!(parsed.postings.len(), 1, "{file}");
        assert_well_formed(&parsed.postings);
        parsed.postings.into_iter().next().unwrap()
    };
    let engage = with_recipe("engage/job_detail_no_jsonld_rsp.html", "engage.json");
    assert_eq!(engage.source_kind, SourceKind::Html);
    assert_eq!(engage.url, "https://en-gage.net/aspark-tokyo/work_17068421");
    assert!(
        engage.title.starts_with("コーダーエンジニア"),
        "{}",
        engage.title
    );
    assert!(!engage.description_text.is_empty());

    let linkedin = with_recipe("linkedin/job_detail_rsp.html", "linkedin.json");
    assert_eq!(linkedin.title, "Software Engineer");
    assert_eq!(linkedin.company.name, "BoostDraft");
    // The page's canonical link wins over the address it was fetched from.
    assert_eq!(
        linkedin.url,
        "https://tw.linkedin.com/jobs/view/software-engineer-at-boostdraft-4422697744"
    );
    assert!(!linkedin.description_text.is_empty());
}

#[test]
fn the_same_document_parsed_twice_gives_identical_postings() {
    for file in [
        "greenhouse/jobs_rsp.json",
        "weworkremotely/back_end_rsp.xml",
        "join/job_detail_rsp.html",
    ] {
        assert_eq!(parse(file), parse(file), "{file}");
    }
}

/// Every corpus file the way the functions handle it: the crawler's `extract_document`, the
/// queue's JSON, then ingest's `ExtractedPosting::normalize`, gives the postings
/// `parse_document` gives in one process, field for field.
#[test]
fn extracting_in_the_crawler_and_normalizing_at_ingest_gives_the_same_postings() {
    let index = std::fs::read_to_string(format!("{CORPUS}/urls.tsv")).unwrap();
    let mut compared = 0;
    let files = index
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'));
    for (file, _) in files {
        let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
        let url = url_of(file);
        let options = ParseOptions {
            kind: ExtractKind::Auto,
            url: Some(&url),
            source: Some("golden"),
            company_override: Some("Golden Inc"),
            fetched_at: fetched_at(),
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        };
        let (Ok(parsed), Ok(extracted)) = (
            parse_document(&bytes, &options),
            jobfeed::parse::extract_document(&bytes, &options),
        ) else {
            continue;
        };
        assert_eq!(extracted.postings.len(), parsed.postings.len(), "{file}");
        assert_eq!(extracted.skipped, parsed.skipped, "{file}");
        for (mut sent, expected) in extracted.postings.into_iter().zip(&parsed.postings) {
            assert_eq!(sent.id, expected.id, "{file}");
            let json = serde_json::to_string(&sent).unwrap();
            let received: jobfeed::parse::ExtractedPosting = serde_json::from_str(&json).unwrap();
            // A list record's detail request is the crawl's alone: it never travels.
            sent.record.detail_url = None;
            // A list record's detail address is the crawl's alone: it never travels.
            let mut travelling = sent.clone();
            travelling.record.detail_url = None;
            assert_eq!(
                received, travelling,
                "{file}: the queue's JSON keeps every other field"
            );
            let normalized = received.normalize("golden", Some("Golden Inc")).unwrap();
            assert_eq!(&normalized, expected, "{file}");
            compared += 1;
        }
    }
    assert!(compared >= 40, "{compared} postings compared");
}

/// The error parsing a corpus file fetched from `url` gives (error answers are not listed
/// in `urls.tsv`, whose every document parses).
fn parse_error(file: &str, url: &str, kind: ExtractKind) -> String {
    let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
    let url = url::Url::parse(url).unwrap();
    let options = ParseOptions {
        kind,
        url: Some(&url),
        source: Some("golden"),
        company_override: None,
        fetched_at: fetched_at(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    match parse_document(&bytes, &options) {
        Ok(parsed) => panic!("{file}: expected an error, got {parsed:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn workday_search_gives_each_job_with_its_public_address_and_no_description() {
    let parsed = parse_with("workday/nvidia_jobs_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Workday));
    assert_eq!(parsed.postings.len(), 20);
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let first = &postings[0];
    assert_eq!(first.title, "Software Golang Kubernetes Engineer");
    assert_eq!(
        first.url,
        "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/Israel-Tel-Aviv/Software-Golang-Kubernetes-Engineer_JR2020442"
    );
    assert_eq!(first.external_id.as_deref(), Some("JR2020442"));
    assert_eq!(first.company.name, "nvidia");
    assert!(first.locations.is_empty(), "`3 Locations` is a count");
    assert!(first.description_html.is_empty());
    let santa_clara = by_title(
        &postings,
        "Senior System Software Engineer – GeForce NOW Cloud",
    );
    assert_eq!(
        place(santa_clara, 0),
        (
            "US, CA, Santa Clara".to_owned(),
            Some("Santa Clara"),
            Some("CA"),
            Some("US")
        )
    );
    let pune = by_title(&postings, "Senior DevOps Engineer");
    assert_eq!(
        place(pune, 0),
        ("India, Pune".to_owned(), Some("Pune"), None, Some("IN"))
    );
    // The same page read as a fixed kind gives the same postings.
    let fixed = parse_with(
        "workday/nvidia_jobs_rsp.json",
        ExtractKind::Fixed(SourceKind::Workday),
    );
    assert_eq!(fixed.postings, postings);
}

#[test]
fn workday_detail_gives_the_full_posting_dated_by_its_start_date() {
    let parsed = parse_with("workday/nvidia_job_detail_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Workday));
    assert_eq!(
        parsed.postings.len(),
        1,
        "the similar jobs are not postings"
    );
    let job = &parsed.postings[0];
    assert_well_formed(&parsed.postings);
    assert_eq!(job.title, "Senior Software Golang Kubernetes Engineer");
    assert_eq!(
        job.url,
        "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/Israel-Yokneam/Senior-Software-Golang-Kubernetes-Engineer_JR2015916"
    );
    assert_eq!(job.external_id.as_deref(), Some("JR2015916"));
    assert_eq!(job.company.name, "IL00 Mellanox Technologies, Ltd.");
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.workplace, None, "no `remoteType` and no remote place");
    // `Posted 30+ Days Ago` gives no date; `startDate` does.
    assert_eq!(job.posted_at, time("2026-04-24T00:00:00Z"));
    let places: Vec<_> = (0..job.locations.len()).map(|i| place(job, i)).collect();
    assert_eq!(
        places,
        [
            (
                "Israel, Yokneam".to_owned(),
                Some("Yokneam"),
                None,
                Some("IL")
            ),
            (
                "Israel, Raanana".to_owned(),
                Some("Raanana"),
                None,
                Some("IL")
            ),
            (
                "Israel, Tel Aviv".to_owned(),
                Some("Tel Aviv"),
                None,
                Some("IL")
            ),
        ]
    );
    assert!(
        job.description_text
            .contains("NVIDIA Networking is looking for")
    );
    assert!(
        job.skills.iter().any(|s| s == "kubernetes"),
        "{:?}",
        job.skills
    );
    assert_eq!(job.salary, None);
    // The search lists it under the same id (its requisition, `JR2015916`).
    let listed = parse_with("workday/nvidia_jobs_rsp.json", ExtractKind::Auto);
    assert_eq!(listed.postings[1].id, job.id);
}

#[test]
fn workday_facets_search_gives_only_its_one_job() {
    let parsed = parse_with("workday/facets_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Workday));
    assert_eq!(parsed.skipped, 0);
    let titles: Vec<&str> = parsed.postings.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Senior Scientific Machine Learning Engineer – Earth-2"]
    );
    assert_eq!(
        parsed.postings[0].url,
        "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/US-CA-Santa-Clara/Senior-Scientific-Machine-Learning-Engineer---Earth-2_JR2012860"
    );
}

#[test]
fn eightfold_search_gives_positions_with_workplace_dates_and_places() {
    let parsed = parse_with("eightfold/search_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Eightfold));
    assert_eq!(parsed.postings.len(), 10);
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let first = &postings[0];
    assert_eq!(first.title, "Vice President - Prin Software Eng");
    assert_eq!(
        first.url,
        "https://morganstanley.eightfold.ai/careers/job/549798858854"
    );
    assert_eq!(first.external_id.as_deref(), Some("549798858854"));
    assert_eq!(first.company.name, "morganstanley");
    assert_eq!(first.department.as_deref(), Some("Software Engineering"));
    assert_eq!(first.workplace, Some(Workplace::Hybrid));
    // `postedTs` 1783900800 is seconds.
    assert_eq!(first.posted_at, time("2026-07-13T00:00:00Z"));
    assert_eq!(
        place(first, 0),
        (
            "Bengaluru, Karnataka, India".to_owned(),
            Some("Bengaluru"),
            Some("KA"),
            Some("IN")
        )
    );
    assert!(first.description_html.is_empty());
    let parametric = by_title(&postings, "Analyst, Client Reporting - Parametric");
    assert_eq!(parametric.workplace, Some(Workplace::Onsite));
    assert_eq!(
        (0..2).map(|i| place(parametric, i)).collect::<Vec<_>>(),
        [
            (
                "Seattle, Washington, United States of America".to_owned(),
                Some("Seattle"),
                Some("WA"),
                Some("US")
            ),
            (
                "Boston, Massachusetts, United States of America".to_owned(),
                Some("Boston"),
                Some("MA"),
                Some("US")
            ),
        ]
    );
    let london = by_title(
        &postings,
        "Investment Management - Trading Assistant - Analyst",
    );
    assert_eq!(place(london, 0).3, Some("GB"));
}

#[test]
fn eightfold_position_details_give_the_full_posting() {
    let parsed = parse_with("eightfold/position_details_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Eightfold));
    assert_eq!(parsed.postings.len(), 1);
    assert_well_formed(&parsed.postings);
    let job = &parsed.postings[0];
    assert_eq!(job.title, "Vice President - Prin Software Eng");
    assert_eq!(
        job.url,
        "https://morganstanley.eightfold.ai/careers/job/549798858854"
    );
    assert!(
        job.apply_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://ms.wd5.myworkdayjobs.com/External/job/"))
    );
    assert_eq!(job.external_id.as_deref(), Some("549798858854"));
    assert_eq!(job.workplace, Some(Workplace::Hybrid));
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.posted_at, time("2026-07-13T00:00:00Z"));
    assert_eq!(place(job, 0).3, Some("IN"));
    assert!(job.description_text.contains("Morgan Stanley"));
    assert!(job.description_text.contains("FRPPE Tech"));
    // The list record and the details give the posting the same id.
    let listed = parse_with("eightfold/search_rsp.json", ExtractKind::Auto);
    assert_eq!(listed.postings[0].id, job.id);
}

#[test]
fn eightfold_position_not_found_is_an_error_that_says_so() {
    for kind in [ExtractKind::Auto, ExtractKind::Fixed(SourceKind::Eightfold)] {
        let error = parse_error(
            "eightfold/position_details_not_found_rsp.json",
            "https://morganstanley.eightfold.ai/api/pcsx/position_details?position_id=1&domain=morganstanley.com&hl=en",
            kind,
        );
        assert!(error.contains("Position not found"), "{error}");
    }
}

/// A corpus response fetched from `url` through the whole parse path, error or not (error
/// answers are not in `urls.tsv`, whose documents all parse).
fn parse_outcome(
    file: &str,
    url: &str,
    kind: ExtractKind,
) -> Result<ParsedDocument, jobfeed::error::ParseError> {
    let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
    let url = url::Url::parse(url).unwrap();
    let options = ParseOptions {
        kind,
        url: Some(&url),
        source: Some("golden"),
        company_override: None,
        fetched_at: fetched_at(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    parse_document(&bytes, &options)
}

#[test]
fn bamboohr_list_gives_every_opening_with_its_place_and_workplace_but_no_description() {
    let parsed = parse_with("bamboohr/list_variety_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::BambooHr));
    assert_eq!(parsed.postings.len(), 21);
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let chef = &postings[0];
    assert_eq!(chef.title, "Vessel Chef");
    assert_eq!(chef.external_id.as_deref(), Some("201"));
    assert_eq!(chef.url, "https://curtinmaritime.bamboohr.com/careers/201");
    assert_eq!(chef.company.name, "curtinmaritime");
    assert_eq!(chef.department.as_deref(), Some("Marine Transportation"));
    assert_eq!(chef.workplace, Some(Workplace::Onsite));
    assert_eq!(chef.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(
        place(chef, 0),
        (
            "Long Beach, California".to_owned(),
            Some("Long Beach"),
            Some("CA"),
            Some("US")
        )
    );
    assert!(
        chef.description_text.is_empty(),
        "the list has no description"
    );
    let hybrid = postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("335"))
        .unwrap();
    assert_eq!(hybrid.title, "OSV Engineer");
    assert_eq!(hybrid.workplace, Some(Workplace::Hybrid));
    let remote = postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("339"))
        .unwrap();
    assert_eq!(remote.title, "Tugboat Engineer");
    assert_eq!(remote.workplace, Some(Workplace::Remote));
    assert_eq!(remote.locations[0].country.as_deref(), Some("US"));
}

#[test]
fn bamboohr_detail_gives_the_posting_with_its_description_date_and_pay() {
    let parsed = parse_with(
        "bamboohr/detail_rsp.json",
        ExtractKind::Fixed(SourceKind::BambooHr),
    );
    assert_eq!(parsed.postings.len(), 1);
    assert_well_formed(&parsed.postings);
    let chef = &parsed.postings[0];
    assert_eq!(chef.title, "Vessel Chef");
    assert_eq!(chef.external_id.as_deref(), Some("201"));
    assert_eq!(chef.url, "https://curtinmaritime.bamboohr.com/careers/201");
    assert_eq!(chef.company.name, "curtinmaritime");
    assert_eq!(chef.workplace, Some(Workplace::Onsite));
    assert_eq!(
        place(chef, 0),
        (
            "Long Beach, California, United States".to_owned(),
            Some("Long Beach"),
            Some("CA"),
            Some("US")
        )
    );
    assert_eq!(chef.posted_at, time("2025-04-22T00:00:00Z"));
    assert_eq!(
        chef.salary,
        Some(Salary {
            min: Some(300.0),
            max: Some(425.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Day),
        })
    );
    assert!(
        chef.description_text
            .contains("Efficiency. Innovation. Integrity.")
    );
    // The list row and the detail are one posting: the crawl sends the detail in its place.
    let listed = parse("bamboohr/list_variety_rsp.json");
    let row = listed.iter().find(|p| p.title == "Vessel Chef").unwrap();
    assert_eq!(row.id, chef.id);
}

#[test]
fn bamboohr_empty_list_is_no_posting_and_an_unknown_opening_is_an_error() {
    let empty = parse_with("bamboohr/list_empty_rsp.json", ExtractKind::Auto);
    assert_eq!(empty.kind, Some(SourceKind::BambooHr));
    assert!(empty.postings.is_empty());
    let error = parse_outcome(
        "bamboohr/detail_not_found_rsp.json",
        "https://giatecscientific.bamboohr.com/careers/999999/detail",
        ExtractKind::Auto,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("not found"), "{error}");
}

#[test]
fn teamtailor_feed_items_are_read_from_their_job_posting_with_nulls_left_out() {
    let parsed = parse_with("teamtailor/jobs_nulls_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Teamtailor));
    assert_eq!(parsed.postings.len(), 1);
    assert_well_formed(&parsed.postings);
    let job = &parsed.postings[0];
    assert_eq!(job.title, "Business & Finance Manager");
    assert_eq!(
        job.url,
        "https://tiptapp.teamtailor.com/jobs/7939271-business-finance-manager"
    );
    assert_eq!(job.external_id.as_deref(), Some("7939271"));
    assert_eq!(job.company.name, "Tiptapp");
    assert_eq!(job.posted_at, time("2026-06-18T15:11:27Z"));
    assert_eq!(
        place(job, 0),
        (
            "Stockholm, SE".to_owned(),
            Some("Stockholm"),
            None,
            Some("SE")
        )
    );
    assert!(job.description_text.contains("Stockholm (hybrid)"));
}

#[test]
fn teamtailor_items_without_a_place_keep_their_posting_and_pay_is_structured() {
    let parsed = parse_with(
        "teamtailor/jobs_missing_location_rsp.json",
        ExtractKind::Fixed(SourceKind::Teamtailor),
    );
    assert_eq!(parsed.postings.len(), 2);
    assert_well_formed(&parsed.postings);
    let nationwide = &parsed.postings[0];
    assert_eq!(
        nationwide.title,
        "Experienced Real Estate Investment Professionals (Nationwide)"
    );
    assert!(nationwide.locations.is_empty());
    assert_eq!(nationwide.company.name, "Carr Talent Acquisition");
    assert_eq!(nationwide.posted_at, time("2026-07-14T21:01:00Z"));
    let buyer = by_title(&parsed.postings, "Home Buying Specialist");
    assert_eq!(
        buyer.salary,
        Some(Salary {
            min: Some(120000.0),
            max: Some(130000.0),
            currency: Some("USD".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
    assert_eq!(buyer.locations[0].city.as_deref(), Some("Miami"));
    assert_eq!(buyer.locations[0].country.as_deref(), Some("US"));
    assert!(!buyer.description_text.is_empty());
}

#[test]
fn teamtailor_unknown_company_is_an_empty_answer_and_an_error() {
    for kind in [
        ExtractKind::Auto,
        ExtractKind::Fixed(SourceKind::Teamtailor),
    ] {
        let error = parse_outcome(
            "teamtailor/jobs_unknown_company_rsp.json",
            "https://openings-mcp-provider-does-not-exist.teamtailor.com/jobs.json",
            kind,
        )
        .unwrap_err();
        assert_eq!(error, jobfeed::error::ParseError::Empty);
    }
}

#[test]
fn rippling_list_merges_the_rows_of_a_job_into_one_posting_with_every_location() {
    let parsed = parse_with("rippling/jobs_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Rippling));
    assert_eq!(parsed.postings.len(), 12, "33 rows, 12 jobs");
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let devops = &postings[0];
    assert_eq!(devops.title, "DevOps Engineer");
    assert_eq!(
        devops.url,
        "https://ats.rippling.com/pythian/jobs/144f31c4-38a4-4666-97b4-2c88a3f123da"
    );
    assert_eq!(devops.company.name, "pythian");
    assert_eq!(devops.department.as_deref(), Some("Managed Services"));
    let countries: Vec<Option<&str>> = devops
        .locations
        .iter()
        .map(|l| l.country.as_deref())
        .collect();
    assert_eq!(
        countries,
        [Some("PL"), Some("ES"), Some("RO"), Some("IN"), Some("GB")]
    );
    let sales = by_title(&postings, "Sales Executive");
    assert_eq!(sales.locations.len(), 5);
    assert_eq!(
        place(sales, 0),
        (
            "Toronto, Canada".to_owned(),
            Some("Toronto"),
            None,
            Some("CA")
        )
    );
    let remote = postings
        .iter()
        .find(|p| p.locations.iter().any(|l| l.raw == "India - Remote"))
        .unwrap();
    assert_eq!(remote.title, "Site Reliability Engineer");
    assert_eq!(remote.locations.len(), 2);
}

#[test]
fn rippling_detail_gives_the_posting_with_all_its_locations_its_description_and_date() {
    let parsed = parse_with(
        "rippling/job_detail_rsp.json",
        ExtractKind::Fixed(SourceKind::Rippling),
    );
    assert_eq!(parsed.postings.len(), 1);
    assert_well_formed(&parsed.postings);
    let job = &parsed.postings[0];
    assert_eq!(job.title, "DevOps Engineer");
    assert_eq!(
        job.url,
        "https://ats.rippling.com/pythian/jobs/144f31c4-38a4-4666-97b4-2c88a3f123da"
    );
    assert_eq!(job.company.name, "Pythian");
    assert_eq!(job.department.as_deref(), Some("SRE"));
    assert_eq!(job.locations.len(), 5);
    assert_eq!(job.locations[0].country.as_deref(), Some("IN"));
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.posted_at, time("2026-06-25T16:07:41.686Z"));
    assert_eq!(job.salary, None);
    assert!(job.description_text.contains("Why Pythian"));
    assert!(
        job.skills.iter().any(|s| s == "kubernetes"),
        "{:?}",
        job.skills
    );
    // The list's row and the detail are one posting: the crawl sends the detail in its place.
    let listed = parse("rippling/jobs_rsp.json");
    assert_eq!(listed[0].id, job.id);
}

#[test]
fn rippling_unknown_board_and_unknown_job_are_errors_that_say_so() {
    let board = parse_outcome(
        "rippling/jobs_unknown_board_rsp.json",
        "https://api.rippling.com/platform/api/ats/v1/board/this-board-does-not-exist-xyz/jobs",
        ExtractKind::Auto,
    )
    .unwrap_err()
    .to_string();
    assert!(board.contains("Job Board not found"), "{board}");
    let job = parse_outcome(
        "rippling/job_not_found_rsp.json",
        "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs/1b2c3d4e-5f60-4789-8abc-def012345678",
        ExtractKind::Fixed(SourceKind::Rippling),
    )
    .unwrap_err()
    .to_string();
    assert!(job.contains("unknown or malformed job id"), "{job}");
}

#[test]
fn herp_company_gives_every_job_with_yen_pay_places_in_japan_and_remote_work() {
    let parsed = parse_with("herp/company_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Herp));
    assert_eq!(parsed.postings.len(), 51);
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let sales = by_title(&postings, "100｜インサイドセールス");
    assert_eq!(sales.url, "https://herp.careers/v1/notainc/ZluM2laebsdh");
    assert_eq!(sales.external_id.as_deref(), Some("ZluM2laebsdh"));
    assert_eq!(sales.company.name, "株式会社Helpfeel");
    assert_eq!(
        sales.company.url.as_deref(),
        Some("https://corp.helpfeel.com/ja/home")
    );
    assert_eq!(sales.workplace, Some(Workplace::Remote));
    assert_eq!(
        place(sales, 0),
        (
            "東京都中央区".to_owned(),
            Some("中央区"),
            Some("東京都"),
            Some("JP")
        )
    );
    assert_eq!(sales.locations.len(), 2);
    assert_eq!(
        sales.salary,
        Some(Salary {
            min: Some(4_000_000.0),
            max: None,
            currency: Some("JPY".into()),
            period: Some(SalaryPeriod::Year),
        })
    );
    assert_eq!(sales.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(sales.posted_at, time("2026-02-03T07:50:41Z"));
    assert!(sales.description_text.contains("必須スキル"));
    assert!(
        sales
            .description_text
            .contains("法人に対する新規営業経験1年以上")
    );
    let hybrid = postings
        .iter()
        .filter(|p| p.workplace == Some(Workplace::Hybrid))
        .count();
    assert_eq!(hybrid, 5);
}

#[test]
fn herp_sparse_company_reads_hourly_pay_and_says_nothing_of_remote_work() {
    let parsed = parse_with(
        "herp/company_sparse_rsp.json",
        ExtractKind::Fixed(SourceKind::Herp),
    );
    assert_eq!(parsed.postings.len(), 7);
    assert_well_formed(&parsed.postings);
    let intern = by_title(&parsed.postings, "ECマーケティングインターン");
    assert_eq!(intern.company.name, "株式会社リスマ");
    assert!(intern.url.starts_with("https://herp.careers/v1/resmahr/"));
    assert_eq!(
        intern.salary,
        Some(Salary {
            min: Some(1500.0),
            max: Some(2000.0),
            currency: Some("JPY".into()),
            period: Some(SalaryPeriod::Hour),
        })
    );
    assert_eq!(intern.employment_type, Some(EmploymentType::Internship));
    assert_eq!(
        place(intern, 0),
        (
            "東京都品川区".to_owned(),
            Some("品川区"),
            Some("東京都"),
            Some("JP")
        )
    );
}

#[test]
fn herp_jobs_api_page_gives_each_companys_jobs_and_an_unknown_company_is_an_error() {
    let parsed = parse_with("herp/jobs_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Herp));
    assert_eq!(parsed.postings.len(), 4);
    assert_well_formed(&parsed.postings);
    let engineer = by_title(&parsed.postings, "AIエンジニア");
    assert_eq!(engineer.company.name, "株式会社Algomatic");
    assert_eq!(
        engineer.url,
        "https://herp.careers/v1/algomatic/3b_GpdNQjy8N"
    );
    assert_eq!(engineer.workplace, Some(Workplace::Hybrid));
    assert!(
        engineer
            .description_text
            .starts_with("AIエンジニア｜多様な業界のAI導入を技術で牽引")
    );
    let error = parse_outcome(
        "herp/company_not_found_rsp.json",
        "https://herp.careers/careers/api/v1/companies/this-company-does-not-exist-xyz",
        ExtractKind::Auto,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("no company of that name"), "{error}");
}

/// A corpus file parsed as if fetched from `address` (the crawl's addresses carry a fragment
/// some kinds read).
fn parse_at(file: &str, address: &str, kind: ExtractKind) -> Result<ParsedDocument, String> {
    let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
    let url = url::Url::parse(address).unwrap();
    let options = ParseOptions {
        kind,
        url: Some(&url),
        source: Some("golden"),
        company_override: None,
        fetched_at: fetched_at(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    parse_document(&bytes, &options).map_err(|e| e.to_string())
}

#[test]
fn dayforce_search_gives_public_pages_text_descriptions_and_structured_places() {
    let parsed = parse_with("dayforce/search_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Dayforce));
    assert_eq!(parsed.postings.len(), 25);
    assert_eq!(parsed.skipped, 0);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let laborer = by_title(&postings, "General Laborer- Wallula");
    assert_eq!(laborer.external_id.as_deref(), Some("62333"));
    assert_eq!(
        laborer.url,
        "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62333"
    );
    assert_eq!(laborer.company.name, "pca");
    assert_eq!(
        place(laborer, 0),
        (
            "PCA, 31572 Hwy 12, Wallula, Washington, United States of America".to_owned(),
            Some("Wallula"),
            Some("WA"),
            Some("US")
        )
    );
    assert_eq!(laborer.posted_at, time("2026-08-10T07:00:00Z"));
    assert_eq!(laborer.valid_through, time("2026-08-15T06:59:00Z"));
    // `hasVirtualLocation: false` is no sign of on-site work.
    assert_eq!(laborer.workplace, None);
    assert!(
        laborer
            .description_text
            .starts_with("Individuals hired as a General Labor Associate")
    );
    assert!(!laborer.description_text.contains("&nbsp;"));
    let remote: Vec<&JobPosting> = postings
        .iter()
        .filter(|p| p.workplace == Some(Workplace::Remote))
        .collect();
    assert_eq!(remote.len(), 1);
    assert_eq!(remote[0].external_id.as_deref(), Some("62239"));
    assert!(postings.iter().all(|p| !p.description_text.is_empty()));
    // Read with the board's code the crawl carries in the fragment.
    let board = parse_at(
        "dayforce/search_page2_rsp.json",
        "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search#jobBoardCode=ENGINEERING&cultureCode=en-CA",
        ExtractKind::Fixed(SourceKind::Dayforce),
    )
    .unwrap();
    assert_eq!(board.postings.len(), 25);
    assert!(board.postings.iter().all(|p| {
        p.url
            .starts_with("https://jobs.dayforcehcm.com/en-CA/pca/ENGINEERING/jobs/")
    }));
}

#[test]
fn dayforce_detail_gives_the_html_description_structured_pay_and_every_place() {
    let parsed = parse_with("dayforce/detail_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Dayforce));
    assert_eq!(parsed.postings.len(), 1);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Electrical Engineering Co Op/Intern - All Mills");
    assert_eq!(job.external_id.as_deref(), Some("62374"));
    assert_eq!(
        job.url,
        "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62374"
    );
    assert_eq!(job.company.name, "pca");
    // HiringMinRate/HiringMaxRate in isoCurrencyRegion; PayType `Salary` names no period.
    assert_eq!(
        job.salary,
        Some(Salary {
            min: Some(25.0),
            max: Some(30.0),
            currency: Some("USD".into()),
            period: None,
        })
    );
    assert_eq!(job.locations.len(), 13);
    assert_eq!(
        place(job, 0),
        (
            "Massillon, OH, USA".to_owned(),
            Some("Massillon"),
            Some("OH"),
            Some("US")
        )
    );
    assert_eq!(job.workplace, None);
    assert_eq!(job.posted_at, time("2026-08-10T05:00:00Z"));
    assert_eq!(job.valid_through, None);
    assert_eq!(job.employment_type, Some(EmploymentType::Internship));
    // Header, body and footer, in that order.
    let text = &job.description_text;
    let header = text.find("As a Fortune 500 company").unwrap();
    let body = text.find("We are seeking resumes").unwrap();
    assert!(header < body);
    assert!(job.description_html.contains("<p>"));
}

#[test]
fn dayforce_details_with_a_null_currency_or_header_invent_nothing() {
    let parsed = parse_with(
        "dayforce/detail_null_currency_rsp.json",
        ExtractKind::Fixed(SourceKind::Dayforce),
    );
    let job = &parsed.postings[0];
    assert_eq!(job.title, "Area Profit Protection Manager - Oxfordshire");
    assert_eq!(
        job.url,
        "https://jobs.dayforcehcm.com/en-US/jdemea/CANDIDATEPORTAL/jobs/35762"
    );
    assert_eq!(job.salary, None);
    assert!(job.locations.is_empty());
    assert_eq!(job.workplace, None, "no place at all is not remote");
    assert_eq!(job.posted_at, time("2026-07-09T00:00:00Z"));
    assert!(job.description_text.starts_with("Established in 1981"));
    let parsed = parse_with(
        "dayforce/detail_null_description_header_rsp.json",
        ExtractKind::Auto,
    );
    let job = &parsed.postings[0];
    assert_eq!(job.title, "Test role with null header");
    assert_eq!(
        job.url,
        "https://jobs.dayforcehcm.com/en-US/ara/CANDIDATEPORTAL/jobs/8"
    );
    assert!(job.description_text.starts_with("PURPOSE"));
}

#[test]
fn dayforce_not_found_and_unknown_tenant_are_errors_that_say_so() {
    // Error responses are not in `urls.tsv` (whose documents all parse): their addresses
    // are those of their `_req.hurl`.
    for (file, address, kind) in [
        (
            "dayforce/detail_not_found_rsp.json",
            "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/pca/en-US/1/99999999",
            ExtractKind::Auto,
        ),
        (
            "dayforce/search_unknown_tenant_rsp.json",
            "https://jobs.dayforcehcm.com/api/geo/nosuchtenantxyz/jobposting/search",
            ExtractKind::Fixed(SourceKind::Dayforce),
        ),
    ] {
        let error = parse_at(file, address, kind).unwrap_err();
        assert!(error.contains("404 Not Found"), "{file}: {error}");
        assert!(error.contains("no such"), "{file}: {error}");
    }
    let error = parse_at(
        "dayforce/attributes_departments_rsp.json",
        "https://jobs.dayforcehcm.com/api/geo/pca/postingattributes/departments/pca/1/en-US",
        ExtractKind::Auto,
    )
    .unwrap_err();
    assert!(error.contains("posting attributes"), "{error}");
}

#[test]
fn oracle_search_gives_each_requisition_at_its_sites_public_page() {
    let parsed = parse_with("oracle/search_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Oracle));
    assert_eq!(parsed.postings.len(), 3);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let cardiologist = by_title(&postings, "Cardiologist - Echo / Imaging");
    assert_eq!(cardiologist.external_id.as_deref(), Some("361564"));
    // Without the crawl's fragment the site is named by its number.
    assert_eq!(
        cardiologist.url,
        "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/job/361564"
    );
    assert_eq!(
        place(cardiologist, 0),
        (
            "Phoenix, AZ, United States".to_owned(),
            Some("Phoenix"),
            Some("AZ"),
            Some("US")
        )
    );
    assert_eq!(cardiologist.posted_at, time("2026-07-14T00:00:00Z"));
    assert_eq!(cardiologist.workplace, None);
    assert!(
        cardiologist.description_text.is_empty(),
        "the search has none"
    );
    let nurse = by_title(&postings, "Registered Nurse - Med/Onc/BMT, Nights - RN");
    assert_eq!(nurse.locations[0].city.as_deref(), Some("Jacksonville"));
    // With it, the site's public name.
    let named = parse_at(
        "oracle/search_facets_rsp.json",
        &format!(
            "{}#siteName=Mayo-US&lang=en",
            url_of("oracle/search_facets_rsp.json")
        ),
        ExtractKind::Auto,
    )
    .unwrap();
    assert_eq!(named.postings.len(), 1);
    assert_eq!(
        named.postings[0].url,
        "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/Mayo-US/job/361564"
    );
    assert_eq!(named.postings[0].company.name, "Mayo-US");
}

#[test]
fn oracle_details_give_the_description_sections_date_and_place() {
    let parsed = parse_with("oracle/job_detail_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Oracle));
    assert_eq!(parsed.postings.len(), 1);
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Senior Analyst - ATS");
    assert_eq!(job.external_id.as_deref(), Some("386920"));
    assert_eq!(
        job.url,
        "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/job/386920"
    );
    assert_eq!(job.posted_at, time("2026-07-14T14:00:09Z"));
    assert_eq!(
        place(job, 0),
        (
            "Phoenix, AZ, United States".to_owned(),
            Some("Phoenix"),
            Some("AZ"),
            Some("US")
        )
    );
    assert_eq!(job.salary, None, "salary expectations are not pay");
    assert_eq!(job.seniority, Some(Seniority::Senior));
    let text = &job.description_text;
    assert!(text.starts_with("Please include a cover letter"));
    let qualifications = text.find("Qualifications").unwrap();
    assert!(text[qualifications..].contains("Bachelor's degree"));
    assert!(
        text.contains("Why Mayo Clinic"),
        "the corporate description"
    );
    // Read as the crawl reads it, from the address a search row names.
    let named = parse_at(
        "oracle/job_detail_rsp.json",
        "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails?expand=all&onlyData=true&finder=ById%3BId%3D%22386920%22%2CsiteNumber%3DCX_1#siteName=Mayo-US&lang=en",
        ExtractKind::Fixed(SourceKind::Oracle),
    )
    .unwrap();
    assert_eq!(
        named.postings[0].url,
        "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/Mayo-US/job/386920"
    );
}

#[test]
fn oracle_requisition_not_found_is_no_postings_and_its_careers_page_none_either() {
    let parsed = parse_with("oracle/job_detail_not_found_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Oracle));
    assert!(parsed.postings.is_empty());
    assert_eq!(parsed.skipped, 0);
    // The careers page is HTML without postings: under `auto` a page with no JSON-LD, under
    // the kind an error that says where the postings are.
    let careers = parse_with("oracle/careers_page_rsp.html", ExtractKind::Auto);
    assert!(careers.postings.is_empty());
    let error = parse_at(
        "oracle/careers_page_rsp.html",
        url_of("oracle/careers_page_rsp.html").as_str(),
        ExtractKind::Fixed(SourceKind::Oracle),
    )
    .unwrap_err();
    assert!(error.contains("requisitions search"), "{error}");
}

/// The error a corpus file gives, as text (for responses that are refusals or not found),
/// read from the address `urls.tsv` lists for it.
fn corpus_error(file: &str, kind: ExtractKind) -> String {
    let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
    let url = url_of(file);
    let options = ParseOptions {
        kind,
        url: Some(&url),
        source: Some("golden"),
        company_override: None,
        fetched_at: fetched_at(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    match parse_document(&bytes, &options) {
        Ok(parsed) => panic!(
            "{file}: expected an error, got {} postings",
            parsed.postings.len()
        ),
        Err(error) => error.to_string(),
    }
}

#[test]
fn ultipro_search_lists_each_opportunity_with_its_page_and_place() {
    let parsed = parse_with("ultipro/search_rsp.json", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::UltiPro));
    assert_eq!((parsed.postings.len(), parsed.skipped), (20, 0));
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let job = by_title(&postings, "Finance Assistant- Maternity Cover (4 months)");
    assert_eq!(
        job.url,
        "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/OpportunityDetail?opportunityId=015f6d1c-4d62-40dc-8b8c-1bd4646fd4d7"
    );
    assert_eq!(
        job.external_id.as_deref(),
        Some("015f6d1c-4d62-40dc-8b8c-1bd4646fd4d7")
    );
    assert_eq!(job.company.name, "TEC1006TESER");
    assert_eq!(job.department.as_deref(), Some("Finance"));
    assert_eq!(job.locations[0].city.as_deref(), Some("Aleta Wondo"));
    assert_eq!(job.locations[0].country.as_deref(), Some("ET"));
    assert_eq!(job.workplace, Some(Workplace::Onsite));
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.posted_at, time("2026-07-17T11:59:56.932Z"));
    assert!(
        job.description_html.is_empty(),
        "the search has no descriptions"
    );
    assert!(
        postings
            .iter()
            .any(|p| p.workplace == Some(Workplace::Remote))
    );
    assert!(
        postings
            .iter()
            .any(|p| p.workplace == Some(Workplace::Hybrid))
    );
    // Same board, fixed kind: the same postings.
    let fixed = parse_with(
        "ultipro/search_rsp.json",
        ExtractKind::Fixed(SourceKind::UltiPro),
    );
    assert_eq!(fixed.postings, postings);
}

#[test]
fn ultipro_opportunity_page_gives_the_full_posting() {
    let parsed = parse_with("ultipro/detail_rsp.html", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::UltiPro));
    let postings = parsed.postings;
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Conseiller Senior en Partenariat-BeniBiz");
    assert_eq!(
        job.url,
        "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/OpportunityDetail?opportunityId=0b81b2f5-ffe3-4604-93b8-19d912c2424f"
    );
    assert_eq!(job.department.as_deref(), Some("Human Resources"));
    assert_eq!(job.locations[0].country.as_deref(), Some("BJ"));
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.workplace, None);
    assert_eq!(job.salary, None, "a hidden pay range without bounds");
    assert_eq!(job.posted_at, time("2025-11-13T10:42:18.461Z"));
    assert!(
        job.description_text
            .contains("Conseiller Senior en Partenariat")
    );
    assert!(job.description_html.contains("<strong>"));
}

#[test]
fn ultipro_unknown_opportunities_and_companies_are_errors() {
    for kind in [ExtractKind::Auto, ExtractKind::Fixed(SourceKind::UltiPro)] {
        let error = corpus_error("ultipro/detail_not_found_rsp.html", kind.clone());
        assert!(error.contains("opportunity was not found"), "{error}");
        let error = corpus_error("ultipro/search_unknown_company_rsp.html", kind);
        assert!(
            error.contains("company or job board does not exist"),
            "{error}"
        );
    }
}

#[test]
fn successfactors_search_lists_each_job_with_its_page_and_place() {
    let parsed = parse_with("successfactors/search_rsp.html", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::SuccessFactors));
    assert_eq!((parsed.postings.len(), parsed.skipped), (25, 0));
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let job = by_title(&postings, "Developer Associate");
    assert_eq!(
        job.url,
        "https://jobs.sap.com/job/Bangalore-Developer-Associate-560066/1414343333"
    );
    assert_eq!(job.external_id.as_deref(), Some("1414343333"));
    assert_eq!(
        job.company.name, "sap.com",
        "the search page names no company"
    );
    assert_eq!(job.locations[0].raw, "Bangalore, IN, 560066");
    assert_eq!(job.locations[0].country.as_deref(), Some("IN"));
    assert!(
        job.description_html.is_empty(),
        "the search has no descriptions"
    );
    // "(m/f/d)" is cleaned out of the title.
    let berlin = by_title(&postings, "Senior Platform Engineer");
    assert!(berlin.url.ends_with("/1408882033"), "{}", berlin.url);
    assert_eq!(berlin.locations[0].city.as_deref(), Some("Berlin"));
    assert_eq!(berlin.locations[0].country.as_deref(), Some("DE"));
    let fixed = parse_with(
        "successfactors/search_rsp.html",
        ExtractKind::Fixed(SourceKind::SuccessFactors),
    );
    assert_eq!(fixed.postings, postings);
}

#[test]
fn successfactors_job_page_gives_the_full_posting() {
    let parsed = parse_with("successfactors/job_detail_rsp.html", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::SuccessFactors));
    let postings = parsed.postings;
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(job.title, "Developer Associate");
    assert_eq!(
        job.url,
        "https://jobs.sap.com/job/Bangalore-Developer-Associate-560066/1414343333"
    );
    assert_eq!(job.external_id.as_deref(), Some("1414343333"));
    assert_eq!(job.company.name, "SAP");
    assert_eq!(
        job.department.as_deref(),
        Some("Software-Design and Development")
    );
    assert_eq!(job.locations[0].country.as_deref(), Some("IN"));
    assert_eq!(job.employment_type, Some(EmploymentType::FullTime));
    assert_eq!(job.posted_at, time("2026-07-13T00:00:00Z"));
    assert_eq!(
        job.apply_url.as_deref(),
        Some("https://jobs.sap.com/talentcommunity/apply/1414343333?locale=en_US")
    );
    assert!(
        job.description_text
            .contains("These profiles cover the Application Engineering role")
    );
    // The list record and the job page are the same posting.
    let listed = parse("successfactors/search_rsp.html");
    assert_eq!(by_title(&listed, "Developer Associate").id, job.id);
}

#[test]
fn successfactors_empty_search_has_no_postings_and_the_error_page_is_an_error() {
    for kind in [
        ExtractKind::Auto,
        ExtractKind::Fixed(SourceKind::SuccessFactors),
    ] {
        let parsed = parse_with("successfactors/search_no_results_rsp.html", kind.clone());
        assert_eq!((parsed.postings.len(), parsed.skipped), (0, 0));
        let error = corpus_error("successfactors/job_detail_not_found_rsp.html", kind);
        assert!(error.contains("error page"), "{error}");
    }
}

#[test]
fn avature_search_lists_each_job_with_its_page_and_place() {
    let parsed = parse_with("avature/search_rsp.html", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Avature));
    assert_eq!((parsed.postings.len(), parsed.skipped), (12, 0));
    let postings = parsed.postings;
    assert_well_formed(&postings);
    let job = by_title(&postings, "Vendor Manager - Japan Supply Chain");
    assert_eq!(
        job.url,
        "https://bloomberg.avature.net/careers/JobDetail/Vendor-Manager-Japan-Supply-Chain/20901"
    );
    assert_eq!(job.external_id.as_deref(), Some("20901"));
    assert_eq!(job.company.name, "Bloomberg");
    assert!(
        job.description_html.is_empty(),
        "the search has no descriptions"
    );
    let new_york = postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("20900"))
        .unwrap();
    assert_eq!(
        place(new_york, 0),
        (
            "New York, New York, United States of America".to_owned(),
            Some("New York"),
            Some("NY"),
            Some("US")
        )
    );
    let second = parse_with("avature/search_offset_rsp.html", ExtractKind::Auto).postings;
    assert_eq!(second.len(), 12);
    assert!(second.iter().all(|p| postings.iter().all(|q| q.id != p.id)));
    let fixed = parse_with(
        "avature/search_rsp.html",
        ExtractKind::Fixed(SourceKind::Avature),
    );
    assert_eq!(fixed.postings, postings);
}

#[test]
fn avature_job_page_gives_the_full_posting() {
    let parsed = parse_with("avature/job_detail_rsp.html", ExtractKind::Auto);
    assert_eq!(parsed.kind, Some(SourceKind::Avature));
    let postings = parsed.postings;
    assert_eq!(postings.len(), 1);
    assert_well_formed(&postings);
    let job = &postings[0];
    assert_eq!(
        job.title,
        "Enterprise Services - FXGO Tradedesk, Client Services Specialist - Singapore"
    );
    assert_eq!(
        job.url,
        "https://bloomberg.avature.net/careers/JobDetail/Enterprise-Services-FXGO-Tradedesk-Client-Services-Specialist-Singapore/20873"
    );
    assert_eq!(job.external_id.as_deref(), Some("20873"));
    assert_eq!(job.company.name, "Bloomberg");
    assert_eq!(job.department.as_deref(), Some("Sales and Client Service"));
    assert_eq!(job.locations[0].country.as_deref(), Some("SG"));
    assert!(
        job.description_text
            .contains("Bloomberg is a global leader")
    );
    assert!(
        job.description_html
            .contains("<h2>Description &amp; Requirements</h2>")
    );
    // The list record and the job page are the same posting.
    let listed = parse("avature/search_rsp.html");
    assert_eq!(listed[0].id, job.id);
}

#[test]
fn avature_empty_search_has_no_postings_and_the_error_page_is_an_error() {
    for kind in [ExtractKind::Auto, ExtractKind::Fixed(SourceKind::Avature)] {
        let parsed = parse_with("avature/search_no_results_rsp.html", kind.clone());
        assert_eq!((parsed.postings.len(), parsed.skipped), (0, 0));
        let error = corpus_error("avature/job_detail_not_found_rsp.html", kind);
        assert!(error.contains("error page"), "{error}");
    }
}

#[test]
fn remoteok_text_double_encoded_by_the_source_is_repaired() {
    let parsed = parse_with("remoteok/jobs_rsp.json", ExtractKind::Auto);
    let apex = parsed
        .postings
        .iter()
        .find(|p| p.company.name == "APEX TRADE")
        .expect("the APEX TRADE posting");
    // The board sent "anÂ&nbsp;" and "required â\u{80}\u{94} training": UTF-8 read as Latin-1.
    assert!(
        apex.description_text.contains("is required — training"),
        "{}",
        apex.description_text
    );
    for text in [&apex.description_text, &apex.description_html] {
        assert!(!text.contains('Â') && !text.contains('â'), "{text}");
    }
}

/// Every salary read from free text over the whole corpus (a record without structured
/// pay whose posting has a salary), as `file<TAB>posting url<TAB>pay`.
fn free_text_salaries() -> Vec<String> {
    let index = std::fs::read_to_string(format!("{CORPUS}/urls.tsv")).unwrap();
    let mut found = Vec::new();
    for (file, url) in index
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
    {
        let bytes = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
        let url = url::Url::parse(url).unwrap();
        let options = ParseOptions {
            kind: ExtractKind::Auto,
            url: Some(&url),
            source: Some("golden"),
            company_override: None,
            fetched_at: fetched_at(),
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        };
        let Ok(extracted) = jobfeed::parse::extract_document(&bytes, &options) else {
            continue;
        };
        for posting in extracted.postings {
            if posting.record.salary.is_some() {
                continue;
            }
            let Ok(normalized) = posting.normalize("golden", None) else {
                continue;
            };
            if let Some(pay) = normalized.salary {
                let bound = |b: Option<f64>| b.map(|b| b.to_string()).unwrap_or_default();
                let period = pay.period.map_or("-".to_owned(), |p| p.as_str().to_owned());
                found.push(format!(
                    "{file}\t{}\t{}-{} {} {period}",
                    normalized.url,
                    bound(pay.min),
                    bound(pay.max),
                    pay.currency.as_deref().unwrap_or("-"),
                ));
            }
        }
    }
    found
}

#[test]
fn every_salary_taken_from_free_text_over_the_corpus_is_right() {
    let expected = include_str!("../testdata/salary/free_text_expected.tsv");
    let checked: Vec<&str> = expected
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .collect();
    let found = free_text_salaries();
    let right = found
        .iter()
        .filter(|f| checked.contains(&f.as_str()))
        .count();
    // The precision is reported by this line (run the test with --nocapture to see it).
    println!(
        "free-text pay over the corpus: {} salaries taken, {right} right ({} checked by hand)",
        found.len(),
        checked.len()
    );
    let unchecked: Vec<&String> = found
        .iter()
        .filter(|f| !checked.contains(&f.as_str()))
        .collect();
    assert!(
        unchecked.is_empty(),
        "not checked by hand, or wrong:\n{unchecked:#?}"
    );
    assert_eq!(right, checked.len(), "a checked salary is no longer found");
}
