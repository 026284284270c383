//! Real public exports (`tests/fixtures/real/`, provenance in its README) through the shipped
//! mapping profiles: every published figure of that folder's README is reproduced.

use crate::common::cseval;
use crate::common::{close_tol, ranked};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn real(p: &str) -> PathBuf {
    root().join("tests/fixtures/real").join(p)
}

fn run(args: &[&str], out: &Path) -> Value {
    cseval()
        .current_dir(root())
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap()
}

fn pwc(file: &str, period: &str, out: &Path) -> Value {
    let calls = real(&format!("pwc-call-center/{file}"));
    run(
        &[
            "run",
            "-q",
            "--contract",
            "tests/fixtures/real/pwc-contract.toml",
            "--mapping",
            "report-templates/mappings/pwc-call-center.toml",
            "--calls",
            calls.to_str().unwrap(),
            "--period",
            period,
        ],
        out,
    )
}

#[test]
fn pwc_call_centre_reproduces_the_published_figures_from_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for file in [
        "call-center-original.xlsx",
        "call-center-excel-resaved.xlsx",
    ] {
        let m = pwc(file, "2021-Q1", &dir.path().join(file));
        assert_eq!(m["rows"]["read"], 5000, "{file}");
        assert_eq!(m["rows"]["accepted"], 5000, "{file}");
        let o = &m["overall"];
        assert_eq!(o["contacts"], 5000);
        assert_eq!(o["answered"], 4054);
        assert_eq!(o["abandoned"], 946);
        assert_eq!(o["resolved"], 3646);
        close_tol(&o["abandon_rate"], 0.1892, 1e-12, "abandon rate");
        close_tol(
            &o["resolution_rate"],
            3646.0 / 4054.0,
            1e-12,
            "resolution over answered (89.94 %)",
        );
        close_tol(&o["asa_seconds"], 67.52, 0.005, "ASA");
        close_tol(&o["aht_seconds"], 224.92, 0.005, "average talk");
        close_tol(&o["csat_mean"], 3.4036, 0.00005, "satisfaction");
        close_tol(
            &o["csat_top_box_rate"],
            2023.0 / 4054.0,
            1e-12,
            "top-2-box (49.90 %)",
        );
        assert_eq!(o["csat_responses"], 4054);
        let sc = m["scorecard"].as_array().unwrap();
        assert_eq!(sc[0]["numerator"], 374.0, "answered within 20 s");
        close_tol(&sc[2]["actual"], 0.7292, 1e-12, "resolution over all calls");

        let agent = |name: &str| {
            m["agents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["agent_id"] == name)
                .unwrap()
                .clone()
        };
        let jim = agent("Jim");
        assert_eq!(
            (
                jim["contacts"].as_u64(),
                jim["answered"].as_u64(),
                jim["resolved"].as_u64()
            ),
            (Some(666), Some(536), Some(485))
        );
        close_tol(&agent("Becky")["asa_seconds"], 65.33, 0.005, "Becky ASA");
        close_tol(&agent("Joe")["asa_seconds"], 70.99, 0.005, "Joe ASA");
        close_tol(&agent("Joe")["csat_mean"], 3.33, 0.005, "Joe satisfaction");
        close_tol(
            &agent("Martha")["csat_mean"],
            3.47,
            0.005,
            "Martha satisfaction",
        );
        let fastest = m["agents"]
            .as_array()
            .unwrap()
            .iter()
            .min_by(|a, b| {
                a["asa_seconds"]
                    .as_f64()
                    .partial_cmp(&b["asa_seconds"].as_f64())
                    .unwrap()
            })
            .unwrap();
        assert_eq!(fastest["agent_id"], "Becky");

        let topics = ranked(&m["topics"], "topic", "contacts");
        assert_eq!(
            topics,
            vec![
                ("Streaming".into(), 1022),
                ("Technical Support".into(), 1019),
                ("Payment related".into(), 1007),
                ("Admin Support".into(), 976),
                ("Contract related".into(), 976),
            ]
        );
        // Busiest hour: 13:00–14:00 with 594 calls.
        let mut by_hour = [0u64; 24];
        for h in m["hourly"].as_array().unwrap() {
            by_hour[h["hour"].as_u64().unwrap() as usize] += h["contacts"].as_u64().unwrap();
        }
        let busiest = (0..24).max_by_key(|h| by_hour[*h]).unwrap();
        assert_eq!((busiest, by_hour[busiest]), (13, 594));
        let mut m = m;
        m.as_object_mut().unwrap().remove("inputs");
        results.push(m);
    }
    assert_eq!(
        results[0], results[1],
        "the original and the re-saved workbook must agree"
    );

    // Calls by month: Jan 1,772; Feb 1,616; Mar 1,612.
    for (month, n) in [("2021-01", 1772), ("2021-02", 1616), ("2021-03", 1612)] {
        let m = pwc("call-center-original.xlsx", month, &dir.path().join(month));
        assert_eq!(m["overall"]["contacts"], n, "{month}");
    }
}

