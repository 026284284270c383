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

use super::parse::parse_condition;
use super::Condition;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Tolerance for weights that must add up (15 + 15 + 70 written as decimals).
const EPS: f64 = 1e-6;

/// The overall figures an indicator or a condition may name (`metrics.json` → `overall`),
/// as `overall.<key>` or by the key alone. `kpi` tests that this is exactly `Overall`'s
/// numeric fields.
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
            channels.parse(c).is_some_and(|ch| channels.name(ch) == *c) && CHANNEL_FIGURES.contains(k)
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
    pub clause: String,
    pub when: Option<Condition>,
    pub incident_class: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Adjustment {
    pub id: String,
    pub name: String,
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

/// Where a `[scoring]` mistake is: the file and the key, with the fix.
struct At<'a> {
    file: &'a Path,
}

impl At<'_> {
    fn err(&self, key: &str, what: &str, fix: &str) -> Error {
        Error::usage(format!(
            "{}: `scoring.{key}`: {what}",
            self.file.display()
        ))
        .with_hint(format!("{fix} (see docs/scoring.md)"))
    }
}

/// Check `[scoring]` against the contract's SLA ids and channels.
pub fn parse_scoring(
    f: ScoringFile,
    file: &Path,
    sla_ids: &[String],
    channels: &crate::model::Channels,
) -> Result<Scoring> {
    let at = At { file };
    if !(f.total.is_finite() && f.total > 0.0) {
        return Err(at.err("total", "must be a positive number of points", "e.g. total = 100"));
    }
    let figure = |key: &str, k: &str| -> Result<()> {
        if is_figure(k, sla_ids, channels) {
            Ok(())
        } else {
            Err(at.err(
                key,
                &format!("`{k}` names no figure"),
                "name an [[sla]] id, an overall figure such as abandon_rate or overall.aht_seconds, channels.<channel>.<figure> or quality.pass_rate",
            ))
        }
    };
    let known = |k: &str| is_figure(k, sla_ids, channels);
    let condition = |key: &str, text: &str| -> Result<Condition> {
        parse_condition(text, file, &format!("scoring.{key}"), &known)
    };
    check_blocks(&f, &at)?;
    let mut indicators = Vec::new();
    for (i, ind) in f.indicator.iter().enumerate() {
        if f.indicator[..i].iter().any(|o| o.id == ind.id) {
            return Err(at.err(&format!("indicator[{i}] ({})", ind.id), "duplicate indicator id", "give each indicator its own id"));
        }
        indicators.push(parse_indicator(ind, i, &f, &at, &figure, &condition)?);
    }
    if indicators.is_empty() {
        return Err(at.err("indicator", "no indicator", "add [[scoring.indicator]] tables"));
    }
    let bands = sorted_bands(&f, &at)?;
    let grades = sorted_grades(&f, &at)?;
    check_money(&f, &at)?;
    let classes = check_classes(&f, &at)?;
    let known_class = |key: &str, c: &Option<String>| -> Result<()> {
        match c {
            Some(c) if !classes.contains(&c.as_str()) => Err(at.err(
                key,
                &format!("incident class `{c}` is not declared"),
                "declare it with [[scoring.incident_class]] id = \"...\"",
            )),
            _ => Ok(()),
        }
    };
    let mut vetoes = Vec::new();
    for (i, v) in f.veto.iter().enumerate() {
        let key = format!("veto[{i}] ({})", v.id);
        if v.when.is_some() == v.incident_class.is_some() {
            return Err(at.err(&key, "needs exactly one of `when` and `incident_class`", "e.g. when = \"complaint_rate > 0.01\" or incident_class = \"major\""));
        }
        known_class(&key, &v.incident_class)?;
        vetoes.push(Veto {
            id: v.id.clone(),
            name: v.name.clone(),
            clause: v.clause.clone(),
            when: v.when.as_deref().map(|w| condition(&format!("{key}.when"), w)).transpose()?,
            incident_class: v.incident_class.clone(),
        });
    }
    let mut adjustments = Vec::new();
    for (i, a) in f.adjustment.iter().enumerate() {
        let key = format!("adjustment[{i}] ({})", a.id);
        let sources = a.when.is_some() as u8 + a.incident_class.is_some() as u8 + a.manual as u8;
        if sources != 1 {
            return Err(at.err(&key, "needs exactly one of `when`, `incident_class` and `manual = true`", "say where the points come from"));
        }
        if !(a.points.is_finite() && a.points != 0.0 && a.cap.is_finite() && a.cap > 0.0) {
            return Err(at.err(&key, "`points` must be a non-zero number and `cap` a positive one", "e.g. points = -2 (two points off each time), cap = 10"));
        }
        known_class(&key, &a.incident_class)?;
        if f.indicator.iter().any(|ind| ind.id == a.id) {
            return Err(at.err(&key, "shares its id with an indicator", "give the adjustment its own id"));
        }
        adjustments.push(Adjustment {
            id: a.id.clone(),
            name: a.name.clone(),
            clause: a.clause.clone(),
            points: a.points,
            cap: a.cap,
            when: a.when.as_deref().map(|w| condition(&format!("{key}.when"), w)).transpose()?,
            incident_class: a.incident_class.clone(),
            manual: a.manual,
        });
    }
    if let Some(t) = &f.transition {
        let month_ok = chrono::NaiveDate::parse_from_str(&format!("{}-01", t.until), "%Y-%m-%d").is_ok() && t.until.len() == 7;
        if !month_ok || !(0.0..1.0).contains(&t.relax) {
            return Err(at.err("transition", "`until` must be a month YYYY-MM and `relax` a share between 0 and 1", "e.g. until = \"2026-12\", relax = 0.10"));
        }
    }
    if let Some(s) = &f.sites {
        if s.ranking == 0 {
            return Err(at.err("sites.ranking", "must be 1 or more", "e.g. ranking = 3"));
        }
    }
    Ok(Scoring {
        clause: f.clause,
        total: f.total,
        pass_mark: f.pass_mark,
        bonus_min_score: f.bonus_min_score,
        serious_incident_lowers_band: f.serious_incident_lowers_band.unwrap_or(0),
        pool_rate: f.pool_rate,
        failed_payout_rate: f.failed_payout_rate,
        payout: f.payout,
        sites: f.sites,
        transition: f.transition,
        blocks: f.block,
        indicators,
        bands,
        grades,
        vetoes,
        adjustments,
        incident_classes: f.incident_class,
    })
}

