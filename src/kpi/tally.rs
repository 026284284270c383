//! Every additive contact figure (counts, and the sums behind the means) of the overall,
//! per-channel, per-agent, per-day and per-hour breakdowns, of the urgent contacts and of
//! the order contacts by topic.
//!
//! The enrich kernel packs each contact's agent, channel and flags into one 64-bit key
//! ([`Key`]), and its local day, hour, channel and the flags the daily figures need into a
//! 32-bit slot ([`Slot`]). On its way through each chunk of contacts it groups them by key
//! (counting them and summing their three durations, in row order) and by slot (counting
//! them) in a [`ChunkTally`]: the row loop it runs anyway does the grouping, instead of two
//! Polars group-bys over two more columns of ten million keys. The few thousand groups
//! the chunks leave are folded into the breakdowns here, in key order and then chunk
//! order, so that every sum is taken in the same order on every run. Each breakdown used
//! to be a group-by of its own with some twenty aggregations, every one of them a pass of
//! random reads over ten million rows. Percentiles are not additive and are not computed
//! here: the urgent contacts' response times (about one contact in a hundred) are kept as
//! they are, for `schedule` to take theirs.

use crate::model::{Channel, Channels};
use crate::util::FastMap;
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
/// the run's table) and flags, packed into 33 + 5 + 11 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key(pub u64);

const CHANNEL_BITS: u32 = 5;
const CHANNEL_MASK: u64 = (1 << CHANNEL_BITS) - 1;
const _: () = assert!(Channel::MAX <= 1 << CHANNEL_BITS);
const AGENT_SHIFT: u32 = flag::BITS + CHANNEL_BITS;

/// The channel at a position in the run's table.
fn channel_at(c: u64) -> Channel {
    Channel::at(c as usize).unwrap_or(Channel::OTHER)
}

impl Key {
    pub fn new(agent: Option<u32>, channel: u32, flags: u16) -> Key {
        debug_assert!((channel as usize) < Channel::MAX);
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
        channel_at((self.0 >> flag::BITS) & CHANNEL_MASK)
    }
    pub fn flags(self) -> u16 {
        (self.0 & ((1 << flag::BITS) - 1)) as u16
    }
}

/// Day numbers: days since the period's first local day, `NO_DAY` when the local time is
/// unknown (or the period is longer than 179 years).
pub(super) const NO_DAY: u32 = (1 << 16) - 1;

/// A contact's day slot: day number, local hour, channel and the flags `ANSWERED`,
/// `SHORT_ABANDONED`, `SL_HIT` and `URGENT`, packed into 16 + 5 + 5 + 4 bits.
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
        Slot(day << 14 | hour << 9 | channel << 4 | f)
    }
    pub fn day(self) -> Option<u32> {
        let d = self.0 >> 14;
        (d != NO_DAY).then_some(d)
    }
    pub fn hour(self) -> u32 {
        (self.0 >> 9) & 31
    }
    pub fn channel(self) -> Channel {
        channel_at((self.0 as u64 >> 4) & CHANNEL_MASK)
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

impl Tally {
    /// Resolved answered contacts ÷ answered contacts.
    pub fn resolution_rate(&self) -> Option<f64> {
        super::ratio(self.resolved_answered as f64, self.answered as f64)
    }

    /// First-contact resolutions ÷ answered contacts; null when no contact says whether it
    /// was resolved at first contact.
    pub fn fcr_rate(&self) -> Option<f64> {
        if self.fcr_known > 0 {
            super::ratio(self.fcr_answered as f64, self.answered as f64)
        } else {
            None
        }
    }
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

/// Order contacts (of one topic): how many, how many resolved, and the sums behind the
/// means of their handling time and of the time to resolve the resolved ones.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct OrderSums {
    pub n: u64,
    pub resolved: u64,
    pub handle: Mean,
    pub resolve: Mean,
}

impl OrderSums {
    pub fn merge(&mut self, o: &OrderSums) {
        self.n += o.n;
        self.resolved += o.resolved;
        self.handle.add(o.handle.sum, o.handle.n);
        self.resolve.add(o.resolve.sum, o.resolve.n);
    }
}

/// One group of contacts with the same key: how many, and the sums of their durations.
#[derive(Debug, Clone, Copy, Default)]
struct Group {
    n: u64,
    resp: f64,
    handle: f64,
    resolve: f64,
}

/// Contacts by the category id of a label (the topic of consultations, the type of
/// complaints): in a table for the first few thousand ids, in a map beyond.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct LabelCounts {
    table: Vec<u64>,
    rest: FastMap<u32, u64>,
    /// Contacts without the label.
    none: u64,
}

