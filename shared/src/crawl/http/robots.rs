//! robots.txt: the rules for our agent (RFC 9309), the verdict for one origin, and a per-run
//! cache that fetches each origin's file once even when many requests for it arrive together.
//!
//! The rules are read here rather than by a crate: the well-kept Rust readers match patterns
//! with the regex engine, which would be a tenth of the crawler's deployment package (see
//! BENCHMARKS.md), while RFC 9309's patterns need only `*` and a final `$`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;
use url::Url;

use crate::crawl::fetch::DisallowReason;

/// The largest robots.txt read; RFC 9309 §2.5 asks crawlers to parse at least 500 KiB and
/// lets them ignore the rest.
pub(crate) const MAX_ROBOTS_BYTES: u64 = 500 * 1024;

/// What one origin's robots.txt says.
#[derive(Debug)]
pub(crate) enum RobotsRules {
    /// No usable file (4xx, unparsable, redirected away): everything is allowed.
    AllowAll,
    /// The rules of the groups that apply to our agent.
    Rules(AgentRules),
    /// The file could not be read (5xx, 429, network failure): nothing is allowed this run.
    Unreachable(String),
}

impl RobotsRules {
    /// The rules in `txt` for `agent`; a file with none for it (or none at all) allows
    /// everything.
    pub(crate) fn parse(agent: &str, txt: &[u8]) -> Self {
        let rules = AgentRules::parse(agent, txt);
        if rules.rules.is_empty() {
            Self::AllowAll
        } else {
            Self::Rules(rules)
        }
    }

    /// Why `url` may not be fetched, or `None` when it may.
    pub(crate) fn verdict(&self, url: &Url) -> Option<DisallowReason> {
        match self {
            Self::AllowAll => None,
            Self::Rules(rules) => (!rules.allows(url)).then_some(DisallowReason::RobotsTxt),
            Self::Unreachable(why) => Some(DisallowReason::RobotsUnreachable(why.clone())),
        }
    }
}

/// The `allow` and `disallow` rules of the groups for one agent (RFC 9309 §2.2): every group
/// naming its product token (case-insensitively), else every `*` group, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AgentRules {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    /// The path pattern, percent-encoding normalized (`normalize_path`).
    pattern: String,
}

/// One group of a robots.txt: its user agents and its rules.
#[derive(Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
}

impl AgentRules {
    /// The rules of `txt` for `agent` (a product token, e.g. `jobfeed`). Lines are
    /// `key: value` with `#` comments; unknown keys (`sitemap`, `crawl-delay`) are ignored;
    /// rules before any `user-agent` line belong to no group; an empty `allow`/`disallow`
    /// says nothing.
    pub(crate) fn parse(agent: &str, txt: &[u8]) -> Self {
        let text = String::from_utf8_lossy(txt);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut groups: Vec<Group> = Vec::new();
        let mut in_rules = false;
        for line in text.split(['\n', '\r']) {
            let line = line.split('#').next().unwrap_or_default();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "user-agent" | "useragent" | "user agent" => {
                    // Agent lines after rules start the next group.
                    if in_rules || groups.is_empty() {
                        groups.push(Group::default());
                        in_rules = false;
                    }
                    if let Some(group) = groups.last_mut() {
                        group.agents.push(product_token(value).to_ascii_lowercase());
                    }
                }
                key @ ("allow" | "disallow") => {
                    in_rules = true;
                    if let (Some(group), false) = (groups.last_mut(), value.is_empty()) {
                        group.rules.push(Rule {
                            allow: key == "allow",
                            pattern: normalize_path(value),
                        });
                    }
                }
                _ => {}
            }
        }
        let agent = product_token(agent).to_ascii_lowercase();
        let for_agent = |name: &str| -> Vec<Rule> {
            groups
                .iter()
                .filter(|group| group.agents.iter().any(|a| a == name))
                .flat_map(|group| group.rules.iter().cloned())
                .collect()
        };
        let named = groups.iter().any(|group| group.agents.contains(&agent));
        Self {
            rules: if named {
                for_agent(&agent)
            } else {
                for_agent("*")
            },
        }
    }

    /// Whether `url` may be fetched: the rule with the longest pattern matching its path
    /// and query decides, `allow` winning a tie; no matching rule allows. `/robots.txt`
    /// itself is always allowed.
    pub(crate) fn allows(&self, url: &Url) -> bool {
        let mut path = url.path().to_owned();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        if path == "/robots.txt" {
            return true;
        }
        let path = normalize_path(&path);
        let best = self
            .rules
            .iter()
            .filter(|rule| matches_pattern(&path, &rule.pattern))
            .max_by(|a, b| {
                a.pattern
                    .len()
                    .cmp(&b.pattern.len())
                    .then(a.allow.cmp(&b.allow))
            });
        best.is_none_or(|rule| rule.allow)
    }
}

