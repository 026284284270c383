//! Optional values gathered the way an Arrow array holds them: the values (the type's
//! default where none is given) and, row by row, whether one is given. The frame's column
//! takes the values' buffer as it is (no copy) and the flags as validity bits, only when a
//! value is missing. A `Vec<Option<T>>` took twice the room for 8-byte values and was copied
//! value by value into the array. Nothing here decides what a value is.

use polars::prelude::*;
use polars_arrow::array::{BooleanArray, PrimitiveArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::types::NativeType;

/// Optional values, as values and given flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OptVec<T> {
    values: Vec<T>,
    given: Vec<bool>,
}

impl<T: Copy + Default> OptVec<T> {
    #[inline]
    pub(crate) fn push(&mut self, v: Option<T>) {
        self.values.push(v.unwrap_or_default());
        self.given.push(v.is_some());
    }

    /// Overwrite row `j`.
    #[inline]
    pub(crate) fn set(&mut self, j: usize, v: Option<T>) {
        self.values[j] = v.unwrap_or_default();
        self.given[j] = v.is_some();
    }

    #[inline]
    pub(crate) fn get(&self, j: usize) -> Option<T> {
        self.given[j].then(|| self.values[j])
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// No values yet, room for `n`.
    pub(crate) fn with_capacity(n: usize) -> Self {
        OptVec {
            values: Vec::with_capacity(n),
            given: Vec::with_capacity(n),
        }
    }

    /// Keep the rows whose `keep` is true (rows past `keep`'s end are dropped).
    pub(crate) fn keep_rows(&mut self, keep: &[bool]) {
        self.values.keep(keep);
        self.given.keep(keep);
    }

    /// The given flags as validity bits; none when every value is given.
    fn validity(&self) -> Option<Bitmap> {
        if self.given.iter().all(|&g| g) {
            None
        } else {
            Some(Bitmap::from_trusted_len_iter(self.given.iter().copied()))
        }
    }
}

impl<T: Copy + Default> Extend<Option<T>> for OptVec<T> {
    fn extend<I: IntoIterator<Item = Option<T>>>(&mut self, iter: I) {
        for v in iter {
            self.push(v);
        }
    }
}

impl<T: Copy + Default> FromIterator<Option<T>> for OptVec<T> {
    fn from_iter<I: IntoIterator<Item = Option<T>>>(iter: I) -> Self {
        let mut v = OptVec::default();
        v.extend(iter);
        v
    }
}

impl<N: NativeType + Default> OptVec<N> {
    /// The column `name` of these values, as one chunk.
    pub(crate) fn into_chunked<T>(self, name: &str) -> ChunkedArray<T>
    where
        T: PolarsNumericType<Native = N>,
    {
        let validity = self.validity();
        let array = PrimitiveArray::new(N::PRIMITIVE.into(), self.values.into(), validity);
        ChunkedArray::<T>::with_chunk(name.into(), array)
    }

    /// [`OptVec::into_chunked`] as a frame's column.
    pub(crate) fn into_column<T>(self, name: &str) -> Column
    where
        T: PolarsNumericType<Native = N>,
    {
        self.into_chunked::<T>(name).into_column()
    }
}

impl OptVec<bool> {
    /// The boolean column `name` of these values.
    pub(crate) fn into_bool_column(self, name: &str) -> Column {
        let validity = self.validity();
        let values = Bitmap::from_trusted_len_iter(self.values.iter().copied());
        let array = BooleanArray::new(ArrowDataType::Boolean, values, validity);
        BooleanChunked::with_chunk(name.into(), array).into_column()
    }
}

/// What the parsed columns of a range of rows, plain (`Vec<T>`) or optional
/// ([`OptVec`]), do alike: a column kernel pushes a value a row, the rows a check refuses
/// are dropped.
pub(crate) trait Rows<T> {
    fn push_row(&mut self, v: T);
    fn reserve_rows(&mut self, n: usize);
    /// Keep the rows whose `keep` is true.
    fn keep(&mut self, keep: &[bool]);
}

impl<T> Rows<T> for Vec<T> {
    #[inline]
    fn push_row(&mut self, v: T) {
        self.push(v);
    }
    fn reserve_rows(&mut self, n: usize) {
        self.reserve_exact(n);
    }
    fn keep(&mut self, keep: &[bool]) {
        let mut k = keep.iter();
        self.retain(|_| *k.next().unwrap_or(&false));
    }
}

impl<T: Copy + Default> Rows<Option<T>> for OptVec<T> {
    #[inline]
    fn push_row(&mut self, v: Option<T>) {
        self.push(v);
    }
    fn reserve_rows(&mut self, n: usize) {
        self.values.reserve_exact(n);
        self.given.reserve_exact(n);
    }
    fn keep(&mut self, keep: &[bool]) {
        self.keep_rows(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A column of optional values, pushed, overwritten and kept, is the column Polars
        /// collects from the same `Option`s: integers, floats and flags, with and without
        /// a missing value, across a 64-row word of validity bits.
        #[test]
        fn a_column_is_polars_own_of_the_options(
            rows in prop::collection::vec(proptest::option::weighted(0.8, any::<i64>()), 0..200),
            keep in prop::collection::vec(proptest::bool::weighted(0.8), 200),
            set in prop::collection::vec((0usize..200, proptest::option::of(any::<i64>())), 0..4),
        ) {
            let mut want: Vec<Option<i64>> = rows.clone();
            let mut ints: OptVec<i64> = rows.iter().copied().collect();
            let mut floats: OptVec<f64> = rows.iter().map(|v| v.map(|x| x as f64)).collect();
            let mut flags: OptVec<bool> = rows.iter().map(|v| v.map(|x| x % 2 == 0)).collect();
            for &(j, v) in set.iter().filter(|(j, _)| *j < rows.len()) {
                want[j] = v;
                ints.set(j, v);
                floats.set(j, v.map(|x| x as f64));
                flags.set(j, v.map(|x| x % 2 == 0));
            }
            for (j, w) in want.iter().enumerate() {
                prop_assert_eq!(ints.get(j), *w);
            }
            let mut k = keep.iter();
            want.retain(|_| *k.next().unwrap());
            ints.keep_rows(&keep[..rows.len()]);
            floats.keep_rows(&keep[..rows.len()]);
            flags.keep_rows(&keep[..rows.len()]);
            prop_assert_eq!(ints.len(), want.len());
            let ints = ints.into_column::<Int64Type>("x");
            let floats = floats.into_column::<Float64Type>("x");
            let flags = flags.into_bool_column("x");
            let polars_ints = Int64Chunked::from_iter_options("x".into(), want.iter().copied());
            let polars_floats =
                Float64Chunked::from_iter_options("x".into(), want.iter().map(|v| v.map(|x| x as f64)));
            let polars_flags =
                BooleanChunked::from_iter_options("x".into(), want.iter().map(|v| v.map(|x| x % 2 == 0)));
            prop_assert!(ints.as_materialized_series().equals_missing(&polars_ints.into_series()));
            prop_assert!(floats.as_materialized_series().equals_missing(&polars_floats.into_series()));
            prop_assert!(flags.as_materialized_series().equals_missing(&polars_flags.into_series()));
            prop_assert_eq!(ints.null_count(), want.iter().filter(|v| v.is_none()).count());
        }
    }
}
