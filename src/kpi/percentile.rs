//! Exact percentiles of values streamed twice, without gathering them: a radix select.
//!
//! Each percentile is the one Polars' `quantile` gives with `QuantileMethod::Linear`
//! (polars-core 0.55's `quantile_slice`: the same positions and interpolation, its total
//! order with NaN above every number and -0.0 equal to 0.0). Polars selects in a copy of
//! the values made for each quantile; here the first pass counts the values of each group
//! by the top bits of an order-preserving key, the counts tell which bucket holds each
//! order statistic a percentile needs, and the second pass keeps only the values of those
//! buckets, in which the statistics are selected. The ten million response times of a
//! month thus need a few megabytes of counters instead of 80 MB of copies (fresh memory,
//! which the kernel must hand out and zero page by page). Which values count, and in
//! which group, is the caller's: it streams them.

/// Key bits that choose a value's bucket.
const BITS: u32 = 16;
const BUCKETS: usize = 1 << BITS;

/// A value as counted and compared: -0.0 as 0.0 and every NaN as one (so that equal values
/// are the same bits), and its place in the total order as an unsigned integer.
#[inline]
fn canonical(x: f64) -> (f64, u64) {
    let x = if x.is_nan() { f64::NAN } else { x + 0.0 };
    let b = x.to_bits();
    (x, if b >> 63 == 1 { !b } else { b | 1 << 63 })
}

#[inline]
fn bucket(key: u64) -> usize {
    (key >> (64 - BITS)) as usize
}

/// Polars' positions for the quantile `q` of `n` values: the lower position, the exact
/// fractional one and the upper one.
fn positions(q: f64, n: usize) -> (usize, f64, usize) {
    let float_idx = (n as f64 - 1.0) * q;
    let idx = (float_idx as usize).clamp(0, n - 1);
    (idx, float_idx, float_idx.ceil() as usize)
}

/// The quantiles `qs` (each in 0..=1) of every group `0..groups` of the values `values()`
/// yields as `(group, value)` pairs (a group out of range is left out); `values` is called
/// twice and must yield the same values both times. `None` for a group without values.
pub(super) fn quantiles<I: Iterator<Item = (usize, f64)>>(
    groups: usize,
    qs: &[f64],
    values: impl Fn() -> I,
) -> Vec<Vec<Option<f64>>> {
    debug_assert!(qs.iter().all(|q| (0.0..=1.0).contains(q)));
    let mut counts = vec![0u64; groups * BUCKETS];
    for (g, x) in values() {
        if g < groups {
            counts[g * BUCKETS + bucket(canonical(x).1)] += 1;
        }
    }
    // Each group's order statistics wanted: (rank, its bucket, the values before the bucket).
    let mut wanted: Vec<Vec<(usize, usize, usize)>> = Vec::with_capacity(groups);
    let mut kept: Vec<Option<usize>> = vec![None; groups * BUCKETS];
    let mut slots = 0;
    for g in 0..groups {
        let counts = &counts[g * BUCKETS..(g + 1) * BUCKETS];
        let n: u64 = counts.iter().sum();
        let mut ranks: Vec<usize> = Vec::new();
        if n > 0 {
            for &q in qs {
                let (idx, _, top) = positions(q, n as usize);
                ranks.push(idx);
                if top != idx {
                    ranks.push(idx + 1);
                }
            }
        }
        ranks.sort_unstable();
        ranks.dedup();
        let mut stats = Vec::with_capacity(ranks.len());
        let (mut b, mut before) = (0usize, 0usize);
        for r in ranks {
            while before + counts[b] as usize <= r {
                before += counts[b] as usize;
                b += 1;
            }
            stats.push((r, b, before));
            let slot = &mut kept[g * BUCKETS + b];
            if slot.is_none() {
                *slot = Some(slots);
                slots += 1;
            }
        }
        wanted.push(stats);
    }
    let mut held: Vec<Vec<(u64, f64)>> = vec![Vec::new(); slots];
    for (g, x) in values() {
        if g < groups {
            let (x, key) = canonical(x);
            if let Some(s) = kept[g * BUCKETS + bucket(key)] {
                held[s].push((key, x));
            }
        }
    }
    (0..groups)
        .map(|g| {
            let n: u64 = counts[g * BUCKETS..(g + 1) * BUCKETS].iter().sum();
            // The value of rank `r` (one of those wanted).
            let mut stat = |r: usize| -> f64 {
                let &(_, b, before) = wanted[g].iter().find(|w| w.0 == r).expect("a wanted rank");
                let vals = &mut held[kept[g * BUCKETS + b].expect("a kept bucket")];
                vals.select_nth_unstable_by_key(r - before, |v| v.0).1 .1
            };
            qs.iter()
                .map(|&q| {
                    if n == 0 {
                        return None;
                    }
                    let (idx, float_idx, top) = positions(q, n as usize);
                    let lower = stat(idx);
                    if top == idx {
                        return Some(lower);
                    }
                    let upper = stat(idx + 1);
                    Some(if lower == upper {
                        lower
                    } else {
                        (float_idx - idx as f64) * (upper - lower) + lower
                    })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    proptest::proptest! {
        /// Group by group, the percentiles are Polars' own, on values with repeats,
        /// negative values, zeros of either sign and values far apart.
        #[test]
        fn quantiles_are_those_of_polars(
            vals in proptest::collection::vec((0usize..4, proptest::prop_oneof![
                proptest::strategy::Strategy::prop_map(0u32..50, |v| v as f64 / 4.0),
                proptest::strategy::Strategy::prop_map(0u32..3, |v| -(v as f64)),
                -1e6f64..1e9,
                proptest::sample::select(vec![0.0, -0.0, 1e-300, 5e15, f64::INFINITY]),
            ]), 0..300),
            q in proptest::prop_oneof![
                proptest::sample::select(vec![0.0, 0.5, 0.9, 0.95, 1.0]),
                0.0f64..=1.0,
            ],
        ) {
            let qs = [q, 0.5, 0.9];
            let got = quantiles(3, &qs, || vals.iter().copied());
            for (g, got) in got.iter().enumerate() {
                let of_g: Vec<f64> = vals.iter().filter(|v| v.0 == g).map(|v| v.1).collect();
                let ca = Float64Chunked::from_vec("v".into(), of_g);
                for (q, got) in qs.iter().zip(got) {
                    let want = ca.quantile(*q, QuantileMethod::Linear).unwrap();
                    // Polars may give -0.0 where a zero is picked; the value is the same.
                    proptest::prop_assert_eq!(got.map(|x| (x + 0.0).to_bits()), want.map(|x| (x + 0.0).to_bits()));
                }
            }
        }
    }

    #[test]
    fn many_values_in_one_bucket() {
        // 10,000 values in [8, 8.5): one bucket holds every statistic.
        let vals: Vec<f64> = (0..10_000)
            .map(|i| 8.0 + (i * 7919 % 10_000) as f64 / 20_000.0)
            .collect();
        let got = quantiles(1, &[0.5, 0.9], || vals.iter().map(|&v| (0, v)));
        // Sorted, value i is 8 + i / 20000; p50 between values 4999 and 5000, p90 between
        // 8999 and 9000, interpolated as Polars does.
        let v = |i: f64| 8.0 + i / 20_000.0;
        let at = |f: f64, i: f64| (f - i) * (v(i + 1.0) - v(i)) + v(i);
        assert_eq!(got[0][0], Some(at(9_999.0 * 0.5, 4_999.0)));
        assert_eq!(got[0][1], Some(at(9_999.0 * 0.9, 8_999.0)));
    }
}
