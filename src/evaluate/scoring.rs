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
    /// What the score withholds from the fee (or from the pool).
    pub score_deduction: Option<f64>,
    pub incidents: Vec<IncidentLine>,
    /// Incidents in the file dated outside the period (not counted).
    pub incidents_elsewhere: usize,
    pub incident_deduction: f64,
    /// Why the score (or the payout) is not decided: indicator, adjustment or veto ids.
    pub undecided: Vec<String>,
    /// Sites by score, best first (more than one site).
    pub ranking: Vec<RankLine>,
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
            Rule::Linear { target, baseline, floor } => {
                o.shape = "linear".into();
                (o.target, o.baseline, o.floor) = (Some(*target), Some(*baseline), Some(*floor));
            }
            Rule::Piecewise { knots } => {
                o.shape = "piecewise".into();
                o.knots = knots.clone();
            }
            Rule::PerStep { threshold, step, deduct, floor, better, steps } => {
                o.shape = "per_step".into();
                (o.threshold, o.step, o.deduct, o.floor) = (Some(*threshold), Some(*step), Some(*deduct), Some(*floor));
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
    /// Times it applies (incidents of its class; 1 when its condition holds).
    pub occurrences: Option<f64>,
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

/// Points to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The points `rule` gives figure `v` out of `weight` (S1, S2, S3, S5; unrounded).
pub fn rule_points(rule: &Rule, weight: f64, v: f64) -> f64 {
    match rule {
        Rule::Linear { target, baseline, floor } => {
            let t = (v - baseline) / (target - baseline);
            if t >= 1.0 - EPS {
                weight
            } else if t <= 0.0 {
                *floor
            } else {
                floor + (weight - floor) * t
            }
        }
        Rule::Piecewise { knots } => {
            let (first, last) = (knots[0], knots[knots.len() - 1]);
            if v <= first.0 {
                return first.1;
            }
            if v >= last.0 {
                return last.1;
            }
            let w = knots.windows(2).find(|w| v <= w[1].0).unwrap_or(&knots[..2]);
            let (a, b) = (w[0], w[1]);
            a.1 + (b.1 - a.1) * (v - a.0) / (b.0 - a.0)
        }
        Rule::PerStep { threshold, step, deduct, floor, better, steps } => {
            let short = match better {
                Better::Higher => threshold - v,
                Better::Lower => v - threshold,
            } / step;
            if short <= EPS {
                return weight;
            }
            let n = match steps {
                Steps::ProRata => short,
                Steps::Whole => (short + EPS).floor(),
                Steps::Started => (short - EPS).ceil(),
            };
            (weight - deduct * n).max(*floor)
        }
        Rule::Threshold { threshold, better } => {
            let meets = match better {
                Better::Higher => v >= threshold - EPS,
                Better::Lower => v <= threshold + EPS,
            };
            if meets {
                weight
            } else {
                0.0
            }
        }
        Rule::Manual => 0.0,
    }
}

/// `rule` with its thresholds relaxed by `r` (S15): a figure where higher is better may be
/// `r` lower (90 % → 81 % at 10 %), one where lower is better `r` higher.
pub fn relaxed(rule: &Rule, r: f64) -> Rule {
    let by = |better: Better, x: f64| match better {
        Better::Higher => x * (1.0 - r),
        Better::Lower => x * (1.0 + r),
    };
    match rule.clone() {
        Rule::Linear { target, baseline, floor } => {
            let b = if target > baseline { Better::Higher } else { Better::Lower };
            Rule::Linear { target: by(b, target), baseline: by(b, baseline), floor }
        }
        Rule::Piecewise { knots } => {
            let b = if knots[knots.len() - 1].1 >= knots[0].1 { Better::Higher } else { Better::Lower };
            let mut knots: Vec<(f64, f64)> = knots.into_iter().map(|(x, p)| (by(b, x), p)).collect();
            knots.sort_by(|a, b| a.0.total_cmp(&b.0));
            Rule::Piecewise { knots }
        }
        Rule::PerStep { threshold, step, deduct, floor, better, steps } => Rule::PerStep {
            threshold: by(better, threshold),
            step,
            deduct,
            floor,
            better,
            steps,
        },
        Rule::Threshold { threshold, better } => Rule::Threshold { threshold: by(better, threshold), better },
        Rule::Manual => Rule::Manual,
    }
}

/// Whether condition `c` holds for `v` (`None` when `v` is not measurable).
fn check(c: &Condition, v: Option<f64>) -> Option<bool> {
    let v = v?;
    Some(match c.op {
        Op::Ge => v >= c.value - EPS,
        Op::Gt => v > c.value + EPS,
        Op::Le => v <= c.value + EPS,
        Op::Lt => v < c.value - EPS,
        Op::Eq => (v - c.value).abs() <= EPS,
    })
}

/// The figures of one site (or of the whole contract): a lookup by key, and how to write each.
pub struct Figures<'a> {
    pub site: Option<String>,
    pub contacts: u64,
    pub value: &'a dyn Fn(&str) -> Option<f64>,
    pub unit: &'a dyn Fn(&str) -> Unit,
}

