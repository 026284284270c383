//! Hostile and broken inputs: each gives its documented exit code and a message naming the
//! file — never a panic (exit 101) and never a silently dropped row.

use crate::common::{cseval, fixtures};
use std::path::Path;

const HEADER: &str = "contact_id,channel,arrived_at,wait_seconds\n";

/// (file name, bytes, expected exit code, text the message must contain)
fn cases(dir: &Path) -> Vec<(String, Vec<u8>, i32, &'static str)> {
    let mut far = rust_xlsxwriter::Workbook::new();
    let ws = far.add_worksheet();
    for (c, h) in ["contact_id", "channel", "arrived_at"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["1", "phone", "2026-10-01 09:00:00"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    // One cell in the sheet's last row and column: a dense read would need 17 billion cells.
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let far = far.save_to_buffer().unwrap();
    let good = std::fs::read(fixtures().join("canonical/contacts.csv")).unwrap();
    let _ = dir;
    vec![
        ("empty.csv".into(), vec![], 3, "the file is empty"),
        ("junk.csv".into(), (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect(), 3, "junk.csv"),
        ("junk.xlsx".into(), b"PK\x03\x04 this is not a zip archive".to_vec(), 3, "cannot open the workbook"),
        ("truncated.xlsx".into(), far[..far.len() / 2].to_vec(), 3, "cannot open the workbook"),
        ("nul.csv".into(), format!("{HEADER}1,phone,2026-10-01 09:00:00\0,5\n").into_bytes(), 3, "NUL bytes"),
        ("wrong-columns.csv".into(), b"a,b\n1,2\n".to_vec(), 3, "required column(s) missing"),
        // No data: no verdict, and the message names the period and what the inputs cover.
        ("header-only.csv".into(), HEADER.as_bytes().to_vec(), 3, "2026-10 (2026-10-01 – 2026-10-31): no accepted contact arrived in this period; the contact inputs ("),
        (
            "absurd.csv".into(),
            format!("{HEADER}1,phone,2026-10-01 09:00:00,-5\n2,phone,2026-10-01 09:00:00,1e400\n3,phone,2026-10-01 09:00:00,NaN\n4,phone,2026-10-01 09:00:00,5\n").into_bytes(),
            0,
            "",
        ),
        ("open-quote.csv".into(), format!("{HEADER}1,phone,2026-10-01 09:00:00,5\n2,phone,\"2026-10-01\n").into_bytes(), 0, ""),
        ("semicolons.csv".into(), b"contact_id;channel;arrived_at\n1;phone;2026-10-01 09:00:00\n".to_vec(), 0, ""),
        ("bom-inside.csv".into(), format!("{HEADER}1,phone,\u{feff}2026-10-01 09:00:00,5\n").into_bytes(), 3, "no accepted contact arrived in this period"),
        ("far-corner.xlsx".into(), far, 0, ""),
        ("truncated-csv.csv".into(), good[..good.len() / 2].to_vec(), 0, ""),
        (
            "ten-mb-cell.csv".into(),
            format!("contact_id,channel,arrived_at,topic\n1,phone,2026-10-01 09:00:00,{}\n", "运".repeat(3_500_000)).into_bytes(),
            0,
            "",
        ),
        ("mixed-encoding.csv".into(), {
            let mut b = format!("{HEADER}1,phone,2026-10-01 09:00:00,5\n").into_bytes();
            b.extend(encoding_rs::GB18030.encode("2,电话,2026-10-01 09:00:00,5\n").0.iter());
            b
        }, 0, ""),
        ("crlf.csv".into(), b"contact_id,channel,arrived_at\r\n1,phone,2026-10-01 09:00:00\r\n".to_vec(), 0, ""),
        ("tabs.txt".into(), b"contact_id\tchannel\tarrived_at\n1\tphone\t2026-10-01 09:00:00\n".to_vec(), 0, ""),
        // The first `channel` would silently stand for both: refused, both positions named.
        ("duplicate-header.csv".into(), b"contact_id,channel,channel,arrived_at\n1,phone,fax,2026-10-01 09:00:00\n".to_vec(), 2, "column `channel` appears twice, as columns 2 and 3"),
        ("extra-cells.csv".into(), format!("{HEADER}1,phone,2026-10-01 09:00:00,5,x,y,z\n2,phone\n").into_bytes(), 0, ""),
        ("offsets.csv".into(), format!("{HEADER}1,phone,2026-10-01T01:00:00Z,5\n2,phone,2026-10-01T09:00:00-05:00,5\n").into_bytes(), 0, ""),
        ("blank-lines.csv".into(), format!("{HEADER}\n\n,,,\n\n").into_bytes(), 3, "no accepted contact arrived in this period"),
        ("answered-before-arrival.csv".into(), b"contact_id,channel,arrived_at,answered_at,resolved_at\n1,phone,2026-10-01 09:00:00,2026-10-01 08:00:00,\n2,phone,2026-10-01 09:00:00,2026-10-01 09:10:00,2026-10-01 09:05:00\n".to_vec(), 3, "no accepted contact arrived in this period"),
        ("utf16.csv".into(), {
            let mut b = vec![0xFF, 0xFE];
            // A UTF-16 BOM is recognised (encoding_rs sniffs it): read as text.
            for u in "contact_id,channel,arrived_at\n1,phone,2026-10-01 09:00:00\n".encode_utf16() {
                b.extend(u.to_le_bytes());
            }
            b
        }, 0, ""),
        ("junk.ods".into(), b"not an opendocument file".to_vec(), 3, "not a ods workbook: the file holds text"),
        ("junk.xls".into(), vec![0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3, 4], 3, "not a xls workbook: the file holds bytes of no spreadsheet format"),
        ("junk.parquet".into(), b"PAR1 definitely not parquet".to_vec(), 3, "cannot read Parquet"),
        ("empty-sheet.xlsx".into(), {
            let mut wb = rust_xlsxwriter::Workbook::new();
            wb.add_worksheet();
            wb.save_to_buffer().unwrap()
        }, 3, "is empty"),
    ]
}

#[test]
fn hostile_inputs_exit_cleanly_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, code, needle) in cases(dir.path()) {
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        let a = cseval()
            .args(["run", "--contract"])
            .arg(fixtures().join("canonical/contract.toml"))
            .arg("--calls")
            .arg(&path)
            .args(["--period", "2026-10", "--out"])
            .arg(dir.path().join(format!("out-{name}")))
            .assert();
        let out = a.get_output();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{name}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("internal error"),
            "{name}: {err}"
        );
        if code != 0 {
            assert!(
                err.contains(&name),
                "{name}: the message must name the file: {err}"
            );
            assert!(err.contains(needle), "{name}: {err}");
        }
    }
}

