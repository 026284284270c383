//! The subcommands, one module each: the only place that calls the stages in order
//! (config → ingest → normalize → kpi → evaluate → report → render). [`inputs`] reads a
//! run's files through ingest into normalize; [`compute_report`] takes one period from the
//! dataset to a report. The stages themselves never call one another's entry points.

pub mod convert;
pub mod init;
pub mod inputs;
pub mod plan;
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
    let input = crate::kpi::Input::of(data, !cfg.inspections.is_empty());
    let qa = input.qa;
    let mut kpis = crate::kpi::compute(input, &cfg.contract, cfg.calendar.as_ref(), period)?;
    if let (Some(qa), false) = (qa, cfg.assessment.plan.is_empty()) {
        let bounds = cfg.contract.bounds(period);
        let plan = &cfg.assessment.plan;
        kpis.plan_coverage = Some(crate::kpi::coverage::coverage(
            qa,
            &data.contacts,
            plan,
            bounds,
        )?);
    }
    tracing::info!(period = %period.label(), seconds = t.elapsed().as_secs_f64(), "KPIs computed");
    let text = Text::load(cfg.lang);
    let (scorecard, incentive) = evaluate::evaluate(&cfg.contract, &kpis, period, history, &text);
    // A daily or weekly summary shows the SLAs as indications; the bonus, deductions and
    // failure count belong to the monthly evaluation.
    let incentive = (cadence == Cadence::Monthly).then_some(incentive);
    let scoring = match cadence {
        Cadence::Monthly => score_sheet(cfg, data, period, &kpis, &scorecard, &text)?,
        _ => None,
    };
    let verdict = crate::report::Verdict {
        scorecard,
        incentive,
        scoring,
    };
    let report = crate::report::build(cfg, cadence, period, kpis, verdict, data, history, text)?;
    tracing::debug!(peak_mb = crate::util::peak_rss_mb(), "report built");
    // A report that contradicts itself is never written.
    crate::report::invariants::check(&report.metrics)?;
    Ok(report)
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

/// The scoring sheet of a monthly evaluation, when the contract has one: each site's
/// figures computed on its own share of the data (`[scoring.sites]`), else the whole
/// period's, scored and combined (`evaluate::scoring`).
fn score_sheet(
    cfg: &RunConfig,
    data: &Dataset,
    period: Period,
    kpis: &crate::kpi::Kpis,
    scorecard: &[evaluate::ScoreLine],
    text: &Text,
) -> Result<Option<evaluate::scoring::ScoreSheet>> {
    use evaluate::scoring::{finish, score_site, unit_of, Figures, Whole};
    let Some(sc) = &cfg.contract.scoring else {
        return Ok(None);
    };
    let relax = sc
        .transition
        .as_ref()
        .filter(|_| sc.in_transition(period.start))
        .map(|t| t.relax);
    let en = text.lang == crate::config::Lang::En;
    let manual = &cfg.assessment.scores;
    let unit = |k: &str| unit_of(k, scorecard);
    let value = |k: &str| evaluate::subject_value(k, kpis, scorecard);
    let whole = Figures {
        site: None,
        contacts: kpis.overall.contacts,
        value: &value,
        unit: &unit,
    };
    let mut sites = Vec::new();
    let no_site_column =
        sc.sites.is_some() && !data.contact_columns.has(crate::columns::contact::SITE);
    if sc.sites.is_none() {
        sites.push(score_site(sc, &whole, manual, relax, en));
    } else if !no_site_column {
        for site in data.sites()? {
            let d = data.of_site(site.as_deref())?;
            let input = crate::kpi::Input::of(&d, !cfg.inspections.is_empty());
            let k = crate::kpi::compute(input, &cfg.contract, cfg.calendar.as_ref(), period)?;
            if k.overall.contacts == 0 {
                continue;
            }
            let (card, _) = evaluate::evaluate(&cfg.contract, &k, period, &[], text);
            let value = |key: &str| evaluate::subject_value(key, &k, &card);
            let unit = |key: &str| unit_of(key, &card);
            let fig = Figures {
                site: site.clone(),
                contacts: k.overall.contacts,
                value: &value,
                unit: &unit,
            };
            sites.push(score_site(sc, &fig, manual, relax, en));
        }
    }
    let mut sheet = finish(
        sc,
        sites,
        &Whole {
            figures: &whole,
            assessment: &cfg.assessment,
            period,
            fee: cfg.contract.info.monthly_base_fee,
            en,
        },
    );
    if no_site_column {
        // Sites to score but no site column: no site's score can be computed.
        sheet.undecided.insert(0, "site".into());
    }
    Ok(Some(sheet))
}
