//! No verdict and no money from missing data: a metric the inputs cannot give is null and
//! its SLA not measurable; a tier that depends on it is not decided; an empty period and a
//! range that does not fall on month boundaries are refused.

use crate::common::{cseval, fixtures, run_report, sla_line, texts};
use serde_json::{json, Value};
use std::path::Path;

fn metrics(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap()
}

/// The canonical fixture's contacts without the columns `drop`.
fn contacts_without(drop: &[&str], to: &Path) {
    let text = std::fs::read_to_string(fixtures().join("canonical/contacts.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !drop.contains(&header[i]))
        .collect();
    let pick = |l: &str| {
        let cells: Vec<&str> = l.split(',').collect();
        keep.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
    };
    let mut out = pick(&header.join(","));
    for l in lines {
        out.push('\n');
        out.push_str(&pick(l));
    }
    out.push('\n');
    std::fs::write(to, out).unwrap();
}

/// Assert `r` exited with `code` and its stderr contains `needle`.
fn refused(r: &std::process::Output, code: i32, needle: &str) {
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(code), "{err}");
    assert!(err.contains(needle), "{err}");
}

fn run(contract: &Path, calls: &Path, extra: &[&str], out: &Path) -> std::process::Output {
    let args = [std::ffi::OsStr::new("--calls"), calls.as_os_str()];
    run_report(
        contract,
        args.into_iter()
            .chain(extra.iter().map(std::ffi::OsStr::new)),
        out,
    )
}

/// The canonical month with no `resolved` or `resolved_at` column (a real call log that has
/// no resolution data). Worked out by hand against the fixture's contract:
/// - `resolution`, `resolution_all` (resolution_rate) and `standard_24h` (resolved_within)
///   cannot be measured: null, not measurable, with the missing columns named;
/// - the deduction counts only the five SLAs really missed (phone_sl, chat_reply,
///   email_reply, fcr, csat_mean): 5 × 2 % = 10 % (the cap), 10,000.00, where the
///   resolution-less run used to add standard_24h;
/// - tier 优秀 fails on `csat_mean >= 4.5` (inline scores only: 3.8); tier 合格's `any` has
///   `csat_mean >= 4.0` false and `resolution >= 0.85` unknown: no tier, no bonus, no failure,
///   and a high-severity finding naming the condition;
/// - every resolution rate (overall, channels, agents) is null, not 0 %.
#[test]
fn no_resolution_data_gives_null_figures_and_moves_no_money_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("no-resolution.csv");
    contacts_without(&["resolved", "resolved_at"], &calls);
    let out = dir.path().join("out");
    let contract = fixtures().join("canonical/contract.toml");
    let r = run(&contract, &calls, &["--period", "2026-10"], &out);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m = metrics(&out);
    let line = |id: &str| sla_line(&m, id).clone();
    for (id, why) in [
        // The reasons in the report's language (Chinese by default).
        ("resolution", "导入数据中没有是否解决或解决时间字段"),
        ("resolution_all", "导入数据中没有是否解决或解决时间字段"),
        ("standard_24h", "导入数据中没有解决时间字段"),
    ] {
        let l = line(id);
        assert_eq!(l["status"], "not_measurable", "{id}");
        assert_eq!(l["actual"], Value::Null, "{id}");
        assert_eq!(l["note"], why, "{id}");
    }
    let inc = &m["incentive"];
    assert_eq!(
        inc["breached_slas"],
        json!(["phone_sl", "chat_reply", "email_reply", "fcr", "csat_mean"])
    );
    assert_eq!(inc["penalty"], 10000.0);
    assert_eq!(inc["tier"], Value::Null);
    assert_eq!(inc["bonus_rate"], 0.0);
    assert_eq!(inc["failure"], false);
    assert_eq!(inc["undecided_conditions"], json!(["resolution >= 0.85"]));
    assert_eq!(m["overall"]["resolution_rate"], Value::Null);
    for (name, c) in m["channels"].as_object().unwrap() {
        assert_eq!(c["resolution_rate"], Value::Null, "{name}");
    }
    for a in m["agents"].as_array().unwrap() {
        assert_eq!(a["resolution_rate"], Value::Null, "{}", a["agent_id"]);
    }
    let findings = m["findings"].as_array().unwrap();
    assert_eq!(findings[0]["id"], "tier_undecided");
    assert_eq!(findings[0]["severity"], "high");
    assert!(findings
        .iter()
        .all(|f| !f["id"].as_str().unwrap().starts_with("sla_missed:standard")));
    // The banner says what is missed and what could not be measured.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("共 9 个考核项：5 个未达标，3 个无法计量"),
        "banner"
    );
}

