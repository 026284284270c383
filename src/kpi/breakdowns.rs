//! The breakdowns: per channel, hotspot, complaint type, agent, day and hour, with the
//! orders' and the urgent contacts' figures, built from the enrich kernel's tallies and the
//! period's survey responses ([`breakdowns_of`]), plus the helpers they share (values
//! grouped by a key, typed access to a row of an aggregated frame, ranked counts).
//! Previous-period values are the report stage's.

use super::enrich::AgentLabels;
use super::satisfaction::Csat;
use super::sla::Evidence;
use super::tally::{DayTally, HourTally, LabelCounts, Tally};
use super::{one_array, ratio, AgentRow, ChannelMetrics, ComplaintRow, DayRow, HourRow, TopicRow};
use crate::config::Contract;
use crate::model::Channel;
use polars::prelude::*;
use std::collections::BTreeMap;

/// The figures built on the survey responses and the kernel's tallies.
pub(super) struct Breakdowns {
    pub resp: super::satisfaction::Responses,
    pub survey_out_of_period: u64,
    pub survey_items: Vec<super::ItemStats>,
    /// Survey responses counted in the period.
    pub survey_in_period: u64,
    pub overall: super::Overall,
    pub channels: BTreeMap<String, ChannelMetrics>,
    pub topics: Vec<TopicRow>,
    pub complaint_types: Vec<ComplaintRow>,
    pub agents: Vec<AgentRow>,
    pub days: Vec<DayRow>,
    pub peaks: super::Peaks,
    pub hours: Vec<HourRow>,
    pub scores: Vec<super::ScoreRow>,
    pub orders: super::Orders,
    pub urgent: super::Urgent,
}

/// The survey responses of the period, and the overall, channel, topic, agent, day and hour
/// breakdowns from the kernel's tallies (by chunk) and agents' labels and the enriched
/// frame `df`.
pub(super) fn breakdowns_of(
    input: &super::Input<'_>,
    df: &DataFrame,
    (chunk_tallies, agent_labels): (Vec<super::tally::ChunkTally>, &AgentLabels),
    repeat_out: &Option<super::repeat::Repeat>,
    contract: &Contract,
    calendar: Option<&crate::config::Calendar>,
    (bounds, first_day): ((i64, i64), i32),
) -> crate::error::Result<Breakdowns> {
    let evidence = Evidence::of(input.columns);
    let (resp, survey_out_of_period, survey_items) = super::satisfaction::responses(
        input.contacts,
        df,
        input.surveys,
        bounds,
        &contract.survey,
    )?;
    // Every additive figure of the overall, channel, agent and day breakdowns.
    let tallies = super::tally::fold(
        chunk_tallies,
        |c| contract.service_level_threshold(c).is_some(),
        &contract.channels,
        // Day number 0 is `first_day`.
        |d| super::weekday(first_day as i64 + d as i64),
    );
    let (ttr_p50, channel_percentiles) = super::percentiles(df, &contract.channels)?;
    let survey = resp.figures(contract.survey.top_box_min());
    let mut overall = super::overall(&tallies.overall, &survey.summary, ttr_p50, evidence);
    super::repeat::copy_rates(repeat_out.as_ref(), &mut overall);
    let channels = channels(
        &tallies.channels,
        &channel_percentiles,
        &survey.by_channel,
        contract,
        evidence,
    );
    // The text of a categorical column's ids.
    let text_of = |column: &str| -> crate::error::Result<Arc<CategoricalMapping>> {
        Ok(df.column(column)?.dtype().cat_mapping()?.clone())
    };
    let topic_text = text_of("topic")?;
    let topics = topics(&tallies.topics, &topic_text);
    let orders = super::schedule::orders(&tallies.orders, &topic_text);
    let urgent = super::schedule::urgent(&tallies.urgent, &tallies.urgent_resp);
    let complaint_types = complaint_types(&tallies.complaint_types, &*text_of("complaint_type")?);
    let agent_text = AgentText {
        id: text_of("agent_id")?,
        name: text_of("agent_name")?,
        team: text_of("team")?,
    };
    let agents = agents(
        agent_labels,
        &tallies.agents,
        &survey.by_agent,
        &agent_text,
        evidence,
    );
    let mut days = days(&tallies.days, first_day);
    let peaks = super::schedule::peaks(&mut days, calendar, &contract.peaks);
    let hours = hours(&tallies.hours);
    Ok(Breakdowns {
        resp,
        survey_out_of_period,
        survey_items,
        survey_in_period: survey.summary.responses,
        overall,
        channels,
        topics,
        complaint_types,
        agents,
        days,
        peaks,
        hours,
        scores: survey.scores,
        orders,
        urgent,
    })
}

