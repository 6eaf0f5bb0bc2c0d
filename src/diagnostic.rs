//! What the tool tells a user about a problem, as data: a stable code derived from
//! the kind of problem, a severity, where in the manifest when it is about a place in
//! it, a message and what to do. Manifest errors, refused and unreadable folders,
//! apply failures and run-wide errors all name their kind with one [`Code`], so a CI
//! script matches on the code and never on English text (docs/json.md lists them).
//! `render/` alone turns diagnostics into text, JSON, Markdown or GitHub commands.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A place in the manifest: 1-based line and column, and how many characters to underline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

/// How bad a problem is (`"severity"` in JSON). Every error stops its folder or the
/// run; facts that change nothing are the plan's notes, not diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    /// Only `validate` gives these: what it could not check offline (a password
    /// variable not set here) and plan and apply would stop on.
    Warning,
}

/// Writes the code enum with its text, and the list of every code. The text is the
/// variant's name in kebab-case (a unit test holds each to it and all to be unique):
/// a code is stable once released, whatever its message says.
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, )*) => {
        /// What kind of problem a diagnostic is, as a stable kebab-case word that
        /// scripts and CI formats can match on (the message may be reworded, the code
        /// is not).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $text)] $variant, )*
        }

        impl Code {
            #[cfg(test)]
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    // The manifest: problems at a place in the file (or with the whole file).
    /// The manifest file cannot be read.
    Read = "read",
    /// The file is not UTF-8 text.
    Encoding = "encoding",
    /// Past the size the tool reads (`yaml::MAX_MANIFEST_BYTES`) or the parser's budget.
    TooLarge = "too-large",
    /// Nothing but comments and blank lines.
    Empty = "empty",
    /// Not YAML, or YAML the manifest does not allow (several documents, tags).
    YamlSyntax = "yaml-syntax",
    UnknownKey = "unknown-key",
    DuplicateKey = "duplicate-key",
    MissingKey = "missing-key",
    /// A value of the wrong kind: a list where a string belongs, `yes` for a boolean.
    InvalidType = "invalid-type",
    UnknownAccess = "unknown-access",
    /// A manifest version this release does not read.
    Version = "version",
    /// A malformed `path`.
    Path = "path",
    /// An `id` that is not a positive integer.
    Id = "id",
    /// An entry with both `path` and `id`, or neither.
    Target = "target",
    /// Two entries for one folder.
    DuplicateEntry = "duplicate-entry",
    Title = "title",
    ExpiryFormat = "expiry-format",
    ExpiryPast = "expiry-past",
    ExpiryTooFar = "expiry-too-far",
    /// A password written into the manifest itself.
    LiteralPassword = "literal-password",
    /// A password reference that does not say where the password is.
    PasswordReference = "password-reference",
    /// The referenced variable is not set, or the file cannot be read.
    PasswordUnavailable = "password-unavailable",
    /// The password breaks the portal's password policy.
    PasswordPolicy = "password-policy",
    /// A variable that must not become a link password (the API key, or outside the
    /// allowed prefix).
    PasswordEnvForbidden = "password-env-forbidden",
    /// The portal has no folder at this path or id (found when planning).
    FolderNotFound = "folder-not-found",
    /// Two folders have the title the path names.
    AmbiguousFolder = "ambiguous-folder",
    /// The folder or room cannot have external links at all.
    NoExternalLinks = "no-external-links",
    /// The access level is not one the folder's room type allows for links.
    AccessNotAllowed = "access-not-allowed",
    /// The plan would leave the folder more additional links than its room allows
    /// (docspace-api.md 2.6).
    LinkLimit = "link-limit",
    /// The portal would force another value, or ignore this one (docspace-api.md 2.4).
    ForcedValue = "forced-value",
    /// Two scopes for one subtree.
    DuplicateScope = "duplicate-scope",
    /// A `policy:` rule that cannot be read (`max_lifetime: 3 months`).
    PolicyRule = "policy-rule",
    /// An entry manages a field against a `policy:` rule.
    PolicyViolation = "policy-violation",
    /// A `safety:` share that is not a percentage from 0% to 100%.
    SafetyShare = "safety-share",
    /// A diagnostic built with [`Diagnostic::at`] whose kind was not named with
    /// [`Diagnostic::code`]. The manifest layer always names one.
    Other = "other",

    // A folder the plan refuses to write (`"action": "refused"`), and why.
    /// The manifest's expiry is past or due within minutes: the portal would save a
    /// link with no expiry at all (docspace-api.md 2.2).
    ExpiryDue = "expiry-due",
    /// The link's access level is not one the tool knows, and an update would send it back.
    PortalAccessUnknown = "portal-access-unknown",
    /// The portal answers OK to a change of this field and ignores it (docspace-api.md 2.4).
    FieldNotEditable = "field-not-editable",
    /// The link has expired, and an update would bring it back with no expiry.
    ExpiredLink = "expired-link",
    /// The portal does not say whether the link has a password, and an update would remove one.
    PasswordUnseen = "password-unseen",
    /// A revoke the portal refuses: only the folder's creator may revoke its links,
    /// and the API key's user did not create it (docspace-api.md, third reading 3).
    /// Also apply's code when the portal's 403 says so.
    NotCreator = "not-creator",

    // A folder whose state could not be read (`"action": "unknown"`), or a run that
    // stopped on the portal: what the portal answered.
    /// 401: the API key was refused.
    Unauthorized = "unauthorized",
    /// 403.
    Forbidden = "forbidden",
    /// 404.
    NotFound = "not-found",
    /// Another 4xx.
    Rejected = "rejected",
    /// 429, retried until the budget ran out.
    RateLimited = "rate-limited",
    /// 5xx, retried until the budget ran out.
    ServerError = "server-error",
    /// The connection broke or timed out, retried until the budget ran out.
    NoAnswer = "no-answer",
    /// No connection could be made at all.
    Unreachable = "unreachable",
    /// A 3xx: never followed.
    Redirected = "redirected",
    /// The address answers, but not as a DocSpace portal does.
    WrongPortal = "wrong-portal",
    /// The portal failed request after request; the rest of the run was not sent.
    PortalDown = "portal-down",
    /// The portal asked for a wait longer than the run's wait budget (the header
    /// is named); the run ended instead of sleeping.
    WaitRefused = "wait-refused",
    /// An answer that cannot be read as what was asked for.
    BadAnswer = "bad-answer",
    /// The portal was not read for this folder (nothing is assumed about it).
    NotRead = "not-read",
    /// The portal lists the folder as shared and shows this API key none of its
    /// links (a user who may see a folder but not manage its links, docspace-api.md 1).
    LinksHidden = "links-hidden",
    /// Two additional links of the folder have a title an `extra_links` key names
    /// (or the same title): which one a key means is not guessed.
    DuplicateLinkTitle = "duplicate-link-title",

    // How apply ended for a folder it did not change as planned (a refused or unknown
    // folder keeps the code the plan gave it).
    /// The folder is no longer as the plan showed it; nothing was written.
    Stale = "stale",
    /// The portal answered, but the link is not what was asked for.
    DidNotTake = "did-not-take",
    /// A request failed with a clear answer; nothing was written.
    RequestFailed = "request-failed",
    /// Writes whose answers were lost: the folder's state is unknown.
    Uncertain = "uncertain",
    /// The portal answered the write with the link unchanged: it drops a write whole
    /// when a field the caller may not edit differs (docspace-api.md third reading 2).
    IgnoredByPortal = "ignored-by-portal",
    /// After the create, the folder has more than one primary link: a concurrent
    /// create (another apply) made one too (docspace-api.md, third reading 6).
    SecondPrimaryLink = "second-primary-link",
    /// The write took, but the read after it that checks it failed: after a
    /// create, the look for a concurrent apply's second primary link
    /// (docspace-api.md, third reading 6); after a revoke, the look at what is left.
    WrittenUnchecked = "written-unchecked",

    // Run-wide errors (`"error"` in JSON), beside the portal's codes above.
    /// The manifest has problems; each diagnostic has its own code.
    InvalidManifest = "invalid-manifest",
    NoPortal = "no-portal",
    /// `--portal` is not an address the tool can use, or its certificates cannot be read.
    InvalidPortal = "invalid-portal",
    NoToken = "no-token",
    NoTerminal = "no-terminal",
    Cancelled = "cancelled",
    StaleWhileConfirming = "stale-while-confirming",
    OverwriteUnconfirmed = "overwrite-unconfirmed",
    ExportCancelled = "export-cancelled",
    /// `export --room` names no room.
    NoSuchRoom = "no-such-room",
    /// `export --room` names two rooms.
    AmbiguousRoom = "ambiguous-room",
    /// `export --room` names a room of a type the tool does not know.
    UnknownRoomType = "unknown-room-type",
    /// Export could not read part of what it was asked to export; nothing was written.
    ExportIncomplete = "export-incomplete",
    ConfirmationInJson = "confirmation-in-json",
    /// A safety share of the plan went over (design.md 1.1).
    SafetyShareExceeded = "safety-share-exceeded",
    PlanUnreadable = "plan-unreadable",
    PlanFormat = "plan-format",
    PlanPortal = "plan-portal",
    PlanManifestChanged = "plan-manifest-changed",
    PlanNotFromManifest = "plan-not-from-manifest",
    PlanTooOld = "plan-too-old",
    /// The manifest a saved plan names is neither beside the plan nor where `plan` ran.
    PlanManifestMissing = "plan-manifest-missing",
    /// The saved plan's `created_at` lies ahead of now.
    PlanFromTheFuture = "plan-from-the-future",
    /// An item of the saved plan is not what the manifest and the portal give.
    PlanEdited = "plan-edited",
    /// A fact about the portal (its release, whether it returns passwords) changed
    /// since the plan was made.
    PlanStale = "plan-stale",
    UnknownSubcommand = "unknown-subcommand",
    /// `apply` with neither a manifest nor a saved plan.
    NothingToApply = "nothing-to-apply",
    Io = "io",
    Simulator = "simulator",
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
    pub severity: Severity,
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
            severity: Severity::Error,
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
            severity: Severity::Error,
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

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn note(mut self, pos: Pos, text: impl Into<String>) -> Self {
        self.notes.push((pos, text.into()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kebab(name: &str) -> String {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    #[test]
    fn each_code_is_its_variant_in_kebab_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert_eq!(code.as_str(), kebab(&format!("{code:?}")), "{code:?}");
            assert!(seen.insert(code.as_str()), "{code} twice");
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
            assert_eq!(serde_json::from_value::<Code>(json).unwrap(), *code);
        }
    }

    #[test]
    fn docs_list_every_code() {
        let docs = include_str!("../docs/json.md");
        for code in Code::ALL {
            assert!(
                docs.contains(&format!("`{code}`")),
                "docs/json.md does not list `{code}`"
            );
        }
    }
}
