//! The scoring sheet (issue 26) on a fixture with two sites (the lowest decides), blocks, a
//! veto, an incidents file, a manual bonus and a band table: every point, the total, the
//! band and the payout as worked out by hand below, in `metrics.json`, the workbook and
//! the payment statement.

use crate::common::{close, cseval, fixtures, run_report, workbook_text};
use serde_json::Value;
use std::path::Path;

/// Run the fixture month with `incidents` (a CSV text); metrics.json and the workbook text.
fn run(dir: &Path, incidents: &str) -> (Value, String) {
    let f = fixtures().join("scoring");
    std::fs::create_dir_all(dir).unwrap();
    let inc = dir.join("incidents.csv");
    std::fs::write(&inc, incidents).unwrap();
    let out = dir.join("out");
    let o = run_report(
        &f.join("contract.toml"),
        [
            "--calls".as_ref(),
            f.join("contacts.csv").as_os_str(),
            "--incidents".as_ref(),
            inc.as_os_str(),
            "--scores".as_ref(),
            f.join("scores.csv").as_os_str(),
            "--period".as_ref(),
            "2026-10".as_ref(),
        ],
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap());
    (m.unwrap(), workbook_text(&out.join("report.xlsx")))
}

fn incidents() -> String {
    std::fs::read_to_string(fixtures().join("scoring/incidents.csv")).unwrap()
}

