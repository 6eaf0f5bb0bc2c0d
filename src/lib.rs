//! `docspace-links`: ONLYOFFICE DocSpace external links, kept in version control.
//!
//! Data flows one way (design.md 4): the manifest is parsed and validated into a
//! desired state, the client observes the portal, `reconcile` compares the two into
//! a plan, and the plan is rendered or applied.

pub mod apply;
pub mod cli;
mod demo;
pub mod docspace;
pub mod engine;
pub mod error;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod progress;
pub mod reconcile;
pub mod render;
pub mod sim;