/// A period the inputs do not cover, and a header-only export, get no report: exit 3, the
/// message naming the period and what the inputs cover.
#[test]
fn a_period_without_data_is_refused_with_the_range_the_inputs_cover() {
    let dir = tempfile::tempdir().unwrap();
    let contract = fixtures().join("canonical/contract.toml");
    let calls = fixtures().join("canonical/contacts.csv");
    let out = dir.path().join("out");
    let r = run(&contract, &calls, &["--period", "2025-10"], &out);
    refused(&r, 3, "2025-10 (2025-10-01 – 2025-10-31): no accepted contact arrived in this period; the contact inputs (");
    refused(&r, 3, "contacts.csv) cover 2026-09-30 – 2026-11-01");
    assert!(!out.join("metrics.json").exists());
    let header_only = dir.path().join("header-only.csv");
    std::fs::write(&header_only, "contact_id,channel,arrived_at\n").unwrap();
    let r = run(&contract, &header_only, &["--period", "2026-10"], &out);
    refused(&r, 3, "header-only.csv) hold no accepted contact");
}

/// `--from/--to` off month boundaries would have been widened to whole months: refused.
#[test]
fn a_range_off_month_boundaries_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &fixtures().join("canonical/contract.toml"),
        &fixtures().join("canonical/contacts.csv"),
        &["--from", "2026-10-01", "--to", "2026-10-15"],
        &dir.path().join("out"),
    );
    refused(&r, 2, "must start and end on the first of a month");
}

