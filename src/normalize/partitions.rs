//! Contacts left in `cseval convert`'s Parquet partitions and read one period at a time, so
//! that a run over years of history holds about one month of contacts in memory.
//!
//! One pass over every file's `contact_id` and `arrived_ms` first does what loading all
//! contacts at once does across files: it counts and fingerprints the files, finds the ids
//! that repeat an earlier row (listed as duplicates; the first row wins, as in
//! [`super::load`]) and notes which file holds the contact each survey response or
//! inspection links to. A period's frame then holds, in reading order, the contacts that
//! arrived in the period plus the contacts that the period's responses and inspections link
//! to (only their link columns filled: they arrived outside the period, so no KPI counts
//! them), duplicates left out. The KPI stage therefore sees the same rows it would pick from
//! the whole frame. Exports that are not normalized Parquet files are loaded whole by
//! [`super::load`]; this module computes no KPI.

use super::{
    check_channels, check_normalized, contact_check, known_channel, row_key, same_schema, Checks,
    ContactCols, Ledger, Rejection, RowCounts, EVERY_CONTACT,
};
use crate::error::{io_err, Error, Result};
use crate::util::FastMap;
use crate::util::InputFile;
use polars::prelude::*;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

/// The link columns a period's frame fills for contacts that arrived outside the period.
const LINK_COLUMNS: [&str; 6] = [
    "contact_id",
    "arrived_ms",
    "channel",
    "agent_id",
    "agent_name",
    "topic",
];

/// Row index column of a scanned file (0-based data row). Internal.
const ROW: &str = "_row";

/// No file holds the id (yet).
const NOWHERE: u32 = u32::MAX;
/// Several files hold an id with this hash: look in every file.
const ANYWHERE: u32 = u32::MAX - 1;

/// One normalized contacts file.
struct Part {
    path: PathBuf,
    /// Earliest and latest `arrived_ms` (`None`: no rows).
    span: Option<(i64, i64)>,
    /// Data rows (0-based) dropped as duplicates of an earlier row, ascending.
    dups: Vec<u32>,
}

/// Contacts kept in normalized Parquet files, read period by period.
pub struct Partitions {
    parts: Vec<Part>,
    /// Hash of a linked `contact_id` → the file holding it ([`NOWHERE`], [`ANYWHERE`]).
    links: FastMap<u64, u32>,
    /// Accepted contacts in all files.
    pub accepted: u64,
    /// What every row read is checked against (see `ContactSink::normalized`).
    checks: Checks,
}

fn scan(path: &Path, row_index: bool) -> Result<LazyFrame> {
    let args = ScanArgsParquet {
        glob: false,
        row_index: row_index.then(|| RowIndex {
            name: ROW.into(),
            offset: 0,
        }),
        ..Default::default()
    };
    Ok(LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path)?,
        args,
    )?)
}

/// A Polars failure reading `path`, named as the whole-file reader names it.
fn unreadable(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::input(format!("{}: cannot read Parquet: {e}", path.display()))
        .with_hint("the file may be damaged or not really Parquet")
}

fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, "read", e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| io_err(path, "read", e))?;
    Ok(format!("{:x}", h.finalize()))
}

fn hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::default()
}

/// What opening the partitions yields besides them: the files, the duplicate rows and the
/// contact row counts.
pub type Opened = (Partitions, Vec<InputFile>, Vec<Rejection>, RowCounts);

