//! The enrich kernel: one pass over every contact, chunk by chunk of the frame on the thread
//! pool, that works out what Polars cannot express (working time on the business calendar,
//! local day and hour) and, riding on the same loop, the tallies by key and day slot, topic
//! and complaint-type counts, agents' first labels and every SLA's counts over contacts.

use super::tally::{flag, ChunkTally, Key, Slot, NO_DAY};
use super::Scope;
use crate::config::calendar::WorkClock;
use crate::config::contract::{Denominator, SlaMetric, Threshold};
use crate::config::{Calendar, Contract};
use crate::error::Result;
use crate::model::{Channel, Kind, Priority};
use polars::prelude::*;
use std::collections::BTreeMap;

/// By agent category id: the category ids of the agent's first name and first team given
/// (in row order), which the enrich kernel picks up on its way through the contacts.
pub(super) type AgentLabels = BTreeMap<u32, (Option<u32>, Option<u32>)>;

/// One chunk's [`AgentLabels`]: by agent category id in a table when the agents are few,
/// else in a map.
pub(super) enum ChunkLabels {
    Table(Vec<(Option<u32>, Option<u32>, bool)>),
    Map(crate::util::FastMap<u32, (Option<u32>, Option<u32>)>),
}

impl ChunkLabels {
    pub(super) fn new(agents: usize) -> Self {
        if agents <= 1 << 12 {
            ChunkLabels::Table(vec![(None, None, false); agents])
        } else {
            ChunkLabels::Map(Default::default())
        }
    }

