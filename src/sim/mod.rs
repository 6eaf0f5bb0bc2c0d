//! The embedded DocSpace simulator (design.md 3).
