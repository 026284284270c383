//! Repeat contacts (`[repeat]`, docs/metrics.md): from who called (the keyed `caller` hash
//! of [`crate::normalize::caller`]), for each answered contact of the period: whether its
//! caller reached the service again within the FCR window (人工一解率), whether a repeat
//! request followed within the short window (重复拨打率, charged to the contact's agent), and
//! whether its caller reached an agent k times within d days (重复来电率). A contact near the
//! end of the inputs whose window they do not cover cannot be followed: it is counted and
//! left out of the FCR rate. Needs the caller column; without it every figure is null.
//! [`follow`] also follows abandoned contacts to their call-backs ([`super::callback`]):
//! [`walk`] takes the call records of [`super::callers`] a bucket of callers at a time and
//! each caller's calls once, for both. [`sla_measure`] measures an `[[sla]]` on any of these
//! figures over its channel.

use super::callback::{self, Callbacks, Fates};
use super::callers::{
    by_caller, Bucket, Call, PartScratch, Rules, Source, ANSWERED, IN_PERIOD, NO_AGENT, OFFERED,
    PARTS, THROUGH,
};
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

/// One channel's answered contacts of the period with a caller: those followed (their FCR
/// window covered by the inputs), resolved at first contact, followed by a repeat within
/// the short window, from a repeat caller.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub answered: u64,
    pub followed: u64,
    pub first: u64,
    pub within: u64,
    pub repeat_caller: u64,
}

/// The repeat flags of the period's answered contacts with a caller, counted by channel
/// code, and by agent (answered, followed by a repeat within the short window; by the
/// agent's id in the agent column's categories, whose text is `agents`); how many answered
/// contacts of the period have no caller (not counted).
#[derive(Debug, Default)]
pub struct Flags {
    pub by_channel: Vec<Tally>,
    pub by_agent: Vec<(u64, u64)>,
    pub agents: Option<Arc<CategoricalMapping>>,
    pub without_caller: u64,
}

impl Flags {
    /// The tallies of the channels `keep` keeps (by channel code), added up.
    pub fn total(&self, keep: impl Fn(u32) -> bool) -> Tally {
        callback::total(&self.by_channel, keep)
    }

    /// Another share of the callers' flags added.
    pub fn absorb(&mut self, other: Flags) {
        callback::add_slots(&mut self.by_channel, other.by_channel, |a, b| *a += b);
        callback::add_slots(&mut self.by_agent, other.by_agent, |a, b| {
            a.0 += b.0;
            a.1 += b.1;
        });
        self.without_caller += other.without_caller;
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, t: Tally) {
        self.answered += t.answered;
        self.followed += t.followed;
        self.first += t.first;
        self.within += t.within;
        self.repeat_caller += t.repeat_caller;
    }
}

/// The windows of `[repeat]` in milliseconds, with the latest arrival of the inputs.
pub struct Windows {
    pub fcr: i64,
    pub short: i64,
    pub span: i64,
    pub contacts: usize,
    pub same_channel: bool,
    pub end: i64,
}

impl Windows {
    pub fn of(cfg: &RepeatCfg, end: i64) -> Windows {
        Windows {
            fcr: (cfg.fcr_window_hours * 3_600_000.0) as i64,
            short: (cfg.within_minutes * 60_000.0) as i64,
            span: (cfg.days * 86_400_000.0) as i64,
            contacts: cfg.contacts.max(1) as usize,
            same_channel: cfg.same_channel,
            end,
        }
    }
}

/// Scratch space reused from caller to caller.
#[derive(Default)]
pub struct Scratch {
    reached: Vec<i64>,
    next: Vec<Option<i64>>,
    seen: Vec<(u8, i64)>,
}

