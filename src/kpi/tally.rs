//! Every additive contact figure (counts, and the sums behind the means) of the overall,
//! per-channel, per-agent, per-day and per-hour breakdowns, from two Polars group-bys.
//!
//! The enrich kernel packs each contact's agent, channel and flags into one 64-bit key
//! ([`Key`]), and its local day, hour, channel and the flags the daily figures need into a
//! 32-bit slot ([`Slot`]). A group-by on the key counts the contacts and sums the three
//! durations; one on the slot counts them. The few thousand groups they leave are folded
//! into the breakdowns here, in key order, so that every sum is taken in the same order on
//! every run. Each breakdown used to be a group-by of its own with some twenty
//! aggregations, every one of them a pass of random reads over ten million rows.
//! Percentiles are not additive and are not computed here.

use crate::error::{Error, Result};
use crate::model::Channel;
use polars::prelude::*;
use std::collections::BTreeMap;

/// The flags of a contact in its key.
pub(super) mod flag {
    pub const ANSWERED: u16 = 1;
    pub const SHORT_ABANDONED: u16 = 1 << 1;
    pub const RESOLVED: u16 = 1 << 2;
    /// `first_contact_resolved` is known (not null)...
    pub const FCR_KNOWN: u16 = 1 << 3;
    /// ...and true.
    pub const FCR: u16 = 1 << 4;
    pub const COMPLAINT: u16 = 1 << 5;
    /// Answered within the channel's service-level threshold.
    pub const SL_HIT: u16 = 1 << 6;
    pub const URGENT: u16 = 1 << 7;
    /// `resp_s`, `handle_s`, `resolve_s` are not null.
    pub const HAS_RESP: u16 = 1 << 8;
    pub const HAS_HANDLE: u16 = 1 << 9;
    pub const HAS_RESOLVE: u16 = 1 << 10;
    pub const BITS: u32 = 11;
}

/// A contact's group: agent (category id + 1, 0 without an agent), channel (position in
/// `Channel::ALL`) and flags, packed into 33 + 3 + 11 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key(pub u64);

const CHANNEL_BITS: u32 = 3;
const _: () = assert!(Channel::ALL.len() <= 1 << CHANNEL_BITS);
const AGENT_SHIFT: u32 = flag::BITS + CHANNEL_BITS;

/// The channel of a position in `Channel::ALL`.
fn channel_at(c: u64) -> Channel {
    Channel::ALL
        .get(c as usize)
        .copied()
        .unwrap_or(Channel::Other)
}

impl Key {
    pub fn new(agent: Option<u32>, channel: u32, flags: u16) -> Key {
        debug_assert!((channel as usize) < Channel::ALL.len());
        let agent = agent.map_or(0, |a| a as u64 + 1);
        Key(agent << AGENT_SHIFT | (channel as u64) << flag::BITS | flags as u64)
    }
    pub fn agent(self) -> Option<u32> {
        match self.0 >> AGENT_SHIFT {
            0 => None,
            a => Some((a - 1) as u32),
        }
    }
    pub fn channel(self) -> Channel {
        channel_at((self.0 >> flag::BITS) & ((1 << CHANNEL_BITS) - 1))
    }
    pub fn flags(self) -> u16 {
        (self.0 & ((1 << flag::BITS) - 1)) as u16
    }
}

/// Day numbers: days since the period's first local day, `NO_DAY` when the local time is
/// unknown (or the period is longer than 179 years).
pub(super) const NO_DAY: u32 = (1 << 16) - 1;

/// A contact's day slot: day number, local hour, channel and the flags `ANSWERED`,
/// `SHORT_ABANDONED`, `SL_HIT` and `URGENT`, packed into 16 + 5 + 3 + 4 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Slot(pub u32);

const SLOT_FLAGS: [u16; 4] = [
    flag::ANSWERED,
    flag::SHORT_ABANDONED,
    flag::SL_HIT,
    flag::URGENT,
];

