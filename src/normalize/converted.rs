//! Converted files: a normalized table (`cseval convert`'s Parquet) is taken whole, without
//! re-parsing, only when its schema is the canonical one and every row passes
//! [`contact_check`], the row checks' invariants as one Polars expression; otherwise the
//! whole file is refused, naming the first row that breaks them.

use super::{row_key, Ledger, KEY};
use crate::config::contract::SurveyCfg;
use crate::error::{Error, Result};
use crate::model::{Channel, Complexity, Kind, Priority};
use crate::util::InputFile;
use polars::prelude::*;
use std::path::Path;

/// The checks named when a converted contact row breaks [`contact_check`].
pub(super) const EVERY_CONTACT: &str = "every contact passes (unknown channel, reply before arrival, negative duration, score off the scale, ...)";

/// Whether column `c` holds one of `values`.
pub(super) fn one_of(c: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .fold(lit(false), |e, v| e.or(col(c).eq(lit(*v))))
}

/// Whether `channel` is a canonical channel.
pub(super) fn known_channel() -> Expr {
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    one_of("channel", &channels)
}

/// The invariants the row checks enforce on every accepted contact, as an expression over
/// the normalized columns (a `cseval convert` file whose rows break it was altered).
pub fn contact_check(survey: &SurveyCfg) -> Expr {
    let kinds: Vec<&str> = Kind::ALL.iter().map(|c| c.as_str()).collect();
    let priorities: Vec<&str> = Priority::ALL.iter().map(|c| c.as_str()).collect();
    let complexities: Vec<&str> = Complexity::ALL.iter().map(|c| c.as_str()).collect();
    let optional = |c: &str, ok: Expr| col(c).is_null().or(ok);
    let (lo, hi) = (survey.scale_min, survey.scale_max);
    let good = col("contact_id")
        .is_not_null()
        .and(known_channel())
        .and(one_of("kind", &kinds))
        .and(optional("priority", one_of("priority", &priorities)))
        .and(optional("complexity", one_of("complexity", &complexities)))
        .and(col("arrived_ms").is_not_null())
        .and(optional(
            "answered_ms",
            col("answered_ms").gt_eq(col("arrived_ms")),
        ))
        .and(optional(
            "resolved_ms",
            col("resolved_ms").gt_eq(col("arrived_ms")),
        ))
        .and(optional(
            "resolved_ms",
            col("answered_ms")
                .is_null()
                .or(col("resolved_ms").gt_eq(col("answered_ms"))),
        ))
        .and(optional(
            "wait_s",
            col("wait_s")
                .gt_eq(lit(0.0))
                .and(col("wait_s").lt(lit(f64::INFINITY))),
        ))
        .and(optional(
            "handle_s",
            col("handle_s")
                .gt_eq(lit(0.0))
                .and(col("handle_s").lt(lit(f64::INFINITY))),
        ))
        .and(optional(
            "satisfaction",
            col("satisfaction")
                .gt_eq(lit(lo))
                .and(col("satisfaction").lt_eq(lit(hi))),
        ));
    good
}
/// Whether `table` has the columns and types of `want` without its leading `_key`.
pub(super) fn same_schema(table: &DataFrame, want: &DataFrame) -> bool {
    let want: Vec<(&str, &DataType)> = want
        .columns()
        .iter()
        .skip(1)
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    let have: Vec<(&str, &DataType)> = table
        .columns()
        .iter()
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    want == have
}

/// Refuse a normalized table (read from `path`) with a row that breaks `good`: such a row,
/// breaking the checks `checks` names, was altered after conversion.
pub(super) fn check_normalized(
    path: &Path,
    table: &DataFrame,
    good: Expr,
    checks: &str,
) -> Result<()> {
    let bad = table
        .clone()
        .lazy()
        .select([good.not().cast(DataType::Int64).sum().alias("bad")])
        .collect()?;
    let bad = bad.columns()[0].get(0)?.extract::<i64>().unwrap_or(0);
    if bad > 0 {
        return Err(Error::input(format!(
            "{}: {bad} row(s) break the checks {checks}: the file was changed after `cseval convert`",
            path.display()
        ))
        .with_hint("convert the original export again with `cseval convert`"));
    }
    Ok(())
}

/// Take a normalized table whose every row satisfies `good`, else refuse the whole file:
/// a row that breaks the checks `checks` names was altered after conversion.
pub(super) fn take_normalized(
    file: &InputFile,
    table: &DataFrame,
    good: Expr,
    checks: &str,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<bool> {
    check_normalized(&file.path, table, good, checks)?;
    ledger.counts.read += table.height() as u64;
    parts.push(with_keys(
        &super::dtypes::to_memory(table.clone())?,
        ledger.file_index(),
    )?);
    Ok(true)
}

/// A normalized table with the sort keys of its rows (data row `i` is file row `i + 2`).
pub(super) fn with_keys(table: &DataFrame, file: u32) -> Result<DataFrame> {
    let keys: Vec<u64> = (0..table.height() as u64)
        .map(|i| row_key(file, i + 2))
        .collect();
    let mut cols = vec![Column::new(KEY.into(), keys)];
    cols.extend(table.columns().iter().cloned());
    Ok(DataFrame::new(table.height(), cols)?)
}
