//! Repeat contacts (`[repeat]`, docs/metrics.md): from who called (the keyed `caller` hash
//! of [`crate::normalize::caller`]), for each answered contact of the period: whether its
//! caller reached the service again within the FCR window (人工一解率), whether a repeat
//! request followed within the short window (重复拨打率, charged to the contact's agent), and
//! whether its caller reached an agent k times within d days (重复来电率). A contact near the
//! end of the inputs whose window they do not cover cannot be followed: it is counted and
//! left out of the FCR rate. Needs the caller column; without it every figure is null.
//! [`follow`] also follows abandoned contacts to their call-backs ([`super::callback`]), and
//! [`sla_measure`] measures an `[[sla]]` on any of these figures over its channel.

use super::callback::{self, Callbacks, Fates, Log};
use super::{Measurement, Overall};
use crate::config::contract::{RepeatCfg, Sla, SlaMetric};
use crate::config::Contract;
use crate::error::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// `metrics.json` → `repeat`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Repeat {
    pub fcr_window_hours: f64,
    pub same_channel: bool,
    pub contacts: u32,
    pub days: f64,
    pub within_minutes: f64,
    /// Answered contacts of the period with a caller, and without one (not counted).
    pub answered: u64,
    pub without_caller: u64,
    /// Answered contacts whose FCR window the inputs do not cover (not counted in the FCR
    /// rate).
    pub unfollowed: u64,
    pub first_resolved: u64,
    pub repeat_fcr_rate: Option<f64>,
    pub repeat_callers_contacts: u64,
    pub repeat_contact_rate: Option<f64>,
    pub repeated_within: u64,
    pub repeat_within_rate: Option<f64>,
    /// By agent: answered contacts, those followed by a repeat within the short window.
    pub agents: Vec<RepeatAgentRow>,
    /// Call-backs of abandoned contacts; `None` when the inputs do not say which contacts
    /// are outbound (no `direction` column).
    #[serde(default)]
    pub callbacks: Option<Callbacks>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RepeatAgentRow {
    pub agent_id: String,
    pub answered: u64,
    pub repeated_within: u64,
    pub rate: Option<f64>,
}