/// Blocks: distinct ids, positive weights adding up to the total.
fn check_blocks(f: &ScoringFile, at: &At) -> Result<()> {
    let fmt = |x: f64| format!("{x}");
    for (i, b) in f.block.iter().enumerate() {
        if f.block[..i].iter().any(|o| o.id == b.id) {
            return Err(at.err(&format!("block[{i}] ({})", b.id), "duplicate block id", "give each block its own id"));
        }
        if !(b.weight.is_finite() && b.weight > 0.0) {
            return Err(at.err(&format!("block[{i}] ({})", b.id), "the weight must be positive", "e.g. weight = 30"));
        }
    }
    if !f.block.is_empty() {
        let sum: f64 = f.block.iter().map(|b| b.weight).sum();
        if (sum - f.total).abs() > EPS {
            let list: Vec<String> = f.block.iter().map(|b| format!("{} {}", b.id, fmt(b.weight))).collect();
            return Err(at.err("block", &format!("the block weights add up to {} ({}), not the total {}", fmt(sum), list.join(" + "), fmt(f.total)), "make the block weights add up to `total`"));
        }
    }
    let groups: Vec<(Option<&str>, f64)> = if f.block.is_empty() {
        vec![(None, f.total)]
    } else {
        f.block.iter().map(|b| (Some(b.id.as_str()), b.weight)).collect()
    };
    for (i, ind) in f.indicator.iter().enumerate() {
        let key = format!("indicator[{i}] ({})", ind.id);
        match (&ind.block, f.block.is_empty()) {
            (Some(b), true) => return Err(at.err(&key, &format!("names block `{b}` but no [[scoring.block]] is declared"), "declare the block or leave `block` out")),
            (None, false) => return Err(at.err(&key, "names no block", "give `block` one of the [[scoring.block]] ids")),
            (Some(b), false) if !f.block.iter().any(|x| &x.id == b) => return Err(at.err(&key, &format!("names block `{b}`, which is not declared"), "give `block` one of the [[scoring.block]] ids")),
            _ => {}
        }
        if !(ind.weight.is_finite() && ind.weight > 0.0) {
            return Err(at.err(&key, "the weight must be positive", "e.g. weight = 15"));
        }
    }
    for (g, weight) in groups {
        let members: Vec<&IndicatorFile> = f.indicator.iter().filter(|i| i.block.as_deref() == g).collect();
        let sum: f64 = members.iter().map(|i| i.weight).sum();
        if (sum - weight).abs() > EPS {
            let list: Vec<String> = members.iter().map(|i| format!("{} {}", i.id, fmt(i.weight))).collect();
            let whose = g.map_or_else(|| "the total".to_string(), |b| format!("block `{b}`'s weight"));
            let key = g.map_or_else(|| "indicator".to_string(), |b| format!("block ({b})"));
            return Err(at.err(&key, &format!("the indicator weights add up to {} ({}), not {whose} {}", fmt(sum), if list.is_empty() { "none".into() } else { list.join(" + ") }, fmt(weight)), "make the indicators' weights add up to it"));
        }
    }
    Ok(())
}