    /// Contact of agent `a` with the name and team category ids `name` and `team`.
    #[inline]
    pub(super) fn add(
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
    pub(super) fn fold_into(self, all: &mut AgentLabels) {
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
pub(super) struct Kernel {
    pub(super) agent_labels: AgentLabels,
    /// One per run of chunks, in row order (see [`super::tally::fold`]).
    pub(super) tallies: Vec<super::tally::ChunkTally>,
    /// By the contract's SLA index: the counts of an SLA over contacts (`None` for the
    /// others: satisfaction, quality inspections).
    pub(super) slas: Vec<Option<SlaCounts>>,
    /// By the contract's SLA index: the rows (of the enriched frame) in an SLA's
    /// denominator but not its numerator, in row order (`den − num` of them), with the time
    /// held against its threshold (wall-clock or working seconds; NaN: none, such as a
    /// contact never answered).
    pub(super) missed: Vec<Vec<(u32, f64)>>,
    /// By the contract's SLA index: where its contacts and misses are.
    pub(super) spreads: Vec<Spread>,
    /// Contacts resolved but never answered, and answered with a handling time of zero.
    pub(super) resolved_unanswered: u64,
    pub(super) answered_zero_handle: u64,
}

/// How an SLA over contacts counts a contact in its scope.
#[derive(Debug, Clone, Copy)]
pub(super) enum Counted {
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
pub(super) enum Within {
    /// Wall-clock seconds.
    Seconds(f64),
    /// Working seconds on the business calendar (wall-clock seconds without one).
    Working(f64),
    /// No threshold: no contact makes it.
    Never,
}

impl Counted {
    /// How SLA `sla` counts contacts; `None` when it is not measured over contacts.
    pub(super) fn of(sla: &crate::config::contract::Sla) -> Option<Counted> {
        let within = match sla.threshold {
            None => Within::Never,
            Some(Threshold::Seconds(t)) => Within::Seconds(t),
            Some(t) => t.working_seconds().map_or(Within::Never, Within::Working),
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
            SlaMetric::CsatMean
            | SlaMetric::CsatTopBoxRate
            | SlaMetric::QaPassRate
            | SlaMetric::RepeatFcrRate
            | SlaMetric::RepeatContactRate
            | SlaMetric::RepeatWithinRate
            | SlaMetric::CallbackRate
            | SlaMetric::CallbackMeanSeconds
            | SlaMetric::TrueAbandonRate => return None,
        })
    }

    pub(super) fn working(self) -> bool {
        matches!(
            self,
            Counted::Response(Within::Working(_)) | Counted::ResolvedWithin(Within::Working(_))
        )
    }
}

/// Where an SLA's contacts (in its denominator) and its misses are: by channel (position
/// in the run's table) and by local hour of arrival, each as (contacts, misses).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub channel: Vec<(u64, u64)>,
    pub hour: [(u64, u64); 24],
}

impl Default for Spread {
    fn default() -> Self {
        Spread {
            channel: vec![(0, 0); Channel::MAX],
            hour: [(0, 0); 24],
        }
    }
}

impl Spread {
    fn add(&mut self, channel: u32, hour: Option<u32>, missed: bool) {
        let count = |x: &mut (u64, u64)| {
            x.0 += 1;
            x.1 += u64::from(missed);
        };
        if let Some(x) = self.channel.get_mut(channel as usize) {
            count(x);
        }
        if let Some(x) = hour.and_then(|h| self.hour.get_mut(h as usize)) {
            count(x);
        }
    }

    fn merge(&mut self, other: &Spread) {
        let pairs = self.channel.iter_mut().zip(&other.channel);
        for (a, b) in pairs.chain(self.hour.iter_mut().zip(&other.hour)) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }
}

/// An SLA's figure over the contacts in its scope: its numerator and denominator, and how
/// many of the contacts say whether they were resolved at first contact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct SlaCounts {
    pub(super) num: u64,
    pub(super) den: u64,
    pub(super) fcr_known: u64,
}

impl SlaCounts {
    pub(super) fn add(&mut self, other: &SlaCounts) {
        self.num += other.num;
        self.den += other.den;
        self.fcr_known += other.fcr_known;
    }
}

/// Add the per-contact columns every KPI uses; tally the contacts, pick up each agent's
/// name and team and count every SLA over contacts (see [`Kernel`]). `contacts` must
/// already be in the period.
pub(super) fn enrich(
    contacts: DataFrame,
    contract: &Contract,
    calendar: Option<&Calendar>,
    first_day: i32,
) -> Result<(DataFrame, Kernel)> {
    let t = std::time::Instant::now();
    let df = super::derived::derived_columns(contacts)?;
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
    let cols = Columns::of(&df)?;
    let setup = Setup::of(contract, calendar, first_day, &df)?;
    // The chunks in a fixed number of runs of consecutive chunks, one task each: a run's
    // contacts are tallied together, so that a few thousand groups per run are left to fold
    // (a chunk's ten thousand contacts would leave nearly as many groups as the run's).
    let chunks = crate::util::chunk_ranges(&cols.arrived);
    let parts: Vec<Run> = chunks
        .par_chunks(chunks.len().div_ceil(KERNEL_RUNS).max(1))
        .map(|run| {
            let mut state = Run::new(&setup);
            for &(start, len) in run {
                let arrays = cols.chunk(start as i64, len);
                state.base = start as u32;
                for i in 0..len {
                    state.contact(&setup, &arrays, i);
                }
            }
            state
        })
        .collect();
    Ok((df, fold_runs(parts, &setup, contract.slas.len())))
}

type U32s = <UInt32Type as PolarsDataType>::Array;
type I64s = <Int64Type as PolarsDataType>::Array;
type F64s = <Float64Type as PolarsDataType>::Array;
type Flags = <BooleanType as PolarsDataType>::Array;

/// The columns the kernel reads; category columns as their ids (the vocabularies' ids are
/// the positions in their `ALL` lists).
struct Columns {
    channel: UInt32Chunked,
    agent: UInt32Chunked,
    kind: UInt32Chunked,
    priority: UInt32Chunked,
    complexity: UInt32Chunked,
    names: UInt32Chunked,
    teams: UInt32Chunked,
    topic: UInt32Chunked,
    complaint_type: UInt32Chunked,
    arrived: Int64Chunked,
    resolved_ms: Int64Chunked,
    resp: Float64Chunked,
    wait: Float64Chunked,
    handle: Float64Chunked,
    resolve: Float64Chunked,
    answered: BooleanChunked,
    resolved: BooleanChunked,
    fcr: BooleanChunked,
}

/// One chunk of each of the [`Columns`], as one array each (see [`one_array`]).
struct Arrays {
    channel: U32s,
    agent: U32s,
    kind: U32s,
    priority: U32s,
    complexity: U32s,
    names: U32s,
    teams: U32s,
    topic: U32s,
    complaint_type: U32s,
    arrived: I64s,
    resolved_ms: I64s,
    resp: F64s,
    wait: F64s,
    handle: F64s,
    resolve: F64s,
    answered: Flags,
    resolved: Flags,
    fcr: Flags,
}

impl Columns {
    fn of(df: &DataFrame) -> Result<Columns> {
        let codes = |name: &str| -> Result<UInt32Chunked> {
            Ok(df.column(name)?.cat32()?.physical().clone())
        };
        let floats = |name: &str| -> Result<Float64Chunked> { Ok(df.column(name)?.f64()?.clone()) };
        let flags = |name: &str| -> Result<BooleanChunked> { Ok(df.column(name)?.bool()?.clone()) };
        Ok(Columns {
            channel: codes("channel")?,
            agent: codes("agent_id")?,
            kind: codes("kind")?,
            priority: codes("priority")?,
            complexity: codes("complexity")?,
            names: codes("agent_name")?,
            teams: codes("team")?,
            topic: codes("topic")?,
            complaint_type: codes("complaint_type")?,
            arrived: df.column("arrived_ms")?.i64()?.clone(),
            resolved_ms: df.column("resolved_ms")?.i64()?.clone(),
            resp: floats("resp_s")?,
            wait: floats("wait_s")?,
            handle: floats("handle_s")?,
            resolve: floats("resolve_s")?,
            answered: flags("answered")?,
            resolved: flags("resolved")?,
            fcr: flags("fcr")?,
        })
    }

