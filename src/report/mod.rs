//! The assembled evaluation: every figure, the scorecard, the incentive result and the
//! findings of one period, plus the report text in the chosen language.
//!
//! [`Report`] is what `metrics.json` serialises and what every renderer reads; building it
//! runs the findings rules over the computed figures. Report wording lives in
//! `report-templates/text/{zh,en}.toml` (compiled in), not here. This module writes no file.

mod channels;
pub mod coverage;
mod findings;
mod format;
mod integrity;
pub mod invariants;
mod payment;
mod period;
pub mod plan;
pub use channels::HTML_CHANNEL_COLUMNS;
mod ranked;
pub use ranked::{ranked_cells, RankedRow};
mod remediation;
pub use remediation::indicator_problem_id;
pub mod repeat;
mod scoring;
pub use format::*;
pub use integrity::INTEGRITY_COLUMNS;
mod terms;
pub use payment::PaymentLine;
pub use scoring::{
    points as scoring_points, sentence as scoring_sentence, IndicatorLine, ScoringLine,
};
use terms::terms;
pub use terms::ContractTerms;
mod evidence;
pub use evidence::{evidence_file, EvidenceList};
mod columns;
pub use columns::*;

use crate::config::text::Text;
use crate::config::{Cadence, Lang, Period, RunConfig};
use crate::evaluate::{IncentiveResult, ScoreLine, Status};
use crate::kpi::{
    AgentRow, ChannelMetrics, ComplaintRow, DayRow, HourRow, Inconsistencies, Kpis, Orders,
    Overall, Peaks, Quality, ScoreRow, TopicRow, Urgent,
};
use crate::normalize::{Rejection, RowCounts};
use crate::util::InputFile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PeriodOut {
    pub start: String,
    pub end: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CalendarOut {
    pub name: String,
    pub sources: Vec<String>,
}

/// One period of the trend across history and the current period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendRow {
    pub period: String,
    pub contacts: Option<u64>,
    pub resolution_rate: Option<f64>,
    pub fcr_rate: Option<f64>,
    pub csat_mean: Option<f64>,
    pub csat_top_box_rate: Option<f64>,
    pub complaint_rate: Option<f64>,
    pub tier: Option<String>,
    pub failure: bool,
    pub slas_missed: usize,
    /// Actual of each SLA, by id.
    pub sla: BTreeMap<String, Option<f64>>,
}

/// How much a finding weighs; its label key is [`Severity::as_str`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub id: String,
    /// What a person reads as the finding's heading: its kind and subject in words.
    pub title: String,
    pub severity: Severity,
    pub evidence: String,
    pub suggestion: String,
}

/// The data-quality gate: past the contract's `[data_quality]` limits the verdict is
/// provisional (暂定) in every output, and findings say why.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct DataQuality {
    pub provisional: bool,
    /// Inputs whose rejected and duplicate rows exceed the contract's share of rows read.
    pub rejected_shares: Vec<RejectedShare>,
    /// Working days of the period (days with service windows; every day without a
    /// calendar) on which no contact arrived.
    pub missing_days: Vec<String>,
}

/// One input kind's rows not accepted, against the rows read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RejectedShare {
    pub input: &'static str,
    pub read: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub share: f64,
}

