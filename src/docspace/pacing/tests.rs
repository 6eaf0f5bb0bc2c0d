//! Tests of `pacing`, on tokio's paused clock.

use super::*;

#[test]
fn no_spacing_while_the_allowance_is_large() {
    let reset = Reset::Window(Duration::from_secs(60));
    assert_eq!(spacing(1000, Some(1500), reset, 16), Duration::ZERO);
}

#[test]
fn a_low_window_allowance_is_spread_until_the_reset() {
    let reset = Reset::Window(Duration::from_secs(1));
    assert_eq!(
        spacing(10, Some(1500), reset, 16),
        Duration::from_millis(500)
    );
    assert_eq!(
        spacing(30, Some(1500), reset, 16),
        Duration::from_secs(1) / 22
    );
}

#[test]
fn a_refilling_allowance_runs_just_under_its_rate() {
    let gap = spacing(20, Some(100), Reset::Refill(Duration::from_secs(1)), 16);
    let rate = 1.0 / gap.as_secs_f64();
    assert!((94.0..=96.0).contains(&rate), "{rate}");
    // A reset of 0 s (rounded down) still means about a second's worth.
    assert_eq!(
        gap,
        spacing(20, Some(100), Reset::Refill(Duration::ZERO), 16)
    );
}

#[test]
fn reset_accepts_timestamps_and_deltas() {
    assert_eq!(Reset::from_header(5), Reset::Refill(Duration::from_secs(5)));
    let soon = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 30;
    let Reset::Window(d) = Reset::from_header(soon) else {
        panic!("a timestamp is a window reset")
    };
    assert!(
        d > Duration::from_secs(28) && d <= Duration::from_secs(31),
        "{d:?}"
    );
}

#[test]
fn a_reset_is_read_as_the_wait_it_asks_for() {
    let year = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 365 * 86400;
    let h = headers(&[("x-ratelimit-reset", year.to_string())]);
    let wait = reset_after(&h).unwrap();
    assert!(wait > Duration::from_secs(364 * 86400), "{wait:?}");
    let h = headers(&[("x-ratelimit-reset", "7".into())]);
    assert_eq!(reset_after(&h), Some(Duration::from_secs(7)));
    assert_eq!(reset_after(&HeaderMap::new()), None);
}

#[test]
fn retry_after_is_read_as_asked() {
    let mut h = HeaderMap::new();
    h.insert("retry-after", "86400".parse().unwrap());
    assert_eq!(retry_after(&h), Some(Duration::from_secs(86400)));
    h.insert("retry-after", "junk".parse().unwrap());
    assert_eq!(retry_after(&h), None);
}

fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, v.parse().unwrap());
    }
    h
}

/// Takes a turn with no limit, leaves its request unanswered, and says when the
/// turn came.
async fn started(pacer: &Pacer) -> Instant {
    drop(pacer.turn(Duration::MAX).await.expect("no limit"));
    Instant::now()
}

/// Takes `n` turns one after the other and returns how far the last is from now.
async fn queue(pacer: &Pacer, n: usize) -> Duration {
    let now = Instant::now();
    let mut last = now;
    for _ in 0..n {
        last = started(pacer).await;
    }
    last - now
}

