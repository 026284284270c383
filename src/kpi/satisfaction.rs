//! Satisfaction: survey responses in the period joined to their contacts (a linked
//! response wins over the contact's inline rating) and the mean, top-box rate and response
//! count by any grouping key; the period's survey summary and score distribution.

use super::Row;
use super::ScoreRow;
use crate::error::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Satisfaction responses of the period, each with the channel/agent/topic of its contact.
pub(super) fn responses(
    all_contacts: &DataFrame,
    period_contacts: &DataFrame,
    surveys: &DataFrame,
    bounds: (i64, i64),
) -> Result<(DataFrame, u64)> {
    let (a, b) = bounds;
    // Each response's contact, by the row the normalize stage linked it to.
    let rows = surveys.column(crate::normalize::CONTACT_ROW)?.u32()?;
    let linked = all_contacts
        .select(["channel", "agent_id", "topic", "arrived_ms"])?
        .take(rows)?;
    let mut joined = surveys.select(["score", "nps", "responded_ms"])?;
    for c in linked.columns() {
        joined.with_column(c.clone())?;
    }
    let from_surveys = joined
        .lazy()
        .with_column(coalesce(&[col("responded_ms"), col("arrived_ms")]).alias("when_ms"))
        // No time at all: attributed to the period being evaluated.
        .filter(
            col("when_ms")
                .is_null()
                .or(col("when_ms").gt_eq(lit(a)).and(col("when_ms").lt(lit(b)))),
        )
        .select([
            col("score"),
            col("nps"),
            col("channel"),
            col("agent_id"),
            col("topic"),
        ])
        .collect()?;
    let out_of_period = (surveys.height() - from_surveys.height()) as u64;
    let inline = period_contacts
        .clone()
        .lazy()
        .filter(
            col("satisfaction")
                .is_not_null()
                .and(col("has_survey").not()),
        )
        .select([
            col("satisfaction").alias("score"),
            lit(NULL).cast(DataType::Float64).alias("nps"),
            col("channel"),
            col("agent_id"),
            col("topic"),
        ]);
    Ok((
        concat([from_surveys.lazy(), inline], UnionArgs::default())?.collect()?,
        out_of_period,
    ))
}

pub(super) struct Csat {
    pub(super) mean: Option<f64>,
    pub(super) n: u64,
}

pub(super) fn csat_by(resp: &DataFrame, key: &str) -> Result<BTreeMap<String, Csat>> {
    let g = resp
        .clone()
        .lazy()
        .filter(col(key).is_not_null())
        .group_by([col(key)])
        .agg([
            col("score").mean().alias("mean"),
            len().cast(DataType::Int64).alias("n"),
        ])
        .collect()?;
    let mut m = BTreeMap::new();
    for i in 0..g.height() {
        let r = Row { df: &g, i };
        if let Some(k) = r.text(key) {
            m.insert(
                k,
                Csat {
                    mean: r.float("mean"),
                    n: r.count("n"),
                },
            );
        }
    }
    Ok(m)
}

/// The survey figures of the period: mean score, responses, top-box responses and the NPS
/// counts.
pub(super) struct Summary {
    pub(super) mean: Option<f64>,
    pub(super) responses: u64,
    pub(super) top_box: u64,
    pub(super) nps_responses: u64,
    pub(super) promoters: u64,
    pub(super) detractors: u64,
}

/// [`Summary`] of the period's responses; `top`: the lowest top-box score.
pub(super) fn summary(resp: &DataFrame, top: f64) -> Result<Summary> {
    let count = |e: Expr, name: &str| e.sum().cast(DataType::Int64).alias(name);
    let s = resp
        .clone()
        .lazy()
        .select([
            col("score").mean().alias("mean"),
            len().cast(DataType::Int64).alias("n"),
            count(col("score").gt_eq(lit(top)), "top"),
            count(col("nps").is_not_null(), "nps_n"),
            count(col("nps").gt_eq(lit(9.0)), "promoters"),
            count(col("nps").lt_eq(lit(6.0)), "detractors"),
        ])
        .collect()?;
    let r = Row { df: &s, i: 0 };
    Ok(Summary {
        mean: r.float("mean"),
        responses: r.count("n"),
        top_box: r.count("top"),
        nps_responses: r.count("nps_n"),
        promoters: r.count("promoters"),
        detractors: r.count("detractors"),
    })
}

/// The distribution of scores: responses per score, lowest score first.
pub(super) fn score_rows(resp: &DataFrame) -> Result<Vec<ScoreRow>> {
    let g = resp
        .clone()
        .lazy()
        .group_by([col("score")])
        .agg([len().cast(DataType::Int64).alias("n")])
        .sort(["score"], SortMultipleOptions::default())
        .collect()?;
    Ok((0..g.height())
        .map(|i| {
            let r = Row { df: &g, i };
            ScoreRow {
                score: r.float("score").unwrap_or(0.0),
                responses: r.count("n"),
            }
        })
        .collect())
}
