//! Repeat contacts on small hand-built logs, the answers worked out in the comments.

use super::*;
use chrono::{NaiveDate, TimeZone};

/// Milliseconds of a Beijing wall-clock time.
pub(crate) fn at(d: u32, m: u32, h: u32, min: u32) -> i64 {
    let t = NaiveDate::from_ymd_opt(2026, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&t)
        .unwrap()
        .timestamp_millis()
}

/// A log of (caller, arrival, answered, agent).
fn log(rows: &[(u64, i64, bool, &str)]) -> DataFrame {
    let n = rows.len();
    df!(
        "caller" => rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>(),
        "arrived_ms" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "answered_ms" => rows.iter().map(|r| r.2.then_some(r.1)).collect::<Vec<_>>(),
        "answered_flag" => vec![None::<bool>; n],
        "channel" => vec![0u32; n],
        "agent_id" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
    .unwrap()
}

fn october() -> (i64, i64) {
    (at(1, 10, 0, 0), at(1, 11, 0, 0))
}

fn run(rows: &[(u64, i64, bool, &str)]) -> Repeat {
    let cfg = RepeatCfg::default();
    let df = log(rows);
    let log = Log::of(&df).unwrap().unwrap();
    let (f, without) = flags(&log, october(), &cfg);
    measures(&df, &f, without, &cfg).unwrap()
}

#[test]
fn a_call_back_at_23_59_is_a_repeat_and_at_24_01_is_not() {
    // Caller 1: answered 10 Oct 10:00, calls again 11 Oct 09:59 (23 h 59 min): not resolved
    // at first contact. Caller 2: answered 10 Oct 10:00, again 11 Oct 10:01 (24 h 01 min):
    // resolved. The second calls themselves are followed by nothing, and the inputs run to
    // 20 Oct (caller 3), past their windows: resolved. 4 followed, 3 resolved: 75 %.
    let r = run(&[
        (1, at(10, 10, 10, 0), true, "A"),
        (1, at(11, 10, 9, 59), true, "A"),
        (2, at(10, 10, 10, 0), true, "B"),
        (2, at(11, 10, 10, 1), true, "B"),
        (3, at(20, 10, 12, 0), false, "C"),
    ]);
    assert_eq!((r.answered, r.unfollowed, r.first_resolved), (4, 0, 3));
    assert_eq!(r.repeat_fcr_rate, Some(0.75));
}

#[test]
fn a_repeat_across_the_month_end_needs_the_next_months_data() {
    // Answered 31 Oct 20:00; the same caller again 1 Nov 08:00 (12 h later).
    let oct = (7, at(31, 10, 20, 0), true, "A");
    let nov = (7, at(1, 11, 8, 0), true, "A");
    // With November in the inputs: a repeat, not resolved at first contact (0 of 1).
    let r = run(&[oct, nov]);
    assert_eq!((r.answered, r.unfollowed, r.first_resolved), (1, 0, 0));
    assert_eq!(r.repeat_fcr_rate, Some(0.0));
    // Without it the inputs end with the contact itself: its 24 h cannot be followed; it
    // is counted as unfollowed, and the rate has nothing to stand on.
    let r = run(&[oct]);
    assert_eq!((r.answered, r.unfollowed), (1, 1));
    assert_eq!(r.repeat_fcr_rate, None);
}

#[test]
fn a_repeat_within_two_hours_is_charged_to_the_first_agent() {
    // Agent A answers caller 1 at 10:00; caller 1 calls again at 11:59 (119 min, not
    // answered): a repeat within 120 min, charged to A. Agent B answers caller 2 at 10:00;
    // again at 12:01 (121 min): none. 1 of 2 answered contacts: 50 %; A 1/1, B 0/2 (B also
    // answers caller 2's second call).
    let r = run(&[
        (1, at(10, 10, 10, 0), true, "A"),
        (1, at(10, 10, 11, 59), false, "A"),
        (2, at(10, 10, 10, 0), true, "B"),
        (2, at(10, 10, 12, 1), true, "B"),
    ]);
    assert_eq!((r.answered, r.repeated_within), (3, 1));
    assert_eq!(
        r.agents
            .iter()
            .map(|a| (a.agent_id.as_str(), a.answered, a.repeated_within))
            .collect::<Vec<_>>(),
        [("A", 1, 1), ("B", 2, 0)]
    );
}

#[test]
fn four_contacts_in_seven_days_make_a_repeat_caller() {
    // Caller 1 reached an agent on 1, 3, 5 and 7 Oct (4 within 6 days): its 4 contacts are
    // from a repeat caller. Caller 2 on 1, 4, 8 and 12 Oct (the tightest 4 span 11 days):
    // not. 4 of 8: 50 %.
    let mut rows = Vec::new();
    for d in [1, 3, 5, 7] {
        rows.push((1, at(d, 10, 9, 0), true, "A"));
    }
    for d in [1, 4, 8, 12] {
        rows.push((2, at(d, 10, 9, 0), true, "A"));
    }
    let r = run(&rows);
    assert_eq!((r.answered, r.repeat_callers_contacts), (8, 4));
    assert_eq!(r.repeat_contact_rate, Some(0.5));
}
