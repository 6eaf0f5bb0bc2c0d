//! `apply` on a terminal: it asks, applies only on "yes", and refuses a plan that
//! went stale while the question was open. `script` gives the binary a terminal.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Portal, SEED, TOKEN};

const PROMPT: &str = "Only 'yes' will be accepted";

pub struct Terminal {
    child: Child,
    screen: Arc<Mutex<String>>,
}

impl Terminal {
    pub fn start(portal: &Portal, args: &str) -> Terminal {
        let command = format!("{} {args}", env!("CARGO_BIN_EXE_docspace-links"));
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(portal.dir())
            .env("DOCSPACE_URL", portal.url())
            .env("DOCSPACE_TOKEN", TOKEN)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script(1) runs");
        let screen = Arc::new(Mutex::new(String::new()));
        let mut out = child.stdout.take().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Terminal { child, screen }
    }

    pub fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.screen.lock().unwrap().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no {text:?} on screen:\n{}",
                self.screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn answer(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    pub fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().unwrap();
        // Let the reader drain what is left.
        std::thread::sleep(Duration::from_millis(100));
        let screen = self.screen.lock().unwrap().replace('\r', "");
        (status.code().unwrap_or(-1), screen)
    }
}

const MANIFEST: &str = "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read }\n  - path: Marketing/Archive\n    link: { title: Archive link }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yes_applies() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let mut term = Terminal::start(&portal, "apply -f links.yaml");
    term.wait_for(PROMPT);
    assert!(portal.writes().await.is_empty(), "wrote before the answer");
    term.answer("yes");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("1 created"), "{screen}");
    assert!(portal.primary("Marketing/Brand assets").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anything_but_yes_cancels() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let mut term = Terminal::start(&portal, "apply -f links.yaml");
    term.wait_for(PROMPT);
    term.answer("y");
    let (code, screen) = term.finish();
    assert_eq!(code, 4, "{screen}");
    assert!(screen.contains("cancelled"), "{screen}");
    assert!(portal.writes().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_that_went_stale_while_asking_is_refused() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let mut term = Terminal::start(&portal, "apply -f links.yaml");
    term.wait_for(PROMPT);
    // Someone edits a link in the web UI while the question is open.
    portal
        .set_title("Marketing/Archive", 103, "Renamed by hand")
        .await;
    let writes_before = portal.writes().await;
    term.answer("yes");
    let (code, screen) = term.finish();
    assert_eq!(code, 4, "{screen}");
    assert!(screen.contains("stale"), "{screen}");
    assert_eq!(
        portal.writes().await,
        writes_before,
        "a stale plan was applied"
    );
}
