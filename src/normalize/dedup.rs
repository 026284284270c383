//! Duplicate ids: rows whose `contact_id` repeats an earlier row's; the first row wins and
//! the others are accounted for as duplicates. The rows whose id may repeat are found by
//! hashing every id in parallel and comparing only the ids whose hash repeats; or, when the
//! ids go up in a few runs (an export in id order, its outbound rows split off after it),
//! by walking the runs side by side ([`repeated_in_runs`], held to the hashing by a property
//! test). Which of the rows with one id is kept is decided once, in [`duplicates`].

use super::ids::Ids;
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

/// Rows that repeat an earlier row's id: `(row, first row)` positions in frame order.
pub(super) fn duplicates(df: &DataFrame, id: &str) -> Result<Vec<(usize, usize)>> {
    let ids = Ids::of(df.column(id)?.str()?);
    let candidates = repeated_in_runs(&ids).unwrap_or_else(|| repeated_by_hash(&ids));
    Ok(first_rows(df, candidates))
}

/// Of `candidates` (rows and their ids, in frame order; a row whose id is not repeated may
/// be among them), each row whose id an earlier row by key has, with that row. A frame's
/// rows are in key order, but for the outbound rows read in blocks, which come after the
/// others (see `ContactSink::finish`).
fn first_rows(df: &DataFrame, mut candidates: Vec<(usize, &str)>) -> Vec<(usize, usize)> {
    if candidates.is_empty() {
        return Vec::new();
    }
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
    out
}

/// The rows whose id's hash repeats, with their ids, in frame order: every id hashed in
/// parallel, the hashes sorted.
fn repeated_by_hash<'a>(ids: &Ids<'a>) -> Vec<(usize, &'a str)> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let state = foldhash::fast::FixedState::default();
    let (arrays, offsets) = (&ids.arrays, &ids.offsets);
    // Each array's hashes written in its own place of one vector on the threads (a
    // collect of an unknown length would join the threads' pieces on one thread).
    let mut hashes = vec![0u64; ids.len()];
    let places = crate::util::split_lengths(&mut hashes, offsets.iter().map(|(_, n)| *n));
    arrays.par_iter().zip(places).for_each(|(a, place)| {
        for (h, v) in place.iter_mut().zip(a.values_iter()) {
            *h = state.hash_one(v);
        }
    });
    let repeated = repeated_hashes(hashes);
    if repeated.is_empty() {
        return Vec::new();
    }
    // The rows whose hash repeats, found in parallel array by array.
    arrays
        .par_iter()
        .zip(offsets)
        .flat_map_iter(|(a, (offset, _))| {
            let (repeated, state) = (&repeated, &state);
            a.iter().enumerate().filter_map(move |(j, v)| {
                let v = v?;
                repeated
                    .contains(&state.hash_one(v))
                    .then_some((offset + j, v))
            })
        })
        .collect()
}

/// Most runs of rising ids [`repeated_in_runs`] walks; more, and the ids are hashed.
const MAX_RUNS: usize = 8;

/// The rows whose id another row has too, with their ids, in frame order, when the ids
/// (none missing) rise strictly in at most [`MAX_RUNS`] runs of rows: an id repeats only
/// in two runs whose first and last ids overlap, found by walking the two side by side.
/// `None` otherwise.
fn repeated_in_runs<'a>(ids: &Ids<'a>) -> Option<Vec<(usize, &'a str)>> {
    use polars_arrow::array::Array as _;
    use rayon::prelude::*;
    if ids.arrays.iter().any(|a| a.null_count() > 0) {
        return None;
    }
    let (arrays, offsets) = (&ids.arrays, &ids.offsets);
    // Where a run starts inside each array (not its first row), found on the threads.
    let inside: Vec<Option<Vec<usize>>> = arrays
        .par_iter()
        .zip(offsets)
        .map(|(a, (offset, _))| {
            let mut starts = Vec::new();
            let mut prev: Option<&str> = None;
            for (j, v) in a.values_iter().enumerate() {
                if prev.is_some_and(|p| p >= v) {
                    starts.push(offset + j);
                    if starts.len() >= MAX_RUNS {
                        return None;
                    }
                }
                prev = Some(v);
            }
            Some(starts)
        })
        .collect();
    let mut starts = vec![0];
    let mut last: Option<&str> = None;
    for ((a, (offset, len)), inner) in arrays.iter().zip(offsets).zip(inside) {
        if *len == 0 {
            continue;
        }
        if last.is_some_and(|l| l >= a.value(0)) {
            starts.push(*offset);
        }
        starts.extend(inner?);
        last = Some(a.value(len - 1));
        if starts.len() > MAX_RUNS {
            return None;
        }
    }
    starts.push(ids.len());
    let runs: Vec<(usize, usize)> = starts
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|(a, b)| a < b)
        .collect();
    let mut found = Vec::new();
    for (x, &a) in runs.iter().enumerate() {
        for &b in &runs[x + 1..] {
            if ids.value(a.1 - 1) >= ids.value(b.0) && ids.value(b.1 - 1) >= ids.value(a.0) {
                found.extend(ids.equal_in(a, b));
            }
        }
    }
    found.sort_unstable_by_key(|&(i, _)| i);
    found.dedup_by_key(|&mut (i, _)| i);
    Some(found)
}

/// Rows of run `a` walked at a time against their part of run `b` ([`Ids::equal_in`]); a
/// few in unit tests, so that their runs are cut into pieces.
const WALK_ROWS: usize = if cfg!(test) { 3 } else { 1 << 18 };

