//! `cargo bench --bench scale`: the figures of issue 4, measured in one run.
//!
//! Starts the simulator in-process (on its own runtime threads), runs the real
//! release binary against it as a child process, and prints requests made, wall
//! time, the ratio to the ideal (requests × latency ÷ parallelism) and to a
//! sequential client, the rate-limit figures, convergence under faults, and the
//! tool's own peak memory and CPU time (the simulator's are not counted).
//!
//! `cargo bench --bench scale -- --quick` skips the slow sequential runs.

#[path = "../tests/cli/rich_portal.rs"]
mod rich_portal;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docspace_links::sim::harness::Generated;
use docspace_links::sim::{Faults, Seed, SimConfig, SimHandle, Simulator};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const BIN: &str = env!("CARGO_BIN_EXE_docspace-links");

/// The generated portal of every scenario: seed (password links when `linked`)
/// and a manifest that changes every folder's access and deny-download.
fn generated(rooms: usize, per_room: usize, linked: bool) -> (String, String) {
    let g = Generated { rooms, per_room };
    let seed = g.seed(|r, f| {
        linked.then(|| {
            format!(
                "{{ access: read, password: {} }}",
                Generated::password(r, f)
            )
        })
    });
    (seed, g.manifest("{ access: review, deny_download: true }"))
}

struct Portal<'rt> {
    rt: &'rt Runtime,
    handle: SimHandle,
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
    fn start(
        rt: &'rt Runtime,
        (seed_text, manifest_text): (String, String),
        faults: Faults,
    ) -> Self {
        let seed = Seed::from_yaml_str(&seed_text, "bench-seed").expect("seed parses");
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
        Portal { rt, handle, dir }
    }

    fn requests(&self) -> Vec<Value> {
        self.rt.block_on(self.handle.control().requests())
    }

    fn state(&self) -> Value {
        self.rt.block_on(self.handle.control().state())
    }

    fn set_faults(&self, faults: Value) {
        self.rt.block_on(self.handle.control().faults(faults));
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
            let portal = Portal::start(rt, generated(ROOMS, PER_ROOM, false), faults);
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
        "  * apply creates all {} links (its plan's reads included; a create goes without a read before it, and with one after it where a folder may have several primary links, as in these custom rooms)\n  \
         ** apply of a saved plan that creates them: each folder read once more, right before its write\n",
        ROOMS * PER_ROOM
    );
}

/// Issue 14's bar: a plan whose every folder has a link without a password and
/// whose manifest changes each one. On a release whose handling of passwords has
/// been read, a link answered without `password` has none, so each update is
/// planned (`--detailed-exitcode` 2), not refused (4), and the plan reads every
/// folder's links: within 1.5x of the ideal at 16 in flight.
fn plan_updates(rt: &Runtime) {
    const LATENCY_MS: u64 = 20;
    const PARALLELISM: usize = 16;
    let g = Generated {
        rooms: 10,
        per_room: 100,
    };
    let seed = g.seed(|_, _| Some("{ access: read }".to_owned()));
    let manifest = g.manifest("{ access: review, deny_download: true }");
    println!(
        "== plan with updates: {} folders whose links have no password, latency {LATENCY_MS} ms, --parallelism {PARALLELISM}",
        g.rooms * g.per_room
    );
    let faults = Faults {
        latency_ms: LATENCY_MS,
        ..Faults::default()
    };
    let portal = Portal::start(rt, (seed, manifest), faults);
    let p = PARALLELISM.to_string();
    let before = portal.requests().len();
    let r = portal.run(&[
        "plan",
        "-f",
        "links.yaml",
        "--parallelism",
        &p,
        "--detailed-exitcode",
    ]);
    let requests = portal.requests().len() - before;
    let ideal = requests as f64 * LATENCY_MS as f64 / 1000.0 / PARALLELISM as f64;
    let wall = r.wall.as_secs_f64();
    println!(
        "  exit {} ({}); {requests} requests in {wall:.2} s; ideal {ideal:.2} s: {:.2}x\n",
        r.code,
        match r.code {
            2 => "updates planned",
            4 => "refused",
            _ => "unexpected",
        },
        wall / ideal
    );
}

