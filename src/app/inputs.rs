//! Reading a run's inputs: each contact, survey and inspection file through the ingest
//! stage (and its mapping profile, if any) into the normalize stage's sinks, with a progress
//! bar on a terminal. Contacts given as `cseval convert`'s Parquet partitions are left in
//! their files for a report and read period by period ([`Inputs::for_period`]). This is the
//! one place where ingest and normalize meet; it computes no KPI.

use crate::columns::ColumnsSeen;
use crate::config::{profile::Profile, read::Limits, RunConfig};
use crate::error::Result;
use crate::ingest::{self, mapped::MappedSink, RowSink};
use crate::normalize::{
    empty_contacts, link_surveys, Checks, ContactSink, Dataset, Inputs, InspectionSink, Partitions,
    Rejection, RowCounts, SurveySink,
};
use crate::util::{peak_rss_mb, InputFile};
use indicatif::ProgressBar;
use polars::prelude::DataFrame;
use std::path::{Path, PathBuf};

/// Read every contact and survey input, through its mapping profile when one is given.
pub fn load(cfg: &RunConfig) -> Result<Dataset> {
    Ok(open_inputs(cfg, false)?.into_data())
}

/// The inputs of a report: like [`load`], except that contacts given as normalized Parquet
/// files (`cseval convert`'s output) stay in their files and are read period by period.
pub fn open(cfg: &RunConfig) -> Result<Inputs> {
    open_inputs(cfg, true)
}

/// The contacts of a run and what was read to get them.
struct Contacts {
    frame: DataFrame,
    outbound: DataFrame,
    surveys: DataFrame,
    inputs: Vec<InputFile>,
    rejections: Vec<Rejection>,
    rows: RowCounts,
    parts: Option<Partitions>,
    /// The canonical columns the contact inputs give.
    columns: ColumnsSeen,
}

/// The surveys and inspections of a run, read and checked.
struct Side {
    surveys: DataFrame,
    survey_inputs: Vec<InputFile>,
    srej: Vec<Rejection>,
    survey_rows: RowCounts,
    inspections: DataFrame,
    criteria: DataFrame,
    inspection_inputs: Vec<InputFile>,
    irej: Vec<Rejection>,
    inspection_rows: RowCounts,
}

/// Read the survey and inspection inputs.
fn read_side(cfg: &RunConfig, bar: &ProgressBar) -> Result<Side> {
    let tz = cfg.contract.tz();
    let mut ssink = SurveySink::new(tz, &cfg.contract.survey);
    ssink.allow_extra_columns(cfg.ignore_extra_columns);
    let survey_inputs = read_all(
        &cfg.surveys,
        cfg.survey_mapping.as_ref(),
        cfg,
        bar,
        &mut ssink,
    )?;
    let mut isink = InspectionSink::new(tz, &cfg.contract.quality, &cfg.contract.channels);
    let inspection_inputs = read_all(
        &cfg.inspections,
        cfg.inspection_mapping.as_ref(),
        cfg,
        bar,
        &mut isink,
    )?;
    let (inspections, criteria, irej, inspection_rows) = isink.into_frames()?;
    let (surveys, srej, survey_rows) = ssink.into_frame()?;
    Ok(Side {
        surveys,
        survey_inputs,
        srej,
        survey_rows,
        inspections,
        criteria,
        inspection_inputs,
        irej,
        inspection_rows,
    })
}

/// Whether the contact inputs may be `cseval convert`'s partitions, read period by period
/// for a report: only Parquet files can be.
fn may_be_partitions(cfg: &RunConfig, for_report: bool) -> bool {
    for_report
        && cfg.mapping.is_none()
        && cfg.calls.iter().all(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
        })
}

