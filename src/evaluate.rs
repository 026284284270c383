//! Evaluate stage: score the computed KPIs against the contract.
//!
//! Each `[[sla]]` becomes a scorecard line (target, actual, numerator, denominator, status
//! met / missed / not_measurable, clause). The incentive tiers are tried in order (the first
//! whose conditions hold applies), the penalty for missed service levels is computed with its
//! cap, and history (earlier periods' `metrics.json`) gives previous-period values and the
//! count of consecutive failing periods that can open a termination right. This stage
//! computes no KPI and writes no file.

use crate::config::contract::{
    Condition, Denominator, InconclusiveCounts, Op, Sla, SlaMetric, Tier, VerdictPolicy,
};
use crate::config::text::Text;
use crate::config::{Contract, Period};
use crate::kpi::Kpis;
use crate::model::Priority;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub mod payment;
pub mod remediation;
pub mod scoring;

/// Tolerance for comparing a measured ratio with a target written as a decimal fraction
/// (0.7 × 10 is 7.000000000000001 in binary floating point).
const EPS: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    Missed,
    NotMeasurable,
    /// A figure from a sample whose interval reaches across the target, under a verdict
    /// policy that then decides nothing (无法判定).
    Inconclusive,
}

impl Status {
    /// Its key in `metrics.json` and the text tables (`not_measurable`).
    pub fn key(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missed => "missed",
            Status::NotMeasurable => "not_measurable",
            Status::Inconclusive => "inconclusive",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScoreLine {
    pub id: String,
    /// The name a person reads: the contract's `name` (`name_en`), else the metric and scope.
    #[serde(default)]
    pub name: String,
    /// What the SLA counts, in words (channel, kind, priority, complexity, source).
    #[serde(default)]
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    pub clause: String,
    pub metric: SlaMetric,
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub complexity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub threshold: Option<String>,
    pub target: f64,
    pub actual: Option<f64>,
    pub numerator: f64,
    pub denominator: f64,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    pub previous_actual: Option<f64>,
    /// The figure is measured on a sample (survey responses, inspections); otherwise every
    /// contact in scope is counted (a census) and carries no interval.
    #[serde(default)]
    pub sample: bool,
    /// The confidence interval of a figure from a sample (Wilson for a rate, t for a mean).
    #[serde(default)]
    pub interval: Option<crate::stats::Interval>,
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub verdict: VerdictPolicy,
    /// Inconclusive: the responses (inspections) in all that would decide it, the figure
    /// staying where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<u64>,
    /// Inconclusive, and the contract counts that as not measurable for tiers, the scoring
    /// sheet and deductions.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub undecided: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct IncentiveResult {
    pub tier: Option<String>,
    pub clause: Option<String>,
    pub bonus_rate: f64,
    pub bonus: Option<f64>,
    pub penalty_rate: f64,
    pub penalty: Option<f64>,
    #[serde(default)]
    pub penalty_clause: Option<String>,
    #[serde(default)]
    pub breached_slas: Vec<String>,
    /// This period counts as a failure (its tier has `failure = true`).
    #[serde(default)]
    pub failure: bool,
    pub consecutive_failures: u32,
    pub termination_threshold: Option<u32>,
    pub termination_right: bool,
    /// Earlier periods found in the history, oldest first.
    #[serde(default)]
    pub history_periods: Vec<String>,
    /// The tier conditions that could not be evaluated because the figure they name is not
    /// measurable: then no tier is awarded and the period is no failure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided_conditions: Vec<String>,
    /// Earlier periods whose tier could not be decided, passed over (not counted, not
    /// breaking the run) when counting consecutive failures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided_periods: Vec<String>,
}

/// What we read of an earlier period's `metrics.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryEntry {
    pub contract_id: String,
    pub period: HistoryPeriod,
    /// Daily and weekly summaries are never history of a monthly evaluation.
    #[serde(default)]
    pub cadence: crate::config::Cadence,
    #[serde(default)]
    pub overall: Option<crate::kpi::Overall>,
    #[serde(default)]
    pub scorecard: Vec<ScoreLine>,
    #[serde(default)]
    pub incentive: Option<IncentiveResult>,
    #[serde(default)]
    pub topics: Vec<crate::kpi::TopicRow>,
    #[serde(default)]
    pub complaint_types: Vec<crate::kpi::ComplaintRow>,
    #[serde(default)]
    pub channels: Option<std::collections::BTreeMap<String, crate::kpi::ChannelMetrics>>,
    /// Its remediation list (整改跟踪); null in reports written before it existed.
    #[serde(default)]
    pub remediation: Option<remediation::Remediation>,
    /// The file it was read from, with its hash (for the manifest).
    #[serde(skip)]
    pub source: Option<crate::util::FileHash>,
}

/// Read one earlier period's metrics.json.
pub fn read_history_file(p: &Path) -> crate::error::Result<HistoryEntry> {
    let bytes = std::fs::read(p).map_err(|e| crate::error::io_err(p, "read", e))?;
    let mut h: HistoryEntry = serde_json::from_slice(&bytes).map_err(|e| {
        crate::error::Error::input(format!("{}: not a cseval metrics.json: {e}", p.display()))
    })?;
    h.source = Some(crate::util::FileHash {
        path: p.display().to_string(),
        sha256: crate::util::sha256(&bytes),
    });
    Ok(h)
}

#[derive(Debug, Clone, Deserialize)]
pub struct HistoryPeriod {
    pub start: String,
    pub end: String,
}

/// Read every `metrics.json` below `dir` that belongs to the contract and ends on or before
/// the period start. Sorted oldest first; one entry per period (the last found wins).
pub fn read_history(
    dir: &Path,
    contract_id: &str,
    period: Period,
) -> crate::error::Result<Vec<HistoryEntry>> {
    if !dir.is_dir() {
        // Refuse rather than run without history: a typo here would silently reset the
        // consecutive-failure count that can open a termination right.
        return Err(crate::error::Error::usage(format!(
            "--history {}: no such folder",
            dir.display()
        ))
        .with_hint("create it (an empty folder means no earlier periods) or correct the path"));
    }
    let mut found = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .map_err(|e| crate::error::io_err(&d, "read the history folder", e))?;
        let mut entries: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "metrics.json") {
                match read_history_file(&p) {
                    Ok(h)
                        if h.contract_id == contract_id
                            && h.cadence == crate::config::Cadence::Monthly
                            && h.period.end <= period.start.to_string() =>
                    {
                        found.insert(h.period.start.clone(), h);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("history: {e}"),
                }
            }
        }
    }
    Ok(found.into_values().collect())
}