#[test]
fn nyc311_reproduces_channels_complaint_types_and_closing_times() {
    let dir = tempfile::tempdir().unwrap();
    let calls = real("nyc311-2022/service-requests.csv");
    let m = run(
        &[
            "run",
            "-q",
            "--contract",
            "tests/fixtures/real/nyc311-contract.toml",
            "--mapping",
            "report-templates/mappings/nyc311.toml",
            "--calls",
            calls.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(m["period"]["start"], "2022-05-01");
    assert_eq!(m["rows"]["accepted"], 924);
    let ch = |c: &str| m["channels"][c]["contacts"].as_u64().unwrap();
    // ONLINE 501, MOBILE 280 (the app the profile declares), PHONE 139, UNKNOWN 4 (other).
    assert_eq!(
        (ch("web"), ch("app"), ch("phone"), ch("other")),
        (501, 280, 139, 4)
    );
    let ct: Vec<(String, u64)> = ranked(&m["complaint_types"], "complaint_type", "complaints")
        .into_iter()
        .take(6)
        .collect();
    assert_eq!(
        ct,
        vec![
            ("Noise - Residential".into(), 379),
            ("Noise - Street/Sidewalk".into(), 159),
            ("Noise - Commercial".into(), 116),
            ("Illegal Parking".into(), 97),
            ("Noise - Vehicle".into(), 67),
            ("Blocked Driveway".into(), 38),
        ]
    );
    let o = &m["overall"];
    assert_eq!(o["complaints"], 924);
    assert_eq!(o["resolved"], 480, "Status = Closed");
    close_tol(
        &o["resolution_time_p50_seconds"],
        0.5403 * 3600.0,
        0.5,
        "median hours to close",
    );
    close_tol(
        &o["resolution_time_mean_seconds"],
        0.6312 * 3600.0,
        0.5,
        "mean hours to close",
    );
}

#[test]
fn ecsi_survey_reproduces_the_cusa1_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = real("ecsi-mobi/mobi.csv");
    let m = run(
        &[
            "run",
            "-q",
            "--contract",
            "tests/fixtures/real/ecsi-contract.toml",
            "--survey-mapping",
            "report-templates/mappings/ecsi-survey.toml",
            "--surveys",
            surveys.to_str().unwrap(),
            "--period",
            "2005-01",
        ],
        dir.path(),
    );
    assert_eq!(m["survey_rows"]["accepted"], 250);
    let o = &m["overall"];
    assert_eq!(o["csat_responses"], 250);
    close_tol(&o["csat_mean"], 7.988, 1e-9, "CUSA1 mean");
    close_tol(&o["csat_top_box_rate"], 0.268, 1e-12, "top-2-box (9–10)");
    let dist: Vec<(u64, u64)> = m["satisfaction_distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["score"].as_f64().unwrap() as u64,
                d["responses"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dist,
        vec![
            (4, 1),
            (5, 8),
            (6, 15),
            (7, 50),
            (8, 109),
            (9, 29),
            (10, 38)
        ]
    );
}
