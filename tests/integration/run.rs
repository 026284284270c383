//! `cseval run` on the canonical fixture month: every figure of `metrics.json` against values
//! computed by hand (the working is in the comments), plus outputs, masking and exit codes.

use crate::common::{close, cseval, fixtures, workbook_text};
use serde_json::Value;
use std::path::Path;

fn run_canonical(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let f = fixtures().join("canonical");
    cseval()
        .args(["run", "--contract"])
        .arg(f.join("contract.toml"))
        .arg("--calls")
        .arg(f.join("contacts.csv"))
        .arg("--surveys")
        .arg(f.join("surveys.csv"))
        .args(["--period", "2026-10", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

fn int(v: &Value, expected: u64, what: &str) {
    assert_eq!(v.as_u64(), Some(expected), "{what}: got {v}");
}

#[test]
fn canonical_month_every_figure_matches_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &[]).success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("metrics.json")).unwrap())
            .unwrap();

    // Rows: 19 data rows = 15 accepted + 3 rejected (X1 fax, X2 bad timestamp, X3 no
    // arrived_at) + 1 duplicate (second P1). O1 (09-30 23:59:59) and O2 (11-01 00:00) are
    // outside the half-open period; P7 (09-30T16:00Z = 10-01 00:00 +08:00) is inside.
    let rows = &m["rows"];
    int(&rows["read"], 19, "read");
    int(&rows["accepted"], 15, "accepted");
    int(&rows["rejected"], 3, "rejected");
    int(&rows["duplicates"], 1, "duplicates");
    int(&rows["out_of_period"], 2, "out_of_period");
    // Surveys: 7 read, S6 (score 7) rejected; S4 (09-15) and S7 (linked to O1) out of period.
    let sr = &m["survey_rows"];
    int(&sr["read"], 7, "survey read");
    int(&sr["accepted"], 6, "survey accepted");
    int(&sr["rejected"], 1, "survey rejected");
    int(&sr["out_of_period"], 2, "survey out_of_period");

    let o = &m["overall"];
    int(&o["contacts"], 13, "contacts");
    int(&o["answered"], 9, "answered"); // P1 P2 P3 P6 P7 C1 C2 E1 E2
    int(&o["abandoned"], 3, "abandoned"); // P4 P5 C3
    int(&o["short_abandoned"], 1, "short_abandoned"); // P4: 3 s < 5 s (chat has no threshold)
    int(&o["unanswered"], 1, "unanswered"); // E3
    int(&o["resolved"], 8, "resolved");
    close(&o["resolution_rate"], 8.0 / 9.0, "resolution_rate");
    close(&o["fcr_rate"], 5.0 / 9.0, "fcr_rate"); // P1 P6 P7 C1 E1
    close(&o["abandon_rate"], 2.0 / 9.0, "abandon_rate"); // (3-1)/(10 real-time - 1)
    close(&o["asa_seconds"], 245.0 / 7.0, "asa"); // real-time: 10+30+15+5+20+45+120
    close(&o["aht_seconds"], 3670.0 / 9.0, "aht");
    // Responses: S2 3 (P1: the survey wins over its inline 5), S1 4, S3 5 (E1's arrival),
    // S5 5 (no time: this period), inline P3 2, P6 4, C1 5, C2 3.
    int(&o["csat_responses"], 8, "csat_responses");
    close(&o["csat_mean"], 31.0 / 8.0, "csat_mean");
    close(&o["csat_top_box_rate"], 5.0 / 8.0, "top box");
    close(&o["csat_response_rate"], 8.0 / 9.0, "response rate");
    close(&o["nps"], 25.0, "nps"); // 8,6,10,9: 2 promoters, 1 detractor of 4
    int(&o["complaints"], 3, "complaints");
    close(&o["complaint_rate"], 3.0 / 13.0, "complaint_rate");

    let p = &m["channels"]["phone"];
    int(&p["contacts"], 7, "phone contacts");
    int(&p["answered"], 5, "phone answered");
    int(&p["abandoned"], 2, "phone abandoned");
    int(&p["short_abandoned"], 1, "phone short");
    close(&p["service_level"], 4.0 / 6.0, "phone SL"); // 10 15 5 20 ≤ 20 s; 7 − 1 short
    close(&p["asa_seconds"], 16.0, "phone asa");
    close(&p["abandon_rate"], 1.0 / 6.0, "phone abandon");
    close(&p["response_p50_seconds"], 15.0, "phone p50"); // 5 10 15 20 30
    close(&p["response_p90_seconds"], 26.0, "phone p90"); // 20 + 0.6 × 10
    close(&p["resolution_rate"], 4.0 / 5.0, "phone resolution");
    close(&p["fcr_rate"], 3.0 / 5.0, "phone fcr");
    close(&p["csat_mean"], 13.0 / 4.0, "phone csat"); // 4 3 2 4
    close(&p["aht_seconds"], 263.0, "phone aht");
    let c = &m["channels"]["chat"];
    int(&c["contacts"], 3, "chat contacts");
    int(&c["abandoned"], 1, "chat abandoned");
    int(&c["short_abandoned"], 0, "chat short");
    assert!(
        c["service_level"].is_null(),
        "chat has no service-level SLA"
    );
    close(&c["asa_seconds"], 82.5, "chat asa");
    close(&c["response_p50_seconds"], 82.5, "chat p50");
    close(&c["response_p90_seconds"], 112.5, "chat p90");
    close(&c["abandon_rate"], 1.0 / 3.0, "chat abandon");
    close(&c["csat_mean"], 4.0, "chat csat");
    let e = &m["channels"]["email"];
    int(&e["contacts"], 3, "email contacts");
    int(&e["answered"], 2, "email answered");
    int(&e["unanswered"], 1, "email unanswered");
    assert!(e.get("abandoned").is_none(), "email is never abandoned");
    close(&e["response_p50_seconds"], 14400.0, "email p50");
    close(&e["response_p90_seconds"], 20160.0, "email p90"); // 7200 + 0.9 × 14400
    close(&e["csat_mean"], 5.0, "email csat");

    // Hotspots: 9 consultations; tie 3/3 ordered by topic (运单查询 < 运费 by code point).
    let t = m["topics"].as_array().unwrap();
    let got: Vec<(Value, u64)> = t
        .iter()
        .map(|x| (x["topic"].clone(), x["contacts"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("运单查询".into(), 3),
            ("运费".into(), 3),
            ("网点".into(), 2),
            (Value::Null, 1)
        ]
    );
    close(&t[0]["share"], 3.0 / 9.0, "share");
    let ct = m["complaint_types"].as_array().unwrap();
    assert_eq!(ct[0]["complaint_type"], "延误");
    int(&ct[0]["complaints"], 2, "延误");
    close(&ct[0]["share"], 2.0 / 3.0, "延误 share");
    assert_eq!(ct[1]["complaint_type"], "破损");

    let agents = m["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 4);
    let a1 = &agents[0];
    assert_eq!(a1["agent_id"], "A1");
    int(&a1["contacts"], 3, "A1 contacts");
    close(&a1["resolution_rate"], 1.0, "A1 resolution");
    close(&a1["asa_seconds"], 20.0, "A1 asa");
    close(&a1["csat_mean"], 3.5, "A1 csat");
    let a2 = &agents[1];
    close(&a2["resolution_rate"], 0.5, "A2 resolution");
    close(&a2["csat_mean"], 3.0, "A2 csat");
    assert!(
        agents[3]["asa_seconds"].is_null(),
        "A4 handles e-mail only: no ASA"
    );

    // Scorecard.
    let sc: Vec<(String, f64, f64, String)> = m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["numerator"].as_f64().unwrap(),
                l["denominator"].as_f64().unwrap(),
                l["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = [
        ("phone_sl", 4.0, 6.0, "missed"),
        ("chat_reply", 1.0, 3.0, "missed"), // C1 45 s; C2 120 s and C3 missed
        ("email_reply", 1.0, 3.0, "missed"), // E1 2 h; E2 6 h, E3 unanswered
        ("resolution", 8.0, 9.0, "met"),
        ("resolution_all", 8.0, 13.0, "met"),
        ("fcr", 5.0, 9.0, "missed"),
        ("csat_mean", 31.0, 8.0, "missed"),
        ("csat_top", 5.0, 8.0, "met"),
        ("standard_24h", 6.0, 12.0, "missed"), // all but C2 are standard; E2 took 48 h
    ];
    assert_eq!(sc.len(), expect.len());
    for (got, exp) in sc.iter().zip(expect) {
        assert_eq!((got.0.as_str(), got.1, got.2, got.3.as_str()), exp);
    }
    // Tier: 合格 through `resolution >= 0.85`; 6 SLAs missed × 2 % = 12 %, capped at 10 %.
    let inc = &m["incentive"];
    assert_eq!(inc["tier"], "合格");
    close(&inc["bonus"], 5000.0, "bonus");
    close(&inc["penalty"], 10000.0, "penalty");
    assert_eq!(inc["termination_right"], false);
}

#[test]
fn logs_to_a_file_or_pipe_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_canonical(&dir.path().join("out"), &["-v"]).success();
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    // Info lines at -v, and no ANSI escape (ESC [) in them: stderr is a pipe here.
    assert!(err.contains("read and normalized"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn outputs_exist_and_rejections_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &["--lang", "en"]).success();
    for f in [
        "metrics.json",
        "report.xlsx",
        "charts/sla.svg",
        "charts/hotspots.svg",
        "charts/daily.svg",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let cells = workbook_text(&dir.path().join("report.xlsx"));
    assert!(cells.contains("Data quality"), "sheet names in English");
    assert!(cells.contains("unknown channel `fax`"));
    assert!(cells.contains("duplicate of"));
}

#[test]
fn no_personal_data_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &[]).success();
    let mut text = workbook_text(&dir.path().join("report.xlsx"));
    for f in [
        "metrics.json",
        "charts/sla.svg",
        "charts/hotspots.svg",
        "charts/daily.svg",
        "charts/complaints.svg",
    ] {
        text.push_str(&std::fs::read_to_string(dir.path().join(f)).unwrap());
    }
    let contacts = std::fs::read_to_string(fixtures().join("canonical/contacts.csv")).unwrap();
    for line in contacts.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (cust, phone) = (cols[15], cols[16]);
        assert!(!text.contains(cust), "customer id {cust} leaked");
        assert!(!text.contains(phone), "phone {phone} leaked");
    }
    assert!(!text.contains("请回电"), "survey comment leaked");
}