/// Whether tier `t` holds for the figures `value` gives each condition: `Ok(true/false)`,
/// or `Err` with the conditions that decide it but name a figure that is null.
fn tier_holds(
    t: &Tier,
    value: impl Fn(&Condition) -> Option<f64>,
) -> std::result::Result<bool, Vec<String>> {
    if t.always {
        return Ok(true);
    }
    let truth = |c: &Condition| value(c).map(|v| holds(c, Some(v)));
    let unknown = |cs: &[Condition]| -> Vec<String> {
        cs.iter()
            .filter(|c| truth(c).is_none())
            .map(|c| c.text.clone())
            .collect()
    };
    // `all`: false as soon as one is false; unknown when none is false but one is unknown.
    if t.all.iter().any(|c| truth(c) == Some(false)) {
        return Ok(false);
    }
    let mut open = unknown(&t.all);
    // `any`: true as soon as one is true; unknown when none is true but one is unknown.
    if !t.any.is_empty() && !t.any.iter().any(|c| truth(c) == Some(true)) {
        let any_open = unknown(&t.any);
        if any_open.is_empty() {
            return Ok(false);
        }
        open.extend(any_open);
    }
    if open.is_empty() {
        Ok(true)
    } else {
        Err(open)
    }
}

fn holds(c: &Condition, value: Option<f64>) -> bool {
    let Some(v) = value else { return false };
    match c.op {
        Op::Ge => v >= c.value - EPS,
        Op::Gt => v > c.value + EPS,
        Op::Le => v <= c.value + EPS,
        Op::Lt => v < c.value - EPS,
        Op::Eq => (v - c.value).abs() <= EPS,
    }
}

