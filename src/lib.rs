//! `docspace-links`: ONLYOFFICE DocSpace external links, kept in version control.
//!
//! Data flows one way (design.md 4): the manifest is parsed and validated into a
//! desired state, the client observes the portal, `reconcile` compares the two into a
//! plan, and the plan is rendered or applied.

pub mod model;
pub mod sim;
