//! The weighted scoring sheet (考核表) of one period: each indicator's points from its
//! figure and rule, the blocks, the base score (with the contract's policy for what cannot
//! be measured), the sites combined, bonus and minus points, vetoes, the pass mark, the band
//! and grade, the payout (formula, band table, held-back pool) and the incidents' fixed
//! deductions. A score that cannot be decided from the data is `null` and moves no money.
//!
//! Points are rounded to two decimals per indicator and the scores are sums of what is
//! shown. This module words nothing (the report does) and computes no KPI: it reads the
//! figures through the lookups it is given.

use super::EPS;
use crate::config::assessment::{Assessment, Incident, ManualScore};
use crate::config::contract::scoring::{
    Better, Combine, Indicator, Rule, Scoring, Steps, Unmeasurable,
};
use crate::config::contract::{Condition, Op};
use crate::config::Period;
use serde::{Deserialize, Serialize};

mod points;
use points::{check, round2};
pub use points::{combine, relaxed, rule_points, score_site, Figures};

/// `metrics.json` → `scoring`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ScoreSheet {
    pub clause: Option<String>,
    pub total: f64,
    /// The period is in the transition: thresholds relaxed by `relax`.
    pub transition_relax: Option<f64>,
    /// One per site (one, unnamed, without sites), in the order of their names.
    pub sites: Vec<SiteScore>,
    /// How the sites' scores were combined (`lowest`, `volume_weighted`, `mean`).
    pub combine: Option<Combine>,
    /// The indicators' points (the sites' combined), before bonus and minus points.
    pub base_score: Option<f64>,
    pub adjustments: Vec<AdjustmentScore>,
    /// Bonus points not counted because the base score is below `bonus_min_score`.
    pub bonus_withheld: bool,
    pub score: Option<f64>,
    pub vetoes: Vec<VetoCheck>,
    pub pass_mark: Option<f64>,
    /// The period fails: a veto, an indicator whose policy fails it, or below the pass mark.
    pub failed: bool,
    pub band: Option<String>,
    /// Bands the band was lowered by serious incidents.
    pub band_lowered: u32,
    pub grade: Option<String>,
    pub payout_rate: Option<f64>,
    /// The held-back pool (fee × pool rate) and what of it is paid.
    pub pool: Option<f64>,
    pub pool_paid: Option<f64>,
    /// What the score withholds from the fee (or from the pool): 0 for a sheet that sets
    /// no payout; null when the score is undecided or no fee is given.
    pub score_deduction: Option<f64>,
    pub incidents: Vec<IncidentLine>,
    /// Incidents in the file dated outside the period (not counted).
    pub incidents_elsewhere: usize,
    pub incident_deduction: f64,
    /// Why the score (or the payout) is not decided: indicator, adjustment or veto ids.
    pub undecided: Vec<String>,
    /// Sites by score, best first (more than one site).
    pub ranking: Vec<RankLine>,
    /// How many sites the top and bottom lists (红黑榜) name.
    #[serde(default)]
    pub ranking_size: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SiteScore {
    /// `None`: no sites (the whole contract), or contacts that name no site.
    pub site: Option<String>,
    pub contacts: u64,
    pub indicators: Vec<IndicatorScore>,
    pub blocks: Vec<BlockScore>,
    /// Weight of the indicators left out (`redistribute`), whose points the others share.
    pub excluded_weight: f64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorStatus {
    #[default]
    Scored,
    /// Not measurable, left out and its weight shared (`redistribute`).
    Excluded,
    /// Not measurable, scored 0 (`zero`).
    Zero,
    /// Not measurable, the period fails (`fail`).
    Failed,
    /// Not measurable (or its cap undecidable): no score.
    Undecided,
}

/// How an indicator's figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Number,
    Percent,
    Seconds,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct IndicatorScore {
    pub id: String,
    pub name: String,
    pub block: Option<String>,
    pub clause: String,
    pub weight: f64,
    pub metric: Option<String>,
    pub unit: Unit,
    pub actual: Option<f64>,
    /// The rule as applied (thresholds relaxed in the transition).
    pub rule: RuleOut,
    pub points: Option<f64>,
    pub lost: Option<f64>,
    /// The cap's condition held and lowered the points to `cap_points`.
    pub capped: bool,
    /// The rule's points before the cap lowered them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before_cap: Option<f64>,
    pub cap_condition: Option<String>,
    pub cap_points: Option<f64>,
    pub status: IndicatorStatus,
    /// A manual score's source.
    pub source: Option<String>,
}

/// A rule as `metrics.json` writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct RuleOut {
    /// `linear`, `piecewise`, `per_step`, `threshold`, `manual`.
    pub shape: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub baseline: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub floor: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub knots: Vec<(f64, f64)>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub step: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deduct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub steps: Option<Steps>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub better: Option<Better>,
}

