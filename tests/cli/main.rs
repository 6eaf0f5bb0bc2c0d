//! The one integration-test binary: every behaviour through the real binary
//! against an in-process simulated portal.

mod action;
mod apply;
mod baseline;
mod bounded_inputs;
mod ci_files;
mod codes;
mod concurrent;
mod corpus;
mod creator;
mod demo;
mod errors;
mod export;
mod export_modes;
mod extra_links;
mod fake_server;
mod faults;
mod foreign_text;
mod formats;
mod help;
mod honest;
mod hostile;
mod interactive;
mod key_scopes;
mod lost_answers;
mod offline;
mod outputs;
mod partial_writes;
mod plan;
mod policy;
mod progress;
mod proxy;
mod races;
mod reads;
mod release;
mod rich_portal;
mod safety;
mod saved_holds;
mod saved_plan;
mod scopes;
mod secrets;
mod server_waits;
mod sim;
mod sim_command;
mod suggestions;
mod support;
mod tampering;
mod test;
mod test_servers;

/// Snapshot settings shared by every test: link ids and ports vary run to run.
pub fn redactions() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[uuid]",
    );
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    s
}
