//! The test harness: an in-process simulated portal per test, a manifest in a
//! temporary directory, and the real binary run against them.

use std::path::PathBuf;
use std::process::Command;

use docspace_links::sim::{Seed, SimConfig, SimHandle, Simulator};
use serde_json::Value;

pub const TOKEN: &str = "sk-test";

/// A command's JSON output, or the test fails showing what it was.
pub fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A simulated portal that lives as long as the test.
pub struct Portal {
    handle: SimHandle,
    http: reqwest::Client,
    dir: tempfile::TempDir,
}

/// What a run of the binary printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl Portal {
    pub async fn start(seed: &str) -> Portal {
        Portal::start_with(seed, SimConfig::default()).await
    }

    pub async fn start_with(seed: &str, config: SimConfig) -> Portal {
        let seed = Seed::from_yaml_str(seed, "seed.yaml").expect("test seed parses");
        let handle = Simulator::start(seed, config, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("simulator starts");
        Portal {
            handle,
            http: reqwest::Client::new(),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        self.handle.base_url()
    }

    /// Writes `links.yaml` (or another file) into this test's directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// Runs the binary in the test directory with the portal and token set.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_in(self.dir.path(), args, env)
    }

    /// Runs the binary with `cwd` as its working directory.
    pub fn run_in(&self, cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        output(self.command(cwd, args, env).output().expect("binary runs"))
    }

    /// Runs the binary like [`Portal::run_env`], but a run that has not ended after
    /// `limit` is killed and fails the test (a read that blocks, e.g. on a FIFO,
    /// would otherwise hang the suite).
    pub fn run_guarded(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        limit: std::time::Duration,
    ) -> Output {
        let child = self
            .command(self.dir.path(), args, env)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("binary runs");
        let pid = child.id().to_string();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        match rx.recv_timeout(limit) {
            Ok(out) => output(out.expect("binary runs")),
            Err(_) => {
                let _ = Command::new("kill").args(["-9", &pid]).status();
                panic!("docspace-links {args:?} did not end within {limit:?}");
            }
        }
    }

    /// Runs the binary in the test directory with `input` on its standard input.
    pub fn run_stdin(&self, args: &[&str], env: &[(&str, &str)], input: &str) -> Output {
        let mut cmd = self.command(self.dir.path(), args, env);
        run_with_input(&mut cmd, input)
    }

    fn command(&self, cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = bare_command(cwd, args);
        cmd.env("DOCSPACE_URL", self.url())
            .env("DOCSPACE_TOKEN", TOKEN);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Every API request answered so far: `[{"method","path","status"}]`.
    pub async fn requests(&self) -> Vec<Value> {
        self.handle.control().requests().await
    }

    /// Requests other than GET: writes.
    pub async fn writes(&self) -> Vec<String> {
        self.requests()
            .await
            .iter()
            .filter(|r| r["method"] != "GET")
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    pub async fn state(&self) -> Value {
        self.handle.control().state().await
    }

    /// The links of the folder at `path` (manifest form), from `/__sim/state`.
    pub async fn links(&self, path: &str) -> Vec<Value> {
        let state = self.state().await;
        let folder = state["folders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no folder {path} in the simulator state"));
        folder["links"].as_array().cloned().unwrap_or_default()
    }

    /// The primary link of the folder at `path`, if any.
    pub async fn primary(&self, path: &str) -> Option<Value> {
        let links: Vec<Value> = self
            .links(path)
            .await
            .into_iter()
            .filter(|l| l["primary"] == true)
            .collect();
        assert!(links.len() <= 1, "{path} has {} primary links", links.len());
        links.into_iter().next()
    }

    /// Changes a primary link's title through the API, as a person in the web UI would.
    pub async fn set_title(&self, path: &str, folder: u64, title: &str) {
        let link = self.primary(path).await.expect("a primary link to rename");
        let body = serde_json::json!({
            "access": 2, "title": title,
            "denyDownload": link["deny_download"], "internal": link["internal"],
        });
        self.hand().put(folder, body).await;
    }

    /// Makes a link through the API, as someone in the web UI would: `primary: false`
    /// adds an additional link. Returns the link's id.
    pub async fn create_link(&self, folder: u64, body: Value) -> String {
        let response = self
            .http
            .put(format!(
                "{}/api/2.0/files/folder/{folder}/links",
                self.url()
            ))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("the portal answers");
        assert!(
            response.status().is_success(),
            "creating: {}",
            response.status()
        );
        let v: Value = response.json().await.expect("JSON");
        v["response"]["sharedLink"]["id"]
            .as_str()
            .expect("the new link's id")
            .to_owned()
    }

    pub async fn faults(&self, faults: Value) {
        self.handle.control().faults(faults).await;
    }
}

/// Simulator settings for a newer server that does not echo passwords.
pub fn hidden_passwords() -> SimConfig {
    SimConfig {
        echo_passwords: false,
        ..SimConfig::default()
    }
}

/// A small portal most tests share.
pub const SEED: &str = r#"
tokens: [sk-test]
rooms:
  - title: Marketing
    type: custom
    id: 100
    folders:
      - title: Press kit
        id: 101
        link: { access: editing, title: Old kit, password: s3cret-pass, expires: 2031-01-01T00:00:00Z }
      - title: Brand assets
        id: 102
      - title: Archive
        id: 103
        link: { access: read, title: Archive link }
  - title: Partners
    type: public
    id: 200
    link: { access: read, title: Partners }
  - title: Applications
    type: filling-forms
    id: 300
    link: { access: fill-forms }
    folders:
      - title: Intake
        id: 301
  - title: Due diligence
    type: virtual-data
    id: 400
    folders:
      - title: Contracts
        id: 401
  - title: Drafts room
    type: editing
    id: 500
my_documents:
  folders:
    - title: Drafts
      id: 600
    - title: Old projects
      id: 601
      link: { access: read }
"#;

/// Someone editing the portal by hand, straight to the simulator (not through the
/// tool's path): usable from a proxy hook, which must own what it uses.
#[derive(Clone)]
pub struct Hand {
    url: String,
    http: reqwest::Client,
}

impl Portal {
    pub fn hand(&self) -> Hand {
        Hand {
            url: self.url(),
            http: self.http.clone(),
        }
    }
}

impl Hand {
    async fn send(&self, method: reqwest::Method, path: &str, body: Value) {
        let status = self
            .http
            .request(method, format!("{}/api/2.0/files/{path}", self.url))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .expect("the portal answers")
            .status();
        assert!(status.is_success(), "hand edit {path}: {status}");
    }

    /// The id of the folder's first primary link, from `/__sim/state`.
    pub async fn primary_id(&self, folder: u64) -> String {
        let state: Value = self
            .http
            .get(format!("{}/__sim/state", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        state["folders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == folder)
            .and_then(|f| {
                f["links"]
                    .as_array()?
                    .iter()
                    .find(|l| l["primary"] == true)
                    .cloned()
            })
            .unwrap_or_else(|| panic!("folder {folder} has no primary link"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn revoke(&self, folder: u64) {
        let id = self.primary_id(folder).await;
        self.send(
            reqwest::Method::PUT,
            &format!("folder/{folder}/links"),
            serde_json::json!({"linkId": id, "access": 0}),
        )
        .await;
    }

    pub async fn create(&self, folder: u64, title: &str) {
        self.send(
            reqwest::Method::POST,
            &format!("folder/{folder}/link"),
            serde_json::json!({"access": 2, "title": title, "primary": true}),
        )
        .await;
    }

    /// A full PUT of the folder's primary link, as the web client sends it.
    pub async fn put(&self, folder: u64, mut body: Value) {
        body["linkId"] = Value::String(self.primary_id(folder).await);
        body["primary"] = Value::Bool(true);
        self.send(
            reqwest::Method::PUT,
            &format!("folder/{folder}/links"),
            body,
        )
        .await;
    }
}

/// The binary with nothing of the test's environment but `PATH` and `NO_COLOR`: no
/// portal, no token (the offline commands' tests add what they need).
pub fn bare_command(cwd: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docspace-links"));
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        // No progress lines on stderr unless a test asks (tests/cli/progress.rs):
        // on a busy machine any run may last long enough for one.
        .env("DOCSPACE_LINKS_PROGRESS_MS", "0");
    cmd
}

/// Runs `cmd` with `input` written to its standard input, then closed.
pub fn run_with_input(cmd: &mut Command, input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut stdin = child.stdin.take().expect("a pipe to its stdin");
    // Written from another thread: a large input and a full stdout pipe would block each other.
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("binary ends");
    writer.join().expect("the writer thread ends");
    output(out)
}

pub fn output(out: std::process::Output) -> Output {
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
