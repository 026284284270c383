//! A lookup table from text ids to the positions that hold them, built once and probed by
//! millions of ids: the survey link's (each contact id against the responses' contact ids).
//!
//! Open addressing with linear probing over 64-bit slots, each a 32-bit hash tag and a
//! position, at most three quarters full: a probe for an id that is not there usually reads one slot
//! and never the id's text. Most probes miss the processor's cache all the same, so they are
//! made in batches whose slots are prefetched first: the batch's trips to main memory then
//! overlap instead of following one another. This module decides nothing about the data.

use std::hash::BuildHasher;

/// Ids probed at a time, their slots prefetched first.
const BATCH: usize = 16;

pub struct IdTable<'a> {
    /// The ids, by position.
    ids: &'a [Option<&'a str>],
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
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing architecturally and cannot fault; `p` is a reference.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl<'a> IdTable<'a> {
    /// The table of `ids` (`None` entries are left out). Positions must fit in `u32`.
    pub fn new(ids: &'a [Option<&'a str>]) -> Self {
        assert!(ids.len() < u32::MAX as usize, "positions fit in 32 bits");
        // Between three eighths and three quarters full: eight slots share a cache line, so
        // a probe still reads one line, or two.
        let cap = (ids.len() + ids.len() / 3).next_power_of_two().max(16);
        let mut t = IdTable {
            ids,
            slots: vec![0; cap],
            mask: cap - 1,
            prev: vec![u32::MAX; ids.len()],
        };
        for (start, batch) in ids.chunks(BATCH).enumerate() {
            let mut hashes = [None; BATCH];
            for (h, id) in hashes.iter_mut().zip(batch) {
                *h = id.map(hash);
                if let Some(h) = *h {
                    prefetch(&t.slots[h as usize & t.mask]);
                }
            }
            for (k, h) in hashes[..batch.len()].iter().enumerate() {
                if let Some(h) = *h {
                    t.insert(h, (start * BATCH + k) as u32);
                }
            }
        }
        t
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
            if s >> 32 == tag && self.ids[p as usize] == self.ids[i as usize] {
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
            if s >> 32 == tag && self.ids[p as usize] == Some(id) {
                return Some(p);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The last position holding each id of `probes`, in order, batch by batch.
    pub fn find_all<'p>(
        &self,
        probes: impl Iterator<Item = Option<&'p str>>,
        mut found: impl FnMut(Option<u32>),
    ) {
        let mut batch: [(u64, Option<&str>); BATCH] = [(0, None); BATCH];
        let mut n = 0;
        let mut flush = |batch: &[(u64, Option<&str>)]| {
            for &(h, id) in batch {
                found(id.and_then(|id| self.find(h, id)));
            }
        };
        for id in probes {
            let h = id.map_or(0, hash);
            if id.is_some() {
                prefetch(&self.slots[h as usize & self.mask]);
            }
            batch[n] = (h, id);
            n += 1;
            if n == BATCH {
                flush(&batch);
                n = 0;
            }
        }
        flush(&batch[..n]);
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
            let mut want: HashMap<&str, Vec<u32>> = HashMap::new();
            for (i, id) in ids.iter().enumerate() {
                if let Some(id) = id {
                    want.entry(id).or_default().insert(0, i as u32);
                }
            }
            let table = IdTable::new(&ids);
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
