//! `manifest.json` and `cseval verify`: a report folder is reproduced byte for byte from its
//! manifest; edits to the outputs and changes to the sources are caught.

use crate::common::{cseval, fixtures, texts};
use std::path::Path;

fn run_to(out: &Path, calls: &Path) {
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
}

#[test]
fn verify_reproduces_a_report_and_catches_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("contacts.csv");
    std::fs::copy(fixtures().join("canonical/contacts.csv"), &calls).unwrap();
    let out = dir.path().join("report");
    run_to(&out, &calls);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["inputs"][0]["rows"], 19);
    assert!(m["files"].as_array().unwrap().len() >= 6);
    // Every file once, by path: the small files (rendered in memory beside the evidence
    // lists) and the lists alike.
    let paths = texts(&m["files"], "path");
    let mut by_path = paths.clone();
    by_path.sort();
    by_path.dedup();
    assert_eq!(paths, by_path);
    assert!(
        ["metrics.json", "report.xlsx", "report.html"]
            .iter()
            .all(|f| paths.contains(f))
            && paths.iter().any(|p| p.starts_with("evidence/")),
        "{paths:?}"
    );

    let ok = cseval().arg("verify").arg(&out).assert().success();
    assert!(String::from_utf8_lossy(&ok.get_output().stdout).contains("reproduced byte for byte"));

    // An edited output is caught.
    let mp = out.join("metrics.json");
    let original = std::fs::read_to_string(&mp).unwrap();
    std::fs::write(
        &mp,
        original.replacen("\"tier\": \"合格\"", "\"tier\": \"优秀\"", 1),
    )
    .unwrap();
    let a = cseval().arg("verify").arg(&out).assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("metrics.json"));
    std::fs::write(&mp, original).unwrap();
    cseval().arg("verify").arg(&out).assert().success();

    // So is a file with a byte more, a byte less, or none (each compared as it is made).
    let hp = out.join("report.html");
    let html = std::fs::read(&hp).unwrap();
    for edited in [
        [html.as_slice(), b"\n"].concat(),
        html[..html.len() - 1].to_vec(),
    ] {
        std::fs::write(&hp, edited).unwrap();
        let a = cseval().arg("verify").arg(&out).assert().code(1);
        assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("report.html"));
    }
    std::fs::remove_file(&hp).unwrap();
    cseval().arg("verify").arg(&out).assert().code(1);
    std::fs::write(&hp, html).unwrap();
    cseval().arg("verify").arg(&out).assert().success();

    // A changed input is caught before anything is recomputed.
    let mut text = std::fs::read_to_string(&calls).unwrap();
    text.push_str("Z9,phone,consultation,运费,,,2026-10-25 10:00:00,,,,,,,,,,,\n");
    std::fs::write(&calls, text).unwrap();
    let a = cseval().arg("verify").arg(&out).assert().code(3);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        err.contains("contacts.csv") && err.contains("changed since the report was made"),
        "{err}"
    );
}

#[test]
fn verify_a_month_of_a_range_run_with_its_history() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    crate::common::run_sample_quarter(out.path());
    let oct = out.path().join("2026-10");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(oct.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        m["history"].as_array().unwrap().len(),
        2,
        "August and September fed October"
    );
    cseval()
        .current_dir(root)
        .arg("verify")
        .arg(&oct)
        .assert()
        .success();
}
