//! Channels beyond the built-in ones (issue 24): an app declared in the contract with a
//! service level, a mini-program and WeChat declared by the export's profile, and a ticket
//! export whose source says "Phone". Each test writes its files and the figures expected.

use crate::common::{close, run_report};
use serde_json::Value;
use std::path::Path;

/// A contract that declares a real-time app channel (with a spelling of its own) and sets a
/// service level on it and on phone: 20 s, 80 %.
const CONTRACT: &str = r#"
[contract]
id = "CHANNELS"
name = "channels"
timezone = "Asia/Shanghai"

[[channel]]
name = "app"
realtime = true
aliases = ["手机APP"]

[[sla]]
id = "app_20s"
clause = "3.1"
channel = "app"
metric = "service_level"
threshold_seconds = 20
target = 0.80

[[sla]]
id = "phone_20s"
clause = "3.2"
channel = "phone"
metric = "service_level"
threshold_seconds = 20
target = 0.80

[data_quality]
min_population = 1
missing_days = false
"#;

/// A profile over 编号, 来源, 进线时间, 接通时间 that declares two asynchronous channels: the
/// mini-program (two spellings) and WeChat (taking 微信 over from the built-in `social`).
const PROFILE: &str = r#"
[profile]
name = "全渠道导出"
records = "contacts"

[[channel]]
name = "小程序"
realtime = false
aliases = ["微信小程序", "mini-program"]

[[channel]]
name = "wechat"
realtime = false
aliases = ["微信"]

[columns]
contact_id = "编号"
channel = "来源"
arrived_at = "进线时间"
answered_at = "接通时间"
"#;

fn run(dir: &Path, contract: &str, profile: &str, csv: &str) -> std::process::Output {
    std::fs::write(dir.join("contract.toml"), contract).unwrap();
    std::fs::write(dir.join("profile.toml"), profile).unwrap();
    std::fs::write(dir.join("calls.csv"), csv).unwrap();
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let calls = dir.join("calls.csv");
    let mapping = dir.join("profile.toml");
    run_report(
        &dir.join("contract.toml"),
        [
            "--calls".as_ref(),
            calls.as_os_str(),
            "--mapping".as_ref(),
            mapping.as_os_str(),
        ],
        &out,
    )
}

fn metrics(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/metrics.json")).unwrap()).unwrap()
}

