//! Repeat contacts on the sample (issue 28): the October month under the shipped contract
//! with `[repeat]` and an SLA on `repeat_fcr_rate`, figures counted from the sample's own
//! CSV here; no caller, number or id in any output.

use crate::payment::{run, CONTRACT};
use serde_json::Value;
use std::collections::HashMap;

fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_sample_month_measures_repeat_contacts_and_no_caller_leaves() {
    let text = std::fs::read_to_string(root().join(CONTRACT)).unwrap();
    let contract = format!(
        "{text}\n[[sla]]\nid = \"repeat_fcr\"\nname = \"人工一解率\"\nclause = \"一（二）4\"\nchannel = \"phone\"\nmetric = \"repeat_fcr_rate\"\ntarget = 0.85\n\n[[sla]]\nid = \"true_abandon\"\nclause = \"一（二）5\"\nmetric = \"true_abandon_rate\"\ntarget = 0.02\n\n[[sla]]\nid = \"true_abandon_loose\"\nclause = \"一（二）5\"\nmetric = \"true_abandon_rate\"\ntarget = 0.03\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let (m, workbook) = run(dir.path(), &contract);
    // Counted here from the CSV (the October file only, as `run` reads it): every phone's
    // contacts in time order; an answered October contact is resolved at first contact when
    // the same number does not come back within 24 h, and cannot be followed when the file
    // ends (31 Oct 23:59) less than 24 h after it.
    let csv =
        std::fs::read_to_string(root().join("sample-data/contacts/contacts-2026-10.csv")).unwrap();
    let all: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // Outbound contacts (call-backs) are in no service figure.
    let (rows, outbound): (Vec<Vec<&str>>, Vec<Vec<&str>>) =
        all.iter().cloned().partition(|r| r[20] == "inbound");
    assert!(!outbound.is_empty() && outbound.iter().all(|r| r[20] == "outbound"));
    let ms = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp()
    };
    let mut by: HashMap<&str, Vec<(i64, bool, &str)>> = HashMap::new();
    for r in &rows {
        by.entry(r[18])
            .or_default()
            .push((ms(r[7]), !r[8].is_empty(), r[1]));
    }
    let end = rows.iter().map(|r| ms(r[7])).max().unwrap();
    let (mut answered, mut unfollowed, mut first, mut phone_first, mut phone_followed) =
        (0, 0, 0, 0, 0);
    for calls in by.values_mut() {
        calls.sort();
        for (k, &(t, ans, ch)) in calls.iter().enumerate() {
            if !ans {
                continue;
            }
            answered += 1;
            let resolved = match calls.get(k + 1) {
                Some(&(u, _, _)) => Some(u - t > 24 * 3600),
                None if end - t >= 24 * 3600 => Some(true),
                None => None,
            };
            match resolved {
                None => unfollowed += 1,
                Some(r) => {
                    first += r as u64;
                    if ch == "phone" {
                        phone_followed += 1;
                        phone_first += r as u64;
                    }
                }
            }
        }
    }
    let r = &m["repeat"];
    assert_eq!(r["answered"], answered);
    assert_eq!(r["unfollowed"], unfollowed);
    assert_eq!(r["first_resolved"], first);
    let rate = first as f64 / (answered - unfollowed) as f64;
    assert!((r["repeat_fcr_rate"].as_f64().unwrap() - rate).abs() < 1e-12);
    assert!((m["overall"]["repeat_fcr_rate"].as_f64().unwrap() - rate).abs() < 1e-12);
    // The sample has repeat callers: some answered contacts are followed by the same number
    // within a day, and some within two hours.
    assert!(
        first < answered - unfollowed && r["repeated_within"].as_u64().unwrap() > 0,
        "{r}"
    );
    let sla = crate::common::sla_line(&m, "repeat_fcr");
    assert_eq!(
        (sla["numerator"].as_f64(), sla["denominator"].as_f64()),
        (Some(phone_first as f64), Some(phone_followed as f64))
    );
    assert!(workbook.contains("重复来电") && workbook.contains("人工一解率"));
    // Call-backs, counted again: each abandoned October phone or chat contact (waiting at
    // least the short-abandon threshold: 5 s on the phone, 10 s in chat) is called back
    // when an outbound contact to the same number starts within 24 h of the abandon
    // (arrival plus wait); its caller is reached by an answered contact of their own
    // within 24 h of its arrival or an outbound one answered or with talk time.
    let mut calls: HashMap<&str, Vec<(i64, bool)>> = HashMap::new();
    for r in &outbound {
        let through = !r[8].is_empty() || r[11].parse::<f64>().is_ok_and(|s| s > 0.0);
        calls.entry(r[18]).or_default().push((ms(r[7]), through));
    }
    let (mut abandoned, mut called, mut truly, mut offered) = (0u64, 0u64, 0u64, 0u64);
    let mut delay = 0i64;
    for r in rows.iter().filter(|r| r[1] == "phone" || r[1] == "chat") {
        let (t, wait) = (ms(r[7]), r[10].parse::<f64>().unwrap_or(0.0));
        let short = if r[1] == "phone" { 5.0 } else { 10.0 };
        let answered = !r[8].is_empty();
        if !answered && wait < short {
            continue;
        }
        offered += 1;
        if answered {
            continue;
        }
        abandoned += 1;
        let gone = t + wait as i64;
        let within = |u: i64, from: i64| u > from && u - from <= 24 * 3600;
        let back = calls.get(r[18]).into_iter().flatten();
        let first = back.clone().map(|c| c.0).filter(|&u| within(u, gone)).min();
        let reached = back.clone().any(|c| c.1 && within(c.0, gone))
            || by[r[18]].iter().any(|&(u, ans, _)| ans && within(u, t));
        if let Some(u) = first {
            called += 1;
            delay += u - gone;
        }
        truly += u64::from(!reached);
    }
    let cb = &r["callbacks"];
    assert_eq!(
        (cb["abandoned"].as_u64(), cb["unfollowed"].as_u64()),
        (Some(abandoned), Some(0))
    );
    assert_eq!(
        (cb["called_back"].as_u64(), cb["truly_abandoned"].as_u64()),
        (Some(called), Some(truly))
    );
    assert_eq!(cb["offered"].as_u64(), Some(offered));
    let mean = delay as f64 / called as f64;
    assert!((cb["callback_mean_seconds"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert!(
        (m["overall"]["true_abandon_rate"].as_f64().unwrap() - truly as f64 / offered as f64).abs()
            < 1e-12
    );
    assert!(called > 0 && truly > 0 && called < abandoned, "{cb}");
    // The true abandon rate as an SLA is a ceiling: the same count, met at or below the
    // target. Here truly / offered is above 2 % and below 3 %.
    let rate = truly as f64 / offered as f64;
    assert!(rate > 0.02 && rate < 0.03, "{rate}");
    for (id, status) in [("true_abandon", "missed"), ("true_abandon_loose", "met")] {
        let l = crate::common::sla_line(&m, id);
        assert_eq!(l["status"], status, "{l}");
        assert_eq!(
            (l["numerator"].as_f64(), l["denominator"].as_f64()),
            (Some(truly as f64), Some(offered as f64))
        );
    }
    assert!(workbook.contains("≤ 2.00%"), "the ceiling written as one");
    assert!(workbook.contains("回拨率") && workbook.contains("真实呼损率"));
    // The planted problem: one agent answers and hangs up within seconds, and is named.
    let short: &Value = m["integrity"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "short_talk")
        .unwrap();
    assert_eq!(short["flagged"], true);
    assert_eq!(short["agents"][0][0], "A012");
    assert_eq!(short["agents"].as_array().unwrap().len(), 1);
    // No customer number or id, in any spelling or hashed, in any file written: every run
    // of digits (spaces and dashes inside it dropped) and every word is looked up.
    let phones: std::collections::HashSet<&str> = rows.iter().map(|r| r[18]).collect();
    let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r[17]).collect();
    for entry in walk(&dir.path().join("out")) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).to_string();
        assert!(!text.contains("\"caller\""), "{entry:?}");
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| if c.is_ascii_digit() { c } else { ' ' })
            .collect();
        assert!(
            !digits
                .split(' ')
                .any(|d| phones.contains(d)
                    || (d.len() > 11 && phones.iter().any(|p| d.contains(p)))),
            "a phone number in {entry:?}"
        );
        assert!(
            !text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| ids.contains(w)),
            "a customer id in {entry:?}"
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
