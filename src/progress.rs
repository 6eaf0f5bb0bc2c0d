//! Progress where people look, always on stderr and never on stdout (whatever the
//! format: JSON, Markdown and GitHub output stay what they are):
//!
//! - on a terminal, a bar, once a step has lasted a moment;
//! - on a pipe (a CI log), a plain line every few seconds while a step runs: a plan
//!   of 10,000 folders at the portal's real rate limit takes minutes, and a log that
//!   says nothing that long looks hung. Each line says the folders done of those
//!   known, the requests sent and the time spent waiting for the rate limit.
//!
//! A step that ends before the first line is due prints nothing at all.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a step runs before a bar is worth showing.
const SHOW_AFTER: Duration = Duration::from_millis(700);

/// How often a line is printed on a pipe.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Sets the interval on a pipe in milliseconds (`0`: no lines). For the tests,
/// which need lines from a run of a second or two, and keep them out of every
/// other test's output; not a user setting.
const LINE_EVERY_VAR: &str = "DOCSPACE_LINKS_PROGRESS_MS";

/// How often the bar's counts are brought up to date.
const BAR_TICK: Duration = Duration::from_millis(500);

/// What the transport has done so far in this run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub requests: u64,
    /// Wall time during which requests waited for their turn under the rate limit.
    pub rate_waited: Duration,
}

/// Where the counts come from (the transport's statistics).
pub trait Counters: Send + Sync {
    fn traffic(&self) -> Traffic;
}

pub struct Progress {
    shown: Shown,
    state: Arc<State>,
}

enum Shown {
    Hidden,
    Bar(ProgressBar),
    Lines(Duration),
}

/// The step running now. `step` changes with every `start` and `finish`, which
/// ends the previous step's ticker.
struct State {
    step: AtomicUsize,
    message: Mutex<&'static str>,
    done: AtomicU64,
    total: AtomicU64,
    counters: Option<Arc<dyn Counters>>,
}

impl Progress {
    /// A bar when stderr is a terminal, lines when it is not.
    pub fn for_stderr(counters: Arc<dyn Counters>) -> Self {
        let shown = if std::io::stderr().is_terminal() {
            Shown::Bar(ProgressBar::with_draw_target(
                None,
                ProgressDrawTarget::hidden(),
            ))
        } else {
            match line_every() {
                Some(every) => Shown::Lines(every),
                None => Shown::Hidden,
            }
        };
        Progress {
            shown,
            state: Arc::new(State::new(Some(counters))),
        }
    }

    pub fn hidden() -> Self {
        Progress {
            shown: Shown::Hidden,
            state: Arc::new(State::new(None)),
        }
    }

    pub fn start(&self, message: &'static str, total: usize) {
        let state = &self.state;
        let step = state.step.fetch_add(1, Ordering::SeqCst) + 1;
        *state.message.lock().expect("progress lock") = message;
        state.done.store(0, Ordering::Relaxed);
        state.total.store(total as u64, Ordering::Relaxed);
        match &self.shown {
            Shown::Hidden => {}
            Shown::Bar(bar) => start_bar(bar, message, total, Arc::clone(state), step),
            Shown::Lines(every) => {
                let (state, every) = (Arc::clone(state), *every);
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(every).await;
                        if !state.is_step(step) {
                            return;
                        }
                        // A closed stderr is no reason to stop the run.
                        let _ = writeln!(std::io::stderr(), "{}", state.line());
                    }
                });
            }
        }
    }

    /// More work found on the way (a walk learns its size as it goes).
    pub fn grow(&self, more: usize) {
        self.state.total.fetch_add(more as u64, Ordering::Relaxed);
        if let Shown::Bar(bar) = &self.shown {
            bar.inc_length(more as u64);
        }
    }

    pub fn inc(&self) {
        self.state.done.fetch_add(1, Ordering::Relaxed);
        if let Shown::Bar(bar) = &self.shown {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        self.state.step.fetch_add(1, Ordering::SeqCst);
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }
}

