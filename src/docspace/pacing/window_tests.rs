//! Tests of `window`, on tokio's paused clock.

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A mirror that has learnt `limit` and brackets the window by `longer_than`
/// and `at_most`, with nothing in its log.
fn knowing(limit: u64, longer_than: Duration, at_most: Option<Duration>) -> Mirror {
    Mirror {
        limit: Some(limit),
        longer_than,
        at_most,
        ..Mirror::default()
    }
}

#[test]
fn nothing_is_held_back_before_the_first_429() {
    let t0 = Instant::now();
    let mut m = Mirror::default();
    for i in 0..100 {
        assert_eq!(m.gate(t0), Gate::Open { probe: false });
        let id = m.sent(t0, false);
        if i % 2 == 0 {
            assert!(m.resolved(id, t0 + ms(1), Answer::Admitted));
        }
    }
}

#[test]
fn the_window_is_bracketed_by_rejections_and_admissions() {
    let t0 = Instant::now();
    let at = |n| t0 + ms(n);
    let mut m = Mirror::default();
    // Three admitted, sent 1 ms apart and answered 1 ms later; the fourth is
    // turned away: the limit is 3, and the window is longer than the 2 ms
    // between the fourth's send and the first's answer.
    for n in 0..3 {
        let id = m.sent(at(n), false);
        m.resolved(id, at(n + 1), Answer::Admitted);
    }
    let fourth = m.sent(at(3), false);
    assert!(m.resolved(fourth, at(4), Answer::Throttled { limit: 3 }));
    assert_eq!((m.limit, m.longer_than, m.at_most), (Some(3), ms(2), None));
    // The one probe waits until the first answer is a probe's gap old (the
    // first gap is at least `FIRST_PROBE`), and nothing else goes meanwhile.
    assert_eq!(m.gate(at(4)), Gate::Until(at(1) + FIRST_PROBE));
    let probe_at = at(1) + FIRST_PROBE;
    assert_eq!(m.gate(probe_at), Gate::Open { probe: true });
    let probe = m.sent(probe_at, true);
    assert_eq!(m.gate(probe_at), Gate::News);
    // Turned away too: the floor is its gap from the oldest answer.
    assert!(m.resolved(probe, probe_at + ms(1), Answer::Throttled { limit: 3 }));
    assert_eq!(m.longer_than, FIRST_PROBE);
    let wider = FIRST_PROBE.mul_f64(WIDEN);
    assert_eq!(m.gate(probe_at + ms(1)), Gate::Until(at(1) + wider));
    // Admitted: with three admitted before it, it proves the window no longer
    // than from the first's send to its own answer.
    let probe = m.sent(at(1) + wider, true);
    assert!(m.resolved(probe, at(2) + wider, Answer::Admitted));
    assert_eq!(m.at_most, Some(ms(2) + wider));
}

#[test]
fn requests_in_flight_hold_their_place_until_answered() {
    let t0 = Instant::now();
    // The window is known to the millisecond: no more probing.
    let mut m = knowing(2, ms(99), Some(ms(100)));
    let a = m.sent(t0, false);
    assert_eq!(m.gate(t0), Gate::Open { probe: false });
    let b = m.sent(t0, false);
    // Both may still arrive: only an answer can tell when room comes.
    assert_eq!(m.gate(t0 + ms(500)), Gate::News);
    m.resolved(a, t0 + ms(10), Answer::Admitted);
    // Counted from its answer, for a whole window.
    assert_eq!(m.gate(t0 + ms(10)), Gate::Until(t0 + ms(110)));
    // No answer at all counts the same way, from when it failed.
    m.resolved(b, t0 + ms(20), Answer::Unsure);
    assert_eq!(m.gate(t0 + ms(110)), Gate::Open { probe: false });
    m.sent(t0 + ms(110), false);
    assert_eq!(m.gate(t0 + ms(110)), Gate::Until(t0 + ms(120)));
}

#[test]
fn a_throttle_the_window_does_not_explain_is_said_so() {
    let t0 = Instant::now();
    let mut m = knowing(25, ms(900), Some(ms(1000)));
    // Another limit's (a concurrency cap's) 429: may have counted, learns nothing.
    let id = m.sent(t0, false);
    assert!(!m.resolved(id, t0 + ms(1), Answer::Throttled { limit: 15 }));
    assert_eq!(m.limit, Some(25));
    assert_eq!(m.log[0].fate, Fate::Unsure(t0 + ms(1)));
    // The window's own, with far fewer requests logged than its limit:
    // somebody else's requests filled it.
    let id = m.sent(t0 + ms(2), false);
    assert!(!m.resolved(id, t0 + ms(3), Answer::Throttled { limit: 25 }));
    assert_eq!((m.longer_than, m.at_most), (ms(900), Some(ms(1000))));
}

#[test]
fn a_rejection_past_the_proven_bound_moves_nothing() {
    let t0 = Instant::now();
    let mut m = knowing(1, ms(50), Some(ms(100)));
    let first = m.sent(t0, false);
    m.resolved(first, t0, Answer::Admitted);
    let late = m.sent(t0 + ms(150), false);
    assert!(!m.resolved(late, t0 + ms(151), Answer::Throttled { limit: 1 }));
    assert_eq!((m.longer_than, m.at_most), (ms(50), Some(ms(100))));
}

#[test]
fn an_admission_below_the_floor_ends_the_search() {
    let t0 = Instant::now();
    let mut m = knowing(1, ms(50), Some(ms(80)));
    assert_eq!(m.probe_gap(), Some(ms(65)));
    let first = m.sent(t0, false);
    m.resolved(first, t0 + ms(1), Answer::Admitted);
    let second = m.sent(t0 + ms(39), false);
    m.resolved(second, t0 + ms(40), Answer::Admitted);
    // The bound is a proof, the floor an estimate: the bound wins.
    assert_eq!(m.at_most, Some(ms(40)));
    assert_eq!(m.probe_gap(), None);
}

#[test]
fn probes_halve_the_bracket_until_it_is_narrow() {
    let m = knowing(10, ms(800), Some(ms(1200)));
    assert_eq!(m.probe_gap(), Some(ms(1000)));
    let m = knowing(10, ms(995), Some(ms(1000)));
    assert_eq!(m.probe_gap(), None);
    // No upper bound: a probe only so much longer than the floor.
    let m = knowing(10, ms(100), None);
    assert_eq!(m.probe_gap(), Some(ms(100).mul_f64(WIDEN)));
}

#[test]
fn forgotten_requests_still_hold_the_window() {
    let t0 = Instant::now();
    let mut m = knowing(1, ms(990), Some(ms(1000)));
    // The log keeps twice the limit and 64 more.
    for n in 0..80 {
        let id = m.sent(t0 + ms(n), false);
        m.resolved(id, t0 + ms(n), Answer::Admitted);
    }
    assert_eq!(m.log.len(), 66);
    assert_eq!(m.forgotten, Some(t0 + ms(13)));
    // Here the latest answer holds the window anyway; with it gone, the latest
    // forgotten one would still hold it until it has been a window old.
    m.log.clear();
    assert_eq!(m.gate(t0 + ms(100)), Gate::Until(t0 + ms(1013)));
}
