//! The contacts of the inputs as compact records grouped by caller, for the measures that
//! follow callers ([`super::repeat`], [`super::callback`]): each contact's caller (the keyed
//! hash of [`crate::normalize::caller`]), arrival, the time its caller stopped waiting,
//! agent, channel code and flags, sorted by caller, then arrival, then row. Callers are taken
//! in buckets of their hash, so that only a share of the inputs' contacts is held at once,
//! and each bucket in parts small enough to sort in cache. This module decides no measure
//! and no rule: whether a contact was answered and how long an abandon waited are
//! [`super::is_answered`] and [`super::waited`], the short-abandon threshold is the
//! caller's.

use crate::error::Result;
use polars::prelude::*;
use rayon::prelude::*;

/// Answered (see [`super::is_answered`]).
pub const ANSWERED: u8 = 1;
/// Arrived within the period's bounds.
pub const IN_PERIOD: u8 = 2;
/// On a real-time channel and not a short abandon: counted by the call-back measures.
pub const OFFERED: u8 = 4;
/// An outbound contact that got through: answered, or with talk time.
pub const THROUGH: u8 = 8;

/// One contact with a caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    pub caller: u64,
    pub at: i64,
    /// When the caller stopped waiting: arrival plus wait (the arrival when no wait is given).
    pub gone: i64,
    /// The agent's id in the agent column's categories ([`NO_AGENT`] when none is given).
    pub agent: u32,
    pub channel: u8,
    pub bits: u8,
}

/// [`Call::agent`] of a contact without an agent.
pub const NO_AGENT: u32 = u32::MAX;

/// A record to fill a bucket's vector with before the calls take their places.
const NO_CALL: Call = Call {
    caller: 0,
    at: 0,
    gone: 0,
    agent: NO_AGENT,
    channel: 0,
    bits: 0,
};

impl Call {
    pub fn has(&self, bit: u8) -> bool {
        self.bits & bit != 0
    }
}

/// Calls per bucket aimed at: a bucket's calls (32 bytes each) stay under 128 MB. Each bucket
/// reads the columns once more: fewer, larger buckets read less (BENCHMARKS.md, session 29).
const PER_BUCKET: usize = 4_000_000;

/// The columns of a contacts frame these measures read, chunked alike.
pub struct Source {
    caller: UInt64Chunked,
    arrived: Int64Chunked,
    answered_ms: Option<Int64Chunked>,
    answered_flag: Option<BooleanChunked>,
    channel: UInt32Chunked,
    wait: Option<Float64Chunked>,
    closed: Option<Int64Chunked>,
    talk: Option<Float64Chunked>,
    agent: Option<UInt32Chunked>,
    /// The text of the agent ids.
    pub agents: Option<Arc<CategoricalMapping>>,
    /// The latest arrival of the frame (0 when empty).
    pub end: i64,
    /// How many buckets the callers are taken in.
    pub buckets: u32,
}

/// What decides a contact's flags: the period's bounds and the short-abandon threshold of
/// a channel code (`None`: not a real-time channel).
pub struct Rules<'a> {
    pub bounds: (i64, i64),
    pub short_abandon: &'a (dyn Fn(u32) -> Option<f64> + Sync),
}

impl Rules<'_> {
    /// The short-abandon threshold of every channel code a call can have.
    fn thresholds(&self) -> Vec<Option<f64>> {
        (0..=u8::MAX as u32)
            .map(|c| (self.short_abandon)(c))
            .collect()
    }
}

impl Source {
    /// The columns of `df`; `None` when it has no caller column (callers not kept).
    pub fn of(df: &DataFrame) -> Result<Option<Source>> {
        let Ok(caller) = df.column("caller") else {
            return Ok(None);
        };
        let opt = |name: &str| df.column(name).ok().map(|c| c.as_materialized_series());
        let mut s = Source {
            caller: caller.u64()?.clone(),
            arrived: df.column("arrived_ms")?.i64()?.clone(),
            answered_ms: opt("answered_ms").map(|c| c.i64().cloned()).transpose()?,
            answered_flag: opt("answered_flag")
                .map(|c| c.bool().cloned())
                .transpose()?,
            channel: df
                .column("channel")?
                .as_materialized_series()
                .to_physical_repr()
                .cast(&DataType::UInt32)?
                .u32()?
                .clone(),
            wait: opt("wait_s").map(|c| c.f64().cloned()).transpose()?,
            closed: opt("resolved_ms").map(|c| c.i64().cloned()).transpose()?,
            talk: opt("handle_s").map(|c| c.f64().cloned()).transpose()?,
            agent: None,
            agents: None,
            end: 0,
            buckets: 1,
        };
        if let Some(a) = opt("agent_id") {
            // Held as categories; a text column (a frame built by hand) is made one.
            let a = match a.dtype() {
                DataType::String => a.strict_cast(
                    crate::normalize::dtypes::contact_type("agent_id").expect("a label column"),
                )?,
                _ => a.clone(),
            };
            s.agents = Some(a.dtype().cat_mapping()?.clone());
            s.agent = Some(a.cat32()?.physical().clone());
        }
        s.end = s.arrived.max().unwrap_or(0);
        s.buckets = (s.caller.len() - s.caller.null_count())
            .div_ceil(PER_BUCKET)
            .next_power_of_two() as u32;
        s.align();
        Ok(Some(s))
    }

