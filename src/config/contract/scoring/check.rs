//! Checking `[scoring]`: each part by a function of its own, every mistake a usage error
//! naming the file, the key (the indicator, block, band …) and the fix.

use super::*;
use crate::config::contract::parse::parse_condition;
use crate::error::{Error, Result};
use std::path::Path;

/// Tolerance for weights that must add up (15 + 15 + 70 written as decimals).
const EPS: f64 = 1e-6;

/// Where a `[scoring]` mistake is: the file and the key, with the fix.
struct At<'a> {
    file: &'a Path,
}

impl At<'_> {
    fn err(&self, key: &str, what: &str, fix: &str) -> Error {
        Error::usage(format!("{}: `scoring.{key}`: {what}", self.file.display()))
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
        return Err(at.err(
            "total",
            "must be a positive number of points",
            "e.g. total = 100",
        ));
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
            return Err(at.err(
                &format!("indicator[{i}] ({})", ind.id),
                "duplicate indicator id",
                "give each indicator its own id",
            ));
        }
        indicators.push(parse_indicator(ind, i, &f, &at, &figure, &condition)?);
    }
    if indicators.is_empty() {
        return Err(at.err(
            "indicator",
            "no indicator",
            "add [[scoring.indicator]] tables",
        ));
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
    let vetoes = vetoes(&f, &at, &known_class, &condition)?;
    let adjustments = adjustments(&f, &at, &known_class, &condition)?;
    if let Some(t) = &f.transition {
        let month_ok = chrono::NaiveDate::parse_from_str(&format!("{}-01", t.until), "%Y-%m-%d")
            .is_ok()
            && t.until.len() == 7;
        if !month_ok || !(0.0..1.0).contains(&t.relax) {
            return Err(at.err(
                "transition",
                "`until` must be a month YYYY-MM and `relax` a share between 0 and 1",
                "e.g. until = \"2026-12\", relax = 0.10",
            ));
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

/// `[[scoring.veto]]`: a condition or an incident class each.
fn vetoes(
    f: &ScoringFile,
    at: &At,
    known_class: &dyn Fn(&str, &Option<String>) -> Result<()>,
    condition: &dyn Fn(&str, &str) -> Result<Condition>,
) -> Result<Vec<Veto>> {
    let mut vetoes = Vec::new();
    for (i, v) in f.veto.iter().enumerate() {
        let key = format!("veto[{i}] ({})", v.id);
        if v.when.is_some() == v.incident_class.is_some() {
            return Err(at.err(
                &key,
                "needs exactly one of `when` and `incident_class`",
                "e.g. when = \"complaint_rate > 0.01\" or incident_class = \"major\"",
            ));
        }
        known_class(&key, &v.incident_class)?;
        vetoes.push(Veto {
            id: v.id.clone(),
            name: v.name.clone(),
            name_en: v.name_en.clone(),
            clause: v.clause.clone(),
            when: v
                .when
                .as_deref()
                .map(|w| condition(&format!("{key}.when"), w))
                .transpose()?,
            incident_class: v.incident_class.clone(),
        });
    }
    Ok(vetoes)
}

/// `[[scoring.adjustment]]`: bonus or minus points from one source each, with a cap.
fn adjustments(
    f: &ScoringFile,
    at: &At,
    known_class: &dyn Fn(&str, &Option<String>) -> Result<()>,
    condition: &dyn Fn(&str, &str) -> Result<Condition>,
) -> Result<Vec<Adjustment>> {
    let mut adjustments = Vec::new();
    for (i, a) in f.adjustment.iter().enumerate() {
        let key = format!("adjustment[{i}] ({})", a.id);
        let sources = a.when.is_some() as u8 + a.incident_class.is_some() as u8 + a.manual as u8;
        if sources != 1 {
            return Err(at.err(
                &key,
                "needs exactly one of `when`, `incident_class` and `manual = true`",
                "say where the points come from",
            ));
        }
        if !(a.points.is_finite() && a.points != 0.0 && a.cap.is_finite() && a.cap > 0.0) {
            return Err(at.err(
                &key,
                "`points` must be a non-zero number and `cap` a positive one",
                "e.g. points = -2 (two points off each time), cap = 10",
            ));
        }
        known_class(&key, &a.incident_class)?;
        if f.indicator.iter().any(|ind| ind.id == a.id) {
            return Err(at.err(
                &key,
                "shares its id with an indicator",
                "give the adjustment its own id",
            ));
        }
        adjustments.push(Adjustment {
            id: a.id.clone(),
            name: a.name.clone(),
            name_en: a.name_en.clone(),
            clause: a.clause.clone(),
            points: a.points,
            cap: a.cap,
            when: a
                .when
                .as_deref()
                .map(|w| condition(&format!("{key}.when"), w))
                .transpose()?,
            incident_class: a.incident_class.clone(),
            manual: a.manual,
        });
    }
    Ok(adjustments)
}

/// Blocks: distinct ids, positive weights adding up to the total.
fn check_blocks(f: &ScoringFile, at: &At) -> Result<()> {
    let fmt = |x: f64| format!("{x}");
    for (i, b) in f.block.iter().enumerate() {
        if f.block[..i].iter().any(|o| o.id == b.id) {
            return Err(at.err(
                &format!("block[{i}] ({})", b.id),
                "duplicate block id",
                "give each block its own id",
            ));
        }
        if !(b.weight.is_finite() && b.weight > 0.0) {
            return Err(at.err(
                &format!("block[{i}] ({})", b.id),
                "the weight must be positive",
                "e.g. weight = 30",
            ));
        }
    }
    if !f.block.is_empty() {
        let sum: f64 = f.block.iter().map(|b| b.weight).sum();
        if (sum - f.total).abs() > EPS {
            let list: Vec<String> = f
                .block
                .iter()
                .map(|b| format!("{} {}", b.id, fmt(b.weight)))
                .collect();
            return Err(at.err(
                "block",
                &format!(
                    "the block weights add up to {} ({}), not the total {}",
                    fmt(sum),
                    list.join(" + "),
                    fmt(f.total)
                ),
                "make the block weights add up to `total`",
            ));
        }
    }
    let groups: Vec<(Option<&str>, f64)> = if f.block.is_empty() {
        vec![(None, f.total)]
    } else {
        f.block
            .iter()
            .map(|b| (Some(b.id.as_str()), b.weight))
            .collect()
    };
    for (i, ind) in f.indicator.iter().enumerate() {
        let key = format!("indicator[{i}] ({})", ind.id);
        match (&ind.block, f.block.is_empty()) {
            (Some(b), true) => {
                return Err(at.err(
                    &key,
                    &format!("names block `{b}` but no [[scoring.block]] is declared"),
                    "declare the block or leave `block` out",
                ))
            }
            (None, false) => {
                return Err(at.err(
                    &key,
                    "names no block",
                    "give `block` one of the [[scoring.block]] ids",
                ))
            }
            (Some(b), false) if !f.block.iter().any(|x| &x.id == b) => {
                return Err(at.err(
                    &key,
                    &format!("names block `{b}`, which is not declared"),
                    "give `block` one of the [[scoring.block]] ids",
                ))
            }
            _ => {}
        }
        if !(ind.weight.is_finite() && ind.weight > 0.0) {
            return Err(at.err(&key, "the weight must be positive", "e.g. weight = 15"));
        }
    }
    for (g, weight) in groups {
        let members: Vec<&IndicatorFile> = f
            .indicator
            .iter()
            .filter(|i| i.block.as_deref() == g)
            .collect();
        let sum: f64 = members.iter().map(|i| i.weight).sum();
        if (sum - weight).abs() > EPS {
            let list: Vec<String> = members
                .iter()
                .map(|i| format!("{} {}", i.id, fmt(i.weight)))
                .collect();
            let whose = g.map_or_else(
                || "the total".to_string(),
                |b| format!("block `{b}`'s weight"),
            );
            let key = g.map_or_else(|| "indicator".to_string(), |b| format!("block ({b})"));
            return Err(at.err(
                &key,
                &format!(
                    "the indicator weights add up to {} ({}), not {whose} {}",
                    fmt(sum),
                    if list.is_empty() {
                        "none".into()
                    } else {
                        list.join(" + ")
                    },
                    fmt(weight)
                ),
                "make the indicators' weights add up to it",
            ));
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
        (Some(_), Rule::Manual) => {
            return Err(at.err(
                &key,
                "a manual indicator takes no `metric`",
                "leave `metric` out: the points come from the --scores file",
            ))
        }
        (None, r) if *r != Rule::Manual => {
            return Err(at.err(
                &key,
                "names no `metric`",
                "give the figure scored, e.g. metric = \"abandon_rate\" or an [[sla]] id",
            ))
        }
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
        return Err(at.err(
            &key,
            &format!("points must lie between 0 and the weight {}", ind.weight),
            "lower the floor or the knots' points",
        ));
    }
    let cap = match (&ind.cap_when, ind.cap_points) {
        (None, None) => None,
        (Some(w), Some(p)) if points_ok(p) => Some(Cap {
            when: condition(&format!("{key}.cap_when"), w)?,
            points: p,
        }),
        _ => {
            return Err(at.err(
                &key,
                "`cap_when` and `cap_points` go together, the points between 0 and the weight",
                "e.g. cap_when = \"csat_response_rate < 0.75\", cap_points = 12",
            ))
        }
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
        "per_step" => (
            &["threshold", "deduct"],
            &["step", "floor", "better", "steps"],
        ),
        "threshold" => (&["threshold"], &["better"]),
        "manual" => (&[], &[]),
        other => {
            return Err(at.err(
                &format!("{key}.rule"),
                &format!("unknown rule `{other}`"),
                "use one of linear, piecewise, per_step, threshold, manual",
            ))
        }
    };
    let takes = format!(
        "rule {} takes {}",
        ind.rule,
        needs
            .iter()
            .chain(may)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (k, is) in &given {
        if *is && !needs.contains(k) && !may.contains(k) {
            return Err(at.err(
                key,
                &format!("rule `{}` does not use `{k}`", ind.rule),
                &takes,
            ));
        }
    }
    if let Some(missing) = needs
        .iter()
        .find(|k| !given.iter().any(|(g, is)| g == *k && *is))
    {
        return Err(at.err(
            key,
            &format!("rule `{}` needs `{missing}`", ind.rule),
            &takes,
        ));
    }
    let finite = [
        ind.target,
        ind.baseline,
        ind.floor,
        ind.threshold,
        ind.step,
        ind.deduct,
    ]
    .into_iter()
    .flatten()
    .all(f64::is_finite);
    if !finite {
        return Err(at.err(
            key,
            "a number of the rule is not finite",
            "write plain numbers",
        ));
    }
    Ok(match ind.rule.as_str() {
        "linear" => {
            let (target, baseline) = (ind.target.unwrap_or(0.0), ind.baseline.unwrap_or(0.0));
            if target == baseline {
                return Err(at.err(
                    key,
                    "`target` and `baseline` are equal",
                    "full points at the target, the floor at the baseline: they must differ",
                ));
            }
            Rule::Linear {
                target,
                baseline,
                floor: ind.floor.unwrap_or(0.0),
            }
        }
        "piecewise" => {
            let mut knots: Vec<(f64, f64)> =
                ind.knots.iter().flatten().map(|k| (k[0], k[1])).collect();
            knots.sort_by(|a, b| a.0.total_cmp(&b.0));
            let distinct = knots.windows(2).all(|w| w[1].0 > w[0].0);
            if knots.len() < 2
                || !distinct
                || !knots.iter().all(|k| k.0.is_finite() && k.1.is_finite())
            {
                return Err(at.err(
                    key,
                    "`knots` needs two or more [figure, points] pairs with distinct figures",
                    "e.g. knots = [[0.011, 0], [0.0105, 3], [0.01, 15]]",
                ));
            }
            Rule::Piecewise { knots }
        }
        "per_step" => {
            let step = ind.step.unwrap_or(0.01);
            let deduct = ind.deduct.unwrap_or(0.0);
            if step <= 0.0 || deduct <= 0.0 {
                return Err(at.err(
                    key,
                    "`step` and `deduct` must be positive",
                    "e.g. step = 0.01 (one percentage point), deduct = 1",
                ));
            }
            Rule::PerStep {
                threshold: ind.threshold.unwrap_or(0.0),
                step,
                deduct,
                floor: ind.floor.unwrap_or(0.0),
                better: ind.better.unwrap_or_default(),
                steps: ind.steps.unwrap_or_default(),
            }
        }
        "threshold" => Rule::Threshold {
            threshold: ind.threshold.unwrap_or(0.0),
            better: ind.better.unwrap_or_default(),
        },
        _ => Rule::Manual,
    })
}

/// Bands and grades: scores within the total, distinct, highest first; payout rates shares.
fn sorted_bands(f: &ScoringFile, at: &At) -> Result<Vec<Band>> {
    let mut bands = f.band.clone();
    for (i, b) in bands.iter().enumerate() {
        if !(b.min.is_finite()
            && (0.0..=f.total).contains(&b.min)
            && (0.0..=1.0).contains(&b.payout_rate))
        {
            return Err(at.err(
                &format!("band[{i}]"),
                "`min` must lie between 0 and the total and `payout_rate` between 0 and 1",
                "e.g. min = 95, payout_rate = 1.0",
            ));
        }
    }
    bands.sort_by(|a, b| b.min.total_cmp(&a.min));
    if bands.windows(2).any(|w| w[0].min == w[1].min) {
        return Err(at.err(
            "band",
            "two bands start at the same score",
            "give each band its own `min`",
        ));
    }
    if !bands.is_empty() && f.payout.is_some() {
        return Err(at.err(
            "payout",
            "a payout formula and a band table both set the payout",
            "keep one of [scoring.payout] and [[scoring.band]]",
        ));
    }
    if let Some(last) = bands.last() {
        if last.min > 0.0 {
            return Err(at.err(
                "band",
                &format!("no band covers scores below {}", last.min),
                "add a band with min = 0",
            ));
        }
    }
    Ok(bands)
}

fn sorted_grades(f: &ScoringFile, at: &At) -> Result<Vec<Grade>> {
    let mut grades = f.grade.clone();
    grades.sort_by(|a, b| b.min.total_cmp(&a.min));
    let ok = grades
        .iter()
        .all(|g| g.min.is_finite() && (0.0..=f.total).contains(&g.min))
        && grades.windows(2).all(|w| w[0].min > w[1].min)
        && grades.last().is_none_or(|g| g.min == 0.0);
    if !ok {
        return Err(at.err(
            "grade",
            "grades need distinct `min` scores between 0 and the total, the lowest at 0",
            "e.g. AAA min = 95 … D min = 0",
        ));
    }
    Ok(grades)
}

/// Payout formula, pool and failed payout: shares between 0 and 1, a bar within the total.
fn check_money(f: &ScoringFile, at: &At) -> Result<()> {
    let share = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    if let Some(p) = &f.payout {
        if !(share(p.base_rate)
            && p.per_point.is_finite()
            && p.per_point >= 0.0
            && (0.0..=f.total).contains(&p.full_at))
        {
            return Err(at.err("payout", "`base_rate` must be a share, `per_point` zero or more and `full_at` within the total", "(15 + m) % below 85 points: full_at = 85, base_rate = 0.15, per_point = 0.01"));
        }
    }
    for (k, v) in [
        ("pool_rate", f.pool_rate),
        ("failed_payout_rate", f.failed_payout_rate),
    ] {
        if v.is_some_and(|v| !share(v)) {
            return Err(at.err(k, "must be a share between 0 and 1", "5 % is 0.05"));
        }
    }
    for (k, v) in [
        ("pass_mark", f.pass_mark),
        ("bonus_min_score", f.bonus_min_score),
    ] {
        if v.is_some_and(|v| !(v.is_finite() && (0.0..=f.total).contains(&v))) {
            return Err(at.err(k, "must lie between 0 and the total", "e.g. pass_mark = 60"));
        }
    }
    if f.serious_incident_lowers_band.is_some() && f.band.is_empty() {
        return Err(at.err(
            "serious_incident_lowers_band",
            "there is no band to lower",
            "add [[scoring.band]] tables or leave the key out",
        ));
    }
    Ok(())
}

/// Incident classes: distinct ids and non-negative amounts; returns the ids.
fn check_classes<'a>(f: &'a ScoringFile, at: &At) -> Result<Vec<&'a str>> {
    for (i, c) in f.incident_class.iter().enumerate() {
        let key = format!("incident_class[{i}] ({})", c.id);
        if f.incident_class[..i].iter().any(|o| o.id == c.id) {
            return Err(at.err(
                &key,
                "duplicate incident class",
                "give each class its own id",
            ));
        }
        if !(c.amount.is_finite() && c.amount >= 0.0) {
            return Err(at.err(&key, "`amount` must be zero or more", "e.g. amount = 500"));
        }
    }
    Ok(f.incident_class.iter().map(|c| c.id.as_str()).collect())
}