/// A month whose tier could not be decided is neither a failure nor the end of a run of
/// failures: August failed, September was undecided, October fails → 2 consecutive
/// failures (October and August), September named as passed over.
#[test]
fn the_failure_count_passes_over_an_undecided_month() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    for (month, end, incentive) in [
        (
            "2026-08",
            "2026-09-01",
            json!({"tier": "不合格", "failure": true, "bonus_rate": 0.0, "bonus": 0.0,
                   "penalty_rate": 0.0, "penalty": 0.0, "consecutive_failures": 1,
                   "termination_threshold": 3, "termination_right": false, "clause": null}),
        ),
        (
            "2026-09",
            "2026-10-01",
            json!({"tier": null, "failure": false, "bonus_rate": 0.0, "bonus": 0.0,
                   "penalty_rate": 0.0, "penalty": 0.0, "consecutive_failures": 0,
                   "termination_threshold": 3, "termination_right": false, "clause": null,
                   "undecided_conditions": ["resolution >= 0.85"]}),
        ),
    ] {
        let d = history.join(month);
        std::fs::create_dir_all(&d).unwrap();
        let m = json!({
            "contract_id": "TEST-001",
            "period": {"start": format!("{month}-01"), "end": end, "timezone": "Asia/Shanghai"},
            "incentive": incentive,
        });
        std::fs::write(d.join("metrics.json"), m.to_string()).unwrap();
    }
    // The canonical contract with a top tier October cannot reach (csat_mean is 3.875).
    let text = std::fs::read_to_string(fixtures().join("canonical/contract.toml")).unwrap();
    let contract = dir.path().join("contract.toml");
    std::fs::write(
        &contract,
        text.replace(
            "any = [\"csat_mean >= 4.0\", \"resolution >= 0.85\"]",
            "any = [\"csat_mean >= 4.9\"]",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let surveys = fixtures().join("canonical/surveys.csv");
    let r = run(
        &contract,
        &fixtures().join("canonical/contacts.csv"),
        &[
            "--surveys",
            surveys.to_str().unwrap(),
            "--period",
            "2026-10",
            "--history",
            history.to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let inc = &metrics(&out)["incentive"];
    assert_eq!(inc["tier"], "不合格");
    assert_eq!(inc["failure"], true);
    assert_eq!(inc["consecutive_failures"], 2);
    assert_eq!(inc["undecided_periods"], json!(["2026-09-01"]));
    let findings = metrics(&out)["findings"].clone();
    let f = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "failures_passed_over")
        .expect("the pass-over is reported")
        .clone();
    assert!(f["evidence"].as_str().unwrap().contains("2026-09"), "{f}");
}

/// A canonical export whose `answered_at` header is misspelt is refused, with the closest
/// canonical name, instead of every contact reading as unanswered. With
/// `--ignore-extra-columns` it is read without the column: no input then gives an answer
/// time, so the service level and the response SLAs are not measurable (not 0 %).
#[test]
fn a_misspelt_column_is_refused_with_the_name_it_resembles() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("canonical/contacts.csv")).unwrap();
    let calls = dir.path().join("misspelt.csv");
    std::fs::write(&calls, text.replacen("answered_at", "answerd_at", 1)).unwrap();
    let contract = fixtures().join("canonical/contract.toml");
    let out = dir.path().join("out");
    let r = run(&contract, &calls, &["--period", "2026-10"], &out);
    refused(
        &r,
        2,
        "misspelt.csv: column `answerd_at` is not a canonical contact column (did you mean `answered_at`?)",
    );
    assert!(!out.join("metrics.json").exists());
    let r = run(
        &contract,
        &calls,
        &["--period", "2026-10", "--ignore-extra-columns"],
        &out,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m = metrics(&out);
    for id in ["phone_sl", "chat_reply", "email_reply"] {
        let l = sla_line(&m, id);
        assert_eq!(l["status"], "not_measurable", "{id}");
        assert_eq!(l["note"], "导入数据中没有接通时间或是否接通字段", "{id}");
    }
    assert_eq!(m["channels"]["phone"]["service_level"], Value::Null);
    assert_eq!(m["overall"]["abandon_rate"], Value::Null);
}

/// The data-quality gate: the sample month is firm; the same month with a tenth of its rows
/// repeated (300 duplicate ids of 3,300 rows read, 9.09 % > the default 2 %) is provisional,
/// says so in the verdict and a high finding (naming the share and the commonest reason),
/// and exits 4 under `--fail-on-breach` although no SLA is missed.
#[test]
fn duplicates_past_the_limit_make_the_verdict_provisional() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("contract.toml");
    std::fs::write(
        &contract,
        "[contract]\nid = \"GATE\"\nname = \"gate\"\ntimezone = \"Asia/Shanghai\"\n",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let month = root.join("sample-data/contacts/contacts-2026-10.csv");
    let firm = dir.path().join("firm");
    let r = run(&contract, &month, &["--fail-on-breach"], &firm);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_eq!(metrics(&firm)["data_quality"]["provisional"], false);

    let text = std::fs::read_to_string(&month).unwrap();
    let repeated: Vec<&str> = text.lines().skip(1).take(300).collect();
    let doubled = dir.path().join("doubled.csv");
    std::fs::write(&doubled, format!("{text}{}\n", repeated.join("\n"))).unwrap();
    let out = dir.path().join("out");
    let r = run(&contract, &doubled, &["--fail-on-breach"], &out);
    assert_eq!(
        r.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m = metrics(&out);
    let share = &m["data_quality"]["rejected_shares"][0];
    assert_eq!(share["input"], "contacts");
    assert_eq!(
        (share["read"].as_u64(), share["duplicates"].as_u64()),
        // 3,000 inbound contacts, 91 call-backs, 300 repeated.
        (Some(3391), Some(300))
    );
    assert_eq!(m["data_quality"]["provisional"], true);
    let f = &m["findings"][0];
    assert_eq!(f["id"], "rejected_share:contacts");
    assert_eq!(f["severity"], "high");
    assert!(
        // 300 of 3,391.
        f["evidence"].as_str().unwrap().contains("8.85%")
            && f["evidence"]
                .as_str()
                .unwrap()
                .contains("联系编号 重复 × 300"),
        "{f}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("暂定：全部考核项达标"), "verdict");
    assert!(
        html.contains("联系记录：读取 3,391 行 = 接受 3,091 + 拒绝 0 + 重复 300"),
        "rows"
    );
}

/// Evidence sufficiency: with `[data_quality] min_population = 10`, an SLA with fewer than
/// ten contacts (responses) in scope gets no figure and no verdict. On the canonical month:
/// phone_sl has 6 in its base, chat_reply and email_reply 3, resolution and fcr 9 answered
/// contacts, the satisfaction SLAs 8 responses: not measurable; resolution_all (13 contacts,
/// 8 resolved: 61.54 %, met) and standard_24h (12 standard contacts, 6 resolved in time:
/// 50 %, missed) keep theirs; only standard_24h is breached.
#[test]
fn an_sla_below_the_minimum_population_is_not_measurable() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("canonical/contract.toml")).unwrap();
    let contract = dir.path().join("contract.toml");
    std::fs::write(
        &contract,
        text.replace("min_population = 1", "min_population = 10"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let surveys = fixtures().join("canonical/surveys.csv");
    let r = run(
        &contract,
        &fixtures().join("canonical/contacts.csv"),
        &[
            "--surveys",
            surveys.to_str().unwrap(),
            "--period",
            "2026-10",
        ],
        &out,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m = metrics(&out);
    let by = |id: &str| sla_line(&m, id);
    for (id, n) in [
        ("phone_sl", 6),
        ("chat_reply", 3),
        ("email_reply", 3),
        ("resolution", 9),
        ("fcr", 9),
        ("csat_mean", 8),
        ("csat_top", 8),
    ] {
        assert_eq!(by(id)["status"], "not_measurable", "{id}");
        assert_eq!(by(id)["actual"], Value::Null, "{id}");
        assert_eq!(
            by(id)["note"],
            format!("样本量 {n}，低于合同约定的最低样本量 10"),
            "{id}"
        );
    }
    assert_eq!(by("resolution_all")["status"], "met");
    assert_eq!(by("standard_24h")["status"], "missed");
    assert_eq!(by("standard_24h")["actual"], 0.5);
    assert_eq!(m["incentive"]["breached_slas"], json!(["standard_24h"]));
}

/// A survey-only evaluation of the canonical month: the contact SLAs are not measurable
/// (no contact input), the survey rows are accounted for (7 read = 6 accepted + 1 rejected,
/// beside the 0 contact rows), and the verdict does not say "all met": 1 of 9 missed
/// (csat_mean: 3.875 < 4.0), 7 not measurable, provisional (1 of 7 survey rows rejected,
/// 14.29 % > 2 %).
#[test]
fn a_survey_only_run_accounts_for_its_rows_and_claims_nothing_it_cannot_show() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = cseval()
        .args(["run", "-q", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--surveys")
        .arg(fixtures().join("canonical/surveys.csv"))
        .args(["--period", "2026-10", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m = metrics(&out);
    assert_eq!(
        m["survey_rows"],
        json!({"read": 7, "accepted": 6, "rejected": 1, "duplicates": 0, "filtered": 0, "filtered_by": {}, "out_of_period": 1, "outbound": 0})
    );
    let statuses = texts(&m["scorecard"], "status");
    assert_eq!(
        statuses.iter().filter(|s| **s == "not_measurable").count(),
        7
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("暂定：共 9 个考核项：1 个未达标，7 个无法计量"),
        "verdict"
    );
    assert!(
        html.contains("满意度问卷：读取 7 行 = 接受 6 + 拒绝 1 + 重复 0"),
        "rows"
    );
    assert!(!html.contains("全部服务水平达标"));
}

/// The sample month with its `answered_at` header misspelt and read with
/// `--ignore-extra-columns`: every resolved contact is now resolved but never answered,
/// which the Data quality sheet counts and a high finding reports (the count is that of
/// the file's rows with `resolved` = true; the period holds every row).
#[test]
fn resolved_but_never_answered_contacts_are_counted_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("sample-data/contacts/contacts-2026-10.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "resolved").unwrap();
    let resolved = text
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(col) == Some("true"))
        .count() as u64;
    assert!(resolved > 2000);
    let calls = dir.path().join("misspelt.csv");
    std::fs::write(&calls, text.replacen("answered_at", "answerd_at", 1)).unwrap();
    let out = dir.path().join("out");
    let r = run(
        &root.join("report-templates/contracts/express-courier.toml"),
        &calls,
        &["--ignore-extra-columns"],
        &out,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let m = metrics(&out);
    assert_eq!(m["inconsistencies"]["resolved_unanswered"], resolved);
    let f = m["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "inconsistent:resolved_unanswered")
        .expect("finding");
    assert_eq!(f["severity"], "high");
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .starts_with(&format!("已解决但未接通的联系：{resolved} 条")),
        "{f}"
    );
}

/// `validate` names the canonical contact columns the inputs give and those they lack.
#[test]
fn validate_lists_the_canonical_columns_found_and_missing() {
    let r = cseval()
        .args(["validate", "--contract"])
        .arg(fixtures().join("canonical/contract.toml"))
        .arg("--calls")
        .arg(fixtures().join("canonical/contacts.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("contact columns found: contact_id, channel, kind, topic, complaint_type, complexity, arrived_at, answered_at, resolved_at, wait_seconds, handle_seconds, resolved, first_contact_resolved, agent_id, agent_name, customer_id, customer_phone, satisfaction\n"), "{stdout}");
    assert!(
        stdout.contains("contact columns missing: priority, team, answered, site, direction\n"),
        "{stdout}"
    );
}

/// A finding names an agent only on enough inspections (contacts), and says how many.
#[test]
fn an_agent_is_named_only_on_enough_inspections() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A1 passes 2 of 4, A2 6 of 12, A3 20 of 20: the team 28 of 36 (77.78 %); both A1 and
    // A2 (50 %) are more than 20 points under it, but A1 on fewer than the 10 inspections
    // the contract asks by default.
    let mut csv = String::from("inspection_id,agent_id,passed\n");
    let mut n = 0;
    for (agent, passed, failed) in [("A1", 2, 2), ("A2", 6, 6), ("A3", 20, 0)] {
        for i in 0..passed + failed {
            n += 1;
            csv.push_str(&format!(
                "Q{n},{agent},{}\n",
                if i < passed { "合格" } else { "不合格" }
            ));
        }
    }
    std::fs::write(d.join("qa.csv"), csv).unwrap();
    let base = std::fs::read_to_string(fixtures().join("canonical/contract.toml")).unwrap();
    let agents = |m: &Value| -> Vec<String> {
        m["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| {
                f["id"]
                    .as_str()?
                    .strip_prefix("qa_agent:")
                    .map(str::to_string)
            })
            .collect()
    };
    let qa = d.join("qa.csv");
    let extra = ["--inspections", qa.to_str().unwrap(), "--period", "2026-10"];
    for (contract, want) in [
        (base.clone(), vec!["A2"]),
        (
            base.replace(
                "[data_quality]",
                "[data_quality]\nmin_person_inspections = 3",
            ),
            vec!["A1", "A2"],
        ),
    ] {
        std::fs::write(d.join("contract.toml"), contract).unwrap();
        let out = d.join("out");
        let _ = std::fs::remove_dir_all(&out);
        let r = run(
            &d.join("contract.toml"),
            &fixtures().join("canonical/contacts.csv"),
            &extra,
            &out,
        );
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let m = metrics(&out);
        assert_eq!(agents(&m), want);
        let f = m["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "qa_agent:A2")
            .unwrap();
        assert!(
            f["evidence"].as_str().unwrap().contains("（12 次质检）"),
            "{f}"
        );
    }
}

/// A missed SLA's finding says where its misses concentrate, with the figures.
#[test]
fn a_missed_sla_finding_names_where_its_misses_concentrate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let contract = "[contract]\nid = \"W\"\nname = \"where\"\ntimezone = \"Asia/Shanghai\"\n\n\
        [[sla]]\nid = \"reply\"\nclause = \"1\"\nmetric = \"response_within\"\nthreshold_seconds = 60\ntarget = 0.9\n\n\
        [data_quality]\nmin_population = 1\nmissing_days = false\n";
    std::fs::write(d.join("contract.toml"), contract).unwrap();
    // 40 phone calls answered in 10 s; 40 chats, 20 answered in 10 s and 20 in 120 s; all
    // arriving 09:00–09:40. Misses: 20 of 80 (25 %); chat 20 of 40 (50 %): 25 points over
    // the whole and twice it. The hour 09:00–10:00 misses at the SLA's own rate.
    let mut csv = String::from("contact_id,channel,arrived_at,answered_at\n");
    for i in 0..80 {
        let (ch, wait) = match i {
            0..=39 => ("phone", 10),
            40..=59 => ("chat", 10),
            _ => ("chat", 120),
        };
        let (m, s) = (i / 2, (i % 2) * 30);
        let arrived = format!("2026-10-08 09:{m:02}:{s:02}");
        let t = 9 * 3600 + m * 60 + s + wait;
        let answered = format!(
            "2026-10-08 {:02}:{:02}:{:02}",
            t / 3600,
            t / 60 % 60,
            t % 60
        );
        csv.push_str(&format!("c{i},{ch},{arrived},{answered}\n"));
    }
    std::fs::write(d.join("calls.csv"), csv).unwrap();
    let out = d.join("out");
    let r = run(&d.join("contract.toml"), &d.join("calls.csv"), &[], &out);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let m = metrics(&out);
    let f = m["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "sla_missed:reply")
        .unwrap();
    let evidence = f["evidence"].as_str().unwrap();
    assert!(
        evidence.ends_with("；未达标集中在在线渠道：未达标率 50.00%（20/40），整体 25.00%"),
        "{evidence}"
    );
    assert!(
        f["suggestion"]
            .as_str()
            .unwrap()
            .starts_with("重点针对在线渠道："),
        "{f}"
    );
}
