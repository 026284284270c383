//! KPI stage: every figure of `spec/metrics.md`, computed with Polars' lazy API and one
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

use crate::config::contract::{Denominator, SlaMetric, Threshold};
use crate::config::{Calendar, Contract, Period};
use crate::error::Result;
use crate::model::{Channel, Kind, Priority};
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
}

/// Per-channel figures (`metrics.json` → `channels.<channel>`).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct ChannelMetrics {
    pub contacts: u64,
    pub answered: u64,
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
    pub previous_contacts: Option<u64>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ComplaintRow {
    pub complaint_type: Option<String>,
    pub complaints: u64,
    pub share: f64,
    pub previous_complaints: Option<u64>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
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
    /// Why the measurement is missing.
    #[serde(skip)]
    pub why_missing: Option<&'static str>,
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
    pub out_of_period: u64,
    /// Survey responses counted in the period.
    pub survey_in_period: u64,
    /// Accepted survey records attributed to another period.
    pub survey_out_of_period: u64,
}

fn ratio(n: f64, d: f64) -> Option<f64> {
    if d > 0.0 {
        Some(n / d)
    } else {
        None
    }
}

/// By agent category id: the category ids of the agent's first name and first team given
/// (in row order), which the enrich kernel picks up on its way through the contacts.
type AgentLabels = BTreeMap<u32, (Option<u32>, Option<u32>)>;

/// One chunk's [`AgentLabels`]: by agent category id in a table when the agents are few,
/// else in a map.
enum ChunkLabels {
    Table(Vec<(Option<u32>, Option<u32>, bool)>),
    Map(crate::util::FastMap<u32, (Option<u32>, Option<u32>)>),
}

impl ChunkLabels {
    fn new(agents: usize) -> Self {
        if agents <= 1 << 12 {
            ChunkLabels::Table(vec![(None, None, false); agents])
        } else {
            ChunkLabels::Map(Default::default())
        }
    }

    /// Contact of agent `a` with the name and team category ids `name` and `team`.
    #[inline]
    fn add(
        &mut self,
        a: u32,
        name: impl FnOnce() -> Option<u32>,
        team: impl FnOnce() -> Option<u32>,
    ) {
        let (n, t) = match self {
            ChunkLabels::Table(v) => match v.get_mut(a as usize) {
                Some((n, t, seen)) => {
                    *seen = true;
                    (n, t)
                }
                None => return,
            },
            ChunkLabels::Map(m) => {
                let e = m.entry(a).or_default();
                (&mut e.0, &mut e.1)
            }
        };
        if n.is_none() {
            *n = name();
        }
        if t.is_none() {
            *t = team();
        }
    }

    /// Fold into `all` the labels of this chunk, which comes after those already in it.
    fn fold_into(self, all: &mut AgentLabels) {
        let mut fold = |a: u32, name: Option<u32>, team: Option<u32>| {
            let (n, t) = all.entry(a).or_default();
            *n = n.or(name);
            *t = t.or(team);
        };
        match self {
            ChunkLabels::Table(v) => {
                for (a, (name, team, seen)) in v.into_iter().enumerate() {
                    if seen {
                        fold(a as u32, name, team);
                    }
                }
            }
            ChunkLabels::Map(m) => {
                for (a, (name, team)) in m {
                    fold(a, name, team);
                }
            }
        }
    }
}

/// What the enrich kernel gathers on its way through the contacts, besides the columns it
/// adds.
struct Kernel {
    agent_labels: AgentLabels,
    /// One per run of chunks, in row order (see [`tally::fold`]).
    tallies: Vec<tally::ChunkTally>,
    /// By the contract's SLA index: the counts of an SLA over contacts (`None` for the
    /// others: satisfaction, quality inspections).
    slas: Vec<Option<SlaCounts>>,
}

/// How an SLA over contacts counts a contact in its scope.
#[derive(Debug, Clone, Copy)]
enum Counted {
    /// Answered within the threshold, of the contacts but the short abandons
    /// (`service_level`, `response_within`, `urgent_response_within`).
    Response(Within),
    /// Resolved within the threshold, of the contacts (`resolved_within`).
    ResolvedWithin(Within),
    /// Resolved, of the contacts answered or of all (`resolution_rate`).
    Resolution { of_answered: bool },
    /// Resolved at first contact, of the contacts answered (`fcr_rate`).
    Fcr,
}

/// An SLA's threshold as the kernel applies it.
#[derive(Debug, Clone, Copy)]
enum Within {
    /// Wall-clock seconds.
    Seconds(f64),
    /// Working seconds on the business calendar (wall-clock seconds without one).
    Working(f64),
    /// No threshold: no contact makes it.
    Never,
}

impl Counted {
    /// How SLA `sla` counts contacts; `None` when it is not measured over contacts.
    fn of(sla: &crate::config::contract::Sla) -> Option<Counted> {
        let within = match sla.threshold {
            Some(Threshold::Seconds(t)) => Within::Seconds(t),
            Some(Threshold::WorkingSeconds(t)) => Within::Working(t),
            None => Within::Never,
        };
        Some(match sla.metric {
            SlaMetric::ServiceLevel
            | SlaMetric::ResponseWithin
            | SlaMetric::UrgentResponseWithin => Counted::Response(within),
            SlaMetric::ResolvedWithin => Counted::ResolvedWithin(within),
            SlaMetric::ResolutionRate => Counted::Resolution {
                of_answered: sla.denominator == Denominator::Answered,
            },
            SlaMetric::FcrRate => Counted::Fcr,
            SlaMetric::CsatMean | SlaMetric::CsatTopBoxRate | SlaMetric::QaPassRate => return None,
        })
    }

