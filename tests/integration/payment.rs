//! The payment statement (issue 25): recomputed here from the contract and the scorecard
//! (base fee, the tier's bonus, each breach × its rate, the cap, the net amount) and
//! compared with `metrics.json` and the workbook's 费用结算 sheet.

use crate::common::{close, cseval, workbook_text};
use serde_json::Value;
use std::path::Path;

pub(crate) const CONTRACT: &str = "report-templates/contracts/express-courier.toml";

/// The sample month under `contract` (a TOML text); its metrics.json and workbook text.
pub(crate) fn run(dir: &Path, contract: &str) -> (Value, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The calendars named as the shipped contract names them, from its folder.
    let calendars = root.join("report-templates/calendars/");
    let contract = contract.replace("../calendars/", &calendars.to_string_lossy());
    let path = dir.join("contract.toml");
    std::fs::write(&path, contract).unwrap();
    let out = dir.join("out");
    let o = cseval()
        .current_dir(root)
        .args(["run", "-q", "--contract"])
        .arg(&path)
        .args([
            "--calls",
            "sample-data/contacts/contacts-2026-10.csv",
            "--surveys",
            "sample-data/surveys",
            "--inspections",
            "sample-data/inspections",
            "--period",
            "2026-10",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap());
    (m.unwrap(), workbook_text(&out.join("report.xlsx")))
}

/// The statement recomputed from the contract's terms and the report's scorecard, checked
/// against `metrics.json` and the workbook's sheet; returns (deduction, net).
fn check_statement(contract: &toml::Value, m: &Value, sheet: &str) -> (f64, f64) {
    let base = contract["contract"]["monthly_base_fee"].as_float().unwrap();
    let tiers = contract["incentive"]["tier"].as_array().unwrap();
    let tier = m["incentive"]["tier"].as_str().unwrap();
    let rate = tiers
        .iter()
        .find(|t| t["name"].as_str() == Some(tier))
        .and_then(|t| t["bonus_rate"].as_float())
        .unwrap();
    let per = contract["penalty"]["per_breached_sla_rate"]
        .as_float()
        .unwrap();
    let cap = contract["penalty"]["cap_rate"].as_float().unwrap();
    let missed: Vec<&str> = m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["status"] == "missed")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    let p = &m["payment"];
    close(&p["base_fee"], base, "base fee");
    close(&p["bonus"], base * rate, "bonus");
    let lines: Vec<&str> = p["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            close(&d["amount"], base * per, "deduction line");
            d["sla"].as_str().unwrap()
        })
        .collect();
    assert_eq!(lines, missed, "one deduction per missed SLA");
    let deduction = base * (per * missed.len() as f64).min(cap);
    close(&p["deduction"], deduction, "deduction");
    let net = base + base * rate - deduction;
    close(&p["net_payable"], net, "net");
    assert_eq!(p["cap_applied"], per * missed.len() as f64 > cap);
    // The sheet holds the same amounts (deductions as negative numbers).
    let sheet = sheet
        .split("\n费用结算\n")
        .nth(1)
        .expect("a 费用结算 sheet")
        .split("\n考核结果\n")
        .next()
        .unwrap();
    for amount in [base, base * rate, -(base * per), -deduction, net] {
        assert!(
            sheet.contains(&format!("\t{amount}\t")),
            "{amount} in\n{sheet}"
        );
    }
    // The lines that are no totals add up to the net amount: base, bonus, each breach and
    // what the cap gives back.
    let given_back = base * per * missed.len() as f64 - deduction;
    if given_back > 0.0 {
        let line = format!("\t{given_back}\t");
        assert!(sheet.contains(&line), "cap line in\n{sheet}");
    }
    let lines = base + base * rate - base * per * missed.len() as f64 + given_back;
    close(&Value::from(lines), net, "lines add up");
    (deduction, net)
}

#[test]
fn the_payment_statement_follows_from_the_contract_and_the_scorecard() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(CONTRACT)).unwrap();
    let contract: toml::Value = toml::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (m, wb) = run(dir.path(), &text);
    // The sample month: tier 合格 (5 %), three SLAs missed at 2 % each, under the 10 % cap.
    // 180,000 + 9,000 − 3 × 3,600 = 178,200.
    let (deduction, net) = check_statement(&contract, &m, &wb);
    assert_eq!((deduction, net), (10_800.0, 178_200.0));
    assert_eq!(m["payment"]["cap_applied"], false);

    // A 5 % cap: the three breaches' 6 % is capped at 9,000; 180,000 + 9,000 − 9,000.
    let capped = text.replace("cap_rate = 0.10", "cap_rate = 0.05");
    let contract: toml::Value = toml::from_str(&capped).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (m, wb) = run(dir.path(), &capped);
    let (deduction, net) = check_statement(&contract, &m, &wb);
    assert_eq!((deduction, net), (9_000.0, 180_000.0));
    assert_eq!(m["payment"]["cap_applied"], true);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        html.contains("扣款比例合计 6.00%，超过上限 5.00%，按上限扣减"),
        "cap line"
    );
    assert!(
        html.contains("180,000.00 元"),
        "amounts with separators and currency"
    );
}

