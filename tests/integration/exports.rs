//! Real exports read as the user sees them in Excel (issue 24): a 1904 workbook's serial
//! numbers, percentages, merged cells, error values and formulas saved without a value,
//! hidden and cover sheets, title rows. Each case writes its workbook, maps it with a
//! profile and checks the figures (or the rows listed, or the refusal) written out here.

use crate::common::{close, run_report, texts};
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;

/// A contract with one phone service level (20 s, 80 %) and the quality terms (pass score
/// 80), measurable from a single contact.
const CONTRACT: &str = r#"
[contract]
id = "EXPORTS"
name = "exports"
timezone = "Asia/Shanghai"

[[sla]]
id = "phone_20s"
clause = "1"
channel = "phone"
metric = "service_level"
threshold_seconds = 20
target = 0.80

[[sla]]
id = "qa_pass"
clause = "2"
metric = "qa_pass_rate"
target = 0.90

[data_quality]
min_population = 1
missing_days = false

[quality]
pass_score = 80
"#;

/// A contact profile over the columns 编号, 呼入时间, 应答时间, 类型, 话题.
const CALLS: &str = r#"
[profile]
name = "calls"
records = "contacts"
[columns]
contact_id = "编号"
arrived_at = "呼入时间"
answered_at = "应答时间"
kind = "类型"
topic = "话题"
channel = { value = "phone" }
"#;

/// Write `text` files into `dir` and return the contract's path.
fn setup(dir: &Path, files: &[(&str, &str)]) -> std::path::PathBuf {
    std::fs::write(dir.join("contract.toml"), CONTRACT).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.join("contract.toml")
}

/// Run a report; its metrics.json (the run must succeed).
fn report(dir: &Path, args: &[&str]) -> Value {
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let o = run_report(&dir.join("contract.toml"), args, &out);
    assert!(
        o.status.success(),
        "run failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap()
}

/// Replace `from` by `to` in one entry of a workbook (the XML a writer library cannot be
/// asked to produce: a 1904 date system, a formula without its value).
fn patch_xlsx(path: &Path, entry: &str, from: &str, to: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == entry {
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains(from), "{entry} has no `{from}`");
            data = text.replacen(from, to, 1).into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&data).unwrap();
    }
    zout.finish().unwrap();
}

/// Header 编号, 呼入时间, 应答时间, 类型, 话题 on the first row of `ws`.
fn calls_header(ws: &mut Worksheet, row: u32) {
    for (c, h) in ["编号", "呼入时间", "应答时间", "类型", "话题"]
        .iter()
        .enumerate()
    {
        ws.write_string(row, c as u16, *h).unwrap();
    }
}

/// 2026-10-08 09:00:00 as an Excel serial in the 1900 date system.
const OCT8_9AM: f64 = 46303.375;

#[test]
fn a_1904_workbook_dates_its_plain_numbers_in_its_own_system() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &[("calls.toml", CALLS)]);
    let xlsx = dir.path().join("calls.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    calls_header(ws, 0);
    // Date-times as General numbers, in the 1904 system: 1,462 days less than in 1900's.
    for (r, (arrive, wait)) in [(0.0, 10.0), (1.0 / 24.0, 30.0)].iter().enumerate() {
        let r = r as u32 + 1;
        let t = OCT8_9AM - 1462.0 + arrive;
        ws.write_string(r, 0, format!("C{r}")).unwrap();
        ws.write_number(r, 1, t).unwrap();
        ws.write_number(r, 2, t + wait / 86_400.0).unwrap();
    }
    wb.save(&xlsx).unwrap();
    patch_xlsx(
        &xlsx,
        "xl/workbook.xml",
        "<workbookPr ",
        "<workbookPr date1904=\"1\" ",
    );
    let p = dir.path();
    let m = report(
        p,
        &[
            "--mapping",
            p.join("calls.toml").to_str().unwrap(),
            "--calls",
            xlsx.to_str().unwrap(),
        ],
    );
    // Without --period the report is for the month the data is in: October 2026, not 2022.
    assert_eq!(m["period"]["start"], "2026-10-01", "{}", m["period"]);
    assert_eq!(m["overall"]["contacts"], 2);
    // Waits 10 s and 30 s.
    close(&m["overall"]["asa_seconds"], 20.0, "ASA");
    // Thursday 2026-10-08 at 09:00 and 10:00.
    assert_eq!(hours(&m), vec![(3, 9, 1), (3, 10, 1)]);
}