    fn working(self) -> bool {
        matches!(
            self,
            Counted::Response(Within::Working(_)) | Counted::ResolvedWithin(Within::Working(_))
        )
    }
}

/// An SLA's figure over the contacts in its scope: its numerator and denominator, and how
/// many of the contacts say whether they were resolved at first contact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct SlaCounts {
    num: u64,
    den: u64,
    fcr_known: u64,
}

impl SlaCounts {
    fn add(&mut self, other: &SlaCounts) {
        self.num += other.num;
        self.den += other.den;
        self.fcr_known += other.fcr_known;
    }
}

/// Add the per-contact columns every KPI uses; tally the contacts, pick up each agent's
/// name and team and count every SLA over contacts (see [`Kernel`]). `contacts` must
/// already be in the period.
fn enrich(
    contacts: DataFrame,
    contract: &Contract,
    calendar: Option<&Calendar>,
    first_day: i32,
) -> Result<(DataFrame, Kernel)> {
    let secs = |e: Expr| e.cast(DataType::Float64) / lit(1000.0);
    let t = std::time::Instant::now();
    let df = contacts
        .lazy()
        .with_columns([
            col("answered_ms")
                .is_not_null()
                .or(col("answered_flag").fill_null(lit(false)))
                .alias("answered"),
            coalesce(&[col("resolved_flag"), col("resolved_ms").is_not_null()]).alias("resolved"),
        ])
        // `resp_s` and `resolve_s` are null unless the contact was answered (resolved): the
        // aggregations take them as they are.
        .with_columns([
            when(col("resolved"))
                .then(secs(col("resolved_ms") - col("arrived_ms")))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("resolve_s"),
            when(col("answered_ms").is_not_null())
                .then(secs(col("answered_ms") - col("arrived_ms")))
                .when(col("answered"))
                .then(col("wait_s"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("resp_s"),
        ])
        .collect()?;
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        chunks = df.first_col_n_chunks(),
        "kpi: enrich flags"
    );

    // Column kernel, chunk by chunk of the frame in parallel (see `chunk_ranges`): the
    // per-channel thresholds (short abandon, service level) and the flags that use them,
    // each contact's tally key and day slot (see `tally`), grouped as they are made, and
    // the counts of every SLA over contacts in whose scope it is, with working time on the
    // business calendar for those that count in it.
    use rayon::prelude::*;
    use tally::flag;
    // The vocabularies' category ids are the positions in their `ALL` lists.
    let codes =
        |name: &str| -> Result<UInt32Chunked> { Ok(df.column(name)?.cat32()?.physical().clone()) };
    let (channel, agent, kind, priority, complexity) = (
        codes("channel")?,
        codes("agent_id")?,
        codes("kind")?,
        codes("priority")?,
        codes("complexity")?,
    );
    let (names, teams) = (codes("agent_name")?, codes("team")?);
    let (topic, complaint_type) = (codes("topic")?, codes("complaint_type")?);
    let ids = |name: &str| -> Result<usize> {
        Ok(df
            .column(name)?
            .dtype()
            .cat_mapping()?
            .num_cats_upper_bound())
    };
    let (topic_ids, complaint_type_ids) = (ids("topic")?, ids("complaint_type")?);
    let agents = ids("agent_id")?;
    let arrived = df.column("arrived_ms")?.i64()?.clone();
    let resolved_ms = df.column("resolved_ms")?.i64()?.clone();
    let floats = |name: &str| -> Result<Float64Chunked> { Ok(df.column(name)?.f64()?.clone()) };
    let flags = |name: &str| -> Result<BooleanChunked> { Ok(df.column(name)?.bool()?.clone()) };
    let (resp, wait, handle, resolve) = (
        floats("resp_s")?,
        floats("wait_s")?,
        floats("handle_s")?,
        floats("resolve_s")?,
    );
    let (answered, resolved, fcr) = (flags("answered")?, flags("resolved")?, flags("fcr")?);
    let thresholds: Vec<(f64, Option<f64>)> = Channel::ALL
        .iter()
        .map(|&c| {
            (
                contract.short_abandon_seconds(c),
                contract.service_level_threshold(c),
            )
        })
        .collect();
    // The SLAs over contacts, by their index in the contract.
    let slas: Vec<(usize, Counted, Scope)> = contract
        .slas
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, Counted::of(s)?, Scope::of(s))))
        .collect();
    let working = slas.iter().any(|(_, c, _)| c.working());
    let tz = contract.tz();
    // The chunks in a fixed number of runs of consecutive chunks, one task each: a run's
    // contacts are tallied together, so that a few thousand groups per run are left to fold
    // (a chunk's ten thousand contacts would leave nearly as many groups as the run's).
    type Part = (tally::ChunkTally, ChunkLabels, Vec<SlaCounts>);
    let chunks = crate::util::chunk_ranges(&arrived);
    let parts: Vec<Part> = chunks
        .par_chunks(chunks.len().div_ceil(KERNEL_RUNS).max(1))
        .map(|run| {
            let mut tallied = tally::ChunkTally::new(topic_ids, complaint_type_ids);
            let mut labels = ChunkLabels::new(agents);
            let mut counts = vec![SlaCounts::default(); slas.len()];
            let mut local = LocalTime::new(tz);
            let mut clock = calendar.filter(|_| working).map(Calendar::clock);
            for &(start, len) in run {
                let s = start as i64;
                let (channel, agent, kind, priority, complexity) = (
                    one_array(&channel, s, len),
                    one_array(&agent, s, len),
                    one_array(&kind, s, len),
                    one_array(&priority, s, len),
                    one_array(&complexity, s, len),
                );
                let (names, teams) = (one_array(&names, s, len), one_array(&teams, s, len));
                let (topic, complaint_type) = (
                    one_array(&topic, s, len),
                    one_array(&complaint_type, s, len),
                );
                let (arrived, resolved_ms) =
                    (one_array(&arrived, s, len), one_array(&resolved_ms, s, len));
                let (resp, wait, handle, resolve) = (
                    one_array(&resp, s, len),
                    one_array(&wait, s, len),
                    one_array(&handle, s, len),
                    one_array(&resolve, s, len),
                );
                let (answered, resolved, fcr) = (
                    one_array(&answered, s, len),
                    one_array(&resolved, s, len),
                    one_array(&fcr, s, len),
                );
                for i in 0..len {
                    let ch = channel.get(i).unwrap_or(Channel::Other as u32);
                    let (sa, sl) = thresholds.get(ch as usize).map_or((0.0, None), |&t| t);
                    let realtime = Channel::ALL
                        .get(ch as usize)
                        .is_some_and(|c| c.is_realtime());
                    let r = resp.get(i);
                    let a = arrived.get(i).unwrap_or(0);
                    let resolved_at = resolved_ms.get(i);
                    let wait = wait.get(i);
                    let is_answered = answered.get(i) == Some(true);
                    let is_resolved = resolved.get(i) == Some(true);
                    // How long an abandoned contact waited: its wait, else until it was closed.
                    let waited = || wait.or(resolved_at.map(|r| (r - a) as f64 / 1000.0));
                    let is_abandoned = realtime && !is_answered;
                    let short = is_abandoned && waited().is_some_and(|w| w < sa);
                    let sl_hit = is_answered && matches!((r, sl), (Some(r), Some(t)) if r <= t);
                    let (kind, priority) = (kind.get(i), priority.get(i));
                    let fcr = fcr.get(i);
                    let (handle, resolve) = (handle.get(i), resolve.get(i));
                    // Working time is `cum(b) - cum(a)` on the calendar, else wall-clock
                    // time; each worked out at most once, and only for a contact in the
                    // scope of an SLA that counts in it.
                    let mut cum_a = None;
                    let (mut resp_work, mut resolve_work) = (None, None);
                    let mut work = |resolution: bool| -> Option<f64> {
                        let ca = *cum_a.get_or_insert_with(|| clock.as_mut().map(|c| c.cum(a)));
                        let mut work = |b: i64| match (clock.as_mut(), ca) {
                            (Some(c), Some(ca)) => c.cum(b) - ca,
                            _ => (b - a) as f64 / 1000.0,
                        };
                        if resolution {
                            *resolve_work.get_or_insert_with(|| resolved_at.map(&mut work))
                        } else {
                            *resp_work.get_or_insert_with(|| {
                                r.map(|r| work(a + (r * 1000.0).round() as i64))
                            })
                        }
                    };
                    // Whether the contact made a threshold: `wall`, its wall-clock seconds, or
                    // its working time to the response (resolution).
                    let mut made = |w: Within, wall: Option<f64>, resolution: bool| match w {
                        Within::Seconds(t) => wall.is_some_and(|x| x <= t),
                        Within::Working(t) => work(resolution).is_some_and(|x| x <= t),
                        Within::Never => false,
                    };
                    let codes = (channel.get(i), complexity.get(i), priority, kind);
                    for ((_, counted, scope), c) in slas.iter().zip(&mut counts) {
                        if !scope.matches(codes.0, codes.1, codes.2, codes.3) {
                            continue;
                        }
                        match *counted {
                            Counted::Response(w) => {
                                c.den += u64::from(!short);
                                c.num += u64::from(is_answered && made(w, r, false));
                            }
                            Counted::ResolvedWithin(w) => {
                                c.den += 1;
                                c.num += u64::from(is_resolved && made(w, resolve, true));
                            }
                            Counted::Resolution { of_answered } => {
                                c.den += u64::from(!of_answered || is_answered);
                                c.num += u64::from(is_resolved && (!of_answered || is_answered));
                            }
                            Counted::Fcr => {
                                c.den += u64::from(is_answered);
                                c.num += u64::from(is_answered && fcr == Some(true));
                                c.fcr_known += u64::from(fcr.is_some());
                            }
                        }
                    }
                    if let Some(a) = agent.get(i) {
                        labels.add(a, || names.get(i), || teams.get(i));
                    }
                    let mut flags = 0u16;
                    for (yes, bit) in [
                        (is_answered, flag::ANSWERED),
                        (short, flag::SHORT_ABANDONED),
                        (is_resolved, flag::RESOLVED),
                        (fcr.is_some(), flag::FCR_KNOWN),
                        (fcr == Some(true), flag::FCR),
                        (kind == Some(Kind::Complaint as u32), flag::COMPLAINT),
                        (sl_hit, flag::SL_HIT),
                        (priority == Some(Priority::Urgent as u32), flag::URGENT),
                        (r.is_some(), flag::HAS_RESP),
                        (handle.is_some(), flag::HAS_HANDLE),
                        (resolve.is_some(), flag::HAS_RESOLVE),
                    ] {
                        if yes {
                            flags |= bit;
                        }
                    }
                    let (day, hour) = match local.at(a) {
                        Some((d, h)) => (
                            u32::try_from(d as i64 - first_day as i64)
                                .ok()
                                .filter(|&d| d < tally::NO_DAY)
                                .unwrap_or(tally::NO_DAY),
                            h,
                        ),
                        None => (tally::NO_DAY, 0),
                    };
                    if kind == Some(Kind::Consultation as u32) {
                        tallied.topics.add(topic.get(i));
                    } else if kind == Some(Kind::Complaint as u32) {
                        tallied.complaint_types.add(complaint_type.get(i));
                    }
                    tallied.add(
                        tally::Key::new(agent.get(i), ch, flags),
                        tally::Slot::new(day, hour, ch, flags),
                        r,
                        handle,
                        resolve,
                    );
                }
            }
            (tallied, labels, counts)
        })
        .collect();
    let mut kernel = Kernel {
        agent_labels: AgentLabels::new(),
        tallies: Vec::with_capacity(parts.len()),
        slas: vec![None; contract.slas.len()],
    };
    for (k, _, _) in &slas {
        kernel.slas[*k] = Some(SlaCounts::default());
    }
    for (tallied, labels, counts) in parts {
        // In run order (row order), so that an agent's first label is the first given.
        labels.fold_into(&mut kernel.agent_labels);
        kernel.tallies.push(tallied);
        for ((k, _, _), c) in slas.iter().zip(&counts) {
            if let Some(all) = kernel.slas[*k].as_mut() {
                all.add(c);
            }
        }
    }
    Ok((df, kernel))
}

