//! Call-backs and truly abandoned contacts (`[repeat] callback_window_hours`,
//! docs/metrics.md, Call-backs): for each contact of the period on a real-time channel
//! (short abandons left out, as the abandon rate leaves them out) whose caller is known,
//! whether it was abandoned and then called back by an outbound contact within the window
//! (回拨率, and how long the call-back took), and whether the caller was reached at all
//! within it, by an answered contact of their own or a call-back that got through (真实呼损:
//! abandoned and never reached). Callers are compared as the keyed hash of
//! [`crate::normalize::caller`]. An abandon whose window the inputs do not cover and in which
//! nothing reached the caller cannot be followed: it is counted and left out. This module
//! decides nothing about which contacts are outbound (the normalize stage splits them off).

use crate::error::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// `metrics.json` → `repeat.callbacks`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Callbacks {
    pub window_hours: f64,
    /// Outbound contacts that arrived in the period.
    pub outbound: u64,
    /// Offered contacts of the period on real-time channels, short abandons left out, with
    /// a caller (followed or not), and those without one (not counted).
    pub offered: u64,
    pub without_caller: u64,
    /// Abandoned contacts among `offered`, those that cannot be followed (left out of every
    /// rate), those called back within the window, and those whose caller was never reached.
    pub abandoned: u64,
    pub unfollowed: u64,
    pub called_back: u64,
    pub truly_abandoned: u64,
    /// Called back / abandoned (followed).
    pub callback_rate: Option<f64>,
    /// Mean time from the abandon (arrival plus wait) to the first call-back, in seconds.
    pub callback_mean_seconds: Option<f64>,
    /// Truly abandoned / offered (followed).
    pub true_abandon_rate: Option<f64>,
}

/// What happened to one offered contact of the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    Answered,
    /// Abandoned: the seconds to the first call-back within the window, and whether the
    /// caller was reached within it (an answered contact or a call-back that got through).
    Abandoned {
        callback_s: Option<f64>,
        reached: bool,
    },
    /// Abandoned, its window not covered by the inputs and nothing reached the caller yet.
    Unfollowed,
}

/// The offered contacts of the period with a caller: each one's channel code and fate.
pub struct Fates {
    pub channel: Vec<u32>,
    pub fate: Vec<Fate>,
    pub without_caller: u64,
}

/// The columns of a contacts frame that the measures following callers read, as plain
/// vectors: caller, arrival, answered, channel code, wait, close and talk time. Read once
/// for the repeat flags and the call-backs.
pub struct Log {
    pub(super) caller: Vec<Option<u64>>,
    pub(super) arrived: Vec<i64>,
    pub(super) answered: Vec<bool>,
    pub(super) channel: Vec<u32>,
    wait: Vec<Option<f64>>,
    closed: Vec<Option<i64>>,
    talk: Vec<Option<f64>>,
}

impl Log {
    /// The columns of `df`; `None` when it has no caller column (callers not kept).
    pub fn of(df: &DataFrame) -> Result<Option<Log>> {
        let Ok(caller) = df.column("caller") else {
            return Ok(None);
        };
        let n = df.height();
        let opt_f64 = |name: &str| -> Result<Vec<Option<f64>>> {
            Ok(match df.column(name) {
                Ok(c) => c.f64()?.iter().collect(),
                Err(_) => vec![None; n],
            })
        };
        let opt_i64 = |name: &str| -> Result<Vec<Option<i64>>> {
            Ok(match df.column(name) {
                Ok(c) => c.i64()?.iter().collect(),
                Err(_) => vec![None; n],
            })
        };
        let answered_ms = opt_i64("answered_ms")?;
        let flag: Vec<Option<bool>> = df.column("answered_flag")?.bool()?.iter().collect();
        Ok(Some(Log {
            caller: caller.u64()?.iter().collect(),
            arrived: df
                .column("arrived_ms")?
                .i64()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect(),
            answered: answered_ms
                .iter()
                .zip(&flag)
                .map(|(t, f)| super::is_answered(*t, *f))
                .collect(),
            channel: df
                .column("channel")?
                .as_materialized_series()
                .to_physical_repr()
                .cast(&DataType::UInt32)?
                .u32()?
                .iter()
                .map(|v| v.unwrap_or(0))
                .collect(),
            wait: opt_f64("wait_s")?,
            closed: opt_i64("resolved_ms")?,
            talk: opt_f64("handle_s")?,
        }))
    }
}

