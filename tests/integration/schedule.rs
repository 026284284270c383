//! The service schedule beyond the monthly SLAs: daily and weekly summaries (`--cadence`),
//! quality inspections (canonical and mapped), order handling and peaks on the sample data.

use crate::common::close;
use crate::common::{cseval, fixtures, workbook_text, SAMPLE_INPUTS};
use serde_json::Value;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn metrics(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p.join("metrics.json")).unwrap()).unwrap()
}

/// The shipped contract's flag; the inputs follow as [`SAMPLE_INPUTS`].
const CONTRACT: &[&str] = &[
    "--contract",
    "report-templates/contracts/express-courier.toml",
];

/// Sheet names of a workbook.
fn sheets(p: &Path) -> Vec<String> {
    use calamine::{open_workbook_auto, Reader};
    open_workbook_auto(p).unwrap().sheet_names().to_vec()
}

#[test]
fn a_month_run_writes_its_daily_and_weekly_summaries_in_the_same_pass() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    let printed = cseval()
        .current_dir(root())
        .args(["run", "-q"])
        .args(CONTRACT)
        .args(SAMPLE_INPUTS)
        .args([
            "--period",
            "2026-10",
            "--cadence",
            "monthly,weekly,daily",
            "--out",
        ])
        .arg(o)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // One monthly report, the five ISO weeks touching October, its 31 days.
    assert_eq!(
        String::from_utf8(printed).unwrap().lines().count(),
        1 + 5 + 31
    );
    let month = metrics(o);
    assert_eq!(month["cadence"], "monthly");
    assert!(month["incentive"]["tier"].is_string());
    let names = sheets(&o.join("report.xlsx"));
    for s in ["日报", "周报"] {
        assert!(!names.contains(&s.to_string()));
    }
    for s in ["每日", "订单处理", "高峰与应急", "质检"] {
        assert!(names.iter().any(|n| n == s), "{s} not in {names:?}");
    }
    for svg in ["orders", "quality", "daily"] {
        assert!(o.join(format!("charts/{svg}.svg")).is_file());
    }

    // Figures recomputed from the sample files themselves.
    let contacts =
        std::fs::read_to_string(root().join("sample-data/contacts/contacts-2026-10.csv")).unwrap();
    let orders = contacts
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("order"))
        .count();
    assert_eq!(month["orders"]["contacts"], orders as u64);
    let urgent = contacts
        .lines()
        .filter(|l| l.split(',').nth(5) == Some("urgent"))
        .count();
    assert_eq!(month["urgent"]["contacts"], urgent as u64);
    let qa =
        std::fs::read_to_string(root().join("sample-data/inspections/inspections-2026-10.csv"))
            .unwrap();
    let rows: Vec<Vec<&str>> = qa.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let passed = rows
        .iter()
        .filter(|r| r[6].parse::<f64>().unwrap() >= 80.0)
        .count();
    let q = &month["quality"];
    assert_eq!(q["inspections"], rows.len() as u64);
    assert_eq!(q["passed"], passed as u64);
    close(
        &q["pass_rate"],
        passed as f64 / rows.len() as f64,
        "qa pass rate",
    );
    let mystery = rows.iter().filter(|r| r[5] == "mystery_shopper").count();
    assert_eq!(q["sources"][0]["source"], "mystery_shopper");
    assert_eq!(q["sources"][0]["inspections"], mystery as u64);
    let qa_line = month["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "qa_pass")
        .unwrap();
    assert_eq!(qa_line["numerator"], passed as f64);
    assert_eq!(qa_line["denominator"], rows.len() as f64);

    // Daily summaries: compact, no incentive, and their contacts add up to the month's.
    let mut day_sum = 0;
    let mut day_urgent = 0;
    let mut by_day = std::collections::BTreeMap::new();
    for d in 1..=31 {
        let dir = o.join(format!("daily/2026-10-{d:02}"));
        let m = metrics(&dir);
        assert_eq!(m["cadence"], "daily");
        assert!(m["incentive"].is_null());
        assert!(!dir.join("report.html").exists());
        assert_eq!(sheets(&dir.join("report.xlsx")), ["日报"]);
        let n = m["overall"]["contacts"].as_u64().unwrap();
        day_sum += n;
        day_urgent += m["urgent"]["contacts"].as_u64().unwrap();
        by_day.insert(format!("2026-10-{d:02}"), n);
    }
    assert_eq!(day_sum, month["overall"]["contacts"].as_u64().unwrap());
    assert_eq!(day_urgent, urgent as u64);
    // The daily table of the monthly report agrees with the daily summaries.
    for d in month["daily"].as_array().unwrap() {
        assert_eq!(
            d["contacts"].as_u64(),
            by_day.get(d["date"].as_str().unwrap()).copied()
        );
    }
    // Week 42 (Mon 12 – Sun 18 October) is the sum of its days.
    let w = metrics(&o.join("weekly/2026-W42"));
    assert_eq!(w["cadence"], "weekly");
    assert_eq!(w["period"]["start"], "2026-10-12");
    assert_eq!(w["period"]["end"], "2026-10-19");
    let week: u64 = (12..=18).map(|d| by_day[&format!("2026-10-{d:02}")]).sum();
    assert_eq!(w["overall"]["contacts"], week);
    let text = workbook_text(&o.join("weekly/2026-W42/report.xlsx"));
    assert!(text.starts_with("周报\n"), "{}", &text[..40]);
    assert!(text.contains("每日明细") && text.contains("2026-10-18"));
    assert!(
        text.contains("仅供参考"),
        "the SLA lines are marked as indications"
    );
}