/// The server's per-minute window, scaled to 25 requests per sliding second, with
/// the server's headers: none on admitted requests, only `X-RateLimit-Limit` and
/// `X-RateLimit-Remaining: 0` on a rejection (see `sim::faults`).
///
/// No client gets through this without a `429`: until the first rejection the
/// portal answers as an unlimited one does, so the tool runs at full speed and the
/// requests in flight when the window fills are turned away; and since no answer
/// says how long the window is, its length can only be learnt from which requests
/// are admitted, by probes of which those too short are turned away. So the `429`s
/// are counted in two parts: up to the requests being admitted again after the first
/// `429` (the requests in flight then, and the probes that found a window long
/// enough), and after (probes that narrowed it down; nothing else may bounce).
fn rate_limited(rt: &Runtime) {
    const LIMIT: f64 = 25.0;
    let (rooms, per_room) = (5, 100);
    println!(
        "== rate limit {LIMIT} requests/s, plan over {} folders",
        rooms * per_room
    );
    let faults = Faults {
        rate_limit_per_sec: Some(LIMIT),
        ..Faults::default()
    };
    let portal = Portal::start(rt, generated(rooms, per_room, false), faults);
    let r = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(r.code, 0, "plan failed under the rate limit");
    // In the order the simulator answered them.
    let limited: Vec<bool> = portal
        .requests()
        .iter()
        .map(|q| q["status"] == 429)
        .collect();
    let first = limited.iter().position(|&l| l).unwrap_or(limited.len());
    // Admitted again for good: an admitted request slower to answer than the 429s
    // around it does not end the first contact.
    let resumed = (first..limited.len())
        .find(|&i| limited[i..].iter().take(5).all(|&l| !l))
        .unwrap_or(limited.len());
    let count = |part: &[bool]| part.iter().filter(|&&l| l).count();
    let (at_first, later) = (count(&limited[first..resumed]), count(&limited[resumed..]));
    let total = limited.len();
    let ok = total - at_first - later;
    // A one-second sliding window admits at most LIMIT requests in any second, so
    // a run of T seconds can have at most LIMIT * (floor(T) + 1) answered.
    let allowance = LIMIT * (r.wall.as_secs_f64().floor() + 1.0);
    println!(
        "  {total} requests ({ok} answered; {} answered 429 = {:.2}%: {at_first} at first contact, {later} after), wall {:.2} s, allowance used {:.1}%\n",
        at_first + later,
        100.0 * (at_first + later) as f64 / total as f64,
        r.wall.as_secs_f64(),
        100.0 * ok as f64 / allowance
    );
}

/// One apply under faults, from 20 fault seeds: how often it converges at once,
/// and whether any run ever made a second primary link or lost a password. Twice:
/// 500 folders with password links, and 150 whose links have no password (their
/// updates are planned only where the tool knows that a link answered without
/// `password` has none: issue 14 item 1, "passwords by version"; until then they
/// are refused and that scenario cannot converge).
fn faults(rt: &Runtime) {
    faults_on(rt, (10, 50), true);
    faults_on(rt, (3, 50), false);
}

