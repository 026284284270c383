//! Converted files: a normalized table (`cseval convert`'s Parquet) is taken whole, without
//! re-parsing, only when its schema is the canonical one and every row keeps the validity
//! rules ([`super::rules`]); otherwise the whole file is refused, naming the first row that
//! breaks them.

use super::{row_key, Ledger, KEY};
use crate::error::{Error, Result};
use crate::model::Channels;
use crate::util::InputFile;
use polars::prelude::*;
use std::path::Path;

/// The checks named when a converted contact row breaks [`super::rules::contact_check`].
pub(super) const EVERY_CONTACT: &str = "every contact passes (channel not built in or declared, reply before arrival, negative duration, score off the scale, ...)";

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

/// Refuse a normalized table with a channel this run does not know: one declared when the
/// file was converted (by the profile then) that neither this run's contract nor its
/// profiles declare. Named before the row checks, which would call the file altered.
pub(super) fn check_channels(path: &Path, table: &DataFrame, channels: &Channels) -> Result<()> {
    let Ok(c) = table.column("channel") else {
        return Ok(());
    };
    let values = c.as_materialized_series().unique()?;
    let unknown: Vec<String> = values
        .str()?
        .iter()
        .flatten()
        .filter(|v| !channels.names().any(|n| n == *v))
        .map(|v| format!("`{v}`"))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::input(format!(
        "{}: holds the channel(s) {}, which this run's contract and profiles do not declare (known: {})",
        path.display(),
        unknown.join(", "),
        channels.expected()
    ))
    .with_hint("declare them with [[channel]] in the contract (as the profile did when the file was converted)"))
}

/// Take a normalized table whose every row satisfies `good`, else refuse the whole file:
/// a row that breaks the checks `checks` names was altered after conversion.
pub(super) fn take_normalized(
    file: &InputFile,
    table: &DataFrame,
    good: Expr,
    channels: &Channels,
    checks: &str,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<bool> {
    check_channels(&file.path, table, channels)?;
    check_normalized(&file.path, table, good, checks)?;
    ledger.counts.read += table.height() as u64;
    parts.push(with_keys(
        &super::dtypes::to_memory(table.clone(), channels)?,
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