/// The figure a condition or a scoring indicator names (`docs/scoring.md`, Figures): an
/// SLA's actual; `service_level` (the phone channel's); an overall figure, by its key alone
/// or as `overall.<key>`; `channels.<channel>.<key>`; `quality.<key>`. Null when the figure
/// is not measurable.
pub(crate) fn subject_value(subject: &str, kpis: &Kpis, scorecard: &[ScoreLine]) -> Option<f64> {
    if let Some(line) = scorecard.iter().find(|l| l.id == subject) {
        // An inconclusive figure the contract counts as not measurable decides nothing.
        return line.actual.filter(|_| !line.undecided);
    }
    if subject == "service_level" {
        return kpis.channels.get("phone").and_then(|c| c.service_level);
    }
    fn field<T: Serialize>(x: &T, key: &str) -> Option<f64> {
        serde_json::to_value(x).ok()?.get(key)?.as_f64()
    }
    let parts: Vec<&str> = subject.split('.').collect();
    match parts.as_slice() {
        [k] | ["overall", k] => field(&kpis.overall, k),
        ["channels", c, k] => kpis.channels.get(*c).and_then(|m| field(m, k)),
        ["quality", k] => kpis.quality.as_ref().and_then(|q| field(q, k)),
        _ => None,
    }
}

/// How many lines of a scorecard have `status`.
pub fn count(scorecard: &[ScoreLine], status: Status) -> usize {
    scorecard.iter().filter(|l| l.status == status).count()
}

/// The history entry of the period just before `period`, if the history has it.
pub fn previous_period(history: &[HistoryEntry], period: Period) -> Option<&HistoryEntry> {
    history
        .iter()
        .rev()
        .find(|h| h.period.end == period.start.to_string())
}

/// Score the period.
pub fn evaluate(
    contract: &Contract,
    kpis: &Kpis,
    period: Period,
    history: &[HistoryEntry],
    text: &Text,
) -> (Vec<ScoreLine>, IncentiveResult) {
    let previous = previous_period(history, period);
    let scorecard: Vec<ScoreLine> = contract
        .slas
        .iter()
        .zip(&kpis.sla)
        .map(|(s, m)| score_line(s, m, contract, previous, text))
        .collect();
    let scorecard = distinct_names(scorecard, text);

    let mut res = IncentiveResult {
        history_periods: history.iter().map(|h| h.period.start.clone()).collect(),
        ..Default::default()
    };
    let fee = contract.info.monthly_base_fee;
    if let Some(inc) = &contract.incentive {
        res.clause = inc.clause.clone();
        res.termination_threshold = inc.consecutive_failures_for_termination;
        // The first tier that holds; a tier that cannot be decided (it names a figure that
        // is not measurable) stops the search: no tier, no bonus, no failure.
        let value = |c: &Condition| subject_value(&c.subject, kpis, &scorecard);
        let mut tier = None;
        for t in &inc.tiers {
            match tier_holds(t, value) {
                Ok(true) => {
                    tier = Some(t);
                    break;
                }
                Ok(false) => {}
                Err(open) => {
                    res.undecided_conditions = open;
                    break;
                }
            }
        }
        if let Some(t) = tier {
            res.tier = Some(t.name.clone());
            res.bonus_rate = t.bonus_rate;
            res.bonus = fee.map(|f| round_money(f * t.bonus_rate));
            res.failure = t.failure;
        }
    }
    let inconclusive_missed = contract.uncertainty.inconclusive == InconclusiveCounts::Missed;
    res.breached_slas = scorecard
        .iter()
        .filter(|l| {
            l.status == Status::Missed || (l.status == Status::Inconclusive && inconclusive_missed)
        })
        .map(|l| l.id.clone())
        .collect();
    if let Some(p) = &contract.penalty {
        let raw = p.per_breached_sla_rate * res.breached_slas.len() as f64;
        res.penalty_rate = p.cap_rate.map_or(raw, |c| raw.min(c));
        res.penalty = fee.map(|f| round_money(f * res.penalty_rate));
        res.penalty_clause = p.clause.clone();
    }
    // Consecutive failures: this period (if failing) plus the unbroken run of failing
    // periods immediately before it.
    if res.failure {
        let mut n = 1;
        let mut expect_end = period.start.to_string();
        for h in history.iter().rev() {
            if h.period.end != expect_end {
                break;
            }
            expect_end = h.period.start.clone();
            let inc = h.incentive.as_ref();
            if inc.is_some_and(|i| i.tier.is_none() && !i.undecided_conditions.is_empty()) {
                // Not decided for lack of data: neither a failure nor the end of the run.
                res.undecided_periods.push(h.period.start.clone());
                continue;
            }
            if !inc.is_some_and(|i| i.failure) {
                break;
            }
            n += 1;
        }
        res.consecutive_failures = n;
    }
    res.termination_right = res
        .termination_threshold
        .is_some_and(|t| t > 0 && res.consecutive_failures >= t);
    (scorecard, res)
}

