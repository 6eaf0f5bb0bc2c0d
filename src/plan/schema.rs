//! The saved plan's JSON Schema (draft-07), generated from the plan's own types and
//! committed as `schemas/plan.schema.json`, so scripts that read saved plans can
//! validate them and notice when the format changes.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;

use super::saved::SavedPlan;

/// schemars names integer widths as formats (`uint64`), which JSON Schema does not
/// define and strict validators (ajv) reject; `minimum` already says what matters.
fn drop_integer_formats(schema: &mut Schema) {
    if schema
        .get("format")
        .and_then(|f| f.as_str())
        .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"))
    {
        schema.remove("format");
    }
}

fn json_schema() -> serde_json::Value {
    let schema = SchemaSettings::draft07()
        .with_transform(RecursiveTransform(drop_integer_formats))
        .into_generator()
        .into_root_schema_for::<SavedPlan>();
    serde_json::to_value(schema).expect("a schema is JSON")
}

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/plan.schema.json");

#[test]
fn committed_schema_is_up_to_date() {
    let mut fresh = serde_json::to_string_pretty(&json_schema()).unwrap();
    fresh.push('\n');
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(COMMITTED, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == fresh,
        "schemas/plan.schema.json is stale: regenerate it with `UPDATE_SCHEMA=1 cargo test --lib plan::schema` and commit it"
    );
}

#[test]
fn schema_is_draft_07_and_names_the_version() {
    let s = json_schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["properties"]["format_version"]["const"], 1);
    let required = s["required"].as_array().unwrap();
    for key in ["format_version", "portal", "manifest", "created_at", "plan"] {
        assert!(required.contains(&key.into()), "{key} is required");
    }
    let text = s.to_string();
    assert!(!text.contains("\"format\":\"uint") && !text.contains("\"format\":\"int"));
    // Passwords are references, spelt as the plan spells them.
    assert_eq!(
        s["definitions"]["PasswordReference"]["pattern"],
        "^(none|env:.+|file:.+)$"
    );
}
