//! Duplicate ids: rows whose `contact_id` repeats an earlier row's are found by hashing every
//! id in parallel and comparing only the ids whose hash repeats; the first row wins and the
//! others are accounted for as duplicates.

use super::{Ledger, KEY};
use crate::error::Result;
use crate::util::FastMap;
use polars::prelude::*;

/// Top bits of a hash that [`repeated_hashes`] sorts by first.
const PART_BITS: u32 = 12;

/// The hashes that occur more than once in `hashes`: equal hashes meet in a sort.
pub(crate) fn repeated_hashes(
    hashes: Vec<u64>,
) -> std::collections::HashSet<u64, foldhash::fast::FixedState> {
    let part = |h: &u64| (h >> (64 - PART_BITS)) as usize;
    crate::util::sort_by_parts(hashes, 1 << PART_BITS, part, |h| *h, 0)
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect()
}

/// Rows that repeat an earlier row's id: `(row, first row)` positions in frame order. Every
/// id is hashed in parallel and the hashes sorted; only ids whose hash repeats are then
/// compared as text, in frame order.
pub(super) fn duplicates(df: &DataFrame, id: &str) -> Result<Vec<(usize, usize)>> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let ids = df.column(id)?.str()?;
    let state = foldhash::fast::FixedState::default();
    let arrays: Vec<_> = ids.downcast_iter().collect();
    // Each array's hashes written in its own place of one vector on the threads (a
    // collect of an unknown length would join the threads' pieces on one thread).
    let mut hashes = vec![0u64; ids.len()];
    let places = crate::util::split_lengths(&mut hashes, arrays.iter().map(|a| a.len()));
    arrays.par_iter().zip(places).for_each(|(a, place)| {
        for (h, v) in place.iter_mut().zip(a.values_iter()) {
            *h = state.hash_one(v);
        }
    });
    let repeated = repeated_hashes(hashes);
    if repeated.is_empty() {
        return Ok(Vec::new());
    }
    // The rows whose hash repeats, found in parallel array by array, then compared in order.
    let mut offsets = Vec::with_capacity(arrays.len());
    let mut at = 0usize;
    for a in &arrays {
        offsets.push(at);
        at += a.len();
    }
    let candidates: Vec<(usize, &str)> = arrays
        .par_iter()
        .zip(offsets)
        .flat_map_iter(|(a, offset)| {
            let (repeated, state) = (&repeated, &state);
            a.iter().enumerate().filter_map(move |(j, v)| {
                let v = v?;
                repeated
                    .contains(&state.hash_one(v))
                    .then_some((offset + j, v))
            })
        })
        .collect();
    // The first row by key wins: a frame's rows are in key order, but for the outbound
    // rows read in blocks, which come after the others (see `ContactSink::finish`).
    let mut candidates = candidates;
    if let Ok(keys) = df.column(KEY).and_then(|c| c.u64().cloned()) {
        candidates.sort_by_key(|&(i, _)| keys.get(i));
    }
    let mut first: FastMap<&str, usize> = FastMap::default();
    let mut out = Vec::new();
    for (i, v) in candidates {
        match first.entry(v) {
            std::collections::hash_map::Entry::Occupied(e) => out.push((i, *e.get())),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    Ok(out)
}

/// Concatenate the parts (in key order), drop the rows whose id repeats an earlier row's
/// (listed as duplicates in the ledger) and the key column.
pub(super) fn finish_parts(
    parts: Vec<DataFrame>,
    empty: DataFrame,
    id: &str,
    id_column: &str,
    ledger: &mut Ledger,
) -> Result<DataFrame> {
    let (df, keep) = stack_parts(parts, empty, id, id_column, ledger)?;
    kept(df, keep.as_ref())
}

/// The rows of `df` that `keep` keeps (all when `None`).
pub(super) fn kept(df: DataFrame, keep: Option<&BooleanChunked>) -> Result<DataFrame> {
    Ok(match keep {
        Some(k) => df.filter(k)?,
        None => df,
    })
}

/// [`finish_parts`] without the filter: the whole frame (without the key column) and which
/// rows to keep, `None` when every row is kept.
pub(super) fn stack_parts(
    parts: Vec<DataFrame>,
    empty: DataFrame,
    id: &str,
    id_column: &str,
    ledger: &mut Ledger,
) -> Result<(DataFrame, Option<BooleanChunked>)> {
    let df = if parts.is_empty() {
        empty
    } else {
        let mut parts = parts.into_iter();
        let mut df = parts.next().unwrap_or(empty);
        for p in parts {
            df.vstack_mut_owned(p)?;
        }
        df
    };
    let dups = duplicates(&df, id)?;
    let mut keep = None;
    if !dups.is_empty() {
        let keys = df.column(KEY)?.u64()?.clone();
        let mut k = vec![true; df.height()];
        for (i, f) in dups {
            k[i] = false;
            let (key, fk) = (keys.get(i).unwrap_or(0), keys.get(f).unwrap_or(0));
            ledger.duplicate(key, id_column, fk);
        }
        keep = Some(BooleanChunked::from_slice("keep".into(), &k));
    }
    Ok((df.drop(KEY)?, keep))
}
