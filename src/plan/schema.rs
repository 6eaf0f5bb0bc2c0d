//! The saved plan's JSON Schema (draft-07), generated from the plan's own types and
//! committed as `schemas/plan.schema.json`, so scripts that read saved plans can
//! validate them and notice when the format changes.

use super::saved::SavedPlan;
use crate::schemas;

fn json_schema() -> serde_json::Value {
    schemas::generate::<SavedPlan>()
}

#[test]
fn committed_schema_is_up_to_date() {
    schemas::check_committed("plan.schema.json", &json_schema());
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