/// The flags of one caller's calls `g` (sorted by time, ties by row) answered in the
/// period, added to `out`.
pub fn flag_caller(g: &[Call], w: &Windows, out: &mut Flags, s: &mut Scratch) {
    let counted = |c: &Call| c.has(ANSWERED) && c.has(IN_PERIOD);
    if !g.iter().any(counted) {
        return;
    }
    // Whether the caller reached an agent `contacts` times within `days` (most callers
    // call once: nothing to gather).
    let k = w.contacts;
    s.reached.clear();
    if g.len() >= k {
        s.reached
            .extend(g.iter().filter(|c| c.has(ANSWERED)).map(|c| c.at));
    }
    let repeat_caller = s.reached.windows(k).any(|x| x[k - 1] - x[0] <= w.span);
    // The next contact after each one: the same channel's when asked, else the next.
    s.next.clear();
    if w.same_channel {
        s.seen.clear();
        s.next.resize(g.len(), None);
        for (p, c) in g.iter().enumerate().rev() {
            match s.seen.iter_mut().find(|(ch, _)| *ch == c.channel) {
                Some(e) => s.next[p] = Some(std::mem::replace(&mut e.1, c.at)),
                None => s.seen.push((c.channel, c.at)),
            }
        }
    } else {
        s.next.extend(g[1..].iter().map(|c| Some(c.at)));
        s.next.push(None);
    }
    for (p, c) in g.iter().enumerate().filter(|(_, c)| counted(c)) {
        let first = match s.next[p] {
            Some(u) if u - c.at <= w.fcr => Some(false),
            Some(_) => Some(true),
            None if w.end - c.at >= w.fcr => Some(true),
            None => None,
        };
        let within = g.get(p + 1).is_some_and(|n| n.at - c.at <= w.short);
        let t = callback::slot(&mut out.by_channel, c.channel);
        t.answered += 1;
        t.followed += u64::from(first.is_some());
        t.first += u64::from(first == Some(true));
        t.within += u64::from(within);
        t.repeat_caller += u64::from(repeat_caller);
        if c.agent != NO_AGENT {
            let a = callback::slot(&mut out.by_agent, c.agent);
            a.0 += 1;
            a.1 += u64::from(within);
        }
    }
}

/// The period's repeat figures from `flags`, with each agent's repeats within the short
/// window.
pub fn measures(flags: &Flags, cfg: &RepeatCfg) -> Repeat {
    let Tally {
        answered: n,
        followed,
        first,
        within,
        repeat_caller: callers,
    } = flags.total(|_| true);
    let mut by: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    if let Some(text) = &flags.agents {
        for (code, &(k, w)) in flags.by_agent.iter().enumerate() {
            let name = text.cat_to_str(code as u32).unwrap_or_default();
            if k > 0 && !name.is_empty() {
                let e = by.entry(name.to_string()).or_default();
                e.0 += k;
                e.1 += w;
            }
        }
    }
    Repeat {
        fcr_window_hours: cfg.fcr_window_hours,
        same_channel: cfg.same_channel,
        contacts: cfg.contacts,
        days: cfg.days,
        within_minutes: cfg.within_minutes,
        answered: n,
        without_caller: flags.without_caller,
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
    }
}

/// What a period's caller-following measures stand on: the answered contacts' repeat
/// flags and the offered contacts' fates.
#[derive(Default)]
pub struct Followed {
    pub flags: Option<Flags>,
    pub fates: Option<Fates>,
}

/// The repeat and call-back figures of the period (`bounds`) when the contract measures
/// them (see [`copy_rates`] for the overall figures): over every inbound contact of the
/// inputs, and the outbound ones when the inputs say which are outbound (else no call-back
/// figure).
pub fn follow(
    input: &super::Input<'_>,
    bounds: (i64, i64),
    contract: &Contract,
) -> Result<(Followed, Option<Repeat>)> {
    if !contract.measures_repeats() {
        return Ok((Followed::default(), None));
    }
    let (contacts, outbound) = (input.contacts, input.outbound);
    let directions = input.columns.has(crate::columns::contact::DIRECTION) || outbound.height() > 0;
    let cfg = contract.repeat_cfg();
    let t = std::time::Instant::now();
    let short_abandon = |code: u32| {
        let ch = crate::model::Channel::at(code as usize)?;
        contract
            .channels
            .is_realtime(ch)
            .then(|| contract.short_abandon_seconds(ch))
    };
    let rules = Rules {
        bounds,
        short_abandon: &short_abandon,
    };
    let followed = followed(contacts, outbound, directions, &rules, &cfg)?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "repeat: followed");
    let t = std::time::Instant::now();
    let mut out = followed.flags.as_ref().map(|f| measures(f, &cfg));
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "repeat: by agent");
    if let Some(r) = &mut out {
        r.callbacks = followed.fates.as_ref().map(|f| {
            let mut c = callback::summary(f, |_| true, cfg.callback_window_hours);
            c.without_caller = f.without_caller;
            c.outbound = super::count_in(outbound, bounds).unwrap_or(0);
            c
        });
    }
    Ok((followed, out))
}

