//! The contact column kernels: a block of CSV rows split in place is checked column by column
//! on the thread pool, range by range, tight loops taking the clean, common cells and every
//! other cell falling back to the row check ([`super::contacts::check_contact`]), so both paths
//! accept and reject the same rows with the same reasons.

use super::rules::Checks;
use super::{
    check_contact, label, non_blank, text, BlockPart, CommonMs, ContactScalars, Ledger, LocalToUtc,
    RowError, Rows,
};
use crate::columns::contact as cc;
use crate::error::Result;
use crate::ingest::{self, Cell};
use crate::model::{parse_bool, Channel, Complexity, Direction, Kind, Priority};
use chrono_tz::Tz;
use polars::prelude::*;
use std::borrow::Cow;

/// The accepted rows of one text column of a block range, as [`text`] (for `contact_id`)
/// or [`label`] reads each cell. `None` in `file_col`: the file lacks the column.
pub(super) fn range_text<'t>(
    split: &'t ingest::Split<'t>,
    file_col: Option<usize>,
    keep: &'t [bool],
    is_label: bool,
) -> impl Iterator<Item = Option<Cow<'t, str>>> + 't {
    keep.iter()
        .enumerate()
        .filter(|(_, k)| **k)
        .map(move |(j, _)| {
            let c = file_col
                .and_then(|p| split.get(j, p))
                .map_or(Cell::Empty, Cell::Text);
            if is_label {
                label(&c)
            } else {
                text(&c)
            }
        })
}

/// Rows a range of a block is checked in at a time (see [`ContactSink::block`]). Unit
/// tests check row by row, to cross as many boundaries as there are rows.
#[cfg(not(test))]
pub(super) const SUB_RANGE: usize = 2048;
#[cfg(test)]
pub(super) const SUB_RANGE: usize = 1;

/// Split `0..n` into ranges for the thread pool.
pub(super) fn ranges(n: usize) -> Vec<std::ops::Range<usize>> {
    let step = (n / (rayon::current_num_threads() * 4)).max(8192);
    (0..n).step_by(step).map(|s| s..(s + step).min(n)).collect()
}

