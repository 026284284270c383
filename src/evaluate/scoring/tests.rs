//! Each rule shape with a hand-worked example, and the whole sheet on a small contract.

use super::*;
use crate::config::contract::scoring::Rule;

fn pts(rule: &Rule, weight: f64, v: f64) -> f64 {
    round2(rule_points(rule, weight, v))
}

#[test]
fn s1_linear_between_baseline_and_target_with_a_floor() {
    // "≥ 90 % full marks (20); < 80 % → 10 points; linear in between".
    let r = Rule::Linear {
        target: 0.90,
        baseline: 0.80,
        floor: 10.0,
    };
    assert_eq!(pts(&r, 20.0, 0.95), 20.0);
    assert_eq!(pts(&r, 20.0, 0.90), 20.0);
    // 85 %: halfway, 10 + (20 − 10) × 0.5 = 15.
    assert_eq!(pts(&r, 20.0, 0.85), 15.0);
    // 82.5 %: a quarter of the way, 10 + 10 × 0.25 = 12.5.
    assert_eq!(pts(&r, 20.0, 0.825), 12.5);
    assert_eq!(pts(&r, 20.0, 0.6667), 10.0);
    // Lower is better (abandon rate: 3 % full marks, 8 % and more 0): 4.25 % →
    // 10 × (0.08 − 0.0425) / 0.05 = 7.5.
    let r = Rule::Linear {
        target: 0.03,
        baseline: 0.08,
        floor: 0.0,
    };
    assert_eq!(pts(&r, 10.0, 0.0425), 7.5);
    assert_eq!(pts(&r, 10.0, 0.02), 10.0);
    assert_eq!(pts(&r, 10.0, 0.09), 0.0);
}

#[test]
fn s2_piecewise_through_interior_knots() {
    // 1.1 % → 0, 1.05 % → 3, 1 % → full (15).
    let r = Rule::Piecewise {
        knots: vec![(0.01, 15.0), (0.0105, 3.0), (0.011, 0.0)],
    };
    assert_eq!(pts(&r, 15.0, 0.009), 15.0);
    assert_eq!(pts(&r, 15.0, 0.01), 15.0);
    // 1.025 %: halfway between 1 % (15) and 1.05 % (3): 9.
    assert_eq!(pts(&r, 15.0, 0.01025), 9.0);
    // 1.075 %: halfway between 1.05 % (3) and 1.1 % (0): 1.5.
    assert_eq!(pts(&r, 15.0, 0.01075), 1.5);
    assert_eq!(pts(&r, 15.0, 0.02), 0.0);
}

#[test]
fn s3_a_deduction_per_point_below_a_threshold_with_a_floor() {
    // "≥ 90 % → 25 points, 每下降一个百分点扣1分", floor 15.
    let r = |steps| Rule::PerStep {
        threshold: 0.90,
        step: 0.01,
        deduct: 1.0,
        floor: 15.0,
        better: Better::Higher,
        steps,
    };
    assert_eq!(pts(&r(Steps::ProRata), 25.0, 0.93), 25.0);
    // 87.5 %: 2.5 points below → 25 − 2.5 = 22.5; whole points only 25 − 2 = 23; every
    // point begun 25 − 3 = 22.
    assert_eq!(pts(&r(Steps::ProRata), 25.0, 0.875), 22.5);
    assert_eq!(pts(&r(Steps::Whole), 25.0, 0.875), 23.0);
    assert_eq!(pts(&r(Steps::Started), 25.0, 0.875), 22.0);
    // 85 % exactly: 5 points (0.90 − 0.85 is 0.05000000000000004 in binary).
    assert_eq!(pts(&r(Steps::Whole), 25.0, 0.85), 20.0);
    assert_eq!(pts(&r(Steps::Started), 25.0, 0.85), 20.0);
    // 60 %: 30 points below, not under the floor of 15.
    assert_eq!(pts(&r(Steps::ProRata), 25.0, 0.60), 15.0);
}

#[test]
fn s5_threshold_to_zero() {
    let r = Rule::Threshold {
        threshold: 0.95,
        better: Better::Higher,
    };
    assert_eq!(pts(&r, 5.0, 0.95), 5.0);
    assert_eq!(pts(&r, 5.0, 0.9499), 0.0);
    let r = Rule::Threshold {
        threshold: 0.01,
        better: Better::Lower,
    };
    assert_eq!(pts(&r, 5.0, 0.01), 5.0);
    assert_eq!(pts(&r, 5.0, 0.012), 0.0);
}

#[test]
fn s15_transition_relaxes_thresholds_the_way_that_helps() {
    // 10 %: 90 % → 81 %, 80 % → 72 %; a lower-is-better 2 % → 2.2 %.
    let r = relaxed(
        &Rule::Linear {
            target: 0.90,
            baseline: 0.80,
            floor: 0.0,
        },
        0.10,
    );
    let Rule::Linear {
        target, baseline, ..
    } = r
    else {
        panic!()
    };
    assert!((target - 0.81).abs() < 1e-12 && (baseline - 0.72).abs() < 1e-12);
    let r = relaxed(
        &Rule::Threshold {
            threshold: 0.02,
            better: Better::Lower,
        },
        0.10,
    );
    assert_eq!(pts(&r, 5.0, 0.021), 5.0);
}

#[test]
fn the_figures_a_sheet_may_name_are_those_of_metrics_json() {
    use crate::config::contract::scoring::{CHANNEL_FIGURES, OVERALL_FIGURES};
    let o = serde_json::to_value(crate::kpi::Overall::default()).unwrap();
    let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, OVERALL_FIGURES);
    // A real-time channel's (an asynchronous one has no abandon rate).
    let phone = crate::kpi::ChannelMetrics {
        abandon_rate: Some(0.0),
        ..Default::default()
    };
    let c = serde_json::to_value(phone).unwrap();
    for k in CHANNEL_FIGURES {
        assert!(c.get(*k).is_some(), "channels.<channel>.{k}");
    }
}