/// The flags of each answered contact of the period with a caller: its row in the contacts
/// frame, resolved at first contact (null: cannot be followed), followed within the short
/// window, from a repeat caller.
pub struct Flags {
    pub rows: Vec<u32>,
    /// Each contact's channel code.
    pub channel: Vec<u32>,
    pub first: Vec<Option<bool>>,
    pub within: Vec<bool>,
    pub repeat_caller: Vec<bool>,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The flags of the period's answered contacts (`bounds`) over every contact of the
/// inputs (`log`), and how many answered contacts of the period have no caller.
pub fn flags(log: &Log, bounds: (i64, i64), cfg: &RepeatCfg) -> (Flags, u64) {
    let Log {
        caller,
        arrived,
        answered,
        channel,
        ..
    } = log;
    let (a, b) = bounds;
    let end = arrived.iter().copied().max().unwrap_or(0);
    let window = (cfg.fcr_window_hours * 3_600_000.0) as i64;
    let short = (cfg.within_minutes * 60_000.0) as i64;
    let span = (cfg.days * 86_400_000.0) as i64;
    // Each caller's contacts in time order (ties by row).
    let mut order: Vec<u32> = (0..caller.len() as u32)
        .filter(|&i| caller[i as usize].is_some())
        .collect();
    rayon::slice::ParallelSliceMut::par_sort_unstable_by_key(&mut order[..], |&i| {
        (caller[i as usize], arrived[i as usize], i)
    });
    let in_period = |i: usize| answered[i] && (a..b).contains(&arrived[i]);
    let mut without_caller = 0u64;
    for i in 0..caller.len() {
        if caller[i].is_none() && in_period(i) {
            without_caller += 1;
        }
    }
    let mut out = Flags {
        rows: Vec::new(),
        channel: Vec::new(),
        first: Vec::new(),
        within: Vec::new(),
        repeat_caller: Vec::new(),
    };
    let k = cfg.contacts.max(1) as usize;
    let mut reached: Vec<i64> = Vec::new();
    for group in order.chunk_by(|&x, &y| caller[x as usize] == caller[y as usize]) {
        // Whether the caller reached an agent `contacts` times within `days` (most callers
        // call once: nothing to gather).
        reached.clear();
        if group.len() >= k {
            reached.extend(
                group
                    .iter()
                    .map(|&i| i as usize)
                    .filter(|&i| answered[i])
                    .map(|i| arrived[i]),
            );
        }
        let repeat_caller = reached.windows(k).any(|w| w[k - 1] - w[0] <= span);
        for (p, &i) in group.iter().enumerate() {
            let i = i as usize;
            if !in_period(i) {
                continue;
            }
            let t = arrived[i];
            let later = group[p + 1..].iter().map(|&j| j as usize);
            // The next contact after this one (the same channel's when asked).
            let next = later
                .clone()
                .filter(|&j| !cfg.same_channel || channel[j] == channel[i])
                .map(|j| arrived[j])
                .next();
            let first = match next {
                Some(u) if u - t <= window => Some(false),
                Some(_) => Some(true),
                None if end - t >= window => Some(true),
                None => None,
            };
            let within = later
                .map(|j| arrived[j])
                .next()
                .is_some_and(|u| u - t <= short);
            out.rows.push(i as u32);
            out.channel.push(channel[i]);
            out.first.push(first);
            out.within.push(within);
            out.repeat_caller.push(repeat_caller);
        }
    }
    (out, without_caller)
}

/// The period's repeat figures from `flags`, with each agent's repeats within the short
/// window (the agents of `contacts`).
pub fn measures(
    contacts: &DataFrame,
    flags: &Flags,
    without_caller: u64,
    cfg: &RepeatCfg,
) -> Result<Repeat> {
    let n = flags.rows.len() as u64;
    let followed = flags.first.iter().flatten().count() as u64;
    let first = flags.first.iter().filter(|f| **f == Some(true)).count() as u64;
    let callers = flags.repeat_caller.iter().filter(|x| **x).count() as u64;
    let within = flags.within.iter().filter(|x| **x).count() as u64;
    // Grouped by the agent column as it is held (a category id), and only the agents'
    // names turned into text: not one string per contact.
    let rows = UInt32Chunked::from_vec("row".into(), flags.rows.clone());
    let agents = contacts.column("agent_id")?.take(&rows)?;
    let g = DataFrame::new(
        flags.rows.len(),
        vec![agents, Column::new("within".into(), flags.within.clone())],
    )?
    .lazy()
    .group_by([col("agent_id")])
    .agg([
        len().cast(DataType::UInt64).alias("n"),
        col("within").cast(DataType::UInt64).sum().alias("w"),
    ])
    .with_column(col("agent_id").cast(DataType::String))
    .collect()?;
    let mut by: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    let (ids, n_, w_) = (
        g.column("agent_id")?.str()?,
        g.column("n")?.u64()?,
        g.column("w")?.u64()?,
    );
    for ((a, k), w) in ids.iter().zip(n_.iter()).zip(w_.iter()) {
        let e = by.entry(a.unwrap_or_default().to_string()).or_default();
        e.0 += k.unwrap_or(0);
        e.1 += w.unwrap_or(0);
    }
    Ok(Repeat {
        fcr_window_hours: cfg.fcr_window_hours,
        same_channel: cfg.same_channel,
        contacts: cfg.contacts,
        days: cfg.days,
        within_minutes: cfg.within_minutes,
        answered: n,
        without_caller,
        unfollowed: n - followed,
        first_resolved: first,
        repeat_fcr_rate: ratio(first, followed),
        repeat_callers_contacts: callers,
        repeat_contact_rate: ratio(callers, n),
        repeated_within: within,
        repeat_within_rate: ratio(within, n),
        agents: by
            .into_iter()
            .filter(|(a, _)| !a.is_empty())
            .map(|(agent_id, (answered, repeated_within))| RepeatAgentRow {
                agent_id,
                answered,
                repeated_within,
                rate: ratio(repeated_within, answered),
            })
            .collect(),
        callbacks: None,
    })
}

/// What a period's caller-following measures stand on: the answered contacts' repeat
/// flags (with the answered contacts without a caller) and the offered contacts' fates.
#[derive(Default)]
pub struct Followed {
    pub flags: Option<(Flags, u64)>,
    pub fates: Option<Fates>,
}

/// The repeat and call-back figures of the period (`bounds`) when the contract measures
/// them, their rates copied into `overall`: over every inbound contact of the inputs, and
/// the outbound ones when the inputs say which are outbound (else no call-back figure).
pub fn follow(
    input: &super::Input<'_>,
    bounds: (i64, i64),
    contract: &Contract,
    overall: &mut Overall,
) -> Result<(Followed, Option<Repeat>)> {
    if !contract.measures_repeats() {
        return Ok((Followed::default(), None));
    }
    let (contacts, outbound) = (input.contacts, input.outbound);
    let directions = input.columns.has(crate::columns::contact::DIRECTION) || outbound.height() > 0;
    let cfg = contract.repeat_cfg();
    // Every inbound contact's columns, read once for the flags and the call-backs.
    let t = std::time::Instant::now();
    let lap = |step: &str| tracing::debug!(seconds = t.elapsed().as_secs_f64(), "repeat: {step}");
    let inbound = Log::of(contacts)?;
    lap("columns");
    let flags = inbound.as_ref().map(|log| flags(log, bounds, &cfg));
    lap("flags");
    let outbound_log = match (&inbound, directions) {
        (Some(_), true) => Log::of(outbound)?,
        _ => None,
    };
    let fates = match (&inbound, &outbound_log) {
        (Some(inb), Some(out)) => Some(callback::fates(
            inb,
            out,
            bounds,
            cfg.callback_window_hours,
            |code| {
                let ch = crate::model::Channel::at(code as usize)?;
                contract
                    .channels
                    .is_realtime(ch)
                    .then(|| contract.short_abandon_seconds(ch))
            },
        )),
        _ => None,
    };
    drop((inbound, outbound_log));
    lap("call-backs");
    let mut out = flags
        .as_ref()
        .map(|(f, without)| measures(contacts, f, *without, &cfg))
        .transpose()?;
    if let Some(r) = &mut out {
        r.callbacks = fates.as_ref().map(|f| {
            let mut c = callback::summary(f, |_| true, cfg.callback_window_hours);
            c.without_caller = f.without_caller;
            c.outbound = super::count_in(outbound, bounds).unwrap_or(0);
            c
        });
        overall.repeat_fcr_rate = r.repeat_fcr_rate;
        overall.repeat_contact_rate = r.repeat_contact_rate;
        overall.repeat_within_rate = r.repeat_within_rate;
        if let Some(c) = &r.callbacks {
            overall.callback_rate = c.callback_rate;
            overall.callback_mean_seconds = c.callback_mean_seconds;
            overall.true_abandon_rate = c.true_abandon_rate;
        }
    }
    Ok((Followed { flags, fates }, out))
}

/// SLA `s` on a measure that follows callers, over its channel's contacts; not measurable
/// without callers (or, for call-backs, without the contacts' direction).
pub fn sla_measure(followed: &Followed, s: &Sla, contract: &Contract) -> Measurement {
    let code = s.channel.map(|c| c.index() as u32);
    let ours = |c: u32| code.is_none_or(|w| w == c);
    let missing = |why: &'static str| Measurement {
        numerator: 0.0,
        denominator: 0.0,
        actual: None,
        why_missing: Some(why),
        spread: None,
    };
    let (num, den) = match s.metric {
        SlaMetric::CallbackRate | SlaMetric::CallbackMeanSeconds | SlaMetric::TrueAbandonRate => {
            let Some(f) = &followed.fates else {
                return missing(if followed.flags.is_none() {
                    "why_no_caller"
                } else {
                    "why_no_direction"
                });
            };
            let window = contract.repeat_cfg().callback_window_hours;
            let c = callback::summary(f, |k| ours(f.channel[k]), window);
            let followed = (c.abandoned - c.unfollowed) as f64;
            match s.metric {
                SlaMetric::CallbackRate => (c.called_back as f64, followed),
                SlaMetric::TrueAbandonRate => {
                    (c.truly_abandoned as f64, (c.offered - c.unfollowed) as f64)
                }
                _ => (
                    c.callback_mean_seconds.unwrap_or(0.0) * c.called_back as f64,
                    c.called_back as f64,
                ),
            }
        }
        _ => {
            let Some((f, _)) = &followed.flags else {
                return missing("why_no_caller");
            };
            let mut n = (0u64, 0u64);
            for k in (0..f.rows.len()).filter(|&k| ours(f.channel[k])) {
                let (hit, counted) = match s.metric {
                    SlaMetric::RepeatContactRate => (f.repeat_caller[k], true),
                    SlaMetric::RepeatWithinRate => (f.within[k], true),
                    _ => (f.first[k] == Some(true), f.first[k].is_some()),
                };
                n.0 += u64::from(hit && counted);
                n.1 += u64::from(counted);
            }
            (n.0 as f64, n.1 as f64)
        }
    };
    Measurement {
        numerator: num,
        denominator: den,
        actual: (den > 0.0).then(|| num / den),
        why_missing: (den == 0.0).then_some("why_no_contacts"),
        spread: None,
    }
}

#[cfg(test)]
pub(super) mod tests;
