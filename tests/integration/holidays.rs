//! A canonical month of e-mails around the 2026 National Day holidays and make-up workdays,
//! on the shipped cn-2026 calendar (Mon–Fri 09:00–12:00, 13:00–18:00; Oct 1–7 off; Sat Oct 10
//! worked). Every figure of `metrics.json` against the hand computation in the comments.
//!
//! Working time to first reply (threshold 4 h = 14,400 s) and to resolution (1 working day
//! = 8 h; 5 working days = 40 h):
//! - E1 Thu 10-01 10:00 (holiday) → reply Thu 10-08 10:30: 1.5 h ✓; resolved 15:00: 3 + 2 = 5 h ✓
//! - E2 Wed 10-07 20:00 (holiday) → reply Thu 10-08 14:30: 3 + 1.5 = 4.5 h ✗; resolved Fri
//!   10-09 10:00: 8 + 1 = 9 h ✗
//! - E3 Fri 10-09 17:00 → reply Sat 10-10 10:00 (make-up day): 1 + 1 = 2 h ✓; resolved Mon
//!   10-12 11:00: 1 + 8 + 2 = 11 h ✗
//! - E4 Sat 10-10 11:30 (make-up day) → reply 13:30: 0.5 + 0.5 = 1 h ✓; resolved 17:00:
//!   0.5 + 4 = 4.5 h ✓
//! - E5 Sun 10-11 09:00 → reply Mon 10-12 12:30: 3 h (12:00–12:30 is lunch) ✓; complex,
//!   resolved Fri 10-16 17:00: 8 × 4 + 7 = 39 h ✓ (≤ 40 h)
//! - E6 Fri 10-30 17:30 → reply Mon 11-02 09:45: 0.5 + 0.75 = 1.25 h ✓; never resolved ✗
//! - E7 Tue 10-20 11:00 → reply 16:00: 1 + 3 = 4 h, exactly the threshold ✓; resolved Wed
//!   10-21 11:00: 6 + 2 = 8 h, exactly one working day ✓ (complexity empty = standard)
//! - E8 Thu 10-22 12:15 (lunch) → reply 16:30: 3.5 h ✓; complex, resolved Fri 10-30 12:15:
//!   5 + 8 + 32 + 3 = 48 h ✗
//! - E9 Mon 10-05 09:00 (holiday), never answered ✗ (standard, unresolved ✗)
//! - E10 arrived Wed 09-30: previous period.

use crate::common::{close, ranked};
use crate::common::{cseval, fixtures};
use serde_json::Value;

#[test]
fn emails_around_national_day_match_hand_computation() {
    let f = fixtures().join("holidays");
    let out = tempfile::tempdir().unwrap();
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(f.join("contract.toml"))
        .arg("--calls")
        .arg(f.join("contacts.csv"))
        .args(["--period", "2026-10", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("metrics.json")).unwrap())
            .unwrap();

    assert_eq!(m["rows"]["read"], 10);
    assert_eq!(m["rows"]["accepted"], 10);
    assert_eq!(m["rows"]["out_of_period"], 1);
    assert_eq!(m["calendar"]["name"], "中国大陆 2026");

    let o = &m["overall"];
    assert_eq!(o["contacts"], 9);
    assert_eq!(o["answered"], 8);
    assert_eq!(o["unanswered"], 1);
    assert_eq!(o["abandoned"], 0);
    assert_eq!(o["resolved"], 7);
    close(&o["resolution_rate"], 7.0 / 8.0, "resolution_rate");
    assert!(o["fcr_rate"].is_null(), "no first_contact_resolved column");
    assert!(o["asa_seconds"].is_null(), "no real-time channel");
    assert_eq!(o["csat_responses"], 3);
    close(&o["csat_mean"], 11.0 / 3.0, "csat_mean");
    close(&o["csat_top_box_rate"], 2.0 / 3.0, "top box");
    close(&o["csat_response_rate"], 3.0 / 8.0, "response rate");
    assert!(o["nps"].is_null());
    assert_eq!(o["complaints"], 0);

    // Wall-clock replies, sorted: 7200 15300 18000 61200 66600 99000 231300 606600.
    let e = &m["channels"]["email"];
    close(&e["asa_seconds"], 1_105_200.0 / 8.0, "email mean response");
    close(&e["response_p50_seconds"], 63_900.0, "p50"); // 61200 + 0.5 × 5400
    close(&e["response_p90_seconds"], 343_890.0, "p90"); // 231300 + 0.3 × 375300

    let sc = m["scorecard"].as_array().unwrap();
    let line = |id: &str| sc.iter().find(|l| l["id"] == id).unwrap().clone();
    let l = line("email_reply");
    assert_eq!(
        (l["numerator"].as_f64(), l["denominator"].as_f64()),
        (Some(7.0), Some(9.0))
    );
    assert_eq!(l["status"], "missed");
    assert_eq!(l["threshold"], "4工作小时");
    let l = line("standard_1wd");
    assert_eq!(
        (l["numerator"].as_f64(), l["denominator"].as_f64()),
        (Some(3.0), Some(7.0))
    );
    let l = line("complex_5wd");
    assert_eq!(
        (l["numerator"].as_f64(), l["denominator"].as_f64()),
        (Some(1.0), Some(2.0))
    );
    assert_eq!(l["status"], "met");
    let l = line("resolution");
    assert_eq!(
        (l["numerator"].as_f64(), l["denominator"].as_f64()),
        (Some(7.0), Some(8.0))
    );

    let topics = ranked(&m["topics"], "topic", "contacts");
    assert_eq!(
        topics,
        vec![
            ("运单查询".into(), 4),
            ("发票开具".into(), 3),
            ("理赔咨询".into(), 2)
        ]
    );

    let agents = m["agents"].as_array().unwrap();
    assert_eq!(agents[0]["agent_id"], "B1");
    assert_eq!(agents[0]["contacts"], 4);
    close(&agents[0]["resolution_rate"], 1.0, "B1");
    close(&agents[0]["csat_mean"], 11.0 / 3.0, "B1 csat");
    assert_eq!(agents[1]["agent_id"], "B2");
    close(&agents[1]["resolution_rate"], 0.75, "B2");
    assert!(agents[1]["csat_mean"].is_null());
}
