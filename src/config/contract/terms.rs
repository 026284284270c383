//! The contract's terms for figures measured on samples (`[uncertainty]`: the verdict
//! policy and how an inconclusive SLA counts) and for repeat contacts (`[repeat]`), with
//! their defaults. Checked in [`super::parse`]; used by `evaluate` and `kpi::repeat`.

use serde::{Deserialize, Serialize};

/// How a figure measured on a sample (survey responses, inspections) is judged against
/// its target, given its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VerdictPolicy {
    /// The figure itself against the target.
    #[default]
    Point,
    /// Missed only when the whole interval is below the target; a figure below the target
    /// whose interval reaches it is inconclusive.
    BenefitOfDoubt,
    /// Met only when the whole interval is at or above the target; a figure at or above the
    /// target whose interval reaches below it is inconclusive.
    Strict,
}

/// How an inconclusive SLA counts for tiers, the scoring sheet and deductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InconclusiveCounts {
    /// As not measurable: no tier, no points, no deduction decided on it.
    #[default]
    Undecided,
    /// As met (its figure used as it is).
    Met,
    /// As missed (its figure used as it is, and a deduction).
    Missed,
}

/// `[repeat]`: the repeat-contact measures (docs/metrics.md, Repeat contacts).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RepeatCfg {
    #[serde(default)]
    pub clause: Option<String>,
    /// 人工一解率: an answered contact is resolved at first contact when its caller does not
    /// reach the service again within this many hours.
    #[serde(default = "twenty_four")]
    pub fcr_window_hours: f64,
    /// Count only a repeat on the same channel (else on any channel).
    #[serde(default)]
    pub same_channel: bool,
    /// 重复来电率: callers who reached an agent this many times …
    #[serde(default = "four")]
    pub contacts: u32,
    /// … within this many consecutive days.
    #[serde(default = "seven")]
    pub days: f64,
    /// 重复拨打率: a repeat request, answered or not, within this many minutes of an
    /// answered contact, charged to that contact's agent.
    #[serde(default = "one_twenty")]
    pub within_minutes: f64,
    /// 回拨 / 真实呼损: an abandoned contact is called back, or its caller reached, when an
    /// outbound contact (or an answered contact of the caller's own) follows within this
    /// many hours.
    #[serde(default = "twenty_four")]
    pub callback_window_hours: f64,
}

fn twenty_four() -> f64 {
    24.0
}
fn four() -> u32 {
    4
}
fn seven() -> f64 {
    7.0
}
fn one_twenty() -> f64 {
    120.0
}

impl Default for RepeatCfg {
    fn default() -> Self {
        RepeatCfg {
            clause: None,
            fcr_window_hours: twenty_four(),
            same_channel: false,
            contacts: four(),
            days: seven(),
            within_minutes: one_twenty(),
            callback_window_hours: twenty_four(),
        }
    }
}

/// `[uncertainty]`: the confidence of the intervals of figures measured on samples, and
/// how they are judged.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UncertaintyCfg {
    #[serde(default)]
    pub clause: Option<String>,
    #[serde(default = "ninety_five")]
    pub confidence: f64,
    #[serde(default)]
    pub verdict: VerdictPolicy,
    #[serde(default)]
    pub inconclusive: InconclusiveCounts,
}

fn ninety_five() -> f64 {
    0.95
}

impl UncertaintyCfg {
    /// The text tables' key of the verdict policy (`verdict_strict`).
    pub fn policy_key(&self) -> String {
        let name = serde_json::to_value(self.verdict).unwrap_or_default();
        format!("verdict_{}", name.as_str().unwrap_or("point"))
    }

    /// The text tables' key of how an inconclusive SLA counts (`inconclusive_counts_met`).
    pub fn counts_key(&self) -> String {
        let name = serde_json::to_value(self.inconclusive).unwrap_or_default();
        format!(
            "inconclusive_counts_{}",
            name.as_str().unwrap_or("undecided")
        )
    }
}

impl Default for UncertaintyCfg {
    fn default() -> Self {
        UncertaintyCfg {
            clause: None,
            confidence: ninety_five(),
            verdict: VerdictPolicy::Point,
            inconclusive: InconclusiveCounts::Undecided,
        }
    }
}
