//! `template.yaml` must declare the DynamoDB table exactly as `store::dynamodb::schema`
//! defines it: keys, every index with its keys and projection, the TTL attribute. The
//! template is CloudFormation YAML; its short tags (`!Ref`, `!Sub`) are read as plain
//! values, which is all this test needs.

use std::collections::BTreeSet;

use jobfeed::store::dynamodb::schema::SCHEMA;
use yaml_rust2::{Yaml, YamlLoader};

const TEMPLATE: &str = include_str!("../../template.yaml");

fn table() -> Yaml {
    let docs = YamlLoader::load_from_str(TEMPLATE).unwrap();
    let resources = docs[0]["Resources"].as_hash().unwrap();
    let tables: Vec<&Yaml> = resources
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .collect();
    assert_eq!(tables.len(), 1, "exactly one table in the template");
    tables[0]["Properties"].clone()
}

fn str_of(value: &Yaml) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string, not {value:?}"))
}

/// `[(attribute, HASH|RANGE)]` of a `KeySchema`.
fn keys(schema: &Yaml) -> Vec<(String, String)> {
    schema
        .as_vec()
        .unwrap()
        .iter()
        .map(|k| {
            (
                str_of(&k["AttributeName"]).to_owned(),
                str_of(&k["KeyType"]).to_owned(),
            )
        })
        .collect()
}

/// A key schema: the partition key, then the sort key if there is one.
fn hash_range(partition: &str, sort: Option<&str>) -> Vec<(String, String)> {
    std::iter::once((partition.to_owned(), "HASH".to_owned()))
        .chain(sort.map(|s| (s.to_owned(), "RANGE".to_owned())))
        .collect()
}

#[test]
fn the_templates_table_has_the_codes_keys_indexes_and_ttl() {
    let table = table();
    assert_eq!(
        keys(&table["KeySchema"]),
        hash_range(SCHEMA.partition_key, Some(SCHEMA.sort_key))
    );
    assert_eq!(str_of(&table["BillingMode"]), "PAY_PER_REQUEST");
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        str_of(&table["TimeToLiveSpecification"]["AttributeName"]),
        SCHEMA.ttl_attribute
    );
    assert_eq!(
        table["TimeToLiveSpecification"]["Enabled"].as_bool(),
        Some(true)
    );

    let indexes = table["GlobalSecondaryIndexes"].as_vec().unwrap();
    let names: Vec<&str> = indexes.iter().map(|i| str_of(&i["IndexName"])).collect();
    let expected: Vec<&str> = SCHEMA.indexes.iter().map(|i| i.name).collect();
    assert_eq!(names, expected);
    for (declared, index) in indexes.iter().zip(SCHEMA.indexes) {
        assert_eq!(
            keys(&declared["KeySchema"]),
            hash_range(index.partition_key, index.sort_key),
            "keys of {}",
            index.name
        );
        assert_eq!(
            str_of(&declared["Projection"]["ProjectionType"]),
            "INCLUDE",
            "{}",
            index.name
        );
        let projected: BTreeSet<&str> = declared["Projection"]["NonKeyAttributes"]
            .as_vec()
            .unwrap()
            .iter()
            .map(str_of)
            .collect();
        assert_eq!(
            projected,
            index.projected.iter().copied().collect(),
            "projection of {}",
            index.name
        );
    }

    // Every key attribute is declared once, as a string, and nothing else is.
    let declared: BTreeSet<(&str, &str)> = table["AttributeDefinitions"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|a| (str_of(&a["AttributeName"]), str_of(&a["AttributeType"])))
        .collect();
    let needed: BTreeSet<(&str, &str)> = [SCHEMA.partition_key, SCHEMA.sort_key]
        .into_iter()
        .chain(
            SCHEMA
                .indexes
                .iter()
                .flat_map(|i| std::iter::once(i.partition_key).chain(i.sort_key)),
        )
        .map(|name| (name, "S"))
        .collect();
    assert_eq!(declared, needed);
}