    fn chunk(&self, s: i64, len: usize) -> Arrays {
        Arrays {
            channel: one_array(&self.channel, s, len),
            agent: one_array(&self.agent, s, len),
            kind: one_array(&self.kind, s, len),
            priority: one_array(&self.priority, s, len),
            complexity: one_array(&self.complexity, s, len),
            names: one_array(&self.names, s, len),
            teams: one_array(&self.teams, s, len),
            topic: one_array(&self.topic, s, len),
            complaint_type: one_array(&self.complaint_type, s, len),
            arrived: one_array(&self.arrived, s, len),
            resolved_ms: one_array(&self.resolved_ms, s, len),
            resp: one_array(&self.resp, s, len),
            wait: one_array(&self.wait, s, len),
            handle: one_array(&self.handle, s, len),
            resolve: one_array(&self.resolve, s, len),
            answered: one_array(&self.answered, s, len),
            resolved: one_array(&self.resolved, s, len),
            fcr: one_array(&self.fcr, s, len),
        }
    }
}

/// What every run of the kernel shares: thresholds, the SLAs over contacts, the calendar.
struct Setup<'c> {
    /// By channel code: short-abandon and service-level thresholds, and whether the
    /// channel is real-time.
    thresholds: Vec<(f64, Option<f64>, bool)>,
    /// The SLAs over contacts, by their index in the contract.
    slas: Vec<(usize, Counted, Scope)>,
    /// The calendar, when an SLA counts in working time.
    calendar: Option<&'c Calendar>,
    tz: chrono_tz::Tz,
    first_day: i32,
    /// `[contract] day_start` in ms: a contact's business day is the local date of its
    /// arrival this long before.
    day_shift: i64,
    topic_ids: usize,
    complaint_type_ids: usize,
    agents: usize,
}

impl<'c> Setup<'c> {
    fn of(
        contract: &Contract,
        calendar: Option<&'c Calendar>,
        first_day: i32,
        df: &DataFrame,
    ) -> Result<Setup<'c>> {
        let ids = |name: &str| -> Result<usize> {
            Ok(df
                .column(name)?
                .dtype()
                .cat_mapping()?
                .num_cats_upper_bound())
        };
        let slas: Vec<(usize, Counted, Scope)> = contract
            .slas
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, Counted::of(s)?, Scope::of(s))))
            .collect();
        let working = slas.iter().any(|(_, c, _)| c.working());
        Ok(Setup {
            thresholds: contract
                .channels
                .all()
                .map(|c| {
                    (
                        contract.short_abandon_seconds(c),
                        contract.service_level_threshold(c),
                        contract.channels.is_realtime(c),
                    )
                })
                .collect(),
            slas,
            calendar: calendar.filter(|_| working),
            tz: contract.tz(),
            first_day,
            day_shift: contract.day_start_ms(),
            topic_ids: ids("topic")?,
            complaint_type_ids: ids("complaint_type")?,
            agents: ids("agent_id")?,
        })
    }
}

/// What one run of chunks gathers.
struct Run<'c> {
    tallied: ChunkTally,
    labels: ChunkLabels,
    counts: Vec<SlaCounts>,
    /// By SLA (as `counts`): the rows in its denominator but not its numerator, with the
    /// time held against its threshold (NaN: none).
    missed: Vec<Vec<(u32, f64)>>,
    /// The row of the chunk being read that is its first.
    base: u32,
    /// By SLA (as `counts`): where its contacts and its misses are.
    spreads: Vec<Spread>,
    local: LocalTime,
    /// Local time `day_shift` earlier: the business day (a cache of its own).
    business: LocalTime,
    clock: Option<WorkClock<'c>>,
    resolved_unanswered: u64,
    answered_zero_handle: u64,
}

