//! Contract engine over time: seed templates, multi-month runs, previous-period values,
//! consecutive failures and the termination right.

use crate::common::{cseval, fixtures};
use serde_json::{json, Value};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn metrics(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p.join("metrics.json")).unwrap()).unwrap()
}

#[test]
fn every_shipped_seed_template_runs_on_sample_data() {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("report-templates/contracts")).unwrap() {
        let path = entry.unwrap().path();
        let out = tempfile::tempdir().unwrap();
        crate::common::run_sample(&path, &[], out.path());
        let m = metrics(out.path());
        assert!(
            m["scorecard"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["status"] != "not_measurable"),
            "{path:?}"
        );
        // A tier from the tiers, or a score from the scoring sheet.
        let scored = m["scoring"]["score"].is_number();
        assert!(m["incentive"]["tier"].is_string() || scored, "{path:?}");
        n += 1;
    }
    assert_eq!(n, 6, "seed templates 000–003 and the two scoring sheets");
}

#[test]
fn three_month_run_carries_previous_values_and_counts_failures() {
    let out = tempfile::tempdir().unwrap();
    crate::common::run_sample_quarter(out.path());
    let months: Vec<Value> = ["2026-08", "2026-09", "2026-10"]
        .iter()
        .map(|m| metrics(&out.path().join(m)))
        .collect();
    // Consecutive failures, recomputed here from each month's own tier.
    let mut run = 0;
    for m in &months {
        let failing = m["incentive"]["failure"].as_bool().unwrap();
        assert_eq!(failing, m["incentive"]["tier"] == "不合格");
        run = if failing { run + 1 } else { 0 };
        assert_eq!(
            m["incentive"]["consecutive_failures"].as_u64().unwrap(),
            run
        );
        assert_eq!(
            m["incentive"]["termination_right"].as_bool().unwrap(),
            run >= 3
        );
    }
    assert_eq!(
        run, 3,
        "the sample provider misses its complaint deadlines every month"
    );
    let (sep, oct) = (&months[1], &months[2]);
    // Previous-period values in October are September's figures.
    for (line, prev) in oct["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .zip(sep["scorecard"].as_array().unwrap())
    {
        assert_eq!(line["id"], prev["id"]);
        assert_eq!(line["previous_actual"], prev["actual"]);
    }
    assert_eq!(
        oct["previous_overall"]["contacts"],
        sep["overall"]["contacts"]
    );
    assert_eq!(oct["previous_channels"], sep["channels"]);
    for t in oct["topics"].as_array().unwrap() {
        let before = sep["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["topic"] == t["topic"]);
        assert_eq!(
            t["previous_contacts"],
            before.map_or(json!(0), |b| b["contacts"].clone())
        );
    }
    assert_eq!(oct["trend"].as_array().unwrap().len(), 3);
    assert_eq!(
        oct["incentive"]["history_periods"],
        json!(["2026-08-01", "2026-09-01"])
    );
    assert!(oct["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "termination_right"));
    // The termination right leads the banner; the page holds the trend, the satisfaction
    // figures (NPS, response rate) and the weekday × hour heatmap as the workbook does.
    let html = std::fs::read_to_string(out.path().join("2026-10/report.html")).unwrap();
    for part in [
        "<h2>趋势</h2>",
        "<td>2026年8月</td>",
        "净推荐值",
        "满意度参评率",
        "<h2>时段分布</h2>",
    ] {
        assert!(html.contains(part), "{part}");
    }
    assert!(
        html.contains("<div class=\"verdict missed\">已连续 3 期不合格，达到合同约定的解除条件"),
        "banner"
    );

    // The workbook's Summary and Scorecard carry the incentive outcome with its clauses and
    // the previous period beside the headline figures.
    let book = crate::common::workbook_text(&out.path().join("2026-10/report.xlsx"));
    let summary = book.split("考核结果\n").next().unwrap();
    assert!(
        summary.contains("连续不合格期数\t3 / 3\t合同第 四 条\t"),
        "{summary}"
    );
    assert!(summary.contains("解除合同权\t是\t合同第 四 条\t"));
    assert!(summary.contains("违约扣款\t"));
    let sep_contacts = sep["overall"]["contacts"].as_u64().unwrap();
    let oct_contacts = oct["overall"]["contacts"].as_u64().unwrap();
    assert!(
        summary.contains(&format!("联系量\t{oct_contacts}\t{sep_contacts}\t")),
        "{summary}"
    );
    let scorecard = book
        .split("考核结果\n")
        .nth(1)
        .unwrap()
        .split("渠道\n")
        .next()
        .unwrap();
    assert!(
        scorecard.contains("绩效档次\t不合格\t合同第 四 条\t"),
        "{scorecard}"
    );
}

fn history_file(dir: &Path, month: &str, end: &str, failure: bool) {
    let d = dir.join(month);
    std::fs::create_dir_all(&d).unwrap();
    let m = json!({
        "contract_id": "TEST-001",
        "period": {"start": format!("{month}-01"), "end": end, "timezone": "Asia/Shanghai"},
        "scorecard": [],
        "incentive": {"tier": if failure {"不合格"} else {"合格"}, "failure": failure, "bonus_rate": 0.0,
                      "penalty_rate": 0.0, "consecutive_failures": 0, "termination_right": false}
    });
    std::fs::write(d.join("metrics.json"), m.to_string()).unwrap();
}

fn run_failing_october(history: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("c.toml");
    let text = std::fs::read_to_string(fixtures().join("canonical/contract.toml")).unwrap();
    // Make the October tier fail: no tier but the last can hold.
    std::fs::write(
        &contract,
        text.replace("resolution >= 0.85", "resolution >= 0.99"),
    )
    .unwrap();
    let out = dir.path().join("out");
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(&contract)
        .arg("--calls")
        .arg(fixtures().join("canonical/contacts.csv"))
        .args(["--period", "2026-10", "--history"])
        .arg(history)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    metrics(&out)
}

#[test]
fn constructed_history_reaches_the_termination_count() {
    let h = tempfile::tempdir().unwrap();
    history_file(h.path(), "2026-07", "2026-08-01", false);
    history_file(h.path(), "2026-08", "2026-09-01", true);
    history_file(h.path(), "2026-09", "2026-10-01", true);
    let m = run_failing_october(h.path());
    assert_eq!(m["incentive"]["tier"], "不合格");
    assert_eq!(m["incentive"]["consecutive_failures"], 3);
    assert_eq!(m["incentive"]["termination_threshold"], 3);
    assert_eq!(m["incentive"]["termination_right"], true);
}

#[test]
fn a_passing_or_missing_month_breaks_the_run() {
    let h = tempfile::tempdir().unwrap();
    history_file(h.path(), "2026-08", "2026-09-01", true);
    history_file(h.path(), "2026-09", "2026-10-01", false);
    let m = run_failing_october(h.path());
    assert_eq!(m["incentive"]["consecutive_failures"], 1);
    assert_eq!(m["incentive"]["termination_right"], false);

    let h = tempfile::tempdir().unwrap();
    history_file(h.path(), "2026-07", "2026-08-01", true);
    history_file(h.path(), "2026-08", "2026-09-01", true);
    // September missing: the run of failures is not consecutive.
    let m = run_failing_october(h.path());
    assert_eq!(m["incentive"]["consecutive_failures"], 1);
}

#[test]
fn a_missing_history_folder_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let a = cseval()
        .args(["run", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--calls")
        .arg(fixtures().join("canonical/contacts.csv"))
        .args(["--history", "/nonexistent/history", "--out"])
        .arg(out.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        err.contains("/nonexistent/history") && err.contains("hint"),
        "{err}"
    );
}
