//! Reading a saved plan (`plan --out`) back, for `apply --plan` and `show`: the same
//! checks in both, so that `show` says of a file what apply would say of it before
//! it asks the portal anything (size, JSON, format version, duplicate or unknown
//! keys). Everything in the file is foreign text from then on: the renderers escape it.

use std::path::Path;

use crate::error::Error;
use crate::plan::saved::{Error as SavedPlanError, SavedPlan, Unreadable};

/// Larger than any plan the tool writes: a manifest is at most 32 MiB, and a plan
/// item is a few hundred bytes per entry or unlisted folder. Refused before reading,
/// so that a wrong path (a disk image, a device) is not read whole.
pub const MAX_PLAN_BYTES: u64 = 1 << 30;

pub fn read(path: &Path) -> Result<SavedPlan, Error> {
    let shown = path.display().to_string();
    let unreadable = |source: std::io::Error| SavedPlanError::Unreadable {
        path: shown.clone(),
        source: Unreadable::Read(source),
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_PLAN_BYTES {
        return Err(unreadable(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is {} MiB, more than the {} MiB of any plan docspace-links writes",
                size >> 20,
                MAX_PLAN_BYTES >> 20
            ),
        ))
        .into());
    }
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    Ok(SavedPlan::from_json(&shown, &text)?)
}
