//! A lookup table from text ids to the positions that hold them, built once and probed by
//! millions of ids: the survey link's (each contact id against the responses' contact ids);
//! and [`Ids`], a text column read by row where its values lie, without a copy.
//!
//! Open addressing with linear probing over 64-bit slots, each a 32-bit hash tag and a
//! position, at most three quarters full: a probe for an id that is not there usually reads one slot
//! and never the id's text. Most probes miss the processor's cache all the same, so they are
//! made with each id's slot prefetched 16 ids ahead: the trips to main memory then
//! overlap instead of following one another. This module decides nothing about the data.

use polars::prelude::*;
use polars_arrow::array::Utf8ViewArray;
use std::hash::BuildHasher;

/// How many ids ahead of the one looked up (or inserted) its slot is prefetched.
const AHEAD: usize = 16;

/// `then` of each item in order, `fetch` of it [`AHEAD`] items earlier: the trips to main
/// memory of the next items overlap while this one is used.
#[inline(always)]
fn each_fetched_ahead<T: Copy + Default>(
    items: impl Iterator<Item = T>,
    mut fetch: impl FnMut(&T),
    mut then: impl FnMut(T),
) {
    let mut ring = [T::default(); AHEAD];
    let mut n = 0usize;
    for item in items {
        fetch(&item);
        let at = n % AHEAD;
        if n >= AHEAD {
            then(ring[at]);
        }
        ring[at] = item;
        n += 1;
    }
    for k in n.saturating_sub(AHEAD)..n {
        then(ring[k % AHEAD]);
    }
}

/// `n` zeros, each page of them written once. Fresh zeroed memory from the system is
/// mapped to the zero page on its first read (an insert reads its slot before writing it),
/// and each first write then replaces the mapping and flushes the other core's TLB with an
/// interrupt: half the time of making a 2 M-entry table (BENCHMARKS.md, session 40). A
/// first write maps a fresh page at once.
fn zeros_for_writing(n: usize) -> Vec<u64> {
    let mut v = vec![0u64; n];
    for page in v.chunks_mut(4096 / std::mem::size_of::<u64>()) {
        // SAFETY: a write, through a valid reference, of the value already there; volatile,
        // so that it is not left out.
        unsafe { std::ptr::write_volatile(&mut page[0], 0) };
    }
    v
}

/// A text column's arrays, each with the row it starts at and its length: a row's value
/// read where it lies.
#[derive(Clone)]
pub(super) struct Ids<'a> {
    pub(super) arrays: Vec<&'a Utf8ViewArray>,
    pub(super) offsets: Vec<(usize, usize)>,
}

impl<'a> Ids<'a> {
    pub(super) fn of(c: &'a StringChunked) -> Self {
        Ids {
            arrays: c.downcast_iter().collect(),
            offsets: crate::util::chunk_ranges(c),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.offsets.last().map_or(0, |(o, n)| o + n)
    }

    /// The array of row `i` and the row's index in it.
    fn at(&self, i: usize) -> (&'a Utf8ViewArray, usize) {
        let k = self.offsets.partition_point(|(o, _)| *o <= i) - 1;
        (self.arrays[k], i - self.offsets[k].0)
    }

    /// The id of row `i`, which must have one.
    pub(super) fn value(&self, i: usize) -> &'a str {
        let (a, j) = self.at(i);
        a.value(j)
    }

    /// The id of row `i`, if it has one.
    fn get(&self, i: usize) -> Option<&'a str> {
        let (a, j) = self.at(i);
        a.get(j)
    }

    /// The rows `from..to` with their ids (which they must have), array by array.
    pub(super) fn walk(
        &self,
        (from, to): (usize, usize),
    ) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        self.arrays
            .iter()
            .zip(&self.offsets)
            .flat_map(move |(arr, &(o, len))| {
                let (s, e) = (from.max(o), to.min(o + len));
                (s..e.max(s)).map(move |i| (i, arr.value(i - o)))
            })
    }
}

pub struct IdTable<'a> {
    /// The ids, by position: the column's, not copied.
    ids: Ids<'a>,
    /// `tag << 32 | position + 1`, 0 when empty.
    slots: Vec<u64>,
    mask: usize,
    /// For each position, the previous position with the same id (`u32::MAX`: none).
    prev: Vec<u32>,
}

fn hash(id: &str) -> u64 {
    foldhash::fast::FixedState::default().hash_one(id)
}

