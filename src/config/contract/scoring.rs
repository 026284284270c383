//! `[scoring]`: the weighted scoring sheet (考核表) of a contract, read and checked.
//!
//! Blocks (一级指标) with weights, indicators (二级指标) each scored from a figure cseval
//! computes (an SLA's actual or a KPI of `metrics.json` by key) or from a score the
//! evaluator supplies, by one of the rule shapes of `docs/scoring.md`; caps on preconditions,
//! vetoes, bonus and minus points, incident classes with their fixed deductions, bands,
//! grades, the payout (formula or band table, optionally on a held-back pool), sites, the
//! transition tolerance and the policy for an indicator that cannot be measured. Every
//! mistake is refused when the contract loads, naming the file, the indicator and the fix.
//! Nothing here scores a period: that is `evaluate::scoring`.

use super::Condition;
use serde::{Deserialize, Serialize};

mod check;
pub use check::parse_scoring;

/// The overall figures an indicator or a condition may name (`metrics.json` → `overall`),
/// as `overall.<key>` or by the key alone. `evaluate::scoring`'s tests hold this to
/// `Overall`'s fields.
pub const OVERALL_FIGURES: &[&str] = &[
    "contacts",
    "answered",
    "abandoned",
    "short_abandoned",
    "unanswered",
    "resolved",
    "resolution_rate",
    "fcr_rate",
    "abandon_rate",
    "asa_seconds",
    "aht_seconds",
    "csat_mean",
    "csat_top_box_rate",
    "csat_responses",
    "csat_response_rate",
    "nps",
    "complaints",
    "complaint_rate",
    "resolution_time_mean_seconds",
    "resolution_time_p50_seconds",
    "repeat_fcr_rate",
    "repeat_contact_rate",
    "repeat_within_rate",
    "callback_rate",
    "callback_mean_seconds",
    "true_abandon_rate",
];

/// Per-channel figures (`channels.<channel>.<key>`).
pub const CHANNEL_FIGURES: &[&str] = &[
    "contacts",
    "answered",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "response_p50_seconds",
    "response_p90_seconds",
    "aht_seconds",
    "resolution_rate",
    "fcr_rate",
    "csat_mean",
];

/// Quality figures (`quality.<key>`).
pub const QUALITY_FIGURES: &[&str] = &["pass_rate", "score_mean"];

/// Whether `key` names a figure: an SLA id, an overall figure (with or without
/// `overall.`), `channels.<channel's name>.<figure>` or `quality.<figure>`.
pub fn is_figure(key: &str, sla_ids: &[String], channels: &crate::model::Channels) -> bool {
    if sla_ids.iter().any(|s| s == key) || OVERALL_FIGURES.contains(&key) {
        return true;
    }
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["overall", k] => OVERALL_FIGURES.contains(k),
        ["quality", k] => QUALITY_FIGURES.contains(k),
        ["channels", c, k] => {
            channels.parse(c).is_some_and(|ch| channels.name(ch) == *c)
                && CHANNEL_FIGURES.contains(k)
        }
        _ => false,
    }
}

/// What an indicator does when its figure cannot be measured (S17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unmeasurable {
    /// No total score, no payout from the score: the report names the indicator.
    #[default]
    Undecided,
    /// Left out; the other indicators' points are scaled to the full total.
    Redistribute,
    /// Scored 0.
    Zero,
    /// The period fails, as by a veto.
    Fail,
}

/// Which way an indicator's figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    #[default]
    Higher,
    Lower,
}

/// How the steps below a threshold are counted (S3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Steps {
    /// In proportion: 2.5 points below at 1 point each costs 2.5.
    #[default]
    ProRata,
    /// Whole steps only: 2.5 points below costs 2.
    Whole,
    /// Every step begun: 2.5 points below costs 3.
    Started,
}

/// How the sites' scores make the contract's (S9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The lowest site's score decides.
    Lowest,
    /// The mean weighted by each site's contacts.
    VolumeWeighted,
    /// The plain mean.
    Mean,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringFile {
    #[serde(default)]
    pub clause: Option<String>,
    #[serde(default = "hundred")]
    pub total: f64,
    #[serde(default)]
    pub unmeasurable: Unmeasurable,
    #[serde(default)]
    pub pass_mark: Option<f64>,
    #[serde(default)]
    pub bonus_min_score: Option<f64>,
    #[serde(default)]
    pub serious_incident_lowers_band: Option<u32>,
    #[serde(default)]
    pub pool_rate: Option<f64>,
    #[serde(default)]
    pub failed_payout_rate: Option<f64>,
    #[serde(default)]
    pub payout: Option<Payout>,
    #[serde(default)]
    pub sites: Option<Sites>,
    #[serde(default)]
    pub transition: Option<Transition>,
    #[serde(default)]
    pub block: Vec<Block>,
    #[serde(default)]
    pub indicator: Vec<IndicatorFile>,
    #[serde(default)]
    pub band: Vec<Band>,
    #[serde(default)]
    pub grade: Vec<Grade>,
    #[serde(default)]
    pub veto: Vec<VetoFile>,
    #[serde(default)]
    pub adjustment: Vec<AdjustmentFile>,
    #[serde(default)]
    pub incident_class: Vec<IncidentClass>,
}

fn hundred() -> f64 {
    100.0
}

