//! `manifest.json` and `cseval verify`.
//!
//! Every report folder gets a manifest naming exactly what produced it: the cseval version,
//! the contract, calendar and mapping files, every input and every history file (each with
//! its sha256 and, for inputs, its row count), the period, language, limits and document
//! timestamp, and the sha256 of every output file. `cseval verify DIR` checks that those
//! sources are unchanged, recomputes the report in memory from them and compares it byte for
//! byte with the folder. This module neither computes KPIs nor chooses what to render.

use crate::config::{Lang, Period, RunConfig};
use crate::error::{io_err, Error, ExitCode, Result};
use crate::util::{sha256, FileHash};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputHash {
    pub path: String,
    pub sha256: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub cseval_version: String,
    pub contract: FileHash,
    pub calendars: Vec<FileHash>,
    pub mapping: Option<FileHash>,
    pub survey_mapping: Option<FileHash>,
    pub inputs: Vec<InputHash>,
    pub survey_inputs: Vec<InputHash>,
    #[serde(default)]
    pub inspection_mapping: Option<FileHash>,
    #[serde(default)]
    pub inspection_inputs: Vec<InputHash>,
    /// Monthly evaluation, or weekly or daily summary.
    #[serde(default)]
    pub cadence: crate::config::Cadence,
    /// Earlier periods' metrics.json that fed previous-period values and failure counts.
    pub history: Vec<FileHash>,
    pub period: ManifestPeriod,
    pub lang: Lang,
    pub source_date_epoch: Option<i64>,
    pub max_input_bytes: u64,
    pub max_uncompressed_bytes: u64,
    /// Every output file but this one.
    pub files: Vec<FileHash>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestPeriod {
    pub start: String,
    pub end: String,
}

pub fn hash_file(path: &Path) -> Result<FileHash> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, "read", e))?;
    Ok(FileHash {
        path: path.display().to_string(),
        sha256: sha256(&bytes),
    })
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "Zh" | "zh" => Ok(Lang::Zh),
            "En" | "en" => Ok(Lang::En),
            other => Err(serde::de::Error::custom(format!(
                "unknown language `{other}`"
            ))),
        }
    }
}

/// The manifest of one period's report, before the output hashes are filled in.
pub fn build(
    cfg: &RunConfig,
    data: &crate::normalize::Dataset,
    cadence: crate::config::Cadence,
    period: Period,
    history: &[crate::evaluate::HistoryEntry],
) -> Result<Manifest> {
    let input = |f: &crate::ingest::InputFile| InputHash {
        path: f.path.display().to_string(),
        sha256: f.sha256.clone(),
        rows: f.rows,
    };
    Ok(Manifest {
        cseval_version: env!("CARGO_PKG_VERSION").to_string(),
        contract: hash_file(&cfg.contract.path)?,
        calendars: cfg
            .contract
            .calendar_paths
            .iter()
            .map(|p| hash_file(p))
            .collect::<Result<_>>()?,
        mapping: cfg
            .mapping
            .as_ref()
            .map(|m| hash_file(&m.path))
            .transpose()?,
        survey_mapping: cfg
            .survey_mapping
            .as_ref()
            .map(|m| hash_file(&m.path))
            .transpose()?,
        inputs: data.inputs.iter().map(input).collect(),
        survey_inputs: data.survey_inputs.iter().map(input).collect(),
        inspection_mapping: cfg
            .inspection_mapping
            .as_ref()
            .map(|m| hash_file(&m.path))
            .transpose()?,
        inspection_inputs: data.inspection_inputs.iter().map(input).collect(),
        cadence,
        history: history.iter().filter_map(|h| h.source.clone()).collect(),
        period: ManifestPeriod {
            start: period.start.to_string(),
            end: period.end.to_string(),
        },
        lang: cfg.lang,
        source_date_epoch: cfg.source_date_epoch,
        max_input_bytes: cfg.limits.max_file_bytes,
        max_uncompressed_bytes: cfg.limits.max_uncompressed_bytes,
        files: Vec::new(),
    })
}

fn unchanged(f: &FileHash, what: &str) -> Result<()> {
    let now = hash_file(Path::new(&f.path)).map_err(|e| {
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
    let (contract, calendar) = crate::config::load_contract(Path::new(&m.contract.path))?;
    let profile = |f: &Option<FileHash>| {
        f.as_ref()
            .map(|f| crate::config::profile::Profile::load(Path::new(&f.path)))
            .transpose()
    };
    let period = Period {
        start: chrono::NaiveDate::parse_from_str(&m.period.start, "%Y-%m-%d")
            .map_err(|_| Error::input(format!("{}: bad period", mpath.display())))?,
        end: chrono::NaiveDate::parse_from_str(&m.period.end, "%Y-%m-%d")
            .map_err(|_| Error::input(format!("{}: bad period", mpath.display())))?,
    };
    let cfg = RunConfig {
        contract,
        calendar,
        calls: m.inputs.iter().map(|f| PathBuf::from(&f.path)).collect(),
        surveys: m
            .survey_inputs
            .iter()
            .map(|f| PathBuf::from(&f.path))
            .collect(),
        mapping: profile(&m.mapping)?,
        survey_mapping: profile(&m.survey_mapping)?,
        inspections: m
            .inspection_inputs
            .iter()
            .map(|f| PathBuf::from(&f.path))
            .collect(),
        inspection_mapping: profile(&m.inspection_mapping)?,
        cadences: vec![m.cadence],
        period: Some(period),
        lang: m.lang,
        out: None,
        force: false,
        fail_on_breach: false,
        history: None,
        limits: crate::config::read::Limits {
            max_file_bytes: m.max_input_bytes,
            max_uncompressed_bytes: m.max_uncompressed_bytes,
        },
        source_date_epoch: m.source_date_epoch,
        progress: false,
    };
    let history = m
        .history
        .iter()
        .map(|f| crate::evaluate::read_history_file(Path::new(&f.path)))
        .collect::<Result<Vec<_>>>()?;
    let mut inputs = crate::normalize::open(&cfg)?;
    let data = inputs.for_period(period, cfg.contract.tz())?;
    let report = crate::pipeline::compute_report(&cfg, data, m.cadence, period, &history)?;
    let mut differ = Vec::new();
    let mut checked = 0;
    for (rel, bytes) in crate::render::render_all(&report)? {
        let name = rel.display().to_string();
        let on_disk = std::fs::read(dir.join(&rel)).unwrap_or_default();
        let listed = m
            .files
            .iter()
            .find(|f| f.path == name)
            .map(|f| f.sha256.clone());
        let fresh = sha256(&bytes);
        if on_disk != bytes || listed.as_deref() != Some(fresh.as_str()) {
            differ.push(name);
        }
        checked += 1;
    }
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