/// Check every row of a block on the thread pool, range by range: `step` checks row `i`
/// (its cells filled in) and keeps it in the range's accumulator, or says why not; each
/// range's accumulator becomes one frame in `parts`, and each rejection goes to the ledger
/// with the row's sort key `key(i)`.
pub(super) fn check_block<'a, C: Default>(
    block: &ingest::Block<'a>,
    step: impl Fn(&mut C, usize, &[Cell<'a>]) -> std::result::Result<(), RowError> + Sync,
    finish: impl Fn(C) -> Result<DataFrame> + Sync,
    key: impl Fn(usize) -> u64 + Sync,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<()> {
    use rayon::prelude::*;
    let results: Vec<Result<BlockPart>> = ranges(block.len())
        .into_par_iter()
        .map(|r| {
            let split = block.split(r.clone());
            let mut acc = C::default();
            let mut rejected = Vec::new();
            let mut cells = vec![Cell::Empty; block.width()];
            for (j, i) in r.enumerate() {
                split.fill(j, &mut cells);
                if let Err(e) = step(&mut acc, i, &cells) {
                    rejected.push((key(i), e));
                }
            }
            Ok((finish(acc)?, rejected))
        })
        .collect();
    take_block_parts(results, block.len(), parts, ledger)
}

/// Account for a block checked range by range: each range's accepted rows become a part
/// (see [`settle`]), its rejected rows go to the ledger.
pub(super) fn take_block_parts(
    results: Vec<Result<BlockPart>>,
    height: usize,
    parts: &mut Vec<DataFrame>,
    ledger: &mut Ledger,
) -> Result<()> {
    ledger.counts.read += height as u64;
    for r in results {
        let (df, rejected) = r?;
        if df.height() > 0 {
            parts.push(df);
        }
        for (key, why) in rejected {
            ledger.reject(key, why);
        }
    }
    settle(parts)
}

/// Rows of a settled part (see [`settle`]); a few in unit tests, so that their reads settle.
pub(super) const PART_ROWS: usize = if cfg!(test) { 4 } else { 1 << 20 };

/// Once the last parts of `parts` smaller than [`PART_ROWS`] hold that many rows together,
/// they become one part of one chunk a column. The rows read stay in a few dozen large
/// allocations, made while the small parts' memory is about to be reused for the next
/// rows, instead of thousands of small ones among the reading's temporaries: small ones
/// keep whole pages of the reading's memory from being reused or given back. The kernels
/// still have a chunk for every thread.
pub(super) fn settle(parts: &mut Vec<DataFrame>) -> Result<()> {
    let small = parts
        .iter()
        .rev()
        .take_while(|p| p.height() < PART_ROWS)
        .count();
    let from = parts.len() - small;
    let rows: usize = parts[from..].iter().map(DataFrame::height).sum();
    if small < 2 || rows < PART_ROWS {
        return Ok(());
    }
    let mut tail = parts.drain(from..);
    let Some(mut part) = tail.next() else {
        return Ok(());
    };
    for p in tail {
        part.vstack_mut_owned(p)?;
    }
    part.rechunk_mut_par();
    parts.push(part);
    Ok(())
}

/// Run `parse` over rows `r` of one column (`None`: the file lacks it), pushing each value
/// to `out`; a row `parse` is unsure of gets `fallback` and loses its `sure` mark.
pub(super) fn column_kernel<'t, T: Copy>(
    values: impl ExactSizeIterator<Item = Option<&'t str>>,
    out: &mut impl Rows<T>,
    sure: &mut [bool],
    fallback: T,
    mut parse: impl FnMut(Option<&'t str>) -> Option<T>,
) {
    out.reserve_rows(values.len());
    for (j, v) in values.enumerate() {
        match parse(v) {
            Some(v) => out.push_row(v),
            None => {
                sure[j] = false;
                out.push_row(fallback);
            }
        }
    }
}

/// Who called on each row (its phone number, else its customer id): never a reason to
/// refuse a row, so never left to the row check.
fn callers<'a>(
    phone: impl Iterator<Item = Option<&'a str>>,
    id: impl Iterator<Item = Option<&'a str>>,
) -> Vec<Option<u64>> {
    fn given(s: Option<&str>) -> Option<&str> {
        s.map(super::cells::trim).filter(|s| !s.is_empty())
    }
    phone
        .zip(id)
        .map(|(p, i)| super::caller::caller(given(p), given(i)))
        .collect()
}

/// The closed vocabularies of a range's rows, column by column: channel, kind, priority,
/// complexity and direction (`a(k)`: canonical column `k` of the rows).
fn vocabulary_kernels<'t, I: ExactSizeIterator<Item = Option<&'t str>>>(
    a: &impl Fn(usize) -> I,
    checks: &Checks,
    c: &mut ContactScalars,
    sure: &mut [bool],
) {
    column_kernel(a(cc::CHANNEL), &mut c.channel, sure, Channel::OTHER, |v| {
        checks.channels.parse(v?)
    });
    column_kernel(a(cc::KIND), &mut c.kind, sure, Kind::Other, |v| match v {
        None => Some(Kind::Consultation),
        Some(s) => Kind::parse(s),
    });
    column_kernel(a(cc::PRIORITY), &mut c.priority, sure, None, |v| match v {
        None => Some(None),
        Some(s) => Priority::parse(s).map(Some),
    });
    column_kernel(
        a(cc::COMPLEXITY),
        &mut c.complexity,
        sure,
        None,
        |v| match v {
            None => Some(None),
            Some(s) => Complexity::parse(s).map(Some),
        },
    );
    column_kernel(
        a(cc::DIRECTION),
        &mut c.outbound,
        sure,
        false,
        |v| match v {
            None => Some(false),
            Some(s) => Direction::parse(s).map(|d| d == Direction::Outbound),
        },
    );
}

/// Check rows `r` of a block column by column. Tight kernels take the clean, common
/// values (canonical spellings, `YYYY-MM-DD HH:MM:SS`, plain numbers) with exactly the
/// results [`check_contact`] gives them; every row a kernel is unsure of (anything else,
/// including every row with a problem) goes through [`check_contact`], which decides and
/// names the problem. Appends the parsed values of every row to `c` (a rejected row's are
/// placeholders, and `key` is left as it is); returns which rows are accepted and the
/// rejections by row index.
pub(super) fn check_contact_range(
    split: &ingest::Split<'_>,
    pos: &[Option<usize>],
    r: std::ops::Range<usize>,
    tz: Tz,
    checks: &Checks,
    c: &mut ContactScalars,
) -> (Vec<bool>, Vec<(usize, RowError)>) {
    let n = r.len();
    let mut sure = vec![true; n];
    // The range's first row in `c`.
    let base = c.arrived_ms.len();
    // Canonical column `k` of the range's rows.
    let a = |k: usize| (0..n).map(move |j| pos[k].and_then(|p| split.get(j, p)));
    let (lo, hi) = (checks.survey.scale_min, checks.survey.scale_max);
    for (j, v) in a(cc::CONTACT_ID).enumerate() {
        if !v.is_some_and(non_blank) {
            sure[j] = false;
        }
    }
    if c.keep_callers {
        c.caller
            .extend(callers(a(cc::CUSTOMER_PHONE), a(cc::CUSTOMER_ID)));
    }
    vocabulary_kernels(&a, checks, c, &mut sure);
    let (mut zone, mut day) = (LocalToUtc::new(tz), CommonMs::new());
    column_kernel(a(cc::ARRIVED_AT), &mut c.arrived_ms, &mut sure, 0, |v| {
        zone.to_utc(day.parse(v?)?)
    });
    for (k, out) in [
        (cc::ANSWERED_AT, &mut c.answered_ms),
        (cc::RESOLVED_AT, &mut c.resolved_ms),
    ] {
        column_kernel(a(k), out, &mut sure, None, |v| match v {
            None => Some(None),
            Some(s) => zone.to_utc(day.parse(s)?).map(Some),
        });
    }
    let number = |v: Option<&str>, ok: &dyn Fn(f64) -> bool| match v {
        None => Some(None),
        // A plain number (no blanks around it) parses as `parse_number` reads it.
        Some(s) => s.parse::<f64>().ok().filter(|&x| ok(x)).map(Some),
    };
    let duration = |x: f64| x.is_finite() && x >= 0.0;
    column_kernel(a(cc::WAIT_SECONDS), &mut c.wait_s, &mut sure, None, |v| {
        number(v, &duration)
    });
    column_kernel(
        a(cc::HANDLE_SECONDS),
        &mut c.handle_s,
        &mut sure,
        None,
        |v| number(v, &duration),
    );
    column_kernel(
        a(cc::SATISFACTION),
        &mut c.satisfaction,
        &mut sure,
        None,
        |v| number(v, &|x| x.is_finite() && x >= lo && x <= hi),
    );
    for (k, out) in [
        (cc::RESOLVED, &mut c.resolved_flag),
        (cc::ANSWERED, &mut c.answered_flag),
        (cc::FCR, &mut c.fcr),
    ] {
        column_kernel(a(k), out, &mut sure, None, |v| match v {
            None => Some(None),
            Some(s) => parse_bool(s).map(Some),
        });
    }
    // The order of the three times.
    for j in 0..n {
        let (at, answered, resolved) = (
            c.arrived_ms[base + j],
            c.answered_ms.get(base + j),
            c.resolved_ms.get(base + j),
        );
        if answered.is_some_and(|t| t < at)
            || resolved.is_some_and(|t| t < at)
            || matches!((answered, resolved), (Some(x), Some(y)) if y < x)
        {
            sure[j] = false;
        }
    }
    let mut keep = vec![true; n];
    let mut rejected = Vec::new();
    for (j, i) in r.enumerate() {
        if sure[j] {
            continue;
        }
        let cell = |k: usize| {
            pos[k]
                .and_then(|p| split.get(j, p))
                .map_or(Cell::Empty, Cell::Text)
        };
        match check_contact(cell, tz, checks) {
            Ok(v) => c.set(base + j, &v),
            Err(e) => {
                keep[j] = false;
                rejected.push((i, e));
            }
        }
    }
    (keep, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(rows: std::ops::Range<i64>) -> DataFrame {
        let v: Vec<i64> = rows.collect();
        let names: Vec<String> = v.iter().map(|i| format!("c{i}")).collect();
        df!("n" => v, "id" => names).unwrap()
    }

    /// Parts of 1, 2, 1 and 3 rows with PART_ROWS = 4: the first three (4 rows together)
    /// settle into one part of one chunk a column once the third arrives; the fourth part
    /// (3 rows) waits; a fifth of 2 rows makes it settle too. Rows keep their order.
    #[test]
    fn parts_settle_in_order_once_they_hold_enough_rows() {
        let mut parts = Vec::new();
        for (r, settled) in [
            (0..1, vec![1]),
            (1..3, vec![1, 2]),
            (3..4, vec![4]),
            (4..7, vec![4, 3]),
            (7..9, vec![4, 5]),
        ] {
            parts.push(part(r));
            settle(&mut parts).unwrap();
            let heights: Vec<usize> = parts.iter().map(DataFrame::height).collect();
            assert_eq!(heights, settled);
        }
        for p in &parts {
            assert_eq!(p.max_n_chunks(), 1, "one chunk a column");
        }
        let n: Vec<i64> = parts
            .iter()
            .flat_map(|p| {
                p.column("n")
                    .unwrap()
                    .i64()
                    .unwrap()
                    .into_no_null_iter()
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(n, (0..9).collect::<Vec<_>>());
        let last = parts[1].column("id").unwrap().str().unwrap();
        assert_eq!(last.get(0), Some("c4"));
        assert_eq!(last.get(4), Some("c8"));
    }
}
