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

/// Write the fixture CSV as Parquet: durations and ratings as numbers, the rest as strings,
/// empty cells as nulls.
fn csv_to_parquet(csv: &Path, out: &Path) {
    use polars::prelude::*;
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let headers: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let numeric = ["wait_seconds", "handle_seconds", "satisfaction"];
    let columns: Vec<Column> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let vals = rows
                .iter()
                .map(|r| r.get(i).copied().filter(|v| !v.is_empty()));
            if numeric.contains(h) {
                Column::new(
                    (*h).into(),
                    vals.map(|v| v.map(|v| v.parse::<f64>().unwrap()))
                        .collect::<Vec<_>>(),
                )
            } else {
                Column::new((*h).into(), vals.collect::<Vec<_>>())
            }
        })
        .collect();
    let mut df = DataFrame::new(rows.len(), columns).unwrap();
    ParquetWriter::new(std::fs::File::create(out).unwrap())
        .finish(&mut df)
        .unwrap();
}

#[test]
fn parquet_and_csv_give_identical_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("contacts.parquet");
    csv_to_parquet(&fixtures().join("canonical/contacts.csv"), &pq);
    let from_csv = metrics(
        &fixtures().join("canonical/contacts.csv"),
        &dir.path().join("a"),
    );
    let from_pq = metrics(&pq, &dir.path().join("b"));
    assert_eq!(from_csv, from_pq);
}
