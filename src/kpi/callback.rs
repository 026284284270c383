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

use super::callers::{Call, ANSWERED, IN_PERIOD, OFFERED};
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

/// One channel's offered contacts of the period with a caller and their fates.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub offered: u64,
    /// Abandoned, of which: not followed (the window not covered by the inputs and nothing
    /// reached the caller yet), called back within the window, never reached within it.
    pub abandoned: u64,
    pub unfollowed: u64,
    pub called_back: u64,
    pub truly_abandoned: u64,
    /// Milliseconds from each abandon to its first call-back, summed.
    pub delay_ms: i64,
}

/// The fates of the period's offered contacts, by channel code, and how many offered
/// contacts have no caller (not counted).
#[derive(Debug, Default)]
pub struct Fates {
    pub by_channel: Vec<Tally>,
    pub without_caller: u64,
}

/// The outbound contacts a call-back is looked up in, by caller and time: every attempt,
/// and those that got through; with the latest arrival of the inputs, inbound or outbound.
pub struct Outbound {
    pub attempts: Vec<(u64, i64)>,
    pub through: Vec<(u64, i64)>,
    pub end: i64,
    pub window_ms: i64,
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

/// For each of one caller's calls `g` (sorted by time), the time of the first answered
/// call strictly after it, into `next`.
fn next_answered(g: &[Call], next: &mut Vec<Option<i64>>) {
    next.clear();
    next.resize(g.len(), None);
    let mut best = None;
    let mut q = g.len();
    while q > 0 {
        let t = g[q - 1].at;
        let mut s = q - 1;
        while s > 0 && g[s - 1].at == t {
            s -= 1;
        }
        next[s..q].fill(best);
        if g[s..q].iter().any(|c| c.has(ANSWERED)) {
            best = Some(t);
        }
        q = s;
    }
}

/// The fates of one caller's inbound calls `g` (sorted by time) that were offered in the
/// period, added to `f`; `next` is scratch space.
pub fn fate_caller(g: &[Call], out: &Outbound, f: &mut Fates, next: &mut Vec<Option<i64>>) {
    let offered = |c: &Call| c.has(OFFERED) && c.has(IN_PERIOD);
    if !g.iter().any(offered) {
        return;
    }
    let window = out.window_ms;
    if g.iter().any(|c| offered(c) && !c.has(ANSWERED)) {
        next_answered(g, next);
    }
    for (p, c) in g.iter().enumerate().filter(|(_, c)| offered(c)) {
        let t = slot(&mut f.by_channel, c.channel);
        t.offered += 1;
        if c.has(ANSWERED) {
            continue;
        }
        t.abandoned += 1;
        // The abandon happened when the caller stopped waiting.
        let callback = first_after(&out.attempts, c.caller, c.gone, window);
        let reached = next[p].is_some_and(|u| u - c.at <= window)
            || first_after(&out.through, c.caller, c.gone, window).is_some();
        if reached || out.end - c.at >= window {
            t.truly_abandoned += u64::from(!reached);
            if let Some(u) = callback {
                t.called_back += 1;
                t.delay_ms += u - c.gone;
            }
        } else {
            t.unfollowed += 1;
        }
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, t: Tally) {
        self.offered += t.offered;
        self.abandoned += t.abandoned;
        self.unfollowed += t.unfollowed;
        self.called_back += t.called_back;
        self.truly_abandoned += t.truly_abandoned;
        self.delay_ms += t.delay_ms;
    }
}

/// The tallies of the channel codes `keep` keeps in `v` (by channel code), added up.
pub(super) fn total<T>(v: &[T], keep: impl Fn(u32) -> bool) -> T
where
    T: Default + Copy + std::ops::AddAssign,
{
    let mut s = T::default();
    for (_, t) in v.iter().enumerate().filter(|(k, _)| keep(*k as u32)) {
        s += *t;
    }
    s
}

/// The tally of channel (or agent) code `ch` in `v`, added when missing.
pub(super) fn slot<T: Default>(v: &mut Vec<T>, ch: impl Into<u32>) -> &mut T {
    let i = ch.into() as usize;
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

/// `from`'s tallies added to `into`'s of the same code, with `add`.
pub(super) fn add_slots<T: Default>(into: &mut Vec<T>, from: Vec<T>, add: impl Fn(&mut T, T)) {
    for (i, t) in from.into_iter().enumerate() {
        add(slot(into, i as u32), t);
    }
}

impl Fates {
    /// Another share of the callers' fates added.
    pub fn absorb(&mut self, other: Fates) {
        add_slots(&mut self.by_channel, other.by_channel, |a, b| *a += b);
        self.without_caller += other.without_caller;
    }
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The figures of the channels `keep` keeps (by channel code): all of them for the
/// period, one channel's for an SLA.
pub fn summary(f: &Fates, keep: impl Fn(u32) -> bool, window_hours: f64) -> Callbacks {
    let mut s = Callbacks {
        window_hours,
        ..Default::default()
    };
    let t = total(&f.by_channel, keep);
    s.offered = t.offered;
    s.abandoned = t.abandoned;
    s.unfollowed = t.unfollowed;
    s.called_back = t.called_back;
    s.truly_abandoned = t.truly_abandoned;
    let delay_ms = t.delay_ms;
    let followed = s.abandoned - s.unfollowed;
    s.callback_rate = ratio(s.called_back, followed);
    s.callback_mean_seconds =
        (s.called_back > 0).then(|| delay_ms as f64 / 1000.0 / s.called_back as f64);
    s.true_abandon_rate = ratio(s.truly_abandoned, s.offered - s.unfollowed);
    s
}

#[cfg(test)]
mod tests;
