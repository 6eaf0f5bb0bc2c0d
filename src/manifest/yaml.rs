//! The only place that calls serde-saphyr: strict YAML in, raw manifest out, and its
//! errors turned into diagnostics that speak the manifest's language rather than serde's.

use serde::de::DeserializeOwned;
use serde_saphyr::Error;

use super::diagnostic::{Diagnostic, Pos};

const BOOLEAN_HELP: &str =
    "use true or false (YAML 1.1 words such as yes, no, on and off are not booleans here)";

/// Parses YAML strictly: duplicate keys are errors, only `true`/`false` are booleans,
/// and unknown tags are refused rather than silently dropped.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        reject_unsupported_tags: true,
        with_snippet: false,
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
    let (message, label, help): (String, Option<&str>, Option<String>) = match e {
        Error::InvalidBooleanStrict { .. } => (
            match found {
                Some(w) => format!("`{w}` is not a boolean"),
                None => field("true or false"),
            },
            Some("expected true or false"),
            Some(BOOLEAN_HELP.to_owned()),
        ),
        Error::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("the key `{k}` appears twice in the same mapping"),
                None => "a key appears twice in the same mapping".to_owned(),
            },
            Some("duplicate key"),
            Some(
                "remove one of them; YAML keeps only one and the manifest will not guess which"
                    .to_owned(),
            ),
        ),
        Error::SerdeUnknownField {
            field, expected, ..
        } => (
            format!("unknown key `{field}`"),
            Some("not a manifest key"),
            Some(if *expected == ["env", "file"] {
                "a password is referenced as `{ env: NAME }` or `{ file: PATH }`, or is `false`"
                    .to_owned()
            } else {
                format!("expected one of: {}", expected.join(", "))
            }),
        ),
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } if key == Some("unlisted") => (
            format!("`unlisted` cannot be `{variant}`"),
            Some("not a way to treat unlisted links"),
            Some(format!("use one of: {}", expected.join(", "))),
        ),
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!("unknown access level `{variant}`"),
            Some("not an access level"),
            Some(format!("use one of: {}", expected.join(", "))),
        ),
        Error::SerdeMissingField { field, .. } => (
            format!("missing key `{field}`"),
            None,
            missing_help(field).map(str::to_owned),
        ),
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
        Error::Eof { .. } => (
            "the manifest ends in the middle of a value".to_owned(),
            None,
            None,
        ),
        Error::MultipleDocuments { .. } => (
            "the manifest holds more than one YAML document".to_owned(),
            Some("a second document starts here"),
            Some(
                "keep the whole manifest in one document: remove the `---` before this line"
                    .to_owned(),
            ),
        ),
        // Errors our own visitors raise are already written for people.
        Error::Message { msg, .. } => (msg.clone(), None, None),
        other => (
            other
                .to_string()
                .split_once(" at line ")
                .map_or_else(|| other.to_string(), |(m, _)| m.to_owned()),
            None,
            None,
        ),
    };
    Diagnostic {
        message,
        pos,
        label: label.map(str::to_owned),
        notes: Vec::new(),
        help,
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

fn missing_help(field: &str) -> Option<&'static str> {
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
