//! The payment statement (费用结算): how the month's bonus and deductions follow from the
//! contract's base fee, tiers and penalty terms and from the scorecard, line by line (each
//! tier condition with the figure it was checked against, each breached SLA with its rate,
//! the cap), down to the net amount payable, so that both parties can redo the arithmetic.
//!
//! It decides nothing: the tier, the breaches and the rates are the incentive evaluation's
//! ([`super::evaluate`]); this module lays them out. Amounts are rounded to the cent.

use super::{holds, subject_value, IncentiveResult, ScoreLine};
use crate::config::contract::{Condition, Op};
use crate::config::Contract;
use crate::kpi::Kpis;
use serde::{Deserialize, Serialize};

/// The payment statement of a monthly evaluation (`metrics.json` → `payment`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Payment {
    pub currency: Option<String>,
    /// `[contract] monthly_base_fee`; without it no amount is computed, only rates.
    pub base_fee: Option<f64>,
    /// The contract has tiers (`[incentive]`) and deduction terms (`[penalty]`): without
    /// them the statement has no bonus or breach lines.
    #[serde(default = "yes")]
    pub tiers: bool,
    #[serde(default = "yes")]
    pub penalty_terms: bool,
    pub tier: Option<String>,
    pub tier_clause: Option<String>,
    /// The conditions of every tier checked, in order, down to the one awarded (or to the
    /// one that could not be decided).
    pub conditions: Vec<ConditionCheck>,
    pub bonus_rate: f64,
    pub bonus: Option<f64>,
    /// One line per breached SLA.
    pub deductions: Vec<Deduction>,
    /// The breaches' rates added up, before the cap.
    pub deduction_rate_before_cap: f64,
    pub cap_rate: Option<f64>,
    pub cap_applied: bool,
    pub deduction_rate: f64,
    pub deduction: Option<f64>,
    pub penalty_clause: Option<String>,
    /// What the scoring sheet's score withholds (fee × (1 − payout rate), or the part of
    /// the held-back pool not paid); null without a sheet or when its score is undecided.
    #[serde(default)]
    pub score_deduction: Option<f64>,
    /// The incidents' fixed deductions (`[[scoring.incident_class]] amount`), added up.
    #[serde(default)]
    pub incident_deduction: f64,
    /// Base fee + bonus − deduction − score deduction − incident deductions (a bonus not
    /// awarded counts 0).
    pub net_payable: Option<f64>,
}

fn yes() -> bool {
    true
}

/// One tier condition as it was checked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConditionCheck {
    pub tier: String,
    /// `all` (every one must hold) or `any` (one suffices).
    pub group: String,
    /// As written in the contract (`csat_top_box_rate >= 0.85`).
    pub condition: String,
    /// The SLA id or overall metric it names, and the SLA's name when it is one.
    pub subject: String,
    pub subject_name: Option<String>,
    pub op: String,
    pub value: f64,
    /// The figure it names is a rate (shown as a percentage).
    pub percent: bool,
    pub actual: Option<f64>,
    /// `None`: the figure is not measurable, so the condition is not decided.
    pub holds: Option<bool>,
}

/// The deduction for one breached SLA.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deduction {
    pub sla: String,
    pub name: String,
    pub clause: String,
    pub rate: f64,
    /// Base fee × rate, before the cap.
    pub amount: Option<f64>,
}

/// The statement for `res`, the incentive evaluation of `scorecard`.
pub fn statement(
    contract: &Contract,
    kpis: &Kpis,
    scorecard: &[ScoreLine],
    res: &IncentiveResult,
    sheet: Option<&super::scoring::ScoreSheet>,
) -> Payment {
    let fee = contract.info.monthly_base_fee;
    let money = |rate: f64| fee.map(|f| super::round_money(f * rate));
    let per = contract
        .penalty
        .as_ref()
        .map_or(0.0, |p| p.per_breached_sla_rate);
    let deductions: Vec<Deduction> = scorecard
        .iter()
        .filter(|l| contract.penalty.is_some() && res.breached_slas.contains(&l.id))
        .map(|l| Deduction {
            sla: l.id.clone(),
            name: l.name.clone(),
            clause: l.clause.clone(),
            rate: per,
            amount: money(per),
        })
        .collect();
    let before_cap = per * deductions.len() as f64;
    let cap_rate = contract.penalty.as_ref().and_then(|p| p.cap_rate);
    let deduction = res.penalty;
    let bonus = res.bonus;
    Payment {
        currency: contract.info.currency.clone(),
        base_fee: fee,
        tiers: contract.incentive.is_some(),
        penalty_terms: contract.penalty.is_some(),
        tier: res.tier.clone(),
        tier_clause: res.clause.clone(),
        conditions: conditions(contract, kpis, scorecard, res),
        bonus_rate: res.bonus_rate,
        bonus,
        deductions,
        deduction_rate_before_cap: before_cap,
        cap_rate,
        cap_applied: cap_rate.is_some_and(|c| before_cap > c + super::EPS),
        deduction_rate: res.penalty_rate,
        deduction,
        penalty_clause: res.penalty_clause.clone(),
        score_deduction: sheet.and_then(|s| s.score_deduction),
        incident_deduction: sheet.map_or(0.0, |s| s.incident_deduction),
        // A sheet whose score is undecided leaves the amount payable undecided too.
        net_payable: fee.and_then(|f| {
            let scored = match sheet {
                Some(s) => s.score_deduction? + s.incident_deduction,
                None => 0.0,
            };
            Some(super::round_money(
                f + bonus.unwrap_or(0.0) - deduction.unwrap_or(0.0) - scored,
            ))
        }),
    }
}

/// Every condition of the tiers checked, in order, down to the tier awarded (or the one
/// that could not be decided).
fn conditions(
    contract: &Contract,
    kpis: &Kpis,
    scorecard: &[ScoreLine],
    res: &IncentiveResult,
) -> Vec<ConditionCheck> {
    let Some(inc) = &contract.incentive else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in &inc.tiers {
        let groups = [("all", &t.all), ("any", &t.any)];
        for (group, list) in groups {
            for c in list.iter() {
                out.push(check(&t.name, group, c, kpis, scorecard));
            }
        }
        let decided_here = res.tier.as_deref() == Some(t.name.as_str())
            || res
                .undecided_conditions
                .iter()
                .any(|u| t.all.iter().chain(&t.any).any(|c| &c.text == u));
        if decided_here {
            break;
        }
    }
    out
}

fn check(
    tier: &str,
    group: &str,
    c: &Condition,
    kpis: &Kpis,
    scorecard: &[ScoreLine],
) -> ConditionCheck {
    let actual = subject_value(&c.subject, kpis, scorecard);
    let line = scorecard.iter().find(|l| l.id == c.subject);
    ConditionCheck {
        tier: tier.to_string(),
        group: group.to_string(),
        condition: c.text.clone(),
        subject: c.subject.clone(),
        subject_name: line.map(|l| l.name.clone()),
        op: match c.op {
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Eq => "=",
        }
        .to_string(),
        value: c.value,
        percent: line.map_or_else(
            || c.subject.ends_with("_rate") || c.subject == "service_level",
            |l| l.metric.is_rate(),
        ),
        actual,
        holds: actual.map(|v| holds(c, Some(v))),
    }
}
