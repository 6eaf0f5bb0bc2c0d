//! The fallback mask for a manifest that does not parse as YAML: without a document
//! to take spans from (`mask.rs`), a literal password is found in the text, after a
//! `password` key, so a broken file does not show it either.

use std::ops::Range;

/// The value of a `password:` key continues on the lines below that are indented
/// past the key: a block mapping (references allowed) or a multi-line scalar.
#[derive(Clone, Copy)]
struct Continuation {
    key_column: usize,
    scalar: bool,
}

/// What to mask on each line (character ranges), by 0-based line index: anything after
/// a `password` key (any case) that is not `false`, `true` or an `env`/`file` reference.
pub fn ranges(text: &str) -> Vec<Vec<Range<usize>>> {
    let mut lines = Vec::new();
    let mut open: Option<Continuation> = None;
    for line in text.split('\n') {
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let body_is_blank = chars[indent..].first().is_none_or(|c| *c == '#');
        if let Some(Continuation { key_column, scalar }) = open {
            if body_is_blank {
                lines.push(Vec::new());
                continue;
            }
            if indent > key_column {
                lines.push(mask_block_line(&chars, indent, scalar));
                continue;
            }
        }
        let (shown, cont) = mask_line(&chars);
        open = cont;
        lines.push(shown);
    }
    lines
}

fn mask(at: usize, end: usize) -> Option<Range<usize>> {
    (end > at).then_some(at..end)
}

/// A line inside a block value of `password:`: references stay readable, anything
/// else is masked.
fn mask_block_line(chars: &[char], indent: usize, scalar: bool) -> Vec<Range<usize>> {
    let body: String = chars[indent..].iter().collect();
    let end = chars.len();
    if !scalar {
        let key = body
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        if body.contains(':') && matches!(key, "env" | "file") {
            return Vec::new();
        }
        if let Some(colon) = body.find(": ")
            && body[..colon]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_')
        {
            let at = indent + body[..colon + 2].chars().count();
            return mask(at, end).into_iter().collect();
        }
    }
    mask(indent, end).into_iter().collect()
}

/// A key that is `password`, or may be meant as it (`pasword`, `Passwd`,
/// `passwords`, `secret`): its value is hidden however the key is spelt, since a
/// mistyped key still holds what was meant as a password. Not the policy's
/// `require_password`, nor a title with spaces (an `extra_links` key).
pub(super) fn password_like(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k == "require_password" || k.contains(' ') {
        return false;
    }
    k.contains("pass")
        || k.contains("pwd")
        || k.contains("secret")
        || strsim::jaro_winkler(&k, "password") >= 0.85
}

fn mask_line(chars: &[char]) -> (Vec<Range<usize>>, Option<Continuation>) {
    // The key word at `at`, if it is one `mask::password_like` hides.
    let key_len = |at: usize| {
        let n = chars[at..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .count();
        let word: String = chars[at..at + n].iter().collect();
        (n > 0 && password_like(&word)).then_some(n)
    };
    let mut edits = Vec::new();
    let mut cont = None;
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || matches!(chars[i - 1], ' ' | '{' | ',' | '"' | '\'');
        let Some(len) = key_len(i).filter(|_| boundary) else {
            i += 1;
            continue;
        };
        let key_column = if i > 0 && matches!(chars[i - 1], '"' | '\'') {
            i - 1
        } else {
            i
        };
        let mut j = i + len;
        if j < chars.len() && matches!(chars[j], '"' | '\'') {
            j += 1;
        }
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j >= chars.len() || chars[j] != ':' || chars.get(j + 1).is_some_and(|c| *c != ' ') {
            i += 1;
            continue;
        }
        let mut v = j + 1;
        while v < chars.len() && chars[v] == ' ' {
            v += 1;
        }
        let in_flow = depth(&chars[..i]) > 0;
        match chars.get(v) {
            None | Some('#') => {
                cont = Some(Continuation {
                    key_column,
                    scalar: false,
                });
                i = chars.len();
            }
            Some('|' | '>') => {
                cont = Some(Continuation {
                    key_column,
                    scalar: true,
                });
                i = chars.len();
            }
            Some('{') => {
                let end = closing_bracket(chars, v);
                edits.extend(mask_references(chars, v + 1, end));
                i = end;
            }
            Some('[') => {
                let end = (closing_bracket(chars, v) + 1).min(chars.len());
                edits.extend(mask(v, end));
                i = end;
            }
            Some(&q @ ('"' | '\'')) => {
                // Skips `\"` in double quotes and `''` in single quotes.
                let mut end = v + 1;
                while end < chars.len() {
                    let escaped = match q {
                        '"' => chars[end] == '\\',
                        _ => chars[end] == q && chars.get(end + 1) == Some(&q),
                    };
                    if escaped {
                        end += 2;
                    } else if chars[end] == q {
                        break;
                    } else {
                        end += 1;
                    }
                }
                let end = (end + 1).min(chars.len());
                if end == chars.len() && chars.last() != Some(&q) {
                    cont = Some(Continuation {
                        key_column,
                        scalar: true,
                    });
                }
                edits.extend(mask(v, end));
                i = end;
            }
            Some(_) => {
                let end = plain_end(chars, v, in_flow);
                let word: String = chars[v..end].iter().collect();
                if !matches!(word.as_str(), "false" | "true" | "null" | "~") {
                    edits.extend(mask(v, end));
                    if !in_flow && end == chars.len() {
                        cont = Some(Continuation {
                            key_column,
                            scalar: true,
                        });
                    }
                }
                i = end.max(v + 1);
            }
        }
    }
    (edits, cont)
}

/// Within `{ ... }` after `password:`, values of keys other than `env` and `file`.
fn mask_references(chars: &[char], from: usize, to: usize) -> Vec<Range<usize>> {
    let mut edits = Vec::new();
    let mut start = from;
    for k in from..=to.min(chars.len()) {
        if k < to && chars[k] != ',' {
            continue;
        }
        let item: String = chars[start..k].iter().collect();
        let lead = item.chars().take_while(|c| *c == ' ').count();
        match item.split_once(':') {
            Some((key, _)) if matches!(key.trim().trim_matches(['"', '\'']), "env" | "file") => {}
            Some((key, value)) => {
                let at = start + key.chars().count() + 1;
                let at = at + value.chars().take_while(|c| *c == ' ').count();
                let end = start + item.trim_end().chars().count();
                edits.extend(mask(at, end));
            }
            None => {
                let end = start + item.trim_end().chars().count();
                edits.extend(mask(start + lead, end));
            }
        }
        start = k + 1;
    }
    edits
}

/// How many flow collections are open at the end of `chars`.
fn depth(chars: &[char]) -> i32 {
    chars.iter().fold(0, |d, c| match c {
        '{' | '[' => d + 1,
        '}' | ']' => d - 1,
        _ => d,
    })
}

/// Where a plain scalar starting at `from` ends: at a comment, and inside `{}`/`[]`
/// also at `,`, `}` or `]`.
fn plain_end(chars: &[char], from: usize, in_flow: bool) -> usize {
    let mut end = chars.len();
    for k in from..chars.len() {
        let c = chars[k];
        if (in_flow && matches!(c, ',' | '}' | ']')) || (c == '#' && chars[k - 1] == ' ') {
            end = k;
            break;
        }
    }
    while end > from && chars[end - 1] == ' ' {
        end -= 1;
    }
    end
}

/// The index of the bracket closing the one at `open`, or the line's end.
pub fn closing_bracket(chars: &[char], open: usize) -> usize {
    let mut level = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' | '[' => level += 1,
            '}' | ']' => {
                level -= 1;
                if level == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    chars.len()
}
