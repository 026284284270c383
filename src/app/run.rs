//! `cseval run`: read the inputs once, then for each period asked (one, the latest month,
//! or each month of `--from/--to`) and each cadence (monthly evaluation, weekly and daily
//! summaries) compute the report and write it with its manifest, each month seeing the
//! reports before it as history. This module sequences the stages and decides the output
//! folders; it computes no figure.

use super::{compute_report, inputs, report_rejections};
use crate::config::manifest::{self, ReportInputs};
use crate::config::{Cadence, Period, RunConfig};
use crate::error::{Error, ExitCode, Result};
use crate::evaluate::{self, HistoryEntry, Status};
use crate::normalize::Inputs;
use chrono::{NaiveDate, TimeZone};
use std::path::PathBuf;

fn load(cfg: &RunConfig) -> Result<Inputs> {
    let t = std::time::Instant::now();
    let inputs = inputs::open(cfg)?;
    let data = inputs.data();
    tracing::info!(
        contacts = data.contact_rows.accepted,
        surveys = data.surveys.height(),
        seconds = t.elapsed().as_secs_f64(),
        "read and normalized"
    );
    if tracing::enabled!(tracing::Level::DEBUG) {
        for c in data.contacts.columns() {
            tracing::debug!(
                column = c.name().as_str(),
                mb = c.as_materialized_series().estimated_size() / 1_000_000,
                "contacts frame"
            );
        }
    }
    Ok(inputs)
}

/// The month (or, for a daily or weekly run alone, the day or ISO week) of the latest contact.
pub(super) fn default_period(cfg: &RunConfig, covered: Option<(i64, i64)>) -> Result<Period> {
    let (_, max) = covered.ok_or_else(|| {
        Error::input("no contact was accepted from the inputs: nothing to evaluate")
            .with_hint("see the rejected rows listed above, or run `cseval validate`")
    })?;
    let day = local_day(cfg, max);
    Ok(match cfg.cadences.as_slice() {
        [Cadence::Daily] => Period::day(day),
        [Cadence::Weekly] => Period::week_of(day),
        _ => Period::month_of(day),
    })
}

/// The local day of instant `ms` in the contract's time zone.
fn local_day(cfg: &RunConfig, ms: i64) -> NaiveDate {
    let tz = cfg.contract.tz();
    tz.timestamp_millis_opt(ms)
        .earliest()
        .map_or(NaiveDate::MIN, |t| t.date_naive())
}

/// Refuse a monthly evaluation with nothing to evaluate: no accepted contact arrived in the
/// period (or, without contact inputs, no survey response counts in it). A verdict, a tier
/// and money from an empty period would be a wrong figure.
fn check_not_empty(
    cfg: &RunConfig,
    covered: Option<(i64, i64)>,
    period: Period,
    report: &crate::report::Report,
) -> Result<()> {
    let m = &report.metrics;
    let last_day = period.end.pred_opt().unwrap_or(period.end);
    let span = format!("{} ({} – {last_day})", period.label(), period.start);
    if !cfg.calls.is_empty() && m.overall.contacts == 0 {
        let names: Vec<String> = cfg.calls.iter().map(|p| p.display().to_string()).collect();
        let files = match names.len() {
            1..=3 => names.join(", "),
            n => format!("{}, … {n} files in all", names[..3].join(", ")),
        };
        let covered = match covered {
            Some((a, b)) => format!(
                "the contact inputs ({files}) cover {} – {}",
                local_day(cfg, a),
                local_day(cfg, b)
            ),
            None => format!("the contact inputs ({files}) hold no accepted contact"),
        };
        return Err(Error::input(format!(
            "{span}: no accepted contact arrived in this period; {covered}"
        ))
        .with_hint("check --period (or --from/--to) and the exports given to --calls; a period with no data gets no verdict"));
    }
    if cfg.calls.is_empty() && m.overall.csat_responses == 0 {
        return Err(Error::input(format!(
            "{span}: no survey response counts in this period"
        ))
        .with_hint("check --period and the exports given to --surveys; a period with no data gets no verdict"));
    }
    Ok(())
}

fn months(from: NaiveDate, to: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut p = Period::month_of(from);
    while p.start < to {
        out.push(p);
        p = Period::month_of(p.end);
    }
    out
}

/// The reports a run writes: (cadence, period), monthly ones first.
fn jobs(cfg: &RunConfig, span: &[Period]) -> Vec<(Cadence, Period)> {
    let whole = Period {
        start: span[0].start,
        end: span[span.len() - 1].end,
    };
    let mut out = Vec::new();
    for c in [Cadence::Monthly, Cadence::Weekly, Cadence::Daily] {
        if !cfg.cadences.contains(&c) {
            continue;
        }
        match c {
            Cadence::Monthly => out.extend(span.iter().map(|p| (c, *p))),
            Cadence::Weekly => out.extend(whole.weeks().into_iter().map(|p| (c, p))),
            Cadence::Daily => out.extend(whole.days().into_iter().map(|p| (c, p))),
        }
    }
    out
}

