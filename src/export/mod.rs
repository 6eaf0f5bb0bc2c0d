//! `export` (design.md 2): the portal's links as a manifest that plans to zero
//! changes against the portal it was read from.
//!
//! Pure: the command reads the portal (`docspace::walk`) and hands the folders
//! here, already stripped of every secret: a link's password is only "set", "none"
//! or "unknown" by the time it reaches the writer.

mod collect;
pub mod diff;
mod names;
mod scalar;
mod writer;

use std::collections::HashMap;

use jiff::Timestamp;

use crate::model::{FolderPath, ObservedAccess, ObservedLink, ObservedPassword, Placement};

pub use collect::{collect, my_documents};
pub use writer::write;

/// A walked folder, with or without links.
#[derive(Clone, Debug)]
pub struct Folder {
    pub id: u64,
    pub path: FolderPath,
    pub placement: Placement,
    /// The primary link an entry manages (the first the server lists).
    pub primary: Option<Link>,
    /// Primary links after the first, which no entry manages.
    pub more_primary: usize,
    /// The additional links, each written under `extra_links:` by its title.
    pub additional: Vec<Link>,
}

impl Folder {
    pub fn has_links(&self) -> bool {
        self.primary.is_some() || !self.additional.is_empty()
    }
}

/// A link as the writer may see it: no secret.
#[derive(Clone, Debug)]
pub struct Link {
    pub share_link: Option<String>,
    pub access: ObservedAccess,
    pub title: String,
    pub password: Password,
    pub expires: Option<Timestamp>,
    pub expired: bool,
    pub deny_download: bool,
    pub internal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Password {
    Set,
    None,
    /// The portal did not say (it hides passwords).
    Unknown,
}

impl Link {
    /// `echoes`: whether the portal showed any password in this run, so that a link
    /// without one certainly has none (docspace-api.md 2.3).
    pub fn from_observed(link: &ObservedLink, echoes: bool) -> Link {
        Link {
            share_link: link.share_link.clone(),
            access: link.access,
            title: link.title.clone(),
            password: match link.password {
                ObservedPassword::Known(_) => Password::Set,
                ObservedPassword::Unknown if echoes => Password::None,
                ObservedPassword::Unknown => Password::Unknown,
            },
            expires: link.expires,
            expired: link.expired,
            deny_download: link.deny_download,
            internal: link.internal,
        }
    }
}

/// A subtree exported, written as a `scopes:` entry.
#[derive(Clone, Debug)]
pub struct Scope {
    /// `None` for My Documents as a whole.
    pub id: Option<u64>,
    pub path: FolderPath,
}

/// `--passwords`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passwords {
    /// Left out: the portal's passwords are kept whatever they are.
    Unmanaged,
    /// `{ env: NAME }` for every link with a password, `false` for every one without.
    Env,
}

/// What the writer needs besides the folders.
#[derive(Debug)]
pub struct Options<'a> {
    pub passwords: Passwords,
    /// The first line, the editor's schema reference.
    pub schema_line: &'a str,
    /// Top-level sections of the file written over (`policy:`, `safety:`), kept as
    /// they were.
    pub kept: &'a str,
    /// Password variables the file written over already gives folders, by id.
    pub variables: &'a HashMap<u64, String>,
    /// What every password variable's name starts with (the manifest's rule).
    pub prefix: &'a str,
    pub now: Timestamp,
}

/// The manifest text, and what the command tells about it.
#[derive(Debug)]
pub struct Exported {
    pub text: String,
    /// `(variable, folder path)`, sorted by variable, for `--passwords env`.
    pub variables: Vec<(String, String)>,
    /// The line of each exported folder's entry, by folder id.
    pub lines: HashMap<u64, u32>,
    /// Folders written as entries.
    pub entries: usize,
}
