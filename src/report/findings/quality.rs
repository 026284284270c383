//! The findings about quality inspections: criteria failed often, agents failing far more
//! than the team, and a sampling plan the inspections did not follow.

use super::*;

/// Quality criteria failed often.
pub(super) fn qa_criterion(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let Some(q) = &f.r.metrics.quality else {
        return;
    };
    let (medium, high) = QA_CRITERION_FAIL_RATES;
    for c in q.criteria.iter().take(3) {
        let Some(rate) = c.fail_rate else { continue };
        if c.failed < QA_CRITERION_MIN_FAILED || rate < medium {
            continue;
        }
        let name = t.criterion(&c.criterion);
        out.push(finding(
            format!("qa_criterion:{}", c.criterion),
            if rate >= high {
                Severity::High
            } else {
                Severity::Medium
            },
            t.finding(
                "qa_criterion",
                &[
                    ("criterion", name.clone()),
                    ("failed", c.failed.to_string()),
                    ("checked", c.checked.to_string()),
                    ("rate", pct(Some(rate))),
                ],
            ),
            t.finding("qa_criterion_suggestion", &[("criterion", name)]),
        ));
    }
}

/// Agents who fail inspections far more often than the team.
pub(super) fn qa_agent(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let Some(q) = &f.r.metrics.quality else {
        return;
    };
    let Some(team) = q.pass_rate else { return };
    for a in &q.agents {
        let Some(rate) = a.pass_rate else { continue };
        let enough = a.inspections >= f.r.terms.min_person_inspections;
        if !enough || rate > team - QA_AGENT_GAP {
            continue;
        }
        out.push(finding(
            format!("qa_agent:{}", a.agent_id),
            Severity::Low,
            t.finding(
                "qa_agent",
                &[
                    ("agent", agent_label(&a.agent_id, a.agent_name.as_deref())),
                    ("rate", pct(Some(rate))),
                    ("n", a.inspections.to_string()),
                    ("team_rate", pct(Some(team))),
                ],
            ),
            t.finding("qa_agent_suggestion", &[]),
        ));
    }
}

/// A check on the provider's export that stands out (数据核查): its result, the agents or
/// hours concerned, why it matters.
pub(super) fn integrity(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    for c in f.r.metrics.integrity.checks.iter().filter(|c| c.flagged) {
        out.push(finding(
            format!("integrity:{}", c.id),
            Severity::Medium,
            t.finding(
                "integrity",
                &[
                    ("check", t.label(&format!("integrity_{}", c.id))),
                    ("result", f.r.integrity_result(c)),
                    ("concerns", f.r.integrity_concerns(c)),
                ],
            ),
            t.finding(
                "integrity_suggestion",
                &[("why", t.label(&format!("integrity_{}_why", c.id)))],
            ),
        ));
    }
}

/// The inspections fall short of the sampling plan (`--plan`): how many of the contacts it
/// drew were inspected, the strata furthest behind, and the inspections outside the plan.
pub(super) fn plan_coverage(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let t = &f.r.text;
    let Some(c) = &f.r.metrics.plan_coverage else {
        return;
    };
    if c.inspected >= c.planned && c.outside == 0 {
        return;
    }
    let mut short: Vec<&crate::kpi::coverage::CoverageRow> = c
        .strata
        .iter()
        .filter(|s| s.inspected < s.planned)
        .collect();
    short.sort_by(|a, b| a.rate.unwrap_or(0.0).total_cmp(&b.rate.unwrap_or(0.0)));
    let strata: Vec<String> = short
        .iter()
        .take(3)
        .map(|s| format!("{} {}/{}", s.name, s.inspected, s.planned))
        .collect();
    out.push(finding(
        "plan_coverage".into(),
        if c.rate.unwrap_or(0.0) < 0.8 {
            Severity::High
        } else {
            Severity::Medium
        },
        t.finding(
            "plan_coverage",
            &[
                ("inspected", c.inspected.to_string()),
                ("planned", c.planned.to_string()),
                ("rate", pct(c.rate)),
                ("outside", c.outside.to_string()),
                ("strata", strata.join(&t.label("list_separator"))),
            ],
        ),
        t.finding("plan_coverage_suggestion", &[]),
    ));
}