impl Slot {
    pub fn new(day: u32, hour: u32, channel: u32, flags: u16) -> Slot {
        debug_assert!(day <= NO_DAY && hour < 24);
        let mut f = 0;
        for (i, bit) in SLOT_FLAGS.iter().enumerate() {
            if flags & bit != 0 {
                f |= 1 << i;
            }
        }
        Slot(day << 12 | hour << 7 | channel << 4 | f)
    }
    pub fn day(self) -> Option<u32> {
        let d = self.0 >> 12;
        (d != NO_DAY).then_some(d)
    }
    pub fn hour(self) -> u32 {
        (self.0 >> 7) & 31
    }
    pub fn channel(self) -> Channel {
        channel_at(((self.0 >> 4) & 7) as u64)
    }
    fn has(self, bit: u16) -> bool {
        SLOT_FLAGS
            .iter()
            .position(|b| *b == bit)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

/// The daily figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct DayTally {
    pub contacts: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub urgent: u64,
    pub sl_hit: u64,
    pub sl_base: u64,
}

/// Contacts and abandons per weekday (0 = Monday) and hour.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct HourTally {
    pub contacts: u64,
    pub abandoned: u64,
}

/// The additive figures of one breakdown row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Tally {
    pub contacts: u64,
    /// Contacts on the real-time channels (phone, chat).
    pub realtime: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub short_abandoned: u64,
    pub unanswered: u64,
    pub resolved: u64,
    pub resolved_answered: u64,
    pub fcr_answered: u64,
    pub fcr_known: u64,
    pub complaints: u64,
    pub sl_hit: u64,
    /// Contacts of channels with a service-level threshold, short abandons left out.
    pub sl_base: u64,
    pub urgent: u64,
    /// Response seconds: all answered contacts, and those on real-time channels.
    pub resp: Mean,
    pub resp_rt: Mean,
    /// Handling seconds of answered contacts.
    pub handle: Mean,
    /// Arrival to resolution, resolved contacts.
    pub resolve: Mean,
}

/// A sum and how many values it holds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Mean {
    pub sum: f64,
    pub n: u64,
}