/// The data-quality gate over the row accounting and the days with contacts.
fn data_quality(
    cfg: &RunConfig,
    period: Period,
    rows: [(&'static str, &RowCounts); 3],
    days: &[DayRow],
) -> DataQuality {
    let limits = &cfg.contract.data_quality;
    let rejected_shares: Vec<RejectedShare> = rows
        .into_iter()
        // Rows a profile's filters left out were never meant as data.
        .filter(|(_, r)| r.read > r.filtered)
        .map(|(input, r)| RejectedShare {
            input,
            read: r.read - r.filtered,
            rejected: r.rejected,
            duplicates: r.duplicates,
            share: (r.rejected + r.duplicates) as f64 / (r.read - r.filtered) as f64,
        })
        .filter(|s| s.share > limits.max_rejected_share)
        .collect();
    let mut missing_days = Vec::new();
    if limits.missing_days && !cfg.calls.is_empty() {
        let seen: std::collections::BTreeSet<&str> = days
            .iter()
            .filter(|d| d.contacts > 0)
            .map(|d| d.date.as_str())
            .collect();
        for day in period.start.iter_days().take_while(|d| *d < period.end) {
            let working = cfg
                .calendar
                .as_ref()
                .is_none_or(|c| !c.windows_of(day).is_empty());
            let date = day.format("%Y-%m-%d").to_string();
            if working && !seen.contains(date.as_str()) {
                missing_days.push(date);
            }
        }
    }
    DataQuality {
        provisional: !rejected_shares.is_empty() || !missing_days.is_empty(),
        rejected_shares,
        missing_days,
    }
}

/// A consultation hotspot with the previous period's count (when the history has it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TopicLine {
    #[serde(flatten)]
    pub row: TopicRow,
    pub previous_contacts: Option<u64>,
}

/// A complaint type with the previous period's count (when the history has it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComplaintLine {
    #[serde(flatten)]
    pub row: ComplaintRow,
    pub previous_complaints: Option<u64>,
}

/// `metrics.json`: every figure of one period under its stable keys (docs/metrics.md).
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub cseval_version: String,
    pub contract_id: String,
    pub contract_name: String,
    pub client: Option<String>,
    pub provider: Option<String>,
    pub currency: Option<String>,
    pub monthly_base_fee: Option<f64>,
    pub period: PeriodOut,
    /// `monthly` (the evaluation), `weekly` or `daily` (summaries).
    pub cadence: Cadence,
    pub calendar: Option<CalendarOut>,
    pub inputs: Vec<InputFile>,
    pub survey_inputs: Vec<InputFile>,
    pub inspection_inputs: Vec<InputFile>,
    pub rows: RowCounts,
    pub survey_rows: RowCounts,
    /// Row accounting of the inspections; null without inspection input.
    pub inspection_rows: Option<RowCounts>,
    /// Whether the data is firm enough for a firm verdict (`[data_quality]`).
    pub data_quality: DataQuality,
    /// Records that contradict themselves or the other inputs.
    pub inconsistencies: Inconsistencies,
    pub overall: Overall,
    /// The previous period's overall figures, when the history has them.
    pub previous_overall: Option<Overall>,
    /// The previous period's per-channel figures, when the history has them.
    pub previous_channels: Option<BTreeMap<String, ChannelMetrics>>,
    pub channels: BTreeMap<String, ChannelMetrics>,
    pub topics: Vec<TopicLine>,
    pub complaint_types: Vec<ComplaintLine>,
    pub agents: Vec<AgentRow>,
    pub daily: Vec<DayRow>,
    pub hourly: Vec<HourRow>,
    pub satisfaction_distribution: Vec<ScoreRow>,
    /// Each survey item's answers in the period; empty without item columns.
    pub survey_items: Vec<crate::kpi::ItemStats>,
    pub orders: Orders,
    pub urgent: Urgent,
    pub peaks: Peaks,
    /// Quality inspections; null without inspection input.
    pub quality: Option<Quality>,
    /// The integrity checks on the provider's export (数据核查).
    pub integrity: crate::kpi::integrity::Integrity,
    /// Repeat contacts (`[repeat]`); null when the contract measures none.
    pub repeat: Option<crate::kpi::repeat::Repeat>,
    /// The inspections against the sampling plan of `--plan`; null without one.
    pub plan_coverage: Option<crate::kpi::coverage::Coverage>,
    pub scorecard: Vec<ScoreLine>,
    /// Null in daily and weekly summaries: tiers, bonus and deductions are monthly.
    pub incentive: Option<IncentiveResult>,
    /// The payment statement (费用结算) of a monthly evaluation.
    pub payment: Option<crate::evaluate::payment::Payment>,
    /// The weighted scoring sheet (考核表) of a monthly evaluation under a contract with
    /// `[scoring]`.
    pub scoring: Option<crate::evaluate::scoring::ScoreSheet>,
    /// Earlier periods from the history plus this one, oldest first.
    pub trend: Vec<TrendRow>,
    pub findings: Vec<Finding>,
    /// The problems to remedy and those of the period before, with their states (整改跟踪);
    /// null in daily and weekly summaries.
    pub remediation: Option<crate::evaluate::remediation::Remediation>,
}