    /// Every column in one chunk unless they are all chunked alike already.
    fn align(&mut self) {
        fn lens<T: PolarsDataType>(c: &ChunkedArray<T>) -> Vec<usize> {
            c.chunk_lengths().collect()
        }
        let want = lens(&self.caller);
        let ok = [
            Some(lens(&self.arrived)),
            Some(lens(&self.channel)),
            self.answered_ms.as_ref().map(lens),
            self.answered_flag.as_ref().map(lens),
            self.wait.as_ref().map(lens),
            self.closed.as_ref().map(lens),
            self.talk.as_ref().map(lens),
            self.agent.as_ref().map(lens),
        ]
        .iter()
        .flatten()
        .all(|l| *l == want);
        if ok {
            return;
        }
        self.caller.rechunk_mut();
        self.arrived.rechunk_mut();
        self.channel.rechunk_mut();
        self.answered_ms.as_mut().map(|c| c.rechunk_mut());
        self.answered_flag.as_mut().map(|c| c.rechunk_mut());
        self.wait.as_mut().map(|c| c.rechunk_mut());
        self.closed.as_mut().map(|c| c.rechunk_mut());
        self.talk.as_mut().map(|c| c.rechunk_mut());
        self.agent.as_mut().map(|c| c.rechunk_mut());
    }

    /// How many calls each share of the rows (one a thread) has in each part of each
    /// bucket: one pass over the callers for all the buckets, which [`Self::bucket`] then
    /// reads each. Callers are hashes, spread evenly.
    pub fn layout(&self) -> Layout {
        let bits = self.buckets.trailing_zeros();
        let shares = self.shares(rayon::current_num_threads());
        let counts = shares
            .par_iter()
            .map(|share| {
                let mut n = vec![0usize; self.buckets as usize * PARTS];
                for (k, rows) in share {
                    each_caller(self.callers(*k), rows.clone(), |_, c| {
                        n[slot_of(c, bits)] += 1;
                    });
                }
                n
            })
            .collect();
        Layout { shares, counts }
    }

    /// The contacts with a caller in bucket `bucket` (of [`Self::buckets`]), `layout` being
    /// this source's: each share's calls placed straight into their part of the bucket
    /// (by the caller's next [`PART_BITS`] bits), so that every column is read once a
    /// bucket and nothing is copied but a part at a time ([`Bucket::part`]).
    pub fn bucket(&self, bucket: u32, layout: &Layout, rules: &Rules<'_>) -> Bucket {
        let bits = self.buckets.trailing_zeros();
        // The part of the bucket of a caller's calls; `None` in another bucket.
        let part = |c: u64| {
            let s = slot_of(c, bits);
            (s / PARTS == bucket as usize).then_some(s % PARTS)
        };
        let short = rules.thresholds();
        let ours = bucket as usize * PARTS..(bucket as usize + 1) * PARTS;
        let mut at = 0;
        let starts: Vec<Vec<usize>> = layout
            .counts
            .iter()
            .map(|n| {
                let mut s = vec![at];
                s.extend(n[ours.clone()].iter().map(|n| {
                    at += n;
                    at
                }));
                s
            })
            .collect();
        // Not filled first: every slot is written once below (a pass over the bucket fewer,
        // on one thread).
        let mut calls: Vec<Call> = Vec::with_capacity(at);
        let pieces = crate::util::split_lengths(
            &mut calls.spare_capacity_mut()[..at],
            starts.iter().map(|s| s[PARTS] - s[0]),
        );
        pieces
            .into_par_iter()
            .zip(&layout.shares)
            .zip(&starts)
            .for_each(|((out, share), s)| {
                // Where the share's next call of each part goes.
                let mut next: Vec<usize> = s[..PARTS].iter().map(|x| x - s[0]).collect();
                for (k, rows) in share {
                    let chunk = self.chunk(*k);
                    each_caller(self.callers(*k), rows.clone(), |i, c| {
                        if let Some(p) = part(c) {
                            out[next[p]].write(chunk.call(i, c, rules.bounds, &short));
                            next[p] += 1;
                        }
                    });
                }
                // Each part filled to where the next starts: the share's slots all written.
                assert!(next.iter().zip(&s[1..]).all(|(n, e)| *n == e - s[0]));
            });
        // SAFETY: the pieces cover `calls`' first `at` slots, and each piece's parts were
        // counted on the same rows with the same `slot_of`: every slot was written
        // (asserted above for each piece).
        unsafe { calls.set_len(at) };
        Bucket {
            calls,
            starts,
            shift: bits + PART_BITS,
        }
    }

