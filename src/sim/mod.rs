//! The embedded DocSpace simulator (design.md 3): an independent, in-memory
//! implementation of the portal's external-link API, quirks included
//! (docspace-api.md). Tests, benchmarks and `demo` run against it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use docspace_links::sim::{GeneratedPortal, Seed, SimConfig, Simulator};
//! let seed = Seed::generated(GeneratedPortal { rooms: 20, folders_per_room: 500, link_every: 2 });
//! let sim = Simulator::start(seed, SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! println!("{}", sim.base_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod access;
mod api;
mod auth;
pub mod cli;
mod control;
mod envelope;
mod faults;
pub mod harness;
mod links;
mod portal_time;
mod seed;
mod server;
mod sharing;
mod state;
mod version;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jiff::tz::Offset;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use access::RoomType;
pub use faults::Faults;
pub use links::RevokedPrimary;
pub use seed::{
    GeneratedPortal, OWNER, Seed, SeedAccess, SeedError, SeedFolder, SeedLink, SeedRole, SeedRoom,
    SeedToken,
};

use control::RequestLog;
use faults::FaultEngine;
use state::Portal;

/// Version switches and initial faults.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub faults: Faults,
    /// Every server version echoes link passwords in clear (docspace-api.md 2.3).
    /// `false` simulates one that would not: link entries then have no `password`
    /// and nothing else says that one is set, which a client cannot tell from "no
    /// password".
    pub echo_passwords: bool,
    pub revoked_primary: RevokedPrimary,
    /// The portal's time zone; expiry dates are written back in it.
    pub portal_offset: Offset,
}

impl Default for SimConfig {
    /// Release 3.7.2 in a UTC+1 portal, without faults.
    fn default() -> SimConfig {
        SimConfig {
            faults: Faults::default(),
            echo_passwords: true,
            revoked_primary: RevokedPrimary::Recreate,
            portal_offset: Offset::constant(1),
        }
    }
}

/// Shared by every connection.
pub(crate) struct App {
    portal: Mutex<Portal>,
    config: SimConfig,
    /// `http://host:port`, for `shareLink` and the envelope's `links`.
    base: String,
    faults: FaultEngine,
    log: RequestLog,
    /// What the version route says (`Seed::version`).
    version: String,
}

impl App {
    /// Critical sections are short and never await, so one lock serves all.
    fn portal(&self) -> MutexGuard<'_, Portal> {
        self.portal.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct Simulator;

impl Simulator {
    /// Binds (use `127.0.0.1:0` in tests) and serves on the current tokio runtime
    /// until the handle is shut down or dropped.
    pub async fn start(
        seed: Seed,
        config: SimConfig,
        listen: SocketAddr,
    ) -> std::io::Result<SimHandle> {
        let portal = Portal::build(&seed)
            .map_err(|m| std::io::Error::new(std::io::ErrorKind::InvalidInput, m))?;
        let version = seed.version.clone().unwrap_or_else(|| {
            if config.echo_passwords {
                version::DEFAULT
            } else {
                version::UNKNOWN_FUTURE
            }
            .to_owned()
        });
        drop(seed);
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let app = Arc::new(App {
            portal: Mutex::new(portal),
            faults: FaultEngine::new(config.faults.clone()),
            config,
            base: base.clone(),
            log: RequestLog::default(),
            version,
        });
        let router = api::routes(Arc::clone(&app))
            .merge(version::routes())
            .merge(control::routes())
            .with_state(Arc::clone(&app));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, router, app, stopped));
        Ok(SimHandle {
            addr,
            base,
            stop,
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server too, without waiting.
pub struct SimHandle {
    addr: SocketAddr,
    base: String,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.base.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight requests finish, closes idle connections.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
