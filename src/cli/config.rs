//! The checked configuration of a run, built once from the parsed arguments and the
//! environment (ripgrep's `HiArgs` is the model): the flows below take these values
//! and never look at flags or variables themselves.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;

use super::Output;
use super::args::PortalArgs;
use crate::docspace::{Settings, Transport};
use crate::error::Error;
use crate::manifest::{self, Environment, Manifest, Source};
use crate::model::TOKEN_VAR;

/// What a command that talks to a portal needs.
pub struct PortalConfig {
    /// As given: saved plans record it, and are applied only to the same portal.
    pub portal: String,
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
        let config = PortalConfig::open(args, out)?;
        config.guard(manifest, out);
        config.transport.check_portal().await?;
        Ok(config)
    }

    /// The same for a command without a manifest (`export`): the token hidden, the
    /// portal checked once.
    pub async fn connect_without_manifest(
        portal: Option<&str>,
        parallelism: u16,
        timeout: Duration,
        out: &mut Output,
    ) -> Result<PortalConfig, Error> {
        let config = PortalConfig::build(portal, parallelism, timeout)?;
        out.hide([&config.token]);
        config.transport.check_portal().await?;
        Ok(config)
    }

    /// The transport, not yet checked; the token is hidden from the output at once.
    pub fn open(args: &PortalArgs, out: &mut Output) -> Result<PortalConfig, Error> {
        let config = PortalConfig::from_args(args)?;
        out.hide([&config.token]);
        Ok(config)
    }

    /// Makes the manifest's secrets known to the output and to the transport's
    /// scrubber, so that neither can show one.
    pub fn guard(&self, manifest: &Manifest, out: &mut Output) {
        out.hide(manifest.secrets.values());
        for secret in manifest.secrets.values() {
            self.transport.add_secret(secret.clone());
        }
    }

    fn from_args(args: &PortalArgs) -> Result<PortalConfig, Error> {
        PortalConfig::build(args.portal.as_deref(), args.parallelism, args.timeout)
    }

    fn build(
        portal: Option<&str>,
        parallelism: u16,
        timeout: Duration,
    ) -> Result<PortalConfig, Error> {
        let portal = portal.filter(|p| !p.is_empty()).ok_or(Error::NoPortal)?;
        let token = std::env::var(TOKEN_VAR)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .map(SecretString::from)
            .ok_or(Error::NoToken { var: TOKEN_VAR })?;
        let settings = Settings {
            parallelism: usize::from(parallelism),
            request_timeout: timeout,
            ..Settings::default()
        };
        let transport = Transport::new(portal, token.clone(), settings).map_err(Error::Portal)?;
        Ok(PortalConfig {
            portal: portal.to_owned(),
            transport,
            token,
        })
    }
}

pub fn environment<'a>(file: &'a Path, var: &'a dyn Fn(&str) -> Option<String>) -> Environment<'a> {
    Environment {
        var,
        base_dir: super::input::base_dir(file),
        now: jiff::Timestamp::now(),
    }
}

pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Reads and validates the manifest (`-` is standard input), with secrets from the
/// environment.
pub fn load_manifest(file: &Path) -> Result<Manifest, Error> {
    super::input::load(file, &environment(file, &env_var))
}

/// Validates manifest text already read from `file` (a saved plan's manifest, whose
/// digest was checked on exactly these bytes).
pub fn parse_manifest(file: &Path, text: String) -> Result<Manifest, Error> {
    let source = Source {
        name: super::input::name(file),
        text,
    };
    Ok(manifest::parse(source, &environment(file, &env_var))?)
}

/// The job summary file GitHub Actions reads Markdown from, when running there.
pub fn step_summary() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}