/// (weekday, hour, contacts) of metrics.json's hourly table.
fn hours(m: &Value) -> Vec<(u64, u64, u64)> {
    m["hourly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["weekday"].as_u64().unwrap(),
                h["hour"].as_u64().unwrap(),
                h["contacts"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Three calls of 2026-10-08 from 09:00, answered after 10 s; `kind` and `topic` written
/// by `fill` (row 1 is the first call).
fn calls_xlsx(path: &Path, fill: impl Fn(&mut Worksheet, u32)) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    calls_header(ws, 0);
    let ts = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for r in 1..=3u32 {
        let t = OCT8_9AM + (r - 1) as f64 / 24.0;
        ws.write_string(r, 0, format!("C{r}")).unwrap();
        ws.write_number_with_format(r, 1, t, &ts).unwrap();
        ws.write_number_with_format(r, 2, t + 10.0 / 86_400.0, &ts)
            .unwrap();
        fill(ws, r);
    }
    wb.save(path).unwrap();
}

fn run_calls(dir: &Path, xlsx: &Path) -> Value {
    report(
        dir,
        &[
            "--mapping",
            dir.join("calls.toml").to_str().unwrap(),
            "--calls",
            xlsx.to_str().unwrap(),
            "--period",
            "2026-10",
        ],
    )
}

#[test]
fn a_value_merged_down_several_rows_belongs_to_each_of_them() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &[("calls.toml", CALLS)]);
    let xlsx = dir.path().join("calls.xlsx");
    calls_xlsx(&xlsx, |ws, r| {
        if r == 1 {
            // 投诉 merged over the three calls' 类型 cells (D2:D4).
            ws.merge_range(1, 3, 3, 3, "投诉", &Format::new()).unwrap();
        }
        ws.write_string(r, 4, "话费").unwrap();
    });
    let m = run_calls(dir.path(), &xlsx);
    assert_eq!(m["overall"]["contacts"], 3);
    assert_eq!(
        m["overall"]["complaints"], 3,
        "each merged row is a complaint"
    );
}

#[test]
fn excel_error_values_and_formulas_without_a_value_are_listed_not_blank() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &[("calls.toml", CALLS)]);
    let xlsx = dir.path().join("calls.xlsx");
    calls_xlsx(&xlsx, |ws, r| match r {
        2 => {
            ws.write_formula(r, 4, Formula::new("=VLOOKUP(A3,Sheet2!A:B,2,0)"))
                .unwrap();
            ws.set_formula_result(r, 4, "#N/A");
        }
        3 => {
            ws.write_formula(r, 4, Formula::new("=A4&\"\"")).unwrap();
            ws.set_formula_result(r, 4, "12345");
        }
        _ => {
            ws.write_string(r, 4, "话费").unwrap();
        }
    });
    // The third call's formula as a program without a calculation engine saves it: no value.
    patch_xlsx(&xlsx, "xl/worksheets/sheet1.xml", "<v>12345</v>", "<v></v>");
    let m = run_calls(dir.path(), &xlsx);
    assert_eq!(m["rows"]["read"], 3);
    assert_eq!(m["rows"]["accepted"], 1);
    assert_eq!(m["rows"]["rejected"], 2);
    let text = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        text.contains("#N/A（Excel 错误值，不是数据）"),
        "the error value is named"
    );
    assert!(
        text.contains("公式未保存计算结果"),
        "the missing value is named"
    );
}

/// An inspection profile over 质检编号, 工单号, 总分.
const INSPECTIONS: &str = r#"
[profile]
name = "qa"
records = "inspections"
[columns]
inspection_id = "质检编号"
contact_id = "工单号"
score = "总分"
"#;

/// The three calls of `calls_xlsx` and the inspections in `qa`, each through its profile,
/// for October 2026: the report's metrics.json.
fn run_with_inspections(p: &Path, qa: &Path) -> Value {
    setup(p, &[("calls.toml", CALLS), ("qa.toml", INSPECTIONS)]);
    let calls = p.join("calls.xlsx");
    calls_xlsx(&calls, |ws, r| {
        ws.write_string(r, 4, "话费").unwrap();
    });
    report(
        p,
        &[
            "--mapping",
            p.join("calls.toml").to_str().unwrap(),
            "--calls",
            calls.to_str().unwrap(),
            "--inspection-mapping",
            p.join("qa.toml").to_str().unwrap(),
            "--inspections",
            qa.to_str().unwrap(),
            "--period",
            "2026-10",
        ],
    )
}