/// One SLA's line: its figure (none below the SLA's minimum population), the interval of a
/// figure measured on a sample, and the status its verdict policy gives.
fn score_line(
    s: &Sla,
    m: &crate::kpi::Measurement,
    contract: &Contract,
    previous: Option<&HistoryEntry>,
    text: &Text,
) -> ScoreLine {
    // Too few contacts (responses, inspections) in scope for a verdict: no figure.
    let min = s.min_population;
    let thin = m.actual.is_some() && m.denominator < min as f64;
    let actual = m.actual.filter(|_| !thin);
    let note = if thin {
        Some(
            text.label("why_thin")
                .replace("{n}", &m.denominator.to_string())
                .replace("{min}", &min.to_string()),
        )
    } else {
        m.why_missing.map(|w| text.label(w))
    };
    let scope = sla_scope(s, contract, text);
    let u = &contract.uncertainty;
    let sampled = s.metric.is_sampled();
    let interval = actual.filter(|_| sampled).and_then(|a| {
        if s.metric.is_rate() {
            crate::stats::wilson(m.numerator, m.denominator, u.confidence)
        } else {
            crate::stats::t_interval(a, m.spread?, m.denominator, u.confidence)
        }
    });
    // A ceiling (a figure where lower is better, always counted over every contact) is
    // judged as a floor on the negated figure.
    let status = if s.metric.lower_is_better() {
        judge(actual.map(|a| -a), None, -s.target, s.verdict)
    } else {
        judge(actual, interval, s.target, s.verdict)
    };
    let decided_at = match (status, actual) {
        (Status::Inconclusive, Some(a)) => {
            let spread = if s.metric.is_rate() {
                crate::stats::rate_spread(a)
            } else {
                m.spread.unwrap_or(0.0).powi(2)
            };
            crate::stats::needed_for(a - s.target, spread, u.confidence)
        }
        _ => None,
    };
    let undecided = status == Status::Inconclusive
        && u.inconclusive == crate::config::contract::InconclusiveCounts::Undecided;
    ScoreLine {
        id: s.id.clone(),
        name: sla_name(s, &scope, text),
        scope,
        description: s.description.clone(),
        clause: s.clause.clone(),
        metric: s.metric,
        channel: s.channel.map(|c| contract.channels.name(c).to_string()),
        complexity: s.complexity.map(|c| c.as_str().to_string()),
        priority: s.priority.map(|c| c.as_str().to_string()),
        threshold: s
            .threshold_written
            .map(|(unit, n)| text.label(unit).replace("{n}", &n.to_string())),
        target: s.target,
        actual,
        numerator: m.numerator,
        denominator: m.denominator,
        status,
        note,
        previous_actual: previous
            .and_then(|p| p.scorecard.iter().find(|l| l.id == s.id))
            .and_then(|l| l.actual),
        sample: sampled,
        interval,
        confidence: sampled.then_some(u.confidence),
        verdict: s.verdict,
        decided_at,
        undecided,
    }
}

/// The status a figure earns against `target` under `policy`, given its interval (none for
/// a census figure, which is judged as it is).
pub fn judge(
    actual: Option<f64>,
    interval: Option<crate::stats::Interval>,
    target: f64,
    policy: VerdictPolicy,
) -> Status {
    let Some(a) = actual else {
        return Status::NotMeasurable;
    };
    let meets = a >= target - EPS;
    match (interval, policy) {
        (Some(i), VerdictPolicy::BenefitOfDoubt) if !meets && i.high >= target - EPS => {
            Status::Inconclusive
        }
        (Some(i), VerdictPolicy::Strict) if meets && i.low < target - EPS => Status::Inconclusive,
        _ if meets => Status::Met,
        _ => Status::Missed,
    }
}

