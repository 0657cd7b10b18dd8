//! robots.txt: the verdict for one origin, and a per-run cache that fetches each origin's file
//! once even when many requests for it arrive together.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use texting_robots::Robot;
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
    /// The rules of the group that applies to our agent.
    Rules(Box<Robot>),
    /// The file could not be read (5xx, 429, network failure): nothing is allowed this run.
    Unreachable(String),
}

impl RobotsRules {
    /// The rules in `txt` for `agent`; an unparsable file allows everything.
    pub(crate) fn parse(agent: &str, txt: &[u8]) -> Self {
        match Robot::new(agent, txt) {
            Ok(robot) => Self::Rules(Box::new(robot)),
            Err(error) => {
                tracing::debug!(%error, "unparsable robots.txt, allowing all");
                Self::AllowAll
            }
        }
    }

    /// Why `url` may not be fetched, or `None` when it may.
    pub(crate) fn verdict(&self, url: &Url) -> Option<DisallowReason> {
        match self {
            Self::AllowAll => None,
            Self::Rules(robot) => {
                (!robot.allowed(url.as_str())).then_some(DisallowReason::RobotsTxt)
            }
            Self::Unreachable(why) => Some(DisallowReason::RobotsUnreachable(why.clone())),
        }
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
}
