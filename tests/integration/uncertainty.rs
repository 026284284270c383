//! Verdicts with their uncertainty (issue 27): the sample month's satisfaction (704 of 864
//! answers satisfied, 81.48 %, Wilson 95 % interval 78.75 %–83.93 %) under each verdict
//! policy, with the statuses, the tier and the money written out.

use crate::payment::{run, CONTRACT};
use serde_json::Value;

/// The sample month under the shipped contract with the satisfaction SLA's target at
/// `target`, the tiers naming that SLA (`csat`), and `uncertainty` as `[uncertainty]`.
fn month(target: &str, uncertainty: &str) -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(CONTRACT)).unwrap();
    let csat = "id = \"csat\"";
    assert!(text.contains(csat));
    let (head, tail) = text.split_at(text.find(csat).unwrap());
    let tail = tail.replacen("target = 0.80", &format!("target = {target}"), 1);
    let text = format!("{head}{tail}")
        .replace("csat_top_box_rate >= 0.85", "csat >= 0.85")
        .replace("csat_top_box_rate >= 0.75", "csat >= 0.75");
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &format!("{text}\n[uncertainty]\n{uncertainty}\n"),
    )
    .0
}

fn csat(m: &Value) -> &Value {
    m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "csat")
        .unwrap()
}

/// (status of csat, tier, bonus, deduction, net payable).
fn outcome(m: &Value) -> (String, Value, f64, f64, f64) {
    let p = &m["payment"];
    (
        csat(m)["status"].as_str().unwrap().to_string(),
        m["incentive"]["tier"].clone(),
        p["bonus"].as_f64().unwrap_or(0.0),
        p["deduction"].as_f64().unwrap(),
        p["net_payable"].as_f64().unwrap(),
    )
}

#[test]
fn the_same_month_under_each_verdict_policy() {
    // Fee 180,000; 合格 pays 5 % (9,000); each breach costs 2 % (3,600). Three other SLAs
    // are missed whatever the policy (FCR, complaint handling, urgent response): 10,800.
    //
    // Target 80 %, `point`: 81.48 % ≥ 80 %: met; tier 合格 (csat ≥ 75 %, resolution ≥ 80 %);
    // 180,000 + 9,000 − 10,800 = 178,200.
    let m = month("0.80", "verdict = \"point\"");
    assert_eq!(
        outcome(&m),
        ("met".into(), "合格".into(), 9000.0, 10800.0, 178200.0)
    );
    let i = &csat(&m)["interval"];
    assert!((i["low"].as_f64().unwrap() - 0.787540).abs() < 1e-5, "{i}");
    assert!((i["high"].as_f64().unwrap() - 0.839303).abs() < 1e-5, "{i}");
    // `strict`: met only when the whole interval reaches 80 %; 78.75 % does not:
    // inconclusive. It counts as not measurable (the default), so the tier that names it
    // is undecided: no bonus; the deduction stays 10,800: 169,200. About 2,642 answers
    // would decide it (1.959964² × 0.8148 × 0.1852 / 0.0148²).
    let m = month("0.80", "verdict = \"strict\"");
    assert_eq!(
        outcome(&m),
        ("inconclusive".into(), Value::Null, 0.0, 10800.0, 169200.0)
    );
    assert_eq!(csat(&m)["decided_at"], 2642);
    // `strict`, an inconclusive SLA counting as missed: a fourth breach (14,400) and its
    // figure used for the tier: 合格; 180,000 + 9,000 − 14,400 = 174,600.
    let m = month("0.80", "verdict = \"strict\"\ninconclusive = \"missed\"");
    assert_eq!(
        outcome(&m),
        (
            "inconclusive".into(),
            "合格".into(),
            9000.0,
            14400.0,
            174600.0
        )
    );
    // `benefit_of_doubt` at 80 %: met, as under `point`.
    let m = month("0.80", "verdict = \"benefit_of_doubt\"");
    assert_eq!(outcome(&m).0, "met");
    // Target 82 %, `point`: 81.48 % < 82 %: missed, a fourth breach; tier 合格:
    // 174,600.
    let m = month("0.82", "verdict = \"point\"");
    assert_eq!(
        outcome(&m),
        ("missed".into(), "合格".into(), 9000.0, 14400.0, 174600.0)
    );
    // `benefit_of_doubt`: missed only when the whole interval is below 82 %; 83.93 % is
    // not: inconclusive, undecided: no tier, 169,200. 21,560 answers would decide it.
    let m = month("0.82", "verdict = \"benefit_of_doubt\"");
    assert_eq!(
        outcome(&m),
        ("inconclusive".into(), Value::Null, 0.0, 10800.0, 169200.0)
    );
    assert_eq!(csat(&m)["decided_at"], 21560);
    // Census SLAs carry no interval: the phone service level counts every call.
    let phone = &m["scorecard"][0];
    assert_eq!(
        (phone["sample"].as_bool(), phone["interval"].is_null()),
        (Some(false), true)
    );
}
