//! `cargo bench --bench scale`: the figures of issue 4, measured in one run.
//!
//! Starts the simulator in-process (on its own runtime threads), runs the real
//! release binary against it as a child process, and prints requests made, wall
//! time, the ratio to the ideal (requests × latency ÷ parallelism) and to a
//! sequential client, the rate-limit figures, convergence under faults, and the
//! tool's own peak memory and CPU time (the simulator's are not counted).
//!
//! `cargo bench --bench scale -- --quick` skips the slow sequential runs.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docspace_links::sim::{Faults, Seed, SimConfig, SimHandle, Simulator};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const BIN: &str = env!("CARGO_BIN_EXE_docspace-links");

fn seed(rooms: usize, per_room: usize, linked: bool) -> String {
    let mut s = String::with_capacity(rooms * per_room * 64);
    s.push_str("tokens: [sk-test]\nrooms:\n");
    for r in 0..rooms {
        let _ = write!(
            s,
            "  - title: Room {r:02}\n    type: custom\n    folders:\n"
        );
        for f in 0..per_room {
            let _ = writeln!(s, "      - title: Folder {f:04}");
            if linked {
                let _ = writeln!(
                    s,
                    "        link: {{ access: read, password: keep-this-{r}-{f} }}"
                );
            }
        }
    }
    s
}

fn manifest(rooms: usize, per_room: usize) -> String {
    let mut s = String::from("version: 1\nfolders:\n");
    for r in 0..rooms {
        for f in 0..per_room {
            let _ = writeln!(
                s,
                "  - path: Room {r:02}/Folder {f:04}\n    link: {{ access: review, deny_download: true }}"
            );
        }
    }
    s
}

struct Portal<'rt> {
    rt: &'rt Runtime,
    handle: SimHandle,
    http: reqwest::Client,
    dir: tempfile::TempDir,
}

/// One run of the binary: exit code, wall time, and its own CPU time and peak
/// memory from `wait4`.
struct Run {
    code: i32,
    wall: Duration,
    cpu: Duration,
    max_rss_mb: f64,
}

impl<'rt> Portal<'rt> {
    fn start(rt: &'rt Runtime, seed_text: &str, manifest_text: &str, faults: Faults) -> Self {
        let seed = Seed::from_yaml_str(seed_text, "bench-seed").expect("seed parses");
        let config = SimConfig {
            faults,
            ..SimConfig::default()
        };
        let handle = rt
            .block_on(Simulator::start(
                seed,
                config,
                "127.0.0.1:0".parse().unwrap(),
            ))
            .expect("simulator starts");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("links.yaml"), manifest_text).unwrap();
        Portal {
            rt,
            handle,
            http: reqwest::Client::new(),
            dir,
        }
    }

    fn control(&self, path: &str) -> Value {
        self.rt.block_on(async {
            self.http
                .get(format!("{}/__sim/{path}", self.handle.base_url()))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }

    fn requests(&self) -> Vec<Value> {
        self.control("requests").as_array().cloned().unwrap()
    }

    fn set_faults(&self, faults: Value) {
        self.rt.block_on(async {
            self.http
                .post(format!("{}/__sim/faults", self.handle.base_url()))
                .json(&faults)
                .send()
                .await
                .unwrap()
        });
    }

    fn run(&self, args: &[&str]) -> Run {
        run(self.dir.path(), &self.handle.base_url(), args)
    }
}

fn run(dir: &Path, url: &str, args: &[&str]) -> Run {
    let start = Instant::now();
    let child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("DOCSPACE_URL", url)
        .env("DOCSPACE_TOKEN", "sk-test")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data the kernel fills in; `pid` is our own child,
    // reaped here (std's `Child` is dropped without waiting, which is fine).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let wall = start.elapsed();
    drop(child);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec * 1000) as u32);
    Run {
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_mb: usage.ru_maxrss as f64 / 1024.0,
    }
}

