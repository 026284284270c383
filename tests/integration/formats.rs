//! The same canonical month read from CSV and from XLSX (typed date cells, numbers, strings)
//! gives identical figures.

use crate::common::{cseval, fixtures, run_report};
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

/// `cseval convert` writes one Parquet file per month of the accepted records; a run on
/// those files gives the figures of a run on the exports (only the row accounting of the
/// rejected and duplicate rows, which stay behind, differs).
#[test]
fn converted_parquet_partitions_give_identical_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures().join("canonical");
    let pq = dir.path().join("pq");
    let out = cseval()
        .args(["convert", "-q", "--contract"])
        .arg(f.join("contract.toml"))
        .arg("--calls")
        .arg(f.join("contacts.csv"))
        .arg("--surveys")
        .arg(f.join("surveys.csv"))
        .arg("--out")
        .arg(&pq)
        .assert()
        .success();
    let listing = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    // The fixture holds September, October and November contacts (two out of period).
    assert!(listing.contains("contacts-2026-10.parquet: "), "{listing}");
    let parts: Vec<_> = std::fs::read_dir(pq.join("contacts")).unwrap().collect();
    assert!(parts.len() >= 2, "{listing}");
    let mut from_csv = metrics(&f.join("contacts.csv"), &dir.path().join("a"));
    let mut from_pq = {
        cseval()
            .args(["run", "-q", "--contract"])
            .arg(f.join("contract.toml"))
            .arg("--calls")
            .arg(pq.join("contacts"))
            .arg("--surveys")
            .arg(pq.join("surveys"))
            .args(["--period", "2026-10", "--out"])
            .arg(dir.path().join("b"))
            .assert()
            .success();
        let mut m: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("b/metrics.json")).unwrap(),
        )
        .unwrap();
        m.as_object_mut().unwrap().remove("inputs");
        m
    };
    assert_eq!(from_csv["rows"]["accepted"], from_pq["rows"]["accepted"]);
    assert_eq!(
        from_csv["rows"]["out_of_period"],
        from_pq["rows"]["out_of_period"]
    );
    assert_eq!(from_pq["rows"]["rejected"], 0);
    assert!(from_csv["rows"]["rejected"].as_u64().unwrap() > 0);
    for m in [&mut from_csv, &mut from_pq] {
        let o = m.as_object_mut().unwrap();
        o.remove("rows");
        o.remove("survey_rows");
        o.remove("survey_inputs");
    }
    // The CSV's rejected rows make its verdict provisional; the Parquet has none.
    assert_eq!(
        from_csv["data_quality"]["rejected_shares"][0]["input"],
        "contacts"
    );
    assert_eq!(
        from_pq["data_quality"]["rejected_shares"],
        serde_json::json!([])
    );
    without_rejected_shares(&mut from_csv);
    without_rejected_shares(&mut from_pq);
    assert_eq!(from_csv, from_pq);

    // A converted file altered afterwards (a reply before its arrival) is refused whole.
    use polars::prelude::*;
    let part = pq.join("contacts/contacts-2026-10.parquet");
    let mut df = ParquetReader::new(std::fs::File::open(&part).unwrap())
        .finish()
        .unwrap();
    let arrived = df.column("arrived_ms").unwrap().i64().unwrap().clone();
    let early: Vec<Option<i64>> = arrived.iter().map(|a| a.map(|a| a - 60_000)).collect();
    df.with_column(Column::new("answered_ms".into(), early))
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&part).unwrap())
        .finish(&mut df)
        .unwrap();
    let refused = cseval()
        .args(["run", "-q", "--contract"])
        .arg(f.join("contract.toml"))
        .arg("--calls")
        .arg(pq.join("contacts"))
        .args(["--period", "2026-10", "--out"])
        .arg(dir.path().join("c"))
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(err.contains("contacts-2026-10.parquet"), "{err}");
    assert!(err.contains("changed after `cseval convert`"), "{err}");
}