/// One indicator: its figure, its rule's keys (all it needs, none it does not use), its cap.
fn parse_indicator(
    ind: &IndicatorFile,
    i: usize,
    f: &ScoringFile,
    at: &At,
    figure: &dyn Fn(&str, &str) -> Result<()>,
    condition: &dyn Fn(&str, &str) -> Result<Condition>,
) -> Result<Indicator> {
    let key = format!("indicator[{i}] ({})", ind.id);
    let rule = parse_rule(ind, &key, at)?;
    match (&ind.metric, &rule) {
        (Some(_), Rule::Manual) => return Err(at.err(&key, "a manual indicator takes no `metric`", "leave `metric` out: the points come from the --scores file")),
        (None, r) if *r != Rule::Manual => return Err(at.err(&key, "names no `metric`", "give the figure scored, e.g. metric = \"abandon_rate\" or an [[sla]] id")),
        (Some(m), _) => figure(&format!("{key}.metric"), m)?,
        _ => {}
    }
    let points_ok = |p: f64| p.is_finite() && (0.0..=ind.weight + EPS).contains(&p);
    let in_range = match &rule {
        Rule::Linear { floor, .. } | Rule::PerStep { floor, .. } => points_ok(*floor),
        Rule::Piecewise { knots } => knots.iter().all(|k| points_ok(k.1)),
        _ => true,
    };
    if !in_range {
        return Err(at.err(&key, &format!("points must lie between 0 and the weight {}", ind.weight), "lower the floor or the knots' points"));
    }
    let cap = match (&ind.cap_when, ind.cap_points) {
        (None, None) => None,
        (Some(w), Some(p)) if points_ok(p) => Some(Cap { when: condition(&format!("{key}.cap_when"), w)?, points: p }),
        _ => return Err(at.err(&key, "`cap_when` and `cap_points` go together, the points between 0 and the weight", "e.g. cap_when = \"csat_response_rate < 0.75\", cap_points = 12")),
    };
    let _ = f;
    Ok(Indicator {
        id: ind.id.clone(),
        name: ind.name.clone(),
        name_en: ind.name_en.clone(),
        block: ind.block.clone(),
        weight: ind.weight,
        clause: ind.clause.clone(),
        metric: ind.metric.clone(),
        rule,
        cap,
        unmeasurable: ind.unmeasurable.unwrap_or(f.unmeasurable),
    })
}

