//! Golden tests: the canonical fixture month's report, seen as text (every workbook cell read
//! back with calamine, the chart XML, the HTML page, `metrics.json` and the SVG charts), must
//! equal the files in `tests/golden/`. After an intended change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test --test integration golden` (only the value `1` rewrites them)
//! and review the diff.

use crate::common::{cseval, fixtures, workbook_text};
use std::path::Path;

fn chart_xml(xlsx: &Path) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    names.retain(|n| n.starts_with("xl/charts/"));
    names.sort();
    let mut out = String::new();
    for n in names {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name(&n).unwrap(), &mut xml).unwrap();
        out.push_str(&format!("== {n}\n{}\n", xml.replace("><", ">\n<")));
    }
    out
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{name} missing: run with UPDATE_GOLDEN=1"));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from tests/golden at line {}:\n  expected: {}\n  actual:   {}\n(UPDATE_GOLDEN=1 regenerates after an intended change)",
            line + 1,
            expected.lines().nth(line).unwrap_or(""),
            actual.lines().nth(line).unwrap_or("")
        );
    }
}

#[test]
fn canonical_report_matches_the_golden_files() {
    for lang in ["zh", "en"] {
        let f = fixtures().join("canonical");
        let out = tempfile::tempdir().unwrap();
        cseval()
            .args(["run", "-q", "--contract"])
            .arg(f.join("contract.toml"))
            .arg("--calls")
            .arg(f.join("contacts.csv"))
            .arg("--surveys")
            .arg(f.join("surveys.csv"))
            .args(["--period", "2026-10", "--lang", lang, "--out"])
            .arg(out.path())
            .assert()
            .success();
        let o = out.path();
        // File paths differ per machine: keep only the file names in the method text.
        let fixtures_dir = fixtures().display().to_string();
        let strip = |s: String| s.replace(&fixtures_dir, "<fixtures>");
        check(
            &format!("canonical.{lang}.workbook.txt"),
            &strip(workbook_text(&o.join("report.xlsx"))),
        );
        check(
            &format!("canonical.{lang}.charts.xml"),
            &chart_xml(&o.join("report.xlsx")),
        );
        check(
            &format!("canonical.{lang}.report.html"),
            &strip(std::fs::read_to_string(o.join("report.html")).unwrap()),
        );
        check(
            &format!("canonical.{lang}.metrics.json"),
            &strip(std::fs::read_to_string(o.join("metrics.json")).unwrap()),
        );
        for svg in ["sla", "complaints", "heatmap"] {
            check(
                &format!("canonical.{lang}.{svg}.svg"),
                &std::fs::read_to_string(o.join(format!("charts/{svg}.svg"))).unwrap(),
            );
        }
    }
}