/// The first time in `times` (sorted by caller, then time) of caller `c` after `t` and no
/// later than `t + window`.
fn first_after(times: &[(u64, i64)], c: u64, t: i64, window: i64) -> Option<i64> {
    let k = times.partition_point(|&(x, u)| (x, u) <= (c, t));
    times
        .get(k)
        .filter(|&&(x, u)| x == c && u - t <= window)
        .map(|&(_, u)| u)
}

/// The fate of each offered contact of the period (`bounds`) among `inb` (every inbound
/// contact of the inputs), given the outbound contacts `out`. `short_abandon(code)`: the
/// short-abandon threshold of a real-time channel, `None` for the others.
pub fn fates(
    inb: &Log,
    out: &Log,
    bounds: (i64, i64),
    window_hours: f64,
    short_abandon: impl Fn(u32) -> Option<f64>,
) -> Fates {
    let (a, b) = bounds;
    let window = (window_hours * 3_600_000.0) as i64;
    // Answered inbound contacts, outbound attempts and outbound contacts that got through,
    // each by caller and time.
    let sorted = |log: &Log, keep: &dyn Fn(usize) -> bool| {
        let mut v: Vec<(u64, i64)> = (0..log.arrived.len())
            .filter(|&i| keep(i))
            .filter_map(|i| Some((log.caller[i]?, log.arrived[i])))
            .collect();
        rayon::slice::ParallelSliceMut::par_sort_unstable(&mut v[..]);
        v
    };
    let answered = sorted(inb, &|i| inb.answered[i]);
    let attempts = sorted(out, &|_| true);
    // A call-back got through when it was answered or has talk time.
    let through = sorted(out, &|i| {
        out.answered[i] || out.talk[i].is_some_and(|s| s > 0.0)
    });
    let end = inb
        .arrived
        .iter()
        .chain(&out.arrived)
        .copied()
        .max()
        .unwrap_or(0);
    let mut f = Fates {
        channel: Vec::new(),
        fate: Vec::new(),
        without_caller: 0,
    };
    for i in 0..inb.arrived.len() {
        let t = inb.arrived[i];
        let Some(sa) = short_abandon(inb.channel[i]) else {
            continue;
        };
        if !(a..b).contains(&t) {
            continue;
        }
        let waited = super::waited(inb.wait[i], t, inb.closed[i]);
        if !inb.answered[i] && waited.is_some_and(|w| w < sa) {
            continue;
        }
        let Some(c) = inb.caller[i] else {
            f.without_caller += 1;
            continue;
        };
        let fate = if inb.answered[i] {
            Fate::Answered
        } else {
            // The abandon happened when the caller stopped waiting.
            let gone = t + (inb.wait[i].unwrap_or(0.0) * 1000.0) as i64;
            let callback = first_after(&attempts, c, gone, window);
            let reached = first_after(&answered, c, t, window).is_some()
                || first_after(&through, c, gone, window).is_some();
            if reached || end - t >= window {
                Fate::Abandoned {
                    callback_s: callback.map(|u| (u - gone) as f64 / 1000.0),
                    reached,
                }
            } else {
                Fate::Unfollowed
            }
        };
        f.channel.push(inb.channel[i]);
        f.fate.push(fate);
    }
    f
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The figures of the fates `keep` keeps (by position): all of them for the period, a
/// channel's for an SLA.
pub fn summary(f: &Fates, keep: impl Fn(usize) -> bool, window_hours: f64) -> Callbacks {
    let mut s = Callbacks {
        window_hours,
        ..Default::default()
    };
    let mut delay = 0.0;
    for (_, fate) in f.fate.iter().enumerate().filter(|(k, _)| keep(*k)) {
        s.offered += 1;
        match *fate {
            Fate::Answered => {}
            Fate::Unfollowed => {
                s.abandoned += 1;
                s.unfollowed += 1;
            }
            Fate::Abandoned {
                callback_s,
                reached,
            } => {
                s.abandoned += 1;
                s.truly_abandoned += u64::from(!reached);
                if let Some(d) = callback_s {
                    s.called_back += 1;
                    delay += d;
                }
            }
        }
    }
    let followed = s.abandoned - s.unfollowed;
    s.callback_rate = ratio(s.called_back, followed);
    s.callback_mean_seconds = (s.called_back > 0).then(|| delay / s.called_back as f64);
    s.true_abandon_rate = ratio(s.truly_abandoned, s.offered - s.unfollowed);
    s
}

#[cfg(test)]
mod tests;
