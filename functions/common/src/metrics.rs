//! CloudWatch metrics without API calls: Embedded Metric Format (EMF) lines, JSON objects
//! printed on stdout that CloudWatch Logs turns into metrics. One line per event (a crawl, an
//! ingest batch), in the `jobfeed` namespace, with the function as the one dimension.
//!
//! Every metric name and dimension value is a custom metric billed each month (about $0.30),
//! so a line names few metrics and never a per-source dimension (1,000 sources would be
//! thousands of metrics, over $3,000 a month). Everything else rides in the same line as a
//! plain field (`field`): in the log, queryable with CloudWatch Logs Insights, not a metric.

use chrono::Utc;
use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every jobfeed metric.
pub const NAMESPACE: &str = "jobfeed";

/// A metric's unit, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain count.
    Count,
    /// A duration in milliseconds.
    Milliseconds,
    /// DynamoDB capacity units (no CloudWatch unit fits: `None`).
    None,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::None => "None",
        }
    }
}

/// One EMF line under construction: dimensions, metric values and plain fields.
#[derive(Debug, Clone, Default)]
pub struct MetricLine {
    dimensions: Vec<(String, String)>,
    values: Vec<(String, f64, Unit)>,
    fields: Vec<(String, Value)>,
}

impl MetricLine {
    /// A line for `function` (the `Function` dimension).
    pub fn new(function: &str) -> Self {
        MetricLine::default().dimension("Function", function)
    }

    /// Adds a dimension (e.g. `Source`).
    pub fn dimension(mut self, name: &str, value: impl Into<String>) -> Self {
        self.dimensions.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a value.
    pub fn value(mut self, name: &str, value: f64, unit: Unit) -> Self {
        self.values.push((name.to_owned(), value, unit));
        self
    }

    /// Adds a count.
    pub fn count(self, name: &str, value: u64) -> Self {
        self.value(name, value as f64, Unit::Count)
    }

    /// Adds a plain field: in the line, not a metric (see the module).
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.push((name.to_owned(), value.into()));
        self
    }

    /// The EMF JSON object, stamped `timestamp_ms`.
    pub fn to_json(&self, timestamp_ms: i64) -> Value {
        let mut root = Map::new();
        let names: Vec<&str> = self.dimensions.iter().map(|(n, _)| n.as_str()).collect();
        let metrics: Vec<Value> = self
            .values
            .iter()
            .map(|(name, _, unit)| json!({"Name": name, "Unit": unit.as_str()}))
            .collect();
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": [names],
                    "Metrics": metrics,
                }],
            }),
        );
        for (name, value) in &self.dimensions {
            root.insert(name.clone(), Value::from(value.as_str()));
        }
        for (name, value, _) in &self.values {
            root.insert(name.clone(), Value::from(*value));
        }
        for (name, value) in &self.fields {
            root.insert(name.clone(), value.clone());
        }
        Value::Object(root)
    }

    /// Prints the line on stdout, where the Lambda log stream picks it up (not through
    /// tracing: EMF must be the whole log line).
    pub fn emit(&self) {
        println!("{}", self.to_json(Utc::now().timestamp_millis()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_its_dimensions_and_metrics_and_carries_their_values_and_fields() {
        let line = MetricLine::new("crawler")
            .count("PostingsFound", 12)
            .value("CrawlDuration", 850.0, Unit::Milliseconds)
            .field("Source", "gitlab")
            .field("PagesFetched", 3)
            .to_json(1_700_000_000_000);
        assert_eq!(
            line,
            json!({
                "_aws": {
                    "Timestamp": 1_700_000_000_000_i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "jobfeed",
                        "Dimensions": [["Function"]],
                        "Metrics": [
                            {"Name": "PostingsFound", "Unit": "Count"},
                            {"Name": "CrawlDuration", "Unit": "Milliseconds"},
                        ],
                    }],
                },
                "Function": "crawler",
                "PostingsFound": 12.0,
                "CrawlDuration": 850.0,
                "Source": "gitlab",
                "PagesFetched": 3,
            })
        );
    }
}