/// S6: the score → payment formula: at or above `full_at` the fee in full, below it
/// `base_rate + per_point × score` of it (`(15 + m) %`: 0.15 and 0.01).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Payout {
    pub full_at: f64,
    pub base_rate: f64,
    pub per_point: f64,
    #[serde(default)]
    pub clause: Option<String>,
}

/// S9: several sites (the contacts' `site` column).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sites {
    pub combine: Combine,
    /// How many sites the ranking's top and bottom lists (红黑榜) name.
    #[serde(default = "three")]
    pub ranking: usize,
    #[serde(default)]
    pub clause: Option<String>,
}

fn three() -> usize {
    3
}

/// S15: the first months after go-live, thresholds relaxed by `relax` (0.10 = 10 %).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The last month of the transition, `YYYY-MM`.
    pub until: String,
    pub relax: f64,
    #[serde(default)]
    pub clause: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub weight: f64,
}

/// S10: a score band and the share of the fee it pays.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: f64,
    pub payout_rate: f64,
    #[serde(default)]
    pub name: Option<String>,
}

/// S13: a grade and the lowest score that earns it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub min: f64,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub block: Option<String>,
    pub weight: f64,
    pub clause: String,
    /// The figure scored; none for `rule = "manual"`.
    #[serde(default)]
    pub metric: Option<String>,
    pub rule: String,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub baseline: Option<f64>,
    #[serde(default)]
    pub floor: Option<f64>,
    #[serde(default)]
    pub knots: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub step: Option<f64>,
    #[serde(default)]
    pub deduct: Option<f64>,
    #[serde(default)]
    pub steps: Option<Steps>,
    #[serde(default)]
    pub better: Option<Better>,
    #[serde(default)]
    pub cap_when: Option<String>,
    #[serde(default)]
    pub cap_points: Option<f64>,
    #[serde(default)]
    pub unmeasurable: Option<Unmeasurable>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VetoFile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub clause: String,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub incident_class: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentFile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub clause: String,
    /// Points per occurrence: positive for a bonus, negative for a minus.
    pub points: f64,
    /// The most points (in absolute value) the adjustment gives in a period.
    pub cap: f64,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub incident_class: Option<String>,
    /// Taken from the `--scores` file under this id.
    #[serde(default)]
    pub manual: bool,
}

/// S8: a class of incident from the `--incidents` file: its fixed deduction, whether it is
/// serious (lowers the band), and the days allowed to put it right (限期整改).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IncidentClass {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub amount: f64,
    #[serde(default)]
    pub serious: bool,
    #[serde(default)]
    pub deadline_days: Option<u32>,
    #[serde(default)]
    pub clause: Option<String>,
}

/// An indicator's rule, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Rule {
    /// S1: full points at `target`, `floor` points at or past `baseline`, linear between.
    Linear {
        target: f64,
        baseline: f64,
        floor: f64,
    },
    /// S2: through the knots (figure, points), sorted by figure; flat beyond the ends.
    Piecewise { knots: Vec<(f64, f64)> },
    /// S3: full points at `threshold`; `deduct` points per `step` short of it, not below
    /// `floor`.
    PerStep {
        threshold: f64,
        step: f64,
        deduct: f64,
        floor: f64,
        better: Better,
        steps: Steps,
    },
    /// S5: full points at `threshold`, else 0.
    Threshold { threshold: f64, better: Better },
    /// The points the evaluator supplies (`--scores`).
    Manual,
}

/// S4: at most `points` when `when` holds.
#[derive(Debug, Clone, Serialize)]
pub struct Cap {
    pub when: Condition,
    pub points: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub block: Option<String>,
    pub weight: f64,
    pub clause: String,
    pub metric: Option<String>,
    pub rule: Rule,
    pub cap: Option<Cap>,
    pub unmeasurable: Unmeasurable,
}

#[derive(Debug, Clone, Serialize)]
pub struct Veto {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub clause: String,
    pub when: Option<Condition>,
    pub incident_class: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Adjustment {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub clause: String,
    pub points: f64,
    pub cap: f64,
    pub when: Option<Condition>,
    pub incident_class: Option<String>,
    pub manual: bool,
}

/// A checked `[scoring]`.
#[derive(Debug, Clone, Serialize)]
pub struct Scoring {
    pub clause: Option<String>,
    pub total: f64,
    pub pass_mark: Option<f64>,
    pub bonus_min_score: Option<f64>,
    pub serious_incident_lowers_band: u32,
    pub pool_rate: Option<f64>,
    pub failed_payout_rate: Option<f64>,
    pub payout: Option<Payout>,
    pub sites: Option<Sites>,
    pub transition: Option<Transition>,
    pub blocks: Vec<Block>,
    pub indicators: Vec<Indicator>,
    /// Highest first.
    pub bands: Vec<Band>,
    /// Highest first.
    pub grades: Vec<Grade>,
    pub vetoes: Vec<Veto>,
    pub adjustments: Vec<Adjustment>,
    pub incident_classes: Vec<IncidentClass>,
}

impl Scoring {
    /// Whether the month `YYYY-MM` of `period_start` is within the transition.
    pub fn in_transition(&self, period_start: chrono::NaiveDate) -> bool {
        self.transition
            .as_ref()
            .is_some_and(|t| period_start.format("%Y-%m").to_string() <= t.until)
    }

    /// The incident class `id`.
    pub fn incident_class(&self, id: &str) -> Option<&IncidentClass> {
        self.incident_classes.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests;
