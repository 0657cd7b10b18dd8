//! Least privilege in `template.yaml`: every IAM statement (function policies, queue policies,
//! any role) names its actions one by one and only resources of this stack. A wildcard action
//! (`*`, `service:*`, `dynamodb:Get*`) always fails; a wildcard resource fails unless it is in
//! `JUSTIFIED_WILDCARD_RESOURCES`. SAM policy templates and managed policies are refused
//! unless listed in `ALLOWED_POLICY_TEMPLATES` (none are used today: every function has one
//! inline statement list). The template's short tags (`!GetAtt`, `!Sub`) are read as plain
//! strings (`Table.Arn`, `${Table.Arn}/index/*`), which is what the resource check inspects.
//!
//!
//! Every function runs under a role the template writes out (`Role:`), so SAM adds no
//! managed policy of its own (logs, SQS event sources and X-Ray on `*`). The one `*` left is
//! active tracing's `xray:PutTraceSegments`/`xray:PutTelemetryRecords`: X-Ray has no
//! resource-level permissions. `scripts/check-template` checks the same on the template as
//! SAM's transform expands it.

use yaml_rust2::{Yaml, YamlLoader};

const TEMPLATE: &str = include_str!("../../template.yaml");

/// Wildcard resources that are justified, with why.
const JUSTIFIED_WILDCARD_RESOURCES: &[(&str, &str)] = &[(
    "${Table.Arn}/index/*",
    "the GSIs of this stack's own table: Query on an index needs the index ARN, and the \
     indexes are all part of the one table the functions own",
)];

