//! A frame's rows kept by a mask ([`filter`]), its 4- and 8-byte columns compressed with
//! AVX-512F where the processor has it (found when the program runs): Polars' own filter
//! kernels take a value at a time on a stable compiler (their AVX-512 ones need its
//! nightly-only `simd` feature). Every other column, and every frame this does not take
//! (several chunks, a mask with an offset or a missing value), goes through Polars'
//! filter, which the tests hold this one to. It knows nothing of what the columns mean.

use crate::error::Result;
use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use polars_arrow::bitmap::Bitmap;
use polars_arrow::types::NativeType;

/// The rows of `df` that `mask` (as long as the frame) keeps: `df.filter(mask)`.
pub(super) fn filter(df: &DataFrame, mask: &BooleanChunked) -> Result<DataFrame> {
    let bits = match mask.downcast_iter().collect::<Vec<_>>()[..] {
        [m] if m.validity().is_none() && m.values().as_slice().1 == 0 => m.values().clone(),
        _ => return Ok(df.filter(mask)?),
    };
    if !avx512() || bits.len() != df.height() || df.columns().iter().any(|c| c.n_chunks() != 1) {
        return Ok(df.filter(mask)?);
    }
    let height = bits.set_bits();
    let columns = df
        .columns()
        .iter()
        .map(|c| filter_column(c, mask, &bits))
        .collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(height, columns)?)
}

/// Whether this processor has AVX-512F.
fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// One column of one chunk filtered: compressed when its values are of 4 or 8 bytes, else
/// by Polars.
fn filter_column(c: &Column, mask: &BooleanChunked, bits: &Bitmap) -> Result<Column> {
    let s = c.as_materialized_series();
    let phys = s.to_physical_repr();
    let out = match phys.dtype() {
        DataType::Int64 => compressed(phys.i64()?, mask, bits)?,
        DataType::UInt64 => compressed(phys.u64()?, mask, bits)?,
        DataType::Float64 => compressed(phys.f64()?, mask, bits)?,
        DataType::UInt32 => compressed(phys.u32()?, mask, bits)?,
        DataType::Int32 => compressed(phys.i32()?, mask, bits)?,
        _ => return Ok(c.filter(mask)?),
    };
    if out.dtype() == s.dtype() {
        return Ok(out.into_column());
    }
    // SAFETY: the values are the column's own physical values, filtered.
    Ok(unsafe { out.from_physical_unchecked(s.dtype()) }?.into_column())
}

/// The values of `ca` (one chunk) that `bits` keeps, with their validity filtered by Polars.
fn compressed<T>(ca: &ChunkedArray<T>, mask: &BooleanChunked, bits: &Bitmap) -> Result<Series>
where
    T: PolarsNumericType,
{
    let arr = ca.downcast_iter().next().expect("one chunk");
    let values = compress(arr.values().as_slice(), bits);
    let validity = match arr.validity() {
        Some(v) if v.unset_bits() > 0 => {
            let v = BooleanChunked::from_bitmap("v".into(), v.clone()).filter(mask)?;
            let v = v.downcast_iter().next().map(|a| a.values().clone());
            Some(v.unwrap_or_default())
        }
        _ => None,
    };
    let arr = PrimitiveArray::new(
        T::get_static_dtype().to_arrow(CompatLevel::newest()),
        values.into(),
        validity,
    );
    Ok(ChunkedArray::<T>::with_chunk(ca.name().clone(), arr).into_series())
}

/// The values whose bit in `bits` (no offset, as long as `values`) is set, in order.
fn compress<T: NativeType>(values: &[T], bits: &Bitmap) -> Vec<T> {
    let kept = bits.set_bits();
    // Room for a whole vector past the last value kept: each store writes one.
    let mut out: Vec<T> = Vec::with_capacity(kept + 16);
    let mask = bits.as_slice().0;
    let done = match std::mem::size_of::<T>() {
        // SAFETY: AVX-512F was found on this processor by the caller ([`filter`]); `out`
        // has room for `kept` values and a vector more; the values are plain bits of 8 or
        // 4 bytes, moved as such.
        #[cfg(target_arch = "x86_64")]
        8 => unsafe {
            compress8(
                values.as_ptr().cast(),
                values.len(),
                mask,
                out.as_mut_ptr().cast(),
            )
        },
        #[cfg(target_arch = "x86_64")]
        4 => unsafe {
            compress4(
                values.as_ptr().cast(),
                values.len(),
                mask,
                out.as_mut_ptr().cast(),
            )
        },
        _ => (0, 0),
    };
    let mut n = done.1;
    for (i, v) in values.iter().enumerate().skip(done.0) {
        if mask[i / 8] >> (i % 8) & 1 == 1 {
            // SAFETY: at most `kept` values are written in all.
            unsafe { out.as_mut_ptr().add(n).write(*v) };
            n += 1;
        }
    }
    assert_eq!(n, kept, "each value kept written once");
    // SAFETY: the first `kept` slots were written (asserted just above).
    unsafe { out.set_len(kept) };
    out
}