#[test]
fn a_score_shown_as_a_percentage_is_the_number_shown() {
    let dir = tempfile::tempdir().unwrap();
    let qa = dir.path().join("qa.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["质检编号", "工单号", "总分"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // 85 %, 92.5 % and 75 % as Excel stores them (0.85 …) with a percent format; pass
    // score 80: two pass, one fails.
    let pct = Format::new().set_num_format("0.0%");
    for (r, v) in [0.85, 0.925, 0.75].iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, format!("Q{r}")).unwrap();
        ws.write_string(r, 1, format!("C{r}")).unwrap();
        ws.write_number_with_format(r, 2, *v, &pct).unwrap();
    }
    wb.save(&qa).unwrap();
    let m = run_with_inspections(dir.path(), &qa);
    let q = &m["quality"];
    assert_eq!(q["inspections"], 3);
    assert_eq!(q["passed"], 2, "{q}");
    close(&q["score_mean"], (85.0 + 92.5 + 75.0) / 3.0, "mean score");
}

#[test]
fn percentages_an_xls_or_ods_reads_as_fractions_fail_no_inspection() {
    // tests/fixtures/cn/qa-percent.{xls,ods}: the scores of the XLSX test above as
    // percentage cells, which these formats give as fractions (0.85). Against a pass score
    // of 80 all three would fail and the QA SLA with them: the rows are rejected instead.
    for ext in ["xls", "ods"] {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let qa = crate::common::fixtures().join(format!("cn/qa-percent.{ext}"));
        let m = run_with_inspections(p, &qa);
        let rows = &m["inspection_rows"];
        assert_eq!(
            (rows["read"].as_u64(), rows["rejected"].as_u64()),
            (Some(3), Some(3)),
            "{ext}"
        );
        let qa_sla = m["scorecard"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "qa_pass")
            .unwrap();
        assert_eq!(qa_sla["status"], "not_measurable", "{ext}");
        let html = std::fs::read_to_string(p.join("out/report.html")).unwrap();
        assert!(
            html.contains("评分 0.85 被读为小数：该文件所有评分均在 0 与 1 之间，而合格分为 80"),
            "{ext}"
        );
    }
}

/// A workbook whose first sheet is `first` (hidden or a cover) and whose second holds the
/// three calls.
fn two_sheets(path: &Path, hidden: bool) {
    let mut wb = Workbook::new();
    let first = wb.add_worksheet().set_name("说明").unwrap();
    first.write_string(0, 0, "本表由系统导出").unwrap();
    first.write_string(1, 0, "统计周期：2026年10月").unwrap();
    if hidden {
        first.set_hidden(true);
    }
    let ws = wb.add_worksheet().set_name("通话明细").unwrap();
    calls_header(ws, 0);
    let ts = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(1, 0, "C1").unwrap();
    ws.write_number_with_format(1, 1, OCT8_9AM, &ts).unwrap();
    if hidden {
        ws.set_active(true);
    }
    wb.save(path).unwrap();
}