/// Converted partitions are read period by period (the contacts of each month and those its
/// responses and inspections link to): every monthly report and weekly summary of a range
/// has the figures of the same range computed from the exports loaded whole, including the
/// previous-month comparisons, the responses to last month's contacts and the duplicates
/// found across files (here a second copy of every partition: all its rows are duplicates).
#[test]
fn partitions_read_month_by_month_give_the_figures_of_a_whole_load() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = root.join("sample-data");
    let contract = root.join("report-templates/contracts/express-courier.toml");
    let pq = dir.path().join("pq");
    cseval()
        .args(["convert", "-q", "--contract"])
        .arg(&contract)
        .arg("--calls")
        .arg(sample.join("contacts"))
        .arg("--surveys")
        .arg(sample.join("surveys"))
        .arg("--out")
        .arg(&pq)
        .assert()
        .success();
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    for e in std::fs::read_dir(pq.join("contacts")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let run = |calls: &[&Path], surveys: &Path, out: &Path| {
        let mut c = cseval();
        c.args(["run", "-q", "--contract"]).arg(&contract);
        for p in calls {
            c.arg("--calls").arg(p);
        }
        c.arg("--surveys")
            .arg(surveys)
            .arg("--inspections")
            .arg(sample.join("inspections"))
            .args(["--from", "2026-08-01", "--to", "2026-11-01"])
            .args(["--cadence", "monthly", "--cadence", "weekly", "--out"])
            .arg(out)
            .assert()
            .success();
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&[&sample.join("contacts")], &sample.join("surveys"), &a);
    run(&[&pq.join("contacts"), &copy], &pq.join("surveys"), &b);
    let mut reports: Vec<String> = ["2026-08", "2026-09", "2026-10"]
        .iter()
        .map(|m| m.to_string())
        .collect();
    for e in std::fs::read_dir(a.join("weekly")).unwrap() {
        reports.push(format!(
            "weekly/{}",
            e.unwrap().file_name().to_string_lossy()
        ));
    }
    assert!(reports.len() >= 16, "{reports:?}");
    for r in &reports {
        let read = |d: &Path| -> Value {
            let mut m: Value = serde_json::from_str(
                &std::fs::read_to_string(d.join(r).join("metrics.json")).unwrap(),
            )
            .unwrap();
            let o = m.as_object_mut().unwrap();
            for k in ["inputs", "survey_inputs"] {
                o.remove(k);
            }
            m
        };
        let (mut x, mut y) = (read(&a), read(&b));
        // 9,000 inbound contacts and 283 call-backs.
        assert_eq!(x["rows"]["read"], 9283, "{r}");
        assert_eq!(y["rows"]["read"], 18566, "{r}");
        assert_eq!(y["rows"]["duplicates"], 9283, "{r}");
        assert!(x["rows"]["out_of_period"].as_u64().unwrap() >= 6000, "{r}");
        // A second copy of every partition: half the rows read are duplicates, past the
        // contract's 2 %: provisional.
        assert_eq!(y["data_quality"]["provisional"], true, "{r}");
        for m in [&mut x, &mut y] {
            let rows = m["rows"].as_object_mut().unwrap();
            rows.remove("read");
            rows.remove("duplicates");
            without_rejected_shares(m);
            without_callers(m);
        }
        assert_eq!(x, y, "{r}");
    }
    // The comparison covers responses linked across months: some August contacts were
    // answered in September, and count in September with their channel.
    let aug = std::fs::read_to_string(sample.join("surveys/surveys-2026-08.csv")).unwrap();
    assert!(aug
        .lines()
        .any(|l| l.contains(",C2608") && l.contains(",2026-09-")));
}

/// The readers' shipped sizes, which unit tests shrink to cross their boundaries often
/// (16 MiB CSV pieces, 2,048-row check ranges, 65,536-row frame parts), on an export big
/// enough to cross each: a 120,000-contact month (about 24 MB) read by the block reader,
/// and with one quoted cell in its first row (which sends the whole file to the record
/// reader), gives the same figures.
#[test]
fn the_shipped_reader_sizes_give_the_same_figures_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    cseval()
        .args(["sample", "--months", "1", "--start", "2026-10"])
        .args(["--contacts-per-month", "120000", "--out"])
        .arg(&data)
        .assert()
        .success();
    let plain = data.join("contacts/contacts-2026-10.csv");
    let text = std::fs::read_to_string(&plain).unwrap();
    assert!(
        text.len() > 16 << 20,
        "{} bytes: one piece only",
        text.len()
    );
    let first = text.lines().nth(1).unwrap();
    let id = first.split(',').next().unwrap();
    let quoted = dir.path().join("quoted.csv");
    std::fs::write(
        &quoted,
        text.replacen(first, &first.replacen(id, &format!("\"{id}\""), 1), 1),
    )
    .unwrap();
    let figures = |calls: &Path, out: &str| -> Value {
        let out = dir.path().join(out);
        cseval()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "run",
                "-q",
                "--contract",
                "report-templates/contracts/express-courier.toml",
            ])
            .arg("--calls")
            .arg(calls)
            .args(["--period", "2026-10", "--out"])
            .arg(&out)
            .assert()
            .success();
        let mut m: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap())
                .unwrap();
        // The two files differ by one quote: their paths and hashes.
        m.as_object_mut().unwrap().remove("inputs");
        m
    };
    let block = figures(&plain, "block");
    assert_eq!(block["overall"]["contacts"], 120000);
    // The rest of the rows accepted are call-backs (outbound).
    let rows = &block["rows"];
    assert!(rows["outbound"].as_u64().unwrap() > 1000, "{rows}");
    assert_eq!(
        rows["accepted"].as_u64(),
        Some(120000 + rows["outbound"].as_u64().unwrap() + rows["out_of_period"].as_u64().unwrap())
    );
    assert_eq!(block, figures(&quoted, "record"));
}