fn open_inputs(cfg: &RunConfig, for_report: bool) -> Result<Inputs> {
    let bar = progress_bar(cfg);
    let (side, mut contacts) = if may_be_partitions(cfg, for_report) {
        let mut side = read_side(cfg, &bar)?;
        let linked = [
            side.surveys.column("contact_id")?.str()?,
            side.inspections.column("contact_id")?.str()?,
        ];
        let partitions = Partitions::open(
            &cfg.calls,
            cfg.limits.max_file_bytes,
            Checks::of(&cfg.contract),
            &linked,
        )?;
        let surveys = std::mem::take(&mut side.surveys);
        let contacts = match partitions {
            Some((parts, inputs, rejections, rows)) => {
                bar.inc(cfg.calls.len() as u64);
                Contacts {
                    frame: empty_contacts(&cfg.contract.channels)?,
                    outbound: empty_contacts(&cfg.contract.channels)?,
                    surveys,
                    inputs,
                    rejections,
                    rows,
                    parts: Some(parts),
                    // Converted partitions hold every canonical column.
                    columns: ColumnsSeen::all(),
                }
            }
            None => link_contacts(read_contacts(cfg, &bar)?, surveys)?,
        };
        (side, contacts)
    } else {
        // The surveys and inspections are read on a thread of their own while the contacts
        // are read here: both share the thread pool, and each fills the cores the other
        // leaves idle. A survey or inspection file's error is the one reported when both
        // fail, as when they were read first.
        let (side, read) = std::thread::scope(|s| {
            let side = s.spawn(|| read_side(cfg, &bar));
            let read = read_contacts(cfg, &bar);
            (side.join(), read)
        });
        let mut side = side.map_err(|_| {
            crate::error::Error::runtime("the thread reading the surveys and inspections failed")
        })??;
        let contacts = link_contacts(read?, std::mem::take(&mut side.surveys))?;
        (side, contacts)
    };
    bar.finish_and_clear();
    // The reading's buffers and parts, freed: given back before the KPIs are computed.
    crate::util::release_freed_memory();
    tracing::debug!(held_mb = crate::util::rss_mb(), "read buffers released");
    contacts.rejections.extend(side.srej);
    contacts.rejections.extend(side.irej);
    let data = Dataset {
        contact_columns: contacts.columns,
        contacts: contacts.frame,
        contacts_elsewhere: 0,
        outbound: contacts.outbound,
        surveys: contacts.surveys,
        inputs: contacts.inputs,
        survey_inputs: side.survey_inputs,
        rejections: contacts.rejections,
        contact_rows: contacts.rows,
        survey_rows: side.survey_rows,
        inspections: side.inspections,
        criteria: side.criteria,
        inspection_inputs: side.inspection_inputs,
        inspection_rows: side.inspection_rows,
    };
    Ok(Inputs::new(data, contacts.parts))
}

/// A progress bar over the input files, only on a terminal.
fn progress_bar(cfg: &RunConfig) -> ProgressBar {
    if !cfg.progress {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new((cfg.surveys.len() + cfg.calls.len() + cfg.inspections.len()) as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        b.set_style(style);
    }
    b
}

/// Read every file of `paths` into `sink`, in order.
fn read_all(
    paths: &[PathBuf],
    profile: Option<&Profile>,
    cfg: &RunConfig,
    bar: &ProgressBar,
    sink: &mut dyn RowSink,
) -> Result<Vec<InputFile>> {
    let mut inputs = Vec::new();
    for p in paths {
        bar.set_message(p.display().to_string());
        inputs.push(read_one(p, profile, cfg.limits, sink)?);
        bar.inc(1);
    }
    Ok(inputs)
}

/// The contacts as read, their duplicates resolved.
struct ReadContacts {
    frame: DataFrame,
    outbound: DataFrame,
    inputs: Vec<InputFile>,
    rejections: Vec<Rejection>,
    rows: RowCounts,
    columns: ColumnsSeen,
}

/// Read the contact exports whole and resolve duplicates.
fn read_contacts(cfg: &RunConfig, bar: &ProgressBar) -> Result<ReadContacts> {
    let mut csink = ContactSink::new(cfg.contract.tz(), Checks::of(&cfg.contract));
    csink.allow_extra_columns(cfg.ignore_extra_columns);
    let inputs = read_all(&cfg.calls, cfg.mapping.as_ref(), cfg, bar, &mut csink)?;
    let columns = csink.columns_seen();
    let t = std::time::Instant::now();
    let (frame, outbound, rejections, rows) = csink.into_frames()?;
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        peak_mb = peak_rss_mb(),
        "duplicates resolved"
    );
    Ok(ReadContacts {
        frame,
        outbound,
        inputs,
        rejections,
        rows,
        columns,
    })
}

/// The contacts read, with the survey responses linked to them.
fn link_contacts(read: ReadContacts, surveys: DataFrame) -> Result<Contacts> {
    let t = std::time::Instant::now();
    let (frame, surveys) = link_surveys(read.frame, surveys)?;
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        peak_mb = peak_rss_mb(),
        "surveys linked"
    );
    // The ids stay: inspections link to them, and the evidence lists name the contacts
    // that missed an SLA by them.
    Ok(Contacts {
        frame,
        outbound: read.outbound,
        surveys,
        inputs: read.inputs,
        rejections: read.rejections,
        rows: read.rows,
        parts: None,
        columns: read.columns,
    })
}

/// Read one file into `sink`, through `profile` when one is given.
fn read_one(
    p: &Path,
    profile: Option<&Profile>,
    limits: Limits,
    sink: &mut dyn RowSink,
) -> Result<InputFile> {
    tracing::info!(file = %p.display(), "reading");
    let t = std::time::Instant::now();
    let mut opts = profile.map(|prof| prof.read.clone()).unwrap_or_default();
    opts.limits = limits;
    let read = match profile {
        None => ingest::read_file_with(p, &opts, sink),
        Some(prof) => ingest::read_file_with(p, &opts, &mut MappedSink::new(prof, sink)),
    };
    tracing::debug!(file = %p.display(), seconds = t.elapsed().as_secs_f64(), "read");
    read
}