/// One indicator scored on `fig`.
fn score_indicator(ind: &Indicator, fig: &Figures, manual: &[ManualScore], relax: Option<f64>, lang_en: bool) -> IndicatorScore {
    let rule = relax.map_or_else(|| ind.rule.clone(), |r| relaxed(&ind.rule, r));
    let mut out = IndicatorScore {
        id: ind.id.clone(),
        name: if lang_en { ind.name_en.clone().unwrap_or_else(|| ind.name.clone()) } else { ind.name.clone() },
        block: ind.block.clone(),
        clause: ind.clause.clone(),
        weight: ind.weight,
        metric: ind.metric.clone(),
        unit: ind.metric.as_deref().map_or(Unit::Number, fig.unit),
        rule: RuleOut::of(&rule),
        ..Default::default()
    };
    let points = if rule == Rule::Manual {
        // A site's own score first, else one given for every site.
        let m = manual
            .iter()
            .find(|m| m.indicator == ind.id && m.site.is_some() && m.site == fig.site)
            .or_else(|| manual.iter().find(|m| m.indicator == ind.id && m.site.is_none()));
        out.source = m.map(|m| m.source.clone());
        out.actual = m.map(|m| m.points);
        m.map(|m| m.points)
    } else {
        out.actual = ind.metric.as_deref().and_then(|k| (fig.value)(k));
        out.actual.map(|v| rule_points(&rule, ind.weight, v))
    };
    let Some(mut points) = points else {
        out.status = match ind.unmeasurable {
            Unmeasurable::Undecided => IndicatorStatus::Undecided,
            Unmeasurable::Redistribute => IndicatorStatus::Excluded,
            Unmeasurable::Zero => IndicatorStatus::Zero,
            Unmeasurable::Fail => IndicatorStatus::Failed,
        };
        if matches!(out.status, IndicatorStatus::Zero | IndicatorStatus::Failed) {
            out.points = Some(0.0);
            out.lost = Some(ind.weight);
        }
        return out;
    };
    if let Some(cap) = &ind.cap {
        out.cap_condition = Some(cap.when.text.clone());
        out.cap_points = Some(cap.points);
        match check(&cap.when, (fig.value)(&cap.when.subject)) {
            Some(true) if points > cap.points => {
                points = cap.points;
                out.capped = true;
            }
            Some(_) => {}
            None => {
                out.status = IndicatorStatus::Undecided;
                return out;
            }
        }
    }
    let p = round2(points);
    out.points = Some(p);
    out.lost = Some(round2(ind.weight - p));
    out
}

/// One site's indicators, blocks and score.
pub fn score_site(sc: &Scoring, fig: &Figures, manual: &[ManualScore], relax: Option<f64>, lang_en: bool) -> SiteScore {
    let indicators: Vec<IndicatorScore> = sc.indicators.iter().map(|i| score_indicator(i, fig, manual, relax, lang_en)).collect();
    let counted = |i: &&IndicatorScore| i.status != IndicatorStatus::Excluded;
    let undecided = indicators.iter().any(|i| i.status == IndicatorStatus::Undecided);
    let weight: f64 = indicators.iter().filter(counted).map(|i| i.weight).sum();
    let earned: f64 = indicators.iter().filter(counted).filter_map(|i| i.points).sum();
    let score = (!undecided && weight > EPS).then(|| round2(earned * sc.total / weight));
    let blocks = sc
        .blocks
        .iter()
        .map(|b| {
            let mine: Vec<&IndicatorScore> = indicators.iter().filter(|i| i.block.as_deref() == Some(b.id.as_str())).collect();
            let open = mine.iter().any(|i| i.status == IndicatorStatus::Undecided);
            BlockScore {
                id: b.id.clone(),
                name: if lang_en { b.name_en.clone().unwrap_or_else(|| b.name.clone()) } else { b.name.clone() },
                weight: b.weight,
                points: (!open).then(|| round2(mine.iter().filter_map(|i| i.points).sum())),
            }
        })
        .collect();
    SiteScore {
        site: fig.site.clone(),
        contacts: fig.contacts,
        indicators,
        blocks,
        excluded_weight: sc.total - weight,
        score,
    }
}

