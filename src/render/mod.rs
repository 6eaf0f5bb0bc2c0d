//! Plans and apply reports as text for people and JSON for scripts. Passwords are
//! never rendered: only whether one is set.

mod human;
mod json;
pub mod snippet;
mod style;

pub use human::{apply_report, plan_text};
pub use json::plan_json;
pub use style::Style;
