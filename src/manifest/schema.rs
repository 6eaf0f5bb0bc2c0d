//! The manifest's JSON Schema (draft-07), generated from the raw types.

use schemars::generate::SchemaSettings;

use super::raw::RawManifest;

pub(super) fn json_schema() -> serde_json::Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RawManifest>();
    serde_json::to_value(schema).expect("a schema is JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/manifest.schema.json");

    #[test]
    fn committed_schema_is_up_to_date() {
        let mut fresh = serde_json::to_string_pretty(&json_schema()).unwrap();
        fresh.push('\n');
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::create_dir_all(std::path::Path::new(COMMITTED).parent().unwrap()).unwrap();
            std::fs::write(COMMITTED, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
        assert!(
            committed == fresh,
            "schemas/manifest.schema.json is stale: regenerate it with `UPDATE_SCHEMA=1 cargo test --lib manifest::schema` and commit it"
        );
    }

    #[test]
    fn schema_is_draft_07_and_closed() {
        let s = json_schema();
        assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["required"], serde_json::json!(["version", "folders"]));
        assert_eq!(s["properties"]["version"]["const"], 1);
        let folder = &s["definitions"]["Folder"];
        assert_eq!(folder["additionalProperties"], false);
        assert_eq!(folder["required"], serde_json::json!(["link"]));
        assert!(
            folder["description"]
                .as_str()
                .is_some_and(|d| d.contains("exactly one"))
        );
    }
}