/// Every sheet prints on A4, fitted to the page width, with the title in the header and
/// the page number in the footer; a row whose text wraps is as tall as its lines (the
/// Method's second paragraph, 行数核对…, takes three lines of its 100-character column:
/// LibreOffice would otherwise print its first line only).
#[test]
fn every_sheet_prints_on_a4_with_title_and_page_numbers() {
    use std::io::Read;
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(CONTRACT)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &text);
    let file = std::fs::File::open(dir.path().join("out/report.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let sheets: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .collect();
    assert!(sheets.len() > 10, "{sheets:?}");
    let method = format!("xl/worksheets/sheet{}.xml", sheets.len());
    let mut book = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut book)
        .unwrap();
    let last = book.rsplit("<sheet name=\"").next().unwrap();
    assert!(
        last.starts_with("评估方法\""),
        "the last sheet is the Method"
    );
    let mut xml = String::new();
    zip.by_name(&method)
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let row2 = &xml[xml.find("<row r=\"2\"").unwrap()..];
    let ht: f64 = row2[row2.find("ht=\"").unwrap() + 4..]
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ht >= 3.0 * 15.0, "row 2 is {ht} points high");
    assert!(row2[..row2.find('>').unwrap()].contains("customHeight=\"1\""));
    for name in sheets {
        let mut xml = String::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("paperSize=\"9\""), "{name}: A4");
        assert!(
            xml.contains("fitToWidth") || xml.contains("fitToPage"),
            "{name}: fit"
        );
        assert!(
            xml.contains("<oddHeader>&amp;L客户服务外包评估报告 — 快递客服服务合同（2026年10月）</oddHeader>"),
            "{name}: header"
        );
        assert!(
            xml.contains("<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"),
            "{name}: footer"
        );
    }
}

/// Each missed SLA over contacts lists the contacts that missed it: exactly `denominator −
/// numerator` of them in `evidence/<id>.csv`, the first 1,000 on the workbook's 未达标明细
/// sheet with a note naming the file when there are more.
#[test]
fn each_missed_sla_lists_exactly_the_contacts_that_missed_it() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(CONTRACT)).unwrap();
    // A response SLA no reply makes (1 s on every channel): nearly every answered contact
    // misses it, more than the sheet shows.
    let strict = format!(
        "{text}\n[[sla]]\nid = \"strict\"\nclause = \"九\"\nmetric = \"response_within\"\nthreshold_seconds = 1\ntarget = 0.99\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let (m, wb) = run(dir.path(), &strict);
    let sheet = wb
        .split("\n未达标明细\n")
        .nth(1)
        .expect("an evidence sheet")
        .split("\n评估方法\n")
        .next()
        .unwrap();
    let missed: Vec<(String, u64)> = m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["status"] == "missed" && l["metric"] != "qa_pass_rate")
        .map(|l| {
            let n = l["denominator"].as_f64().unwrap() - l["numerator"].as_f64().unwrap();
            (l["id"].as_str().unwrap().to_string(), n as u64)
        })
        .collect();
    assert!(
        missed.iter().any(|(id, n)| id == "strict" && *n > 1000),
        "{missed:?}"
    );
    for (id, n) in &missed {
        let csv =
            std::fs::read_to_string(dir.path().join(format!("out/evidence/{id}.csv"))).unwrap();
        assert!(
            csv.starts_with("\u{feff}联系编号,渠道,工号,到达时间"),
            "{id}"
        );
        assert_eq!(csv.lines().count() as u64 - 1, *n, "{id}: lines of the CSV");
        // On the sheet: the lines under the list's header row, up to the next heading.
        let heading = format!("：{} 个联系未达标", crate::common::grouped(*n));
        let part = sheet
            .split('\n')
            .skip_while(|l| !(l.contains(&heading) && sheet_has_name(l, &m, id)))
            .skip(2)
            .take_while(|l| l.starts_with('C'))
            .count() as u64;
        assert_eq!(part, (*n).min(1000), "{id}: lines on the sheet");
        if *n > 1000 {
            assert!(
                sheet.contains(&format!(
                    "完整清单（{} 条）见报告目录中的 evidence/{id}.csv",
                    crate::common::grouped(*n)
                )),
                "{id}: note"
            );
        }
        // The HTML shows the first 20 of each list, and says where the rest are.
        let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
        let start = html.find(&heading).expect("the list's heading in the HTML");
        let part = &html[start..];
        let part = &part[..part.find("</table>").unwrap()];
        assert_eq!(
            part.matches("<tr><td>C").count() as u64,
            (*n).min(20),
            "{id}"
        );
        if *n > 20 {
            assert!(html.contains(&format!(
                "表中列出前 20 条；完整清单（{} 条）见报告目录中的 evidence/{id}.csv。",
                crate::common::grouped(*n)
            )));
        }
    }
}

