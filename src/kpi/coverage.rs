//! How far the inspections carried out follow a sampling plan (`--plan` with
//! `--inspections`): of the contacts the plan drew, how many were inspected (by any
//! inspection of the inputs), by stratum and by agent, and how many of the period's
//! inspections are of contacts outside the plan. It judges nothing: the finding is the
//! report's.

use super::quality::{period_inspections, QaInput};
use crate::config::assessment::Planned;
use crate::error::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// One stratum's (or agent's) share of the plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CoverageRow {
    pub name: String,
    pub planned: u64,
    pub inspected: u64,
    pub rate: Option<f64>,
}

/// `metrics.json` → `plan_coverage`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Coverage {
    pub planned: u64,
    pub inspected: u64,
    pub rate: Option<f64>,
    /// Inspections of the period whose contact the plan did not draw.
    pub outside: u64,
    pub strata: Vec<CoverageRow>,
    pub agents: Vec<CoverageRow>,
}

fn row(name: String, (planned, inspected): (u64, u64)) -> CoverageRow {
    CoverageRow {
        name,
        planned,
        inspected,
        rate: (planned > 0).then(|| inspected as f64 / planned as f64),
    }
}

/// The plan's coverage by the inspections `qa` (those of the period, by `bounds`, for the
/// count outside the plan).
pub fn coverage(
    qa: QaInput,
    contacts: &DataFrame,
    plan: &[Planned],
    bounds: (i64, i64),
) -> Result<Coverage> {
    let ids = |df: &DataFrame| -> Result<HashSet<String>> {
        let c = df.column("contact_id")?.cast(&DataType::String)?;
        Ok(c.str()?.iter().flatten().map(str::to_string).collect())
    };
    let inspected = ids(qa.inspections)?;
    let planned: HashSet<&str> = plan.iter().map(|p| p.contact_id.as_str()).collect();
    let period = period_inspections(qa, contacts, bounds)?;
    let c = period.column("contact_id")?.cast(&DataType::String)?;
    let outside = c
        .str()?
        .iter()
        .filter(|id| id.is_none_or(|id| !planned.contains(id)))
        .count() as u64;
    let mut strata: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut agents: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for p in plan {
        let hit = inspected.contains(&p.contact_id) as u64;
        for (map, key) in [
            (&mut strata, p.stratum.clone()),
            (&mut agents, p.agent.clone().unwrap_or_default()),
        ] {
            let e = map.entry(key).or_default();
            e.0 += 1;
            e.1 += hit;
        }
    }
    let done: u64 = strata.values().map(|v| v.1).sum();
    let n = plan.len() as u64;
    Ok(Coverage {
        planned: n,
        inspected: done,
        rate: (n > 0).then(|| done as f64 / n as f64),
        outside,
        strata: strata.into_iter().map(|(k, v)| row(k, v)).collect(),
        agents: agents.into_iter().map(|(k, v)| row(k, v)).collect(),
    })
}
