//! Every wait the portal asks for, bounded and said (issue 14, item 7).
//!
//! A portal asks for waits three ways: `Retry-After` (DocSpace's daily write cap,
//! a proxy's 503), `X-RateLimit-Reset` on a `429` without it, and
//! `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` on any answer (no DocSpace
//! release sends those on admitted requests, docspace-api.md third reading 5, but
//! proxies do). The pacer and the retries carry the waits out; this book keeps
//! them honest: a wait over [`SAY_AFTER`] prints one line on stderr with its
//! reason and end time, and a wait past the run's budget ([`RUN_BUDGET`] in all,
//! [`MAX_SERVER_WAIT`] at once) ends the run with an error that names the header,
//! instead of sleeping through it.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::error::ApiError;
use super::pacing::{self, MAX_SERVER_WAIT};

/// A wait longer than this is said on stderr.
pub const SAY_AFTER: Duration = Duration::from_secs(30);
/// What one run waits for the portal in all: two of DocSpace's minute windows.
pub const RUN_BUDGET: Duration = Duration::from_secs(120);

/// A wait the portal asked for, and which header asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub header: &'static str,
    pub wait: Duration,
    pub status: u16,
}

/// The wait an answer asks for, if any.
pub fn asked(status: StatusCode, headers: &HeaderMap) -> Option<Asked> {
    let ask = |header, wait| Asked {
        header,
        wait,
        status: status.as_u16(),
    };
    if let Some(wait) = pacing::retry_after(headers) {
        return Some(ask("Retry-After", wait));
    }
    let reset = pacing::reset_after(headers)?;
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Some(ask("X-RateLimit-Reset", reset));
    }
    let remaining = headers
        .get("x-ratelimit-remaining")?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()?;
    // Nothing left until the reset: the next request waits for it.
    (remaining < 1.0).then(|| ask("X-RateLimit-Remaining: 0 with X-RateLimit-Reset", reset))
}

type Say = Box<dyn Fn(&str) + Send + Sync>;

/// The run's account of the waits the portal asked for.
pub struct WaitBook {
    state: Mutex<Book>,
    say: Say,
    budget: Duration,
}

impl std::fmt::Debug for WaitBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitBook").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Book {
    /// The end of the latest wait accepted.
    until: Option<Instant>,
    /// Time the accepted waits cover, overlaps counted once.
    spent: Duration,
    /// The end of the latest wait said on stderr: parallel requests told the same
    /// wait say it once.
    said_until: Option<Instant>,
    refused: Option<ApiError>,
}

impl WaitBook {
    pub fn new() -> Self {
        WaitBook::with(RUN_BUDGET, Box::new(|line| eprintln!("{line}")))
    }

    fn with(budget: Duration, say: Say) -> Self {
        WaitBook {
            state: Mutex::default(),
            say,
            budget,
        }
    }

    /// Takes the wait `asked` into the run's account: `Ok` when it will be waited
    /// (and said, when long), or the error that ends the run.
    pub fn ask(&self, asked: &Asked) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut b = self.state.lock().expect("wait book lock");
        if let Some(e) = &b.refused {
            return Err(e.clone());
        }
        let end = now + asked.wait;
        let from = b.until.map_or(now, |u| u.max(now));
        let more = end.saturating_duration_since(from);
        if asked.wait > MAX_SERVER_WAIT || b.spent + more > self.budget {
            let e = ApiError::WaitRefused {
                header: asked.header.to_owned(),
                status: asked.status,
                wait: asked.wait,
                until: wall_clock(asked.wait),
                budget: self.budget.min(MAX_SERVER_WAIT),
            };
            b.refused = Some(e.clone());
            return Err(e);
        }
        b.spent += more;
        b.until = Some(b.until.map_or(end, |u| u.max(end)));
        if asked.wait > SAY_AFTER
            && b.said_until
                .is_none_or(|s| end > s + Duration::from_secs(1))
        {
            b.said_until = Some(end);
            drop(b);
            (self.say)(&format!(
                "waiting {} s, until {}: the portal asked for it ({} on a {} answer)",
                asked.wait.as_secs_f64().ceil(),
                wall_clock(asked.wait),
                asked.header,
                asked.status
            ));
        }
        Ok(())
    }
}

