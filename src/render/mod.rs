//! Render stage: write a [`Report`] to disk, one module per output format.
//!
//! Each format implements [`Renderer`] and returns its files as bytes; [`write_report`]
//! stages them in a temporary folder inside the output directory and moves them into place
//! only when every renderer succeeded, undoing every move if one fails ([`stage`]), so a
//! crash never leaves a half-written report; it refuses to replace an existing report
//! without `--force`. Renderers compute nothing:
//! every figure comes from the report.

pub mod evidence;
pub mod html;
pub mod json;
pub mod stage;
pub mod svg;
pub mod xlsx;

use crate::error::{Error, Result};
use crate::report::Report;
use std::path::{Path, PathBuf};

/// One output format.
pub trait Renderer {
    /// Short name for logs.
    fn name(&self) -> &'static str;
    /// Files to write, as (path relative to the output folder, bytes).
    fn render(&self, report: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>>;
}

/// The renderers of a report, in writing order: everything for the monthly evaluation,
/// `metrics.json` and the one-sheet workbook for a daily or weekly summary.
pub fn renderers(report: &Report) -> Vec<Box<dyn Renderer>> {
    if report.metrics.cadence == crate::config::Cadence::Monthly {
        vec![
            Box::new(json::Json),
            Box::new(xlsx::Xlsx),
            Box::new(svg::Svg),
            Box::new(html::Html),
            Box::new(evidence::EvidenceCsv),
        ]
    } else {
        vec![Box::new(json::Json), Box::new(xlsx::Xlsx)]
    }
}

/// Timestamp used inside files (workbook properties): `SOURCE_DATE_EPOCH` if set, else the
/// end of the period, never the wall clock, so outputs are reproducible.
pub fn document_epoch(report: &Report) -> i64 {
    report.doc_epoch
}

/// Every renderer's files, as (path relative to the output folder, bytes).
pub fn render_all(report: &Report) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    for r in renderers(report) {
        tracing::info!(renderer = r.name(), "rendering");
        files.extend(r.render(report)?);
    }
    Ok(files)
}

/// Write every renderer's files into `out`, all or nothing (see [`stage`]): each renderer's
/// files are staged as it returns them. With a manifest, its `files` are filled in and it is
/// written last as `manifest.json`.
pub fn write_report(
    report: &Report,
    out: &Path,
    force: bool,
    manifest: Option<crate::config::manifest::Manifest>,
) -> Result<Vec<PathBuf>> {
    stage::write_atomically(out, force, |staging| {
        for r in renderers(report) {
            tracing::info!(renderer = r.name(), "rendering");
            for (rel, bytes) in r.render(report)? {
                staging.put(&rel, &bytes)?;
            }
        }
        if let Some(mut m) = manifest {
            m.files = staging.files().to_vec();
            let mut text = serde_json::to_string_pretty(&m)
                .map_err(|e| Error::runtime(format!("cannot serialise manifest.json: {e}")))?;
            text.push('\n');
            staging.put(Path::new("manifest.json"), text.as_bytes())?;
        }
        Ok(())
    })
}
