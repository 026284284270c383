//! KPI stage: every figure of `docs/metrics.md`, computed with Polars' lazy API and one
//! column kernel.
//!
//! Input: the accepted canonical contacts and survey responses, the period, the contract
//! (for per-channel thresholds and the survey scale) and the business calendar. The stage
//! filters to the period, derives per-contact flags (answered, abandoned, short abandon,
//! resolved, response time on the wall clock and on the business calendar) and aggregates
//! them overall, per channel, per topic, per complaint type, per agent, per day and per hour.
//! It also measures each SLA's numerator and denominator. Polars derives the columns the
//! other KPIs share; the kernel (`enrich`) works out what Polars cannot express (working
//! time on the calendar) and, in the same pass over the contacts, tallies them
//! (`tally`) and counts each SLA over contacts. It does not decide whether a target is
//! met or what a tier pays: that is the evaluate stage.

use crate::columns::ColumnsSeen;
use crate::config::contract::SlaMetric;
use crate::config::{Calendar, Contract, Period};
use crate::error::Result;
use crate::model::Channels;
use crate::util::peak_rss_mb;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

mod percentile;
mod quality;
mod schedule;
mod tally;
pub use quality::{QaAgentRow, QaCriterionRow, QaInput, QaSourceRow, Quality};
pub use schedule::{day_type, order_type, OrderTypeRow, Orders, Peaks, Urgent};
pub use sla::Evidence;

mod sla;
use sla::{measure, Scope};

pub mod callback;
pub mod callers;
pub mod coverage;
pub mod integrity;
pub mod repeat;
pub mod sampling;
mod satisfaction;
pub use satisfaction::ItemStats;

mod breakdowns;
use breakdowns::{breakdowns_of, grouped_values, Row};

mod derived;
mod enrich;
pub use enrich::Spread;
use enrich::{enrich, one_array, weekday, Kernel, LocalTime, SlaCounts};

/// Overall figures (`metrics.json` → `overall`).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Overall {
    pub contacts: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub short_abandoned: u64,
    pub unanswered: u64,
    pub resolved: u64,
    pub resolution_rate: Option<f64>,
    pub fcr_rate: Option<f64>,
    pub abandon_rate: Option<f64>,
    pub asa_seconds: Option<f64>,
    pub aht_seconds: Option<f64>,
    pub csat_mean: Option<f64>,
    pub csat_top_box_rate: Option<f64>,
    pub csat_responses: u64,
    pub csat_response_rate: Option<f64>,
    pub nps: Option<f64>,
    pub complaints: u64,
    pub complaint_rate: Option<f64>,
    /// Wall-clock time from arrival to resolution over resolved contacts with a `resolved_at`.
    #[serde(default)]
    pub resolution_time_mean_seconds: Option<f64>,
    #[serde(default)]
    pub resolution_time_p50_seconds: Option<f64>,
    /// Repeat contacts (`[repeat]`): first-contact resolution from repeats, the share from
    /// repeat callers, the share followed by a repeat within the short window.
    #[serde(default)]
    pub repeat_fcr_rate: Option<f64>,
    #[serde(default)]
    pub repeat_contact_rate: Option<f64>,
    #[serde(default)]
    pub repeat_within_rate: Option<f64>,
    /// Call-backs (`[repeat]`, outbound contacts given): abandoned contacts called back
    /// within the window, the mean time to the call-back, and offered contacts whose
    /// caller was never reached (真实呼损率).
    #[serde(default)]
    pub callback_rate: Option<f64>,
    #[serde(default)]
    pub callback_mean_seconds: Option<f64>,
    #[serde(default)]
    pub true_abandon_rate: Option<f64>,
}

/// Per-channel figures (`metrics.json` → `channels.<channel>`).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct ChannelMetrics {
    pub contacts: u64,
    pub answered: u64,
    /// Real-time (queued: unanswered contacts are abandoned) or asynchronous.
    pub realtime: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_abandoned: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unanswered: Option<u64>,
    pub service_level: Option<f64>,
    pub service_level_threshold_seconds: Option<f64>,
    pub asa_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandon_rate: Option<f64>,
    pub response_p50_seconds: Option<f64>,
    pub response_p90_seconds: Option<f64>,
    pub aht_seconds: Option<f64>,
    pub resolved: u64,
    pub resolution_rate: Option<f64>,
    pub fcr_rate: Option<f64>,
    pub csat_mean: Option<f64>,
    pub csat_responses: u64,
    pub complaints: u64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct TopicRow {
    pub topic: Option<String>,
    pub contacts: u64,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ComplaintRow {
    pub complaint_type: Option<String>,
    pub complaints: u64,
    pub share: f64,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct AgentRow {
    pub agent_id: String,
    pub agent_name: Option<String>,
    pub team: Option<String>,
    pub contacts: u64,
    pub answered: u64,
    pub resolved: u64,
    pub resolution_rate: Option<f64>,
    pub asa_seconds: Option<f64>,
    pub aht_seconds: Option<f64>,
    pub csat_mean: Option<f64>,
    pub csat_responses: u64,
}

/// Volume per local day of the period.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct DayRow {
    pub date: String,
    pub contacts: u64,
    pub answered: u64,
    #[serde(default)]
    pub abandoned: u64,
    #[serde(default)]
    pub urgent: u64,
    /// Service level of the channels that have a service-level threshold, that day.
    pub service_level: Option<f64>,
    /// Its numerator and denominator.
    #[serde(default)]
    pub service_level_hits: u64,
    #[serde(default)]
    pub service_level_base: u64,
    /// `workday`, `weekend`, `holiday` or `makeup_workday` (on the contract's calendar).
    #[serde(default)]
    pub day_type: String,
    /// Why the day is a peak day (`holiday`, `around_holiday`, `volume`), or null.
    #[serde(default)]
    pub peak: Option<String>,
}

/// Volume per weekday (0 = Monday) and hour.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct HourRow {
    pub weekday: u32,
    pub hour: u32,
    pub contacts: u64,
    pub abandoned: u64,
}

/// Numerator and denominator of one SLA.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Measurement {
    pub numerator: f64,
    pub denominator: f64,
    /// `None` when the population is empty or the data has no such column.
    pub actual: Option<f64>,
    /// Why the measurement is missing: a key of the text tables (`why_no_answer`).
    #[serde(skip)]
    pub why_missing: Option<&'static str>,
    /// For a mean: the observations' sample standard deviation (its confidence interval).
    #[serde(skip)]
    pub spread: Option<f64>,
}

/// Satisfaction score distribution.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ScoreRow {
    pub score: f64,
    pub responses: u64,
}

/// All computed figures for a period.
#[derive(Debug, Clone)]
pub struct Kpis {
    pub overall: Overall,
    pub channels: BTreeMap<String, ChannelMetrics>,
    pub topics: Vec<TopicRow>,
    pub complaint_types: Vec<ComplaintRow>,
    pub agents: Vec<AgentRow>,
    pub days: Vec<DayRow>,
    pub hours: Vec<HourRow>,
    pub scores: Vec<ScoreRow>,
    pub sla: Vec<Measurement>,
    pub orders: Orders,
    pub urgent: Urgent,
    pub peaks: Peaks,
    /// `None` without inspection input.
    pub quality: Option<Quality>,
    /// The integrity checks on the export (数据核查).
    pub integrity: integrity::Integrity,
    /// Repeat contacts (`[repeat]`); `None` when the contract measures none.
    pub repeat: Option<repeat::Repeat>,
    /// The inspections against a sampling plan (`--plan`); set by the caller.
    pub plan_coverage: Option<coverage::Coverage>,
    pub out_of_period: u64,
    /// Outbound contacts (call-backs) that arrived in the period.
    pub outbound: u64,
    /// Survey responses counted in the period.
    pub survey_in_period: u64,
    /// Accepted survey records attributed to another period.
    pub survey_out_of_period: u64,
    /// Each survey item's statistics over the period's responses (several questions per
    /// survey file).
    pub survey_items: Vec<ItemStats>,
    pub inconsistencies: Inconsistencies,
    /// The contacts that missed each SLA over contacts (for the evidence lists).
    pub misses: Misses,
    /// By the contract's SLA index: where its contacts and misses are (for the findings).
    pub spreads: Vec<Spread>,
}

