//! What the tests and the benchmark share to drive a simulator: a client for the
//! control endpoints, and generated portals (seed and matching manifest) for scale
//! and fault runs. It speaks only the simulator's own control API and seed format,
//! never the tool's client types (design.md 3).

use std::fmt::Write as _;

use serde_json::Value;

use super::SimHandle;

/// The `/__sim/` control endpoints of a running simulator.
#[derive(Clone)]
pub struct Control {
    base: String,
    http: reqwest::Client,
}

impl SimHandle {
    pub fn control(&self) -> Control {
        Control {
            base: self.base_url(),
            http: reqwest::Client::new(),
        }
    }
}

impl Control {
    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/__sim/{path}", self.base))
            .send()
            .await
            .expect("the control endpoint answers")
            .json()
            .await
            .expect("the control endpoint sends JSON")
    }

    /// Every API request answered so far: `[{"method","path","status"}]`.
    pub async fn requests(&self) -> Vec<Value> {
        self.get("requests")
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `{"folders":[{"id","path","links":[...]}]}` in manifest vocabulary.
    pub async fn state(&self) -> Value {
        self.get("state").await
    }

    /// Sets the faults (`POST /__sim/faults`); fields left out are off.
    pub async fn faults(&self, faults: Value) {
        let status = self
            .http
            .post(format!("{}/__sim/faults", self.base))
            .json(&faults)
            .send()
            .await
            .expect("the faults endpoint answers")
            .status();
        assert!(status.is_success(), "setting faults: {status}");
    }
}

/// A portal of `rooms` custom rooms (`Room 00`, ...) of `per_room` folders
/// (`Folder 0000`, ...), and manifests that name every folder of it.
#[derive(Clone, Copy, Debug)]
pub struct Generated {
    pub rooms: usize,
    pub per_room: usize,
}

impl Generated {
    /// Seed YAML; `link(room, folder)` gives a folder's seed link, if any, in the
    /// seed's flow syntax (`{ access: read, password: ... }`).
    pub fn seed(&self, link: impl Fn(usize, usize) -> Option<String>) -> String {
        let mut s = String::with_capacity(self.rooms * self.per_room * 64);
        s.push_str("tokens: [sk-test]\nrooms:\n");
        for r in 0..self.rooms {
            let _ = write!(
                s,
                "  - title: Room {r:02}\n    type: custom\n    folders:\n"
            );
            for f in 0..self.per_room {
                let _ = writeln!(s, "      - title: Folder {f:04}");
                if let Some(l) = link(r, f) {
                    let _ = writeln!(s, "        link: {l}");
                }
            }
        }
        s
    }

    /// A manifest giving every folder the same `link:` value.
    pub fn manifest(&self, link: &str) -> String {
        let mut s = String::with_capacity(self.rooms * self.per_room * 64);
        s.push_str("version: 1\nfolders:\n");
        for r in 0..self.rooms {
            for f in 0..self.per_room {
                let _ = writeln!(s, "  - path: {}\n    link: {link}", Generated::path(r, f));
            }
        }
        s
    }

    /// The manifest path of a folder.
    pub fn path(room: usize, folder: usize) -> String {
        format!("Room {room:02}/Folder {folder:04}")
    }

    /// The password a generated link carries, for checking that it survived.
    pub fn password(room: usize, folder: usize) -> String {
        format!("keep-{room}-{folder}-pass")
    }
}
