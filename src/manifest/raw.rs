//! The manifest as written: serde types that mirror the YAML, with positions.
//! The JSON Schema in `schemas/manifest.schema.json` is generated from these.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::model::{Access, Unlisted};

/// A docspace-links manifest: the external links that DocSpace folders and rooms must have.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "docspace-links manifest")]
pub struct RawManifest {
    /// Manifest format version. Always 1.
    #[schemars(schema_with = "version_schema")]
    pub version: Spanned<u32>,
    /// Link fields applied to every `link:` mapping that leaves them out.
    #[serde(default)]
    #[schemars(with = "Option<RawLinkFields>")]
    pub defaults: Option<Spanned<RawLinkFields>>,
    /// One entry per folder or room.
    #[schemars(with = "Vec<RawEntry>")]
    pub folders: Vec<Spanned<RawEntry>>,
    /// Subtrees this manifest is authoritative for: external links on the folders below that no entry lists are part of the plan.
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawScope>>")]
    pub scopes: Option<Vec<Spanned<RawScope>>>,
    /// Rules every link must obey, checked in the manifest and on the portal.
    #[serde(default)]
    #[schemars(with = "Option<RawPolicy>")]
    pub policy: Option<Spanned<RawPolicy>>,
    /// How much of the managed folders one apply may revoke or expose more; over a share, apply writes nothing unless given --force.
    #[serde(default)]
    #[schemars(with = "Option<RawSafety>")]
    pub safety: Option<Spanned<RawSafety>>,
}

/// Shares of the folders the manifest manages (applied once `min_existing` of them have a link).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Safety")]
pub struct RawSafety {
    /// The most folders whose links one apply may revoke, e.g. `30%` (the default).
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(r"^(100|[1-9]?[0-9])%$"))]
    pub max_revoke_share: Option<Spanned<String>>,
    /// The most folders whose links one apply may expose more (wider access, password or expiry removed, internal turned off, a new link), e.g. `30%` (the default).
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(r"^(100|[1-9]?[0-9])%$"))]
    pub max_widen_share: Option<Spanned<String>>,
    /// The shares guard what exists: they apply only once at least this many managed folders (or folders under a scope) have a link now, so that a first adoption is not refused (10 by default).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub min_existing: Option<Spanned<u32>>,
}

/// A room or folder (by `path` or `id`, exactly one) and everything below it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Scope")]
#[schemars(extend("oneOf" = [
    { "properties": { "path": true }, "required": ["path"] },
    { "properties": { "id": true }, "required": ["id"] }
]))]
pub struct RawScope {
    /// Room title, then folder titles, separated by '/'; `@my` for all of My Documents.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub path: Option<Spanned<String>>,
    /// A folder or room id.
    #[serde(default)]
    #[schemars(schema_with = "id_schema")]
    pub id: Option<Spanned<i64>>,
    /// Links on folders no entry lists: `report` them (the default; the plan shows them and counts them as changes) or `revoke` them.
    #[serde(default)]
    #[schemars(with = "Option<Unlisted>")]
    pub unlisted: Option<Spanned<Unlisted>>,
}

/// Rules for every link the manifest describes and every link the plan sees on the portal.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Policy")]
pub struct RawPolicy {
    /// Every link must expire within this long from now: days (`90d`) or weeks (`12w`). A link that never expires breaks it.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(r"^[1-9][0-9]*[dw]$"))]
    pub max_lifetime: Option<Spanned<String>>,
    /// Access levels whose links must have a password.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Access>>")]
    pub require_password: Option<Vec<Spanned<Access>>>,
    /// Access levels no external link may grant.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Access>>")]
    pub forbid_access: Option<Vec<Spanned<Access>>>,
    /// Every link must deny downloads.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub require_deny_download: Option<Spanned<bool>>,
    /// Every link must be internal (signed-in portal users only).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub require_internal: Option<Spanned<bool>>,
}