/// The contacts that missed each SLA over contacts: in its denominator, not its numerator.
#[derive(Debug, Clone, Default)]
pub struct Misses {
    /// By the contract's SLA index: rows of `frame` (every one of the `denominator −
    /// numerator`, in input order) and the time held against the threshold, in wall-clock
    /// or working seconds as the SLA counts (NaN: none, as for a contact never answered).
    pub rows: Vec<Vec<(u32, f64)>>,
    /// The period's contacts as the SLAs counted them: `contact_id`, `channel`, `agent_id`,
    /// `arrived_ms`, `answered_ms`, `resolved_ms`, `answered`, `resolved`.
    pub frame: DataFrame,
    /// By the contract's SLA index, for an SLA over inspections: those that did not pass
    /// (`inspection_id`, `contact_id`, `agent`, `source`, `channel`, `when_ms`, `score`).
    pub inspections: Vec<Option<DataFrame>>,
    /// The criterion checks that failed (`inspection_id`, `criterion`).
    pub criteria_failed: DataFrame,
}

/// The columns of [`Misses::frame`].
const MISS_COLUMNS: [&str; 8] = [
    "contact_id",
    "channel",
    "agent_id",
    "arrived_ms",
    "answered_ms",
    "resolved_ms",
    "answered",
    "resolved",
];

impl Misses {
    /// The kernel's rows (of the enriched frame `df`) and the frame they point into. When
    /// they name few of `df`'s rows, those rows are taken out (what the report keeps is
    /// bounded by the lists); else the columns are kept as they are, which copies nothing
    /// (a copy would add to the run's peak memory while `df` is still held).
    fn of(mut missed: Vec<Vec<(u32, f64)>>, df: &DataFrame) -> Result<Misses> {
        let picked = df.select(MISS_COLUMNS.into_iter().filter(|c| df.column(c).is_ok()))?;
        // The rows named, as bits: counted and listed in order without a sort of every
        // row of every list.
        let len = missed.iter().flatten().map(|&(r, _)| r as usize + 1).max();
        let mut named = vec![0u64; len.unwrap_or(0).div_ceil(64)];
        for &(r, _) in missed.iter().flatten() {
            named[r as usize / 64] |= 1 << (r % 64);
        }
        let distinct: usize = named.iter().map(|w| w.count_ones() as usize).sum();
        if distinct > df.height() / 4 {
            return Ok(Misses {
                rows: missed,
                frame: picked,
                ..Default::default()
            });
        }
        let mut keep: Vec<u32> = Vec::with_capacity(distinct);
        for (k, &word) in named.iter().enumerate() {
            let mut w = word;
            while w != 0 {
                keep.push(k as u32 * 64 + w.trailing_zeros());
                w &= w - 1;
            }
        }
        for rows in &mut missed {
            for (r, _) in rows.iter_mut() {
                *r = keep.binary_search(r).unwrap_or(0) as u32;
            }
        }
        let idx = IdxCa::from_vec("row".into(), keep.iter().map(|&r| r as IdxSize).collect());
        Ok(Misses {
            rows: missed,
            frame: picked.take(&idx)?,
            ..Default::default()
        })
    }
}

/// Records of the period that contradict themselves or the other inputs; each row is valid
/// on its own, so they are counted (and a high share is a finding) rather than rejected.
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq)]
pub struct Inconsistencies {
    /// Contacts resolved but never answered.
    pub resolved_unanswered: u64,
    /// Answered contacts with a handling time of zero.
    pub answered_zero_handle: u64,
    /// Survey responses naming a contact that no contact input holds.
    pub surveys_unlinked: u64,
}

/// Survey responses of `[a, b)` (or without a time) naming a contact no contact input
/// holds. (The contact inconsistencies are counted by the enrich kernel.)
fn surveys_unlinked(surveys: &DataFrame, (a, b): (i64, i64)) -> Result<u64> {
    let t = col("responded_ms");
    let s = surveys
        .clone()
        .lazy()
        .filter(
            t.clone()
                .is_null()
                .or(t.clone().gt_eq(lit(a)).and(t.lt(lit(b)))),
        )
        .select([col("contact_id")
            .is_not_null()
            .and(col(crate::normalize::CONTACT_ROW).is_null())
            .sum()
            .cast(DataType::Int64)
            .alias("su")])
        .collect()?;
    Ok(Row { df: &s, i: 0 }.count("su"))
}

fn ratio(n: f64, d: f64) -> Option<f64> {
    if d > 0.0 {
        Some(n / d)
    } else {
        None
    }
}

/// Time between steps, logged at debug level (`-vv`).
struct Lap(std::time::Instant);

impl Lap {
    /// The end of a step: what it freed goes back to the system before the next one starts.
    fn at(&mut self, step: &str) {
        crate::util::release_freed_memory();
        tracing::debug!(
            seconds = self.0.elapsed().as_secs_f64(),
            peak_mb = peak_rss_mb(),
            held_mb = crate::util::rss_mb(),
            "kpi: {step}"
        );
        self.0 = std::time::Instant::now();
    }
}

/// [`repeat::follow`] and [`enrich`], which read the frames independently, side by side:
/// each takes the core the other leaves idle (the walk is sequential between bucket reads;
/// enrich waits on Polars' pool for its columns). Neither depends on the order the threads
/// take their work in.
fn follow_and_enrich(
    input: &Input<'_>,
    bounds: (i64, i64),
    period_df: DataFrame,
    contract: &Contract,
    calendar: Option<&Calendar>,
    first_day: i32,
) -> Result<(
    (repeat::Followed, Option<repeat::Repeat>),
    (DataFrame, Kernel),
)> {
    let (followed, enriched) = rayon::join(
        || repeat::follow(input, bounds, contract),
        || enrich(period_df, contract, calendar, first_day),
    );
    Ok((followed?, enriched?))
}

/// What the KPIs are computed from: a dataset's frames.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    /// Every inbound contact of the inputs (the period's are picked here).
    pub contacts: &'a DataFrame,
    /// The outbound contacts (call-backs).
    pub outbound: &'a DataFrame,
    pub surveys: &'a DataFrame,
    /// The inspections, when the run has an inspection input.
    pub qa: Option<QaInput<'a>>,
    /// The canonical contact columns the inputs give (a rate that needs one no input gives
    /// is null).
    pub columns: ColumnsSeen,
}

impl<'a> Input<'a> {
    /// The frames of `data`; `inspections`: whether the run has an inspection input.
    pub fn of(data: &'a crate::normalize::Dataset, inspections: bool) -> Self {
        Input {
            contacts: &data.contacts,
            outbound: &data.outbound,
            surveys: &data.surveys,
            qa: QaInput::of(data, inspections),
            columns: data.contact_columns,
        }
    }
}

