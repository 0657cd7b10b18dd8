//! Appending suggested sources to a `sources.toml` text (`jobfeed sources add --catalog`,
//! `jobfeed discover --write`): the file is validated first, a source it already has (the
//! same kind starting at the same first request) is not added again, a name already taken
//! gets a suffix, and the result is validated again before anyone writes it.

use std::collections::HashSet;

use crate::catalog::Suggestion;
use crate::config::{self, ConfigError, SourceConfig};
use crate::crawl::paging::Pager;

/// The outcome of [`append`].
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// The whole new text (the old one, untouched, then the new tables).
    pub text: String,
    /// Names of the sources added, in order.
    pub added: Vec<String>,
    /// Sources left out, each with why (already there, not ready).
    pub skipped: Vec<(String, String)>,
}

/// Query parameters that change how a list is paged or presented, not which postings it
/// holds.
const PRESENTATION: [&str; 6] = [
    "content",
    "includecompensation",
    "mode",
    "limit",
    "offset",
    "skip",
];

/// What a source is, for telling repeats apart: its kind and the first request its crawl
/// makes unless that is a pre-flight (so a career-site address and the API address it
/// derives are the same source),
/// lower case, without a trailing `/` or presentation parameters, the others sorted.
fn identity(source: &SourceConfig) -> (String, String) {
    let first = Pager::start(source.kind, &source.url).1;
    // A pre-flight (Dayforce's CSRF token) is the same for every board of its host.
    let first = if first.preflight {
        source.url.clone()
    } else {
        first.url
    };
    let mut query: Vec<(String, String)> = first
        .query_pairs()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .filter(|(k, _)| !PRESENTATION.contains(&k.as_str()))
        .collect();
    query.sort();
    let mut bare = first.clone();
    bare.set_query(None);
    bare.set_fragment(None);
    let mut url = bare.to_string().to_ascii_lowercase();
    if url.ends_with('/') {
        url.pop();
    }
    for (k, v) in query {
        url.push_str(&format!(" {k}={v}"));
    }
    (source.kind.as_str().to_owned(), url)
}

/// Appends the ready `suggestions` to `existing` (a `sources.toml` text, possibly empty),
/// named `origin` in messages. Fails, without appending anything, when `existing` is not a
/// valid configuration, or (a bug) when the result would not be.
pub fn append(
    existing: &str,
    origin: &str,
    suggestions: &[Suggestion],
) -> Result<Appended, ConfigError> {
    let config = config::parse(existing, origin)?;
    let mut names: HashSet<String> = config.sources.iter().map(|s| s.name.clone()).collect();
    let mut known: HashSet<(String, String)> = config.sources.iter().map(identity).collect();
    let mut text = existing.to_owned();
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for suggestion in suggestions {
        if let Some(missing) = &suggestion.missing {
            skipped.push((
                suggestion.name.clone(),
                format!("not ready: needs {missing}"),
            ));
            continue;
        }
        let mut suggestion = suggestion.clone();
        // The suggestion alone, validated: what it would be once in the file.
        let alone = config::parse(&suggestion.to_toml(), origin)?;
        let Some(source) = alone.sources.first() else {
            continue;
        };
        if !known.insert(identity(source)) {
            skipped.push((
                suggestion.name.clone(),
                format!("already in {origin} ({} {})", source.kind, source.url),
            ));
            continue;
        }
        let base = suggestion.name.clone();
        let mut n = 2;
        while names.contains(&suggestion.name) {
            suggestion.name = format!("{base}-{n}");
            n += 1;
        }
        names.insert(suggestion.name.clone());
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&suggestion.to_toml());
        added.push(suggestion.name);
    }
    config::parse(&text, origin)?;
    Ok(Appended {
        text,
        added,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entry, Provider};

    fn greenhouse(token: &str) -> Suggestion {
        Entry {
            provider: Provider::Greenhouse,
            company: format!("{token} Inc."),
            fields: vec![token.to_owned()],
        }
        .suggestion()
        .unwrap()
    }

    const FILE: &str = "[crawl]\nmin_delay_ms = 500\n\n# our boards\n[[source]]\nname = \"gitlab\"\nkind = \"greenhouse\"\nurl = \"https://boards-api.greenhouse.io/v1/boards/gitlab/jobs\"\n";

    #[test]
    fn a_new_source_is_appended_after_the_untouched_file() {
        let appended = append(FILE, "sources.toml", &[greenhouse("datadog")]).unwrap();
        assert!(appended.text.starts_with(FILE));
        assert_eq!(appended.added, ["datadog"]);
        let config = config::parse(&appended.text, "x").unwrap();
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.crawl.min_delay_ms, 500);
        assert_eq!(config.sources[1].company.as_deref(), Some("datadog Inc."));
    }

    #[test]
    fn a_source_already_there_under_another_address_form_is_not_added_again() {
        // The file's board has no `?content=true`; the catalog's has: the same board.
        let appended = append(FILE, "sources.toml", &[greenhouse("gitlab")]).unwrap();
        assert!(appended.added.is_empty());
        assert_eq!(appended.text, FILE);
        assert!(appended.skipped[0].1.starts_with("already in sources.toml"));
        let twice = append("", "s", &[greenhouse("a"), greenhouse("a")]).unwrap();
        assert_eq!(twice.added, ["a"]);
        // Two Dayforce boards on one host start with the same pre-flight: not repeats.
        let dayforce = |ns: &str| {
            Entry {
                provider: Provider::Dayforce,
                company: ns.to_owned(),
                fields: vec![
                    ns.into(),
                    "CANDIDATEPORTAL".into(),
                    "1".into(),
                    String::new(),
                ],
            }
            .suggestion()
            .unwrap()
        };
        let boards = append("", "s", &[dayforce("pca"), dayforce("kss")]).unwrap();
        assert_eq!(boards.added.len(), 2);
    }

    #[test]
    fn a_taken_name_gets_a_suffix() {
        let mut other = greenhouse("other");
        other.name = "gitlab".into();
        let appended = append(FILE, "s", &[other]).unwrap();
        assert_eq!(appended.added, ["gitlab-2"]);
        config::parse(&appended.text, "s").unwrap();
    }

    #[test]
    fn an_invalid_file_is_refused_and_a_source_not_ready_is_skipped() {
        let error = append("[[source]]\nname = 1\n", "bad.toml", &[greenhouse("a")]).unwrap_err();
        assert_eq!(error.origin, "bad.toml");
        let hrmos = Entry {
            provider: Provider::Hrmos,
            company: "K".into(),
            fields: vec!["kearney".into()],
        }
        .suggestion()
        .unwrap();
        let appended = append("", "s", &[hrmos]).unwrap();
        assert!(appended.added.is_empty());
        assert!(appended.skipped[0].1.starts_with("not ready"));
    }
}