impl Mean {
    fn add(&mut self, sum: f64, n: u64) {
        if n > 0 {
            self.sum += sum;
            self.n += n;
        }
    }
    /// The mean, `None` without values.
    pub fn get(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// One group of the key group-by: its contacts and the sums of their durations.
#[derive(Debug, Clone, Copy)]
struct Group {
    key: Key,
    n: u64,
    resp: f64,
    handle: f64,
    resolve: f64,
}

impl Tally {
    /// Add the `g.n` contacts of a group; `sl_scope` says whether their channel has a
    /// service-level threshold.
    fn add(&mut self, g: &Group, sl_scope: bool) {
        let f = g.key.flags();
        let has = |bit: u16| f & bit != 0;
        let n = g.n;
        let count = |yes: bool| if yes { n } else { 0 };
        let realtime = g.key.channel().is_realtime();
        let answered = has(flag::ANSWERED);
        self.contacts += n;
        self.realtime += count(realtime);
        self.answered += count(answered);
        self.abandoned += count(realtime && !answered);
        self.unanswered += count(!realtime && !answered);
        self.short_abandoned += count(has(flag::SHORT_ABANDONED));
        self.resolved += count(has(flag::RESOLVED));
        self.resolved_answered += count(answered && has(flag::RESOLVED));
        self.fcr_known += count(has(flag::FCR_KNOWN));
        self.fcr_answered += count(answered && has(flag::FCR));
        self.complaints += count(has(flag::COMPLAINT));
        self.sl_hit += count(has(flag::SL_HIT));
        self.sl_base += count(sl_scope && !has(flag::SHORT_ABANDONED));
        self.urgent += count(has(flag::URGENT));
        if has(flag::HAS_RESP) {
            self.resp.add(g.resp, n);
            if realtime {
                self.resp_rt.add(g.resp, n);
            }
        }
        // Handling time counts for answered contacts only: the key separates the others.
        if has(flag::HAS_HANDLE) && answered {
            self.handle.add(g.handle, n);
        }
        if has(flag::HAS_RESOLVE) {
            self.resolve.add(g.resolve, n);
        }
    }
}

/// The additive figures of every breakdown.
#[derive(Debug, Default)]
pub(super) struct Tallies {
    pub overall: Tally,
    pub channels: BTreeMap<Channel, Tally>,
    /// By the agent's category id (contacts without an agent are left out).
    pub agents: BTreeMap<u32, Tally>,
    /// By day number (`None`: local time unknown).
    pub days: BTreeMap<Option<u32>, DayTally>,
    /// By weekday and hour (contacts without a local time count as Monday 0:00).
    pub hours: BTreeMap<(u32, u32), HourTally>,
}

/// Group the enriched frame by its key column `key` and its slot column `slot` and fold
/// the groups into the breakdowns; `sl_scope(channel)` says whether a channel has a
/// service-level threshold, `weekday(day)` is the weekday of a day number.
pub(super) fn tally(
    df: &DataFrame,
    (key, slot): (&str, &str),
    sl_scope: impl Fn(Channel) -> bool,
    weekday: impl Fn(u32) -> u32,
) -> Result<Tallies> {
    let missing = || Error::runtime("a contact without its tally key");
    let mut groups: Vec<Group> = Vec::new();
    for part in slices(df) {
        let g = part
            .lazy()
            .group_by([col(key)])
            .agg([
                len().cast(DataType::UInt64).alias("n"),
                col("resp_s").sum().alias("resp"),
                col("handle_s").sum().alias("handle"),
                col("resolve_s").sum().alias("resolve"),
            ])
            .collect()?;
        let keys = g.column(key)?.u64()?;
        let n = g.column("n")?.u64()?;
        let [resp, handle, resolve] = ["resp", "handle", "resolve"].map(|c| g.column(c));
        let (resp, handle, resolve) = (resp?.f64()?, handle?.f64()?, resolve?.f64()?);
        for i in 0..g.height() {
            groups.push(Group {
                key: Key(keys.get(i).ok_or_else(missing)?),
                n: n.get(i).unwrap_or(0),
                resp: resp.get(i).unwrap_or(0.0),
                handle: handle.get(i).unwrap_or(0.0),
                resolve: resolve.get(i).unwrap_or(0.0),
            });
        }
    }
    // Polars gives the groups in no fixed order: key order (then slice order, the sort being
    // stable) makes the sums reproducible.
    groups.sort_by_key(|g| g.key);
    let mut t = Tallies::default();
    for g in &groups {
        let scope = sl_scope(g.key.channel());
        t.overall.add(g, scope);
        t.channels.entry(g.key.channel()).or_default().add(g, scope);
        if let Some(a) = g.key.agent() {
            t.agents.entry(a).or_default().add(g, scope);
        }
    }
    let mut counts: Vec<(Slot, u64)> = Vec::new();
    for part in slices(df) {
        let g = part
            .lazy()
            .group_by([col(slot)])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .collect()?;
        let (slots, n) = (g.column(slot)?.u32()?, g.column("n")?.u64()?);
        for (s, n) in slots.iter().zip(n.iter()) {
            counts.push((Slot(s.ok_or_else(missing)?), n.unwrap_or(0)));
        }
    }
    for (s, n) in counts {
        let count = |yes: bool| if yes { n } else { 0 };
        let abandoned = s.channel().is_realtime() && !s.has(flag::ANSWERED);
        let d = t.days.entry(s.day()).or_default();
        d.contacts += n;
        d.answered += count(s.has(flag::ANSWERED));
        d.abandoned += count(abandoned);
        d.urgent += count(s.has(flag::URGENT));
        d.sl_hit += count(s.has(flag::SL_HIT));
        d.sl_base += count(sl_scope(s.channel()) && !s.has(flag::SHORT_ABANDONED));
        let h = t
            .hours
            .entry((s.day().map_or(0, &weekday), s.day().map_or(0, |_| s.hour())))
            .or_default();
        h.contacts += n;
        h.abandoned += count(abandoned);
    }
    Ok(t)
}

/// The frame in a few slices: each group-by then needs a fraction of the memory (its hashes
/// and row indices) that one over the whole frame would.
fn slices(df: &DataFrame) -> impl Iterator<Item = DataFrame> + '_ {
    const SLICES: usize = 8;
    let step = df.height().div_ceil(SLICES).max(1);
    (0..df.height())
        .step_by(step)
        .map(move |start| df.slice(start as i64, step))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_slots_round_trip_at_their_limits() {
        for (agent, channel, flags) in [
            (None, 0, 0),
            (Some(0), 2, flag::ANSWERED | flag::HAS_RESOLVE),
            (Some(u32::MAX), 5, (1 << flag::BITS) - 1),
        ] {
            let k = Key::new(agent, channel, flags);
            assert_eq!(k.agent(), agent);
            assert_eq!(k.channel(), Channel::ALL[channel as usize]);
            assert_eq!(k.flags(), flags);
        }
        for (day, hour, channel, flags) in [
            (0, 0, 0, 0),
            (30, 23, 5, flag::ANSWERED | flag::URGENT),
            (NO_DAY, 0, 2, flag::SHORT_ABANDONED | flag::SL_HIT),
        ] {
            let s = Slot::new(day, hour, channel, flags);
            assert_eq!(s.day(), (day != NO_DAY).then_some(day));
            assert_eq!(s.hour(), hour);
            assert_eq!(s.channel(), Channel::ALL[channel as usize]);
            for bit in SLOT_FLAGS {
                assert_eq!(s.has(bit), flags & bit != 0);
            }
        }
    }

    #[test]
    fn groups_fold_into_counts_and_means() {
        // Two phone groups (answered within SL; abandoned short) and one email group.
        let phone = Channel::Phone as u32;
        let email = Channel::Email as u32;
        let a = flag::ANSWERED | flag::SL_HIT | flag::HAS_RESP | flag::HAS_HANDLE | flag::FCR_KNOWN;
        let b = flag::SHORT_ABANDONED | flag::HAS_HANDLE;
        let c = flag::ANSWERED | flag::HAS_RESP | flag::RESOLVED | flag::HAS_RESOLVE;
        let (ka, kb, kc) = (
            Key::new(Some(1), phone, a),
            Key::new(Some(1), phone, b),
            Key::new(None, email, c),
        );
        // Day 0 (a Wednesday) at 9:00 and 10:00; day 1 at 9:00.
        let (sa, sb, sc) = (
            Slot::new(0, 9, phone, a),
            Slot::new(0, 10, phone, b),
            Slot::new(1, 9, email, c),
        );
        let df = df!(
            "k" => [ka.0, ka.0, kb.0, kc.0],
            "s" => [sa.0, sa.0, sb.0, sc.0],
            "resp_s" => [Some(10.0), Some(30.0), None, Some(3600.0)],
            "handle_s" => [Some(100.0), Some(200.0), Some(5.0), None],
            "resolve_s" => [None, None, None, Some(7200.0)],
        )
        .unwrap();
        let t = tally(&df, ("k", "s"), |c| c == Channel::Phone, |d| (d + 2) % 7).unwrap();
        let o = t.overall;
        assert_eq!((o.contacts, o.realtime, o.answered), (4, 3, 3));
        assert_eq!((o.abandoned, o.short_abandoned, o.unanswered), (1, 1, 0));
        assert_eq!((o.sl_hit, o.sl_base), (2, 2)); // the short abandon leaves the base
        assert_eq!((o.fcr_known, o.fcr_answered), (2, 0));
        assert_eq!(o.resp.get(), Some((10.0 + 30.0 + 3600.0) / 3.0));
        assert_eq!(o.resp_rt.get(), Some(20.0));
        // The abandoned contact's handling time is not an answered contact's.
        assert_eq!(o.handle.get(), Some(150.0));
        assert_eq!(o.resolve.get(), Some(7200.0));
        assert_eq!((o.resolved, o.resolved_answered), (1, 1));
        assert_eq!(t.agents.len(), 1);
        assert_eq!(t.agents[&1].contacts, 3);
        assert_eq!(t.channels[&Channel::Email].resp_rt.get(), None);
        let d0 = t.days[&Some(0)];
        assert_eq!((d0.contacts, d0.answered, d0.abandoned), (3, 2, 1));
        assert_eq!((d0.sl_hit, d0.sl_base), (2, 2));
        assert_eq!(t.days[&Some(1)].contacts, 1);
        assert_eq!(
            t.hours[&(2, 9)],
            HourTally {
                contacts: 2,
                abandoned: 0
            }
        );
        assert_eq!(
            t.hours[&(2, 10)],
            HourTally {
                contacts: 1,
                abandoned: 1
            }
        );
        assert_eq!(t.hours[&(3, 9)].contacts, 1);
    }
}