impl<'a> Ids<'a> {
    /// The first row of run `(from, to)` (rising ids) whose id is not below `id`.
    fn first_not_below(&self, (from, to): (usize, usize), id: &str) -> usize {
        let (mut lo, mut hi) = (from, to);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.value(mid) < id {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The rows of runs `a` and `b` (each of rising ids) whose id the other has: `a` cut
    /// into pieces on the threads, each piece walked side by side with the rows of `b`
    /// between its first id and the next piece's.
    fn equal_in(&self, a: (usize, usize), b: (usize, usize)) -> Vec<(usize, &'a str)> {
        use rayon::prelude::*;
        let pieces: Vec<(usize, usize)> = (a.0..a.1)
            .step_by(WALK_ROWS)
            .map(|s| (s, (s + WALK_ROWS).min(a.1)))
            .collect();
        pieces
            .into_par_iter()
            .flat_map_iter(|(s, e)| {
                let bs = self.first_not_below(b, self.value(s));
                let be = if e == a.1 {
                    b.1
                } else {
                    self.first_not_below((bs, b.1), self.value(e))
                };
                let (mut xs, mut ys) = (self.walk((s, e)), self.walk((bs, be)));
                let (mut x, mut y) = (xs.next(), ys.next());
                let mut found = Vec::new();
                while let (Some((i, u)), Some((j, v))) = (x, y) {
                    match u.cmp(v) {
                        std::cmp::Ordering::Less => x = xs.next(),
                        std::cmp::Ordering::Greater => y = ys.next(),
                        std::cmp::Ordering::Equal => {
                            found.push((i, u));
                            found.push((j, v));
                            x = xs.next();
                            y = ys.next();
                        }
                    }
                }
                found
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame of `ids` cut into chunks of `chunk` rows, with keys going down the rows when
    /// `keyed` (the last row first by key).
    fn frame(ids: &[String], chunk: usize, keyed: bool) -> DataFrame {
        let mut c =
            StringChunked::from_iter_values("contact_id".into(), std::iter::empty::<&str>());
        for part in ids.chunks(chunk.max(1)) {
            c.append(&StringChunked::from_iter_values(
                "contact_id".into(),
                part.iter(),
            ))
            .unwrap();
        }
        let n = ids.len();
        let mut columns = vec![c.into_column()];
        if keyed {
            let keys: Vec<u64> = (0..n as u64).rev().collect();
            columns.push(Column::new(KEY.into(), keys));
        }
        DataFrame::new(n, columns).unwrap()
    }

    /// Worked example: ids C1 C2 C3 (an export in id order) then C2 C4 (its outbound rows,
    /// split off after it) are two rising runs whose ids overlap. Walking them side by side
    /// meets C2 in both: rows 1 and 3. Row 3 repeats row 1's id, so row 3 is the duplicate.
    /// The same where one id ends a chunk and begins the next. Nine runs (every id lower
    /// than the one before) are more than the walk takes.
    #[test]
    fn two_rising_runs_meet_at_the_repeated_id() {
        let ids: Vec<String> = ["C1", "C2", "C3", "C2", "C4"].map(String::from).into();
        let df = frame(&ids, 2, false);
        let found = repeated_in_runs(&Ids::of(df.column("contact_id").unwrap().str().unwrap()));
        assert_eq!(found, Some(vec![(1, "C2"), (3, "C2")]));
        assert_eq!(duplicates(&df, "contact_id").unwrap(), vec![(3, 1)]);
        // C1 C2 | C2 C3 in two chunks: the repeated id is where the chunks meet.
        let ids: Vec<String> = ["C1", "C2", "C2", "C3"].map(String::from).into();
        let df = frame(&ids, 2, false);
        assert_eq!(duplicates(&df, "contact_id").unwrap(), vec![(2, 1)]);
        let falling: Vec<String> = (0..9).rev().map(|k| format!("C{k}")).collect();
        let df = frame(&falling, 4, false);
        assert_eq!(
            repeated_in_runs(&Ids::of(df.column("contact_id").unwrap().str().unwrap())),
            None
        );
    }

    proptest::proptest! {
        /// The runs' walk finds the duplicates that hashing finds: ids rising in segments
        /// (or in no order), some repeated, the frame's chunks cut anywhere, keyed in frame
        /// order or against it.
        #[test]
        fn runs_find_what_hashing_finds(
            picks in proptest::collection::vec(0u16..300, 0..160),
            cuts in proptest::collection::vec(0usize..160, 0..6),
            rising in proptest::bool::ANY,
            chunk in 1usize..60,
            keyed in proptest::bool::ANY,
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(picks.len())).collect();
            cuts.push(0);
            cuts.push(picks.len());
            cuts.sort_unstable();
            let mut ids = Vec::new();
            for w in cuts.windows(2) {
                let mut seg = picks[w[0]..w[1]].to_vec();
                if rising {
                    seg.sort_unstable();
                    seg.dedup();
                }
                ids.extend(seg.into_iter().map(|k| format!("C{k:03}")));
            }
            let df = frame(&ids, chunk, keyed);
            let c = Ids::of(df.column("contact_id").unwrap().str().unwrap());
            let hashed = first_rows(&df, repeated_by_hash(&c));
            if let Some(walked) = repeated_in_runs(&c) {
                proptest::prop_assert_eq!(first_rows(&df, walked), hashed.clone());
            }
            proptest::prop_assert_eq!(duplicates(&df, "contact_id").unwrap(), hashed);
        }
    }
}
