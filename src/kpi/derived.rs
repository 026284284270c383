//! The per-contact columns every KPI reads, added to the period's contacts: `answered`,
//! `resolved`, and `resp_s` and `resolve_s`, null unless the contact was answered
//! (resolved), which the aggregations take as they are. A column kernel, chunk by chunk of
//! the frame on the threads, writing each column once: no intermediate column is made, so
//! the enrich step adds the four columns to the run's memory and nothing more. The rules
//! are [`super::is_answered`] and [`is_resolved`]; this module decides no KPI.

use super::enrich::one_array;
use crate::error::Result;
use crate::normalize::OptVec;
use polars::prelude::*;

/// Whether a contact was resolved: the export's flag when it gives one, else whether it
/// has a resolution time.
#[inline]
pub(crate) fn is_resolved(flag: Option<bool>, at: Option<i64>) -> bool {
    flag.unwrap_or(at.is_some())
}

/// Seconds from `from` to `to` (instants in ms), as Polars computes them: the difference in
/// ms, as a float, over 1,000.
#[inline]
fn seconds(to: i64, from: i64) -> f64 {
    to.wrapping_sub(from) as f64 / 1000.0
}

/// One chunk's derived columns.
struct Part {
    answered: BooleanChunked,
    resolved: BooleanChunked,
    resolve_s: Float64Chunked,
    resp_s: Float64Chunked,
}