/// The non-null values of the float column `name` of `df` as `(group, value)` pairs, the
/// group being the contact's channel (its position in the run's table) when `codes` holds
/// the channel codes, else 0: what [`super::percentile::quantiles`] streams.
pub(super) fn grouped_values<'a>(
    values: &'a Float64Chunked,
    codes: Option<&'a UInt32Chunked>,
) -> impl Iterator<Item = (usize, f64)> + 'a {
    crate::util::chunk_ranges(values)
        .into_iter()
        .flat_map(move |(start, len)| {
            let v = one_array(values, start as i64, len);
            let c = codes.map(|c| one_array(c, start as i64, len));
            (0..len).filter_map(move |i| {
                let x = v.get(i)?;
                // A contact without a known channel code counts as `Other`, as in the tallies.
                let g = c.as_ref().map_or(0, |c| {
                    c.get(i).map_or(Channel::OTHER.index(), |c| c as usize)
                });
                Some((g, x))
            })
        })
}

/// Typed access to one row of an aggregated frame.
pub(super) struct Row<'a> {
    pub(super) df: &'a DataFrame,
    pub(super) i: usize,
}

impl Row<'_> {
    pub(super) fn float(&self, name: &str) -> Option<f64> {
        self.df
            .column(name)
            .ok()?
            .get(self.i)
            .ok()?
            .extract::<f64>()
    }
    pub(super) fn count(&self, name: &str) -> u64 {
        self.float(name).unwrap_or(0.0) as u64
    }
    pub(super) fn text(&self, name: &str) -> Option<String> {
        let v = self.df.column(name).ok()?.get(self.i).ok()?;
        // Text, enum and categorical values alike.
        v.get_str().map(|s| s.to_string())
    }
}