impl Default for WaitBook {
    fn default() -> Self {
        WaitBook::new()
    }
}

/// `13:05:09 UTC`, `wait` from now (a date too when it is not today).
fn wall_clock(wait: Duration) -> String {
    let now = jiff::Timestamp::now();
    let span = jiff::SignedDuration::try_from(wait).unwrap_or(jiff::SignedDuration::MAX);
    let Ok(end) = now.checked_add(span) else {
        return "a time too far ahead to name".to_owned();
    };
    if end.strftime("%F").to_string() == now.strftime("%F").to_string() {
        end.strftime("%H:%M:%S UTC").to_string()
    } else {
        end.strftime("%F %H:%M:%S UTC").to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_three_ways_a_portal_asks_for_a_wait() {
        let ra = headers(&[("Retry-After", "45")]);
        assert_eq!(
            asked(StatusCode::TOO_MANY_REQUESTS, &ra).map(|a| (a.header, a.wait)),
            Some(("Retry-After", Duration::from_secs(45)))
        );
        let reset = headers(&[("X-RateLimit-Reset", "3600")]);
        assert_eq!(
            asked(StatusCode::TOO_MANY_REQUESTS, &reset).map(|a| a.header),
            Some("X-RateLimit-Reset")
        );
        // On an admitted answer a reset alone asks nothing; with nothing left, it does.
        assert_eq!(asked(StatusCode::OK, &reset), None);
        let spent = headers(&[
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "3600"),
        ]);
        let a = asked(StatusCode::OK, &spent).unwrap();
        assert!(a.header.starts_with("X-RateLimit-Remaining: 0"), "{a:?}");
        assert_eq!(a.wait, Duration::from_secs(3600));
        let left = headers(&[
            ("X-RateLimit-Remaining", "5"),
            ("X-RateLimit-Reset", "3600"),
        ]);
        assert_eq!(asked(StatusCode::OK, &left), None);
        assert_eq!(asked(StatusCode::OK, &HeaderMap::new()), None);
    }

    fn book(budget: Duration) -> (WaitBook, Arc<Mutex<Vec<String>>>) {
        let lines: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = lines.clone();
        let b = WaitBook::with(
            budget,
            Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
        );
        (b, lines)
    }

    fn retry_after(secs: u64) -> Asked {
        Asked {
            header: "Retry-After",
            wait: Duration::from_secs(secs),
            status: 429,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_wait_is_said_once_with_its_reason_and_end() {
        let (b, lines) = book(RUN_BUDGET);
        b.ask(&retry_after(10)).unwrap();
        assert!(lines.lock().unwrap().is_empty(), "a short wait is not said");
        for _ in 0..16 {
            // Every request in flight told the same wait.
            b.ask(&retry_after(45)).unwrap();
        }
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("waiting 45 s, until ")
                && lines[0].contains("UTC")
                && lines[0].contains("(Retry-After on a 429 answer)"),
            "{}",
            lines[0]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_budget_the_run_ends_with_an_error_naming_the_header() {
        let (b, _) = book(Duration::from_secs(60));
        b.ask(&retry_after(40)).unwrap();
        tokio::time::advance(Duration::from_secs(40)).await;
        // 40 s waited, 20 s left: a further 40 s does not fit.
        let e = b.ask(&retry_after(40)).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains("Retry-After") && shown.contains("40 s"),
            "{shown}"
        );
        assert!(e.is_fatal());
        // And the run stays ended.
        assert!(b.ask(&retry_after(1)).is_err());

        let (b, _) = book(RUN_BUDGET);
        let e = b
            .ask(&Asked {
                header: "X-RateLimit-Reset",
                wait: Duration::from_secs(3600),
                status: 200,
            })
            .unwrap_err();
        assert!(e.to_string().contains("1 h"), "{e}");
    }
}
