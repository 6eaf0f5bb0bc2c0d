//! `docspace-links sim`: the simulator as a standalone server.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;

use super::{Faults, RevokedPrimary, Seed, SimConfig, Simulator};

/// Serve a simulated DocSpace portal. Prints its base URL as the first line of
/// stdout, then serves until interrupted.
#[derive(clap::Args, Debug)]
pub struct SimArgs {
    /// The seed file: tokens, rooms, folders and their links.
    #[arg(long, value_name = "FILE")]
    pub seed: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Delay added to every API request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of API requests answered with --error-status instead (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Status of injected errors; 502, 503 and 504 come with an HTML body.
    #[arg(long, value_name = "CODE", default_value_t = 503)]
    pub error_status: u16,
    /// The portal's rate limiter: N requests per sliding second (for its 1,500 per
    /// minute), 50 parallel GETs, 15 parallel writes, 10,000 writes a day.
    #[arg(long, value_name = "N")]
    pub rate_limit_per_sec: Option<f64>,
    /// The portal's rate limiter in its own shape: N requests per user in any
    /// sliding 60 s (the server's 1,500), with the same caps as --rate-limit-per-sec.
    #[arg(long, value_name = "N")]
    pub rate_limit_per_min: Option<u64>,
    /// Time between a get-or-create's read and its write, which the server does not
    /// lock across: two racing creates then both make a link.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub create_gap_ms: u64,
    /// Share of API connections closed without an answer (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Seed of the fault generator, to replay a run.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_seed: u64,
    /// Omit link passwords without saying one is set (no release does; for testing
    /// clients against one that would).
    #[arg(long)]
    pub hide_passwords: bool,
    /// Behave like releases after 3.7.2: `GET .../link` answers 404 after a revoke.
    #[arg(long = "revoked-primary-404")]
    pub revoked_primary_404: bool,
}

impl SimArgs {
    fn config(&self) -> SimConfig {
        SimConfig {
            faults: Faults {
                latency_ms: self.latency_ms,
                error_rate: self.error_rate,
                error_status: self.error_status,
                rate_limit_per_sec: self.rate_limit_per_sec,
                rate_limit_per_min: self.rate_limit_per_min,
                create_gap_ms: self.create_gap_ms,
                drop_rate: self.drop_rate,
                seed: self.fault_seed,
                ..Faults::default()
            },
            echo_passwords: !self.hide_passwords,
            revoked_primary: if self.revoked_primary_404 {
                RevokedPrimary::NotFound
            } else {
                RevokedPrimary::Recreate
            },
            ..SimConfig::default()
        }
    }
}

pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let seed = Seed::from_yaml_file(&args.seed)?;
    let sim = Simulator::start(seed, args.config(), args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", sim.base_url())?;
        stdout.flush()?;
    }
    stopped().await?;
    sim.shutdown().await;
    Ok(())
}

async fn stopped() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