/// The contacts an SLA's figure counts: its channel, complexity (a contact without one
/// is a standard one), priority (urgent for `urgent_response_within`) and kind, as the
/// kernel of [`enrich`] picks them from their category codes. `expr` is the same scope as
/// a Polars filter, which the tests hold the kernel's to.
struct Scope {
    channel: Option<Channel>,
    complexity: Option<crate::model::Complexity>,
    priorities: Vec<Priority>,
    kind: Option<Kind>,
}

impl Scope {
    fn of(sla: &crate::config::contract::Sla) -> Scope {
        let mut priorities: Vec<Priority> = sla.priority.into_iter().collect();
        if sla.metric == SlaMetric::UrgentResponseWithin {
            priorities.push(Priority::Urgent);
        }
        Scope {
            channel: sla.channel,
            complexity: sla.complexity,
            priorities,
            kind: sla.kind,
        }
    }

    /// The filter on the contacts frame.
    #[cfg(test)]
    fn expr(&self) -> Expr {
        let mut filter = lit(true);
        if let Some(c) = self.channel {
            filter = filter.and(col("channel").eq(lit(c.as_str())));
        }
        if let Some(c) = self.complexity {
            let mut is = col("complexity").eq(lit(c.as_str()));
            if c == crate::model::Complexity::Standard {
                is = is.or(col("complexity").is_null());
            }
            filter = filter.and(is);
        }
        for p in &self.priorities {
            filter = filter.and(col("priority").eq(lit(p.as_str())));
        }
        if let Some(k) = self.kind {
            filter = filter.and(col("kind").eq(lit(k.as_str())));
        }
        filter
    }