/// The period's repeat and call-back rates (when measured) copied into the overall figures.
pub fn copy_rates(r: Option<&Repeat>, overall: &mut Overall) {
    let Some(r) = r else { return };
    overall.repeat_fcr_rate = r.repeat_fcr_rate;
    overall.repeat_contact_rate = r.repeat_contact_rate;
    overall.repeat_within_rate = r.repeat_within_rate;
    if let Some(c) = &r.callbacks {
        overall.callback_rate = c.callback_rate;
        overall.callback_mean_seconds = c.callback_mean_seconds;
        overall.true_abandon_rate = c.true_abandon_rate;
    }
}

/// The repeat flags of the period's answered contacts among every inbound contact of the
/// inputs (`contacts`), and, when `directions` says which contacts are outbound, the fates
/// of its offered contacts given the outbound ones: each bucket of callers read, sorted and
/// walked caller by caller. Nothing without a caller column.
pub fn followed(
    contacts: &DataFrame,
    outbound: &DataFrame,
    directions: bool,
    rules: &Rules<'_>,
    cfg: &RepeatCfg,
) -> Result<Followed> {
    let Some(src) = Source::of(contacts)? else {
        return Ok(Followed::default());
    };
    let out = match directions {
        true => Source::of(outbound)?,
        false => None,
    };
    Ok(walk(&src, out.as_ref(), rules, cfg))
}

/// [`followed`] on the columns read: `out`, the outbound contacts' (none: no call-backs).
pub fn walk(src: &Source, out: Option<&Source>, rules: &Rules<'_>, cfg: &RepeatCfg) -> Followed {
    let out = out.map(|o| {
        let (attempts, through) = o.times(rules, THROUGH);
        callback::Outbound {
            attempts,
            through,
            end: src.end.max(o.end),
            window_ms: (cfg.callback_window_hours * 3_600_000.0) as i64,
        }
    });
    let [answered_without, offered_without] =
        src.without_caller(rules, [ANSWERED | IN_PERIOD, OFFERED | IN_PERIOD]);
    let w = Windows::of(cfg, src.end);
    let mut flags = Flags {
        agents: src.agents.clone(),
        without_caller: answered_without,
        ..Default::default()
    };
    let mut fates = out.as_ref().map(|_| Fates {
        without_caller: offered_without,
        ..Default::default()
    });
    let t = std::time::Instant::now();
    let layout = src.layout();
    let (mut read, mut walked) = (t.elapsed().as_secs_f64(), 0.0);
    for b in 0..src.buckets {
        let t = std::time::Instant::now();
        let bucket = src.bucket(b, &layout, rules);
        read += t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let (f, o) = walk_bucket(&bucket, &w, out.as_ref());
        flags.absorb(f);
        if let Some(fates) = &mut fates {
            fates.absorb(o);
        }
        walked += t.elapsed().as_secs_f64();
    }
    tracing::debug!(read, walked, buckets = src.buckets, "repeat: buckets");
    Followed {
        flags: Some(flags),
        fates,
    }
}

/// The flags of `bucket`'s callers and, with the outbound contacts `out`, their fates: its
/// parts on any thread, their tallies added up (counts: the same whatever the order).
fn walk_bucket(bucket: &Bucket, w: &Windows, out: Option<&callback::Outbound>) -> (Flags, Fates) {
    use rayon::prelude::*;
    (0..PARTS)
        .into_par_iter()
        .fold(
            || {
                (
                    Flags::default(),
                    Fates::default(),
                    Scratch::default(),
                    PartScratch::default(),
                )
            },
            |(mut flags, mut fates, mut scratch, mut calls), p| {
                for g in by_caller(bucket.part(p, &mut calls)) {
                    flag_caller(g, w, &mut flags, &mut scratch);
                    if let Some(o) = out {
                        callback::fate_caller(g, o, &mut fates, &mut scratch.next);
                    }
                }
                (flags, fates, scratch, calls)
            },
        )
        .map(|(flags, fates, _, _)| (flags, fates))
        .reduce(Default::default, |(mut f, mut o), (g, p)| {
            f.absorb(g);
            o.absorb(p);
            (f, o)
        })
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
            let c = callback::summary(f, ours, window);
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
            let Some(f) = &followed.flags else {
                return missing("why_no_caller");
            };
            let t = f.total(ours);
            match s.metric {
                SlaMetric::RepeatContactRate => (t.repeat_caller as f64, t.answered as f64),
                SlaMetric::RepeatWithinRate => (t.within as f64, t.answered as f64),
                _ => (t.first as f64, t.followed as f64),
            }
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

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[cfg(test)]
pub(super) mod tests;
