//! Each rule shape of the scoring sheet with a hand-worked example: the figures, the points
//! and the sentence the report prints (S1 … S17 of issue 26 and docs/scoring.md).

use super::sentence;
use crate::config::assessment::{Assessment, Incident, ManualScore};
use crate::config::contract::Contract;
use crate::config::text::Text;
use crate::config::{Lang, Period};
use crate::evaluate::scoring::{finish, score_site, Figures, ScoreSheet, Unit, Whole};
use chrono::NaiveDate;
use std::path::Path;

const HEAD: &str = r#"
[contract]
id = "T"
name = "t"
monthly_base_fee = 100000
"#;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The sheet of `scoring` (a TOML `[scoring]` text) on the figures `values`, with the
/// evaluator's `incidents` and `scores`, for October 2026.
fn sheet(
    scoring: &str,
    values: &[(&str, f64)],
    incidents: Vec<Incident>,
    scores: Vec<ManualScore>,
) -> ScoreSheet {
    let c = Contract::parse(&format!("{HEAD}{scoring}"), Path::new("c.toml"))
        .unwrap_or_else(|e| panic!("{}: {:?}", e.message, e.hint));
    let sc = c.scoring.unwrap();
    let value = |k: &str| values.iter().find(|(n, _)| *n == k).map(|v| v.1);
    let unit = |k: &str| crate::evaluate::scoring::unit_of(k, &[]);
    let fig = Figures {
        site: None,
        contacts: 1000,
        value: &value,
        unit: &unit,
    };
    let assessment = Assessment {
        incidents,
        scores,
        ..Default::default()
    };
    let site = score_site(&sc, &fig, &assessment.scores, None, false);
    let period = Period {
        start: day("2026-10-01"),
        end: day("2026-11-01"),
    };
    finish(
        &sc,
        vec![site],
        &Whole {
            figures: &fig,
            assessment: &assessment,
            period,
            fee: Some(100000.0),
            en: false,
        },
    )
}

/// One indicator worth 100 points with `rule` (its keys) on `metric`.
fn one(metric: &str, rule: &str) -> String {
    format!(
        "[scoring]\n[[scoring.indicator]]\nid = \"x\"\nname = \"指标\"\nclause = \"1\"\nweight = 100\nmetric = \"{metric}\"\n{rule}\n"
    )
}

fn said(s: &ScoreSheet) -> String {
    sentence(&s.sites[0].indicators[0], &Text::load(Lang::Zh))
}

fn points(s: &ScoreSheet) -> Option<f64> {
    s.sites[0].indicators[0].points
}

#[test]
fn s1_linear_says_where_the_figure_lies() {
    // 按时办结率 66.67 %, baseline 80 %, target 90 %: 0 points.
    let rule = "rule = \"linear\"\ntarget = 0.9\nbaseline = 0.8";
    let s = sheet(
        &one("resolution_rate", rule),
        &[("resolution_rate", 2.0 / 3.0)],
        vec![],
        vec![],
    );
    assert_eq!(points(&s), Some(0.0));
    assert_eq!(
        said(&s),
        "指标 66.67%，低于基准值 80.00%，得 0 分，扣 100 分"
    );
    // 85 %: halfway: 50 points.
    let s = sheet(
        &one("resolution_rate", rule),
        &[("resolution_rate", 0.85)],
        vec![],
        vec![],
    );
    assert_eq!(points(&s), Some(50.0));
    assert_eq!(
        said(&s),
        "指标 85.00%，介于基准值 80.00% 与目标值 90.00% 之间，按线性插值，得 50 分，扣 50 分"
    );
    assert_eq!(s.score, Some(50.0));
}

#[test]
fn s2_piecewise() {
    let rule = "rule = \"piecewise\"\nknots = [[0.011, 0], [0.0105, 30], [0.01, 100]]";
    // 1.025 %: halfway between 1 % (100) and 1.05 % (30): 65.
    let s = sheet(
        &one("complaint_rate", rule),
        &[("complaint_rate", 0.01025)],
        vec![],
        vec![],
    );
    assert_eq!(points(&s), Some(65.0));
    assert_eq!(said(&s), "指标 1.03%，按分段线性插值，得 65 分，扣 35 分");
    // 0.9 %: past the full-marks knot.
    let s = sheet(
        &one("complaint_rate", rule),
        &[("complaint_rate", 0.009)],
        vec![],
        vec![],
    );
    assert_eq!(said(&s), "指标 0.90%，不高于 1.00%，得 100 分");
}