/// Compute every KPI for the period.
pub fn compute(
    input: Input<'_>,
    contract: &Contract,
    calendar: Option<&Calendar>,
    period: Period,
) -> Result<Kpis> {
    let Input {
        contacts,
        surveys,
        qa,
        columns,
        ..
    } = input;
    let evidence = Evidence::of(columns);
    let tz = contract.tz();
    let (a, b) = contract.bounds(period);
    let mut lap = Lap(std::time::Instant::now());
    let (period_df, out_of_period) = in_period(contacts, (a, b))?;
    let period_df = default_priority(period_df, contract)?;
    lap.at("period filter");
    // The business day of the period's start: its date, whatever `day_start` is.
    let first_day = LocalTime::new(tz)
        .at(a - contract.day_start_ms())
        .map_or(0, |(day, _)| day);
    let ((followed, repeat_out), (df, kernel)) =
        follow_and_enrich(&input, (a, b), period_df, contract, calendar, first_day)?;
    let Kernel {
        agent_labels,
        tallies: chunk_tallies,
        slas: sla_counts,
        missed,
        spreads,
        resolved_unanswered,
        answered_zero_handle,
    } = kernel;
    let misses = Misses::of(missed, &df)?;
    lap.at("repeat and enrich");
    // The breakdowns wait on the survey responses; the integrity counts read the enriched
    // frame alone: side by side, each takes the core the other leaves idle, and neither
    // depends on the order of the threads' work.
    let (bd, integrity_counts) = rayon::join(
        || {
            breakdowns_of(
                &input,
                &df,
                (chunk_tallies, &agent_labels),
                &repeat_out,
                contract,
                calendar,
                ((a, b), first_day),
            )
        },
        || integrity::count(&df, contract, calendar, (a, b)),
    );
    let (bd, integrity_counts) = (bd?, integrity_counts?);
    lap.at("breakdowns, orders, urgent, integrity counts");
    let inconsistencies = Inconsistencies {
        resolved_unanswered,
        answered_zero_handle,
        surveys_unlinked: surveys_unlinked(surveys, (a, b))?,
    };
    let qa_df = qa
        .map(|q| quality::period_inspections(q, contacts, (a, b)))
        .transpose()?;
    let quality = match (&qa_df, qa) {
        (Some(d), Some(q)) => Some(quality::quality(d, q.criteria)?),
        _ => None,
    };
    lap.at("quality");
    let integrity = integrity::checks(integrity_counts, &bd.agents, contract)?;
    let mut misses = misses;
    let sla = slas(
        contract,
        &sla_counts,
        Measured {
            resp: &bd.resp,
            qa: qa_df.as_ref(),
            followed: &followed,
        },
        evidence,
        &mut misses,
    )?;
    if let Some(q) = qa {
        misses.criteria_failed = quality::criteria_failed(q)?;
    }
    lap.at("SLAs");
    Ok(Kpis {
        overall: bd.overall,
        channels: bd.channels,
        topics: bd.topics,
        complaint_types: bd.complaint_types,
        agents: bd.agents,
        days: bd.days,
        hours: bd.hours,
        scores: bd.scores,
        sla,
        orders: bd.orders,
        urgent: bd.urgent,
        peaks: bd.peaks,
        quality,
        repeat: repeat_out,
        integrity,
        plan_coverage: None,
        out_of_period,
        outbound: count_in(input.outbound, (a, b))?,
        survey_in_period: bd.survey_in_period,
        survey_out_of_period: bd.survey_out_of_period,
        survey_items: bd.survey_items,
        inconsistencies,
        misses,
        spreads,
    })
}

/// What the SLAs not counted by the kernel are measured on.
struct Measured<'a> {
    resp: &'a satisfaction::Responses,
    qa: Option<&'a DataFrame>,
    followed: &'a repeat::Followed,
}

/// Every SLA's measurement: those over contacts from the kernel's counts (`counts`), the
/// others a filter and a sum over the responses, the inspections or the followed callers;
/// each SLA's failed inspections pushed to `misses`.
fn slas(
    contract: &Contract,
    counts: &[Option<SlaCounts>],
    on: Measured<'_>,
    evidence: Evidence,
    misses: &mut Misses,
) -> Result<Vec<Measurement>> {
    contract
        .slas
        .iter()
        .zip(counts)
        .map(|(s, counts)| match s.metric {
            SlaMetric::QaPassRate => {
                let (m, failed) = quality::measure(on.qa, s, &contract.channels)?;
                misses.inspections.push(failed);
                Ok(m)
            }
            m if m.follows_callers() => {
                misses.inspections.push(None);
                Ok(repeat::sla_measure(on.followed, s, contract))
            }
            _ => {
                misses.inspections.push(None);
                measure(on.resp, s, *counts, contract, evidence)
            }
        })
        .collect()
}

/// Whether a contact was answered: it has an answer time, or the export says so.
#[inline]
pub(crate) fn is_answered(at: Option<i64>, flag: Option<bool>) -> bool {
    at.is_some() || flag == Some(true)
}

/// How long an abandoned contact waited (seconds): its wait, else from its arrival until
/// it was closed.
#[inline]
pub(crate) fn waited(wait: Option<f64>, arrived: i64, closed: Option<i64>) -> Option<f64> {
    wait.or(closed.map(|r| (r - arrived) as f64 / 1000.0))
}

/// How many rows of `df` arrived in `[a, b)`.
fn count_in(df: &DataFrame, (a, b): (i64, i64)) -> Result<u64> {
    Ok(df
        .column("arrived_ms")?
        .i64()?
        .iter()
        .flatten()
        .filter(|t| (a..b).contains(t))
        .count() as u64)
}

/// A contact without a priority takes the contract's `default_priority`, so that an SLA
/// filtered by priority is measurable on an export that gives none.
fn default_priority(contacts: DataFrame, contract: &Contract) -> Result<DataFrame> {
    let Some(p) = contract.default_priority else {
        return Ok(contacts);
    };
    let dtype = crate::normalize::dtypes::contact_type("priority")
        .expect("priority is an enum column")
        .clone();
    Ok(contacts
        .lazy()
        .with_column(col("priority").fill_null(lit(p.as_str()).cast(dtype)))
        .collect()?)
}

/// The contacts that arrived in `[a, b)`, and how many did not. Most runs are one month of
/// one month's exports: then nothing is filtered (or copied).
fn in_period(contacts: &DataFrame, (a, b): (i64, i64)) -> Result<(DataFrame, u64)> {
    let in_period = col("arrived_ms")
        .gt_eq(lit(a))
        .and(col("arrived_ms").lt(lit(b)));
    let inside = contacts
        .clone()
        .lazy()
        .select([in_period.clone().sum().cast(DataType::Int64)])
        .collect()?;
    let all_inside = inside.columns()[0].get(0)?.extract::<i64>() == Some(contacts.height() as i64);
    let period_df = if all_inside {
        contacts.clone()
    } else {
        contacts.clone().lazy().filter(in_period).collect()?
    };
    let out_of_period = (contacts.height() - period_df.height()) as u64;
    Ok((period_df, out_of_period))
}

/// The median time to resolution, and each channel's median and 90th percentile response
/// time. Percentiles are not additive: each from its own values, streamed twice (see
/// `percentile`), the time to resolution and the channels' response times at once.
fn percentiles(
    df: &DataFrame,
    channels: &Channels,
) -> Result<(Option<f64>, breakdowns::ChannelPercentiles)> {
    let (resolve_s, resp_s) = (df.column("resolve_s")?.f64()?, df.column("resp_s")?.f64()?);
    let channel_codes = df.column("channel")?.cat32()?.physical();
    let (ttr, by_channel) = rayon::join(
        || percentile::quantiles(1, &[0.5], || grouped_values(resolve_s, None)),
        || {
            percentile::quantiles(channels.len(), &[0.5, 0.9], || {
                grouped_values(resp_s, Some(channel_codes))
            })
        },
    );
    let by_channel = channels
        .all()
        .zip(&by_channel)
        .map(|(c, q)| (c, (q[0], q[1])))
        .collect();
    Ok((ttr[0][0], by_channel))
}