/// Bad templates, flags and paths: (contract text edit, extra args, expected code, text).
#[test]
fn bad_templates_and_flags_exit_2_or_3_with_the_culprit_named() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(fixtures().join("canonical/contract.toml")).unwrap();
    let calls = fixtures().join("canonical/contacts.csv");
    let empty_dir = dir.path().join("no-exports");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, "[profile]\nname = \"x\"\nrecords = \"contacts\"\n[source]\nsheet = \"通话\"\n[columns]\ncontact_id = \"id\"\n").unwrap();
    let sheetbook = dir.path().join("book.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "id").unwrap();
    wb.save(&sheetbook).unwrap();
    let cases: Vec<(&str, String, Vec<String>, i32, &str)> = vec![
        (
            "wrong type",
            base.replacen("target = 0.80", "target = \"high\"", 1),
            vec![],
            2,
            "target",
        ),
        (
            "impossible target",
            base.replacen("target = 0.80", "target = 1.5", 1),
            vec![],
            2,
            "impossible",
        ),
        (
            "unknown key",
            base.replacen("target = 0.80", "targte = 0.80", 1),
            vec![],
            2,
            "targte",
        ),
        (
            "missing calendar",
            base.replacen(
                "monthly_base_fee",
                "calendar = \"nowhere.toml\"\nmonthly_base_fee",
                1,
            ),
            vec![],
            2,
            "nowhere.toml",
        ),
        (
            "unknown metric",
            base.replacen("\"service_level\"", "\"service_levle\"", 1),
            vec![],
            2,
            "service_levle",
        ),
        (
            "bad period",
            base.clone(),
            vec!["--period".into(), "2026-13".into()],
            2,
            "2026-13",
        ),
        (
            "bad lang",
            base.clone(),
            vec!["--lang".into(), "fr".into()],
            2,
            "fr",
        ),
        (
            "no exports in folder",
            base.clone(),
            vec!["--calls".into(), empty_dir.display().to_string()],
            3,
            "no-exports",
        ),
        (
            "glob matches nothing",
            base.clone(),
            vec![
                "--calls".into(),
                dir.path().join("*.csv").display().to_string(),
            ],
            3,
            "no such file",
        ),
        (
            "profile sheet missing",
            base.clone(),
            vec![
                "--calls".into(),
                sheetbook.display().to_string(),
                "--mapping".into(),
                profile.display().to_string(),
            ],
            3,
            "no sheet `通话`",
        ),
    ];
    for (what, contract, extra, code, needle) in cases {
        let c = dir.path().join("c.toml");
        std::fs::write(&c, contract).unwrap();
        let mut cmd = cseval();
        cmd.args(["run", "--contract"]).arg(&c);
        if !extra.iter().any(|a| a == "--calls") {
            cmd.arg("--calls").arg(&calls);
        }
        let a = cmd
            .args(&extra)
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert();
        let out = a.get_output();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{what}: {err}");
        assert!(err.contains(needle), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
}

#[test]
fn every_row_of_a_bad_file_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absurd.csv");
    std::fs::write(
        &path,
        format!("{HEADER}1,phone,2026-10-01 09:00:00,-5\n2,phone,2026-10-01 09:00:00,1e400\n3,phone,2026-10-01 09:00:00,NaN\n4,phone,2026-10-01 09:00:00,5\n4,phone,2026-10-01 09:00:00,5\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--calls")
        .arg(&path)
        .args(["--period", "2026-10", "--out"])
        .arg(&out)
        .assert()
        .success();
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let r = &m["rows"];
    assert_eq!(
        (
            r["read"].as_u64(),
            r["accepted"].as_u64(),
            r["rejected"].as_u64(),
            r["duplicates"].as_u64()
        ),
        (Some(5), Some(1), Some(3), Some(1))
    );
}

/// The survey file is read beside the contact file: when both are broken, the survey's
/// error is the one reported (as when the surveys were read first), and the contacts'
/// alone when only they are.
#[test]
fn a_broken_survey_file_is_reported_before_a_broken_contact_file() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    let good_calls = dir.path().join("good.csv");
    let surveys = dir.path().join("surveys.csv");
    // No `arrived_at`: a required contact column. No `score`: a required survey column.
    std::fs::write(&calls, "contact_id,channel\nC1,phone\n").unwrap();
    std::fs::write(
        &good_calls,
        format!("{HEADER}C1,phone,2026-10-01 09:00:00,5\n"),
    )
    .unwrap();
    std::fs::write(&surveys, "contact_id,channel\nC1,phone\n").unwrap();
    // Exit code and message of a run on `calls`, with the survey file or without.
    let run = |calls: &Path, with_surveys: bool| {
        let mut cmd = cseval();
        cmd.args(["run", "-q", "--contract"])
            .arg(fixtures().join("canonical/contract.toml"))
            .arg("--calls")
            .arg(calls)
            .args(["--period", "2026-10", "--out"])
            .arg(dir.path().join("out"));
        if with_surveys {
            cmd.arg("--surveys").arg(&surveys);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for calls in [&calls, &good_calls] {
        let (code, err) = run(calls, true);
        assert_eq!(code, Some(3), "{err}");
        assert!(
            err.contains("surveys.csv") && err.contains("`score`"),
            "{err}"
        );
    }
    let (code, err) = run(&calls, false);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("calls.csv") && err.contains("arrived_at"),
        "{err}"
    );
}

/// A workbook-shaped zip whose one entry inflates to 64 MiB of zeros (about 64 KiB packed).
fn zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn size_limits_stop_zip_bombs_and_oversized_files_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.xlsx");
    std::fs::write(&bomb, zip_bomb()).unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let run = |file: &Path, extra: &[&str]| {
        let a = cseval()
            .args(["run", "--contract"])
            .arg(fixtures().join("canonical/contract.toml"))
            .arg("--calls")
            .arg(file)
            .args(extra)
            .args(["--period", "2026-10", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(3);
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    let err = run(&bomb, &["--max-uncompressed-mb", "16"]);
    assert!(
        err.contains("bomb.xlsx") && err.contains("zip bomb"),
        "{err}"
    );
    let err = run(
        &fixtures().join("canonical/contacts.csv"),
        &["--max-input-mb", "0"],
    );
    assert!(
        err.contains("contacts.csv") && err.contains("input size limit"),
        "{err}"
    );
}

#[test]
fn text_that_looks_like_a_formula_is_never_written_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    std::fs::write(
        &calls,
        "contact_id,channel,kind,topic,complaint_type,arrived_at,answered_at,agent_id,agent_name\n\
         1,phone,consultation,=HYPERLINK(\"http://evil\"),,2026-10-01 09:00:00,2026-10-01 09:00:05,@SUM(A1),+cmd\n\
         2,phone,complaint,,-2+3,2026-10-01 09:00:00,2026-10-01 09:00:05,=1+1,=2+2\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--calls")
        .arg(&calls)
        .args(["--period", "2026-10", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.join("report.xlsx")).unwrap()).unwrap();
    let mut sheets = 0;
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.starts_with("xl/worksheets/sheet") {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "{name}: a formula was written"
            );
            sheets += 1;
        }
    }
    assert!(sheets >= 10);
    let text = crate::common::workbook_text(&out.join("report.xlsx"));
    assert!(
        text.contains("=HYPERLINK(\"http://evil\")"),
        "kept verbatim as text"
    );
}

/// A write that fails part-way through moving the report into place (here: a plain file
/// named `charts` where the report needs a folder, so the moves fail after `metrics.json` and
/// `report.xlsx`) leaves the output folder as it was, with no staging folder.
#[test]
fn an_interrupted_write_leaves_no_partial_report() {
    let f = fixtures().join("canonical");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    std::fs::write(out.join("charts"), "not a folder").unwrap();
    std::fs::write(out.join("metrics.json"), "an earlier report").unwrap();
    let run = cseval()
        .args(["run", "-q", "--force", "--contract"])
        .arg(f.join("contract.toml"))
        .arg("--calls")
        .arg(f.join("contacts.csv"))
        .args(["--period", "2026-10", "--out"])
        .arg(out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("charts"), "{stderr}");
    let mut left: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["charts", "metrics.json"], "files left behind");
    assert_eq!(
        std::fs::read_to_string(out.join("metrics.json")).unwrap(),
        "an earlier report",
        "the replaced report was not restored"
    );
}