impl Partitions {
    /// Open `paths` as partitions when every one is a Parquet file in the normalized
    /// contact schema within the size limit; `None` otherwise (the caller loads them whole
    /// and reports what is wrong). `linked` are the `contact_id` columns of the survey
    /// responses and inspections.
    pub fn open(
        paths: &[PathBuf],
        max_file_bytes: u64,
        checks: Checks,
        linked: &[&StringChunked],
    ) -> Result<Option<Opened>> {
        use rayon::prelude::*;
        let want = super::dtypes::to_file(ContactCols::default().into_frame(&checks.channels)?)?;
        if paths.is_empty() {
            return Ok(None);
        }
        for p in paths {
            let parquet = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
            let small = std::fs::metadata(p).is_ok_and(|m| m.len() <= max_file_bytes);
            if !parquet || !small {
                return Ok(None);
            }
            let Ok(schema) = scan(p, false).and_then(|mut lf| Ok(lf.collect_schema()?)) else {
                return Ok(None);
            };
            if !same_schema(&DataFrame::empty_with_schema(&schema), &want) {
                return Ok(None);
            }
        }
        let state = hasher();
        let mut links: FastMap<u64, u32> = FastMap::default();
        for ids in linked {
            for a in ids.downcast_iter() {
                for v in a.iter().flatten() {
                    links.insert(state.hash_one(v), NOWHERE);
                }
            }
        }
        let mut ledger = Ledger::new("contacts");
        let mut parts = Vec::new();
        let mut inputs = Vec::new();
        let mut hashes: Vec<u64> = Vec::new();
        for (i, p) in paths.iter().enumerate() {
            let t = std::time::Instant::now();
            let (sha, df) = std::thread::scope(|s| {
                let sha = s.spawn(|| sha256_file(p));
                let df = scan(p, false)?
                    .select([col("contact_id"), col("arrived_ms")])
                    .collect()
                    .map_err(|e| unreadable(p, e));
                let sha = sha.join().map_err(|_| {
                    Error::runtime(format!("{}: fingerprinting failed", p.display()))
                })?;
                Ok::<_, Error>((sha?, df?))
            })?;
            let ids = df.column("contact_id")?.str()?;
            let arrived = df.column("arrived_ms")?.i64()?;
            let span = arrived.min().zip(arrived.max());
            let file_hashes: Vec<u64> = ids
                .downcast_iter()
                .collect::<Vec<_>>()
                .par_iter()
                .flat_map_iter(|a| a.iter().flatten().map(|v| state.hash_one(v)))
                .collect();
            if !links.is_empty() {
                let hits: Vec<u64> = file_hashes
                    .par_iter()
                    .copied()
                    .filter(|h| links.contains_key(h))
                    .collect();
                for h in hits {
                    if let Some(f) = links.get_mut(&h) {
                        if *f == NOWHERE {
                            *f = i as u32;
                        } else if *f != i as u32 {
                            *f = ANYWHERE;
                        }
                    }
                }
            }
            hashes.extend(file_hashes);
            let file = InputFile {
                sha256: sha,
                rows: df.height() as u64,
                ..InputFile::new(p.clone())
            };
            ledger.open(&file);
            ledger.counts.read += file.rows;
            inputs.push(file);
            parts.push(Part {
                path: p.clone(),
                span,
                dups: Vec::new(),
            });
            tracing::debug!(
                file = %p.display(),
                seconds = t.elapsed().as_secs_f64(),
                peak_mb = crate::util::peak_rss_mb(),
                "partition indexed"
            );
        }
        // Ids whose hash repeats are resolved exactly, reading the ids again.
        let repeated = super::repeated_hashes(hashes);
        let mut dups = 0u64;
        if !repeated.is_empty() {
            let mut first: FastMap<String, u64> = FastMap::default();
            for (i, part) in parts.iter_mut().enumerate() {
                let df = scan(&part.path, false)?
                    .select([col("contact_id")])
                    .collect()
                    .map_err(|e| unreadable(&part.path, e))?;
                let ids = df.column("contact_id")?.str()?;
                for (j, v) in ids.iter().enumerate() {
                    let Some(v) = v else { continue };
                    if !repeated.contains(&state.hash_one(v)) {
                        continue;
                    }
                    let key = row_key(i as u32, j as u64 + 2);
                    match first.get(v) {
                        Some(&f) => {
                            part.dups.push(j as u32);
                            ledger.duplicate(key, "contact_id", f);
                            dups += 1;
                        }
                        None => {
                            first.insert(v.to_string(), key);
                        }
                    }
                }
            }
        }
        let accepted = ledger.counts.read - dups;
        let (rejections, counts) = ledger.finish(accepted);
        Ok(Some((
            Partitions {
                parts,
                links,
                accepted,
                checks,
            },
            inputs,
            rejections,
            counts,
        )))
    }