impl LabelCounts {
    /// Counts for a label column with ids below `ids`.
    pub fn new(ids: usize) -> Self {
        LabelCounts {
            table: vec![0; ids.min(1 << 12)],
            ..Default::default()
        }
    }

    #[inline]
    pub fn add(&mut self, id: Option<u32>) {
        match id {
            None => self.none += 1,
            Some(i) => match self.table.get_mut(i as usize) {
                Some(n) => *n += 1,
                None => *self.rest.entry(i).or_default() += 1,
            },
        }
    }

    fn merge(&mut self, other: &LabelCounts) {
        for (id, n) in other.counts() {
            match id {
                None => self.none += n,
                Some(i) => match self.table.get_mut(i as usize) {
                    Some(m) => *m += n,
                    None => *self.rest.entry(i).or_default() += n,
                },
            }
        }
    }

    /// Every id counted (`None`: without the label) and its contacts, in no fixed order.
    pub fn counts(&self) -> impl Iterator<Item = (Option<u32>, u64)> + '_ {
        let table = self.table.iter().enumerate();
        table
            .map(|(i, &n)| (Some(i as u32), n))
            .chain(self.rest.iter().map(|(&i, &n)| (Some(i), n)))
            .chain(std::iter::once((None, self.none)))
            .filter(|&(_, n)| n > 0)
    }
}

/// One chunk's contacts grouped by [`Key`] (counted, their durations summed in row order)
/// and by [`Slot`] (counted), its consultations by topic and complaints by type, its order
/// contacts by topic, and the response times of its urgent contacts (in row order).
#[derive(Debug, Default)]
pub(super) struct ChunkTally {
    groups: FastMap<u64, Group>,
    slots: FastMap<u32, u64>,
    pub topics: LabelCounts,
    pub complaint_types: LabelCounts,
    orders: FastMap<Option<u32>, OrderSums>,
    pub urgent_resp: Vec<f64>,
}

impl ChunkTally {
    /// For topic and complaint type columns with ids below `topics` and `complaint_types`.
    pub fn new(topics: usize, complaint_types: usize) -> Self {
        ChunkTally {
            topics: LabelCounts::new(topics),
            complaint_types: LabelCounts::new(complaint_types),
            ..Default::default()
        }
    }

    /// The next contact of the chunk: its key and slot, and its response, handling and
    /// resolution seconds (`None`: not known).
    #[inline]
    pub fn add(
        &mut self,
        key: Key,
        slot: Slot,
        resp: Option<f64>,
        handle: Option<f64>,
        resolve: Option<f64>,
    ) {
        let g = self.groups.entry(key.0).or_default();
        g.n += 1;
        if let Some(v) = resp {
            g.resp += v;
        }
        if let Some(v) = handle {
            g.handle += v;
        }
        if let Some(v) = resolve {
            g.resolve += v;
        }
        *self.slots.entry(slot.0).or_default() += 1;
    }

    /// An order contact of the topic `topic`: whether it was resolved, its handling time and
    /// its time to resolve (`None`: not known, or not resolved).
    #[inline]
    pub fn add_order(
        &mut self,
        topic: Option<u32>,
        resolved: bool,
        handle: Option<f64>,
        resolve: Option<f64>,
    ) {
        let o = self.orders.entry(topic).or_default();
        o.n += 1;
        o.resolved += u64::from(resolved);
        if let Some(h) = handle {
            o.handle.add(h, 1);
        }
        if let Some(r) = resolve {
            o.resolve.add(r, 1);
        }
    }
}

