//! The simulator, exercised in-process over raw HTTP: reqwest and untyped JSON,
//! never the project's client, so the two cannot share a misunderstanding.

mod auth;
mod control;
mod faults;
mod hostile;
mod quirks;
mod routes;
mod seed;
mod sharing;
mod third_reading;

use docspace_links::sim::{Seed, SimConfig, SimHandle, Simulator};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A portal covering every room type; ids are fixed so tests can name folders.
pub(crate) const PORTAL: &str = r#"
tokens: [sk-test, sk-other]
rooms:
  - title: Marketing
    type: custom
    id: 100
    link: { access: read }
    folders:
      - title: Press kit
        id: 101
        link: { access: editing, title: Press kit, password: s3cret-pass, deny_download: true }
      - title: Drafts
        id: 102
        folders:
          - title: Old press kit
            id: 103
          - title: Drafts
            id: 104
  - title: Sales
    type: custom
    id: 150
  - title: Website
    type: public
    id: 200
    link: { access: read }
    folders:
      - { title: Assets, id: 201 }
  - title: Forms
    type: filling-forms
    id: 300
    link: { access: fill-forms }
    folders:
      - { title: Submissions, id: 301 }
  - title: Contracts
    type: virtual-data
    id: 400
    folders:
      - { title: Signed, id: 401 }
  - title: Specs
    type: editing
    id: 500
    folders:
      - { title: Working, id: 501 }
  - title: Assistant
    type: ai
    id: 550
my_documents:
  folders:
    - { title: Drafts, id: 600 }
"#;

pub(crate) struct Portal {
    pub(crate) sim: SimHandle,
    http: reqwest::Client,
}

/// An answer: status, headers and the body as JSON (`Null` when empty or not JSON).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
    pub(crate) json: Value,
}

impl Portal {
    pub(crate) async fn start() -> Portal {
        Portal::with(PORTAL, SimConfig::default()).await
    }

    pub(crate) async fn with(yaml: &str, config: SimConfig) -> Portal {
        let seed = Seed::from_yaml_str(yaml, "test.yaml").expect("test seed parses");
        Portal::from_seed(seed, config).await
    }

    pub(crate) async fn from_seed(seed: Seed, config: SimConfig) -> Portal {
        let listen = "127.0.0.1:0".parse().expect("address");
        let sim = Simulator::start(seed, config, listen)
            .await
            .expect("simulator starts");
        Portal {
            sim,
            http: reqwest::Client::new(),
        }
    }

    pub(crate) fn api(&self, path: &str) -> String {
        format!("{}/api/2.0/files/{path}", self.sim.base_url())
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call_as(Some("sk-test"), method, path, body).await
    }

    /// As the holder of `key`, or anonymously (no `Authorization` at all).
    pub(crate) async fn call_as(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, self.api(path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Portal::answer(request).await
    }

    pub(crate) async fn answer(request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request answered");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `GET /__sim/state`, then the folder with this id.
    pub(crate) async fn folder_state(&self, id: u64) -> Value {
        let state = self.control(Method::GET, "state", None).await;
        state["folders"]
            .as_array()
            .expect("folders")
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("folder {id} in state"))
    }

    pub(crate) async fn control(&self, method: Method, what: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}/__sim/{what}", self.sim.base_url()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = Portal::answer(request).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.json
    }

    /// The primary link entry of a folder, read through the listing.
    pub(crate) async fn primary(&self, id: u64) -> Option<Value> {
        let listed = self.get(&format!("folder/{id}/links")).await;
        assert_eq!(listed.status, StatusCode::OK);
        listed.json["response"]
            .as_array()
            .expect("list")
            .iter()
            .find(|l| l["sharedLink"]["primary"] == true)
            .cloned()
    }

    pub(crate) async fn links(&self, id: u64) -> Vec<Value> {
        let listed = self.get(&format!("folder/{id}/links")).await;
        assert_eq!(listed.status, StatusCode::OK);
        listed.json["response"].as_array().expect("list").clone()
    }
}

/// A future instant in RFC 3339, `days` from now, at midnight UTC.
pub(crate) fn days_ahead(days: i64) -> String {
    let date = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let target = date
        .checked_add(jiff::Span::new().days(days))
        .expect("date");
    format!("{target}T00:00:00Z")
}
