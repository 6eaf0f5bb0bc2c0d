//! Plans, apply reports and errors as text for people, JSON for scripts, Markdown
//! for pull requests and workflow commands for GitHub Actions. Passwords are never
//! rendered: only whether one is set. Text that came from the portal (titles,
//! error messages) is shown with control characters escaped.

mod github;
mod github_diagnostics;
mod human;
mod json;
mod markdown;
mod printable;
mod snippet;
mod style;

pub use github::{apply_commands, error_command, plan_commands};
pub use github_diagnostics::manifest_commands;
pub use human::{apply_report, plan_text, safety_warning};
pub use json::{apply_json, error_json, plan_json, validate_json};
pub use markdown::{apply_markdown, plan_markdown};
pub use printable::{printable, printable_mapped};
pub use snippet::manifest_text;
pub use style::Style;
