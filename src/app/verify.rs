//! `cseval verify DIR`: check that a report folder is what its manifest says produced it.
//!
//! The sources the manifest names (contract, calendars, profiles, inputs, history) must be
//! unchanged; the report is then recomputed in memory from the configuration the manifest
//! records ([`RunConfig::from_manifest`]) and every file compared byte for byte with the
//! folder. Writes nothing.

use crate::config::manifest::Manifest;
use crate::config::RunConfig;
use crate::error::{Error, ExitCode, Result};
use crate::render::stage::Hashing;
use crate::util::FileHash;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

fn unchanged(f: &FileHash, what: &str) -> Result<()> {
    let now = crate::config::manifest::hash_file(Path::new(&f.path)).map_err(|e| {
        Error::input(format!("{what} {}: {}", f.path, e.message))
            .with_hint("verify runs from the folder the report was made in")
    })?;
    if now.sha256 != f.sha256 {
        return Err(Error::input(format!(
            "{what} {} changed since the report was made (sha256 {} now, {} then)",
            f.path, now.sha256, f.sha256
        )));
    }
    Ok(())
}

/// The comparison of each freshly rendered file with the folder's copy and the manifest's
/// hash, streamed: the file is never held in memory whole.
struct Compare<'a> {
    dir: &'a Path,
    listed: &'a [FileHash],
    /// Files that differ, by path.
    differ: Vec<String>,
    checked: usize,
}

impl crate::render::Output for Compare<'_> {
    fn file(
        &mut self,
        rel: &Path,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let name = rel.display().to_string();
        let mut w = Hashing {
            inner: Against {
                disk: std::fs::File::open(self.dir.join(rel))
                    .ok()
                    .map(std::io::BufReader::new),
                same: true,
                scratch: Vec::new(),
            },
            hash: Sha256::new(),
        };
        fill(&mut w)?;
        let fresh = format!("{:x}", w.hash.finalize());
        let same_bytes = w.inner.same && w.inner.at_end();
        let listed = self.listed.iter().find(|f| f.path == name);
        if !same_bytes || listed.map(|f| f.sha256.as_str()) != Some(fresh.as_str()) {
            self.differ.push(name);
        }
        self.checked += 1;
        Ok(())
    }
}

/// A writer that compares what is written with a file on disk (none: everything differs).
struct Against {
    disk: Option<std::io::BufReader<std::fs::File>>,
    same: bool,
    scratch: Vec<u8>,
}

impl Against {
    /// Whether the file on disk has nothing left.
    fn at_end(&mut self) -> bool {
        let mut one = [0u8; 1];
        matches!(self.disk.as_mut().map(|d| d.read(&mut one)), Some(Ok(0)))
    }
}

impl Write for Against {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.same {
            self.scratch.resize(buf.len(), 0);
            self.same = match self.disk.as_mut() {
                Some(d) => d.read_exact(&mut self.scratch).is_ok() && self.scratch == buf,
                None => false,
            };
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `cseval verify DIR`.
pub fn verify(dir: &Path) -> Result<ExitCode> {
    let mpath = dir.join("manifest.json");
    let text = std::fs::read_to_string(&mpath).map_err(|e| {
        Error::usage(format!("{}: cannot read: {e}", mpath.display()))
            .with_hint("pass a report folder written by `cseval run`")
    })?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::input(format!("{}: not a cseval manifest: {e}", mpath.display())))?;
    if m.cseval_version != env!("CARGO_PKG_VERSION") {
        return Err(Error::usage(format!(
            "{}: made by cseval {}, this is {}",
            mpath.display(),
            m.cseval_version,
            env!("CARGO_PKG_VERSION")
        ))
        .with_hint("verify with the version that made the report"));
    }
    unchanged(&m.contract, "contract")?;
    for f in m.incidents.iter().chain(&m.scores).chain(&m.sampling_plan) {
        unchanged(f, "evaluator's input")?;
    }
    for f in &m.calendars {
        unchanged(f, "calendar")?;
    }
    for f in m
        .mapping
        .iter()
        .chain(m.survey_mapping.iter())
        .chain(m.inspection_mapping.iter())
    {
        unchanged(f, "mapping profile")?;
    }
    for f in m
        .inputs
        .iter()
        .chain(&m.survey_inputs)
        .chain(&m.inspection_inputs)
    {
        unchanged(
            &FileHash {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
            },
            "input",
        )?;
    }
    for f in &m.history {
        unchanged(f, "history file")?;
    }
    let (cfg, period) = RunConfig::from_manifest(&m, &mpath)?;
    let history = m
        .history
        .iter()
        .map(|f| crate::evaluate::read_history_file(Path::new(&f.path)))
        .collect::<Result<Vec<_>>>()?;
    let mut inputs = super::inputs::open(&cfg)?;
    let data = inputs.for_period(period, &cfg.contract)?;
    let mut compare = Compare {
        dir,
        listed: &m.files,
        differ: Vec::new(),
        checked: 0,
    };
    match &m.plan {
        // A sampling plan: drawn again from the same frame, terms and seed.
        Some(p) => {
            super::plan::draw_into(&cfg, data, &p.spec, period, p.command.clone(), &mut compare)?;
        }
        None => {
            let report = super::compute_report(&cfg, data, m.cadence, period, &history)?;
            crate::render::render_all(&report, &mut compare)?;
        }
    }
    let Compare {
        differ, checked, ..
    } = compare;
    if !differ.is_empty() {
        return Err(Error::runtime(format!(
            "{}: {} of {checked} files differ from a fresh computation: {}",
            dir.display(),
            differ.len(),
            differ.join(", ")
        ))
        .with_hint("the folder was edited after it was written, or made by different inputs"));
    }
    println!(
        "{}: {checked} files reproduced byte for byte",
        dir.display()
    );
    Ok(ExitCode::Ok)
}