    /// Whether a contact is in scope, from its category codes (positions in the `ALL`
    /// lists; `None`: null, which no equality filter keeps).
    fn matches(
        &self,
        channel: Option<u32>,
        complexity: Option<u32>,
        priority: Option<u32>,
        kind: Option<u32>,
    ) -> bool {
        use crate::model::Complexity;
        self.channel.is_none_or(|c| channel == Some(c as u32))
            && self.complexity.is_none_or(|c| {
                complexity == Some(c as u32) || (c == Complexity::Standard && complexity.is_none())
            })
            && self.priorities.iter().all(|&p| priority == Some(p as u32))
            && self.kind.is_none_or(|k| kind == Some(k as u32))
    }
}

/// Rows `start..start + len` of a column as one array, for the kernel to read by row
/// index (`StaticArray::get`): iterating over the arrays of a column costs a flattening
/// step and a validity branch per value, several times more than an indexed read.
fn one_array<T: PolarsDataType>(ca: &ChunkedArray<T>, start: i64, len: usize) -> T::Array {
    ca.slice(start, len).rechunk().downcast_as_array().clone()
}

/// How many runs of consecutive chunks the enrich kernel splits the contacts into (a fixed
/// number, so that the tallies' sums are taken in the same order on any machine).
const KERNEL_RUNS: usize = 16;

