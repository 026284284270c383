//! Call-backs and truly abandoned contacts on small hand-built logs, the answers worked
//! out in the comments.

use super::*;
use polars::prelude::*;

/// Milliseconds of a Beijing wall-clock time in 2026 (month first).
fn at(m: u32, d: u32, h: u32, min: u32) -> i64 {
    crate::kpi::repeat::tests::at(d, m, h, min)
}

/// One contact: caller, arrival, answered, channel code (0 phone, 1 email), wait and talk
/// seconds.
type Row = (Option<u64>, i64, bool, u32, Option<f64>, Option<f64>);

fn log(rows: &[Row]) -> DataFrame {
    df!(
        "caller" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "arrived_ms" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "answered_ms" => rows.iter().map(|r| r.2.then_some(r.1)).collect::<Vec<_>>(),
        "answered_flag" => rows.iter().map(|_| None::<bool>).collect::<Vec<_>>(),
        "channel" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "wait_s" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "handle_s" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
    )
    .unwrap()
}

fn october() -> (i64, i64) {
    (at(10, 1, 0, 0), at(11, 1, 0, 0))
}

/// Phone is real time with a 5-second short abandon; email is not real time.
fn phone_only(code: u32) -> Option<f64> {
    (code == 0).then_some(5.0)
}

fn run(inbound: &[Row], outbound: &[Row]) -> Callbacks {
    let rules = crate::kpi::callers::Rules {
        bounds: october(),
        short_abandon: &phone_only,
    };
    let cfg = crate::config::contract::RepeatCfg {
        callback_window_hours: 24.0,
        ..Default::default()
    };
    let (inb, out) = (log(inbound), log(outbound));
    let followed = crate::kpi::repeat::followed(&inb, &out, true, &rules, &cfg).unwrap();
    let f = followed.fates.unwrap();
    let mut s = summary(&f, |_| true, 24.0);
    s.without_caller = f.without_caller;
    s
}

#[test]
fn call_backs_and_truly_abandoned_contacts() {
    let inbound = [
        // Caller 1 abandons at 10:00 after 30 s; called back at 10:20 and answered: called
        // back after 20 min − 30 s = 1,170 s, reached.
        (Some(1), at(10, 10, 10, 0), false, 0, Some(30.0), None),
        // Caller 2 abandons at 11:00 after 60 s and gets through at 15:00 on their own:
        // reached, not called back. (The 15:00 contact is offered and answered.)
        (Some(2), at(10, 10, 11, 0), false, 0, Some(60.0), None),
        (Some(2), at(10, 10, 15, 0), true, 0, Some(10.0), Some(200.0)),
        // Caller 3 abandons at 12:00 after 20 s; one call-back attempt 23 h later that
        // nobody answers: called back after 23 h − 20 s = 82,780 s, never reached.
        (Some(3), at(10, 10, 12, 0), false, 0, Some(20.0), None),
        // Caller 4 hangs up after 3 s: a short abandon, in no figure.
        (Some(4), at(10, 10, 13, 0), false, 0, Some(3.0), None),
        // Caller 5 abandons at 14:00 after 40 s; the call-back comes at 14:01 the next
        // day, 24 h 20 s after the abandon: outside the window. Never reached.
        (Some(5), at(10, 10, 14, 0), false, 0, Some(40.0), None),
        // Caller 6 is answered.
        (Some(6), at(10, 10, 16, 0), true, 0, Some(5.0), Some(100.0)),
        // An unanswered e-mail is no abandon (not real time).
        (Some(7), at(10, 10, 17, 0), false, 1, None, None),
        // Caller 8 abandons on 31 Oct 22:00, the last contact in the inputs: the window
        // is not covered and nothing reached the caller: cannot be followed.
        (Some(8), at(10, 31, 22, 0), false, 0, Some(10.0), None),
        // No caller: not counted.
        (None, at(10, 10, 9, 0), false, 0, Some(30.0), None),
    ];
    let outbound = [
        (Some(1), at(10, 10, 10, 20), true, 0, None, Some(90.0)),
        (Some(3), at(10, 11, 11, 0), false, 0, None, None),
        (Some(5), at(10, 11, 14, 1), false, 0, None, Some(60.0)),
    ];
    let s = run(&inbound, &outbound);
    // Offered with a caller: 1, 2, 2, 3, 5, 6, 8 = 7; abandoned 1, 2, 3, 5, 8 = 5, of
    // which 8 cannot be followed.
    assert_eq!((s.offered, s.without_caller), (7, 1));
    assert_eq!((s.abandoned, s.unfollowed), (5, 1));
    // Called back: 1 and 3 of the 4 followed abandons: 50 %, after (1,170 + 82,780) / 2
    // = 41,975 s on average.
    assert_eq!(s.called_back, 2);
    assert_eq!(s.callback_rate, Some(0.5));
    assert_eq!(s.callback_mean_seconds, Some(41_975.0));
    // Never reached: 3 and 5, of the 6 followed offered contacts: 33.33 %.
    assert_eq!(s.truly_abandoned, 2);
    assert_eq!(s.true_abandon_rate, Some(2.0 / 6.0));
}

#[test]
fn a_call_back_across_the_month_end_needs_the_next_months_data() {
    // Abandoned on 31 Oct 23:00 after 60 s; called back on 1 Nov 00:30 (answered).
    let oct = [(Some(9), at(10, 31, 23, 0), false, 0, Some(60.0), None)];
    let nov = [(Some(9), at(11, 1, 0, 30), true, 0, None, Some(120.0))];
    // With November's outbound contacts: called back after 1 h 30 min − 60 s = 5,340 s,
    // reached: 1 of 1 called back, 0 of 1 truly abandoned.
    let s = run(&oct, &nov);
    assert_eq!((s.abandoned, s.unfollowed, s.called_back), (1, 0, 1));
    assert_eq!(s.callback_mean_seconds, Some(5_340.0));
    assert_eq!(s.true_abandon_rate, Some(0.0));
    // Without them the inputs end with the abandon itself: it cannot be followed, and no
    // rate has anything to stand on.
    let s = run(&oct, &[]);
    assert_eq!((s.abandoned, s.unfollowed), (1, 1));
    assert_eq!((s.callback_rate, s.true_abandon_rate), (None, None));
}