    /// The caller column's chunk `k`.
    fn callers(&self, k: usize) -> &<UInt64Type as PolarsDataType>::Array {
        self.caller.downcast_get(k).expect("aligned chunk")
    }

    /// The rows cut into `n` shares of about equal length, in order: each share's pieces of
    /// chunks, as (chunk, rows of the chunk).
    fn shares(&self, n: usize) -> Vec<Vec<(usize, std::ops::Range<usize>)>> {
        let len = self.caller.len();
        let each = len.div_ceil(n.max(1)).max(1);
        let mut shares: Vec<Vec<_>> = vec![Vec::new(); len.div_ceil(each)];
        for (k, (start, rows)) in crate::util::chunk_ranges(&self.caller)
            .into_iter()
            .enumerate()
        {
            let mut i = 0;
            while i < rows {
                let share = (start + i) / each;
                let end = rows.min((share + 1) * each - start);
                shares[share].push((k, i..end));
                i = end;
            }
        }
        shares
    }

    /// The arrays of chunk `k` of every column (the columns are aligned).
    fn chunk(&self, k: usize) -> Chunk<'_> {
        fn opt<T: PolarsDataType>(c: &Option<ChunkedArray<T>>, k: usize) -> Option<&T::Array> {
            c.as_ref()?.downcast_get(k)
        }
        Chunk {
            arrived: self.arrived.downcast_get(k),
            answered_ms: opt(&self.answered_ms, k),
            answered_flag: opt(&self.answered_flag, k),
            channel: self.channel.downcast_get(k),
            wait: opt(&self.wait, k),
            closed: opt(&self.closed, k),
            talk: opt(&self.talk, k),
            agent: opt(&self.agent, k),
        }
    }

    /// How many contacts without a caller have every bit of each of `masks`.
    pub fn without_caller<const N: usize>(&self, rules: &Rules<'_>, masks: [u8; N]) -> [u64; N] {
        let short = rules.thresholds();
        let mut n = [0; N];
        for k in 0..self.caller.chunks().len() {
            let callers = self.caller.downcast_get(k).expect("aligned chunk");
            if callers.validity().is_none() {
                continue;
            }
            let chunk = self.chunk(k);
            for i in (0..callers.len()).filter(|&i| callers.get(i).is_none()) {
                let c = chunk.call(i, 0, rules.bounds, &short);
                for (n, m) in n.iter_mut().zip(masks) {
                    *n += u64::from(c.bits & m == m);
                }
            }
        }
        n
    }

    /// Every contact's (caller, arrival), and those of the contacts with every bit of
    /// `bits`, sorted: the outbound contacts a call-back is looked up in.
    pub fn times(&self, rules: &Rules<'_>, bits: u8) -> (Vec<(u64, i64)>, Vec<(u64, i64)>) {
        let (mut all, mut some) = (Vec::new(), Vec::new());
        // Buckets and their parts go up the callers' hash, each sorted: the lists come out
        // sorted.
        let mut scratch = PartScratch::default();
        let layout = self.layout();
        for b in 0..self.buckets {
            let bucket = self.bucket(b, &layout, rules);
            for p in 0..PARTS {
                for c in bucket.part(p, &mut scratch) {
                    all.push((c.caller, c.at));
                    if c.bits & bits == bits {
                        some.push((c.caller, c.at));
                    }
                }
            }
        }
        debug_assert!(all.is_sorted() && some.is_sorted());
        (all, some)
    }
}

