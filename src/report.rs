//! The assembled evaluation: every figure, the scorecard, the incentive result and the
//! findings of one period, plus the report text in the chosen language.
//!
//! [`Report`] is what `metrics.json` serialises and what every renderer reads; building it
//! runs the findings rules over the computed figures. Report wording lives in
//! `report-templates/text/{zh,en}.toml` (compiled in), not here. This module writes no file.

use crate::config::text::Text;
use crate::config::{Cadence, Lang, Period, RunConfig};
use crate::evaluate::{IncentiveResult, ScoreLine, Status};
use crate::kpi::{
    AgentRow, ChannelMetrics, ComplaintRow, DayRow, HourRow, Kpis, Orders, Overall, Peaks, Quality,
    ScoreRow, TopicRow, Urgent,
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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub id: String,
    pub severity: String,
    pub evidence: String,
    pub suggestion: String,
}

/// Everything a renderer needs; serialises as `metrics.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
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
    pub overall: Overall,
    /// The previous period's overall figures, when the history has them.
    pub previous_overall: Option<Overall>,
    /// The previous period's per-channel figures, when the history has them.
    pub previous_channels: Option<BTreeMap<String, ChannelMetrics>>,
    pub channels: BTreeMap<String, ChannelMetrics>,
    pub topics: Vec<TopicRow>,
    pub complaint_types: Vec<ComplaintRow>,
    pub agents: Vec<AgentRow>,
    pub daily: Vec<DayRow>,
    pub hourly: Vec<HourRow>,
    pub satisfaction_distribution: Vec<ScoreRow>,
    pub orders: Orders,
    pub urgent: Urgent,
    pub peaks: Peaks,
    /// Quality inspections; null without inspection input.
    pub quality: Option<Quality>,
    pub scorecard: Vec<ScoreLine>,
    /// Null in daily and weekly summaries: tiers, bonus and deductions are monthly.
    pub incentive: Option<IncentiveResult>,
    /// Earlier periods from the history plus this one, oldest first.
    pub trend: Vec<TrendRow>,
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub rejections: Vec<Rejection>,
    /// `[peaks]` of the contract: the service-level drop that makes a finding, and its clause.
    #[serde(skip)]
    pub peaks_drop: f64,
    #[serde(skip)]
    pub peaks_clause: Option<String>,
    #[serde(skip)]
    pub quality_clause: Option<String>,
    #[serde(skip)]
    pub quality_pass_score: f64,
    #[serde(skip)]
    pub text: Text,
    #[serde(skip)]
    pub lang: Lang,
    #[serde(skip)]
    pub method_params: Vec<(String, String)>,
    #[serde(skip)]
    pub period_range: Option<Period>,
    #[serde(skip)]
    pub survey: crate::config::contract::SurveyCfg,
    /// Timestamp written inside files: SOURCE_DATE_EPOCH, else the end of the period.
    #[serde(skip)]
    pub doc_epoch: i64,
}

/// Label keys of the scorecard's columns, in the order every renderer shows them (the
/// workbook adds a `note` column).
pub const SCORECARD_COLUMNS: &[&str] = &[
    "sla_id",
    "clause",
    "metric",
    "channel",
    "threshold",
    "target",
    "actual",
    "previous",
    "numerator",
    "denominator",
    "status",
];

/// One line of a ranked list as the renderers show it: name (nulls labelled), count,
/// share, previous period's count.
pub type RankedRow = (String, u64, f64, Option<u64>);

impl Report {
    /// Consultation hotspots as ranked rows.
    pub fn topic_rows(&self) -> Vec<RankedRow> {
        let none = self.text.label("none");
        self.topics
            .iter()
            .map(|x| {
                (
                    x.topic.clone().unwrap_or(none.clone()),
                    x.contacts,
                    x.share,
                    x.previous_contacts,
                )
            })
            .collect()
    }

    /// Complaint types as ranked rows.
    pub fn complaint_rows(&self) -> Vec<RankedRow> {
        let none = self.text.label("none");
        self.complaint_types
            .iter()
            .map(|x| {
                (
                    x.complaint_type.clone().unwrap_or(none.clone()),
                    x.complaints,
                    x.share,
                    x.previous_complaints,
                )
            })
            .collect()
    }