/// What an SLA counts, in words: its channel (all channels when none), kind, priority
/// (urgent for an urgent response), complexity and inspection source.
pub fn sla_scope(s: &Sla, contract: &Contract, text: &Text) -> String {
    let qa = s.metric == SlaMetric::QaPassRate;
    let mut parts = Vec::new();
    match s.channel {
        Some(c) => parts.push(text.channel(contract.channels.name(c))),
        None if !qa => parts.push(text.label("all_channels")),
        None => {}
    }
    if let Some(k) = s.kind {
        parts.push(text.label(&format!("kind_{}", k.as_str())));
    }
    let urgent = (s.metric == SlaMetric::UrgentResponseWithin).then_some(Priority::Urgent);
    if let Some(p) = s.priority.or(urgent) {
        parts.push(text.label(&format!("priority_{}", p.as_str())));
    }
    if let Some(c) = s.complexity {
        parts.push(text.label(&format!("complexity_{}", c.as_str())));
    }
    if let Some(src) = s.source {
        parts.push(text.label(&format!("source_{}", src.as_str())));
    }
    if s.metric == SlaMetric::ResolutionRate && s.denominator == Denominator::Contacts {
        parts.push(text.label("denominator_contacts"));
    }
    if parts.is_empty() {
        parts.push(text.label("all_inspections"));
    }
    parts.join(&text.label("scope_separator"))
}

/// The lines with names a reader can tell apart: a name that repeats an earlier line's
/// gets its number among them (`解决率（全部渠道）（2）`).
fn distinct_names(mut lines: Vec<ScoreLine>, text: &Text) -> Vec<ScoreLine> {
    for i in 1..lines.len() {
        let n = lines[..i]
            .iter()
            .filter(|l| l.name == lines[i].name)
            .count();
        if n > 0 {
            lines[i].name = text
                .label("sla_name_nth")
                .replace("{name}", &lines[i].name)
                .replace("{n}", &(n + 1).to_string());
        }
    }
    lines
}

/// The name of an SLA in the report's language: the contract's, else the metric and scope.
pub fn sla_name(s: &Sla, scope: &str, text: &Text) -> String {
    let given = match text.lang {
        crate::config::Lang::Zh => &s.name,
        crate::config::Lang::En => &s.name_en,
    };
    given.clone().unwrap_or_else(|| {
        text.label("sla_name")
            .replace("{metric}", &text.label(s.metric.as_str()))
            .replace("{scope}", scope)
    })
}

fn round_money(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// True when the line's metric is a rate (shown as a percentage).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_compare_with_tolerance() {
        let c = Condition {
            text: String::new(),
            subject: "x".into(),
            op: Op::Ge,
            value: 0.7,
        };
        assert!(holds(&c, Some(7.0 / 10.0)));
        assert!(holds(&c, Some(0.7 * 10.0 / 10.0)));
        assert!(!holds(&c, Some(0.6999)));
        assert!(!holds(&c, None));
    }

    #[test]
    fn each_policy_judges_a_figure_against_its_interval() {
        use crate::stats::Interval;
        use Status::{Inconclusive, Met, Missed};
        use VerdictPolicy::{BenefitOfDoubt, Point, Strict};
        // (figure, interval, policy, status) against a target of 80 %:
        let cases = [
            // 81.5 % in 78.8–83.9 %: met by the figure and with the benefit of the doubt;
            // strict asks the whole interval to reach 80 %.
            (0.815, (0.788, 0.839), Point, Met),
            (0.815, (0.788, 0.839), BenefitOfDoubt, Met),
            (0.815, (0.788, 0.839), Strict, Inconclusive),
            // 81.5 % in 80.1–82.9 %: met under every policy.
            (0.815, (0.801, 0.829), Strict, Met),
            // 79 % in 76–81.9 %: missed by the figure and under strict; with the benefit of
            // the doubt the interval reaches 80 %: inconclusive.
            (0.79, (0.76, 0.819), Point, Missed),
            (0.79, (0.76, 0.819), Strict, Missed),
            (0.79, (0.76, 0.819), BenefitOfDoubt, Inconclusive),
            // 79 % in 77–79.5 %: missed under every policy.
            (0.79, (0.77, 0.795), BenefitOfDoubt, Missed),
        ];
        for (a, (low, high), policy, status) in cases {
            let i = Some(Interval { low, high });
            assert_eq!(judge(Some(a), i, 0.80, policy), status, "{a} {policy:?}");
        }
        // A census figure (no interval) is judged as it is; no figure is not measurable.
        assert_eq!(judge(Some(0.79), None, 0.80, BenefitOfDoubt), Missed);
        assert_eq!(
            judge(None, None, 0.8, VerdictPolicy::Strict),
            Status::NotMeasurable
        );
    }
}
