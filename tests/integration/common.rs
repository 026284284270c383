//! Helpers shared by the integration tests.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The test fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `cseval` binary, with no `SOURCE_DATE_EPOCH` from the environment.
pub fn cseval() -> Command {
    let mut c = Command::cargo_bin("cseval").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

/// `cseval run -q --contract CONTRACT ARGS... --out OUT`: its exit code, stdout and stderr.
pub fn run_report<S: AsRef<std::ffi::OsStr>>(
    contract: &Path,
    args: impl IntoIterator<Item = S>,
    out: &Path,
) -> std::process::Output {
    cseval()
        .args(["run", "-q", "--contract"])
        .arg(contract)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Every cell of every sheet, as text.
pub fn workbook_text(path: &Path) -> String {
    use calamine::{open_workbook_auto, Reader};
    let mut wb = open_workbook_auto(path).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        out.push_str(&name);
        out.push('\n');
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                out.push_str(&c.to_string());
                out.push('\t');
            }
            out.push('\n');
        }
    }
    out
}

/// Assert a JSON number equals `expected` within 1e-9.
pub fn close(v: &Value, expected: f64, what: &str) {
    close_tol(v, expected, 1e-9, what);
}

/// Assert a JSON number equals `expected` within `tol` (for figures published rounded).
pub fn close_tol(v: &Value, expected: f64, tol: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"));
    assert!(
        (got - expected).abs() <= tol,
        "{what}: got {got}, expected {expected}"
    );
}

/// `(name, count)` pairs of a ranked list in metrics.json (`topics`, `complaint_types`).
pub fn ranked(list: &Value, name: &str, count: &str) -> Vec<(String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x[name].as_str().unwrap_or("").to_string(),
                x[count].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The text `key` of each item of a list in a JSON document (`files` → `path`).
pub fn texts<'v>(list: &'v Value, key: &str) -> Vec<&'v str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap())
        .collect()
}

/// `cseval run` over the three sample months (Aug–Oct 2026) with the complaints contract,
/// one report per month under `out`, each seeing the ones before it as history.
pub fn run_sample_quarter(out: &Path) {
    cseval()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "-q",
            "--contract",
            "report-templates/contracts/complaints-performance.toml",
            "--calls",
            "sample-data/contacts",
            "--surveys",
            "sample-data/surveys",
            "--from",
            "2026-08-01",
            "--to",
            "2026-11-01",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

/// The sample data's inputs as flags (contacts, surveys, inspections), relative to the
/// crate's root.
pub const SAMPLE_INPUTS: &[&str] = &[
    "--calls",
    "sample-data/contacts",
    "--surveys",
    "sample-data/surveys",
    "--inspections",
    "sample-data/inspections",
];

/// `cseval run -q --contract CONTRACT` on the sample data ([`SAMPLE_INPUTS`]) with `extra`
/// flags, into `out`; it must succeed.
pub fn run_sample(contract: &Path, extra: &[&str], out: &Path) {
    cseval()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "-q", "--contract"])
        .arg(contract)
        .args(SAMPLE_INPUTS)
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// `n` with thousands separators, as the report writes counts (`2,828`).
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The scorecard line of SLA `id`.
pub fn sla_line<'m>(m: &'m Value, id: &str) -> &'m Value {
    m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap()
}