#[test]
fn a_hidden_first_sheet_is_passed_over_and_a_cover_sheet_is_named() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &[("calls.toml", CALLS)]);
    let hidden = dir.path().join("hidden.xlsx");
    two_sheets(&hidden, true);
    let m = run_calls(dir.path(), &hidden);
    assert_eq!(m["overall"]["contacts"], 1, "the visible sheet is read");

    let cover = dir.path().join("cover.xlsx");
    two_sheets(&cover, false);
    let o = run_report(
        &dir.path().join("contract.toml"),
        [
            "--mapping",
            dir.path().join("calls.toml").to_str().unwrap(),
            "--calls",
            cover.to_str().unwrap(),
        ],
        &dir.path().join("out2"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for want in [
        "5 source columns are not in",
        "`columns.contact_id` = `编号`",
        "sheet `说明`, spreadsheet row 1",
        "one cell only (`本表由系统导出`)",
        "header_row",
        "other sheets: `通话明细`",
    ] {
        assert!(err.contains(want), "`{want}` not in: {err}");
    }
}

#[test]
fn a_title_row_above_the_header_is_named_and_header_row_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let with_row = CALLS.replace("[columns]", "[source]\nheader_row = 3\n[columns]");
    setup(
        dir.path(),
        &[("calls.toml", CALLS), ("calls3.toml", with_row.as_str())],
    );
    let xlsx = dir.path().join("titled.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 4, "2026年10月呼入明细", &Format::new())
        .unwrap();
    calls_header(ws, 2);
    let ts = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(3, 0, "C1").unwrap();
    ws.write_number_with_format(3, 1, OCT8_9AM, &ts).unwrap();
    wb.save(&xlsx).unwrap();
    let o = run_report(
        &dir.path().join("contract.toml"),
        [
            "--mapping",
            dir.path().join("calls.toml").to_str().unwrap(),
            "--calls",
            xlsx.to_str().unwrap(),
        ],
        &dir.path().join("out2"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("one cell only (`2026年10月呼入明细`), a title?"),
        "{err}"
    );
    let m = report(
        dir.path(),
        &[
            "--mapping",
            dir.path().join("calls3.toml").to_str().unwrap(),
            "--calls",
            xlsx.to_str().unwrap(),
            "--period",
            "2026-10",
        ],
    );
    assert_eq!(m["overall"]["contacts"], 1);
    assert_eq!(m["rows"]["read"], 1);
}

#[test]
fn the_anonymous_bank_log_maps_with_a_profile_alone() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &[]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let m = report(
        dir.path(),
        &[
            "--mapping",
            root.join("report-templates/mappings/anonymous-bank.toml")
                .to_str()
                .unwrap(),
            "--calls",
            root.join("tests/fixtures/anonymous-bank/calls.txt")
                .to_str()
                .unwrap(),
            "--period",
            "1999-10",
        ],
    );
    let rows = &m["rows"];
    // 7 read = 5 accepted + 0 rejected + 0 duplicates + 2 filtered (PHANTOM).
    assert_eq!(rows["read"], 7, "{rows}");
    assert_eq!(rows["accepted"], 5);
    assert_eq!(
        rows["duplicates"], 0,
        "call 33116 on two lines is two calls"
    );
    assert_eq!(rows["filtered"], 2);
    assert_eq!(rows["filtered_by"]["PHANTOM (not a call)"], 2);
    let o = &m["overall"];
    assert_eq!(o["contacts"], 5);
    assert_eq!(o["answered"], 4);
    assert_eq!(o["abandoned"], 1);
    close(&o["asa_seconds"], (10.0 + 60.0 + 30.0 + 5.0) / 4.0, "ASA");
    close(
        &o["aht_seconds"],
        (244.0 + 120.0 + 180.0 + 120.0) / 4.0,
        "AHT",
    );
    let sl = &m["scorecard"][0];
    assert_eq!(sl["numerator"], 2.0, "{sl}");
    assert_eq!(sl["denominator"], 5.0);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        html.contains("筛除 2（PHANTOM (not a call) 2）"),
        "the filtered rows are said"
    );
}

