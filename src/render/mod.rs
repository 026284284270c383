//! Render stage: write a [`Report`] to disk, one module per output format.
//!
//! Each format implements [`Renderer`] and returns its files as bytes; [`write_report`]
//! stages them in a temporary folder inside the output directory and renames them into
//! place only when every renderer succeeded, so a crash never leaves a half-written report,
//! and refuses to replace an existing report without `--force`. Renderers compute nothing:
//! every figure comes from the report.

pub mod html;
pub mod json;
pub mod svg;
pub mod xlsx;

use crate::error::{io_err, Error, Result};
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
    if report.cadence == crate::config::Cadence::Monthly {
        vec![
            Box::new(json::Json),
            Box::new(xlsx::Xlsx),
            Box::new(svg::Svg),
            Box::new(html::Html),
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

/// Write every renderer's files into `out`, atomically.
/// With a manifest, its `files` are filled in and it is written as `manifest.json`.
pub fn write_report(
    report: &Report,
    out: &Path,
    force: bool,
    manifest: Option<crate::manifest::Manifest>,
) -> Result<Vec<PathBuf>> {
    let mut files = render_all(report)?;
    if let Some(mut m) = manifest {
        m.files = files
            .iter()
            .map(|(p, b)| crate::manifest::FileHash {
                path: p.display().to_string(),
                sha256: crate::manifest::sha256(b),
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&m)
            .map_err(|e| Error::runtime(format!("cannot serialise manifest.json: {e}")))?;
        text.push('\n');
        files.push((PathBuf::from("manifest.json"), text.into_bytes()));
    }
    std::fs::create_dir_all(out).map_err(|e| io_err(out, "create the output folder", e))?;
    if !force {
        if let Some((p, _)) = files.iter().find(|(p, _)| out.join(p).exists()) {
            return Err(Error::usage(format!(
                "{}: a report already exists here ({})",
                out.display(),
                p.display()
            ))
            .with_hint("pass --force to replace it, or choose another --out"));
        }
    }
    let staging = out.join(format!(".cseval-staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| -> Result<Vec<PathBuf>> {
        for (rel, bytes) in &files {
            let p = staging.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| io_err(parent, "create a folder", e))?;
            }
            std::fs::write(&p, bytes).map_err(|e| io_err(&p, "write", e))?;
        }
        let mut written = Vec::new();
        for (rel, _) in &files {
            let dest = out.join(rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| io_err(parent, "create a folder", e))?;
            }
            std::fs::rename(staging.join(rel), &dest)
                .map_err(|e| io_err(&dest, "move into place", e))?;
            written.push(dest);
        }
        Ok(written)
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}
