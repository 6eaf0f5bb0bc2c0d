//! The simulator must never be the bottleneck (issue 2): at least 5,000 requests/s
//! on loopback without injected latency, and 100,000 seeded folders in under 200 MB.
//!
//! `cargo run --release --example sim_throughput -- [--clients 32] [--seconds 5] [--rooms 20] [--folders-per-room 5000]`
//!
//! Seeds the portal, prints the peak RSS, then hammers it with keep-alive clients
//! over a mix of link listings, room searches and subfolder searches.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use docspace_links::sim::{GeneratedPortal, Seed, SimConfig, Simulator};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[derive(Parser)]
struct Args {
    /// Concurrent keep-alive clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    #[arg(long, default_value_t = 20)]
    rooms: usize,
    #[arg(long, default_value_t = 5000)]
    folders_per_room: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let seed = Seed::generated(GeneratedPortal {
        rooms: args.rooms,
        folders_per_room: args.folders_per_room,
        link_every: 2,
    });
    let sim = Simulator::start(seed, SimConfig::default(), "127.0.0.1:0".parse()?).await?;
    let folders = args.rooms * args.folders_per_room;
    println!(
        "seeded {folders} folders in {} rooms in {:.2?}; peak RSS {} MB",
        args.rooms,
        started.elapsed(),
        peak_rss_kb()? / 1024
    );

    let base = sim.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    // Folder ids come from the listings, as a client would find them.
    let list = |path: String| {
        let request = http
            .get(format!("{base}/api/2.0/files/{path}"))
            .bearer_auth("sk-test");
        async move {
            anyhow::Ok(
                request
                    .send()
                    .await?
                    .error_for_status()?
                    .json::<serde_json::Value>()
                    .await?,
            )
        }
    };
    let ids = |listing: &serde_json::Value| -> Vec<u64> {
        listing["response"]["folders"]
            .as_array()
            .map(|folders| folders.iter().filter_map(|f| f["id"].as_u64()).collect())
            .unwrap_or_default()
    };
    let rooms = ids(&list(format!("rooms?startIndex=0&count={}", args.rooms)).await?);
    let mut plain = Vec::with_capacity(folders);
    for room in &rooms {
        plain.extend(ids(&list(format!(
            "{room}?startIndex=0&count={}",
            args.folders_per_room
        ))
        .await?));
    }
    anyhow::ensure!(
        rooms.len() == args.rooms && plain.len() == folders,
        "listings miss folders"
    );
    let targets = Arc::new((rooms, plain));

    let done = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..args.clients)
        .map(|n| {
            let (http, base, targets) = (http.clone(), base.clone(), Arc::clone(&targets));
            let (done, answered, failed) = (Arc::clone(&done), Arc::clone(&answered), Arc::clone(&failed));
            tokio::spawn(async move {
                let mut rng = SmallRng::seed_from_u64(n as u64);
                let (rooms, plain) = &*targets;
                while !done.load(Ordering::Relaxed) {
                    let path = match rng.random_range(0..10) {
                        0..6 => format!("folder/{}/links", plain[rng.random_range(0..plain.len())]),
                        6..8 => format!("rooms?filterValue=Room%20{:02}&startIndex=0&count=100", rng.random_range(1..=rooms.len())),
                        _ => format!(
                            "{}?filterType=2&filterValue=Folder%20{:04}&withSubfolders=false&startIndex=0&count=100",
                            rooms[rng.random_range(0..rooms.len())],
                            rng.random_range(1..=1000)
                        ),
                    };
                    let sent = http
                        .get(format!("{base}/api/2.0/files/{path}"))
                        .bearer_auth("sk-test")
                        .send()
                        .await;
                    let ok = match sent {
                        Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    let counter = if ok { &answered } else { &failed };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    done.store(true, Ordering::Relaxed);
    let elapsed = window.elapsed();
    for client in clients {
        client.await?;
    }
    let ok = answered.load(Ordering::Relaxed);
    println!(
        "{ok} requests in {elapsed:.2?} with {} clients: {:.0} requests/s, {} failed",
        args.clients,
        ok as f64 / elapsed.as_secs_f64(),
        failed.load(Ordering::Relaxed)
    );
    println!("peak RSS at the end: {} MB", peak_rss_kb()? / 1024);
    sim.shutdown().await;
    Ok(())
}

/// The process's peak resident set (`VmHWM`), in kB.
fn peak_rss_kb() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM in /proc/self/status")
}