/// What the evaluate stage decided of a period: the scorecard, the incentive result (a
/// monthly evaluation) and the scoring sheet (a contract with `[scoring]`).
pub struct Verdict {
    pub scorecard: Vec<ScoreLine>,
    pub incentive: Option<IncentiveResult>,
    pub scoring: Option<crate::evaluate::scoring::ScoreSheet>,
}

/// A score as the distribution shows it: whole scores as they are (`4`), others (a mean of
/// survey items) to two decimals (`6.67`).
pub fn score_label(score: f64) -> String {
    if score.fract() == 0.0 {
        format!("{score}")
    } else {
        let s = format!("{score:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// What the renderers read: the figures, and the wording, rejected rows, contract terms and
/// parameters shown beside them.
#[derive(Debug, Clone)]
pub struct Report {
    pub metrics: Metrics,
    /// Every row not accepted, for the data-quality sheet.
    pub rejections: Vec<Rejection>,
    pub terms: ContractTerms,
    pub text: Text,
    pub lang: Lang,
    /// The contract's parameters as the Method sheet lists them.
    pub method_params: Vec<(String, String)>,
    /// Timestamp written inside files: SOURCE_DATE_EPOCH, else the end of the period.
    pub doc_epoch: i64,
    /// The contacts that missed each missed SLA over contacts, and the period's contacts
    /// they are rows of (see [`Report::evidence_lines`]).
    pub evidence: Vec<EvidenceList>,
    pub misses: polars::prelude::DataFrame,
    /// By the contract's SLA index: where its contacts and misses are, and the channels'
    /// names by position (for the findings that say where an SLA was missed).
    pub spreads: Vec<crate::kpi::Spread>,
    pub channel_names: Vec<String>,
}

impl Report {
    /// Every input file's fingerprint worked out (waited for, and finished on this thread),
    /// or the error of the first that cannot be: before any file showing them is made.
    pub fn settle_inputs(&self) -> crate::error::Result<()> {
        let m = &self.metrics;
        crate::util::settle_all(
            m.inputs
                .iter()
                .chain(&m.survey_inputs)
                .chain(&m.inspection_inputs),
        )
    }

    /// The inconsistent records of the period: (label key, count, the count it is a share
    /// of).
    pub fn inconsistencies(&self) -> [(&'static str, u64, u64); 3] {
        let (i, o) = (&self.metrics.inconsistencies, &self.metrics.overall);
        [
            (
                "inconsistent_resolved_unanswered",
                i.resolved_unanswered,
                o.contacts,
            ),
            (
                "inconsistent_answered_zero_handle",
                i.answered_zero_handle,
                o.answered,
            ),
            (
                "inconsistent_surveys_unlinked",
                i.surveys_unlinked,
                o.csat_responses,
            ),
        ]
    }

    /// One line of row accounting per input kind read ("read N = accepted + rejected +
    /// duplicates"), contacts always.
    pub fn row_lines(&self) -> Vec<String> {
        let m = &self.metrics;
        let kinds = [
            ("contacts", Some(&m.rows)),
            ("surveys", Some(&m.survey_rows)),
            ("inspections", m.inspection_rows.as_ref()),
        ];
        kinds
            .into_iter()
            .filter_map(|(k, r)| r.filter(|r| k == "contacts" || r.read > 0).map(|r| (k, r)))
            .map(|(k, r)| {
                let line = self
                    .text
                    .label("rows_line")
                    .replace("{input}", &self.text.label(&format!("input_{k}")))
                    .replace("{read}", &count(r.read))
                    .replace("{accepted}", &count(r.accepted))
                    .replace("{rejected}", &count(r.rejected))
                    .replace("{duplicates}", &count(r.duplicates));
                if r.filtered == 0 {
                    return line;
                }
                let rules: Vec<String> = r
                    .filtered_by
                    .iter()
                    .map(|(rule, n)| format!("{} {n}", crate::model::mask_personal(rule)))
                    .collect();
                line + &self
                    .text
                    .label("rows_filtered")
                    .replace("{filtered}", &count(r.filtered))
                    .replace("{rules}", &rules.join(&self.text.label("list_separator")))
            })
            .collect()
    }

    /// The verdict as the Summary shows it, and whether every SLA was met: never "all met"
    /// while an SLA is not measurable.
    pub fn verdict(&self) -> (String, bool) {
        let card = &self.metrics.scorecard;
        let missed = crate::evaluate::count(card, Status::Missed);
        // An inconclusive SLA is neither met nor missed: told with those not measurable.
        let inconclusive = crate::evaluate::count(card, Status::Inconclusive);
        let unmeasurable = crate::evaluate::count(card, Status::NotMeasurable) + inconclusive;
        let key = match (missed, unmeasurable) {
            (0, 0) => "verdict_met",
            (_, 0) => "verdict_missed",
            (0, _) => "verdict_unmeasurable",
            _ => "verdict_missed_unmeasurable",
        };
        let verdict = self
            .text
            .label(key)
            .replace("{n}", &missed.to_string())
            .replace("{u}", &unmeasurable.to_string())
            .replace("{total}", &card.len().to_string())
            .replace("{met}", &(card.len() - missed - unmeasurable).to_string())
            + &if inconclusive > 0 {
                self.text
                    .label("verdict_inconclusive")
                    .replace("{i}", &inconclusive.to_string())
            } else {
                String::new()
            };
        let firm = !self.metrics.data_quality.provisional;
        let text = if firm {
            verdict
        } else {
            self.text
                .label("verdict_provisional")
                .replace("{verdict}", &verdict)
        };
        // The termination right, when it arises, comes first.
        let text = match &self.metrics.incentive {
            Some(inc) if inc.termination_right => self
                .text
                .label("verdict_termination")
                .replace("{n}", &inc.consecutive_failures.to_string())
                .replace("{clause}", inc.clause.as_deref().unwrap_or("—"))
                .replace("{verdict}", &text),
            _ => text,
        };
        (text, missed == 0 && unmeasurable == 0 && firm)
    }

    /// The Method paragraphs with this contract's parameters.
    pub fn method_paragraphs(&self) -> Vec<String> {
        let peaks = &self.metrics.peaks;
        self.text.method_paragraphs(
            &self.terms.survey,
            &[
                ("days_around", peaks.days_around_holidays.to_string()),
                ("volume_factor", peaks.volume_factor.to_string()),
                ("drop", format!("{}", self.terms.peaks_drop * 100.0)),
                ("pass_score", self.terms.quality_pass_score.to_string()),
                ("min_population", self.terms.min_population.to_string()),
                (
                    "default_priority",
                    self.terms
                        .default_priority
                        .map(|p| self.text.label(&format!("priority_{p}")))
                        .unwrap_or_else(|| "{default_priority}".into()),
                ),
                ("declared_channels", self.declared_channels()),
                ("confidence", pct(Some(self.terms.uncertainty.confidence))),
                (
                    "verdict_policy",
                    self.text.label(&self.terms.uncertainty.policy_key()),
                ),
                (
                    "inconclusive_counts",
                    self.text.label(&self.terms.uncertainty.counts_key()),
                ),
            ]
            .into_iter()
            .chain(self.terms.repeat.iter().flat_map(|r| {
                [
                    ("fcr_window", r.fcr_window_hours.to_string()),
                    ("contacts", r.contacts.to_string()),
                    ("days", r.days.to_string()),
                    ("within", r.within_minutes.to_string()),
                    ("callback_window", r.callback_window_hours.to_string()),
                ]
            }))
            .collect::<Vec<_>>(),
        )
    }

    /// The declared channels for the Method paragraph (its placeholder when there are none).
    fn declared_channels(&self) -> String {
        let t = &self.text;
        let list: Vec<String> = self
            .terms
            .declared_channels
            .iter()
            .map(|(name, realtime, file)| {
                let kind = if *realtime {
                    "channel_realtime"
                } else {
                    "channel_asynchronous"
                };
                t.label("declared_channel")
                    .replace("{name}", name)
                    .replace("{kind}", &t.label(kind))
                    .replace("{file}", file)
            })
            .collect();
        if list.is_empty() {
            "{declared_channels}".into()
        } else {
            list.join(&t.label("list_separator"))
        }
    }

    pub fn top_box(&self) -> u32 {
        self.terms.survey.top_box
    }
    pub fn scale(&self) -> (f64, f64) {
        (self.terms.survey.scale_min, self.terms.survey.scale_max)
    }
}

/// "A017 何平", or the id alone when the name is unknown.
fn agent_label(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{id} {n}"),
        None => id.to_string(),
    }
}

/// Assemble the report for one period.
#[allow(clippy::too_many_arguments)]
pub fn build(
    cfg: &RunConfig,
    cadence: Cadence,
    period: Period,
    mut kpis: Kpis,
    verdict: Verdict,
    data: &crate::normalize::Dataset,
    history: &[crate::evaluate::HistoryEntry],
    text: Text,
) -> crate::error::Result<Report> {
    let Verdict {
        scorecard,
        incentive,
        scoring,
    } = verdict;
    let c = &cfg.contract;
    let previous = crate::evaluate::previous_period(history, period);
    let (topics, complaint_types) = ranked::ranked_lines(&kpis, previous);
    let mut rows = data.contact_rows.clone();
    // Outbound contacts outside the period are out of it like any other.
    let outbound_elsewhere = (data.outbound.height() as u64).saturating_sub(kpis.outbound);
    rows.out_of_period = kpis.out_of_period + data.contacts_elsewhere + outbound_elsewhere;
    rows.outbound = kpis.outbound;
    let mut survey_rows = data.survey_rows.clone();
    survey_rows.out_of_period = kpis.survey_out_of_period;
    let method_params = method_params(c, &scorecard, &text);
    let mut misses = std::mem::take(&mut kpis.misses);
    let spreads = std::mem::take(&mut kpis.spreads);
    let evidence = evidence::lists(&scorecard, &mut misses);
    let payment = incentive.as_ref().map(|res| {
        crate::evaluate::payment::statement(c, &kpis, &scorecard, res, scoring.as_ref())
    });
    let mut metrics = Metrics {
        cseval_version: env!("CARGO_PKG_VERSION").to_string(),
        contract_id: c.info.id.clone(),
        contract_name: c.info.name.clone(),
        client: c.info.client.clone(),
        provider: c.info.provider.clone(),
        currency: c.info.currency.clone(),
        monthly_base_fee: c.info.monthly_base_fee,
        period: PeriodOut {
            start: period.start.to_string(),
            end: period.end.to_string(),
            timezone: c.info.timezone.clone(),
        },
        cadence,
        calendar: cfg.calendar.as_ref().map(|k| CalendarOut {
            name: k.name.clone(),
            sources: k.sources.clone(),
        }),
        // The fingerprints may still be under way (worked out in idle time): the files that
        // show them wait for them ([`Report::settle_inputs`]), the figures do not.
        inputs: data.inputs.clone(),
        survey_inputs: data.survey_inputs.clone(),
        inspection_inputs: data.inspection_inputs.clone(),
        rows,
        survey_rows,
        inspection_rows: kpis.quality.as_ref().map(|q| RowCounts {
            out_of_period: data.inspection_rows.accepted.saturating_sub(q.inspections),
            ..data.inspection_rows.clone()
        }),
        data_quality: data_quality(
            cfg,
            period,
            [
                ("contacts", &data.contact_rows),
                ("surveys", &data.survey_rows),
                ("inspections", &data.inspection_rows),
            ],
            &kpis.days,
        ),
        inconsistencies: kpis.inconsistencies,
        overall: kpis.overall,
        previous_overall: previous.and_then(|p| p.overall.clone()),
        previous_channels: previous.and_then(|p| p.channels.clone()),
        channels: kpis.channels,
        topics,
        complaint_types,
        agents: kpis.agents,
        daily: kpis.days,
        hourly: kpis.hours,
        satisfaction_distribution: kpis.scores,
        survey_items: kpis.survey_items,
        orders: kpis.orders,
        urgent: kpis.urgent,
        peaks: kpis.peaks,
        quality: kpis.quality,
        plan_coverage: kpis.plan_coverage,
        repeat: kpis.repeat,
        integrity: kpis.integrity,
        trend: Vec::new(),
        scorecard,
        incentive,
        payment,
        scoring,
        findings: Vec::new(),
        remediation: None,
    };
    metrics.trend = history
        .iter()
        .map(|h| {
            trend_row(
                &h.period.start,
                h.overall.as_ref(),
                &h.scorecard,
                h.incentive.as_ref(),
            )
        })
        .chain(std::iter::once(trend_row(
            &metrics.period.start,
            Some(&metrics.overall),
            &metrics.scorecard,
            metrics.incentive.as_ref(),
        )))
        .collect();
    let mut r = Report {
        metrics,
        rejections: data.rejections.clone(),
        terms: terms(c),
        text,
        lang: cfg.lang,
        method_params,
        doc_epoch: cfg.source_date_epoch.unwrap_or_else(|| {
            period
                .end
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp())
                .unwrap_or(0)
        }),
        evidence,
        misses: misses.frame,
        spreads,
        channel_names: c.channels.names().map(str::to_string).collect(),
    };
    r.metrics.findings = findings::findings(&r, cfg.calendar.as_ref());
    if cadence == Cadence::Monthly {
        let days = c.report.remediation_days;
        r.metrics.remediation = Some(remediation::remediation(&r, period, history, days));
    }
    Ok(r)
}

/// The contract's parameters as the Method sheet lists them, in the report's language: the
/// time zone, the survey scale and each SLA (clause, metric, scope, threshold as written,
/// target, short-abandon threshold).
fn method_params(
    c: &crate::config::Contract,
    scorecard: &[ScoreLine],
    t: &Text,
) -> Vec<(String, String)> {
    let s = &c.survey;
    let mut params = vec![
        (t.label("param_timezone"), t.zone(&c.info.timezone)),
        (
            t.label("param_survey_scale"),
            t.label("param_survey_scale_value")
                .replace("{min}", &s.scale_min.to_string())
                .replace("{max}", &s.scale_max.to_string())
                .replace("{top}", &s.top_box.to_string()),
        ),
    ];
    for (sla, line) in c.slas.iter().zip(scorecard) {
        let short = sla
            .short_abandon_seconds
            .map(|v| {
                t.label("param_short_abandon")
                    .replace("{n}", &v.to_string())
            })
            .unwrap_or_default();
        let threshold = line
            .threshold
            .as_ref()
            .map(|x| format!("{}{x}", t.label("param_separator")))
            .unwrap_or_default();
        params.push((
            line.name.clone(),
            t.label("param_sla")
                .replace("{clause}", &sla.clause)
                .replace("{metric}", &t.label(sla.metric.as_str()))
                .replace("{scope}", &line.scope)
                .replace("{threshold}", &threshold)
                .replace("{target}", &fmt_target(sla.metric, sla.target))
                .replace("{short}", &short),
        ));
    }
    params
}

fn trend_row(
    start: &str,
    o: Option<&Overall>,
    scorecard: &[ScoreLine],
    inc: Option<&IncentiveResult>,
) -> TrendRow {
    TrendRow {
        period: start.get(..7).unwrap_or(start).to_string(),
        contacts: o.map(|o| o.contacts),
        resolution_rate: o.and_then(|o| o.resolution_rate),
        fcr_rate: o.and_then(|o| o.fcr_rate),
        csat_mean: o.and_then(|o| o.csat_mean),
        csat_top_box_rate: o.and_then(|o| o.csat_top_box_rate),
        complaint_rate: o.and_then(|o| o.complaint_rate),
        tier: inc.and_then(|i| i.tier.clone()),
        failure: inc.is_some_and(|i| i.failure),
        slas_missed: crate::evaluate::count(scorecard, Status::Missed),
        sla: scorecard.iter().map(|l| (l.id.clone(), l.actual)).collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores_show_whole_or_to_two_decimals() {
        assert_eq!(super::score_label(4.0), "4");
        assert_eq!(super::score_label(20.0 / 3.0), "6.67");
        assert_eq!(super::score_label(4.5), "4.5");
        assert_eq!(super::score_label(4.999), "5");
    }

    use super::*;

    #[test]
    fn both_languages_load_with_the_same_keys() {
        let zh = Text::load(Lang::Zh);
        let en = Text::load(Lang::En);
        assert_eq!(
            zh.labels.keys().collect::<Vec<_>>(),
            en.labels.keys().collect::<Vec<_>>()
        );
        assert_eq!(
            zh.method.keys().collect::<Vec<_>>(),
            en.method.keys().collect::<Vec<_>>()
        );
        assert_eq!(
            zh.findings.text.keys().collect::<Vec<_>>(),
            en.findings.text.keys().collect::<Vec<_>>()
        );
        assert_eq!(zh.findings.weekdays.len(), 7);
        assert_eq!(
            zh.reasons.keys().collect::<Vec<_>>(),
            en.reasons.keys().collect::<Vec<_>>()
        );
        // The same placeholders in both languages.
        let holes = |t: &str| (0..9).filter(|i| t.contains(&format!("{{{i}}}"))).count();
        for (k, z) in &zh.reasons {
            assert_eq!(holes(z), holes(&en.reasons[k]), "reason {k}");
        }
    }

    #[test]
    fn criterion_and_item_columns_are_named_in_words() {
        let zh = Text::load(Lang::Zh);
        assert_eq!(zh.column("criterion_greeting"), "质检项（开场问候）");
        assert_eq!(zh.column("item_物流速度"), "题项（物流速度）");
        assert_eq!(zh.column("arrived_at"), "到达时间");
        let en = Text::load(Lang::En);
        assert_eq!(en.column("criterion_greeting"), "Criterion: Greeting");
    }

    /// Every reason the code gives (each key of a `why!` call) is worded in both languages,
    /// with as many placeholders as it has values; no table entry is unused.
    #[test]
    fn every_reason_in_the_code_is_worded() {
        let zh = Text::load(Lang::Zh);
        let mut used = std::collections::BTreeSet::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                let calls = ["why!(", "why_const!("]
                    .into_iter()
                    .flat_map(|m| src.split(m).skip(1).collect::<Vec<_>>())
                    .filter_map(|c| c.trim_start().strip_prefix('"'));
                for call in calls {
                    let key = &call[..call.find('"').unwrap()];
                    if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                        continue; // not a call (this test's own patterns)
                    }
                    // The values: top-level commas up to the closing parenthesis.
                    let (mut depth, mut args) = (0i32, 0usize);
                    for c in call.chars() {
                        match c {
                            '(' | '[' | '{' => depth += 1,
                            ')' | ']' | '}' if depth == 0 => break,
                            ')' | ']' | '}' => depth -= 1,
                            ',' if depth == 0 => args += 1,
                            _ => {}
                        }
                    }
                    let Some(t) = zh.reasons.get(key) else {
                        panic!("{}: reason `{key}` is in no text table", p.display());
                    };
                    let holes = (0..9).filter(|i| t.contains(&format!("{{{i}}}"))).count();
                    assert_eq!(args, holes, "{}: `{key}` takes {holes} values", p.display());
                    used.insert(key.to_string());
                }
            }
        }
        let unused: Vec<_> = zh.reasons.keys().filter(|k| !used.contains(*k)).collect();
        assert!(unused.is_empty(), "reasons no code gives: {unused:?}");
    }
}
