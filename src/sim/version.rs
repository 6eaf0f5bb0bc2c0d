//! `GET api/2.0/settings/version/build`: which release the portal runs. The server
//! serves it to anyone (`[AllowAnonymous]` on `VersionController.GetBuildVersions`,
//! web/ASC.Web.Api/Api/Settings/VersionController.cs) and answers the usual
//! envelope around `BuildVersion` (`docSpace`, `documentServer`,
//! web/ASC.Web.Api/Core/BuildVersion.cs); a server without `version:number`
//! configured says 3.1.0. Clients read it to know what the release does with link
//! passwords (docspace-api.md, third reading 10).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use super::App;
use super::envelope::{self, Href};

pub(crate) const PATH: &str = "/api/2.0/settings/version/build";

/// What a seed without `version:` runs: the release the simulator follows.
pub(crate) const DEFAULT: &str = "3.7.2.1";
/// A release after every one read so far: the simulator says it when it hides
/// link passwords, which no known release does.
pub(crate) const UNKNOWN_FUTURE: &str = "99.0.0.1";

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new().route(PATH, get(build))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildVersion<'a> {
    doc_space: &'a str,
    document_server: &'static str,
}

/// Not behind the API gate: no key is asked for, and no fault or rate limit is
/// simulated on it; it is logged like every API request.
async fn build(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let href = Href {
        href: format!("{}{}", app.base, uri),
        action: Method::GET.as_str().to_owned(),
    };
    let body = BuildVersion {
        doc_space: &app.version,
        document_server: "8.3.0.1",
    };
    let response = envelope::ok(&href, Some(body), 1, false);
    app.log.record(Method::GET, uri.path(), response.status());
    response
}