/// The points of indicator `id` at site `site`.
fn points(s: &Value, site: &str, id: &str) -> f64 {
    let site = s["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["site"] == site)
        .unwrap_or_else(|| panic!("no site {site}"));
    let i = site["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    i["points"].as_f64().unwrap()
}

#[test]
fn two_sites_the_lowest_decides_with_incidents_a_bonus_and_bands() {
    let dir = tempfile::tempdir().unwrap();
    let (m, wb) = run(dir.path(), &incidents());
    let s = &m["scoring"];
    // 华东: 10 calls, 9 answered within 20 s, 1 abandoned; 8 of the 9 resolved at first
    // contact. Service level 9/10 = 90 % ≥ the target 90 %: 40 of 40. Abandon rate
    // 1/10 = 10 % ≤ 20 %: 20 of 20. FCR 8/9 = 88.9 % ≥ 80 %: 40 of 40. Base 100.
    assert_eq!(points(s, "华东", "answer"), 40.0);
    assert_eq!(points(s, "华东", "abandon"), 20.0);
    assert_eq!(points(s, "华东", "fcr"), 40.0);
    // 华南: 10 calls, 7 answered within 20 s, 1 in 40 s, 2 abandoned; 5 of the 8 answered
    // resolved at first contact. Service level 7/10 = 70 %: 40 × (0.70 − 0.50) / (0.90 −
    // 0.50) = 20. Abandon rate 2/10 = 20 % ≤ 20 %: 20. FCR 5/8 = 62.5 %: 1.75 steps of 10
    // points under 80 % → 40 − 17.5 = 22.5. Base 62.5; blocks 运营 40, 服务 22.5.
    assert_eq!(points(s, "华南", "answer"), 20.0);
    assert_eq!(points(s, "华南", "abandon"), 20.0);
    assert_eq!(points(s, "华南", "fcr"), 22.5);
    let south = &s["sites"][1];
    assert_eq!(south["site"], "华南");
    assert_eq!(south["score"], 62.5);
    assert_eq!(south["blocks"][0]["points"], 40.0);
    assert_eq!(south["blocks"][1]["points"], 22.5);
    // The lowest site decides: 62.5.
    assert_eq!(s["base_score"], 62.5);
    // Two October errors (the September one is not counted) at −2 each: −4. Three letters
    // of praise at +1, capped at 2: +2 (the base 62.5 reaches the bonus bar of 60).
    let adj = s["adjustments"].as_array().unwrap();
    assert_eq!(
        (adj[0]["id"].as_str(), adj[0]["points"].as_f64()),
        (Some("errors"), Some(-4.0))
    );
    assert_eq!(
        (adj[1]["id"].as_str(), adj[1]["points"].as_f64()),
        (Some("praise"), Some(2.0))
    );
    assert_eq!(adj[1]["capped"], true);
    assert_eq!(s["incidents_elsewhere"], 1);
    // 62.5 − 4 + 2 = 60.5 ≥ the pass mark 60; no veto (no complaint, no leak).
    assert_eq!(s["score"], 60.5);
    assert_eq!(s["failed"], false);
    assert!(s["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["triggered"] == false));
    // Band 中 (60 to 70): 90 % of the fee; 100,000 × 10 % = 10,000 withheld. Incidents
    // 2 × 500 = 1,000. Net payable 100,000 − 10,000 − 1,000 = 89,000.
    assert_eq!(s["band"], "中");
    close(&s["payout_rate"], 0.9, "payout rate");
    assert_eq!(s["score_deduction"], 10000.0);
    assert_eq!(s["incident_deduction"], 1000.0);
    assert_eq!(m["payment"]["net_payable"], 89000.0);
    // 限期整改: 2026-10-09 + 5 days.
    assert_eq!(s["incidents"][0]["deadline"], "2026-10-14");
    // The ranking: 华东 first (红榜), 华南 last (黑榜).
    assert_eq!(s["ranking"][0]["site"], "华东");
    assert_eq!(s["ranking"][1]["site"], "华南");
    // The workbook says it in words.
    // The evaluator's files are in the manifest: verify reproduces the folder, and refuses
    // it once the incidents file changed.
    let out = dir.path().join("out");
    cseval().arg("verify").arg(&out).assert().success();
    let inc = dir.path().join("incidents.csv");
    std::fs::write(&inc, incidents().replace("回访遗漏", "回访遗漏（改）")).unwrap();
    let a = cseval().arg("verify").arg(&out).assert().code(3);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("incidents.csv changed"), "{err}");
    for words in [
        "接通率 70.00%，介于基准值 50.00% 与目标值 90.00% 之间，按线性插值，得 20 分，扣 20 分",
        "一次解决率 62.50%，低于 80.00% 共 17.5 个百分点，每 10 个百分点扣 10 分，得 22.5 分，扣 17.5 分",
        "考核总分",
        "60.5",
        "差错扣款：一般差错（2026-10-09）",
        "红榜",
        "黑榜",
        "2 个职场中得分最低者",
        "评估方评定 3 分，上限 2 分（已封顶）",
        "2 次 × -2 分，上限 10 分",
    ] {
        assert!(wb.contains(words), "{words} not in the workbook");
    }
}

#[test]
fn a_serious_incident_lowers_the_band_and_a_veto_fails_the_period() {
    let dir = tempfile::tempdir().unwrap();
    // A major incident: band 中 lowered by one to 差 (80 %): 20,000 withheld; incidents
    // 1,000 + 2,000; net 100,000 − 20,000 − 3,000 = 77,000.
    let major = format!("{}2026-10-15,major,系统宕机两小时,,华南\n", incidents());
    let (m, _) = run(&dir.path().join("major"), &major);
    let s = &m["scoring"];
    assert_eq!(
        (s["band"].as_str(), s["band_lowered"].as_u64()),
        (Some("差"), Some(1))
    );
    assert_eq!(s["score_deduction"], 20000.0);
    assert_eq!(m["payment"]["net_payable"], 77000.0);
    // A leak: the veto fails the period whatever the score (60.5): the lowest band.
    let leak = format!("{}2026-10-16,leak,客户信息外泄,,华东\n", incidents());
    let (m, wb) = run(&dir.path().join("leak"), &leak);
    let s = &m["scoring"];
    assert_eq!(s["score"], 60.5);
    assert_eq!(s["failed"], true);
    assert_eq!(s["vetoes"][1]["triggered"], true);
    assert_eq!(s["band"], "差");
    // 100,000 × 20 % + incidents 1,000 + 10,000.
    assert_eq!(m["payment"]["net_payable"], 69000.0);
    assert!(wb.contains("单项否决：信息泄露") && wb.contains("不合格"));
}

#[test]
fn a_score_that_cannot_be_measured_moves_no_money() {
    let dir = tempfile::tempdir().unwrap();
    // Without the site column no site can be scored: no score, no band, no deduction from
    // the score and no net amount.
    let f = fixtures().join("scoring");
    let text = std::fs::read_to_string(f.join("contacts.csv")).unwrap();
    let no_site: String = text
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    let calls = dir.path().join("calls.csv");
    std::fs::write(&calls, no_site).unwrap();
    let out = dir.path().join("out");
    let args = [
        "--calls".as_ref(),
        calls.as_os_str(),
        "--period".as_ref(),
        "2026-10".as_ref(),
    ];
    let o = run_report(&f.join("contract.toml"), args, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let s = &m["scoring"];
    assert_eq!(s["undecided"][0], "site");
    assert!(s["score"].is_null() && s["band"].is_null() && s["score_deduction"].is_null());
    assert!(m["payment"]["net_payable"].is_null());
}

#[test]
fn both_seed_scoring_templates_run_on_the_sample_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for (contract, score) in [
        // 20 + 20 + 0 + 0 + 7.19 + 15 + 10 = 72.19 (see the seed's rules).
        ("outsourcing-sla-scoring.toml", 72.19),
        // 50.63 of the 95 points measured, scaled to 100: 53.29.
        ("hotline-assessment.toml", 53.29),
    ] {
        let out = dir.path().join(contract);
        let path = root.join("report-templates/contracts").join(contract);
        crate::common::run_sample(&path, &["--period", "2026-10"], &out);
        let m: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap())
                .unwrap();
        assert_eq!(m["scoring"]["score"], score, "{contract}");
    }
}