/// One chunk of each column of a [`Source`] (`None`: the column is not given).
struct Chunk<'a> {
    arrived: Option<&'a <Int64Type as PolarsDataType>::Array>,
    answered_ms: Option<&'a <Int64Type as PolarsDataType>::Array>,
    answered_flag: Option<&'a <BooleanType as PolarsDataType>::Array>,
    channel: Option<&'a <UInt32Type as PolarsDataType>::Array>,
    wait: Option<&'a <Float64Type as PolarsDataType>::Array>,
    closed: Option<&'a <Int64Type as PolarsDataType>::Array>,
    talk: Option<&'a <Float64Type as PolarsDataType>::Array>,
    agent: Option<&'a <UInt32Type as PolarsDataType>::Array>,
}

impl Chunk<'_> {
    /// The record of the chunk's `i`th row, caller `caller`.
    /// `short`: the short-abandon threshold of each channel code ([`Rules::short_abandon`]).
    #[inline]
    fn call(&self, i: usize, caller: u64, bounds: (i64, i64), short: &[Option<f64>]) -> Call {
        fn get<A: StaticArray>(a: Option<&A>, i: usize) -> Option<A::ValueT<'_>> {
            a?.get(i)
        }
        let at = get(self.arrived, i).unwrap_or(0);
        let answered = super::is_answered(get(self.answered_ms, i), get(self.answered_flag, i));
        let channel = get(self.channel, i).unwrap_or(0);
        let wait = get(self.wait, i);
        let (a, b) = bounds;
        let mut bits = 0;
        if answered {
            bits |= ANSWERED;
        }
        if (a..b).contains(&at) {
            bits |= IN_PERIOD;
        }
        if let Some(sa) = short.get(channel as usize).copied().flatten() {
            let waited = super::waited(wait, at, get(self.closed, i));
            if answered || !waited.is_some_and(|w| w < sa) {
                bits |= OFFERED;
            }
        }
        if answered || get(self.talk, i).is_some_and(|s| s > 0.0) {
            bits |= THROUGH;
        }
        Call {
            caller,
            at,
            gone: at.saturating_add((wait.unwrap_or(0.0) * 1000.0) as i64),
            agent: get(self.agent, i).unwrap_or(NO_AGENT),
            channel: channel.min(u8::MAX as u32) as u8,
            bits,
        }
    }
}

/// Bits of the caller hash below a bucket's that place a call in its part of the bucket.
const PART_BITS: u32 = 8;
/// Parts of a bucket.
pub const PARTS: usize = 1 << PART_BITS;

/// The bucket and part of caller `c` as one slot, `bucket * PARTS + part`, when the callers
/// are taken in `1 << bucket_bits` buckets: the hash's top bits, then the next
/// [`PART_BITS`].
#[inline]
fn slot_of(c: u64, bucket_bits: u32) -> usize {
    (c >> (64 - bucket_bits - PART_BITS)) as usize
}

/// The rows of a [`Source`] in shares (one a thread) and how many calls each share has in
/// each slot ([`slot_of`]), for [`Source::bucket`].
pub struct Layout {
    shares: Vec<Vec<(usize, std::ops::Range<usize>)>>,
    counts: Vec<Vec<usize>>,
}

/// One bucket's calls ([`Source::bucket`]): each share's, placed by part in row order.
pub struct Bucket {
    calls: Vec<Call>,
    /// For each share, where each of its parts starts in `calls`, then where its last ends.
    starts: Vec<Vec<usize>>,
    /// The bits of a caller's hash that place it in its bucket and part.
    shift: u32,
}

/// Room to sort a part in ([`Bucket::part`]), reused from part to part.
#[derive(Default)]
pub struct PartScratch {
    calls: Vec<Call>,
    ends: Vec<usize>,
}

