//! Render stage: write a [`Report`] to disk, one module per output format.
//!
//! Each format implements [`Renderer`] and hands its files, one after the other, to an
//! [`Output`] (the small ones rendered into memory on a thread of their own while the large
//! evidence lists are written, [`render_all`]): [`write_report`] stages them in a temporary
//! folder inside the output directory and moves them into place only when every renderer
//! succeeded, undoing every move if one fails ([`stage`]), so a crash never leaves a
//! half-written report; it refuses to replace an existing report without `--force`.
//! Renderers compute nothing: every figure comes from the report.

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
pub trait Renderer: Send + Sync {
    /// Short name for logs.
    fn name(&self) -> &'static str;
    /// Hand each of its files to `out`.
    fn render(&self, report: &Report, out: &mut dyn Output) -> Result<()>;
    /// Whether its files can be too large to hold in memory (the evidence lists): written
    /// straight to the output, not rendered into memory beside the others.
    fn large(&self) -> bool {
        false
    }
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

/// Hand every renderer's files to `out`: the large ones' as they are written, while the
/// others render theirs into memory on a thread of their own (each renderer keeps about one
/// core busy at most, the evidence lists less than two); then those, in writing order.
pub fn render_all(report: &Report, out: &mut dyn Output) -> Result<()> {
    let (large, small): (Vec<_>, Vec<_>) = renderers(report).into_iter().partition(|r| r.large());
    std::thread::scope(|s| {
        let side = s.spawn(|| -> Result<Vec<(PathBuf, Vec<u8>)>> {
            // The input fingerprints these files show, worked out while the large files
            // are written (the hashing left, if any, on this thread).
            report.settle_inputs()?;
            let mut files = Vec::new();
            for r in &small {
                render_one(r.as_ref(), report, &mut files)?;
            }
            Ok(files)
        });
        let streamed = large
            .iter()
            .try_for_each(|r| render_one(r.as_ref(), report, out));
        let files = side
            .join()
            .map_err(|_| Error::runtime("a thread rendering the report failed"))??;
        streamed?;
        for (rel, bytes) in files {
            out.bytes(&rel.display().to_string(), &bytes)?;
        }
        Ok(())
    })
}

/// Hand `r`'s files to `out`, logged.
fn render_one(r: &dyn Renderer, report: &Report, out: &mut dyn Output) -> Result<()> {
    tracing::info!(renderer = r.name(), "rendering");
    let start = std::time::Instant::now();
    r.render(report, out)?;
    tracing::debug!(
        renderer = r.name(),
        seconds = start.elapsed().as_secs_f64(),
        peak_mb = crate::util::peak_rss_mb(),
        "rendered"
    );
    Ok(())
}

/// Write every renderer's files into `out`, all or nothing (see [`stage`]): each renderer's
/// files are staged as it hands them over. With a manifest, its `files` are filled in and it is
/// written last as `manifest.json`.
pub fn write_report(
    report: &Report,
    out: &Path,
    force: bool,
    manifest: Option<&dyn Fn() -> Result<crate::config::manifest::Manifest>>,
) -> Result<Vec<PathBuf>> {
    stage::write_atomically(out, force, |staging| {
        render_all(report, staging)?;
        // Made once the files are (their hashes, and the inputs' fingerprints, which may
        // have been worked out meanwhile).
        if let Some(mut m) = manifest.map(|make| make()).transpose()? {
            // By path: the order the renderers finish in is not the manifest's business.
            m.files = staging.files().to_vec();
            m.files.sort_by(|a, b| a.path.cmp(&b.path));
            let mut text = serde_json::to_string_pretty(&m)
                .map_err(|e| Error::runtime(format!("cannot serialise manifest.json: {e}")))?;
            text.push('\n');
            staging.put(Path::new("manifest.json"), text.as_bytes())?;
        }
        Ok(())
    })
}