/// Where one report goes. Monthly reports: `--out` (or `--out/<period>` for a range);
/// summaries of a run that writes only summaries: `--out` for a single one, else
/// `--out/<period>`; summaries written beside monthly reports: `--out/daily/<day>` and
/// `--out/weekly/<week>`. Without `--out`: `reports/<contract id>/<period>`.
fn out_dir(cfg: &RunConfig, jobs: &[(Cadence, Period)], job: (Cadence, Period)) -> PathBuf {
    let (cadence, period) = job;
    let same = jobs.iter().filter(|j| j.0 == cadence).count();
    match &cfg.out {
        None => PathBuf::from("reports")
            .join(&cfg.contract.info.id)
            .join(period.label()),
        Some(o) if jobs.len() == 1 => o.clone(),
        Some(o) if cadence == Cadence::Monthly => {
            if same > 1 {
                o.join(period.label())
            } else {
                o.clone()
            }
        }
        Some(o) if cfg.cadences.len() == 1 => o.join(period.label()),
        Some(o) => o.join(cadence.as_str()).join(period.label()),
    }
}

/// `cseval run`.
pub fn run(cfg: &RunConfig) -> Result<ExitCode> {
    let mut inputs = load(cfg)?;
    report_rejections(cfg, inputs.data());
    // The days the contacts cover: the default period, and the message refusing an empty one.
    let covered = inputs.arrival_range()?;
    let periods = match (cfg.range, cfg.period) {
        (Some((f, t)), _) => months(f, t),
        (None, Some(p)) => vec![p],
        (None, None) => vec![default_period(cfg, covered)?],
    };
    let mut history: Vec<HistoryEntry> = match &cfg.history {
        Some(dir) => evaluate::read_history(dir, &cfg.contract.info.id, periods[0])?,
        None => Vec::new(),
    };
    let jobs = jobs(cfg, &periods);
    let mut breach = false;
    for (k, &(cadence, period)) in jobs.iter().enumerate() {
        let monthly = cadence == Cadence::Monthly;
        history.retain(|h| h.period.end <= period.start.to_string());
        // Summaries compare with nothing: previous periods and failure counts are monthly.
        let hist: &[HistoryEntry] = if monthly { &history } else { &[] };
        let data = inputs.for_period(period, &cfg.contract)?;
        let report = compute_report(cfg, data, cadence, period, hist)?;
        if monthly {
            check_not_empty(cfg, covered, period, &report)?;
        }
        let scorecard = &report.metrics.scorecard;
        breach |= evaluate::count(scorecard, Status::Missed) > 0
            || (monthly && report.metrics.data_quality.provisional);
        let out = out_dir(cfg, &jobs, (cadence, period));
        let t = std::time::Instant::now();
        // The report's own list of its inputs (the data's, whose tables go below).
        let m = &report.metrics;
        let sources = ReportInputs {
            contacts: &m.inputs,
            surveys: &m.survey_inputs,
            inspections: &m.inspection_inputs,
        };
        let used: Vec<_> = hist.iter().filter_map(|h| h.source.clone()).collect();
        let manifest = || manifest::build(cfg, sources, cadence, period, used.clone());
        // After the last report's figures only its writing is left: the tables' memory goes
        // back to the system first, so that the files written (hundreds of MB of evidence
        // lists at 10 M contacts) reuse its pages instead of fresh ones (BENCHMARKS.md).
        if k + 1 == jobs.len() {
            inputs.release_tables();
            crate::util::release_freed_memory();
        }
        crate::render::write_report(&report, &out, cfg.force, Some(&manifest))?;
        tracing::info!(seconds = t.elapsed().as_secs_f64(), "report written");
        if !cfg.quiet {
            eprintln!(
                "cseval: {} {}{}: {} contacts, {} of {} SLAs met; report in {}",
                cfg.contract.info.id,
                period.label(),
                if monthly { "" } else { " (summary)" },
                report.metrics.overall.contacts,
                evaluate::count(scorecard, Status::Met),
                scorecard.len(),
                out.display()
            );
        }
        println!("{}", out.display());
        // This period becomes history for the next one, read back from what was written.
        if monthly {
            history.push(evaluate::read_history_file(&out.join("metrics.json"))?);
        }
    }
    Ok(if breach && cfg.fail_on_breach {
        ExitCode::Breach
    } else {
        ExitCode::Ok
    })
}