/// The product token of a user-agent value: its leading letters, `_` and `-`
/// (`jobfeed/0.1` → `jobfeed`); `*` stays `*`.
fn product_token(value: &str) -> &str {
    let end = value
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '_' || c == '-' || c == '*'))
        .unwrap_or(value.len());
    value.get(..end).unwrap_or_default()
}

/// A path or pattern in one spelling (RFC 9309 §2.2.2): characters outside ASCII
/// percent-encoded, percent-encoded unreserved characters decoded, other escapes in upper
/// case; `*` and `$` are left as they are.
fn normalize_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escape = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escape {
            Some(decoded) if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) => {
                out.push(char::from(decoded));
                i += 3;
            }
            Some(decoded) => {
                out.push_str(&format!("%{decoded:02X}"));
                i += 3;
            }
            None if byte.is_ascii() => {
                out.push(char::from(byte));
                i += 1;
            }
            None => {
                out.push_str(&format!("%{byte:02X}"));
                i += 1;
            }
        }
    }
    out
}

/// Whether `pattern` matches `path` from its start: `*` stands for any run of characters, a
/// final `$` for the end of the path. Linear in the path for each `*` (no backtracking
/// beyond the last one).
fn matches_pattern(path: &str, pattern: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: a prefix, or with `$` the whole path.
        return !anchored || rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    if anchored {
        rest.ends_with(last)
    } else {
        rest.contains(last)
    }
}

/// The robots.txt of every origin seen in one run, each fetched at most once.
#[derive(Debug, Default)]
pub(crate) struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<OnceCell<RobotsRules>>>>,
}

impl RobotsCache {
    /// Why robots.txt keeps us from `url` (or `None`), running `fetch` for the rules of its
    /// origin if no task has yet; tasks asking about that origin meanwhile wait for that fetch.
    pub(crate) async fn verdict<F, Fut>(&self, url: &Url, fetch: F) -> Option<DisallowReason>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = RobotsRules>,
    {
        let cell = {
            // A poisoned map only means another task panicked while inserting; it is intact.
            let mut origins = self.origins.lock().unwrap_or_else(PoisonError::into_inner);
            let key = url.origin().ascii_serialization();
            Arc::clone(origins.entry(key).or_default())
        };
        cell.get_or_init(fetch).await.verdict(url)
    }
}

