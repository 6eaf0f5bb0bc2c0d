//! The one integration-test binary: every behaviour through the real binary or the
//! in-process simulator.

mod sim;