/// Every personal value (customer ids, phone numbers, e-mail addresses, survey comments) of
/// the inputs, read straight from the files.
fn personal_values(file: &Path, columns: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx: Vec<usize> = columns
        .iter()
        .filter_map(|c| header.iter().position(|h| h == c))
        .collect();
    assert_eq!(idx.len(), columns.len(), "{file:?}");
    lines
        .flat_map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            idx.iter()
                .filter_map(move |i| cells.get(*i).map(|s| s.trim().to_string()))
                .collect::<Vec<_>>()
        })
        .filter(|v| v.chars().count() >= 4 && v != "-99")
        .collect()
}

/// All text of a report folder: JSON, manifest, SVG, and every workbook cell.
fn report_text(dir: &Path) -> String {
    // Every file the run wrote, a workbook as its cells and as every XML part inside it
    // (shared strings, charts).
    let mut text = String::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "xlsx") {
                use std::io::Read;
                text.push_str(&crate::common::workbook_text(&path));
                let bytes = std::fs::read(&path).unwrap();
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                for i in 0..zip.len() {
                    let mut part = String::new();
                    let _ = zip.by_index(i).unwrap().read_to_string(&mut part);
                    text.push_str(&part);
                }
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
            }
        }
    }
    text
}

#[test]
fn no_output_contains_personal_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let cn = fixtures().join("cn");
    let runs: Vec<(Vec<String>, Vec<String>)> = vec![
        (
            vec![
                "--contract",
                "tests/fixtures/canonical/contract.toml",
                "--calls",
                "tests/fixtures/canonical/contacts.csv",
                "--surveys",
                "tests/fixtures/canonical/surveys.csv",
                "--period",
                "2026-10",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            [
                personal_values(
                    &fixtures().join("canonical/contacts.csv"),
                    &["customer_id", "customer_phone"],
                ),
                personal_values(&fixtures().join("canonical/surveys.csv"), &["comment"]),
            ]
            .concat(),
        ),
        (
            vec![
                "--contract",
                "tests/fixtures/cn/contract.toml",
                "--mapping",
                "report-templates/mappings/cn-call-center.toml",
                "--calls",
                "tests/fixtures/cn/calls-utf8.csv",
                "--period",
                "2026-10",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            personal_values(&cn.join("calls-utf8.csv"), &["主叫号码"]),
        ),
        (
            vec![
                "--contract",
                "tests/fixtures/cn/contract.toml",
                "--mapping",
                "report-templates/mappings/cn-tickets.toml",
                "--calls",
                "tests/fixtures/cn/tickets.csv",
                "--survey-mapping",
                "report-templates/mappings/cn-survey-verbal.toml",
                "--surveys",
                "tests/fixtures/cn/survey-verbal.csv",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            personal_values(&cn.join("survey-verbal.csv"), &["意见"]),
        ),
        (
            vec![
                "--contract",
                "report-templates/contracts/express-courier.toml",
                "--calls",
                "sample-data/contacts",
                "--surveys",
                "sample-data/surveys",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            [
                personal_values(
                    &root.join("sample-data/contacts/contacts-2026-10.csv"),
                    &["customer_id", "customer_phone"],
                ),
                personal_values(
                    &root.join("sample-data/surveys/surveys-2026-10.csv"),
                    &["comment"],
                ),
            ]
            .concat(),
        ),
    ];
    for (i, (args, secrets)) in runs.iter().enumerate() {
        assert!(!secrets.is_empty());
        let out = dir.path().join(format!("run{i}"));
        cseval()
            .current_dir(root)
            .arg("run")
            .arg("-q")
            .args(args)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let text = report_text(&out);
        for s in secrets {
            assert!(
                !text.contains(s.as_str()),
                "run {i}: personal value `{s}` found in the outputs"
            );
        }
    }
}

#[test]
fn duplicate_ids_across_files_keep_the_first_and_list_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(
        &a,
        format!("{HEADER}1,phone,2026-10-01 09:00:00,5\n2,phone,2026-10-01 09:00:00,5\n"),
    )
    .unwrap();
    std::fs::write(
        &b,
        format!("{HEADER}2,chat,2026-10-02 09:00:00,5\n3,chat,2026-10-02 09:00:00,5\n"),
    )
    .unwrap();
    let out = cseval()
        .args(["validate", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--calls")
        .arg(&a)
        .arg(&b)
        .assert()
        .code(3);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("contacts: read 4 = accepted 3 + rejected 0 + duplicates 1"),
        "{text}"
    );
    assert!(
        text.contains("b.csv row 2 column contact_id: duplicate of")
            && text.contains("a.csv row 3"),
        "{text}"
    );
}

/// Phone numbers in the spellings people type (dashes, spaces, `+86`, parentheses, dots) in
/// a column where they do not belong: a rejected channel cell quoted in the reason, and a
/// topic label shown in the report. None reaches an output file or stderr.
#[test]
fn phone_numbers_in_any_spelling_never_leave() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    let spellings = [
        "138-0000-1001",
        "+86 138 0000 1002",
        "(010) 1234-5678",
        "139.0000.1003",
    ];
    let mut csv = String::from("contact_id,channel,topic,arrived_at,answered_at\n");
    for (i, p) in spellings.iter().enumerate() {
        // The number as the channel: rejected, its reason quoting the value.
        csv.push_str(&format!("R{i},{p},运单查询,2026-10-0{} 09:00:00,\n", i + 1));
        // The number typed into the topic: accepted, a hotspot label.
        csv.push_str(&format!(
            "A{i},phone,回电 {p},2026-10-0{} 10:00:00,2026-10-0{} 10:00:05\n",
            i + 1,
            i + 1
        ));
    }
    // An e-mail address and an 18-character id number typed into topics, and as a channel.
    csv.push_str("E1,phone,回邮 zhang.san@example.com,2026-10-05 10:00:00,2026-10-05 10:00:05\n");
    csv.push_str("E2,phone,身份证 11010519491231002X,2026-10-05 11:00:00,2026-10-05 11:00:05\n");
    csv.push_str("E3,li.si@example.com,运单查询,2026-10-05 12:00:00,\n");
    std::fs::write(&calls, csv).unwrap();
    let out = dir.path().join("out");
    let r = cseval()
        .args(["run", "--ignore-extra-columns", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--calls")
        .arg(&calls)
        .args(["--period", "2026-10", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr).into_owned();
    assert_eq!(r.status.code(), Some(0), "{stderr}");
    let text = report_text(&out) + &stderr;
    assert!(
        text.contains("138****1001"),
        "the rejected value is quoted, masked"
    );
    for digits in [
        "0000-1001",
        "0000 1002",
        "1234-5678",
        "0000.1003",
        "13800001001",
        "8613800001002",
        "example.com",
        "zhang.san",
        "li.si",
        "19491231",
    ] {
        assert!(!text.contains(digits), "{digits} leaked");
    }
}

#[test]
fn inputs_that_once_crashed_a_reader_exit_cleanly() {
    for name in ["reversed-merge.xlsx", "huge-reference.xlsx"] {
        let o = cseval()
            .args(["validate", "-q", "--contract"])
            .arg(fixtures().join("canonical/contract.toml"))
            .arg("--calls")
            .arg(fixtures().join("fuzz").join(name))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(0) | Some(2) | Some(3)),
            "{name}: exit {:?}: {err}",
            o.status.code()
        );
        assert!(!err.contains("internal error"), "{name}: {err}");
    }
}