/// `m` without the data-quality gate's rejected-share part: its `data_quality` and the
/// findings it raises (what two reads of the same records differ by when one of them has
/// rows not accepted).
/// `m` without the figures that follow callers: converted files hold no caller (it is never
/// written), so from them those figures are null (docs/metrics.md, Repeat contacts).
fn without_callers(m: &mut Value) {
    m.as_object_mut().unwrap().remove("repeat");
    for key in ["overall", "previous_overall"] {
        if let Some(o) = m[key].as_object_mut() {
            o.retain(|k, _| {
                !["repeat_", "callback_", "true_abandon"]
                    .iter()
                    .any(|p| k.starts_with(p))
            });
        }
    }
}

fn without_rejected_shares(m: &mut Value) {
    let o = m.as_object_mut().unwrap();
    o.remove("data_quality");
    if let Some(f) = o.get_mut("findings").and_then(|f| f.as_array_mut()) {
        f.retain(|x| !x["id"].as_str().unwrap_or("").starts_with("rejected_share"));
    }
}

/// Ids written Excel-style as `="C1"` (how Excel keeps a value as text in a CSV, shown as
/// `C1`) read as `C1`, so the survey naming contact `C1` links to it and counts in its
/// channel.
#[test]
fn excel_style_text_cells_read_as_their_value() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    std::fs::write(
        &calls,
        "contact_id,channel,arrived_at,answered_at\n=\"C1\",phone,2026-10-08 09:00:00,2026-10-08 09:00:05\n\"=\"\"C2\"\"\",phone,2026-10-08 10:00:00,2026-10-08 10:00:05\n",
    )
    .unwrap();
    let surveys = dir.path().join("surveys.csv");
    std::fs::write(&surveys, "response_id,contact_id,score\nS1,C1,5\nS2,C2,4\n").unwrap();
    let out = dir.path().join("out");
    let r = run_report(
        &fixtures().join("canonical/contract.toml"),
        [
            "--calls".as_ref(),
            calls.as_os_str(),
            "--surveys".as_ref(),
            surveys.as_os_str(),
            "--period".as_ref(),
            "2026-10".as_ref(),
        ],
        &out,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(
        m["channels"]["phone"]["csat_responses"], 2,
        "both responses linked"
    );
    assert_eq!(m["channels"]["phone"]["csat_mean"], 4.5);
}

/// A source column named twice (两列“时长”), which a profile maps: the first would silently
/// stand for both, so the run is refused with both positions named.
#[test]
fn a_mapped_column_that_appears_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    std::fs::write(&calls, "ID,时间,时长,时长\nC1,2026-10-08 09:00:00,30,600\n").unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        "[profile]\nname = \"p\"\nrecords = \"contacts\"\n[columns]\ncontact_id = \"ID\"\nchannel = { value = \"phone\" }\narrived_at = \"时间\"\nhandle_seconds = \"时长\"\n",
    )
    .unwrap();
    let r = run_report(
        &fixtures().join("canonical/contract.toml"),
        [
            "--mapping".as_ref(),
            profile.as_os_str(),
            "--calls".as_ref(),
            calls.as_os_str(),
            "--period".as_ref(),
            "2026-10".as_ref(),
        ],
        &dir.path().join("out"),
    );
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(
        err.contains("column `时长` (mapped to `handle_seconds` by"),
        "{err}"
    );
    assert!(err.contains("appears twice, as columns 3 and 4"), "{err}");
}

/// Durations written in Chinese (`1分30秒`, `90秒`, `1小时2分`) map to seconds: handle times
/// of 90, 90 and 3,720 s average 1,300 s.
#[test]
fn chinese_duration_spellings_are_read_as_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    std::fs::write(
        &calls,
        "ID,时间,接通,时长\nC1,2026-10-08 09:00:00,2026-10-08 09:00:05,1分30秒\nC2,2026-10-08 10:00:00,2026-10-08 10:00:05,90秒\nC3,2026-10-08 11:00:00,2026-10-08 11:00:05,1小时2分\n",
    )
    .unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        "[profile]\nname = \"p\"\nrecords = \"contacts\"\n[columns]\ncontact_id = \"ID\"\nchannel = { value = \"phone\" }\narrived_at = \"时间\"\nanswered_at = \"接通\"\nhandle_seconds = \"时长\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = run_report(
        &fixtures().join("canonical/contract.toml"),
        [
            "--mapping".as_ref(),
            profile.as_os_str(),
            "--calls".as_ref(),
            calls.as_os_str(),
            "--period".as_ref(),
            "2026-10".as_ref(),
        ],
        &out,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(m["rows"]["accepted"], 3);
    assert_eq!(m["overall"]["aht_seconds"], 1300.0);
}