#[test]
fn existing_report_needs_force_and_outputs_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &[]).success();
    let first: Vec<Vec<u8>> = [
        "metrics.json",
        "report.xlsx",
        "charts/sla.svg",
        "report.html",
        "manifest.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.path().join(f)).unwrap())
    .collect();
    run_canonical(dir.path(), &[]).code(2);
    run_canonical(dir.path(), &["--force"]).success();
    let second: Vec<Vec<u8>> = [
        "metrics.json",
        "report.xlsx",
        "charts/sla.svg",
        "report.html",
        "manifest.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.path().join(f)).unwrap())
    .collect();
    assert!(first == second, "two runs gave different bytes");
}

#[test]
fn fail_on_breach_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &["--fail-on-breach"]).code(4);
}

#[test]
fn template_errors_exit_2_and_name_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(fixtures().join("canonical/contract.toml")).unwrap();
    std::fs::write(&bad, text.replacen("target = 0.80", "tagret = 0.80", 1)).unwrap();
    let out = cseval()
        .args(["run", "--contract"])
        .arg(&bad)
        .arg("--calls")
        .arg(fixtures().join("canonical/contacts.csv"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad.toml") && err.contains("tagret"), "{err}");
}

#[test]
fn missing_input_exits_3() {
    cseval()
        .args(["run", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .args(["--calls", "/nonexistent/*.csv"])
        .assert()
        .code(3);
}

#[test]
fn sample_data_runs_and_sample_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    cseval()
        .current_dir(root)
        .args([
            "run",
            "--contract",
            "report-templates/contracts/express-courier.toml",
            "--calls",
            "sample-data/contacts",
            "--surveys",
            "sample-data/surveys",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(
        m["period"]["start"], "2026-10-01",
        "default period = month of the latest contact"
    );
    int(&m["overall"]["contacts"], 3000, "October contacts");
    // At least five distinct findings, each with evidence and a suggestion.
    let findings = m["findings"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|f| f["id"].as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
    assert!(findings
        .iter()
        .all(|f| !f["evidence"].as_str().unwrap().is_empty()
            && !f["suggestion"].as_str().unwrap().is_empty()));
    assert!(
        kinds.contains("holiday_peak"),
        "the first working day after National Day peaks"
    );

    // The committed sample is what `cseval sample` produces.
    let gen = tempfile::tempdir().unwrap();
    cseval()
        .args(["sample", "--out"])
        .arg(gen.path())
        .assert()
        .success();
    for f in [
        "contacts/contacts-2026-09.csv",
        "surveys/surveys-2026-10.csv",
    ] {
        assert!(
            std::fs::read(gen.path().join(f)).unwrap()
                == std::fs::read(root.join("sample-data").join(f)).unwrap(),
            "{f} differs from a fresh `cseval sample`"
        );
    }
}

/// Every SLA is drawn: the 8 on a rate in `charts/sla.svg` and the workbook's first chart
/// (percentage axis), the one on a mean score (csat_mean, 31/8 = 3.875 against 4.0) in
/// `charts/sla_mean.svg` and the second chart (the survey scale, 0–5), each in the HTML.
#[test]
fn the_sla_charts_draw_every_sla_each_on_its_own_axis() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &[]).success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("metrics.json")).unwrap())
            .unwrap();
    let names = |rate: bool| -> Vec<String> {
        m["scorecard"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| (l["metric"] == "csat_mean") != rate)
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (rates, means) = (names(true), names(false));
    assert_eq!((rates.len(), means.len()), (8, 1));
    let svg = |f: &str| std::fs::read_to_string(dir.path().join("charts").join(f)).unwrap();
    let (sla, mean) = (svg("sla.svg"), svg("sla_mean.svg"));
    for n in &rates {
        assert!(
            sla.contains(n.as_str()) && !mean.contains(n.as_str()),
            "{n}"
        );
    }
    assert!(mean.contains(means[0].as_str()) && !sla.contains(means[0].as_str()));
    // The mean chart's axis runs to the scale's top, 5.
    assert!(mean.contains(">\n5\n</text>"), "{mean}");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("考核项实际值与目标值") && html.contains("考核项（均值类）实际值与目标值")
    );
    // The workbook's charts, from the hidden columns AE:AG (rates) and AI:AK (means).
    let bytes = std::fs::read(dir.path().join("report.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut chart = |k: u32| {
        let mut s = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name(&format!("xl/charts/chart{k}.xml")).unwrap(),
            &mut s,
        )
        .unwrap();
        s
    };
    let (c1, c2) = (chart(1), chart(2));
    assert!(c1.contains("<c:f>考核结果!$AG$2:$AG$9</c:f>"), "{c1}");
    assert!(
        c2.contains("<c:f>考核结果!$AK$2</c:f>") && c2.contains("<c:max val=\"5\"/>"),
        "{c2}"
    );
}

/// A duration reads the same in the workbook and the HTML: hours, minutes and seconds to
/// the nearest second. E-mail: replies after 2 h and 6 h, mean 4 h = 14,400 s (4:00:00),
/// P90 2 h + 0.9 × 4 h = 20,160 s (5:36:00); chat: 45 s and 120 s, mean 82.5 s (0:01:23,
/// half a second up). The workbook holds the time value (seconds ÷ 86,400) in `[h]:mm:ss`.
#[test]
fn durations_read_the_same_in_the_workbook_and_the_html() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &[]).success();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let row = |ch: &str| {
        let start = html.find(&format!("<tr><td>{ch}</td>")).unwrap();
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("邮件").contains("<td class=\"n\">4:00:00</td><td class=\"n\">5:36:00</td>"));
    assert!(
        row("在线").contains("<td class=\"n\">0:01:23</td>"),
        "{}",
        row("在线")
    );
    let wb = workbook_text(&dir.path().join("report.xlsx"));
    let line = wb.lines().find(|l| l.starts_with("邮件\t3\t")).unwrap();
    let cells: Vec<&str> = line.split('\t').collect();
    // 平均应答时长, 响应时间中位数, 响应时间P90 (columns 10–12).
    let days = |i: usize| cells[i].parse::<f64>().unwrap() * 86_400.0;
    assert_eq!(
        (days(9).round(), days(11).round()),
        (14_400.0, 20_160.0),
        "{line}"
    );
    let chat = wb.lines().find(|l| l.starts_with("在线\t3\t")).unwrap();
    let asa: f64 = chat.split('\t').nth(9).unwrap().parse().unwrap();
    assert_eq!((asa * 86_400.0).round(), 83.0, "{chat}");
    let bytes = std::fs::read(dir.path().join("report.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("formatCode=\"[h]:mm:ss\""), "{styles}");
}

/// The contacts and surveys (CSV, worked out in idle time) are listed in manifest.json and
/// metrics.json with the SHA-256 of their bytes.
#[test]
fn the_inputs_fingerprints_are_their_sha256() {
    let dir = tempfile::tempdir().unwrap();
    run_canonical(dir.path(), &[]).success();
    let json = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(f)).unwrap()).unwrap()
    };
    let (manifest, metrics) = (json("manifest.json"), json("metrics.json"));
    for (key, file) in [("inputs", "contacts.csv"), ("survey_inputs", "surveys.csv")] {
        let bytes = std::fs::read(fixtures().join("canonical").join(file)).unwrap();
        let want = cseval::util::sha256(&bytes);
        assert_eq!(want.len(), 64);
        for m in [&manifest, &metrics] {
            assert_eq!(
                m[key][0]["sha256"].as_str(),
                Some(want.as_str()),
                "{key}: {m}"
            );
        }
    }
}
