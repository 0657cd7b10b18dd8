//! Adds stored-XSS postings to a SQLite database for the browser test (`scripts/browser-test`):
//! script and markup in the title, company, location, skills and description, and script
//! addresses as the apply and company links. One goes through the ingest rules as a crawl would
//! store it; the other is written straight into the store, unsanitized, as a store filled by
//! another program could hold it. Prints their ids, one a line.
//!
//! Usage: `cargo run -p jobfeed-shared --example seed_hostile -- DB`

use anyhow::{Context, bail};
use chrono::Utc;
use jobfeed::JobPosting;
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::model::{Company, Location, Workplace};
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{ListQuery, PostingReader, PostingStore, StoredPosting, Write};

/// The ids of the two postings (fixed, so the test can open their pages).
const IDS: [&str; 2] = ["xss-through-ingest", "xss-written-raw"];

/// A posting whose every shown field tries to run `alert` (the browser test fails on any
/// dialog).
fn hostile(template: &JobPosting, id: &str) -> JobPosting {
    let mut p = template.clone();
    p.id = id.to_owned();
    p.source = "xss<script>alert('source')</script>".into();
    p.external_id = Some(id.to_owned());
    p.title = format!("<script>alert('title')</script><img src=x onerror=alert('title')> {id}");
    p.company = Company {
        name: "<svg onload=alert('company')>Evil & Co".into(),
        url: Some("javascript:alert('company-url')".into()),
        logo_url: Some("javascript:alert('logo')".into()),
    };
    p.locations = vec![Location {
        raw: "\"><img src=x onerror=alert('location')>".into(),
        city: Some("</title><script>alert('city')</script>".into()),
        region: None,
        country: Some("DE".into()),
    }];
    p.workplace = Some(Workplace::Remote);
    p.remote_regions = vec!["DE".into()];
    p.skills = vec!["<b onmouseover=alert('skill')>rust</b>".into()];
    p.description_html = "<p>Plain words.</p><script>alert('description')</script>\
        <a href=\"javascript:alert('link')\">a link</a><img src=x onerror=\"alert('img')\">\
        <iframe src=\"javascript:alert('frame')\"></iframe></script></div><!--"
        .into();
    p.description_text = "Plain words.".into();
    p.apply_url = Some("javascript:alert('apply')".into());
    p.fingerprint = format!("{id}-fingerprint");
    p.content_hash = format!("{id}-content");
    p.posted_at = Some(Utc::now());
    p.fetched_at = Utc::now();
    p.first_seen_at = None;
    p.last_seen_at = None;
    p.closed_at = None;
    p.duplicate_of = None;
    p.valid_through = None;
    p
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let Some(db) = std::env::args().nth(1) else {
        bail!("usage: seed_hostile DB");
    };
    let store = SqliteStore::open(&db).with_context(|| format!("opening {db}"))?;
    let page = store.list(&ListQuery::default(), 1, None).await?;
    let Some(template) = page.items.into_iter().next() else {
        bail!("{db} has no posting to start from; run seed_sqlite first");
    };
    let now = Utc::now();
    let through_ingest = hostile(&template.posting, IDS[0]);
    ingest_postings(
        &store,
        vec![Incoming::from(through_ingest)],
        now,
        &IngestConfig::default(),
    )
    .await?;
    let mut raw = hostile(&template.posting, IDS[1]);
    raw.first_seen_at = Some(now);
    raw.last_seen_at = Some(now);
    store
        .write(vec![Write::Insert(StoredPosting {
            posting: raw,
            history: Vec::new(),
            description_truncated: false,
            revision: 1,
            mark: None,
        })])
        .await?;
    for id in IDS {
        println!("{id}");
    }
    Ok(())
}