/// Local day (days from the common era) and hour of instants.
struct LocalTime(crate::config::calendar::LocalClock);

impl LocalTime {
    fn new(tz: chrono_tz::Tz) -> Self {
        LocalTime(crate::config::calendar::LocalClock::new(tz))
    }

    /// Local day (`num_days_from_ce`) and hour of the instant `ms`.
    fn at(&mut self, ms: i64) -> Option<(i32, u32)> {
        /// `num_days_from_ce` of 1970-01-01.
        const EPOCH_CE: i64 = 719_163;
        let local = self.0.local_ms(ms)?;
        let days = local.div_euclid(86_400_000);
        let hour = (local.rem_euclid(86_400_000) / 3_600_000) as u32;
        Some((i32::try_from(days + EPOCH_CE).ok()?, hour))
    }
}

/// The weekday (0 = Monday) of a day given as `num_days_from_ce` (day 1, 0001-01-01, was a
/// Monday).
fn weekday(day_ce: i64) -> u32 {
    (day_ce - 1).rem_euclid(7) as u32
}

/// The non-null values of the float column `name` of `df` as `(group, value)` pairs, the
/// group being the contact's channel (its position in `Channel::ALL`) when `codes` holds
/// the channel codes, else 0: what [`percentile::quantiles`] streams.
fn grouped_values<'a>(
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
                let g = c
                    .as_ref()
                    .map_or(0, |c| c.get(i).unwrap_or(Channel::Other as u32) as usize);
                Some((g, x))
            })
        })
}

/// How many rows of the boolean column `name` hold: the flags are summed as they are
/// (casting them first would make a 64-bit copy of the column for every count).
fn count(name: &str) -> Expr {
    col(name).sum().cast(DataType::Int64)
}

/// Time between steps, logged at debug level (`-vv`).
struct Lap(std::time::Instant);

impl Lap {
    fn at(&mut self, step: &str) {
        tracing::debug!(
            seconds = self.0.elapsed().as_secs_f64(),
            peak_mb = peak_rss_mb(),
            "kpi: {step}"
        );
        self.0 = std::time::Instant::now();
    }
}

/// Typed access to one row of an aggregated frame.
struct Row<'a> {
    df: &'a DataFrame,
    i: usize,
}

impl Row<'_> {
    fn f(&self, name: &str) -> Option<f64> {
        self.df
            .column(name)
            .ok()?
            .get(self.i)
            .ok()?
            .extract::<f64>()
    }
    fn u(&self, name: &str) -> u64 {
        self.f(name).unwrap_or(0.0) as u64
    }
    fn s(&self, name: &str) -> Option<String> {
        let v = self.df.column(name).ok()?.get(self.i).ok()?;
        // Text, enum and categorical values alike.
        v.get_str().map(|s| s.to_string())
    }
}

/// Satisfaction responses of the period, each with the channel/agent/topic of its contact.
fn responses(
    all_contacts: &DataFrame,
    period_contacts: &DataFrame,
    surveys: &DataFrame,
    bounds: (i64, i64),
) -> Result<(DataFrame, u64)> {
    let (a, b) = bounds;
    // Each response's contact, by the row the normalize stage linked it to.
    let rows = surveys.column(crate::normalize::CONTACT_ROW)?.u32()?;
    let linked = all_contacts
        .select(["channel", "agent_id", "topic", "arrived_ms"])?
        .take(rows)?;
    let mut joined = surveys.select(["score", "nps", "responded_ms"])?;
    for c in linked.columns() {
        joined.with_column(c.clone())?;
    }
    let from_surveys = joined
        .lazy()
        .with_column(coalesce(&[col("responded_ms"), col("arrived_ms")]).alias("when_ms"))
        // No time at all: attributed to the period being evaluated.
        .filter(
            col("when_ms")
                .is_null()
                .or(col("when_ms").gt_eq(lit(a)).and(col("when_ms").lt(lit(b)))),
        )
        .select([
            col("score"),
            col("nps"),
            col("channel"),
            col("agent_id"),
            col("topic"),
        ])
        .collect()?;
    let out_of_period = (surveys.height() - from_surveys.height()) as u64;
    let inline = period_contacts
        .clone()
        .lazy()
        .filter(
            col("satisfaction")
                .is_not_null()
                .and(col("has_survey").not()),
        )
        .select([
            col("satisfaction").alias("score"),
            lit(NULL).cast(DataType::Float64).alias("nps"),
            col("channel"),
            col("agent_id"),
            col("topic"),
        ]);
    Ok((
        concat([from_surveys.lazy(), inline], UnionArgs::default())?.collect()?,
        out_of_period,
    ))
}

struct Csat {
    mean: Option<f64>,
    n: u64,
}