/// The agent name robots.txt groups are matched against: the product token of the
/// `User-Agent`, e.g. `jobfeed` for `jobfeed/0.1 (+https://...)`.
pub(crate) fn agent_token(user_agent: &str) -> &str {
    user_agent
        .split(['/', ' '])
        .next()
        .filter(|token| !token.is_empty())
        .unwrap_or(user_agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse("https://jobs.example.com")
            .unwrap()
            .join(path)
            .unwrap()
    }

    const ROBOTS: &[u8] = b"User-agent: *\nDisallow: /\n\nUser-agent: jobfeed\nDisallow: /private\nAllow: /private/open\n";

    #[test]
    fn the_group_for_our_agent_applies_with_the_longest_match_winning() {
        let rules = RobotsRules::parse("jobfeed", ROBOTS);
        assert_eq!(rules.verdict(&url("/jobs/1")), None);
        assert_eq!(
            rules.verdict(&url("/private/x")),
            Some(DisallowReason::RobotsTxt)
        );
        assert_eq!(rules.verdict(&url("/private/open/1")), None);
    }

    #[test]
    fn other_agents_fall_back_to_the_star_group() {
        let rules = RobotsRules::parse("otherbot", ROBOTS);
        assert_eq!(
            rules.verdict(&url("/jobs/1")),
            Some(DisallowReason::RobotsTxt)
        );
    }

    /// Whether `agent` may fetch `path` under `txt`.
    fn allowed(txt: &str, agent: &str, path: &str) -> bool {
        RobotsRules::parse(agent, txt.as_bytes())
            .verdict(&url(path))
            .is_none()
    }

    #[test]
    fn the_longest_pattern_decides_and_allow_wins_a_tie() {
        let txt = "User-agent: *\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n\
                   Allow: /tie\nDisallow: /tie\n";
        assert!(allowed(txt, "jobfeed", "/example/page/"));
        assert!(allowed(txt, "jobfeed", "/example/page/x.html"));
        assert!(!allowed(txt, "jobfeed", "/example/page/disallowed.gif"));
        assert!(allowed(txt, "jobfeed", "/tie/x"));
    }

    #[test]
    fn a_star_matches_any_run_and_a_final_dollar_the_end() {
        let txt = "User-agent: *\nDisallow: /*.php$\nDisallow: /fish*salmon\nDisallow: /a$b\n";
        assert!(!allowed(txt, "jobfeed", "/index.php"));
        assert!(!allowed(txt, "jobfeed", "/dir/x.php"));
        assert!(allowed(txt, "jobfeed", "/index.php?q=1"));
        assert!(allowed(txt, "jobfeed", "/filename.php5"));
        assert!(!allowed(txt, "jobfeed", "/fish/of/salmon-run"));
        assert!(allowed(txt, "jobfeed", "/fish/trout"));
        // `$` inside a pattern is an ordinary character.
        assert!(!allowed(txt, "jobfeed", "/a$b/c"));
        assert!(allowed(txt, "jobfeed", "/ab"));
    }

    #[test]
    fn the_query_counts_and_percent_encodings_compare_in_one_spelling() {
        let txt = "User-agent: *\nDisallow: /search?q=\nDisallow: /caf\u{e9}\nDisallow: /%7euser\n";
        assert!(!allowed(txt, "jobfeed", "/search?q=rust"));
        assert!(allowed(txt, "jobfeed", "/search"));
        assert!(!allowed(txt, "jobfeed", "/caf%C3%A9/menu"));
        assert!(!allowed(txt, "jobfeed", "/~user/page"));
    }

    #[test]
    fn groups_for_the_same_agent_merge_and_the_star_group_is_only_a_fallback() {
        let txt = "# comment\r\nuser-agent: JobFeed/2.0\r\ndisallow: /a # trailing\r\n\r\n\
                   User-agent: other\nUser-agent: jobfeed\nDisallow: /b\n\
                   User-agent: *\nDisallow: /\nSitemap: https://x.test/s.xml\n";
        assert!(!allowed(txt, "jobfeed", "/a"));
        assert!(!allowed(txt, "jobfeed", "/b"));
        assert!(allowed(txt, "jobfeed", "/c"), "the * group is not ours");
        assert!(!allowed(txt, "otherbot", "/c"));
        assert!(!allowed(txt, "other", "/b"));
    }

    #[test]
    fn empty_rules_rules_before_any_group_and_robots_txt_itself_allow() {
        assert!(allowed(
            "Disallow: /\nUser-agent: *\nDisallow:\n",
            "jobfeed",
            "/x"
        ));
        assert!(allowed(
            "User-agent: *\nDisallow: /\n",
            "jobfeed",
            "/robots.txt"
        ));
        assert!(allowed("\u{feff}garbage\n\0\u{fffd}: :\n", "jobfeed", "/x"));
        assert!(!allowed(
            "\u{feff}User-agent: *\nDisallow: /\n",
            "jobfeed",
            "/x"
        ));
        assert!(allowed("", "jobfeed", "/x"));
    }

    #[test]
    fn an_unreachable_file_disallows_everything() {
        let rules = RobotsRules::Unreachable("HTTP 503".into());
        let expected = DisallowReason::RobotsUnreachable("HTTP 503".into());
        assert_eq!(rules.verdict(&url("/")), Some(expected));
    }

    #[test]
    fn the_agent_token_is_the_product_name_of_the_user_agent() {
        assert_eq!(
            agent_token("jobfeed/0.1.0 (+https://example.com/bot)"),
            "jobfeed"
        );
        assert_eq!(agent_token("jobfeed"), "jobfeed");
        assert_eq!(agent_token("MyBot crawler"), "MyBot");
        assert_eq!(agent_token("/weird"), "/weird");
    }

    #[tokio::test]
    async fn an_origin_is_fetched_once_and_other_origins_separately() {
        let cache = RobotsCache::default();
        let fetches = std::sync::atomic::AtomicUsize::new(0);
        let fetch = || async {
            fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            RobotsRules::AllowAll
        };
        assert_eq!(cache.verdict(&url("/a"), fetch).await, None);
        assert_eq!(cache.verdict(&url("/b?q=1"), fetch).await, None);
        let other = Url::parse("http://jobs.example.com/a").unwrap();
        assert_eq!(cache.verdict(&other, fetch).await, None);
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    proptest::proptest! {
        #[test]
        fn any_file_and_path_get_a_verdict_without_a_panic(
            txt in "[ -~\n\r\t\u{e9}]{0,400}",
            path in "/[a-zA-Z0-9.*$%?=&_~;,:@! \u{e9}-]{0,40}",
        ) {
            let _ = RobotsRules::parse("jobfeed", txt.as_bytes()).verdict(&url(&path));
        }
    }
}