fn start_bar(
    bar: &ProgressBar,
    message: &'static str,
    total: usize,
    state: Arc<State>,
    step: usize,
) {
    bar.set_draw_target(ProgressDrawTarget::hidden());
    bar.reset();
    bar.set_length(total as u64);
    bar.set_position(0);
    bar.set_message(message);
    bar.set_prefix("");
    // Short enough for an 80-column terminal: a line that wraps is drawn anew below.
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:16}] {pos}/{len} ({elapsed}{prefix})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let bar = bar.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SHOW_AFTER).await;
        if !state.is_step(step) {
            return;
        }
        bar.set_draw_target(ProgressDrawTarget::stderr());
        while state.is_step(step) {
            bar.set_prefix(bar_counts(state.traffic()));
            tokio::time::sleep(BAR_TICK).await;
        }
    });
}

impl State {
    fn new(counters: Option<Arc<dyn Counters>>) -> State {
        State {
            step: AtomicUsize::new(0),
            message: Mutex::new(""),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            counters,
        }
    }

    fn is_step(&self, step: usize) -> bool {
        self.step.load(Ordering::SeqCst) == step
    }

    fn traffic(&self) -> Traffic {
        self.counters
            .as_ref()
            .map(|c| c.traffic())
            .unwrap_or_default()
    }

    /// `progress: reading the portal: 120 of 2000 folders, 340 requests, 12.5 s
    /// waited for the rate limit`
    fn line(&self) -> String {
        let message = *self.message.lock().expect("progress lock");
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        format!(
            "progress: {message}: {done} of {total} folders, {}",
            traffic_words(self.traffic())
        )
    }
}

/// `, 340 requests, 12.5 s waited` after the bar's elapsed time.
fn bar_counts(t: Traffic) -> String {
    format!(
        ", {} requests, {:.1} s waited",
        t.requests,
        t.rate_waited.as_secs_f64()
    )
}

fn traffic_words(t: Traffic) -> String {
    format!(
        "{} request{}, {:.1} s waited for the rate limit",
        t.requests,
        if t.requests == 1 { "" } else { "s" },
        t.rate_waited.as_secs_f64()
    )
}

/// The interval on a pipe: [`LINE_EVERY`], or what [`LINE_EVERY_VAR`] says (`0`
/// or unreadable: none).
fn line_every() -> Option<Duration> {
    match std::env::var(LINE_EVERY_VAR) {
        Err(_) => Some(LINE_EVERY),
        Ok(ms) => match ms.trim().parse::<u64>() {
            Ok(0) | Err(_) => None,
            Ok(ms) => Some(Duration::from_millis(ms)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Traffic);

    impl Counters for Fixed {
        fn traffic(&self) -> Traffic {
            self.0
        }
    }

    #[test]
    fn a_line_says_folders_requests_and_the_wait() {
        let state = State::new(Some(Arc::new(Fixed(Traffic {
            requests: 340,
            rate_waited: Duration::from_millis(12_480),
        }))));
        *state.message.lock().unwrap() = "reading the portal";
        state.done.store(120, Ordering::Relaxed);
        state.total.store(2000, Ordering::Relaxed);
        assert_eq!(
            state.line(),
            "progress: reading the portal: 120 of 2000 folders, 340 requests, 12.5 s waited for the rate limit"
        );
        assert_eq!(
            traffic_words(Traffic {
                requests: 1,
                rate_waited: Duration::ZERO
            }),
            "1 request, 0.0 s waited for the rate limit"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_finished_step_prints_no_more() {
        let progress = Progress {
            shown: Shown::Lines(Duration::from_secs(5)),
            state: Arc::new(State::new(None)),
        };
        progress.start("reading the portal", 3);
        let step = progress.state.step.load(Ordering::SeqCst);
        progress.finish();
        assert!(!progress.state.is_step(step));
        progress.start("applying", 2);
        assert_eq!(progress.state.done.load(Ordering::Relaxed), 0);
        assert_eq!(progress.state.total.load(Ordering::Relaxed), 2);
    }
}