impl<'c> Run<'c> {
    fn new(setup: &Setup<'c>) -> Self {
        Run {
            tallied: ChunkTally::new(setup.topic_ids, setup.complaint_type_ids),
            labels: ChunkLabels::new(setup.agents),
            counts: vec![SlaCounts::default(); setup.slas.len()],
            missed: vec![Vec::new(); setup.slas.len()],
            base: 0,
            spreads: vec![Spread::default(); setup.slas.len()],
            local: LocalTime::new(setup.tz),
            business: LocalTime::new(setup.tz),
            clock: setup.calendar.map(Calendar::clock),
            resolved_unanswered: 0,
            answered_zero_handle: 0,
        }
    }

    /// Tally contact `i` of a chunk, pick up its agent's labels and count it in the SLAs
    /// in whose scope it is.
    #[inline]
    fn contact(&mut self, setup: &Setup<'_>, x: &Arrays, i: usize) {
        let ch = x.channel.get(i).unwrap_or(Channel::OTHER.index() as u32);
        let (sa, sl, realtime) = setup
            .thresholds
            .get(ch as usize)
            .map_or((0.0, None, false), |&t| t);
        let r = x.resp.get(i);
        let a = x.arrived.get(i).unwrap_or(0);
        let resolved_at = x.resolved_ms.get(i);
        let wait = x.wait.get(i);
        let is_answered = x.answered.get(i) == Some(true);
        let is_resolved = x.resolved.get(i) == Some(true);
        let waited = || super::waited(wait, a, resolved_at);
        let is_abandoned = realtime && !is_answered;
        let short = is_abandoned && waited().is_some_and(|w| w < sa);
        let sl_hit = is_answered && matches!((r, sl), (Some(r), Some(t)) if r <= t);
        let (kind, priority) = (x.kind.get(i), x.priority.get(i));
        let fcr = x.fcr.get(i);
        let (handle, resolve) = (x.handle.get(i), x.resolve.get(i));
        self.resolved_unanswered += u64::from(is_resolved && !is_answered);
        self.answered_zero_handle += u64::from(is_answered && handle == Some(0.0));
        let local = match setup.day_shift {
            0 => self.local.at(a),
            s => self
                .business
                .at(a - s)
                .zip(self.local.at(a))
                .map(|(d, c)| (d.0, c.1)),
        };
        let (day, hour) = match local {
            Some((d, h)) => (
                u32::try_from(d as i64 - setup.first_day as i64)
                    .ok()
                    .filter(|&d| d < NO_DAY)
                    .unwrap_or(NO_DAY),
                h,
            ),
            None => (NO_DAY, 0),
        };
        // Working time is `cum(b) - cum(a)` on the calendar, else wall-clock time; each
        // worked out at most once, and only for a contact in the scope of an SLA that
        // counts in it.
        let clock = &mut self.clock;
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
                *resp_work.get_or_insert_with(|| r.map(|r| work(a + (r * 1000.0).round() as i64)))
            }
        };
        // The time a threshold is held against (`wall`, the wall-clock seconds, or the
        // working time to the response or resolution), and whether the contact made it.
        let mut measured = |w: Within, wall: Option<f64>, resolution: bool| match w {
            Within::Seconds(t) => (wall, wall.is_some_and(|x| x <= t)),
            Within::Working(t) => {
                let x = work(resolution);
                (x, x.is_some_and(|x| x <= t))
            }
            Within::Never => (None, false),
        };
        let codes = (x.channel.get(i), x.complexity.get(i), priority, kind);
        let row = self.base + i as u32;
        let slas = setup
            .slas
            .iter()
            .zip(&mut self.counts)
            .zip(&mut self.missed)
            .zip(&mut self.spreads);
        for ((((_, counted, scope), c), missed), spread) in slas {
            if !scope.matches(codes.0, codes.1, codes.2, codes.3) {
                continue;
            }
            // Whether the contact is in the figure's denominator, and in its numerator, and
            // the time held against the threshold.
            let (counts, hit, time) = match *counted {
                Counted::Response(w) => {
                    let (time, made) = measured(w, r, false);
                    (!short, is_answered && made, time.filter(|_| is_answered))
                }
                Counted::ResolvedWithin(w) => {
                    let (time, made) = measured(w, resolve, true);
                    (true, is_resolved && made, time.filter(|_| is_resolved))
                }
                Counted::Resolution { of_answered } => {
                    let counts = !of_answered || is_answered;
                    (counts, is_resolved && counts, None)
                }
                Counted::Fcr => {
                    c.fcr_known += u64::from(fcr.is_some());
                    (is_answered, is_answered && fcr == Some(true), None)
                }
            };
            c.den += u64::from(counts);
            c.num += u64::from(hit);
            if counts && !hit {
                missed.push((row, time.unwrap_or(f64::NAN)));
            }
            if counts {
                spread.add(ch, (day != NO_DAY).then_some(hour), !hit);
            }
        }
        if let Some(a) = x.agent.get(i) {
            self.labels.add(a, || x.names.get(i), || x.teams.get(i));
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
        if kind == Some(Kind::Consultation as u32) {
            self.tallied.topics.add(x.topic.get(i));
        } else if kind == Some(Kind::Complaint as u32) {
            self.tallied.complaint_types.add(x.complaint_type.get(i));
        } else if kind == Some(Kind::Order as u32) {
            // `resolve_s` is null unless the contact was resolved.
            (self.tallied).add_order(x.topic.get(i), is_resolved, handle, resolve);
        }
        if let Some(r) = r.filter(|_| flags & flag::URGENT != 0) {
            self.tallied.urgent_resp.push(r);
        }
        self.tallied.add(
            Key::new(x.agent.get(i), ch, flags),
            Slot::new(day, hour, ch, flags),
            r,
            handle,
            resolve,
        );
    }
}

