//! Render stage: write a [`Report`] to disk, one module per output format.
//!
//! Each format implements [`Renderer`] and hands its files, one after the other, to an
//! [`Output`]: [`write_report`] stages them in a temporary folder inside the output directory and moves them into place
//! only when every renderer succeeded, undoing every move if one fails ([`stage`]), so a
//! crash never leaves a half-written report; it refuses to replace an existing report
//! without `--force`. Renderers compute nothing:
//! every figure comes from the report.

pub mod docx;
pub mod evidence;
pub mod html;
pub mod json;
pub mod plan;
pub mod stage;
pub mod svg;
pub mod xlsx;

use crate::error::{Error, Result};
use crate::report::Report;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One output format.
pub trait Renderer {
    /// Short name for logs.
    fn name(&self) -> &'static str;
    /// Hand each of its files to `out`.
    fn render(&self, report: &Report, out: &mut dyn Output) -> Result<()>;
}

/// Where a renderer's files go, each written whole before the next: to the staging folder
/// ([`stage::Staging`]), to the comparison of `cseval verify`, or into memory. A file is
/// written through a [`Write`], so a very large one (an evidence list of millions of lines)
/// is never held in memory whole.
pub trait Output {
    /// The file at `rel` (relative to the output folder), its bytes written by `fill`.
    fn file(
        &mut self,
        rel: &Path,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()>;
}

impl dyn Output + '_ {
    /// The file at `rel`, holding `bytes`.
    pub fn bytes(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.file(Path::new(rel), &mut |w| {
            w.write_all(bytes).map_err(|e| write_err(rel, e))
        })
    }
}

/// The error of a failed write into file `rel`.
pub fn write_err(rel: &str, e: impl std::fmt::Display) -> Error {
    Error::runtime(format!("cannot write {rel}: {e}"))
}

/// Files kept in memory, as (path relative to the output folder, bytes).
impl Output for Vec<(PathBuf, Vec<u8>)> {
    fn file(
        &mut self,
        rel: &Path,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.push((rel.to_path_buf(), bytes));
        Ok(())
    }
}

/// The renderers of a report, in writing order: everything for the monthly evaluation (the
/// Word document unless `[report] docx = false`), `metrics.json` and the one-sheet workbook
/// for a daily or weekly summary.
pub fn renderers(report: &Report) -> Vec<Box<dyn Renderer>> {
    if report.metrics.cadence == crate::config::Cadence::Monthly {
        let mut all: Vec<Box<dyn Renderer>> = vec![
            Box::new(json::Json),
            Box::new(xlsx::Xlsx),
            Box::new(svg::Svg),
            Box::new(html::Html),
        ];
        if report.terms.report.docx {
            all.push(Box::new(docx::Word));
        }
        all.push(Box::new(evidence::EvidenceCsv));
        all
    } else {
        vec![Box::new(json::Json), Box::new(xlsx::Xlsx)]
    }
}

/// Timestamp used inside files (workbook properties): `SOURCE_DATE_EPOCH` if set, else the
/// end of the period, never the wall clock, so outputs are reproducible.
pub fn document_epoch(report: &Report) -> i64 {
    report.doc_epoch
}

/// Hand every renderer's files to `out`, in writing order.
pub fn render_all(report: &Report, out: &mut dyn Output) -> Result<()> {
    for r in renderers(report) {
        tracing::info!(renderer = r.name(), "rendering");
        let start = std::time::Instant::now();
        r.render(report, out)?;
        tracing::debug!(
            renderer = r.name(),
            seconds = start.elapsed().as_secs_f64(),
            peak_mb = crate::util::peak_rss_mb(),
            "rendered"
        );
    }
    Ok(())
}

/// Write every renderer's files into `out`, all or nothing (see [`stage`]): each renderer's
/// files are staged as it hands them over. With a manifest, its `files` are filled in and it is
/// written last as `manifest.json`.
pub fn write_report(
    report: &Report,
    out: &Path,
    force: bool,
    manifest: Option<crate::config::manifest::Manifest>,
) -> Result<Vec<PathBuf>> {
    stage::write_atomically(out, force, |staging| {
        render_all(report, staging)?;
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