    /// The Method paragraphs with this contract's parameters.
    pub fn method_paragraphs(&self) -> Vec<String> {
        self.text.method_paragraphs(
            &self.survey,
            &[
                ("days_around", self.peaks.days_around_holidays.to_string()),
                ("volume_factor", self.peaks.volume_factor.to_string()),
                ("drop", format!("{}", self.peaks_drop * 100.0)),
                ("pass_score", self.quality_pass_score.to_string()),
            ],
        )
    }

    pub fn top_box(&self) -> u32 {
        self.survey.top_box
    }
    pub fn scale(&self) -> (f64, f64) {
        (self.survey.scale_min, self.survey.scale_max)
    }
}

pub fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.2}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn fmt_value(metric: &str, v: Option<f64>) -> String {
    if crate::evaluate::is_rate_metric(metric) {
        pct(v)
    } else {
        v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
    }
}

/// "A017 何平", or the id alone when the name is unknown.
fn agent_label(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{id} {n}"),
        None => id.to_string(),
    }
}

/// Run the findings rules.
fn findings(r: &Report, calendar: Option<&crate::config::Calendar>) -> Vec<Finding> {
    let t = &r.text;
    let mut out = Vec::new();
    let weekday = |w: u32| {
        t.findings
            .weekdays
            .get(w as usize)
            .cloned()
            .unwrap_or_default()
    };
    // Where abandons concentrate: the weekday × hour cell with the most abandons.
    let total_ab: u64 = r.hourly.iter().map(|h| h.abandoned).sum();
    let peak = r.hourly.iter().filter(|h| h.abandoned > 0).max_by(|a, b| {
        a.abandoned
            .cmp(&b.abandoned)
            .then(b.weekday.cmp(&a.weekday))
            .then(b.hour.cmp(&a.hour))
    });
    let peak_when = peak
        .map(|h| {
            format!(
                "{} {:02}:00–{:02}:00",
                weekday(h.weekday),
                h.hour,
                h.hour + 1
            )
        })
        .unwrap_or_default();

    if let Some(inc) = r.incentive.as_ref().filter(|i| i.termination_right) {
        out.push(Finding {
            id: "termination_right".into(),
            severity: "high".into(),
            evidence: t.finding(
                "termination",
                &[
                    ("n", inc.consecutive_failures.to_string()),
                    ("clause", inc.clause.clone().unwrap_or_default()),
                ],
            ),
            suggestion: t.finding("termination_suggestion", &[]),
        });
    }
    for l in &r.scorecard {
        let label = l.id.clone();
        match l.status {
            Status::Missed => out.push(Finding {
                id: format!("sla_missed:{}", l.id),
                severity: "high".into(),
                evidence: t.finding(
                    "sla_missed",
                    &[
                        ("sla", label),
                        ("clause", l.clause.clone()),
                        ("actual", fmt_value(&l.metric, l.actual)),
                        ("target", fmt_value(&l.metric, Some(l.target))),
                    ],
                ),
                suggestion: t.finding(
                    &format!("sla_missed_{}", l.metric),
                    &[("when", peak_when.clone())],
                ),
            }),
            Status::NotMeasurable => out.push(Finding {
                id: format!("not_measurable:{}", l.id),
                severity: "medium".into(),
                evidence: t.finding(
                    "not_measurable",
                    &[
                        ("sla", label),
                        ("clause", l.clause.clone()),
                        ("why", l.note.clone().unwrap_or_default()),
                    ],
                ),
                suggestion: t.finding("not_measurable_suggestion", &[]),
            }),
            Status::Met => {}
        }
    }
    if let Some(top) = r.complaint_types.first() {
        if r.overall.complaints >= 10 && top.share >= 0.25 {
            let ty = top
                .complaint_type
                .clone()
                .unwrap_or_else(|| t.label("none"));
            out.push(Finding {
                id: "top_complaint_type".into(),
                severity: "medium".into(),
                evidence: t.finding(
                    "top_complaint",
                    &[
                        ("type", ty.clone()),
                        ("share", pct(Some(top.share))),
                        ("n", top.complaints.to_string()),
                    ],
                ),
                suggestion: t.finding("top_complaint_suggestion", &[("type", ty)]),
            });
        }
    }
    if let Some(h) = peak {
        let share = h.abandoned as f64 / total_ab as f64;
        if total_ab >= 20 && share >= 0.03 {
            out.push(Finding {
                id: "abandon_peak".into(),
                severity: "medium".into(),
                evidence: t.finding(
                    "abandon_peak",
                    &[
                        ("when", peak_when.clone()),
                        ("n", h.abandoned.to_string()),
                        ("share", pct(Some(share))),
                    ],
                ),
                suggestion: t.finding("abandon_peak_suggestion", &[("when", peak_when.clone())]),
            });
        }
    }
    // Complaint types rising against the previous period: at least +30 % and +5 complaints.
    for c in &r.complaint_types {
        if let Some(prev) = c.previous_complaints {
            if c.complaints >= 10
                && c.complaints >= prev + 5
                && c.complaints as f64 >= 1.3 * prev.max(1) as f64
            {
                let ty = c.complaint_type.clone().unwrap_or_else(|| t.label("none"));
                out.push(Finding {
                    id: format!("complaint_rising:{ty}"),
                    severity: "medium".into(),
                    evidence: t.finding(
                        "complaint_rising",
                        &[
                            ("type", ty.clone()),
                            ("n", c.complaints.to_string()),
                            ("prev", prev.to_string()),
                            (
                                "change",
                                pct(Some(c.complaints as f64 / prev.max(1) as f64 - 1.0)),
                            ),
                        ],
                    ),
                    suggestion: t.finding("complaint_rising_suggestion", &[("type", ty)]),
                });
            }
        }
    }
    // Peaks on the first working days after a holiday: 1.4 × the median day or more.
    if let Some(cal) = calendar {
        let mut volumes: Vec<u64> = r.daily.iter().map(|d| d.contacts).collect();
        volumes.sort_unstable();
        let median = volumes.get(volumes.len() / 2).copied().unwrap_or(0) as f64;
        let peaks: Vec<&crate::kpi::DayRow> = r
            .daily
            .iter()
            .filter(|d| {
                let Ok(day) = chrono::NaiveDate::parse_from_str(&d.date, "%Y-%m-%d") else {
                    return false;
                };
                let after_holiday = day.pred_opt().is_some_and(|p| cal.holidays.contains(&p));
                !cal.windows_of(day).is_empty()
                    && after_holiday
                    && median > 0.0
                    && d.contacts as f64 >= 1.4 * median
            })
            .collect();
        if let Some(top) = peaks.iter().max_by_key(|d| d.contacts) {
            let dates: Vec<&str> = peaks.iter().map(|d| d.date.as_str()).collect();
            out.push(Finding {
                id: "holiday_peak".into(),
                severity: "medium".into(),
                evidence: t.finding(
                    "holiday_peak",
                    &[
                        ("dates", dates.join(", ")),
                        ("n", top.contacts.to_string()),
                        ("ratio", format!("{:.1}", top.contacts as f64 / median)),
                        ("median", format!("{median:.0}")),
                        ("sl", pct(top.service_level)),
                    ],
                ),
                suggestion: t.finding("holiday_peak_suggestion", &[]),
            });
        }
    }
    // Agents far below the team: resolution rate more than 10 points under the overall rate,
    // with enough answered contacts to matter.
    if let Some(team_rate) = r.overall.resolution_rate {
        for a in &r.agents {
            if let Some(rate) = a.resolution_rate {
                if a.answered >= 30 && rate < team_rate - 0.10 {
                    let name = agent_label(&a.agent_id, a.agent_name.as_deref());
                    out.push(Finding {
                        id: format!("agent_low_resolution:{}", a.agent_id),
                        severity: "low".into(),
                        evidence: t.finding(
                            "agent_low_resolution",
                            &[
                                ("agent", name),
                                ("rate", pct(Some(rate))),
                                ("team_rate", pct(Some(team_rate))),
                            ],
                        ),
                        suggestion: t.finding("agent_low_resolution_suggestion", &[]),
                    });
                }
            }
        }
    }
    peak_findings(r, &mut out);
    quality_findings(r, &mut out);
    order_findings(r, &mut out);
    out
}

