//! Everything that talks HTTP to DocSpace: the wire format as the client reads it,
//! request bodies, authentication, pacing, retries, path resolution, and `observe`,
//! which reads the portal for a manifest.

pub mod api;
mod body;
mod breaker;
pub mod error;
mod failure;
pub mod observe;
pub mod pacing;
mod portal_url;
mod probe;
pub mod reader;
pub mod release;
pub mod resolve;
mod server_wait;
pub mod transport;
pub mod walk;
pub mod wire;

pub use error::ApiError;
pub use failure::SetupError;
pub use transport::{Settings, Transport};
