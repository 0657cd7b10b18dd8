//! The schedule use case: which sources are due, when a source is due next, and the
//! scheduler's whole job, one crawl task per due source.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::RunError;
use super::messages::CrawlTask;
use crate::config::{Config, SourceConfig};
use crate::queue::Queue;
use crate::store::{SourceState, SourceStateStore};

/// Longest wait between retries of a failing source.
const MAX_BACKOFF: Duration = Duration::days(1);

/// The sources due at `now` (enabled ones only): never crawled, past their `next_due_at` and not running, or
/// running but not heard of for `stale_after` (their crawl is taken over).
pub fn due_sources<'a>(
    config: &'a Config,
    states: &[SourceState],
    stale_after: Duration,
    now: DateTime<Utc>,
) -> Vec<&'a SourceConfig> {
    let by_name: HashMap<&str, &SourceState> =
        states.iter().map(|s| (s.name.as_str(), s)).collect();
    config
        .sources
        .iter()
        .filter(|source| source.enabled)
        .filter(|source| {
            let Some(state) = by_name.get(source.name.as_str()) else {
                return true;
            };
            match &state.running {
                Some(running) => running.updated_at + stale_after <= now,
                None => state.next_due_at.is_none_or(|due| due <= now),
            }
        })
        .collect()
}

/// When a source is next due: its schedule after a success, pushed out exponentially (capped
/// at a day) after consecutive failures, so a broken source is retried ever less often.
pub fn next_due(
    source: &SourceConfig,
    consecutive_failures: u32,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let base = source.schedule.0;
    if consecutive_failures == 0 {
        return now + base;
    }
    let factor = 1_i32 << consecutive_failures.min(10);
    now + (base * factor).min(MAX_BACKOFF.max(base))
}

/// Enqueues one crawl task per due source (the scheduler's whole job). Returns the names.
pub async fn schedule_due(
    config: &Config,
    states: &dyn SourceStateStore,
    tasks: &dyn Queue<CrawlTask>,
    stale_after: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<String>, RunError> {
    let known = states.source_states().await?;
    let due: Vec<CrawlTask> = due_sources(config, &known, stale_after, now)
        .into_iter()
        .map(|s| CrawlTask {
            host: Some(host_of(s)),
            ..CrawlTask::scheduled(s.name.clone(), now)
        })
        .collect();
    let names = due.iter().map(|t| t.source.clone()).collect();
    if !due.is_empty() {
        tasks.send(due).await?;
    }
    Ok(names)
}

/// The host of a source's URL, lower case (its name when the URL has none): the FIFO group
/// of its crawl tasks.
pub fn host_of(source: &SourceConfig) -> String {
    source
        .url
        .host_str()
        .unwrap_or(&source.name)
        .to_ascii_lowercase()
}

/// The FIFO group of a crawl task: the host it carries, else the host of its source's URL
/// in `config` (tasks queued before tasks carried it), lower case, so SQS hands
/// out one task per host at a time and two crawls never fetch from one host together; a
/// task for a source that is not configured (which the crawler refuses) is grouped by its
/// name. The scheduler's tasks and the crawler's continuations share it.
pub fn host_group(config: &Config) -> impl Fn(&CrawlTask) -> String + Send + Sync + 'static {
    let hosts: HashMap<String, String> = config
        .sources
        .iter()
        .map(|s| (s.name.clone(), host_of(s)))
        .collect();
    move |task: &CrawlTask| {
        task.host
            .clone()
            .or_else(|| hosts.get(&task.source).cloned())
            .unwrap_or_else(|| task.source.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RunningCrawl;

    fn config() -> Config {
        crate::config::parse(
            "[[source]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://a.example/feed\"\n\n\
             [[source]]\nname = \"b\"\nkind = \"rss\"\nurl = \"https://B.example/feed\"\n",
            "test.toml",
        )
        .unwrap()
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::hours(hours)
    }

    fn names(due: Vec<&SourceConfig>) -> Vec<&str> {
        due.into_iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn a_source_is_due_when_new_or_past_its_time_and_a_running_one_only_once_stale() {
        let config = config();
        let stale_after = Duration::hours(1);
        assert_eq!(
            names(due_sources(&config, &[], stale_after, at(0))),
            ["a", "b"]
        );
        let running = SourceState {
            name: "a".into(),
            next_due_at: Some(at(0)),
            running: Some(RunningCrawl {
                started_at: at(10),
                updated_at: at(10),
                invocations: 1,
                listed: 0,
                due_at: at(10),
            }),
            ..SourceState::default()
        };
        let later = SourceState {
            name: "b".into(),
            next_due_at: Some(at(12)),
            ..SourceState::default()
        };
        let states = [running, later];
        assert!(due_sources(&config, &states, stale_after, at(10)).is_empty());
        assert_eq!(
            names(due_sources(&config, &states, stale_after, at(11))),
            ["a"]
        );
        assert_eq!(
            names(due_sources(&config, &states, stale_after, at(12))),
            ["a", "b"]
        );
    }

    #[test]
    fn failures_back_off_exponentially_up_to_a_day() {
        let config = config();
        let source = &config.sources[0];
        assert_eq!(next_due(source, 0, at(0)), at(1));
        assert_eq!(next_due(source, 1, at(0)), at(2));
        assert_eq!(next_due(source, 3, at(0)), at(8));
        assert_eq!(next_due(source, 30, at(0)), at(24));
    }

    #[test]
    fn tasks_are_grouped_by_their_sources_host_in_lower_case() {
        let group = host_group(&config());
        assert_eq!(group(&CrawlTask::scheduled("b", at(0))), "b.example");
        assert_eq!(group(&CrawlTask::scheduled("gone", at(0))), "gone");
    }

    #[test]
    fn a_disabled_source_is_never_due() {
        let mut config = config();
        config.sources[1].enabled = false;
        assert_eq!(
            names(due_sources(&config, &[], Duration::hours(1), at(0))),
            ["a"]
        );
    }

    #[test]
    fn a_task_carrying_its_host_is_grouped_by_it_even_when_the_config_does_not_know_the_source() {
        let group = host_group(&config());
        let task = CrawlTask {
            host: Some("boards.example".into()),
            ..CrawlTask::scheduled("registered-later", at(0))
        };
        assert_eq!(group(&task), "boards.example");
    }

    #[tokio::test]
    async fn scheduled_tasks_carry_their_sources_host() {
        let store = crate::store::memory::MemoryStore::new();
        let queue = crate::queue::memory::Collector::default();
        let names = schedule_due(&config(), &store, &queue, Duration::hours(1), at(0))
            .await
            .unwrap();
        assert_eq!(names, ["a", "b"]);
        let hosts: Vec<Option<String>> = queue
            .take()
            .into_iter()
            .map(|t: CrawlTask| t.host)
            .collect();
        assert_eq!(
            hosts,
            [Some("a.example".to_owned()), Some("b.example".to_owned())]
        );
    }
}