#[test]
fn zones_written_in_the_data_and_the_exports_zone_place_each_call_in_its_local_hour() {
    let dir = tempfile::tempdir().unwrap();
    let zoned = r#"
[profile]
name = "zoned"
records = "contacts"
[columns]
contact_id = "id"
arrived_at = { from = "start", formats = ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %Z", "%s"] }
channel = { value = "phone" }
"#;
    let utc = zoned.replace("[columns]", "[source]\ntime_zone = \"UTC\"\n[columns]");
    let p = dir.path();
    setup(
        p,
        &[
            ("zoned.toml", zoned),
            ("utc.toml", utc.as_str()),
            // Evaluated in Asia/Shanghai (UTC+8): 2026-09-30 23:30 +0000 is 2026-10-01 07:30;
            // 16:15 UTC is 00:15; 1790787600 (Unix seconds) is 2026-09-30 17:00 UTC, 01:00.
            (
                "zoned.csv",
                "id,start\nZ1,2026-09-30 23:30:00 +0000\nZ2,2026-09-30 16:15:00 UTC\nZ3,1790787600\n",
            ),
            // No zone written: the profile says the export is in UTC; 02:00 UTC is 10:00.
            ("naive.csv", "id,start\nN1,2026-10-01 02:00:00\n"),
        ],
    );
    let m = report(
        p,
        &[
            "--mapping",
            p.join("zoned.toml").to_str().unwrap(),
            "--calls",
            p.join("zoned.csv").to_str().unwrap(),
        ],
    );
    // Without --period: all three in October (read naively, two would be in September).
    assert_eq!(m["period"]["start"], "2026-10-01");
    assert_eq!(m["rows"]["accepted"], 3);
    // Thursday 2026-10-01 at 00:15, 01:00 and 07:30.
    assert_eq!(hours(&m), vec![(3, 0, 1), (3, 1, 1), (3, 7, 1)]);
    let m = report(
        p,
        &[
            "--mapping",
            p.join("utc.toml").to_str().unwrap(),
            "--calls",
            p.join("naive.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(hours(&m), vec![(3, 10, 1)]);
}

#[test]
fn chinese_clock_spellings_full_width_digits_and_thousands() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let profile = r#"
[profile]
name = "cn clock"
records = "contacts"
[columns]
contact_id = "工单号"
arrived_at = "来电时间"
handle_seconds = "通话时长"
channel = { value = "phone" }
"#;
    setup(
        p,
        &[
            ("cn.toml", profile),
            (
                "cn.csv",
                "工单号,来电时间,通话时长\n\
                 T1,2026年10月8日 9时05分,\"1,200\"\n\
                 T2,2026年10月8日 下午3:05:00,90秒\n\
                 T3,２０２６－１０－０８　２１：３０：００,１分３０秒\n\
                 T4,2026年10月8日 上午12点10分,1:00\n",
            ),
        ],
    );
    let m = report(
        p,
        &[
            "--mapping",
            p.join("cn.toml").to_str().unwrap(),
            "--calls",
            p.join("cn.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(m["rows"]["accepted"], 4, "{}", m["rows"]);
    // 09:05, 15:05, 21:30 and 00:10 (上午12点 is just after midnight) on Thursday 2026-10-08.
    assert_eq!(
        hours(&m),
        vec![(3, 0, 1), (3, 9, 1), (3, 15, 1), (3, 21, 1)]
    );
}

/// `cseval run` on the Chinese call-centre profile and contract: exit code, stderr, and the
/// metrics when it succeeded.
fn run_cn(calls: &Path, out: &Path) -> (Option<i32>, String, Option<Value>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = run_report(
        &root.join("tests/fixtures/cn/contract.toml"),
        [
            "--mapping",
            root.join("report-templates/mappings/cn-call-center.toml")
                .to_str()
                .unwrap(),
            "--calls",
            calls.to_str().unwrap(),
            "--period",
            "2026-10",
        ],
        out,
    );
    let m = std::fs::read_to_string(out.join("metrics.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap());
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        m,
    )
}

#[test]
fn files_are_read_by_what_they_hold_and_misnamed_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let xls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cn/calls.xls");
    // An old-format .xls saved under .xlsx, and as a WPS .et: read as the .xls it is.
    for name in ["calls.xlsx", "calls.et"] {
        std::fs::copy(&xls, p.join(name)).unwrap();
        let (code, err, m) = run_cn(&p.join(name), &p.join(format!("out-{name}")));
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(m.unwrap()["overall"]["contacts"], 8, "{name}");
    }
    // A 0-byte workbook and a web page under a spreadsheet name.
    std::fs::write(p.join("empty.xlsx"), b"").unwrap();
    std::fs::write(
        p.join("page.xls"),
        b"<html><table><tr><td>1</td></tr></table></html>",
    )
    .unwrap();
    let (code, err, _) = run_cn(&p.join("empty.xlsx"), &p.join("o1"));
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("empty.xlsx: the file is empty (0 bytes)"),
        "{err}"
    );
    let (code, err, _) = run_cn(&p.join("page.xls"), &p.join("o2"));
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("not a xls workbook: the file holds an HTML or XML page"),
        "{err}"
    );
    assert!(err.contains("save it as .xlsx"), "{err}");
}

#[test]
fn header_row_counts_the_lines_an_editor_shows() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let profile = CALLS.replace("[columns]", "[source]\nheader_row = 3\n[columns]");
    setup(
        p,
        &[
            ("calls.toml", profile.as_str()),
            // Line 1 blank, line 2 a title, line 3 the header.
            (
                "calls.csv",
                "\n2026年10月呼入明细\n编号,呼入时间,应答时间,类型,话题\nC1,2026-10-08 09:00:00,2026-10-08 09:00:10,咨询,话费\n",
            ),
            (
                "plain.toml",
                CALLS,
            ),
        ],
    );
    let m = report(
        p,
        &[
            "--mapping",
            p.join("calls.toml").to_str().unwrap(),
            "--calls",
            p.join("calls.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(m["rows"]["accepted"], 1);
    let o = run_report(
        &p.join("contract.toml"),
        [
            "--mapping",
            p.join("plain.toml").to_str().unwrap(),
            "--calls",
            p.join("calls.csv").to_str().unwrap(),
        ],
        &p.join("o2"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("read from line 2"), "{err}");
    assert!(
        err.contains("one cell only (`2026年10月呼入明细`), a title?"),
        "{err}"
    );
}

#[test]
fn a_grouped_heading_above_the_sub_headings_names_each_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let profile = r#"
[profile]
name = "grouped"
records = "contacts"
[source]
header_rows = 2
[columns]
contact_id = "编号"
arrived_at = "呼入/时间"
answered_at = "应答/时间"
kind = "类型"
channel = { value = "phone" }
"#;
    setup(
        p,
        &[
            ("grouped.toml", profile),
            // Two header lines: the sub-heading 时间 repeats under 呼入 and 应答.
            (
                "grouped.csv",
                "编号,呼入,应答,类型\n,时间,时间,\n\
                 C1,2026-10-08 09:00:00,2026-10-08 09:00:30,投诉\n",
            ),
        ],
    );
    // The same table as a workbook: 编号 and 类型 merged down both header rows, 时间 under
    // both 呼入 and 应答.
    let xlsx = p.join("grouped.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 1, 0, "编号", &f).unwrap();
    ws.merge_range(0, 3, 1, 3, "类型", &f).unwrap();
    ws.write_string(0, 1, "呼入").unwrap();
    ws.write_string(0, 2, "应答").unwrap();
    ws.write_string(1, 1, "时间").unwrap();
    ws.write_string(1, 2, "时间").unwrap();
    let ts = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(2, 0, "C1").unwrap();
    ws.write_number_with_format(2, 1, OCT8_9AM, &ts).unwrap();
    ws.write_number_with_format(2, 2, OCT8_9AM + 30.0 / 86_400.0, &ts)
        .unwrap();
    ws.write_string(2, 3, "投诉").unwrap();
    wb.save(&xlsx).unwrap();
    for input in [p.join("grouped.csv"), xlsx] {
        let m = report(
            p,
            &[
                "--mapping",
                p.join("grouped.toml").to_str().unwrap(),
                "--calls",
                input.to_str().unwrap(),
                "--period",
                "2026-10",
            ],
        );
        assert_eq!(m["overall"]["contacts"], 1, "{}", input.display());
        close(&m["overall"]["asa_seconds"], 30.0, "ASA");
        assert_eq!(m["overall"]["complaints"], 1);
    }
}

#[test]
fn a_group_heading_merged_across_its_columns_names_each_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let profile = r#"
[profile]
name = "grouped"
records = "contacts"
[source]
header_rows = 2
[columns]
contact_id = "编号"
arrived_at = "通话/呼入时间"
answered_at = "通话/应答时间"
channel = { value = "phone" }
"#;
    setup(p, &[("grouped.toml", profile)]);
    let xlsx = p.join("grouped.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 1, 0, "编号", &f).unwrap();
    ws.merge_range(0, 1, 0, 2, "通话", &f).unwrap();
    ws.write_string(1, 1, "呼入时间").unwrap();
    ws.write_string(1, 2, "应答时间").unwrap();
    let ts = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(2, 0, "C1").unwrap();
    ws.write_number_with_format(2, 1, OCT8_9AM, &ts).unwrap();
    ws.write_number_with_format(2, 2, OCT8_9AM + 12.0 / 86_400.0, &ts)
        .unwrap();
    wb.save(&xlsx).unwrap();
    let m = report(
        p,
        &[
            "--mapping",
            p.join("grouped.toml").to_str().unwrap(),
            "--calls",
            xlsx.to_str().unwrap(),
            "--period",
            "2026-10",
        ],
    );
    close(&m["overall"]["asa_seconds"], 12.0, "ASA");
}

#[test]
fn a_survey_of_several_items_gives_each_items_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let survey = r#"
[profile]
name = "items"
records = "surveys"
[defaults]
missing = ["-99"]
[columns]
response_id = "编号"
contact_id = "工单号"
item_overall = "Q1"
item_speed = "Q2"
item_attitude = "Q3"
score = { mean = ["Q1", "Q2", "Q3"] }
"#;
    setup(
        p,
        &[
            ("calls.toml", CALLS),
            ("survey.toml", survey),
            (
                "calls.csv",
                "编号,呼入时间,应答时间,类型,话题\n\
                 C1,2026-10-08 09:00:00,2026-10-08 09:00:10,咨询,话费\n\
                 C2,2026-10-08 10:00:00,2026-10-08 10:00:10,咨询,话费\n\
                 C3,2026-10-08 11:00:00,2026-10-08 11:00:10,咨询,话费\n\
                 C4,2026-10-08 12:00:00,2026-10-08 12:00:10,咨询,话费\n\
                 C5,2026-10-08 13:00:00,2026-10-08 13:00:10,咨询,话费\n",
            ),
            // Three 1–7 items, -99 for no answer; R4 answers none (no score: rejected).
            (
                "survey.csv",
                "编号,工单号,Q1,Q2,Q3\nR1,C1,7,6,-99\nR2,C2,5,-99,4\nR3,C3,6,7,7\nR4,C4,-99,-99,-99\nR5,C5,3,4,5\n",
            ),
        ],
    );
    let contract = std::fs::read_to_string(p.join("contract.toml")).unwrap()
        + "\n[survey]\nscale_min = 1\nscale_max = 7\ntop_box = 2\n";
    std::fs::write(p.join("contract.toml"), contract).unwrap();
    let m = report(
        p,
        &[
            "--mapping",
            p.join("calls.toml").to_str().unwrap(),
            "--calls",
            p.join("calls.csv").to_str().unwrap(),
            "--survey-mapping",
            p.join("survey.toml").to_str().unwrap(),
            "--surveys",
            p.join("survey.csv").to_str().unwrap(),
            "--period",
            "2026-10",
        ],
    );
    assert_eq!(m["survey_rows"]["accepted"], 4, "{}", m["survey_rows"]);
    assert_eq!(m["survey_rows"]["rejected"], 1);
    // Score = mean of the answered items: 6.5, 4.5, 20/3 and 4.
    close(
        &m["overall"]["csat_mean"],
        (6.5 + 4.5 + 20.0 / 3.0 + 4.0) / 4.0,
        "CSAT",
    );
    let items = m["survey_items"].as_array().unwrap();
    let names = texts(&m["survey_items"], "item");
    assert_eq!(names, ["overall", "speed", "attitude"]);
    // Q1: 7 5 6 3. Mean 5.25, median 5.5, SD √(8.75/3), top box (6–7) 2 of 4.
    let q1 = &items[0];
    assert_eq!(
        (q1["responses"].as_u64(), q1["missing"].as_u64()),
        (Some(4), Some(0))
    );
    close(&q1["mean"], 5.25, "Q1 mean");
    close(&q1["median"], 5.5, "Q1 median");
    close(&q1["sd"], (8.75f64 / 3.0).sqrt(), "Q1 SD");
    close(&q1["top_box_rate"], 0.5, "Q1 top box");
    // Q2: 6 7 4, one missing. Mean 17/3, median 6, SD √(14/3 / 2), top box 2 of 3.
    let q2 = &items[1];
    assert_eq!(
        (q2["responses"].as_u64(), q2["missing"].as_u64()),
        (Some(3), Some(1))
    );
    close(&q2["mean"], 17.0 / 3.0, "Q2 mean");
    close(&q2["median"], 6.0, "Q2 median");
    close(&q2["sd"], (14.0f64 / 3.0 / 2.0).sqrt(), "Q2 SD");
    close(&q2["top_box_rate"], 2.0 / 3.0, "Q2 top box");
    // Q3: 4 7 5, one missing. Mean 16/3, median 5, top box 1 of 3.
    let q3 = &items[2];
    close(&q3["mean"], 16.0 / 3.0, "Q3 mean");
    close(&q3["median"], 5.0, "Q3 median");
    close(&q3["top_box_rate"], 1.0 / 3.0, "Q3 top box");
    let html = std::fs::read_to_string(p.join("out/report.html")).unwrap();
    assert!(
        html.contains("问卷分项统计"),
        "the items table is in the report"
    );
}

#[test]
fn a_missing_priority_counts_as_the_contracts_default() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let sla = r#"
[[sla]]
id = "normal_30s"
clause = "3"
priority = "normal"
metric = "response_within"
threshold_seconds = 30
target = 0.5
"#;
    setup(
        p,
        &[
            ("calls.toml", CALLS),
            // No priority column: waits 10, 20 and 60 s.
            (
                "calls.csv",
                "编号,呼入时间,应答时间,类型,话题\n\
                 C1,2026-10-08 09:00:00,2026-10-08 09:00:10,咨询,话费\n\
                 C2,2026-10-08 10:00:00,2026-10-08 10:00:20,咨询,话费\n\
                 C3,2026-10-08 11:00:00,2026-10-08 11:01:00,咨询,话费\n",
            ),
        ],
    );
    let base = std::fs::read_to_string(p.join("contract.toml")).unwrap() + sla;
    let args = [
        "--mapping",
        p.join("calls.toml").to_str().unwrap(),
        "--calls",
        p.join("calls.csv").to_str().unwrap(),
        "--period",
        "2026-10",
    ]
    .map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let line = |m: &Value| -> Value {
        m["scorecard"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == "normal_30s")
            .cloned()
            .unwrap()
    };
    // Without a default, no contact is "normal": the SLA cannot be measured.
    std::fs::write(p.join("contract.toml"), &base).unwrap();
    let m = report(p, &args);
    assert_eq!(line(&m)["status"], "not_measurable", "{}", line(&m));
    // With default_priority = "normal": 2 of 3 within 30 s.
    let with = base.replace(
        "[contract]\n",
        "[contract]\ndefault_priority = \"normal\"\n",
    );
    std::fs::write(p.join("contract.toml"), with).unwrap();
    let m = report(p, &args);
    let l = line(&m);
    assert_eq!(
        (l["numerator"].as_f64(), l["denominator"].as_f64()),
        (Some(2.0), Some(3.0)),
        "{l}"
    );
    assert_eq!(l["status"], "met");
    let html = std::fs::read_to_string(p.join("out/report.html")).unwrap();
    assert!(html.contains("默认优先级“普通”"), "the Method says so");
}

#[test]
fn the_shipped_chinese_cti_profile_reads_its_export() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), &[]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let m = report(
        dir.path(),
        &[
            "--mapping",
            root.join("report-templates/mappings/cn-cti-detail.toml")
                .to_str()
                .unwrap(),
            "--calls",
            root.join("tests/fixtures/cn/cti-detail.csv")
                .to_str()
                .unwrap(),
            "--period",
            "2026-10",
        ],
    );
    // 5 rows read: 1 outbound filtered, 4 calls; 流水号 0001 on two dates is two calls.
    let rows = &m["rows"];
    assert_eq!(
        (
            rows["read"].as_u64(),
            rows["accepted"].as_u64(),
            rows["filtered"].as_u64()
        ),
        (Some(5), Some(4), Some(1)),
        "{rows}"
    );
    let o = &m["overall"];
    assert_eq!(
        (o["answered"].as_u64(), o["abandoned"].as_u64()),
        (Some(3), Some(1))
    );
    // Waits 12, 30 (23:59:50 → 0:00:20 the next day) and 8 s (full-width ８秒).
    close(&o["asa_seconds"], 50.0 / 3.0, "ASA");
    close(&o["aht_seconds"], (90.0 + 120.0 + 60.0) / 3.0, "AHT");
    close(&o["csat_mean"], 4.0, "CSAT"); // 5, 4, 3; 未评价 is no answer
    let sl = &m["scorecard"][0];
    assert_eq!(
        (sl["numerator"].as_f64(), sl["denominator"].as_f64()),
        (Some(2.0), Some(4.0))
    );
}