impl Bucket {
    /// The calls of part `p` (of [`PARTS`]), sorted by caller, arrival and row, in
    /// `scratch`. The parts go up the callers' hash.
    pub fn part<'s>(&self, p: usize, scratch: &'s mut PartScratch) -> &'s [Call] {
        let pieces = || self.starts.iter().map(|s| &self.calls[s[p]..s[p + 1]]);
        let n: usize = pieces().map(<[Call]>::len).sum();
        // The callers' next bits place the calls in about as many slots as there are
        // calls (a counting sort, in row order); the few calls of a slot are then sorted.
        let bits = n.max(2).ilog2().min(16);
        let slot = |c: &Call| ((c.caller << self.shift) >> (64 - bits)) as usize;
        let PartScratch { calls, ends } = scratch;
        ends.clear();
        ends.resize((1 << bits) + 1, 0);
        for c in pieces().flatten() {
            ends[slot(c) + 1] += 1;
        }
        for k in 1..ends.len() {
            ends[k] += ends[k - 1];
        }
        calls.clear();
        calls.resize(n, NO_CALL);
        for c in pieces().flatten() {
            let at = &mut ends[slot(c)];
            calls[*at] = *c;
            *at += 1;
        }
        // Each slot's calls in row order: a stable sort leaves a caller's equal arrivals
        // in row order.
        let mut start = 0;
        for &end in &ends[..1 << bits] {
            if end - start > 1 {
                calls[start..end].sort_by_key(|c| (c.caller, c.at));
            }
            start = end;
        }
        calls
    }
}

/// `f(i, caller)` for each row `i` in `rows` of `callers` that has one.
#[inline]
fn each_caller(
    callers: &<UInt64Type as PolarsDataType>::Array,
    rows: std::ops::Range<usize>,
    mut f: impl FnMut(usize, u64),
) {
    let values = &callers.values()[rows.clone()];
    match callers.validity().filter(|v| v.unset_bits() > 0) {
        None => values.iter().zip(rows).for_each(|(&c, i)| f(i, c)),
        Some(v) => values
            .iter()
            .zip(rows)
            .filter(|&(_, i)| v.get_bit(i))
            .for_each(|(&c, i)| f(i, c)),
    }
}

/// Each caller's calls in `calls` (sorted by caller).
pub fn by_caller(calls: &[Call]) -> impl Iterator<Item = &[Call]> {
    calls.chunk_by(|x, y| x.caller == y.caller)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Each bucket's parts, in turn, hold the calls of its callers in the order one
        /// sort by (caller, arrival, row) gives them: callers spread over the whole hash and
        /// callers alike but in their low bits, equal arrivals, rows without a caller,
        /// several chunks, any number of buckets and threads.
        #[test]
        fn buckets_hold_their_callers_calls_sorted_by_caller_arrival_and_row(
            picks in prop::collection::vec((0usize..8, 0i64..4), 0..300),
            spread in prop::collection::vec(any::<u64>(), 8),
            cut in 0usize..300,
            bucket_bits in 0u32..3,
            threads in 1usize..4,
        ) {
            let caller = |who: usize| match who {
                7 => None,
                w if w % 2 == 0 => Some(spread[w]),
                w => Some(0x8000_0000_0000_0000 | w as u64),
            };
            let frame = |picks: &[(usize, i64)], first: usize| df!(
                "caller" => picks.iter().map(|p| caller(p.0)).collect::<Vec<_>>(),
                "arrived_ms" => picks.iter().map(|p| p.1).collect::<Vec<_>>(),
                "channel" => vec![0u32; picks.len()],
                "wait_s" => (first..first + picks.len()).map(|r| r as f64).collect::<Vec<_>>(),
            ).unwrap();
            let cut = cut.min(picks.len());
            let mut df = frame(&picks[..cut], 0);
            df.vstack_mut(&frame(&picks[cut..], cut)).unwrap();
            let mut src = Source::of(&df).unwrap().unwrap();
            src.buckets = 1 << bucket_bits;
            let rules = Rules { bounds: (0, 4), short_abandon: &|_| None };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for b in 0..src.buckets {
                let layout = pool.install(|| src.layout());
                let bucket = pool.install(|| src.bucket(b, &layout, &rules));
                let mut got = Vec::new();
                let mut scratch = PartScratch::default();
                for p in 0..PARTS {
                    // Each row's wait is its number of seconds: the row is in `gone`.
                    let row = |c: &Call| ((c.gone - c.at) / 1000) as u32;
                    let part = bucket.part(p, &mut scratch);
                    got.extend(part.iter().map(|c| (c.caller, c.at, row(c))));
                }
                let mut want: Vec<(u64, i64, u32)> = picks
                    .iter()
                    .enumerate()
                    .filter_map(|(row, &(who, at))| Some((caller(who)?, at, row as u32)))
                    .filter(|(c, _, _)| bucket_bits == 0 || (c >> (64 - bucket_bits)) as u32 == b)
                    .collect();
                want.sort_unstable();
                prop_assert_eq!(got, want);
            }
        }
    }
}
