//! Reading a saved plan (`plan --out`) back, for `apply --plan` and `show`: the same
//! checks in both, so that `show` says of a file what apply would say of it before
//! it asks the portal anything (size, JSON, format version, duplicate or unknown
//! keys). Everything in the file is foreign text from then on: the renderers escape it.

use std::path::Path;

use crate::error::Error;
use crate::input;
use crate::plan::saved::{Error as SavedPlanError, SavedPlan};

pub fn read(path: &Path) -> Result<SavedPlan, Error> {
    let shown = path.display().to_string();
    // Only a regular file, and never past the size of any plan the tool writes
    // (`input::SAVED_PLAN`): a wrong path (a disk image, a device, a FIFO) is
    // refused, not read whole or waited on.
    let text =
        input::read_text(path, input::SAVED_PLAN).map_err(|e| SavedPlanError::Unreadable {
            path: shown.clone(),
            source: e.into(),
        })?;
    Ok(SavedPlan::from_json(&shown, &text)?)
}
