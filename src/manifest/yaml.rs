//! The only place that calls serde-saphyr: strict YAML in, raw manifest out, and its
//! errors turned into diagnostics that speak the manifest's language rather than serde's.

use serde::de::DeserializeOwned;
use serde_saphyr::Error;

use serde_saphyr::budget::BudgetBreach;

use super::diagnostic::{Code, Diagnostic, Pos};

pub const BOOLEAN_HELP: &str =
    "use true or false (YAML 1.1 words such as yes, no, on and off are not booleans here)";

/// The largest manifest read (`input::MANIFEST`, which a file's read stops at). A
/// 100,000-entry manifest with every field is about 22 MB; this leaves room for long
/// paths and titles while bounding the memory a manifest can take (about seven times
/// its size while it is parsed and validated).
pub const MAX_MANIFEST_BYTES: usize = crate::input::MANIFEST.max as usize;

/// Parses YAML strictly: duplicate keys are errors, only `true`/`false` are booleans,
/// and unknown tags are refused rather than silently dropped.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        reject_unsupported_tags: true,
        with_snippet: false,
        // The default budget (250,000 nodes) stops at about 13,000 entries with every
        // field. Every node takes at least one byte of text and at most two events, so
        // these never bind below MAX_MANIFEST_BYTES; alias and depth limits stay.
        budget: serde_saphyr::budget! {
            max_nodes: MAX_MANIFEST_BYTES,
            max_events: 2 * MAX_MANIFEST_BYTES + 16,
        },
    };
    serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| explain(e.without_snippet(), text))
}

/// Where a spanned value was written. For an alias, that is where the alias is used.
pub fn span_pos<T>(s: &serde_saphyr::Spanned<T>) -> Pos {
    pos_of(&s.referenced)
}

fn pos_of(l: &serde_saphyr::Location) -> Pos {
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX).max(1);
    Pos {
        line: clamp(l.line()),
        column: clamp(l.column()),
        len: clamp(l.span().len()),
    }
}

/// Turns serde-saphyr's error into a diagnostic. The key the value belongs to is
/// read back from the source line, so messages can name the field at fault.
fn explain(e: &Error, text: &str) -> Diagnostic {
    let pos = e.location().map(|l| pos_of(&l));
    let found = pos.and_then(|p| word_at(text, p));
    let key = pos.and_then(|p| key_before(text, p));
    let field = |what: &str| match key {
        Some(k) => format!("`{k}` must be {what}"),
        None => format!("expected {what}"),
    };
    let mut code = Code::InvalidType;
    let (message, label, help): (String, Option<&str>, Option<String>) = match e {
        Error::Budget { breach, .. } => {
            code = Code::TooLarge;
            (
                format!(
                    "the manifest is too large to read: {}",
                    budget_words(breach)
                ),
                None,
                Some(format!(
                    "split it into manifests of at most {} MiB, without aliases of aliases",
                    MAX_MANIFEST_BYTES >> 20
                )),
            )
        }
        Error::InvalidBooleanStrict { .. } => (
            match found {
                Some(w) => format!("`{w}` is not a boolean"),
                None => field("true or false"),
            },
            Some("expected true or false"),
            Some(BOOLEAN_HELP.to_owned()),
        ),
        Error::DuplicateMappingKey { key, .. } => {
            code = Code::DuplicateKey;
            (
                match key {
                    Some(k) => format!("the key `{k}` appears twice in the same mapping"),
                    None => "a key appears twice in the same mapping".to_owned(),
                },
                Some("duplicate key"),
                Some(
                    "remove one of them; YAML keeps only one and the manifest will not guess which"
                        .to_owned(),
                ),
            )
        }
        Error::SerdeUnknownField {
            field, expected, ..
        } => {
            code = Code::UnknownKey;
            (
                format!("unknown key `{field}`"),
                Some("not a manifest key"),
                Some(if *expected == ["env", "file"] {
                    "a password is referenced as `{ env: NAME }` or `{ file: PATH }`, or is `false`"
                        .to_owned()
                } else {
                    format!(
                        "{}expected one of: {}",
                        crate::suggest::did_you_mean(field, expected.iter().copied()),
                        expected.join(", ")
                    )
                }),
            )
        }
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } if key == Some("unlisted") => {
            code = Code::InvalidType;
            (
                format!("`unlisted` cannot be `{variant}`"),
                Some("not a way to treat unlisted links"),
                Some(format!("use one of: {}", expected.join(", "))),
            )
        }
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            code = Code::UnknownAccess;
            (
                format!("unknown access level `{variant}`"),
                Some("not an access level"),
                Some(format!(
                    "{}use one of: {}",
                    crate::suggest::did_you_mean(variant, expected.iter().copied()),
                    expected.join(", ")
                )),
            )
        }
        Error::SerdeMissingField { field, .. } => {
            code = Code::MissingKey;
            (
                format!("missing key `{field}`"),
                None,
                missing_help(field).map(str::to_owned),
            )
        }
        Error::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            format!("{}, found {unexpected}", field(&friendly(expected))),
            None,
            None,
        ),
        Error::Unexpected { expected, .. } => (field(&friendly(expected)), None, None),
        Error::InvalidScalar { ty, .. } => {
            let message = match found {
                Some(w) => format!("{}, found `{w}`", field(&friendly(ty))),
                None => field(&friendly(ty)),
            };
            let help = (key == Some("id")).then(|| "folder ids are positive integers".to_owned());
            (message, None, help)
        }
        Error::NullIntoString { .. } => (field("a string, not empty"), None, None),
        Error::Eof { .. } => {
            code = Code::YamlSyntax;
            (
                "the manifest ends in the middle of a value".to_owned(),
                None,
                None,
            )
        }
        Error::MultipleDocuments { .. } => {
            code = Code::YamlSyntax;
            (
                "the manifest holds more than one YAML document".to_owned(),
                Some("a second document starts here"),
                Some(
                    "keep the whole manifest in one document: remove the `---` before this line"
                        .to_owned(),
                ),
            )
        }
        // Errors our own visitors raise are already written for people.
        Error::Message { msg, .. } => (msg.clone(), None, None),
        other => {
            code = Code::YamlSyntax;
            (
                other
                    .to_string()
                    .split_once(" at line ")
                    .map_or_else(|| other.to_string(), |(m, _)| m.to_owned()),
                None,
                None,
            )
        }
    };
    Diagnostic {
        code,
        severity: crate::diagnostic::Severity::Error,
        message,
        pos,
        label: label.map(str::to_owned),
        notes: Vec::new(),
        help,
    }
}