/// The runs' results, in run order (row order, so that an agent's first label is the
/// first given), as one [`Kernel`] for a contract of `n_slas` SLAs.
fn fold_runs(runs: Vec<Run<'_>>, setup: &Setup<'_>, n_slas: usize) -> Kernel {
    let mut kernel = Kernel {
        agent_labels: AgentLabels::new(),
        tallies: Vec::with_capacity(runs.len()),
        slas: vec![None; n_slas],
        missed: vec![Vec::new(); n_slas],
        spreads: vec![Spread::default(); n_slas],
        resolved_unanswered: 0,
        answered_zero_handle: 0,
    };
    for (k, _, _) in &setup.slas {
        kernel.slas[*k] = Some(SlaCounts::default());
    }
    // Each SLA's missed rows in one allocation of the runs' total (3 M rows at 10 M
    // contacts: grown run by run, the vector would be copied into fresh memory as it grows).
    for (j, (k, _, _)) in setup.slas.iter().enumerate() {
        kernel.missed[*k].reserve_exact(runs.iter().map(|r| r.missed[j].len()).sum());
    }
    for run in runs {
        run.labels.fold_into(&mut kernel.agent_labels);
        kernel.resolved_unanswered += run.resolved_unanswered;
        kernel.answered_zero_handle += run.answered_zero_handle;
        kernel.tallies.push(run.tallied);
        let slas = setup.slas.iter().zip(&run.counts).zip(run.missed);
        for ((((k, _, _), c), rows), spread) in slas.zip(&run.spreads) {
            if let Some(all) = kernel.slas[*k].as_mut() {
                all.add(c);
            }
            kernel.missed[*k].extend(rows);
            kernel.spreads[*k].merge(spread);
        }
    }
    kernel
}

/// Rows `start..start + len` of a column as one array, for the kernel to read by row
/// index (`StaticArray::get`): iterating over the arrays of a column costs a flattening
/// step and a validity branch per value, several times more than an indexed read.
pub(super) fn one_array<T: PolarsDataType>(
    ca: &ChunkedArray<T>,
    start: i64,
    len: usize,
) -> T::Array {
    ca.slice(start, len).rechunk().downcast_as_array().clone()
}

/// How many runs of consecutive chunks the enrich kernel splits the contacts into (a fixed
/// number, so that the tallies' sums are taken in the same order on any machine).
pub(super) const KERNEL_RUNS: usize = 16;

/// Local day (days from the common era) and hour of instants.
pub(super) struct LocalTime(crate::config::calendar::LocalClock);

impl LocalTime {
    pub(super) fn new(tz: chrono_tz::Tz) -> Self {
        LocalTime(crate::config::calendar::LocalClock::new(tz))
    }

    /// Local day (`num_days_from_ce`) and hour of the instant `ms`.
    pub(super) fn at(&mut self, ms: i64) -> Option<(i32, u32)> {
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
pub(super) fn weekday(day_ce: i64) -> u32 {
    (day_ce - 1).rem_euclid(7) as u32
}