/// The labels counted (`text` gives their text) with their counts and shares, by count
/// descending, then label (a missing one last).
pub(super) fn ranked_counts(
    counts: &super::tally::LabelCounts,
    text: &CategoricalMapping,
) -> Vec<(Option<String>, u64, f64)> {
    let total: u64 = counts.counts().map(|(_, n)| n).sum();
    let mut rows: Vec<(Option<String>, u64, f64)> = counts
        .counts()
        .map(|(id, n)| {
            let label = id.and_then(|id| text.cat_to_str(id)).map(str::to_string);
            (label, n, n as f64 / total as f64)
        })
        .collect();
    rows.sort_by(|x, y| {
        y.1.cmp(&x.1).then_with(|| match (&x.0, &y.0) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
    });
    rows
}

/// Each channel's median and 90th percentile response time.
pub(super) type ChannelPercentiles = BTreeMap<Channel, (Option<f64>, Option<f64>)>;

/// The per-channel figures from the channels' tallies, percentiles and survey figures.
pub(super) fn channels(
    tallies: &BTreeMap<Channel, Tally>,
    percentiles: &ChannelPercentiles,
    csat: &BTreeMap<Channel, Csat>,
    contract: &Contract,
    evidence: Evidence,
) -> BTreeMap<String, ChannelMetrics> {
    let mut channels = BTreeMap::new();
    for (&ch, t) in tallies {
        let name = contract.channels.name(ch).to_string();
        let realtime = contract.channels.is_realtime(ch);
        let n = t.contacts as f64;
        let short = t.short_abandoned as f64;
        let threshold = contract.service_level_threshold(ch);
        let cs = csat.get(&ch);
        let (p50, p90) = percentiles.get(&ch).copied().unwrap_or((None, None));
        let m = ChannelMetrics {
            contacts: t.contacts,
            answered: t.answered,
            realtime,
            abandoned: realtime.then_some(t.abandoned),
            short_abandoned: realtime.then_some(t.short_abandoned),
            unanswered: (!realtime).then_some(t.unanswered),
            service_level: threshold
                .and_then(|_| ratio(t.sl_hit as f64, t.sl_base as f64))
                .filter(|_| evidence.answer && evidence.response_time),
            service_level_threshold_seconds: threshold,
            asa_seconds: t.resp.get(),
            abandon_rate: if realtime && evidence.answer {
                ratio(t.abandoned as f64 - short, n - short)
            } else {
                None
            },
            response_p50_seconds: p50,
            response_p90_seconds: p90,
            aht_seconds: t.handle.get(),
            resolved: t.resolved,
            resolution_rate: t.resolution_rate().filter(|_| evidence.resolution),
            fcr_rate: t.fcr_rate(),
            csat_mean: cs.and_then(|c| c.mean),
            csat_responses: cs.map(|c| c.n).unwrap_or(0),
            complaints: t.complaints,
        };
        channels.insert(name, m);
    }
    channels
}

/// Consultation hotspots, most contacts first.
pub(super) fn topics(counts: &LabelCounts, text: &CategoricalMapping) -> Vec<TopicRow> {
    ranked_counts(counts, text)
        .into_iter()
        .map(|(topic, contacts, share)| TopicRow {
            topic,
            contacts,
            share,
        })
        .collect()
}

/// Complaint types, most complaints first.
pub(super) fn complaint_types(
    counts: &LabelCounts,
    text: &CategoricalMapping,
) -> Vec<ComplaintRow> {
    ranked_counts(counts, text)
        .into_iter()
        .map(|(complaint_type, complaints, share)| ComplaintRow {
            complaint_type,
            complaints,
            share,
        })
        .collect()
}

/// The text of the agent columns' category ids.
pub(super) struct AgentText {
    pub(super) id: Arc<CategoricalMapping>,
    pub(super) name: Arc<CategoricalMapping>,
    pub(super) team: Arc<CategoricalMapping>,
}

/// The per-agent figures, by agent id: names and teams (each agent's first given, gathered
/// by the enrich kernel), the figures from the tallies.
pub(super) fn agents(
    labels: &AgentLabels,
    tallies: &BTreeMap<u32, Tally>,
    csat: &BTreeMap<u32, Csat>,
    text: &AgentText,
    evidence: Evidence,
) -> Vec<AgentRow> {
    let label = |text: &CategoricalMapping, id: Option<u32>| {
        id.and_then(|id| text.cat_to_str(id)).map(str::to_string)
    };
    let mut agents: Vec<AgentRow> = labels
        .iter()
        .filter_map(|(&a, &(name, team))| {
            let id = label(&text.id, Some(a))?;
            let t = tallies.get(&a)?;
            let cs = csat.get(&a);
            Some(AgentRow {
                agent_name: label(&text.name, name),
                team: label(&text.team, team),
                contacts: t.contacts,
                answered: t.answered,
                resolved: t.resolved,
                resolution_rate: t.resolution_rate().filter(|_| evidence.resolution),
                asa_seconds: t.resp_rt.get(),
                aht_seconds: t.handle.get(),
                csat_mean: cs.and_then(|c| c.mean),
                csat_responses: cs.map(|c| c.n).unwrap_or(0),
                agent_id: id,
            })
        })
        .collect();
    agents.sort_by(|x, y| x.agent_id.cmp(&y.agent_id));
    agents
}

/// The per-day figures; day number `d` is `first_day + d` (days from the common era).
pub(super) fn days(tallies: &BTreeMap<Option<u32>, DayTally>, first_day: i32) -> Vec<DayRow> {
    tallies
        .iter()
        .map(|(day, t)| DayRow {
            date: day
                .and_then(|d| {
                    chrono::NaiveDate::from_num_days_from_ce_opt(
                        first_day.checked_add(i32::try_from(d).ok()?)?,
                    )
                })
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            contacts: t.contacts,
            answered: t.answered,
            abandoned: t.abandoned,
            urgent: t.urgent,
            service_level: ratio(t.sl_hit as f64, t.sl_base as f64),
            service_level_hits: t.sl_hit,
            service_level_base: t.sl_base,
            day_type: String::new(),
            peak: None,
        })
        .collect()
}

/// Contacts and abandons by weekday and hour.
pub(super) fn hours(tallies: &BTreeMap<(u32, u32), HourTally>) -> Vec<HourRow> {
    tallies
        .iter()
        .map(|(&(weekday, hour), t)| HourRow {
            weekday,
            hour,
            contacts: t.contacts,
            abandoned: t.abandoned,
        })
        .collect()
}