/// 8-byte values compressed 8 at a time: how many values were looked at, how many written.
///
/// # Safety
/// The processor has AVX-512F; `src` holds `n` values; `mask` holds `n` bits; `dst` has room
/// for the values kept and 8 more.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn compress8(src: *const u64, n: usize, mask: &[u8], dst: *mut u64) -> (usize, usize) {
    use std::arch::x86_64::*;
    let mut written = 0;
    for (i, &k) in mask[..n / 8].iter().enumerate() {
        let v = _mm512_loadu_si512(src.add(8 * i).cast());
        _mm512_storeu_si512(dst.add(written).cast(), _mm512_maskz_compress_epi64(k, v));
        written += k.count_ones() as usize;
    }
    (n / 8 * 8, written)
}

/// 4-byte values compressed 16 at a time, as [`compress8`].
///
/// # Safety
/// As [`compress8`], with room for 16 more.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn compress4(src: *const u32, n: usize, mask: &[u8], dst: *mut u32) -> (usize, usize) {
    use std::arch::x86_64::*;
    let mut written = 0;
    for i in 0..n / 16 {
        let k = u16::from_le_bytes([mask[2 * i], mask[2 * i + 1]]);
        let v = _mm512_loadu_si512(src.add(16 * i).cast());
        _mm512_storeu_si512(dst.add(written).cast(), _mm512_maskz_compress_epi32(k, v));
        written += k.count_ones() as usize;
    }
    (n / 16 * 16, written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A frame of the kinds of column a block range's frame holds: keys, times and
    /// durations with missing values, a category, a text and a flag.
    fn frame(rows: &[(u64, Option<i64>, Option<f64>, u8, bool)]) -> DataFrame {
        let n = rows.len();
        let kinds = rows.iter().map(|r| Some(r.3 % 3));
        DataFrame::new(
            n,
            vec![
                Column::new("_key".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
                Column::new(
                    "arrived_ms".into(),
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                ),
                Column::new(
                    "wait_seconds".into(),
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                ),
                super::super::dtypes::enum_column("kind", kinds),
                Column::new(
                    "contact_id".into(),
                    rows.iter().map(|r| format!("C{}", r.0)).collect::<Vec<_>>(),
                ),
                Column::new(
                    "outbound".into(),
                    rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    proptest! {
        /// The rows kept are Polars' filter's, value for value and missing for missing,
        /// across the 8- and 16-value vectors' boundaries, with every mask (all, none,
        /// mostly kept, mostly dropped), and for a frame of two chunks (Polars' filter).
        #[test]
        fn the_rows_kept_are_polars_filters(
            rows in prop::collection::vec(
                (any::<u64>(), proptest::option::weighted(0.9, any::<i64>()),
                 proptest::option::weighted(0.9, -1e9f64..1e9), any::<u8>(), any::<bool>()),
                0..300),
            keep in prop::collection::vec(any::<u8>(), 300),
            dense in 0u8..4,
        ) {
            let df = frame(&rows);
            // Each row kept with a chance of 0, 1/2, 15/16 or 1.
            let kept = |k: u8| match dense { 0 => false, 1 => k % 2 == 0, 2 => k % 16 != 0, _ => true };
            let mask = BooleanChunked::from_slice(
                "m".into(),
                &keep[..rows.len()].iter().map(|&k| kept(k)).collect::<Vec<_>>(),
            );
            let ours = filter(&df, &mask).unwrap();
            prop_assert!(ours.equals_missing(&df.filter(&mask).unwrap()));
            prop_assert_eq!(ours.schema(), df.schema());
            let mut two = df.clone();
            two.vstack_mut(&df).unwrap();
            let mut twice = mask.clone();
            twice.append(&mask).unwrap();
            prop_assert!(filter(&two, &twice).unwrap().equals_missing(&two.filter(&twice).unwrap()));
        }
    }
}
