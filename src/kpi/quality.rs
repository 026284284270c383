//! Quality-inspection KPIs: inspections of the period (by `inspected_at`, else the inspected
//! contact's `arrived_at`, else the period being evaluated, as for surveys), their pass rate
//! and mean score, overall, per source (recording sampling, mystery shopper), per criterion
//! and per agent (the inspection's `agent_id`, else the inspected contact's), and the
//! `qa_pass_rate` SLA measurement. Whether the rate meets its target is the evaluate stage's
//! business.

use super::{ratio, Measurement, Row};
use crate::error::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// The inspections and criterion checks read from `--inspections`.
#[derive(Clone, Copy)]
pub struct QaInput<'a> {
    pub inspections: &'a DataFrame,
    pub criteria: &'a DataFrame,
}

impl<'a> QaInput<'a> {
    /// The dataset's inspections, or `None` when the run has no inspection input (then
    /// every quality figure is `null`, not 0).
    pub fn of(data: &'a crate::normalize::Dataset, given: bool) -> Option<QaInput<'a>> {
        given.then_some(QaInput {
            inspections: &data.inspections,
            criteria: &data.criteria,
        })
    }
}

/// `metrics.json` → `quality`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Quality {
    pub inspections: u64,
    pub passed: u64,
    pub pass_rate: Option<f64>,
    /// Inspections that carry a score, and their mean.
    pub scored: u64,
    pub score_mean: Option<f64>,
    pub sources: Vec<QaSourceRow>,
    /// Criteria by failures (most first, then by name).
    pub criteria: Vec<QaCriterionRow>,
    /// Agents by id.
    pub agents: Vec<QaAgentRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QaSourceRow {
    pub source: String,
    pub inspections: u64,
    pub passed: u64,
    pub pass_rate: Option<f64>,
    pub score_mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QaCriterionRow {
    pub criterion: String,
    pub checked: u64,
    pub failed: u64,
    pub fail_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QaAgentRow {
    pub agent_id: String,
    pub agent_name: Option<String>,
    pub inspections: u64,
    pub passed: u64,
    pub pass_rate: Option<f64>,
    pub score_mean: Option<f64>,
    /// Failed criterion checks.
    pub criteria_failed: u64,
}

/// The period's inspections, linked to their contacts: `inspection_id`, `agent`,
/// `agent_name`, `source`, `channel`, `score`, `passed`.
pub(super) fn period_inspections(
    qa: QaInput,
    contacts: &DataFrame,
    bounds: (i64, i64),
) -> Result<DataFrame> {
    let (a, b) = bounds;
    let link = contacts.clone().lazy().select([
        col("contact_id"),
        col("arrived_ms").alias("c_arrived"),
        col("agent_id").alias("c_agent"),
        col("agent_name").alias("c_agent_name"),
        col("channel").alias("c_channel"),
    ]);
    let at = col("when_ms");
    Ok(qa
        .inspections
        .clone()
        .lazy()
        .join(
            link,
            [col("contact_id")],
            [col("contact_id")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        // The contacts' enums and categoricals as the inspections' text.
        .with_columns(
            ["c_agent", "c_agent_name", "c_channel"].map(|c| col(c).cast(DataType::String)),
        )
        .with_columns([
            coalesce(&[col("inspected_ms"), col("c_arrived")]).alias("when_ms"),
            coalesce(&[col("agent_id"), col("c_agent")]).alias("agent"),
            // The contact's agent name only when the inspection is about that agent.
            when(
                col("agent_id")
                    .is_null()
                    .or(col("agent_id").eq(col("c_agent"))),
            )
            .then(coalesce(&[col("agent_name"), col("c_agent_name")]))
            .otherwise(col("agent_name"))
            .alias("agent_name"),
            coalesce(&[col("channel"), col("c_channel")]).alias("channel"),
        ])
        .filter(
            at.clone()
                .is_null()
                .or(at.clone().gt_eq(lit(a)).and(at.lt(lit(b)))),
        )
        .select([
            col("inspection_id"),
            col("contact_id"),
            col("when_ms"),
            col("agent"),
            col("agent_name"),
            col("source"),
            col("channel"),
            col("score"),
            col("passed"),
        ])
        .collect()?)
}

/// Every criterion check that failed: inspection id and criterion.
pub(super) fn criteria_failed(q: QaInput) -> Result<DataFrame> {
    Ok(q.criteria
        .clone()
        .lazy()
        .filter(col("ok").not())
        .select([col("inspection_id"), col("criterion")])
        .collect()?)
}

fn group_aggs() -> Vec<Expr> {
    vec![
        len().cast(DataType::Int64).alias("n"),
        col("passed").cast(DataType::Int64).sum().alias("passed"),
        col("score").mean().alias("score_mean"),
        col("score")
            .is_not_null()
            .cast(DataType::Int64)
            .sum()
            .alias("scored"),
    ]
}

/// Every quality figure of the period.
pub(super) fn quality(insp: &DataFrame, criteria: &DataFrame) -> Result<Quality> {
    let o = insp.clone().lazy().select(group_aggs()).collect()?;
    let r = Row { df: &o, i: 0 };
    let n = r.count("n");
    let g = insp
        .clone()
        .lazy()
        .group_by([col("source")])
        .agg(group_aggs())
        .sort(["source"], SortMultipleOptions::default())
        .collect()?;
    let sources = (0..g.height())
        .map(|i| {
            let r = Row { df: &g, i };
            QaSourceRow {
                source: r.text("source").unwrap_or_default(),
                inspections: r.count("n"),
                passed: r.count("passed"),
                pass_rate: ratio(r.count("passed") as f64, r.count("n") as f64),
                score_mean: r.float("score_mean"),
            }
        })
        .collect();
    // Criterion checks of the period's inspections, with the inspection's agent.
    let checks = criteria
        .clone()
        .lazy()
        .join(
            insp.clone()
                .lazy()
                .select([col("inspection_id"), col("agent")]),
            [col("inspection_id")],
            [col("inspection_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(col("ok").not().alias("failed"));
    let g = checks
        .clone()
        .group_by([col("criterion")])
        .agg([
            len().cast(DataType::Int64).alias("checked"),
            col("failed").cast(DataType::Int64).sum().alias("failed"),
        ])
        .collect()?;
    let mut criteria_rows: Vec<QaCriterionRow> = (0..g.height())
        .map(|i| {
            let r = Row { df: &g, i };
            QaCriterionRow {
                criterion: r.text("criterion").unwrap_or_default(),
                checked: r.count("checked"),
                failed: r.count("failed"),
                fail_rate: ratio(r.count("failed") as f64, r.count("checked") as f64),
            }
        })
        .collect();
    criteria_rows.sort_by(|x, y| y.failed.cmp(&x.failed).then(x.criterion.cmp(&y.criterion)));
    let failures = checks
        .filter(col("agent").is_not_null())
        .group_by([col("agent")])
        .agg([col("failed")
            .cast(DataType::Int64)
            .sum()
            .alias("criteria_failed")]);
    let mut aggs = group_aggs();
    aggs.push(col("agent_name").drop_nulls().first().alias("agent_name"));
    let g = insp
        .clone()
        .lazy()
        .filter(col("agent").is_not_null())
        .group_by([col("agent")])
        .agg(aggs)
        .join(
            failures,
            [col("agent")],
            [col("agent")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(["agent"], SortMultipleOptions::default())
        .collect()?;
    let agents = (0..g.height())
        .map(|i| {
            let r = Row { df: &g, i };
            QaAgentRow {
                agent_id: r.text("agent").unwrap_or_default(),
                agent_name: r.text("agent_name"),
                inspections: r.count("n"),
                passed: r.count("passed"),
                pass_rate: ratio(r.count("passed") as f64, r.count("n") as f64),
                score_mean: r.float("score_mean"),
                criteria_failed: r.count("criteria_failed"),
            }
        })
        .collect();
    Ok(Quality {
        inspections: n,
        passed: r.count("passed"),
        pass_rate: ratio(r.count("passed") as f64, n as f64),
        scored: r.count("scored"),
        score_mean: r.float("score_mean"),
        sources,
        criteria: criteria_rows,
        agents,
    })
}

/// `qa_pass_rate`: passed ÷ inspections of the period (of the SLA's source and channel),
/// and the inspections that did not pass (its `denominator − numerator`, in input order:
/// the evidence list), with the columns a provider checks them by.
pub(super) fn measure(
    insp: Option<&DataFrame>,
    sla: &crate::config::contract::Sla,
    channels: &crate::model::Channels,
) -> Result<(Measurement, Option<DataFrame>)> {
    let Some(insp) = insp else {
        return Ok((
            Measurement {
                numerator: 0.0,
                denominator: 0.0,
                actual: None,
                why_missing: Some("why_no_inspection_input"),
                spread: None,
            },
            None,
        ));
    };
    let mut f = lit(true);
    if let Some(s) = sla.source {
        f = f.and(col("source").eq(lit(s.as_str())));
    }
    if let Some(c) = sla.channel {
        f = f.and(col("channel").eq(lit(channels.name(c))));
    }
    let scoped = insp.clone().lazy().filter(f);
    let g = scoped
        .clone()
        .select([
            col("passed").cast(DataType::Float64).sum().alias("num"),
            len().cast(DataType::Float64).alias("den"),
        ])
        .collect()?;
    let failed = scoped
        .filter(col("passed").fill_null(lit(false)).not())
        .select([
            col("inspection_id"),
            col("contact_id"),
            col("agent"),
            col("source"),
            col("channel"),
            col("when_ms"),
            col("score"),
        ])
        .collect()?;
    let r = Row { df: &g, i: 0 };
    let (n, d) = (r.float("num").unwrap_or(0.0), r.float("den").unwrap_or(0.0));
    Ok((
        Measurement {
            numerator: n,
            denominator: d,
            actual: ratio(n, d),
            why_missing: (d == 0.0).then_some("why_no_inspections"),
            spread: None,
        },
        Some(failed),
    ))
}
