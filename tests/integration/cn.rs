//! Chinese exports through mapping profiles: a call-centre export in UTF-8 CSV, GB18030 CSV
//! and XLSX (identical figures), a ticket-system export with `YYMMDD` dates, a survey with
//! verbal answers, and the error for a misspelled profile column.

use crate::common::{close, ranked};
use crate::common::{cseval, fixtures, texts};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::path::Path;

/// The call export as an XLSX from a CTI system: real date-time cells for the timestamps,
/// `h:mm:ss` time cells for the durations, numbers for the ratings, text elsewhere.
fn calls_xlsx(out: &Path) {
    let text = std::fs::read_to_string(fixtures().join("cn/calls-utf8.csv")).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let ts = Format::new().set_num_format("yyyy/mm/dd hh:mm:ss");
    let hms = Format::new().set_num_format("h:mm:ss");
    for (r, line) in text.lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            if v.is_empty() {
                continue;
            }
            if r > 0 && (2..=4).contains(&c) {
                let t = ExcelDateTime::parse_from_str(&v.replace('/', "-")).unwrap();
                ws.write_datetime_with_format(r, c, &t, &ts).unwrap();
            } else if r > 0 && (5..=6).contains(&c) {
                let p: Vec<f64> = v.split(':').map(|x| x.parse().unwrap()).collect();
                let secs = p[0] * 3600.0 + p[1] * 60.0 + p[2];
                ws.write_number_with_format(r, c, secs / 86_400.0, &hms)
                    .unwrap();
            } else if r > 0 && c == 12 && v.parse::<f64>().is_ok() {
                ws.write_number(r, c, v.parse::<f64>().unwrap()).unwrap();
            } else {
                ws.write_string(r, c, v).unwrap();
            }
        }
    }
    wb.save(out).unwrap();
}

