//! Points: what each rule shape gives a figure, the thresholds relaxed in the transition,
//! one indicator and one site scored, the sites combined. Conditions are checked here too
//! (caps, vetoes, adjustments). Nothing is worded.

use super::*;

/// Points to two decimals.
pub(super) fn round2(x: f64) -> f64 {
    // `+ 0.0` makes a negative zero (an empty sum) plain 0.
    (x * 100.0).round() / 100.0 + 0.0
}

/// The points `rule` gives figure `v` out of `weight` (S1, S2, S3, S5; unrounded).
pub fn rule_points(rule: &Rule, weight: f64, v: f64) -> f64 {
    match rule {
        Rule::Linear {
            target,
            baseline,
            floor,
        } => {
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
            let w = knots
                .windows(2)
                .find(|w| v <= w[1].0)
                .unwrap_or(&knots[..2]);
            let (a, b) = (w[0], w[1]);
            a.1 + (b.1 - a.1) * (v - a.0) / (b.0 - a.0)
        }
        Rule::PerStep {
            threshold,
            step,
            deduct,
            floor,
            better,
            steps,
        } => {
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
        Rule::Linear {
            target,
            baseline,
            floor,
        } => {
            let b = if target > baseline {
                Better::Higher
            } else {
                Better::Lower
            };
            Rule::Linear {
                target: by(b, target),
                baseline: by(b, baseline),
                floor,
            }
        }
        Rule::Piecewise { knots } => {
            let b = if knots[knots.len() - 1].1 >= knots[0].1 {
                Better::Higher
            } else {
                Better::Lower
            };
            let mut knots: Vec<(f64, f64)> =
                knots.into_iter().map(|(x, p)| (by(b, x), p)).collect();
            knots.sort_by(|a, b| a.0.total_cmp(&b.0));
            Rule::Piecewise { knots }
        }
        Rule::PerStep {
            threshold,
            step,
            deduct,
            floor,
            better,
            steps,
        } => Rule::PerStep {
            threshold: by(better, threshold),
            step,
            deduct,
            floor,
            better,
            steps,
        },
        Rule::Threshold { threshold, better } => Rule::Threshold {
            threshold: by(better, threshold),
            better,
        },
        Rule::Manual => Rule::Manual,
    }
}

/// Whether condition `c` holds for `v` (`None` when `v` is not measurable).
pub(super) fn check(c: &Condition, v: Option<f64>) -> Option<bool> {
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
fn score_indicator(
    ind: &Indicator,
    fig: &Figures,
    manual: &[ManualScore],
    relax: Option<f64>,
    lang_en: bool,
) -> IndicatorScore {
    let rule = relax.map_or_else(|| ind.rule.clone(), |r| relaxed(&ind.rule, r));
    let mut out = IndicatorScore {
        id: ind.id.clone(),
        name: super::named(&ind.name, &ind.name_en, lang_en),
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
            .or_else(|| {
                manual
                    .iter()
                    .find(|m| m.indicator == ind.id && m.site.is_none())
            });
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
                out.before_cap = Some(round2(points));
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
pub fn score_site(
    sc: &Scoring,
    fig: &Figures,
    manual: &[ManualScore],
    relax: Option<f64>,
    lang_en: bool,
) -> SiteScore {
    let indicators: Vec<IndicatorScore> = sc
        .indicators
        .iter()
        .map(|i| score_indicator(i, fig, manual, relax, lang_en))
        .collect();
    let counted = |i: &&IndicatorScore| i.status != IndicatorStatus::Excluded;
    let undecided = indicators
        .iter()
        .any(|i| i.status == IndicatorStatus::Undecided);
    let weight: f64 = indicators.iter().filter(counted).map(|i| i.weight).sum();
    let earned: f64 = indicators
        .iter()
        .filter(counted)
        .filter_map(|i| i.points)
        .sum();
    let score = (!undecided && weight > EPS).then(|| round2(earned * sc.total / weight));
    let blocks = sc
        .blocks
        .iter()
        .map(|b| {
            let mine: Vec<&IndicatorScore> = indicators
                .iter()
                .filter(|i| i.block.as_deref() == Some(b.id.as_str()))
                .collect();
            let open = mine.iter().any(|i| i.status == IndicatorStatus::Undecided);
            BlockScore {
                id: b.id.clone(),
                name: super::named(&b.name, &b.name_en, lang_en),
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
            sites
                .iter()
                .zip(&scores)
                .map(|(s, x)| x * s.contacts as f64)
                .sum::<f64>()
                / n as f64
        }
    }))
}
