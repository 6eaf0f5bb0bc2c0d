//! The only place that calls serde-saphyr: strict YAML in, raw manifest out.

use serde::de::DeserializeOwned;

use super::diagnostic::{Diagnostic, Pos};

/// Parses YAML strictly: duplicate keys are errors, and only `true`/`false` are
/// booleans (YAML 1.1's `yes`/`on` are not).
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let pos = e.location().map(|l| pos_of(&l));
        let raw = e.without_snippet().to_string();
        let (message, help) = explain(&raw);
        Diagnostic {
            message,
            pos,
            label: None,
            notes: Vec::new(),
            help,
        }
    })
}

/// A value's position and length, from serde-saphyr's location.
pub fn pos_of(l: &serde_saphyr::Location) -> Pos {
    Pos {
        line: u32::try_from(l.line()).unwrap_or(u32::MAX).max(1),
        column: u32::try_from(l.column()).unwrap_or(u32::MAX).max(1),
        len: u32::try_from(l.span().len()).unwrap_or(1).max(1),
    }
}

pub fn span_pos<T>(s: &serde_saphyr::Spanned<T>) -> Pos {
    pos_of(&s.referenced)
}

/// Turns a parser message into one for people, with a hint where one helps.
fn explain(raw: &str) -> (String, Option<String>) {
    // serde-saphyr prefixes some messages with their position; ours is shown apart.
    let message = raw
        .split_once(" at line ")
        .map_or(raw, |(m, _)| m)
        .trim()
        .trim_start_matches("error: ")
        .to_owned();
    let lower = message.to_lowercase();
    let help = if lower.contains("bool") {
        Some(
            "write `true` or `false` (YAML 1.1 words like `yes` and `on` are not booleans here)"
                .to_owned(),
        )
    } else if lower.contains("duplicate") {
        Some("each key may appear once per mapping".to_owned())
    } else if lower.contains("unknown field") {
        Some("see schemas/manifest.schema.json for the fields a manifest may have".to_owned())
    } else if lower.contains("unknown variant") {
        Some("access is one of: read, review, comment, fill-forms, editing".to_owned())
    } else {
        None
    };
    (message, help)
}