/// `contacts` with the derived columns (see the module's note), chunked as its arrivals.
pub(super) fn derived_columns(mut contacts: DataFrame) -> Result<DataFrame> {
    use rayon::prelude::*;
    let ms = |c: &str| -> Result<Int64Chunked> { Ok(contacts.column(c)?.i64()?.clone()) };
    let flag = |c: &str| -> Result<BooleanChunked> { Ok(contacts.column(c)?.bool()?.clone()) };
    let (arrived, answered_ms, resolved_ms) =
        (ms("arrived_ms")?, ms("answered_ms")?, ms("resolved_ms")?);
    let (answered_flag, resolved_flag) = (flag("answered_flag")?, flag("resolved_flag")?);
    let wait = contacts.column("wait_s")?.f64()?.clone();
    let parts: Vec<Part> = crate::util::chunk_ranges(&arrived)
        .into_par_iter()
        .map(|(start, len)| {
            let s = start as i64;
            let at = one_array(&arrived, s, len);
            let (answered_at, resolved_at) = (
                one_array(&answered_ms, s, len),
                one_array(&resolved_ms, s, len),
            );
            let (answered_flag, resolved_flag) = (
                one_array(&answered_flag, s, len),
                one_array(&resolved_flag, s, len),
            );
            let wait = one_array(&wait, s, len);
            let mut answered = Vec::with_capacity(len);
            let mut resolved = Vec::with_capacity(len);
            let mut resolve_s = OptVec::with_capacity(len);
            let mut resp_s = OptVec::with_capacity(len);
            for i in 0..len {
                let arrived = at.get(i).unwrap_or(0);
                let (answered_at, resolved_at) = (answered_at.get(i), resolved_at.get(i));
                let a = super::is_answered(answered_at, answered_flag.get(i));
                let r = is_resolved(resolved_flag.get(i), resolved_at);
                answered.push(a);
                resolved.push(r);
                resolve_s.push(resolved_at.filter(|_| r).map(|t| seconds(t, arrived)));
                resp_s.push(match answered_at {
                    Some(t) => Some(seconds(t, arrived)),
                    None if a => wait.get(i),
                    None => None,
                });
            }
            Part {
                answered: BooleanChunked::from_slice("answered".into(), &answered),
                resolved: BooleanChunked::from_slice("resolved".into(), &resolved),
                resolve_s: resolve_s.into_chunked::<Float64Type>("resolve_s"),
                resp_s: resp_s.into_chunked::<Float64Type>("resp_s"),
            }
        })
        .collect();
    let mut parts = parts.into_iter();
    let Some(mut all) = parts.next() else {
        // No contact: the columns, empty.
        let empty = |name: &str, dtype: DataType| Column::full_null(name.into(), 0, &dtype);
        for (name, dtype) in [
            ("answered", DataType::Boolean),
            ("resolved", DataType::Boolean),
            ("resolve_s", DataType::Float64),
            ("resp_s", DataType::Float64),
        ] {
            contacts.with_column(empty(name, dtype))?;
        }
        return Ok(contacts);
    };
    for p in parts {
        all.answered.append_owned(p.answered)?;
        all.resolved.append_owned(p.resolved)?;
        all.resolve_s.append_owned(p.resolve_s)?;
        all.resp_s.append_owned(p.resp_s)?;
    }
    contacts.with_column(all.answered.into_column())?;
    contacts.with_column(all.resolved.into_column())?;
    contacts.with_column(all.resolve_s.into_column())?;
    contacts.with_column(all.resp_s.into_column())?;
    Ok(contacts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The columns as Polars expressions: what the kernel is held to.
    fn by_expressions(contacts: DataFrame) -> DataFrame {
        let secs = |e: Expr| e.cast(DataType::Float64) / lit(1000.0);
        contacts
            .lazy()
            .with_columns([
                col("answered_ms")
                    .is_not_null()
                    .or(col("answered_flag").fill_null(lit(false)))
                    .alias("answered"),
                coalesce(&[col("resolved_flag"), col("resolved_ms").is_not_null()])
                    .alias("resolved"),
            ])
            .with_columns([
                when(col("resolved"))
                    .then(secs(col("resolved_ms") - col("arrived_ms")))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("resolve_s"),
                when(col("answered_ms").is_not_null())
                    .then(secs(col("answered_ms") - col("arrived_ms")))
                    .when(col("answered"))
                    .then(col("wait_s"))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("resp_s"),
            ])
            .collect()
            .unwrap()
    }

    type Row = (
        i64,
        Option<i64>,
        Option<i64>,
        Option<bool>,
        Option<bool>,
        Option<f64>,
    );

    fn frame(rows: &[Row]) -> DataFrame {
        df!(
            "arrived_ms" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "answered_ms" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "resolved_ms" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "answered_flag" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            "resolved_flag" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            "wait_s" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn a_contact_is_answered_resolved_and_timed_as_worked_out() {
        // Arrived at 10 000 ms. (1) answered at 12 500, resolved at 1 315 437: answered and
        // resolved, resp 2.5 s, resolve 1 305 437 ms = 1 305.437 s (the quotient; Polars'
        // product with 0.001 gives 1 305.437 000 000 000 1). (2) no answer time but flagged answered after
        // a 7 s wait: resp 7 s; flagged unresolved though it has a resolution time: no
        // resolve time. (3) nothing given: neither, both null.
        let rows = [
            (10_000, Some(12_500), Some(1_315_437), None, None, Some(3.0)),
            (
                10_000,
                None,
                Some(20_000),
                Some(true),
                Some(false),
                Some(7.0),
            ),
            (10_000, None, None, None, None, None),
        ];
        let got = derived_columns(frame(&rows)).unwrap();
        let bools = |c: &str| -> Vec<Option<bool>> {
            got.column(c).unwrap().bool().unwrap().iter().collect()
        };
        let secs = |c: &str| -> Vec<Option<f64>> {
            got.column(c).unwrap().f64().unwrap().iter().collect()
        };
        assert_eq!(bools("answered"), [Some(true), Some(true), Some(false)]);
        assert_eq!(bools("resolved"), [Some(true), Some(false), Some(false)]);
        assert_eq!(secs("resp_s"), [Some(2.5), Some(7.0), None]);
        assert_eq!(secs("resolve_s"), [Some(1305.437), None, None]);
    }

    proptest! {
        /// Chunk by chunk, the kernel's columns are the expressions', value for value.
        #[test]
        fn the_kernel_gives_what_the_expressions_give(
            rows in prop::collection::vec((
                0i64..1_000_000,
                prop::option::of(0i64..2_000_000),
                prop::option::of(0i64..2_000_000),
                prop::option::of(any::<bool>()),
                prop::option::of(any::<bool>()),
                prop::option::of(0.0f64..500.0),
            ), 0..60),
            cut in 0usize..60,
        ) {
            let cut = cut.min(rows.len());
            let mut df = frame(&rows[..cut]);
            df.vstack_mut_owned(frame(&rows[cut..])).unwrap();
            let got = derived_columns(df.clone()).unwrap();
            let want = by_expressions(df);
            for c in ["answered", "resolved"] {
                prop_assert!(got.column(c).unwrap().equals_missing(want.column(c).unwrap()), "{}", c);
            }
            // Polars divides by 1,000 as a product with its reciprocal, which can be one unit
            // in the last place off the quotient the kernel takes (see the worked example).
            for c in ["resolve_s", "resp_s"] {
                let (g, w) = (got.column(c).unwrap().f64().unwrap(), want.column(c).unwrap().f64().unwrap());
                for (g, w) in g.iter().zip(w.iter()) {
                    prop_assert_eq!(g.is_some(), w.is_some(), "{}", c);
                    if let (Some(g), Some(w)) = (g, w) {
                        prop_assert!((g - w).abs() <= 2.0 * f64::EPSILON * w.abs(), "{}: {} against {}", c, g, w);
                    }
                }
            }
        }
    }
}
