//! `cseval plan`: from a period's contact log, a sampling plan for recording inspections or
//! call-back surveys: the sample sized and drawn (`kpi::sampling`), worded
//! (`report::plan`), written as `plan.csv` and `plan.xlsx` with a manifest from which
//! `cseval verify` draws it again. This module sequences the stages; it draws nothing.

use super::inputs;
use crate::config::manifest::{self, PlanPart, ReportInputs};
use crate::config::plan::{PlanSpec, Risk, Size, Stratum};
use crate::config::{Cadence, Period, RunConfig};
use crate::error::{Error, ExitCode, Result};
use crate::report::plan::PlanReport;
use std::path::Path;

/// The command that draws `spec` over `cfg`'s inputs for `period` (the output folder left
/// out, so that two folders drawn alike hold the same files).
pub fn command(cfg: &RunConfig, spec: &PlanSpec, period: Period) -> String {
    let mut c = vec![
        "cseval plan --contract".to_string(),
        cfg.contract.path.display().to_string(),
        "--calls".into(),
    ];
    c.extend(cfg.calls.iter().map(|p| p.display().to_string()));
    if let Some(m) = &cfg.mapping {
        c.extend(["--mapping".into(), m.path.display().to_string()]);
    }
    c.extend(["--period".into(), period.label()]);
    c.push(format!(
        "--confidence {} --margin {} --expected {}",
        spec.confidence, spec.margin, spec.expected
    ));
    c.push(match spec.size {
        Size::Pooled => "--size pooled".into(),
        Size::PerStratum => "--size per-stratum".into(),
        Size::Fixed(n) => format!("--size {n}"),
        Size::Percent(p) => format!("--size {}%", p * 100.0),
    });
    if !spec.strata.is_empty() {
        let names: Vec<&str> = spec
            .strata
            .iter()
            .map(|s| match s {
                Stratum::Channel => "channel",
                Stratum::Agent => "agent",
                Stratum::DayType => "day-type",
                Stratum::HourBand => "hour-band",
            })
            .collect();
        c.push(format!("--stratify {}", names.join(",")));
    }
    if !spec.answered_only {
        c.push("--all-contacts".into());
    }
    if let Some(m) = spec.min_handle_seconds {
        c.push(format!("--min-handle-seconds {m}"));
    }
    if !spec.channels.is_empty() {
        c.push(format!("--channels {}", spec.channels.join(",")));
    }
    for r in &spec.risks {
        c.push(match r {
            Risk::Complaints(w) => format!("--oversample complaints={w}"),
            Risk::Urgent(w) => format!("--oversample urgent={w}"),
            Risk::Agent(a, w) => format!("--oversample agent:{a}={w}"),
            Risk::NewAgents(w) => format!("--oversample new-agents={w}"),
            Risk::AgentsBelow(s, w) => format!("--oversample below:{s}={w}"),
        });
    }
    c.push(format!("--seed {}", spec.seed));
    c.join(" ")
}

/// Draw the plan of `cfg`'s inputs for `period` and hand its files to `out`; returns the
/// manifest part that lets `verify` draw it again.
pub fn draw_into(
    cfg: &RunConfig,
    data: &crate::normalize::Dataset,
    spec: &PlanSpec,
    period: Period,
    command: String,
    out: &mut dyn crate::render::Output,
) -> Result<PlanPart> {
    let inspections = (data.inspections.height() > 0).then_some(&data.inspections);
    let drawn = crate::kpi::sampling::draw(
        &data.contacts,
        inspections,
        spec,
        &cfg.contract,
        cfg.calendar.as_ref(),
        period,
    )?;
    if drawn.frame == 0 {
        return Err(Error::input(format!(
            "no contact of {} is in the sampling frame ({} contacts in the period before the filters)",
            period.label(),
            drawn.period_contacts
        ))
        .with_hint("check --period, --channels, --min-handle-seconds, or use --all-contacts"));
    }
    let part = PlanPart {
        spec: spec.clone(),
        command: command.clone(),
        strata: drawn.strata.clone(),
    };
    let report = PlanReport {
        contract_id: cfg.contract.info.id.clone(),
        contract_name: cfg.contract.info.name.clone(),
        period,
        tz: cfg.contract.tz(),
        spec: spec.clone(),
        drawn,
        text: crate::config::text::Text::load(cfg.lang),
        command,
        doc_epoch: cfg
            .source_date_epoch
            .unwrap_or_else(|| period.bounds_ms(cfg.contract.tz()).1 / 1000),
    };
    crate::render::plan::render_plan(&report, out)?;
    Ok(part)
}

/// `cseval plan`.
pub fn plan(cfg: &RunConfig, spec: &PlanSpec, out: &Path) -> Result<ExitCode> {
    spec.check()?;
    // Channels by their names in the run's channel table (an alias names its channel).
    let mut spec = spec.clone();
    for c in &mut spec.channels {
        let ch = cfg.contract.channels.parse(c).ok_or_else(|| {
            Error::usage(format!("--channels {c}: no such channel")).with_hint(format!(
                "expected one of: {}",
                cfg.contract.channels.expected()
            ))
        })?;
        *c = cfg.contract.channels.name(ch).to_string();
    }
    let spec = &spec;
    let mut inputs = inputs::open(cfg)?;
    let period = match cfg.period {
        Some(p) => p,
        None => super::run::default_period(cfg, inputs.arrival_range()?)?,
    };
    let data = inputs.for_period(period, &cfg.contract)?;
    let command = command(cfg, spec, period);
    let mut m = manifest::build(
        cfg,
        ReportInputs {
            contacts: &data.inputs,
            surveys: &[],
            inspections: &[],
        },
        Cadence::Monthly,
        period,
        Vec::new(),
    )?;
    crate::render::stage::write_atomically(out, cfg.force, |staging| {
        let part = draw_into(cfg, data, spec, period, command, staging)?;
        m.plan = Some(part);
        m.files = staging.files().to_vec();
        let mut text = serde_json::to_string_pretty(&m)
            .map_err(|e| Error::runtime(format!("cannot serialise manifest.json: {e}")))?;
        text.push('\n');
        staging.put(Path::new("manifest.json"), text.as_bytes())
    })?;
    if !cfg.quiet {
        let n = m
            .plan
            .as_ref()
            .map_or(0, |p| p.strata.iter().map(|s| s.sample).sum::<u64>());
        eprintln!(
            "cseval: {} {}: {n} contacts drawn; plan in {}",
            cfg.contract.info.id,
            period.label(),
            out.display()
        );
    }
    println!("{}", out.display());
    Ok(ExitCode::Ok)
}