#[test]
fn s3_per_step_counts_the_percentage_points() {
    let rule = "rule = \"per_step\"\nthreshold = 0.9\ndeduct = 1";
    // 87.5 %: 2.5 points below, 1 off each: 97.5.
    let s = sheet(
        &one("fcr_rate", rule),
        &[("fcr_rate", 0.875)],
        vec![],
        vec![],
    );
    assert_eq!(points(&s), Some(97.5));
    assert_eq!(
        said(&s),
        "指标 87.50%，低于 90.00% 共 2.5 个百分点，每 1 个百分点扣 1 分，得 97.5 分，扣 2.5 分"
    );
}

#[test]
fn s4_a_cap_on_a_precondition() {
    // Satisfaction 95 % is full marks, but fewer than 75 % of contacts were surveyed: at
    // most 80.
    let rule = "rule = \"threshold\"\nthreshold = 0.9\ncap_when = \"csat_response_rate < 0.75\"\ncap_points = 80";
    let values = [("csat_top_box_rate", 0.95), ("csat_response_rate", 0.5)];
    let s = sheet(&one("csat_top_box_rate", rule), &values, vec![], vec![]);
    assert_eq!(points(&s), Some(80.0));
    assert!(s.sites[0].indicators[0].capped);
    assert_eq!(
        said(&s),
        "指标 95.00%，达到 90.00%；因“csat_response_rate < 0.75”成立，本项最高 80 分，得 80 分，扣 20 分"
    );
    // Its condition not measurable: the indicator, so the score, is undecided.
    let s = sheet(
        &one("csat_top_box_rate", rule),
        &values[..1],
        vec![],
        vec![],
    );
    assert_eq!((points(&s), s.score), (None, None));
    assert_eq!(s.undecided, ["x"]);
}

#[test]
fn s5_threshold_to_zero() {
    let rule = "rule = \"threshold\"\nthreshold = 0.01\nbetter = \"lower\"";
    let s = sheet(
        &one("complaint_rate", rule),
        &[("complaint_rate", 0.015)],
        vec![],
        vec![],
    );
    assert_eq!(points(&s), Some(0.0));
    assert_eq!(said(&s), "指标 1.50%，高于 1.00%，得 0 分，扣 100 分");
}

#[test]
fn s6_the_score_sets_the_fee_by_formula() {
    // 70 points, below 85: (15 + 70) % = 85 % of 100,000 paid, 15,000 withheld.
    let rule = "rule = \"linear\"\ntarget = 1.0\nbaseline = 0.0\n[scoring.payout]\nfull_at = 85\nbase_rate = 0.15\nper_point = 0.01";
    let s = sheet(&one("fcr_rate", rule), &[("fcr_rate", 0.7)], vec![], vec![]);
    assert_eq!(s.score, Some(70.0));
    assert!((s.payout_rate.unwrap() - 0.85).abs() < 1e-12);
    assert_eq!(s.score_deduction, Some(15000.0));
    // 90 points: in full.
    let s = sheet(&one("fcr_rate", rule), &[("fcr_rate", 0.9)], vec![], vec![]);
    assert_eq!((s.payout_rate, s.score_deduction), (Some(1.0), Some(0.0)));
}

#[test]
fn s7_a_held_back_pool_paid_by_the_score() {
    // 5 % of 100,000 = 5,000 held back; 70 points without bands: 70 % of it paid (3,500),
    // 1,500 withheld.
    let rule =
        "rule = \"linear\"\ntarget = 1.0\nbaseline = 0.0\n[scoring.sites]\ncombine = \"lowest\"";
    let text = one("fcr_rate", rule).replace("[scoring]\n", "[scoring]\npool_rate = 0.05\n");
    let text = text.replace("[scoring.sites]\ncombine = \"lowest\"", "");
    let s = sheet(&text, &[("fcr_rate", 0.7)], vec![], vec![]);
    assert_eq!(
        (s.pool, s.pool_paid, s.score_deduction),
        (Some(5000.0), Some(3500.0), Some(1500.0))
    );
}

fn incident(date: &str, class: &str) -> Incident {
    Incident {
        date: day(date),
        class: class.into(),
        description: "d".into(),
        clause: None,
        site: None,
        line: 2,
    }
}

const CLASSES: &str = "
[[scoring.incident_class]]
id = \"minor\"
name = \"一般差错\"
amount = 500
deadline_days = 5
[[scoring.incident_class]]
id = \"major\"
name = \"重大事故\"
amount = 5000
serious = true
";

const BANDS: &str = "
[[scoring.band]]
name = \"A\"
min = 90
payout_rate = 1.0
[[scoring.band]]
name = \"B\"
min = 80
payout_rate = 0.95
[[scoring.band]]
name = \"C\"
min = 0
payout_rate = 0.9
";

