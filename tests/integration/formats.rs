//! The same canonical month read from CSV and from XLSX (typed date cells, numbers, strings)
//! gives identical figures.

use crate::run::{cseval, fixtures};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::path::Path;

/// Write the fixture CSV as a workbook: naive timestamps as Excel date-times, numbers as
/// numbers, everything else as text.
fn csv_to_xlsx(csv: &Path, xlsx: &Path) {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (r, line) in text.lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            if v.is_empty() {
                continue;
            }
            if r > 0 && v.len() == 19 && v.as_bytes()[10] == b' ' {
                if let Ok(t) = ExcelDateTime::parse_from_str(v) {
                    ws.write_datetime_with_format(r, c, &t, &date).unwrap();
                    continue;
                }
            }
            match v.parse::<f64>() {
                Ok(n) if r > 0 && !v.starts_with('1') || r > 0 && v.len() < 5 => {
                    ws.write_number(r, c, n).unwrap();
                }
                _ => {
                    ws.write_string(r, c, v).unwrap();
                }
            }
        }
    }
    wb.save(xlsx).unwrap();
}

fn metrics(calls: &Path, out: &Path) -> Value {
    let f = fixtures().join("canonical");
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(f.join("contract.toml"))
        .arg("--calls")
        .arg(calls)
        .arg("--surveys")
        .arg(f.join("surveys.csv"))
        .args(["--period", "2026-10", "--out"])
        .arg(out)
        .assert()
        .success();
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    m.as_object_mut().unwrap().remove("inputs");
    m
}

#[test]
fn xlsx_and_csv_give_identical_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("contacts.xlsx");
    csv_to_xlsx(&fixtures().join("canonical/contacts.csv"), &xlsx);
    let from_csv = metrics(
        &fixtures().join("canonical/contacts.csv"),
        &dir.path().join("a"),
    );
    let from_xlsx = metrics(&xlsx, &dir.path().join("b"));
    assert_eq!(from_csv, from_xlsx);
    assert_eq!(from_xlsx["rows"]["rejected"], 3);
}
