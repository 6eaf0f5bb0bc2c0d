//! The manifest's JSON Schema (draft-07), generated from the raw types.

use super::raw::RawManifest;
use crate::schemas;

pub(super) fn json_schema() -> serde_json::Value {
    schemas::generate::<RawManifest>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schema_is_up_to_date() {
        schemas::check_committed("manifest.schema.json", &json_schema());
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

/// The tool and the schema agree on the fixtures ajv checks the schema against
/// (tests/schema, run by .ci/run): what one accepts, the other does too.
#[cfg(test)]
mod agreement {
    use std::path::Path;

    use crate::manifest::{Environment, Source, parse};

    #[test]
    fn the_tool_accepts_exactly_the_schemas_fixtures() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema");
        let var =
            |name: &str| (name == "DOCSPACE_LINK_PRESS_KIT").then(|| "press-kit-2027!".to_owned());
        let env = Environment {
            var: &var,
            base_dir: &dir,
            now: "2026-11-28T12:00:00Z".parse().unwrap(),
        };
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".json") {
                continue;
            }
            seen += 1;
            // JSON is YAML: the tool reads the fixture as a manifest.
            let text = std::fs::read_to_string(&path).unwrap();
            let accepted = parse(
                Source {
                    name: name.clone(),
                    text,
                },
                &env,
            );
            assert_eq!(
                accepted.is_ok(),
                !name.starts_with("invalid."),
                "{name}: {:?}",
                accepted.err().map(|e| e.to_string())
            );
        }
        assert!(seen >= 6, "fixtures found: {seen}");
    }
}
