//! `cseval plan` (issue 27): a seeded, stratified sampling plan drawn twice alike, drawn
//! again by `verify`, different under another seed; and the inspections checked against it.

use crate::common::cseval;
use serde_json::Value;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `cseval plan` on the sample's October file with `args`, into `out`.
fn plan_with(out: &Path, args: &[&str]) {
    cseval()
        .current_dir(root())
        .args([
            "plan",
            "-q",
            "--contract",
            "report-templates/contracts/express-courier.toml",
        ])
        .args(["--calls", "sample-data/contacts/contacts-2026-10.csv"])
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// October by channel, 10 per channel, with `seed`.
fn plan(out: &Path, seed: &str) {
    let args = [
        "--period",
        "2026-10",
        "--stratify",
        "channel",
        "--size",
        "10",
    ];
    plan_with(out, &[&args[..], &["--seed", seed]].concat());
}

/// The plan's lines: (stratum, contact id).
fn drawn(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("plan.csv")).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect()
}

#[test]
fn the_same_seed_draws_the_same_plan_and_verify_draws_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    plan(&a, "7");
    plan(&b, "7");
    for f in ["plan.csv", "plan.xlsx", "manifest.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // Three channels with answered contacts, 10 drawn from each.
    let lines = drawn(&a);
    assert_eq!(lines.len(), 30);
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    let strata = m["plan"]["strata"].as_array().unwrap();
    assert_eq!(strata.len(), 3);
    assert!(strata.iter().all(|s| s["sample"] == 10));
    let ok = cseval().arg("verify").arg(&a).assert().success();
    assert!(String::from_utf8_lossy(&ok.get_output().stdout).contains("2 files reproduced"));
    // An edited list is caught.
    let csv = a.join("plan.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen(&lines[0].1, "C0000000000", 1)).unwrap();
    cseval().arg("verify").arg(&a).assert().code(1);
    // Another seed: the same sizes, other contacts.
    plan(&c, "8");
    let other = drawn(&c);
    assert_eq!(other.len(), 30);
    assert_ne!(other, drawn(&b));
}

#[test]
fn inspections_are_checked_against_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plan");
    plan(&p, "7");
    let lines = drawn(&p);
    let strata: Vec<String> = {
        let mut s: Vec<String> = lines.iter().map(|l| l.0.clone()).collect();
        s.dedup();
        s
    };
    // In the order of the channels' names (chat, email, phone).
    assert_eq!(strata, ["在线", "邮件", "电话"]);
    // Inspect all 10 of 在线, 7 of 电话, none of 邮件, and two contacts outside the plan.
    let mut csv = String::from("inspection_id,contact_id,agent_id,inspected_at,source,score\n");
    let mut k = 0;
    let mut add = |id: &str, csv: &mut String| {
        k += 1;
        csv.push_str(&format!(
            "QA{k:03},{id},A001,2026-10-28 10:00:00,recording,90\n"
        ));
    };
    for (s, id) in &lines {
        let seen = lines
            .iter()
            .take_while(|l| l.1 != *id)
            .filter(|l| l.0 == *s)
            .count();
        if s == "在线" || (s == "电话" && seen < 7) {
            add(id, &mut csv);
        }
    }
    let planned: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
    let outside: Vec<String> =
        std::fs::read_to_string(root().join("sample-data/contacts/contacts-2026-10.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .filter(|id| !planned.contains(&id.as_str()))
            .take(2)
            .collect();
    for id in &outside {
        add(id, &mut csv);
    }
    let insp = dir.path().join("inspections.csv");
    std::fs::write(&insp, csv).unwrap();
    let out = dir.path().join("report");
    cseval()
        .current_dir(root())
        .args([
            "run",
            "-q",
            "--contract",
            "report-templates/contracts/express-courier.toml",
            "--calls",
            "sample-data/contacts/contacts-2026-10.csv",
            "--period",
            "2026-10",
            "--inspections",
        ])
        .arg(&insp)
        .arg("--plan")
        .arg(p.join("plan.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let c = &m["plan_coverage"];
    // 10 + 7 + 0 = 17 of 30 (56.67 %); 2 inspections outside the plan.
    assert_eq!(
        (c["planned"].as_u64(), c["inspected"].as_u64()),
        (Some(30), Some(17))
    );
    assert!((c["rate"].as_f64().unwrap() - 17.0 / 30.0).abs() < 1e-12);
    assert_eq!(c["outside"], 2);
    let by: Vec<(String, u64, u64)> = c["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["planned"].as_u64().unwrap(),
                s["inspected"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            ("在线".to_string(), 10, 10),
            ("电话".into(), 10, 7),
            ("邮件".into(), 10, 0)
        ]
    );
    let f = m["findings"].as_array().unwrap();
    let finding = f
        .iter()
        .find(|x| x["id"] == "plan_coverage")
        .expect("a coverage finding");
    let evidence = finding["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("30 个联系中已质检 17 个（完成率 56.67%），另有 2 次质检不在计划内"),
        "{evidence}"
    );
    assert!(evidence.contains("邮件 0/10"), "{evidence}");
}

#[test]
fn a_risk_weight_draws_its_contacts_first() {
    // One agent's contacts weighted 1,000 times: the 5 contacts drawn (no strata) are all
    // of that agent, each with its weight.
    let dir = tempfile::tempdir().unwrap();
    plan_with(
        dir.path(),
        &["--size", "5", "--oversample", "agent:A001=1000"],
    );
    let text = std::fs::read_to_string(dir.path().join("plan.csv")).unwrap();
    let lines: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines.iter().all(|l| l[3] == "A001" && l[6] == "1000"),
        "{text}"
    );
}