/// Only version 1 exists; saying so lets editors flag any other number.
fn version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Manifest format version. Always 1.",
        "type": "integer",
        "const": 1
    })
}

/// A positive integer, or one written as a string (`id: "101"`), as the tool reads it.
fn id_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "A folder or room id.",
        "anyOf": [
            { "type": "integer", "minimum": 1 },
            { "type": "string", "pattern": "^[1-9][0-9]*$" }
        ]
    })
}

/// The three spellings the tool accepts; whether the instant is valid, in the future
/// and within ten years is the tool's to say.
fn expires_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "When the link stops working: an RFC 3339 timestamp with an offset, a date (00:00 UTC), or `never`.",
        "type": "string",
        "pattern": "^(never|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([Zz]|[+-][0-9]{2}:[0-9]{2}))$",
        "examples": ["2027-06-30T00:00:00Z", "2027-06-30", "never"]
    })
}

/// A folder or room, named by `path` or by `id` (exactly one), and the link it must have.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Folder")]
// Exactly one of `path` and `id`, as the tool checks it.
#[schemars(extend("oneOf" = [
    { "properties": { "path": true }, "required": ["path"] },
    { "properties": { "id": true }, "required": ["id"] }
]))]
pub struct RawEntry {
    /// Room title, then folder titles, separated by '/'; `@my/...` for a folder in My Documents.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub path: Option<Spanned<String>>,
    /// A folder or room id.
    #[serde(default)]
    #[schemars(schema_with = "id_schema")]
    pub id: Option<Spanned<i64>>,
    /// The folder's primary external link, or `absent` when it must have none.
    #[schemars(with = "RawLink")]
    pub link: Spanned<RawLink>,
    /// The folder's additional external links, keyed by title: the fields each must have, or `absent` when no additional link may have that title.
    #[serde(default)]
    #[schemars(schema_with = "extra_links_schema")]
    pub extra_links: Option<Spanned<RawExtraLinks>>,
    /// Additional links no `extra_links` key names: `report` them (the default; the plan shows them and counts them as changes) or `revoke` them.
    #[serde(default)]
    #[schemars(with = "Option<Unlisted>")]
    pub extra_unlisted: Option<Spanned<Unlisted>>,
}

/// `extra_links:` in the order written. A title written twice is a duplicate key,
/// refused by the parser with its place (`yaml::parse`).
#[derive(Debug, Default)]
pub struct RawExtraLinks(pub Vec<(Spanned<String>, Spanned<RawLink>)>);

impl<'de> Deserialize<'de> for RawExtraLinks {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExtraLinks;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of link titles to `absent` or link fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawExtraLinks, A::Error> {
                let mut links = Vec::new();
                while let Some(title) = map.next_key::<Spanned<String>>()? {
                    links.push((title, map.next_value::<Spanned<RawLink>>()?));
                }
                Ok(RawExtraLinks(links))
            }
        }
        d.deserialize_map(V)
    }
}

/// A mapping from title to what `link:` takes, without `title` (the key is it).
fn extra_links_schema(generator: &mut SchemaGenerator) -> Schema {
    let fields = generator.subschema_for::<RawLinkFields>();
    json_schema!({
        "description": "The folder's additional external links, keyed by title (unique per folder): the fields each must have, or `absent` when no additional link may have that title.",
        "type": "object",
        "propertyNames": { "minLength": 1, "maxLength": 255 },
        "additionalProperties": {
            "oneOf": [
                { "const": "absent", "description": "No additional link of the folder may have this title." },
                { "allOf": [fields, { "type": "object", "properties": { "title": false } }] }
            ]
        }
    })
}

/// `absent`, or the fields of the link.
#[derive(Debug)]
pub enum RawLink {
    Absent,
    Present(Box<RawLinkFields>),
}

