//! The committed JSON Schemas (`schemas/*.schema.json`) are generated from the
//! types they describe; these helpers generate them the same way for both and fail
//! a test when a committed file is stale (`UPDATE_SCHEMA=1` rewrites it).

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};

/// schemars names integer widths as formats (`uint64`), which JSON Schema does not
/// define and strict validators (ajv's strict mode) reject; `minimum` already says
/// what matters.
fn drop_integer_formats(schema: &mut Schema) {
    if schema
        .get("format")
        .and_then(|f| f.as_str())
        .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"))
    {
        schema.remove("format");
    }
}

/// Draft-07, without integer formats.
pub fn generate<T: JsonSchema>() -> serde_json::Value {
    let schema = SchemaSettings::draft07()
        .with_transform(RecursiveTransform(drop_integer_formats))
        .into_generator()
        .into_root_schema_for::<T>();
    serde_json::to_value(schema).expect("a schema is JSON")
}

/// Fails when `schemas/{file}` differs from `fresh`; rewrites it under `UPDATE_SCHEMA`.
pub fn check_committed(file: &str, fresh: &serde_json::Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(file);
    let mut fresh = serde_json::to_string_pretty(fresh).expect("a schema prints");
    fresh.push('\n');
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).expect("write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "schemas/{file} is stale: regenerate it with `UPDATE_SCHEMA=1 cargo test --lib schema` and commit it"
    );
}