fn faults_on(rt: &Runtime, (rooms, per_room): (usize, usize), passwords: bool) {
    const RUNS: u64 = 20;
    println!(
        "== faults: 15% of requests 503 (HTML), 5% of connections dropped; {} folders with {}; one apply per seed, {RUNS} seeds",
        rooms * per_room,
        if passwords {
            "password links"
        } else {
            "links without a password"
        }
    );
    let (mut converged, mut doubled, mut lost) = (0, 0, 0);
    for run in 0..RUNS {
        let g = Generated { rooms, per_room };
        let seed = g.seed(|r, f| {
            Some(if passwords {
                format!(
                    "{{ access: read, password: {} }}",
                    Generated::password(r, f)
                )
            } else {
                "{ access: read }".to_owned()
            })
        });
        let manifest = g.manifest("{ access: review, deny_download: true }");
        let portal = Portal::start(rt, (seed, manifest), Faults::default());
        portal.set_faults(
            json!({"error_rate": 0.15, "error_status": 503, "drop_rate": 0.05, "seed": 2026 + run}),
        );
        portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
        portal.set_faults(json!({"error_rate": 0.0, "drop_rate": 0.0}));
        let check = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
        if check.code == 0 {
            converged += 1;
        }
        for folder in portal.state()["folders"].as_array().unwrap() {
            let primaries: Vec<&Value> = folder["links"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["primary"] == true)
                .collect();
            if primaries.len() > 1 {
                doubled += 1;
            }
            if passwords
                && folder["path"].as_str().unwrap().contains('/')
                && primaries.first().is_none_or(|l| !l["password"].is_string())
            {
                lost += 1;
            }
        }
    }
    println!(
        "  converged in one apply: {converged} of {RUNS} runs; folders with 2+ primary links: {doubled}; passwords lost: {lost}\n"
    );
}

/// A portal answering 503 to everything: how long until the one clear error.
fn portal_down(rt: &Runtime) {
    let (rooms, per_room) = (20, 100);
    println!(
        "== portal down (503 on every request), plan over {} entries",
        rooms * per_room
    );
    let portal = Portal::start(rt, generated(rooms, per_room, false), Faults::default());
    portal.set_faults(json!({"error_rate": 1.0, "error_status": 503}));
    let r = portal.run(&["plan", "-f", "links.yaml"]);
    println!(
        "  exit {}, {} requests, wall {:.2} s\n",
        r.code,
        portal.requests().len(),
        r.wall.as_secs_f64()
    );
}

/// The reads a plan makes on a 10,000-folder portal where 20% of folders have
/// links, beside the fewest that carry the same information: the portal check, the
/// rooms listing, each room's listing, and the links of each linked folder (issue
/// 16, item 4). Then the same plan under the server's limit shape (1,500 a minute,
/// as 25 in any sliding second) for its wall time.
fn reads(rt: &Runtime) {
    let (rooms, per_room) = (100, 100);
    let g = Generated { rooms, per_room };
    let linked = |f: usize| f.is_multiple_of(5);
    let seed = g.seed(|_, f| linked(f).then(|| "{ access: read }".to_owned()));
    let manifest = g.manifest("{ access: read }");
    let folders = rooms * per_room;
    let links = rooms * (0..per_room).filter(|f| linked(*f)).count();
    let minimum = 1 + 1 + rooms + links;
    println!("== plan over a {folders}-folder portal, {links} of them linked");
    for limit in [None, Some(25.0)] {
        let faults = Faults {
            rate_limit_per_sec: limit,
            ..Faults::default()
        };
        let portal = Portal::start(rt, (seed.clone(), manifest.clone()), faults);
        let r = portal.run(&["plan", "-f", "links.yaml"]);
        assert_eq!(r.code, 0, "plan failed");
        let requests = portal.requests();
        let admitted = requests.iter().filter(|q| q["status"] != 429).count();
        println!(
            "  {}: {} requests ({admitted} admitted; minimum {minimum}: the portal check + {} listings + {links} link reads), wall {:.2} s",
            match limit {
                None => "no limit".to_owned(),
                Some(l) => format!("limit {l}/s"),
            },
            requests.len(),
            1 + rooms,
            r.wall.as_secs_f64()
        );
    }
    println!();
}

