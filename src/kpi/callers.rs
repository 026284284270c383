//! The contacts of the inputs as compact records grouped by caller, for the measures that
//! follow callers ([`super::repeat`], [`super::callback`]): each contact's caller (the keyed
//! hash of [`crate::normalize::caller`]), arrival, the time its caller stopped waiting, row,
//! channel code and flags, sorted by caller, then arrival, then row. Callers are taken in
//! buckets of their hash, so that only a share of the inputs' contacts is held at once and
//! each bucket's sort stays in cache. This module decides no measure and no rule: whether a
//! contact was answered and how long an abandon waited are [`super::is_answered`] and
//! [`super::waited`], the short-abandon threshold is the caller's.

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
    pub row: u32,
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
    row: 0,
    agent: NO_AGENT,
    channel: 0,
    bits: 0,
};

impl Call {
    pub fn has(&self, bit: u8) -> bool {
        self.bits & bit != 0
    }
}

/// Callers per bucket aimed at: a bucket's calls (32 bytes each) stay near 64 MB.
const PER_BUCKET: usize = 2_000_000;

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

    /// The contacts with a caller in bucket `bucket` (of [`Self::buckets`]), sorted by
    /// caller, arrival and row.
    pub fn bucket(&self, bucket: u32, rules: &Rules<'_>) -> Vec<Call> {
        let shift = 64 - self.buckets.trailing_zeros();
        let ours = |c: u64| self.buckets == 1 || (c >> shift) as u32 == bucket;
        let short = rules.thresholds();
        let starts: Vec<usize> = self
            .caller
            .chunk_lengths()
            .scan(0, |at, l| {
                *at += l;
                Some(*at - l)
            })
            .collect();
        // How many of each chunk's contacts are ours: each chunk's records then go straight
        // to their place in one vector of the bucket's size.
        let counts: Vec<usize> = (0..starts.len())
            .into_par_iter()
            .map(|k| {
                let callers = self.caller.downcast_get(k).expect("aligned chunk");
                callers.iter().flatten().filter(|&&c| ours(c)).count()
            })
            .collect();
        let mut calls = vec![NO_CALL; counts.iter().sum()];
        let parts = crate::util::split_lengths(&mut calls, counts.iter().copied());
        parts.into_par_iter().enumerate().for_each(|(k, out)| {
            let callers = self.caller.downcast_get(k).expect("aligned chunk");
            let chunk = self.chunk(k);
            let ours =
                (0..callers.len()).filter_map(|i| Some((i, callers.get(i).filter(|&c| ours(c))?)));
            for (slot, (i, c)) in out.iter_mut().zip(ours) {
                *slot = chunk.call(i, starts[k] + i, c, rules.bounds, &short);
            }
        });
        sort_calls(calls, self.buckets.trailing_zeros())
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
                let c = chunk.call(i, 0, 0, rules.bounds, &short);
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
        // Buckets go up the callers' hash, each sorted: the lists come out sorted.
        for c in (0..self.buckets).flat_map(|b| self.bucket(b, rules)) {
            all.push((c.caller, c.at));
            if c.bits & bits == bits {
                some.push((c.caller, c.at));
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
    /// The record of the chunk's `i`th row (row `row` of the frame), caller `caller`.
    /// `short`: the short-abandon threshold of each channel code ([`Rules::short_abandon`]).
    #[inline]
    fn call(
        &self,
        i: usize,
        row: usize,
        caller: u64,
        bounds: (i64, i64),
        short: &[Option<f64>],
    ) -> Call {
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
            row: row as u32,
            agent: get(self.agent, i).unwrap_or(NO_AGENT),
            channel: channel.min(u8::MAX as u32) as u8,
            bits,
        }
    }
}

/// Bits of the caller hash below a bucket's that [`sort_calls`] sorts by first.
const PART_BITS: u32 = 8;

/// `calls` (of one bucket: their callers' top `bucket_bits` bits alike) sorted by caller,
/// arrival and row. The callers are hashes, spread evenly: placed by their next
/// [`PART_BITS`] bits first, parts of a few thousand calls are left to sort
/// ([`crate::util::sort_by_parts`]).
pub(super) fn sort_calls(calls: Vec<Call>, bucket_bits: u32) -> Vec<Call> {
    let part = |c: &Call| ((c.caller << bucket_bits) >> (64 - PART_BITS)) as usize;
    let key = |c: &Call| (c.caller, c.at, c.row);
    crate::util::sort_by_parts(calls, 1 << PART_BITS, part, key, NO_CALL)
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
        /// The counting sort by the caller's next bits, then the parts' sorts, give the
        /// calls in the order one sort by (caller, arrival, row) gives them: callers spread
        /// over the whole hash and callers alike but in their low bits, equal arrivals.
        #[test]
        fn calls_sort_as_one_sort_by_caller_arrival_and_row(
            picks in prop::collection::vec((0usize..6, 0i64..4), 0..300),
            spread in prop::collection::vec(any::<u64>(), 6),
            bucket_bits in 0u32..3,
        ) {
            let calls: Vec<Call> = picks
                .iter()
                .enumerate()
                .map(|(row, &(who, at))| {
                    // Half the callers differ only in their lowest bits.
                    let c = if who % 2 == 0 { spread[who] } else { 0x8000_0000_0000_0000 | who as u64 };
                    // One bucket: the top bits cleared to the bucket's.
                    let caller = (c << bucket_bits) >> bucket_bits;
                    Call { caller, at, row: (picks.len() - row) as u32, ..NO_CALL }
                })
                .collect();
            let mut want = calls.clone();
            want.sort_unstable_by_key(|c| (c.caller, c.at, c.row));
            prop_assert_eq!(sort_calls(calls, bucket_bits), want);
        }
    }
}
