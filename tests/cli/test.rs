//! A fluent test: a simulated portal from a seed, files in a temporary directory,
//! the real binary run with arguments and environment, then its exit code, output
//! and snapshot checked in one expression (just's `tests/test.rs` is the model):
//!
//! ```ignore
//! Test::new().manifest(M).args(["plan", "-f", "links.yaml"]).status(2).snapshot("plan").run();
//! ```
//!
//! It owns its runtime, so tests using it are plain `#[test]` functions.

use docspace_links::sim::SimConfig;
use serde_json::Value;

use crate::support::{Output, Portal, SEED};

#[must_use]
pub struct Test {
    seed: String,
    sim: SimConfig,
    files: Vec<(String, String)>,
    args: Vec<String>,
    env: Vec<(String, String)>,
    status: i32,
    stdout_has: Vec<String>,
    snapshot: Option<String>,
    read_only: bool,
}

/// A finished run, with the portal kept for looking at afterwards.
pub struct Ran {
    pub out: Output,
    // Dropped before the runtime the simulator runs on.
    portal: Portal,
    rt: tokio::runtime::Runtime,
}

impl Test {
    pub fn new() -> Test {
        Test {
            seed: SEED.to_owned(),
            sim: SimConfig::default(),
            files: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            status: 0,
            stdout_has: Vec::new(),
            snapshot: None,
            read_only: false,
        }
    }

    pub fn seed(mut self, seed: &str) -> Test {
        self.seed = seed.to_owned();
        self
    }

    pub fn sim(mut self, config: SimConfig) -> Test {
        self.sim = config;
        self
    }

    /// Writes `links.yaml`.
    pub fn manifest(self, text: &str) -> Test {
        self.file("links.yaml", text)
    }

    pub fn file(mut self, name: &str, text: &str) -> Test {
        self.files.push((name.to_owned(), text.to_owned()));
        self
    }

    pub fn args<const N: usize>(mut self, args: [&str; N]) -> Test {
        self.args = args.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Test {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The exit code expected (0 unless said).
    pub fn status(mut self, code: i32) -> Test {
        self.status = code;
        self
    }

    pub fn stdout_has(mut self, text: &str) -> Test {
        self.stdout_has.push(text.to_owned());
        self
    }

    /// Snapshots stdout and stderr together under `name`.
    pub fn snapshot(mut self, name: &str) -> Test {
        self.snapshot = Some(name.to_owned());
        self
    }

    /// Asserts the run sent only GET requests.
    pub fn read_only(mut self) -> Test {
        self.read_only = true;
        self
    }

    #[track_caller]
    pub fn run(self) -> Ran {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let portal = rt.block_on(Portal::start_with(&self.seed, self.sim));
        for (name, text) in &self.files {
            portal.write(name, text);
        }
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let out = portal.run_env(&args, &env);
        assert_eq!(
            out.code,
            self.status,
            "exit code of {args:?}:\n{}",
            out.all()
        );
        for text in &self.stdout_has {
            assert!(
                out.stdout.contains(text.as_str()),
                "no {text:?} in:\n{}",
                out.stdout
            );
        }
        if self.read_only {
            let writes = rt.block_on(portal.writes());
            assert!(writes.is_empty(), "wrote: {writes:?}");
        }
        if let Some(name) = &self.snapshot {
            let shown = if out.stderr.is_empty() {
                out.stdout.clone()
            } else {
                format!("{}--- stderr\n{}", out.stdout, out.stderr)
            };
            crate::redactions().bind(|| insta::assert_snapshot!(name.as_str(), shown));
        }
        Ran { out, portal, rt }
    }
}

impl Ran {
    pub fn primary(&self, path: &str) -> Option<Value> {
        self.rt.block_on(self.portal.primary(path))
    }

    pub fn writes(&self) -> Vec<String> {
        self.rt.block_on(self.portal.writes())
    }
}