fn footprint(rt: &Runtime) {
    let (rooms, per_room) = (100, 1_000);
    println!(
        "== the tool's own footprint: plan over a {}-folder manifest",
        rooms * per_room
    );
    let portal = Portal::start(rt, generated(rooms, per_room, true), Faults::default());
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

/// Reading a 100,000-entry manifest with every field. The last entry's expiry is in
/// the past, so the run ends after parsing, validation and reporting that one error
/// (which walks the file once more to mask passwords), before any request.
fn manifest_size() {
    const ENTRIES: usize = 100_000;
    let mut text = String::from("version: 1\nfolders:\n");
    for i in 0..ENTRIES {
        let expires = if i + 1 == ENTRIES {
            "2020-01-01"
        } else {
            "2030-06-30T00:00:00Z"
        };
        let _ = write!(
            text,
            "  - path: Room {i}/Folder {i}\n    link:\n      access: read\n      title: Shared link {i}\n      expires: {expires}\n      password: false\n      deny_download: true\n      internal: false\n"
        );
    }
    println!(
        "== reading a {ENTRIES}-entry manifest with every field ({:.1} MB)",
        text.len() as f64 / 1e6
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("links.yaml"), &text).unwrap();
    let r = run(
        dir.path(),
        "http://127.0.0.1:9",
        &["plan", "-f", "links.yaml"],
    );
    assert_eq!(r.code, 1, "the past expiry is the one error");
    println!(
        "  CPU {:.2} s = {:.3} ms per entry, peak RSS {:.1} MB\n",
        r.cpu.as_secs_f64(),
        r.cpu.as_secs_f64() * 1000.0 / ENTRIES as f64,
        r.max_rss_mb
    );
}

/// `export --all` of the 2,000-folder portal with every kind of link: requests made
/// beside the fewest a walk can make (one listing per folder, the two roots', and one
/// link read per folder whose `shared` flag says it may have links), and wall time
/// against the ideal for the requests made. Then the plan of what it wrote.
fn export(rt: &Runtime) {
    const LATENCY_MS: u64 = 20;
    const PARALLELISM: usize = 16;
    let rich = rich_portal::rich_portal(2000);
    println!(
        "== export --all of {} folders with every kind of link, simulator latency {LATENCY_MS} ms, --parallelism {PARALLELISM}",
        rich.folders
    );
    let faults = Faults {
        latency_ms: LATENCY_MS,
        ..Faults::default()
    };
    let portal = Portal::start(rt, (rich.seed.clone(), String::new()), faults);
    let p = PARALLELISM.to_string();
    let r = portal.run(&["export", "--all", "-o", "export.yaml", "--parallelism", &p]);
    assert_eq!(r.code, 0, "export failed");
    let requests = portal.requests().len();
    let state = portal.state();
    let folders = state["folders"].as_array().unwrap();
    let linked = folders
        .iter()
        .filter(|f| !f["links"].as_array().unwrap().is_empty())
        .count();
    // The portal check, rooms and My Documents listed once each, every folder's
    // subfolders, and the links of every folder that has some.
    let minimum = 1 + 2 + folders.len() + linked;
    let ideal = requests as f64 * LATENCY_MS as f64 / 1000.0 / PARALLELISM as f64;
    println!(
        "  {requests} requests (minimum {minimum}: the portal check + {} listings + {linked} link reads), wall {:.2} s, ideal {ideal:.2} s: {:.2}x; CPU {:.2} s, peak RSS {:.1} MB",
        2 + folders.len(),
        r.wall.as_secs_f64(),
        r.wall.as_secs_f64() / ideal,
        r.cpu.as_secs_f64(),
        r.max_rss_mb
    );
    let text = std::fs::read_to_string(portal.dir.path().join("export.yaml")).unwrap();
    let leaked = rich
        .passwords
        .values()
        .filter(|p| text.contains(p.as_str()))
        .count();
    let before = portal.requests().len();
    let plan = portal.run(&[
        "plan",
        "-f",
        "export.yaml",
        "--detailed-exitcode",
        "--parallelism",
        &p,
    ]);
    println!(
        "  plan of the export: exit {} (0 = no changes), {} requests, wall {:.2} s; passwords in the file: {leaked}\n",
        plan.code,
        portal.requests().len() - before,
        plan.wall.as_secs_f64()
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
    if only("updates") {
        plan_updates(&rt);
    }
    if only("ratelimit") {
        rate_limited(&rt);
    }
    if only("faults") {
        faults(&rt);
    }
    if only("portaldown") {
        portal_down(&rt);
    }
    if only("reads") {
        reads(&rt);
    }
    if only("footprint") {
        footprint(&rt);
    }
    if only("export") {
        export(&rt);
    }
    if only("manifest") {
        manifest_size();
    }
}