/// Service level on peak days (holidays, the days around them, unusually busy days) well
/// below the other days': the provider did not staff for the peak.
fn peak_findings(r: &Report, out: &mut Vec<Finding>) {
    let t = &r.text;
    let p = &r.peaks;
    let (Some(peak), Some(other)) = (p.peak_service_level, p.other_service_level) else {
        return;
    };
    let drop = r.peaks_drop;
    // Enough calls on both sides for the gap to mean something.
    let base = |peak: bool| -> u64 {
        r.daily
            .iter()
            .filter(|d| d.peak.is_some() == peak)
            .map(|d| d.service_level_base)
            .sum()
    };
    if peak > other - drop || base(true) < 30 || base(false) < 30 {
        return;
    }
    // The three peak days with the lowest service level, as evidence.
    let mut worst: Vec<&DayRow> = r
        .daily
        .iter()
        .filter(|d| d.peak.is_some() && d.service_level.is_some())
        .collect();
    worst.sort_by(|a, b| {
        a.service_level
            .partial_cmp(&b.service_level)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.date.cmp(&b.date))
    });
    let days: Vec<String> = worst
        .iter()
        .take(3)
        .map(|d| {
            format!(
                "{} ({}) {}",
                d.date,
                t.label(&format!("peak_{}", d.peak.as_deref().unwrap_or(""))),
                pct(d.service_level)
            )
        })
        .collect();
    out.push(Finding {
        id: "peak_staffing".into(),
        severity: if other - peak >= 2.0 * drop {
            "high"
        } else {
            "medium"
        }
        .into(),
        evidence: t.finding(
            "peak_staffing",
            &[
                ("n", p.peak_days.to_string()),
                ("peak_sl", pct(Some(peak))),
                ("other_sl", pct(Some(other))),
                ("days", days.join("; ")),
                ("clause", r.peaks_clause.clone().unwrap_or_default()),
            ],
        ),
        suggestion: t.finding("peak_staffing_suggestion", &[]),
    });
}

