//! The checked configuration of a run, built once from the parsed arguments and the
//! environment (ripgrep's `HiArgs` is the model): the flows below take these values
//! and never look at flags or variables themselves.

use std::path::Path;

use secrecy::SecretString;

use super::Output;
use super::args::PortalArgs;
use crate::docspace::{Settings, Transport};
use crate::error::Error;
use crate::manifest::{self, Environment, Manifest};

/// The variable that holds the API key. Read from the environment only: a flag
/// would leave it in shell history and process listings.
pub const TOKEN_VAR: &str = "DOCSPACE_TOKEN";

/// What a command that talks to a portal needs.
pub struct PortalConfig {
    pub transport: Transport,
    /// Kept to scrub it from anything shown (a server may echo it in a message).
    pub token: SecretString,
}

impl PortalConfig {
    /// Builds the transport, makes every secret of the run known to it and to the
    /// output (so neither can show one), and checks the portal once: a wrong URL, a
    /// refused key or a portal that is down is one clear error before any plan.
    pub async fn connect(
        args: &PortalArgs,
        manifest: &Manifest,
        out: &mut Output,
    ) -> Result<PortalConfig, Error> {
        out.hide(manifest.secrets.values());
        let config = PortalConfig::from_args(args)?;
        out.hide([&config.token]);
        for secret in manifest.secrets.values() {
            config.transport.add_secret(secret.clone());
        }
        config.transport.check_portal().await?;
        Ok(config)
    }

    /// The same for a command without a manifest (`export`): the token hidden, the
    /// portal checked once.
    pub async fn connect_without_manifest(
        portal: Option<&str>,
        parallelism: u16,
        out: &mut Output,
    ) -> Result<PortalConfig, Error> {
        let config = PortalConfig::build(portal, parallelism)?;
        out.hide([&config.token]);
        config.transport.check_portal().await?;
        Ok(config)
    }

    fn from_args(args: &PortalArgs) -> Result<PortalConfig, Error> {
        PortalConfig::build(args.portal.as_deref(), args.parallelism)
    }

    fn build(portal: Option<&str>, parallelism: u16) -> Result<PortalConfig, Error> {
        let portal = portal.filter(|p| !p.is_empty()).ok_or(Error::NoPortal)?;
        let token = std::env::var(TOKEN_VAR)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .map(SecretString::from)
            .ok_or(Error::NoToken { var: TOKEN_VAR })?;
        let settings = Settings {
            parallelism: usize::from(parallelism),
            ..Settings::default()
        };
        let transport = Transport::new(portal, token.clone(), settings).map_err(Error::Portal)?;
        Ok(PortalConfig { transport, token })
    }
}

/// Reads and validates the manifest, with secrets from the environment.
pub fn load_manifest(file: &Path) -> Result<Manifest, Error> {
    let base_dir = file.parent().unwrap_or(Path::new("."));
    let env = Environment {
        var: &|name| std::env::var(name).ok(),
        base_dir,
        now: jiff::Timestamp::now(),
    };
    Ok(manifest::load(file, &env)?)
}