/// What ran over, in words; the nodes and events budgets cannot, below the size cap.
fn budget_words(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Depth { .. } => "it nests values too deeply".to_owned(),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. }
        | BudgetBreach::MergeKeys { .. } => "its aliases expand to too much".to_owned(),
        other => format!("{other:?}"),
    }
}

/// serde's names for what it expected, in the manifest's words.
fn friendly(expected: &str) -> String {
    let words = match expected {
        "struct RawManifest" | "mapping start" | "map" => "a mapping",
        "struct RawEntry" => "a mapping with `path` or `id`, and `link`",
        "struct RawLinkFields" => "a mapping of link fields",
        "a sequence" | "sequence start" | "seq" => "a list",
        "a string" | "string" | "string scalar" => "a string",
        "a boolean" | "boolean" => "true or false",
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "an integer" => "an integer",
        other => return other.to_owned(),
    };
    words.to_owned()
}

pub fn missing_help(field: &str) -> Option<&'static str> {
    match field {
        "version" => Some("start the manifest with `version: 1`"),
        "folders" => Some("add a `folders:` list with one entry per folder"),
        "link" => Some("add `link: absent`, or `link:` with the fields the link must have"),
        _ => None,
    }
}

/// The text an error points at, when it is a short scalar on one line. Only used for
/// errors about booleans and numbers, never for passwords (their errors come from
/// validation).
fn word_at(text: &str, pos: Pos) -> Option<&str> {
    let line = text.lines().nth(pos.line as usize - 1)?;
    let start = line.char_indices().nth(pos.column as usize - 1)?.0;
    let rest = &line[start..];
    let end = rest.find([',', '}', ']', '#']).unwrap_or(rest.len());
    let word = rest[..end].trim();
    (!word.is_empty() && word.len() <= 40).then_some(word)
}

/// The mapping key whose value starts at `pos`: on the same line (`key: value`), or
/// on the line above for a block value.
fn key_before(text: &str, pos: Pos) -> Option<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let index = pos.line as usize - 1;
    let line = lines.get(index)?;
    let start = line
        .char_indices()
        .nth(pos.column as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    let before = line[..start].trim_end();
    let before = if before.is_empty() {
        lines[..index]
            .iter()
            .rev()
            .map(|l| l.trim_end())
            .find(|l| !l.trim_start().is_empty() && !l.trim_start().starts_with('#'))?
    } else {
        before
    };
    let key = before
        .strip_suffix(':')?
        .rsplit(['{', ',', ' ', '-'])
        .next()?
        .trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}