fn latency(rt: &Runtime, quick: bool) {
    const ROOMS: usize = 20;
    const PER_ROOM: usize = 100;
    const LATENCY_MS: u64 = 20;
    const PARALLELISM: usize = 16;
    println!(
        "== {} folders in {ROOMS} rooms, simulator latency {LATENCY_MS} ms, --parallelism {PARALLELISM}",
        ROOMS * PER_ROOM
    );
    println!(
        "{:<14} {:>9} {:>8} {:>8} {:>11} {:>12} {:>16}",
        "run", "requests", "wall s", "ideal s", "wall/ideal", "sequential s", "sequential/wall"
    );
    for action in ["plan", "apply", "apply --plan"] {
        let measure = |parallelism: usize| {
            let faults = Faults {
                latency_ms: LATENCY_MS,
                ..Faults::default()
            };
            let portal = Portal::start(
                rt,
                &seed(ROOMS, PER_ROOM, false),
                &manifest(ROOMS, PER_ROOM),
                faults,
            );
            let p = parallelism.to_string();
            // Creating every link is far over the safety shares: --force.
            let args: Vec<&str> = match action {
                "plan" => vec!["plan", "-f", "links.yaml", "--parallelism", &p],
                "apply" => vec![
                    "apply",
                    "-f",
                    "links.yaml",
                    "--parallelism",
                    &p,
                    "--yes",
                    "--force",
                ],
                _ => {
                    let saved = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
                    assert_eq!(saved.code, 0, "plan --out failed");
                    vec![
                        "apply",
                        "--plan",
                        "plan.json",
                        "--parallelism",
                        &p,
                        "--yes",
                        "--force",
                    ]
                }
            };
            let before = portal.requests().len();
            let r = portal.run(&args);
            // plan exits 0 (changes are news only with --detailed-exitcode).
            assert_eq!(r.code, 0, "{action} failed");
            (portal.requests().len() - before, r.wall.as_secs_f64())
        };
        let (requests, wall) = measure(PARALLELISM);
        let ideal = requests as f64 * LATENCY_MS as f64 / 1000.0 / PARALLELISM as f64;
        let (seq, ratio) = if quick {
            ("skipped".to_owned(), "skipped".to_owned())
        } else {
            let (_, seq) = measure(1);
            (format!("{seq:.2}"), format!("{:.1}x", seq / wall))
        };
        println!(
            "{:<14} {:>9} {:>8.2} {:>8.2} {:>10.2}x {:>12} {:>16}",
            match action {
                "apply" => "apply*",
                "apply --plan" => "apply --plan**",
                a => a,
            },
            requests,
            wall,
            ideal,
            wall / ideal,
            seq,
            ratio
        );
    }
    println!(
        "  * apply creates all {} links (its plan's reads included)\n  \
         ** apply of a saved plan that creates them: each folder read once more, right before its write\n",
        ROOMS * PER_ROOM
    );
}

fn rate_limited(rt: &Runtime) {
    const LIMIT: f64 = 100.0;
    let (rooms, per_room) = (10, 150);
    println!(
        "== rate limit {LIMIT} requests/s, plan over {} folders",
        rooms * per_room
    );
    let faults = Faults {
        rate_limit_per_sec: Some(LIMIT),
        ..Faults::default()
    };
    let portal = Portal::start(
        rt,
        &seed(rooms, per_room, false),
        &manifest(rooms, per_room),
        faults,
    );
    let r = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(r.code, 0, "plan failed under the rate limit");
    let requests = portal.requests();
    let limited = requests.iter().filter(|q| q["status"] == 429).count();
    let ok = requests.len() - limited;
    // The bucket starts full (one second's worth), then refills at LIMIT per second.
    let allowance = LIMIT + LIMIT * r.wall.as_secs_f64();
    println!(
        "  {} requests ({ok} answered, {limited} answered 429 = {:.2}%), wall {:.2} s, allowance used {:.1}%\n",
        requests.len(),
        100.0 * limited as f64 / requests.len() as f64,
        r.wall.as_secs_f64(),
        100.0 * ok as f64 / allowance
    );
}

fn faults(rt: &Runtime) {
    let (rooms, per_room) = (10, 50);
    println!(
        "== faults: 15% of requests 503 (HTML), 5% of connections dropped; {} folders with passwords",
        rooms * per_room
    );
    let portal = Portal::start(
        rt,
        &seed(rooms, per_room, true),
        &manifest(rooms, per_room),
        Faults::default(),
    );
    portal.set_faults(
        json!({"error_rate": 0.15, "error_status": 503, "drop_rate": 0.05, "seed": 2026}),
    );
    let mut applies = 0;
    let converged = loop {
        applies += 1;
        let r = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
        let check = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
        println!(
            "  apply #{applies}: exit {}; plan afterwards: exit {}",
            r.code, check.code
        );
        if check.code == 0 {
            break true;
        }
        if applies == 8 {
            break false;
        }
    };
    portal.set_faults(json!({"error_rate": 0.0, "drop_rate": 0.0}));
    let state = portal.control("state");
    let mut doubled = 0;
    let mut lost = 0;
    for folder in state["folders"].as_array().unwrap() {
        let primaries: Vec<&Value> = folder["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["primary"] == true)
            .collect();
        if primaries.len() > 1 {
            doubled += 1;
        }
        if folder["path"].as_str().unwrap().contains('/')
            && primaries.first().is_none_or(|l| !l["password"].is_string())
        {
            lost += 1;
        }
    }
    println!(
        "  converged: {converged} after {applies} applies; folders with 2+ primary links: {doubled}; passwords lost: {lost}\n"
    );
}

fn footprint(rt: &Runtime) {
    let (rooms, per_room) = (50, 200);
    println!(
        "== the tool's own footprint: plan over a {}-folder manifest",
        rooms * per_room
    );
    let portal = Portal::start(
        rt,
        &seed(rooms, per_room, true),
        &manifest(rooms, per_room),
        Faults::default(),
    );
    let r = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(r.code, 0, "plan failed");
    println!(
        "  peak RSS {:.1} MB, CPU {:.2} s = {:.3} ms per folder (wall {:.2} s)\n",
        r.max_rss_mb,
        r.cpu.as_secs_f64(),
        r.cpu.as_secs_f64() * 1000.0 / (rooms * per_room) as f64,
        r.wall.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; a filter argument picks scenarios.
    let quick = args.iter().any(|a| a == "--quick");
    let only = |name: &str| {
        let filters: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with("--")).collect();
        filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if only("latency") {
        latency(&rt, quick);
    }
    if only("ratelimit") {
        rate_limited(&rt);
    }
    if only("faults") {
        faults(&rt);
    }
    if only("footprint") {
        footprint(&rt);
    }
}
