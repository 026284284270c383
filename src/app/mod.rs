//! The subcommands, one module each: the only place that calls the stages in order
//! (config → ingest → normalize → kpi → evaluate → report → render). [`inputs`] reads a
//! run's files through ingest into normalize; [`compute_report`] takes one period from the
//! dataset to a report. The stages themselves never call one another's entry points.

pub mod convert;
pub mod init;
pub mod inputs;
pub mod run;
pub mod sample;
pub mod validate;
pub mod verify;

use crate::config::text::Text;
use crate::config::{Cadence, Period, RunConfig};
use crate::error::Result;
use crate::evaluate::{self, HistoryEntry};
use crate::normalize::Dataset;

/// KPIs, scorecard, incentive and findings of one period: everything but the writing.
pub fn compute_report(
    cfg: &RunConfig,
    data: &Dataset,
    cadence: Cadence,
    period: Period,
    history: &[HistoryEntry],
) -> Result<crate::report::Report> {
    let t = std::time::Instant::now();
    let kpis = crate::kpi::compute(
        &data.contacts,
        &data.surveys,
        crate::kpi::QaInput::of(data, !cfg.inspections.is_empty()),
        &cfg.contract,
        cfg.calendar.as_ref(),
        period,
        data.contact_columns,
    )?;
    tracing::info!(period = %period.label(), seconds = t.elapsed().as_secs_f64(), "KPIs computed");
    let text = Text::load(cfg.lang);
    let (scorecard, incentive) = evaluate::evaluate(&cfg.contract, &kpis, period, history, &text);
    // A daily or weekly summary shows the SLAs as indications; the bonus, deductions and
    // failure count belong to the monthly evaluation.
    let incentive = (cadence == Cadence::Monthly).then_some(incentive);
    Ok(crate::report::build(
        cfg, cadence, period, kpis, scorecard, incentive, data, history, text,
    ))
}

/// List the first rejected rows on stderr (all of them are on the report's data-quality
/// sheet), unless `--quiet`.
pub fn report_rejections(cfg: &RunConfig, data: &Dataset) {
    if cfg.quiet || data.rejections.is_empty() {
        return;
    }
    let n = data.rejections.len();
    eprintln!(
        "cseval: {n} row(s) not accepted (listed on the report's data-quality sheet); first ones:"
    );
    let en = crate::config::text::Text::load(crate::config::Lang::En);
    for r in data.rejections.iter().take(5) {
        eprintln!(
            "  {} row {} column {}: {} ({})",
            r.file,
            r.row,
            r.column,
            en.reason(&r.reason),
            r.category
        );
    }
}