fn sla<'m>(m: &'m Value, id: &str) -> &'m Value {
    m["scorecard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

#[test]
fn declared_channels_are_measured_with_their_own_abandon_rules() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "编号,来源,进线时间,接通时间\n\
        1,APP,2026-10-08 09:00:00,2026-10-08 09:00:10\n\
        2,APP,2026-10-08 09:05:00,2026-10-08 09:05:30\n\
        3,手机APP,2026-10-08 09:10:00,\n\
        4,app,2026-10-08 09:20:00,2026-10-08 09:20:05\n\
        5,小程序,2026-10-08 09:30:00,\n\
        6,微信小程序,2026-10-08 09:40:00,2026-10-08 10:40:00\n\
        7,微信,2026-10-08 09:50:00,\n\
        8,电话,2026-10-08 10:00:00,2026-10-08 10:00:15\n\
        9,传真,2026-10-08 10:10:00,\n";
    let o = run(dir.path(), CONTRACT, PROFILE, csv);
    assert!(o.status.success(), "{o:?}");
    let m = metrics(dir.path());
    assert_eq!(m["rows"]["read"], 9);
    assert_eq!(m["rows"]["accepted"], 8);
    assert_eq!(m["rows"]["rejected"], 1);
    let ch = &m["channels"];
    // The app (contract): 4 calls, 3 answered (10 s, 30 s, 5 s), 1 abandoned (手机APP).
    // Service level = answered within 20 s ÷ calls = 2 / 4; abandon rate = 1 / 4.
    let app = &ch["app"];
    assert_eq!(app["realtime"], true);
    assert_eq!(
        (app["contacts"].as_u64(), app["answered"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(app["abandoned"], 1);
    assert!(app.get("unanswered").is_none());
    close(&app["service_level"], 0.5, "app service level");
    close(&app["abandon_rate"], 0.25, "app abandon rate");
    // The mini-program (profile): asynchronous, so its unanswered message is no abandon.
    let mini = &ch["小程序"];
    assert_eq!(mini["realtime"], false);
    assert_eq!(
        (mini["contacts"].as_u64(), mini["unanswered"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(mini.get("abandoned").is_none() && mini["abandon_rate"].is_null());
    // 微信 reads as the declared `wechat`, not the built-in `social`.
    assert_eq!(ch["wechat"]["unanswered"], 1);
    assert!(ch.get("social").is_none());
    // Overall: only the app's abandon counts, over the real-time contacts (app 4 + phone 1).
    assert_eq!(m["overall"]["abandoned"], 1);
    assert_eq!(m["overall"]["unanswered"], 2);
    close(&m["overall"]["abandon_rate"], 0.2, "overall abandon rate");
    // The contract's SLA on the app: 2 / 4 = 50 % against 80 %, missed; phone 1 / 1 met.
    let s = sla(&m, "app_20s");
    assert_eq!(
        (s["channel"].as_str(), s["status"].as_str()),
        (Some("app"), Some("missed"))
    );
    close(&s["actual"], 0.5, "app_20s");
    assert_eq!(sla(&m, "phone_20s")["status"], "met");
    // The rejected row names the channels accepted, declared ones included; the Method
    // says which channels were declared where, and whether each is real-time.
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        html.contains("无法识别的渠道“传真”（应为 phone，email，chat，web，social，other，app，小程序，wechat；"),
        "{html}"
    );
    assert!(
        html.contains("“app”（实时，定义于 contract.toml）"),
        "{html}"
    );
    assert!(
        html.contains("“小程序”（非实时，定义于 profile.toml）"),
        "{html}"
    );
}

#[test]
fn a_ticket_whose_source_says_phone_is_no_abandoned_call() {
    let dir = tempfile::tempdir().unwrap();
    // A ticket system's export: 来源 says how the customer came; every row is a ticket,
    // answered by its first reply. The profile maps "Phone" to an asynchronous channel.
    let profile = r#"
[profile]
name = "工单"
records = "contacts"

[[channel]]
name = "phone_ticket"
realtime = false

[columns]
contact_id = "工单号"
arrived_at = "创建时间"
answered_at = "首次回复时间"
channel = { from = "来源", map = { Phone = "phone_ticket", Web = "web" } }
"#;
    let csv = "工单号,来源,创建时间,首次回复时间\n\
        T1,Phone,2026-10-08 09:00:00,\n\
        T2,Phone,2026-10-08 09:10:00,2026-10-08 11:00:00\n\
        T3,Web,2026-10-08 09:20:00,\n";
    let o = run(dir.path(), CONTRACT, profile, csv);
    assert!(o.status.success(), "{o:?}");
    let m = metrics(dir.path());
    assert_eq!(m["rows"]["accepted"], 3);
    let t = &m["channels"]["phone_ticket"];
    assert_eq!(
        (t["contacts"].as_u64(), t["unanswered"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(t.get("abandoned").is_none());
    // No call at all: nothing abandoned, no abandon rate, and the phone SLA has no calls.
    assert!(m["channels"].get("phone").is_none());
    assert_eq!(m["overall"]["abandoned"], 0);
    assert_eq!(m["overall"]["unanswered"], 2);
    assert!(m["overall"]["abandon_rate"].is_null());
    assert_eq!(sla(&m, "phone_20s")["status"], "not_measurable");
}

#[test]
fn contradicting_or_ambiguous_declarations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "编号,来源,进线时间,接通时间\n1,APP,2026-10-08 09:00:00,\n";
    for (profile_channels, want) in [
        // The profile says the contract's app is asynchronous.
        (
            "[[channel]]\nname = \"APP\"\nrealtime = false\n",
            "`realtime = false` contradicts `app`, which is real-time",
        ),
        // A spelling that already names another channel.
        (
            "[[channel]]\nname = \"tickets\"\nrealtime = false\naliases = [\"Phone\"]\n",
            "`Phone` already reads as `phone`",
        ),
        // A new channel must say whether it is real-time.
        (
            "[[channel]]\nname = \"kiosk\"\n",
            "a new channel needs `realtime = true`",
        ),
    ] {
        let profile = PROFILE.replacen("[columns]", &format!("{profile_channels}\n[columns]"), 1);
        let o = run(dir.path(), CONTRACT, &profile, csv);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("profile.toml: channel[") && err.contains(want),
            "{err}"
        );
    }
    // An SLA on a channel nobody declared is refused when the contract loads.
    let contract = CONTRACT.replace("channel = \"app\"", "channel = \"kiosk\"");
    let o = run(dir.path(), &contract, PROFILE, csv);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unknown value `kiosk`") && err.contains("app"),
        "{err}"
    );
}

#[test]
fn converted_files_keep_declared_channels_and_a_run_must_know_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = "编号,来源,进线时间,接通时间\n\
        1,APP,2026-10-08 09:00:00,2026-10-08 09:00:10\n\
        2,小程序,2026-10-08 09:30:00,\n";
    std::fs::write(d.join("contract.toml"), CONTRACT).unwrap();
    std::fs::write(d.join("profile.toml"), PROFILE).unwrap();
    std::fs::write(d.join("calls.csv"), csv).unwrap();
    let pq = d.join("pq");
    crate::common::cseval()
        .args(["convert", "-q", "--contract"])
        .arg(d.join("contract.toml"))
        .arg("--calls")
        .arg(d.join("calls.csv"))
        .arg("--mapping")
        .arg(d.join("profile.toml"))
        .arg("--out")
        .arg(&pq)
        .assert()
        .success();
    // The contract declares the app but not the profile's 小程序: the run names it.
    let out = d.join("out");
    let o = run_report(
        &d.join("contract.toml"),
        ["--calls".as_ref(), pq.join("contacts").as_os_str()],
        &out,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "holds the channel(s) `小程序`, which this run's contract and profiles do not declare"
        ),
        "{err}"
    );
    // Declared in the contract, the converted contacts are measured as when read.
    let contract = format!("{CONTRACT}\n[[channel]]\nname = \"小程序\"\nrealtime = false\n");
    std::fs::write(d.join("contract.toml"), contract).unwrap();
    let o = run_report(
        &d.join("contract.toml"),
        ["--calls".as_ref(), pq.join("contacts").as_os_str()],
        &out,
    );
    assert!(o.status.success(), "{o:?}");
    let m = metrics(d);
    assert_eq!(m["channels"]["app"]["answered"], 1);
    assert_eq!(m["channels"]["小程序"]["unanswered"], 1);
    assert_eq!(m["overall"]["abandoned"], 0);
}