#[test]
fn summaries_are_never_history_of_the_monthly_evaluation() {
    let hist = tempfile::tempdir().unwrap();
    cseval()
        .current_dir(root())
        .args(["run", "-q"])
        .args(CONTRACT)
        .args(SAMPLE_INPUTS)
        .args(["--period", "2026-09", "--cadence", "daily,monthly", "--out"])
        .arg(hist.path().join("2026-09"))
        .assert()
        .success();
    let sept = metrics(&hist.path().join("2026-09"));
    let out = tempfile::tempdir().unwrap();
    cseval()
        .current_dir(root())
        .args(["run", "-q"])
        .args(CONTRACT)
        .args(SAMPLE_INPUTS)
        .args(["--period", "2026-10", "--history"])
        .arg(hist.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let m = metrics(out.path());
    assert_eq!(
        m["previous_overall"]["contacts"],
        sept["overall"]["contacts"]
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["history"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["cadence"], "monthly");
}

#[test]
fn a_daily_run_without_period_summarises_the_latest_day_and_verifies() {
    let out = tempfile::tempdir().unwrap();
    cseval()
        .current_dir(root())
        .args(["run", "-q"])
        .args(CONTRACT)
        .args(SAMPLE_INPUTS)
        .args(["--cadence", "daily", "--lang", "en", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let m = metrics(out.path());
    assert_eq!(m["period"]["start"], "2026-10-31");
    assert_eq!(m["period"]["end"], "2026-11-01");
    assert_eq!(sheets(&out.path().join("report.xlsx")), ["Daily summary"]);
    cseval()
        .current_dir(root())
        .arg("verify")
        .arg(out.path())
        .assert()
        .success();
}

#[test]
fn mapped_chinese_inspections_are_scored_and_bad_rows_listed() {
    let f = fixtures().join("cn");
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut c = cseval();
        c.current_dir(root())
            .args(extra)
            .arg("--contract")
            .arg(f.join("contract.toml"))
            .args([
                "--mapping",
                "report-templates/mappings/cn-tickets.toml",
                "--calls",
            ])
            .arg(f.join("tickets.csv"))
            .args([
                "--inspection-mapping",
                "report-templates/mappings/cn-quality-inspection.toml",
                "--inspections",
            ])
            .arg(f.join("inspections.csv"));
        c
    };
    // ZJ005's source 电话回访 is not a known source: rejected, so validate exits 3.
    let v = run(&["validate"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v = String::from_utf8(v).unwrap();
    assert!(
        v.contains("inspections: read 5 = accepted 4 + rejected 1 + duplicates 0"),
        "{v}"
    );
    assert!(v.contains("row 6 column source"), "{v}");
    run(&["run", "-q"])
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let m = metrics(out.path());
    let q = &m["quality"];
    // ZJ001 合格; ZJ002 不合格; ZJ003 no verdict, 85 ≥ 80; ZJ004 no verdict nor score, a
    // failed criterion (合规用语): 2 of 4.
    assert_eq!(q["inspections"], 4);
    assert_eq!(q["passed"], 2);
    let crit: Vec<(String, u64, u64)> = q["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["criterion"].as_str().unwrap().to_string(),
                c["checked"].as_u64().unwrap(),
                c["failed"].as_u64().unwrap(),
            )
        })
        .collect();
    // 未检 and - are missing-value codes: not checked.
    assert_eq!(
        crit,
        [
            ("accuracy".to_string(), 4, 1),
            ("attitude".to_string(), 3, 1),
            ("compliance".to_string(), 3, 1),
            ("greeting".to_string(), 4, 0)
        ]
    );
    let agents: Vec<(&str, u64, u64)> = q["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent_id"].as_str().unwrap(),
                a["inspections"].as_u64().unwrap(),
                a["criteria_failed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(agents, [("A07", 2, 2), ("A08", 1, 1)]);
    assert_eq!(m["inspection_rows"]["rejected"], 1);
    // The comment's phone number never reaches an output; the rejection is listed.
    let text = workbook_text(&out.path().join("report.xlsx"));
    assert!(
        text.contains("无法识别的质检来源“电话回访”（应为 recording，mystery_shopper）"),
        "the rejected row is listed"
    );
    for f in ["metrics.json", "report.html"] {
        let s = std::fs::read_to_string(out.path().join(f)).unwrap();
        assert!(!s.contains("13812345678"), "{f}");
    }
    assert!(!text.contains("13812345678"));
}