/// The rule named by `rule`, from exactly the keys it uses.
fn parse_rule(ind: &IndicatorFile, key: &str, at: &At) -> Result<Rule> {
    let given: Vec<(&str, bool)> = vec![
        ("target", ind.target.is_some()),
        ("baseline", ind.baseline.is_some()),
        ("floor", ind.floor.is_some()),
        ("knots", ind.knots.is_some()),
        ("threshold", ind.threshold.is_some()),
        ("step", ind.step.is_some()),
        ("deduct", ind.deduct.is_some()),
        ("steps", ind.steps.is_some()),
        ("better", ind.better.is_some()),
    ];
    let (needs, may): (&[&str], &[&str]) = match ind.rule.as_str() {
        "linear" => (&["target", "baseline"], &["floor"]),
        "piecewise" => (&["knots"], &[]),
        "per_step" => (&["threshold", "deduct"], &["step", "floor", "better", "steps"]),
        "threshold" => (&["threshold"], &["better"]),
        "manual" => (&[], &[]),
        other => {
            return Err(at.err(&format!("{key}.rule"), &format!("unknown rule `{other}`"), "use one of linear, piecewise, per_step, threshold, manual"))
        }
    };
    for (k, is) in &given {
        if *is && !needs.contains(k) && !may.contains(k) {
            return Err(at.err(key, &format!("rule `{}` does not use `{k}`", ind.rule), &format!("rule {} takes {}", ind.rule, needs.iter().chain(may).copied().collect::<Vec<_>>().join(", "))));
        }
    }
    if let Some(missing) = needs.iter().find(|k| !given.iter().any(|(g, is)| g == *k && *is)) {
        return Err(at.err(key, &format!("rule `{}` needs `{missing}`", ind.rule), &format!("rule {} takes {}", ind.rule, needs.iter().chain(may).copied().collect::<Vec<_>>().join(", "))));
    }
    let finite = [ind.target, ind.baseline, ind.floor, ind.threshold, ind.step, ind.deduct].into_iter().flatten().all(f64::is_finite);
    if !finite {
        return Err(at.err(key, "a number of the rule is not finite", "write plain numbers"));
    }
    Ok(match ind.rule.as_str() {
        "linear" => {
            let (target, baseline) = (ind.target.unwrap_or(0.0), ind.baseline.unwrap_or(0.0));
            if target == baseline {
                return Err(at.err(key, "`target` and `baseline` are equal", "full points at the target, the floor at the baseline: they must differ"));
            }
            Rule::Linear { target, baseline, floor: ind.floor.unwrap_or(0.0) }
        }
        "piecewise" => {
            let mut knots: Vec<(f64, f64)> = ind.knots.iter().flatten().map(|k| (k[0], k[1])).collect();
            knots.sort_by(|a, b| a.0.total_cmp(&b.0));
            let distinct = knots.windows(2).all(|w| w[1].0 > w[0].0);
            if knots.len() < 2 || !distinct || !knots.iter().all(|k| k.0.is_finite() && k.1.is_finite()) {
                return Err(at.err(key, "`knots` needs two or more [figure, points] pairs with distinct figures", "e.g. knots = [[0.011, 0], [0.0105, 3], [0.01, 15]]"));
            }
            Rule::Piecewise { knots }
        }
        "per_step" => {
            let step = ind.step.unwrap_or(0.01);
            let deduct = ind.deduct.unwrap_or(0.0);
            if step <= 0.0 || deduct <= 0.0 {
                return Err(at.err(key, "`step` and `deduct` must be positive", "e.g. step = 0.01 (one percentage point), deduct = 1"));
            }
            Rule::PerStep { threshold: ind.threshold.unwrap_or(0.0), step, deduct, floor: ind.floor.unwrap_or(0.0), better: ind.better.unwrap_or_default(), steps: ind.steps.unwrap_or_default() }
        }
        "threshold" => Rule::Threshold { threshold: ind.threshold.unwrap_or(0.0), better: ind.better.unwrap_or_default() },
        _ => Rule::Manual,
    })
}

