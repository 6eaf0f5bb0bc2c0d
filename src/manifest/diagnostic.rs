//! Problems that point into the user's file, kept as data: a stable code, where, what
//! and what to do. `render/` turns them into snippets at the edge; nothing here draws them.

use std::fmt;

use super::Source;

/// A place in the manifest: 1-based line and column, and how many characters to underline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

/// What kind of problem a diagnostic is, as a stable kebab-case word that scripts and
/// CI formats can match on (the message may be reworded, the code is not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The manifest file cannot be read.
    Read,
    /// The file is not UTF-8 text.
    Encoding,
    /// Past the size the tool reads (`yaml::MAX_MANIFEST_BYTES`) or the parser's budget.
    TooLarge,
    /// Nothing but comments and blank lines.
    Empty,
    /// Not YAML, or YAML the manifest does not allow (several documents, tags).
    YamlSyntax,
    UnknownKey,
    DuplicateKey,
    MissingKey,
    /// A value of the wrong kind: a list where a string belongs, `yes` for a boolean.
    InvalidType,
    UnknownAccess,
    /// A manifest version this release does not read.
    Version,
    /// A malformed `path`.
    Path,
    /// An `id` that is not a positive integer.
    Id,
    /// An entry with both `path` and `id`, or neither.
    Target,
    /// Two entries for one folder.
    DuplicateEntry,
    Title,
    ExpiryFormat,
    ExpiryPast,
    ExpiryTooFar,
    /// A password written into the manifest itself.
    LiteralPassword,
    /// A password reference that does not say where the password is.
    PasswordReference,
    /// The referenced variable is not set, or the file cannot be read.
    PasswordUnavailable,
    /// The password breaks the portal's password policy.
    PasswordPolicy,
    /// A variable that must not become a link password (the API key, or outside the
    /// allowed prefix).
    PasswordEnvForbidden,
    /// The portal has no folder at this path or id (found when planning).
    FolderNotFound,
    /// Two folders have the title the path names.
    AmbiguousFolder,
    /// The folder or room cannot have external links at all.
    NoExternalLinks,
    /// The access level is not one the folder's room type allows for links.
    AccessNotAllowed,
    /// The portal would force another value, or ignore this one (docspace-api.md 2.4).
    ForcedValue,
    /// Two scopes for one subtree.
    DuplicateScope,
    /// A `policy:` rule that cannot be read (`max_lifetime: 3 months`).
    PolicyRule,
    /// An entry manages a field against a `policy:` rule.
    PolicyViolation,
    /// A `safety:` share that is not a percentage from 0% to 100%.
    SafetyShare,
    /// A diagnostic built with [`Diagnostic::at`] whose kind was not named with
    /// [`Diagnostic::code`]. The manifest layer always names one.
    Other,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Read => "read",
            Code::Encoding => "encoding",
            Code::TooLarge => "too-large",
            Code::Empty => "empty",
            Code::YamlSyntax => "yaml-syntax",
            Code::UnknownKey => "unknown-key",
            Code::DuplicateKey => "duplicate-key",
            Code::MissingKey => "missing-key",
            Code::InvalidType => "invalid-type",
            Code::UnknownAccess => "unknown-access",
            Code::Version => "version",
            Code::Path => "path",
            Code::Id => "id",
            Code::Target => "target",
            Code::DuplicateEntry => "duplicate-entry",
            Code::Title => "title",
            Code::ExpiryFormat => "expiry-format",
            Code::ExpiryPast => "expiry-past",
            Code::ExpiryTooFar => "expiry-too-far",
            Code::LiteralPassword => "literal-password",
            Code::PasswordReference => "password-reference",
            Code::PasswordUnavailable => "password-unavailable",
            Code::PasswordPolicy => "password-policy",
            Code::PasswordEnvForbidden => "password-env-forbidden",
            Code::FolderNotFound => "folder-not-found",
            Code::AmbiguousFolder => "ambiguous-folder",
            Code::NoExternalLinks => "no-external-links",
            Code::AccessNotAllowed => "access-not-allowed",
            Code::ForcedValue => "forced-value",
            Code::DuplicateScope => "duplicate-scope",
            Code::PolicyRule => "policy-rule",
            Code::PolicyViolation => "policy-violation",
            Code::SafetyShare => "safety-share",
            Code::Other => "other",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, with where it is and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// `None`: about the whole file.
    pub pos: Option<Pos>,
    /// Text shown after the underline.
    pub label: Option<String>,
    /// Other places worth showing, e.g. the first of two duplicate entries.
    pub notes: Vec<(Pos, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem at `pos`; name its kind with [`Diagnostic::code`].
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            code: Code::Other,
            message: message.into(),
            pos: Some(pos),
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A problem with the file as a whole.
    pub fn file(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            pos: None,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn code(mut self, code: Code) -> Self {
        self.code = code;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, pos: Pos, text: impl Into<String>) -> Self {
        self.notes.push((pos, text.into()));
        self
    }
}

/// Everything wrong with a manifest, reported at once, with the text it points into.
#[derive(Debug)]
pub struct ManifestError {
    source: Source,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl ManifestError {
    pub fn new(source: Source, diagnostics: Vec<Diagnostic>) -> Self {
        ManifestError {
            source,
            diagnostics,
        }
    }

    /// The file the diagnostics point into, as the user named it.
    pub fn file(&self) -> &str {
        &self.source.name
    }

    /// The text the diagnostics point into, for the snippets.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The problems, still structured, for renderers other than the snippets.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// One line per problem, `file:line:column: message`, without the file's text: the
/// snippets people read (with literal passwords masked) are drawn by `render/`.
impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match d.pos {
                Some(p) => write!(
                    f,
                    "{}:{}:{}: {}",
                    self.source.name, p.line, p.column, d.message
                )?,
                None => write!(f, "{}: {}", self.source.name, d.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ManifestError {}
