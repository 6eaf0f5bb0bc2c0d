//! `docspace-links`: ONLYOFFICE DocSpace external links, kept in version control.
//!
//! Data flows one way (design.md 4): the manifest is parsed and validated into a
//! desired state, `docspace::observe` reads the portal, `plan::build` compares the
//! two into a plan, and the plan is rendered or applied. Only the command line and
//! the simulator are public: everything else is the crate's own business.

mod apply;
pub mod cli;
mod diagnostic;
mod docspace;
mod error;
mod export;
mod input;
mod manifest;
mod model;
mod neutral;
mod plan;
mod progress;
mod render;
#[cfg(test)]
mod schemas;
pub mod sim;
mod suggest;
