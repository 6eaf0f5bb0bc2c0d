//! Everything that talks HTTP to DocSpace: the wire format as the client reads it,
//! authentication, pacing, retries, and path resolution.

pub mod api;
mod breaker;
pub mod error;
pub mod pacing;
mod portal_url;
mod probe;
pub mod resolve;
pub mod transport;
pub mod wire;

pub use error::ApiError;
pub use transport::{Settings, Transport};