#[tokio::test(start_paused = true)]
async fn a_pause_holds_back_every_later_request() {
    let pacer = Pacer::new(4);
    let now = Instant::now();
    pacer.pause(Duration::from_secs(3));
    assert!(started(&pacer).await - now >= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn no_header_pauses_anyone_longer_than_the_cap() {
    let pacer = Pacer::new(4);
    let now = Instant::now();
    pacer.pause(Duration::from_secs(100_000));
    assert_eq!(started(&pacer).await - now, MAX_SERVER_WAIT);

    // A reset a year ahead with nothing left: spread over at most the cap.
    let pacer = Pacer::new(4);
    let year = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 365 * 86400;
    pacer.observe(&headers(&[
        ("x-ratelimit-remaining", "0".into()),
        ("x-ratelimit-reset", year.to_string()),
    ]));
    assert!(queue(&pacer, 50).await <= MAX_SERVER_WAIT);
    // A delta reset just under a year (read as a refill) is capped the same way.
    let pacer = Pacer::new(4);
    pacer.observe(&headers(&[
        ("x-ratelimit-remaining", "0".into()),
        ("x-ratelimit-limit", "1".into()),
        ("x-ratelimit-reset", (364 * 86400).to_string()),
    ]));
    let gap = queue(&pacer, 2).await;
    assert!(gap <= MAX_SERVER_WAIT * 2, "{gap:?}");
}

#[tokio::test(start_paused = true)]
async fn a_turn_further_away_than_the_limit_is_not_taken() {
    let pacer = Pacer::new(4);
    let now = Instant::now();
    pacer.pause(Duration::from_secs(10));
    assert!(matches!(
        pacer.turn(Duration::from_secs(5)).await,
        Err(Some(wait)) if wait == Duration::from_secs(10)
    ));
    assert_eq!(Instant::now(), now, "refused at once");
    // Refusing took no turn: the next caller is not pushed back by it.
    let turn = pacer.turn(Duration::from_secs(10)).await;
    assert!(turn.is_ok());
    assert_eq!(Instant::now() - now, Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn a_window_allowance_is_spread_but_never_past_its_reset() {
    let pacer = Pacer::new(16);
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 30;
    pacer.observe(&headers(&[
        ("x-ratelimit-remaining", "10".into()),
        ("x-ratelimit-limit", "1500".into()),
        ("x-ratelimit-reset", reset.to_string()),
    ]));
    // Two usable requests over ~30 s: the third and later wait for the reset,
    // not for 15 s more each.
    let last = queue(&pacer, 16).await;
    assert!(last <= Duration::from_secs(31), "{last:?}");
    assert!(last >= Duration::from_secs(28), "{last:?}");
}

#[tokio::test(start_paused = true)]
async fn bare_429s_slow_everyone_down_then_fade() {
    let pacer = Pacer::new(4);
    assert_eq!(queue(&pacer, 10).await, Duration::ZERO);
    pacer.back_off();
    // Parallel requests bouncing together count once.
    pacer.back_off();
    pacer.back_off();
    let first = queue(&pacer, 3).await;
    assert!(
        first >= PENALTY_MIN * 2 && first <= PENALTY_MIN * 3,
        "{first:?}"
    );
    tokio::time::advance(PENALTY_REACT_EVERY).await;
    pacer.back_off();
    tokio::time::advance(Duration::from_secs(1)).await;
    let now = Instant::now();
    started(&pacer).await;
    assert_eq!(started(&pacer).await - now, PENALTY_MIN * 2);
    // Repeated bare 429s never space starts more than the cap.
    for _ in 0..20 {
        tokio::time::advance(PENALTY_REACT_EVERY).await;
        pacer.back_off();
    }
    tokio::time::advance(Duration::from_secs(2)).await;
    let now = Instant::now();
    started(&pacer).await;
    assert_eq!(started(&pacer).await - now, PENALTY_MAX);
    // Successes bring the pace back.
    for _ in 0..64 {
        pacer.lock().relax();
    }
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(queue(&pacer, 10).await, Duration::ZERO);
}

/// A turn, answered `status` with `pairs` as headers a millisecond later.
async fn answer(pacer: &Pacer, status: StatusCode, pairs: &[(&'static str, String)]) {
    let turn = pacer.turn(Duration::MAX).await.expect("no limit");
    tokio::time::advance(Duration::from_millis(1)).await;
    turn.answered(status, &headers(pairs));
}

#[tokio::test(start_paused = true)]
async fn a_bare_429_with_a_limit_holds_everyone_until_the_window_may_have_room() {
    let pacer = Pacer::new(4);
    let begin = Instant::now();
    for _ in 0..3 {
        answer(&pacer, StatusCode::OK, &[]).await;
    }
    // Answered 1, 2 and 3 ms in; the fourth, sent at 3 ms, is turned away.
    let limit = [
        ("x-ratelimit-limit", "3".to_owned()),
        ("x-ratelimit-remaining", "0".to_owned()),
    ];
    answer(&pacer, StatusCode::TOO_MANY_REQUESTS, &limit).await;
    // The three admitted may fill the window: nobody starts before the oldest
    // answer is a probe's gap old, and then only the probe.
    let first_answer = begin + Duration::from_millis(1);
    assert!(matches!(
        pacer.turn(Duration::ZERO).await,
        Err(Some(wait)) if wait == first_answer + window::FIRST_PROBE - Instant::now()
    ));
    let probe = pacer.turn(Duration::MAX).await.expect("no limit");
    assert_eq!(Instant::now(), first_answer + window::FIRST_PROBE);
    assert!(matches!(
        pacer.turn(Duration::from_secs(3600)).await,
        Err(None)
    ));
    drop(probe);
}

#[tokio::test(start_paused = true)]
async fn a_429_that_says_nothing_slows_everyone_down() {
    let pacer = Pacer::new(4);
    answer(&pacer, StatusCode::TOO_MANY_REQUESTS, &[]).await;
    let now = Instant::now();
    assert_eq!(started(&pacer).await - now, PENALTY_MIN);
    // A success makes the spacing fade.
    answer(&pacer, StatusCode::OK, &[]).await;
    assert!(pacer.lock().penalty < PENALTY_MIN);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_pauses_everyone_and_an_absurd_one_nobody() {
    let pacer = Pacer::new(4);
    answer(
        &pacer,
        StatusCode::TOO_MANY_REQUESTS,
        &[("retry-after", "3".into())],
    )
    .await;
    let now = Instant::now();
    assert_eq!(started(&pacer).await - now, Duration::from_secs(3));
    // Past what is worth waiting for: the request gives up, nobody waits.
    answer(
        &pacer,
        StatusCode::TOO_MANY_REQUESTS,
        &[("retry-after", "100000".into())],
    )
    .await;
    let now = Instant::now();
    assert_eq!(started(&pacer).await, now);
    // Neither is the window's: nothing was learnt about it.
    assert_eq!(pacer.lock().mirror.gate(now), Gate::Open { probe: false });
}

/// DocSpace's sliding window as its Redis script keeps it: `limit` admitted
/// requests per `window`, rejections not counted, and headers on rejections only.
struct SlidingWindow {
    limit: usize,
    window: Duration,
    admitted: std::collections::VecDeque<Instant>,
}

impl SlidingWindow {
    fn admits(&mut self, now: Instant) -> bool {
        while self
            .admitted
            .front()
            .is_some_and(|&t| t + self.window <= now)
        {
            self.admitted.pop_front();
        }
        let admitted = self.admitted.len() < self.limit;
        if admitted {
            self.admitted.push_back(now);
        }
        admitted
    }
}

/// What a run against a [`SlidingWindow`] came to.
#[derive(Debug)]
struct Run {
    /// `429`s before the first request admitted after the first `429`: the
    /// requests in flight when the limit was first hit, and the probes that
    /// found the window's length.
    first_contact: usize,
    /// `429`s after that.
    later: usize,
    /// Share of the window's allowance over the run that was used.
    used: f64,
}

/// `workers` requests at a time, each taking the pacer's turn, reaching the
/// server after half of `latency` and answered after the other half, until
/// `jobs` requests were admitted (a turned-away request is sent again).
async fn against(
    limit: usize,
    window: Duration,
    latency: Duration,
    workers: usize,
    jobs: usize,
) -> Run {
    let pacer = Pacer::new(workers);
    let server = Mutex::new(SlidingWindow {
        limit,
        window,
        admitted: std::collections::VecDeque::new(),
    });
    let todo = std::sync::atomic::AtomicUsize::new(jobs);
    // Every answer in order: whether it was a 429.
    let answers = Mutex::new(Vec::new());
    let rejection = headers(&[
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", "0".into()),
    ]);
    let begin = Instant::now();
    let worker = || async {
        while todo
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .is_ok()
        {
            loop {
                let turn = pacer.turn(Duration::MAX).await.expect("no limit");
                tokio::time::sleep(latency / 2).await;
                let admitted = server.lock().unwrap().admits(Instant::now());
                tokio::time::sleep(latency / 2).await;
                answers.lock().unwrap().push(!admitted);
                if admitted {
                    turn.answered(StatusCode::OK, &HeaderMap::new());
                    break;
                }
                turn.answered(StatusCode::TOO_MANY_REQUESTS, &rejection);
            }
        }
    };
    futures::future::join_all((0..workers).map(|_| worker())).await;
    let elapsed = Instant::now() - begin;
    let answers = answers.into_inner().unwrap();
    let first = answers.iter().position(|&r| r).unwrap_or(answers.len());
    let resumed = answers[first..]
        .iter()
        .position(|&r| !r)
        .map_or(answers.len(), |i| first + i);
    let windows = (elapsed.as_secs_f64() / window.as_secs_f64()).floor() + 1.0;
    Run {
        first_contact: answers[first..resumed].iter().filter(|&&r| r).count(),
        later: answers[resumed..].iter().filter(|&&r| r).count(),
        used: jobs as f64 / (limit as f64 * windows),
    }
}

#[tokio::test(start_paused = true)]
async fn a_sliding_window_is_learnt_from_one_bounce_then_used_whole() {
    let ms = Duration::from_millis;
    for (limit, window, latency, workers, jobs) in [
        // The benchmark's simulator: 25 a second on loopback, as many requests.
        (25, Duration::from_secs(1), ms(1), 16, 507),
        // A minute's window over the internet (DocSpace's is 1,500 a minute).
        (300, Duration::from_secs(60), ms(120), 16, 3000),
        // Neither.
        (40, ms(2500), ms(30), 8, 1000),
    ] {
        let run = against(limit, window, latency, workers, jobs).await;
        let case = format!("{limit} per {window:?}, {latency:?} latency: {run:?}");
        // The requests in flight when the limit is first hit bounce, and probes
        // at gaps growing by 30% find a window long enough ...
        assert!(run.first_contact <= workers + 16, "{case}");
        // ... then a few probes turned away bisect it, and nothing else bounces.
        assert!(run.later <= 6, "{case}");
        assert!(run.used >= 0.95, "{case}");
    }
}

#[tokio::test(start_paused = true)]
async fn waits_at_once_count_once_on_the_wait_clock() {
    let clock = WaitClock::default();
    let a = clock.enter();
    tokio::time::advance(Duration::from_secs(1)).await;
    let b = clock.enter();
    tokio::time::advance(Duration::from_secs(2)).await;
    drop(a);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(
        clock.total(),
        Duration::from_secs(4),
        "counted while waiting"
    );
    drop(b);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert_eq!(clock.total(), Duration::from_secs(4), "nobody waits now");
    let _c = clock.enter();
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(clock.total(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_turn_that_waits_for_the_window_is_counted() {
    let pacer = Pacer::new(16);
    let waited = pacer.waited();
    pacer.pause(Duration::from_secs(3));
    let turn = pacer.turn(Duration::from_secs(10)).await.expect("a turn");
    drop(turn);
    assert_eq!(waited.total(), Duration::from_secs(3));
}
