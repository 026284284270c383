//! Satisfaction: survey responses in the period joined to their contacts (a linked
//! response wins over the contact's inline rating) and the mean, top-box rate and response
//! count by any grouping key; the period's survey summary and score distribution.

use super::Row;
use super::ScoreRow;
use crate::error::Result;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Satisfaction responses of the period, each with the channel/agent/topic of its contact.
pub(super) fn responses(
    all_contacts: &DataFrame,
    period_contacts: &DataFrame,
    surveys: &DataFrame,
    bounds: (i64, i64),
    survey: &crate::config::contract::SurveyCfg,
) -> Result<(DataFrame, u64, Vec<ItemStats>)> {
    let (a, b) = bounds;
    // Each response's contact, by the row the normalize stage linked it to.
    let rows = surveys.column(crate::normalize::CONTACT_ROW)?.u32()?;
    let linked = all_contacts
        .select(["channel", "agent_id", "topic", "arrived_ms"])?
        .take(rows)?;
    let items: Vec<String> = surveys
        .get_column_names()
        .into_iter()
        .filter(|n| n.starts_with(crate::columns::ITEM_PREFIX))
        .map(|n| n.to_string())
        .collect();
    let mut wanted = vec!["score".to_string(), "nps".into(), "responded_ms".into()];
    wanted.extend(items.iter().cloned());
    let mut joined = surveys.select(wanted)?;
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
        .select(
            ["score", "nps", "channel", "agent_id", "topic"]
                .into_iter()
                .map(col)
                .chain(items.iter().map(|n| col(n.as_str())))
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let out_of_period = (surveys.height() - from_surveys.height()) as u64;
    let item_stats = item_stats(&from_surveys, &items, survey)?;
    let from_surveys = from_surveys.select(["score", "nps", "channel", "agent_id", "topic"])?;
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
        item_stats,
    ))
}

/// One survey item's answers in the period (`survey_items` in metrics.json).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ItemStats {
    pub item: String,
    /// Responses of the period that answer the item, and those that leave it blank.
    pub responses: u64,
    pub missing: u64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Sample standard deviation (n − 1); null below two answers.
    pub sd: Option<f64>,
    /// Share of the answers in the top box (the contract's `[survey] top_box`).
    pub top_box_rate: Option<f64>,
}

/// Every item's statistics over the period's responses (`items`: the item columns).
fn item_stats(
    responses: &DataFrame,
    items: &[String],
    survey: &crate::config::contract::SurveyCfg,
) -> Result<Vec<ItemStats>> {
    let mut out = Vec::with_capacity(items.len());
    for name in items {
        let mut v: Vec<f64> = responses.column(name)?.f64()?.iter().flatten().collect();
        v.sort_by(f64::total_cmp);
        out.push(describe(
            &name[crate::columns::ITEM_PREFIX.len()..],
            &v,
            responses.height() as u64,
            survey.top_box_min(),
        ));
    }
    Ok(out)
}

/// Statistics of `sorted` answers out of `asked` responses.
fn describe(item: &str, sorted: &[f64], asked: u64, top_box_min: f64) -> ItemStats {
    let n = sorted.len();
    let mean = (n > 0).then(|| sorted.iter().sum::<f64>() / n as f64);
    let median = (n > 0).then(|| {
        if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        }
    });
    let sd = mean
        .filter(|_| n > 1)
        .map(|m| (sorted.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt());
    let top = sorted.iter().filter(|x| **x >= top_box_min).count();
    ItemStats {
        item: item.to_string(),
        responses: n as u64,
        missing: asked - n as u64,
        mean,
        median,
        sd,
        top_box_rate: (n > 0).then(|| top as f64 / n as f64),
    }
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