#[test]
fn s8_s10_incidents_deduct_their_amounts_and_a_serious_one_lowers_the_band() {
    let rule = "rule = \"linear\"\ntarget = 1.0\nbaseline = 0.0";
    let text = one("fcr_rate", rule).replace(
        "[scoring]\n",
        "[scoring]\nserious_incident_lowers_band = 1\n",
    ) + CLASSES
        + BANDS;
    // 92 points: band A. Two minor incidents in October, one in September (not counted):
    // 2 × 500 = 1,000; the first is to be put right by 2026-10-08.
    let incidents = vec![
        incident("2026-10-03", "minor"),
        incident("2026-10-20", "minor"),
        incident("2026-09-30", "minor"),
    ];
    let s = sheet(&text, &[("fcr_rate", 0.92)], incidents.clone(), vec![]);
    assert_eq!(
        (s.band.as_deref(), s.incident_deduction),
        (Some("A"), 1000.0)
    );
    assert_eq!(s.incidents[0].deadline, Some(day("2026-10-08")));
    assert_eq!(s.incidents_elsewhere, 1);
    // A major incident too: band A lowered by one to B (95 %): 5,000 withheld; 6,000 in
    // incident deductions.
    let mut more = incidents;
    more.push(incident("2026-10-21", "major"));
    let s = sheet(&text, &[("fcr_rate", 0.92)], more, vec![]);
    assert_eq!((s.band.as_deref(), s.band_lowered), (Some("B"), 1));
    assert_eq!(
        (s.score_deduction, s.incident_deduction),
        (Some(5000.0), 6000.0)
    );
}

#[test]
fn s11_a_veto_the_pass_mark_and_the_bonus_bar() {
    let rule = "rule = \"linear\"\ntarget = 1.0\nbaseline = 0.0";
    let veto = "[[scoring.veto]]\nid = \"v\"\nname = \"投诉过多\"\nclause = \"9\"\nwhen = \"complaint_rate > 0.05\"\n";
    let bonus = "[[scoring.adjustment]]\nid = \"b\"\nname = \"表扬\"\nclause = \"8\"\npoints = 2\ncap = 4\nmanual = true\n";
    let text = one("fcr_rate", rule).replace(
        "[scoring]\n",
        "[scoring]\npass_mark = 60\nbonus_min_score = 80\n",
    ) + veto
        + bonus
        + BANDS;
    let praise = vec![ManualScore {
        indicator: "b".into(),
        points: 3.0,
        source: "表扬信".into(),
        site: None,
        line: 2,
    }];
    // 92 points, complaints 6 %: vetoed whatever the score: failed, the lowest band C.
    let s = sheet(
        &text,
        &[("fcr_rate", 0.92), ("complaint_rate", 0.06)],
        vec![],
        praise.clone(),
    );
    assert!(s.failed && s.vetoes[0].triggered == Some(true));
    assert_eq!((s.score, s.band.as_deref()), (Some(95.0), Some("C")));
    // 75 points, complaints 1 %: no veto; the bonus (3) is withheld below the bar of 80.
    let s = sheet(
        &text,
        &[("fcr_rate", 0.75), ("complaint_rate", 0.01)],
        vec![],
        praise.clone(),
    );
    assert!(s.bonus_withheld && !s.failed);
    assert_eq!(s.score, Some(75.0));
    // 55 points: below the pass mark.
    let s = sheet(
        &text,
        &[("fcr_rate", 0.55), ("complaint_rate", 0.01)],
        vec![],
        praise,
    );
    assert!(s.failed);
    // Complaints not measurable: the veto is undecided, and so is the payout.
    let s = sheet(&text, &[("fcr_rate", 0.92)], vec![], vec![]);
    assert_eq!(s.vetoes[0].triggered, None);
    assert_eq!((s.band.as_deref(), s.score_deduction), (None, None));
}

#[test]
fn s12_bonus_and_minus_points_each_with_a_cap() {
    let rule = "rule = \"linear\"\ntarget = 1.0\nbaseline = 0.0";
    let adj = "[[scoring.adjustment]]\nid = \"m\"\nname = \"差错\"\nclause = \"8\"\npoints = -3\ncap = 5\nincident_class = \"minor\"\n\
[[scoring.adjustment]]\nid = \"p\"\nname = \"达标奖励\"\nclause = \"8\"\npoints = 2\ncap = 2\nwhen = \"fcr_rate >= 0.8\"\n";
    let text = one("fcr_rate", rule) + adj + CLASSES;
    // 90 points; two minor incidents: −6 capped at −5; FCR ≥ 80 %: +2. 90 − 5 + 2 = 87.
    let s = sheet(
        &text,
        &[("fcr_rate", 0.9)],
        vec![
            incident("2026-10-03", "minor"),
            incident("2026-10-04", "minor"),
        ],
        vec![],
    );
    assert_eq!(s.adjustments[0].points, Some(-5.0));
    assert!(s.adjustments[0].capped);
    assert_eq!(s.adjustments[1].points, Some(2.0));
    assert_eq!(s.score, Some(87.0));
}

