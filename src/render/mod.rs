//! Plans and apply reports as text for people and JSON for scripts. Passwords are
//! never rendered: only whether one is set. Text that came from the portal (titles,
//! error messages) is shown with control characters escaped.

mod human;
mod json;
mod printable;
pub mod snippet;
mod style;

pub use human::{apply_report, plan_text};
pub use json::plan_json;
pub use printable::printable;
pub use style::Style;