/// Whether sheet line `l` is the heading of SLA `id`'s list (it names the SLA).
fn sheet_has_name(l: &str, m: &Value, id: &str) -> bool {
    let line = m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap();
    l.starts_with(line["name"].as_str().unwrap())
}

/// A missed SLA over inspections lists the inspections that did not pass: with the QA
/// target raised to 99.9 %, `evidence/qa_pass.csv` and the 未达标明细 sheet hold exactly
/// the `denominator − numerator` October inspections scored under the pass score (80),
/// each with its id, contact, agent, source, time, score and the criteria it failed.
#[test]
fn a_missed_quality_sla_lists_the_inspections_that_failed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(CONTRACT)).unwrap();
    let strict = text.replacen(
        "target = 0.90\n\n# Holiday-peak",
        "target = 0.999\n\n# Holiday-peak",
        1,
    );
    assert_ne!(strict, text);
    let dir = tempfile::tempdir().unwrap();
    let (m, wb) = run(dir.path(), &strict);
    let line = m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "qa_pass")
        .unwrap();
    assert_eq!(line["status"], "missed");
    let n = (line["denominator"].as_f64().unwrap() - line["numerator"].as_f64().unwrap()) as usize;
    // The inspections under 80 in the October file, by hand from the file itself.
    let csv = std::fs::read_to_string(root.join("sample-data/inspections/inspections-2026-10.csv"))
        .unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let failed: Vec<(String, String, Vec<String>)> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[6].parse::<f64>().unwrap() < 80.0)
        .map(|c| {
            let criteria = (8..13)
                .filter(|&k| c[k] == "fail")
                .map(|k| header[k].to_string())
                .collect();
            (c[0].to_string(), c[6].to_string(), criteria)
        })
        .collect();
    assert_eq!(failed.len(), n, "{failed:?}");
    let out = std::fs::read_to_string(dir.path().join("out/evidence/qa_pass.csv")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}质检编号,联系编号,工号,来源,渠道,质检时间,评分,不合格的质检项"
    );
    assert_eq!(lines.len() - 1, n);
    for ((id, score, criteria), l) in failed.iter().zip(&lines[1..]) {
        let cells: Vec<&str> = l.split(',').collect();
        assert_eq!(
            (cells[0], cells[3], cells[6]),
            (id.as_str(), "录音抽检", score.as_str())
        );
        assert!(cells[5].starts_with("2026-10-"), "{l}");
        // Each criterion it failed, by its Chinese name (开场问候, 身份核验 …).
        assert_eq!(cells[7].is_empty(), criteria.is_empty(), "{l} {criteria:?}");
        assert!(wb.contains(id.as_str()), "{id} on the sheet");
    }
    assert!(wb.contains(&format!("：{n} 次质检不合格")), "heading");
}

/// A list longer than one batch of lines (the CSV is worded 40,000 lines at a time, one
/// batch written while the next is worded) stays whole and in order: 150,000 synthetic
/// contacts miss FCR about 46,000 times; the CSV holds each of them once, in input order,
/// exactly `denominator − numerator` of them.
#[test]
fn a_list_longer_than_a_batch_is_whole_and_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    cseval()
        .args(["sample", "--months", "1", "--start", "2026-10"])
        .args(["--contacts-per-month", "150000", "--out"])
        .arg(&data)
        .assert()
        .success();
    let out = dir.path().join("out");
    cseval()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "-q", "--contract", CONTRACT, "--calls"])
        .arg(data.join("contacts"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let fcr = m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "fcr")
        .unwrap();
    assert_eq!(fcr["status"], "missed");
    let n = (fcr["denominator"].as_f64().unwrap() - fcr["numerator"].as_f64().unwrap()) as usize;
    assert!(n > 40_000, "{n} misses: more than one batch");
    let input = std::fs::read_to_string(data.join("contacts/contacts-2026-10.csv")).unwrap();
    let position: std::collections::HashMap<&str, usize> = input
        .lines()
        .skip(1)
        .enumerate()
        .map(|(i, l)| (l.split(',').next().unwrap(), i))
        .collect();
    let csv = std::fs::read_to_string(out.join("evidence/fcr.csv")).unwrap();
    let at: Vec<usize> = csv
        .lines()
        .skip(1)
        .map(|l| position[l.split(',').next().unwrap()])
        .collect();
    assert_eq!(at.len(), n);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "each once, in input order"
    );
}
