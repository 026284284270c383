//! `cseval convert`: any export a mapping profile reads → canonical Parquet, one file per
//! month, so that history reruns skip text parsing.
//!
//! Inputs are read and checked exactly as `run` reads them (same profiles, same rejected
//! rows, listed on stderr); the accepted records are written in their normalized form
//! (`arrived_ms`, …) as `contacts/contacts-YYYY-MM.parquet`, partitioned by the local month
//! of `arrived_at` in the contract's time zone, and `surveys/surveys-YYYY-MM.parquet` by
//! the month of `responded_at`, else of the linked contact, else `surveys-undated.parquet`.
//! `run` takes such files back without re-parsing them. This command computes no KPI.

use crate::config::RunConfig;
use crate::error::{io_err, Error, ExitCode, Result};
use chrono::{Datelike, TimeZone};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `YYYY-MM` of each instant in the contract's time zone (`None` for no instant).
fn months(ms: &Int64Chunked, tz: chrono_tz::Tz) -> Vec<Option<String>> {
    let mut cache: BTreeMap<(i32, u32), String> = BTreeMap::new();
    ms.iter()
        .map(|v| {
            let t = tz.timestamp_millis_opt(v?).single()?;
            let key = (t.year(), t.month());
            Some(
                cache
                    .entry(key)
                    .or_insert_with(|| format!("{:04}-{:02}", key.0, key.1))
                    .clone(),
            )
        })
        .collect()
}

/// Write `df` split by `month` (a string per row) as `dir/prefix-MONTH.parquet`.
fn write_partitions(
    df: DataFrame,
    month: Vec<Option<String>>,
    dir: &Path,
    prefix: &str,
    force: bool,
) -> Result<Vec<(PathBuf, usize)>> {
    let mut df = df;
    df.with_column(Column::new("_month".into(), month))?;
    let labels: std::collections::BTreeSet<Option<String>> = df
        .column("_month")?
        .str()?
        .iter()
        .map(|m| m.map(str::to_string))
        .collect();
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, "create the folder", e))?;
    let mut written = Vec::new();
    for label in labels {
        let name = format!("{prefix}-{}.parquet", label.as_deref().unwrap_or("undated"));
        let path = dir.join(&name);
        if path.exists() && !force {
            return Err(Error::usage(format!(
                "{} exists: not replaced without --force",
                path.display()
            ))
            .with_hint("pass --force, or convert into another folder"));
        }
        let is_this = match &label {
            Some(l) => col("_month").eq(lit(l.as_str())),
            None => col("_month").is_null(),
        };
        let mut part = df
            .clone()
            .lazy()
            .filter(is_this)
            .drop(by_name(["_month"], true, false))
            .collect()?;
        let tmp = dir.join(format!(".{name}.tmp"));
        let file = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, "write", e))?;
        ParquetWriter::new(crate::util::SmallWrites(file))
            .with_compression(ParquetCompression::Snappy)
            .finish(&mut part)?;
        std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, "write", e))?;
        written.push((path, part.height()));
    }
    Ok(written)
}

/// `cseval convert`.
pub fn convert(cfg: &RunConfig) -> Result<ExitCode> {
    let out = cfg
        .out
        .as_deref()
        .ok_or_else(|| Error::usage("convert needs --out DIR").with_hint("e.g. --out parquet/"))?;
    let force = cfg.force;
    let data = super::inputs::load(cfg)?;
    super::report_rejections(cfg, &data);
    let tz = cfg.contract.tz();
    // Files hold text: see `normalize::dtypes`.
    // The outbound contacts after the inbound ones: both are the input's contacts.
    let contacts = crate::normalize::dtypes::to_file(
        data.contacts
            .vstack(&data.outbound)?
            .lazy()
            .drop(by_name(["has_survey"], true, false))
            .collect()?,
    )?;
    let month = months(contacts.column("arrived_ms")?.i64()?, tz);
    let mut written = write_partitions(contacts, month, &out.join("contacts"), "contacts", force)?;
    if data.surveys.height() > 0 {
        // A survey without its own time belongs to its contact's month.
        let rows = data.surveys.column(crate::normalize::CONTACT_ROW)?.u32()?;
        let contact_ms = data.contacts.column("arrived_ms")?.take(rows)?;
        let when = data
            .surveys
            .select(["responded_ms"])?
            .hstack(&[contact_ms.with_name("_contact_ms".into())])?
            .lazy()
            .select([coalesce(&[col("responded_ms"), col("_contact_ms")]).alias("when")])
            .collect()?;
        let month = months(when.column("when")?.i64()?, tz);
        written.extend(write_partitions(
            data.surveys.drop(crate::normalize::CONTACT_ROW)?,
            month,
            &out.join("surveys"),
            "surveys",
            force,
        )?);
    }
    for (path, rows) in &written {
        println!("{}: {rows} rows", path.display());
    }
    if !cfg.quiet {
        let r = &data.contact_rows;
        eprintln!(
            "cseval: converted {} contacts and {} survey responses into {} file(s) in {} ({} rows rejected, {} duplicates)",
            r.accepted,
            data.survey_rows.accepted,
            written.len(),
            out.display(),
            r.rejected + data.survey_rows.rejected,
            r.duplicates + data.survey_rows.duplicates
        );
    }
    Ok(ExitCode::Ok)
}