/// Quality inspections: criteria failed often, agents who fail inspections far more than
/// the team.
fn quality_findings(r: &Report, out: &mut Vec<Finding>) {
    let t = &r.text;
    let Some(q) = &r.quality else { return };
    for c in q.criteria.iter().take(3) {
        if let Some(rate) = c.fail_rate {
            if c.failed >= 3 && rate >= 0.10 {
                let name = t.criterion(&c.criterion);
                out.push(Finding {
                    id: format!("qa_criterion:{}", c.criterion),
                    severity: if rate >= 0.25 { "high" } else { "medium" }.into(),
                    evidence: t.finding(
                        "qa_criterion",
                        &[
                            ("criterion", name.clone()),
                            ("failed", c.failed.to_string()),
                            ("checked", c.checked.to_string()),
                            ("rate", pct(Some(rate))),
                        ],
                    ),
                    suggestion: t.finding("qa_criterion_suggestion", &[("criterion", name)]),
                });
            }
        }
    }
    if let Some(team) = q.pass_rate {
        for a in &q.agents {
            if let Some(rate) = a.pass_rate {
                if a.inspections >= 3 && rate <= team - 0.20 {
                    let name = agent_label(&a.agent_id, a.agent_name.as_deref());
                    out.push(Finding {
                        id: format!("qa_agent:{}", a.agent_id),
                        severity: "low".into(),
                        evidence: t.finding(
                            "qa_agent",
                            &[
                                ("agent", name),
                                ("rate", pct(Some(rate))),
                                ("n", a.inspections.to_string()),
                                ("team_rate", pct(Some(team))),
                            ],
                        ),
                        suggestion: t.finding("qa_agent_suggestion", &[]),
                    });
                }
            }
        }
    }
}

/// Order sub-types resolved far less often than orders as a whole.
fn order_findings(r: &Report, out: &mut Vec<Finding>) {
    let t = &r.text;
    let Some(all) = r.orders.resolved_rate else {
        return;
    };
    for o in &r.orders.types {
        if let Some(rate) = o.resolved_rate {
            if o.contacts >= 20 && rate <= all - 0.10 {
                let name = t.order_type(&o.order_type);
                out.push(Finding {
                    id: format!("order_type_unresolved:{}", o.order_type),
                    severity: "medium".into(),
                    evidence: t.finding(
                        "order_unresolved",
                        &[
                            ("type", name.clone()),
                            ("rate", pct(Some(rate))),
                            ("n", o.contacts.to_string()),
                            ("all_rate", pct(Some(all))),
                        ],
                    ),
                    suggestion: t.finding("order_unresolved_suggestion", &[("type", name)]),
                });
            }
        }
    }
}