/// The overall figures from the overall tally, the survey summary and the median time to
/// resolution; rates that need data the inputs lack (`evidence`) are null.
fn overall(
    o: &tally::Tally,
    s: &satisfaction::Summary,
    ttr_p50: Option<f64>,
    evidence: Evidence,
) -> Overall {
    let answered = o.answered as f64;
    let short = o.short_abandoned as f64;
    let csat_n = s.responses;
    Overall {
        contacts: o.contacts,
        answered: o.answered,
        abandoned: o.abandoned,
        short_abandoned: o.short_abandoned,
        unanswered: o.unanswered,
        resolved: o.resolved,
        resolution_rate: o.resolution_rate().filter(|_| evidence.resolution),
        fcr_rate: o.fcr_rate(),
        // Over the real-time channels only: email is never abandoned.
        abandon_rate: ratio(o.abandoned as f64 - short, o.realtime as f64 - short)
            .filter(|_| evidence.answer),
        // ASA across channels only makes sense for the real-time ones (phone, chat).
        asa_seconds: o.resp_rt.get(),
        aht_seconds: o.handle.get(),
        csat_mean: if csat_n > 0 { s.mean } else { None },
        csat_top_box_rate: ratio(s.top_box as f64, csat_n as f64),
        csat_responses: csat_n,
        csat_response_rate: ratio(csat_n as f64, answered).filter(|_| evidence.answer),
        nps: if s.nps_responses > 0 {
            Some(100.0 * (s.promoters as f64 - s.detractors as f64) / s.nps_responses as f64)
        } else {
            None
        },
        complaints: o.complaints,
        complaint_rate: ratio(o.complaints as f64, o.contacts as f64),
        resolution_time_mean_seconds: o.resolve.get(),
        resolution_time_p50_seconds: ttr_p50,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    //! One test per KPI on a few hand-made contacts; the expected values are worked out in
    //! the comments.
    use super::*;

    #[test]
    fn misses_far_apart_are_taken_out_in_row_order() {
        // Rows 250, 70 and 3 of 300 named (70 twice): 3 ≤ 300 / 4, taken out as rows 0, 1
        // and 2 of the kept frame (3, 70, 250 in row order); each list names its own.
        let ids: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
        let df = df!("contact_id" => ids).unwrap();
        let m = Misses::of(
            vec![vec![(250, 1.0), (70, 2.0)], vec![(70, 3.0), (3, 4.0)]],
            &df,
        )
        .unwrap();
        let ids = m.frame.column("contact_id").unwrap().str().unwrap().clone();
        let kept: Vec<&str> = ids.iter().flatten().collect();
        assert_eq!(kept, ["c3", "c70", "c250"]);
        assert_eq!(m.rows, [vec![(2, 1.0), (1, 2.0)], vec![(1, 3.0), (0, 4.0)]]);
    }

    #[test]
    fn misses_keep_the_rows_they_name_and_point_at_them() {
        // Two of 4 rows named: the columns are kept whole; two of 12: the two are taken
        // out. Either way each list names its own contacts, in its order.
        for (extra, height) in [(0, 4), (8, 2)] {
            let ids: Vec<String> = ["a", "b", "c", "d"]
                .into_iter()
                .map(String::from)
                .chain((0..extra).map(|i| format!("x{i}")))
                .collect();
            let arrived: Vec<i64> = (0..ids.len() as i64).collect();
            let df = df!("contact_id" => ids, "arrived_ms" => arrived).unwrap();
            let m =
                Misses::of(vec![vec![(3, 1.0), (1, 2.0)], vec![], vec![(1, 5.0)]], &df).unwrap();
            let id = |r: u32| {
                m.frame
                    .column("contact_id")
                    .unwrap()
                    .str()
                    .unwrap()
                    .get(r as usize)
                    .unwrap()
                    .to_string()
            };
            assert_eq!(m.frame.height(), height, "{extra} more rows");
            let names = |k: usize| {
                m.rows[k]
                    .iter()
                    .map(|&(r, t)| (id(r), t))
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(0), [("d".to_string(), 1.0), ("b".to_string(), 2.0)]);
            assert!(m.rows[1].is_empty());
            assert_eq!(names(2), [("b".to_string(), 5.0)]);
        }
    }

    proptest::proptest! {
        /// Chunk by chunk, in a table or a map, an agent's labels are the first given in row
        /// order.
        #[test]
        fn agent_labels_are_the_first_given(
            rows in proptest::collection::vec((0u32..6, proptest::option::of(0u32..3), proptest::option::of(0u32..3)), 0..60),
            cut in 1usize..10,
        ) {
            let mut want = super::enrich::AgentLabels::new();
            for &(a, n, t) in &rows {
                let e = want.entry(a).or_default();
                e.0 = e.0.or(n);
                e.1 = e.1.or(t);
            }
            for agents in [6, 1 << 13] {
                let mut got = super::enrich::AgentLabels::new();
                for chunk in rows.chunks(cut) {
                    let mut labels = super::enrich::ChunkLabels::new(agents);
                    for &(a, n, t) in chunk {
                        labels.add(a, || n, || t);
                    }
                    labels.fold_into(&mut got);
                }
                proptest::prop_assert_eq!(&got, &want);
            }
        }
    }
    use crate::config::contract::SurveyCfg;
    use crate::normalize::{feed_csv, ContactSink, SurveySink};
    use chrono::{Datelike, TimeZone, Timelike};

    fn contract(slas: &str) -> Contract {
        let text = format!("[contract]\nid = \"T\"\nname = \"t\"\n{slas}");
        let mut c = Contract::parse(&text, std::path::Path::new("t.toml")).unwrap();
        c.resolve_working_days(8.0 * 3600.0);
        c
    }

    fn kpis(c: &Contract, cal: Option<&Calendar>, contacts: &str, surveys: &str) -> Kpis {
        kpis_qa(c, cal, contacts, surveys, None)
    }

    /// As [`kpis`], with quality inspections (read with the contract's `[quality]`).
    fn kpis_qa(
        c: &Contract,
        cal: Option<&Calendar>,
        contacts: &str,
        surveys: &str,
        inspections: Option<&str>,
    ) -> Kpis {
        let mut is = crate::normalize::InspectionSink::new(
            chrono_tz::Asia::Shanghai,
            &c.quality,
            &c.channels,
        );
        if let Some(csv) = inspections {
            feed_csv(&mut is, csv);
        }
        let (insp, crit, rej, _) = is.into_frames().unwrap();
        assert!(rej.is_empty(), "{rej:?}");
        let qa = inspections.map(|_| QaInput {
            inspections: &insp,
            criteria: &crit,
        });
        let cfg = SurveyCfg::default();
        let tz = chrono_tz::Asia::Shanghai;
        let mut ss = SurveySink::new(tz, &cfg);
        if !surveys.is_empty() {
            feed_csv(&mut ss, surveys);
        }
        let mut cs = ContactSink::new(tz, crate::normalize::Checks::of(c));
        feed_csv(&mut cs, contacts);
        assert!(
            cs.ledger.rejections().is_empty(),
            "{:?}",
            cs.ledger.rejections()
        );
        let columns = cs.columns_seen();
        let (df, _, _) = cs.into_frame().unwrap();
        let (sv, _, _) = ss.into_frame().unwrap();
        let (df, outbound) = crate::normalize::split_outbound(df).unwrap();
        let (df, sv) = crate::normalize::link_surveys(df, sv).unwrap();
        let input = Input {
            contacts: &df,
            outbound: &outbound,
            surveys: &sv,
            qa,
            columns,
        };
        compute(input, c, cal, Period::parse_month("2026-10").unwrap()).unwrap()
    }

    const SL: &str = "[[sla]]\nid = \"sl\"\nclause = \"1\"\nchannel = \"phone\"\nmetric = \"service_level\"\nthreshold_seconds = 20\nshort_abandon_seconds = 5\ntarget = 0.8\n";

    #[test]
    fn cached_local_time_agrees_with_chrono_across_offset_changes() {
        for tz in [
            chrono_tz::Tz::Asia__Shanghai,
            chrono_tz::Tz::America__New_York,
            chrono_tz::Tz::Australia__Lord_Howe,
        ] {
            let mut local = LocalTime::new(tz);
            // Every 7 minutes through 2026, crossing every transition of these zones.
            let start = 1_767_225_600_000i64;
            for k in 0..(366 * 24 * 60 / 7) {
                let ms = start + k * 7 * 60_000 + 1_234;
                let t = tz.timestamp_millis_opt(ms).single().unwrap().naive_local();
                let want = (t.date().num_days_from_ce(), t.hour());
                assert_eq!(local.at(ms), Some(want), "{tz} {ms}");
                assert_eq!(
                    weekday(want.0 as i64),
                    t.weekday().num_days_from_monday(),
                    "{tz} {ms}"
                );
            }
        }
    }

    #[test]
    fn service_level_excludes_short_abandons_and_includes_the_threshold() {
        // Answered in 20 s (counts: ≤ T), 21 s (misses); abandoned after 4 s (short, out of
        // the denominator) and after 30 s (in the denominator, missed).
        // SL = 1 / (4 − 1); abandon rate = (2 − 1) / (4 − 1).
        let k = kpis(
            &contract(SL),
            None,
            "contact_id,channel,arrived_at,answered_at,wait_seconds\n\
             a,phone,2026-10-05 10:00:00,2026-10-05 10:00:20,20\n\
             b,phone,2026-10-05 10:01:00,2026-10-05 10:01:21,21\n\
             c,phone,2026-10-05 10:02:00,,4\n\
             d,phone,2026-10-05 10:03:00,,30\n",
            "",
        );
        let p = &k.channels["phone"];
        assert_eq!(p.service_level, Some(1.0 / 3.0));
        assert_eq!(p.abandon_rate, Some(1.0 / 3.0));
        assert_eq!((p.abandoned, p.short_abandoned), (Some(2), Some(1)));
        assert_eq!(k.sla[0].numerator, 1.0);
        assert_eq!(k.sla[0].denominator, 3.0);
        assert_eq!(p.asa_seconds, Some(20.5));
    }

    #[test]
    fn answered_flag_with_wait_seconds_gives_response_time() {
        // PwC-style export: no answered_at, an answered flag and the speed of answer.
        let k = kpis(
            &contract(SL),
            None,
            "contact_id,channel,arrived_at,answered,wait_seconds\n\
             a,phone,2026-10-05 10:00:00,Y,10\n\
             b,phone,2026-10-05 10:01:00,Y,30\n\
             c,phone,2026-10-05 10:02:00,N,60\n",
            "",
        );
        let p = &k.channels["phone"];
        assert_eq!(p.answered, 2);
        assert_eq!(p.asa_seconds, Some(20.0));
        // 10 s within; 30 s late; the 60 s abandon is not short: 1 / 3.
        assert_eq!(p.service_level, Some(1.0 / 3.0));
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        // 10, 20, 30, 40: p50 = 25, p90 = 30 + 0.7 × 10 = 37 (PERCENTILE.INC).
        let k = kpis(
            &contract(""),
            None,
            "contact_id,channel,arrived_at,answered_at\n\
             a,chat,2026-10-05 10:00:00,2026-10-05 10:00:10\n\
             b,chat,2026-10-05 10:00:00,2026-10-05 10:00:20\n\
             c,chat,2026-10-05 10:00:00,2026-10-05 10:00:30\n\
             d,chat,2026-10-05 10:00:00,2026-10-05 10:00:40\n",
            "",
        );
        let c = &k.channels["chat"];
        assert_eq!(c.response_p50_seconds, Some(25.0));
        assert!((c.response_p90_seconds.unwrap() - 37.0).abs() < 1e-9);
    }

    #[test]
    fn response_within_working_hours_skips_the_holiday() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(
            &mut f,
            b"name = \"t\"\nholidays = [\"2026-10-01\",\"2026-10-02\",\"2026-10-05\",\"2026-10-06\",\"2026-10-07\"]\nworkdays = [\"2026-10-10\"]\n[hours]\nmon = [\"09:00-12:00\", \"13:00-18:00\"]\ntue = [\"09:00-12:00\", \"13:00-18:00\"]\nwed = [\"09:00-12:00\", \"13:00-18:00\"]\nthu = [\"09:00-12:00\", \"13:00-18:00\"]\nfri = [\"09:00-12:00\", \"13:00-18:00\"]\n",
        )
        .unwrap();
        let cal = Calendar::load(&[f.path().to_path_buf()]).unwrap();
        let c = contract(
            "[[sla]]\nid = \"em\"\nclause = \"1\"\nchannel = \"email\"\nmetric = \"response_within\"\nthreshold_working_hours = 4\ntarget = 0.9\n",
        );
        // a: 10-01 00:30 (holiday) → Thu 10-08 11:00: holidays and the weekend are skipped,
        //    the clock starts Thu 09:00: 2 h: within.
        // b: Fri 10-09 16:00 → Sat 10-10 12:00 (make-up workday): 2 h + 3 h = 5 h: missed.
        // c: Thu 10-08 12:10 → 13:10: lunch break, 10 min of work: within.
        // d: never answered: missed.
        let k = kpis(
            &c,
            Some(&cal),
            "contact_id,channel,arrived_at,answered_at\n\
             a,email,2026-10-01 00:30:00,2026-10-08 11:00:00\n\
             b,email,2026-10-09 16:00:00,2026-10-10 12:00:00\n\
             c,email,2026-10-08 12:10:00,2026-10-08 13:10:00\n\
             d,email,2026-10-09 09:00:00,\n",
            "",
        );
        assert_eq!((k.sla[0].numerator, k.sla[0].denominator), (2.0, 4.0));
        assert_eq!(k.channels["email"].unanswered, Some(1));
    }

    #[test]
    fn resolution_fcr_and_resolved_within_by_complexity() {
        let c = contract(
            "[[sla]]\nid = \"r\"\nclause = \"1\"\nmetric = \"resolution_rate\"\ntarget = 0.8\n\
             [[sla]]\nid = \"f\"\nclause = \"1\"\nmetric = \"fcr_rate\"\ntarget = 0.8\n\
             [[sla]]\nid = \"cx\"\nclause = \"1\"\nmetric = \"resolved_within\"\ncomplexity = \"complex\"\nthreshold_hours = 48\ntarget = 0.8\n\
             [[sla]]\nid = \"24h\"\nclause = \"1\"\nmetric = \"resolved_within\"\nthreshold_hours = 24\ntarget = 0.8\n\
             [[sla]]\nid = \"rc\"\nclause = \"1\"\nmetric = \"resolution_rate\"\ndenominator = \"contacts\"\ntarget = 0.8\n",
        );
        // Answered: a b c. Resolved: a (flag), b (resolved_at only), d (resolved but never
        // answered: counts in `resolved`, not in the rate's numerator). FCR: a.
        // Complex: b (resolved in 24 h: within) and c (unresolved): 1 / 2.
        let k = kpis(
            &c,
            None,
            "contact_id,channel,complexity,arrived_at,answered_at,resolved_at,resolved,first_contact_resolved\n\
             a,phone,,2026-10-05 10:00:00,2026-10-05 10:00:05,,true,true\n\
             b,email,complex,2026-10-05 10:00:00,2026-10-05 12:00:00,2026-10-06 10:00:00,,false\n\
             c,email,complex,2026-10-05 10:00:00,2026-10-05 12:00:00,,,\n\
             d,web,,2026-10-05 10:00:00,,,true,\n",
            "",
        );
        assert_eq!(k.overall.resolved, 3);
        assert_eq!(k.overall.resolution_rate, Some(2.0 / 3.0));
        assert_eq!(k.overall.fcr_rate, Some(1.0 / 3.0));
        assert_eq!((k.sla[0].numerator, k.sla[0].denominator), (2.0, 3.0));
        assert_eq!((k.sla[1].numerator, k.sla[1].denominator), (1.0, 3.0));
        assert_eq!((k.sla[2].numerator, k.sla[2].denominator), (1.0, 2.0));
        // Within 24 h of wall-clock time: b, resolved after exactly 24 h, of all four (a and
        // d have no resolution time).
        assert_eq!((k.sla[3].numerator, k.sla[3].denominator), (1.0, 4.0));
        // Resolved of all contacts: a, b, d.
        assert_eq!((k.sla[4].numerator, k.sla[4].denominator), (3.0, 4.0));
    }

    #[test]
    fn sla_scope_is_one_filter_for_the_frame_and_the_kernel() {
        let sla = |scope: &str, metric: &str| {
            format!("[[sla]]\nid = \"{metric}: {}\"\nclause = \"1\"\n{scope}metric = \"{metric}\"\nthreshold_working_hours = 4\ntarget = 0.8\n", scope.replace(['\n', '"', '=', ' '], ""))
        };
        let c = contract(
            &[
                sla("channel = \"email\"\n", "response_within"),
                sla("kind = \"complaint\"\n", "resolved_within"),
                sla("complexity = \"standard\"\n", "resolved_within"),
                sla(
                    "complexity = \"complex\"\npriority = \"normal\"\n",
                    "response_within",
                ),
                sla("channel = \"phone\"\n", "urgent_response_within"),
                sla("priority = \"urgent\"\n", "response_within"),
                sla("", "resolved_within"),
            ]
            .concat(),
        );
        // Every combination of channel, kind, priority and complexity, blanks included.
        let mut csv = String::from("contact_id,channel,kind,priority,complexity,arrived_at\n");
        let mut n = 0;
        for ch in ["phone", "email"] {
            for k in ["consultation", "complaint"] {
                for p in ["", "normal", "urgent"] {
                    for cx in ["", "standard", "complex"] {
                        n += 1;
                        csv += &format!("c{n},{ch},{k},{p},{cx},2026-10-05 10:00:00\n");
                    }
                }
            }
        }
        let mut cs = ContactSink::new(
            chrono_tz::Asia::Shanghai,
            crate::normalize::Checks::default(),
        );
        feed_csv(&mut cs, &csv);
        let (df, rej, _) = cs.into_frame().unwrap();
        assert!(rej.is_empty(), "{rej:?}");
        let codes = |name: &str| df.column(name).unwrap().cat32().unwrap().physical().clone();
        let (ch, cx, pr, kd) = (
            codes("channel"),
            codes("complexity"),
            codes("priority"),
            codes("kind"),
        );
        for sla in &c.slas {
            let scope = Scope::of(sla);
            let kept = df
                .clone()
                .lazy()
                .filter(scope.expr(&c.channels))
                .collect()
                .unwrap();
            let by_filter: Vec<String> = kept
                .column("contact_id")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .flatten()
                .map(str::to_string)
                .collect();
            let by_codes: Vec<String> = (0..df.height())
                .filter(|&i| scope.matches(ch.get(i), cx.get(i), pr.get(i), kd.get(i)))
                .map(|i| format!("c{}", i + 1))
                .collect();
            assert!(!by_filter.is_empty(), "{:?}", sla.metric);
            assert_eq!(by_filter, by_codes, "{:?}", sla.metric);
        }
    }

    #[test]
    fn fcr_without_the_column_is_not_measurable() {
        let c =
            contract("[[sla]]\nid = \"f\"\nclause = \"1\"\nmetric = \"fcr_rate\"\ntarget = 0.8\n");
        let k = kpis(&c, None, "contact_id,channel,arrived_at,answered_at\na,phone,2026-10-05 10:00:00,2026-10-05 10:00:05\n", "");
        assert_eq!(k.overall.fcr_rate, None);
        assert_eq!(k.sla[0].actual, None);
    }

    #[test]
    fn satisfaction_survey_wins_over_inline_and_links_to_channel() {
        // a: inline 5 and a survey of 2 → only 2 counts. b: inline 4. Unlinked survey s2: 5,
        // responded in September → other period. s3: no link, no time → this period, 3.
        // Responses 2, 4, 3: mean 3, top box (4–5) 1/3. Phone: a's 2 and b's 4 → 3.
        let k = kpis(
            &contract(""),
            None,
            "contact_id,channel,arrived_at,answered_at,satisfaction\n\
             a,phone,2026-10-05 10:00:00,2026-10-05 10:00:05,5\n\
             b,phone,2026-10-05 10:00:00,2026-10-05 10:00:05,4\n",
            "response_id,contact_id,responded_at,score,nps\n\
             s1,a,,2,10\n\
             s2,,2026-09-15 10:00:00,5,0\n\
             s3,,,3,\n",
        );
        assert_eq!(k.overall.csat_responses, 3);
        assert_eq!(k.overall.csat_mean, Some(3.0));
        assert_eq!(k.overall.csat_top_box_rate, Some(1.0 / 3.0));
        assert_eq!(k.overall.nps, Some(100.0));
        assert_eq!(k.channels["phone"].csat_mean, Some(3.0));
        assert_eq!(k.survey_out_of_period, 1);
    }

    #[test]
    fn hotspots_complaints_and_period_bounds() {
        // z arrives 11-01 00:00 local: next period. Consultations: x 2, y 2, none 1.
        let k = kpis(
            &contract(""),
            None,
            "contact_id,channel,kind,topic,complaint_type,arrived_at\n\
             1,phone,,y,,2026-10-05 10:00:00\n\
             2,phone,consultation,x,,2026-10-05 10:00:00\n\
             3,phone,,y,,2026-10-05 10:00:00\n\
             4,phone,,x,,2026-10-05 10:00:00\n\
             5,phone,,,,2026-10-05 10:00:00\n\
             6,phone,complaint,,延误,2026-10-05 10:00:00\n\
             7,phone,complaint,,,2026-10-05 10:00:00\n\
             z,phone,complaint,,延误,2026-11-01 00:00:00\n",
            "",
        );
        let t: Vec<(Option<&str>, u64)> = k
            .topics
            .iter()
            .map(|t| (t.topic.as_deref(), t.contacts))
            .collect();
        assert_eq!(t, vec![(Some("x"), 2), (Some("y"), 2), (None, 1)]);
        assert_eq!(k.topics[0].share, 0.4);
        assert_eq!(k.overall.complaints, 2);
        assert_eq!(k.overall.complaint_rate, Some(2.0 / 7.0));
        assert_eq!(k.complaint_types[0].complaint_type.as_deref(), Some("延误"));
        assert_eq!(k.out_of_period, 1);
    }

    #[test]
    fn a_business_day_from_six_moves_the_small_hours_to_the_day_before() {
        // day_start 06:00: October runs from 1 Oct 06:00 to 1 Nov 06:00. 1 Oct 03:00 is
        // September's (out of the period); 1 Oct 07:00 is 1 Oct's; 2 Oct 02:00 still 1 Oct's;
        // 2 Oct 06:00 is 2 Oct's; 1 Nov 05:59 is 31 Oct's. The hours stay the clock's.
        let log = "contact_id,channel,arrived_at\n\
                   1,phone,2026-10-01 03:00:00\n\
                   2,phone,2026-10-01 07:00:00\n\
                   3,phone,2026-10-02 02:00:00\n\
                   4,phone,2026-10-02 06:00:00\n\
                   5,phone,2026-11-01 05:59:00\n";
        let k = kpis(&contract("day_start = \"06:00\"\n"), None, log, "");
        assert_eq!((k.overall.contacts, k.out_of_period), (4, 1));
        let day = |k: &Kpis, d: &str| {
            k.days
                .iter()
                .find(|r| r.date == d)
                .map_or(0, |r| r.contacts)
        };
        assert_eq!(
            [
                day(&k, "2026-10-01"),
                day(&k, "2026-10-02"),
                day(&k, "2026-10-31")
            ],
            [2, 1, 1]
        );
        let hours: Vec<u32> = k
            .hours
            .iter()
            .filter(|h| h.contacts > 0)
            .map(|h| h.hour)
            .collect();
        assert!(hours.contains(&2) && hours.contains(&5), "{hours:?}");
        // From midnight: 1 Oct 03:00 is in, 1 Nov 05:59 out; 2 Oct 02:00 is 2 Oct's.
        let k = kpis(&contract(""), None, log, "");
        assert_eq!((k.overall.contacts, k.out_of_period), (4, 1));
        assert_eq!(
            [
                day(&k, "2026-10-01"),
                day(&k, "2026-10-02"),
                day(&k, "2026-10-31")
            ],
            [2, 2, 0]
        );
        // A start that is no time of day is refused, naming the key.
        let e = Contract::parse(
            "[contract]\nid = \"T\"\nname = \"t\"\nday_start = \"6点\"\n",
            std::path::Path::new("t.toml"),
        )
        .unwrap_err();
        assert!(e.message.contains("contract.day_start"), "{}", e.message);
    }

    #[test]
    fn empty_population_gives_null_not_zero() {
        let k = kpis(
            &contract(SL),
            None,
            "contact_id,channel,arrived_at\na,email,2026-10-05 10:00:00\n",
            "",
        );
        assert_eq!(k.overall.csat_mean, None);
        assert_eq!(k.overall.resolution_rate, None);
        assert_eq!(k.overall.abandon_rate, None);
        assert_eq!(k.sla[0].actual, None);
        assert!(!k.channels.contains_key("phone"));
    }

    /// The calendar of the working-hours test: National Day holidays, 10-10 a make-up day.
    fn october_calendar() -> (tempfile::NamedTempFile, Calendar) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(
            &mut f,
            b"name = \"t\"\nholidays = [\"2026-10-01\",\"2026-10-02\",\"2026-10-05\",\"2026-10-06\",\"2026-10-07\"]\nworkdays = [\"2026-10-10\"]\n[hours]\nmon = [\"09:00-12:00\", \"13:00-18:00\"]\ntue = [\"09:00-12:00\", \"13:00-18:00\"]\nwed = [\"09:00-12:00\", \"13:00-18:00\"]\nthu = [\"09:00-12:00\", \"13:00-18:00\"]\nfri = [\"09:00-12:00\", \"13:00-18:00\"]\n",
        )
        .unwrap();
        let cal = Calendar::load(&[f.path().to_path_buf()]).unwrap();
        (f, cal)
    }

    #[test]
    fn orders_by_sub_type_with_shares_and_means() {
        // o1, o2: modify address (修改地址, 改地址); o3: cancel; o4: a topic of its own.
        // Resolved: o1 (1 h), o3 (2 h), o4 (flag only, no time): 3 of 4.
        // Handling: 100, 200, 300 (o4 none): mean 200. Time to resolve: (3600 + 7200) / 2.
        // Modify address: 2 contacts, share 1/2, 1 resolved, handling 150, resolve 3600.
        let k = kpis(
            &contract(""),
            None,
            "contact_id,channel,kind,topic,arrived_at,answered_at,resolved_at,handle_seconds,resolved\n\
             o1,phone,order,修改地址,2026-10-05 10:00:00,2026-10-05 10:00:05,2026-10-05 11:00:00,100,\n\
             o2,phone,订单处理,改地址,2026-10-05 10:00:00,2026-10-05 10:00:05,,200,false\n\
             o3,chat,order,取消寄件,2026-10-05 10:00:00,2026-10-05 10:00:05,2026-10-05 12:00:00,300,\n\
             o4,phone,order,预约上门,2026-10-05 10:00:00,2026-10-05 10:00:05,,,true\n\
             x1,phone,consultation,修改地址,2026-10-05 10:00:00,2026-10-05 10:00:05,,50,true\n",
            "",
        );
        let o = &k.orders;
        assert_eq!((o.contacts, o.resolved), (4, 3));
        assert_eq!(o.resolved_rate, Some(0.75));
        assert_eq!(o.handle_mean_seconds, Some(200.0));
        assert_eq!(o.resolve_time_mean_seconds, Some(5400.0));
        let t: Vec<(&str, u64, f64, u64)> = o
            .types
            .iter()
            .map(|t| (t.order_type.as_str(), t.contacts, t.share, t.resolved))
            .collect();
        assert_eq!(
            t,
            [
                ("modify_address", 2, 0.5, 1),
                ("cancel", 1, 0.25, 1),
                ("预约上门", 1, 0.25, 1)
            ]
        );
        assert_eq!(o.types[0].handle_mean_seconds, Some(150.0));
        assert_eq!(o.types[0].resolve_time_mean_seconds, Some(3600.0));
        assert_eq!(o.types[0].resolved_rate, Some(0.5));
        assert_eq!(o.types[2].handle_mean_seconds, None);
        assert_eq!(o.types[2].resolve_time_mean_seconds, None);
    }

    #[test]
    fn urgent_response_within_counts_only_urgent_contacts() {
        let c = contract(
            "[[sla]]\nid = \"u\"\nclause = \"1\"\nmetric = \"urgent_response_within\"\nthreshold_hours = 2\ntarget = 0.9\n",
        );
        // Urgent: u1 answered in 1 h (within), u2 in 3 h (missed), u3 in 30 s (within), u4
        // never (missed): 2 / 4. n1 is normal and left out.
        // Urgent response times 30, 3600, 10800: mean 4810, max 10800, p90 (linear) at
        // position 1.8: 3600 + 0.8 × 7200 = 9360.
        let k = kpis(
            &c,
            None,
            "contact_id,channel,priority,arrived_at,answered_at\n\
             u1,email,urgent,2026-10-05 10:00:00,2026-10-05 11:00:00\n\
             u2,email,紧急,2026-10-05 10:00:00,2026-10-05 13:00:00\n\
             u3,phone,urgent,2026-10-05 10:00:00,2026-10-05 10:00:30\n\
             u4,email,urgent,2026-10-05 10:00:00,\n\
             n1,email,normal,2026-10-05 10:00:00,2026-10-05 10:30:00\n",
            "",
        );
        assert_eq!((k.sla[0].numerator, k.sla[0].denominator), (2.0, 4.0));
        let u = &k.urgent;
        assert_eq!((u.contacts, u.answered, u.resolved), (4, 3, 0));
        assert_eq!(u.response_mean_seconds, Some(4810.0));
        assert_eq!(u.response_max_seconds, Some(10800.0));
        assert!((u.response_p90_seconds.unwrap() - 9360.0).abs() < 1e-9);
        assert_eq!(k.days[0].urgent, 4);
    }

    #[test]
    fn peaks_are_holidays_the_days_around_them_and_busy_days() {
        let (_f, cal) = october_calendar();
        let c = contract(&format!(
            "[peaks]\ndays_around_holidays = 1\nvolume_factor = 2\n{SL}"
        ));
        // Calls per day (answer time): 10-02 holiday: 10 s. 10-08 (the day after the 10-07
        // holiday): 10 s, 60 s. 10-10 make-up workday: 10 s. 10-13: six calls at 30 s.
        // 10-14: 10 s. 10-17 (Saturday): 10 s. Day volumes 1 2 1 6 1 1: median 1, so 10-13
        // (6 ≥ 2 × 1) is a busy day; 10-08 is "around a holiday" first.
        // Peak days 10-02, 10-08, 10-13: 9 calls, 2 within 20 s: 2/9. Others: 3/3.
        let mut csv = String::from("contact_id,channel,arrived_at,answered_at\n");
        let calls: &[(&str, &[u32])] = &[
            ("2026-10-02", &[10]),
            ("2026-10-08", &[10, 60]),
            ("2026-10-10", &[10]),
            ("2026-10-13", &[30, 30, 30, 30, 30, 30]),
            ("2026-10-14", &[10]),
            ("2026-10-17", &[10]),
        ];
        for (day, waits) in calls {
            for (i, w) in waits.iter().enumerate() {
                csv.push_str(&format!(
                    "{day}-{i},phone,{day} 10:00:00,{day} 10:{:02}:{:02}\n",
                    w / 60,
                    w % 60
                ));
            }
        }
        let k = kpis(&c, Some(&cal), &csv, "");
        let days: Vec<(&str, &str, Option<&str>)> = k
            .days
            .iter()
            .map(|d| (d.date.as_str(), d.day_type.as_str(), d.peak.as_deref()))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-10-02", "holiday", Some("holiday")),
                ("2026-10-08", "workday", Some("around_holiday")),
                ("2026-10-10", "makeup_workday", None),
                ("2026-10-13", "workday", Some("volume")),
                ("2026-10-14", "workday", None),
                ("2026-10-17", "weekend", None),
            ]
        );
        let p = &k.peaks;
        assert_eq!((p.peak_days, p.peak_contacts), (3, 9));
        assert_eq!(p.median_day_contacts, Some(1.0));
        assert_eq!(p.peak_service_level, Some(2.0 / 9.0));
        assert_eq!(p.other_service_level, Some(1.0));
        assert_eq!(
            (k.days[1].service_level_hits, k.days[1].service_level_base),
            (1, 2)
        );
    }

    #[test]
    fn quality_inspections_pass_rate_criteria_and_agents() {
        let c = contract(
            "[[sla]]\nid = \"qa\"\nclause = \"1\"\nmetric = \"qa_pass_rate\"\ntarget = 0.9\n\
             [[sla]]\nid = \"ms\"\nclause = \"1\"\nmetric = \"qa_pass_rate\"\nsource = \"神秘顾客\"\ntarget = 0.9\n",
        );
        // q1: about c1 (agent A1 甲), scored 90: passed. q2: about c2 (A2 乙), no date (so
        // c2's arrival, October), 70: failed, accuracy failed. q3: mystery shopper on A2,
        // verdict 合格 despite a failed greeting. q4: about c3, which arrived in September:
        // out of the period. q5: no date, no contact: counted in the period, agent A3, 85.
        // In the period: 4 inspections, 3 passed; scores 90, 70, 85: mean 245 / 3.
        // Recording: q1 q2: 1 of 2, mean 80. Mystery shopper: q3 q5: 2 of 2, mean 85.
        // Greeting: checked q1 q2 q3, failed 1. Accuracy: checked q1 q2, failed 1.
        // A2: q2 and q3, 1 passed, mean score 70 (q3 has none), 2 criteria failed.
        let k = kpis_qa(
            &c,
            None,
            "contact_id,channel,arrived_at,answered_at,agent_id,agent_name\n\
             c1,phone,2026-10-05 10:00:00,2026-10-05 10:00:05,A1,甲\n\
             c2,phone,2026-10-06 10:00:00,2026-10-06 10:00:05,A2,乙\n\
             c3,phone,2026-09-20 10:00:00,2026-09-20 10:00:05,A1,甲\n",
            "",
            Some(
                "inspection_id,contact_id,agent_id,inspected_at,source,score,passed,criterion_greeting,criterion_accuracy\n\
                 q1,c1,,2026-10-07 10:00:00,录音,90,,pass,pass\n\
                 q2,c2,,,recording,70,,pass,fail\n\
                 q3,,A2,2026-10-08 09:00:00,mystery_shopper,,合格,fail,\n\
                 q4,c3,,,recording,60,,,\n\
                 q5,,A3,,暗访,85,,,\n",
            ),
        );
        let q = k.quality.as_ref().unwrap();
        assert_eq!((q.inspections, q.passed, q.scored), (4, 3, 3));
        assert_eq!(q.pass_rate, Some(0.75));
        assert!((q.score_mean.unwrap() - 245.0 / 3.0).abs() < 1e-9);
        let src: Vec<(&str, u64, u64, Option<f64>)> = q
            .sources
            .iter()
            .map(|s| (s.source.as_str(), s.inspections, s.passed, s.score_mean))
            .collect();
        assert_eq!(
            src,
            [
                ("mystery_shopper", 2, 2, Some(85.0)),
                ("recording", 2, 1, Some(80.0))
            ]
        );
        let crit: Vec<(&str, u64, u64)> = q
            .criteria
            .iter()
            .map(|c| (c.criterion.as_str(), c.checked, c.failed))
            .collect();
        assert_eq!(crit, [("accuracy", 2, 1), ("greeting", 3, 1)]);
        let ag: Vec<(&str, Option<&str>, u64, u64, Option<f64>, u64)> = q
            .agents
            .iter()
            .map(|a| {
                (
                    a.agent_id.as_str(),
                    a.agent_name.as_deref(),
                    a.inspections,
                    a.passed,
                    a.score_mean,
                    a.criteria_failed,
                )
            })
            .collect();
        assert_eq!(
            ag,
            [
                ("A1", Some("甲"), 1, 1, Some(90.0), 0),
                ("A2", Some("乙"), 2, 1, Some(70.0), 2),
                ("A3", None, 1, 1, Some(85.0), 0),
            ]
        );
        assert_eq!((k.sla[0].numerator, k.sla[0].denominator), (3.0, 4.0));
        assert_eq!((k.sla[1].numerator, k.sla[1].denominator), (2.0, 2.0));
    }

    #[test]
    fn qa_pass_rate_without_inspections_is_not_measurable() {
        let c = contract(
            "[[sla]]\nid = \"qa\"\nclause = \"1\"\nmetric = \"qa_pass_rate\"\ntarget = 0.9\n",
        );
        let k = kpis(
            &c,
            None,
            "contact_id,channel,arrived_at\na,phone,2026-10-05 10:00:00\n",
            "",
        );
        assert!(k.quality.is_none());
        assert_eq!(k.sla[0].actual, None);
        assert_eq!(k.sla[0].why_missing, Some("why_no_inspection_input"));
    }
}