impl Tally {
    /// Add the `g.n` contacts of a group; `sl_scope` says whether their channel has a
    /// service-level threshold, `realtime` whether it is real-time.
    fn add(&mut self, key: Key, g: &Group, sl_scope: bool, realtime: bool) {
        let f = key.flags();
        let has = |bit: u16| f & bit != 0;
        let n = g.n;
        let count = |yes: bool| if yes { n } else { 0 };
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
    /// Consultations by topic, complaints by type.
    pub topics: LabelCounts,
    pub complaint_types: LabelCounts,
    /// Order contacts by topic (category id; `None`: without one).
    pub orders: BTreeMap<Option<u32>, OrderSums>,
    /// The urgent contacts, and their response times (the answered ones'), in row order.
    pub urgent: Tally,
    pub urgent_resp: Vec<f64>,
}

/// Fold the chunks' groups (in chunk order) into the breakdowns; `sl_scope(channel)` says
/// whether a channel has a service-level threshold, `channels` which are real-time,
/// `weekday(day)` is the weekday of a day number.
pub(super) fn fold(
    mut chunks: Vec<ChunkTally>,
    sl_scope: impl Fn(Channel) -> bool,
    channels: &Channels,
    weekday: impl Fn(u32) -> u32,
) -> Tallies {
    // Key order, then chunk order: every sum is taken in the same order on every run.
    let mut groups: Vec<(Key, usize, Group)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.groups.iter().map(move |(k, g)| (Key(*k), i, *g)))
        .collect();
    groups.sort_unstable_by_key(|&(k, i, _)| (k, i));
    let mut t = Tallies::default();
    for (key, _, g) in &groups {
        let scope = sl_scope(key.channel());
        let rt = channels.is_realtime(key.channel());
        t.overall.add(*key, g, scope, rt);
        t.channels
            .entry(key.channel())
            .or_default()
            .add(*key, g, scope, rt);
        if let Some(a) = key.agent() {
            t.agents.entry(a).or_default().add(*key, g, scope, rt);
        }
        if key.flags() & flag::URGENT != 0 {
            t.urgent.add(*key, g, scope, rt);
        }
    }
    for (s, n) in chunks.iter().flat_map(|c| c.slots.iter()) {
        let (s, n) = (Slot(*s), *n);
        let count = |yes: bool| if yes { n } else { 0 };
        let abandoned = channels.is_realtime(s.channel()) && !s.has(flag::ANSWERED);
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
    t.urgent_resp
        .reserve_exact(chunks.iter().map(|c| c.urgent_resp.len()).sum());
    for c in &mut chunks {
        t.topics.merge(&c.topics);
        t.complaint_types.merge(&c.complaint_types);
        for (topic, o) in &c.orders {
            t.orders.entry(*topic).or_default().merge(o);
        }
        t.urgent_resp.append(&mut c.urgent_resp);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(name: &str, realtime: bool) -> crate::channel::ChannelDecl {
        crate::channel::ChannelDecl {
            name: name.into(),
            realtime: Some(realtime),
            aliases: vec![],
        }
    }

    #[test]
    fn keys_and_slots_round_trip_at_their_limits() {
        for (agent, channel, flags) in [
            (None, 0, 0),
            (Some(0), 2, flag::ANSWERED | flag::HAS_RESOLVE),
            (Some(u32::MAX), 31, (1 << flag::BITS) - 1),
        ] {
            let k = Key::new(agent, channel, flags);
            assert_eq!(k.agent(), agent);
            assert_eq!(k.channel().index(), channel as usize);
            assert_eq!(k.flags(), flags);
        }
        for (day, hour, channel, flags) in [
            (0, 0, 0, 0),
            (30, 23, 31, flag::ANSWERED | flag::URGENT),
            (NO_DAY, 0, 2, flag::SHORT_ABANDONED | flag::SL_HIT),
        ] {
            let s = Slot::new(day, hour, channel, flags);
            assert_eq!(s.day(), (day != NO_DAY).then_some(day));
            assert_eq!(s.hour(), hour);
            assert_eq!(s.channel().index(), channel as usize);
            for bit in SLOT_FLAGS {
                assert_eq!(s.has(bit), flags & bit != 0);
            }
        }
    }

    proptest::proptest! {
        /// However the contacts are cut into runs, the breakdowns are those of one run,
        /// and each count is that of the contacts it describes.
        #[test]
        fn runs_fold_into_the_same_breakdowns(
            rows in proptest::collection::vec(
                (0u32..3, proptest::sample::select(&[0u32, 1, 2, 6, 7][..]), 0u16..(1 << flag::BITS), 0u32..3, 0u32..24,
                 proptest::option::of(0u32..1000), proptest::option::of(0u32..1000)),
                0..80),
            cuts in proptest::collection::vec(1usize..20, 1..6),
        ) {
            let add = |t: &mut ChunkTally, &(agent, ch, flags, day, hour, r, h): &(u32, u32, u16, u32, u32, Option<u32>, Option<u32>)| {
                let agent = (agent > 0).then_some(agent);
                // Whole seconds: every sum is exact, in any order.
                let (r, h) = (r.map(f64::from), h.map(f64::from));
                t.add(Key::new(agent, ch, flags), Slot::new(day, hour, ch, flags), r, h, r.map(|r| r * 2.0));
            };
            let mut one = ChunkTally::default();
            rows.iter().for_each(|r| add(&mut one, r));
            let mut runs = Vec::new();
            let (mut at, mut k) = (0, 0);
            while at < rows.len() {
                let end = (at + cuts[k % cuts.len()]).min(rows.len());
                let mut t = ChunkTally::default();
                rows[at..end].iter().for_each(|r| add(&mut t, r));
                runs.push(t);
                (at, k) = (end, k + 1);
            }
            let scope = |c| c != Channel::EMAIL;
            let weekday = |d| d % 7;
            // Declared channels 6 (real-time) and 7 (asynchronous).
            let mut table = Channels::default();
            table.declare(&[decl("app", true), decl("mini", false)], "c.toml").unwrap();
            let (a, b) = (fold(vec![one], scope, &table, weekday), fold(runs, scope, &table, weekday));
            proptest::prop_assert_eq!(a.overall, b.overall);
            proptest::prop_assert_eq!(&a.channels, &b.channels);
            proptest::prop_assert_eq!(&a.agents, &b.agents);
            proptest::prop_assert_eq!(&a.days, &b.days);
            proptest::prop_assert_eq!(&a.hours, &b.hours);
            proptest::prop_assert_eq!(a.overall.contacts, rows.len() as u64);
            let answered = rows.iter().filter(|r| r.2 & flag::ANSWERED != 0).count() as u64;
            proptest::prop_assert_eq!(a.overall.answered, answered);
            // Unanswered contacts on phone, chat and the app are abandoned; the others not.
            let abandoned = rows.iter().filter(|r| r.2 & flag::ANSWERED == 0 && [0, 2, 6].contains(&r.1)).count() as u64;
            proptest::prop_assert_eq!(a.overall.abandoned, abandoned);
            proptest::prop_assert_eq!(a.overall.unanswered + abandoned + answered, rows.len() as u64);
            let hours: u64 = a.hours.values().map(|h| h.contacts).sum();
            proptest::prop_assert_eq!(hours, rows.len() as u64);
            let with_resp: Vec<f64> = rows.iter().filter(|r| r.2 & flag::HAS_RESP != 0).filter_map(|r| r.5.map(f64::from)).collect();
            let resp_n = rows.iter().filter(|r| r.2 & flag::HAS_RESP != 0).count() as u64;
            proptest::prop_assert_eq!(a.overall.resp.n, resp_n);
            proptest::prop_assert_eq!(a.overall.resp.sum, with_resp.iter().sum::<f64>());
        }
    }

    proptest::proptest! {
        /// In the table, in the map beyond it and merged, the counts are those of the ids.
        #[test]
        fn label_counts_count_every_id(
            ids in proptest::collection::vec(proptest::option::of(0u32..8), 0..60),
            table in 0usize..10,
            cut in 0usize..60,
        ) {
            let mut want: BTreeMap<Option<u32>, u64> = BTreeMap::new();
            for id in &ids {
                *want.entry(*id).or_default() += 1;
            }
            let (a, b) = ids.split_at(cut.min(ids.len()));
            let (mut x, mut y) = (LabelCounts::new(table), LabelCounts::new(table));
            a.iter().for_each(|id| x.add(*id));
            b.iter().for_each(|id| y.add(*id));
            x.merge(&y);
            let got: BTreeMap<Option<u32>, u64> = x.counts().collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn groups_fold_into_counts_and_means() {
        // Two phone groups (answered within SL; abandoned short) and one email group.
        let phone = Channel::PHONE.index() as u32;
        let email = Channel::EMAIL.index() as u32;
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
        let rows = [
            (ka, sa, Some(10.0), Some(100.0), None),
            (ka, sa, Some(30.0), Some(200.0), None),
            (kb, sb, None, Some(5.0), None),
            (kc, sc, Some(3600.0), None, Some(7200.0)),
        ];
        // In one chunk, and in two.
        let mut one = ChunkTally::default();
        let mut two = [ChunkTally::default(), ChunkTally::default()];
        for (i, &(k, s, r, h, z)) in rows.iter().enumerate() {
            one.add(k, s, r, h, z);
            two[i / 3].add(k, s, r, h, z);
        }
        let scope = |c| c == Channel::PHONE;
        let weekday = |d| (d + 2) % 7;
        let table = Channels::default();
        let t = fold(vec![one], scope, &table, weekday);
        let t2 = fold(two.into(), scope, &table, weekday);
        assert_eq!(t.overall, t2.overall);
        assert_eq!(t.channels, t2.channels);
        assert_eq!(t.agents, t2.agents);
        assert_eq!(t.days, t2.days);
        assert_eq!(t.hours, t2.hours);
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
        assert_eq!(t.channels[&Channel::EMAIL].resp_rt.get(), None);
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