impl RuleOut {
    fn of(r: &Rule) -> RuleOut {
        let mut o = RuleOut::default();
        match r {
            Rule::Linear {
                target,
                baseline,
                floor,
            } => {
                o.shape = "linear".into();
                (o.target, o.baseline, o.floor) = (Some(*target), Some(*baseline), Some(*floor));
            }
            Rule::Piecewise { knots } => {
                o.shape = "piecewise".into();
                o.knots = knots.clone();
            }
            Rule::PerStep {
                threshold,
                step,
                deduct,
                floor,
                better,
                steps,
            } => {
                o.shape = "per_step".into();
                (o.threshold, o.step, o.deduct, o.floor) =
                    (Some(*threshold), Some(*step), Some(*deduct), Some(*floor));
                (o.better, o.steps) = (Some(*better), Some(*steps));
            }
            Rule::Threshold { threshold, better } => {
                o.shape = "threshold".into();
                (o.threshold, o.better) = (Some(*threshold), Some(*better));
            }
            Rule::Manual => o.shape = "manual".into(),
        }
        o
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct BlockScore {
    pub id: String,
    pub name: String,
    pub weight: f64,
    /// The points of its indicators (left-out ones aside); null when one is undecided.
    pub points: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct AdjustmentScore {
    pub id: String,
    pub name: String,
    pub clause: String,
    /// Times it applies (incidents of its class; 1 when its condition holds); none for
    /// points the evaluator gives.
    pub occurrences: Option<f64>,
    /// The points the evaluator gave (`--scores`), before the cap.
    #[serde(default)]
    pub given: Option<f64>,
    pub per: f64,
    pub cap: f64,
    /// Points counted (after the cap, 0 when withheld); null when undecided.
    pub points: Option<f64>,
    pub capped: bool,
    pub condition: Option<String>,
    pub actual: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct VetoCheck {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub condition: Option<String>,
    pub incident_class: Option<String>,
    /// The incident class's name.
    #[serde(default)]
    pub incident_class_name: Option<String>,
    pub actual: Option<f64>,
    /// Null: its figure is not measurable.
    pub triggered: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IncidentLine {
    pub date: chrono::NaiveDate,
    pub class: String,
    pub class_name: String,
    pub description: String,
    pub clause: Option<String>,
    pub site: Option<String>,
    pub amount: f64,
    pub serious: bool,
    /// 限期整改: the date by which it must be put right.
    pub deadline: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RankLine {
    pub rank: usize,
    pub site: Option<String>,
    pub score: Option<f64>,
    pub contacts: u64,
}

/// How figure `key` is written: an SLA's as its metric, a `_rate` (or service level, pass
/// rate) as a percentage, `_seconds` as a duration.
pub fn unit_of(key: &str, scorecard: &[super::ScoreLine]) -> Unit {
    if let Some(l) = scorecard.iter().find(|l| l.id == key) {
        return if l.metric.is_rate() {
            Unit::Percent
        } else {
            Unit::Number
        };
    }
    if key.ends_with("_seconds") {
        Unit::Seconds
    } else if key.ends_with("_rate") || key.ends_with("service_level") {
        Unit::Percent
    } else {
        Unit::Number
    }
}

/// Everything about the period the whole contract decides: its figures (vetoes and
/// conditions), the evaluator's inputs, the period and the fee.
pub struct Whole<'a> {
    pub figures: &'a Figures<'a>,
    pub assessment: &'a Assessment,
    pub period: Period,
    pub fee: Option<f64>,
    /// Names in English (`name_en`) where given.
    pub en: bool,
}

/// `name`, or `name_en` in an English report when given.
fn named(name: &str, name_en: &Option<String>, en: bool) -> String {
    match name_en {
        Some(n) if en => n.clone(),
        _ => name.to_string(),
    }
}

/// Score the period: the sites' sheets (already scored) combined, then the contract's
/// adjustments, vetoes, band, grade, payout and incidents.
pub fn finish(sc: &Scoring, sites: Vec<SiteScore>, whole: &Whole) -> ScoreSheet {
    let mut s = ScoreSheet {
        clause: sc.clause.clone(),
        total: sc.total,
        transition_relax: sc
            .transition
            .as_ref()
            .filter(|_| sc.in_transition(whole.period.start))
            .map(|t| t.relax),
        combine: sc.sites.as_ref().map(|x| x.combine),
        ranking_size: sc.sites.as_ref().map_or(0, |x| x.ranking),
        pass_mark: sc.pass_mark,
        ..Default::default()
    };
    s.base_score = combine(&sites, s.combine);
    for site in &sites {
        for i in &site.indicators {
            if i.status == IndicatorStatus::Undecided && !s.undecided.contains(&i.id) {
                s.undecided.push(i.id.clone());
            }
        }
    }
    let in_period = |i: &&Incident| i.date >= whole.period.start && i.date < whole.period.end;
    let incidents: Vec<&Incident> = whole
        .assessment
        .incidents
        .iter()
        .filter(in_period)
        .collect();
    s.incidents_elsewhere = whole.assessment.incidents.len() - incidents.len();
    s.incidents = incidents
        .iter()
        .map(|i| incident_line(sc, i, whole.en))
        .collect();
    s.incident_deduction = round2(s.incidents.iter().map(|i| i.amount).sum());
    s.adjustments = sc
        .adjustments
        .iter()
        .map(|a| adjustment(a, &incidents, whole))
        .collect();
    for a in &s.adjustments {
        if a.points.is_none() {
            s.undecided.push(a.id.clone());
        }
    }
    s.bonus_withheld = match (sc.bonus_min_score, s.base_score) {
        (Some(bar), Some(base)) => {
            base < bar - EPS
                && s.adjustments
                    .iter()
                    .any(|a| a.per > 0.0 && a.points.is_some_and(|p| p > 0.0))
        }
        _ => false,
    };
    if s.bonus_withheld {
        for (a, cfg) in s.adjustments.iter_mut().zip(&sc.adjustments) {
            if cfg.points > 0.0 {
                a.points = Some(0.0);
            }
        }
    }
    let adj: Option<f64> = s.adjustments.iter().map(|a| a.points).sum();
    s.score = s.base_score.zip(adj).map(|(b, a)| round2((b + a).max(0.0)));
    s.vetoes = sc
        .vetoes
        .iter()
        .map(|v| veto(sc, v, &incidents, whole))
        .collect();
    for v in &s.vetoes {
        if v.triggered.is_none() {
            s.undecided.push(v.id.clone());
        }
    }
    let policy_fail = sites
        .iter()
        .flat_map(|x| &x.indicators)
        .any(|i| i.status == IndicatorStatus::Failed);
    let veto_fail = s.vetoes.iter().any(|v| v.triggered == Some(true));
    let below = matches!((s.score, sc.pass_mark), (Some(x), Some(m)) if x < m - EPS);
    s.failed = policy_fail || veto_fail || below;
    s.sites = sites;
    s.ranking = ranking(&s.sites);
    payout(sc, &mut s, whole.fee);
    s
}

fn incident_line(sc: &Scoring, i: &Incident, en: bool) -> IncidentLine {
    let class = sc.incident_class(&i.class);
    IncidentLine {
        date: i.date,
        class: i.class.clone(),
        class_name: class.map_or_else(|| i.class.clone(), |c| named(&c.name, &c.name_en, en)),
        description: i.description.clone(),
        clause: i
            .clause
            .clone()
            .or_else(|| class.and_then(|c| c.clause.clone())),
        site: i.site.clone(),
        amount: class.map_or(0.0, |c| c.amount),
        serious: class.is_some_and(|c| c.serious),
        deadline: class
            .and_then(|c| c.deadline_days)
            .map(|d| i.date + chrono::Days::new(d as u64)),
    }
}

fn adjustment(
    a: &crate::config::contract::scoring::Adjustment,
    incidents: &[&Incident],
    whole: &Whole,
) -> AdjustmentScore {
    let mut out = AdjustmentScore {
        id: a.id.clone(),
        name: named(&a.name, &a.name_en, whole.en),
        clause: a.clause.clone(),
        per: a.points,
        cap: a.cap,
        condition: a.when.as_ref().map(|c| c.text.clone()),
        ..Default::default()
    };
    let raw = if let Some(class) = &a.incident_class {
        let n = incidents.iter().filter(|i| &i.class == class).count() as f64;
        out.occurrences = Some(n);
        Some(n * a.points)
    } else if let Some(c) = &a.when {
        out.actual = (whole.figures.value)(&c.subject);
        let n = check(c, out.actual).map(|h| if h { 1.0 } else { 0.0 });
        out.occurrences = n;
        n.map(|n| n * a.points)
    } else {
        let given: f64 = whole
            .assessment
            .scores
            .iter()
            .filter(|m| m.indicator == a.id)
            .map(|m| m.points)
            .sum();
        out.given = Some(given + 0.0);
        Some(given)
    };
    out.points = raw.map(|r| {
        out.capped = r.abs() > a.cap + EPS;
        round2(r.signum() * r.abs().min(a.cap))
    });
    out
}

fn veto(
    sc: &Scoring,
    v: &crate::config::contract::scoring::Veto,
    incidents: &[&Incident],
    whole: &Whole,
) -> VetoCheck {
    let mut out = VetoCheck {
        id: v.id.clone(),
        name: named(&v.name, &v.name_en, whole.en),
        clause: v.clause.clone(),
        condition: v.when.as_ref().map(|c| c.text.clone()),
        incident_class: v.incident_class.clone(),
        incident_class_name: v
            .incident_class
            .as_deref()
            .and_then(|c| sc.incident_class(c))
            .map(|c| named(&c.name, &c.name_en, whole.en)),
        ..Default::default()
    };
    out.triggered = match (&v.when, &v.incident_class) {
        (Some(c), _) => {
            out.actual = (whole.figures.value)(&c.subject);
            check(c, out.actual)
        }
        (_, Some(class)) => Some(incidents.iter().any(|i| &i.class == class)),
        _ => Some(false),
    };
    out
}

fn ranking(sites: &[SiteScore]) -> Vec<RankLine> {
    if sites.len() < 2 {
        return Vec::new();
    }
    let mut order: Vec<&SiteScore> = sites.iter().collect();
    // Best first; an undecided score last; ties by name.
    order.sort_by(|a, b| {
        b.score
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.score.unwrap_or(f64::NEG_INFINITY))
            .then_with(|| a.site.cmp(&b.site))
    });
    order
        .iter()
        .enumerate()
        .map(|(i, s)| RankLine {
            rank: i + 1,
            site: s.site.clone(),
            score: s.score,
            contacts: s.contacts,
        })
        .collect()
}

/// Band, grade, payout rate and what the score withholds (S6, S7, S10, S13).
fn payout(sc: &Scoring, s: &mut ScoreSheet, fee: Option<f64>) {
    let moves_money = !sc.bands.is_empty() || sc.payout.is_some() || sc.pool_rate.is_some();
    if !moves_money {
        // A sheet that only grades withholds nothing.
        s.score_deduction = fee.map(|_| 0.0);
    }
    let decided = s.undecided.is_empty();
    let Some(score) = s.score.filter(|_| decided) else {
        return;
    };
    let serious = s.incidents.iter().any(|i| i.serious);
    let last = sc.bands.len().saturating_sub(1);
    let band = if s.failed {
        Some(last)
    } else {
        sc.bands.iter().position(|b| score >= b.min - EPS).map(|i| {
            let drop = if serious {
                sc.serious_incident_lowers_band as usize
            } else {
                0
            };
            s.band_lowered = (last.min(i + drop) - i) as u32;
            i + drop
        })
    }
    .filter(|_| !sc.bands.is_empty())
    .map(|i| &sc.bands[i.min(last)]);
    s.band = band.map(|b| b.name.clone().unwrap_or_else(|| format!("≥{}", b.min)));
    s.grade = if s.failed {
        sc.grades.last()
    } else {
        sc.grades.iter().find(|g| score >= g.min - EPS)
    }
    .map(|g| g.name.clone());
    let formula = sc.payout.as_ref().map(|p| {
        if score >= p.full_at - EPS {
            1.0
        } else {
            (p.base_rate + p.per_point * score).clamp(0.0, 1.0)
        }
    });
    s.payout_rate = band.map(|b| b.payout_rate).or(formula);
    if s.failed {
        s.payout_rate = sc.failed_payout_rate.or(s.payout_rate);
    }
    let money = |x: f64| super::round_money(x);
    match (fee, sc.pool_rate) {
        (Some(fee), Some(pool)) => {
            let held = money(fee * pool);
            let share = s.payout_rate.unwrap_or(score / sc.total);
            let paid = money(held * share);
            s.pool = Some(held);
            s.pool_paid = Some(paid);
            s.score_deduction = Some(money(held - paid));
        }
        (Some(fee), None) => s.score_deduction = s.payout_rate.map(|r| money(fee * (1.0 - r))),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
