//! `manifest.json`: what produced a report folder, and the run configuration it records.
//!
//! Every report folder gets a manifest naming exactly what produced it: the cseval version,
//! the contract, calendar and mapping files, every input and every history file (each with
//! its sha256 and, for inputs, its row count), the period, language, limits and document
//! timestamp, and the sha256 of every output file. [`RunConfig::from_manifest`] resolves a
//! manifest back into the configuration that made the report, for `cseval verify`. This
//! module reads no input data and renders nothing.

use super::{load_contract, profile::Profile, read::Limits, Cadence, Lang, Period, RunConfig};
use crate::error::{io_err, Error, Result};
use crate::util::{sha256, FileHash, InputFile};
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
    pub cadence: Cadence,
    /// Earlier periods' metrics.json that fed previous-period values and failure counts.
    pub history: Vec<FileHash>,
    /// `--incidents` and `--scores` (the scoring sheet's evaluator inputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<FileHash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<FileHash>,
    /// `--plan`: the sampling plan the inspections were checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_plan: Option<FileHash>,
    pub period: ManifestPeriod,
    pub lang: Lang,
    pub source_date_epoch: Option<i64>,
    pub max_input_bytes: u64,
    pub max_uncompressed_bytes: u64,
    /// `--ignore-extra-columns` was given.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_extra_columns: bool,
    /// A sampling plan's folder (`cseval plan`): its terms, the command that drew it and the
    /// strata drawn; absent for a report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanPart>,
    /// Every output file but this one.
    pub files: Vec<FileHash>,
}

/// What a sampling plan's manifest adds: enough for `cseval verify` to draw it again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanPart {
    pub spec: super::plan::PlanSpec,
    /// The command that draws this plan (the output folder left out).
    pub command: String,
    /// Each stratum: its key, contacts and sample.
    pub strata: Vec<crate::config::plan::StratumCount>,
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

/// The inputs of one report: contact, survey and inspection files, as read.
#[derive(Clone, Copy)]
pub struct ReportInputs<'a> {
    pub contacts: &'a [InputFile],
    pub surveys: &'a [InputFile],
    pub inspections: &'a [InputFile],
}

/// The manifest of one period's report, before the output hashes are filled in. `history`:
/// the earlier periods' `metrics.json` files that fed it.
pub fn build(
    cfg: &RunConfig,
    inputs: ReportInputs<'_>,
    cadence: Cadence,
    period: Period,
    history: Vec<FileHash>,
) -> Result<Manifest> {
    let input = |f: &InputFile| -> Result<InputHash> {
        Ok(InputHash {
            path: f.path.display().to_string(),
            sha256: f.settled()?.sha256,
            rows: f.rows,
        })
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
        inputs: inputs.contacts.iter().map(input).collect::<Result<_>>()?,
        survey_inputs: inputs.surveys.iter().map(input).collect::<Result<_>>()?,
        inspection_mapping: cfg
            .inspection_mapping
            .as_ref()
            .map(|m| hash_file(&m.path))
            .transpose()?,
        inspection_inputs: inputs
            .inspections
            .iter()
            .map(input)
            .collect::<Result<_>>()?,
        cadence,
        history,
        incidents: cfg
            .assessment
            .incidents_file
            .as_deref()
            .map(hash_file)
            .transpose()?,
        scores: cfg
            .assessment
            .scores_file
            .as_deref()
            .map(hash_file)
            .transpose()?,
        sampling_plan: cfg
            .assessment
            .plan_file
            .as_deref()
            .map(hash_file)
            .transpose()?,
        period: ManifestPeriod {
            start: period.start.to_string(),
            end: period.end.to_string(),
        },
        lang: cfg.lang,
        source_date_epoch: cfg.source_date_epoch,
        max_input_bytes: cfg.limits.max_file_bytes,
        max_uncompressed_bytes: cfg.limits.max_uncompressed_bytes,
        ignore_extra_columns: cfg.ignore_extra_columns,
        plan: None,
        files: Vec::new(),
    })
}

impl RunConfig {
    /// The configuration that made the report of manifest `m` (read from `path`), with the
    /// period it covers: the same contract, calendar, profiles, inputs, language, limits and
    /// document timestamp, writing nothing.
    pub fn from_manifest(m: &Manifest, path: &Path) -> Result<(RunConfig, Period)> {
        let (mut contract, calendar) = load_contract(Path::new(&m.contract.path))?;
        let profile = |f: &Option<FileHash>| {
            f.as_ref()
                .map(|f| Profile::load(Path::new(&f.path)))
                .transpose()
        };
        let day = |s: &str| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| Error::input(format!("{}: bad period", path.display())))
        };
        let period = Period {
            start: day(&m.period.start)?,
            end: day(&m.period.end)?,
        };
        let paths = |v: &[InputHash]| v.iter().map(|f| PathBuf::from(&f.path)).collect();
        let (mapping, survey_mapping, inspection_mapping) = (
            profile(&m.mapping)?,
            profile(&m.survey_mapping)?,
            profile(&m.inspection_mapping)?,
        );
        super::declare_profile_channels(
            &mut contract,
            [&mapping, &survey_mapping, &inspection_mapping],
        )?;
        let file = |f: &Option<FileHash>| f.as_ref().map(|f| PathBuf::from(&f.path));
        let (incidents, scores) = (file(&m.incidents), file(&m.scores));
        let plan = file(&m.sampling_plan);
        let assessment = super::assessment::Assessment::load(
            incidents.as_deref(),
            scores.as_deref(),
            plan.as_deref(),
            contract.scoring.as_ref(),
        )?;
        let cfg = RunConfig {
            contract,
            assessment,
            calendar,
            calls: paths(&m.inputs),
            surveys: paths(&m.survey_inputs),
            mapping,
            survey_mapping,
            inspections: paths(&m.inspection_inputs),
            inspection_mapping,
            cadences: vec![m.cadence],
            period: Some(period),
            range: None,
            lang: m.lang,
            out: None,
            force: false,
            fail_on_breach: false,
            history: None,
            ignore_extra_columns: m.ignore_extra_columns,
            limits: Limits {
                max_file_bytes: m.max_input_bytes,
                max_uncompressed_bytes: m.max_uncompressed_bytes,
            },
            source_date_epoch: m.source_date_epoch,
            quiet: true,
            progress: false,
        };
        Ok((cfg, period))
    }
}