/// Ask the processor to fetch the cache line at `p` (a hint only; nothing elsewhere).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing architecturally and cannot fault, whatever the
    // address; `p` is not dereferenced.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl<'a> IdTable<'a> {
    /// The table of `ids` (missing ids are left out). Positions must fit in `u32`.
    pub fn new(ids: &'a StringChunked) -> Self {
        assert!(ids.len() < u32::MAX as usize, "positions fit in 32 bits");
        let ids = Ids::of(ids);
        let n = ids.len();
        // Between three eighths and three quarters full: eight slots share a cache line, so
        // a probe still reads one line, or two.
        let cap = (n + n / 3).next_power_of_two().max(16);
        let slots = zeros_for_writing(cap);
        let mut t = IdTable {
            ids: ids.clone(),
            slots,
            mask: cap - 1,
            prev: vec![u32::MAX; n],
        };
        // Positions and hashes, inserted in order.
        let rows = ids.arrays.iter().flat_map(|a| a.iter()).enumerate();
        let hashed = rows.filter_map(|(i, id)| Some((i as u32, hash(id?))));
        // The slot's address only: `insert` writes the slots meanwhile.
        let (mask, slots) = (t.mask, t.slots.as_ptr());
        each_fetched_ahead(
            hashed,
            |&(_, h)| prefetch(slots.wrapping_add(h as usize & mask)),
            |(i, h)| t.insert(h, i),
        );
        t
    }

    /// How many positions the table has.
    pub fn positions(&self) -> usize {
        self.prev.len()
    }

    fn insert(&mut self, h: u64, i: u32) {
        let tag = h >> 32;
        let mut at = h as usize & self.mask;
        loop {
            let s = self.slots[at];
            if s == 0 {
                self.slots[at] = tag << 32 | (i as u64 + 1);
                return;
            }
            let p = (s as u32).wrapping_sub(1);
            if s >> 32 == tag && self.ids.get(p as usize) == self.ids.get(i as usize) {
                // The same id again: the slot takes the later position.
                self.prev[i as usize] = p;
                self.slots[at] = tag << 32 | (i as u64 + 1);
                return;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The last position holding `id` (of hash `h`).
    #[inline]
    fn find(&self, h: u64, id: &str) -> Option<u32> {
        let tag = h >> 32;
        let mut at = h as usize & self.mask;
        loop {
            let s = self.slots[at];
            if s == 0 {
                return None;
            }
            let p = (s as u32).wrapping_sub(1);
            if s >> 32 == tag && self.ids.get(p as usize) == Some(id) {
                return Some(p);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The last position holding each id of `probes`, in order.
    pub fn find_all<'p>(
        &self,
        probes: impl Iterator<Item = Option<&'p str>>,
        mut found: impl FnMut(Option<u32>),
    ) {
        each_fetched_ahead(
            probes.map(|id| (id.map_or(0, hash), id)),
            |&(h, id)| {
                if id.is_some() {
                    prefetch(&self.slots[h as usize & self.mask]);
                }
            },
            |(h, id)| found(id.and_then(|id| self.find(h, id))),
        );
    }

    /// Position `last` and the earlier positions holding the same id, latest first.
    pub fn with_same_id(&self, last: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(last), |&i| {
            Some(self.prev[i as usize]).filter(|&p| p != u32::MAX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    proptest::proptest! {
        /// Every probe finds the last position of its id and, through it, all the others,
        /// latest first; ids not in the table are not found.
        #[test]
        fn finds_what_a_map_finds(
            keys in proptest::collection::vec(proptest::option::of(0u8..40), 0..300),
            probes in proptest::collection::vec(proptest::option::of(0u8..60), 0..300),
        ) {
            let text = |k: u8| format!("C{k}");
            let owned: Vec<Option<String>> = keys.iter().map(|k| k.map(text)).collect();
            let ids: Vec<Option<&str>> = owned.iter().map(|k| k.as_deref()).collect();
            // In two chunks, read where they lie.
            let half = ids.len() / 2;
            let mut column = StringChunked::from_iter_options("id".into(), ids[..half].iter().copied());
            column.append(&StringChunked::from_iter_options("id".into(), ids[half..].iter().copied())).unwrap();
            let mut want: HashMap<&str, Vec<u32>> = HashMap::new();
            for (i, id) in ids.iter().enumerate() {
                if let Some(id) = id {
                    want.entry(id).or_default().insert(0, i as u32);
                }
            }
            let table = IdTable::new(&column);
            proptest::prop_assert_eq!(table.positions(), ids.len());
            let probe_text: Vec<Option<String>> = probes.iter().map(|k| k.map(text)).collect();
            let mut got = Vec::new();
            table.find_all(probe_text.iter().map(|p| p.as_deref()), |p| got.push(p));
            proptest::prop_assert_eq!(got.len(), probes.len());
            for (p, g) in probe_text.iter().zip(got) {
                let w = p.as_deref().and_then(|p| want.get(p));
                proptest::prop_assert_eq!(g, w.map(|w| w[0]));
                if let (Some(g), Some(w)) = (g, w) {
                    let all: Vec<u32> = table.with_same_id(g).collect();
                    proptest::prop_assert_eq!(&all, w);
                }
            }
        }
    }
}