    /// The earliest and latest arrival in any file.
    pub fn arrival_range(&self) -> Option<(i64, i64)> {
        let spans = self.parts.iter().filter_map(|p| p.span);
        spans.fold(None, |acc, (a, b)| match acc {
            None => Some((a, b)),
            Some((x, y)) => Some((x.min(a), y.max(b))),
        })
    }

    /// The contacts of `bounds` (epoch ms, end exclusive) and those linked by `ids` (the
    /// `contact_id`s of the responses and inspections that may count in it), in reading
    /// order, duplicates left out. `has_survey` is not set.
    pub fn window(&self, bounds: (i64, i64), ids: &[&str]) -> Result<DataFrame> {
        let (a, b) = bounds;
        let state = hasher();
        let mut wanted = vec![false; self.parts.len()];
        for id in ids {
            match self.links.get(&state.hash_one(*id)) {
                Some(&ANYWHERE) => wanted.iter_mut().for_each(|w| *w = true),
                Some(&f) if f != NOWHERE => wanted[f as usize] = true,
                _ => {}
            }
        }
        let in_range = col("arrived_ms")
            .gt_eq(lit(a))
            .and(col("arrived_ms").lt(lit(b)));
        let channels = &self.checks.channels;
        let schema = ContactCols::default()
            .into_frame(channels)?
            .drop(super::KEY)?;
        let link_ids = DataFrame::new(
            ids.len(),
            vec![Column::new("contact_id".into(), ids.to_vec())],
        )?;
        let mut out: Option<DataFrame> = None;
        for (i, part) in self.parts.iter().enumerate() {
            let overlaps = part.span.is_some_and(|(lo, hi)| lo < b && hi >= a);
            // A file inside the bounds has no contact outside them to link.
            let inside = part.span.is_some_and(|(lo, hi)| lo >= a && hi < b);
            let linked = wanted[i] && !inside;
            if !overlaps && !linked {
                continue;
            }
            let mut frames = Vec::new();
            if overlaps {
                let df = scan(&part.path, true)?
                    .filter(in_range.clone())
                    .collect()
                    .map_err(|e| unreadable(&part.path, e))?;
                let good = contact_check(&self.checks);
                check_channels(&part.path, &df, channels)?;
                check_normalized(&part.path, &df, good, EVERY_CONTACT)?;
                frames.push(super::dtypes::to_memory(df, channels)?);
            }
            if linked {
                let linked = scan(&part.path, true)?
                    .select(
                        std::iter::once(col(ROW))
                            .chain(LINK_COLUMNS.iter().map(|c| col(*c)))
                            .collect::<Vec<_>>(),
                    )
                    .filter(in_range.clone().not())
                    .join(
                        link_ids.clone().lazy(),
                        [col("contact_id")],
                        [col("contact_id")],
                        JoinArgs {
                            maintain_order: MaintainOrderJoin::Left,
                            ..JoinArgs::new(JoinType::Inner)
                        },
                    )
                    .collect()
                    .map_err(|e| unreadable(&part.path, e))?;
                let valid = known_channel(channels).and(col("arrived_ms").is_not_null());
                check_channels(&part.path, &linked, channels)?;
                check_normalized(&part.path, &linked, valid, EVERY_CONTACT)?;
                let linked = super::dtypes::to_memory(linked, channels)?;
                // Every other column null, in the schema's order.
                let h = linked.height();
                let cols: Vec<Column> = std::iter::once(linked.column(ROW)?.clone())
                    .chain(schema.columns().iter().map(|c| {
                        linked
                            .column(c.name())
                            .cloned()
                            .unwrap_or_else(|_| Column::full_null(c.name().clone(), h, c.dtype()))
                    }))
                    .collect();
                frames.push(DataFrame::new(h, cols)?);
            }
            for mut df in frames {
                if !part.dups.is_empty() {
                    let rows = df.column(ROW)?.idx()?;
                    let keep: BooleanChunked = rows
                        .iter()
                        .map(|r| r.is_none_or(|r| part.dups.binary_search(&r).is_err()))
                        .collect();
                    df = df.filter(&keep)?;
                }
                let df = df.drop(ROW)?;
                match &mut out {
                    None => out = Some(df),
                    Some(o) => {
                        o.vstack_mut_owned(df)?;
                    }
                }
            }
        }
        Ok(out.unwrap_or(schema))
    }
}
