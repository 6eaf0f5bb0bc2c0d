//! A progress bar on stderr, only on a terminal and only once a run has lasted a
//! moment: nothing of it reaches pipes or CI logs.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a step runs before a bar is worth showing.
const SHOW_AFTER: Duration = Duration::from_millis(700);

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar when stderr is a terminal, otherwise nothing at all.
    pub fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Progress {
                bar: Some(ProgressBar::with_draw_target(
                    None,
                    ProgressDrawTarget::hidden(),
                )),
            }
        } else {
            Progress::hidden()
        }
    }

    pub fn hidden() -> Self {
        Progress { bar: None }
    }

    pub fn start(&self, message: &'static str, total: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_draw_target(ProgressDrawTarget::hidden());
        bar.reset();
        bar.set_length(total as u64);
        bar.set_position(0);
        bar.set_message(message);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        let delayed = bar.clone();
        tokio::spawn(async move {
            tokio::time::sleep(SHOW_AFTER).await;
            if !delayed.is_finished() {
                delayed.set_draw_target(ProgressDrawTarget::stderr());
            }
        });
    }

    /// More work found on the way (a walk learns its size as it goes).
    pub fn grow(&self, more: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(more as u64);
        }
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