fn run_calls(calls: &Path, out: &Path) -> Value {
    let f = fixtures().join("cn");
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(f.join("contract.toml"))
        .args([
            "--mapping",
            "report-templates/mappings/cn-call-center.toml",
            "--calls",
        ])
        .arg(calls)
        .args(["--period", "2026-10", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success();
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    m.as_object_mut().unwrap().remove("inputs");
    m
}

#[test]
fn call_export_in_utf8_gb18030_and_xlsx_gives_identical_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("calls.xlsx");
    calls_xlsx(&xlsx);
    let utf8 = run_calls(&fixtures().join("cn/calls-utf8.csv"), &dir.path().join("a"));
    let gb = run_calls(
        &fixtures().join("cn/calls-gb18030.csv"),
        &dir.path().join("b"),
    );
    let xl = run_calls(&xlsx, &dir.path().join("c"));
    assert_eq!(utf8, gb, "GB18030 differs from UTF-8");
    assert_eq!(utf8, xl, "XLSX differs from CSV");

    // Hand computation. Answered: T001 T002 T004 T006 T007 T008 (waits 18 65 10 30 5 100 s);
    // abandoned T003 (50 s) and T005 (3 s: short, under 5 s).
    let o = &utf8["overall"];
    assert_eq!(utf8["rows"]["accepted"], 8);
    assert_eq!(o["contacts"], 8);
    assert_eq!(o["answered"], 6);
    assert_eq!(o["abandoned"], 2);
    assert_eq!(o["short_abandoned"], 1);
    close(&o["asa_seconds"], 228.0 / 6.0, "ASA");
    close(&o["aht_seconds"], 1652.0 / 6.0, "AHT"); // 252 240 180 360 120 500
                                                   // Ratings 5 2 4 3 1; 未评价 and -99 are no answer.
    assert_eq!(o["csat_responses"], 5);
    close(&o["csat_mean"], 3.0, "csat");
    close(&o["csat_top_box_rate"], 0.4, "top box");
    assert_eq!(o["complaints"], 2);
    let sl = &utf8["scorecard"][0];
    assert_eq!(
        (sl["numerator"].as_f64(), sl["denominator"].as_f64()),
        (Some(3.0), Some(7.0))
    );
    let topics = ranked(&utf8["topics"], "topic", "contacts");
    assert_eq!(
        topics,
        vec![
            ("运单查询".into(), 2),
            ("理赔".into(), 1),
            ("网点".into(), 1),
            ("运费".into(), 1)
        ]
    );
    assert!(!serde_json::to_string(&utf8)
        .unwrap()
        .contains("13800001111"));
}

#[test]
fn ticket_export_and_verbal_survey() {
    let f = fixtures().join("cn");
    let out = tempfile::tempdir().unwrap();
    cseval()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "-q", "--contract"])
        .arg(f.join("contract.toml"))
        .args([
            "--mapping",
            "report-templates/mappings/cn-tickets.toml",
            "--calls",
        ])
        .arg(f.join("tickets.csv"))
        .args([
            "--survey-mapping",
            "report-templates/mappings/cn-survey-verbal.toml",
            "--surveys",
        ])
        .arg(f.join("survey-verbal.csv"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(m["period"]["start"], "2026-10-01");
    let o = &m["overall"];
    assert_eq!(o["contacts"], 5);
    assert_eq!(o["answered"], 4); // W004 never answered
    assert_eq!(o["unanswered"], 1);
    assert_eq!(o["resolved"], 3); // 已解决 ×2, 已关闭
    close(&o["resolution_rate"], 0.75, "resolution");
    close(&o["fcr_rate"], 0.5, "fcr"); // W001, W005
    let w = &m["channels"]["web"];
    // First replies 1.5 h, 6 h, 64.5 h (Fri 17:00 → Mon 09:30), 20 min: median of four.
    close(&w["response_p50_seconds"], (5400.0 + 21600.0) / 2.0, "p50");
    let urgent = &m["scorecard"][1];
    assert_eq!(
        (urgent["numerator"].as_f64(), urgent["denominator"].as_f64()),
        (Some(0.0), Some(2.0))
    );
    let ct = texts(&m["complaint_types"], "complaint_type");
    assert_eq!(ct, ["延误", "破损"]);
    // Verbal scale: 非常满意 5, 不满意 2, 满意 4, 基本满意 3; Q5 (未作答) has no score: rejected.
    assert_eq!(m["survey_rows"]["rejected"], 1);
    assert_eq!(o["csat_responses"], 4);
    close(&o["csat_mean"], 3.5, "csat");
    close(&o["csat_top_box_rate"], 0.5, "top box");
    close(&o["nps"], 0.0, "nps"); // 9, 3, 7 (-99 is no answer)
    let all = std::fs::read_to_string(out.path().join("metrics.json")).unwrap();
    assert!(
        !all.contains("13912345678") && !all.contains("回复很快"),
        "comments never leave"
    );
}

#[test]
fn misspelled_profile_column_names_profile_key_and_closest_columns() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("typo.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates/mappings/cn-call-center.toml"),
    )
    .unwrap();
    std::fs::write(
        &prof,
        text.replace("agent_id = \"坐席工号\"", "agent_id = \"坐席工号码\""),
    )
    .unwrap();
    let a = cseval()
        .args(["run", "--contract"])
        .arg(fixtures().join("cn/contract.toml"))
        .arg("--mapping")
        .arg(&prof)
        .arg("--calls")
        .arg(fixtures().join("cn/calls-utf8.csv"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("typo.toml"), "{err}");
    assert!(err.contains("columns.agent_id"), "{err}");
    assert!(err.contains("坐席工号码"), "{err}");
    assert!(
        err.contains("`columns.agent_id` = `坐席工号码` (closest: 坐席工号"),
        "{err}"
    );
}

#[test]
fn init_writes_starter_files_that_validate_against_a_matching_export() {
    let dir = tempfile::tempdir().unwrap();
    cseval().args(["init"]).arg(dir.path()).assert().success();
    cseval().args(["init"]).arg(dir.path()).assert().code(2);
    // The starter profile reads the Chinese call export as it is.
    let a = cseval()
        .args(["validate", "--contract"])
        .arg(dir.path().join("contract.toml"))
        .arg("--mapping")
        .arg(dir.path().join("mapping.toml"))
        .arg("--calls")
        .arg(fixtures().join("cn/calls-utf8.csv"))
        .assert()
        .success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        out.contains("contacts: read 8 = accepted 8 + rejected 0 + duplicates 0"),
        "{out}"
    );
    assert!(
        out.contains("answered                 <- column `呼叫结果`, 3 mapped values"),
        "{out}"
    );
}

#[test]
fn legacy_xls_in_the_1904_date_system_and_ods_match_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = run_calls(&fixtures().join("cn/calls-utf8.csv"), &dir.path().join("a"));
    // calls.xls: BIFF8 written with the 1904 date system, date-time and h:mm:ss cells.
    let xls = run_calls(&fixtures().join("cn/calls.xls"), &dir.path().join("b"));
    assert_eq!(utf8, xls, "XLS (1904) differs from CSV");
    let ods = run_calls(&fixtures().join("cn/calls.ods"), &dir.path().join("c"));
    assert_eq!(utf8, ods, "ODS differs from CSV");
}