/// Assemble the report for one period.
#[allow(clippy::too_many_arguments)]
pub fn build(
    cfg: &RunConfig,
    cadence: Cadence,
    period: Period,
    kpis: Kpis,
    scorecard: Vec<ScoreLine>,
    incentive: Option<IncentiveResult>,
    data: &crate::normalize::Dataset,
    history: &[crate::evaluate::HistoryEntry],
    text: Text,
) -> Report {
    let c = &cfg.contract;
    let previous = crate::evaluate::previous_period(history, period);
    let mut kpis = kpis;
    if let Some(p) = previous {
        for t in &mut kpis.topics {
            t.previous_contacts = Some(
                p.topics
                    .iter()
                    .find(|x| x.topic == t.topic)
                    .map_or(0, |x| x.contacts),
            );
        }
        for t in &mut kpis.complaint_types {
            t.previous_complaints = Some(
                p.complaint_types
                    .iter()
                    .find(|x| x.complaint_type == t.complaint_type)
                    .map_or(0, |x| x.complaints),
            );
        }
    }
    let mut rows = data.contact_rows.clone();
    rows.out_of_period = kpis.out_of_period + data.contacts_elsewhere;
    let mut survey_rows = data.survey_rows.clone();
    survey_rows.out_of_period = kpis.survey_out_of_period;
    let mut method_params = vec![
        ("timezone".to_string(), c.info.timezone.clone()),
        (
            "survey scale".to_string(),
            format!(
                "{}–{}, top box {}",
                c.survey.scale_min, c.survey.scale_max, c.survey.top_box
            ),
        ),
    ];
    for s in &c.slas {
        method_params.push((
            s.id.clone(),
            format!(
                "{} {}{}{} target {} ({})",
                s.metric.as_str(),
                s.channel
                    .map(|c| format!("channel={c} "))
                    .unwrap_or_default(),
                s.threshold_text.clone().unwrap_or_default(),
                s.short_abandon_seconds
                    .map(|v| format!(" short_abandon_seconds={v}"))
                    .unwrap_or_default(),
                s.target,
                s.clause
            ),
        ));
    }
    let mut r = Report {
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
        inputs: data.inputs.clone(),
        survey_inputs: data.survey_inputs.clone(),
        inspection_inputs: data.inspection_inputs.clone(),
        rows,
        survey_rows,
        inspection_rows: kpis.quality.as_ref().map(|q| RowCounts {
            out_of_period: data.inspection_rows.accepted.saturating_sub(q.inspections),
            ..data.inspection_rows.clone()
        }),
        overall: kpis.overall,
        previous_overall: previous.and_then(|p| p.overall.clone()),
        previous_channels: previous.and_then(|p| p.channels.clone()),
        channels: kpis.channels,
        topics: kpis.topics,
        complaint_types: kpis.complaint_types,
        agents: kpis.agents,
        daily: kpis.days,
        hourly: kpis.hours,
        satisfaction_distribution: kpis.scores,
        orders: kpis.orders,
        urgent: kpis.urgent,
        peaks: kpis.peaks,
        quality: kpis.quality,
        trend: Vec::new(),
        scorecard,
        incentive,
        findings: Vec::new(),
        rejections: data.rejections.clone(),
        peaks_drop: c.peaks.service_level_drop,
        peaks_clause: c.peaks.clause.clone(),
        quality_clause: c.quality.clause.clone(),
        quality_pass_score: c.quality.pass_score,
        text,
        lang: cfg.lang,
        method_params,
        period_range: Some(period),
        survey: c.survey.clone(),
        doc_epoch: cfg.source_date_epoch.unwrap_or_else(|| {
            period
                .end
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp())
                .unwrap_or(0)
        }),
    };
    r.trend = history
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
            &r.period.start,
            Some(&r.overall),
            &r.scorecard,
            r.incentive.as_ref(),
        )))
        .collect();
    r.findings = findings(&r, cfg.calendar.as_ref());
    r
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
        slas_missed: scorecard
            .iter()
            .filter(|l| l.status == Status::Missed)
            .count(),
        sla: scorecard.iter().map(|l| (l.id.clone(), l.actual)).collect(),
    }
}

#[cfg(test)]
mod tests {
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
    }
}