/// The only actions a statement may grant on `*`: active tracing's (X-Ray has no
/// resource-level permissions).
const TRACING_ACTIONS: &[&str] = &["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// SAM policy templates (`DynamoDBCrudPolicy`, `SQSSendMessagePolicy`, …) or managed policies
/// a function may use. Empty: inline statements say exactly which actions each function calls.
const ALLOWED_POLICY_TEMPLATES: &[&str] = &[];

fn as_list(value: &Yaml) -> Vec<&Yaml> {
    match value {
        Yaml::Array(items) => items.iter().collect(),
        Yaml::BadValue => Vec::new(),
        other => vec![other],
    }
}

/// Every `Statement` list anywhere under `value`, with the path that leads to it.
fn statements<'a>(value: &'a Yaml, path: &str, out: &mut Vec<(String, &'a Yaml)>) {
    match value {
        Yaml::Hash(map) => {
            for (key, child) in map {
                let key = key.as_str().unwrap_or("?");
                let here = format!("{path}/{key}");
                if key == "Statement" {
                    for statement in as_list(child) {
                        out.push((here.clone(), statement));
                    }
                } else {
                    statements(child, &here, out);
                }
            }
        }
        Yaml::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                statements(child, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The logical id a resource value refers to: `Table` for `Table.Arn` or
/// `${Table.Arn}/index/*`.
fn referenced_resource(resource: &str) -> &str {
    let inner = resource
        .strip_prefix("${")
        .and_then(|rest| rest.split('}').next())
        .unwrap_or(resource);
    inner.split('.').next().unwrap_or(inner)
}

/// What is wrong with the template's IAM, one line per problem.
fn violations(template: &str) -> Vec<String> {
    let docs = YamlLoader::load_from_str(template).unwrap();
    let resources = docs[0]["Resources"].as_hash().unwrap();
    let declared: Vec<&str> = resources.keys().filter_map(Yaml::as_str).collect();
    let mut problems = Vec::new();

    for (name, resource) in resources {
        let name = name.as_str().unwrap_or("?");
        match resource["Type"].as_str() {
            Some("AWS::Serverless::Function") if resource["Properties"]["Role"].is_badvalue() => {
                problems.push(format!(
                    "{name}: no Role of its own (SAM would add managed policies)"
                ));
            }
            Some("AWS::IAM::Role")
                if !resource["Properties"]["ManagedPolicyArns"].is_badvalue() =>
            {
                problems.push(format!("{name}: managed policies"));
            }
            _ => {}
        }
        for policy in as_list(&resource["Properties"]["Policies"]) {
            let template_name = match policy {
                Yaml::String(managed) => Some(managed.clone()),
                // A role's inline policy.
                Yaml::Hash(_) if !policy["PolicyDocument"].is_badvalue() => None,
                Yaml::Hash(map) if policy["Statement"].is_badvalue() => {
                    map.keys().next().and_then(Yaml::as_str).map(str::to_owned)
                }
                _ => None,
            };
            if let Some(used) = template_name
                && !ALLOWED_POLICY_TEMPLATES.contains(&used.as_str())
            {
                problems.push(format!("{name}: policy template or managed policy {used}"));
            }
        }
    }

    let mut found = Vec::new();
    statements(&docs[0]["Resources"], "Resources", &mut found);
    for (path, statement) in found {
        // A trust policy names a principal, not resources.
        if path.contains("AssumeRolePolicyDocument") {
            continue;
        }
        for forbidden in ["NotAction", "NotResource"] {
            if !statement[forbidden].is_badvalue() {
                problems.push(format!("{path}: {forbidden} grants everything else"));
            }
        }
        let actions = as_list(&statement["Action"]);
        if actions.is_empty() {
            problems.push(format!("{path}: a statement without Action"));
        }
        let tracing_only = actions
            .iter()
            .all(|a| a.as_str().is_some_and(|a| TRACING_ACTIONS.contains(&a)));
        for action in &actions {
            match action.as_str() {
                Some(action) if !action.contains('*') && action.contains(':') => {}
                other => problems.push(format!("{path}: wildcard or odd action {other:?}")),
            }
        }
        let resources = as_list(&statement["Resource"]);
        if resources.is_empty() {
            problems.push(format!("{path}: a statement without Resource"));
        }
        for resource in resources {
            let Some(resource) = resource.as_str() else {
                problems.push(format!("{path}: a resource that is not one reference"));
                continue;
            };
            if resource == "*" && tracing_only && !actions.is_empty() {
                continue;
            }
            if resource.contains('*')
                && !JUSTIFIED_WILDCARD_RESOURCES
                    .iter()
                    .any(|(allowed, _)| *allowed == resource)
            {
                problems.push(format!("{path}: wildcard resource {resource}"));
            }
            // Every resource is one of this stack's own (a table or queue it declares).
            if !declared.contains(&referenced_resource(resource)) {
                problems.push(format!(
                    "{path}: {resource} is not a resource of this stack"
                ));
            }
        }
    }
    problems
}

#[test]
fn every_iam_statement_names_its_actions_and_this_stacks_resources() {
    assert_eq!(violations(TEMPLATE), Vec::<String>::new());
}

#[test]
fn each_function_has_inline_statements_on_the_stacks_own_table_and_queues() {
    let docs = YamlLoader::load_from_str(TEMPLATE).unwrap();
    let resources = docs[0]["Resources"].as_hash().unwrap();
    let mut granted: Vec<(String, String, String)> = Vec::new();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let name = name.as_str().unwrap().to_owned();
        // `Role: !GetAtt CrawlerRole.Arn`, read as `CrawlerRole.Arn`.
        let role_name = referenced_resource(resource["Properties"]["Role"].as_str().unwrap());
        let role = &docs[0]["Resources"][role_name];
        for policy in as_list(&role["Properties"]["Policies"]) {
            for statement in as_list(&policy["PolicyDocument"]["Statement"]) {
                for action in as_list(&statement["Action"]) {
                    for target in as_list(&statement["Resource"]) {
                        granted.push((
                            name.clone(),
                            action.as_str().unwrap().to_owned(),
                            referenced_resource(target.as_str().unwrap()).to_owned(),
                        ));
                    }
                }
            }
        }
    }
    let has = |function: &str, action: &str, target: &str| {
        granted
            .iter()
            .any(|(f, a, t)| f == function && a == action && t == target)
    };
    // Each event-source function reads its own queue, and each writes its own log group.
    assert!(has("CrawlerFunction", "sqs:ReceiveMessage", "CrawlQueue"));
    assert!(has("IngestFunction", "sqs:ReceiveMessage", "PostingsQueue"));
    assert!(has(
        "SchedulerFunction",
        "sqs:SendMessage",
        "SchedulerDeadLetterQueue"
    ));
    for (function, group) in [
        ("SchedulerFunction", "SchedulerLogGroup"),
        ("CrawlerFunction", "CrawlerLogGroup"),
        ("IngestFunction", "IngestLogGroup"),
        ("ApiFunction", "ApiLogGroup"),
    ] {
        assert!(has(function, "logs:PutLogEvents", group), "{function}");
        assert_eq!(
            granted
                .iter()
                .filter(|(f, a, _)| f == function && a.starts_with("logs:"))
                .count(),
            2,
            "{function} writes only its own log group"
        );
    }
    // Each function reaches the table or queue it works on (by logical id, not by name).
    assert!(has("SchedulerFunction", "sqs:SendMessage", "CrawlQueue"));
    assert!(has("CrawlerFunction", "sqs:SendMessage", "PostingsQueue"));
    // A crawl that outlasts its invocation queues its own continuation.
    assert!(has("CrawlerFunction", "sqs:SendMessage", "CrawlQueue"));
    assert!(has("IngestFunction", "dynamodb:UpdateItem", "Table"));
    assert!(has("ApiFunction", "dynamodb:BatchGetItem", "Table"));
    // The read API cannot write, and nothing but the ingest updates postings.
    for write in [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ] {
        assert!(!has("ApiFunction", write, "Table"), "{write}");
    }
    assert!(
        !granted
            .iter()
            .any(|(f, a, _)| f != "IngestFunction" && a == "dynamodb:UpdateItem")
    );
    // Nobody may delete: closing is an update, expiry (of closed postings and of crawl
    // checkpoints) is DynamoDB's TTL.
    assert!(
        !granted
            .iter()
            .any(|(_, a, t)| t == "Table" && a.contains("Delete")),
        "{granted:?}"
    );
}

#[test]
fn the_crawler_writes_only_its_sources_state_counts_and_checkpoint_partitions() {
    let docs = YamlLoader::load_from_str(TEMPLATE).unwrap();
    let role = &docs[0]["Resources"]["CrawlerRole"];
    let mut table_statements = 0;
    for policy in as_list(&role["Properties"]["Policies"]) {
        for statement in as_list(&policy["PolicyDocument"]["Statement"]) {
            let actions: Vec<&str> = as_list(&statement["Action"])
                .into_iter()
                .filter_map(Yaml::as_str)
                .collect();
            if !actions.iter().any(|a| a.starts_with("dynamodb:")) {
                continue;
            }
            let resources: Vec<&str> = as_list(&statement["Resource"])
                .into_iter()
                .filter_map(Yaml::as_str)
                .collect();
            if resources == ["Table.Arn"] {
                table_statements += 1;
                let keys: Vec<&str> = as_list(
                    &statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                )
                .into_iter()
                .filter_map(Yaml::as_str)
                .collect();
                let registry = keys == ["registry"];
                assert!(
                    registry || keys == ["sources", "source_counts", "checkpoint#*"],
                    "{keys:?}"
                );
                if registry {
                    // The registry is read, never written.
                    assert_eq!(actions, ["dynamodb:Query"]);
                }
            } else {
                // The index is read, never written.
                assert_eq!(resources, ["${Table.Arn}/index/by_source"]);
                assert_eq!(actions, ["dynamodb:Query"]);
            }
        }
    }
    assert_eq!(table_statements, 2);
}

#[test]
fn the_scheduler_reads_only_the_sources_states_counts_and_registry() {
    let docs = YamlLoader::load_from_str(TEMPLATE).unwrap();
    let role = &docs[0]["Resources"]["SchedulerRole"];
    let table: Vec<&Yaml> = as_list(&role["Properties"]["Policies"])
        .into_iter()
        .flat_map(|policy| as_list(&policy["PolicyDocument"]["Statement"]))
        .filter(|statement| {
            as_list(&statement["Action"])
                .iter()
                .any(|a| a.as_str().is_some_and(|a| a.starts_with("dynamodb:")))
        })
        .collect();
    assert_eq!(table.len(), 1);
    assert_eq!(table[0]["Action"].as_str(), Some("dynamodb:Query"));
    let keys: Vec<&str> =
        as_list(&table[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
            .into_iter()
            .filter_map(Yaml::as_str)
            .collect();
    assert_eq!(keys, ["sources", "source_counts", "registry"]);
}

#[test]
fn the_check_flags_wildcards_templates_and_foreign_resources() {
    let template = r#"
Resources:
  Table: { Type: AWS::DynamoDB::Table }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - DynamoDBCrudPolicy: { TableName: !Ref Table }
        - AmazonS3FullAccess
        - Statement:
            - Effect: Allow
              Action: ["dynamodb:*", "*", "s3:Get*"]
              Resource: "*"
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: arn:aws:dynamodb:us-east-1:123456789012:table/other
            - Effect: Allow
              NotAction: iam:*
              Resource: !GetAtt Table.Arn
"#;
    let problems = violations(template);
    for expected in [
        "policy template or managed policy DynamoDBCrudPolicy",
        "policy template or managed policy AmazonS3FullAccess",
        "\"dynamodb:*\"",
        "Some(\"*\")",
        "\"s3:Get*\"",
        "wildcard resource *",
        "table/other is not a resource of this stack",
        "NotAction grants everything else",
        "a statement without Action",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected} not in {problems:#?}"
        );
    }
}
