//! A sampling plan drawn from a period's contacts (`cseval plan`): the frame (the period's
//! contacts through the plan's filters), its strata, each stratum's sample size by the
//! plan's rule, and a seeded draw without replacement in which a risk weight makes a
//! contact likelier to be drawn (Efraimidis–Spirakis keys, ln u / w). The same frame,
//! terms and seed always draw the same contacts; the draw reads no customer column.

use crate::config::plan::{PlanSpec, Risk, Size, Stratum};
use crate::config::{Calendar, Contract, Period};
use crate::error::Result;
use polars::prelude::*;
use rand::{Rng, SeedableRng};

pub use crate::config::plan::StratumCount as StratumPlan;

/// One contact drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanLine {
    pub stratum: usize,
    pub contact_id: String,
    pub channel: String,
    pub agent_id: Option<String>,
    pub arrived_ms: i64,
    pub handle_s: Option<f64>,
    pub weight: f64,
}

/// The plan drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// The period's contacts, and those of them the filters keep.
    pub period_contacts: u64,
    pub frame: u64,
    /// n for the confidence and margin over the whole frame (the pooled size).
    pub pooled_n: u64,
    pub strata: Vec<StratumPlan>,
    pub lines: Vec<PlanLine>,
}

/// A contact of the frame.
struct Row {
    key: Vec<String>,
    id: String,
    channel: String,
    agent: Option<String>,
    arrived: i64,
    handle: Option<f64>,
    weight: f64,
}

/// What the risk weights need to know of each agent: who had a contact before the period
/// (in the inputs), and each agent's mean inspection score.
struct AgentFlags {
    seen_before: std::collections::HashSet<String>,
    qa_mean: std::collections::HashMap<String, f64>,
}

impl AgentFlags {
    fn of(contacts: &DataFrame, inspections: Option<&DataFrame>, start_ms: i64) -> Result<Self> {
        let agents = texts(contacts, "agent_id")?;
        let arrived = contacts.column("arrived_ms")?.i64()?;
        let seen_before = agents
            .into_iter()
            .zip(arrived.iter())
            .filter_map(|(a, t)| a.filter(|_| t.is_some_and(|t| t < start_ms)))
            .collect();
        let mut sums: std::collections::HashMap<String, (f64, f64)> = Default::default();
        if let Some(df) = inspections {
            let agents = texts(df, "agent_id")?;
            let scores = df.column("score")?.cast(&DataType::Float64)?;
            for (a, s) in agents.into_iter().zip(scores.f64()?.iter()) {
                if let (Some(a), Some(s)) = (a, s) {
                    let e = sums.entry(a).or_default();
                    e.0 += s;
                    e.1 += 1.0;
                }
            }
        }
        let qa_mean = sums.into_iter().map(|(a, (s, n))| (a, s / n)).collect();
        Ok(AgentFlags {
            seen_before,
            qa_mean,
        })
    }
}

/// The hour band of a local hour.
fn hour_band(h: u32) -> &'static str {
    match h {
        0..=7 => "night",
        8..=11 => "morning",
        12..=17 => "afternoon",
        _ => "evening",
    }
}