/// Bands and grades: scores within the total, distinct, highest first; payout rates shares.
fn sorted_bands(f: &ScoringFile, at: &At) -> Result<Vec<Band>> {
    let mut bands = f.band.clone();
    for (i, b) in bands.iter().enumerate() {
        if !(b.min.is_finite() && (0.0..=f.total).contains(&b.min) && (0.0..=1.0).contains(&b.payout_rate)) {
            return Err(at.err(&format!("band[{i}]"), "`min` must lie between 0 and the total and `payout_rate` between 0 and 1", "e.g. min = 95, payout_rate = 1.0"));
        }
    }
    bands.sort_by(|a, b| b.min.total_cmp(&a.min));
    if bands.windows(2).any(|w| w[0].min == w[1].min) {
        return Err(at.err("band", "two bands start at the same score", "give each band its own `min`"));
    }
    if !bands.is_empty() && f.payout.is_some() {
        return Err(at.err("payout", "a payout formula and a band table both set the payout", "keep one of [scoring.payout] and [[scoring.band]]"));
    }
    if let Some(last) = bands.last() {
        if last.min > 0.0 {
            return Err(at.err("band", &format!("no band covers scores below {}", last.min), "add a band with min = 0"));
        }
    }
    Ok(bands)
}

fn sorted_grades(f: &ScoringFile, at: &At) -> Result<Vec<Grade>> {
    let mut grades = f.grade.clone();
    grades.sort_by(|a, b| b.min.total_cmp(&a.min));
    let ok = grades.iter().all(|g| g.min.is_finite() && (0.0..=f.total).contains(&g.min))
        && grades.windows(2).all(|w| w[0].min > w[1].min)
        && grades.last().is_none_or(|g| g.min == 0.0);
    if !ok {
        return Err(at.err("grade", "grades need distinct `min` scores between 0 and the total, the lowest at 0", "e.g. AAA min = 95 … D min = 0"));
    }
    Ok(grades)
}

/// Payout formula, pool and failed payout: shares between 0 and 1, a bar within the total.
fn check_money(f: &ScoringFile, at: &At) -> Result<()> {
    let share = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    if let Some(p) = &f.payout {
        if !(share(p.base_rate) && p.per_point.is_finite() && p.per_point >= 0.0 && (0.0..=f.total).contains(&p.full_at)) {
            return Err(at.err("payout", "`base_rate` must be a share, `per_point` zero or more and `full_at` within the total", "(15 + m) % below 85 points: full_at = 85, base_rate = 0.15, per_point = 0.01"));
        }
    }
    for (k, v) in [("pool_rate", f.pool_rate), ("failed_payout_rate", f.failed_payout_rate)] {
        if v.is_some_and(|v| !share(v)) {
            return Err(at.err(k, "must be a share between 0 and 1", "5 % is 0.05"));
        }
    }
    for (k, v) in [("pass_mark", f.pass_mark), ("bonus_min_score", f.bonus_min_score)] {
        if v.is_some_and(|v| !(v.is_finite() && (0.0..=f.total).contains(&v))) {
            return Err(at.err(k, "must lie between 0 and the total", "e.g. pass_mark = 60"));
        }
    }
    if f.serious_incident_lowers_band.is_some() && f.band.is_empty() {
        return Err(at.err("serious_incident_lowers_band", "there is no band to lower", "add [[scoring.band]] tables or leave the key out"));
    }
    Ok(())
}

/// Incident classes: distinct ids and non-negative amounts; returns the ids.
fn check_classes<'a>(f: &'a ScoringFile, at: &At) -> Result<Vec<&'a str>> {
    for (i, c) in f.incident_class.iter().enumerate() {
        let key = format!("incident_class[{i}] ({})", c.id);
        if f.incident_class[..i].iter().any(|o| o.id == c.id) {
            return Err(at.err(&key, "duplicate incident class", "give each class its own id"));
        }
        if !(c.amount.is_finite() && c.amount >= 0.0) {
            return Err(at.err(&key, "`amount` must be zero or more", "e.g. amount = 500"));
        }
    }
    Ok(f.incident_class.iter().map(|c| c.id.as_str()).collect())
}