#[test]
fn s13_grades() {
    let rule = "rule = \"linear\"\ntarget = 1.0\nbaseline = 0.0";
    let grades = "[[scoring.grade]]\nname = \"AAA\"\nmin = 95\n[[scoring.grade]]\nname = \"A\"\nmin = 75\n[[scoring.grade]]\nname = \"D\"\nmin = 0\n";
    let text = one("fcr_rate", rule) + grades;
    let grade = |v: f64| sheet(&text, &[("fcr_rate", v)], vec![], vec![]).grade;
    assert_eq!(grade(0.96).as_deref(), Some("AAA"));
    assert_eq!(grade(0.80).as_deref(), Some("A"));
    assert_eq!(grade(0.50).as_deref(), Some("D"));
}

#[test]
fn s9_sites_combine_lowest_mean_or_by_volume() {
    use crate::config::contract::scoring::Combine;
    use crate::evaluate::scoring::{combine, SiteScore};
    let site = |score, contacts| SiteScore {
        score: Some(score),
        contacts,
        ..Default::default()
    };
    // 90 on 300 contacts, 60 on 100: lowest 60, mean 75, by volume (27,000 + 6,000) / 400 =
    // 82.5.
    let sites = [site(90.0, 300), site(60.0, 100)];
    assert_eq!(combine(&sites, Some(Combine::Lowest)), Some(60.0));
    assert_eq!(combine(&sites, Some(Combine::Mean)), Some(75.0));
    assert_eq!(combine(&sites, Some(Combine::VolumeWeighted)), Some(82.5));
    let open = [site(90.0, 300), SiteScore::default()];
    assert_eq!(combine(&open, Some(Combine::Lowest)), None);
}

#[test]
fn s17_what_cannot_be_measured_follows_the_contracts_policy() {
    let two = |policy: &str| {
        format!(
            "[scoring]\nunmeasurable = \"{policy}\"\n\
[[scoring.indicator]]\nid = \"a\"\nname = \"甲\"\nclause = \"1\"\nweight = 60\nmetric = \"fcr_rate\"\nrule = \"threshold\"\nthreshold = 0.5\n\
[[scoring.indicator]]\nid = \"b\"\nname = \"乙\"\nclause = \"2\"\nweight = 40\nmetric = \"csat_mean\"\nrule = \"threshold\"\nthreshold = 4\n"
        )
    };
    // 甲 60 of 60; 乙 (satisfaction) not measurable.
    let v = [("fcr_rate", 0.8)];
    let s = sheet(&two("undecided"), &v, vec![], vec![]);
    assert_eq!(s.score, None);
    let t = Text::load(Lang::Zh);
    assert_eq!(
        sentence(&s.sites[0].indicators[1], &t),
        "乙 无法计量，总分待定，不据此结算"
    );
    // Redistributed: 60 of the 60 measured points → 100.
    let s = sheet(&two("redistribute"), &v, vec![], vec![]);
    assert_eq!(s.score, Some(100.0));
    assert_eq!(
        sentence(&s.sites[0].indicators[1], &t),
        "乙 无法计量，按合同不计入，其 40 分按比例分摊给其他指标"
    );
    // Zero: 60. Fail: 60 and the period fails.
    assert_eq!(sheet(&two("zero"), &v, vec![], vec![]).score, Some(60.0));
    let s = sheet(&two("fail"), &v, vec![], vec![]);
    assert!(s.failed && s.score == Some(60.0));
}

#[test]
fn a_manual_score_names_its_source() {
    let text = "[scoring]\n[[scoring.indicator]]\nid = \"m\"\nname = \"管理考核\"\nclause = \"3\"\nweight = 100\nrule = \"manual\"\n";
    let given = vec![ManualScore {
        indicator: "m".into(),
        points: 85.0,
        source: "甲方月度检查表".into(),
        site: None,
        line: 2,
    }];
    let s = sheet(text, &[], vec![], given);
    assert_eq!(points(&s), Some(85.0));
    assert_eq!(
        said(&s),
        "管理考核 由评估方评定（依据：甲方月度检查表），得 85 分，扣 15 分"
    );
    assert_eq!(s.sites[0].indicators[0].unit, Unit::Number);
}