fn texts(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df.column(name)?.cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// The frame: the period's contacts that the filters keep, each with its stratum key and
/// risk weight. Returns the period's contacts too.
fn frame(
    contacts: &DataFrame,
    flagged: &AgentFlags,
    spec: &PlanSpec,
    contract: &Contract,
    calendar: Option<&Calendar>,
    period: Period,
) -> Result<(u64, Vec<Row>)> {
    let tz = contract.tz();
    let (a, b) = contract.bounds(period);
    let shift = contract.day_start_ms();
    let arrived: Vec<Option<i64>> = contacts.column("arrived_ms")?.i64()?.iter().collect();
    let answered_ms: Vec<Option<i64>> = contacts.column("answered_ms")?.i64()?.iter().collect();
    let answered_flag: Vec<Option<bool>> =
        contacts.column("answered_flag")?.bool()?.iter().collect();
    let handle: Vec<Option<f64>> = contacts.column("handle_s")?.f64()?.iter().collect();
    let [ids, channels, agents, kinds, priorities] =
        ["contact_id", "channel", "agent_id", "kind", "priority"].map(|c| texts(contacts, c));
    let (ids, channels, agents, kinds, priorities) =
        (ids?, channels?, agents?, kinds?, priorities?);
    let mut in_period = 0u64;
    let mut rows = Vec::new();
    for i in 0..contacts.height() {
        let Some(t) = arrived[i].filter(|t| (a..b).contains(t)) else {
            continue;
        };
        in_period += 1;
        let channel = channels[i].clone().unwrap_or_default();
        let answered = super::is_answered(answered_ms[i], answered_flag[i]);
        let keep = (!spec.answered_only || answered)
            && spec
                .min_handle_seconds
                .is_none_or(|m| handle[i].is_some_and(|h| h >= m))
            && (spec.channels.is_empty() || spec.channels.contains(&channel));
        if !keep {
            continue;
        }
        // The business day's type and the clock's hour band.
        let day = chrono::TimeZone::timestamp_millis_opt(&tz, t - shift)
            .earliest()
            .map(|d| d.date_naive());
        let local = chrono::TimeZone::timestamp_millis_opt(&tz, t)
            .earliest()
            .map(|d| d.naive_local());
        let key = spec
            .strata
            .iter()
            .map(|s| match s {
                Stratum::Channel => channel.clone(),
                Stratum::Agent => agents[i].clone().unwrap_or_default(),
                Stratum::DayType => day
                    .map(|d| super::day_type(calendar, d).to_string())
                    .unwrap_or_default(),
                Stratum::HourBand => local
                    .map(|d| hour_band(chrono::Timelike::hour(&d)).to_string())
                    .unwrap_or_default(),
            })
            .collect();
        let weight = spec.risks.iter().fold(1.0, |w, r| match r {
            Risk::Complaints(x) if kinds[i].as_deref() == Some("complaint") => w * x,
            Risk::Urgent(x) if priorities[i].as_deref() == Some("urgent") => w * x,
            Risk::Agent(id, x) if agents[i].as_deref() == Some(id.as_str()) => w * x,
            Risk::NewAgents(x)
                if agents[i]
                    .as_ref()
                    .is_some_and(|a| !flagged.seen_before.contains(a)) =>
            {
                w * x
            }
            Risk::AgentsBelow(score, x)
                if agents[i]
                    .as_ref()
                    .and_then(|a| flagged.qa_mean.get(a))
                    .is_some_and(|m| m < score) =>
            {
                w * x
            }
            _ => w,
        });
        rows.push(Row {
            key,
            id: ids[i].clone().unwrap_or_default(),
            channel,
            agent: agents[i].clone(),
            arrived: t,
            handle: handle[i],
            weight,
        });
    }
    rows.sort_by(|x, y| x.key.cmp(&y.key).then_with(|| x.id.cmp(&y.id)));
    Ok((in_period, rows))
}

/// How many of each stratum's `sizes` contacts are drawn, and the pooled n.
pub fn allocate(spec: &PlanSpec, sizes: &[u64]) -> (u64, Vec<u64>) {
    use crate::stats::sample_size;
    let total: u64 = sizes.iter().sum();
    let pooled = sample_size(spec.confidence, spec.margin, spec.expected, Some(total)).min(total);
    let n: Vec<u64> = match spec.size {
        Size::Pooled => {
            // In proportion to each stratum's size, the remainders going to the largest
            // fractions (ties to the first stratum).
            let exact: Vec<f64> = sizes
                .iter()
                .map(|&s| pooled as f64 * s as f64 / total.max(1) as f64)
                .collect();
            let mut n: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
            let mut order: Vec<usize> = (0..sizes.len()).collect();
            order.sort_by(|&i, &j| {
                (exact[j] - exact[j].floor()).total_cmp(&(exact[i] - exact[i].floor()))
            });
            let left = pooled - n.iter().sum::<u64>();
            for &i in order.iter().take(left as usize) {
                n[i] += 1;
            }
            // Every stratum with contacts is seen at least once.
            n.iter()
                .zip(sizes)
                .map(|(&k, &s)| k.max(s.min(1)))
                .collect()
        }
        Size::PerStratum => sizes
            .iter()
            .map(|&s| sample_size(spec.confidence, spec.margin, spec.expected, Some(s)).min(s))
            .collect(),
        Size::Fixed(k) => sizes.iter().map(|&s| k.min(s)).collect(),
        Size::Percent(p) => sizes
            .iter()
            .map(|&s| ((p * s as f64 - 1e-9).ceil() as u64).min(s))
            .collect(),
    };
    (pooled, n)
}

/// Draw the plan.
pub fn draw(
    contacts: &DataFrame,
    inspections: Option<&DataFrame>,
    spec: &PlanSpec,
    contract: &Contract,
    calendar: Option<&Calendar>,
    period: Period,
) -> Result<Drawn> {
    let flagged = AgentFlags::of(contacts, inspections, contract.bounds(period).0)?;
    let (period_contacts, rows) = frame(contacts, &flagged, spec, contract, calendar, period)?;
    let mut groups: Vec<(Vec<String>, std::ops::Range<usize>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match groups.last_mut() {
            Some((k, span)) if *k == r.key => span.end = i + 1,
            _ => groups.push((r.key.clone(), i..i + 1)),
        }
    }
    let sizes: Vec<u64> = groups.iter().map(|(_, s)| s.len() as u64).collect();
    let (pooled_n, n) = allocate(spec, &sizes);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(spec.seed);
    let mut lines = Vec::new();
    for (k, ((_, span), &want)) in groups.iter().zip(&n).enumerate() {
        // One draw per contact in the frame's order, so that the sample depends only on
        // the frame, the terms and the seed.
        let mut keyed: Vec<(f64, usize)> = span
            .clone()
            .map(|i| {
                let u: f64 = 1.0 - rng.random::<f64>();
                (u.ln() / rows[i].weight, i)
            })
            .collect();
        keyed.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut chosen: Vec<usize> = keyed.iter().take(want as usize).map(|x| x.1).collect();
        chosen.sort_by_key(|&i| (rows[i].arrived, i));
        lines.extend(chosen.into_iter().map(|i| {
            let r = &rows[i];
            PlanLine {
                stratum: k,
                contact_id: r.id.clone(),
                channel: r.channel.clone(),
                agent_id: r.agent.clone(),
                arrived_ms: r.arrived,
                handle_s: r.handle,
                weight: r.weight,
            }
        }));
    }
    let strata = groups
        .into_iter()
        .zip(&n)
        .map(|((key, span), &sample)| StratumPlan {
            key,
            population: span.len() as u64,
            sample,
        })
        .collect();
    Ok(Drawn {
        period_contacts,
        frame: rows.len() as u64,
        pooled_n,
        strata,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::plan::Size;

    fn spec(size: Size) -> PlanSpec {
        PlanSpec {
            confidence: 0.95,
            margin: 0.05,
            expected: 0.5,
            size,
            strata: vec![],
            answered_only: true,
            min_handle_seconds: None,
            channels: vec![],
            risks: vec![],
            seed: 1,
        }
    }

    #[test]
    fn allocation_by_each_rule_worked_by_hand() {
        // 1,000 contacts in strata of 600, 300, 90 and 10. Pooled: 278 (384.15 / (1 +
        // 383.15 / 1000) = 277.7); shares 166.8, 83.4, 25.02, 2.78: floors 166 + 83 + 25 +
        // 2 = 276, the two left to the largest fractions (0.8 of the first, 0.78 of the
        // fourth): 167, 83, 25, 3.
        let sizes = [600, 300, 90, 10];
        assert_eq!(
            allocate(&spec(Size::Pooled), &sizes),
            (278, vec![167, 83, 25, 3])
        );
        // Within each stratum: 600 → 234.4 → 235; 300 → 168.7 → 169; 90 → 73.1 → 74;
        // 10 → 9.8 → 10.
        assert_eq!(
            allocate(&spec(Size::PerStratum), &sizes).1,
            vec![235, 169, 74, 10]
        );
        assert_eq!(
            allocate(&spec(Size::Fixed(20)), &sizes).1,
            vec![20, 20, 20, 10]
        );
        // 5 %: 30, 15, 4.5 → 5, 0.5 → 1.
        assert_eq!(
            allocate(&spec(Size::Percent(0.05)), &sizes).1,
            vec![30, 15, 5, 1]
        );
    }
}