fn csat_by(resp: &DataFrame, key: &str) -> Result<BTreeMap<String, Csat>> {
    let g = resp
        .clone()
        .lazy()
        .filter(col(key).is_not_null())
        .group_by([col(key)])
        .agg([
            col("score").mean().alias("mean"),
            len().cast(DataType::Int64).alias("n"),
        ])
        .collect()?;
    let mut m = BTreeMap::new();
    for i in 0..g.height() {
        let r = Row { df: &g, i };
        if let Some(k) = r.s(key) {
            m.insert(
                k,
                Csat {
                    mean: r.f("mean"),
                    n: r.u("n"),
                },
            );
        }
    }
    Ok(m)
}

/// The labels counted (`text` gives their text) with their counts and shares, by count
/// descending, then label (a missing one last).
fn ranked_counts(
    counts: &tally::LabelCounts,
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

/// Compute every KPI for the period.
pub fn compute(
    contacts: &DataFrame,
    surveys: &DataFrame,
    qa: Option<QaInput>,
    contract: &Contract,
    calendar: Option<&Calendar>,
    period: Period,
) -> Result<Kpis> {
    let tz = contract.tz();
    let (a, b) = period.bounds_ms(tz);
    let in_period = col("arrived_ms")
        .gt_eq(lit(a))
        .and(col("arrived_ms").lt(lit(b)));
    let mut lap = Lap(std::time::Instant::now());
    // Most runs are one month of one month's exports: then nothing is filtered (or copied).
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
    lap.at("period filter");
    let first_day = LocalTime::new(tz).at(a).map_or(0, |(day, _)| day);
    let (df, kernel) = enrich(period_df, contract, calendar, first_day)?;
    let Kernel {
        agent_labels,
        tallies: chunk_tallies,
        slas: sla_counts,
    } = kernel;
    lap.at("enrich");
    let (resp, survey_out_of_period) = responses(contacts, &df, surveys, (a, b))?;
    lap.at("responses");
    let top = contract.survey.top_box_min();

    // Every additive figure of the overall, channel, agent and day breakdowns.
    let tallies = tally::fold(
        chunk_tallies,
        |c| contract.service_level_threshold(c).is_some(),
        // Day number 0 is `first_day`.
        |d| weekday(first_day as i64 + d as i64),
    );
    lap.at("tallies");
    // Overall.
    let o = &tallies.overall;
    // Percentiles are not additive: each from its own values, streamed twice (see
    // `percentile`). The time to resolution and the channels' response times at once.
    let (resolve_s, resp_s) = (df.column("resolve_s")?.f64()?, df.column("resp_s")?.f64()?);
    let channel_codes = df.column("channel")?.cat32()?.physical();
    let (ttr, by_channel) = rayon::join(
        || percentile::quantiles(1, &[0.5], || grouped_values(resolve_s, None)),
        || {
            percentile::quantiles(Channel::ALL.len(), &[0.5, 0.9], || {
                grouped_values(resp_s, Some(channel_codes))
            })
        },
    );
    let ttr_p50 = ttr[0][0];
    let s = resp
        .clone()
        .lazy()
        .select([
            col("score").mean().alias("mean"),
            len().cast(DataType::Int64).alias("n"),
            col("score")
                .gt_eq(lit(top))
                .sum()
                .cast(DataType::Int64)
                .alias("top"),
            col("nps")
                .is_not_null()
                .sum()
                .cast(DataType::Int64)
                .alias("nps_n"),
            col("nps")
                .gt_eq(lit(9.0))
                .sum()
                .cast(DataType::Int64)
                .alias("promoters"),
            col("nps")
                .lt_eq(lit(6.0))
                .sum()
                .cast(DataType::Int64)
                .alias("detractors"),
        ])
        .collect()?;
    let sr = Row { df: &s, i: 0 };
    let contacts_n = o.contacts;
    let answered = o.answered as f64;
    let short = o.short_abandoned as f64;
    let csat_n = sr.u("n");
    let nps_n = sr.u("nps_n") as f64;
    let overall = Overall {
        contacts: contacts_n,
        answered: o.answered,
        abandoned: o.abandoned,
        short_abandoned: o.short_abandoned,
        unanswered: o.unanswered,
        resolved: o.resolved,
        resolution_rate: ratio(o.resolved_answered as f64, answered),
        fcr_rate: if o.fcr_known > 0 {
            ratio(o.fcr_answered as f64, answered)
        } else {
            None
        },
        // Over the real-time channels only: email is never abandoned.
        abandon_rate: ratio(o.abandoned as f64 - short, o.realtime as f64 - short),
        // ASA across channels only makes sense for the real-time ones (phone, chat).
        asa_seconds: o.resp_rt.get(),
        aht_seconds: o.handle.get(),
        csat_mean: if csat_n > 0 { sr.f("mean") } else { None },
        csat_top_box_rate: ratio(sr.u("top") as f64, csat_n as f64),
        csat_responses: csat_n,
        csat_response_rate: ratio(csat_n as f64, answered),
        nps: if nps_n > 0.0 {
            Some(100.0 * (sr.u("promoters") as f64 - sr.u("detractors") as f64) / nps_n)
        } else {
            None
        },
        complaints: o.complaints,
        complaint_rate: ratio(o.complaints as f64, contacts_n as f64),
        resolution_time_mean_seconds: o.resolve.get(),
        resolution_time_p50_seconds: ttr_p50,
    };

    lap.at("overall");
    // Channels.
    let csat_ch = csat_by(&resp, "channel")?;
    let channel_percentiles: BTreeMap<Channel, (Option<f64>, Option<f64>)> = Channel::ALL
        .iter()
        .zip(&by_channel)
        .map(|(&c, q)| (c, (q[0], q[1])))
        .collect();
    let mut channels = BTreeMap::new();
    for (&ch, t) in &tallies.channels {
        let name = ch.as_str().to_string();
        let n = t.contacts as f64;
        let ans = t.answered as f64;
        let short = t.short_abandoned as f64;
        let threshold = contract.service_level_threshold(ch);
        let cs = csat_ch.get(&name);
        let (p50, p90) = channel_percentiles
            .get(&ch)
            .copied()
            .unwrap_or((None, None));
        let m = ChannelMetrics {
            contacts: t.contacts,
            answered: t.answered,
            abandoned: ch.is_realtime().then_some(t.abandoned),
            short_abandoned: ch.is_realtime().then_some(t.short_abandoned),
            unanswered: (!ch.is_realtime()).then_some(t.unanswered),
            service_level: threshold.and_then(|_| ratio(t.sl_hit as f64, t.sl_base as f64)),
            service_level_threshold_seconds: threshold,
            asa_seconds: t.resp.get(),
            abandon_rate: if ch.is_realtime() {
                ratio(t.abandoned as f64 - short, n - short)
            } else {
                None
            },
            response_p50_seconds: p50,
            response_p90_seconds: p90,
            aht_seconds: t.handle.get(),
            resolved: t.resolved,
            resolution_rate: ratio(t.resolved_answered as f64, ans),
            fcr_rate: if t.fcr_known > 0 {
                ratio(t.fcr_answered as f64, ans)
            } else {
                None
            },
            csat_mean: cs.and_then(|c| c.mean),
            csat_responses: cs.map(|c| c.n).unwrap_or(0),
            complaints: t.complaints,
        };
        channels.insert(name, m);
    }

    lap.at("channels");
    // The text of a categorical column's ids.
    let text_of = |column: &str| -> Result<Arc<CategoricalMapping>> {
        Ok(df.column(column)?.dtype().cat_mapping()?.clone())
    };
    // Hotspots and complaint types.
    let topics = ranked_counts(&tallies.topics, &*text_of("topic")?)
        .into_iter()
        .map(|(topic, contacts, share)| TopicRow {
            topic,
            contacts,
            share,
            previous_contacts: None,
        })
        .collect();
    let complaint_types = ranked_counts(&tallies.complaint_types, &*text_of("complaint_type")?)
        .into_iter()
        .map(|(complaint_type, complaints, share)| ComplaintRow {
            complaint_type,
            complaints,
            share,
            previous_complaints: None,
        })
        .collect();

    lap.at("topics");
    // Agents.
    let csat_ag = csat_by(&resp, "agent_id")?;
    // Names and teams (each agent's first given, gathered by the enrich kernel): the figures
    // come from the tallies.
    let (id_text, name_text, team_text) = (
        text_of("agent_id")?,
        text_of("agent_name")?,
        text_of("team")?,
    );
    let label = |text: &CategoricalMapping, id: Option<u32>| {
        id.and_then(|id| text.cat_to_str(id)).map(str::to_string)
    };
    let mut agents: Vec<AgentRow> = agent_labels
        .iter()
        .filter_map(|(&a, &(name, team))| {
            let id = label(&id_text, Some(a))?;
            let t = tallies.agents.get(&a)?;
            let cs = csat_ag.get(&id);
            Some(AgentRow {
                agent_name: label(&name_text, name),
                team: label(&team_text, team),
                contacts: t.contacts,
                answered: t.answered,
                resolved: t.resolved,
                resolution_rate: ratio(t.resolved_answered as f64, t.answered as f64),
                asa_seconds: t.resp_rt.get(),
                aht_seconds: t.handle.get(),
                csat_mean: cs.and_then(|c| c.mean),
                csat_responses: cs.map(|c| c.n).unwrap_or(0),
                agent_id: id,
            })
        })
        .collect();
    agents.sort_by(|x, y| x.agent_id.cmp(&y.agent_id));

    lap.at("agents");
    // Days and hours.
    let mut days: Vec<DayRow> = tallies
        .days
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
        .collect();
    let peaks = schedule::peaks(&mut days, calendar, &contract.peaks);
    let hours = tallies
        .hours
        .iter()
        .map(|(&(weekday, hour), t)| HourRow {
            weekday,
            hour,
            contacts: t.contacts,
            abandoned: t.abandoned,
        })
        .collect();
    let g = resp
        .clone()
        .lazy()
        .group_by([col("score")])
        .agg([len().cast(DataType::Int64).alias("n")])
        .sort(["score"], SortMultipleOptions::default())
        .collect()?;
    let scores = (0..g.height())
        .map(|i| {
            let r = Row { df: &g, i };
            ScoreRow {
                score: r.f("score").unwrap_or(0.0),
                responses: r.u("n"),
            }
        })
        .collect();

    lap.at("days and hours");
    let orders = schedule::orders(&df)?;
    let urgent = schedule::urgent(&df)?;
    let qa_df = qa
        .map(|q| quality::period_inspections(q, contacts, (a, b)))
        .transpose()?;
    let quality = match (&qa_df, qa) {
        (Some(d), Some(q)) => Some(quality::quality(d, q.criteria)?),
        _ => None,
    };
    lap.at("orders, urgent, quality");
    // The SLAs over contacts were counted by the kernel; the others are a filter and a sum
    // over the responses or the inspections.
    let sla = contract
        .slas
        .iter()
        .zip(&sla_counts)
        .map(|(s, counts)| match s.metric {
            SlaMetric::QaPassRate => quality::measure(qa_df.as_ref(), s),
            _ => measure(&resp, s, *counts, contract),
        })
        .collect::<Result<Vec<_>>>()?;

    lap.at("SLAs");
    Ok(Kpis {
        overall,
        channels,
        topics,
        complaint_types,
        agents,
        days,
        hours,
        scores,
        sla,
        orders,
        urgent,
        peaks,
        quality,
        out_of_period,
        survey_in_period: csat_n,
        survey_out_of_period,
    })
}

/// Numerator and denominator of one SLA: from the kernel's `counts` for an SLA over
/// contacts (see [`Counted`]), from the responses for satisfaction.
fn measure(
    resp: &DataFrame,
    sla: &crate::config::contract::Sla,
    counts: Option<SlaCounts>,
    contract: &Contract,
) -> Result<Measurement> {
    match sla.metric {
        // Measured by `quality::measure` over the inspections; never over contacts.
        SlaMetric::QaPassRate => return quality::measure(None, sla),
        SlaMetric::CsatMean | SlaMetric::CsatTopBoxRate => {
            // Responses, filtered by the linked contact's channel.
            let mut f = lit(true);
            if let Some(c) = sla.channel {
                f = f.and(col("channel").eq(lit(c.as_str())));
            }
            let top = contract.survey.top_box_min();
            let num = if sla.metric == SlaMetric::CsatMean {
                col("score").sum()
            } else {
                col("score").gt_eq(lit(top)).sum().cast(DataType::Int64)
            };
            let g = resp
                .clone()
                .lazy()
                .filter(f)
                .select([
                    num.cast(DataType::Float64).alias("num"),
                    len().cast(DataType::Float64).alias("den"),
                ])
                .collect()?;
            let r = Row { df: &g, i: 0 };
            let (n, d) = (r.f("num").unwrap_or(0.0), r.f("den").unwrap_or(0.0));
            return Ok(Measurement {
                numerator: n,
                denominator: d,
                actual: ratio(n, d),
                why_missing: (d == 0.0).then_some("no satisfaction responses"),
            });
        }
        _ => {}
    }
    let c = counts.unwrap_or_default();
    let (n, d) = (c.num as f64, c.den as f64);
    if sla.metric == SlaMetric::FcrRate && c.fcr_known == 0 {
        return Ok(Measurement {
            numerator: 0.0,
            denominator: d,
            actual: None,
            why_missing: Some("the inputs have no first_contact_resolved column"),
        });
    }
    Ok(Measurement {
        numerator: n,
        denominator: d,
        actual: ratio(n, d),
        why_missing: (d == 0.0).then_some("no contacts in scope"),
    })
}

#[cfg(test)]
mod tests {
    //! One test per KPI on a few hand-made contacts; the expected values are worked out in
    //! the comments.
    use super::*;

    proptest::proptest! {
        /// Chunk by chunk, in a table or a map, an agent's labels are the first given in row
        /// order.
        #[test]
        fn agent_labels_are_the_first_given(
            rows in proptest::collection::vec((0u32..6, proptest::option::of(0u32..3), proptest::option::of(0u32..3)), 0..60),
            cut in 1usize..10,
        ) {
            let mut want = super::AgentLabels::new();
            for &(a, n, t) in &rows {
                let e = want.entry(a).or_default();
                e.0 = e.0.or(n);
                e.1 = e.1.or(t);
            }
            for agents in [6, 1 << 13] {
                let mut got = super::AgentLabels::new();
                for chunk in rows.chunks(cut) {
                    let mut labels = super::ChunkLabels::new(agents);
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
        let mut is = crate::normalize::InspectionSink::new(chrono_tz::Asia::Shanghai, &c.quality);
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
        let mut cs = ContactSink::new(tz, &cfg);
        feed_csv(&mut cs, contacts);
        assert!(
            cs.ledger.rejections().is_empty(),
            "{:?}",
            cs.ledger.rejections()
        );
        let (df, _, _) = cs.into_frame().unwrap();
        let (sv, _, _) = ss.into_frame().unwrap();
        let (df, sv) = crate::normalize::link_surveys(df, sv).unwrap();
        compute(
            &df,
            &sv,
            qa,
            c,
            cal,
            Period::parse_month("2026-10").unwrap(),
        )
        .unwrap()
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
        let cfg = SurveyCfg::default();
        let mut cs = ContactSink::new(chrono_tz::Asia::Shanghai, &cfg);
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
            let kept = df.clone().lazy().filter(scope.expr()).collect().unwrap();
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
        assert!(k.sla[0].why_missing.unwrap().contains("--inspections"));
    }
}