/// The sites' scores combined (S9); `None` when one is undecided.
pub fn combine(sites: &[SiteScore], how: Option<Combine>) -> Option<f64> {
    let scores: Option<Vec<f64>> = sites.iter().map(|s| s.score).collect();
    let scores = scores?;
    if scores.is_empty() {
        return None;
    }
    Some(round2(match how.unwrap_or(Combine::Lowest) {
        Combine::Lowest => scores.iter().copied().fold(f64::INFINITY, f64::min),
        Combine::Mean => scores.iter().sum::<f64>() / scores.len() as f64,
        Combine::VolumeWeighted => {
            let n: u64 = sites.iter().map(|s| s.contacts).sum();
            if n == 0 {
                return None;
            }
            sites.iter().zip(&scores).map(|(s, x)| x * s.contacts as f64).sum::<f64>() / n as f64
        }
    }))
}

/// Everything about the period the whole contract decides: its figures (vetoes and
/// conditions), the evaluator's inputs, the period and the fee.
pub struct Whole<'a> {
    pub figures: &'a Figures<'a>,
    pub assessment: &'a Assessment,
    pub period: Period,
    pub fee: Option<f64>,
}

/// Score the period: the sites' sheets (already scored) combined, then the contract's
/// adjustments, vetoes, band, grade, payout and incidents.
pub fn finish(sc: &Scoring, sites: Vec<SiteScore>, whole: &Whole) -> ScoreSheet {
    let mut s = ScoreSheet {
        clause: sc.clause.clone(),
        total: sc.total,
        transition_relax: sc.transition.as_ref().filter(|_| sc.in_transition(whole.period.start)).map(|t| t.relax),
        combine: sc.sites.as_ref().map(|x| x.combine),
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
    let incidents: Vec<&Incident> = whole.assessment.incidents.iter().filter(in_period).collect();
    s.incidents_elsewhere = whole.assessment.incidents.len() - incidents.len();
    s.incidents = incidents.iter().map(|i| incident_line(sc, i)).collect();
    s.incident_deduction = round2(s.incidents.iter().map(|i| i.amount).sum());
    s.adjustments = sc.adjustments.iter().map(|a| adjustment(a, &incidents, whole)).collect();
    for a in &s.adjustments {
        if a.points.is_none() {
            s.undecided.push(a.id.clone());
        }
    }
    s.bonus_withheld = match (sc.bonus_min_score, s.base_score) {
        (Some(bar), Some(base)) => base < bar - EPS && s.adjustments.iter().any(|a| a.per > 0.0 && a.points.is_some_and(|p| p > 0.0)),
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
    s.vetoes = sc.vetoes.iter().map(|v| veto(v, &incidents, whole)).collect();
    for v in &s.vetoes {
        if v.triggered.is_none() {
            s.undecided.push(v.id.clone());
        }
    }
    let policy_fail = sites.iter().flat_map(|x| &x.indicators).any(|i| i.status == IndicatorStatus::Failed);
    let veto_fail = s.vetoes.iter().any(|v| v.triggered == Some(true));
    let below = matches!((s.score, sc.pass_mark), (Some(x), Some(m)) if x < m - EPS);
    s.failed = policy_fail || veto_fail || below;
    s.sites = sites;
    s.ranking = ranking(&s.sites);
    payout(sc, &mut s, whole.fee);
    s
}

fn incident_line(sc: &Scoring, i: &Incident) -> IncidentLine {
    let class = sc.incident_class(&i.class);
    IncidentLine {
        date: i.date,
        class: i.class.clone(),
        class_name: class.map_or_else(|| i.class.clone(), |c| c.name.clone()),
        description: i.description.clone(),
        clause: i.clause.clone().or_else(|| class.and_then(|c| c.clause.clone())),
        site: i.site.clone(),
        amount: class.map_or(0.0, |c| c.amount),
        serious: class.is_some_and(|c| c.serious),
        deadline: class
            .and_then(|c| c.deadline_days)
            .map(|d| i.date + chrono::Days::new(d as u64)),
    }
}

fn adjustment(a: &crate::config::contract::scoring::Adjustment, incidents: &[&Incident], whole: &Whole) -> AdjustmentScore {
    let mut out = AdjustmentScore {
        id: a.id.clone(),
        name: a.name.clone(),
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
        let given: Vec<&ManualScore> = whole.assessment.scores.iter().filter(|m| m.indicator == a.id).collect();
        out.occurrences = Some(given.len() as f64);
        Some(given.iter().map(|m| m.points).sum())
    };
    out.points = raw.map(|r| {
        out.capped = r.abs() > a.cap + EPS;
        round2(r.signum() * r.abs().min(a.cap))
    });
    out
}

fn veto(v: &crate::config::contract::scoring::Veto, incidents: &[&Incident], whole: &Whole) -> VetoCheck {
    let mut out = VetoCheck {
        id: v.id.clone(),
        name: v.name.clone(),
        clause: v.clause.clone(),
        condition: v.when.as_ref().map(|c| c.text.clone()),
        incident_class: v.incident_class.clone(),
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
            let drop = if serious { sc.serious_incident_lowers_band as usize } else { 0 };
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