/// The fields of a primary external link. A field left out is unmanaged: the portal's value is kept.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "LinkFields")]
pub struct RawLinkFields {
    /// Access granted by the link. Which levels a folder accepts depends on its room type.
    #[serde(default)]
    #[schemars(with = "Option<Access>")]
    pub access: Option<Spanned<Access>>,
    /// The link's title (at most 255 characters).
    #[serde(default)]
    #[schemars(with = "Option<String>", length(min = 1, max = 255))]
    pub title: Option<Spanned<String>>,
    /// When the link stops working: an RFC 3339 timestamp, a date (00:00 UTC), or `never`.
    #[serde(default)]
    #[schemars(schema_with = "expires_schema")]
    pub expires: Option<Spanned<String>>,
    /// The link's password, by reference: `{ env: NAME }`, `{ file: PATH }`, or `false` for none.
    #[serde(default)]
    #[schemars(with = "Option<RawPassword>")]
    pub password: Option<Spanned<RawPassword>>,
    /// Visitors may view but not download.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub deny_download: Option<Spanned<bool>>,
    /// Only signed-in portal users may use the link.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub internal: Option<Spanned<bool>>,
}

/// A password reference. A literal string is parsed only to be refused with a
/// helpful error: secrets do not belong in git.
pub enum RawPassword {
    Off,
    On,
    Env(String),
    File(String),
    Literal,
}

impl fmt::Debug for RawPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawPassword::Off => f.write_str("Off"),
            RawPassword::On => f.write_str("On"),
            RawPassword::Env(n) => write!(f, "Env({n:?})"),
            RawPassword::File(p) => write!(f, "File({p:?})"),
            RawPassword::Literal => f.write_str("Literal(********)"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordRef {
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    file: Option<String>,
}

impl<'de> Deserialize<'de> for RawPassword {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPassword;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`{ env: NAME }`, `{ file: PATH }` or `false`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawPassword, E> {
                Ok(if v { RawPassword::On } else { RawPassword::Off })
            }
            // Never echo the value: it is somebody's password.
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawPassword, E> {
                Ok(RawPassword::Literal)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawPassword, E> {
                Ok(RawPassword::Literal)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawPassword, E> {
                Ok(RawPassword::Literal)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawPassword, E> {
                Ok(RawPassword::Literal)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawPassword, A::Error> {
                let r = PasswordRef::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (r.env, r.file) {
                    (Some(env), None) => Ok(RawPassword::Env(env)),
                    (None, Some(file)) => Ok(RawPassword::File(file)),
                    _ => Err(de::Error::custom(
                        "a password reference needs exactly one of `env` or `file`",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for RawPassword {
    fn schema_name() -> Cow<'static, str> {
        "Password".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A password reference: never the password itself. The password must have 8 to 30 printable ASCII characters (! to ~), without spaces.",
            "oneOf": [
                { "const": false, "description": "The link must have no password." },
                {
                    "type": "object",
                    "description": "Read from this environment variable. Its name must start with DOCSPACE_LINK_ (or the prefix in DOCSPACE_LINKS_PASSWORD_PREFIX); DOCSPACE_TOKEN is refused.",
                    "properties": { "env": { "type": "string", "minLength": 1 } },
                    "required": ["env"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "description": "Read from this file, relative to the manifest; a single trailing newline is dropped.",
                    "properties": { "file": { "type": "string", "minLength": 1 } },
                    "required": ["file"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for RawLink {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawLink;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`absent` or a mapping of link fields")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawLink, E> {
                if v == "absent" {
                    Ok(RawLink::Absent)
                } else {
                    Err(E::custom(format!(
                        "expected `absent` or a mapping of link fields, found `{v}`"
                    )))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawLink, A::Error> {
                RawLinkFields::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|f| RawLink::Present(Box::new(f)))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for RawLink {
    fn schema_name() -> Cow<'static, str> {
        "Link".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let fields = generator.subschema_for::<RawLinkFields>();
        json_schema!({
            "description": "The folder's primary external link: `absent`, or the fields it must have.",
            "oneOf": [
                { "const": "absent", "description": "The folder must have no primary external link." },
                fields
            ]
        })
    }
}
